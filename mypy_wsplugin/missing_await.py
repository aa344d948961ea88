"""``missing-await``: a coroutine used as if it were its result.

The decision is shared by the type-check hooks and the pass over unannotated code: given
where the coroutine stands (its :class:`~mypy_wsplugin.roles.Role`), is that a bug?
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.nodes import Context, FuncItem, MypyFile
from mypy.options import Options
from mypy.types import AnyType, Type, TypeOfAny

from mypy_wsplugin.awaitables import coroutine_result, has_member, non_awaitable_members
from mypy_wsplugin.callsite import Site
from mypy_wsplugin.errorcodes import MISSING_AWAIT
from mypy_wsplugin.reporting import (
    is_enabled,
    missing_await,
    missing_await_assigned,
    misuse,
    report,
)
from mypy_wsplugin.roles import Role, RoleEntry, RoleIndex, Scope, first_use_after

_ALWAYS_WRONG = frozenset({Role.ATTRIBUTE_BASE, Role.CONDITION})


@dataclass(frozen=True)
class Finding:
    message: str
    context: Context  # where to report: the call, or the later use of the name it was bound to
    role: Role  # how the coroutine is misused there
    attribute: str | None = None  # for Role.ATTRIBUTE_BASE: the name looked up


def find_misuse(
    options: Options,
    modules: dict[str, MypyFile],
    what: str,
    role: RoleEntry,
    scope: Scope,
    declared_return: Type | None,
) -> Finding | None:
    """The finding for coroutine ``what`` standing as ``role`` in ``scope``, if it is one.

    ``declared_return`` is what a ``return`` in ``scope`` must give (None if unknown).
    Silent when awaited, passed on as an argument (``create_task``, ``gather``, ...), put in
    a container, or assigned to a name whose first later use is harmless (awaited, passed).
    """
    if role.role is Role.ASSIGNED:
        assert role.assignment is not None
        use = first_use_after(scope, role.assignment)
        if use is None:
            return None
        name, use_role, attribute = use
        why = _why(options, modules, use_role, attribute, scope, declared_return, direct=False)
        if why is None:
            return None
        line = role.assignment.line
        message = missing_await_assigned(what, name.name, line, why)
        return Finding(message, name, use_role, attribute)
    why = _why(options, modules, role.role, role.attribute, scope, declared_return, direct=True)
    if why is None:
        return None
    return Finding(missing_await(what, why), role.node, role.role, role.attribute)


def _why(
    options: Options,
    modules: dict[str, MypyFile],
    role: Role,
    attribute: str | None,
    scope: Scope,
    declared_return: Type | None,
    direct: bool,
) -> str | None:
    if role in _ALWAYS_WRONG or (role is Role.STATEMENT and direct):
        return misuse(options, role, attribute, None)
    if (
        role is Role.RETURNED
        and isinstance(scope, FuncItem)
        and scope.is_coroutine
        and declared_return is not None
        and non_awaitable_members(modules, declared_return)
    ):
        return misuse(options, role, None, declared_return)
    return None


def check_coroutine(site: Site, result: Type, index: RoleIndex) -> Type:
    """Report a coroutine call used without ``await``; type it as ``result`` if reported."""
    scope = site.scope()
    role = site.role(index, scope)
    if role is None or role.role is Role.AWAITED:
        return site.typ
    if not is_enabled(site.api.msg.errors, MISSING_AWAIT):
        return site.typ
    api = site.api
    # For an ``async def`` mypy keeps the full ``Coroutine[Any, Any, T]``; ``return`` gives T.
    declared = coroutine_result(api.return_types[-1]) if api.return_types else None
    finding = find_misuse(api.options, api.modules, site.what, role, scope, declared)
    if finding is None:
        return site.typ
    report(api, MISSING_AWAIT, finding.message, finding.context)
    return recovered_type(result, finding)


def recovered_type(result: Type, finding: Finding) -> Type:
    """What the coroutine call is typed as once reported: what the user meant, its result.

    Where the attribute the line looks up does not exist on the result (``.close()`` on a
    coroutine whose result has no ``close``; a member of an Optional), the result would only
    add mypy's own ``[attr-defined]``/``[union-attr]`` beside this finding on the same line,
    so the call is typed as Any instead: one finding, one error.
    """
    attribute = finding.attribute
    if finding.role is Role.ATTRIBUTE_BASE and attribute and not has_member(result, attribute):
        return AnyType(TypeOfAny.from_error)
    return result
