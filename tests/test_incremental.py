"""The same findings cold, warm (replayed from the cache), after an edit, and with workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from mypy.options import Options
from mypy.plugin import ReportConfigContext

from mypy_wsplugin.mypy_internals import CAPABILITIES, MYPY, typeshed_dir
from mypy_wsplugin.plugin import WsPlugin
from tests.edit_sequences import with_stubs
from tests.forked_mypy import run_python

HAS_POST_PASS = CAPABILITIES.post_pass

PROJECT = {
    "mypy.ini": "[mypy]\nplugins = mypy_wsplugin\n[mypy_wsplugin]\n"
    "sync_factories = app.ws.get_manager -> app.ws.Manager\n",
    "app/__init__.py": "",
    "app/ws.py": (
        "class Manager:\n    def send(self, text: str) -> None: ...\n\n\n"
        "def get_manager(ctx: object) -> Manager:\n    return Manager()\n\n\n"
        "async def create_manager(ctx: object) -> Manager:\n    return Manager()\n"
    ),
    "app/typed.py": (
        "from app.ws import create_manager, get_manager\n\n\n"
        "async def handle() -> None:\n"
        "    manager = await get_manager(1)\n"
        "    create_manager(1).send('x')\n"
        "    await str(manager)\n"
    ),
    "app/legacy.py": (
        "from app.ws import create_manager, get_manager\n\n\n"
        "def local(ctx):\n    return [ctx]\n\n\n"
        "async def handle(ctx):\n"
        "    manager = await get_manager(ctx)\n"
        "    await local(ctx)\n"
        "    if create_manager(ctx):\n        pass\n"
    ),
}


def mypy(root: Path, *args: str) -> list[str]:
    result = run_python(
        sys.executable, ["-m", "mypy", "--no-error-summary", *args, "app"], cwd=root, timeout=300
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return sorted(result.stdout.splitlines())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_cold_warm_and_edited_runs_agree(project: Path) -> None:
    cold = mypy(project, "--cache-dir", with_stubs(project, "cache"))
    expected_lines = {"app/typed.py:5:", "app/typed.py:6:", "app/typed.py:7:"}
    if HAS_POST_PASS:
        expected_lines |= {"app/legacy.py:9:", "app/legacy.py:10:", "app/legacy.py:11:"}
    assert {line.split(" error:")[0] for line in cold} == expected_lines
    assert mypy(project, "--cache-dir", "cache") == cold  # replayed from the cache
    # Edit only the caller: the factory's module now comes from the cache.
    legacy = project / "app" / "legacy.py"
    legacy.write_text(legacy.read_text() + "\n# edited\n")
    assert mypy(project, "--cache-dir", "cache") == cold
    assert mypy(project, "--cache-dir", with_stubs(project, "fresh")) == cold


def test_runs_without_a_cache_agree(tmp_path: Path) -> None:
    """A run that writes no cache (``--cache-dir /dev/null``) and runs that write one agree
    where an unannotated method returns ``self``: what a method's ``self`` holds when the
    plugin keeps a module's results differs between them (the defining class, or nothing),
    so it is not read (a review found the awaitable query builder's ``where`` judged as the
    base class, which is not awaitable, in runs without a cache only)."""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "query.py").write_text(
        "class QueryBase:\n    def where(self, **kw):\n        return self\n\n"
        "    def count(self):\n        return 1\n\n\n"
        "class Query(QueryBase):\n    def __await__(self):\n        yield\n"
    )
    (app / "use.py").write_text(
        "from app.query import Query\n\n\nasync def rows():\n"
        "    await Query().where(a=1)\n    await Query().count()\n"
    )
    expected = (
        [
            'app/use.py:6: error: Cannot await "QueryBase.count()": it returns "int", which is '
            'not awaitable; remove the "await"  [await-not-awaitable]'
        ]
        if HAS_POST_PASS
        else []
    )
    assert mypy(tmp_path, "--no-incremental", "--cache-dir", os.devnull) == expected
    assert mypy(tmp_path, "--no-incremental", "--cache-dir", "cold") == expected
    assert mypy(tmp_path, "--cache-dir", with_stubs(tmp_path, "cache")) == expected
    assert mypy(tmp_path, "--cache-dir", "cache") == expected


@pytest.mark.parametrize(
    "base",
    [
        pytest.param(
            "import hashlib\n\n\ndef size() -> int:\n    return hashlib.sha256().digest_size\n",
            id="stub_loaded_before_the_first_question",
        ),
        pytest.param(
            "from _hashlib import openssl_sha256\n\n\n"
            "def size() -> int:\n    return openssl_sha256().digest_size\n",
            id="stub_loaded_after_the_first_question",
        ),
    ],
)
def test_a_stub_from_the_cache_names_what_it_re_exports_under_another_name(
    tmp_path: Path, base: str
) -> None:
    """hashlib's stub re-exports ``_hashlib.openssl_sha256`` as ``sha256``, and mypy asks
    for the hook of ``await sha256(data)`` under the definition's name.  In a run whose
    stubs all come from the cache and whose modules are all new, a name that nothing
    awaits gets no hook (facts/awaited_names), decided at the first question (in
    ``app.base``), before ``app.digest`` is analysed:

    * where ``app.base`` imports hashlib, its stub is loaded by then, and only its symbol
      table says that ``openssl_sha256`` is awaited;
    * where ``app.base`` calls ``openssl_sha256`` from ``_hashlib``, hashlib's stub is
      loaded only after that question, so nothing is decided until every module of the
      graph is loaded (or the hook of ``openssl_sha256`` would be None for the run).

    Without either, mypy's own ``[misc]`` error is printed instead.  The same line with no
    cache at all, and warm."""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    for path, text in {
        "seed/__init__.py": "import hashlib\n",  # puts hashlib's stubs in the cache
        "app/__init__.py": "",
        "app/base.py": base,
        "app/digest.py": (
            "from hashlib import sha256\n\nfrom app.base import size\n\n\n"
            "async def digest(data: bytes) -> str:\n    size()\n"
            "    return (await sha256(data)).hexdigest()\n"
        ),
    }.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    cache = with_stubs(tmp_path, "cache")
    seeded = run_python(
        sys.executable, ["-m", "mypy", "--cache-dir", cache, "seed"], cwd=tmp_path, timeout=300
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    expected = [
        'app/digest.py:8: error: Cannot await "openssl_sha256()": it returns "HASH", which is '
        'not awaitable; remove the "await"  [await-not-awaitable]'
    ]
    assert mypy(tmp_path, "--cache-dir", cache) == expected
    assert mypy(tmp_path, "--cache-dir", cache) == expected  # replayed
    assert mypy(tmp_path, "--no-incremental", "--cache-dir", os.devnull) == expected


@pytest.mark.skipif(MYPY < (2, 4), reason="mypy -n (parallel workers) is checked on mypy >= 2.4")
def test_parallel_workers_agree(project: Path) -> None:
    sequential = mypy(project, "--cache-dir", with_stubs(project, "seq"))
    assert mypy(project, "-n", "2", "--cache-dir", with_stubs(project, "par")) == sequential
    assert mypy(project, "-n", "2", "--cache-dir", "par") == sequential


def test_warm_run_after_a_dependency_changed_keeps_the_plugin_code(tmp_path: Path) -> None:
    """0.1.0: a module re-checked only because a dependency's interface changed was parsed
    without the plugin's parse-time scan, so the warm run printed mypy's ``[misc]``."""
    (tmp_path / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "f.py").write_text("async def co() -> int:\n    return 1\n")
    (app / "r.py").write_text("class R:\n    def get(self) -> int:\n        return 1\n")
    (app / "h.py").write_text(
        "from app.f import co\nfrom app.r import R\n\n\nasync def h() -> None:\n"
        "    await R().get()\n"
    )
    expected = [
        'app/h.py:6: error: Cannot await "R.get()": it returns "int", which is not awaitable; '
        'remove the "await"  [await-not-awaitable]'
    ]
    assert mypy(tmp_path, "--cache-dir", with_stubs(tmp_path, "cache")) == expected
    (app / "f.py").write_text('async def co() -> str:\n    return "1"\n')
    assert mypy(tmp_path, "--cache-dir", "cache") == expected
    assert mypy(tmp_path, "--no-incremental", "--cache-dir", "cold") == expected


WHOLE_PROGRAM = {
    "mypy.ini": "[mypy]\nplugins = mypy_wsplugin\n",
    "app/__init__.py": "",
    "app/base.py": (
        "class Base:\n    def state(self):\n        return {}\n\n\ndef build():\n    return []\n"
    ),
    "app/mid.py": "from app.base import build\n\n\ndef make():\n    return build()\n",
    "app/use.py": (
        "from app.base import Base\nfrom app.mid import make\n\n\n"
        "class Conn(Base):\n    async def run(self):\n        await self.state()\n"
        "        await make()\n\n    async def typed(self) -> None:\n        await self.state()\n"
        "\n\nasync def chained() -> None:\n    await make()\n"
    ),
}
# Body-only edits of another module's unannotated functions: what the caller sees changes
# though no signature does (the fact is kept in the callee module's cache entry).
BODY_EDITS = [
    ("app/base.py", "return {}", "return None"),
    ("app/base.py", "return []", "return Base()"),
    ("app/base.py", "    def state(self):", "    async def state(self):"),
    ("app/base.py", "return Base()", "return make_async()"),
    ("app/base.py", "class Base:", "async def make_async():\n    return 1\n\n\nclass Base:"),
    ("app/base.py", "return make_async()", "return (1, 2)"),
]


@pytest.mark.skipif(not HAS_POST_PASS, reason="facts about other modules' bodies: mypy >= 2.4")
def test_body_edits_in_other_modules_agree_cold_warm_uncached_and_parallel(
    tmp_path: Path,
) -> None:
    for name, text in WHOLE_PROGRAM.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    first = mypy(tmp_path, "--cache-dir", with_stubs(tmp_path, "warm"))
    assert len(first) == 4, first  # self.state() twice ({}), make() twice ([])
    for step, (name, old, new) in enumerate(BODY_EDITS):
        path = tmp_path / name
        assert old in path.read_text(), (step, old)
        path.write_text(path.read_text().replace(old, new, 1))
        # cold: the program from scratch (the stdlib's stubs from a seeded cache);
        # uncached: no cache at all, the stubs included
        cold = mypy(tmp_path, "--cache-dir", with_stubs(tmp_path, f"cold{step}"))
        assert mypy(tmp_path, "--cache-dir", "warm") == cold, (step, new)
        assert mypy(tmp_path, "--cache-dir", os.devnull) == cold, (step, new)
        if MYPY >= (2, 4):
            parallel = mypy(tmp_path, "-n", "2", "--cache-dir", with_stubs(tmp_path, f"p{step}"))
            assert parallel == cold, (step, new)


ENTRIES_PROJECT = {
    "mypy.ini": (
        "[mypy]\nplugins = mypy_wsplugin\nwarn_unused_configs = true\n\n[mypy_wsplugin]\n"
        "sync_factories =\n"
        "    app.ws.get_manager -> nosuch.mod.Manager\n"  # line 7
        "    ap.ws.get_manager\n"  # line 8
        "    app.ws.get_managr\n"  # line 9
        "    legacy.*.get_*\n"  # line 10
    ),
    "app/__init__.py": "",
    "app/ws.py": "def get_manager(ctx):\n    return object()\n",
    "app/a.py": "from app.ws import get_manager\n\n\nasync def h() -> None:\n    get_manager(1)\n",
    "app/b.py": "from app.ws import get_manager\n\n\nasync def h() -> None:\n    get_manager(2)\n",
}
ENTRY_NOTES = [
    'mypy.ini:7: note: [mypy_wsplugin] sync_factories entry "app.ws.get_manager -> '
    'nosuch.mod.Manager": module "nosuch.mod" of its RESULT cannot be found; what the factory '
    "returns is treated as Any",
    'mypy.ini:8: note: [mypy_wsplugin] sync_factories entry "ap.ws.get_manager" matches '
    'nothing: module "ap" cannot be found',
    'mypy.ini:10: note: [mypy_wsplugin] sync_factories entry "legacy.*.get_*" matches '
    "nothing: no module of the checked program fits it",
]
NAME_NOTE = (
    'app/ws.py:1: note: mypy.ini:9: [mypy_wsplugin] sync_factories entry "app.ws.get_managr" '
    'matches nothing: module "app.ws" has no "get_managr"'
)


def test_entry_notes_once_per_run_in_every_mode(tmp_path: Path) -> None:
    """The notes about entries are printed once per run: cold, warm with nothing to check
    (no module is even loaded), warm after an edit, and with parallel workers."""
    for name, text in ENTRIES_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    expected = sorted(ENTRY_NOTES + ([NAME_NOTE] if HAS_POST_PASS else []))
    cold = mypy(tmp_path, "--no-incremental", "--cache-dir", "cold")
    assert cold == expected
    assert mypy(tmp_path, "--cache-dir", with_stubs(tmp_path, "cache")) == expected
    assert mypy(tmp_path, "--cache-dir", "cache") == expected  # nothing to check
    (tmp_path / "app" / "a.py").write_text(ENTRIES_PROJECT["app/a.py"] + "\n\nx = 1\n")
    assert mypy(tmp_path, "--cache-dir", "cache") == expected
    # Without warn_unused_configs only the RESULT note stays, in every mode.
    assert mypy(tmp_path, "--no-warn-unused-configs", "--cache-dir", "cache") == ENTRY_NOTES[:1]
    assert mypy(tmp_path, "--cache-dir", "cache") == expected
    if MYPY >= (2, 4):
        assert mypy(tmp_path, "-n", "2", "--cache-dir", with_stubs(tmp_path, "par")) == expected
        assert mypy(tmp_path, "-n", "2", "--cache-dir", "par") == expected


def test_result_module_that_appears_and_disappears(tmp_path: Path) -> None:
    """A RESULT module created after a run types its factory's calls in the next warm run,
    as in a cold one; removed again, the warm run says so once (no import error in each
    module that may call the factory)."""
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nplugins = mypy_wsplugin\n[mypy_wsplugin]\n"
        "sync_factories = app.ws.get_manager -> app.models.Manager\n"
    )
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "ws.py").write_text("def get_manager(ctx):\n    return object()\n")
    (app / "use.py").write_text(
        "from app.ws import get_manager\n\n\nasync def h() -> None:\n"
        "    m = get_manager(1)\n    m.nope()\n"
    )
    missing = mypy(tmp_path, "--cache-dir", with_stubs(tmp_path, "cache"))
    assert missing == [
        'mypy.ini:4: note: [mypy_wsplugin] sync_factories entry "app.ws.get_manager -> '
        'app.models.Manager": module "app.models" of its RESULT cannot be found; what the '
        "factory returns is treated as Any"
    ]
    (app / "models.py").write_text("class Manager:\n    pass\n")
    present = mypy(tmp_path, "--cache-dir", "cache")
    assert present == ['app/use.py:6: error: "Manager" has no attribute "nope"  [attr-defined]']
    assert mypy(tmp_path, "--no-incremental", "--cache-dir", "cold") == present
    (app / "models.py").unlink()
    assert mypy(tmp_path, "--cache-dir", "cache") == missing
    assert mypy(tmp_path, "--no-incremental", "--cache-dir", "cold") == missing


# Edits of the plugin's settings, each checked warm against a cold run.
SETTINGS_EDITS = [
    "[mypy_wsplugin]\nsync_factories = app.ws.get_manager\n",
    "[mypy_wsplugin]\nsync_factories = app.ws.get_manager -> app.ws.Manager\n",
    "[mypy_wsplugin]\nsync_factories = app.ws.get_manager -> app.ws.Manager\n"
    "check_all_awaits = false\n",
    "[mypy_wsplugin]\nsync_factories = app.ws.get_*\ncheck_all_awaits = false\n",
    "[mypy_wsplugin]\nasync_factories = app.ws.get_manager\n",
    "",
]


def _written(root: Path) -> set[str]:
    """The modules a warm run writes to its cache (re-checked), from mypy's log."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "-v", "--cache-dir", "warm", "app"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return {
        line.split()[2] for line in result.stderr.splitlines() if line.startswith("LOG:  Writing ")
    }


def test_settings_edits_agree_cold_and_warm_and_keep_the_stdlib_cached(project: Path) -> None:
    """A settings edit re-checks the program in a warm run (what each module reports to the
    cache carries the settings) and leaves the standard library's cache entries as they
    are: the plugin's version in mypy's snapshot does not carry the settings."""
    config = project / "mypy.ini"
    mypy(project, "--cache-dir", with_stubs(project, "warm"))
    for step, settings in enumerate(SETTINGS_EDITS):
        config.write_text("[mypy]\nplugins = mypy_wsplugin\n" + settings)
        written = _written(project)
        assert "app.typed" in written and "builtins" not in written, (settings, written)
        cold = mypy(project, "--cache-dir", with_stubs(project, f"cold{step}"))
        assert mypy(project, "--cache-dir", "warm") == cold, settings


@pytest.mark.parametrize("settings", ["", "[mypy_wsplugin]\ncheck_all_awaits = false\n"])
def test_the_answer_for_each_module_from_its_path_alone_is_the_methods(
    tmp_path: Path, settings: str
) -> None:
    """Where only a module's path decides what it reports to the cache (no factory entries),
    a run's answers come from a quick form of ``report_config_data`` (a warm run's one
    callback): for stubs, absolute and relative paths and names next to typeshed's folder,
    it answers as the method does."""
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nplugins = mypy_wsplugin\n" + settings)
    options = Options()
    options.config_file = str(config)
    options.cache_dir = str(tmp_path)  # a cache exists: no scan of the heap
    plugin = WsPlugin(options)
    assert "report_config_data" in vars(plugin)
    typeshed = typeshed_dir(options)
    paths = [
        typeshed + "stdlib/builtins.pyi",
        typeshed + "stdlib/os/__init__.pyi",
        typeshed.rstrip(os.sep) + "2/x.pyi",
        typeshed.rstrip(os.sep) + ".pyi",
        str(tmp_path / "app" / "m.py"),
        os.path.relpath(typeshed + "stdlib/abc.pyi"),
        "app/m.py",
        "./app/../m.py",
        "",
    ]
    answers = [plugin.report_config_data(ReportConfigContext("m", path, True)) for path in paths]
    # The settings, and nothing for the standard library's stubs.
    assert answers[:2] == [{}, {}] and answers[2] != {} and len(set(map(str, answers))) == 2
    for path in paths:
        ctx = ReportConfigContext("m", path, True)
        assert plugin.report_config_data(ctx) == WsPlugin.report_config_data(plugin, ctx), path
    factories = "[mypy_wsplugin]\nsync_factories = app.get\n"
    config.write_text("[mypy]\nplugins = mypy_wsplugin\n" + factories)
    assert "report_config_data" not in vars(WsPlugin(options))


# Runs mypy in this process and then says which of the plugin's modules it imported and how
# often the plugin scanned the heap (gc.get_referrers: how it finds mypy's build objects).
_OBSERVED_RUN = """
import gc, json, sys
scans = []
real = gc.get_referrers
gc.get_referrers = lambda *objs: (scans.append(1), real(*objs))[1]
from mypy.main import main
try:
    main(args=sys.argv[1:], clean_exit=True)
except SystemExit:
    pass
modules = sorted(name for name in sys.modules if name.startswith("mypy_wsplugin"))
compiled = sorted(
    name for name in modules if not getattr(sys.modules[name], "__file__", ".py").endswith(".py")
)
print(json.dumps({"modules": modules, "compiled": compiled, "scans": len(scans)}))
"""


def _observed(root: Path, *args: str) -> tuple[list[str], dict[str, object]]:
    result = subprocess.run(
        [sys.executable, "-c", _OBSERVED_RUN, "--no-error-summary", *args, "app"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    *lines, observed = result.stdout.splitlines()
    return sorted(lines), json.loads(observed)


def test_a_run_that_finds_everything_in_its_cache_does_only_the_cheap_part(
    project: Path,
) -> None:
    """A warm run with nothing changed asks the plugin only for each module's settings
    (``report_config_data``): it imports only what start-up needs (not the hooks, their
    tables, the factory matching, what is said of entries, what re-labels mypy's errors, or
    the wrappers of mypy's build, checker and ``Errors``; on the compiled build, no compiled
    module), and looks for none of mypy's build
    objects (a heap scan), yet replays the same lines.  The cold run before it does all
    that.  (A RESULT in the settings makes every run look for mypy's module finder: whether
    its module can be found is part of the settings.)"""
    (project / "mypy.ini").write_text("[mypy]\nplugins = mypy_wsplugin\n")
    cache = with_stubs(project, "cache")
    cold, cold_seen = _observed(project, "--cache-dir", cache)
    warm, warm_seen = _observed(project, "--cache-dir", cache)
    assert cold and warm == cold
    start_up = {
        "mypy_wsplugin",
        "mypy_wsplugin.config",
        "mypy_wsplugin.errorcodes",
        "mypy_wsplugin.mypy_internals",
        "mypy_wsplugin.mypy_internals.startup",
        "mypy_wsplugin.mypy_internals.versions",
        "mypy_wsplugin.plugin",
    }
    lazy = {
        "mypy_wsplugin.checks.mypy_await_notes",
        "mypy_wsplugin.entries",
        "mypy_wsplugin.factories",
        "mypy_wsplugin.hook_tables",
        "mypy_wsplugin.hooks",
        "mypy_wsplugin.messages",
        "mypy_wsplugin.mypy_internals.build",
        "mypy_wsplugin.mypy_internals.checker",
        "mypy_wsplugin.mypy_internals.errors",
        "mypy_wsplugin.notices",
    }
    assert start_up | lazy <= set(cast("list[str]", cold_seen["modules"]))
    assert cast(int, cold_seen["scans"]) >= 1
    assert set(cast("list[str]", warm_seen["modules"])) == start_up
    # On the compiled build (make pytest), the start-up modules stay Python: the compiled
    # library is never loaded (on the source tree, nothing is compiled either way).
    assert warm_seen["compiled"] == []
    if os.environ.get("WSPLUGIN_COMPILED"):
        assert "mypy_wsplugin.hooks" in cast("list[str]", cold_seen["compiled"])
    assert warm_seen["scans"] == 0
