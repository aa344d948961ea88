"""The reasons the ``missing-await`` message gives, per role of the un-awaited coroutine.

``messages.py`` keys them by the role's name (it is imported at start-up, the roles only when
a module is checked), so a renamed role must fail here, not fall through to another text.
"""

from __future__ import annotations

import pytest
from mypy.options import Options

from mypy_wsplugin.facts.roles import Role
from mypy_wsplugin.messages import misuse

REASONS = {
    Role.CONDITION: "a coroutine object is always true",
    Role.STATEMENT: "it is dropped and never runs",
    Role.COMPARED: "the coroutine object is compared, not its result",
    Role.UNPACKED: "a coroutine object cannot be unpacked",
    Role.CONVERTED: "the coroutine object is converted, not its result",
    Role.ITERATED: "a coroutine object cannot be iterated",
    Role.MEASURED: "a coroutine object has no length",
    Role.MAPPED: "a coroutine object is not a mapping",
    Role.ORDERED: "a coroutine object cannot be ordered",
    Role.MANAGED: "a coroutine object is not a context manager",
    Role.SUBSCRIPTED: "a coroutine object cannot be subscripted",
    Role.OPERAND: "the coroutine object is used in arithmetic, not its result",
    Role.CALLED: "a coroutine object cannot be called",
    Role.ATTRIBUTE_BASE: 'attribute "send" is looked up on the coroutine, not on its result',
    Role.RETURNED: "it is returned from an async def, so awaiting the call gives the coroutine",
}


@pytest.mark.parametrize("role", list(REASONS), ids=lambda role: role.name)
def test_each_misuse_has_its_own_reason(role: Role) -> None:
    assert misuse(Options(), role, "send", None) == REASONS[role]


@pytest.mark.parametrize(
    "role", [role for role in Role if role not in REASONS], ids=lambda role: role.name
)
def test_a_role_that_is_no_misuse_has_no_reason(role: Role) -> None:
    with pytest.raises(AssertionError):
        misuse(Options(), role, "send", None)
