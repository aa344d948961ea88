"""A method called on a receiver mypy types as a union (``x.close()`` where ``x: Conn |
Other``).

mypy checks such a call once per item of the union (``ExpressionChecker
.check_union_call_expr``) and runs each item's method hook, each with the item's method as
the callee: left alone, every item would report the same misuse on the same call.  What the
items' methods give is read from their types, as mypy types each item's call and as the
cache keeps them (not from what only a parsed definition has: its decorators, whether an
annotation was written), so that the checks can tell one finding for the whole call (every
item gives a coroutine, or every one a plain value) from a call whose items disagree
(:func:`union_members`, :func:`agree`), the same in every mode.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import (
    MemberExpr,
    SymbolNode,
    TypeInfo,
)
from mypy.types import (
    ProperType,
    Type,
    flatten_nested_unions,
    get_proper_type,
)

from mypy_wsplugin.facts.plain_callees import plain_result
from mypy_wsplugin.facts.types import coroutine_result
from mypy_wsplugin.mypy_classes import (
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_DEF,
    INSTANCE,
    NONE_TYPE,
    OVERLOADED,
    OVERLOADED_FUNC_DEF,
    TYPE_TYPE,
    UNION_TYPE,
    VAR,
)
from mypy_wsplugin.mypy_internals import Checker, expression_type

_COROUTINE: Final = "coroutine"
_PLAIN: Final = "plain"


def union_members(
    api: Checker, member: MemberExpr, called: bool
) -> list[tuple[str, str | None]] | None:
    """For ``member`` (``x.close`` in ``x.close()`` where ``called``, else an attribute
    read) on a receiver mypy typed as a union of two or more items besides ``None`` (mypy
    runs no hook for ``None``'s): for each item, the full name of its member (by the class
    that defines it, as ``facts.hook_names.DefiningNames`` names a hook's) and what a call
    or read of it gives: a coroutine, a plain value, or None where that is not certain from
    its type (or the item has no such member).  None for any other receiver."""
    receiver = get_proper_type(expression_type(api, member.expr))
    if not isinstance(receiver, UNION_TYPE):
        return None
    items = [
        item
        for item in map(get_proper_type, flatten_nested_unions(receiver.relevant_items()))
        if not isinstance(item, NONE_TYPE)
    ]
    if len(items) < 2:
        return None
    members: list[tuple[str, str | None]] = []
    for item in items:
        info = _class_of(item)
        owner = info.get_containing_type_info(member.name) if info is not None else None
        sym = owner.names.get(member.name) if owner is not None else None
        node = sym.node if sym is not None else None
        if called:
            kind = _call_kind(node)
        else:
            # mypy runs an attribute hook for an instance's variable or property only:
            # not for a class object's attribute, nor for a method read without a call.
            kind = _value_kind(node) if isinstance(item, INSTANCE) else None
        name = f"{owner.fullname}.{member.name}" if owner is not None else member.name
        members.append((name, kind))
    return members


def agree(members: list[tuple[str, str | None]]) -> bool:
    """Whether every member gives a coroutine, or every one a plain value."""
    kinds = {kind for _, kind in members}
    return len(kinds) == 1 and None not in kinds


def _class_of(item: ProperType) -> TypeInfo | None:
    """The class whose method a call on ``item`` calls: an instance's, or a class object's
    (a class method)."""
    if isinstance(item, TYPE_TYPE):
        item = item.item
    return item.type if isinstance(item, INSTANCE) else None


def _call_kind(node: SymbolNode | None) -> str | None:
    """What every call of the method ``node`` gives, from its type: a coroutine, a plain
    value (never awaitable: :func:`.plain_callees.plain_result`), or None where neither
    is certain (``Any``, a type variable, an ``Awaitable``, overload items that differ)."""
    typ = _type_of(node)
    if isinstance(typ, CALLABLE_TYPE):
        results = [typ.ret_type]
    elif isinstance(typ, OVERLOADED):
        results = [item.ret_type for item in typ.items]
    else:
        return None
    kinds = {_result_kind(result) for result in results}
    return kinds.pop() if len(kinds) == 1 else None


def _value_kind(node: SymbolNode | None) -> str | None:
    """What reading the attribute ``node`` of an instance gives, from its type: a
    property's getter's result, a variable's type.  Not certain for a method (mypy runs no
    attribute hook for it), nor for a variable mypy inferred as ``None`` from ``self.x =
    None`` (the check leaves that to mypy: ``await_not_awaitable._placeholder_none``)."""
    if isinstance(node, OVERLOADED_FUNC_DEF) and node.is_property and node.items:
        node = node.items[0]  # a property with a setter: its getter
    if isinstance(node, DECORATOR):
        return _call_kind(node) if node.var.is_property else None
    if not isinstance(node, VAR):
        return None
    if node.is_property:
        return _call_kind(node)
    typ = _type_of(node)
    if typ is None or (node.is_inferred and isinstance(typ, NONE_TYPE)):
        return None
    return _result_kind(typ)


def _type_of(node: SymbolNode | None) -> ProperType | None:
    """The type mypy gives the definition ``node`` (a decorated function: the decorated
    type, which for a property is its getter's)."""
    if isinstance(node, DECORATOR):
        node = node.var
    if isinstance(node, (VAR, FUNC_DEF, OVERLOADED_FUNC_DEF)) and node.type is not None:
        return get_proper_type(node.type)
    return None


def _result_kind(result: Type) -> str | None:
    if coroutine_result(result) is not None:
        return _COROUTINE
    return _PLAIN if plain_result(get_proper_type(result)) else None
