"""Declared results: ``TARGET -> RESULT`` types a factory that mypy sees as returning Any."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from fnmatch import fnmatchcase

from mypy.nodes import MypyFile
from mypy.server.trigger import make_trigger
from mypy.types import Type

from mypy_wsplugin.config import FactoryEntry
from mypy_wsplugin.facts.bindings import imported_modules
from mypy_wsplugin.facts.call_site import Site
from mypy_wsplugin.facts.statements import module_definitions
from mypy_wsplugin.facts.types import (
    coroutine_of,
    coroutine_result,
    find_class,
    is_any,
)
from mypy_wsplugin.messages import result_class_not_found
from mypy_wsplugin.mypy_classes import IMPORT_FROM
from mypy_wsplugin.mypy_internals import (
    current_target,
    depend_on,
    errors_generation,
    errors_of,
    reanalyse_when_module_changes,
    refer_to_module,
    tree_is_complete,
)
from mypy_wsplugin.mypy_internals import modules as build_modules
from mypy_wsplugin.reporting import note

PRI_MED = 10  # mypy.build's priority for an ordinary import


def result_dependencies(
    file: MypyFile,
    entries: Sequence[FactoryEntry],
    missing: Collection[str],
    homes: Mapping[str, str | None],
    loaded: Callable[[str], bool | None],
) -> list[tuple[int, str, int]]:
    """The modules of declared RESULT classes, as dependencies of ``file`` where it may call
    the factory (``Plugin.get_additional_deps``): that makes the classes loadable.

    Where mypy loads the module that defines the factory (``homes``, from
    :meth:`..entries.EntryChecks.result_homes`), only that module gets the dependency: a
    module that imports the factory depends on it, so the RESULT's module is analysed before
    any call of the factory is checked, and the types the plugin gives there make the RESULT's
    module an (indirect) dependency of the caller in mypy's cache.  Fewer edges than one per
    caller: fewer import cycles, and under the daemon a removed RESULT module is not reached
    through modules that never import it (mypy's daemon stumbles over a module removed while
    an edited module still imports it, python/mypy#10539, and crashed on such an edge).  A
    glob is treated the same way by what each module defines (:func:`_may_use`); a factory
    in a module mypy does not load gives the dependency to every module that may call it.

    A module mypy cannot find (``missing``) is said once per run (:mod:`..entries`), not as
    an import error in every module that may call the factory.  Whether it can be found is
    part of what the plugin reports to mypy's cache for every module, so every module is
    parsed (and asked here) again when that changes.
    """
    deps = []
    defined: list[str] = []  # what ``file`` defines, listed for the first glob that asks
    for entry in entries:
        module = entry.result_module
        if module is None or module in missing or module == file.fullname:
            continue
        home = homes.get(entry.text)
        if file.fullname == home if home is not None else _may_use(file, entry, loaded, defined):
            deps.append((PRI_MED, module, -1))
            # The daemon: if the module goes, ``file`` stops depending on it (as in a cold
            # run), at its next analysis: EntryChecks.forget_removed_results.
            reanalyse_when_module_changes(file, module)
    return deps


def _may_use(
    file: MypyFile,
    entry: FactoryEntry,
    loaded: Callable[[str], bool | None],
    defined: list[str],
) -> bool:
    """Whether ``file`` may call ``entry``'s target, seen before semantic analysis (only the
    definitions and import statements are known).

    An exact target: ``file`` is, or imports, the module (or a package above it) that
    defines it.  A glob: ``file`` defines a function, class or method the glob matches (its
    importers depend on it in turn, as for an exact target's home), or imports a module
    under the glob's literal prefix that mypy does not load; where the definitions are not
    parsed yet (``mypy -n``), every module under the prefix and their importers.  Adding the
    dependency nowhere else keeps unrelated modules, the standard library and the RESULT
    module's own imports from depending on it (which would form import cycles).  A glob
    that starts with a wildcard adds a dependency only where a match is defined.
    """
    # A parallel worker parses (mypy -n): the coordinator sees only the imports; a glob is
    # then a dependency of every module under its prefix and of their importers.
    by_definitions = entry.is_glob and tree_is_complete(file)
    if by_definitions:
        if not defined:
            defined.extend(_defined(file))
        if any(fnmatchcase(name, entry.target) for name in defined):
            return True
    target = re.split(r"[*?\[]", entry.target, maxsplit=1)[0]
    if entry.is_glob:
        target = target.rpartition(".")[0]
        if not target:
            return False
    if not by_definitions and _covers(file.fullname, target, entry.is_glob):
        return True
    for module, imp in imported_modules(file):
        names = (
            [f"{module}.{name}" for name, _ in imp.names] if isinstance(imp, IMPORT_FROM) else []
        )
        for name in (module, *names):
            if _covers(name, target, entry.is_glob) and (
                not by_definitions or _unseen(name, name == module, loaded)
            ):
                return True
    return False


def _unseen(name: str, is_module: bool, loaded: Callable[[str], bool | None]) -> bool:
    """Whether ``name``, imported, is a module whose definitions mypy does not see: not
    found, or skipped (``follow_imports``).  A name imported from a module may be a
    definition there (its module then counts) or a submodule."""
    state = loaded(name)
    return state is False or (is_module and state is None)


def _covers(module: str, target: str, is_glob: bool) -> bool:
    """Whether ``module`` is, or is a package above, where ``target`` lives."""
    if target.startswith(module + "."):
        return True
    return is_glob and (module == target or module.startswith(target + "."))


def _defined(file: MypyFile) -> list[str]:
    """The full names of the functions, classes and methods ``file`` defines, also under
    ``if``/``try``/``with``/... at module or class level (before semantic analysis)."""
    return [f"{file.fullname}.{name}" for name, _ in module_definitions(file)]


class DeclaredResults:
    def __init__(self) -> None:
        # (entry, module) -> the error generation it was said in, and where (the daemon's
        # target and the line): once per module and check, so that every mode (a warm run
        # replaying other modules from the cache, a parallel worker, the daemon after it
        # reset its errors) prints the same notes.  Said again at the same place when its
        # target is checked again: the daemon drops a target's errors before it checks it
        # again (and mypy prints a repeated line once).
        self._reported_missing: dict[tuple[str, str], tuple[object, str]] = {}

    def apply(self, site: Site) -> Type:
        """The call's type with the entry's RESULT where mypy only knows ``Any``.

        A sync factory gives ``RESULT``; an async one gives ``Coroutine[Any, Any, RESULT]``.
        A RESULT whose module is loaded but which names no class is reported once per module,
        as a note at the first call there; a module mypy does not load at all (skipped, or
        missing: said once per run, see :mod:`..entries`) leaves the type as it was, and the
        configuration alone still drives the checks.
        """
        entry = site.entry
        if entry is None or entry.result is None:
            return site.typ
        awaited = coroutine_result(site.typ)
        if awaited is not None and not entry.is_async:
            return site.typ  # a sync entry (a glob, say) matched an ``async def``: keep it
        unknown = is_any(site.typ) or (awaited is not None and is_any(awaited))
        if not unknown:
            return site.typ
        if not entry.is_async and is_any(site.typ):
            known = site.known()  # mypy < 2 types an unannotated ``async def`` call as Any
            if known is not None and known.is_async:
                return site.typ
        # Whether the class is there, and what it is, decides the type: a change of it
        # re-checks the caller (a warm run: an indirect dependency; the daemon: a trigger).
        if entry.result_module:
            refer_to_module(site.api, entry.result_module)
        depend_on(site.api, make_trigger(entry.result))
        modules = build_modules(site.api)
        found = find_class(entry.result, modules)
        if found is None:
            said = (entry.text, site.tree.fullname)
            where = f"{current_target(site.api)}:{site.node.line}"
            now = (errors_generation(errors_of(site.api)), where)
            before = self._reported_missing.get(said)
            again = before is None or before[0] is not now[0] or before[1] == where
            if again and entry.result_module in modules:
                self._reported_missing[said] = now
                note(
                    site.api, result_class_not_found(entry.key, entry.text, entry.result), site.node
                )
            return site.typ
        return coroutine_of(site.api, found) if entry.is_async else found
