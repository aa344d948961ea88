"""The checkers of ``make recall``, each run once on a library's package (unmutated or
mutated): plain mypy, mypy ``--check-untyped-defs``, pyright (a pinned version installed with
npm into the cache directory, basic mode), and mypy with the plugin (``check_all_awaits =
true``), with and without ``--check-untyped-defs``.  mypy runs with ``make bench``'s
configurations (:func:`wsbench.measure.write_configs`), pyright with the same search path
(``extraPaths``: every library's source root) and the benchmark venv's site-packages, and
missing imports not reported, as mypy's ``ignore_missing_imports``."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wsbench import RUN_TIMEOUT, SetupError, log
from wsbench.diff import Finding, mypy_findings
from wsbench.measure import DEFAULT, PLAIN, PLUGIN, UNTYPED, Runner
from wsbench.setup import run_checked

PYRIGHT_VERSION = "1.1.414"  # the newest 1.1.x when make recall was written


@dataclass(frozen=True)
class Checker:
    """One run per library and version."""

    name: str
    mode: str | None  # the mypy mode (plain, plugin); None for pyright
    check: str  # mypy's defaults or check_untyped_defs


PYRIGHT = "pyright"
WITH_PLUGIN = "mypy + plugin"
WITH_PLUGIN_UNTYPED = "mypy + plugin --check-untyped-defs"
CHECKERS = (
    Checker("mypy", PLAIN, DEFAULT),
    Checker("mypy --check-untyped-defs", PLAIN, UNTYPED),
    Checker(PYRIGHT, None, DEFAULT),
    Checker(WITH_PLUGIN, PLUGIN, DEFAULT),
    Checker(WITH_PLUGIN_UNTYPED, PLUGIN, UNTYPED),
)


@dataclass(frozen=True)
class Column:
    """A column of the report: the errors of a checker's runs, or only the plugin's."""

    name: str
    checker: str
    plugin_only: bool


PLUGIN_COLUMN = "plugin"
COLUMNS = (
    Column("mypy", "mypy", False),
    Column("mypy --check-untyped-defs", "mypy --check-untyped-defs", False),
    Column(PYRIGHT, PYRIGHT, False),
    Column(PLUGIN_COLUMN, WITH_PLUGIN, True),
    Column("plugin --check-untyped-defs", WITH_PLUGIN_UNTYPED, True),
    # the same runs, every error: what a user of mypy with the plugin sees
    Column("mypy + plugin, any code", WITH_PLUGIN, False),
    Column("mypy + plugin --check-untyped-defs, any code", WITH_PLUGIN_UNTYPED, False),
)


@dataclass(frozen=True)
class Tree:
    """One version of a library's package to check."""

    package: str
    package_dir: Path
    base: Path  # the checkers' working directory; the findings' paths are relative to it
    roots: Sequence[Path]  # every library's source root, this version's for this library
    configs: dict[str, Path]  # mypy's configurations with these roots


@dataclass
class Result:
    findings: list[Finding]  # every error
    plugin_findings: list[Finding]  # the plugin's errors
    lines: list[str]  # mypy's output lines, summary left out (none for pyright)
    seconds: float
    status: int
    crashed: bool
    output: str


@dataclass(frozen=True)
class Checkers:
    python: Path  # the benchmark venv's
    env: dict[str, str]  # mypy's environment: the plugin's snapshot first on PYTHONPATH
    cache: Path
    pyright: Path | None  # None: not installed

    def run(self, checker: Checker, tree: Tree, workdir: Path) -> Result | None:
        """One run; ``None`` for pyright when it is not installed."""
        if checker.mode is None:
            return None if self.pyright is None else self._pyright(self.pyright, tree, workdir)
        runner = Runner(self.python, tree.configs, tree.base, self.env)
        cache_dir = workdir / "mypy-cache"
        shutil.rmtree(cache_dir, ignore_errors=True)
        run = runner.run(
            runner.command(checker.mode, [tree.package], cache_dir, True, checker.check)
        )
        shutil.rmtree(cache_dir, ignore_errors=True)
        lines = run.lines()
        every, plugin = mypy_findings(lines), mypy_findings(lines, plugin_only=True)
        return Result(every, plugin, lines, run.wall, run.status, run.crashed, run.output)

    def _pyright(self, launcher: Path, tree: Tree, workdir: Path) -> Result:
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "pyrightconfig.json"
        settings = {
            "extraPaths": [str(root) for root in tree.roots],
            "venvPath": str(self.cache),
            "venv": "venv",
            "typeCheckingMode": "basic",
            "reportMissingImports": "none",
            "reportMissingModuleSource": "none",
        }
        config.write_text(json.dumps(settings, indent=1) + "\n")
        cmd = [str(launcher), "-p", str(config), "--outputjson", str(tree.package_dir)]
        start = time.perf_counter()
        try:
            done = subprocess.run(
                cmd, cwd=tree.base, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired:
            return Result([], [], [], RUN_TIMEOUT, -1, True, f"timed out after {RUN_TIMEOUT} s")
        seconds = time.perf_counter() - start
        try:
            found = pyright_findings(json.loads(done.stdout), tree.base)
        except (ValueError, KeyError, TypeError):
            output = done.stdout + done.stderr
            return Result([], [], [], seconds, done.returncode, True, output)
        crashed = done.returncode not in (0, 1)
        return Result(found, [], [], seconds, done.returncode, crashed, done.stderr)


def column_findings(result: Result, column: Column) -> list[Finding]:
    return result.plugin_findings if column.plugin_only else result.findings


def pyright_findings(report: dict[str, object], base: Path) -> list[Finding]:
    """pyright's errors (``--outputjson``; warnings and information left out), their paths
    relative to ``base`` and their rule appended as mypy appends its code."""
    found = []
    diagnostics = report["generalDiagnostics"]
    assert isinstance(diagnostics, list)
    for diagnostic in diagnostics:
        if diagnostic.get("severity") != "error" or "range" not in diagnostic:
            continue
        path = Path(diagnostic["file"])
        file = path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)
        rule = diagnostic.get("rule")
        message = diagnostic["message"] + (f"  [{rule}]" if rule else "")
        found.append(Finding(file, diagnostic["range"]["start"]["line"] + 1, message))
    return found


def install_pyright(cache: Path, version: str) -> Path:
    """pyright ``version`` installed (once) with npm under ``cache/pyright``; its launcher."""
    prefix = cache / "pyright"
    launcher = prefix / "node_modules" / ".bin" / "pyright"
    stamp = prefix / "bench-version"
    if launcher.exists() and stamp.is_file() and stamp.read_text().strip() == version:
        return launcher
    npm = shutil.which("npm")
    if npm is None:
        raise SetupError("npm not found: pyright cannot be installed")
    log(f"  installing pyright@{version} into {prefix}")
    prefix.mkdir(parents=True, exist_ok=True)
    run_checked(
        [npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", f"pyright@{version}"],
        f"npm install pyright@{version}",
    )
    output = run_checked([str(launcher), "--version"], "pyright --version")
    if version not in output:
        raise SetupError(f"pyright --version says {output.strip()!r}, not {version}")
    stamp.write_text(version + "\n")
    return launcher
