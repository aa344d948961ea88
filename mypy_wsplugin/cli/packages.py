"""Which package a file belongs to, as mypy names its module.

Module names come from mypy's own source discovery: the targets it was given (with the
names its option processing found for them), and for any other file (one reached by
following imports) :class:`mypy.find_sources.SourceFinder`, which walks up the
``__init__.py`` files the way mypy does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from mypy.find_sources import SourceFinder
from mypy.fscache import FileSystemCache
from mypy.modulefinder import BuildSource
from mypy.options import Options


class ModuleNames:
    def __init__(self, sources: Iterable[BuildSource], options: Options) -> None:
        self._known = {
            os.path.realpath(source.path): source.module for source in sources if source.path
        }
        self._finder = SourceFinder(FileSystemCache(), options)

    def module(self, path: str) -> str:
        real = os.path.realpath(path)
        known = self._known.get(real)
        if known is None:
            known = self._known[real] = self._finder.crawl_up(real)[0]
        return known

    def modules(self) -> list[str]:
        return sorted(set(self._known.values()))


def package(module: str, depth: int) -> str:
    """The first ``depth`` parts of ``module``: ``app.api.views`` at depth 2 is ``app.api``."""
    return ".".join(module.split(".")[:depth])
