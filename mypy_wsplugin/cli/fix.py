"""``mypy-wsplugin fix [PATHS...] [-- MYPY ARGS]``: edit the code the plugin's findings point at.

mypy runs with the plugin and the project's own configuration (plus ``MYPY ARGS``, then
``PATHS`` as its targets).  ``await-not-awaitable`` loses its ``await``; ``missing-await``
gets one where the enclosing function is ``async def`` (and a finding at a later use of an
assigned name gets it on the assignment's call).  Anything else is listed for a change by
hand.  Modes:

* default: print the unified diff (stdout) and a summary (stderr); exit status 0;
* ``--check``: the same, exit status 1 if any finding is left in the given paths;
* ``--write``: write the edits, run mypy again (editing the written files in turn where
  it shows a finding only now: mypy prints one of two alike on a line), print the
  findings before and after; exit status 1 if any is left.

Exit status 2: mypy could not check the code, or a usage or config error.
"""

from __future__ import annotations

import enum
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from mypy_wsplugin.cli.changes import Changes, prepare
from mypy_wsplugin.cli.mypy_config import setup_or_report
from mypy_wsplugin.cli.run_mypy import Finding, MypyRun, run
from mypy_wsplugin.cli.sources import ChangedError, Scope, snapshot, write_atomic

Runner = Callable[[Sequence[str]], MypyRun]


class Mode(enum.Enum):
    DIFF = "diff"
    CHECK = "check"
    WRITE = "write"


def fix(
    paths: Sequence[str],
    mypy_args: Sequence[str],
    mode: Mode,
    *,
    runner: Runner = run,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    prepared = setup_or_report(paths, mypy_args, err)
    if prepared is None:
        return 2
    setup, targets = prepared
    scope = Scope.of(paths)
    before = snapshot(scope, (source.path for source in setup.sources if source.path))
    first = runner(targets)
    if first.failed:
        _print_failure(first, err)
        return 2
    changes = prepare(first.findings, before, scope, Path.cwd())
    if mode is Mode.WRITE:
        also = [source.path for source in setup.sources if source.path]
        return _write(changes, runner, targets, scope, also, out, err)
    for change in changes.files:
        out.write(change.diff)
    out.flush()
    _print_notes(changes, err)
    print(_summary(changes, paths, mypy_args), file=err)
    if mode is Mode.CHECK and (changes.in_scope or changes.skipped):
        return 1
    return 0


def apply_command(paths: Sequence[str], mypy_args: Sequence[str]) -> str:
    """The command that applies what a dry run shows."""
    command = ["mypy-wsplugin", "fix", "--write", *paths]
    if mypy_args:
        command += ["--", *mypy_args]
    return shlex.join(command)


# How many times ``--write`` edits at most: mypy prints one of two identical messages on a
# line (``max(rows()) + max(rows())``), so the second finding shows once the first is gone.
_MOST_ROUNDS = 5


def _write(
    changes: Changes,
    runner: Runner,
    targets: Sequence[str],
    scope: Scope,
    also: Sequence[str],
    out: TextIO,
    err: TextIO,
) -> int:
    skipped = list(changes.skipped)
    written = _write_files(changes, skipped, out)
    _print_notes(Changes(manual=changes.manual, skipped=skipped, outside=changes.outside), err)
    _print_findings("before", changes.in_scope, out)
    if len(skipped) == len(changes.skipped) and not changes.files:
        _print_findings("after", changes.in_scope, out)  # nothing written: nothing to re-run
        return 1 if changes.in_scope or skipped else 0
    cwd = Path.cwd()
    for round_ in range(1, _MOST_ROUNDS + 1):
        second = runner(targets)
        if second.failed:
            out.flush()
            _print_failure(second, err)
            return 2
        after = sorted(
            (f for f in second.findings if scope.names(cwd, f.path)),
            key=Finding.sort_key,
        )
        if not after or round_ == _MOST_ROUNDS:
            break
        # Findings mypy showed only now (one of two alike on a line): edited in turn, in
        # the files written already (not one skipped as changed since the mypy run).
        again = prepare(second.findings, snapshot(scope, also), scope, cwd)
        again.files = [change for change in again.files if change.path in written]
        if not _write_files(again, skipped, out):
            break
    _print_findings("after", after, out)
    return 1 if after or skipped else 0


def _write_files(changes: Changes, skipped: list[str], out: TextIO) -> set[Path]:
    """Write ``changes``' files (a file changed since the mypy run, or that cannot be
    written, is added to ``skipped``); the files written."""
    written: set[Path] = set()
    for change in changes.files:
        try:
            write_atomic(change.path, change.data, change.before)
        except ChangedError:
            skipped.append(f"{change.display}: skipped, it changed since the mypy run")
            continue
        except OSError as error:
            skipped.append(f"{change.display}: skipped, cannot write it: {error.strerror}")
            continue
        written.add(change.path)
        print(f"fixed {change.display} ({_count(change.edits, 'edit')})", file=out)
    return written


def _print_findings(when: str, findings: Sequence[Finding], out: TextIO) -> None:
    print(f"{when}: {_count(len(findings), 'finding')}", file=out)
    for finding in findings:
        print(f"  {finding.render()}", file=out)


def _print_notes(changes: Changes, err: TextIO) -> None:
    for manual in changes.manual:
        print(manual.render(), file=err)
    for line in changes.skipped:
        print(line, file=err)
    for display, count in changes.outside.items():
        print(
            f"{display}: not edited, outside the given paths ({_count(count, 'finding')})", file=err
        )


def _summary(changes: Changes, paths: Sequence[str], mypy_args: Sequence[str]) -> str:
    if not changes.in_scope:
        return "nothing to fix"
    if not changes.files:
        return f"no edits to make; {_count(len(changes.in_scope), 'finding')} left"
    edits = _count(changes.edits, "edit")
    files = _count(len(changes.files), "file")
    return f"{edits} in {files}; to apply: {apply_command(paths, mypy_args)}"


def _print_failure(result: MypyRun, err: TextIO) -> None:
    print(f"mypy could not check the code (exit status {result.exit_status}):", file=err)
    for line in result.problems:
        print(f"  {line}", file=err)
    print("nothing was edited", file=err)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
