"""Shared helpers: the repository's fixtures and the installed `enquiry` command.

The plugin under test (`enquiry_contract.pytest_plugin`) is NOT imported here: it must be
loaded by its `pytest11` entry point from the installed wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
LISTS = ["--labels", "fixtures/with-lists/labels.list", "--channels", "fixtures/with-lists/channels.list"]


def enquiry_command() -> List[str]:
    """The console command installed beside this interpreter by the wheel."""
    command = Path(sys.executable).with_name("enquiry")
    assert command.exists(), f"the wheel's `enquiry` command is not installed at {command}"
    return [str(command)]


def run_enquiry(*args: str, cwd: Path = REPO, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(enquiry_command() + list(args), cwd=cwd, capture_output=True, input=input, timeout=600)


def cli_report(relative: str, *extra: str) -> Dict[str, Any]:
    """`enquiry validate --format json` on a path relative to the repository root."""
    done = run_enquiry("validate", "--format", "json", "--no-config", *extra, relative)
    assert done.returncode in (0, 1), done.stderr.decode()
    report: Dict[str, Any] = json.loads(done.stdout)
    return report


def payload_fixtures() -> List[Tuple[str, List[str]]]:
    """Every payload under fixtures/ (relative path) with the CLI flags it needs."""
    found = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix not in (".json", ".ndjson") or not path.is_file():
            continue
        relative = str(path.relative_to(REPO))
        found.append((relative, LISTS if "with-lists" in relative else []))
    assert len(found) > 30, "fixtures/ should hold the generated payloads"
    return found


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    # Findings name files as given; the CLI runs from the repository root too.
    monkeypatch.chdir(REPO)
    os.environ.setdefault("NO_COLOR", "1")
