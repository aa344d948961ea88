from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RunMypy = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_mypy(tmp_path: Path) -> RunMypy:
    """Run ``python -m mypy`` in ``tmp_path`` (the test venv's mypy, with the plugin)."""

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env.pop("MYPYPATH", None)
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--no-error-summary", *args],
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    return run
