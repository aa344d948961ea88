"""What the plugin needs from the build once it runs: the ``BuildManager`` and its module
finder, the build's and the daemon's graph, printing a file's lines, and facts kept in
mypy's cache as hidden symbols of a module's symbol table.  (What the plugin's
constructor reads of the run is in :mod:`.startup`, which stays Python.)"""

from __future__ import annotations

import gc
import os
from collections.abc import Collection
from typing import Any, Final, cast

from mypy.build import BuildManager, State, add_catch_all_gitignore, exclude_from_backups
from mypy.errors import Errors
from mypy.modulefinder import ModuleNotFoundReason
from mypy.nodes import (
    GDEF,
    MypyFile,
    SymbolTableNode,
    Var,
)
from mypy.options import Options
from mypy.server.trigger import make_trigger
from mypy.types import Type

from mypy_wsplugin.mypy_classes import VAR
from mypy_wsplugin.mypy_internals.startup import holder_of
from mypy_wsplugin.mypy_internals.versions import ERRORS_CACHED_AS_PRINTED

# Classes of mypy's build and checker this module tests for, as C statics (see
# mypy_wsplugin/mypy_classes.py, which holds the node and type classes).
_ERRORS: Final = Errors
_MODULE_NOT_FOUND_REASON: Final = ModuleNotFoundReason

# The build (mypy.build.BuildManager, every version): see find_manager.
Manager = BuildManager
# What the build knows of one module (mypy.build.State, every version): see daemon_graph.
ModuleState = State


def find_build_errors(build_modules: dict[str, MypyFile]) -> Errors | None:
    """The build's ``Errors``, for a plugin that has not been handed a checker.

    The build manager holds both the module dict the plugin was given
    (``Plugin.set_modules``) and the ``Errors``; it is found among the dict's referrers
    (a scan of the heap: done once per process, where the plugin could not find it
    earlier through :func:`find_manager`).
    """
    for owner in gc.get_referrers(build_modules):
        errors = getattr(owner, "errors", None)
        if isinstance(errors, _ERRORS):
            return errors
    return None


def errors_of_manager(manager: BuildManager) -> Errors:
    """The build's ``Errors`` (BuildManager.errors, every version)."""
    return manager.errors


def find_manager(options: Options) -> BuildManager | None:
    """The ``BuildManager`` of the build whose global ``options`` the plugin was given.

    The plugin API has no door to it; it holds the options the plugin was constructed
    with (``BuildManager.options``, every version), and is found among their referrers (a
    scan of the heap: callers keep the answer for the process).  Needed for the module
    finder and for printing a line about the configuration once per run.
    """
    return holder_of(options, BuildManager)


def can_find_module(manager: BuildManager, module: str) -> bool:
    """Whether mypy's module finder finds ``module`` (a file, a stub or a namespace
    package), as it does for an import (``BuildManager.find_module_cache.find_module``,
    mypy >= 1.0; the daemon clears its cache at each update)."""
    found = manager.find_module_cache.find_module(module, fast_path=True)
    return not isinstance(found, _MODULE_NOT_FOUND_REASON)


def daemon_graph(manager: BuildManager) -> dict[str, State] | None:
    """The daemon's graph of modules (``FineGrainedBuildManager.graph``, every version: set
    once, then changed in place at each update), found among the referrers of its build
    manager (a scan of the heap: callers keep the answer for the process).  None outside
    the daemon."""
    from mypy.server.update import FineGrainedBuildManager

    for owner in gc.get_referrers(manager):
        if isinstance(owner, FineGrainedBuildManager) and owner.manager is manager:
            return owner.graph
    return None


def daemon_dependencies(manager: BuildManager) -> dict[str, set[str]]:
    """The build's fine-grained dependency map (``BuildManager.fg_deps``, every supported
    version): the daemon's ``FineGrainedBuildManager.deps`` is this dict, updated in
    place."""
    return manager.fg_deps


def drop_added_dependency(state: State, module: str) -> None:
    """Make ``module`` no dependency of ``state``'s module where only a plugin made it one
    (``get_additional_deps`` with line -1: an import statement records its own line first,
    ``State.parse_file``).  ``State.dependencies``, ``suppressed`` and their
    sets, ``priorities`` and ``dep_line_map``: the same in mypy 1.19 and 2.4, read by
    ``State.verify_dependencies``."""
    if state.dep_line_map.get(module) != -1:
        return
    for names, name_set in (
        (state.dependencies, state.dependencies_set),
        (state.suppressed, state.suppressed_set),
    ):
        if module in name_set:
            names.remove(module)
            name_set.discard(module)
    del state.dep_line_map[module]
    state.priorities.pop(module, None)


def reanalyse_when_module_changes(tree: MypyFile, module: str) -> None:
    """Make the daemon analyse ``tree``'s top level again when ``module`` comes or goes
    (its trigger ``<module>``): ``MypyFile.plugin_deps``, what the semantic analyzer
    plugin API's ``add_plugin_dependency`` fills, merged into the fine-grained dependency
    map when the module's dependencies are computed (``State.finish_passes``)."""
    tree.plugin_deps.setdefault(make_trigger(module), set()).add(tree.fullname)


def is_parallel_worker(manager: BuildManager) -> bool:
    """A ``mypy -n`` worker (``BuildManager.parallel_worker``, mypy >= 2.4): it prints
    nothing; the coordinator does."""
    return bool(getattr(manager, "parallel_worker", False))


def flush_file(manager: BuildManager, path: str) -> None:
    """Print what is filed under ``path`` now, as mypy prints a module's errors when it has
    checked it (``Errors.file_messages``, ``Errors.format_messages`` with the build's
    formatter, ``BuildManager.flush_errors``: the same from mypy 1.19.1 to 2.4; 1.19.0
    formats in ``file_messages`` itself), and as it prints its own "unused section(s)"
    note: in any output format, counted like other lines.  A parallel worker's flush prints
    nothing (the coordinator prints)."""
    errors = manager.errors
    if ERRORS_CACHED_AS_PRINTED:
        formatted: list[str] = cast(Any, errors).file_messages(path, manager.error_formatter)
    else:
        formatted = errors.format_messages(
            path, errors.file_messages(path), formatter=manager.error_formatter
        )
    manager.flush_errors(errors.simplify_path(path), formatted, False)


def tree_is_complete(tree: MypyFile) -> bool:
    """False for a tree a parallel worker holds in serialized form (mypy >= 2.4)."""
    return getattr(tree, "raw_data", None) is None


def graph_modules(manager: BuildManager) -> Collection[str] | None:
    """Every module of the build's graph, once mypy has loaded it and before it checks any
    (``BuildManager.import_map``'s keys, filled by ``mypy.build.dispatch``: mypy >= 1.19;
    in the daemon it is not kept up to date).  None where it is not known: an older mypy,
    or the graph not loaded yet (an empty map)."""
    import_map = getattr(manager, "import_map", None)
    return import_map.keys() if isinstance(import_map, dict) and import_map else None


# -- hidden symbols: facts kept in mypy's cache --------------------------------------------

# A fact about a module's functions is kept as a Var the plugin adds to the module's symbol
# table: mypy serializes it into the module's cache entry (so it is part of the interface
# hash: a changed fact makes every importer stale in a warm run) and the daemon compares
# it in its symbol table snapshot (a changed fact fires the trigger "<mod.name>").
# ``module_public=False`` keeps it out of ``from mod import *``; names carry no dots (a
# dotted name would be taken for a cross-reference by mypy.server.astdiff).


def hidden_symbols(tree: MypyFile, prefix: str) -> list[str]:
    return [name for name in tree.names if name.startswith(prefix)]


def put_hidden_symbol(tree: MypyFile, name: str, typ: Type | None) -> None:
    """Set (``typ``) or remove (None) the hidden Var ``name`` of ``tree``."""
    if typ is None:
        tree.names.pop(name, None)
        return
    var = Var(name, typ)
    var._fullname = f"{tree.fullname}.{name}"
    var.is_ready = True
    tree.names[name] = SymbolTableNode(
        GDEF, var, module_public=False, plugin_generated=True, module_hidden=True
    )


def hidden_symbol_type(tree: MypyFile, name: str) -> Type | None:
    sym = tree.names.get(name)
    return sym.node.type if sym is not None and isinstance(sym.node, VAR) else None


def make_cache_dir(path: str) -> None:
    """Create mypy's cache directory ``path`` as a build does when it makes one: with its
    catch-all ``.gitignore`` and ``CACHEDIR.TAG`` (``mypy.build.add_catch_all_gitignore``,
    ``exclude_from_backups``: every version).  Nothing where it exists: mypy adds them only
    to a directory it created."""
    if os.path.isdir(path):
        return
    os.makedirs(path, exist_ok=True)
    add_catch_all_gitignore(path)
    exclude_from_backups(path)
