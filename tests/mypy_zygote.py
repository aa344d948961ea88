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

The plugin under test is imported here too, once, where this interpreter can import it
(:func:`_preload_plugin`; not its command line, ``cli``): a run of the pure-Python plugin
imports some 50 of its modules, about 10 ms of each run (with the heap frozen, about a
fifth of the CPU time of the YAML cases on the floor: benchmarks/findings.md).  A child
is left as a new interpreter would start (:func:`_settle_preloaded`): the plugin's modules
are out of ``sys.modules`` and its error codes out of mypy's tables until something
imports the plugin, which then gets the modules imported here, by any way of importing (a
finder first on ``sys.meta_path``, :class:`_Restorer`); where ``sys.path`` at that import
(the working directory first, or a plugin file's directory that mypy puts first) finds
another copy of the plugin, or a file of the plugin changed after the zygote imported it,
the child imports the plugin afresh, as a new process would.

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
import gc
import importlib.util
import json
import os
import re
import runpy
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import IO, Any, NoReturn

WORKER_MODULE = "mypy.build_worker"
# The standbys of a child that runs mypy with parallel workers, not yet handed a worker.
_STANDBYS: list[_Standby] = []
# The plugin under test (its command line, which no mypy run imports, is left out).
PLUGIN = "mypy_wsplugin"
NOT_PRELOADED = frozenset({"cli", "__main__"})


def main() -> None:
    # As Python's gc documentation advises for a process that forks without exec: no
    # collection here (no freed holes in the pages the children share), and everything
    # imported here frozen before the first fork, so that a child's collections do not
    # touch (and copy) those pages; each child collects as a new interpreter does.
    gc.disable()
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

    global _PRELOADED
    _PRELOADED = _preload_plugin()
    gc.freeze()
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
        gc.enable()
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
    _settle_preloaded()
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


class _Preloaded:
    """The plugin's modules the zygote imported (and the compiled build's shared library,
    ``<hash>__mypyc``), their specs and files as imported, and what importing them added to
    mypy's tables of error codes (``mypy.errorcodes``: a code registers itself when it is
    made)."""

    def __init__(self, modules: dict[str, ModuleType], codes: dict[str, Any]) -> None:
        self.modules = modules
        self.codes = codes  # code -> ErrorCode
        self.specs = {name: module.__spec__ for name, module in modules.items()}
        self.files = {name: _stamp(module) for name, module in modules.items()}

    def unchanged(self) -> bool:
        """Whether every module's file is still the one the zygote imported."""
        return all(_stamp(module) == self.files[name] for name, module in self.modules.items())

    def register(self, present: bool) -> None:
        """Put the plugin's codes in mypy's tables (``present``) or take them out."""
        from mypy import errorcodes

        for code, error_code in self.codes.items():
            parent = getattr(error_code, "sub_code_of", None)
            subs = errorcodes.sub_code_map[parent.code] if parent is not None else None
            if present:
                errorcodes.error_codes[code] = error_code
                if subs is not None:
                    subs.add(code)
            else:
                errorcodes.error_codes.pop(code, None)
                if subs is not None:
                    subs.discard(code)


_PRELOADED: _Preloaded | None = None


def _stamp(module: ModuleType) -> tuple[int, int] | None:
    """A module's file's modification time and size (None: no file, or none any more)."""
    path = getattr(module, "__file__", None)
    try:
        found = os.stat(path) if path else None
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size) if found is not None else None


def _is_plugin_module(name: str) -> bool:
    return name == PLUGIN or name.startswith(PLUGIN + ".") or name.endswith("__mypyc")


def _preload_plugin() -> _Preloaded | None:
    """Import the plugin and its modules but the command line; None where this
    interpreter cannot import it (each child then imports it, or fails to, as a new
    process does)."""
    import importlib
    import pkgutil

    from mypy import errorcodes

    codes_before = dict(errorcodes.error_codes)
    subs_before = {code: set(subs) for code, subs in errorcodes.sub_code_map.items()}
    modules_before = set(sys.modules)

    def walk(package: ModuleType) -> None:
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if info.name.split(".")[1] in NOT_PRELOADED:
                continue
            module = importlib.import_module(info.name)
            if info.ispkg:
                walk(module)

    try:
        walk(importlib.import_module(PLUGIN))
        failed = False
    except BaseException:  # an old mypy, a plugin that cannot load: no preload
        failed = True
    modules = {
        name: module
        for name, module in sys.modules.items()
        if name not in modules_before and _is_plugin_module(name)
    }
    if not failed:
        codes = {c: e for c, e in errorcodes.error_codes.items() if codes_before.get(c) is not e}
        return _Preloaded(modules, codes)
    for name in modules:
        del sys.modules[name]
    errorcodes.error_codes.clear()
    errorcodes.error_codes.update(codes_before)
    for code in list(errorcodes.sub_code_map):
        if code in subs_before:
            errorcodes.sub_code_map[code].intersection_update(subs_before[code])
        else:
            del errorcodes.sub_code_map[code]
    return None


class _Restorer(MetaPathFinder, Loader):
    """First on ``sys.meta_path`` in a child until the plugin is first imported, by any way
    of importing (its package always comes first): that import gives back every module the
    zygote imported, each with its own spec, and puts the plugin's error codes back in
    mypy's tables.  Where the import would find another copy of the plugin (on ``sys.path``
    as it is then: the working directory first, or the directory of a plugin file that
    mypy imports), or a file of the plugin changed after the zygote imported it, the
    import is left to the other finders, as in a new process."""

    def __init__(self, preloaded: _Preloaded) -> None:
        self.preloaded = preloaded

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        saved = self.preloaded.specs.get(name) if name == PLUGIN else None
        if saved is None:
            return None
        sys.meta_path.remove(self)
        try:
            found = importlib.util.find_spec(PLUGIN)
        except (ImportError, ValueError):
            found = None
        if found is None or found.origin != saved.origin or not self.preloaded.unchanged():
            return None  # and no more restoring: the child imports the plugin afresh
        sys.meta_path.insert(0, self)
        spec = ModuleSpec(name, self, origin=saved.origin, is_package=True)
        spec.submodule_search_locations = saved.submodule_search_locations
        spec.cached = saved.cached
        spec.has_location = saved.has_location
        return spec

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        self.preloaded.register(present=True)
        for name, module in self.preloaded.modules.items():
            if name != spec.name:
                sys.modules.setdefault(name, module)
        return self.preloaded.modules[spec.name]

    def exec_module(self, module: ModuleType) -> None:
        # importlib set this finder's spec on the module: it gets back its own.
        spec = self.preloaded.specs[module.__name__]
        module.__spec__ = spec
        module.__loader__ = spec.loader if spec is not None else None


def _settle_preloaded() -> None:
    """In a child, before it runs: the plugin as a new interpreter has it, not imported
    (see the module's docstring and :class:`_Restorer`)."""
    preloaded = _PRELOADED
    if preloaded is None:
        return
    for name in preloaded.modules:
        sys.modules.pop(name, None)
    preloaded.register(present=False)
    sys.meta_path.insert(0, _Restorer(preloaded))


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
