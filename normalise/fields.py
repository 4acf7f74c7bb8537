"""One entry's gathered cells into a Record: texts repaired, scores parsed, direction read."""

from __future__ import annotations

from collections.abc import Callable

from extract.types import Cell
from normalise.cells import clean_cell, clean_inline, repair_controls
from normalise.direction import parse_direction, strip_arrow_debris
from normalise.headers import ColumnMap
from normalise.profiles import Profile
from normalise.record import Record
from normalise.refs import normalise_ref
from normalise.rows import Entry
from normalise.scores import Score, parse_score, parse_triplet

# Fields whose cells hold lists of items (bullets, paragraphs); the others are one line of text.
ITEM_FIELDS = {"cause", "consequences", "controls", "actions", "progress"}
INLINE_FIELDS = {"title", "category", "owner", "direction_text"}

Vocabulary = Callable[[str], bool] | set | None


def entry_to_record(entry: Entry, profile: Profile, *, position: int,
                    vocabulary: Vocabulary = None) -> Record:
    """Build the Record for one entry (position numbers entries that have no reference)."""
    header = entry.header
    kind = header.kind or "risk"
    rec = Record(kind=kind, ref="", method=entry.method)
    stage_parts: dict[str, dict[str, str]] = {}
    stage_columns: dict[str, dict[str, ColumnMap]] = {}
    for col, cells in zip(header.columns, entry.columns, strict=True):
        raw = _join_fragments(cells)
        if col.field == "score":
            stage_parts.setdefault(col.stage or "residual", {})[col.part or "score"] = raw
            stage_columns.setdefault(col.stage or "residual", {})[col.part or "score"] = col
        elif col.field == "ref":
            rec.ref_raw = clean_inline(raw) or None
        elif col.field in ITEM_FIELDS:
            _set_text(rec, col, _clean_items(raw, cells, vocabulary))
        elif col.field in INLINE_FIELDS:
            _set_text(rec, col, clean_inline(raw, vocabulary=vocabulary) if raw else None)
        elif raw.strip():
            rec.extra[_extra_key(col, rec.extra)] = raw.strip()
    for stage, parts in stage_parts.items():
        _set_score(rec, stage, parts, profile, stage_columns[stage])
    rec.ref = normalise_ref(rec.ref_raw) if rec.ref_raw else str(position)
    if not rec.ref_raw:
        rec.warnings.append("no reference column: numbered by position")
    if rec.direction_text:
        if entry.method == "ocr":
            rec.direction_text = strip_arrow_debris(rec.direction_text)
        rec.direction = parse_direction(rec.direction_text)
    rec.page_start = min(entry.pages) if entry.pages else None
    rec.page_end = max(entry.pages) if entry.pages else None
    rec.confidence = _confidence(entry, rec)
    return rec


def _join_fragments(cells: list[Cell]) -> str:
    """Fragments of one column across rows and pages, in order, as lines of one cell."""
    return "\n".join(repair_controls(c.text) for c in cells if c.text.strip())


def _clean_items(raw: str, cells: list[Cell], vocabulary: Vocabulary) -> str | None:
    if not raw.strip():
        return None
    return clean_cell(raw, vocabulary=vocabulary) or None


def _set_text(rec: Record, col: ColumnMap, value: str | None) -> None:
    if not value:
        return
    current = getattr(rec, col.field)
    if current:  # a second column mapped to the same field: keep both, nothing dropped
        rec.extra[_extra_key(col, rec.extra)] = value
    else:
        setattr(rec, col.field, value)


def _extra_key(col: ColumnMap, extra: dict) -> str:
    # a two-level header "Target / Impact" is keyed as printed, group then sub-header
    key = " ".join(col.header.replace(" / ", " ").split()) or f"column {col.index + 1}"
    n = 2
    base = key
    while key in extra:
        key = f"{base} ({n})"
        n += 1
    return key


def _set_score(rec: Record, stage: str, parts: dict[str, str], profile: Profile,
               columns: dict[str, ColumnMap]) -> None:
    """Fill <stage>_score/_impact/_likelihood from a score cell or a triplet of columns.

    A rating word (RAG, High/Low) fills no number: it goes to `extra` under the header of the
    column that printed it, as any column the contract has no field for."""
    scale = profile.scale
    printed_in = columns.get("score") or columns.get("rating")
    order = (printed_in.order if printed_in else None) or profile.score_order
    if "impact" in parts or "likelihood" in parts:
        score = parse_triplet(parts.get("impact", ""), parts.get("likelihood", ""),
                              parts.get("score", ""), scale)
    else:
        text = parts.get("score", "") or parts.get("rating", "")
        score = parse_score(text, scale, order) if text.strip() else Score()
        if "rating" in parts and "score" in parts and parts["rating"].strip():
            rec.extra[_extra_key(columns["rating"], rec.extra)] = parts["rating"].strip()
    if stage == "target":
        rec.target_score = score.score
        for part in ("impact", "likelihood"):  # no contract field: kept in extra
            if part in columns and parts.get(part, "").strip():
                rec.extra[_extra_key(columns[part], rec.extra)] = parts[part].strip()
    else:
        setattr(rec, f"{stage}_score", score.score)
        setattr(rec, f"{stage}_impact", score.impact)
        setattr(rec, f"{stage}_likelihood", score.likelihood)
    if score.label:
        rec.extra.setdefault(f"{stage} label", score.label)
    if score.rating and printed_in is not None:
        rating_key = " ".join(printed_in.header.split()) or f"{stage} rating"
        rec.extra.setdefault(rating_key, score.rating)
    if score.note:
        rec.extra.setdefault(f"{stage} note", score.note)
        rec.warnings.append(f"{stage} score: {score.note}")


def _confidence(entry: Entry, rec: Record) -> float:
    """OCR word confidence where there is one; lowered when key parts are missing."""
    confs = [c.confidence for col in entry.columns for c in col if c.confidence is not None]
    base = sum(confs) / len(confs) if confs else 1.0
    if not rec.title:
        base *= 0.7
    if rec.residual_score is None and rec.inherent_score is None:
        base *= 0.9
    return round(base, 3)
