"""The ``mypy-wsplugin`` command (also ``python -m mypy_wsplugin``): argument parsing and
dispatch to one module per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from mypy_wsplugin import __version__
from mypy_wsplugin.cli.codes import print_codes
from mypy_wsplugin.cli.fix import Mode, fix
from mypy_wsplugin.cli.report import report
from mypy_wsplugin.cli.show_config import show_config

DESCRIPTION = "Tools around the mypy_wsplugin mypy plugin."
EPILOG = """\
Arguments after "--" go to mypy as they are, e.g. "-- --config-file setup.cfg".

examples:
  mypy-wsplugin fix                    show the edits that fix the plugin's findings (a diff)
  mypy-wsplugin fix --write app        apply them to files under app/, then run mypy again
  mypy-wsplugin fix --check            exit status 1 while there is something to fix
  mypy-wsplugin report --depth 2       findings per package, and config lines that
                                       disable the codes only where findings remain
  mypy-wsplugin show-config            settings the plugin reads from mypy's config file
  mypy-wsplugin codes                  the plugin's error codes
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mypy-wsplugin",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_fix(commands)
    _add_report(commands)
    show = commands.add_parser(
        "show-config",
        help="print the settings the plugin will use, as JSON",
        description="Print the settings the plugin reads from the config file mypy would "
        "use, as JSON. A config file that cannot be found or parsed is one error line, "
        "exit status 2.",
    )
    show.add_argument("--config-file", metavar="FILE", help="the config file mypy would be given")
    commands.add_parser(
        "codes",
        help="list the plugin's error codes",
        description="List the plugin's error codes: code, parent code, what it checks.",
    )
    return parser


def _add_fix(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fixer = commands.add_parser(
        "fix",
        help="remove wrong awaits and add missing ones (a diff; --write applies)",
        description="Run mypy with the plugin and the project's config, then edit the code "
        "its findings point at: await-not-awaitable loses its await, missing-await gets one "
        "where the enclosing function is async def. Without --write or --check: print the "
        "diff. Nothing outside PATHS (the working directory if none) is written. Exit status: "
        "0, or with --check/--write 1 while findings are left; 2 if mypy could not check "
        "the code, or a usage or config error.",
        usage="%(prog)s [--write | --check] [PATHS ...] [-- MYPY ARGS]",
    )
    fixer.add_argument(
        "paths", nargs="*", metavar="PATHS", help="files or directories: mypy's targets"
    )
    mode = fixer.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="apply the edits, then run mypy again")
    mode.add_argument(
        "--check", action="store_true", help="exit status 1 if there is anything to fix"
    )


def _add_report(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reporter = commands.add_parser(
        "report",
        help="count findings per package; print config lines for a gradual rollout",
        description="Run mypy with the plugin and the project's config, count the plugin's "
        "findings per package, and print the config lines that disable its codes only for "
        "the packages that still have findings. Exit status: 0 no findings, 1 findings, "
        "2 usage or config error.",
        usage="%(prog)s [--depth N] [--format {text,json}] [PATHS ...] [-- MYPY ARGS]",
    )
    reporter.add_argument(
        "paths", nargs="*", metavar="PATHS", help="files or directories: mypy's targets"
    )
    reporter.add_argument(
        "--depth",
        type=_positive,
        default=1,
        metavar="N",
        help="a package is the first N parts of a module name (default: 1)",
    )
    reporter.add_argument(
        "--format", choices=["text", "json"], default="text", help="text (default) or json"
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def split_mypy_args(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """``[ARGS...] -- [MYPY ARGS...]`` -> (ARGS, MYPY ARGS)."""
    if "--" not in argv:
        return list(argv), []
    index = list(argv).index("--")
    return list(argv[:index]), list(argv[index + 1 :])


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as a Unix filter does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: Sequence[str] | None) -> int:
    own, mypy_args = split_mypy_args(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(own)
    if args.command == "fix":
        mode = Mode.WRITE if args.write else Mode.CHECK if args.check else Mode.DIFF
        return fix(args.paths, mypy_args, mode)
    if args.command == "report":
        return report(args.paths, mypy_args, args.depth, args.format == "json")
    if mypy_args:
        _parser().error(f'"--" and mypy arguments are not accepted by {args.command}')
    if args.command == "show-config":
        return show_config(args.config_file)
    return print_codes()
