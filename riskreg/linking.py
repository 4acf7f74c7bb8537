"""`riskreg link`: run match/ over the dataset's records and write links and risk_uid."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from normalise.refs import normalise_ref
from riskreg.dataset import Dataset
from riskreg.pipeline import OVERRIDES_NAME
from riskreg.schema import LINKS, RECORDS


def default_overrides(raw_root: str | None) -> str | None:
    if not raw_root:
        return None
    p = Path(raw_root) / OVERRIDES_NAME
    return str(p) if p.exists() else None


def run_link(out: str, *, overrides: str | None = None, raw_root: str | None = None,
             verbose: bool = True, organisations: set[str] | None = None) -> str:
    """Link every organisation's editions (or only `organisations`) and write the result.

    Returns the printed summary. Existing risk_uids are kept for risks already linked.
    """
    from match import format_summary, link_records, read_overrides

    dataset = Dataset(out)
    dataset.ensure()
    overrides = overrides or default_overrides(raw_root)
    override_rows = read_overrides(overrides) if overrides else None
    if override_rows is not None:  # an analyst's "CR07" names the dataset's CR7
        for side in ("from_ref", "to_ref"):
            override_rows[side] = [normalise_ref(str(v)) if isinstance(v, str) and v.strip() else v
                                   for v in override_rows[side]]
    with dataset.locked():
        records = dataset.read(RECORDS)
        frame = records.to_pandas()
        if frame.empty:
            dataset.write(LINKS, LINKS.empty())
            return "no records to link"
        previous = {
            (e, k, r): u
            for e, k, r, u in zip(frame["edition"], frame["kind"], frame["ref"], frame["risk_uid"],
                                  strict=True)
            if isinstance(u, str) and u
        }
        result = link_records(frame, override_rows, previous_uids=previous)
        uids = pa.array(list(result.risk_uid.reindex(frame.index)), type=pa.string())
        idx = records.schema.get_field_index("risk_uid")
        records = records.set_column(idx, records.schema.field(idx), uids)
        links = pa.Table.from_pandas(result.links, preserve_index=False) if len(result.links) else LINKS.empty()
        dataset.write_links(links, records)
    summary = result.summary
    if organisations is not None:
        summary = {k: v for k, v in summary.items() if k in organisations}
    return format_summary(summary) if verbose else _counts(summary)


def _counts(summary: dict) -> str:
    lines = []
    for org, s in summary.items():
        lines.append(f"{org}: {len(s.get('links', []))} links, {len(s.get('new', []))} new, "
                     f"{len(s.get('disappeared', []))} disappeared")
    return "\n".join(lines)
