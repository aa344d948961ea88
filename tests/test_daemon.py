"""The mypy daemon: findings after editing the file itself and after editing a dependency.

Hook findings (annotated code) are recomputed whenever the daemon re-checks a function.
Findings of the pass over unannotated code (mypy >= 2.4) are recomputed after every update
for the module that changed, the modules that import it directly, and the modules that had
such findings; a finding that only a change further away (a re-export of a re-export)
brings appears at the next edit of the file or ``dmypy restart``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mypy_wsplugin.mypy_internals import CAPABILITIES
from tests.forked_mypy import run_python

HAS_POST_PASS = CAPABILITIES.post_pass

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
        return run_python(
            sys.executable,
            ["-m", "mypy.dmypy", "--status-file", str(self.status), *args],
            cwd=self.root,
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
    """Write a module of the project.  dmypy's watcher compares mtimes in whole seconds
    (``mypy.fswatcher``): a rewrite of the same size within the second of the last write
    would go unseen, so the mtime moves past that second."""
    path = daemon.root / "app" / name
    before = int(path.stat().st_mtime) if path.exists() else None
    path.write_text(text)
    if before is not None and int(path.stat().st_mtime) <= before:
        os.utime(path, (before + 1, before + 1))


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


def test_settings_edit_takes_effect_at_the_next_dmypy_run(daemon: Daemon) -> None:
    """``dmypy run`` (what editors use) restarts the daemon by itself when the settings
    change: the plugin's version, which mypy snapshots, carries a digest of them."""
    write(
        daemon, "factory.py", "import json\n\n\nasync def f() -> None:\n    await json.dumps(1)\n"
    )
    reported = 'Cannot await "dumps()"'
    first = daemon.run("run", "--", "app")
    assert reported in first.stdout, first.stdout + first.stderr
    config = daemon.root / "mypy.ini"
    config.write_text(config.read_text() + "[mypy_wsplugin]\ncheck_all_awaits = false\n")
    second = daemon.run("run", "--", "app")
    assert "Restarting: plugins changed" in second.stdout + second.stderr, second.stdout
    assert "[misc]" in second.stdout and reported not in second.stdout, second.stdout


def test_settings_edit_under_dmypy_check_asks_for_a_restart(daemon: Daemon) -> None:
    """``dmypy check`` does not reload plugins: the plugin notices the edit at the next
    update and says, in one line, that the daemon needs a restart."""
    write(daemon, "factory.py", "x = 1\n")
    assert daemon.check() == []
    config = daemon.root / "mypy.ini"
    config.write_text(config.read_text() + "[mypy_wsplugin]\ncheck_all_awaits = false\n")
    write(daemon, "factory.py", "x = 2\n")
    result = daemon.run("check", "app")
    assert result.stdout.splitlines()[0] == (
        "mypy.ini: error: [mypy_wsplugin] settings changed since the mypy daemon started; "
        'run "dmypy restart" ("dmypy run" restarts by itself)'
    ), result.stdout
    daemon.run("restart", "--", "--cache-dir", str(daemon.root / ".mypy_cache"))
    assert daemon.check() == []


# -- regressions: each failed on 0.1.0 ---------------------------------------------------


@pytest.mark.skipif(not HAS_POST_PASS, reason="the unannotated-code pass needs mypy >= 2.4")
def test_unannotated_finding_in_an_imported_module(daemon: Daemon) -> None:
    """0.1.0 crashed the daemon (AssertionError in Errors) when a module with a finding in
    unannotated code was imported by another: the pass re-ran for a module already printed.
    """
    write(daemon, "a.py", "def make():\n    return 1\n\n\nasync def caller():\n    await make()\n")
    write(daemon, "b.py", "from app import a\n")
    expected = [
        'app/a.py:6: error: Cannot await "make()": it returns "int", which is not awaitable; '
        'remove the "await"  [await-not-awaitable]'
    ]
    assert daemon.check() == expected
    write(daemon, "b.py", "from app import a\n\nx = 1\n")
    assert daemon.check() == expected


CONFIGURED = (
    "[mypy]\nplugins = mypy_wsplugin\n"
    "[mypy_wsplugin]\nsync_factories = app.ws.get_websocket_manager\n"
)
UNANNOTATED_FACTORY = (
    "class UnifiedWebSocketManager:\n    def __init__(self, ctx):\n        self.ctx = ctx\n\n\n"
    "def get_websocket_manager(ctx):\n    return UnifiedWebSocketManager(ctx)\n"
)
CALLERS = (
    "from app.ws import get_websocket_manager\n"
    "from app.ws import get_websocket_manager as gwm\n\n\n"
    "async def handle(ctx):\n    manager = await get_websocket_manager(ctx)\n"
    "    return manager\n\n\n"
    "async def handle2(ctx):\n    return await gwm(ctx)\n"
)
# The factory's body (in another module) says what it returns (whole-program facts).
CONFIGURED_FINDING = (
    'Cannot await "get_websocket_manager()": it returns "UnifiedWebSocketManager", which is '
    'not awaitable; remove the "await"  [await-not-awaitable]'
)


@pytest.mark.skipif(not HAS_POST_PASS, reason="the unannotated-code pass needs mypy >= 2.4")
def test_configured_factory_flipped_to_async_and_back(tmp_path: Path) -> None:
    """0.1.0 lost the finding when the factory turned async and then sync again (plain,
    aliased, and ``return await``)."""
    (tmp_path / "mypy.ini").write_text(CONFIGURED)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    d = Daemon(tmp_path)
    assert d.run("start", "--", "--cache-dir", str(tmp_path / "cache")).returncode == 0
    try:
        write(d, "ws.py", UNANNOTATED_FACTORY)
        write(d, "handler.py", CALLERS)
        both = [
            f"app/handler.py:6: error: {CONFIGURED_FINDING}",
            f"app/handler.py:11: error: {CONFIGURED_FINDING}",
        ]
        assert d.check() == both
        write(d, "ws.py", UNANNOTATED_FACTORY.replace("def get_", "async def get_"))
        assert d.check() == []
        write(d, "ws.py", UNANNOTATED_FACTORY)
        assert d.check() == both
    finally:
        d.run("kill")


EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chat_service"


def test_daemon_on_the_example_prints_what_mypy_prints(tmp_path: Path) -> None:
    project = tmp_path / "chat_service"
    shutil.copytree(EXAMPLE, project)
    plain = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "c1"), "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    d = Daemon(project)
    try:
        run = d.run("run", "--", "--cache-dir", str(tmp_path / "c2"), ".")
    finally:
        d.run("kill")
    assert "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr
    assert plain.returncode == 1, plain.stdout + plain.stderr
    said = [line for line in run.stdout.splitlines() if line != "Daemon started"]
    assert said == plain.stdout.splitlines()


@pytest.mark.skipif(not HAS_POST_PASS, reason="facts about other modules' bodies: mypy >= 2.4")
def test_body_edits_in_other_modules_agree_with_a_cold_run(tmp_path: Path) -> None:
    """An edit of another module's unannotated body changes no signature: the daemon still
    re-checks the annotated and unannotated callers that used what it gives."""
    from tests.edit_sequences import with_stubs
    from tests.test_incremental import BODY_EDITS, WHOLE_PROGRAM, mypy

    for name, text in WHOLE_PROGRAM.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    d = Daemon(tmp_path)
    started = d.run("start", "--", "--cache-dir", str(tmp_path / ".mypy_cache"))
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        assert len(d.check()) == 4
        for step, (name, old, new) in enumerate(BODY_EDITS):
            path = tmp_path / name
            path.write_text(path.read_text().replace(old, new, 1))
            cold = mypy(tmp_path, "--cache-dir", with_stubs(tmp_path, f"cold{step}"))
            assert sorted(d.check()) == [line for line in cold if ": error:" in line], step
    finally:
        d.run("kill")


# -- notes about the configuration's entries, once per run -------------------------------

ENTRIES_CONFIG = (
    "[mypy]\nplugins = mypy_wsplugin\nwarn_unused_configs = true\n\n"
    "[mypy_wsplugin]\n"
    "sync_factories =\n"
    "    app.ws.get_manager -> nosuch.mod.Manager\n"  # line 7
    "    ap.ws.get_manager\n"  # line 8
    "    app.ws.get_managr\n"  # line 9
)
RESULT_MISSING = (
    'mypy.ini:7: note: [mypy_wsplugin] sync_factories entry "app.ws.get_manager -> '
    'nosuch.mod.Manager": module "nosuch.mod" of its RESULT cannot be found; what the factory '
    "returns is treated as Any"
)
PACKAGE_MISSING = (
    'mypy.ini:8: note: [mypy_wsplugin] sync_factories entry "ap.ws.get_manager" matches '
    'nothing: module "ap" cannot be found'
)
NAME_MISSING = (
    'app/ws.py:1: note: mypy.ini:9: [mypy_wsplugin] sync_factories entry "app.ws.get_managr" '
    'matches nothing: module "app.ws" has no "get_managr"'
)
WS = "def get_manager(ctx):\n    return object()\n"
CALLER = "from app.ws import get_manager\n\n\nasync def handle() -> None:\n    get_manager(1)\n"


def notes(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return sorted(line for line in result.stdout.splitlines() if ": note: " in line)


def test_entry_notes_once_after_every_update(tmp_path: Path) -> None:
    """The notes about entries come once in ``dmypy run`` and again, once, in every
    ``dmypy check`` after an edit (the daemon resets every error at each update)."""
    (tmp_path / "mypy.ini").write_text(ENTRIES_CONFIG)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    write_to = tmp_path / "app"
    (write_to / "ws.py").write_text(WS)
    (write_to / "a.py").write_text(CALLER)
    (write_to / "b.py").write_text(CALLER)
    d = Daemon(tmp_path)
    expected = sorted([RESULT_MISSING, PACKAGE_MISSING] + ([NAME_MISSING] if HAS_POST_PASS else []))
    try:
        first = d.run("run", "--", "--cache-dir", str(tmp_path / "cache"), "app")
        assert notes(first) == expected
        (write_to / "a.py").write_text(CALLER + "\n\nx = 1\n")  # an edit elsewhere
        assert notes(d.run("check", "app")) == expected
        assert notes(d.run("check", "app")) == expected  # nothing changed
        (write_to / "ws.py").write_text(WS + "\n\ndef get_managr(ctx):\n    return object()\n")
        assert notes(d.run("check", "app")) == sorted([RESULT_MISSING, PACKAGE_MISSING])
        (write_to / "ws.py").write_text(WS)
        assert notes(d.run("check", "app")) == expected
    finally:
        d.run("kill")


# -- a module removed under the daemon -----------------------------------------------------

GLOB_RESULT_CONFIG = (
    "[mypy]\nplugins = mypy_wsplugin\n\n"
    "[mypy_wsplugin]\nasync_factories =\n    app.*.make -> app.m1.C\n"
)


@pytest.mark.parametrize("edit_importer", [False, True])
def test_removed_result_module_of_a_glob(tmp_path: Path, edit_importer: bool) -> None:
    """Removing the module of a glob entry's RESULT while a module that imports it stays:
    the daemon says what a cold run says.  (The RESULT's module was a dependency of every
    module under the glob's prefix; the daemon then reported the missing import in an
    untouched module, or, with the importer edited in the same step, dropped the module
    from its graph through an untouched module and crashed with ``KeyError`` in
    ``dmypy_server.direct_imports``.)"""
    from tests.test_incremental import mypy

    (tmp_path / "mypy.ini").write_text(GLOB_RESULT_CONFIG)
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "m0.py").write_text("x = 1\n")
    (app / "m1.py").write_text("class C:\n    pass\n")
    (app / "m2.py").write_text("import app.m1\n\n\nasync def make():\n    return 1\n")
    d = Daemon(tmp_path)
    started = d.run("start", "--", "--cache-dir", str(tmp_path / ".mypy_cache"))
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        assert d.check() == []
        (app / "m1.py").unlink()
        if edit_importer:
            write(d, "m2.py", "import app.m1\n\n\nasync def make():\n    return 2\n")
        cold = mypy(tmp_path, "--no-incremental")
        assert d.check() == [line for line in cold if ": error:" in line]
        assert any("import-not-found" in line for line in cold)
    finally:
        d.run("kill")


# -- what a long-lived daemon keeps ----------------------------------------------------------

# The daemon's server run in this process, the module edited (lines added above the
# finding, so that it is parsed and checked again) between updates; after each update, its
# output and how many findings the plugin keeps for ``report(once=True)`` (a call on a
# union receiver: each item's hook may make the finding).
_DAEMON_EDITS_A_UNION_FINDING = """
import sys
from pathlib import Path

from mypy.dmypy_server import Server, process_start_options
from mypy.version import __version__

from mypy_wsplugin import reporting

SOURCE = Path("a.py").read_text()
options = process_start_options(["--config-file", "mypy.ini"], allow_sources=False)
server = Server(options, status_file="status.json")
for step in range(5):
    Path("a.py").write_text("#\\n" * step + SOURCE)
    answer = server.cmd_run(__version__, ["a.py"], False, False, 80)
    kept = sum(len(kept.filed) for kept in reporting._FILED.values())
    print(f"{kept} {answer.get('out')!r}")
"""

UNION_FINDING = """\
from typing import Union


class A:
    def close(self) -> None: ...


class B:
    def close(self) -> None: ...


async def stop(x: Union[A, B]) -> None:
    await x.close()
"""


def test_a_union_finding_edited_again_and_again_is_kept_once(tmp_path: Path) -> None:
    """A finding on a union receiver is filed once per check (``reporting.report``'s
    ``once``): what the plugin keeps to know that is dropped when the daemon checks the
    file again, so a long-lived daemon keeps one entry, not one more per edit (and not
    every tree it replaced); and each update reports the finding, on its new line."""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    (tmp_path / "a.py").write_text(UNION_FINDING)
    done = subprocess.run(
        [sys.executable, "-c", _DAEMON_EDITS_A_UNION_FINDING],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    message = (
        'error: Cannot await "A.close()": it returns "None", which is not awaitable; '
        'remove the "await"  [await-not-awaitable]'
    )
    summary = "Found 1 error in 1 file (checked 1 source file)"
    outputs = [f"a.py:{13 + step}: {message}\n{summary}\n" for step in range(5)]
    assert done.stdout.splitlines() == [f"1 {out!r}" for out in outputs]
