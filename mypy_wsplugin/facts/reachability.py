"""Where mypy stops checking a block: the statements after a ``return``, ``raise``,
``continue`` or ``break``, after ``assert False`` and after a call of a function declared
``NoReturn`` never run, and mypy checks none of them (``TypeChecker.visit_block`` stops at
the first statement its binder finds unreachable).  One rule, for the isinstance regions
(:mod:`.narrowing`) and for the calls the pass judges without a hook
(:mod:`..checks.calls_without_hooks`), so that an unannotated function gives the same lines
with mypy's defaults as with ``check_untyped_defs``.  Not seen: ``while True:`` without a
``break``, and an ``if`` whose every branch ends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mypy.nodes import (
    AssertStmt,
    BreakStmt,
    CallExpr,
    ContinueStmt,
    Decorator,
    ExpressionStmt,
    FuncDef,
    NameExpr,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    Statement,
)
from mypy.types import CallableType, UninhabitedType, get_proper_type

from mypy_wsplugin.facts.bindings import bound
from mypy_wsplugin.facts.statements import Scope, StatementWalker

_EXITS: Final = (ReturnStmt, RaiseStmt, ContinueStmt, BreakStmt)


def exits(body: Sequence[Statement]) -> bool:
    """Whether ``body`` ends with a ``return``, ``raise``, ``continue`` or ``break``."""
    return bool(body) and isinstance(body[-1], _EXITS)


def ends_block(s: Statement) -> bool:
    """Whether nothing after ``s`` in its block runs: a ``return``, ``raise``, ``continue``
    or ``break``, ``assert False``, or a call of a function declared ``NoReturn``."""
    if isinstance(s, _EXITS):
        return True
    if isinstance(s, AssertStmt):
        return isinstance(s.expr, NameExpr) and s.expr.fullname == "builtins.False"
    if isinstance(s, ExpressionStmt) and isinstance(s.expr, CallExpr):
        callee = s.expr.callee
        node = bound(callee) if isinstance(callee, RefExpr) else None
        func = node.func if isinstance(node, Decorator) else node
        signature = func.type if isinstance(func, FuncDef) else None
        if isinstance(signature, CallableType):
            return isinstance(get_proper_type(signature.ret_type), UninhabitedType)
    return False


def unreachable_statements(owner: Scope) -> list[Statement]:
    """The statements of ``owner``'s own body (nested blocks included, nested functions
    not) that follow, in their block, a statement that ends it."""
    walker = _Unreachable()
    walker.scope(owner)
    return walker.found


class _Unreachable(StatementWalker):
    def __init__(self) -> None:
        self.found: list[Statement] = []

    def stmts(self, body: Sequence[Statement]) -> None:
        for i, s in enumerate(body[:-1]):
            if ends_block(s):
                super().stmts(body[: i + 1])
                self.found.extend(body[i + 1 :])
                return
        super().stmts(body)
