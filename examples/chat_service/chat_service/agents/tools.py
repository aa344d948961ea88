"""Asynchronous tools the agent can call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Tool = Callable[[str], Awaitable[str]]


async def search_docs(query: str) -> str:
    await asyncio.sleep(0)
    return f"3 documents match {query!r}"


async def lookup_order(order_id: str) -> str:
    await asyncio.sleep(0)
    return f"order {order_id} shipped yesterday"


TOOLS: dict[str, Tool] = {
    "search_docs": search_docs,
    "lookup_order": lookup_order,
}


class UnknownToolError(LookupError):
    pass


async def execute_tool(name: str, argument: str) -> str:
    tool = TOOLS.get(name)
    if tool is None:
        raise UnknownToolError(name)
    return await tool(argument)
