"""The one place findings are reported (their texts are in :mod:`.messages`).

Findings made while mypy type-checks go through the checker, past mypy's error filters
(see ``mypy_internals.outside_attempts``); findings of the pass over unannotated code go
to ``Errors``.  Both file a finding under the code an existing ``# type: ignore`` names.
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import (
    ARG_TYPE,
    ATTR_DEFINED,
    CALL_ARG,
    CALL_OVERLOAD,
    COMPARISON_OVERLAP,
    DICT_ITEM,
    FUNC_RETURNS_VALUE,
    INDEX,
    MISC,
    OPERATOR,
    RETURN_VALUE,
    TRUTHY_BOOL,
    TYPEDDICT_ITEM,
    UNION_ATTR,
    UNUSED_AWAITABLE,
    UNUSED_COROUTINE,
    ErrorCode,
)
from mypy.errors import Errors
from mypy.nodes import (
    Context,
    Expression,
    MypyFile,
)

from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.facts.roles import Scope, consumed_by_builtin, enclosing_use
from mypy_wsplugin.facts.statements import Role
from mypy_wsplugin.facts.types import find_class, has_member
from mypy_wsplugin.messages import at_column
from mypy_wsplugin.mypy_classes import (
    CALL_EXPR,
    DICT_EXPR,
    EXPRESSION,
    MEMBER_EXPR,
    REF_EXPR,
    TYPE_INFO,
)
from mypy_wsplugin.mypy_internals import (
    Checker,
    errors_of,
    file_ignores,
    last_filed,
    modules,
    outside_attempts,
    printed_again,
    recorded_errors,
    still_filed,
)

# The codes mypy itself files each finding under (by the role of the misused coroutine for
# ``missing-await``), which an existing ``# type: ignore[...]`` on the line may name.
_AWAIT_REPLACES: Final = (MISC, FUNC_RETURNS_VALUE)
_MISSING_AWAIT_REPLACES: Final[dict[Role, tuple[ErrorCode, ...]]] = {
    Role.STATEMENT: (UNUSED_COROUTINE, UNUSED_AWAITABLE, MISC),
    Role.COMPARED: (COMPARISON_OVERLAP, MISC),
    Role.ATTRIBUTE_BASE: (ATTR_DEFINED, UNION_ATTR, CALL_ARG, MISC),
    Role.RETURNED: (RETURN_VALUE, MISC),
    Role.CONDITION: (TRUTHY_BOOL, MISC),
    Role.ITERATED: (ATTR_DEFINED, MISC),
    # ``f(**x)``: [arg-type]; ``{**x}``: [dict-item], [typeddict-item] (see _replaced)
    Role.MAPPED: (ARG_TYPE, DICT_ITEM, TYPEDDICT_ITEM),
    Role.ORDERED: (OPERATOR,),
    Role.MANAGED: (ATTR_DEFINED,),  # no ``__enter__`` (``__aenter__``), ``__exit__``
    Role.SUBSCRIPTED: (INDEX, ATTR_DEFINED, MISC),  # ``del coro[0]``: no __delitem__
    Role.OPERAND: (OPERATOR, MISC),
    Role.CALLED: (OPERATOR, MISC),
}
# The roles whose finding mypy files its own error for around the coroutine: at the
# attribute looked up, at the call or dict display it is unpacked in (``f(**c)``), or
# at the builtin that iterates or measures it (``list(c)``, ``len(c)``).
_AROUND_LOOKED_UP: Final = frozenset(
    {Role.ATTRIBUTE_BASE, Role.MAPPED, Role.ITERATED, Role.MEASURED}
)
# Codes mypy gives only under an option (``comparison-overlap``: ``strict_equality``).
_ONLY_UNDER: Final = {COMPARISON_OVERLAP.code: "strict_equality"}
# Every code a finding may be filed under instead of its own.
REPLACED_CODES: Final = {
    AWAIT_NOT_AWAITABLE.code: _AWAIT_REPLACES,
    MISSING_AWAIT.code: tuple(
        dict.fromkeys(code for codes in _MISSING_AWAIT_REPLACES.values() for code in codes)
    ),
}


def _replaced(
    code: ErrorCode, role: Role | None, around: Expression | None, program: dict[str, MypyFile]
) -> tuple[ErrorCode, ...]:
    if code == AWAIT_NOT_AWAITABLE:
        return _AWAIT_REPLACES
    if role is Role.ATTRIBUTE_BASE and isinstance(around, MEMBER_EXPR):
        # mypy reads the attribute on ``Coroutine``: one it has (``send``, ``close``) gives
        # no [attr-defined], at most [call-arg] (or [call-overload]: ``throw``); any other
        # gives [attr-defined] (on a union of coroutines, [union-attr]).
        coroutine = find_class("typing.Coroutine", program)
        if coroutine is not None and has_member(coroutine, around.name):
            return (CALL_ARG, CALL_OVERLOAD, MISC)
        return (ATTR_DEFINED, UNION_ATTR, MISC)
    if role is Role.MAPPED and isinstance(around, CALL_EXPR):
        # ``dict(**x)``: [dict-item]; a TypedDict's constructor: [typeddict-item].
        callee = around.callee
        node = callee.node if isinstance(callee, REF_EXPR) else None
        if isinstance(node, TYPE_INFO) and node.fullname == "builtins.dict":
            return (DICT_ITEM,)
        if isinstance(node, TYPE_INFO) and node.typeddict_type is not None:
            return (TYPEDDICT_ITEM,)
        return (ARG_TYPE,)
    if role is Role.MAPPED and isinstance(around, DICT_EXPR):
        return (DICT_ITEM, TYPEDDICT_ITEM)
    return _MISSING_AWAIT_REPLACES.get(role, (MISC,)) if role is not None else (MISC,)


def _by_builtin(around: Expression | None, context: Context) -> bool:
    """Whether ``around`` is a builtin that iterates or measures ``context``."""
    return (
        isinstance(around, CALL_EXPR)
        and isinstance(context, EXPRESSION)
        and consumed_by_builtin(around, context)
    )


def _code_for_lines(
    errors: Errors, code: ErrorCode, lines: list[int], replaced: tuple[ErrorCode, ...]
) -> ErrorCode:
    """The code to file a finding under, where a ``# type: ignore`` on one of ``lines``
    has effect.

    A line that already carries ``# type: ignore[X]`` for the code ``X`` mypy itself gives
    this finding (one of ``replaced``, see :func:`_replaced`: ``misc`` for a wrong
    ``await``; ``unused-coroutine`` for a dropped coroutine, ``attr-defined`` for an
    attribute no coroutine has looked up on one, ...), but not the
    plugin's own code, gets the finding under ``X``: the existing ignore keeps working as it
    is, even with ``warn_unused_ignores``.  An ignore of another code (for another error on
    the line) does not silence the finding, and neither does one of a code mypy does not give
    in the module (``truthy-bool`` and ``unused-awaitable`` are opt-in, ``comparison-overlap``
    comes with ``strict_equality``): there the ignore is unused in plain mypy too.
    Everywhere else the plugin's own code is used.
    """
    ignores = file_ignores(errors)
    ignored = {c for line in lines for c in ignores.get(line) or ()}
    if ignored and code.code not in ignored:
        for mypys in replaced:
            if mypys.code in ignored and _given(errors, mypys):
                return mypys
    return code


def _given(errors: Errors, code: ErrorCode) -> bool:
    """Whether mypy gives errors of ``code`` in the module being reported."""
    option = _ONLY_UNDER.get(code.code)
    if option is not None and not getattr(errors.options, option, False):
        return False
    return errors.is_error_code_enabled(code)


def _span(
    errors: Errors, code: ErrorCode, context: Context, role: Role | None, scope: Scope | None
) -> tuple[list[int], Expression | None]:
    """The lines where a ``# type: ignore`` has effect for a finding at ``context``, as for
    the error mypy itself gives there: every line of the expression (``x = await sync(``
    ... ``)  # type: ignore[misc]``) and of the ``await`` or attribute lookup around it,
    where mypy reports its own error (``await (`` ... ``)``).  The one line where the file
    has no ignore at all.  With the ``await`` or attribute lookup, where looked for."""
    lines = _lines(context)
    if scope is None or not file_ignores(errors):
        return lines, None
    around = None
    if code == AWAIT_NOT_AWAITABLE or role in _AROUND_LOOKED_UP:
        around = enclosing_use(scope, context) if isinstance(context, EXPRESSION) else None
        # mypy reports a dict display's ``**`` entry at the entry itself.
        if around is not None and not isinstance(around, DICT_EXPR):
            lines += [line for line in _lines(around) if line not in lines]
    return lines, around


def _lines(context: Context) -> list[int]:
    if not isinstance(context, EXPRESSION):
        return [context.line]
    return list(range(context.line, max(context.end_line or 0, context.line) + 1))


def _file(
    errors: Errors,
    program: dict[str, MypyFile],
    code: ErrorCode,
    message: str,
    context: Context,
    role: Role | None,
    scope: Scope | None,
) -> None:
    lines, around = _span(errors, code, context, role, scope)
    replaced = _replaced(code, role, around, program)
    if role in (Role.ITERATED, Role.MEASURED) and _by_builtin(around, context):
        # A builtin's argument is reported only where mypy does not check the code
        # (checks/missing_await: ``checked``): mypy gives nothing there to keep an ignore
        # for, and an ignore has effect on the argument's own lines only.
        lines, replaced = _lines(context), ()
    errors.report(
        context.line,
        context.column,
        _distinct(errors, context, message),
        code=_code_for_lines(errors, code, lines, replaced),
        origin_span=lines,
        end_line=context.end_line,
        end_column=context.end_column,
    )


def _distinct(errors: Errors, context: Context, message: str) -> str:
    """``message``, or with its column where a finding of the same text stands at another
    column of the line (two coroutines alike on one line: ``x < count() < count()``,
    ``{**opts(), **opts()}``): mypy prints one error per line and text
    (``Errors.remove_duplicates``), and each is a finding of its own."""
    if any(
        info.line == context.line
        and info.column != context.column
        and info.message == message
        and info.severity == "error"
        for info in recorded_errors(errors, errors.file)
    ):
        return at_column(message, context.column)
    return message


def report(
    api: Checker,
    code: ErrorCode,
    message: str,
    context: Context,
    role: Role | None = None,
    scope: Scope | None = None,
) -> None:
    """Report a finding made during type checking (``role``: how a coroutine is misused;
    ``scope``: the function it stands in, where the ``await`` around it is looked up).

    mypy may check one expression more than once in a check, each time with another type
    for it: once per item of a union receiver (each item's hook judges the call), once per
    value of a constrained type variable (a copy of the function each).  Its own errors
    then print once, their texts being alike; the plugin's name the type, so a finding is
    filed only where no finding of ``code`` at the same place (line and column, where it
    ends) is still among the file's errors: the first one stands.  (The daemon clears a
    target's errors before it checks the target again.)"""
    errors = errors_of(api)
    key = (context.line, context.column, context.end_line, context.end_column, code.code)
    filed_here = _filed_in(errors)
    filed = filed_here.get(key)
    if filed is not None and still_filed(errors, filed):
        return
    printed_again(errors)
    with outside_attempts(errors):
        _file(errors, modules(api), code, message, context, role, scope)
    error = last_filed(errors, message)
    if error is not None:
        filed_here[key] = error


# Where report() filed a finding: its place (line, column, end line, end column) and code.
_Place = tuple[int, int, "int | None", "int | None", str]


class _Filed:
    """What report() filed in one file, by place (the error itself, to know whether it is
    still filed), and which list of the file's errors it was filed in (its identity)."""

    __slots__ = ("errors_list", "filed")

    def __init__(self) -> None:
        self.errors_list = 0
        self.filed: dict[_Place, object] = {}


# _Filed per file.  The daemon clears a file's errors before it checks the file again (in a
# new list): then its entries whose error is no longer filed are dropped, so that a
# long-lived daemon keeps no more than the findings it holds.
_FILED: dict[str, _Filed] = {}


def _filed_in(errors: Errors) -> dict[_Place, object]:
    """What report() filed in the file being reported, the stale entries dropped."""
    kept = _FILED.get(errors.file)
    if kept is None:
        kept = _FILED[errors.file] = _Filed()
    infos = recorded_errors(errors, errors.file)
    if kept.errors_list != id(infos):
        kept.errors_list = id(infos)
        current = {id(info) for info in infos}
        for key in [k for k, error in kept.filed.items() if id(error) not in current]:
            del kept.filed[key]
    return kept.filed


def report_instead_of_mypys(
    errors: Errors, code: ErrorCode, message: str, context: Expression, around: Expression
) -> None:
    """Report a finding in place of mypy's own error at ``around`` (from mypy's error
    watcher, :mod:`.checks.mypy_await_notes`), at ``context`` inside it: a ``# type:
    ignore`` on any line of either has effect, and one naming mypy's code keeps working
    (:func:`_code_for_lines`), as for a finding of a hook."""
    lines = _lines(context)
    lines += [line for line in _lines(around) if line not in lines]
    printed_again(errors)
    errors.report(
        context.line,
        context.column,
        _distinct(errors, context, message),
        code=_code_for_lines(errors, code, lines, _replaced(code, None, around, {})),
        origin_span=lines,
        end_line=context.end_line,
        end_column=context.end_column,
    )


def note(api: Checker, message: str, context: Context) -> None:
    """A note about the plugin's configuration, at the call that shows it."""
    with outside_attempts(errors_of(api)):
        api.note(message, context)


def report_to(
    errors: Errors,
    program: dict[str, MypyFile],
    code: ErrorCode,
    message: str,
    context: Context,
    role: Role | None = None,
    scope: Scope | None = None,
) -> None:
    """Report a finding made after type checking, in the module ``errors`` is set to
    (``program``: mypy's modules)."""
    _file(errors, program, code, message, context, role, scope)


def note_to(errors: Errors, message: str, line: int = 1) -> None:
    """A note about the configuration (or the plugin itself), in the module ``errors`` is
    set to, on its first line (where mypy reports what concerns a whole module) unless
    ``line`` says otherwise."""
    errors.report(max(line, 1), -1, message, severity="note")


def is_enabled(errors: Errors, code: ErrorCode) -> bool:
    """Whether ``code`` is enabled for the module being checked (per-module options apply)."""
    return errors.is_error_code_enabled(code)
