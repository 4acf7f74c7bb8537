"""The schema declaration: Arrow types, validation rules, and the README's data dictionary."""

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest

from riskreg.errors import ValidationError
from riskreg.schema import LINKS, RECORDS, SOURCES, TABLES, data_dictionary, to_arrow, validate

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_TYPES = {  # the contract's columns and types (../shared/CONTRACT.md)
    "records": {
        "organisation": "string", "period": "string", "period_start": "date", "edition": "string",
        "source_file": "string", "source_sha256": "string", "page_start": "int16",
        "page_end": "int16", "kind": "string", "ref": "string", "ref_raw": "string",
        "title": "string", "category": "string", "cause": "string", "consequences": "string",
        "controls": "string", "actions": "string", "progress": "string",
        "inherent_score": "int8", "inherent_impact": "int8", "inherent_likelihood": "int8",
        "residual_score": "int8", "residual_impact": "int8", "residual_likelihood": "int8",
        "target_score": "int8", "owner": "string", "direction": "string",
        "direction_text": "string", "extra": "map<string, string>", "method": "string",
        "risk_uid": "string",
    },
    "links": {"organisation": "string", "from_edition": "string", "from_ref": "string",
              "to_edition": "string", "to_ref": "string", "score": "double", "relation": "string"},
    "sources": {"source_file": "string", "source_sha256": "string", "organisation": "string",
                "period": "string", "edition": "string", "status": "string", "error": "string",
                "pages": "int32", "records": "int32", "method": "string", "seconds": "double",
                "pipeline_version": "string"},
}


@pytest.mark.parametrize("name", sorted(CONTRACT_TYPES))
def test_every_contract_column_is_declared_with_its_type(name):
    table = TABLES[name]
    for column, type_name in CONTRACT_TYPES[name].items():
        assert table.column(column).type_name == type_name, column


def test_arrow_schema_carries_descriptions_and_version():
    schema = RECORDS.arrow_schema()
    assert schema.field("ref").metadata[b"description"].startswith(b"the entry's reference")
    assert b"pipeline_version" in schema.metadata


def _record(**over):
    row = {"organisation": "Org", "period": "2019/20 Q3", "period_start": dt.date(2019, 10, 1),
           "edition": "org/2019/20 Q3", "source_file": "a.pdf", "source_sha256": "x",
           "kind": "risk", "ref": "R1", "method": "lattice", "residual_score": 12,
           "residual_impact": 4, "residual_likelihood": 3, "extra": {"Lead": "CEO"}}
    row.update(over)
    return row


def test_valid_records_pass_and_map_column_round_trips():
    table = to_arrow(RECORDS, [_record(), _record(ref="R2")])
    validate(RECORDS, table)
    assert table.column("extra").to_pylist()[0] == [("Lead", "CEO")]


@pytest.mark.parametrize("over, rule", [
    pytest.param({"kind": "threat"}, "kind='threat' is not one of", id="kind-allowed"),
    pytest.param({"direction": "sideways"}, "direction='sideways'", id="direction-allowed"),
    pytest.param({"method": "magic"}, "method='magic'", id="method-allowed"),
    pytest.param({"residual_impact": 4, "residual_likelihood": 4}, "impact 4 x likelihood 4 != score 12",
                 id="impact-times-likelihood"),
    pytest.param({"residual_likelihood": 0, "residual_impact": None}, "residual_likelihood=0 is outside",
                 id="likelihood-range"),
    pytest.param({"ref": None}, "ref must not be empty", id="ref-required"),
])
def test_validation_names_the_record_and_the_rule(over, rule):
    table = to_arrow(RECORDS, [_record(**over)])
    with pytest.raises(ValidationError, match=re.escape(rule)):
        validate(RECORDS, table)


def test_duplicate_key_is_refused():
    table = to_arrow(RECORDS, [_record(), _record()])
    with pytest.raises(ValidationError, match="duplicate edition/kind/ref"):
        validate(RECORDS, table)


def test_links_and_sources_validate():
    validate(LINKS, to_arrow(LINKS, [{"organisation": "O", "from_edition": "o/a", "from_ref": "1",
                                      "to_edition": "o/b", "to_ref": "2", "score": 0.9,
                                      "relation": "same"}]))
    with pytest.raises(ValidationError, match="status='maybe'"):
        validate(SOURCES, to_arrow(SOURCES, [{"source_file": "a", "status": "maybe",
                                              "pipeline_version": "1"}]))


def test_readme_data_dictionary_matches_schema():
    readme = (ROOT / "README.md").read_text()
    m = re.search(r"<!-- data-dictionary:start -->\n(.*?)<!-- data-dictionary:end -->", readme, re.S)
    assert m, "README lacks the data dictionary markers"
    assert m.group(1).strip() == data_dictionary().strip(), (
        "README's data dictionary differs from riskreg/schema.py: run `make docs`")


def test_empty_tables_have_declared_schema():
    for t in TABLES.values():
        assert t.empty().schema.equals(t.arrow_schema())
        assert isinstance(t.empty(), pa.Table)
