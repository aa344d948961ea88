"""The edits ``fix`` would make, file by file, from one mypy run's findings.

Nothing is written here.  A file is edited only if it is inside the given paths, still
holds the bytes recorded before mypy ran, parses, and still compiles after the edit.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import libcst as cst

from mypy_wsplugin.cli.diffs import unified_diff
from mypy_wsplugin.cli.edits import EditRequest, fix_source
from mypy_wsplugin.cli.plan import plan
from mypy_wsplugin.cli.run_mypy import Finding
from mypy_wsplugin.cli.sources import Scope, Snapshot


@dataclass(frozen=True)
class FileChange:
    path: Path
    display: str  # the path as mypy printed it
    before: Snapshot
    data: bytes  # the edited file, in its own encoding
    diff: str
    edits: int


@dataclass(frozen=True)
class Manual:
    """A finding ``fix`` does not edit: the change is left to a person."""

    finding: Finding
    reason: str

    def render(self) -> str:
        f = self.finding
        return (
            f"{f.path}:{f.line}:{f.column + 1}: not edited, {self.reason}: {f.message}  [{f.code}]"
        )


@dataclass
class Changes:
    files: list[FileChange] = field(default_factory=list)
    manual: list[Manual] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per file left alone
    in_scope: list[Finding] = field(default_factory=list)
    outside: dict[str, int] = field(default_factory=dict)  # display path: findings

    @property
    def edits(self) -> int:
        return sum(change.edits for change in self.files)


_WOULD_NOT_COMPILE: Final = "the edited code would not compile"


def prepare(
    findings: Sequence[Finding], before: Mapping[Path, Snapshot], scope: Scope, cwd: Path
) -> Changes:
    changes = Changes()
    by_file: dict[Path, list[Finding]] = {}
    for finding in findings:
        path = (cwd / finding.path).resolve()
        if scope.contains(path):
            by_file.setdefault(path, []).append(finding)
            changes.in_scope.append(finding)
        elif scope.names(cwd, finding.path):
            changes.in_scope.append(finding)
            changes.manual.append(Manual(finding, "it is a link to a file outside the given paths"))
        else:
            changes.outside[finding.path] = changes.outside.get(finding.path, 0) + 1
    for path, file_findings in sorted(by_file.items(), key=lambda item: item[1][0].path):
        _prepare_file(changes, path, file_findings, before.get(path))
    changes.in_scope.sort(key=Finding.sort_key)
    return changes


def _prepare_file(
    changes: Changes, path: Path, findings: list[Finding], before: Snapshot | None
) -> None:
    display = findings[0].path
    if before is None:
        changes.skipped.append(f"{display}: skipped, it was not read before the mypy run")
        return
    try:
        data = path.read_bytes()
        unchanged = before.matches(path, data)
    except OSError as error:
        changes.skipped.append(f"{display}: skipped, cannot read it: {error.strerror}")
        return
    if not unchanged:
        changes.skipped.append(f"{display}: skipped, it changed since the mypy run")
        return
    requests: list[EditRequest] = []
    asked: list[Finding] = []
    for planned in map(plan, findings):
        if planned.request is None:
            changes.manual.append(Manual(planned.finding, planned.reason))
        else:
            requests.append(planned.request)
            asked.append(planned.finding)
    try:
        fixed = fix_source(data, requests)
    except cst.ParserSyntaxError as error:
        first = str(error).strip().splitlines()[0]
        changes.skipped.append(f"{display}: skipped, it does not parse: {first}")
        return
    except (SyntaxError, UnicodeDecodeError, LookupError) as error:
        # libcst reads the encoding with ``tokenize``, which splits lines on "\n" only: a
        # coding declaration in a file whose lines end in a lone "\r" is not found there.
        changes.skipped.append(f"{display}: skipped, its encoding cannot be read: {error}")
        return
    for finding, outcome in zip(asked, fixed.outcomes, strict=True):
        if not outcome.applied:
            changes.manual.append(Manual(finding, outcome.reason))
    if not fixed.changed:
        return
    if _compiles(fixed.original, display) and not _compiles(fixed.code, display):
        # Each edit alone: the ones that do not compile are left to be made by hand.
        kept: list[EditRequest] = []
        for finding, request, outcome in zip(asked, requests, fixed.outcomes, strict=True):
            if not outcome.applied:
                continue
            if _compiles(fix_source(data, [request]).code, display):
                kept.append(request)
            else:
                changes.manual.append(Manual(finding, _WOULD_NOT_COMPILE))
        fixed = fix_source(data, kept)
        if not fixed.changed:
            return
        if not _compiles(fixed.code, display):
            changes.skipped.append(f"{display}: skipped, {_WOULD_NOT_COMPILE}")
            return
    edits = sum(outcome.applied for outcome in fixed.outcomes)
    diff = unified_diff(display, fixed.original, fixed.code)
    changes.files.append(FileChange(path, display, before, fixed.data, diff, edits))


def _compiles(code: str, filename: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(code, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True
