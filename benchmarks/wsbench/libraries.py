"""The pinned libraries of the benchmarks, read from ``benchmarks/libraries.toml``."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsbench import SetupError

if sys.version_info >= (3, 11):
    import tomllib
else:  # the plugin's own dependency on Python < 3.11
    import tomli as tomllib

DATA = Path(__file__).resolve().parent.parent / "libraries.toml"


@dataclass(frozen=True)
class Library:
    dist: str
    version: str
    package: str
    root: str  # the directory of the sdist holding the package ("" or "src")
    legacy: bool  # lightly annotated, many unannotated ``async def``s
    sha256: str


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{DATA}: {key} must be a list of strings")
    return tuple(value)


def _library(entry: object) -> Library:
    fields = {"dist": str, "version": str, "package": str, "root": str, "legacy": bool}
    fields["sha256"] = str
    if not isinstance(entry, dict) or set(entry) != set(fields):
        raise ValueError(f"{DATA}: a [[library]] needs exactly {', '.join(fields)}: {entry}")
    for key, kind in fields.items():
        if not isinstance(entry[key], kind):
            raise ValueError(f"{DATA}: {key} of {entry.get('dist')} must be a {kind.__name__}")
    return Library(**entry)


def load(path: Path = DATA) -> tuple[tuple[Library, ...], tuple[str, ...], tuple[str, ...]]:
    """The libraries, the benchmark venv's dependencies and those for Python < 3.11."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    libraries = tuple(_library(entry) for entry in data.get("library", []))
    return libraries, _strings(data, "dependencies"), _strings(data, "old_python_dependencies")


LIBRARIES, DEPENDENCIES, OLD_PYTHON_DEPENDENCIES = load()


def select(only: Sequence[str]) -> list[Library]:
    """The libraries named in ``only`` (repeatable, comma-separated; all without any)."""
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    if not names:
        return list(LIBRARIES)
    by_name = {lib.dist.lower(): lib for lib in LIBRARIES}
    unknown = [n for n in names if n.lower() not in by_name]
    if unknown:
        raise SetupError(f"unknown libraries: {', '.join(unknown)} (see --list)")
    return [lib for lib in LIBRARIES if lib.dist.lower() in {n.lower() for n in names}]


def describe(lib: Library) -> str:
    """The ``--list`` line of ``lib``."""
    kind = "legacy" if lib.legacy else "annotated"
    return f"{lib.dist}=={lib.version}  ({kind}, package {lib.package})"
