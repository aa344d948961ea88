"""What a function's local name plainly holds: an instance the function made itself.

``p = Pool()`` then ``await p.size()`` in an unannotated function: mypy types neither, yet
``p`` can only be a ``Pool`` (a constructor call gives an instance of exactly that class).
``p = make_pool()`` where ``make_pool`` declares ``-> Pool`` is judged as a ``Pool`` too, as
mypy types it wherever it checks the caller (a subclass's override is not seen, as for an
attribute declared ``Pool``; see :func:`.instance_attributes.instance_class`), and so is
``q = p.clone()`` or ``q = Pool().clone()`` where ``clone`` declares an instance result
(``-> Self`` bound to the receiver, ``-> Pool``), ``q = p`` (a copy of such a local), and
``s`` in ``async with Session() as s`` (or ``async with p as s``) where
``Session.__aenter__`` (an ``async def``) declares ``-> Self`` (``__enter__`` for
``with``), as mypy types ``s``. That holds when the assignment (or
``with`` target) is the name's one binding in the function: the first definition (not a
parameter, not ``nonlocal`` or ``global``), and no other store anywhere (another assignment,
a loop or another ``with`` or an ``except`` target, ``del``, a walrus, a ``match`` capture, a nested
function's ``nonlocal`` rebinding). A local with a declared type (``p: Pool = make()``)
holds what it declares. Anything else is not claimed: which binding a use sees would be a
matter of control flow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeGuard

from mypy.nodes import (
    FUNC_NO_INFO,
    GDEF,
    LDEF,
    AssignmentStmt,
    CallExpr,
    Expression,
    ForStmt,
    FuncItem,
    MatchStmt,
    MemberExpr,
    MypyFile,
    NameExpr,
    RefExpr,
    TypeInfo,
    Var,
    WithStmt,
)
from mypy.types import get_proper_type

from mypy_wsplugin.facts.bindings import (
    Callees,
    KeptCallees,
    KeptMembers,
    Members,
    is_declared,
    members_unchanged,
    note_callee,
    program,
    self_class,
    self_owner,
    still_bound,
)
from mypy_wsplugin.facts.coroutine_tests import narrowed_callees
from mypy_wsplugin.facts.enclosing import enclosing_functions
from mypy_wsplugin.facts.instance_attributes import chained_instance, entered_instance
from mypy_wsplugin.facts.kept import EMPTY, frozen
from mypy_wsplugin.facts.loop_targets import ITERATING, loop_sources
from mypy_wsplugin.facts.narrowing import (
    member_chain,
    narrowed,
    narrowing_key,
    narrowings,
    subject_items,
    subject_names,
)
from mypy_wsplugin.facts.roles import store_counts
from mypy_wsplugin.facts.statements import (
    Role,
    Scope,
    StatementWalker,
    store_targets,
    stored_members,
)
from mypy_wsplugin.facts.stored_results import module_of
from mypy_wsplugin.mypy_classes import (
    ASSIGNMENT_EXPR,
    AWAIT_EXPR,
    CALL_EXPR,
    CONDITIONAL_EXPR,
    DECORATOR,
    DICTIONARY_COMPREHENSION,
    FUNC_DEF,
    FUNC_ITEM,
    GENERATOR_EXPR,
    INDEX_EXPR,
    INSTANCE,
    MEMBER_EXPR,
    MYPY_FILE,
    NAME_EXPR,
    REF_EXPR,
    STR_EXPR,
    TYPE_INFO,
    VAR,
)
from mypy_wsplugin.mypy_internals import get_subexpressions

_Made = dict[Var, TypeInfo]
# A local's first definition and its Var when the function was read (None: it has none).
_Token = tuple[NameExpr, Var] | None
# What a function replaces on its locals: ``(var, "fetch")``.
_Replaced = frozenset[tuple[Var, str]]


class LocalFacts:
    """What :func:`_made_in` finds in a function."""

    __slots__ = ("declared_once", "iterated", "made", "replaced", "through_receiver")

    def __init__(
        self,
        made: _Made,
        declared_once: frozenset[Var],
        replaced: _Replaced,
        through_receiver: dict[Var, Expression],
        iterated: dict[Var, tuple[Expression, str | None]],
    ) -> None:
        self.made = made  # locals made as an instance of a class
        self.declared_once = declared_once  # locals declared with a type, bound once
        self.replaced = replaced  # members replaced on locals
        # Locals bound once to a call of a method of ``self``, of a module-level variable or
        # of an attribute of either, or to an item of such an attribute or variable.
        self.through_receiver = through_receiver
        # Locals bound only as a ``for`` loop's target: the container whose items the loop
        # gives, and the view (:mod:`.loop_targets`).
        self.iterated = iterated


_MEMO: dict[int, tuple[FuncItem, object, _Token, KeptCallees, KeptMembers, object, LocalFacts]] = {}


def local_class(name: NameExpr, scope: Scope, found: LocalFacts | None = None) -> TypeInfo | None:
    """The class a local (or parameter) ``name`` of ``scope`` is plainly an instance of
    where it stands, if any: what it was made or declared as, as an ``isinstance`` test
    there narrows it (:mod:`.narrowing`).  ``found``: what :func:`locals_of` gave for it."""
    var = name.node
    if name.kind != LDEF or not isinstance(var, VAR) or not isinstance(scope, FUNC_ITEM):
        return None
    if found is None:
        found = _made_in(scope)
    if is_declared(var):
        # Assigned again, mypy narrows it to what was assigned: not claimed.
        known = _declared_class(var) if var in found.declared_once else None
    else:
        known = found.made.get(var)
    return narrowed(name, scope, known)


def locals_of(name: NameExpr, scope: Scope) -> LocalFacts | None:
    """What :func:`_made_in` finds in ``scope``, where ``name`` is one of its locals (or
    parameters), for a caller that reads several of its answers (each read checks the
    kept facts again).  Of ``name``'s variable, ``through_receiver`` gives what it was
    bound to, once, where that is a call (or its ``await``) of a method of ``self`` (in a
    method), of a module-level variable or of an attribute of either (``c = await
    self.pool.acquire()``, ``c = self.connect()``, ``conn = manager.connect()``), or an
    item of such an attribute or variable (``ws = self.by_user[uid]``, ``ws =
    rooms[room]``): which class that gives is read where the name is used
    (``facts.resolve.receiver_class``), so nothing here depends on the class's attributes
    or methods; a member the method or its class's ``setUp`` replaces is not followed
    (:func:`callee_replaced`).  ``iterated`` gives the container (and the view: None,
    ``"keys"`` or ``"values"``) whose items it holds, where a ``for`` loop (not ``async
    for``) is its one binding (``for conn in self.active:``, ``for user, ws in
    self.by_user.items():``, :mod:`.loop_targets`)."""
    if name.kind != LDEF or not isinstance(name.node, VAR) or not isinstance(scope, FUNC_ITEM):
        return None
    return _made_in(scope)


def globals_passed(func: FuncItem) -> frozenset[str]:
    """The module-level variables ``func`` passes to a call, by name (``client``) or
    through their module (``app.clients.client``): an ``isinstance`` test or a type guard
    may narrow them there, as mypy would where it checks the body (not one that only
    iterates over them, ``enumerate(peers)``); and those it rebinds by a walrus (``global
    client`` then ``if (client := ...)``).  Kept per function, with its body."""
    body = func.body
    known = _PASSED.get(id(func))
    if known is not None and known[0] is func and known[1] is body:
        return known[2]
    names: set[str] = set()
    for e in get_subexpressions(func):
        if isinstance(e, ASSIGNMENT_EXPR):  # ``global client`` then ``(client := ...)``
            if e.target.kind == GDEF:
                names.add(e.target.name)
        elif isinstance(e, CALL_EXPR) and not _iterating(e):
            for arg in e.args:
                if isinstance(arg, NAME_EXPR) and arg.kind == GDEF:
                    names.add(arg.name)
                elif (
                    isinstance(arg, MEMBER_EXPR)
                    and isinstance(arg.expr, REF_EXPR)
                    and isinstance(arg.expr.node, MYPY_FILE)
                ):
                    names.add(f"{arg.expr.node.fullname}.{arg.name}")
    passed = frozen(names)
    _PASSED[id(func)] = (func, body, passed)
    return passed


def _iterating(call: CallExpr) -> bool:
    """``enumerate(peers)``, ``list(peers)``: a call that only iterates over its argument
    (:mod:`.loop_targets`) does not narrow it."""
    return isinstance(call.callee, NAME_EXPR) and call.callee.fullname in ITERATING


# Per function: the function, its body, and the globals it passes to a call.
_PASSED: dict[int, tuple[FuncItem, object, frozenset[str]]] = {}


def member_replaced(name: NameExpr, member: str, scope: Scope) -> bool:
    """Whether ``scope`` replaces the attribute ``member`` of its local (or parameter)
    ``name``: an assignment (``r.fetch = Mock(...)``, in a test), ``setattr(r, "fetch",
    ...)`` or ``patch.object(r, "fetch", ...)``.  A call of ``r.fetch()`` there may call
    the replacement, not the class's method: not resolved by the class."""
    var = name.node
    if name.kind != LDEF or not isinstance(var, VAR) or not isinstance(scope, FUNC_ITEM):
        return False
    if (var.name, member) not in _replacements_in(scope).members:
        return False  # most calls: nothing of that name replaced, no walk for _made_in
    return (var, member) in _made_in(scope).replaced


def callee_replaced(callee: Expression, scope: Scope, tree: MypyFile | None) -> bool:
    """Whether ``scope`` replaces what the callee ``callee`` names before it may be called:
    a member of a local (:func:`member_replaced`), a module's attribute (``client.fetch``)
    or a global of ``tree`` (``fetch``, patched as ``app.main.fetch``) on an earlier line,
    or a member of a ``self`` attribute (``self.client.get``) replaced in the method or in
    the class's ``setUp``.  Or the call stands where an ``iscoroutinefunction`` test of
    the same callee holds (``if asyncio.iscoroutinefunction(self.on_message): await
    self.on_message(m)``): the code dispatches at run time, and mypy narrows the callee
    there (:mod:`.coroutine_tests`).  Or the callee is reached through the ``self`` of a
    method that encloses ``scope`` and replaces or patches members
    (:func:`replaces_members`: ``def inner(): self.ping()`` in such a method), as the
    pass leaves such a call unjudged."""
    if not isinstance(scope, FUNC_ITEM):
        return False
    if callee in narrowed_callees(scope):
        return True
    if isinstance(callee, MEMBER_EXPR):
        owner = _enclosing_owner(callee, scope)
        if owner is not None and replaces_members(owner):
            return True
        base = callee.expr
        if isinstance(base, NAME_EXPR) and base.kind == LDEF:
            return member_replaced(base, callee.name, scope)
        if isinstance(base, REF_EXPR) and isinstance(base.node, MYPY_FILE):
            return _path_replaced(f"{base.node.fullname}.{callee.name}", callee.line, scope)
        if _module_level(base):
            # ``manager.count = AsyncMock()``, ``ws.manager.count = ...``, ``patch.object(
            # manager, "count", ...)``, ``patch("app.ws.manager.count")``: here or in setUp.
            return _patched([f"{base.fullname}.{callee.name}"], callee.line, scope)
        if isinstance(base, MEMBER_EXPR) and _on_self(base.expr, scope):
            member = f"{base.name}.{callee.name}"
            own = _replacements_in(scope).attributes
            return member in own or member in _set_up_replacements(scope.info)
        return False
    if isinstance(callee, NAME_EXPR) and callee.kind == GDEF:
        rebound = _replacements_in(scope).rebound.get(callee.name)
        if rebound is not None and rebound <= callee.line:
            return True  # ``global fetch`` then ``fetch = fake``
        if tree is not None:
            return _path_replaced(f"{tree.fullname}.{callee.name}", callee.line, scope)
    return False


def _module_level(e: Expression) -> TypeGuard[RefExpr]:
    """A module-level variable, named (``manager``) or through its module (``ws.manager``)."""
    if isinstance(e, NAME_EXPR):
        return e.kind == GDEF and isinstance(e.node, VAR)
    return (
        isinstance(e, MEMBER_EXPR)
        and isinstance(e.expr, REF_EXPR)
        and isinstance(e.expr.node, MYPY_FILE)
        and isinstance(e.node, VAR)
    )


def _path_replaced(path: str, line: int, scope: FuncItem) -> bool:
    """Whether ``scope`` replaces the module attribute ``path`` (``app.client.fetch``)
    before ``line``: ``client.fetch = fake``, ``setattr(client, "fetch", ...)``,
    ``patch.object(client, "fetch", ...)``, ``patch("app.client.fetch", ...)`` or
    ``monkeypatch.setattr(...)`` either way.  A call of ``client.fetch()`` after it may call
    the replacement.  So does a function ``scope`` is nested in, before ``line`` (a test
    that patches, then defines and runs an ``async def``: :mod:`.enclosing`)."""
    first = _replacements_in(scope).paths.get(path)
    if first is not None and first <= line:
        return True
    for outer in enclosing_functions(scope):
        first = _replacements_in(outer).paths.get(path)
        if first is not None and first <= line:
            return True
    return False


class _Found:
    """What a function replaces, as names only (nothing the daemon's analysis replaces is
    kept): module attributes by full name with the first line, members of ``self``
    attributes (``"client.get"``), the attributes of ``self`` it stores or tests with
    ``isinstance`` (``"pool"``), the members of names (``("r", "fetch")``; the exact
    locals are :func:`_made_in`'s), and the attribute chains it stores, tests or matches
    (``"self.h.conn"``: :func:`chain_narrowed`)."""

    __slots__ = ("attributes", "chains", "members", "own", "paths", "rebound")

    def __init__(
        self,
        paths: dict[str, int],
        attributes: frozenset[str],
        own: frozenset[str],
        members: frozenset[tuple[str, str]],
        rebound: dict[str, int],
        chains: frozenset[str] = EMPTY,
    ) -> None:
        self.paths = paths
        self.attributes = attributes
        self.own = own
        self.members = members
        self.rebound = rebound  # globals rebound in the function, with the first line
        self.chains = chains


# What most functions replace: nothing (one shared answer, facts/kept).
_NOTHING_FOUND: Final = _Found({}, EMPTY, EMPTY, EMPTY, {})


def _shared_if_empty(found: _Found) -> _Found:
    """``found``, or the one shared answer where it holds nothing (what the memo keeps)."""
    if (
        found.paths
        or found.attributes
        or found.own
        or found.members
        or found.rebound
        or found.chains
    ):
        return found
    return _NOTHING_FOUND


def self_attribute_narrowed(attribute: MemberExpr, scope: Scope) -> bool:
    """Whether ``attribute`` is ``self.name`` in a method that stores ``self.name`` or
    tests it with ``isinstance``: mypy narrows a declared attribute there to what was
    stored or tested (``self.pool = FakePool()``), so its declaration does not say what it
    holds."""
    if not isinstance(scope, FUNC_ITEM) or not _on_self(attribute.expr, scope):
        return False
    return attribute.name in _replacements_in(scope).own


def chain_narrowed(attribute: MemberExpr, scope: Scope) -> bool:
    """Whether ``scope`` stores to the attribute chain ``attribute`` is (two levels down a
    name or more: ``s.h.conn = FakeConn()``), tests it with ``isinstance`` or passes it to
    another call in a condition (a type guard), or matches on it (``match self.h.conn:``):
    mypy's binder narrows such a chain (``self.h.conn`` as well as ``self.conn``), so its
    declaration does not say what it holds there.  The whole function is left to mypy, as
    for ``self.conn`` (:func:`self_attribute_narrowed`)."""
    return _narrowed_key(member_chain(attribute), scope)


def item_narrowed(container: Expression, scope: Scope) -> bool:
    """Whether ``scope`` tests, matches or stores an item of the attribute chain or name
    ``container`` (``isinstance(self.by_user[uid], Fake)``, ``rooms["a"] = x``): then what
    its items are is not read from its declaration there (:func:`chain_narrowed`)."""
    chain = container.name if isinstance(container, NAME_EXPR) else member_chain(container)
    return chain is not None and _narrowed_key(f"{chain}[]", scope)


def _narrowed_key(key: str | None, scope: Scope) -> bool:
    if key is None or not isinstance(scope, FUNC_ITEM):
        return False
    chains = _replacements_in(scope).chains
    return bool(chains) and key in chains


def _replacements_in(func: FuncItem) -> _Found:
    body = func.body
    known = _FOUND.get(id(func))
    if known is None or known[0] is not func or known[1] is not body:
        self_var = func.arguments[0].variable if _is_method(func) else None
        walker = _Replacements(self_var)
        for decorator in _own_decorators(func):  # ``@patch.object(Pool, "acquire")``
            walker.expr(decorator)
        walker.scope(func)
        walker.inner_tests(func)
        own = {name for var, name in walker.replaced if var is self_var} | walker.tested
        members = frozen((var.name, name) for var, name in walker.replaced)
        attributes = frozen(walker.attributes)
        chains = frozen(walker.chains)
        made = _Found(walker.paths, attributes, frozen(own), members, walker.rebound, chains)
        found = _shared_if_empty(made)
        known = _FOUND[id(func)] = (func, body, found)
    return known[2]


def _own_decorators(func: FuncItem) -> list[Expression]:
    """The decorators of a method or a module-level function, as written: a patch there
    applies to its whole body (its line is the function's first)."""
    if not isinstance(func, FUNC_DEF) or not func.is_decorated:
        return []
    if func.info is not FUNC_NO_INFO:
        names = func.info.names
    else:
        loaded = program()
        home = loaded.get(module_of(func)) if loaded is not None else None
        if home is None:
            return []
        names = home.names
    sym = names.get(func.name)
    node = sym.node if sym is not None else None
    if not isinstance(node, DECORATOR) or node.func is not func:
        return []
    return list(node.original_decorators)


def member_patched(info: TypeInfo, name: str, line: int, scope: Scope) -> bool:
    """Whether the method ``scope`` (or its class's ``setUp``) replaces the member ``name``
    of ``info`` or of a class of its MRO before ``line``: ``patch.object(Pool, "acquire",
    ...)`` (also as the method's decorator), ``patch("app.db.Pool.acquire")``,
    ``monkeypatch.setattr(Pool, "acquire", ...)``: a call of it there may reach the
    replacement, and what it gives is not the class's."""
    if not isinstance(scope, FUNC_ITEM):
        return False
    set_up = _set_up_paths(scope)
    if not _replacements_in(scope).paths and not any(set_up) and not enclosing_functions(scope):
        return False  # most functions: nothing patched by path
    return _patched([f"{cls.fullname}.{name}" for cls in info.mro], line, scope, set_up)


def _enclosing_owner(callee: MemberExpr, scope: FuncItem) -> FuncItem | None:
    """The method enclosing ``scope`` whose ``self`` (or ``cls``) the chain ``callee``
    starts from (``self.ping``, ``self.client.get``), where ``scope`` is nested in it."""
    root = _root(callee.expr)
    if not isinstance(root, NAME_EXPR) or not isinstance(root.node, VAR):
        return None
    owner = self_owner(scope, root.node)
    return owner if owner is not None and owner is not scope else None


def replaces_members(method: FuncItem) -> bool:
    """Whether ``method`` (in its body or by a decorator) or its class's set-up methods
    replace or patch a member of anything: ``patch.object(self, "ping", ...)``,
    ``self.client.get = Mock()``, ``patch("app.Pool.acquire")``.  The checks of a call ask
    the function it stands in (:func:`callee_replaced`, :func:`member_patched`); a
    function nested in such a method does not read the method's ``self`` as its class."""
    found = [_replacements_in(method), *(_set_up_found(method.info) if _is_method(method) else [])]
    return any(f.paths or f.members or f.attributes for f in found)


def _set_up_paths(scope: FuncItem) -> list[dict[str, int]]:
    """What the set-up methods of a method's class replace by path (none for a function)."""
    return [f.paths for f in _set_up_found(scope.info)] if _is_method(scope) else []


def _patched(
    paths: list[str], line: int, scope: FuncItem, set_up: list[dict[str, int]] | None = None
) -> bool:
    """Whether ``scope`` replaces one of ``paths`` before ``line``, or the set-up methods of
    its class do (``set_up``: :func:`_set_up_paths`, where the caller has it)."""
    if any(_path_replaced(path, line, scope) for path in paths):
        return True
    patched = _set_up_paths(scope) if set_up is None else set_up
    patched = patched + [f for outer in enclosing_functions(scope) for f in _set_up_paths(outer)]
    return any(path in found for found in patched for path in paths)


# Per function: the function, its body, and what it replaces.
_FOUND: dict[int, tuple[FuncItem, object, _Found]] = {}


def _is_method(func: FuncItem) -> bool:
    return func.info is not FUNC_NO_INFO and bool(func.arguments) and not func.is_static


def _root(e: Expression) -> Expression:
    """Where an attribute chain starts: ``self`` for ``self.h.conn``; a module-level
    variable read through its module (``ws.manager`` for ``ws.manager.by_user``) is one."""
    while isinstance(e, MEMBER_EXPR) and not _module_level(e):
        e = e.expr
    return e


def _on_self(e: Expression, scope: FuncItem) -> bool:
    """Whether ``e`` is the method ``scope``'s first parameter (``self``)."""
    return _is_method(scope) and isinstance(e, NAME_EXPR) and e.node is scope.arguments[0].variable


# The methods that prepare a test class's instance before each test, or the class before
# its tests (a classmethod: ``setUpClass``, pytest's ``setup_class``).
_SET_UP: Final = frozenset(
    {"setUp", "asyncSetUp", "setup_method", "setup", "setUpClass", "setup_class"}
)


def _module_patches(home: MypyFile) -> _Found:
    """The patches a module's top level makes (``_patcher = patch(...)``, for its
    ``setUpModule`` to start); kept per module, with its statements."""
    known = _MODULE_PATCHES.get(home.fullname)
    if known is None or known[0] is not home.defs:
        walker = _Replacements()
        walker.stmts(home.defs)
        found = _shared_if_empty(_Found(walker.paths, EMPTY, EMPTY, EMPTY, {}))
        known = _MODULE_PATCHES[home.fullname] = (home.defs, found)
    return known[1]


# Per module: its statements, and the patches its top level makes.
_MODULE_PATCHES: dict[str, tuple[object, _Found]] = {}

# The functions that prepare a test module before its tests (unittest's, pytest's).
_SET_UP_MODULE: Final = ("setUpModule", "setup_module")


def _set_up_replacements(info: TypeInfo) -> frozenset[str]:
    """The members of ``self`` attributes the class's ``setUp`` (``asyncSetUp``,
    ``setup_method``; its own or a base class's of the same module) replaces,
    ``"client.get"`` for ``self.client.get = fake``, ``patch.object(self.client, "get",
    ...)`` or ``setattr``: a call of ``self.client.get()`` in a test may reach the
    replacement."""
    return frozenset(a for found in _set_up_found(info) for a in found.attributes)


def _set_up_found(info: TypeInfo) -> list[_Found]:
    """What each ``setUp`` (``asyncSetUp``, ``setup_method``, ``setup``, ``setUpClass``,
    ``setup_class``) of ``info``, its own or a base class's, replaces, and its module's
    ``setUpModule`` (``setup_module``); read only where every mode has the body: the
    class's own module."""
    found = []
    loaded = program()
    home = loaded.get(info.module_name) if loaded is not None else None
    for name in _SET_UP_MODULE if home is not None else ():
        sym = home.names.get(name) if home is not None else None
        if home is not None and sym is not None and isinstance(sym.node, FUNC_DEF):
            # ``def setUpModule():``, and what it may start: ``_patcher = patch(...)`` at
            # the module's top level.
            found += [_replacements_in(sym.node), _module_patches(home)]
    module = info.module_name
    for cls in info.mro:
        if cls.module_name != module:
            continue
        names = cls.names  # one read of mypy's attribute per class
        for name in _SET_UP:
            sym = names.get(name)
            if sym is None:
                continue
            node: Any = sym.node
            if type(node) is DECORATOR:  # ``@classmethod def setUpClass(cls)``
                node = node.func
            if type(node) is FUNC_DEF and _is_method(node):
                found.append(_replacements_in(node))
    return found


def global_patched(ref: RefExpr, scope: FuncItem, tree: MypyFile | None) -> bool:
    """Whether a test method's class patches the module-level variable ``ref`` names, by
    path (where it is defined, ``"app.clients.client"``, or where the method's module
    names it, ``"tests.test_app.client"``), in its set-up methods (:func:`_set_up_found`:
    ``setUp`` and its kin, a base class's of the same module, the module's
    ``setUpModule``) or by a decorator of the class (``@patch("...",
    new_callable=AsyncMock)`` applies to each test method): the test's body may reach the
    replacement."""
    if not _is_method(scope):
        return False
    paths = [ref.fullname]
    if isinstance(ref, NAME_EXPR) and tree is not None:
        paths.append(f"{tree.fullname}.{ref.name}")
    if any(path in found for found in _set_up_paths(scope) for path in paths):
        return True
    decorators = scope.info.defn.decorators
    if not decorators:
        return False
    walker = _Replacements()
    for decorator in decorators:
        walker.expr(decorator)
    return any(path in walker.paths for path in paths)


def _declared_class(var: Var) -> TypeInfo | None:
    """The class a local's declared type names (``p: Pool``), if it is one."""
    declared = get_proper_type(var.type)
    return declared.type if isinstance(declared, INSTANCE) else None


def _made_in(func: FuncItem) -> LocalFacts:
    """Each local of ``func`` bound once, by a call that plainly gives one class (a
    constructor, or a callee declaring an instance result), with its class; and the
    locals declared with a type (``p: Pool = ...``) that nothing assigns again.  Kept per
    function.  The daemon replaces a function's body in place after an edit of its module,
    and analyses an unchanged body again after an edit elsewhere: its names keep their
    nodes' objects but get new ``Var``s, and a callee may name another node (``Pool``
    turned into a function).  So the body is compared, the ``Var`` of one first
    definition, what each callee names and its declared type
    (:func:`.bindings.still_bound`), each method looked up on a known receiver
    (:func:`.bindings.members_unchanged`), and what the function's ``isinstance`` tests
    say (:mod:`.narrowing`, kept with its own checks)."""
    body = func.body
    cached = _MEMO.get(id(func))
    if cached is not None and cached[0] is func and cached[1] is body:
        token, callees, members = cached[2], cached[3], cached[4]
        if (
            (token is None or token[0].node is token[1])
            and still_bound(callees)
            and members_unchanged(members)
            and narrowings(func) is cached[5]
        ):
            return cached[6]
    replacements = _Replacements()
    replacements.scope(func)
    replaced = frozen(replacements.replaced)
    constructed = _Constructed(func, replaced)
    constructed.scope(func)
    # ``match p: case Sub():`` narrows ``p`` in the case: a subject is not claimed.
    candidates = {
        *constructed.made,
        *constructed.declared,
        *constructed.through_receiver,
        *constructed.iterated,
    }
    once = _bound_once(func, candidates) - constructed.matched
    made = {var: info for var, info in constructed.made.items() if var in once}
    declared_once = frozen(var for var in constructed.declared if var in once)
    # ``q = p.clone()`` (or ``q = p``) holds only while each local it was made from is
    # bound once (made, or declared) too.
    for var in list(made):
        base = constructed.made_from.get(var)
        seen: set[Var] = set()
        while base is not None and base not in seen:
            if base not in once:
                del made[var]
                break
            seen.add(base)
            base = constructed.made_from.get(base)
    through_receiver = {var: v for var, v in constructed.through_receiver.items() if var in once}
    iterated = {var: v for var, v in constructed.iterated.items() if var in once}
    found = LocalFacts(made, declared_once, replaced, through_receiver, iterated)
    kept_callees, kept_members = tuple(constructed.callees), tuple(constructed.members)
    said = narrowings(func)
    _MEMO[id(func)] = (func, body, constructed.token, kept_callees, kept_members, said, found)
    return found


def _bound_once(func: FuncItem, candidates: set[Var]) -> set[Var]:
    """Those of ``candidates`` that no other store in ``func`` (or a nested function)
    binds."""
    if not candidates:
        return candidates  # most functions: no walk of their expressions needed
    counts = store_counts(func, candidates)
    return {var for var in candidates if counts.get(var) == 1}


class _Replacements(StatementWalker):
    """What a function replaces on its locals and on modules: ``r.fetch = ...`` (also in a
    tuple target), ``setattr(r, "fetch", ...)``, ``patch.object(r, "fetch", ...)``,
    ``monkeypatch.setattr(r, "fetch", ...)``, and the same on a module, or by its path
    (``patch("app.client.fetch", ...)``, ``monkeypatch.setattr("app.client.fetch", ...)``)."""

    def __init__(self, self_var: Var | None = None) -> None:
        self.replaced: set[tuple[Var, str]] = set()
        self.paths: dict[str, int] = {}  # module attribute -> the first line replacing it
        # A global the function rebinds (``global client``) -> the first line rebinding it.
        self.rebound: dict[str, int] = {}
        # With the method's ``self``: the members of its attributes replaced, "client.get".
        self.self_var = self_var
        self.attributes: set[str] = set()
        # With the method's ``self``: its attributes tested with ``isinstance``, "pool".
        self.tested: set[str] = set()
        # The attribute chains stored, tested or matched, "self.h.conn" (chain_narrowed).
        self.chains: set[str] = set()

    def expr(self, e: Expression | None, role: Role = Role.VALUE) -> None:
        if role is Role.STORE:
            self._note_stores(e)
        elif isinstance(e, CALL_EXPR):
            self._note_patch(e)
        if role is Role.CONDITION and e is not None:
            self._note_tests(e)

    def _note_tests(self, condition: Expression) -> None:
        """``isinstance(self.pool, FakePool)`` anywhere in a condition; and every attribute
        chain passed to a call there (``isinstance(s.h.conn, Fake)``, ``is_fake(p.conn)``,
        ``type(p.conn) is Fake``), which a test may narrow."""
        for e in get_subexpressions(condition):
            if not isinstance(e, CALL_EXPR):
                continue
            for arg in e.args:
                key = narrowing_key(arg)
                if key is not None:
                    self.chains.add(key)
            if (
                self.self_var is not None
                and isinstance(e.callee, NAME_EXPR)
                and e.callee.fullname == "builtins.isinstance"
                and e.args
                and isinstance(e.args[0], MEMBER_EXPR)
                and isinstance(e.args[0].expr, NAME_EXPR)
                and e.args[0].expr.node is self.self_var
            ):
                self.tested.add(e.args[0].name)

    def inner_tests(self, func: FuncItem) -> None:
        """The tests inside expressions, which narrow there as a statement's do: the
        condition of ``a if test else b`` and a comprehension's ``if`` clauses
        (``self.h.conn.send(m) if isinstance(self.h.conn, Fake) else None``)."""
        # ``Any``: each expression's class is tested by identity, once (leaves of mypy's
        # node classes): every expression of the function is asked.
        expressions: list[Any] = get_subexpressions(func)
        for e in expressions:
            kind = type(e)
            if kind is CONDITIONAL_EXPR:
                self._note_tests(e.cond)
            elif kind is GENERATOR_EXPR or kind is DICTIONARY_COMPREHENSION:
                # (a list or set comprehension holds its GeneratorExpr)
                for conditions in e.condlists:
                    for condition in conditions:
                        self._note_tests(condition)

    def visit_match(self, s: MatchStmt) -> None:
        """``match self.pool: case FakePool():`` narrows ``self.pool`` in the case as an
        ``isinstance`` test would; so for ``p.pool`` of a local, ``client`` (a global) and
        ``clients.client``: from the statement on, what they hold is not their
        declaration's class."""
        for subject in subject_items(s.subject):
            key = narrowing_key(subject)
            if key is not None:
                self.chains.add(key)
            if isinstance(subject, NAME_EXPR) and subject.kind == GDEF:
                line = self.rebound.get(subject.name, s.line)
                self.rebound[subject.name] = min(line, s.line)
            elif isinstance(subject, MEMBER_EXPR):
                base = subject.expr
                if self.self_var is not None and _is_name_of(base, self.self_var):
                    self.tested.add(subject.name)
                else:
                    self._note(base, subject.name, s.line)
        super().visit_match(s)

    def _note_stores(self, target: Expression | None) -> None:
        """``r.fetch = ...`` (also in a tuple target): ``r``'s ``fetch`` is replaced; a
        global the function rebinds (``global client`` then ``client = fake``) is replaced
        in its module from that line on."""
        for member in stored_members(target):
            self._note(member.expr, member.name, member.line)
            # One level (``self.conn = x``, ``p.conn = x``) is read where the stores are:
            # _note above, and the class's stores (.instance_attributes).
            chain = member_chain(member) if isinstance(member.expr, MEMBER_EXPR) else None
            if chain is not None:
                self.chains.add(chain)
        for name in store_targets(target):
            if isinstance(name, NAME_EXPR) and name.kind == GDEF:
                self.rebound[name.name] = min(name.line, self.rebound.get(name.name, name.line))
            elif isinstance(name, INDEX_EXPR):  # ``self.by_user[uid] = ws``
                key = narrowing_key(name)
                if key is not None:
                    self.chains.add(key)

    def _note_patch(self, call: CallExpr) -> None:
        """``setattr(r, "fetch", ...)``, ``patch.object(r, "fetch", ...)`` (also with
        ``target=``/``attribute=``), ``patch.multiple(r, fetch=...)``,
        ``monkeypatch.setattr(r, "fetch", ...)``; ``patch("app.client.fetch", ...)``,
        ``monkeypatch.setattr("app.client.fetch", ...)``; a patch started at once
        (``patch.object(...).start()``)."""
        callee = call.callee
        if isinstance(callee, MEMBER_EXPR) and callee.name == "start":
            if isinstance(callee.expr, CALL_EXPR):  # ``patch.object(...).start()``
                self._note_patch(callee.expr)
            return
        if isinstance(callee, MEMBER_EXPR) and callee.name in _ENTERING:
            # ``self.enterContext(patch(...))``, ``stack.enter_context(patch(...))``
            if call.args and isinstance(call.args[0], CALL_EXPR):
                self._note_patch(call.args[0])
            return
        if not isinstance(callee, (NAME_EXPR, MEMBER_EXPR)):
            return
        name = callee.name
        if name not in _PATCHING:
            return
        first = _argument(call, 0, "target")
        if first is None:
            return
        if name == "multiple":  # ``patch.multiple(Pool, acquire=..., close=...)``
            for member in filter(None, call.arg_names):
                if member != "target":
                    self._note_member(first, member, call.line)
            return
        if isinstance(first, STR_EXPR) and name != "object":
            if "." in first.value:
                self._note_path(first.value, call.line)
            return
        attribute = _argument(call, 1, "attribute")
        if name != "patch" and isinstance(attribute, STR_EXPR):
            self._note(first, attribute.value, call.line)

    def _note_member(self, target: Expression, member: str, line: int) -> None:
        """``member`` of ``target``, an object or a path (``"app.db.Pool"``), replaced."""
        if isinstance(target, STR_EXPR):
            self._note_path(f"{target.value}.{member}", line)
        else:
            self._note(target, member, line)

    def _note(self, base: Expression, member: str, line: int) -> None:
        if isinstance(base, NAME_EXPR) and isinstance(base.node, VAR):
            self.replaced.add((base.node, member))
            if base.kind == GDEF:  # ``manager.count = fake``: by its path too
                self._note_path(f"{base.fullname}.{member}", line)
        elif _module_level(base):  # ``ws.manager.count = fake``
            self._note_path(f"{base.fullname}.{member}", line)
        elif isinstance(base, REF_EXPR) and isinstance(base.node, (MYPY_FILE, TYPE_INFO)):
            # A module's attribute, or a class's (``patch.object(Pool, "acquire", ...)``).
            self._note_path(f"{base.node.fullname}.{member}", line)
        elif (
            isinstance(base, MEMBER_EXPR)
            and self.self_var is not None
            and isinstance(base.expr, NAME_EXPR)
            and base.expr.node is self.self_var
        ):
            self.attributes.add(f"{base.name}.{member}")

    def _note_path(self, path: str, line: int) -> None:
        self.paths[path] = min(line, self.paths.get(path, line))


def _is_name_of(e: Expression, var: Var) -> bool:
    return isinstance(e, NAME_EXPR) and e.node is var


# The methods that enter a context manager until the test's clean-up (unittest's
# ``enterContext``, ``contextlib.ExitStack``'s ``enter_context``, and their async forms).
_ENTERING: Final = frozenset(
    {"enterContext", "enterAsyncContext", "enter_context", "enter_async_context"}
)

# The calls that replace an attribute: ``setattr``, ``patch.object``, ``patch``,
# ``patch.multiple``.
_PATCHING: Final = frozenset({"setattr", "object", "patch", "multiple"})


def _argument(call: CallExpr, index: int, keyword: str) -> Expression | None:
    """The argument at ``index`` of ``call``, given by position or as ``keyword=``
    (``patch.object(target=Pool, attribute="acquire")``)."""
    for position, (arg, name) in enumerate(zip(call.args, call.arg_names, strict=True)):
        if name == keyword or (name is None and position == index):
            return arg
    return None


class _Constructed(StatementWalker):
    """``name = Class(...)``, ``name = make()`` (``-> Class``) or ``name = p.clone()`` (a
    method of a known receiver declaring an instance result), the first definition of a
    local: the name and the class."""

    def __init__(self, func: FuncItem, replaced: _Replaced) -> None:
        self.func = func
        self.made: _Made = {}
        # The locals whose first definition declares a type (``p: Pool = ...``).
        self.declared: set[Var] = set()
        # The locals a ``match`` statement tests.
        self.matched: set[Var] = set()
        self.token: _Token = None
        self.callees: Callees = []
        self.members: Members = []
        # A local made by a method called on another local (``q = p.clone()``): that one.
        self.made_from: dict[Var, Var] = {}
        # What the function replaces on its locals (:class:`_Replacements`).
        self.replaced = replaced
        # Locals bound to a call of a method of ``self``, of a module-level variable or of an
        # attribute of either, or to an item of such an attribute or variable.
        self.through_receiver: dict[Var, Expression] = {}
        # Locals first bound as a ``for`` loop's target (not ``async for``): the container
        # and the view (:mod:`.loop_targets`).
        self.iterated: dict[Var, tuple[Expression, str | None]] = {}

    def visit_assignment(self, s: AssignmentStmt) -> None:
        if len(s.lvalues) == 1:
            var = self._first_definition(s.lvalues[0])
            if var is not None and is_declared(var):
                self.declared.add(var)
            if var is not None and not self._calls_replaced(s.rvalue):
                note_callee(self.callees, s.rvalue)
                info = chained_instance(s.rvalue, self.callees, self.members, self._named(var))
                if info is not None:
                    self.made[var] = info
                elif self._read_through_receiver(s.rvalue):
                    self.through_receiver[var] = s.rvalue

    def _read_through_receiver(self, value: Expression) -> bool:
        """Whether ``value`` calls (or awaits a call of) a method of ``self``, of a
        module-level variable (``manager.connect()``) or of an attribute of either, not
        replaced in the method or its class's ``setUp``; or reads an item of such an
        attribute or variable (``ws = self.by_user[uid]``, ``ws = rooms[room]``)."""
        if isinstance(value, INDEX_EXPR):
            root = _root(value.base)
            if _module_level(root):
                return True  # ``rooms[room]``, ``ws.rooms[room]``, ``manager.by_user[uid]``
            return root is not value.base and _on_self(root, self.func)
        call = value.expr if isinstance(value, AWAIT_EXPR) else value
        if not isinstance(call, CALL_EXPR) or not isinstance(call.callee, MEMBER_EXPR):
            return False
        callee = call.callee
        base = _root(callee.expr)
        if _module_level(base):
            return not callee_replaced(callee, self.func, None)
        if not _on_self(base, self.func) or not isinstance(base, NAME_EXPR):
            return False
        if callee.expr is base:  # ``self.fetch()``: replaced as a local's member
            return isinstance(base.node, VAR) and (base.node, callee.name) not in self.replaced
        return not callee_replaced(callee, self.func, None)

    def visit_with(self, s: WithStmt) -> None:
        for value, target in zip(s.expr, s.target, strict=False):
            var = self._first_definition(target)
            if var is not None and not self._calls_replaced(value):
                note_callee(self.callees, value)
                named = self._named(var)
                info = entered_instance(value, s.is_async, self.callees, self.members, named)
                if info is not None:
                    self.made[var] = info
        super().visit_with(s)

    def visit_match(self, s: MatchStmt) -> None:
        self.matched.update(subject_names(s.subject))
        super().visit_match(s)

    def visit_for(self, s: ForStmt) -> None:
        if not s.is_async:
            for target, container, view in loop_sources(s.index, s.expr, self.callees):
                var = self._first_definition(target)
                if var is not None:
                    self.iterated[var] = (container, view)
        super().visit_for(s)

    def _calls_replaced(self, value: Expression) -> bool:
        """Whether ``value`` calls, at any link of its chain, a member the function replaces
        on a local (``c = await pool.acquire()`` after ``pool.acquire = AsyncMock()``)."""
        while True:
            if isinstance(value, AWAIT_EXPR):
                value = value.expr
            elif isinstance(value, CALL_EXPR) and isinstance(value.callee, MEMBER_EXPR):
                base = value.callee.expr
                if isinstance(base, NAME_EXPR) and isinstance(base.node, VAR):
                    return (base.node, value.callee.name) in self.replaced
                value = base
            else:
                return False

    def _first_definition(self, target: Expression | None) -> Var | None:
        """The local ``target`` defines, if it is a name's first definition (the first one
        read is kept as the function's token, see :func:`_made_in`)."""
        if (
            isinstance(target, NAME_EXPR)
            and target.is_new_def
            and target.kind == LDEF
            and isinstance(target.node, VAR)
        ):
            if self.token is None:
                self.token = (target, target.node)
            return target.node
        return None

    def _named(self, var: Var) -> Callable[[NameExpr], TypeInfo | None]:
        """The class a name in ``var``'s value is known to be an instance of, by what the
        function read so far: a local it declared, or one it made.  Not ``self``/``cls``: a
        method's result drawn from such a local would hold the defining class where the
        receiver may be a subclass (``r = self.clone(); return r``)."""

        def named(expr: NameExpr) -> TypeInfo | None:
            base = expr.node
            if expr.kind != LDEF or not isinstance(base, VAR):
                return None
            if self_class(self.func, base) is not None:
                return None
            if base in self.declared or base in self.made:
                self.made_from[var] = base  # kept only while ``base`` is bound once
            known = _declared_class(base) if base in self.declared else self.made.get(base)
            return narrowed(expr, self.func, known)

        return named
