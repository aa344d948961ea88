"""The plugin's error codes, as :mod:`mypy_wsplugin.errorcodes` defines them.

Every command takes the list from there: a code added to that module is counted, fixed
where it can be, and disabled by ``report``'s config lines without a change here.
"""

from __future__ import annotations

import mypy.errorcodes
from mypy.errorcodes import ErrorCode

from mypy_wsplugin import errorcodes


def plugin_codes() -> tuple[ErrorCode, ...]:
    """The codes the plugin defines (not mypy's own ones it imports), in definition order."""
    mypy_own = {id(value) for value in vars(mypy.errorcodes).values()}
    return tuple(
        value
        for value in vars(errorcodes).values()
        if isinstance(value, ErrorCode) and id(value) not in mypy_own
    )


def plugin_code_names() -> tuple[str, ...]:
    return tuple(code.code for code in plugin_codes())


def print_codes() -> int:
    """``mypy-wsplugin codes``: one line per code, tab-separated."""
    for code in plugin_codes():
        parent = code.sub_code_of.code if code.sub_code_of else "-"
        print(f"{code.code}\t(sub-code of {parent})\t{code.description}")
    return 0
