"""``facts.statements.functions_in``: every function a body defines, as one loop on the
statement's class, against Python's own parser (``ast``: every ``def`` and ``async def``,
each before those it holds); ``declared_globals``, the ``global`` statements of each
function in the same walk, against ``ast`` too; ``pattern_captures``, the names a ``case``
binds, against ``ast``'s ``MatchAs``/``MatchStar``/``MatchMapping`` names; and
``reached_after``, the statements that may run next after one, on a table of shapes.

The findings themselves are the YAML cases' business; here, that both find the same
functions in the same order, on every statement that can hold one and on real modules.
(The ``StatementWalker`` the pass used before is a compiled class in a compiled build,
which a test cannot subclass.)
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import textwrap
from pathlib import Path

import pytest
from mypy.nodes import FuncDef, MatchStmt, Statement

import mypy_wsplugin
from mypy_wsplugin.facts.statements import (
    child_blocks,
    declared_globals,
    functions_in,
    pattern_captures,
    reached_after,
)
from tests.test_awaited_anywhere import _tree

Found = list[tuple[str, int]]


def _python_defs(node: ast.AST, found: Found) -> Found:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found.append((child.name, child.lineno))
        _python_defs(child, found)
    return found


def _reference(source: str, module: str = "m") -> tuple[Found, Found]:
    """What ``functions_in`` finds in ``source``, and what ``ast`` finds: name and line."""
    found = [(func.name, func.line) for func in functions_in(_tree(module, source).defs)]
    return found, _python_defs(ast.parse(textwrap.dedent(source)), [])


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
    assert [name for name, _ in found] == [
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


GLOBALS = """
    import typing

    def top():
        global a
        if x:
            global b
        def inner():
            global c
            class Local:
                global not_inner
        lambda: 1

    class C:
        global in_class
        def method(self):
            while y:
                global d
            else:
                global e
        @typing.overload
        def over(self, x: int) -> int: ...
        @typing.overload
        def over(self, x: str) -> str: ...
        def over(self, x):
            for i in z:
                global f
            try:
                global g
            except E:
                global h, i
            finally:
                global j
            with w:
                global k
            match v:
                case 1:
                    global m

    @decorator
    async def decorated():
        async with u:
            global n
        async for q in t:
            global o

    def none_here():
        pass
"""


def _python_globals(node: ast.AST, declared: list[str]) -> list[str]:
    """The names of the ``global`` statements in ``node``'s body, not in nested
    definitions or classes."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Global):
            declared.extend(child.names)
        elif not isinstance(
            child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
        ):
            _python_globals(child, declared)
    return declared


Declared = list[tuple[str, int, list[str]]]  # each function's name, line and globals


def _globals_reference(source: str, module: str = "m") -> tuple[Declared, Declared]:
    found = [
        (func.name, func.line, list(names))
        for func, names in declared_globals(_tree(module, source))
    ]
    reference: Declared = []
    for node in ast.walk(ast.parse(textwrap.dedent(source))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = _python_globals(node, [])
            if names:
                reference.append((node.name, node.lineno, names))
    return found, reference


def test_the_global_statements_of_every_function() -> None:
    found, reference = _globals_reference(GLOBALS)
    assert sorted(found, key=str) == sorted(reference, key=str)
    assert [(name, names) for name, _, names in sorted(found, key=lambda f: f[1])] == [
        ("top", ["a", "b"]),
        ("inner", ["c"]),
        ("method", ["d", "e"]),
        ("over", ["f", "g", "h", "i", "j", "k", "m"]),
        ("decorated", ["n", "o"]),
    ]


@pytest.mark.parametrize("path", _real_modules(), ids=lambda path: path.name)
def test_real_modules_give_the_reference_globals(path: Path) -> None:
    found, reference = _globals_reference(path.read_text(encoding="utf-8"), "real")
    assert sorted(found, key=str) == sorted(reference, key=str)


CASES = """
    match subject:
        case Pool() as p:
            pass
        case [first, *rest] | (first, *rest):
            pass
        case {"k": value, "n": [inner, 1], **others}:
            pass
        case Point(x, y=[a, b], z=Point(w=c)):
            pass
        case 1 | "s" | None | Color.RED:
            pass
        case [_, *_]:
            pass
        case _:
            pass
"""


def _python_captures(case: ast.match_case) -> list[str]:
    names = []
    for node in ast.walk(case.pattern):
        if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name is not None:
            names.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest is not None:
            names.append(node.rest)
    return sorted(names)


def test_the_names_a_case_pattern_binds() -> None:
    (match,) = _tree("m", CASES).defs
    assert isinstance(match, MatchStmt)
    found = [sorted(name.name for name in pattern_captures(p)) for p in match.patterns]
    (reference,) = ast.parse(textwrap.dedent(CASES)).body
    assert isinstance(reference, ast.Match)
    assert found == [_python_captures(case) for case in reference.cases]
    assert found[:4] == [
        ["p"],
        ["first", "first", "rest", "rest"],
        ["inner", "others", "value"],
        ["a", "b", "c", "x"],
    ]


# ``reached_after``: a source's ``# target`` line, and the first lines of the statements
# that may run next on the plain way on, in order.
REACHED = [
    (
        "if/else: the rest of the branch, then past the if, not the other branch",
        """
        def f(x):
            if x:
                y = 1  # target
                z = 2
            elif x is None:
                z = 3
            else:
                z = 4
            w = 5
            return w
        """,
        [5, 10, 11],
    ),
    (
        "a branch that returns ends the way",
        """
        def f(x):
            if x:
                y = 1  # target
                return y
            w = 5
        """,
        [5],
    ),
    (
        "try: the body's rest, else, finally, then past the try; not the handlers",
        """
        def f(x):
            try:
                y = 1  # target
                z = 2
            except KeyError:
                z = 3
            else:
                z = 4
            finally:
                z = 5
            w = 6
        """,
        [5, 9, 11, 12],
    ),
    (
        "try: a handler's rest, finally, then past the try",
        """
        def f(x):
            try:
                z = 1
            except KeyError:
                y = 2  # target
                z = 3
            except ValueError:
                z = 4
            finally:
                z = 5
            w = 6
        """,
        [7, 11, 12],
    ),
    (
        "a loop's body: its rest only, up to continue",
        """
        def f(xs):
            for x in xs:
                if x:
                    y = 1  # target
                    continue
                z = 2
            w = 3
        """,
        [6],
    ),
    (
        "a loop's else goes on past the loop; with and match blocks too",
        """
        def f(xs):
            while xs:
                xs.pop()
            else:
                with open(xs) as fh:
                    match xs:
                        case []:
                            y = 1  # target
                        case _:
                            z = 2
                    z = 3
            w = 4
        """,
        [12, 13],
    ),
    (
        "a raise ends the way",
        """
        def f(x):
            y = 1  # target
            if x:
                z = 2
            raise ValueError(y)
            w = 4
        """,
        [4, 6],
    ),
]


@pytest.mark.parametrize(
    ("source", "expected"), [(s, e) for _, s, e in REACHED], ids=[n for n, _, _ in REACHED]
)
def test_the_statements_reached_after_one(source: str, expected: list[int]) -> None:
    func = _tree("m", source).defs[0]
    assert isinstance(func, FuncDef)
    lines = textwrap.dedent(source).splitlines()
    marked = next(n for n, line in enumerate(lines, 1) if line.endswith("# target"))
    target = _statement_at(func.body.body, marked)
    reached = reached_after(func.body.body, target)
    assert reached is not None
    assert [s.line for s in reached] == expected


def test_a_statement_of_a_nested_definition_is_not_reached_from_outside() -> None:
    func = _tree("m", "def f():\n    def g():\n        y = 1\n    return g\n").defs[0]
    assert isinstance(func, FuncDef)
    inner = func.body.body[0]
    assert isinstance(inner, FuncDef)
    assert reached_after(func.body.body, inner.body.body[0]) is None


def _statement_at(body: list[Statement], line: int) -> Statement:
    for s in body:
        if s.line == line:
            return s
        for block in child_blocks(s):
            try:
                return _statement_at(block.body, line)
            except LookupError:
                pass
    raise LookupError(line)
