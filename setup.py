"""The build: pure Python by default; compiled with mypyc where ``MYPY_WSPLUGIN_USE_MYPYC=1``.

The metadata lives in ``pyproject.toml``; this file only adds the compiled modules, the way
mypy builds itself (``MYPY_USE_MYPYC``).  A compiled build needs mypy (it brings mypyc) and
setuptools >= 77 in the building environment::

    MYPY_WSPLUGIN_USE_MYPYC=1 pip install --no-build-isolation .

The wheel holds every module's source beside the compiled ones, and Python imports the
compiled module where both are present.  Without the variable the wheel is the pure-Python
one, which runs wherever mypy runs (docs/design.md, "A compiled build").
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "mypy_wsplugin"

# What stays Python: the package's entry points (the package inits: ``__init__`` is mypy's
# entry point, ``mypy_internals/__init__`` probes mypy at start-up; ``__main__``), the plugin
# class (a subclass of mypy's compiled ``Plugin``, which mypyc cannot subclass from another
# build), what a run that finds everything in its cache imports (``config``, ``errorcodes``,
# ``mypy_internals/startup`` and ``versions``: such a run then never loads the compiled
# library, about 1.2 ms, 0.4 % of a warm run over 610 files) and the command line
# (``cli/``: runs once per command, not inside mypy).  Everything else runs inside mypy's
# checks, and is compiled.
PURE_PYTHON = {
    "__init__.py",
    "__main__.py",
    "plugin.py",
    "config.py",
    "errorcodes.py",
    "startup.py",
    "versions.py",
}
PURE_PYTHON_PACKAGES = {"cli"}


def compiled_sources() -> list[str]:
    """The modules a compiled build compiles, as paths relative to this directory."""
    return sorted(
        path.relative_to(HERE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.name not in PURE_PYTHON
        and not PURE_PYTHON_PACKAGES.intersection(path.relative_to(PACKAGE).parts[:-1])
    )


def extensions() -> list[Any]:
    """The compiled modules' extensions; none without ``MYPY_WSPLUGIN_USE_MYPYC=1``."""
    if os.environ.get("MYPY_WSPLUGIN_USE_MYPYC") != "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        sys.exit(
            "MYPY_WSPLUGIN_USE_MYPYC=1: mypyc cannot be imported; build where mypy is "
            "installed (pip install --no-build-isolation .)"
        )
    built = mypycify(
        compiled_sources(),
        opt_level=os.environ.get("MYPYC_OPT_LEVEL", "3"),
        # As mypy's own setup.py: the C compiler's -g level.  It changes the debug sections
        # only, never the machine code (the test suite's build uses 0; see the Makefile).
        debug_level=os.environ.get("MYPYC_DEBUG_LEVEL", "1"),
    )
    for extension in built:
        extension.extra_compile_args += quiet_flags(extension.extra_compile_args)
    return built


def quiet_flags(flags: list[str]) -> list[str]:
    """What the build adds to mypyc's C compiler ``flags``: for gcc and clang (mypyc gives
    them ``-O<level>``, MSVC ``/O<level>``), no ``-Wmisleading-indentation``.  Python's own
    flags carry ``-Wall``, which turns it on, and on mypyc's one large C file gcc 12 spends
    half the compile in it (about 60 of 120 CPU s at ``-O3``) to check the indentation of
    generated code.  It is a warning only: the machine code is the same byte for byte."""
    return ["-Wno-misleading-indentation"] if any(f.startswith("-O") for f in flags) else []


if __name__ == "__main__":  # as setuptools runs it; tests/test_build.py imports it
    setup(ext_modules=extensions())
