"""``facts.statements.functions_in``: every function a body defines, as one loop on the
statement's class, against the reference it replaced in the pass after type checking (a
``StatementWalker`` limited to ``DEFINITION_HOLDERS`` that enters every definition).

The findings themselves are the YAML cases' business; here, that both find the same
functions in the same order, on every statement that can hold one and on real modules.
"""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

import pytest
from mypy.nodes import FuncDef

import mypy_wsplugin
from mypy_wsplugin.facts.statements import (
    DEFINITION_HOLDERS,
    Definition,
    StatementWalker,
    functions_in,
)
from tests.test_awaited_anywhere import _tree


class _Reference(StatementWalker):
    VISITED = DEFINITION_HOLDERS

    def __init__(self) -> None:
        self.functions: list[FuncDef] = []

    def definition(self, s: Definition) -> None:
        self.enter(s)

    def function(self, s: FuncDef) -> None:
        self.functions.append(s)
        self.scope(s)


def _reference(source: str, module: str = "m") -> tuple[list[FuncDef], list[FuncDef]]:
    tree = _tree(module, source)
    walker = _Reference()
    walker.stmts(tree.defs)
    return functions_in(tree.defs), walker.functions


EVERY_HOLDER = """
    import typing

    def top():
        def inner():
            def innermost(): ...
        lambda: 1

    @decorator
    async def decorated():
        if x:
            def in_if(): ...
        elif y:
            def in_elif(): ...
        else:
            def in_else(): ...

    class C:
        def method(self): ...
        class Nested:
            def deep(self): ...
        @typing.overload
        def over(self, x: int) -> int: ...
        @typing.overload
        def over(self, x: str) -> str: ...
        def over(self, x): ...

    while a:
        def in_while(): ...
    else:
        def in_while_else(): ...
    for i in b:
        def in_for(): ...
    else:
        def in_for_else(): ...
    try:
        def in_try(): ...
    except E:
        def in_except(): ...
    else:
        def in_try_else(): ...
    finally:
        def in_finally(): ...
    with c:
        def in_with(): ...
    match d:
        case 1:
            def in_case(): ...
    async def outer():
        async with e:
            def in_async_with(): ...
        async for f in g:
            def in_async_for(): ...
"""


def test_every_statement_that_can_hold_a_function_is_entered() -> None:
    found, reference = _reference(EVERY_HOLDER)
    assert [f.name for f in found] == [
        "top",
        "inner",
        "innermost",
        "decorated",
        "in_if",
        "in_elif",
        "in_else",
        "method",
        "deep",
        "over",
        "over",
        "over",
        "in_while",
        "in_while_else",
        "in_for",
        "in_for_else",
        "in_try",
        "in_except",
        "in_try_else",
        "in_finally",
        "in_with",
        "in_case",
        "outer",
        "in_async_with",
        "in_async_for",
    ]
    assert found == reference


def _real_modules() -> list[Path]:
    package = Path(mypy_wsplugin.__file__).parent
    return [*sorted(package.rglob("*.py")), Path(inspect.getfile(asyncio.base_events))]


@pytest.mark.parametrize("path", _real_modules(), ids=lambda path: path.name)
def test_real_modules_give_the_reference_answer(path: Path) -> None:
    found, reference = _reference(path.read_text(encoding="utf-8"), "real")
    assert found == reference
