"""WebSocket plumbing: the in-memory connection, the event frames and the manager."""
