"""Can this Python build C extensions?  (``make compiled``: the compiled build needs a C
compiler and Python's headers; a machine with only Python 3 and make may have neither.)

Compiles a one-line C file that includes ``Python.h`` with the compiler setuptools would use
for ``setup.py build_ext``.  Exit status 0 if it compiles; else 1, and one line on stdout
saying why.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from setuptools import Distribution
from setuptools._distutils.ccompiler import new_compiler
from setuptools._distutils.sysconfig import customize_compiler
from setuptools.command.build_ext import build_ext


def main() -> int:
    command = build_ext(Distribution())
    command.finalize_options()
    # What build_ext.run sets up before it compiles anything: the platform's compiler, with
    # this Python's include directories.
    compiler = new_compiler(compiler=command.compiler)
    customize_compiler(compiler)
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch, "probe.c")
        source.write_text("#include <Python.h>\nint probe(void) { return 0; }\n")
        try:
            compiler.compile([str(source)], output_dir=scratch, include_dirs=command.include_dirs)
        except Exception as error:  # CompileError, or the compiler is not installed
            # The compiler's own complaint (no Python.h, ...) went to stderr.
            reason = (str(error).strip().splitlines() or [""])[-1]
            print(f"cannot build C extensions here ({type(error).__name__}: {reason})")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
