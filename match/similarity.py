"""Entries of two editions -> a matrix of similarities, 0-1.

Text fields are compared as bags of lightly stemmed words weighted by IDF, computed over one
organisation's entries, so words every entry uses ("risk", "council", "failure") count little
and a title's distinctive words count a lot. Two choices avoid the known traps:

- the title score is a weighted Dice overlap (shared weight over the weight of *both* titles)
  blended with rapidfuzz's token_sort_ratio and partial_ratio, never token_set_ratio, which
  scores 100 whenever one title's words are a subset of the other's;
- a title carrying little information (a short title, or one made of common words) gets a
  smaller share of the blend, so "Cyber attack" is not matched on one shared word.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

# Long free-text fields, each compared by TF-IDF cosine; weights are relative shares of the
# text similarity (renormalised over the fields both entries actually have).
TITLE_WEIGHT = 0.50
BODY_WEIGHTS = {"consequences": 0.16, "controls": 0.12, "cause": 0.07, "actions": 0.07}
CATEGORY_WEIGHT = 0.08

# Weak, non-text evidence blended after the text similarity. Refs get renumbered between
# editions and scores move, so they only break ties between similar candidates.
REF_WEIGHT = 0.08
SCORE_WEIGHT = 0.04

# A title whose words carry less IDF than this (about two distinctive words) is "short":
# its share of the blend shrinks towards SHORT_TITLE_FLOOR of TITLE_WEIGHT.
TITLE_INFO_FULL = 5.0
SHORT_TITLE_FLOOR = 0.5

# Title blend: weighted word overlap is the main signal; character-level fuzz catches
# spelling variants and words the stemmer misses. Two unrelated English titles already score
# about 0.45 on character-level fuzz, so it is rescaled to count only above FUZZ_FLOOR.
DICE_SHARE = 0.7
FUZZ_FLOOR = 0.45

STOPWORDS = frozenset(
    """
a an and any are as at be been being but by can could do does for from has have if in into is
it its may might must no not of on or our out over shall should so such than that the their
them then there these they this those to under up upon was we were which while who will with
within would etc e g i ie eg o
""".split()
)

# Words of the risk-register genre that say little about which risk an entry is. They keep a
# small weight (a tenth of their IDF) rather than none, so two titles made only of them still
# compare.
GENERIC_WORDS = frozenset(
    """
risk risks failure fail failing failed inability unable lack council councils county authority
organisation ensure ensuring effective effectively adequate adequately appropriate potential
possible service services deliver delivery delivering manage managing management implement
need needs new current key impact increase increased level levels ability able
""".split()
)
GENERIC_FACTOR = 0.1

_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ions",
    "ion",
    "ies",
    "ied",
    "ness",
    "ed",
    "es",
    "ly",
    "s",
)


@functools.lru_cache(maxsize=65536)  # registers repeat their words: stem each once
def stem(word: str) -> str:
    """A light suffix-stripping stem: 'safeguarding' and 'safeguard' meet, as do 'recruitment'
    and 'recruit'. Deliberately crude: it only has to make variants of a word collide."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] in "ey":
        word = word[:-1]
    return word


def words(text: str | None) -> list[str]:
    """Text -> stemmed content words (stopwords dropped)."""
    if not text:
        return []
    out = []
    for w in _WORD.findall(text.lower()):
        if w in STOPWORDS or (len(w) < 2 and not w.isdigit()):
            continue
        s = stem(w)
        out.append(s if w not in GENERIC_WORDS else "~" + s)  # mark generic words
    return out


@dataclass(frozen=True)
class Vocabulary:
    """IDF of one field's words over one organisation's entries."""

    index: dict[str, int]
    idf: np.ndarray

    @classmethod
    def from_documents(cls, documents: Iterable[Sequence[str]]) -> Vocabulary:
        df: dict[str, int] = {}
        n = 0
        for doc in documents:
            n += 1
            for w in set(doc):
                df[w] = df.get(w, 0) + 1
        index = {w: i for i, w in enumerate(sorted(df))}
        idf = np.zeros(len(index))
        for w, i in index.items():
            # smoothed IDF, at least 1 so a word in every entry still counts a little
            weight = math.log((n + 1) / (df[w] + 1)) + 1.0
            idf[i] = weight * (GENERIC_FACTOR if w.startswith("~") else 1.0)
        return cls(index, idf)

    def counts(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """Documents -> term counts (documents x vocabulary); words outside it are ignored."""
        m = np.zeros((len(docs), len(self.index)))
        for r, doc in enumerate(docs):
            for w in doc:
                i = self.index.get(w)
                if i is not None:
                    m[r, i] += 1.0
        return m

    def presence(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """Documents -> 0/1 matrix (documents x vocabulary)."""
        return (self.counts(docs) > 0).astype(float)

    def tfidf(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        """Documents -> L2-normalised TF-IDF rows (sublinear term frequency)."""
        m = self.counts(docs)
        m = np.where(m > 0, 1.0 + np.log(np.maximum(m, 1.0)), 0.0) * self.idf
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)


@dataclass(frozen=True)
class Entries:
    """The text of a set of entries, ready to compare: one list per field, aligned by row."""

    texts: dict[str, list[str]]  # field -> raw text ('' when missing)
    words: dict[str, list[list[str]]]  # field -> stemmed words
    refs: list[str]
    scores: list[float | None]

    def __len__(self) -> int:
        return len(self.refs)

    def subset(self, rows: Sequence[int]) -> Entries:
        """The entries at these row positions, in that order."""
        return Entries(
            texts={f: [t[i] for i in rows] for f, t in self.texts.items()},
            words={f: [w[i] for i in rows] for f, w in self.words.items()},
            refs=[self.refs[i] for i in rows],
            scores=[self.scores[i] for i in rows],
        )


FIELDS = ("title", "category", *BODY_WEIGHTS)


def _text(value) -> str:
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):
        return ""
    return str(value).strip()


def entries_from_rows(rows: Sequence[dict]) -> Entries:
    """Record rows (dicts with the contract's columns) -> Entries."""
    texts = {f: [_text(r.get(f)) for r in rows] for f in FIELDS}
    return Entries(
        texts=texts,
        words={f: [words(t) for t in texts[f]] for f in FIELDS},
        refs=[_text(r.get("ref")).upper() for r in rows],
        scores=[_entry_score(r) for r in rows],
    )


def _entry_score(row: dict) -> float | None:
    for name in ("residual_score", "inherent_score"):
        v = row.get(name)
        if v is not None and v == v:
            return float(v)
    return None


@dataclass(frozen=True)
class Vocabularies:
    """One Vocabulary per text field, all over one organisation's entries."""

    by_field: dict[str, Vocabulary]

    @classmethod
    def from_entries(cls, entries: Entries) -> Vocabularies:
        return cls({f: Vocabulary.from_documents(entries.words[f]) for f in FIELDS})


def weighted_dice(a: np.ndarray, b: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Presence matrices -> shared IDF weight over the mean weight of both sides.

    Unlike token_set_ratio, words present in only one title lower the score, weighted by
    how informative they are."""
    used = a.any(axis=0) | b.any(axis=0)  # only the words either side has: much faster
    a, b, idf = a[:, used], b[:, used], idf[used]
    shared = (a * idf) @ b.T
    total = (a @ idf)[:, None] + (b @ idf)[None, :]
    return np.divide(2 * shared, total, out=np.zeros_like(shared), where=total > 0)


def fuzz_titles(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """Titles -> mean of token_sort_ratio and partial_ratio, rescaled above FUZZ_FLOOR, 0-1."""
    if not a or not b:
        return np.zeros((len(a), len(b)))
    kw = {"processor": default_process, "dtype": np.float64}
    sort = process.cdist(a, b, scorer=fuzz.token_sort_ratio, **kw)
    part = process.cdist(a, b, scorer=fuzz.partial_ratio, **kw)
    mean = (sort + part) / 200.0
    return np.clip((mean - FUZZ_FLOOR) / (1 - FUZZ_FLOOR), 0.0, 1.0)


def title_similarity(a: Entries, b: Entries, vocab: Vocabulary) -> np.ndarray:
    pa_, pb = vocab.presence(a.words["title"]), vocab.presence(b.words["title"])
    dice = weighted_dice(pa_, pb, vocab.idf)
    char = fuzz_titles(a.texts["title"], b.texts["title"])
    return DICE_SHARE * dice + (1 - DICE_SHARE) * char


def title_information(entries: Entries, vocab: Vocabulary) -> np.ndarray:
    """Each title's information: the IDF weight of its distinct words."""
    return vocab.presence(entries.words["title"]) @ vocab.idf


def similarity_matrix(a: Entries, b: Entries, vocabs: Vocabularies) -> np.ndarray:
    """Entries of one edition x entries of another -> blended similarity, 0-1."""
    return blend_weak_evidence(text_similarity(a, b, vocabs), a, b)


def text_similarity(a: Entries, b: Entries, vocabs: Vocabularies) -> np.ndarray:
    """Entries x entries -> similarity of their text alone (title, category, body), 0-1."""
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return np.zeros((n, m))
    num = np.zeros((n, m))
    den = np.zeros((n, m))

    def has(entries: Entries, f: str) -> np.ndarray:
        return np.array([bool(w) for w in entries.words[f]], dtype=float)

    def add(weight: np.ndarray | float, sim: np.ndarray, f: str) -> None:
        both = np.outer(has(a, f), has(b, f))
        w = weight * both
        num[:] += w * sim
        den[:] += w

    tv = vocabs.by_field["title"]
    info = np.minimum.outer(title_information(a, tv), title_information(b, tv))
    title_w = TITLE_WEIGHT * (
        SHORT_TITLE_FLOOR + (1 - SHORT_TITLE_FLOOR) * np.minimum(1.0, info / TITLE_INFO_FULL)
    )
    add(title_w, title_similarity(a, b, tv), "title")

    cv = vocabs.by_field["category"]
    add(
        CATEGORY_WEIGHT,
        weighted_dice(cv.presence(a.words["category"]), cv.presence(b.words["category"]), cv.idf),
        "category",
    )

    for f, w in BODY_WEIGHTS.items():
        v = vocabs.by_field[f]
        ta, tb = v.tfidf(a.words[f]), v.tfidf(b.words[f])
        used = ta.any(axis=0) & tb.any(axis=0)  # words only one side has add nothing
        add(w, ta[:, used] @ tb[:, used].T, f)

    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def blend_weak_evidence(text: np.ndarray, a: Entries, b: Entries) -> np.ndarray:
    """Text similarity + reference equality + score closeness -> final similarity."""
    if text.size == 0:
        return text.copy()
    ref_eq = np.array([[1.0 if ra and ra == rb else 0.0 for rb in b.refs] for ra in a.refs])
    sa = np.array([np.nan if s is None else s for s in a.scores])
    sb = np.array([np.nan if s is None else s for s in b.scores])
    close = 1.0 - np.minimum(1.0, np.abs(sa[:, None] - sb[None, :]) / 10.0)
    score_known = ~np.isnan(close)
    score_w = np.where(score_known, SCORE_WEIGHT, 0.0)
    text_w = 1.0 - REF_WEIGHT - score_w
    total = text_w * text + REF_WEIGHT * ref_eq + score_w * np.nan_to_num(close)
    # Weak evidence only ever nudges: an entry with no text in common stays near zero.
    return np.clip(np.where(text > 0, total, 0.0), 0.0, 1.0)
