"""Real-world benchmark: plain mypy vs mypy + mypy_wsplugin on pinned async libraries.

Run from the repository root (``make bench``)::

    .venv/bin/python benchmarks/realworld.py            # full run, 5 interleaved pairs
    .venv/bin/python benchmarks/realworld.py --quick    # 1 pair, a smoke run
    .venv/bin/python benchmarks/realworld.py --only aiohttp --only anyio --pairs 3
    .venv/bin/python benchmarks/realworld.py --profile  # also cProfile the plugin run
    .venv/bin/python benchmarks/realworld.py --git-rev HEAD  # the committed plugin, not the tree
    .venv/bin/python benchmarks/realworld.py --quick --no-check-untyped-defs  # timed runs only

What it does
------------
1. Downloads the pinned sdists listed in ``LIBRARIES`` (exact versions, sha256-checked) with
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
   typed, pure-Python runtime dependencies of the libraries (``DEPENDENCIES``: attrs, h11,
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
   ``--git-rev REV`` the copy is taken from that commit instead of the working tree.
3. Type-checks each library's package (``mypy -p PACKAGE``), and all of them together, in
   two modes with otherwise identical options: plain mypy, and mypy with ``plugins =
   mypy_wsplugin`` and ``check_all_awaits = true``.  The unpacked source roots of all
   libraries are on ``mypy_path`` in every run (``follow_imports = silent``), so a library
   that imports another one of the set (httpx -> httpcore -> anyio) sees it typed, as it
   would with its dependencies installed.  ``check_untyped_defs`` stays off (mypy's default)
   in the timed runs, so the plugin's pass over unannotated functions is exercised on the
   legacy libraries; the diff is also made with it on (step 5).
4. Timing: each pair runs both modes cold (``--no-incremental`` with a fresh cache
   directory) and then warm (a second run on the cache the cold run wrote, nothing changed),
   interleaved A/B with the order alternating from pair to pair.  One untimed warm-up run per
   mode comes first (OS file cache, ``.pyc`` files).  Each mypy is a subprocess; its wall
   time is measured around it and its peak RSS is taken from ``os.wait4`` (the rusage of that
   one child).  Reported: median wall time per mode, the median of the per-pair ratios
   (plugin / plain), and peak RSS.
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
"""

from __future__ import annotations

import argparse
import ast
import compileall
import datetime
import hashlib
import io
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # the classifier shared with the tests: tests/relabel.py
    sys.path.insert(0, str(REPO))

from tests.relabel import Relabel, classify  # noqa: E402

DEFAULT_OUTPUT = REPO / "benchmarks" / "results" / "latest.md"
CACHE_ENV = "MYPY_WSPLUGIN_BENCH_CACHE"
DEFAULT_CACHE = Path.home() / ".cache" / "mypy_wsplugin_bench"
FALLBACK_MYPY = "2.4.1"
RUN_TIMEOUT = 1800.0

COLD_TARGET = 1.05
WARM_TARGET = 1.02
MEMORY_TARGET = 1.05
ALL = "ALL"
PLAIN = "plain"
PLUGIN = "plugin"
MODES = (PLAIN, PLUGIN)
# The options each run is made with: mypy's defaults, and with --check-untyped-defs (one
# untimed cold run per mode and target: the diff only).
DEFAULT = "default"
UNTYPED = "check_untyped_defs"
CHECKS = (DEFAULT, UNTYPED)
# Relabel's kinds of difference (tests/relabel.py), and those that must not occur.
KINDS = ("replaced", "added", "silenced", "retyped", "doubled", "mistyped", "lost", "invented")
FAILURES = ("lost", "invented", "doubled", "mistyped")


@dataclass(frozen=True)
class Library:
    dist: str
    version: str
    package: str
    root: str  # the directory of the sdist holding the package ("" or "src")
    legacy: bool  # lightly annotated, many unannotated ``async def``s
    sha256: str


LIBRARIES: tuple[Library, ...] = (
    # well-annotated
    Library(
        "anyio",
        "4.16.0",
        "anyio",
        "src",
        False,
        "59bb03251907983d1603d27c3087ddb1e93299ea2163adcdba37899a4fb12ffb",
    ),
    Library(
        "trio",
        "0.35.0",
        "trio",
        "src",
        False,
        "7efb295c78a0ecd1235c5759e620b5da564ca80d2efcb0055423588547248b96",
    ),
    Library(
        "starlette",
        "1.10.0",
        "starlette",
        "",
        False,
        "b8399098d4c1e3522734f7235dc79b1fc967f96cf139c81e0fa30479e0685f9b",
    ),
    Library(
        "httpcore",
        "1.0.9",
        "httpcore",
        "",
        False,
        "6e34463af53fd2ab5d807f399a9b45ea31c3dfa2276f15a2c3f00afff6e176e8",
    ),
    Library(
        "httpx",
        "0.28.1",
        "httpx",
        "",
        False,
        "75e98c5f16b0f35b567856f597f06ff2270a374470a5c2392242528e3e3e42fc",
    ),
    Library(
        "websockets",
        "17.4",
        "websockets",
        "src",
        False,
        "09d3939b70df0c8ad2da145ebd50978bccaee1d565e838b0e7921a34d38571eb",
    ),
    Library(
        "aiohttp",
        "3.14.5",
        "aiohttp",
        "",
        False,
        "5558a7f5a05af9ecf744af91e5baefc436f93c9333e656c27ec253f9a6bbe178",
    ),
    Library(
        "redis",
        "7.1.0",
        "redis",
        "",
        False,
        "b1cc3cfa5a2cb9c2ab3ba700864fb0ad75617b41f01352ce5779dabf6d5f9c3c",
    ),
    Library(
        "aiosqlite",
        "0.22.1",
        "aiosqlite",
        "",
        False,
        "043e0bd78d32888c0a9ca90fc788b38796843360c855a7262a532813133a0650",
    ),
    Library(
        "aiosmtplib",
        "5.1.3",
        "aiosmtplib",
        "src",
        False,
        "ac2b418d3260ba62d9cfd0fe7359726e9dc009a4e8e8d9909fdfae332f522a7c",
    ),
    # legacy, lightly annotated
    Library(
        "aioredis",
        "1.3.1",
        "aioredis",
        "",
        True,
        "15f8af30b044c771aee6787e5ec24694c048184c7b9e54c3b60c750a4b93273a",
    ),
    Library(
        "aiomysql",
        "0.3.2",
        "aiomysql",
        "",
        True,
        "72d15ef5cfc34c03468eb41e1b90adb9fd9347b0b589114bd23ead569a02ac1a",
    ),
    Library(
        "aiocache",
        "0.12.3",
        "aiocache",
        "",
        True,
        "f528b27bf4d436b497a1d0d1a8f59a542c153ab1e37c3621713cb376d44c4713",
    ),
    Library(
        "aiozmq",
        "1.0.0",
        "aiozmq",
        "",
        True,
        "dac9069d36a47da439fa852ed37caaed3887b5928cb781e06a6a82e43682c6bb",
    ),
    Library(
        "aiopg",
        "1.4.0",
        "aiopg",
        "",
        True,
        "116253bef86b4d954116716d181e9a0294037f266718b2e1c9766af995639d71",
    ),
    Library(
        "aiofiles",
        "25.1.0",
        "aiofiles",
        "src",
        True,
        "a8d728f0a29de45dc521f18f07297428d56992a742f0cd2701ba86e44d23d5b2",
    ),
)

# Typed (PEP 561), pure-Python runtime dependencies of the libraries above, installed into
# the benchmark environment so that mypy sees them typed.  Exact versions: stable runs.
DEPENDENCIES: tuple[str, ...] = (
    "aiohappyeyeballs==2.7.1",
    "aiosignal==1.4.0",
    "async-timeout==5.0.1",
    "attrs==26.1.0",
    "certifi==2026.10.18",
    "frozenlist==1.8.0",
    "h11==0.16.0",
    "idna==3.20",
    "multidict==7.2.1",
    "outcome==1.3.0.post0",
    "propcache==0.5.4",
    "sniffio==1.3.1",
    "types-psycopg2==2.9.21.20261008",
    "types-PyMySQL==1.2.0.20260923",
    "yarl==1.25.1",
)
OLD_PYTHON_DEPENDENCIES: tuple[str, ...] = ("tomli==2.2.1",)  # the plugin's, Python < 3.11

CRASH_MARKERS = ("INTERNAL ERROR", "Traceback (most recent call last)")
SUMMARY = re.compile(r"^(Found \d+ errors? in \d+ files?|Success: no issues found in)")
CHECKED = re.compile(r"(?:checked|in) (\d+) source files?")


class SetupError(Exception):
    pass


# -- environment ------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_checked(cmd: Sequence[str], what: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        list(cmd), cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
    )
    if result.returncode != 0:
        raise SetupError(f"{what} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch_sources(lib: Library, cache: Path) -> Path:
    """Download (once) and unpack (once) ``lib``'s sdist; return its unpacked directory."""
    unpacked = cache / "src" / f"{lib.dist}-{lib.version}"
    if (unpacked / ".complete").exists():
        return unpacked
    download_dir = cache / "sdists" / f"{lib.dist}-{lib.version}"
    archives = sorted(download_dir.glob("*")) if download_dir.is_dir() else []
    if len(archives) != 1 or sha256_of(archives[0]) != lib.sha256:
        shutil.rmtree(download_dir, ignore_errors=True)
        download_dir.mkdir(parents=True)
        log(f"  downloading {lib.dist}=={lib.version}")
        run_checked(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                "--dest",
                str(download_dir),
                f"{lib.dist}=={lib.version}",
            ],
            f"pip download {lib.dist}=={lib.version}",
        )
        archives = sorted(download_dir.glob("*"))
        if len(archives) != 1:
            raise SetupError(f"expected one sdist for {lib.dist}, got {archives}")
        if sha256_of(archives[0]) != lib.sha256:
            raise SetupError(f"sha256 mismatch for {archives[0]}")
    archive = archives[0]
    if not archive.name.endswith((".tar.gz", ".tgz")):
        raise SetupError(f"unexpected sdist format: {archive.name}")
    staging = cache / "src" / f".{lib.dist}-{lib.version}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(unpacked, ignore_errors=True)
    staging.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(staging, filter="data")
        else:  # pragma: no cover - Python without PEP 706 backports
            tar.extractall(staging)  # a pinned, checksummed archive
    tops = list(staging.iterdir())
    if len(tops) != 1 or not tops[0].is_dir():
        raise SetupError(f"unexpected layout in {archive.name}: {tops}")
    tops[0].rename(unpacked)
    staging.rmdir()
    (unpacked / ".complete").write_text(lib.sha256 + "\n")
    return unpacked


def package_dir(lib: Library, unpacked: Path) -> Path:
    path = unpacked / lib.root / lib.package
    if not (path / "__init__.py").is_file():
        raise SetupError(f"{lib.dist}: no package at {path}")
    return path


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def runner_mypy_version(requested: str | None) -> str:
    if requested:
        return requested
    try:
        return metadata.version("mypy")
    except metadata.PackageNotFoundError:
        return FALLBACK_MYPY


def prepare_venv(cache: Path, mypy_version: str) -> Path:
    """The benchmark's own environment: mypy, the plugin (editable) and the typed deps."""
    venv = cache / "venv"
    deps = list(DEPENDENCIES)
    if sys.version_info < (3, 11):
        deps += OLD_PYTHON_DEPENDENCIES
    stamp = {
        "python": sys.version,
        "mypy": mypy_version,
        "deps": deps,
        "repo": str(REPO),
    }
    stamp_file = venv / "bench-stamp.json"
    python = venv_python(venv)
    if stamp_file.is_file() and python.exists():
        try:
            if json.loads(stamp_file.read_text()) == stamp:
                return python
        except ValueError:
            pass
    log(f"  creating {venv} (mypy=={mypy_version}, plugin from {REPO})")
    shutil.rmtree(venv, ignore_errors=True)
    run_checked([sys.executable, "-m", "venv", str(venv)], "python -m venv")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    run_checked([*pip, f"mypy=={mypy_version}"], "pip install mypy")
    run_checked([*pip, "--no-deps", "--only-binary", ":all:", *deps], "pip install deps")
    run_checked([*pip, "--no-deps", "--editable", str(REPO)], "pip install the plugin")
    stamp_file.write_text(json.dumps(stamp, indent=1) + "\n")
    return python


def snapshot_plugin(workdir: Path, rev: str | None) -> tuple[Path, str]:
    """Copy the plugin's source for this run; return the copy's parent and a fingerprint.

    Every mypy of the run imports the plugin from this copy (``PYTHONPATH``), so an edit of the
    working tree while the benchmark runs cannot mix two versions of the plugin in one report.
    The copy is of the working tree, or with ``rev`` of that git revision.
    """
    parent = workdir / "plugin"
    if rev is None:
        shutil.copytree(
            REPO / "mypy_wsplugin",
            parent / "mypy_wsplugin",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
        )
    else:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", rev, "mypy_wsplugin"],
            capture_output=True,
            check=False,
        )
        if archive.returncode != 0:
            raise SetupError(f"git archive {rev}: {archive.stderr.decode(errors='replace')}")
        parent.mkdir()
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(parent, filter="data")
            else:  # pragma: no cover - Python without PEP 706 backports
                tar.extractall(parent)  # our own repository's files
    digest = hashlib.sha256()
    for path in sorted((parent / "mypy_wsplugin").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    # Byte-compile the copy, as pip does on install: otherwise, where the environment sets
    # PYTHONDONTWRITEBYTECODE, every mypy run would compile the plugin's source again and
    # the timings would measure that instead of the plugin.
    compileall.compile_dir(parent / "mypy_wsplugin", quiet=1)
    return parent, digest.hexdigest()[:12]


def check_venv(python: Path, env: dict[str, str], cwd: Path, snapshot: Path) -> tuple[str, str]:
    """The mypy version and plugin version that the runs will use; the plugin must be the
    snapshot of this repository's."""
    result = subprocess.run(
        [
            str(python),
            "-c",
            "import mypy.version, mypy_wsplugin; "
            "print(mypy.version.__version__); print(mypy_wsplugin.__version__); "
            "print(mypy_wsplugin.__file__)",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise SetupError(f"cannot import mypy and the plugin:\n{result.stdout}{result.stderr}")
    mypy_version, plugin_version, plugin_file = result.stdout.strip().splitlines()[-3:]
    if not Path(plugin_file).resolve().is_relative_to(snapshot.resolve()):
        raise SetupError(f"the runs would use the plugin at {plugin_file}, not {snapshot}")
    return mypy_version, plugin_version


def resolve_revision(rev: str) -> str:
    """The full commit id of ``rev`` now (HEAD may move while the benchmark runs)."""
    result = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SetupError(f"not a git commit: {rev}")
    return result.stdout.strip()


def plugin_origin(rev: str | None) -> str:
    """Where the benchmarked plugin source comes from, for the report (``rev``: a commit id,
    resolved before the run starts)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        if rev is not None:
            return f"git commit {git('rev-parse', '--short', rev)} (working tree not used)"
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", "mypy_wsplugin")
    except (OSError, subprocess.CalledProcessError):
        return "working tree (not a git checkout)"
    if dirty:
        return f"working tree: commit {head} with uncommitted changes to mypy_wsplugin/"
    return f"working tree: commit {head}"


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


# -- the libraries' shape ---------------------------------------------------------------------


@dataclass
class Shape:
    files: int = 0
    lines: int = 0
    async_defs: int = 0
    unannotated_async_defs: int = 0


def _unannotated(func: ast.AsyncFunctionDef) -> bool:
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return func.returns is None and all(a.annotation is None for a in every)


def measure_shape(paths: Iterable[Path]) -> Shape:
    shape = Shape()
    for pkg in paths:
        for path in sorted(pkg.rglob("*.py")):
            text = path.read_text(encoding="utf-8", errors="replace")
            shape.files += 1
            shape.lines += text.count("\n")
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.AsyncFunctionDef):
                    shape.async_defs += 1
                    shape.unannotated_async_defs += _unannotated(node)
    return shape


# -- running mypy -----------------------------------------------------------------------------


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


def mypy_env(plugin_snapshot: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("MYPYPATH", "MYPY_CACHE_DIR", "MYPY_FORCE_COLOR"):
        env.pop(name, None)
    env["PYTHONPATH"] = str(plugin_snapshot)
    return env


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

    def relabel(self, check: str) -> Relabel | None:
        """How the plugin's output differs from plain mypy's (first cold runs)."""
        if check == UNTYPED:
            if len(self.untyped) < len(MODES):
                return None
            return classify(self.untyped[PLAIN].lines(), self.untyped[PLUGIN].lines())
        return classify(self.cold[PLAIN][0].lines(), self.cold[PLUGIN][0].lines())


def measure(target: Target, runner: Runner, pairs: int, warm_repeats: int, workdir: Path) -> None:
    for pair in range(pairs):
        order = MODES if pair % 2 == 0 else MODES[::-1]
        for mode in order:
            cache_dir = workdir / f"cache-{target.name}-{mode}-{pair}"
            shutil.rmtree(cache_dir, ignore_errors=True)
            cold = runner.run(runner.command(mode, target.packages, cache_dir, True))
            warm_cmd = runner.command(mode, target.packages, cache_dir, False)
            warms = [runner.run(warm_cmd) for _ in range(warm_repeats)]
            shutil.rmtree(cache_dir, ignore_errors=True)
            warm = sorted(warms, key=lambda r: r.wall)[len(warms) // 2]
            target.cold[mode].append(cold)
            target.warm[mode].append(warm)
            target.all_warm[mode].extend(warms)
            log(
                f"  {target.name:<11} pair {pair + 1}/{pairs} {mode:<6} "
                f"cold {cold.wall:6.2f}s {cold.rss_kib / 1024:6.0f} MiB (exit {cold.status})"
                f"  warm {warm.wall:5.2f}s (exit {warm.status})"
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


# -- analysis and report ----------------------------------------------------------------------


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pair_ratio(target: Target, kind: str) -> float:
    runs = target.cold if kind == "cold" else target.warm
    return median([b.wall / a.wall for a, b in zip(runs[PLAIN], runs[PLUGIN], strict=True)])


def cpu_ratio(target: Target) -> float:
    runs = target.cold
    return median([b.cpu / a.cpu for a, b in zip(runs[PLAIN], runs[PLUGIN], strict=True)])


def rss_ratio(target: Target) -> float:
    runs = target.cold
    return median([b.rss_kib / a.rss_kib for a, b in zip(runs[PLAIN], runs[PLUGIN], strict=True)])


def errors_in(lines: Iterable[str]) -> int:
    return sum(1 for ln in lines if ": error:" in ln)


def checked_files(run: Run) -> str:
    for line in reversed(run.output.splitlines()):
        if SUMMARY.match(line):
            match = CHECKED.search(line)
            return match.group(1) if match else "?"
    return "?"


def consistency_notes(target: Target) -> list[str]:
    notes = []
    for mode in MODES:
        cold = [sorted(r.lines()) for r in target.cold[mode]]
        warm = [sorted(r.lines()) for r in target.all_warm[mode]]
        if any(c != cold[0] for c in cold):
            notes.append(f"{target.name}, {mode}: cold runs gave different outputs")
        if any(w != cold[0] for w in warm):
            notes.append(f"{target.name}, {mode}: a warm run did not replay the cold output")
    return notes


def fmt(value: float, digits: int = 2) -> str:
    return "n/a" if value != value else f"{value:.{digits}f}"


def verdict(value: float, limit: float) -> str:
    return "n/a" if value != value else ("yes" if value <= limit else "**no**")


def render(
    targets: Sequence[Target],
    header: dict[str, str],
    pairs: int,
    warm_repeats: int,
    profile: list[str] | None,
) -> str:
    main = targets[-1]
    crashes = [
        (t.name, mode, kind, run) for t in targets for mode, kind, run in t.runs() if run.crashed
    ]
    cold, warm, mem = pair_ratio(main, "cold"), pair_ratio(main, "warm"), rss_ratio(main)
    out = ["# mypy_wsplugin real-world benchmark", ""]
    out += [f"- {key}: {value}" for key, value in header.items()]
    out += [
        f"- runs: {pairs} interleaved pair(s) per target, cold (`--no-incremental`, fresh cache)"
        f" and warm ({warm_repeats} more run(s) on that cache), after one untimed warm-up per"
        " mode",
        "- options (both modes): `ignore_missing_imports = true`, `follow_imports = silent`,"
        " `mypy_path` = all unpacked libraries; plugin mode adds `plugins = mypy_wsplugin`,"
        " `[mypy_wsplugin] check_all_awaits = true`"
        + (
            "; the diff is made again with `check_untyped_defs = true` (one untimed cold run"
            " per mode and target)"
            if any(t.untyped for t in targets)
            else ""
        ),
        "",
        f"## Targets (judged on `{main.name}`)",
        "",
        "| target | measured | limit | met |",
        "|---|---:|---:|---|",
        f"| cold time ratio (median of per-pair ratios) | {fmt(cold, 3)} | <= {COLD_TARGET} "
        f"| {verdict(cold, COLD_TARGET)} |",
        f"| warm time ratio (median of per-pair ratios) | {fmt(warm, 3)} | <= {WARM_TARGET} "
        f"| {verdict(warm, WARM_TARGET)} |",
        f"| peak memory ratio (cold, median of per-pair ratios) | {fmt(mem, 3)} "
        f"| <= {MEMORY_TARGET} | {verdict(mem, MEMORY_TARGET)} |",
        f"| crashes (exit status not 0/1, INTERNAL ERROR, traceback) | {len(crashes)} | 0 "
        f"| {'yes' if not crashes else '**no**'} |",
    ]
    per_library = [t for t in targets if t.name != ALL] or list(targets)
    relabels = {(t.name, check): t.relabel(check) for t in targets for check in CHECKS}
    for check in CHECKS:
        found = [r for t in per_library if (r := relabels[(t.name, check)]) is not None]
        label = "mypy's defaults" if check == DEFAULT else "`--check-untyped-defs`"
        if not found:
            out.append(f"| lines lost / invented / doubled / mistyped, {label} | not run | 0 | |")
            continue
        bad = [sum(len(getattr(r, kind)) for r in found) for kind in FAILURES]
        out.append(
            f"| lines lost / invented / doubled / mistyped, {label} (every library) "
            f"| {' / '.join(map(str, bad))} | 0 | {'yes' if not any(bad) else '**no**'} |"
        )
    out += [
        "",
        f"For reference, the cold CPU time ratio (user + system, median of per-pair ratios; less"
        f" sensitive to other load on the machine than wall time): {fmt(cpu_ratio(main), 3)}.",
        "",
        "## Timing and memory",
        "",
        "Times are medians in seconds; ratios are plugin / plain, the median of the per-pair"
        " ratios (cold CPU: user + system time); a pair's warm time is the median of"
        f" {warm_repeats} warm run(s); RSS is the median peak resident set of the cold runs."
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
        plain_lines = t.cold[PLAIN][0].lines()
        relabel = relabels[(t.name, DEFAULT)]
        assert relabel is not None
        kind = "all" if t.name == ALL else ("legacy" if t.libs[0].legacy else "annotated")
        n_crash = sum(1 for _, _, run in t.runs() if run.crashed)
        label = t.name if t.name == ALL else f"{t.libs[0].dist} {t.libs[0].version}"
        out.append(
            f"| {label} | {kind} | {checked_files(t.cold[PLAIN][0])} | {t.shape.lines} "
            f"| {t.shape.async_defs} ({t.shape.unannotated_async_defs}) "
            f"| {fmt(median([r.wall for r in t.cold[PLAIN]]))} "
            f"| {fmt(median([r.wall for r in t.cold[PLUGIN]]))} | {fmt(pair_ratio(t, 'cold'), 3)} "
            f"| {fmt(cpu_ratio(t), 3)} "
            f"| {fmt(median([r.wall for r in t.warm[PLAIN]]))} "
            f"| {fmt(median([r.wall for r in t.warm[PLUGIN]]))} | {fmt(pair_ratio(t, 'warm'), 3)} "
            f"| {fmt(median([r.rss_kib / 1024 for r in t.cold[PLAIN]]), 0)} "
            f"| {fmt(median([r.rss_kib / 1024 for r in t.cold[PLUGIN]]), 0)} "
            f"| {fmt(rss_ratio(t), 3)} | {errors_in(plain_lines)} | {len(relabel.replaced)} "
            f"| {len(relabel.added)} | {len(relabel.lost)} | {len(relabel.invented)} | {n_crash} |"
        )
    out += ["", "## What the plugin changes in mypy's output", ""]
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
    out += [
        "",
        "| target | options | plain errors | " + " | ".join(KINDS) + " |",
        "|---|---|---:|" + "---:|" * len(KINDS),
    ]
    for t in targets:
        for check in CHECKS:
            relabel = relabels[(t.name, check)]
            if relabel is None:
                continue
            plain_run = t.cold[PLAIN][0] if check == DEFAULT else t.untyped[PLAIN]
            counts = relabel.counts()
            out.append(
                f"| {t.name} | {check} | {errors_in(plain_run.lines())} | "
                + " | ".join(str(counts[kind]) for kind in KINDS)
                + " |"
            )
    for check in CHECKS:
        for t in per_library:
            relabel = relabels[(t.name, check)]
            if relabel is None or not relabel.render():
                continue
            out += ["", f"### {t.name}, {check}", ""]
            out += [f"- `{line.strip()}`" for line in relabel.render()]
    if not any(r is not None and r.render() for r in relabels.values()):
        out += ["", "None: the plugin's output equals plain mypy's on every target."]
    if len(targets) > 1 and targets[-1].name == ALL:
        for check in CHECKS:
            whole = relabels[(ALL, check)]
            parts = [relabels[(t.name, check)] for t in per_library]
            if whole is None or any(r is None for r in parts):
                continue
            union = sorted(line for r in parts if r is not None for line in r.render())
            together = sorted(whole.render())
            if union != together:
                only_all = sorted((Counter(together) - Counter(union)).elements())
                only_libs = sorted((Counter(union) - Counter(together)).elements())
                out += ["", f"Note: the run over all libraries ({check}) differs otherwise:"]
                out += [f"- only in {ALL}: `{line.strip()}`" for line in only_all]
                out += [f"- only in per-library runs: `{line.strip()}`" for line in only_libs]
    out += ["", "## Crashes", ""]
    if not crashes:
        out.append("None.")
    for name, mode, kind, run in crashes:
        out += [f"### {name}, {mode}, {kind} (exit {run.status})", "", "```"]
        out += _crash_excerpt(run.output)
        out += ["```", ""]
    notes = [note for t in targets for note in consistency_notes(t)]
    out += ["", "## Consistency", ""]
    out += [f"- {n}" for n in notes] or [
        "Every mode gave the same output in every cold run, and every warm run replayed it."
    ]
    if profile is not None:
        out += ["", "## Profile of the plugin", "", *profile]
    return "\n".join(out) + "\n"


def _crash_excerpt(output: str) -> list[str]:
    lines = output.splitlines()
    hits = [i for i, ln in enumerate(lines) if any(m in ln for m in CRASH_MARKERS)]
    start = max(0, hits[0] - 3) if hits else max(0, len(lines) - 40)
    return lines[start : start + 60]


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get(CACHE_ENV, DEFAULT_CACHE)),
        help=f"downloads, sources and the benchmark venv (default: ${CACHE_ENV} or "
        f"{DEFAULT_CACHE})",
    )
    parser.add_argument("--pairs", type=int, default=5, help="interleaved A/B pairs (default 5)")
    parser.add_argument(
        "--warm-repeats",
        type=int,
        default=3,
        help="warm runs per mode and pair; their median is the pair's warm time (default 3)",
    )
    parser.add_argument("--quick", action="store_true", help="one pair: a smoke run")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="only this library (repeatable; comma-separated lists accepted)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help="markdown report file (default benchmarks/results/latest.md); '-' for none",
    )
    parser.add_argument(
        "--mypy-version",
        help="mypy version for the benchmark venv (default: the one running this script)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also cProfile one plugin run over the last target and list the plugin's "
        "functions by cumulative time",
    )
    parser.add_argument(
        "--git-rev",
        metavar="REV",
        help="benchmark the plugin as committed at this git revision (e.g. HEAD) instead of "
        "the working tree",
    )
    parser.add_argument(
        "--no-check-untyped-defs",
        dest="check_untyped_defs",
        action="store_false",
        help="skip the untimed cold runs with check_untyped_defs = true (their diff)",
    )
    parser.add_argument("--list", action="store_true", help="list the pinned libraries and exit")
    args = parser.parse_args(argv)
    if args.quick:
        args.pairs = 1
    if args.pairs < 1 or args.warm_repeats < 1:
        parser.error("--pairs and --warm-repeats must be at least 1")
    return args


def select(only: Sequence[str]) -> list[Library]:
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    if not names:
        return list(LIBRARIES)
    by_name = {lib.dist.lower(): lib for lib in LIBRARIES}
    unknown = [n for n in names if n.lower() not in by_name]
    if unknown:
        raise SetupError(f"unknown libraries: {', '.join(unknown)} (see --list)")
    return [lib for lib in LIBRARIES if lib.dist.lower() in {n.lower() for n in names}]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for lib in LIBRARIES:
            kind = "legacy" if lib.legacy else "annotated"
            print(f"{lib.dist}=={lib.version}  ({kind}, package {lib.package})")
        return 0
    try:
        libs = select(args.only)
        cache: Path = args.cache_dir.expanduser().resolve()
        if cache.is_relative_to(REPO):
            raise SetupError(f"the cache directory must be outside the repository: {cache}")
        log(f"sources and environment in {cache}")
        unpacked = {lib.dist: fetch_sources(lib, cache) for lib in LIBRARIES}
        for lib in LIBRARIES:
            package_dir(lib, unpacked[lib.dist])
        python = prepare_venv(cache, runner_mypy_version(args.mypy_version))
    except (SetupError, subprocess.TimeoutExpired, OSError) as error:
        log(f"setup failed: {error}")
        return 2
    roots = [(unpacked[lib.dist] / lib.root).resolve() for lib in LIBRARIES]
    with tempfile.TemporaryDirectory(prefix="run-", dir=cache) as tmp:
        workdir = Path(tmp)
        env = mypy_env(workdir / "plugin")
        try:
            rev = None if args.git_rev is None else resolve_revision(args.git_rev)
            origin = plugin_origin(rev)
            snapshot, fingerprint = snapshot_plugin(workdir, rev)
            mypy_version, plugin_version = check_venv(python, env, cache / "src", snapshot)
        except (SetupError, subprocess.TimeoutExpired, OSError) as error:
            log(f"setup failed: {error}")
            return 2
        runner = Runner(python, write_configs(workdir, roots), cache / "src", env)
        targets = run_benchmark(args, libs, unpacked, runner, workdir)
        profile = None
        if args.profile:
            log("profiling the plugin run")
            profile = profile_plugin(runner, targets[-1].packages, workdir, snapshot)
    header = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "mypy": mypy_version,
        "mypy_wsplugin": f"{plugin_version}, {origin}; source snapshot sha256 {fingerprint}",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "machine": machine_description(),
        "libraries": ", ".join(f"{lib.dist} {lib.version}" for lib in libs),
    }
    report = render(targets, header, args.pairs, args.warm_repeats, profile)
    print(report, end="")
    if str(args.output) != "-":
        output: Path = args.output
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(report)
        log(f"written to {output}")
    crashed = any(run.crashed for t in targets for _, _, run in t.runs())
    relabels = [t.relabel(check) for t in targets for check in CHECKS]
    wrong = any(r is not None and not r.ok for r in relabels)
    if wrong:
        log("lines lost, invented, doubled or mistyped: see the report")
    return 1 if crashed or wrong else 0


def run_benchmark(
    args: argparse.Namespace,
    libs: Sequence[Library],
    unpacked: dict[str, Path],
    runner: Runner,
    workdir: Path,
) -> list[Target]:
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
    log("warm-up (untimed)")
    for mode in MODES:
        cache_dir = workdir / f"cache-warmup-{mode}"
        runner.run(runner.command(mode, targets[-1].packages, cache_dir, True))
        shutil.rmtree(cache_dir, ignore_errors=True)
    started = time.perf_counter()
    for target in targets:
        measure(target, runner, args.pairs, args.warm_repeats, workdir)
    log(f"measured in {time.perf_counter() - started:.0f} s")
    if args.check_untyped_defs:
        log(f"{UNTYPED}: one cold run per mode and target (untimed, for the diff)")
        for target in targets:
            measure_untyped(target, runner, workdir)
    return targets


if __name__ == "__main__":
    sys.exit(main())
