"""Type questions: is a type awaitable, what does a coroutine give, which class is RESULT."""

from __future__ import annotations

from typing import Final

from mypy.expandtype import expand_type
from mypy.lookup import lookup_fully_qualified
from mypy.maptype import map_instance_to_supertype
from mypy.nodes import (
    ARG_STAR,
    ARG_STAR2,
    FUNC_NO_INFO,
    Decorator,
    FuncBase,
    FuncDef,
    MypyFile,
    TypeInfo,
)
from mypy.subtypes import find_member, is_subtype
from mypy.typeops import make_simplified_union
from mypy.types import (
    AnyType,
    CallableType,
    Instance,
    ProperType,
    TupleType,
    Type,
    TypeOfAny,
    get_proper_type,
)
from mypy.typevars import fill_typevars_with_any

from mypy_wsplugin.mypy_classes import (
    ANY_TYPE,
    CALLABLE_TYPE,
    DECORATOR,
    FUNC_BASE,
    INSTANCE,
    LITERAL_TYPE,
    NONE_TYPE,
    OVERLOADED,
    TUPLE_TYPE,
    TYPE_INFO,
    TYPE_TYPE,
    TYPE_VAR_LIKE_TYPE,
    TYPE_VAR_TYPE,
    TYPED_DICT_TYPE,
    UNINHABITED_TYPE,
    UNION_TYPE,
)
from mypy_wsplugin.mypy_internals import Checker


def awaitable_of(api: Checker, item: Type) -> Instance:
    return api.named_generic_type("typing.Awaitable", [item])


def coroutine_of(api: Checker, result: Type) -> Instance:
    any_type = AnyType(TypeOfAny.special_form)
    return api.named_generic_type("typing.Coroutine", [any_type, any_type, result])


def function_giving(api: Checker, result: Type) -> CallableType:
    """``Callable[..., result]``: a function whose call gives ``result``."""
    anything = AnyType(TypeOfAny.special_form)
    return CallableType(
        [anything, anything],
        [ARG_STAR, ARG_STAR2],
        [None, None],
        result,
        api.named_type("builtins.function"),
    )


def non_awaitable_members(modules: dict[str, MypyFile], typ: Type) -> list[ProperType]:
    """The parts of ``typ`` that ``await`` rejects; empty if it is awaitable or unknown.

    A union is awaitable only if every member is.  ``Any`` (and any ``Any`` member) counts
    as unknown: nothing is claimed about it.
    """
    proper = get_proper_type(typ)
    if isinstance(proper, ANY_TYPE):
        return []
    if isinstance(proper, UNINHABITED_TYPE):
        return [proper]  # a call that never returns (``-> NoReturn``): nothing to await
    awaitable = find_class("typing.Awaitable", modules)
    if awaitable is None or is_subtype(proper, awaitable):
        return []
    members = proper.relevant_items() if isinstance(proper, UNION_TYPE) else [proper]
    bad = []
    for member in members:
        item = get_proper_type(member)
        if not isinstance(item, ANY_TYPE) and not is_subtype(item, awaitable):
            bad.append(item)
    return bad


def iterated_item(typ: Type, view: str | None = None) -> Type | None:
    """What a ``for`` loop over a ``typ`` gives, for an instance of a class deriving from
    ``typing.Iterable`` (``list[Conn]``, ``set[Conn]``; a dict gives its keys), as its
    ``Iterable`` base's argument; with ``view`` (``"keys"`` or ``"values"``), what a loop
    over that view of a ``typing.Mapping`` gives (``for ws in self.by_user.values():``)."""
    proper = get_proper_type(typ)
    if not isinstance(proper, INSTANCE) or not _iterates_as_declared(proper.type):
        return None
    wanted, index = ("typing.Iterable", 0) if view is None else ("typing.Mapping", _VIEWS[view])
    for base in proper.type.mro:
        if base.fullname == wanted:
            mapped = map_instance_to_supertype(proper, base)
            return mapped.args[index] if len(mapped.args) > index else None
    return None


def _iterates_as_declared(info: TypeInfo) -> bool:
    """Whether what ``info``'s instances give when iterated (also reversed, or through a
    view) is what its ``Iterable``/``Mapping`` arguments say: no class of the program
    defines the methods a loop calls (``class Registry(dict[str, WebSocket])`` whose
    ``items()`` gives other pairs)."""
    return _as_declared(info, _ITERATION)


def _as_declared(info: TypeInfo, methods: tuple[str, ...]) -> bool:
    """Whether each of ``methods`` that ``info`` has comes from typeshed's containers."""
    for name in methods:
        for cls in info.mro:
            if name in cls.names:
                if cls.module_name not in _CONTAINER_MODULES:
                    return False
                break
    return True


def item_read(typ: Type, method: str, sliced: bool = False) -> Type | None:
    """What reading one item of a ``typ`` container gives: ``method`` ``"__getitem__"`` (a
    subscript, ``self.by_user[uid]``; ``sliced``: with a slice, which gives no item), or a
    call of ``get``, ``pop`` or ``setdefault`` (``self.by_user.get(uid)``, the ``None`` of
    a missing key aside; ``self.active.pop()``).  For an instance of a class deriving from
    ``typing.Mapping`` (its value argument) or ``typing.Sequence`` (its item argument;
    ``pop`` from a ``MutableSequence``), where no class of the program defines that method;
    else None."""
    proper = get_proper_type(typ)
    if sliced or not isinstance(proper, INSTANCE) or method not in _ITEM_READS:
        return None
    if not _as_declared(proper.type, (method,)):
        return None
    for base in proper.type.mro:
        wanted = _ITEM_READS[method].get(base.fullname)
        if wanted is not None:
            mapped = map_instance_to_supertype(proper, base)
            return mapped.args[wanted] if len(mapped.args) > wanted else None
    return None


# The methods that read one item, and per container base the argument that gives it.
_ITEM_READS: Final[dict[str, dict[str, int]]] = {
    "__getitem__": {"typing.Mapping": 1, "typing.Sequence": 0},
    "get": {"typing.Mapping": 1},
    "pop": {"typing.MutableMapping": 1, "typing.MutableSequence": 0},
    "setdefault": {"typing.MutableMapping": 1},
}
# The methods called by name that read one item (``self.by_user.get(uid)``).
ITEM_METHODS: Final = frozenset(_ITEM_READS) - {"__getitem__"}


# What a loop over a container, a copy of it (``reversed``) or a view of it calls.
_ITERATION: Final = ("__iter__", "__reversed__", "keys", "values", "items")
# The modules whose containers' iteration their type arguments describe (typeshed's).
_CONTAINER_MODULES: Final = frozenset(
    {
        "builtins",
        "typing",
        "typing_extensions",
        "collections",
        "collections.abc",
        "_collections_abc",
    }
)

# A mapping's views a loop may iterate over, and the argument of ``Mapping`` each gives.
_VIEWS: Final = {"keys": 0, "values": 1}


def coroutine_result(typ: Type) -> Type | None:
    """``T`` for ``Coroutine[Any, Any, T]`` (what a call to an ``async def`` gives), else None."""
    return _last_argument(typ, "typing.Coroutine", 3)


def awaitable_result(typ: Type) -> Type | None:
    """``T`` for exactly ``Awaitable[T]`` (what a callback typed so promises), else None:
    a ``Future``/``Task`` is an awaitable that runs without being awaited."""
    return _last_argument(typ, "typing.Awaitable", 1)


def _last_argument(typ: Type, fullname: str, arity: int) -> Type | None:
    proper = get_proper_type(typ)
    if (
        isinstance(proper, INSTANCE)
        and proper.type.fullname == fullname
        and len(proper.args) == arity
    ):
        return proper.args[-1]
    return None


def coroutine_type(result: Type, modules: dict[str, MypyFile]) -> Instance | None:
    """``Coroutine[Any, Any, result]`` (what calling an ``async def`` gives)."""
    sym = lookup_fully_qualified("typing.Coroutine", modules, raise_on_missing=False)
    if sym is None or not isinstance(sym.node, TYPE_INFO):
        return None
    anything = AnyType(TypeOfAny.special_form)
    return Instance(sym.node, [anything, anything, result])


def awaitability_is_generic(typ: Type) -> bool:
    """Whether a type variable decides if a value of ``typ`` can be awaited: an unbounded
    ``T`` (or a union with one: ``T | None``), or one constrained to types of which one may
    be awaitable.  A bounded one (``Self``, ``bound=int``) is judged by its bound, as mypy
    does; ``list[T]`` is never awaitable, whatever ``T`` is."""
    proper = get_proper_type(typ)
    if isinstance(proper, UNION_TYPE):
        return any(awaitability_is_generic(item) for item in proper.items)
    if isinstance(proper, TYPE_VAR_TYPE):
        if proper.values:
            return any(has_member(value, "__await__") for value in proper.values)
        bound = get_proper_type(proper.upper_bound)
        return isinstance(bound, INSTANCE) and bound.type.fullname == "builtins.object"
    return isinstance(proper, TYPE_VAR_LIKE_TYPE)


def constructed_class(info: TypeInfo) -> TypeInfo | None:
    """The class of the instance a call of the class ``info`` gives, as mypy types it:
    ``info`` itself, unless a ``__new__`` of it or of a base declares another class
    (``def __new__(cls) -> AsyncConn``: that class).  None where mypy does not type it as
    one class: ``__new__`` declared ``-> Any``, overloaded or decorated, or returning
    something else than an instance."""
    new = _new_method(info)
    if isinstance(new, DECORATOR):
        return None
    if new is None or new.info.fullname == "builtins.object" or new.type is None:
        return info
    if not isinstance(new.type, CALLABLE_TYPE):
        return None  # overloaded
    ret = get_proper_type(new.type.ret_type)
    if isinstance(ret, TYPE_VAR_TYPE):
        return info  # ``cls: type[T]) -> T``, ``-> Self``
    if isinstance(ret, ANY_TYPE):
        return info if ret.type_of_any == TypeOfAny.unannotated else None
    return ret.type if isinstance(ret, INSTANCE) else None


def _new_method(info: TypeInfo) -> FuncBase | Decorator | None:
    """``info.get_method("__new__")``, the first ``__new__`` of its MRO, without the scan
    mypy >= 2.4 adds for a class that has no ``__new__`` of its own: of every name of it, for
    one kept as ``__new__-redefinition`` (an f-string built per name: about 15k instructions
    a call on ``make bench``'s classes, whose ``__new__`` is mostly ``object``'s).  Such a
    name is made beside the plain one (a second definition), so the two differ only where
    mypy has dropped the plain name and kept the other ("for some reason gone", as a
    comment of its checker says of that case)."""
    for cls in info.mro:
        sym = cls.names.get("__new__")
        if sym is not None:
            node = sym.node
            return node if isinstance(node, (FUNC_BASE, DECORATOR)) else None
    return None


def result_on(func: FuncDef, signature: CallableType, receiver: TypeInfo | None) -> Type:
    """What ``signature``, ``func``'s, gives when called on an instance of ``receiver`` (or
    on the class itself), where known: for a method (not a static one) its self type
    variable (``-> Self``, ``def m(self: T) -> T``, ``cls: type[Self]``) is that instance,
    as mypy binds it.  (``arg_names``: a definition loaded from the cache has no
    ``arguments``.)"""
    if receiver is None or func.info is FUNC_NO_INFO or func.is_static or not func.arg_names:
        return signature.ret_type
    if not signature.arg_types:
        return signature.ret_type
    first = get_proper_type(signature.arg_types[0])
    if isinstance(first, TYPE_TYPE):
        first = first.item
    if not isinstance(first, TYPE_VAR_TYPE):
        return signature.ret_type
    return expand_type(signature.ret_type, {first.id: fill_typevars_with_any(receiver)})


def by_bounds(typ: Type) -> Type:
    """``typ`` with a type variable at its top (or as a member of a union at its top) read
    as what it stands for: a bounded one (``Self``, ``bound=int``) as its bound, a
    constrained one as the union of its values.  For a result whose awaitability no type
    variable decides (:func:`awaitability_is_generic`), so that messages name a type, as
    mypy does where it infers the call."""
    proper = get_proper_type(typ)
    if isinstance(proper, TYPE_VAR_TYPE):
        return make_simplified_union(proper.values) if proper.values else proper.upper_bound
    if isinstance(proper, UNION_TYPE) and any(
        isinstance(get_proper_type(item), TYPE_VAR_TYPE) for item in proper.items
    ):
        return make_simplified_union([by_bounds(item) for item in proper.items])
    return typ


def is_class_parameter(typ: Type) -> bool:
    """Whether ``typ`` is (or is a union with) a type parameter of a generic class
    (``def get(self) -> B`` of a ``Box[B]``, bounded or not): what a call gives depends on
    the receiver's type arguments, which a class alone does not say (mypy numbers a class's
    parameters from 1, a function's own type variables below 0)."""
    proper = get_proper_type(typ)
    if isinstance(proper, TYPE_VAR_TYPE):
        return proper.id.raw_id > 0
    if isinstance(proper, UNION_TYPE):
        return any(is_class_parameter(item) for item in proper.items)
    return False


def call_signature(typ: Type | None) -> CallableType | None:
    """What calling a value of ``typ`` does: ``typ`` itself if it is a callable type; for an
    instance of a class with ``__call__`` (``functools._lru_cache_wrapper[Pool]``, what
    ``@functools.lru_cache`` makes of a def), that method's signature on the instance, its
    type arguments filled in (``-> Pool``), as mypy types the call.  None for anything
    else (a descriptor object included)."""
    proper = get_proper_type(typ) if typ is not None else None
    if isinstance(proper, INSTANCE) and proper.type.get("__call__") is not None:
        if proper.type.get("__get__") is not None:
            return None  # a descriptor: read on a class or an instance, it gives another thing
        proper = get_proper_type(find_member("__call__", proper, proper, is_operator=True))
    return proper if isinstance(proper, CALLABLE_TYPE) else None


def is_any(typ: Type) -> bool:
    return isinstance(get_proper_type(typ), ANY_TYPE)


def union_of(items: list[Type]) -> Type:
    return make_simplified_union(items)


def find_class(fullname: str, modules: dict[str, MypyFile]) -> Instance | TupleType | None:
    """The type of an instance of class ``fullname`` (a tuple type for a NamedTuple), or
    None if mypy has not loaded it.  Unlike ``named_generic_type``, never crashes."""
    sym = lookup_fully_qualified(fullname, modules, raise_on_missing=False)
    if sym is None or not isinstance(sym.node, TYPE_INFO):
        return None
    filled = fill_typevars_with_any(sym.node)
    return filled if isinstance(filled, (INSTANCE, TUPLE_TYPE)) else None


def supports(typ: Type, method: str) -> bool:
    """Whether every part of ``typ`` has the special method ``method`` (``__len__``,
    ``__iter__``, ``__neg__``), as Python looks it up: on the object's class, so for a class
    object on its metaclass (unknown parts: yes)."""
    proper = get_proper_type(typ)
    if isinstance(proper, UNION_TYPE):
        return all(supports(item, method) for item in proper.items)
    if isinstance(proper, TYPE_TYPE):
        item = proper.item
        meta = item.type.metaclass_type if isinstance(item, INSTANCE) else None
        if meta is not None:
            return meta.type.has_readable_member(method)
        return isinstance(item, ANY_TYPE)  # ``type``: none of these
    return has_member(proper, method)


def has_member(typ: Type, name: str) -> bool:
    """Whether attribute ``name`` can be read on every part of ``typ`` (unknown parts: yes)."""
    proper = get_proper_type(typ)
    if isinstance(proper, UNION_TYPE):
        return all(has_member(item, name) for item in proper.items)
    if isinstance(proper, TYPE_VAR_TYPE):
        return has_member(proper.upper_bound, name)
    if isinstance(proper, TUPLE_TYPE):
        proper = proper.partial_fallback
    elif isinstance(proper, (TYPED_DICT_TYPE, LITERAL_TYPE, CALLABLE_TYPE, OVERLOADED)):
        proper = proper.fallback
    if isinstance(proper, INSTANCE):
        return proper.type.has_readable_member(name)
    return not isinstance(proper, NONE_TYPE)
