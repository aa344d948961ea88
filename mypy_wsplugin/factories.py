"""Matching full names against the configured factories (exact names and globs)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from mypy_wsplugin.config import FactoryEntry, PluginConfig


class FactoryMatcher:
    """Answers "is this full name a configured factory, and which entry?".

    mypy asks for hooks once per call site, so answers are memoised per full name.
    """

    def __init__(self, config: PluginConfig) -> None:
        self._exact: dict[str, FactoryEntry] = {}
        self._globs: list[FactoryEntry] = []
        for entry in config.factories:
            if entry.is_glob:
                self._globs.append(entry)
            else:
                self._exact.setdefault(entry.target, entry)
        self._memo: dict[str, FactoryEntry | None] = {}

    def __bool__(self) -> bool:
        return bool(self._exact or self._globs)

    def match(self, fullname: str) -> FactoryEntry | None:
        try:
            return self._memo[fullname]
        except KeyError:
            pass
        found = self._exact.get(fullname)
        if found is None:
            found = next((e for e in self._globs if fnmatchcase(fullname, e.target)), None)
        self._memo[fullname] = found
        return found
