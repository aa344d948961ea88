"""mypy_wsplugin: catch awaited plain functions and un-awaited coroutines with mypy."""

from __future__ import annotations

__version__ = "0.2.0"

from mypy_wsplugin.plugin import plugin

__all__ = ["__version__", "plugin"]
