"""Under which names an ``await`` reaches a call or an attribute (and under which names a
call is made without one): the rule behind the gates on mypy's hook questions
(``HookGates.may_be_awaited``, ``HookGates.may_be_left_unawaited``), for one scope
(:mod:`.role_index`) and for every module of the run at once (``AwaitedAnywhere``).

A callee whose calls always give a plain value, and every attribute, need their hook only
where they are awaited; mypy asks for a hook by the callee's full name at every call site
(about 100k questions for such names on ``make bench``'s ALL target), and a question that
needs Python to answer costs far more than mypy's own dict lookup.  A name that nothing in the
program awaits is answered None once, at C speed, for the rest of the run
(``hook_tables.GatedAnswers``).  Which findings come out does not depend on it: the set is
used only where it covers every module mypy will check in this process (see
``AwaitedAnywhere.names``), and elsewhere each question goes to the gate as before.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from mypy.nodes import (
    Expression,
    MypyFile,
)

from mypy_wsplugin.facts.hook_names import called_implicitly
from mypy_wsplugin.facts.kept import EMPTY, frozen
from mypy_wsplugin.facts.types import constructed_class
from mypy_wsplugin.mypy_classes import (
    ASSIGNMENT_EXPR,
    AWAIT_EXPR,
    CALL_EXPR,
    CONDITIONAL_EXPR,
    IMPORT_FROM,
    MEMBER_EXPR,
    NAME_EXPR,
    SUPER_EXPR,
    TYPE_ALIAS,
    TYPE_INFO,
)
from mypy_wsplugin.mypy_internals import get_subexpressions, tree_is_complete


def add_awaited(e: Expression, names: set[str] | None, nodes: dict[int, Expression]) -> bool:
    """Record ``e``, an awaited expression, in ``nodes``; add to ``names`` the names of what
    it calls or reads (``await f()``, ``await x.m()``, ``await super().m()``,
    ``await x.attr``: ``f``, ``m``, ``m``, ``attr``; for a name bound by an import or an
    alias, the definition's name too, once mypy has bound it).  False if a callee has no
    name (``await f()()``, a type alias).  A conditional or a walrus hands the ``await`` on
    (as ``roles._THROUGH_BRANCHES`` does for the role maps)."""
    if isinstance(e, CONDITIONAL_EXPR):
        return add_awaited(e.if_expr, names, nodes) & add_awaited(e.else_expr, names, nodes)
    if isinstance(e, ASSIGNMENT_EXPR):
        return add_awaited(e.value, names, nodes)
    nodes[id(e)] = e
    if isinstance(e, MEMBER_EXPR):
        if names is not None:
            names.add(e.name)
    elif isinstance(e, CALL_EXPR):
        return add_callee_names(e.callee, names)
    return True


def add_callee_names(callee: Expression, names: set[str] | None) -> bool:
    """Add to ``names`` the names under which mypy may ask for the hook of a call of
    ``callee``: its name as written and, once mypy has bound it, its definition's.  False
    for a callee with no name (a call, a subscript, a type alias)."""
    c: Any = callee
    kind = type(c)  # by identity: leaves of mypy's node classes
    if kind is SUPER_EXPR:
        if names is not None:
            names.add(c.name)
        return True
    if not (kind is NAME_EXPR or kind is MEMBER_EXPR) or type(c.node) is TYPE_ALIAS:
        return False
    if names is not None:
        names.add(c.name)
        node = c.node
        if node is not None:
            names.add(node.name)
            if isinstance(node, TYPE_INFO):
                # mypy < 2 names the hook of ``Conn()`` after the class its ``__new__``
                # declares (``-> AsyncConn``).
                made = constructed_class(node)
                if made is not None:
                    names.add(made.name)
        if c.fullname:
            names.add(c.fullname.rpartition(".")[2])
    return True


class AwaitedAnywhere:
    """The names under which anything is awaited in the modules of this run, and the
    dunders its code calls by name (``cm.__aenter__()``: ``called_implicitly``).

    Only where every module of the run's graph is held whole, and each one was either
    parsed in this process (it passed through ``get_additional_deps``) or is a stub.  That
    holds for a run without a usable cache, where mypy parses every module before it checks
    any, and for a run whose cache holds stubs only (every ``.py`` module is new: a first
    run with a cache of the standard library's stubs).  A stub taken from the cache is
    loaded while the run checks (as late as the first module that needs it), so there the
    sets are known only once every module of the graph is loaded (``graph``:
    ``mypy_internals.graph_modules``, mypy >= 1.19; before that, never).  A ``.py`` module
    from the cache, one that a warm run or the daemon re-checks (parsed later and without
    a plugin call), and a parallel worker's trees (held in serialized form) leave the sets
    not known (None), and every question goes to the gate.  Parsed trees are read as they
    are: a module not yet analysed gives its awaited names as written, and every module
    (stubs included, which hold no ``await``) the original names of its ``from ... import
    x as y`` (mypy asks for ``x``'s full name where ``y`` is awaited, wherever ``y`` was
    imported from), which a stub from the cache gives through its symbol table; a class
    reached through a type alias is not covered, and ``HookGates.never_awaited`` leaves
    classes to the gate.
    """

    __slots__ = (
        "_found",
        "_graph",
        "_known",
        "_modules_of_graph",
        "_parsed",
        "_per_module",
        "_size",
    )

    def __init__(self, graph: Callable[[], Collection[str] | None] = lambda: None) -> None:
        self._parsed: set[str] = set()
        # module -> (the statements or the symbol table read, what was found there)
        self._per_module: dict[str, tuple[object, _Found]] = {}
        self._found: _Found | None = None
        self._known = False
        self._size = 0  # how many modules the sets were made from
        self._graph = graph
        self._modules_of_graph: Collection[str] | None = None  # once asked and known

    def parsed(self, tree: MypyFile) -> None:
        """``tree`` was just parsed (``get_additional_deps``): the sets are made again."""
        self._parsed.add(tree.fullname)
        self._known = False

    def names(self, modules: dict[str, MypyFile]) -> frozenset[str] | None:
        """Every name awaited in ``modules``; None where that cannot be known."""
        found = self._made(modules)
        return found.awaited if found is not None else None

    def dunders_called(self, modules: dict[str, MypyFile]) -> frozenset[str] | None:
        """Every dunder that ``modules`` call by name (``x.__enter__()``: ``__enter__``);
        None where that cannot be known."""
        found = self._made(modules)
        return found.dunders if found is not None else None

    def _made(self, modules: dict[str, MypyFile]) -> _Found | None:
        """Made again when a module is parsed, or when mypy's module dict grew or shrank
        without one (a module loaded from the cache)."""
        if not self._known or len(modules) != self._size:
            self._found = self._collect(modules)
            self._known = True
            self._size = len(modules)
        return self._found

    def _collect(self, modules: dict[str, MypyFile]) -> _Found | None:
        graph = self._modules_of_graph
        if graph is not None and len(modules) < len(graph):
            return None  # modules of the graph still to be loaded from the cache
        parsed = self._parsed
        from_cache = False
        for module, tree in modules.items():
            if not tree_is_complete(tree):
                return None
            if module not in parsed:
                if not tree.is_stub:
                    return None
                from_cache = True
        if from_cache:
            if graph is None:
                graph = self._modules_of_graph = self._graph()
            if graph is None or any(module not in modules for module in graph):
                return None
        names: set[str] = set()
        dunders: set[str] = set()
        for module, tree in modules.items():
            found = self._of(tree, module in parsed)
            names |= found.awaited
            dunders |= found.dunders
        return _Found(frozen(names), frozen(dunders))

    def _of(self, tree: MypyFile, parsed_here: bool) -> _Found:
        # A stub from the cache holds no statements, only its symbol table.
        read: object = tree.defs if parsed_here or tree.defs else tree.names
        known = self._per_module.get(tree.fullname)
        if known is not None and known[0] is read:
            return known[1]
        found = _found_in_module(tree) if read is tree.defs else _found_in_cached_stub(tree)
        self._per_module[tree.fullname] = (read, found)
        return found


class _Found:
    """What one module (or the whole run) awaits, and the dunders it calls by name."""

    __slots__ = ("awaited", "dunders")

    def __init__(self, awaited: frozenset[str], dunders: frozenset[str]) -> None:
        self.awaited = awaited
        self.dunders = dunders


def _found_in_module(tree: MypyFile) -> _Found:
    # The original names of ``from m import x as y``: mypy asks for ``m.x``'s hook where
    # ``y`` is awaited, in any module that imports ``y`` (a stub's re-export included).
    names = {
        name
        for imported in tree.imports
        if isinstance(imported, IMPORT_FROM)
        for name, alias in imported.names
        if alias is not None and alias != name
    }
    if tree.is_stub:
        return _Found(frozen(names), EMPTY)  # no bodies, so no await and no call
    nodes: dict[int, Expression] = {}
    dunders: set[str] = set()
    for e in get_subexpressions(tree):
        if type(e) is AWAIT_EXPR:
            # A callee with no name (``await wrap(app)(scope)``) adds nothing: mypy asks
            # for a hook for such a call by the callee type's short name (not a full name,
            # so never one wanted only where awaited), by its class where it is one (which
            # never_awaited leaves to the gate), or as ``__call__`` (always hooked).
            add_awaited(e.expr, names, nodes)
            nodes.clear()
        elif type(e) is CALL_EXPR:
            callee = e.callee
            if type(callee) is MEMBER_EXPR and called_implicitly(callee.name):
                dunders.add(callee.name)
    return _Found(frozen(names), frozen(dunders))


def _found_in_cached_stub(tree: MypyFile) -> _Found:
    """What ``_found_in_module`` gives for a stub, read from the symbol table of one loaded
    from the cache (no statements): the definition's name of each entry bound under
    another name (``from m import x as y``: ``y`` -> ``m.x``, through any chain of such
    imports)."""
    names: set[str] = set()
    for name, symbol in tree.names.items():
        node = symbol.node
        original = node.name if node is not None else (symbol.cross_ref or name)
        original = original.rpartition(".")[2]
        if original != name:
            names.add(original)
    return _Found(frozen(names), EMPTY)
