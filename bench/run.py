"""Benchmark: pages per second and peak memory of riskreg ingest against bare table finders.

Every measurement runs in a fresh single-core subprocess (taskset to one CPU where available,
BLAS/OpenMP threads 1) so peak RSS is that workload's own; the clock covers the work, not the
interpreter's start or imports (a batch build imports once per worker process); the "CLI (cold
start)" row times the whole `riskreg ingest` command, imports included, as an analyst sees it.
Each tool runs on the same inputs in the same run; medians of
several repetitions; ratios against pdfplumber's extract_tables.

usage: python bench/run.py [--quick] [--reps N] [--pages 14,50,200] [--json OUT] [--markdown OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [ROOT / "tests/fixtures/lancashire-2017q2/ruled.pdf",
           ROOT / "tests/fixtures/lancashire-2017q2/unruled.pdf"]

WORKLOADS = {
    "riskreg ingest": """
import tempfile
import pandas, extract.pdf, extract.text, normalise.fields, normalise.flow  # imports once per process,
from normalise.cells import is_known_word                          # as in a batch build
from normalise.profiles import load_profile
is_known_word("organisational"); load_profile()
from riskreg.dataset import Dataset
from riskreg.pipeline import IngestRequest, ingest_one, write_outcome
out = tempfile.mkdtemp()
def work(path):
    o = ingest_one(IngestRequest(path=path, organisation="Bench", period="Q1 2020/21"))
    assert o.ok, o.error
    write_outcome(Dataset(out), o)
    return o.source["records"]
""",
    "riskreg ingest CLI (cold start)": """
import os, subprocess, sys, tempfile
riskreg = os.path.join(os.path.dirname(sys.executable), "riskreg")
def work(path):
    out = tempfile.mkdtemp()
    p = subprocess.run([riskreg, "ingest", path, "--out", out, "--org", "Bench",
                        "--period", "Q1 2020/21"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return "ok"
""",
    "pdfplumber extract_tables": """
import pdfplumber
def work(path):
    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n += len(page.extract_tables())
            page.close()
    return n
""",
    "camelot lattice": """
import camelot
def work(path):
    return len(camelot.read_pdf(path, pages="all", flavor="lattice"))
""",
    "pypdfium2 chars (floor)": """
import pypdfium2 as pdfium
def work(path):
    pdf = pdfium.PdfDocument(path)
    n = 0
    for i in range(len(pdf)):
        page = pdf[i]
        tp = page.get_textpage()
        n += tp.count_chars()
        tp.close(); page.close()
    pdf.close()
    return n
""",
}

RUNNER = """
import json, resource, sys, time
{setup}
path = sys.argv[1]
t = time.perf_counter()
result = work(path)
secs = time.perf_counter() - t
def hwm_mb():
    # VmHWM restarts at exec, unlike ru_maxrss, which keeps the forking parent's size
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
peak = max(hwm_mb(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
print(json.dumps({{"seconds": secs, "peak_mb": peak, "result": str(result)}}))
"""


def pages_of(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    n = len(pdf)
    pdf.close()
    return n


def measure(tool: str, path: Path) -> dict:
    cmd = [sys.executable, "-c", RUNNER.format(setup=WORKLOADS[tool]), str(path)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OMP_THREAD_LIMIT="1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    if p.returncode != 0:
        return {"error": (p.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def generated_inputs(page_targets: list[int], folder: Path) -> list[Path]:
    """Invented registers rendered to roughly the requested page counts."""
    sys.path.insert(0, str(ROOT))
    from tests.registers.bench_corpus import render_register_of_pages

    return [render_register_of_pages(n, folder / f"generated-{n}p.pdf", seed=n) for n in page_targets]


def run(inputs: list[Path], tools: list[str], reps: int) -> list[dict]:
    rows = []
    for path in inputs:
        pages = pages_of(path)
        for tool in tools:
            runs = [measure(tool, path) for _ in range(reps)]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                rows.append({"input": path.name, "pages": pages, "tool": tool, "error": runs[0]["error"]})
                continue
            secs = statistics.median(r["seconds"] for r in ok)
            rows.append({"input": path.name, "pages": pages, "tool": tool, "seconds": round(secs, 3),
                         "pages_per_s": round(pages / secs, 2),
                         "peak_mb": round(max(r["peak_mb"] for r in ok), 1)})
            print(f"{path.name:28} {pages:4}p {tool:26} {secs:8.2f}s "
                  f"{pages / secs:8.2f} p/s {rows[-1]['peak_mb']:8.1f} MB", flush=True)
    for row in rows:
        base = next((r for r in rows if r["input"] == row["input"]
                     and r["tool"] == "pdfplumber extract_tables" and "pages_per_s" in r), None)
        if base and "pages_per_s" in row:
            row["vs_pdfplumber"] = round(row["pages_per_s"] / base["pages_per_s"], 2)
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, one core per run"


def markdown(rows: list[dict]) -> str:
    out = [f"Machine: {machine()}", "",
           "| input | pages | tool | pages/s | x pdfplumber | peak MB |", "| --- | ---: | --- | ---: | ---: | ---: |"]
    for r in rows:
        if "error" in r:
            out.append(f"| {r['input']} | {r['pages']} | {r['tool']} | failed: {r['error'][:60]} | | |")
        else:
            out.append(f"| {r['input']} | {r['pages']} | {r['tool']} | {r['pages_per_s']} | "
                       f"{r.get('vs_pdfplumber', '')} | {r['peak_mb']} |")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="samples only, one repetition")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pages", default="50,200", help="page counts of generated registers")
    ap.add_argument("--tools", default=",".join(WORKLOADS))
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    a = ap.parse_args()
    tools = a.tools.split(",")
    inputs = list(SAMPLES)
    reps = 1 if a.quick else a.reps
    with tempfile.TemporaryDirectory() as tmp:
        if not a.quick and a.pages:
            inputs += generated_inputs([int(n) for n in a.pages.split(",")], Path(tmp))
        rows = run(inputs, tools, reps)
        text = markdown(rows)
    print()
    print(text)
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    if a.markdown:
        Path(a.markdown).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
