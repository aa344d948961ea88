"""What an undeclared instance attribute holds, where the code plainly says.

Unannotated code sets attributes mypy never types (``self.cx = Client()`` in ``setUp``).
When every assignment to ``self.<name>`` in the methods of the receiver's class and of its
bases plainly gives one class (a new instance, or a call of a callee that declares an
instance result: ``self.pool = make_pool()`` where ``-> Pool``), or ``None`` as a
placeholder until then, the attribute holds an instance of that class.  A class of the
module being read (checked or inferred) is read from its body, which every mode has; one of
another module from its body where this run has it, else from what its module's cache
entry keeps (:func:`attribute_stores`, written with the module's other kept results, the
same rule on the same body), so the answer does not depend on the cache.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from mypy.nodes import (
    LDEF,
    AssignmentStmt,
    CallExpr,
    ClassDef,
    Expression,
    FuncDef,
    FuncItem,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    Statement,
    SymbolNode,
    TypeInfo,
    Var,
)
from mypy.types import (
    AnyType,
    NoneType,
    Type,
    TypeOfAny,
    UnionType,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_wsplugin.facts.bindings import (
    Callees,
    KeptCallees,
    KeptMembers,
    Members,
    bare_method,
    bound,
    callee_definition,
    declared_parameter,
    declared_signature,
    is_declared,
    members_unchanged,
    note_callee,
    note_member,
    program,
    reading,
    self_class,
    still_bound,
)
from mypy_wsplugin.facts.kept import frozen
from mypy_wsplugin.facts.narrowing import narrowed, narrowings
from mypy_wsplugin.facts.overrides import attributes_stored_on_others, classes_in
from mypy_wsplugin.facts.reachability import module_bindings
from mypy_wsplugin.facts.roles import store_counts
from mypy_wsplugin.facts.statements import (
    Definition,
    Role,
    StatementWalker,
    overload_parts,
    store_targets,
    stored_members,
)
from mypy_wsplugin.facts.stored_results import attribute_key, body_available, variable_key
from mypy_wsplugin.facts.types import (
    call_signature,
    constructed_class,
    coroutine_result,
    non_awaitable_members,
    result_on,
)
from mypy_wsplugin.mypy_classes import (
    ANY_TYPE,
    ASSIGNMENT_EXPR,
    ASSIGNMENT_STMT,
    AWAIT_EXPR,
    CALL_EXPR,
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_DEF,
    IMPORT,
    IMPORT_ALL,
    IMPORT_FROM,
    INSTANCE,
    MEMBER_EXPR,
    NAME_EXPR,
    NONE_TYPE,
    OVERLOADED_FUNC_DEF,
    REF_EXPR,
    STR_EXPR,
    TYPE_INFO,
    UNION_TYPE,
    VAR,
)
from mypy_wsplugin.mypy_internals import get_subexpressions, hidden_symbol_type

_Assigned = dict[str, "TypeInfo | None"]  # attribute -> its one class (None: anything else)
_UNKNOWN: Final = AnyType(TypeOfAny.special_form)
# What a class's methods store on ``self``: the classes, and the attributes also set to
# ``None`` (a placeholder until another method stores the instance).
_Stores = tuple[_Assigned, frozenset[str]]
# A parameter declared as an instance, as read: its method, name, ``Var`` and type.
_DeclaredParameter = tuple[FuncDef, NameExpr, Var, "Type | None"]
_Declared = list[_DeclaredParameter]
# A method whose ``isinstance`` tests were read, with what they said then.
_Narrowing = tuple[FuncItem, object]
_Narrowings = list[_Narrowing]
_MEMO: dict[
    int,
    tuple[
        TypeInfo,
        object,
        KeptCallees,
        KeptMembers,
        tuple[_DeclaredParameter, ...],
        tuple[_Narrowing, ...],
        _Stores,
    ],
] = {}
# module -> (its tree, the statements read, the classes it defines).
_CLASSES: dict[str, tuple[MypyFile, object, list[TypeInfo]]] = {}


def constructed_attribute(info: TypeInfo, name: str, module: str) -> Type | None:
    """The instance ``self.name`` holds in ``info`` (read in ``module``), if plain: every
    class of ``info``'s MRO and every subclass of it defined in ``module`` (``self`` may be
    one) that stores to it stores the same class, no class body binds it, and no function
    of ``module`` (or of the storing class's module) stores it on something else; ``X |
    None`` where a method stores ``None`` too (and ``X`` is not awaitable)."""
    loaded = program()
    tree = loaded.get(module) if loaded is not None else None
    if tree is not None and name in attributes_stored_on_others(tree):
        return None  # ``d.pool = AsyncPool()`` somewhere in the module
    held: TypeInfo | None = None
    placeholder = False
    for base in [*info.mro, *_subclasses(info, tree)]:
        if base.module_name == module:
            stores = _stores_here(base, name)
        else:
            stores = _stores_elsewhere(base, name, loaded)
        if stores is None:
            continue
        proper = get_proper_type(stores)
        items = proper.items if isinstance(proper, UNION_TYPE) else [proper]
        for item in map(get_proper_type, items):
            if isinstance(item, NONE_TYPE):
                placeholder = True
            elif not isinstance(item, INSTANCE) or (held is not None and item.type is not held):
                return None
            else:
                held = item.type
    if held is None:
        return None
    filled = fill_typevars_with_any(held)
    if not isinstance(filled, INSTANCE):
        return None
    if placeholder and non_awaitable_members(loaded or {}, filled):
        # ``X | None``, where neither is awaitable.  An awaitable ``X`` (``self.waiter =
        # Waiter()``) stays ``X``: awaited, it is right once set, and mypy would only ask
        # to narrow the ``None`` away, which the code's order of calls may already do.
        return UnionType.make_union([filled, NoneType()])
    return filled


def _stores_here(info: TypeInfo, name: str, others: frozenset[str] = frozenset()) -> Type | None:
    """What ``info``'s methods store in ``self.<name>``, read from its body: None if
    nothing; ``Any`` if anything but one class and ``None`` (or the name is stored on
    something else, ``others``, or the class binds it otherwise: a method of that name);
    else the class's instance, ``NoneType`` for ``None``, or the union of both."""
    fact = _fact(_assigned(info), name, info)
    return _UNKNOWN if fact is not None and name in others else fact


def _fact(stores: _Stores, name: str, info: TypeInfo) -> Type | None:
    """:func:`_stores_here` from the class's stores, read once."""
    assigned, placeholders = stores
    if name not in assigned and name not in placeholders:
        return _UNKNOWN if name in info.names else None
    items: list[Type] = []
    if name in assigned:
        cls = assigned[name]
        if cls is None:
            return _UNKNOWN
        items.append(fill_typevars_with_any(cls))
    if name in placeholders:
        items.append(NoneType())
    return UnionType.make_union(items)


def _stores_elsewhere(info: TypeInfo, name: str, loaded: dict[str, MypyFile] | None) -> Type | None:
    """:func:`_stores_here` for a class of another module: from its body where this run
    has it, else as its module's cache entry keeps it (:func:`attribute_stores`: what is
    not unknown).  A stub's class stores nothing: a name it has is unknown."""
    home = loaded.get(info.module_name) if loaded is not None else None
    if home is not None and not home.is_stub:
        if body_available(home):
            with reading(home):
                stores = _stores_here(info, name, attributes_stored_on_others(home))
        else:
            stores = hidden_symbol_type(home, attribute_key(info, name))
        if stores is not None and not isinstance(get_proper_type(stores), ANY_TYPE):
            return stores
    return _UNKNOWN if name in info.names else None


def stores_on_self(info: TypeInfo, name: str) -> bool:
    """Whether a method of ``info`` stores ``self.<name>`` where ``name`` is a base class's
    (``self.send = self._send`` in ``__init__``: an instance's ``send`` is not the method
    the base class defines).  A name of ``info``'s own symbol table is its own definition,
    not this.  Read from its body where this run has it, else from the hidden symbol its
    module's cache entry keeps for every such store (:func:`attribute_stores`)."""
    if name in info.names:
        return False
    loaded = program()
    home = loaded.get(info.module_name) if loaded is not None else None
    if home is None or home.is_stub:
        return False
    if body_available(home):
        with reading(home):
            assigned, placeholders = _assigned(info)
        return name in assigned or name in placeholders
    return hidden_symbol_type(home, attribute_key(info, name)) is not None


def attribute_stores(home: MypyFile) -> dict[str, Type]:
    """What the methods of each class of ``home`` store on ``self``, by hidden symbol
    (``stored_results.attribute_key``), where not unknown, or where the class has no
    symbol of that name (a store to a base class's attribute or method: ``self.send =
    self._send``); an unknown store to a name the class has is read from its symbol:
    kept in the module's cache entry for code of other modules that reads them
    (:func:`_stores_elsewhere`, :func:`stores_on_self`)."""
    kept: dict[str, Type] = {}
    others: frozenset[str] | None = None  # read only where a store is plain (one walk)
    for info in classes_in(home.fullname, home.names):
        found = _assigned(info)
        assigned, placeholders = found
        for name in sorted({*assigned, *placeholders}):  # one order: the cache's bytes
            stores = _fact(found, name, info)
            if stores is None:
                continue
            plain = not isinstance(get_proper_type(stores), ANY_TYPE)
            if plain:
                if others is None:
                    others = attributes_stored_on_others(home)
                if name in others:
                    stores, plain = _UNKNOWN, False
            if plain or name not in info.names:
                kept[attribute_key(info, name)] = stores
    return kept


def _subclasses(info: TypeInfo, tree: MypyFile | None) -> list[TypeInfo]:
    """The subclasses of ``info`` that ``tree`` defines."""
    if tree is None:
        return []
    known = _CLASSES.get(tree.fullname)
    if known is None or known[0] is not tree or known[1] is not tree.defs:
        known = _CLASSES[tree.fullname] = (
            tree,
            tree.defs,
            list(classes_in(tree.fullname, tree.names)),
        )
    return [c for c in known[2] if c is not info and info in c.mro]


def _assigned(info: TypeInfo) -> _Stores:
    """Kept per class.  The daemon replaces a class body in place after an edit of its
    module, and analyses an unchanged body again after an edit elsewhere, where a callee may
    name another node (``Client`` turned from a class into a function): so the body is
    compared, what each callee names and its declared type
    (:func:`.bindings.still_bound`), and each method looked up on a known receiver
    (:func:`.bindings.members_unchanged`)."""
    body = info.defn.defs.body
    cached = _MEMO.get(id(info))
    if (
        cached is not None
        and cached[0] is info
        and cached[1] is body
        and still_bound(cached[2])
        and members_unchanged(cached[3])
        and all(
            name.node is var and declared_parameter(func, var) == typ
            for func, name, var, typ in cached[4]
        )
        and all(narrowings(func) is said for func, said in cached[5])
    ):
        return cached[6]
    walker = _SelfStores()
    for sym in info.names.values():
        node = sym.node
        # A property's setter stores too (``@pool.setter``: an overload of its items).
        items = overload_parts(node) if isinstance(node, OVERLOADED_FUNC_DEF) else [node]
        for item in items:
            func = item.func if isinstance(item, DECORATOR) else item
            if isinstance(func, FUNC_DEF) and func.arguments:
                walker.receiver = func.arguments[0].variable.name
                walker.func = func
                walker.scope(func)
    for name in _class_level_names(info):
        walker.assigned[name] = None  # ``pool = AsyncPool()`` in the body, a property
    _MEMO[id(info)] = (
        info,
        body,
        tuple(walker.callees),
        tuple(walker.members),
        tuple(walker.declared),
        tuple(walker.narrowings),
        (walker.assigned, frozen(walker.placeholders)),
    )
    return _MEMO[id(info)][6]


def _class_level_names(info: TypeInfo) -> list[str]:
    """The names the class body binds: assignments (``pool = AsyncPool()``, a descriptor)
    and definitions (a property of that name): what ``self.<name>`` reads when no method
    stored to it, and what mypy types it by."""
    names: list[str] = []
    for stmt in info.defn.defs.body:
        if isinstance(stmt, ASSIGNMENT_STMT):
            names.extend(lv.name for lv in stmt.lvalues if isinstance(lv, NAME_EXPR))
        elif isinstance(stmt, (FUNC_DEF, DECORATOR, OVERLOADED_FUNC_DEF)):
            names.append(stmt.name)
    return names


class _SelfStores(StatementWalker):
    """``self.<name> = <value>`` in a method: the class of each value, if it plainly
    gives one (:func:`chained_instance`).  Any other store to ``self.<name>`` (a tuple
    target, a ``for`` or ``with`` target, ``+=``, ``setattr(self, "name", ...)``, or one in
    a function nested in the method) makes it unknown."""

    def __init__(self) -> None:
        self.assigned: _Assigned = {}
        self.placeholders: set[str] = set()
        self.callees: Callees = []
        self.members: Members = []
        self.receiver = "self"
        self.func: FuncDef | None = None  # the method being read
        self.declared: _Declared = []
        self.narrowings: _Narrowings = []
        self._stores: dict[FuncDef, dict[Var, int]] = {}

    def _own(self, target: Expression | None) -> MemberExpr | None:
        if (
            isinstance(target, MEMBER_EXPR)
            and isinstance(target.expr, NAME_EXPR)
            and target.expr.name == self.receiver
        ):
            return target
        return None

    def visit_assignment(self, s: AssignmentStmt) -> None:
        for lvalue in s.lvalues:
            own = self._own(lvalue)
            if own is None:
                self._unknown(lvalue)
                continue
            if _placeholder(s):
                self.placeholders.add(own.name)  # ``self.conn = None`` until ``connect()``
                continue
            note_callee(self.callees, s.rvalue)
            cls = None
            if len(s.lvalues) == 1:
                cls = chained_instance(s.rvalue, self.callees, self.members, self._declared)
            annotated = get_proper_type(s.type) if s.type is not None else None
            if annotated is not None and not (
                isinstance(annotated, INSTANCE) and annotated.type is cls
            ):
                cls = None  # ``self.pool: Any = pool``: it holds what the annotation says
            if own.name in self.assigned and self.assigned[own.name] is not cls:
                cls = None
            self.assigned[own.name] = cls
        self.expr(s.rvalue)

    def _declared(self, name: NameExpr) -> TypeInfo | None:
        """The class a parameter of the method is declared as (``def __init__(self, pool:
        Pool)`` then ``self.pool = pool``, or ``self.pool = pool.clone()``), as an
        ``isinstance`` test there narrows it: what mypy infers the attribute as where it
        checks the method.  Not ``self``/``cls`` (a subclass's instance, maybe)."""
        var = name.node
        func = self.func
        if name.kind != LDEF or not isinstance(var, VAR) or func is None:
            return None
        if self_class(func, var) is not None:
            return None  # ``self``
        declared = declared_parameter(func, var)
        if not isinstance(declared, INSTANCE) or self._stores_of(func).get(var):
            return None  # a parameter the method assigns again
        self.declared.append((func, name, var, declared))
        self.narrowings.append((func, narrowings(func)))
        return narrowed(name, func, declared.type)

    def _stores_of(self, func: FuncDef) -> dict[Var, int]:
        """How often ``func`` stores each of its parameters (one walk per method)."""
        counts = self._stores.get(func)
        if counts is None:
            params = {arg.variable for arg in func.arguments}
            counts = self._stores[func] = store_counts(func, params)
        return counts

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if role is Role.STORE:
            self._unknown(e)
        elif (
            type(e) is CALL_EXPR  # by identity: asked for every top expression
            and isinstance(e.callee, NAME_EXPR)
            and e.callee.fullname == "builtins.setattr"
            and len(e.args) >= 2
            and isinstance(e.args[0], NAME_EXPR)
            and e.args[0].name == self.receiver
            and isinstance(e.args[1], STR_EXPR)
        ):
            self.assigned[e.args[1].value] = None

    def _unknown(self, target: Expression | None) -> None:
        """Every ``self.<name>`` that ``target`` stores to holds something unknown."""
        for member in stored_members(target):
            if self._own(member) is not None:
                self.assigned[member.name] = None

    def definition(self, s: Definition) -> None:
        """A function nested in the method sees its ``self``: its stores count too
        (unknown), unless it has a parameter of that name."""
        super().definition(s)
        func = s.func if isinstance(s, DECORATOR) else s
        if isinstance(func, FUNC_DEF) and all(
            arg.variable.name != self.receiver for arg in func.arguments
        ):
            stores = _NestedStores(self.receiver)
            stores.scope(func)
            for name in stores.names:
                self.assigned[name] = None


def _placeholder(s: AssignmentStmt) -> bool:
    """``self.conn = None``, unannotated: the attribute holds the class its other stores
    give, or ``None`` (where it is read as a receiver, ``self.conn.close()``, a method of
    ``None`` would raise, so the call is that class's, as for one declared ``Conn | None``;
    as a value, neither is awaitable)."""
    value = s.rvalue
    return (
        s.type is None
        and len(s.lvalues) == 1
        and isinstance(value, NAME_EXPR)
        and value.fullname == "builtins.None"
    )


class _NestedStores(_SelfStores):
    """The ``self.<name>`` a nested function stores to, whatever the value."""

    def __init__(self, receiver: str) -> None:
        super().__init__()
        self.receiver = receiver

    def visit_assignment(self, s: AssignmentStmt) -> None:
        for lvalue in s.lvalues:
            self._unknown(lvalue)  # only the names: what the value gives is not asked
        self.expr(s.rvalue)

    @property
    def names(self) -> list[str]:
        return list(self.assigned)


def instance_class(value: object) -> TypeInfo | None:
    """The class of the instance ``value`` plainly gives, if it is a call of: a class (one
    that does not fall back to ``Any``: a new instance of exactly that class), or a sync
    function, or a method of a class called on the class (``Pool.create()``), whose declared
    result is an instance of a class (``def make_pool() -> Pool``: as mypy types the call
    wherever it checks the caller; a subclass's override is not seen, as for an attribute
    declared ``Pool``).  Nothing is drawn from an unannotated def's body here: mypy types
    such a call ``Any`` where it checks the caller, so no hook could agree."""
    if not isinstance(value, CALL_EXPR) or not isinstance(value.callee, REF_EXPR):
        return None
    node = callee_definition(value.callee)
    if isinstance(node, TYPE_INFO):
        made = constructed_class(node)
        return None if made is None or made.fallback_to_any else made
    owner = value.callee.expr if isinstance(value.callee, MEMBER_EXPR) else None
    cls = bound(owner) if isinstance(owner, REF_EXPR) else None
    return declared_instance(node, bound_through_class(node, cls))


def bound_through_class(node: object, cls: object) -> TypeInfo | None:
    """What a method's self type binds to where it is called through the class ``cls``
    (``Pool.fresh()``): the class, for a class method (or a static one, which binds
    nothing); nothing for an instance method, whose receiver is its first argument
    (``Pool.clone(sub)`` binds ``Self`` to ``sub``'s class, as mypy binds it)."""
    if not isinstance(cls, TYPE_INFO):
        return None
    func = node.func if isinstance(node, DECORATOR) else node
    if isinstance(func, FUNC_DEF) and not func.is_class and not func.is_static:
        return None
    return cls


def module_variable_class(tree: MypyFile, var: Var) -> TypeInfo | None:
    """The class of the instance a variable of ``tree`` holds, where its module's top level
    binds it once, to a call that plainly gives one class (``client = Client()``,
    ``client = make_client()`` declaring ``-> Client``: :func:`chained_instance`), and no
    function of the module declares it ``global`` (and may bind it again).  Read from the
    assignment at each use, as a local's value is, so an edit of the class or of the
    callee reaches the reader as it does for a local."""
    if not body_available(tree):
        return None
    values, rebound = _module_variables(tree)
    value = values.get(var.name)
    if value is None or var.name in rebound:
        return None
    return chained_instance(value, [], [])


def module_variable_stores(home: MypyFile) -> dict[str, Type]:
    """The class of what each undeclared variable of ``home`` holds, where
    :func:`module_variable_class` knows it, by hidden symbol
    (``stored_results.variable_key``): kept in the module's cache entry for code of other
    modules that reads it (:func:`imported_variable_class`)."""
    kept: dict[str, Type] = {}
    if all(_bound_to_a_call(stmt) is None for stmt in home.defs):
        return kept  # most modules: no walk of the top level's stores
    values, _ = _module_variables(home)
    for name in sorted(values):  # one order: the cache's bytes
        sym = home.names.get(name)
        var = sym.node if sym is not None else None
        if (
            not isinstance(var, VAR)
            or is_declared(var)
            or var.fullname != f"{home.fullname}.{name}"
        ):
            continue
        made = module_variable_class(home, var)
        if made is not None:
            kept[variable_key(name)] = fill_typevars_with_any(made)
    # Asked as mypy is about to write the module's cache entry and free its tree: from then
    # on its readers read the kept classes, and the memo would only keep its calls alive.
    _MODULE_VARIABLES.pop(home.fullname, None)
    return kept


def _bound_to_a_call(stmt: object) -> str | None:
    """The name of ``name = call(...)`` at a module's top level: what may bind a variable
    to an instance (:func:`chained_instance`)."""
    if (
        isinstance(stmt, ASSIGNMENT_STMT)
        and len(stmt.lvalues) == 1
        and isinstance(stmt.rvalue, CALL_EXPR)
    ):
        target = stmt.lvalues[0]
        return target.name if isinstance(target, NAME_EXPR) else None
    return None


def imported_variable_class(home: MypyFile, var: Var) -> Type | None:
    """What an undeclared variable of another module, ``home``, holds: as
    :func:`module_variable_class` reads it from ``home``'s body where this run has it, else
    as ``home``'s cache entry keeps it (:func:`module_variable_stores`).  A stub's
    variables are not read."""
    if home.is_stub:
        return None
    if body_available(home):
        with reading(home):
            made = module_variable_class(home, var)
        return fill_typevars_with_any(made) if made is not None else None
    return hidden_symbol_type(home, variable_key(var.name))


# module -> (the statements read, each name bound once at the top level -> its value,
# the names a function declares ``global``, the names bound more than once at the top level
# (None: any name, after ``from x import *``)).
_MODULE_VARIABLES: dict[
    str, tuple[object, dict[str, Expression], frozenset[str], frozenset[str] | None]
] = {}


def _module_variables(tree: MypyFile) -> tuple[dict[str, Expression], frozenset[str]]:
    known = _module_bindings(tree)
    return known[1], known[2]


def rebinds(tree: MypyFile, name: str) -> bool:
    """Whether the module ``tree`` binds ``name`` more than once at its top level (an
    import and an assignment: ``from app.ws import manager``, then ``manager =
    Other()``), or a function of it declares ``name`` ``global``."""
    _, _, rebound, again = _module_bindings(tree)
    return again is None or name in again or name in rebound


def _module_bindings(
    tree: MypyFile,
) -> tuple[object, dict[str, Expression], frozenset[str], frozenset[str] | None]:
    known = _MODULE_VARIABLES.get(tree.fullname)
    if known is not None and known[0] is tree.defs:
        return known
    stores = _TopLevelStores()
    stores.scope(tree)
    counts = stores.counts
    values: dict[str, Expression] = {}
    for stmt in tree.defs if not stores.star else []:
        # Only calls are kept (what chained_instance reads): a module's other values, such
        # as large literal tables, would stay alive here after mypy frees its tree.
        name = _bound_to_a_call(stmt)
        if name is not None and counts.get(name) == 1 and isinstance(stmt, ASSIGNMENT_STMT):
            values[name] = stmt.rvalue
    rebound = module_bindings(tree).declared
    again = None if stores.star else frozen(name for name, n in counts.items() if n > 1)
    known = _MODULE_VARIABLES[tree.fullname] = (tree.defs, values, rebound, again)
    return known


class _TopLevelStores(StatementWalker):
    """How often a module's top level binds each name: an assignment, a loop, ``with``,
    ``except`` or ``match`` target, ``del``, a walrus, a ``def`` or ``class`` of that name,
    an import (under an ``if`` or ``try`` too; after ``from x import *``, any name).
    Function and class bodies bind other scopes' names (a function's ``global`` is read
    apart)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.star = False  # ``from x import *``: any name may be bound again

    def _count(self, name: str) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1

    def stmts(self, body: Sequence[Statement]) -> None:
        for s in body:  # an import binds too (``try: from app.fast import manager``)
            if isinstance(s, IMPORT_FROM):
                for name, alias in s.names:
                    self._count(alias or name)
            elif isinstance(s, IMPORT):
                for name, alias in s.ids:
                    self._count(alias or name.partition(".")[0])
            elif isinstance(s, IMPORT_ALL):
                self.star = True
        super().stmts(body)

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if e is None:
            return
        if role is Role.STORE:
            for target in store_targets(e):
                if isinstance(target, NAME_EXPR):
                    self._count(target.name)
        for sub in get_subexpressions(e):
            if isinstance(sub, ASSIGNMENT_EXPR):
                self._count(sub.target.name)

    def definition(self, s: Definition) -> None:
        self._count(s.name)

    def visit_class(self, s: ClassDef) -> None:
        self._count(s.name)


def chained_instance(
    value: object,
    callees: Callees,
    members: Members,
    named: Callable[[NameExpr], TypeInfo | None] | None = None,
) -> TypeInfo | None:
    """The class of the instance ``value`` plainly gives (:func:`instance_class`), or that a
    method gives by its declared result (``-> Self`` bound to the receiver) where ``value``
    calls it on a receiver known the same way (``Pool().clone()``, ``make().clone()``) or,
    for a name, by ``named`` (``p.clone()`` on a local made before, or that local itself:
    ``q = p``, ``async with p as conn``), or, for an ``await`` of a call of an ``async def``
    (a function, ``Class.method``, or a method on such a receiver), by what that ``async
    def`` declares (``await connect()``, ``await pool.acquire()``: :func:`awaited_instance`).
    Each callee and method is kept in ``callees`` and ``members`` (what a memo of the
    answer depends on)."""
    made = instance_class(value)
    if made is not None:
        return made
    if isinstance(value, NAME_EXPR):
        return named(value) if named is not None else None
    if isinstance(value, AWAIT_EXPR):
        called = _awaited_callee(value.expr, callees, members, named)
        return awaited_instance(called[0], called[1]) if called is not None else None
    if not isinstance(value, CALL_EXPR):
        return None
    method = _method_of_known(value, callees, members, named)
    return declared_instance(method[0], method[1]) if method is not None else None


def _method_of_known(
    call: CallExpr,
    callees: Callees,
    members: Members,
    named: Callable[[NameExpr], TypeInfo | None] | None,
) -> tuple[SymbolNode | None, TypeInfo] | None:
    """The method ``call`` calls on a receiver known as :func:`chained_instance` knows one,
    with that receiver's class."""
    callee = call.callee
    if not isinstance(callee, MEMBER_EXPR) or callee.node is not None:
        return None  # not a method called on a receiver (a module's attribute)
    base = callee.expr
    receiver = None
    if isinstance(base, NAME_EXPR):
        receiver = named(base) if named is not None else None
    elif isinstance(base, (CALL_EXPR, AWAIT_EXPR)):
        note_callee(callees, base)
        receiver = chained_instance(base, callees, members, named)
    if receiver is None:
        return None
    return note_member(members, receiver, callee.name), receiver


def _awaited_callee(
    value: Expression,
    callees: Callees,
    members: Members,
    named: Callable[[NameExpr], TypeInfo | None] | None,
) -> tuple[SymbolNode | None, TypeInfo | None] | None:
    """What the awaited ``value`` calls, if a call: a method on a known receiver, or the
    definition its callee names (with the class a method called through it binds)."""
    if not isinstance(value, CALL_EXPR):
        return None
    method = _method_of_known(value, callees, members, named)
    if method is not None:
        return method
    if not isinstance(value.callee, REF_EXPR):
        return None
    note_callee(callees, value)
    return awaited_target(value.callee)


def awaited_target(callee: RefExpr) -> tuple[SymbolNode | None, TypeInfo | None]:
    """The definition a call's ``callee`` names, and the class a method called through its
    class binds (:func:`bound_through_class`)."""
    node = callee_definition(callee)
    owner = callee.expr if isinstance(callee, MEMBER_EXPR) else None
    return node, bound_through_class(node, bound(owner) if isinstance(owner, REF_EXPR) else None)


def entered_instance(
    value: object,
    is_async: bool,
    callees: Callees,
    members: Members,
    named: Callable[[NameExpr], TypeInfo | None] | None = None,
) -> TypeInfo | None:
    """The class of what ``with value as x`` binds ``x`` to: an instance its manager's
    ``__enter__`` declares, or for ``async with`` the result its ``async def __aenter__``
    declares (``-> Self`` bound to the manager), where ``value`` plainly gives one class
    (:func:`chained_instance`)."""
    manager = chained_instance(value, callees, members, named)
    if manager is None:
        return None
    node = note_member(members, manager, "__aenter__" if is_async else "__enter__")
    if not is_async:
        return declared_instance(node, manager)
    return awaited_instance(node, manager)


def awaited_instance(node: object, receiver: TypeInfo | None = None) -> TypeInfo | None:
    """The class of the instance that awaiting a call of ``node``, an ``async def`` (a
    function, or a method called on an instance of ``receiver`` or on that class), gives by
    its declared result (``async def connect() -> Conn``; ``-> Self`` bound to the
    receiver), as mypy types the ``await`` wherever it checks the caller."""
    if isinstance(node, DECORATOR):
        node = bare_method(node)
    if not isinstance(node, FUNC_DEF) or not node.is_coroutine:
        return None
    signature = call_signature(declared_signature(node))
    if signature is None or signature.implicit:
        return None
    result = get_proper_type(coroutine_result(result_on(node, signature, receiver)))
    if isinstance(result, INSTANCE) and not result.type.fallback_to_any:
        return result.type
    return None


def declared_instance(node: object, receiver: TypeInfo | None = None) -> TypeInfo | None:
    """The class of the instance a call of ``node``, a sync function or method, gives by
    its declared result (on an instance of ``receiver``, or on that class, where known: a
    result declared ``Self`` is then an instance of it)."""
    if isinstance(node, DECORATOR) and receiver is not None:
        node = bare_method(node) or node
    if isinstance(node, DECORATOR):
        # The type mypy gives the decorated function (its decorators are not in the cache);
        # an object with ``__call__`` (``@functools.lru_cache``) is called through it.
        signature = None if node.var.is_property else call_signature(node.var.type)
    elif isinstance(node, FUNC_DEF):
        signature = call_signature(declared_signature(node))
    else:
        return None
    func = node.func if isinstance(node, DECORATOR) else node
    if func.is_coroutine or not isinstance(signature, CALLABLE_TYPE) or signature.implicit:
        return None
    if isinstance(node, FUNC_DEF):
        result = get_proper_type(result_on(node, signature, receiver))
    else:
        result = get_proper_type(signature.ret_type)
    if isinstance(result, INSTANCE) and not result.type.fallback_to_any:
        return result.type
    return None
