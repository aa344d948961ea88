"""The bundled example, run for real: the seeded bugs crash, the fixed code works.

``examples/chat_service`` is the service ``make demo`` type-checks.  This shows that what
mypy (with the plugin) reports there is a real bug, not a style point: awaiting the
synchronous ``get_websocket_manager`` raises ``TypeError`` before any event is sent, and
the same code without the ``await`` sends all five agent events in order; a coroutine
tested for truth writes to a closed connection, and one used for its attribute raises
``AttributeError``.

``tests/test_fix_example.py`` runs this module again on a copy of the example after
``mypy-wsplugin fix --write`` (``WSPLUGIN_EXAMPLE_ROOT`` names the copy,
``WSPLUGIN_EXAMPLE_FIXED=1``): there every seeded bug that mypy reports on the running mypy
version must behave like its ``*_fixed`` twin.
"""

from __future__ import annotations

import asyncio
import gc
import json
import linecache
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

REPOSITORY_EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chat_service"
EXAMPLE_ROOT = Path(os.environ.get("WSPLUGIN_EXAMPLE_ROOT") or REPOSITORY_EXAMPLE).resolve()
FIXED = os.environ.get("WSPLUGIN_EXAMPLE_FIXED") == "1"
if str(EXAMPLE_ROOT) not in sys.path:
    sys.path.insert(0, str(EXAMPLE_ROOT))

from chat_service.agents.workflow import (  # noqa: E402
    AgentRequest,
    run_agent_workflow,
    run_agent_workflow_fixed,
)
from chat_service.context import UserContext  # noqa: E402
from chat_service.handlers.lifecycle import handle_disconnect, handle_reconnect  # noqa: E402
from chat_service.handlers.messages import (  # noqa: E402
    handle_user_message,
    handle_user_message_fixed,
)
from chat_service.handlers.presence import (  # noqa: E402
    announce_online,
    announce_online_fixed,
    notify_user,
    notify_user_fixed,
)
from chat_service.testing import connect_test_client, connect_test_client_fixed  # noqa: E402
from chat_service.websocket.connection import ConnectionClosedError  # noqa: E402
from chat_service.websocket.events import AGENT_EVENTS  # noqa: E402
from chat_service.websocket.manager import (  # noqa: E402
    get_websocket_manager,
    reset_websocket_managers,
)

from mypy_wsplugin.mypy_internals import CAPABILITIES  # noqa: E402

HAS_POST_PASS = CAPABILITIES.post_pass

FIVE_EVENTS = [
    "agent_started",
    "agent_thinking",
    "tool_executing",
    "tool_completed",
    "agent_completed",
]
AWAIT_ERROR = r"object UnifiedWebSocketManager can't be used in 'await' expression"
MESSAGE = json.dumps({"type": "user_message", "text": "where is my order?"})

Run = Callable[[UserContext], Coroutine[Any, Any, object]]
BUG_MARKER = "# BUG: awaits a sync factory"
MISSING_AWAIT_MARKER = "# BUG: coroutine used without await"


@pytest.fixture(autouse=True)
def fresh_managers() -> Iterator[None]:
    reset_websocket_managers()
    yield
    reset_websocket_managers()


def test_example_is_loaded_from_the_repository() -> None:
    import chat_service

    assert Path(chat_service.__file__).resolve().is_relative_to(EXAMPLE_ROOT)
    assert list(AGENT_EVENTS) == FIVE_EVENTS


async def _workflow(ctx: UserContext) -> object:
    return await run_agent_workflow(ctx, AgentRequest(prompt="where is my order?"))


async def _message(ctx: UserContext) -> object:
    return await handle_user_message(ctx, MESSAGE)


async def _test_client(ctx: UserContext) -> object:
    return await connect_test_client(ctx.user_id)


@pytest.mark.parametrize(
    ("run", "events"),
    [
        pytest.param(_workflow, FIVE_EVENTS, id="agent-workflow"),
        pytest.param(_message, FIVE_EVENTS, id="message-handler"),
        pytest.param(_test_client, [], id="test-helper"),
    ],
)
def test_awaiting_the_sync_factory_raises_type_error(run: Run, events: list[str]) -> None:
    ctx = UserContext(user_id="test-user", thread_id="test-thread")
    if FIXED:
        asyncio.run(run(ctx))
        assert get_websocket_manager(ctx).event_types == events
        return
    with pytest.raises(TypeError, match=AWAIT_ERROR) as excinfo:
        asyncio.run(run(ctx))
    # The crash is raised on the seeded line, the one mypy reports ...
    failing = excinfo.traceback[-1]
    assert BUG_MARKER in linecache.getline(str(failing.path), failing.lineno + 1)
    # ... and before the first event is sent.
    manager = get_websocket_manager(ctx)
    assert manager.sent_events == []
    assert manager.connection.frames == []


def test_fixed_workflow_sends_the_five_agent_events_in_order() -> None:
    ctx = UserContext(user_id="alice", thread_id="t-1")
    answer = asyncio.run(
        run_agent_workflow_fixed(ctx, AgentRequest(prompt="A-1042", tool="lookup_order"))
    )
    assert answer == "order A-1042 shipped yesterday (via lookup_order)"

    manager = get_websocket_manager(ctx)
    assert manager.event_types == FIVE_EVENTS
    assert [frame.sequence for frame in manager.sent_events] == [0, 1, 2, 3, 4]
    assert all(frame.user_id == "alice" for frame in manager.sent_events)
    received = manager.connection.received()
    assert [frame["type"] for frame in received] == FIVE_EVENTS
    assert received[-1]["payload"] == {"answer": answer}


def test_fixed_message_handler_runs_the_agent() -> None:
    ctx = UserContext(user_id="bob", thread_id="t-2")
    answer = asyncio.run(handle_user_message_fixed(ctx, MESSAGE))
    assert answer == "3 documents match 'where is my order?' (via search_docs)"
    assert get_websocket_manager(ctx).event_types == FIVE_EVENTS


def test_fixed_test_helper_gives_a_working_client() -> None:
    async def scenario() -> list[str]:
        client = await connect_test_client_fixed("carol")
        await client.ask("refund policy")
        return list(client.received_events())

    assert asyncio.run(scenario()) == FIVE_EVENTS


def test_managers_are_per_user_and_survive_reconnects() -> None:
    alice = UserContext(user_id="alice", thread_id="t-1")
    bob = UserContext(user_id="bob", thread_id="t-1")

    async def scenario() -> int:
        await run_agent_workflow_fixed(alice, AgentRequest(prompt="hello"))
        replayed = await handle_reconnect(alice)
        await handle_disconnect(alice)
        return replayed

    assert asyncio.run(scenario()) == len(FIVE_EVENTS)
    manager = get_websocket_manager(alice)
    assert manager is get_websocket_manager(UserContext(user_id="alice", thread_id="t-1"))
    assert manager is not get_websocket_manager(bob)
    assert get_websocket_manager(bob).sent_events == []
    assert [frame["type"] for frame in manager.connection.received()] == FIVE_EVENTS
    assert manager.connection.closed


@pytest.mark.parametrize("name", ["handle_legacy_ping", "handle_legacy_reconnect"])
def test_legacy_unannotated_handlers_crash_and_their_fix_works(name: str) -> None:
    from chat_service.legacy import handlers

    buggy = getattr(handlers, name)
    fixed = getattr(handlers, name + "_fixed")
    if FIXED and HAS_POST_PASS:  # found, and so fixed, on mypy >= 2.4 only
        assert len(asyncio.run(buggy("ada", "t1")).sent_events) == 1
    else:
        with pytest.raises(TypeError, match=AWAIT_ERROR):
            asyncio.run(buggy("ada", "t1"))
    manager = asyncio.run(fixed("bea", "t1"))
    assert len(manager.sent_events) == 1


async def _notify_after_disconnect(ctx: UserContext, notify: Run) -> object:
    await handle_disconnect(ctx)
    return await notify(ctx)


@pytest.mark.filterwarnings("ignore:coroutine 'is_connected' was never awaited:RuntimeWarning")
def test_a_coroutine_as_truth_value_writes_to_a_closed_connection() -> None:
    ctx = UserContext(user_id="dana", thread_id="t-3")

    async def notify(ctx: UserContext) -> bool:
        return await notify_user(ctx, "the agent is done")

    if FIXED:
        assert asyncio.run(_notify_after_disconnect(ctx, notify)) is False
        return
    with pytest.raises(ConnectionClosedError, match="connection ws-dana-t-3 is closed"):
        asyncio.run(_notify_after_disconnect(ctx, notify))
    assert get_websocket_manager(ctx).sent_events == []


def test_fixed_notification_checks_the_connection() -> None:
    ctx = UserContext(user_id="dana", thread_id="t-3")

    async def notify(ctx: UserContext) -> bool:
        return await notify_user_fixed(ctx, "the agent is done")

    assert asyncio.run(notify(ctx)) is True
    assert asyncio.run(_notify_after_disconnect(ctx, notify)) is False
    assert get_websocket_manager(ctx).event_types == ["agent_completed"]


@pytest.mark.filterwarnings(
    "ignore:coroutine 'open_websocket_manager' was never awaited:RuntimeWarning"
)
def test_an_attribute_of_a_coroutine_raises_attribute_error() -> None:
    ctx = UserContext(user_id="erin", thread_id="t-4")
    if FIXED:
        assert asyncio.run(announce_online(ctx)).event_type == "agent_started"
        return
    with pytest.raises(
        AttributeError, match="'coroutine' object has no attribute 'send_event'"
    ) as excinfo:
        asyncio.run(announce_online(ctx))
    failing = excinfo.traceback[-1]
    assert MISSING_AWAIT_MARKER in linecache.getline(str(failing.path), failing.lineno + 1)
    del excinfo, failing  # their frames hold the coroutine: its warning is filtered here
    gc.collect()


def test_fixed_announcement_reopens_a_closed_connection() -> None:
    ctx = UserContext(user_id="erin", thread_id="t-4")

    async def scenario() -> str:
        await handle_disconnect(ctx)
        frame = await announce_online_fixed(ctx)
        return frame.event_type

    assert asyncio.run(scenario()) == "agent_started"
    manager = get_websocket_manager(ctx)
    assert not manager.connection.closed
    assert [frame["type"] for frame in manager.connection.received()] == ["agent_started"]
