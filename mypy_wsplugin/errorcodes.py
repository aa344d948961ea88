"""The plugin's error codes.

Both are sub-codes of mypy's ``misc``: an existing ``# type: ignore[misc]`` keeps silencing
the line, and ``disable_error_code = misc`` disables them too.  Each can be enabled or
disabled on its own, globally or per module (mypy >= 1.19).
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import MISC, ErrorCode


def _sub_code_of_misc(code: str, description: str) -> ErrorCode:
    """A code under ``misc``.  mypy < 1.1 (far below the tested range, where the plugin says
    so and switches its checks off) has no ``sub_code_of``: the code then stands alone
    instead of the import failing inside mypy."""
    try:
        return ErrorCode(code, description, "General", sub_code_of=MISC)
    except TypeError:
        return ErrorCode(code, description, "General")


AWAIT_NOT_AWAITABLE: Final = _sub_code_of_misc(
    "await-not-awaitable",
    "Check that an awaited expression is awaitable (a plain function's result is not)",
)
MISSING_AWAIT: Final = _sub_code_of_misc(
    "missing-await",
    "Check that a coroutine is awaited before its result is used",
)

# Every code the plugin reports, for whatever lists or matches them (the CLI, reports).
PLUGIN_CODES: Final = (AWAIT_NOT_AWAITABLE, MISSING_AWAIT)
