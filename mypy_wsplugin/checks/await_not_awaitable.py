"""``await-not-awaitable``: an awaited call or attribute whose value cannot be awaited."""

from __future__ import annotations

from mypy.typeops import make_simplified_union
from mypy.types import (
    AnyType,
    ProperType,
    Type,
    TypeOfAny,
    get_proper_type,
)

from mypy_wsplugin.checks.awaited_functions import calling_fixes
from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE
from mypy_wsplugin.facts.call_site import Site
from mypy_wsplugin.facts.coroutine_tests import written
from mypy_wsplugin.facts.role_index import RoleIndex
from mypy_wsplugin.facts.types import awaitable_of, is_any, non_awaitable_members
from mypy_wsplugin.messages import function_awaited, not_awaitable
from mypy_wsplugin.mypy_classes import (
    CALLABLE_TYPE,
    FUNC_ITEM,
    NONE_TYPE,
    OVERLOADED,
    UNION_TYPE,
    VAR,
)
from mypy_wsplugin.mypy_internals import awaited_type, errors_of, modules
from mypy_wsplugin.reporting import is_enabled, report


def check_awaited(site: Site, index: RoleIndex, unless_replaced: bool = False) -> Type:
    """Report ``await`` of a non-awaitable and type the operand as ``Awaitable[result]``;
    ``unless_replaced``: not where the function replaced the callee (a call, see
    :meth:`.Site.callee_replaced`).

    Returning ``Awaitable[T]`` removes mypy's own ``[misc] Incompatible types in "await"``
    for the same expression and makes the ``await`` give ``T``, so nothing cascades.
    """
    scope = site.scope()
    if not isinstance(scope, FUNC_ITEM) or not scope.is_coroutine:
        return site.typ  # ``await`` only stands in ``async def`` bodies
    if not index.is_awaited(site.tree, scope, site.node):
        return site.typ  # the role maps agree: nothing but ``AWAITED`` is judged here
    shown = site.typ
    if is_any(shown):
        # mypy sees Any (an unannotated callee); its definition may still tell.
        known = site.known()
        if known is not None and not known.is_async:
            shown = known.result
    bad = non_awaitable_members(modules(site.api), shown)
    configured_sync = site.entry is not None and not site.entry.is_async
    if not bad and not (configured_sync and is_any(shown)):
        return site.typ
    if unless_replaced and site.callee_replaced():
        return site.typ
    if _placeholder_none(site, bad):
        return site.typ
    if not is_enabled(errors_of(site.api), AWAIT_NOT_AWAITABLE):
        return site.typ
    read = get_proper_type(shown)
    if (
        site.is_method is None
        and isinstance(read, (CALLABLE_TYPE, OVERLOADED))
        and not read.is_type_obj()
    ):
        # ``await self.ping`` (a staticmethod, a callable attribute): a function awaited;
        # not a class (``await self.Maker``: calling it may give no awaitable either)
        message = function_awaited(written(site.node) or site.what)
    else:
        to_call = calling_fixes(modules(site.api), bad)
        message = not_awaitable(site.api.options, site.what, shown, bad, to_call)
    report(site.api, AWAIT_NOT_AWAITABLE, message, site.node, scope=scope)
    meant = _meant(site, bad)
    if isinstance(get_proper_type(meant), NONE_TYPE):
        # ``w = await sync_none()``: the ``await`` giving None would add mypy's
        # ``[func-returns-value]`` for the same cause on the same line.
        meant = AnyType(TypeOfAny.special_form)
    return awaitable_of(site.api, meant)


def _placeholder_none(site: Site, bad: list[ProperType]) -> bool:
    """``self.task = None`` in ``__init__``, the real value set where mypy does not look
    (an unannotated method): mypy infers ``None`` for the attribute, but advising to remove
    the ``await`` would break correct code.  mypy's own error stands there."""
    var = site.definition
    return (
        isinstance(var, VAR)
        and var.is_inferred
        and isinstance(get_proper_type(var.type), NONE_TYPE)
        and any(isinstance(item, NONE_TYPE) for item in bad)
    )


def _meant(site: Site, bad: list[ProperType]) -> Type:
    """What the ``await`` is typed as giving: the plain result, or, for a union that is only
    partly awaitable (``Task[T] | None``), what awaiting its awaitable members gives."""
    proper = get_proper_type(site.typ)
    if not isinstance(proper, UNION_TYPE):
        return site.typ
    good = [item for item in proper.relevant_items() if get_proper_type(item) not in bad]
    if not good:
        return site.typ
    awaited = [awaited_type(site.api, item, site.node) for item in good]
    return make_simplified_union(awaited)
