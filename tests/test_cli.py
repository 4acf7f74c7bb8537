"""The console script: every command documented, clear failures, a real dataset written."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

RISKREG = [str(Path(sys.executable).with_name("riskreg"))]
COMMANDS = ["ingest", "link", "build", "inspect", "changes", "report"]


def run(*args, cwd=None):
    return subprocess.run(RISKREG + list(args), capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    p = run(command, "--help")
    assert p.returncode == 0
    assert "Usage: riskreg " + command in p.stdout
    assert "--out" in p.stdout


def test_top_level_help_lists_commands():
    p = run("--help")
    assert p.returncode == 0
    for command in COMMANDS:
        assert command in p.stdout


def test_ingest_missing_file_fails_with_one_clear_line(tmp_path):
    out = tmp_path / "clean"
    p = run("ingest", str(tmp_path / "nope.pdf"), "--out", str(out))
    assert p.returncode == 1
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert lines == [f"riskreg: {tmp_path / 'nope.pdf'}: no such file (check the path)"]
    sources = pd.read_parquet(out / "sources.parquet")
    assert sources.status.tolist() == ["failed"]
