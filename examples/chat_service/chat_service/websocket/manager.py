"""The per-user WebSocket manager and its synchronous factory.

``get_websocket_manager`` is a plain ``def``: it returns the manager itself, not a
coroutine.  Writing ``await get_websocket_manager(...)`` is the bug this example is about.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from chat_service.context import UserContext
from chat_service.websocket.connection import InMemoryConnection
from chat_service.websocket.events import AgentEvent, EventFrame


class UnifiedWebSocketManager:
    """Sends agent events to one user's connection, and remembers what it sent."""

    def __init__(
        self, user_context: UserContext, connection: InMemoryConnection | None = None
    ) -> None:
        self.user_context = user_context
        self.connection = connection or InMemoryConnection(user_context.connection_id)
        self.sent_events: list[EventFrame] = []

    async def send_event(self, event_type: AgentEvent, payload: Mapping[str, object]) -> EventFrame:
        frame = EventFrame(
            event_type=event_type,
            user_id=self.user_context.user_id,
            thread_id=self.user_context.thread_id,
            sequence=len(self.sent_events),
            payload=dict(payload),
        )
        await self.connection.send_json(frame.to_json())
        self.sent_events.append(frame)
        return frame

    @property
    def event_types(self) -> list[AgentEvent]:
        return [frame.event_type for frame in self.sent_events]

    async def close(self) -> None:
        await self.connection.close()


_managers: dict[tuple[str, str], UnifiedWebSocketManager] = {}


def get_websocket_manager(user_context: UserContext) -> UnifiedWebSocketManager:
    """The manager for this user and thread, created on first use (synchronous)."""
    key = (user_context.user_id, user_context.thread_id)
    manager = _managers.get(key)
    if manager is None:
        manager = UnifiedWebSocketManager(user_context)
        _managers[key] = manager
    return manager


async def open_websocket_manager(user_context: UserContext) -> UnifiedWebSocketManager:
    """The manager on an open connection, reopened if it was closed (a coroutine: opening a
    connection is I/O)."""
    manager = get_websocket_manager(user_context)
    await asyncio.sleep(0)  # the handshake of a real connection
    if manager.connection.closed:
        manager.connection = InMemoryConnection(user_context.connection_id)
    return manager


def reset_websocket_managers() -> None:
    """Forget every cached manager (between tests, or on shutdown)."""
    _managers.clear()
