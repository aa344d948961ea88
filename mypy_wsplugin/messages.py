"""Every text the plugin prints: its findings' messages and its notices about itself.

Messages follow mypy's style (quoted names and types, no final period) and end with the
change to make.  A wording change is made here and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from mypy.messages import format_type
from mypy.options import Options
from mypy.types import ProperType, Type, get_proper_type

from mypy_wsplugin.mypy_classes import NONE_TYPE, UNION_TYPE

if TYPE_CHECKING:
    from mypy_wsplugin.facts.statements import Role


def not_awaitable(
    options: Options, what: str, typ: Type, bad: list[ProperType], to_call: bool = False
) -> str:
    """``what`` is ``"f()"`` for a call or ``"Cls.attr"`` for an attribute.

    ``bad`` lists the members of ``typ`` that are not awaitable; empty means the type is
    unknown (``Any``) and the configuration says the factory is synchronous.  ``to_call``:
    each of them is a callable or None, so the change is a call, not taking the ``await``
    away (``checks.awaited_functions.calling_fixes``).
    """
    verb = "returns" if what.endswith("()") else "is"
    shown = format_type(typ, options)
    if not bad:
        return (
            f'Cannot await "{what}": it is configured as a synchronous factory, so what it '
            f'{verb} ({shown}) is not awaitable; remove the "await"'
        )
    proper = get_proper_type(typ)
    if not isinstance(proper, UNION_TYPE) or len(bad) == len(proper.relevant_items()):
        if to_call:
            return _callable_awaited(what, shown, any(isinstance(b, NONE_TYPE) for b in bad))
        return (
            f'Cannot await "{what}": it {verb} {shown}, which is not awaitable; remove the "await"'
        )
    members = " and ".join(format_type(b, options) for b in bad)
    return (
        f'Cannot await "{what}": it {verb} {shown}, and {members} is not awaitable; '
        "narrow it before awaiting"
    )


# The change an awaited function (not a call of it) asks for: read back by ``cli.plan``.
CALL_IT: Final = "call it"


# The same where the value may also be None, and where a call gives the callable: these
# also need a change by hand.
CALL_IT_IF_NOT_NONE: Final = "call it where it is not None"
CALL_WHAT_IT_RETURNS: Final = "call what it returns"
CALL_WHAT_IT_RETURNS_IF_NOT_NONE: Final = "call what it returns where it is not None"


def function_awaited(what: str) -> str:
    """``await f`` or ``await self.fetch``: the function itself is awaited, not a call of
    it (``what``: the operand as written)."""
    return f'Cannot await "{what}": it is a function, not a call of it; {CALL_IT}'


def _callable_awaited(what: str, shown: str, with_none: bool) -> str:
    """``await self.on_close`` (a callable Protocol, an ``Optional[Callable]``), ``await
    get_handler()``, ``await functools.partial(fetch, 1)``: what is awaited is to be called
    (``shown``: its type as mypy prints it)."""
    kind = "a callable or None" if with_none else "a callable"
    if what.endswith("()"):
        change = CALL_WHAT_IT_RETURNS_IF_NOT_NONE if with_none else CALL_WHAT_IT_RETURNS
        return f'Cannot await "{what}": it returns {shown}, {kind}, not an awaitable; {change}'
    change = CALL_IT_IF_NOT_NONE if with_none else CALL_IT
    return f'Cannot await "{what}": it is {shown}, {kind}, not a call of it; {change}'


# Why each use of an un-awaited coroutine is a bug, where the text depends on the role alone
# (by the role's name: the plugin imports this module at start-up, the roles only when it
# checks a module).
_MISUSES: Final[dict[str, str]] = {
    "CONDITION": "a coroutine object is always true",
    "STATEMENT": "it is dropped and never runs",
    "COMPARED": "the coroutine object is compared, not its result",
    "UNPACKED": "a coroutine object cannot be unpacked",
    "CONVERTED": "the coroutine object is converted, not its result",
    "ITERATED": "a coroutine object cannot be iterated",
    "MEASURED": "a coroutine object has no length",
    "MAPPED": "a coroutine object is not a mapping",
    "ORDERED": "a coroutine object cannot be ordered",
    "SUBSCRIPTED": "a coroutine object cannot be subscripted",
    "OPERAND": "the coroutine object is used in arithmetic, not its result",
    "CALLED": "a coroutine object cannot be called",
}


def misuse(options: Options, role: Role, attribute: str | None, declared: Type | None) -> str:
    """Why using an un-awaited coroutine this way is a bug (the part in parentheses)."""
    if role.name == "ATTRIBUTE_BASE":
        return f'attribute "{attribute}" is looked up on the coroutine, not on its result'
    if role.name == "MANAGED":
        kind = "an asynchronous " if attribute == "__aenter__" else "a "
        return f"a coroutine object is not {kind}context manager"
    fixed = _MISUSES.get(role.name)
    if fixed is not None:
        return fixed
    assert role.name == "RETURNED"
    if declared is None:  # from an unannotated ``async def``
        return "it is returned from an async def, so awaiting the call gives the coroutine"
    return f"it is returned from a function declared to return {format_type(declared, options)}"


def at_column(message: str, column: int) -> str:
    """``message`` with its column (0-based ``column``; printed 1-based, as mypy's
    ``--show-column-numbers``): for a second finding of the same text on one line
    (``x < count() < count()``), which mypy would otherwise print once."""
    return f"{message} (at column {column + 1})"


def missing_await(what: str, why: str) -> str:
    return f'Coroutine "{what}" is used without "await" ({why}); add "await"'


# Why an un-awaited awaitable that is not known to be a coroutine (what a callable typed
# ``-> Awaitable[T]`` gives: maybe a coroutine, maybe a future already under way) is a
# bug, for the uses judged of it: dropped or tested.
_AWAITABLE_MISUSES: Final[dict[str, str]] = {
    "STATEMENT": "it is dropped, so what it stands for may never run or finish",
    "CONDITION": "the awaitable object is tested, not its result",
}


def missing_await_on_awaitable(what: str, role_name: str) -> str:
    """``cb(user)`` dropped, or ``if cb(user):``, with ``cb`` typed as returning
    ``Awaitable[T]`` (a review: "Coroutine ... never runs" was wrong for a future)."""
    why = _AWAITABLE_MISUSES[role_name]
    return f'Awaitable "{what}" is used without "await" ({why}); add "await"'


def missing_await_noted(mypy_message: str) -> str:
    """mypy's own error about an un-awaited coroutine (followed by its note 'Maybe you
    forgot to use "await"?'), re-labelled: its text says where the coroutine went."""
    detail = mypy_message[:1].lower() + mypy_message[1:]
    return f'A coroutine is used without "await" ({detail}); add "await"'


def missing_await_argument(mypy_message: str, argument: str) -> str:
    """What is said of mypy's error about a call (or an indexing) with several coroutine
    arguments, re-labelled at one of them (``argument``: how it is named, ``argument 2``,
    ``argument "key"``, ``the index``), one error each: the detail of
    :func:`missing_await_noted`."""
    return f"{mypy_message}; {argument}"


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


# -- the configuration's entries checked against the program (entries.py, post_pass.py) ---

Where = tuple[str, str, str]  # the section, the key and the entry's text


def result_module_not_found(where: Where, module: str) -> str:
    section, key, text = where
    return (
        f'[{section}] {key} entry "{text}": module "{module}" of its RESULT cannot be found; '
        "what the factory returns is treated as Any"
    )


def entry_matches_nothing(where: Where, why: str) -> str:
    section, key, text = where
    return f'[{section}] {key} entry "{text}" matches nothing: {why}'


def in_module_file(config_path: str, line: int, note: str) -> str:
    """A note about an entry filed in a module's file: led by the config file and line."""
    return f"{config_path}:{line}: {note}"


def module_not_found(module: str) -> str:
    return f'module "{module}" cannot be found'


def module_not_in_program(module: str) -> str:
    return f'module "{module}" is not part of the checked program'


def glob_fits_no_module() -> str:
    return "no module of the checked program fits it"


def not_defined_in(module: str, rest: str) -> str:
    return f'module "{module}" has no "{rest}"'


def is_a_module(path: str) -> str:
    return f'"{path}" is a module, not a function or method'


def outside_tested_range(version: str, low: str, high: str, off: list[str]) -> str:
    what = "; ".join(off) if off else "nothing (untested)"
    return f"mypy_wsplugin: mypy {version} is outside the tested range {low} to {high}; off: {what}"


def internal_error(line: int, error: Exception, daemon: bool = False) -> str:
    until = "until the daemon restarts" if daemon else "for the rest of this run"
    return (
        f"mypy_wsplugin: internal error at line {line} ({type(error).__name__}: {error}); the "
        f"plugin's checks are off {until}. Please report this line to "
        "mypy_wsplugin's maintainers."
    )


def settings_changed(path: str, section: str) -> str:
    return (
        f"{path}: error: [{section}] settings changed since the mypy daemon started; "
        'run "dmypy restart" ("dmypy run" restarts by itself)'
    )
