"""What the plugin needs from the build: the daemon, the ``BuildManager`` and its module
finder, printing a file's lines, typeshed's place, and facts kept in mypy's cache as hidden
symbols of a module's symbol table."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any, TypeVar, cast

from mypy.build import BuildManager, State, default_data_dir
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

from mypy_wsplugin.mypy_internals.versions import ERRORS_CACHED_AS_PRINTED

# The build (mypy.build.BuildManager, every version): see find_manager.
Manager = BuildManager
# What the build knows of one module (mypy.build.State, every version): see daemon_graph.
ModuleState = State


def is_daemon(options: Options) -> bool:
    return options.fine_grained_incremental


def in_daemon_process() -> bool:
    """Whether this process is the mypy daemon's (``mypy.dmypy_server``, every version,
    is imported there before any plugin is loaded, and by no ``mypy`` run).  Unlike
    :func:`is_daemon`, also true where ``dmypy run`` loads the plugins again to compare
    their snapshot, with options read afresh."""
    return "mypy.dmypy_server" in sys.modules


def typeshed_dir(options: Options) -> str:
    """The typeshed the build reads the standard library's stubs from, as an absolute path
    ending in a separator: ``--custom-typeshed-dir``, or the one inside mypy
    (``mypy.build.default_data_dir()``, every version; the path mypy's module finder uses).
    """
    found = options.custom_typeshed_dir or os.path.join(default_data_dir(), "typeshed")
    return os.path.join(os.path.abspath(found), "")


def errors_made_for(options: Options) -> Errors | None:
    """The ``Errors`` of the build whose global ``options`` a plugin is being constructed
    with, found from the plugin's constructor.

    mypy makes the build's ``Errors`` just before it loads the plugins, with the same
    options (``mypy.build._build`` and a ``mypy -n`` worker's ``setup_worker_manager``:
    ``Errors(options, ...)``, then ``load_plugins(options, errors, ...)``; 1.14 - 2.4).  It
    is found among the options' referrers: a scan of the heap, which then holds little
    more than mypy's own modules (about 2 ms, against 10 ms checking aiohttp and 29 ms
    checking ``make bench``'s ALL for the same scan at the first module mypy parses).
    Not in the daemon's process, where ``dmypy run`` loads the plugins again for each run,
    with the heap full of the program's trees.
    """
    return None if in_daemon_process() else _holder_of(options, Errors)


def will_parse(options: Options) -> bool:
    """Whether the build is sure to parse modules: no incremental mode, or no cache yet
    (``Options.incremental``, ``Options.cache_dir``, every version).  A build with a cache
    may find every module in it and parse none."""
    return not options.incremental or not os.path.isdir(options.cache_dir)


def find_build_errors(build_modules: dict[str, MypyFile]) -> Errors | None:
    """The build's ``Errors``, for a plugin that has not been handed a checker.

    The build manager holds both the module dict the plugin was given
    (``Plugin.set_modules``) and the ``Errors``; it is found among the dict's referrers
    (a scan of the heap: done once per process, where the plugin could not find it
    earlier through :func:`find_manager`).
    """
    for owner in gc.get_referrers(build_modules):
        errors = getattr(owner, "errors", None)
        if isinstance(errors, Errors):
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
    return _holder_of(options, BuildManager)


def can_find_module(manager: BuildManager, module: str) -> bool:
    """Whether mypy's module finder finds ``module`` (a file, a stub or a namespace
    package), as it does for an import (``BuildManager.find_module_cache.find_module``,
    mypy >= 1.0; the daemon clears its cache at each update)."""
    found = manager.find_module_cache.find_module(module, fast_path=True)
    return not isinstance(found, ModuleNotFoundReason)


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
    return sym.node.type if sym is not None and isinstance(sym.node, Var) else None


_Holder = TypeVar("_Holder", BuildManager, Errors)


def _holder_of(options: Options, kind: type[_Holder]) -> _Holder | None:
    """The object of ``kind`` whose ``options`` are ``options``, among their referrers (a
    scan of the heap; ``getattr``: a mypy whose class lacks the attribute finds nothing)."""
    for owner in gc.get_referrers(options):
        if isinstance(owner, kind) and getattr(owner, "options", None) is options:
            return owner
    return None
