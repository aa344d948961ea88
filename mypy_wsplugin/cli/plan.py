"""What each of the plugin's findings asks to change, read from its code and message.

The messages are made by :mod:`mypy_wsplugin.messages`; ``tests/test_fix_plan.py`` builds
them with those functions and reads them back here, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from mypy_wsplugin.cli.edits import Assigned, EditKind, EditRequest, Use
from mypy_wsplugin.cli.run_mypy import Finding
from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.messages import (
    CALL_IT,
    CALL_IT_IF_NOT_NONE,
    CALL_WHAT_IT_RETURNS,
    CALL_WHAT_IT_RETURNS_IF_NOT_NONE,
)

_WHAT: Final = re.compile(r'^(?:Cannot await|Coroutine) "(?P<what>[^"]+)"')
_ASSIGNED: Final = re.compile(r' assigned to "(?P<name>[^"]+)" on line (?P<line>\d+) ')
# The plugin's own message, and mypy's re-labelled (``missing_await_noted``).
_ATTRIBUTE: Final = re.compile(
    r'\(attribute "(?P<attribute>[^"]+)" is looked up on the coroutine'
    r'|\("Coroutine\[[^"]*\]" has no attribute "(?P<missing>[^"]+)"\)'
)
_USES: Final = (
    ("(a coroutine object is always true)", Use.CONDITION),
    ("(it is dropped and never runs)", Use.STATEMENT),
    ("(it is returned from a function declared to return ", Use.RETURNED),
)
REMOVE_SUFFIX: Final = 'remove the "await"'
# A change by hand, by how the message ends: what is awaited is to be called (its
# arguments are the author's to write), where it may be None too.
_TO_CALL: Final = (
    (CALL_IT, "a callable is awaited, not a call of it: call it"),
    (CALL_IT_IF_NOT_NONE, "a callable or None is awaited: call it where it is not None"),
    (CALL_WHAT_IT_RETURNS, "a call gives a callable, not an awaitable: call what it returns"),
    (
        CALL_WHAT_IT_RETURNS_IF_NOT_NONE,
        "a call gives a callable or None: call what it returns where it is not None",
    ),
)


@dataclass(frozen=True)
class Planned:
    finding: Finding
    request: EditRequest | None
    reason: str = ""  # why there is no edit to make (a change by hand is needed)


def plan(finding: Finding) -> Planned:
    """The edit ``finding`` asks for, or why it needs a change by hand."""
    if finding.code == AWAIT_NOT_AWAITABLE.code:
        for ending, reason in _TO_CALL:
            if finding.message.endswith(ending):
                return Planned(finding, None, reason)
        if not finding.message.endswith(REMOVE_SUFFIX):
            return Planned(finding, None, "only part of the union is not awaitable: narrow it")
        return Planned(finding, _request(finding, EditKind.REMOVE_AWAIT))
    if finding.code == MISSING_AWAIT.code:
        request = _request(finding, EditKind.ADD_AWAIT)
        return Planned(finding, request)
    return Planned(finding, None, f"fix has no edit for [{finding.code}]")


def _request(finding: Finding, kind: EditKind) -> EditRequest:
    message = finding.message
    what = _WHAT.match(message)
    name = what["what"].removesuffix("()").rsplit(".", 1)[-1] if what else None
    attribute = _ATTRIBUTE.search(message)
    use = Use.ATTRIBUTE_BASE if attribute else None
    for text, candidate in _USES:
        if text in message:
            use = candidate
    assigned = _ASSIGNED.search(message) if kind is EditKind.ADD_AWAIT else None
    return EditRequest(
        kind=kind,
        line=finding.line,
        column=finding.column,
        end_line=finding.end_line,
        end_column=finding.end_column,
        name=name,
        use=use,
        attribute=(attribute["attribute"] or attribute["missing"]) if attribute else None,
        assigned=Assigned(assigned["name"], int(assigned["line"])) if assigned else None,
    )
