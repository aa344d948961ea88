"""The memo tables behind mypy's hook questions (``get_function_hook`` and the like):
mypy asks at every call and attribute, so each answer is a C-level dict lookup once known
(``WsPlugin._gated`` in :mod:`.plugin` installs them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from mypy_wsplugin.hooks import HookEntry
    from mypy_wsplugin.plugin import WsPlugin

_H = TypeVar("_H")
_GATED: HookEntry[Any] = (None, True)  # a hook wanted only where awaited (GatedAnswers)


class GatedAnswers(dict[str, Any]):
    """name -> hook or None, for mypy's C-level lookup; see ``WsPlugin._gated``.

    For a name whose hook is wanted only where the call may be awaited, the table keeps
    only a mark (``_GATED``), and the hook is kept only once the gate has given it: most
    such names are never awaited, and a hook object per name (a partial and a bound
    method: 10k names on ``make bench``'s ALL target) is what the plugin would otherwise
    keep alive, which brings mypy's garbage collector round sooner (benchmarks/findings.md).
    """

    __slots__ = ("_asked", "_given", "_owner", "_table")

    def __init__(self, table: HookTable[HookEntry[Any]], owner: WsPlugin) -> None:
        super().__init__()
        self._table = table
        self._owner = owner
        self._given: dict[str, Any] = {}  # name -> hook, for gated names once given
        self._asked: set[str] = set()  # gated names already asked Engine.never_awaited

    def __missing__(self, name: str) -> Any:
        table = self._table
        hook, only_where_awaited = table[name]
        if not only_where_awaited:
            self[name] = hook
            return hook
        if hook is not None:  # just decided: the table keeps the mark, not the hook
            table[name] = _GATED
        owner = self._owner
        errors = owner._errors
        engine = owner._engine
        if engine is not None and name not in self._asked:
            self._asked.add(name)
            if engine.never_awaited(name):
                self[name] = None  # awaited nowhere: asked again, answered at C speed
                return None
        if errors is None or engine is None or engine.may_be_awaited(name, errors):
            return self._given_hook(name, hook)
        return None

    def _given_hook(self, name: str, decided: Any) -> Any:
        """The hook for a gated name where the gate gives it: the one just decided, or
        decided again (once: then kept, for the few names awaited somewhere)."""
        hook = self._given.get(name)
        if hook is None:
            hook = decided if decided is not None else self._table.decide(name)[0]
            self._given[name] = hook
        return hook

    def forget(self) -> None:
        self.clear()
        self._given.clear()
        self._asked.clear()


class HookTable(dict[str, _H]):
    """name -> hook, decided on first lookup."""

    def __init__(self, decide: Callable[[str], _H]) -> None:
        super().__init__()
        self.decide = decide

    def __missing__(self, name: str) -> _H:
        hook = self[name] = self.decide(name)
        return hook
