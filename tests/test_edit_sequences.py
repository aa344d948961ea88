"""The plugin gives the same findings however mypy runs: cold, warm, daemon and ``-n 2``.

Each case replays a sequence of edits (see :mod:`tests.edit_sequences`) and compares, after
every step, a cold ``mypy`` (every module of the project new, from the standard library's
stubs cached, so the plugin reads the whole program before mypy checks it) with a warm ``mypy``
whose cache is kept (it starts from the standard library's stubs), a ``dmypy`` daemon kept
alive and, on mypy >= 2.4, ``mypy -n 2``.  A difference fails unless plain mypy (the plugin
removed from the config) shows it too; a crash always fails.

The seeds are fixed (the generator draws only from random streams seeded by them).  A failure
prints the seed, the step, the edits, the files and the differing lines; ``python -m
tests.edit_sequences --seed N -v`` replays it, ``--shrink`` minimizes it, and ``make fuzz``
runs many more seeds.
"""

from __future__ import annotations

import argparse
import ast
import copy
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

import pytest

from mypy_wsplugin.mypy_internals import CAPABILITIES
from tests.edit_sequences import (
    Edit,
    Mode,
    Project,
    SequenceResult,
    SequenceRun,
    SetFactoryAsync,
    SetFactoryResult,
    SetKind,
    SetUnion,
    Snapshot,
    all_uses,
    generate,
    global_home,
    in_the_plugins_words,
    loop_shape,
    parse_modes,
    run_seed,
    running_tool,
    snapshots,
    storing_class,
    union_member,
)

TOOL = running_tool()
HAS_POST_PASS = CAPABILITIES.post_pass
# A sequence whose every finding comes from the pass over unannotated code or from another
# module's body (whole-program facts), both of mypy >= 2.4: below that every step of it is
# silent in every mode, and it is skipped there, as the YAML cases of that pass are
# (``skip: os.environ["WSPLUGIN_POST_PASS"] == "0"``, test-data/conftest.py).
POST_PASS_ONLY = pytest.mark.skipif(
    not HAS_POST_PASS,
    reason="whole-program facts and the pass over unannotated code need mypy >= 2.4",
)

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


def test_first_run_without_a_cache_reads_the_whole_program(tmp_path: Path) -> None:
    """A run with no cache answers the hook questions of names nothing awaits from the whole
    parsed program (facts/awaited_names); this seed awaits a plain function imported under
    an alias, with no factory configured, at its first step: a set that missed the
    original names of ``import ... as`` lost that finding in a run with no cache only (the
    ``cold`` reference), not in a ``warm`` one."""
    result = run_seed(TOOL, 24059, 3, tmp_path, modes=(Mode.WARM,))
    assert result.steps == 4
    assert not result.failures, result.report()


def test_removed_module_a_dependency_of_another(tmp_path: Path) -> None:
    """An update that removes a module whose class the plugin read in another module's
    unannotated code: handed to mypy as that module's dependency in the daemon too, it
    crashed the daemon (``KeyError`` in ``dmypy_server.direct_imports``, make fuzz seed
    52124, a regression of facts/dependencies): the daemon gets no such dependency."""
    result = run_seed(TOOL, 52124, 1, tmp_path, modes=(Mode.DAEMON,))
    assert result.steps == 2
    assert not result.failures, result.report()


# Shapes that diverged (known bugs, and what make fuzz found): each a few steps, run in the
# modes they diverged in.

INI = "[mypy]\nplugins = mypy_wsplugin\n"


def _steps(*states: tuple[str, dict[str, str]]) -> list[Snapshot]:
    return [Snapshot(files, note) for note, files in states]


def _lib_changes(use: str, defs: dict[str, str], *steps: tuple[str, str]) -> list[Snapshot]:
    """``app/use.py`` as ``use`` at every step, ``app/lib.py`` the one of ``defs`` each step
    names (its note, the key in ``defs``)."""
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/use.py": use}
    return _steps(*((note, files | {"app/lib.py": defs[kind]}) for note, kind in steps))


def _agreeing(
    tmp_path: Path, snaps: list[Snapshot], modes: tuple[Mode, ...] | None = None
) -> SequenceResult:
    """``snaps`` run in ``modes`` (every mode the running mypy has, by default), each of
    which must agree with the cold run at every step."""
    result = SequenceRun(
        TOOL, tmp_path, snaps, modes=modes if modes is not None else TOOL.modes()
    ).run()
    assert not result.failures, result.report()
    return result


def _cold_errors(result: SequenceResult) -> list[list[str]]:
    """Each step's error messages in the cold run (what follows ``error: ``), sorted."""
    return [sorted(line.split(": error: ")[1] for line in lines) for lines in result.cold]


def _unannotated_findings(tmp_path: Path, snaps: list[Snapshot], expected: list[list[str]]) -> None:
    """Every mode agrees with the cold run of ``snaps``, whose error messages at each step
    are ``expected`` (sorted): findings of the pass over unannotated code (the test is
    :data:`POST_PASS_ONLY`)."""
    found = _cold_errors(_agreeing(tmp_path, snaps))
    assert found == expected


def _dropped(what: str) -> str:
    """The message of a dropped coroutine of ``what`` (``"Conn.execute()"``)."""
    return (
        f'Coroutine "{what}" is used without "await" (it is dropped and never runs); '
        'add "await"  [missing-await]'
    )


def _awaited(what: str, returned: str) -> str:
    """The message of an awaited call of ``what`` that returns ``returned``."""
    return (
        f'Cannot await "{what}": it returns "{returned}", which is not awaitable; '
        'remove the "await"  [await-not-awaitable]'
    )


def _execute_classes(name: str) -> str:
    """A module with class ``name``, whose ``execute`` is ``{kind}def`` (``"async "`` or
    ``""``), and class ``Other``, whose ``execute`` is an ``async def``."""
    return (
        f"class {name}:\n    {{kind}}def execute(self):\n        return 1\n\n\n"
        "class Other:\n    async def execute(self):\n        return 1\n"
    )


def _execute_findings(name: str) -> list[list[str]]:
    """The findings of the five steps these sequences share: ``execute`` async (dropped),
    sync (awaited, ``int``), ``Other``'s (dropped), neither class known, back."""
    dropped = _dropped(f"{name}.execute()")
    return [
        [dropped],
        [_awaited(f"{name}.execute()", "int")],
        [_dropped("Other.execute()")],
        [],
        [dropped],
    ]


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


def unresolved_import_and_unannotated_helper() -> list[Snapshot]:
    """An annotated handler awaits an unannotated same-module helper that returns nothing;
    the module has an unresolved import and is re-checked after its package changed."""
    handler = (
        "import app.gone\n\n\ndef helper():\n    print()\n\n\n"
        "async def handler(x) -> None:\n    await helper()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "x = 1\n", "app/h.py": handler}
    return _steps(
        ("a helper returning nothing awaited", files),
        ("the package's interface changes", files | {"app/__init__.py": 'x = ""\n'}),
    )


def result_class_not_found_note() -> list[Snapshot]:
    """The note for a RESULT class that does not exist ("says so once"), with two callers."""
    ini = INI + "\n[mypy_wsplugin]\nsync_factories =\n    app.a.get -> app.a.Missing\n"
    use = "from app.a import get\n\n\nasync def h() -> None:\n    await get()\n"
    files = {
        "mypy.ini": ini,
        "app/__init__.py": "",
        "app/a.py": "def get():\n    return 1\n",
        "app/b.py": use,
        "app/c.py": use,
    }
    return _steps(
        ("two callers of a factory whose RESULT is missing", files),
        ("one caller edited", files | {"app/b.py": use + "\n\nx = 1\n"}),
    )


def result_class_defined_later() -> list[Snapshot]:
    """The RESULT's module exists without the class, then the class is defined there, then
    it gains a method: callers that are not edited follow (the factory's module alone
    depends on the RESULT's module; each caller through what it looked up there)."""
    ini = INI + "\n[mypy_wsplugin]\nsync_factories =\n    app.a.get -> app.models.Manager\n"
    use = "from app.a import get\n\n\nasync def h() -> None:\n    m = get()\n    m.go()\n"
    files = {
        "mypy.ini": ini,
        "app/__init__.py": "",
        "app/a.py": "def get():\n    return 1\n",
        "app/b.py": use,
        "app/models.py": "x = 1\n",
    }
    manager = "class Manager:\n    pass\n"
    return _steps(
        ("no RESULT class", files),
        ("the class defined", files | {"app/models.py": manager}),
        ("a method added", files | {"app/models.py": manager + "\n    def go(self): ...\n"}),
        ("the class removed", files),
    )


def reexport_and_a_local_instance_in_one_update() -> list[Snapshot]:
    """As above, with a class: a new module makes an instance of a class the package
    re-exports in the same edit, and awaits its sync method in unannotated code.  The
    failed import left the class's name a ``Var`` where the instance was looked for
    (make fuzz seed 28072; ``facts.bindings.bound`` maps it through the import)."""
    m1 = "class C7:\n    def get(self) -> int:\n        raise ValueError()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m1.py": m1}
    use = "from app import C7\n\n\nasync def h(x):\n    obj = C7()\n    await obj.get()\n"
    return _steps(
        ("nothing re-exported", files),
        (
            "re-exported and used",
            files | {"app/__init__.py": "from app.m1 import C7\n", "app/m6.py": use},
        ),
    )


def reexport_and_its_awaited_use_in_one_update() -> list[Snapshot]:
    """The package re-exports a sync function, and an unannotated ``async def`` of another
    module imports it from the package and awaits it, in one edit.  The daemon analysed
    that module before the package's new version (its import failed then) and ran the pass
    over unannotated code before re-analysing it (make fuzz seeds 7001 and 7016)."""
    m5 = "class C:\n    pass\n\n\ndef load(x: int) -> C:\n    return C()\n"
    m1 = "async def h(x):\n    return 1\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m5.py": m5, "app/m1.py": m1}
    use = "from app import load\n\n\nasync def h(x):\n    v = await load(1)\n    return v\n"
    return _steps(
        ("nothing re-exported", files),
        (
            "re-exported and awaited",
            files | {"app/__init__.py": "from app.m5 import load\n", "app/m1.py": use},
        ),
    )


def unannotated_callee_turns_sync() -> list[Snapshot]:
    """An unannotated ``async def`` awaited in checked code of another module (through a
    package re-export) turns sync, then async again.  mypy's daemon snapshot of an
    unannotated def does not say ``async``, so the caller was not re-checked and the
    finding was missing (make fuzz seed 10007)."""
    use = "from app import load\n\n\nasync def h(x) -> None:\n    await load(1)\n"
    files = {"mypy.ini": INI, "app/__init__.py": "from app.m1 import load\n", "app/m2.py": use}
    coroutine = "async def load(x):\n    return 1\n"
    plain = "def load(x):\n    return 1\n"
    return _steps(
        ("async", files | {"app/m1.py": coroutine}),
        ("sync", files | {"app/m1.py": plain}),
        ("async again", files | {"app/m1.py": coroutine}),
        ("raises", files | {"app/m1.py": "def load(x):\n    raise ValueError()\n"}),
    )


def unannotated_callees_with_unknown_results_turn_async() -> list[Snapshot]:
    """Unannotated sync defs whose results cannot be known (no result is kept for them)
    turn ``async``, and back: a function, and a method defined under an ``if`` in its
    class.  Their annotated caller in another module drops both calls.  Between the flips,
    the callees' module is analysed again without being edited (an alias it uses at its
    top level changes; the daemon deletes the module's names and analyses it again).
    Without the ``async`` marks (facts/stored_results) the daemon missed the caller's new
    findings on every mypy (its snapshot of an unannotated def has no ``async``)."""
    sync = (
        "import os\n\nfrom app.c import T\n\nLIMIT: T = 1\n\n\n"
        "def load(x):\n    return os.environ.get(x).strip()\n\n\n"
        "class K:\n    if LIMIT:\n\n        def m(self):\n            return os.getcwd().split()\n"
    )
    asynchronous = sync.replace("def load", "async def load").replace("def m", "async def m")
    use = "from app.m1 import K, load\n\n\nasync def h() -> None:\n    load(1)\n    K().m()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/c.py": "T = int\n", "app/m2.py": use}
    return _steps(
        ("sync", files | {"app/m1.py": sync}),
        ("async", files | {"app/m1.py": asynchronous}),
        (
            "the module analysed again",
            files | {"app/m1.py": asynchronous, "app/c.py": "T = float\n"},
        ),
        ("sync again", files | {"app/m1.py": sync, "app/c.py": "T = float\n"}),
        ("async again", files | {"app/m1.py": asynchronous, "app/c.py": "T = float\n"}),
    )


def test_unannotated_callees_with_unknown_results_turn_async_under_the_daemon(
    tmp_path: Path,
) -> None:
    """The daemon agrees with the cold run (where mypy's own daemon does not), and the cold
    run reports both dropped calls at each ``async`` step and nothing at the ``sync`` ones.
    (A warm run sees ``async`` in the cached definition; ``make fuzz`` compares every mode
    on such edits.)"""
    snaps = unannotated_callees_with_unknown_results_turn_async()
    result = _agreeing(tmp_path, snaps, (Mode.DAEMON,))
    # mypy's own daemon misses its [unused-coroutine] here (2.4.1 too): the harness would
    # call the plugin's missing finding mypy's difference; the plugin has none.
    assert not result.mypy_own, result.mypy_own
    dropped = (
        'app/m2.py:{}: error: Coroutine "{}" is used without "await" (it is dropped and never '
        'runs); add "await"  [missing-await]'
    )
    load, method = dropped.format(5, "load()"), dropped.format(6, "K.m()")
    both = [load, method]
    assert [[line for line in lines if line in both] for lines in result.cold] == [
        [],
        both,
        both,
        [],
        both,
    ]


def declared_factory_results_change() -> list[Snapshot]:
    """A receiver known from its callee's declared result (``make() -> K``, a class method
    ``-> K``), in an unannotated module: as a local, right at the call, and as an attribute
    set in ``setUp``.  The declared result changes to a class whose ``close`` is ``async
    def``, and back, in the callee's module only; then a module the caller uses changes,
    and the daemon analyses the caller again (its kept maps must follow the signature,
    not only the name: the definition stays the same object in the daemon)."""
    k = (
        "class K:\n    def close(self) -> int:\n        return 1\n\n"
        "    @classmethod\n    def create(cls) -> {create}:\n        return {create}()\n\n\n"
        "class A:\n    async def close(self) -> None:\n        pass\n\n"
        "    @classmethod\n    def create(cls) -> 'A':\n        return A()\n\n\n"
        "def make() -> {made}:\n    return {made}()\n"
    )
    use = (
        "from app.c import LIMIT\nfrom app.k import K, make\n\n\n"
        "async def u(x):\n    obj = make()\n    print(LIMIT)\n    await obj.close()\n"
        "    await make().close()\n    await K.create().close()\n\n\n"
        "class T:\n    def setUp(self):\n        self.k = make()\n\n"
        "    async def test_close(self):\n        await self.k.close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m2.py": use, "app/c.py": "LIMIT = 1\n"}
    as_k = {"app/k.py": k.format(made="K", create="'K'")}
    as_a = {"app/k.py": k.format(made="A", create="'A'")}
    return _steps(
        ("make() -> K", files | as_k),
        ("make() -> A, K.create() -> A", files | as_a),
        ("back to K", files | as_k),
        ("a module the caller uses changes", files | as_k | {"app/c.py": "LIMIT = 's'\n"}),
    )


def declared_factory_result_behind_an_inferred_result() -> list[Snapshot]:
    """An unannotated method returns what a method of an attribute gives, the attribute set
    by a factory whose result is declared (``self.k = make()``, ``return self.k.close()``),
    in a module of its own; a caller awaits that method.  The factory's declared result
    changes to a class whose ``close`` is ``async def`` and back: the inferred result kept
    for ``get`` must change with it, in the daemon too."""
    k = (
        "class K:\n    def close(self) -> int:\n        return 1\n\n\n"
        "class A:\n    async def close(self) -> None:\n        pass\n\n\n"
        "def make() -> {made}:\n    return {made}()\n"
    )
    holder = (
        "from app.k import make\n\n\n"
        "class Holder:\n    def __init__(self):\n        self.k = make()\n\n"
        "    def get(self):\n        return self.k.close()\n"
    )
    use = "from app.x import Holder\n\n\nasync def u(x):\n    await Holder().get()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/x.py": holder, "app/m2.py": use}
    return _steps(
        ("make() -> K", files | {"app/k.py": k.format(made="K")}),
        ("make() -> A", files | {"app/k.py": k.format(made="A")}),
        ("back to K", files | {"app/k.py": k.format(made="K")}),
    )


@POST_PASS_ONLY
def test_declared_factory_result_behind_an_inferred_result(tmp_path: Path) -> None:
    snaps = declared_factory_result_behind_an_inferred_result()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:5: error: Cannot await "Holder.get()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    expected = [[awaited], [], [awaited]]
    found = [[line for line in lines if "await-not" in line] for lines in result.cold]
    assert found == expected


@POST_PASS_ONLY
def test_declared_factory_results_change(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run reports each awaited
    ``K.close()`` exactly while the declared result is ``K``."""
    snaps = declared_factory_results_change()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:{}: error: Cannot await "K.close()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    every = sorted(awaited.format(line) for line in (8, 9, 10, 18))
    expected = [every, [], every, every]
    found = [sorted(line for line in lines if "await-not" in line) for lines in result.cold]
    assert found == expected


def declared_result_changed_through_another_module() -> list[Snapshot]:
    """The factory's module is not edited: its declared result is an alias defined in a
    third module (``def make() -> KT`` where ``app/kinds.py`` says ``KT = K``; a method
    declared ``-> kinds.KT``), and the alias turns to a class whose ``close`` is
    ``async def``, and back.  The daemon runs the pass over unannotated code before it
    analyses the factories' signatures again (``facts.bindings.declared_signature``)."""
    kinds = (
        "class K:\n    def close(self) -> int:\n        return 1\n\n\n"
        "class A:\n    async def close(self) -> None:\n        pass\n\n\nKT = {kt}\n"
    )
    factory = (
        "from app import kinds\nfrom app.kinds import KT\n\n\n"
        "def make() -> KT:\n    return KT()\n\n\n"
        "class F:\n    def make(self) -> kinds.KT:\n        return kinds.KT()\n"
    )
    use = (
        "from app.k import F, make\n\n\n"
        "async def u(x):\n    obj = make()\n    await obj.close()\n    make().close()\n"
        "    await F().make().close()\n\n\n"
        "class T:\n    def setUp(self):\n        self.k = F().make()\n\n"
        "    async def test_close(self):\n        await self.k.close()\n        self.k.close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/k.py": factory, "app/m2.py": use}
    return _steps(
        ("KT = K", files | {"app/kinds.py": kinds.format(kt="K")}),
        ("KT = A", files | {"app/kinds.py": kinds.format(kt="A")}),
        ("back to K", files | {"app/kinds.py": kinds.format(kt="K")}),
    )


@POST_PASS_ONLY
def test_declared_result_changed_through_another_module(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run follows the alias."""
    snaps = declared_result_changed_through_another_module()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:{}: error: Cannot await "K.close()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    dropped = (
        'app/m2.py:{}: error: Coroutine "A.close()" is used without "await" (it is dropped '
        'and never runs); add "await"  [missing-await]'
    )
    every = sorted(awaited.format(line) for line in (6, 8, 16))
    drops = sorted(dropped.format(line) for line in (7, 17))
    expected = [every, drops, every]
    found = [sorted(line for line in lines if "-await" in line) for lines in result.cold]
    assert found == expected


def callable_object_changes_in_another_module() -> list[Snapshot]:
    """A factory decorated by a typed decorator that gives an object (``@job`` makes a
    ``Job[K]``); the object's class, in a third module, changes what its ``__call__`` gives
    (``-> R``, then ``-> A`` whose ``close`` is ``async def``), and back.  The decorated
    type stays ``Job[K]``: the kept maps of locals and ``setUp`` attributes must follow
    what the call gives, not only that type (a review found them stuck in the daemon)."""
    wrap = (
        "from typing import Callable, Generic, TypeVar\n\nR = TypeVar('R')\n\n\n"
        "class A:\n    async def close(self) -> None:\n        pass\n\n\n"
        "class Job(Generic[R]):\n    def __init__(self, f: Callable[[], R]) -> None:\n"
        "        self.f = f\n\n    def __call__(self) -> {result}:\n        return {made}\n\n\n"
        "def job(f: Callable[[], R]) -> Job[R]:\n    return Job(f)\n"
    )
    factory = (
        "from app.wrap import job\n\n\nclass K:\n    def close(self) -> int:\n"
        "        return 1\n\n\n@job\ndef make() -> K:\n    return K()\n"
    )
    use = (
        "from app.k import make\n\n\n"
        "async def u(x):\n    obj = make()\n    await obj.close()\n    make().close()\n\n\n"
        "class T:\n    def setUp(self):\n        self.k = make()\n\n"
        "    async def test_close(self):\n        await self.k.close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/k.py": factory, "app/m2.py": use}
    generic = {"app/wrap.py": wrap.format(result="R", made="self.f()")}
    fixed = {"app/wrap.py": wrap.format(result="A", made="A()")}
    return _steps(
        ("__call__ -> R", files | generic),
        ("__call__ -> A", files | fixed),
        ("back to R", files | generic),
    )


@POST_PASS_ONLY
def test_callable_object_changes_in_another_module(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run follows ``__call__``."""
    snaps = callable_object_changes_in_another_module()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:{}: error: Cannot await "K.close()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    dropped = (
        'app/m2.py:7: error: Coroutine "A.close()" is used without "await" (it is dropped '
        'and never runs); add "await"  [missing-await]'
    )
    every = sorted(awaited.format(line) for line in (6, 15))
    expected = [every, [dropped], every]
    found = [sorted(line for line in lines if "-await" in line) for lines in result.cold]
    assert found == expected


def self_results_change() -> list[Snapshot]:
    """A method declared ``-> Self`` gives the receiver's class to a chained call, and to a
    local or a ``setUp`` attribute bound to such a call, and ``__aenter__`` to an ``async
    with`` target (of a new instance, and of a local), in unannotated functions; then they
    are declared ``-> Other`` (whose ``size`` is ``async def``), a subclass's ``size`` turns
    ``async``, and back: the findings follow the declarations in every mode (the caller's
    module is never edited)."""
    pools = (
        "from typing_extensions import Self\n\n\n"
        "class Other:\n    async def size(self) -> int:\n        return 1\n\n\n"
        "class Pool:\n    def clone(self) -> {clone}:\n        return {made}\n\n"
        "    async def __aenter__(self) -> {clone}:\n        return {made}\n\n"
        "    async def __aexit__(self, *exc: object) -> None:\n        pass\n\n"
        "    def size(self) -> int:\n        return 1\n\n\n"
        "class Sub(Pool):\n    {sub}def size(self) -> int:  # type: ignore[override]\n"
        "        return 2\n"
    )
    use = (
        "from app.pools import Pool, Sub\n\n\n"
        "async def u(x):\n    await Pool().clone().size()\n    Sub().clone().size()\n\n\n"
        "async def v(x):\n    p = Pool().clone()\n    await p.size()\n"
        "    s = Sub().clone()\n    s.size()\n\n\n"
        "class T:\n    def setUp(self):\n        self.k = Pool().clone()\n\n"
        "    async def test_size(self):\n        await self.k.size()\n\n\n"
        "async def w(x):\n    async with Pool() as c:\n        await c.size()\n"
        "    m = Pool()\n    async with m as d:\n        await d.size()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m2.py": use}

    def state(clone: str, sub: str) -> dict[str, str]:
        made = "self" if clone == "Self" else "Other()"
        return files | {"app/pools.py": pools.format(clone=clone, made=made, sub=sub)}

    return _steps(
        ("-> Self", state("Self", "")),
        ("Sub.size async", state("Self", "async ")),
        ("-> Other", state("Other", "async ")),
        ("back", state("Self", "")),
    )


@POST_PASS_ONLY
def test_self_results_change(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run follows the declarations."""
    snaps = self_results_change()
    result = _agreeing(tmp_path, snaps)
    awaited = sorted(
        f'app/m2.py:{line}: error: Cannot await "Pool.size()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
        for line in (5, 11, 21, 26, 29)
    )
    dropped = (
        'app/m2.py:{}: error: Coroutine "{}.size()" is used without "await" (it is dropped '
        'and never runs); add "await"  [missing-await]'
    )
    expected = [
        awaited,
        sorted([*awaited, dropped.format(6, "Sub"), dropped.format(13, "Sub")]),
        sorted([dropped.format(6, "Other"), dropped.format(13, "Other")]),
        awaited,
    ]
    found = [sorted(line for line in lines if "-await" in line) for lines in result.cold]
    assert found == expected


def declared_any_while_names_are_rebound() -> list[Snapshot]:
    """A function declared ``-> Any`` (typeshed's ``Any`` is a class), awaited in an
    unannotated function, while another module is edited: the daemon's pass after the edit
    reads declared results again (``bindings.declared_signature``), and read ``Any`` as an
    instance of that class, not awaitable (found by the generated sequences, seeds 46031
    and 46060)."""
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/m4.py": "from typing import Any\n\n\ndef make(x: int) -> Any:\n    print()\n",
        "app/m1.py": (
            "from app.m4 import make\n\n\nasync def h(x):\n    print((await make(1)).value)\n"
            "    await make(2)\n"
        ),
    }
    return _steps(
        ("initial", files | {"app/m3.py": "X = 1\n"}),
        ("edit another module", files | {"app/m3.py": "X = 2\n"}),
        ("and again", files | {"app/m3.py": "X = 3\n"}),
    )


def test_declared_any_while_names_are_rebound(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, which finds nothing."""
    snaps = declared_any_while_names_are_rebound()
    result = _agreeing(tmp_path, snaps)
    assert [[line for line in lines if "-await" in line] for lines in result.cold] == [[]] * 3


def awaited_results_change() -> list[Snapshot]:
    """A local bound to an awaited call of an ``async def`` that declares an instance result
    (a function, and a method of a local made in the function), and that awaited call as a
    receiver, in unannotated functions; the declared result turns from ``Conn`` (whose
    ``size`` is sync) to ``Other`` (``async def size``), and back: the findings follow the
    declarations in every mode (the caller's module is never edited)."""
    conns = (
        "class Other:\n    async def size(self) -> int:\n        return 1\n\n\n"
        "class Conn:\n    def size(self) -> int:\n        return 1\n\n\n"
        "async def connect() -> {res}:\n    return {res}()\n\n\n"
        "class Pool:\n    async def acquire(self) -> {res}:\n        return {res}()\n"
    )
    use = (
        "from app.conns import Pool, connect\n\n\n"
        "async def u(x):\n    c = await connect()\n    await c.size()\n"
        "    (await connect()).size()\n\n\n"
        "async def v(x):\n    p = Pool()\n    d = await p.acquire()\n    await d.size()\n"
        "    (await p.acquire()).size()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m2.py": use}
    return _steps(
        ("-> Conn", files | {"app/conns.py": conns.format(res="Conn")}),
        ("-> Other", files | {"app/conns.py": conns.format(res="Other")}),
        ("back", files | {"app/conns.py": conns.format(res="Conn")}),
    )


@POST_PASS_ONLY
def test_awaited_results_change(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run follows the declarations."""
    snaps = awaited_results_change()
    result = _agreeing(tmp_path, snaps)
    awaited = sorted(
        f'app/m2.py:{line}: error: Cannot await "Conn.size()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
        for line in (6, 13)
    )
    dropped = sorted(
        f'app/m2.py:{line}: error: Coroutine "Other.size()" is used without "await" (it is '
        'dropped and never runs); add "await"  [missing-await]'
        for line in (7, 14)
    )
    found = [sorted(line for line in lines if "-await" in line) for lines in result.cold]
    assert found == [awaited, dropped, awaited]


def self_result_attribute_changes() -> list[Snapshot]:
    """A ``setUp`` attribute bound to ``Pool().clone()``, in a module with no other finding
    (so the daemon has no error there to re-check): ``clone`` is declared ``-> Other``
    (whose ``size`` is ``async def``), then ``-> Self``, and back.  The kept map of the
    class's attributes must follow the method's declaration, which no name in the caller's
    tree names (``bindings.members_unchanged``; without it the daemon stayed behind)."""
    pools = (
        "from typing_extensions import Self\n\n\n"
        "class Other:\n    async def size(self) -> int:\n        return 1\n\n\n"
        "class Pool:\n    def clone(self) -> {clone}:\n        return {made}\n\n"
        "    def size(self) -> int:\n        return 1\n"
    )
    use = (
        "from app.pools import Pool\n\n\n"
        "class T:\n    def setUp(self):\n        self.k = Pool().clone()\n\n"
        "    async def test_size(self):\n        await self.k.size()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m2.py": use}

    def state(clone: str) -> dict[str, str]:
        made = "self" if clone == "Self" else "Other()"
        return files | {"app/pools.py": pools.format(clone=clone, made=made)}

    return _steps(
        ("-> Other", state("Other")),
        ("-> Self", state("Self")),
        ("-> Other again", state("Other")),
        ("-> Self again", state("Self")),
    )


@POST_PASS_ONLY
def test_self_result_attribute_changes(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run follows the declaration."""
    snaps = self_result_attribute_changes()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:9: error: Cannot await "Pool.size()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    expected = [[], [awaited], [], [awaited]]
    found = [[line for line in lines if "-await" in line] for lines in result.cold]
    assert found == expected


def isinstance_narrowing_changes() -> list[Snapshot]:
    """A local made as a ``Pool`` and a parameter, each tested as a ``Sub`` (defined in
    another module) in an unannotated function: ``Sub.size`` turns ``async``, ``Sub``
    stops deriving from ``Pool`` (the local is then not claimed in the test's body), and
    back; then ``Sub`` becomes an alias (a test through an alias is not followed), and
    back.  The caller's module is never edited: the findings follow ``Sub`` in every mode."""
    pools = "class Pool:\n    def size(self) -> int:\n        return 1\n"
    subs = (
        "from app.pools import Pool\n\n\n"
        "class Sub({base}):\n    {sub}def size(self) -> int:  # type: ignore[override]\n"
        "        return 2\n"
    )
    use = (
        "from app.pools import Pool\nfrom app.subs import Sub\n\n\n"
        "async def u(x):\n    p = Pool()\n    if isinstance(p, Sub):\n        await p.size()\n"
        "    if isinstance(x, Sub):\n        x.size()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/pools.py": pools, "app/m2.py": use}

    def state(base: str, sub: str) -> dict[str, str]:
        return files | {"app/subs.py": subs.format(base=base, sub=sub)}

    aliased = subs.format(base="Pool", sub="async ").replace("class Sub(", "class Real(")
    return _steps(
        ("Sub.size sync", state("Pool", "")),
        ("Sub.size async", state("Pool", "async ")),
        ("Sub unrelated to Pool", state("object", "")),
        ("back", state("Pool", "")),
        ("Sub an alias", files | {"app/subs.py": aliased + "\n\nSub = Real\n"}),
        ("back again", state("Pool", "")),
    )


@POST_PASS_ONLY
def test_isinstance_narrowing_changes(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run follows the tested class."""
    snaps = isinstance_narrowing_changes()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:8: error: Cannot await "Sub.size()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    dropped = (
        'app/m2.py:10: error: Coroutine "Sub.size()" is used without "await" (it is dropped '
        'and never runs); add "await"  [missing-await]'
    )
    expected = [[awaited], [dropped], [], [awaited], [], [awaited]]
    found = [[line for line in lines if "-await" in line] for lines in result.cold]
    assert found == expected


def configured_factory_decorated_into_a_callable_object() -> list[Snapshot]:
    """A configured sync factory, awaited in checked code, gets a decorator that makes it
    a callable object (mypy then names the call ``Job.__call__``), and loses it again: the
    entry keeps matching, and every mode agrees."""
    jobs = (
        "from typing import Callable, Generic, TypeVar\n\nR = TypeVar('R')\n\n\n"
        "class Job(Generic[R]):\n    def __init__(self, f: Callable[[], R]) -> None:\n"
        "        self.f = f\n\n    def __call__(self) -> R:\n        return self.f()\n\n\n"
        "def job(f: Callable[[], R]) -> Job[R]:\n    return Job(f)\n\n\n"
        "class Pool:\n    pass\n\n\n{decorator}def make_pool() -> Pool:\n    return Pool()\n"
    )
    use = "from app.jobs import make_pool\n\n\nasync def h() -> None:\n    await make_pool()\n"
    ini = INI + "[mypy_wsplugin]\ncheck_all_awaits = false\nsync_factories = app.jobs.make_pool\n"
    files = {"mypy.ini": ini, "app/__init__.py": "", "app/m2.py": use}
    return _steps(
        ("plain", files | {"app/jobs.py": jobs.format(decorator="")}),
        ("@job", files | {"app/jobs.py": jobs.format(decorator="@job\n")}),
        ("plain again", files | {"app/jobs.py": jobs.format(decorator="")}),
    )


def test_configured_factory_decorated_into_a_callable_object(tmp_path: Path) -> None:
    snaps = configured_factory_decorated_into_a_callable_object()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:5: error: Cannot await "make_pool()": it returns "Pool", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    found = [[line for line in lines if "await" in line] for lines in result.cold]
    assert found == [[awaited]] * 3


def constructor_new_changes() -> list[Snapshot]:
    """A class's ``__new__`` comes to declare a subclass whose ``close`` is ``async def``,
    and goes again: a local made by the constructor, a ``setUp`` attribute and the call
    itself follow it in every mode."""
    conns = (
        "class Conn:\n{new}    def close(self) -> int:\n        return 1\n\n\n"
        "class AsyncConn(Conn):\n    async def close(self) -> int:  # type: ignore[override]\n"
        "        return 2\n"
    )
    new = "    def __new__(cls) -> 'AsyncConn':\n        return object.__new__(AsyncConn)\n\n"
    use = (
        "from app.conns import Conn\n\n\n"
        "async def u(x):\n    c = Conn()\n    await c.close()\n    await Conn().close()\n\n\n"
        "class T:\n    def setUp(self):\n        self.c = Conn()\n\n"
        "    async def test_close(self):\n        await self.c.close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m2.py": use}
    return _steps(
        ("no __new__", files | {"app/conns.py": conns.format(new="")}),
        ("__new__ -> AsyncConn", files | {"app/conns.py": conns.format(new=new)}),
        ("no __new__ again", files | {"app/conns.py": conns.format(new="")}),
    )


@POST_PASS_ONLY
def test_constructor_new_changes(tmp_path: Path) -> None:
    snaps = constructor_new_changes()
    result = _agreeing(tmp_path, snaps)
    awaited = (
        'app/m2.py:{}: error: Cannot await "Conn.close()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    every = sorted(awaited.format(line) for line in (6, 7, 15))
    found = [sorted(line for line in lines if "-await" in line) for lines in result.cold]
    assert found == [every, [], every]


def method_on_a_receiver_mypy_typed_changes() -> list[Snapshot]:
    """In checked code, an unannotated method called on an attribute mypy typed from a
    declared parameter (``self._r = r``, ``r: R``) returns a coroutine, then a plain
    value, then a coroutine again: every mode follows its body."""
    streams = (
        "class R:\n    async def readany(self) -> bytes:\n        return b''\n\n"
        "    def at_eof(self):\n        return {result}\n"
    )
    use = (
        "from app.streams import R\n\n\nclass U:\n    def __init__(self, r: R) -> None:\n"
        "        self._r = r\n\n    async def h(self) -> None:\n        self._r.at_eof()\n"
        "        await self._r.at_eof()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m2.py": use}
    coroutine = files | {"app/streams.py": streams.format(result="self.readany()")}
    return _steps(
        ("a coroutine", coroutine),
        ("a bool", files | {"app/streams.py": streams.format(result="False")}),
        ("a coroutine again", coroutine),
    )


@POST_PASS_ONLY
def test_method_on_a_receiver_mypy_typed_changes(tmp_path: Path) -> None:
    snaps = method_on_a_receiver_mypy_typed_changes()
    result = _agreeing(tmp_path, snaps)
    dropped = (
        'app/m2.py:9: error: Coroutine "R.at_eof()" is used without "await" (it is dropped '
        'and never runs); add "await"  [missing-await]'
    )
    awaited = (
        'app/m2.py:10: error: Cannot await "R.at_eof()": it returns "bool", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    found = [sorted(line for line in lines if "-await" in line) for lines in result.cold]
    assert found == [[dropped], [awaited], [dropped]]


def local_instance_when_the_caller_is_analysed_again() -> list[Snapshot]:
    """A method of a local the function made (``obj = K()``) is awaited in checked code and
    in an unannotated function; then a module both functions use changes, and the daemon
    analyses them again (new ``Var``s in the same body: a map kept by body alone went stale,
    and the findings fell back to mypy's or vanished; make fuzz seeds 27001 and 27017)."""
    k = "class K:\n    def close(self):\n        return 1\n"
    use = (
        "from app.c import LIMIT\nfrom app.k import K\n\n\n"
        "async def h() -> None:\n    obj = K()\n    print(LIMIT)\n    await obj.close()\n\n\n"
        "async def u(x):\n    obj = K()\n    print(LIMIT)\n    await obj.close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/k.py": k, "app/m2.py": use}
    return _steps(
        ("an int", files | {"app/c.py": "LIMIT = 1\n"}),
        ("a str", files | {"app/c.py": "LIMIT = 's'\n"}),
    )


@POST_PASS_ONLY
def test_local_instance_when_the_caller_is_analysed_again(tmp_path: Path) -> None:
    snaps = local_instance_when_the_caller_is_analysed_again()
    result = _agreeing(tmp_path, snaps, (Mode.DAEMON, Mode.WARM))
    awaited = (
        'app/m2.py:{}: error: Cannot await "K.close()": it returns "int", which is not '
        'awaitable; remove the "await"  [await-not-awaitable]'
    )
    expected = [awaited.format(8), awaited.format(14)]
    found = [sorted(line for line in lines if "await-not" in line) for lines in result.cold]
    assert found == [sorted(expected)] * 2


def test_modes_named_on_the_command_line() -> None:
    """``make fuzz``'s ``--modes``: cold always runs, and a name that is no mode (such as the
    ``fresh`` of earlier versions, now the cold reference) is one argparse error."""
    assert parse_modes("cold, warm,parallel") == (Mode.WARM, Mode.PARALLEL)
    with pytest.raises(argparse.ArgumentTypeError, match="unknown mode fresh"):
        parse_modes("warm,fresh")


def test_cold_reference_starts_from_the_stubs_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cold reference starts from the standard library's stubs cached at every step;
    ``--no-cache-every-step`` (make fuzz) makes every step a project's first run, with no
    cache at all.  Both give the same lines at every step."""
    seeded: list[Path] = []
    seed_cache = TOOL.seed_cache

    def counting(config: str, cache: Path) -> Path:
        seeded.append(cache)
        return seed_cache(config, cache)

    monkeypatch.setattr(TOOL, "seed_cache", counting)
    awaited = "def get() -> int:\n    return 1\n\nasync def use() -> None:\n    await get()\n"
    fixed = awaited.replace("await get()", "get()")
    dropped = fixed.replace("def get() -> int", "async def get() -> int")
    snaps = _steps(
        *(
            (note, {"mypy.ini": INI, "app/__init__.py": "", "app/m.py": text})
            for note, text in [
                ("a sync function awaited", awaited),
                ("the await taken away", fixed),
                ("the function made async", dropped),
                ("the await put back", dropped.replace("    get()", "    await get()")),
            ]
        )
    )
    cached = SequenceRun(TOOL, tmp_path / "cached", snaps, modes=()).run()
    assert len(seeded) == 4, "every step starts from the stubs cached"
    seeded.clear()
    every = SequenceRun(TOOL, tmp_path / "every", snaps, modes=(), no_cache_every_step=True).run()
    assert seeded == []
    codes = [[line.rsplit("[", 1)[-1] for line in lines] for lines in cached.cold]
    assert codes == [["await-not-awaitable]"], [], ["missing-await]"], []]
    assert every.cold == cached.cold
    assert not cached.failures and not every.failures


def test_generated_names_change_kind() -> None:
    """``make fuzz`` turns module-level functions into classes and back (``SetKind``, about
    one edit in thirteen): each such step renders the name as a class, or as a def again,
    in valid Python, and so does every other step of those sequences."""
    changed = 0
    for seed in range(30000, 30040):
        initial, edits = generate(seed, 8)
        snaps = snapshots(initial, edits)
        for edit, snap in zip(edits, snaps[1:], strict=True):
            for path, text in snap.files.items():
                if path.endswith(".py"):
                    ast.parse(text, path)
            if isinstance(edit, SetKind):
                changed += 1
                text = snap.files[f"app/{edit.module}.py"]
                assert (f"class {edit.name}:" in text) == edit.is_class, (seed, snap.note)
                assert (f"def {edit.name}(" in text) != edit.is_class, (seed, snap.note)
    assert changed >= 10


def test_generated_receivers_made_by_factories() -> None:
    """``make fuzz`` makes some methods' receivers by a class's factory (``make_K()``, its
    result declared ``-> K`` or not) and declares or undeclares that result (about one
    edit in seventeen): each such step renders the factory as it should, in valid Python,
    and so does every other step of those sequences."""
    made = edited = 0
    for seed in range(30000, 30040):
        initial, edits = generate(seed, 8)
        snaps = snapshots(initial, edits)
        made += sum("= make_" in text or " make_" in text for text in snaps[0].files.values())
        for edit, snap in zip(edits, snaps[1:], strict=True):
            for path, text in snap.files.items():
                if path.endswith(".py"):
                    ast.parse(text, path)
            if isinstance(edit, SetFactoryResult):
                edited += 1
                text = snap.files[f"app/{edit.module}.py"]
                declared = f"def make_{edit.name}() -> {edit.name}:" in text
                undeclared = f"def make_{edit.name}():" in text
                assert (declared, undeclared) == (edit.declared, not edit.declared), seed
    assert made >= 20
    assert edited >= 5


def test_generated_async_factories() -> None:
    """``make fuzz`` makes some classes' factories ``async def`` and back (about one edit in
    twelve, ``SetFactoryAsync``): after such a step a receiver the factory makes is
    ``await make_K()`` in an ``async def`` handler and the bare coroutine in a plain
    ``def``, in valid Python, and so is every other step of those sequences."""
    edited = awaited = 0
    for seed in range(30000, 30060):
        initial, edits = generate(seed, 8)
        snaps = snapshots(initial, edits)
        for edit, snap in zip(edits, snaps[1:], strict=True):
            trees = {p: ast.parse(t, p) for p, t in snap.files.items() if p.endswith(".py")}
            if not isinstance(edit, SetFactoryAsync):
                continue
            edited += 1
            name = f"make_{edit.name}"
            definition = next(
                node
                for node in ast.walk(trees[f"app/{edit.module}.py"])
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name
            )
            assert isinstance(definition, ast.AsyncFunctionDef) == edit.is_async, seed
            for tree in trees.values():
                for node in ast.walk(tree):
                    if isinstance(node, ast.Await) and _calls(node.value, name):
                        awaited += 1
                        assert edit.is_async, (seed, snap.note)
    assert edited >= 10
    assert awaited >= 5


def _sequences(
    seeds: range, length: int
) -> Iterator[tuple[int, list[Edit], list[tuple[Project, Snapshot]]]]:
    """Each seed's edits, and the project and its files at each step (``initial``, then
    after each edit)."""
    for seed in seeds:
        initial, edits = generate(seed, length)
        projects = [initial]
        for edit in edits:
            after = copy.deepcopy(projects[-1])
            edit.apply(after)
            projects.append(after)
        yield seed, edits, list(zip(projects, snapshots(initial, edits), strict=True))


def test_generated_union_receivers() -> None:
    """``make fuzz`` types some receivers as the union of their class and another
    (``pick<uid>() -> A | B``, mostly a class with the method too) and makes or unmakes such
    unions (``SetUnion``): each step declares every such receiver's union and calls the
    method on ``pick<uid>()``, in valid Python, and the seeds of ``make test`` have some."""
    unions = 0
    made: Counter[bool] = Counter()
    for seed, edits, steps in _sequences(range(30000, 30060), 16):
        for edit in edits:
            if isinstance(edit, SetUnion):
                made[edit.other is not None] += 1
        for project, snap in steps:
            trees = {p: ast.parse(t, p) for p, t in snap.files.items() if p.endswith(".py")}
            for ref, _, use in all_uses(project):
                member = union_member(project, use)
                if member is None:
                    continue
                unions += 1
                tree = trees[f"app/{ref.module}.py"]
                pick = next(
                    node
                    for node in tree.body
                    if isinstance(node, ast.FunctionDef) and node.name == f"pick{use.uid}"
                )
                assert isinstance(pick.returns, ast.BinOp), (seed, snap.note)
                assert isinstance(pick.returns.op, ast.BitOr), (seed, snap.note)
                names = {ast.unparse(pick.returns.left), ast.unparse(pick.returns.right)}
                assert {n.rpartition(".")[2].removesuffix("_al") for n in names} == {
                    use.name,
                    member[1],
                }, (seed, snap.note)
                calls = [
                    node
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Attribute)
                    and node.attr == use.method
                    and ast.unparse(node.value) == f"pick{use.uid}()"
                ]
                assert calls, (seed, snap.note)
    assert unions >= 100
    assert made[True] >= 5 and made[False] >= 5
    seeds_with_unions = [
        seed
        for seed in SEEDS
        if any(
            "def pick" in text
            for snap in snapshots(*generate(seed, LENGTH))
            for text in snap.files.values()
        )
    ]
    assert seeds_with_unions, SEEDS


def test_generated_receivers_stored_on_self_and_in_module_variables() -> None:
    """``make fuzz`` makes some receivers attributes of ``self`` (``self.s<uid>``, stored by
    ``__init__`` of the handler's class or of its base class, perhaps with a ``None``
    placeholder and ``open_s<uid>()``) or module-level variables (``g<uid>``, in the
    handler's module or the class's), and moves them (``SetStore``, ``SetGlobalHome``) or
    declares ``__init__`` (``SetInitDeclared``): each step stores or binds every such
    receiver where the use says, in valid Python."""
    stored = variables = 0
    edits_seen: Counter[str] = Counter()
    shapes: Counter[str] = Counter()
    for seed, edits, steps in _sequences(range(30000, 30060), 16):
        for edit in edits:
            edits_seen[type(edit).__name__] += 1
        for project, snap in steps:
            trees = {p: ast.parse(t, p) for p, t in snap.files.items() if p.endswith(".py")}
            for ref, _, use in all_uses(project):
                if use.receiver == "stored":
                    stored += 1
                    holder = storing_class(project, ref, use)
                    assert holder is not None, seed
                    assigned = _assigned_in(trees[f"app/{holder[0]}.py"], holder[1])
                    want = {"__init__"} | ({f"open_s{use.uid}"} if use.placeholder else set())
                    assert assigned.get(f"s{use.uid}") == want, (seed, snap.note)
                elif use.receiver == "global":
                    home_path = f"app/{global_home(ref, use)}.py"
                    if home_path not in trees:
                        continue  # the class's module was removed: no variable
                    variables += 1
                    home = trees[home_path]
                    names = [
                        target.id
                        for node in home.body
                        if isinstance(node, ast.Assign | ast.AnnAssign)
                        for target in (
                            node.targets if isinstance(node, ast.Assign) else [node.target]
                        )
                        if isinstance(target, ast.Name)
                    ]
                    assert f"g{use.uid}" in names, (seed, snap.note)
                    if use.looped:
                        shape = loop_shape(use)
                        shapes[shape] += 1
                        declared = {
                            ast.unparse(node.target): ast.unparse(node.annotation)
                            for node in home.body
                            if isinstance(node, ast.AnnAssign)
                        }[f"g{use.uid}"]
                        assert declared.startswith("dict[" if shape == "items" else "list[")
                        loops = {
                            ast.unparse(node.target)
                            for tree in trees.values()
                            for node in ast.walk(tree)
                            if isinstance(node, ast.For)
                        }
                        target = {
                            "list": "l{0}",
                            "items": "(k{0}, l{0})",
                            "enumerate": "(i{0}, l{0})",
                        }
                        assert target[shape].format(use.uid) in loops, (seed, snap.note)
    assert stored >= 20 and variables >= 20
    assert min(shapes[shape] for shape in ("list", "items", "enumerate")) >= 3, shapes
    assert min(edits_seen[k] for k in ("SetStore", "SetGlobalHome", "SetInitDeclared")) >= 3


def _assigned_in(tree: ast.Module, cls: str) -> dict[str, set[str]]:
    """``self.<name>`` -> the methods of class ``cls`` that assign it."""
    found: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for method in node.body:
                if not isinstance(method, ast.FunctionDef):
                    continue
                for sub in ast.walk(method):
                    if isinstance(sub, ast.Assign):
                        for target in sub.targets:
                            if isinstance(target, ast.Attribute):
                                found.setdefault(target.attr, set()).add(method.name)
    return found


def _calls(node: ast.expr, name: str) -> bool:
    """Whether ``node`` calls ``name`` (written bare or as a module's attribute)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def imported_names_change_kind() -> list[Snapshot]:
    """Names another module imports turn from a class into a function and back, under
    unannotated code that awaits a call of one, keeps an instance of the other in an
    attribute and in a local, and drops a coroutine method of each.  The daemon judged the
    importing module again before analysing it again, by the nodes its names held before
    the edit: findings invented, then missed (fixed by ``facts.bindings``)."""
    use = (
        "from app.b import Client, load\n\n\n"
        "async def u(x):\n    await load(1)\n    p = Client()\n    p.drop(1)\n\n\n"
        "class T:\n    def setUp(self):\n        self.cx = Client()\n\n"
        "    async def test(self):\n        self.cx.drop(2)\n"
    )
    classes = (
        "class Client:\n    async def drop(self, n):\n        pass\n\n\n"
        "def load(x):\n    return 1\n"
    )
    functions = (
        "class Other:\n    def drop(self, n):\n        pass\n\n\n"
        "def Client():\n    return Other()\n\n\n"
        "class load:\n    def __init__(self, x):\n        pass\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/a.py": use}
    return _steps(
        ("a class and a function", files | {"app/b.py": classes}),
        ("a function and a class", files | {"app/b.py": functions}),
        ("a class and a function again", files | {"app/b.py": classes}),
    )


@POST_PASS_ONLY
def test_imported_names_change_kind(tmp_path: Path) -> None:
    snaps = imported_names_change_kind()
    result = _agreeing(tmp_path, snaps, (Mode.DAEMON,))
    found = _cold_errors(result)
    dropped = _dropped("Client.drop()")
    classes = sorted([_awaited("load()", "int"), dropped, dropped])
    assert found == [classes, [_awaited("load()", "load")], classes]


def reexport_changed() -> list[Snapshot]:
    """A package's ``__init__`` re-exports another definition under the same names (a
    function that turns from a ``def`` into an ``async def``, a class whose method does),
    used from unannotated code by the name, by a module attribute and by an alias.  The
    daemon's pass judged the importing module by the definitions its names held before the
    edit: the findings of the first step stayed (a review by a helper session)."""
    use = (
        "import app\nfrom app import Client, make\nfrom app import make as mk\n\n\n"
        "async def u():\n    await make()\n    await app.make()\n    await mk()\n"
        "    c = Client()\n    c.drop()\n"
    )
    sync = "def make():\n    return 1\n\n\nclass Client:\n    def drop(self):\n        pass\n"
    coro = "async def make():\n    return 1\n\n\nclass Client:\n"
    coro += "    async def drop(self):\n        pass\n"
    files = {"mypy.ini": INI, "app/b.py": sync, "app/a.py": coro, "app/use.py": use}
    return _steps(
        ("re-exported from b", files | {"app/__init__.py": "from app.b import Client, make\n"}),
        ("re-exported from a", files | {"app/__init__.py": "from app.a import Client, make\n"}),
        ("from b again", files | {"app/__init__.py": "from app.b import Client, make\n"}),
    )


@POST_PASS_ONLY
def test_reexport_changed(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, and the cold run follows the re-export."""
    result = _agreeing(tmp_path, reexport_changed())
    found = _cold_errors(result)
    awaited = _awaited("make()", "int")
    dropped = _dropped("Client.drop()")
    assert found == [[awaited] * 3, [dropped], [awaited] * 3]


def reexported_name_changes_kind() -> list[Snapshot]:
    """A name a package's ``__init__`` re-exports turns from a ``def`` into a class: while
    the daemon's pass runs, the ``__init__`` still holds the replaced def, and the defining
    module says what the name is now (make fuzz seeds 49069 and 49074, a regression of
    ``test_reexport_changed``'s fix)."""
    use = "from app import fetch\n\n\nasync def u():\n    await fetch()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "from app.m1 import fetch\n", "app/m3.py": use}
    func = "async def fetch():\n    return 1\n"
    cls = "class fetch:\n    value = 0\n"
    return _steps(
        ("an async def", files | {"app/m1.py": func}),
        ("a class", files | {"app/m1.py": cls}),
        ("an async def again", files | {"app/m1.py": func}),
    )


@POST_PASS_ONLY
def test_reexported_name_changes_kind(tmp_path: Path) -> None:
    result = _agreeing(tmp_path, reexported_name_changes_kind())
    found = _cold_errors(result)
    awaited = 'Cannot await "fetch()": it returns "fetch", which is not awaitable; remove the '
    awaited += '"await"  [await-not-awaitable]'
    assert found == [[], [awaited], []]


def module_attribute_added_with_its_user() -> list[Snapshot]:
    """One update adds a factory to a module and a new module that calls it as that
    module's attribute (``m4.make().close()``, unannotated): the daemon analysed the new
    module while the attribute was missing (no node) and its pass left the call unjudged
    (make fuzz seed 49003)."""
    pool = "class C:\n    async def close(self):\n        pass\n"
    made = pool + "\n\ndef make() -> C:\n    return C()\n"
    use = (
        "from app import m4\n\n\nasync def u():\n    v = m4.make().close()\n"
        "    if v:\n        print()\n    m4.make().close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/other.py": "x = 1\n"}
    return _steps(
        ("a class", files | {"app/m4.py": pool}),
        ("its factory, and a module using it", files | {"app/m4.py": made, "app/m6.py": use}),
    )


@POST_PASS_ONLY
def test_module_attribute_added_with_its_user(tmp_path: Path) -> None:
    result = _agreeing(tmp_path, module_attribute_added_with_its_user())
    found = _cold_errors(result)
    tested = 'Coroutine "C.close()" assigned to "v" on line 5 is used without "await" (a '
    tested += 'coroutine object is always true); add "await" on line 5  [missing-await]'
    dropped = 'Coroutine "C.close()" is used without "await" (it is dropped and never runs)'
    dropped += '; add "await"  [missing-await]'
    assert found == [[], sorted([tested, dropped])]


def unrelated_module_removed() -> list[Snapshot]:
    """A finding in unannotated code appears after an edit; then another module is removed."""
    before = "def load(x: int) -> bool:\n    return True\n\n\nasync def h():\n    print(load(1))\n"
    after = before.replace("print(load(1))", "print(await load(1))")
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m2.py": "x = 1\n"}
    removed = {"mypy.ini": INI, "app/__init__.py": "", "app/m1.py": after}
    return _steps(
        ("no await", files | {"app/m1.py": before}),
        ("an await of a sync def added", files | {"app/m1.py": after}),
        ("another module removed", removed),
    )


def finding_beside_a_use_of_a_removed_module() -> list[Snapshot]:
    """An unannotated function awaits a sync function and also uses a module that is then
    removed: the daemon analyses the function again in an update that finishes no module,
    so the pass's finding there was dropped; it is judged again once the function is
    analysed (make fuzz seeds 18009, 19009, 15307)."""
    use = (
        "from app import m2\nfrom app.m1 import fetch\n\n\n"
        "async def h(x):\n    v = await m2.make(1)\n    return fetch()\n"
    )
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/m1.py": "def fetch():\n    return 1\n",
        "app/m2.py": "def make(x: int) -> None:\n    pass\n",
        "app/m3.py": use,
    }
    removed = {k: v for k, v in files.items() if k != "app/m1.py"}
    return _steps(("all there", files), ("the used module removed", removed))


def imported_module_removed() -> list[Snapshot]:
    """Findings in unannotated code of a module whose import of another module breaks
    when that module is removed (and of a module that does not import it)."""
    helper = "def helper() -> int:\n    return 1\n"
    uses = "from app.m2 import helper\n\n\nasync def h():\n    await helper()\n"
    other = "def load() -> int:\n    return 1\n\n\nasync def g():\n    await load()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/m1.py": uses, "app/m3.py": other}
    return _steps(
        ("the helper's module there", files | {"app/m2.py": helper}),
        ("the helper's module removed", files),
    )


def _result_project() -> tuple[dict[str, str], dict[str, str]]:
    """A factory with a RESULT, two callers; without and with the RESULT's module."""
    ini = INI + "\n[mypy_wsplugin]\nsync_factories =\n    app.a.get -> app.models.Manager\n"
    use = "from app.a import get\n\n\nasync def h() -> None:\n    m = await get()\n    m.go()\n"
    files = {
        "mypy.ini": ini,
        "app/__init__.py": "",
        "app/a.py": "def get():\n    return 1\n",
        "app/b.py": use,
        "app/c.py": use,
    }
    return files, files | {"app/models.py": "class Manager:\n    def go(self) -> None: ...\n"}


def result_module_missing_then_created() -> list[Snapshot]:
    """A RESULT whose module does not exist (one note per run, two callers), then the
    module appears: it types the calls."""
    files, created = _result_project()
    edited = files | {"app/b.py": files["app/b.py"] + "\n\nx = 1\n"}
    return _steps(
        ("RESULT's module missing", files),
        ("one caller edited", edited),
        ("RESULT's module created", created | {"app/b.py": edited["app/b.py"]}),
    )


def result_module_removed() -> list[Snapshot]:
    """A RESULT's module is removed: one note per run, as in a cold run."""
    files, created = _result_project()
    return _steps(("RESULT's module there", created), ("RESULT's module removed", files))


def result_module_removed_with_an_importer_edited() -> list[Snapshot]:
    """The package re-exports a factory whose RESULT's module the factory's module imports;
    that module is removed while the factory's module, still importing it, is edited.  Plain
    mypy's daemon crashes when another unchanged module also imports the removed one
    (python/mypy#10539); the plugin's dependency on the RESULT's module must not be that
    other import (it was, from every module importing the factory's: ``KeyError`` in
    ``dmypy_server.direct_imports``, make fuzz seed 7013)."""
    ini = INI + "\n[mypy_wsplugin]\nasync_factories =\n    app.m2.load -> app.m1.C\n"
    m2 = "import app.m1\n\n\nasync def load(x):\n    return app.m1.C()\n"
    use = "from app import load\n\n\nasync def h() -> None:\n    c = await load(1)\n    c.go()\n"
    files = {
        "mypy.ini": ini,
        "app/__init__.py": "from app.m2 import load as load\n",
        "app/m1.py": "class C:\n    def go(self) -> None: ...\n",
        "app/m2.py": m2,
        "app/use.py": use,
    }
    removed = {k: v for k, v in files.items() if k != "app/m1.py"}
    return _steps(
        ("RESULT's module there", files),
        ("removed, the factory's module edited", removed | {"app/m2.py": m2 + "\n\nx = 1\n"}),
    )


def result_module_removed_under_a_caller_in_the_factorys_module() -> list[Snapshot]:
    """A RESULT's module is removed while the module that defines the factory (the one the
    plugin made depend on it) awaits the factory: the daemon analyses that module again and
    said the removed module was missing there, without a line, where a cold run adds no
    such dependency (make fuzz seeds 17035, 18002, 18039)."""
    ini = INI + "\n[mypy_wsplugin]\nasync_factories =\n    app.*.fetch_* -> app.m2.C\n"
    m1 = "def fetch_1(x):\n    pass\n\n\nasync def h(x):\n    print(fetch_1(1))\n"
    files = {
        "mypy.ini": ini,
        "app/__init__.py": "",
        "app/m1.py": m1,
        "app/m2.py": "class C:\n    value = 0\n",
    }
    removed = {k: v for k, v in files.items() if k != "app/m2.py"}
    return _steps(("RESULT's module there", files), ("RESULT's module removed", removed))


def glob_result_module_removed_with_an_importer_edited() -> list[Snapshot]:
    """The same with a glob entry and a module under its prefix that has nothing to do with
    the factory: the RESULT's module was a dependency of every module under the prefix, so
    the daemon reported the missing import in untouched modules, or crashed (``KeyError`` in
    ``dmypy_server.direct_imports``, make fuzz seeds 15409 and 15417)."""
    ini = INI + "\n[mypy_wsplugin]\nasync_factories =\n    app.*.load -> app.m1.C\n"
    extra = {"mypy.ini": ini, "app/m0.py": "x = 1\n"}
    return [
        Snapshot(step.files | extra, step.note)
        for step in result_module_removed_with_an_importer_edited()
    ]


def glob_result_for_callers_in_another_module() -> list[Snapshot]:
    """A glob's RESULT class in a module nothing imports, the factory awaited in another
    module: typed as the RESULT everywhere.  (With the dependency given only where the
    glob's names are defined, ``mypy -n`` lost it: its coordinator sees only the imports,
    so the RESULT's module was never loaded, make fuzz seed 16003.)"""
    ini = INI + "\n[mypy_wsplugin]\nsync_factories =\n    app.ws.* -> app.models.Manager\n"
    use = "from app.ws import get\n\n\nasync def h() -> None:\n    await get(1)\n"
    files = {
        "mypy.ini": ini,
        "app/__init__.py": "",
        "app/ws.py": "def get(x):\n    return x\n",
        "app/use.py": use,
        "app/models.py": "class Manager:\n    pass\n",
    }
    return _steps(
        ("RESULT's module imported by nobody", files),
        ("the caller edited", files | {"app/use.py": use + "\n\nx = 1\n"}),
    )


def entries_matching_nothing() -> list[Snapshot]:
    """With warn_unused_configs: an entry whose package cannot be found, a glob no module
    fits, a name its module lacks (mypy >= 2.4); then the name is defined, and removed."""
    ini = (
        "[mypy]\nplugins = mypy_wsplugin\nwarn_unused_configs = true\n\n[mypy_wsplugin]\n"
        "sync_factories =\n    ap.a.get\n    legacy.*.get\n    app.a.gett\n    app.get\n"
    )
    a = "def get():\n    return 1\n"
    use = "from app import get\n\n\nasync def h() -> None:\n    await get()\n"
    files = {
        "mypy.ini": ini,
        "app/__init__.py": "from app.a import get as get\n",
        "app/a.py": a,
        "app/b.py": use,
    }
    return _steps(
        ("entries that match nothing", files),
        ("the missing name defined", files | {"app/a.py": a + "\n\ndef gett():\n    return 2\n"}),
        (
            "a caller edited",
            files
            | {"app/a.py": a + "\n\ndef gett():\n    return 2\n", "app/b.py": use + "\n\nx = 1\n"},
        ),
        ("the name removed again", files),
    )


EVERY_MODE = (Mode.WARM, Mode.DAEMON, Mode.PARALLEL)

SHAPES = {
    "unannotated_finding_in_an_imported_module": (
        unannotated_finding_in_an_imported_module,
        (Mode.DAEMON,),
    ),
    "dependency_interface_change": (dependency_interface_change, (Mode.WARM, Mode.DAEMON)),
    "configured_factory_flipped_and_back": (configured_factory_flipped_and_back, (Mode.DAEMON,)),
    "unresolved_import_and_unannotated_helper": (
        unresolved_import_and_unannotated_helper,
        (Mode.WARM,),
    ),
    "result_class_not_found_note": (
        result_class_not_found_note,
        EVERY_MODE,
    ),
    "unannotated_callee_turns_sync": (
        unannotated_callee_turns_sync,
        EVERY_MODE,
    ),
    "unrelated_module_removed": (unrelated_module_removed, (Mode.DAEMON,)),
    "imported_module_removed": (imported_module_removed, EVERY_MODE),
    "reexport_and_its_awaited_use_in_one_update": (
        reexport_and_its_awaited_use_in_one_update,
        EVERY_MODE,
    ),
    "reexport_and_a_local_instance_in_one_update": (
        reexport_and_a_local_instance_in_one_update,
        EVERY_MODE,
    ),
    "result_class_defined_later": (
        result_class_defined_later,
        EVERY_MODE,
    ),
    "result_module_missing_then_created": (
        result_module_missing_then_created,
        EVERY_MODE,
    ),
    "result_module_removed": (result_module_removed, (Mode.WARM, Mode.PARALLEL)),
    "result_module_removed_under_the_daemon": (result_module_removed, (Mode.DAEMON,)),
    "result_module_removed_with_an_importer_edited": (
        result_module_removed_with_an_importer_edited,
        EVERY_MODE,
    ),
    "finding_beside_a_use_of_a_removed_module": (
        finding_beside_a_use_of_a_removed_module,
        EVERY_MODE,
    ),
    "result_module_removed_under_a_caller_in_the_factorys_module": (
        result_module_removed_under_a_caller_in_the_factorys_module,
        EVERY_MODE,
    ),
    "glob_result_module_removed_with_an_importer_edited": (
        glob_result_module_removed_with_an_importer_edited,
        EVERY_MODE,
    ),
    "glob_result_for_callers_in_another_module": (
        glob_result_for_callers_in_another_module,
        EVERY_MODE,
    ),
    "entries_matching_nothing": (entries_matching_nothing, EVERY_MODE),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_known_shape(name: str, tmp_path: Path) -> None:
    make, wanted = SHAPES[name]
    modes = tuple(m for m in wanted if m in TOOL.modes())  # the floor has no -n
    _agreeing(tmp_path, make(), modes)


MYPY_ERROR = (
    'app/m3.py:41: error: "Coroutine[Any, Any, Any]" has no attribute "value"  [attr-defined]'
)
FINDING = (
    'app/m3.py:41: error: Coroutine "make_11()" assigned to "v28" on line 40 is used without '
    '"await" (attribute "value" is looked up on the coroutine, not on its result); add "await" '
    "on line 40  [missing-await]"
)
OTHER = (
    'app/m3.py:9: error: Incompatible return value type (got "int", expected "C20")  [return-value]'
)


def test_a_finding_missing_where_plain_mypy_misses_the_error_it_replaces_is_mypys() -> None:
    """mypy 2.3's daemon does not re-check a caller when an unannotated def turns ``async``
    (seed 44003, step 3): plain mypy's daemon lacks its ``[attr-defined]`` there, so the
    plugin's daemon lacking the finding that replaces it is the same difference."""
    plain = ([OTHER, MYPY_ERROR], [OTHER])
    missing, extra = in_the_plugins_words(plain, ([OTHER, FINDING], [OTHER]))
    assert missing == Counter({MYPY_ERROR: 1, FINDING: 1}) and not extra
    # An extra error in plain mypy's mode, replaced in the plugin's mode: the same.
    plain = ([OTHER], [OTHER, MYPY_ERROR])
    missing, extra = in_the_plugins_words(plain, ([OTHER], [OTHER, FINDING]))
    assert extra == Counter({MYPY_ERROR: 1, FINDING: 1}) and not missing


def test_a_finding_missing_where_plain_mypy_agrees_with_cold_stays_the_plugins() -> None:
    plain = ([OTHER, MYPY_ERROR], [OTHER, MYPY_ERROR])
    missing, extra = in_the_plugins_words(plain, ([OTHER, FINDING], [OTHER]))
    assert not missing and not extra


def local_made_through_self() -> list[Snapshot]:
    """A local bound to an awaited method of ``self`` (``c = await self.make()``, ``make``
    declared in a base class of another module), and the awaited call itself, are judged
    by what that method declares now: edits of the result's class (a module the caller
    does not import: a warm run kept the finding before facts/dependencies) and of the
    declaration reach the caller's module in every mode."""
    conn_async = "class Conn:\n    async def execute(self):\n        return 1\n"
    conn_sync = "class Conn:\n    def execute(self):\n        return 1\n"
    base = (
        "from app.conn import Conn\n\n\nclass Base:\n"
        "    async def make(self) -> {result}:\n        return {result}()\n"
    )
    use = (
        "from app.base import Base\n\n\nclass Svc(Base):\n    async def serve(self):\n"
        "        c = await self.make()\n        c.execute()\n"
        "        (await self.make()).execute()\n        return await c.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/svc.py": use}
    return _steps(
        (
            "execute is async",
            files | {"app/conn.py": conn_async, "app/base.py": base.format(result="Conn")},
        ),
        (
            "execute is sync",
            files | {"app/conn.py": conn_sync, "app/base.py": base.format(result="Conn")},
        ),
        (
            "make declares int",
            files | {"app/conn.py": conn_sync, "app/base.py": base.format(result="int")},
        ),
        (
            "both back",
            files | {"app/conn.py": conn_async, "app/base.py": base.format(result="Conn")},
        ),
    )


@POST_PASS_ONLY
def test_local_made_through_self(tmp_path: Path) -> None:
    dropped = _dropped("Conn.execute()")
    awaited = _awaited("Conn.execute()", "int")
    expected = [[dropped] * 2, [awaited], [], [dropped] * 2]
    _unannotated_findings(tmp_path, local_made_through_self(), expected)


def property_result_changes() -> list[Snapshot]:
    """A property declared in a base class of another module (``@property def conn(self)
    -> Conn``, then with a setter) gives the receiver of a call in an unannotated method of
    a subclass: edits of the getter's declared result, of the result's class and of the
    kind of property reach the caller's module, never edited, in every mode."""
    conn = "class Conn:\n    {kind}def execute(self):\n        return 1\n"
    base = (
        "from app.conn import Conn\n\n\nclass Base:\n    @property\n"
        "    def conn(self) -> {result}:\n        return {result}()\n"
    )
    setter = "\n    @conn.setter\n    def conn(self, value: Conn) -> None:\n        pass\n"
    use = (
        "from app.base import Base\n\n\nclass Svc(Base):\n    async def serve(self):\n"
        "        self.conn.execute()\n        return await self.conn.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/svc.py": use}

    def state(kind: str, result: str, extra: str = "") -> dict[str, str]:
        module = base.format(result=result) + extra
        return files | {"app/conn.py": conn.format(kind=kind), "app/base.py": module}

    return _steps(
        ("execute is async", state("async ", "Conn")),
        ("execute is sync", state("", "Conn")),
        ("conn declares int", state("", "int")),
        ("a setter, execute async", state("async ", "Conn", setter)),
        ("conn declares int again", state("async ", "int", setter)),
    )


@POST_PASS_ONLY
def test_property_result_changes(tmp_path: Path) -> None:
    dropped = _dropped("Conn.execute()")
    expected = [[dropped], [_awaited("Conn.execute()", "int")], [], [dropped], []]
    _unannotated_findings(tmp_path, property_result_changes(), expected)


def attribute_from_declared_parameter_changes() -> list[Snapshot]:
    """An attribute stored from a parameter declared as an instance (``def __init__(self,
    pool: Pool)``, then ``self.pool = pool``), used in an unannotated method of the same
    class: edits of the parameter's class (another module), of what that module's name
    binds (a class, then an alias of another) and of the declaration reach every mode."""
    pools = _execute_classes("Pool")
    use = (
        "from app.pools import Pool\n\n\nclass Svc:\n"
        "    def __init__(self, pool: {declared}) -> None:\n        self.pool = pool\n\n"
        "    async def serve(self):\n        self.pool.execute()\n"
        "        return await self.pool.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(module: str, declared: str = "Pool") -> dict[str, str]:
        return files | {"app/pools.py": module, "app/svc.py": use.format(declared=declared)}

    aliased = pools.format(kind="").replace("class Pool", "class Real") + "\n\nPool = Other\n"
    return _steps(
        ("execute is async", state(pools.format(kind="async "))),
        ("execute is sync", state(pools.format(kind=""))),
        ("Pool an alias of Other", state(aliased)),
        ("declared int", state(pools.format(kind="async "), "int")),
        ("back", state(pools.format(kind="async "))),
    )


@POST_PASS_ONLY
def test_attribute_from_declared_parameter_changes(tmp_path: Path) -> None:
    expected = _execute_findings("Pool")
    _unannotated_findings(tmp_path, attribute_from_declared_parameter_changes(), expected)


def attribute_declared_on_self_changes() -> list[Snapshot]:
    """An attribute declared on ``self`` as ``X | None`` in ``__init__`` (``self.pool:
    Optional[Pool] = None``), used in an unannotated method of the same class: edits of
    the declared class (another module) and of the declaration reach every mode."""
    pools = _execute_classes("Pool")
    use = (
        "from typing import Optional, Union\n\nfrom app.pools import Other, Pool\n\n\n"
        "class Svc:\n    def __init__(self) -> None:\n        self.pool: {declared} = None\n\n"
        "    async def serve(self):\n        self.pool.execute()\n"
        "        return await self.pool.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(kind: str, declared: str = "Optional[Pool]") -> dict[str, str]:
        module = pools.format(kind=kind)
        return files | {"app/pools.py": module, "app/svc.py": use.format(declared=declared)}

    return _steps(
        ("execute is async", state("async ")),
        ("execute is sync", state("")),
        ("declared Optional[Other]", state("", "Optional[Other]")),
        ("declared Union[Pool, Other, None]", state("async ", "Union[Pool, Other, None]")),
        ("back", state("async ")),
    )


@POST_PASS_ONLY
def test_attribute_declared_on_self_changes(tmp_path: Path) -> None:
    expected = _execute_findings("Pool")
    _unannotated_findings(tmp_path, attribute_declared_on_self_changes(), expected)


def captured_self_changes() -> list[Snapshot]:
    """``self`` in an ``async def`` nested in an unannotated method of a subclass, the
    method's base class in another module: edits of the base's ``execute`` (async, sync)
    and a test of ``self`` in the method (not read as the class there) reach every mode."""
    base = _execute_classes("Base")
    use = (
        "from app.base import Base\n\n\nclass Svc(Base):\n    def start(self):\n{test}"
        "        async def loop():\n            self.execute()\n"
        "            return await self.execute()\n\n        return loop\n"
    )
    tested = "        if isinstance(self, Base):\n            pass\n"
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(kind: str, test: str = "") -> dict[str, str]:
        return files | {"app/base.py": base.format(kind=kind), "app/svc.py": use.format(test=test)}

    return _steps(
        ("execute is async", state("async ")),
        ("execute is sync", state("")),
        ("the method tests self", state("async ", tested)),
        ("back", state("async ")),
    )


@POST_PASS_ONLY
def test_captured_self_changes(tmp_path: Path) -> None:
    dropped = _dropped("Base.execute()")
    expected = [[dropped], [_awaited("Base.execute()", "int")], [], [dropped]]
    _unannotated_findings(tmp_path, captured_self_changes(), expected)


def base_rebound_to_an_alias() -> list[Snapshot]:
    """An unannotated method of ``Svc(Base)`` calls ``self.execute()``; the base's module
    then binds ``Base`` to another class, ``Other``, whose ``execute`` is an ``async
    def``: a cold run reports the dropped ``Other.execute()``."""
    base = _execute_classes("Base")
    aliased = base.format(kind="").replace("class Base", "class Real") + "\n\nBase = Other\n"
    use = (
        "from app.base import Base\n\n\nclass Svc(Base):\n    async def run(self):\n"
        "        self.execute()\n        return await self.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/svc.py": use}
    return _steps(
        ("execute is sync", files | {"app/base.py": base.format(kind="")}),
        ("Base an alias of Other", files | {"app/base.py": aliased}),
    )


def base_list_edited() -> list[Snapshot]:
    """``class Base(AsyncRoot)`` becomes ``class Base(SyncRoot)`` in the base's module; an
    unannotated method of ``M(Base)`` (not edited) calls ``self.ping()``, once in its body
    and once in a nested ``async def``: a cold run reports both while ``ping`` is async,
    nothing once it is sync (a helper review, session 46)."""
    roots = (
        "class AsyncRoot:\n    async def ping(self):\n        return True\n\n\n"
        "class SyncRoot:\n    def ping(self):\n        return True\n\n\n"
        "class Base({root}):\n    pass\n"
    )
    use = (
        "from app.base import Base\n\n\nclass M(Base):\n    def start(self):\n"
        "        async def loop():\n            self.ping()\n\n        return loop\n\n"
        "    async def own(self):\n        self.ping()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/use.py": use}
    return _steps(
        ("Base(AsyncRoot)", files | {"app/base.py": roots.format(root="AsyncRoot")}),
        ("Base(SyncRoot)", files | {"app/base.py": roots.format(root="SyncRoot")}),
    )


def alias_retargeted() -> list[Snapshot]:
    """``Base = Sync`` becomes ``Base = Async`` in the base's module: ``M(Base)``, not
    edited, keeps the class of the alias as its base until mypy analyses it again."""
    roots = (
        "class Sync:\n    def ping(self):\n        return True\n\n\n"
        "class Async:\n    async def ping(self):\n        return True\n\n\n"
        "Base = {root}\n"
    )
    use = (
        "from app.base import Base\n\n\nclass M(Base):\n    async def own(self):\n"
        "        self.ping()\n        return await self.ping()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/use.py": use}
    return _steps(
        ("Base = Sync", files | {"app/base.py": roots.format(root="Sync")}),
        ("Base = Async", files | {"app/base.py": roots.format(root="Async")}),
        ("Base = Sync again", files | {"app/base.py": roots.format(root="Sync")}),
    )


def base_of_a_base_edited() -> list[Snapshot]:
    """``M(Mid)``, ``Mid(Base)`` and ``Base`` in three modules: ``Base``'s base list is
    edited, and neither ``Mid`` nor ``M`` (both analysed again later in the update)."""
    roots = (
        "class AsyncRoot:\n    async def ping(self):\n        return True\n\n\n"
        "class SyncRoot:\n    def ping(self):\n        return True\n\n\n"
        "class Base({root}):\n    pass\n"
    )
    mid = "from app.base import Base\n\n\nclass Mid(Base):\n    pass\n"
    use = (
        "from app.mid import Mid\n\n\nclass M(Mid):\n    async def own(self):\n"
        "        self.ping()\n        return await self.ping()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/mid.py": mid, "app/use.py": use}
    return _steps(
        ("Base(SyncRoot)", files | {"app/base.py": roots.format(root="SyncRoot")}),
        ("Base(AsyncRoot)", files | {"app/base.py": roots.format(root="AsyncRoot")}),
    )


def base_reexport_replaced() -> list[Snapshot]:
    """``Mid(Base)`` imports ``Base`` from the package, whose ``__init__`` re-exports
    ``app.base.Base``, then defines a ``Base`` of its own (``app/base.py`` stays), then
    re-exports again: ``Mid``'s base, followed through its import, names another class."""
    base = "class Base:\n    def ping(self):\n        return True\n"
    own = "class Base:\n    async def ping(self):\n        return True\n"
    mid = "from app import Base\n\n\nclass Mid(Base):\n    pass\n"
    use = (
        "from app.mid import Mid\n\n\nclass M(Mid):\n    async def own(self):\n"
        "        self.ping()\n        return await self.ping()\n"
    )
    files = {"mypy.ini": INI, "app/base.py": base, "app/mid.py": mid, "app/use.py": use}
    reexport = "from .base import Base\n"
    return _steps(
        ("app re-exports Base", files | {"app/__init__.py": reexport}),
        ("app defines its own Base", files | {"app/__init__.py": own}),
        ("app re-exports Base again", files | {"app/__init__.py": reexport}),
    )


def base_module_removed_and_restored() -> list[Snapshot]:
    """``Mid(Base)`` with ``Base`` from ``app/base.py``, which is removed (``Mid``'s base is
    ``Any`` then) and restored: the pass runs before mypy analyses ``Mid`` again."""
    base = "class Base:\n    async def fetch(self):\n        return 1\n"
    leaf = (
        "from app.base import Base\n\n\nclass Mid(Base):\n    pass\n\n\n"
        "def top():\n    Mid().fetch()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/leaf.py": leaf}
    return _steps(
        ("base there", files | {"app/base.py": base}),
        ("base removed", files),
        ("base restored", files | {"app/base.py": base}),
    )


@POST_PASS_ONLY
@pytest.mark.parametrize(
    ("snaps", "expected"),
    [
        (
            base_rebound_to_an_alias,
            [[_awaited("Base.execute()", "int")], [_dropped("Other.execute()")]],
        ),
        (base_list_edited, [[_dropped("AsyncRoot.ping()")] * 2, []]),
        (
            alias_retargeted,
            [
                [_awaited("Sync.ping()", "bool")],
                [_dropped("Async.ping()")],
                [_awaited("Sync.ping()", "bool")],
            ],
        ),
        (
            base_of_a_base_edited,
            [[_awaited("SyncRoot.ping()", "bool")], [_dropped("AsyncRoot.ping()")]],
        ),
        (
            base_module_removed_and_restored,
            [
                [_dropped("Base.fetch()")],
                [
                    'Cannot find implementation or library stub for module named "app.base"'
                    "  [import-not-found]"
                ],
                [_dropped("Base.fetch()")],
            ],
        ),
        (
            base_reexport_replaced,
            [
                [_awaited("Base.ping()", "bool")],
                [_dropped("Base.ping()")],
                [_awaited("Base.ping()", "bool")],
            ],
        ),
    ],
)
def test_base_changed_in_another_module(
    snaps: Callable[[], list[Snapshot]], expected: list[list[str]], tmp_path: Path
) -> None:
    """The daemon's pass runs for the subclass's module before mypy analyses the subclass
    again, and judges ``self`` by the MRO its bases give now (facts/rebased_classes)."""
    assert _cold_errors(_agreeing(tmp_path, snaps(), modes=(Mode.DAEMON,))) == expected


def attribute_set_to_none_changes() -> list[Snapshot]:
    """An attribute set to ``None`` in ``__init__`` and to an instance in another method,
    used in an unannotated method: edits of the instance's class (another module) and of
    the stores reach every mode."""
    conns = _execute_classes("Conn")
    use = (
        "from app.conns import Conn, Other\n\n\nclass Svc:\n"
        "    def __init__(self):\n        self.conn = None\n\n"
        "    def connect(self):\n        self.conn = {made}\n\n"
        "    async def serve(self):\n        self.conn.execute()\n"
        "        return await self.conn.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(kind: str, made: str = "Conn()", more: str = "") -> dict[str, str]:
        svc = use.format(made=made) + more
        return files | {"app/conns.py": conns.format(kind=kind), "app/svc.py": svc}

    fake = "\n    def fake(self):\n        self.conn = Other()\n"
    return _steps(
        ("execute is async", state("async ")),
        ("execute is sync", state("")),
        ("connect stores Other", state("", "Other()")),
        ("a method stores Other too", state("async ", more=fake)),
        ("back", state("async ")),
    )


@POST_PASS_ONLY
def test_attribute_set_to_none_changes(tmp_path: Path) -> None:
    expected = _execute_findings("Conn")
    _unannotated_findings(tmp_path, attribute_set_to_none_changes(), expected)


def _execute_steps(
    files: dict[str, str], path: str, holding: Callable[[str], str], holds: str
) -> list[Snapshot]:
    """The five steps whose findings are :func:`_execute_findings`: ``Conn.execute`` async,
    then sync; the module at ``path`` holding an ``Other``; holding nothing known (with
    ``execute`` async again); back.  ``holding("Conn")``, ``holding("Other")`` and
    ``holding("")`` are that module's text; ``holds`` names what it holds in the notes."""
    conns = _execute_classes("Conn")

    def state(kind: str, held: str = "Conn") -> dict[str, str]:
        return files | {"app/conns.py": conns.format(kind=kind), path: holding(held)}

    return _steps(
        ("execute is async", state("async ")),
        ("execute is sync", state("")),
        (f"{holds} an Other", state("", "Other")),
        (f"{holds} nothing known", state("async ", "")),
        ("back", state("async ")),
    )


def attribute_stored_by_a_base_class_changes() -> list[Snapshot]:
    """An attribute that a base class of another module stores on ``self`` (``self.conn =
    Conn()`` in ``app.base``), used in an unannotated method of a subclass: edits of the
    stored class (a third module) and of the base's store reach every mode (a warm run
    reads the base's stores from its cache entry)."""
    base = (
        "from app.conns import Conn, Other\n\n\nclass Base:\n"
        "    def __init__(self):\n        self.conn = {made}\n"
    )
    sub = (
        "from app.base import Base\n\n\nclass Sub(Base):\n"
        "    async def serve(self):\n        self.conn.execute()\n"
        "        return await self.conn.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/sub.py": sub}

    def holding(held: str) -> str:
        return base.format(made=f"{held}()" if held else "None")

    return _execute_steps(files, "app/base.py", holding, "the base stores")


@POST_PASS_ONLY
def test_attribute_stored_by_a_base_class_changes(tmp_path: Path) -> None:
    expected = _execute_findings("Conn")
    _unannotated_findings(tmp_path, attribute_stored_by_a_base_class_changes(), expected)


def module_variable_changes() -> list[Snapshot]:
    """A declared module-level variable (``client: Conn = Conn()`` in ``app.clients``),
    re-exported by a second module and used through it in an unannotated function of a
    third (``app.names.client.execute()``): edits of the class (a fourth module) and of the
    declaration reach every mode (a warm run reads the type from the variable's cache
    entry; mypy records ``app.clients`` as a dependency of the user, which imports only
    ``app.names``, whose interface does not change)."""
    clients = "from app.conns import Conn, Other\n\nclient: {declared} = {made}()\n"
    use = (
        "import app.names\n\n\nasync def serve():\n"
        "    app.names.client.execute()\n    return await app.names.client.execute()\n"
    )
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/names.py": "from app.clients import client as client\n",
        "app/use.py": use,
    }

    def holding(held: str) -> str:
        return clients.format(declared=held or "object", made=held or "Conn")

    return _execute_steps(files, "app/clients.py", holding, "the variable holds")


@POST_PASS_ONLY
def test_module_variable_changes(tmp_path: Path) -> None:
    _unannotated_findings(tmp_path, module_variable_changes(), _execute_findings("Conn"))


def container_iteration_changes() -> list[Snapshot]:
    """A loop over a declared module variable whose class (a ``dict`` subclass of a third
    module, which the user's module does not import) gains an override of ``values()`` and
    loses it again: the loop's items are known only without it, in every mode."""
    reg = "from app.conns import Conn\n\n\nclass Registry(dict[str, Conn]):\n    {override}\n"
    use = (
        "from app.holder import by_name\n\n\nasync def serve():\n"
        "    for c in by_name.values():\n        c.execute()\n"
    )
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/conns.py": _execute_classes("Conn").format(kind="async "),
        "app/holder.py": "from app.reg import Registry\n\nby_name: Registry = Registry()\n",
        "app/use.py": use,
    }
    override = "def values(self):\n        return [1 for _ in super().values()]"
    return _steps(
        ("inherited", files | {"app/reg.py": reg.format(override="pass")}),
        ("values() overridden", files | {"app/reg.py": reg.format(override=override)}),
        ("inherited again", files | {"app/reg.py": reg.format(override="pass")}),
    )


@POST_PASS_ONLY
def test_container_iteration_changes(tmp_path: Path) -> None:
    dropped = _dropped("Conn.execute()")
    _unannotated_findings(tmp_path, container_iteration_changes(), [[dropped], [], [dropped]])


def call_added_through_a_reexport_changes() -> list[Snapshot]:
    """A checked unannotated function gets an awaited call of an unannotated ``async def``
    of another module, imported through a package's re-export (``from app import
    make``), in the same update as the re-export; then the def turns sync.  The daemon
    re-checks the function alone at the first step (the name resolves only once the package
    is updated), and mypy computes such a function's dependencies without the plugin's:
    the plugin adds its own to the daemon's map directly (``make fuzz`` seed 64022)."""
    ini = INI + "check_untyped_defs = True\n"
    use = (
        "from app import make\n\n\nasync def serve():\n    v = await make(1)\n    print(v.value)\n"
    )
    made = "{kind}def make(x):\n    return 1 == 1\n"
    files = {"mypy.ini": ini, "app/m0.py": made.format(kind="async ")}
    return _steps(
        ("no call", files | {"app/__init__.py": "", "app/m1.py": "async def serve():\n    pass\n"}),
        (
            "the call and the re-export",
            files | {"app/__init__.py": "from app.m0 import make\n", "app/m1.py": use},
        ),
        (
            "make turns sync",
            {
                "mypy.ini": ini,
                "app/__init__.py": "from app.m0 import make\n",
                "app/m1.py": use,
                "app/m0.py": made.format(kind=""),
            },
        ),
    )


@POST_PASS_ONLY
def test_call_added_through_a_reexport_changes(tmp_path: Path) -> None:
    found = _cold_errors(_agreeing(tmp_path, call_added_through_a_reexport_changes()))
    last = [_awaited("make()", "bool")]
    assert found == [[], [], last]


def imported_module_variable_changes() -> list[Snapshot]:
    """An undeclared module-level variable bound once to a constructor call (``client =
    Conn()`` in ``app.clients``), re-exported by a second module and imported from it by an
    unannotated function of a third (``from app.names import client``): edits of the class
    (a fourth module) and of the assignment reach every mode (a warm run reads the class
    from the variable's module's cache entry; the user depends on ``app.clients``)."""
    clients = "from app.conns import Conn, Other\n\n\ndef make():\n    pass\n\n\nclient = {made}\n"
    use = (
        "from app.names import client\n\n\nasync def serve():\n"
        "    client.execute()\n    return await client.execute()\n"
    )
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/names.py": "from app.clients import client as client\n",
        "app/use.py": use,
    }

    def holding(held: str) -> str:
        return clients.format(made=f"{held}()" if held else "make()")

    return _execute_steps(files, "app/clients.py", holding, "the variable holds")


@POST_PASS_ONLY
def test_imported_module_variable_changes(tmp_path: Path) -> None:
    _unannotated_findings(tmp_path, imported_module_variable_changes(), _execute_findings("Conn"))


def module_variable_from_a_factory_changes() -> list[Snapshot]:
    """An undeclared module-level variable bound once to a factory of another module
    (``client = make()`` in ``app.clients``, ``def make() -> Conn`` in ``app.factory``),
    imported by an unannotated function of a third: edits of the factory's declared result
    (the shape whose inferred type the daemon updates late) and of the class reach every
    mode."""
    factory = "from app.conns import Conn, Other\n\n\ndef make() -> {result}:\n    return {made}\n"
    use = (
        "from app.clients import client\n\n\nasync def serve():\n"
        "    client.execute()\n    return await client.execute()\n"
    )
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/clients.py": "from app.factory import make\n\nclient = make()\n",
        "app/use.py": use,
    }

    def holding(held: str) -> str:
        return factory.format(result=held or "object", made=f"{held or 'Conn'}()")

    return _execute_steps(files, "app/factory.py", holding, "the factory declares")


@POST_PASS_ONLY
def test_module_variable_from_a_factory_changes(tmp_path: Path) -> None:
    _unannotated_findings(
        tmp_path, module_variable_from_a_factory_changes(), _execute_findings("Conn")
    )


def loop_target_changes() -> list[Snapshot]:
    """A ``for`` loop's target in an unannotated function, over a module-level variable
    declared in another module (``conns: list[Conn] = []``): edits of the item class (a
    third module) and of the declaration reach every mode."""
    holder = "from app.conns import Conn, Other\n\nconns: {declared} = []\n"
    use = (
        "from app.holder import conns\n\n\nasync def serve():\n    for c in conns:\n"
        "        c.execute()\n        return await c.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/use.py": use}

    def holding(held: str) -> str:
        return holder.format(declared=f"list[{held}]" if held else "list")

    return _execute_steps(files, "app/holder.py", holding, "the list holds")


@POST_PASS_ONLY
def test_loop_target_changes(tmp_path: Path) -> None:
    _unannotated_findings(tmp_path, loop_target_changes(), _execute_findings("Conn"))


def loop_over_items_changes() -> list[Snapshot]:
    """A ``for`` loop's target taken from a declared mapping's ``items()`` through
    ``enumerate`` (``for i, (name, c) in enumerate(by_name.items()):``), the mapping declared
    in another module: edits of the value class (a third module) and of the declaration
    reach every mode."""
    return _mapping_steps(
        "async def serve():\n"
        "    for i, (name, c) in enumerate(by_name.items()):\n"
        "        c.execute()\n        return await c.execute()\n"
    )


def _mapping_steps(serve: str) -> list[Snapshot]:
    """:func:`_execute_steps` for a mapping ``by_name`` declared in ``app.holder``
    (``dict[str, Conn]``, ``dict[str, Other]``, a bare ``dict``), which ``app.use`` imports
    above ``serve`` (its function's text)."""
    holder = "from app.conns import Conn, Other\n\nby_name: {declared} = {{}}\n"
    use = f"from app.holder import by_name\n\n\n{serve}"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/use.py": use}

    def holding(held: str) -> str:
        return holder.format(declared=f"dict[str, {held}]" if held else "dict")

    return _execute_steps(files, "app/holder.py", holding, "the mapping holds")


@POST_PASS_ONLY
def test_loop_over_items_changes(tmp_path: Path) -> None:
    _unannotated_findings(tmp_path, loop_over_items_changes(), _execute_findings("Conn"))


def narrowed_chain_changes() -> list[Snapshot]:
    """A call on an attribute chain two levels down ``self`` (``self.h.conn.execute()``),
    each link declared in another module: an ``isinstance`` test, a store or a ``match`` on
    the chain added and removed in the caller, and the declaration edited while the chain
    is tested, reach every mode (mypy narrows the chain where it is tested or stored)."""
    holder = "from app.conns import Conn, Other\n\n\nclass Holder:\n    conn: {declared}\n"
    use = (
        "from app.conns import Conn\nfrom app.holder import Holder\n\n\n"
        "class Service:\n    h: Holder\n\n    def stop(self):\n{body}"
        "        self.h.conn.execute()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(declared: str, body: str = "") -> dict[str, str]:
        classes = _execute_classes("Conn").format(kind="async ")
        return files | {
            "app/conns.py": classes,
            "app/holder.py": holder.format(declared=declared),
            "app/use.py": use.format(body=body),
        }

    tested = "        if not isinstance(self.h.conn, Conn):\n            return\n"
    stored = "        self.h.conn = Conn()\n"
    matched = "        match self.h.conn:\n            case Conn():\n                pass\n"
    return _steps(
        ("not narrowed", state("Conn")),
        ("tested", state("Conn", tested)),
        ("declared otherwise while tested", state("Other", tested)),
        ("stored", state("Other", stored)),
        ("matched", state("Other", matched)),
        ("not narrowed again", state("Other")),
    )


@POST_PASS_ONLY
def test_narrowed_chain_changes(tmp_path: Path) -> None:
    dropped, other = _dropped("Conn.execute()"), _dropped("Other.execute()")
    _unannotated_findings(tmp_path, narrowed_chain_changes(), [[dropped], [], [], [], [], [other]])


def loop_over_zip_changes() -> list[Snapshot]:
    """A ``for`` loop's targets taken from ``zip`` over a declared mapping's values and a
    range (``for c, i in zip(by_name.values(), range(3)):``), the mapping declared in
    another module: edits of the value class (a third module) and of the declaration reach
    every mode."""
    return _mapping_steps(
        "async def serve():\n"
        "    for c, i in zip(by_name.values(), range(3)):\n"
        "        c.execute()\n        return await c.execute()\n"
    )


@POST_PASS_ONLY
def test_loop_over_zip_changes(tmp_path: Path) -> None:
    _unannotated_findings(tmp_path, loop_over_zip_changes(), _execute_findings("Conn"))


def container_item_changes() -> list[Snapshot]:
    """An item of a declared mapping read by a subscript and by ``get`` (``by_name[k]``,
    ``c = by_name.get(k)``), the mapping declared in another module: edits of the value class
    (a third module) and of the declaration reach every mode."""
    return _mapping_steps(
        "async def serve(k):\n"
        "    by_name[k].execute()\n    c = by_name.get(k)\n    return await c.execute()\n"
    )


@POST_PASS_ONLY
def test_container_item_changes(tmp_path: Path) -> None:
    _unannotated_findings(tmp_path, container_item_changes(), _execute_findings("Conn"))


def container_item_override_changes() -> list[Snapshot]:
    """A mapping class of a third module (``class Registry(dict[str, Conn])``) gains and
    loses its own ``__getitem__``: an item read by a subscript is read by the declaration
    only where no class of the program defines ``__getitem__``, in every mode."""
    registry = "from app.conns import Conn\n\n\nclass Registry(dict[str, Conn]):\n{body}"
    holder = "from app.registry import Registry\n\nby_name: Registry = Registry()\n"
    use = "from app.holder import by_name\n\n\nasync def serve(k):\n    by_name[k].execute()\n"
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/conns.py": _execute_classes("Conn").format(kind="async "),
        "app/holder.py": holder,
        "app/use.py": use,
    }
    plain = files | {"app/registry.py": registry.format(body="    pass\n")}
    override = "    def __getitem__(self, k):\n        return 1\n"
    return _steps(
        ("a plain subclass", plain),
        ("__getitem__ defined", files | {"app/registry.py": registry.format(body=override)}),
        ("a plain subclass again", plain),
    )


@POST_PASS_ONLY
def test_container_item_override_changes(tmp_path: Path) -> None:
    dropped = _dropped("Conn.execute()")
    _unannotated_findings(tmp_path, container_item_override_changes(), [[dropped], [], [dropped]])


def method_replaced_on_instances_changes() -> list[Snapshot]:
    """A subclass of another module replaces an inherited method on its instances
    (``self.send = self._send`` in ``__init__``), and a third module awaits the method on
    an instance of the subclass: adding and removing the store reach every mode (a warm
    run reads the subclass's stores from its module's cache entry)."""
    base = "class Client:\n    def send(self, m):\n        return 1\n"
    fake = (
        "from app.base import Client\n\n\nclass Fake(Client):\n"
        "    def __init__(self):\n        {store}\n\n"
        "    async def _send(self, m):\n        return m\n"
    )
    use = "from app.fake import Fake\n\n\nasync def main():\n    return await Fake().send(1)\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/base.py": base, "app/use.py": use}

    def state(store: str) -> dict[str, str]:
        return files | {"app/fake.py": fake.format(store=store)}

    return _steps(
        ("not replaced", state("self.other = self._send")),
        ("replaced", state("self.send = self._send")),
        ("not replaced again", state("self.other = self._send")),
    )


@POST_PASS_ONLY
def test_method_replaced_on_instances_changes(tmp_path: Path) -> None:
    sent = _awaited("Client.send()", "int")
    _unannotated_findings(tmp_path, method_replaced_on_instances_changes(), [[sent], [], [sent]])


def union_receiver_changes() -> list[Snapshot]:
    """A method called on a receiver typed as a union of two classes of another module
    (dropped in one function, awaited in another): edits of each class's method (async,
    sync, ``Any``), of the order of the union's items and elsewhere in the classes' module
    reach every mode, with one finding per call where the items agree (filed again where
    the daemon checks the caller again) and mypy's own verdict where they do not."""
    conns = (
        "from typing import Any\n\n\nclass Conn:\n    {conn}def close(self) -> {result}:\n"
        "        return None\n\n\nclass Other:\n    {other}def close(self) -> None:\n"
        "        return None\n"
    )
    use = (
        "from typing import Union\n\nfrom app.conns import Conn, Other\n\n\n"
        "def stop(x: Union[{items}]) -> None:\n    x.close()\n\n\n"
        "async def run(x: Union[{items}]) -> None:\n    await x.close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(
        conn: str, other: str, result: str = "None", items: str = "Conn, Other", extra: str = ""
    ) -> dict[str, str]:
        module = conns.format(conn=conn, other=other, result=result) + extra
        return files | {"app/conns.py": module, "app/use.py": use.format(items=items)}

    return _steps(
        ("both async", state("async ", "async ")),
        ("Other's sync", state("async ", "")),
        ("both sync", state("", "")),
        ("both async, Other first", state("async ", "async ", items="Other, Conn")),
        ("Conn's gives Any", state("", "async ", result="Any")),
        ("back", state("async ", "async ")),
        ("a class added to their module", state("async ", "async ", extra="\n\nclass New: ...\n")),
    )


def test_union_receiver_changes(tmp_path: Path) -> None:
    mixed = (
        'Incompatible types in "await" (actual type "Coroutine[Any, Any, None] | None", '
        'expected type "Awaitable[Any]")  [misc]'
    )
    expected = [
        [_dropped("Conn.close()")],
        [mixed],
        [_awaited("Conn.close()", "None")],
        [_dropped("Other.close()")],
        [],
        [_dropped("Conn.close()")],
        [_dropped("Conn.close()")],
    ]
    assert _cold_errors(_agreeing(tmp_path, union_receiver_changes())) == expected


def constrained_type_variable_changes() -> list[Snapshot]:
    """A method called on a receiver typed by a constrained type variable whose values are
    two classes of another module (dropped in one function, awaited in another): mypy
    checks each function once per value.  Edits of each class's method (async, sync) and
    of the order of the values reach every mode, with one finding per call, named after
    the first value that makes it."""
    conns = (
        "class Conn:\n    {conn}def close(self) -> None:\n        return None\n\n\n"
        "class Other:\n    {other}def close(self) -> None:\n        return None\n"
    )
    use = (
        "from typing import TypeVar\n\nfrom app.conns import Conn, Other\n\n"
        'T = TypeVar("T", {values})\n\n\n'
        "def stop(x: T) -> None:\n    x.close()\n\n\n"
        "async def run(x: T) -> None:\n    await x.close()\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(conn: str, other: str, values: str = "Conn, Other") -> dict[str, str]:
        module = conns.format(conn=conn, other=other)
        return files | {"app/conns.py": module, "app/use.py": use.format(values=values)}

    return _steps(
        ("both async", state("async ", "async ")),
        ("Other's sync", state("async ", "")),
        ("both sync", state("", "")),
        ("both async, Other first", state("async ", "async ", values="Other, Conn")),
        ("back", state("async ", "async ")),
    )


def test_constrained_type_variable_changes(tmp_path: Path) -> None:
    expected = [
        [_dropped("Conn.close()")],
        [_awaited("Other.close()", "None"), _dropped("Conn.close()")],
        [_awaited("Conn.close()", "None")],
        [_dropped("Other.close()")],
        [_dropped("Conn.close()")],
    ]
    assert _cold_errors(_agreeing(tmp_path, constrained_type_variable_changes())) == expected


def function_awaited_changes() -> list[Snapshot]:
    """A method of another module's class awaited as it is, not called (``await
    self.fetch``), in an annotated and in an unannotated method of a subclass: edits of
    the base (the method turned into a property, back, removed, back) reach every mode."""
    kinds = {
        "method": "    async def fetch(self) -> int:\n        return 1\n",
        "property": "    @property\n    def fetch(self) -> 'asyncio.Future[int]':\n"
        "        return asyncio.Future()\n",
        "none": "    pass\n",
    }
    base = "import asyncio\n\n\nclass Base:\n{fetch}"
    use = (
        "from app.base import Base\n\n\nclass Client(Base):\n"
        "    async def run(self) -> None:\n        await self.fetch\n\n"
        "    async def go(self):\n        await self.fetch\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/use.py": use}

    def state(kind: str) -> dict[str, str]:
        return files | {"app/base.py": base.format(fetch=kinds[kind])}

    return _steps(
        ("a method", state("method")),
        ("a property", state("property")),
        ("back", state("method")),
        ("gone", state("none")),
        ("back again", state("method")),
    )


def test_function_awaited_changes(tmp_path: Path) -> None:
    """(Without the pass over unannotated code, mypy < 2.4: the annotated method's only.)"""
    found = 'Cannot await "self.fetch": it is a function, not a call of it; call it'
    found += "  [await-not-awaitable]"
    both = [found, found] if HAS_POST_PASS else [found]
    gone = '"Client" has no attribute "fetch"  [attr-defined]'
    expected = [both, [], both, [gone], both]
    assert _cold_errors(_agreeing(tmp_path, function_awaited_changes())) == expected


# ``refresh`` bound again by its module, and not: the ways the rebinding sequences step through.
_REFRESH_BOUND_AGAIN: Final = {
    "plain": "",
    "top level": "\n\nrefresh = wrap(refresh)\n",
    "global": "\n\ndef install():\n    global refresh\n    refresh = wrap(refresh)\n",
}


def _rebinding_steps(state: Callable[[str], dict[str, str]]) -> list[Snapshot]:
    return _steps(
        ("plain", state("plain")),
        ("bound again at the top level", state("top level")),
        ("bound again through global", state("global")),
        ("plain again", state("plain")),
    )


def rebinding_changes() -> list[Snapshot]:
    """A sync def of another module awaited, and an ``async def`` of the caller's own module
    dropped, in unannotated functions, while the defining modules bind the names again and
    stop (at the top level, through ``global`` in a function): a name bound again may hold
    anything, so neither is judged by its def then."""
    wrap = "def wrap(f):\n    return f\n\n\n"
    jobs = {
        "plain": "def get_user(uid):\n    return [uid]\n",
        "top level": "def get_user(uid):\n    return [uid]\n\n\nget_user = wrap(get_user)\n",
        "global": "def get_user(uid):\n    return [uid]\n\n\n"
        "def install():\n    global get_user\n    get_user = wrap(get_user)\n",
    }
    view = (
        "from app.jobs import get_user, wrap\n\n\nasync def refresh():\n    return 1\n{rebind}\n\n"
        "async def view(uid):\n    refresh()\n    return await get_user(uid)\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": ""}

    def state(kind: str) -> dict[str, str]:
        return files | {
            "app/jobs.py": wrap + jobs[kind],
            "app/views.py": view.format(rebind=_REFRESH_BOUND_AGAIN[kind]),
        }

    return _rebinding_steps(state)


@POST_PASS_ONLY
def test_rebinding_changes(tmp_path: Path) -> None:
    awaited = 'Cannot await "get_user()": it returns "list[Any]", which is not awaitable; '
    awaited += 'remove the "await"  [await-not-awaitable]'
    dropped = 'Coroutine "refresh()" is used without "await" (it is dropped and never runs); '
    dropped += 'add "await"  [missing-await]'
    both = sorted([awaited, dropped])
    expected = [both, [], [], both]
    assert _cold_errors(_agreeing(tmp_path, rebinding_changes())) == expected


def rebound_elsewhere_changes() -> list[Snapshot]:
    """An ``async def`` called and dropped in an unannotated function of another module,
    while its own module binds the name again and stops (at the top level, through
    ``global``): the kept mark (``stored_results.rebound_key``) reaches warm runs, and the
    daemon re-checks the caller when it changes."""
    lib = "def wrap(f):\n    return f\n\n\nasync def refresh():\n    return 1\n{rebind}"
    view = "from app import jobs\nfrom app.jobs import refresh\n\n\ndef view():\n    refresh()\n"
    view += "    jobs.refresh()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/views.py": view}

    def state(kind: str) -> dict[str, str]:
        return files | {"app/jobs.py": lib.format(rebind=_REFRESH_BOUND_AGAIN[kind])}

    return _rebinding_steps(state)


@POST_PASS_ONLY
def test_rebound_elsewhere_changes(tmp_path: Path) -> None:
    dropped = 'Coroutine "{}()" is used without "await" (it is dropped and never runs); '
    dropped += 'add "await"  [missing-await]'
    both = [dropped.format("refresh")] * 2
    expected = [both, [], [], both]
    assert _cold_errors(_agreeing(tmp_path, rebound_elsewhere_changes())) == expected


def union_receiver_attribute_changes() -> list[Snapshot]:
    """An attribute awaited on a receiver typed as a union of two classes of another
    module: edits of one class's attribute (a plain value, an awaitable, a property) reach
    every mode, with one finding where every item's value is plain."""
    kinds = {
        "str": "    name: str = ''\n",
        "future": "    name: 'asyncio.Future[str]'\n",
        "property": "    @property\n    def name(self) -> str:\n        return ''\n",
    }
    conns = "import asyncio\n\n\nclass Conn:\n    name: str = ''\n\n\nclass Other:\n{other}"
    use = (
        "from typing import Union\n\nfrom app.conns import Conn, Other\n\n\n"
        "async def run(x: Union[Conn, Other]) -> None:\n    await x.name\n"
    )
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/use.py": use}

    def state(other: str) -> dict[str, str]:
        return files | {"app/conns.py": conns.format(other=kinds[other])}

    return _steps(
        ("both str", state("str")),
        ("Other's a Future", state("future")),
        ("Other's a property", state("property")),
        ("back", state("str")),
    )


def test_union_receiver_attribute_changes(tmp_path: Path) -> None:
    plain = 'Cannot await "Conn.name": it is "str", which is not awaitable; remove the "await"'
    mixed = (
        'Incompatible types in "await" (actual type "str | Future[str]", '
        'expected type "Awaitable[Any]")  [misc]'
    )
    found = f"{plain}  [await-not-awaitable]"
    expected = [[found], [mixed], [found], [found]]
    assert _cold_errors(_agreeing(tmp_path, union_receiver_attribute_changes())) == expected


def later_uses_changes() -> list[Snapshot]:
    """A coroutine of another module's ``async def`` kept in a name, misused twice and
    awaited: one finding at its first use, while the def's result changes (unknown, known)
    and the def turns sync and back; the daemon re-checks the caller's function only."""
    defs = {
        "any": "from typing import Any\n\n\nasync def make() -> Any:\n    return []\n",
        "list": "async def make() -> list[int]:\n    return []\n",
        "sync": "def make() -> list[int]:\n    return []\n",
    }
    use = (
        "from app.lib import make\n\n\nasync def run() -> None:\n    r = make()\n"
        "    print(r[0], r[1])\n    len(r)\n    await r\n"
    )
    return _lib_changes(
        use,
        defs,
        ("unknown result", "any"),
        ("a known result", "list"),
        ("a sync def", "sync"),
        ("unknown result again", "any"),
    )


def test_later_uses_changes(tmp_path: Path) -> None:
    found = [
        'Coroutine "make()" assigned to "r" on line 5 is used without "await" (a coroutine '
        'object cannot be subscripted); add "await" on line 5  [missing-await]'
    ]
    # A local variable awaited keeps mypy's error (README, Limits).
    awaited = 'Incompatible types in "await" (actual type "list[int]", expected type '
    awaited += '"Awaitable[Any]")  [misc]'
    expected = [found, found, [awaited], found]
    assert _cold_errors(_agreeing(tmp_path, later_uses_changes())) == expected


def overloaded_calls_changes() -> list[Snapshot]:
    """Coroutines of another module's ``async def`` passed to overloaded functions (``max``,
    ``sorted``, one in a ``return``) and to a generic class (``tuple``): the def's result
    changes (known, one no item takes, unknown), the def turns sync and back; the daemon
    re-checks the caller's functions only."""
    defs = {
        "list": "async def rows() -> list[int]:\n    return []\n",
        "int": "async def rows() -> int:\n    return 1\n",
        "any": "from typing import Any\n\n\nasync def rows() -> Any:\n    return []\n",
        "sync": "def rows() -> list[int]:\n    return []\n",
    }
    use = (
        "from app.lib import rows\n\n\nasync def run() -> None:\n"
        "    print(max(rows()), sorted(rows()))\n    head = tuple(rows())\n\n\n"
        "def top() -> int:\n    return max(rows())\n"
    )
    return _lib_changes(
        use,
        defs,
        ("a known result", "list"),
        ("a result no item takes", "int"),
        ("unknown result", "any"),
        ("a sync def", "sync"),
        ("a known result again", "list"),
    )


def _relabelled(mypys: str) -> str:
    """The plugin's ``missing-await`` for mypy's error message ``mypys`` (its first letter
    lowered, as the plugin quotes it)."""
    quoted = mypys[0].lower() + mypys[1:]
    return f'A coroutine is used without "await" ({quoted}); add "await"  [missing-await]'


def _no_overload(callee: str, *arguments: str) -> str:
    """mypy's message where no overload item of ``callee`` (as mypy names it, quoted)
    matches arguments of the types ``arguments``."""
    kinds = "types" if len(arguments) > 1 else "type"
    shown = ", ".join(f'"{a}"' for a in arguments)
    return f"No overload variant of {callee} matches argument {kinds} {shown}"


def _coroutine(result: str) -> str:
    return f"Coroutine[Any, Any, {result}]"


def test_overloaded_calls_changes(tmp_path: Path) -> None:
    def found(name: str, result: str) -> str:
        return _relabelled(_no_overload(f'"{name}"', _coroutine(result)))

    def kept(name: str) -> str:
        return _no_overload(f'"{name}"', _coroutine("int")) + "  [call-overload]"

    def not_inferred(result: str) -> str:
        return (
            f'Argument 1 to "tuple" has incompatible type "Coroutine[Any, Any, {result}]"; '
            'expected "Iterable[Never]"'
        )

    def generic(result: str) -> str:
        return _relabelled(not_inferred(result))

    known = sorted(
        [found("max", "list[int]")] * 2 + [found("sorted", "list[int]"), generic("list[int]")]
    )
    unknown = sorted([found("max", "Any")] * 2 + [found("sorted", "Any"), generic("Any")])
    no_item = sorted(
        [kept("max")] * 2
        + [kept("sorted"), not_inferred("int") + "  [arg-type]"]
        + ['Need type annotation for "head"  [var-annotated]']
    )
    expected = [known, no_item, unknown, [], known]
    cold = _agreeing(tmp_path, overloaded_calls_changes()).cold
    # mypy's error where no item takes the result is followed by its notes (the items).
    found_errors = [
        sorted(e.split(": error: ")[1] for e in step if ": error: " in e) for step in cold
    ]
    assert found_errors == expected
    assert all(": note: " not in line for line in cold[0] + cold[2] + cold[4])


def indexed_coroutines_changes() -> list[Snapshot]:
    """Coroutines of another module's ``async def`` used as a list's index, stored by
    index and as a comprehension's items: the def's result changes (known, one the list
    does not take), the def turns sync and back; the daemon re-checks the caller's
    function only."""
    defs = {
        "int": "async def key() -> int:\n    return 0\n",
        "str": "async def key() -> str:\n    return ''\n",
        "sync": "def key() -> int:\n    return 0\n",
    }
    use = (
        "from app.lib import key\n\n\nasync def run(xs: list[int]) -> None:\n"
        "    print(xs[key()])\n    xs[key()] = 1\n"
        "    items: list[int] = [key() for _ in xs]\n    print(items)\n"
    )
    return _lib_changes(
        use,
        defs,
        ("a known result", "int"),
        ("a result the list does not take", "str"),
        ("a sync def", "sync"),
        ("a known result again", "int"),
    )


def test_indexed_coroutines_changes(tmp_path: Path) -> None:
    def getitem(result: str) -> str:
        return _no_overload('"__getitem__" of "list"', _coroutine(result))

    def setitem(result: str) -> str:
        return _no_overload('"__setitem__" of "list"', _coroutine(result), "int")

    def comprehension(result: str) -> str:
        return (
            f"List comprehension has incompatible type List[Coroutine[Any, Any, {result}]]; "
            "expected List[int]"
        )

    def kept(mypys: str, code: str) -> str:
        return f"{mypys}  [{code}]"

    known = sorted(_relabelled(m("int")) for m in (getitem, setitem, comprehension))
    not_taken = sorted(
        [
            kept(getitem("str"), "call-overload"),
            kept(setitem("str"), "call-overload"),
            kept(comprehension("str"), "misc"),
        ]
    )
    expected = [known, not_taken, [], known]
    cold = _agreeing(tmp_path, indexed_coroutines_changes()).cold
    # mypy's errors where the list does not take the result are followed by notes.
    errors = [sorted(e.split(": error: ")[1] for e in step if ": error: " in e) for step in cold]
    assert errors == expected
    assert all(": note: " not in line for line in cold[0] + cold[3])


def display_coroutines_changes() -> list[Snapshot]:
    """Coroutines of another module's ``async def`` as a dict display's value (stored and
    passed), as a tuple display's item passed and returned: the def's result changes
    (known, one the display does not take), the def turns sync and back; the daemon
    re-checks the caller's function only."""
    defs = {
        "int": "async def key() -> int:\n    return 0\n",
        "str": "async def key() -> str:\n    return ''\n",
        "sync": "def key() -> int:\n    return 0\n",
    }
    use = (
        "from app.lib import key\n\n\ndef takes(t: tuple[int, str]) -> None:\n    pass\n\n\n"
        "def takes_dict(d: dict[str, int]) -> None:\n    pass\n\n\n"
        "async def run() -> tuple[int, str]:\n"
        "    d: dict[str, int] = {'k': key()}\n    print(d)\n    takes_dict({'k': key()})\n"
        "    takes((key(), 'a'))\n    return key(), 'a'\n"
    )
    return _lib_changes(
        use,
        defs,
        ("a known result", "int"),
        ("a result the display does not take", "str"),
        ("a sync def", "sync"),
        ("a known result again", "int"),
    )


def test_display_coroutines_changes(tmp_path: Path) -> None:
    def entry(result: str) -> tuple[str, str]:
        message = f'Dict entry 0 has incompatible type "str": "{_coroutine(result)}"; '
        return message + 'expected "str": "int"', "dict-item"

    def argument(result: str) -> tuple[str, str]:
        given = f"tuple[{_coroutine(result)}, str]"
        message = f'Argument 1 to "takes" has incompatible type "{given}"; '
        return message + 'expected "tuple[int, str]"', "arg-type"

    def returned(result: str) -> tuple[str, str]:
        given = f"tuple[{_coroutine(result)}, str]"
        message = f'Incompatible return value type (got "{given}", expected "tuple[int, str]")'
        return message, "return-value"

    shapes = (entry, entry, argument, returned)  # a dict stored, and one passed
    known = sorted(_relabelled(shape("int")[0]) for shape in shapes)
    not_taken = sorted("{}  [{}]".format(*shape("str")) for shape in shapes)
    expected = [known, not_taken, [], known]
    cold = _agreeing(tmp_path, display_coroutines_changes()).cold
    errors = [sorted(e.split(": error: ")[1] for e in step if ": error: " in e) for step in cold]
    assert errors == expected


def subclass_override_changes() -> list[Snapshot]:
    """``Child().fetch()`` in ``app/use.py`` (an annotated function: judged by its hook,
    which the daemon runs again only where the caller depends on what changed), ``fetch``
    a base class's unannotated method
    returning ``self.load()`` (``app/base.py``, never edited), ``Child`` in ``app/child.py``:
    its ``load`` turns ``async`` (unannotated, so mypy's snapshot of it does not change),
    back, is decorated, goes, comes back ``async``.  The caller's module is never
    edited."""
    base = (
        "class Base:\n    def fetch(self):\n        return self.load()\n\n"
        "    def load(self):\n        return 1\n"
    )
    use = "from app.child import Child\n\n\nasync def typed() -> None:\n    await Child().fetch()\n"

    def child(body: str) -> str:
        imports = "import functools\n\n" if "functools" in body else ""
        return f"{imports}from app.base import Base\n\n\nclass Child(Base):\n{body}"

    files = {"mypy.ini": INI, "app/__init__.py": "", "app/base.py": base, "app/use.py": use}
    sync = "    def load(self):\n        return 2\n"
    asynchronous = "    async def load(self):\n        return 2\n"
    decorated = "    @functools.cache\n    def load(self):\n        return 2\n"
    return _steps(
        ("load a sync def", files | {"app/child.py": child(sync)}),
        ("load an async def", files | {"app/child.py": child(asynchronous)}),
        ("load a sync def again", files | {"app/child.py": child(sync)}),
        ("load decorated", files | {"app/child.py": child(decorated)}),
        # functools leaves the build: the daemon updates once more, re-checking every
        # target with errors after the first update printed them.
        ("no load of its own", files | {"app/child.py": child("    pass\n")}),
        ("load an async def again", files | {"app/child.py": child(asynchronous)}),
        # What Base.fetch gives is no longer read through self: judged on Child too.
        (
            "fetch returns 1 itself",
            files
            | {
                "app/child.py": child(asynchronous),
                "app/base.py": base.replace("return self.load()", "return 1"),
            },
        ),
        ("fetch returns self.load() again", files | {"app/child.py": child(asynchronous)}),
    )


@POST_PASS_ONLY
def test_subclass_override_changes(tmp_path: Path) -> None:
    found = [
        'Cannot await "Base.fetch()": it returns "int", which is not awaitable; remove the '
        '"await"  [await-not-awaitable]'
    ]
    expected = [found, [], found, [], found, [], found, []]
    assert _cold_errors(_agreeing(tmp_path, subclass_override_changes())) == expected


def reexport_moved_changes() -> list[Snapshot]:
    """A package's ``__init__`` re-exports ``make_store`` from one module, then from
    another, whose def then turns ``async``; and a class re-exported under an alias whose
    base, then whose re-export, changes and changes back, then a base's method turns
    ``async``.  The importers (unannotated functions) are never edited: the daemon analyses
    their top level again after the re-export changes, not their functions, whose names
    still hold the nodes of before."""
    base = (
        "class A:\n    def get(self):\n        return 7\n\n    def fetch(self):\n"
        "        return 1\n\n\nclass AA:\n    async def get(self):\n        return 7\n\n"
        "    async def fetch(self):\n        return 1\n"
    )
    impl = "class Store:\n    pass\n\n\ndef make_store():\n    return Store()\n"
    mid = "from app.base import A, AA\n\n\nclass B(A):\n    pass\n"
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/svc/__init__.py": "from .util import make_store\n",
        "app/svc/impl.py": impl,
        "app/svc/util.py": "from .impl import Store\n\n\ndef make_store():\n    return Store()\n",
        "app/main.py": "from app.svc import make_store\n\n\ndef go():\n    make_store().x\n",
        "app/base.py": base,
        "app/mid.py": mid,
        "app/pkg/__init__.py": "from app.mid import B as Client\n",
        "app/use.py": (
            "from app.pkg import Client\n\n\nasync def f():\n    c = Client()\n"
            "    await c.get()\n    x = c.fetch()\n    return x.real\n\n\ndef g():\n"
            "    Client().fetch().real\n    Client().get()\n"
        ),
    }
    moved = files | {"app/svc/__init__.py": "from .impl import make_store\n"}
    made_async = moved | {"app/svc/impl.py": impl.replace("def make", "async def make")}
    async_base = made_async | {"app/mid.py": mid.replace("B(A)", "B(AA)")}
    aliased = async_base | {"app/pkg/__init__.py": "from app.base import AA as Client\n"}
    sync_fetch = "    def fetch(self):\n        return 1\n\n\nclass AA"
    fetch_async = made_async | {
        "app/base.py": base.replace(sync_fetch, f"    async {sync_fetch[4:]}")
    }
    return _steps(
        ("as written", files),
        ("the package re-exports make_store from impl", moved),
        ("impl's make_store turns async", made_async),
        ("B's base turns to AA", async_base),
        ("the package re-exports AA as Client", aliased),
        ("back to B as Client, B(A)", made_async),
        ("A.fetch turns async", fetch_async),
    )


@POST_PASS_ONLY
def test_reexport_moved_changes(tmp_path: Path) -> None:
    def coroutine(what: str, why: str) -> str:
        return f'Coroutine "{what}" is used without "await" ({why}); add "await"  [missing-await]'

    attribute_x = coroutine(
        "make_store()", 'attribute "x" is looked up on the coroutine, not on its result'
    )
    get_awaited = (
        'Cannot await "A.get()": it returns "int", which is not awaitable; remove the "await"'
        "  [await-not-awaitable]"
    )
    cold = _cold_errors(_agreeing(tmp_path, reexport_moved_changes()))

    def fetch(cls: str, why: str) -> str:
        return coroutine(f"{cls}.fetch()", why)

    real = 'attribute "real" is looked up on the coroutine, not on its result'
    kept = f'Coroutine "A.fetch()" assigned to "x" on line 7 is used without "await" ({real})'
    assert cold[0] == [get_awaited]
    assert cold[2] == sorted([attribute_x, get_awaited])
    assert cold[5] == cold[2]
    assert cold[6] == sorted(
        [
            attribute_x,
            get_awaited,
            fetch("A", real),
            f'{kept}; add "await" on line 7  [missing-await]',
        ]
    )


def module_leaves_the_build_changes() -> list[Snapshot]:
    """``app/a.py`` stops importing ``functools`` (and imports it again): the daemon updates
    a second time in the command, to remove it, and checks again the targets with errors
    after the first update printed their files.  The findings are in unannotated
    functions, filed by the pass after type checking: in ``app/b.py``, never edited, and
    in ``app/a.py`` itself."""
    lib = "def plain():\n    return 1\n"
    b = "from app.lib import plain\n\n\nasync def g():\n    await plain()\n"
    own = "from app.lib import plain\n\n\nasync def h():\n    await plain()\n"
    files = {"mypy.ini": INI, "app/__init__.py": "", "app/lib.py": lib, "app/b.py": b}
    return _steps(
        ("a imports functools", files | {"app/a.py": f"import functools\n\n{own}"}),
        ("a no longer imports functools", files | {"app/a.py": own}),
        ("a comment added to a", files | {"app/a.py": f"# a comment\n{own}"}),
        ("a imports functools again", files | {"app/a.py": f"import functools\n\n{own}"}),
    )


@POST_PASS_ONLY
def test_module_leaves_the_build_changes(tmp_path: Path) -> None:
    found = (
        'Cannot await "plain()": it returns "int", which is not awaitable; remove the "await"'
        "  [await-not-awaitable]"
    )
    assert _cold_errors(_agreeing(tmp_path, module_leaves_the_build_changes())) == [[found] * 2] * 4


def module_removed_and_restored_changes() -> list[Snapshot]:
    """``app/a.py`` defines ``make``, reached from unannotated functions three ways: through
    the package's re-export (``from app import make``), as ``app.a.make`` after ``import
    app.a``, through another module's import (``from app.b import make``) and through a
    star import (``from app.a import *`` in ``app/star/__init__.py``); and its
    class ``Foo`` through a variable of another module (``manager = Foo()``).  It is
    removed (an update that only removes a module: every finding is judged again, with
    names read as mypy's analysis binds them now), then restored (the pass runs before mypy
    analyses the callers again, and follows the imports that failed to what they name
    now)."""
    a = 'def make():\n    return {"x": 1}\n\n\nclass Foo:\n    def send(self):\n        return 1\n'
    files = {
        "app/ws.py": "from app.a import Foo\n\nmanager = Foo()\n",
        "app/star/__init__.py": "from app.a import *\n",
        "app/h.py": "from app.star import make\n\n\nasync def w():\n    await make()\n",
        "app/g.py": "from app.ws import manager\n\n\nasync def w():\n    await manager.send()\n",
        "mypy.ini": INI,
        "app/__init__.py": "from .a import make\n",
        "app/b.py": "from app.a import make\n",
        "app/d.py": "from app import make\n\n\nasync def w():\n    await make()\n",
        "app/c.py": "import app.a\n\n\nasync def w():\n    await app.a.make()\n",
        "app/e.py": "from app.b import make\n\n\nasync def w():\n    await make()\n",
    }
    return _steps(
        ("a defines make", files | {"app/a.py": a}),
        ("a removed", files),
        ("a restored", files | {"app/a.py": a}),
        ("a removed again", files),
    )


@POST_PASS_ONLY
def test_module_removed_and_restored_changes(tmp_path: Path) -> None:
    found = sorted([_awaited("make()", "dict[Any, Any]")] * 4 + [_awaited("Foo.send()", "int")])
    steps = _cold_errors(_agreeing(tmp_path, module_removed_and_restored_changes()))
    assert [[line for line in step if "await-not-awaitable" in line] for step in steps] == [
        found,
        [],
        found,
        [],
    ]


def module_removed_that_callers_import_unused_changes() -> list[Snapshot]:
    """``app/b.py`` is imported by ``app/use.py`` and ``app/handler.py`` but none of its
    names is used there; their findings read ``Conn`` of ``app/a.py`` through a module
    variable (``conn = Conn()``), an attribute stored in ``__init__`` and a local.  ``b`` is
    removed (an update that only removes a module), then restored.  The daemon gave up the
    first two findings until another module was edited (a review's case): a module that
    imports the removed one but uses none of its names keeps its findings now
    (:mod:`mypy_wsplugin.facts.removed_modules`)."""
    a = "class Conn:\n    def ping(self):\n        return 1\n\n\ndef ping():\n    return 1\n"
    use = (
        "from app.a import Conn, ping\nfrom app.b import x\n\nconn = Conn()\n\n\n"
        "async def local():\n    c = Conn()\n    await c.ping()\n\n\n"
        "async def glob():\n    await conn.ping()\n\n\n"
        "async def func():\n    await ping()\n"
    )
    handler = (
        "from app.a import Conn\nfrom app.b import x\n\n\nclass Handler:\n"
        "    def __init__(self):\n        self.c = Conn()\n\n"
        "    async def handle(self):\n        await self.c.ping()\n"
    )
    files = {
        "mypy.ini": INI,
        "app/__init__.py": "",
        "app/a.py": a,
        "app/use.py": use,
        "app/handler.py": handler,
        # What goes with ``b`` through a re-export its module does not use itself, reached
        # by a star import and through the module's attribute (a second review's cases).
        "app/reexport.py": "from app.b import make\n",
        "app/star_user.py": "from app.reexport import *\n\n\ndef f():\n    make()\n",
        "app/module_user.py": "import app.reexport\n\n\ndef g():\n    app.reexport.make()\n",
    }
    b = {"app/b.py": "x = 1\n\n\nasync def make():\n    return 1\n"}
    return _steps(("b there", files | b), ("b removed", files), ("b restored", files | b))


@POST_PASS_ONLY
def test_module_removed_that_callers_import_unused_changes(tmp_path: Path) -> None:
    found = sorted([_awaited("Conn.ping()", "int")] * 3 + [_awaited("ping()", "int")])
    dropped = (
        'Coroutine "make()" is used without "await" (it is dropped and never runs); '
        'add "await"  [missing-await]'
    )
    steps = _cold_errors(_agreeing(tmp_path, module_removed_that_callers_import_unused_changes()))
    assert [[line for line in step if "await-not-awaitable" in line] for step in steps] == [
        found,
        found,
        found,
    ]
    assert [[line for line in step if "missing-await" in line] for step in steps] == [
        [dropped, dropped],
        [],
        [dropped, dropped],
    ]


def ignores_on_unannotated_findings_change() -> list[Snapshot]:
    """A finding of the pass over unannotated code, then a ``# type: ignore`` naming the
    code mypy itself gives that misuse (``[attr-defined]`` for iterating a coroutine),
    then one naming another code, then none, under ``warn_unused_ignores``.  The daemon
    calls a changed module's ignores unused before that pass runs, a build after it
    (``mypy_internals.reconsider_ignores``); without it the daemon said "Unused
    "type: ignore" comment" where the cold run says nothing."""
    return _ignores_on_an_unannotated_finding(
        INI + "warn_unused_ignores = True\n",
        ("no ignore", ":"),
        ("ignore[attr-defined]", ":  # type: ignore[attr-defined]"),
        ("ignore[index]", ":  # type: ignore[index]"),
        ("ignore[attr-defined] again", ":  # type: ignore[attr-defined]"),
        ("no ignore again", ":"),
    )


def _ignores_on_an_unannotated_finding(ini: str, *steps: tuple[str, str]) -> list[Snapshot]:
    """``app/use.py`` with a finding of the pass over unannotated code on line 6, the end of
    that line as each of ``steps`` gives it (its note, the text)."""
    use = (
        "async def items() -> list[int]:\n    return []\n\n\n"
        "async def untyped(x):\n    for y in items(){ignore}\n        print(y)\n"
        "    return x\n"
    )
    files = {"mypy.ini": ini, "app/__init__.py": ""}

    return _steps(*((note, files | {"app/use.py": use.format(ignore=end)}) for note, end in steps))


@POST_PASS_ONLY
def test_ignores_on_unannotated_findings_change(tmp_path: Path) -> None:
    """Every mode agrees with the cold run, which says the finding or nothing, and calls
    an ignore of another code unused."""
    found = (
        'Coroutine "items()" is used without "await" (a coroutine object cannot be '
        'iterated); add "await"  [missing-await]'
    )
    result = _agreeing(tmp_path, ignores_on_unannotated_findings_change())
    steps = [sorted(line.split(": ", 1)[1] for line in lines) for lines in result.cold]
    not_covered = 'note: Error code "missing-await" not covered by "type: ignore[index]" comment'
    assert steps == [
        [f"error: {found}"],
        [],
        sorted(
            [
                f"error: {found}",
                not_covered,
                'error: Unused "type: ignore" comment  [unused-ignore]',
            ]
        ),
        [],
        [f"error: {found}"],
    ]


@POST_PASS_ONLY
def test_ignores_without_a_code_on_unannotated_findings_change(tmp_path: Path) -> None:
    """With ``ignore-without-code`` on (and ``warn_unused_ignores``, under which mypy
    skips an ignore it calls unused): a bare ignore on the finding is one that names no
    code, and says which (the daemon said it without the code, or not at all)."""
    snaps = _ignores_on_an_unannotated_finding(
        INI + "warn_unused_ignores = True\nenable_error_code = ignore-without-code\n",
        ("no ignore", ":"),
        ("a bare ignore", ":  # type: ignore"),
        ("ignore[attr-defined]", ":  # type: ignore[attr-defined]"),
        ("a bare ignore again", ":  # type: ignore"),
    )
    bare = (
        'error: "type: ignore" comment without error code (consider "type: '
        'ignore[missing-await]" instead)  [ignore-without-code]'
    )
    found = (
        'error: Coroutine "items()" is used without "await" (a coroutine object cannot be '
        'iterated); add "await"  [missing-await]'
    )
    result = _agreeing(tmp_path, snaps)
    steps = [sorted(line.split(": ", 1)[1] for line in lines) for lines in result.cold]
    assert steps == [[found], [bare], [], [bare]]
