"""The suite's forked mypy runs (tests/forked_mypy.py) give what a new process gives: exit
status, standard output and standard error, for a clean run, findings, a usage error, a
crash of a plugin, the daemon's client and pytest-mypy-plugins' way of running a case."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.forked_mypy import ENABLED, _forkable_module, run_command, run_python

pytestmark = pytest.mark.skipif(not ENABLED, reason="WSPLUGIN_TEST_FORK=0: nothing is forked")

FILES = {
    "mypy.ini": "[mypy]\nplugins = mypy_wsplugin\n",
    "crashing.ini": "[mypy]\nplugins = crashing_plugin.py\n",
    "crashing_plugin.py": (
        "def plugin(version):\n    raise SystemExit('no plugin for ' + version)\n"
    ),
    "clean.py": "async def f() -> int:\n    return 1\n",
    "findings.py": (
        "def get() -> int:\n    return 1\n\n\nasync def f() -> None:\n    await get()\n"
        "    reveal_type('\u00e9t\u00e9')\n"
    ),
}
COMMANDS = {
    "findings": ["-m", "mypy", "--cache-dir", "{cache}", "clean.py", "findings.py"],
    "inline source": ["-m", "mypy", "--cache-dir", "{cache}", "-c", "x: int = 'no'"],
    "usage error": ["-m", "mypy", "--no-such-option"],
    "plugin exits at load": ["-m", "mypy", "--config-file", "crashing.ini", "clean.py"],
    "version": ["-m", "mypy", "--version"],
    "daemon client, no daemon": ["-m", "mypy.dmypy", "--status-file", "none.json", "status"],
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_forked_run_gives_what_a_new_process_gives(name: str, project: Path) -> None:
    """Each way with a cache of its own, so that both start from the same state."""
    args = COMMANDS[name]
    assert _forkable_module(args) is not None
    env = dict(os.environ, MYPY_FORCE_COLOR="0")
    forked_args = [arg.format(cache="forked") for arg in args]
    forked = run_python(sys.executable, forked_args, cwd=project, env=env, timeout=120)
    new = subprocess.run(
        [sys.executable, *(arg.format(cache="new") for arg in args)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        new.returncode,
        new.stdout,
        new.stderr,
    )


def test_console_script_as_pytest_mypy_plugins_runs_it(project: Path) -> None:
    """A minimal environment (pytest-mypy-plugins passes only the case's variables)."""
    mypy = str(Path(sys.executable).with_name("mypy"))
    command = [mypy, "--no-error-summary", "--cache-dir", "{cache}", "findings.py"]
    env = {"MYPYPATH": str(project)}
    forked = run_command([arg.format(cache="forked") for arg in command], cwd=project, env=env)
    new = subprocess.run(
        [arg.format(cache="new") for arg in command], cwd=project, env=env, capture_output=True
    )
    assert new.returncode == 1 and b"[await-not-awaitable]" in new.stdout
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        new.returncode,
        new.stdout,
        new.stderr,
    )


def test_daemon_starts_are_new_processes() -> None:
    for command in ("start", "restart", "run"):
        assert _forkable_module(["-m", "mypy.dmypy", "--status-file", "s", command]) is None
    assert _forkable_module(["-m", "mypy.dmypy", "check", "app"]) == "mypy.dmypy"
    assert _forkable_module(["-m", "mypy_wsplugin", "fix"]) is None


def test_a_run_past_its_timeout_is_killed(project: Path) -> None:
    (project / "big.py").write_text("".join(f"x{i}: int = {i}\n" for i in range(20000)))
    with pytest.raises(subprocess.TimeoutExpired):
        args = ["-m", "mypy", "--cache-dir", "c5", "big.py"]
        run_python(sys.executable, args, cwd=project, timeout=0.2)
    after = run_python(sys.executable, COMMANDS["version"], cwd=project, timeout=60)
    assert after.returncode == 0 and after.stdout.startswith("mypy ")
