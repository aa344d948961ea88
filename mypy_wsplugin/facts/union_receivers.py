"""A method called on a receiver mypy types as a union (``x.close()`` where ``x: Conn |
Other``).

mypy checks such a call once per item of the union (``ExpressionChecker
.check_union_call_expr``) and runs each item's method hook, each with the item's method as
the callee: left alone, every item would report the same misuse on the same call.  What the
items' methods give is read from their types, as mypy types each item's call and as the
cache keeps them (not from what only a parsed definition has: its decorators, whether an
annotation was written), so that the checks can tell one finding for the whole call (every
item gives a coroutine, or every one a plain value) from a call whose items disagree
(:func:`union_call`), the same in every mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mypy.nodes import (
    Decorator,
    FuncDef,
    MemberExpr,
    OverloadedFuncDef,
    SymbolNode,
    TypeInfo,
    Var,
)
from mypy.types import (
    CallableType,
    Instance,
    NoneType,
    Overloaded,
    ProperType,
    Type,
    TypeType,
    UnionType,
    flatten_nested_unions,
    get_proper_type,
)

from mypy_wsplugin.facts.plain_callees import plain_result
from mypy_wsplugin.facts.types import coroutine_result
from mypy_wsplugin.mypy_internals import Checker, expression_type

_COROUTINE: Final = "coroutine"
_PLAIN: Final = "plain"


@dataclass(frozen=True)
class UnionCall:
    """``uniform``: every item's method gives a coroutine, or every one a plain value (an
    item whose method's result is not certain from its type, or that has no such method,
    makes the call not uniform).  ``first``: the full name of the first item's method (of
    the class that defines it, as ``facts.hook_names.DefiningNames`` names a hook's), in
    the order mypy checks the items."""

    uniform: bool
    first: str | None


_NOT_UNIFORM: Final = UnionCall(False, None)


def union_receiver(api: Checker, member: MemberExpr, called: bool) -> UnionCall | None:
    """For ``member`` (``x.close`` in ``x.close()`` where ``called``, else an attribute
    read) on a receiver mypy typed as a union of two or more items besides ``None`` (mypy
    runs no hook for ``None``'s): whether its items agree, and which one mypy checks first.
    None for any other receiver."""
    receiver = get_proper_type(expression_type(api, member.expr))
    if not isinstance(receiver, UnionType):
        return None
    # mypy's order of the items (check_union_call_expr, analyze_union_member_access),
    # without ``None``.
    items = [
        item
        for item in map(get_proper_type, flatten_nested_unions(receiver.relevant_items()))
        if not isinstance(item, NoneType)
    ]
    if len(items) < 2:
        return None
    kinds: set[str] = set()
    first: str | None = None
    for item in items:
        info = _class_of(item)
        owner = info.get_containing_type_info(member.name) if info is not None else None
        sym = owner.names.get(member.name) if owner is not None else None
        node = sym.node if sym is not None else None
        kind = _call_kind(node) if called else _value_kind(node)
        if owner is None or kind is None:
            return _NOT_UNIFORM
        kinds.add(kind)
        if first is None:
            # As the hooks name a member: by the class that defines it (DefiningNames).
            first = f"{owner.fullname}.{member.name}"
    return UnionCall(True, first) if len(kinds) == 1 else _NOT_UNIFORM


def _class_of(item: ProperType) -> TypeInfo | None:
    """The class whose method a call on ``item`` calls: an instance's, or a class object's
    (a class method)."""
    if isinstance(item, TypeType):
        item = item.item
    return item.type if isinstance(item, Instance) else None


def _call_kind(node: SymbolNode | None) -> str | None:
    """What every call of the method ``node`` gives, from its type: a coroutine, a plain
    value (never awaitable: :func:`.plain_callees.plain_result`), or None where neither
    is certain (``Any``, a type variable, an ``Awaitable``, overload items that differ)."""
    typ = _type_of(node)
    if isinstance(typ, CallableType):
        results = [typ.ret_type]
    elif isinstance(typ, Overloaded):
        results = [item.ret_type for item in typ.items]
    else:
        return None
    kinds = {_result_kind(result) for result in results}
    return kinds.pop() if len(kinds) == 1 else None


def _value_kind(node: SymbolNode | None) -> str | None:
    """What reading the attribute ``node`` gives, from its type: a property's getter's
    result, a variable's type; a method read without a call is a function object (plain)."""
    if isinstance(node, Decorator):
        return _call_kind(node) if node.var.is_property else None
    typ = _type_of(node)
    if typ is None:
        return None
    if isinstance(node, Var):
        return _call_kind(node) if node.is_property else _result_kind(typ)
    return _PLAIN if isinstance(typ, (CallableType, Overloaded)) else None


def _type_of(node: SymbolNode | None) -> ProperType | None:
    """The type mypy gives the definition ``node`` (a decorated function: the decorated
    type, which for a property is its getter's)."""
    if isinstance(node, Decorator):
        node = node.var
    if isinstance(node, (Var, FuncDef, OverloadedFuncDef)) and node.type is not None:
        return get_proper_type(node.type)
    return None


def _result_kind(result: Type) -> str | None:
    if coroutine_result(result) is not None:
        return _COROUTINE
    return _PLAIN if plain_result(get_proper_type(result)) else None
