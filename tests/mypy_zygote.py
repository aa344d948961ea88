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
"""

from __future__ import annotations

import atexit
import json
import os
import runpy
import sys
import traceback
from typing import IO, Any, NoReturn


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
    would: the exit status of ``SystemExit``, a traceback and status 1 for an exception,
    ``atexit`` functions run, standard streams flushed."""
    code = 1
    try:
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
        os.environ.clear()
        os.environ.update(request["env"])
        script = request["script"]
        sys.argv = [script or "-m", *request["argv"]]
        # sys.path[0] as the interpreter sets it: the working directory for -m, the
        # script's directory for a script (nothing where PYTHONSAFEPATH says so).
        if not sys.flags.safe_path:
            sys.path[0] = os.path.dirname(os.path.realpath(script)) if script else os.getcwd()
        if script:
            runpy.run_path(script, run_name="__main__")
        else:
            runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = _exit_status(stop.code)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


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
