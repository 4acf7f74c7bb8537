"""Small helpers the table finders share: 1-D clustering, span coverage, union-find.

`lattice` (vector rules in points) and `ocr` (rule pieces in pixels) both snap positions into
rules, measure how much of an edge rules cover, and merge grid slots into cells with these.
"""

from __future__ import annotations

from collections.abc import Sequence


def cluster_1d(values: Sequence[float], tolerance: float, *, from_mean: bool = False) -> list[list[int]]:
    """Indexes of `values` grouped into runs of nearby positions, in ascending order.

    A value joins the current group when it lies within `tolerance` of the group's first value,
    or (from_mean) of the mean of the group so far.
    """
    order = sorted(range(len(values)), key=values.__getitem__)
    groups: list[list[int]] = []
    total = 0.0  # of the current group's values
    for i in order:
        if groups:
            group = groups[-1]
            ref = total / len(group) if from_mean else values[group[0]]
            if values[i] - ref <= tolerance:
                group.append(i)
                total += values[i]
                continue
        groups.append([i])
        total = values[i]
    return groups


def spans_length(spans: list[tuple[float, float]]) -> float:
    """Total length of the union of the spans (a, b), a <= b."""
    total, end = 0.0, None
    for a, b in sorted(spans):
        if end is None or a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


def coverage(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """Share of [start, end] that the spans cover (overlaps counted once)."""
    if end <= start:
        return 0.0
    clipped = [(max(a, start), min(b, end)) for a, b in spans]
    return spans_length([(a, b) for a, b in clipped if b > a]) / (end - start)


class UnionFind:
    """Disjoint sets over 0..n-1 (path halving)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)
