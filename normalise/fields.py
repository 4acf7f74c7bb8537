"""One entry's gathered cells into a Record: texts repaired, scores parsed, direction read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from extract.types import Cell
from normalise.cells import clean_cell, clean_inline, repair_controls, section_lines
from normalise.direction import parse_direction, strip_arrow_debris
from normalise.fills import fills_as_text
from normalise.headers import ColumnMap
from normalise.profiles import Profile
from normalise.record import Record
from normalise.refs import normalise_ref
from normalise.rows import Entry, Extent
from normalise.scores import Score, parse_score, parse_triplet

# Fields whose cells hold lists of items (bullets, paragraphs); the others are one line of text.
ITEM_FIELDS = {"cause", "consequences", "controls", "actions", "progress"}
INLINE_FIELDS = {"title", "category", "owner", "direction_text"}

Vocabulary = Callable[[str], bool] | set | None
Line = tuple[str, float | None]  # one line of a cell and its width, 0-1 of its column's text area


def entry_to_record(entry: Entry, profile: Profile, *, position: int,
                    vocabulary: Vocabulary = None) -> Record:
    """Build the Record for one entry (position numbers entries that have no reference)."""
    header = entry.header
    kind = header.kind or "risk"
    rec = Record(kind=kind, ref="", method=entry.method)
    stage_parts: dict[str, dict[str, str]] = {}
    stage_columns: dict[str, dict[str, ColumnMap]] = {}
    own_fields = {c.field for c in header.columns if c.field}
    ocr = read_by_ocr(entry)
    extents = entry.extents or [[] for _ in entry.columns]
    for col, cells, col_extents in zip(header.columns, entry.columns, extents, strict=True):
        raw = _join_fragments(cells)
        if not raw.strip() and col.field in ("score", None):
            # a rating shown only as the cell's colour: its colour's name stands for the word
            raw = fills_as_text((c.fill for c in cells), profile.fill_names)
        if col.field == "score":
            stage_parts.setdefault(col.stage or "residual", {})[col.part or "score"] = raw
            stage_columns.setdefault(col.stage or "residual", {})[col.part or "score"] = col
        elif col.field == "ref":
            rec.ref_raw = clean_inline(raw) or None
        elif col.field in ITEM_FIELDS or col.field in INLINE_FIELDS:
            lines = column_lines(cells, col_extents)
            for name, part in labelled_sections(col, lines, profile, own_fields):
                _set_text(rec, replace(col, field=name),
                          _clean_text(name, part, vocabulary, ocr=ocr))
        elif raw.strip():
            rec.extra[_extra_key(col, rec.extra)] = raw.strip()
    for stage, parts in stage_parts.items():
        _set_score(rec, stage, parts, profile, stage_columns[stage])
    rec.ref = normalise_ref(rec.ref_raw) if rec.ref_raw else str(position)
    if not rec.ref_raw:
        rec.warnings.append("no reference column: numbered by position")
    if rec.direction_text:
        if ocr:  # an arrow printed as a picture reads as stray marks
            rec.direction_text = strip_arrow_debris(rec.direction_text)
        rec.direction = parse_direction(rec.direction_text)
    rec.page_start = min(entry.pages) if entry.pages else None
    rec.page_end = max(entry.pages) if entry.pages else None
    rec.confidence = _confidence(entry, rec)
    return rec


def _join_fragments(cells: list[Cell]) -> str:
    """Fragments of one column across rows and pages, in order, as lines of one cell."""
    return "\n".join(repair_controls(c.text) for c in cells if c.text.strip())


def column_lines(cells: list[Cell], extents: list[Extent | None]) -> list[Line]:
    """A column's fragments across rows and pages as lines, each with its width as a share of
    its own column's text area (None where the reader gave no line edges)."""
    lines: list[Line] = []
    for i, cell in enumerate(cells):
        if not cell.text.strip():  # a cell kept for its fill alone
            continue
        texts = repair_controls(cell.text).split("\n")
        extent = extents[i] if i < len(extents) else None
        x1s = cell.lines_x1 if cell.lines_x1 and len(cell.lines_x1) == len(texts) else None
        for k, text in enumerate(texts):
            lines.append((text, _share(x1s[k], extent) if x1s and extent else None))
    while lines and not lines[0][0].strip():
        lines.pop(0)
    while lines and not lines[-1][0].strip():
        lines.pop()
    return lines


def _share(x1: float, extent: Extent) -> float | None:
    left, right = extent
    return (x1 - left) / (right - left) if right > left else None


def labelled_sections(col: ColumnMap, lines: list[Line], profile: Profile,
                      own_fields: set[str]) -> list[tuple[str, list[Line]]]:
    """A text column's lines by field: labelled sections ("Risk:- ...", "Effects:- ...") go to
    their fields (profile `sections`), unless a field has a column of its own; the rest stays
    in the column's field. Split only where the header names two section fields ("Risk and
    effects") or a cell's labels name two."""
    allowed = {name: labels for name, labels in profile.sections.items()
               if name == col.field or name not in own_fields}
    found = section_lines([t for t, _ in lines], allowed,
                          combined=len(_fields_named(col.header, profile.sections)) >= 2)
    by_field: dict[str, list[Line]] = {}
    for name, part in found:
        by_field.setdefault(name or col.field, []).extend((t, lines[i][1]) for i, t in part)
    return list(by_field.items())


def _fields_named(header: str, sections: dict[str, tuple[str, ...]]) -> set[str]:
    words = " ".join(re.findall(r"[a-z]+", header.lower()))
    return {name for name, labels in sections.items()
            if any(re.search(rf"\b{re.escape(label)}\b", words) for label in labels)}


def read_by_ocr(entry: Entry) -> bool:
    """An entry read from a scan: its table was OCR'd, or its cells carry OCR confidences."""
    return entry.method == "ocr" or any(c.confidence is not None
                                        for col in entry.columns for c in col)


def _clean_text(name: str, lines: list[Line], vocabulary: Vocabulary, *,
                ocr: bool = False) -> str | None:
    """One field's lines cleaned: items one per line, or one line for an inline field."""
    text = "\n".join(t for t, _ in lines)
    if not text.strip():
        return None
    widths = [w for _, w in lines]
    column_width = 1.0 if any(w is not None for w in widths) else None
    clean = clean_cell if name in ITEM_FIELDS else clean_inline
    return clean(text, vocabulary=vocabulary, line_widths=widths, column_width=column_width,
                 ocr=ocr) or None


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
    column that printed it, as any column the contract has no field for; so does a rating
    shown only as the cell's colour, by its colour's name (normalise/fills.py)."""
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
        for part in ("impact", "likelihood"):  # a factor not taken is kept as printed
            if getattr(score, part) is None and part in columns and parts.get(part, "").strip():
                rec.extra[_extra_key(columns[part], rec.extra)] = parts[part].strip()
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
