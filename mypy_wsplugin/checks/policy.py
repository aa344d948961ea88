"""Which check applies to a callee: the one place that reads ``check_all_awaits``.

Asked by the hooks (checked code) and by the pass after type checking (unannotated code,
unseen modules) alike, so both judge a callee the same way.
"""

from __future__ import annotations

from mypy.nodes import MypyFile

from mypy_wsplugin.config import FactoryEntry, PluginConfig
from mypy_wsplugin.factories import FactoryMatcher


class CheckPolicy:
    def __init__(self, config: PluginConfig, matcher: FactoryMatcher) -> None:
        self._check_all = config.check_all_awaits
        self._matcher = matcher

    @property
    def active(self) -> bool:
        """Whether any callee can be judged at all."""
        return self._check_all or bool(self._matcher)

    @property
    def has_factories(self) -> bool:
        """Whether any factory is configured (they are judged even where mypy sees Any)."""
        return bool(self._matcher)

    def entry(
        self,
        fullname: str,
        caller: MypyFile | None = None,
        modules: dict[str, MypyFile] | None = None,
    ) -> FactoryEntry | None:
        """The configuration entry a use of the definition ``fullname`` in the module
        ``caller`` matches, if any (by name, glob, or a path that module can see)."""
        return self._matcher.match(fullname, caller, modules)

    def hooked(self, fullname: str) -> bool:
        """Whether calls of ``fullname`` need a hook (decided from the name and the paths
        resolved so far, see ``FactoryMatcher.generation``)."""
        return self._check_all or self._matcher.reachable(fullname)

    @property
    def hooks_follow_paths(self) -> bool:
        """Whether the hook decisions depend on resolved paths (not only on the name)."""
        return not self._check_all and self._matcher.has_paths

    def judges_all(self) -> bool:
        """Whether every callee mypy types is judged (``check_all_awaits``), configured or
        not."""
        return self._check_all

    def judged(self, entry: FactoryEntry | None, unseen: bool = False) -> bool:
        """Whether a callee is judged at all.  One that mypy cannot see (``unseen``) is
        ``Any``: only its configuration entry says anything about it."""
        return entry is not None or (self._check_all and not unseen)

    def await_check(self, entry: FactoryEntry | None, is_async: bool) -> bool:
        """Whether awaiting this callee's result is checked (``await-not-awaitable``)."""
        if is_async:
            return False
        return self._check_all or (entry is not None and not entry.is_async)

    def function_awaited_check(self) -> bool:
        """Whether awaiting a function itself, not a call of it, is checked (``await f``:
        a function is never awaitable)."""
        return self._check_all

    def misuse_check(self, entry: FactoryEntry | None, is_async: bool) -> bool:
        """Whether a coroutine from this callee used without ``await`` is checked."""
        if not is_async:
            return False
        return self._check_all or (entry is not None and entry.is_async)

    def infers_any(self) -> bool:
        """Whether a call mypy types as ``Any`` is looked into (its definition may say
        more: an unannotated ``async def`` on mypy < 2.0, a plain unannotated def)."""
        return self._check_all
