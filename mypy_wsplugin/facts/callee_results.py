"""What a callee gives when called, known from its definition alone.

mypy sees ``Any`` for an unannotated function's result.  Some of them are still plainly
known: an ``async def`` gives a coroutine; a sync ``def`` that returns nothing, or whose
every ``return`` gives a literal, a container display, a comparison or a new instance of a
class that is not awaitable, gives something that cannot be awaited.  Everything else is
unknown, and unknown is never reported (no guessing from ``Any``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.nodes import (
    FUNC_NO_INFO,
    AssignmentStmt,
    BytesExpr,
    CallExpr,
    ComparisonExpr,
    ComplexExpr,
    Decorator,
    DictExpr,
    DictionaryComprehension,
    EllipsisExpr,
    Expression,
    ExpressionStmt,
    FloatExpr,
    FuncDef,
    GeneratorExpr,
    IntExpr,
    ListComprehension,
    ListExpr,
    MypyFile,
    NameExpr,
    PassStmt,
    RaiseStmt,
    RefExpr,
    ReturnStmt,
    SetComprehension,
    SetExpr,
    StrExpr,
    SymbolNode,
    TupleExpr,
    TypeInfo,
)
from mypy.types import (
    AnyType,
    CallableType,
    NoneType,
    Type,
    TypeOfAny,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_wsplugin.facts.statements import StatementWalker
from mypy_wsplugin.facts.types import coroutine_result, find_class, union_of

# Decorators that keep a function's call behaviour (sync stays sync, async stays async).
_TRANSPARENT_DECORATORS = frozenset(
    {
        "builtins.staticmethod",
        "builtins.classmethod",
        "functools.lru_cache",
        "functools.cache",
    }
)
_LITERAL_TYPES = {
    IntExpr: "builtins.int",
    StrExpr: "builtins.str",
    BytesExpr: "builtins.bytes",
    FloatExpr: "builtins.float",
    ComplexExpr: "builtins.complex",
    ComparisonExpr: "builtins.bool",
    ListExpr: "builtins.list",
    ListComprehension: "builtins.list",
    DictExpr: "builtins.dict",
    DictionaryComprehension: "builtins.dict",
    SetExpr: "builtins.set",
    SetComprehension: "builtins.set",
    TupleExpr: "builtins.tuple",
    GeneratorExpr: "typing.Generator",
}
_NAMED_CONSTANTS = {"builtins.True": "builtins.bool", "builtins.False": "builtins.bool"}


@dataclass(frozen=True)
class StaticResult:
    is_async: bool  # a coroutine function
    result: Type  # sync: what a call gives; async: what awaiting it gives (Any if unknown)


def static_result(
    node: SymbolNode | None, tree: MypyFile, modules: dict[str, MypyFile]
) -> StaticResult | None:
    """What calling ``node`` gives, or None when that cannot be known without guessing.

    ``tree`` is the module being checked.  Function bodies and decorator lists are only
    read for definitions in that module: a module mypy loads from its cache keeps neither,
    and a finding must not depend on whether the callee's module was in the cache.  What
    the cache does keep (signatures, ``async``-ness, classes) is used from any module.
    """
    if isinstance(node, TypeInfo):
        return StaticResult(False, fill_typevars_with_any(node))
    if isinstance(node, Decorator) and (node.var.is_property or node.func.is_property):
        return None  # calling a property calls what the getter returns
    if isinstance(node, Decorator) and not _transparent(node, tree):
        return _from_signature(node.var.type)
    func = node.func if isinstance(node, Decorator) else node
    if not isinstance(func, FuncDef) or func.is_generator or func.is_async_generator:
        return None
    declared = _declared_result(func)
    if func.is_coroutine:
        if declared is None:
            return StaticResult(True, AnyType(TypeOfAny.unannotated))
        return StaticResult(True, coroutine_result(declared) or declared)
    if declared is not None:
        return StaticResult(False, declared)
    if func.info is not FUNC_NO_INFO or not _defined_in(func, tree) or _rebound(func, tree):
        # A method's body may be overridden (by an ``async def`` in a subclass) or replaced
        # on the instance; a function's name may be rebound (``f = sync_to_async(f)``).
        return None
    inferred = _inferred_result(func, modules)
    return None if inferred is None else StaticResult(False, inferred)


def _transparent(node: Decorator, tree: MypyFile) -> bool:
    """Whether ``node``'s decorators all keep its call behaviour (read in ``tree`` only)."""
    if not _defined_in(node.func, tree):
        return False
    for decorator in node.original_decorators:
        target = decorator.callee if isinstance(decorator, CallExpr) else decorator
        if not isinstance(target, RefExpr) or target.fullname not in _TRANSPARENT_DECORATORS:
            return False
    return True


def _from_signature(typ: Type | None) -> StaticResult | None:
    """From the type mypy inferred for a decorated function (kept in the cache)."""
    sig = get_proper_type(typ)
    if not isinstance(sig, CallableType) or sig.implicit:
        return None
    ret = get_proper_type(sig.ret_type)
    if isinstance(ret, AnyType):
        return None
    awaited = coroutine_result(ret)
    return StaticResult(True, awaited) if awaited is not None else StaticResult(False, ret)


def _defined_in(func: FuncDef, tree: MypyFile) -> bool:
    if func.info is not FUNC_NO_INFO:
        return func.info.module_name == tree.fullname
    return func.fullname.rpartition(".")[0] == tree.fullname


def _rebound(func: FuncDef, tree: MypyFile) -> bool:
    """Whether the module also assigns to the function's name (``f = wrap(f)``)."""
    for stmt in tree.defs:
        if isinstance(stmt, AssignmentStmt):
            for lvalue in stmt.lvalues:
                if isinstance(lvalue, NameExpr) and lvalue.name == func.name:
                    return True
    return False


def _is_stub(func: FuncDef) -> bool:
    """A body of only a docstring, ``pass`` and ``...``: a stub or an abstract method."""
    for stmt in func.body.body:
        if isinstance(stmt, PassStmt):
            continue
        if isinstance(stmt, ExpressionStmt) and isinstance(stmt.expr, (StrExpr, EllipsisExpr)):
            continue
        return False
    return True


def _declared_result(func: FuncDef) -> Type | None:
    typ = func.type
    if isinstance(typ, CallableType) and not typ.implicit:
        ret = get_proper_type(typ.ret_type)
        if isinstance(ret, AnyType) and ret.type_of_any == TypeOfAny.unannotated:
            return None
        return typ.ret_type
    return None


class _ReturnCollector(StatementWalker):
    """Collects a function's own ``return`` and ``raise`` statements (not nested ones)."""

    def __init__(self) -> None:
        self.returns: list[Expression | None] = []
        self.raises = False

    def visit_return(self, s: ReturnStmt) -> None:
        self.returns.append(s.expr)

    def visit_raise(self, s: RaiseStmt) -> None:
        self.raises = True


def _inferred_result(func: FuncDef, modules: dict[str, MypyFile]) -> Type | None:
    """The result of an unannotated sync def, if every ``return`` makes it plain."""
    if _is_stub(func):
        return None  # a stub or abstract method: an override may well be async
    collector = _ReturnCollector()
    collector.scope(func)
    if not collector.returns:
        # Falls off the end: None -- unless it only raises, like a not-implemented hook.
        return None if collector.raises else NoneType()
    items: list[Type] = []
    for expr in collector.returns:
        item = _expression_result(expr, modules)
        if item is None:
            return None
        items.append(item)
    return union_of(items)


def _expression_result(expr: Expression | None, modules: dict[str, MypyFile]) -> Type | None:
    if expr is None:
        return NoneType()
    if isinstance(expr, NameExpr):
        if expr.fullname == "builtins.None":
            return NoneType()
        name = _NAMED_CONSTANTS.get(expr.fullname)
        return _builtin(name, modules) if name else None
    name = _LITERAL_TYPES.get(type(expr))
    if name is not None:
        return _builtin(name, modules)
    if isinstance(expr, CallExpr) and isinstance(expr.callee, RefExpr):
        info = expr.callee.node
        if isinstance(info, TypeInfo) and not _maybe_awaitable_class(info):
            return fill_typevars_with_any(info)
    return None


def _maybe_awaitable_class(info: TypeInfo) -> bool:
    return (
        info.get("__await__") is not None
        or info.has_base("typing.Awaitable")
        or info.get("__getattr__") is not None
        or info.fallback_to_any
    )


def _builtin(fullname: str, modules: dict[str, MypyFile]) -> Type | None:
    return find_class(fullname, modules)
