"""What calling a function gives, kept in its module's cache entry.

mypy's cache keeps signatures, not bodies: once a module is loaded from the cache (or its
tree freed after checking), what an unannotated ``def`` returns can no longer be read.  So
when mypy writes a module's cache entry (``Plugin.report_config_data``, asked just before
the tree is serialized) and when it finishes a module (for a run without a cache, and the
daemon), the plugin keeps each such result as a hidden symbol of the module (see
:func:`mypy_wsplugin.mypy_internals.put_hidden_symbol`).  Being part of the module's
symbol table, a changed result changes the module's interface hash (importers are
re-checked in a warm run) and fires the daemon's trigger for that symbol.

Only what the body decides is kept: an unannotated sync def's result (an ``async def``'s
or an annotated one's is in its signature), and a decorated function's (the decorators
are not kept in the cache).  A coroutine result is kept as ``Coroutine[Any, Any, T]``.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import FUNC_NO_INFO, FuncDef, MypyFile
from mypy.types import Type

from mypy_wsplugin.mypy_internals import (
    hidden_symbol_type,
    hidden_symbols,
    put_hidden_symbol,
    tree_is_complete,
)

PREFIX: Final = "__mypy_wsplugin_result__"


def module_of(func: FuncDef) -> str:
    if func.info is not FUNC_NO_INFO:
        return func.info.module_name
    return func.fullname.rpartition(".")[0]


def result_key(func: FuncDef) -> str:
    """The hidden symbol for ``func`` ("Cls.method" becomes "...Cls-method": no dots)."""
    qualname = func.fullname[len(module_of(func)) + 1 :]
    return PREFIX + qualname.replace(".", "-")


def has_body(func: FuncDef, home: MypyFile) -> bool:
    """Whether ``func``'s body can be read (parsed in this run and not freed yet)."""
    return bool(func.body.body) and bool(home.defs) and tree_is_complete(home)


def body_available(home: MypyFile) -> bool:
    return bool(home.defs) and tree_is_complete(home)


def stored_type(home: MypyFile, func: FuncDef) -> Type | None:
    return hidden_symbol_type(home, result_key(func))


def replace_stored(home: MypyFile, results: dict[str, Type]) -> None:
    """Make ``results`` (key -> type) the module's kept results."""
    for name in hidden_symbols(home, PREFIX):
        if name not in results:
            put_hidden_symbol(home, name, None)
    for name, typ in results.items():
        put_hidden_symbol(home, name, typ)
