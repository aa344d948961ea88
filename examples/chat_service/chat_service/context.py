"""The per-request user context every WebSocket manager is bound to."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


def _new_request_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class UserContext:
    """Who is talking, in which chat thread; one WebSocket manager exists per (user, thread)."""

    user_id: str
    thread_id: str
    request_id: str = field(default_factory=_new_request_id)

    @property
    def connection_id(self) -> str:
        return f"ws-{self.user_id}-{self.thread_id}"
