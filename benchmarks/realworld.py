"""Real-world benchmark: plain mypy vs mypy + mypy_wsplugin on pinned async libraries.

Run from the repository root (``make bench``)::

    .venv/bin/python benchmarks/realworld.py            # full run, 5 interleaved pairs
    .venv/bin/python benchmarks/realworld.py --quick    # 1 pair, a smoke run
    .venv/bin/python benchmarks/realworld.py --only aiohttp --only anyio --pairs 3
    .venv/bin/python benchmarks/realworld.py --build pure --profile  # also cProfile the plugin run
    .venv/bin/python benchmarks/realworld.py --git-rev HEAD  # the committed plugin, not the tree
    .venv/bin/python benchmarks/realworld.py --quick --no-check-untyped-defs  # timed runs only

What it does
------------
1. Downloads the pinned sdists listed in ``benchmarks/libraries.toml`` (exact versions,
   sha256-checked) with
   ``pip download --no-deps --no-binary :all:`` into a cache directory outside the repository
   (``~/.cache/mypy_wsplugin_bench``; override with ``--cache-dir`` or the environment
   variable ``MYPY_WSPLUGIN_BENCH_CACHE``) and unpacks them there.  No third-party code is
   committed.  The mix: well-annotated libraries (anyio, trio, starlette, httpcore, httpx,
   websockets, aiohttp, redis, aiosqlite, aiosmtplib) and legacy, lightly annotated ones with
   many unannotated ``async def``s (aioredis 1.x, aiomysql, aiocache, aiozmq, aiopg, aiofiles);
   the table shows, for each, how many ``async def``s it has and how many of those carry no
   annotation at all.
2. Creates a dedicated virtual environment in the cache directory with the same mypy version
   as the interpreter running this script, this repository's plugin installed editable from
   the repository path (so the code under test is the working tree), and a pinned set of
   typed, pure-Python runtime dependencies of the libraries (``dependencies`` in
   ``benchmarks/libraries.toml``: attrs, h11,
   multidict, yarl, type stubs for PyMySQL and psycopg2, ...).  A dedicated environment keeps
   the runs stable and meaningful: mypy resolves PEP 561 packages from the environment it
   runs in, and the runner's own environment holds dev tools (pytest, ...) that some
   libraries import and that would otherwise be analysed too, varying from machine to
   machine.  Everything else a library imports that is neither pinned here nor one of the
   libraries (pytest in test modules, pyzmq, botocore, ...) is left to
   ``ignore_missing_imports`` and is ``Any``.  Each benchmark run copies the plugin's source
   (``mypy_wsplugin/``) into its temporary directory and puts the copy first on ``PYTHONPATH``
   for every mypy it starts, so an edit of the working tree during a run cannot mix two
   versions of the plugin in one report; the report names the copy's sha256.  With
   ``--git-rev REV`` the copy is taken from that commit instead of the working tree.  The
   copy is compiled with mypyc by the repository's ``setup.py`` (``MYPY_WSPLUGIN_USE_MYPYC=1``,
   what a compiled wheel holds; about a minute); ``--build pure`` measures the pure-Python
   package instead (the fallback wheel).  The report names the build.
3. Type-checks each library's package (``mypy -p PACKAGE``), and all of them together, in
   two modes with otherwise identical options: plain mypy, and mypy with ``plugins =
   mypy_wsplugin`` and ``check_all_awaits = true``.  The unpacked source roots of all
   libraries are on ``mypy_path`` in every run (``follow_imports = silent``), so a library
   that imports another one of the set (httpx -> httpcore -> anyio) sees it typed, as it
   would with its dependencies installed.  ``check_untyped_defs`` stays off (mypy's default)
   in the timed runs, so the plugin's pass over unannotated functions is exercised on the
   legacy libraries; the diff is also made with it on (step 5).
4. Timing: each pair runs both modes cold (``--no-incremental`` with a fresh cache
   directory), the order alternating from pair to pair, and then warm (more runs on the
   cache each cold run wrote, nothing changed), the two modes alternating run by run, so
   that a slow spell of the machine falls on both alike.  One untimed warm-up run per
   mode comes first (OS file cache, ``.pyc`` files).  Each mypy is a subprocess; its wall
   time is measured around it and its peak RSS is taken from ``os.wait4`` (the rusage of that
   one child).  Reported: median wall time per mode, the median of the per-pair ratios
   (plugin / plain) for cold runs, and peak RSS.  A warm run takes about 0.3 s over all
   libraries and this machine's speed drifts by 10 to 65 % from minute to minute, so the
   warm ratio is the median of the ratios of adjacent warm runs (each plugin run against
   the plain run right before or after it), over 20 warm runs per mode and pair on the
   judged target (``--judged-warm-repeats``) and 5 on each library (``--warm-repeats``).
5. Classifies every line that differs between plain mypy's output and the plugin's (first
   cold run of each) with ``tests/relabel.py``, the function the tests use: replaced (the
   plugin's error instead of mypy's for the same cause on the same line), added (a new
   finding), and what must not happen: a line of mypy's lost, a line of another code
   invented, a finding doubled (beside mypy's error) or mistyped (naming another type than
   mypy's error).  Twice: with mypy's defaults (the timed runs), and with
   ``check_untyped_defs = true``, one more untimed cold run per mode and target
   (``--no-check-untyped-defs`` skips them).  It also lists every crash (exit status other
   than 0/1, ``INTERNAL ERROR`` or a traceback) and checks that repeated runs of a mode give
   the same output and that warm runs replay the cold runs' output.
6. Prints a markdown report to stdout and writes it to ``benchmarks/results/latest.md``
   (``--output``), with the environment (mypy, Python, machine, date) and the targets: cold
   ratio <= 1.05, warm ratio <= 1.02, peak memory ratio <= 1.05 (all three judged on the run
   over all libraries together), 0 crashes, and 0 lines lost, invented, doubled or mistyped
   (on every library, in both option sets).

Exit status: 0 when the benchmark ran (whatever the timing targets), 1 when a run crashed or
the plugin lost, invented, doubled or mistyped a line of mypy's output (the comparison with
plain mypy is a test), 2 on a setup failure (download, checksum, virtual environment).  Unix
only (``os.wait4``).

The machinery is shared with ``make recall`` (``benchmarks/recall.py``) in the package
``benchmarks/wsbench``: ``libraries`` (the list), ``setup`` (sources, venv, plugin snapshot),
``shape``, ``measure`` (running mypy, timings, RSS), ``diff`` (comparing outputs) and
``report`` (this report).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from wsbench import REPO, log
from wsbench.diff import relabel
from wsbench.libraries import Library
from wsbench.measure import (
    ALL,
    CHECKS,
    UNTYPED,
    Runner,
    Target,
    measure,
    measure_collections,
    measure_untyped,
    profile_plugin,
    warm_up,
    write_configs,
)
from wsbench.report import header, publish, render
from wsbench.setup import (
    SETUP_ERRORS,
    Prepared,
    add_common_arguments,
    list_or_prepare,
    package_dir,
    prepare_plugin,
    source_roots,
)
from wsbench.shape import measure_shape

DEFAULT_OUTPUT = REPO / "benchmarks" / "results" / "latest.md"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    add_common_arguments(parser)
    parser.add_argument("--pairs", type=int, default=5, help="interleaved A/B pairs (default 5)")
    parser.add_argument(
        "--warm-repeats",
        type=int,
        default=5,
        help="warm runs per mode and pair; their median is the pair's warm time (default 5)",
    )
    parser.add_argument(
        "--judged-warm-repeats",
        type=int,
        default=20,
        help="warm runs per mode and pair on the target the warm target is judged on (the "
        "last: all libraries together; default 20)",
    )
    parser.add_argument("--quick", action="store_true", help="one pair: a smoke run")
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="markdown report file (default benchmarks/results/latest.md); '-' for none",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile one plugin run over the last target and list the plugin's "
        "functions by cumulative time",
    )
    parser.add_argument(
        "--no-check-untyped-defs",
        dest="check_untyped_defs",
        action="store_false",
        help="skip the untimed cold runs with check_untyped_defs = true (their diff)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.pairs = 1
    if args.pairs < 1 or args.warm_repeats < 1 or args.judged_warm_repeats < 1:
        parser.error("--pairs, --warm-repeats and --judged-warm-repeats must be at least 1")
    if args.profile and args.build != "pure":
        parser.error("--profile needs --build pure (cProfile does not see compiled modules)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ready = list_or_prepare(args)
    if isinstance(ready, int):
        return ready
    with tempfile.TemporaryDirectory(prefix="run-", dir=ready.cache) as tmp:
        workdir = Path(tmp)
        try:
            plugin = prepare_plugin(workdir, ready.python, ready.cache, args.git_rev, args.build)
        except SETUP_ERRORS as error:
            log(f"setup failed: {error}")
            return 2
        configs = write_configs(workdir, source_roots(ready.unpacked))
        runner = Runner(ready.python, configs, ready.cache / "src", plugin.env)
        targets = run_benchmark(args, ready, runner, workdir)
        log("mypy's garbage collections: one untimed cold run per mode")
        collections = measure_collections(targets[-1], runner, workdir)
        profile = None
        if args.profile:
            log("profiling the plugin run")
            profile = profile_plugin(runner, targets[-1].packages, workdir, plugin.snapshot)
    repeats = (args.warm_repeats, args.judged_warm_repeats)
    report = render(targets, header(plugin, ready.libs), args.pairs, repeats, profile, collections)
    publish(report, args.output)
    crashed = any(run.crashed for t in targets for _, _, run in t.runs())
    relabels = [relabel(t, check) for t in targets for check in CHECKS]
    wrong = any(r is not None and not r.ok for r in relabels)
    if wrong:
        log("lines lost, invented, doubled or mistyped: see the report")
    return 1 if crashed or wrong else 0


def make_targets(libs: Sequence[Library], unpacked: dict[str, Path]) -> list[Target]:
    """One target per library, and one over all of them when there are several."""
    targets = [
        Target(
            lib.package,
            (lib.package,),
            (lib,),
            measure_shape([package_dir(lib, unpacked[lib.dist])]),
        )
        for lib in libs
    ]
    if len(libs) > 1:
        targets.append(
            Target(
                ALL,
                tuple(lib.package for lib in libs),
                tuple(libs),
                measure_shape(package_dir(lib, unpacked[lib.dist]) for lib in libs),
            )
        )
    return targets


def run_benchmark(
    args: argparse.Namespace, ready: Prepared, runner: Runner, workdir: Path
) -> list[Target]:
    targets = make_targets(ready.libs, ready.unpacked)
    log("warm-up (untimed)")
    warm_up(runner, targets[-1].packages, workdir)
    started = time.perf_counter()
    for target in targets:
        judged = target is targets[-1]
        repeats = args.judged_warm_repeats if judged else args.warm_repeats
        measure(target, runner, args.pairs, repeats, workdir)
    log(f"measured in {time.perf_counter() - started:.0f} s")
    if args.check_untyped_defs:
        log(f"{UNTYPED}: one cold run per mode and target (untimed, for the diff)")
        for target in targets:
            measure_untyped(target, runner, workdir)
    return targets


if __name__ == "__main__":
    sys.exit(main())
