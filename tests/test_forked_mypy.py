"""The suite's forked mypy runs (tests/forked_mypy.py) give what a new process gives: exit
status, standard output and standard error, for a clean run, findings, a usage error, a
crash of a plugin, the daemon's client and pytest-mypy-plugins' way of running a case."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Final

import pytest

from mypy_wsplugin.mypy_internals import MYPY
from tests.edit_sequences import with_stubs
from tests.forked_mypy import ENABLED, ZYGOTE, _forkable_module, run_command, run_python
from tests.mypy_zygote import _workers_asked

Done = subprocess.CompletedProcess[str]

pytestmark = pytest.mark.skipif(not ENABLED, reason="WSPLUGIN_TEST_FORK=0: nothing is forked")

FILES = {
    "mypy.ini": "[mypy]\nplugins = mypy_wsplugin\n",
    "crashing.ini": "[mypy]\nplugins = crashing_plugin.py\n",
    # The zygote has imported the plugin (tests/mypy_zygote.py): a run without it must not
    # know its codes, and a run with it must.
    "plain.ini": "[mypy]\ndisable_error_code = missing-await\n",
    "code_off.ini": "[mypy]\nplugins = mypy_wsplugin\ndisable_error_code = await-not-awaitable\n",
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
    "plain mypy told of a plugin's code": ["-m", "mypy", "--config-file", "plain.ini", "clean.py"],
    "plugin's code disabled": [
        "-m",
        "mypy",
        "--config-file",
        "code_off.ini",
        "--cache-dir",
        "{cache}",
        "findings.py",
    ],
    "version": ["-m", "mypy", "--version"],
    "daemon client, no daemon": ["-m", "mypy.dmypy", "--status-file", "none.json", "status"],
}


# A run forked from a zygote, and the same run as a new process.
WAYS: Final = ("forked", "new")


def _run(way: str, args: list[str], project: Path, env: dict[str, str]) -> Done:
    """``python <args>`` in ``project``, forked (``run_python``) or as a new process."""
    if way == "forked":
        return run_python(sys.executable, args, cwd=project, env=env, timeout=120)
    command = [sys.executable, *args]
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def _assert_same(
    forked: subprocess.CompletedProcess[Any], new: subprocess.CompletedProcess[Any]
) -> None:
    """The forked run printed and ended as the new process did."""
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        new.returncode,
        new.stdout,
        new.stderr,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_forked_run_gives_what_a_new_process_gives(name: str, project: Path) -> None:
    """Each way with a cache of its own, so that both start from the same state."""
    args = COMMANDS[name]
    if "{cache}" in args:  # both from the standard library's stubs cached: the same state
        for way in WAYS:
            with_stubs(project, way)
    assert _forkable_module(args) is not None
    env = dict(os.environ, MYPY_FORCE_COLOR="0")
    forked, new = (_run(way, [arg.format(cache=way) for arg in args], project, env) for way in WAYS)
    _assert_same(forked, new)


def test_a_copy_of_the_plugin_in_the_working_directory_is_the_one_run(project: Path) -> None:
    """The working directory comes first on ``sys.path``: a run there imports its copy of
    the plugin, not the one the zygote imported."""
    here = project / "shadowed"
    (here / "mypy_wsplugin").mkdir(parents=True)
    (here / "mypy_wsplugin" / "__init__.py").write_text(
        "def plugin(version):\n    raise SystemExit('the copy in the working directory')\n"
    )
    (here / "mypy.ini").write_text(FILES["mypy.ini"])
    (here / "clean.py").write_text(FILES["clean.py"])
    args = ["-m", "mypy", "--no-incremental", "clean.py"]
    forked, new = (_run(way, args, here, dict(os.environ)) for way in WAYS)
    assert "the copy in the working directory" in new.stderr
    _assert_same(forked, new)


def test_a_copy_of_the_plugin_beside_a_plugin_file_is_the_one_run(project: Path) -> None:
    """mypy imports a plugin file with the file's directory first on ``sys.path``: a plugin
    file that imports ``mypy_wsplugin`` there gets the copy beside it."""
    tools = project / "tools"
    (tools / "mypy_wsplugin").mkdir(parents=True)
    (tools / "mypy_wsplugin" / "__init__.py").write_text(
        "def plugin(version):\n    raise SystemExit('the copy beside the plugin file')\n"
    )
    (tools / "wrap.py").write_text("from mypy_wsplugin import plugin\n")
    (project / "wrapped.ini").write_text("[mypy]\nplugins = tools/wrap.py\n")
    args = ["-m", "mypy", "--config-file", "wrapped.ini", "--no-incremental", "clean.py"]
    forked, new = (_run(way, args, project, dict(os.environ)) for way in WAYS)
    assert "the copy beside the plugin file" in new.stderr
    _assert_same(forked, new)


SPEC_PROBE = """\
import importlib.resources, sys
import mypy_wsplugin
from mypy.plugin import Plugin

spec = mypy_wsplugin.__spec__
print(spec.name, spec.parent, spec.origin, spec.cached, spec.has_location,
      spec.submodule_search_locations, type(spec.loader).__name__,
      type(mypy_wsplugin.__loader__).__name__, mypy_wsplugin.__file__,
      importlib.resources.files("mypy_wsplugin").joinpath("py.typed").is_file(),
      sorted(n for n in sys.modules if n.startswith("mypy_wsplugin.")) != [], file=sys.stderr)

def plugin(version):
    return Plugin
"""


def test_the_plugin_imported_in_a_child_is_the_module_a_new_process_imports(
    project: Path,
) -> None:
    """The plugin's package as a plugin file sees it: its spec, loader and files."""
    (project / "spec_probe.py").write_text(SPEC_PROBE)
    (project / "probe.ini").write_text("[mypy]\nplugins = spec_probe.py\n")
    args = ["-m", "mypy", "--config-file", "probe.ini", "--no-incremental", "clean.py"]
    forked, new = (_run(way, args, project, dict(os.environ)) for way in WAYS)
    assert "mypy_wsplugin" in new.stderr and "True" in new.stderr, new.stderr
    _assert_same(forked, new)


def test_a_plugin_edited_after_the_zygote_started_is_imported_afresh(tmp_path: Path) -> None:
    """A zygote imports the plugin once; a child imports it afresh where one of its files
    changed since (a copy of the plugin's source, alone on ``PYTHONPATH``)."""
    source = Path(__file__).resolve().parent.parent / "mypy_wsplugin"
    copy = tmp_path / "copy"
    shutil.copytree(source, copy / "mypy_wsplugin", ignore=shutil.ignore_patterns("__pycache__"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "mypy.ini").write_text(FILES["mypy.ini"])
    (project / "clean.py").write_text(FILES["clean.py"])
    env = dict(os.environ, PYTHONPATH=str(copy))
    args = ["-m", "mypy", "--no-incremental", "clean.py"]
    before = run_python(sys.executable, args, cwd=project, env=env, timeout=120)
    assert before.returncode == 0, before.stdout + before.stderr
    init = copy / "mypy_wsplugin" / "__init__.py"
    init.write_text(
        init.read_text() + "\n\ndef plugin(version):\n    raise SystemExit('plugin edited')\n"
    )
    forked, new = (_run(way, args, project, env) for way in WAYS)
    assert "plugin edited" in new.stderr
    _assert_same(forked, new)


def test_console_script_as_pytest_mypy_plugins_runs_it(project: Path) -> None:
    """A minimal environment (pytest-mypy-plugins passes only the case's variables)."""
    mypy = str(Path(sys.executable).with_name("mypy"))
    command = [mypy, "--no-error-summary", "--cache-dir", "{cache}", "findings.py"]
    env = {"MYPYPATH": str(project)}
    for way in WAYS:
        with_stubs(project, way)
    forked = run_command([arg.format(cache="forked") for arg in command], cwd=project, env=env)
    new = subprocess.run(
        [arg.format(cache="new") for arg in command], cwd=project, env=env, capture_output=True
    )
    assert new.returncode == 1 and b"[await-not-awaitable]" in new.stdout
    _assert_same(forked, new)


def test_forked_commands() -> None:
    for command in ("start", "restart", "run", "check", "stop"):
        args = ["-m", "mypy.dmypy", "--status-file", "s", command]
        assert _forkable_module(args) == "mypy.dmypy"
    # a server in the foreground, until it is stopped: not the zygote's to wait for
    assert _forkable_module(["-m", "mypy.dmypy", "daemon"]) is None
    assert _forkable_module(["-m", "mypy_wsplugin", "fix"]) is None


@pytest.mark.parametrize(
    ("argv", "asked"),
    [
        (["-n", "2", "app"], 2),
        (["-n3", "app"], 3),
        (["--num-workers", "4", "app"], 4),
        (["--num-workers=2", "-n", "1", "app"], 1),
        (["--cache-dir", "c", "app"], 0),
        (["-n", "two", "app"], 0),
    ],
)
def test_workers_asked_on_the_command_line(argv: list[str], asked: int) -> None:
    assert _workers_asked(argv) == asked


def _daemon_session(project: Path, way: str) -> list[tuple[str, int, str, str]]:
    env = dict(os.environ, MYPY_FORCE_COLOR="0")
    commands = [
        ["start", "--", "--cache-dir", f"cache-{way}"],
        ["check", "clean.py", "findings.py"],
        ["restart", "--", "--cache-dir", f"cache-{way}"],
        ["run", "--", "clean.py", "findings.py"],
        ["stop"],
    ]
    done = []
    for command in commands:
        args = ["-m", "mypy.dmypy", "--status-file", f"{way}.json", *command]
        result = _run(way, args, project, env)
        done.append((command[0], result.returncode, result.stdout, result.stderr))
    return done


def test_daemon_started_by_a_forked_client_gives_what_a_new_process_gives(project: Path) -> None:
    """``dmypy start``, ``restart`` and ``run`` from a forked client: the daemon is a process
    of its own either way (the client forks it), and serves the same answers."""
    assert _daemon_session(project, "forked") == _daemon_session(project, "new")


RECORDING_PLUGIN = """\
import json, os, sys
from mypy.plugin import Plugin

with open(os.environ["RECORD"], "a") as f:
    f.write(json.dumps(sys.orig_argv) + "\\n")

def plugin(version):
    return Plugin
"""


@pytest.mark.skipif(MYPY < (2, 4), reason="mypy -n (parallel workers): mypy >= 2.4")
def test_parallel_workers_are_forked_and_give_what_new_processes_give(project: Path) -> None:
    """Each worker of ``mypy -n 2`` loads the plugins: a plugin recording each process's
    command line shows two workers started as new interpreters in a new process, and as
    forks of the zygote (which started as ``python mypy_zygote.py``) in a forked run."""
    (project / "recording_plugin.py").write_text(RECORDING_PLUGIN)
    (project / "recording.ini").write_text("[mypy]\nplugins = mypy_wsplugin, recording_plugin.py\n")
    runs = {}
    for way in WAYS:
        record = project / f"{way}.jsonl"
        env = dict(os.environ, MYPY_FORCE_COLOR="0", RECORD=str(record))
        args = ["-m", "mypy", "--config-file", "recording.ini", "-n", "2", "--cache-dir", way]
        done = _run(way, [*args, "clean.py", "findings.py"], project, env)
        processes = [json.loads(line) for line in record.read_text().splitlines()]
        workers = sum("mypy.build_worker" in argv for argv in processes)
        zygotes = sum(argv[-1:] == [ZYGOTE] for argv in processes)
        runs[way] = (done.returncode, done.stdout, done.stderr, len(processes), workers, zygotes)
    assert runs["new"][:4] == runs["forked"][:4]
    assert runs["new"][3:] == (3, 2, 0), runs["new"]
    assert runs["forked"][3:] == (3, 0, 3), runs["forked"]


def test_a_run_past_its_timeout_is_killed(project: Path) -> None:
    (project / "big.py").write_text("".join(f"x{i}: int = {i}\n" for i in range(20000)))
    with pytest.raises(subprocess.TimeoutExpired):
        args = ["-m", "mypy", "--cache-dir", "c5", "big.py"]
        run_python(sys.executable, args, cwd=project, timeout=0.2)
    after = run_python(sys.executable, COMMANDS["version"], cwd=project, timeout=60)
    assert after.returncode == 0 and after.stdout.startswith("mypy ")
