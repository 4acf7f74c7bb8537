"""Benchmark of `riskreg build` on a generated corpus: 1 vs 2 workers, and a no-change rebuild.

Registers are rendered from invented records (tests/registers) into RAW/<organisation>/, a
few editions per organisation, in several layouts. Every build starts from an empty dataset
except the no-change rebuild, which follows the 2-worker build. Targets (issue 8): speedup
>= 1.7x with 2 workers on 2 cores; a no-change rebuild <= 2% of the full build's time.

usage: python bench/build.py [--files 200] [--json OUT] [--markdown OUT]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LAYOUTS = ("word_ruled", "word_unruled", "two_level_impact_first", "lxi_rag", "four_by_four_rotated")
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def make_corpus(raw: Path, files: int) -> int:
    """Render `files` registers: organisations of four quarterly editions each."""
    from tests.registers.invent import invent_entries
    from tests.registers.layouts import LAYOUTS as ALL
    from tests.registers.render import render_register

    pages = 0
    for i in range(files):
        org, quarter = divmod(i, len(QUARTERS))
        layout = ALL[LAYOUTS[org % len(LAYOUTS)]]
        folder = raw / f"organisation-{org:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        title = f"Organisation {org} Council Corporate Risk Register {QUARTERS[quarter]} 2021/22"
        entries = invent_entries(seed=org, n=6 + (i % 5), scale=layout.scale)
        info = render_register(entries, layout, folder / f"register-{QUARTERS[quarter].lower()}-2021-22.pdf",
                               title=title)
        pages += info.pages
    return pages



def timed_build(raw: Path, out: Path, workers: int) -> tuple[float, str]:
    riskreg = str(Path(sys.executable).with_name("riskreg"))
    t = time.perf_counter()
    p = subprocess.run([riskreg, "build", str(raw), "--out", str(out), "--workers", str(workers)],
                       capture_output=True, text=True)
    secs = time.perf_counter() - t
    summary = next((ln for ln in p.stdout.splitlines() if ln.startswith("build:")), p.stderr[-300:])
    return secs, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        pages = make_corpus(raw, a.files)
        print(f"corpus: {a.files} registers, {pages} pages", flush=True)
        rows = {}
        for workers in (1, 2):
            out = Path(tmp) / f"clean-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            rows[f"full build, {workers} worker(s)"] = timed_build(raw, out, workers)
            print(rows[f"full build, {workers} worker(s)"], flush=True)
        rows["no-change rebuild"] = timed_build(raw, Path(tmp) / "clean-2", 2)
    one = rows["full build, 1 worker(s)"][0]
    two = rows["full build, 2 worker(s)"][0]
    again = rows["no-change rebuild"][0]
    lines = [f"Corpus: {a.files} generated registers, {pages} pages.", "",
             "| run | seconds | summary |", "| --- | ---: | --- |"]
    lines += [f"| {k} | {v[0]:.1f} | {v[1]} |" for k, v in rows.items()]
    lines += ["", f"Speedup with 2 workers: {one / two:.2f}x (target >= 1.7x). "
                  f"No-change rebuild: {100 * again / two:.1f}% of the full build (target <= 2%)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.markdown:
        Path(a.markdown).write_text(text)
    if a.json:
        Path(a.json).write_text(json.dumps({k: v[0] for k, v in rows.items()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
