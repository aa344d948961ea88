"""mypy's own errors about an un-awaited coroutine, filed under ``missing-await``.

mypy reports many uses of a coroutine that should have been awaited under generic codes
(``assignment``, ``arg-type``, ``return-value``, ``attr-defined``, ``operator``,
``index``, ...) and follows each with the note 'Maybe you forgot to use "await"?'
(``mypy.checker.check_possible_missing_await``, ``mypy.checkmember``).  With
``check_all_awaits`` the plugin owns every coroutine misuse: when that note arrives, the
error it follows (and the notes between them, which elaborate it) is taken back and one
``missing-await`` error with mypy's own explanation is reported in its place -- when the
value is a coroutine (mypy's message names a ``"Coroutine[...]"`` type).  mypy gives the
same note for other awaitables (a ``Task`` assigned where its result type is expected);
there awaiting is rarely the fix, and mypy's error stands.

mypy gives no note where the coroutine's result is ``Any`` (``get_precise_awaitable_type``
gives up on ``Any``), though awaiting would make the line type-check all the same: an
argument, an assignment or a return whose given type is ``"Coroutine[Any, Any, Any]"`` and
whose expected type is no awaitable is taken the same way, unless the line has a
``# type: ignore`` (which then keeps applying to mypy's error), or the expected type is a
callable (``call_soon(f())``: the function was meant, not ``await``) or ``Hashable``.
Any other error of mypy's about a coroutine where the plugin has filed a ``missing-await``
already is the same finding, and is dropped with its notes: at the same place, or at a later
use of a name bound once to the coroutine, misused and awaited later (``r[0]``, ``r[1]``,
``await r``; :func:`.roles.reported_earlier`), unless that line has a ``# type: ignore``.

mypy's error for a function awaited, not a call of it (``await self.fetch``: ``Incompatible
types in "await" (actual type "Callable[...]", ...)  [misc]``) is taken back the same way,
and one ``await-not-awaitable`` error reported in its place, at the operand, named as
written (:mod:`.awaited_functions`); where the operand is no name or chain of attributes
(``await (lambda: 1)``) mypy's error stands.

mypy gives no note where no item of an overloaded callee matches a call with a coroutine
argument (``max(fetch())``: ``[call-overload]``, followed by notes listing the items), nor
where a generic callee's type variable is inferred from one (``enumerate(fetch())``:
``[arg-type]``, ``expected "Iterable[Never]"``, then ``Need type annotation`` for the name
the value is stored in).  There mypy is asked to check the call again with each coroutine
argument awaited (``mypy_internals.call_result_with``), and where it then accepts the call,
one ``missing-await`` is reported at the argument in place of the error, its notes and the
``Need type annotation``.

Otherwise nothing is re-computed: the verdict is mypy's, only the label changes.  mypy
hands an error to its watchers before it looks at the line's ``# type: ignore``: an error
and its note that an ignore silences are never recorded, so the note's rule finds nothing
to take back; every rule that acts on an error itself keeps it where an ignore on its line
covers it (taken back, it would leave the comment unused).  An error mypy drops inside an
attempt (an overload item being tried) never reaches this watcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from mypy.errorcodes import ARG_TYPE, ASSIGNMENT, CALL_OVERLOAD, MISC, RETURN_VALUE, VAR_ANNOTATED
from mypy.errors import ErrorInfo, Errors, ErrorWatcher
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    AssignmentStmt,
    CallExpr,
    Expression,
    ForStmt,
    FuncItem,
    MemberExpr,
    MypyFile,
    NameExpr,
    Node,
    Statement,
)
from mypy.types import Type

from mypy_wsplugin.checks.awaited_functions import await_at, is_mypys_function_awaited
from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.facts.coroutine_tests import written
from mypy_wsplugin.facts.roles import reported_earlier
from mypy_wsplugin.facts.statements import StatementWalker, store_targets
from mypy_wsplugin.facts.types import coroutine_result, function_giving, is_any
from mypy_wsplugin.messages import (
    function_awaited,
    internal_error,
    missing_await_argument,
    missing_await_noted,
)
from mypy_wsplugin.mypy_internals import (
    UNKNOWN_FUNCTION,
    Checker,
    call_result_with,
    call_types,
    checker_now,
    current_file,
    current_function,
    file_ignores,
    function_being_checked,
    get_subexpressions,
    in_daemon_process,
    inferable,
    is_bottom_watcher,
    keep_bottom_watcher,
    module_being_checked,
    module_being_reported,
    recorded_errors,
)
from mypy_wsplugin.notices import say_once

# mypy.messages.MessageBuilder.possible_missing_await (every supported version).
AWAIT_NOTE: Final = 'Maybe you forgot to use "await"?'
# How mypy's messages show a coroutine's type (mypy.messages.format_type), and one whose
# result is Any.
COROUTINE_TYPE: Final = '"Coroutine['
_ANY_RESULT_COROUTINE: Final = '"Coroutine[Any, Any, Any]"'
# mypy's reveal_type() and reveal_locals() notes, which stand alone.
_REVEALED: Final = "Revealed "
# How far back the error a note follows can be: the notes mypy adds between them.
_LOOKBACK: Final = 6
# An expected type with Never in it: mypy inferred a type variable from the coroutine and
# found nothing (mypy.messages.incompatible_argument: "...; expected "Iterable[Never]"").
_NOT_INFERRED: Final = re.compile(r'; expected "[^"]*\bNever\b')
# mypy.messages.need_annotation_for_var (every supported version).
_NEEDS_ANNOTATION: Final = re.compile(r'Need type annotation for "([^"]+)"')
# mypy.messages.MessageBuilder.no_variant_matches_arguments (every supported version).
_NO_OVERLOAD: Final = "No overload variant of "
# mypy's messages for an argument, an assignment and a return of a coroutine whose result
# is Any (mypy.messages: incompatible_argument, message_registry.INCOMPATIBLE_TYPES_IN_
# ASSIGNMENT, INCOMPATIBLE_RETURN_VALUE_TYPE), with the expected type.
_ANY_RESULT_CODES: Final = (ARG_TYPE, ASSIGNMENT, RETURN_VALUE)
_ANY_RESULT_MISUSE: Final = re.compile(
    r'(?:has incompatible type|expression has type|got) "Coroutine\[Any, Any, Any\]"[;,] '
    r'(?:expected|variable has type) "(?P<expected>[^"]*)"'
)
# An expected type that is itself awaitable: a Task or Future was meant, not the result.
_AWAITABLE_EXPECTED: Final = re.compile(r"(?:^|\W)(?:Task|Future|Awaitable|Coroutine)\[")
# An expected callable: the function itself was meant, not a call of it (``call_soon(f())``,
# ``Thread(target=f())``); ``Hashable``: a coroutine is one (mypy's error is its own).
_NOT_THE_RESULT_EXPECTED: Final = re.compile(r"(?:^|\W)(?:Callable\[|Hashable\b)|^def \(")


class AwaitNotes:
    def __init__(
        self, active: bool, program: Callable[[], dict[str, MypyFile] | None] = lambda: None
    ) -> None:
        self.active = active
        self._program = program  # mypy's modules, once known
        self._watcher: ErrorWatcher | None = None
        # Where mypy's last error was dropped as the same finding: its notes go with it.
        self._dropped: tuple[str, int, int] | None = None
        # What an exception here is handed to (the hooks' ``Engine._failed``, once loaded):
        # after one, mypy's errors stay as they are.
        self.on_failure: Callable[[Exception, int], object] | None = None
        self._failed = False

    def watch(self, errors: Errors | None) -> None:
        """Make sure the build's ``errors`` are watched (asked at each plugin callback)."""
        if not self.active or errors is None or is_bottom_watcher(errors, self._watcher):
            return
        self._watcher = keep_bottom_watcher(
            errors, self._watcher, lambda file, info: self._on_error(errors, file, info)
        )

    def _on_error(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """Whether mypy's error or note ``info`` is dropped (re-labelled, or the same finding
        as one filed).  A bug here must not crash mypy: it is said once, and from then on
        every error of mypy's stands."""
        if self._failed:
            return False
        try:
            return self._judge(errors, file, info)
        except Exception as error:
            self._failed = True
            if self.on_failure is None:
                say_once(internal_error(info.line, error, in_daemon_process()))
            else:
                self.on_failure(error, info.line)
            return False

    def _judge(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        if info.severity != "error":
            if self._dropped == (file, info.line, info.column) and not info.message.startswith(
                _REVEALED
            ):
                return True  # a note about mypy's error just dropped
        elif COROUTINE_TYPE in info.message and self._same_finding(errors, file, info):
            self._dropped = (file, info.line, info.column)
            return True
        else:
            self._dropped = None
        if info.severity == "error" and info.code == VAR_ANNOTATED:
            return self._not_inferred_store(errors, file, info)
        if (
            info.severity == "error"
            and info.code == ARG_TYPE
            and COROUTINE_TYPE in info.message
            and _NOT_INFERRED.search(info.message)
            and self._not_inferred(errors, file, info)
        ):
            self._dropped = (file, info.line, info.column)
            return True
        if info.severity == "error" and info.code in _ANY_RESULT_CODES:
            return self._any_result(errors, file, info)
        if info.severity == "error" and info.code == CALL_OVERLOAD:
            if COROUTINE_TYPE in info.message and self._no_overload(errors, file, info):
                self._dropped = (file, info.line, info.column)  # its notes list the items
                return True
            return False
        if info.severity == "error" and info.code == MISC:
            return is_mypys_function_awaited(info.message) and self._function(errors, file, info)
        if info.severity != "note" or info.message != AWAIT_NOTE:
            return False
        if file != current_file(errors) or not errors.is_error_code_enabled(MISSING_AWAIT):
            return False
        recorded = recorded_errors(errors, file)
        index = _noted_error(recorded, info)
        if index is None:
            return False
        error = recorded[index]
        if COROUTINE_TYPE not in error.message:
            return False
        del recorded[index:]
        if not _already_reported(recorded[-_LOOKBACK:], error):
            _report_instead(errors, error)
        return True

    def _same_finding(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """Whether mypy's error about a coroutine is a finding filed already: a
        ``missing-await`` at its place, or at an earlier use of the name it is about
        (:func:`.roles.reported_earlier`).  One finding is one error."""
        if file != current_file(errors):
            return False
        recorded = recorded_errors(errors, file)
        if _already_reported(recorded, info):
            return True
        reported = _reported_places(recorded)
        if not reported or info.line in file_ignores(errors):
            # A ``# type: ignore`` on the line keeps applying to mypy's error (taken back
            # here, it would be left unused).
            return False
        program, module = self._program(), module_being_reported(errors)
        tree = program.get(module) if program is not None and module else None
        owner = function_being_checked(errors)
        if tree is None or owner is UNKNOWN_FUNCTION:
            return False
        scope = owner if isinstance(owner, FuncItem) else tree
        return reported_earlier(scope, info.line, info.column, reported)

    def _any_result(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error about a coroutine whose result is Any (no note follows it)."""
        found = _ANY_RESULT_MISUSE.search(info.message)
        if (
            found is None
            or _AWAITABLE_EXPECTED.search(found.group("expected"))
            or _NOT_THE_RESULT_EXPECTED.search(found.group("expected"))
            or file != current_file(errors)
            or info.line in file_ignores(errors)
            or not errors.is_error_code_enabled(MISSING_AWAIT)
        ):
            return False
        _report_instead(errors, info)
        return True

    def _no_overload(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error that no item of an overloaded function accepts a call that has a
        coroutine argument (``max(fetch())``, ``list(rows())``, ``int(read())``; no note
        follows it): where awaiting the coroutine arguments makes an item accept the call,
        one ``missing-await`` at each of them (:meth:`_awaiting_fixes`)."""
        if not info.message.startswith(_NO_OVERLOAD):
            return False
        return self._awaiting_fixes(errors, file, info, _calls_at, at_the_error=False)

    def _not_inferred(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error about a coroutine passed to a generic callee whose type variables
        it then infers as ``Never`` (``enumerate(rows())``, ``tuple(rows())``: ``expected
        "Iterable[Never]"``; no note follows it, awaiting gives no ``Never``): where
        awaiting the coroutine arguments makes mypy accept the call, one ``missing-await``
        at this argument (:meth:`_awaiting_fixes`).  mypy's ``Need type annotation`` for a
        name the statement stores the call's value in comes next: the same finding
        (:meth:`_not_inferred_store`)."""
        return self._awaiting_fixes(errors, file, info, _calls_with_argument_at, at_the_error=True)

    def _awaiting_fixes(
        self,
        errors: Errors,
        file: str,
        info: ErrorInfo,
        calls: Callable[[Node, int, int], list[CallExpr]],
        at_the_error: bool,
    ) -> bool:
        """Re-label mypy's error ``info`` about one of ``calls`` (those at its place in the
        function being checked) where mypy accepts the call with its coroutine arguments
        awaited (:func:`_coroutines_to_await`): one ``missing-await`` at each (or, where
        ``at_the_error``, at the argument mypy's error is at), unless it is the same finding
        as one filed already (as :meth:`_same_finding`).  A ``# type: ignore`` naming
        mypy's code on the call's lines keeps applying to mypy's error."""
        api = checker_now()
        if (
            api is None
            or file != current_file(errors)
            or not errors.is_error_code_enabled(MISSING_AWAIT)
        ):
            return False
        scope = _scope_checked(api)
        call: CallExpr | None = None
        awaited: list[Expression] = []
        for candidate in calls(scope, info.line, info.column):
            awaited, _ = _coroutines_to_await(api, candidate)
            if at_the_error:
                awaited = [a for a in awaited if (a.line, a.column) == (info.line, info.column)]
            if awaited:
                call = candidate
                break
        if call is None:
            return False
        ignores = file_ignores(errors)
        lines = range(call.line, max(call.line, call.end_line or call.line) + 1)
        if info.code is not None and any(info.code.code in (ignores.get(n) or ()) for n in lines):
            return False
        from mypy_wsplugin.reporting import report_instead_of_mypys  # the hooks' imports

        reported = _reported_places(recorded_errors(errors, file))
        for argument in awaited:
            if _filed_already(scope, argument, reported):
                continue
            if len(awaited) == 1:
                message = missing_await_noted(info.message)
            else:
                message = missing_await_argument(info.message, _argument_named(call, argument))
            report_instead_of_mypys(errors, MISSING_AWAIT, message, argument, call)
        return True

    def _not_inferred_store(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's ``Need type annotation for "x"`` where the statement stores in ``x`` the
        value of a call (``x = enumerate(rows())``, ``for i, x in enumerate(rows()):``)
        whose coroutine arguments are filed as missing their ``await`` (by
        :meth:`_not_inferred`, or earlier, for a name), and that gives a type mypy takes
        for ``x`` once they are awaited: what mypy could not infer is the coroutine's, and
        awaiting it fixes both.  A ``# type: ignore`` that covers mypy's error keeps it (it
        would be left unused).  mypy reports this error for many other reasons: the
        questions that need no walk come first (a file with no ``missing-await`` has
        nothing to drop, a value that is no call none to ask about)."""
        named = _NEEDS_ANNOTATION.match(info.message)
        if named is None or file != current_file(errors):
            return False
        reported = _reported_places(recorded_errors(errors, file))
        codes = file_ignores(errors).get(info.line)
        api = checker_now()
        if (
            not reported
            or (codes is not None and (not codes or VAR_ANNOTATED.code in codes))
            or api is None
        ):
            return False
        scope = _scope_checked(api)
        call = _stored_call(scope, info.line, named.group(1))
        if call is None:
            return False
        awaited, given = _coroutines_to_await(api, call)
        if not awaited or given is None or not inferable(api, given):
            return False
        return all(_filed_already(scope, argument, reported) for argument in awaited)

    def _function(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error about a function awaited, not a call of it."""
        if file != current_file(errors) or not errors.is_error_code_enabled(AWAIT_NOT_AWAITABLE):
            return False
        program, module = self._program(), module_being_reported(errors)
        tree = program.get(module) if program is not None and module else None
        awaited = await_at(tree, info.line, info.column) if tree is not None else None
        what = written(awaited.expr) if awaited is not None else None
        if awaited is None or what is None:
            return False
        from mypy_wsplugin.reporting import report_instead_of_mypys  # the hooks' imports

        message = function_awaited(what)
        report_instead_of_mypys(errors, AWAIT_NOT_AWAITABLE, message, awaited.expr, awaited)
        return True


def _reported_places(recorded: list[ErrorInfo]) -> set[tuple[int, int]]:
    """Where ``missing-await`` findings are among ``recorded`` (line, column)."""
    return {(e.line, e.column) for e in recorded if e.code == MISSING_AWAIT}


def _filed_already(
    scope: FuncItem | MypyFile, argument: Expression, reported: set[tuple[int, int]]
) -> bool:
    """Whether a coroutine ``argument`` is a finding filed already (one of ``reported``):
    at its place, or at an earlier use of the name it is (:func:`.roles.reported_earlier`)."""
    place = (argument.line, argument.column)
    return place in reported or reported_earlier(scope, *place, reported)


def _scope_checked(api: Checker) -> FuncItem | MypyFile:
    """The function mypy checks now (the copy being checked, for one with value-restricted
    type variables), or its module at module or class level."""
    return current_function(api) or module_being_checked(api)


def _calls_at(scope: Node, line: int, column: int) -> list[CallExpr]:
    """The calls that start at ``line`` and ``column`` in ``scope`` (``f(x)(y)``: two),
    innermost first (asked only for such an error: one walk of the function)."""
    found = [
        e
        for e in get_subexpressions(scope)
        if isinstance(e, CallExpr) and e.line == line and e.column == column
    ]
    return found[::-1]


def _calls_with_argument_at(scope: Node, line: int, column: int) -> list[CallExpr]:
    """The calls in ``scope`` with an argument that starts at ``line`` and ``column``."""
    return [
        e
        for e in get_subexpressions(scope)
        if isinstance(e, CallExpr) and any(a.line == line and a.column == column for a in e.args)
    ]


def _stored_call(scope: FuncItem | MypyFile, line: int, name: str) -> CallExpr | None:
    """The call whose value the statement of ``scope`` at ``line`` stores in ``name``: an
    assignment whose value is the call (``x = y = f(...)``, ``self.x = f(...)``), or a
    ``for`` loop over it."""
    finder = _StoredCall(line, name)
    finder.scope(scope)
    return finder.found


class _StoredCall(StatementWalker):
    def __init__(self, line: int, name: str) -> None:
        self.line = line
        self.name = name
        self.found: CallExpr | None = None

    def _stores(self, value: Expression, targets: list[Expression], s: Statement) -> None:
        if not isinstance(value, CallExpr) or not s.line <= self.line <= (s.end_line or s.line):
            return
        for target in targets:
            for t in store_targets(target):
                if isinstance(t, (NameExpr, MemberExpr)) and t.name == self.name:
                    self.found = value

    def visit_assignment(self, s: AssignmentStmt) -> None:
        self._stores(s.rvalue, s.lvalues, s)

    def visit_for(self, s: ForStmt) -> None:
        self._stores(s.expr, [s.index], s)
        super().visit_for(s)


def _argument_named(call: CallExpr, argument: Expression) -> str:
    """How a message names an argument of ``call``: its position, or its name quoted."""
    index = next(i for i, a in enumerate(call.args) if a is argument)
    name = call.arg_names[index]
    return f'"{name}"' if name is not None else str(index + 1)


def _coroutines_to_await(api: Checker, call: CallExpr) -> tuple[list[Expression], Type | None]:
    """The coroutine arguments of ``call`` (passed by position or by name) whose awaiting
    makes mypy accept it, every other argument as it is, and what the call then gives;
    none where that does not, or where mypy accepts the call as it is (another call starts
    at the place of mypy's error).  Where a coroutine's result is ``Any``, awaiting it
    would make any parameter accept it, so a function there must not do as well: where the
    callee would take the function that gives the coroutine instead (a callback was meant,
    not its call), none either."""
    typed = call_types(api, call)
    if typed is None:
        return [], None
    callee, types = typed
    if call_result_with(api, call, callee, types) is not None:
        # Not the call mypy's error is about: another that starts at the same place
        # (``h(c()).meth(s())``, ``f(c())[s()]``), or one of a callee typed Any.
        return [], None
    awaited = list(types)
    for index, typ in enumerate(types):
        result = coroutine_result(typ)
        if result is not None and call.arg_kinds[index] in (ARG_POS, ARG_NAMED):
            awaited[index] = result
    changed = [index for index, typ in enumerate(awaited) if typ is not types[index]]
    given = call_result_with(api, call, callee, awaited) if changed else None
    if given is None:
        return [], None
    unknown = [index for index in changed if is_any(awaited[index])]
    if unknown:
        # In place of each coroutine whose result is Any: the function that gives it.
        callbacks = list(awaited)
        for index in unknown:
            callbacks[index] = function_giving(api, types[index])
        if call_result_with(api, call, callee, callbacks) is not None:
            return [], None
    return [call.args[index] for index in changed], given


def _report_instead(errors: Errors, error: ErrorInfo) -> None:
    """One ``missing-await`` error in place of mypy's ``error``, with its explanation."""
    errors.report(
        error.line,
        error.column,
        missing_await_noted(error.message),
        code=MISSING_AWAIT,
        end_line=error.end_line,
        end_column=error.end_column,
    )


def _already_reported(recorded: list[ErrorInfo], error: ErrorInfo) -> bool:
    """Whether a ``missing-await`` error is filed among ``recorded`` where mypy files
    ``error``, the same line and column: one finding is one error.  mypy may give one
    coroutine several errors, each with the note (``async with make():`` looks up
    ``__aenter__`` and ``__aexit__``: the last few errors are asked); and a coroutine kept
    in a name and misused before it is awaited (``r = make()``, ``r[0]``, ``await r``) is
    reported by the plugin at the use while mypy's type for the name stays the coroutine,
    so mypy's own error there (``[index]``, ``[operator]``, ...; no note follows it where
    the result is Any) is the same finding (all the file's errors are asked).  Not the
    whole line: another error there may be about another coroutine."""
    return any(
        entry.code == MISSING_AWAIT and entry.line == error.line and entry.column == error.column
        for entry in recorded
    )


def _noted_error(recorded: list[ErrorInfo], note: ErrorInfo) -> int | None:
    """The index of the error ``note`` follows: the last error on its line and column
    with its code, with only notes of the same line after it."""
    for index in range(len(recorded) - 1, max(-1, len(recorded) - 1 - _LOOKBACK), -1):
        entry = recorded[index]
        if entry.line != note.line:
            return None
        if entry.severity == "error":
            same = entry.column == note.column and entry.code == note.code
            return index if same else None
    return None
