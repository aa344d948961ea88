"""Where a method's body does not say what calling it gives.

A method is judged by what its receiver is statically known to be, through the MRO; its
body tells what a call gives unless the program says otherwise where it can be seen in
every mode -- in the method's own module: a subclass there overrides it with an
``async def`` (a sync default meant to be overridden), or a method there assigns its name
on an instance (``self.fetch = self._fetch_async``).  Likewise an attribute a class's
methods set (``self.pool = SyncPool()``) is not known where a function of the module
assigns it on another instance (``d.pool = AsyncPool()``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mypy.nodes import (
    FUNC_NO_INFO,
    Expression,
    FuncDef,
    MypyFile,
    SymbolNode,
    SymbolTable,
    TypeInfo,
)

from mypy_wsplugin.facts.kept import frozen
from mypy_wsplugin.facts.reachability import names_stored
from mypy_wsplugin.facts.statements import (
    Role,
    StatementWalker,
    functions_in,
    stored_members,
)
from mypy_wsplugin.facts.stored_results import hidden_symbols_of
from mypy_wsplugin.facts.types import awaitable_result, coroutine_result
from mypy_wsplugin.mypy_classes import (
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_DEF,
    NAME_EXPR,
    OVERLOADED_FUNC_DEF,
    TYPE_INFO,
)

# module -> (its tree, the statements read, the answer): computed once per parsed module.
_MEMO: dict[str, tuple[MypyFile, object, frozenset[str]]] = {}


def replaced_methods(home: MypyFile) -> frozenset[str]:
    """``Cls.name`` for each plain sync method of a class of ``home`` that a class of
    ``home`` puts something else before in its MRO (an ``async def`` in a subclass or an
    earlier mixin, a class attribute), that its class body assigns again (``fetch =
    make_async(fetch)``), or whose name a method of ``home`` assigns on an instance."""
    cached = _MEMO.get(home.fullname)
    if cached is not None and cached[0] is home and cached[1] is home.defs:
        return cached[2]
    answer = _replaced_methods(home)
    _MEMO[home.fullname] = (home, home.defs, answer)
    return answer


def _replaced_methods(home: MypyFile) -> frozenset[str]:
    # Asked only of ``home``'s own methods (``callee_results.Inference._replaced`` reads a
    # method's own module): a class of another module in an MRO gives no entry here.
    module = home.fullname
    replaced: set[str] = set()
    for info in classes_in(module, home.names):
        own = [base for base in info.mro if base.module_name == module]
        for name in stored_by_methods(info):
            replaced.update(f"{base.fullname}.{name}" for base in own)
        replaced.update(_shadowed_in_mro(info, module))
        replaced.update(f"{info.fullname}.{name}" for name in _rebound_in_body(info))
    return frozen(replaced)


def stored_by_methods(info: TypeInfo) -> set[str]:
    """The attribute names the methods of ``info`` (decorated ones too) assign, on
    anything (``self.fetch = ...``, ``peer.fetch = ...``)."""
    stores = _AttributeStores()
    for sym in info.names.values():
        node = sym.node
        func = node.func if isinstance(node, DECORATOR) else node
        if isinstance(func, FUNC_DEF):
            stores.scope(func)
    return stores.names


def _shadowed_in_mro(info: TypeInfo, module: str) -> Iterator[str]:
    """``Cls.name`` for each plain sync method of a class of ``module`` in ``info``'s MRO
    that an instance of ``info`` does not reach through it: something else comes first in
    the MRO (an ``async def`` in a subclass or a mixin listed before, a class attribute
    such as ``on_a = _connect``, a decorated function: anything but an undecorated sync
    def).  The MRO is read up to its last class of ``module``."""
    mro = info.mro
    last = max((i for i, cls in enumerate(mro) if cls.module_name == module), default=-1)
    first: dict[str, bool] = {}  # name -> whether what an instance reaches is a plain sync def
    for cls in mro[: last + 1]:
        own = cls.module_name == module
        for name, sym in cls.names.items():
            node = sym.node
            if name not in first:
                first[name] = isinstance(node, FUNC_DEF) and not node.is_coroutine
            elif own and not first[name] and _has_body_read(node):
                yield f"{cls.fullname}.{name}"


def reached_otherwise(receiver: TypeInfo, owner: TypeInfo, called: str, watched: set[str]) -> bool:
    """Whether an instance of ``receiver``, a subclass of ``owner`` (in any module), reaches
    a method of ``owner``'s MRO as something of another kind: a class before ``owner`` in
    its MRO defines that name as an ``async def`` where ``owner`` reaches a plain def, or
    back, or as anything else (a decorated function, an attribute).  Then the bodies of
    ``owner``'s methods (``return self.load()``) do not say what they give on it: read
    from the classes' symbol tables, which the cache keeps, so the answer is the same in
    every mode.  ``watched`` gets the full names whose change may change the answer (the
    daemon re-checks the caller when one does).  ``called``, the method called, is left
    out: reached on ``owner`` (``super().connect()``), its own override is not called."""
    mro = receiver.mro
    if not mro or mro[0] is owner or owner not in mro:
        return False
    kinds: dict[str, tuple[str, bool] | None] = {}  # what owner reaches (not on object)
    for cls in owner.mro[:-1]:
        for name, sym in cls.names.items():
            kinds.setdefault(name, _kind(sym.node))
    methods = [name for name, kind in kinds.items() if kind is not None and name != called]
    for cls in mro[: mro.index(owner)]:
        watched.update(f"{cls.fullname}.{name}" for name in methods)
        for name, sym in cls.names.items():
            kind = kinds.get(name)
            if kind is None or name == called:
                continue
            if isinstance(sym.node, FUNC_DEF):
                # An unannotated def turning async (the daemon's snapshot does not say).
                watched.update(hidden_symbols_of(sym.node))
            if _kind(sym.node) != kind:
                return True
    return False


def _kind(node: SymbolNode | None) -> tuple[str, bool] | None:
    """What kind of method ``node`` is (a plain def or another, ``async`` or not), None
    for no method."""
    if isinstance(node, FUNC_DEF):
        # A plain def declared to give an awaitable (``-> Awaitable[int]``) is one.
        signature = node.type
        declared = isinstance(signature, CALLABLE_TYPE) and (
            awaitable_result(signature.ret_type) is not None
            or coroutine_result(signature.ret_type) is not None
        )
        return ("def", node.is_coroutine or declared)
    if isinstance(node, DECORATOR):
        return ("decorated", node.func.is_coroutine)
    if isinstance(node, OVERLOADED_FUNC_DEF):
        return ("overloaded", False)
    return None


def _has_body_read(node: object) -> bool:
    """A sync def, decorated or not: what the inference may read a body of."""
    func = node.func if isinstance(node, DECORATOR) else node
    return isinstance(func, FUNC_DEF) and not func.is_coroutine


def _rebound_in_body(info: TypeInfo) -> Iterator[str]:
    """The method names the class body assigns again (``fetch = make_async(fetch)``, also
    under an ``if`` or in a tuple target)."""
    for name in names_stored(info.defn.defs.body):
        sym = info.names.get(name)
        if sym is not None and isinstance(sym.node, (FUNC_DEF, DECORATOR)):
            yield name


def classes_in(prefix: str, names: SymbolTable) -> Iterator[TypeInfo]:
    for name, sym in names.items():
        node: Any = sym.node
        # By identity (a symbol's class is never mypy's ``FakeInfo``): asked for every name.
        if type(node) is TYPE_INFO and node.fullname == f"{prefix}.{name}":
            yield node
            yield from classes_in(node.fullname, node.names)


# module -> (its tree, the statements read, the answer).
_OUTSIDE_MEMO: dict[str, tuple[MypyFile, object, frozenset[str]]] = {}


def attributes_stored_on_others(home: MypyFile) -> frozenset[str]:
    """The attribute names that a function of ``home`` (at module level, or a method of a
    class) assigns on something else than its own ``self`` (``d.pool = AsyncPool()``):
    such an attribute of an instance may hold what that store gives."""
    cached = _OUTSIDE_MEMO.get(home.fullname)
    if cached is not None and cached[0] is home and cached[1] is home.defs:
        return cached[2]
    stores = _AttributeStores(skip_own=True)
    for func in functions_in(home.defs):  # methods and nested functions included
        stores.own = _first_argument(func)
        stores.scope(func)
    answer = frozen(stores.names)
    _OUTSIDE_MEMO[home.fullname] = (home, home.defs, answer)
    return answer


def _first_argument(func: FuncDef) -> str | None:
    if func.info is FUNC_NO_INFO or func.is_static or not func.arguments:
        return None
    return func.arguments[0].variable.name


class _AttributeStores(StatementWalker):
    """The attribute names a function assigns (``x.name = ...``)."""

    def __init__(self, skip_own: bool = False) -> None:
        self.names: set[str] = set()
        # Leave out stores on the function's own first argument (``self.x = ...``).
        self.skip_own = skip_own
        self.own: str | None = None

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if role is not Role.STORE:
            return
        for member in stored_members(e):
            base = member.expr
            if not (self.skip_own and isinstance(base, NAME_EXPR) and base.name == self.own):
                self.names.add(member.name)
