"""A fake WebSocket connection that keeps every frame it is sent in memory."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping


class ConnectionClosedError(RuntimeError):
    """Raised when a frame is sent on a connection that was closed."""


class InMemoryConnection:
    """Stands in for a real WebSocket: ``send_json`` serialises and records the frame."""

    def __init__(self, connection_id: str) -> None:
        self.connection_id = connection_id
        self.frames: list[str] = []
        self.closed = False

    async def send_json(self, data: Mapping[str, object]) -> None:
        if self.closed:
            raise ConnectionClosedError(f"connection {self.connection_id} is closed")
        await asyncio.sleep(0)  # a real socket write yields to the event loop
        self.frames.append(json.dumps(data, sort_keys=True))

    async def close(self) -> None:
        await asyncio.sleep(0)
        self.closed = True

    def received(self) -> list[dict[str, object]]:
        """The frames sent so far, decoded."""
        decoded: list[dict[str, object]] = []
        for frame in self.frames:
            value = json.loads(frame)
            if isinstance(value, dict):
                decoded.append(value)
        return decoded
