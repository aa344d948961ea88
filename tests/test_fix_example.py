"""``mypy-wsplugin fix --write`` on a copy of the example: every finding is fixed, mypy with
the plugin is then clean, the example's runtime tests pass on the fixed code, and a second
``fix --write`` changes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mypy_wsplugin.mypy_internals import CAPABILITIES

HAS_POST_PASS = CAPABILITIES.post_pass

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "chat_service"

NOT_AWAITABLE = (
    'error: Cannot await "{}()": it returns "UnifiedWebSocketManager", which is not '
    'awaitable; remove the "await"  [await-not-awaitable]'
)
FACTORY = NOT_AWAITABLE.format("get_websocket_manager")
LEGACY = ["chat_service/legacy/handlers.py"] if HAS_POST_PASS else []
FIXED = [
    "fixed chat_service/agents/workflow.py (1 edit)",
    "fixed chat_service/handlers/messages.py (1 edit)",
    "fixed chat_service/handlers/presence.py (2 edits)",
    *(f"fixed {path} (2 edits)" for path in LEGACY),
    "fixed chat_service/testing.py (1 edit)",
]
LEGACY_FINDINGS = [
    f"  chat_service/legacy/handlers.py:18:21: {FACTORY}",
    "  chat_service/legacy/handlers.py:24:21: " + NOT_AWAITABLE.format("get_legacy_manager"),
]
FINDINGS = [
    f"  chat_service/agents/workflow.py:43:21: {FACTORY}",
    f"  chat_service/handlers/messages.py:38:21: {FACTORY}",
    '  chat_service/handlers/presence.py:24:8: error: Coroutine "is_connected()" is used '
    'without "await" (a coroutine object is always true); add "await"  [missing-await]',
    '  chat_service/handlers/presence.py:43:18: error: Coroutine "open_websocket_manager()" '
    'assigned to "manager" on line 42 is used without "await" (attribute "send_event" is '
    'looked up on the coroutine, not on its result); add "await" on line 42  [missing-await]',
    *(LEGACY_FINDINGS if HAS_POST_PASS else []),
    f"  chat_service/testing.py:32:21: {FACTORY}",
]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "chat_service"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".mypy_cache", "__pycache__"))
    return target


def python(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key != "MYPYPATH" and not key.startswith("PYTEST_")
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**inherited, **env},
    )


def sources(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def test_fix_write_makes_the_example_clean_and_working(copy: Path) -> None:
    result = python("-m", "mypy_wsplugin", "fix", "--write", cwd=copy)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        *FIXED,
        f"before: {len(FINDINGS)} findings",
        *FINDINGS,
        "after: 0 findings",
    ]

    checked = python("-m", "mypy", ".", cwd=copy)
    assert checked.stdout == "Success: no issues found in 16 source files\n", checked.stdout

    runtime = python(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_example_runtime.py",
        cwd=ROOT,
        WSPLUGIN_EXAMPLE_ROOT=str(copy),
        WSPLUGIN_EXAMPLE_FIXED="1",
    )
    assert runtime.returncode == 0, runtime.stdout + runtime.stderr
    assert runtime.stdout.splitlines()[-1].startswith("14 passed")

    fixed = sources(copy)
    again = python("-m", "mypy_wsplugin", "fix", "--write", cwd=copy)
    assert (again.returncode, again.stdout, again.stderr) == (
        0,
        "before: 0 findings\nafter: 0 findings\n",
        "",
    )
    assert sources(copy) == fixed
