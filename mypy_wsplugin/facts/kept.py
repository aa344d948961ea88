"""What the facts' memos keep, kept small for mypy's garbage collector.

A memo keeps its answer for every function and class of the run, and most answers are
empty.  Each container kept is one more object that mypy's collector counts towards its
next collection (CPython counts allocations of tracked objects less deallocations; mypy sets
the threshold at 200,000), and a collection late in a run scans everything allocated since
the last one: on ``make bench``'s ALL target, the plugin's kept containers brought one more
collection than plain mypy runs, about 2.5 % of the run (benchmarks/findings.md).  So an
empty set is the one shared empty set, and a list that is only read again is kept as a
tuple (``tuple([])`` is the shared empty tuple).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, TypeVar

_T = TypeVar("_T")

EMPTY: Final[frozenset[Any]] = frozenset()


def frozen(items: Iterable[_T]) -> frozenset[_T]:
    """``frozenset(items)``, or the shared :data:`EMPTY` when there are none."""
    made = frozenset(items)
    return made if made else EMPTY
