"""The bundled example, run for real: the seeded bug crashes, the fixed code works.

``examples/chat_service`` is the service ``make demo`` type-checks.  This shows that what
mypy (with the plugin) reports there is a real crash, not a style point: awaiting the
synchronous ``get_websocket_manager`` raises ``TypeError`` before any event is sent, and
the same code without the ``await`` sends all five agent events in order.
"""

from __future__ import annotations

import asyncio
import json
import linecache
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLE_ROOT = Path(__file__).resolve().parent.parent / "examples" / "chat_service"
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
from chat_service.testing import connect_test_client, connect_test_client_fixed  # noqa: E402
from chat_service.websocket.events import AGENT_EVENTS  # noqa: E402
from chat_service.websocket.manager import (  # noqa: E402
    get_websocket_manager,
    reset_websocket_managers,
)

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
    "run",
    [
        pytest.param(_workflow, id="agent-workflow"),
        pytest.param(_message, id="message-handler"),
        pytest.param(_test_client, id="test-helper"),
    ],
)
def test_awaiting_the_sync_factory_raises_type_error(run: Run) -> None:
    ctx = UserContext(user_id="test-user", thread_id="test-thread")
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
    with pytest.raises(TypeError, match=AWAIT_ERROR):
        asyncio.run(buggy("ada", "t1"))
    manager = asyncio.run(fixed("ada", "t1"))
    assert len(manager.sent_events) == 1
