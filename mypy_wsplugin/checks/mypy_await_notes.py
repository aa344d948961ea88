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
``Need type annotation``.  The same for a coroutine as a dict display's key or value
(``[dict-item]``, checked again as the one entry of a display under the type context mypy
checked the display in) and as a tuple display's item where the tuple is assigned to a
declared target, returned or passed (``[assignment]``, ``[return-value]``, ``[arg-type]``
about the whole tuple, checked again against the declared type, the function's return type
or the call): mypy's note looks at the outer type only.

Otherwise nothing is re-computed: the verdict is mypy's, only the label changes.  mypy
hands an error to its watchers before it looks at the line's ``# type: ignore``: an error
and its note that an ignore silences are never recorded, so the note's rule finds nothing
to take back; every rule that acts on an error itself keeps it where an ignore on its line
covers it (taken back, it would leave the comment unused).  An error mypy drops inside an
attempt (an overload item being tried) never reaches this watcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial
from itertools import combinations
from typing import Final

from mypy.errorcodes import (
    ARG_TYPE,
    ASSIGNMENT,
    CALL_OVERLOAD,
    DICT_ITEM,
    LIST_ITEM,
    MISC,
    RETURN_VALUE,
    VAR_ANNOTATED,
    ErrorCode,
)
from mypy.errors import ErrorInfo, Errors, ErrorWatcher
from mypy.nodes import (
    ARG_NAMED,
    ARG_POS,
    ARG_STAR,
    ARG_STAR2,
    AssignmentStmt,
    CallExpr,
    DictExpr,
    Expression,
    ForStmt,
    FuncItem,
    IndexExpr,
    ListExpr,
    MypyFile,
    Node,
    OperatorAssignmentStmt,
    ReturnStmt,
    SetExpr,
    Statement,
    TempNode,
    TupleExpr,
)
from mypy.subtypes import is_subtype
from mypy.typeops import make_simplified_union
from mypy.types import AnyType, TupleType, Type, TypeOfAny, get_proper_type

from mypy_wsplugin.checks.awaited_functions import await_at, is_mypys_function_awaited
from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.facts.coroutine_tests import written
from mypy_wsplugin.facts.roles import (
    bound_once_to_call,
    reported_earlier,
    stored_to_await_later,
)
from mypy_wsplugin.facts.statements import StatementWalker, store_targets
from mypy_wsplugin.facts.types import coroutine_result, function_giving, is_any, iterated_item
from mypy_wsplugin.messages import (
    function_awaited,
    internal_error,
    missing_await_argument,
    missing_await_assigned,
    missing_await_noted,
)
from mypy_wsplugin.mypy_classes import (
    CALL_EXPR,
    DICT_EXPR,
    FUNC_ITEM,
    INDEX_EXPR,
    INSTANCE,
    LIST_EXPR,
    MEMBER_EXPR,
    NAME_EXPR,
    SET_EXPR,
    STAR_EXPR,
    TUPLE_EXPR,
    TUPLE_TYPE,
    VAR,
)
from mypy_wsplugin.mypy_internals import (
    UNKNOWN_FUNCTION,
    Checker,
    call_result_with,
    call_types,
    checker_now,
    current_file,
    current_function,
    dict_display_checked,
    display_context,
    expression_type,
    file_ignores,
    function_being_checked,
    get_subexpressions,
    in_daemon_process,
    index_types,
    inferable,
    is_bottom_watcher,
    keep_bottom_watcher,
    method_result_with,
    module_being_checked,
    module_being_reported,
    parameter_type,
    parts_types,
    printed_again,
    recorded_errors,
    return_expected,
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
# Where that type is an awaitable (``v: T | Awaitable[T]``: ``expected "Awaitable[Never]"``)
# the parameter takes the coroutine, and mypy's error is its own inference's: kept
# (_takes_awaitable).
_NOT_INFERRED: Final = re.compile(r'; expected "(?P<expected>[^"]*\bNever\b[^"]*)"')
# mypy.messages.MessageBuilder.invalid_keyword_var_arg and invalid_var_arg (every supported
# version): an argument unpacked with ``**`` that is no mapping, with ``*`` not iterable.
_NO_MAPPING_STARRED: Final = "Argument after ** must be a mapping, not "
_NOT_ITERABLE_STARRED: Final = "Expected iterable as variadic argument"
# mypy.messages.need_annotation_for_var (every supported version).
_NEEDS_ANNOTATION: Final = re.compile(r'Need type annotation for "([^"]+)"')
# mypy.messages.MessageBuilder.no_variant_matches_arguments (every supported version), and
# the same for an indexing (``xs[key()]``, ``xs[i] = fetch()``: list's methods are overloaded).
_NO_OVERLOAD: Final = "No overload variant of "
_NO_INDEX_OVERLOAD: Final = re.compile(r'No overload variant of "(__getitem__|__setitem__)" of ')
# mypy's message for a list or set comprehension whose items are coroutines
# (mypy.messages.incompatible_argument: the types unquoted).
_COROUTINE_COMPREHENSION: Final = re.compile(
    r"^(?:List|Set) comprehension has incompatible type (?:List|Set)\[Coroutine\["
)
# mypy's message for a dict display's entry (mypy.messages.incompatible_argument, the
# callee "<dict>"): its index among the display's items.
_DICT_ENTRY: Final = re.compile(r"^Dict entry (\d+) has incompatible type ")
# A tuple type with a coroutine item, as mypy's messages show it (``"tuple[...]"``, or
# ``"Tuple[...]"`` on older versions): an assignment's, a return's or an argument's value.
_COROUTINE_IN_TUPLE: Final = re.compile(r'"(?:tuple|Tuple)\[[^"]*\bCoroutine\[')
_TUPLE_VALUE_CODES: Final = (ASSIGNMENT, RETURN_VALUE, ARG_TYPE)
# mypy's message for a list display's item that is a tuple with a coroutine item
# (mypy.messages.incompatible_argument, the callee "<list>").
_COROUTINE_ITEM_IN_TUPLE: Final = re.compile(
    r'^List item \d+ has incompatible type "(?:tuple|Tuple)\[[^"]*\bCoroutine\['
)
# mypy's messages for an argument, an assignment, a return, a list item and a
# comprehension's item of a coroutine whose result is Any (mypy.messages:
# incompatible_argument, message_registry.INCOMPATIBLE_TYPES_IN_ASSIGNMENT,
# INCOMPATIBLE_RETURN_VALUE_TYPE), with the expected type.
_ANY_RESULT_CODES: Final = (ARG_TYPE, ASSIGNMENT, RETURN_VALUE, LIST_ITEM)
_ANY_RESULT_MISUSES: Final = (
    re.compile(
        r'(?:has incompatible type|expression has type|got) "Coroutine\[Any, Any, Any\]"[;,] '
        r'(?:expected|variable has type) "(?P<expected>[^"]*)"'
    ),
    re.compile(
        r"^(?:List|Set) comprehension has incompatible type (?:List|Set)"
        r"\[Coroutine\[Any, Any, Any\]\]; expected (?:List|Set)\[(?P<expected>.*)\]$"
    ),
)
# An expected type that is itself awaitable: a Task or Future was meant, not the result.
_AWAITABLE_EXPECTED: Final = re.compile(r"(?:^|\W)(?:Task|Future|Awaitable|Coroutine)\[")
# The same, as a whole type (a member of a union, or the type itself).
_AWAITABLE_TYPE: Final = re.compile(r"(?:[\w.]+\.)?(?:Task|Future|Awaitable|Coroutine)\[")
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
        elif (
            COROUTINE_TYPE in info.message or info.message.startswith(_NOT_ITERABLE_STARRED)
        ) and self._same_finding(errors, file, info):
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
            and (not_inferred := _NOT_INFERRED.search(info.message)) is not None
            and not _takes_awaitable(not_inferred.group("expected"))
            and self._not_inferred(errors, file, info)
        ):
            self._dropped = (file, info.line, info.column)
            return True
        if (
            info.severity == "error"
            and (
                (
                    info.code == DICT_ITEM
                    and (
                        COROUTINE_TYPE in info.message
                        or _COROUTINE_IN_TUPLE.search(info.message) is not None
                    )
                )
                or (info.code in _TUPLE_VALUE_CODES and _COROUTINE_IN_TUPLE.search(info.message))
                or (info.code == LIST_ITEM and _COROUTINE_ITEM_IN_TUPLE.match(info.message))
            )
            and self._in_display(errors, file, info)
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
            if is_mypys_function_awaited(info.message):
                return self._function(errors, file, info)
            return self._any_result(errors, file, info)
        if info.severity != "note" or info.message != AWAIT_NOTE:
            return False
        if file != current_file(errors) or not errors.is_error_code_enabled(MISSING_AWAIT):
            return False
        recorded = recorded_errors(errors, file)
        index = _noted_error(recorded, info)
        if index is None:
            return False
        error = recorded[index]
        if COROUTINE_TYPE not in error.message and not _COROUTINE_COMPREHENSION.match(
            error.message
        ):
            return False
        if _stored_to_await_later(error):
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
        reported, spans = _reported(recorded)
        if not reported or info.line in file_ignores(errors):
            # A ``# type: ignore`` on the line keeps applying to mypy's error (taken back
            # here, it would be left unused).
            return False
        program, module = self._program(), module_being_reported(errors)
        tree = program.get(module) if program is not None and module else None
        owner = function_being_checked(errors)
        if tree is None or owner is UNKNOWN_FUNCTION:
            return False
        scope = owner if isinstance(owner, FUNC_ITEM) else tree
        if reported_earlier(scope, info.line, info.column, reported, spans):
            return True
        return any(
            _filed_already(scope, argument, reported, spans)
            for argument in _unpacked_arguments(scope, info)
        )

    def _any_result(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error about a coroutine whose result is Any (no note follows it)."""
        found = next((f for f in (r.search(info.message) for r in _ANY_RESULT_MISUSES) if f), None)
        if (
            found is None
            or _AWAITABLE_EXPECTED.search(found.group("expected"))
            or _NOT_THE_RESULT_EXPECTED.search(found.group("expected"))
            or file != current_file(errors)
            or info.line in file_ignores(errors)
            or not errors.is_error_code_enabled(MISSING_AWAIT)
            or _stored_to_await_later(info)
        ):
            return False
        _report_instead(errors, info)
        return True

    def _no_overload(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error that no item of an overloaded function accepts a call that has a
        coroutine argument (``max(fetch())``, ``list(rows())``, ``int(read())``; no note
        follows it), or an indexing with a coroutine index or value (``xs[key()]``,
        ``xs[i] = fetch()``: ``__getitem__``, ``__setitem__``): where awaiting the
        coroutines makes an item accept it, one ``missing-await`` at each of them
        (:meth:`_awaiting_fixes`)."""
        if not info.message.startswith(_NO_OVERLOAD):
            return False
        indexing = _NO_INDEX_OVERLOAD.match(info.message)
        if indexing is not None:
            method = indexing.group(1)
            return self._awaiting_fixes(
                errors, file, info, lambda *at: _indexings_at(method, *at), at_the_error=False
            )
        return self._awaiting_fixes(
            errors, file, info, lambda *at: [_Call(c) for c in _calls_at(*at)], at_the_error=False
        )

    def _in_display(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error about a coroutine in a display that is the value it judges: a dict
        entry's key or value (``{"k": fetch()}`` where ``Dict[str, int]`` is expected:
        ``[dict-item]``), or a tuple display's item (``return fetch(), "a"``, ``t:
        Tuple[int, str] = (fetch(), "a")``, ``takes((fetch(), "a"))``: ``[return-value]``,
        ``[assignment]``, ``[arg-type]``, about the whole tuple; ``[list-item]`` where the
        tuple is a list display's item).  mypy gives no note there: its note looks at the
        outer type only.  Where awaiting the coroutines
        makes mypy accept the entry or the tuple, one ``missing-await`` at each
        (:meth:`_awaiting_fixes`)."""
        if info.code == DICT_ITEM:
            entry = _DICT_ENTRY.match(info.message)
            if entry is None:
                return False
            index = int(entry.group(1))
            api = checker_now()
            context = display_context(api) if api is not None else None
            message = info.message
            return self._awaiting_fixes(
                errors,
                file,
                info,
                lambda *at: _dict_entries_at(index, context, message, *at),
                at_the_error=False,
            )
        code = info.code
        return self._awaiting_fixes(
            errors,
            file,
            info,
            _tuple_items_at if code == LIST_ITEM else lambda *at: _tuples_at(code, *at),
            at_the_error=False,
        )

    def _not_inferred(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
        """mypy's error about a coroutine passed to a generic callee whose type variables
        it then infers as ``Never`` (``enumerate(rows())``, ``tuple(rows())``: ``expected
        "Iterable[Never]"``; no note follows it, awaiting gives no ``Never``): where
        awaiting the coroutine arguments makes mypy accept the call, one ``missing-await``
        at this argument (:meth:`_awaiting_fixes`).  mypy's ``Need type annotation`` for a
        name the statement stores the call's value in comes next: the same finding
        (:meth:`_not_inferred_store`)."""
        return self._awaiting_fixes(
            errors,
            file,
            info,
            lambda *at: [_Call(c) for c in _calls_with_argument_at(*at)],
            at_the_error=True,
        )

    def _awaiting_fixes(
        self,
        errors: Errors,
        file: str,
        info: ErrorInfo,
        candidates: Callable[[FuncItem | MypyFile, int, int], Sequence[_Checked]],
        at_the_error: bool,
    ) -> bool:
        """Re-label mypy's error ``info`` about one of ``candidates`` (the calls or
        indexings at its place in the function being checked) where mypy accepts it with
        its coroutines awaited (:meth:`_Checked.to_await`): one ``missing-await`` at each
        (or, where ``at_the_error``, at the argument mypy's error is at), unless it is the
        same finding as one filed already (as :meth:`_same_finding`).  A ``# type:
        ignore`` naming mypy's code on its lines keeps applying to mypy's error."""
        api = checker_now()
        if (
            api is None
            or file != current_file(errors)
            or not errors.is_error_code_enabled(MISSING_AWAIT)
        ):
            return False
        scope = _scope_checked(api)
        found: _Checked | None = None
        awaited: list[Expression] = []
        for candidate in candidates(scope, info.line, info.column):
            awaited, _ = candidate.to_await(api)
            if at_the_error:
                awaited = [a for a in awaited if (a.line, a.column) == (info.line, info.column)]
            if awaited:
                found = candidate
                break
        if found is None:
            return False
        around = found.around
        ignores = file_ignores(errors)
        lines = range(around.line, max(around.line, around.end_line or around.line) + 1)
        if info.code is not None and any(info.code.code in (ignores.get(n) or ()) for n in lines):
            return False
        from mypy_wsplugin.reporting import report_instead_of_mypys  # the hooks' imports

        recorded = recorded_errors(errors, file)
        reported, spans = _reported(recorded)
        for part in awaited:
            if _filed_already(scope, part, reported, spans):
                continue
            detail = info.message
            if len(awaited) > 1:
                detail = missing_await_argument(info.message, found.named(part))
            message = _noted(scope, part.line, part.column, detail)
            report_instead_of_mypys(errors, MISSING_AWAIT, message, part, around)
            reported.add((part.line, part.column))  # ``(c, c)``: one finding for ``c``
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
        recorded = recorded_errors(errors, file)
        reported, spans = _reported(recorded)
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
        return all(_filed_already(scope, argument, reported, spans) for argument in awaited)

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


def _takes_awaitable(expected: str) -> bool:
    """Whether mypy's expected type, as its message shows it, is an awaitable or a union
    with one (``Awaitable[Never]``, ``int | Awaitable[Never]``; not ``Iterable[Awaitable[
    Never]]``, which a coroutine's awaited result may fit)."""
    union = expected[len("Union[") : -1] if expected.startswith("Union[") else None
    members = _top_level_split(union, ",") if union is not None else _top_level_split(expected, "|")
    return any(_AWAITABLE_TYPE.match(member.strip()) for member in members)


def _top_level_split(text: str, separator: str) -> list[str]:
    """``text`` split at each ``separator`` outside brackets."""
    parts: list[str] = []
    depth = start = 0
    for i, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _reported(
    recorded: list[ErrorInfo],
) -> tuple[set[tuple[int, int]], set[tuple[int, int, int | None, int | None]]]:
    """Where ``missing-await`` findings are among ``recorded``: (line, column), and from
    start to end."""
    spans: set[tuple[int, int, int | None, int | None]] = {
        (e.line, e.column, e.end_line, e.end_column) for e in recorded if e.code == MISSING_AWAIT
    }
    return {(line, column) for line, column, _, _ in spans}, spans


def _filed_already(
    scope: FuncItem | MypyFile,
    argument: Expression,
    reported: set[tuple[int, int]],
    spans: set[tuple[int, int, int | None, int | None]],
) -> bool:
    """Whether a coroutine ``argument`` is a finding filed already (one of ``reported``):
    at its place, or at an earlier use of the name it is (:func:`.roles.reported_earlier`)."""
    place = (argument.line, argument.column)
    return place in reported or reported_earlier(scope, *place, reported, spans)


def _unpacked_arguments(scope: FuncItem | MypyFile, info: ErrorInfo) -> list[Expression]:
    """The argument mypy's error ``info`` at a call is about, where it says an argument
    unpacked with ``**`` is no mapping (naming its type) or one with ``*`` is not iterable
    (naming none: only where the call has one such argument): mypy reports at the call,
    not at the argument (``takes(**kw)``, ``kw`` a coroutine reported at an earlier use or
    here, and awaited later)."""
    if info.message.startswith(_NO_MAPPING_STARRED):
        kind = ARG_STAR2
    elif info.message.startswith(_NOT_ITERABLE_STARRED):
        kind = ARG_STAR
    else:
        return []
    found: list[Expression] = []
    for call in _calls_at(scope, info.line, info.column):
        unpacked = [a for a, k in zip(call.args, call.arg_kinds, strict=True) if k == kind]
        if kind == ARG_STAR2 or len(unpacked) == 1:
            found.extend(unpacked)
    return found


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
        if isinstance(e, CALL_EXPR) and e.line == line and e.column == column
    ]
    return found[::-1]


def _calls_with_argument_at(scope: Node, line: int, column: int) -> list[CallExpr]:
    """The calls in ``scope`` with an argument that starts at ``line`` and ``column``."""
    return [
        e
        for e in get_subexpressions(scope)
        if isinstance(e, CALL_EXPR) and any(a.line == line and a.column == column for a in e.args)
    ]


def _indexings_at(
    method: str, scope: FuncItem | MypyFile, line: int, column: int
) -> list[_Indexing]:
    """The indexings in ``scope`` that ``method`` (``__getitem__``, ``__setitem__``) is
    called for at ``line`` and ``column``: mypy reports there at the indexed expression, or
    at the index of a tuple (``nonliteral_tuple_index_helper``).  For ``__setitem__``,
    those stored to, with the value stored."""

    def here(e: Expression) -> bool:
        return (e.line, e.column) == (line, column)

    if method == "__getitem__":
        return [
            _Indexing(e, method, None)
            for e in get_subexpressions(scope)
            if isinstance(e, INDEX_EXPR) and (here(e) or here(e.index))
        ][::-1]
    finder = _IndexedStore(line, here)
    finder.scope(scope)
    return [_Indexing(e, method, value) for e, value in finder.found]


class _IndexedStore(StatementWalker):
    """The indexings a statement at ``line`` stores to, each with the value stored: an
    assignment's, or, for an augmented one (``xs[k] += 1``), a value of the type mypy
    gives the operation there (``Any``: its error is about the indexing)."""

    def __init__(self, line: int, here: Callable[[Expression], bool]) -> None:
        self.line = line
        self.here = here
        self.found: list[tuple[IndexExpr, Expression]] = []

    def _stores(self, targets: list[Expression], value: Expression, s: Statement) -> None:
        if not s.line <= self.line <= (s.end_line or s.line):
            return
        for target in targets:
            for t in store_targets(target):
                if isinstance(t, INDEX_EXPR) and self.here(t):
                    self.found.append((t, value))

    def visit_assignment(self, s: AssignmentStmt) -> None:
        self._stores(s.lvalues, s.rvalue, s)

    def visit_operator_assignment(self, s: OperatorAssignmentStmt) -> None:
        self._stores([s.lvalue], TempNode(AnyType(TypeOfAny.from_error), context=s.rvalue), s)


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
        if not isinstance(value, CALL_EXPR) or not s.line <= self.line <= (s.end_line or s.line):
            return
        for target in targets:
            for t in store_targets(target):
                if isinstance(t, (NAME_EXPR, MEMBER_EXPR)) and t.name == self.name:
                    self.found = value

    def visit_assignment(self, s: AssignmentStmt) -> None:
        self._stores(s.rvalue, s.lvalues, s)

    def visit_for(self, s: ForStmt) -> None:
        self._stores(s.expr, [s.index], s)
        super().visit_for(s)


class _Checked:
    """What mypy's error is about, checked again with its coroutines awaited."""

    around: Expression

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        """Its coroutines whose awaiting makes mypy accept it, and what it then gives."""
        raise NotImplementedError

    def named(self, part: Expression) -> str:
        """How a message names ``part``, one of several coroutines to await in it."""
        raise NotImplementedError


class _Call(_Checked):
    def __init__(self, call: CallExpr) -> None:
        self.around = self.call = call

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        return _coroutines_to_await(api, self.call)

    def named(self, part: Expression) -> str:
        """Its position, or its name quoted."""
        call = self.call
        index = next(i for i, a in enumerate(call.args) if a is part)
        name = call.arg_names[index]
        return f'argument "{name}"' if name is not None else f"argument {index + 1}"


class _Indexing(_Checked):
    """``base[index]``, or ``base[index] = value`` (``method``: ``__getitem__``,
    ``__setitem__``)."""

    def __init__(self, indexed: IndexExpr, method: str, value: Expression | None) -> None:
        self.around = self.indexed = indexed
        self.method = method
        self.value = value

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        indexed = self.indexed
        typed = index_types(api, indexed, self.value)
        if typed is None:
            return [], None
        base, types = typed
        parts = [indexed.index] if self.value is None else [indexed.index, self.value]
        return _awaiting_accepted(
            api,
            parts,
            types,
            [True] * len(parts),
            lambda args: method_result_with(api, self.method, base, parts, args, indexed),
        )

    def named(self, part: Expression) -> str:
        return "the index" if part is self.indexed.index else "the value stored"


class _Entry(_Checked):
    """Entry ``index`` of a dict display, its key and value the parts to await."""

    def __init__(self, display: DictExpr, index: int) -> None:
        key, value = display.items[index]
        assert key is not None  # mypy reports a ``**mapping`` as no entry
        self.key = key
        self.value = value
        # Where mypy reports, and whose lines an ignore of its error is on: the entry.
        self.around = _entry_span(key, value)

    def parts(self) -> list[Expression]:
        """The key and the value, or the items of either that is a tuple display
        (``{"k": (fetch(), "a")}`` where ``dict[str, tuple[int, str]]`` is expected)."""
        return [*_items_or_itself(self.key), *_items_or_itself(self.value)]

    def pair(self, api: Checker, types: list[Type]) -> tuple[Type, Type]:
        """The key's and the value's types, where :meth:`parts` are of ``types``."""
        keys = len(_items_or_itself(self.key))
        return _part_type(api, self.key, types[:keys]), _part_type(api, self.value, types[keys:])

    def named(self, part: Expression) -> str:
        for whole, name in ((self.key, "the key"), (self.value, "the value")):
            if part is whole:
                return name
            if isinstance(whole, TUPLE_EXPR) and any(i is part for i in whole.items):
                return f"{_item_named(whole, part)} of {name}"
        raise AssertionError("not a part of the entry")


def _items_or_itself(e: Expression) -> list[Expression]:
    """A dict entry's key or value as the parts to await: a tuple display's items (with no
    starred item), or itself."""
    if isinstance(e, TUPLE_EXPR) and _unstarred(e.items):
        return list(e.items)
    return [e]


def _part_type(api: Checker, whole: Expression, types: list[Type]) -> Type:
    """The type of a dict entry's key or value whose parts (:func:`_items_or_itself`) are
    of the types ``types``."""
    return _tuple_of(api, types) if _items_or_itself(whole) != [whole] else types[0]


def _entry_span(key: Expression, value: Expression) -> TupleExpr:
    """A dict display's entry, from its key to its value, as mypy reports it
    (``visit_dict_expr``)."""
    span = TupleExpr([key, value])
    span.set_line(key, end_line=value.end_line, end_column=value.end_column)
    return span


class _DictEntry(_Entry):
    """Entry ``index`` of a dict display, checked as the one entry of a display under the
    type ``context``: only where that check reports, as the entry stands, what mypy's
    ``message`` says (the same expected key and value types), so that ``context`` is the
    one mypy checked the display in."""

    def __init__(self, display: DictExpr, index: int, context: Type, message: str) -> None:
        super().__init__(display, index)
        self.context = context
        self.message = _DICT_ENTRY.sub("Dict entry 0 has incompatible type ", message)

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        entry = [(self.key, self.value)]
        parts = self.parts()
        types = parts_types(api, parts)
        if types is None:
            return [], None
        _, said = dict_display_checked(api, entry, [self.pair(api, types)], self.context)
        if said != [self.message]:
            return [], None

        def accepted(args: list[Type]) -> Type | None:
            given, said = dict_display_checked(api, entry, [self.pair(api, args)], self.context)
            return None if said else given

        return _awaiting_accepted(api, parts, types, [True] * len(parts), accepted)


class _DictArgument(_Entry):
    """Entry ``index`` of a dict display passed to a call as its argument ``argument``: the
    call checked again with that argument of the dict type the display gives with its
    coroutines awaited (inferred with no type context, as mypy infers an argument it
    cannot infer with one)."""

    def __init__(self, call: CallExpr, argument: int, index: int) -> None:
        display = call.args[argument]
        assert isinstance(display, DICT_EXPR)
        super().__init__(display, index)
        self.call = call
        self.argument = argument
        self.display = display
        self.index = index

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        typed = call_types(api, self.call)
        entries = [(key, value) for key, value in self.display.items if key is not None]
        if typed is None or len(entries) != len(self.display.items):
            return [], None  # a ``**mapping`` among the entries
        inferred = [parts_types(api, [key, value]) for key, value in entries]
        types: list[tuple[Type, Type]] = []
        for pair in inferred:
            if pair is None:
                return [], None
            # Every other entry's coroutines awaited too: each is its own error.
            key, value = (_awaited_within(t) for t in pair)
            types.append((key, value))
        callee, arguments = typed
        parts = self.parts()
        own = parts_types(api, parts)
        if own is None:
            return [], None

        def accepted(others: list[Type], args: list[Type]) -> Type | None:
            entry_types = list(types)
            entry_types[self.index] = self.pair(api, args)
            given, said = dict_display_checked(api, entries, entry_types, None)
            if said:
                return None
            passed = list(others)
            passed[self.argument] = given
            return call_result_with(api, self.call, callee, passed)

        return _awaiting_accepted_in_call(api, parts, own, arguments, self.argument, accepted)


class _TupleValue(_Checked):
    """A tuple display whose items are checked against the type it must have: a
    ``return`` statement's value, or the value stored in a name declared with a type."""

    def __init__(self, display: TupleExpr, expected: Type) -> None:
        self.around = self.display = display
        self.expected = expected

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        items = self.display.items
        expected = get_proper_type(self.expected)
        contexts = None
        if isinstance(expected, TUPLE_TYPE) and len(expected.items) == len(items):
            contexts = expected.items  # as mypy infers the items (``[1]``: ``list[float]``)
        types = parts_types(api, items, contexts)
        if types is None:
            return [], None

        def accepted(args: list[Type]) -> Type | None:
            given = _tuple_of(api, args)
            return given if is_subtype(given, self.expected, options=api.options) else None

        return _awaiting_accepted(api, items, types, [True] * len(items), accepted)

    def named(self, part: Expression) -> str:
        return _item_named(self.display, part)


class _TupleArgument(_Checked):
    """A call whose argument at ``index`` is a tuple display, checked again with that
    argument of the tuple type its items give."""

    def __init__(self, call: CallExpr, index: int) -> None:
        self.call = call
        self.index = index
        display = call.args[index]
        assert isinstance(display, TUPLE_EXPR)
        # Where mypy reports, and whose lines an ignore of its error is on: the argument.
        self.around = self.display = display

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        typed = call_types(api, self.call)
        items = self.display.items
        types = parts_types(api, items)
        if typed is None or types is None:
            return [], None
        callee, arguments = typed

        def accepted(others: list[Type], args: list[Type]) -> Type | None:
            given = list(others)
            given[self.index] = _tuple_of(api, args)
            return call_result_with(api, self.call, callee, given)

        return _awaiting_accepted_in_call(api, items, types, arguments, self.index, accepted)

    def named(self, part: Expression) -> str:
        return _item_named(self.display, part)


def _awaiting_accepted_in_call(
    api: Checker,
    parts: list[Expression],
    types: list[Type],
    arguments: list[Type],
    index: int,
    accepted: Callable[[list[Type], list[Type]], Type | None],
) -> tuple[list[Expression], Type | None]:
    """:func:`_awaiting_accepted` for ``parts`` of a call's argument ``index`` (a display),
    where ``accepted(others, args)`` checks the call again with the other arguments of the
    types ``others`` (:func:`_other_arguments`) and the parts of the types ``args``."""
    for others in _other_arguments(arguments, index):
        found = _awaiting_accepted(
            api, parts, types, [True] * len(parts), partial(accepted, others)
        )
        if found[0]:
            return found
    return [], None


def _other_arguments(arguments: list[Type], index: int) -> list[list[Type]]:
    """The types of a call's arguments to check a display passed at ``index`` with: as
    they are, then, where another argument is a coroutine or a display of them (mypy's
    error about it is its own finding: ``two(fetch(), (fetch(), "a"))``), with those
    awaited too."""
    awaited = [t if i == index else _awaited_within(t) for i, t in enumerate(arguments)]
    return [arguments] if awaited == arguments else [arguments, awaited]


def _awaited_within(typ: Type) -> Type:
    """``typ`` with each coroutine in it awaited: itself, a tuple's items, the type
    arguments of a ``dict``, ``list`` or ``set`` (a display's type inferred with no
    context)."""
    result = coroutine_result(typ)
    if result is not None:
        return result
    proper = get_proper_type(typ)
    if isinstance(proper, TUPLE_TYPE):
        return proper.copy_modified(items=[_awaited_within(t) for t in proper.items])
    if isinstance(proper, INSTANCE) and proper.type.fullname in _DISPLAYED:
        return proper.copy_modified(args=[_awaited_within(t) for t in proper.args])
    return typ


# The classes of dict, list and set displays.
_DISPLAYED: Final = frozenset({"builtins.dict", "builtins.list", "builtins.set"})


def _tuple_of(api: Checker, items: list[Type]) -> TupleType:
    """The type of a tuple display whose items are of the types ``items``."""
    fallback = api.named_generic_type("builtins.tuple", [AnyType(TypeOfAny.special_form)])
    return TupleType(items, fallback)


def _item_named(display: TupleExpr, part: Expression) -> str:
    """How a message names ``part``, one of several coroutines of a tuple display."""
    return f"item {next(i for i, item in enumerate(display.items) if item is part) + 1}"


def _dict_entries_at(
    index: int,
    context: Type | None,
    message: str,
    scope: FuncItem | MypyFile,
    line: int,
    column: int,
) -> list[_Checked]:
    """Entry ``index`` of the dict display in ``scope`` whose entry starts at ``line`` and
    ``column`` (mypy reports there, at the key), checked where the type the display must
    have is known: a ``return`` statement's value or one stored in a declared target (that
    type), a call's argument (the call checked again), else the type ``context`` mypy's
    stack holds at its error, where it is the display's own (:class:`_DictEntry`)."""
    found: list[_Checked] = []
    for e in get_subexpressions(scope):
        if not isinstance(e, DICT_EXPR) or index >= len(e.items):
            continue
        key = e.items[index][0]
        if key is None or (key.line, key.column) != (line, column):
            continue
        calls = [
            (call, i)
            for call in _calls_with_argument_at(scope, e.line, e.column)
            for i, argument in enumerate(call.args)
            if argument is e and call.arg_kinds[i] in (ARG_POS, ARG_NAMED)
        ]
        if calls:
            found.extend(_DictArgument(call, i, index) for call, i in calls)
            continue
        contexts = (_expected_of(e, scope, line), _context_in_parent(e, scope), context)
        found.extend(_DictEntry(e, index, c, message) for c in contexts if c is not None)
    return found


def _context_in_parent(display: Expression, scope: FuncItem | MypyFile) -> Type | None:
    """The type ``display`` must have as an item of a list, set or tuple display, or a
    key or value of a dict display, that is returned or stored in a declared target
    (``rows: list[dict[str, int]] = [{"k": fetch()}]``): that display's item type.  mypy
    files the errors of a display inside another after it checked the inner one, with
    the outer one's context on its stack."""
    for parent in get_subexpressions(scope):
        if isinstance(parent, (LIST_EXPR, SET_EXPR)) and any(i is display for i in parent.items):
            outer = _expected_of(parent, scope, parent.line)
            return iterated_item(outer) if outer is not None else None
        if isinstance(parent, DICT_EXPR):
            for key, value in parent.items:
                if display is key or display is value:
                    outer = _expected_of(parent, scope, parent.line)
                    view = "keys" if display is key else "values"
                    return iterated_item(outer, view) if outer is not None else None
        if isinstance(parent, TUPLE_EXPR) and any(i is display for i in parent.items):
            outer = _expected_of(parent, scope, parent.line)
            proper = get_proper_type(outer) if outer is not None else None
            if isinstance(proper, TUPLE_TYPE) and len(proper.items) == len(parent.items):
                return proper.items[next(i for i, x in enumerate(parent.items) if x is display)]
            return None
    return None


def _expected_of(display: Expression, scope: FuncItem | MypyFile, line: int) -> Type | None:
    """The type ``display`` must have where a statement at ``line`` returns it, or
    stores it in a target declared with a type.  A ``return`` statement's value is inferred
    apart and its errors filed after (``TypeChecker.infer_context_dependent``): at its
    errors the display's own context is no longer on mypy's stack."""
    api = checker_now()
    if api is None:
        return None
    finder = _ValueStored(line, lambda e: e is display, api)
    finder.scope(scope)
    if finder.returned:
        return return_expected(api)
    return finder.stored[0][1] if finder.stored else None


def _tuples_at(
    code: ErrorCode | None, scope: FuncItem | MypyFile, line: int, column: int
) -> list[_Checked]:
    """The tuple display mypy's error ``code`` at ``line`` and ``column`` of ``scope`` is
    about: a ``return`` statement's value (``[return-value]``), the value of an assignment
    to a name or attribute declared with a type (``[assignment]``), or an argument of a
    call or an item of a set display (``[arg-type]``)."""

    def here(e: Expression) -> bool:
        return _plain_tuple_at(e, line, column)

    api = checker_now()
    if api is None:
        return []
    if code == ARG_TYPE:
        # An argument of a call, or an item of a set display (mypy's callee "<set>").
        return [
            _TupleArgument(call, i)
            for call in _calls_with_argument_at(scope, line, column)
            for i, argument in enumerate(call.args)
            if here(argument) and call.arg_kinds[i] in (ARG_POS, ARG_NAMED)
        ] + _tuple_items_at(scope, line, column)
    finder = _ValueStored(line, here, api)
    finder.scope(scope)
    if code == RETURN_VALUE:
        expected = return_expected(api)
        if expected is None:
            return []
        return [_TupleValue(t, expected) for t in finder.returned if isinstance(t, TUPLE_EXPR)]
    return [_TupleValue(t, e) for t, e in finder.stored if isinstance(t, TUPLE_EXPR)]


def _tuple_items_at(scope: FuncItem | MypyFile, line: int, column: int) -> list[_Checked]:
    """The tuple display at ``line`` and ``column`` of ``scope`` that is an item of a
    list or set display returned or stored in a declared target (``rows: list[tuple[int,
    str]] = [(fetch(), "a")]``: ``[list-item]``; a set's: ``[arg-type]``), checked
    against that display's item type (:func:`_context_in_parent`); or of one passed to a
    call (``takes([(fetch(), "a")])``), the call checked again
    (:class:`_TupleInDisplayArgument`)."""
    found: list[_Checked] = []
    for e in get_subexpressions(scope):
        if not isinstance(e, TUPLE_EXPR) or not _plain_tuple_at(e, line, column):
            continue
        expected = _context_in_parent(e, scope)
        if expected is not None:
            found.append(_TupleValue(e, expected))
            continue
        for display in get_subexpressions(scope):
            if not isinstance(display, (LIST_EXPR, SET_EXPR)) or not any(
                item is e for item in display.items
            ):
                continue
            found.extend(
                _TupleInDisplayArgument(call, i, display, e)
                for call in _calls_with_argument_at(scope, display.line, display.column)
                for i, argument in enumerate(call.args)
                if argument is display and call.arg_kinds[i] in (ARG_POS, ARG_NAMED)
            )
    return found


class _TupleInDisplayArgument(_Checked):
    """A tuple display that is an item of a list or set display passed to a call as its
    argument ``index``: the call checked again with that argument of the display's type
    with the tuple's coroutines awaited (its item type the union of its items' types, each
    inferred with no type context, every other item's coroutines awaited too)."""

    def __init__(
        self, call: CallExpr, index: int, display: ListExpr | SetExpr, item: TupleExpr
    ) -> None:
        self.call = call
        self.index = index
        self.display = display
        # Where mypy reports, and whose lines an ignore of its error is on: the tuple.
        self.around = self.item = item

    def to_await(self, api: Checker) -> tuple[list[Expression], Type | None]:
        typed = call_types(api, self.call)
        display_items = self.display.items
        if typed is None or not _unstarred(display_items):
            return [], None
        item_types = parts_types(api, display_items)
        items = self.item.items
        types = parts_types(api, items)
        if item_types is None or types is None:
            return [], None
        callee, arguments = typed
        # Against the parameter's item type, where the callee declares it: the items are
        # inferred with no context here, and ``list`` is invariant (``list[tuple[int, str |
        # None]]`` takes ``[(fetch(), None)]`` only under that context).
        parameter = parameter_type(callee, self.call, self.index, arguments)
        expected = iterated_item(parameter) if parameter is not None else None
        if expected is not None:
            found = _TupleValue(self.item, expected).to_await(api)
            if found[0]:
                return found
        position = next(i for i, x in enumerate(display_items) if x is self.item)
        awaited_items = [_awaited_within(t) for t in item_types]
        container = "builtins.list" if isinstance(self.display, LIST_EXPR) else "builtins.set"

        def accepted(others: list[Type], args: list[Type]) -> Type | None:
            member_types = list(awaited_items)
            member_types[position] = _tuple_of(api, args)
            given = list(others)
            given[self.index] = api.named_generic_type(
                container, [make_simplified_union(member_types)]
            )
            return call_result_with(api, self.call, callee, given)

        return _awaiting_accepted_in_call(api, items, types, arguments, self.index, accepted)

    def named(self, part: Expression) -> str:
        return _item_named(self.item, part)


def _unstarred(items: list[Expression]) -> bool:
    """Whether a display's ``items`` have no starred item (``(*xs, 1)``: its type is the
    whole iterable's, not one item's)."""
    return not any(isinstance(i, STAR_EXPR) for i in items)


def _plain_tuple_at(e: Expression, line: int, column: int) -> bool:
    """Whether ``e`` is a tuple display at ``line`` and ``column``, with no starred item
    (its type is the whole iterable's, not one item's)."""
    return (
        isinstance(e, TUPLE_EXPR) and (e.line, e.column) == (line, column) and _unstarred(e.items)
    )


class _ValueStored(StatementWalker):
    """The values ``here`` that a statement at ``line`` returns, or stores in a single
    target declared with a type (the annotation of the assignment, or of the name or
    attribute assigned)."""

    def __init__(
        self, line: int, here: Callable[[Expression], bool], api: Checker | None = None
    ) -> None:
        self.line = line
        self.here = here
        self.api = api
        self.returned: list[Expression] = []
        self.stored: list[tuple[Expression, Type]] = []

    def _at(self, s: Statement) -> bool:
        return s.line <= self.line <= (s.end_line or s.line)

    def typed(self, target: Expression) -> Type | None:
        return expression_type(self.api, target) if self.api is not None else None

    def visit_return(self, s: ReturnStmt) -> None:
        if self._at(s) and s.expr is not None and self.here(s.expr):
            self.returned.append(s.expr)

    def visit_assignment(self, s: AssignmentStmt) -> None:
        if not self._at(s) or not self.here(s.rvalue) or len(s.lvalues) != 1:
            return
        declared = s.type
        target = s.lvalues[0]
        if declared is None and isinstance(target, (NAME_EXPR, MEMBER_EXPR)):
            node = target.node
            if isinstance(node, VAR) and not node.is_inferred and node.type is not None:
                declared = node.type
            elif node is None and isinstance(target, MEMBER_EXPR):
                # ``box.pair = ...``: the attribute mypy looked up, kept before the value
                # was checked against it (``TypeChecker.check_lvalue``).
                declared = self.typed(target)
        if declared is not None:
            self.stored.append((s.rvalue, declared))


def _coroutines_to_await(api: Checker, call: CallExpr) -> tuple[list[Expression], Type | None]:
    """The coroutine arguments of ``call`` (passed by position or by name) whose awaiting
    makes mypy accept it, and what the call then gives (:func:`_awaiting_accepted`)."""
    typed = call_types(api, call)
    if typed is None:
        return [], None
    callee, types = typed
    return _awaiting_accepted(
        api,
        call.args,
        types,
        [kind in (ARG_POS, ARG_NAMED) for kind in call.arg_kinds],
        lambda args: call_result_with(api, call, callee, args),
    )


def _awaiting_accepted(
    api: Checker,
    parts: list[Expression],
    types: list[Type],
    awaitable: list[bool],
    result_with: Callable[[list[Type]], Type | None],
) -> tuple[list[Expression], Type | None]:
    """The coroutines among ``parts`` (those ``awaitable`` where they stand; of the
    ``types`` inferred) whose awaiting, every other part as it is, makes mypy accept what
    they are parts of (``result_with``: what it gives with parts of those types, None
    where mypy rejects it), and what it then gives: the fewest that do (a coroutine that
    is to stay one is left alone); none where no set of them does, or where
    mypy accepts it as it is (another call starts at the place of mypy's error:
    ``h(c()).meth(s())``, ``f(c())[s()]``, or one of a callee typed Any).  Where a
    coroutine's result is ``Any``, awaiting it would make any parameter accept it, so a
    function there must not do as well: where it would take the function that gives the
    coroutine instead (a callback was meant, not its call), none either."""
    if result_with(types) is not None:
        return [], None
    results = {
        index: result
        for index, result in ((i, coroutine_result(t)) for i, t in enumerate(types))
        if result is not None and awaitable[index]
    }
    for chosen in _fewest_first(list(results)):
        awaited = list(types)
        for index in chosen:
            awaited[index] = results[index]
        given = result_with(awaited)
        if given is None:
            continue
        for index in chosen:
            if not is_any(results[index]):
                continue
            # In place of a coroutine whose result is Any, the function that gives it, the
            # others awaited: a callback was meant there if that is accepted too.
            callbacks = list(awaited)
            callbacks[index] = function_giving(api, types[index])
            if result_with(callbacks) is not None:
                return [], None
        return [parts[index] for index in chosen], given
    return [], None


# The most coroutines whose sets are tried one by one (at most 15 checks); with more, only
# all of them together.
_MOST_TRIED: Final = 4


def _fewest_first(indexes: list[int]) -> list[tuple[int, ...]]:
    """The non-empty sets of ``indexes`` to try awaiting, fewest first, each in order:
    the first that mypy accepts is what is to be awaited (``d.get(key(), work())``: only
    ``key()``, the default stays a coroutine)."""
    if len(indexes) > _MOST_TRIED:
        return [tuple(indexes)]
    return [c for size in range(1, len(indexes) + 1) for c in combinations(indexes, size)]


def _stored_to_await_later(error: ErrorInfo) -> bool:
    """Whether mypy's ``error`` is about storing a coroutine in a name that the function
    awaits later (:func:`.roles.stored_to_await_later`): mypy's error stands."""
    if error.code != ASSIGNMENT:
        return False
    api = checker_now()
    return api is not None and stored_to_await_later(_scope_checked(api), error.line, error.column)


def _report_instead(errors: Errors, error: ErrorInfo) -> None:
    """One ``missing-await`` error in place of mypy's ``error``, with its explanation."""
    api = checker_now()
    scope = _scope_checked(api) if api is not None else None
    printed_again(errors)
    errors.report(
        error.line,
        error.column,
        _noted(scope, error.line, error.column, error.message),
        code=MISSING_AWAIT,
        end_line=error.end_line,
        end_column=error.end_column,
    )


def _noted(scope: FuncItem | MypyFile | None, line: int, column: int, detail: str) -> str:
    """The ``missing-await`` message for mypy's error ``detail`` about a coroutine at
    ``line``:``column`` of ``scope``: where that is a name bound once to a call's coroutine
    (:func:`.roles.bound_once_to_call`), the place to await is that call (``c = rows()``,
    ``takes(c)``: ``add "await" on line L``), as the plugin's own findings for a name say."""
    binding = bound_once_to_call(scope, line, column) if scope is not None else None
    if binding is not None:
        assert isinstance(binding.rvalue, CALL_EXPR)
        callee = written(binding.rvalue.callee)
        target = binding.lvalues[0]
        if callee is not None and isinstance(target, NAME_EXPR):
            why = detail[:1].lower() + detail[1:]
            return missing_await_assigned(f"{callee}()", target.name, binding.line, why)
    return missing_await_noted(detail)


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
