"""Versions that decide what a rebuild must redo.

PIPELINE_VERSION changes whenever the code or profiles that turn a file into records change, so
`riskreg build` re-reads every input after such a change without anyone remembering to bump a
number. EXTRACT_VERSION changes only with extract/, so cached extractions (the slow part:
table finding, OCR) survive changes to normalise/.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from riskreg import __version__

_ROOT = Path(__file__).resolve().parent.parent


def code_hash(*packages: str) -> str:
    """A short hash of the packages' source files and profiles, in a stable order."""
    h = hashlib.sha256()
    for package in packages:
        for path in sorted((_ROOT / package).rglob("*")):
            if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
                h.update(path.relative_to(_ROOT).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:10]


def data_versions(*distributions: str) -> str:
    """The versions of the installed packages whose word lists the readers use."""
    found = []
    for name in distributions:
        try:
            found.append(f"{name}-{metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}-none")
    return hashlib.sha256(" ".join(found).encode()).hexdigest()[:6]


EXTRACT_VERSION = f"{__version__}+{code_hash('extract')}"
# word lists shape records too: broken words (wordfreq), English word pairs (symspellpy)
PIPELINE_VERSION = (
    f"{__version__}+{code_hash('extract', 'normalise', 'riskreg')}"
    f".{data_versions('wordfreq', 'symspellpy')}"
)
