"""Declared results: ``TARGET -> RESULT`` types a factory that mypy sees as returning Any."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mypy.nodes import MypyFile
from mypy.types import Type

from mypy_wsplugin.awaitables import (
    coroutine_of,
    coroutine_result,
    find_class,
    is_any,
    module_is_loaded,
)
from mypy_wsplugin.callsite import Site
from mypy_wsplugin.config import FactoryEntry
from mypy_wsplugin.reporting import result_class_not_found
from mypy_wsplugin.resolve import imported_modules

PRI_MED = 10  # mypy.build's priority for an ordinary import


def result_dependencies(
    file: MypyFile, entries: Sequence[FactoryEntry]
) -> list[tuple[int, str, int]]:
    """The modules of declared RESULT classes, as dependencies of ``file`` where it may call
    the factory (``Plugin.get_additional_deps``): that makes the classes loadable."""
    deps = []
    for entry in entries:
        if entry.result is None:
            continue
        module = entry.result.rpartition(".")[0]
        if module != file.fullname and _may_use(file, entry):
            deps.append((PRI_MED, module, -1))
    return deps


def _may_use(file: MypyFile, entry: FactoryEntry) -> bool:
    """Whether ``file`` could call ``entry``'s target: it lives in, or imports from, the
    target's top-level package.

    Seen before semantic analysis, so only the import statements are known.  Keeping the
    added dependency to such files keeps the standard library and unrelated packages from
    depending on the RESULT's module (which would merge them into one import cycle).
    """
    root = re.split(r"[.*?\[]", entry.target, maxsplit=1)[0]
    if not root:  # a glob over top-level packages: use the RESULT's package instead
        root = (entry.result or "").split(".")[0]
    if file.fullname.split(".")[0] == root:
        return True
    return any(module.split(".")[0] == root for module, _ in imported_modules(file))


class DeclaredResults:
    def __init__(self) -> None:
        self._reported_missing: set[str] = set()

    def apply(self, site: Site) -> Type:
        """The call's type with the entry's RESULT where mypy only knows ``Any``.

        A sync factory gives ``RESULT``; an async one gives ``Coroutine[Any, Any, RESULT]``.
        A RESULT whose module is loaded but which names no class is reported once, as a
        note at the first call; a module mypy does not load at all (skipped, missing)
        leaves the type as it was, and the configuration alone still drives the checks.
        """
        entry = site.entry
        if entry is None or entry.result is None:
            return site.typ
        awaited = coroutine_result(site.typ)
        unknown = is_any(site.typ) or (awaited is not None and is_any(awaited))
        if not unknown:
            return site.typ
        modules = site.api.modules
        found = find_class(entry.result, modules)
        if found is None:
            if entry.text not in self._reported_missing and module_is_loaded(entry.result, modules):
                self._reported_missing.add(entry.text)
                site.api.note(
                    result_class_not_found(entry.key, entry.text, entry.result), site.node
                )
            return site.typ
        return coroutine_of(site.api, found) if entry.is_async else found
