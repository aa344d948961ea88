"""The old WebSocket entry points, still unannotated.

mypy does not check the bodies of unannotated functions, and sees ``Any`` for what an
unannotated factory returns; the plugin still reports these awaits.
"""

from chat_service.context import UserContext
from chat_service.websocket.manager import UnifiedWebSocketManager, get_websocket_manager


def get_legacy_manager(user_id, thread_id="legacy"):
    """The untyped factory older call sites still use (synchronous)."""
    return UnifiedWebSocketManager(UserContext(user_id=user_id, thread_id=thread_id))


async def handle_legacy_ping(user_id, thread_id):
    context = UserContext(user_id, thread_id)
    manager = await get_websocket_manager(context)  # BUG(mypy>=2.4): awaits a sync factory
    await manager.send_event("agent_started", {"ping": True})
    return manager


async def handle_legacy_reconnect(user_id, thread_id="legacy"):
    manager = await get_legacy_manager(user_id, thread_id)  # BUG(mypy>=2.4): awaits a sync factory
    await manager.send_event("agent_completed", {"reconnected": True})
    return manager


async def handle_legacy_ping_fixed(user_id, thread_id):
    context = UserContext(user_id, thread_id)
    manager = get_websocket_manager(context)
    await manager.send_event("agent_started", {"ping": True})
    return manager


async def handle_legacy_reconnect_fixed(user_id, thread_id="legacy"):
    manager = get_legacy_manager(user_id, thread_id)
    await manager.send_event("agent_completed", {"reconnected": True})
    return manager
