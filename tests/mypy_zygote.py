"""The zygote of :mod:`tests.forked_mypy`: a process that imports mypy once and then forks
one child per request, each child running one ``python -m <module>`` or ``python <script>``
as a new interpreter would.

Run as a script (``python tests/mypy_zygote.py``), so that nothing but the standard library
and mypy is imported before a fork.  Requests come on standard input and answers go to
standard output, one JSON object a line:

* request: ``{"argv": [...], "module": "mypy" | null, "script": path | null, "cwd": ...,
  "env": {...}, "stdout": path, "stderr": path, "session": bool}``;
* answers: ``{"pid": N}`` once the child is forked, ``{"status": S}`` (``os.waitpid``'s)
  once it has ended.

The zygote's own standard streams point to ``os.devnull`` once it starts (a stray print
cannot reach the answers); it ends at the end of its standard input.

A run of ``mypy -n N`` (parallel workers, mypy >= 2.4) starts its workers as
``python -m mypy.build_worker ...`` processes (``mypy.build.WorkerClient``).  The child
forks N *standbys* before it runs mypy, in the state a child starts in; each waits for the
command and environment of one worker and then becomes that worker, as a new interpreter
would (:func:`_standby`).  Each costs a fork where a new interpreter costs its start and
mypy's import (about 0.15 s of CPU a worker on 2 cores).  The child's
``subprocess.Popen`` hands such a command to a standby (:class:`_Popen`) and runs any other
as before; a run that asks for more workers than it has standbys starts the others as new
processes.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import runpy
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from typing import IO, Any, NoReturn

WORKER_MODULE = "mypy.build_worker"
# The standbys of a child that runs mypy with parallel workers, not yet handed a worker.
_STANDBYS: list[_Standby] = []


def main() -> None:
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    # What `python -m mypy` and `python -m mypy.dmypy` import before they look at anything
    # (their __main__ modules themselves are run by runpy in the child, as -m does).
    import mypy.dmypy.client
    import mypy.main
    import mypy.util  # noqa: F401

    _answer(answers, {"ready": True})
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request, requests, answers)
        _answer(answers, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        _answer(answers, {"status": status})


def _answer(answers: IO[str], message: dict[str, Any]) -> None:
    answers.write(json.dumps(message) + "\n")
    answers.flush()


def _child(request: dict[str, Any], requests: IO[str], answers: IO[str]) -> NoReturn:
    """Become ``python -m <module> <argv>`` (or ``python <script> <argv>``) and exit as it
    would (:func:`_run_then_exit`)."""

    def run() -> None:
        requests.close()
        answers.close()
        if request["session"]:
            os.setsid()
        os.chdir(request["cwd"])
        for fd, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, request["stdout"], os.O_WRONLY | os.O_TRUNC),
            (2, request["stderr"], os.O_WRONLY | os.O_TRUNC),
        ):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        if request["module"] == "mypy":
            for _ in range(_workers_asked(request["argv"])):
                _STANDBYS.append(_Standby())
            subprocess.Popen = _Popen  # type: ignore[misc]
        _become(request["module"], request["script"], request["argv"], request["env"])

    _run_then_exit(run)


def _run_then_exit(run: Callable[[], None]) -> NoReturn:
    """Call ``run`` and exit as a new interpreter would after running its main module: the
    exit status of ``SystemExit``, a traceback and status 1 for an exception, ``atexit``
    functions run, standard streams flushed."""
    code = 1
    try:
        run()
        code = 0
    except SystemExit as stop:
        code = _exit_status(stop.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        _exit(code)


def _become(module: str | None, script: str | None, argv: list[str], env: dict[str, str]) -> None:
    """Run ``python -m <module> <argv>`` (or ``python <script> <argv>``) in this process,
    with the environment ``env``."""
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [script or "-m", *argv]
    # sys.path[0] as the interpreter sets it: the working directory for -m, the script's
    # directory for a script (nothing where PYTHONSAFEPATH says so).
    if not sys.flags.safe_path:
        sys.path[0] = os.path.dirname(os.path.realpath(script)) if script else os.getcwd()
    if script:
        runpy.run_path(script, run_name="__main__")
    else:
        runpy.run_module(module or "", run_name="__main__", alter_sys=True)


def _exit(code: int) -> NoReturn:
    """End as the interpreter would: ``atexit`` functions, streams flushed, ``code``."""
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _workers_asked(argv: list[str]) -> int:
    """How many parallel workers ``mypy <argv>`` asks for on its command line (``-n N``,
    ``-nN``, ``--num-workers N``, ``--num-workers=N``); 0 where it does not say."""
    asked = 0
    for i, arg in enumerate(argv):
        value: str | None = None
        if arg in ("-n", "--num-workers") and i + 1 < len(argv):
            value = argv[i + 1]
        elif match := re.fullmatch(r"(?:-n|--num-workers=)(\d+)", arg):
            value = match.group(1)
        if value is not None and value.isdigit():
            asked = int(value)
    return asked


class _Standby:
    """A fork of the child before it runs mypy, waiting (on a pipe) for one worker's
    command line and environment, then running it; it ends at once if none comes."""

    def __init__(self) -> None:
        read, self.write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self.write)
                for other in _STANDBYS:  # the write ends of the standbys forked before
                    os.close(other.write)
                _standby(read)
            finally:
                os._exit(1)  # never back into the child's run
        os.close(read)

    def start(self, argv: list[str], env: dict[str, str]) -> None:
        left = memoryview(json.dumps({"argv": argv, "env": env}).encode())
        while left:
            left = left[os.write(self.write, left) :]
        os.close(self.write)


def _standby(read: int) -> NoReturn:
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    if not chunks:  # the run needed no more workers
        os._exit(0)

    def run() -> None:
        worker = json.loads(b"".join(chunks))
        _become(WORKER_MODULE, None, worker["argv"], worker["env"])

    _run_then_exit(run)


class _Popen(subprocess.Popen):  # type: ignore[type-arg]
    """``subprocess.Popen`` in a child that runs mypy: ``[sys.executable, "-m",
    "mypy.build_worker", ...]`` with no other argument than ``env`` goes to a standby (a
    :class:`_Worker` stands for the process); any other call is ``subprocess.Popen``'s."""

    def __new__(cls, args: Any = None, *rest: Any, **options: Any) -> Any:
        if (
            _STANDBYS
            and not rest
            and set(options) <= {"env"}
            and isinstance(args, list)
            and args[:3] == [sys.executable, "-m", WORKER_MODULE]
        ):
            standby = _STANDBYS.pop(0)
            env = options.get("env")
            standby.start(args[3:], dict(os.environ if env is None else env))
            return _Worker(standby.pid, args)
        return super().__new__(cls)


class _Worker:
    """What ``mypy.build`` uses of a worker's ``Popen``: ``pid``, ``wait``, ``terminate``
    (and ``poll``, ``kill``, ``returncode``, ``args``), for a standby become a worker."""

    def __init__(self, pid: int, args: list[str]) -> None:
        self.pid = pid
        self.args = args
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired([str(a) for a in self.args], timeout or 0)
            time.sleep(0.005)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _exit_status(code: object) -> int:
    """The exit status ``raise SystemExit(code)`` gives a Python process."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    main()
