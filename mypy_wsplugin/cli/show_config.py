"""``mypy-wsplugin show-config``: the settings the plugin will use, as JSON."""

from __future__ import annotations

import json
import sys

from mypy_wsplugin import __version__
from mypy_wsplugin.cli.mypy_config import UsageError, load
from mypy_wsplugin.config import ConfigError, load_config
from mypy_wsplugin.mypy_internals import CAPABILITIES, MYPY_VERSION


def show_config(config_file: str | None) -> int:
    """Print the plugin's settings from the file mypy would read; exit status 2 with one
    error line if that file cannot be found or parsed, or the plugin's section is wrong."""
    args = ["--config-file", config_file] if config_file else []
    try:
        setup = load([*args, "-c", "pass"], require_targets=False)
        config = load_config(setup.config_file)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return 2
    for warning in setup.warnings:
        print(warning, file=sys.stderr)
    report = {
        "config_file": setup.config_file,
        **config.to_report(),
        "mypy": MYPY_VERSION,
        "unannotated_code_pass": CAPABILITIES.post_pass,
        "plugin": __version__,
    }
    print(json.dumps(report, indent=2))
    return 0
