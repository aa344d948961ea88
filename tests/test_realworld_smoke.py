"""Smoke test on real code: mypy with the plugin over Jinja2, an installed dev dependency.

Jinja2 (pulled in by pytest-mypy-plugins) is the smallest package in the dev environment with
real async code (``async_utils``, the async rendering API, async filters), in annotated and
unannotated functions.  The plugin must not crash on it, and must not report anything on this
working, released code.  ``benchmarks/realworld.py`` does the same on many async libraries.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from .conftest import RunMypy

CONFIG = """\
[mypy]
plugins = mypy_wsplugin
follow_imports = silent

[mypy_wsplugin]
check_all_awaits = true
"""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        pytest.skip(f"{name} is not installed")
    return Path(spec.origin).parent


def test_plugin_runs_clean_on_jinja2(tmp_path: Path, run_mypy: RunMypy) -> None:
    # A copy in the working directory: checked as a source package, not as an installed one.
    shutil.copytree(
        _package_dir("jinja2"), tmp_path / "jinja2", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "mypy.ini").write_text(CONFIG)
    result = run_mypy(
        "--config-file",
        "mypy.ini",
        "--no-incremental",
        "--cache-dir",
        str(tmp_path / "cache"),
        "--show-traceback",
        "-p",
        "jinja2",
    )
    output = result.stdout + result.stderr
    assert result.returncode in (0, 1), output
    assert "INTERNAL ERROR" not in output, output
    assert "Traceback" not in output, output
    findings = [
        line
        for line in output.splitlines()
        if "[await-not-awaitable]" in line or "[missing-await]" in line
    ]
    assert findings == [], "\n".join(findings)
