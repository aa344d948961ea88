"""Matching full names against the configured factories (exact names, paths, globs).

An exact TARGET matches the definition it names: by its full name, or through the path it
gives (a re-export, an ``import ... as`` alias, a re-exported class), which mypy's symbol
tables resolve (:mod:`.facts.targets`).  A glob matches definition full names only.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from mypy.nodes import MypyFile

from mypy_wsplugin.config import FactoryEntry, PluginConfig

if TYPE_CHECKING:
    from mypy_wsplugin.facts.targets import ImportClosures, Resolved


class FactoryMatcher:
    """Answers "is this full name a configured factory, and which entry?".

    Names are matched literally and against the globs once per full name (mypy asks for
    hooks once per call site).  Paths are resolved once their module has been analysed;
    an entry not resolved yet is tried again when the module being checked changes.

    :mod:`.facts.targets` is imported on the first path to resolve: a run that finds
    everything in its cache, or has no exact entry, does not pay for it.
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
        self._closures: ImportClosures | None = None
        self._resolved: dict[str, list[tuple[FactoryEntry, Resolved]]] = {}
        self._unresolved: list[FactoryEntry] = []
        self._last_caller: MypyFile | None = None
        # Bumped when a path newly resolves (or all are forgotten): hook decisions made
        # from the name alone are then made again (see WsPlugin).
        self.generation = 0
        self.clear()

    def __bool__(self) -> bool:
        return bool(self._exact or self._globs)

    @property
    def has_paths(self) -> bool:
        """Whether any entry may name its definition through a path (any exact entry)."""
        return bool(self._exact)

    def clear(self) -> None:
        """Forget the resolved paths (the daemon re-parsed a module: a path may have moved)."""
        self._resolved = {}
        self._unresolved = list(self._exact.values())
        self._last_caller = None
        if self._closures is not None:
            self._closures.clear()
        self.generation += 1

    def refresh(self, modules: dict[str, MypyFile]) -> list[str]:
        """Resolve the entries whose paths were not resolved yet; returns the definitions
        they now name (hook decisions for them must be made again: ``generation``)."""
        from mypy_wsplugin.facts.targets import resolve_path

        reached: list[str] = []
        waiting: list[FactoryEntry] = []
        for entry in self._unresolved:
            resolved = resolve_path(entry.target, modules)
            definition = resolved.definition if resolved is not None else None
            if resolved is None or definition is None:
                waiting.append(entry)  # not analysed yet, or names no definition
            elif definition != entry.target:
                self._resolved.setdefault(definition, []).append((entry, resolved))
                reached.append(definition)
        self._unresolved = waiting
        if reached:
            self.generation += 1
        return reached

    def by_name(self, fullname: str) -> FactoryEntry | None:
        """The entry whose TARGET is ``fullname`` or a glob matching it."""
        try:
            return self._memo[fullname]
        except KeyError:
            pass
        found = self._exact.get(fullname)
        if found is None:
            found = next((e for e in self._globs if fnmatchcase(fullname, e.target)), None)
        self._memo[fullname] = found
        return found

    def reachable(self, fullname: str) -> bool:
        """Whether some entry may match ``fullname`` in some calling module (for choosing
        hooks: decided from the name and the paths resolved so far)."""
        return self.by_name(fullname) is not None or fullname in self._resolved

    def match(
        self,
        fullname: str,
        caller: MypyFile | None = None,
        modules: dict[str, MypyFile] | None = None,
    ) -> FactoryEntry | None:
        """The entry a call of the definition ``fullname`` from ``caller`` matches.

        An exact entry, by name or by a path through a module ``caller`` imports, comes
        before a glob.
        """
        named = self.by_name(fullname)
        if named is not None and not named.is_glob:
            return named
        if modules is not None and self._exact:
            if self._unresolved and caller is not self._last_caller:
                self._last_caller = caller
                self.refresh(modules)
            for entry, resolved in self._resolved.get(fullname, ()):
                if self._admissible(resolved.module, caller):
                    return entry
        return named

    def _admissible(self, where: str, caller: MypyFile | None) -> bool:
        """Whether the module ``where`` a path was resolved in is analysed whenever
        ``caller`` is checked: ``caller`` itself, or a module it imports."""
        if caller is None:
            return False
        if self._closures is None:
            from mypy_wsplugin.facts.targets import ImportClosures

            self._closures = ImportClosures()
        return where in self._closures(caller)
