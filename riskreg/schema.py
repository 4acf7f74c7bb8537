"""The one declaration of the dataset's three tables (see ../shared/CONTRACT.md).

The Arrow schemas, the validation of a table before it is written, the README's data
dictionary and datapackage.json are all made from the declarations below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from riskreg import __version__
from riskreg.errors import ValidationError
from riskreg.version import PIPELINE_VERSION

KINDS = ("risk", "opportunity")
DIRECTIONS = ("up", "down", "level", "new")
METHODS = ("lattice", "stream", "ocr", "text")
STATUSES = ("ok", "failed")
RELATIONS = ("same", "related")


@dataclass(frozen=True)
class Column:
    """One column of a table: name, Arrow type, nullability and a one-line meaning."""

    name: str
    type: pa.DataType
    nullable: bool
    description: str
    allowed: tuple[str, ...] | None = None  # the only values a string column may hold

    @property
    def type_name(self) -> str:
        return _type_name(self.type)


@dataclass(frozen=True)
class Table:
    """A table of the dataset: its file name, its columns and its unique key."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.parquet"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def arrow_schema(self) -> pa.Schema:
        """The Arrow schema, with descriptions and the pipeline version as metadata."""
        fields = [
            pa.field(c.name, c.type, nullable=c.nullable, metadata={"description": c.description})
            for c in self.columns
        ]
        return pa.schema(
            fields,
            metadata={
                "table": self.name,
                "description": self.description,
                "pipeline_version": PIPELINE_VERSION,
            },
        )

    def empty(self) -> pa.Table:
        return self.arrow_schema().empty_table()


def _type_name(t: pa.DataType) -> str:
    if pa.types.is_map(t):
        return f"map<{_type_name(t.key_type)}, {_type_name(t.item_type)}>"
    if pa.types.is_date32(t):
        return "date"
    if pa.types.is_large_string(t) or pa.types.is_string(t):
        return "string"
    return str(t)


S = pa.string()
I8 = pa.int8()

RECORDS = Table(
    name="records",
    description="One row per register entry per edition.",
    key=("edition", "kind", "ref"),
    columns=(
        Column("organisation", S, False, "publishing body, as given or found"),
        Column("period", S, False, "the edition's period, normalised, e.g. `2019/20 Q3`, `2019-07`"),
        Column("period_start", pa.date32(), True, "first day of that period"),
        Column("edition", S, False, "`<organisation slug>/<period>`: one published register"),
        Column("source_file", S, False, "path of the input, relative to RAW where it came from there"),
        Column("source_sha256", S, False, "hash of the input's bytes"),
        Column("page_start", pa.int16(), True, "first page the entry occupies (1-based; null for text inputs)"),
        Column("page_end", pa.int16(), True, "last page the entry occupies (1-based; null for text inputs)"),
        Column("kind", S, False, "`risk` or `opportunity`", allowed=KINDS),
        Column("ref", S, False, "the entry's reference, normalised (`CR5`, `CO2`, `9`)"),
        Column("ref_raw", S, True, "the reference as it was read"),
        Column("title", S, True, "the risk or opportunity statement"),
        Column("category", S, True, "risk type / category, where the register has one"),
        Column("cause", S, True, "causes, where the register separates them"),
        Column("consequences", S, True, "possible consequences / effects / benefits"),
        Column("controls", S, True, "current controls / mitigation in place / progress to date"),
        Column("actions", S, True, "further mitigating or maximising actions"),
        Column("progress", S, True, "comments and progress notes, where the register has them"),
        Column("inherent_score", I8, True, "score before controls (risk score, gross, risk if no action)"),
        Column("inherent_impact", I8, True, "impact before controls, on the register's own scale"),
        Column("inherent_likelihood", I8, True, "likelihood before controls, on the register's own scale"),
        Column("residual_score", I8, True, "score after controls (residual, current, net)"),
        Column("residual_impact", I8, True, "impact after controls, on the register's own scale"),
        Column("residual_likelihood", I8, True, "likelihood after controls, on the register's own scale"),
        Column("target_score", I8, True, "target / appetite score, where given"),
        Column("owner", S, True, "risk owner"),
        Column("direction", S, True, "`up`, `down`, `level`, `new`, or null when not stated", allowed=DIRECTIONS),
        Column("direction_text", S, True, "the direction-of-travel text as printed"),
        Column("extra", pa.map_(S, S), True, "every column the register had that maps to no field above, verbatim"),
        Column("method", S, False, "how it was read: `lattice`, `stream`, `ocr`, `text`", allowed=METHODS),
        Column("risk_uid", S, True, "the same value for the same underlying risk in every edition (set by `link`)"),
        Column("confidence", pa.float32(), True, "how sure the reader is of this record, 0-1"),
        Column("warnings", S, True, "what was recovered or doubtful while reading this record, one per line"),
        Column("corrections", S, True, "fields replaced by analyst corrections, as JSON {field: value before}"),
    ),
)

LINKS = Table(
    name="links",
    description="One row per link between two editions of one organisation.",
    key=("from_edition", "from_ref", "to_edition", "to_ref"),
    columns=(
        Column("organisation", S, False, "publishing body"),
        Column("from_edition", S, False, "the earlier entry's edition"),
        Column("from_ref", S, False, "the earlier entry's reference"),
        Column("to_edition", S, False, "the later entry's edition"),
        Column("to_ref", S, False, "the later entry's reference"),
        Column("score", pa.float64(), False, "similarity, 0-1"),
        Column("relation", S, False, "`same` (one risk carried forward) or `related` (a split or merge)", allowed=RELATIONS),
        Column("from_kind", S, True, "the earlier entry's kind", allowed=KINDS),
        Column("to_kind", S, True, "the later entry's kind", allowed=KINDS),
        Column("source", S, True, "`auto`, or `override` when an analyst's overrides file forced it"),
    ),
)

SOURCES = Table(
    name="sources",
    description="One row per input file seen by ingest or build.",
    key=("source_file",),
    columns=(
        Column("source_file", S, False, "path of the input, relative to RAW where it came from there"),
        Column("source_sha256", S, True, "hash of the input's bytes (null when unreadable)"),
        Column("organisation", S, True, "publishing body"),
        Column("period", S, True, "the edition's period"),
        Column("edition", S, True, "`<organisation slug>/<period>`"),
        Column("status", S, False, "`ok` or `failed`", allowed=STATUSES),
        Column("error", S, True, "the reason, when failed"),
        Column("pages", pa.int32(), True, "pages in the input (null for text)"),
        Column("records", pa.int32(), True, "records written for this input"),
        Column("method", S, True, "how it was read (most records' method)"),
        Column("seconds", pa.float64(), True, "time spent on this input"),
        Column("pipeline_version", S, False, "version of the code that read it"),
        Column("register_pages", S, True, "pages that held register tables, e.g. `37-52`"),
        Column("source_size", pa.int64(), True, "size of the input in bytes when read"),
        Column("source_mtime_ns", pa.int64(), True, "modification time of the input when read (ns)"),
        Column("ingested_at", pa.timestamp("s", tz="UTC"), True, "when this input was read"),
    ),
)

TABLES = {t.name: t for t in (RECORDS, LINKS, SOURCES)}

SCORE_COLUMNS = tuple(
    c.name for c in RECORDS.columns if c.name.endswith(("_score", "_impact", "_likelihood"))
)


def to_arrow(table: Table, rows: list[dict]) -> pa.Table:
    """Rows (dicts keyed by column name; missing keys are null) into an Arrow table."""
    arrays = []
    for c in table.columns:
        values = [_coerce(c, r.get(c.name)) for r in rows]
        arrays.append(pa.array(values, type=c.type))
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema())


def _coerce(col: Column, value):
    if value is None:
        return None
    try:
        if value != value:  # NaN from pandas
            return None
    except (TypeError, ValueError):
        pass
    if pa.types.is_map(col.type):
        items = value.items() if isinstance(value, dict) else value
        return [(str(k), None if v is None else str(v)) for k, v in items]
    if pa.types.is_date32(col.type) and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def conform(table: Table, data: pa.Table) -> pa.Table:
    """Reorder and cast an Arrow table to the declared schema (adding missing null columns)."""
    arrays = []
    for c in table.columns:
        if c.name in data.column_names:
            arrays.append(data.column(c.name).cast(c.type))
        else:
            arrays.append(pa.nulls(data.num_rows, type=c.type))
    return pa.Table.from_arrays(arrays, schema=table.arrow_schema())


def validate(table: Table, data: pa.Table) -> None:
    """Raise ValidationError naming the row and the rule when data breaks the schema."""
    missing = [n for n in table.names if n not in data.column_names]
    if missing:
        raise ValidationError(f"{table.name}: missing columns {missing}")
    rows = data.to_pylist()
    for i, row in enumerate(rows):
        where = _row_label(table, row, i)
        for c in table.columns:
            v = row[c.name]
            if v is None:
                if not c.nullable:
                    raise ValidationError(f"{table.name} {where}: {c.name} must not be empty")
                continue
            if c.allowed is not None and v not in c.allowed:
                raise ValidationError(
                    f"{table.name} {where}: {c.name}={v!r} is not one of {list(c.allowed)}"
                )
        if table is RECORDS:
            _check_scores(row, where)
    validate_keys(table, data)


def validate_keys(table: Table, data: pa.Table) -> None:
    """Raise ValidationError naming two rows that share the table's key (counted in Arrow;
    rows are walked only to name them)."""
    if not table.key or data.num_rows < 2:
        return
    counts = data.group_by(list(table.key)).aggregate([([], "count_all")])
    if max(counts.column("count_all").to_pylist()) <= 1:
        return
    seen = {}
    for i, row in enumerate(data.select(list(table.key)).to_pylist()):
        k = tuple(row[n] for n in table.key)
        if k in seen:
            raise ValidationError(
                f"{table.name}: duplicate {'/'.join(table.key)} {k} (rows {seen[k] + 1} and {i + 1})"
            )
        seen[k] = i


def _row_label(table: Table, row: dict, i: int) -> str:
    if table.key and all(row.get(n) is not None for n in table.key):
        return "row " + " ".join(str(row[n]) for n in table.key)
    return f"row {i + 1}"


def _check_scores(row: dict, where: str) -> None:
    for stage in ("inherent", "residual"):
        s, imp, lik = (row[f"{stage}_{p}"] for p in ("score", "impact", "likelihood"))
        for name, v, hi in ((f"{stage}_impact", imp, 10), (f"{stage}_likelihood", lik, 10)):
            if v is not None and not 1 <= v <= hi:
                raise ValidationError(f"records {where}: {name}={v} is outside the matrix (1-{hi})")
        if s is not None and not 0 <= s <= 100:
            raise ValidationError(f"records {where}: {stage}_score={s} is outside the matrix (0-100)")
        if s is not None and imp is not None and lik is not None and imp * lik != s:
            raise ValidationError(
                f"records {where}: {stage} impact {imp} x likelihood {lik} != score {s}"
            )
    t = row["target_score"]
    if t is not None and not 0 <= t <= 100:
        raise ValidationError(f"records {where}: target_score={t} is outside the matrix (0-100)")


def data_dictionary() -> str:
    """The README's data dictionary, in Markdown, made from the declarations."""
    parts = []
    for t in TABLES.values():
        parts.append(f"### {t.filename}: {t.description}\n")
        parts.append("| column | type | meaning |")
        parts.append("| --- | --- | --- |")
        for c in t.columns:
            parts.append(f"| {c.name} | {c.type_name} | {c.description} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def datapackage(resources_path: str = ".") -> dict:
    """A Frictionless data package descriptor of the dataset."""
    def field_type(c: Column) -> str:
        t = c.type
        if pa.types.is_integer(t):
            return "integer"
        if pa.types.is_floating(t):
            return "number"
        if pa.types.is_date32(t):
            return "date"
        if pa.types.is_timestamp(t):
            return "datetime"
        if pa.types.is_map(t):
            return "object"
        return "string"

    resources = []
    for t in TABLES.values():
        fields = []
        for c in t.columns:
            f = {"name": c.name, "type": field_type(c), "description": c.description}
            constraints = {}
            if not c.nullable:
                constraints["required"] = True
            if c.allowed:
                constraints["enum"] = list(c.allowed)
            if constraints:
                f["constraints"] = constraints
            fields.append(f)
        schema = {"fields": fields}
        if t.key:
            schema["primaryKey"] = list(t.key)
        resources.append({
            "name": t.name,
            "path": f"{resources_path.rstrip('/')}/{t.filename}" if resources_path != "." else t.filename,
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
            "description": t.description,
            "schema": schema,
        })
    return {
        "name": "riskreg",
        "title": "Corporate risk registers, extracted and linked",
        "version": __version__,
        "resources": resources,
    }
