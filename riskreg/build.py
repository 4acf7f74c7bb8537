"""`riskreg build`: the scheduled rebuild, incremental and parallel (process pool or Dask).

Workers only read files (`pipeline.ingest_one` returns rows); this process is the single
writer, flushing results in atomic batches so the dataset is readable at every moment and a
killed build loses at most the batch in flight (those inputs are simply read again next time).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from riskreg import version
from riskreg.dataset import Dataset
from riskreg.pipeline import (
    CONTROL_FILES,
    CORRECTIONS_NAME,
    OVERRIDES_NAME,
    IngestOutcome,
    IngestRequest,
    ingest_one,
    outcome_tables,
    source_name,
)
from riskreg.schema import RECORDS, SOURCES

INPUT_SUFFIXES = {".pdf", ".txt", ".tsv", ".text"}
FLUSH_SECONDS = 20.0
FLUSH_EVERY = 50


@dataclass
class BuildSummary:
    read: int = 0
    skipped: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    records: int = 0
    seconds: float = 0.0
    link_text: str = ""

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        out = [f"build: {self.read} read, {self.skipped} unchanged, {self.removed} removed, "
               f"{len(self.failed)} failed, {self.records} records, {self.seconds:.1f}s"]
        out += [f"  failed: {reason}" for _, reason in self.failed]
        return out


def discover(raw: str) -> list[Path]:
    """Every register input under RAW, in a stable order."""
    root = Path(raw)
    found = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name.startswith(".") or p.name in CONTROL_FILES:
            continue
        if p.suffix.lower() in INPUT_SUFFIXES:
            found.append(p)
    return found


def plan(raw: str, dataset: Dataset, known: dict[str, dict], *, force: bool = False,
         max_pages: int | None = None, time_limit: float | None = None,
         ) -> tuple[list[IngestRequest], list[str], set[str]]:
    """What to read (new, changed, or read by another pipeline version), what to skip, and
    which sources are gone from RAW; `known` is the manifest by source_file."""
    todo, skipped, present = [], [], set()
    cache = str(dataset.root / ".cache" / "extract")
    for path in discover(raw):
        name = source_name(str(path), raw)
        present.add(name)
        row = known.get(name)
        if not force and row is not None and _unchanged(path, row):
            skipped.append(name)
            continue
        todo.append(IngestRequest(path=str(path), raw_root=raw, max_pages=max_pages,
                                  cache_dir=cache, time_limit=time_limit))
    gone = {n for n, r in known.items() if not os.path.isabs(n) and n not in present}
    return todo, skipped, gone


MANIFEST_COLUMNS = ("source_file", "source_sha256", "organisation", "edition", "status",
                    "pipeline_version", "source_size", "source_mtime_ns")


def _source_rows(dataset: Dataset) -> list[dict]:
    """The manifest's rows, only the columns a build decides by (timestamps would pull in
    pandas for their time zone, a third of a no-change rebuild)."""
    return dataset.read_columns(SOURCES, list(MANIFEST_COLUMNS)).to_pylist()


def _unchanged(path: Path, row: dict) -> bool:
    """Read by this pipeline version, with the same bytes: the same size and modification
    time as when read (no need to hash), or else the same content hash."""
    if row.get("pipeline_version") != version.PIPELINE_VERSION or not row.get("source_sha256"):
        return False
    try:
        st = path.stat()
    except OSError:
        return False
    if row.get("source_size") == st.st_size and row.get("source_mtime_ns") == st.st_mtime_ns:
        return True
    from extract import file_sha256

    try:
        return file_sha256(str(path)) == row["source_sha256"]
    except OSError:
        return False


def run_outcomes(requests: list[IngestRequest], *, workers: int | None,
                 scheduler: str | None) -> Iterator[IngestOutcome]:
    """Read the inputs: on a Dask cluster, in a process pool, or in this process."""
    if not requests:
        return
    if scheduler:
        yield from _run_dask(requests, scheduler)
        return
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(requests) == 1:
        for req in requests:
            yield ingest_one(req)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(requests))) as pool:
        futures = [pool.submit(ingest_one, req) for req in requests]
        for fut in as_completed(futures):
            yield fut.result()


def _run_dask(requests: list[IngestRequest], address: str) -> Iterator[IngestOutcome]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    with Client(address) as client:
        futures = client.map(ingest_one, requests, pure=False)
        for fut in dask_completed(futures):
            yield fut.result()


def resolve_conflicts(outcomes: list[IngestOutcome], existing: dict[str, str],
                      prefer: Iterable[str]) -> list[IngestOutcome]:
    """Two inputs claiming one edition: the preferred one wins, else none replaces the other.

    `existing` maps edition -> source_file already in the dataset (from inputs not re-read).
    Losing inputs are turned into failed outcomes whose reason names both files.
    """
    prefer = {os.path.normpath(p) for p in prefer}
    claims: dict[str, list[IngestOutcome]] = {}
    for o in outcomes:
        if o.ok:
            claims.setdefault(o.source["edition"], []).append(o)
    for edition, group in claims.items():
        holder = existing.get(edition)
        names = [o.source_file for o in group] + ([holder] if holder and holder not in
                                                  {o.source_file for o in group} else [])
        if len(names) < 2:
            continue
        winners = [o for o in group if _preferred(o, prefer)]
        for o in group:
            if winners and o is winners[0]:
                continue
            others = ", ".join(n for n in names if n != o.source_file)
            _fail(o, f"{o.source_file}: conflict: edition {edition} is also claimed by {others}; "
                     "pass --prefer FILE to say which wins")
    return outcomes


def _preferred(o: IngestOutcome, prefer: set[str]) -> bool:
    return any(o.source_file == p or o.source_file.endswith(p) or p.endswith(o.source_file)
               for p in prefer)


def _fail(o: IngestOutcome, reason: str) -> None:
    o.source.update(status="failed", error=reason, records=0)
    o.records = []


def flush(dataset: Dataset, outcomes: list[IngestOutcome]) -> None:
    """Write a batch of outcomes in one atomic replacement of records and sources."""
    if outcomes:
        tables = [outcome_tables(o) for o in outcomes]
        dataset.replace_editions(pa.concat_tables([t[0] for t in tables]),
                                 pa.concat_tables([t[1] for t in tables]))


class Progress:
    """A rich progress bar on a terminal; plain log lines otherwise."""

    def __init__(self, total: int):
        self.total = total
        self.done = 0
        self.bar = None
        if total and sys.stderr.isatty():
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(transient=True)
            self.bar.start()
            self.task = self.bar.add_task("reading registers", total=total)

    def advance(self, outcome: IngestOutcome) -> None:
        self.done += 1
        s = outcome.source
        if self.bar is not None:
            self.bar.advance(self.task)
        elif outcome.ok:
            print(f"[{self.done}/{self.total}] {s['source_file']}: {s['records']} records "
                  f"({s['seconds']}s)", file=sys.stderr, flush=True)
        else:
            print(f"[{self.done}/{self.total}] FAILED {s['error']}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _reapply_corrections(out: str, raw: str) -> tuple[list[str], set[str]]:
    """RAW/corrections.csv re-applied on every build (an edit to it alone re-reads no file);
    with the file gone, corrections an earlier build applied are undone. Returns the lines to
    report and the organisations whose records changed."""
    if not (Path(raw) / CORRECTIONS_NAME).is_file() and not Dataset(out).any_value(
            RECORDS, "corrections"):
        return [], set()  # nothing to apply or undo: spare the no-change rebuild the pandas import
    from riskreg.corrections import reapply_corrections

    return reapply_corrections(out, raw)


def _overrides_changed(dataset: Dataset, raw: str) -> bool:
    """RAW/link-overrides.csv is not the file the links were last made with (edited, added or
    removed), by content."""
    from riskreg.linking import applied_overrides, overrides_fingerprint

    return overrides_fingerprint(Path(raw) / OVERRIDES_NAME) != applied_overrides(dataset)


def _organisations_of(dataset: Dataset, source_files: set[str]) -> set[str]:
    """The organisations of the records read from these inputs."""
    if not source_files:
        return set()
    table = dataset.read_columns(RECORDS, ["source_file", "organisation"])
    return {o for f, o in zip(table.column("source_file").to_pylist(),
                              table.column("organisation").to_pylist(), strict=True)
            if f in source_files and o}


def _unlinked_organisations(dataset: Dataset) -> set[str]:
    """Organisations with records no link run has seen (risk_uid null): read by this build,
    or ingested since the last link."""
    table = dataset.read_columns(RECORDS, ["organisation", "risk_uid"])
    return {o for o, u in zip(table.column("organisation").to_pylist(),
                              table.column("risk_uid").to_pylist(), strict=True) if u is None}


def run_build(raw: str, out: str, *, workers: int | None = None, scheduler: str | None = None,
              force: bool = False, prefer: list[str] | None = None,
              max_pages: int | None = None, time_limit: float | None = None,
              echo=print) -> BuildSummary:
    """Bring the dataset at OUT up to date with the inputs under RAW, then link."""
    from riskreg.linking import run_link

    started = time.perf_counter()
    dataset = Dataset(out)
    dataset.ensure()
    summary = BuildSummary()
    if not Path(raw).is_dir():
        summary.failed.append((raw, f"{raw}: no such folder (pass the folder of raw registers)"))
        echo(summary.lines()[-1].strip())
        return summary
    known = {r["source_file"]: r for r in _source_rows(dataset)}
    todo, skipped, gone = plan(raw, dataset, known, force=force, max_pages=max_pages,
                               time_limit=time_limit)
    summary.skipped = len(skipped)
    # organisations whose records change: of files gone or re-read (as the records say: a
    # failed read leaves its old records and no organisation in the manifest), and read
    reread = {source_name(r.path, raw) for r in todo}
    changed_orgs = _organisations_of(dataset, set(gone) | reread)
    if gone:
        with dataset.locked():
            dataset.remove_sources(gone)
        summary.removed = len(gone)
    existing = {r["edition"]: n for n, r in known.items()
                if n not in gone and r["status"] == "ok" and r["edition"]}
    progress = Progress(len(todo))
    batch: list[IngestOutcome] = []
    last_flush = time.monotonic()
    try:
        for outcome in run_outcomes(todo, workers=workers, scheduler=scheduler):
            progress.advance(outcome)
            batch.append(outcome)
            if len(batch) >= FLUSH_EVERY or time.monotonic() - last_flush > FLUSH_SECONDS:
                _finish_batch(dataset, batch, existing, prefer or [], summary, changed_orgs)
                batch, last_flush = [], time.monotonic()
        _finish_batch(dataset, batch, existing, prefer or [], summary, changed_orgs)
    finally:
        progress.close()
    corrections, corrected_orgs = _reapply_corrections(out, raw)
    changed_orgs |= corrected_orgs | _unlinked_organisations(dataset)
    if _overrides_changed(dataset, raw):  # reviewed links apply to every organisation
        summary.link_text = run_link(out, raw_root=raw, verbose=False)
    elif changed_orgs:
        summary.link_text = run_link(out, raw_root=raw, verbose=False, organisations=changed_orgs)
    summary.seconds = time.perf_counter() - started
    for line in summary.lines() + [f"  warning: {c}" for c in corrections]:
        echo(line)
    if summary.link_text:
        echo(summary.link_text)
    return summary


def _finish_batch(dataset, batch, existing, prefer, summary, changed_orgs) -> None:
    # Conflicts are judged against everything already written, including earlier batches.
    resolve_conflicts(batch, {e: f for e, f in existing.items()
                              if f not in {o.source_file for o in batch}}, prefer)
    flush(dataset, batch)
    for o in batch:
        summary.read += 1
        if o.ok:
            summary.records += o.source["records"]
            existing[o.source["edition"]] = o.source_file
            changed_orgs.add(o.source["organisation"])
        else:
            summary.failed.append((o.source_file, o.error or "failed"))
