"""Large invented registers for benchmarks: many entries rendered in one layout."""

from __future__ import annotations

from pathlib import Path

from tests.registers.invent import invent_entries
from tests.registers.layouts import LAYOUTS
from tests.registers.render import render_register

ENTRIES_PER_PAGE = 2.7  # entries the word_ruled layout fits on a page, measured


def many_entries(n: int, seed: int) -> list[dict]:
    """n entries with unique references and titles, invented in batches."""
    entries: list[dict] = []
    batch = 0
    while len(entries) < n:
        for e in invent_entries(seed * 1000 + batch, min(20, n - len(entries))):
            k = len(entries) + 1
            e = dict(e, ref=f"CR{k}", title=f"{e['title']} ({k})")
            entries.append(e)
        batch += 1
    return entries


def render_register_of_pages(pages: int, path: str | Path, *, seed: int = 0,
                             layout: str = "word_ruled") -> Path:
    """A register of roughly `pages` pages (the exact count depends on the text)."""
    n = max(2, round(pages * ENTRIES_PER_PAGE))
    info = render_register(many_entries(n, seed), LAYOUTS[layout], path)
    return Path(info.path)
