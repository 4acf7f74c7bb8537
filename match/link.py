"""Records of several editions -> links between them and a risk_uid per record."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from match.assign import (
    FORBIDDEN,
    MIN_RELATED,
    MIN_SAME,
    MIN_SAME_GAP,
    MIN_SAME_WEAK,
    assign_same,
    related_pairs,
)
from match.overrides import Override, resolve_overrides
from match.similarity import (
    Entries,
    Vocabularies,
    blend_weak_evidence,
    entries_from_rows,
    similarity_matrix,
    text_similarity,
)
from match.uid import assign_uids, chains
from riskreg.schema import LINKS

# How many editions a risk may be missing for and still be linked when it comes back.
MAX_GAP = 3


@dataclass
class LinkResult:
    """What link_records found: the links table, a uid per record, and a summary to print."""

    links: pd.DataFrame
    risk_uid: pd.Series
    summary: dict[str, dict] = field(default_factory=dict)


@dataclass
class _Link:
    a: int  # entry position (earlier edition)
    b: int  # entry position (later edition)
    score: float
    relation: str
    source: str


@dataclass
class _Organisation:
    """One organisation's entries, as positions 0..n-1 with their edition order."""

    name: str
    rows: list[dict]
    labels: list  # index label of each entry in the caller's records
    editions: list[str]  # in period order
    edition_of: list[int]  # entry -> position of its edition in `editions`
    entries: Entries
    vocabs: Vocabularies

    def key(self, p: int) -> tuple[str, str, str]:
        r = self.rows[p]
        return (r["edition"], r["kind"], r["ref"])

    def members(self, edition: int, kind: str) -> list[int]:
        return [
            p
            for p, e in enumerate(self.edition_of)
            if e == edition and self.rows[p]["kind"] == kind
        ]

    def kinds(self) -> list[str]:
        return sorted({r["kind"] for r in self.rows})


def link_records(
    records: pd.DataFrame,
    overrides: pd.DataFrame | None = None,
    *,
    previous_uids: dict | None = None,
) -> LinkResult:
    """Records (columns of riskreg.schema.RECORDS) -> links, risk_uid and a summary.

    `previous_uids` maps (edition, kind, ref) to the uid it has in the current dataset; when
    None, the records' own risk_uid column (if any) is used. Chains holding such an entry
    keep its uid, so adding an edition never renames existing risks."""
    if previous_uids is None:
        previous_uids = _uids_in(records)
    link_frames, summary = [], {}
    uid = pd.Series([None] * len(records), index=records.index, dtype="object", name="risk_uid")
    # uids in use anywhere: a new uid must never equal one of them
    reserved = {u for u in previous_uids.values() if u}
    for name, org_records in records.groupby("organisation", sort=True):
        org = _organisation(str(name), org_records)
        links, unmatched = _link_organisation(org, overrides)
        for message in unmatched:
            warnings.warn(f"{org.name}: {message}", stacklevel=2)
        uids = _uids(org, links, previous_uids, reserved)
        uid.loc[org.labels] = [uids[p] for p in range(len(org.rows))]
        link_frames.append(_links_frame(org, links))
        summary[org.name] = _summary(org, links, unmatched)
    frames = [f for f in link_frames if not f.empty]
    links = pd.concat(frames, ignore_index=True) if frames else _empty_links()
    return LinkResult(links=links, risk_uid=uid, summary=summary)


def _uids_in(records: pd.DataFrame) -> dict:
    if "risk_uid" not in records.columns:
        return {}
    have = records[records["risk_uid"].notna()]
    return {(r.edition, r.kind, r.ref): r.risk_uid for r in have.itertuples()}


def edition_sort_key(edition: str, period: str, start: dt.date | None) -> tuple:
    """Editions sort by period_start (unknown last), then period, then name."""
    return (start is None, start or dt.date.max, period, edition)


def edition_order(org_records: pd.DataFrame) -> list[str]:
    """The organisation's editions in `edition_sort_key` order (an edition starts at its
    earliest period_start)."""
    keys = {}
    for edition, group in org_records.groupby("edition", sort=False):
        starts = (
            pd.to_datetime(group["period_start"], errors="coerce").dropna()
            if "period_start" in group
            else pd.Series(dtype="datetime64[ns]")
        )
        start = starts.min().date() if len(starts) else None
        keys[str(edition)] = edition_sort_key(str(edition), str(group["period"].iloc[0]), start)
    return sorted(keys, key=keys.get)


def _organisation(name: str, org_records: pd.DataFrame) -> _Organisation:
    editions = edition_order(org_records)
    position = {e: i for i, e in enumerate(editions)}
    ordered = org_records.assign(_order=org_records["edition"].map(position)).sort_values(
        ["_order", "kind", "ref"], kind="stable"
    )
    rows = ordered.drop(columns="_order").to_dict("records")
    entries = entries_from_rows(rows)
    return _Organisation(
        name=name,
        rows=rows,
        labels=list(ordered.index),
        editions=editions,
        edition_of=[position[r["edition"]] for r in rows],
        entries=entries,
        vocabs=Vocabularies.from_entries(entries),
    )


def _link_organisation(
    org: _Organisation, overrides: pd.DataFrame | None
) -> tuple[list[_Link], list[str]]:
    """Overrides first, then consecutive editions, then gaps, then splits and merges."""
    resolved, unmatched = resolve_overrides(overrides, org.name, org.rows)
    position = {org.key(p): p for p in range(len(org.rows))}
    forced, forbidden = _override_pairs(org, resolved, position)

    links = list(forced)
    has_next = {lk.a for lk in links if lk.relation == "same"}
    has_prev = {lk.b for lk in links if lk.relation == "same"}

    def similarities(a: list[int], b: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(blended similarity, text similarity), forbidden pairs set below every floor."""
        ea, eb = org.entries.subset(a), org.entries.subset(b)
        text = text_similarity(ea, eb, org.vocabs)
        sim = blend_weak_evidence(text, ea, eb)
        for i, p in enumerate(a):
            for j, q in enumerate(b):
                if (p, q) in forbidden:
                    sim[i, j] = text[i, j] = FORBIDDEN
        return sim, text

    # consecutive editions' whole similarity, computed once for `same` and `related` links
    consecutive: dict[tuple[int, str], tuple[list, list, np.ndarray, np.ndarray]] = {}

    def neighbours(ea: int, kind: str) -> tuple[list, list, np.ndarray, np.ndarray]:
        if (ea, kind) not in consecutive:
            a, b = org.members(ea, kind), org.members(ea + 1, kind)
            consecutive[(ea, kind)] = (a, b, *similarities(a, b))
        return consecutive[(ea, kind)]

    def link_same(ea: int, eb: int, kind: str) -> None:
        if eb == ea + 1:
            a_all, b_all, sim_all, text_all = neighbours(ea, kind)
            rows = [i for i, p in enumerate(a_all) if p not in has_next]
            cols = [j for j, q in enumerate(b_all) if q not in has_prev]
            a, b = [a_all[i] for i in rows], [b_all[j] for j in cols]
            keep = np.ix_(np.array(rows, dtype=int), np.array(cols, dtype=int))
            pairs = assign_same(sim_all[keep], MIN_SAME, MIN_SAME_WEAK, text=text_all[keep])
        else:
            a = [p for p in org.members(ea, kind) if p not in has_next]
            b = [q for q in org.members(eb, kind) if q not in has_prev]
            pairs = assign_same(similarities(a, b)[0], MIN_SAME_GAP)
        for i, j, s in pairs:
            links.append(_Link(a[i], b[j], s, "same", "auto"))
            has_next.add(a[i])
            has_prev.add(b[j])

    n = len(org.editions)
    for kind in org.kinds():
        # nearest editions first, so a risk present in every edition is never linked across a gap
        for gap in range(1, MAX_GAP + 2):
            for ea in range(n - gap):
                link_same(ea, ea + gap, kind)

    related_done = {(lk.a, lk.b) for lk in links}
    same_pairs = {(lk.a, lk.b) for lk in links if lk.relation == "same"}
    for kind in org.kinds():
        for ea in range(n - 1):
            a, b, sim, _ = neighbours(ea, kind)
            same = [
                (i, j, 0.0)
                for i, p in enumerate(a)
                for j, q in enumerate(b)
                if (p, q) in same_pairs
            ]
            rows_linked = {i for i, p in enumerate(a) if p in has_next}
            cols_linked = {j for j, q in enumerate(b) if q in has_prev}
            for i, j, s in related_pairs(sim, same, rows_linked, cols_linked, MIN_RELATED):
                if (a[i], b[j]) not in related_done:
                    links.append(_Link(a[i], b[j], s, "related", "auto"))
    return links, unmatched


def _override_pairs(
    org: _Organisation, resolved: list[Override], position: dict
) -> tuple[list[_Link], set[tuple[int, int]]]:
    """Resolved overrides -> forced links (earlier entry first) and forbidden pairs (both ways).

    A forced `same` pair takes both its entries out of the automatic assignment in that
    direction, so no conflicting automatic link is made."""
    forced, forbidden = [], set()
    for o in resolved:
        p, q = position[o.from_entry], position[o.to_entry]
        if org.edition_of[p] > org.edition_of[q]:
            p, q = q, p
        if o.action == "forbid":
            forbidden |= {(p, q), (q, p)}
            continue
        score = float(
            similarity_matrix(org.entries.subset([p]), org.entries.subset([q]), org.vocabs)[0, 0]
        )
        forced = [f for f in forced if (f.a, f.b) != (p, q)]
        forced.append(_Link(p, q, score, o.relation, "override"))
    # a forbid always beats a force of the same pair
    forced = [f for f in forced if (f.a, f.b) not in forbidden]
    return forced, forbidden


def _uids(org: _Organisation, links: list[_Link], previous: dict, reserved: set[str]) -> dict:
    """Entry positions -> uid, following `same` links."""
    order = list(range(len(org.rows)))  # already in edition order
    chain_list = chains(order, [(lk.a, lk.b) for lk in links if lk.relation == "same"])
    chain_list.sort(key=lambda c: c[0])
    prev = {p: previous.get(org.key(p)) for p in order}
    first_key = {}
    for p in order:
        edition, kind, ref = org.key(p)
        first_key[p] = (edition.split("/")[0], kind, str(org.rows[p]["period"]), ref)
    return assign_uids(chain_list, prev, first_key, reserved)


def _empty_links() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="float64" if c == "score" else "object") for c in LINKS.names}
    )


def _links_frame(org: _Organisation, links: list[_Link]) -> pd.DataFrame:
    rows = []
    for lk in sorted(links, key=lambda lk: (lk.a, lk.b)):
        (fe, fk, fr), (te, tk, tr) = org.key(lk.a), org.key(lk.b)
        rows.append(
            {
                "organisation": org.name,
                "from_edition": fe,
                "from_ref": fr,
                "to_edition": te,
                "to_ref": tr,
                "score": round(min(1.0, max(0.0, lk.score)), 4),
                "relation": lk.relation,
                "from_kind": fk,
                "to_kind": tk,
                "source": lk.source,
            }
        )
    if not rows:
        return _empty_links()
    return pd.DataFrame(rows, columns=LINKS.names)


def _summary(org: _Organisation, links: list[_Link], unmatched: list[str]) -> dict:
    """What `riskreg link` prints for one organisation."""

    def describe(p: int) -> tuple:
        edition, kind, ref = org.key(p)
        title = org.rows[p].get("title")
        return (edition, kind, ref, None if title is None or title != title else str(title))

    linked_from = {lk.a for lk in links}
    linked_to = {lk.b for lk in links}
    last = len(org.editions) - 1
    return {
        "editions": list(org.editions),
        "links": [
            {
                "from": describe(lk.a),
                "to": describe(lk.b),
                "score": round(lk.score, 3),
                "relation": lk.relation,
                "source": lk.source,
            }
            for lk in sorted(links, key=lambda lk: (org.edition_of[lk.a], lk.a, lk.b))
        ],
        "new": [
            describe(p)
            for p in range(len(org.rows))
            if org.edition_of[p] > 0 and p not in linked_to
        ],
        "disappeared": [
            describe(p)
            for p in range(len(org.rows))
            if org.edition_of[p] < last and p not in linked_from
        ],
        "unmatched_overrides": list(unmatched),
    }
