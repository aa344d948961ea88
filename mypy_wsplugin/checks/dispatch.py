"""Which check a call site goes to: whether the type a hook sees is the call's at all
(not one try of an overload or a union member, not a dunder mypy calls on its own), then
by that type, under the policy (:mod:`.policy`)."""

from __future__ import annotations

from mypy.errors import Errors
from mypy.nodes import CallExpr
from mypy.plugin import FunctionContext, MethodContext
from mypy.types import Type, get_proper_type

from mypy_wsplugin.checks.await_not_awaitable import check_awaited
from mypy_wsplugin.checks.missing_await import DROPPED_OR_TESTED, check_coroutine
from mypy_wsplugin.checks.policy import CheckPolicy
from mypy_wsplugin.facts.call_site import Site
from mypy_wsplugin.facts.hook_names import called_implicitly
from mypy_wsplugin.facts.role_index import RoleIndex
from mypy_wsplugin.facts.types import awaitable_result, coroutine_result, is_any
from mypy_wsplugin.facts.union_receivers import agree, union_members
from mypy_wsplugin.mypy_classes import CALL_EXPR, MEMBER_EXPR, OVERLOADED, UNION_TYPE
from mypy_wsplugin.mypy_internals import (
    Checker,
    attempt_failed,
    contains_any,
    expression_type,
    modules,
)

CallContext = FunctionContext | MethodContext


def check_call_site(site: Site, policy: CheckPolicy, roles: RoleIndex, daemon: bool) -> Type:
    """Hand a call site to the check its type calls for: a coroutine (or an ``Awaitable``
    a callback promises) to ``missing-await``, anything else to ``await-not-awaitable``,
    each where ``policy`` applies it to the callee; returns the type the hook gives."""
    entry = site.entry
    if daemon:
        # The daemon re-checks a caller when the callee's snapshot changes, and an
        # unannotated def's ``async`` is not part of it; its kept result and its
        # ``async`` mark are (facts/stored_results).  Resolving the callee registers
        # those dependencies whatever type mypy gave the call.
        site.known()
    if not judged_on_union(site, policy):
        return site.typ
    result = coroutine_result(site.typ)
    if result is None and is_any(site.typ):
        if entry is not None and entry.is_async:
            result = site.typ
        elif policy.infers_any():
            # mypy < 2.0 types a call of an unannotated ``async def`` as Any.
            known = site.known()
            result = known.result if known is not None and known.is_async else None
    if result is not None:
        if policy.misuse_check(entry, True):
            return check_coroutine(site, result, roles, unless_replaced=True)
        return site.typ
    promised = awaitable_result(site.typ)
    if promised is not None and policy.misuse_check(entry, True):
        # A callable typed as returning ``Awaitable[T]`` (a callback): dropping or
        # testing what it gives is wrong for any awaitable it may be.
        return check_coroutine(site, promised, roles, only=DROPPED_OR_TESTED, awaitable=True)
    if policy.await_check(entry, False):
        return check_awaited(site, roles, unless_replaced=True)
    return site.typ


def judged_on_union(site: Site, policy: CheckPolicy) -> bool:
    """Whether a hook's site is judged, where its receiver is typed as a union (a method
    call or an attribute read): mypy checks it once per item of the union, and this hook
    is one of them.  Only where every item's member gives a coroutine, or every one a plain
    value, and the policy judges every one alike (with ``check_all_awaits``; else each must
    be configured, all sync or all async): then each item's hook judges it and types it
    alike, and the finding is filed once, by the first hook that makes it
    (``reporting.report``).  Elsewhere no advice fits every item (a sync method
    and an async one), or the plugin would judge only some: mypy's own verdict stands, as
    for a union of callables."""
    node = site.node
    member = node.callee if isinstance(node, CALL_EXPR) and site.is_method else node
    if not isinstance(member, MEMBER_EXPR):
        return True
    members = union_members(site.api, member, called=site.is_method is not None)
    if members is None:
        return True
    if not agree(members):
        return False
    if policy.judges_all():
        return True
    entries = [policy.entry(name, site.tree, modules(site.api)) for name, _ in members]
    kinds = {entry.is_async if entry is not None else None for entry in entries}
    return len(kinds) == 1 and None not in kinds


def decided(ctx: CallContext, api: Checker, call: CallExpr, errors: Errors) -> bool:
    """Whether the hook's type is the call's: not one of several tries whose outcome mypy
    has yet to choose from.

    * A union of callables (``Union[SyncCallback, AsyncCallback]``): mypy asks each
      member's hook, but the code dispatches at run time (``iscoroutinefunction``).  mypy's
      own verdict on the call stands.
    * An overloaded callee: mypy checks the call once per item, each under an error filter,
      and picks the first item without errors (unless an argument is ``Any``, when it may
      give up and answer ``Any``).  The hook acts only in an item with no errors so far.
    """
    callee = get_proper_type(expression_type(api, call.callee))
    if isinstance(callee, UNION_TYPE):
        return False
    if isinstance(callee, OVERLOADED):
        return not attempt_failed(errors) and not any(
            contains_any(typ) for types in ctx.arg_types for typ in types
        )
    return True


def implicit_dunder(fullname: str, call: CallExpr) -> bool:
    """A dunder method mypy calls on its own while checking ``call`` (``__await__`` for
    an ``await``, an operator, ``__enter__``): not the call written there."""
    name = fullname.rpartition(".")[2]
    if not called_implicitly(name):
        return False
    callee = call.callee
    return not (isinstance(callee, MEMBER_EXPR) and callee.name == name)
