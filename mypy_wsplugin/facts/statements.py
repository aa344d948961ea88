"""Walking the statements of one scope, and the role each statement gives its expressions.

The role rules for statements live here, once: an expression statement drops its value, an
``if``/``while``/``assert`` tests it for truth, ``return`` returns it, ``name = x`` binds it,
assignment targets are stores.  The roles an expression hands on to its sub-expressions
are in :mod:`.roles`, once.

``mypy.traverser.TraverserVisitor`` is marked ``allow_interpreted_subclasses``, but with
mypy compiled (the wheels users install) a Python subclass cannot be instantiated: "TypeError:
interpreted classes cannot inherit from compiled traits" on 1.18.2, 1.19.1 and 2.4.1
(checked 2026-12-01).  It would also visit every expression; the plugin only needs
statements here, and a dispatch on the statement's class keeps the walk to a few percent
of a full traversal.

A subclass overrides :meth:`StatementWalker.expr` (each top expression of a statement,
with its role), :meth:`StatementWalker.definition` (a nested ``def``/decorated
``def``/overload: not entered unless it calls :meth:`StatementWalker.enter`), and any
``visit_*`` handler (a walk limited to some statement kinds overrides :meth:`stmts` to
leave the others out, as ``_ModuleDefinitions`` does).  The dispatch is
one chain of identity tests on the statement's class, each calling its handler as a method
(in a compiled build, a C call through the class's vtable, which a subclass's override
takes).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any, Final

from mypy.nodes import (
    AssertStmt,
    AssignmentStmt,
    Block,
    ClassDef,
    Decorator,
    DelStmt,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    FuncItem,
    IfStmt,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    OverloadedFuncDef,
    OverloadPart,
    RaiseStmt,
    ReturnStmt,
    Statement,
    TryStmt,
    WhileStmt,
    WithStmt,
)
from mypy.patterns import Pattern

from mypy_wsplugin.mypy_classes import (
    AS_PATTERN,
    ASSERT_STMT,
    ASSIGNMENT_STMT,
    BLOCK,
    BREAK_STMT,
    CLASS_DEF,
    CLASS_PATTERN,
    CONTINUE_STMT,
    DECORATOR,
    DEL_STMT,
    EXPRESSION_STMT,
    FOR_STMT,
    FUNC_DEF,
    GLOBAL_DECL,
    IF_STMT,
    IMPORT,
    IMPORT_FROM,
    LAMBDA_EXPR,
    LIST_EXPR,
    MAPPING_PATTERN,
    MATCH_STMT,
    MEMBER_EXPR,
    MYPY_FILE,
    NAME_EXPR,
    NONLOCAL_DECL,
    OPERATOR_ASSIGNMENT_STMT,
    OR_PATTERN,
    OVERLOADED_FUNC_DEF,
    RAISE_STMT,
    RETURN_STMT,
    SEQUENCE_PATTERN,
    SINGLETON_PATTERN,
    STAR_EXPR,
    STARRED_PATTERN,
    TRY_STMT,
    TUPLE_EXPR,
    TYPE_INFO,
    VALUE_PATTERN,
    WHILE_STMT,
    WITH_STMT,
)
from mypy_wsplugin.mypy_internals import get_subexpressions

Scope = FuncItem | MypyFile
Definition = FuncDef | Decorator | OverloadedFuncDef


class Role(enum.Enum):
    VALUE = "value"  # any other use: argument, container item, operand, ...
    AWAITED = "awaited"  # direct operand of ``await`` (through conditional expressions)
    ATTRIBUTE_BASE = "attribute base"  # ``x.attr`` / ``x.method()``
    CONDITION = "condition"  # tested for truth: if/while/assert/not/and/or/``a if x else b``
    STATEMENT = "statement"  # an expression statement: the value is dropped
    RETURNED = "returned"  # ``return x``
    ASSIGNED = "assigned"  # ``name = x`` (a single plain name as the target)
    STORE = "store"  # an assignment target
    REVEALED = "revealed"  # the operand of reveal_type(): looked at, not used
    COMPARED = "compared"  # an operand of ``==``, ``!=``, ``is``, ``is not``, left of ``in``;
    # a ``match`` statement's subject
    UNPACKED = "unpacked"  # ``a, b = x``
    CONVERTED = "converted"  # ``bool(x)``, ``str(x)``, ``repr(x)``, an f-string part
    ITERATED = "iterated"  # ``for _ in x``, ``[_ for _ in x]``, ``f(*x)``, ``[*x]``,
    # ``list(x)``, ``sorted(x)``, ``sum(x)``, ... (facts/roles: _ITERATING_BUILTINS)
    MEASURED = "measured"  # ``len(x)``
    MAPPED = "mapped"  # ``f(**x)``, ``{**x}``: read as a mapping
    ORDERED = "ordered"  # an operand of ``<``, ``<=``, ``>``, ``>=``
    MANAGED = "managed"  # ``with x:``, ``async with x:``: a context manager
    SUBSCRIPTED = "subscripted"  # ``x[i]``
    OPERAND = "operand"  # ``x + 1``, ``n -= x``: arithmetic (``%`` formats any object)
    CALLED = "called"  # ``x(...)``: a name called (recorded with every name's role only)


# Uses of a coroutine object that are wrong whatever it is: its truth, its identity,
# unpacking, iterating, measuring or subscripting it, ordering it, arithmetic with it, its
# text, using it as a mapping or a context manager (checks/missing_await; a conditional
# expression hands them on to a branch that is a call: facts/roles).
ALWAYS_WRONG: Final = frozenset(
    {
        Role.CONDITION,
        Role.COMPARED,
        Role.UNPACKED,
        Role.CONVERTED,
        Role.ITERATED,
        Role.MEASURED,
        Role.MAPPED,
        Role.ORDERED,
        Role.MANAGED,
        Role.SUBSCRIPTED,
        Role.OPERAND,
    }
)


# The statements that can hold a definition, for walkers that only look for definitions.
DEFINITION_HOLDERS: frozenset[type[Node]] = frozenset(
    {ClassDef, IfStmt, WhileStmt, ForStmt, TryStmt, WithStmt, MatchStmt, Block}
    | {FuncDef, Decorator, OverloadedFuncDef}
)


# The compound statements that hold blocks of statements (not definitions): child_blocks.
_COMPOUND: Final = frozenset(
    {IF_STMT, WHILE_STMT, FOR_STMT, TRY_STMT, WITH_STMT, MATCH_STMT, BLOCK}
)


class StatementWalker:
    # The assignment whose right-hand side is being visited (for Role.ASSIGNED).
    assigned_by: AssignmentStmt | None = None

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        """A top expression of a statement, with the role the statement gives it."""

    def exprs(self, es: Sequence[Expression | None], role: Role = Role.VALUE) -> None:
        for e in es:
            self.expr(e, role)

    def definition(self, s: Definition) -> None:
        """A nested definition: its decorators run in this scope, its body is another."""
        if isinstance(s, DECORATOR):
            self.exprs(s.decorators)

    def function(self, s: FuncDef) -> None:
        """A nested function reached through :meth:`enter`."""

    def enter(self, s: Definition) -> None:
        """For walkers that go into nested definitions: :meth:`function` for each."""
        if isinstance(s, FUNC_DEF):
            self.function(s)
        elif isinstance(s, DECORATOR):
            self.exprs(s.decorators)
            self.function(s.func)
        else:
            for item in overload_parts(s):
                self.enter(item)

    def scope(self, owner: Scope) -> None:
        o: Any = owner  # tested by identity (a leaf of mypy's node classes)
        self.stmts(o.defs if type(o) is MYPY_FILE else o.body.body)

    def stmts(self, body: Sequence[Statement]) -> None:
        # ``Any``: each statement's class is tested once, by identity (see _add_functions).
        statements: Sequence[Any] = body
        for s in statements:
            kind = type(s)
            if kind is EXPRESSION_STMT:
                self.visit_expression_stmt(s)
            elif kind is ASSIGNMENT_STMT:
                self.visit_assignment(s)
            elif kind is FUNC_DEF or kind is DECORATOR or kind is OVERLOADED_FUNC_DEF:
                self.definition(s)
            elif kind is IF_STMT:
                self.visit_if(s)
            elif kind is RETURN_STMT:
                self.visit_return(s)
            elif kind is FOR_STMT:
                self.visit_for(s)
            elif kind is CLASS_DEF:
                self.visit_class(s)
            elif kind is TRY_STMT:
                self.visit_try(s)
            elif kind is WITH_STMT:
                self.visit_with(s)
            elif kind is RAISE_STMT:
                self.visit_raise(s)
            elif kind is OPERATOR_ASSIGNMENT_STMT:
                self.visit_operator_assignment(s)
            elif kind is WHILE_STMT:
                self.visit_while(s)
            elif kind is ASSERT_STMT:
                self.visit_assert(s)
            elif kind is DEL_STMT:
                self.visit_del(s)
            elif kind is MATCH_STMT:
                self.visit_match(s)
            elif kind is BLOCK:
                self.visit_block(s)

    def block(self, b: Block | None) -> None:
        if b is not None:
            self.stmts(b.body)

    # -- the statements ---------------------------------------------------------------------

    def visit_expression_stmt(self, s: ExpressionStmt) -> None:
        self.expr(s.expr, Role.STATEMENT)

    def visit_assignment(self, s: AssignmentStmt) -> None:
        lvalues = s.lvalues  # one read of mypy's attribute
        self.exprs(lvalues, Role.STORE)
        # The target's class, tested by identity (leaves of mypy's node classes).
        kind = type(lvalues[0]) if len(lvalues) == 1 else None
        single_name = kind is NAME_EXPR
        unpacked = kind is TUPLE_EXPR or kind is LIST_EXPR
        self.assigned_by = s
        role = Role.ASSIGNED if single_name else Role.UNPACKED if unpacked else Role.VALUE
        self.expr(s.rvalue, role)

    def visit_operator_assignment(self, s: OperatorAssignmentStmt) -> None:
        self.expr(s.lvalue, Role.STORE)
        self.expr(s.rvalue, Role.OPERAND if s.op != "%" else Role.VALUE)

    def visit_return(self, s: ReturnStmt) -> None:
        self.expr(s.expr, Role.RETURNED)

    def visit_if(self, s: IfStmt) -> None:
        for cond, body in zip(s.expr, s.body, strict=False):
            self.expr(cond, Role.CONDITION)
            self.block(body)
        self.block(s.else_body)

    def visit_while(self, s: WhileStmt) -> None:
        self.expr(s.expr, Role.CONDITION)
        self.block(s.body)
        self.block(s.else_body)

    def visit_for(self, s: ForStmt) -> None:
        self.expr(s.index, Role.STORE)
        self.expr(s.expr, Role.ITERATED)
        self.block(s.body)
        self.block(s.else_body)

    def visit_assert(self, s: AssertStmt) -> None:
        self.expr(s.expr, Role.CONDITION)
        self.expr(s.msg)

    def visit_raise(self, s: RaiseStmt) -> None:
        self.expr(s.expr)
        self.expr(s.from_expr)

    def visit_del(self, s: DelStmt) -> None:
        self.expr(s.expr, Role.STORE)

    def visit_try(self, s: TryStmt) -> None:
        self.block(s.body)
        self.exprs(s.types)
        self.exprs(s.vars, Role.STORE)
        for handler in s.handlers:
            self.block(handler)
        self.block(s.else_body)
        self.block(s.finally_body)

    def visit_with(self, s: WithStmt) -> None:
        self.exprs(s.expr)
        self.exprs(s.target, Role.STORE)
        self.block(s.body)

    def visit_match(self, s: MatchStmt) -> None:
        # Matched against patterns: where the first can never match a coroutine object
        # (``case [1]:``, ``case int():``), the result was meant; a capture (``case c:``)
        # or a class a coroutine is an instance of takes the object itself.
        first = s.patterns[0] if s.patterns else None
        meant = first is not None and never_matches_a_coroutine(first)
        self.expr(s.subject, Role.COMPARED if meant else Role.VALUE)
        for pattern in s.patterns:
            self.exprs(pattern_captures(pattern), Role.STORE)
        for guard, body in zip(s.guards, s.bodies, strict=False):
            self.expr(guard, Role.CONDITION)
            self.block(body)

    def visit_class(self, s: ClassDef) -> None:
        self.exprs(s.decorators)
        self.block(s.defs)

    def visit_block(self, s: Block) -> None:
        self.block(s)


def overload_parts(s: OverloadedFuncDef) -> list[OverloadPart]:
    """An overload's items and its implementation, if any (a property with a setter is one
    too: the getter and the setter are its items)."""
    return [*s.items, *([s.impl] if s.impl is not None else [])]


def stored_members(target: Expression | None) -> list[MemberExpr]:
    """The attributes a store target writes: ``x.a`` in ``x.a = ...``, also inside a tuple,
    list or starred target (``x.a, n = ...``, ``for x.a in ...``)."""
    return [e for e in store_targets(target) if type(e) is MEMBER_EXPR]


def store_targets(target: Expression | None) -> list[Expression]:
    """What a store target writes, one by one: the items of a tuple, list or starred
    target (``x.a, n = ...``, ``first, *rest = ...``), or the target itself."""
    # ``Any``: the class is tested by identity (leaves of mypy's node classes), once.
    t: Any = target
    kind = type(t)
    if kind is TUPLE_EXPR or kind is LIST_EXPR:
        return [leaf for item in t.items for leaf in store_targets(item)]
    if kind is STAR_EXPR:
        return store_targets(t.expr)
    return [] if target is None else [target]


# The classes a coroutine object is an instance of, as a class pattern may name them.
_COROUTINE_CLASSES: Final = frozenset(
    {
        "builtins.object",
        "typing.Coroutine",
        "typing.Awaitable",
        "collections.abc.Coroutine",
        "collections.abc.Awaitable",
        "types.CoroutineType",
    }
)


def never_matches_a_coroutine(pattern: Pattern) -> bool:
    """Whether ``pattern`` fails for every coroutine object: a value, a literal, a
    sequence or a mapping pattern, a class pattern naming a class a coroutine is not an
    instance of (as far as its name says), or an alternative of such patterns."""
    if isinstance(pattern, AS_PATTERN):
        return pattern.pattern is not None and never_matches_a_coroutine(pattern.pattern)
    if isinstance(pattern, OR_PATTERN):
        return all(never_matches_a_coroutine(p) for p in pattern.patterns)
    if isinstance(pattern, CLASS_PATTERN):
        named = pattern.class_ref.node
        return isinstance(named, TYPE_INFO) and named.fullname not in _COROUTINE_CLASSES
    return isinstance(
        pattern, (VALUE_PATTERN, SINGLETON_PATTERN, SEQUENCE_PATTERN, MAPPING_PATTERN)
    )


def pattern_captures(pattern: Pattern) -> list[NameExpr]:
    """The names a ``case`` pattern binds (``case Pool() as p``, ``case [first, *rest]``,
    ``case {"k": v, **others}``, ``case Point(x=x)``)."""
    found: list[NameExpr] = []
    pending = [pattern]
    while pending:
        p = pending.pop()
        if isinstance(p, AS_PATTERN):
            if p.name is not None:
                found.append(p.name)
            if p.pattern is not None:
                pending.append(p.pattern)
        elif isinstance(p, (OR_PATTERN, SEQUENCE_PATTERN)):
            pending.extend(p.patterns)
        elif isinstance(p, STARRED_PATTERN):
            if p.capture is not None:
                found.append(p.capture)
        elif isinstance(p, MAPPING_PATTERN):
            pending.extend(p.values)
            if p.rest is not None:
                found.append(p.rest)
        elif isinstance(p, CLASS_PATTERN):
            pending.extend(p.positionals)
            pending.extend(p.keyword_values)
    return found


def functions_in(body: Sequence[Statement]) -> list[FuncDef]:
    """Every function ``body`` defines, nested ones included (in classes, in functions,
    under ``if``/``while``/``for``/``try``/``with``/``match``), each before those it holds:
    what a ``StatementWalker`` limited to ``DEFINITION_HOLDERS`` reaches when it enters
    every definition, as one loop on the statement's class (the pass after type checking
    asks it for every module; ``tests/test_statements.py`` holds it to Python's own parser,
    ``ast``)."""
    found: list[Any] = []
    _add_functions(body, found)
    return found


def _add_functions(body: Sequence[Statement], found: list[Any]) -> None:
    # ``Any``: each statement's class is tested once, by identity; a compiled build would
    # check it again at each narrowing and each typed store (mypy's classes are not native
    # to the plugin's build, so every attribute read is a Python one either way).
    statements: Sequence[Any] = body
    for s in statements:
        kind = type(s)
        if kind is FUNC_DEF:
            found.append(s)
            _add_functions(s.body.body, found)
        elif kind is DECORATOR:
            found.append(s.func)
            _add_functions(s.func.body.body, found)
        elif kind is OVERLOADED_FUNC_DEF:
            _add_functions(overload_parts(s), found)
        elif kind is CLASS_DEF:
            _add_functions(s.defs.body, found)
        elif kind in _COMPOUND:
            for block in child_blocks(s):
                _add_functions(block.body, found)


def declared_globals(tree: MypyFile) -> list[tuple[FuncDef, list[str]]]:
    """Each function of ``tree`` (nested ones included, as :func:`functions_in` lists
    them) whose ``global`` statements declare names, with those names (as
    :func:`global_names` reads its body): one walk of the module.  Asked once per module
    by ``reachability.module_bindings``, which keeps what it makes of it; kept here too, it
    brought mypy one more collection on ``make bench``'s ALL target
    (benchmarks/findings.md, session 65)."""
    found: list[tuple[FuncDef, list[str]]] = []
    _add_globals(tree.defs, None, found)
    return found


def _add_globals(
    body: Sequence[Statement],
    declared: list[str] | None,
    found: list[tuple[FuncDef, list[str]]],
) -> None:
    """The walk of :func:`_add_functions`, with the ``global`` statements of the function
    whose body this is (``declared``; None in a class's or the module's body) noted on the
    way, into the blocks :func:`child_blocks` gives and not into nested definitions."""
    statements: Sequence[Any] = body  # tested by identity, as in _add_functions
    for s in statements:
        kind = type(s)
        if kind is FUNC_DEF:
            _add_function_globals(s, found)
        elif kind is DECORATOR:
            _add_function_globals(s.func, found)
        elif kind is OVERLOADED_FUNC_DEF:
            _add_globals(overload_parts(s), None, found)
        elif kind is CLASS_DEF:
            _add_globals(s.defs.body, None, found)
        elif kind is GLOBAL_DECL:
            if declared is not None:
                declared.extend(s.names)
        elif kind in _COMPOUND:
            for block in child_blocks(s):
                _add_globals(block.body, declared, found)


def _add_function_globals(func: FuncDef, found: list[tuple[FuncDef, list[str]]]) -> None:
    declared: list[str] = []
    _add_globals(func.body.body, declared, found)
    if declared:
        found.append((func, declared))


def global_names(body: Sequence[Statement], nonlocal_too: bool = False) -> list[str]:
    """The names ``global`` statements in ``body`` declare (``nonlocal_too``: and
    ``nonlocal`` ones), also under ``if``/``while``/``for``/``try``/``with``/``match`` (not
    in nested definitions: :func:`functions_in` lists those apart)."""
    found: list[str] = []
    for s in body:
        if isinstance(s, GLOBAL_DECL) or (nonlocal_too and isinstance(s, NONLOCAL_DECL)):
            found.extend(s.names)
        else:
            for block in child_blocks(s):
                found.extend(global_names(block.body, nonlocal_too))
    return found


# The statements after which a block does not go on (also :mod:`.reachability`'s), for a
# test of a statement's class by identity (each is a leaf of mypy's node classes).
EXITS: Final = frozenset({RETURN_STMT, RAISE_STMT, BREAK_STMT, CONTINUE_STMT})


def may_leave(s: Statement) -> bool:
    """Whether a compound statement ``s`` holds a ``return``, ``raise``, ``break`` or
    ``continue`` (not in a nested definition): the way on may end inside it."""
    for block in child_blocks(s):
        for inner in block.body:
            if type(inner) in EXITS or may_leave(inner):
                return True
    return False


def child_blocks(s: Statement) -> list[Block]:
    """The blocks a compound statement (not a definition) holds, in source order: the one
    place that says which they are (:func:`functions_in`, :func:`global_names`)."""
    c: Any = s  # tested by identity, as in _add_functions
    kind = type(c)
    if kind is IF_STMT:
        other = c.else_body
        return [*c.body, other] if other is not None else list(c.body)
    if kind is WHILE_STMT or kind is FOR_STMT:
        other = c.else_body
        return [c.body, other] if other is not None else [c.body]
    if kind is TRY_STMT:
        return [c.body, *c.handlers, *_present(c.else_body), *_present(c.finally_body)]
    if kind is WITH_STMT:
        return [c.body]
    if kind is MATCH_STMT:
        return list(c.bodies)
    if kind is BLOCK:
        return [c]
    return []


def _present(block: Block | None) -> list[Block]:
    return [] if block is None else [block]


def reached_after(body: Sequence[Statement], target: Statement) -> list[Statement] | None:
    """The statements that may run next after ``target`` (a statement of ``body``, a
    function's or a module's, or of a block nested in it), in source order, where the way
    is plain: the rest of its block, then, where the block goes on past its end, the rest of
    each enclosing ``if``'s, ``with``'s or ``match``'s block (for a ``try``: its ``else`` and
    ``finally`` blocks first).  A ``return``, ``raise``, ``break`` or ``continue`` ends a
    block (it is in the list); so does the end of a loop's body (the next pass starts over).
    A branch of a ``try`` that an exception may take is not followed.  None if ``target``
    is not there (a nested definition's)."""
    found = _continuation(body, target)
    return None if found is None else found[0]


def _continuation(
    block: Sequence[Statement], target: Statement
) -> tuple[list[Statement], bool] | None:
    """What runs after ``target`` within ``block``, and whether the way goes on past the
    end of ``block``; None if ``target`` is not in ``block``."""
    for index, s in enumerate(block):
        if s is target:
            return _rest(block, index + 1, [])
        for inner, then, stays in _ways_on(s):
            found = _continuation(inner.body, target)
            if found is None:
                continue
            reached, goes_on = found
            for after in then:
                if goes_on:
                    reached, goes_on = _rest(after.body, 0, reached)
            if not goes_on or not stays:
                return reached, False
            return _rest(block, index + 1, reached)
    return None


def _rest(
    block: Sequence[Statement], start: int, reached: list[Statement]
) -> tuple[list[Statement], bool]:
    """``reached`` and the statements of ``block`` from ``start`` on, up to one that ends
    it; whether the way goes on past the end of ``block``."""
    for s in block[start:]:
        reached.append(s)
        if type(s) in EXITS:
            return reached, False
    return reached, True


def imported_names(owner: Scope) -> frozenset[str]:
    """The names the imports of ``owner`` (a function or a module) bind, in nested blocks
    too (not in nested definitions; ``from x import *`` gives none)."""
    found: set[str] = set()
    _add_imported(owner.defs if isinstance(owner, MYPY_FILE) else owner.body.body, found)
    return frozenset(found)


def _add_imported(body: Sequence[Statement], found: set[str]) -> None:
    for s in body:
        if isinstance(s, IMPORT_FROM):
            found.update(alias or name for name, alias in s.names)
        elif isinstance(s, IMPORT):
            found.update(alias or name.partition(".")[0] for name, alias in s.ids)
        else:
            for block in child_blocks(s):
                _add_imported(block.body, found)


def runs_first(s: Statement) -> list[Expression]:
    """The expressions ``s`` evaluates whenever it runs, before any of its blocks: not
    those that may not run (an ``elif``'s test, an ``assert``'s message, a ``case``'s guard,
    the blocks).  A definition or ``try`` gives none."""
    c: Any = s
    kind = type(c)
    found: list[Expression | None]
    if kind is EXPRESSION_STMT:
        found = [c.expr]
    elif kind is ASSIGNMENT_STMT:
        found = [c.rvalue, *c.lvalues]
    elif kind is OPERATOR_ASSIGNMENT_STMT:
        found = [c.rvalue, c.lvalue]
    elif kind is RETURN_STMT:
        found = [c.expr]
    elif kind is RAISE_STMT:
        found = [c.expr, c.from_expr]
    elif kind is ASSERT_STMT or kind is DEL_STMT or kind is WHILE_STMT:
        found = [c.expr]
    elif kind is IF_STMT:
        found = [c.expr[0]]
    elif kind is FOR_STMT:
        found = [c.expr, c.index]
    elif kind is WITH_STMT:
        found = [*c.expr, *c.target]
    elif kind is MATCH_STMT:
        found = [c.subject]
    else:
        found = []
    return [e for e in found if e is not None]


def _ways_on(s: Statement) -> list[tuple[Block, list[Block], bool]]:
    """Each block of the compound statement ``s`` (not a definition), with the blocks that
    run after it before ``s`` is done (a ``try``'s ``else`` and ``finally``), and whether
    the way then goes on after ``s`` (not from a loop's body)."""
    c: Any = s
    kind = type(c)
    if kind is IF_STMT:
        return [(b, [], True) for b in (*c.body, *_present(c.else_body))]
    if kind is WITH_STMT:
        return [(c.body, [], True)]
    if kind is MATCH_STMT:
        return [(b, [], True) for b in c.bodies]
    if kind is BLOCK:
        return [(c, [], True)]
    if kind is WHILE_STMT or kind is FOR_STMT:
        return [(c.body, [], False), *((b, [], True) for b in _present(c.else_body))]
    if kind is TRY_STMT:
        final = _present(c.finally_body)
        return [
            (c.body, [*_present(c.else_body), *final], True),
            *((h, final, True) for h in c.handlers),
            *((b, final, True) for b in _present(c.else_body)),
            *((b, [], True) for b in final),
        ]
    return []


def module_definitions(file: MypyFile) -> list[tuple[str, Definition | ClassDef]]:
    """The functions, classes and methods ``file`` defines, each with its name in the module
    ("Cls.method"), also under ``if``/``try``/``with``/... at module or class level; what
    functions define is local and not listed.  Works on a tree not yet analysed."""
    walker = _ModuleDefinitions()
    walker.stmts(file.defs)
    return walker.found


class _ModuleDefinitions(StatementWalker):
    def __init__(self) -> None:
        self.prefix = ""
        self.found: list[tuple[str, Definition | ClassDef]] = []

    def stmts(self, body: Sequence[Statement]) -> None:
        super().stmts([s for s in body if type(s) in DEFINITION_HOLDERS])

    def definition(self, s: Definition) -> None:
        self.found.append((self.prefix + s.name, s))

    def visit_class(self, s: ClassDef) -> None:
        outer = self.prefix
        self.found.append((outer + s.name, s))
        self.prefix = f"{outer}{s.name}."
        self.block(s.defs)
        self.prefix = outer


def in_lambdas(node: Node) -> set[int]:
    """The ``id`` of each expression of ``node`` in the body of a lambda (its own scope; mypy
    may check one in a function it does not check: ``(lambda: len(rows()))()``)."""
    return {
        id(inner)
        for e in get_subexpressions(node)
        if type(e) is LAMBDA_EXPR
        for inner in get_subexpressions(e.body)
    }
