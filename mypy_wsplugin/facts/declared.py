"""Declared results: ``TARGET -> RESULT`` types a factory that mypy sees as returning Any."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from mypy.nodes import ImportFrom, MypyFile
from mypy.server.trigger import make_trigger
from mypy.types import Type

from mypy_wsplugin.config import FactoryEntry
from mypy_wsplugin.facts.call_site import Site
from mypy_wsplugin.facts.resolve import imported_modules
from mypy_wsplugin.facts.types import (
    coroutine_of,
    coroutine_result,
    find_class,
    is_any,
)
from mypy_wsplugin.messages import result_class_not_found
from mypy_wsplugin.mypy_internals import (
    current_target,
    depend_on,
    errors_generation,
    errors_of,
    refer_to_module,
)
from mypy_wsplugin.mypy_internals import modules as build_modules
from mypy_wsplugin.reporting import note

PRI_MED = 10  # mypy.build's priority for an ordinary import


def result_dependencies(
    file: MypyFile,
    entries: Sequence[FactoryEntry],
    missing: Collection[str],
    homes: Mapping[str, str | None],
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
    an edited module still imports it, python/mypy#10539).  A glob, or a factory in a module
    mypy does not load, gives the dependency to every module that may call it.

    A module mypy cannot find (``missing``) is said once per run (:mod:`..entries`), not as
    an import error in every module that may call the factory.  Whether it can be found is
    part of what the plugin reports to mypy's cache for every module, so every module is
    parsed (and asked here) again when that changes.
    """
    deps = []
    for entry in entries:
        module = entry.result_module
        if module is None or module in missing or module == file.fullname:
            continue
        home = homes.get(entry.text)
        if file.fullname == home if home is not None else _may_use(file, entry):
            deps.append((PRI_MED, module, -1))
    return deps


def _may_use(file: MypyFile, entry: FactoryEntry) -> bool:
    """Whether ``file`` imports the module (or a package above it) that defines ``entry``'s
    target, or is that module.

    Seen before semantic analysis, so only the import statements are known.  Adding the
    dependency nowhere else keeps unrelated modules, the standard library and the RESULT
    module's own imports from depending on it (which would form import cycles).  A glob
    target counts by its literal prefix; one that starts with a wildcard adds no dependency.
    """
    target = re.split(r"[*?\[]", entry.target, maxsplit=1)[0]
    if entry.is_glob:
        target = target.rpartition(".")[0]
        if not target:
            return False
    if _covers(file.fullname, target, entry.is_glob):
        return True
    for module, imp in imported_modules(file):
        names = [f"{module}.{name}" for name, _ in imp.names] if isinstance(imp, ImportFrom) else []
        if any(_covers(m, target, entry.is_glob) for m in [module, *names]):
            return True
    return False


def _covers(module: str, target: str, is_glob: bool) -> bool:
    """Whether ``module`` is, or is a package above, where ``target`` lives."""
    if target.startswith(module + "."):
        return True
    return is_glob and (module == target or module.startswith(target + "."))


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
