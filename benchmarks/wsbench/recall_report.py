"""``make recall``'s results: which checker caught which mutation, the table of the cells
(kind x annotated/unannotated x checker), the plugin's lines on the unmutated libraries, and
the markdown and json reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from wsbench.candidates import ADD_AWAIT, DROP_AWAIT, KIND_NAMES
from wsbench.checkers import COLUMNS, PLUGIN_COLUMN, PYRIGHT_VERSION, Result, column_findings
from wsbench.diff import Finding, new_in_range
from wsbench.libraries import Library
from wsbench.mutate import Mutation

UNMUTATED = "unmutated"
MUTATED = "mutated"
RULE = (
    "A mutation counts as caught by a checker when the checker's run on the mutated copy has"
    " an error inside the mutated function's line range (first decorator to last line) that its"
    " run on the unmutated library has not: the multiset of (file, line, message with its code)"
    " in that range, after minus before, is not empty.  Mutations never move a line, so lines"
    " compare as they are.  Errors only (mypy's notes and pyright's warnings are left out); for"
    " the columns `plugin` only the plugin's errors (`[await-not-awaitable]`,"
    " `[missing-await]`) count; the columns `mypy + plugin, any code` count every error of"
    " the same runs (mypy's own errors stay beside the plugin's)."
)


@dataclass
class Outcome:
    mutation: Mutation
    caught: dict[str, list[Finding]] = field(default_factory=dict)  # by column: the new errors


@dataclass
class RunInfo:
    seconds: float
    status: int
    crashed: bool
    excerpt: str


@dataclass
class LibraryResult:
    lib: Library
    functions: int  # async defs with a site of either kind
    outcomes: list[Outcome] = field(default_factory=list)
    dropped: int = 0  # chosen, but not applied cleanly
    plugin_lines: dict[str, list[str]] = field(default_factory=dict)  # unmutated, by checker
    runs: dict[str, dict[str, RunInfo]] = field(default_factory=dict)  # checker -> version -> run


def score(result: LibraryResult, checker: str, before: Result | None, after: Result | None) -> None:
    """Record ``checker``'s runs and, for each mutation and each of the checker's columns,
    the errors the mutation brought."""
    for version, run in ((UNMUTATED, before), (MUTATED, after)):
        if run is not None:
            excerpt = "\n".join(run.output.splitlines()[-30:]) if run.crashed else ""
            info = RunInfo(round(run.seconds, 2), run.status, run.crashed, excerpt)
            result.runs.setdefault(checker, {})[version] = info
    if before is None or after is None:
        return
    for column in (c for c in COLUMNS if c.checker == checker):
        old, now = column_findings(before, column), column_findings(after, column)
        for outcome in result.outcomes:
            f = outcome.mutation.function
            outcome.caught[column.name] = new_in_range(old, now, f.file, f.first, f.last)


CELLS = ((ADD_AWAIT, False), (ADD_AWAIT, True), (DROP_AWAIT, False), (DROP_AWAIT, True))


def _key(outcome: Outcome) -> tuple[str, bool]:
    """The cell of a mutation: its kind, and whether its function is unannotated."""
    return outcome.mutation.site.kind, outcome.mutation.function.unannotated


def cells(results: Sequence[LibraryResult]) -> dict[tuple[str, bool], dict[str, tuple[int, int]]]:
    """(kind, unannotated) -> column -> (caught, total); a checker that did not run is left
    out."""
    table: dict[tuple[str, bool], dict[str, tuple[int, int]]] = {}
    for key in CELLS:
        row = table.setdefault(key, {})
        outcomes = [o for r in results for o in r.outcomes if _key(o) == key]
        for column in COLUMNS:
            ran = [o for o in outcomes if column.name in o.caught]
            if ran or not outcomes:
                row[column.name] = (sum(1 for o in ran if o.caught[column.name]), len(ran))
    return table


def _cell(caught: int, total: int) -> str:
    return f"{caught}/{total} ({100 * caught / total:.0f} %)" if total else "0/0"


def table_lines(results: Sequence[LibraryResult]) -> list[str]:
    """One row per column (checker), one column per cell (kind, annotated or not)."""
    table = cells(results)
    labels = [
        f"{KIND_NAMES[kind]}, {'unannotated' if unannotated else 'annotated'}"
        for kind, unannotated in CELLS
    ]
    out = ["| checker | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    for column in COLUMNS:
        values = [
            _cell(*table[key][column.name]) if column.name in table[key] else "not run"
            for key in CELLS
        ]
        out.append(f"| {column.name} | " + " | ".join(values) + " |")
    return out


def render(results: Sequence[LibraryResult], header: dict[str, str], notes: Sequence[str]) -> str:
    out = ["# mypy_wsplugin recall benchmark", ""]
    out += [f"- {key}: {value}" for key, value in header.items()]
    out += ["", "## Recall", "", RULE, "", *table_lines(results), ""]
    out += [f"- {note}" for note in notes]
    out += _per_library(results)
    out += _plugin_lines(results)
    out += _missed(results)
    out += _crashes(results)
    return "\n".join(out) + "\n"


def _per_library(results: Sequence[LibraryResult]) -> list[str]:
    names = [c.name for c in COLUMNS]
    out = [
        "",
        "## Per library",
        "",
        "Mutations (A annotated / A unannotated / B annotated / B unannotated), the `async"
        " def`s that had a site, and per column the mutations caught and the seconds of its"
        " checker (unmutated + mutated run).",
        "",
        "| library | async defs with a site | mutations | dropped | " + " | ".join(names) + " |",
        "|---|---:|---|---:|" + "---:|" * len(names),
    ]
    for r in results:
        keys = [_key(o) for o in r.outcomes]
        counts = [keys.count(key) for key in CELLS]
        values = []
        for column in COLUMNS:
            runs = r.runs.get(column.checker, {})
            seconds = sum(run.seconds for run in runs.values())
            caught = sum(1 for o in r.outcomes if o.caught.get(column.name))
            values.append(f"{caught} ({seconds:.0f} s)" if runs else "not run")
        out.append(
            f"| {r.lib.dist} {r.lib.version} | {r.functions} | {' / '.join(map(str, counts))}"
            f" | {r.dropped} | " + " | ".join(values) + " |"
        )
    return out


def _plugin_lines(results: Sequence[LibraryResult]) -> list[str]:
    out = [
        "",
        "## The plugin's lines on the unmutated libraries",
        "",
        "Every line with a plugin code or message in the plugin's runs on the libraries as"
        " released (each should be a real bug; to be classified in `benchmarks/findings.md`).",
    ]
    found = False
    for r in results:
        for checker, lines in r.plugin_lines.items():
            if lines:
                found = True
                out += ["", f"### {r.lib.dist}, {checker}", ""]
                out += [f"- `{line.strip()}`" for line in lines]
    if not found:
        out += ["", "None."]
    return out


def _missed(results: Sequence[LibraryResult]) -> list[str]:
    plugin = PLUGIN_COLUMN
    out = [
        "",
        f"## Mutations `{plugin}` missed",
        "",
        "Each: file:line, the function (its lines), kind, annotated or not, the line as"
        " released, and the columns that caught it.",
        "",
    ]
    missed = [o for r in results for o in r.outcomes if plugin in o.caught and not o.caught[plugin]]
    for o in missed:
        m = o.mutation
        by = ", ".join(name for name, new in o.caught.items() if new) or "none"
        label = "unannotated" if m.function.unannotated else "annotated"
        out.append(
            f"- `{m.function.file}:{m.site.line}` {m.function.qualname}"
            f" ({m.function.first}-{m.function.last}), {m.site.kind}, {label}:"
            f" `{m.site.text}`; caught by: {by}"
        )
    if not missed:
        out.append("None.")
    return out


def _crashes(results: Sequence[LibraryResult]) -> list[str]:
    out = ["", "## Crashes", ""]
    crashed = [
        (r.lib.dist, checker, version, run)
        for r in results
        for checker, runs in r.runs.items()
        for version, run in runs.items()
        if run.crashed
    ]
    if not crashed:
        return [*out, "None."]
    for dist, checker, version, run in crashed:
        out += [f"### {dist}, {checker}, {version} (exit {run.status})", "", "```"]
        out += [run.excerpt, "```", ""]
    return out


def to_json(results: Sequence[LibraryResult], header: dict[str, str]) -> str:
    data = {
        "header": header,
        "rule": RULE,
        "pyright": PYRIGHT_VERSION,
        "cells": [
            {"kind": kind, "unannotated": unannotated, "column": name, "caught": c, "total": t}
            for (kind, unannotated), row in cells(results).items()
            for name, (c, t) in row.items()
        ],
        "libraries": [_library_json(r) for r in results],
    }
    return json.dumps(data, indent=1) + "\n"


def _library_json(r: LibraryResult) -> dict[str, object]:
    return {
        "library": f"{r.lib.dist} {r.lib.version}",
        "functions_with_sites": r.functions,
        "dropped": r.dropped,
        "plugin_lines_unmutated": r.plugin_lines,
        "runs": {c: {v: asdict(run) for v, run in runs.items()} for c, runs in r.runs.items()},
        "mutations": [
            {
                **asdict(o.mutation.site),
                "file": o.mutation.function.file,
                "function": o.mutation.function.qualname,
                "first": o.mutation.function.first,
                "last": o.mutation.function.last,
                "unannotated": o.mutation.function.unannotated,
                "caught": {c: [asdict(f) for f in new] for c, new in o.caught.items()},
            }
            for o in r.outcomes
        ],
    }


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
