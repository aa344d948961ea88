"""The mypy plugin: a thin dispatcher from mypy's hooks to the checks.

* configuration: :mod:`mypy_wsplugin.config`; factory matching: :mod:`.factories`
* where an expression stands (awaited, attribute base, ...): :mod:`.roles`
* the checks: :mod:`.await_check` (``await-not-awaitable``), :mod:`.missing_await`
* declared ``-> RESULT`` types: :mod:`.declared`; messages and reporting: :mod:`.reporting`

mypy asks custom plugins before its default plugin and takes the first hook it gets.  This
plugin returns hooks for every call when ``check_all_awaits`` is on, so it runs mypy's
default plugin hook for the same name first and starts from the type that gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from mypy.errors import CompileError, Errors
from mypy.lookup import lookup_fully_qualified
from mypy.nodes import (
    CallExpr,
    Expression,
    Import,
    ImportAll,
    ImportFrom,
    MemberExpr,
    MypyFile,
    RefExpr,
    SuperExpr,
    TypeInfo,
)
from mypy.options import Options
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.plugins.default import DefaultPlugin
from mypy.types import CallableType, Instance, Type, TypeType, get_proper_type
from mypy.util import correct_relative_import

from mypy_wsplugin.await_check import check_awaited
from mypy_wsplugin.awaitables import coroutine_result, is_any
from mypy_wsplugin.callsite import Site
from mypy_wsplugin.compat import HAS_POST_PASS, Checker, find_build_errors
from mypy_wsplugin.config import ConfigError, FactoryEntry, PluginConfig, load_config
from mypy_wsplugin.declared import DeclaredResults
from mypy_wsplugin.factories import FactoryMatcher
from mypy_wsplugin.missing_await import check_coroutine
from mypy_wsplugin.roles import RoleIndex
from mypy_wsplugin.untyped import UntypedPass

CallContext = FunctionContext | MethodContext
LRU_CACHE_CALL = "functools._lru_cache_wrapper.__call__"
SUPER_CALL = " of "  # mypy's name for a call through super(): "method of Class"
PRI_MED = 10  # mypy.build's priority for an ordinary import


class WsPlugin(Plugin):
    def __init__(self, options: Options) -> None:
        super().__init__(options)
        # A bad configuration must end the run with one clear line and exit status 2.  An
        # exception from the constructor would make mypy print "Error constructing plugin
        # instance" and a traceback, so the error is raised from the first hook mypy calls
        # on every run instead, as a blocking CompileError (which the daemon reports too).
        self._config_error: CompileError | None = None
        try:
            self.config = load_config(options.config_file)
        except ConfigError as error:
            self._config_error = CompileError([error.render()])
            self.config = PluginConfig()
        self.matcher = FactoryMatcher(self.config)
        self.roles = RoleIndex()
        self.declared = DeclaredResults()
        self.default = DefaultPlugin(options)
        self.untyped = UntypedPass(self.config, self.matcher, options)
        self._errors: Errors | None = None
        self._defined_names: dict[str, str] = {}

    # -- plumbing -------------------------------------------------------------------------

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        super().set_modules(modules)
        self.default.set_modules(modules)

    def _raise_config_error(self) -> None:
        if self._config_error is not None:
            raise self._config_error

    def report_config_data(self, ctx: ReportConfigContext) -> object:
        self._raise_config_error()
        return self.config.to_report()

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        """Make the modules of declared RESULT classes loadable where a factory is used."""
        self._raise_config_error()
        deps = []
        for entry in self.config.factories:
            if entry.result is None:
                continue
            module = entry.result.rpartition(".")[0]
            if module != file.fullname and _may_use(file, entry):
                deps.append((PRI_MED, module, -1))
        return deps

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        """mypy >= 2.4: called once per module after type checking; runs the untyped pass."""
        if HAS_POST_PASS and self._modules is not None:
            errors = self._errors or find_build_errors(self)
            if errors is not None:
                self._errors = errors
                self.untyped.run(file, errors, self._modules)
        return set()

    def _wants(self, fullname: str) -> bool:
        return self.config.check_all_awaits or self.matcher.match(fullname) is not None

    # -- hooks ----------------------------------------------------------------------------

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        base = self.default.get_function_hook(fullname)
        if SUPER_CALL in fullname:
            # ``super().m()``: mypy names it "m of Base" (short class name); the callee
            # expression tells the defining class, so every such call is looked at.
            if not (self.config.check_all_awaits or self.matcher):
                return base
            return partial(self._on_super, base)
        if not self._wants(fullname):
            return base
        return partial(self._on_function, fullname, base)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        base = self.default.get_method_hook(fullname)
        if fullname == LRU_CACHE_CALL:
            return partial(self._on_method, fullname, base)
        defined = self._defining_name(fullname)
        if not self._wants(defined):
            return base
        return partial(self._on_method, defined, base)

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        base = self.default.get_attribute_hook(fullname)
        defined = self._defining_name(fullname)
        if not self._wants(defined):
            return base
        return partial(self._on_attribute, defined, base)

    def _defining_name(self, fullname: str) -> str:
        """``pkg.Base.get`` for ``pkg.Sub.get``: mypy names a method after the receiver's
        class, the configuration after the class that defines it."""
        found = self._defined_names.get(fullname)
        if found is None:
            found = fullname
            owner, _, name = fullname.rpartition(".")
            if self._modules is not None and owner:
                sym = lookup_fully_qualified(owner, self._modules, raise_on_missing=False)
                if sym is not None and isinstance(sym.node, TypeInfo):
                    info = sym.node.get_containing_type_info(name)
                    if info is not None:
                        found = f"{info.fullname}.{name}"
            self._defined_names[fullname] = found
        return found

    def _on_function(
        self, fullname: str, base: Callable[[FunctionContext], Type] | None, ctx: FunctionContext
    ) -> Type:
        typ = base(ctx) if base is not None else ctx.default_return_type
        return self._on_call(fullname, False, typ, ctx)

    def _on_super(
        self, base: Callable[[FunctionContext], Type] | None, ctx: FunctionContext
    ) -> Type:
        typ = base(ctx) if base is not None else ctx.default_return_type
        call = ctx.context
        if not isinstance(call, CallExpr) or not isinstance(call.callee, SuperExpr):
            return typ
        fullname = _super_target(call.callee)
        return typ if fullname is None else self._on_call(fullname, True, typ, ctx)

    def _on_method(
        self, fullname: str, base: Callable[[MethodContext], Type] | None, ctx: MethodContext
    ) -> Type:
        typ = base(ctx) if base is not None else ctx.default_return_type
        return self._on_call(fullname, True, typ, ctx)

    def _on_call(self, fullname: str, is_method: bool, typ: Type, ctx: CallContext) -> Type:
        api = ctx.api
        if not isinstance(api, Checker) or not isinstance(ctx.context, CallExpr):
            return typ
        self._errors = api.msg.errors
        if fullname == LRU_CACHE_CALL:
            mapped = _cached_factory(api, ctx.context)
            if mapped is None:
                return typ
            fullname, is_method = mapped
        entry = self.matcher.match(fullname)
        if entry is None and not self.config.check_all_awaits:
            return typ
        site = Site(api, ctx.context, _display(fullname, is_method) + "()", typ, entry)
        site.typ = self.declared.apply(site)
        return self._check(site)

    def _on_attribute(
        self, fullname: str, base: Callable[[AttributeContext], Type] | None, ctx: AttributeContext
    ) -> Type:
        typ = base(ctx) if base is not None else ctx.default_attr_type
        api = ctx.api
        if ctx.is_lvalue or not isinstance(api, Checker):
            return typ
        if not isinstance(ctx.context, MemberExpr):
            return typ
        entry = self.matcher.match(fullname)
        site = Site(api, ctx.context, _display(fullname, True), typ, entry)
        if coroutine_result(typ) is not None:
            return typ
        return check_awaited(site, self.roles)

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


def _super_target(expr: SuperExpr) -> str | None:
    """The full name of the method ``super().name`` reaches from the enclosing class."""
    if expr.info is None:
        return None
    for info in expr.info.mro[1:]:
        if expr.name in info.names:
            return f"{info.fullname}.{expr.name}"
    return None


def _is_async(entry: FactoryEntry | None) -> bool:
    return entry is not None and entry.is_async


def _display(fullname: str, is_method: bool) -> str:
    parts = fullname.split(".")
    return ".".join(parts[-2:]) if is_method and len(parts) > 1 else parts[-1]


def _cached_factory(api: Checker, call: CallExpr) -> tuple[str, bool] | None:
    """The full name of the ``functools.lru_cache``/``cache`` factory ``call`` calls.

    mypy types such factories as ``_lru_cache_wrapper``, so the hook that fires is the
    wrapper's ``__call__``; the callee expression tells which factory it wraps.
    """
    callee: Expression = call.callee
    if isinstance(callee, MemberExpr):
        owner = get_proper_type(api.lookup_type_or_none(callee.expr))
        if isinstance(owner, TypeType):
            owner = owner.item
        if isinstance(owner, CallableType) and owner.is_type_obj():
            owner = get_proper_type(owner.ret_type)
        if isinstance(owner, Instance):
            info = owner.type.get_containing_type_info(callee.name)
            if info is not None:
                return f"{info.fullname}.{callee.name}", True
    if isinstance(callee, RefExpr) and callee.fullname:
        return callee.fullname, False
    return None


def _may_use(file: MypyFile, entry: FactoryEntry) -> bool:
    """Whether ``file`` could call ``entry``'s target: it lives in, or imports from, the
    target's top-level package.

    Seen before semantic analysis, so only the import statements are known.  Keeping the
    added dependency to such files keeps the standard library and unrelated packages from
    depending on the RESULT's module (which would merge them into one import cycle).
    """
    root = re.split(r"[.*?\[]", entry.target, maxsplit=1)[0]
    if not root:
        return True  # a glob over top-level packages
    if file.fullname.split(".")[0] == root:
        return True
    for imp in file.imports:
        if isinstance(imp, ImportFrom):
            module, _ = correct_relative_import(
                file.fullname, imp.relative, imp.id, file.is_package_init_file()
            )
            modules = [module]
        elif isinstance(imp, Import):
            modules = [module for module, _ in imp.ids]
        elif isinstance(imp, ImportAll):
            modules = [
                correct_relative_import(
                    file.fullname, imp.relative, imp.id, file.is_package_init_file()
                )[0]
            ]
        else:
            continue
        if any(module.split(".")[0] == root for module in modules):
            return True
    return False


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: ``plugins = mypy_wsplugin``."""
    return WsPlugin
