"""The dataset folder: three Parquet tables, read whole and written atomically.

Every write goes to a temporary file beside the table and is renamed over it, so a reader
never sees a half-written table and an interrupted run leaves the previous one intact.
A lock file serialises writers (ingest runs, a build's single writer).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from riskreg.schema import (
    LINKS,
    RECORDS,
    SOURCES,
    TABLES,
    Table,
    conform,
    validate,
    validate_keys,
)


class Dataset:
    """A dataset folder holding records.parquet, links.parquet and sources.parquet."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, table: Table) -> Path:
        return self.root / table.filename

    def read(self, table: Table) -> pa.Table:
        """The whole table, conformed to the declared schema; empty when not written yet."""
        return self.read_columns(table, [c.name for c in table.columns])

    def read_columns(self, table: Table, columns: list[str]) -> pa.Table:
        """Only these columns of the table (all rows); empty when not written yet."""
        p = self.path(table)
        if not p.exists():
            return table.empty().select(columns)
        if p.is_file():  # ParquetFile spares read_table's import of pyarrow.dataset (~0.3 s)
            with pq.ParquetFile(p) as fh:
                have = [c for c in columns if c in fh.schema_arrow.names]
                data = fh.read(columns=have)
        else:  # a Hive-partitioned folder
            parts = pq.ParquetDataset(p)
            data = parts.read(columns=[c for c in columns if c in parts.schema.names])
        return conform(table, data).select(columns)

    def any_value(self, table: Table, column: str) -> bool:
        """Whether any row of the table has a value (not null) in the column."""
        values = self.read_columns(table, [column]).column(column)
        return values.null_count < len(values)

    def write(self, table: Table, data: pa.Table, *, rows_validated: bool = False) -> None:
        """Validate then atomically replace the whole table. `rows_validated`: every row was
        checked already (kept rows when written, new ones by the caller), so only the key's
        uniqueness across them is left to check."""
        data = conform(table, data)
        if rows_validated:
            validate_keys(table, data)
        else:
            validate(table, data)
        self.root.mkdir(parents=True, exist_ok=True)
        atomic_write_parquet(data, self.path(table))

    @contextlib.contextmanager
    def locked(self) -> Iterator[Dataset]:
        """Hold the dataset's writer lock for a read-modify-write cycle."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ensure(self) -> None:
        """Write any missing table as an empty table, so readers always find all three."""
        for table in TABLES.values():
            if not self.path(table).exists():
                self.write(table, table.empty())

    def replace_editions(self, records: pa.Table, sources: pa.Table) -> None:
        """Write inputs' records and sources rows in one locked cycle. The editions in `records`
        are replaced (with any rows earlier read from the same files) and nothing else; inputs
        that failed (status 'failed') only update their sources row, so nothing is lost."""
        records = conform(RECORDS, records)
        validate(RECORDS, records)
        sources = conform(SOURCES, sources)
        ok_files = {r["source_file"] for r in sources.to_pylist() if r["status"] == "ok"}
        editions = set(records.column("edition").to_pylist())
        with self.locked():
            if ok_files or editions:
                old = self.read(RECORDS)
                keep = rows_not_in(old, "edition", editions)
                keep = rows_not_in(keep, "source_file", ok_files)
                self.write(RECORDS, pa.concat_tables([keep, records]), rows_validated=True)
            self.upsert_sources(sources)

    def upsert_sources(self, source_row: pa.Table) -> None:
        """Replace the sources rows of these input files (caller holds the lock)."""
        source_row = conform(SOURCES, source_row)
        old = self.read(SOURCES)
        keep = rows_not_in(old, "source_file", set(source_row.column("source_file").to_pylist()))
        self.write(SOURCES, pa.concat_tables([keep, source_row]))

    def remove_sources(self, source_files: set[str]) -> None:
        """Drop the records and sources rows of input files that are gone (caller holds the lock)."""
        # rows kept from tables written (and so validated) before: only keys are left to check
        self.write(RECORDS, rows_not_in(self.read(RECORDS), "source_file", source_files),
                   rows_validated=True)
        self.write(SOURCES, rows_not_in(self.read(SOURCES), "source_file", source_files),
                   rows_validated=True)

    def write_links(self, links: pa.Table, records: pa.Table | None = None) -> None:
        """Replace links.parquet and, when given, records.parquet with its risk_uid filled
        (caller holds the lock)."""
        self.write(LINKS, links)
        if records is not None:
            self.write(RECORDS, records)


def rows_not_in(table: pa.Table, column: str, values: set) -> pa.Table:
    """The rows whose value in the column is not one of `values` (null counts as not)."""
    if not values or table.num_rows == 0:
        return table
    mask = pc.invert(pc.is_in(table.column(column), value_set=pa.array(sorted(values), pa.string())))
    return table.filter(pc.fill_null(mask, True))


def atomic_write_parquet(data: pa.Table, path: Path) -> None:
    """Write beside, fsync, then rename over the target: all or nothing."""
    _atomic_write(path, lambda fh: pq.write_table(data, fh, compression="zstd"))


def atomic_write_bytes(data: bytes, path: Path) -> None:
    """`atomic_write_parquet` for a small file of bytes."""
    _atomic_write(path, lambda fh: fh.write(data))


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
