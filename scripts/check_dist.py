"""``make dist``'s check of the built wheel and sdist (after ``twine check``).

* the wheel is the pure-Python one (``py3-none-any``, no compiled module: the default build,
  without ``MYPY_WSPLUGIN_USE_MYPYC=1``), holds the package with its ``cli`` subpackage,
  ``py.typed``, the license and the ``mypy-wsplugin`` entry point, and declares the MIT
  license expression;
* the sdist holds the license, changelog, docs, example, tests and test data, and no caches;
* the sdist's tests run: unpacked into a temporary directory, ``python -m pytest`` collects
  the whole suite there and runs its fast part (the whole suite runs in ``make pytest``;
  running it a third time here would double ``make test``).

Usage: python scripts/check_dist.py DIST_DIR
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# Fast, mypy-light tests run from the unpacked sdist; the rest is only collected there.
SDIST_TESTS = [
    "tests/test_cli.py",
    "tests/test_config.py",
    "tests/test_edits.py",
    "tests/test_fix_plan.py",
    "tests/test_example_runtime.py",
]
WHEEL_FILES = [
    "mypy_wsplugin/__init__.py",
    "mypy_wsplugin/py.typed",
    *(
        f"mypy_wsplugin/cli/{name}.py"
        for name in (
            "__init__", "changes", "codes", "diffs", "edits", "fix", "mypy_config",
            "overrides", "packages", "plan", "report", "run_mypy", "show_config", "sources",
        )
    ),
]  # fmt: skip
SDIST_FILES = [
    "LICENSE",
    "CHANGELOG.md",
    "README.md",
    "pyproject.toml",
    "setup.py",
    "conftest.py",
    ".pre-commit-hooks.yaml",
    "Makefile",
    "scripts/check_dist.py",
    "mypy.ini",
    "docs/rolling-out.md",
    "docs/error-codes.md",
    "docs/error-codes/await-not-awaitable.md",
    "docs/error-codes/missing-await.md",
    "docs/configuration.md",
    "examples/demo.sh",
    "examples/chat_service/README.md",
    "examples/chat_service/mypy.ini",
    "benchmarks/findings.md",
    "benchmarks/results/latest.md",
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/forked_mypy.py",
    "tests/mypy_zygote.py",
    "test-data/conftest.py",
    "test-data/base.ini",
    "test-data/missing_await/test_conditions.yml",
]


def fail(message: str) -> None:
    print(f"check_dist: error: {message}", file=sys.stderr)
    sys.exit(1)


def only(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    if len(found) != 1:
        fail(f"expected one {pattern} in {dist}, found {[p.name for p in found]}")
    return found[0]


def check_wheel(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    missing = [name for name in [*WHEEL_FILES, f"{info}/licenses/LICENSE"] if name not in names]
    if missing:
        fail(f"{wheel.name} lacks {missing}")
    if "License-Expression: MIT" not in metadata or "Requires-Dist: libcst" not in metadata:
        fail(f"{wheel.name}: METADATA lacks the MIT license expression or libcst")
    compiled = sorted(n for n in names if n.endswith((".so", ".pyd")))
    if compiled or not wheel.name.endswith("-py3-none-any.whl"):
        fail(f"{wheel.name}: not the pure-Python wheel (compiled: {compiled[:3]})")
    if "mypy-wsplugin = mypy_wsplugin.cli:main" not in entry_points:
        fail(f"{wheel.name}: no mypy-wsplugin entry point")
    print(f"check_dist: {wheel.name}: {len(names)} files, license, entry point: ok")


def check_sdist(sdist: Path) -> None:
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        with tempfile.TemporaryDirectory() as tmp:
            archive.extractall(tmp, filter="data")
            root = next(Path(tmp).iterdir())
            missing = [name for name in SDIST_FILES if name not in names]
            if missing:
                fail(f"{sdist.name} lacks {missing}")
            junk = sorted(n for n in names if "__pycache__" in n or ".mypy_cache" in n)
            if junk:
                fail(f"{sdist.name} holds caches: {junk[:5]}")
            print(f"check_dist: {sdist.name}: {len(names)} files, license, docs, tests: ok")
            run_tests(root)


def run_tests(root: Path) -> None:
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    collected = subprocess.run(
        [*pytest, "--collect-only", "-q"], cwd=root, capture_output=True, text=True
    )
    summary = collected.stdout.strip().splitlines()[-1] if collected.stdout.strip() else ""
    if collected.returncode != 0 or "collected" not in summary:
        fail(f"the sdist's tests do not collect:\n{collected.stdout}{collected.stderr}")
    print(f"check_dist: unpacked sdist: {summary}")
    # In this process (-n 0): the tests take about 2 s, and starting two xdist workers for
    # them cost more (make dist: 18.7 s of CPU with them, 13.3 s without).
    ran = subprocess.run([*pytest, "-q", "-n", "0", *SDIST_TESTS], cwd=root)
    if ran.returncode != 0:
        fail("the sdist's tests fail")


def main() -> None:
    dist = Path(sys.argv[1])
    check_wheel(only(dist, "*.whl"))
    check_sdist(only(dist, "*.tar.gz"))


if __name__ == "__main__":
    main()
