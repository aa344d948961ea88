"""Messages and the one place findings are reported.

Messages follow mypy's style (quoted names and types, lower-case, no final period) and end
with the change to make.
"""

from __future__ import annotations

from mypy.errorcodes import MISC, ErrorCode
from mypy.messages import format_type
from mypy.nodes import Context
from mypy.types import ProperType, Type, UnionType, get_proper_type

from mypy_wsplugin.compat import Checker
from mypy_wsplugin.roles import Role


def report(api: Checker, code: ErrorCode, message: str, context: Context) -> None:
    """Report one finding under ``code``.

    A line that already carries ``# type: ignore[misc]`` (but not the plugin's own code) is
    reported under ``misc``: the existing ignore keeps working, even with
    ``warn_unused_ignores``, and no "use narrower code" hint appears for it.
    """
    errors = api.msg.errors
    ignored = errors.ignored_lines.get(errors.file, {}).get(context.line)
    if ignored and MISC.code in ignored and code.code not in ignored:
        code = MISC
    api.fail(message, context, code=code)


def is_enabled(api: Checker, code: ErrorCode) -> bool:
    """Whether ``code`` is enabled for the module being checked (per-module options apply)."""
    return api.msg.errors.is_error_code_enabled(code)


def _t(api: Checker, typ: Type) -> str:
    return format_type(typ, api.options)


def not_awaitable(api: Checker, what: str, typ: Type, bad: list[ProperType]) -> str:
    """``what`` is ``"f()"`` for a call or ``"Cls.attr"`` for an attribute.

    ``bad`` lists the members of ``typ`` that are not awaitable; empty means the type is
    unknown (``Any``) and the configuration says the factory is synchronous.
    """
    verb = "returns" if what.endswith("()") else "is"
    if not bad:
        return (
            f'Cannot await "{what}": it is configured as a synchronous factory, so what it '
            f'{verb} ({_t(api, typ)}) is not awaitable; remove the "await"'
        )
    proper = get_proper_type(typ)
    if not isinstance(proper, UnionType) or len(bad) == len(proper.relevant_items()):
        return (
            f'Cannot await "{what}": it {verb} {_t(api, typ)}, which is not awaitable; '
            'remove the "await"'
        )
    members = " and ".join(_t(api, b) for b in bad)
    return (
        f'Cannot await "{what}": it {verb} {_t(api, typ)}, and {members} is not awaitable; '
        "narrow it before awaiting"
    )


_USE_TEXT = {
    Role.ATTRIBUTE_BASE: 'attribute "{attr}" is looked up on the coroutine, not on its result',
    Role.CONDITION: "a coroutine object is always true",
    Role.STATEMENT: "it is dropped and never runs",
    Role.RETURNED: "it is returned from a function declared to return {ret}",
}


def use_text(api: Checker, role: Role, attr: str | None, ret: Type | None) -> str:
    return _USE_TEXT[role].format(attr=attr or "", ret=_t(api, ret) if ret is not None else "")


def missing_await(what: str, use: str) -> str:
    return f'Coroutine "{what}" is used without "await" ({use}); add "await"'


def missing_await_assigned(what: str, name: str, line: int, use: str) -> str:
    return (
        f'Coroutine "{what}" assigned to "{name}" on line {line} is used without "await" '
        f'({use}); add "await" on line {line}'
    )


def result_class_not_found(key: str, entry_text: str, result: str) -> str:
    return (
        f'[mypy_wsplugin] {key} entry "{entry_text}": class "{result}" was not found; '
        "its result is treated as Any"
    )
