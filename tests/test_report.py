"""riskreg report: heat maps per edition, trajectories of linked risks, PNG and HTML."""

import base64
import datetime as dt
import html
import json
import re

import pytest
from click.testing import CliRunner
from PIL import Image

from riskreg.cli import main
from riskreg.dataset import Dataset
from riskreg.report import (
    DPI,
    editions_of,
    figure_size,
    heatmap_counts,
    matrix_levels,
    run_report,
    trajectories,
    truncate,
)
from riskreg.schema import RECORDS, datapackage, to_arrow

ORG = "Borsetshire Fire and Rescue Authority"
Q1, Q2 = dt.date(2023, 4, 1), dt.date(2023, 7, 1)


def row(period, start, ref, title, uid, score=None, impact=None, likelihood=None, kind="risk"):
    edition = f"borsetshire-fire-and-rescue-authority/{period}"
    return {"organisation": ORG, "period": period, "period_start": start, "edition": edition,
            "source_file": f"borsetshire/{period[-2:]}.pdf", "source_sha256": "0" * 64,
            "kind": kind, "ref": ref, "title": title, "method": "lattice", "risk_uid": uid,
            "residual_score": score, "residual_impact": impact, "residual_likelihood": likelihood}


ROWS = [
    row("2023/24 Q1", Q1, "CR1", "Fleet replacement delayed", "u1", 12, 4, 3),
    row("2023/24 Q1", Q1, "CR2", "Retained firefighter availability", "u2", 20),  # score only
    row("2023/24 Q1", Q1, "CR3", "Pension remedy costs", "u4"),  # no score at all
    row("2023/24 Q1", Q1, "CO1", "Shared estates with the police", "o1", 9, 3, 3, kind="opportunity"),
    row("2023/24 Q2", Q2, "CR7", "Fleet replacement programme delayed by supply chain", "u1", 8, 4, 2),
    row("2023/24 Q2", Q2, "CR2", "Retained firefighter availability", "u2", 20, 5, 4),
    row("2023/24 Q2", Q2, "CR8", "Cyber attack on the control room", "u3", 9, 3, 3),
]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    dataset = Dataset(out)
    dataset.ensure()  # as ingest leaves it: all three tables
    dataset.write(RECORDS, to_arrow(RECORDS, ROWS))
    return out


@pytest.fixture(scope="module")
def written(dataset, tmp_path_factory):
    dest = tmp_path_factory.mktemp("report")
    return run_report(str(dataset), str(dest)), dest


def test_report_writes_a_png_per_organisation_of_the_expected_size(written):
    paths, dest = written
    png = dest / "report-borsetshire-fire-and-rescue-authority.png"
    assert png in paths
    image = Image.open(png)
    image.load()
    assert image.format == "PNG"
    width, height = figure_size(2)
    assert image.size == (round(width * DPI), round(height * DPI))
    colours = image.convert("RGB").getcolors(1 << 24)
    assert len(colours) > 50  # drawn, not blank


def test_report_html_names_the_organisation_periods_and_titles(written):
    paths, dest = written
    page = dest / "report.html"
    assert page in paths
    text = page.read_text()
    assert text.startswith("<!doctype html>")
    assert html.escape(ORG) in text
    assert "2023/24 Q1" in text and "2023/24 Q2" in text
    for title in ("Fleet replacement programme delayed by supply chain",
                  "Retained firefighter availability", "Cyber attack on the control room",
                  "Pension remedy costs", "Shared estates with the police"):
        assert html.escape(title) in text
    # the renumbered risk is one row: latest ref and title, both editions' scores
    assert re.search(r"<td>CR7</td><td>Fleet replacement programme delayed by supply chain</td>"
                     r"<td class=num>12</td><td class=num>8</td>", text)
    # a risk new in Q2 is absent from Q1
    assert re.search(r"<td>CR8</td><td>Cyber attack on the control room</td>"
                     r"<td class=absent>-</td><td class=num>9</td>", text)
    embedded = re.search(r"src='data:image/png;base64,([^']+)'", text)
    assert base64.b64decode(embedded.group(1)) == (
        dest / "report-borsetshire-fire-and-rescue-authority.png").read_bytes()


def test_report_writes_datapackage_beside_the_tables(written, dataset):
    paths, _ = written
    package = dataset / "datapackage.json"
    assert package in paths
    assert json.loads(package.read_text()) == datapackage()
    for resource in json.loads(package.read_text())["resources"]:
        assert (dataset / resource["path"]).exists()


def test_report_command(dataset, tmp_path):
    result = CliRunner().invoke(main, ["report", "--out", str(dataset), "--dest", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "report-borsetshire-fire-and-rescue-authority.png", "report.html"]
    empty = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "none"),
                                      "--dest", str(tmp_path / "r")])
    assert empty.exit_code == 1
    assert "no records" in empty.output and "riskreg build" in empty.output
    assert "--dest" in CliRunner().invoke(main, ["report", "--help"]).output


# --------------------------------------------------------------------------- small functions


def test_heatmap_counts_cells_and_keeps_score_only_entries_apart():
    records = [{"residual_impact": 4, "residual_likelihood": 3, "residual_score": 12},
               {"residual_impact": 4, "residual_likelihood": 3, "residual_score": 12},
               {"residual_impact": 5, "residual_likelihood": 4, "residual_score": 20},
               {"residual_score": 16}, {"residual_score": 16}, {"residual_score": 25},
               {"residual_score": None}]
    heat = heatmap_counts(records)
    assert (heat.impact_levels, heat.likelihood_levels) == (5, 5)
    assert heat.count(4, 3) == 2 and heat.count(5, 4) == 1
    assert heat.in_matrix == 3  # score-only entries are never placed in a guessed cell
    assert heat.score_only == ((16, 2), (25, 1))
    assert heat.unscored == 1
    expected = [[0] * 5 for _ in range(5)]
    expected[3][2], expected[4][3] = 2, 1
    assert [list(r) for r in heat.counts] == expected


def test_heatmap_counts_by_stage_and_given_levels():
    records = [{"inherent_impact": 2, "inherent_likelihood": 4, "inherent_score": 8,
                "residual_impact": 1, "residual_likelihood": 1, "residual_score": 1},
               {"inherent_impact": 6, "inherent_likelihood": 1, "inherent_score": 6}]
    heat = heatmap_counts(records, levels=(4, 4), stage="inherent")
    assert heat.count(2, 4) == 1
    assert heat.score_only == ((6, 1),)  # impact 6 is off a 4x4 matrix: counted by score


@pytest.mark.parametrize("records, levels", [
    pytest.param([], (5, 5), id="nothing-printed-5x5"),
    pytest.param([{"residual_score": 16}], (5, 5), id="scores-only-default"),
    pytest.param([{"residual_impact": 4, "residual_likelihood": 4, "residual_score": 16}], (4, 4),
                 id="4x4-register"),
    pytest.param([{"residual_impact": 4, "residual_likelihood": 4, "residual_score": 16},
                  {"inherent_score": 25}], (5, 5), id="scores-outgrow-the-axes"),
    pytest.param([{"inherent_impact": 6, "inherent_likelihood": 4, "inherent_score": 24}], (6, 4),
                 id="6x4-register"),
    pytest.param([{"residual_impact": 3, "residual_likelihood": 2, "residual_score": 6}], (3, 2),
                 id="small-scale"),
    pytest.param([{"residual_score": 36}], (6, 6), id="6x6-by-score"),
])
def test_matrix_levels(records, levels):
    assert matrix_levels(records) == levels


def test_trajectories_follow_risk_uid_with_the_latest_title():
    paths = trajectories(editions_of(ROWS))
    assert [(t.risk_uid, t.ref, t.points) for t in paths] == [
        ("u2", "CR2", ((Q1, 20), (Q2, 20))),
        ("u1", "CR7", ((Q1, 12), (Q2, 8))),
    ]  # u3 is in one edition only, u4 has no score; opportunities are not risks
    assert paths[1].title == "Fleet replacement programme delayed by supply chain"
    assert trajectories(editions_of(ROWS), kind="opportunity") == []


def test_editions_are_ordered_by_period_start():
    views = editions_of(list(reversed(ROWS)))
    assert [v.period for v in views] == ["2023/24 Q1", "2023/24 Q2"]
    assert [len(v.records) for v in views] == [4, 3]


def test_editions_are_ordered_as_linking_orders_them():
    import pandas as pd

    from match.link import edition_order

    undated = [dict(r, period="undated", period_start=None,
                    edition="borsetshire-fire-and-rescue-authority/undated") for r in ROWS[:2]]
    rows = undated + list(reversed(ROWS))
    assert [v.edition for v in editions_of(rows)] == edition_order(pd.DataFrame(rows))
    assert [v.period for v in editions_of(rows)] == ["2023/24 Q1", "2023/24 Q2", "undated"]


@pytest.mark.parametrize("text, expected", [
    pytest.param("Short title", "Short title", id="short"),
    pytest.param("a  b\nc", "a b c", id="whitespace"),
    pytest.param("x" * 50, "x" * 41 + "…", id="long"),
])
def test_truncate(text, expected):
    assert truncate(text) == expected
