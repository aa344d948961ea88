"""Which mypy is running, the range ``make test`` covers, and what the running mypy offers
(probed once, when the plugin is imported)."""

from __future__ import annotations

from typing import Final

from mypy.errors import Errors
from mypy.plugin import Plugin
from mypy.version import __version__ as _mypy_version


def parse_version(version: str) -> tuple[int, int]:
    """``(major, minor)`` of a mypy version string (``"2.4.1"``, ``"1.19.0+dev.abc"``)."""
    parts = version.split("+")[0].split(".")
    try:
        return int(parts[0]), int("".join(ch for ch in parts[1] if ch.isdigit()) or 0)
    except (IndexError, ValueError):
        return (0, 0)


MYPY_VERSION: Final = _mypy_version


MYPY: Final = parse_version(MYPY_VERSION)


# The versions ``make test`` runs the whole suite on (floor and newest), as in pyproject.
TESTED_RANGE: Final = ((1, 19), (2, 4))


def in_tested_range(version: tuple[int, int]) -> bool:
    low, high = TESTED_RANGE
    return low <= version <= high


# mypy 1.19.0 keeps a module's errors in its cache as printed lines, in the output format of
# the run that wrote the cache (text, or JSON with ``-O json``), and formats them in
# ``Errors.file_messages``; from 1.19.1 the cache keeps them unformatted and
# ``Errors.format_messages`` formats them for the run that prints them (the old
# ``format_messages`` became ``format_messages_default``).
ERRORS_CACHED_AS_PRINTED: Final = not hasattr(Errors, "format_messages_default")


class Capabilities:
    """What the running mypy offers, probed once at start-up."""

    def __init__(self) -> None:
        # Hooks need the function being checked: TypeChecker.scope.current_function()
        # (mypy >= 1.15; 1.14 has no such method).
        self.hooks = hasattr(_checker_scope_type(), "current_function")
        # The pass over unannotated code runs from Plugin.get_additional_indirect_deps,
        # which mypy >= 2.4 calls from State.finish_passes after a module is type-checked,
        # with its error context active and before its errors are flushed and cached.
        self.post_pass = MYPY >= (2, 4) and hasattr(Plugin, "get_additional_indirect_deps")
        # The daemon's post-check re-run needs to know which files were already printed.
        if not _instance_attribute(Errors, "flushed_files"):
            self.post_pass = False

    def missing(self) -> list[str]:
        """What is off, for the start-up line."""
        off = []
        if not self.hooks:
            off.append("checks in annotated code (no TypeChecker.scope.current_function)")
        if not self.post_pass:
            off.append("findings in unannotated functions and unseen modules (needs mypy >= 2.4)")
        return off


def _instance_attribute(cls: type, name: str) -> bool:
    """Whether instances of mypy's ``cls`` have ``name``: a descriptor on the class where
    mypy is compiled, only an annotation where it runs interpreted (an install from source,
    a platform without a compiled wheel)."""
    return hasattr(cls, name) or name in getattr(cls, "__annotations__", {})


def _checker_scope_type() -> type:
    """mypy.checker.CheckerScope (the class of TypeChecker.scope)."""
    from mypy import checker

    return getattr(checker, "CheckerScope", object)


# What the running mypy offers (probed once, when the plugin is imported).
CAPABILITIES: Final = Capabilities()
