"""Messages, and the one place findings are reported.

Messages follow mypy's style (quoted names and types, no final period) and end with the
change to make.  Findings made while mypy type-checks go through the checker (so mypy's
error watchers apply); findings of the pass over unannotated code go to ``Errors``.
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import (
    ATTR_DEFINED,
    CALL_ARG,
    MISC,
    RETURN_VALUE,
    UNION_ATTR,
    UNUSED_COROUTINE,
    ErrorCode,
)
from mypy.errors import Errors
from mypy.messages import format_type
from mypy.nodes import Context
from mypy.options import Options
from mypy.types import ProperType, Type, UnionType, get_proper_type

from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.mypy_internals import Checker, errors_of, ignored_codes, outside_attempts
from mypy_wsplugin.roles import Role

# The codes mypy itself files these findings under, which existing ignores may name.
REPLACED_CODES: Final = {
    AWAIT_NOT_AWAITABLE.code: (MISC,),
    MISSING_AWAIT.code: (UNUSED_COROUTINE, ATTR_DEFINED, CALL_ARG, UNION_ATTR, RETURN_VALUE, MISC),
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


def is_enabled(errors: Errors, code: ErrorCode) -> bool:
    """Whether ``code`` is enabled for the module being checked (per-module options apply)."""
    return errors.is_error_code_enabled(code)


def not_awaitable(options: Options, what: str, typ: Type, bad: list[ProperType]) -> str:
    """``what`` is ``"f()"`` for a call or ``"Cls.attr"`` for an attribute.

    ``bad`` lists the members of ``typ`` that are not awaitable; empty means the type is
    unknown (``Any``) and the configuration says the factory is synchronous.
    """
    verb = "returns" if what.endswith("()") else "is"
    shown = format_type(typ, options)
    if not bad:
        return (
            f'Cannot await "{what}": it is configured as a synchronous factory, so what it '
            f'{verb} ({shown}) is not awaitable; remove the "await"'
        )
    proper = get_proper_type(typ)
    if not isinstance(proper, UnionType) or len(bad) == len(proper.relevant_items()):
        return (
            f'Cannot await "{what}": it {verb} {shown}, which is not awaitable; remove the "await"'
        )
    members = " and ".join(format_type(b, options) for b in bad)
    return (
        f'Cannot await "{what}": it {verb} {shown}, and {members} is not awaitable; '
        "narrow it before awaiting"
    )


def misuse(options: Options, role: Role, attribute: str | None, declared: Type | None) -> str:
    """Why using an un-awaited coroutine this way is a bug (the part in parentheses)."""
    if role is Role.ATTRIBUTE_BASE:
        return f'attribute "{attribute}" is looked up on the coroutine, not on its result'
    if role is Role.CONDITION:
        return "a coroutine object is always true"
    if role is Role.STATEMENT:
        return "it is dropped and never runs"
    assert role is Role.RETURNED and declared is not None
    return f"it is returned from a function declared to return {format_type(declared, options)}"


def missing_await(what: str, why: str) -> str:
    return f'Coroutine "{what}" is used without "await" ({why}); add "await"'


def missing_await_assigned(what: str, name: str, line: int, why: str) -> str:
    return (
        f'Coroutine "{what}" assigned to "{name}" on line {line} is used without "await" '
        f'({why}); add "await" on line {line}'
    )


def result_class_not_found(key: str, entry_text: str, result: str) -> str:
    return (
        f'[mypy_wsplugin] {key} entry "{entry_text}": class "{result}" was not found; '
        "its result is treated as Any"
    )
