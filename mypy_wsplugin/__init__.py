"""mypy_wsplugin: catch awaited plain functions and un-awaited coroutines with mypy."""

from __future__ import annotations

__version__ = "0.2.0"

from mypy_wsplugin.plugin import plugin

# mypy takes a plugin's entry module (this file: its version and its bytes) as the plugin's
# snapshot, and drops every cache entry when that changes.  Bump this whenever what the
# plugin keeps in mypy's cache changes (facts/stored_results.py: a hidden symbol's kind or
# its rule), so that a warm run after an upgrade does not read entries kept by an older
# rule.
CACHE_FORMAT = 6

__all__ = ["__version__", "plugin"]
