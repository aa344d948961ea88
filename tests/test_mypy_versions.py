"""mypy versions outside the tested range: one clear line, never a traceback.

``make test`` creates a scratch venv per version in ``OLD_MYPYS`` (the Makefile) with that
mypy and names them in ``WSPLUGIN_OLD_MYPY_VENVS``; the plugin is this source tree's, put
on ``PYTHONPATH`` (as an install without its version pin would be).
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
from pathlib import Path

import pytest

import mypy_wsplugin.mypy_internals as door
from mypy_wsplugin.mypy_internals.versions import _instance_attribute

VENVS = [Path(p) for p in os.environ.get("WSPLUGIN_OLD_MYPY_VENVS", "").split()]

PROJECT = {
    "mypy.ini": "[mypy]\nplugins = mypy_wsplugin\n",
    "plain.ini": "[mypy]\n",
    "app.py": (
        "def get_manager() -> int:\n    return 1\n\n\n"
        "async def handler() -> None:\n    await get_manager()\n"
    ),
}


SOURCE_TREE = Path(__file__).resolve().parent.parent


def run_mypy(venv: Path, root: Path, plugin: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    env["PYTHONPATH"] = str(SOURCE_TREE)
    config = ["--config-file", "mypy.ini" if plugin else "plain.ini"]
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "mypy", *config, "--no-error-summary", "app.py"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.mark.skipif(not VENVS, reason="run through `make test`, which makes the old-mypy venvs")
@pytest.mark.parametrize("venv", VENVS, ids=[p.name for p in VENVS])
def test_old_mypy_gets_one_line_and_no_traceback(venv: Path, tmp_path: Path) -> None:
    """Against the same mypy without the plugin: the plugin adds one line to what mypy
    prints on stderr (old releases warn there themselves), and on stdout either its own
    code for the finding (where its hooks work) or nothing at all (plain mypy's output)."""
    for name, text in PROJECT.items():
        (tmp_path / name).write_text(text)
    version = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import mypy.version; print(mypy.version.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    plain = run_mypy(venv, tmp_path, plugin=False)
    result = run_mypy(venv, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == plain.returncode == 1, output
    assert "Traceback" not in output and "INTERNAL ERROR" not in output, output
    said = result.stderr.splitlines()
    (line,) = [s for s in said if s.startswith("mypy_wsplugin:")]
    assert [s for s in said if s != line] == plain.stderr.splitlines(), output
    assert line.startswith(
        f"mypy_wsplugin: mypy {version} is outside the tested range 1.19 to 2.4; off: "
    ), said
    if "checks in annotated code" in line:
        assert result.stdout == plain.stdout, output
    else:
        (finding,) = result.stdout.splitlines()
        assert finding.startswith("app.py:6: error: "), finding
        assert finding.endswith("[await-not-awaitable]"), finding


def test_probe_finds_attributes_an_interpreted_mypy_only_declares() -> None:
    """A mypy installed from source runs interpreted: ``Errors.flushed_files`` is then only
    an annotation of the class, not a descriptor as in the compiled wheels.  The probe took
    that for a missing internal and switched the pass over unannotated code off (found with
    mypy 2.4.1 built without mypyc)."""

    class Interpreted:
        flushed_files: set[str]

    class Compiled:
        flushed_files = property(lambda self: set())

    assert _instance_attribute(Interpreted, "flushed_files")
    assert _instance_attribute(Compiled, "flushed_files")
    assert not _instance_attribute(Interpreted, "seen_files")


def test_every_name_behind_the_door_is_its_home_module_s() -> None:
    """``mypy_internals`` loads a submodule at the first use of one of its names: each name
    it exports has a home, and is that home's object; and the imports mypy reads (under
    ``TYPE_CHECKING``) name the same names from the same homes."""
    assert set(door._HOMES) == set(door.__all__)
    tree = ast.parse(Path(door.__file__).read_text())
    typed = {
        alias.name: node.module.rpartition(".")[2]
        for block in tree.body
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for node in block.body
        if isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names
    }
    assert typed == door._HOMES
    for name, home in door._HOMES.items():
        module = importlib.import_module(f"mypy_wsplugin.mypy_internals.{home}")
        assert getattr(door, name) is getattr(module, name), name
    missing = "no_such_internal"
    with pytest.raises(AttributeError):
        getattr(door, missing)
