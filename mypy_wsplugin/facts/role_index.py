"""The role maps of the module being type-checked, per scope, and what each scope awaits.

Maps are keyed on node identity; under the mypy daemon the same function and module
objects are reused with new contents after an edit, so each map remembers the body it was
built from and is rebuilt when that body changes.
"""

from __future__ import annotations

from mypy.nodes import (
    Expression,
    MypyFile,
)

from mypy_wsplugin.facts.awaited_names import add_awaited, add_callee_names
from mypy_wsplugin.facts.kept import frozen
from mypy_wsplugin.facts.roles import RoleEntry, Scope, collect_roles
from mypy_wsplugin.mypy_classes import AWAIT_EXPR, CALL_EXPR, MYPY_FILE
from mypy_wsplugin.mypy_internals import get_subexpressions


class _ScopeRoles:
    __slots__ = ("body", "owner", "roles")

    def __init__(self, owner: Scope, body: object, roles: dict[int, RoleEntry]) -> None:
        self.owner = owner
        self.body = body
        self.roles = roles


def _body_of(owner: Scope) -> object:
    return owner.defs if isinstance(owner, MYPY_FILE) else owner.body


class RoleIndex:
    """Per-scope role maps for the module being type-checked.

    Only the current module's maps are kept: mypy checks one module at a time, and keeping
    older modules' nodes alive would hold on to trees mypy has already freed.
    """

    def __init__(self) -> None:
        self._tree: MypyFile | None = None
        self._scopes: dict[int, _ScopeRoles] = {}
        self._awaited: dict[int, _Awaits] = {}

    def _module(self, tree: MypyFile) -> None:
        """Forget the maps of the module checked before ``tree``."""
        if tree is not self._tree:
            self._tree = tree
            self._scopes = {}
            self._awaited = {}

    def _scope(self, tree: MypyFile, owner: Scope) -> _ScopeRoles:
        self._module(tree)
        scope = self._scopes.get(id(owner))
        body = _body_of(owner)
        if scope is None or scope.owner is not owner or scope.body is not body:
            scope = _ScopeRoles(owner, body, collect_roles(owner))
            self._scopes[id(owner)] = scope
        return scope

    def role_of(self, tree: MypyFile, owner: Scope, node: Expression) -> RoleEntry | None:
        entry = self._scope(tree, owner).roles.get(id(node))
        if entry is None or entry.node is not node:
            return None
        return entry

    def awaited_names(self, tree: MypyFile, owner: Scope) -> frozenset[str] | None:
        """The names under which ``owner`` (or a function nested in it) awaits a call or an
        attribute (``await f()``, ``await x.m()``, ``await x.attr``: ``f``, ``m``, ``attr``;
        for a name bound by an import or an alias, the definition's name too); None where an
        awaited callee has no name (``await f()()``)."""
        return self._awaits(tree, owner).names

    def unawaited_call_names(self, tree: MypyFile, owner: Scope) -> frozenset[str]:
        """The names under which ``owner`` (or a function nested in it) calls something
        without awaiting the call at once (``f()``, ``x.m()`` not under ``await``; for a
        name bound by an import or an alias, the definition's name too).  A callee with no
        name adds nothing: mypy asks for such a call's hook by its type's short name, its
        class or ``__call__``, none of them gated (``HookGates.gate``)."""
        return self._awaits(tree, owner).unawaited

    def is_awaited(self, tree: MypyFile, owner: Scope, node: Expression) -> bool:
        """Whether ``node`` (a call or attribute of ``owner``) has the role ``AWAITED``:
        answered without the role maps, which most awaited calls never need."""
        return self._awaits(tree, owner).nodes.get(id(node)) is node

    def _awaits(self, tree: MypyFile, owner: Scope) -> _Awaits:
        self._module(tree)
        known = self._awaited.get(id(owner))
        if known is None or known.body is not _body_of(owner):
            known = self._awaited[id(owner)] = _Awaits(owner)
        return known


class _Awaits:
    """What a scope awaits, from mypy's compiled list of its sub-expressions (nested
    functions' included; a superset of the names, and exactly the nodes, whose role is
    ``AWAITED``)."""

    __slots__ = ("body", "names", "nodes", "unawaited")

    def __init__(self, owner: Scope) -> None:
        self.body = _body_of(owner)
        nodes: dict[int, Expression] = {}
        self.nodes = nodes
        names: set[str] | None = set()
        unawaited: set[str] = set()
        # Parents come first: an awaited call is recorded before it is reached itself.
        for e in get_subexpressions(owner):
            if type(e) is AWAIT_EXPR:
                if not add_awaited(e.expr, names, nodes):
                    names = None
            elif type(e) is CALL_EXPR and nodes.get(id(e)) is not e:
                add_callee_names(e.callee, unawaited)
        self.names = frozen(names) if names is not None else None
        self.unawaited = frozen(unawaited)
