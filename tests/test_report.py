"""``mypy-wsplugin report``: counts per package, config lines that make the run pass once
pasted, and a JSON format that stays as documented.

The project is green under plain mypy (as a project adopting the plugin is): its findings
are ones plain mypy does not report, an await of a configured factory it sees as ``Any``
and coroutines used as a truth value or for a ``send`` of their result.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mypy_wsplugin import __version__
from mypy_wsplugin.cli import main
from mypy_wsplugin.cli.overrides import Override, overrides, render
from mypy_wsplugin.mypy_internals import MYPY_VERSION

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rolling-out.md"

MYPY_INI = """\
[mypy]
plugins = mypy_wsplugin
strict = true
files = alpha, beta, gamma

# Jobs have a code of their own turned off already.
[mypy-alpha.jobs.*]
disable_error_code = unused-awaitable

[mypy_wsplugin]
sync_factories = alpha.factory.get_manager
"""
PYPROJECT = """\
[tool.mypy]
plugins = ["mypy_wsplugin"]
strict = true
files = ["alpha", "beta", "gamma"]

[tool.mypy_wsplugin]
sync_factories = ["alpha.factory.get_manager"]
"""
FILES = {
    "alpha/__init__.py": "",
    "alpha/api/__init__.py": "",
    "alpha/jobs/__init__.py": "",
    "beta/__init__.py": "",
    "gamma/__init__.py": "",
    "alpha/factory.py": '''\
from typing import Any


class Manager:
    def send(self, text: str) -> None: ...


def get_manager() -> Any:
    """A factory whose result mypy sees as Any (plain mypy accepts awaiting it)."""
    return Manager()


async def create_manager() -> Manager:
    return Manager()
''',
    "alpha/api/views.py": """\
from alpha.factory import create_manager, get_manager


async def view() -> None:
    manager = await get_manager()
    manager.send("x")
    if create_manager():
        pass
""",
    "alpha/jobs/run.py": """\
from alpha.factory import create_manager


async def job() -> None:
    create_manager().send("y")
""",
    "beta/clean.py": """\
from alpha.factory import create_manager


async def fine() -> None:
    (await create_manager()).send("z")
""",
    "gamma/more.py": """\
from alpha.factory import get_manager


async def more() -> None:
    await get_manager()
""",
}
CONFIGURED = (
    'Cannot await "get_manager()": it is configured as a synchronous factory, so what it '
    'returns ("Any") is not awaitable; remove the "await"'
)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture
def project(tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "mypy.ini").write_text(MYPY_INI)
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setenv("MYPY_CACHE_DIR", str(cache_dir))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    status = main(["report", *args])
    captured = capsys.readouterr()
    assert captured.err == ""
    return status, captured.out


def plain_mypy(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "MYPYPATH"},
    )


def test_counts_per_package_and_the_lines_to_paste(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run_report(capsys)
    assert status == 1
    assert out == (
        "mypy_wsplugin findings per package (depth 1):\n"
        "\n"
        "package  await-not-awaitable  missing-await  total\n"
        "alpha                      1              2      3\n"
        "beta                       0              0      0\n"
        "gamma                      1              0      1\n"
        "total                      2              2      4\n"
        "\n"
        "To pass today, with the codes disabled only where they still have findings, add to "
        "mypy.ini:\n"
        "\n"
        "[mypy-alpha.*]\n"
        "disable_error_code = await-not-awaitable, missing-await\n"
        "\n"
        "[mypy-gamma.*]\n"
        "disable_error_code = await-not-awaitable\n"
        "\n"
        "In these sections, which mypy.ini already has, set the disable_error_code shown (the "
        "codes they already disable are kept):\n"
        "\n"
        "[mypy-alpha.jobs.*]\n"
        "disable_error_code = unused-awaitable, await-not-awaitable, missing-await\n"
        "\n"
        "Remove a package's lines once it is clean, and run this again.\n"
    )


def test_depth_two(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_report(capsys, "--depth", "2")
    assert status == 1
    table = out.split("\n\n")[1]
    assert table.splitlines() == [
        "package        await-not-awaitable  missing-await  total",
        "alpha                            0              0      0",
        "alpha.api                        1              1      2",
        "alpha.factory                    0              0      0",
        "alpha.jobs                       0              1      1",
        "beta                             0              0      0",
        "beta.clean                       0              0      0",
        "gamma                            0              0      0",
        "gamma.more                       1              0      1",
        "total                            2              2      4",
    ]
    assert "[mypy-alpha.api.*]\ndisable_error_code = await-not-awaitable, missing-await\n" in out
    assert "[mypy-alpha.jobs.*]\ndisable_error_code = unused-awaitable, missing-await\n" in out
    assert "[mypy-gamma.more.*]\ndisable_error_code = await-not-awaitable\n" in out


@pytest.mark.parametrize("depth", ["1", "2"])
def test_pasted_lines_make_the_run_pass(
    depth: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out = run_report(capsys, "--format", "json", "--depth", depth)
    assert status == 1
    assert plain_mypy(project).returncode == 1
    report = json.loads(out)
    # Sections the config has are changed in place, the others appended as printed.
    config = configparser.RawConfigParser()
    config.read(project / "mypy.ini")
    for section in report["overrides"]["sections"]:
        if section["existing"]:
            codes = ", ".join(section["disable_error_code"])
            config.set(f"mypy-{section['module']}", "disable_error_code", codes)
    with open(project / "mypy.ini", "w") as handle:
        config.write(handle)
    with open(project / "mypy.ini", "a") as handle:
        handle.write("\n" + report["overrides"]["add"])
    checked = plain_mypy(project)
    assert (checked.returncode, checked.stdout) == (
        0,
        "Success: no issues found in 10 source files\n",
    )
    status, out = run_report(capsys)
    assert status == 0
    assert out.endswith(
        "total                      0              0      0\n\nNo findings: nothing to disable.\n"
    )


def test_pasted_toml_overrides_make_the_run_pass(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "mypy.ini").unlink()
    (project / "pyproject.toml").write_text(PYPROJECT)
    status, out = run_report(capsys, "--format", "json")
    assert status == 1
    overrides_ = json.loads(out)["overrides"]
    assert overrides_["format"] == "toml"
    assert overrides_["change"] == ""
    assert overrides_["add"] == (
        "[[tool.mypy.overrides]]\n"
        'module = ["alpha.*"]\n'
        'disable_error_code = ["await-not-awaitable", "missing-await"]\n'
        "\n"
        "[[tool.mypy.overrides]]\n"
        'module = ["gamma.*"]\n'
        'disable_error_code = ["await-not-awaitable"]\n'
    )
    with open(project / "pyproject.toml", "a") as handle:
        handle.write("\n" + overrides_["add"])
    assert plain_mypy(project).returncode == 0


def test_json_is_the_documented_schema(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out = run_report(capsys, "--format", "json")
    assert status == 1
    views, run, more = "alpha/api/views.py", "alpha/jobs/run.py", "gamma/more.py"
    truth = (
        'Coroutine "create_manager()" is used without "await" (a coroutine object is always '
        'true); add "await"'
    )
    send = (
        'Coroutine "create_manager()" is used without "await" (attribute "send" is looked up '
        'on the coroutine, not on its result); add "await"'
    )
    both = {"await-not-awaitable": 1, "missing-await": 2}
    assert json.loads(out) == {
        "schema": "mypy-wsplugin-report/1",
        "plugin": __version__,
        "mypy": MYPY_VERSION,
        "config_file": "mypy.ini",
        "depth": 1,
        "codes": ["await-not-awaitable", "missing-await"],
        "packages": [
            {"package": "alpha", "counts": both, "total": 3},
            {
                "package": "beta",
                "counts": {"await-not-awaitable": 0, "missing-await": 0},
                "total": 0,
            },
            {
                "package": "gamma",
                "counts": {"await-not-awaitable": 1, "missing-await": 0},
                "total": 1,
            },
        ],
        "totals": {"await-not-awaitable": 2, "missing-await": 2},
        "total": 4,
        "other_errors": 0,
        "findings": [
            {
                "path": views,
                "line": 5,
                "column": 20,
                "code": "await-not-awaitable",
                "message": CONFIGURED,
                "module": "alpha.api.views",
                "package": "alpha",
            },
            {
                "path": views,
                "line": 7,
                "column": 7,
                "code": "missing-await",
                "message": truth,
                "module": "alpha.api.views",
                "package": "alpha",
            },
            {
                "path": run,
                "line": 5,
                "column": 4,
                "code": "missing-await",
                "message": send,
                "module": "alpha.jobs.run",
                "package": "alpha",
            },
            {
                "path": more,
                "line": 5,
                "column": 10,
                "code": "await-not-awaitable",
                "message": CONFIGURED,
                "module": "gamma.more",
                "package": "gamma",
            },
        ],
        "overrides": {
            "format": "ini",
            "file": "mypy.ini",
            "sections": [
                {
                    "module": "alpha.*",
                    "disable_error_code": ["await-not-awaitable", "missing-await"],
                    "existing": False,
                },
                {
                    "module": "alpha.jobs.*",
                    "disable_error_code": [
                        "unused-awaitable",
                        "await-not-awaitable",
                        "missing-await",
                    ],
                    "existing": True,
                },
                {
                    "module": "gamma.*",
                    "disable_error_code": ["await-not-awaitable"],
                    "existing": False,
                },
            ],
            "add": (
                "[mypy-alpha.*]\ndisable_error_code = await-not-awaitable, missing-await\n\n"
                "[mypy-gamma.*]\ndisable_error_code = await-not-awaitable\n"
            ),
            "change": (
                "[mypy-alpha.jobs.*]\n"
                "disable_error_code = unused-awaitable, await-not-awaitable, missing-await\n"
            ),
        },
    }


def _keys(value: object, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            keys.add(prefix + key)
            keys |= _keys(item, prefix + key + ".")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        keys |= _keys(value[0], prefix.rstrip(".") + "[].")
    return keys


def test_every_json_key_is_documented(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out = run_report(capsys, "--format", "json")
    documented = set(re.findall(r"^\| `([\w.\[\]-]+)` \|", DOCS.read_text(), re.MULTILINE))
    keys = {key for key in _keys(json.loads(out)) if ".counts." not in key}
    keys -= {f"totals.{code}" for code in ("await-not-awaitable", "missing-await")}
    assert keys == documented


def test_clean_project_and_usage_errors(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--depth", "0"])
    assert exit_.value.code == 2
    assert "--depth: expected a whole number of at least 1, not '0'" in capsys.readouterr().err
    (project / "mypy.ini").write_text("[mypy]\nstrict = true\nstrict = false\n")
    assert main(["report"]) == 2
    assert capsys.readouterr().err == (
        "mypy.ini: error: While reading from 'mypy.ini' [line 3]: "
        "option 'strict' in section 'mypy' already exists\n"
    )


def test_overrides_extend_existing_sections(tmp_path: Path) -> None:
    config = tmp_path / "setup.cfg"
    config.write_text(
        "[mypy]\n[mypy-app.*]\nstrict = true\n[mypy-app.legacy.*]\ndisable_error_code = misc\n"
        "[mypy-other.*]\ndisable_error_code = misc\n"
    )
    result = overrides({"app": ["missing-await"]}, str(config))
    assert result.sections == (
        Override("app.*", ("missing-await",), existing=True),
        Override("app.legacy.*", ("misc", "missing-await"), existing=True),
    )
    assert result.text == ""
    assert render(result.sections, "ini") == (
        "[mypy-app.*]\ndisable_error_code = missing-await\n\n"
        "[mypy-app.legacy.*]\ndisable_error_code = misc, missing-await\n"
    )
