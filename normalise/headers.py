"""Header understanding: a table's header block -> which column holds which field.

The header is read as a block, not cell by cell: it may sit under a title row, wrap over two
or three table rows, carry a group row ("Risk if no action") over score sub-columns
("Impact | Likelihood | Score"), arrive rotated (reversed, or one letter per line) and have
words broken by narrow columns ("Identifica / tion"). All header words come from the profile.

Matching works on a header's letters with case, punctuation, digits and line breaks ignored: a
synonym matches when its letters occur starting and ending on a word or line boundary, so a word
broken anywhere by a column still matches. Each column goes to the candidate covering most of
its letters (ties to the longest synonym), each field to one column per table; the rest keep
their header text and go to `extra`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from normalise.cells import SUFFIX_FRAGMENTS
from normalise.profiles import STAGES, Profile

STOPWORDS = frozenset({"and", "of", "the", "to", "for"})  # dropped before matching
TEXT_FLOOR = 0.3  # a text field must cover this much of a header's letters
PART_FLOOR = 0.5  # a score part (with its stage and filler words) must cover this much
FUZZY_CUTOFF = 85  # rapidfuzz ratio for correcting an OCR-damaged header word
FUZZY_COST = 0.9  # confidence kept by a header matched only after such a correction
LONG_CELL_WORDS = 12  # more words than this is a data cell, not a header
MAX_BLOCK_ROWS = 4

# ---------------------------------------------------------------------------- public values


@dataclass(frozen=True)
class ColumnMap:
    """What one column of a register table holds.

    field: a Record text field ('ref', 'title', ..., 'owner', 'direction_text'), 'score' for a
    score column, or None for a column that goes to `extra` under `header`.
    stage: inherent | residual | target (score columns); part: score | impact | likelihood |
    rating (score columns); header: the cleaned header text, "group / sub" for two-level headers;
    score: 0-1, how well the header matched.
    """

    index: int
    header: str
    field: str | None
    stage: str | None = None
    part: str | None = None
    score: float = 0.0
    known_as: str | None = None  # why an extra column is extra ('previous_score', 'duplicate')
    order: str | None = None  # 'li' / 'il' where the header prints the product ("L x I")

    @property
    def record_field(self) -> str | None:
        """The Record attribute this column fills, or None when it goes to `extra`."""
        if self.field != "score":
            return self.field
        if self.part in ("score", "rating"):
            return f"{self.stage}_score"
        name = f"{self.stage}_{self.part}"
        return name if self.stage in ("inherent", "residual") else None


@dataclass(frozen=True)
class HeaderMap:
    """A table's header: its columns' meanings, how many rows it takes, and the table's kind.

    header_rows: the index of the first row below the header (title rows above it included);
    first_row: where the header block starts; confidence: 0-1 over the non-empty headers.
    """

    columns: tuple[ColumnMap, ...]
    header_rows: int
    kind: str | None
    confidence: float
    first_row: int = 0

    def report(self) -> list[dict]:
        """Which header went to which field (or to extra), for the parse report."""
        rows = []
        for col in self.columns:
            target = col.record_field
            rows.append(
                {
                    "column": col.index,
                    "header": col.header,
                    "field": col.field,
                    "stage": col.stage,
                    "part": col.part,
                    "to": target if target else f"extra[{col.header}]",
                    "score": round(col.score, 3),
                    **({"known_as": col.known_as} if col.known_as else {}),
                }
            )
        return rows

    @property
    def mapped(self) -> int:
        """How many columns fill a Record field."""
        return sum(1 for c in self.columns if c.field is not None)


# ---------------------------------------------------------------------------- vocabulary


@dataclass(frozen=True, eq=False)  # hashed by identity: one per profile, cached
class Vocabulary:
    """A profile's header words, compacted for matching (see `compact`)."""

    fields: dict[str, tuple[str, ...]]
    weak: frozenset[str]  # field phrases that yield to a plainer synonym (profile weak_fields)
    extras: dict[str, tuple[str, ...]]
    stages: tuple[tuple[str, str], ...]  # (phrase, stage) after stage_meaning
    parts: tuple[tuple[str, str], ...]  # (phrase, part)
    filler: tuple[str, ...]
    kinds: dict[str, tuple[str, ...]]
    legend: tuple[str, ...]
    ambiguous_parts: frozenset[str]  # part phrases that are also text synonyms ('impact')
    words: frozenset[str]  # every word of every phrase, for re-joining and OCR correction
    phrases: tuple[str, ...]  # everything, for "is this header-like" and rotation repair


@functools.lru_cache(maxsize=32)
def vocabulary(profile: Profile) -> Vocabulary:
    """The profile's word lists compacted once."""

    def comp(words):
        return tuple(dict.fromkeys(p for p in (compact(w)[0] for w in words) if p))

    fields = {
        f: comp((*profile.fields.get(f, ()), *profile.weak_fields.get(f, ())))
        for f in dict.fromkeys((*profile.fields, *profile.weak_fields))
    }
    weak = frozenset(comp(w for ws in profile.weak_fields.values() for w in ws)) - frozenset(
        comp(w for ws in profile.fields.values() for w in ws)
    )
    extras = {f: comp(ws) for f, ws in profile.extra_fields.items()}
    stages = tuple(
        (compact(w)[0], profile.stage_for(w, stage))
        for stage, ws in profile.stages.items()
        for w in ws
        if compact(w)[0]
    )
    parts = tuple(
        (compact(w)[0], part) for part, ws in profile.parts.items() for w in ws if compact(w)[0]
    )
    kinds = {k: comp(ws) for k, ws in profile.kind_words.items()}
    text_phrases = {p for ps in fields.values() for p in ps}
    every = [
        *text_phrases,
        *(p for ps in extras.values() for p in ps),
        *(p for p, _ in stages),
        *(p for p, _ in parts if len(p) > 1),
        *(p for ps in kinds.values() for p in ps),
    ]
    sources = [
        *profile.score_filler,
        *(w for ws in profile.fields.values() for w in ws),
        *(w for ws in profile.weak_fields.values() for w in ws),
        *(w for ws in profile.extra_fields.values() for w in ws),
        *(w for ws in profile.stages.values() for w in ws),
        *(w for ws in profile.parts.values() for w in ws),
        *(w for ws in profile.kind_words.values() for w in ws),
    ]
    words = frozenset(t for w in sources for t in _tokens(w) if len(t) > 2)
    return Vocabulary(
        fields=fields,
        weak=weak,
        extras=extras,
        stages=stages,
        parts=parts,
        filler=comp(profile.score_filler),
        kinds=kinds,
        legend=comp(profile.legend_words),
        ambiguous_parts=frozenset(p for p, _ in parts if p in text_phrases),
        words=words,
        phrases=tuple(dict.fromkeys(every)),
    )


def _tokens(text: str) -> list[str]:
    """Lower-case word tokens; inside a word, OCR's 0 and 1 are read as o and l."""
    out = []
    for token in re.findall(r"[a-z0-9]+", text.lower()):
        if re.search(r"[a-z]", token):
            token = re.sub(r"[^a-z]", "", token.replace("0", "o").replace("1", "l"))
            if token:
                out.append(token)
    return out


def compact(text: str) -> tuple[str, frozenset[int]]:
    """A text's letters run together (stopwords dropped), and the offsets where words or
    lines met: 'Risk\\nIdentifica\\ntion' -> ('riskidentification', {0, 4, 14, 18})."""
    letters, bounds, pos = [], {0}, 0
    for token in _tokens(text):
        if token in STOPWORDS:
            continue
        letters.append(token)
        pos += len(token)
        bounds.add(pos)
    return "".join(letters), frozenset(bounds)


def phrase_spans(text: str, bounds: frozenset[int], phrase: str) -> list[tuple[int, int]]:
    """Where a compacted phrase occurs from boundary to boundary (a plural 's' allowed)."""
    spans, start = [], text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        if start in bounds:
            if end in bounds:
                spans.append((start, end))
            elif text[end : end + 1] == "s" and end + 1 in bounds:
                spans.append((start, end + 1))
        start = text.find(phrase, start + 1)
    return spans


def _covered(spans) -> set[int]:
    return {i for a, b in spans for i in range(a, b)}


@functools.lru_cache(maxsize=65536)
def vocab_coverage(text: str, vocab: Vocabulary) -> float:
    """The share of a text's letters that are header vocabulary (cached: cells repeat)."""
    return coverage(text, vocab.phrases)


def coverage(text: str, phrases) -> float:
    """The share of a text's letters covered by any of the phrases (0 for no letters)."""
    letters, bounds = compact(text)
    if not letters:
        return 0.0
    covered: set[int] = set()
    for phrase in phrases:
        if len(phrase) > 1:
            covered |= _covered(phrase_spans(letters, bounds, phrase))
    return len(covered) / len(letters)


# ---------------------------------------------------------------------------- cell repair


ROTATED_MAX_CHARS = 80


def repair_rotated(text: str, vocab: Vocabulary) -> str:
    """Rotated header text read reversed ('tcapmI') or one letter per line ('I\\nm\\np...'),
    put right when the repaired text is header vocabulary and the original is not."""
    if not text.strip():
        return text
    if len(text) > ROTATED_MAX_CHARS:  # a body cell, not a header word turned on its side
        return text
    base = _join_letters(text) or text
    reversed_forms = [base[::-1], "\n".join(line[::-1] for line in base.split("\n"))]
    base_cov = vocab_coverage(base, vocab)
    best_cov, best = max((vocab_coverage(c, vocab), c) for c in reversed_forms)
    if best_cov >= 0.5 and best_cov > base_cov:
        return best
    return base


def _join_letters(text: str) -> str | None:
    """'I\\nm\\np\\na\\nc\\nt' or 'I m p a c t' -> 'Impact' (blank lines split words)."""
    lines = text.split("\n")
    if len(lines) < 4:
        lines = text.split(" ") if "\n" not in text.strip() else lines
    pieces = [line.strip() for line in lines]
    letters = [p for p in pieces if p]
    if len(letters) < 4 or sum(len(p) == 1 for p in letters) < 0.8 * len(letters):
        return None
    return " ".join("".join(p or " " for p in pieces).split())


def join_wrapped(text: str, vocab: Vocabulary) -> str:
    """A header cell's lines into one line, re-joining words a narrow column broke
    ('Identifica\\ntion' -> 'Identification') and keeping real hyphens ('Pre-\\nmitigation')."""
    out = ""
    for line in (ln.strip() for ln in text.split("\n")):
        if not line:
            continue
        if not out:
            out = line
        elif out.endswith("-") or _broken_word(out.split()[-1], line.split()[0], vocab):
            out += line
        else:
            out += " " + line
    return " ".join(out.split())


def _broken_word(before: str, after: str, vocab: Vocabulary) -> bool:
    a = re.sub(r"[^A-Za-z]", "", before).lower()
    b = re.sub(r"[^A-Za-z]", "", after)
    if not a or not b or not after[0].isalpha() or not b[0].islower():
        return False
    if a + b.lower() in vocab.words and not (a in vocab.words and b.lower() in vocab.words):
        return True
    return b.lower() in SUFFIX_FRAGMENTS and a not in vocab.words


def clean_header_text(text: str, vocab: Vocabulary) -> str:
    """One header cell as printed: rotation repaired, wrapped lines joined."""
    return join_wrapped(repair_rotated(text, vocab), vocab)


# ---------------------------------------------------------------------------- one column


@dataclass(frozen=True)
class Candidate:
    """One reading of a column header."""

    field: str | None  # text field, 'score', or None (a known extra)
    coverage: float
    length: int  # letters of the longest phrase matched: the more specific wins a tie
    stage: str | None = None
    part: str | None = None
    known_as: str | None = None
    ambiguous: bool = False  # a bare 'Impact': text or score, decided by context
    weak: bool = False  # matched only by weak synonyms: yields the field to a plainer column

    @property
    def key(self) -> tuple[float, int]:
        return (round(self.coverage, 3), self.length)


def header_candidates(group: str, sub: str, vocab: Vocabulary) -> list[Candidate]:
    """Every reading of a column's header, best first (OCR correction as a fallback)."""
    found = _candidates(group, sub, vocab)
    corrected_group, corrected_sub = correct_words(group, vocab), correct_words(sub, vocab)
    if (corrected_group, corrected_sub) != (group, sub):
        best = found[0].coverage if found else 0.0
        fuzzy = [
            Candidate(
                c.field,
                c.coverage * FUZZY_COST,
                c.length,
                c.stage,
                c.part,
                c.known_as,
                c.ambiguous,
                c.weak,
            )
            for c in _candidates(corrected_group, corrected_sub, vocab)
        ]
        if fuzzy and fuzzy[0].coverage > best:
            found = fuzzy
    return found


def correct_words(text: str, vocab: Vocabulary) -> str:
    """Header words OCR damaged ('Likelihoad', 'Ovvner') replaced by the nearest header word."""

    def fix(match: re.Match) -> str:
        word = match.group(0)
        low = word.lower()
        if len(low) < 4 or low in vocab.words or low in STOPWORDS:
            return word
        hit = process.extractOne(low, vocab.words, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        return hit[0] if hit else word

    return re.sub(r"[A-Za-z0-9]+", fix, text)


def _candidates(group: str, sub: str, vocab: Vocabulary) -> list[Candidate]:
    letters, bounds = compact(f"{group}\n{sub}")
    if not letters:
        return []
    found = [
        *_text_candidates(letters, bounds, vocab.fields, None, vocab.weak),
        *_text_candidates(letters, bounds, vocab.extras, "extra"),
    ]
    score = _score_candidate(group, sub, letters, bounds, vocab)
    if score is not None:
        found.append(score)
    return sorted(found, key=lambda c: c.key, reverse=True)


def _text_candidates(
    letters, bounds, table: dict, kind: str | None, weak: frozenset[str] = frozenset()
) -> list[Candidate]:
    out = []
    for name, phrases in table.items():
        spans = [(s, p) for p in phrases for s in phrase_spans(letters, bounds, p)]
        if not spans:
            continue
        cov = len(_covered(s for s, _ in spans)) / len(letters)
        if cov < TEXT_FLOOR:
            continue
        longest = max(len(p) for _, p in spans)
        if kind == "extra":
            out.append(Candidate(None, cov, longest, known_as=name))
        else:
            out.append(
                Candidate(name, cov, longest, weak=all(p in weak for _, p in spans))
            )
    return out


def _score_candidate(group, sub, letters, bounds, vocab: Vocabulary) -> Candidate | None:
    """A score reading: a stage and/or a part, with nothing else but filler words."""
    stage_hit = _longest(letters, bounds, vocab.stages)
    part_hit = _longest(letters, bounds, vocab.parts)
    sub_letters = compact(sub)[0] or compact(group)[0]
    letter_part = next((part for p, part in vocab.parts if len(p) == 1 and p == sub_letters), None)
    if letter_part:  # 'I', 'L', 'S' alone as a sub-header
        part_hit = ((len(letters) - 1, len(letters)), letter_part, sub_letters)
    if stage_hit is None and part_hit is None:
        return None
    spans = [h[0] for h in (stage_hit, part_hit) if h]
    spans += [s for p in vocab.filler for s in phrase_spans(letters, bounds, p)]
    cov = len(_covered(spans)) / len(letters)
    if part_hit is None and cov < 0.99:
        return None  # 'Current Controls', 'Target Date': a stage word inside something else
    if part_hit is not None and cov < PART_FLOOR:
        return None
    part = part_hit[1] if part_hit else "score"
    ambiguous = bool(
        part_hit and part_hit[2] in vocab.ambiguous_parts and not stage_hit and not group.strip()
    )
    length = sum(len(h[2]) for h in (stage_hit, part_hit) if h)
    return Candidate(
        "score",
        cov,
        length,
        stage=stage_hit[1] if stage_hit else None,
        part=part,
        ambiguous=ambiguous,
    )


def _longest(letters, bounds, pairs) -> tuple[tuple[int, int], str, str] | None:
    """The longest (span, label, phrase) of (phrase, label) pairs found in the letters."""
    best = None
    for phrase, label in pairs:
        if len(phrase) < 2:
            continue
        for span in phrase_spans(letters, bounds, phrase):
            if best is None or span[1] - span[0] > best[0][1] - best[0][0]:
                best = (span, label, phrase)
    return best


# ---------------------------------------------------------------------------- header block


def row_is_header_like(cells: list[str], vocab: Vocabulary, *, first: bool) -> bool:
    """A row of header words: short cells, enough of them header vocabulary.

    The first row of a block may not be a lone text across the table (a title or band heading)
    unless it is a score group ("Current risk"); a later row may (the last line of one header).
    """
    texts = list(dict.fromkeys(t.strip() for t in cells if t and t.strip()))
    if not texts or any(len(t.split()) > LONG_CELL_WORDS for t in texts):
        return False
    hits = [t for t in texts if vocab_coverage(t, vocab) >= 0.5 or _is_part_letter(t, vocab)]
    if first and len(texts) == 1 and len(cells) >= 4:
        return bool(hits) and _score_candidate(texts[0], "", *compact(texts[0]), vocab) is not None
    if len(texts) == 1 and len(cells) >= 4 and re.search(r"\d", texts[0]):
        return False  # a band heading under the header ("High Risk (15 to 25)"): header words
        # carry no numbers
    if len(texts) <= 2:
        # a later row of one or two cells is a header's last words only when they all are (a
        # row broken by the page, "Effects:-" / "• ..." and an owner's "Care", is not)
        return bool(hits) and (first or len(hits) == len(texts))
    return len(hits) >= 2 and len(hits) >= 0.4 * len(texts)


def _is_part_letter(text: str, vocab: Vocabulary) -> bool:
    letters = compact(text)[0]
    return any(len(p) == 1 and p == letters for p, _ in vocab.parts) or letters in ("lxi", "ixl")


def header_blocks(rows: list[list[str]], vocab: Vocabulary, max_rows: int) -> list[tuple[int, int]]:
    """(start, end) of each run of header-like rows starting within the first max_rows."""
    blocks, r = [], 0
    while r < min(max_rows, len(rows)):
        if not row_is_header_like(rows[r], vocab, first=True):
            r += 1
            continue
        end = r + 1
        while (
            end < len(rows)
            and end - r < MAX_BLOCK_ROWS
            and row_is_header_like(rows[end], vocab, first=False)
        ):
            end += 1
        blocks.append((r, end))
        r = end
    return blocks


def column_headers(block: list[list[str]], vocab: Vocabulary) -> list[tuple[str, str]]:
    """(group, sub) header texts per column of a header block.

    A group is a cell spanning score sub-columns: the group's text in its first column and
    blanks (or the same text repeated) to its right, over at least two score parts. Every other
    cell is a line of its column's header, joined top to bottom.
    """
    width = max(len(r) for r in block)
    grid = [[(r[c] if c < len(r) else "").strip() for c in range(width)] for r in block]
    groups = [""] * width
    used = [[False] * width for _ in grid]
    for r in range(len(grid) - 1):
        for c, d in _group_spans(grid, r, vocab):
            for k in range(c, d + 1):
                groups[k] = f"{groups[k]} {grid[r][c]}".strip()
                used[r][k] = True
    subs = [
        "\n".join(
            dict.fromkeys(grid[r][c] for r in range(len(grid)) if grid[r][c] and not used[r][c])
        )  # merged cells repeat
        for c in range(width)
    ]
    return [
        (join_wrapped(g, vocab), join_wrapped(s, vocab)) for g, s in zip(groups, subs, strict=True)
    ]


def _group_spans(grid, r: int, vocab: Vocabulary) -> list[tuple[int, int]]:
    width = len(grid[r])

    def below(c: int) -> str:
        return " ".join(grid[k][c] for k in range(r + 1, len(grid)) if grid[k][c])

    spans, c = [], 0
    while c < width:
        text = grid[r][c]
        if not text or not _is_score_part(below(c), vocab):
            c += 1
            continue
        d = c
        while (
            d + 1 < width and grid[r][d + 1] in ("", text) and _is_score_part(below(d + 1), vocab)
        ):
            d += 1
        if d > c:
            spans.append((c, d))
        c = d + 1
    return spans


def _is_score_part(text: str, vocab: Vocabulary) -> bool:
    """A sub-header naming a score part ('Impact', 'L', 'Score'), not only a stage."""
    if not text:
        return False
    letters, bounds = compact(text)
    if _score_candidate("", text, letters, bounds, vocab) is None:
        return False
    return _longest(letters, bounds, vocab.parts) is not None or _is_part_letter(text, vocab)


# ---------------------------------------------------------------------------- decisions


def choose_columns(
    headers: list[tuple[str, str]], below: list[list[str]], vocab: Vocabulary, profile: Profile
) -> list[ColumnMap]:
    """Each column's meaning: best candidate, each field once, score stages resolved."""
    candidates = [header_candidates(g, s, vocab) for g, s in headers]
    candidates = [
        _settle_ambiguous(i, cands, candidates, below, labels=set(profile.impact_labels))
        for i, cands in enumerate(candidates)
    ]
    chosen = _assign_fields(candidates)
    chosen = resolve_stages(chosen, headers, profile)
    texts = [f"{g} / {s}" if g and s else (g or s) for g, s in headers]
    columns = []
    for i, cand in enumerate(chosen):
        if cand is None:
            columns.append(ColumnMap(i, texts[i], None))
        else:
            columns.append(
                ColumnMap(
                    i,
                    texts[i],
                    cand.field,
                    cand.stage,
                    cand.part,
                    round(min(cand.coverage, 1.0), 3),
                    cand.known_as,
                    product_order(texts[i]) if cand.field == "score" else None,
                )
            )
    return columns


_LIKELIHOOD_LETTERS = r"(?:l|likelihood|p|probability)"
_IMPACT_LETTERS = r"(?:i|impact|c|consequences?|s|severity)"


def product_order(header: str) -> str | None:
    """Which factor a header says its "a x b" scores print first: 'L x I' -> 'li',
    'Impact x Likelihood' -> 'il'; None when the header does not say."""
    low = " ".join(header.lower().split())
    if re.search(rf"\b{_LIKELIHOOD_LETTERS}\s*[x×*]\s*{_IMPACT_LETTERS}\b", low):
        return "li"
    if re.search(rf"\b{_IMPACT_LETTERS}\s*[x×*]\s*{_LIKELIHOOD_LETTERS}\b", low):
        return "il"
    return None


def _settle_ambiguous(
    i: int,
    cands: list[Candidate],
    every: list[list[Candidate]],
    below: list[list[str]],
    labels: set[str] = frozenset(),
) -> list[Candidate]:
    """A bare 'Impact' (or 'Consequence') is a score part over numbers or beside a likelihood
    column, else the consequences text."""
    score = next((c for c in cands if c.field == "score" and c.ambiguous), None)
    if score is None:
        return cands
    numeric = _numeric_share(i, below, labels)
    neighbours = [every[j][0] for j in (i - 1, i + 1) if 0 <= j < len(every) and every[j]]
    beside = any(n.field == "score" and n.part == "likelihood" for n in neighbours)
    as_score = numeric >= 0.6 if numeric is not None else beside
    rest = [c for c in cands if c is not score]
    if as_score:
        return [score, *[c for c in rest if c.field != "consequences"]]
    return [c for c in rest if c.field != "score"]


def _numeric_share(i: int, below: list[list[str]], labels=frozenset()) -> float | None:
    """The share of non-empty cells under column i that read as a score (a number, or an
    impact label such as 'Major'), or None when there are none."""
    cells = [r[i].strip() for r in below if i < len(r) and r[i].strip()]
    if not cells:
        return None
    scorelike = [
        c
        for c in cells
        if len(c.split()) <= 3 and (re.search(r"\d", c) or " ".join(c.lower().split()) in labels)
    ]
    return len(scorelike) / len(cells)


def _assign_fields(candidates: list[list[Candidate]]) -> list[Candidate | None]:
    """Best candidate per column, each text field to one column: the best-fitting column keeps
    it, the others fall back to their next candidate or to extra."""
    chosen: list[Candidate | None] = [None] * len(candidates)
    taken: set[str] = set()
    order = sorted(
        range(len(candidates)),
        key=lambda i: (not candidates[i][0].weak, *candidates[i][0].key)
        if candidates[i]
        else (False, 0, 0),
        reverse=True,
    )
    for i in order:
        for cand in candidates[i]:
            if cand.field in (None, "score") or cand.field not in taken:
                chosen[i] = cand
                if cand.field not in (None, "score"):
                    taken.add(cand.field)
                break
    return chosen


def resolve_stages(
    chosen: list[Candidate | None], headers: list[tuple[str, str]], profile: Profile
) -> list[Candidate | None]:
    """Give unstaged score columns a stage from their neighbours (see default.yaml), then keep
    one column per (stage, slot): later duplicates go to extra."""
    sets = score_sets(chosen, headers)
    stages = _set_stages(
        [next((chosen[i].stage for i in s if chosen[i].stage), None) for s in sets], profile
    )
    out = list(chosen)
    seen: set[tuple[str, str]] = set()
    for cols, stage in zip(sets, stages, strict=True):
        for i in cols:
            cand = out[i]
            slot = (stage, cand.part)
            if stage is None or slot in seen:
                out[i] = Candidate(
                    None,
                    cand.coverage,
                    cand.length,
                    known_as="duplicate score" if stage else "unplaced score",
                )
                continue
            seen.add(slot)
            out[i] = Candidate("score", cand.coverage, cand.length, stage, cand.part)
    return out


def score_sets(chosen: list[Candidate | None], headers) -> list[list[int]]:
    """Score columns grouped into one score each: adjacent, under one group, no part twice,
    and at most one stage (an unstaged 'Score' or 'RAG' beside 'Current Impact' joins it)."""
    sets: list[list[int]] = []
    prev = None
    for i, cand in enumerate(chosen):
        if cand is None or cand.field != "score":
            prev = None
            continue
        current = sets[-1] if prev is not None else None
        if current is not None and _joins(cand, headers[i][0], current, chosen, headers):
            current.append(i)
        else:
            sets.append([i])
        prev = i
    return sets


def _joins(cand: Candidate, group: str, members: list[int], chosen, headers) -> bool:
    stages = {chosen[j].stage for j in members} - {None}
    return (
        group == headers[members[0]][0]
        and all(chosen[j].part != cand.part for j in members)
        and (cand.stage is None or not stages or stages == {cand.stage})
    )


def _set_stages(stages: list[str | None], profile: Profile) -> list[str | None]:
    """Unstaged scores take the free stages that keep inherent -> residual -> target order.

    A run of unstaged scores between two staged ones (or an end) takes the free stages of
    that gap in order; a lone unstaged score with a choice takes lone_score_stage (the
    organisation's present assessment) where that is free: "Score ... Target" is residual,
    "Risk Score ... Residual Score" inherent."""
    if not any(stages):
        if len(stages) == 1:
            return [profile.lone_score_stage]
        return [STAGES[k] if k < len(STAGES) else None for k in range(len(stages))]
    rank = {s: k for k, s in enumerate(STAGES)}
    used = {s for s in stages if s}
    out = list(stages)
    i = 0
    while i < len(stages):
        if stages[i]:
            i += 1
            continue
        end = i
        while end < len(stages) and not stages[end]:
            end += 1
        low = max((rank[s] for s in stages[:i] if s), default=-1)
        high = min((rank[s] for s in stages[end:] if s), default=len(STAGES))
        free = [s for s in STAGES if low < rank[s] < high and s not in used]
        if end - i == 1 and profile.lone_score_stage in free:
            free = [profile.lone_score_stage]
        for k in range(i, end):
            out[k] = free[k - i] if k - i < len(free) else None
        used.update(s for s in out[i:end] if s)
        i = end
    return out


def table_kind(block: list[list[str]], vocab: Vocabulary) -> str | None:
    """'opportunity' or 'risk' by the majority of kind words in the header; None on a tie."""
    counts = dict.fromkeys(vocab.kinds, 0)
    for row in block:
        for cell in dict.fromkeys(row):
            letters, bounds = compact(cell)
            for kind, phrases in vocab.kinds.items():
                counts[kind] += (
                    len(_covered(s for p in phrases for s in phrase_spans(letters, bounds, p))) > 0
                )
    opp, risk = counts.get("opportunity", 0), counts.get("risk", 0)
    if opp > risk:
        return "opportunity"
    if risk > opp:
        return "risk"
    return None


# ---------------------------------------------------------------------------- entry points


def find_header(rows: list[list[str]], profile: Profile, max_rows: int = 6) -> HeaderMap | None:
    """The header block among a table's first rows, mapped to fields; None when the table has
    no recognisable header (a continuation table, a legend) - at least two fields must map."""
    if not rows:
        return None
    vocab = vocabulary(profile)
    texts = [
        [repair_rotated(_header_part(t or "", vocab), vocab) for t in row]
        for row in rows[: max_rows + MAX_BLOCK_ROWS]
    ]
    best: HeaderMap | None = None
    for start, end in header_blocks(texts, vocab, max_rows):
        header = map_block(texts[start:end], rows[end : end + 8], vocab, profile, start, end)
        if best is None or (header.mapped, header.confidence) > (best.mapped, best.confidence):
            best = header
    if best is None or len({(c.field, c.stage, c.part) for c in best.columns if c.field}) < 2:
        return None
    if not any(c.field in ("ref", "title") for c in best.columns):
        return None  # nothing to key entries by: not a register table we can map with confidence
    return best


LABEL_COVERAGE = 0.75  # a form's label is header words nearly throughout ("Risk Title")
LABEL_MAX_WORDS = 8


def label_reading(text: str, profile: Profile) -> tuple[str, str | None, str | None] | None:
    """What a form's label ("Risk Reference", "Residual Impact") names: (field, stage, part)
    for a field or score, ('extra', None, None) for a known extra; None when it is no label."""
    text = " ".join((text or "").split())
    if not text or len(text.split()) > LABEL_MAX_WORDS:
        return None
    vocab = vocabulary(profile)
    found = header_candidates("", join_wrapped(text, vocab), vocab)
    if not found or found[0].coverage < LABEL_COVERAGE:
        return None
    best = found[0]
    return (best.field or "extra", best.stage, best.part)


def header_from_labels(labels: list[str], values: list[list[str]], profile: Profile
                       ) -> HeaderMap | None:
    """A form's labels (read down its first column) as one header row over its values, mapped
    as any header row is; None when that is no register header (see `find_header`)."""
    vocab = vocabulary(profile)
    block = [[repair_rotated(t or "", vocab) for t in labels]]
    header = map_block(block, values, vocab, profile, 0, 1)
    if len({(c.field, c.stage, c.part) for c in header.columns if c.field}) < 2:
        return None
    if not any(c.field in ("ref", "title") for c in header.columns):
        return None
    return header


def _header_part(text: str, vocab: Vocabulary) -> str:
    """A header cell's own leading lines: a table finder may glue the first data lines (or the
    continuation of a row broken by the page) under a header's words; other cells unchanged."""
    lines = text.split("\n")
    if len(lines) < 2 or vocab_coverage(text, vocab) >= 0.75:
        return text
    for k in range(min(len(lines) - 1, 6), 0, -1):
        head, rest = "\n".join(lines[:k]), "\n".join(lines[k:])
        if (
            len(head.split()) <= LONG_CELL_WORDS
            and vocab_coverage(head, vocab) >= 0.75
            and vocab_coverage(rest, vocab) < 0.5
            and _looks_like_data(rest)
        ):
            return head
    return text


def _looks_like_data(text: str) -> bool:
    """Lines that read as cell content, not a header's last words: a bulleted item, or more
    words than a header line holds ("Date" / "Reviewed" is a header; "Impact" / "• budget" not)."""
    bullet = re.match(r"(?:[•●▪◦■\uf0b7\uf0a7]|[-–*o]\s)", text.lstrip())
    return bool(bullet) or len(text.split()) > 6


def map_block(
    block: list[list[str]],
    below: list[list[str]],
    vocab: Vocabulary,
    profile: Profile,
    start: int,
    end: int,
) -> HeaderMap:
    """One header block (rows already repaired) into a HeaderMap."""
    headers = column_headers(block, vocab)
    below_texts = [[(c or "") for c in r] for r in below]
    columns = choose_columns(headers, below_texts, vocab, profile)
    named = [c for c in columns if (headers[c.index][0] or headers[c.index][1])]
    recognised = [c.score for c in named if c.field is not None or c.known_as]
    confidence = sum(recognised) / len(named) if named else 0.0
    return HeaderMap(
        columns=tuple(columns),
        header_rows=end,
        kind=table_kind(block, vocab),
        confidence=round(confidence, 3),
        first_row=start,
    )


def is_header_row(cells: list[str], header: HeaderMap, profile: Profile) -> bool:
    """A header repeated on a later page (in full, or one of its rows), fuzzily compared with
    the known header's words."""
    vocab = vocabulary(profile)
    texts = [clean_header_text(t, vocab) for t in dict.fromkeys(c.strip() for c in cells if c) if t]
    if not texts or any(len(t.split()) > LONG_CELL_WORDS for t in texts):
        return False
    known = _header_pieces(header)
    hits = sum(1 for t in texts if _matches_known(compact(t)[0], known))
    if len(texts) == 1:
        return hits == 1 and len(header.columns) <= 2
    return hits >= 2 and hits >= 0.6 * len(texts)


@functools.lru_cache(maxsize=64)
def _header_pieces(header: HeaderMap) -> frozenset[str]:
    """The letters of each header and each part of a two-level header (asked once per row)."""
    pieces = set()
    for col in header.columns:
        for piece in (col.header, *col.header.split(" / ")):
            letters = compact(piece)[0]
            if letters:
                pieces.add(letters)
    return frozenset(pieces)


def _matches_known(letters: str, known: frozenset[str]) -> bool:
    if not letters:
        return False
    for piece in known:
        if letters == piece or fuzz.ratio(letters, piece) >= 85:
            return True
        if (
            len(letters) >= 3
            and (piece.startswith(letters) or piece.endswith(letters) or letters in piece)
            and len(letters) >= 0.3 * len(piece)
        ):
            return True
    return False


def is_legend_title(text: str, profile: Profile) -> bool:
    """A legend's title ('Key to Scores', 'Risk matrix'): a short text of legend words."""
    return len(text.split()) <= 8 and coverage(text, vocabulary(profile).legend) >= 0.6


def is_legend(rows: list[list[str]], profile: Profile) -> bool:
    """A legend ('Key to Scores', a heat-map matrix), not register rows: a legend title in a
    short cell, or a grid of scores and scale words; never a table with a register header."""
    head = rows[:10]
    cells = [t.strip() for row in head for t in row if t and t.strip()]
    if not cells:
        return False
    titled = any(is_legend_title(t, profile) for t in cells[:12])
    if not (titled or _looks_like_matrix(cells, profile)):
        return False
    header = find_header(rows, profile)
    return header is None or sum(1 for c in header.columns if c.field not in (None, "score")) < 3


def _looks_like_matrix(cells: list[str], profile: Profile) -> bool:
    """Mostly small numbers and scale words, with impact/likelihood named somewhere."""
    if len(cells) < 9 or any(len(c.split()) > 8 for c in cells):
        return False
    labels = set(profile.impact_labels) | set(profile.likelihood_labels)
    axis_words = {*profile.parts.get("impact", ()), *profile.parts.get("likelihood", ())}

    def scoreish(c: str) -> bool:
        low = " ".join(c.lower().split())
        return bool(re.fullmatch(r"\d{1,2}", low)) or low in labels

    named = any(
        w in " ".join(c.lower().split()).split() for c in cells for w in axis_words if len(w) > 2
    )
    return named and sum(scoreish(c) for c in cells) >= 0.6 * len(cells)
