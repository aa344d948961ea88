"""What differs between the supported mypy versions, in one place."""

from __future__ import annotations

import gc
from typing import Final

from mypy.checker import TypeChecker
from mypy.errors import Errors
from mypy.nodes import MypyFile
from mypy.version import __version__ as MYPY_VERSION

Checker = TypeChecker


def _parse(version: str) -> tuple[int, int]:
    parts = version.split("+")[0].split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)


MYPY: Final = _parse(MYPY_VERSION)
__all__ = ["HAS_POST_PASS", "MYPY", "MYPY_VERSION", "Checker", "find_build_errors"]

# mypy >= 2.4 calls Plugin.get_additional_indirect_deps from State.finish_passes: after the
# module is type-checked, before its errors are flushed and cached.  The pass over
# unannotated code runs there; older versions have no such point.
HAS_POST_PASS: Final = MYPY >= (2, 4)


def find_build_errors(modules: dict[str, MypyFile]) -> Errors | None:
    """The build's ``Errors``, for a plugin that has not been handed a checker.

    Hooks give it as ``ctx.api.msg.errors``, but a module whose code fires no hook gives
    none.  The build manager holds both the module dict the plugin was given
    (``Plugin.set_modules``) and the ``Errors``; it is found among the dict's referrers.
    """
    for owner in gc.get_referrers(modules):
        errors = getattr(owner, "errors", None)
        if isinstance(errors, Errors):
            return errors
    return None
