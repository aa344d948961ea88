"""What ``fix`` reads from a finding's message: made here by the plugin's own message
functions, so a change of wording there fails here."""

from __future__ import annotations

import pytest
from mypy.options import Options
from mypy.types import AnyType, NoneType, ProperType, TypeOfAny, UnionType

from mypy_wsplugin.cli.edits import Assigned, EditKind, EditRequest, Use
from mypy_wsplugin.cli.plan import Planned, plan
from mypy_wsplugin.cli.run_mypy import Finding
from mypy_wsplugin.facts.roles import Role
from mypy_wsplugin.messages import (
    function_awaited,
    missing_await,
    missing_await_assigned,
    missing_await_noted,
    misuse,
    not_awaitable,
)

OPTIONS = Options()


def finding(code: str, message: str) -> Finding:
    return Finding("app.py", 7, 4, 7, 12, code, message)


def request(
    kind: EditKind,
    name: str | None,
    use: Use | None = None,
    attribute: str | None = None,
    assigned: Assigned | None = None,
) -> EditRequest:
    return EditRequest(kind, 7, 4, 7, 12, name, use, attribute, assigned)


def test_await_of_a_plain_value_is_removed() -> None:
    message = not_awaitable(OPTIONS, "Registry.get_manager()", NoneType(), [NoneType()])
    assert plan(finding("await-not-awaitable", message)) == Planned(
        finding("await-not-awaitable", message),
        request(EditKind.REMOVE_AWAIT, name="get_manager"),
    )


def test_await_of_a_configured_factory_seen_as_any_is_removed() -> None:
    message = not_awaitable(OPTIONS, "get_manager()", AnyType(TypeOfAny.explicit), [])
    assert plan(finding("await-not-awaitable", message)).request == request(
        EditKind.REMOVE_AWAIT, name="get_manager"
    )


def test_await_of_a_partly_awaitable_union_is_left_for_a_person() -> None:
    union = UnionType([AnyType(TypeOfAny.explicit), NoneType()])
    message = not_awaitable(OPTIONS, "dict.get()", union, [NoneType()])
    assert message.endswith("narrow it before awaiting")
    planned = plan(finding("await-not-awaitable", message))
    assert (planned.request, planned.reason) == (
        None,
        "only part of the union is not awaitable: narrow it",
    )


def test_await_of_a_function_itself_is_left_for_a_person() -> None:
    """``await self.fetch``: the call to write needs its arguments, which fix cannot know."""
    planned = plan(finding("await-not-awaitable", function_awaited("self.fetch")))
    assert (planned.request, planned.reason) == (
        None,
        "a callable is awaited, not a call of it: call it",
    )


@pytest.mark.parametrize(
    ("what", "with_none", "reason"),
    [
        ("self.on_close", False, "a callable is awaited, not a call of it: call it"),
        (
            "self.on_close",
            True,
            "a callable or None is awaited: call it where it is not None",
        ),
        (
            "get_handler()",
            False,
            "a call gives a callable, not an awaitable: call what it returns",
        ),
        (
            "get_handler()",
            True,
            "a call gives a callable or None: call what it returns where it is not None",
        ),
    ],
)
def test_await_of_a_callable_is_left_for_a_person(what: str, with_none: bool, reason: str) -> None:
    """``await self.on_close`` (a callable Protocol, an ``Optional[Callable]``), ``await
    get_handler()``: taking the ``await`` away would leave the call undone."""
    bad: list[ProperType] = [AnyType(TypeOfAny.explicit)]
    if with_none:
        bad.append(NoneType())
    typ = UnionType(list(bad)) if with_none else bad[0]
    message = not_awaitable(OPTIONS, what, typ, bad, to_call=True)
    assert 'remove the "await"' not in message
    planned = plan(finding("await-not-awaitable", message))
    assert (planned.request, planned.reason) == (None, reason)


@pytest.mark.parametrize(
    ("role", "attribute", "use"),
    [
        (Role.ATTRIBUTE_BASE, "send", Use.ATTRIBUTE_BASE),
        (Role.CONDITION, None, Use.CONDITION),
        (Role.STATEMENT, None, Use.STATEMENT),
        (Role.RETURNED, None, Use.RETURNED),
    ],
)
def test_missing_await_names_the_call_and_its_use(
    role: Role, attribute: str | None, use: Use
) -> None:
    declared = NoneType() if role is Role.RETURNED else None
    message = missing_await("ws.create_manager()", misuse(OPTIONS, role, attribute, declared))
    assert plan(finding("missing-await", message)).request == request(
        EditKind.ADD_AWAIT, name="create_manager", use=use, attribute=attribute
    )


def test_missing_await_at_a_later_use_points_at_the_assignment() -> None:
    why = misuse(OPTIONS, Role.ATTRIBUTE_BASE, "send_event", None)
    message = missing_await_assigned("open_manager()", "manager", 42, why)
    assert plan(finding("missing-await", message)).request == request(
        EditKind.ADD_AWAIT,
        name="open_manager",
        use=Use.ATTRIBUTE_BASE,
        attribute="send_event",
        assigned=Assigned("manager", 42),
    )


def test_mypys_error_about_an_attribute_of_a_coroutine_names_the_use() -> None:
    """mypy's own error, re-labelled: the edit is for a coroutine ``append`` is looked up on
    (``edits`` then finds no call there where the coroutine is a name)."""
    message = missing_await_noted('"Coroutine[Any, Any, list[int]]" has no attribute "append"')
    assert plan(finding("missing-await", message)).request == request(
        EditKind.ADD_AWAIT, name=None, use=Use.ATTRIBUTE_BASE, attribute="append"
    )


def test_another_code_has_no_edit() -> None:
    planned = plan(finding("misc", "Something else"))
    assert (planned.request, planned.reason) == (None, "fix has no edit for [misc]")
