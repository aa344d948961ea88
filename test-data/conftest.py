"""Lets YAML cases depend on the mypy version, and keeps one mypy cache per configuration of
the cases.

* ``skip: os.environ["WSPLUGIN_POST_PASS"] == "0"``: the pass over unannotated code and
  unseen modules needs mypy >= 2.4 (see README);
* ``skip: os.environ["WSPLUGIN_MYPY_MAJOR"] == "1"``: for mypy's own wording where it changed
  at 2.0 (its note on an ignore that does not cover a code names the ignore's codes).
* ``skip: os.environ["WSPLUGIN_MYPY_BEFORE_2_4"] == "1"``: for an error plain mypy gives
  only from 2.4 on (a coroutine passed where ``Hashable`` is expected).
* ``skip: os.environ["WSPLUGIN_MYPY_BEFORE_2_3"] == "1"``: for an error plain mypy gives
  only from 2.3 on (no overload item matches an argument whose type has ``Any`` in it,
  ``Coroutine[Any, Any, Any]``: before, mypy answers ``Any`` and reports nothing).
"""

from __future__ import annotations

import configparser
import hashlib
import os
from pathlib import Path

import pytest
from pytest_mypy_plugins.item import YamlTestItem

from mypy_wsplugin.mypy_internals import CAPABILITIES, MYPY, MYPY_VERSION
from tests.forked_mypy import use_for_yaml_cases

HAS_POST_PASS = CAPABILITIES.post_pass

os.environ["WSPLUGIN_POST_PASS"] = "1" if HAS_POST_PASS else "0"
os.environ["WSPLUGIN_MYPY_MAJOR"] = MYPY_VERSION.split(".")[0]
os.environ["WSPLUGIN_MYPY_BEFORE_2_4"] = "1" if MYPY < (2, 4) else "0"
os.environ["WSPLUGIN_MYPY_BEFORE_2_3"] = "1" if MYPY < (2, 3) else "0"

BASE_INI = Path(__file__).parent / "base.ini"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Give each YAML case a mypy cache shared only with cases of the same global options.

    pytest-mypy-plugins keeps one cache per xdist worker; a case whose ``[mypy]`` options
    differ from the previous case's makes mypy analyse the standard library's stubs again
    (about 2 s a case).  Keyed by the mypy version and the merged ``[mypy]`` section, the
    stubs stay cached across the cases of one configuration (the plugin's own section does
    not invalidate them).  Every case still checks its own modules from scratch:
    pytest-mypy-plugins removes them from the cache after each case.
    """
    if isinstance(item, YamlTestItem):
        parser = configparser.RawConfigParser()
        parser.read(BASE_INI)
        text = item.additional_mypy_config
        if text:
            parser.read_string(text if "[mypy]" in text else f"[mypy]\n{text}")
        options = sorted(parser.items("mypy")) if parser.has_section("mypy") else []
        key = hashlib.sha256(repr((MYPY_VERSION, options)).encode()).hexdigest()[:16]
        item.incremental_cache_dir = os.path.join(item.incremental_cache_dir, key)


# Each case's mypy run forked from a process that has imported mypy (tests/forked_mypy.py).
use_for_yaml_cases()
