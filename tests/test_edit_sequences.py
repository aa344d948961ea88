"""The plugin gives the same findings however mypy runs: cold, warm, daemon, ``-n 2``.

Each case replays a sequence of edits (see :mod:`tests.edit_sequences`) and compares, after
every step, a cold ``mypy --no-incremental`` with a warm ``mypy`` whose cache is kept, a
``dmypy`` daemon kept alive and, on mypy >= 2.4, ``mypy -n 2``.  A difference fails unless
plain mypy (the plugin removed from the config) shows it too; a crash always fails.

The seeds are fixed (the generator draws from ``random.Random(seed)`` only).  A failure
prints the seed, the step, the edits, the files and the differing lines; ``python -m
tests.edit_sequences --seed N -v`` replays it, ``--shrink`` minimizes it, and ``make fuzz``
runs many more seeds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.edit_sequences import Mode, SequenceRun, Snapshot, Tool, run_seed

TOOL = Tool(sys.executable)

# Chosen for the edits they cover (flips of functions, methods and handlers, awaits, return
# and parameter annotations, config entries and check_all_awaits, module removal, re-exports,
# touches); about a minute on 2 cores, on the newest mypy and on the floor (no -n mode there).
SEEDS = (24, 26, 35)
LENGTH = 6


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_edit_sequence(seed: int, tmp_path: Path) -> None:
    result = run_seed(TOOL, seed, LENGTH, tmp_path)
    assert result.steps == LENGTH + 1
    assert not result.failures, result.report()


# Shapes that diverged before: each a few steps, run in the modes they diverged in.

INI = "[mypy]\nplugins = mypy_wsplugin\n"


def _steps(*states: tuple[str, dict[str, str]]) -> list[Snapshot]:
    return [Snapshot(files, note) for note, files in states]


def unannotated_finding_in_an_imported_module() -> list[Snapshot]:
    """A finding inside an unannotated function, in a module that another module imports."""
    a = "def g() -> int:\n    return 1\n\n\nasync def u(x):\n    await g()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/a.py": a}
    return _steps(
        ("the finding's module alone", files),
        ("imported by another module", files | {"app/b.py": "from app.a import g\n"}),
    )


def dependency_interface_change() -> list[Snapshot]:
    """A warm run re-checks a module whose dependency's interface changed."""
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/f.py": "async def co() -> int:\n    return 1\n",
        "app/r.py": "class R:\n    def get(self) -> int:\n        return 1\n",
        "app/h.py": (
            "from app.f import co\nfrom app.r import R\n\n\n"
            "async def h() -> None:\n    await R().get()\n    await co()\n"
        ),
    }
    changed = files | {"app/f.py": 'async def co() -> str:\n    return ""\n'}
    return _steps(("co() returns int", files), ("co() returns str", changed))


def configured_factory_flipped_and_back() -> list[Snapshot]:
    """A configured sync factory turns async and back; the finding is in unannotated code
    that reaches it through the package (``from app import factory``)."""
    ini = INI + "\n[mypy_wsplugin]\nsync_factories =\n    app.factory.get_manager\n"
    sync = "class Manager:\n    pass\n\n\ndef get_manager() -> Manager:\n    return Manager()\n"
    handler = (
        "from app import factory\n\n\nasync def handle(ws):\n"
        "    return await factory.get_manager()\n"
    )
    files = {"mypy.ini": ini, "app/__init__.py": "", "app/handler.py": handler}
    asynchronous = sync.replace("def get_manager", "async def get_manager")
    return _steps(
        ("a sync factory", files | {"app/factory.py": sync}),
        ("made async", files | {"app/factory.py": asynchronous}),
        ("made sync again", files | {"app/factory.py": sync}),
    )


SHAPES = {
    "unannotated_finding_in_an_imported_module": (
        unannotated_finding_in_an_imported_module,
        (Mode.DAEMON,),
    ),
    "dependency_interface_change": (dependency_interface_change, (Mode.WARM, Mode.DAEMON)),
    "configured_factory_flipped_and_back": (configured_factory_flipped_and_back, (Mode.DAEMON,)),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_known_shape(name: str, tmp_path: Path) -> None:
    make, modes = SHAPES[name]
    result = SequenceRun(TOOL, tmp_path, make(), modes=modes).run()
    assert not result.failures, result.report()
