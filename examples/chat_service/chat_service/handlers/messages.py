"""The handler for chat messages a user sends over the WebSocket."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from chat_service.agents.workflow import AgentRequest, drive_agent
from chat_service.context import UserContext
from chat_service.websocket.manager import get_websocket_manager


class InvalidMessageError(ValueError):
    """The frame is not a chat message this service understands."""


@dataclass(frozen=True)
class ChatMessage:
    text: str
    tool: str = "search_docs"


def parse_message(raw: str) -> ChatMessage:
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("type") != "user_message":
        raise InvalidMessageError(raw)
    text = data.get("text")
    tool = data.get("tool", "search_docs")
    if not isinstance(text, str) or not text.strip() or not isinstance(tool, str):
        raise InvalidMessageError(raw)
    return ChatMessage(text=text.strip(), tool=tool)


async def handle_user_message(user_context: UserContext, raw: str) -> str:
    """As shipped: every chat message fails with ``TypeError``."""
    message = parse_message(raw)
    manager = await get_websocket_manager(user_context=user_context)  # BUG: awaits a sync factory
    request = AgentRequest(prompt=message.text, tool=message.tool)
    task = asyncio.create_task(drive_agent(manager, request), name=user_context.request_id)
    return await task


async def handle_user_message_fixed(user_context: UserContext, raw: str) -> str:
    """The fix: the manager comes from a plain call; the agent run is still awaited."""
    message = parse_message(raw)
    manager = get_websocket_manager(user_context=user_context)
    request = AgentRequest(prompt=message.text, tool=message.tool)
    task = asyncio.create_task(drive_agent(manager, request), name=user_context.request_id)
    return await task
