"""What the plugin does once mypy asks for a hook: hook selection and dispatch.

Loaded on the first hook mypy asks for (see :mod:`.main`, which also maps the modules), so
that a run with nothing to check (a warm cache) does not pay for importing the checks.

Hooks are returned only for names that can matter (:mod:`.awaited_names`); a hook runs
the hook the rest of mypy's plugin chain would have given first (:mod:`.chain`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from mypy.errors import Errors
from mypy.lookup import lookup_fully_qualified
from mypy.nodes import (
    CallExpr,
    MemberExpr,
    MypyFile,
    SuperExpr,
    SymbolNode,
)
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    MethodContext,
    Plugin,
)
from mypy.types import AnyType, Type, get_proper_type

from mypy_wsplugin.await_check import check_awaited
from mypy_wsplugin.awaitables import coroutine_result, is_any
from mypy_wsplugin.awaited_names import AwaitedNames, may_give_coroutine, unannotated_possible
from mypy_wsplugin.callsite import Site
from mypy_wsplugin.chain import RestOfChain
from mypy_wsplugin.compat import HAS_POST_PASS, Checker, find_build_errors
from mypy_wsplugin.config import FactoryEntry, PluginConfig
from mypy_wsplugin.declared import DeclaredResults, result_dependencies
from mypy_wsplugin.factories import FactoryMatcher
from mypy_wsplugin.missing_await import check_coroutine
from mypy_wsplugin.naming import (
    LRU_CACHE_CALL,
    SUPER_CALL,
    DefiningNames,
    cached_factory,
    super_target,
)
from mypy_wsplugin.resolve import imported_modules
from mypy_wsplugin.roles import RoleIndex
from mypy_wsplugin.untyped import UntypedPass

CallContext = FunctionContext | MethodContext


class Engine:
    def __init__(self, owner: Plugin, config: PluginConfig, matcher: FactoryMatcher) -> None:
        options = owner.options
        self.owner = owner
        self.options = options
        self.config = config
        self.matcher = matcher
        self._modules: dict[str, MypyFile] | None = None
        self.roles = RoleIndex()
        self.roles.keep_parsed = options.fine_grained_incremental
        self.awaited = AwaitedNames(parallel=getattr(options, "num_workers", 0) > 0)
        self.declared = DeclaredResults()
        self.chain = RestOfChain(owner, options)
        self.untyped = UntypedPass(self.config, self.matcher, options)
        self._errors: Errors | None = None
        self._defining_name = DefiningNames()

    # -- plumbing -------------------------------------------------------------------------

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._modules = modules
        self.chain.set_modules(modules)

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """Make the modules of declared RESULT classes loadable where a factory is used."""
        self._defining_name.clear()
        roles = self.awaited.scan(file)
        if roles is None:
            self.roles.parsed.pop(file.fullname, None)
        else:
            self.roles.parsed[file.fullname] = roles
        return result_dependencies(file, self.config.factories)

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        """mypy >= 2.4: called once per module after type checking; runs the untyped pass."""
        if not HAS_POST_PASS or self._modules is None:
            return set()
        if not self.roles.keep_parsed:
            # Checked: drop the module's parse-time roles (RoleIndex only drops them when
            # a hook fires in the next module, which need not happen).
            self.roles.parsed.pop(file.fullname, None)
        unannotated = unannotated_possible(self.awaited, file.fullname)
        needed = self.untyped.needed(file, self._modules, unannotated)
        daemon = self.options.fine_grained_incremental
        if not (needed or daemon):
            return set()
        if needed:
            self.untyped.run(file, self._modules, self._build_errors)
        errors = self._build_errors() if daemon else None
        if errors is not None:
            # The daemon resets all errors on each update and re-checks targets, but not
            # this pass: make its findings afresh for the modules that had some, and for
            # those that import this (changed) module.
            others = self.untyped.with_findings | self._importers(file.fullname)
            others.discard(file.fullname)
            self.untyped.rerun(others, errors, self._modules)
        return set()

    def _build_errors(self) -> Errors | None:
        if self._errors is None and self._modules is not None:
            self._errors = find_build_errors(self._modules)
        return self._errors

    def _importers(self, module: str) -> set[str]:
        """Modules with unannotated functions that import ``module`` directly."""
        assert self._modules is not None
        found = set()
        for name in self.awaited.with_unannotated:
            tree = self._modules.get(name)
            if tree is not None and any(m == module for m, _ in imported_modules(tree)):
                found.add(name)
        return found

    def _wants(self, fullname: str, node: SymbolNode | None = None) -> bool:
        """Whether calls of ``fullname`` (defined by ``node``, if known) need a hook (see
        :mod:`.awaited_names`)."""
        if self.matcher.match(fullname) is not None:
            return True
        if not self.config.check_all_awaits:
            return False
        short = fullname.rpartition(".")[2]
        if short in self.awaited or short == "__call__":
            return True
        if node is None:
            if self._modules is None:
                return True
            sym = lookup_fully_qualified(fullname, self._modules, raise_on_missing=False)
            node = sym.node if sym is not None else None
        return may_give_coroutine(node)

    # -- hooks ----------------------------------------------------------------------------

    # mypy asks for a hook at every call site; the answer only depends on the name, so it is
    # computed once per name.

    # Where this plugin is not interested, it returns no hook, so mypy goes on to the next
    # plugin; where it is, its hook runs the next plugin's hook first (see chain.py).

    def function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        if SUPER_CALL in fullname:
            # ``super().m()``: mypy names it "m of Base" (short class name); the callee
            # expression tells the defining class, so every such call is looked at.
            if not (self.config.check_all_awaits or self.matcher):
                return None
            return partial(self._on_super, fullname)
        if not self._wants(fullname):
            return None
        return partial(self._on_function, fullname)

    def method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        if fullname == LRU_CACHE_CALL:
            return partial(self._on_method, fullname, fullname)
        if SUPER_CALL in fullname:  # bound through ``Self``: "m of Class", see _on_super
            if not (self.config.check_all_awaits or self.matcher):
                return None
            return partial(self._on_method_of, fullname)
        defined, node = self._defining_name(fullname, self._modules)
        if not self._wants(defined, node):
            return None
        return partial(self._on_method, fullname, defined)

    def attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        # An attribute only matters where it is awaited, or where it is configured.
        if not self.matcher and fullname.rpartition(".")[2] not in self.awaited:
            return None
        defined = self._defining_name(fullname, self._modules)[0]
        awaited = self.config.check_all_awaits and defined.rpartition(".")[2] in self.awaited
        if not awaited and self.matcher.match(defined) is None:
            return None
        return partial(self._on_attribute, fullname, defined)

    def _on_function(self, fullname: str, ctx: FunctionContext) -> Type:
        base = self.chain.function_hook(fullname, ctx.api)
        typ = base(ctx) if base is not None else ctx.default_return_type
        return self._on_call(fullname, False, typ, ctx)

    def _on_super(self, fullname: str, ctx: FunctionContext) -> Type:
        base = self.chain.function_hook(fullname, ctx.api)
        typ = base(ctx) if base is not None else ctx.default_return_type
        return self._on_named(typ, ctx)

    def _on_named(self, typ: Type, ctx: CallContext) -> Type:
        """A call mypy names "m of Class": through ``super()``, or bound through ``Self``."""
        call = ctx.context
        api = ctx.api
        if not isinstance(call, CallExpr) or not isinstance(api, Checker):
            return typ
        if isinstance(call.callee, SuperExpr):
            defined = super_target(call.callee)
        else:  # a method bound through ``Self`` is also named "m of Class"
            mapped = cached_factory(api, call)
            defined = mapped[0] if mapped is not None and mapped[1] else None
        return typ if defined is None else self._on_call(defined, True, typ, ctx)

    def _on_method_of(self, fullname: str, ctx: MethodContext) -> Type:
        base = self.chain.method_hook(fullname, ctx.api)
        typ = base(ctx) if base is not None else ctx.default_return_type
        return self._on_named(typ, ctx)

    def _on_method(self, fullname: str, defined: str, ctx: MethodContext) -> Type:
        base = self.chain.method_hook(fullname, ctx.api)
        typ = base(ctx) if base is not None else ctx.default_return_type
        return self._on_call(defined, True, typ, ctx)

    def _on_call(self, fullname: str, is_method: bool, typ: Type, ctx: CallContext) -> Type:
        api = ctx.api
        if not isinstance(api, Checker) or not isinstance(ctx.context, CallExpr):
            return typ
        if self._errors is None:
            self._errors = api.msg.errors
        proper = get_proper_type(typ)
        if (
            coroutine_result(proper) is None
            and not isinstance(proper, AnyType)
            and not _in_async_function(api)
        ):
            return typ  # the common case: a plain value outside ``async def`` is never awaited
        if fullname == LRU_CACHE_CALL:
            mapped = cached_factory(api, ctx.context)
            if mapped is None:
                return typ
            fullname, is_method = mapped
        entry = self.matcher.match(fullname)
        if entry is None and not self.config.check_all_awaits:
            return typ
        site = Site(api, ctx.context, fullname, is_method, typ, entry)
        site.typ = self.declared.apply(site)
        return self._check(site)

    def _on_attribute(self, fullname: str, defined: str, ctx: AttributeContext) -> Type:
        base = self.chain.attribute_hook(fullname, ctx.api)
        typ = base(ctx) if base is not None else ctx.default_attr_type
        api = ctx.api
        if ctx.is_lvalue or not isinstance(api, Checker) or not _in_async_function(api):
            return typ
        if not isinstance(ctx.context, MemberExpr) or coroutine_result(typ) is not None:
            return typ
        # Judge the type mypy has narrowed the attribute to on this line (``if x.task:``).
        narrowed = api.expr_checker.narrow_type_from_binder(ctx.context, typ)
        site = Site(api, ctx.context, defined, None, narrowed, self.matcher.match(defined))
        checked = check_awaited(site, self.roles)
        return typ if checked is narrowed else checked

    def _check(self, site: Site) -> Type:
        entry = site.entry
        result = coroutine_result(site.typ)
        if result is None and is_any(site.typ):
            if entry is not None and entry.is_async:
                result = site.typ
            elif self.config.check_all_awaits:
                # mypy < 2.0 types a call of an unannotated ``async def`` as Any.
                known = site.known()
                result = known.result if known is not None and known.is_async else None
        if result is not None:
            if self.config.check_all_awaits or _is_async(entry):
                return check_coroutine(site, result, self.roles)
            return site.typ
        if self.config.check_all_awaits or (entry is not None and not entry.is_async):
            return check_awaited(site, self.roles)
        return site.typ


def _in_async_function(api: Checker) -> bool:
    func = api.scope.current_function()
    return func is not None and func.is_coroutine


def _is_async(entry: FactoryEntry | None) -> bool:
    return entry is not None and entry.is_async
