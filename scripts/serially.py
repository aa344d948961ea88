"""Run a command while holding an exclusive lock on a file (``fcntl.flock``).

``make test`` runs two jobs at a time; the editable installs and the build of the dist
all write ``mypy_wsplugin.egg-info`` into the source tree, so they take this lock and run
one after another.

Usage: python scripts/serially.py LOCKFILE COMMAND [ARG ...]
"""

from __future__ import annotations

import fcntl
import subprocess
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    lock, *command = sys.argv[1:]
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
