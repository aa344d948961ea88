"""Comparing outputs: plain mypy's against the plugin's (``tests/relabel.py``, the tests'
classification: replaced, added, and the failures lost, invented, doubled, mistyped), a
mode's repeated runs against each other, and, for ``make recall``, the errors that a
mutation brought into a function's line range."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tests.relabel import Relabel, classify, parse_line
from wsbench.measure import MODES, PLAIN, PLUGIN, UNTYPED, Target

# Relabel's kinds of difference (tests/relabel.py), and those that must not occur.
KINDS = ("replaced", "added", "silenced", "retyped", "doubled", "mistyped", "lost", "invented")
FAILURES = ("lost", "invented", "doubled", "mistyped")


def relabel(target: Target, check: str) -> Relabel | None:
    """How the plugin's output differs from plain mypy's (first cold runs); ``None`` for
    ``check_untyped_defs`` when those runs were not made."""
    if check == UNTYPED:
        if len(target.untyped) < len(MODES):
            return None
        return classify(target.untyped[PLAIN].lines(), target.untyped[PLUGIN].lines())
    return classify(target.cold[PLAIN][0].lines(), target.cold[PLUGIN][0].lines())


def errors_in(lines: Iterable[str]) -> int:
    return sum(1 for ln in lines if ": error:" in ln)


def consistency_notes(target: Target) -> list[str]:
    """Where a mode's cold runs differ from each other, or a warm run from the cold output."""
    notes = []
    for mode in MODES:
        cold = [sorted(r.lines()) for r in target.cold[mode]]
        warm = [sorted(r.lines()) for r in target.all_warm[mode]]
        if any(c != cold[0] for c in cold):
            notes.append(f"{target.name}, {mode}: cold runs gave different outputs")
        if any(w != cold[0] for w in warm):
            notes.append(f"{target.name}, {mode}: a warm run did not replay the cold output")
    return notes


def whole_vs_parts(whole: Relabel, parts: Sequence[Relabel]) -> tuple[list[str], list[str]]:
    """The differences found only in the run over all libraries, and only in the per-library
    runs (both empty when the run over all libraries says what the others say together)."""
    union = sorted(line for r in parts for line in r.render())
    together = sorted(whole.render())
    if union == together:
        return [], []
    only_whole = sorted((Counter(together) - Counter(union)).elements())
    only_parts = sorted((Counter(union) - Counter(together)).elements())
    return only_whole, only_parts


# -- make recall ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """An error of a checker: file (as the run printed it, ``/``-separated), line, message
    (with its code)."""

    file: str
    line: int
    message: str


def mypy_findings(lines: Iterable[str], plugin_only: bool = False) -> list[Finding]:
    """mypy's errors (notes left out); with ``plugin_only`` only the plugin's."""
    found = []
    for text in lines:
        line = parse_line(text)
        if line.is_error and (line.is_plugin or not plugin_only):
            found.append(Finding(line.file.replace("\\", "/"), line.line, line.message))
    return found


def plugin_lines(lines: Iterable[str]) -> list[str]:
    """Every line of the plugin's (its codes or its messages), notes included."""
    return [text for text in lines if parse_line(text).is_plugin]


def new_in_range(
    before: Iterable[Finding], after: Iterable[Finding], file: str, first: int, last: int
) -> list[Finding]:
    """The findings in lines ``first..last`` of ``file`` that ``after`` has and ``before``
    has not (a multiset difference: a second identical error on a line counts)."""

    def inside(found: Iterable[Finding]) -> Counter[Finding]:
        return Counter(f for f in found if f.file == file and first <= f.line <= last)

    return sorted((inside(after) - inside(before)).elements(), key=lambda f: f.line)
