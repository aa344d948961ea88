"""Every use of a mypy internal, behind one door: import them from here.

mypy's plugin API (``mypy.plugin``) gives hooks a ``ctx.api`` typed as
``CheckerPluginInterface``; the plugin needs a few things that interface does not offer.
Each is wrapped in this package, with what it needs and since which version it is known to
work: ``versions`` (the running mypy, the tested range, the start-up probes),
``startup`` (what the plugin's constructor reads of the run), ``checker`` (the
``TypeChecker`` a hook gets), ``errors`` (mypy's ``Errors``), ``build`` (the build manager,
the daemon, facts kept in mypy's cache).  At start-up the probes check
that each is present on the running mypy; a feature whose internal is missing is switched
off (see :data:`Capabilities`), and the plugin says so in one line instead of failing
inside mypy.

Tested range: see :data:`TESTED_RANGE` (``make test`` runs both ends).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_wsplugin.mypy_internals.build import (
        Manager,
        ModuleState,
        can_find_module,
        daemon_dependencies,
        daemon_graph,
        drop_added_dependency,
        errors_of_manager,
        find_build_errors,
        find_manager,
        flush_file,
        graph_modules,
        hidden_symbol_type,
        hidden_symbols,
        is_parallel_worker,
        make_cache_dir,
        put_hidden_symbol,
        reanalyse_when_module_changes,
        tree_is_complete,
    )
    from mypy_wsplugin.mypy_internals.checker import (
        Checker,
        awaited_type,
        call_result_with,
        call_types,
        checker_now,
        contains_any,
        current_function,
        current_target,
        declared_return,
        depend_on,
        expression_type,
        get_subexpressions,
        in_async_function,
        inferable,
        module_being_checked,
        modules,
        narrowed_attribute_type,
        refer_to_module,
        rest_of_chain,
        use_daemon_dependencies,
    )
    from mypy_wsplugin.mypy_internals.errors import (
        UNKNOWN_FUNCTION,
        attempt_failed,
        current_file,
        errors_generation,
        errors_ignored,
        errors_in_file,
        errors_of,
        file_ignores,
        filed_messages,
        flushed_files,
        function_being_checked,
        is_bottom_watcher,
        is_flushed,
        keep_bottom_watcher,
        last_filed,
        module_being_reported,
        outside_attempts,
        recorded_errors,
        report_notes,
        reporting_in,
        shown_path,
        still_filed,
    )
    from mypy_wsplugin.mypy_internals.startup import (
        errors_made_for,
        in_daemon_process,
        is_daemon,
        typeshed_dir,
        will_parse,
    )
    from mypy_wsplugin.mypy_internals.versions import (
        CAPABILITIES,
        ERRORS_CACHED_AS_PRINTED,
        MYPY,
        MYPY_VERSION,
        TESTED_RANGE,
        Capabilities,
        in_tested_range,
        parse_version,
    )

# Where each name lives.  A submodule is imported at the first use of one of its names, so
# that a run that finds everything in its cache loads only what start-up needs (``startup``,
# ``versions``, both kept Python): not the wrappers of the build, of the checker and of
# mypy's ``Errors``, nor the compiled library that holds them in a compiled build.
_HOMES: dict[str, str] = {
    # build
    "Manager": "build",
    "ModuleState": "build",
    "can_find_module": "build",
    "daemon_dependencies": "build",
    "daemon_graph": "build",
    "drop_added_dependency": "build",
    "errors_of_manager": "build",
    "find_build_errors": "build",
    "find_manager": "build",
    "flush_file": "build",
    "graph_modules": "build",
    "hidden_symbol_type": "build",
    "hidden_symbols": "build",
    "is_parallel_worker": "build",
    "make_cache_dir": "build",
    "put_hidden_symbol": "build",
    "reanalyse_when_module_changes": "build",
    "tree_is_complete": "build",
    # startup
    "errors_made_for": "startup",
    "in_daemon_process": "startup",
    "is_daemon": "startup",
    "typeshed_dir": "startup",
    "will_parse": "startup",
    # checker
    "Checker": "checker",
    "awaited_type": "checker",
    "call_result_with": "checker",
    "call_types": "checker",
    "checker_now": "checker",
    "contains_any": "checker",
    "current_function": "checker",
    "current_target": "checker",
    "declared_return": "checker",
    "depend_on": "checker",
    "use_daemon_dependencies": "checker",
    "expression_type": "checker",
    "get_subexpressions": "checker",
    "in_async_function": "checker",
    "inferable": "checker",
    "module_being_checked": "checker",
    "modules": "checker",
    "narrowed_attribute_type": "checker",
    "refer_to_module": "checker",
    "rest_of_chain": "checker",
    # errors
    "UNKNOWN_FUNCTION": "errors",
    "attempt_failed": "errors",
    "current_file": "errors",
    "errors_generation": "errors",
    "errors_ignored": "errors",
    "errors_in_file": "errors",
    "errors_of": "errors",
    "file_ignores": "errors",
    "filed_messages": "errors",
    "flushed_files": "errors",
    "function_being_checked": "errors",
    "is_bottom_watcher": "errors",
    "is_flushed": "errors",
    "keep_bottom_watcher": "errors",
    "last_filed": "errors",
    "module_being_reported": "errors",
    "outside_attempts": "errors",
    "recorded_errors": "errors",
    "report_notes": "errors",
    "reporting_in": "errors",
    "shown_path": "errors",
    "still_filed": "errors",
    # versions
    "CAPABILITIES": "versions",
    "ERRORS_CACHED_AS_PRINTED": "versions",
    "Capabilities": "versions",
    "MYPY": "versions",
    "MYPY_VERSION": "versions",
    "TESTED_RANGE": "versions",
    "in_tested_range": "versions",
    "parse_version": "versions",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
        globals()[name] = value
        return value


__all__ = [
    "CAPABILITIES",
    "ERRORS_CACHED_AS_PRINTED",
    "MYPY",
    "MYPY_VERSION",
    "TESTED_RANGE",
    "UNKNOWN_FUNCTION",
    "Capabilities",
    "Checker",
    "Manager",
    "ModuleState",
    "attempt_failed",
    "awaited_type",
    "call_result_with",
    "call_types",
    "can_find_module",
    "checker_now",
    "contains_any",
    "current_file",
    "current_function",
    "current_target",
    "daemon_dependencies",
    "daemon_graph",
    "declared_return",
    "depend_on",
    "drop_added_dependency",
    "errors_generation",
    "errors_ignored",
    "errors_in_file",
    "errors_made_for",
    "errors_of",
    "errors_of_manager",
    "expression_type",
    "file_ignores",
    "filed_messages",
    "find_build_errors",
    "find_manager",
    "flush_file",
    "flushed_files",
    "function_being_checked",
    "get_subexpressions",
    "graph_modules",
    "hidden_symbol_type",
    "hidden_symbols",
    "in_async_function",
    "in_daemon_process",
    "in_tested_range",
    "inferable",
    "is_bottom_watcher",
    "is_daemon",
    "is_flushed",
    "is_parallel_worker",
    "keep_bottom_watcher",
    "last_filed",
    "make_cache_dir",
    "module_being_checked",
    "module_being_reported",
    "modules",
    "narrowed_attribute_type",
    "outside_attempts",
    "parse_version",
    "put_hidden_symbol",
    "reanalyse_when_module_changes",
    "recorded_errors",
    "refer_to_module",
    "report_notes",
    "reporting_in",
    "rest_of_chain",
    "shown_path",
    "still_filed",
    "tree_is_complete",
    "typeshed_dir",
    "use_daemon_dependencies",
    "will_parse",
]
