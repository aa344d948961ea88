"""What the plugin needs from mypy's ``Errors``: reporting past mypy's error watchers, the
errors recorded so far, reporting into another file or target, what mypy already printed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from mypy.errors import ErrorInfo, Errors, ErrorWatcher
from mypy.nodes import (
    FuncBase,
    FuncDef,
    MypyFile,
)
from mypy.options import Options
from mypy.scope import Scope as TargetScope

from mypy_wsplugin.mypy_internals.checker import Checker
from mypy_wsplugin.mypy_internals.startup import in_daemon_process


def errors_of(api: Checker) -> Errors:
    """The build's ``Errors``, through the checker's MessageBuilder."""
    return api.msg.errors


# What ``function_being_checked`` answers where the function cannot be told.
UNKNOWN_FUNCTION: Final = object()


def function_being_checked(errors: Errors) -> FuncBase | object | None:
    """At a hook lookup, which has no checker: the innermost function mypy is checking, None
    at module or class level, or ``UNKNOWN_FUNCTION`` where that cannot be told (every hook
    is then given).

    The build's ``Errors.scope`` is the checker's target scope (``mypy.scope.Scope``, set by
    ``Errors.set_file``); its ``functions`` lists the functions entered, nested ones and
    lambdas included (both in 1.14 - 2.4).  Asked at about 100k hook lookups on ``make
    bench``'s ALL target: a ``try`` costs nothing where the attributes exist."""
    try:
        scope = errors.scope
        functions = scope.functions if scope is not None else None
    except AttributeError:
        functions = None
    if functions is None:
        return UNKNOWN_FUNCTION
    return functions[-1] if functions else None


def module_being_reported(errors: Errors) -> str | None:
    """The module whose errors mypy records now (``Errors.target_module``, 1.14 - 2.4)."""
    return getattr(errors, "target_module", None)


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


def is_bottom_watcher(errors: Errors, watcher: ErrorWatcher | None) -> bool:
    """Whether ``watcher`` is already at the bottom of ``errors``' watcher stack (see
    keep_bottom_watcher; asked at every hook, so kept to identity checks)."""
    stack = errors._watchers
    return watcher is not None and bool(stack) and stack[0] is watcher


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
    if watcher is not None and is_bottom_watcher(errors, watcher):
        return watcher
    stack = errors._watchers
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


def reconsider_ignores(errors: Errors, path: str, made: bool) -> None:
    """The daemon: mypy reports a changed module's unused ``# type: ignore`` comments, and
    those without a code (``ignore-without-code``, naming the codes they silence), before
    its finish passes (``server.update.update_module_isolated``), a build after them
    (``build.process_stale_scc``).  So a finding filed in those passes under a code an
    ignore names (the pass after type checking: ``reporting._code_for_lines``) used an
    ignore the daemon has already called unused, or named no code for.  Both kinds of
    error of ``path`` are made again from the ignores used now, with the module's options
    (the error context of the module mypy is finishing): where mypy has ``made`` them in
    this update (the module it is finishing), or where some are recorded (another
    module's, from an earlier callback).  Filing a finding can only use an ignore."""
    infos = errors.error_info_map.get(path)
    recorded = bool(infos) and any(_made_by_ignores(info) for info in infos or [])
    if not made and not recorded:
        return
    if infos:
        infos[:] = [info for info in infos if not _made_by_ignores(info)]
    from mypy import errorcodes  # the pass that files findings there needs mypy 2.4

    options = errors.options
    enabled, disabled = options.enabled_error_codes, options.disabled_error_codes
    unused = errorcodes.UNUSED_IGNORE
    if (options.warn_unused_ignores or unused in enabled) and unused not in disabled:
        errors.generate_unused_ignore_errors(path)
    if errors.is_error_code_enabled(errorcodes.IGNORE_WITHOUT_CODE):
        errors.generate_ignore_without_code_errors(path, options.warn_unused_ignores)


# The codes of the errors mypy makes from a file's ignores themselves (by name: mypy 1.0
# has no ``errorcodes.UNUSED_IGNORE``, and this module is imported on any mypy).
_IGNORES_CODES: Final = frozenset({"unused-ignore", "ignore-without-code"})


def _made_by_ignores(info: ErrorInfo) -> bool:
    return info.code is not None and info.code.code in _IGNORES_CODES


def last_filed(errors: Errors, message: str) -> object | None:
    """The error just filed with ``message`` in the file being reported, if it was (an
    ignore comment may have kept it out): the last entry of ``Errors.error_info_map``."""
    infos = recorded_errors(errors, errors.file)
    return infos[-1] if infos and infos[-1].message == message else None


def still_filed(errors: Errors, error: object) -> bool:
    """Whether ``error`` (from :func:`last_filed`) is still among the file's errors: the
    daemon clears a fine-grained target's before it checks the target again."""
    return any(info is error for info in recorded_errors(errors, errors.file))


def attempt_failed(errors: Errors) -> bool:
    """Whether the innermost attempt (an overload item being tried) already has errors:
    mypy will not pick that item (ErrorWatcher.has_new_errors)."""
    watchers = errors._watchers
    return bool(watchers) and watchers[-1].has_new_errors()


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


def errors_generation(errors: Errors) -> object:
    """An object that changes when the daemon resets the build's errors (Errors.initialize
    makes a new error map)."""
    return errors.error_info_map


def flushed_files(errors: Errors) -> object:
    """The set of files whose errors mypy has printed; a new set after Errors.reset()."""
    return errors.flushed_files


def errors_in_file(errors: Errors, path: str) -> object:
    """The list holding ``path``'s errors (``Errors.error_info_map``, 1.14 - 2.4): mypy
    appends to it, and makes a new one when it clears a fine-grained target's errors
    (``clear_errors_in_targets``) or resets them all."""
    return errors.error_info_map.get(path)


def filed_messages(errors: Errors, path: str, target: str) -> set[str]:
    """The messages filed for ``path`` under the fine-grained ``target`` (``ErrorInfo.target``
    and ``message``, 1.14 - 2.4)."""
    return {info.message for info in errors.error_info_map.get(path, ()) if info.target == target}


def is_flushed(errors: Errors, path: str) -> bool:
    """Whether mypy has already printed (and cached) ``path``'s errors: reporting more
    there trips an assertion in ``Errors``."""
    return path in errors.flushed_files


def printed_again(errors: Errors, path: str | None = None) -> None:
    """The daemon: about to report in the file mypy checks, whose errors an earlier
    ``update`` of the same command printed (``FineGrainedBuildManager.update`` runs again
    when following imports removes a module, and re-checks every target with errors
    without resetting them: reporting there trips an assertion in ``Errors``, and its
    messages would leave the file out).  The file (``path``, else the one mypy checks) is
    printed again with that update's messages, its errors as they are then (1.14 - 2.4:
    ``Errors.flushed_files``).  Nothing outside the daemon's process, where a file is
    checked once: there reporting in a printed one is a bug, to fail as such."""
    if in_daemon_process():
        errors.flushed_files.discard(errors.file if path is None else path)


def errors_ignored(errors: Errors, path: str) -> bool:
    """Whether mypy drops every error of ``path`` (``follow_imports = silent``, ...)."""
    return path in errors.ignored_files


def shown_path(errors: Errors, path: str) -> str:
    """``path`` as mypy shows a file's path (``Errors.simplify_path``: relative to the
    working directory unless ``show_absolute_path``)."""
    return errors.simplify_path(path)


def current_file(errors: Errors) -> str:
    return errors.file


def file_ignores(errors: Errors) -> dict[int, list[str]]:
    """The current file's ``# type: ignore`` comments: line -> the codes named (none: all)."""
    return errors.ignored_lines.get(errors.file) or {}


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
