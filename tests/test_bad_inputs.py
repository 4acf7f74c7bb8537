"""Bad input: one clear line, a failed sources row, non-zero exit, and the dataset untouched."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

FIXTURES = Path(__file__).parent / "fixtures"
RULED = FIXTURES / "lancashire-2017q2" / "ruled.pdf"
RISKREG = str(Path(sys.executable).with_name("riskreg"))
GOOD_TEXT = (
    "Westmarsh Borough Council Corporate Risk Register Q1 2022/23\n\n"
    "Ref\tRisk Title\tConsequences\tCurrent Controls\tResidual Score\tRisk Owner\n"
    "R1\tLoss of key data through cyber attack\tServices stop\tBackups tested monthly\t16\tCIO\n"
    "R2\tFailure to balance the budget\tReserves fall\tMonthly monitoring\t12\tS151 Officer\n"
)


def ingest(out, *paths, extra=(), user=None):
    kw = {}
    if user is not None:
        kw["preexec_fn"] = lambda: (os.setgid(user), os.setuid(user))
    return subprocess.run([RISKREG, "ingest", *map(str, paths), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture
def dataset(tmp_path):
    """A dataset that already holds one good edition."""
    out = tmp_path / "clean"
    good = tmp_path / "westmarsh-q1.txt"
    good.write_text(GOOD_TEXT)
    p = ingest(out, good)
    assert p.returncode == 0, p.stderr
    return out


def snapshot(out: Path) -> bytes:
    return (out / "records.parquet").read_bytes()


def assert_failed_cleanly(out, before, proc, path, expected):
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    line = lines[0]
    assert str(path) in line and expected in line, line
    assert snapshot(out) == before
    sources = pd.read_parquet(out / "sources.parquet").set_index("source_file")
    row = sources.loc[os.path.normpath(str(path))]
    assert row.status == "failed" and expected in row.error
    assert (sources.status == "ok").sum() == 1


def _pdf_prefix(tmp_path, fraction):
    data = RULED.read_bytes()
    p = tmp_path / "truncated.pdf"
    p.write_bytes(data[: int(len(data) * fraction)])
    return p


BAD_INPUTS = {
    "empty": (lambda t: _write(t / "empty.pdf", b""), "empty file"),
    "html-as-pdf": (lambda t: _write(t / "download.pdf", b"<!DOCTYPE html><html><body>404 Not Found</body></html>"),
                    "an HTML page"),
    "word-as-pdf": (lambda t: _write(t / "register.pdf", b"PK\x03\x04" + os.urandom(400)), "zip file"),
    "random-bytes": (lambda t: _write(t / "noise.pdf", bytes(range(256)) * 8), "binary data"),
    "truncated-pdf": (lambda t: _pdf_prefix(t, 0.3), "truncated or damaged"),
    "unknown-text": (lambda t: _write(t / "minutes.txt", b"Minutes of the meeting.\nApologies were received.\n"),
                     "no register"),
    "missing-path": (lambda t: t / "does-not-exist.pdf", "no such file"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_fails_clearly_and_changes_nothing(kind, dataset, tmp_path):
    make, expected = BAD_INPUTS[kind]
    path = make(tmp_path)
    before = snapshot(dataset)
    proc = ingest(dataset, path)
    assert_failed_cleanly(dataset, before, proc, path, expected)


def test_narrative_pdf_without_a_register_table(dataset, tmp_path):
    path = tmp_path / "narrative.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    for i in range(30):
        c.drawString(72, 780 - i * 20, f"Paragraph {i}: the committee noted the report and its appendices.")
    c.save()
    before = snapshot(dataset)
    proc = ingest(dataset, path)
    assert_failed_cleanly(dataset, before, proc, path, "no table")


def test_encrypted_pdf_needs_password(dataset, tmp_path):
    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), pagesize=landscape(A4), encrypt="s3cret")
    c.drawString(72, 500, "Corporate Risk Register Q1 2022/23")
    c.save()
    before = snapshot(dataset)
    proc = ingest(dataset, path)
    assert_failed_cleanly(dataset, before, proc, path, "encrypted")
    assert "--password" in proc.stderr


def test_unreadable_file(dataset, tmp_path, monkeypatch):
    path = tmp_path / "secret.pdf"
    shutil.copy(RULED, path)
    path.chmod(0)
    if os.geteuid() == 0:
        # root reads any file whatever its mode: make the OS refusal happen for this one path
        real_open = open

        def refusing_open(file, *args, **kwargs):
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr("builtins.open", refusing_open)
    from click.testing import CliRunner

    from riskreg.cli import main

    before = snapshot(dataset)
    result = CliRunner().invoke(main, ["ingest", str(path), "--out", str(dataset)])
    proc = subprocess.CompletedProcess([], result.exit_code, result.stdout, result.stderr)
    assert_failed_cleanly(dataset, before, proc, path, "permission denied")


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    out = tmp_path / "clean"
    good = tmp_path / "westmarsh-q1.txt"
    good.write_text(GOOD_TEXT)
    bad = _write(tmp_path / "bad.pdf", b"")
    proc = ingest(out, bad, good)
    assert proc.returncode == 1
    frame = pd.read_parquet(out / "records.parquet")
    assert sorted(frame.ref) == ["R1", "R2"]


def _encrypted_register(path: Path, password: str) -> Path:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    doc = SimpleDocTemplate(str(path), pagesize=landscape(A4), encrypt=password)
    head = ["Ref", "Risk Title", "Consequences", "Current Controls", "Residual Score", "Risk Owner"]
    rows = [["R1", "Loss of key data through cyber attack", "Services stop", "Backups tested", "16", "CIO"],
            ["R2", "Failure to balance the budget", "Reserves fall", "Monthly monitoring", "12", "S151 Officer"]]
    table = Table([head] + rows, style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    doc.build([Paragraph("Northfield District Council Risk Register Q2 2022/23",
                         getSampleStyleSheet()["Title"]), table])
    return path


def test_encrypted_pdf_opens_with_password(tmp_path):
    path = _encrypted_register(tmp_path / "locked-register.pdf", "s3cret")
    out = tmp_path / "clean"
    wrong = ingest(out, path, extra=["--password", "nope"])
    assert wrong.returncode == 1 and "password" in wrong.stderr
    right = ingest(out, path, extra=["--password", "s3cret"])
    assert right.returncode == 0, right.stderr
    frame = pd.read_parquet(out / "records.parquet")
    assert sorted(frame.ref) == ["R1", "R2"]
    assert set(frame.residual_score) == {16, 12}
    assert set(frame.period) == {"2022/23 Q2"}


def test_corrupt_xref_is_repaired(tmp_path):
    data = RULED.read_bytes()
    start = data.rindex(b"startxref")
    broken = data[:start] + b"startxref\n999999999\n%%EOF\n"  # the offset points nowhere
    path = _write(tmp_path / "broken-xref.pdf", broken)
    out = tmp_path / "clean"
    p = ingest(out, path, extra=["--org", "Lancashire County Council"])
    assert p.returncode == 0, p.stderr
    frame = pd.read_parquet(out / "records.parquet")
    assert len(frame) == 22 and "CR5" in set(frame.ref)


def test_image_only_pdf_without_tesseract(dataset, tmp_path):
    from tests.registers.render import render_layout
    from tests.registers.scan import scan_pdf

    register = render_layout("lxi_rag", tmp_path / "register.pdf")
    path = tmp_path / "scanned-register.pdf"
    scan_pdf(register.path, path, dpi=100)
    before = snapshot(dataset)
    env = dict(os.environ, PATH=str(Path(RISKREG).parent))  # no tesseract on this PATH
    proc = subprocess.run([RISKREG, "ingest", str(path), "--out", str(dataset)],
                          capture_output=True, text=True, timeout=600, env=env)
    assert_failed_cleanly(dataset, before, proc, path, "tesseract is not installed")
    assert "page 1" in proc.stderr and "apt-get install tesseract-ocr" in proc.stderr


@pytest.mark.parametrize(
    "option, says",
    [
        pytest.param(["--profile", "no-such-profile"], "layout profile: no profile named", id="profile"),
        pytest.param(["--period", "sometime"], "--period: cannot read a period", id="period"),
    ],
)
def test_a_bad_option_is_named_not_reported_as_a_bug(option, says, tmp_path):
    good = tmp_path / "westmarsh-q1.txt"
    good.write_text(GOOD_TEXT)
    p = ingest(tmp_path / "clean", good, extra=option)
    assert p.returncode == 1
    assert says in p.stderr and str(good) in p.stderr
    assert "unexpected" not in p.stderr and "please report" not in p.stderr


def test_inspect_with_a_bad_profile_says_so_in_one_line(tmp_path):
    good = tmp_path / "westmarsh-q1.txt"
    good.write_text(GOOD_TEXT)
    p = subprocess.run([RISKREG, "inspect", str(good), "--out", str(tmp_path / "inspect"),
                        "--profile", "no-such-profile"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    assert "layout profile: no profile named" in p.stderr and str(good) in p.stderr


def test_a_damaged_extraction_cache_is_read_again_with_a_warning(tmp_path):
    from extract import read_document

    good = tmp_path / "westmarsh-q1.txt"
    good.write_text(GOOD_TEXT)
    cache = tmp_path / "cache"
    first = read_document(str(good), cache_dir=str(cache))
    assert not first.warnings
    for entry in cache.rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    again = read_document(str(good), cache_dir=str(cache))
    assert [t.texts() for t in again.tables] == [t.texts() for t in first.tables]
    assert any("extraction cache" in w for w in again.warnings)
    assert not read_document(str(good), cache_dir=str(cache)).warnings  # re-made clean
