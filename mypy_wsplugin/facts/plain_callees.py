"""Callees whose calls always give a plain value, decided from the definition alone.

A call of such a callee can only be wrong where it is awaited, and ``await`` stands only in
an ``async def``: elsewhere its call needs no hook at all.  Asking mypy for a hook costs
little; a hook mypy runs costs it the building of the call's context and a copy of the
callee's signature (``ExpressionChecker.apply_function_plugin``), on every call in the
program, so skipping the calls that cannot matter is most of the plugin's speed.

Plain means: a plain ``def`` (not ``async``; decorated only by decorators that keep its
signature, such as ``abstractmethod`` or ``classmethod``; or overloaded with plain items only)
whose return annotation is written and names a type that is not awaitable and not ``Any``
(``None``, ``NoReturn``, a literal, a tuple, a ``TypedDict``, a callable, an instance of a
class without ``__await__``, or a union of those), or a class without ``__await__`` (its
constructor).  Anything else (an unannotated def, ``Any``, a type variable, another
decorator) is not plain: its calls keep their hook everywhere.

The other way round, a callee whose calls always give a coroutine (:func:`gives_coroutine`:
an ``async def``) can only be wrong where a call of it is not awaited at once: in an
``async def`` that awaits every call of that name directly, its calls need no hook either
(``HookGates.may_be_left_unawaited``).

mypy also checks displays and comprehensions as calls of functions it names ``<list>``,
``<dict>``, ``<generator>`` …: their value is a container, never an awaitable, and nothing
is ever reported about them, so they get no hook at all (:func:`is_display`).
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import Decorator, SymbolNode, TypeInfo
from mypy.types import (
    CallableType,
    LiteralType,
    NoneType,
    ProperType,
    TupleType,
    TypedDictType,
    UninhabitedType,
    get_proper_type,
)

from mypy_wsplugin.mypy_classes import (
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_DEF,
    INSTANCE,
    OVERLOADED_FUNC_DEF,
    REF_EXPR,
    TYPE_INFO,
    UNION_TYPE,
)

_PLAIN_RESULTS = (NoneType, UninhabitedType, LiteralType, TupleType, TypedDictType, CallableType)
# Decorators that leave what a call of the function gives as its annotation says.
_KEEPING_DECORATORS: Final = frozenset(
    {
        "abc.abstractmethod",
        "builtins.classmethod",
        "builtins.staticmethod",
        "typing.overload",
        "typing.final",
        "typing_extensions.final",
        "typing.override",
        "typing_extensions.override",
    }
)


def is_display(fullname: str) -> bool:
    """mypy's name for a display or comprehension checked as a call (``<list>``)."""
    return fullname.startswith("<")


def gives_plain_value(node: SymbolNode | None) -> bool:
    """Whether every call of the definition ``node`` gives a value that is never awaitable
    (see the module's docstring); False where that is not certain."""
    if isinstance(node, TYPE_INFO):
        return _plain_class(node)
    if isinstance(node, OVERLOADED_FUNC_DEF):
        return bool(node.items) and all(gives_plain_value(item) for item in node.items)
    if isinstance(node, DECORATOR):
        if not _keeps_signature(node):
            return False
        node = node.func
    if not isinstance(node, FUNC_DEF) or node.is_coroutine or node.is_generator:
        return False
    signature = node.type
    if not isinstance(signature, CALLABLE_TYPE) or signature.implicit:
        return False
    if node.unanalyzed_type is None:
        return False  # no annotation written: mypy infers or assumes the result
    return plain_result(get_proper_type(signature.ret_type))


def gives_coroutine(node: SymbolNode | None) -> bool:
    """Whether every call of the definition ``node`` gives a coroutine: an ``async def``
    that is not an async generator, undecorated or decorated only by decorators that keep
    its signature (mypy types its calls ``Coroutine[Any, Any, T]``; mypy < 2.0 types the
    calls of an unannotated one ``Any``, which the checks read the same way)."""
    if isinstance(node, DECORATOR):
        if not _keeps_signature(node):
            return False
        node = node.func
    return (
        isinstance(node, FUNC_DEF)
        and node.is_coroutine
        and not node.is_async_generator
        and not node.is_generator
    )


def _keeps_signature(node: Decorator) -> bool:
    return all(
        isinstance(d, REF_EXPR) and d.fullname in _KEEPING_DECORATORS for d in node.decorators
    )


def plain_result(result: ProperType) -> bool:
    """Whether a value of type ``result`` is never awaitable (and not ``Any``)."""
    if isinstance(result, INSTANCE):
        return _plain_class(result.type)
    if isinstance(result, UNION_TYPE):
        return all(plain_result(get_proper_type(item)) for item in result.items)
    return isinstance(result, _PLAIN_RESULTS)


def _plain_class(info: TypeInfo) -> bool:
    return info.get("__await__") is None
