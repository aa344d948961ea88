"""``facts.roles.store_counts`` reads a function's stores in one walk of its statements and
one pass over its expressions (``_stored_names``), where it used to take every role of the
function (``collect_roles``) and keep the stores: here, that both give the same names, on
every shape of store and on real modules.

The findings that rest on the counts (a local bound once, a parameter never assigned) are
the YAML cases' business.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
from mypy.nodes import FuncItem, MypyFile, NameExpr

import mypy_wsplugin
from mypy_wsplugin.facts.roles import Role, _stored_names, collect_roles
from mypy_wsplugin.facts.statements import functions_in
from tests.test_awaited_anywhere import _tree

EVERY_STORE = """
    def stores(param, other):
        a = 1
        b, (c, *d) = pair()
        [e, f] = items()
        g = h = make()
        i += 1
        for j, k in rows():
            pass
        else:
            l = 2
        with open() as m, lock() as (n, o):
            pass
        try:
            p = 3
        except E as q:
            pass
        del r
        if (s := fetch()):
            t = [u for u in xs if (v := u)]
            w = {x: y for x, y in pairs}
            z = (aa for aa, *bb in rows())
        match subject:
            case Pool() as cc:
                pass
            case [dd, *ee] | (dd, *ee):
                pass
            case {"k": ff, **gg}:
                pass
        obj.attr = 4
        obj[0] = 5
        lam = lambda: (hh := 6)

        def nested(ii):
            jj = 7
            nonlocal a
            a = 8

        @decorate((kk := 9))
        def decorated():
            ll = 10

        class Local:
            mm = 11

            def method(self):
                nn = 12
"""


def _store_names(owner: FuncItem) -> set[int]:
    """The names ``collect_roles`` gives ``Role.STORE``, by identity."""
    return {
        id(entry.node)
        for entry in collect_roles(owner, names=True).values()
        if entry.role is Role.STORE and isinstance(entry.node, NameExpr)
    }


def _every_function_agrees(tree: MypyFile) -> int:
    functions = functions_in(tree.defs)
    for func in functions:
        found = _stored_names(func)
        assert len({id(name) for name in found}) == len(found), func.name  # each once
        assert {id(name) for name in found} == _store_names(func), (func.name, func.line)
    return len(functions)


def test_every_shape_of_store() -> None:
    tree = _tree("m", EVERY_STORE)
    assert _every_function_agrees(tree) == 4  # stores, nested, decorated, method
    stores = functions_in(tree.defs)[0]
    names = sorted(name.name for name in _stored_names(stores))
    # Not ``param``/``other`` (no store), ``obj`` (an attribute or an item is stored), nor
    # the names of the nested definitions (``ii``, ``jj``, ``ll``, ``nn``; ``kk`` in a
    # decorator); ``hh``, in a lambda, is, and so is ``mm`` of the class body (a name of
    # another scope: its own ``Var``, which no count of the function's names meets).
    assert names == sorted(
        [
            *"abcdefghijklmnopqrstuvwxyz",
            *["aa", "bb", "cc", "dd", "dd", "ee", "ee", "ff", "gg", "hh", "lam", "mm"],
        ]
    )


def _real_modules() -> list[Path]:
    package = Path(mypy_wsplugin.__file__).parent
    return [*sorted(package.rglob("*.py")), Path(inspect.getfile(asyncio.base_events))]


@pytest.mark.parametrize("path", _real_modules(), ids=lambda path: path.name)
def test_real_modules_give_the_roles_answer(path: Path) -> None:
    _every_function_agrees(_tree("real", path.read_text(encoding="utf-8")))
