"""A bug in the plugin must not crash mypy: each entry point that mypy calls turns it into
one line on stderr (checks off for the rest of the run) and mypy ends normally.

The bug is simulated by replacing one of the plugin's functions with one that raises, in a
separate process that runs mypy through ``mypy.api``.  That process imports the plugin's
source from this tree even where the suite runs on the compiled build (``make pytest``):
compiled modules call each other directly, not through the module attribute the simulation
replaces.  What turns the bug into one line is the same code in both builds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mypy_wsplugin.mypy_internals import CAPABILITIES
from tests.edit_sequences import with_stubs

SOURCE_TREE = Path(__file__).resolve().parent.parent

_RUN_WITH_A_BUG = """
import sys
import importlib

module, name = sys.argv[1], sys.argv[2]


def bug(*args, **kwargs):
    raise RuntimeError("simulated bug")


owner = importlib.import_module(module)
*path, last = name.split(".")
for part in path:
    owner = getattr(owner, part)
setattr(owner, last, bug)
from mypy import api

out, err, status = api.run(sys.argv[3:])
sys.stdout.write(out)
sys.stderr.write(err)
sys.exit(status)
"""


# The same bug under the mypy daemon, run in this process (``dmypy run`` serves it from
# another): the daemon sets ``show_traceback`` for itself, and its stderr reaches no one.
_RUN_DAEMON_WITH_A_BUG = (
    _RUN_WITH_A_BUG.split("from mypy import api")[0]
    + """
from mypy.dmypy_server import Server, process_start_options
from mypy.version import __version__

options = process_start_options(["--config-file", "mypy.ini"], allow_sources=False)
server = Server(options, status_file="status.json")
for _ in range(2):  # the first run, then an update with nothing changed
    answer = server.cmd_run(__version__, sys.argv[3:], False, False, 80)
    sys.stdout.write(str(answer.get("out", "")) + "\\n--\\n")
    sys.stderr.write(str(answer.get("err", "")))
sys.exit(int(str(answer.get("status", 3))))
"""
)


def _assert_one_line_not_a_crash(
    tmp_path: Path, module: str, name: str, *, stubs_cached: bool = True
) -> str:
    """mypy on ``tmp_path/a.py`` with ``module.name`` raising: exit status 0 or 1, no
    traceback, and one "internal error" line naming the simulated bug.  The run starts from
    the standard library's stubs cached, as a user's does after a first run (or, where
    ``stubs_cached`` is false, with no cache at all)."""
    if stubs_cached:
        with_stubs(tmp_path, "cache")
    args = ["--config-file", "mypy.ini", "--cache-dir", str(tmp_path / "cache"), "a.py"]
    done = subprocess.run(
        [sys.executable, "-c", _RUN_WITH_A_BUG, module, name, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(SOURCE_TREE)},
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "INTERNAL ERROR" not in done.stdout + done.stderr
    said = [line for line in done.stderr.splitlines() if "mypy_wsplugin: internal error" in line]
    assert len(said) == 1, done.stderr
    assert "RuntimeError: simulated bug" in said[0]
    return done.stdout


_PROJECT = "def make():\n    return 1\n\n\nasync def caller():\n    await make()\n"


@pytest.mark.parametrize(
    ("module", "name", "needs_post_pass"),
    [
        # get_additional_deps (every mypy version)
        ("mypy_wsplugin.hooks", "result_dependencies", False),
        # the pass after type checking (get_additional_indirect_deps, mypy >= 2.4)
        ("mypy_wsplugin.post_pass", "judge_module", True),
        # a hook (mypy asks while checking ``await make()``)
        ("mypy_wsplugin.hooks", "check_call_site", False),
    ],
)
def test_a_bug_is_one_line_not_a_crash(
    tmp_path: Path, module: str, name: str, needs_post_pass: bool
) -> None:
    if needs_post_pass and not CAPABILITIES.post_pass:
        pytest.skip("the pass after type checking needs mypy >= 2.4")
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nplugins = mypy_wsplugin\ncheck_untyped_defs = "
        + ("false" if needs_post_pass else "true")
        + "\n\n[mypy_wsplugin]\nsync_factories = a.make -> a.Missing\n"
    )
    (tmp_path / "a.py").write_text(_PROJECT)
    _assert_one_line_not_a_crash(tmp_path, module, name)


_GATED_PROJECT = (
    "def make() -> int:\n    return 1\n\n\n"
    "async def fetch() -> int:\n    return 1\n\n\n"
    "async def caller() -> None:\n    await make()\n    fetch()\n"
)


@pytest.mark.parametrize(
    ("module", "name"),
    [
        # the gate of a plain callee (what the function being checked awaits)
        ("mypy_wsplugin.facts.role_index", "RoleIndex.awaited_names"),
        # the gate of a coroutine callee (what it calls without awaiting)
        ("mypy_wsplugin.facts.role_index", "RoleIndex.unawaited_call_names"),
        # the names awaited anywhere in the run (a run with no cache)
        ("mypy_wsplugin.facts.awaited_names", "AwaitedAnywhere._collect"),
    ],
)
def test_a_bug_in_a_hook_gate_is_one_line_not_a_crash(
    tmp_path: Path, module: str, name: str
) -> None:
    """mypy asks the gates from its hook lookups (no factory configured: the gates on)."""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    (tmp_path / "a.py").write_text(_GATED_PROJECT)
    stubs_cached = not name.startswith("AwaitedAnywhere.")
    _assert_one_line_not_a_crash(tmp_path, module, name, stubs_cached=stubs_cached)


def test_a_bug_in_the_error_watcher_is_one_line_not_a_crash(tmp_path: Path) -> None:
    """mypy's error watcher (checks/mypy_await_notes) is called from inside mypy's own
    reporting: after a bug there, mypy's errors stand as they are."""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    (tmp_path / "a.py").write_text(
        "async def rows() -> list[int]:\n    return []\n\n\n"
        "async def main() -> None:\n    print(max(rows()))\n    n: int = rows()\n"
    )
    name = "AwaitNotes._judge"
    out = _assert_one_line_not_a_crash(tmp_path, "mypy_wsplugin.checks.mypy_await_notes", name)
    assert 'a.py:6: error: No overload variant of "max"' in out
    assert "a.py:7: error: Incompatible types in assignment" in out
    assert "[missing-await]" not in out


def test_a_bug_under_the_daemon_is_a_note_not_a_crash(tmp_path: Path) -> None:
    """``dmypy``: the bug is one note in the daemon's answer (its stderr reaches no one),
    not a traceback that ends the daemon; mypy's own findings stay."""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    (tmp_path / "a.py").write_text(_GATED_PROJECT)
    bug = ["mypy_wsplugin.hooks", "check_call_site"]
    done = subprocess.run(
        [sys.executable, "-c", _RUN_DAEMON_WITH_A_BUG, *bug, "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(SOURCE_TREE)},
    )
    output = done.stdout + done.stderr
    assert done.returncode in (0, 1), output
    assert "Traceback" not in output and "INTERNAL ERROR" not in output, output
    first = done.stdout.split("\n--\n")[0]
    said = [line for line in first.splitlines() if "mypy_wsplugin: internal error" in line]
    assert len(said) == 1, output
    assert said[0].startswith("a.py:10: note: ") and "RuntimeError: simulated bug" in said[0]
    assert "until the daemon restarts" in said[0]
    assert "[unused-coroutine]" in first  # mypy's own finding, the plugin's checks off
