"""What a module-level name in an analysed tree names now.

A name's node is bound when mypy analyses the tree.  In a daemon update, the pass over
unannotated code runs again for every module (:mod:`mypy_wsplugin.post_pass`) right after
the edited module was merged, before mypy analyses the modules that import it again: a name
there may still hold a node the edit replaced (``load`` turned from a ``def`` into a
class, or back), where a cold run, analysing everything once, sees the new one.  While
such a module is judged (:func:`names_rebound`), :func:`bound` looks a global name up again
by its full name, as the analysis about to come will bind it; everywhere else it is the
node mypy bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mypy.lookup import lookup_fully_qualified
from mypy.nodes import GDEF, MypyFile, RefExpr, SymbolNode

_modules: list[dict[str, MypyFile]] = []  # while names are rebound: the program's modules


@contextmanager
def names_rebound(modules: dict[str, MypyFile]) -> Iterator[None]:
    """Judge a tree whose global names may still hold the nodes an edit replaced."""
    _modules.append(modules)
    try:
        yield
    finally:
        _modules.pop()


def bound(ref: RefExpr) -> SymbolNode | None:
    """The node ``ref`` names: mypy's binding, or while names are rebound, its full name's
    node now (None where the name is gone)."""
    node = ref.node
    if not _modules or node is None or ref.kind != GDEF or isinstance(node, MypyFile):
        return node
    sym = lookup_fully_qualified(ref.fullname, _modules[-1], raise_on_missing=False)
    return sym.node if sym is not None else None
