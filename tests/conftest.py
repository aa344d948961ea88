from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.forked_mypy import run_python

RunMypy = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_mypy(tmp_path: Path) -> RunMypy:
    """Run ``python -m mypy`` in ``tmp_path`` (the test venv's mypy, with the plugin)."""

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.pop("MYPYPATH", None)
        return run_python(
            sys.executable,
            ["-m", "mypy", "--no-error-summary", *args],
            cwd=cwd or tmp_path,
            env=env,
            timeout=300,
        )

    return run


# The longest tests first (each 5-25 s: a daemon, several cold runs, a batch of the corpus):
# pytest-xdist hands out tests in collection order, so a long test collected last keeps one
# worker busy after the other has run out of work.
FIRST: tuple[str, ...] = (
    "tests/test_relabel_corpus.py",
    "tests/test_edit_sequences.py",
    "tests/test_incremental.py",
    "tests/test_daemon.py",
    "tests/test_editor_lsp.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return FIRST.index(path) if path in FIRST else len(FIRST)

    items.sort(key=rank)
