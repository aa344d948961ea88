"""The benchmarks' shared machinery: ``make bench`` (``benchmarks/realworld.py``) and
``make recall`` (``benchmarks/recall.py``) on the pinned libraries of
``benchmarks/libraries.toml``.

- :mod:`wsbench.libraries`: the pinned library list (data in ``benchmarks/libraries.toml``);
- :mod:`wsbench.setup`: sources and the benchmark venv in the cache directory, and the
  snapshot of the plugin's source that every run imports;
- :mod:`wsbench.shape`: the size of a library (files, lines, ``async def``s, unannotated);
- :mod:`wsbench.measure`: running mypy (configurations, timings, peak RSS, targets);
- :mod:`wsbench.diff`: comparing outputs (``tests/relabel.py``'s classification, plugin-coded
  lines, the errors a mutation brought into a function's line range);
- :mod:`wsbench.report`: the markdown report of ``make bench`` (and the environment header);
- :mod:`wsbench.resolve`, :mod:`wsbench.candidates`: where ``make recall`` can seed a
  mutation (``ast`` and a simple name resolution within a library);
- :mod:`wsbench.mutate`: choosing the mutations (fixed seed) and applying them (libcst);
- :mod:`wsbench.checkers`: ``make recall``'s checkers (mypy, pyright, the plugin);
- :mod:`wsbench.recall_report`: scoring the mutations, ``make recall``'s report.

The entry scripts run as ``python benchmarks/NAME.py`` (this package is found beside them);
the repository root goes on ``sys.path`` here, for ``tests.relabel``.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:  # the classifier shared with the tests: tests/relabel.py
    sys.path.insert(0, str(REPO))

RUN_TIMEOUT = 1800.0


class SetupError(Exception):
    """A setup failure (download, checksum, virtual environment, options): exit status 2."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
