"""``mypy-wsplugin show-config`` and ``codes``."""

from __future__ import annotations

import json
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
