"""`riskreg link`: run match/ over the dataset's records and write links and risk_uid."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from extract import file_sha256
from normalise.refs import normalise_ref
from riskreg.dataset import Dataset, atomic_write_bytes, rows_not_in
from riskreg.pipeline import OVERRIDES_NAME
from riskreg.schema import LINKS, RECORDS, conform


def default_overrides(raw_root: str | None) -> str | None:
    if not raw_root:
        return None
    p = Path(raw_root) / OVERRIDES_NAME
    return str(p) if p.exists() else None


APPLIED_OVERRIDES = ".link-overrides.sha256"  # in the dataset folder: the file links were made with


def overrides_fingerprint(path: str | Path | None) -> str:
    """The overrides file's content hash, or "none" when there is no such file."""
    try:
        return file_sha256(path) if path else "none"
    except OSError:
        return "none"


def applied_overrides(dataset: Dataset) -> str:
    """The fingerprint of the overrides the dataset's links were last made with."""
    try:
        return (dataset.root / APPLIED_OVERRIDES).read_text().strip() or "none"
    except OSError:
        return "none"


def _record_overrides(dataset: Dataset, fingerprint: str) -> None:
    atomic_write_bytes((fingerprint + "\n").encode(), dataset.root / APPLIED_OVERRIDES)


def run_link(out: str, *, overrides: str | None = None, raw_root: str | None = None,
             verbose: bool = True, organisations: set[str] | None = None) -> str:
    """Link every organisation's editions (or only `organisations`, whose records changed; the
    others keep their links and risk_uids) and write the result.

    Returns the printed summary. Existing risk_uids are kept for risks already linked.
    """
    from match import format_summary, link_records, read_overrides

    dataset = Dataset(out)
    dataset.ensure()
    overrides = overrides or default_overrides(raw_root)
    override_rows = read_overrides(overrides) if overrides else None
    fingerprint = overrides_fingerprint(overrides)  # of the file as it was read
    if override_rows is not None:  # an analyst's "CR07" names the dataset's CR7
        for side in ("from_ref", "to_ref"):
            override_rows[side] = [normalise_ref(str(v)) if isinstance(v, str) and v.strip() else v
                                   for v in override_rows[side]]
    with dataset.locked():
        records = dataset.read(RECORDS)
        frame = records.to_pandas()
        if frame.empty:
            dataset.write(LINKS, LINKS.empty())
            _record_overrides(dataset, fingerprint)
            return "no records to link"
        # every uid in the dataset, so a new uid never takes one another organisation holds
        previous = {
            (e, k, r): u
            for e, k, r, u in zip(frame["edition"], frame["kind"], frame["ref"], frame["risk_uid"],
                                  strict=True)
            if isinstance(u, str) and u
        }
        chosen = frame if organisations is None else frame[frame["organisation"].isin(organisations)]
        result = link_records(chosen, override_rows, previous_uids=previous)
        uids = frame["risk_uid"].astype(object).where(frame["risk_uid"].notna(), None)
        uids.loc[chosen.index] = result.risk_uid.reindex(chosen.index)
        idx = records.schema.get_field_index("risk_uid")
        records = records.set_column(idx, records.schema.field(idx),
                                     pa.array(list(uids), type=pa.string()))
        links = (pa.Table.from_pandas(result.links, preserve_index=False)
                 if len(result.links) else LINKS.empty())
        if organisations is not None:  # the other organisations' links stand
            kept = rows_not_in(dataset.read(LINKS), "organisation", organisations)
            links = pa.concat_tables([kept, conform(LINKS, links)])
        dataset.write_links(links, records)
        _record_overrides(dataset, fingerprint)
    return format_summary(result.summary) if verbose else _counts(result.summary)


def _counts(summary: dict) -> str:
    lines = []
    for org, s in summary.items():
        lines.append(f"{org}: {len(s.get('links', []))} links, {len(s.get('new', []))} new, "
                     f"{len(s.get('disappeared', []))} disappeared")
    return "\n".join(lines)
