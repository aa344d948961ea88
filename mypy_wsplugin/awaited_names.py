"""Which names are ever awaited: deciding cheaply which calls need a hook at all.

mypy asks for a hook by full name, before it knows where the call stands.  A plain value
only matters to the plugin where it is awaited, and ``await`` names its operand in the
source: ``await f()``, ``await obj.f()``, ``await mod.f()``, ``await super().f()``,
``await self.manager``.  So the short names of awaited operands, collected from each module
as mypy parses it (``Plugin.get_additional_deps``, before any module is type-checked), tell
which sync functions, methods and attributes can need the await check: the rest get no hook
(coroutine functions always do, for ``missing-await``).  ``from m import f as g`` counts
``f`` as awaited where ``g`` is, and so does ``g = f``.  A callable instance's
``__call__`` always gets a hook.
"""

from __future__ import annotations

from mypy.nodes import (
    AssignmentStmt,
    CallExpr,
    Decorator,
    Expression,
    FuncDef,
    ImportFrom,
    MemberExpr,
    MypyFile,
    NameExpr,
    OverloadedFuncDef,
    SuperExpr,
    SymbolNode,
    TypeInfo,
    Var,
)
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    LiteralType,
    NoneType,
    Overloaded,
    TupleType,
    Type,
    TypedDictType,
    UninhabitedType,
    UnionType,
    get_proper_type,
)

from mypy_wsplugin.roles import (
    DEFINITION_STATEMENTS,
    NestedScopeWalker,
    Role,
    RoleEntry,
    collect_roles,
)


class _Outline(NestedScopeWalker):
    """Statements only: finds every function, notes unannotated ones and module-level
    aliases, and records the roles in each ``async def`` body and the names it awaits."""

    def __init__(self) -> None:
        self.roles: dict[int, RoleEntry] = {}
        self.names: set[str] = set()
        self.aliases: list[tuple[str, str]] = []  # ``Alias = Original``: (alias, original)
        self.has_unannotated = False

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        pass

    def _alias(self, s: AssignmentStmt) -> None:
        lvalue = s.lvalues[0] if len(s.lvalues) == 1 else None
        if isinstance(lvalue, NameExpr) and isinstance(s.rvalue, (NameExpr, MemberExpr)):
            self.aliases.append((lvalue.name, s.rvalue.name))

    def function(self, s: FuncDef) -> None:
        if s.type is None:  # before semantic analysis: no annotation at all
            self.has_unannotated = True
        if s.is_coroutine:
            roles = collect_roles(s)
            self.roles.update(roles)
            for entry in roles.values():
                if entry.role is Role.AWAITED:
                    node = entry.node
                    target = node.callee if isinstance(node, CallExpr) else node
                    if isinstance(target, (NameExpr, MemberExpr, SuperExpr)):
                        self.names.add(target.name)
        self.scope(s)


_Outline._STMT = {**DEFINITION_STATEMENTS, AssignmentStmt: _Outline._alias}


class AwaitedNames:
    """The awaited names of every module this process parsed.

    In a parallel build (``mypy -n``) a worker type-checks modules it did not parse, so
    there every name counts as awaited (``complete`` is False): slower, never wrong.
    """

    def __init__(self, parallel: bool = False) -> None:
        self._awaited: set[str] = set()
        self._imported_as: dict[str, set[str]] = {}  # alias -> original names
        self._expanded: set[str] | None = None
        # Modules with a function that has no annotation at all, as last parsed: only they
        # (and those importing from unseen modules) need the pass over unannotated code.
        self.with_unannotated: set[str] = set()
        self.scanned: set[str] = set()
        # False once a module arrived without its statements: then every name counts.
        self.complete = not parallel

    def scan(self, tree: MypyFile) -> dict[int, RoleEntry] | None:
        """Collect ``tree``'s awaited names; return the roles in its ``async def`` bodies
        (None if the tree is not there to read)."""
        if tree.is_stub:
            return None
        if getattr(tree, "raw_data", None) is not None:
            # mypy >= 2.4 may hand plugins a tree whose statements are not built yet (its
            # parallel workers do): nothing can be known from it.
            self.complete = False
            self.scanned.discard(tree.fullname)
            return None
        self.scanned.add(tree.fullname)
        finder = _Outline()
        finder.stmts(tree.defs)
        if finder.has_unannotated:
            self.with_unannotated.add(tree.fullname)
        else:
            self.with_unannotated.discard(tree.fullname)
        new = not finder.names <= self._awaited
        self._awaited |= finder.names
        aliases = list(finder.aliases)
        for imp in tree.imports:
            if isinstance(imp, ImportFrom):
                aliases.extend((alias, name) for name, alias in imp.names if alias)
        for alias, name in aliases:
            originals = self._imported_as.setdefault(alias, set())
            if alias != name and name not in originals:
                originals.add(name)
                new = new or alias in self._awaited
        if new:
            self._expanded = None
        return finder.roles

    def __contains__(self, name: str) -> bool:
        if not self.complete:
            return True
        if self._expanded is None:
            expanded = set(self._awaited)
            for alias in self._awaited:
                expanded |= self._imported_as.get(alias, set())
            self._expanded = expanded
        return name in self._expanded


def may_give_coroutine(node: SymbolNode | None) -> bool:
    """Whether calling the definition ``node`` may give a coroutine (then it needs the
    ``missing-await`` hook).  Unknown counts as "may"; ``Any`` does not (nothing is guessed
    from ``Any`` at a call site either)."""
    if isinstance(node, TypeInfo):
        return False
    if isinstance(node, FuncDef):
        if node.is_coroutine and not node.is_async_generator:
            return True
        return node.type is not None and _callable_may_give_coroutine(node.type)
    if isinstance(node, Decorator):
        return node.var.type is None or _callable_may_give_coroutine(node.var.type)
    if isinstance(node, OverloadedFuncDef):
        return node.type is None or _callable_may_give_coroutine(node.type)
    if isinstance(node, Var):
        return node.type is None or _callable_may_give_coroutine(node.type)
    return True


def _callable_may_give_coroutine(typ: Type) -> bool:
    proper = get_proper_type(typ)
    if isinstance(proper, CallableType):
        return _may_be_coroutine(proper.ret_type)
    if isinstance(proper, Overloaded):
        return any(_may_be_coroutine(item.ret_type) for item in proper.items)
    return not isinstance(proper, AnyType)


def _may_be_coroutine(typ: Type) -> bool:
    proper = get_proper_type(typ)
    if isinstance(proper, UnionType):
        return any(_may_be_coroutine(item) for item in proper.items)
    if isinstance(proper, Instance):
        return proper.type.has_base("typing.Coroutine")
    # A type variable may stand for a coroutine (``functools.partial(fetch)()``); so may
    # anything exotic.  Plain values, None, tuples, callables and Any do not.
    return not isinstance(
        proper,
        (AnyType, NoneType, LiteralType, TupleType, TypedDictType, CallableType, UninhabitedType),
    )


def unannotated_possible(names: AwaitedNames, module: str) -> bool:
    """Whether ``module`` may have a function without annotations (unknown: yes)."""
    return module not in names.scanned or module in names.with_unannotated
