"""The benchmarks' environment, in a cache directory outside the repository.

The pinned sdists downloaded (``pip download``, sha256-checked) and unpacked; the benchmark
venv (mypy, the typed dependencies, the plugin installed editable); and, for each run, a
snapshot of the plugin's source that every mypy of the run imports (``PYTHONPATH``), built
as ``--build`` says (compiled with mypyc by the repository's ``setup.py``, as a compiled
wheel is, or pure Python) and checked to be the one, and the build, the venv's mypy loads.
Also what the entry scripts share: their common options and the preparation of all that.
"""

from __future__ import annotations

import argparse
import compileall
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from wsbench import REPO, RUN_TIMEOUT, SetupError, log
from wsbench.libraries import (
    DEPENDENCIES,
    LIBRARIES,
    OLD_PYTHON_DEPENDENCIES,
    Library,
    describe,
    select,
)

CACHE_ENV = "MYPY_WSPLUGIN_BENCH_CACHE"
DEFAULT_CACHE = Path.home() / ".cache" / "mypy_wsplugin_bench"
FALLBACK_MYPY = "2.4.1"
# The repository's files a build of the plugin reads besides the package (setup.py reads
# pyproject.toml, which names the readme and the license).
BUILD_FILES = ("setup.py", "pyproject.toml", "README.md", "LICENSE")
# What the compiled build needs of the venv (pyproject's [build-system]; mypyc comes with mypy).
BUILD_REQUIREMENTS = ("setuptools>=77",)
BUILDS = ("compiled", "pure")
# What a setup step raises: exit status 2.
SETUP_ERRORS = (SetupError, subprocess.TimeoutExpired, OSError)


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
    archive = _download(lib, cache)
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


def _download(lib: Library, cache: Path) -> Path:
    """``lib``'s sdist in the cache, downloaded unless there with the right sha256."""
    download_dir = cache / "sdists" / f"{lib.dist}-{lib.version}"
    archives = sorted(download_dir.glob("*")) if download_dir.is_dir() else []
    if len(archives) == 1 and sha256_of(archives[0]) == lib.sha256:
        return archives[0]
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
    return archives[0]


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
        "build": list(BUILD_REQUIREMENTS),
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
    run_checked([*pip, f"mypy=={mypy_version}", *BUILD_REQUIREMENTS], "pip install mypy")
    run_checked([*pip, "--no-deps", "--only-binary", ":all:", *deps], "pip install deps")
    run_checked([*pip, "--no-deps", "--editable", str(REPO)], "pip install the plugin")
    stamp_file.write_text(json.dumps(stamp, indent=1) + "\n")
    return python


def snapshot_plugin(workdir: Path, rev: str | None, build: str, python: Path) -> tuple[Path, str]:
    """Copy the plugin's source for this run and build it; return the copy's parent and a
    fingerprint of the source.

    Every mypy of the run imports the plugin from this copy (``PYTHONPATH``), so an edit of the
    working tree while the benchmark runs cannot mix two versions of the plugin in one report.
    The copy is of the working tree, or with ``rev`` of that git revision.  ``build``
    ``compiled``: the copy's modules are compiled in place by its ``setup.py`` with
    ``MYPY_WSPLUGIN_USE_MYPYC=1`` and the venv's mypyc (what a compiled wheel holds);
    ``pure``: byte-compiled only.
    """
    parent = workdir / "plugin"
    paths = ["mypy_wsplugin", *BUILD_FILES]
    if rev is None:
        shutil.copytree(
            REPO / "mypy_wsplugin",
            parent / "mypy_wsplugin",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.so"),
        )
        for name in BUILD_FILES:
            shutil.copy2(REPO / name, parent / name)
    else:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", rev, *paths],
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
    for path in sorted([*(parent / "mypy_wsplugin").rglob("*"), parent / "setup.py"]):
        if path.is_file():
            digest.update(path.relative_to(parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    if build == "compiled":
        log("  compiling the plugin with mypyc (setup.py, MYPY_WSPLUGIN_USE_MYPYC=1)")
        result = subprocess.run(
            [str(python), "setup.py", "-q", "build_ext", "--inplace"],
            cwd=parent,
            env={**os.environ, "MYPY_WSPLUGIN_USE_MYPYC": "1"},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise SetupError(
                "compiling the plugin failed (without a C compiler and Python's headers, "
                f"--build pure measures the source):\n{result.stdout}{result.stderr}"
            )
    # Byte-compile the copy, as pip does on install: otherwise, where the environment sets
    # PYTHONDONTWRITEBYTECODE, every mypy run would compile the plugin's source again and
    # the timings would measure that instead of the plugin.
    compileall.compile_dir(parent / "mypy_wsplugin", quiet=1)
    return parent, digest.hexdigest()[:12]


def check_venv(
    python: Path, env: dict[str, str], cwd: Path, snapshot: Path, build: str
) -> tuple[str, str]:
    """The mypy version and plugin version that the runs will use; the plugin must be the
    snapshot of this repository's, in the build asked for."""
    result = subprocess.run(
        [
            str(python),
            "-c",
            "import mypy.version, mypy_wsplugin, mypy_wsplugin.hooks; "
            "print(mypy.version.__version__); print(mypy_wsplugin.__version__); "
            "print(mypy_wsplugin.__file__); print(mypy_wsplugin.hooks.__file__)",
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
    mypy_version, plugin_version, plugin_file, hooks_file = result.stdout.strip().splitlines()[-4:]
    if not Path(plugin_file).resolve().is_relative_to(snapshot.resolve()):
        raise SetupError(f"the runs would use the plugin at {plugin_file}, not {snapshot}")
    if hooks_file.endswith(".py") != (build == "pure"):
        raise SetupError(f"the {build} build was asked for, but mypy imports {hooks_file}")
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


# -- shared by the entry scripts --------------------------------------------------------------


def mypy_env(plugin_snapshot: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("MYPYPATH", "MYPY_CACHE_DIR", "MYPY_FORCE_COLOR"):
        env.pop(name, None)
    env["PYTHONPATH"] = str(plugin_snapshot)
    return env


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """``--cache-dir``, ``--only``, ``--mypy-version``, ``--git-rev`` and ``--list``."""
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get(CACHE_ENV, DEFAULT_CACHE)),
        help=f"downloads, sources and the benchmark venv (default: ${CACHE_ENV} or "
        f"{DEFAULT_CACHE})",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="only this library (repeatable; comma-separated lists accepted)",
    )
    parser.add_argument(
        "--mypy-version",
        help="mypy version for the benchmark venv (default: the one running this script)",
    )
    parser.add_argument(
        "--git-rev",
        metavar="REV",
        help="benchmark the plugin as committed at this git revision (e.g. HEAD) instead of "
        "the working tree",
    )
    parser.add_argument(
        "--build",
        choices=BUILDS,
        default="compiled",
        help="the plugin compiled with mypyc by its setup.py, as a compiled wheel is "
        "(default), or pure Python, as the fallback wheel is",
    )
    parser.add_argument("--list", action="store_true", help="list the pinned libraries and exit")


@dataclass(frozen=True)
class Prepared:
    """The selected libraries, and every pinned library's sources and the venv, ready."""

    libs: list[Library]
    cache: Path
    unpacked: dict[str, Path]  # by dist name: every pinned library's unpacked sdist
    python: Path  # the benchmark venv's interpreter


def prepare(args: argparse.Namespace) -> Prepared:
    """Select the libraries (``--only``), fetch every pinned library's sources and prepare
    the venv in the cache directory (``--cache-dir``, ``--mypy-version``)."""
    libs = select(args.only)
    cache = cache_directory(args.cache_dir)
    log(f"sources and environment in {cache}")
    unpacked = prepare_sources(cache)
    python = prepare_venv(cache, runner_mypy_version(args.mypy_version))
    return Prepared(libs, cache, unpacked, python)


def cache_directory(path: Path) -> Path:
    """``--cache-dir``, resolved; it must be outside the repository."""
    cache = path.expanduser().resolve()
    if cache.is_relative_to(REPO):
        raise SetupError(f"the cache directory must be outside the repository: {cache}")
    return cache


def prepare_sources(cache: Path) -> dict[str, Path]:
    """Every pinned library fetched and unpacked (all are on ``mypy_path`` in every run):
    its unpacked directory by dist name."""
    unpacked = {lib.dist: fetch_sources(lib, cache) for lib in LIBRARIES}
    for lib in LIBRARIES:
        package_dir(lib, unpacked[lib.dist])
    return unpacked


def source_roots(unpacked: dict[str, Path]) -> list[Path]:
    """The directories holding the libraries' packages, in the pinned order."""
    return [(unpacked[lib.dist] / lib.root).resolve() for lib in LIBRARIES]


@dataclass(frozen=True)
class Plugin:
    """The plugin every mypy of a run imports: a snapshot of its source, built."""

    snapshot: Path  # the parent directory of the copy of ``mypy_wsplugin/``
    fingerprint: str  # sha256 of the copy's source (12 hex digits)
    origin: str  # the working tree or a commit, for the report
    build: str  # "compiled" (mypyc) or "pure"
    env: dict[str, str]  # the environment of every mypy: the snapshot first on PYTHONPATH
    mypy_version: str
    plugin_version: str


def prepare_plugin(
    workdir: Path, python: Path, cache: Path, git_rev: str | None, build: str
) -> Plugin:
    """Snapshot the plugin (working tree, or ``git_rev``) into ``workdir``, build it
    (``build``) and check that the venv's mypy imports the snapshot."""
    env = mypy_env(workdir / "plugin")
    rev = None if git_rev is None else resolve_revision(git_rev)
    origin = plugin_origin(rev)
    snapshot, fingerprint = snapshot_plugin(workdir, rev, build, python)
    mypy_version, plugin_version = check_venv(python, env, cache / "src", snapshot, build)
    return Plugin(snapshot, fingerprint, origin, build, env, mypy_version, plugin_version)


def list_or_prepare(args: argparse.Namespace) -> Prepared | int:
    """``--list``: print the pinned libraries (exit status 0); else :func:`prepare` (exit
    status 2 when setting up fails)."""
    if args.list:
        for lib in LIBRARIES:
            print(describe(lib))
        return 0
    try:
        return prepare(args)
    except SETUP_ERRORS as error:
        log(f"setup failed: {error}")
        return 2
