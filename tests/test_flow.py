"""normalise.flow: OCR/layout text with no cell boundaries into records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.text import read_text
from normalise import normalise_document
from normalise.flow import assign_tails, flow_to_records, segment_line
from normalise.profiles import load_profile
from tests.registers.flowtext import word_f1

HERE = Path(__file__).parent
OCR_SEED = HERE / "fixtures" / "seeds" / "000_f2dc45808fc41ba6.txt"
EXPECT = HERE / "golden" / "seed-2019q3-expect.json"
FULL = HERE / "golden" / "seed-2019q3-full.json"

# Hand-read from the seed: (ref, kind, inherent, residual, residual impact, likelihood)
SEED_SCORES = [
    ("CR1", "risk", 20, 16, 4, 4),
    ("CR2", "risk", 16, 12, 4, 3),
    ("CR3", "risk", 16, 12, 4, 3),
    ("CR4", "risk", 16, 16, 4, 4),
    ("CR5", "risk", 16, 12, 4, 3),
    ("CR6", "risk", 16, 12, 4, 3),
    ("CR7", "risk", 16, 12, 4, 3),
    ("CR8", "risk", 16, 12, 4, 3),
    ("CR9", "risk", 25, 12, 4, 3),
    ("CR10", "risk", 20, 16, 4, 4),
    ("CR11", "risk", 16, 12, 4, 3),
    ("CR12", "risk", 16, 12, 4, 3),
    ("CR13", "risk", 16, 12, 4, 3),
    ("CO1", "opportunity", 12, 16, 4, 4),
    ("CO2", "opportunity", 12, 15, 5, 3),
    ("CO3", "opportunity", 12, 12, 4, 3),
    ("CO4", "opportunity", 12, 15, 5, 3),
]


@pytest.fixture(scope="module")
def profile():
    return load_profile()


@pytest.fixture(scope="module")
def seed_records(profile):
    edition = normalise_document(read_text(str(OCR_SEED)), profile.name)
    return {r.ref: r for r in edition.records}, edition.records, edition.warnings


def test_seed_every_entry_found_once(seed_records):
    by_ref, records, _ = seed_records
    assert [r.ref for r in records] == [row[0] for row in SEED_SCORES]
    assert len(by_ref) == len(records)


@pytest.mark.parametrize("row", SEED_SCORES, ids=[r[0] for r in SEED_SCORES])
def test_seed_scores_and_labels(seed_records, row):
    ref, kind, inherent, residual, impact, likelihood = row
    rec = seed_records[0][ref]
    assert rec.kind == kind
    assert (rec.inherent_score, rec.residual_score) == (inherent, residual)
    assert (rec.residual_impact, rec.residual_likelihood) == (impact, likelihood)
    assert rec.residual_score <= 25
    assert rec.residual_impact * rec.residual_likelihood == rec.residual_score


def test_seed_provenance_and_confidence(seed_records):
    for rec in seed_records[1]:
        assert rec.method == "text"
        assert rec.page_start is None and rec.page_end is None
        assert rec.ref_raw
        assert 0 < rec.confidence <= 1
        if rec.confidence < 0.8:
            assert rec.warnings


def test_seed_damaged_references_repaired_with_warning(seed_records):
    by_ref, _, warnings = seed_records
    assert by_ref["CO3"].ref_raw == "cos"  # read CO5 or CO3; CO2 and CO4 are its neighbours
    assert [w for w in by_ref["CO3"].warnings if "'cos'" in w] == [
        "reference read as 'cos', taken as CO3"
    ]
    assert by_ref["CO2"].ref_raw == "C0O2"


@pytest.mark.parametrize(
    ("ref", "owner"),
    [
        ("CR2", "Director of Children's Social Care"),
        ("CR3", "Director of Children's Social Care"),  # read across
        ("CR5", "Director of Corporate Services"),  # read across
        ("CR6", "CMT"),
        ("CR7", "Director of Strategy & Performance"),
        ("CR8", "Exec Director Growth, Environment & Transport"),
        ("CR9", "Director of Education & Skills"),
        ("CR10", "Director of Public Health"),
        ("CR13", None),  # the seed prints no owner for CR13
        ("CO1", "CMT"),  # read across
        ("CO2", "Director of Corporate Services"),  # read across
        ("CO3", "Director of Finance"),
    ],
)
def test_seed_owners(seed_records, ref, owner):
    assert seed_records[0][ref].owner == owner


def test_seed_owner_word_broken_by_the_narrow_column_rejoined(seed_records):
    """CR1's owner is printed "Corporate | Managem | ent Team" down a narrow column, read across."""
    owner = seed_records[0]["CR1"].owner
    assert owner.startswith("Overall Risk Owneris Corporate Management Team (CMT)")


def test_seed_owner_written_as_a_sentence(seed_records):
    """CR1's owner is a sentence ("Overall Risk Owneris ... (CMT) however thereis a lead officer
    for each work stream"), run on a word or two a line at the ends of lines read across. Once
    the column states something ("Owneris": its verb glued on), its lower-case words are not
    left to the neighbouring columns for not looking like a job title."""
    from normalise.flow import _states

    gold = {g["ref"]: g for g in json.loads(FULL.read_text(encoding="utf-8"))["records"]}
    owner = seed_records[0]["CR1"].owner
    assert word_f1(gold["CR1"]["owner"], owner) >= 0.9
    assert "however thereis a lead" in owner
    assert _states("Owneris") and _states("The owner is") and not _states("Head of ICT")
    assert not _states("analysis basis crisis")


# Entries read column by column must match the opening words of every hand-read field.
COLUMN_ROWS = ("CR2", "CR7", "CR8", "CR9", "CR10", "CR13")
TEXT_FIELDS = ("title", "category", "consequences", "controls", "actions", "owner",
               "direction_text")


def test_seed_against_hand_written_expectations(seed_records):
    by_ref = seed_records[0]
    expected = json.loads(EXPECT.read_text(encoding="utf-8"))["records"]
    assert {e["ref"] for e in expected} == set(by_ref)
    failures = []
    for exp in expected:
        rec = by_ref[exp["ref"]]
        for name, value in exp.items():
            got = getattr(rec, name)
            if name in TEXT_FIELDS and name != "owner":
                if exp["ref"] not in COLUMN_ROWS:
                    continue  # read across: scored in full below
                ok = " ".join((got or "").split()).startswith(value)
            elif name == "owner" and exp["ref"] == "CR1":
                ok = word_f1(value, got) >= 0.9  # test_seed_owner_written_as_a_sentence
            else:
                ok = got == value
            if not ok:
                failures.append(f"{exp['ref']}.{name}: expected {value!r}, got {got!r}")
    assert not failures, "\n".join(failures)


# Mean F1 per field over the 17 entries, and how many fields reach the eval's 0.9, against the
# full hand-read text (rows read across interleave their columns and are only partly right:
# floors against regressions, raised as the reader improves).
FULL_FLOORS = {"title": 0.9, "category": 0.96, "consequences": 0.94, "controls": 0.94,
               "actions": 0.96, "owner": 0.99, "direction_text": 0.92}
FULL_RIGHT_FLOOR = 99  # of 117 non-empty hand-read fields at F1 >= 0.9


def test_seed_full_text_against_hand_read_records(seed_records):
    by_ref = seed_records[0]
    gold = json.loads(FULL.read_text(encoding="utf-8"))["records"]
    assert {g["ref"] for g in gold} == set(by_ref)
    scores: dict[str, list[float]] = {}
    for record in gold:
        for name in TEXT_FIELDS:
            if record.get(name):
                scores.setdefault(name, []).append(word_f1(record[name], getattr(by_ref[record["ref"]], name)))
    means = {name: sum(v) / len(v) for name, v in scores.items()}
    short = {n: round(means[n], 3) for n, floor in FULL_FLOORS.items() if means[n] < floor}
    assert not short, short
    right = sum(s >= 0.9 for v in scores.values() for s in v)
    assert right >= FULL_RIGHT_FLOOR, right
    for ref in COLUMN_ROWS:  # rows read column by column: every field right
        record = next(g for g in gold if g["ref"] == ref)
        for name in TEXT_FIELDS:
            if record.get(name):
                assert word_f1(record[name], getattr(by_ref[ref], name)) >= 0.95, (ref, name)


def test_seed_rows_read_across_say_so(seed_records):
    for rec in seed_records[1]:
        if rec.ref in COLUMN_ROWS:
            continue
        assert rec.confidence <= 0.5
        assert any("read across" in w for w in rec.warnings)


def test_seed_no_text_in_two_fields(seed_records):
    """No line of text is used more often than the source prints it."""
    source = " ".join(OCR_SEED.read_text(encoding="utf-8").split())
    for rec in seed_records[1]:
        lines = [
            line
            for name in ("title", "category", "consequences", "controls", "actions", "owner")
            for line in (getattr(rec, name) or "").split("\n")
            if len(line) > 25
        ]
        for line in set(lines):
            printed = source.count(line)
            if printed:
                assert lines.count(line) <= printed, (rec.ref, line)


def test_seed_legend_gives_no_entries(seed_records):
    records = seed_records[1]
    assert not any(r.ref.upper().startswith(("MAJOR", "MINOR", "IMPACT")) for r in records)
    assert all(r.ref[:2] in ("CR", "CO") for r in records)


INVENTED = """Strategic Risk Register - Quarter 1, 2021/22

Ref Risk Title Category Potential Impacts Existing Mitigation Gross Further Actions Net Lead Trend
Score Score

SR1

Loss of the main
data centre

Technology

Services cannot be
delivered online

Residents cannot
pay bills

Nightly backups are taken and
restored every month at a second site
run by a separate supplier.

Disaster recovery plan is tested
twice a year.

20

o Move the remaining systems to the
cloud hosting contract by March.
o Review the supplier contract.

9
Moderate/
Possible

Head of
Digital

Falling


SR2

Fewer foster
carers than the
county needs

People

Children placed far
from home at high
cost

Recruitment campaign running jointly
with neighbouring councils.

16

o Raise the carer allowance in line with
inflation.

12
Major/
possible

Director
of
Children

Level



Key to Scores
MAJOR 4 8 12 16 20
MINOR 2 4 6 8 10
"""


def test_invented_flow_text(tmp_path, profile):
    path = tmp_path / "register.txt"
    path.write_text(INVENTED, encoding="utf-8")
    doc = read_text(str(path))
    assert doc.tables[0].layout == "flow"
    records, _ = flow_to_records(doc.tables[0], profile, scale=profile.scale)
    assert [r.ref for r in records] == ["SR1", "SR2"]
    first, second = records
    assert first.title == "Loss of the main data centre"
    assert first.category == "Technology"
    assert first.consequences == "Services cannot be delivered online\nResidents cannot pay bills"
    assert first.controls.startswith("Nightly backups are taken")
    assert first.controls.endswith("Disaster recovery plan is tested twice a year.")
    assert first.actions == (
        "Move the remaining systems to the cloud hosting contract by March.\n"
        "Review the supplier contract."
    )
    assert (first.inherent_score, first.residual_score) == (20, 9)
    assert (first.residual_impact, first.residual_likelihood) == (3, 3)
    assert first.owner == "Head of Digital"
    assert first.direction_text == "Falling"
    assert second.owner == "Director of Children"
    assert second.controls == "Recruitment campaign running jointly with neighbouring councils."
    assert (second.residual_impact, second.residual_likelihood) == (4, 3)


ACROSS = """Council Risk Register 2020/21

Risk No. Risk Title Category Consequences Existing Controls Gross Further Actions Net Lead
Score Score

R1

Flooding of the
town centre

Environment

Homes and shops
are damaged and
roads are closed

Flood defences are inspected after
every storm by the drainage team.

20

o Bid for national funding to raise the
river wall by 2023.

12
Major/
Possible

Head of
Highways


R2 Loss of key | Workforce Services stop or Recruitment campaign running 16 o Agree a market supplement 12 Director of
social care slow down and with neighbouring councils. for hard to fill posts. Major/ | People
staff statutory duties Exit interviews held for every possible | Services
are not met leaver.
"""


def test_invented_register_with_a_row_read_across(tmp_path, profile):
    """Other headers ("Risk No.", "Existing Controls", "Lead"), R-references, one row read
    across: scores and owner found, every word of the row used once, the doubt recorded."""
    path = tmp_path / "register.txt"
    path.write_text(ACROSS, encoding="utf-8")
    doc = read_text(str(path))
    records, _ = flow_to_records(doc.tables[0], profile, scale=profile.scale)
    assert [r.ref for r in records] == ["R1", "R2"]
    first, second = records
    assert first.title == "Flooding of the town centre"
    assert first.owner == "Head of Highways"
    assert (second.inherent_score, second.residual_score) == (16, 12)
    assert (second.residual_impact, second.residual_likelihood) == (4, 3)
    assert second.owner == "Director of People Services"
    assert second.confidence <= 0.5 and second.warnings
    row = ACROSS[ACROSS.index("R2 ") + 3 :].split()
    printed = [t for t in row if t not in ("|", "16", "12", "Major/", "possible", "o")]
    used = [
        t
        for name in ("title", "category", "consequences", "controls", "actions", "owner")
        for t in (getattr(second, name) or "").split()
    ]
    assert sorted(used) == sorted(printed)


def test_segment_line_cuts_by_widths_and_rules():
    widths = {"title": 12, "controls": 30, "owner": 8}
    tokens = "Flood risk Sandbags stored at depots | J Smith".split()
    got = segment_line(
        tokens, ["title", "controls", "owner"], widths, {"title", "controls", "owner"}
    )
    assert got == [
        ("title", "Flood risk"),
        ("controls", "Sandbags stored at depots"),
        ("owner", "J Smith"),
    ]


@pytest.mark.parametrize(
    "owner, kept, stray",
    [
        pytest.param("Executive Director for Adult Services and of", "Executive Director for Adult Services",
                     "and of", id="connectives"),
        pytest.param("Head of Service o\\ ith", "Head of Service", "o\\ ith", id="ocr-debris"),
        pytest.param("Head of Legal and Democratic Services", "Head of Legal and Democratic Services", "",
                     id="inner-connective-kept"),
        pytest.param("CMT", "CMT", "", id="initials"),
    ],
)
def test_trim_owner_tail(owner, kept, stray):
    from normalise.flow import trim_owner_tail

    assert trim_owner_tail(owner, set()) == (kept, stray)


def test_segment_line_continues_a_word_broken_by_a_narrow_column():
    """'Superintend' / 'ent Office': the fragment that completes the owner's broken word goes
    to the owner, not to the end of the wider column before it."""
    widths = {"controls": 40, "owner": 11, "direction_text": 20}
    previous = {
        "controls": "Quarterly reports to the Audit Panel and",
        "owner": "Superintend",
        "direction_text": "Reviewed by the",
    }
    tokens = "the Cabinet Member ent Office | Panel each month".split()
    got = segment_line(tokens, ["controls", "owner", "direction_text"], widths, previous=previous)
    assert got == [
        ("controls", "the Cabinet Member"),
        ("owner", "ent Office"),
        ("direction_text", "Panel each month"),
    ]


@pytest.mark.parametrize(
    "ending, takes_head",
    [
        pytest.param(" to the", "consequences", id="other-columns-end-in-the"),
        pytest.param("", "title", id="none-dangles"),
    ],
)
def test_a_lower_case_line_start_goes_to_the_column_left_hanging(ending, takes_head):
    """'reputation' did not fit after the title 'Workforce capacity', so it could be the title's
    next word; but where other columns' lines ended in 'the', they claim it (an invented
    register's line)."""
    widths = {"title": 22.9, "consequences": 24, "controls": 48.4}
    previous = {
        "title": "Workforce capacity",
        "consequences": "o Damage" + (ending or " to public"),
        "controls": "Monthly budget monitoring reported" + ending,
    }
    tokens = "reputation of the Cabinet, including the arrangements for".split()
    got = segment_line(tokens, list(widths), widths, previous=previous)
    assert got[0][0] == takes_head and got[0][1].startswith("reputation")
    assert all(name != "title" for name, _ in got[1:])


@pytest.mark.parametrize(
    "line, owner, direction",
    [
        pytest.param("Harbour Master Decreasing", "Harbour Master", "Decreasing", id="keyword"),
        pytest.param("Coroner Services New risk this quarter", "Coroner Services",
                     "New risk this quarter", id="phrase"),
    ],
)
def test_segment_line_direction_starts_with_its_word(line, owner, direction):
    """An owner's last word is no direction's first: a direction of travel starts with its
    word, so capitalised words before 'Decreasing' / 'New risk' end the owner (widths alone
    would let either column take them)."""
    widths = {"owner": 19, "direction_text": 24}
    got = segment_line(line.split(), ["owner", "direction_text"], widths, first_line=True)
    assert got == [("owner", owner), ("direction_text", direction)]


def test_a_tail_paragraph_goes_to_the_column_its_wrapping_fits():
    # lines that broke before words a wider column would have taken: not that column's text,
    # even though that column's sentence was left hanging on "the"
    paragraph = [
        "Funding could end in",
        "2025 when the grant",
        "ceases and councils",
        "are encouraged to",
        "raise their revenue",
        "from local business",
    ]
    widths = {"consequences": 21.0, "controls": 44.0}
    so_far = {"consequences": ["Potential savings."], "controls": ["Work continues with the"]}
    cuts = assign_tails([list(range(6))], paragraph, ["consequences", "controls"], widths, so_far)
    assert cuts == [("consequences", list(range(6)))]
    wide = [line + " and further words" for line in paragraph]  # ~38 characters a line
    cuts = assign_tails([list(range(6))], wide, ["consequences", "controls"], widths, so_far)
    assert cuts == [("controls", list(range(6)))]


@pytest.mark.parametrize("title_width", [18.0, 30.0, 40.0])
def test_a_bulleted_tail_is_not_taken_for_a_narrow_column_by_its_short_lines(title_width):
    # the author broke these lines (one item each), not the column: their shortness says
    # nothing about the column's width
    tail = ["• Monthly board review of the register.", "• Internal audit plan agreed.",
            "• Training for all staff."]
    columns = ["title", "controls", "actions", "owner"]
    widths = {"title": title_width, "controls": 60.0, "actions": 60.0, "owner": 42.0}
    so_far = {"title": ["Cyber attack"], "controls": ["Firewalls in place."],
              "actions": ["Plan:"], "owner": ["Chief Executive"]}
    assert assign_tails([[0, 1, 2]], tail, columns, widths, so_far) == [("controls", [0, 1, 2])]


def test_the_narrowest_columns_are_widened_halfway_to_their_overflows():
    """'Director' / 'of Place': an owner column's longest line understates its width by the
    room a word that did not fit left; the other columns keep their longest lines."""
    from normalise.flow import _with_slack

    widths = {"title": 20.0, "category": 16.0, "owner": 10.0, "direction_text": 9.0,
              "actions": 60.0}  # fmt: skip
    overflows = {"owner": [16.0, 14.0, 18.0], "title": [26.0, 27.0, 30.0],
                 "actions": [70.0, 71.0, 75.0], "direction_text": [12.0]}  # fmt: skip
    got = _with_slack(widths, overflows)
    assert got["owner"] == 10.0 + 0.5 * (16.0 - 10.0)  # halfway to the second-shortest
    assert got["title"] == 20.0 and got["actions"] == 60.0  # not much narrower than the rest
    assert got["category"] == 16.0
    assert got["direction_text"] == 9.0  # narrow, but one overflow is too few to go by


def test_tails_stay_in_a_short_column_they_ran_on_into_until_a_page_break():
    """The direction of travel runs on below a row read across ("... will present" / "some
    significant ..."), paragraph after paragraph; only after a page's worth of blank lines are
    the columns read from the left again. Two columns of about the same width: the reading
    order decides, not a per-paragraph cost of the short column."""
    lines = ["Bid for the regional fund when the next round of it opens.", "",
             "some significant challenges", "for local partners.", "",
             "New national funds will", "be targeted locally.", "",
             "Whilst the outlook is", "better, we prepare.", "", "", "", "",
             "Establishment of robust", "joint arrangements.", "",
             "Agree the way forward with the partners by the summer."]  # fmt: skip
    paragraphs = [[0], [2, 3], [5, 6], [8, 9], [14, 15], [17]]
    columns = ["consequences", "actions", "direction_text"]
    widths = {"consequences": 26.0, "actions": 60.0, "direction_text": 26.5}
    so_far = {"consequences": ["Continued delivery of", "the growth programme"],
              "actions": ["Work with partners."],
              "direction_text": ["The review, published", "in July will present"]}  # fmt: skip
    got = [name for name, _ in assign_tails(paragraphs, lines, columns, widths, so_far)]
    direction = ["direction_text"] * 3
    assert got == ["actions", *direction, "consequences", "actions"]
    # without the page break the paragraph stays in the run (whichever column that is)
    lines[10:14] = []
    paragraphs[-2:] = [[10, 11], [13]]
    got = [name for name, _ in assign_tails(paragraphs, lines, columns, widths, so_far)]
    assert len(set(got[1:5])) == 1 and got[-1] == "actions"


# OCR text (tesseract's page reading) of an invented register, every row read across: titles that
# start with a bullet as OCR reads it, and an opportunity table whose one clean reference is
# joined by two with a letter read twice ("Oop1")
OCR_ACROSS = """Strategic Risk and Opportunity Register - Quarter 2

Ref Risk Title Category Potential Impacts Existing Mitigation Gross Further Actions Net Lead Trend
Score Score

SR1 * Loss of the main Technology Services cannot be Nightly backups are taken 20 Move the remaining systems 9 Head of Falling
data centre delivered online and restored monthly. to the cloud by March. Moderate/ Digital
Possible

SR2 + Fewer foster carers People Children placed far Recruitment campaign running 16 Raise the carer allowance 12 Director of Level
than the county needs from home at high cost jointly with neighbours. in line with inflation. Major/ Children
possible

Opportunity Opportunity Title Type Possible Benefits Progress to date Opportunity Maximising Actions Residual Opportunity Direction
Ref Score Score Owner of Travel

Oop1 Shared offices with Assets Lower running costs Two floors let to the 12 Agree the lease terms 16 Head of Upwards
the health trust for both partners. health trust. by the summer. Major/ Property
likely

OP2 Solar panels on Environmental Income from energy Survey of roofs done. 12 Procure an installer. 15 Head of Level
depot roofs sold to the grid. Severe/ Estates
possible
"""


def test_bulleted_titles_and_doubled_letter_references_start_entries(tmp_path, profile):
    path = tmp_path / "register.txt"
    path.write_text(OCR_ACROSS, encoding="utf-8")
    records = normalise_document(read_text(str(path)), profile.name).records
    got = [(r.kind, r.ref, r.ref_raw, r.inherent_score, r.residual_score) for r in records]
    assert got == [
        ("risk", "SR1", "SR1", 20, 9),
        ("risk", "SR2", "SR2", 16, 12),
        ("opportunity", "OP1", "Oop1", 12, 16),
        ("opportunity", "OP2", "OP2", 12, 15),
    ]
    assert records[0].title.startswith("Loss of") and records[1].title.startswith("Fewer")
    assert "reference read as 'Oop1', taken as OP1" in records[2].warnings


def test_seed_opportunity_table_read_only_across_measures_its_own_columns(seed_records):
    """The seed's opportunity table has no row read column by column: cut with the risk
    table's widths, CO3's benefits ran a column to the right ("balance", "Retention" in the
    progress column). Re-measured from its own cuts, its long fields match the hand-read ones."""
    gold = {g["ref"]: g for g in json.loads(FULL.read_text(encoding="utf-8"))["records"]}
    by_ref = seed_records[0]
    for ref in ("CO1", "CO3"):
        for name in ("consequences", "controls", "actions"):
            assert word_f1(gold[ref][name], getattr(by_ref[ref], name)) >= 0.9, (ref, name)
    assert "balance the budget" in by_ref["CO3"].consequences


def test_a_header_read_down_is_a_header_block(profile):
    """OCR reads a page's header column by column: a name a paragraph, marks such as "(RIN)"
    between. It is a header block (a new section of the same table), not text of the row it
    interrupts; a paragraph of one header-like phrase alone is not."""
    from normalise.flow import find_sections

    lines = ["Risk Ref Risk Description Current Controls Risk Owner", "", "CR1 Loss of data",
             "the rest of CR1", "", "", "", "Risk", "Identification", "Number", "(RIN)", "",
             "Risk Description", "", "Current Controls", "", "Risk Owner", "",
             "Budget monitored each month", "", "CR2 Fire", "", "Risk Owner", "", "Head of ICT"]
    sections = find_sections(lines, profile)
    assert [(s.header_start, s.body_start) for s in sections] == [(0, 1), (7, 17)]
    assert sections[0].kind == sections[1].kind == "risk"
