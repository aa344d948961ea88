"""What the plugin does once mypy asks for a hook: which names get one, what each does
(the check itself is chosen in :mod:`.checks.dispatch`), and the mypy daemon's callbacks.

Loaded on the first hook mypy asks for (see :mod:`.plugin`, which also maps the modules),
so that a run with nothing to check (a warm cache) does not pay for importing the checks.

Which names get a hook depends on the name and the configuration only, never on what was
seen earlier in the run: a module that mypy re-checks from a warm cache, in the daemon or in
a parallel worker is parsed without any plugin call, so a fact gathered at parse time would
be missing there (docs/design.md).  (One shortcut reads the parsed modules, only where every
module of the run was parsed in it: :mod:`.hook_gates`; the findings do not change.)  With
``check_all_awaits`` every call and attribute gets a hook; the hook returns at once where
nothing can be wrong (outside ``async def`` for a plain value, inside a speculative overload
attempt).  A hook runs the hook the rest of mypy's plugin chain would have given first
(:mod:`.rest_of_chain`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial
from typing import TypeVar

from mypy.errors import Errors
from mypy.lookup import lookup_fully_qualified
from mypy.nodes import (
    Context,
    MypyFile,
    SymbolNode,
)
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    MethodContext,
    Plugin,
)
from mypy.types import AnyType, Type, TypeOfAny, get_proper_type

from mypy_wsplugin.checks.await_not_awaitable import check_awaited
from mypy_wsplugin.checks.dispatch import (
    CallContext,
    check_call_site,
    decided,
    implicit_dunder,
    judged_on_union,
)
from mypy_wsplugin.checks.mypy_await_notes import AwaitNotes
from mypy_wsplugin.checks.policy import CheckPolicy
from mypy_wsplugin.config import PluginConfig
from mypy_wsplugin.entries import EntryChecks
from mypy_wsplugin.factories import FactoryMatcher
from mypy_wsplugin.facts.bindings import set_program
from mypy_wsplugin.facts.call_site import Site
from mypy_wsplugin.facts.callee_results import store_results
from mypy_wsplugin.facts.declared import DeclaredResults, result_dependencies
from mypy_wsplugin.facts.dependencies import noting
from mypy_wsplugin.facts.hook_names import (
    CALL_SUFFIX,
    LRU_CACHE_CALL,
    SUPER_CALL,
    DefiningNames,
    called_definition,
    constructor_name,
    super_target,
)
from mypy_wsplugin.facts.plain_callees import is_display
from mypy_wsplugin.facts.role_index import RoleIndex
from mypy_wsplugin.facts.stored_results import mark_async_defs
from mypy_wsplugin.facts.types import coroutine_result
from mypy_wsplugin.hook_gates import HookGates
from mypy_wsplugin.hook_tables import EVERYWHERE, WHERE_AWAITED
from mypy_wsplugin.messages import internal_error
from mypy_wsplugin.mypy_classes import ANY_TYPE, CALL_EXPR, MEMBER_EXPR, SUPER_EXPR
from mypy_wsplugin.mypy_internals import (
    Capabilities,
    Checker,
    errors_generation,
    errors_of,
    graph_modules,
    in_async_function,
    is_daemon,
    module_being_checked,
    narrowed_attribute_type,
    outside_attempts,
)
from mypy_wsplugin.mypy_internals import modules as build_modules
from mypy_wsplugin.notices import say_once
from mypy_wsplugin.post_pass import UntypedPass
from mypy_wsplugin.reporting import note_to
from mypy_wsplugin.rest_of_chain import RestOfChain

_H = TypeVar("_H")
# The answer to mypy's question for a hook, memoised per name (plugin.py): the hook, and
# where it is wanted (hook_tables: everywhere, or where the function mypy checks may await
# it, or may call it without awaiting it; see hook_gates).
HookEntry = tuple[_H | None, int]


class Engine:
    def __init__(
        self,
        owner: Plugin,
        config: PluginConfig,
        matcher: FactoryMatcher,
        entries: EntryChecks,
        capabilities: Capabilities,
        build_errors: Callable[[], Errors | None],
        await_notes: AwaitNotes,
    ) -> None:
        options = owner.options
        self.owner = owner
        self.options = options
        self.config = config
        self.matcher = matcher
        self.capabilities = capabilities
        self.entries = entries
        self._modules: dict[str, MypyFile] | None = None
        self.roles = RoleIndex()
        self.declared = DeclaredResults()
        self.chain = RestOfChain(owner, options)
        self.policy = CheckPolicy(config, matcher)
        self.untyped = UntypedPass(self.policy, options, entries)
        self._build_errors = build_errors
        self.await_notes = await_notes
        self._defining_name = DefiningNames()
        self._kept: dict[str, object] = {}  # module -> the statements its results came from
        # The daemon: the notes about entries are filed again after an update reset the
        # errors, also where the update only removed modules (no graph is loaded then).
        self._refile_notes = entries.daemon and entries.wanted
        self.off = False  # after an internal error (see _failed)
        await_notes.on_failure = lambda error, line: self._failed(
            error, AnyType(TypeOfAny.special_form), Context(line)
        )
        self._daemon = is_daemon(options)
        self._kept_in: object = None  # see _in_update
        self.gates = HookGates(
            self.policy,
            self.roles,
            self._daemon,
            self._in_update,
            lambda error: self._failed(error, AnyType(TypeOfAny.special_form), Context()),
            self._graph_modules,
        )

    # -- plumbing -------------------------------------------------------------------------

    def _graph_modules(self) -> Collection[str] | None:
        """Every module of the build's graph, where the build manager is found."""
        manager = self.entries.manager()
        return graph_modules(manager) if manager is not None else None

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._modules = modules
        set_program(modules)  # facts.bindings: names whose import failed, mapped through them
        self.chain.set_modules(modules)
        self.gates.set_modules(modules)

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """Make the modules of declared RESULT classes loadable where a factory is used,
        and, in the daemon, mark the module's unannotated ``async def``s
        (facts/stored_results).

        Called only for a module parsed without an up-to-date cache entry; what it returns
        is kept in the module's cache entry, so warm runs see the same dependencies.
        """
        # A (re-)parsed module may have moved a method between classes, or changed what a
        # configured path names (the daemon).
        self.gates.parsed(file)
        self._defining_name.clear()
        self.matcher.clear()
        if self.off:
            return []
        try:
            if self._daemon:
                mark_async_defs(file)
            missing = self.entries.missing_result_modules()
            homes = self.entries.result_homes()
            entries = self.config.factories
            return result_dependencies(file, entries, missing, homes, self.entries.loads)
        except Exception as error:
            self._failed(error, AnyType(TypeOfAny.special_form), file)
            return []

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        """mypy >= 2.4: called once per module after type checking; keeps what its
        functions give (for a run without a cache, and the daemon) and runs the untyped
        pass.  Returns the modules whose classes both read (facts/dependencies): mypy keeps
        them as the module's dependencies, so that a warm run checks it again when one
        changes, as it does for the types of checked code.  Not in the daemon, whose
        updates follow fine-grained dependencies instead, and which crashes in an update
        that removes a module another's dependencies name (``KeyError`` in
        ``dmypy_server.direct_imports``, as without the plugin for a module two others
        import: make fuzz seed 52124)."""
        if not self.capabilities.post_pass or self._modules is None:
            return set()
        with noting() as read:
            self.await_notes.watch(self._build_errors())
            self.keep_results(file, again=self._daemon)
            if not self.off:
                try:
                    self.untyped.finish(file, self._modules, self._build_errors)
                except Exception as error:
                    self._failed(error, AnyType(TypeOfAny.special_form), file)
        read.discard(file.fullname)
        return read if not self._daemon else set()

    def type_analysis(self) -> None:
        """The daemon, at a type-analyze hook lookup (it analyses a module's top level
        again): findings of the pass after type checking that mypy dropped are filed again,
        and a removed RESULT module stops being a dependency."""
        errors = self._build_errors()
        if self.off or self._modules is None:
            return
        try:
            if self.entries.has_results:
                self.entries.forget_removed_results(self._modules)
            if errors is not None:
                self._in_update(errors, analysing=True)
                if self.capabilities.post_pass:
                    self.untyped.refile(errors, self._modules)
        except Exception as error:
            self._failed(error, AnyType(TypeOfAny.special_form), Context())

    def keep_results(self, tree: MypyFile, again: bool = True) -> None:
        """Keep what ``tree``'s functions give in its symbol table (facts/stored_results);
        asked when mypy writes its cache entry and when it finishes it.  ``again``: also
        when already kept from the same tree in this run."""
        if (
            self.off
            or self._modules is None
            or (not again and self._kept.get(tree.fullname) is tree.defs)
        ):
            return
        try:
            store_results(tree, self._modules)
        except Exception as error:
            self._failed(error, AnyType(TypeOfAny.special_form), tree)
        self._kept[tree.fullname] = tree.defs

    # -- hooks ----------------------------------------------------------------------------

    # mypy asks for a hook at every call site; the answer only depends on the name, so it is
    # computed once per name.

    # Where this plugin is not interested, it returns no hook, so mypy goes on to the next
    # plugin; where it is, its hook runs the next plugin's hook first (see chain.py).

    def function_hook(self, fullname: str) -> HookEntry[Callable[[FunctionContext], Type]]:
        if SUPER_CALL in fullname:
            # ``super().m()``: mypy names it "m of Base" (short class name); the callee
            # expression tells the defining class, so every such call is looked at.
            if not self.policy.active:
                return None, EVERYWHERE
            return partial(self._on_super, fullname), EVERYWHERE
        if (
            not self.policy.hooked(fullname)
            or is_display(fullname)
            or self._no_hook_needed(self.gates.never_called, fullname)
        ):
            return None, EVERYWHERE
        node = None
        if self._modules is not None:
            sym = lookup_fully_qualified(fullname, self._modules, raise_on_missing=False)
            node = sym.node if sym is not None else None
        return partial(self._on_function, fullname), self.gates.gate(fullname, node)

    def method_hook(self, fullname: str) -> HookEntry[Callable[[MethodContext], Type]]:
        if fullname == LRU_CACHE_CALL:
            return partial(self._on_method, fullname, fullname), EVERYWHERE
        if SUPER_CALL in fullname:  # bound through ``Self``: "m of Class", see _on_super
            if not self.policy.active:
                return None, EVERYWHERE
            return partial(self._on_super, fullname), EVERYWHERE
        defined, node = self._defining_name(fullname, self._modules)
        # A call of an object's ``__call__`` may call a configured factory that a decorator
        # made into that object (see _judge_call).
        decorated = self.policy.has_factories and defined.endswith(CALL_SUFFIX)
        if not (decorated or self.policy.hooked(defined)) or self._no_hook_needed(
            self.gates.never_called, defined
        ):
            return None, EVERYWHERE
        hook = partial(self._on_method, fullname, defined)
        return hook, self.gates.gate(defined, node)

    def attribute_hook(self, fullname: str) -> HookEntry[Callable[[AttributeContext], Type]]:
        # An attribute only matters where it is awaited: every one with check_all_awaits,
        # else the configured ones; ``await`` stands only in an ``async def``.
        if not self.policy.active:
            return None, EVERYWHERE
        defined, node = self._defining_name(fullname, self._modules)
        if not self.policy.hooked(defined):
            return None, EVERYWHERE
        return partial(self._on_attribute, fullname, defined, node), WHERE_AWAITED

    def never_awaited(self, fullname: str) -> bool:
        """``HookGates.never_awaited``, asked once per name, under the plugin's guard."""
        return self._no_hook_needed(self.gates.never_awaited, fullname)

    def _no_hook_needed(self, question: Callable[[str], bool], fullname: str) -> bool:
        """A gate's ``question`` about ``fullname`` that, answered True, means no hook
        anywhere in the run; False after a bug in it (every hook is then given)."""
        if self.off:
            return False
        try:
            return question(fullname)
        except Exception as error:
            self._failed(error, AnyType(TypeOfAny.special_form), Context())
            return False

    def _in_update(self, errors: Errors, analysing: bool = False) -> None:
        """The daemon, at a hook, a gated lookup or the type-analyze lookup (``analysing``):
        file again what a hook would have filed (the notes about entries, once after each
        reset of the errors), and judge again what the pass after type checking could not
        (``UntypedPass.rejudge``)."""
        modules = self._modules
        if modules is None or self.off:
            return
        try:
            if self.untyped.has_stale:
                self.untyped.rejudge(errors, modules, analysing)
            if self._refile_notes:
                self.entries.refile(errors, modules)
            generation = errors_generation(errors)
            if generation is not self._kept_in:
                self._kept_in = generation
                self.await_notes.watch(errors)
        except Exception as error:
            self._failed(error, AnyType(TypeOfAny.special_form), Context())

    def _on_function(self, fullname: str, ctx: FunctionContext) -> Type:
        return self._on_call(fullname, False, self.chain.call_type(fullname, ctx), ctx)

    def _on_super(self, fullname: str, ctx: FunctionContext | MethodContext) -> Type:
        """``super().m()`` (a function hook) or a method bound through ``Self`` (a method
        hook): mypy names both "m of Class"."""
        return self._on_named(self.chain.call_type(fullname, ctx), ctx)

    def _on_named(self, typ: Type, ctx: CallContext) -> Type:
        """A call mypy names "m of Class": through ``super()``, or bound through ``Self``."""
        call = ctx.context
        api = ctx.api
        if not isinstance(call, CALL_EXPR) or not isinstance(api, Checker):
            return typ
        if isinstance(call.callee, SUPER_EXPR):
            defined = super_target(call.callee)
        else:  # a method bound through ``Self`` is also named "m of Class"
            mapped = called_definition(api, call)
            defined = mapped[0] if mapped is not None and mapped[1] else None
        return typ if defined is None else self._on_call(defined, True, typ, ctx)

    def _on_method(self, fullname: str, defined: str, ctx: MethodContext) -> Type:
        return self._on_call(defined, True, self.chain.call_type(fullname, ctx), ctx)

    def _on_call(self, fullname: str, is_method: bool, typ: Type, ctx: CallContext) -> Type:
        if self.off:
            return typ
        if self._daemon and isinstance(ctx.api, Checker):
            self._in_update(errors_of(ctx.api))
        try:
            return self._judge_call(fullname, is_method, typ, ctx)
        except Exception as error:
            return self._failed(error, typ, ctx.context)

    def _judge_call(self, fullname: str, is_method: bool, typ: Type, ctx: CallContext) -> Type:
        api = ctx.api
        if not isinstance(api, Checker) or not isinstance(ctx.context, CALL_EXPR):
            return typ
        errors = errors_of(api)
        self.await_notes.watch(errors)
        proper = get_proper_type(typ)
        if (
            coroutine_result(proper) is None
            and not isinstance(proper, ANY_TYPE)
            and not in_async_function(api)
        ):
            return typ  # the common case: a plain value outside ``async def`` is never awaited
        if implicit_dunder(fullname, ctx.context) or not decided(ctx, api, ctx.context, errors):
            return typ
        if fullname.endswith(CALL_SUFFIX):
            # A decorated factory (``@functools.lru_cache``, ``@job``): named, configured
            # and judged as the function the call names, as in unannotated code.
            cached = fullname == LRU_CACHE_CALL
            mapped = called_definition(api, ctx.context, decorated_only=not cached)
            if mapped is not None:
                fullname, is_method = mapped
            elif cached:
                return typ
        elif not is_method:
            fullname = constructor_name(ctx.context, fullname)
        entry = self.policy.entry(fullname, module_being_checked(api), build_modules(api))
        if not self.policy.judged(entry):
            return typ
        site = Site(api, ctx.context, fullname, is_method, typ, entry)
        site.typ = self.declared.apply(site)
        return check_call_site(site, self.policy, self.roles, self._daemon)

    def _on_attribute(
        self, fullname: str, defined: str, node: SymbolNode | None, ctx: AttributeContext
    ) -> Type:
        typ = self.chain.attribute_type(fullname, ctx)
        if self.off:
            return typ
        if self._daemon and isinstance(ctx.api, Checker):
            self._in_update(errors_of(ctx.api))
        try:
            return self._judge_attribute(defined, node, typ, ctx)
        except Exception as error:
            return self._failed(error, typ, ctx.context)

    def _failed(self, error: Exception, typ: Type, context: Context) -> Type:
        """A bug in the plugin must not crash mypy (or the daemon): say so in one line, turn
        the checks off for the rest of the run, and keep mypy's own type.  With
        ``--show-traceback`` the exception propagates, as mypy's own would, except in the
        daemon, which sets that option for itself: there the line is also a note in the
        output of the update (the daemon's own stderr reaches no one), and the checks stay
        off until it restarts."""
        if self.options.show_traceback and not self._daemon:
            raise error
        self.off = True
        line = internal_error(context.line, error, self._daemon)
        say_once(line)
        if self._daemon:
            errors = self._build_errors()
            if errors is not None:
                try:
                    with outside_attempts(errors):
                        note_to(errors, line, context.line)
                except Exception:
                    pass  # the note only shows the line; nothing here may crash the daemon
        return typ

    def _judge_attribute(
        self, defined: str, node: SymbolNode | None, typ: Type, ctx: AttributeContext
    ) -> Type:
        api = ctx.api
        if ctx.is_lvalue or not isinstance(api, Checker) or not in_async_function(api):
            return typ
        if not isinstance(ctx.context, MEMBER_EXPR) or coroutine_result(typ) is not None:
            return typ
        # Judge the type mypy has narrowed the attribute to on this line (``if x.task:``).
        narrowed = narrowed_attribute_type(api, ctx.context, typ)
        entry = self.policy.entry(defined, module_being_checked(api), build_modules(api))
        site = Site(api, ctx.context, defined, None, narrowed, entry)
        site.definition = node
        if not judged_on_union(site, self.policy):
            return typ
        checked = check_awaited(site, self.roles)
        return typ if checked is narrowed else checked
