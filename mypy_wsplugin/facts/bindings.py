"""What a module-level name in an analysed tree names now.

A name's node is bound when mypy analyses the tree, and two daemon updates leave it behind
what a cold run binds:

* An edit turns an imported name from a ``def`` into a class (or back): the pass over
  unannotated code runs again for every module (:mod:`mypy_wsplugin.post_pass`) right
  after the edited module was merged, before mypy analyses the modules that import it
  again, so a name there still holds the replaced node.  While such a module is judged
  (:func:`names_rebound`), :func:`bound` looks a global name up again as the analysis
  about to come will bind it: through the import that binds it in its module (an edit of
  a package's ``__init__`` may re-export another definition under the name), through the
  module of a module attribute (``pkg.make``), else by its full name.
* An edit changes what a name in a signature names (``KT = K`` becomes ``KT = A`` in a third
  module, and ``def make() -> KT`` elsewhere): the pass runs before mypy analyses that
  signature again, so the definition still holds the type it had.  While names are rebound,
  :func:`declared_signature` reads a result written as a bare name (``-> KT``, an alias or a
  class) again through the defining module's names, as that analysis will.
* A module and the package it imports a name from change in one update, and mypy analyses
  the module first: the import fails there (a ``Var`` of type ``Any``), and the pass runs
  before the module is analysed again.  :func:`bound` maps such a name through the
  module's import statement to the definition the package has now; a module mypy cannot
  see at all has none, and the ``Var`` stays (nothing is guessed).

Everywhere else it is the node mypy bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mypy.lookup import lookup_fully_qualified
from mypy.nodes import (
    FUNC_NO_INFO,
    GDEF,
    Decorator,
    Expression,
    FuncDef,
    FuncItem,
    ImportBase,
    MypyFile,
    RefExpr,
    SymbolNode,
    TypeInfo,
    Var,
)
from mypy.subtypes import is_same_type
from mypy.types import (
    Instance,
    ProperType,
    get_proper_type,
)
from mypy.util import correct_relative_import

from mypy_wsplugin.facts.statements import functions_in
from mypy_wsplugin.facts.stored_results import module_of
from mypy_wsplugin.facts.types import call_signature, constructed_class
from mypy_wsplugin.mypy_classes import (
    CALL_EXPR,
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_DEF,
    IMPORT,
    IMPORT_ALL,
    IMPORT_FROM,
    INSTANCE,
    MEMBER_EXPR,
    MYPY_FILE,
    NAME_EXPR,
    REF_EXPR,
    TYPE_ALIAS,
    TYPE_INFO,
    TYPE_TYPE,
    UNBOUND_TYPE,
    VAR,
)

# The program's modules (Engine.set_modules), and while names are rebound, the same again.
_program: list[dict[str, MypyFile]] = []
_rebinding: list[dict[str, MypyFile]] = []
# While names are rebound: the module whose names are being read (the one judged, or the
# module of a definition whose body is read from it).
_reading: list[MypyFile] = []


def set_program(modules: dict[str, MypyFile]) -> None:
    """The modules mypy has loaded (a failed import is mapped through them)."""
    _program[:] = [modules]


def program() -> dict[str, MypyFile] | None:
    """The modules mypy has loaded (:func:`set_program`), if known."""
    return _program[0] if _program else None


@contextmanager
def names_rebound(modules: dict[str, MypyFile], tree: MypyFile) -> Iterator[None]:
    """Judge ``tree``, whose global names may still hold the nodes an edit replaced."""
    _rebinding.append(modules)
    _reading.append(tree)
    try:
        yield
    finally:
        _reading.pop()
        _rebinding.pop()


@contextmanager
def reading(tree: MypyFile) -> Iterator[None]:
    """Read names of ``tree`` (a definition's body there) while names are rebound."""
    if not _rebinding:
        yield
        return
    _reading.append(tree)
    try:
        yield
    finally:
        _reading.pop()


def bound(ref: RefExpr, modules: dict[str, MypyFile] | None = None) -> SymbolNode | None:
    """The node ``ref`` names (see the module's docstring); ``modules``: the program's,
    where the caller has them."""
    node = ref.node
    if isinstance(node, VAR) and node.is_suppressed_import:
        loaded = modules or program()
        found = imported_node(node, loaded) if loaded is not None else None
        return found if found is not None else node
    if not _rebinding or isinstance(node, MYPY_FILE):
        return node
    if node is None:
        # A module's attribute that the module lacked when this tree was analysed (both
        # changed in one update): the coming analysis finds what the module has now.
        path = _path_now(ref) if isinstance(ref, MEMBER_EXPR) else None
        if path is None:
            return None
    elif ref.kind != GDEF:
        return node
    else:
        path = _path_now(ref) or ref.fullname
    return node_now(path, _rebinding[-1])


def node_now(path: str, modules: dict[str, MypyFile]) -> SymbolNode | None:
    """What ``path`` names now.  Through a module the update has not analysed again (a
    package's ``__init__`` re-exporting a name from the edited module) the path may reach
    the replaced node; the defining module, where loaded, then says what the name is now."""
    sym = lookup_fully_qualified(path, modules, raise_on_missing=False)
    node = sym.node if sym is not None else None
    if node is None:
        return _star_imported(path, modules)
    if isinstance(node, MYPY_FILE):
        return node
    if isinstance(node, VAR) and node.is_suppressed_import:
        # Through a module whose import failed before this update (``app/__init__.py``'s
        # ``from .a import make`` while ``app/a.py`` was missing; now back): what that
        # import names now, as the module's coming analysis will bind it.
        return imported_node(node, modules) or node
    defined = node.fullname
    if defined != path and defined.rpartition(".")[0] in modules:
        sym = lookup_fully_qualified(defined, modules, raise_on_missing=False)
        return sym.node if sym is not None else None
    return node


def _star_imported(path: str, modules: dict[str, MypyFile]) -> SymbolNode | None:
    """What ``path`` names through a ``from m import *`` of its module, where the module
    has no such name yet: ``app/__init__.py``'s ``from .a import *`` while ``app/a.py``,
    missing before this update, is back and ``app`` not analysed again yet."""
    module, _, name = path.rpartition(".")
    tree = modules.get(module)
    if tree is None or name.startswith("_"):
        return None
    for imported, statement in imported_modules(tree):
        source = modules.get(imported) if isinstance(statement, IMPORT_ALL) else None
        sym = source.names.get(name) if source is not None else None
        if sym is not None and sym.module_public:
            return sym.node
    return None


def _path_now(ref: RefExpr) -> str | None:
    """The path the coming analysis follows to bind ``ref``, in the module being read."""
    return written_path(ref, _reading[-1] if _reading else None)


def written_path(ref: RefExpr, tree: MypyFile | None) -> str | None:
    """The path the coming analysis follows to bind ``ref``, written in ``tree``:
    ``pkg.make`` for a module's attribute, and for a name ``tree`` imports, the import's
    ``module.name``."""
    if isinstance(ref, MEMBER_EXPR):
        owner = _module_path(ref.expr)
        return f"{owner}.{ref.name}" if owner is not None else None
    if tree is None or not isinstance(ref, NAME_EXPR):
        return None
    if ref.name not in tree.names:
        return None
    # The module's own binding may have moved on already (an update analysed its top level
    # again, after an edit of the package it imports from, but not the function ``ref`` is
    # in): the import is followed all the same, as the coming analysis will.
    return import_path(tree, ref.name)


def _module_path(e: Expression) -> str | None:
    """The module ``e`` names: a name or attribute bound to one, or one whose import failed
    when the tree was analysed and that the program has now (``app/a.py`` gone, then back:
    ``import app.a`` leaves ``app.a`` no module, ``from app import a`` a ``Var``), by its
    dotted path."""
    if isinstance(e, REF_EXPR) and isinstance(e.node, MYPY_FILE):
        return e.node.fullname
    if isinstance(e, MEMBER_EXPR) and e.node is None:
        owner = _module_path(e.expr)
        return f"{owner}.{e.name}" if owner is not None else None
    var = e.node if isinstance(e, REF_EXPR) else None
    if isinstance(var, VAR) and var.is_suppressed_import and _rebinding:
        modules = _rebinding[-1]
        imported = _imported_path(var, modules)
        return imported if imported is not None and imported in modules else None
    return None


def declared_signature(func: FuncDef) -> ProperType | None:
    """``func``'s declared type, as mypy analysed it; while names are rebound (see the
    module's docstring), with a result written as a bare name (``-> KT``) read again
    through the names of ``func``'s module, where that name now gives another class."""
    typ = func.type
    if not _rebinding or not isinstance(typ, CALLABLE_TYPE):
        return typ
    written = func.unanalyzed_type  # None for a definition loaded from the cache
    if not isinstance(written, CALLABLE_TYPE) or func.is_generator or func.is_coroutine:
        return typ
    ret = written.ret_type
    old = get_proper_type(typ.ret_type)
    if not isinstance(ret, UNBOUND_TYPE) or ret.args or not isinstance(old, INSTANCE):
        # Only an instance type is read again as one: a name mypy reads otherwise (``Any``,
        # a class in typeshed since 2024; ``None``; a type variable) keeps mypy's type.
        return typ
    fresh = _named_instance(ret.name, func, _rebinding[-1])
    if fresh is None or is_same_type(old, fresh):
        return typ
    return typ.copy_modified(ret_type=fresh)


def is_declared(var: Var) -> bool:
    """Whether ``var`` has a type its declaration gives, known wherever it is read: an
    annotated name (``pool: Pool``) or attribute, ``self.conn: Conn | None = None``
    included (mypy marks that one inferred, with ``explicit_self_type``); not a type mypy
    inferred from a value (only where it checked the body), nor a bare ``Final``'s."""
    if var.type is None:
        return False
    return not var.is_inferred or (var.explicit_self_type and not var.is_final)


def declared_parameter(func: FuncDef, var: Var) -> ProperType | None:
    """The declared type of ``func``'s parameter ``var`` (not ``*args``/``**kwargs``), as
    mypy analysed it; while names are rebound, a bare name (``pool: Pool``) read again as
    :func:`declared_signature` reads a result."""
    index = next((i for i, arg in enumerate(func.arguments) if arg.variable is var), None)
    if index is None or func.arguments[index].kind.is_star() or var.is_inferred:
        return None
    analysed = get_proper_type(var.type)
    written = func.unanalyzed_type
    if not _rebinding or not isinstance(written, CALLABLE_TYPE):
        return analysed
    if len(written.arg_types) != len(func.arguments) or not isinstance(analysed, INSTANCE):
        return analysed
    bare = written.arg_types[index]
    if not isinstance(bare, UNBOUND_TYPE) or bare.args:
        return analysed
    fresh = _named_instance(bare.name, func, _rebinding[-1])
    return analysed if fresh is None or is_same_type(analysed, fresh) else fresh


def _named_instance(name: str, func: FuncDef, modules: dict[str, MypyFile]) -> ProperType | None:
    """The instance type a bare name written in ``func``'s signature gives now: a class
    without type parameters (nor a named tuple or a ``TypedDict``), or an alias of an
    instance type.  None for anything else,
    and for a name a class body may bind (a method's signature sees its class's names)."""
    parts = name.split(".")
    first, rest = parts[0], parts[1:]
    if func.info is not FUNC_NO_INFO and first in func.info.names:
        return None
    tree = modules.get(module_of(func))
    sym = tree.names.get(first) if tree is not None else None
    node = sym.node if sym is not None else None
    for part in rest:
        inner = node.names.get(part) if isinstance(node, MYPY_FILE) else None
        node = inner.node if inner is not None else None
    if node is None or isinstance(node, MYPY_FILE):
        return None
    current = lookup_fully_qualified(node.fullname, modules, raise_on_missing=False)
    node = current.node if current is not None else None
    if isinstance(node, TYPE_INFO):
        plain = not (node.type_vars or node.tuple_type or node.typeddict_type)
        return Instance(node, []) if plain else None
    if isinstance(node, TYPE_ALIAS) and not node.alias_tvars:
        target = get_proper_type(node.target)
        return target if isinstance(target, INSTANCE) else None
    return None


def callee_definition(ref: RefExpr) -> SymbolNode | None:
    """What a callee written as ``ref`` names: :func:`bound`, and for ``Class.method``
    (which mypy's analysis leaves unbound) the class's member."""
    node = bound(ref)
    if node is None and isinstance(ref, MEMBER_EXPR) and isinstance(ref.expr, REF_EXPR):
        owner = bound(ref.expr)
        if isinstance(owner, TYPE_INFO):
            sym = owner.get(ref.name)
            return sym.node if sym is not None else None
    return node


def bare_method(node: Decorator) -> FuncDef | None:
    """``node``'s function where mypy's analysis took every decorator off (``@classmethod``,
    ``@staticmethod``): its own signature is what a call on a receiver binds.  None for any
    other decorator, and for a property (calling it calls what the getter returns)."""
    return node.func if not node.decorators and not node.var.is_property else None


# Calls' callees and what each named when a tree was read, with its declared type (to keep
# a fact drawn from them).
Callees = list[tuple[RefExpr, tuple["SymbolNode | None", object]]]
# The same, as a memo keeps them (facts/kept).
KeptCallees = tuple[tuple[RefExpr, tuple["SymbolNode | None", object]], ...]


def note_callee(seen: Callees, value: Expression) -> None:
    """Keep what the callee of ``value``, if a call of a name, names now."""
    if isinstance(value, CALL_EXPR) and isinstance(value.callee, REF_EXPR):
        seen.append((value.callee, _callee_state(value.callee)))


def note_name(seen: Callees, ref: RefExpr) -> None:
    """Keep what ``ref`` (a class named in a test: ``isinstance(p, Pool)``) names now."""
    seen.append((ref, _callee_state(ref)))


def still_bound(seen: Callees | KeptCallees) -> bool:
    """Whether every callee kept by :func:`note_callee` still names what it named then, with
    the same declared type (the daemon analyses a tree again in place: a name may come to
    name another node, and a definition kept in place may get another signature)."""
    return all(_callee_state(ref) == state for ref, state in seen)


def _callee_state(ref: RefExpr) -> tuple[SymbolNode | None, object]:
    return definition_state(callee_definition(ref))


# Methods looked up on a class a call's receiver was known to be, and what each named then
# (``p.clone()``, where no name of the tree names the method).
Members = list[tuple[TypeInfo, str, tuple["SymbolNode | None", object]]]
KeptMembers = tuple[tuple[TypeInfo, str, tuple["SymbolNode | None", object]], ...]


def note_member(seen: Members, info: TypeInfo, name: str) -> SymbolNode | None:
    """Keep what ``info``'s member ``name`` is now, with its declared type; return it."""
    node = _member(info, name)
    seen.append((info, name, definition_state(node)))
    return node


def members_unchanged(seen: Members | KeptMembers) -> bool:
    """Whether every member kept by :func:`note_member` is still what it was then."""
    return all(definition_state(_member(info, name)) == state for info, name, state in seen)


def _member(info: TypeInfo, name: str) -> SymbolNode | None:
    sym = info.get(name)
    return sym.node if sym is not None else None


def definition_state(node: SymbolNode | None) -> tuple[SymbolNode | None, object]:
    """A definition and what a call of it gives by its declaration, to compare later."""
    if isinstance(node, FUNC_DEF):
        return node, declared_signature(node)
    if isinstance(node, DECORATOR):
        # A callable object's ``__call__`` (``Job[Pool]``, defined in another module) may
        # change what a call gives while the decorated type stays the same: kept too.
        signature = call_signature(node.var.type)
        return node, (node.var.type, signature.ret_type if signature is not None else None)
    if isinstance(node, TYPE_INFO):
        # A ``__new__`` (of the class or a base, in any module) may declare another class.
        return node, constructed_class(node)
    return node, None


def self_class(func: FuncItem, var: Var) -> TypeInfo | None:
    """The class of ``var`` if it is ``self``/``cls``: of the method ``func``, or of the
    method ``func`` is nested in (:func:`self_owner`)."""
    owner = self_owner(func, var)
    return owner.info if owner is not None else None


def self_owner(func: FuncItem, var: Var) -> FuncDef | None:
    """The method whose first argument (``self``/``cls``) ``var`` is: ``func`` itself, or
    the method a function or lambda nested in it took ``var`` from (``def run(self):
    async def inner(): self.ping()``).  mypy marks a method's first argument ``is_self``
    (``is_cls`` in a class method, where mypy has it) and a nested function reads that same
    ``Var``; the method is found in the class the checker typed it as."""
    if func.arguments and func.arguments[0].variable is var:
        owner: FuncItem | None = func
    elif var.is_self or getattr(var, "is_cls", False):
        owner = _captured_from(var)
    else:
        return None
    if not isinstance(owner, FUNC_DEF) or owner.is_static or is_outside_class(owner.info):
        return None
    return owner


def _captured_from(var: Var) -> FuncDef | None:
    """The method of ``var``'s class whose first argument ``var`` is (None before the
    checker typed it: mypy gives it the class's instance, or ``type`` of it)."""
    typ = get_proper_type(var.type)
    if isinstance(typ, TYPE_TYPE):
        typ = typ.item
    if not isinstance(typ, INSTANCE):
        return None
    info = typ.type
    for method in functions_in(info.defn.defs.body):
        if method.arguments and method.arguments[0].variable is var and method.info is info:
            return method
    return None


def is_outside_class(info: TypeInfo) -> bool:
    """FuncDef.info is the sentinel FUNC_NO_INFO for functions outside classes."""
    return info is FUNC_NO_INFO


def imported_node(var: Var, modules: dict[str, MypyFile]) -> SymbolNode | None:
    """What the import that failed into ``var`` names in ``modules`` now, if anything."""
    imported = _imported_path(var, modules)
    if imported is None:
        return None
    sym = lookup_fully_qualified(imported, modules, raise_on_missing=False)
    return sym.node if sym is not None else None


def _imported_path(var: Var, modules: dict[str, MypyFile]) -> str | None:
    """The full name the import that failed into ``var`` imports, read from the import
    statements of the module ``var`` belongs to (:func:`missing_import`)."""
    home = modules.get(var.fullname.rpartition(".")[0])
    return missing_import(home, var) if home is not None else None


def imported_modules(tree: MypyFile) -> Iterator[tuple[str, ImportBase]]:
    """Every module ``tree`` imports (relative imports resolved), with its statement."""
    for imp in tree.imports:
        if isinstance(imp, (IMPORT_FROM, IMPORT_ALL)):
            module, _ = correct_relative_import(
                tree.fullname, imp.relative, imp.id, tree.is_package_init_file()
            )
            yield module, imp
        elif isinstance(imp, IMPORT):
            for module, _ in imp.ids:
                yield module, imp


def missing_import(tree: MypyFile, var: Var) -> str | None:
    """The full name a missing import bound to ``var``, mapped through the import statement.

    mypy gives a name imported from a module it cannot see (missing, or skipped with
    ``follow_imports = skip``) a ``Var`` of type ``Any`` named after the *importing* module
    (``app.use.ext_factory``); the import statements say what it really is
    (``extlib.ext_factory``).
    """
    local_prefix = tree.fullname + "."
    if not var.fullname.startswith(local_prefix):
        return None
    return import_path(tree, var.fullname[len(local_prefix) :])


def import_path(tree: MypyFile, local: str) -> str | None:
    """What the first import of ``tree`` that binds the name ``local`` imports, as a full
    name (``from app.ws import make as mk``: ``mk`` is ``app.ws.make``)."""
    for module, imp in imported_modules(tree):
        if isinstance(imp, IMPORT_FROM):
            for name, alias in imp.names:
                if (alias or name) == local:
                    return f"{module}.{name}"
        elif isinstance(imp, IMPORT):
            alias = dict(imp.ids).get(module)
            if alias == local:
                return module
            if alias is None and module.split(".")[0] == local:
                return local
    return None
