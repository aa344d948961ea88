"""What a ``for`` loop binds each of its target names to, as an item of a declared container.

A websocket manager's broadcast loops over its connections in a few shapes, each read here
as (the name, the container, the view):

- ``for ws in self.active:`` -- an item of ``self.active`` (``None``);
- ``for ws in self.by_user.values():`` / ``.keys()`` -- a value (``"values"``) or a key;
- ``for user, ws in self.by_user.items():`` -- a key and a value;
- ``for i, ws in enumerate(self.active):`` -- an item (the index is not a receiver);
- ``for ws in list(self.active):`` (also ``tuple``, ``sorted``, ``reversed``, ``set``, a
  copy taken so that the loop may remove items) -- an item, and so inside ``enumerate``;
- ``for ws, user in zip(self.active, users):`` -- each name an item of its argument (in
  any of these shapes: ``zip(self.by_user.values(), names)``).

Only a container that may have a declared type is kept: an attribute (``self.active``) or
a module-level variable (``peers``); its type is read where the name is used
(:func:`.resolve.receiver_class`).  The builtins are recognised by their full names, kept
with the function's callees (:func:`.bindings.note_callee`) so that a name rebound in the
daemon is seen.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    GDEF,
    Expression,
)

from mypy_wsplugin.facts.bindings import Callees, note_callee
from mypy_wsplugin.mypy_classes import CALL_EXPR, LIST_EXPR, MEMBER_EXPR, NAME_EXPR, TUPLE_EXPR

# A loop target, the container it iterates over, and the view: None (the container's
# items), "keys" or "values" (a mapping's).
LoopSource = tuple[Expression, Expression, "str | None"]

# Builtins whose result holds the same items as their one positional argument.
_COPIES: Final = frozenset(
    {"builtins.list", "builtins.tuple", "builtins.sorted", "builtins.reversed", "builtins.set"}
)

# The builtins a loop's container may pass through: none narrows its argument.
ITERATING: Final = _COPIES | {"builtins.enumerate", "builtins.zip"}

# A mapping's methods whose results a loop may iterate over.
_VIEWS: Final = frozenset({"keys", "values"})


def loop_sources(target: Expression, iterable: Expression, callees: Callees) -> list[LoopSource]:
    """The names ``for target in iterable:`` binds to an item of a container that may have
    a declared type, with that container and the view."""
    iterable = _uncopied(iterable, callees)
    zipped = _zipped(iterable, callees)
    if zipped is not None:
        if not isinstance(target, (TUPLE_EXPR, LIST_EXPR)) or len(target.items) != len(zipped):
            return []
        return [
            source
            for name, each in zip(target.items, zipped, strict=True)
            for source in loop_sources(name, each, callees)
        ]
    inner = _first_argument(iterable, "builtins.enumerate", callees)
    if inner is not None:
        items = _pair(target)
        if items is None:
            return []
        target, iterable = items[1], _uncopied(inner, callees)
    view: str | None = None
    if isinstance(iterable, CALL_EXPR) and not iterable.args:
        callee = iterable.callee
        if not isinstance(callee, MEMBER_EXPR):
            return []
        container = callee.expr
        if callee.name == "items":
            items = _pair(target)
            if items is None or not _may_be_declared(container):
                return []
            return [(items[0], container, "keys"), (items[1], container, "values")]
        if callee.name not in _VIEWS:
            return []
        view, iterable = callee.name, container
    if not _may_be_declared(iterable):
        return []
    return [(target, iterable, view)]


def _uncopied(iterable: Expression, callees: Callees) -> Expression:
    """``list(x)``, ``sorted(x, key=...)`` and the like as ``x``."""
    while True:
        if not isinstance(iterable, CALL_EXPR) or not isinstance(iterable.callee, NAME_EXPR):
            return iterable
        if iterable.callee.fullname not in _COPIES or iterable.arg_kinds[:1] != [ARG_POS]:
            return iterable
        if ARG_POS in iterable.arg_kinds[1:]:
            return iterable
        note_callee(callees, iterable)
        iterable = iterable.args[0]


def _first_argument(iterable: Expression, fullname: str, callees: Callees) -> Expression | None:
    """``x`` of ``enumerate(x)`` (with a start or not)."""
    if (
        isinstance(iterable, CALL_EXPR)
        and isinstance(iterable.callee, NAME_EXPR)
        and iterable.callee.fullname == fullname
        and iterable.arg_kinds[:1] == [ARG_POS]
    ):
        note_callee(callees, iterable)
        return iterable.args[0]
    return None


def _zipped(iterable: Expression, callees: Callees) -> list[Expression] | None:
    """The iterables of ``zip(a, b, ...)`` (all given by position; ``strict=`` aside)."""
    if (
        isinstance(iterable, CALL_EXPR)
        and isinstance(iterable.callee, NAME_EXPR)
        and iterable.callee.fullname == "builtins.zip"
        and iterable.args
    ):
        positional = [
            a for a, k in zip(iterable.args, iterable.arg_kinds, strict=True) if k == ARG_POS
        ]
        if len(positional) != len([k for k in iterable.arg_kinds if k != ARG_NAMED]):
            return None  # ``zip(*rows)``
        note_callee(callees, iterable)
        return positional
    return None


def _pair(target: Expression) -> tuple[Expression, Expression] | None:
    if isinstance(target, (TUPLE_EXPR, LIST_EXPR)) and len(target.items) == 2:
        return target.items[0], target.items[1]
    return None


def _may_be_declared(container: Expression) -> bool:
    return isinstance(container, MEMBER_EXPR) or (
        isinstance(container, NAME_EXPR) and container.kind == GDEF
    )
