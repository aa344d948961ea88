"""Resolving a call's callee from the analysed tree, without type inference.

Used where mypy gives no types: inside unannotated functions (whose bodies mypy does not
check) and for names imported from modules mypy cannot see.  Names are resolved as mypy's
semantic analysis resolved them (aliases and re-exports arrive as the definition's node),
plus ``self.method()`` / ``cls.method()`` inside a class, ``super().method()``,
``Class.method()``, ``Pool().method()`` on an instance made there, ``make_pool().method()``
on the result of a sync def that declares an instance result (``-> Pool``, or a method's
``-> Self`` bound to its known receiver: ``Pool().clone().method()``), ``p.method()``
on a local the function made either way (``p = Pool()``, ``p = make_pool()``, ``p =
Pool().clone()``, ``c = await connect()`` where ``connect`` is an ``async def`` that
declares ``-> Conn``, ``c = await self.pool.acquire()``: read where ``c`` is used, as the
call itself), ``(await connect()).method()``, and chains of attributes whose
types are declared (``self.core.api.check()`` where ``core: Core`` and
``Core.api: Api``).  A method is found through the MRO of what the receiver is statically
known to be: an override in a subclass is not seen.  Anything else (a call on a parameter
or any other local, a method of an unannotated function's result, ``f()()``) is not
resolved: nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from mypy.nodes import (
    GDEF,
    CallExpr,
    Expression,
    FuncItem,
    MemberExpr,
    MypyFile,
    RefExpr,
    SymbolNode,
    TypeInfo,
)
from mypy.types import (
    ProperType,
    Type,
    get_proper_type,
    has_type_vars,
)
from mypy.typevars import fill_typevars_with_any

from mypy_wsplugin.facts.bindings import (
    bound,
    is_declared,
    is_outside_class,
    missing_import,
    program,
    self_owner,
)
from mypy_wsplugin.facts.dependencies import reads_class, reads_module
from mypy_wsplugin.facts.instance_attributes import (
    awaited_instance,
    awaited_target,
    bound_through_class,
    constructed_attribute,
    declared_instance,
    imported_variable_class,
    instance_class,
    module_variable_class,
    rebinds,
)
from mypy_wsplugin.facts.local_instances import (
    callee_replaced,
    chain_narrowed,
    global_patched,
    globals_passed,
    item_narrowed,
    local_class,
    locals_of,
    member_patched,
    member_replaced,
    replaces_members,
    self_attribute_narrowed,
)
from mypy_wsplugin.facts.narrowing import captured_as_declared, narrowed
from mypy_wsplugin.facts.roles import Scope
from mypy_wsplugin.facts.types import ITEM_METHODS, item_read, iterated_item
from mypy_wsplugin.mypy_classes import (
    ANY_TYPE,
    AWAIT_EXPR,
    CALL_EXPR,
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_DEF,
    FUNC_ITEM,
    INDEX_EXPR,
    INSTANCE,
    MEMBER_EXPR,
    MYPY_FILE,
    NAME_EXPR,
    NONE_TYPE,
    OVERLOADED_FUNC_DEF,
    REF_EXPR,
    SLICE_EXPR,
    SUPER_EXPR,
    TYPE_INFO,
    UNION_TYPE,
    VAR,
)
from mypy_wsplugin.mypy_internals import contains_any


@dataclass(frozen=True)
class Callee:
    fullname: str
    display: str  # how messages name it: "get_manager" or "Registry.get"
    node: SymbolNode | None  # the definition; None when it lives in a module mypy cannot see
    unseen: bool = False  # reached through a missing or skipped module
    # For a method: the class of the instance it is called on (or the class it is called
    # on), as far as statically known; a result declared ``Self`` is an instance of it.
    receiver: TypeInfo | None = None


def resolve_callee(
    call: CallExpr, scope: Scope, tree: MypyFile, modules: dict[str, MypyFile]
) -> Callee | None:
    return resolve_reference(call.callee, call.line, scope, tree, modules)


def resolve_reference(
    callee: Expression, line: int, scope: Scope, tree: MypyFile, modules: dict[str, MypyFile]
) -> Callee | None:
    """What ``callee`` names: a call's callee, or a name or attribute read as it is
    (``await self.fetch``), on ``line``."""
    # What names the callee is read first, and whether the function replaces it only then:
    # a callee that names nothing needs no walk of the function for its replacements.
    if isinstance(callee, NAME_EXPR):
        found = _from_ref(callee, tree, modules)
        if found is not None and callee_replaced(callee, scope, tree):
            return None  # ``patch("app.main.fetch", ...)`` before: it may reach the mock
        return found
    if isinstance(callee, MEMBER_EXPR):
        base = callee.expr
        if callee.fullname and callee.node is not None:  # module attribute: ``ws.get()``
            node = bound(callee)
            found = _from_node(node) if node is not None else None
            if found is not None and callee_replaced(callee, scope, tree):
                return None  # ``patch.object(ws, "get", ...)`` before
            return found
        if callee.node is None and not callee.fullname:
            # While the daemon re-binds names: a module's attribute that the module lacked
            # when the tree was analysed (``import app.a`` then ``app.a.make()`` while
            # ``app/a.py`` was missing, now back).
            node = bound(callee)
            if node is not None:
                return _from_node(node)
        info = _receiver(base, scope)
        if info is not None:  # ``Class.m()``, ``self.m()``, ``cls.m()``, ``self.core.api.m()``
            found = _member_of(info, callee.name, info)
            if found is None:
                return None
            if callee_replaced(callee, scope, tree):
                return None  # ``r.fetch = Mock()`` before: the call may reach the mock
            if member_patched(info, callee.name, line, scope):
                return None  # ``patch.object(Pool, "acquire", ...)`` before
            return found
        return _unseen_member(callee, tree)
    if isinstance(callee, SUPER_EXPR) and callee.info is not None:  # ``super().m()``
        for info in callee.info.mro[1:]:
            if callee.name in info.names:
                return _member_of(info, callee.name, callee.info)
    return None


def _receiver(base: Expression, scope: Scope) -> TypeInfo | None:
    """The class that ``base.m()`` looks ``m`` up in: ``base`` names it, or is statically
    known to be an instance of it (:func:`receiver_class`)."""
    info = bound(base) if isinstance(base, REF_EXPR) else None
    if isinstance(info, TYPE_INFO):
        reads_class(info)
        return info
    return receiver_class(base, scope)


def receiver_class(expr: Expression, scope: Scope) -> TypeInfo | None:
    """The class ``expr`` is statically known to be an instance (or the class) of:
    ``self``/``cls`` in a method, an instance made right there (``Pool().size()``,
    ``make_pool().size()`` where ``make_pool`` declares ``-> Pool``) or by the function
    (``p = Pool()``, see :mod:`.local_instances`), or an attribute of such a receiver with
    a declared type.  Its modules are the judgement's dependencies (:mod:`.dependencies`)."""
    info = _receiver_class(expr, scope)
    reads_class(info)
    return info


def _receiver_class(expr: Expression, scope: Scope) -> TypeInfo | None:
    if isinstance(expr, NAME_EXPR) and expr.kind == GDEF:
        held = _unless_none(get_proper_type(global_type(expr, scope)))
        known = held.type if isinstance(held, INSTANCE) else None
        return narrowed(expr, scope, known) if isinstance(scope, FUNC_ITEM) else known
    if isinstance(expr, NAME_EXPR) and isinstance(expr.node, VAR):
        owner = self_owner(scope, expr.node) if isinstance(scope, FUNC_ITEM) else None
        if owner is not None and isinstance(scope, FUNC_ITEM):
            if owner is not scope and (
                not captured_as_declared(owner, expr.node) or replaces_members(owner)
            ):
                return None  # ``self`` in a nested function, narrowed or patched in its method
            return narrowed(expr, scope, owner.info)  # ``isinstance(self, Sub)``
        found = locals_of(expr, scope)  # read once for the three questions below
        if found is None or not isinstance(scope, FUNC_ITEM):
            return None  # not a local of a function
        value = found.through_receiver.get(expr.node)
        if value is not None:
            # ``c = await self.pool.acquire()`` ... ``c.execute()``: as the value itself.
            return narrowed(expr, scope, receiver_class(value, scope))
        source = found.iterated.get(expr.node)
        if source is not None:
            # ``for conn in self.active:`` ... ``conn.send()``: an item of the container.
            return narrowed(expr, scope, _item_class(*source, scope))
        return local_class(expr, scope, found)
    if isinstance(expr, INDEX_EXPR):
        # ``self.by_user[uid].send_text(m)``: an item of a declared container.
        sliced = isinstance(expr.index, SLICE_EXPR)
        return _read_item_class(expr.base, "__getitem__", scope, sliced)
    if isinstance(expr, CALL_EXPR):
        made = instance_class(expr)
        callee = expr.callee
        if (
            made is None
            and isinstance(callee, MEMBER_EXPR)
            and callee.name in ITEM_METHODS
            and (expr.args or callee.name == "pop")  # ``get()`` without a key is an error
        ):
            # ``self.by_user.get(uid)``, ``self.active.pop()``
            made = _read_item_class(callee.expr, callee.name, scope)
        if made is None:
            # A method of a known receiver that declares an instance result, ``Self``
            # included (``Pool().clone().size()``).
            method = _method_of_receiver(expr, scope)
            made = declared_instance(*method) if method is not None else None
        return made
    if isinstance(expr, AWAIT_EXPR) and isinstance(expr.expr, CALL_EXPR):
        # An awaited call of an ``async def`` that declares an instance result
        # (``(await connect()).execute()``, ``(await Pool().acquire()).execute()``).
        call = expr.expr
        method = _method_of_receiver(call, scope)
        if method is None and isinstance(call.callee, REF_EXPR):
            method = awaited_target(call.callee)
        return awaited_instance(*method) if method is not None else None
    if isinstance(expr, MEMBER_EXPR):
        typ = _unless_none(get_proper_type(declared_attribute(expr, scope)))
        if isinstance(typ, INSTANCE):
            return typ.type
    return None


def _item_class(container: Expression, view: str | None, scope: Scope) -> TypeInfo | None:
    """The class of the items a ``for`` loop gives over ``container`` (with ``view``, over
    its ``keys()`` or ``values()``: :mod:`.loop_targets`), where its type is known
    (:func:`_container_type`); not an item type with ``Any`` in it."""
    typ = _container_type(container, scope)
    return _instance_class(iterated_item(typ, view)) if typ is not None else None


def _read_item_class(
    container: Expression, method: str, scope: Scope, sliced: bool = False
) -> TypeInfo | None:
    """The class of the item that ``container[key]`` (``method`` ``"__getitem__"``) or
    ``container.get(key)`` (``pop``, ``setdefault``) reads, where the container's type is
    known (:func:`_container_type`): :func:`.types.item_read`."""
    if item_narrowed(container, scope):
        return None  # ``isinstance(self.by_user[uid], Fake)``: mypy narrows such items
    typ = _container_type(container, scope)
    return _instance_class(item_read(typ, method, sliced)) if typ is not None else None


def _container_type(container: Expression, scope: Scope) -> Type | None:
    """The type of a container as mypy types it where it is declared: a declared attribute
    (``self.active: list[WebSocket]``) or a module-level variable (:func:`global_type`).
    Its class is read (its methods decide what an item is: a dependency)."""
    if isinstance(container, NAME_EXPR) and container.kind == GDEF:
        typ = global_type(container, scope)
    elif isinstance(container, MEMBER_EXPR):
        typ = declared_attribute(container, scope)
    else:
        return None
    container_type = get_proper_type(typ)
    if isinstance(container_type, INSTANCE):
        reads_class(container_type.type)
    return typ


def _instance_class(item: Type | None) -> TypeInfo | None:
    """The class of an item type that is an instance (``X | None`` as ``X``), not one with
    ``Any`` in it."""
    if item is None or contains_any(item):
        return None
    held = _unless_none(get_proper_type(item))
    return held.type if isinstance(held, INSTANCE) else None


def _unless_none(typ: ProperType | None) -> ProperType | None:
    """A receiver declared ``X | None`` (``self.conn: Conn | None = None``) as ``X``: a
    method called or an attribute read on it is ``X``'s wherever the code runs on (on
    ``None`` it raises), as mypy judges each member of a union receiver (and reports
    ``None``'s under ``[union-attr]``) where it checks the body."""
    if not isinstance(typ, UNION_TYPE):
        return typ
    rest = [item for item in map(get_proper_type, typ.items) if not isinstance(item, NONE_TYPE)]
    return rest[0] if len(rest) == 1 and len(rest) < len(typ.items) else None


def _method_of_receiver(
    call: CallExpr, scope: Scope
) -> tuple[SymbolNode | None, TypeInfo | None] | None:
    """The method ``call`` calls on a receiver whose class is known (:func:`_receiver`),
    with the class its self type binds to."""
    callee = call.callee
    if not isinstance(callee, MEMBER_EXPR) or callee.node is not None:
        return None
    info = _receiver(callee.expr, scope)
    sym = info.get(callee.name) if info is not None else None
    if info is None or sym is None or member_patched(info, callee.name, call.line, scope):
        return None
    through = isinstance(callee.expr, REF_EXPR) and bound(callee.expr) is info
    return sym.node, bound_through_class(sym.node, info) if through else info


def declared_attribute(expr: MemberExpr, scope: Scope, properties: bool = True) -> Type | None:
    """The declared type of ``receiver.name`` (``self.x`` where ``x: T``), if any; with
    ``properties``, also what a property's getter declares (:func:`property_type`).  Not
    where the function replaces that attribute on its local (``svc.conn = MagicMock()``) or
    patches it on the class (``patch.object(Service, "conn", new_callable=PropertyMock)``):
    mypy narrows the first, and the second is not the class's."""
    if isinstance(expr.expr, REF_EXPR) and isinstance(expr.expr.node, MYPY_FILE):
        return global_type(expr, scope)  # ``module.name``
    if chain_narrowed(expr, scope):
        return None  # ``isinstance(self.h.conn, Fake)``, ``s.h.conn = Fake()``: mypy narrows
    info = receiver_class(expr.expr, scope)
    if info is None:
        return None
    sym = info.get(expr.name)
    node = sym.node if sym is not None else None
    declared = declared_type(node) or (property_type(node) if properties else None)
    if declared is not None and _attribute_replaced(expr, info, scope):
        return None
    if declared is not None or (sym is not None and not _undeclared(sym.node)):
        return declared
    return constructed_attribute(info, expr.name, _module_of_scope(scope))


def global_type(ref: RefExpr, scope: Scope) -> Type | None:
    """What a module-level variable holds, named directly (``client``, also imported) or
    through its module (``clients.client``): its declared type (``client: Client``), or,
    for a variable bound once at its module's top level by a call that plainly gives one
    class (``client = Client()``, ``client = make_client()`` declaring ``-> Client``),
    that class, read from the assignment as for a local
    (:func:`.instance_attributes.chained_instance`), not from what mypy inferred (which
    an edit of a third module, a factory's declared result, can change later in a daemon
    update than the pass reads it); for another module's variable, from that module's body
    where the run has it, else from its cache entry
    (:func:`.instance_attributes.imported_variable_class`).  Not where the function
    rebinds the name (``global client``), patches it by path before the line
    (:func:`.local_instances.callee_replaced`) or its test class does (in its set-up
    methods or by a class decorator: :func:`.local_instances.global_patched`), or passes it
    to a call (an
    ``isinstance`` test or a type guard may narrow it there:
    :func:`.local_instances.globals_passed`)."""
    node = bound(ref)
    if not isinstance(node, VAR) or node.is_property:
        return None
    loaded = program()
    here = _module_of_scope(scope)
    tree = loaded.get(here) if loaded is not None else None
    if isinstance(scope, FUNC_ITEM) and (
        callee_replaced(ref, scope, tree) or _passed(ref, scope) or global_patched(ref, scope, tree)
    ):
        return None
    if is_declared(node):
        return node.type
    home = node.fullname.rpartition(".")[0]
    if home != here:
        # Imported (``from app.ws import manager``): from its module's body or cache entry.
        other = loaded.get(home) if loaded is not None else None
        if other is None or (
            isinstance(ref, NAME_EXPR) and tree is not None and rebinds(tree, ref.name)
        ):
            return None  # not known, or the importing module binds the name again
        reads_module(home)
        return imported_variable_class(other, node)
    if tree is None:
        return None
    made = module_variable_class(tree, node)
    return fill_typevars_with_any(made) if made is not None else None


def _passed(ref: RefExpr, scope: FuncItem) -> bool:
    """Whether ``scope`` passes the variable ``ref`` names to a call (``isinstance(client,
    Fake)``, a type guard): mypy may narrow it there."""
    passed = globals_passed(scope)
    if isinstance(ref, NAME_EXPR):
        return ref.name in passed
    if isinstance(ref, MEMBER_EXPR):
        base = ref.expr
        if isinstance(base, REF_EXPR) and isinstance(base.node, MYPY_FILE):
            return f"{base.node.fullname}.{ref.name}" in passed
    return False


def _attribute_replaced(expr: MemberExpr, info: TypeInfo, scope: Scope) -> bool:
    """Whether the function makes ``receiver.name`` hold something else than its
    declaration says: ``self.pool = FakePool()`` or ``isinstance(self.pool, ...)`` in the
    method (mypy narrows it there), ``svc.conn = MagicMock()`` on its local ``svc`` before,
    or a patch of ``conn`` on ``info`` (or a class of its MRO; also in ``setUp``)."""
    if self_attribute_narrowed(expr, scope):
        return True
    base = expr.expr
    if isinstance(base, NAME_EXPR) and member_replaced(base, expr.name, scope):
        return True
    return member_patched(info, expr.name, expr.line, scope)


def _undeclared(node: SymbolNode | None) -> bool:
    """An attribute mypy created from ``self.x = ...`` without a type it can use."""
    return isinstance(node, VAR) and not is_declared(node)


def _module_of_scope(scope: Scope) -> str:
    if isinstance(scope, MYPY_FILE):
        return scope.fullname
    if isinstance(scope, FUNC_DEF) and not is_outside_class(scope.info):
        return scope.info.module_name
    return scope.fullname.rpartition(".")[0]


def declared_type(node: SymbolNode | None) -> Type | None:
    """The type of a variable as its annotation declares it (an inferred type is left out:
    mypy infers attributes only where it checks bodies, so it is not known everywhere)."""
    if not isinstance(node, VAR) or not is_declared(node):
        return None
    if isinstance(get_proper_type(node.type), ANY_TYPE):
        return None
    return node.type


def property_type(node: SymbolNode | None) -> Type | None:
    """What reading a property gives, as its getter declares it (``@property def conn(self)
    -> Conn``, with a setter beside it or not): the type mypy gives the access.  Read from
    the getter's signature as mypy keeps it (its ``Var``, typed once mypy has checked the
    class body, and kept in the cache), so other decorators count as mypy counts them.
    Not for a ``functools.cached_property`` (a store on the instance replaces it), an
    ``async def`` getter, an ``Any`` result or one a type variable decides (``-> T``,
    ``-> Self``: the receiver binds it)."""
    if isinstance(node, DECORATOR) and node.var.is_settable_property:
        return None  # ``functools.cached_property``: a store on the instance replaces it
    if isinstance(node, OVERLOADED_FUNC_DEF) and node.is_property and node.items:
        node = node.items[0]
    if not isinstance(node, DECORATOR) or not node.var.is_property or node.func.is_coroutine:
        return None
    getter = get_proper_type(node.var.type) if node.var.is_ready else None
    if not isinstance(getter, CALLABLE_TYPE):
        return None
    returned = getter.ret_type
    if isinstance(get_proper_type(returned), ANY_TYPE) or has_type_vars(returned):
        return None
    return returned


def _unseen_member(callee: MemberExpr, tree: MypyFile) -> Callee | None:
    """``extlib.ws.get()`` where ``import extlib.ws`` names a module mypy cannot see."""
    attributes = [callee.name]
    base = callee.expr
    while isinstance(base, MEMBER_EXPR):
        attributes.append(base.name)
        base = base.expr
    if not isinstance(base, NAME_EXPR) or not isinstance(base.node, VAR):
        return None
    imported = missing_import(tree, base.node)
    if imported is None:
        return None
    full = ".".join([imported, *reversed(attributes)])
    return Callee(full, callee.name, None, unseen=True)


def _from_ref(ref: RefExpr, tree: MypyFile, modules: dict[str, MypyFile]) -> Callee | None:
    node = bound(ref, modules)
    if isinstance(node, VAR):
        # A module mypy cannot see (or a variable): what the import statement names.
        imported = missing_import(tree, node)
        if imported is None:
            return None
        return Callee(imported, imported.rpartition(".")[2], None, unseen=True)
    if node is None:
        return None
    return _from_node(node)


def _from_node(node: SymbolNode, receiver: TypeInfo | None = None) -> Callee | None:
    if isinstance(node, (FUNC_DEF, DECORATOR, OVERLOADED_FUNC_DEF)):
        func = node.func if isinstance(node, DECORATOR) else node
        info = func.info if isinstance(func, FUNC_DEF) else None
        owner = info.name + "." if info is not None and not is_outside_class(info) else ""
        return Callee(node.fullname, owner + node.name, node, receiver=receiver)
    if isinstance(node, TYPE_INFO):
        return Callee(node.fullname, node.name, node)
    return None


def _member_of(info: TypeInfo, name: str, receiver: TypeInfo) -> Callee | None:
    sym = info.get(name)
    if sym is None or sym.node is None:
        return None
    return _from_node(sym.node, receiver)
