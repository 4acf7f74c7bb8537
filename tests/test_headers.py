"""Header understanding on literal header blocks from invented layouts."""

from __future__ import annotations

import pytest

from normalise.headers import (
    clean_header_text,
    find_header,
    is_header_row,
    is_legend,
    repair_rotated,
    vocabulary,
)
from normalise.profiles import load_profile

DEFAULT = load_profile()
VOCAB = vocabulary(DEFAULT)

LONG = "A long description of what could go wrong for the organisation and its residents"


def mapping(rows, profile=DEFAULT):
    """{header: (field, stage, part)} of a table's columns."""
    header = find_header(rows, profile)
    assert header is not None, "no header found"
    found = {}
    for c in header.columns:  # the first of same-named columns
        found.setdefault(c.header, (c.field, c.stage, c.part))
    return found


# ----------------------------------------------------------------- whole header blocks

CASES = [
    pytest.param(
        [
            [
                "Risk\nIdentifica\ntion\nNumber\n(RIN)",
                "Risk\nDescrip\ntion",
                "Risk Type",
                "Possible\nConsequen\nces",
                "Current\nControls",
                "Risk\nScore",
                "Mitigat\ning\nActions",
                "Residual\nScore",
                "Risk\nOwner",
                "Direction\nof Travel",
            ],
            ["CR1", LONG, "Economic", LONG, LONG, "25", LONG, "20", "Director", "Level"],
        ],
        {
            "Risk Identification Number (RIN)": ("ref", None, None),
            "Risk Description": ("title", None, None),
            "Risk Type": ("category", None, None),
            "Possible Consequences": ("consequences", None, None),
            "Current Controls": ("controls", None, None),
            "Risk Score": ("score", "inherent", "score"),
            "Mitigating Actions": ("actions", None, None),
            "Residual Score": ("score", "residual", "score"),
            "Risk Owner": ("owner", None, None),
            "Direction of Travel": ("direction_text", None, None),
        },
        id="ten-columns-words-broken-in-cells",
    ),
    pytest.param(
        [
            [
                "Risk",
                "Risk",
                "Risk",
                "Possible",
                "Current",
                "Risk",
                "Mitigating",
                "Residual",
                "Risk",
                "Direction",
            ],
            [
                "Identification",
                "Description",
                "Type",
                "Consequences",
                "Controls",
                "Score",
                "Actions",
                "Score",
                "Owner",
                "of Travel",
            ],
            ["Number (RIN)", "", "", "", "", "", "", "", "", ""],
            ["CR1", LONG, "Economic", LONG, LONG, "25", LONG, "20", "Director", "Level"],
        ],
        {
            "Risk Identification Number (RIN)": ("ref", None, None),
            "Risk Description": ("title", None, None),
            "Risk Type": ("category", None, None),
            "Possible Consequences": ("consequences", None, None),
            "Current Controls": ("controls", None, None),
            "Risk Score": ("score", "inherent", "score"),
            "Mitigating Actions": ("actions", None, None),
            "Residual Score": ("score", "residual", "score"),
            "Risk Owner": ("owner", None, None),
            "Direction of Travel": ("direction_text", None, None),
        },
        id="ten-columns-wrapped-over-three-rows",
    ),
    pytest.param(
        [
            [
                "Opportunity\nIdentification\nNumber (OIN)",
                "Opportunity\nDescription",
                "Opportunity\nType",
                "Possible\nBenefits",
                "Progress to\ndate",
                "Opportunity\nScore",
                "Maximising\nActions",
                "Opportun\nity Owner",
            ]
        ],
        {
            "Opportunity Identification Number (OIN)": ("ref", None, None),
            "Opportunity Description": ("title", None, None),
            "Opportunity Type": ("category", None, None),
            "Possible Benefits": ("consequences", None, None),
            "Progress to date": ("controls", None, None),
            "Opportunity Score": ("score", "residual", "score"),
            "Maximising Actions": ("actions", None, None),
            "Opportunity Owner": ("owner", None, None),
        },
        id="opportunity-table",
    ),
    pytest.param(
        [
            ["Ref", "Risk", "Risk if no action", "", "", "Current risk", "", ""],
            ["", "", "Impact", "Likelihood", "Score", "Impact", "Likelihood", "Score"],
            ["CR1", LONG, "4", "5", "20", "4", "4", "16"],
        ],
        {
            "Ref": ("ref", None, None),
            "Risk": ("title", None, None),
            "Risk if no action / Impact": ("score", "inherent", "impact"),
            "Risk if no action / Likelihood": ("score", "inherent", "likelihood"),
            "Risk if no action / Score": ("score", "inherent", "score"),
            "Current risk / Impact": ("score", "residual", "impact"),
            "Current risk / Likelihood": ("score", "residual", "likelihood"),
            "Current risk / Score": ("score", "residual", "score"),
        },
        id="two-level-group-then-blanks",
    ),
    pytest.param(
        [
            ["Ref", "Risk", "Gross", "Gross", "Gross", "Target", "Target", "Target"],
            ["Ref", "Risk", "Likelihood", "Impact", "Rating", "Likelihood", "Impact", "Rating"],
        ],
        {
            "Ref": ("ref", None, None),
            "Risk": ("title", None, None),
            "Gross / Likelihood": ("score", "inherent", "likelihood"),
            "Gross / Impact": ("score", "inherent", "impact"),
            "Gross / Rating": ("score", "inherent", "rating"),
            "Target / Likelihood": ("score", "target", "likelihood"),
            "Target / Impact": ("score", "target", "impact"),
            "Target / Rating": ("score", "target", "rating"),
        },
        id="two-level-group-text-repeated-likelihood-first",
    ),
    pytest.param(
        [
            ["Ref", "Risk", "Inherent", "", "", "Controls", "Residual", "", ""],
            ["", "", "I", "L", "S", "", "I", "L", "S"],
        ],
        {
            "Ref": ("ref", None, None),
            "Risk": ("title", None, None),
            "Inherent / I": ("score", "inherent", "impact"),
            "Inherent / L": ("score", "inherent", "likelihood"),
            "Inherent / S": ("score", "inherent", "score"),
            "Controls": ("controls", None, None),
            "Residual / I": ("score", "residual", "impact"),
            "Residual / L": ("score", "residual", "likelihood"),
            "Residual / S": ("score", "residual", "score"),
        },
        id="two-level-one-letter-sub-headers",
    ),
    pytest.param(
        [
            ["tcapmI", "L\ni\nk\ne\nl\ni\nh\no\no\nd", "erocS", "Risk", "Owner"],
            ["3", "4", "12", LONG, "CEO"],
        ],
        {
            "Impact": ("score", "residual", "impact"),
            "Likelihood": ("score", "residual", "likelihood"),
            "Score": ("score", "residual", "score"),
            "Risk": ("title", None, None),
            "Owner": ("owner", None, None),
        },
        id="rotated-reversed-and-letter-per-line",
    ),
    pytest.param(
        [
            [
                "Risk Title",
                "Cause",
                "Effect",
                "Existing Controls",
                "Inherent Score",
                "Further Actions",
                "Residual Score",
                "Lead",
            ]
        ],
        {
            "Risk Title": ("title", None, None),
            "Cause": ("cause", None, None),
            "Effect": ("consequences", None, None),
            "Existing Controls": ("controls", None, None),
            "Inherent Score": ("score", "inherent", "score"),
            "Further Actions": ("actions", None, None),
            "Residual Score": ("score", "residual", "score"),
            "Lead": ("owner", None, None),
        },
        id="no-reference-column",
    ),
    pytest.param(
        [
            [
                "Risk No.",
                "Risk and effects",
                "Existing Mitigations & Control",
                "Current score",
                "Target score",
                "Comments and progress of actions",
                "Responsible Officer",
            ]
        ],
        {
            "Risk No.": ("ref", None, None),
            "Risk and effects": ("title", None, None),
            "Existing Mitigations & Control": ("controls", None, None),
            "Current score": ("score", "residual", "score"),
            "Target score": ("score", "target", "score"),
            "Comments and progress of actions": ("progress", None, None),
            "Responsible Officer": ("owner", None, None),
        },
        id="risk-and-effects",
    ),
    pytest.param(
        [
            ["Appendix A: Corporate Risk & Opportunity Register Q2 2017/18", "", "", "", ""],
            ["", "", "", "", ""],
            ["Ref", "Risk Description", "Risk Score", "Risk Owner", "Trend"],
            ["CR1", LONG, "16", "Director", "Level"],
        ],
        {
            "Ref": ("ref", None, None),
            "Risk Description": ("title", None, None),
            "Risk Score": ("score", "residual", "score"),
            "Risk Owner": ("owner", None, None),
            "Trend": ("direction_text", None, None),
        },
        id="header-under-a-title-row",
    ),
    pytest.param(
        [
            [
                "Risk ID",
                "Risk",
                "Source of Risk",
                "Potential Causes",
                "Potential Impacts",
                "Mitigation",
                "Risk Treatment Plan",
                "Update",
                "Owner",
            ]
        ],
        {
            "Risk ID": ("ref", None, None),
            "Risk": ("title", None, None),
            "Source of Risk": ("category", None, None),
            "Potential Causes": ("cause", None, None),
            "Potential Impacts": ("consequences", None, None),
            "Mitigation": ("controls", None, None),
            "Risk Treatment Plan": ("actions", None, None),
            "Update": ("progress", None, None),
            "Owner": ("owner", None, None),
        },
        id="risk-alone-is-title-risk-words-elsewhere",
    ),
    pytest.param(
        [
            [
                "Ref",
                "Risk",
                "Impact",
                "Likelihood",
                "Score",
                "Controls",
                "Impact",
                "Likelihood",
                "Score",
                "Target",
            ]
        ],
        {
            "Ref": ("ref", None, None),
            "Risk": ("title", None, None),
            "Impact": ("score", "inherent", "impact"),  # first of two same-named columns
            "Likelihood": ("score", "inherent", "likelihood"),
            "Score": ("score", "inherent", "score"),
            "Controls": ("controls", None, None),
            "Target": ("score", "target", "score"),
        },
        id="unstaged-triplets-in-order",
    ),
    pytest.param(
        [["Reference", "Service", "Trigger", "Vulnerability", "Net Risk", "Appetite"]],
        {
            "Reference": ("ref", None, None),
            "Service": ("category", None, None),
            "Trigger": (None, None, None),
            "Vulnerability": ("cause", None, None),
            "Net Risk": ("score", "residual", "score"),
            "Appetite": ("score", "target", "score"),
        },
        id="stage-words-alone-and-longest-cause-wins",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), CASES)
def test_header_blocks_map_to_fields(rows, expected):
    got = mapping(rows)
    for header, meaning in expected.items():
        assert got[header] == meaning, header


def test_header_rows_count_title_and_wrapped_rows():
    rows = [
        ["Corporate Risk Register", "", "", ""],
        ["Risk", "Risk", "Residual", "Risk"],
        ["Ref", "Description", "Score", "Owner"],
        ["CR1", LONG, "16", "Director"],
    ]
    header = find_header(rows, DEFAULT)
    assert (header.first_row, header.header_rows) == (1, 3)


def test_kind_of_opportunity_and_risk_tables():
    opp = find_header(
        [
            [
                "Opportunity Ref",
                "Opportunity Description",
                "Possible Benefits",
                "Opportunity Score",
                "Opportunity Owner",
            ]
        ],
        DEFAULT,
    )
    risk = find_header(
        [["Ref", "Risk Description", "Consequences", "Risk Score", "Owner"]], DEFAULT
    )
    neither = find_header([["Ref", "Description", "Owner"]], DEFAULT)
    assert (opp.kind, risk.kind, neither.kind) == ("opportunity", "risk", None)


# ----------------------------------------------------------------- single decisions


@pytest.mark.parametrize(
    ("rows", "column", "expected"),
    [
        pytest.param(
            [
                ["Ref", "Risk", "Impact", "Likelihood", "Score", "Impact", "Owner"],
                ["CR1", LONG, "4", "3", "12", LONG, "CEO"],
            ],
            5,
            ("consequences", None, None),
            id="duplicate-impact-text-column",
        ),
        pytest.param(
            [
                ["Ref", "Risk", "Impact", "Likelihood", "Score", "Impact", "Owner"],
                ["CR1", LONG, "4", "3", "12", LONG, "CEO"],
            ],
            2,
            ("score", "residual", "impact"),
            id="duplicate-impact-number-column",
        ),
        pytest.param(
            [["Ref", "Risk", "Impact", "Owner"], ["CR1", LONG, "Major", "CEO"]],
            2,
            ("score", "residual", "impact"),
            id="impact-over-scale-labels",
        ),
        pytest.param(
            [["Ref", "Risk", "Impact", "Owner"], ["CR1", LONG, LONG, "CEO"]],
            2,
            ("consequences", None, None),
            id="impact-as-text",
        ),
        pytest.param(
            [
                ["Ref", "Risk", "Consequence", "Likelihood", "Risk Rating"],
                ["CR1", LONG, "4", "3", "12 High"],
            ],
            2,
            ("score", "residual", "impact"),
            id="consequence-as-number-column",
        ),
        pytest.param(
            [["Ref", "Risk", "Inherent Risk", "Controls", "Score"]],
            4,
            ("score", "residual", "score"),
            id="unstaged-score-after-inherent-is-residual",
        ),
        pytest.param(
            [["Ref", "Risk", "Risk Score", "Controls", "Current Risk"]],
            2,
            ("score", "inherent", "score"),
            id="unstaged-score-before-current-is-inherent",
        ),
        pytest.param(
            [["Ref", "Risk", "Previous Score", "Residual Score"]],
            2,
            (None, None, None),
            id="previous-score-goes-to-extra",
        ),
        pytest.param(
            [["Ref", "Risk", "Last Quarter", "Residual Score"]],
            2,
            ("direction_text", None, None),
            id="last-quarter-is-direction",
        ),
        pytest.param(
            [["Ref", "Risk", "Target Date", "Residual Score"]],
            2,
            (None, None, None),
            id="target-date-is-not-a-target-score",
        ),
        pytest.param(
            [["Ref", "Risk", "Risk 0wner", "Likelihoad", "Impact", "Score"]],
            2,
            ("owner", None, None),
            id="ocr-damaged-owner",
        ),
        pytest.param(
            [["Ref", "Risk", "Risk 0wner", "Likelihoad", "Impact", "Score"]],
            3,
            ("score", "residual", "likelihood"),
            id="ocr-damaged-likelihood",
        ),
        pytest.param(
            [["Ref", "Risk", "Link to Corporate Plan", "Residual Score"]],
            2,
            (None, None, None),
            id="unknown-header-to-extra",
        ),
        pytest.param(
            [["Ref", "Risk", "Risk Description", "Residual Score"]],
            2,
            ("title", None, None),
            id="more-specific-title-wins",
        ),
        pytest.param(
            [["Ref", "Risk", "Risk Description", "Residual Score"]],
            1,
            (None, None, None),
            id="losing-title-goes-to-extra",
        ),
        pytest.param(
            [["Ref", "Risk", "RAG status", "Residual Score"]],
            2,
            ("score", "residual", "rating"),
            id="rating-beside-score",
        ),
    ],
)
def test_single_column_decisions(rows, column, expected):
    header = find_header(rows, DEFAULT)
    col = header.columns[column]
    assert (col.field, col.stage, col.part) == expected, col


def test_extra_columns_keep_their_header_text():
    header = find_header([["Ref", "Risk", "", "Link to Corporate Plan", "Residual Score"]], DEFAULT)
    assert [c.header for c in header.columns if c.field is None] == ["", "Link to Corporate Plan"]


def test_report_says_where_each_header_went():
    header = find_header([["Ref", "Risk", "Previous Score", "Residual\nScore"]], DEFAULT)
    report = header.report()
    assert [r["to"] for r in report] == ["ref", "title", "extra[Previous Score]", "residual_score"]
    assert report[2]["known_as"] == "previous_score"


def test_each_text_field_used_once():
    header = find_header([["Ref", "Owner", "Risk Owner", "Lead", "Risk"]], DEFAULT)
    owners = [c for c in header.columns if c.field == "owner"]
    assert [c.header for c in owners] == ["Risk Owner"]


def test_stage_meaning_remaps_current():
    profile = load_profile("current-before-actions")
    header = find_header(
        [["Ref", "Risk", "Current Score", "Further Actions", "Residual Score"]], profile
    )
    assert [(c.stage) for c in header.columns if c.field == "score"] == ["inherent", "residual"]


# ----------------------------------------------------------------- no header, legends, repeats


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(
            [["CR3", LONG, "20", "Director"], ["", "continued text", "", ""]],
            id="continuation-table",
        ),
        pytest.param(
            [["High Risks (16 to 25)", "", "", ""], ["CR3", LONG, "20", "Director"]],
            id="band-heading-over-rows",
        ),
        pytest.param([[]], id="empty"),
    ],
)
def test_no_header(rows):
    assert find_header(rows, DEFAULT) is None


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [
                ["Key to Scores", "", ""],
                ["Impact", "Likelihood", "Score"],
                ["1 Insignificant", "1 Rare", "1-4 Low"],
            ],
            True,
            id="key-to-scores",
        ),
        pytest.param(
            [
                ["", "Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
                ["Catastrophic", "5", "10", "15", "20", "25"],
                ["Major", "4", "8", "12", "16", "20"],
                ["Moderate", "3", "6", "9", "12", "15"],
                ["Minor", "2", "4", "6", "8", "10"],
                ["Insignificant", "1", "2", "3", "4", "5"],
                ["", "Likelihood", "", "", "", ""],
            ],
            True,
            id="heat-map-matrix",
        ),
        pytest.param(
            [["Risk Matrix"], ["5", "10", "15"], ["4", "8", "12"]], True, id="titled-matrix"
        ),
        pytest.param(
            [
                ["Ref", "Risk", "Impact", "Likelihood", "Score", "Owner"],
                ["CR1", "Budget", "4", "5", "20", "CEO"],
                ["CR2", "Staff", "3", "3", "9", "HR"],
            ],
            False,
            id="register-of-numbers",
        ),
        pytest.param(
            [
                ["Ref", "Risk Description", "Controls", "Actions", "Risk Score", "Key"],
                ["CR1", LONG, LONG, LONG, "20", "A"],
            ],
            False,
            id="register-with-key-column",
        ),
    ],
)
def test_legend(rows, expected):
    assert is_legend(rows, DEFAULT) is expected


KNOWN = find_header(
    [
        ["Ref", "Risk\nDescription", "Risk if no action", "", "", "Risk\nOwner"],
        ["", "", "Impact", "Likelihood", "Score", ""],
    ],
    DEFAULT,
)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        pytest.param(
            ["Ref", "Risk Description", "Risk if no action", "", "", "Risk Owner"],
            True,
            id="first-row-repeated",
        ),
        pytest.param(["", "", "Impact", "Likelihood", "Score", ""], True, id="sub-row-repeated"),
        pytest.param(
            ["Ref", "Risk\nDescrip\ntion", "Risk if no\naction", "", "", "Risk Ownr"],
            True,
            id="rewrapped-with-a-typo",
        ),
        pytest.param(["CR2", LONG, "4", "4", "16", "Director of Finance"], False, id="data-row"),
        pytest.param(["", "Risk", "", "", "", ""], False, id="lone-word"),
    ],
)
def test_repeated_header_row(cells, expected):
    assert is_header_row(cells, KNOWN, DEFAULT) is expected


# ----------------------------------------------------------------- cell repairs


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("tcapmI", "Impact", id="reversed"),
        pytest.param("I\nm\np\na\nc\nt", "Impact", id="letter-per-line"),
        pytest.param("t\nc\na\np\nm\nI", "Impact", id="letter-per-line-reversed"),
        pytest.param("R\ni\ns\nk\n\nO\nw\nn\ne\nr", "Risk Owner", id="letter-per-line-two-words"),
        pytest.param("Score", "Score", id="upright-untouched"),
        pytest.param("Lx I", "Lx I", id="short-letters-untouched"),
    ],
)
def test_repair_rotated(raw, expected):
    assert repair_rotated(raw, VOCAB) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            "Risk\nIdentifica\ntion\nNumber\n(RIN)",
            "Risk Identification Number (RIN)",
            id="broken-word",
        ),
        pytest.param("Pre-\nmitigation\nscore", "Pre-mitigation score", id="real-hyphen"),
        pytest.param("Direction\nof Travel", "Direction of Travel", id="two-words"),
        pytest.param("Opportun\nity Owner", "Opportunity Owner", id="broken-kind-word"),
        pytest.param("Responsible\nOfficer", "Responsible Officer", id="capitalised-next-line"),
    ],
)
def test_clean_header_text(raw, expected):
    assert clean_header_text(raw, VOCAB) == expected


@pytest.mark.parametrize(
    ("header", "order"),
    [
        pytest.param("Inherent Risk (L x I)", "li", id="l-x-i"),
        pytest.param("Score (Impact x Likelihood)", "il", id="impact-x-likelihood"),
        pytest.param("Risk Score", None, id="no-product"),
    ],
)
def test_product_order_from_the_header(header, order):
    from normalise.headers import product_order

    assert product_order(header) == order


def test_a_row_broken_by_the_page_under_the_header_is_no_header_row():
    """The rest of a row the page broke, under the repeated header: a labelled section
    ("Effects:-" and its bullets) and an owner's last word. The bullets are cut from the cell as
    glued data, which leaves "Effects:-" looking like header words; the owner's "Care" is not,
    so the row is body (it was read as a second header row, and the page's header as another)."""
    rows = [
        ["Ref", "Risk and effects", "Category", "Existing Controls", "Net Score",
         "Responsible Officer"],
        ["", "Effects:-\n• Reduced Safeguarding\noversight", "", "", "", "Care"],
        ["CR6", "Risk:- Fraud\nEffects:-\n• Legal challenge", "People", "• Audit plan", "12",
         "Chief Nurse"],
    ]
    header = find_header(rows, DEFAULT)
    assert header.header_rows == 1
    assert [c.field for c in header.columns][:2] == ["ref", "title"]
