"""What a callee gives when called, known from its definition alone.

mypy sees ``Any`` for an unannotated function's result.  Some of them are still plainly
known: an ``async def`` gives a coroutine; a sync ``def`` that returns nothing, or whose
every ``return`` gives a literal, a container display, a comparison or a new instance of a
class that is not awaitable, gives something that cannot be awaited.  Everything else is
unknown, and unknown is never reported (no guessing from ``Any``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from mypy.nodes import (
    FUNC_NO_INFO,
    BytesExpr,
    CallExpr,
    ComparisonExpr,
    ComplexExpr,
    Decorator,
    DictExpr,
    DictionaryComprehension,
    Expression,
    FloatExpr,
    FuncDef,
    GeneratorExpr,
    IntExpr,
    ListComprehension,
    ListExpr,
    MypyFile,
    NameExpr,
    RaiseStmt,
    ReturnStmt,
    SetComprehension,
    SetExpr,
    Statement,
    StrExpr,
    SymbolNode,
    SymbolTable,
    TupleExpr,
    TypeInfo,
)
from mypy.types import (
    AnyType,
    NoneType,
    Type,
    TypeOfAny,
    UninhabitedType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_wsplugin.facts.bindings import (
    bare_method,
    bound,
    declared_signature,
    reading,
    self_class,
)
from mypy_wsplugin.facts.instance_attributes import (
    attribute_stores,
    module_variable_stores,
    stores_on_self,
)
from mypy_wsplugin.facts.local_instances import local_class
from mypy_wsplugin.facts.overrides import classes_in, reached_otherwise, replaced_methods
from mypy_wsplugin.facts.reachability import module_bindings
from mypy_wsplugin.facts.resolve import declared_attribute, declared_type, resolve_callee
from mypy_wsplugin.facts.statements import StatementWalker
from mypy_wsplugin.facts.stored_results import (
    body_available,
    has_body,
    module_of,
    rebound_key,
    replace_stored,
    result_key,
    self_key,
    stored_reads_self,
    stored_rebound,
    stored_type,
)
from mypy_wsplugin.facts.types import (
    awaitability_is_generic,
    by_bounds,
    call_signature,
    constructed_class,
    coroutine_result,
    coroutine_type,
    find_class,
    is_class_parameter,
    result_on,
    union_of,
)
from mypy_wsplugin.mypy_classes import (
    ANY_TYPE,
    CALL_EXPR,
    CALLABLE_TYPE,
    CONDITIONAL_EXPR,
    DECORATOR,
    ELLIPSIS_EXPR,
    EXPRESSION_STMT,
    FUNC_DEF,
    IF_STMT,
    MEMBER_EXPR,
    NAME_EXPR,
    PASS_STMT,
    RAISE_STMT,
    REF_EXPR,
    STR_EXPR,
    SUPER_EXPR,
    TYPE_INFO,
    VAR,
)
from mypy_wsplugin.mypy_internals import CAPABILITIES

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
    is_async: bool  # calling gives a coroutine
    result: Type  # sync: what a call gives; async: what awaiting it gives (Any if unknown)


def static_result(
    node: SymbolNode | None,
    tree: MypyFile,
    modules: dict[str, MypyFile],
    receiver: TypeInfo | None = None,
) -> StaticResult | None:
    """What calling ``node`` gives (on an instance of ``receiver``, if known), or None when
    that cannot be known without guessing.

    ``tree`` is the module being checked.  See :class:`Inference`.
    """
    return Inference(tree, modules).result(node, receiver)


class Inference:
    """What calling a definition gives, from the definition itself.

    A definition's signature and ``async``-ness are in mypy's symbol tables (and cache).
    What an unannotated ``def`` gives is read from its body where the body is there (the
    module was parsed in this run and not yet freed, or the daemon keeps it); otherwise from
    the fact kept in its module's cache entry (:mod:`.stored_results`), which was computed
    from the same body by the same rules.  So a finding never depends on whether the
    callee's module came from the cache.  Without the pass after type checking (mypy < 2.4)
    facts are not kept, and bodies are only read in the module being checked.

    ``consulted`` collects the definitions whose facts were asked for, so that the daemon
    re-checks the caller when one of their hidden symbols changes (``hidden_symbols_of``),
    and ``watched`` the methods of a receiver's class that decide whether its base's body
    may be read for it (the daemon re-checks the caller when one changes).
    """

    def __init__(self, tree: MypyFile, modules: dict[str, MypyFile]) -> None:
        self.tree = tree
        self.modules = modules
        self.consulted: set[FuncDef] = set()
        # The full names of the methods of a receiver's classes that decided whether a
        # base class's body says what its method gives (:func:`.overrides.reached_otherwise`).
        self.watched: set[str] = set()
        # The functions whose result was read through a call on their ``self`` or ``cls``
        # (``return self.load()``, ``super().load()``), as read from their bodies here.
        self.reads_self: set[FuncDef] = set()
        self._visiting: set[int] = set()

    def result(
        self, node: SymbolNode | None, receiver: TypeInfo | None = None
    ) -> StaticResult | None:
        """``receiver``: the class of the instance (or the class) a method is called on,
        where the caller knows it (:attr:`.resolve.Callee.receiver`): a result declared
        ``Self`` is an instance of it (:func:`.types.result_on`)."""
        if isinstance(node, TYPE_INFO):
            made = constructed_class(node)
            return StaticResult(False, fill_typevars_with_any(made)) if made is not None else None
        if isinstance(node, DECORATOR) and (node.var.is_property or node.func.is_property):
            return None  # calling a property calls what the getter returns
        if not isinstance(node, (FUNC_DEF, DECORATOR)):
            return None
        func = node.func if isinstance(node, DECORATOR) else node
        if func.is_generator or func.is_async_generator:
            return None
        if receiver is not None and _stored_on_instances(receiver, func):
            return None  # ``self.send = self._send`` in a subclass's ``__init__``
        if func.info is FUNC_NO_INFO and self.bound_again(func):
            return None  # ``f = sync_to_async(f)``: the name means something else
        if isinstance(node, FUNC_DEF):
            signed = _from_signature_of(node, receiver)
            if signed is not None:
                if node.type is None:
                    # An unannotated ``async def``: the daemon's snapshot of it does not
                    # say ``async``; the result kept for it appears when it turns sync.
                    self._consult(func)
                return _known(signed)
        home = self._consult(func)
        if home is None:
            return None
        if has_body(func, home):
            if id(func) in self._visiting:
                return None  # a recursive chain: unknown
            self._visiting.add(id(func))
            try:
                with reading(home):
                    known = self.from_definition(node, home, receiver)
            finally:
                self._visiting.discard(id(func))
            reads_self = func in self.reads_self
        else:
            stored = stored_type(home, func)
            known = _as_result(stored) if stored is not None else None
            reads_self = stored_reads_self(home, func)
        if (
            known is not None
            and reads_self
            and receiver is not None
            and func.info is not FUNC_NO_INFO
            and reached_otherwise(receiver, func.info, func.name, self.watched)
        ):
            # ``Child().fetch()``, ``Base.fetch`` returning ``self.load()`` and ``Child``
            # overriding ``load`` with an ``async def``: the body is ``Base``'s view.
            return None
        return known

    def bound_again(self, func: FuncDef) -> bool:
        """Whether ``func``'s module binds its name again (:func:`rebound`): read from the
        module's body where it is there, else from its kept facts, which say the same; in
        the module being checked only, without them (mypy < 2.4)."""
        home = self._consult(func)
        if home is None or func.fullname != f"{home.fullname}.{func.name}":
            return False  # not a function of a module's top level
        if body_available(home):
            return rebound(home, func.name)
        return stored_rebound(home, func.name)

    def _consult(self, func: FuncDef) -> MypyFile | None:
        """``func``'s module, if its facts may be used here.  ``func`` is noted as
        consulted also where its facts are not used (mypy < 2.4, another module): whether
        calling it gives a coroutine is in its definition, and the caller must be checked
        again when that changes."""
        name = module_of(func)
        home = self.modules.get(name)
        if home is None:
            return None
        self.consulted.add(func)
        if name != self.tree.fullname and not WHOLE_PROGRAM:
            return None
        return home

    def from_definition(
        self, node: Decorator | FuncDef, home: MypyFile, receiver: TypeInfo | None = None
    ) -> StaticResult | None:
        """From the definition, its body and decorators included (``home`` is its module,
        parsed in this run)."""
        if isinstance(node, DECORATOR) and not _transparent(node):
            bare = bare_method(node) if receiver is not None else None
            signed = _from_signature_of(bare, receiver) if bare is not None else None
            if signed is not None:
                return _known(signed)
            return _from_signature(node.var.type)
        func = node.func if isinstance(node, DECORATOR) else node
        signed = _from_signature_of(func, receiver)
        if signed is not None:
            return _known(signed)
        if func.is_coroutine:
            return StaticResult(True, AnyType(TypeOfAny.unannotated))
        if func.info is not FUNC_NO_INFO and self._replaced(func, home):
            return None
        return self._inferred(func, home)

    def _replaced(self, method: FuncDef, home: MypyFile) -> bool:
        """Whether the module that defines ``method`` also overrides it with an ``async def``
        in a subclass (a sync default meant to be overridden) or assigns the name on an
        instance (``self.fetch = self._fetch_async``): its body does not say what a call
        gives.  Only the defining module is read, so the answer is the same in every mode."""
        return f"{method.info.fullname}.{method.name}" in replaced_methods(home)

    def _inferred(self, func: FuncDef, home: MypyFile) -> StaticResult | None:
        """An unannotated sync def, if every ``return`` makes its result plain."""
        if _is_stub(func):
            return None  # a stub or abstract method: an override may well be async
        collector = _ReturnCollector()
        collector.scope(func)
        if not collector.returns:
            # A not-implemented hook (or a re-raise): an override may well make it async.
            if collector.not_implemented:
                return None
            # Every path ends in a raise: NoReturn; else it falls off the end: None.
            never_returns = _always_raises(func.body.body)
            return StaticResult(False, UninhabitedType() if never_returns else NoneType())
        items: list[Type] = []
        for expr in collector.returns:
            item = self._value(expr, func, home)
            if item is None:
                return None
            items.append(item)
        # ``return x`` for ``x: T``: as for a declared ``-> T`` (:func:`_known`).
        inferred = _as_result(union_of(items))
        return _known(inferred) if inferred is not None else None

    def _value(self, expr: Expression | None, func: FuncDef, home: MypyFile) -> Type | None:
        """What ``expr`` (in ``func``'s body) evaluates to, when plainly known."""
        if expr is None:
            return NoneType()
        if isinstance(expr, NAME_EXPR):
            return self._name(expr, func)
        name = _LITERAL_TYPES.get(type(expr))
        if name is not None:
            return find_class(name, self.modules)
        if isinstance(expr, CONDITIONAL_EXPR):
            left = self._value(expr.if_expr, func, home)
            right = self._value(expr.else_expr, func, home)
            return None if left is None or right is None else union_of([left, right])
        if isinstance(expr, CALL_EXPR):
            return self._call(expr, func, home)
        if isinstance(expr, MEMBER_EXPR):
            # Not a property: a subclass ``self`` may be an instance of can override it
            # with anything (an unannotated getter), and mypy types the result ``Any``.
            return declared_attribute(expr, func, properties=False)
        return None

    def _name(self, expr: NameExpr, func: FuncDef) -> Type | None:
        if expr.fullname == "builtins.None":
            return NoneType()
        constant = _NAMED_CONSTANTS.get(expr.fullname)
        if constant is not None:
            return find_class(constant, self.modules)
        if isinstance(expr.node, VAR) and self_class(func, expr.node) is not None:
            # ``return self``: an instance of the class the method is called on, which may
            # be a subclass (an awaitable query builder's ``where``): mypy gives its first
            # argument the defining class, which says nothing of the receiver.
            return None
        declared = declared_type(expr.node)
        if declared is not None:
            return declared
        made = local_class(expr, func)  # ``p = Pool()`` ... ``return p``
        return _instance(made) if made is not None else None

    def _call(self, call: CallExpr, func: FuncDef, home: MypyFile) -> Type | None:
        callee = call.callee
        if isinstance(callee, MEMBER_EXPR) and _on_self(callee.expr, func):
            self.reads_self.add(func)
        if isinstance(callee, REF_EXPR):
            info = bound(callee)
            if isinstance(info, TYPE_INFO):
                made = constructed_class(info)
                return _instance(made) if made is not None else None
        target = resolve_callee(call, func, home, self.modules)
        if target is None or target.node is None:
            return None
        known = self.result(target.node, target.receiver)
        if known is None:
            return None
        return coroutine_type(known.result, self.modules) if known.is_async else known.result


WHOLE_PROGRAM: Final = CAPABILITIES.post_pass


def _on_self(expr: Expression, func: FuncDef) -> bool:
    """Whether ``expr`` is ``func``'s ``self`` or ``cls``, or ``super()`` in it: a method
    looked up there is the instance's, which a subclass may override."""
    if isinstance(expr, SUPER_EXPR):
        return True
    return (
        isinstance(expr, NAME_EXPR)
        and isinstance(expr.node, VAR)
        and self_class(func, expr.node) is not None
    )


def _as_result(value: Type) -> StaticResult | None:
    """A sync def returning a coroutine is, for its callers, a coroutine function."""
    awaited = coroutine_result(value)
    return StaticResult(True, awaited) if awaited is not None else StaticResult(False, value)


def signature_says(func: FuncDef) -> bool:
    """Whether :func:`_from_signature_of` gives what calling ``func`` gives (an ``async
    def``, or a declared result), without making it (asked of every def at a cache write)."""
    return func.is_coroutine or _declared_result(func) is not None


def _from_signature_of(func: FuncDef, receiver: TypeInfo | None = None) -> StaticResult | None:
    """What the signature says (annotated, or an ``async def``): kept in the cache.  Called
    on an instance of ``receiver`` (or on that class), if given."""
    declared = _declared_result(func)
    signature = declared_signature(func)
    if declared is not None and isinstance(signature, CALLABLE_TYPE):
        declared = result_on(func, signature, receiver)
    if func.is_coroutine:
        if declared is None:
            return StaticResult(True, AnyType(TypeOfAny.unannotated))
        return StaticResult(True, coroutine_result(declared) or declared)
    if declared is not None:
        return StaticResult(False, declared)
    return None


def _transparent(node: Decorator) -> bool:
    """Whether ``node``'s decorators all keep its call behaviour (read from the source)."""
    for decorator in node.original_decorators:
        target = decorator.callee if isinstance(decorator, CALL_EXPR) else decorator
        if not isinstance(target, REF_EXPR) or target.fullname not in _TRANSPARENT_DECORATORS:
            return False
    return True


def _from_signature(typ: Type | None) -> StaticResult | None:
    """From the type mypy inferred for a decorated function (kept in the cache); a
    decorator that gives an object is called through its ``__call__``."""
    sig = call_signature(typ)
    if sig is None or sig.implicit:
        return None
    ret = get_proper_type(sig.ret_type)
    if isinstance(ret, ANY_TYPE):
        return None
    awaited = coroutine_result(ret)
    return StaticResult(True, awaited) if awaited is not None else _known(StaticResult(False, ret))


def _known(signed: StaticResult) -> StaticResult | None:
    """``signed``, unless it is a sync result whose awaitability a type variable decides
    (``def get(self) -> T`` of a ``Box[T]``, ``def first(xs: list[T]) -> T``): what a call
    gives then depends on the receiver's or the arguments' types, which are not known here
    (mypy sees ``Any`` for them in an unannotated caller).  Unknown, so never reported.  A
    bounded or constrained type variable left in it (``Self`` on a receiver not known,
    ``bound=int`` of a function) is read by its bound (:func:`.types.by_bounds`); one of a
    generic class (``-> B`` of a ``Box[B]``, ``B`` bound to ``Conn``) is not: the receiver's
    type argument may be a subclass, awaitable where the bound is not."""
    if is_class_parameter(signed.result):
        return StaticResult(True, AnyType(TypeOfAny.special_form)) if signed.is_async else None
    if not signed.is_async and awaitability_is_generic(signed.result):
        return None
    result = by_bounds(signed.result)
    return signed if result is signed.result else StaticResult(signed.is_async, result)


def rebound_where_defined(
    node: SymbolNode | None, tree: MypyFile, modules: dict[str, MypyFile]
) -> bool:
    """Whether ``node`` is a function of a module's top level that its module binds again
    (:func:`rebound`; read from the kept facts where the module's body is gone), asked from
    ``tree``, the module being checked."""
    func = node.func if isinstance(node, DECORATOR) else node
    if not isinstance(func, FUNC_DEF) or func.info is not FUNC_NO_INFO:
        return False
    return Inference(tree, modules).bound_again(func)


def rebound(tree: MypyFile, name: str) -> bool:
    """Whether the module ``tree`` binds ``name``, a function it defines, again: a store at
    its top level in code that runs (``f = wrap(f)``, also under an ``if`` or ``try``, in a
    tuple target or by a walrus), an import, or a function that declares it ``global`` and
    stores it.  mypy still names the def, but the name may hold anything where it is read.
    (Not after ``from x import *``.)"""
    bindings = module_bindings(tree)
    return name in bindings.stored or name in bindings.imported


def stored_again(tree: MypyFile, name: str) -> bool:
    """Whether the module ``tree`` stores to ``name``, a function it imports, as
    :func:`rebound` counts stores (``from app.jobs import job``, ``job = wrap(job)``)."""
    return name in module_bindings(tree).stored


def _is_stub(func: FuncDef) -> bool:
    """A body of only a docstring, ``pass`` and ``...``: a stub or an abstract method."""
    for stmt in func.body.body:
        if isinstance(stmt, PASS_STMT):
            continue
        if isinstance(stmt, EXPRESSION_STMT) and isinstance(stmt.expr, (STR_EXPR, ELLIPSIS_EXPR)):
            continue
        return False
    return True


def _declared_result(func: FuncDef) -> Type | None:
    typ = declared_signature(func)
    if isinstance(typ, CALLABLE_TYPE) and not typ.implicit:
        ret = get_proper_type(typ.ret_type)
        if isinstance(ret, ANY_TYPE) and ret.type_of_any == TypeOfAny.unannotated:
            return None
        return typ.ret_type
    return None


_NOT_IMPLEMENTED: Final = frozenset({"builtins.NotImplementedError", "builtins.NotImplemented"})


def _always_raises(body: list[Statement]) -> bool:
    """Whether every path through ``body`` ends in a ``raise`` (its last statement raises,
    or is an ``if`` whose every branch, ``else`` included, always raises)."""
    if not body:
        return False
    last = body[-1]
    if isinstance(last, RAISE_STMT):
        return True
    if isinstance(last, IF_STMT) and last.else_body is not None:
        branches = [*last.body, last.else_body]
        return all(_always_raises(branch.body) for branch in branches)
    return False


class _ReturnCollector(StatementWalker):
    """Collects a function's own ``return`` statements, and whether one of its ``raise``
    statements is a not-implemented hook's or a re-raise (not nested ones)."""

    def __init__(self) -> None:
        self.returns: list[Expression | None] = []
        self.not_implemented = False

    def visit_return(self, s: ReturnStmt) -> None:
        self.returns.append(s.expr)

    def visit_raise(self, s: RaiseStmt) -> None:
        raised = s.expr.callee if isinstance(s.expr, CALL_EXPR) else s.expr
        if not isinstance(raised, REF_EXPR) or raised.fullname in _NOT_IMPLEMENTED:
            self.not_implemented = True  # or a re-raise, or anything not plainly an error


def _instance(info: TypeInfo) -> Type | None:
    """What a call of the class ``info`` gives, if plainly not awaitable."""
    return None if _maybe_awaitable_class(info) else fill_typevars_with_any(info)


def _maybe_awaitable_class(info: TypeInfo) -> bool:
    return (
        info.get("__await__") is not None
        or info.has_base("typing.Awaitable")
        or info.get("__getattr__") is not None
        or info.fallback_to_any
    )


def _stored_on_instances(receiver: TypeInfo, method: FuncDef) -> bool:
    """Whether a class of ``receiver``'s MRO before the one defining ``method`` stores
    its name on ``self``: the instance's attribute, not the method, is what is called."""
    if method.info is FUNC_NO_INFO:
        return False
    for cls in receiver.mro:
        if cls is method.info:
            return False
        if stores_on_self(cls, method.name):
            return True
    return False


def store_results(home: MypyFile, modules: dict[str, MypyFile]) -> None:
    """Keep, in ``home``'s symbol table (and so its cache entry), what calling each of its
    functions gives where only the body tells (see :mod:`.stored_results`)."""
    if not WHOLE_PROGRAM or home.is_stub or not body_available(home):
        return
    inference = Inference(home, modules)
    results: dict[str, Type] = {}
    for node in _definitions(home):
        func = node.func if isinstance(node, DECORATOR) else node
        if isinstance(node, FUNC_DEF) and signature_says(node):
            continue  # the signature says it, and the cache keeps signatures
        known = inference.result(node)
        if known is None:
            continue
        kept = coroutine_type(known.result, modules) if known.is_async else known.result
        if kept is not None:
            results[result_key(func)] = kept
            if func in inference.reads_self:
                results[self_key(func)] = AnyType(TypeOfAny.special_form)
    prefix = home.fullname + "."
    for name, symbol in home.names.items():
        defined: Any = symbol.node
        kind = type(defined)  # by identity: leaves of mypy's node classes
        if (
            (kind is FUNC_DEF or kind is DECORATOR)
            and defined.fullname == prefix + name
            and rebound(home, name)
        ):
            results[rebound_key(name)] = AnyType(TypeOfAny.special_form)
    results.update(attribute_stores(home))
    results.update(module_variable_stores(home))
    replace_stored(home, results)


def _definitions(home: MypyFile) -> Iterator[FuncDef | Decorator]:
    """The functions and methods ``home`` defines (nested classes included)."""
    yield from _own_functions(home.fullname, home.names)
    for info in classes_in(home.fullname, home.names):
        yield from _own_functions(info.fullname, info.names)


def _own_functions(prefix: str, names: SymbolTable) -> Iterator[FuncDef | Decorator]:
    for name, sym in names.items():
        node: Any = sym.node
        kind = type(node)  # by identity: leaves of mypy's node classes
        if (kind is FUNC_DEF or kind is DECORATOR) and node.fullname == f"{prefix}.{name}":
            yield node  # not imported, not an alias
