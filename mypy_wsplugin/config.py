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
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final, cast

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

INI_SECTION: Final = "mypy_wsplugin"
TOML_TABLE: Final = "tool.mypy_wsplugin"

SYNC_FACTORIES: Final = "sync_factories"
ASYNC_FACTORIES: Final = "async_factories"
CHECK_ALL_AWAITS: Final = "check_all_awaits"

# One segment of a TARGET: an identifier, or a glob over identifiers: fnmatch's wildcards
# and closed character classes (``[ab]``, ``[!a-z]``), each standing for a name's character.
_GLOB_SYNTAX: Final = re.compile(r"\[!?\]?[^\]]*\]|[*?]")
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
    and dataclass or NamedTuple creation costs more than the whole of the rest).  Its
    fields are named twice, in ``__slots__`` and ``FIELDS``: compiled by mypyc, a class
    keeps no ``__slots__`` attribute."""

    __slots__: tuple[str, ...] = ()
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Value)
            and type(other) is type(self)
            and self._fields() == other._fields()
        )

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"{type(self).__name__}({args})"


class FactoryEntry(_Value):
    """One ``TARGET`` or ``TARGET -> RESULT`` entry of ``sync_factories``/``async_factories``."""

    __slots__ = ("is_async", "result", "target", "text")
    FIELDS = ("is_async", "result", "target", "text")

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

    @property
    def result_module(self) -> str | None:
        """The module of the RESULT class: the prefix before the segments that name classes
        (capitalised, by convention), so ``app.ws.Outer.Inner`` gives ``app.ws``."""
        if self.result is None:
            return None
        module = self.result.split(".")[:-1]
        while len(module) > 1 and module[-1][:1].isupper():
            module.pop()
        return ".".join(module)


class Key:
    """One setting: its name, default, the doc line, and how it is read from an INI string
    or a TOML value (each reader raises :class:`ConfigError` naming what is wrong)."""

    __slots__ = ("default", "doc", "from_ini", "from_toml", "name", "report")

    def __init__(
        self,
        name: str,
        default: object,
        doc: str,
        from_ini: Callable[[_Where, str], object],
        from_toml: Callable[[_Where, object], object],
        report: Callable[[Any], object] = lambda value: value,
    ) -> None:
        self.name = name
        self.default = default
        self.doc = doc
        self.from_ini = from_ini
        self.from_toml = from_toml
        self.report = report


class _Where:
    """Where a value comes from, for error messages."""

    __slots__ = ("key", "path", "section")

    def __init__(self, path: str, section: str, key: str) -> None:
        self.path = path
        self.section = section
        self.key = key

    def invalid(self, value: object, expected: str) -> ConfigError:
        return ConfigError.invalid(self.path, self.section, self.key, value, expected)


def _ini_bool(where: _Where, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _INI_TRUE or value in _INI_FALSE:
        return value in _INI_TRUE
    raise where.invalid(raw.strip(), "expected true or false")


def _toml_bool(where: _Where, value: object) -> bool:
    if not isinstance(value, bool):
        raise where.invalid(value, "expected true or false")
    return value


def _ini_entries(is_async: bool) -> Callable[[_Where, str], tuple[FactoryEntry, ...]]:
    def read(where: _Where, raw: str) -> tuple[FactoryEntry, ...]:
        return tuple(_parse_entry(where, text, is_async) for text in _ini_list(raw))

    return read


def _toml_entries(is_async: bool) -> Callable[[_Where, object], tuple[FactoryEntry, ...]]:
    def read(where: _Where, value: object) -> tuple[FactoryEntry, ...]:
        if isinstance(value, str):  # as mypy reads its own list options: commas separate
            value = _ini_list(value)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise where.invalid(value, "expected an array of strings")
        return tuple(_parse_entry(where, text, is_async) for text in value)

    return read


def _entry_texts(entries: tuple[FactoryEntry, ...]) -> list[str]:
    return [entry.text for entry in entries]


# The settings, declared once: reading, validation, show-config and the report to mypy's
# cache are derived from this table.
KEYS: Final = (
    Key(
        SYNC_FACTORIES,
        (),
        "TARGET or TARGET -> RESULT entries: synchronous factories; awaiting one is reported "
        "even where mypy sees Any",
        _ini_entries(False),
        _toml_entries(False),
        _entry_texts,
    ),
    Key(
        ASYNC_FACTORIES,
        (),
        "the same for coroutine functions; RESULT is what awaiting gives",
        _ini_entries(True),
        _toml_entries(True),
        _entry_texts,
    ),
    Key(
        CHECK_ALL_AWAITS,
        True,
        "check every awaited call and attribute and every async def call, not only the "
        "configured factories",
        _ini_bool,
        _toml_bool,
    ),
)
KNOWN_KEYS: Final = tuple(key.name for key in KEYS)


class PluginConfig(_Value):
    """The settings, by key name (see :data:`KEYS`); typed accessors for the code that
    uses them."""

    __slots__ = ("path", "section", "values")
    FIELDS = ("path", "section", "values")

    def __init__(
        self,
        values: Mapping[str, object] | None = None,
        path: str | None = None,
        section: str = INI_SECTION,
    ) -> None:
        self.values = {key.name: key.default for key in KEYS} | dict(values or {})
        self.path = path
        self.section = section

    def _fields(self) -> tuple[object, ...]:
        return (tuple(sorted(self.values.items())), self.path, self.section)

    @property
    def sync_factories(self) -> tuple[FactoryEntry, ...]:
        return cast("tuple[FactoryEntry, ...]", self.values[SYNC_FACTORIES])

    @property
    def async_factories(self) -> tuple[FactoryEntry, ...]:
        return cast("tuple[FactoryEntry, ...]", self.values[ASYNC_FACTORIES])

    @property
    def check_all_awaits(self) -> bool:
        return bool(self.values[CHECK_ALL_AWAITS])

    @property
    def factories(self) -> tuple[FactoryEntry, ...]:
        return self.sync_factories + self.async_factories

    def to_report(self) -> dict[str, Any]:
        """The settings that change checking results (``report_config_data``)."""
        return {key.name: key.report(self.values[key.name]) for key in KEYS}


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
    return _build(path, TOML_TABLE, table, lambda key, where, value: key.from_toml(where, value))


def _load_ini(path: str) -> PluginConfig:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return PluginConfig()
    if not parser.has_section(INI_SECTION):
        return PluginConfig(path=path)
    section = dict(parser.items(INI_SECTION))
    return _build(path, INI_SECTION, section, lambda key, where, raw: key.from_ini(where, raw))


def entry_line(path: str, section: str, text: str) -> int:
    """The line of config file ``path`` where the entry ``text`` is written, inside the
    plugin's ``section`` (``[mypy_wsplugin]``, ``[tool.mypy_wsplugin]``); the section's own
    line if it is not found there, else 1."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    header = f"[{section}]"
    found = 0
    inside = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            if stripped.split("#", 1)[0].strip() == header:
                inside, found = True, number
                continue
            if stripped.endswith("]") and not stripped.startswith('["'):
                inside = False
                continue
        if stripped.startswith("[["):
            inside = False
        elif inside and text in line:
            return number
    return found or 1


def _ini_list(value: str) -> list[str]:
    """One entry per line (commas also separate); ``#`` starts a comment."""
    entries: list[str] = []
    for line in value.splitlines():
        line = line.split("#", 1)[0]
        entries.extend(part.strip() for part in line.split(",") if part.strip())
    return entries


def _build(
    path: str,
    section: str,
    given: Mapping[str, Any],
    read: Callable[[Key, _Where, Any], object],
) -> PluginConfig:
    keys = {key.name: key for key in KEYS}
    for name in given:
        if name not in keys:
            raise ConfigError(
                path, section, name, f"unknown key (known keys: {', '.join(KNOWN_KEYS)})"
            )
    values = {
        name: read(keys[name], _Where(path, section, name), raw) for name, raw in given.items()
    }
    config = PluginConfig(values, path=path, section=section)
    for key, entries in (
        (SYNC_FACTORIES, config.sync_factories),
        (ASYNC_FACTORIES, config.async_factories),
    ):
        results: dict[str, FactoryEntry] = {}
        for entry in entries:
            earlier = results.setdefault(entry.target, entry)
            if earlier.result != entry.result:
                raise ConfigError.invalid(
                    path,
                    section,
                    key,
                    entry.text,
                    f"{entry.target} is also listed as {earlier.text!r}; give it one RESULT",
                )
    sync_targets = {e.target for e in config.sync_factories}
    for entry in config.async_factories:
        if entry.target in sync_targets:
            raise ConfigError.invalid(
                path,
                section,
                ASYNC_FACTORIES,
                entry.text,
                f"{entry.target} is also listed in {SYNC_FACTORIES}; a factory is either "
                "synchronous or asynchronous",
            )
    return config


def _parse_entry(where: _Where, text: str, is_async: bool) -> FactoryEntry:
    text = text.strip()
    target, arrow, result = text.partition(_ARROW)
    target = target.strip()
    result = result.strip()
    if not _is_target(target) or (arrow and not result):
        raise where.invalid(text, f"expected {ENTRY_GRAMMAR}")
    if arrow and not _is_dotted_name(result):
        raise where.invalid(
            text,
            f"RESULT {result!r} is not a dotted full name of a class "
            "(expected e.g. app.ws.UnifiedWebSocketManager)",
        )
    return FactoryEntry(
        target=target, result=result if arrow else None, is_async=is_async, text=text
    )


def _is_target(text: str) -> bool:
    """A dotted name of at least two parts, each a Python name (``é`` too) or a glob over
    names (``get_*_manager``, ``[ab]pi``): what its wildcards and closed character classes
    leave is a name's characters, so ``1a`` and ``a.[b`` are no TARGET."""
    parts = text.split(".")
    return len(parts) >= 2 and all(
        part.isidentifier()
        or (any(c in _GLOB_CHARS for c in part) and _GLOB_SYNTAX.sub("x", part).isidentifier())
        for part in parts
    )


def _is_dotted_name(text: str) -> bool:
    parts = text.split(".")
    return len(parts) >= 2 and all(part.isidentifier() for part in parts)
