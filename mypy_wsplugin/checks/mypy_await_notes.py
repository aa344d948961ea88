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

Nothing is re-computed: the verdict is mypy's, only the label changes.  An error that
``# type: ignore[<mypy's code>]`` silences is never recorded, so there is nothing to take
back and the ignore keeps working; an error mypy drops inside an attempt (an overload item
being tried) never reaches this watcher.
"""

from __future__ import annotations

from typing import Final

from mypy.errors import ErrorInfo, Errors, ErrorWatcher

from mypy_wsplugin.errorcodes import MISSING_AWAIT
from mypy_wsplugin.messages import missing_await_noted
from mypy_wsplugin.mypy_internals import current_file, keep_bottom_watcher, recorded_errors

# mypy.messages.MessageBuilder.possible_missing_await (every supported version).
AWAIT_NOTE: Final = 'Maybe you forgot to use "await"?'
# How mypy's messages show a coroutine's type (mypy.messages.format_type).
COROUTINE_TYPE: Final = '"Coroutine['
# How far back the error a note follows can be: the notes mypy adds between them.
_LOOKBACK: Final = 6


class AwaitNotes:
    def __init__(self, active: bool) -> None:
        self.active = active
        self._watcher: ErrorWatcher | None = None

    def watch(self, errors: Errors | None) -> None:
        """Make sure the build's ``errors`` are watched (asked at each plugin callback)."""
        if not self.active or errors is None:
            return
        self._watcher = keep_bottom_watcher(
            errors, self._watcher, lambda file, info: self._on_error(errors, file, info)
        )

    def _on_error(self, errors: Errors, file: str, info: ErrorInfo) -> bool:
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
        errors.report(
            error.line,
            error.column,
            missing_await_noted(error.message),
            code=MISSING_AWAIT,
            end_line=error.end_line,
            end_column=error.end_column,
        )
        return True


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
