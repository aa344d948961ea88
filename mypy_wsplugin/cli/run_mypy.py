"""Running mypy with the plugin (through :func:`mypy.api.run`) and reading its findings.

mypy is run with the project's own configuration and the caller's arguments, plus
``--output json`` (``-O json``, mypy >= 1.11): one JSON object per line with ``file``,
``line``, ``column`` (0-based), ``message``, ``code`` and ``severity``.  mypy >= 2.0 adds
``end_line``/``end_column``; 1.19 does not, so both are optional here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import mypy.api

from mypy_wsplugin.cli.codes import plugin_code_names
from mypy_wsplugin.cli.mypy_config import UsageError, load
from mypy_wsplugin.mypy_internals import ERRORS_CACHED_AS_PRINTED, make_cache_dir

BLOCKING_STATUS: Final = 2  # mypy's exit status for a crash, a usage error or a blocker


@dataclass(frozen=True)
class Finding:
    """One error mypy reported under one of the plugin's codes."""

    path: str  # as mypy printed it: relative to the working directory of the run
    line: int  # 1-based
    column: int  # 0-based, counted as mypy counts (see edits.candidate_columns)
    end_line: int | None
    end_column: int | None
    code: str
    message: str

    def sort_key(self) -> tuple[str, int, int]:
        return self.path, self.line, self.column

    def render(self) -> str:
        """The finding as mypy prints it with ``--show-column-numbers``."""
        return f"{self.path}:{self.line}:{self.column + 1}: error: {self.message}  [{self.code}]"


@dataclass(frozen=True)
class MypyRun:
    findings: tuple[Finding, ...]  # the plugin's findings, in mypy's order
    other_errors: int  # errors under mypy's own codes (not the plugin's)
    exit_status: int
    problems: tuple[str, ...]  # why mypy could not check the code (exit status 2)

    @property
    def failed(self) -> bool:
        return self.exit_status >= BLOCKING_STATUS


# Under the project's cache directory: the cache of the JSON runs on mypy 1.19.0 (run).
JSON_CACHE: Final = "wsplugin-json"


def run(mypy_args: Sequence[str]) -> MypyRun:
    """Run mypy in this process with ``mypy_args`` and JSON output.

    mypy 1.19.0 prints a module it finds in its cache in the output format of the run that
    wrote the cache: after a plain ``mypy .``, ``-O json`` gets text lines, which read as
    no finding at all (and the project's next text run would get JSON lines).  There the
    run keeps a cache of its own, which only these runs write: :data:`JSON_CACHE` in the
    project's cache directory (none where that is ``os.devnull``), which is made as mypy
    makes it where it does not exist yet (mypy would not add its ``.gitignore`` later)."""
    extra: list[str] = []
    if ERRORS_CACHED_AS_PRINTED:
        cache = json_cache_dir(mypy_args)
        if cache != os.devnull:
            make_cache_dir(os.path.dirname(cache))
        extra = ["--cache-dir", cache]
    stdout, stderr, status = mypy.api.run([*mypy_args, *extra, "--output", "json"])
    return parse_output(stdout, stderr, status)


def json_cache_dir(mypy_args: Sequence[str]) -> str:
    """The cache directory of :func:`run`'s JSON runs where mypy keeps printed lines in its
    cache: beside the project's own cache, under the directory mypy's options name (its
    config, ``MYPY_CACHE_DIR``, ``--cache-dir``); no cache where they name none, or where
    the arguments are not mypy's (the run then says why)."""
    try:
        cache_dir = load(mypy_args, require_targets=False).options.cache_dir
    except UsageError:
        return os.devnull
    if cache_dir == os.devnull:
        return os.devnull
    return os.path.join(cache_dir, JSON_CACHE)


def parse_output(stdout: str, stderr: str, status: int) -> MypyRun:
    codes = set(plugin_code_names())
    findings: list[Finding] = []
    others: list[str] = []
    other_errors = 0
    for text in stdout.splitlines():
        record = _record(text)
        if record is None:
            if text.strip():
                others.append(text)
            continue
        if record.get("severity") != "error":
            continue
        finding = _finding(record)
        if finding.code in codes:
            findings.append(finding)
        else:
            other_errors += 1
            others.append(finding.render())
    problems: tuple[str, ...] = ()
    if status >= BLOCKING_STATUS:
        problems = (*others, *(line for line in stderr.splitlines() if line.strip()))
    return MypyRun(tuple(findings), other_errors, status, problems)


def _record(text: str) -> Mapping[str, object] | None:
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _finding(record: Mapping[str, object]) -> Finding:
    return Finding(
        path=str(record.get("file", "")),
        line=_int(record.get("line")) or 0,
        column=max(_int(record.get("column")) or 0, 0),
        end_line=_int(record.get("end_line")),
        end_column=_int(record.get("end_column")),
        code=str(record.get("code") or ""),
        message=str(record.get("message", "")),
    )


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
