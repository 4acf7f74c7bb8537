"""Layout profiles: what differs between organisations' registers, as data (YAML).

A profile says which header words mean which field, which words mark score stages and parts,
which words mark opportunity tables and legends, and how scores are written and scaled.
`default.yaml` covers the common cases; another profile `extends` it and writes only what
differs. Profiles are never named after, nor written for, one sample document.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from normalise.record import TEXT_FIELDS

PROFILE_DIR = Path(__file__).parent

FIELD_NAMES = ("ref", *TEXT_FIELDS)  # the record's text fields a header can name
STAGES = ("inherent", "residual", "target")
PARTS = ("impact", "likelihood", "score", "rating")
KINDS = ("risk", "opportunity")
SCORE_ORDERS = ("auto", "li", "il")
FIELD_ALIASES = {"direction": "direction_text", "trend": "direction_text", "reference": "ref"}

# Sections whose keys merge one by one when a profile extends another.
_KEYED_SECTIONS = (
    "fields",
    "weak_fields",
    "extra_fields",
    "stages",
    "parts",
    "kind_words",
    "scales",
    "stage_meaning",
    "sections",
    "fill_names",
)
_KNOWN_KEYS = {
    "name",
    "description",
    "extends",
    "match",
    "match_min",
    "score_filler",
    "lone_score_stage",
    "score_order",
    "legend_words",
    *_KEYED_SECTIONS,
}


class ProfileError(ValueError):
    """A profile file that cannot be used: says which file and which key, and what to fix."""


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so derived tables can be cached
class Profile:
    """One layout profile, read from YAML. Word lists are lower-case tuples."""

    name: str
    description: str = ""
    match: tuple[str, ...] = ()
    match_min: int = 1
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # synonyms that give a field only when no column of the table names it more plainly
    weak_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extra_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    score_filler: tuple[str, ...] = ()
    lone_score_stage: str = "residual"
    stage_meaning: dict[str, str] = field(default_factory=dict)
    kind_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    score_order: str = "auto"
    scale_size: tuple[int, int] = (5, 5)
    impact_labels: dict[str, int] = field(default_factory=dict)
    likelihood_labels: dict[str, int] = field(default_factory=dict)
    legend_words: tuple[str, ...] = ()
    # labelled sections inside one cell ("Risk:- ..." / "Effects:- ..."): field -> labels
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # a rating shown only as a cell's colour: colour name -> shades ('#rrggbb') it covers
    fill_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""  # the file it was read from

    @functools.cached_property
    def scale(self):
        """The scoring matrix as normalise.scores.Scale (labels to numbers, size)."""
        from normalise.scores import Scale

        return Scale(
            impact=dict(self.impact_labels),
            likelihood=dict(self.likelihood_labels),
            size=self.scale_size,
        )

    def scale_value(self, axis: str, label: str) -> int | None:
        """The number of an impact or likelihood label ('Major' -> 4), or None."""
        labels = self.impact_labels if axis == "impact" else self.likelihood_labels
        return labels.get(" ".join(label.lower().split()))

    def stage_for(self, word: str, stage: str) -> str:
        """The stage a matched stage word means for this organisation (stage_meaning)."""
        return self.stage_meaning.get(word, stage)

    def match_hits(self, header_text: str) -> int:
        """How many of this profile's match patterns occur in a header text."""
        return sum(1 for pattern in self.match if re.search(pattern, header_text, re.IGNORECASE))


def available_profiles() -> list[str]:
    """Names of the profiles shipped with riskreg (default first)."""
    names = sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))
    return ["default"] + [n for n in names if n != "default"]


def load_profile(name_or_path: str | None = None) -> Profile:
    """A shipped profile by name, or a profile YAML file by path; None gives the default."""
    return _load_cached(_resolve(name_or_path or "default"))


def choose_profile(header_texts: list[str], profiles: list[Profile] | None = None) -> Profile:
    """The profile whose `match` patterns best fit a document's header texts (default otherwise).

    A profile with no patterns (the default, or one meant to be chosen by name) is never
    chosen here; a profile needs at least its `match_min` hits.
    """
    text = "\n".join(header_texts)
    candidates = (
        profiles if profiles is not None else [load_profile(n) for n in available_profiles()]
    )
    best, best_hits = None, 0
    for profile in candidates:
        hits = profile.match_hits(text) if profile.match else 0
        if hits >= max(profile.match_min, 1) and hits > best_hits:
            best, best_hits = profile, hits
    return best or load_profile("default")


def _resolve(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.parent != Path("."):
        if not candidate.is_file():
            raise ProfileError(f"profile file {name_or_path} not found")
        return candidate.resolve()
    shipped = PROFILE_DIR / f"{name_or_path}.yaml"
    if not shipped.is_file():
        raise ProfileError(
            f"no profile named {name_or_path!r}; shipped profiles: "
            f"{', '.join(available_profiles())}; or give a path to a YAML file"
        )
    return shipped


@functools.lru_cache(maxsize=64)
def _load_cached(path: Path) -> Profile:
    return profile_from_dict(read_profile_dict(path), source=str(path))


def read_profile_dict(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """A profile file as a dict, with what it extends merged in (parent first)."""
    if path in _seen:
        raise ProfileError(f"{path}: `extends` loops back to itself")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: a profile is a mapping of keys (name, fields, ...)")
    unknown = {k.rstrip("+") for k in raw} - _KNOWN_KEYS
    if unknown:
        raise ProfileError(
            f"{path}: unknown key(s) {sorted(unknown)}; known keys: {sorted(_KNOWN_KEYS)}"
        )
    parent_name = raw.get("extends", None if path.stem == "default" else "default")
    if not parent_name:
        return raw
    parent_name = str(parent_name)
    if parent_name.endswith((".yaml", ".yml")):  # a file beside the child
        parent_path = (path.parent / parent_name).resolve()
    else:
        parent_path = _resolve(parent_name)
    return merge_profile_dicts(read_profile_dict(parent_path, (*_seen, path)), raw)


def merge_profile_dicts(parent: dict, child: dict) -> dict:
    """A child profile over its parent: keyed sections merge key by key, other keys replace;
    `key+` adds to the parent's list instead of replacing it."""
    merged = dict(parent)
    for key, value in child.items():
        if key in _KEYED_SECTIONS and isinstance(value, dict):
            merged[key] = _merge_section(parent.get(key) or {}, value)
        elif key.endswith("+"):
            base = key[:-1]
            merged[base] = list(parent.get(base) or []) + list(value or [])
        else:
            merged[key] = value
    return merged


def _merge_section(parent: dict, child: dict) -> dict:
    section = dict(parent)
    for key, value in child.items():
        if key.endswith("+"):
            section[key[:-1]] = list(parent.get(key[:-1]) or []) + list(value or [])
        else:
            section[key] = value
    return section


def profile_from_dict(data: dict[str, Any], source: str = "") -> Profile:
    """Validate a merged profile dict and freeze it into a Profile."""
    where = source or data.get("name", "profile")
    fields = {
        FIELD_ALIASES.get(k, k): _words(v, where, f"fields.{k}")
        for k, v in (data.get("fields") or {}).items()
    }
    _check_keys(fields, FIELD_NAMES, where, "fields")
    weak = {
        FIELD_ALIASES.get(k, k): _words(v, where, f"weak_fields.{k}")
        for k, v in (data.get("weak_fields") or {}).items()
    }
    _check_keys(weak, FIELD_NAMES, where, "weak_fields")
    sections = {
        FIELD_ALIASES.get(k, k): _words(v, where, f"sections.{k}")
        for k, v in (data.get("sections") or {}).items()
    }
    _check_keys(sections, FIELD_NAMES, where, "sections")
    stages = {k: _words(v, where, f"stages.{k}") for k, v in (data.get("stages") or {}).items()}
    _check_keys(stages, STAGES, where, "stages")
    parts = {k: _words(v, where, f"parts.{k}") for k, v in (data.get("parts") or {}).items()}
    _check_keys(parts, PARTS, where, "parts")
    kinds = {
        k: _words(v, where, f"kind_words.{k}") for k, v in (data.get("kind_words") or {}).items()
    }
    _check_keys(kinds, KINDS, where, "kind_words")
    meaning = {_norm(k): str(v) for k, v in (data.get("stage_meaning") or {}).items()}
    _check_values(meaning.values(), STAGES, where, "stage_meaning")
    lone = str(data.get("lone_score_stage", "residual"))
    _check_values([lone], STAGES, where, "lone_score_stage")
    order = str(data.get("score_order", "auto"))
    _check_values([order], SCORE_ORDERS, where, "score_order")
    scales = data.get("scales") or {}
    for pattern in data.get("match") or []:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileError(
                f"{where}: match pattern {pattern!r} is not a regex ({exc})"
            ) from None
    return Profile(
        name=str(data.get("name") or Path(source).stem or "unnamed"),
        description=str(data.get("description") or ""),
        match=tuple(str(p) for p in data.get("match") or ()),
        match_min=int(data.get("match_min", 1)),
        fields=fields,
        weak_fields=weak,
        extra_fields={
            k: _words(v, where, f"extra_fields.{k}")
            for k, v in (data.get("extra_fields") or {}).items()
        },
        stages=stages,
        parts=parts,
        score_filler=_words(data.get("score_filler"), where, "score_filler"),
        lone_score_stage=lone,
        stage_meaning=meaning,
        kind_words=kinds,
        score_order=order,
        scale_size=_size(scales.get("size", (5, 5)), where),
        impact_labels=_labels(scales.get("impact"), where, "scales.impact"),
        likelihood_labels=_labels(scales.get("likelihood"), where, "scales.likelihood"),
        legend_words=_words(data.get("legend_words"), where, "legend_words"),
        sections=sections,
        fill_names=_fill_names(data.get("fill_names"), where),
        source=source,
    )


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def _words(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ProfileError(f"{where}: {key} must be a list of words")
    return tuple(dict.fromkeys(_norm(v) for v in value if _norm(v)))


def _fill_names(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ProfileError(f"{where}: fill_names must map colour names to lists of '#rrggbb'")
    out = {}
    for name, shades in value.items():
        found = _words(shades, where, f"fill_names.{name}")
        bad = [s for s in found if not re.fullmatch(r"#[0-9a-f]{6}", s)]
        if bad:
            raise ProfileError(f"{where}: fill_names.{name}: {bad} are not '#rrggbb' colours")
        out[str(name)] = found
    return out


def _labels(value: Any, where: str, key: str) -> dict[str, int]:
    if not value:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, int) for v in value.values()):
        raise ProfileError(f"{where}: {key} must map labels to whole numbers")
    return {_norm(k): int(v) for k, v in value.items()}


def _size(value: Any, where: str) -> tuple[int, int]:
    try:
        impact_max, likelihood_max = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ProfileError(f"{where}: scales.size must be [impact_max, likelihood_max]") from None
    return impact_max, likelihood_max


def _check_keys(section: dict, allowed: tuple[str, ...], where: str, key: str) -> None:
    unknown = set(section) - set(allowed)
    if unknown:
        raise ProfileError(f"{where}: unknown {key} {sorted(unknown)}; allowed: {list(allowed)}")


def _check_values(values, allowed: tuple[str, ...], where: str, key: str) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ProfileError(f"{where}: {key} {bad} not one of {list(allowed)}")
