"""``make recall``'s mutations: chosen with a fixed seed among the sites of
:mod:`wsbench.candidates` (at most one per function, functions not nested in each other),
applied with libcst to one copy of the library that holds all of them.

Choosing: per kind, up to ``per_kind`` functions, alternately from the shuffled annotated and
unannotated functions with a site of that kind (when one of the two runs out, the other goes
on), the two kinds alternating too; then one site of the function at random.  The same seed
and library give the same mutations whatever else runs.

Applying never moves a line: ``await `` is put before a call, or an ``await`` is taken away
on the line of its call (its parentheses stay), so a finding's line in the mutated copy is
its line in the original.  The mutated file must parse and keep its number of lines, and
every mutation of the file must have been applied, or none of them is kept.
"""

from __future__ import annotations

import ast
import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from wsbench import log
from wsbench.candidates import ADD_AWAIT, DROP_AWAIT, Function, Site

KINDS = (ADD_AWAIT, DROP_AWAIT)


@dataclass(frozen=True)
class Mutation:
    function: Function
    site: Site


def _overlaps(function: Function, chosen: Sequence[Mutation]) -> bool:
    return any(
        m.function.file == function.file
        and m.function.first <= function.last
        and function.first <= m.function.last
        for m in chosen
    )


def select_mutations(
    functions: Sequence[Function], per_kind: int, seed: int, name: str
) -> list[Mutation]:
    """Up to ``per_kind`` mutations of each kind in ``functions`` (see the module)."""
    rng = random.Random(f"{seed}:{name}")
    pools: dict[tuple[str, bool], list[Function]] = {}
    for kind in KINDS:
        for unannotated in (False, True):
            pool = [f for f in functions if f.unannotated == unannotated]
            pool = [f for f in pool if any(s.kind == kind for s in f.sites)]
            rng.shuffle(pool)
            pools[(kind, unannotated)] = pool
    chosen: list[Mutation] = []
    counts = dict.fromkeys(KINDS, 0)
    prefer_unannotated = dict.fromkeys(KINDS, False)
    progressed = True
    while progressed:
        progressed = False
        for kind in KINDS:
            if counts[kind] >= per_kind:
                continue
            first = prefer_unannotated[kind]
            for unannotated in (first, not first):
                function = _next_free(pools[(kind, unannotated)], chosen)
                if function is not None:
                    site = rng.choice([s for s in function.sites if s.kind == kind])
                    chosen.append(Mutation(function, site))
                    counts[kind] += 1
                    prefer_unannotated[kind] = not unannotated
                    progressed = True
                    break
    return chosen


def _next_free(pool: list[Function], chosen: Sequence[Mutation]) -> Function | None:
    while pool:
        function = pool.pop(0)
        if not _overlaps(function, chosen):
            return function
    return None


def _callee(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        return f"{func.value.value}.{func.attr.value}" if func.value.value == "self" else None
    return None


class _Mutator(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, sites: Sequence[Site]) -> None:
        super().__init__()
        self.sites = {(s.line, s.column, s.kind): s for s in sites}
        self.applied: set[Site] = set()

    def _site(self, func: cst.BaseExpression, kind: str) -> Site | None:
        start = self.get_metadata(PositionProvider, func).start
        site = self.sites.get((start.line, start.column, kind))
        if site is None or site.callee != _callee(func) or site in self.applied:
            return None
        self.applied.add(site)
        return site

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if self._site(original_node.func, ADD_AWAIT) is None:
            return updated_node
        return cst.Await(expression=updated_node)

    def leave_Await(self, original_node: cst.Await, updated_node: cst.Await) -> cst.BaseExpression:
        call = updated_node.expression
        if not isinstance(original_node.expression, cst.Call) or not isinstance(call, cst.Call):
            return updated_node
        if self._site(original_node.expression.func, DROP_AWAIT) is None:
            return updated_node
        return call.with_changes(
            lpar=[*updated_node.lpar, *call.lpar], rpar=[*call.rpar, *updated_node.rpar]
        )


def mutate_source(source: str, sites: Sequence[Site]) -> str | None:
    """``source`` with every site mutated, or ``None`` when that cannot be done cleanly."""
    mutator = _Mutator(sites)
    try:
        code = MetadataWrapper(cst.parse_module(source)).visit(mutator).code
    except cst.ParserSyntaxError:
        return None
    if len(mutator.applied) != len(sites) or code.count("\n") != source.count("\n"):
        return None
    try:
        ast.parse(code)
    except SyntaxError:
        return None
    return code


def mutated_copy(
    package_dir: Path, base: Path, mutations: Sequence[Mutation], dest: Path
) -> tuple[Path, list[Mutation]]:
    """Copy ``package_dir`` (under ``base``) to the same place under ``dest`` and apply the
    mutations there; the copy of the package's parent directory and the mutations kept."""
    copy = dest / package_dir.relative_to(base)
    shutil.copytree(package_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    kept = []
    for file in sorted({m.function.file for m in mutations}):
        in_file = [m for m in mutations if m.function.file == file]
        try:
            source = (base / file).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            source = None
        code = None if source is None else mutate_source(source, [m.site for m in in_file])
        if code is None:
            log(f"  {file}: mutations not applied cleanly, dropped ({len(in_file)})")
            continue
        (dest / file).write_text(code, encoding="utf-8")
        kept += in_file
    return copy.parent, kept
