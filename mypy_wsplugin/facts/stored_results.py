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
So is a mark for each function of the module's top level that the module binds again
(``f = wrap(f)``: :func:`rebound_key`), whose calls then give what is not known.
So is a mark for each method whose kept result was read through a call on its ``self``
(:func:`self_key`).  So is what each class's methods store on ``self``
(:func:`attribute_key`), which a class of another module that inherits it reads
(``instance_attributes.attribute_stores``), and the class of what each undeclared
module-level variable bound once to a plain call holds (:func:`variable_key`), which a
module importing it reads.

Whenever what is kept here changes (a kind of hidden symbol, or the rule that writes one),
``CACHE_FORMAT`` in ``mypy_wsplugin/__init__.py`` is bumped: mypy drops its cache entries
only when the plugin's entry module changes.

In the daemon, an unannotated ``async def`` gets a mark of its own when its module is
parsed (:func:`mark_async_defs`).  mypy keeps its ``async`` in the cache (a warm run
re-checks its importers when it changes), but the daemon's snapshot of a def without a
signature has only its parameters: without the mark, a def that turns ``async`` (or back)
with no result kept either way re-checks none of its callers.  The mark is set at parse
time, on every mypy (mypy < 2.4 has no pass after type checking).  Its name has an ``@``:
when the daemon analyses a module's top level again without parsing it, it deletes all its
names but those (``mypy.server.aststrip``: local classes' names have one), so the marks
stay and no caller is checked again for nothing.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import FUNC_NO_INFO, FuncDef, MypyFile, TypeInfo
from mypy.types import AnyType, Type, TypeOfAny

from mypy_wsplugin.facts.statements import module_definitions
from mypy_wsplugin.mypy_classes import FUNC_DEF
from mypy_wsplugin.mypy_internals import (
    hidden_symbol_type,
    hidden_symbols,
    put_hidden_symbol,
    tree_is_complete,
)

PREFIX: Final = "__mypy_wsplugin_result__"
ASYNC_PREFIX: Final = "__mypy_wsplugin_async__@"


def module_of(func: FuncDef) -> str:
    if func.info is not FUNC_NO_INFO:
        return func.info.module_name
    return func.fullname.rpartition(".")[0]


def _key(func: FuncDef, module: str) -> str:
    """``func``'s name in ``module``, as hidden symbols carry it (:func:`_dashed`)."""
    return _dashed(func.fullname[len(module) + 1 :])


def _dashed(qualname: str) -> str:
    """A name in a module as hidden symbols carry it: "Cls.method" becomes "Cls-method"
    (no dots: mypy.server.astdiff would take a dotted name for a cross-reference)."""
    return qualname.replace(".", "-")


def result_key(func: FuncDef) -> str:
    """The hidden symbol for ``func``'s kept result."""
    return PREFIX + _key(func, module_of(func))


def attribute_key(info: TypeInfo, name: str) -> str:
    """The hidden symbol for what ``info``'s methods store in ``self.<name>``
    (``instance_attributes.attribute_stores``): "Cls--name" (no dashed name has two dashes
    in a row)."""
    return f"{PREFIX}{_dashed(info.fullname[len(info.module_name) + 1 :])}--{name}"


def variable_key(name: str) -> str:
    """The hidden symbol for the class of the instance a module-level variable ``name``
    holds (``instance_attributes.module_variable_stores``): "--name", the form of
    :func:`attribute_key` without a class."""
    return f"{PREFIX}--{name}"


def rebound_key(name: str) -> str:
    """The hidden symbol that says a module binds ``name``, a function it defines at its
    top level, again (``callee_results.rebound``): "-rebound--name" (no dashed name, class
    attribute or variable key starts with one dash and a letter)."""
    return f"{PREFIX}-rebound--{name}"


def self_key(func: FuncDef) -> str:
    """The hidden symbol that says what ``func``'s kept result was read from includes a
    call of a method on its ``self`` or ``cls`` (``return self.load()``): a subclass that
    reaches that method as something of another kind may give something else
    (``overrides.reached_otherwise``): "-self--Cls-method"."""
    return f"{PREFIX}-self--{_key(func, module_of(func))}"


def hidden_symbols_of(func: FuncDef) -> list[str]:
    """The full names of the hidden symbols that may say what calling ``func`` gives: its
    kept result, for an unannotated, undecorated def its ``async`` mark (see
    :func:`mark_async_defs`), and for a function of a module's top level the mark that the
    module binds its name again.  A caller depends on them in the daemon."""
    module = module_of(func)
    key = _key(func, module)
    names = [f"{module}.{PREFIX}{key}", f"{module}.{self_key(func)}"]
    if func.type is None and not func.is_decorated:
        names.append(f"{module}.{ASYNC_PREFIX}{key}")
    if func.info is FUNC_NO_INFO and key == func.name:
        names.append(f"{module}.{rebound_key(func.name)}")
    return names


def mark_async_defs(tree: MypyFile) -> None:
    """Mark each unannotated, undecorated ``async def`` of ``tree`` (module level and in
    classes, conditional ones included), just parsed: its callers in other modules depend
    on the mark (``Inference.consulted``), so the daemon re-checks them when it comes or
    goes.  (A decorated one's result is kept after checking, by the rules of the body.)"""
    for name in hidden_symbols(tree, ASYNC_PREFIX):
        put_hidden_symbol(tree, name, None)
    for name, node in module_definitions(tree):
        if isinstance(node, FUNC_DEF) and node.is_coroutine and node.type is None:
            put_hidden_symbol(tree, ASYNC_PREFIX + _dashed(name), AnyType(TypeOfAny.special_form))


def has_body(func: FuncDef, home: MypyFile) -> bool:
    """Whether ``func``'s body can be read (parsed in this run and not freed yet)."""
    return bool(func.body.body) and bool(home.defs) and tree_is_complete(home)


def body_available(home: MypyFile) -> bool:
    return bool(home.defs) and tree_is_complete(home)


def stored_type(home: MypyFile, func: FuncDef) -> Type | None:
    return hidden_symbol_type(home, result_key(func))


def stored_reads_self(home: MypyFile, func: FuncDef) -> bool:
    """Whether ``home``'s kept facts say ``func``'s result was read through a call on its
    ``self`` (:func:`self_key`)."""
    return hidden_symbol_type(home, self_key(func)) is not None


def stored_rebound(home: MypyFile, name: str) -> bool:
    """Whether ``home``'s kept facts say it binds its function ``name`` again."""
    return hidden_symbol_type(home, rebound_key(name)) is not None


def replace_stored(home: MypyFile, results: dict[str, Type]) -> None:
    """Make ``results`` (key -> type) the module's kept results."""
    for name in hidden_symbols(home, PREFIX):
        if name not in results:
            put_hidden_symbol(home, name, None)
    for name, typ in results.items():
        put_hidden_symbol(home, name, typ)
