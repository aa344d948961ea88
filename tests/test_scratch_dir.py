"""scripts/scratch_dir.py: where ``make pytest`` puts a suite's temporary files."""

from __future__ import annotations

import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

# scripts/ is no package: mypy checks its files as top-level modules (mypy.ini's files).
scratch_dir: Any = importlib.import_module("scripts.scratch_dir")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/meminfo is Linux's")
def test_memory_available_is_read() -> None:
    assert scratch_dir.memory_available() > 0


def test_without_room_on_the_tmpfs_the_default_temporary_directory_is_used(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(scratch_dir, "MIN_TMPFS_FREE", 2**62)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert scratch_dir.roomy_tmpfs() is None
    scratch_dir.main()
    made = Path(capsys.readouterr().out.strip())
    assert made.parent == tmp_path and made.is_dir()
    assert made.name.startswith("wsplugin-suite-")


def test_a_tmpfs_with_room_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(scratch_dir, "TMPFS", tmp_path)
    monkeypatch.setattr(scratch_dir, "MIN_TMPFS_FREE", 0)
    monkeypatch.setattr(scratch_dir, "memory_available", lambda: 2**40)
    assert scratch_dir.roomy_tmpfs() == tmp_path
    monkeypatch.setattr(scratch_dir, "memory_available", lambda: 0)
    assert scratch_dir.roomy_tmpfs() is None
