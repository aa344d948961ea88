"""Reading and validating the plugin's configuration.

The settings live in the config file mypy itself uses: section ``[mypy_wsplugin]`` of
``mypy.ini`` / ``.mypy.ini`` / ``setup.cfg``, or table ``[tool.mypy_wsplugin]`` of
``pyproject.toml``.  Files are parsed with the standard ``configparser`` and ``tomllib``;
a mistake becomes one :class:`ConfigError` that names the file, the section, the key,
the offending value and what was expected.
"""

from __future__ import annotations

import configparser
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, Final

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

INI_SECTION: Final = "mypy_wsplugin"
TOML_TABLE: Final = "tool.mypy_wsplugin"

SYNC_FACTORIES: Final = "sync_factories"
ASYNC_FACTORIES: Final = "async_factories"
CHECK_ALL_AWAITS: Final = "check_all_awaits"
KNOWN_KEYS: Final = (SYNC_FACTORIES, ASYNC_FACTORIES, CHECK_ALL_AWAITS)

# One segment of a TARGET: an identifier, or a glob over identifiers (``*``, ``?``, ``[...]``).
_TARGET_SEGMENT: Final = re.compile(r"^[A-Za-z0-9_*?\[\]!-]+$")
_IDENTIFIER: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_GLOB_CHARS: Final = frozenset("*?[")
_ARROW: Final = "->"

ENTRY_GRAMMAR: Final = (
    "TARGET or TARGET -> RESULT, where TARGET is a dotted full name or glob "
    "(e.g. app.ws.get_websocket_manager or app.*.get_*_manager) and RESULT is the "
    "dotted full name of a class (e.g. app.ws.UnifiedWebSocketManager)"
)
_INI_TRUE: Final = frozenset({"1", "yes", "true", "on"})
_INI_FALSE: Final = frozenset({"0", "no", "false", "off"})


class ConfigError(Exception):
    """A configuration mistake, rendered as one line in mypy's ``file: error:`` style."""

    def __init__(self, path: str, section: str, key: str, problem: str) -> None:
        self.path = path
        self.section = section
        self.key = key
        self.problem = problem
        super().__init__(self.render())

    @classmethod
    def invalid(
        cls, path: str, section: str, key: str, value: object, expected: str
    ) -> ConfigError:
        return cls(path, section, key, f"invalid value {value!r}: {expected}")

    def render(self) -> str:
        return f"{self.path}: error: [{self.section}] {self.key}: {self.problem}"


class _Value:
    """A small immutable value class (plain: this module is imported on every mypy run,
    and dataclass or NamedTuple creation costs more than the whole of the rest)."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Value)
            and type(other) is type(self)
            and self._fields() == other._fields()
        )

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({args})"


class FactoryEntry(_Value):
    """One ``TARGET`` or ``TARGET -> RESULT`` entry of ``sync_factories``/``async_factories``."""

    __slots__ = ("is_async", "result", "target", "text")

    def __init__(self, target: str, result: str | None, is_async: bool, text: str) -> None:
        self.target = target
        self.result = result
        self.is_async = is_async
        self.text = text

    @property
    def is_glob(self) -> bool:
        return any(ch in _GLOB_CHARS for ch in self.target)

    @property
    def key(self) -> str:
        return ASYNC_FACTORIES if self.is_async else SYNC_FACTORIES


class PluginConfig(_Value):
    __slots__ = ("async_factories", "check_all_awaits", "path", "section", "sync_factories")

    def __init__(
        self,
        sync_factories: tuple[FactoryEntry, ...] = (),
        async_factories: tuple[FactoryEntry, ...] = (),
        check_all_awaits: bool = True,
        path: str | None = None,
        section: str = INI_SECTION,
    ) -> None:
        self.sync_factories = sync_factories
        self.async_factories = async_factories
        self.check_all_awaits = check_all_awaits
        self.path = path
        self.section = section

    @property
    def factories(self) -> tuple[FactoryEntry, ...]:
        return self.sync_factories + self.async_factories

    def to_report(self) -> dict[str, Any]:
        """The settings that change checking results (``report_config_data``)."""
        return {
            SYNC_FACTORIES: [e.text for e in self.sync_factories],
            ASYNC_FACTORIES: [e.text for e in self.async_factories],
            CHECK_ALL_AWAITS: self.check_all_awaits,
        }


def load_config(path: str | None) -> PluginConfig:
    """Read the plugin's settings from ``path`` (mypy's ``options.config_file``).

    No file, or a file without the plugin's section, gives the defaults.
    """
    if not path or not os.path.isfile(path):
        return PluginConfig()
    if path.endswith(".toml"):
        return _load_toml(path)
    return _load_ini(path)


def _load_toml(path: str) -> PluginConfig:
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        # mypy reports unreadable config files itself; nothing of ours to read.
        return PluginConfig()
    table = data.get("tool", {}).get("mypy_wsplugin")
    if table is None:
        return PluginConfig(path=path, section=TOML_TABLE)
    if not isinstance(table, dict):
        raise ConfigError.invalid(path, TOML_TABLE, "tool.mypy_wsplugin", table, "expected a table")
    _reject_unknown_keys(path, TOML_TABLE, table)
    sync = _toml_list(path, table, SYNC_FACTORIES)
    async_ = _toml_list(path, table, ASYNC_FACTORIES)
    check_all = table.get(CHECK_ALL_AWAITS, True)
    if not isinstance(check_all, bool):
        raise ConfigError.invalid(
            path, TOML_TABLE, CHECK_ALL_AWAITS, check_all, "expected true or false"
        )
    return _build(path, TOML_TABLE, sync, async_, check_all)


def _toml_list(path: str, table: Mapping[str, Any], key: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError.invalid(path, TOML_TABLE, key, value, "expected an array of strings")
    return list(value)


def _load_ini(path: str) -> PluginConfig:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return PluginConfig()
    if not parser.has_section(INI_SECTION):
        return PluginConfig(path=path)
    section = dict(parser.items(INI_SECTION))
    _reject_unknown_keys(path, INI_SECTION, section)
    sync = _ini_list(section.get(SYNC_FACTORIES, ""))
    async_ = _ini_list(section.get(ASYNC_FACTORIES, ""))
    check_all = True
    if CHECK_ALL_AWAITS in section:
        raw = section[CHECK_ALL_AWAITS].strip()
        if raw.lower() in _INI_TRUE:
            check_all = True
        elif raw.lower() in _INI_FALSE:
            check_all = False
        else:
            raise ConfigError.invalid(
                path, INI_SECTION, CHECK_ALL_AWAITS, raw, "expected true or false"
            )
    return _build(path, INI_SECTION, sync, async_, check_all)


def _ini_list(value: str) -> list[str]:
    """One entry per line (commas also separate); ``#`` starts a comment."""
    entries: list[str] = []
    for line in value.splitlines():
        line = line.split("#", 1)[0]
        entries.extend(part.strip() for part in line.split(",") if part.strip())
    return entries


def _reject_unknown_keys(path: str, section: str, keys: Iterable[str]) -> None:
    for key in keys:
        if key not in KNOWN_KEYS:
            raise ConfigError(
                path, section, key, f"unknown key (known keys: {', '.join(KNOWN_KEYS)})"
            )


def _build(
    path: str, section: str, sync: list[str], async_: list[str], check_all: bool
) -> PluginConfig:
    sync_entries = tuple(_parse_entry(path, section, SYNC_FACTORIES, t, False) for t in sync)
    async_entries = tuple(_parse_entry(path, section, ASYNC_FACTORIES, t, True) for t in async_)
    sync_targets = {e.target for e in sync_entries}
    for entry in async_entries:
        if entry.target in sync_targets:
            raise ConfigError.invalid(
                path,
                section,
                ASYNC_FACTORIES,
                entry.text,
                f"{entry.target} is also listed in {SYNC_FACTORIES}; a factory is either "
                "synchronous or asynchronous",
            )
    return PluginConfig(
        sync_factories=sync_entries,
        async_factories=async_entries,
        check_all_awaits=check_all,
        path=path,
        section=section,
    )


def _parse_entry(path: str, section: str, key: str, text: str, is_async: bool) -> FactoryEntry:
    text = text.strip()
    target, arrow, result = text.partition(_ARROW)
    target = target.strip()
    result = result.strip()
    if not _is_target(target) or (arrow and not result):
        raise ConfigError.invalid(path, section, key, text, f"expected {ENTRY_GRAMMAR}")
    if arrow and not _is_dotted_name(result):
        raise ConfigError.invalid(
            path,
            section,
            key,
            text,
            f"RESULT {result!r} is not a dotted full name of a class "
            "(expected e.g. app.ws.UnifiedWebSocketManager)",
        )
    return FactoryEntry(
        target=target, result=result if arrow else None, is_async=is_async, text=text
    )


def _is_target(text: str) -> bool:
    parts = text.split(".")
    return len(parts) >= 2 and all(_TARGET_SEGMENT.match(p) for p in parts)


def _is_dotted_name(text: str) -> bool:
    parts = text.split(".")
    return len(parts) >= 2 and all(_IDENTIFIER.match(p) for p in parts)
