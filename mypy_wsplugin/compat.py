"""What differs between the supported mypy versions, in one place."""

from __future__ import annotations

from typing import Final

from mypy.checker import TypeChecker
from mypy.version import __version__ as MYPY_VERSION

Checker = TypeChecker


def _parse(version: str) -> tuple[int, int]:
    parts = version.split("+")[0].split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)


MYPY: Final = _parse(MYPY_VERSION)
