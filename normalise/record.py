"""The record normalise/ hands on: one register entry with the contract's content fields."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

TEXT_FIELDS = ("title", "category", "cause", "consequences", "controls", "actions", "progress",
               "owner", "direction_text")
SCORE_FIELDS = ("inherent_score", "inherent_impact", "inherent_likelihood",
                "residual_score", "residual_impact", "residual_likelihood", "target_score")


@dataclass
class Record:
    """One register entry as normalised. Provenance of the file (hash, organisation, edition)
    is added by the pipeline; pages and method come from the cells it was built from."""

    kind: str  # risk | opportunity
    ref: str
    ref_raw: str | None = None
    title: str | None = None
    category: str | None = None
    cause: str | None = None
    consequences: str | None = None
    controls: str | None = None
    actions: str | None = None
    progress: str | None = None
    inherent_score: int | None = None
    inherent_impact: int | None = None
    inherent_likelihood: int | None = None
    residual_score: int | None = None
    residual_impact: int | None = None
    residual_likelihood: int | None = None
    target_score: int | None = None
    owner: str | None = None
    direction: str | None = None
    direction_text: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    page_start: int | None = None
    page_end: int | None = None
    method: str = "text"
    confidence: float | None = None
    warnings: list[str] = field(default_factory=list)

    def as_row(self) -> dict:
        row = asdict(self)
        row["warnings"] = "\n".join(self.warnings) or None
        row["extra"] = dict(self.extra) or None
        return row


@dataclass
class NormalisedEdition:
    """normalise/'s answer for one document: its records, period as found, and reports."""

    records: list[Record]
    period_text: str | None = None  # the period as found in the document, when found
    header_report: list[dict] = field(default_factory=list)  # header -> field decisions per table
    warnings: list[str] = field(default_factory=list)
    register_pages: list[int] = field(default_factory=list)
