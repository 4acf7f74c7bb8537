"""Raw tables into records of the contract: one path shared by every reader.

`normalise_document` is the stage's orchestrator: choose a profile, walk the grid tables into
entries (headers, continuations, band headings, legends), read flow text where there is no
grid, and turn each entry into a Record.
"""

from __future__ import annotations

import re

from extract.types import ExtractedDocument
from normalise.record import TEXT_FIELDS, NormalisedEdition, Record
from riskreg.errors import NoRegisterFound


def normalise_document(doc: ExtractedDocument, profile: str | None = None) -> NormalisedEdition:
    """All of a document's tables into its edition's records."""
    from normalise.fields import entry_to_record
    from normalise.profiles import choose_profile, load_profile
    from normalise.rows import tables_to_entries

    grid = [t for t in doc.tables if t.layout == "grid"]
    flow = [t for t in doc.tables if t.layout == "flow"]
    prof = load_profile(profile) if profile else choose_profile(_header_texts(doc))
    vocabulary = document_vocabulary(doc)
    records: list[Record] = []
    warnings: list[str] = list(doc.warnings)
    header_report: list[dict] = []
    if grid:
        walk = tables_to_entries(grid, prof)
        header_report = walk.header_reports
        warnings.extend(walk.warnings)
        counters: dict[str, int] = {}
        built: dict[int, Record] = {}  # entry -> the record it went into
        for entry in walk.entries:
            kind = entry.header.kind or "risk"
            if entry.continues is not None:  # the rest of a row the page before left open
                head = built[id(entry.continues)]
                join_record(head, entry_to_record(entry, prof, position=0, vocabulary=vocabulary))
                built[id(entry)] = head
                continue
            counters[kind] = counters.get(kind, 0) + 1
            built[id(entry)] = rec = entry_to_record(entry, prof, position=counters[kind],
                                                     vocabulary=vocabulary)
            records.append(rec)
    beside = [t for t in flow if t.report.get("beside_tables")]
    if beside and records:  # the same text's lines, beside its tables: they fill the gaps
        settle_refs(records)  # the tables' references settled as the lines' are ("C02": CO2)
        records = _fill_from_lines(records, beside, prof, warnings)
    elif flow and not records:
        from normalise.flow import flow_to_records

        for table in flow:
            found, flow_warnings = flow_to_records(table, prof)
            records.extend(found)
            warnings.extend(flow_warnings)
    settle_refs(records)
    records = merge_duplicate_refs(records, warnings)
    if not records:
        raise NoRegisterFound(_nothing_found_reason(doc, header_report), path=doc.path,
                              hint="if this is a register, describe its headers in a profile "
                                   "(--profile) or check `riskreg inspect`")
    return NormalisedEdition(
        records=records,
        period_text=_period_text(doc),
        header_report=header_report,
        warnings=warnings,
        register_pages=sorted({p for r in records for p in _pages(r)}),
    )


def _fill_from_lines(records: list[Record], flow: list, prof, warnings: list[str]) -> list[Record]:
    """Records of a text's tables, with what its lines (flow tables of the same text) add:
    entries the table reader missed, read from the lines. Where entries of a kind carry
    references, a row of that kind without a readable one is a fragment of a row the finder
    split (or a row it joined to the next column), left out; a kind printed without references
    keeps its scored rows. When no row's reference can be read while the lines' can, the lines
    are read instead."""
    from normalise.flow import flow_to_records
    from normalise.refs import looks_like_ref

    def readable(r: Record) -> bool:
        return bool(r.ref_raw) and looks_like_ref(r.ref_raw)

    have = {(r.kind, r.ref) for r in records if readable(r)}
    found: list[Record] = []
    for table in flow:
        found.extend(flow_to_records(table, prof, skip=have)[0])
    if not have:
        if found:
            warnings.append("no table row has a readable reference while the text's lines do: "
                            f"{len(found)} entries read from the lines instead")
        return found or records
    referenced = {kind for kind, _ in have} | {r.kind for r in found}
    kept = [r for r in records if readable(r) or (
        r.kind not in referenced and (r.residual_score is not None or r.inherent_score is not None)
    )]
    if len(kept) < len(records):
        warnings.append(f"{len(records) - len(kept)} table row(s) without a readable reference "
                        "left out; the text's lines were read for the entries")
    if found:
        warnings.append(f"{len(found)} entr{'y' if len(found) == 1 else 'ies'} the table "
                        f"reader missed read from the text's lines ({', '.join(r.ref for r in found)}"
                        "); their fields may be misplaced")
    return kept + found


def _pages(rec: Record) -> range:
    if rec.page_start is None:
        return range(0)
    return range(rec.page_start, (rec.page_end or rec.page_start) + 1)


def _header_texts(doc: ExtractedDocument) -> list[str]:
    texts = []
    for t in doc.tables[:3]:
        for row in t.rows[:4]:
            texts.extend(c.text for c in row if c.text)
    return texts


def _period_text(doc: ExtractedDocument) -> str:
    parts = [doc.title]
    parts += [p.text_head for p in doc.pages[:3]]
    parts += [p.text_foot for p in doc.pages[:3]]
    return "\n".join(p for p in parts if p)


def document_vocabulary(doc: ExtractedDocument) -> set[str]:
    """Words the document prints whole: evidence for re-joining words broken by a column."""
    from normalise.cells import document_vocabulary as words_of

    return words_of(c.text for t in doc.tables for row in t.rows for c in row)


def settle_refs(records: list[Record]) -> None:
    """Normalise references with the document's own prefixes, which settle OCR slips
    ("CRO1" is CR01 where the document uses CR; "CO1" stays where it uses CO)."""
    from normalise.refs import looks_like_ref, normalise_ref, ref_prefixes, repair_ref_readings

    prefixes = ref_prefixes(r.ref_raw for r in records if r.ref_raw and looks_like_ref(r.ref_raw))
    damaged = []
    for i, rec in enumerate(records):
        if not rec.ref_raw:
            continue
        ref = normalise_ref(rec.ref_raw, prefixes) if looks_like_ref(rec.ref_raw) else None
        letters = re.match(r"[A-Z]*", ref or "").group(0)
        if prefixes and (ref is None or (letters and letters not in prefixes)):
            damaged.append(i)
        rec.ref = ref or rec.ref
    for i in damaged:
        rec = records[i]
        readings = repair_ref_readings(rec.ref_raw, prefixes)
        if readings:
            chosen = _reading_in_order(readings, records, i)
            note = f"reference read as {rec.ref_raw!r}, taken as {chosen}"
            if note not in rec.warnings:  # settled once more after the lines filled gaps
                rec.warnings.append(note)
            rec.ref = chosen


def _reading_in_order(readings: list[str], records: list[Record], i: int) -> str:
    """Of a damaged reference's readings, the first that is unused and falls between the
    numbers of its neighbours of the same kind and prefix (registers list them in order)."""
    def number(ref: str) -> tuple[str, int] | None:
        m = re.fullmatch(r"([A-Z]+)(\d+)", ref or "")
        return (m.group(1), int(m.group(2))) if m else None

    kind = records[i].kind
    used = {r.ref for j, r in enumerate(records) if j != i and r.kind == kind}
    before = [number(r.ref) for r in records[:i] if r.kind == kind]
    after = [number(r.ref) for r in records[i + 1:] if r.kind == kind]
    for reading in readings:
        here = number(reading)
        if reading in used or here is None:
            continue
        lo = next((n for p, n in (x for x in reversed(before) if x) if p == here[0]), None)
        hi = next((n for p, n in (x for x in after if x) if p == here[0]), None)
        if (lo is None or lo < here[1]) and (hi is None or here[1] < hi):
            return reading
    return next((r for r in readings if r not in used), readings[0])


def merge_duplicate_refs(records: list[Record], warnings: list[str]) -> list[Record]:
    """Two entries with one (kind, ref) are one entry split by a reader: join them."""
    seen: dict[tuple[str, str], Record] = {}
    out = []
    for rec in records:
        key = (rec.kind, rec.ref)
        first = seen.get(key)
        if first is None:
            seen[key] = rec
            out.append(rec)
            continue
        warnings.append(f"{rec.kind} {rec.ref} appeared twice; the second part was joined to the first")
        join_record(first, rec)
        first.warnings.append("joined from two parts with the same reference")
    return out


def join_record(first: Record, rest: Record) -> None:
    """Join the second part of one entry to its first: texts appended as further lines, numbers
    and extra columns the first lacks taken, pages spanned."""
    for name in TEXT_FIELDS:
        a, b = getattr(first, name), getattr(rest, name)
        if b and b != a:
            setattr(first, name, f"{a}\n{b}" if a else b)
    for name in ("inherent_score", "inherent_impact", "inherent_likelihood", "residual_score",
                 "residual_impact", "residual_likelihood", "target_score", "direction"):
        if getattr(first, name) is None:
            setattr(first, name, getattr(rest, name))
    for k, v in rest.extra.items():
        first.extra.setdefault(k, v)
    pages = [p for p in (first.page_start, first.page_end, rest.page_start, rest.page_end) if p]
    if pages:
        first.page_start, first.page_end = min(pages), max(pages)


def _nothing_found_reason(doc: ExtractedDocument, header_report: list[dict]) -> str:
    if not doc.tables:
        return "no table found (is this a narrative report rather than a register?)"
    if not header_report:
        seen = "; ".join(_header_texts(doc)[:8])[:160].replace("\n", " ")
        return f"no register header recognised among {len(doc.tables)} table(s); first cells seen: {seen!r}"
    return "a register header was found but no entries under it"
