"""riskreg.linking: the overrides file as analysts type it reaches match/."""

import datetime as dt

import pandas as pd

from riskreg.dataset import Dataset
from riskreg.linking import run_link
from riskreg.schema import RECORDS, to_arrow

ORG = "Westmarsh Borough Council"


def rec(period, start, ref, title):
    return {"organisation": ORG, "period": period, "period_start": start,
            "edition": f"westmarsh-borough-council/{period}", "source_file": f"{period}.txt",
            "source_sha256": "h", "kind": "risk", "ref": ref, "method": "text", "title": title}


def test_padded_reference_in_overrides_forces_the_link(tmp_path):
    dataset = Dataset(tmp_path / "clean")
    dataset.write(RECORDS, to_arrow(RECORDS, [
        rec("2021/22 Q1", dt.date(2021, 4, 1), "CR7", "Loss of key data through cyber attack"),
        rec("2021/22 Q2", dt.date(2021, 7, 1), "CR3", "Flooding of county roads"),
    ]))
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "link-overrides.csv").write_text(
        "organisation,from_period,from_ref,to_period,to_ref,action,note\n"
        f"{ORG},2021/22 Q1,CR07,2021/22 Q2,CR03,force,reviewed\n")
    run_link(str(dataset.root), raw_root=str(raw))
    links = pd.read_parquet(dataset.root / "links.parquet")
    assert list(zip(links.from_ref, links.to_ref, links.source, strict=True)) == [("CR7", "CR3", "override")]
