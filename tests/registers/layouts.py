"""Layouts of invented registers, as data: one frozen spec per way real registers are drawn.

A column's `field` says what it shows:
  - a text field of the contract: ref, title, category, cause, consequences, controls,
    actions, progress, owner, direction_text;
  - "title+consequences": one "Risk and effects" cell with `Risk:-` and `Effects:-` sections;
  - a rating in one cell, "inherent" or "residual", drawn by `score_format`:
      number        "16"                  -> score only
      number_label  "12" / "Major/Possible" -> score, impact and likelihood
      lxi           "4 x 5 = 20" (L x I)  -> score, impact and likelihood
      rag           "Amber" on an amber fill -> nothing scored; the word goes to extra
      rag_fill      no text, only the cell's fill -> nothing scored; the fill's colour name
                    ("Red", "Amber", "Green") goes to extra under the header, as a word would
  - a bare number: inherent_impact, residual_likelihood, target_score ... ("TBC" or blank
    where the entry has no target);
  - target_impact / target_likelihood, review_date, priority, previous_score, target_date,
    action_owner: printed, but no contract field, so they belong in `extra` under the column's
    header ("Previous Score" is not a score of this edition, "Target Date" not a target score,
    "Action Owner" not the risk owner).
  - "cause+consequences": one "Cause & Effect" cell, a `Cause:` and an `Effect:` section.

Forms: "table" (one table, header repeated on each page), "per_page" (one risk per page as a
label/value table), "cards" (one small ruled table per risk, header row and values, several
to a page). `bullet="numbered"` numbers items "1." "2." with some as sub-items "a)" "b)".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from reportlab.lib.pagesizes import A3, A4, landscape, portrait

PAGE_SIZES = {
    "A4-landscape": landscape(A4),
    "A3-landscape": landscape(A3),
    "A4-portrait": portrait(A4),
}

# Fields whose printed value lands in `extra`, keyed by the column header.
EXTRA_FIELDS = (
    "target_impact",
    "target_likelihood",
    "review_date",
    "priority",
    "previous_score",
    "target_date",
    "action_owner",
)


@dataclass(frozen=True)
class ColumnSpec:
    header: str  # as printed; "\n" forces a line break in the header cell
    field: str
    width: float  # points
    group: str | None = None  # upper header of a two-level header
    score_format: str = "number"
    rotate_header: bool = False
    highlight: bool = False  # per-line background boxes behind the cell's text


@dataclass(frozen=True)
class TableSpec:
    kind: str  # risk | opportunity
    columns: tuple[ColumnSpec, ...]
    heading: str | None = None  # paragraph drawn above the table


@dataclass(frozen=True)
class HeaderStyle:
    background: str | None = "#d9d9d9"
    text_color: str = "#000000"
    bold: bool = True
    font_size: float = 7.5


@dataclass(frozen=True)
class Layout:
    name: str
    organisation: str
    period_text: str  # as printed in the title
    period: str  # as riskreg should normalise it
    tables: tuple[TableSpec, ...]
    pagesize: str = "A4-landscape"
    ruled: str = "grid"  # grid | none | horizontal
    header_style: HeaderStyle = field(default_factory=HeaderStyle)
    form: str = "table"  # table | per_page | cards (see the module's docstring)
    title_in_table: bool = False  # the title as a merged first row inside the ruled grid
    bullet: str = "\u2022"  # or "numbered": 1. 2. with sub-items a) b)
    bullet_font: str | None = None  # e.g. "Symbol": a symbol-font glyph for the bullet
    font: str = "Vera"
    font_size: float = 7.5
    scale: int = 5
    seed: int = 1
    n_entries: int = 8
    ref_style: str = "CR{n}"
    n_opportunities: int = 0
    opportunity_ref_style: str = "CO{n}"
    bands: tuple[tuple[str, int, int], ...] = ()  # (heading, lowest, highest residual score)
    legend: bool = False  # a "Key to Scores" matrix after the register
    footer_in_table: bool = False  # footer drawn across the bottom of the table area
    register_name: str = "Corporate Risk Register"
    scanned: bool = False  # printed, scanned (tests/registers/scan.py): an image-only PDF

    @property
    def title(self) -> str:
        return f"{self.organisation} {self.register_name} {self.period_text}"

    @property
    def keyed_by_title(self) -> bool:
        return not any(c.field == "ref" for t in self.tables for c in t.columns)


C = ColumnSpec

_WORD_RISK_COLUMNS = (
    C("Risk\nIdentification\nNumber (RIN)", "ref", 44),
    C("Risk Description", "title", 88),
    C("Risk Type", "category", 46),
    C("Possible Consequences", "consequences", 108),
    C("Current Controls", "controls", 130),
    C("Risk Score", "inherent", 50, score_format="number_label"),
    C("Mitigating Actions", "actions", 140),
    C("Residual Score", "residual", 44),
    C("Risk Owner", "owner", 58),
    C("Direction of Travel", "direction_text", 66),
)
_WORD_OPPORTUNITY_COLUMNS = (
    C("Opportunity\nReference\nNumber (ORN)", "ref", 44),
    C("Opportunity Description", "title", 88),
    C("Opportunity Type", "category", 46),
    C("Possible Benefits", "consequences", 108),
    C("Progress to date", "controls", 130),
    C("Opportunity Score", "inherent", 50, score_format="number_label"),
    C("Maximising Actions", "actions", 140),
    C("Residual Score", "residual", 44),
    C("Opportunity Owner", "owner", 58),
    C("Direction of Travel", "direction_text", 66),
)


def _grouped(group: str, order: tuple[str, ...], prefix: str, width: float = 30) -> tuple:
    names = {"impact": "Impact", "likelihood": "Likelihood", "score": "Score"}
    return tuple(C(names[o], f"{prefix}_{o}", width, group=group) for o in order)


WORD_RULED = Layout(
    name="word_ruled",
    organisation="Northmoor County Council",
    period_text="Q3 2021/22",
    period="2021/22 Q3",
    tables=(
        TableSpec("risk", _WORD_RISK_COLUMNS),
        TableSpec("opportunity", _WORD_OPPORTUNITY_COLUMNS, heading="Corporate Opportunities"),
    ),
    seed=11,
    n_entries=7,
    n_opportunities=3,
    legend=True,
)

WORD_UNRULED = Layout(
    name="word_unruled",
    organisation="Harwood Metropolitan Borough Council",
    period_text="Quarter 2, 2019/20",
    period="2019/20 Q2",
    tables=WORD_RULED.tables,
    ruled="none",
    header_style=HeaderStyle(background=None),
    seed=12,
    n_entries=7,
    n_opportunities=2,
    legend=True,
)

TWO_LEVEL_IMPACT_FIRST = Layout(
    name="two_level_impact_first",
    organisation="Eastmere Council",
    period_text="Q4 2020/21",
    period="2020/21 Q4",
    pagesize="A3-landscape",
    tables=(
        TableSpec(
            "risk",
            (
                C("Risk No.", "ref", 36),
                C("Risk Title", "title", 100),
                C("Service", "category", 56),
                C("Cause / Trigger", "cause", 110),
                C("Impact", "consequences", 120),  # text "Impact" beside the numeric sub-columns
                *_grouped("Risk if no action", ("impact", "likelihood", "score"), "inherent"),
                C("Existing Controls", "controls", 140),
                *_grouped("Current risk", ("impact", "likelihood", "score"), "residual"),
                C("Further Actions", "actions", 140),
                *_grouped("Target", ("impact", "likelihood", "score"), "target"),
                C("Responsible Officer", "owner", 62),
                C("Corporate Priority", "priority", 60),
                C("Trend", "direction_text", 48),
            ),
        ),
    ),
    header_style=HeaderStyle(background="#1f3864", text_color="#ffffff"),
    seed=21,
    n_entries=9,
    ref_style="SR{n}",
)

TWO_LEVEL_LIKELIHOOD_FIRST = Layout(
    name="two_level_likelihood_first",
    organisation="Easthaven NHS Foundation Trust",
    period_text="as at 13 July 2020",
    period="2020-07",
    register_name="Board Assurance Framework and Corporate Risk Register",
    pagesize="A3-landscape",
    tables=(
        TableSpec(
            "risk",
            (
                C("Risk ID", "ref", 40),
                C("Risk Title", "title", 100),
                C("Category", "category", 56),
                C("Cause", "cause", 110),
                C("Potential Impacts", "consequences", 112),
                *_grouped("Inherent", ("likelihood", "impact", "score"), "inherent"),
                C("Existing Controls", "controls", 130),
                *_grouped("Residual", ("likelihood", "impact", "score"), "residual"),
                C("Risk Treatment Plan", "actions", 125),
                C("Comments / Update", "progress", 95),
                *_grouped("Target", ("likelihood", "impact", "score"), "target"),
                C("Lead", "owner", 52),
                C("Direction of Travel", "direction_text", 52),
            ),
        ),
    ),
    ruled="horizontal",
    header_style=HeaderStyle(background="#dbe5f1"),
    seed=22,
    n_entries=9,
    ref_style="BAF{n}",
)

LXI_RAG = Layout(
    name="lxi_rag",
    organisation="Westvale Police and Crime Commissioner",
    period_text="Updated July 2020",
    period="2020-07",
    register_name="Strategic Risk Register",
    tables=(
        TableSpec(
            "risk",
            (
                C("Ref", "ref", 34),
                C("Risk", "title", 110),
                C("Category", "category", 58),
                C("Consequences", "consequences", 125),
                C("Inherent Risk\n(L x I)", "inherent", 52, score_format="lxi"),
                C("Mitigation", "controls", 160),
                C("Current Rating", "residual", 48, score_format="rag"),
                C("Target Score", "target_score", 38),
                C("Owner", "owner", 70),
                C("Trend", "direction_text", 90),
            ),
        ),
    ),
    header_style=HeaderStyle(background="#404040", text_color="#ffffff"),
    seed=31,
    n_entries=10,
    ref_style="PCC{n}",
)

ONE_PER_PAGE = Layout(
    name="one_per_page",
    organisation="Southfield Fire and Rescue Authority",
    period_text="Third Quarter Risk Update 2021/22",
    period="2021/22 Q3",
    register_name="Corporate Risk Register:",
    form="per_page",
    tables=(
        TableSpec(
            "risk",
            (
                C("Risk Reference", "ref", 150),
                C("Risk Title", "title", 150),
                C("Source of Risk", "category", 150),
                C("Potential Causes", "cause", 150),
                C("Potential Impacts", "consequences", 150),
                C("Existing Mitigations & Control", "controls", 150),
                C("Risk Treatment Plan", "actions", 150),
                C("Progress", "progress", 150),
                C("Inherent Risk Score", "inherent", 150, score_format="number_label"),
                C("Residual Impact", "residual_impact", 150),
                C("Residual Likelihood", "residual_likelihood", 150),
                C("Residual Risk Score", "residual_score", 150),
                C("Target Score", "target_score", 150),
                C("Risk Owner", "owner", 150),
                C("Direction of Travel", "direction_text", 150),
            ),
        ),
    ),
    header_style=HeaderStyle(background="#fde9d9"),
    seed=41,
    n_entries=5,
    ref_style="FA{n}",
)

BANDS_NO_REF = Layout(
    name="bands_no_ref",
    organisation="Kingsbridge Borough Council",
    period_text="Q1 2022/23",
    period="2022/23 Q1",
    tables=(
        TableSpec(
            "risk",
            (
                C("Risk", "title", 120),
                C("Potential Causes", "cause", 130),
                C("Consequences", "consequences", 130),
                C("Existing Controls", "controls", 150),
                C("Current Risk Score", "residual", 48),
                C("Target Risk Score", "target_score", 44),
                C("Actions being taken", "actions", 110),
                C("Owner", "owner", 54),
            ),
        ),
    ),
    bands=(
        ("High Risk (15 to 25)", 15, 25),
        ("Medium Risk (8 to 12)", 8, 12),
        ("Low Risk (1 to 6)", 1, 6),
    ),
    header_style=HeaderStyle(background="#c6e0b4"),
    seed=51,
    n_entries=10,
)

FOUR_BY_FOUR_ROTATED = Layout(
    name="four_by_four_rotated",
    organisation="Dunmere Fire and Rescue Service",
    period_text="Quarter 1, 2015/16",
    period="2015/16 Q1",
    tables=(
        TableSpec(
            "risk",
            (
                C("Risk No.", "ref", 34),
                C("Risk", "title", 95),
                C("Trigger", "cause", 105),
                C("Effects", "consequences", 105),
                C("Mitigation", "controls", 112),
                C("Impact", "residual_impact", 18, rotate_header=True),
                C("Likelihood", "residual_likelihood", 18, rotate_header=True),
                C("Risk Score", "residual_score", 18, rotate_header=True),
                C("Target Score", "target_score", 20, rotate_header=True),
                C("Further Actions", "actions", 110),
                C("Update", "progress", 75, highlight=True),
                C("Lead", "owner", 42),
                C("Trend", "direction_text", 40),
            ),
        ),
    ),
    bullet="-",
    font="Helvetica",
    font_size=7,
    scale=4,
    seed=61,
    n_entries=9,
    ref_style="FRS{n}",
    footer_in_table=True,
)

RISK_AND_EFFECTS = Layout(
    name="risk_and_effects",
    organisation="Ashcombe District Council",
    period_text="Updated July 2019",
    period="2019-07",
    pagesize="A4-portrait",
    tables=(
        TableSpec(
            "risk",
            (
                C("Ref", "ref", 30),
                C("Risk and effects", "title+consequences", 144),
                C("Category", "category", 50),
                C("Existing Controls", "controls", 115),
                C("Gross Score", "inherent", 30),
                C("Net Score", "residual", 30),
                C("Responsible Officer", "owner", 52),
                C("Date Reviewed", "review_date", 52),
                C("Trend", "direction_text", 44),
            ),
        ),
    ),
    bullet_font="Symbol",
    header_style=HeaderStyle(background="#fff2cc"),
    seed=71,
    n_entries=8,
    ref_style="{n}",
)

PORTRAIT_CAUSE_EFFECT = Layout(
    name="portrait_cause_effect",
    organisation="Brackley Vale District Council",
    period_text="Q1 2023/24",
    period="2023/24 Q1",
    pagesize="A4-portrait",
    tables=(
        TableSpec(
            "risk",
            (
                C("Risk Ref", "ref", 52),
                C("Risk", "title", 88),
                C("Cause & Effect", "cause+consequences", 152),
                C("Controls in place", "controls", 151),
                C("Gross", "inherent", 30),
                C("Net", "residual", 30),
                C("Lead", "owner", 44),
            ),
        ),
    ),
    header_style=HeaderStyle(background="#e2efda", font_size=7),
    bullet="numbered",
    font="Helvetica",
    font_size=7,
    seed=81,
    n_entries=9,
    ref_style="COR-2019-{n:02d}",
)

TITLE_ROW_RAG_FILL = Layout(
    name="title_row_rag_fill",
    organisation="Thornbury Police and Crime Commissioner",
    period_text="Q2 2023/24",
    period="2023/24 Q2",
    register_name="Strategic Risk Register \u2014",
    title_in_table=True,
    tables=(
        TableSpec(
            "risk",
            (
                C("Ref", "ref", 28),
                C("Risk", "title", 100),
                C("Category", "category", 60),
                C("Controls", "controls", 130),
                C("Inherent Score", "inherent", 40),
                C("Current Rating", "residual", 42, score_format="rag_fill"),
                C("Previous Score", "previous_score", 40),
                C("Further Actions", "actions", 124),
                C("Action Owner", "action_owner", 56),
                C("Target Date", "target_date", 54),
                C("Review Date", "review_date", 54),
                C("Risk Owner", "owner", 66),
            ),
        ),
    ),
    header_style=HeaderStyle(background="#d9e1f2"),
    seed=91,
    n_entries=9,
    ref_style="{n}",
)

CARDS = Layout(
    name="cards",
    organisation="Rushmere Fire and Rescue Authority",
    period_text="Quarter 3, 2022/23",
    period="2022/23 Q3",
    form="cards",
    tables=(
        TableSpec(
            "risk",
            (
                C("Risk Ref", "ref", 40),
                C("Risk Title", "title", 110),
                C("Potential Causes", "cause", 130),
                C("Potential Impacts", "consequences", 130),
                C("Existing Controls", "controls", 150),
                C("Residual Score", "residual", 50, score_format="number_label"),
                C("Target Score", "target_score", 40),
                C("Risk Owner", "owner", 60),
                C("Direction of Travel", "direction_text", 60),
            ),
        ),
    ),
    header_style=HeaderStyle(background="#fce4d6"),
    seed=101,
    n_entries=7,
    ref_style="SR {n}",
)

# A printout of a ruled register scanned back: no text layer, read by OCR (slow to test).
SCANNED_WORD_RULED = replace(
    WORD_RULED,
    name="scanned_word_ruled",
    tables=WORD_RULED.tables[:1],
    n_entries=4,
    n_opportunities=0,
    legend=False,
    seed=113,
    scanned=True,
)

LAYOUTS: dict[str, Layout] = {
    layout.name: layout
    for layout in (
        WORD_RULED,
        WORD_UNRULED,
        TWO_LEVEL_IMPACT_FIRST,
        TWO_LEVEL_LIKELIHOOD_FIRST,
        LXI_RAG,
        ONE_PER_PAGE,
        BANDS_NO_REF,
        FOUR_BY_FOUR_ROTATED,
        RISK_AND_EFFECTS,
        PORTRAIT_CAUSE_EFFECT,
        TITLE_ROW_RAG_FILL,
        CARDS,
        SCANNED_WORD_RULED,
    )
}
