"""The flow reader on invented registers rendered as OCR flow text (tests/registers/flowtext):
rows read column by column and rows read across, scored against the invented truth with the
eval's own bag-of-words F1 (a text field is right at F1 >= 0.9)."""

from __future__ import annotations

import pytest

from extract.text import read_text
from normalise.flow import flow_to_records
from normalise.profiles import load_profile
from tests.registers.flowtext import TEXT_ORDER, render_flow_text, word_f1, words

SEEDS = range(8)


def _read(tmp_path_factory, **options):
    profile = load_profile()
    out = []
    for seed in SEEDS:
        text, entries = render_flow_text(seed, 10, **options)
        path = tmp_path_factory.mktemp("flow") / f"register-{seed}.txt"
        path.write_text(text, encoding="utf-8")
        table = read_text(str(path)).tables[0]
        records, _ = flow_to_records(table, profile, scale=profile.scale)
        out.append((entries, {r.ref: r for r in records}, records))
    return out


@pytest.fixture(scope="module")
def readings(tmp_path_factory):
    return _read(tmp_path_factory)


@pytest.fixture(scope="module")
def sub_row_readings(tmp_path_factory):
    """Registers where half the rows read across carry a sub-row: a second title, category
    and items printed across under the same reference, with no scores of their own."""
    return _read(tmp_path_factory, across_share=0.6, sub_rows=0.5)


@pytest.fixture(scope="module")
def page_break_readings(tmp_path_factory):
    """Registers where half the rows go on past a page break, under the header read down."""
    return _read(tmp_path_factory, page_breaks=0.5)


def _field_scores(readings, mode, *, sub_rows=False, page_break=None):
    scores = {}
    for entries, by_ref, _ in readings:
        for entry in entries:
            if entry["read"] != mode or entry.get("sub_row", False) != sub_rows:
                continue
            if page_break is not None and entry.get("page_break", False) != page_break:
                continue
            rec = by_ref[entry["ref"]]
            for name in TEXT_ORDER:
                if words(entry.get(name)):
                    scores.setdefault(name, []).append(word_f1(entry.get(name), getattr(rec, name)))
    return scores


def test_every_entry_found_once_with_its_scores_and_label(readings):
    for entries, by_ref, records in readings:
        assert [r.ref for r in records] == [e["ref"] for e in entries]
        for entry in entries:
            rec = by_ref[entry["ref"]]
            got = (
                rec.inherent_score,
                rec.residual_score,
                rec.residual_impact,
                rec.residual_likelihood,
            )
            want = (
                entry["inherent_score"],
                entry["residual_score"],
                entry["residual_impact"],
                entry["residual_likelihood"],
            )
            assert got == want, (entry["ref"], entry["read"])


def test_rows_read_column_by_column(readings):
    scores = _field_scores(readings, "columns")
    cells = [s for values in scores.values() for s in values]
    assert sum(s >= 0.9 for s in cells) / len(cells) >= 0.98
    assert all(min(values) >= 0.5 for values in scores.values()), scores


def test_rows_read_across(readings):
    """Interleaved columns cut by widths: a floor against regressions, per field."""
    floors = {"title": 0.86, "category": 0.95, "consequences": 0.84, "controls": 0.92,
              "actions": 0.95, "owner": 0.9, "direction_text": 0.93}  # fmt: skip
    short = _below(_field_scores(readings, "across"), floors)
    assert not short, short


def _below(scores: dict[str, list[float]], floors: dict[str, float]) -> dict[str, float]:
    """The fields whose mean F1 is under its floor, with the mean."""
    mean = {name: sum(v) / len(v) for name, v in scores.items()}
    return {name: round(mean[name], 3) for name, floor in floors.items() if mean[name] < floor}


def test_rows_read_across_say_so(readings):
    for entries, by_ref, _ in readings:
        for entry in entries:
            rec = by_ref[entry["ref"]]
            if entry["read"] == "across":
                assert rec.confidence <= 0.5
                assert any("read across" in w for w in rec.warnings)


def test_sub_rows_are_read_into_their_row(sub_row_readings):
    """A sub-row is no new entry, and its title, category and items join its row's fields
    (a title starting again at a line's start opens the row's fields again)."""
    said = {True: [], False: []}
    for entries, by_ref, records in sub_row_readings:
        assert [r.ref for r in records] == [e["ref"] for e in entries]
        for entry in entries:
            warned = any("sub-row" in w for w in by_ref[entry["ref"]].warnings)
            said[entry.get("sub_row", False)].append(warned)
    assert sum(said[True]) >= 0.8 * len(said[True])  # the record says it holds sub-rows
    assert not any(said[False])
    scores = _field_scores(sub_row_readings, "across", sub_rows=True)
    assert len(scores["title"]) >= 15
    floors = {"title": 0.88, "category": 0.84, "consequences": 0.92, "controls": 0.95,
              "actions": 0.95}  # fmt: skip
    short = _below(scores, floors)
    assert not short, short


def test_rows_go_on_past_a_page_break(page_break_readings):
    """A row's lines go on under its table's header repeated, read down, at the next page's
    top: the header is no row and no field's text, and the lines under it are the row's
    (they were lost when the header was not known, or read into the row as text)."""
    header_words = {"Mitigating Actions", "Risk Description", "Current Controls"}
    broken = 0
    for entries, _, records in page_break_readings:
        assert [r.ref for r in records] == [e["ref"] for e in entries]
        broken += sum(bool(e.get("page_break")) for e in entries)
        for rec in records:
            for name in TEXT_ORDER:
                assert not any(h in (getattr(rec, name) or "") for h in header_words), rec.ref
    assert broken >= 20
    columns = [s for v in _field_scores(page_break_readings, "columns", page_break=True).values()
               for s in v]
    assert sum(s >= 0.9 for s in columns) / len(columns) >= 0.95
    floors = {"title": 0.88, "category": 0.95, "consequences": 0.82, "controls": 0.92,
              "actions": 0.93, "owner": 0.9, "direction_text": 0.82}  # fmt: skip
    short = _below(_field_scores(page_break_readings, "across", page_break=True), floors)
    assert not short, short
