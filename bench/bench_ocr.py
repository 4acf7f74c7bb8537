"""Benchmark the OCR path: seconds per page on one core, and word F1 against the born-digital twin.

Usage:
    OMP_THREAD_LIMIT=1 .venv/bin/python bench/bench_ocr.py [--scanned PDF] [--truth PDF]
        [--pages 1-3] [--dpi 200 300] [--psm 11] [--mode page cell]

The truth is the text of the twin PDF's ruled tables (pdfplumber's extract_tables). F1 is over
the bag of whitespace-separated words in all table cells of a page (case and punctuation kept);
"s/page" is wall-clock time, "cpu s" the CPU time of
this process and tesseract (the single-core cost, unaffected by other load); "cells" is the share of the twin's non-empty cells whose text the OCR read exactly, where the
shapes agree; "keys" counts short cells holding a digit (references, scores) read exactly.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract on one core, before it is started

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pdfplumber  # noqa: E402

from extract.ocr import DEFAULT_DPI, DEFAULT_PSM, ocr_page  # noqa: E402

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "lancashire-2017q2"


def word_f1(truth: list[str], read: list[str]) -> float:
    """F1 of the bag of words read against the bag of words printed."""
    t, r = Counter(truth), Counter(read)
    hit = sum((t & r).values())
    if not t and not r:
        return 1.0
    if hit == 0:
        return 0.0
    precision, recall = hit / sum(r.values()), hit / sum(t.values())
    return 2 * precision * recall / (precision + recall)


def truth_tables(pdf_path: str) -> dict[int, list[list[list[str]]]]:
    """Each page's ruled tables as text grids, from the born-digital PDF."""
    with pdfplumber.open(pdf_path) as pdf:
        return {
            i + 1: [[[c or "" for c in row] for row in table] for table in page.extract_tables()]
            for i, page in enumerate(pdf.pages)
        }


def words_of(grids: list[list[list[str]]]) -> list[str]:
    return [w for grid in grids for row in grid for cell in row for w in cell.split()]


def exact_cells(truth: list[list[list[str]]], read: list[list[list[str]]]) -> float | None:
    """Share of non-empty truth cells read exactly (line breaks as spaces), if shapes agree."""
    if len(truth) != len(read):
        return None
    hit = total = 0
    for t_grid, r_grid in zip(truth, read, strict=True):
        if len(t_grid) != len(r_grid) or any(
            len(a) != len(b) for a, b in zip(t_grid, r_grid, strict=True)
        ):
            return None
        for t_row, r_row in zip(t_grid, r_grid, strict=True):
            for t, r in zip(t_row, r_row, strict=True):
                if t.strip():
                    total += 1
                    hit += " ".join(t.split()) == " ".join(r.split())
    return hit / total if total else None


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (tesseract runs as a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def key_cells(truth: list[list[list[str]]], read: list[list[list[str]]]) -> tuple[int, int, list]:
    """Short cells holding a digit (references, scores): how many read exactly, of how many.

    Returns (exact, total, misses) where a miss is (truth, read); needs the shapes to agree.
    """
    exact = total = 0
    misses = []
    for t_grid, r_grid in zip(truth, read, strict=False):
        for t_row, r_row in zip(t_grid, r_grid, strict=False):
            for t, r in zip(t_row, r_row, strict=False):
                if t.strip() and len(t) <= 20 and any(ch.isdigit() for ch in t):
                    total += 1
                    if " ".join(t.split()) == " ".join(r.split()):
                        exact += 1
                    else:
                        misses.append((t, r))
    return exact, total, misses


def parse_pages(spec: str, count: int) -> list[int]:
    if spec == "all":
        return list(range(1, count + 1))
    pages: list[int] = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        pages.extend(range(int(a), int(b or a) + 1))
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanned", default=str(FIXTURE / "scanned.pdf"))
    parser.add_argument("--truth", default=str(FIXTURE / "ruled.pdf"))
    parser.add_argument("--pages", default="all")
    parser.add_argument("--dpi", type=int, nargs="+", default=[DEFAULT_DPI])
    parser.add_argument("--psm", type=int, nargs="+", default=[DEFAULT_PSM])
    parser.add_argument("--mode", nargs="+", default=["page"], choices=["page", "cell"])
    args = parser.parse_args(argv)

    truth = truth_tables(args.truth)
    pages = parse_pages(args.pages, len(truth))
    print(f"OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}  scanned={args.scanned}")
    print(
        f"{'dpi':>4} {'psm':>3} {'mode':>4} {'page':>4} {'s/page':>7} {'cpu s':>6} {'wordF1':>7} {'cells':>6} {'keys':>7} "
        f"{'shape':>9} {'skew':>6} {'conf':>5}"
    )
    for dpi in args.dpi:
        for psm in args.psm:
            for mode in args.mode:
                seconds, cpus, f1s, misses = [], [], [], []
                for n in pages:
                    started, cpu_started = time.perf_counter(), cpu_seconds()
                    tables, _ = ocr_page(args.scanned, n, dpi=dpi, psm=psm, mode=mode)
                    seconds.append(time.perf_counter() - started)
                    cpus.append(cpu_seconds() - cpu_started)
                    read = [t.texts() for t in tables if t.layout == "grid"]
                    f1 = word_f1(words_of(truth[n]), words_of(read))
                    f1s.append(f1)
                    cells = exact_cells(truth[n], read)
                    k_exact, k_total, k_misses = key_cells(truth[n], read)
                    misses.extend(k_misses)
                    shape = "x".join(map(str, tables[0].shape)) if tables else "-"
                    report = tables[0].report if tables else {}
                    print(
                        f"{dpi:>4} {psm:>3} {mode:>4} {n:>4} {seconds[-1]:>7.2f} {cpus[-1]:>6.2f} {f1:>7.3f} "
                        f"{'-' if cells is None else f'{cells:.3f}':>6} {f'{k_exact}/{k_total}':>7} {shape:>9} "
                        f"{report.get('skew_degrees', 0):>6.2f} {report.get('mean_confidence') or 0:>5.2f}"
                    )
                print(
                    f"{dpi:>4} {psm:>3} {mode:>4} {'mean':>4} {statistics.fmean(seconds):>7.2f} "
                    f"{statistics.fmean(cpus):>6.2f} {statistics.fmean(f1s):>7.3f}"
                )
                for t, r in misses:
                    print(f"     key cell missed: printed {t!r} read {r!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
