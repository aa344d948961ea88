"""A configured TARGET resolved through mypy's symbol tables to the definition it names.

A TARGET may be any dotted path that reaches a definition: its full name
(``app.ws.factory.get_websocket_manager``), a re-export (``app.ws.get_websocket_manager``
when ``app/ws/__init__.py`` imports it), an ``import ... as`` alias
(``app.ws.get_manager``), or a method of a re-exported class (``app.ws.Manager.connect``).
mypy's semantic analysis has already resolved each of these: the symbol table of
``app.ws`` holds the definition's own node under the local name.

Which modules a path may be looked up in must not depend on how mypy reached them (cold,
warm, daemon, parallel worker: docs/design.md).  A path is used for a call only when the
module it is looked up in is certain to be analysed while the calling module is checked:
the calling module itself or a module it imports (:class:`ImportClosures`).  Elsewhere the
module may or may not be loaded, depending on the mode and the order mypy chose; the
package above the defining module is one such place (``app.ws`` for a caller that imports
``app.ws.factory`` directly).

A variable bound at module level (``get_manager = get_websocket_manager``) is a name of its
own: mypy's cache keeps its type but not which function it was bound to, so a warm run
could not follow it.  An entry naming such a variable matches calls through it (mypy's hook
carries the variable's name), and counts as matching something.
"""

from __future__ import annotations

from mypy.nodes import (
    MypyFile,
    SymbolNode,
)

from mypy_wsplugin.facts.bindings import imported_modules
from mypy_wsplugin.messages import is_a_module, not_defined_in
from mypy_wsplugin.mypy_classes import (
    DECORATOR,
    FUNC_DEF,
    IMPORT,
    IMPORT_FROM,
    MYPY_FILE,
    OVERLOADED_FUNC_DEF,
    TYPE_INFO,
)


class Resolved:
    """Where a dotted path was looked up, and what it names there."""

    __slots__ = ("definition", "module")

    def __init__(self, module: str, definition: str | None) -> None:
        self.module = module  # the longest prefix of the path that is a loaded module
        self.definition = definition  # the full name of the def or class it names

    def __repr__(self) -> str:
        return f"Resolved({self.module!r}, {self.definition!r})"


def resolve_path(path: str, modules: dict[str, MypyFile]) -> Resolved | None:
    """What ``path`` names, looked up from the longest prefix that is a loaded module.

    None when no prefix of ``path`` is loaded.  Only analysed symbol tables are read: a
    module that is loaded but not yet analysed has an empty table, and nothing is found.
    """
    parts = path.split(".")
    for end in range(len(parts) - 1, 0, -1):
        tree = modules.get(".".join(parts[:end]))
        if tree is not None:
            break
    else:
        return None
    node = lookup_in(tree, parts[end:])
    return Resolved(tree.fullname, definition_name(node))


def lookup_in(tree: MypyFile, names: list[str]) -> SymbolNode | None:
    """The node the dotted ``names`` reach from module ``tree``'s symbol table (through
    classes, including what they inherit, and modules), or None."""
    node: SymbolNode | None = tree
    for key in names:
        if isinstance(node, MYPY_FILE):
            sym = node.names.get(key)
        elif isinstance(node, TYPE_INFO):
            sym = node.get(key)  # through the MRO: ``Sub.method`` reaches ``Base.method``
        else:
            return None
        if sym is None or sym.node is None:
            return None
        node = sym.node
    return node


def definition_name(node: SymbolNode | None) -> str | None:
    """The full name of the function, method or class ``node`` is, else None."""
    if isinstance(node, (FUNC_DEF, OVERLOADED_FUNC_DEF, DECORATOR, TYPE_INFO)):
        return node.fullname
    return None


def packages_above(module: str) -> list[str]:
    """``module`` and every package above it: ``a.b.c`` gives ``a.b.c``, ``a.b``, ``a``."""
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(len(parts), 0, -1)]


class ImportClosures:
    """The modules mypy analyses before it checks a module, as far as the module's own text
    says: itself and what its reachable import statements name, as mypy's build makes them
    dependencies (``import a.b`` also depends on ``a``; ``from a.b import c`` on ``a.b``,
    and on ``a.b.c`` if that is a module).  The package above a module is loaded with it
    but is not a dependency: it may be analysed later, or not loaded at all in a warm run.
    Per module tree."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[MypyFile, frozenset[str]]] = {}

    def clear(self) -> None:
        self._memo.clear()

    def __call__(self, tree: MypyFile) -> frozenset[str]:
        held = self._memo.get(tree.fullname)
        if held is not None and held[0] is tree:
            return held[1]
        names = {tree.fullname}
        for module, imp in imported_modules(tree):
            if imp.is_unreachable:
                continue
            if isinstance(imp, IMPORT):
                names.update(packages_above(module))
            else:
                names.add(module)
            if isinstance(imp, IMPORT_FROM):
                names.update(f"{module}.{name}" for name, _ in imp.names)
        closure = frozenset(names)
        self._memo[tree.fullname] = (tree, closure)
        return closure


def why_unmatched(tree: MypyFile, target: str) -> str | None:
    """Why ``target`` names nothing in module ``tree`` (a prefix of it), or None: any name
    that is there counts (a function, a class, a variable, an attribute), except a module."""
    rest = target[len(tree.fullname) + 1 :]
    node = lookup_in(tree, rest.split("."))
    if node is None:
        return not_defined_in(tree.fullname, rest)
    if isinstance(node, MYPY_FILE):
        return is_a_module(target)
    return None
