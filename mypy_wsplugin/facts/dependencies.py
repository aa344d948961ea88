"""The modules whose classes the plugin read while judging a module's unannotated code.

mypy records, for each module it checks, the modules whose definitions its expressions'
types name (``State.patch_indirect_dependencies``): a later run checks the module again
when one of them changes.  In unannotated code mypy types nothing, so the classes the
plugin's judgement went through are not among them: after ``c = await self.make()``,
``c.execute()`` is judged by ``Conn``, whose module the caller need not import, and a warm
run kept the finding after ``Conn.execute`` stopped being an ``async def``.  Where a
receiver's class is found (:mod:`.resolve`), every class of its MRO is noted here, and the
plugin hands the modules to mypy as the module's indirect dependencies
(``Plugin.get_additional_indirect_deps``, mypy >= 2.4, which also runs the pass).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mypy.nodes import TypeInfo

# The modules noted while a module is judged (innermost last); empty: nothing is noted.
_NOTING: list[set[str]] = []


@contextmanager
def noting() -> Iterator[set[str]]:
    """The modules whose classes what runs inside reads (:func:`reads_class`)."""
    found: set[str] = set()
    _NOTING.append(found)
    try:
        yield found
    finally:
        _NOTING.pop()


def reads_class(info: TypeInfo | None) -> None:
    """A judgement looks members up on ``info``: its MRO's modules are dependencies."""
    if _NOTING and info is not None:
        found = _NOTING[-1]
        for cls in info.mro:
            found.add(cls.module_name)


def reads_module(module: str) -> None:
    """A judgement reads what ``module`` binds (an undeclared module-level variable's
    class, from its body or its cache entry): it is a dependency."""
    if _NOTING:
        _NOTING[-1].add(module)
