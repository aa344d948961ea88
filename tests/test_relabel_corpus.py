"""Plain mypy against mypy with the plugin, on the YAML corpus and on the bundled example.

Beside its own codes, mypy's output with the plugin must be plain mypy's output: every line
that differs is one of the plugin's findings, replacing mypy's error for the same cause on
the same line or new (``tests/relabel.py`` classifies them).  Nothing of mypy's is lost,
nothing else is invented, no finding is reported twice.

For a YAML case the plugin's side is the output the case states, which its own test asserts
line for line (so the plugin is not run a second time); plain mypy runs the corpus in
batches (``tests/relabel_corpus.py``): one test per case, the cases of a batch in one
``xdist_group``.  ``WSPLUGIN_RELABEL_SOLO=1`` runs every case on its own instead (to check
that batching changes nothing).  The example runs both ways.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path
from typing import Final

import pytest

from mypy_wsplugin.mypy_internals import CAPABILITIES

from .relabel import classify
from .relabel_corpus import (
    MODES,
    PLAIN,
    PLUGIN,
    Case,
    Corpus,
    config_text,
    group_names,
    load_cases,
    run_mypy,
)

HAS_POST_PASS = CAPABILITIES.post_pass

CASES: Final = load_cases()
RUN: Final = [case for case in CASES if not case.skipped]
GROUPS: Final = group_names(RUN)
EXAMPLE: Final = Path(__file__).resolve().parent.parent / "examples" / "chat_service"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    solo = os.environ.get("WSPLUGIN_RELABEL_SOLO", "") not in ("", "0")
    return Corpus(tmp_path_factory.mktemp("relabel"), RUN, solo=solo)


# Where the plugin still changes mypy's verdict beyond its own lines: each is a strict xfail,
# so it fails (and must be removed from here) once the plugin no longer does.
KNOWN_DEVIATIONS: Final = {
    "relabel/test_no_cascades.yml::reveal_type_of_awaited_factory_shows_plain_result": (
        "the plugin types a wrong await as the plain result (mypy: Any), so a later line is "
        "checked where plain mypy checks nothing"
    ),
    "factories/test_public_paths.yml::"
    "declared_result_of_factory_named_by_reexport_types_the_call": (
        "the plugin types a wrong await as the declared result (mypy: Any), so a later line "
        "is checked where plain mypy checks nothing"
    ),
    "missing_await/test_comparisons_conversions_unpacking.yml::coroutine_unpacked": (
        "an unpacked coroutine is retyped as its result, so mypy's cascade on later lines "
        '("Cannot determine type") is not printed'
    ),
    "suppression/test_type_ignore.yml::type_ignore_misc_silences_missing_await": (
        "mypy's [unused-coroutine] on a line with `# type: ignore[misc]` is replaced by the "
        "plugin's finding, which that ignore covers (sub-code of misc)"
    ),
}


def _param(case: Case) -> object:
    if case.skipped:
        return pytest.param(case, id=case.id, marks=pytest.mark.skip(reason=f"skip: {case.skip}"))
    marks = [pytest.mark.xdist_group(GROUPS[case.id])]
    known = KNOWN_DEVIATIONS.get(case.id)
    if known is not None:
        marks.append(pytest.mark.xfail(strict=True, reason=known))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(case) for case in CASES])
def test_corpus_case_differs_from_plain_mypy_only_by_findings(case: Case, corpus: Corpus) -> None:
    verdict = corpus.verdict(case)
    assert not verdict.plain.crashed, verdict.explain()
    assert verdict.relabel.ok, verdict.explain()


@pytest.mark.xfail(
    strict=True,
    reason="the example's `return create_manager().send_event(...)` (presence.py): the plugin "
    "types the un-awaited call as its result, so mypy's [no-any-return] on that line, a "
    "consequence of the [attr-defined] the finding replaces, is not printed",
)
def test_example_differs_from_plain_mypy_only_by_findings(tmp_path: Path) -> None:
    parser = configparser.RawConfigParser()
    parser.read(EXAMPLE / "mypy.ini")
    outputs = {}
    for mode in MODES:
        config = tmp_path / f"{mode}.ini"
        config.write_text(config_text(parser, mode))
        outputs[mode] = run_mypy(EXAMPLE, config, ["."], tmp_path / f"cache-{mode}")
        assert outputs[mode].status == 1, "\n".join(outputs[mode].lines)
        assert not outputs[mode].crashed, "\n".join(outputs[mode].lines)
    relabel = classify(outputs[PLAIN].lines, outputs[PLUGIN].lines)
    shown = "\n".join(relabel.render())
    assert relabel.ok, shown
    # The seeded bugs in annotated code replace mypy's [misc]; those in unannotated
    # functions (mypy >= 2.4) are new.
    assert relabel.replaced, shown
    assert bool(relabel.added) == HAS_POST_PASS, shown
