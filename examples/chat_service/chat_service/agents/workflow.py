"""One agent run: the five events the chat UI shows while the agent works."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from chat_service.agents.tools import execute_tool
from chat_service.context import UserContext
from chat_service.websocket.manager import UnifiedWebSocketManager, get_websocket_manager

TOOL_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class AgentRequest:
    prompt: str
    tool: str = "search_docs"


async def plan(prompt: str) -> str:
    await asyncio.sleep(0)
    return f"I should look up {prompt!r} before answering"


async def drive_agent(manager: UnifiedWebSocketManager, request: AgentRequest) -> str:
    """Run the agent for ``request``, emitting all five agent events through ``manager``."""
    await manager.send_event("agent_started", {"prompt": request.prompt})
    thought = await plan(request.prompt)
    await manager.send_event("agent_thinking", {"thought": thought})
    await manager.send_event("tool_executing", {"tool": request.tool})
    output = await asyncio.wait_for(
        execute_tool(request.tool, request.prompt), timeout=TOOL_TIMEOUT_SECONDS
    )
    await manager.send_event("tool_completed", {"tool": request.tool, "output": output})
    answer = f"{output} (via {request.tool})"
    await manager.send_event("agent_completed", {"answer": answer})
    return answer


async def run_agent_workflow(user_context: UserContext, request: AgentRequest) -> str:
    """As shipped: crashes before the first event is sent."""
    manager = await get_websocket_manager(user_context=user_context)  # BUG: awaits a sync factory
    return await drive_agent(manager, request)


async def run_agent_workflow_fixed(user_context: UserContext, request: AgentRequest) -> str:
    """The fix: the factory is synchronous, so call it without ``await``."""
    manager = get_websocket_manager(user_context=user_context)
    return await drive_agent(manager, request)
