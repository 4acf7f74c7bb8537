"""datapackage.json (Frictionless) agrees with riskreg/schema.py, and is a valid descriptor."""

import json

import pyarrow as pa
import pytest

from riskreg.dataset import Dataset
from riskreg.docs import write_datapackage
from riskreg.schema import RECORDS, TABLES, datapackage, to_arrow

# The Table Schema type each declared column type must be described as (a literal table, so
# the test does not repeat the mapping code it checks).
FRICTIONLESS_TYPES = {
    "string": "string", "date": "date", "int8": "integer", "int16": "integer",
    "int32": "integer", "int64": "integer", "float": "number", "double": "number",
    "map<string, string>": "object", "timestamp[s, tz=UTC]": "datetime",
}


def frictionless_type(t: pa.DataType) -> str:
    from riskreg.schema import Column

    return FRICTIONLESS_TYPES[Column("x", t, True, "").type_name]


@pytest.fixture(scope="module")
def descriptor(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clean")
    return json.loads(write_datapackage(folder).read_text())


def test_every_table_is_a_resource(descriptor):
    assert [r["name"] for r in descriptor["resources"]] == list(TABLES)
    for resource, table in zip(descriptor["resources"], TABLES.values(), strict=True):
        assert resource["path"] == table.filename
        assert resource["format"] == "parquet"
        assert resource["description"] == table.description
        assert resource["schema"].get("primaryKey", []) == list(table.key)


@pytest.mark.parametrize("name", list(TABLES))
def test_every_column_with_its_type_meaning_and_constraints(descriptor, name):
    table = TABLES[name]
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == table.names
    for f, column in zip(fields, table.columns, strict=True):
        assert f["type"] == frictionless_type(column.type), column.name
        assert f["description"] == column.description
        constraints = f.get("constraints", {})
        assert constraints.get("required", False) is (not column.nullable), column.name
        assert constraints.get("enum") == (list(column.allowed) if column.allowed else None)


def test_type_mapping_covers_the_schema_types(descriptor):
    types = {f["name"]: f["type"] for r in descriptor["resources"] if r["name"] == "records"
             for f in r["schema"]["fields"]}
    assert types["period_start"] == "date"
    assert types["page_start"] == "integer" and types["residual_score"] == "integer"
    assert types["confidence"] == "number"
    assert types["extra"] == "object"
    sources = next(r for r in descriptor["resources"] if r["name"] == "sources")
    assert {f["name"]: f["type"] for f in sources["schema"]["fields"]}["ingested_at"] == "datetime"


def test_descriptor_matches_a_written_dataset(tmp_path):
    """The columns a reader finds in records.parquet are those the package describes."""
    Dataset(tmp_path).write(RECORDS, to_arrow(RECORDS, []))
    write_datapackage(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text())
    records = next(r for r in package["resources"] if r["name"] == "records")
    written = pa.parquet.read_schema(tmp_path / records["path"])
    assert written.names == [f["name"] for f in records["schema"]["fields"]]


def test_descriptor_is_valid_for_frictionless(descriptor):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package.validate_descriptor(descriptor)
    assert report.valid, [e.message for e in report.errors]
    package = frictionless.Package(descriptor)
    assert [r.name for r in package.resources] == list(TABLES)
    assert package.get_resource("records").schema.primary_key == list(RECORDS.key)


def test_frictionless_rejects_a_broken_descriptor():
    """The validation above can fail: an unknown type or key is caught."""
    frictionless = pytest.importorskip("frictionless")
    broken = datapackage()
    broken["resources"][0]["schema"]["fields"][0]["type"] = "map"
    assert not frictionless.Package.validate_descriptor(broken).valid
