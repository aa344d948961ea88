"""A small WebSocket chat service that reproduces the "awaited sync factory" incident.

``chat_service.websocket.manager.get_websocket_manager`` is a plain ``def`` that returns a
per-user :class:`~chat_service.websocket.manager.UnifiedWebSocketManager`.  Three call sites
(each line ends in a ``BUG`` comment) write ``await get_websocket_manager(...)``, which fails
at run time with ``TypeError: object UnifiedWebSocketManager can't be used in 'await'
expression``.  Each has a ``*_fixed`` twin that calls the factory without ``await``.
``chat_service.handlers.presence`` has the opposite bug twice: coroutines used without
``await`` (as a truth value, and for an attribute of what they return).
"""
