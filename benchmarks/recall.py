"""Recall benchmark: seeded ``await`` mutations in the pinned libraries of ``make bench``, and
which checker catches them.

Run from the repository root (``make recall``)::

    .venv/bin/python benchmarks/recall.py                      # every library, 40 per kind
    .venv/bin/python benchmarks/recall.py --only aiomysql --per-library 10
    .venv/bin/python benchmarks/recall.py --seed 2 --no-pyright

What it does
------------
1. The same setup as ``make bench`` (``benchmarks/wsbench/setup.py``): the pinned sdists of
   ``benchmarks/libraries.toml`` unpacked in the cache directory, the benchmark venv, a
   snapshot of the plugin's source for every mypy; and pyright (``PYRIGHT_VERSION`` in
   ``benchmarks/wsbench/checkers.py``) installed with ``npm`` into ``CACHE/pyright``.  When
   pyright cannot be installed the report says why and its column reads "not run".
2. In each library, finds the sites of two kinds of mutation with ``ast`` and a simple name
   resolution within the library (``benchmarks/wsbench/candidates.py``, ``resolve.py``):
   kind A, ``await`` added before a call of a plain ``def`` (a call statement, an assigned,
   returned or tested call in an ``async def``); kind B, ``await`` removed before a call of an
   ``async def``.  Callees are module-level functions and ``self.method`` (the class or a
   base class of the library defining it); anything ambiguous is skipped.
3. Chooses, with ``--seed``, up to ``--per-library`` mutations per kind and library, at most
   one per function, alternating between annotated functions and unannotated ones (no
   annotation at all), and applies them with libcst to ONE copy of the library's package
   (``benchmarks/wsbench/mutate.py``).  No line moves.
4. Runs every checker once on the unmutated package and once on the mutated copy: plain
   mypy, mypy ``--check-untyped-defs``, pyright (basic), mypy with the plugin
   (``check_all_awaits = true``), and that with ``--check-untyped-defs``; mypy's
   options otherwise are ``make bench``'s (``ignore_missing_imports``, ``follow_imports =
   silent``, every library on ``mypy_path``); pyright gets the same roots (``extraPaths``)
   and the venv.
5. Scores: a mutation is caught by a checker when an error appears in the mutated
   function's line range that the unmutated run has not (``RULE`` in
   ``benchmarks/wsbench/recall_report.py``).  The columns ``plugin`` count only the plugin's
   codes; the columns ``mypy + plugin, any code`` every error of the same runs.
   Reports caught/total per kind x annotated/unannotated x column, per library, every
   plugin-coded line on the unmutated libraries (each should be a real bug), the mutations
   the plugin missed, and crashes; to ``benchmarks/results/recall-latest.md`` and ``.json``
   (``--output``) and stdout.

Exit status: 0 when it ran, 1 when a mypy run crashed (exit status other than 0/1,
``INTERNAL ERROR``, a traceback), 2 on a setup failure.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from wsbench import REPO, log
from wsbench.candidates import find_functions
from wsbench.checkers import (
    CHECKERS,
    COLUMNS,
    PYRIGHT,
    PYRIGHT_VERSION,
    Checkers,
    Tree,
    install_pyright,
)
from wsbench.diff import plugin_lines
from wsbench.libraries import Library
from wsbench.measure import PLUGIN, write_configs
from wsbench.mutate import mutated_copy, select_mutations
from wsbench.recall_report import LibraryResult, Outcome, render, score, to_json, write
from wsbench.report import header
from wsbench.setup import (
    SETUP_ERRORS,
    Prepared,
    add_common_arguments,
    list_or_prepare,
    package_dir,
    prepare_plugin,
    source_roots,
)

DEFAULT_OUTPUT = REPO / "benchmarks" / "results" / "recall-latest.md"
DEFAULT_SEED = 20261130


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    add_common_arguments(parser)
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"the choice (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--per-library",
        type=int,
        default=40,
        metavar="N",
        help="at most N mutations per kind and library (default 40)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="markdown report (default benchmarks/results/recall-latest.md; the json beside it,"
        " .json); '-' for none",
    )
    parser.add_argument("--no-pyright", action="store_true", help="leave pyright out")
    args = parser.parse_args(argv)
    if args.per_library < 1:
        parser.error("--per-library must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ready = list_or_prepare(args)
    if isinstance(ready, int):
        return ready
    notes = [f"pyright {PYRIGHT_VERSION}, basic mode"]
    pyright = None
    if args.no_pyright:
        notes = ["pyright: left out (--no-pyright)"]
    else:
        try:
            pyright = install_pyright(ready.cache, PYRIGHT_VERSION)
        except SETUP_ERRORS as error:
            log(f"pyright not available: {error}")
            notes = [f"pyright: not run, it could not be installed: {error}"]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="recall-", dir=ready.cache) as tmp:
        workdir = Path(tmp)
        try:
            plugin = prepare_plugin(workdir, ready.python, ready.cache, args.git_rev, args.build)
        except SETUP_ERRORS as error:
            log(f"setup failed: {error}")
            return 2
        checkers = Checkers(ready.python, plugin.env, ready.cache, pyright)
        results = [
            check_library(lib, ready, checkers, args, workdir / lib.dist) for lib in ready.libs
        ]
    minutes = (time.perf_counter() - started) / 60
    top = header(plugin, ready.libs)
    top["mutations"] = f"seed {args.seed}, at most {args.per_library} per kind and library"
    top["time"] = f"{minutes:.1f} min"
    publish(render(results, top, notes), to_json(results, top), args.output)
    crashed = any(
        run.crashed
        for r in results
        for name, runs in r.runs.items()
        if name != PYRIGHT
        for run in runs.values()
    )
    return 1 if crashed else 0


def check_library(
    lib: Library, ready: Prepared, checkers: Checkers, args: argparse.Namespace, workdir: Path
) -> LibraryResult:
    """Mutate ``lib``, run every checker on it before and after, score the mutations."""
    base = ready.cache / "src"
    package = package_dir(lib, ready.unpacked[lib.dist])
    functions = find_functions(package, lib.package, base)
    chosen = select_mutations(functions, args.per_library, args.seed, lib.dist)
    mutated_root, kept = mutated_copy(package, base, chosen, workdir / "mutated")
    result = LibraryResult(lib, len(functions), [Outcome(m) for m in kept], len(chosen) - len(kept))
    roots = source_roots(ready.unpacked)
    root = (ready.unpacked[lib.dist] / lib.root).resolve()
    mutated_roots = [mutated_root if r == root else r for r in roots]
    before = Tree(lib.package, package, base, roots, write_configs(_dir(workdir, "u"), roots))
    after = Tree(
        lib.package,
        mutated_root / lib.package,
        workdir / "mutated",
        mutated_roots,
        write_configs(_dir(workdir, "m"), mutated_roots),
    )
    log(f"{lib.dist}: {len(kept)} mutations in {len(functions)} candidate functions")
    for checker in CHECKERS:
        unmutated = checkers.run(checker, before, workdir / "run")
        mutated = checkers.run(checker, after, workdir / "run")
        score(result, checker.name, unmutated, mutated)
        if checker.mode == PLUGIN and unmutated is not None:
            result.plugin_lines[checker.name] = plugin_lines(unmutated.lines)
        for column in (c for c in COLUMNS if c.checker == checker.name):
            caught = sum(1 for o in result.outcomes if o.caught.get(column.name))
            log(f"  {column.name:<46} caught {caught}/{len(result.outcomes)}")
    shutil.rmtree(workdir, ignore_errors=True)
    return result


def _dir(parent: Path, name: str) -> Path:
    path = parent / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def publish(report: str, data: str, output: Path) -> None:
    print(report, end="")
    if str(output) != "-":
        write(output, report)
        write(output.with_suffix(".json"), data)
        log(f"written to {output} and {output.with_suffix('.json').name}")


if __name__ == "__main__":
    sys.exit(main())
