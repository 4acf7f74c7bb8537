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
TEXT_ORDER = ("title", "category", "consequences", "controls", "actions", "owner",
              "direction_text")
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


def _across(entry: dict, rng: random.Random) -> list[str]:
    flat = {f: [line for p in column_paragraphs(entry, f) for line in p] for f in TEXT_ORDER}
    short = max(len(flat[f]) for f in ("title", "category", "owner", "direction_text"))
    block = max(3, short + rng.randint(0, 3))
    rows = []
    for i in range(block):
        parts = [entry["ref"]] if i == 0 else []
        for field in TEXT_ORDER:
            if field == "actions" and i == 0:
                parts.append(str(entry["inherent_score"]))
            if field == "owner":
                residual = [str(entry["residual_score"])] if i == 0 else []
                residual += [label(entry)[i - 1]] if i in (1, 2) else []
                parts += residual
            if i < len(flat[field]):
                parts.append(flat[field][i])
                if rng.random() < 0.15:
                    parts.append("|")  # a column rule read as a bar
        rows.append(" ".join(parts))
    rows.append("")
    for field in TEXT_ORDER:
        rest = flat[field][block:]
        if rest:
            rows += rest + [""]
    return rows


def render_flow_text(seed: int, n: int = 10, *, across_share: float = 0.5) -> tuple[str, list[dict]]:
    """(text, entries): a register of n invented risks as OCR flow text, rows read column by
    column or across at random. At least two rows are read column by column (a reader learns
    the columns from them) and at least two across."""
    entries = invent_entries(seed, n, kind="risk", ref_style="CR{n}", scale=5)
    rng = random.Random(f"flow:{seed}")
    modes = ["columns", "columns", "across", "across"] + [
        "across" if rng.random() < across_share else "columns" for _ in range(n - 4)
    ]
    rng.shuffle(modes)
    lines = [f"Corporate Risk Register Quarter {seed % 4 + 1}", "", *HEADER, ""]
    for entry, mode in zip(entries, modes, strict=True):
        entry["read"] = mode
        lines += _column_by_column(entry) if mode == "columns" else _across(entry, rng)
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
