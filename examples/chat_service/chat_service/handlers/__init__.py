"""Handlers for frames that arrive on a user's WebSocket."""
