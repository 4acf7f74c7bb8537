"""Draw invented register entries as a PDF in a given layout, and say what riskreg should read.

    info = render_register(entries, layout, path)   # the PDF, and info.golden (records + pages)
    golden_records(entries, layout)                 # the same records, without pages (pure)

`python -m tests.registers.render --write-goldens` rewrites tests/golden/<layout>.json for
every layout; read the diff before committing it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from tests.registers.invent import (
    IMPACT_LABELS,
    LIKELIHOOD_LABELS,
    TEXT_LIST_FIELDS,
    invent_entries,
)
from tests.registers.layouts import EXTRA_FIELDS, LAYOUTS, PAGE_SIZES, ColumnSpec, Layout, TableSpec

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
MARGIN = 24
RECORD_FIELDS = (
    "kind",
    "ref",
    "ref_raw",
    "title",
    "category",
    "cause",
    "consequences",
    "controls",
    "actions",
    "progress",
    "inherent_score",
    "inherent_impact",
    "inherent_likelihood",
    "residual_score",
    "residual_impact",
    "residual_likelihood",
    "target_score",
    "owner",
    "direction",
    "direction_text",
    "extra",
    "page_start",
    "page_end",
)
RAG_FILLS = {"Red": "#ff0000", "Amber": "#ffc000", "Green": "#00b050"}


# ---------------------------------------------------------------- what a cell holds (pure)


def rag(score: int, scale: int) -> str:
    """The RAG word a register would print for a score."""
    high, medium = (15, 8) if scale == 5 else (9, 4)
    return "Red" if score >= high else "Amber" if score >= medium else "Green"


def rating_lines(entry: dict, prefix: str, score_format: str) -> list[str]:
    """The lines printed in a one-cell rating ("inherent" or "residual")."""
    impact, likelihood = entry[f"{prefix}_impact"], entry[f"{prefix}_likelihood"]
    score, scale = entry[f"{prefix}_score"], entry["scale"]
    if score_format == "number":
        return [str(score)]
    if score_format == "number_label":
        label = f"{IMPACT_LABELS[scale][impact - 1]}/{LIKELIHOOD_LABELS[scale][likelihood - 1]}"
        return [str(score), label]
    if score_format == "lxi":
        return [f"{likelihood} x {impact} = {score}"]
    if score_format == "rag":
        return [rag(score, scale)]
    if score_format == "rag_fill":
        return []  # the colour alone: see rating_word
    raise ValueError(f"unknown score_format {score_format!r}")


def rating_word(entry: dict, prefix: str) -> str:
    """The RAG word a rating cell stands for (printed, or shown only as its fill)."""
    return rag(entry[f"{prefix}_score"], entry["scale"])


def expected_ref(printed: str) -> str:
    """A reference as riskreg normalises it: spaces dropped ("SR 3" -> "SR3")."""
    return re.sub(r"\s+", "", printed)


def bare_value(entry: dict, column: ColumnSpec) -> str:
    """A single-value cell: a number, a date, a word; blank or TBC where there is none."""
    value = entry.get(column.field)
    if value is None:
        return "" if column.group or column.field in EXTRA_FIELDS else "TBC"
    return str(value)


def extra_key(column: ColumnSpec) -> str:
    """The key a column's value should have in `extra`: its header, group first."""
    return " ".join(f"{column.group or ''} {column.header}".split())


def ordered_entries(entries: list[dict], layout: Layout, table: TableSpec) -> list[tuple]:
    """(band heading or None, entry) in the order the table prints them."""
    own = [e for e in entries if e["kind"] == table.kind]
    if not layout.bands:
        return [(None, e) for e in own]
    ordered = []
    for heading, low, high in layout.bands:
        band = [e for e in own if low <= e["residual_score"] <= high]
        band.sort(key=lambda e: -e["residual_score"])
        ordered += [(heading if i == 0 else None, e) for i, e in enumerate(band)]
    return ordered


def golden_record(entry: dict, table: TableSpec) -> dict:
    """What riskreg should produce for one entry printed with these columns (pages unknown)."""
    record = dict.fromkeys(RECORD_FIELDS)
    record.update(kind=entry["kind"], extra={})
    for column in table.columns:
        name = column.field
        if name in TEXT_LIST_FIELDS:
            record[name] = "\n".join(entry[name])
        elif name == "title+consequences":
            record["title"] = entry["title"]
            record["consequences"] = "\n".join(entry["consequences"])
        elif name == "cause+consequences":
            record["cause"] = "\n".join(entry["cause"])
            record["consequences"] = "\n".join(entry["consequences"])
        elif name == "ref":
            record["ref_raw"] = entry["ref"]
            record["ref"] = expected_ref(entry["ref"])
        elif name in ("title", "category", "owner"):
            record[name] = entry[name]
        elif name == "direction_text":
            record["direction_text"] = entry["direction_text"]
            record["direction"] = entry["direction"]
        elif name in ("inherent", "residual"):
            if column.score_format in ("rag", "rag_fill"):
                record["extra"][extra_key(column)] = rating_word(entry, name)
                continue
            record[f"{name}_score"] = entry[f"{name}_score"]
            if column.score_format in ("number_label", "lxi"):
                record[f"{name}_impact"] = entry[f"{name}_impact"]
                record[f"{name}_likelihood"] = entry[f"{name}_likelihood"]
        elif name in EXTRA_FIELDS:
            if entry.get(name) is not None:
                record["extra"][extra_key(column)] = str(entry[name])
        elif name in RECORD_FIELDS:  # bare score columns
            record[name] = entry[name]
        else:
            raise ValueError(f"column {column.header!r}: unknown field {name!r}")
    return record


def golden_records(entries: list[dict], layout: Layout) -> list[dict]:
    """Records riskreg should read from the layout's PDF, in document order; pages are None
    here (render_register fills them from where the rows were actually drawn)."""
    return [
        golden_record(entry, table)
        for table in layout.tables
        for _, entry in ordered_entries(entries, layout, table)
    ]


def layout_notes(layout: Layout) -> list[str]:
    """What a reader of the golden file must know about how this layout prints scores."""
    notes = []
    if layout.keyed_by_title:
        notes.append("no reference column: ref and ref_raw are null; match records by title")
    for table in layout.tables:
        for c in table.columns:
            where = f"{table.kind} column {extra_key(c)!r}"
            if c.field in ("inherent", "residual"):
                notes.append(
                    {
                        "number": f"{where}: {c.field} score only; impact/likelihood null",
                        "number_label": f"{where}: 'score' over 'Impact/Likelihood' labels "
                        f"(impact first): score, impact and likelihood all filled",
                        "lxi": f"{where}: 'L x I = S', likelihood first: all three filled",
                        "rag": f"{where}: RAG word on a coloured fill only: {c.field} scores null, "
                        f"the word in extra[{extra_key(c)!r}]",
                        "rag_fill": f"{where}: no text, only a RAG fill: {c.field} scores null, "
                        f"the fill's colour name (Red/Amber/Green) in extra[{extra_key(c)!r}]",
                    }[c.score_format]
                )
            elif c.field in EXTRA_FIELDS:
                notes.append(
                    f"{where}: no contract field; value in extra, key = group + header; "
                    f"a blank cell gives no key"
                )
            elif c.field == "title+consequences":
                notes.append(
                    f"{where}: one cell 'Risk:- title' / 'Effects:- items': title and consequences"
                )
            elif c.field == "cause+consequences":
                notes.append(
                    f"{where}: one cell 'Cause:' items / 'Effect:' items: cause and consequences"
                )
            elif c.field == "ref" and any(expected_ref(r) != r for r in (layout.ref_style,)):
                notes.append(f"{where}: printed {layout.ref_style!r}; ref drops the spaces")
    if layout.scale != 5:
        notes.append(f"{layout.scale}x{layout.scale} scale: impact and likelihood 1-{layout.scale}")
    if layout.scanned:
        notes.append("scanned: an image-only PDF, read by OCR")
    if layout.footer_in_table:
        notes.append("a footer line is drawn just under the table, across its columns")
    if layout.legend:
        notes.append("a 'Key to Scores' matrix follows the register: a legend, not records")
    if layout.title_in_table:
        notes.append("the title is a merged first row of the ruled grid, repeated on each page")
    if layout.form == "cards":
        notes.append("one small ruled table per risk (header row + values), several to a page")
    if layout.bullet == "numbered":
        notes.append("items numbered '1.' '2.', some as sub-items 'a)' 'b)': each item one "
                     "line, markers dropped")
    return list(dict.fromkeys(notes))


# ---------------------------------------------------------------- drawing


def _register_fonts() -> None:
    if "Vera" in pdfmetrics.getRegisteredFontNames():
        return
    for name in ("Vera", "VeraBd", "VeraIt"):
        pdfmetrics.registerFont(TTFont(name, f"{name}.ttf"))  # ships with reportlab
    pdfmetrics.registerFontFamily("Vera", normal="Vera", bold="VeraBd", italic="VeraIt")


def _bold(font: str) -> str:
    return {"Vera": "VeraBd", "Helvetica": "Helvetica-Bold"}.get(font, font)


class _PageMark(Flowable):
    """Zero-size flowable noting the page it is drawn on: where a row starts and ends."""

    def __init__(self, pages: dict, key: tuple):
        super().__init__()
        self.pages, self.key = pages, key
        self.width = self.height = 0

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.pages.setdefault(self.key, []).append(self.canv.getPageNumber())


class _RotatedText(Flowable):
    """Header text turned 90 degrees, reading bottom to top, for a narrow column."""

    def __init__(self, text: str, font: str, size: float):
        super().__init__()
        self.text, self.font, self.size = text, font, size

    def wrap(self, available_width, available_height):
        return self.size + 2, pdfmetrics.stringWidth(self.text, self.font, self.size) + 4

    def draw(self):
        self.canv.saveState()
        self.canv.setFont(self.font, self.size)
        self.canv.rotate(90)
        self.canv.drawString(2, -self.size, self.text)
        self.canv.restoreState()


@dataclass
class _Styles:
    cell: ParagraphStyle
    bullet: ParagraphStyle
    header: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    numbered: ParagraphStyle
    sub_bullet: ParagraphStyle


def _styles(layout: Layout) -> _Styles:
    size, font = layout.font_size, layout.font
    cell = ParagraphStyle(
        "cell",
        fontName=font,
        fontSize=size,
        leading=size * 1.2,
        embeddedHyphenation=1,
        splitLongWords=1,
    )
    bullet = ParagraphStyle(
        "bullet",
        parent=cell,
        leftIndent=size * 1.3,
        bulletIndent=0,
        bulletFontName=layout.bullet_font or font,
        spaceAfter=1,
    )
    hs = layout.header_style
    header = ParagraphStyle(
        "header",
        parent=cell,
        fontSize=hs.font_size,
        leading=hs.font_size * 1.2,
        textColor=colors.HexColor(hs.text_color),
        fontName=_bold(font) if hs.bold else font,
    )
    title = ParagraphStyle("title", fontName=_bold(font), fontSize=14, leading=18, spaceAfter=6)
    heading = ParagraphStyle("heading", parent=title, fontSize=11, leading=14, spaceBefore=8)
    numbered = ParagraphStyle("numbered", parent=bullet, leftIndent=size * 1.6,
                              bulletFontSize=size)
    sub_bullet = ParagraphStyle(
        "sub_bullet", parent=numbered, leftIndent=size * 3.2, bulletIndent=size * 1.6
    )
    return _Styles(cell, bullet, header, title, heading, numbered, sub_bullet)


def _paragraph(text: str, style: ParagraphStyle, highlight: bool = False, **kw) -> Paragraph:
    markup = escape(text)
    if highlight:
        markup = f'<font backColor="#fff2a8">{markup}</font>'
    return Paragraph(markup, style, **kw)


def _is_sub_item(item: str, k: int) -> bool:
    """Whether a numbered list prints item k as a sub-item of the one before (deterministic)."""
    return k > 0 and sum(map(ord, item)) % 3 == 0


def _list_flowables(items: list[str], layout: Layout, st: _Styles, hl: bool) -> list:
    """A cell's items as bulleted paragraphs, or numbered "1." with sub-items "a)"."""
    if layout.bullet != "numbered":
        bullet = {"bulletText": "\u2022" if layout.bullet_font else layout.bullet}
        return [_paragraph(item, st.bullet, hl, **bullet) for item in items]
    out, number, letter = [], 0, 0
    for k, item in enumerate(items):
        if _is_sub_item(item, k):
            out.append(_paragraph(item, st.sub_bullet, hl, bulletText=f"{'abcdefgh'[letter]})"))
            letter += 1
        else:
            number, letter = number + 1, 0
            out.append(_paragraph(item, st.numbered, hl, bulletText=f"{number}."))
    return out


def _cell_flowables(entry: dict, column: ColumnSpec, layout: Layout, st: _Styles) -> list:
    name, hl = column.field, column.highlight
    bullet = {"bulletText": "\u2022" if layout.bullet_font else layout.bullet}
    if name in TEXT_LIST_FIELDS:
        return _list_flowables(entry[name], layout, st, hl)
    if name == "cause+consequences":
        return [
            _paragraph("Cause:", st.cell, hl),
            *_list_flowables(entry["cause"], layout, st, hl),
            Spacer(1, 3),
            _paragraph("Effect:", st.cell, hl),
            *_list_flowables(entry["consequences"], layout, st, hl),
        ]
    if name == "title+consequences":
        return [
            _paragraph(f"Risk:- {entry['title']}", st.cell, hl),
            Spacer(1, 3),
            _paragraph("Effects:-", st.cell, hl),
        ] + [_paragraph(item, st.bullet, hl, **bullet) for item in entry["consequences"]]
    if name in ("inherent", "residual"):
        return [
            _paragraph(line, st.cell) for line in rating_lines(entry, name, column.score_format)
        ]
    if name in ("ref", "title", "category", "owner", "direction_text"):
        return [_paragraph(entry[name] or "", st.cell, hl)]
    return [_paragraph(bare_value(entry, column), st.cell, hl)]


def _marked(flowables: list, pages: dict, key: tuple) -> list:
    return [_PageMark(pages, key), *flowables, _PageMark(pages, key)]


def _rules(layout: Layout, n_header_rows: int) -> list:
    if layout.ruled == "grid":
        return [("GRID", (0, 0), (-1, -1), 0.5, colors.black)]
    if layout.ruled == "horizontal":
        return [
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#7f7f7f")),
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black),
        ]
    return []


def _header_rows(table: TableSpec, layout: Layout, st: _Styles) -> tuple[list, list]:
    """One or two header rows (two when columns are grouped) and their span commands."""
    font, size = st.header.fontName, st.header.fontSize

    def head(c: ColumnSpec):
        if c.rotate_header:
            return _RotatedText(c.header, font, size)
        return [_paragraph(line, st.header) for line in c.header.split("\n")]

    if not any(c.group for c in table.columns):
        return [[head(c) for c in table.columns]], []
    top, bottom, spans = [], [], []
    for i, c in enumerate(table.columns):
        if c.group is None:
            top.append(head(c))
            bottom.append("")
            spans.append(("SPAN", (i, 0), (i, 1)))
        else:
            first = i == 0 or table.columns[i - 1].group != c.group
            top.append(_paragraph(c.group, st.header) if first else "")
            bottom.append(head(c))
            if first:
                last = i
                while last + 1 < len(table.columns) and table.columns[last + 1].group == c.group:
                    last += 1
                spans.append(("SPAN", (i, 0), (last, 0)))
    return [top, bottom], spans + [("ALIGN", (0, 0), (-1, 0), "CENTER")]


def _row_shifted(command: tuple) -> tuple:
    """A table style command moved one row down (a row was inserted above)."""
    name, (c0, r0), (c1, r1), *rest = command
    return (name, (c0, r0 + 1 if r0 >= 0 else r0), (c1, r1 + 1 if r1 >= 0 else r1), *rest)


def _register_table(
    entries: list[dict], layout: Layout, table: TableSpec, st: _Styles, pages: dict,
    title: str = "",
) -> Table:
    header, commands = _header_rows(table, layout, st)
    rows = list(header)
    n_head = len(header)
    hs = layout.header_style
    if hs.background:
        commands.append(("BACKGROUND", (0, 0), (-1, n_head - 1), colors.HexColor(hs.background)))
    for band, entry in ordered_entries(entries, layout, table):
        if band:
            r = len(rows)
            rows.append([_paragraph(band, st.header)] + [""] * (len(table.columns) - 1))
            commands += [
                ("SPAN", (0, r), (-1, r)),
                ("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f2f2f2")),
            ]
        r = len(rows)
        key = (entry["kind"], entry["ref"])
        rows.append(
            [_marked(_cell_flowables(entry, c, layout, st), pages, key) for c in table.columns]
        )
        for i, c in enumerate(table.columns):
            if c.score_format in ("rag", "rag_fill") and c.field in ("inherent", "residual"):
                word = rating_word(entry, c.field)
                commands.append(("BACKGROUND", (i, r), (i, r), colors.HexColor(RAG_FILLS[word])))
    commands += _rules(layout, n_head) + [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, n_head - 1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if layout.title_in_table:  # a merged title row above the header, repeated with it
        rows.insert(0, [_paragraph(title, st.heading)] + [""] * (len(table.columns) - 1))
        commands = [_row_shifted(c) for c in commands] + [("SPAN", (0, 0), (-1, 0))]
        commands += _rules(layout, n_head + 1)  # the grid rules the title row too
        n_head += 1
    return Table(
        rows,
        colWidths=[c.width for c in table.columns],
        repeatRows=n_head,
        splitByRow=0,
        splitInRow=1,
        style=TableStyle(commands),
        hAlign="LEFT",
    )


def _form_tables(
    entries: list[dict], layout: Layout, table: TableSpec, st: _Styles, pages: dict
) -> list:
    """One risk per page: a two-column table of label and value."""
    page_width = PAGE_SIZES[layout.pagesize][0] - 2 * MARGIN
    story = []
    for i, (_, entry) in enumerate(ordered_entries(entries, layout, table)):
        key = (entry["kind"], entry["ref"])
        rows = [
            [
                _paragraph(c.header, st.header),
                _marked(_cell_flowables(entry, c, layout, st), pages, key),
            ]
            for c in table.columns
        ]
        style = TableStyle(
            _rules(layout, 0)
            + [
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor(layout.header_style.background)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
        if i:
            story.append(PageBreak())
        story.append(
            Table(rows, colWidths=[150, page_width - 150], style=style, splitInRow=1, hAlign="LEFT")
        )
    return story


def _legend(layout: Layout, st: _Styles) -> list:
    """A 'Key to Scores' matrix: likelihood down, impact across, each cell its score."""
    n = layout.scale
    rows = [["Likelihood \\ Impact"] + [f"{i} {IMPACT_LABELS[n][i - 1]}" for i in range(1, n + 1)]]
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), layout.font),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
    ]
    for likelihood in range(n, 0, -1):
        r = len(rows)
        rows.append(
            [f"{likelihood} {LIKELIHOOD_LABELS[n][likelihood - 1]}"]
            + [str(likelihood * i) for i in range(1, n + 1)]
        )
        for i in range(1, n + 1):
            fill = RAG_FILLS[rag(likelihood * i, n)]
            commands.append(("BACKGROUND", (i, r), (i, r), colors.HexColor(fill)))
    return [
        PageBreak(),
        Paragraph("Key to Scores", st.heading),
        Table(rows, colWidths=[100] + [80] * n, style=TableStyle(commands), hAlign="LEFT"),
    ]


def _canvas_maker(layout: Layout, title: str):
    """A canvas that draws 'Page N of M' footers once the page count is known."""
    width, _ = PAGE_SIZES[layout.pagesize]

    class FooterCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(len(self._pages))
                super().showPage()
            super().save()

        def _footer(self, total: int):
            self.setFont(layout.font, 7)
            y = MARGIN + 5 if layout.footer_in_table else 14
            self.drawString(MARGIN, y, "OFFICIAL" if layout.footer_in_table else title)
            if layout.footer_in_table:
                self.drawCentredString(width / 2, y, title)
            self.drawRightString(width - MARGIN, y, f"Page {self._pageNumber} of {total}")
            if layout.form == "per_page" and self._pageNumber > 1:
                self.setFont(_bold(layout.font), 10)
                self.drawString(MARGIN, PAGE_SIZES[layout.pagesize][1] - 20, title)

    return FooterCanvas


@dataclass
class RenderInfo:
    path: Path
    layout: str
    pages: int
    golden: dict  # as written to tests/golden/<layout>.json


def render_register(
    entries: list[dict], layout: Layout, path: str | Path, title: str | None = None
) -> RenderInfo:
    """Draw the entries in the layout into a PDF at path; return its golden records."""
    _register_fonts()
    path = Path(path)
    title = title or layout.title
    st = _styles(layout)
    pages: dict = {}
    # The footer inside the table area sits just under the frame, touching the last row.
    bottom = MARGIN + 13 if layout.footer_in_table else MARGIN + 8
    doc = SimpleDocTemplate(
        str(path),
        pagesize=PAGE_SIZES[layout.pagesize],
        invariant=1,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=bottom,
        title=title,
    )
    story: list = [] if layout.title_in_table else [Paragraph(escape(title), st.title)]
    for table in layout.tables:
        if table.heading:
            story.append(Paragraph(escape(table.heading), st.heading))
        if layout.form == "per_page":
            story += _form_tables(entries, layout, table, st, pages)
        elif layout.form == "cards":
            for _, entry in ordered_entries(entries, layout, table):
                story += [_register_table([entry], layout, table, st, pages), Spacer(1, 12)]
        else:
            story.append(_register_table(entries, layout, table, st, pages, title))
    if layout.legend:
        story += _legend(layout, st)
    doc.build(story, canvasmaker=_canvas_maker(layout, title))

    records = golden_records(entries, layout)
    for record, (_, entry) in zip(records, _document_order(entries, layout), strict=True):
        drawn = pages.get((entry["kind"], entry["ref"]), [])
        record["page_start"], record["page_end"] = (
            (min(drawn), max(drawn)) if drawn else (None, None)
        )
    n_pages = len(pdfium.PdfDocument(str(path)))
    golden = {
        "layout": layout.name,
        "source": f"{layout.name}.pdf",
        "organisation": layout.organisation,
        "period": layout.period,
        "period_text": layout.period_text,
        "title": title,
        "scale": layout.scale,
        "pages": n_pages,
        "keyed_by": "title" if layout.keyed_by_title else "ref",
        "notes": layout_notes(layout),
        "records": records,
    }
    return RenderInfo(path=path, layout=layout.name, pages=n_pages, golden=golden)


def _document_order(entries: list[dict], layout: Layout) -> list[tuple]:
    return [pair for table in layout.tables for pair in ordered_entries(entries, layout, table)]


def layout_entries(layout: Layout) -> list[dict]:
    """The invented entries a layout's golden file is made from (risks, then opportunities)."""
    entries = invent_entries(layout.seed, layout.n_entries, "risk", layout.ref_style, layout.scale)
    if layout.n_opportunities:
        entries += invent_entries(
            layout.seed,
            layout.n_opportunities,
            "opportunity",
            layout.opportunity_ref_style,
            layout.scale,
        )
    return entries


def render_layout(layout: Layout | str, path: str | Path) -> RenderInfo:
    """Render a layout's own invented entries: the PDF its golden file describes (for a
    scanned layout, the image-only scan of that PDF's printout)."""
    layout = LAYOUTS[layout] if isinstance(layout, str) else layout
    if not layout.scanned:
        return render_register(layout_entries(layout), layout, path)
    from tests.registers.scan import scan_pdf

    path = Path(path)
    printed = path.with_name(f"{path.stem}-printed.pdf")
    info = render_register(layout_entries(layout), layout, printed)
    scan_pdf(printed, path, seed=layout.seed)
    info.path = path
    return info


def assert_read_exactly(info: RenderInfo, organisation: str, names: tuple[str, ...]) -> None:
    """Ingest a rendered register: every golden entry found by its reference and none more,
    and these fields (as the dataset holds them) exactly as the golden records have them."""
    from riskreg.pipeline import IngestRequest, ingest_one, outcome_tables

    outcome = ingest_one(IngestRequest(path=str(info.path), organisation=organisation))
    assert outcome.ok, outcome.error
    got = {r["ref"]: r for r in outcome_tables(outcome)[0].to_pylist()}
    want = {g["ref"]: g for g in info.golden["records"]}
    assert set(got) == set(want)
    for ref, g in want.items():
        for name in names:
            assert got[ref][name] == g.get(name), (ref, name)


def write_golden(golden: dict, directory: Path = GOLDEN_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{golden['layout']}.json"
    out.write_text(json.dumps(golden, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--write-goldens",
        action="store_true",
        help="rewrite tests/golden/<layout>.json for every layout",
    )
    parser.add_argument("--pdf-dir", type=Path, help="also keep the rendered PDFs here")
    parser.add_argument("--layout", action="append", help="only these layouts")
    args = parser.parse_args(argv)
    if not args.write_goldens and not args.pdf_dir:
        parser.error("nothing to do: give --write-goldens and/or --pdf-dir")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.pdf_dir or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in args.layout or LAYOUTS:
            info = render_layout(name, out_dir / f"{name}.pdf")
            note = f"{name}: {info.pages} pages, {len(info.golden['records'])} records"
            if args.write_goldens:
                note += f" -> {write_golden(info.golden)}"
            print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
