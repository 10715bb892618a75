"""The package README's self-contained Python examples run as written."""

from __future__ import annotations

import re
from typing import Any, Dict, List

import pytest

from conftest import REPO

README = REPO / "python" / "README.md"
#: Examples that need a cluster, a lake or the reader's own code are shown, not run.
NEEDS_MORE = ("s3://", "my_integration", "pl.read_ndjson(...)")


def runnable_blocks() -> List[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    runnable = [block for block in blocks if not any(marker in block for marker in NEEDS_MORE)]
    assert len(runnable) >= 2, "the README has self-contained examples"
    return runnable


@pytest.mark.parametrize("block", runnable_blocks())
def test_readme_example_runs(block: str) -> None:
    namespace: Dict[str, Any] = {}
    exec(compile(block, str(README), "exec"), namespace)
