"""``hook_tables.GatedAnswers``: what the answers to mypy's hook questions keep alive.

A hook wanted only where a call may be awaited is kept in the table as a shared mark, and
made when the gate first gives it: a large program asks about some 10k such names, and a
hook object per name kept mypy's garbage collector busy (benchmarks/findings.md).  The
findings themselves are the YAML cases' and the edit sequences' business.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from mypy.errors import Errors
from mypy.options import Options

from mypy_wsplugin.hook_tables import (
    EVERYWHERE,
    WHERE_AWAITED,
    WHERE_NOT_AWAITED,
    GatedAnswers,
    HookTable,
)
from mypy_wsplugin.plugin import WsPlugin


class _Gate:
    def __init__(self, awaited: set[str], anywhere: set[str] | None = None) -> None:
        self.awaited = awaited
        self.anywhere = anywhere  # the names awaited in the program; None: not known
        self.asked: list[str] = []
        self.asked_anywhere: list[str] = []
        self.gates = self  # the engine's gates: this fake answers for both
        self.unawaited: set[str] = set()  # names the function calls without await
        self.asked_unawaited: list[str] = []
        self.decided: list[str] = []

    def may_be_left_unawaited(self, fullname: str, errors: Errors) -> bool:
        self.asked_unawaited.append(fullname)
        return fullname in self.unawaited

    def never_awaited(self, fullname: str) -> bool:
        self.asked_anywhere.append(fullname)
        return self.anywhere is not None and fullname not in self.anywhere

    def may_be_awaited(self, fullname: str, errors: Errors) -> bool:
        self.asked.append(fullname)
        return fullname in self.awaited


def _answers(
    gated: bool | int,
    awaited: set[str],
    anywhere: set[str] | None = None,
    where_awaited: bool = False,
) -> tuple[GatedAnswers, HookTable[Any], _Gate]:
    gate = _Gate(awaited, anywhere)

    def decide(name: str) -> tuple[object, int]:
        gate.decided.append(name)
        return (lambda ctx: name), int(gated)

    table: HookTable[Any] = HookTable(decide)
    owner = cast(WsPlugin, SimpleNamespace(_errors=Errors(Options()), _engine=gate))
    return GatedAnswers(table, owner, where_awaited), table, gate


def test_a_gated_name_keeps_only_the_mark_where_the_gate_gives_no_hook() -> None:
    answers, table, gate = _answers(gated=True, awaited=set())
    assert answers["m.f"] is None
    assert answers["m.f"] is None
    assert table["m.f"] == (None, WHERE_AWAITED)
    assert "m.f" not in answers  # the answer depends on the function checked: asked again
    assert gate.asked == ["m.f", "m.f"]


def test_a_gated_hook_is_made_once_where_given_and_again_after_forget() -> None:
    answers, table, gate = _answers(gated=True, awaited={"m.f"})
    hook = answers["m.f"]
    assert hook is not None and hook(None) == "m.f"
    assert answers["m.f"] is hook
    assert table["m.f"] == (None, WHERE_AWAITED)
    assert gate.decided == ["m.f"]
    answers.forget()
    table.clear()
    again = answers["m.f"]
    assert again is not None and again is not hook
    assert gate.decided == ["m.f", "m.f"]


def test_a_hook_wanted_everywhere_is_kept_and_answered_without_the_gate() -> None:
    answers, table, gate = _answers(gated=False, awaited=set())
    hook = answers["m.f"]
    assert hook is not None
    assert answers["m.f"] is hook
    assert dict.get(answers, "m.f") is hook  # kept for mypy's C-level lookup
    assert table["m.f"] == (hook, EVERYWHERE)
    assert gate.asked == []


def test_a_gated_name_awaited_nowhere_is_answered_none_at_c_speed_until_forget() -> None:
    answers, _, gate = _answers(gated=True, awaited=set(), anywhere={"m.g"})
    assert answers["m.f"] is None
    assert answers["m.f"] is None
    assert dict.get(answers, "m.f", "absent") is None  # kept: mypy's lookup stays in C
    assert gate.asked == []  # the gate is never consulted for it
    assert gate.asked_anywhere == ["m.f"]
    answers.forget()
    assert answers["m.f"] is None
    assert gate.asked_anywhere == ["m.f", "m.f"]  # a module was parsed: asked again


def test_a_gated_name_awaited_somewhere_goes_to_the_gate_at_each_lookup() -> None:
    answers, _, gate = _answers(gated=True, awaited=set(), anywhere={"m.f"})
    assert answers["m.f"] is None
    assert answers["m.f"] is None
    assert "m.f" not in answers
    assert gate.asked == ["m.f", "m.f"]
    assert gate.asked_anywhere == ["m.f"]  # asked once per name


def test_where_the_program_is_not_known_every_lookup_goes_to_the_gate() -> None:
    answers, _, gate = _answers(gated=True, awaited={"m.f"}, anywhere=None)
    assert answers["m.f"] is not None
    assert answers["m.g"] is None
    assert answers["m.g"] is None
    assert gate.asked == ["m.f", "m.g", "m.g"]


def test_a_coroutine_callee_gets_its_hook_only_where_a_call_of_it_may_be_left_unawaited() -> None:
    answers, table, gate = _answers(gated=WHERE_NOT_AWAITED, awaited={"m.f"}, anywhere=set())
    assert answers["m.f"] is None  # awaited (or not called) at once in this function
    assert table["m.f"] == (None, WHERE_NOT_AWAITED)
    gate.unawaited.add("m.f")
    hook = answers["m.f"]
    assert hook is not None and hook(None) == "m.f"
    assert gate.asked_unawaited == ["m.f", "m.f"]
    assert gate.asked == [] and gate.asked_anywhere == []  # the other gate is not asked


def test_a_given_hook_stays_in_the_dict_until_the_next_lookup_that_reaches_python() -> None:
    answers, _, gate = _answers(gated=True, awaited={"m.f"})
    hook = answers["m.f"]
    assert hook is not None
    assert answers["m.f"] is hook  # mypy's second question for the same call: in C
    assert gate.asked == ["m.f"]
    gate.awaited.clear()
    assert answers["m.g"] is None  # the next lookup in Python drops it
    assert "m.f" not in answers
    assert answers["m.f"] is None
    assert gate.asked == ["m.f", "m.g", "m.f"]


def test_an_attribute_awaited_nowhere_is_answered_without_a_decision() -> None:
    answers, table, gate = _answers(gated=True, awaited=set(), anywhere={"x"}, where_awaited=True)
    assert answers["m.C.attr"] is None
    assert answers["m.C.attr"] is None
    assert gate.decided == [] and "m.C.attr" not in table
    assert gate.asked_anywhere == ["m.C.attr"]
