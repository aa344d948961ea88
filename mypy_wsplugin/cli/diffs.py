"""Unified diffs of edited files, as ``git apply`` / ``patch -p1`` read them."""

from __future__ import annotations

import difflib

NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(display_path: str, before: str, after: str) -> str:
    """The diff from ``before`` to ``after``; lines keep their own endings (``\\r\\n`` too)."""
    lines = difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=f"a/{display_path}",
        tofile=f"b/{display_path}",
    )
    out: list[str] = []
    for line in lines:
        out.append(line)
        if not line.endswith("\n"):
            out.append("\n" + NO_NEWLINE)
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines as ``patch`` counts them: each ends at a ``\n`` (a ``\r`` before it stays)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines
