"""Linking on real registers: Lancashire's Q2 2017/18 PDF and its Q3 2019/20 OCR text."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
RISKREG = str(Path(sys.executable).with_name("riskreg"))
ORG = "Lancashire County Council"


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    out = tmp_path_factory.mktemp("lancs") / "clean"
    for path, period in ((FIXTURES / "lancashire-2017q2" / "ruled.pdf", None),
                         (FIXTURES / "seeds" / "000_f2dc45808fc41ba6.txt", None)):
        args = [RISKREG, "ingest", str(path), "--out", str(out), "--org", ORG]
        if period:
            args += ["--period", period]
        p = subprocess.run(args, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stderr
    p = subprocess.run([RISKREG, "link", "--out", str(out)], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stderr
    return out, p.stdout


def same_links(out) -> set[tuple[str, str]]:
    links = pd.read_parquet(out / "links.parquet")
    same = links[links.relation == "same"]
    return set(zip(same.from_ref, same.to_ref, strict=True))


def test_both_editions_found_by_their_own_titles(linked):
    out, _ = linked
    records = pd.read_parquet(out / "records.parquet")
    assert set(records.period) == {"2017/18 Q2", "2019/20 Q3"}
    assert len(records[records.period == "2019/20 Q3"]) == 17


def test_renumbered_and_reworded_safeguarding_risk_is_linked(linked):
    out, printed = linked
    assert ("CR5", "CR2") in same_links(out)
    records = pd.read_parquet(out / "records.parquet").set_index(["period", "ref"])
    assert records.loc[("2017/18 Q2", "CR5"), "risk_uid"] == records.loc[("2019/20 Q3", "CR2"), "risk_uid"]
    assert '"Failure to adequately protect and safeguard children" -> CR2' in printed


def test_links_never_join_two_entries_of_one_edition_or_reuse_an_entry(linked):
    out, _ = linked
    links = pd.read_parquet(out / "links.parquet")
    assert (links.from_edition != links.to_edition).all()
    same = links[links.relation == "same"]
    assert not same.duplicated(["from_edition", "from_ref"]).any()
    assert not same.duplicated(["to_edition", "to_ref"]).any()
    assert links.score.between(0, 1).all()
    records = pd.read_parquet(out / "records.parquet")
    per_edition = records.groupby("edition").risk_uid.nunique()
    assert (per_edition == records.groupby("edition").size()).all()


def test_link_output_names_new_and_disappeared_entries(linked):
    _, printed = linked
    assert "new:" in printed and "disappeared:" in printed
    assert "Proposed museum closures" in printed  # a 2017 risk that ended


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("CO2", "CO1"),  # "Delivering economic growth" -> "Delivering growth and prosperity ..."
        ("CR7", "CR5"),  # social work staff -> "Recruit and retain experienced staff ..."
        ("CR25", "CR9"),  # SEND: "Failure to implement and meet ..." -> "Delivering ..."
    ],
)
def test_other_renumbered_entries_are_linked(linked, old, new):
    """Entries whose 2019 text was read from rows interleaved across the page still link."""
    out, _ = linked
    assert (old, new) in same_links(out)
