"""Every use of a mypy internal, behind one door: import them from here.

mypy's plugin API (``mypy.plugin``) gives hooks a ``ctx.api`` typed as
``CheckerPluginInterface``; the plugin needs a few things that interface does not offer.
Each is wrapped in this package, with what it needs and since which version it is known to
work: ``versions`` (the running mypy, the tested range, the start-up probes),
``checker`` (the ``TypeChecker`` a hook gets), ``errors`` (mypy's ``Errors``), ``build``
(the build manager, the daemon, facts kept in mypy's cache).  At start-up the probes check
that each is present on the running mypy; a feature whose internal is missing is switched
off (see :data:`Capabilities`), and the plugin says so in one line instead of failing
inside mypy.

Tested range: see :data:`TESTED_RANGE` (``make test`` runs both ends).
"""

from __future__ import annotations

from mypy_wsplugin.mypy_internals.build import (
    Manager,
    can_find_module,
    errors_made_for,
    errors_of_manager,
    find_build_errors,
    find_manager,
    flush_file,
    hidden_symbol_type,
    hidden_symbols,
    in_daemon_process,
    is_daemon,
    is_parallel_worker,
    put_hidden_symbol,
    tree_is_complete,
    typeshed_dir,
)
from mypy_wsplugin.mypy_internals.checker import (
    Checker,
    awaited_type,
    contains_any,
    current_function,
    current_target,
    declared_return,
    depend_on,
    expression_type,
    get_subexpressions,
    in_async_function,
    module_being_checked,
    modules,
    narrowed_attribute_type,
    refer_to_module,
    rest_of_chain,
)
from mypy_wsplugin.mypy_internals.errors import (
    UNKNOWN_FUNCTION,
    attempt_failed,
    current_file,
    errors_generation,
    errors_ignored,
    errors_of,
    flushed_files,
    function_being_checked,
    ignored_codes,
    is_bottom_watcher,
    is_flushed,
    keep_bottom_watcher,
    module_being_reported,
    outside_attempts,
    recorded_errors,
    report_notes,
    reporting_in,
    shown_path,
)
from mypy_wsplugin.mypy_internals.versions import (
    CAPABILITIES,
    MYPY,
    MYPY_VERSION,
    TESTED_RANGE,
    Capabilities,
    in_tested_range,
    parse_version,
)

__all__ = [
    "CAPABILITIES",
    "MYPY",
    "MYPY_VERSION",
    "TESTED_RANGE",
    "UNKNOWN_FUNCTION",
    "Capabilities",
    "Checker",
    "Manager",
    "attempt_failed",
    "awaited_type",
    "can_find_module",
    "contains_any",
    "current_file",
    "current_function",
    "current_target",
    "declared_return",
    "depend_on",
    "errors_generation",
    "errors_ignored",
    "errors_made_for",
    "errors_of",
    "errors_of_manager",
    "expression_type",
    "find_build_errors",
    "find_manager",
    "flush_file",
    "flushed_files",
    "function_being_checked",
    "get_subexpressions",
    "hidden_symbol_type",
    "hidden_symbols",
    "ignored_codes",
    "in_async_function",
    "in_daemon_process",
    "in_tested_range",
    "is_bottom_watcher",
    "is_daemon",
    "is_flushed",
    "is_parallel_worker",
    "keep_bottom_watcher",
    "module_being_checked",
    "module_being_reported",
    "modules",
    "narrowed_attribute_type",
    "outside_attempts",
    "parse_version",
    "put_hidden_symbol",
    "recorded_errors",
    "refer_to_module",
    "report_notes",
    "reporting_in",
    "rest_of_chain",
    "shown_path",
    "tree_is_complete",
    "typeshed_dir",
]
