"""The files ``fix`` may edit: which ones, what they held before mypy ran, safe writes.

Before mypy runs, every Python file under the given paths is recorded (modification
time, size, SHA-256 of its bytes).  A file is edited only if it still holds exactly those
bytes, and written atomically: a temporary file in the same directory, then a rename, after
checking once more that nothing changed in between.  Its permission bits are kept.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

PYTHON_SUFFIXES: Final = (".py", ".pyi")
# Directories never walked into: caches, version control, virtual environments.
SKIPPED_DIRS: Final = frozenset({"__pycache__", "node_modules", "site-packages"})


class ChangedError(Exception):
    """The file no longer holds what mypy checked."""


@dataclass(frozen=True)
class Snapshot:
    mtime_ns: int
    size: int
    digest: str

    @classmethod
    def of(cls, path: Path) -> Snapshot:
        data = path.read_bytes()
        info = path.stat()
        return cls(info.st_mtime_ns, info.st_size, _digest(data))

    def matches(self, path: Path, data: bytes) -> bool:
        info = path.stat()
        return (
            info.st_mtime_ns == self.mtime_ns
            and info.st_size == self.size
            and _digest(data) == self.digest
        )


@dataclass(frozen=True)
class Scope:
    """The paths given on the command line (the working directory if none): nothing
    outside them is written."""

    roots: tuple[Path, ...]
    # The same paths as written (absolute, links not followed): a file mypy names under one
    # of them is a finding there, also where it is a link to a file outside (not written).
    written: tuple[Path, ...] = ()

    @classmethod
    def of(cls, paths: Sequence[str]) -> Scope:
        given = list(paths) or [os.curdir]
        return cls(
            tuple(Path(p).resolve() for p in given), tuple(Path(os.path.abspath(p)) for p in given)
        )

    def contains(self, path: Path) -> bool:
        """Whether ``path`` (with links followed) is in the scope: it may be written."""
        return _under(path, self.roots)

    def names(self, cwd: Path, shown: str) -> bool:
        """Whether the file mypy shows as ``shown`` is under the paths as given (or, with
        links followed, in the scope): its findings are the command's."""
        return _under(Path(os.path.abspath(cwd / shown)), self.written) or self.contains(
            (cwd / shown).resolve()
        )

    def python_files(self) -> Iterator[Path]:
        for root in self.roots:
            if root.is_file():
                yield root
            elif root.is_dir():
                yield from _walk(root)


def _under(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def snapshot(scope: Scope, also: Iterable[str] = ()) -> dict[Path, Snapshot]:
    """What every Python file in ``scope`` (and each of ``also`` inside it) holds now."""
    files = {path.resolve() for path in scope.python_files()}
    files.update(p for p in (Path(name).resolve() for name in also) if scope.contains(p))
    taken: dict[Path, Snapshot] = {}
    for path in sorted(files):
        try:
            taken[path] = Snapshot.of(path)
        except OSError:
            continue
    return taken


def write_atomic(path: Path, data: bytes, before: Snapshot) -> None:
    """Replace ``path`` with ``data`` if it still holds what ``before`` recorded."""
    if not before.matches(path, path.read_bytes()):
        raise ChangedError(str(path))
    mode = stat.S_IMODE(path.stat().st_mode)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        if not before.matches(path, path.read_bytes()):
            raise ChangedError(str(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _walk(root: Path) -> Iterator[Path]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(
            name
            for name in subdirs
            if not name.startswith(".")
            and name not in SKIPPED_DIRS
            and not (Path(directory, name) / "pyvenv.cfg").exists()
        )
        for name in sorted(files):
            if name.endswith(PYTHON_SUFFIXES):
                yield Path(directory, name)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
