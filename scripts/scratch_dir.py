"""A new directory for one run of the test suite's temporary files; prints its path.

The suite writes and deletes many small files: its projects, mypy's caches (SQLite ones on
the newest mypy), the daemons' status files and sockets.  On a tmpfs that costs less than
on a disk's file system: the edit sequences took about 6 % less time and a fifth less
system time than on ext4 (two runs side by side, one on each; benchmarks/findings.md,
session 63).  So the directory is made under ``/dev/shm`` where that has room for a run and
the machine the memory (with a passed test's ``tmp_path`` removed when it ends,
pyproject.toml, the newest suite's files peak at about 200 MB); else in the default
temporary directory.  ``make pytest`` and ``make pytest-floor`` pass it as ``TMPDIR``, and
remove it when the suite passes, with whatever a test left in it (a killed daemon leaves
its socket's directory); a failed suite's is kept and named.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Final

TMPFS: Final = Path("/dev/shm")
MIN_TMPFS_FREE: Final = 2**30
MIN_MEMORY_AVAILABLE: Final = 4 * 2**30


def memory_available() -> int:
    """``MemAvailable`` of ``/proc/meminfo`` in bytes; 0 where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            name, _, value = line.partition(":")
            if name == "MemAvailable":
                return int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def roomy_tmpfs() -> Path | None:
    """``/dev/shm`` where it is writable, has room and the memory behind it; else None."""
    try:
        roomy = shutil.disk_usage(TMPFS).free >= MIN_TMPFS_FREE and os.access(TMPFS, os.W_OK)
    except OSError:
        return None
    return TMPFS if roomy and memory_available() >= MIN_MEMORY_AVAILABLE else None


def main() -> None:
    print(tempfile.mkdtemp(prefix="wsplugin-suite-", dir=roomy_tmpfs()))


if __name__ == "__main__":
    main()
