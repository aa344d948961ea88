"""What a hook needs from mypy's ``TypeChecker`` (``ctx.api``) beyond ``CheckerPluginInterface``:
the function being checked, inferred types, the daemon's targets and dependencies."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Final

from mypy.checker import TypeChecker, is_valid_inferred_type
from mypy.checkexpr import has_any_type
from mypy.nodes import (
    ARG_NAMED,
    ARG_OPT,
    ARG_POS,
    CallExpr,
    Context,
    DictExpr,
    Expression,
    FuncItem,
    IndexExpr,
    MypyFile,
    Node,
    TempNode,
)
from mypy.plugin import Plugin
from mypy.server.subexpr import get_subexpressions as _compiled_subexpressions
from mypy.types import Type, get_proper_type

from mypy_wsplugin.mypy_classes import ASSIGNMENT_EXPR, CALLABLE_TYPE

# Classes of mypy's build and checker this module tests for, as C statics (see
# mypy_wsplugin/mypy_classes.py, which holds the node and type classes).
_TYPE_CHECKER: Final = TypeChecker

# ``ctx.api`` in function, method and attribute hooks is mypy's TypeChecker (every version).
Checker = TypeChecker


def current_function(api: Checker) -> FuncItem | None:
    """The function being checked (None at module or class level).  mypy >= 1.15.

    For a function with value-restricted type variables (``AnyStr``, a class's
    ``TypeVar("T", str, bytes)``) mypy checks a copy of the body per value: the scope
    holds the definition, ``FuncItem.expanded`` the copy being checked (its last item;
    the definition itself when nothing is expanded).
    """
    func = api.scope.current_function()
    if func is not None and func.expanded:
        return func.expanded[-1]
    return func


def in_async_function(api: Checker) -> bool:
    func = api.scope.current_function()
    return func is not None and func.is_coroutine


def module_being_checked(api: Checker) -> MypyFile:
    """TypeChecker.tree: the module the hook fired in."""
    return api.tree


def modules(api: Checker) -> dict[str, MypyFile]:
    """TypeChecker.modules: every loaded module (the build's dict)."""
    return api.modules


def expression_type(api: Checker, expr: Expression) -> Type | None:
    """The type mypy already inferred for ``expr`` (TypeChecker.lookup_type_or_none)."""
    return api.lookup_type_or_none(expr)


def declared_return(api: Checker) -> Type | None:
    """What a ``return`` in the function being checked must give (TypeChecker.return_types;
    for an ``async def`` the full ``Coroutine[...]``)."""
    return api.return_types[-1] if api.return_types else None


def narrowed_attribute_type(api: Checker, expr: Expression, typ: Type) -> Type:
    """The type the binder narrowed ``expr`` to on this line (ExpressionChecker)."""
    return api.expr_checker.narrow_type_from_binder(expr, typ)


def awaited_type(api: Checker, typ: Type, context: Expression) -> Type:
    """What ``await`` of a ``typ`` gives, as mypy computes it (no error reported)."""
    return api.expr_checker.check_awaitable_expr(typ, context, "", ignore_binder=True)


def contains_any(typ: Type) -> bool:
    """Whether ``typ`` has ``Any`` anywhere in it, as mypy's overload ambiguity check asks
    (mypy.checkexpr.has_any_type)."""
    return has_any_type(typ)


def current_target(api: Checker) -> str:
    """The daemon's name for what is being checked ("mod.func", "mod.Cls.method", "mod")
    (TypeChecker.tscope, mypy >= 0.7)."""
    return api.tscope.current_target()


def depend_on(api: Checker, trigger: str) -> None:
    """Make the daemon re-check what is being checked when ``trigger`` fires.

    MypyFile.plugin_deps is what the semantic analyzer plugin API's
    ``add_plugin_dependency`` fills; mypy.server.deps merges it into the fine-grained
    dependency map when the module's dependencies are computed (State.finish_passes).  A
    function the daemon re-checks alone (a dependency of it changed) gets its dependencies
    computed without them (``mypy.server.update.update_deps``): so in the daemon they go
    into its map directly too (:func:`use_daemon_dependencies`).
    """
    target = current_target(api)
    module_being_checked(api).plugin_deps.setdefault(trigger, set()).add(target)
    for deps in _DAEMON_DEPENDENCIES:
        deps.setdefault(trigger, set()).add(target)


# The daemon's fine-grained dependency map, once the plugin found it (empty elsewhere).
_DAEMON_DEPENDENCIES: list[dict[str, set[str]]] = []


def use_daemon_dependencies(deps: dict[str, set[str]]) -> None:
    """The daemon's dependency map (``BuildManager.fg_deps``, which its
    ``FineGrainedBuildManager.deps`` is) for :func:`depend_on`."""
    _DAEMON_DEPENDENCIES[:] = [deps]


def refer_to_module(api: Checker, module: str) -> None:
    """Record that what is being checked uses ``module`` though no type of it may stay in
    the module's types (TypeChecker.module_refs; in mypy 1.14 and later at least): mypy
    keeps it as an indirect dependency in the cache entry (State.finish_passes), so a
    change there re-checks this module in a warm run."""
    refs = getattr(api, "module_refs", None)
    if isinstance(refs, set):
        refs.add(module)


def rest_of_chain(api: object, owner: Plugin) -> list[Plugin] | None:
    """The plugins mypy asks after ``owner`` (ChainedPlugin._plugins), if visible."""
    plugins = getattr(getattr(api, "plugin", None), "_plugins", None)
    if isinstance(plugins, list) and owner in plugins:
        return plugins[plugins.index(owner) + 1 :]
    return None


def get_subexpressions(node: Node) -> list[Expression]:
    """Every expression below ``node``, parents first (mypy.server.subexpr, compiled: far
    faster than a walk in Python; the daemon uses it, every version has it).  Imported
    with this module, which a run that finds everything in its cache does not load (an
    import statement here ran at each call, about a quarter of its cost)."""
    return _compiled_subexpressions(node)


def checker_now() -> Checker | None:
    """The ``TypeChecker`` checking a module now, for mypy's error watcher, which is handed
    none (``mypy.checker_state.checker_state``: set by ``check_first_pass`` and
    ``check_second_pass``, the daemon's re-checks included; mypy >= 1.16).  None where the
    running mypy has no such state or nothing is being checked."""
    try:
        from mypy.checker_state import checker_state
    except ImportError:
        return None
    found = checker_state.type_checker
    return found if isinstance(found, _TYPE_CHECKER) else None


def call_types(api: Checker, call: CallExpr) -> tuple[Type, list[Type]] | None:
    """The type of ``call``'s callee, as declared, and the types of its arguments, each
    inferred with no type context, as mypy does for an overloaded callee
    (``check_overload_call``).  Asked at mypy's error about the call.

    Both are inferred again, not read from the types mypy kept: it keeps the callee's type
    with the type variables it inferred at the call (``Iterable[Never]`` where it could
    infer none), and where it checks a function a second time (deferred, or the daemon's
    re-check) the types of the first pass stay until the second one keeps its own (a
    ``return`` statement's value is inferred in a type map of its own, whose errors are
    recorded before its types are kept: ``TypeChecker.infer_context_dependent``).  Each
    the way mypy infers there: in a type map of its own, its errors dropped, the binder's
    narrowing discarded.  None where that cannot be done: a walrus in the call, on a mypy
    whose binder cannot discard a frame (1.19), where inferring it again would narrow
    its target for the rest of the function."""
    types = _inferred_again(api, [call.callee, *call.args])
    return None if types is None else (types[0], types[1:])


def index_types(
    api: Checker, indexed: IndexExpr, value: Expression | None
) -> tuple[Type, list[Type]] | None:
    """The type of ``indexed``'s base and those of its index and of the ``value`` stored
    in it (``base[index] = value``), each inferred again as :func:`call_types` infers; None
    where that cannot be done.  Asked at mypy's error about the indexing."""
    parts = [indexed.index] if value is None else [indexed.index, value]
    types = _inferred_again(api, [indexed.base, *parts])
    return None if types is None else (types[0], types[1:])


def parts_types(
    api: Checker, parts: list[Expression], contexts: list[Type] | None = None
) -> list[Type] | None:
    """The types of ``parts`` of a display (a dict entry's key and value, a tuple's items),
    each inferred again as :func:`call_types` infers, under its type of ``contexts`` where
    given (a tuple item's declared type: ``[1]`` is a ``list[float]`` there); None where
    that cannot be done.  Asked at mypy's error about the display."""
    return _inferred_again(api, parts, contexts)


def display_context(api: Checker) -> Type | None:
    """The top of ``ExpressionChecker.type_context`` at mypy's error about a display's item.
    mypy checks a display as a call of a generic constructor (``visit_dict_expr``), after
    it inferred the items, each under a context it pushes and pops: for a display checked
    on its own the display's context is on top; for one inside a call or another display,
    mypy files its errors later, under an outer context.  So the caller checks that this
    context gives mypy's message (``mypy_await_notes._DictEntry``)."""
    stack = api.expr_checker.type_context
    return stack[-1] if stack else None


def dict_display_checked(
    api: Checker,
    entries: list[tuple[Expression, Expression]],
    types: list[tuple[Type, Type]],
    context: Type | None,
) -> tuple[Type, list[str]]:
    """What a dict display of ``entries`` (each key and value of the types ``types``)
    gives under the type ``context``, and the messages of the errors mypy reports about it:
    checked as mypy checks a dict display, its errors dropped, in a type map of its own, no
    plugin hook asked (``TempNode`` parts; the constructor has no name)."""
    display = DictExpr(
        [
            (TempNode(k, context=key), TempNode(v, context=value))
            for (key, value), (k, v) in zip(entries, types, strict=True)
        ]
    )
    display.set_line(entries[0][0])
    with api.msg.filter_errors(save_filtered_errors=True) as attempt, api.local_type_map:
        result = api.expr_checker.accept(display, type_context=context)
    return result, [e.message for e in attempt.filtered_errors()]


def return_expected(api: Checker) -> Type | None:
    """What a ``return`` statement's value must be in the function being checked, as
    ``TypeChecker.check_return_stmt`` finds it (an ``async def``'s declared result, a
    generator's return type); None at module level."""
    func = api.scope.current_function()
    if func is None or not api.return_types:
        return None
    declared = api.return_types[-1]
    if func.is_generator:
        return api.get_generator_return_type(declared, func.is_coroutine)
    if func.is_coroutine:
        return api.get_coroutine_return_type(declared)
    return get_proper_type(declared)


def _inferred_again(
    api: Checker, expressions: list[Expression], contexts: list[Type] | None = None
) -> list[Type] | None:
    """The types of ``expressions``, each inferred with no type context (or its type of
    ``contexts``) in a type map of its own, its errors dropped, the binder's narrowing
    discarded (:func:`call_types`)."""
    frame = _narrowing_discarded(api)
    if frame is None and any(
        isinstance(e, ASSIGNMENT_EXPR) for x in expressions for e in _compiled_subexpressions(x)
    ):
        return None
    given: list[Type | None] = list(contexts) if contexts is not None else [None] * len(expressions)
    with api.msg.filter_errors(), api.local_type_map, frame or nullcontext():
        return [
            api.expr_checker.accept(e, type_context=c)
            for e, c in zip(expressions, given, strict=True)
        ]


def _narrowing_discarded(api: Checker) -> AbstractContextManager[object] | None:
    """A binder frame whose narrowing is dropped when it ends (``discard``: mypy >= 1.20,
    as its ``infer_context_dependent`` uses), None on a mypy without."""
    try:
        return api.binder.frame_context(can_skip=False, discard=True)
    except TypeError:
        return None


def call_result_with(api: Checker, call: CallExpr, callee: Type, args: list[Type]) -> Type | None:
    """What ``call`` of a ``callee`` with arguments of the types ``args`` gives, where mypy
    accepts it (None where it reports an error): the call checked again, its errors
    dropped, no plugin hook asked."""
    given: list[Expression] = [TempNode(t, context=a) for t, a in zip(args, call.args, strict=True)]
    with api.msg.filter_errors() as attempt:
        result, _ = api.expr_checker.check_call(callee, given, call.arg_kinds, call, call.arg_names)
    return None if attempt.has_new_errors() else result


def parameter_type(callee: Type, call: CallExpr, index: int, args: list[Type]) -> Type | None:
    """The declared type of the parameter that ``call``'s argument ``index`` is passed to,
    where ``callee`` is a plain (not generic, not overloaded) callable and the argument
    fills one parameter that takes one value (not ``*args``); else None
    (``mypy.argmap.map_actuals_to_formals``, as mypy maps a call's arguments)."""
    from mypy.argmap import map_actuals_to_formals

    proper = get_proper_type(callee)
    if not isinstance(proper, CALLABLE_TYPE) or proper.variables:
        return None
    formals = map_actuals_to_formals(
        call.arg_kinds, call.arg_names, proper.arg_kinds, proper.arg_names, lambda i: args[i]
    )
    taken = [f for f, actuals in enumerate(formals) if index in actuals]
    if len(taken) != 1 or proper.arg_kinds[taken[0]] not in (ARG_POS, ARG_OPT, ARG_NAMED):
        return None
    return proper.arg_types[taken[0]]


def method_result_with(
    api: Checker,
    method: str,
    base: Type,
    parts: list[Expression],
    args: list[Type],
    context: Context,
) -> Type | None:
    """What calling the ``method`` of ``base`` (``__getitem__``, ``__setitem__``) with
    arguments of the types ``args`` (in place of ``parts``) gives, where mypy accepts it
    (None where it reports an error): the method looked up as mypy looks up
    ``__setitem__`` (``TypeChecker.check_indexed_assignment``), the call checked, errors
    dropped, no plugin hook asked."""
    given: list[Expression] = [TempNode(t, context=p) for t, p in zip(args, parts, strict=True)]
    with api.msg.filter_errors() as attempt:
        callee = api.expr_checker.analyze_external_member_access(method, base, context)
        result, _ = api.expr_checker.check_call(callee, given, [ARG_POS] * len(given), context)
    return None if attempt.has_new_errors() else result


def inferable(api: Checker, typ: Type) -> bool:
    """Whether mypy takes ``typ`` as the type of a variable stored to with no annotation,
    instead of asking for one (``Need type annotation``): ``is_valid_inferred_type``."""
    return is_valid_inferred_type(typ, api.options)
