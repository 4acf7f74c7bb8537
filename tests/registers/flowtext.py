"""Invented registers rendered as OCR "flow" text: what an OCR service gives for a scanned
landscape register when it loses the cell boundaries.

Each column's text is wrapped at the column's width in points (reportlab's Helvetica metrics,
not the reader's own width estimate), then every entry is printed one of two ways, as OCR does:

- column by column: each column's wrapped lines in turn, a blank line between columns, the
  scores on lines of their own and the residual label under its score;
- across the row: a block of lines each holding every column's next line side by side (left to
  right, scores and label between the columns they separate, sometimes "|" rule debris), then
  the rest of the long columns as paragraphs below, in column order.

The truth is the invented entry itself, so a reader's output can be scored field by field.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from reportlab.pdfbase.pdfmetrics import stringWidth

from tests.registers.invent import invent_entries
from tests.registers.render import rating_lines

FONT, SIZE = "Helvetica", 8
# column widths in points, as on a landscape A4 page set in 8 pt
WIDTHS = {
    "title": 78,
    "category": 62,
    "consequences": 88,
    "controls": 165,
    "actions": 230,
    "owner": 48,
    "direction_text": 88,
}
TEXT_ORDER = ("title", "category", "consequences", "controls", "actions", "owner", "direction_text")
LIST_FIELDS = ("consequences", "controls", "actions")
HEADER = [
    "Risk Ref Risk Description Risk Type Consequences Current Controls Inherent Mitigating "
    "Actions Residual Risk Owner Direction of Travel",
    "Score Score",
]


def wrap(text: str, width: float) -> list[str]:
    """Greedy word wrap at `width` points; a word wider than the column is broken."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, FONT, SIZE) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        while stringWidth(word, FONT, SIZE) > width:  # a long word broken without a hyphen
            cut = len(word) - 1
            while cut > 1 and stringWidth(word[:cut], FONT, SIZE) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def column_paragraphs(entry: dict, field: str) -> list[list[str]]:
    """The column's text wrapped, one paragraph per item (bulleted when there are several)."""
    value = entry.get(field)
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    bullet = len(items) > 1
    out = []
    for item in items:
        lines = wrap(item, WIDTHS[field] - (8 if bullet else 0))
        if bullet:
            lines[0] = "o " + lines[0]
        out.append(lines)
    return out


def label(entry: dict) -> list[str]:
    """The residual label as OCR prints it under its score: "Major/", "likely"."""
    impact, likelihood = rating_lines(entry, "residual", "number_label")[1].split("/")
    return [f"{impact}/", likelihood.lower()]


def _column_by_column(entry: dict) -> list[str]:
    out = [entry["ref"], ""]
    for field in TEXT_ORDER:
        if field == "actions":
            out += [str(entry["inherent_score"]), ""]
        if field == "owner":
            out += [str(entry["residual_score"]), *label(entry), ""]
        for paragraph in column_paragraphs(entry, field):
            out += paragraph + [""]
    return out


def _across(entry: dict, rng: random.Random, *, sub: dict | None = None) -> list[str]:
    """A row read across; with `sub`, a sub-row (a second title and items under the same
    reference, no scores) printed across below the row's full height, then the tails."""
    flat = {f: [line for p in column_paragraphs(entry, f) for line in p] for f in TEXT_ORDER}
    short = max(len(flat[f]) for f in ("title", "category", "owner", "direction_text"))
    block = max(3, short + rng.randint(0, 3))
    if sub:  # the sub-row starts below the tallest cell of the row
        block = max(block, *(len(lines) for lines in flat.values()))
    rows = _across_lines(entry, flat, block, rng, scores=True)
    if sub:
        sub_flat = {
            f: [line for p in column_paragraphs(sub, f) for line in p] if f in SUB_FIELDS else []
            for f in TEXT_ORDER
        }
        sub_block = max(3, max(len(sub_flat[f]) for f in ("title", "category")) + rng.randint(0, 3))
        rows += _across_lines(sub, sub_flat, sub_block, rng, scores=False)
        flat, block = sub_flat, sub_block
    rows.append("")
    for field in TEXT_ORDER:
        rest = flat[field][block:]
        if rest:
            rows += rest + [""]
    return rows


def _across_lines(entry, flat, block, rng, *, scores: bool) -> list[str]:
    rows = []
    for i in range(block):
        parts = [entry["ref"]] if i == 0 and scores else []
        for field in TEXT_ORDER:
            if field == "actions" and i == 0 and scores:
                parts.append(str(entry["inherent_score"]))
            if field == "owner" and scores:
                residual = [str(entry["residual_score"])] if i == 0 else []
                residual += [label(entry)[i - 1]] if i in (1, 2) else []
                parts += residual
            if i < len(flat[field]):
                parts.append(flat[field][i])
                if rng.random() < 0.15:
                    parts.append("|")  # a column rule read as a bar
        rows.append(" ".join(parts))
    return rows


SUB_FIELDS = ("title", "category", "consequences", "controls", "actions")


def _merge_sub(entry: dict, sub: dict) -> None:
    """The entry's truth once its sub-row is read into it: titles and categories as extra
    lines, the sub-row's items after the row's."""
    for field in SUB_FIELDS:
        if field in LIST_FIELDS:
            entry[field] = list(entry.get(field) or []) + list(sub.get(field) or [])
        else:
            entry[field] = f"{entry[field]}\n{sub[field]}"


# the header as OCR reads it at the top of a later page: down, a column's name a paragraph
HEADER_DOWN = [
    "Risk", "Ref", "", "Risk Description", "", "Risk Type", "", "Consequences", "",
    "Current Controls", "", "Inherent", "Score", "", "Mitigating Actions", "", "Residual",
    "Score", "", "Risk Owner", "", "Direction of", "Travel",
]


def _page_break(rows: list[str], rng: random.Random) -> list[str]:
    """The row's lines with a page break between two of its paragraphs in its second half
    (after the lines read across): blank lines, the header read down, and the rest."""
    gaps = [k for k in range(len(rows) // 2, len(rows) - 1) if not rows[k] and rows[k + 1]]
    if not gaps:
        return rows
    at = rng.choice(gaps)
    return rows[:at] + ["", "", "", *HEADER_DOWN, ""] + rows[at:]


def render_flow_text(
    seed: int, n: int = 10, *, across_share: float = 0.5, sub_rows: float = 0.0,
    page_breaks: float = 0.0,
) -> tuple[str, list[dict]]:
    """(text, entries): a register of n invented risks as OCR flow text, rows read column by
    column or across at random. At least two rows are read column by column (a reader learns
    the columns from them) and at least two across. A `sub_rows` share of the rows read across
    carry a sub-row (a second title with its own category and items under the same reference,
    as in registers that list work streams under one risk); their truth includes it. A
    `page_breaks` share of the rows go on past a page break, under the header read down
    (`HEADER_DOWN`); their truth is unchanged."""
    entries = invent_entries(seed, n, kind="risk", ref_style="CR{n}", scale=5)
    subs = invent_entries(seed + 1000, n, kind="risk", ref_style="CR{n}", scale=5)
    rng = random.Random(f"flow:{seed}")
    modes = ["columns", "columns", "across", "across"] + [
        "across" if rng.random() < across_share else "columns" for _ in range(n - 4)
    ]
    rng.shuffle(modes)
    lines = [f"Corporate Risk Register Quarter {seed % 4 + 1}", "", *HEADER, ""]
    for entry, sub, mode in zip(entries, subs, modes, strict=True):
        entry["read"] = mode
        if mode == "columns":
            rows = _column_by_column(entry)
        elif sub_rows and rng.random() < sub_rows:
            rows = _across(entry, rng, sub=sub)
            _merge_sub(entry, sub)
            entry["sub_row"] = True
        else:
            rows = _across(entry, rng)
        if page_breaks and rng.random() < page_breaks:
            broken = _page_break(rows, rng)
            entry["page_break"] = broken is not rows
            rows = broken
        lines += rows
        lines.append("")
    return "\n".join(lines) + "\n", entries


def words(value) -> list[str]:
    """A field's words as the eval counts them (lower case, punctuation and the rendered "o"
    bullet dropped)."""
    text = " ".join(value) if isinstance(value, list) else (value or "")
    text = re.sub(r"(^|\s)o(?=\s)", " ", text)
    return re.findall(r"[a-z0-9£%']+", text.lower().replace("\u2019", "'"))


def word_f1(gold, got) -> float:
    """The eval's measure of a text field: bag-of-words F1 (right at >= 0.9)."""
    g, o = Counter(words(gold)), Counter(words(got))
    if not g and not o:
        return 1.0
    common = sum((g & o).values())
    if not common:
        return 0.0
    precision, recall = common / sum(o.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)
