"""The memo tables behind mypy's hook questions (``get_function_hook`` and the like):
mypy asks at every call and attribute, so each answer is a C-level dict lookup once known
(``WsPlugin._gated`` in :mod:`.plugin` installs them).

Compiled in a compiled build (``__missing__`` answers about 40k of the questions on
``make bench``'s ALL target).  The plugin, its engine and the engine's gates are reached
through the protocols below: a compiled module checks a value typed as a class at each
read, a protocol it does not (``tests/test_hook_answers.py`` hands in stand-ins).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar

from mypy.errors import Errors

if TYPE_CHECKING:
    from mypy_wsplugin.hooks import HookEntry


class _Gates(Protocol):
    """``hook_gates.HookGates``, as these tables ask it."""

    def may_be_awaited(self, fullname: str, errors: Errors) -> bool: ...

    def may_be_left_unawaited(self, fullname: str, errors: Errors) -> bool: ...


class _Engine(Protocol):
    """``hooks.Engine``, as these tables ask it."""

    @property
    def gates(self) -> _Gates: ...

    def never_awaited(self, name: str) -> bool: ...


class _Owner(Protocol):
    """``plugin.WsPlugin``, as these tables read it: the build's errors and the engine,
    once known."""

    @property
    def _errors(self) -> Errors | None: ...

    @property
    def _engine(self) -> _Engine | None: ...


_H = TypeVar("_H")
# The build's errors, HookGates.may_be_awaited and HookGates.may_be_left_unawaited.
_Ready = tuple[Errors, Callable[[str, Errors], bool], Callable[[str, Errors], bool]]

# Where a name's hook is wanted (the second item of a HookEntry): everywhere, or only in a
# function that may await a call or attribute of that name (a callee that always gives a
# plain value, an attribute), or only in one that may call it without awaiting it at once
# (a callee that always gives a coroutine).
EVERYWHERE: Final = 0
WHERE_AWAITED: Final = 1
WHERE_NOT_AWAITED: Final = 2
# The table's entry for a gated name once decided: its gate, no hook (GatedAnswers).
_MARKS: Final[dict[int, HookEntry[Any]]] = {
    WHERE_AWAITED: (None, WHERE_AWAITED),
    WHERE_NOT_AWAITED: (None, WHERE_NOT_AWAITED),
}


class GatedAnswers(dict[str, Any]):
    """name -> hook or None, for mypy's C-level lookup; see ``WsPlugin._gated``.

    For a name whose hook is wanted only where the call may be awaited (or only where it
    may be left unawaited), the table keeps only a mark (``_MARKS``), and the hook is kept
    only once the gate has given it: most such names are never awaited, and a hook object
    per name (a partial and a bound method: 10k names on ``make bench``'s ALL target) is
    what the plugin would otherwise keep alive, which brings mypy's garbage collector round
    sooner (benchmarks/findings.md).
    """

    __slots__ = ("_asked", "_gates", "_given", "_owner", "_sticky", "_table", "_where_awaited")

    def __init__(
        self, table: HookTable[HookEntry[Any]], owner: _Owner, where_awaited: bool = False
    ) -> None:
        super().__init__()
        self._table = table
        self._owner = owner
        # Every hook of this table is wanted only where awaited (attributes): a name that
        # nothing in the run awaits needs no decision at all.
        self._where_awaited = where_awaited
        self._given: dict[str, Any] = {}  # name -> hook, for gated names once given
        self._asked: set[str] = set()  # gated names already asked never_awaited
        # The gated name whose hook the last lookup gave, kept in the dict until the next
        # lookup that reaches Python: mypy asks twice for each hook it runs (to know there
        # is one, then to run it), and often at the next call of the same name.
        self._sticky: str | None = None
        # The build's errors and the gates' two questions, once the plugin knows both (it
        # finds each once per process): read here at each gated lookup, they would be five
        # lookups by name on the plugin, the engine and the gates.
        self._gates: _Ready | None = None

    def __missing__(self, name: str) -> Any:
        sticky = self._sticky
        if sticky is not None:
            self._sticky = None
            self.pop(sticky, None)
        if self._where_awaited and name not in self._asked:
            engine = self._owner._engine
            if engine is not None and self._never_awaited(engine, name):
                return None
        table = self._table
        hook, gate = table[name]
        if not gate:
            self[name] = hook
            return hook
        if hook is not None:  # just decided: the table keeps the mark, not the hook
            table[name] = _MARKS[gate]
        ready = self._gates
        if ready is None:
            owner = self._owner
            errors = owner._errors
            engine = owner._engine
            if errors is None or engine is None:
                return self._given_hook(name, hook)
            gates = engine.gates
            ready = self._gates = (errors, gates.may_be_awaited, gates.may_be_left_unawaited)
        errors, may_be_awaited, may_be_left_unawaited = ready
        if gate == WHERE_NOT_AWAITED:
            wanted = may_be_left_unawaited(name, errors)
        else:
            if name not in self._asked:
                engine = self._owner._engine
                if engine is not None and self._never_awaited(engine, name):
                    return None
            wanted = may_be_awaited(name, errors)
        if not wanted:
            return None
        given = self[name] = self._given_hook(name, hook)
        self._sticky = name
        return given

    def _never_awaited(self, engine: _Engine, name: str) -> bool:
        """Whether nothing in the run awaits ``name`` (asked once per name): then its
        answer is None, kept in the dict, and mypy's lookups of it never reach Python."""
        self._asked.add(name)
        if not engine.never_awaited(name):
            return False
        self[name] = None
        return True

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
        self._sticky = None


class HookTable(dict[str, _H]):
    """name -> hook, decided on first lookup."""

    def __init__(self, decide: Callable[[str], _H]) -> None:
        super().__init__()
        self.decide = decide

    def __missing__(self, name: str) -> _H:
        hook = self[name] = self.decide(name)
        return hook
