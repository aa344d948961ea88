"""``missing-await``: a coroutine used as if it were its result.

The decision is shared by the type-check hooks and the pass over unannotated code: given
where the coroutine stands (its :class:`~mypy_wsplugin.facts.roles.Role`), is that a bug?
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, TypeGuard

from mypy.nodes import AssignmentStmt, Context, FuncItem, MypyFile, NameExpr
from mypy.options import Options
from mypy.subtypes import is_subtype
from mypy.types import AnyType, Type, TypeOfAny, get_proper_type

from mypy_wsplugin.errorcodes import MISSING_AWAIT
from mypy_wsplugin.facts.call_site import Site
from mypy_wsplugin.facts.role_index import RoleIndex
from mypy_wsplugin.facts.roles import (
    Role,
    RoleEntry,
    Scope,
    consumed,
    coroutine_bindings,
    uses_after,
    walrus_name_used_again,
)
from mypy_wsplugin.facts.statements import ALWAYS_WRONG
from mypy_wsplugin.facts.types import (
    coroutine_result,
    find_class,
    has_member,
    is_any,
    supports,
)
from mypy_wsplugin.messages import (
    missing_await,
    missing_await_assigned,
    missing_await_on_awaitable,
    misuse,
)
from mypy_wsplugin.mypy_classes import ANY_TYPE, CALLABLE_TYPE, FUNC_ITEM
from mypy_wsplugin.mypy_internals import declared_return, errors_of, modules
from mypy_wsplugin.reporting import is_enabled, report


@dataclass(frozen=True)
class Finding:
    message: str
    context: Context  # where to report: the call, or the later use of the name it was bound to
    role: Role  # how the coroutine is misused there
    attribute: str | None = None  # the name looked up (Role.ATTRIBUTE_BASE; "__aiter__": async for)
    retype: bool = True  # type the call as its result (False: the name is awaited later)
    stored: bool = False  # a walrus keeps the value in a name too (RoleEntry.stored)


def find_misuse(
    options: Options,
    modules: dict[str, MypyFile],
    what: str,
    role: RoleEntry,
    scope: Scope,
    result: Type,
    declared_return: Type | None,
    checked: bool = False,
) -> Finding | None:
    """The finding for coroutine ``what`` (awaiting it gives ``result``) standing as
    ``role`` in ``scope``, if it is one.

    ``declared_return`` is what a ``return`` in ``scope`` must give (None if unknown).
    ``checked``: mypy type-checks ``scope`` (a hook asks), so it judges a coroutine a
    builtin iterates or measures itself, and its error is relabelled where awaiting makes
    the call right (checks/mypy_await_notes): what that needs is mypy's own check.
    Silent when awaited, passed on as an argument (``create_task``, ``gather``, ...), put in
    a container, or assigned to a name whose first later use is harmless (awaited, passed).
    """
    judge = _Judge(options, modules, scope, result, declared_return, checked)
    if role.role is Role.ASSIGNED:
        assert role.assignment is not None
        later, bound_once = uses_after(scope, role.assignment)
        if not later:
            return None
        name, use_role, attribute = later[0]
        if not bound_once:
            bindings = coroutine_bindings(scope, role.assignment)
            if bindings is None:
                if not judge.raises_on_any_coroutine(use_role, attribute):
                    # Bound elsewhere too: a truth test or a comparison may be about the
                    # other value (``coro = None``, then ``if cond: coro = fetch()``, ``if
                    # coro:``).
                    return None
            elif any(
                _first_use(scope, other) is name
                for other in bindings[: bindings.index(role.assignment)]
            ):
                return None  # every binding is such a call: the first that reaches it says it
        # Stored and awaited (or handed on) later: the coroutine may be held on purpose, so
        # only a first use that fails on any coroutine object is reported (a truth test,
        # unpacking, iterating, an attribute no coroutine has); ``coro.close()`` is not.
        awaited_later = any(r is Role.AWAITED for _, r, _ in later[1:])
        handed_on = awaited_later or any(r is Role.VALUE for _, r, _ in later[1:])
        if handed_on and not judge.fails_on_any_coroutine(use_role, attribute):
            return None
        why = judge.why(use_role, attribute, direct=False)
        if why is None:
            return None
        line = role.assignment.line
        message = missing_await_assigned(what, name.name, line, why)
        return Finding(message, name, use_role, attribute, retype=not handed_on)
    if (
        role.stored
        and role.role in _ONLY_WHERE_NOT_HELD
        and walrus_name_used_again(scope, role.node)
    ):
        # Kept in a name by a walrus that is used again: held on purpose, as a name
        # assigned may be; mypy's own error there, if any, stands.
        return None
    why = judge.why(role.role, role.attribute, direct=True)
    if why is None:
        return None
    message = missing_await(what, why)
    return Finding(message, role.node, role.role, role.attribute, stored=role.stored)


def returns_to_an_await(scope: Scope) -> TypeGuard[FuncItem]:
    """Whether what ``scope`` returns is what awaiting a call of it gives: an ``async
    def``.  Elsewhere (a sync def) a coroutine returned is handed on to the caller as it
    is, and a ``return`` is never a finding (:meth:`_Judge.why`), whatever it returns."""
    return isinstance(scope, FUNC_ITEM) and scope.is_coroutine


def _first_use(scope: Scope, binding: AssignmentStmt) -> NameExpr | None:
    """The first use of the name ``binding`` binds that it reaches (:func:`.uses_after`)."""
    later, _ = uses_after(scope, binding)
    return later[0][0] if later else None


# Of the uses wrong whatever the coroutine is (ALWAYS_WRONG), those that raise for any
# coroutine object (or are always true), and a call.
_FAILS_ON_ANY_COROUTINE: Final = (ALWAYS_WRONG - {Role.COMPARED, Role.CONVERTED}) | {Role.CALLED}
# The uses a walrus hands on only where its name is not used again (roles._walrus): a
# condition and an attribute look-up were handed on before, always.
_ONLY_WHERE_NOT_HELD: Final = ALWAYS_WRONG - {Role.CONDITION}


class _Judge:
    def __init__(
        self,
        options: Options,
        modules: dict[str, MypyFile],
        scope: Scope,
        result: Type,
        declared_return: Type | None,
        checked: bool = False,
    ) -> None:
        self.options = options
        self.modules = modules
        self.scope = scope
        self.result = result
        self.declared_return = declared_return
        self.checked = checked

    def why(self, role: Role, attribute: str | None, direct: bool) -> str | None:
        """Why this use of an un-awaited coroutine is a bug, or None if it is not one."""
        by_builtin = consumed(role, attribute)
        if by_builtin and self.checked:
            return None  # mypy's own error, relabelled where awaiting makes the call right
        if (
            attribute is not None
            and (role is Role.OPERAND or by_builtin)
            and not supports(self.result, attribute)
        ):
            # ``-fetch()`` where the result has no ``__neg__`` either, ``len(count())``
            # where it has no ``__len__`` (in code mypy does not check): awaiting does not
            # make it right, and mypy's error about the coroutine, if any, stands.  (Not a
            # ``for`` statement, whose role has no attribute: its finding stands beside
            # mypy's error about the result; nor ``async for``: see recovered_type.)
            return None
        if role in ALWAYS_WRONG or (role is Role.STATEMENT and direct):
            return misuse(self.options, role, attribute, None)
        if role is Role.ATTRIBUTE_BASE and attribute and self._means_result(attribute):
            return misuse(self.options, role, attribute, None)
        if role is Role.CALLED and is_any(self.result):
            # A name holding the coroutine, called: where its result is known, calling it
            # may be wrong too (``n = count()``, ``n()``), and mypy's verdict stands.
            return misuse(self.options, role, None, None)
        if role is Role.RETURNED and returns_to_an_await(self.scope):
            # From an ``async def`` without a return annotation always: awaiting it gives
            # the coroutine.
            if _return_unannotated(self.scope):
                return misuse(self.options, role, None, None)
            declared = self.declared_return
            if declared is not None and not self._coroutine_fits(declared):
                return misuse(self.options, role, None, declared)
        return None

    def fails_on_any_coroutine(self, role: Role, attribute: str | None) -> bool:
        """Whether this use raises (or is always true) for every coroutine object."""
        if role in _FAILS_ON_ANY_COROUTINE:
            return True
        return (
            role is Role.ATTRIBUTE_BASE
            and bool(attribute)
            and not _coroutine_has(self.modules, attribute or "")
        )

    def raises_on_any_coroutine(self, role: Role, attribute: str | None) -> bool:
        """Whether this use raises for every coroutine object (not a truth test)."""
        return role is not Role.CONDITION and self.fails_on_any_coroutine(role, attribute)

    def _means_result(self, attribute: str) -> bool:
        """Whether ``coro.attribute`` evidently means the result's attribute.

        ``create_manager().send(text)`` does, when the manager has ``send``.  The coroutine's
        own API (``close()`` to discard one, ``send``/``throw``/``__await__`` to drive one by
        hand) on a result that has no such member does not.
        """
        if not _coroutine_has(self.modules, attribute):
            return True
        if attribute.startswith(("__", "cr_")):
            return False  # ``coro.__await__()``: the await protocol, by hand
        return not is_any(self.result) and has_member(self.result, attribute)

    def _coroutine_fits(self, declared: Type) -> bool:
        coroutine = find_class("typing.Coroutine", self.modules)
        return coroutine is None or is_subtype(coroutine, declared)


def _return_unannotated(func: FuncItem) -> bool:
    """Whether ``func`` has no return annotation (mypy: an unannotated ``Any``)."""
    if not isinstance(func.type, CALLABLE_TYPE):
        return True
    returned = get_proper_type(coroutine_result(func.type.ret_type) or func.type.ret_type)
    return isinstance(returned, ANY_TYPE) and returned.type_of_any == TypeOfAny.unannotated


# The uses that are wrong for an awaitable of any kind (one that is not a coroutine may be
# a Task, which runs anyway: passing it on or keeping it is fine).
DROPPED_OR_TESTED: Final = frozenset({Role.STATEMENT, Role.CONDITION})


def check_coroutine(
    site: Site,
    result: Type,
    index: RoleIndex,
    only: frozenset[Role] | None = None,
    unless_replaced: bool = False,
    awaitable: bool = False,
) -> Type:
    """Report a coroutine call used without ``await``; type it as ``result`` if reported.
    ``only``: the roles judged (all when None); ``unless_replaced``: not where the function
    replaced the callee (see :meth:`.Site.callee_replaced`); ``awaitable``: the call gives
    an ``Awaitable``, not known to be a coroutine, and the message says so."""
    scope = site.scope()
    if index.is_awaited(site.tree, scope, site.node):
        return site.typ
    role = site.role(index, scope)
    if role is None or role.role is Role.AWAITED:
        return site.typ
    if only is not None and role.role not in only:
        return site.typ
    api = site.api
    if not is_enabled(errors_of(api), MISSING_AWAIT):
        return site.typ
    # For an ``async def`` mypy keeps the full ``Coroutine[Any, Any, T]``; ``return`` gives T.
    returned = declared_return(api)
    declared = coroutine_result(returned) if returned is not None else None
    finding = find_misuse(
        api.options, modules(api), site.what, role, scope, result, declared, checked=True
    )
    if finding is None or (unless_replaced and site.callee_replaced()):
        return site.typ
    context = finding.context
    message = finding.message
    if awaitable:
        message = missing_await_on_awaitable(site.what, finding.role.name)
    report(api, MISSING_AWAIT, message, context, finding.role, scope)
    return recovered_type(site.typ, result, finding)


def _coroutine_has(modules: dict[str, MypyFile], attribute: str) -> bool:
    """Whether a coroutine object has ``attribute`` (``typing.Coroutine``'s API, or the
    ``cr_*`` attributes of ``types.CoroutineType``)."""
    for name in ("typing.Coroutine", "types.CoroutineType"):
        cls = find_class(name, modules)
        if cls is not None and has_member(cls, attribute):
            return True
    return False


def recovered_type(typ: Type, result: Type, finding: Finding) -> Type:
    """What the coroutine call is typed as once reported: what the user meant, its result.

    Where the attribute the line looks up does not exist on the result (a member of an
    Optional, say), the result would only add mypy's own ``[attr-defined]``/``[union-attr]``
    beside this finding on the same line, so the call is typed as Any instead: one finding,
    one error.  A name that is awaited (or passed on) later keeps its coroutine type, and
    so does a name a walrus binds in a condition (``if (c := fetch()): ... await c``: the
    test gives mypy no error to replace); a walrus value whose attribute is looked up is
    typed as Any (neither mypy's error on the line nor the result's type in the name).
    """
    if not finding.retype:
        return typ
    attribute = finding.attribute
    if finding.stored and finding.role is Role.CONDITION:
        return typ
    if finding.stored and finding.role is Role.ATTRIBUTE_BASE:
        return AnyType(TypeOfAny.special_form)
    if (
        finding.role in (Role.ATTRIBUTE_BASE, Role.ITERATED, Role.MANAGED)
        and attribute
        and not has_member(result, attribute)
    ):
        # (``async for`` over a coroutine whose result is a list: ``__aiter__``.)
        return AnyType(TypeOfAny.special_form)
    return result
