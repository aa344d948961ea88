"""The build the suite runs on (loaded by pytest before the tests' own conftests).

``WSPLUGIN_COMPILED=DIR`` (``make pytest``): the plugin compiled with mypyc, built in DIR by
``setup.py`` with ``MYPY_WSPLUGIN_USE_MYPYC=1`` (``make compiled``).  This process imports the
package from DIR (before the source tree, which ``pythonpath = ["."]`` put first on
``sys.path``), and DIR goes first on ``PYTHONPATH``, for every Python the tests start.
Without it the suite runs on the source tree (``make pytest-floor``).  ``tests/test_build.py``
checks which one was loaded.
"""

from __future__ import annotations

import os
import sys

_COMPILED = os.environ.get("WSPLUGIN_COMPILED")
if _COMPILED:
    if "mypy_wsplugin" in sys.modules:
        raise RuntimeError("WSPLUGIN_COMPILED: mypy_wsplugin was imported before conftest.py")
    sys.path.insert(0, _COMPILED)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [_COMPILED, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    )
    # Imported now, from DIR: pytest puts the source tree first on sys.path again as it
    # imports each test module, but a submodule is found on its package's __path__.
    import mypy_wsplugin  # noqa: F401
