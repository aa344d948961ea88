"""The mypy daemon: findings after editing the file itself and after editing a dependency.

Hook findings (annotated code) are recomputed whenever the daemon re-checks a function.
Findings of the pass over unannotated code (mypy >= 2.4) are recomputed after every update
for the module that changed, the modules that import it directly, and the modules that had
such findings; a finding that only a change further away (a re-export of a re-export)
brings appears at the next edit of the file or ``dmypy restart``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mypy_wsplugin.compat import HAS_POST_PASS

ASYNC_FACTORY = (
    "class Manager:\n    pass\n\n\nasync def get_manager() -> Manager:\n    return Manager()\n"
)
SYNC_FACTORY = ASYNC_FACTORY.replace("async def", "def")
FINDING = (
    'Cannot await "get_manager()": it returns "Manager", which is not awaitable; '
    'remove the "await"  [await-not-awaitable]'
)


class Daemon:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.status = root / ".dmypy.json"

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mypy.dmypy", "--status-file", str(self.status), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def check(self) -> list[str]:
        result = self.run("check", "app")
        assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
        return [line for line in result.stdout.splitlines() if ": error:" in line]


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[Daemon]:
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    d = Daemon(tmp_path)
    started = d.run("start", "--", "--cache-dir", str(tmp_path / ".mypy_cache"))
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield d
    finally:
        d.run("kill")


def write(daemon: Daemon, name: str, text: str) -> None:
    (daemon.root / "app" / name).write_text(text)


def test_annotated_handler_follows_dependency_edits(daemon: Daemon) -> None:
    write(daemon, "factory.py", ASYNC_FACTORY)
    write(
        daemon,
        "handler.py",
        "from app.factory import Manager, get_manager\n\n\n"
        "async def handle() -> Manager:\n    return await get_manager()\n",
    )
    assert daemon.check() == []
    write(daemon, "factory.py", SYNC_FACTORY)
    assert daemon.check() == [f"app/handler.py:5: error: {FINDING}"]
    write(daemon, "factory.py", ASYNC_FACTORY)
    assert daemon.check() == []


UNANNOTATED_HANDLER = (
    "from app.factory import get_manager\n\n\nasync def handle(ws):\n"
    "    return await get_manager()\n"
)


@pytest.mark.skipif(not HAS_POST_PASS, reason="the unannotated-code pass needs mypy >= 2.4")
def test_unannotated_handler_edit_of_the_file_itself(daemon: Daemon) -> None:
    write(daemon, "factory.py", SYNC_FACTORY)
    write(daemon, "handler.py", UNANNOTATED_HANDLER)
    assert daemon.check() == [f"app/handler.py:5: error: {FINDING}"]
    write(daemon, "handler.py", UNANNOTATED_HANDLER.replace("await get_manager()", "get_manager()"))
    assert daemon.check() == []
    write(daemon, "handler.py", UNANNOTATED_HANDLER)
    assert daemon.check() == [f"app/handler.py:5: error: {FINDING}"]


@pytest.mark.skipif(not HAS_POST_PASS, reason="the unannotated-code pass needs mypy >= 2.4")
def test_unannotated_handler_edit_of_a_dependency(daemon: Daemon) -> None:
    write(daemon, "factory.py", ASYNC_FACTORY)
    write(daemon, "handler.py", UNANNOTATED_HANDLER)
    assert daemon.check() == []
    write(daemon, "factory.py", SYNC_FACTORY)  # the factory becomes a plain def
    assert daemon.check() == [f"app/handler.py:5: error: {FINDING}"]
    write(daemon, "factory.py", ASYNC_FACTORY)  # and async again
    assert daemon.check() == []


@pytest.mark.skipif(not HAS_POST_PASS, reason="the unannotated-code pass needs mypy >= 2.4")
def test_unannotated_findings_survive_unrelated_edits(daemon: Daemon) -> None:
    write(daemon, "factory.py", SYNC_FACTORY)
    write(daemon, "handler.py", UNANNOTATED_HANDLER)
    write(daemon, "other.py", "x = 1\n")
    assert daemon.check() == [f"app/handler.py:5: error: {FINDING}"]
    write(daemon, "other.py", "x = 1\ny = 2\n")
    assert daemon.check() == [f"app/handler.py:5: error: {FINDING}"]
    write(daemon, "factory.py", SYNC_FACTORY + "\n\nz = 3\n")
    assert daemon.check() == [f"app/handler.py:5: error: {FINDING}"]


@pytest.mark.skipif(HAS_POST_PASS, reason="pins the behaviour of mypy < 2.4")
def test_unannotated_handler_is_not_checked_before_mypy_2_4(daemon: Daemon) -> None:
    write(daemon, "factory.py", SYNC_FACTORY)
    write(daemon, "handler.py", UNANNOTATED_HANDLER)
    assert daemon.check() == []


def test_settings_are_read_when_the_daemon_starts(daemon: Daemon) -> None:
    write(
        daemon, "factory.py", "import json\n\n\nasync def f() -> None:\n    await json.dumps(1)\n"
    )
    reported = 'Cannot await "dumps()"'
    assert reported in daemon.check()[0]
    config = daemon.root / "mypy.ini"
    config.write_text(config.read_text() + "[mypy_wsplugin]\ncheck_all_awaits = false\n")
    assert reported in daemon.check()[0]  # still the old settings (documented)
    daemon.run("restart", "--", "--cache-dir", str(daemon.root / ".mypy_cache"))
    assert "[misc]" in daemon.check()[0]
