"""Declared results: ``TARGET -> RESULT`` types a factory that mypy sees as returning Any."""

from __future__ import annotations

from mypy.types import Type

from mypy_wsplugin.awaitables import (
    coroutine_of,
    coroutine_result,
    find_class,
    is_any,
    module_is_loaded,
)
from mypy_wsplugin.callsite import Site
from mypy_wsplugin.reporting import result_class_not_found


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
