"""Where ``make recall`` can seed a mutation in a library: found with ``ast`` and a simple
name resolution within the library.

- kind A, ``await`` added before a call of a plain ``def``: a call that is a whole statement,
  the value of an assignment or ``return``, or the condition of an ``if``/``while``, in an
  ``async def``;
- kind B, ``await`` removed before a call of an ``async def``: an ``await`` of a call.

The callee must be resolved by :mod:`wsbench.resolve` (anything ambiguous is skipped); it is
skipped when decorated with anything but ``staticmethod``/``classmethod``/``abstractmethod``,
when a generator, or when a plain ``def`` that might return an awaitable (a return
annotation naming ``Awaitable``, ``Coroutine``, ``Future``, ``Any``, a ``TypeVar``, a class
with ``__await__``, ...; without annotation, a ``return`` of anything but a literal, a
display or a comparison).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wsbench.resolve import (
    ClassInfo,
    Def,
    Index,
    Module,
    index_package,
    last_name,
    local_names,
    lookup_method,
    own_nodes,
    plain_result,
    resolve_name,
    usable,
)
from wsbench.shape import is_unannotated

ADD_AWAIT = "A"  # kind A: ``await`` added before a call of a plain def
DROP_AWAIT = "B"  # kind B: ``await`` removed before a call of an async def
KIND_NAMES = {ADD_AWAIT: "A (await added)", DROP_AWAIT: "B (await removed)"}


@dataclass(frozen=True)
class Site:
    """One possible mutation: the call's callee at (line, column in characters)."""

    kind: str
    line: int
    column: int
    callee: str  # ``name`` or ``self.name``
    text: str  # the statement's first line, stripped, for the report


@dataclass(frozen=True)
class Function:
    """An ``async def`` with its possible mutations."""

    file: str  # relative to the directory holding the unpacked sdists, ``/``-separated
    qualname: str
    first: int  # its first line (a decorator's) ...
    last: int  # ... and its last
    unannotated: bool
    sites: tuple[Site, ...]


# -- the sites of mutations -------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """Where an ``async def`` is: its module, its class (a method), the names it and the
    functions around it bind."""

    module: Module
    index: Index
    cls: ClassInfo | None
    local: frozenset[str]


def _resolve(call: ast.Call, context: Context) -> Def | None:
    func = call.func
    if isinstance(func, ast.Name):
        if func.id in context.local:
            return None
        return resolve_name(func.id, context.module, context.index)
    if context.cls is None or not isinstance(func, ast.Attribute):
        return None
    if isinstance(func.value, ast.Name) and func.value.id == "self":
        return lookup_method(context.cls, func.attr, context.index)[1]
    return None


def _statement_call(stmt: ast.AST) -> ast.Call | None:
    """The call that is a statement, an assigned or returned value, or a condition."""
    value: ast.expr | None = None
    if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)):
        value = stmt.value
    elif isinstance(stmt, (ast.If, ast.While)):
        value = stmt.test
    return value if isinstance(value, ast.Call) else None


def _site(kind: str, call: ast.Call, module: Module) -> Site:
    line = module.lines[call.func.lineno - 1]
    column = len(line.encode()[: call.func.col_offset].decode(errors="replace"))
    name = call.func.id if isinstance(call.func, ast.Name) else f"self.{last_name(call.func)}"
    return Site(kind, call.func.lineno, column, name, line.strip()[:100])


def _sites(func: ast.AsyncFunctionDef, context: Context) -> list[Site]:
    sites = []
    for node in own_nodes(func):
        if isinstance(node, ast.Await) and isinstance(node.value, ast.Call):
            awaited = node.value
            callee = _resolve(awaited, context) if node.lineno == awaited.func.lineno else None
            if isinstance(callee, ast.AsyncFunctionDef) and usable(callee):
                sites.append(_site(DROP_AWAIT, awaited, context.module))
        elif (call := _statement_call(node)) is not None:
            sync = _resolve(call, context)
            if not isinstance(sync, ast.FunctionDef) or not usable(sync):
                continue
            if plain_result(sync, context.module, context.index):
                sites.append(_site(ADD_AWAIT, call, context.module))
    return sorted(sites, key=lambda s: (s.line, s.column))


def _is_method(func: ast.AsyncFunctionDef) -> bool:
    """Called on an instance, ``self`` its first parameter, never rebound."""
    names = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if not names or names[0] != "self":
        return False
    if any(last_name(d) in {"staticmethod", "classmethod"} for d in func.decorator_list):
        return False
    stores = (n for n in own_nodes(func) if isinstance(n, ast.Name))
    return not any(n.id == "self" and isinstance(n.ctx, ast.Store) for n in stores)


Found = tuple[ast.AsyncFunctionDef, str, ast.ClassDef | None, frozenset[str]]


def _async_defs(
    node: ast.AST, qual: str, cls: ast.ClassDef | None, outer: frozenset[str]
) -> Iterator[Found]:
    """Every ``async def`` with its qualified name, its class (a method's) and the names
    bound by the functions around it."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            yield from _async_defs(child, f"{qual}{child.name}.", child, outer)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if isinstance(child, ast.AsyncFunctionDef):
                yield child, qual + child.name, cls, outer
            inner = outer | local_names(child)
            yield from _async_defs(child, f"{qual}{child.name}.<locals>.", None, inner)
        else:
            yield from _async_defs(child, qual, cls, outer)


def find_functions(package_dir: Path, package: str, base: Path) -> list[Function]:
    """Every ``async def`` of the package with at least one site; ``file`` relative to
    ``base``."""
    index = index_package(package_dir, package)
    infos = {id(info.node): info for infos in index.classes.values() for info in infos}
    functions = []
    for module in index.modules.values():
        for func, qualname, cls_node, outer in _async_defs(module.tree, "", None, frozenset()):
            cls = infos[id(cls_node)] if cls_node is not None and _is_method(func) else None
            local = frozenset(outer | local_names(func))
            sites = _sites(func, Context(module, index, cls, local))
            if not sites:
                continue
            first = min([func.lineno, *(d.lineno for d in func.decorator_list)])
            end = func.end_lineno or func.lineno
            file = module.path.relative_to(base).as_posix()
            functions.append(
                Function(file, qualname, first, end, is_unannotated(func), tuple(sites))
            )
    return functions
