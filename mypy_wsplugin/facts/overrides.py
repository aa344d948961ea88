"""Where a method's body does not say what calling it gives.

A method is judged by what its receiver is statically known to be, through the MRO; its
body tells what a call gives unless the program says otherwise where it can be seen in
every mode -- in the method's own module: a subclass there overrides it with an
``async def`` (a sync default meant to be overridden), or a method there assigns its name
on an instance (``self.fetch = self._fetch_async``).
"""

from __future__ import annotations

from collections.abc import Iterator

from mypy.nodes import (
    Decorator,
    Expression,
    FuncDef,
    ListExpr,
    MemberExpr,
    MypyFile,
    SymbolTable,
    TupleExpr,
    TypeInfo,
)

from mypy_wsplugin.facts.statements import Role, StatementWalker

# module -> (its tree, the statements read, the answer): computed once per parsed module.
_MEMO: dict[str, tuple[MypyFile, object, frozenset[str]]] = {}


def replaced_methods(home: MypyFile) -> frozenset[str]:
    """``Cls.name`` for each method of a class that ``home`` overrides with an ``async def``
    in a subclass, or whose name a method of ``home`` assigns on an instance."""
    cached = _MEMO.get(home.fullname)
    if cached is not None and cached[0] is home and cached[1] is home.defs:
        return cached[2]
    answer = _replaced_methods(home)
    _MEMO[home.fullname] = (home, home.defs, answer)
    return answer


def _replaced_methods(home: MypyFile) -> frozenset[str]:
    replaced: set[str] = set()
    for info in classes_in(home.fullname, home.names):
        stores = _AttributeStores()
        for name, sym in info.names.items():
            node = sym.node
            func = node.func if isinstance(node, Decorator) else node
            if isinstance(func, FuncDef):
                stores.scope(func)
                if func.is_coroutine:
                    replaced.update(f"{base.fullname}.{name}" for base in info.mro[1:])
        for name in stores.names:
            replaced.update(f"{base.fullname}.{name}" for base in info.mro)
    return frozenset(replaced)


def classes_in(prefix: str, names: SymbolTable) -> Iterator[TypeInfo]:
    for name, sym in names.items():
        node = sym.node
        if isinstance(node, TypeInfo) and node.fullname == f"{prefix}.{name}":
            yield node
            yield from classes_in(node.fullname, node.names)


class _AttributeStores(StatementWalker):
    """The attribute names a function assigns (``x.name = ...``)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if role is not Role.STORE:
            return
        if isinstance(e, MemberExpr):
            self.names.add(e.name)
        elif isinstance(e, (TupleExpr, ListExpr)):
            for item in e.items:
                self.expr(item, role)
