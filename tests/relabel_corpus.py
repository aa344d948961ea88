"""The YAML corpus (``test-data/**/test_*.yml``): plain mypy's output against each case's own.

Each pytest-mypy-plugins case is a small project (``main`` plus ``files``) with a config
(``test-data/base.ini`` merged with the case's ``mypy_config``, as pytest-mypy-plugins
merges them), and the exact output of mypy with the plugin (its ``# E:``/``# N:`` comments
and its ``out``), which the case's own test asserts line for line.  That output is the
plugin's side of the comparison (:attr:`Case.expected`, in the form pytest-mypy-plugins
compares), so the plugin is not run here a second time.  Plain mypy runs the case with that
config without ``mypy_wsplugin`` in ``plugins`` and without the ``[mypy_wsplugin]`` section
(every other option kept), ``mypy main.py`` with pytest-mypy-plugins' flags, and its output
is put in the same form (:func:`normal_form`).

A mypy process per case would take minutes (mypy analyses the standard library's stubs
again for every new configuration), so cases are batched: one project holds many cases,
each as its own package ``c_<case>/`` (``main`` becomes ``c_<case>.main``, ``app.ws``
becomes ``c_<case>.app.ws``), and one plain mypy run checks all their ``main`` modules.
The cases of a batch share their global mypy options; their per-module sections are
merged, each prefixed with its package, so every case keeps its own (the plain run reads
no ``[mypy_wsplugin]`` section).  Imports of the case's own modules are rewritten on the same
line (``import app`` -> ``from c_x import app``), so line numbers do not move.  Back in a
case's output the prefix is taken out of paths and messages.

Configured names of modules that exist nowhere (``extlib.ws.get_manager``, "a module mypy
cannot see") go under the package too, with the case's imports of them.  A case that cannot
be moved into a package this way runs alone, as it is ("solo"): stub files, or modules named
like real ones (``anyio/__init__.pyi``), a ``plugins`` option of its own, configured names
of real modules, relative imports in top-level modules, an import continued over lines.
So does every case of a batch whose run fails (exit status 2), and every case whose batched
comparison is not clean: only a solo run decides that a case loses or invents a line.
"""

from __future__ import annotations

import ast
import configparser
import hashlib
import importlib.util
import io
import itertools
import os
import platform
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pytest
import yaml
from pytest_mypy_plugins.utils import (
    extract_output_matchers_from_comments,
    extract_output_matchers_from_out,
    remove_common_prefix,
    remove_empty_lines,
)

from mypy_wsplugin.mypy_internals import CAPABILITIES, MYPY, MYPY_VERSION

from .forked_mypy import run_python
from .relabel import PLUGIN_CODES, Relabel, classify, ignore_comments

HAS_POST_PASS = CAPABILITIES.post_pass

REPO: Final = Path(__file__).resolve().parent.parent
TEST_DATA: Final = REPO / "test-data"
# libyaml's loader where PyYAML has it (about 0.4 s less in every pytest process, which
# each loads the whole corpus at collection)
_LOADER: Final = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BASE_INI: Final = TEST_DATA / "base.ini"
PLAIN: Final = "plain"
PLUGIN: Final = "plugin"
MODES: Final = (PLAIN, PLUGIN)
PLUGIN_NAME: Final = "mypy_wsplugin"
# pytest-mypy-plugins' own flags for every case.
MYPY_FLAGS: Final = (
    "--show-traceback",
    "--no-error-summary",
    "--no-pretty",
    "--hide-error-context",
)
CRASH_MARKERS: Final = ("INTERNAL ERROR", "Traceback (most recent call last)")
FACTORY_KEYS: Final = ("sync_factories", "async_factories")
RUN_TIMEOUT: Final = 600

# As test-data/conftest.py sets them for the cases' ``skip`` expressions (also where this
# module is collected without it).
os.environ.setdefault("WSPLUGIN_POST_PASS", "1" if HAS_POST_PASS else "0")
os.environ.setdefault("WSPLUGIN_MYPY_MAJOR", MYPY_VERSION.split(".")[0])
os.environ.setdefault("WSPLUGIN_MYPY_BEFORE_2_4", "1" if MYPY < (2, 4) else "0")
os.environ.setdefault("WSPLUGIN_MYPY_BEFORE_2_3", "1" if MYPY < (2, 3) else "0")


@dataclass(frozen=True)
class Case:
    source: str  # the YAML file's path under test-data/, e.g. missing_await/test_returns.yml
    name: str
    files: tuple[tuple[str, str], ...]  # (path, content), main.py first
    config: str  # the case's mypy_config
    skip: str
    package: str  # its package in a batch: c_<name>
    # mypy's output with the plugin, as the case states it and its test asserts it: the
    # lines pytest-mypy-plugins compares (paths without ``.py``), in its order
    expected: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.source}::{self.name}"

    @property
    def skipped(self) -> bool:
        """pytest-mypy-plugins' ``skip`` semantics: a Python expression."""
        scope = {"sys": sys, "os": os, "pytest": pytest, "platform": platform}
        return bool(eval(self.skip, scope))


def load_cases(paths: Iterable[Path] | None = None) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(paths if paths is not None else TEST_DATA.rglob("test_*.yml")):
        for raw in yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or []:
            files = [("main.py", str(raw["main"]))]
            files += [
                (f.get("path", "main.py"), str(f.get("content", ""))) for f in raw.get("files", [])
            ]
            cases.append(
                Case(
                    _source(path),
                    str(raw["case"]),
                    tuple(files),
                    str(raw.get("mypy_config", "")),
                    str(raw.get("skip", "False")),
                    _package(str(raw["case"]), {c.package for c in cases}),
                    _expected_output(raw, files, path),
                )
            )
    return cases


# What makes a case's stated output other than the lines of one run: a pattern, a template,
# an expected failure.
_NOT_LITERAL: Final = ("regex", "parametrized", "expect_fail")


def _expected_output(
    raw: dict[str, Any], files: Sequence[tuple[str, str]], path: Path
) -> tuple[str, ...]:
    """The lines the case's test asserts, built by pytest-mypy-plugins' own functions: the
    comments of every file, then ``out``, sorted by file and line as it compares them (its
    check passes only where mypy's output, sorted the same way, is these lines)."""
    unsupported = [key for key in _NOT_LITERAL if raw.get(key)]
    if unsupported:
        raise ValueError(
            f"{path}: case {raw['case']}: {', '.join(unsupported)}: its stated output is not "
            "the lines of one run, which the corpus compares plain mypy with"
        )
    matchers = []
    for name, content in files:
        matchers += extract_output_matchers_from_comments(name, content.split("\n"), regex=False)
    matchers += extract_output_matchers_from_out(str(raw.get("out", "")), {}, regex=False)
    patterns = [m for m in matchers if m.regex]  # a line's own pattern: ``# ER:``
    if patterns:
        raise ValueError(
            f"{path}: case {raw['case']}: {patterns[0]}: a pattern, not a line mypy prints "
            "(the corpus compares plain mypy with the lines of one run)"
        )
    return tuple(str(m) for m in sorted(matchers, key=lambda m: (m.fname, m.lnum)))


def normal_form(lines: Iterable[str]) -> list[str]:
    """mypy's output lines (paths relative to the run's directory) as pytest-mypy-plugins
    compares them: stripped, ``.py:`` taken out, empty lines dropped.  In mypy's order, not
    sorted as :attr:`Case.expected` is: :func:`classify` compares lines as multisets, and
    gives each note to the error printed before it (a "defined here" note at an earlier
    line included)."""
    stripped = [line.strip().replace(".py:", ":") if ":" in line else line for line in lines]
    return remove_common_prefix(remove_empty_lines(stripped))


def normal_path(path: str) -> str:
    """A module's path as :func:`normal_form` prints it."""
    return path.removesuffix(".py")


def _source(path: Path) -> str:
    """The file's path under test-data/ (its name if it is elsewhere)."""
    return path.relative_to(TEST_DATA).as_posix() if path.is_relative_to(TEST_DATA) else path.name


# -- configuration ------------------------------------------------------------------------------


def merged_config(case: Case) -> configparser.RawConfigParser:
    """base.ini with the case's mypy_config read over it, as pytest-mypy-plugins does."""
    parser = configparser.RawConfigParser()
    parser.read(BASE_INI)
    if case.config:
        text = case.config if "[mypy]" in case.config else f"[mypy]\n{case.config}"
        parser.read_string(text)
    return parser


def _plugins(value: str) -> list[str]:
    return [p.strip() for p in value.split(",") if p.strip()]


def config_text(parser: configparser.RawConfigParser, mode: str) -> str:
    """The config for ``mode``: as it is for the plugin; without the plugin for plain
    (``plugins`` without it, no ``[mypy_wsplugin]`` section, and the plugin's codes out of
    ``disable_error_code``/``enable_error_code``: plain mypy rejects codes it does not know,
    and crashes on them in a per-module section)."""
    out = configparser.RawConfigParser()
    for section in parser.sections():
        if mode == PLAIN and section == PLUGIN_NAME:
            continue
        out.add_section(section)
        for key, value in parser.items(section):
            if mode == PLAIN and section == "mypy" and key == "plugins":
                value = ", ".join(p for p in _plugins(value) if p != PLUGIN_NAME)
                if not value:
                    continue
            if mode == PLAIN and key in ("disable_error_code", "enable_error_code"):
                value = ", ".join(c for c in _plugins(value) if c not in PLUGIN_CODES)
                if not value:
                    continue
            out.set(section, key, value)
    buffer = io.StringIO()
    out.write(buffer)
    return buffer.getvalue()


def factory_entries(value: str) -> list[str]:
    """The entries of a sync_factories/async_factories value (as the plugin reads them)."""
    entries: list[str] = []
    for line in value.splitlines():
        line = line.split("#", 1)[0]
        entries.extend(part.strip() for part in line.split(",") if part.strip())
    return entries


# -- moving a case into a package ------------------------------------------------------------


def top_names(case: Case) -> set[str]:
    """The top-level names the case's modules go under its package by: those of its own
    modules, and those its configuration names that are no real module (``extlib``, a
    module mypy cannot find, for a configured factory "from a module mypy cannot see")."""
    tops = {Path(path).parts[0].removesuffix(".py") for path, _ in case.files}
    for name in configured_names(merged_config(case)):
        top = name.split(".")[0]
        if top.isidentifier() and importlib.util.find_spec(top) is None:
            tops.add(top)
    return tops


def configured_names(parser: configparser.RawConfigParser) -> list[str]:
    """Module patterns of per-module sections, and factory targets and results."""
    names = []
    for section in parser.sections():
        if section.startswith("mypy-"):
            names += [p.strip() for p in section[len("mypy-") :].split(",")]
    if parser.has_section(PLUGIN_NAME):
        for key in FACTORY_KEYS:
            for entry in factory_entries(parser.get(PLUGIN_NAME, key, fallback="")):
                names += [name.strip() for name in entry.split("->")]
    return names


def why_solo(case: Case) -> str | None:
    """Why the case cannot be batched (moved into a package), or None."""
    tops = top_names(case)
    for path, _ in case.files:
        if not path.endswith(".py"):
            return f"{path} is not a .py module"
    for path, _ in case.files:
        top = Path(path).parts[0].removesuffix(".py")
        if top != "main" and (not top.isidentifier() or importlib.util.find_spec(top)):
            return f"{top} is also the name of a real module"
    parser = merged_config(case)
    if _plugins(parser.get("mypy", "plugins", fallback="")) != [PLUGIN_NAME]:
        return "plugins of its own"
    for name in configured_names(parser):
        if name.split(".")[0] not in tops:
            return f"configured name {name} is a real module's"
    for path, content in case.files:
        try:
            tree = ast.parse(content)
        except SyntaxError:
            return f"{path} does not parse"
        top_level = "/" not in path
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level and top_level:
                return f"relative import in the top-level module {path}"
            if isinstance(node, ast.Import | ast.ImportFrom) and node.end_lineno != node.lineno:
                return f"import over several lines in {path}"
    return None


def rewrite_imports(source: str, tops: set[str], prefix: str) -> str:
    """Imports of the case's own modules, moved under ``prefix`` on the same line."""
    lines = source.splitlines(keepends=True)
    edits: list[tuple[int, int, int, str]] = []  # line, start col, end col, text
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level or not node.module or node.module.split(".")[0] not in tops:
                continue
            names = ", ".join(
                a.name if a.asname is None else f"{a.name} as {a.asname}" for a in node.names
            )
            text = f"from {prefix}.{node.module} import {names}"
        elif isinstance(node, ast.Import):
            if not any(a.name.split(".")[0] in tops for a in node.names):
                continue
            parts = []
            for alias in node.names:
                name, top = alias.name, alias.name.split(".")[0]
                if top not in tops:
                    parts.append(f"import {name}" + (f" as {alias.asname}" if alias.asname else ""))
                elif alias.asname:
                    parts.append(f"import {prefix}.{name} as {alias.asname}")
                elif "." in name:  # binds the top-level name, with the submodule loaded
                    parts.append(f"import {prefix}.{name}; from {prefix} import {top}")
                else:
                    parts.append(f"from {prefix} import {name}")
            text = "; ".join(parts)
        else:
            continue
        assert node.end_col_offset is not None
        edits.append((node.lineno - 1, node.col_offset, node.end_col_offset, text))
    for index, start, end, text in sorted(edits, reverse=True):
        raw = lines[index].encode()
        lines[index] = (raw[:start] + text.encode() + raw[end:]).decode()
    return "".join(lines)


def _prefixed(name: str, prefix: str) -> str:
    return f"{prefix}.{name.strip()}"


def _package(name: str, taken: set[str]) -> str:
    base = "c_" + re.sub(r"\W", "_", name)
    package, number = base, 1
    while package in taken:
        number += 1
        package = f"{base}_{number}"
    return package


# -- batches ------------------------------------------------------------------------------


@dataclass
class Batch:
    """Cases that one plain mypy run checks together."""

    key: str
    cases: list[Case] = field(default_factory=list)


def batch_key(case: Case) -> str:
    """Cases with equal keys can share a run: their global mypy options are equal
    (per-module sections are merged)."""
    parser = merged_config(case)
    return repr(sorted(parser.items("mypy")) if parser.has_section("mypy") else [])


def batches(cases: Sequence[Case], size: int = 0) -> tuple[list[Batch], list[Case]]:
    """The batchable cases grouped by :func:`batch_key` (at most ``size`` a batch, if
    given), and the solo cases."""
    groups: dict[str, Batch] = {}
    solo: list[Case] = []
    for case in cases:
        if why_solo(case) is not None:
            solo.append(case)
            continue
        key = batch_key(case)
        groups.setdefault(key, Batch(key)).cases.append(case)
    result: list[Batch] = []
    for batch in groups.values():
        step = size or len(batch.cases)
        for start in range(0, len(batch.cases), step):
            part = batch.cases[start : start + step]
            result.append(Batch(f"{batch.key}#{start // step}", part))
    return result, solo


def batch_config(cases: Sequence[Case]) -> configparser.RawConfigParser:
    """One config for the batch's plain run: the shared global options, and every case's
    per-module sections under its package."""
    out = configparser.RawConfigParser()
    out.add_section("mypy")
    for key, value in merged_config(cases[0]).items("mypy"):
        out.set("mypy", key, value)
    for case in cases:
        parser, prefix = merged_config(case), case.package
        for section in parser.sections():
            if not section.startswith("mypy-"):
                continue
            patterns = section[len("mypy-") :].split(",")
            name = "mypy-" + ",".join(_prefixed(p, prefix) for p in patterns)
            out.add_section(name)
            for key, value in parser.items(section):
                out.set(name, key, value)
    return out


# -- running mypy ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Output:
    status: int
    lines: list[str]

    @property
    def crashed(self) -> bool:
        return self.status not in (0, 1) or any(
            m in line for line in self.lines for m in CRASH_MARKERS
        )


def run_mypy(cwd: Path, config: Path, targets: Sequence[str], cache: Path | None = None) -> Output:
    env = dict(os.environ)
    for name in ("MYPYPATH", "MYPY_CACHE_DIR", "MYPY_FORCE_COLOR"):
        env.pop(name, None)
    args = ["-m", "mypy", *MYPY_FLAGS, f"--config-file={config}"]
    args += ["--cache-dir", str(cache or cwd / ".mypy_cache"), *targets]
    done = run_python(sys.executable, args, cwd=cwd, env=env, timeout=RUN_TIMEOUT)
    return Output(done.returncode, (done.stdout + done.stderr).splitlines())


_MTIMES: Final = itertools.count(1_000_000_000, 10)


def write_files(root: Path, files: Iterable[tuple[str, str]]) -> None:
    """Write the files, with an mtime no other call gives: mypy takes a cached module whose
    path, size and mtime match for fresh, and solo runs share caches (same relative paths)."""
    mtime = next(_MTIMES)
    for path, content in files:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
        os.utime(target, (mtime, mtime))


def run_solo(case: Case, workdir: Path) -> Output:
    """Plain mypy on the case as it is, in a directory of its own.  Runs with the same
    ``[mypy]`` options share a cache (:func:`_shared_cache`): the standard library's stubs
    are analysed once for them (the case's own modules are in other directories: mypy
    checks them again)."""
    root = workdir / f"solo-{case.package}-{PLAIN}"
    root.mkdir(parents=True)
    write_files(root, case.files)
    text = config_text(merged_config(case), PLAIN)
    (root / "mypy.ini").write_text(text)
    return run_mypy(root, root / "mypy.ini", ["main.py"], _shared_cache(workdir, text))


def run_batch(batch: Batch, workdir: Path, tag: str) -> dict[str, Output] | None:
    """Plain mypy on the batch; each case's output with its package taken out (paths,
    messages).  None if the run failed as a whole (exit status 2, a crash)."""
    root = workdir / f"batch-{tag}-{PLAIN}"
    root.mkdir(parents=True)
    for case in batch.cases:
        prefix, tops = case.package, top_names(case)
        files = [(f"{prefix}/__init__.py", "")]
        files += [(f"{prefix}/{p}", rewrite_imports(c, tops, prefix)) for p, c in case.files]
        write_files(root, files)
    text = config_text(batch_config(batch.cases), PLAIN)
    (root / "mypy.ini").write_text(text)
    targets = [f"{case.package}/main.py" for case in batch.cases]
    output = run_mypy(root, root / "mypy.ini", targets, _shared_cache(workdir, text))
    if output.crashed:
        return None
    by_prefix: dict[str, list[str]] = {c.package: [] for c in batch.cases}
    shared: list[str] = []
    for line in output.lines:
        head = line.split("/", 1)[0]
        by_prefix.get(head, shared).append(line)
    return {
        case.id: Output(
            output.status,
            [_unprefix(line, case.package) for line in by_prefix[case.package]] + shared,
        )
        for case in batch.cases
    }


def _shared_cache(workdir: Path, config: str) -> Path:
    """The cache of the runs whose ``[mypy]`` options are ``config``'s: the standard
    library's stubs are analysed once for them (a batch's modules are its own, in its own
    directory, so mypy checks them afresh; the plugin's section does not invalidate the
    stubs' entries)."""
    parser = configparser.RawConfigParser()
    parser.read_string(config)
    options = sorted(parser.items("mypy")) if parser.has_section("mypy") else []
    return workdir / f"batch-cache-{hashlib.sha256(repr(options).encode()).hexdigest()[:16]}"


def _unprefix(line: str, prefix: str) -> str:
    line = line.removeprefix(prefix + "/")
    return re.sub(rf"\b{re.escape(prefix)}\.", "", line)


@dataclass
class Verdict:
    case: Case
    relabel: Relabel
    plain: Output  # plain mypy's, as it printed it
    how: str  # "batch" or "solo: <why>"

    def explain(self) -> str:
        lines = [f"{self.case.id} ({self.how}):", *self.relabel.render("  ")]
        lines += [f"  -- {PLAIN} mypy (exit {self.plain.status}):"]
        lines += [f"     {line}" for line in self.plain.lines] or ["     (nothing)"]
        lines += ["  -- the case's output (mypy with the plugin, as its test asserts):"]
        lines += [f"     {line}" for line in self.case.expected] or ["     (nothing)"]
        return "\n".join(lines)


def judge(case: Case, plain: Output, how: str) -> Verdict:
    ignores = ignore_comments((normal_path(path), text) for path, text in case.files)
    sources = {normal_path(path): text.splitlines() for path, text in case.files}
    relabel = classify(normal_form(plain.lines), case.expected, ignores, sources)
    return Verdict(case, relabel, plain, how)


class Corpus:
    """Runs the corpus lazily, a batch at a time, and keeps every case's verdict."""

    def __init__(
        self, workdir: Path, cases: Sequence[Case], batch_size: int = 0, solo: bool = False
    ) -> None:
        """``solo``: every case as it is, nothing batched (slow: to check the batching)."""
        self.workdir = workdir
        found = [] if solo else batches(cases, batch_size)[0]
        self.batch_of: dict[str, Batch] = {c.id: b for b in found for c in b.cases}
        self.verdicts: dict[str, Verdict] = {}
        self._tags = 0

    def verdict(self, case: Case) -> Verdict:
        if case.id not in self.verdicts:
            batch = self.batch_of.get(case.id)
            if batch is None:
                why = why_solo(case) or "every case solo"
                self.verdicts[case.id] = self._solo(case, f"solo: {why}")
            else:
                self._run(batch)
        return self.verdicts[case.id]

    def _run(self, batch: Batch) -> None:
        self._tags += 1
        per_case = run_batch(batch, self.workdir, str(self._tags))
        for case in batch.cases:
            if per_case is None:
                self.verdicts[case.id] = self._solo(case, "solo: its batch's run failed")
                continue
            verdict = judge(case, per_case[case.id], f"batched with {len(batch.cases)}")
            if not verdict.relabel.ok:  # confirmed, or not, by the case as it is
                verdict = self._solo(case, "solo: confirming the batched run's finding")
            self.verdicts[case.id] = verdict

    def _solo(self, case: Case, how: str) -> Verdict:
        return judge(case, run_solo(case, self.workdir), how)


def group_names(cases: Sequence[Case], batch_size: int = 0) -> dict[str, str]:
    """A name for the batch each case runs in (``xdist_group``: one worker runs a batch)."""
    found, solo = batches(cases, batch_size)
    names = {c.id: f"relabel-{index}" for index, b in enumerate(found) for c in b.cases}
    names.update({c.id: f"relabel-solo-{c.package}" for c in solo})
    return names


def summary(verdicts: Iterable[Verdict]) -> dict[str, Any]:
    total: dict[str, Any] = {"cases": 0, "solo": 0}
    for verdict in verdicts:
        total["cases"] += 1
        total["solo"] += verdict.how.startswith("solo")
        for kind, count in verdict.relabel.counts().items():
            total[kind] = total.get(kind, 0) + count
    return total
