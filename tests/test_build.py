"""`riskreg build`: incremental, parallel, Dask, survives bad files and being killed."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from riskreg.build import run_build

HEADER = "Ref\tRisk Title\tConsequences\tCurrent Controls\tResidual Score\tRisk Owner"


def register_text(org: str, quarter: str, entries: list[tuple[str, str, int]]) -> str:
    lines = [f"{org} Corporate Risk Register {quarter}", "", HEADER]
    for ref, title, score in entries:
        lines.append(f"{ref}\t{title}\tServices fail to meet demand\t"
                     f"<ul><li>Monthly review by the board</li><li>Audit plan</li></ul>\t{score}\tChief Executive")
    return "\n".join(lines) + "\n"


ENTRIES = {
    "q1": [("R1", "Loss of key data through cyber attack", 16),
           ("R2", "Failure to recruit and retain social workers", 12)],
    "q2": [("R1", "Loss of key data through cyber attack", 20),
           ("R3", "Failure to recruit and retain social workers", 12)],
}


@pytest.fixture
def raw(tmp_path):
    root = tmp_path / "raw"
    for org, slug in (("Northshire County Council", "northshire-county-council"),
                      ("Eastvale Fire Authority", "eastvale-fire-authority")):
        folder = root / slug
        folder.mkdir(parents=True)
        (folder / "2021-22-q1-register.txt").write_text(register_text(org, "Q1 2021/22", ENTRIES["q1"]))
        (folder / "2021-22-q2-register.txt").write_text(register_text(org, "Q2 2021/22", ENTRIES["q2"]))
    return root


def quiet(*_args, **_kw):
    pass


def records(out) -> pd.DataFrame:
    return pd.read_parquet(Path(out) / "records.parquet")


def test_build_reads_everything_then_nothing_when_unchanged(raw, tmp_path):
    out = tmp_path / "clean"
    first = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert first.ok, first.failed
    assert (first.read, first.skipped) == (4, 0)
    frame = records(out)
    assert len(frame) == 8
    assert sorted(frame.organisation.unique()) == ["Eastvale Fire Authority", "Northshire County Council"]
    assert set(frame.period) == {"2021/22 Q1", "2021/22 Q2"}
    # linking ran: the cyber risk has one uid across the two quarters of each organisation
    cyber = frame[frame.title.str.contains("cyber")]
    assert cyber.groupby("organisation").risk_uid.nunique().eq(1).all()
    stamp = {p: p.stat().st_mtime_ns for p in out.glob("*.parquet")}
    second = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert (second.read, second.skipped) == (0, 4)
    assert {p: p.stat().st_mtime_ns for p in out.glob("*.parquet")} == stamp


def test_changed_file_is_the_only_one_reread(raw, tmp_path):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    target = raw / "northshire-county-council" / "2021-22-q2-register.txt"
    target.write_text(register_text("Northshire County Council", "Q2 2021/22",
                                     ENTRIES["q2"] + [("R4", "Flooding of county roads", 9)]))
    again = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert (again.read, again.skipped) == (1, 3)
    frame = records(out)
    assert len(frame) == 9
    assert "R4" in set(frame[frame.organisation == "Northshire County Council"].ref)


def test_removed_input_removes_its_edition(raw, tmp_path):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    (raw / "eastvale-fire-authority" / "2021-22-q1-register.txt").unlink()
    again = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert again.removed == 1
    frame = records(out)
    left = frame[frame.organisation == "Eastvale Fire Authority"]
    assert set(left.period) == {"2021/22 Q2"}
    assert len(pd.read_parquet(out / "sources.parquet")) == 3


def test_new_pipeline_version_rereads_everything(raw, tmp_path, monkeypatch):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    from riskreg import version
    monkeypatch.setattr(version, "PIPELINE_VERSION", "999.0")
    again = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert again.read == 4
    assert set(pd.read_parquet(out / "sources.parquet").pipeline_version) == {"999.0"}


def test_corrupt_file_fails_alone(raw, tmp_path):
    out = tmp_path / "clean"
    bad = raw / "northshire-county-council" / "2021-22-q3-register.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + os.urandom(300))
    summary = run_build(str(raw), str(out), workers=2, echo=quiet)
    assert not summary.ok
    assert [f for f, _ in summary.failed] == ["northshire-county-council/2021-22-q3-register.pdf"]
    sources = pd.read_parquet(out / "sources.parquet").set_index("source_file")
    row = sources.loc["northshire-county-council/2021-22-q3-register.pdf"]
    assert row.status == "failed" and "2021-22-q3-register.pdf" in row.error
    assert (sources.status == "ok").sum() == 4
    assert len(records(out)) == 8


def test_two_inputs_claiming_one_edition_conflict(raw, tmp_path):
    out = tmp_path / "clean"
    folder = raw / "northshire-county-council"
    (folder / "copy-of-q1.txt").write_text(
        register_text("Northshire County Council", "Q1 2021/22", ENTRIES["q1"]))
    summary = run_build(str(raw), str(out), workers=1, echo=quiet)
    reasons = [r for _, r in summary.failed]
    assert len(reasons) == 2 and all("conflict" in r for r in reasons)
    assert all("copy-of-q1.txt" in r or "2021-22-q1-register.txt" in r for r in reasons)
    frame = records(out)
    north = frame[frame.organisation == "Northshire County Council"]
    assert set(north.period) == {"2021/22 Q2"}  # neither claimant was silently chosen
    chosen = run_build(str(raw), str(out), workers=1, echo=quiet, force=True,
                       prefer=[str(folder / "copy-of-q1.txt")])
    frame = records(out)
    north = frame[frame.organisation == "Northshire County Council"]
    assert set(north[north.period == "2021/22 Q1"].source_file) == {
        "northshire-county-council/copy-of-q1.txt"}
    assert len(chosen.failed) == 1


def test_killed_build_leaves_dataset_readable_and_next_build_completes(raw, tmp_path):
    out = tmp_path / "clean"
    script = textwrap.dedent(f"""
        import time
        import riskreg.build as b
        real = b.ingest_one
        def slow(req):
            time.sleep(1.0)
            return real(req)
        b.ingest_one = slow
        b.FLUSH_EVERY = 1
        b.run_build({str(raw)!r}, {str(out)!r}, workers=1)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            sources = out / "sources.parquet"
            if sources.exists() and len(pd.read_parquet(sources)) >= 1:
                break
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done = pd.read_parquet(out / "sources.parquet")
    assert 1 <= len(done) < 4
    assert len(records(out)) == 2 * len(done)
    summary = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert summary.ok and summary.read == 4 - len(done)
    assert len(records(out)) == 8


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["extra"]).sort_values(["edition", "kind", "ref"]).reset_index(drop=True)


@pytest.mark.slow
def test_dask_cluster_gives_the_same_dataset(raw, tmp_path):
    from dask.distributed import LocalCluster

    local = run_build(str(raw), str(tmp_path / "local"), workers=2, echo=quiet)
    assert local.ok
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        remote = run_build(str(raw), str(tmp_path / "dask"), scheduler=cluster.scheduler_address,
                           echo=quiet)
    assert remote.ok and remote.read == 4
    pd.testing.assert_frame_equal(comparable(records(tmp_path / "local")),
                                  comparable(records(tmp_path / "dask")))
    links_local = pd.read_parquet(tmp_path / "local" / "links.parquet")
    links_dask = pd.read_parquet(tmp_path / "dask" / "links.parquet")
    assert len(links_local) == len(links_dask) > 0


def test_build_cli_exit_code_and_summary(raw, tmp_path):
    out = tmp_path / "clean"
    riskreg = str(Path(sys.executable).with_name("riskreg"))
    p = subprocess.run([riskreg, "build", str(raw), "--out", str(out), "--workers", "1"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "build: 4 read, 0 unchanged, 0 removed, 0 failed, 8 records" in p.stdout


def test_new_normalise_code_reuses_cached_extraction(raw, tmp_path, monkeypatch):
    """A change in normalise/ (a new pipeline version) re-reads every input, but the
    extraction comes from the cache keyed by content hash, not from the reader again."""
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    assert list((out / ".cache" / "extract").rglob("*.pickle"))
    import extract.text
    from riskreg import version

    monkeypatch.setattr(version, "PIPELINE_VERSION", "999.0")

    def no_reading(path):
        raise AssertionError(f"{path} was read again instead of coming from the cache")

    monkeypatch.setattr(extract.text, "read_text", no_reading)
    again = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert again.ok, again.failed
    assert again.read == 4 and len(records(out)) == 8


def test_version_hashes_follow_the_code():
    from riskreg.version import EXTRACT_VERSION, PIPELINE_VERSION, code_hash

    assert EXTRACT_VERSION.endswith(code_hash("extract"))
    assert PIPELINE_VERSION != EXTRACT_VERSION


def test_pipeline_version_follows_the_word_lists(monkeypatch):
    """A new wordfreq or symspellpy (word lists the readers use) re-reads everything too."""
    from importlib import metadata

    from riskreg.version import data_versions

    before = data_versions("wordfreq", "symspellpy")
    real = metadata.version
    monkeypatch.setattr(
        metadata, "version", lambda name: "0.0.1" if name == "symspellpy" else real(name)
    )
    assert data_versions("wordfreq", "symspellpy") != before


def test_unchanged_inputs_are_known_by_size_and_time_without_hashing(raw, tmp_path, monkeypatch):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    import extract

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed although its size and time had not changed")

    monkeypatch.setattr(extract, "file_sha256", no_hashing)
    again = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert (again.read, again.skipped) == (0, 4)


def test_touched_but_identical_input_is_not_reread(raw, tmp_path):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    target = raw / "northshire-county-council" / "2021-22-q1-register.txt"
    target.write_bytes(target.read_bytes())  # new modification time, same content
    again = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert (again.read, again.skipped) == (0, 4)


def test_corrections_follow_the_file_on_a_build_that_reads_nothing(raw, tmp_path):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    owner = ("northshire-county-council", "2021/22 Q2", "R3")

    def owner_of():
        frame = records(out)
        key = frame["organisation"].str.lower().str.replace(" ", "-") == owner[0]
        row = frame[key & (frame["period"] == owner[1]) & (frame["ref"] == owner[2])]
        marks = row["corrections"].item()
        return row["owner"].item(), None if pd.isna(marks) else marks

    (raw / "corrections.csv").write_text("organisation,period,kind,ref,field,value\n"
                                         f"{owner[0]},{owner[1]},risk,R3,owner,Director of People\n")
    added = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert added.read == 0
    assert owner_of() == ("Director of People", '{"owner": "Chief Executive"}')
    (raw / "corrections.csv").unlink()
    removed = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert removed.read == 0
    assert owner_of() == ("Chief Executive", None)


def links_of(out) -> pd.DataFrame:
    frame = pd.read_parquet(Path(out) / "links.parquet")
    return frame.sort_values(["organisation", "from_ref", "to_ref"]).reset_index(drop=True)


def test_a_build_relinks_only_the_organisations_whose_records_changed(raw, tmp_path, monkeypatch):
    import match

    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    before_links, before = links_of(out), records(out)
    linked: list[set] = []
    real = match.link_records

    def spy(frame, *args, **kwargs):
        linked.append(set(frame["organisation"]))
        return real(frame, *args, **kwargs)

    monkeypatch.setattr(match, "link_records", spy)
    changed = raw / "northshire-county-council" / "2021-22-q2-register.txt"
    changed.write_text(changed.read_text().replace("Failure to recruit and retain social workers",
                                                   "Recruitment and retention of social workers"))
    again = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert again.read == 1 and linked == [{"Northshire County Council"}]
    after_links, after = links_of(out), records(out)
    east = "Eastvale Fire Authority"
    pd.testing.assert_frame_equal(after_links[after_links.organisation == east],
                                  before_links[before_links.organisation == east])
    assert (after[after.organisation == east]["risk_uid"].tolist()
            == before[before.organisation == east]["risk_uid"].tolist())
    north = after_links[after_links.organisation == "Northshire County Council"]
    assert sorted(zip(north.from_ref, north.to_ref, strict=True)) == [("R1", "R1"), ("R2", "R3")]
    assert after["risk_uid"].notna().all()


def test_an_edited_overrides_file_relinks_on_a_build_that_reads_nothing(raw, tmp_path):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)

    def east_pairs():
        links = links_of(out)
        east = links[links.organisation == "Eastvale Fire Authority"]
        return sorted(zip(east.from_ref, east.to_ref, east.source, strict=True))

    assert east_pairs() == [("R1", "R1", "auto"), ("R2", "R3", "auto")]
    overrides = raw / "link-overrides.csv"
    overrides.write_text("organisation,from_period,from_ref,to_period,to_ref,action\n"
                         "Eastvale Fire Authority,2021/22 Q1,R2,2021/22 Q2,R3,forbid\n"
                         "Eastvale Fire Authority,2021/22 Q1,R2,2021/22 Q2,R1,force\n")
    assert run_build(str(raw), str(out), workers=1, echo=quiet).read == 0
    forced = east_pairs()
    assert ("R2", "R1", "override") in forced and ("R2", "R3", "auto") not in forced
    overrides.unlink()
    assert run_build(str(raw), str(out), workers=1, echo=quiet).read == 0
    assert east_pairs() == [("R1", "R1", "auto"), ("R2", "R3", "auto")]


def test_an_organisation_whose_files_are_all_gone_loses_its_links(raw, tmp_path):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    for path in (raw / "eastvale-fire-authority").iterdir():
        path.unlink()
    gone = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert gone.removed == 2
    assert set(links_of(out).organisation) == {"Northshire County Council"}
    assert set(records(out).organisation) == {"Northshire County Council"}


def _east_pairs(out):
    links = links_of(out)
    east = links[links.organisation == "Eastvale Fire Authority"]
    return sorted(zip(east.from_ref, east.to_ref, east.source, strict=True))


def test_a_forbid_only_overrides_file_removed_or_copied_with_an_old_time_relinks(raw, tmp_path):
    out = tmp_path / "clean"
    overrides = raw / "link-overrides.csv"
    overrides.write_text("organisation,from_period,from_ref,to_period,to_ref,action\n"
                         "Eastvale Fire Authority,2021/22 Q1,R2,2021/22 Q2,R3,forbid\n")
    run_build(str(raw), str(out), workers=1, echo=quiet)
    assert ("R2", "R3", "auto") not in _east_pairs(out)
    overrides.unlink()  # a forbid leaves no link behind to tell it was applied
    assert run_build(str(raw), str(out), workers=1, echo=quiet).read == 0
    assert ("R2", "R3", "auto") in _east_pairs(out)
    stamp = (out / "links.parquet").stat().st_mtime_ns - 10**9
    overrides.write_text("organisation,from_period,from_ref,to_period,to_ref,action\n"
                         "Eastvale Fire Authority,2021/22 Q1,R2,2021/22 Q2,R3,forbid\n")
    os.utime(overrides, ns=(stamp, stamp))  # copied in with its old time (cp -p, rsync)
    assert run_build(str(raw), str(out), workers=1, echo=quiet).read == 0
    assert ("R2", "R3", "auto") not in _east_pairs(out)


def test_a_file_that_fails_on_re_reading_and_then_goes_takes_its_links(raw, tmp_path):
    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    target = raw / "northshire-county-council" / "2021-22-q2-register.txt"
    target.write_bytes(b"\x00\x01 not text any more")
    failed = run_build(str(raw), str(out), workers=1, echo=quiet)
    assert failed.failed and len(records(out)) == 8  # the old records stay
    target.unlink()
    run_build(str(raw), str(out), workers=1, echo=quiet)
    north = links_of(out)[lambda f: f.organisation == "Northshire County Council"]
    editions = set(records(out).edition)
    assert set(north.from_edition) | set(north.to_edition) <= editions
    assert north.empty  # one edition left: nothing to link


def test_records_ingested_outside_the_build_are_linked_by_the_next_build(raw, tmp_path):
    from riskreg.dataset import Dataset
    from riskreg.pipeline import IngestRequest, ingest_one, write_outcome

    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    q3 = tmp_path / "elsewhere" / "eastvale-q3.txt"
    q3.parent.mkdir()
    q3.write_text(register_text("Eastvale Fire Authority", "Q3 2021/22", ENTRIES["q2"]))
    outcome = ingest_one(IngestRequest(path=str(q3)))
    write_outcome(Dataset(out), outcome)
    assert records(out).risk_uid.isna().sum() == 2
    assert run_build(str(raw), str(out), workers=1, echo=quiet).read == 0
    assert records(out).risk_uid.notna().all()
    assert ("R1", "R1", "auto") in [p for p in _east_pairs(out)]
    assert links_of(out).to_edition.str.endswith("2021/22 Q3").sum() == 2


def test_an_ingest_that_corrects_another_organisation_relinks_it(raw, tmp_path):
    from click.testing import CliRunner

    from riskreg.cli import main

    out = tmp_path / "clean"
    run_build(str(raw), str(out), workers=1, echo=quiet)
    (raw / "corrections.csv").write_text(
        "organisation,period,kind,ref,field,value\n"
        "eastvale-fire-authority,2021/22 Q2,risk,R3,ref,R7\n")
    other = tmp_path / "elsewhere" / "northshire-q3.txt"
    other.parent.mkdir()
    other.write_text(register_text("Northshire County Council", "Q3 2021/22", ENTRIES["q2"]))
    result = CliRunner().invoke(main, ["ingest", str(other), "--out", str(out),
                                       "--raw", str(raw)])
    assert result.exit_code == 0, result.output
    assert ("R2", "R7", "auto") in _east_pairs(out)  # the link names the corrected reference
    assert ("R2", "R3", "auto") not in _east_pairs(out)
