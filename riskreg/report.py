"""`riskreg report`: pictures of the risks, per organisation, from the dataset.

For each organisation: a heat map of residual scores per edition (impact by likelihood, counts in
the cells, on the register's own scale) with a strip for entries printed with a score only, and
the trajectories of linked risks (residual score over the editions, per `risk_uid`, labelled by
the latest title). One PNG per organisation and one self-contained report.html; the dataset
folder gets its datapackage.json (Frictionless) beside the tables.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from riskreg.pipeline import slugify

DEFAULT_LEVELS = 5  # a matrix axis with no printed value is drawn 1-5
MAX_HEATMAPS = 6  # the latest editions drawn as heat maps; the table lists them all
TITLE_CHARS = 42
DPI = 100


@dataclass(frozen=True)
class HeatMap:
    """Counts of entries by (impact, likelihood), and those printed with a score only.

    counts[i - 1][k - 1] is the number of entries with impact i and likelihood k.
    """

    impact_levels: int
    likelihood_levels: int
    counts: tuple[tuple[int, ...], ...]
    score_only: tuple[tuple[int, int], ...]  # (score, entries) for entries with no impact/likelihood
    unscored: int  # entries with no score at all

    def count(self, impact: int, likelihood: int) -> int:
        return self.counts[impact - 1][likelihood - 1]

    @property
    def in_matrix(self) -> int:
        return sum(map(sum, self.counts))


@dataclass(frozen=True)
class EditionView:
    """One edition's entries of one organisation."""

    edition: str
    period: str
    period_start: dt.date | None
    records: list[dict]


def _int(value) -> int | None:
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
        return int(value)
    except (TypeError, ValueError):
        return None


def matrix_levels(records: Iterable[dict]) -> tuple[int, int]:
    """(impact levels, likelihood levels) of the register's matrix: the largest value printed on
    each axis at any stage (5 for an axis never printed), grown until it holds the largest score
    printed (a register printing 25 with impacts up to 4 has a 5x5 matrix)."""
    top = {"impact": 0, "likelihood": 0}
    top_score = 0
    for r in records:
        for stage in ("inherent", "residual"):
            for part in top:
                top[part] = max(top[part], _int(r.get(f"{stage}_{part}")) or 0)
            top_score = max(top_score, _int(r.get(f"{stage}_score")) or 0)
    n_impact, n_likelihood = top["impact"] or DEFAULT_LEVELS, top["likelihood"] or DEFAULT_LEVELS
    while n_impact * n_likelihood < top_score:
        if n_impact <= n_likelihood:
            n_impact += 1
        else:
            n_likelihood += 1
    return n_impact, n_likelihood


def heatmap_counts(records: Iterable[dict], levels: tuple[int, int] | None = None,
                   stage: str = "residual") -> HeatMap:
    """Count entries into the impact x likelihood matrix of one stage. Entries printed with a
    score only are counted by score beside the matrix, never placed in a guessed cell."""
    records = list(records)
    n_impact, n_likelihood = levels or matrix_levels(records)
    grid = [[0] * n_likelihood for _ in range(n_impact)]
    score_only: Counter[int] = Counter()
    unscored = 0
    for r in records:
        impact, likelihood = _int(r.get(f"{stage}_impact")), _int(r.get(f"{stage}_likelihood"))
        score = _int(r.get(f"{stage}_score"))
        if impact and likelihood and impact <= n_impact and likelihood <= n_likelihood:
            grid[impact - 1][likelihood - 1] += 1
        elif score is not None:
            score_only[score] += 1
        else:
            unscored += 1
    return HeatMap(n_impact, n_likelihood, tuple(map(tuple, grid)),
                   tuple(sorted(score_only.items())), unscored)


def editions_of(records: list[dict]) -> list[EditionView]:
    """One organisation's records grouped by edition, oldest first (in the order linking uses)."""
    from match.link import edition_sort_key

    groups: dict[str, list[dict]] = {}
    for r in records:
        groups.setdefault(r["edition"], []).append(r)
    views = []
    for edition, rows in groups.items():
        starts = [r["period_start"] for r in rows if r.get("period_start") is not None]
        views.append(EditionView(edition, rows[0]["period"], min(starts, default=None), rows))
    return sorted(views, key=lambda v: edition_sort_key(v.edition, v.period, v.period_start))


@dataclass(frozen=True)
class Trajectory:
    """One linked risk's residual scores over the editions, and its latest ref and title."""

    risk_uid: str
    points: tuple[tuple[dt.date, int], ...]
    ref: str
    title: str


def trajectories(editions: list[EditionView], kind: str = "risk") -> list[Trajectory]:
    """Risks seen (with a residual score) in two editions or more, by risk_uid."""
    by_uid: dict[str, list[tuple[EditionView, dict]]] = {}
    for view in editions:
        for r in view.records:
            if r.get("risk_uid") and r.get("kind") == kind:
                by_uid.setdefault(r["risk_uid"], []).append((view, r))
    out = []
    for uid, seen in by_uid.items():
        points = tuple((v.period_start, s) for v, r in seen
                       if v.period_start and (s := _int(r.get("residual_score"))) is not None)
        if len({p for p, _ in points}) < 2:
            continue
        latest = seen[-1][1]
        out.append(Trajectory(uid, points, latest["ref"], latest.get("title") or ""))
    return sorted(out, key=lambda t: (-t.points[-1][1], t.ref))


def truncate(text: str, limit: int = TITLE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- drawing


def figure_size(n_heatmaps: int) -> tuple[float, float]:
    """The figure's size in inches for this many heat maps (PNG pixels = inches x DPI)."""
    return (max(10.0, 3.4 * max(n_heatmaps, 1) + 1.0), 9.5)


def organisation_figure(organisation: str, editions: list[EditionView], kind: str = "risk"):
    """The organisation's heat maps (latest editions) over its linked risks' trajectories."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpec

    shown = editions[-MAX_HEATMAPS:]
    levels = matrix_levels(r for v in editions for r in v.records)  # risks and opportunities share it
    fig = plt.figure(figsize=figure_size(len(shown)), dpi=DPI)
    fig.suptitle(f"{organisation}: residual {kind} scores", fontsize=14, x=0.01, ha="left")
    grid = GridSpec(3, max(len(shown), 1), figure=fig, height_ratios=[3.4, 0.6, 4.2],
                    hspace=0.55, wspace=0.35, left=0.06, right=0.98, top=0.9, bottom=0.07)
    for i, view in enumerate(shown):
        records = [r for r in view.records if r.get("kind") == kind]
        heat = heatmap_counts(records, levels)
        draw_heatmap(fig.add_subplot(grid[0, i]), heat, f"{view.period} ({len(records)} {kind}s)")
        draw_score_strip(fig.add_subplot(grid[1, i]), heat)
    if len(editions) > len(shown):
        fig.text(0.99, 0.93, f"latest {len(shown)} of {len(editions)} editions shown",
                 ha="right", fontsize=9, color="#555")
    draw_trajectories(fig.add_subplot(grid[2, :]), trajectories(editions, kind), editions, kind)
    return fig


def _score_colour(score: float, top: float):
    from matplotlib import colormaps

    return colormaps["RdYlGn_r"](0.1 + 0.8 * min(score / top, 1.0) if top else 0.5)


def draw_heatmap(ax, heat: HeatMap, title: str) -> None:
    """Impact (rows, 1 at the bottom) by likelihood (columns), each cell tinted by its score."""
    top = heat.impact_levels * heat.likelihood_levels
    for i in range(1, heat.impact_levels + 1):
        for k in range(1, heat.likelihood_levels + 1):
            n = heat.count(i, k)
            ax.add_patch(_rect(k - 0.5, i - 0.5, _score_colour(i * k, top), 0.35 if not n else 0.9))
            if n:
                ax.text(k, i, str(n), ha="center", va="center", fontsize=13, fontweight="bold")
    ax.set_xlim(0.5, heat.likelihood_levels + 0.5)
    ax.set_ylim(0.5, heat.impact_levels + 0.5)
    ax.set_xticks(range(1, heat.likelihood_levels + 1))
    ax.set_yticks(range(1, heat.impact_levels + 1))
    ax.set_xlabel("likelihood", fontsize=9)
    ax.set_ylabel("impact", fontsize=9)
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8, length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _rect(x, y, colour, alpha):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), 1, 1, facecolor=colour, alpha=alpha, edgecolor="white", linewidth=2)


def draw_score_strip(ax, heat: HeatMap) -> None:
    """Entries printed with a score only, counted by score (not placed in the matrix)."""
    ax.set_axis_off()
    if not heat.score_only:
        note = "every scored entry is in the matrix"
        if heat.unscored:
            note += f"; {heat.unscored} without a score"
        ax.text(0.5, 0.5, note, ha="center", va="center", fontsize=8, color="#555",
                transform=ax.transAxes)
        return
    top = heat.impact_levels * heat.likelihood_levels
    n = len(heat.score_only)
    ax.set_xlim(0, max(n, 5))
    ax.set_ylim(0, 1)
    for j, (score, count) in enumerate(heat.score_only):
        ax.add_patch(_rect(j, 0, _score_colour(score, top), 0.9))
        ax.text(j + 0.5, 0.64, str(count), ha="center", va="center", fontsize=10,
                fontweight="bold")
        ax.text(j + 0.5, 0.24, f"score {score}", ha="center", va="center", fontsize=7)
    total = sum(c for _, c in heat.score_only)
    extra = f"; {heat.unscored} without a score" if heat.unscored else ""
    ax.set_title(f"score only, no impact x likelihood printed ({total}){extra}", fontsize=8,
                 color="#444", loc="left")


def draw_trajectories(ax, paths: list[Trajectory], editions: list[EditionView], kind: str) -> None:
    """Residual score over the editions for each linked risk, labelled at its latest point."""
    from matplotlib import colormaps
    from matplotlib.ticker import MaxNLocator

    dates = [v.period_start for v in editions if v.period_start]
    ax.set_title(f"linked {kind}s across editions (residual score; label: latest ref and title)",
                 fontsize=10, loc="left")
    if not paths:
        why = ("run `riskreg link` to link editions" if not any(
            r.get("risk_uid") for v in editions for r in v.records)
            else f"no {kind} is in two editions with a residual score")
        ax.text(0.5, 0.5, f"no trajectories: {why}", ha="center", va="center",
                transform=ax.transAxes, color="#555")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    palette = colormaps["tab10"]
    ends = []
    for n, path in enumerate(paths):
        xs = [p for p, _ in path.points]
        ys = [s for _, s in path.points]
        colour = palette(n % 10)
        jitter = ((n % 5) - 2) * 0.12  # keep identical paths apart
        ax.plot(xs, [y + jitter for y in ys], marker="o", markersize=4, linewidth=1.6,
                color=colour, alpha=0.9)
        ends.append((ys[-1] + jitter, f"{path.ref} {truncate(path.title)}", colour, xs[-1]))
    top_score = max(s for p in paths for _, s in p.points)
    ax.set_ylim(0, max(top_score + 2, 10))
    span = (max(dates) - min(dates)).days or 90
    ax.set_xlim(min(dates) - dt.timedelta(days=span * 0.05), max(dates) + dt.timedelta(days=span * 0.9))
    ax.set_xticks(dates, [v.period for v in editions if v.period_start], fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("residual score", fontsize=9)
    ax.grid(axis="y", color="#eee")
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    label_x = max(dates) + dt.timedelta(days=span * 0.06)
    gap = (ax.get_ylim()[1] - ax.get_ylim()[0]) / 17
    for y_end, y_label, text, colour, x_end in _spread_labels(ends, gap):
        ax.annotate(text, xy=(x_end, y_end), xytext=(label_x, y_label), fontsize=7.5,
                    color=colour, va="center",
                    arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.6, "alpha": 0.6,
                                "relpos": (0, 0.5)})


def _spread_labels(ends: list[tuple], gap: float) -> list[tuple]:
    """Labels' heights pushed apart so that they do not overlap: (y, label y, text, colour, x)."""
    ordered = sorted(ends, key=lambda e: e[0])
    placed: list[float] = []
    for y, *_ in ordered:
        placed.append(max(y, placed[-1] + gap) if placed else y)
    overflow = placed[-1] - (max(e[0] for e in ends) + gap * 3) if placed else 0
    if overflow > 0:  # shift the whole column down rather than off the top
        placed = [p - overflow for p in placed]
    return [(e[0], p, e[1], e[2], e[3]) for e, p in zip(ordered, placed, strict=True)]


# --------------------------------------------------------------------------- HTML


def report_html(sections: list[tuple[str, list[EditionView], bytes]]) -> str:
    """One self-contained page: per organisation, its picture and its risks by edition."""
    body = ["<h1>riskreg report</h1>"]
    body.append("<p>" + ", ".join(f"<a href='#{slugify(o)}'>{_e(o)}</a>" for o, _, _ in sections)
                + "</p>")
    for organisation, editions, png in sections:
        body.append(f"<h2 id='{slugify(organisation)}'>{_e(organisation)}</h2>")
        body.append(f"<p>{len(editions)} edition(s): "
                    + ", ".join(_e(v.period) for v in editions) + "</p>")
        body.append(f"<img alt='heat maps and trajectories of {_e(organisation)}' "
                    f"src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>")
        body.append(scores_table(editions))
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>riskreg report</title>"
            f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n")


def scores_table(editions: list[EditionView]) -> str:
    """Every entry (by risk_uid, else edition and ref) with its residual score per edition."""
    rows: dict[str, dict] = {}
    for view in editions:
        for r in view.records:
            key = r.get("risk_uid") or f"{view.edition}/{r['kind']}/{r['ref']}"
            row = rows.setdefault(key, {"kind": r["kind"], "scores": {}})
            row.update(ref=r["ref"], title=r.get("title") or "")  # the latest wins
            row["scores"][view.edition] = _int(r.get("residual_score"))
    head = "".join(f"<th>{_e(v.period)}</th>" for v in editions)
    lines = []
    for row in sorted(rows.values(), key=lambda r: (r["kind"], _ref_key(r["ref"]))):
        cells = "".join(
            "<td class=num>{}</td>".format("" if (s := row["scores"].get(v.edition)) is None else s)
            if v.edition in row["scores"] else "<td class=absent>-</td>" for v in editions)
        lines.append(f"<tr><td>{_e(row['kind'])}</td><td>{_e(row['ref'])}</td>"
                     f"<td>{_e(row['title'])}</td>{cells}</tr>")
    return ("<table><tr><th>kind</th><th>latest ref</th><th>latest title</th>"
            f"{head}</tr>{''.join(lines)}</table>")


def _ref_key(ref: str):
    digits = "".join(ch for ch in ref if ch.isdigit())
    return (ref.rstrip("0123456789"), int(digits) if digits else 0, ref)


def _e(text) -> str:
    return html.escape(str(text), quote=True)


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
img{max-width:100%;border:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.num{text-align:right}.absent{color:#bbb;text-align:center}
"""


# --------------------------------------------------------------------------- the command


def run_report(out: str, dest: str) -> list[Path]:
    """Write report-<organisation>.png per organisation and report.html into `dest`, and
    datapackage.json into the dataset folder `out`; the paths written."""
    import matplotlib

    matplotlib.use("Agg")
    import io

    import matplotlib.pyplot as plt

    from riskreg.dataset import Dataset
    from riskreg.docs import write_datapackage
    from riskreg.schema import RECORDS

    records = Dataset(out).read(RECORDS).to_pylist()
    if not records:
        raise ValueError(f"{out}: no records in the dataset (run `riskreg ingest` or "
                         "`riskreg build` first)")
    folder = Path(dest)
    folder.mkdir(parents=True, exist_ok=True)
    by_org: dict[str, list[dict]] = {}
    for r in records:
        by_org.setdefault(r["organisation"], []).append(r)
    written: list[Path] = []
    sections = []
    for organisation in sorted(by_org):
        editions = editions_of(by_org[organisation])
        fig = organisation_figure(organisation, editions)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        plt.close(fig)
        png = buffer.getvalue()
        path = folder / f"report-{slugify(organisation)}.png"
        path.write_bytes(png)
        written.append(path)
        sections.append((organisation, editions, png))
    page = folder / "report.html"
    page.write_text(report_html(sections), encoding="utf-8")
    written.append(page)
    written.append(write_datapackage(Path(out)))
    return written
