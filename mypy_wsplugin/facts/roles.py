"""Await-context detection: what role does an expression play where it stands?

mypy's hooks see a call but not its parent, and no hook says "this call is the operand of
``await``" (mypy issue #5650).  This module answers that from the tree itself: for one scope
(a function body, or a module's top level) it walks the statements once and records the role
of every call and attribute access that stands somewhere interesting: awaited, used as an
attribute base, tested for truth, dropped as a statement, returned, or assigned to a name.

mypy's own visitor classes are compiled traits and cannot be subclassed, so the walker is
written here, dispatching on the node class.  Maps are keyed on node identity; under the mypy
daemon the same function and module objects are reused with new contents after an edit, so
each map remembers the body it was built from and is rebuilt when that body changes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Final

from mypy.nodes import (
    AssertStmt,
    AssertTypeExpr,
    AssignmentExpr,
    AssignmentStmt,
    AwaitExpr,
    Block,
    CallExpr,
    CastExpr,
    ClassDef,
    ComparisonExpr,
    ConditionalExpr,
    Decorator,
    DelStmt,
    DictExpr,
    DictionaryComprehension,
    Expression,
    ExpressionStmt,
    ForStmt,
    FuncDef,
    FuncItem,
    GeneratorExpr,
    IfStmt,
    IndexExpr,
    ListComprehension,
    ListExpr,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    OperatorAssignmentStmt,
    OpExpr,
    OverloadedFuncDef,
    RaiseStmt,
    ReturnStmt,
    RevealExpr,
    SetComprehension,
    SetExpr,
    SliceExpr,
    StarExpr,
    Statement,
    TryStmt,
    TupleExpr,
    TypeApplication,
    UnaryExpr,
    WhileStmt,
    WithStmt,
    YieldExpr,
    YieldFromExpr,
)

from mypy_wsplugin.mypy_internals import get_subexpressions

Scope = FuncItem | MypyFile


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


# Roles a conditional expression hands on to both of its branches.
_THROUGH_BRANCHES: Final = frozenset(
    {Role.AWAITED, Role.ATTRIBUTE_BASE, Role.CONDITION, Role.STATEMENT, Role.RETURNED}
)


class ScopeWalker:
    """Visits every statement and expression of one scope, not entering nested scopes.

    Subclasses implement :meth:`seen`, called once per expression with the role its parent
    gives it.
    """

    # Handlers by node class; subclasses may replace entries (see static_result, untyped).
    _STMT: ClassVar[dict[type[Node], Callable[..., None]]] = {}
    _EXPR: ClassVar[dict[type[Node], Callable[..., None]]] = {}
    # The assignment whose right-hand side is being visited (for Role.ASSIGNED).
    assigned_by: AssignmentStmt | None = None
    # The attribute looked up on the expression being visited (for Role.ATTRIBUTE_BASE).
    member_name: str | None = None

    def seen(self, e: Expression, role: Role) -> None:
        raise NotImplementedError

    def scope(self, owner: Scope) -> None:
        if isinstance(owner, MypyFile):
            self.stmts(owner.defs)
        else:
            self.stmts(owner.body.body)

    def stmts(self, body: Sequence[Statement]) -> None:
        table = self._STMT
        for s in body:
            visit = table.get(type(s))
            if visit is not None:
                visit(self, s)

    def block(self, b: Block | None) -> None:
        if b is not None:
            self.stmts(b.body)

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if e is None:
            return
        self.seen(e, role)
        visit = self._EXPR.get(type(e))
        if visit is not None:
            visit(self, e, role)

    def exprs(self, es: Sequence[Expression | None], role: Role = Role.VALUE) -> None:
        for e in es:
            self.expr(e, role)

    # -- statements ---------------------------------------------------------------------

    def _expression_stmt(self, s: ExpressionStmt) -> None:
        self.expr(s.expr, Role.STATEMENT)

    def _assignment(self, s: AssignmentStmt) -> None:
        self.exprs(s.lvalues, Role.STORE)
        single_name = len(s.lvalues) == 1 and isinstance(s.lvalues[0], NameExpr)
        self.assigned_by = s
        self.expr(s.rvalue, Role.ASSIGNED if single_name else Role.VALUE)

    def _operator_assignment(self, s: OperatorAssignmentStmt) -> None:
        self.expr(s.lvalue, Role.STORE)
        self.expr(s.rvalue)

    def _return(self, s: ReturnStmt) -> None:
        self.expr(s.expr, Role.RETURNED)

    def _if(self, s: IfStmt) -> None:
        for cond, body in zip(s.expr, s.body, strict=False):
            self.expr(cond, Role.CONDITION)
            self.block(body)
        self.block(s.else_body)

    def _while(self, s: WhileStmt) -> None:
        self.expr(s.expr, Role.CONDITION)
        self.block(s.body)
        self.block(s.else_body)

    def _for(self, s: ForStmt) -> None:
        self.expr(s.index, Role.STORE)
        self.expr(s.expr)
        self.block(s.body)
        self.block(s.else_body)

    def _assert(self, s: AssertStmt) -> None:
        self.expr(s.expr, Role.CONDITION)
        self.expr(s.msg)

    def _raise(self, s: RaiseStmt) -> None:
        self.expr(s.expr)
        self.expr(s.from_expr)

    def _del(self, s: DelStmt) -> None:
        self.expr(s.expr, Role.STORE)

    def _try(self, s: TryStmt) -> None:
        self.block(s.body)
        self.exprs(s.types)
        self.exprs(s.vars, Role.STORE)
        for handler in s.handlers:
            self.block(handler)
        self.block(s.else_body)
        self.block(s.finally_body)

    def _with(self, s: WithStmt) -> None:
        self.exprs(s.expr)
        self.exprs(s.target, Role.STORE)
        self.block(s.body)

    def _match(self, s: MatchStmt) -> None:
        self.expr(s.subject)
        for guard, body in zip(s.guards, s.bodies, strict=False):
            self.expr(guard, Role.CONDITION)
            self.block(body)

    def _class(self, s: ClassDef) -> None:
        self.exprs(s.decorators)
        self.block(s.defs)

    def _decorator(self, s: Decorator) -> None:
        # The decorators run in this scope; the function body is a scope of its own.
        self.exprs(s.decorators)

    def _block_stmt(self, s: Block) -> None:
        self.block(s)

    # -- expressions --------------------------------------------------------------------

    def _call(self, e: CallExpr, role: Role) -> None:
        if e.analyzed is not None:  # ``reveal_type(x)``, ``cast(T, x)``: what it stands for
            self.expr(e.analyzed, role)
            return
        self.expr(e.callee)
        self.exprs(e.args)

    def _member(self, e: MemberExpr, role: Role) -> None:
        self.member_name = e.name
        self.expr(e.expr, Role.ATTRIBUTE_BASE)

    def _await(self, e: AwaitExpr, role: Role) -> None:
        self.expr(e.expr, Role.AWAITED)

    def _op(self, e: OpExpr, role: Role) -> None:
        if e.op in ("and", "or"):
            self.expr(e.left, Role.CONDITION)
            self.expr(e.right, Role.CONDITION if role is Role.CONDITION else Role.VALUE)
        else:
            self.expr(e.left)
            self.expr(e.right)

    def _unary(self, e: UnaryExpr, role: Role) -> None:
        self.expr(e.expr, Role.CONDITION if e.op == "not" else Role.VALUE)

    def _conditional(self, e: ConditionalExpr, role: Role) -> None:
        self.expr(e.cond, Role.CONDITION)
        branch = role if role in _THROUGH_BRANCHES else Role.VALUE
        self.expr(e.if_expr, branch)
        self.expr(e.else_expr, branch)

    def _comparison(self, e: ComparisonExpr, role: Role) -> None:
        self.exprs(e.operands)

    def _sequence(self, e: TupleExpr | ListExpr | SetExpr, role: Role) -> None:
        self.exprs(e.items, Role.STORE if role is Role.STORE else Role.VALUE)

    def _star(self, e: StarExpr, role: Role) -> None:
        self.expr(e.expr, Role.STORE if role is Role.STORE else Role.VALUE)

    def _dict(self, e: DictExpr, role: Role) -> None:
        for key, value in e.items:
            self.expr(key)
            self.expr(value)

    def _index(self, e: IndexExpr, role: Role) -> None:
        self.expr(e.base)
        self.expr(e.index)

    def _slice(self, e: SliceExpr, role: Role) -> None:
        self.expr(e.begin_index)
        self.expr(e.end_index)
        self.expr(e.stride)

    def _generator(self, e: GeneratorExpr, role: Role) -> None:
        self._comprehension(e.sequences, e.indices, e.condlists)
        self.expr(e.left_expr)

    def _list_comprehension(self, e: ListComprehension | SetComprehension, role: Role) -> None:
        self._generator(e.generator, role)

    def _dict_comprehension(self, e: DictionaryComprehension, role: Role) -> None:
        self._comprehension(e.sequences, e.indices, e.condlists)
        self.expr(e.key)
        self.expr(e.value)

    def _comprehension(
        self,
        sequences: list[Expression],
        indices: list[Expression],
        condlists: list[list[Expression]],
    ) -> None:
        for sequence, index, conds in zip(sequences, indices, condlists, strict=False):
            self.expr(sequence)
            self.expr(index, Role.STORE)
            self.exprs(conds, Role.CONDITION)

    def _inner(self, e: Expression, role: Role) -> None:
        inner = getattr(e, "expr", None)
        if isinstance(inner, Expression):
            self.expr(inner)

    def _revealed(self, e: RevealExpr, role: Role) -> None:
        self.expr(e.expr, Role.REVEALED)

    def _walrus(self, e: AssignmentExpr, role: Role) -> None:
        self.expr(e.target, Role.STORE)
        # ``if (c := fetch()):`` tests the value; ``(c := fetch())`` alone keeps it in ``c``.
        passed = role in _THROUGH_BRANCHES and role is not Role.STATEMENT
        self.expr(e.value, role if passed else Role.VALUE)


def _register() -> None:
    w = ScopeWalker
    stmt: dict[type[Node], Callable[..., None]] = {
        ExpressionStmt: w._expression_stmt,
        AssignmentStmt: w._assignment,
        OperatorAssignmentStmt: w._operator_assignment,
        ReturnStmt: w._return,
        IfStmt: w._if,
        WhileStmt: w._while,
        ForStmt: w._for,
        AssertStmt: w._assert,
        RaiseStmt: w._raise,
        DelStmt: w._del,
        TryStmt: w._try,
        WithStmt: w._with,
        MatchStmt: w._match,
        ClassDef: w._class,
        Decorator: w._decorator,
        Block: w._block_stmt,
    }
    expr: dict[type[Node], Callable[..., None]] = {
        CallExpr: w._call,
        MemberExpr: w._member,
        AwaitExpr: w._await,
        OpExpr: w._op,
        UnaryExpr: w._unary,
        ConditionalExpr: w._conditional,
        ComparisonExpr: w._comparison,
        TupleExpr: w._sequence,
        ListExpr: w._sequence,
        SetExpr: w._sequence,
        StarExpr: w._star,
        DictExpr: w._dict,
        IndexExpr: w._index,
        SliceExpr: w._slice,
        GeneratorExpr: w._generator,
        ListComprehension: w._list_comprehension,
        SetComprehension: w._list_comprehension,
        DictionaryComprehension: w._dict_comprehension,
        AssignmentExpr: w._walrus,
        YieldExpr: w._inner,
        YieldFromExpr: w._inner,
        CastExpr: w._inner,
        AssertTypeExpr: w._inner,
        RevealExpr: w._revealed,
        TypeApplication: w._inner,
    }
    w._STMT.update(stmt)
    w._EXPR.update(expr)


_register()


class NestedScopeWalker(ScopeWalker):
    """A walker that also enters nested functions, calling :meth:`function` for each."""

    def function(self, s: FuncDef) -> None:
        raise NotImplementedError

    def _decorated(self, s: Decorator) -> None:
        self.exprs(s.decorators)
        self.function(s.func)

    def _overloaded(self, s: OverloadedFuncDef) -> None:
        self.stmts(list(s.items))
        if s.impl is not None:
            self.stmts([s.impl])


NESTED_DEFINITIONS: Final[dict[type[Node], Callable[..., None]]] = {
    FuncDef: lambda walker, s: walker.function(s),
    Decorator: NestedScopeWalker._decorated,
    OverloadedFuncDef: NestedScopeWalker._overloaded,
}

# For walkers that only look for definitions: the statements that can hold one, and the
# definitions themselves; every other statement is skipped unvisited.
DEFINITION_STATEMENTS: Final[dict[type[Node], Callable[..., None]]] = {
    **{
        kind: visit
        for kind, visit in ScopeWalker._STMT.items()
        if kind in (ClassDef, IfStmt, WhileStmt, ForStmt, TryStmt, WithStmt, MatchStmt, Block)
    },
    **NESTED_DEFINITIONS,
}


class RoleEntry:
    """The role of one recorded expression.

    ``assignment`` is set for :attr:`Role.ASSIGNED`, ``attribute`` (the name looked up) for
    :attr:`Role.ATTRIBUTE_BASE`.
    """

    __slots__ = ("assignment", "attribute", "node", "role")

    def __init__(
        self,
        node: Expression,
        role: Role,
        assignment: AssignmentStmt | None = None,
        attribute: str | None = None,
    ) -> None:
        self.node = node
        self.role = role
        self.assignment = assignment
        self.attribute = attribute


class _StatementRoles(ScopeWalker):
    """The roles statements give their expressions (no expression is entered), and the
    nested functions met on the way."""

    def __init__(self) -> None:
        self.roles: dict[int, RoleEntry] = {}
        self.nested: list[Node] = []

    def seen(self, e: Expression, role: Role) -> None:
        pass

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if e is not None and role in _STATEMENT_ROLES:
            assignment = self.assigned_by if role is Role.ASSIGNED else None
            self.roles[id(e)] = RoleEntry(e, role, assignment=assignment)

    def _nested(self, s: FuncDef | Decorator | OverloadedFuncDef) -> None:
        self.nested.append(s)


_STATEMENT_ROLES: Final = frozenset({Role.STATEMENT, Role.RETURNED, Role.CONDITION, Role.ASSIGNED})
_StatementRoles._STMT = {
    **ScopeWalker._STMT,
    FuncDef: _StatementRoles._nested,
    Decorator: _StatementRoles._nested,
    OverloadedFuncDef: _StatementRoles._nested,
}


def collect_roles(owner: Scope) -> dict[int, RoleEntry]:
    """The role of every expression of ``owner`` (a function, or a module's top level),
    keyed by ``id``; expressions of nested functions are left out, those of lambdas are in.

    Statements give their expressions a role (a Python walk over statements only); every
    other role follows from the parent expression, so the expressions are taken from
    mypy's compiled ``get_subexpressions`` (parents before children) and each parent hands
    its role on in one flat loop.
    """
    statements = _StatementRoles()
    statements.scope(owner)
    roles = statements.roles
    handlers = _HANDLERS
    for e in get_subexpressions(owner):
        handler = handlers.get(type(e))
        if handler is not None:
            handler(e, roles)
    if statements.nested:
        for func in statements.nested:
            for e in get_subexpressions(func):
                roles.pop(id(e), None)
    return roles


# The expressions whose role is looked up (calls and attribute accesses), or handed on.
_KEPT: Final = frozenset({CallExpr, MemberExpr, ConditionalExpr, OpExpr, AssignmentExpr})


def _set(
    roles: dict[int, RoleEntry], e: Expression, role: Role, attribute: str | None = None
) -> None:
    if type(e) in _KEPT:
        roles[id(e)] = RoleEntry(e, role, attribute=attribute)


def _role(roles: dict[int, RoleEntry], e: Expression) -> RoleEntry | None:
    entry = roles.get(id(e))
    return entry if entry is not None and entry.node is e else None


def _await_handler(e: AwaitExpr, roles: dict[int, RoleEntry]) -> None:
    _set(roles, e.expr, Role.AWAITED)


def _member_handler(e: MemberExpr, roles: dict[int, RoleEntry]) -> None:
    _set(roles, e.expr, Role.ATTRIBUTE_BASE, e.name)


def _unary_handler(e: UnaryExpr, roles: dict[int, RoleEntry]) -> None:
    if e.op == "not":
        _set(roles, e.expr, Role.CONDITION)


def _op_handler(e: OpExpr, roles: dict[int, RoleEntry]) -> None:
    if e.op in ("and", "or"):
        _set(roles, e.left, Role.CONDITION)
        parent = _role(roles, e)
        if parent is not None and parent.role is Role.CONDITION:
            _set(roles, e.right, Role.CONDITION)


def _conditional_handler(e: ConditionalExpr, roles: dict[int, RoleEntry]) -> None:
    _set(roles, e.cond, Role.CONDITION)
    parent = _role(roles, e)
    if parent is not None and parent.role in _THROUGH_BRANCHES:
        _set(roles, e.if_expr, parent.role, parent.attribute)
        _set(roles, e.else_expr, parent.role, parent.attribute)


def _walrus_handler(e: AssignmentExpr, roles: dict[int, RoleEntry]) -> None:
    # ``if (c := fetch()):`` tests the value; ``(c := fetch())`` alone keeps it in ``c``.
    parent = _role(roles, e)
    if (
        parent is not None
        and parent.role in _THROUGH_BRANCHES
        and parent.role is not Role.STATEMENT
    ):
        _set(roles, e.value, parent.role, parent.attribute)


def _generator_handler(
    e: GeneratorExpr | DictionaryComprehension, roles: dict[int, RoleEntry]
) -> None:
    for conds in e.condlists:
        for cond in conds:
            _set(roles, cond, Role.CONDITION)


_HANDLERS: Final[dict[type[Node], Callable[[Any, dict[int, RoleEntry]], None]]] = {
    AwaitExpr: _await_handler,
    MemberExpr: _member_handler,
    UnaryExpr: _unary_handler,
    OpExpr: _op_handler,
    ConditionalExpr: _conditional_handler,
    AssignmentExpr: _walrus_handler,
    GeneratorExpr: _generator_handler,
    DictionaryComprehension: _generator_handler,
}


class _NameUseCollector(ScopeWalker):
    def __init__(self, target: Node) -> None:
        self.target = target
        self.uses: list[tuple[NameExpr, Role, str | None]] = []

    def seen(self, e: Expression, role: Role) -> None:
        if type(e) is NameExpr and e.node is self.target:
            self.uses.append((e, role, self.member_name if role is Role.ATTRIBUTE_BASE else None))


class _ScopeRoles:
    __slots__ = ("body", "owner", "roles")

    def __init__(self, owner: Scope, body: object, roles: dict[int, RoleEntry]) -> None:
        self.owner = owner
        self.body = body
        self.roles = roles


def _body_of(owner: Scope) -> object:
    return owner.defs if isinstance(owner, MypyFile) else owner.body


class RoleIndex:
    """Per-scope role maps for the module being type-checked.

    Only the current module's maps are kept: mypy checks one module at a time, and keeping
    older modules' nodes alive would hold on to trees mypy has already freed.
    """

    def __init__(self) -> None:
        self._tree: MypyFile | None = None
        self._scopes: dict[int, _ScopeRoles] = {}

    def role_of(self, tree: MypyFile, owner: Scope, node: Expression) -> RoleEntry | None:
        if tree is not self._tree:
            self._tree = tree
            self._scopes = {}
        scope = self._scopes.get(id(owner))
        body = _body_of(owner)
        if scope is None or scope.owner is not owner or scope.body is not body:
            scope = _ScopeRoles(owner, body, collect_roles(owner))
            self._scopes[id(owner)] = scope
        entry = scope.roles.get(id(node))
        if entry is None or entry.node is not node:
            return None
        return entry


NameUse = tuple[NameExpr, Role, "str | None"]  # the name, its role, the attribute looked up


def uses_after(owner: Scope, assignment: AssignmentStmt) -> list[NameUse]:
    """The uses of the name ``assignment`` binds, after it, in ``owner``, in source order.

    Empty when the name is bound anywhere else in ``owner`` too (another assignment, a
    loop variable, ``del``): which binding a use sees is then a matter of control flow, and
    nothing is claimed.  Nested functions are not looked into.
    """
    target = assignment.lvalues[0]
    if not isinstance(target, NameExpr) or target.node is None:
        return []
    collector = _NameUseCollector(target.node)
    collector.scope(owner)
    if any(role is Role.STORE and name is not target for name, role, _ in collector.uses):
        return []
    end = (assignment.end_line or assignment.line, assignment.end_column or 0)
    later = [
        use
        for use in collector.uses
        if use[0] is not target and (use[0].line, use[0].column) >= end
    ]
    return sorted(later, key=lambda use: (use[0].line, use[0].column))
