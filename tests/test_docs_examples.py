"""The error-code pages' examples (``docs/error-codes/<code>.md``) are what mypy prints.

Under a page's ``## Failing`` heading, each ``python`` block is a project and the plain
block after it is mypy's whole output on it, with the plugin; under ``## Fixed``, each
``python`` block is a project on which mypy is silent.  An ``ini`` block just before a
``python`` block is that project's ``mypy.ini`` (else ``plugins = mypy_wsplugin`` alone).  A
comment line ``# path/to/module.py`` starts a file of the project (before any, the file is
``main.py``); the packages' ``__init__.py`` files are implied.  Markdown is read with
markdown-it-py, as the pages render.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import RunMypy
from tests.edit_sequences import with_stubs
from tests.relabel_corpus import write_files

PAGES = sorted((Path(__file__).resolve().parent.parent / "docs" / "error-codes").glob("*.md"))
DEFAULT_INI = "[mypy]\nplugins = mypy_wsplugin\n"
FILE_MARK = re.compile(r"# ([\w/]+\.py)")


@dataclass
class Example:
    page: str
    section: str  # "Failing" or "Fixed"
    index: int  # its place among the section's examples, from 1
    config: str
    files: dict[str, str]
    expected: list[str] = field(default_factory=list)  # mypy's lines; none where fixed

    @property
    def id(self) -> str:
        return f"{self.page}-{self.section.lower()}-{self.index}"


def split_files(source: str) -> dict[str, str]:
    """The project a ``python`` block shows: ``# path.py`` lines start its files, and a
    file's line 1 is the line after its mark (or the block's first line)."""
    files: dict[str, list[str]] = {}
    current = "main.py"
    for line in source.splitlines():
        mark = FILE_MARK.fullmatch(line)
        if mark:
            current = mark.group(1)
            files[current] = []
        else:
            files.setdefault(current, []).append(line)
    return {path: "\n".join(lines).rstrip("\n") + "\n" for path, lines in files.items()}


def examples_of(page: Path) -> list[Example]:
    tokens = MarkdownIt().parse(page.read_text())
    found: list[Example] = []
    section = ""
    config = DEFAULT_INI
    waiting: Example | None = None  # a failing example whose output block comes next
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            assert waiting is None, f"{page.name}: no output after {waiting}"
            section = tokens[i + 1].content if token.tag == "h2" else section
            config = DEFAULT_INI
        if token.type != "fence" or section not in ("Failing", "Fixed"):
            continue
        language = token.info.strip()
        if language == "ini":
            config = token.content
        elif language == "python":
            assert waiting is None, f"{page.name}: no output after {waiting}"
            index = 1 + sum(e.section == section for e in found)
            example = Example(page.stem, section, index, config, split_files(token.content))
            config = DEFAULT_INI
            found.append(example)
            if section == "Failing":
                waiting = example
        elif language == "" and waiting is not None:
            waiting.expected = token.content.splitlines()
            waiting = None
    assert waiting is None, f"{page.name}: no output after the last failing example"
    return found


EXAMPLES = [example for page in PAGES for example in examples_of(page)]


def test_each_code_has_a_page_with_failing_and_fixed_examples() -> None:
    from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT

    assert [page.stem for page in PAGES] == sorted([AWAIT_NOT_AWAITABLE.code, MISSING_AWAIT.code])
    for page in PAGES:
        sections = {e.section for e in EXAMPLES if e.page == page.stem}
        assert sections == {"Failing", "Fixed"}, page.name
    for example in EXAMPLES:
        if example.section == "Failing":
            assert example.expected, example.id


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_the_page_shows_what_mypy_prints(
    example: Example, tmp_path: Path, run_mypy: RunMypy
) -> None:
    packages = {str(p / "__init__.py") for path in example.files for p in Path(path).parents[:-1]}
    implied = [(init, "") for init in sorted(packages - set(example.files))]
    write_files(tmp_path, [("mypy.ini", example.config), *example.files.items(), *implied])
    tops = sorted({Path(path).parts[0] for path in example.files})
    # From the standard library's stubs cached, as after a user's first run: the example's
    # own modules are all new, so mypy prints what it prints with no cache at all.
    cache = with_stubs(tmp_path, "cache")
    result = run_mypy("--config-file", "mypy.ini", "--cache-dir", cache, *tops)
    assert result.stderr == ""
    assert result.stdout.splitlines() == example.expected
    assert result.returncode == (1 if example.expected else 0)
