"""The one place findings are reported (their texts are in :mod:`.messages`).

Findings made while mypy type-checks go through the checker, past mypy's error filters
(see ``mypy_internals.outside_attempts``); findings of the pass over unannotated code go
to ``Errors``.  Both file a finding under the code an existing ``# type: ignore`` names.
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import (
    ATTR_DEFINED,
    CALL_ARG,
    FUNC_RETURNS_VALUE,
    MISC,
    RETURN_VALUE,
    TRUTHY_BOOL,
    UNION_ATTR,
    UNUSED_COROUTINE,
    ErrorCode,
)
from mypy.errors import Errors
from mypy.nodes import Context

from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.mypy_internals import Checker, errors_of, ignored_codes, outside_attempts

# The codes mypy itself files these findings under, which existing ignores may name.
REPLACED_CODES: Final = {
    AWAIT_NOT_AWAITABLE.code: (MISC, FUNC_RETURNS_VALUE),
    MISSING_AWAIT.code: (
        UNUSED_COROUTINE,
        ATTR_DEFINED,
        CALL_ARG,
        UNION_ATTR,
        RETURN_VALUE,
        TRUTHY_BOOL,
        MISC,
    ),
}


def _code_for_line(errors: Errors, code: ErrorCode, line: int) -> ErrorCode:
    """The code to file a finding under on ``line``.

    A line that already carries ``# type: ignore[X]`` for a code ``X`` the finding replaces
    (``misc`` for a wrong ``await``; ``unused-coroutine``, ``attr-defined``, ... for a
    missing one), but not the plugin's own code, gets the finding under ``X``: the existing
    ignore keeps working as it is, even with ``warn_unused_ignores``.  Everywhere else the
    plugin's own code is used.
    """
    ignored = ignored_codes(errors, line)
    if ignored and code.code not in ignored:
        for replaced in REPLACED_CODES[code.code]:
            if replaced.code in ignored:
                return replaced
    return code


def report(api: Checker, code: ErrorCode, message: str, context: Context) -> None:
    """Report a finding made during type checking."""
    errors = errors_of(api)
    with outside_attempts(errors):
        api.fail(message, context, code=_code_for_line(errors, code, context.line))


def note(api: Checker, message: str, context: Context) -> None:
    """A note about the plugin's configuration, at the call that shows it."""
    with outside_attempts(errors_of(api)):
        api.note(message, context)


def report_to(errors: Errors, code: ErrorCode, message: str, context: Context) -> None:
    """Report a finding made after type checking, in the module ``errors`` is set to."""
    errors.report(
        context.line,
        context.column,
        message,
        code=_code_for_line(errors, code, context.line),
        end_line=context.end_line,
        end_column=context.end_column,
    )


def note_to(errors: Errors, message: str) -> None:
    """A note about the configuration, in the module ``errors`` is set to, on its first
    line (where mypy reports what concerns a whole module)."""
    errors.report(1, -1, message, severity="note")


def is_enabled(errors: Errors, code: ErrorCode) -> bool:
    """Whether ``code`` is enabled for the module being checked (per-module options apply)."""
    return errors.is_error_code_enabled(code)
