"""The markdown report of ``make bench``: environment, targets, timing and memory, what the
plugin changes in mypy's output, crashes, consistency, and the optional profile."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
from collections.abc import Sequence
from pathlib import Path

from tests.relabel import Relabel
from wsbench import log
from wsbench.diff import FAILURES, KINDS, consistency_notes, errors_in, relabel, whole_vs_parts
from wsbench.libraries import Library
from wsbench.measure import (
    ALL,
    CHECKED,
    CHECKS,
    CRASH_MARKERS,
    DEFAULT,
    PLAIN,
    PLUGIN,
    SUMMARY,
    Collections,
    Run,
    Target,
    adjacent_warm_ratios,
)
from wsbench.setup import Plugin

COLD_TARGET = 1.05
WARM_TARGET = 1.02
MEMORY_TARGET = 1.05
BUILD_NAMES = {
    "compiled": "compiled with mypyc (`--build compiled`, what a compiled wheel installs)",
    "pure": "pure Python (`--build pure`, the fallback wheel)",
}

Crash = tuple[str, str, str, Run]  # target, mode, kind of run, the run
Relabels = dict[tuple[str, str], Relabel | None]  # by (target, check)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def warm_ratio(target: Target, cpu: bool = False) -> float:
    """The median of the ratios of adjacent warm runs (measure.adjacent_warm_ratios)."""
    return median(adjacent_warm_ratios(target, cpu))


def pair_ratio(target: Target, kind: str) -> float:
    runs = target.cold if kind == "cold" else target.warm
    return median([b.wall / a.wall for a, b in zip(runs[PLAIN], runs[PLUGIN], strict=True)])


def cpu_ratio(target: Target) -> float:
    runs = target.cold
    return median([b.cpu / a.cpu for a, b in zip(runs[PLAIN], runs[PLUGIN], strict=True)])


def rss_ratio(target: Target) -> float:
    runs = target.cold
    return median([b.rss_kib / a.rss_kib for a, b in zip(runs[PLAIN], runs[PLUGIN], strict=True)])


def checked_files(run: Run) -> str:
    for line in reversed(run.output.splitlines()):
        if SUMMARY.match(line):
            match = CHECKED.search(line)
            return match.group(1) if match else "?"
    return "?"


def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


def verdict(value: float, limit: float) -> str:
    return "n/a" if value != value else ("yes" if value <= limit else "**no**")


def machine_description() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    ram = "unknown RAM"
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpus} CPUs ({model}), {ram}, {platform.system()} {platform.release()}"


def header(plugin: Plugin, libs: Sequence[Library]) -> dict[str, str]:
    """The report's environment: date, mypy, the plugin's snapshot, Python, machine."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mypy": plugin.mypy_version,
        "mypy_wsplugin": f"{plugin.plugin_version}, {plugin.origin}; source snapshot sha256 "
        f"{plugin.fingerprint}; {BUILD_NAMES[plugin.build]}",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "machine": machine_description(),
        "libraries": ", ".join(f"{lib.dist} {lib.version}" for lib in libs),
    }


def publish(report: str, output: Path) -> None:
    """Print ``report`` and write it to ``output`` (not for ``-``)."""
    print(report, end="")
    if str(output) != "-":
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report)
        log(f"written to {output}")


def per_library(targets: Sequence[Target]) -> list[Target]:
    return [t for t in targets if t.name != ALL] or list(targets)


def render(
    targets: Sequence[Target],
    header: dict[str, str],
    pairs: int,
    warm_repeats: tuple[int, int],
    profile: list[str] | None,
    collections: dict[str, Collections | None] | None = None,
) -> str:
    crashes = [
        (t.name, mode, kind, run) for t in targets for mode, kind, run in t.runs() if run.crashed
    ]
    relabels = {(t.name, check): relabel(t, check) for t in targets for check in CHECKS}
    out = ["# mypy_wsplugin real-world benchmark", ""]
    out += [f"- {key}: {value}" for key, value in header.items()]
    out += _runs_and_options(targets, pairs, warm_repeats)
    out += _targets(targets, crashes, relabels)
    out += _timing(targets, relabels, warm_repeats)
    if collections is not None:
        out += _collections(targets[-1], collections)
    out += _differences(targets, relabels)
    out += _crashes(crashes)
    notes = [note for t in targets for note in consistency_notes(t)]
    out += ["", "## Consistency", ""]
    out += [f"- {n}" for n in notes] or [
        "Every mode gave the same output in every cold run, and every warm run replayed it."
    ]
    if profile is not None:
        out += ["", "## Profile of the plugin", "", *profile]
    return "\n".join(out) + "\n"


def _runs_and_options(
    targets: Sequence[Target], pairs: int, warm_repeats: tuple[int, int]
) -> list[str]:
    each, judged = warm_repeats
    return [
        f"- runs: {pairs} interleaved pair(s) per target, cold (`--no-incremental`, fresh cache)"
        f" and warm ({each} more run(s) on that cache per library, {judged} on"
        f" `{targets[-1].name}`, the modes alternating run by run), after one untimed warm-up"
        " per mode",
        "- options (both modes): `ignore_missing_imports = true`, `follow_imports = silent`,"
        " `mypy_path` = all unpacked libraries; plugin mode adds `plugins = mypy_wsplugin`,"
        " `[mypy_wsplugin] check_all_awaits = true`"
        + (
            "; the diff is made again with `check_untyped_defs = true` (one untimed cold run"
            " per mode and target)"
            if any(t.untyped for t in targets)
            else ""
        ),
    ]


def _targets(targets: Sequence[Target], crashes: list[Crash], relabels: Relabels) -> list[str]:
    main = targets[-1]
    cold, warm, mem = pair_ratio(main, "cold"), warm_ratio(main), rss_ratio(main)
    adjacent = len(adjacent_warm_ratios(main))
    out = [
        "",
        f"## Targets (judged on `{main.name}`)",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|---|",
        f"| cold time ratio (median of per-pair ratios) | {fmt(cold, 3)} | <= {COLD_TARGET} "
        f"| {verdict(cold, COLD_TARGET)} |",
        f"| warm time ratio (median of the ratios of {adjacent} adjacent runs) | {fmt(warm, 3)} "
        f"| <= {WARM_TARGET} "
        f"| {verdict(warm, WARM_TARGET)} |",
        f"| peak memory ratio (cold, median of per-pair ratios) | {fmt(mem, 3)} "
        f"| <= {MEMORY_TARGET} | {verdict(mem, MEMORY_TARGET)} |",
        f"| crashes (exit status not 0/1, INTERNAL ERROR, traceback) | {len(crashes)} | 0 "
        f"| {'yes' if not crashes else '**no**'} |",
    ]
    for check in CHECKS:
        found = [r for t in per_library(targets) if (r := relabels[(t.name, check)]) is not None]
        label = "mypy's defaults" if check == DEFAULT else "`--check-untyped-defs`"
        if not found:
            out.append(f"| lines lost / invented / doubled / mistyped, {label} | not run | 0 | |")
            continue
        bad = [sum(len(getattr(r, kind)) for r in found) for kind in FAILURES]
        out.append(
            f"| lines lost / invented / doubled / mistyped, {label} (every library) "
            f"| {' / '.join(map(str, bad))} | 0 | {'yes' if not any(bad) else '**no**'} |"
        )
    return out


def _timing(
    targets: Sequence[Target], relabels: Relabels, warm_repeats: tuple[int, int]
) -> list[str]:
    main = targets[-1]
    cpu = fmt(cpu_ratio(main), 3)
    warm_cpu = fmt(warm_ratio(main, cpu=True), 3)
    per_pair = fmt(pair_ratio(main, "warm"), 3)
    out = [
        "",
        f"For reference, on `{main.name}`: the cold CPU time ratio (user + system, median of"
        f" per-pair ratios; less sensitive to other load on the machine than wall time): {cpu};"
        f" the warm CPU time ratio (adjacent runs): {warm_cpu}; the warm time ratio as the"
        f" median of per-pair ratios of each pair's median warm run (the estimator before"
        f" 2026-12-03, which keeps part of the machine's drift): {per_pair}.",
        "",
        "## Timing and memory",
        "",
        "Times are medians in seconds; ratios are plugin / plain, the median of the per-pair"
        " ratios (cold CPU: user + system time); a pair's warm time is the median of"
        f" {warm_repeats[0]} warm run(s) ({warm_repeats[1]} on `{main.name}`), the warm ratio"
        " the median of the ratios of adjacent warm runs; RSS is the median peak resident set"
        " of the cold runs."
        " The last columns classify the first cold runs' outputs (mypy's defaults; see below).",
        "",
        "| target | kind | files | lines | async defs (unannotated) | plain cold | plugin cold"
        " | cold ratio | cold CPU ratio | plain warm | plugin warm | warm ratio | plain RSS MiB"
        " | plugin RSS MiB"
        " | RSS ratio | plain errors | replaced | added | lost | invented | crashes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:"
        "|---:|---:|---:|---:|",
    ]
    for t in targets:
        found = relabels[(t.name, DEFAULT)]
        assert found is not None
        out.append(_timing_row(t, found))
    return out


def _timing_row(t: Target, found: Relabel) -> str:
    plain_lines = t.cold[PLAIN][0].lines()
    kind = "all" if t.name == ALL else ("legacy" if t.libs[0].legacy else "annotated")
    n_crash = sum(1 for _, _, run in t.runs() if run.crashed)
    label = t.name if t.name == ALL else f"{t.libs[0].dist} {t.libs[0].version}"
    return (
        f"| {label} | {kind} | {checked_files(t.cold[PLAIN][0])} | {t.shape.lines} "
        f"| {t.shape.async_defs} ({t.shape.unannotated_async_defs}) "
        f"| {fmt(median([r.wall for r in t.cold[PLAIN]]))} "
        f"| {fmt(median([r.wall for r in t.cold[PLUGIN]]))} | {fmt(pair_ratio(t, 'cold'), 3)} "
        f"| {fmt(cpu_ratio(t), 3)} "
        f"| {fmt(median([r.wall for r in t.warm[PLAIN]]))} "
        f"| {fmt(median([r.wall for r in t.warm[PLUGIN]]))} | {fmt(warm_ratio(t), 3)} "
        f"| {fmt(median([r.rss_kib / 1024 for r in t.cold[PLAIN]]), 0)} "
        f"| {fmt(median([r.rss_kib / 1024 for r in t.cold[PLUGIN]]), 0)} "
        f"| {fmt(rss_ratio(t), 3)} | {errors_in(plain_lines)} | {len(found.replaced)} "
        f"| {len(found.added)} | {len(found.lost)} | {len(found.invented)} | {n_crash} |"
    )


def _differences(targets: Sequence[Target], relabels: Relabels) -> list[str]:
    out = ["", "## What the plugin changes in mypy's output", ""]
    out.append(
        "Every line that differs between plain mypy's output and the plugin's (the first cold"
        " run of each), classified by `tests/relabel.py` (the tests use the same function):"
        " *replaced* (the plugin's error instead of mypy's error for the same cause on the same"
        " line, with its notes), *added* (a new finding), *silenced* (under an ignore comment"
        " naming a plugin code), *retyped* (a `reveal_type` answer), and the failures, which"
        " must be 0: *doubled* (the plugin's error beside mypy's), *mistyped* (a replacement"
        " naming another type than mypy's), *lost* (mypy's line gone, not replaced on its"
        " line), *invented* (a line of neither). With mypy's defaults and with"
        " `check_untyped_defs = true`. Classification of every added error:"
        " `benchmarks/findings.md`."
    )
    out += _counts(targets, relabels)
    for check in CHECKS:
        for t in per_library(targets):
            found = relabels[(t.name, check)]
            if found is None or not found.render():
                continue
            out += ["", f"### {t.name}, {check}", ""]
            out += [f"- `{line.strip()}`" for line in found.render()]
    if not any(r is not None and r.render() for r in relabels.values()):
        out += ["", "None: the plugin's output equals plain mypy's on every target."]
    if len(targets) > 1 and targets[-1].name == ALL:
        out += _whole_vs_parts(targets, relabels)
    return out


def _counts(targets: Sequence[Target], relabels: Relabels) -> list[str]:
    out = [
        "",
        "| target | options | plain errors | " + " | ".join(KINDS) + " |",
        "|---|---|---:|" + "---:|" * len(KINDS),
    ]
    for t in targets:
        for check in CHECKS:
            found = relabels[(t.name, check)]
            if found is None:
                continue
            plain_run = t.cold[PLAIN][0] if check == DEFAULT else t.untyped[PLAIN]
            counts = found.counts()
            out.append(
                f"| {t.name} | {check} | {errors_in(plain_run.lines())} | "
                + " | ".join(str(counts[kind]) for kind in KINDS)
                + " |"
            )
    return out


def _whole_vs_parts(targets: Sequence[Target], relabels: Relabels) -> list[str]:
    out: list[str] = []
    for check in CHECKS:
        whole = relabels[(ALL, check)]
        parts = [relabels[(t.name, check)] for t in per_library(targets)]
        if whole is None or any(r is None for r in parts):
            continue
        only_all, only_libs = whole_vs_parts(whole, [r for r in parts if r is not None])
        if not only_all and not only_libs:
            continue
        out += ["", f"Note: the run over all libraries ({check}) differs otherwise:"]
        out += [f"- only in {ALL}: `{line.strip()}`" for line in only_all]
        out += [f"- only in per-library runs: `{line.strip()}`" for line in only_libs]
    return out


def _crashes(crashes: list[Crash]) -> list[str]:
    out = ["", "## Crashes", ""]
    if not crashes:
        out.append("None.")
    for name, mode, kind, run in crashes:
        out += [f"### {name}, {mode}, {kind} (exit {run.status})", "", "```"]
        out += _crash_excerpt(run.output)
        out += ["```", ""]
    return out


def _crash_excerpt(output: str) -> list[str]:
    lines = output.splitlines()
    hits = [i for i, ln in enumerate(lines) if any(m in ln for m in CRASH_MARKERS)]
    start = max(0, hits[0] - 3) if hits else max(0, len(lines) - 40)
    return lines[start : start + 60]


def _collections(target: Target, found: dict[str, Collections | None]) -> list[str]:
    """mypy's garbage collections in one untimed cold run per mode (measure_collections)."""
    out = [
        "",
        f"## mypy's garbage collector ({target.name}, one untimed cold run per mode)",
        "",
        "| mode | generation 0 | generation 1 | generation 2 | total ms | longest ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for mode, seen in found.items():
        if seen is None:
            out.append(f"| {mode} | not recorded | | | | |")
            continue
        gen0, gen1, gen2 = seen.per_generation
        out.append(
            f"| {mode} | {gen0} | {gen1} | {gen2} | {seen.seconds * 1000:.0f} "
            f"| {seen.longest * 1000:.0f} |"
        )
    plain, plugin = found.get(PLAIN), found.get(PLUGIN)
    if plain is not None and plugin is not None:
        more = sum(plugin.per_generation) - sum(plain.per_generation)
        said = (
            "the same number of collections as plain mypy"
            if more == 0
            else f"{abs(more)} {'more' if more > 0 else 'fewer'} collection(s) than plain mypy"
        )
        out += [
            "",
            f"With the plugin, mypy made {said}, taking "
            f"{(plugin.seconds - plain.seconds) * 1000:+.0f} ms. Each container the plugin keeps "
            "brings mypy's next collection closer (findings.md, \"Containers kept for mypy's "
            'collector").',
        ]
    return out
