"""Where mypy stops checking a block: the statements after a ``return``, ``raise``,
``continue`` or ``break``, after ``assert False``, after a call of a function declared
``NoReturn``, after ``while True:`` without a ``break``, after an ``if`` whose every branch
(an ``else`` too) ends and after a ``try`` that cannot end normally never run, and mypy
checks none of them (``TypeChecker.visit_block`` stops at the first statement its binder
finds unreachable); nor does it check a block its semantic analysis marked unreachable
(``if TYPE_CHECKING: ... else:``, a platform or version check), the body of ``if False:``
or the branches after ``if True:``.  One rule,
for the isinstance regions (:mod:`.narrowing`) and for the calls the pass judges without a
hook (:mod:`..checks.calls_without_hooks`), so that an unannotated function gives the same
lines with mypy's defaults as with ``check_untyped_defs``.  Not seen: a ``with`` or a
``match`` whose bodies all end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mypy.nodes import (
    Block,
    ClassDef,
    DelStmt,
    Expression,
    IfStmt,
    MatchStmt,
    MypyFile,
    Statement,
    TryStmt,
)
from mypy.types import get_proper_type

from mypy_wsplugin.facts.bindings import bound
from mypy_wsplugin.facts.kept import frozen
from mypy_wsplugin.facts.statements import (
    EXITS,
    Definition,
    Role,
    Scope,
    StatementWalker,
    declared_globals,
    imported_names,
    in_lambdas,
    store_targets,
)
from mypy_wsplugin.mypy_classes import (
    ASSERT_STMT,
    ASSIGNMENT_EXPR,
    BREAK_STMT,
    CALL_EXPR,
    CALLABLE_TYPE,
    DECORATOR,
    EXPRESSION_STMT,
    FOR_STMT,
    FUNC_DEF,
    IF_STMT,
    INT_EXPR,
    NAME_EXPR,
    REF_EXPR,
    TRY_STMT,
    UNINHABITED_TYPE,
    WHILE_STMT,
)
from mypy_wsplugin.mypy_internals import get_subexpressions


def exits(body: Sequence[Statement]) -> bool:
    """Whether ``body`` ends with a ``return``, ``raise``, ``continue`` or ``break``."""
    return bool(body) and type(body[-1]) in EXITS


def ends_block(s: Statement) -> bool:
    """Whether nothing after ``s`` in its block runs: a ``return``, ``raise``, ``continue``
    or ``break``, ``assert False``, a call of a function declared ``NoReturn``, ``while
    True:`` without a ``break``, an ``if`` with an ``else`` whose every branch ends, or a
    ``try`` whose ``finally`` ends or whose body (or ``else``) and every handler end."""
    # ``Any``: the statement's class is tested by identity, once (each class here is a leaf
    # of mypy's node classes); asked for every statement the pass and the facts walk.
    c: Any = s
    kind = type(c)
    if kind in EXITS:
        return True
    if kind is ASSERT_STMT:
        return type(c.expr) is NAME_EXPR and c.expr.fullname == "builtins.False"
    if kind is WHILE_STMT:
        return _always_true(c.expr) and not _breaks(c.body)
    if kind is IF_STMT:
        return c.else_body is not None and all(map(_ends, [*c.body, c.else_body]))
    if kind is TRY_STMT:
        if c.finally_body is not None and _ends(c.finally_body):
            return True
        body_ends = _ends(c.body) or (c.else_body is not None and _ends(c.else_body))
        return body_ends and all(map(_ends, c.handlers))
    if kind is EXPRESSION_STMT and type(c.expr) is CALL_EXPR:
        callee = c.expr.callee
        node = bound(callee) if isinstance(callee, REF_EXPR) else None
        # A decorated function: what mypy makes of the decorated name (an untyped
        # decorator gives Any, and mypy goes on checking after the call).
        if isinstance(node, DECORATOR):
            signature = get_proper_type(node.var.type)
        else:
            signature = node.type if isinstance(node, FUNC_DEF) else None
        if isinstance(signature, CALLABLE_TYPE):
            return isinstance(get_proper_type(signature.ret_type), UNINHABITED_TYPE)
    return False


def _ends(block: Block) -> bool:
    """Whether ``block`` never ends normally: a statement in it ends it."""
    return block.is_unreachable or any(map(ends_block, block.body))


def _always_true(e: object) -> bool:
    return (isinstance(e, NAME_EXPR) and e.fullname == "builtins.True") or (
        isinstance(e, INT_EXPR) and e.value != 0
    )


def _always_false(e: object) -> bool:
    return (isinstance(e, NAME_EXPR) and e.fullname == "builtins.False") or (
        isinstance(e, INT_EXPR) and e.value == 0
    )


def _breaks(block: Block) -> bool:
    """Whether a ``break`` in ``block`` leaves the loop it is the body of (not one in a
    nested loop, nor in a nested function)."""
    walker = _Breaks()
    walker.block(block)
    return walker.found


class _Breaks(StatementWalker):
    found = False

    def stmts(self, body: Sequence[Statement]) -> None:
        for s in body:
            if isinstance(s, BREAK_STMT):
                self.found = True
                return
            if isinstance(s, (WHILE_STMT, FOR_STMT)):
                # A break in the loop's own body is its own; one in its ``else`` is ours.
                self.block(s.else_body)
            else:
                super().stmts([s])


def unreachable_statements(owner: Scope) -> list[Statement]:
    """The statements of ``owner``'s own body (nested blocks included, nested functions
    not) that follow, in their block, a statement that ends it."""
    walker = _Unreachable()
    walker.scope(owner)
    return walker.found


class _Unreachable(StatementWalker):
    def __init__(self) -> None:
        self.found: list[Statement] = []

    def block(self, b: Block | None) -> None:
        if b is not None and b.is_unreachable:
            self.found.extend(b.body)
        else:
            super().block(b)

    def visit_if(self, s: IfStmt) -> None:
        """``if False:`` (or ``0``) is never entered, and nothing after ``if True:`` is."""
        for i, (cond, body) in enumerate(zip(s.expr, s.body, strict=False)):
            self.expr(cond, Role.CONDITION)
            if _always_false(cond):
                self.found.extend(body.body)
                continue
            self.block(body)
            if _always_true(cond):
                for rest in [*s.body[i + 1 :], *([s.else_body] if s.else_body else [])]:
                    self.found.extend(rest.body)
                return
        self.block(s.else_body)

    def stmts(self, body: Sequence[Statement]) -> None:
        for i, s in enumerate(body[:-1]):
            if ends_block(s):
                super().stmts(body[: i + 1])
                self.found.extend(body[i + 1 :])
                return
        super().stmts(body)


# The branches of ``if``/``try``/``match`` statements a definition is in, outermost first:
# (the statement's id, the branch's index).
_Branches = tuple[tuple[int, int], ...]


def _alternatives(a: _Branches, b: _Branches) -> bool:
    """Whether definitions in branches ``a`` and ``b`` are in different branches of one
    statement: only one of them runs."""
    for (statement_a, index_a), (statement_b, index_b) in zip(a, b, strict=False):
        if statement_a != statement_b:
            return False
        if index_a != index_b:
            return True
    return False


class ModuleBindings:
    """What a module binds besides its definitions (:func:`module_bindings`)."""

    __slots__ = ("declared", "imported", "statements", "stored")

    def __init__(
        self,
        statements: object,
        stored: frozenset[str],
        imported: frozenset[str],
        declared: frozenset[str],
    ) -> None:
        self.statements = statements  # the module's statements they were read from
        self.stored = stored  # by its top level, or as globals by its functions
        self.imported = imported
        self.declared = declared  # declared ``global`` by a function, stored there or not


def module_bindings(tree: MypyFile) -> ModuleBindings:
    """What ``tree`` binds besides its definitions, kept with its statements: the names its
    top level stores (:func:`names_stored`) or a function stores as a ``global``, the names
    it imports, and the names its functions declare ``global`` (one walk of the module for
    them: :func:`.statements.declared_globals`).  Asked at its cache write by the facts kept
    there (``callee_results.rebound``, ``instance_attributes.rebinds``) and by the pass
    over unannotated code (``callee_results.stored_again``)."""
    defs = tree.defs
    known = _BINDINGS.get(tree.fullname)
    if known is None or known.statements is not defs:
        declared: set[str] = set()
        stored_globals: set[str] = set()
        for func, globals_here in declared_globals(tree):
            declared.update(globals_here)
            stored_globals.update(names_stored(func.body.body) & frozenset(globals_here))
        stored = names_stored(defs) | frozenset(stored_globals)
        known = _BINDINGS[tree.fullname] = ModuleBindings(
            defs, stored, imported_names(tree), frozen(declared)
        )
    return known


# By module name, so that the daemon's new tree of an edited module replaces the old one.
_BINDINGS: dict[str, ModuleBindings] = {}


def names_stored(body: Sequence[Statement]) -> frozenset[str]:
    """The names the statements of a module's or class's body store to, in nested blocks
    too (``if``, ``try``, ``with``, loops: ``if PY2: fetch = wrap(fetch)``) and as items of a
    tuple target (``get, _ = wrap(get), None``), and the names defined a second time (``def
    wait_closed(w): ...`` redefined under ``if sys.version_info >= (3, 7):``, which mypy
    reports as ``[no-redef]`` and keeps the first of); not in nested functions or classes,
    nor in code that never runs."""
    walker = _NameStores()
    walker.stmts(body)
    return frozen(walker.names)


class _NameStores(_Unreachable):
    """Stores in code that runs: not in a block mypy finds unreachable (``if
    sys.version_info < (3,):``, ``if False:``, after ``if True:``, after a ``raise``)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        # Each name defined by a ``def``, with the branches each definition is in.
        self.defined: dict[str, list[_Branches]] = {}
        # The branches of the ``if``/``try``/``match`` statements the walk is in, and which
        # statement's branch each block is.
        self.branches: list[tuple[int, int]] = []
        self.branch_of: dict[int, tuple[int, int]] = {}

    def definition(self, s: Definition) -> None:
        super().definition(s)
        here = tuple(self.branches)
        earlier = self.defined.setdefault(s.name, [])
        if any(not _alternatives(here, before) for before in earlier):
            self.names.add(s.name)  # the later definition is what the name holds
        earlier.append(here)

    def block(self, b: Block | None) -> None:
        branch = self.branch_of.get(id(b)) if b is not None else None
        if branch is None:
            super().block(b)
            return
        self.branches.append(branch)
        try:
            super().block(b)
        finally:
            self.branches.pop()

    # Conditional variants (``if c: def f(): ... else: def f(): ...``, a ``try`` body and
    # its handler, ``match`` cases) are alternatives, not a definition and another after it.

    def visit_if(self, s: IfStmt) -> None:
        self._branches(id(s), [*s.body, s.else_body])
        super().visit_if(s)

    def visit_try(self, s: TryStmt) -> None:
        # ``else`` runs where the body did; ``finally`` after either.
        self._branches(id(s), [s.body, *s.handlers])
        if s.else_body is not None:
            self.branch_of[id(s.else_body)] = (id(s), 0)
        super().visit_try(s)

    def visit_match(self, s: MatchStmt) -> None:
        self._branches(id(s), list(s.bodies))
        super().visit_match(s)

    def _branches(self, statement: int, blocks: Sequence[Block | None]) -> None:
        for i, b in enumerate(blocks):
            if b is not None:
                self.branch_of[id(b)] = (statement, i)

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if role is Role.STORE:
            self.names.update(t.name for t in store_targets(e) if isinstance(t, NAME_EXPR))
        elif e is not None:
            # A walrus stores too (``if (job := wrap(job)):``), not in a lambda's body (its
            # own scope).
            walruses = [sub for sub in get_subexpressions(e) if isinstance(sub, ASSIGNMENT_EXPR)]
            if walruses:
                lambdas = in_lambdas(e)
                self.names.update(w.target.name for w in walruses if id(w) not in lambdas)

    def visit_del(self, s: DelStmt) -> None:
        """``del`` unbinds the name: it holds nothing else after it."""

    def visit_class(self, s: ClassDef) -> None:
        """A nested class's body is its own namespace."""
