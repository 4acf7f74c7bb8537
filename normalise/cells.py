"""Cell text as a PDF wrapped it -> clean text: one item per line, broken words re-joined."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Sequence

try:  # an offline English word list; without it only the document's own words are known
    from wordfreq import zipf_frequency
except ImportError:  # pragma: no cover - wordfreq is a declared dependency
    zipf_frequency = None

Vocabulary = Callable[[str], bool] | Collection[str] | None

# Bullet glyphs that never start ordinary text, symbol-font private-use glyphs included.
_GLYPH_BULLETS = "•●▪◦■□▫◆◇○◘∙·‣⁃➢➤►▶✓✔❖➔→\uf0b7\uf0a7\uf0d8\uf076\uf0fc"
_GLYPH = rf"[{_GLYPH_BULLETS}\ue000-\uf8ff]"
_LETTER_BULLET = re.compile(
    r"^\s*(?:"
    r"[-–—*]\s+(?=\S)"  # dash or star, then a space
    r"|o\s+(?=\S)"  # a lone "o"
    r"|[e¢©]\s+(?=[A-Z])"  # OCR'd bullet: only before a capital
    r"|\(?\d{1,2}[.)]\s+(?=\S)"  # 1.  1)  (1)
    r"|\(?[a-z][)]\s+(?=\S)"  # a)  (a)
    r"|\((?:i|ii|iii|iv|v|vi|vii|viii|ix|x)\)\s+(?=\S)"
    r")"
)
_GLYPH_BULLET = re.compile(rf"^\s*{_GLYPH}+\s*")
# OCR reads a bullet glyph as one of these characters; in OCR text one that opens a line
# before a space is a bullet
_OCR_BULLET_CHARS = "*+«¢e©o°®"
_OCR_BULLET = re.compile(rf"^\s*(?:{_GLYPH}+\s*|[{re.escape(_OCR_BULLET_CHARS)}]{{1,2}}\s+(?=\S))")
# A line holding nothing but a bullet: the item's text is on the next line (a reader put the
# glyph on a line of its own). In OCR text also what OCR makes of a glyph: '*', '.', '°', '®'.
_LONE_GLYPH = re.compile(rf"\s*{_GLYPH}+\s*")
_LONE_OCR_BULLET = re.compile(rf"\s*(?:{_GLYPH}|[{re.escape(_OCR_BULLET_CHARS)}.°®•]){{1,2}}\s*")
_INLINE_GLYPH = re.compile(rf"\s+{_GLYPH}+\s+")
_RULE_DEBRIS = re.compile(r"^[\s|]+|[\s|]+$")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SENTENCE_END = re.compile(r"[.:;!?]['\")\]]?$")

# Endings that are not English words on their own, so a line starting with one after a
# word that takes it is a word broken by a narrow column ("Organisation" / "al").
SUFFIX_FRAGMENTS = frozenset(
    (
        "al als ally tion tions sion sions ation ations ment ments ing ings ed ly ity "
        "ities ness ence ences ance ances ent ents ise ised ises ising ize ized izes "
        "izing ive ives ous ful ible ial ially ical ically ic ics ship ships ary ory ure "
        "ures ted ting sed ced cing ging nce nt ts es s ion hood ood"
    ).split()
)
_JOINED_MIN_ZIPF = 1.0  # a re-joined word must be at least this common to be believed
_FRAGMENT_MIN_ZIPF = 3.0  # a fragment this common is a word in its own right
_EDGE_SLACK = 0.03  # a line within 3% of the column's width reached its right edge


def split_items(
    text: str,
    *,
    vocabulary: Vocabulary = None,
    line_widths: Sequence[float] | None = None,
    column_width: float | None = None,
    ocr: bool = False,
) -> list[str]:
    """Split one cell into its items (bullets, paragraphs), wrapped lines joined.

    A new item starts at a bullet or a blank line. A line break alone is a wrap, unless
    line widths show the previous line ended a sentence well short of the column edge
    before a line starting with a capital. In OCR text (`ocr`) a bullet glyph read as a
    character ("*", "+", "«", "¢", "e", "©", "o") before a space is a bullet too.
    """
    lines, widths = _lines_with_widths(text, line_widths)
    letter_bullets = _uses_letter_bullets(lines)
    items: list[list[tuple[str, float | None]]] = []
    previous = ""
    lone = _LONE_OCR_BULLET if ocr else _LONE_GLYPH
    for line, width in zip(lines, widths, strict=True):
        if not line or lone.fullmatch(line):
            items.append([])
        else:
            bullet = _bullet_at(line, previous, letter_bullets, ocr=ocr)
            if bullet is not None or not items or not items[-1]:
                items.append([(line[bullet:] if bullet else line, width)])
            elif _ended_early(items[-1][-1], line, column_width):
                items.append([(line, width)])
            else:
                items[-1].append((line, width))
        previous = line
    joined = [_join_lines(item, vocabulary, column_width) for item in items]
    return [part for item in joined for part in _split_inline_bullets(item) if part]


def join_items(items: Sequence[str]) -> str:
    """Items as one text, one per line, bullet glyphs removed and whitespace collapsed."""
    cleaned = [re.sub(r"\s+", " ", _GLYPH_BULLET.sub("", item)).strip() for item in items]
    return "\n".join(item for item in cleaned if item)


def rejoin_broken_words(
    lines: Sequence[str],
    *,
    vocabulary: Vocabulary = None,
    line_widths: Sequence[float] | None = None,
    column_width: float | None = None,
) -> list[str]:
    """Merge each line that ends in a word broken without a hyphen with the line after it."""
    merged: list[str] = []
    reached: list[bool | None] = []
    for index, line in enumerate(lines):
        width = line_widths[index] if line_widths and index < len(line_widths) else None
        edge = _reached_edge(width, column_width)
        if merged and is_broken_word(
            merged[-1], line, vocabulary=vocabulary, reached_edge=reached[-1]
        ):
            merged[-1] = merged[-1].rstrip() + line.lstrip()
            reached[-1] = edge
        else:
            merged.append(line)
            reached.append(edge)
    return merged


def clean_cell(
    text: str,
    *,
    vocabulary: Vocabulary = None,
    line_widths: Sequence[float] | None = None,
    column_width: float | None = None,
    ocr: bool = False,
) -> str:
    """The whole repair of one multi-item cell: items one per line, words re-joined."""
    return join_items(
        split_items(text, vocabulary=vocabulary, line_widths=line_widths,
                    column_width=column_width, ocr=ocr)
    )


def clean_inline(
    text: str,
    *,
    vocabulary: Vocabulary = None,
    line_widths: Sequence[float | None] | None = None,
    column_width: float | None = None,
    ocr: bool = False,
) -> str:
    """A single-line field (title, owner): wrapped lines joined, broken words re-joined.
    Line widths (as for `split_items`) settle a break between two words that are both words
    on their own ("Regulator" / "y"). A title printed as a bulleted list keeps one item per
    line, like any multi-item cell."""
    bullet = _OCR_BULLET if ocr else _GLYPH_BULLET
    if sum(1 for line in _lines(text) if bullet.match(line)) >= 2:
        return join_items(split_items(text, vocabulary=vocabulary, line_widths=line_widths,
                                      column_width=column_width, ocr=ocr))
    lines = [(line, width) for line, width in zip(*_lines_with_widths(text, line_widths),
                                                      strict=True) if line]
    if lines:
        lines[0] = (bullet.sub("", lines[0][0]), lines[0][1])
    return re.sub(r"\s+", " ", _join_lines(lines, vocabulary, column_width)).strip()


def is_broken_word(
    previous_line: str,
    next_line: str,
    *,
    vocabulary: Vocabulary = None,
    reached_edge: bool | None = None,
    alone_on_line: bool | None = None,
) -> bool:
    """True when the previous line's last word continues, unhyphenated, on the next line.

    Joined only if the joined word is known and either a fragment is not a word of its own,
    the second fragment is a suffix ("al", "tion"), or the first fragment filled its line
    to the column edge. A line that ended short of the edge was not broken, unless its last
    fragment (four letters or more) is no word at all ("Partnershi").
    """
    head = re.search(r"(?:^|[^A-Za-z'])([A-Za-z]+)$", previous_line.rstrip())
    tail = re.match(r"([A-Za-z]+)", next_line.lstrip())
    if not head or not tail:
        return False
    first, second = head.group(1), tail.group(1)
    if second[0].isupper() and not (first.isupper() and second.isupper()):
        return False
    if not is_known_word(first + second, vocabulary, _JOINED_MIN_ZIPF):
        return False
    if len(first) >= 4 and not is_known_word(first, vocabulary, _FRAGMENT_MIN_ZIPF):
        # "Partnershi" / "ps": no word ends a line so, wherever the line ended (a fixed-width
        # rendering of a proportional font moves the edge)
        return True
    if reached_edge is False:
        return False
    if second.lower() in SUFFIX_FRAGMENTS:
        return True
    if not (
        is_known_word(first, vocabulary, _FRAGMENT_MIN_ZIPF)
        and is_known_word(second, vocabulary, _FRAGMENT_MIN_ZIPF)
    ):
        return True
    if alone_on_line is None:  # the first fragment filled its line: a word too long for it
        alone_on_line = previous_line.strip() == first
    return bool(reached_edge and alone_on_line)


def is_known_word(
    word: str, vocabulary: Vocabulary = None, min_zipf: float = _FRAGMENT_MIN_ZIPF
) -> bool:
    """True when the document's vocabulary or the English word list knows the word."""
    if _in_vocabulary(word, vocabulary):
        return True
    return _zipf(word.lower()) >= min_zipf


def document_vocabulary(texts: Sequence[str]) -> set[str]:
    """Lower-case words a document uses whole: not at a line's start or end, where breaks fall
    (a "|" parts a line's columns, as the readers of text mark them, and ends a line too)."""
    words: set[str] = set()
    for text in texts:
        for line in re.split(r"[\n|]", text or ""):
            tokens = re.findall(r"[A-Za-z]+", line)
            words.update(token.lower() for token in tokens[1:-1])
    return words


Sections = dict[str, Sequence[str]]  # field -> labels that open its section in a cell


def section_label_pattern(sections: Sections) -> re.Pattern[str] | None:
    """A line-start label of any section ("Risk:-", "Effects:", "Cause -"), longest first."""
    labels = sorted({label for names in sections.values() for label in names}, key=len,
                    reverse=True)
    if not labels:
        return None
    names = "|".join(r"\s+".join(map(re.escape, label.split())) for label in labels)
    return re.compile(
        rf"^\s*(?:{_GLYPH}+\s*)?(?P<label>{names})\s*(?::\s*-|:|[-–](?=\s|$))\s*",
        re.IGNORECASE,
    )


def split_sections(
    text: str, sections: Sections, *, combined: bool = False
) -> list[tuple[str | None, str]]:
    """A cell's labelled sections as (field, text) in order; text before any label (or the
    whole cell when not split) has field None. See `section_lines`."""
    found = section_lines((text or "").split("\n"), sections, combined=combined)
    parts = [(name, "\n".join(line for _, line in lines).strip()) for name, lines in found]
    return [(name, body) for name, body in parts if body] or [(None, text)]


def section_lines(
    lines: Sequence[str], sections: Sections, *, combined: bool = False
) -> list[tuple[str | None, list[tuple[int, str]]]]:
    """A cell's lines grouped by labelled section: (field, [(line index, text)]) in order, the
    label cut from its line; lines before any label have field None. A cell is split when its
    labels name two fields ("Risk:- ..." / "Effects:- ..."), or one where the column is
    `combined` ("Risk and effects"); otherwise one section of field None holds every line."""
    pattern = section_label_pattern(sections)
    field_of = {" ".join(label.split()): name for name, labels in sections.items()
                for label in labels}
    found: list[tuple[str | None, list[tuple[int, str]]]] = [(None, [])]
    for index, line in enumerate(lines):
        match = pattern.match(line) if pattern else None
        if match:
            label = " ".join(match.group("label").lower().split())
            found.append((field_of[label], [(index, line[match.end():])]))
        else:
            found[-1][1].append((index, line))
    named = {name for name, _ in found[1:]}
    if len(named) < (1 if combined else 2):
        return [(None, list(enumerate(lines)))]
    return [(name, part) for name, part in found if any(t.strip() for _, t in part)]


def repair_controls(text: str) -> str:
    """Control characters a PDF text layer leaves in cell text, put right: pdfium reports a
    hyphen that ends a line as U+0002 (a real hyphen: "in-" / "year"); others are dropped."""
    text = (text or "").replace("\x02", "-")
    return _CONTROLS.sub("", text)


def _lines(text: str) -> list[str]:
    """The cell's lines, spaces normalised and "|" rule debris cut from both ends."""
    return _lines_with_widths(text, None)[0]


def _lines_with_widths(
    text: str, line_widths: Sequence[float | None] | None
) -> tuple[list[str], list[float | None]]:
    """The cell's lines as `_lines` gives them, each with its given width (None where none)."""
    text = repair_controls(text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\t\u00a0\u2000-\u200b\u202f\u3000]", " ", text)
    lines = [_RULE_DEBRIS.sub("", line) for line in text.split("\n")]
    widths = _widths_for(lines, line_widths)
    while lines and not lines[0]:
        lines.pop(0)
        widths.pop(0)
    while lines and not lines[-1]:
        lines.pop()
        widths.pop()
    return lines, widths


def _join_lines(
    lines: Sequence[tuple[str, float | None]], vocabulary: Vocabulary, column_width: float | None
) -> str:
    """Wrapped lines of one item as one line: hyphens kept, broken words closed up."""
    text = ""
    previous: tuple[str, float | None] = ("", None)
    for line, width in lines:
        line = line.strip()
        if not line:
            continue
        if not text:
            text = line
        elif re.search(r"[A-Za-z]-$", text) or is_broken_word(
            text,
            line,
            vocabulary=vocabulary,
            reached_edge=_wrapped_at_edge(previous, line, column_width),
            alone_on_line=len(previous[0].split()) == 1,
        ):
            text += line
        else:
            text += " " + line
        previous = (line, width)
    return re.sub(r"[ ]{2,}", " ", text)


def _wrapped_at_edge(
    previous: tuple[str, float | None], line: str, column_width: float | None
) -> bool | None:
    """Whether the previous line ended at the column's edge: it reached the edge, or the next
    line's first word (with a space) had no room after it. None when widths are unknown."""
    previous_text, previous_width = previous
    reached = _reached_edge(previous_width, column_width)
    if reached is None or reached:
        return reached
    first_word = re.match(r"\S*", line.lstrip()).group(0)
    char_width = previous_width / max(len(previous_text), 1)
    return column_width - previous_width <= (len(first_word) + 1) * char_width


def _widths_for(lines: Sequence[str], line_widths: Sequence[float] | None) -> list[float | None]:
    """One width per line, None where none was given."""
    given = list(line_widths or [])
    return [given[i] if i < len(given) else None for i in range(len(lines))]


def _marker_family(marker: str) -> str:
    """The kind of list a line marker belongs to: numbered and lettered markers ("1.", "a)",
    "(ii)") are one ordered list with its sub-items; a dash, "o" or "*" each its own."""
    marker = marker.strip()
    return "ordered" if re.search(r"[.)]$", marker) else marker


def _uses_letter_bullets(lines: Sequence[str]) -> frozenset[str]:
    """The marker families (see `_marker_family`) that open two or more lines: a cell's own
    bullets. "1." then "a)" is one numbered list with a sub-item, so both count as bullets."""
    families = [_marker_family(m.group(0)) for line in lines if (m := _LETTER_BULLET.match(line))]
    return frozenset(f for f in families if families.count(f) >= 2)


def _bullet_at(line: str, previous: str, letter_bullets: Collection[str], *, ocr: bool = False
               ) -> int | None:
    """Where the text after a bullet starts, or None when the line opens with no bullet.

    Glyphs always count, and in OCR text the characters OCR reads them as; a dash, "o",
    "*" or number only when the cell uses its kind of marker as bullets elsewhere or the
    previous line closed a sentence (a dash may be prose).
    """
    glyph = (_OCR_BULLET if ocr else _GLYPH_BULLET).match(line)
    if glyph:
        return glyph.end()
    marker = _LETTER_BULLET.match(line)
    if marker and (_marker_family(marker.group(0)) in letter_bullets or not previous
                   or _SENTENCE_END.search(previous)):
        return marker.end()
    return None


def _split_inline_bullets(item: str) -> list[str]:
    """Items a text rendering ran together on one line ("a • b • c")."""
    return [part.strip() for part in _INLINE_GLYPH.split(item) if part.strip()]


def _ended_early(previous: tuple[str, float | None], line: str, column_width: float | None) -> bool:
    """True when the previous line ended a sentence with room left for this line's first word."""
    previous_text, previous_width = previous
    if previous_width is None or not column_width:
        return False
    if not _SENTENCE_END.search(previous_text.rstrip()) or not line[:1].isupper():
        return False
    first_word = line.split()[0]
    char_width = previous_width / max(len(previous_text), 1)
    return column_width - previous_width > (len(first_word) + 1) * char_width


def _reached_edge(width: float | None, column_width: float | None) -> bool | None:
    """Whether a line ran to the column's right edge; None when widths are unknown."""
    if width is None or not column_width:
        return None
    return width >= column_width * (1 - _EDGE_SLACK)


def _in_vocabulary(word: str, vocabulary: Vocabulary) -> bool:
    """Membership in a set of words or a predicate, ignoring case."""
    if vocabulary is None:
        return False
    if callable(vocabulary):
        return bool(vocabulary(word) or vocabulary(word.lower()))
    return word in vocabulary or word.lower() in vocabulary


@functools.lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    """How common an English word is (Zipf scale, 0 when unknown or no word list)."""
    if zipf_frequency is None or not word.isalpha():
        return 0.0
    return zipf_frequency(word, "en")
