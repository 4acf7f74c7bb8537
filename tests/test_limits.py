"""Resource limits and long committee packs: one pathological file cannot stall a batch."""

import resource
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from riskreg.pipeline import IngestRequest, ingest_one
from tests.registers.render import render_layout

FIXTURES = Path(__file__).parent / "fixtures"
RULED = FIXTURES / "lancashire-2017q2" / "ruled.pdf"


def narrative_pdf(path: Path, pages: int, start: int = 1) -> Path:
    """Committee-paper pages: headings and paragraphs, no tables."""
    c = canvas.Canvas(str(path), pagesize=landscape(A4))
    for n in range(pages):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(60, 540, f"Item {start + n}: Report of the Director of Resources")
        c.setFont("Helvetica", 10)
        for i in range(25):
            c.drawString(60, 510 - i * 18, f"{i + 1}. The committee is asked to note the progress "
                                           f"described in paragraph {i + 2} of this report.")
        c.showPage()
    c.save()
    return path


def concatenate(parts: list[Path], out: Path) -> Path:
    merged = pdfium.PdfDocument.new()
    for part in parts:
        src = pdfium.PdfDocument(str(part))
        merged.import_pages(src)
        src.close()
    merged.save(str(out))
    merged.close()
    return out


def test_time_limit_stops_one_file(tmp_path):
    outcome = ingest_one(IngestRequest(path=str(RULED), organisation="Org", period="Q1 2020/21",
                                       time_limit=0.05))
    assert not outcome.ok, outcome.source
    assert "longer than the time limit of 0.05s" in outcome.error, outcome.error
    assert str(RULED) in outcome.error and "--time-limit" in outcome.error


def test_page_limit_refuses_long_files(tmp_path):
    outcome = ingest_one(IngestRequest(path=str(RULED), organisation="Org", period="Q1 2020/21",
                                       max_pages=5))
    assert not outcome.ok
    assert "14 pages, more than the limit of 5" in outcome.error


def test_register_found_inside_a_long_committee_pack(tmp_path):
    register = render_layout("word_ruled", tmp_path / "register.pdf")
    before = narrative_pdf(tmp_path / "before.pdf", 36)
    after = narrative_pdf(tmp_path / "after.pdf", 12, start=100)
    pack = concatenate([before, Path(register.path), after], tmp_path / "committee-pack.pdf")
    last_entry_page = max(r["page_end"] for r in register.golden["records"])  # the legend follows
    outcome = ingest_one(IngestRequest(path=str(pack), organisation="Org", period="Q3 2021/22"))
    assert outcome.ok, outcome.error
    assert outcome.source["records"] == len(register.golden["records"])
    assert outcome.source["register_pages"] == f"37-{36 + last_entry_page}"
    pages = {r["page_start"] for r in outcome.records} | {r["page_end"] for r in outcome.records}
    assert min(pages) == 37 and max(pages) == 36 + last_entry_page


@pytest.mark.slow
def test_memory_stays_bounded_on_a_500_page_document(tmp_path):
    """Pages are read as a stream: peak memory on 500 pages stays near that of a few pages."""
    big = narrative_pdf(tmp_path / "pack.pdf", 480)
    register = render_layout("word_ruled", tmp_path / "register.pdf")
    pack = concatenate([big, Path(register.path)], tmp_path / "pack500.pdf")
    script = (
        "import resource, sys\n"
        "from riskreg.pipeline import IngestRequest, ingest_one\n"
        "o = ingest_one(IngestRequest(path=sys.argv[1], organisation='Org', period='Q1 2021/22'))\n"
        "assert o.ok, o.error\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )
    p = subprocess.run([sys.executable, "-c", script, str(pack)], capture_output=True, text=True,
                       timeout=900)
    assert p.returncode == 0, p.stderr
    peak_mb = int(p.stdout.strip().splitlines()[-1])
    small = subprocess.run([sys.executable, "-c", script, str(register.path)], capture_output=True,
                           text=True, timeout=300)
    small_mb = int(small.stdout.strip().splitlines()[-1])
    assert peak_mb < small_mb + 150, (peak_mb, small_mb)
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024 < 1500
