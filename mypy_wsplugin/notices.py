"""Lines the plugin says about itself (not findings): on stderr, once per process."""

from __future__ import annotations

import sys

_said: set[str] = set()


def say_once(line: str) -> None:
    """One line on stderr, once per process (mypy's own output stays on stdout)."""
    if line not in _said:
        _said.add(line)
        print(line, file=sys.stderr)
