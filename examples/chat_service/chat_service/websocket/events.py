"""The agent events the chat UI listens for, and the frame each is sent in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

AgentEvent = Literal[
    "agent_started",
    "agent_thinking",
    "tool_executing",
    "tool_completed",
    "agent_completed",
]

# The order in which one agent run emits its events.
AGENT_EVENTS: Final[tuple[AgentEvent, ...]] = (
    "agent_started",
    "agent_thinking",
    "tool_executing",
    "tool_completed",
    "agent_completed",
)


@dataclass(frozen=True)
class EventFrame:
    """One event as sent to the browser."""

    event_type: AgentEvent
    user_id: str
    thread_id: str
    sequence: int
    payload: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "type": self.event_type,
            "user_id": self.user_id,
            "thread_id": self.thread_id,
            "seq": self.sequence,
            "payload": self.payload,
        }
