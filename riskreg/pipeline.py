"""The orchestrator: one input file through extract -> normalise into rows of the contract.

`ingest_one` is pure with respect to the dataset (it reads a file and returns rows), so it can
run in a worker process or on a Dask worker; `write_outcome` is the single writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from extract import file_sha256
from riskreg import version
from riskreg.dataset import Dataset
from riskreg.errors import RegisterError, ResourceLimit, ValidationError
from riskreg.schema import RECORDS, SOURCES, to_arrow, validate

DEFAULT_RAW = Path("data/raw")
DEFAULT_OUT = Path("data/clean")
# Files in the raw folder that are the analyst's, not registers to read:
OVERRIDES_NAME = "link-overrides.csv"  # reviewed links (force/forbid), read by `link`
CORRECTIONS_NAME = "corrections.csv"  # corrections, applied after every write
CONTROL_FILES = frozenset({OVERRIDES_NAME, CORRECTIONS_NAME})


@dataclass(frozen=True)
class IngestRequest:
    """What to read and what is known about it beforehand."""

    path: str
    organisation: str | None = None
    period: str | None = None
    raw_root: str | None = None
    profile: str | None = None
    password: str | None = None
    max_pages: int | None = None
    cache_dir: str | None = None
    time_limit: float | None = None  # seconds; enforced where the reader runs in a main thread


@dataclass
class IngestOutcome:
    """The rows one input produced (records and its sources row), or why it failed."""

    source_file: str
    source: dict
    records: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.source["status"] == "ok"

    @property
    def error(self) -> str | None:
        return self.source.get("error")


def slugify(text: str) -> str:
    """'Lancashire County Council' -> 'lancashire-county-council'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unknown"


def source_name(path: str, raw_root: str | None) -> str:
    """The input's path relative to RAW when it came from there, else as given."""
    p = Path(path)
    if raw_root:
        try:
            return p.resolve().relative_to(Path(raw_root).resolve()).as_posix()
        except ValueError:
            pass
    return os.path.normpath(path)


def organisation_from_folder(path: str, raw_root: str | None) -> str | None:
    """data/raw/<organisation>/... -> the organisation's name (a slug folder is title-cased)."""
    if not raw_root:
        return None
    try:
        rel = Path(path).resolve().relative_to(Path(raw_root).resolve())
    except ValueError:
        return None
    if len(rel.parts) < 2:
        return None
    folder = rel.parts[0]
    if re.fullmatch(r"[a-z0-9-]+", folder):
        small = {"and", "of", "the", "for", "nhs"}
        words = [w.upper() if w == "nhs" else (w if w in small else w.capitalize())
                 for w in folder.split("-")]
        return " ".join(words)
    return folder


def ingest_one(req: IngestRequest) -> IngestOutcome:
    """Read one input into contract rows. Never raises for a bad input: a failed outcome says why."""
    from normalise.profiles import ProfileError

    started = time.perf_counter()
    name = source_name(req.path, req.raw_root)
    source = _new_source_row(name, req.organisation, req.path)
    outcome = IngestOutcome(source_file=name, source=source)
    try:
        _read_into(outcome, req)
    except RegisterError as exc:
        if exc.path is None:
            exc.path = req.path
        source["error"] = exc.one_line()
    except ProfileError as exc:  # the analyst's profile, not the file: say so
        source["error"] = f"{req.path}: layout profile: {exc} (fix the profile or leave out --profile)"
    except ValidationError as exc:
        source["error"] = f"{req.path}: {exc} (nothing written; please report this file)"
    except MemoryError:
        source["error"] = f"{req.path}: ran out of memory (try --max-pages or fewer workers)"
    except Exception as exc:  # a bug or an input no reader foresaw: report it, keep the batch going
        source["error"] = (f"{req.path}: unexpected {type(exc).__name__}: {exc} "
                           "(please report this file)")
    if source["source_sha256"] is None and os.path.isfile(req.path):
        with contextlib.suppress(OSError):  # unreadable: the error above already says so
            source["source_sha256"] = file_sha256(req.path)
    source["seconds"] = round(time.perf_counter() - started, 3)
    return outcome


def _new_source_row(name: str, organisation: str | None, path: str) -> dict:
    """The sources row of an input not yet read: failed until reading succeeds."""
    return {
        "source_file": name,
        "source_sha256": None,
        "organisation": organisation,
        "period": None,
        "edition": None,
        "status": "failed",
        "error": None,
        "pages": None,
        "records": 0,
        "method": None,
        "seconds": None,
        "pipeline_version": version.PIPELINE_VERSION,
        "register_pages": None,
        "ingested_at": dt.datetime.now(dt.UTC).replace(microsecond=0),
        **_stat_of(path),
    }


def _stat_of(path: str) -> dict:
    """Size and modification time, so an unchanged input is known without hashing it."""
    try:
        st = os.stat(path)
    except OSError:
        return {"source_size": None, "source_mtime_ns": None}
    return {"source_size": st.st_size, "source_mtime_ns": st.st_mtime_ns}


def _read_into(outcome: IngestOutcome, req: IngestRequest) -> None:
    """Extract and normalise the input, and fill the outcome's records and sources row."""
    from extract import read_document
    from normalise import normalise_document
    from normalise.organisation import find_organisation

    source = outcome.source
    with time_limit(req.time_limit, req.path):
        doc = read_document(req.path, password=req.password, max_pages=req.max_pages,
                            cache_dir=req.cache_dir)
    source["source_sha256"] = doc.sha256
    source["pages"] = doc.page_count
    edition = normalise_document(doc, profile=req.profile)
    organisation = (req.organisation or organisation_from_folder(req.path, req.raw_root)
                    or find_organisation(doc.title) or "Unknown organisation")
    period = _edition_period(req, edition.period_text, doc.title)
    edition_id = f"{slugify(organisation)}/{period.label}"
    source.update(organisation=organisation, period=period.label, edition=edition_id)
    rows = []
    for rec in edition.records:
        row = rec.as_row()
        row.update(
            organisation=organisation, period=period.label, period_start=period.start,
            edition=edition_id, source_file=outcome.source_file, source_sha256=doc.sha256,
            risk_uid=None,
        )
        rows.append(row)
    validate(RECORDS, to_arrow(RECORDS, rows))
    outcome.records = rows
    outcome.warnings = list(doc.warnings) + list(edition.warnings)
    methods = Counter(r["method"] for r in rows)
    source.update(
        status="ok",
        records=len(rows),
        method=methods.most_common(1)[0][0] if methods else None,
        register_pages=_page_ranges(edition.register_pages),
    )


def _edition_period(req: IngestRequest, period_text: str | None, title: str):
    """--period, else the document's title or footer, else the file name; RegisterError if none."""
    from normalise.periods import find_period, period_from_text

    if req.period:
        try:
            return period_from_text(req.period)
        except ValueError as exc:  # the analyst's --period, not the file, is at fault
            raise RegisterError(f"--period: {exc}", path=req.path,
                                hint="pass --period like 'Q3 2019/20'") from None
    period = (find_period(period_text or "") or find_period(title)
              or find_period(Path(req.path).stem.replace("_", " ")))
    if period is None:
        raise RegisterError("no period found in the title, footer or file name",
                            path=req.path, hint="pass --period, e.g. --period 'Q3 2019/20'")
    return period


@contextlib.contextmanager
def time_limit(seconds: float | None, path: str):
    """Stop reading one file after `seconds` (SIGALRM: only in a process's main thread, as in
    the CLI and the build's worker processes; Dask worker threads rely on Dask's own limits)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(_signum, _frame):
        raise ResourceLimit(f"reading took longer than the time limit of {seconds:g}s", path=path,
                            hint="raise --time-limit, or pass only the register's pages")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _page_ranges(pages: list[int]) -> str | None:
    """[37, 38, 39, 52] -> '37-39,52'."""
    if not pages:
        return None
    pages = sorted(set(pages))
    parts, start, prev = [], pages[0], pages[0]
    for p in pages[1:] + [None]:
        if p is not None and p == prev + 1:
            prev = p
            continue
        parts.append(f"{start}-{prev}" if prev != start else f"{start}")
        if p is not None:
            start = prev = p
    return ",".join(parts)


def outcome_tables(outcome: IngestOutcome) -> tuple[pa.Table, pa.Table]:
    """The outcome as Arrow tables of the records and sources schemas."""
    return to_arrow(RECORDS, outcome.records), to_arrow(SOURCES, [outcome.source])


def write_outcome(dataset: Dataset, outcome: IngestOutcome) -> None:
    """Write one outcome: an ok input replaces its edition; a failed one only updates sources."""
    dataset.replace_editions(*outcome_tables(outcome))
