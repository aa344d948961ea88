"""Await-context detection: what role does an expression play where it stands?

mypy's hooks see a call but not its parent, and no hook says "this call is the operand of
``await``" (mypy issue #5650).  This module answers that from the tree itself: for one scope
(a function body, or a module's top level) it records the role of every call and attribute
access that stands somewhere interesting: awaited, used as an attribute base, tested for
truth, dropped as a statement, returned, or assigned to a name.

The rules are in two tables, each in one place: what a statement gives its top expressions
(:mod:`.statements`), and what an expression hands on to its sub-expressions (``_HANDLERS``
below).  Maps are keyed on node identity; :mod:`.role_index` keeps them per scope.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Final

from mypy.nodes import (
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    AssignmentExpr,
    AssignmentStmt,
    AwaitExpr,
    CallExpr,
    ComparisonExpr,
    ConditionalExpr,
    DelStmt,
    DictExpr,
    DictionaryComprehension,
    Expression,
    ForStmt,
    FuncItem,
    GeneratorExpr,
    IndexExpr,
    LambdaExpr,
    ListExpr,
    MemberExpr,
    NameExpr,
    Node,
    OpExpr,
    RevealExpr,
    SetExpr,
    StarExpr,
    Statement,
    TupleExpr,
    UnaryExpr,
    Var,
    WithStmt,
)
from mypy.types import get_proper_type

from mypy_wsplugin.facts.statements import (
    ALWAYS_WRONG,
    Definition,
    Role,
    Scope,
    StatementWalker,
    functions_in,
    global_names,
    imported_names,
    may_leave,
    reached_after,
    runs_first,
    store_targets,
)
from mypy_wsplugin.facts.types import coroutine_result
from mypy_wsplugin.mypy_classes import (
    ANY_TYPE,
    ASSIGNMENT_EXPR,
    AWAIT_EXPR,
    BYTES_EXPR,
    CALL_EXPR,
    CONDITIONAL_EXPR,
    DICT_EXPR,
    DICTIONARY_COMPREHENSION,
    GENERATOR_EXPR,
    INDEX_EXPR,
    LAMBDA_EXPR,
    MEMBER_EXPR,
    MYPY_FILE,
    NAME_EXPR,
    OP_EXPR,
    REF_EXPR,
    STAR_EXPR,
    STR_EXPR,
    UNARY_EXPR,
    VAR,
)
from mypy_wsplugin.mypy_internals import get_subexpressions

__all__ = [
    "Role",
    "RoleEntry",
    "Scope",
    "collect_roles",
    "enclosing_use",
    "uses_after",
]

# Roles a conditional expression (or a walrus) hands on to its branches.
_THROUGH_BRANCHES: Final = frozenset(
    {Role.AWAITED, Role.ATTRIBUTE_BASE, Role.CONDITION, Role.STATEMENT, Role.RETURNED}
)
# Roles a conditional expression hands on to a branch that is no name: the other uses that
# are wrong whatever the coroutine is, whichever branch gives it (``f(**(a() if c else
# b()))``).  A name there keeps its type, and mypy's error about the whole expression
# stands: a finding at the name would be a second error.
_THROUGH_BRANCHES_NOT_NAMES: Final = ALWAYS_WRONG - _THROUGH_BRANCHES


class RoleEntry:
    """The role of one recorded expression.

    ``assignment`` is set for :attr:`Role.ASSIGNED`, ``attribute`` (the name looked up) for
    :attr:`Role.ATTRIBUTE_BASE`, ``"__aiter__"`` for :attr:`Role.ITERATED` by ``async
    for``, ``"__iter__"`` for it by a builtin (``list(x)``), ``"__len__"`` for
    :attr:`Role.MEASURED`; ``stored``: the value is also kept in a name by a walrus
    (``if (c := fetch()):``), so whatever it is typed as here is the name's type too.
    """

    __slots__ = ("assignment", "attribute", "node", "role", "stored")

    def __init__(
        self,
        node: Expression,
        role: Role,
        assignment: AssignmentStmt | None = None,
        attribute: str | None = None,
        stored: bool = False,
    ) -> None:
        self.node = node
        self.role = role
        self.assignment = assignment
        self.attribute = attribute
        self.stored = stored


_STATEMENT_ROLES: Final = frozenset(
    {
        Role.STATEMENT,
        Role.RETURNED,
        Role.CONDITION,
        Role.ASSIGNED,
        Role.STORE,
        Role.UNPACKED,
        Role.ITERATED,
        Role.OPERAND,
        Role.COMPARED,
        Role.MANAGED,
    }
)


class _StatementRoles(StatementWalker):
    """The roles statements give their expressions, and the nested definitions met."""

    def __init__(self) -> None:
        self.roles: dict[int, RoleEntry] = {}
        self.nested: list[Node] = []

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if e is not None and role in _STATEMENT_ROLES:
            assignment = self.assigned_by if role is Role.ASSIGNED else None
            self.roles[id(e)] = RoleEntry(e, role, assignment=assignment)

    def visit_for(self, s: ForStmt) -> None:
        super().visit_for(s)
        entry = self.roles.get(id(s.expr))
        if s.is_async and entry is not None:
            entry.attribute = _ASYNC_ITERATION  # ``async for``: what it looks up

    def visit_with(self, s: WithStmt) -> None:
        super().visit_with(s)
        for manager in s.expr:
            # What it looks up first: the context manager's ``__enter__`` or ``__aenter__``.
            self.roles[id(manager)] = RoleEntry(
                manager, Role.MANAGED, attribute="__aenter__" if s.is_async else "__enter__"
            )

    def definition(self, s: Definition) -> None:
        self.nested.append(s)


# The expressions whose role is looked up (calls and attribute accesses), or handed on; and
# a name awaited as it is (``await f``), whichever map.
_KEPT: Final = frozenset({CallExpr, MemberExpr, ConditionalExpr, OpExpr, AssignmentExpr, IndexExpr})
# For uses of a name: names too, and what hands a store on to its items.
_KEPT_FOR_NAMES: Final = _KEPT | {NameExpr, TupleExpr, ListExpr, StarExpr}

_Roles = dict[int, RoleEntry]
# The ``attribute`` of an ``async for``'s (or an async comprehension's) iterable.
_ASYNC_ITERATION: Final = "__aiter__"


def collect_roles(owner: Scope, names: bool = False) -> _Roles:
    """The role of every call and attribute access of ``owner`` (a function, or a module's
    top level), and of every name awaited as it is, keyed by ``id`` (``names``: and of
    every name); expressions of nested functions are left out, those of lambdas are in.

    Statements give their expressions a role (a Python walk over statements only); every
    other role follows from the parent expression, so the expressions are taken from
    mypy's compiled ``get_subexpressions`` (parents before children) and each parent hands
    its role on in one flat loop.
    """
    statements = _StatementRoles()
    statements.scope(owner)
    roles = statements.roles
    kept = _KEPT_FOR_NAMES if names else _KEPT
    handlers = _NAME_HANDLERS if names else _HANDLERS
    for e in get_subexpressions(owner):
        handler = handlers.get(type(e))
        if handler is not None:
            handler(e, roles, kept)
    for nested in statements.nested:
        for e in get_subexpressions(nested):
            roles.pop(id(e), None)
    return roles


def store_counts(func: FuncItem, wanted: set[Var]) -> dict[Var, int]:
    """How often ``func`` stores each of ``wanted`` (an assignment, a loop, ``with`` or
    ``except`` target, ``del``, a walrus, a ``match`` capture); a store in a nested
    function (a ``nonlocal`` rebinding) counts two, so it never reads as one binding.
    Nested functions are read only where a name of ``wanted`` has at most one store."""
    counts: dict[Var, int] = {}
    for name in _stored_names(func):
        var = name.node
        if isinstance(var, VAR) and var in wanted:
            counts[var] = counts.get(var, 0) + 1
    if any(counts.get(var, 0) <= 1 for var in wanted):
        for nested in functions_in(func.body.body):
            for name in _stored_names(nested):
                var = name.node
                if isinstance(var, VAR) and var in wanted:
                    counts[var] = counts.get(var, 0) + 2
    return counts


class _StoreTargets(StatementWalker):
    """The store targets statements give (``Role.STORE``), and the nested definitions."""

    def __init__(self) -> None:
        self.targets: list[Expression] = []
        self.nested: list[Node] = []

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if role is Role.STORE and e is not None:
            self.targets.append(e)

    def definition(self, s: Definition) -> None:
        self.nested.append(s)


def _stored_names(owner: FuncItem) -> list[NameExpr]:
    """The names that :func:`collect_roles` (``names=True``) gives :attr:`Role.STORE` in
    ``owner``: the names in a statement's store target (inside a tuple, list or starred
    target too), a walrus's target and a comprehension's index, leaving out nested
    definitions (lambdas are in).  One walk of the statements and one pass over the
    expressions, for :func:`store_counts`, which asks only this of the roles."""
    statements = _StoreTargets()
    statements.scope(owner)
    stored: dict[int, NameExpr] = {}
    for target in statements.targets:
        for leaf in store_targets(target):
            if type(leaf) is NAME_EXPR:
                stored[id(leaf)] = leaf
    # ``Any``: each expression's class is tested once, by identity (as collect_roles does).
    expressions: list[Any] = get_subexpressions(owner)
    for e in expressions:
        kind = type(e)
        if kind is ASSIGNMENT_EXPR:
            stored[id(e.target)] = e.target
        elif kind is GENERATOR_EXPR or kind is DICTIONARY_COMPREHENSION:
            for index in e.indices:
                for leaf in store_targets(index):
                    if type(leaf) is NAME_EXPR:
                        stored[id(leaf)] = leaf
    for nested in statements.nested:
        for e in get_subexpressions(nested):
            stored.pop(id(e), None)
    return list(stored.values())


def _set(
    roles: _Roles,
    kept: frozenset[type],
    e: Expression | None,
    role: Role,
    attribute: str | None = None,
    stored: bool = False,
) -> None:
    if e is not None and type(e) in kept:
        roles[id(e)] = RoleEntry(e, role, attribute=attribute, stored=stored)


def _role(roles: _Roles, e: Expression) -> RoleEntry | None:
    entry = roles.get(id(e))
    return entry if entry is not None and entry.node is e else None


# -- what an expression hands on to its sub-expressions ----------------------------------------


def _await(e: AwaitExpr, roles: _Roles, kept: frozenset[type]) -> None:
    operand = e.expr
    if type(operand) is NAME_EXPR:  # ``await f``: kept in every map (a function awaited)
        roles[id(operand)] = RoleEntry(operand, Role.AWAITED)
    else:
        _set(roles, kept, operand, Role.AWAITED)


def _member(e: MemberExpr, roles: _Roles, kept: frozenset[type]) -> None:
    _set(roles, kept, e.expr, Role.ATTRIBUTE_BASE, e.name)


def _unary(e: UnaryExpr, roles: _Roles, kept: frozenset[type]) -> None:
    if e.op == "not":
        _set(roles, kept, e.expr, Role.CONDITION)
    else:  # ``-count()``, ``+``, ``~``: no coroutine object has the operator
        _set(roles, kept, e.expr, Role.OPERAND, _UNARY_METHODS.get(e.op))


# The method a unary operator calls (Role.OPERAND's attribute: the result must have it).
_UNARY_METHODS: Final = {"-": "__neg__", "+": "__pos__", "~": "__invert__"}


def _op(e: OpExpr, roles: _Roles, kept: frozenset[type]) -> None:
    if e.op in ("and", "or"):
        _set(roles, kept, e.left, Role.CONDITION)
        parent = _role(roles, e)
        if parent is not None and parent.role is Role.CONDITION:
            _set(roles, kept, e.right, Role.CONDITION)
    else:
        _set(roles, kept, e.left, Role.OPERAND)
        if e.op != "%":  # ``"%s" % x`` formats any object
            _set(roles, kept, e.right, Role.OPERAND)


def _index(e: IndexExpr, roles: _Roles, kept: frozenset[type]) -> None:
    _set(roles, kept, e.base, Role.SUBSCRIPTED)


def _conditional(e: ConditionalExpr, roles: _Roles, kept: frozenset[type]) -> None:
    _set(roles, kept, e.cond, Role.CONDITION)
    parent = _role(roles, e)
    if parent is None:
        return
    if parent.role in _THROUGH_BRANCHES:
        _set(roles, kept, e.if_expr, parent.role, parent.attribute, parent.stored)
        _set(roles, kept, e.else_expr, parent.role, parent.attribute, parent.stored)
    elif parent.role in _THROUGH_BRANCHES_NOT_NAMES:
        for branch in (e.if_expr, e.else_expr):
            if type(branch) is not NAME_EXPR:
                _set(roles, kept, branch, parent.role, parent.attribute, parent.stored)


def _walrus(e: AssignmentExpr, roles: _Roles, kept: frozenset[type]) -> None:
    # ``if (c := fetch()):`` tests the value, ``while (m := receive()) is not None:``
    # compares it, ``for x in (r := rows()):`` iterates it; ``(c := fetch())`` alone
    # keeps it in ``c``.
    _set(roles, kept, e.target, Role.STORE)
    parent = _role(roles, e)
    if parent is not None and (
        (parent.role in _THROUGH_BRANCHES and parent.role is not Role.STATEMENT)
        or parent.role in ALWAYS_WRONG
    ):
        _set(roles, kept, e.value, parent.role, parent.attribute, stored=True)


def walrus_name_used_again(owner: Scope, value: Expression) -> bool:
    """Whether ``value`` is a walrus's value whose name ``owner`` uses anywhere else (``if
    (task := make()) is not None:``, then ``await task``; ``[await c for ... if (c :=
    fetch()) is not None]``, whose element runs after the test; ``return c``; ``d = c``):
    the coroutine may be held on purpose, and the walrus's test or conversion of it is not
    judged.  Any other use counts, wherever it stands (by name: a comprehension's element,
    a nested function)."""
    expressions = get_subexpressions(owner)
    walruses = {id(e.value): e for e in expressions if isinstance(e, ASSIGNMENT_EXPR)}
    targets: list[NameExpr] = []
    walrus = walruses.get(id(value))
    while walrus is not None:  # ``(a := (b := fetch()))``: both names hold it
        targets.append(walrus.target)
        walrus = walruses.get(id(walrus))
    names = {target.name for target in targets}
    return any(
        isinstance(e, NAME_EXPR) and e.name in names and all(e is not t for t in targets)
        for e in expressions
    )


def _comprehension(
    e: GeneratorExpr | DictionaryComprehension, roles: _Roles, kept: frozenset[type]
) -> None:
    for index in e.indices:
        _set(roles, kept, index, Role.STORE)
    for sequence, is_async in zip(e.sequences, e.is_async, strict=True):
        _set(roles, kept, sequence, Role.ITERATED, _ASYNC_ITERATION if is_async else None)
    for conds in e.condlists:
        for cond in conds:
            _set(roles, kept, cond, Role.CONDITION)


def _store_items(
    e: TupleExpr | ListExpr | SetExpr | StarExpr, roles: _Roles, kept: frozenset[type]
) -> None:
    """A target's items are targets; a display's starred item is iterated (``[*x]``)."""
    parent = _role(roles, e)
    if parent is not None and parent.role is Role.STORE:
        for item in e.items if not isinstance(e, STAR_EXPR) else [e.expr]:
            _set(roles, kept, item, Role.STORE)
    elif not isinstance(e, STAR_EXPR):
        for item in e.items:
            if type(item) is STAR_EXPR:
                _set(roles, kept, item.expr, Role.ITERATED)


def _revealed(e: RevealExpr, roles: _Roles, kept: frozenset[type]) -> None:
    _set(roles, kept, e.expr, Role.REVEALED)


# Comparisons whose result a coroutine object decides on its own (never equal to, never
# the same object as, never contained in, the result it stands for).
_IDENTITY_OPERATORS: Final = frozenset({"==", "!=", "is", "is not", "in", "not in"})
_ORDER_OPERATORS: Final = frozenset({"<", "<=", ">", ">="})


def _comparison(e: ComparisonExpr, roles: _Roles, kept: frozenset[type]) -> None:
    for index, operator in enumerate(e.operators):
        if operator in _IDENTITY_OPERATORS:
            _set(roles, kept, e.operands[index], Role.COMPARED)
            if operator not in ("in", "not in"):  # ``x in coro()``: mypy's own error
                _set(roles, kept, e.operands[index + 1], Role.COMPARED)
        elif operator in _ORDER_OPERATORS:
            _set(roles, kept, e.operands[index], Role.ORDERED)
            _set(roles, kept, e.operands[index + 1], Role.ORDERED)


# Calls that turn any object into a bool or a text: of a coroutine, not of its result.
_CONVERSIONS: Final = frozenset({"builtins.bool", "builtins.str", "builtins.repr"})


# Builtins that iterate their positional arguments from the one given on (a coroutine
# object raises ``TypeError``): ``list(x)``, ``sorted(x)``, ``", ".join(x)``.  ``min``,
# ``max`` and ``iter`` only with one positional argument (with more, they order them, or
# ``iter`` calls the first).
_ITERATING_BUILTINS: Final = {
    **dict.fromkeys(("list", "tuple", "set", "frozenset", "dict", "sorted", "sum", "enumerate"), 0),
    **dict.fromkeys(("any", "all", "zip", "str.join", "bytes.join"), 0),
    **{"map": 1, "filter": 1},
}
_ITERATING_ONE: Final = frozenset({"min", "max", "iter"})
_ITERATING_ALL: Final = frozenset({"zip", "map"})  # every positional argument from the first


def _builtin_name(callee: Expression) -> str | None:
    """``callee``'s name without ``builtins.`` if it names a builtin (``len``, ``list``) or
    a method of a builtin class looked up on a literal (``", ".join``: "str.join")."""
    if isinstance(callee, NAME_EXPR):
        fullname = callee.fullname
        return fullname[9:] if fullname.startswith("builtins.") else None
    if isinstance(callee, MEMBER_EXPR) and callee.name == "join":
        if isinstance(callee.expr, STR_EXPR):
            return "str.join"
        if isinstance(callee.expr, BYTES_EXPR):
            return "bytes.join"
    return None


def _consumed(e: CallExpr, roles: _Roles, kept: frozenset[type]) -> None:
    """The arguments a builtin reads as an iterable or measures (``len(x)``)."""
    name = _builtin_name(e.callee)
    if name is None:
        return
    measures = name == "len"
    first = _ITERATING_BUILTINS.get(name)
    if first is None and not measures and name not in _ITERATING_ONE:
        return
    kinds = e.arg_kinds
    if ARG_STAR in kinds and name not in _ITERATING_ALL:
        return  # ``max(*rows, x)``: which argument is which is not known
    positional = [arg for arg, kind in zip(e.args, kinds, strict=True) if kind == ARG_POS]
    if measures or first is None:  # ``len(x)``, ``min(x)``, ``max(x)``, ``iter(x)``
        if len(positional) == 1:
            role = Role.MEASURED if measures else Role.ITERATED
            _set(roles, kept, positional[0], role, _LENGTH if measures else _ITERATION)
        return
    if any(kind != ARG_POS for kind in kinds[:first]):
        return  # ``map(*fs, x)``: whether ``x`` is the function is not known
    last = len(positional) if name in _ITERATING_ALL else first + 1
    for arg in positional[first:last]:
        _set(roles, kept, arg, Role.ITERATED, _ITERATION)


# What a builtin looks up on what it iterates or measures (Role.ITERATED's, Role.MEASURED's
# attribute: where the result lacks it too, awaiting does not make the call right).
_ITERATION: Final = "__iter__"
_LENGTH: Final = "__len__"


def consumed(role: Role, attribute: str | None) -> bool:
    """Whether a role is a builtin's iterating or measuring its argument (:func:`_consumed`):
    ``len(x)``, ``list(x)``; not a ``for`` statement, nor ``f(*x)``."""
    return role is Role.MEASURED or (role is Role.ITERATED and attribute == _ITERATION)


def consumed_by_builtin(call: CallExpr, node: Expression) -> bool:
    """Whether ``call`` is a builtin that iterates or measures its argument ``node`` (the
    rule of :func:`_consumed`, asked of this one call)."""
    roles: _Roles = {}
    _consumed(call, roles, frozenset({type(node)}))
    return _role(roles, node) is not None


def _call(e: CallExpr, roles: _Roles, kept: frozenset[type]) -> None:
    callee = e.callee
    if e.args:
        _consumed(e, roles, kept)
    converts = isinstance(callee, REF_EXPR) and callee.fullname in _CONVERSIONS
    # An f-string part: mypy reads f"{x}" as "{}".format(x).
    formats = (
        isinstance(callee, MEMBER_EXPR)
        and callee.name == "format"
        and isinstance(callee.expr, STR_EXPR)
    )
    if (converts and len(e.args) == 1) or formats:
        for arg in e.args:
            _set(roles, kept, arg, Role.CONVERTED)
    kinds = e.arg_kinds
    # ``f(*x)``, ``f(**x)`` (most calls have neither: no walk over the arguments)
    if ARG_STAR in kinds or ARG_STAR2 in kinds:
        for index, kind in enumerate(kinds):
            if kind == ARG_STAR:
                _set(roles, kept, e.args[index], Role.ITERATED)
            elif kind == ARG_STAR2:
                _set(roles, kept, e.args[index], Role.MAPPED)


def _dict(e: DictExpr, roles: _Roles, kept: frozenset[type]) -> None:
    """A dict display's ``**x`` entry reads ``x`` as a mapping."""
    for key, value in e.items:
        if key is None:
            _set(roles, kept, value, Role.MAPPED)


_HANDLERS: Final[dict[type[Node], Callable[[Any, _Roles, frozenset[type]], None]]] = {
    AwaitExpr: _await,
    MemberExpr: _member,
    UnaryExpr: _unary,
    OpExpr: _op,
    ConditionalExpr: _conditional,
    AssignmentExpr: _walrus,
    GeneratorExpr: _comprehension,
    DictionaryComprehension: _comprehension,
    TupleExpr: _store_items,
    ListExpr: _store_items,
    SetExpr: _store_items,
    StarExpr: _store_items,
    RevealExpr: _revealed,
    ComparisonExpr: _comparison,
    CallExpr: _call,
    IndexExpr: _index,
    DictExpr: _dict,
}


def _name(e: NameExpr, roles: _Roles, kept: frozenset[type]) -> None:
    if id(e) not in roles:  # no parent gave it a role: a plain use
        roles[id(e)] = RoleEntry(e, Role.VALUE)


def _called_name(e: CallExpr, roles: _Roles, kept: frozenset[type]) -> None:
    _call(e, roles, kept)
    if type(e.callee) is NAME_EXPR:
        _set(roles, kept, e.callee, Role.CALLED)


_NAME_HANDLERS: Final[dict[type[Node], Callable[[Any, _Roles, frozenset[type]], None]]] = {
    **_HANDLERS,
    CallExpr: _called_name,
    NameExpr: _name,
}


NameUse = tuple[NameExpr, Role, "str | None"]  # the name, its role, the attribute looked up


def enclosing_use(owner: Scope, node: Expression) -> Expression | None:
    """The ``await`` of ``node`` (also through a conditional expression's branch), the
    attribute looked up on it, the call or dict display it is unpacked in with ``*`` or
    ``**`` (``f(**node)``, ``{**node}``), or the builtin that iterates or measures it
    (``list(node)``, ``len(node)``), in ``owner``: the expression mypy reports its own
    error at, so where a ``# type: ignore`` for that error has effect.  Asked only for a
    finding."""
    for e in get_subexpressions(owner):
        if isinstance(e, (AWAIT_EXPR, MEMBER_EXPR)):
            inner = e.expr
            if inner is node or (
                isinstance(e, AWAIT_EXPR)
                and isinstance(inner, CONDITIONAL_EXPR)
                and (inner.if_expr is node or inner.else_expr is node)
            ):
                return e
        elif isinstance(e, CALL_EXPR):
            if any(
                arg is node and kind in (ARG_STAR, ARG_STAR2)
                for arg, kind in zip(e.args, e.arg_kinds, strict=True)
            ) or consumed_by_builtin(e, node):
                return e
        elif isinstance(e, DICT_EXPR) and any(
            key is None and value is node for key, value in e.items
        ):
            return e
    return None


def uses_after(owner: Scope, assignment: AssignmentStmt) -> tuple[list[NameUse], bool]:
    """The uses of the name ``assignment`` binds, after it, in ``owner``, in source order;
    and whether ``assignment`` is the name's one binding in ``owner``.

    Where the name is bound elsewhere in ``owner`` too (another assignment, a loop variable,
    ``del``), which binding a use sees is a matter of control flow: then only the uses this
    binding reaches on a plain way on (:func:`.statements.reached_after`), up to a store of
    the name there, and only where the name's variable holds anything (no type but ``Any``:
    mypy reports a coroutine stored in a variable of another type itself).  Nested functions
    are not looked into.
    """
    target = assignment.lvalues[0]
    if not isinstance(target, NAME_EXPR) or target.node is None:
        return [], True
    uses: list[NameUse] = []
    for entry in collect_roles(owner, names=True).values():
        node = entry.node
        if isinstance(node, NAME_EXPR) and node.node is target.node:
            uses.append((node, entry.role, entry.attribute))
    if any(role is Role.STORE and name is not target for name, role, _ in uses):
        return _reached(owner, assignment, target, uses), False
    end = (assignment.end_line or assignment.line, assignment.end_column or 0)
    later = [use for use in uses if use[0] is not target and (use[0].line, use[0].column) >= end]
    return sorted(later, key=lambda use: (use[0].line, use[0].column)), True


def coroutine_bindings(owner: Scope, assignment: AssignmentStmt) -> list[AssignmentStmt] | None:
    """Every binding in ``owner`` of the name ``assignment`` binds to a call, in source
    order, where each is an assignment of a call of the same callee to the name alone (``if
    y: m = connect(a)`` ``else: m = connect(b)``): the name then holds what that callee
    gives wherever it is bound, as if bound once.  None where a binding is anything else
    (a loop variable, ``del``, another value, a tuple target)."""
    target = assignment.lvalues[0]
    call = assignment.rvalue
    if not isinstance(target, NAME_EXPR) or not isinstance(call, CALL_EXPR):
        return None
    var = target.node
    entries = collect_roles(owner, names=True).values()
    by_target = {
        id(entry.assignment.lvalues[0]): entry.assignment
        for entry in entries
        if entry.role is Role.ASSIGNED
        and entry.assignment is not None
        and len(entry.assignment.lvalues) == 1
        and entry.assignment.rvalue is entry.node
    }
    found: list[AssignmentStmt] = []
    for entry in entries:
        name = entry.node
        if entry.role is not Role.STORE or not isinstance(name, NAME_EXPR) or name.node is not var:
            continue
        binding = by_target.get(id(name))
        if binding is None or not _same_callee(binding.rvalue, call):
            return None
        found.append(binding)
    return sorted(found, key=lambda s: (s.line, s.column))


def _same_callee(other: Expression, call: CallExpr) -> bool:
    """Whether ``other`` calls what ``call`` calls: the same function or variable by name,
    or the same method looked up on the same variable (``self.connect()``)."""
    if not isinstance(other, CALL_EXPR):
        return False
    a, b = other.callee, call.callee
    if isinstance(a, NAME_EXPR) and isinstance(b, NAME_EXPR):
        return a.node is not None and a.node is b.node
    if isinstance(a, MEMBER_EXPR) and isinstance(b, MEMBER_EXPR) and a.name == b.name:
        left, right = a.expr, b.expr
        return (
            isinstance(left, NAME_EXPR)
            and isinstance(right, NAME_EXPR)
            and left.node is not None
            and left.node is right.node
        )
    return False


def reported_earlier(
    owner: Scope,
    line: int,
    column: int,
    reported: set[tuple[int, int]],
    spans: Collection[tuple[int, int, int | None, int | None]] = (),
) -> bool:
    """Whether mypy's error at ``line``:``column`` in ``owner`` is about a name (used there,
    or the operand of ``-r`` or ``del r[0]`` there) whose variable mypy types as a coroutine
    and which this use or an earlier one was reported at (one of ``reported``).  Then it is
    about the same value as that finding (``r = make()``, ``r[0]`` reported, ``r[1]``,
    ``await r``): awaiting at the binding fixes both.  Only for a name bound once in
    ``owner`` and nowhere else (a loop may bring another binding round, a nested function
    may bind it through ``nonlocal``).  Asked only for such an error of mypy's, where the
    file has a finding."""
    found = _coroutine_bound_once(owner, line, column)
    if found is None:
        return False
    at, same, _ = found
    index = next(i for i, use in enumerate(same) if use[0] is at)
    for name, role, _ in reversed(same[: index + 1]):
        if role is Role.STORE:
            # A walrus's value is reported where it stands (``(r := rows()).count(1)``):
            # the finding's whole span, not a call inside it (``(r := conn().rows())``).
            value = _walrus_value(owner, name)
            return value is not None and _span(value) in spans
        if (name.line, name.column) in reported:
            return True
    return False


def _span(e: Expression) -> tuple[int, int, int | None, int | None]:
    return e.line, e.column, e.end_line, e.end_column


def _walrus_value(owner: Scope, target: NameExpr) -> Expression | None:
    """The value ``target`` is bound to, where a walrus binds it (``(r := rows())``)."""
    for e in get_subexpressions(owner):
        if isinstance(e, ASSIGNMENT_EXPR) and e.target is target:
            return e.value
    return None


def stored_to_await_later(owner: Scope, line: int, column: int) -> bool:
    """Whether the value at ``line``:``column`` in ``owner`` is the right side of an
    assignment to a name alone that ``owner`` awaits after it (``data = fetch(key)``, then
    ``data = await data``): the coroutine is held on purpose, and mypy's error about
    storing it in the name's variable (typed otherwise by another binding) is about the
    variable, not a missing ``await``; awaiting at the store would break the later one."""
    roles = collect_roles(owner, names=True)
    for entry in roles.values():
        assignment = entry.assignment
        if entry.role is not Role.ASSIGNED or assignment is None:
            continue
        value = assignment.rvalue
        target = assignment.lvalues[0]
        if (value.line, value.column) != (line, column) or not isinstance(target, NAME_EXPR):
            continue
        end = (assignment.end_line or assignment.line, assignment.end_column or 0)
        return any(
            other.role is Role.AWAITED
            and isinstance(other.node, NAME_EXPR)
            and target.node is not None
            and other.node.node is target.node
            and (other.node.line, other.node.column) >= end
            for other in roles.values()
        )
    return False


def bound_once_to_call(owner: Scope, line: int, column: int) -> AssignmentStmt | None:
    """Where mypy's error at ``line``:``column`` in ``owner`` is about a name (as
    :func:`reported_earlier` finds it) whose variable mypy types as a coroutine, which
    ``owner`` binds once, and nowhere else, by an unannotated assignment of a call to it
    alone (``c = rows()``), and this is the name's first use after it and no use awaits
    it: that assignment.  Awaiting there fixes every use (at a use, ``takes(await c)``, a
    later use would await it again).  A name declared a coroutine, awaited somewhere, or
    used before without an error (``ensure_future(c)``) holds the coroutine on purpose:
    the use is where to change."""
    found = _coroutine_bound_once(owner, line, column)
    if found is None:
        return None
    at, uses, roles = found
    if any(role is Role.AWAITED for _, role, _ in uses):
        return None
    store = next(name for name, role, _ in uses if role is Role.STORE)
    after = [name for name, role, _ in uses if role is not Role.STORE]
    store_first = _evaluated((store, Role.STORE, None)) < _evaluated((at, Role.VALUE, None))
    if not after or after[0] is not at or not store_first:
        return None
    for entry in roles:
        assignment = entry.assignment
        if (
            entry.role is Role.ASSIGNED
            and assignment is not None
            and isinstance(assignment.rvalue, CALL_EXPR)
            and assignment.lvalues == [store]
            and assignment.unanalyzed_type is None
            and assignment.type is None
        ):
            return assignment
    return None


def _coroutine_bound_once(
    owner: Scope, line: int, column: int
) -> tuple[NameExpr, list[NameUse], Collection[RoleEntry]] | None:
    """The name mypy's error at ``line``:``column`` in ``owner`` is about
    (:func:`_name_reported_at`), every use of its variable in evaluation order, and the
    roles of ``owner`` with names: where mypy types the variable as a coroutine and
    ``owner`` binds it once, and nowhere else."""
    at = _name_reported_at(owner, line, column)
    var = at.node if at is not None else None
    if not isinstance(var, VAR) or var.type is None or coroutine_result(var.type) is None:
        return None
    assert at is not None
    roles = collect_roles(owner, names=True).values()
    uses: list[NameUse] = sorted(
        (
            (entry.node, entry.role, None)
            for entry in roles
            if isinstance(entry.node, NAME_EXPR) and entry.node.node is var
        ),
        key=_evaluated,
    )
    if sum(role is Role.STORE for _, role, _ in uses) != 1 or _bound_elsewhere(owner, at.name):
        return None
    return at, uses, roles


def _name_reported_at(owner: Scope, line: int, column: int) -> NameExpr | None:
    """The name mypy's error at ``line``:``column`` is about: the name there, or the operand
    of a unary operator (``-r``) or the base of a subscript deleted (``del r[0]``) there,
    where mypy reports at the expression or statement."""
    for e in get_subexpressions(owner):
        if e.line != line or e.column != column:
            continue
        if type(e) is NAME_EXPR:
            assert isinstance(e, NAME_EXPR)
            return e
        if type(e) is UNARY_EXPR:
            assert isinstance(e, UNARY_EXPR)
            return e.expr if isinstance(e.expr, NAME_EXPR) else None
    deletions = _Deletions()
    deletions.scope(owner)
    for s in deletions.found:
        if s.line == line and s.column == column and isinstance(s.expr, INDEX_EXPR):
            return s.expr.base if isinstance(s.expr.base, NAME_EXPR) else None
    return None


class _Deletions(StatementWalker):
    """The ``del`` statements of a scope (nested definitions left out)."""

    def __init__(self) -> None:
        self.found: list[DelStmt] = []

    def visit_del(self, s: DelStmt) -> None:
        self.found.append(s)


def _reached(
    owner: Scope, assignment: AssignmentStmt, target: NameExpr, uses: list[NameUse]
) -> list[NameUse]:
    """Of ``uses`` (the name's, all of them), those ``assignment`` reaches, on every way on,
    before the next store of the name (see :func:`uses_after`): a use in a later branch
    (``if hit: return data["x"]``), a conditional expression's branch, the right of ``and``
    or ``or``, a lambda or a comprehension's element may run only for another binding,
    and is passed over."""
    if not _holds_anything(target) or _bound_elsewhere(owner, target.name):
        return []
    body = owner.defs if isinstance(owner, MYPY_FILE) else owner.body.body
    region = reached_after(body, assignment)
    if not region:
        return []
    inside = {id(e) for s in region for e in get_subexpressions(s)}
    sure = _sure_to_run(region)
    reached: list[NameUse] = []
    for use in sorted((u for u in uses if id(u[0]) in inside), key=_evaluated):
        if use[1] is Role.STORE:
            break
        if id(use[0]) in sure:
            reached.append(use)
    return reached


def _bound_elsewhere(owner: Scope, name: str) -> bool:
    """Whether ``name`` may be bound where :func:`uses_after` does not see it: an import in
    ``owner``, or a ``global`` or ``nonlocal`` declaration of it in ``owner`` or a function
    nested in it (any function of the module, for a module's top level), through which a
    call may bind it again."""
    if name in imported_names(owner):
        return True
    body = owner.defs if isinstance(owner, MYPY_FILE) else owner.body.body
    scopes = [body, *(func.body.body for func in functions_in(body))]
    return any(name in global_names(scope, nonlocal_too=True) for scope in scopes)


def _sure_to_run(statements: list[Statement]) -> set[int]:
    """The expressions (by ``id``) that run whenever the first of ``statements`` runs: what
    each statement evaluates first (:func:`.statements.runs_first`), less the parts of it
    that may not run, up to a statement whose blocks may end the way (``if not hit:
    return ...``: what follows runs only on some ways)."""
    runs: set[int] = set()
    skipped: set[int] = set()
    for s in statements:
        for top in runs_first(s):
            for e in get_subexpressions(top):
                runs.add(id(e))
                for part in _may_not_run(e):
                    skipped.update(id(sub) for sub in get_subexpressions(part))
        if may_leave(s):
            break
    return runs - skipped


def _may_not_run(e: Expression) -> list[Expression]:
    """The parts of ``e`` that may not run when it does."""
    kind = type(e)
    if kind is LambdaExpr:
        assert isinstance(e, LAMBDA_EXPR)
        return [e.expr()]
    if kind is ConditionalExpr:
        assert isinstance(e, CONDITIONAL_EXPR)
        return [e.if_expr, e.else_expr]
    if kind is OpExpr:
        assert isinstance(e, OP_EXPR)
        return [e.right] if e.op in ("and", "or") else []
    if kind is GeneratorExpr:
        assert isinstance(e, GENERATOR_EXPR)
        return [e.left_expr, *e.sequences[1:], *e.indices, *_flat(e.condlists)]
    if kind is DictionaryComprehension:
        assert isinstance(e, DICTIONARY_COMPREHENSION)
        parts = [e.key, e.value, *e.sequences[1:], *e.indices, *_flat(e.condlists)]
        return [part for part in parts if part is not None]
    return []


def _flat(condlists: list[list[Expression]]) -> list[Expression]:
    return [cond for conds in condlists for cond in conds]


def _holds_anything(name: NameExpr) -> bool:
    """Whether mypy types the variable ``name`` refers to as unknown or ``Any`` (an
    unannotated function's local, or one first bound to ``Any``): a coroutine stored in it
    or called from it gets no error of mypy's."""
    var = name.node
    declared = var.type if isinstance(var, VAR) else None
    return declared is None or isinstance(get_proper_type(declared), ANY_TYPE)


def _evaluated(use: NameUse) -> tuple[int, int]:
    """Where a use of a name comes in the order Python evaluates a line: a store after the
    uses on its line (``x = x.result``)."""
    name, role, _ = use
    return (name.line, _LINE_END if role is Role.STORE else name.column)


_LINE_END: Final = 1 << 30
