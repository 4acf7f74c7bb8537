"""`riskreg inspect`: pictures for a person checking what was read from one register.

Each page is drawn with the table grid the reader found (thin grey), every record's cells
outlined in their field's colour and labelled with the field they went to, and whatever was
read but not put in a field marked in dashed red (columns kept in `extra`, legends, rows or
tables the walk skipped). One self-contained report.html lists every record beside its pages.

Nothing here reads or normalises anew: the document comes from `extract.read_document`, the
records from `normalise.normalise_document` (exactly what ingest writes), and the cells behind
each record from normalise's own table walk (`tables_to_entries`, `entry_to_record`).
"""

from __future__ import annotations

import base64
import html
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extract.types import BBox, ExtractedDocument, RawTable
from normalise.record import Record
from riskreg.errors import NoRegisterFound, RegisterError

DPI = 120
GRID_COLOUR = "#a8a8a8"
UNMAPPED_COLOUR = "#d40000"  # dashed: read, but not put in any field
FLOW_COLOUR = "#0060c0"  # dashed: OCR text read as a flow of lines, no cells

# One colour per Record field a cell can go to; a stage's score parts share their stage's colour.
FIELD_COLOURS: dict[str, str] = {
    "ref": "#3b3b98",
    "title": "#e07b00",
    "category": "#8c564b",
    "cause": "#9467bd",
    "consequences": "#9a9a00",
    "controls": "#2a9d2a",
    "actions": "#0f9fb5",
    "progress": "#5b8c00",
    "owner": "#d1509f",
    "direction_text": "#4d4d4d",
    "inherent_score": "#00796b",
    "inherent_impact": "#00796b",
    "inherent_likelihood": "#00796b",
    "residual_score": "#1f5fd6",
    "residual_impact": "#1f5fd6",
    "residual_likelihood": "#1f5fd6",
    "target_score": "#a07800",
}


@dataclass(frozen=True)
class Mark:
    """One thing to draw on a page: a box, how to draw it, and its label.

    kind: "field" (a record's cell, in its field's colour), "extra" (a record's cell kept in
    `extra`), "legend" / "skipped" (read but not register rows), "flow" (OCR text without
    cells), "grid" (a cell of a detected table, unlabelled).
    """

    page: int
    bbox: BBox
    kind: str
    label: str = ""
    colour: str = GRID_COLOUR
    record: str | None = None  # "<kind> <ref>" of the record the cell went to


@dataclass
class Inspection:
    """What inspect found in one document: records, marks to draw, and the header report."""

    doc: ExtractedDocument
    records: list[Record]
    marks: list[Mark]
    header_report: list[dict]
    profile: str
    warnings: list[str] = field(default_factory=list)
    problem: str | None = None  # why no records were found, when none were

    def marks_on(self, page: int) -> list[Mark]:
        return [m for m in self.marks if m.page == page]


# --------------------------------------------------------------------------- what was read


def inspect_document(doc: ExtractedDocument, profile: str | None = None) -> Inspection:
    """The document's records (as ingest makes them) and, for the grid tables, every cell's mark."""
    from normalise import _header_texts, normalise_document
    from normalise.profiles import choose_profile, load_profile
    from normalise.rows import tables_to_entries

    problem = None
    try:
        edition = normalise_document(doc, profile=profile)
        records, header_report, warnings = edition.records, edition.header_report, edition.warnings
    except NoRegisterFound as exc:
        records, header_report, warnings, problem = [], [], list(doc.warnings), exc.one_line()
    prof = load_profile(profile) if profile else choose_profile(_header_texts(doc))
    grid = [t for t in doc.tables if t.layout == "grid"]
    walk = tables_to_entries(grid, prof)
    marks: list[Mark] = []
    used: set[tuple[int | None, BBox | None]] = set()
    for entry, key in zip(walk.entries, entry_keys(walk.entries, prof), strict=True):
        entry_marks_ = entry_marks(entry, key)
        marks.extend(entry_marks_)
        used.update((c.page, c.bbox) for col in entry.columns for c in col)
    for table in doc.tables:
        marks.extend(table_marks(table, prof, used))
    return Inspection(doc=doc, records=records, marks=marks, header_report=header_report,
                      profile=getattr(prof, "name", None) or str(profile or "default"),
                      warnings=warnings, problem=problem)


def entry_keys(entries: list, profile) -> list[str]:
    """"<kind> <ref>" of each entry's record, with refs settled as normalise settles them."""
    from normalise import settle_refs
    from normalise.fields import entry_to_record

    counters: dict[str, int] = {}
    records = []
    for entry in entries:
        kind = entry.header.kind or "risk"
        counters[kind] = counters.get(kind, 0) + 1
        records.append(entry_to_record(entry, profile, position=counters[kind]))
    settle_refs(records)
    return [f"{r.kind} {r.ref}" for r in records]


def entry_marks(entry, record_key: str) -> list[Mark]:
    """A mark for every cell of one entry: its field's colour and name, or red for `extra`."""
    marks = []
    ref = record_key.split(" ", 1)[1]
    ref_pages = {c.page for col, cells in zip(entry.header.columns, entry.columns, strict=True)
                 if col.field == "ref" for c in cells}
    for col, cells in zip(entry.header.columns, entry.columns, strict=True):
        target = col.record_field
        for cell in cells:
            if cell.page is None or cell.bbox is None:
                continue
            # a cell carried over from the page where its entry began names that entry
            carried = f" ({ref})" if ref_pages and cell.page not in ref_pages else ""
            if target is None:
                header = " ".join(col.header.split()) or f"column {col.index + 1}"
                marks.append(Mark(cell.page, cell.bbox, "extra", f"extra: {header[:40]}{carried}",
                                  UNMAPPED_COLOUR, record_key))
            else:
                label = f"ref {ref}" if target == "ref" else target + carried
                marks.append(Mark(cell.page, cell.bbox, "field", label,
                                  FIELD_COLOURS.get(target, "#444444"), record_key))
    return marks


def table_marks(table: RawTable, profile, used: set) -> list[Mark]:
    """The table's grid, and red marks for what the walk did not take from it."""
    from normalise.headers import find_header, is_legend

    if table.page is None:
        return []
    if table.layout == "flow":
        return [Mark(table.page, table.bbox, "flow", f"flow text ({table.method})", FLOW_COLOUR)
                ] if table.bbox else []
    marks = [Mark(c.page or table.page, c.bbox, "grid") for row in table.rows for c in row
             if c.bbox is not None]
    texts = table.texts()
    if not texts:
        return marks
    if is_legend(texts, profile):
        return marks + _table_box(table, "legend")
    found = find_header(texts, profile)
    body = table.rows[found.header_rows if found else 0:]
    taken = sum(1 for row in table.rows for c in row if (c.page, c.bbox) in used)
    if not taken and found is None:
        return marks + _table_box(table, "skipped: no register header")
    for row in body:
        for c in row:
            if c.text.strip() and c.bbox is not None and (c.page, c.bbox) not in used:
                marks.append(Mark(c.page or table.page, c.bbox, "skipped", "skipped",
                                  UNMAPPED_COLOUR))
    return marks


def _table_box(table: RawTable, label: str) -> list[Mark]:
    if table.bbox is None:
        return []
    return [Mark(table.page, table.bbox, "legend" if label == "legend" else "skipped", label,
                 UNMAPPED_COLOUR)]


# --------------------------------------------------------------------------- drawing


def render_page(pdf, number: int, dpi: int = DPI):
    """Page `number` (1-based) as a PIL image, upright and cropped as extract read it."""
    page = pdf[number - 1]
    try:
        return page.render(scale=dpi / 72).to_pil().convert("RGB")
    finally:
        page.close()


def draw_marks(image, marks: Iterable[Mark], scale: float):
    """Draw the marks (bboxes in PDF points) on the page image; labels last, on top."""
    from PIL import Image, ImageDraw

    base = image.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    marks = list(marks)
    order = {"grid": 0, "flow": 1, "legend": 1, "skipped": 2, "extra": 3, "field": 3}
    marks.sort(key=lambda m: order.get(m.kind, 3))
    for m in marks:
        box = _pixels(m.bbox, scale)
        if m.kind == "grid":
            draw.rectangle(box, outline=_rgba(GRID_COLOUR, 255), width=1)
        elif m.kind in ("field",):
            inner = _inset(box, 2)
            draw.rectangle(inner, fill=_rgba(m.colour, 28), outline=_rgba(m.colour, 255), width=2)
        else:
            _dashed_rectangle(draw, _inset(box, 2 if m.kind == "extra" else 1),
                              _rgba(m.colour, 255), width=2)
    font = _font(11)
    for m in marks:
        if m.label:
            _label(draw, _pixels(m.bbox, scale), m.label, m.colour, font)
    return Image.alpha_composite(base, overlay).convert("RGB")


def _pixels(bbox: BBox, scale: float) -> tuple[float, float, float, float]:
    x0, top, x1, bottom = bbox
    return (x0 * scale, top * scale, x1 * scale, bottom * scale)


def _inset(box, d: float):
    x0, y0, x1, y1 = box
    if x1 - x0 <= 2 * d + 1 or y1 - y0 <= 2 * d + 1:
        return box
    return (x0 + d, y0 + d, x1 - d, y1 - d)


def _rgba(colour: str, alpha: int) -> tuple[int, int, int, int]:
    c = colour.lstrip("#")
    return (int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha)


def _dashed_rectangle(draw, box, colour, width: int = 2, dash: int = 6, gap: int = 4) -> None:
    x0, y0, x1, y1 = box
    for (ax, ay), (bx, by) in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)),
                               ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
        length = max(abs(bx - ax), abs(by - ay))
        if length == 0:
            continue
        dx, dy = (bx - ax) / length, (by - ay) / length
        pos = 0.0
        while pos < length:
            end = min(pos + dash, length)
            draw.line([(ax + dx * pos, ay + dy * pos), (ax + dx * end, ay + dy * end)],
                      fill=colour, width=width)
            pos = end + gap


def _label(draw, box, text: str, colour: str, font) -> None:
    """A small tag at the box's top-left corner, sitting on its top edge so that it hides as
    little as possible of the cell's own first line; a label wider than a narrow cell is
    broken at '_' into lines stacked upwards."""
    width = box[2] - box[0] - 4
    lines = [text]
    if draw.textlength(text, font=font) > width and "_" in text:
        head, tail = text.rsplit("_", 1)
        lines = [head + "_", tail]
    line_height = font.size + 2 if hasattr(font, "size") else 12
    x = box[0] + 2
    bottom = box[1] + 2
    top = bottom - line_height * len(lines)
    longest = max(draw.textlength(line, font=font) for line in lines)
    draw.rectangle((x, top, x + longest + 4, bottom), fill=_rgba(colour, 200))
    for n, line in enumerate(lines):
        draw.text((x + 2, top + n * line_height), line, fill=(255, 255, 255, 255), font=font)


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: a fixed bitmap font
        return ImageFont.load_default()


def png_bytes(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the HTML report


def report_html(inspection: Inspection, images: dict[int, bytes], pages: list[int] | None) -> str:
    """One self-contained page: summary, header mapping, then records beside their page images.

    Each page image is embedded once (a CSS class with a data URI), however many records show it.
    """
    doc = inspection.doc
    records = [r for r in inspection.records if _on_pages(r, pages)]
    styles = [_CSS]
    for number, png in sorted(images.items()):
        styles.append(f".pg-{number}{{background-image:url(data:image/png;base64,"
                      f"{base64.b64encode(png).decode('ascii')})}}")
    body = [f"<h1>riskreg inspect: {_e(Path(doc.path).name)}</h1>", _summary(inspection, records)]
    body.append(_colour_key())
    body.append(_header_tables(inspection.header_report, inspection.records))
    if inspection.problem:
        body.append(f"<p class=problem>{_e(inspection.problem)}</p>")
    body.append("<h2>Records beside their pages</h2>")
    for group_pages, group_records in page_groups(records, sorted(images), doc):
        body.append(_group_html(group_pages, group_records, doc))
    if inspection.warnings:
        body.append("<h2>Warnings while reading</h2><ul>"
                    + "".join(f"<li>{_e(w)}</li>" for w in inspection.warnings) + "</ul>")
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            f"<title>riskreg inspect: {_e(Path(doc.path).name)}</title>"
            f"<style>{''.join(styles)}</style></head><body>{''.join(body)}</body></html>\n")


def _on_pages(rec: Record, pages: list[int] | None) -> bool:
    if pages is None or rec.page_start is None:
        return True
    return any(rec.page_start <= p <= (rec.page_end or rec.page_start) for p in pages)


def page_groups(records: list[Record], imaged: list[int], doc: ExtractedDocument
                ) -> list[tuple[list[int], list[Record]]]:
    """Records grouped by the pages they span, in page order; imaged pages with no record
    get a group of their own so every picture appears once at least."""
    groups: dict[tuple[int, int] | None, list[Record]] = {}
    for rec in records:
        key = None if rec.page_start is None else (rec.page_start, rec.page_end or rec.page_start)
        groups.setdefault(key, []).append(rec)
    covered = {p for key in groups if key for p in range(key[0], key[1] + 1)}
    for p in imaged:
        if p not in covered:
            groups.setdefault((p, p), [])
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or (0, 0)))
    return [([p for p in range(k[0], k[1] + 1) if p in imaged] if k else [], v)
            for k, v in ordered]


def _group_html(pages: list[int], records: list[Record], doc: ExtractedDocument) -> str:
    heights = {p.number: (p.height / p.width if p.width and p.height else 0.707) for p in doc.pages}
    pictures = "".join(
        f"<figure><div class='pg pg-{p}' style='padding-top:{heights.get(p, 0.707) * 100:.2f}%'>"
        f"</div><figcaption>page {p}</figcaption></figure>" for p in pages)
    rows = "".join(_record_row(r) for r in records) or (
        "<tr><td colspan=9 class=none>no record on this page</td></tr>")
    table = ("<table class=records><tr><th>ref</th><th>kind</th><th>title</th><th>scores</th>"
             "<th>owner</th><th>pages</th><th>method</th><th>confidence</th><th>warnings</th></tr>"
             f"{rows}</table>")
    pictures_html = f"<div class=pages>{pictures}</div>" if pictures else ""
    return f"<section class=group>{pictures_html}<div class=list>{table}</div></section>"


def _record_row(rec: Record) -> str:
    pages = ("" if rec.page_start is None else
             f"{rec.page_start}" + (f"-{rec.page_end}" if rec.page_end not in (None, rec.page_start) else ""))
    confidence = "" if rec.confidence is None else f"{rec.confidence:.2f}"
    extra = "".join(f"<div class=extra>extra: {_e(k)}</div>" for k in rec.extra)
    warn = "<br>".join(_e(w) for w in rec.warnings)
    return (f"<tr id='{_e(rec.kind)}-{_e(rec.ref)}'><td class=ref>{_e(rec.ref)}</td><td>{_e(rec.kind)}</td>"
            f"<td>{_e(rec.title or '')}{extra}</td><td class=scores>{_scores(rec)}</td>"
            f"<td>{_e(rec.owner or '')}</td><td>{pages}</td><td>{_e(rec.method)}</td>"
            f"<td>{confidence}</td><td class=warn>{warn}</td></tr>")


def _scores(rec: Record) -> str:
    parts = []
    for stage in ("inherent", "residual"):
        s, i, lk = (getattr(rec, f"{stage}_{p}") for p in ("score", "impact", "likelihood"))
        if s is None and i is None and lk is None:
            continue
        detail = f" ({i}&times;{lk})" if i is not None or lk is not None else ""
        parts.append(f"{stage} {'' if s is None else s}{detail}")
    if rec.target_score is not None:
        parts.append(f"target {rec.target_score}")
    if rec.direction:
        parts.append(f"direction {rec.direction}")
    return "<br>".join(parts)


def _summary(inspection: Inspection, records: list[Record]) -> str:
    doc = inspection.doc
    methods = sorted({r.method for r in records})
    items = [("file", doc.path), ("sha256", doc.sha256), ("kind", doc.kind),
             ("pages", doc.page_count if doc.page_count is not None else "text input"),
             ("tables read", len(doc.tables)), ("profile", inspection.profile),
             ("records", f"{len(records)} ({sum(r.kind == 'risk' for r in records)} risks, "
                         f"{sum(r.kind == 'opportunity' for r in records)} opportunities)"),
             ("methods", ", ".join(methods) or "-")]
    if doc.title:
        items.insert(1, ("title", doc.title.split("\n")[0]))
    return "<table class=summary>" + "".join(
        f"<tr><th>{_e(k)}</th><td>{_e(str(v))}</td></tr>" for k, v in items) + "</table>"


def _colour_key() -> str:
    seen: dict[str, list[str]] = {}
    for name, colour in FIELD_COLOURS.items():
        seen.setdefault(colour, []).append(name)
    swatches = "".join(
        f"<span class=swatch style='background:{c}'>{_e(' / '.join(_short(n) for n in names))}</span>"
        for c, names in seen.items())
    swatches += (f"<span class='swatch dashed' style='border-color:{UNMAPPED_COLOUR};"
                 f"color:{UNMAPPED_COLOUR}'>extra / legend / skipped</span>"
                 f"<span class='swatch grid'>table grid</span>")
    return f"<p class=key>{swatches}</p>"


def _short(name: str) -> str:
    for stage in ("inherent", "residual"):
        if name.startswith(stage + "_") and not name.endswith("_score"):
            return name.split("_", 1)[1]
    return name


def _header_tables(header_report: list[dict], records: list[Record]) -> str:
    if not header_report:
        why = ("The records were read from flow text: there was no table header to map."
               if records else "No register header was recognised.")
        return f"<h2>Header mapping</h2><p>{why}</p>"
    out = ["<h2>Header mapping</h2>"]
    for block in header_report:
        rows = "".join(
            f"<tr class='{'unmapped' if c['to'].startswith('extra') else 'mapped'}'>"
            f"<td>{c['column'] + 1}</td><td>{_e(c['header'])}</td><td>{_e(c['to'])}</td>"
            f"<td>{c['score']:.2f}</td><td>{_e(c.get('known_as') or '')}</td></tr>"
            for c in block["columns"])
        out.append(f"<h3>{_e(block.get('kind') or 'register')} table from page "
                   f"{_e(str(block.get('page') or '-'))} ({_e(block.get('method') or '')})</h3>"
                   "<table class=headers><tr><th>#</th><th>header</th><th>went to</th>"
                   f"<th>match</th><th>note</th></tr>{rows}</table>")
    return "".join(out)


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}.summary th{width:9em}
.headers tr.unmapped td{color:#b00000}
.group{display:flex;gap:1em;align-items:flex-start;border-top:2px solid #ddd;padding:1em 0}
.pages{flex:0 0 58%}.list{flex:1;min-width:0}
figure{margin:0 0 .6em}figcaption{font-size:.85em;color:#666}
.pg{width:100%;background-size:100% 100%;background-repeat:no-repeat;border:1px solid #bbb}
.records .ref{font-weight:bold;white-space:nowrap}.scores{white-space:nowrap}
.warn{color:#a05000;font-size:.9em}.extra{color:#b00000;font-size:.85em}.none{color:#888}
.swatch{display:inline-block;color:#fff;padding:1px 6px;margin:2px;border-radius:3px;font-size:.85em}
.swatch.dashed{background:#fff;border:2px dashed}.swatch.grid{color:#666;border:1px solid #aaa}
.problem{color:#b00000;font-weight:bold}
"""


# --------------------------------------------------------------------------- the command


def run_inspect(file: str, *, out: str, page: int | None = None, profile: str | None = None,
                password: str | None = None) -> int:
    """Write page PNGs and report.html for one register into `out`; the exit code."""
    from extract import read_document
    from normalise.profiles import ProfileError

    try:
        doc = read_document(file, password=password)
        if page is not None and doc.kind == "pdf" and not 1 <= page <= (doc.page_count or 0):
            print(f"riskreg: {file}: no page {page} (the document has {doc.page_count} pages); "
                  "pass --page between 1 and the page count", file=sys.stderr)
            return 2
        inspection = inspect_document(doc, profile=profile)
    except RegisterError as exc:
        if exc.path is None:
            exc.path = file
        print(f"riskreg: {exc.one_line()}", file=sys.stderr)
        return 1
    except ProfileError as exc:
        print(f"riskreg: {file}: layout profile: {exc} (fix the profile or leave out --profile)",
              file=sys.stderr)
        return 1
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    images: dict[int, bytes] = {}
    pages = None
    if doc.kind == "pdf":
        pages = [page] if page is not None else list(range(1, (doc.page_count or 0) + 1))
        images = write_page_images(file, inspection, pages, folder, password=password)
    report = folder / "report.html"
    report.write_text(report_html(inspection, images, pages), encoding="utf-8")
    shown = [r for r in inspection.records if _on_pages(r, pages)]
    print(f"{file}: {len(shown)} records; {len(images)} page image(s) and {report} written to {folder}")
    if inspection.problem:
        print(f"riskreg: {inspection.problem}", file=sys.stderr)
    return 0


def write_page_images(file: str, inspection: Inspection, pages: list[int], folder: Path, *,
                      password: str | None = None, dpi: int = DPI) -> dict[int, bytes]:
    """page-NNN.png for each page asked; returns the PNG bytes by page number."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(file, password=password)
    images = {}
    try:
        for number in pages:
            picture = draw_marks(render_page(pdf, number, dpi), inspection.marks_on(number), dpi / 72)
            data = png_bytes(picture)
            (folder / f"page-{number:03d}.png").write_bytes(data)
            images[number] = data
    finally:
        pdf.close()
    return images
