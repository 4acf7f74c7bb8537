"""Cell fills as words: a rating shown only as a cell's colour (a RAG square with no text).

A register may print a score column as coloured cells alone. The colour is then the only
record of that rating, so it is kept as text: the name of the nearest colour in the profile's
`fill_names` ("Red", "Amber", "Green"), or the fill's own '#rrggbb' where no named colour is
near. Pale greys and whites (zebra stripes, header shading) carry no rating and give nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

NAME_DISTANCE = 80.0  # RGB distance (0-441) within which a fill takes a colour's name
PALE_SATURATION = 0.25  # below this (HSV) and above PALE_VALUE a fill is shading, not a rating
PALE_VALUE = 0.6


def rgb(hex_colour: str) -> tuple[int, int, int] | None:
    """'#rrggbb' (or 'rrggbb', '#rgb') as three 0-255 numbers; None when it is no colour."""
    text = (hex_colour or "").strip().lstrip("#")
    if len(text) == 3:
        text = "".join(ch * 2 for ch in text)
    if len(text) != 6:
        return None
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return None


def fill_name(hex_colour: str | None, names: Mapping[str, Iterable[str]]) -> str | None:
    """The word a fill stands for: the nearest named colour within NAME_DISTANCE, else the
    fill as '#rrggbb'; None for no fill or a pale grey/white one."""
    colour = rgb(hex_colour or "")
    if colour is None:
        return None
    best, best_distance = None, NAME_DISTANCE
    for name, shades in names.items():
        for shade in shades:
            other = rgb(shade)
            if other is None:
                continue
            distance = sum((a - b) ** 2 for a, b in zip(colour, other, strict=True)) ** 0.5
            if distance <= best_distance:
                best, best_distance = name, distance
    if best:
        return best
    high, low = max(colour), min(colour)
    saturation = (high - low) / high if high else 0.0
    if saturation < PALE_SATURATION and high / 255 > PALE_VALUE:
        return None
    return "#{:02x}{:02x}{:02x}".format(*colour)


def fills_as_text(fills: Iterable[str | None], names: Mapping[str, Iterable[str]]) -> str:
    """The words of a column's fills across its fragments (a row continued on the next page
    repeats its fill), each once, one per line; '' when none is a rating colour."""
    words = [fill_name(f, names) for f in fills]
    return "\n".join(dict.fromkeys(w for w in words if w))
