"""Presence: telling a user's browser that the agent is (still) there.

Both ``async def`` helpers here are called without ``await`` in the shipped handlers: a
coroutine object is always true, and its attributes are not those of its result.
"""

from __future__ import annotations

import asyncio

from chat_service.context import UserContext
from chat_service.websocket.events import EventFrame
from chat_service.websocket.manager import get_websocket_manager, open_websocket_manager


async def is_connected(user_context: UserContext) -> bool:
    """Whether the user's connection is still open (it asks the connection: a coroutine)."""
    await asyncio.sleep(0)
    return not get_websocket_manager(user_context).connection.closed


async def notify_user(user_context: UserContext, text: str) -> bool:
    """As shipped: writes to a closed connection, because the check is always true."""
    if is_connected(user_context):  # BUG: coroutine used without await
        manager = get_websocket_manager(user_context)
        await manager.send_event("agent_completed", {"notice": text})
        return True
    return False


async def notify_user_fixed(user_context: UserContext, text: str) -> bool:
    """The fix: await the check."""
    if await is_connected(user_context):
        manager = get_websocket_manager(user_context)
        await manager.send_event("agent_completed", {"notice": text})
        return True
    return False


async def announce_online(user_context: UserContext) -> EventFrame:
    """As shipped: fails with ``AttributeError``, the coroutine has no ``send_event``."""
    manager = open_websocket_manager(user_context)
    return await manager.send_event("agent_started", {})  # BUG: coroutine used without await


async def announce_online_fixed(user_context: UserContext) -> EventFrame:
    """The fix: await the factory where its result is assigned."""
    manager = await open_websocket_manager(user_context)
    return await manager.send_event("agent_started", {})
