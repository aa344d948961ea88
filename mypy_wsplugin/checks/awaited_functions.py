"""``await f``, ``await self.fetch``: a function awaited, not a call of it.

A function is never awaitable (Python raises "object function can't be used in 'await'
expression"); a call of it may be, so the change to make is to call it.  One rule, the
``await-not-awaitable`` finding named after the operand as written
(:func:`..messages.function_awaited`), found two ways:

* in checked code mypy reports it itself (``Incompatible types in "await" (actual type
  "Callable[...]", ...)  [misc]``), and no hook runs for a name, or for a method read
  without a call: that error is re-labelled where mypy files it (:mod:`.mypy_await_notes`);
* in unannotated code mypy says nothing: the pass after type checking reports it where the
  operand resolves to a def (:mod:`.calls_without_hooks`), as a call's callee is resolved.

Only with ``check_all_awaits`` (``CheckPolicy.function_awaited_check``).

The same change, a call, is asked for wherever what is awaited is a callable, or None, and
not an awaitable (:func:`calling_fixes`): ``functools.partial``, an object whose call gives
an awaitable (a callable Protocol), an ``Optional[Callable[...]]``, a call that gives a
function (``await get_handler()``).  Taking the ``await`` away there would leave
the call, and what it starts, undone, so ``fix`` does not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from mypy.nodes import AwaitExpr, MypyFile, SymbolNode
from mypy.subtypes import find_member
from mypy.types import (
    ProperType,
    Type,
    get_proper_type,
)

from mypy_wsplugin.facts.types import non_awaitable_members
from mypy_wsplugin.mypy_classes import (
    ANY_TYPE,
    AWAIT_EXPR,
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_DEF,
    INSTANCE,
    NONE_TYPE,
    OVERLOADED,
    OVERLOADED_FUNC_DEF,
    TYPE_TYPE,
)
from mypy_wsplugin.mypy_internals import get_subexpressions

# mypy's error for an awaited value whose type is a callable (mypy.checkexpr,
# check_awaitable_expr with message_registry.INCOMPATIBLE_TYPES_IN_AWAIT; a callable shows as
# "Callable[...]", or as "def (...)" where it has named or default arguments, and an
# overloaded one as "overloaded function": mypy.messages.format_type).
_MYPYS_FUNCTION_AWAITED: Final = re.compile(
    r'^Incompatible types in "await" \(actual type '
    r'(?:"(?P<callable>(?:Callable\[|def ).*)"|overloaded function), expected type "'
)


def is_function(node: SymbolNode | None) -> bool:
    """Whether reading ``node`` gives a function object: a def, or an overloaded one, that
    no decorator turns into something else (``staticmethod`` and ``classmethod``, which
    mypy's analysis takes off the list, keep it one); not a property."""
    if isinstance(node, (FUNC_DEF, OVERLOADED_FUNC_DEF)):
        return not node.is_property
    if isinstance(node, DECORATOR):
        return not node.decorators and not node.var.is_property
    return False


def calling_fixes(modules: dict[str, MypyFile], bad: Sequence[ProperType]) -> bool:
    """Whether calling what is awaited is the change to make, ``bad`` being its parts that
    are not awaitable: each is a function (a def, ``Callable[...]``, an overloaded one,
    whatever its call gives, as for :func:`is_function`), ``functools.partial`` (one too),
    an instance whose ``__call__`` gives an awaitable or what is not known (a callable
    Protocol), a class whose instances are awaitable (``type[Job]``, ``Job`` with
    ``__await__``), or None; one at least is not None.  Not another class
    (``type[Handler]``, ``type``), nor an instance whose call gives a plain value
    (``asynccontextmanager``'s manager, a decorator too, was meant to be entered;
    ``handler = await make_handler()`` may have meant the object)."""
    called = False
    for item in bad:
        if isinstance(item, NONE_TYPE):
            continue
        if not _to_be_called(modules, item):
            return False
        called = True
    return called


def _to_be_called(modules: dict[str, MypyFile], item: ProperType) -> bool:
    """Whether ``item``, awaited, is a callable meant to be called there (see
    :func:`calling_fixes`)."""
    if isinstance(item, (CALLABLE_TYPE, OVERLOADED)):
        if not item.is_type_obj():
            return True
        made = item.items[0].ret_type if isinstance(item, OVERLOADED) else item.ret_type
        return _gives_awaitable(modules, made)
    if isinstance(item, TYPE_TYPE):
        return _gives_awaitable(modules, item.item)
    if not isinstance(item, INSTANCE) or item.type.is_metaclass():
        return False
    if item.type.has_base(_PARTIAL):
        return True
    call = get_proper_type(find_member("__call__", item, item, is_operator=True))
    signatures = call.items if isinstance(call, OVERLOADED) else [call]
    return all(
        isinstance(signature, CALLABLE_TYPE)
        and not non_awaitable_members(modules, signature.ret_type)
        for signature in signatures
    )


def _gives_awaitable(modules: dict[str, MypyFile], typ: Type) -> bool:
    """Whether a value of ``typ`` is awaitable (not where it is not known)."""
    proper = get_proper_type(typ)
    return not isinstance(proper, ANY_TYPE) and not non_awaitable_members(modules, proper)


_PARTIAL: Final = "functools.partial"


def is_mypys_function_awaited(message: str) -> bool:
    """Whether mypy's ``message`` says a callable is awaited: one, not a union with one
    (``"Callable[[], str] | str"``, a method on one item of a union receiver)."""
    found = _MYPYS_FUNCTION_AWAITED.match(message)
    if found is None:
        return False
    shown = found["callable"]
    return shown is None or not _has_top_level_union(shown)


def _has_top_level_union(shown: str) -> bool:
    """Whether the type mypy shows as ``shown`` is a union (``A | B``, outside any
    brackets or parentheses, and before a ``def``'s ``->``: ``def (*, n: int) -> int |
    None`` is one callable)."""
    depth = 0
    for index, char in enumerate(shown):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0 and char == "|":
            return True
        elif depth == 0 and shown.startswith("->", index):
            return False
    return False


def await_at(tree: MypyFile, line: int, column: int) -> AwaitExpr | None:
    """The ``await`` mypy reported at ``line`` and ``column`` in ``tree`` (asked only for
    such an error: one walk of the module)."""
    for e in get_subexpressions(tree):
        if isinstance(e, AWAIT_EXPR) and e.line == line and e.column == column:
            return e
    return None
