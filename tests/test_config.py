"""Reading the configuration, and what a mistake in it looks like to the user."""

from __future__ import annotations

from pathlib import Path

import pytest

from mypy_wsplugin.config import ConfigError, FactoryEntry, PluginConfig, load_config

from .conftest import RunMypy


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_no_config_file_gives_defaults() -> None:
    assert load_config(None) == PluginConfig()


def test_file_without_the_section_gives_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "mypy.ini", "[mypy]\nstrict = true\n"))
    assert config.factories == ()
    assert config.check_all_awaits is True


def test_ini_lists_one_entry_per_line_with_comments(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path / "mypy.ini",
            "[mypy_wsplugin]\n"
            "sync_factories =\n"
            "    app.ws.get_websocket_manager -> app.ws.Manager  # the incident\n"
            "    # a whole-line comment\n"
            "    app.registry.Registry.get_manager\n"
            "async_factories = app.*.create_*_manager, app.db.connect -> app.db.Conn\n"
            "check_all_awaits = False\n",
        )
    )
    assert config.sync_factories == (
        FactoryEntry(
            "app.ws.get_websocket_manager",
            "app.ws.Manager",
            False,
            "app.ws.get_websocket_manager -> app.ws.Manager",
        ),
        FactoryEntry(
            "app.registry.Registry.get_manager", None, False, "app.registry.Registry.get_manager"
        ),
    )
    assert [(e.target, e.result, e.is_async, e.is_glob) for e in config.async_factories] == [
        ("app.*.create_*_manager", None, True, True),
        ("app.db.connect", "app.db.Conn", True, False),
    ]
    assert config.check_all_awaits is False


def test_names_with_non_ascii_letters_are_entries(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path / "mypy.ini",
            "[mypy_wsplugin]\nsync_factories = app.café.obtenir_é* -> app.café.Gestionnaire\n",
        )
    )
    assert [(e.target, e.result, e.is_glob) for e in config.sync_factories] == [
        ("app.café.obtenir_é*", "app.café.Gestionnaire", True)
    ]


def test_setup_cfg_is_read_like_mypy_ini(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path / "setup.cfg", "[mypy_wsplugin]\nsync_factories = a.b.c -> a.b.C\n")
    )
    assert [e.text for e in config.sync_factories] == ["a.b.c -> a.b.C"]


def test_pyproject_table(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path / "pyproject.toml",
            "[tool.mypy_wsplugin]\n"
            'sync_factories = ["app.ws.get_manager -> app.ws.Manager"]\n'
            'async_factories = ["app.ws.create_manager"]\n'
            "check_all_awaits = false\n",
        )
    )
    assert [e.text for e in config.sync_factories] == ["app.ws.get_manager -> app.ws.Manager"]
    assert [e.target for e in config.async_factories] == ["app.ws.create_manager"]
    assert config.check_all_awaits is False


def test_a_toml_string_is_a_comma_separated_list_as_in_mypy(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path / "pyproject.toml",
            '[tool.mypy_wsplugin]\nsync_factories = "app.ws.get_manager, app.*.make_*"\n',
        )
    )
    assert [e.target for e in config.sync_factories] == ["app.ws.get_manager", "app.*.make_*"]


@pytest.mark.parametrize(
    "target",
    ["app.get_*_manager", "app.[ab]pi.make", "app.[!x-z]*.make", "app.?.f", "*.f", "app.[!]]x.f"],
)
def test_globs_over_names_are_targets(tmp_path: Path, target: str) -> None:
    config = load_config(
        write(tmp_path / "mypy.ini", f"[mypy_wsplugin]\nsync_factories = {target}\n")
    )
    assert [e.target for e in config.sync_factories] == [target]


def test_report_data_lists_every_setting(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "mypy.ini", "[mypy_wsplugin]\nsync_factories = a.b\n"))
    assert config.to_report() == {
        "sync_factories": ["a.b"],
        "async_factories": [],
        "check_all_awaits": True,
    }


INI_MISTAKES = [
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nbogus = 1\n",
        "[mypy_wsplugin] bogus: unknown key (known keys: sync_factories, async_factories, "
        "check_all_awaits)",
        id="unknown-key",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = get manager\n",
        "[mypy_wsplugin] sync_factories: invalid value 'get manager': expected TARGET or "
        "TARGET -> RESULT",
        id="malformed-entry",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = get_manager\n",
        "[mypy_wsplugin] sync_factories: invalid value 'get_manager': expected TARGET",
        id="target-without-module",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = 1app.ws.get\n",
        "[mypy_wsplugin] sync_factories: invalid value '1app.ws.get': expected TARGET",
        id="target-part-not-a-name",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = app.ws.get-manager\n",
        "[mypy_wsplugin] sync_factories: invalid value 'app.ws.get-manager': expected TARGET",
        id="target-with-a-dash",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = app.[ws.get\n",
        "[mypy_wsplugin] sync_factories: invalid value 'app.[ws.get': expected TARGET",
        id="glob-class-not-closed",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nasync_factories = app.ws.create ->\n",
        "[mypy_wsplugin] async_factories: invalid value 'app.ws.create ->': expected TARGET",
        id="arrow-without-result",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = app.ws.get -> app.ws.Manager[int]\n",
        "[mypy_wsplugin] sync_factories: invalid value 'app.ws.get -> app.ws.Manager[int]': "
        "RESULT 'app.ws.Manager[int]' is not a dotted full name of a class",
        id="result-not-dotted-name",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = app.ws.get -> Manager\n",
        "[mypy_wsplugin] sync_factories: invalid value 'app.ws.get -> Manager': "
        "RESULT 'Manager' is not a dotted full name of a class",
        id="result-without-module",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\ncheck_all_awaits = sometimes\n",
        "[mypy_wsplugin] check_all_awaits: invalid value 'sometimes': expected true or false",
        id="non-boolean",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = app.f\nasync_factories = app.f\n",
        "[mypy_wsplugin] async_factories: invalid value 'app.f': app.f is also listed in "
        "sync_factories",
        id="both-sync-and-async",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nsync_factories = app.f -> app.X\n  app.f -> app.Y\n",
        "[mypy_wsplugin] sync_factories: invalid value 'app.f -> app.Y': app.f is also listed "
        "as 'app.f -> app.X'; give it one RESULT",
        id="two-results",
    ),
    pytest.param(
        "mypy.ini",
        "[mypy_wsplugin]\nasync_factories = app.f\n  app.f -> app.Y\n",
        "[mypy_wsplugin] async_factories: invalid value 'app.f -> app.Y': app.f is also listed "
        "as 'app.f'; give it one RESULT",
        id="with-and-without-a-result",
    ),
]


TOML_MISTAKES = [
    pytest.param(
        "pyproject.toml",
        "[tool.mypy_wsplugin]\ncheck_all_awaits = 1\n",
        "[tool.mypy_wsplugin] check_all_awaits: invalid value 1: expected true or false",
        id="non-boolean",
    ),
    pytest.param(
        "pyproject.toml",
        "[tool.mypy_wsplugin]\nsync_factories = [1]\n",
        "[tool.mypy_wsplugin] sync_factories: invalid value [1]: expected an array of strings",
        id="not-strings",
    ),
    pytest.param(
        "pyproject.toml",
        '[tool.mypy_wsplugin]\nasync_factories = ["a.b -> not a name"]\n',
        "[tool.mypy_wsplugin] async_factories: invalid value 'a.b -> not a name': "
        "RESULT 'not a name' is not a dotted full name of a class",
        id="bad-result",
    ),
    pytest.param(
        "pyproject.toml",
        "[tool.mypy_wsplugin]\nunknown = true\n",
        "[tool.mypy_wsplugin] unknown: unknown key",
        id="unknown-key",
    ),
]


@pytest.mark.parametrize(("name", "body", "message"), INI_MISTAKES + TOML_MISTAKES)
def test_mistake_raises_config_error(tmp_path: Path, name: str, body: str, message: str) -> None:
    path = write(tmp_path / name, body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.render().startswith(f"{path}: error: {message}")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "mypy.ini",
            "[mypy]\nplugins = mypy_wsplugin\n[mypy_wsplugin]\nsync_factories = not valid\n",
        ),
        (
            "pyproject.toml",
            '[tool.mypy]\nplugins = ["mypy_wsplugin"]\n'
            "[tool.mypy_wsplugin]\ncheck_all_awaits = 'yes'\n",
        ),
    ],
)
def test_mypy_stops_with_one_clear_line_and_status_2(
    tmp_path: Path, run_mypy: RunMypy, name: str, text: str
) -> None:
    write(tmp_path / name, text)
    write(tmp_path / "app.py", "x = 1\n")
    for _ in range(2):  # the second run has a cache: the error must still stop it
        result = run_mypy("app.py")
        assert result.returncode == 2
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(f"{name}: error: [")
        assert "Traceback" not in result.stdout + result.stderr
        assert result.stdout == ""


def test_entry_line_in_ini_and_toml(tmp_path: Path) -> None:
    """Notes about an entry name the line it is written on, in the plugin's section."""
    from mypy_wsplugin.config import entry_line

    ini = write(
        tmp_path / "mypy.ini",
        "[mypy]\nplugins = mypy_wsplugin\n# app.ws.get in a comment elsewhere\n\n"
        "[mypy_wsplugin]\nsync_factories =\n    app.ws.get -> app.ws.Manager\n"
        "    app.other.make, app.*.get_*\n\n[mypy-app.*]\nstrict = true\n",
    )
    assert entry_line(ini, "mypy_wsplugin", "app.ws.get -> app.ws.Manager") == 7
    assert entry_line(ini, "mypy_wsplugin", "app.*.get_*") == 8
    assert entry_line(ini, "mypy_wsplugin", "not.written") == 5  # the section's line
    toml = write(
        tmp_path / "pyproject.toml",
        '[tool.mypy]\nplugins = ["mypy_wsplugin"]\n\n[tool.mypy_wsplugin]\n'
        'sync_factories = [\n    "app.ws.get",\n]\nasync_factories = ["app.ws.make"]\n\n'
        '[[tool.mypy.overrides]]\nmodule = "app.ws.make"\n',
    )
    assert entry_line(toml, "tool.mypy_wsplugin", "app.ws.get") == 6
    assert entry_line(toml, "tool.mypy_wsplugin", "app.ws.make") == 8
    assert entry_line(str(tmp_path / "missing.ini"), "mypy_wsplugin", "x.y") == 1


@pytest.mark.parametrize(
    ("pattern", "module", "fits"),
    [
        ("app.*.get_*_manager", "app.ws", True),
        ("app.*.get_*_manager", "app", True),  # app.<x>.get_..._manager may be in app
        ("app.*.get_*_manager", "lib.ws", False),
        ("*.get", "anything.at.all", True),
        ("app.w?.get", "app.ws", True),
        ("app.w?.get", "app.wss", False),
        ("app.w[st].get", "app.ws", True),
        ("app.w[!st].get", "app.ws", False),
        ("app.ws.get*", "app.ws.factory", False),  # "factory" is not "get..."
        ("app.ws.*", "app.ws.factory", True),
    ],
)
def test_glob_fits_module(pattern: str, module: str, fits: bool) -> None:
    from mypy_wsplugin.entries import glob_fits_module

    assert glob_fits_module(pattern, module) is fits


def test_value_classes_name_their_fields_twice_alike() -> None:
    """``_Value.FIELDS`` (what equality, hashing and repr use) is each class's ``__slots__``
    (which a class compiled by mypyc does not keep, so only the source build can check)."""
    for cls in (FactoryEntry, PluginConfig):
        assert cls.FIELDS
        if "__slots__" in vars(cls):
            assert cls.__slots__ == cls.FIELDS
