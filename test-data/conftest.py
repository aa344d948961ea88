"""Lets YAML cases depend on the mypy version: ``skip: os.environ["WSPLUGIN_POST_PASS"] == "0"``.

The pass over unannotated code and unseen modules needs mypy >= 2.4 (see README).
"""

from __future__ import annotations

import os

from mypy_wsplugin.mypy_internals import CAPABILITIES

HAS_POST_PASS = CAPABILITIES.post_pass

os.environ["WSPLUGIN_POST_PASS"] = "1" if HAS_POST_PASS else "0"
