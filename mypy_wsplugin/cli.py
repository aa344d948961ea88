"""``mypy-wsplugin``: look at what the plugin will do without running a whole check.

* ``mypy-wsplugin show-config [--config-file FILE]``: the settings the plugin reads, from
  the config file mypy itself would use (found by mypy's own option processing), as JSON;
  a mistake prints the same one-line error as mypy would, with exit status 2.
* ``mypy-wsplugin codes``: the plugin's error codes and what each checks.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from mypy.main import process_options

from mypy_wsplugin import __version__
from mypy_wsplugin.config import ConfigError, load_config
from mypy_wsplugin.errorcodes import PLUGIN_CODES
from mypy_wsplugin.mypy_internals import MYPY_VERSION
from mypy_wsplugin.plugin import WsPlugin


def _mypy_config_file(explicit: str | None) -> str | None:
    args = ["--config-file", explicit] if explicit else []
    _, options = process_options([*args, "-c", "pass"], require_targets=False)
    return options.config_file


def show_config(config_file: str | None) -> int:
    path = _mypy_config_file(config_file)
    try:
        config = load_config(path)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return 2
    report = {
        "config_file": path,
        **config.to_report(),
        "mypy": MYPY_VERSION,
        "unannotated_code_pass": WsPlugin.capabilities.post_pass,
        "plugin": __version__,
    }
    print(json.dumps(report, indent=2))
    return 0


def codes() -> int:
    for code in PLUGIN_CODES:
        parent = code.sub_code_of.code if code.sub_code_of else "-"
        print(f"{code.code}\t(sub-code of {parent})\t{code.description}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mypy-wsplugin", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show-config", help="print the settings the plugin will use")
    show.add_argument("--config-file", help="the config file mypy would be given")
    commands.add_parser("codes", help="list the plugin's error codes")
    args = parser.parse_args(argv)
    if args.command == "show-config":
        return show_config(args.config_file)
    return codes()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
