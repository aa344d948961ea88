"""``mypy-wsplugin show-config`` and ``codes``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mypy_wsplugin.cli import main


def test_show_config_reads_the_file_mypy_would_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "setup.cfg").write_text(
        "[mypy]\nplugins = mypy_wsplugin\n[mypy_wsplugin]\nsync_factories = a.b.get -> a.b.M\n"
    )
    (tmp_path / ".git").mkdir()  # mypy stops looking for config files at a repository root
    monkeypatch.chdir(tmp_path)
    assert main(["show-config"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["config_file"] == "setup.cfg"
    assert shown["sync_factories"] == ["a.b.get -> a.b.M"]
    assert shown["check_all_awaits"] is True


def test_show_config_reports_a_mistake_like_mypy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n[mypy_wsplugin]\ncheck_all_awaits = maybe\n")
    assert main(["show-config", "--config-file", str(config)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"{config}: error: [mypy_wsplugin] check_all_awaits: invalid value 'maybe': "
        "expected true or false"
    )


def test_codes_lists_both_codes_as_sub_codes_of_misc(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [
        ["await-not-awaitable", "(sub-code of misc)"],
        ["missing-await", "(sub-code of misc)"],
    ]


def test_show_config_reports_a_missing_config_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.ini"
    assert main(["show-config", "--config-file", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"mypy-wsplugin: error: Cannot find config file '{missing}'\n"


@pytest.mark.parametrize("explicit", [True, False], ids=["--config-file", "found-by-mypy"])
def test_show_config_reports_an_unparsable_config_file_in_one_line(
    explicit: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # mypy itself prints this on stderr, then runs without the file (and so without the plugin).
    (tmp_path / "mypy.ini").write_text(
        "[mypy]\nplugins = mypy_wsplugin\nstrict = true\nstrict = false\n"
    )
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["show-config", *(["--config-file", "mypy.ini"] if explicit else [])]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "mypy.ini: error: While reading from 'mypy.ini' [line 4]: "
        "option 'strict' in section 'mypy' already exists\n"
    )


def test_show_config_reports_broken_toml_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.mypy]\nstrict = true\nstrict = false\n")
    assert main(["show-config", "--config-file", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"{config}: error: Cannot overwrite a value (at line 3, column 15)\n"
    )


@pytest.mark.parametrize(
    ("name", "explicit"),
    [
        ("mypy.ini", True),
        ("mypy.ini", False),
        ("pyproject.toml", True),
        ("pyproject.toml", False),
    ],
    ids=["ini-given", "ini-found", "toml-given", "toml-found"],
)
def test_show_config_reports_a_config_file_that_is_not_utf8_in_one_line(
    name: str,
    explicit: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # mypy itself stops with a traceback (UnicodeDecodeError) on such a file.
    section = "[mypy]" if name == "mypy.ini" else "[tool.mypy]"
    (tmp_path / name).write_bytes(
        f"{section}\nplugins = ['mypy_wsplugin']\n# caf\xe9\n".encode("latin-1")
    )
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main(["show-config", *(["--config-file", name] if explicit else [])]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    at = len(f"{section}\nplugins = ['mypy_wsplugin']\n# caf")
    assert captured.err == f"{name}: error: not UTF-8 text (invalid continuation byte: byte {at})\n"


def test_help_is_plain_text() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy_wsplugin", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "``" not in result.stdout and ":class:" not in result.stdout
    assert result.stdout.splitlines()[:3] == [
        "usage: mypy-wsplugin [-h] [--version] COMMAND ...",
        "",
        "Tools around the mypy_wsplugin mypy plugin.",
    ]
