"""The config lines that disable the plugin's codes for some packages only.

For ``mypy.ini``, ``.mypy.ini`` and ``setup.cfg`` a ``[mypy-PACKAGE.*]`` section with
``disable_error_code``; for ``pyproject.toml`` a ``[[tool.mypy.overrides]]`` table.
``PACKAGE.*`` matches the package itself and everything below it.

mypy takes each per-module key from the most specific section that sets it, so a section
the config already has is extended, not repeated (a repeated INI section is an error), and
a more specific section under one of the packages that sets ``disable_error_code`` of its
own gets the codes too: otherwise it would switch them back on there.  Codes a section
already disables are kept.
"""

from __future__ import annotations

import configparser
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

KEY = "disable_error_code"


@dataclass(frozen=True)
class Override:
    module: str  # mypy's module pattern: "app.*"
    codes: tuple[str, ...]  # the section's whole disable_error_code (kept codes first)
    existing: bool  # the config already has a section for ``module``


@dataclass(frozen=True)
class Overrides:
    format: str  # "ini" or "toml"
    file: str
    sections: tuple[Override, ...]

    @property
    def text(self) -> str:
        """What to add to the config file: the new sections."""
        return render([s for s in self.sections if not s.existing], self.format)

    @property
    def changed_text(self) -> str:
        """The sections the config file already has, with their new ``disable_error_code``."""
        return render([s for s in self.sections if s.existing], self.format)


def overrides(disabled: Mapping[str, Sequence[str]], config_file: str) -> Overrides:
    """The sections that disable ``disabled[package]`` for each package (a dotted name)."""
    is_toml = config_file.endswith(".toml")
    existing = _toml_sections(config_file) if is_toml else _ini_sections(config_file)
    sections: dict[str, Override] = {}
    for package in sorted(disabled):
        codes = disabled[package]
        module = f"{package}.*"
        _add(sections, module, module in existing, existing.get(module) or [], codes)
        for pattern, kept in existing.items():
            if kept is not None and pattern != module and pattern.startswith(package + "."):
                _add(sections, pattern, True, kept, codes)
    ordered = tuple(sorted(sections.values(), key=lambda section: section.module))
    return Overrides("toml" if is_toml else "ini", config_file, ordered)


def render(sections: Sequence[Override], format: str) -> str:
    blocks = []
    for section in sections:
        if format == "toml":
            codes = ", ".join(f'"{code}"' for code in section.codes)
            blocks.append(
                f'[[tool.mypy.overrides]]\nmodule = ["{section.module}"]\n{KEY} = [{codes}]\n'
            )
        else:
            blocks.append(f"[mypy-{section.module}]\n{KEY} = {', '.join(section.codes)}\n")
    return "\n".join(blocks)


def _add(
    sections: dict[str, Override],
    module: str,
    exists: bool,
    kept: Sequence[str],
    codes: Sequence[str],
) -> None:
    """Disable ``codes`` in the section for ``module`` (``exists`` in the config, where it
    disables ``kept``)."""
    previous = sections.get(module)
    merged = list(previous.codes if previous else kept)
    merged += [code for code in codes if code not in merged]
    sections[module] = Override(module, tuple(merged), exists)


def _ini_sections(path: str) -> dict[str, list[str] | None]:
    """The config's per-module sections: pattern -> the codes its disable_error_code
    lists, or None where it does not set one."""
    parser = configparser.RawConfigParser()
    parser.read(path)
    sections: dict[str, list[str] | None] = {}
    for name in parser.sections():
        if not name.startswith("mypy-"):
            continue
        value = parser.get(name, KEY, fallback=None)
        codes = None if value is None else [c.strip() for c in value.split(",") if c.strip()]
        for pattern in name.removeprefix("mypy-").split(","):
            sections[pattern.strip()] = codes
    return sections


def _toml_sections(path: str) -> dict[str, list[str] | None]:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    mypy = data.get("tool", {}).get("mypy", {})
    sections: dict[str, list[str] | None] = {}
    for table in mypy.get("overrides", []) if isinstance(mypy, dict) else []:
        modules = table.get("module", [])
        value = table.get(KEY)
        codes = None if value is None else [value] if isinstance(value, str) else list(value)
        for pattern in [modules] if isinstance(modules, str) else modules:
            sections[str(pattern)] = codes
    return sections
