"""Write the parts of the README and datapackage.json that are made from riskreg/schema.py."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from riskreg.schema import data_dictionary, datapackage

START, END = "<!-- data-dictionary:start -->", "<!-- data-dictionary:end -->"


def refresh_readme(readme: Path) -> bool:
    """Replace the README's data dictionary with the schema's; True when it changed."""
    text = readme.read_text()
    new = re.sub(re.escape(START) + r".*?" + re.escape(END),
                 lambda _: f"{START}\n{data_dictionary()}{END}", text, flags=re.S)
    if new != text:
        readme.write_text(new)
    return new != text


def write_datapackage(folder: Path) -> Path:
    """datapackage.json (Frictionless) describing the dataset's tables, beside them."""
    path = folder / "datapackage.json"
    path.write_text(json.dumps(datapackage(), indent=1) + "\n")
    return path


if __name__ == "__main__":
    changed = refresh_readme(Path(sys.argv[1] if len(sys.argv) > 1 else "README.md"))
    print("README data dictionary", "updated" if changed else "already up to date")
