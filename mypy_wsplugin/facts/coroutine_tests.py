"""Where an ``iscoroutinefunction`` test holds, as mypy narrows the callee it tests.

``if asyncio.iscoroutinefunction(self.on_message): await self.on_message(m)`` dispatches
at run time between a sync and an async callable (a subclass may override a sync hook with
an ``async def``).  Both tests (``asyncio``'s and ``inspect``'s) are ``TypeGuard``s: mypy
narrows the tested expression to a coroutine function where the test holds, and reports
nothing about an ``await`` of its call there.  Where the test holds:

* the body of ``if test:`` or ``while test:`` (also when ``test`` is one operand of an
  ``and`` chain), the later operands of an ``and`` chain, the first branch of ``a if test
  else b``;
* the ``else`` of ``if not test:`` (and an ``elif`` after it), the second branch of ``a if
  not test else b``;
* the rest of a block after ``assert test``, or after ``if not test:`` whose body ends the
  block (``return``, ``raise``, ...);
* a walrus kept from the test (``if (is_async := iscoroutinefunction(h)):``) is the test.

A call of the same callee, as written (``self.on_message``, ``handler``), that stands there
is not judged by its definition (:func:`.local_instances.callee_replaced`).  Anywhere else
it is, as mypy judges it with ``check_untyped_defs``: the other branch, after the ``if``,
under a flag kept in a variable (mypy does not narrow through one).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mypy.nodes import (
    Block,
    CallExpr,
    Expression,
    FuncItem,
    IfStmt,
    Node,
    Statement,
)

from mypy_wsplugin.facts.kept import EMPTY, frozen
from mypy_wsplugin.facts.reachability import ends_block
from mypy_wsplugin.facts.statements import child_blocks
from mypy_wsplugin.mypy_classes import (
    ASSERT_STMT,
    ASSIGNMENT_EXPR,
    CALL_EXPR,
    CONDITIONAL_EXPR,
    IF_STMT,
    MEMBER_EXPR,
    NAME_EXPR,
    OP_EXPR,
    REF_EXPR,
    UNARY_EXPR,
    WHILE_STMT,
)
from mypy_wsplugin.mypy_internals import get_subexpressions

# The tests code dispatches on to call a sync or an async callable.
_TESTS: Final = frozenset({"asyncio.coroutines.iscoroutinefunction", "inspect.iscoroutinefunction"})

# Per function: the function, its body, and the callees standing where a test holds.
_MEMO: dict[int, tuple[FuncItem, object, frozenset[Expression]]] = {}


def narrowed_callees(func: FuncItem) -> frozenset[Expression]:
    """The callee expressions of calls in ``func`` that stand where an
    ``iscoroutinefunction`` test of the same callee holds (see the module's docstring)."""
    body = func.body
    known = _MEMO.get(id(func))
    if known is None or known[0] is not func or known[1] is not body:
        known = _MEMO[id(func)] = (func, body, _narrowed_in(func))
    return known[2]


def _narrowed_in(func: FuncItem) -> frozenset[Expression]:
    expressions = get_subexpressions(func)
    if not any(_tested(e) is not None for e in expressions if type(e) is CALL_EXPR):
        return EMPTY  # most functions: no test at all
    found: set[Expression] = set()
    for e in expressions:
        if isinstance(e, OP_EXPR) and e.op == "and":
            _mark(found, [e.right], _holding(e.left, True))
        elif isinstance(e, CONDITIONAL_EXPR):
            _mark(found, [e.if_expr], _holding(e.cond, True))
            _mark(found, [e.else_expr], _holding(e.cond, False))
    _block(found, func.body.body)
    return frozen(found)


def _block(found: set[Expression], body: Sequence[Statement]) -> None:
    for i, s in enumerate(body):
        held: frozenset[str] = frozenset()
        if isinstance(s, ASSERT_STMT):
            held = _holding(s.expr, True)
        elif isinstance(s, IF_STMT):
            _if(found, s)
            if len(s.expr) == 1 and s.else_body is None and _ends(s.body[0]):
                held = _holding(s.expr[0], False)
        elif isinstance(s, WHILE_STMT):
            _mark(found, [s.body], _holding(s.expr, True))
            _block(found, s.body.body)
            if s.else_body is not None:
                _block(found, s.else_body.body)
        else:
            for block in child_blocks(s):  # not a nested function's body: no test holds there
                _block(found, block.body)
        _mark(found, body[i + 1 :], held)


def _if(found: set[Expression], s: IfStmt) -> None:
    """An ``if``/``elif``/``else`` chain: each body where its test holds, or where an
    earlier ``not test`` held (that test failed)."""
    failed: frozenset[str] = frozenset()
    for cond, body in zip(s.expr, s.body, strict=False):
        _mark(found, [body], _holding(cond, True) | failed)
        failed |= _holding(cond, False)
        _block(found, body.body)
    if s.else_body is not None:
        _mark(found, [s.else_body], failed)
        _block(found, s.else_body.body)


def _ends(block: Block) -> bool:
    return bool(block.body) and ends_block(block.body[-1])


def _holding(cond: Expression, positive: bool) -> frozenset[str]:
    """The callees, as written, that ``cond`` tests with ``iscoroutinefunction`` and that
    are coroutine functions where ``cond`` is true (``positive``) or false: a test, a walrus
    kept from one, under ``not``, and for true every operand of an ``and`` chain (for
    false, of an ``or`` chain)."""
    while isinstance(cond, UNARY_EXPR) and cond.op == "not":
        cond, positive = cond.expr, not positive
    if isinstance(cond, ASSIGNMENT_EXPR):
        cond = cond.value
    if isinstance(cond, OP_EXPR) and cond.op == ("and" if positive else "or"):
        return _holding(cond.left, positive) | _holding(cond.right, positive)
    if positive and isinstance(cond, CALL_EXPR):
        written = _tested(cond)
        return frozenset([written]) if written is not None else frozenset()
    return frozenset()


def _tested(call: CallExpr) -> str | None:
    """What ``call`` tests, if it is an ``iscoroutinefunction`` test: its argument, as
    written."""
    callee = call.callee
    if not isinstance(callee, REF_EXPR) or callee.fullname not in _TESTS or not call.args:
        return None
    return written(call.args[0])


def _mark(found: set[Expression], nodes: Sequence[Node], held: frozenset[str]) -> None:
    """The callees of calls in ``nodes`` whose text is one of ``held``."""
    if not held:
        return
    for node in nodes:
        for e in get_subexpressions(node):  # an expression itself, and all below it
            if isinstance(e, CALL_EXPR) and written(e.callee) in held:
                found.add(e.callee)


def written(e: Expression) -> str | None:
    """A callee as written, ``"self.on_message"``: names and attribute lookups on them."""
    if isinstance(e, NAME_EXPR):
        return e.name
    if isinstance(e, MEMBER_EXPR):
        base = written(e.expr)
        return f"{base}.{e.name}" if base is not None else None
    return None
