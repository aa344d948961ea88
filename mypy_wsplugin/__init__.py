"""mypy_wsplugin: catch awaited plain functions and un-awaited coroutines with mypy."""

from __future__ import annotations

from mypy_wsplugin.main import plugin

__version__ = "0.1.0"
__all__ = ["__version__", "plugin"]
