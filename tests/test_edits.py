"""The libcst edits on source strings: one test per shape, the exact code that comes out.

Requests carry the line and column mypy reports (the awaited operand, or the coroutine
call, without enclosing parentheses); ``at`` finds that column in the source text.
"""

from __future__ import annotations

from textwrap import dedent

import libcst as cst
import pytest

from mypy_wsplugin.cli.edits import (
    Assigned,
    EditKind,
    EditRequest,
    Use,
    candidate_columns,
    fix_source,
)

REMOVE = EditKind.REMOVE_AWAIT
ADD = EditKind.ADD_AWAIT


def at(
    source: str,
    line: int,
    text: str,
    kind: EditKind = REMOVE,
    *,
    name: str | None = None,
    use: Use | None = None,
    attribute: str | None = None,
    assigned: Assigned | None = None,
) -> EditRequest:
    """A request for the first ``text`` on ``line`` (1-based) of ``source``."""
    column = source.splitlines()[line - 1].index(text)
    return EditRequest(
        kind, line, column, name=name, use=use, attribute=attribute, assigned=assigned
    )


def fixed(source: str, *requests: EditRequest) -> str:
    result = fix_source(source, requests)
    assert [o.reason for o in result.outcomes if not o.applied] == []
    return result.code


def not_fixed(source: str, request: EditRequest) -> str:
    result = fix_source(source, [request])
    assert result.code == source
    [outcome] = result.outcomes
    assert not outcome.applied
    return outcome.reason


# await-not-awaitable: the await goes, the rest stays as written


@pytest.mark.parametrize(
    ("line", "before", "after"),
    [
        pytest.param(
            "    manager = await get_manager(ctx)",
            "get_manager",
            "    manager = get_manager(ctx)",
            id="assignment",
        ),
        pytest.param("    return await get()", "get", "    return get()", id="return"),
        pytest.param(
            "    (await get()).send('x')", "get", "    get().send('x')", id="parenthesised"
        ),
        pytest.param(
            "    await (await get()).close()",
            "get",
            "    await get().close()",
            id="chained-inner",
        ),
        pytest.param(
            "    return (await get()).connection.peer.name",
            "get",
            "    return get().connection.peer.name",
            id="chained-attributes",
        ),
        pytest.param(
            "    await send(await get(), await make())",
            "get",
            "    await send(get(), await make())",
            id="nested-argument",
        ),
        pytest.param(
            "    items = [await get(i) for i in range(3)]",
            "get",
            "    items = [get(i) for i in range(3)]",
            id="comprehension",
        ),
        pytest.param(
            "    m = await get() if ready else None",
            "get",
            "    m = get() if ready else None",
            id="conditional-expression",
        ),
        pytest.param(
            "    m = fallback if ready else await get()",
            "get",
            "    m = fallback if ready else get()",
            id="conditional-expression-else",
        ),
        pytest.param("    x = await  self.manager", "self", "    x = self.manager", id="attribute"),
        pytest.param("    x = await (get())", "get", "    x = (get())", id="operand-parens-kept"),
        pytest.param("    x = -await get()", "get", "    x = -get()", id="unary"),
        pytest.param("    x = await get() ** 2", "get", "    x = get() ** 2", id="power"),
        pytest.param(
            "    x = f'{await get()}'", "get", "    x = f'{get()}'", id="f-string-expression"
        ),
    ],
)
def test_remove_await_on_one_line(line: str, before: str, after: str) -> None:
    source = f"async def handler():\n{line}\n"
    assert fixed(source, at(source, 2, before)) == f"async def handler():\n{after}\n"


def test_remove_both_awaits_of_a_nested_call() -> None:
    source = "async def h():\n    return await wrap(await get())\n"
    requests = [at(source, 2, "wrap"), at(source, 2, "get")]
    assert fixed(source, *requests) == "async def h():\n    return wrap(get())\n"


def test_remove_await_from_a_multi_line_call_with_comments() -> None:
    source = dedent(
        """\
        async def handler(ctx):
            manager = await get_websocket_manager(  # the user's manager
                user_context=ctx,  # keep this comment
                # and this one
            )
            return manager
        """
    )
    assert fixed(source, at(source, 2, "get_websocket_manager")) == dedent(
        """\
        async def handler(ctx):
            manager = get_websocket_manager(  # the user's manager
                user_context=ctx,  # keep this comment
                # and this one
            )
            return manager
        """
    )


def test_parentheses_holding_a_comment_or_line_break_stay() -> None:
    source = dedent(
        """\
        async def handler():
            manager = (
                await get_manager()  # why
            )
            other = (await x
                     .get())
        """
    )
    requests = [at(source, 3, "get_manager"), at(source, 5, "x")]
    assert fixed(source, *requests) == dedent(
        """\
        async def handler():
            manager = (
                get_manager()  # why
            )
            other = (x
                     .get())
        """
    )


def test_line_break_after_await_inside_brackets() -> None:
    source = "async def h():\n    send(await\n         get())\n"
    assert fixed(source, at(source, 3, "get")) == "async def h():\n    send(get())\n"


def test_comment_after_await_is_left_for_a_person() -> None:
    source = "async def h():\n    send(await  # really?\n         get())\n"
    assert not_fixed(source, at(source, 3, "get")) == (
        'a comment stands between "await" and what it awaits'
    )


def test_crlf_tabs_and_coding_cookie_are_kept_byte_for_byte() -> None:
    source = (
        "# -*- coding: latin-1 -*-\r\n"
        "async def h():\r\n"
        "\tname = 'caf\xe9'\r\n"
        "\tif name:\r\n"
        "\t\treturn await get(name)\r\n"
    ).encode("latin-1")
    result = fix_source(source, [EditRequest(REMOVE, 5, 15)])
    assert result.data == source.replace(b"return await get", b"return get")
    assert result.module.encoding == "iso-8859-1"


def test_byte_order_mark_and_missing_final_newline_are_kept() -> None:
    source = "\ufeffasync def h():\n    return await get()".encode("utf-8-sig")
    result = fix_source(source, [EditRequest(REMOVE, 2, 17)])
    assert result.data == b"\xef\xbb\xbfasync def h():\n    return get()"


def test_lone_carriage_returns_are_kept_to_the_last() -> None:
    """libcst gives back a file whose lines end in a lone ``\\r`` without its last one."""
    source = b"async def h():\r    x = await get()\r    return x\r"
    result = fix_source(source, [EditRequest(REMOVE, 2, 14)])
    assert result.data == b"async def h():\r    x = get()\r    return x\r"
    assert result.original == source.decode()


def test_no_await_at_the_reported_place() -> None:
    source = "async def h():\n    return get()\n"
    assert not_fixed(source, EditRequest(REMOVE, 2, 11)) == 'no "await" found at line 2, column 12'


# missing-await: an await where the function is async def, with parentheses if needed


@pytest.mark.parametrize(
    ("line", "use", "after"),
    [
        pytest.param(
            "    create(ctx).send('hi')",
            Use.ATTRIBUTE_BASE,
            "    (await create(ctx)).send('hi')",
            id="attribute-base",
        ),
        pytest.param(
            "    (create(ctx)).send('hi')",
            None,
            "    (await create(ctx)).send('hi')",
            id="already-parenthesised",
        ),
        pytest.param("    create(ctx)[0]", None, "    (await create(ctx))[0]", id="subscript-base"),
        pytest.param("    create(ctx)()", None, "    (await create(ctx))()", id="called"),
        pytest.param("    create(ctx)", None, "    await create(ctx)", id="statement"),
        pytest.param("    return create(ctx)", None, "    return await create(ctx)", id="return"),
        pytest.param(
            "    if create(ctx): pass", None, "    if await create(ctx): pass", id="condition"
        ),
        pytest.param(
            "    x = 1 if create(ctx) else 2",
            None,
            "    x = 1 if await create(ctx) else 2",
            id="conditional-expression",
        ),
        pytest.param(
            "    ok = not create(ctx) and ready",
            None,
            "    ok = not await create(ctx) and ready",
            id="not-and",
        ),
        pytest.param(
            "    xs = [i for i in ids if create(i)]",
            Use.CONDITION,
            "    xs = [i for i in ids if await create(i)]",
            id="comprehension-condition",
        ),
        pytest.param(
            "    xs = {i: 1 for i in ids if not create(i)}",
            Use.CONDITION,
            "    xs = {i: 1 for i in ids if not await create(i)}",
            id="dict-comprehension-negated-condition",
        ),
        pytest.param(
            "    xs = [create(i).name for i in ids]",
            None,
            "    xs = [(await create(i)).name for i in ids]",
            id="list-comprehension",
        ),
        pytest.param(
            "    m = create(ctx,  # comment\n        retries=2).send('x')",
            None,
            "    m = (await create(ctx,  # comment\n        retries=2)).send('x')",
            id="multi-line-call-with-comment",
        ),
    ],
)
def test_add_await(line: str, use: Use | None, after: str) -> None:
    source = f"async def handler(ctx):\n{line}\n"
    attribute = "send" if use is Use.ATTRIBUTE_BASE else None
    request = at(source, 2, "create", ADD, name="create", use=use, attribute=attribute)
    assert fixed(source, request) == f"async def handler(ctx):\n{after}\n"


def test_add_await_in_a_match_guard() -> None:
    source = dedent(
        """\
        async def handler(ctx):
            match ctx:
                case [c] if create(c):
                    pass
        """
    )
    request = at(source, 3, "create", ADD, name="create", use=Use.CONDITION)
    assert fixed(source, request) == source.replace("if create", "if await create")


def test_add_await_on_the_assignment_a_later_use_names() -> None:
    source = dedent(
        """\
        async def handler(ctx):
            manager = create(ctx)  # the manager
            log(ctx)
            if manager:
                manager.send('x')
        """
    )
    request = at(source, 4, "manager", ADD, assigned=Assigned("manager", 2))
    assert fixed(source, request) == dedent(
        """\
        async def handler(ctx):
            manager = await create(ctx)  # the manager
            log(ctx)
            if manager:
                manager.send('x')
        """
    )


def test_add_await_on_an_annotated_assignment() -> None:
    source = "async def h(ctx):\n    m: Manager = create(ctx)\n    m.send()\n"
    request = at(source, 3, "m", ADD, assigned=Assigned("m", 2))
    assert (
        fixed(source, request)
        == "async def h(ctx):\n    m: Manager = await create(ctx)\n    m.send()\n"
    )


def test_assignment_of_something_else_than_a_call_is_left_for_a_person() -> None:
    source = "async def h(ctx):\n    m = cond and create(ctx)\n    m.send()\n"
    request = at(source, 3, "m", ADD, assigned=Assigned("m", 2))
    assert not_fixed(source, request) == 'what is assigned to "m" on line 2 is not a plain call'


def test_a_name_awaited_further_on_is_left_for_a_person() -> None:
    """``c = fetch()`` or ``(c := fetch())``, then ``await c``: an ``await`` at the call
    would leave ``await c`` awaiting the result (a review: ``fix --write`` broke such code)."""
    walrus = "async def h():\n    if (c := fetch()):\n        print(await c)\n"
    request = at(walrus, 2, "fetch", ADD, use=Use.CONDITION)
    reason = (
        '"c" is awaited further on in the function: an "await" here would leave that one '
        "awaiting the result"
    )
    assert not_fixed(walrus, request) == reason
    named = "async def h():\n    kw = options()\n    takes(**kw)\n    await kw\n"
    request = at(named, 3, "kw", ADD, assigned=Assigned("kw", 2))
    assert not_fixed(named, request) == reason.replace('"c"', '"kw"')
    other = (
        "async def h():\n    if (c := fetch()):\n        pass\n\n\nasync def g(c):\n    await c\n"
    )
    assert "(c := await fetch())" in fixed(other, at(other, 2, "fetch", ADD, use=Use.CONDITION))


def test_nested_missing_awaits() -> None:
    source = "async def h(ctx):\n    connect(ctx).manager().send('x')\n"
    requests = [
        at(source, 2, "connect", ADD, use=Use.ATTRIBUTE_BASE, attribute="manager"),
        at(source, 2, "connect", ADD, use=Use.ATTRIBUTE_BASE, attribute="send", name="manager"),
    ]
    assert fixed(source, *requests) == (
        "async def h(ctx):\n    (await (await connect(ctx)).manager()).send('x')\n"
    )


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        pytest.param(
            "def handler(ctx):\n    create(ctx).send('x')\n",
            'the enclosing function "handler" is not "async def"',
            id="sync-def",
        ),
        pytest.param(
            "async def handler(ctx):\n    def inner():\n        return create(ctx).x\n",
            'the enclosing function "inner" is not "async def"',
            id="sync-def-inside-async-def",
        ),
        pytest.param(
            "async def handler(ctx):\n    return any(create(c).ok for c in ctx)\n",
            "it is inside a generator expression (an await there would make it an async generator)",
            id="generator-expression",
        ),
        pytest.param(
            "async def handler(ctx):\n    return sum(x for c in ctx for x in create(c).rows)\n",
            "it is inside a generator expression (an await there would make it an async generator)",
            id="generator-expression-second-iterable",
        ),
        pytest.param(
            "async def handler(ctx):\n    return sum(x for x in create(ctx).x)\n",
            None,
            id="generator-expression-first-iterable",
        ),
        pytest.param(
            "async def handler(ctx):\n    f = lambda: create(ctx).x\n",
            "it is inside a lambda",
            id="lambda",
        ),
        pytest.param("create(ctx).send('x')\n", "it is not inside a function", id="module-level"),
        pytest.param(
            "async def handler(ctx):\n    return f'{create(ctx).x=}'\n",
            'it is in an f-string\'s "=" expression, whose text the program prints',
            id="f-string-printing-its-text",
        ),
        pytest.param(
            "async def handler(ctx):\n    def inner(x=create(ctx).x):\n        pass\n",
            None,
            id="default-of-a-def-in-an-async-def",
        ),
        pytest.param(
            "def outer(ctx):\n    async def inner(x=create(ctx).x):\n        pass\n",
            'the enclosing function "outer" is not "async def"',
            id="default-of-an-async-def-in-a-def",
        ),
        pytest.param(
            "async def handler(ctx):\n    f = lambda x=create(ctx).x: x\n",
            None,
            id="default-of-a-lambda",
        ),
    ],
)
def test_where_await_cannot_go_nothing_is_edited(source: str, reason: str | None) -> None:
    """(``reason`` None: the scope around a definition decides, and allows it.)"""
    line = next(n for n, text in enumerate(source.splitlines(), 1) if "create(" in text)
    request = at(source, line, "create", ADD, name="create")
    if reason is None:
        assert "(await create(ctx)).x" in fixed(source, request)
    else:
        assert not_fixed(source, request) == reason


def test_an_await_in_an_f_string_format_spec_is_added() -> None:
    """The format spec's text is not printed (only the expression's before ``=``)."""
    source = "async def h(x):\n    return f'{x=:{create().width}}'\n"
    request = at(source, 2, "create", ADD, name="create")
    assert (
        fixed(source, request) == "async def h(x):\n    return f'{x=:{(await create()).width}}'\n"
    )


def test_an_await_in_an_f_string_printing_its_text_stays() -> None:
    source = "async def h():\n    return f'{await get()=}'\n"
    reason = 'it is in an f-string\'s "=" expression, whose text the program prints'
    assert not_fixed(source, at(source, 2, "get", REMOVE)) == reason


# Telling candidates on one line apart


def test_calls_starting_at_the_same_column_are_told_apart_by_the_end() -> None:
    source = "async def h(ctx):\n    create(ctx).send('x')\n"
    request = EditRequest(ADD, 2, 4, end_line=2, end_column=15)
    assert fixed(source, request) == "async def h(ctx):\n    (await create(ctx)).send('x')\n"


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(EditRequest(ADD, 2, 4, name="alias"), id="by-name"),
        pytest.param(EditRequest(ADD, 2, 4, use=Use.ATTRIBUTE_BASE, attribute="send"), id="by-use"),
    ],
)
def test_without_end_position_calls_are_told_apart_by_the_message(request_: EditRequest) -> None:
    # mypy 1.19's JSON output has no end position.
    source = "async def h(ctx):\n    alias(ctx).send('x')\n"
    request = request_
    assert fixed(source, request) == "async def h(ctx):\n    (await alias(ctx)).send('x')\n"


@pytest.mark.parametrize(
    ("line", "text", "use", "attribute"),
    [
        pytest.param("    takes(c)", "c)", None, None, id="a-name-passed"),
        pytest.param("    m = max(h.c, key=len)", "h.c", None, None, id="an-attribute-passed"),
        pytest.param("    takes(h.cs[0])", "h.cs", None, None, id="an-item-passed"),
        pytest.param(
            "    c.append(1)", "c.", Use.ATTRIBUTE_BASE, "append", id="a-name-looked-up-on"
        ),
        # Review (session 58): a name used after the only call, on an ASCII line.
        pytest.param("    n = len(h) + len(c)", "c)", None, None, id="a-name-after-the-call"),
        pytest.param("    n = len(h) + c", "c", None, None, id="a-name-after-the-only-call"),
    ],
)
def test_a_coroutine_that_is_no_call_inside_the_only_call_is_not_edited(
    line: str, text: str, use: Use | None, attribute: str | None
) -> None:
    """The finding is about a coroutine held in a name, attribute or item (a parameter
    typed ``Coroutine``): the one call on the line is not what to await."""
    source = f"async def handler(c, h):\n{line}\n"
    request = at(source, 2, text, ADD, use=use, attribute=attribute)
    assert not_fixed(source, request).startswith("no call found at line 2")


@pytest.mark.parametrize(
    ("line", "text", "after"),
    [
        pytest.param("    return -fetch()", "-", "    return -await fetch()", id="unary"),
        pytest.param("    return 1 + fetch()", "1", "    return 1 + await fetch()", id="operand"),
        pytest.param(
            "    if (n := fetch()) > 1: pass",
            "n :=",
            "    if (n := await fetch()) > 1: pass",
            id="walrus-compared",
        ),
        pytest.param(
            "    takes(n := fetch())", "n :=", "    takes(n := await fetch())", id="walrus-passed"
        ),
    ],
)
def test_a_request_where_an_expression_around_the_call_starts_is_the_call(
    line: str, text: str, after: str
) -> None:
    """mypy reports some errors about a coroutine at the expression around it (review,
    session 58: these were taken for something else than the call)."""
    source = f"async def h(takes):\n{line}\n"
    assert fixed(source, at(source, 2, text, ADD)) == f"async def h(takes):\n{after}\n"


def test_an_ambiguous_request_is_not_edited() -> None:
    source = "async def h(ctx):\n    alias(ctx).send('x')\n"
    assert not_fixed(source, EditRequest(ADD, 2, 4)) == "no call found at line 2, column 5"


@pytest.mark.parametrize(
    "column",
    [
        pytest.param(40, id="characters"),
        pytest.param(44, id="utf8-bytes-mypy-1.19"),
        pytest.param(36, id="mypy-2.4"),
    ],
)
def test_columns_after_non_ascii_text(column: int) -> None:
    # 'ééé' and 'ü' are 4 characters, but 8 bytes, before the awaits.
    source = "async def h():\n    x = ('ééé', 'ü', await get(), await get())\n"
    assert candidate_columns(source.splitlines()[1], 27) == {27, 31, 23}
    assert candidate_columns(source.splitlines()[1], 40) == {40, 44, 36}
    result = fixed(source, EditRequest(REMOVE, 2, column))
    assert result == "async def h():\n    x = ('ééé', 'ü', await get(), get())\n"


def test_source_that_does_not_parse_raises() -> None:
    with pytest.raises(cst.ParserSyntaxError):
        fix_source("async def h(:\n", [EditRequest(REMOVE, 1, 0)])
