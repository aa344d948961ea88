"""The mypy configuration a command runs with, checked before mypy runs.

mypy reads its config file leniently: a file it cannot parse (a duplicate key in
``mypy.ini``, broken TOML) is reported on stderr and then ignored, so the run goes on
without the plugin and finds nothing.  The commands here find the file the way mypy does
(its own option processing), parse it the way mypy does, and stop with one line instead.
"""

from __future__ import annotations

import configparser
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, TextIO

from mypy import defaults
from mypy.config_parser import ConfigTOMLValueError, destructure_overrides, is_toml
from mypy.main import process_options
from mypy.modulefinder import BuildSource
from mypy.options import Options

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PROGRAM: Final = "mypy-wsplugin"
PLUGIN_MODULE: Final = "mypy_wsplugin"


class UsageError(Exception):
    """A problem with the command line or the config file: one line, exit status 2."""


@dataclass(frozen=True)
class MypySetup:
    """What mypy's own option processing made of the arguments."""

    config_file: str | None
    options: Options
    sources: tuple[BuildSource, ...]
    warnings: tuple[str, ...]  # mypy's non-fatal remarks on the config file, to pass on


def load(mypy_args: Sequence[str], *, require_targets: bool) -> MypySetup:
    """Process ``mypy_args`` as mypy would; raise :class:`UsageError` for anything fatal."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        sources, options = process_options(
            list(mypy_args), stdout=stdout, stderr=stderr, require_targets=require_targets
        )
    except SystemExit:
        raise UsageError(_argparse_error(stderr.getvalue())) from None
    except UnicodeDecodeError as error:  # mypy reads config files as UTF-8, and stops
        undecodable = _undecodable_config(mypy_args) or "the config file"
        raise UsageError(
            f"{undecodable}: error: not UTF-8 text ({error.reason}: byte {error.start})"
        ) from None
    remarks = stderr.getvalue()
    path = options.config_file
    if path is None and remarks.strip():
        # A config file mypy found on its own but could not parse (mypy then ignores it).
        raise UsageError(_as_error(remarks))
    if path is not None:
        problem = parse_problem(path)
        if problem is not None:
            raise UsageError(f"{path}: error: {problem}")
    warnings = tuple(line for line in remarks.splitlines() if line.strip())
    return MypySetup(path, options, tuple(sources), warnings)


def load_for_run(paths: Sequence[str], mypy_args: Sequence[str]) -> tuple[MypySetup, list[str]]:
    """The setup for a run over ``paths`` (or, if none, the config's ``files``, or else the
    working directory, as ``mypy .``), and the arguments to run mypy with."""
    args = [*mypy_args, *paths]
    setup = load(args, require_targets=False)
    if not setup.sources:
        args = [*mypy_args, *(paths or ["."])]
        setup = load(args, require_targets=True)
    require_plugin(setup)
    return setup, args


def setup_or_report(
    paths: Sequence[str], mypy_args: Sequence[str], err: TextIO
) -> tuple[MypySetup, list[str]] | None:
    """:func:`load_for_run` for a command: a usage error is printed (the command then exits
    with status 2), and the setup's warnings are printed before the run."""
    try:
        setup, targets = load_for_run(paths, mypy_args)
    except UsageError as error:
        print(error, file=err)
        return None
    for warning in setup.warnings:
        print(warning, file=err)
    return setup, targets


def require_plugin(setup: MypySetup) -> None:
    """Stop unless the config enables the plugin: without it mypy would report nothing."""
    for entry in setup.options.plugins:
        module = entry.split(":")[0].strip()
        if module == PLUGIN_MODULE or module.startswith(PLUGIN_MODULE + "."):
            return
    where = setup.config_file or "no config file was found"
    raise UsageError(
        f"{PROGRAM}: error: the plugin is not enabled ({where}): "
        f"add 'plugins = {PLUGIN_MODULE}' to mypy's configuration"
    )


def parse_problem(path: str) -> str | None:
    """Why mypy could not parse the config file ``path`` (one line), or None."""
    try:
        if is_toml(path):
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
            tool = data.get("tool", {})
            if isinstance(tool, dict) and "mypy" in tool:
                destructure_overrides({"mypy": tool["mypy"]})
        else:
            configparser.RawConfigParser().read(path)
    except OSError as error:
        return f"cannot read the config file: {error.strerror or error}"
    except (tomllib.TOMLDecodeError, configparser.Error, ConfigTOMLValueError) as error:
        return one_line(str(error))
    return None


# The files mypy looks for, in its order, in the working directory and each directory up to
# a repository's root, then in the user's home (mypy's documented discovery).
_CONFIG_NAMES: Final = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")


def _undecodable_config(mypy_args: Sequence[str]) -> str | None:
    """The config file mypy read that is not UTF-8 text: the one ``--config-file`` names,
    or the first such file of mypy's search."""
    candidates: list[str] = []
    for index, arg in enumerate(mypy_args):
        if arg == "--config-file" and index + 1 < len(mypy_args):
            candidates.append(mypy_args[index + 1])
        elif arg.startswith("--config-file="):
            candidates.append(arg.partition("=")[2])
    if not candidates:
        here = os.getcwd()
        while True:
            candidates += [os.path.relpath(os.path.join(here, n)) for n in _CONFIG_NAMES]
            parent = os.path.dirname(here)
            if parent == here or any(
                os.path.exists(os.path.join(here, root)) for root in (".git", ".hg")
            ):
                break
            here = parent
        candidates += defaults.USER_CONFIG_FILES
    for candidate in candidates:
        try:
            with open(candidate, encoding="utf-8") as handle:
                handle.read()
        except UnicodeDecodeError:
            return candidate
        except OSError:
            continue
    return None


def one_line(text: str) -> str:
    return " ".join(text.split())


def _argparse_error(stderr: str) -> str:
    """mypy's argparse error (after its usage text) as one line."""
    marker = "error: "
    errors = [line for line in stderr.splitlines() if marker in line]
    detail = errors[-1].split(marker, 1)[1] if errors else one_line(stderr) or "invalid arguments"
    return f"{PROGRAM}: error: {detail}"


def _as_error(remarks: str) -> str:
    """``FILE: problem`` as printed by mypy, as ``FILE: error: problem`` on one line."""
    text = one_line(remarks)
    path, sep, problem = text.partition(": ")
    return f"{path}: error: {problem}" if sep else f"{PROGRAM}: error: {text}"
