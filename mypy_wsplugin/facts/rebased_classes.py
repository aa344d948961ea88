"""The daemon: the order in which a class's methods are looked up (its MRO) while an update
has changed a base of it in another module and mypy has not analysed the class again.

An update that re-binds a base class's name (``Base = Other``) or edits its base list
(``class Base(AsyncRoot)`` becoming ``class Base(SyncRoot)``) gives the edited module's
classes their new MRO at once; a subclass elsewhere (``class M(Base)``) keeps the MRO
mypy gave it until mypy analyses it again, later in the update.  The pass over
unannotated code runs again for every module in between (:mod:`mypy_wsplugin.post_pass`),
and would judge ``self.ping()`` in ``M`` by the methods of the bases it had.  For the while
(:func:`classes_rebased`), each such class gets the MRO its bases give now, as mypy's
analysis to come will compute it: the C3 linearization of its bases as that analysis will
bind them (:func:`_bases_now`: each base as written, where what it names changed, followed
through the import that binds it in the class's module, and through a type alias to its
class; else each recorded base, looked up again by its full
name with :func:`mypy_wsplugin.facts.bindings.node_now`), and its own MRO back after.
Classes of stubs, and classes defined in functions, are left as they are; so is a class
whose bases cannot be told one to one (a rebound base beside ``Generic[T]``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mypy.nodes import (
    GDEF,
    MypyFile,
    RefExpr,
    SymbolNode,
    TypeInfo,
)
from mypy.types import get_proper_type

from mypy_wsplugin.facts.bindings import node_now, written_path
from mypy_wsplugin.mypy_classes import (
    INDEX_EXPR,
    INSTANCE,
    MEMBER_EXPR,
    REF_EXPR,
    TYPE_ALIAS,
    TYPE_INFO,
)
from mypy_wsplugin.mypy_internals import tree_is_complete


@contextmanager
def classes_rebased(modules: dict[str, MypyFile]) -> Iterator[None]:
    """Give every class of ``modules`` whose bases now give another MRO that MRO, for the
    duration."""
    kept: list[tuple[TypeInfo, list[TypeInfo], bool]] = []
    for info, mro in _stale(modules):
        kept.append((info, info.mro, info.fallback_to_any))
        info.mro = mro
        # A base that was ``Any`` (its module missing before this update, back now) made
        # mypy fall back to ``Any`` for the class's members; where every base as written
        # names a class now, those classes say.
        if info.fallback_to_any and _bases_are_classes(info, modules):
            info.fallback_to_any = any(cls.fallback_to_any for cls in mro[1:])
    try:
        yield
    finally:
        for info, mro, fallback in kept:
            info.mro = mro
            info.fallback_to_any = fallback


def _stale(modules: dict[str, MypyFile]) -> list[tuple[TypeInfo, list[TypeInfo]]]:
    """Each class whose MRO differs from the one its bases give now, with that MRO."""
    now: dict[TypeInfo, list[TypeInfo]] = {}
    changed: list[tuple[TypeInfo, list[TypeInfo]]] = []
    for tree in modules.values():
        if tree.is_stub or not tree_is_complete(tree):
            continue
        for info in _classes_defined_in(tree):
            mro = _mro_now(info, modules, now)
            if len(mro) != len(info.mro) or any(
                a is not b for a, b in zip(mro, info.mro, strict=True)
            ):
                changed.append((info, list(mro)))
    return changed


def _classes_defined_in(tree: MypyFile) -> Iterator[TypeInfo]:
    """The classes defined at ``tree``'s top level and in their bodies."""
    todo = [
        sym.node
        for sym in tree.names.values()
        if isinstance(sym.node, TYPE_INFO) and sym.node.module_name == tree.fullname
    ]
    while todo:
        info = todo.pop()
        yield info
        prefix = info.fullname + "."
        todo.extend(
            sym.node
            for sym in info.names.values()
            if isinstance(sym.node, TYPE_INFO) and sym.node.fullname.startswith(prefix)
        )


def _mro_now(
    info: TypeInfo, modules: dict[str, MypyFile], now: dict[TypeInfo, list[TypeInfo]]
) -> list[TypeInfo]:
    """``info``'s MRO as its bases give it now; its MRO as it is where that cannot be told
    (no bases, a class or a base without an MRO yet, a base list that does not
    linearize, a cycle)."""
    known = now.get(info)
    if known is not None:
        return known
    now[info] = info.mro  # a cycle (an invalid program) reads the MRO as it is
    bases = _bases_now(info, modules)
    if not bases or not info.mro:
        return info.mro
    lines = [_mro_now(base, modules, now) for base in bases]
    if not all(lines):
        return info.mro
    merged = _c3([*(list(line) for line in lines), list(bases)])
    mro = now[info] = [info, *merged] if merged is not None else info.mro
    return mro


def _bases_now(info: TypeInfo, modules: dict[str, MypyFile]) -> list[TypeInfo] | None:
    """The classes ``info``'s bases name now; None where that cannot be told.

    Where a base as written (``class M(Base)``, ``class M(mod.Base[int])``) names something
    else now than when mypy bound it, or is a type alias whose class changed (``Base =
    Other``), the bases as written, one class each (mypy drops some written bases, such as
    ``Generic[T]``: then nothing is told); else each recorded base's class, or the class
    its full name names now."""
    recorded = [base.type for base in info.bases]
    refs = _written_bases(info)
    if refs is not None:
        home = modules.get(info.module_name)
        now = [_written_now(ref, home, modules) for ref in refs]
        written = [_class_of(node) for node in now]
        aligned = len(written) == len(recorded)
        rebound = any(
            node is not ref.node
            or (isinstance(node, TYPE_ALIAS) and aligned and written[i] is not recorded[i])
            for i, (ref, node) in enumerate(zip(refs, now, strict=True))
        )
        if rebound:
            classes = [cls for cls in written if cls is not None]
            return classes if aligned and len(classes) == len(written) else None
    return [_class_of(node_now(cls.fullname, modules)) or cls for cls in recorded]


def _written_now(
    ref: RefExpr, home: MypyFile | None, modules: dict[str, MypyFile]
) -> SymbolNode | None:
    """What a base written as ``ref`` in the class's module ``home`` names now: through the
    import that binds it there (``from app import Base``, where ``app`` now defines its own
    ``Base`` in place of re-exporting one), as the coming analysis will bind it, else by
    its full name."""
    if not ref.fullname:
        return ref.node
    path = written_path(ref, home) if ref.kind == GDEF or isinstance(ref, MEMBER_EXPR) else None
    return node_now(path or ref.fullname, modules)


def _bases_are_classes(info: TypeInfo, modules: dict[str, MypyFile]) -> bool:
    """Whether every base ``info``'s class statement writes names a class now."""
    refs = _written_bases(info)
    home = modules.get(info.module_name)
    return refs is not None and all(
        _class_of(_written_now(ref, home, modules)) is not None for ref in refs
    )


def _written_bases(info: TypeInfo) -> list[RefExpr] | None:
    """The names ``info``'s class statement gives as bases (the class of a subscripted
    base); None where one is not a name, or the class has no statement."""
    refs: list[RefExpr] = []
    for expr in info.defn.base_type_exprs:
        if isinstance(expr, INDEX_EXPR):
            expr = expr.base
        if not isinstance(expr, REF_EXPR):
            return None
        refs.append(expr)
    return refs


def _class_of(node: SymbolNode | None) -> TypeInfo | None:
    """The class ``node`` is, or that a type alias ``node`` names (``Base = Other``)."""
    if isinstance(node, TYPE_ALIAS):
        target = get_proper_type(node.target)
        return target.type if isinstance(target, INSTANCE) else None
    return node if isinstance(node, TYPE_INFO) else None


def _c3(seqs: list[list[TypeInfo]]) -> list[TypeInfo] | None:
    """The C3 merge (as ``mypy.mro.merge``); None where there is no consistent order."""
    result: list[TypeInfo] = []
    while True:
        seqs = [s for s in seqs if s]
        if not seqs:
            return result
        for seq in seqs:
            head = seq[0]
            if not any(head in s[1:] for s in seqs):
                break
        else:
            return None
        result.append(head)
        for s in seqs:
            if s[0] is head:
                del s[0]
