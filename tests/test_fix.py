"""``mypy-wsplugin fix``: the real command on a small project, and its safety rules.

One project holds every edit shape (``app/shapes.py``), a CRLF file, a tab-indented file,
a finding in a sync function (left for a person) and one outside the given paths
(``lib/``).  The end-to-end tests run ``python -m mypy_wsplugin fix`` on it; the safety
tests call :func:`fix` in this process with a runner that changes a file after mypy ran.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from mypy_wsplugin.cli.fix import Mode, Runner, fix
from mypy_wsplugin.cli.run_mypy import JSON_CACHE, Finding, MypyRun, json_cache_dir, run
from mypy_wsplugin.cli.sources import ChangedError, Snapshot, write_atomic
from mypy_wsplugin.mypy_internals import ERRORS_CACHED_AS_PRINTED

MYPY_INI = "[mypy]\nplugins = mypy_wsplugin\nstrict = true\n"

HELPERS = """\
from __future__ import annotations


class Manager:
    def send(self, text: str) -> None: ...

    async def close(self) -> None: ...


def get_manager(user: str = "") -> Manager:
    return Manager()


async def create_manager(user: str = "") -> Manager:
    return Manager()


async def outside() -> None:
    await get_manager()
"""

SHAPES = '''\
"""Every shape of edit fix makes."""

from __future__ import annotations

from lib.helpers import Manager, create_manager, get_manager


async def wrap(manager: Manager) -> Manager:
    return manager


async def awaits(ready: bool) -> Manager:
    nested = await wrap(await get_manager())
    (await get_manager()).send("parenthesised")
    await (await get_manager()).close()
    managers = [await get_manager(str(i)) for i in range(3)]
    maybe = await get_manager() if ready else None
    label = ("café", await get_manager())
    multi_line = await get_manager(
        "multi-line",
    )
    commented = await get_manager(  # the user's manager
        "commented",  # a comment inside the call
    )
    print(nested, managers, maybe, label, multi_line, commented)
    return await get_manager()


async def forgets(ready: bool) -> Manager:
    create_manager().send("attribute base")
    if create_manager():
        pass
    value = 1 if create_manager() else 2
    create_manager()
    manager = create_manager()
    manager.send("later use")
    print(value)
    return create_manager()


def sync_caller() -> None:
    create_manager().send("in a sync def")
'''

SHAPES_FIXED = '''\
"""Every shape of edit fix makes."""

from __future__ import annotations

from lib.helpers import Manager, create_manager, get_manager


async def wrap(manager: Manager) -> Manager:
    return manager


async def awaits(ready: bool) -> Manager:
    nested = await wrap(get_manager())
    get_manager().send("parenthesised")
    await get_manager().close()
    managers = [get_manager(str(i)) for i in range(3)]
    maybe = get_manager() if ready else None
    label = ("café", get_manager())
    multi_line = get_manager(
        "multi-line",
    )
    commented = get_manager(  # the user's manager
        "commented",  # a comment inside the call
    )
    print(nested, managers, maybe, label, multi_line, commented)
    return get_manager()


async def forgets(ready: bool) -> Manager:
    (await create_manager()).send("attribute base")
    if await create_manager():
        pass
    value = 1 if await create_manager() else 2
    await create_manager()
    manager = await create_manager()
    manager.send("later use")
    print(value)
    return await create_manager()


def sync_caller() -> None:
    create_manager().send("in a sync def")
'''

CRLF = (
    b"from lib.helpers import get_manager\r\n\r\n\r\n"
    b"async def crlf() -> None:\r\n"
    b"    manager = await get_manager()\r\n"
    b'    manager.send("crlf")\r\n'
)
TABS = (
    b"from lib.helpers import create_manager\n\n\n"
    b"async def tabs() -> None:\n"
    b"\tif True:\n"
    b'\t\tcreate_manager().send("tabs")\n'
)

DIFF = (
    b"--- a/app/crlf.py\n"
    b"+++ b/app/crlf.py\n"
    b"@@ -2,5 +2,5 @@\n"
    b" \r\n"
    b" \r\n"
    b" async def crlf() -> None:\r\n"
    b"-    manager = await get_manager()\r\n"
    b"+    manager = get_manager()\r\n"
    b'     manager.send("crlf")\r\n'
    b"--- a/app/shapes.py\n"
    b"+++ b/app/shapes.py\n"
    b"@@ -10,32 +10,32 @@\n"
    b" \n"
    b" \n"
    b" async def awaits(ready: bool) -> Manager:\n"
    b"-    nested = await wrap(await get_manager())\n"
    b'-    (await get_manager()).send("parenthesised")\n'
    b"-    await (await get_manager()).close()\n"
    b"-    managers = [await get_manager(str(i)) for i in range(3)]\n"
    b"-    maybe = await get_manager() if ready else None\n"
    b'-    label = ("caf\xc3\xa9", await get_manager())\n'
    b"-    multi_line = await get_manager(\n"
    b"+    nested = await wrap(get_manager())\n"
    b'+    get_manager().send("parenthesised")\n'
    b"+    await get_manager().close()\n"
    b"+    managers = [get_manager(str(i)) for i in range(3)]\n"
    b"+    maybe = get_manager() if ready else None\n"
    b'+    label = ("caf\xc3\xa9", get_manager())\n'
    b"+    multi_line = get_manager(\n"
    b'         "multi-line",\n'
    b"     )\n"
    b"-    commented = await get_manager(  # the user's manager\n"
    b"+    commented = get_manager(  # the user's manager\n"
    b'         "commented",  # a comment inside the call\n'
    b"     )\n"
    b"     print(nested, managers, maybe, label, multi_line, commented)\n"
    b"-    return await get_manager()\n"
    b"+    return get_manager()\n"
    b" \n"
    b" \n"
    b" async def forgets(ready: bool) -> Manager:\n"
    b'-    create_manager().send("attribute base")\n'
    b"-    if create_manager():\n"
    b'+    (await create_manager()).send("attribute base")\n'
    b"+    if await create_manager():\n"
    b"         pass\n"
    b"-    value = 1 if create_manager() else 2\n"
    b"-    create_manager()\n"
    b"-    manager = create_manager()\n"
    b"+    value = 1 if await create_manager() else 2\n"
    b"+    await create_manager()\n"
    b"+    manager = await create_manager()\n"
    b'     manager.send("later use")\n'
    b"     print(value)\n"
    b"-    return create_manager()\n"
    b"+    return await create_manager()\n"
    b" \n"
    b" \n"
    b" def sync_caller() -> None:\n"
    b"--- a/app/tabs.py\n"
    b"+++ b/app/tabs.py\n"
    b"@@ -3,4 +3,4 @@\n"
    b" \n"
    b" async def tabs() -> None:\n"
    b" \tif True:\n"
    b'-\t\tcreate_manager().send("tabs")\n'
    b'+\t\t(await create_manager()).send("tabs")\n'
)

SYNC_CALLER = (
    'app/shapes.py:42:5: error: Coroutine "create_manager()" is used without "await" '
    '(attribute "send" is looked up on the coroutine, not on its result); add "await"  '
    "[missing-await]"
)
NOTES = (
    'app/shapes.py:42:5: not edited, the enclosing function "sync_caller" is not "async def": '
    'Coroutine "create_manager()" is used without "await" (attribute "send" is looked up on '
    'the coroutine, not on its result); add "await"  [missing-await]\n'
    "lib/helpers.py: not edited, outside the given paths (1 finding)\n"
)
NOT_AWAITABLE = (
    'error: Cannot await "get_manager()": it returns "Manager", which is not awaitable; '
    'remove the "await"  [await-not-awaitable]'
)


def missing(line: int, column: int, why: str, later: str = "") -> str:
    return (
        f'app/shapes.py:{line}:{column}: error: Coroutine "create_manager()" {later}is used '
        f'without "await" ({why}); add "await"'
        + (" on line 35" if later else "")
        + "  [missing-await]"
    )


ATTRIBUTE = 'attribute "send" is looked up on the coroutine, not on its result'
TRUE = "a coroutine object is always true"
BEFORE = [
    f"  app/crlf.py:5:21: {NOT_AWAITABLE}",
    *(
        f"  app/shapes.py:{line}:{column}: {NOT_AWAITABLE}"
        for line, column in [(13, 31), (14, 12), (15, 18), (16, 23), (17, 19)]
    ),
    "LABEL",  # line 18: its column depends on how mypy counts "é" (see below)
    *(
        f"  app/shapes.py:{line}:{column}: {NOT_AWAITABLE}"
        for line, column in [(19, 24), (22, 23), (26, 18)]
    ),
    f"  {missing(30, 5, ATTRIBUTE)}",
    f"  {missing(31, 8, TRUE)}",
    f"  {missing(33, 18, TRUE)}",
    f"  {missing(34, 5, 'it is dropped and never runs')}",
    "  " + missing(36, 5, ATTRIBUTE, later='assigned to "manager" on line 35 '),
    "  " + missing(38, 12, 'it is returned from a function declared to return "Manager"'),
    f"  {SYNC_CALLER}",
    '  app/tabs.py:6:3: error: Coroutine "create_manager()" is used without "await" '
    '(attribute "send" is looked up on the coroutine, not on its result); add "await"  '
    "[missing-await]",
]
# "é" is one character but two UTF-8 bytes: mypy 1.19 counts bytes, mypy 2.x characters.
# mypy 2.4 reports 27 here (characters less the extra bytes).
LABELS = {f"  app/shapes.py:18:{column}: {NOT_AWAITABLE}" for column in (27, 28, 29)}


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mypy cache per test worker: typeshed is analysed once, not once per test."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture
def project(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "mypy.ini").write_text(MYPY_INI)
    (tmp_path / ".git").mkdir()  # mypy looks for its config no further up
    for package in ("app", "lib"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "lib" / "helpers.py").write_text(HELPERS)
    (tmp_path / "app" / "shapes.py").write_text(SHAPES, encoding="utf-8")
    (tmp_path / "app" / "crlf.py").write_bytes(CRLF)
    (tmp_path / "app" / "tabs.py").write_bytes(TABS)
    monkeypatch.setenv("MYPY_CACHE_DIR", str(cache_dir))
    return tmp_path


def run_fix(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "mypy_wsplugin", "fix", *args],
        cwd=project,
        capture_output=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "MYPYPATH"},
    )


def snapshot(project: Path) -> dict[str, tuple[bytes, int]]:
    return {
        path.relative_to(project).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(project.rglob("*.py"))
    }


def write_with_findings(*findings: Finding) -> tuple[int, str]:
    """``fix --write app`` where each mypy run reports ``findings``: its exit status and
    what it printed on stderr."""

    def runner(args: Sequence[str]) -> MypyRun:
        return MypyRun(findings, 0, 1, ())

    out, err = io.StringIO(), io.StringIO()
    return fix(["app"], [], Mode.WRITE, runner=runner, out=out, err=err), err.getvalue()


def test_dry_run_prints_the_diff_and_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    result = run_fix(project, "app")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == DIFF
    assert result.stderr.decode() == NOTES + (
        "17 edits in 3 files; to apply: mypy-wsplugin fix --write app\n"
    )
    assert snapshot(project) == before
    check = run_fix(project, "--check", "app")
    assert (check.returncode, check.stdout) == (1, DIFF)


def test_write_applies_every_shape_then_changes_nothing(project: Path) -> None:
    helpers = (project / "lib" / "helpers.py").stat().st_mtime_ns
    result = run_fix(project, "--write", "app")
    assert result.returncode == 1, result.stderr.decode()  # the sync caller is left
    lines = result.stdout.decode().splitlines()
    label = lines.index("before: 18 findings") + 7
    assert lines[label] in LABELS
    lines[label] = "LABEL"
    assert lines == [
        "fixed app/crlf.py (1 edit)",
        "fixed app/shapes.py (15 edits)",
        "fixed app/tabs.py (1 edit)",
        "before: 18 findings",
        *BEFORE,
        "after: 1 finding",
        f"  {SYNC_CALLER}",
    ]
    assert result.stderr.decode() == NOTES
    assert (project / "app" / "shapes.py").read_text(encoding="utf-8") == SHAPES_FIXED
    assert (project / "app" / "crlf.py").read_bytes() == CRLF.replace(b"await get", b"get")
    assert (project / "app" / "tabs.py").read_bytes() == TABS.replace(
        b"\t\tcreate_manager()", b"\t\t(await create_manager())"
    )
    assert (project / "lib" / "helpers.py").stat().st_mtime_ns == helpers
    assert list(project.rglob("*.tmp")) == []

    # Idempotent: the second run finds only what needs a person, and writes nothing.
    written = snapshot(project)
    again = run_fix(project, "--write", "app")
    assert again.returncode == 1
    assert again.stdout.decode().splitlines() == [
        "before: 1 finding",
        f"  {SYNC_CALLER}",
        "after: 1 finding",
        f"  {SYNC_CALLER}",
    ]
    assert snapshot(project) == written


ALIKE = """\
async def rows() -> list[int]:
    return [3]


async def num() -> int:
    return 1


async def main(f: bool) -> int:
    m = max(rows()) + max(rows())
    k = num() + 1 if f else num() + 2
    return m + k
"""


def test_write_edits_both_findings_alike_on_a_line(project: Path) -> None:
    """Two coroutines alike on a line are two findings, the second naming its column
    (mypy prints one error per line and text): ``--write`` edits both in one run."""
    (project / "app" / "alike.py").write_text(ALIKE)
    result = run_fix(project, "--write", "app/alike.py")
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "fixed app/alike.py (4 edits)"
    assert lines[1] == "before: 4 findings"
    assert [line.split(": error: ")[0].strip() for line in lines[2:6]] == [
        "app/alike.py:10:13",
        "app/alike.py:10:27",
        "app/alike.py:11:9",
        "app/alike.py:11:29",
    ]
    assert lines[3].endswith('add "await" (at column 27)  [missing-await]')
    assert lines[6:] == ["after: 0 findings"]
    fixed = (project / "app" / "alike.py").read_text()
    assert "m = max(await rows()) + max(await rows())" in fixed
    assert "k = await num() + 1 if f else await num() + 2" in fixed


def test_a_file_mypy_cannot_parse_stops_the_fix(project: Path) -> None:
    (project / "app" / "broken.py").write_text("async def broken(:\n    pass\n")
    before = snapshot(project)
    result = run_fix(project, "--write", "app")
    assert result.returncode == 2
    assert result.stdout == b""
    first, *problems, last = result.stderr.decode().splitlines()
    assert first == "mypy could not check the code (exit status 2):"
    # mypy's own words differ by version (1.19: "Invalid syntax", then its summary line).
    assert problems[0].startswith("  app/broken.py:1:") and problems[0].endswith("  [syntax]")
    assert last == "nothing was edited"
    assert snapshot(project) == before


# In this process: the safety rules


def changing(path: Path, text: str) -> tuple[list[str], Runner]:
    """A runner that runs mypy, then changes ``path`` as an editor would."""
    seen: list[str] = []

    def runner(args: Sequence[str]) -> MypyRun:
        result = run(args)
        if not seen:
            path.write_text(text)
        seen.append(path.read_text())
        return result

    return seen, runner


def test_a_file_changed_since_the_mypy_run_is_skipped(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    edited = SHAPES.replace("café", "cafe")
    seen, runner = changing(project / "app" / "shapes.py", edited)
    out, err = io.StringIO(), io.StringIO()
    status = fix(["app"], [], Mode.WRITE, runner=runner, out=out, err=err)
    assert status == 1
    assert out.getvalue().splitlines()[:2] == [
        "fixed app/crlf.py (1 edit)",
        "fixed app/tabs.py (1 edit)",
    ]
    assert err.getvalue() == (
        "app/shapes.py: skipped, it changed since the mypy run\n"
        "lib/helpers.py: not edited, outside the given paths (1 finding)\n"
    )
    assert (project / "app" / "shapes.py").read_text() == edited
    assert len(seen) == 2  # mypy ran again after writing the other two


def test_a_file_that_does_not_parse_is_skipped(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    broken = project / "app" / "broken.py"
    broken.write_text("async def broken(:\n    await get()\n")
    message = 'Cannot await "get()": it returns "int", which is not awaitable; remove the "await"'
    finding = Finding("app/broken.py", 2, 10, None, None, "await-not-awaitable", message)
    status, err = write_with_findings(finding)
    assert status == 1
    assert err.startswith("app/broken.py: skipped, it does not parse: ")
    assert err.count("\n") == 1
    assert broken.read_text() == "async def broken(:\n    await get()\n"


CALLABLES = """\
from __future__ import annotations

from typing import Awaitable, Callable, Optional


async def fetch(n: int) -> int:
    return n


def get_handler() -> Callable[[int], Awaitable[int]]:
    return fetch


class Conn:
    on_data: Optional[Callable[[int], Awaitable[int]]] = None

    async def run(self) -> None:
        await get_handler()
        await self.on_data
        await fetch
"""


def test_an_awaited_callable_keeps_its_await(project: Path) -> None:
    """Taking the ``await`` away from a callable would leave the call undone: ``fix``
    leaves each to a person, with the change to make, and writes nothing."""
    (project / "app" / "callables.py").write_text(CALLABLES)
    before = snapshot(project)
    result = run_fix(project, "--write", "app/callables.py")
    assert result.returncode == 1, result.stderr.decode()
    assert result.stdout.decode().splitlines()[0] == "before: 3 findings"
    assert [line.split(": Cannot await")[0] for line in result.stderr.decode().splitlines()] == [
        "app/callables.py:18:15: not edited, a call gives a callable, not an awaitable: "
        "call what it returns",
        "app/callables.py:19:15: not edited, a callable or None is awaited: call it where it "
        "is not None",
        "app/callables.py:20:15: not edited, a callable is awaited, not a call of it: call it",
    ]
    assert snapshot(project) == before


def test_mypys_error_about_another_coroutine_on_a_findings_line_is_kept(
    tmp_path: Path, cache_dir: Path
) -> None:
    """mypy's error about a ``Coroutine[Any, Any, Any]`` is dropped where the plugin filed
    a ``missing-await`` at the same place (the same finding), not elsewhere on the line: it
    may be about another coroutine.  (The YAML corpus compares outputs line by line, so
    this case stands here.)"""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    (tmp_path / "main.py").write_text(
        "from typing import Any, Coroutine\n\n\n"
        "async def make(request):\n    return request\n\n\n"
        "async def run(request: Any, other: Coroutine[Any, Any, Any]) -> None:\n"
        "    r = make(request)\n"
        "    print(r[0], other + 1)\n"
        "    await r\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-error-summary",
            "--cache-dir",
            str(cache_dir),
            "main.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "MYPYPATH"},
    )
    assert result.stdout.splitlines() == [
        'main.py:10: error: Coroutine "make()" assigned to "r" on line 9 is used without '
        '"await" (a coroutine object cannot be subscripted); add "await" on line 9  '
        "[missing-await]",
        'main.py:10: error: Unsupported operand types for + ("Coroutine[Any, Any, Any]" and '
        '"int")  [operator]',
    ]


def test_nothing_to_fix(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)

    def runner(args: Sequence[str]) -> MypyRun:
        assert args == ["app"]
        return MypyRun((), 0, 0, ())

    out, err = io.StringIO(), io.StringIO()
    assert fix(["app"], [], Mode.CHECK, runner=runner, out=out, err=err) == 0
    assert (out.getvalue(), err.getvalue()) == ("", "nothing to fix\n")


def test_a_config_without_the_plugin_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "mypy.ini").write_text("[mypy]\nstrict = true\n")
    monkeypatch.chdir(project)
    err = io.StringIO()
    assert fix(["app"], [], Mode.DIFF, err=err) == 2
    assert err.getvalue() == (
        "mypy-wsplugin: error: the plugin is not enabled (mypy.ini): "
        "add 'plugins = mypy_wsplugin' to mypy's configuration\n"
    )


def test_text_runs_and_fix_runs_each_read_their_own_lines_from_the_cache(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mypy's text runs and the command's JSON runs, one after the other with one cache
    directory, each print in their own format (mypy 1.19.0 keeps printed lines in its
    cache: there the JSON runs keep a cache of their own, under the project's)."""
    cache = tmp_path_factory.mktemp("own-cache") / "cache"  # not there yet
    monkeypatch.setenv("MYPY_CACHE_DIR", str(cache))

    def mypy_text() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--no-error-summary", "app"],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return done.stdout

    def dry_run() -> None:
        dry = run_fix(project, "app")
        assert dry.returncode == 0, dry.stderr.decode()
        assert dry.stdout == DIFF

    dry_run()  # the first run: mypy's cache directory made as mypy makes it
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    assert (cache / "CACHEDIR.TAG").is_file()
    text = mypy_text()
    assert text and all(line.endswith("]") for line in text.splitlines()), text  # not JSON
    for _ in range(2):  # the JSON run's cache read, after a text run
        dry_run()
    assert mypy_text() == text
    assert (cache / JSON_CACHE).is_dir() == ERRORS_CACHED_AS_PRINTED


def test_the_json_runs_cache_is_under_the_projects(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.delenv("MYPY_CACHE_DIR")
    assert json_cache_dir(["app"]) == os.path.join(".mypy_cache", JSON_CACHE)
    assert json_cache_dir(["--cache-dir", "elsewhere", "app"]) == os.path.join(
        "elsewhere", JSON_CACHE
    )
    assert json_cache_dir(["--cache-dir", os.devnull, "app"]) == os.devnull
    assert json_cache_dir(["--no-such-option", "app"]) == os.devnull


def test_atomic_write_keeps_the_mode_and_refuses_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_bytes(b"x = 1\n")
    path.chmod(0o640)
    before = Snapshot.of(path)
    write_atomic(path, b"x = 2\n", before)
    assert path.read_bytes() == b"x = 2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    with pytest.raises(ChangedError):
        write_atomic(path, b"x = 3\n", before)  # it holds "x = 2" now, not what was read
    assert path.read_bytes() == b"x = 2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mod.py"]


BIT_LENGTH = (
    'A coroutine is used without "await" ("Coroutine[Any, Any, int]" has no attribute '
    '"bit_length"); add "await"  [missing-await]'
)
DEFINITION_HEADERS = """\
from typing import Any, Callable


async def coro() -> int:
    return 1


def deco(x: int) -> Callable[[Any], Any]:
    return lambda f: f


@deco(coro().bit_length())
async def at_the_top() -> None:
    pass


class C:
    async def m(self, x: int = coro().bit_length()) -> None:
        pass


async def outer() -> None:
    def inner(x: int = coro().bit_length()) -> None:
        pass

    inner()
    coro().bit_length()
"""


def test_decorators_and_defaults_are_judged_in_the_scope_around_the_definition(
    project: Path,
) -> None:
    """A decorator's and a default's calls run where the ``def`` stands: an ``await`` there
    belongs to the scope around it (module level, a class body: by hand; an ``async def``
    around a nested ``def``: edited), and the other edits of the file are still made."""
    (project / "app" / "headers.py").write_text(DEFINITION_HEADERS)
    result = run_fix(project, "--write", "app/headers.py")
    assert result.returncode == 1, result.stderr.decode()
    assert result.stderr.decode().splitlines() == [
        f"app/headers.py:12:7: not edited, it is not inside a function: {BIT_LENGTH}",
        f"app/headers.py:18:32: not edited, it is inside a class body: {BIT_LENGTH}",
    ]
    fixed = (project / "app" / "headers.py").read_text()
    assert fixed == DEFINITION_HEADERS.replace(
        "    def inner(x: int = coro().bit_length())",
        "    def inner(x: int = (await coro()).bit_length())",
    ).replace("    coro().bit_length()\n", "    (await coro()).bit_length()\n")


def test_an_edit_that_would_not_compile_is_left_by_hand_and_the_others_are_made(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ``await`` where Python allows none (an annotation under ``from __future__ import
    annotations``) is named as left to be made by hand; the file's other edits are made."""
    monkeypatch.chdir(project)
    source = (
        "from __future__ import annotations\n"
        "\n"
        "async def f() -> None:\n"
        "    def g(x: coro().t) -> None: ...\n"
        "    coro().bit_length()\n"
    )
    path = project / "app" / "annotated.py"
    path.write_text(source)
    message = (
        'A coroutine is used without "await" (attribute "t" is looked up on the coroutine, '
        'not on its result); add "await"'
    )
    findings = (
        Finding("app/annotated.py", 4, 13, 4, 19, "missing-await", message),
        Finding(
            "app/annotated.py", 5, 4, 5, 10, "missing-await", message.replace('"t"', '"bit_length"')
        ),
    )

    def runner(args: Sequence[str]) -> MypyRun:
        return MypyRun(findings if path.read_text() == source else findings[:1], 0, 1, ())

    out, err = io.StringIO(), io.StringIO()
    assert fix(["app"], [], Mode.WRITE, runner=runner, out=out, err=err) == 1
    assert err.getvalue() == (
        f"app/annotated.py:4:14: not edited, the edited code would not compile: {message}  "
        "[missing-await]\n"
    )
    assert path.read_text() == source.replace(
        "    coro().bit_length()", "    (await coro()).bit_length()"
    )


MANAGERS_AND_WALRUSES = """\
class CM:
    async def __aenter__(self) -> int:
        return 1

    async def __aexit__(self, *a: object) -> None:
        pass

    def __enter__(self) -> int:
        return 1

    def __exit__(self, *a: object) -> None:
        pass


async def make_cm() -> CM:
    return CM()


async def rows() -> list[int]:
    return [1]


async def main() -> int:
    async with make_cm() as x:
        pass
    with make_cm() as y:
        pass
    b = (r := rows()).count(1)
    if c := rows():
        return x + y + b + len(r) + len(c)
    return 0
"""


def test_managers_and_walrus_values_are_found_and_awaited(project: Path) -> None:
    """mypy reports a ``with`` statement's manager by the method it looks up on it, and a
    walrus's value by how the walrus is used: the call is found there."""
    (project / "app" / "managers.py").write_text(MANAGERS_AND_WALRUSES)
    result = run_fix(project, "--write", "app/managers.py")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode() == ""
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "fixed app/managers.py (4 edits)"
    assert lines[-1] == "after: 0 findings"
    assert (project / "app" / "managers.py").read_text() == (
        MANAGERS_AND_WALRUSES.replace("async with make_cm()", "async with await make_cm()")
        .replace("    with make_cm()", "    with await make_cm()")
        .replace("(r := rows())", "(r := await rows())")
        .replace("c := rows()", "c := await rows()")
    )


def test_a_link_to_a_file_outside_the_paths_is_a_finding_left_unedited(project: Path) -> None:
    """A file under the given paths that links to one outside them: its findings are the
    command's (``--check`` fails, ``--write`` lists them), and the file linked to is not
    written."""
    outside = project / "outside"
    outside.mkdir()
    real = outside / "real.py"
    real.write_text(
        "async def coro() -> int:\n    return 1\n\n\n"
        "async def f() -> None:\n    coro().bit_length()\n"
    )
    (project / "links").mkdir()
    (project / "links" / "link.py").symlink_to(real)
    before = real.read_bytes()
    check = run_fix(project, "--check", "links")
    assert check.returncode == 1
    assert check.stderr.decode().splitlines() == [
        "links/link.py:6:5: not edited, it is a link to a file outside the given paths: "
        'Coroutine "coro()" is used without "await" (attribute "bit_length" is looked up on '
        'the coroutine, not on its result); add "await"  [missing-await]',
        "no edits to make; 1 finding left",
    ]
    write = run_fix(project, "--write", "links")
    assert write.returncode == 1
    assert write.stdout.decode().splitlines()[0] == "before: 1 finding"
    assert write.stdout.decode().splitlines()[2] == "after: 1 finding"
    assert real.read_bytes() == before


def test_a_file_whose_encoding_libcst_cannot_read_is_skipped_in_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A coding declaration in a file whose lines end in a lone CR: Python reads it, libcst
    (through ``tokenize``) does not find it (review, session 58: a traceback)."""
    monkeypatch.chdir(project)
    data = (
        b"# -*- coding: latin-1 -*-\r# caf\xe9\rasync def rows() -> list[int]:\r"
        b"    return [1]\r\r\rasync def main() -> int:\r    return rows().count(1)\r"
    )
    path = project / "app" / "latin.py"
    path.write_bytes(data)
    message = (
        'Coroutine "rows()" is used without "await" (attribute "count" is looked up on the '
        'coroutine, not on its result); add "await"'
    )
    finding = Finding("app/latin.py", 8, 11, 8, 17, "missing-await", message)
    status, err = write_with_findings(finding)
    assert status == 1
    assert err.startswith("app/latin.py: skipped, its encoding cannot be read: ")
    assert err.count("\n") == 1
    assert path.read_bytes() == data
