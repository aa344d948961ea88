"""Where an ``isinstance`` test narrows a local or a parameter, as mypy's binder does.

In an unannotated ``async def``, ``if isinstance(conn, Pool): await conn.size()`` calls
``Pool.size`` (mypy narrows ``conn`` there, and reports the ``await`` with
``check_untyped_defs``); and after ``p = Pool()``, ``if isinstance(p, Sub): await
p.size()`` calls ``Sub.size``, not ``Pool.size``. What is followed:

* the body of ``if isinstance(x, C):`` (an ``and`` chain of such tests too, and its later
  operands: ``isinstance(x, C) and x.ready()``), the ``else`` of ``if not isinstance(x,
  C):``, the rest of a block after ``assert isinstance(x, C)``, and the rest of a block
  after ``if not isinstance(x, C): return`` (or ``raise``, ``continue``, ``break``);
* where ``x`` is a parameter never assigned in the function (mypy types it ``Any``, which
  the test narrows to exactly ``C``), or a local bound once (its first definition) that
  the plugin knows to be an instance of a class ``K``: a subclass ``C`` replaces ``K``, a
  base keeps it; and ``C`` names one class.

Anywhere else a test reaches, the name is not claimed there: a local whose class the
plugin does not know (mypy inferred a type, which it narrows its own way), a class
unrelated to ``K``, a tuple of classes, ``or``, the branch where the test fails, a name
assigned again (or whose name a nested ``def`` takes), and a test in a shape not followed
(stored in a variable, inside a conditional expression or a comprehension, a loop's
condition: then nowhere in the function). So is a name that something else may narrow
again inside the region (``match x:``, ``type(x) is C``, a call ``is_sub(x)`` of a
``TypeIs`` function: every use in a test other than as an attribute's base or alone), a
name passed to a call in a condition where no ``isinstance`` tests it (``if
is_sub(self):``, ``issubclass(cls, Sub)``: not claimed where that condition reaches), and
a local compared by ``type(x)``; a local a ``match`` statement tests is not claimed in its
function at all (:mod:`.local_instances`). A second test of a name already narrowed keeps
the first class where it names a base, takes a subclass, and leaves unrelated classes
unclaimed; after a ``return``, ``raise``, ``continue``, ``break``, ``assert False`` or a
call of a ``NoReturn`` function the rest of the block is not claimed (mypy does not check
it; ``while True:`` without ``break`` is not seen). Outside those places the usual rules
apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_NAMED_OPT,
    ARG_OPT,
    ARG_POS,
    LDEF,
    AssertStmt,
    CallExpr,
    Expression,
    FuncItem,
    IfStmt,
    MatchStmt,
    NameExpr,
    Statement,
    TypeInfo,
    Var,
    WhileStmt,
)
from mypy.types import get_proper_type

from mypy_wsplugin.facts.bindings import (
    Callees,
    KeptCallees,
    bound,
    note_callee,
    note_name,
    self_class,
    still_bound,
)
from mypy_wsplugin.facts.reachability import ends_block, exits
from mypy_wsplugin.facts.roles import Role, store_counts
from mypy_wsplugin.facts.statements import StatementWalker, child_blocks, functions_in
from mypy_wsplugin.mypy_classes import (
    ANY_TYPE,
    ASSERT_STMT,
    CALL_EXPR,
    CONDITIONAL_EXPR,
    DICTIONARY_COMPREHENSION,
    GENERATOR_EXPR,
    IF_STMT,
    INDEX_EXPR,
    LIST_EXPR,
    MATCH_STMT,
    MEMBER_EXPR,
    NAME_EXPR,
    OP_EXPR,
    REF_EXPR,
    STAR_EXPR,
    TUPLE_EXPR,
    TYPE_INFO,
    UNARY_EXPR,
    VAR,
    WHILE_STMT,
)
from mypy_wsplugin.mypy_internals import get_subexpressions

_ISINSTANCE: Final = "builtins.isinstance"
# What a test says of a name: the class it holds (None: not followed; _FAILED: the test failed).
_Env = dict[Var, "TypeInfo | _Failed | None"]
# Each occurrence of a tested name (by id) where a test decides it: the class, or None.
_Narrowed = dict[int, "TypeInfo | None"]
_MEMO: dict[int, tuple[FuncItem, object, KeptCallees, _Narrowed]] = {}
# captured_as_declared's answers: method (by id) -> (method, body, answer)
_CAPTURED_MEMO: dict[int, tuple[FuncItem, object, bool]] = {}
_UNTESTED: Final = object()


class _Failed:
    """What a failed test says of its name (``else`` of ``if isinstance(x, C):``): not
    claimed there, but a later test of the name narrows it afresh (an ``elif``)."""


_FAILED: Final = _Failed()
_PLAIN_KINDS: Final = frozenset({ARG_POS, ARG_OPT, ARG_NAMED, ARG_NAMED_OPT})


def narrowed(name: NameExpr, func: FuncItem, known: TypeInfo | None) -> TypeInfo | None:
    """The class ``name`` (a local or parameter of ``func``, where it stands) is an instance
    of, given ``known``, what the function otherwise knows it to be (None: nothing).  A
    test narrows ``known`` to a subclass, keeps it where it names a base, and leaves
    unrelated classes unclaimed (mypy would make up a class deriving from both)."""
    found = narrowings(func).get(id(name), _UNTESTED)
    if found is _UNTESTED:
        return known
    if not isinstance(found, TYPE_INFO):
        return None
    if known is None:
        # Only a parameter without a type is plainly ``Any`` to mypy, narrowed to exactly
        # the class; a local the plugin does not know (``s = await make()``, a loop's
        # variable) has a type mypy inferred, which it narrows otherwise.
        return found if _untyped_parameter(name, func) else None
    if found is known or found.has_base(known.fullname):
        return found
    return known if known.has_base(found.fullname) else None


def captured_as_declared(owner: FuncItem, var: Var) -> bool:
    """Whether a function nested in the method ``owner`` may read ``var``, the method's
    ``self``/``cls``, as the method's class: not where the method or a function nested in
    it tests it (``isinstance``, ``type()``, a call in a condition, such as a ``TypeIs``
    or ``TypeGuard`` function or ``issubclass``), matches it or assigns it (mypy may narrow
    it there and carry that into the nested function; the regions of :func:`narrowings`
    are per function).  Kept per method, with its body (the daemon replaces a body in
    place)."""
    body = owner.body
    cached = _CAPTURED_MEMO.get(id(owner))
    if cached is not None and cached[0] is owner and cached[1] is body:
        return cached[2]  # ``var`` is always the method's first argument
    claimed = not (var in _tested(owner, []) or store_counts(owner, {var}))
    if claimed:
        subjects, conditions = _matches_and_conditions(owner)
        claimed = not any(var in subject_names(subject) for subject in subjects) and not any(
            var in _maybe_narrowed(cond) for cond in conditions
        )
    _CAPTURED_MEMO[id(owner)] = (owner, body, claimed)
    return claimed


def _matches_and_conditions(
    func: FuncItem, expressions: list[Expression] | None = None
) -> tuple[list[Expression], list[Expression]]:
    """The subjects of the ``match`` statements of ``func`` and of the functions nested in
    it, and the conditions there (``if``, ``elif``, ``while``, ``assert``, a conditional
    expression's, a comprehension's ``if``, the left operand of ``and``/``or``).
    ``expressions``: those of its body, where already taken."""
    subjects: list[Expression] = []
    conditions: list[Expression] = []
    blocks = [func.body, *(nested.body for nested in functions_in(func.body.body))]
    while blocks:
        # ``Any``: each statement's class is tested by identity, once (leaves of mypy's
        # node classes).
        statements: list[Any] = blocks.pop().body
        for s in statements:
            kind = type(s)
            if kind is MATCH_STMT:
                subjects.append(s.subject)
            elif kind is IF_STMT:
                conditions += s.expr
            elif kind is WHILE_STMT or kind is ASSERT_STMT:
                conditions.append(s.expr)
            blocks += child_blocks(s)
    if expressions is None:
        expressions = get_subexpressions(func.body)
    for e in expressions:
        conditions += _inner_tests(e)
    return subjects, conditions


def _untyped_parameter(name: NameExpr, func: FuncItem) -> bool:
    """Whether ``name`` is a parameter of ``func`` that mypy types ``Any`` (no annotation;
    not ``self`` or ``cls``, not ``*args`` or ``**kwargs``)."""
    var = name.node
    for index, arg in enumerate(func.arguments):
        if arg.variable is var:
            first_of_method = index == 0 and self_class(func, var) is not None
            untyped = var.type is None or isinstance(get_proper_type(var.type), ANY_TYPE)
            return arg.kind in _PLAIN_KINDS and untyped and not first_of_method
    return False


def narrowings(func: FuncItem) -> _Narrowed:
    """Kept per function, with its body (the daemon replaces a body in place) and what each
    test's class named then (:func:`.bindings.still_bound`)."""
    body = func.body
    cached = _MEMO.get(id(func))
    if cached is not None and cached[0] is func and cached[1] is body and still_bound(cached[2]):
        return cached[3]
    callees: Callees = []
    expressions = get_subexpressions(func.body)  # read by both questions: taken once
    tested = _tested(func, callees, expressions) | _passed_to_tests(func, expressions)
    result: _Narrowed = {}
    if tested:
        walker = _Regions(tested, _followable(func, tested))
        walker.scope(func)
        result = walker.narrowed()
    _MEMO[id(func)] = (func, body, tuple(callees), result)
    return result


def _tested(
    func: FuncItem, callees: Callees, expressions: list[Expression] | None = None
) -> set[Var]:
    """The locals and parameters ``func`` tests with ``isinstance`` (nested functions
    included: their tests may narrow a captured name); each test's callee and class are
    kept in ``callees``.  ``expressions``: those of its body, where already taken."""
    tested: set[Var] = set()
    if expressions is None:
        expressions = get_subexpressions(func.body)
    for e in expressions:
        if type(e) is not CALL_EXPR:
            continue
        is_test = _is_isinstance(e)
        # ``type(x) is C`` narrows too (not followed: ``x`` is not claimed there).
        if is_test or _is_type_call(e):
            note_callee(callees, e)
            var = _subject(e)
            if var is not None:
                tested.add(var)
            if is_test and isinstance(e.args[1], REF_EXPR):
                note_name(callees, e.args[1])
    return tested


def _passed_to_tests(func: FuncItem, expressions: list[Expression]) -> set[Var]:
    """The locals and parameters passed to a call in a condition of ``func`` (nested
    functions included): ``if is_sub(x):`` with a ``TypeIs`` or ``TypeGuard`` function,
    ``issubclass(cls, Sub)``.  mypy may narrow them there, so they are walked as tested
    names, and such a test leaves them unclaimed wherever it reaches (:func:`_tests`)."""
    passed: set[Var] = set()
    for cond in _matches_and_conditions(func, expressions)[1]:
        for e in get_subexpressions(cond):
            if type(e) is CALL_EXPR:
                passed.update(
                    arg.node
                    for arg in e.args
                    if isinstance(arg, NAME_EXPR) and isinstance(arg.node, VAR)
                )
    return passed


def _is_isinstance(call: CallExpr) -> bool:
    callee = call.callee
    return (
        isinstance(callee, NAME_EXPR)
        and callee.fullname == _ISINSTANCE
        and len(call.args) == 2
        and not call.arg_names[0]
        and not call.arg_names[1]
    )


def _is_type_call(call: CallExpr) -> bool:
    callee = call.callee
    return (
        isinstance(callee, NAME_EXPR) and callee.fullname == "builtins.type" and len(call.args) == 1
    )


def _followable(func: FuncItem, tested: set[Var]) -> set[Var]:
    """Those of ``tested`` a test can narrow: a parameter never assigned in the function,
    or a local bound once (its first definition), by no nested function either, and whose
    name no nested ``def`` takes."""
    params = {arg.variable for arg in func.arguments}
    counts = store_counts(func, tested)
    defined = {f.name for f in functions_in(func.body.body)}
    return {
        var
        for var in tested
        if counts.get(var, 0) == (0 if var in params else 1) and var.name not in defined
    }


def _tests(cond: Expression | None) -> tuple[_Env, _Env]:
    """What ``cond`` says of the names it tests where it holds, and where it does not."""
    if isinstance(cond, UNARY_EXPR) and cond.op == "not":
        holds, fails = _tests(cond.expr)
        return fails, holds
    if isinstance(cond, OP_EXPR) and cond.op in ("and", "or"):
        left, right = _tests(cond.left), _tests(cond.right)
        if cond.op == "and":
            return _both(left[0], right[0]), _unknown(left[1], right[1])
        return _unknown(left[0], right[0]), _both(left[1], right[1])
    if isinstance(cond, CALL_EXPR) and _is_isinstance(cond):
        var = _subject(cond)
        if var is None:
            return {}, {}  # ``isinstance(self.x, C)``: no name is narrowed
        cls = bound(cond.args[1]) if isinstance(cond.args[1], REF_EXPR) else None
        return {var: cls if isinstance(cls, TYPE_INFO) else None}, {var: _FAILED}
    if cond is None:
        return {}, {}
    # Any other shape: a name it may narrow is not claimed either way.
    unknown = dict.fromkeys(_maybe_narrowed(cond))
    return unknown, dict(unknown)


def _maybe_narrowed(cond: Expression) -> list[Var]:
    """The names a test of another shape may narrow (``type(x) is C``, ``is_sub(x)`` with a
    ``TypeGuard``, ``x.__class__ is C``, ``x == 1``): each one it uses, except as the
    base of an attribute (``x.ready``, ``x.m()``) or alone (``if x:``, ``not x``)."""
    if isinstance(cond, UNARY_EXPR) and cond.op == "not":
        cond = cond.expr
    if isinstance(cond, NAME_EXPR):
        return []
    subs = get_subexpressions(cond)
    bases = {id(e.expr) for e in subs if type(e) is MEMBER_EXPR and e.name != "__class__"}
    return [
        e.node
        for e in subs
        if type(e) is NAME_EXPR and isinstance(e.node, VAR) and id(e) not in bases
    ]


def _subject(test: CallExpr) -> Var | None:
    """The local or parameter ``isinstance(x, C)`` (or ``type(x)``) tests, if a name."""
    subject = test.args[0]
    if isinstance(subject, NAME_EXPR) and isinstance(subject.node, VAR):
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


def _narrow(env: _Env, tests: _Env) -> _Env:
    """``env`` where ``tests`` hold too: a name already narrowed keeps its class where a
    test names it or a base, takes a subclass a test names, and is not claimed where the
    two are unrelated (mypy makes up a class deriving from both, or finds the code
    unreachable)."""
    merged = dict(env)
    for var, cls in tests.items():
        held = env.get(var, _FAILED)
        if held is None or cls is None:
            merged[var] = None
        elif isinstance(held, _Failed) or isinstance(cls, _Failed):
            # Not claimed where a test failed; where it held, as that test says.
            merged[var] = cls if isinstance(held, _Failed) else None
        elif held is cls or held.has_base(cls.fullname):
            merged[var] = held
        else:
            merged[var] = cls if cls.has_base(held.fullname) else None
    return merged


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
                found[id(name)] = said if isinstance(said, TYPE_INFO) else None
        return found

    def stmts(self, body: Sequence[Statement]) -> None:
        outer = self.env
        self.env = dict(outer)
        for s in body:
            super().stmts([s])
            if isinstance(s, ASSERT_STMT):
                self.env = _narrow(self.env, _tests(s.expr)[0])
            elif isinstance(s, IF_STMT):
                self.env = _narrow(self.env, _after_if(s))
            if ends_block(s):
                # The rest of the block never runs, and mypy does not check it.
                self.env = dict.fromkeys(self.tested)
        self.env = outer

    def visit_if(self, s: IfStmt) -> None:
        start = outer = self.env
        for cond, body in zip(s.expr, s.body, strict=False):
            self.condition(cond)
            holds, fails = _tests(cond)
            self.env = _narrow(outer, holds)
            self.block(body)
            outer = _narrow(outer, fails)
        self.env = outer
        self.block(s.else_body)
        self.env = start

    def visit_while(self, s: WhileStmt) -> None:
        """A loop's condition is not followed: what it may narrow is not claimed in the
        loop (``while is_sub(x):``; an ``isinstance`` there, in the whole function)."""
        self.expr(s.expr)
        outer = self.env
        self.env = {**outer, **dict.fromkeys(_maybe_narrowed(s.expr))}
        self.block(s.body)
        self.block(s.else_body)
        self.env = outer

    def visit_match(self, s: MatchStmt) -> None:
        """``match x:`` narrows ``x`` in each ``case`` (``case Sub():``): not claimed
        there."""
        self.expr(s.subject)
        outer = self.env
        matched = subject_names(s.subject)
        if matched:
            self.env = {**outer, **dict.fromkeys(matched)}
        for guard, body in zip(s.guards, s.bodies, strict=False):
            self.expr(guard)
            self.block(body)
        self.env = outer

    def visit_assert(self, s: AssertStmt) -> None:
        self.condition(s.expr)
        self.expr(s.msg)

    def condition(self, cond: Expression | None) -> None:
        """A test's own operands: a later operand of ``and`` is narrowed by the earlier
        ones (``or``: by their failing)."""
        if isinstance(cond, OP_EXPR) and cond.op in ("and", "or"):
            self.condition(cond.left)
            outer = self.env
            holds, fails = _tests(cond.left)
            self.env = _narrow(outer, holds if cond.op == "and" else fails)
            self.condition(cond.right)
            self.env = outer
        elif isinstance(cond, UNARY_EXPR) and cond.op == "not":
            self.condition(cond.expr)
        else:
            followed = isinstance(cond, CALL_EXPR) and _is_isinstance(cond)
            self._record(cond, tests_followed=followed)

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        self._record(e, tests_followed=False)

    def _record(self, e: Expression | None, tests_followed: bool) -> None:
        if e is None:
            return
        for sub in get_subexpressions(e):
            if type(sub) is NAME_EXPR:
                var = sub.node
                if isinstance(var, VAR) and var in self.tested and sub.kind == LDEF:
                    self.seen.append((sub, var, self.env.get(var, _UNTESTED)))
            elif not tests_followed and type(sub) is CALL_EXPR and _is_isinstance(sub):
                # A test in a shape not followed (a variable, a conditional expression, a
                # comprehension, a loop's condition): its name is not claimed anywhere.
                var = _subject(sub)
                if var is not None:
                    self.followable.discard(var)
            else:
                # A test inside an expression (``x.m() if type(x) is C else 0``): what it
                # may narrow is not claimed anywhere either.
                for cond in _inner_tests(sub):
                    self.followable.difference_update(_maybe_narrowed(cond))


def _inner_tests(e: Expression) -> list[Expression]:
    """The tests an expression narrows by: a conditional expression's, the left operand
    of ``and``/``or``, a comprehension's conditions."""
    if type(e) is CONDITIONAL_EXPR:
        return [e.cond]
    if type(e) is OP_EXPR and e.op in ("and", "or"):
        return [e.left]
    if type(e) is GENERATOR_EXPR or type(e) is DICTIONARY_COMPREHENSION:
        return [cond for conds in e.condlists for cond in conds]
    return []


def _after_if(s: IfStmt) -> _Env:
    """What holds after ``s`` where only one of its two branches can fall through."""
    holds, fails = _tests(s.expr[0])
    body_exits = exits(s.body[0].body)
    else_exits = s.else_body is not None and exits(s.else_body.body)
    if body_exits and not else_exits:
        return fails
    if else_exits and not body_exits:
        return holds
    return {}


def subject_names(subject: Expression) -> list[Var]:
    """The names a ``match`` on ``subject`` may narrow: the subject itself, or an item of a
    tuple or list subject (``match x, flag: case Sub(), True:`` narrows ``x``)."""
    items = subject_items(subject)
    return [e.node for e in items if isinstance(e, NAME_EXPR) and isinstance(e.node, VAR)]


def member_chain(e: Expression) -> str | None:
    """An attribute chain from a name as written (``self.h.conn``: "self.h.conn"), as
    mypy's binder keys what it narrows; None for any other expression."""
    names: list[str] = []
    while isinstance(e, MEMBER_EXPR):
        names.append(e.name)
        e = e.expr
    if not names or not isinstance(e, NAME_EXPR):
        return None
    names.append(e.name)
    return ".".join(reversed(names))


def narrowing_key(e: Expression) -> str | None:
    """What mypy's binder may narrow of ``e``, as written: an attribute chain
    (:func:`member_chain`), or an item of one or of a name (``self.by_user[uid]``:
    "self.by_user[]", ``rooms["a"]``: "rooms[]", whatever the key); None for anything
    else."""
    if isinstance(e, INDEX_EXPR):
        base = e.base
        chain = base.name if isinstance(base, NAME_EXPR) else member_chain(base)
        return f"{chain}[]" if chain is not None else None
    return member_chain(e)


def subject_items(subject: Expression) -> list[Expression]:
    """What a ``match`` on ``subject`` may narrow: the subject, or each item of a tuple or
    list subject (``match self.pool, flag:``)."""
    if isinstance(subject, STAR_EXPR):
        return subject_items(subject.expr)
    if isinstance(subject, (TUPLE_EXPR, LIST_EXPR)):
        return [item for e in subject.items for item in subject_items(e)]
    return [subject]
