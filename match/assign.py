"""Similarity matrices -> one-to-one `same` pairs and `related` pairs (splits and merges)."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

# A pair the assignment chose is kept only at or above MIN_SAME: the Hungarian algorithm pairs
# every entry it can, so without a floor a risk that ended would be paired with whatever new
# risk is left over. Measured on one council's registers two years apart, unrelated entries of
# one organisation score 0.00-0.18 (shared house vocabulary) and reworded, renumbered
# carry-forwards 0.25-0.60; identical entries score about 1.
MIN_SAME = 0.30

# A weaker pair is kept when it stands out: each is the other's clear best, beating every
# alternative in its row and its column by MARGIN (a heavily reworded risk whose distinctive
# words, "Troubled Families", survive).
MIN_SAME_WEAK = 0.20
MARGIN = 0.08

# Across a gap (the risk missing from one or more editions) only strong pairs: more editions in
# between means more chances of a coincidental resemblance.
MIN_SAME_GAP = 0.35

# A split or merge: an entry that already has its `same` partner is also this similar to an
# entry of the other edition left without one.
MIN_RELATED = 0.25

FORBIDDEN = -1.0  # similarity given to a pair an override forbids: below every threshold


def assign_same(
    similarity: np.ndarray,
    min_score: float,
    weak_min: float | None = None,
    margin: float = MARGIN,
    text: np.ndarray | None = None,
) -> list[tuple[int, int, float]]:
    """Similarity (rows: earlier entries, columns: later entries) -> the optimal one-to-one
    pairs, as (row, column, score), kept when they score at least `min_score`, or when their
    `text` similarity (default: `similarity`) is at least `weak_min` and their similarity
    `margin` above every other entry of their row and column. Weak evidence (an equal ref)
    can break a tie but never carry a pair over the weak floor on its own."""
    if similarity.size == 0:
        return []
    text = similarity if text is None else text
    rows, cols = linear_sum_assignment(similarity, maximize=True)
    kept = []
    for r, c in zip(rows, cols, strict=True):
        s = float(similarity[r, c])
        if s >= min_score or (
            weak_min is not None
            and text[r, c] >= weak_min
            and s - _best_alternative(similarity, r, c) >= margin
        ):
            kept.append((int(r), int(c), s))
    return kept


def _best_alternative(similarity: np.ndarray, r: int, c: int) -> float:
    row = np.delete(similarity[r, :], c)
    col = np.delete(similarity[:, c], r)
    return float(max(row.max(initial=0.0), col.max(initial=0.0)))


def related_pairs(
    similarity: np.ndarray,
    same: list[tuple[int, int, float]],
    rows_linked: set[int] | None = None,
    cols_linked: set[int] | None = None,
    min_score: float = MIN_RELATED,
) -> list[tuple[int, int, float]]:
    """Pairs that describe a split or a merge, as (row, column, score).

    A split: an earlier entry carried forward as one later entry is also strongly similar
    to a later entry that nothing was carried into. A merge is the mirror image.
    `rows_linked` / `cols_linked` are entries with a `same` link to any edition (default:
    only the pairs in `same`), so an entry linked across a gap is not an orphan."""
    row_partner = {r: c for r, c, _ in same}
    col_partner = {c: r for r, c, _ in same}
    rows_linked = set(row_partner) if rows_linked is None else rows_linked
    cols_linked = set(col_partner) if cols_linked is None else cols_linked
    pairs = []
    n, m = similarity.shape
    for r in range(n):
        for c in range(m):
            s = float(similarity[r, c])
            if s < min_score or row_partner.get(r) == c:
                continue
            split = r in row_partner and c not in cols_linked
            merge = c in col_partner and r not in rows_linked
            if split or merge:
                pairs.append((r, c, s))
    return pairs
