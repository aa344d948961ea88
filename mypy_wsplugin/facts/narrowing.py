"""Where an ``isinstance`` test narrows a local or a parameter, as mypy's binder does.

In an unannotated ``async def``, ``if isinstance(conn, Pool): await conn.size()`` calls
``Pool.size`` (mypy narrows ``conn`` there, and reports the ``await`` with
``check_untyped_defs``); and after ``p = Pool()``, ``if isinstance(p, Sub): await
p.size()`` calls ``Sub.size``, not ``Pool.size``. What is followed:

* the body of ``if isinstance(x, C):`` (an ``and`` chain of such tests too, and its later
  operands: ``isinstance(x, C) and x.ready()``), the ``else`` of ``if not isinstance(x,
  C):``, the rest of a block after ``assert isinstance(x, C)``, and the rest of a block
  after ``if not isinstance(x, C): return`` (or ``raise``, ``continue``, ``break``);
* where ``x`` is a parameter never assigned in the function, or a local bound once (its
  first definition), and ``C`` names one class.

Anywhere else such a test reaches (a branch where ``x`` is known not to be a ``C``, a
tuple of classes, a test inside a conditional expression, a comprehension or a variable, a
name assigned again), the name is not claimed there: which class it holds would be a
matter of control flow this module does not follow. Outside those places the usual rules
apply (:mod:`.local_instances`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mypy.nodes import (
    LDEF,
    AssertStmt,
    BreakStmt,
    CallExpr,
    ContinueStmt,
    Expression,
    FuncItem,
    IfStmt,
    NameExpr,
    OpExpr,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    Statement,
    TypeInfo,
    UnaryExpr,
    Var,
)

from mypy_wsplugin.facts.bindings import Callees, bound, note_callee, note_name, still_bound
from mypy_wsplugin.facts.roles import Role, collect_roles
from mypy_wsplugin.facts.statements import StatementWalker, functions_in
from mypy_wsplugin.mypy_internals import get_subexpressions

_ISINSTANCE: Final = "builtins.isinstance"
# What a test says of a name: the class it holds (None: not followed).
_Env = dict[Var, "TypeInfo | None"]
# Each occurrence of a tested name (by id) where a test decides it: the class, or None.
_Narrowed = dict[int, "TypeInfo | None"]
_MEMO: dict[int, tuple[FuncItem, object, Callees, _Narrowed]] = {}
_UNTESTED: Final = object()


def narrowed(name: NameExpr, func: FuncItem, known: TypeInfo | None) -> TypeInfo | None:
    """The class ``name`` (a local or parameter of ``func``, where it stands) is an instance
    of, given ``known``, what the function otherwise knows it to be (None: nothing).  A
    test narrows ``known`` to a subclass, keeps it where it names a base, and leaves
    unrelated classes unclaimed (mypy would make up a class deriving from both)."""
    found = _narrowings(func).get(id(name), _UNTESTED)
    if found is _UNTESTED:
        return known
    if not isinstance(found, TypeInfo):
        return None
    if known is None or found is known or found.has_base(known.fullname):
        return found
    return known if known.has_base(found.fullname) else None


def _narrowings(func: FuncItem) -> _Narrowed:
    """Kept per function, with its body (the daemon replaces a body in place) and what each
    test's class named then (:func:`.bindings.still_bound`)."""
    body = func.body
    cached = _MEMO.get(id(func))
    if cached is not None and cached[0] is func and cached[1] is body and still_bound(cached[2]):
        return cached[3]
    callees: Callees = []
    tested = _tested(func, callees)
    result: _Narrowed = {}
    if tested:
        walker = _Regions(tested, _followable(func, tested))
        walker.scope(func)
        result = walker.narrowed()
    _MEMO[id(func)] = (func, body, callees, result)
    return result


def _tested(func: FuncItem, callees: Callees) -> set[Var]:
    """The locals and parameters ``func`` tests with ``isinstance`` (nested functions
    included: their tests may narrow a captured name); each test's callee and class are
    kept in ``callees``."""
    tested: set[Var] = set()
    for e in get_subexpressions(func.body):
        if type(e) is CallExpr and _is_isinstance(e):
            note_callee(callees, e)
            var = _subject(e)
            if var is not None:
                tested.add(var)
            if isinstance(e.args[1], RefExpr):
                note_name(callees, e.args[1])
    return tested


def _is_isinstance(call: CallExpr) -> bool:
    callee = call.callee
    return (
        isinstance(callee, NameExpr)
        and callee.fullname == _ISINSTANCE
        and len(call.args) == 2
        and not call.arg_names[0]
        and not call.arg_names[1]
    )


def _followable(func: FuncItem, tested: set[Var]) -> set[Var]:
    """Those of ``tested`` a test can narrow: a parameter never assigned in the function,
    or a local bound once (its first definition), by no nested function either."""
    params = {arg.variable for arg in func.arguments}
    stores: dict[Var, int] = {}
    for scope in [func, *functions_in(func.body.body)]:
        for entry in collect_roles(scope, names=True).values():
            node = entry.node
            var = node.node if isinstance(node, NameExpr) else None
            if entry.role is Role.STORE and isinstance(var, Var) and var in tested:
                stores[var] = stores.get(var, 0) + (1 if scope is func else 2)
    return {var for var in tested if stores.get(var, 0) == (0 if var in params else 1)}


def _tests(cond: Expression | None) -> tuple[_Env, _Env]:
    """What ``cond`` says of the names it tests where it holds, and where it does not."""
    if isinstance(cond, UnaryExpr) and cond.op == "not":
        holds, fails = _tests(cond.expr)
        return fails, holds
    if isinstance(cond, OpExpr) and cond.op in ("and", "or"):
        left, right = _tests(cond.left), _tests(cond.right)
        if cond.op == "and":
            return _both(left[0], right[0]), _unknown(left[1], right[1])
        return _unknown(left[0], right[0]), _both(left[1], right[1])
    if isinstance(cond, CallExpr) and _is_isinstance(cond):
        var = _subject(cond)
        if var is None:
            return {}, {}  # ``isinstance(self.x, C)``: no name is narrowed
        cls = bound(cond.args[1]) if isinstance(cond.args[1], RefExpr) else None
        return {var: cls if isinstance(cls, TypeInfo) else None}, {var: None}
    if cond is None:
        return {}, {}
    # Any other shape: a name tested inside is not claimed either way.
    unknown: _Env = {}
    for e in get_subexpressions(cond):
        var = _subject(e) if type(e) is CallExpr and _is_isinstance(e) else None
        if var is not None:
            unknown[var] = None
    return unknown, dict(unknown)


def _subject(test: CallExpr) -> Var | None:
    """The local or parameter ``isinstance(x, C)`` tests, if it tests a name."""
    subject = test.args[0]
    if isinstance(subject, NameExpr) and isinstance(subject.node, Var):
        return subject.node
    return None


def _both(first: _Env, second: _Env) -> _Env:
    """Both hold: a name tested in each holds a class only where the two agree."""
    merged = dict(first)
    for var, cls in second.items():
        merged[var] = cls if var not in first or first[var] is cls else None
    return merged


def _unknown(*envs: _Env) -> _Env:
    """Either may hold: every name tested is not claimed."""
    return {var: None for env in envs for var in env}


def _exits(body: Sequence[Statement]) -> bool:
    return bool(body) and isinstance(body[-1], (ReturnStmt, RaiseStmt, ContinueStmt, BreakStmt))


class _Regions(StatementWalker):
    """Each occurrence of a tested name in the function's own statements, with what the
    tests around it say (nested functions are not entered: their names are their own
    scope's)."""

    def __init__(self, tested: set[Var], followable: set[Var]) -> None:
        self.tested = tested
        self.followable = followable
        self.env: _Env = {}
        # Each occurrence of a tested name, and what the tests around it say (if any).
        self.seen: list[tuple[NameExpr, Var, object]] = []

    def narrowed(self) -> _Narrowed:
        """What the walk found: a name that a test in a shape not followed reaches is not
        claimed anywhere in the function."""
        found: _Narrowed = {}
        for name, var, said in self.seen:
            if var not in self.followable:
                found[id(name)] = None
            elif said is not _UNTESTED:
                found[id(name)] = said if isinstance(said, TypeInfo) else None
        return found

    def stmts(self, body: Sequence[Statement]) -> None:
        outer = self.env
        self.env = dict(outer)
        for s in body:
            super().stmts([s])
            if isinstance(s, AssertStmt):
                self.env.update(_tests(s.expr)[0])
            elif isinstance(s, IfStmt):
                self.env.update(_after_if(s))
        self.env = outer

    def visit_if(self, s: IfStmt) -> None:
        start = outer = self.env
        for cond, body in zip(s.expr, s.body, strict=False):
            self.condition(cond)
            holds, fails = _tests(cond)
            self.env = {**outer, **holds}
            self.block(body)
            outer = {**outer, **fails}
        self.env = outer
        self.block(s.else_body)
        self.env = start

    def visit_assert(self, s: AssertStmt) -> None:
        self.condition(s.expr)
        self.expr(s.msg)

    def condition(self, cond: Expression | None) -> None:
        """A test's own operands: a later operand of ``and`` is narrowed by the earlier
        ones (``or``: by their failing)."""
        if isinstance(cond, OpExpr) and cond.op in ("and", "or"):
            self.condition(cond.left)
            outer = self.env
            holds, fails = _tests(cond.left)
            self.env = {**outer, **(holds if cond.op == "and" else fails)}
            self.condition(cond.right)
            self.env = outer
        elif isinstance(cond, UnaryExpr) and cond.op == "not":
            self.condition(cond.expr)
        else:
            followed = isinstance(cond, CallExpr) and _is_isinstance(cond)
            self._record(cond, tests_followed=followed)

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        self._record(e, tests_followed=False)

    def _record(self, e: Expression | None, tests_followed: bool) -> None:
        if e is None:
            return
        for sub in get_subexpressions(e):
            if type(sub) is NameExpr:
                var = sub.node
                if isinstance(var, Var) and var in self.tested and sub.kind == LDEF:
                    self.seen.append((sub, var, self.env.get(var, _UNTESTED)))
            elif not tests_followed and type(sub) is CallExpr and _is_isinstance(sub):
                # A test in a shape not followed (a variable, a conditional expression, a
                # comprehension, a loop's condition): its name is not claimed anywhere.
                var = _subject(sub)
                if var is not None:
                    self.followable.discard(var)


def _after_if(s: IfStmt) -> _Env:
    """What holds after ``s`` where only one of its two branches can fall through."""
    holds, fails = _tests(s.expr[0])
    body_exits = _exits(s.body[0].body)
    else_exits = s.else_body is not None and _exits(s.else_body.body)
    if body_exits and not else_exits:
        return fails
    if else_exits and not body_exits:
        return holds
    return {}
