"""The suite runs on the build it was given: ``make pytest`` on the compiled one (mypyc,
``setup.py`` with ``MYPY_WSPLUGIN_USE_MYPYC=1``, named by ``WSPLUGIN_COMPILED``: see the root
``conftest.py``), ``make pytest-floor`` on the pure-Python source.  A compiled build that
silently fell back to the source, or a source tree that picked up stray compiled modules,
would test the other build."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import mypy_wsplugin

SETUP = Path(__file__).resolve().parent.parent / "setup.py"


def _setup_module() -> Any:
    """setup.py, imported (it runs ``setup()`` only as a script)."""
    spec = importlib.util.spec_from_file_location("wsplugin_setup", SETUP)
    assert spec is not None and spec.loader is not None
    setup_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_module)
    return setup_module


def _compiled_by_setup() -> set[str]:
    """The modules setup.py compiles (its ``compiled_sources``), by module name."""
    return {
        source.removesuffix(".py").replace("/", ".")
        for source in _setup_module().compiled_sources()
    }


def test_the_build_turns_off_one_costly_warning_for_gcc_and_clang_only() -> None:
    """-Wmisleading-indentation (from Python's -Wall) costs gcc half of the compiled build;
    MSVC's flags get nothing, as it knows no such option."""
    quiet_flags = _setup_module().quiet_flags
    assert quiet_flags(["-O3", "-g1", "-Werror"]) == ["-Wno-misleading-indentation"]
    assert quiet_flags(["/O2", "/GL-"]) == []


def _modules() -> dict[str, str]:
    """Every module of the imported package, by name: the file it is loaded from."""
    found = {"mypy_wsplugin": str(mypy_wsplugin.__file__)}
    for info in pkgutil.walk_packages(mypy_wsplugin.__path__, "mypy_wsplugin."):
        spec = importlib.util.find_spec(info.name)
        assert spec is not None and spec.origin is not None, info.name
        found[info.name] = spec.origin
    return found


def test_the_suite_runs_the_build_it_was_given() -> None:
    modules = _modules()
    compiled = {name for name, origin in modules.items() if not origin.endswith(".py")}
    directory = os.environ.get("WSPLUGIN_COMPILED")
    if not directory:
        assert compiled == set()
        assert Path(mypy_wsplugin.__file__ or "").parent.parent == Path(__file__).parent.parent
        return
    assert Path(mypy_wsplugin.__file__ or "").parent.parent == Path(directory)
    # The modules setup.py compiles from the source tree, and no other: a stale build fails.
    assert compiled == _compiled_by_setup()
    assert {"mypy_wsplugin.hooks", "mypy_wsplugin.post_pass"} <= compiled


def test_a_python_the_tests_start_loads_the_same_build() -> None:
    """What mypy's subprocesses (and the daemon) import: the same build as this process."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import mypy_wsplugin.hooks as m; print(m.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    here = importlib.util.find_spec("mypy_wsplugin.hooks")
    assert here is not None and here.origin is not None
    assert Path(loaded).parent == Path(here.origin).parent
    assert loaded.endswith(".py") == (not os.environ.get("WSPLUGIN_COMPILED"))


def test_the_compiler_probe_names_what_is_missing() -> None:
    """``make compiled`` asks scripts/check_compiler.py whether this Python can build C
    extensions: without a compiler it says why in one line, and make pytest runs the source."""
    # make compiled runs it in the newest venv (setuptools from the dev extras); a venv of
    # Python 3.12 or later has no setuptools of its own (the floor's: only the test extras).
    pytest.importorskip("setuptools")
    probe = [sys.executable, str(SETUP.parent / "scripts" / "check_compiler.py")]
    missing = subprocess.run(
        probe,
        capture_output=True,
        text=True,
        env={**os.environ, "CC": "no-such-compiler-wsplugin"},
    )
    assert missing.returncode == 1
    # One line; its wording after the error's class is setuptools' (it varies by version).
    [line] = missing.stdout.splitlines()
    assert line.startswith("cannot build C extensions here (CompileError: "), line
    assert "no-such-compiler-wsplugin" in line and "No such file or directory" in line, line
    if os.environ.get("WSPLUGIN_COMPILED"):  # this machine built the compiled package
        found = subprocess.run(probe, capture_output=True, text=True)
        assert (found.returncode, found.stdout) == (0, "")


def _mypy_classes(tree: ast.Module) -> set[str]:
    """The names a module's top level imports from mypy that are classes."""
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.module.split(".")[0] == "mypy":
            module = importlib.import_module(stmt.module)
            names.update(
                alias.name
                for alias in stmt.names
                if alias.asname is None and isinstance(getattr(module, alias.name, None), type)
            )
    return names


def _class_tests(func: ast.AST) -> list[ast.expr]:
    """The classes ``func`` tests for: ``isinstance``'s second argument (a tuple's items) and
    what ``type(x) is`` (or ``is not``) compares with."""
    found: list[ast.expr] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "isinstance" and len(node.args) == 2:
                classes = node.args[1]
                found += classes.elts if isinstance(classes, ast.Tuple) else [classes]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(
                isinstance(s, ast.Call) and isinstance(s.func, ast.Name) and s.func.id == "type"
                for s in sides
            ):
                found += [
                    right
                    for op, right in zip(node.ops, node.comparators, strict=True)
                    if isinstance(op, (ast.Is, ast.IsNot))
                ]
    return found


def test_compiled_modules_test_for_mypy_classes_through_final_names() -> None:
    """A compiled module reads a class imported from mypy from its globals at each use (a
    dict look-up: about 450 M instructions of a cold run of ``make bench``'s ALL target, 9 %
    of the plugin's cost), and a ``Final`` name as a C static: every ``isinstance`` and
    ``type(x) is`` test of a compiled module names mypy's classes through ``Final`` names,
    those of ``mypy_wsplugin/mypy_classes.py`` (docs/design.md, "A compiled build")."""
    root = SETUP.parent
    offenders: list[str] = []
    for source in sorted(_setup_module().compiled_sources()):
        tree = ast.parse((root / source).read_text(), source)
        classes = _mypy_classes(tree)
        functions = [
            n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        offenders += sorted(
            {
                f"{source}:{e.lineno}: {e.id}"
                for func in functions
                for e in _class_tests(func)
                if isinstance(e, ast.Name) and e.id in classes
            }
        )
    assert offenders == []


# Tested by identity though mypy has a subclass of it: ``FakeInfo``, the placeholder of a
# function or variable outside any class, which never stands in a symbol table
# (``overrides.classes_in`` reads every symbol table's classes so).
_IDENTITY_DESPITE_SUBCLASSES = {"TYPE_INFO"}


def test_classes_tested_by_identity_have_no_subclass_in_mypy() -> None:
    """A compiled module tests a class by identity (``type(s) is ASSIGNMENT_STMT``, ``kind in
    EXITS``) where ``isinstance`` would walk the MRO on a miss (docs/design.md, "A compiled
    build"): the two agree only for a class no other class of mypy derives from."""
    from mypy_wsplugin import mypy_classes
    from mypy_wsplugin.facts import statements

    root = SETUP.parent
    finals = {name for name in vars(mypy_classes) if name.isupper()}
    named: set[str] = set()
    for source in sorted(_setup_module().compiled_sources()):
        tree = ast.parse((root / source).read_text(), source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(
                isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops
            ):
                named.update(
                    side.id
                    for side in [node.left, *node.comparators]
                    if isinstance(side, ast.Name) and side.id in finals
                )
    assert {"ASSIGNMENT_STMT", "CALL_EXPR", "FUNC_DEF", "MEMBER_EXPR"} <= named
    classes = {name: getattr(mypy_classes, name) for name in named}
    sets = [statements.EXITS, statements.DEFINITION_HOLDERS, statements._COMPOUND]
    classes.update({cls.__name__: cls for kinds in sets for cls in kinds})
    derived = {
        name: [sub.__name__ for sub in cls.__subclasses__()]
        for name, cls in classes.items()
        if cls.__subclasses__() and name not in _IDENTITY_DESPITE_SUBCLASSES
    }
    assert derived == {}
