"""`same` links -> one risk_uid per chain of entries, stable across rebuilds."""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Sequence


def chains(
    entries: Sequence[Hashable], same_links: Iterable[tuple[Hashable, Hashable]]
) -> list[list[Hashable]]:
    """Entries (in edition order) and `same` links between them -> the chains they form,
    each listed in entry order (union-find, so a forced override that branches still
    yields one chain rather than an error)."""
    parent = {e: e for e in entries}

    def root(e):
        while parent[e] != e:
            parent[e] = parent[parent[e]]
            e = parent[e]
        return e

    for a, b in same_links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[rb] = ra
    groups: dict[Hashable, list[Hashable]] = {}
    for e in entries:
        groups.setdefault(root(e), []).append(e)
    return list(groups.values())


def new_uid(slug: str, kind: str, period: str, ref: str, salt: int = 0) -> str:
    """A chain's uid, made from its first entry so rebuilding from scratch gives the same one."""
    text = f"{slug}:{kind}:{period}:{ref}" + (f":{salt}" if salt else "")
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def assign_uids(
    chain_list: list[list[Hashable]],
    previous: dict[Hashable, str],
    first_key: dict[Hashable, tuple[str, str, str, str]],
    reserved: set[str] | None = None,
) -> dict[Hashable, str]:
    """Chains -> uid of every entry.

    A chain holding an entry that already had a uid keeps it (the earliest such entry's);
    a uid is given to one chain only, so when a chain is cut in two the later half gets a
    new one. Other chains get new_uid() of their first entry (`first_key`: entry ->
    (slug, kind, period, ref)), never one in `reserved` (uids in use elsewhere), which is
    updated with the uids made here. Chains must be listed, and their entries ordered,
    earliest first."""
    reserved = set() if reserved is None else reserved
    claimed: set[str] = set()
    uids: dict[Hashable, str] = {}
    fresh: list[list[Hashable]] = []
    for chain in chain_list:
        uid = next(
            (previous[e] for e in chain if previous.get(e) and previous[e] not in claimed), None
        )
        if uid is None:
            fresh.append(chain)
            continue
        claimed.add(uid)
        uids.update(dict.fromkeys(chain, uid))
    reserved |= claimed
    for chain in fresh:
        salt = 0
        uid = new_uid(*first_key[chain[0]])
        while uid in reserved:
            salt += 1
            uid = new_uid(*first_key[chain[0]], salt=salt)
        reserved.add(uid)
        uids.update(dict.fromkeys(chain, uid))
    return uids
