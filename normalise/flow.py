"""Flow text (OCR or layout text with no cell boundaries) -> records.

A scanned landscape register read by OCR loses its cell boundaries: the columns wrap into short
lines, and some rows come out column by column (each column's text in turn) while others come
out across the row (one line mixing a fragment of every column). What can be known:

- the header block, by the profile's header words: which fields exist and in what order, and
  whether the entries below are risks or opportunities;
- the entries, by references at the start of a line (CR1, SR3, R12; OCR slips repaired);
- the scores: two numbers on the reference line of a row read across, or numbers alone on a
  line in a row read column by column, the residual one followed by its label ("Major/ Likely");
- the text, by column order and by line widths: each column wraps at its own width, so a row
  read column by column is a run of paragraphs whose widths step from column to column, and a
  line read across is cut where its fragments fit the columns' widths (learnt from the rows read
  column by column), with "|" rule debris and bullets ("o", "e", "•") as cut points.

Where text had to be divided by widths alone, the record's confidence is lowered and a warning
says so. Text is never invented and never put into two fields.
"""

from __future__ import annotations

import functools
import math
import re
import statistics
from dataclasses import dataclass, field, replace

from extract.types import RawTable
from normalise.cells import (
    clean_cell,
    clean_inline,
    document_vocabulary,
    is_broken_word,
    is_known_word,
)
from normalise.direction import parse_direction
from normalise.fields import INLINE_FIELDS, ITEM_FIELDS
from normalise.language import pair_strength
from normalise.record import Record
from normalise.refs import looks_like_ref, normalise_ref, read_twice, ref_prefixes, repair_ref
from normalise.scores import DEFAULT_SCALE, Scale, parse_score

# Column order when the header does not show it: the common register layout.
CANONICAL_ORDER = (
    "ref",
    "title",
    "category",
    "cause",
    "consequences",
    "controls",
    "inherent",
    "actions",
    "residual",
    "owner",
    "direction_text",
    "progress",
)
WIDE_FIELDS = ITEM_FIELDS  # text-heavy columns
_CLOSING_FIELDS = {"title", "category", "owner"}  # one paragraph: a line without text ends it
_BULLET_TOKENS = {"e", "o", "¢", "©", "•", "●", "◦", "▪", "=", "-", "–", "*", "»", "«", "+"}
_SENTENCE_END = re.compile(r"[.!?:;]['\")]?$")
_WORD = re.compile(r"[A-Za-z]+")
# words of job titles and teams, for telling an owner's fragment from its neighbours' text
_ROLE_WORDS = {
    "director",
    "executive",
    "exec",
    "head",
    "officer",
    "manager",
    "chief",
    "lead",
    "leader",
    "team",
    "board",
    "group",
    "committee",
    "services",
    "service",
    "corporate",
    "deputy",
    "assistant",
    "cabinet",
    "member",
    "portfolio",
    "holder",
    "section",
    "management",
    "strategic",
    "council",
    "of",
    "for",
    "and",
    "&",
    "the",
    "all",
    "directors",
    "heads",
}
# words that do not end a phrase: a line ending in one goes on in its column
_FUNCTION_WORDS = {
    *("the", "of", "a", "an", "to", "and", "in", "for", "with", "by", "on", "at"),
    *("our", "their", "its", "your", "this", "these", "from", "into"),
}
AMBIGUOUS_MARGIN = 0.25  # a line's best cut is this little cheaper than another: unsure
REOPEN = 1.0  # a title that ended starting again at a line's start: a sub-row (cost)
REFIT_SAMPLES = 6  # fragments a column needs in a table read across to be measured from them
PAGE_GAP = 2  # more blank lines than this between paragraphs: a page break (OCR text)
WRAP_COST = 2.0  # a paragraph whose every line broke early for a column's width (cost)
BEAM = 6  # readings of a block read across kept line by line

CONFIDENCE_COLUMNS = 0.8  # a row read column by column: text split by paragraphs and widths
CONFIDENCE_ACROSS = 0.5  # a row read across: interleaved fragments cut by widths


@dataclass
class Section:
    """One register table in the text: its header block and the lines below it."""

    header_start: int
    body_start: int
    end: int
    kind: str
    columns: list[str]  # text fields and "inherent"/"residual", in reading order


@dataclass
class FlowEntry:
    """The lines of one entry, from its reference line to the next entry."""

    ref: str
    ref_raw: str
    section: Section
    start: int
    end: int
    lines: list[str]  # the reference line (reference removed) and the lines after it
    warnings: list[str] = field(default_factory=list)

    @property
    def across(self) -> bool:
        """True when the reference line also carries the rest of the row (read across)."""
        return len(self.lines[0].split()) >= 3


@dataclass
class Scores:
    inherent: int | None = None
    residual: int | None = None
    impact: int | None = None
    likelihood: int | None = None
    label: str | None = None
    consumed: dict[int, list[str]] = field(default_factory=dict)  # line -> tokens to drop
    anchor_lines: dict[int, str] = field(default_factory=dict)  # column-read anchors


def flow_to_records(
    table: RawTable,
    profile,
    *,
    scale: Scale | None = None,
    skip: set[tuple[str, str]] = frozenset(),
) -> tuple[list[Record], list[str]]:
    """Read one flow table (text lines) into records and warnings; entries whose (kind, ref)
    is in `skip` (read already from tables) teach the columns but give no record."""
    scale = scale or getattr(profile, "scale", None) or DEFAULT_SCALE
    lines = [" ".join(row[0].text.split()) if row else "" for row in table.rows]
    warnings: list[str] = []
    sections = find_sections(lines, profile)
    if not sections:
        warnings.append(
            "flow text: no header block recognised; reading entries as risks in "
            "the common column order"
        )
        sections = [Section(0, 0, len(lines), "risk", list(CANONICAL_ORDER))]
    entries = find_entries(lines, sections, scale, warnings)
    vocabulary = document_vocabulary(["\n".join(lines)])
    scored = {id(e): find_scores(e, scale) for e in entries}
    model = learn_columns([e for e in entries if not e.across], scored, lines)
    model.vocabulary = vocabulary
    # a text's lines beside its tables carry the column parts ("|") the tables were read by:
    # their widths are the document's, not re-measured from cuts
    refit = not table.report.get("beside_tables")
    models = {id(s): section_model(s, entries, scored, lines, model, refit=refit) for s in sections}
    records = []
    for entry in entries:
        if (entry.section.kind, entry.ref) in skip:
            continue
        section_columns = models[id(entry.section)]
        fields = (
            assign_across(entry, scored[id(entry)], section_columns)
            if entry.across
            else assign_columns(entry, scored[id(entry)], section_columns.widths)
        )
        records.append(to_record(entry, scored[id(entry)], fields, scale, vocabulary))
    return records, warnings


# --- header blocks, sections, legends -------------------------------------------------------


def _header_vocabulary(profile) -> frozenset[str]:
    words: set[str] = set()
    for group in ("fields", "parts", "stages", "kind_words", "extra_fields"):
        for synonyms in (getattr(profile, group, {}) or {}).values():
            for synonym in synonyms:
                words.update(w.lower() for w in _WORD.findall(synonym))
    return frozenset(words)


@functools.lru_cache(maxsize=8)
def _header_word_pieces(vocabulary: frozenset[str]) -> frozenset[str]:
    """The starts and ends (3 letters or more) of the long header words: what is left of one
    a narrow column broke ("Opportu" / "nity")."""
    return frozenset(
        piece
        for w in vocabulary
        if len(w) >= 8
        for n in range(3, len(w) + 1)
        for piece in (w[:n], w[-n:])
    )


def _is_header_token(token: str, vocabulary: frozenset[str]) -> bool:
    token = token.lower()
    return (
        token in vocabulary
        or token in ("of", "and", "the", "to")
        or token in _header_word_pieces(vocabulary)
    )


def is_header_line(line: str, vocabulary: frozenset[str]) -> bool:
    """A line made mostly of header words."""
    tokens = _WORD.findall(line)
    if not tokens:
        return False
    hits = sum(_is_header_token(t, vocabulary) for t in tokens)
    return hits >= 1 and hits / len(tokens) >= 0.6


def match_fields(text: str, profile) -> list[tuple[int, str]]:
    """(position, field) for each header synonym found in a header line, longest first."""
    found: list[tuple[int, str]] = []
    taken = [False] * len(text)
    synonyms = sorted(
        ((s, f) for f, words in profile.fields.items() for s in words),
        key=lambda pair: -len(pair[0]),
    )
    for synonym, field_name in synonyms:
        pattern = (
            r"(?<![A-Za-z])" + r"\W+".join(map(re.escape, synonym.split())) + r"s?(?![A-Za-z])"
        )
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if not any(taken[m.start() : m.end()]):
                found.append((m.start(), field_name))
                for i in range(m.start(), m.end()):
                    taken[i] = True
    return sorted(found)


def find_sections(lines: list[str], profile) -> list[Section]:
    """Header blocks (runs of header-word lines naming >= 3 fields) and the lines below them."""
    vocabulary = _header_vocabulary(profile)
    blocks: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if is_header_line(lines[i], vocabulary):
            j = _header_block_end(lines, i, vocabulary)
            fields = {f for line in lines[i:j] for _, f in match_fields(line, profile)}
            if len(fields) >= 3:
                blocks.append((i, j))
                i = j
                continue
        i += 1
    sections = []
    legend_at = [i for i, line in enumerate(lines) if is_legend_line(line, profile)]
    for n, (start, body) in enumerate(blocks):
        end = blocks[n + 1][0] if n + 1 < len(blocks) else len(lines)
        end = min([end] + [i for i in legend_at if body <= i < end])
        block = lines[start:body]
        sections.append(
            Section(start, body, end, _block_kind(block, profile), column_order(block, profile))
        )
    return sections


HEADER_LINES = 8  # lines of a header read across (several names a line)
HEADER_LINES_DOWN = 24  # lines of a header read down, a column's name or part of one a line


def _header_block_end(lines: list[str], start: int, vocabulary: frozenset[str]) -> int:
    """Where the header block starting at `start` ends: its header lines run on, read across
    (at most HEADER_LINES) or, as OCR reads a header column by column, down: a column's
    name a paragraph, blank lines and marks such as "(RIN)" between (at most
    HEADER_LINES_DOWN lines with text)."""
    j = start
    while j < len(lines) and j - start < HEADER_LINES and is_header_line(lines[j], vocabulary):
        j += 1
    end, seen = j, j - start
    while j < len(lines) and seen < HEADER_LINES_DOWN:
        if is_header_line(lines[j], vocabulary):
            seen += 1
            j += 1
            end = j
        elif not lines[j].strip() or _is_header_mark(lines[j]):
            if j - end >= 3:
                break
            j += 1
        else:
            break
    return end


def _is_header_mark(line: str) -> bool:
    """A line of a header read down that names no column: "(RIN)", "~", ";"."""
    text = line.strip()
    return len(text) <= 6 and len(_WORD.findall(text)) <= 1 and not re.search(r"\d", text)


def is_legend_line(line: str, profile) -> bool:
    """A heading such as 'Key to Scores' that starts a legend, not register rows."""
    flat = " ".join(_WORD.findall(line.lower()))
    return (
        bool(flat)
        and len(flat.split()) <= 5
        and any(
            flat == w or flat.startswith(w + " ") and len(w.split()) > 1
            for w in getattr(profile, "legend_words", ())
        )
    )


def _block_kind(block: list[str], profile) -> str:
    words = [w.lower() for line in block for w in _WORD.findall(line)]
    kind_words = getattr(profile, "kind_words", {}) or {}
    counts = {
        kind: sum(1 for w in words for k in kws if w == k or (len(w) >= 5 and k.startswith(w)))
        for kind, kws in kind_words.items()
    }
    return "opportunity" if counts.get("opportunity", 0) > counts.get("risk", 0) else "risk"


def column_order(block: list[str], profile) -> list[str]:
    """Fields in reading order: as on the header's longest line, the others where the common
    layout puts them; the two score columns around the actions column."""
    matches = [match_fields(line, profile) for line in block]
    present = {f for m in matches for _, f in m}
    longest = max(range(len(block)), key=lambda i: len(block[i])) if block else 0
    order: list[str] = []
    for _, field_name in matches[longest] if matches else []:
        if field_name not in order:
            order.append(field_name)
    rank = {f: i for i, f in enumerate(CANONICAL_ORDER)}
    for field_name in sorted(
        present | {"ref", "inherent", "residual"}, key=lambda f: rank.get(f, 99)
    ):
        if field_name in order:
            continue
        before = [i for i, f in enumerate(order) if rank.get(f, 99) < rank.get(field_name, 99)]
        order.insert(before[-1] + 1 if before else 0, field_name)
    return order


# --- entries ------------------------------------------------------------------------------


def _ref_token(line: str) -> tuple[str, str] | None:
    """(reference as printed, rest of the line) when the line starts with a reference-like
    token: letters and a number ("CR1", "SR 3", "C0O2"), then a capital (bulleted or not), a rule
    or nothing."""
    m = re.match(r"([A-Za-z][A-Za-z0-9|]{0,6}(?: \d{1,3})?)(?:\s+(.*))?$", line)
    if not m:
        return None
    rest = m.group(2) or ""
    words = rest.split()
    # a title that starts with a bullet as OCR reads it ("CR7 * Failure to ...")
    bulleted = len(words) > 1 and words[0] in _BULLET_TOKENS and words[1][:1].isupper()
    if rest and not bulleted and not re.match(r"[A-Z|('\"‘“]", rest):
        return None
    return m.group(1), rest


def find_entries(
    lines: list[str], sections: list[Section], scale: Scale, warnings: list[str]
) -> list[FlowEntry]:
    """Entries by the references that start their lines, each found once."""
    candidates: list[tuple[int, str, str, Section]] = []
    for section in sections:
        for i in range(section.body_start, section.end):
            found = _ref_token(lines[i])
            if found:
                candidates.append((i, found[0], found[1], section))
    # the reference prefixes each kind of table uses twice (once, if it has one reference)
    family: set[str] = set()
    for kind in {section.kind for section in sections}:
        clean = [raw for _, raw, _, sec in candidates
                 if sec.kind == kind and looks_like_ref(raw) and re.search(r"\d", raw)]
        prefixes = ref_prefixes(clean)
        family |= {p for p in prefixes
                   if sum(normalise_ref(r, prefixes).startswith(p) or read_twice(r, {p})
                          for r in clean) >= min(2, len(clean))}
    # line, raw, ref, rest, section, repaired
    starts: list[tuple[int, str, str | None, str, Section, bool]] = []
    for i, raw, rest, section in candidates:
        ref = normalise_ref(raw, family) if looks_like_ref(raw) else None
        if ref and re.match(r"[A-Z]+", ref) and re.match(r"[A-Z]+", ref).group(0) in family:
            starts.append((i, raw, ref, rest, section, False))
        elif _damaged_ref(raw, family) and (not rest or len(_score_tokens(rest, scale)) >= 2):
            # a first reading; normalise.settle_refs chooses by the references around it
            starts.append((i, raw, repair_ref(raw, family), rest, section, True))
    entries: list[FlowEntry] = []
    seen: set[tuple[str, str]] = set()
    for n, (i, raw, ref, rest, section, repaired) in enumerate(starts):
        end = (
            starts[n + 1][0]
            if n + 1 < len(starts) and starts[n + 1][0] < section.end
            else section.end
        )
        key = (section.kind, ref)
        if not repaired:  # a repaired reading is never taken for a repeat, nor repeated
            if key in seen:
                warnings.append(f"{ref}: reference seen again at text line {i + 1}; kept the first")
                if entries:  # the repeated lines still belong to the entry before
                    entries[-1].end = end
                    entries[-1].lines.extend(lines[i:end])
                continue
            seen.add(key)
        entries.append(FlowEntry(ref, raw, section, i, end, [rest] + lines[i + 1 : end]))
    _carry_over_headers(entries, sections, lines)
    return entries


def _carry_over_headers(entries: list[FlowEntry], sections: list[Section], lines: list[str]) -> None:
    """An entry goes on past its table's header repeated at a page's top: the lines under
    the header before the next reference are its own (the page break and the header itself
    are blank lines to it)."""
    for before, section in zip(sections, sections[1:], strict=False):
        if before.kind != section.kind or before.end != section.header_start:
            continue
        last = [e for e in entries if e.section is before and e.end == before.end]
        if not last:
            continue
        first = min((e.start for e in entries if e.section is section), default=section.end)
        entry = last[-1]
        entry.lines.extend([""] * (section.body_start - section.header_start))
        entry.lines.extend(lines[section.body_start : first])
        entry.end = first


def _damaged_ref(raw: str, family: set[str]) -> bool:
    """A known prefix followed by one or two letters OCR reads for digits ("cos", "CRl"), or a
    number after letters that are a known prefix but for a doubled letter ("Cco2")."""
    if read_twice(raw, family):
        return True
    upper = raw.upper().replace("0", "O")
    return any(
        upper.startswith(p)
        and 1 <= len(raw) - len(p) <= 2
        and all(ch in "oOlIi|zZsSbBgq" for ch in raw[len(p) :])
        for p in family
    )


# --- scores -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _valid_scores(scale: Scale) -> frozenset[int]:
    impact_max, likelihood_max = scale.size
    return frozenset(i * j for i in range(1, impact_max + 1) for j in range(1, likelihood_max + 1))


def _score_tokens(text: str, scale: Scale) -> list[tuple[int, int]]:
    """(token index, value) of whole-number tokens that can be scores on the scale."""
    valid = _valid_scores(scale)
    out = []
    for n, token in enumerate(text.split()):
        if re.fullmatch(r"\d{1,2}", token) and int(token) in valid:
            out.append((n, int(token)))
    return out


def _label_word(word: str, labels: dict[str, int]) -> str | None:
    word = word.lower().strip("|/.,;:()")
    return word if word in labels else None


def find_label(
    lines: list[str], first: int, last: int, scale: Scale
) -> tuple[str | None, str | None, dict[int, list[int]]]:
    """An impact/likelihood label such as "Major/ Likely" in lines[first:last], perhaps split
    over lines and broken ("Outstan | ding/"): (impact word, likelihood word, token indexes
    per line to drop)."""
    drop: dict[int, list[int]] = {}
    impact = likelihood = None
    impact_at: tuple[int, int] | None = None
    for li in range(first, min(last, len(lines))):
        tokens = lines[li].split()
        for n, token in enumerate(tokens):
            if "/" not in token or impact:
                continue
            head, _, tail = token.partition("/")
            word = _label_word(head, scale.impact)
            used = [n]
            if n and head.isalpha():
                prev = n - 1 if tokens[n - 1] != "|" else n - 2
                # "Very high/" (two words) before "high/"; "Outstan | ding/" (broken)
                joined = prev >= 0 and (
                    _label_word(f"{tokens[prev]} {head}", scale.impact)
                    or (word is None and _label_word(tokens[prev] + head, scale.impact))
                )
                if joined:
                    word, used = joined, list(range(prev, n + 1))
            if word:
                impact, impact_at = word, (li, len(tokens) - n)
                drop.setdefault(li, []).extend(used)
                if tail and _label_word(tail, scale.likelihood):
                    likelihood = _label_word(tail, scale.likelihood)
    search_from = impact_at[0] if impact_at else first
    if likelihood is None:
        best = None
        for li in range(search_from, min(last, len(lines))):
            tokens = lines[li].split()
            for n, token in enumerate(tokens):
                if li == search_from and impact_at and len(tokens) - n >= impact_at[1]:
                    continue
                word = _label_word(token, scale.likelihood)
                if word and token[0].isalpha():
                    used = [n]
                    # a label of two words: "Almost certain", "Very likely"
                    two = n and _label_word(f"{tokens[n - 1]} {token}", scale.likelihood)
                    if two:
                        word, used = two, [n - 1, n]
                    distance = abs((len(tokens) - n) - (impact_at[1] if impact_at else 0))
                    key = (li - search_from, distance)
                    if best is None or key < best[0]:
                        best = (key, li, used, word)
            if best:
                break
        if best:
            likelihood = best[3]
            drop.setdefault(best[1], []).extend(best[2])
    return impact, likelihood, drop


def find_scores(entry: FlowEntry, scale: Scale) -> Scores:
    """Inherent and residual scores and the residual label of one entry."""
    found = Scores()
    lines = entry.lines
    if entry.across:
        numbers = _score_tokens(lines[0], scale)
        if len(numbers) >= 2:
            (a, found.inherent), (b, found.residual) = numbers[0], numbers[1]
            found.consumed[0] = [a, b]
        elif numbers:
            found.residual = numbers[0][1]
            found.consumed[0] = [numbers[0][0]]
        label_last = _nth_nonblank(lines, 0, 5)
        impact, likelihood, drop = find_label(lines, 0, label_last, scale)
    else:
        anchors = [
            i
            for i, line in enumerate(lines)
            if i and re.fullmatch(r"\d{1,2}", line) and int(line) in _valid_scores(scale)
        ]
        labelled = None
        for k, i in enumerate(anchors):
            # the label stands under its own score, before the next score
            last = min([_nth_nonblank(lines, i, 3), *anchors[k + 1 : k + 2]])
            impact, likelihood, drop = find_label(lines, i + 1, last, scale)
            # a label read column by column stands on lines of its own ("Major/", "Likely"),
            # not inside the next column's text ("... the Medium Term Financial Plan")
            if (impact or likelihood) and all(len(lines[li].split()) <= 3 for li in drop):
                labelled = (i, impact, likelihood, drop)
                break
        if labelled:
            residual_at = labelled[0]
            earlier = [i for i in anchors if i < residual_at]
            inherent_at = earlier[-1] if earlier else None
        else:
            inherent_at = anchors[0] if len(anchors) >= 2 else None
            residual_at = anchors[1] if len(anchors) >= 2 else (anchors[0] if anchors else None)
        if inherent_at is not None:
            found.inherent = int(lines[inherent_at])
            found.anchor_lines[inherent_at] = "inherent"
        if residual_at is not None:
            found.residual = int(lines[residual_at])
            found.anchor_lines[residual_at] = "residual"
        impact, likelihood, drop = labelled[1:] if labelled else (None, None, {})
    for li, indexes in drop.items():
        found.consumed.setdefault(li, []).extend(indexes)
    found.impact = scale.impact.get(impact) if impact else None
    found.likelihood = scale.likelihood.get(likelihood) if likelihood else None
    found.label = "/".join(w for w in (impact, likelihood) if w) or None
    return found


def _nth_nonblank(lines: list[str], start: int, n: int) -> int:
    """The index just after the n-th non-blank line following `start`."""
    seen = 0
    for i in range(start + 1, len(lines)):
        if lines[i].strip():
            seen += 1
            if seen >= n:
                return i + 1
    return len(lines)


# --- widths -------------------------------------------------------------------------------

# Advance widths of a common sans-serif (Helvetica/Arial metrics, per 1000 em): registers are
# set in proportional fonts, where "fulfil" is half as wide as "MWmw" of the same length.
_ADVANCE = {
    **dict.fromkeys("abdeghnopqu0123456789", 556),
    **dict.fromkeys("ckszvxy", 500),
    **dict.fromkeys("fjt", 278),
    **dict.fromkeys("il", 222),
    "m": 833,
    "r": 333,
    "w": 722,
    **dict.fromkeys("ABEKPSVXY", 667),
    **dict.fromkeys("CDHNRU", 722),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("FTZ", 611),
    "I": 278,
    "J": 500,
    "L": 556,
    "M": 833,
    "W": 944,
    **dict.fromkeys(" .,:;!/|", 278),
    **dict.fromkeys("()-[]", 333),
    **dict.fromkeys("'‘’`", 191),
    **dict.fromkeys('"“”', 355),
    "&": 667,
    "%": 889,
}
_AVERAGE_ADVANCE = 420  # widths are given in average characters


@functools.lru_cache(maxsize=65536)  # the same fragments are measured for every cut tried
def text_width(text: str) -> float:
    """A text's printed width in average characters (proportional font)."""
    return sum(_ADVANCE.get(ch, 556) for ch in text) / _AVERAGE_ADVANCE


@dataclass
class ColumnModel:
    """What the rows read column by column teach about the columns."""

    widths: dict[str, float]
    lexicon: dict[str, set[str]] = field(default_factory=dict)  # short fields' words
    bigrams: set[tuple[str, str]] = field(default_factory=set)  # words printed side by side
    vocabulary: set[str] = field(default_factory=set)  # words the document prints whole
    _broken: dict[tuple[str, str], bool] = field(default_factory=dict, repr=False)

    def pair_strength(self, first: str, second: str) -> float:
        """-1..1: the words go together (printed side by side elsewhere in the document: 1;
        else as English prints them, `language.pair_strength`)."""
        if (first, second) in self.bigrams:
            return 1.0
        return pair_strength(first, second)

    def is_broken_word(self, before: str, after: str) -> bool:
        """cells.is_broken_word with the document's vocabulary, asked once per pair."""
        key = (before, after)
        if key not in self._broken:
            self._broken[key] = is_broken_word(before, after, vocabulary=self.vocabulary)
        return self._broken[key]


def learn_columns(column_entries: list[FlowEntry], scored: dict, lines: list[str]) -> ColumnModel:
    """Widths of the text columns, the words of the short fields (categories, owners, with
    common job-title words) and the word pairs of the single-column text."""
    samples: dict[str, list[int]] = {}
    overflows: dict[str, list[float]] = {}  # a wrapped line with the next line's first word
    values: dict[str, list[str]] = {}
    bigrams: set[tuple[str, str]] = set()
    for entry in column_entries:
        for field_name, texts in assign_columns(entry, scored[id(entry)], None).items():
            samples.setdefault(field_name, []).extend(text_width(t) for t in texts if t)
            overflows.setdefault(field_name, []).extend(_overflows(texts))
            values.setdefault(field_name, []).append(" ".join(texts))
        for line in entry.lines:
            words = [_norm_word(t) for t in line.split()]
            bigrams.update(zip(words, words[1:], strict=False))
    lexicon: dict[str, set[str]] = {}
    for field_name in ("category", "owner"):
        texts = values.get(field_name, [])
        if len(texts) >= 2:
            lexicon[field_name] = {w for text in texts for w in _lex_words(text)}
    lexicon["owner"] = lexicon.get("owner", set()) | _ROLE_WORDS
    bigrams = {pair for pair in bigrams if all(pair)}
    widths = _widths(samples, lines, overflows)
    return ColumnModel(_with_slack(widths, overflows), lexicon, bigrams)


def section_model(
    section: Section,
    entries: list[FlowEntry],
    scored: dict,
    lines: list[str],
    shared: ColumnModel,
    *,
    refit: bool = True,
) -> ColumnModel:
    """The column model for one table. Tables differ in their columns' widths (an
    opportunity table is laid out apart from the risk table): a table with two or more rows
    read column by column learns from them; a table read only across is cut once with the
    document's widths and takes its columns' widths from those cuts (`_refit_across`), unless
    `refit` is off. A table's header repeated on later pages starts a section of the same
    table: the rows read column by column under any of its headers are learnt from."""
    own = [e for e in entries if e.section is section]
    column_rows = [e for e in entries if _same_table(e.section, section) and not e.across]
    if len(column_rows) >= 2:
        learnt = learn_columns(column_rows, scored, lines)
        learnt.lexicon = shared.lexicon
        learnt.bigrams = shared.bigrams
        learnt.vocabulary = shared.vocabulary
        return learnt
    return _refit_across([e for e in own if e.across], scored, shared) if refit else shared


def _same_table(a: Section, b: Section) -> bool:
    """Sections of one table: the same kind under headers naming the same columns."""
    return a is b or (a.kind == b.kind and set(a.columns) == set(b.columns))


def _refit_across(across: list[FlowEntry], scored: dict, model: ColumnModel) -> ColumnModel:
    """Widths for a table read across: its rows cut with the borrowed widths, each column as
    wide as the longest of its fragments (past outliers), where it has six or more. A row
    carried past a page break is measured on its own page: the lines after the break are cut
    with the widths being measured. Once only: on the Lancashire seed a second round drifts
    (93 -> 98 -> 91 of 117 fields right)."""
    samples: dict[str, list[float]] = {}
    for entry in across:
        # a copy takes this cut's warnings: the rows are cut again with the widths found
        cut = assign_across(replace(entry, warnings=[]), scored[id(entry)], model, own_page=True)
        for name, texts in cut.items():
            samples.setdefault(name, []).extend(text_width(t) for t in texts if t)
    widths = dict(model.widths)
    for name, values in samples.items():
        if name in widths and len(values) >= REFIT_SAMPLES:
            widths[name] = _capacity(values)
    return ColumnModel(widths, model.lexicon, model.bigrams, model.vocabulary)


def _widths(samples: dict[str, list[int]], lines: list[str], overflows: dict[str, list]) -> dict:
    """Widths from the rows read column by column: a column is as wide as its longest lines
    (past a few outliers) and, when its values never wrapped, at least as wide as the other
    narrow columns. When there are no such rows, the widest lines shared out among the columns
    (text-heavy columns double)."""
    widths = {f: _capacity(v) for f, v in samples.items() if len(v) >= 3}
    narrow_seen = sorted(w for f, w in widths.items() if f not in WIDE_FIELDS)
    for name, width in widths.items():
        if len(overflows.get(name, ())) < 2 and narrow_seen:
            # a column whose values never wrapped ("Level", "Stable") is wider than they are
            widths[name] = max(width, statistics.median(narrow_seen))
    columns = [c for c in CANONICAL_ORDER if c not in ("ref", "inherent", "residual")]
    if len(widths) < 3:
        total = _high([text_width(line) for line in lines if line]) or 80
        weights = {c: 2 if c in WIDE_FIELDS else 1 for c in columns}
        share = total / sum(weights.values())
        return {c: weights[c] * share for c in columns}
    narrow = statistics.median([w for f, w in widths.items() if f not in WIDE_FIELDS] or [20])
    wide = statistics.median([w for f, w in widths.items() if f in WIDE_FIELDS] or [narrow * 2])
    return {c: widths.get(c, wide if c in WIDE_FIELDS else narrow) for c in columns}


def _with_slack(widths: dict[str, float], overflows: dict[str, list[float]]) -> dict[str, float]:
    """The narrowest columns widened halfway to where their lines overflow: a column is wider
    than its longest line by the room a word that did not fit left, and in a column much
    narrower than the others ("Director" / "of Place") that room is a large part of its width
    (an owner's "Head of ICT" on a row read across fits it). An overflow is a wrapped line
    with the next line's first word: the column is narrower than the second-shortest."""
    narrow = [w for name, w in widths.items() if name not in WIDE_FIELDS]
    if not narrow:
        return widths
    slim = 0.8 * statistics.median(narrow)
    out = dict(widths)
    for name, width in widths.items():
        over = sorted(overflows.get(name, []))
        if name in WIDE_FIELDS or width >= slim or len(over) < 3:  # 3 overflows: 4 lines seen
            continue
        out[name] = max(width, width + 0.5 * (over[1] - width))
    return out


def _capacity(values: list[int]) -> float:
    """A column's capacity: its longest lines, past a few outliers (merged lines)."""
    ordered = sorted(values)
    return float(ordered[-1 - min(len(ordered) // 40, 3)])


def _high(values: list[int]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))])


# --- text: rows read column by column ----------------------------------------------------


def _paragraphs(lines: list[str], start: int, end: int) -> list[tuple[int, list[int]]]:
    """(blank lines before, line indexes) for each run of non-blank lines."""
    out: list[tuple[int, list[int]]] = []
    gap = 0
    for i in range(start, end):
        if not lines[i].strip():
            gap += 1
            continue
        if out and gap == 0:
            out[-1][1].append(i)
        else:
            out.append((gap, [i]))
        gap = 0
    return out


def _text_columns(section: Section) -> list[str]:
    return [c for c in section.columns if c not in ("ref",)]


def assign_columns(entry: FlowEntry, scores: Scores, widths: dict | None) -> dict[str, list[str]]:
    """A row read column by column: paragraphs before the inherent score fill the columns
    before it (first the title, then a short category, then narrow text, then wide text),
    paragraphs between the scores fill the actions, and after the residual label come owner,
    direction and, after a wide gap, the tails of columns cut by a page break."""
    lines = [_drop_tokens(line, scores.consumed.get(i, [])) for i, line in enumerate(entry.lines)]
    columns = _text_columns(entry.section)
    cut = {v: k for k, v in scores.anchor_lines.items()}
    inherent_at = cut.get("inherent")
    residual_at = cut.get("residual")
    first_anchor = min(scores.anchor_lines) if scores.anchor_lines else len(lines)
    out: dict[str, list[str]] = {}

    def put(field_name: str, indexes: list[int]) -> None:
        _add_paragraph(out, field_name, [lines[i] for i in indexes if lines[i].strip()])

    before = [c for c in columns[: columns.index("inherent")]] if "inherent" in columns else columns
    between = (
        columns[columns.index("inherent") + 1 : columns.index("residual")]
        if "inherent" in columns and "residual" in columns
        else []
    )
    after = columns[columns.index("residual") + 1 :] if "residual" in columns else []
    pre = _paragraphs(lines, 0, inherent_at if inherent_at is not None else first_anchor)
    _assign_leading(pre, before, lines, put)
    if inherent_at is not None and between:
        mid_end = residual_at if residual_at is not None else len(lines)
        for _, indexes in _paragraphs(lines, inherent_at + 1, mid_end):
            put(between[0], indexes)
    if residual_at is not None:
        post = _paragraphs(lines, residual_at + 1, len(lines))
        post = [(g, [i for i in ix if lines[i].strip()]) for g, ix in post]
        post = [(g, ix) for g, ix in post if ix]
        tails_from = len(post)
        for n, (gap, indexes) in enumerate(post):
            if n and gap >= 2:
                tails_from = n
                break
            if n == 0 and "owner" in after:
                put("owner", indexes)
            elif "direction_text" in after:
                put("direction_text", indexes)
            elif after:
                put(after[-1], indexes)
        if widths:
            tails = [ix for _, ix in post[tails_from:]]
            for field_name, indexes in assign_tails(tails, lines, columns, widths, out):
                put(field_name, indexes)
    return out


def _assign_leading(paragraphs, columns: list[str], lines: list[str], put) -> None:
    """Paragraphs before the first score: title first, a short category, then the narrow
    text column(s), then the last (wide) column from the first paragraph much wider."""
    if not paragraphs or not columns:
        return
    text_cols = [c for c in columns if c != "title"]
    widths = [max(text_width(lines[i]) for i in ix) for _, ix in paragraphs]
    index = 0
    if "title" in columns:
        put("title", paragraphs[0][1])
        index = 1
    if "category" in text_cols and index < len(paragraphs) - 1 and len(paragraphs[index][1]) <= 3:
        put("category", paragraphs[index][1])
        index += 1
    rest = [c for c in text_cols if c != "category"]
    if not rest:
        return
    narrow = max(widths[: index + 1])
    wide_from = next(
        (n for n in range(index, len(paragraphs)) if widths[n] >= 1.5 * narrow), len(paragraphs)
    )
    if len(rest) == 1:
        wide_from = index
    for n in range(index, len(paragraphs)):
        put(rest[0] if n < wide_from else rest[-1], paragraphs[n][1])


def assign_tails(
    paragraphs: list[list[int]],
    lines: list[str],
    columns: list[str],
    widths: dict,
    so_far: dict[str, list[str]],
    closed: set[str] = frozenset(),
) -> list[tuple[str, list[int]]]:
    """Paragraphs left over after a row's part (a page break cut the row): each to the column
    whose width it fits, in column order (a new run may start again from the left), a
    lower-case start preferring a column whose text ended mid-sentence."""
    text_cols = [c for c in columns if c in widths]
    if not paragraphs or not text_cols:
        return []
    ends = {c: [t for t in texts if t][-1] for c, texts in so_far.items() if any(texts)}
    n_cols = len(text_cols)
    states = {-1: (0.0, [])}
    for number, para in enumerate(paragraphs):
        width = max(text_width(lines[i]) for i in para)
        head = lines[para[0]]
        # after a page's worth of blank lines the columns are read from the left again
        back = 0.2 if number and _breaks_page(paragraphs[number - 1], para) else 1.0
        new_states: dict[int, tuple[float, list[int]]] = {}
        wraps = _overflows([lines[i] for i in para])  # the column is narrower than these
        for c in range(n_cols):
            name = text_cols[c]
            fit = _fit_cost(width, widths[name], whole_paragraph=True)
            if len(wraps) >= 2:
                # a column this wide would have taken the next line's first word
                early = sum(w <= widths[name] for w in wraps) / len(wraps)
                fit += WRAP_COST * early
            if name in closed or (name == "title" and number):
                # a one-paragraph field that ended within the row's lines; a title runs on
                # into the first paragraph below the row at most
                fit += 3.0
            # going on from the column's text in the row's lines
            goes_on = _goes_on(ends[name], head) if name in ends else 0.0
            for prev, (cost, path) in states.items():
                # short fields rarely run on past a row's part (once they do, they may go on)
                enter = 0.8 if name in INLINE_FIELDS and c != prev and not goes_on else 0.0
                step = 0.0 if c == prev else (0.1 if c > prev else back) + enter
                total = cost + fit + step - goes_on
                if c not in new_states or total < new_states[c][0]:
                    new_states[c] = (total, path + [c])
        states = new_states
    _, path = min(states.values(), key=lambda s: s[0])
    return [(text_cols[c], para) for c, para in zip(path, paragraphs, strict=True)]


def _breaks_page(before: list[int], after: list[int]) -> bool:
    """Whether a page break (more than PAGE_GAP blank lines) parts two paragraphs (line indexes)."""
    return after[0] - before[-1] > PAGE_GAP


def _goes_on(text: str, following: str) -> float:
    """How surely `following` (a paragraph's first line) goes on from `text` in one column:
    after "... the whole of" (1.2), or a lower-case start after a sentence left open (0.4)."""
    if _SENTENCE_END.search(text):
        return 0.0
    end = _last_word(text)
    if end in _FUNCTION_WORDS:
        return 1.2
    return 0.4 if following[:1].islower() else 0.0


def _overflows(texts: list[str]) -> list[float]:
    """Each line the column wrapped (`_wrapped`) with the next line's first word, as printed (a
    bullet takes room too): widths the column had no room for."""
    return [
        text_width(line + " " + following.split()[0])
        for line, following in zip(texts, texts[1:], strict=False)
        if line and _wrapped(line, following)
    ]


def _wrapped(line: str, following: str) -> bool:
    """The break between two lines of a paragraph may be the column's, not the author's: the
    line does not end a sentence and the next does not start an item with a bullet."""
    words = following.split()
    return (
        bool(words) and words[0].lower() not in _BULLET_TOKENS and not _SENTENCE_END.search(line)
    )


def _fit_cost(length: float, width: float, *, whole_paragraph: bool = False) -> float:
    """How badly a fragment of `length` characters fits a column `width` characters wide
    (widths in characters are loose: a proportional font fits more narrow letters)."""
    if width <= 0:
        return 10.0
    ratio = length / width
    if whole_paragraph:
        if ratio > 1.12:
            return 3.0 + 6.0 * (ratio - 1.12)
        return 0.6 * abs(math.log(max(ratio, 0.05)))
    if ratio > 1.15:
        return 3.0 + 6.0 * (ratio - 1.15)
    if ratio > 1.0:
        return 0.5 + 8.0 * (ratio - 1.0)
    return 0.025 * (width - length)  # room left: the same per character in every column


def _drop_tokens(line: str, indexes: list[int]) -> str:
    if not indexes:
        return line
    tokens = line.split()
    return " ".join(t for n, t in enumerate(tokens) if n not in set(indexes))


# --- text: rows read across ----------------------------------------------------------------


def assign_across(
    entry: FlowEntry, scores: Scores, model: ColumnModel, *, own_page: bool = False
) -> dict[str, list[str]]:
    """A row read across: each line of the row is cut into its columns' fragments (scores and
    label split the reference line). A cut is judged with what the columns printed on the line
    before (a sentence going on, a line that ended short, a bullet), and a few of the best
    readings of the whole block are kept line by line so that a later line can overrule an
    earlier cut. The paragraphs after the row's lines are the tails of its columns."""
    widths = model.widths
    columns = [c for c in _text_columns(entry.section)]
    text_cols = [c for c in columns if c in widths]
    block_end = _across_block_end(entry.lines, widths)
    beams: list[tuple[float, Track, list[tuple[str, str]]]] = [(0.0, Track(), [])]
    for li in range(block_end):
        line = entry.lines[li]
        if not line.strip():
            continue
        tokens = line.split()
        drop = set(scores.consumed.get(li, []))
        parts = _split_at_anchors(tokens, drop, li == 0, columns, entry.section)
        memos: list[dict] = [{} for _ in parts]  # fragment costs, shared by the beams
        grown = []
        for cost, track, cuts in beams:
            line_options = [(0.0, [])]
            for (part_tokens, allowed), memo in zip(parts, memos, strict=True):
                cols = [c for c in text_cols if c in allowed]
                options = _segment_options(
                    part_tokens, cols, model, track, first_line=li == 0, memo=memo
                )
                if not options:
                    continue
                line_options = sorted(
                    ((a + b, x + y) for a, x in line_options for b, y in options),
                    key=lambda o: o[0],
                )[:BEAM]
            margin = line_options[1][0] - line_options[0][0] if len(line_options) > 1 else 9.0
            for extra, cut in line_options:
                grown.append((cost + extra, track.after(dict(cut), margin), cuts + [(li, cut)]))
        grown.sort(key=lambda b: b[0])
        beams = []
        seen = set()
        for beam in grown:
            key = (
                tuple(sorted(beam[1].last.items())),
                frozenset(beam[1].closed),
                frozenset(beam[1].used),
            )
            if key not in seen:
                seen.add(key)
                beams.append(beam)
            if len(beams) >= BEAM:
                break
    _, track, cuts = beams[0]
    out: dict[str, list[str]] = {}
    for _, cut in cuts:
        for field_name, fragment in cut:
            out.setdefault(field_name, []).append(fragment)
    ambiguous = sum(1 for m in track.margins if m < AMBIGUOUS_MARGIN)
    if ambiguous:
        entry.warnings.append(
            f"{ambiguous} line(s) read across could be cut between columns in more than "
            "one way; the likelier cut was taken"
        )
    if track.sub_rows:
        entry.warnings.append(
            f"{track.sub_rows} sub-row(s) with a title of their own read into this entry "
            "(their titles added to its title)"
        )
    rest = [ix for _, ix in _paragraphs(entry.lines, block_end, len(entry.lines))]
    if own_page:  # only the tails on the row's own page (the row goes on under a header)
        broken = [n for n in range(1, len(rest)) if _breaks_page(rest[n - 1], rest[n])]
        rest = rest[: broken[0]] if broken else rest
    for field_name, indexes in assign_tails(rest, entry.lines, columns, widths, out, track.closed):
        _add_paragraph(out, field_name, [entry.lines[i] for i in indexes])
    return out


def _add_paragraph(out: dict[str, list[str]], field_name: str, texts: list[str]) -> None:
    """Append a paragraph to a field: a new item, unless it continues an unfinished sentence
    (OCR often leaves blank lines between the wrapped lines of one paragraph)."""
    if not texts:
        return
    previous = out.setdefault(field_name, [])
    if (
        previous
        and previous[-1]
        and (_SENTENCE_END.search(previous[-1]) or not texts[0][:1].islower())
    ):
        previous.append("")
    previous.extend(texts)


@dataclass
class Track:
    """What each column printed on the previous line of a row read across."""

    last: dict[str, str] = field(default_factory=dict)  # column -> fragment on the line before
    used: set[str] = field(default_factory=set)  # columns with text so far
    closed: set[str] = field(default_factory=set)  # one-line fields that have ended
    lines: dict[str, int] = field(default_factory=dict)  # column -> lines printed so far
    margins: list[float] = field(default_factory=list)  # per line: best cut's lead
    paused: set[str] = field(default_factory=set)  # fell silent mid-sentence, not resumed
    sub_rows: int = 0  # titles that started again under the same reference
    prose: set[str] = field(default_factory=set)  # an owner written as a sentence

    def after(self, printed: dict[str, str], margin: float = math.inf) -> Track:
        """The track once a line has printed these fragments."""
        new = Track(
            dict(self.last),
            set(self.used),
            set(self.closed),
            dict(self.lines),
            self.margins[:],
            set(self.paused),
            self.sub_rows,
            set(self.prose),
        )
        new.advance(printed)
        new.margins.append(margin)
        return new

    def is_open(self, column: str) -> bool:
        """The column printed on the line before and its sentence has not ended."""
        previous = self.last.get(column)
        return previous is not None and not _SENTENCE_END.search(previous)

    def advance(self, printed: dict[str, str]) -> None:
        # a short field (title, category, owner) that stopped on a line has ended
        if "title" in printed and "title" in self.closed:
            self.closed = set()  # a sub-row under the same reference: its fields start again
            self.lines = {}
            self.sub_rows += 1
        self.closed |= {c for c in self.used - set(printed) if c in _CLOSING_FIELDS}
        self.paused |= {c for c in self.last if c not in printed and self.is_open(c)}
        self.paused -= set(printed)
        self.used |= set(printed)
        if "owner" in printed and _states(printed["owner"]):
            self.prose.add("owner")
        self.last = dict(printed)
        for c in printed:
            self.lines[c] = self.lines.get(c, 0) + 1


def _across_block_end(lines: list[str], widths: dict) -> int:
    """Where the lines read across end: at the first paragraph whose lines all fit one column."""
    widest = max(widths.values()) if widths else 60
    for gap, indexes in _paragraphs(lines, 1, len(lines)):
        if gap and all(text_width(lines[i]) <= widest * 1.12 for i in indexes):
            return indexes[0] - gap
    return len(lines)


def _split_at_anchors(
    tokens: list[str], drop: set[int], is_ref_line: bool, columns: list[str], section: Section
) -> list[tuple[list[str], set[str]]]:
    """Cut a line read across at its score and label tokens: each piece with the columns it
    can hold (before the inherent score, between the scores, after the residual)."""
    if not drop:
        return [([t for t in tokens], set(columns))]
    order = columns
    inh = order.index("inherent") if "inherent" in order else 0
    res = order.index("residual") if "residual" in order else len(order)
    groups: list[tuple[list[str], set[str]]] = []
    anchors = sorted(drop)
    bounds = [-1] + anchors + [len(tokens)]
    if is_ref_line and len(anchors) >= 2:
        allowed = [set(order[:inh]), set(order[inh + 1 : res]), set(order[res + 1 :])]
        allowed += [set(order[res + 1 :])] * (len(bounds) - 1 - len(allowed))
    else:  # a label line: the label sits in the residual column
        allowed = [set(order[:res])] + [set(order[res + 1 :])] * (len(bounds) - 2)
    for n in range(len(bounds) - 1):
        piece = tokens[bounds[n] + 1 : bounds[n + 1]]
        groups.append((piece, allowed[n] if n < len(allowed) else set(order[res + 1 :])))
    return groups


def segment_line(
    tokens: list[str],
    columns: list[str],
    widths: dict,
    active: set[str] = frozenset(),
    *,
    closed: set[str] = frozenset(),
    first_line: bool = False,
    previous: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Cut one line's tokens into consecutive fragments, one per column (some empty), so that
    each fragment fits its column's width; "|" and bullets mark cuts. `active` columns are
    taken to have printed an unfinished sentence on the line before; `previous` gives what
    columns printed on the line before, where it is known."""
    last = {c: "…" for c in active} | dict(previous or {})
    track = Track(last=last, used=set(last), closed=set(closed))
    options = _segment_options(tokens, columns, ColumnModel(widths), track, first_line=first_line)
    return options[0][1] if options else []


def _segment_options(
    tokens: list[str],
    columns: list[str],
    model: ColumnModel,
    track: Track,
    *,
    first_line: bool = False,
    keep: int = BEAM,
    memo: dict | None = None,
) -> list[tuple[float, list[tuple[str, str]]]]:
    """The cheapest cuts of tokens into consecutive fragments, one per column (some empty),
    best first: (cost, [(column, fragment)]). `memo` keeps fragment costs for other tracks
    over the same tokens: a cost depends only on what the track says of its column."""
    if not tokens or not columns:
        return []
    memo = {} if memo is None else memo
    head_claims = _head_claims(track, columns)
    states = {c: _column_state(track, c) + (head_claims.get(c),) for c in columns}
    edges = memo.get("edges")
    if edges is None:  # what a column's edge costs before each token: once per line
        edges = memo["edges"] = [_edge_cost(tokens, s, model) for s in range(len(tokens))]
    n, k = len(tokens), len(columns)
    # the `keep` best (cost, starts) per (tokens used, columns used)
    best: list[list[list[tuple[float, tuple[int, ...]]]]] = [
        [[] for _ in range(k + 1)] for _ in range(n + 1)
    ]
    best[0][0] = [(0.0, ())]
    for j in range(1, k + 1):
        column = columns[j - 1]
        for i in range(n + 1):
            options: list[tuple[float, tuple[int, ...]]] = []
            for start in range(i + 1):
                if not best[start][j - 1]:
                    continue
                key = (start, i, column, states[column])
                step = memo.get(key)
                if step is None:
                    step = memo[key] = _fragment_cost(
                        tokens, start, i, column, model, track, first_line, edges,
                        head_claims.get(column),
                    )
                for cost, path in best[start][j - 1]:
                    options.append((cost + step, path + (start,)))
            options.sort(key=lambda o: o[0])
            best[i][j] = options[:keep]
    out = []
    for total, path in best[n][k]:
        bounds = list(path[1:]) + [n]
        cut = []
        for j, (start, end) in enumerate(zip(path, bounds, strict=True)):
            text = " ".join(t for t in tokens[start:end] if t != "|").strip(" |")
            if text:
                cut.append((columns[j], text))
        out.append((total, cut))
    return out


def _head_claims(track: Track, columns: list[str]) -> dict[str, float]:
    """What it costs the leftmost open column to leave a line's lower-case first word (one
    that did not fit on its line before) to a column further on: much, unless another open
    column's line ended in "of", "the", "and" (that word's column has a claim of its own)."""
    open_columns = [c for c in columns if c not in track.closed and track.is_open(c)]
    if not open_columns:
        return {}
    dangling = any(_last_word(track.last[c]) in _FUNCTION_WORDS for c in open_columns[1:])
    return {open_columns[0]: 0.3 if dangling else 0.9}


def _column_state(track: Track, column: str) -> tuple:
    """All `_fragment_cost` reads of the track for one column."""
    return (
        column in track.closed,
        "title" in track.closed,
        track.last.get(column),
        column in track.paused,
        column in track.used,
        bool(track.lines.get(column)),
        column in track.prose,
    )


def _fragment_cost(
    tokens: list[str],
    start: int,
    end: int,
    column: str,
    model: ColumnModel,
    track: Track,
    first_line: bool,
    edges: list[float],
    head_claim: float | None = None,
) -> float:
    """How unlikely tokens[start:end] is as the column's fragment on this line; `edges` what a
    column edge before each token costs (`_edge_cost`), `head_claim` what leaving the line's
    first word to a later column costs (`_head_claims`). Every read of the track is in
    `_column_state` (the memo of `_segment_options` keys on it)."""
    piece = tokens[start:end]
    words = [t for t in piece if t != "|"]
    if not words:
        if column in track.closed:
            return 0.0
        if track.is_open(column):
            previous = _unbulleted(track.last[column])
            head = tokens[0] if start == 0 and tokens else ""
            if (
                head_claim is not None
                and head[:1].islower()
                and head.lower() not in _BULLET_TOKENS
                and text_width(previous + " " + head) > model.widths[column]
            ):
                # the line starts with a continuation that did not fit on this, the leftmost
                # open column's, line before: it is likely this column's next word
                return head_claim
            if _last_word(previous) in _FUNCTION_WORDS:
                return 1.5  # "... of the" goes on in its column on the next line
            if text_width(previous) >= model.widths[column] - max(3.0, 0.1 * model.widths[column]):
                return 0.7  # a full line with an unfinished sentence goes on in its column
            return 0.15  # a short line ended its item
        return 0.6 if first_line else 0.1  # a row's first line has text in most columns
    width = model.widths[column]
    text = " ".join(words)
    cost = _fit_cost(text_width(text), width)
    if column in track.closed:
        if start == 0 and column == "title" and words[0][:1].isupper():
            cost += REOPEN  # a title starting again at the line's start: a sub-row's
        elif column == "category" and "title" in track.closed and start and tokens[0][:1].isupper():
            cost += 0.3  # ... and the sub-row's own category after its title
        else:
            return cost + 6.0
    first = words[0]
    bullet = first.lower() in _BULLET_TOKENS and len(words) > 1
    lower = first[:1].islower() and not bullet
    previous = track.last.get(column)
    if column in track.paused:
        # a column that fell silent mid-sentence seldom starts again within the row
        cost += 1.0 if lower else 0.5
    if (
        previous is not None
        and lower
        and model.is_broken_word(previous, first)
    ):
        # "Managem" / "ent": the word broken by the column's narrow width goes on here
        cost -= 1.0
    elif track.is_open(column):
        # the first word would have fitted on the line before: that line ended its item
        room = width - text_width(_unbulleted(previous) + " " + first)
        # a title is one phrase: a line with room for the next word ended it
        tolerance = 0.0 if column == "title" else max(3.0, 0.1 * width)
        fits = room > tolerance  # the word would have fitted on the line before
        ended = fits and _last_word(previous) not in _FUNCTION_WORDS
        if lower and ended:
            cost += min(1.2, (room - tolerance) / 4 + 0.3 * (column == "title"))
        elif lower and fits:
            # "... chaired by the" goes on, but not with a word that fitted on its line
            cost += min(0.8, (room - tolerance) / 4)
        elif lower:
            cost -= 0.4
        elif ended and column in _CLOSING_FIELDS:
            cost += 0.8  # a one-paragraph field whose last line ended short has ended
        elif column == "title" and _last_word(previous) not in _FUNCTION_WORDS:
            cost += 0.6  # a capital after a title's full line: mostly a new item's start
        # "... the basis" / "from which": the words go together, the column goes on
        cost -= 0.3 * model.pair_strength(_last_word(previous), _norm_word(first))
        if _last_word(previous) in _FUNCTION_WORDS and _norm_word(first) == _last_word(previous):
            cost += 1.0  # "and" / "and": a column's line seldom repeats the word ending the last
    elif lower:
        cost += 1.2 if previous is None else 0.8  # a new item seldom starts in lower case
    if previous is None and column in track.used:
        cost += 0.3  # the column resumes after a line without text
    if column not in track.prose:  # an owner written as a sentence runs on as one
        cost += _lexicon_cost(words, column, model)
        if column == "owner" and len(words) > 1 and not any(w[:1].isupper() for w in words):
            cost += 0.8  # job titles and team names are capitalised
        elif column == "owner" and lower and _norm_word(first) not in _FUNCTION_WORDS:
            cost += 0.5  # ... and their words are capitalised but for "of", "for", "and"
    if column == "direction_text" and not track.lines.get(column) and len(words) > 1:
        cost += _direction_start_cost(words)
    inner = piece[1:-1] if len(piece) > 2 else []
    cost += 2.0 * sum(1 for t in inner if t == "|")
    for m, token in enumerate(piece[1:], start=1):
        nxt = piece[m + 1] if m + 1 < len(piece) else ""
        if token.lower() in _BULLET_TOKENS and nxt[:1].isupper():
            cost += 1.5  # a bullet starts a column's item, it does not sit inside a fragment
    if start and end and start < len(tokens):
        cost += edges[start]
    return cost


def _edge_cost(tokens: list[str], start: int, model: ColumnModel) -> float:
    """What a column edge between tokens[start - 1] and tokens[start] costs."""
    if not start:
        return 0.0
    before, after = tokens[start - 1], tokens[start]
    # two words that go together are seldom parted by a column's edge
    cost = 0.4 * model.pair_strength(_norm_word(before), _norm_word(after))
    if before.lower() in _FUNCTION_WORDS and after[:1].isupper():
        cost += 0.2  # "of" / "the" seldom ends a column's line before a capital's column
    return cost


_STATING = {"is", "are", "has", "have", "will"}


@functools.lru_cache(maxsize=4096)
def _states(text: str) -> bool:
    """A fragment that makes a sentence ("Overall Risk Owner is CMT"), its verb glued to the
    word before as OCR may read it ("Owneris": no word itself, a word and the verb)."""
    for token in text.split():
        word = _norm_word(token).lower()
        if word in _STATING:
            return True
        heads = [word[: -len(v)] for v in _STATING if word.endswith(v) and len(word) > len(v) + 2]
        if heads and not is_known_word(word) and any(is_known_word(h) for h in heads):
            return True
    return False


def _direction_start_cost(words: list[str]) -> float:
    """A direction of travel starts with its word ("Stable", "New risk", "Increasing"): capitalised
    words before a capitalised direction word are the end of the column before (an owner's
    "Fire" in "Chief Fire Stable")."""
    if not words[0][:1].isupper() or _is_direction_word(words[0]):
        return 0.0
    later = [w for w in words[1:] if w[:1].isupper()]
    return 0.6 if any(_is_direction_word(w) for w in later) else 0.0


@functools.lru_cache(maxsize=4096)
def _is_direction_word(word: str) -> bool:
    return len(word) > 2 and parse_direction(word) is not None


def _lexicon_cost(words: list[str], column: str, model: ColumnModel) -> float:
    """Short fields reuse few words (a category list, job titles): unknown words cost."""
    lexicon = model.lexicon.get(column)
    if not lexicon:
        return 0.0
    letters = [w for t in words for w in _lex_words(t)]
    if not letters:
        return 0.0
    raw = [w for t in words for w in re.findall(r"[A-Za-z&'][A-Za-z&'.]*", t)]
    cost = 0.0
    for word, printed in zip(letters, raw, strict=False):
        if word in lexicon or (word.isupper() and 2 <= len(word) <= 5):
            continue
        # names of services and places are capitalised; running text is not
        cost += 0.4 if printed[:1].isupper() else 1.2
    return cost / len(letters) + 0.1 * cost


def _lex_words(text: str) -> list[str]:
    """A text's words for the lexicons: acronyms as printed, other words lower-cased."""
    return [_norm_word(w) for w in re.findall(r"[A-Za-z&'][A-Za-z&'.]*", text) if _norm_word(w)]


@functools.lru_cache(maxsize=65536)
def _norm_word(token: str) -> str:
    """A token's letters (case kept for acronyms), '' for punctuation."""
    core = re.sub(r"^[^A-Za-z0-9&]+|[^A-Za-z0-9&']+$", "", token)
    if not core:
        return ""
    return core if core.isupper() and len(core) <= 5 else core.lower()


def _unbulleted(text: str) -> str:
    """A fragment without its leading bullet (bullets hang outside the text's width)."""
    tokens = text.split()
    if len(tokens) > 1 and tokens[0].lower() in _BULLET_TOKENS:
        return " ".join(tokens[1:])
    return text


def _last_word(text: str | None) -> str:
    tokens = (text or "").split()
    return _norm_word(tokens[-1]) if tokens else ""


# --- record ---------------------------------------------------------------------------------


def trim_owner_tail(owner: str, vocabulary: set[str]) -> tuple[str, str]:
    """An owner (a job title or team) does not end in a lower-case connective, OCR debris or
    an unknown lower-case fragment: such a tail came from the next column. Returns
    (owner, the tail set aside)."""

    words = owner.split()
    cut = len(words)
    while cut > 1:
        word = words[cut - 1]
        bare = word.strip(".,;:")
        debris = not re.fullmatch(r"[A-Za-z&'()/\-]+", bare)
        lower = bare[:1].islower()
        unknown = lower and not is_known_word(bare.lower(), vocabulary)
        if debris or (lower and bare.lower() in _FUNCTION_WORDS) or unknown:
            cut -= 1
            continue
        break
    return " ".join(words[:cut]), " ".join(words[cut:])


def to_record(
    entry: FlowEntry,
    scores: Scores,
    fields: dict[str, list[str]],
    scale: Scale,
    vocabulary: set[str],
) -> Record:
    rec = Record(kind=entry.section.kind, ref=entry.ref, ref_raw=entry.ref_raw, method="text")
    for field_name, texts in fields.items():
        raw = "\n".join(texts).strip("\n")
        if not raw.strip() or not hasattr(rec, field_name):
            continue
        if field_name in INLINE_FIELDS:
            value = clean_inline(raw, vocabulary=vocabulary, ocr=True)
        else:
            value = clean_cell(raw, vocabulary=vocabulary)
        if field_name == "owner" and value:
            value, stray = trim_owner_tail(value, vocabulary)
            if stray:
                rec.warnings.append(
                    f"owner: trailing {stray!r} set aside as a fragment of a neighbouring column"
                )
        setattr(rec, field_name, value or None)
    rec.inherent_score = scores.inherent
    rec.residual_score = scores.residual
    _set_residual_factors(rec, scores, scale)
    if rec.direction_text:
        rec.direction = parse_direction(rec.direction_text)
    rec.warnings.extend(entry.warnings)
    confidence = CONFIDENCE_ACROSS if entry.across else CONFIDENCE_COLUMNS
    if entry.across:
        rec.warnings.append(
            "row read across with its columns interleaved: text divided between "
            "fields by column widths and may be misplaced"
        )
    if scores.inherent is None or scores.residual is None:
        confidence -= 0.2
        rec.warnings.append("a score was not found in the text")
    if (
        entry.ref_raw
        and normalise_ref(entry.ref_raw) != entry.ref
        and not looks_like_ref(entry.ref_raw)
    ):
        confidence -= 0.1
    rec.confidence = round(max(confidence, 0.1), 2)
    return rec


def _set_residual_factors(rec: Record, scores: Scores, scale: Scale) -> None:
    """Impact and likelihood from the label; a missing half from the score when it divides."""
    impact, likelihood, score = scores.impact, scores.likelihood, scores.residual
    if impact and likelihood and score is not None:
        parsed = parse_score(f"{score} {scores.label}", scale)
        impact, likelihood = parsed.impact, parsed.likelihood
        if impact is None:
            rec.warnings.append(f"residual label {scores.label} does not give {score}")
    elif score and (impact or likelihood):
        known, size = (impact, scale.size[1]) if impact else (likelihood, scale.size[0])
        other = score // known if score % known == 0 and score // known <= size else None
        if other is not None:
            rec.warnings.append(
                f"residual label half-read ({scores.label}); the other factor "
                f"taken from the score {score}"
            )
        impact, likelihood = (impact, other) if impact else (other, likelihood)
    rec.residual_impact, rec.residual_likelihood = impact, likelihood
