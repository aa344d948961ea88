"""Helpers for tests that talk to the chat service as a connected user."""

from __future__ import annotations

from dataclasses import dataclass

from chat_service.agents.workflow import AgentRequest, drive_agent
from chat_service.context import UserContext
from chat_service.websocket.events import AgentEvent
from chat_service.websocket.manager import UnifiedWebSocketManager, get_websocket_manager


@dataclass
class ChatTestClient:
    user_context: UserContext
    manager: UnifiedWebSocketManager

    async def ask(self, prompt: str, tool: str = "search_docs") -> str:
        return await drive_agent(self.manager, AgentRequest(prompt=prompt, tool=tool))

    def received_events(self) -> list[AgentEvent]:
        return self.manager.event_types


def make_user_context(user_id: str = "test-user", thread_id: str = "test-thread") -> UserContext:
    return UserContext(user_id=user_id, thread_id=thread_id)


async def connect_test_client(user_id: str = "test-user") -> ChatTestClient:
    """As shipped: every test that used this helper failed during setup."""
    user_context = make_user_context(user_id)
    manager = await get_websocket_manager(user_context=user_context)  # BUG: awaits a sync factory
    return ChatTestClient(user_context=user_context, manager=manager)


async def connect_test_client_fixed(user_id: str = "test-user") -> ChatTestClient:
    """The fix: call the synchronous factory directly."""
    user_context = make_user_context(user_id)
    manager = get_websocket_manager(user_context=user_context)
    return ChatTestClient(user_context=user_context, manager=manager)
