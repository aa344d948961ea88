"""``facts.kept``: a memo's answer of nothing is one shared object, not a container of its
own per function (each container kept is one more object for mypy's garbage collector to
count: benchmarks/findings.md, "Containers kept for mypy's collector").  The answers
themselves are the YAML cases' business; here, that an empty one is the shared one."""

from __future__ import annotations

from mypy.nodes import FuncDef

from mypy_wsplugin.facts.awaited_names import _found_in_module
from mypy_wsplugin.facts.coroutine_tests import narrowed_callees
from mypy_wsplugin.facts.kept import EMPTY, frozen
from mypy_wsplugin.facts.local_instances import _replacements_in
from tests.test_awaited_anywhere import _tree

PLAIN = """
    def add(x):
        return x + 1

    def nothing():
        pass

    async def fetch(client):
        return client.get()
"""


def test_frozen_gives_the_shared_empty_set_for_nothing() -> None:
    assert frozen([]) is EMPTY
    assert frozen(iter(())) is EMPTY
    assert frozen(["a", "a", "b"]) == frozenset({"a", "b"})
    assert frozen(["a"]) is not EMPTY


def test_functions_with_nothing_to_keep_share_one_answer() -> None:
    tree = _tree("m", PLAIN)
    funcs = [d for d in tree.defs if isinstance(d, FuncDef)]
    assert [f.name for f in funcs] == ["add", "nothing", "fetch"]
    first = _replacements_in(funcs[0])
    for func in funcs:
        assert narrowed_callees(func) is EMPTY
        found = _replacements_in(func)
        assert found is first
        assert (found.attributes, found.own, found.members) == (EMPTY, EMPTY, EMPTY)
        assert found.attributes is EMPTY and found.own is EMPTY and found.members is EMPTY


def test_a_module_that_awaits_nothing_keeps_shared_empty_sets() -> None:
    found = _found_in_module(_tree("m", PLAIN))
    assert found.awaited is EMPTY
    assert found.dunders is EMPTY
    awaiting = _found_in_module(_tree("n", "async def f(c):\n    await c.get()\n"))
    assert awaiting.awaited == frozenset({"get"})
    assert awaiting.dunders is EMPTY
