"""``missing-await``: a coroutine used as if it were its result."""

from __future__ import annotations

from mypy.nodes import FuncItem
from mypy.types import Type

from mypy_wsplugin.awaitables import coroutine_result, non_awaitable_members
from mypy_wsplugin.callsite import Site
from mypy_wsplugin.errorcodes import MISSING_AWAIT
from mypy_wsplugin.reporting import is_enabled, missing_await, missing_await_assigned, report
from mypy_wsplugin.reporting import use_text
from mypy_wsplugin.roles import Role, RoleIndex, Scope, first_use_after


def check_coroutine(site: Site, result: Type, index: RoleIndex) -> Type:
    """Report a coroutine call used without ``await``; type it as ``result`` if reported.

    Silent when the call is awaited, passed on (argument of ``create_task``, ``gather``, any
    function), put in a container, or stored and awaited later.
    """
    scope = site.scope()
    role = site.role(index, scope)
    if role is None or role.role is Role.AWAITED:
        return site.typ
    if not is_enabled(site.api, MISSING_AWAIT):
        return site.typ
    if role.role is Role.ASSIGNED:
        assert role.assignment is not None
        use = first_use_after(scope, role.assignment)
        if use is None:
            return site.typ
        name, use_role, attribute = use
        text = _misuse(site, scope, use_role, attribute, direct=False)
        if text is None:
            return site.typ
        message = missing_await_assigned(site.what, name.name, role.assignment.line, text)
        report(site.api, MISSING_AWAIT, message, name)
        return result
    text = _misuse(site, scope, role.role, role.attribute, direct=True)
    if text is None:
        return site.typ
    report(site.api, MISSING_AWAIT, missing_await(site.what, text), site.node)
    return result


def _misuse(site: Site, scope: Scope, role: Role, attribute: str | None, direct: bool) -> str | None:
    """Why this use of an un-awaited coroutine is a bug, or None if it is not one."""
    if role is Role.ATTRIBUTE_BASE or role is Role.CONDITION:
        return use_text(site.api, role, attribute, None)
    if role is Role.STATEMENT:
        return use_text(site.api, role, None, None) if direct else None
    if role is Role.RETURNED and isinstance(scope, FuncItem) and scope.is_coroutine:
        # For an ``async def`` mypy keeps the full ``Coroutine[Any, Any, T]``; ``return`` gives T.
        declared = coroutine_result(site.api.return_types[-1]) if site.api.return_types else None
        if declared is not None and non_awaitable_members(site.api, declared):
            return use_text(site.api, role, None, declared)
    return None
