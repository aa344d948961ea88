"""The plugin's error codes.

Both are sub-codes of mypy's ``misc``: an existing ``# type: ignore[misc]`` keeps silencing
the line, and ``disable_error_code = misc`` disables them too.  Each can be enabled or
disabled on its own, globally or per module (mypy >= 1.19).
"""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import MISC, ErrorCode

AWAIT_NOT_AWAITABLE: Final = ErrorCode(
    "await-not-awaitable",
    "Check that an awaited expression is awaitable (a plain function's result is not)",
    "General",
    sub_code_of=MISC,
)
MISSING_AWAIT: Final = ErrorCode(
    "missing-await",
    "Check that a coroutine is awaited before its result is used",
    "General",
    sub_code_of=MISC,
)

# Every code the plugin reports, for whatever lists or matches them (the CLI, reports).
PLUGIN_CODES: Final = (AWAIT_NOT_AWAITABLE, MISSING_AWAIT)
