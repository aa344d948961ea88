"""The size of a library's package: files, lines, ``async def``s and how many of those carry
no annotation at all (the report's table; ``make recall`` records it per mutated function)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Shape:
    files: int = 0
    lines: int = 0
    async_defs: int = 0
    unannotated_async_defs: int = 0


def is_unannotated(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """No annotation at all: neither a parameter's nor the return's."""
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return func.returns is None and all(a.annotation is None for a in every)


def measure_shape(paths: Iterable[Path]) -> Shape:
    shape = Shape()
    for pkg in paths:
        for path in sorted(pkg.rglob("*.py")):
            text = path.read_text(encoding="utf-8", errors="replace")
            shape.files += 1
            shape.lines += text.count("\n")
            try:
                tree = ast.parse(text)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.AsyncFunctionDef):
                    shape.async_defs += 1
                    shape.unannotated_async_defs += is_unannotated(node)
    return shape
