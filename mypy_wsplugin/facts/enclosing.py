"""The functions a nested function is defined in.

mypy's tree gives a nested function no link to the function around it (its full name is
its bare name), yet some rules are decided by what that function does before it defines the
nested one: a test that patches a method on its class and then defines and runs an
``async def`` that calls it (``with patch.object(Client, "fetch", new=AsyncMock()): async
def go(): return await Client().fetch()``) reaches the patch from the nested function
(:func:`mypy_wsplugin.facts.local_instances.member_patched`).

The module is the one being judged: the pass after type checking says which
(:func:`judging`); in a hook, the module mypy checks (``mypy.checker_state``, mypy >=
1.16; before, nested functions are read as if not nested).  The map from each nested
function to the function it is defined in is made once per module's statements, and again
where a function is missing from it (the daemon merges an edited body into the old
definition, so the statements' list can stay while the functions in it are new).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mypy.nodes import FUNC_NO_INFO, FuncItem, MypyFile

from mypy_wsplugin.facts.statements import functions_in
from mypy_wsplugin.mypy_classes import DECORATOR, FUNC_DEF
from mypy_wsplugin.mypy_internals import checker_now, module_being_checked

# The modules the pass after type checking judges now (innermost last).
_JUDGED: list[MypyFile] = []


@contextmanager
def judging(tree: MypyFile) -> Iterator[None]:
    """The pass after type checking judges ``tree``'s functions for the duration."""
    _JUDGED.append(tree)
    try:
        yield
    finally:
        _JUDGED.pop()


def enclosing_functions(scope: FuncItem) -> list[FuncItem]:
    """The functions ``scope`` is nested in, innermost first; none for a method or a
    function of a module's top level."""
    if not isinstance(scope, FUNC_DEF) or scope.info is not FUNC_NO_INFO:
        return []
    tree = _module_judged()
    if tree is None:
        return []
    sym = tree.names.get(scope.name)
    node = sym.node if sym is not None else None
    if node is scope or (isinstance(node, DECORATOR) and node.func is scope):
        return []  # the module's own function
    outer = _outer_map(tree, scope)
    found: list[FuncItem] = []
    around = outer.get(scope)
    while around is not None and around not in found:
        found.append(around)
        around = outer.get(around)
    return found


def _module_judged() -> MypyFile | None:
    if _JUDGED:
        return _JUDGED[-1]
    api = checker_now()
    return module_being_checked(api) if api is not None else None


class _Outer:
    """A module's nested functions, each with the function it is defined in."""

    __slots__ = ("defs", "missing", "outer")

    def __init__(self, defs: object, outer: dict[FuncItem, FuncItem]) -> None:
        self.defs = defs  # the module's statements they were read from
        self.outer = outer
        self.missing: set[FuncItem] = set()  # asked for, and in no function of the module


# By module name, so that the daemon's new tree of an edited module replaces the old one.
_OUTER: dict[str, _Outer] = {}


def _outer_map(tree: MypyFile, scope: FuncItem) -> dict[FuncItem, FuncItem]:
    known = _OUTER.get(tree.fullname)
    if (
        known is not None
        and known.defs is tree.defs
        and (scope in known.outer or scope in known.missing)
    ):
        return known.outer
    known = _OUTER[tree.fullname] = _Outer(tree.defs, _nested_in(tree))
    if scope not in known.outer:
        known.missing.add(scope)
    return known.outer


def _nested_in(tree: MypyFile) -> dict[FuncItem, FuncItem]:
    """Each function of ``tree`` defined in another, with that one (the innermost: outer
    functions come first in :func:`functions_in`, so an inner one's entry is written
    last)."""
    outer: dict[FuncItem, FuncItem] = {}
    for func in functions_in(tree.defs):
        for inner in functions_in(func.body.body):
            outer[inner] = func
    return outer
