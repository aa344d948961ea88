"""Running mypy: its configurations, one run's wall and CPU time and peak RSS
(``os.wait4``), and the timed cold/warm pairs of ``make bench``."""

from __future__ import annotations

import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from wsbench import RUN_TIMEOUT, log
from wsbench.libraries import Library
from wsbench.shape import Shape

ALL = "ALL"
PLAIN = "plain"
PLUGIN = "plugin"
MODES = (PLAIN, PLUGIN)
# The options each run is made with: mypy's defaults, and with --check-untyped-defs (one
# untimed cold run per mode and target: the diff only).
DEFAULT = "default"
UNTYPED = "check_untyped_defs"
CHECKS = (DEFAULT, UNTYPED)

CRASH_MARKERS = ("INTERNAL ERROR", "Traceback (most recent call last)")
SUMMARY = re.compile(r"^(Found \d+ errors? in \d+ files?|Success: no issues found in)")
CHECKED = re.compile(r"(?:checked|in) (\d+) source files?")


@dataclass
class Run:
    wall: float
    cpu: float  # user + system time of the process
    rss_kib: int
    status: int
    output: str

    @property
    def crashed(self) -> bool:
        return self.status not in (0, 1) or any(m in self.output for m in CRASH_MARKERS)

    def lines(self) -> list[str]:
        return [ln for ln in self.output.splitlines() if ln.strip() and not SUMMARY.match(ln)]


def config_key(mode: str, check: str = DEFAULT) -> str:
    return mode if check == DEFAULT else f"{mode}-{check}"


def write_configs(workdir: Path, roots: Sequence[Path]) -> dict[str, Path]:
    common = (
        "[mypy]\n"
        "ignore_missing_imports = true\n"
        "follow_imports = silent\n"
        f"mypy_path = {','.join(str(r) for r in roots)}\n"
    )
    plugin = "plugins = mypy_wsplugin\n\n[mypy_wsplugin]\ncheck_all_awaits = true\n"
    paths = {}
    for check in CHECKS:
        extra = "check_untyped_defs = true\n" if check == UNTYPED else ""
        for mode, text in ((PLAIN, common + extra), (PLUGIN, common + extra + plugin)):
            path = workdir / f"{config_key(mode, check)}.ini"
            path.write_text(text)
            paths[config_key(mode, check)] = path
    return paths


@dataclass(frozen=True)
class Runner:
    python: Path
    configs: dict[str, Path]
    cwd: Path  # paths in mypy's output are relative to it
    env: dict[str, str]

    def command(
        self,
        mode: str,
        packages: Sequence[str],
        cache_dir: Path,
        cold: bool,
        check: str = DEFAULT,
    ) -> list[str]:
        config = self.configs[config_key(mode, check)]
        cmd = [str(self.python), "-m", "mypy", "--config-file", str(config)]
        cmd += ["--cache-dir", str(cache_dir), "--show-traceback"]
        if cold:
            cmd.append("--no-incremental")
        for package in packages:
            cmd += ["-p", package]
        return cmd

    def run(self, cmd: Sequence[str]) -> Run:
        return run_measured(cmd, self.cwd, self.env)


def run_measured(cmd: Sequence[str], cwd: Path, env: dict[str, str]) -> Run:
    """Run ``cmd``; wall time, peak RSS of this child (``os.wait4``), status, output."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        timer = threading.Timer(RUN_TIMEOUT, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
    rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, int(rss), proc.returncode, output)


@dataclass
class Target:
    name: str
    packages: tuple[str, ...]
    libs: tuple[Library, ...]
    shape: Shape
    cold: dict[str, list[Run]] = field(default_factory=lambda: {m: [] for m in MODES})
    # per pair: the warm run of median wall time among the repeats
    warm: dict[str, list[Run]] = field(default_factory=lambda: {m: [] for m in MODES})
    # every warm run, in order: the i-th run of each mode ran right before or after the
    # other mode's i-th run (adjacent_warm_ratios)
    all_warm: dict[str, list[Run]] = field(default_factory=lambda: {m: [] for m in MODES})
    # one cold run per mode with --check-untyped-defs (untimed), if made
    untyped: dict[str, Run] = field(default_factory=dict)

    def runs(self) -> Iterable[tuple[str, str, Run]]:
        for mode in MODES:
            for run in self.cold[mode]:
                yield mode, "cold", run
            for run in self.all_warm[mode]:
                yield mode, "warm", run
            if mode in self.untyped:
                yield mode, f"cold, {UNTYPED}", self.untyped[mode]


def adjacent_warm_ratios(target: Target, cpu: bool = False) -> list[float]:
    """plugin / plain for each two warm runs made one right after the other.  A warm run
    over the whole set takes about 0.3 s, and this machine's speed drifts by 10 to 65 %
    from one minute to the next: a ratio of two adjacent runs cancels that drift, where a
    ratio of medians over a pair's runs keeps part of it."""
    plain, plugin = target.all_warm[PLAIN], target.all_warm[PLUGIN]
    return [
        (b.cpu / a.cpu) if cpu else (b.wall / a.wall) for a, b in zip(plain, plugin, strict=True)
    ]


def warm_up(runner: Runner, packages: Sequence[str], workdir: Path) -> None:
    """One untimed run per mode (OS file cache, ``.pyc`` files)."""
    for mode in MODES:
        cache_dir = workdir / f"cache-warmup-{mode}"
        runner.run(runner.command(mode, packages, cache_dir, True))
        shutil.rmtree(cache_dir, ignore_errors=True)


def measure(target: Target, runner: Runner, pairs: int, warm_repeats: int, workdir: Path) -> None:
    """Each pair: one cold run per mode (the order alternating from pair to pair), then the
    warm runs on the caches they wrote, the two modes alternating run by run, so a slow
    spell of the machine (a few seconds, often) falls on both modes' warm runs alike."""
    for pair in range(pairs):
        order = MODES if pair % 2 == 0 else MODES[::-1]
        caches = {mode: workdir / f"cache-{target.name}-{mode}-{pair}" for mode in order}
        for mode in order:
            shutil.rmtree(caches[mode], ignore_errors=True)
            cold = runner.run(runner.command(mode, target.packages, caches[mode], True))
            target.cold[mode].append(cold)
            log(
                f"  {target.name:<11} pair {pair + 1}/{pairs} {mode:<6} "
                f"cold {cold.wall:6.2f}s {cold.rss_kib / 1024:6.0f} MiB (exit {cold.status})"
            )
        warm_cmds = {m: runner.command(m, target.packages, caches[m], False) for m in order}
        warms: dict[str, list[Run]] = {mode: [] for mode in order}
        for _ in range(warm_repeats):
            for mode in order:
                warms[mode].append(runner.run(warm_cmds[mode]))
        for mode in order:
            shutil.rmtree(caches[mode], ignore_errors=True)
            warm = sorted(warms[mode], key=lambda r: r.wall)[len(warms[mode]) // 2]
            target.warm[mode].append(warm)
            target.all_warm[mode].extend(warms[mode])
            log(
                f"  {target.name:<11} pair {pair + 1}/{pairs} {mode:<6} "
                f"warm {warm.wall:5.2f}s (median of {len(warms[mode])}, exit {warm.status})"
            )


def measure_untyped(target: Target, runner: Runner, workdir: Path) -> None:
    """One cold run per mode with --check-untyped-defs: for the diff, not timed."""
    for mode in MODES:
        cache_dir = workdir / f"cache-{target.name}-{mode}-{UNTYPED}"
        shutil.rmtree(cache_dir, ignore_errors=True)
        run = runner.run(runner.command(mode, target.packages, cache_dir, True, UNTYPED))
        shutil.rmtree(cache_dir, ignore_errors=True)
        target.untyped[mode] = run
        log(f"  {target.name:<11} {UNTYPED} {mode:<6} cold {run.wall:6.2f}s (exit {run.status})")


# Run as ``python -c`` in front of ``-m mypy``: mypy's garbage collections, counted and
# timed with ``gc.callbacks``, written as JSON at exit (``--no-fast-exit``: atexit runs).
_COLLECTIONS_PROBE = """
import atexit, gc, json, runpy, sys, time
out, started, seen = sys.argv.pop(1), [0.0], []
def callback(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        seen.append([info["generation"], time.perf_counter() - started[0]])
gc.callbacks.append(callback)
atexit.register(lambda: open(out, "w").write(json.dumps(seen)))
sys.argv[0] = "mypy"
runpy.run_module("mypy", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Collections:
    """mypy's garbage collections in one run: how many per generation, and their time."""

    per_generation: tuple[int, int, int]
    seconds: float
    # The longest collection: a late one scans all that mypy allocated since the last.
    longest: float


def measure_collections(
    target: Target, runner: Runner, workdir: Path
) -> dict[str, Collections | None]:
    """One untimed cold run per mode of ``target`` with mypy's collections counted.

    mypy sets generation 0's threshold at 200,000 tracked objects; each container the
    plugin keeps alive brings the next collection closer, and one collection more than
    plain mypy costs about 2.5 % of a run of ALL (findings.md, "Containers kept for mypy's
    collector")."""
    found: dict[str, Collections | None] = {}
    for mode in MODES:
        cache_dir = workdir / f"cache-{target.name}-{mode}-collections"
        record = workdir / f"collections-{mode}.json"
        shutil.rmtree(cache_dir, ignore_errors=True)
        record.unlink(missing_ok=True)
        cmd = runner.command(mode, target.packages, cache_dir, True)
        cmd[1:3] = ["-c", _COLLECTIONS_PROBE, str(record)]
        cmd.append("--no-fast-exit")
        run = runner.run(cmd)
        shutil.rmtree(cache_dir, ignore_errors=True)
        try:
            seen = json.loads(record.read_text())
        except (OSError, ValueError):
            log(f"  {target.name:<11} {mode:<6} collections not recorded (exit {run.status})")
            found[mode] = None
            continue
        counts = [0, 0, 0]
        for generation, _ in seen:
            counts[min(int(generation), 2)] += 1
        times = [float(t) for _, t in seen]
        found[mode] = Collections(
            (counts[0], counts[1], counts[2]), sum(times), max(times, default=0.0)
        )
        log(
            f"  {target.name:<11} {mode:<6} collections {counts} "
            f"{sum(times) * 1000:.0f} ms (longest {max(times, default=0.0) * 1000:.0f} ms)"
        )
    return found


def profile_plugin(
    runner: Runner, packages: Sequence[str], workdir: Path, snapshot: Path
) -> list[str]:
    """cProfile one cold plugin run; the plugin's functions by cumulative time."""
    prof = workdir / "plugin.prof"
    cache_dir = workdir / "cache-profile"
    cmd = runner.command(PLUGIN, packages, cache_dir, True)
    cmd[1:3] = ["-m", "cProfile", "-o", str(prof), "-m", "mypy"]
    cmd.append("--no-fast-exit")  # mypy's fast exit (os._exit) would skip writing the profile
    run = runner.run(cmd)
    shutil.rmtree(cache_dir, ignore_errors=True)
    if not prof.is_file():
        return [f"profiling failed (exit {run.status})"]
    stats = pstats.Stats(str(prof))
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]]
    raw = stats.stats  # type: ignore[attr-defined]
    total = max((ct for (_, _, _, ct, _) in raw.values()), default=0.0)
    plugin_dir = str(snapshot / "mypy_wsplugin") + os.sep
    rows = sorted(
        (
            (ct, tt, nc, f"{Path(f).relative_to(snapshot)}:{ln}({fn})")
            for (f, ln, fn), (_, nc, tt, ct, _) in raw.items()
            if f.startswith(plugin_dir)
        ),
        reverse=True,
    )
    own = sum(tt for _, tt, _, _ in rows)
    lines = [
        f"Profiled: one cold plugin run over {', '.join(packages)} "
        f"({run.wall:.1f} s under cProfile; profile total {total:.2f} s). Time spent in the"
        f" plugin's own Python code (sum of its functions' own time, calls into mypy's compiled"
        f" code excluded): {own:.2f} s ({100 * own / total if total else 0.0:.1f} %).",
        "",
        "| plugin function | cumulative s | % of total | own s | calls |",
        "|---|---:|---:|---:|---:|",
    ]
    for ct, tt, nc, name in rows[:20]:
        share = 100 * ct / total if total else 0.0
        lines.append(f"| `{name}` | {ct:.3f} | {share:.1f} | {tt:.3f} | {nc} |")
    return lines
