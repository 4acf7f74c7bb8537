"""The dataset folder: atomic writes, edition replacement, failed inputs losing nothing."""

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pyarrow.parquet as pq
import pytest

from riskreg import dataset as dataset_module
from riskreg.dataset import Dataset
from riskreg.errors import ValidationError
from riskreg.schema import RECORDS, SOURCES, to_arrow


def rec(edition, ref, source="a.pdf", **over):
    row = {"organisation": "Org", "period": edition.split("/", 1)[1],
           "period_start": dt.date(2019, 10, 1), "edition": edition, "source_file": source,
           "source_sha256": "h", "kind": "risk", "ref": ref, "method": "text", "title": f"T {ref}"}
    row.update(over)
    return row


def src(source, edition, status="ok", **over):
    row = {"source_file": source, "source_sha256": "h", "organisation": "Org",
           "period": edition.split("/", 1)[1] if edition else None, "edition": edition,
           "status": status, "pipeline_version": "0", "records": 0}
    row.update(over)
    return row


def write(ds, records, sources):
    ds.replace_editions(to_arrow(RECORDS, records), to_arrow(SOURCES, sources))


@pytest.fixture
def ds(tmp_path):
    d = Dataset(tmp_path / "clean")
    d.ensure()
    return d


def test_ensure_writes_three_readable_tables(ds):
    for name in ("records", "links", "sources"):
        frame = pd.read_parquet(ds.root / f"{name}.parquet")
        assert frame.empty
    assert list(pd.read_parquet(ds.root / "records.parquet").columns) == RECORDS.names


def test_writing_an_edition_replaces_only_that_edition(ds):
    write(ds, [rec("org/2019 Q1", "R1"), rec("org/2019 Q1", "R2")], [src("a.pdf", "org/2019 Q1")])
    write(ds, [rec("org/2019 Q2", "R1", source="b.pdf")], [src("b.pdf", "org/2019 Q2")])
    write(ds, [rec("org/2019 Q1", "R9")], [src("a.pdf", "org/2019 Q1")])
    frame = pd.read_parquet(ds.root / "records.parquet")
    assert sorted(zip(frame.edition, frame.ref, strict=True)) == [("org/2019 Q1", "R9"), ("org/2019 Q2", "R1")]
    assert sorted(pd.read_parquet(ds.root / "sources.parquet").source_file) == ["a.pdf", "b.pdf"]


def test_failed_input_keeps_its_earlier_records(ds):
    write(ds, [rec("org/2019 Q1", "R1")], [src("a.pdf", "org/2019 Q1")])
    write(ds, [], [src("a.pdf", None, status="failed", error="a.pdf: truncated")])
    frame = pd.read_parquet(ds.root / "records.parquet")
    assert list(frame.ref) == ["R1"]
    sources = pd.read_parquet(ds.root / "sources.parquet")
    assert sources.status.tolist() == ["failed"] and sources.error[0] == "a.pdf: truncated"


def test_invalid_records_write_nothing(ds):
    write(ds, [rec("org/2019 Q1", "R1")], [src("a.pdf", "org/2019 Q1")])
    before = (ds.root / "records.parquet").read_bytes()
    with pytest.raises(ValidationError, match="kind='threat'"):
        write(ds, [rec("org/2019 Q2", "R1", kind="threat")], [src("b.pdf", "org/2019 Q2")])
    assert (ds.root / "records.parquet").read_bytes() == before


def test_interrupted_write_leaves_old_table_and_no_debris(ds, monkeypatch):
    write(ds, [rec("org/2019 Q1", "R1")], [src("a.pdf", "org/2019 Q1")])
    before = (ds.root / "records.parquet").read_bytes()

    def half_write(table, where, **kw):
        where.write(b"PAR1 half a table")
        raise OSError("disk full")

    monkeypatch.setattr(dataset_module.pq, "write_table", half_write)
    with pytest.raises(OSError, match="disk full"):
        write(ds, [rec("org/2019 Q2", "R1")], [src("b.pdf", "org/2019 Q2")])
    assert (ds.root / "records.parquet").read_bytes() == before
    assert not [p for p in os.listdir(ds.root) if p.endswith(".tmp")]


def test_process_killed_mid_write_leaves_old_table_readable(ds, tmp_path):
    write(ds, [rec("org/2019 Q1", "R1")], [src("a.pdf", "org/2019 Q1")])
    before = (ds.root / "records.parquet").read_bytes()
    script = textwrap.dedent(f"""
        import os, signal, datetime as dt
        import pyarrow.parquet as pq
        from riskreg import dataset as m
        from riskreg.schema import RECORDS, SOURCES, to_arrow
        real = pq.write_table
        def dying(table, where, **kw):
            where.write(b"PAR1" + b"x" * 1000)
            where.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        m.pq.write_table = dying
        ds = m.Dataset({str(ds.root)!r})
        row = dict(organisation="Org", period="Q2", edition="org/Q2", source_file="b.pdf",
                   source_sha256="h", kind="risk", ref="R1", method="text")
        ds.replace_editions(to_arrow(RECORDS, [row]), to_arrow(SOURCES, [dict(
            source_file="b.pdf", status="ok", pipeline_version="0")]))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    assert (ds.root / "records.parquet").read_bytes() == before
    assert pq.read_table(ds.root / "records.parquet").num_rows == 1


def test_parquet_metadata_has_descriptions_and_version(ds):
    write(ds, [rec("org/2019 Q1", "R1")], [src("a.pdf", "org/2019 Q1")])
    schema = pq.read_schema(ds.root / "records.parquet")
    assert schema.metadata[b"pipeline_version"]
    assert schema.field("residual_score").metadata[b"description"].startswith(b"score after controls")


def test_columns_are_read_alone_from_a_file_or_a_partitioned_folder(tmp_path):
    import pyarrow as pa

    rows = to_arrow(RECORDS, [rec("org/2019/20 Q3", "CR1"), rec("org/2019/20 Q3", "CR2")])
    single = Dataset(tmp_path / "single")
    single.write(RECORDS, rows)
    folder = Dataset(tmp_path / "folder")
    # a researcher's re-partitioned copy, written without the columns nobody filled
    slim = rows.select(["organisation", "edition", "kind", "ref", "title", "period"])
    pq.write_to_dataset(slim, folder.root / "records.parquet", partition_cols=["period"])
    for ds in (single, folder):
        got = ds.read_columns(RECORDS, ["ref", "corrections"])
        assert got.column_names == ["ref", "corrections"]
        assert sorted(got.column("ref").to_pylist()) == ["CR1", "CR2"]
        assert not ds.any_value(RECORDS, "corrections") and ds.any_value(RECORDS, "title")
    assert isinstance(folder.read_columns(RECORDS, ["risk_uid"]).column("risk_uid"),
                      pa.ChunkedArray)
