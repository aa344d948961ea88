"""Every use of a mypy internal, behind one door.

mypy's plugin API (``mypy.plugin``) gives hooks a ``ctx.api`` typed as
``CheckerPluginInterface``; the plugin needs a few things that interface does not offer.
Each is wrapped here, with what it needs and since which version it is known to work.  At
start-up :func:`probe` checks that each is present on the running mypy; a feature whose
internal is missing is switched off (see :data:`Capabilities`), and the plugin says so in
one line instead of failing inside mypy.

Tested range: see :data:`TESTED_RANGE` (``make test`` runs both ends).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from mypy.build import BuildManager, default_data_dir
from mypy.checker import TypeChecker
from mypy.checkexpr import has_any_type
from mypy.errors import ErrorInfo, Errors, ErrorWatcher
from mypy.modulefinder import ModuleNotFoundReason
from mypy.nodes import (
    GDEF,
    Expression,
    FuncBase,
    FuncDef,
    FuncItem,
    MypyFile,
    Node,
    SymbolTableNode,
    Var,
)
from mypy.options import Options
from mypy.plugin import Plugin
from mypy.scope import Scope as TargetScope
from mypy.server.subexpr import get_subexpressions as _get_subexpressions
from mypy.types import Type
from mypy.version import __version__ as _mypy_version

# ``ctx.api`` in function, method and attribute hooks is mypy's TypeChecker (every version).
Checker = TypeChecker
# The build (mypy.build.BuildManager, every version): see find_manager.
Manager = BuildManager


def parse_version(version: str) -> tuple[int, int]:
    """``(major, minor)`` of a mypy version string (``"2.4.1"``, ``"1.19.0+dev.abc"``)."""
    parts = version.split("+")[0].split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)


MYPY_VERSION: Final = _mypy_version
MYPY: Final = parse_version(MYPY_VERSION)
# The versions ``make test`` runs the whole suite on (floor and newest), as in pyproject.
TESTED_RANGE: Final = ((1, 19), (2, 4))


def in_tested_range(version: tuple[int, int]) -> bool:
    low, high = TESTED_RANGE
    return low <= version <= high


# -- probes ------------------------------------------------------------------------------


class Capabilities:
    """What the running mypy offers, probed once at start-up."""

    def __init__(self) -> None:
        # Hooks need the function being checked: TypeChecker.scope.current_function()
        # (mypy >= 1.15; 1.14 has no such method).
        self.hooks = hasattr(_checker_scope_type(), "current_function")
        # The pass over unannotated code runs from Plugin.get_additional_indirect_deps,
        # which mypy >= 2.4 calls from State.finish_passes after a module is type-checked,
        # with its error context active and before its errors are flushed and cached.
        self.post_pass = MYPY >= (2, 4) and hasattr(Plugin, "get_additional_indirect_deps")
        # The daemon's post-check re-run needs to know which files were already printed.
        if not hasattr(Errors, "flushed_files"):
            self.post_pass = False

    def missing(self) -> list[str]:
        """What is off, for the start-up line."""
        off = []
        if not self.hooks:
            off.append("checks in annotated code (no TypeChecker.scope.current_function)")
        if not self.post_pass:
            off.append("findings in unannotated functions and unseen modules (needs mypy >= 2.4)")
        return off


def _checker_scope_type() -> type:
    """mypy.checker.CheckerScope (the class of TypeChecker.scope)."""
    from mypy import checker

    return getattr(checker, "CheckerScope", object)


# What the running mypy offers (probed once, when the plugin is imported).
CAPABILITIES: Final = Capabilities()


# -- the checker -------------------------------------------------------------------------


def current_function(api: Checker) -> FuncItem | None:
    """The function being checked (None at module or class level).  mypy >= 1.15.

    For a function with value-restricted type variables (``AnyStr``, a class's
    ``TypeVar("T", str, bytes)``) mypy checks a copy of the body per value: the scope
    holds the definition, ``FuncItem.expanded`` the copy being checked (its last item;
    the definition itself when nothing is expanded).
    """
    func = api.scope.current_function()
    if func is not None and func.expanded:
        return func.expanded[-1]
    return func


def in_async_function(api: Checker) -> bool:
    func = api.scope.current_function()
    return func is not None and func.is_coroutine


def function_being_checked(errors: Errors) -> tuple[bool, FuncBase | None, str | None]:
    """At a hook lookup, which has no checker: (whether it can be told, the innermost
    function mypy is checking or None at module or class level, the module's name).

    The build's ``Errors.scope`` is the checker's target scope (``mypy.scope.Scope``, set by
    ``Errors.set_file``); its ``functions`` lists the functions entered, nested ones and
    lambdas included; ``Errors.target_module`` names the module (all three in 1.14 - 2.4).
    Where one is missing, nothing can be told (every hook is then given)."""
    scope = getattr(errors, "scope", None)
    functions = getattr(scope, "functions", None)
    if functions is None:
        return False, None, None
    return True, functions[-1] if functions else None, getattr(errors, "target_module", None)


def module_being_checked(api: Checker) -> MypyFile:
    """TypeChecker.tree: the module the hook fired in."""
    return api.tree


def modules(api: Checker) -> dict[str, MypyFile]:
    """TypeChecker.modules: every loaded module (the build's dict)."""
    return api.modules


def errors_of(api: Checker) -> Errors:
    """The build's ``Errors``, through the checker's MessageBuilder."""
    return api.msg.errors


def expression_type(api: Checker, expr: Expression) -> Type | None:
    """The type mypy already inferred for ``expr`` (TypeChecker.lookup_type_or_none)."""
    return api.lookup_type_or_none(expr)


def declared_return(api: Checker) -> Type | None:
    """What a ``return`` in the function being checked must give (TypeChecker.return_types;
    for an ``async def`` the full ``Coroutine[...]``)."""
    return api.return_types[-1] if api.return_types else None


def narrowed_attribute_type(api: Checker, expr: Expression, typ: Type) -> Type:
    """The type the binder narrowed ``expr`` to on this line (ExpressionChecker)."""
    return api.expr_checker.narrow_type_from_binder(expr, typ)


def awaited_type(api: Checker, typ: Type, context: Expression) -> Type:
    """What ``await`` of a ``typ`` gives, as mypy computes it (no error reported)."""
    return api.expr_checker.check_awaitable_expr(typ, context, "", ignore_binder=True)


@contextmanager
def outside_attempts(errors: Errors) -> Iterator[None]:
    """Report past mypy's error watchers.

    mypy tries some calls more than once under an ``ErrorWatcher`` that drops the errors of
    the attempt (each overload item, each member of a union, an argument in each item's
    context), and judges an attempt by whether it had errors.  A finding about a call is
    not part of such an attempt: reported through the watchers it would be dropped, or make
    mypy reject an overload item.  Errors de-duplicates identical lines.
    (Errors._watchers: mypy >= 1.0.)
    """
    saved = errors._watchers
    errors._watchers = []
    try:
        yield
    finally:
        errors._watchers = saved


def keep_bottom_watcher(
    errors: Errors, watcher: ErrorWatcher | None, handler: Callable[[str, ErrorInfo], bool]
) -> ErrorWatcher:
    """Keep a watcher that calls ``handler`` for every error at the bottom of ``errors``'
    watcher stack (Errors._watchers; ErrorWatcher with a callable filter: mypy >= 1.4).

    mypy's own watchers (an overload item being tried, a union member) are pushed above it
    and see each error first; one that drops an error drops it before this one sees it.
    ``handler`` returning True drops the error.  The daemon's Errors.initialize() empties
    the stack at each update, so this is asked again at each plugin callback (a few
    identity checks when nothing changed).
    """
    stack = errors._watchers
    if watcher is not None and watcher.errors is errors and stack and stack[0] is watcher:
        return watcher
    if watcher is None or watcher.errors is not errors:
        watcher = ErrorWatcher(errors, filter_errors=handler)
    if watcher in stack:
        stack.remove(watcher)
    stack.insert(0, watcher)
    return watcher


def recorded_errors(errors: Errors, file: str) -> list[ErrorInfo]:
    """The errors and notes recorded so far for ``file``, in order (Errors.error_info_map);
    the list itself, so that entries can be taken back."""
    return errors.error_info_map.get(file, [])


def attempt_failed(errors: Errors) -> bool:
    """Whether the innermost attempt (an overload item being tried) already has errors:
    mypy will not pick that item (ErrorWatcher.has_new_errors)."""
    watchers = errors._watchers
    return bool(watchers) and watchers[-1].has_new_errors()


def contains_any(typ: Type) -> bool:
    """Whether ``typ`` has ``Any`` anywhere in it, as mypy's overload ambiguity check asks
    (mypy.checkexpr.has_any_type)."""
    return has_any_type(typ)


def current_target(api: Checker) -> str:
    """The daemon's name for what is being checked ("mod.func", "mod.Cls.method", "mod")
    (TypeChecker.tscope, mypy >= 0.7)."""
    return api.tscope.current_target()


def depend_on(api: Checker, trigger: str) -> None:
    """Make the daemon re-check what is being checked when ``trigger`` fires.

    MypyFile.plugin_deps is what the semantic analyzer plugin API's
    ``add_plugin_dependency`` fills; mypy.server.deps merges it into the fine-grained
    dependency map when the module's dependencies are computed (State.finish_passes).
    """
    deps = module_being_checked(api).plugin_deps
    deps.setdefault(trigger, set()).add(current_target(api))


def refer_to_module(api: Checker, module: str) -> None:
    """Record that what is being checked uses ``module`` though no type of it may stay in
    the module's types (TypeChecker.module_refs; in mypy 1.14 and later at least): mypy
    keeps it as an indirect dependency in the cache entry (State.finish_passes), so a
    change there re-checks this module in a warm run."""
    refs = getattr(api, "module_refs", None)
    if isinstance(refs, set):
        refs.add(module)


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


def rest_of_chain(api: object, owner: Plugin) -> list[Plugin] | None:
    """The plugins mypy asks after ``owner`` (ChainedPlugin._plugins), if visible."""
    plugins = getattr(getattr(api, "plugin", None), "_plugins", None)
    if isinstance(plugins, list) and owner in plugins:
        return plugins[plugins.index(owner) + 1 :]
    return None


# -- the build ---------------------------------------------------------------------------


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


def find_build_errors(build_modules: dict[str, MypyFile]) -> Errors | None:
    """The build's ``Errors``, for a plugin that has not been handed a checker.

    The build manager holds both the module dict the plugin was given
    (``Plugin.set_modules``) and the ``Errors``; it is found among the dict's referrers
    (a scan of the heap: done once per process).
    """
    for owner in gc.get_referrers(build_modules):
        errors = getattr(owner, "errors", None)
        if isinstance(errors, Errors):
            return errors
    return None


def find_manager(options: Options) -> BuildManager | None:
    """The ``BuildManager`` of the build whose global ``options`` the plugin was given.

    The plugin API has no door to it; it holds the options the plugin was constructed
    with (``BuildManager.options``, every version), and is found among their referrers (a
    scan of the heap: callers keep the answer for the process).  Needed for the module
    finder and for printing a line about the configuration once per run.
    """
    for owner in gc.get_referrers(options):
        if isinstance(owner, BuildManager) and owner.options is options:
            return owner
    return None


def can_find_module(manager: BuildManager, module: str) -> bool:
    """Whether mypy's module finder finds ``module`` (a file, a stub or a namespace
    package), as it does for an import (``BuildManager.find_module_cache.find_module``,
    mypy >= 1.0; the daemon clears its cache at each update)."""
    found = manager.find_module_cache.find_module(module, fast_path=True)
    return not isinstance(found, ModuleNotFoundReason)


def is_parallel_worker(manager: BuildManager) -> bool:
    """A ``mypy -n`` worker (``BuildManager.parallel_worker``, mypy >= 2.4): it prints
    nothing; the coordinator does."""
    return bool(getattr(manager, "parallel_worker", False))


def report_notes(errors: Errors, path: str, options: Options, notes: list[tuple[int, str]]) -> None:
    """File ``(line, message)`` notes under the config file ``path``, as mypy files a
    module's errors (``Errors.set_file`` and ``Errors.report``; every version).  Restores
    the error context.  The daemon prints them with the rest after an update (which resets
    every error first, then prints what it has not printed: ``Errors.new_messages``)."""
    saved = (errors.file, errors.target_module, errors.options, errors.scope)
    try:
        errors.set_file(path, None, options)
        for line, message in notes:
            errors.report(line, -1, message, severity="note")
    finally:
        errors.set_file(saved[0], saved[1], saved[2], saved[3])


def flush_file(manager: BuildManager, path: str) -> None:
    """Print what is filed under ``path`` now, as mypy prints a module's errors when it has
    checked it (``Errors.file_messages``, ``Errors.format_messages`` with the build's
    formatter, ``BuildManager.flush_errors``: the same in mypy 1.19 and 2.4), and as it
    prints its own "unused section(s)" note: in any output format, counted like other
    lines.  A parallel worker's flush prints nothing (the coordinator prints)."""
    errors = manager.errors
    formatted = errors.format_messages(
        path, errors.file_messages(path), formatter=manager.error_formatter
    )
    manager.flush_errors(errors.simplify_path(path), formatted, False)


def errors_generation(errors: Errors) -> object:
    """An object that changes when the daemon resets the build's errors (Errors.initialize
    makes a new error map)."""
    return errors.error_info_map


def flushed_files(errors: Errors) -> object:
    """The set of files whose errors mypy has printed; a new set after Errors.reset()."""
    return errors.flushed_files


def is_flushed(errors: Errors, path: str) -> bool:
    """Whether mypy has already printed (and cached) ``path``'s errors: reporting more
    there trips an assertion in ``Errors``."""
    return path in errors.flushed_files


def errors_ignored(errors: Errors, path: str) -> bool:
    """Whether mypy drops every error of ``path`` (``follow_imports = silent``, ...)."""
    return path in errors.ignored_files


def shown_path(errors: Errors, path: str) -> str:
    """``path`` as mypy shows a file's path (``Errors.simplify_path``: relative to the
    working directory unless ``show_absolute_path``)."""
    return errors.simplify_path(path)


def current_file(errors: Errors) -> str:
    return errors.file


def ignored_codes(errors: Errors, line: int) -> list[str] | None:
    """The codes of a ``# type: ignore[...]`` on ``line`` of the current file."""
    return errors.ignored_lines.get(errors.file, {}).get(line)


@contextmanager
def reporting_in(
    errors: Errors, tree: MypyFile, options: Options | None, target: str
) -> Iterator[None]:
    """Report into ``tree``'s file under the fine-grained target ``target``, then restore
    the error context.  ``options`` None keeps the context of the module being finished."""
    saved = (errors.file, errors.target_module, errors.options, errors.scope)
    try:
        if options is not None:
            errors.set_file(tree.path, tree.fullname, options)
            errors.set_file_ignored_lines(tree.path, tree.ignored_lines)
            errors.set_skipped_lines(tree.path, tree.skipped_lines)
        errors.scope = scope = TargetScope()
        with scope.module_scope(tree.fullname), scope.function_scope(_target_node(target)):
            yield
    finally:
        errors.set_file(saved[0], saved[1], saved[2], saved[3])


def _target_node(fullname: str) -> FuncDef:
    node = FuncDef(fullname.rpartition(".")[2])
    node._fullname = fullname
    return node


def get_subexpressions(node: Node) -> list[Expression]:
    """Every expression below ``node``, parents first (mypy.server.subexpr, compiled: far
    faster than a walk in Python; the daemon uses it, every version has it)."""
    return _get_subexpressions(node)


def tree_is_complete(tree: MypyFile) -> bool:
    """False for a tree a parallel worker holds in serialized form (mypy >= 2.4)."""
    return getattr(tree, "raw_data", None) is None
