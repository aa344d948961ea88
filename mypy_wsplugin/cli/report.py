"""``mypy-wsplugin report [--depth N] [--format text|json] [PATHS...] [-- MYPY ARGS]``.

Runs mypy with the plugin and the project's config, counts the plugin's findings per
package (the first N parts of the module name), and prints the config lines that disable
the plugin's codes only for the packages that still have findings, and only the codes they
have: paste them, CI passes, then delete them one package at a time.

Exit status: 0 no findings, 1 findings, 2 a usage or config error (or mypy could not
check the code).  ``--format json`` prints one object, described in docs/rolling-out.md;
``SCHEMA`` names its version.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, TextIO

from mypy_wsplugin import __version__
from mypy_wsplugin.cli.codes import plugin_code_names
from mypy_wsplugin.cli.mypy_config import MypySetup, setup_or_report
from mypy_wsplugin.cli.overrides import Overrides, overrides
from mypy_wsplugin.cli.packages import ModuleNames, package
from mypy_wsplugin.cli.run_mypy import Finding, MypyRun, run
from mypy_wsplugin.mypy_internals import MYPY_VERSION

SCHEMA: Final = "mypy-wsplugin-report/1"
Runner = Callable[[Sequence[str]], MypyRun]


@dataclass(frozen=True)
class Counted:
    finding: Finding
    module: str
    package: str


@dataclass(frozen=True)
class Report:
    config_file: str
    depth: int
    codes: tuple[str, ...]
    counted: tuple[Counted, ...]
    packages: tuple[str, ...]  # every package checked, clean ones too
    other_errors: int
    overrides: Overrides

    def counts(self, package: str | None = None) -> dict[str, int]:
        counts = dict.fromkeys(self.codes, 0)
        for item in self.counted:
            if package is None or item.package == package:
                counts[item.finding.code] = counts.get(item.finding.code, 0) + 1
        return counts

    @property
    def total(self) -> int:
        return len(self.counted)

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "plugin": __version__,
            "mypy": MYPY_VERSION,
            "config_file": self.config_file,
            "depth": self.depth,
            "codes": list(self.codes),
            "packages": [
                {
                    "package": name,
                    "counts": self.counts(name),
                    "total": sum(self.counts(name).values()),
                }
                for name in self.packages
            ],
            "totals": self.counts(),
            "total": self.total,
            "other_errors": self.other_errors,
            "findings": [
                {
                    "path": item.finding.path,
                    "line": item.finding.line,
                    "column": item.finding.column,
                    "code": item.finding.code,
                    "message": item.finding.message,
                    "module": item.module,
                    "package": item.package,
                }
                for item in self.counted
            ],
            "overrides": {
                "format": self.overrides.format,
                "file": self.overrides.file,
                "sections": [
                    {
                        "module": section.module,
                        "disable_error_code": list(section.codes),
                        "existing": section.existing,
                    }
                    for section in self.overrides.sections
                ],
                "add": self.overrides.text,
                "change": self.overrides.changed_text,
            },
        }


def report(
    paths: Sequence[str],
    mypy_args: Sequence[str],
    depth: int,
    as_json: bool,
    *,
    runner: Runner = run,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    prepared = setup_or_report(paths, mypy_args, err)
    if prepared is None:
        return 2
    setup, targets = prepared
    result = runner(targets)
    if result.failed:
        print(f"mypy could not check the code (exit status {result.exit_status}):", file=err)
        for line in result.problems:
            print(f"  {line}", file=err)
        return 2
    assert setup.config_file is not None  # the plugin is enabled there
    result_report = _build_report(setup, result, setup.config_file, depth)
    if as_json:
        print(json.dumps(result_report.to_json(), indent=2), file=out)
    else:
        out.write(render_text(result_report))
    return 1 if result_report.counted else 0


def _build_report(setup: MypySetup, result: MypyRun, config_file: str, depth: int) -> Report:
    """The findings counted per package, and the overrides that would silence them."""
    names = ModuleNames(setup.sources, setup.options)
    counted = []
    for finding in sorted(result.findings, key=Finding.sort_key):
        module = names.module(finding.path)
        counted.append(Counted(finding, module, package(module, depth)))
    found = {item.package for item in counted}
    checked = {package(module, depth) for module in names.modules() if module != "__main__"}
    codes = plugin_code_names()
    disabled = {
        name: [
            code
            for code in codes
            if any(i.package == name and i.finding.code == code for i in counted)
        ]
        for name in found
    }
    return Report(
        config_file,
        depth,
        codes,
        tuple(counted),
        tuple(sorted(found | checked)),
        result.other_errors,
        overrides(disabled, config_file),
    )


def render_text(report: Report) -> str:
    header = ["package", *report.codes, "total"]
    rows = [
        [name, *map(str, counts.values()), str(sum(counts.values()))]
        for name, counts in ((name, report.counts(name)) for name in report.packages)
    ]
    totals = report.counts()
    rows.append(["total", *map(str, totals.values()), str(report.total)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip() + "\n"

    text = f"mypy_wsplugin findings per package (depth {report.depth}):\n\n"
    text += line(header) + "".join(line(row) for row in rows)
    if report.other_errors:
        text += (
            f"\nmypy also reported {report.other_errors} errors under its own codes "
            "(not counted above).\n"
        )
    if not report.total:
        return text + "\nNo findings: nothing to disable.\n"
    where = report.overrides.file
    if report.overrides.text:
        text += (
            f"\nTo pass today, with the codes disabled only where they still have findings, "
            f"add to {where}:\n\n{report.overrides.text}"
        )
    if report.overrides.changed_text:
        text += (
            f"\nIn these sections, which {where} already has, set the disable_error_code "
            f"shown (the codes they already disable are kept):\n\n{report.overrides.changed_text}"
        )
    return text + "\nRemove a package's lines once it is clean, and run this again.\n"
