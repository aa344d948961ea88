"""``tests/relabel.py``: how a difference between plain mypy's output and the plugin's is
classified; and the corpus runner's rewriting (``tests/relabel_corpus.py``)."""

from __future__ import annotations

import ast
import configparser
import dataclasses
from pathlib import Path

import pytest

from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.reporting import REPLACED_CODES

from .relabel import (
    NAMING_THE_COROUTINE_CODES,
    PLUGIN_CODES,
    REPLACEABLE_CODES,
    classify,
    ignore_comments,
)
from .relabel_corpus import (
    PLAIN,
    PLUGIN,
    Case,
    batch_config,
    config_text,
    load_cases,
    normal_form,
    rewrite_imports,
    top_names,
    why_solo,
)

AWAIT_MISC = (
    'main.py:8: error: Incompatible types in "await" (actual type "Manager", expected type'
    ' "Awaitable[Any]")  [misc]'
)
AWAIT_FINDING = (
    'main.py:8: error: Cannot await "get_manager()": it returns "Manager", which is not'
    ' awaitable; remove the "await"  [await-not-awaitable]'
)
UNUSED = (
    'main.py:5: error: Value of type "Coroutine[Any, Any, None]" must be used  [unused-coroutine]'
)
UNUSED_NOTE = "main.py:5: note: Are you missing an await?"
DROPPED = (
    'main.py:5: error: Coroutine "fetch()" is used without "await" (it is dropped and never'
    ' runs); add "await"  [missing-await]'
)
SEND = (
    'main.py:9: error: Coroutine "f()" is used without "await" (attribute "send" is looked up'
    ' on the coroutine, not on its result); add "await"  [missing-await]'
)


def test_the_codes_are_the_plugins() -> None:
    assert {AWAIT_NOT_AWAITABLE.code, MISSING_AWAIT.code} == PLUGIN_CODES
    replaced = {code.code for codes in REPLACED_CODES.values() for code in codes}
    assert replaced == REPLACEABLE_CODES | NAMING_THE_COROUTINE_CODES | {"misc"}


def test_equal_outputs_differ_in_nothing() -> None:
    lines = [AWAIT_MISC, 'main.py:9: note: Revealed type is "Any"']
    result = classify([*lines, "Found 1 error in 1 file (checked 1 source file)"], lines)
    assert result.ok
    assert set(result.counts().values()) == {0}


def test_a_replaced_error_takes_its_notes() -> None:
    result = classify(
        [UNUSED, UNUSED_NOTE, AWAIT_MISC], [DROPPED, AWAIT_FINDING, "Success: no issues found"]
    )
    assert result.ok
    assert result.replaced == [([UNUSED, UNUSED_NOTE], [DROPPED]), ([AWAIT_MISC], [AWAIT_FINDING])]


def test_a_note_at_another_line_or_file_goes_with_its_error() -> None:
    call_arg = 'main.py:9: error: Too few arguments for "send" of "Coroutine"  [call-arg]'
    defined = 'app/ws.py:1: note: "send" defined here'
    result = classify([call_arg, defined], [SEND])
    assert result.ok
    assert result.replaced == [([call_arg, defined], [SEND])]


def test_the_same_line_whatever_the_columns() -> None:
    old = AWAIT_MISC.replace("main.py:8:", "main.py:8:5:")
    new = AWAIT_FINDING.replace("main.py:8:", "main.py:8:15:")
    assert classify([old], [new]).replaced == [([old], [new])]


def test_new_findings_are_added() -> None:
    note = (
        'main.py:3: note: [mypy_wsplugin] sync_factories entry "a.f -> a.Nope": class "a.Nope"'
        " was not found; its result is treated as Any"
    )
    result = classify([], [note, DROPPED, AWAIT_FINDING])
    assert result.ok
    assert result.added == [DROPPED, AWAIT_FINDING, note]


def test_a_plugin_message_under_another_code_is_the_plugins() -> None:
    filed = DROPPED.replace("[missing-await]", "[unused-coroutine]")
    assert classify([UNUSED, UNUSED_NOTE], [filed]).replaced == [([UNUSED, UNUSED_NOTE], [filed])]


def test_an_error_of_another_code_on_the_findings_line_is_lost() -> None:
    arg = 'main.py:8: error: Argument 1 to "put" has incompatible type "str"  [arg-type]'
    any_expr = 'main.py:8: error: Expression has type "Any"  [misc]'
    result = classify([AWAIT_MISC, arg, any_expr], [AWAIT_FINDING])
    assert result.replaced == [([AWAIT_MISC], [AWAIT_FINDING])]
    assert result.lost == [arg, any_expr]
    assert not result.ok


def test_an_awaited_call_that_returns_none_is_one_finding() -> None:
    """``await q.put_nowait(1)``: mypy's "does not return a value" is the same cause."""
    returns = 'main.py:8: error: "put" of "Queue" does not return a value  [func-returns-value]'
    result = classify([AWAIT_MISC, returns], [AWAIT_FINDING])
    assert result.lost == []
    assert result.ok


def test_a_coroutine_unpacked_as_a_mapping_is_replaced_where_mypy_names_it() -> None:
    """``takes(**fetch())``: mypy's ``[arg-type]`` names the coroutine's type."""
    mapping = (
        'main.py:8: error: Argument after ** must be a mapping, not "Coroutine[Any, Any,'
        ' dict[str, int]]"  [arg-type]'
    )
    finding = (
        'main.py:8: error: Coroutine "fetch()" is used without "await" (a coroutine object is'
        ' not a mapping); add "await"  [missing-await]'
    )
    result = classify([mapping], [finding])
    assert result.replaced == [([mapping], [finding])]
    assert result.ok


def test_a_replaceable_error_without_a_finding_is_lost() -> None:
    result = classify([UNUSED, UNUSED_NOTE], [])
    assert result.lost == [UNUSED, UNUSED_NOTE]


KEPT_SOURCE = ["async def run():", "    r = make()", "    r[0]", "    len(r)", "    len(s)"]
KEPT_FINDING = (
    'main.py:3: error: Coroutine "make()" assigned to "r" on line 2 is used without "await" (a'
    ' coroutine object cannot be subscripted); add "await" on line 2  [missing-await]'
)
KEPT_INDEX = 'main.py:3: error: Value of type "Coroutine[Any, Any, Any]" is not indexable  [index]'


def _later_use(line: int) -> list[str]:
    return [
        f'main.py:{line}: error: Argument 1 to "len" has incompatible type "Coroutine[Any, Any,'
        ' list[int]]"; expected "Sized"  [arg-type]',
        f'main.py:{line}: note: Maybe you forgot to use "await"?',
    ]


def test_mypys_error_at_a_later_use_of_the_reported_name_is_carried() -> None:
    later = _later_use(4)
    result = classify([KEPT_INDEX, *later], [KEPT_FINDING], sources={"main.py": KEPT_SOURCE})
    assert result.replaced == [([KEPT_INDEX], [KEPT_FINDING])]
    assert result.carried == [(later, KEPT_FINDING)]
    assert result.ok


@pytest.mark.parametrize(
    "why",
    ["another name on the line", "a line before the finding", "no sources"],
)
def test_mypys_error_elsewhere_is_not_carried(why: str) -> None:
    line = {"another name on the line": 5, "a line before the finding": 2}.get(why, 4)
    later = _later_use(line)
    sources = None if why == "no sources" else {"main.py": KEPT_SOURCE}
    result = classify([KEPT_INDEX, *later], [KEPT_FINDING], sources=sources)
    assert result.lost == later
    assert not result.ok


WALRUS_SOURCE = ["async def run():", "    b = (r := make()).count(1)", "    len(r)", "    len(s)"]
WALRUS_FINDING = (
    'main.py:2: error: Coroutine "make()" is used without "await" (attribute "count" is looked'
    ' up on the coroutine, not on its result); add "await"  [missing-await]'
)
WALRUS_ATTR = (
    'main.py:2: error: "Coroutine[Any, Any, list[int]]" has no attribute "count"  [attr-defined]'
)


@pytest.mark.parametrize(("line", "carried"), [(3, True), (4, False)], ids=["r", "another"])
def test_mypys_error_at_a_later_use_of_a_name_a_walrus_bound_is_carried(
    line: int, carried: bool
) -> None:
    later = _later_use(line)
    result = classify([WALRUS_ATTR, *later], [WALRUS_FINDING], sources={"main.py": WALRUS_SOURCE})
    assert result.replaced == [([WALRUS_ATTR], [WALRUS_FINDING])]
    assert result.carried == ([(later, WALRUS_FINDING)] if carried else [])
    assert result.ok is carried


def test_mypys_error_about_a_starred_value_is_replaced() -> None:
    star = "main.py:4: error: Expected iterable as variadic argument  [misc]"
    finding = (
        'main.py:4: error: Coroutine "rows()" is used without "await" (a coroutine object cannot'
        ' be iterated); add "await"  [missing-await]'
    )
    assert classify([star], [finding]).replaced == [([star], [finding])]


def test_an_error_of_another_code_is_invented() -> None:
    arg = 'main.py:11: error: Argument 1 to "send" has incompatible type "int"  [arg-type]'
    result = classify([AWAIT_MISC], [AWAIT_FINDING, arg])
    assert result.invented == [arg]
    assert not result.ok


def test_mypys_note_after_a_finding_is_invented() -> None:
    variants = "main.py:5: note: Possible overload variants:"
    result = classify([], [DROPPED, variants])
    assert result.invented == [variants]


def test_a_finding_beside_mypys_error_is_doubled() -> None:
    result = classify([AWAIT_MISC], [AWAIT_MISC, AWAIT_FINDING])
    assert result.doubled == [([AWAIT_MISC], [AWAIT_FINDING])]
    assert not result.ok


def test_a_finding_naming_another_type_is_mistyped() -> None:
    finding = AWAIT_FINDING.replace('returns "Manager"', 'returns "IO[Any]"')
    result = classify([AWAIT_MISC], [finding])
    assert result.mistyped == [([AWAIT_MISC], [finding])]
    assert not result.ok
    union = AWAIT_MISC.replace('"Manager"', '"Manager | None"')
    narrowed = AWAIT_FINDING.replace(
        '"Manager", which is', '"Manager | None", and "None" is'
    ).replace("remove the", "narrow it before")
    assert classify([union], [narrowed]).ok
    branch = AWAIT_MISC.replace('"Manager"', '"Manager | Coroutine[Any, Any, Manager | None]"')
    assert classify([branch], [AWAIT_FINDING]).ok


def test_a_changed_revealed_type_is_retyped() -> None:
    old = 'main.py:9: note: Revealed type is "Any"'
    new = 'main.py:9: note: Revealed type is "main.Manager"'
    result = classify([AWAIT_MISC, old], [AWAIT_FINDING, new])
    assert result.ok
    assert result.retyped == [(old, new)]
    assert classify([old], []).lost == [old]


def test_an_ignore_comment_naming_a_plugin_code_silences_the_finding() -> None:
    not_covered = (
        'main.py:8: note: Error code "misc" not covered by "type: ignore[await-not-awaitable]"'
        " comment"
    )
    unused = 'main.py:9: error: Unused "type: ignore" comment  [unused-ignore]'
    ignores = ignore_comments([("main.py", "\n" * 8 + "x  # type: ignore[missing-await]\n")])
    assert ignores == {("main.py", 9): frozenset({"missing-await"})}
    result = classify([AWAIT_MISC, not_covered, unused], [], ignores)
    assert result.ok
    assert result.silenced == [[AWAIT_MISC, not_covered], [unused]]
    # An ignore[misc] silences the plugin's finding, not mypy's [unused-coroutine].
    misc = {("main.py", 5): frozenset({"misc"})}
    assert classify([UNUSED, UNUSED_NOTE], [], misc).lost == [UNUSED, UNUSED_NOTE]


def test_repeated_lines_are_counted() -> None:
    result = classify([AWAIT_MISC, AWAIT_MISC], [AWAIT_MISC, AWAIT_FINDING])
    assert result.replaced == [([AWAIT_MISC], [AWAIT_FINDING])]
    assert result.ok


# -- the corpus runner ----------------------------------------------------------------------


def test_imports_move_into_the_package_on_the_same_line() -> None:
    source = (
        "import app\n"
        "import app.ws, json\n"
        "import app.ws as ws\n"
        "from app.ws import get as g, Manager\n"
        "from . import sibling\n"
        "if True:\n"
        "    from legacy import create\n"
        "import other\n"
    )
    rewritten = rewrite_imports(source, {"app", "legacy"}, "c_x")
    assert rewritten.splitlines() == [
        "from c_x import app",
        "import c_x.app.ws; from c_x import app; import json",
        "import c_x.app.ws as ws",
        "from c_x.app.ws import get as g, Manager",
        "from . import sibling",
        "if True:",
        "    from c_x.legacy import create",
        "import other",
    ]
    ast.parse(rewritten)


def case(config: str, *files: tuple[str, str]) -> Case:
    return Case("t.yml", "c", (("main.py", "import app\n"), *files), config, "False", "c_c")


def test_the_plain_config_has_no_plugin_and_no_plugin_codes() -> None:
    parser = configparser.RawConfigParser()
    parser.read_string(
        "[mypy]\nplugins = mypy_wsplugin, other.py\ndisable_error_code = missing-await, misc\n"
        "[mypy-legacy.*]\ndisable_error_code = await-not-awaitable\n"
        "[mypy_wsplugin]\ncheck_all_awaits = false\n"
    )
    plain = config_text(parser, PLAIN)
    assert "mypy_wsplugin" not in plain
    assert "-await" not in plain
    assert "plugins = other.py" in plain
    assert "disable_error_code = misc" in plain
    assert config_text(parser, PLUGIN).count("mypy_wsplugin") == 2


def test_a_batch_config_puts_each_cases_names_under_its_package() -> None:
    first = case(
        "[mypy-app.*]\nfollow_imports = skip\n[mypy_wsplugin]\n"
        "sync_factories = app.get -> app.M, main.f\nasync_factories = extlib.open",
        ("app/__init__.py", ""),
    )
    assert top_names(first) == {"main", "app", "extlib"}
    assert why_solo(first) is None
    second = case("[mypy-app]\ndisable_error_code = misc", ("app/__init__.py", ""))
    second = dataclasses.replace(second, package="c_d")
    text = config_text(batch_config([first, second]), PLAIN)
    assert "[mypy-c_c.app.*]\nfollow_imports = skip" in text
    assert "[mypy-c_d.app]\ndisable_error_code = misc" in text
    assert "mypy_wsplugin" not in text
    assert why_solo(case("", ("json/__init__.py", ""))) == "json is also the name of a real module"
    assert why_solo(case("[mypy_wsplugin]\nsync_factories = json.dumps")) is not None


def test_every_corpus_case_is_read() -> None:
    cases = load_cases()
    assert len({c.package for c in cases}) == len(cases)
    # Case names are unique across test-data/ (tools key cases by name as well as by file).
    assert len({c.name for c in cases}) == len(cases)
    assert any("/" in c.source for c in cases), "the files under test-data/<area>/ are read"
    assert all(c.files[0][0] == "main.py" for c in cases)


STATED = """
- case: stated
  main: |
    from app import f
    f()  # E: Coroutine "f()" is used without "await"  [missing-await]
  files:
    - path: app/__init__.py
      content: |
        x: int = ""  # E: Incompatible types in assignment  [assignment]
        async def f() -> None: ...
  out: |
    main:1: note: In a note
"""


def test_a_cases_stated_output_is_what_its_test_compares(tmp_path: Path) -> None:
    (tmp_path / "test_x.yml").write_text(STATED)
    (stated,) = load_cases([tmp_path / "test_x.yml"])
    assert stated.expected == (
        "app/__init__:1: error: Incompatible types in assignment  [assignment]",
        "main:1: note: In a note",
        'main:2: error: Coroutine "f()" is used without "await"  [missing-await]',
    )
    printed = [
        'main.py:2: error: Coroutine "f()" is used without "await"  [missing-await]  ',
        "",
        "main.py:1: note: In a note",
        "app/__init__.py:1: error: Incompatible types in assignment  [assignment]",
    ]
    # mypy's order kept: a note belongs to the error printed before it
    assert normal_form(printed) == [
        'main:2: error: Coroutine "f()" is used without "await"  [missing-await]',
        "main:1: note: In a note",
        "app/__init__:1: error: Incompatible types in assignment  [assignment]",
    ]
    assert sorted(normal_form(printed)) == sorted(stated.expected)


def test_a_case_whose_output_is_a_pattern_is_refused(tmp_path: Path) -> None:
    (tmp_path / "test_x.yml").write_text(STATED + "  regex: true\n")
    with pytest.raises(ValueError, match="regex: its stated output is not the lines of one run"):
        load_cases([tmp_path / "test_x.yml"])
    (tmp_path / "test_x.yml").write_text(STATED.replace("# E: Co", "# ER: Co"))
    with pytest.raises(ValueError, match="a pattern, not a line mypy prints"):
        load_cases([tmp_path / "test_x.yml"])


def test_a_note_at_an_earlier_line_stays_with_its_error() -> None:
    """Plain mypy's lines keep their order: a lost "defined here" note after an error that
    is kept is LOST, not taken for a note of the replaced error at an earlier line."""
    plain = normal_form(
        [
            'main.py:3: error: Incompatible types in "await" (actual type "M", expected type '
            '"Awaitable[Any]")  [misc]',
            'main.py:10: error: Unexpected keyword argument "x" for "g"  [call-arg]',
            'main.py:6: note: "g" defined here',
        ]
    )
    plugin = [
        'main:3: error: Cannot await "get()": it returns "M", which is not awaitable; remove '
        'the "await"  [await-not-awaitable]',
        'main:10: error: Unexpected keyword argument "x" for "g"  [call-arg]',
    ]
    assert classify(plain, plugin).lost == ['main:6: note: "g" defined here']


NO_ITEM = (
    'main.py:7: error: No overload variant of "min" matches argument types'
    ' "Coroutine[Any, Any, list[int]]", "int"  [call-overload]'
)
NO_ITEM_NOTES = [
    "main.py:7: note: Possible overload variants:",
    "main.py:7: note:     def [T] min(Iterable[T], /, *, default: T) -> T",
]
NO_ITEM_FINDING = (
    'main.py:8: error: A coroutine is used without "await" (no overload variant of "min"'
    ' matches argument types "Coroutine[Any, Any, list[int]]", "int"); add "await"'
    "  [missing-await]"
)


def test_a_finding_at_an_argument_on_a_later_line_replaces_mypys_error_it_quotes() -> None:
    """``min(\\n rows(),\\n default=0)``: mypy reports at the call, the plugin at the
    argument a line below, quoting mypy's message."""
    result = classify([NO_ITEM, *NO_ITEM_NOTES], [NO_ITEM_FINDING])
    assert result.replaced == [([NO_ITEM, *NO_ITEM_NOTES], [NO_ITEM_FINDING])]
    assert result.ok


def test_a_finding_naming_the_call_a_name_was_bound_to_replaces_mypys_error_it_quotes() -> None:
    """``r = rows()``, ``min(\n r,\n default=0)``: the plugin's message names the call."""
    finding = NO_ITEM_FINDING.replace(
        "A coroutine is used", 'Coroutine "rows()" assigned to "r" on line 6 is used'
    ).replace('add "await"', 'add "await" on line 6')
    result = classify([NO_ITEM, *NO_ITEM_NOTES], [finding])
    assert result.replaced == [([NO_ITEM, *NO_ITEM_NOTES], [finding])]
    assert result.ok


@pytest.mark.parametrize(
    "finding",
    [
        NO_ITEM_FINDING.replace("main.py:8:", "main.py:6:"),  # a line before mypy's error
        NO_ITEM_FINDING.replace("main.py:", "other.py:"),  # another file
        NO_ITEM_FINDING.replace('"min"', '"max"'),  # another message
    ],
)
def test_a_finding_that_does_not_quote_mypys_error_below_it_does_not_replace_it(
    finding: str,
) -> None:
    result = classify([NO_ITEM, *NO_ITEM_NOTES], [finding])
    assert result.lost == [NO_ITEM, *NO_ITEM_NOTES]
    assert result.added == [finding]


NEEDS = 'main.py:9: error: Need type annotation for "numbered"  [var-annotated]'
NOT_INFERRED = (
    'main.py:9: error: Argument 1 to "enumerate" has incompatible type "Coroutine[Any, Any,'
    ' list[int]]"; expected "Iterable[Never]"  [arg-type]'
)
NOT_INFERRED_FINDING = (
    'main.py:9: error: A coroutine is used without "await" (argument 1 to "enumerate" has'
    ' incompatible type "Coroutine[Any, Any, list[int]]"; expected "Iterable[Never]"); add'
    ' "await"  [missing-await]'
)


def test_need_type_annotation_beside_a_finding_about_a_type_variable_is_carried() -> None:
    result = classify([NEEDS, NOT_INFERRED], [NOT_INFERRED_FINDING])
    assert result.replaced == [([NOT_INFERRED], [NOT_INFERRED_FINDING])]
    assert result.carried == [([NEEDS], NOT_INFERRED_FINDING)]
    assert result.ok


def test_need_type_annotation_without_such_a_finding_is_lost() -> None:
    result = classify([NEEDS, NOT_INFERRED, AWAIT_MISC], [NOT_INFERRED, AWAIT_FINDING])
    assert result.lost == [NEEDS]
    elsewhere = NOT_INFERRED_FINDING.replace("main.py:9:", "main.py:20:")
    assert classify([NEEDS], [elsewhere]).lost == [NEEDS]


def test_a_finding_silenced_by_an_ignore_of_misc_that_mypy_asks_to_narrow() -> None:
    """``if count() > x:  # type: ignore[misc]``: mypy's ``[operator]`` is not covered by
    the ignore; the plugin's finding is (a sub-code of ``misc``), and mypy asks to narrow
    the ignore to ``[missing-await]``: silenced, nothing lost or invented."""
    plain = [
        'main.py:25: error: Unsupported operand types for < ("int" and "Coroutine[Any, Any,'
        ' int]")  [operator]',
        'main.py:25: note: Error code "operator" not covered by "type: ignore[misc]" comment',
        'main.py:25: note: Maybe you forgot to use "await"?',
        'main.py:25: error: Unused "type: ignore" comment  [unused-ignore]',
    ]
    narrowed = (
        'main.py:25: error: Unused "type: ignore" comment, use narrower [missing-await]'
        " instead of [misc] code  [unused-ignore]"
    )
    result = classify(plain, [narrowed], {("main.py", 25): frozenset({"misc"})})
    assert result.lost == [] and result.invented == []
    assert result.ok
