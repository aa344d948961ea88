"""A simple name resolution in one library, for ``make recall``'s mutations (``ast``).

A callee is resolved when it is a module-level function of the module (or imported into it
from a module of the library: ``from .m import f``), or ``self.method`` in a method whose
class, or a base class of the library found by its name, defines ``method``.  Anything
ambiguous is not resolved: a name bound twice or otherwise (assigned, imported from
elsewhere, ``global``, local to the caller), a class name defined twice in the library, a
base class from outside the library before the one defining the method, an instance
attribute of that name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

Def = ast.FunctionDef | ast.AsyncFunctionDef
Scope = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
ALLOWED_DECORATORS = frozenset({"staticmethod", "classmethod", "abstractmethod"})
# Names in a return annotation that might mean an awaitable value.
AWAITABLE_NAMES = frozenset(
    {"Awaitable", "Coroutine", "Future", "Task", "Any", "object", "Self", "Deferred"}
    | {"Generator", "AsyncGenerator", "AsyncIterator", "AsyncIterable", "Callable"}
)
PLAIN_RETURNS: tuple[type[ast.expr], ...] = (ast.Constant, ast.JoinedStr, ast.Compare)
PLAIN_RETURNS += (ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)
EMPTY_BASES = frozenset({"object", "Generic", "Protocol", "ABC"})


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: list[str]
    bindings: dict[str, list[ast.AST]] = field(default_factory=dict)  # module level
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # from the library
    typevars: set[str] = field(default_factory=set)


@dataclass
class ClassInfo:
    node: ast.ClassDef
    members: dict[str, list[ast.AST]]
    instance_attributes: set[str]
    bases: list[str | None]  # None: not a plain name


@dataclass
class Index:
    package: str
    modules: dict[str, Module] = field(default_factory=dict)
    classes: dict[str, list[ClassInfo]] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)  # names declared ``global`` anywhere
    awaitable_classes: set[str] = field(default_factory=set)  # classes defining __await__


# -- the library's index ----------------------------------------------------------------------


def _stores(node: ast.AST | None) -> Iterator[str]:
    for inner in ast.walk(node) if node is not None else ():
        if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
            yield inner.id


def _blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement blocks of a compound statement."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if isinstance(block, list) and block:
            yield block
    for handler in getattr(stmt, "handlers", ()):
        yield handler.body
    for case in getattr(stmt, "cases", ()):
        yield case.body


def _block_bindings(body: list[ast.stmt]) -> Iterator[tuple[str, ast.AST]]:
    """The names a block binds, with compound statements' blocks, not nested scopes'."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield stmt.name, stmt
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            for alias in stmt.names:
                yield (alias.asname or alias.name).split(".")[0], stmt
        elif any(True for _ in _blocks(stmt)):
            headers: list[ast.AST | None] = [getattr(stmt, "target", None)]
            headers += [item.optional_vars for item in getattr(stmt, "items", ())]
            for header in headers:
                yield from ((name, stmt) for name in _stores(header))
            for handler in getattr(stmt, "handlers", ()):
                if handler.name:
                    yield handler.name, stmt
            for block in _blocks(stmt):
                yield from _block_bindings(block)
        else:
            yield from ((name, stmt) for name in _stores(stmt))


def _bindings(body: list[ast.stmt]) -> dict[str, list[ast.AST]]:
    found: dict[str, list[ast.AST]] = {}
    for name, node in _block_bindings(body):
        if node not in found.setdefault(name, []):
            found[name].append(node)
    return found


def _absolute(module: str, is_package: bool, level: int, target: str | None) -> str:
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, target] if target else parts)


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A block's statements, with those of its compound statements (not of nested scopes)."""
    for stmt in body:
        yield stmt
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for block in _blocks(stmt):
                yield from _module_statements(block)


def _module(name: str, path: Path, package: str) -> Module | None:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    module = Module(name, path, tree, text.splitlines(), _bindings(tree.body))
    for stmt in _module_statements(tree.body):
        if isinstance(stmt, ast.ImportFrom):
            source = stmt.module or ""
            if stmt.level:
                source = _absolute(name, path.name == "__init__.py", stmt.level, stmt.module)
            if source == package or source.startswith(package + "."):
                for alias in stmt.names:
                    module.imports[alias.asname or alias.name] = (source, alias.name)
        if isinstance(stmt, ast.Assign) and _makes_typevar(stmt.value):
            module.typevars.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
    return module


def last_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Subscript):
        expr = expr.value
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    return None


def _makes_typevar(value: ast.expr) -> bool:
    return isinstance(value, ast.Call) and last_name(value.func) in {"TypeVar", "ParamSpec"}


def _class_info(node: ast.ClassDef) -> ClassInfo:
    attributes = set()
    for inner in ast.walk(node):
        if not isinstance(inner, ast.Attribute) or not isinstance(inner.ctx, ast.Store):
            continue
        if isinstance(inner.value, ast.Name) and inner.value.id == "self":
            attributes.add(inner.attr)
    return ClassInfo(node, _bindings(node.body), attributes, [last_name(b) for b in node.bases])


def index_package(package_dir: Path, package: str) -> Index:
    index = Index(package)
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join([package, *parts])
        module = _module(name, path, package)
        if module is None:
            continue
        index.modules[name] = module
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ClassDef):
                info = _class_info(node)
                index.classes.setdefault(node.name, []).append(info)
                if "__await__" in info.members:
                    index.awaitable_classes.add(node.name)
            elif isinstance(node, ast.Global):
                index.globals_.update(node.names)
    return index


# -- resolution -------------------------------------------------------------------------------


def own_nodes(func: Def) -> Iterator[ast.AST]:
    """The nodes of ``func``'s body in its own scope (a nested def, class or lambda is
    yielded, not entered)."""
    stack: list[ast.AST] = list(reversed(func.body))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))


def local_names(func: Def) -> set[str]:
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    names = {a.arg for a in every if a is not None}
    for node in own_nodes(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return names


def _annotation_names(annotation: ast.expr) -> set[str]:
    names = set()
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                names |= _annotation_names(ast.parse(node.value, mode="eval").body)
            except SyntaxError:
                names.add("Any")
    return names


def usable(func: Def) -> bool:
    """Not a generator, no decorator that could change what a call returns."""
    if any(last_name(d) not in ALLOWED_DECORATORS for d in func.decorator_list):
        return False
    return not any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in own_nodes(func))


def plain_result(func: ast.FunctionDef, module: Module, index: Index) -> bool:
    """The value of a call of ``func`` cannot be awaitable, as far as its source says."""
    if func.returns is not None:
        names = _annotation_names(func.returns)
        risky = AWAITABLE_NAMES | module.typevars | index.awaitable_classes
        return not names & risky
    returns = [n for n in own_nodes(func) if isinstance(n, ast.Return)]
    return all(r.value is None or isinstance(r.value, PLAIN_RETURNS) for r in returns)


def resolve_name(name: str, module: Module, index: Index, hops: int = 0) -> Def | None:
    nodes = module.bindings.get(name, [])
    if len(nodes) != 1 or name in index.globals_:
        return None
    node = nodes[0]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return node
    if isinstance(node, ast.ImportFrom) and name in module.imports and hops == 0:
        source, original = module.imports[name]
        target = index.modules.get(source)
        return resolve_name(original, target, index, 1) if target is not None else None
    return None


def lookup_method(
    cls: ClassInfo, name: str, index: Index, depth: int = 0
) -> tuple[bool, Def | None]:
    """(decided, the def): a def, or decided without one (ambiguous), or not found."""
    if depth > 10 or name in cls.instance_attributes:
        return True, None
    nodes = cls.members.get(name, [])
    if nodes:
        node = nodes[0]
        if len(nodes) == 1 and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return True, node
        return True, None
    for base in cls.bases:
        if base in EMPTY_BASES:
            continue
        found = index.classes.get(base, []) if base is not None else []
        if len(found) != 1:
            return True, None
        decided, func = lookup_method(found[0], name, index, depth + 1)
        if decided:
            return True, func
    return False, None
