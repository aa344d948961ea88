"""What the plugin's constructor reads of the run it is in: the daemon or not, whether the
build will parse, typeshed's place, and the build's ``Errors``.

Kept Python (``setup.py``), with :mod:`.versions`: a run that finds everything in its cache
needs only these, and then never loads the compiled library.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import TypeVar

from mypy.build import BuildManager, default_data_dir
from mypy.errors import Errors
from mypy.options import Options


def is_daemon(options: Options) -> bool:
    return options.fine_grained_incremental


def in_daemon_process() -> bool:
    """Whether this process is the mypy daemon's (``mypy.dmypy_server``, every version,
    is imported there before any plugin is loaded, and by no ``mypy`` run).  Unlike
    :func:`is_daemon`, also true where ``dmypy run`` loads the plugins again to compare
    their snapshot, with options read afresh."""
    return "mypy.dmypy_server" in sys.modules


def typeshed_dir(options: Options) -> str:
    """The typeshed the build reads the standard library's stubs from, as an absolute path
    ending in a separator: ``--custom-typeshed-dir``, or the one inside mypy
    (``mypy.build.default_data_dir()``, every version; the path mypy's module finder uses).
    """
    found = options.custom_typeshed_dir or os.path.join(default_data_dir(), "typeshed")
    return os.path.join(os.path.abspath(found), "")


def errors_made_for(options: Options) -> Errors | None:
    """The ``Errors`` of the build whose global ``options`` a plugin is being constructed
    with, found from the plugin's constructor.

    mypy makes the build's ``Errors`` just before it loads the plugins, with the same
    options (``mypy.build._build`` and a ``mypy -n`` worker's ``setup_worker_manager``:
    ``Errors(options, ...)``, then ``load_plugins(options, errors, ...)``; 1.14 - 2.4).  It
    is found among the options' referrers: a scan of the heap, which then holds little
    more than mypy's own modules (about 2 ms, against 10 ms checking aiohttp and 29 ms
    checking ``make bench``'s ALL for the same scan at the first module mypy parses).
    Not in the daemon's process, where ``dmypy run`` loads the plugins again for each run,
    with the heap full of the program's trees.
    """
    return None if in_daemon_process() else holder_of(options, Errors)


def will_parse(options: Options) -> bool:
    """Whether the build is sure to parse modules: no incremental mode, or no cache yet
    (``Options.incremental``, ``Options.cache_dir``, every version).  A build with a cache
    may find every module in it and parse none."""
    return not options.incremental or not os.path.isdir(options.cache_dir)


_Holder = TypeVar("_Holder", BuildManager, Errors)


def holder_of(options: Options, kind: type[_Holder]) -> _Holder | None:
    """The object of ``kind`` whose ``options`` are ``options``, among their referrers (a
    scan of the heap; ``getattr``: a mypy whose class lacks the attribute finds nothing)."""
    for owner in gc.get_referrers(options):
        if isinstance(owner, kind) and getattr(owner, "options", None) is options:
            return owner
    return None
