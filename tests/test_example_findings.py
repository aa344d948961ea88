"""``make demo``'s promise: mypy with the plugin reports every seeded bug, and nothing else.

Each seeded bug in ``examples/chat_service`` carries a ``# BUG`` comment on the line mypy
reports, saying which bug it is (``awaits a sync factory``: ``await-not-awaitable``;
``coroutine used without await``: ``missing-await``); bugs inside unannotated functions that
only the pass over unannotated code finds are marked ``# BUG(mypy>=2.4)``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from mypy_wsplugin.mypy_internals import CAPABILITIES

HAS_POST_PASS = CAPABILITIES.post_pass

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "chat_service"
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<message>.*)  \[(?P<code>[\w-]+)\]$")


CODES = {
    "awaits a sync factory": "await-not-awaitable",
    "coroutine used without await": "missing-await",
}


def seeded_bugs() -> set[tuple[str, int, str]]:
    bugs = set()
    for path in EXAMPLE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if "# BUG:" in line or ("# BUG(mypy>=2.4):" in line and HAS_POST_PASS):
                code = CODES[line.split("# BUG", 1)[1].split(":", 1)[1].strip()]
                bugs.add((path.relative_to(EXAMPLE).as_posix(), number, code))
    return bugs


def test_both_codes_are_seeded() -> None:
    assert {code for _, _, code in seeded_bugs()} == set(CODES.values())


def test_demo_reports_exactly_the_seeded_bugs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"), "."],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [ERROR.match(line) for line in result.stdout.splitlines() if ": error:" in line]
    assert all(errors), result.stdout
    found = {(m["path"], int(m["line"]), m["code"]) for m in errors if m}
    assert found == seeded_bugs()
    assert len(errors) == len(found)  # one finding, one error
