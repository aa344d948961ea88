"""The suite's mypy runs, forked from a process that has already imported mypy.

Most of the suite's time went into importing mypy: on a small project whose standard
library stubs are cached, ``python -m mypy`` takes about 0.3 s on 2 cores, of which the run
itself is about 0.07 s and the rest starting the interpreter and loading mypy's compiled
modules (the daemon's client: about 0.2 s of import).  :func:`run_python` is
``subprocess.run([python, *args], capture_output=True, text=True, ...)`` for those runs:
where ``args`` run ``-m mypy`` or ``-m mypy.dmypy`` (but ``dmypy daemon``, a server in the
foreground), the run is a child forked from a *zygote* (:mod:`tests.mypy_zygote`), a process of
the same interpreter, started with the same ``PYTHON*``/locale variables, that has imported
mypy and nothing else.  The child becomes the run as a new interpreter would: its own
working directory, environment, ``sys.argv``, ``sys.path[0]``, standard streams (stdin from
``os.devnull``, stdout and stderr to files read back as text) and session where asked; its
exit status is the one ``python -m mypy`` would give.  The plugin and everything mypy
imports while it runs are imported in the child, as in a new process.  A daemon that
``dmypy start``, ``restart`` or ``run`` starts is a process of its own, as users get it: on
POSIX the client forks it (``mypy.dmypy_server.daemonize``), here as in a new process.  The
parallel workers of ``mypy -n N`` are forks too: see :mod:`tests.mypy_zygote`.

What is not the same: the runs of one zygote share its hash seed (``PYTHONHASHSEED`` is
random per zygote, and a zygote is replaced after :data:`RUNS_PER_ZYGOTE` runs), and the
interpreter's start-up itself is not exercised (tests that are about a command line, the
editor and old mypy versions start real processes).
``WSPLUGIN_TEST_FORK=0`` makes every run a new process.
"""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import select
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

ZYGOTE: Final = str(Path(__file__).with_name("mypy_zygote.py"))
ENABLED: Final = os.environ.get("WSPLUGIN_TEST_FORK", "1") != "0" and hasattr(os, "fork")
# A new zygote costs a start and the imports (about 0.25 s of CPU); at 20 runs a zygote that
# was about a tenth of a YAML case's CPU time (benchmarks/findings.md, session 61).  Each
# xdist worker still draws a new hash seed every RUNS_PER_ZYGOTE runs.
RUNS_PER_ZYGOTE: Final = 100
# The dmypy command that serves in the foreground (until it is stopped): a process of its own.
FOREGROUND_DAEMON: Final = "daemon"
_DMYPY_OPTIONS_WITH_VALUE: Final = frozenset({"--status-file"})


def run_python(
    python: str,
    args: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    start_new_session: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run([python, *args], capture_output=True, text=True, check=False)``
    with these arguments; forked from a zygote where ``args`` run mypy (see above)."""
    module = _forkable_module(args)
    if module is None:
        return subprocess.run(
            [python, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            start_new_session=start_new_session,
        )
    command = [python, *args]
    done = _forked(python, command, module, None, args[2:], cwd, env, timeout, start_new_session)
    return subprocess.CompletedProcess(
        done.args, done.returncode, _text(done.stdout), _text(done.stderr)
    )


def run_command(
    command: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``subprocess.run(command, capture_output=True)`` (bytes, as pytest-mypy-plugins runs
    its cases), forked from a zygote where ``command[0]`` is a ``mypy`` console script (its
    interpreter read from the script's ``#!`` line)."""
    python = _console_script_python(command[0]) if ENABLED else None
    if python is None:
        return subprocess.run(list(command), cwd=cwd, env=env, capture_output=True, timeout=timeout)
    done = _forked(python, list(command), None, command[0], command[1:], cwd, env, timeout, False)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout, done.stderr)


def _forkable_module(args: Sequence[str]) -> str | None:
    if not ENABLED or len(args) < 2 or args[0] != "-m":
        return None
    module = args[1]
    if module == "mypy":
        return module
    if module == "mypy.dmypy":
        rest = list(args[2:])
        while rest and rest[0].startswith("-"):
            option = rest.pop(0)
            if option in _DMYPY_OPTIONS_WITH_VALUE and rest:
                rest.pop(0)
        if rest and rest[0] != FOREGROUND_DAEMON:
            return module
    return None


def _console_script_python(script: str) -> str | None:
    """The interpreter of ``script`` if it is a ``mypy`` console script."""
    if os.path.basename(script) != "mypy":
        return None
    try:
        with open(script, "rb") as file:
            first = file.readline(4096)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    python = first[2:].strip().decode()
    return python if os.path.isabs(python) and " " not in python else None


def _forked(
    python: str,
    command: list[str],
    module: str | None,
    script: str | None,
    argv: Sequence[str],
    cwd: str | Path | None,
    env: Mapping[str, str] | None,
    timeout: float | None,
    session: bool,
) -> subprocess.CompletedProcess[bytes]:
    environment = dict(os.environ if env is None else env)
    with tempfile.TemporaryDirectory(prefix="wsplugin-fork-") as tmp:
        out, err = os.path.join(tmp, "stdout"), os.path.join(tmp, "stderr")
        for path in (out, err):
            Path(path).touch()
        request = {
            "argv": list(argv),
            "module": module,
            "script": script,
            "cwd": os.path.abspath(cwd if cwd is not None else os.getcwd()),
            "env": environment,
            "stdout": out,
            "stderr": err,
            "session": session,
        }
        zygote = _POOL.take(python, environment)
        try:
            status, timed_out = zygote.run(request, timeout)
        except BaseException:
            zygote.close()  # not back to the pool: its answers may be out of step
            raise
        _POOL.give_back(zygote)
        stdout, stderr = Path(out).read_bytes(), Path(err).read_bytes()
    if timed_out:
        raise subprocess.TimeoutExpired(command, timeout or 0, output=stdout, stderr=stderr)
    return subprocess.CompletedProcess(command, os.waitstatus_to_exitcode(status), stdout, stderr)


def _text(output: bytes) -> str:
    """``output`` as subprocess.run(text=True) decodes it: the locale's encoding, universal
    newlines."""
    return io.TextIOWrapper(io.BytesIO(output), encoding=None).read()


class ForkingSubprocess:
    """pytest-mypy-plugins' ``subprocess`` module (``pytest_mypy_plugins.item.subprocess``)
    with its one call, the run of the ``mypy`` console script for a case, forked: see
    :func:`use_for_yaml_cases`."""

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)

    @staticmethod
    def run(command: Sequence[str], **options: Any) -> subprocess.CompletedProcess[Any]:
        if set(options) != {"capture_output", "cwd", "env"} or not options["capture_output"]:
            return subprocess.run(command, **options)
        return run_command(command, cwd=options["cwd"], env=options["env"])


def use_for_yaml_cases() -> None:
    """Fork pytest-mypy-plugins' mypy runs (one per YAML case) where it runs them as the
    version of this writing does: ``subprocess.run([mypy, ...], capture_output=True,
    cwd=..., env=...)`` from its ``item`` module; any other call goes to ``subprocess``."""
    from pytest_mypy_plugins import item

    if ENABLED and getattr(item, "subprocess", None) is subprocess:
        setattr(item, "subprocess", ForkingSubprocess())  # noqa: B010 (a module not typed for it)


def _startup_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The variables an interpreter reads when it starts (its flags, sys.path, encodings)."""
    return {
        k: v for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k in ("LANG", "HOME")
    }


# A zygote's interpreter and the start-up variables it was started with.
_Key = tuple[str, tuple[tuple[str, str], ...]]


class _Zygote:
    def __init__(self, key: _Key) -> None:
        self.key = key
        self.runs = 0
        python, startup = key
        self.process = subprocess.Popen(
            [python, ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(startup),
            start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._in = self.process.stdin
        self._out = self.process.stdout.fileno()
        self._buffer = b""
        ready = self._answer(None)
        if ready is None or not ready.get("ready"):
            raise RuntimeError(f"the mypy zygote of {python} did not start")

    def run(self, request: dict[str, Any], timeout: float | None) -> tuple[int, bool]:
        """The child's wait status, and whether it was killed after ``timeout`` seconds."""
        self.runs += 1
        self._in.write((json.dumps(request) + "\n").encode())
        self._in.flush()
        forked = self._answer(None)
        if forked is None:
            raise RuntimeError("the mypy zygote stopped")
        pid = forked["pid"]
        deadline = None if timeout is None else time.monotonic() + timeout
        ended = self._answer(deadline)
        timed_out = ended is None
        if ended is None:
            try:
                if request["session"]:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            ended = self._answer(None)
            if ended is None:
                raise RuntimeError("the mypy zygote stopped")
        return int(ended["status"]), timed_out

    def _answer(self, deadline: float | None) -> dict[str, Any] | None:
        """The zygote's next answer; None at ``deadline`` or if the zygote has ended."""
        while b"\n" not in self._buffer:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self._out], [], [], left)[0]:
                    return None
            chunk = os.read(self._out, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        answer: dict[str, Any] = json.loads(line)
        return answer

    @property
    def worn_out(self) -> bool:
        return self.runs >= RUNS_PER_ZYGOTE or self.process.poll() is not None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._in.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Pool:
    """Idle zygotes by interpreter and start-up variables; one run at a time each (the
    edit-sequence harness runs its modes from threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[_Key, list[_Zygote]] = {}
        atexit.register(self.close)

    def take(self, python: str, env: Mapping[str, str]) -> _Zygote:
        key = (python, tuple(sorted(_startup_environment(env).items())))
        with self._lock:
            idle = self._idle.get(key)
            if idle:
                return idle.pop()
        return _Zygote(key)

    def give_back(self, zygote: _Zygote) -> None:
        if zygote.worn_out:
            zygote.close()
            return
        with self._lock:
            self._idle.setdefault(zygote.key, []).append(zygote)

    def close(self) -> None:
        with self._lock:
            zygotes = [z for idle in self._idle.values() for z in idle]
            self._idle.clear()
        for zygote in zygotes:
            zygote.close()


_POOL: Final = _Pool()
