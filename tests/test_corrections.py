"""Analyst corrections: applied and marked, idempotent, surviving rebuilds, reported when stale."""

import datetime as dt
import json

import pandas as pd
import pytest

from riskreg.corrections import (
    CorrectionsError,
    apply_corrections,
    apply_to_dataset,
    read_corrections,
    reapply_corrections,
)
from riskreg.dataset import Dataset
from riskreg.schema import RECORDS, SOURCES, to_arrow

ORG = "Lancashire County Council"
SLUG = "lancashire-county-council"
HEADER = "organisation,period,kind,ref,field,value,note\n"


def rec(period, ref, **over):
    start = {"2019/20 Q2": dt.date(2019, 7, 1), "2019/20 Q3": dt.date(2019, 10, 1)}[period]
    row = {"organisation": ORG, "period": period, "period_start": start,
           "edition": f"{SLUG}/{period}", "source_file": f"{SLUG}/{period}.pdf",
           "source_sha256": "h", "kind": "risk", "ref": ref, "method": "ocr",
           "title": f"Risk {ref}", "owner": "Director of Finance",
           "residual_score": 12, "residual_impact": 4, "residual_likelihood": 3}
    row.update(over)
    return row


def fresh_records(*, without=()):
    """Both editions as riskreg reads them (an OCR misread in CR1's score and CR2's title)."""
    rows = [
        rec("2019/20 Q2", "CR1", residual_score=None, residual_impact=None, residual_likelihood=None),
        rec("2019/20 Q3", "CR1", residual_score=17, residual_impact=None, residual_likelihood=None),
        rec("2019/20 Q3", "CR2", title="Failure to recruit sta ff"),
        rec("2019/20 Q3", "CR7"),
        rec("2019/20 Q3", "CO1", kind="opportunity"),
    ]
    return to_arrow(RECORDS, [r for r in rows if (r["period"], r["ref"]) not in without])


def write_corrections(tmp_path, *lines):
    path = tmp_path / "raw" / "corrections.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(line + "\n" for line in lines))
    return path


CORRECTIONS = (
    f"{SLUG},2019/20 Q3,risk,CR1,residual_score,12,OCR read 12 as 17",
    f"{ORG},Q3 2019/20,risk,CR2,title,Failure to recruit staff,wrapped word",
    f"{SLUG},2019/20 Q3,risk,CR7,owner,Chief Executive,",
)


def entry(records, ref, period="2019/20 Q3"):
    (row,) = [r for r in records if r["ref"] == ref and r["period"] == period]
    return row


def marks(row):
    return json.loads(row["corrections"]) if row["corrections"] else None


@pytest.fixture
def corrections(tmp_path):
    return write_corrections(tmp_path, *CORRECTIONS)


@pytest.fixture
def out(tmp_path):
    dataset = Dataset(tmp_path / "clean")
    dataset.write(RECORDS, fresh_records())
    return str(dataset.root)


def read_records(out):
    """records.parquet as a researcher reads it, as a list of rows with None for null."""
    frame = pd.read_parquet(f"{out}/records.parquet")
    return [{k: (None if v is None or v != v else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")]


def test_corrections_are_applied_and_marked(out, corrections):
    assert apply_to_dataset(out, str(corrections)) == []
    records = read_records(out)
    cr1, cr2, cr7 = (entry(records, ref) for ref in ("CR1", "CR2", "CR7"))
    assert (cr1["residual_score"], marks(cr1)) == (12, {"residual_score": 17})
    assert (cr2["title"], marks(cr2)) == ("Failure to recruit staff",
                                          {"title": "Failure to recruit sta ff"})
    assert (cr7["owner"], marks(cr7)) == ("Chief Executive", {"owner": "Director of Finance"})
    assert entry(records, "CR1", "2019/20 Q2")["corrections"] is None  # other edition untouched
    assert Dataset(out).read(RECORDS).schema.field("residual_score").type == "int8"


def test_applying_twice_changes_nothing_and_keeps_the_original(out, corrections):
    apply_to_dataset(out, str(corrections))
    once = Dataset(out).read(RECORDS)
    assert apply_to_dataset(out, str(corrections)) == []
    assert Dataset(out).read(RECORDS).equals(once)


def test_an_amended_value_keeps_the_original_before_value(tmp_path, out, corrections):
    apply_to_dataset(out, str(corrections))
    amended = write_corrections(tmp_path, CORRECTIONS[0].replace(",12,", ",15,"))
    apply_to_dataset(out, str(amended))
    cr1 = entry(read_records(out), "CR1")
    assert (cr1["residual_score"], marks(cr1)) == (15, {"residual_score": 17})


def test_a_correction_removed_from_the_file_is_undone(tmp_path, out, corrections):
    apply_to_dataset(out, str(corrections))
    apply_to_dataset(out, str(write_corrections(tmp_path, CORRECTIONS[1])))
    records = read_records(out)
    assert entry(records, "CR1")["residual_score"] == 17
    assert entry(records, "CR1")["corrections"] is None
    assert entry(records, "CR2")["title"] == "Failure to recruit staff"


def test_a_correction_survives_a_full_rebuild(out, corrections):
    apply_to_dataset(out, str(corrections))
    Dataset(out).write(RECORDS, fresh_records())  # every file read again, nothing corrected
    assert entry(read_records(out), "CR1")["residual_score"] == 17
    assert apply_to_dataset(out, str(corrections)) == []
    cr1 = entry(read_records(out), "CR1")
    assert (cr1["residual_score"], marks(cr1)) == (12, {"residual_score": 17})


def test_a_correction_survives_a_new_pipeline_version(out, corrections):
    apply_to_dataset(out, str(corrections))
    dataset = Dataset(out)
    q3 = to_arrow(RECORDS, [r for r in fresh_records().to_pylist() if r["period"] == "2019/20 Q3"])
    source = to_arrow(SOURCES, [{"source_file": f"{SLUG}/2019/20 Q3.pdf", "source_sha256": "h",
                                 "status": "ok", "pipeline_version": "9.9.9"}])
    dataset.replace_editions(q3, source)  # the edition re-read by the new version
    assert entry(read_records(out), "CR1")["corrections"] is None
    assert apply_to_dataset(out, str(corrections)) == []
    cr1 = entry(read_records(out), "CR1")
    assert (cr1["residual_score"], marks(cr1)) == (12, {"residual_score": 17})


def test_an_edition_not_re_read_keeps_its_corrections(out, corrections):
    apply_to_dataset(out, str(corrections))
    dataset = Dataset(out)
    q2 = [r for r in fresh_records().to_pylist() if r["period"] == "2019/20 Q2"]
    dataset.replace_editions(to_arrow(RECORDS, q2), SOURCES.empty())
    apply_to_dataset(out, str(corrections))
    cr1 = entry(read_records(out), "CR1")
    assert (cr1["residual_score"], marks(cr1)) == (12, {"residual_score": 17})


def test_a_correction_whose_entry_disappeared_is_reported(out, corrections):
    Dataset(out).write(RECORDS, fresh_records(without={("2019/20 Q3", "CR7")}))
    report = apply_to_dataset(out, str(corrections))
    assert report == [f"corrections.csv line 4: no entry CR7 (risk) in {SLUG}/2019/20 Q3; "
                      "the register may have renumbered it"]
    assert entry(read_records(out), "CR1")["residual_score"] == 12  # the others still applied


def test_a_correction_whose_edition_disappeared_is_reported(tmp_path, out):
    path = write_corrections(tmp_path, f"{SLUG},2018/19 Q4,risk,CR1,owner,Someone,")
    assert apply_to_dataset(out, str(path)) == [
        f"corrections.csv line 2: no edition of {SLUG} for 2018/19 Q4 in the dataset "
        "(it has 2019/20 Q2, 2019/20 Q3)"]


@pytest.mark.parametrize(("line", "expected"), [
    pytest.param(f"{SLUG},2019/20 Q3,risk,CR1,score,12,", "field 'score' cannot be corrected; use one of",
                 id="unknown-field"),
    pytest.param(f"{SLUG},2019/20 Q3,risk,CR1,source_file,x.pdf,", "field 'source_file' cannot be corrected",
                 id="provenance-field"),
    pytest.param(f"{SLUG},2019/20 Q3,risk,CR1,residual_score,twelve,", "residual_score value 'twelve' is not a whole number",
                 id="bad-score"),
    pytest.param(f"{SLUG},2019/20 Q3,risk,CR2,residual_impact,5,", "not applied, residual_impact=5 would break a rule: "
                 "records row lancashire-county-council/2019/20 Q3 risk CR2: residual impact 5 x likelihood 3 != score 12",
                 id="breaks-score-rule"),
    pytest.param(f"{SLUG},2019/20 Q3,risk,CR2,direction,sideways,", "not applied, direction='sideways' would break a rule",
                 id="not-an-allowed-value"),
    pytest.param(f"{SLUG},2019/20 Q3,risk,CR2,ref,CR7,", "already has an entry CR7 (risk)", id="duplicate-ref"),
    pytest.param(f"{SLUG},2019/20 Q3,risk,CR2,ref,,", "ref must not be empty", id="empty-ref"),
])
def test_a_bad_correction_is_reported_and_not_applied(tmp_path, out, line, expected):
    before = Dataset(out).read(RECORDS)
    report = apply_to_dataset(out, str(write_corrections(tmp_path, line)))
    assert len(report) == 1 and report[0].startswith("corrections.csv line 2: ")
    assert expected in report[0]
    assert Dataset(out).read(RECORDS).equals(before)


def test_a_score_and_its_impact_can_be_corrected_together(tmp_path, out):
    path = write_corrections(tmp_path, f"{SLUG},2019/20 Q3,risk,CR2,residual_impact,5,",
                             f"{SLUG},2019/20 Q3,risk,CR2,residual_score,15,")
    assert apply_to_dataset(out, str(path)) == []
    cr2 = entry(read_records(out), "CR2")
    assert (cr2["residual_impact"], cr2["residual_score"]) == (5, 15)
    assert marks(cr2) == {"residual_impact": 4, "residual_score": 12}


def test_a_renumbered_entry_is_still_found_by_its_ref_as_read(tmp_path, out):
    path = write_corrections(tmp_path, f"{SLUG},2019/20 Q3,risk,CR7,ref,CR17,",
                             f"{SLUG},2019/20 Q3,risk,CR7,owner,Chief Executive,")
    assert apply_to_dataset(out, str(path)) == []
    assert apply_to_dataset(out, str(path)) == []
    cr17 = entry(read_records(out), "CR17")
    assert marks(cr17) == {"ref": "CR7", "owner": "Director of Finance"}
    assert "CR7" not in {r["ref"] for r in read_records(out)}


def test_an_empty_value_clears_a_field_and_kind_may_be_left_out(tmp_path, out):
    path = write_corrections(tmp_path, f"{SLUG},2019/20 Q3,,CO1,owner,,not an owner")
    assert apply_to_dataset(out, str(path)) == []
    co1 = entry(read_records(out), "CO1")
    assert co1["owner"] is None and marks(co1) == {"owner": "Director of Finance"}


def test_a_value_already_right_is_not_marked(tmp_path, out):
    path = write_corrections(tmp_path, f"{SLUG},2019/20 Q3,risk,CR7,owner,Director of Finance,")
    assert apply_to_dataset(out, str(path)) == []
    assert entry(read_records(out), "CR7")["corrections"] is None


def test_apply_corrections_is_pure(corrections):
    records = fresh_records()
    corrected, report = apply_corrections(records, read_corrections(corrections))
    assert report == [] and records.equals(fresh_records())
    again, _ = apply_corrections(corrected, read_corrections(corrections))
    assert again.equals(corrected)


def test_no_corrections_file_means_no_corrections(tmp_path, out, corrections):
    apply_to_dataset(out, str(corrections))
    assert apply_to_dataset(out, str(tmp_path / "missing.csv")) == []
    assert all(r["corrections"] is None for r in read_records(out))


def test_read_corrections_numbers_lines_past_blanks_and_comments(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text(HEADER + "# analyst: JB\n\n" + CORRECTIONS[0] + '\n"x","y",risk,"C\nR1",title,t,\n')
    frame = read_corrections(path)
    assert list(frame["line"]) == [4, 5]
    assert frame.loc[0, "note"] == "OCR read 12 as 17"


def test_read_corrections_names_a_missing_column(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text("organisation,period,ref,value\n")
    with pytest.raises(CorrectionsError, match="missing column.*kind, field"):
        read_corrections(path)


def test_a_reference_typed_with_padding_finds_its_entry(tmp_path, out):
    path = write_corrections(tmp_path, f"{SLUG},2019/20 Q3,risk,CR07,owner,Chief Executive,")
    assert apply_to_dataset(out, str(path)) == []
    assert entry(read_records(out), "CR7")["owner"] == "Chief Executive"


def test_reapply_undoes_corrections_once_the_raw_file_is_gone(tmp_path, out, corrections):
    assert reapply_corrections(out, str(corrections.parent)) == ([], {ORG})
    assert entry(read_records(out), "CR7")["owner"] == "Chief Executive"
    assert reapply_corrections(out, str(corrections.parent)) == ([], set())  # nothing new
    corrections.unlink()
    assert reapply_corrections(out, str(corrections.parent)) == ([], {ORG})
    assert all(r["corrections"] is None for r in read_records(out))
    assert entry(read_records(out), "CR7")["owner"] == "Director of Finance"


def test_reapply_without_a_raw_folder_leaves_corrections_alone(tmp_path, out, corrections):
    reapply_corrections(out, str(corrections.parent))
    assert reapply_corrections(out, None) == ([], set())
    # `ingest` run elsewhere: its default raw folder (data/raw) does not exist there
    assert reapply_corrections(out, str(tmp_path / "elsewhere" / "data" / "raw")) == ([], set())
    assert entry(read_records(out), "CR7")["owner"] == "Chief Executive"
