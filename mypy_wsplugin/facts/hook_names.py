"""Which definition a hook fired for: mypy's hook names mapped to the configuration's.

mypy names a method hook after the receiver's class (``pkg.Sub.get`` for a method defined
in ``pkg.Base``), a ``super()`` call ``"get of Base"``, a ``functools.lru_cache``/``cache``
factory ``functools._lru_cache_wrapper.__call__``, and any function that a decorator turned
into an object with ``__call__`` after that method (``pkg.Job.__call__``).  The
configuration (and the messages) name the definition.
"""

from __future__ import annotations

import re

from mypy.lookup import lookup_fully_qualified
from mypy.nodes import (
    CallExpr,
    Expression,
    MypyFile,
    SuperExpr,
    SymbolNode,
)
from mypy.types import get_proper_type

from mypy_wsplugin.mypy_classes import (
    CALLABLE_TYPE,
    DECORATOR,
    INSTANCE,
    MEMBER_EXPR,
    REF_EXPR,
    TYPE_INFO,
    TYPE_TYPE,
    TYPE_VAR_TYPE,
)
from mypy_wsplugin.mypy_internals import Checker, expression_type

CALL_SUFFIX = ".__call__"
LRU_CACHE_CALL = "functools._lru_cache_wrapper" + CALL_SUFFIX
# In mypy's name for a method called through ``super()`` or bound through ``Self``:
# "method of Class".
SUPER_CALL = " of "


def called_implicitly(method: str) -> bool:
    """Whether mypy also calls a method of this (short) name on its own, and asks for its
    hook there: a dunder other than ``__call__`` (an operator, a subscript, ``for``,
    ``with``, ``await``, a descriptor's ``__get__``).  Such a hook sees the call written in
    the code only where the callee is an attribute of that name (``cm.__aenter__()``,
    ``checks.dispatch.implicit_dunder``); elsewhere the call is mypy's own."""
    return method.startswith("__") and method.endswith("__") and method != "__call__"


class DefiningNames:
    """``pkg.Base.get`` for ``pkg.Sub.get`` (and the definition, if found), memoised."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[str, SymbolNode | None]] = {}

    def clear(self) -> None:
        self._memo.clear()

    def __call__(
        self, fullname: str, modules: dict[str, MypyFile] | None
    ) -> tuple[str, SymbolNode | None]:
        found = self._memo.get(fullname)
        if found is None:
            found = (fullname, None)
            owner, _, name = fullname.rpartition(".")
            if modules is not None and owner:
                sym = lookup_fully_qualified(owner, modules, raise_on_missing=False)
                if sym is not None and isinstance(sym.node, TYPE_INFO):
                    info = sym.node.get_containing_type_info(name)
                    if info is not None:
                        member = info.names.get(name)
                        found = (f"{info.fullname}.{name}", member.node if member else None)
            self._memo[fullname] = found
        return found


def super_target(expr: SuperExpr) -> str | None:
    """The full name of the method ``super().name`` reaches from the enclosing class."""
    if expr.info is None:
        return None
    for info in expr.info.mro[1:]:
        if expr.name in info.names:
            return f"{info.fullname}.{expr.name}"
    return None


def display(fullname: str, is_method: bool) -> str:
    """``Class.method`` / ``function``, as mypy names them in messages."""
    fullname = re.sub(r"@\d+", "", fullname)  # a class defined in a function: ``Local@6``
    parts = fullname.split(".")
    return ".".join(parts[-2:]) if is_method and len(parts) > 1 else parts[-1]


def called_definition(
    api: Checker, call: CallExpr, decorated_only: bool = False
) -> tuple[str, bool] | None:
    """The full name of the ``functools.lru_cache``/``cache`` factory ``call`` calls, and
    whether it is a method.

    mypy types such factories as ``_lru_cache_wrapper``, so the hook that fires is the
    wrapper's ``__call__``; the callee expression tells which factory it wraps.  The same
    holds for any decorator that makes an object with ``__call__`` (``@job`` giving a
    ``Job[Pool]``): with ``decorated_only``, the name of the decorated function or method
    the callee names, and None for any other callee (an instance held in a variable, whose
    ``__call__`` is what the call calls).
    """
    callee: Expression = call.callee
    if isinstance(callee, MEMBER_EXPR):
        owner = get_proper_type(expression_type(api, callee.expr))
        if isinstance(owner, TYPE_VAR_TYPE):  # ``self`` typed ``Self``
            owner = get_proper_type(owner.upper_bound)
        if isinstance(owner, TYPE_TYPE):
            owner = owner.item
        if isinstance(owner, CALLABLE_TYPE) and owner.is_type_obj():
            owner = get_proper_type(owner.ret_type)
        if isinstance(owner, INSTANCE):
            info = owner.type.get_containing_type_info(callee.name)
            if info is not None:
                if decorated_only and not isinstance(info.names[callee.name].node, DECORATOR):
                    return None
                return f"{info.fullname}.{callee.name}", True
    if isinstance(callee, REF_EXPR) and callee.fullname:
        if decorated_only and not isinstance(callee.node, DECORATOR):
            return None
        return callee.fullname, False
    return None


def constructor_name(call: CallExpr, fullname: str) -> str:
    """The class ``call`` names, where mypy named its hook after another class: mypy < 2
    names ``Conn()`` after the class that ``Conn.__new__`` declares (``AsyncConn``)."""
    callee = call.callee
    if isinstance(callee, REF_EXPR) and callee.fullname != fullname:
        node = callee.node
        if isinstance(node, TYPE_INFO):
            return node.fullname
    return fullname
