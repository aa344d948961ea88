"""The mypy plugin: the entry point, the configuration, and a thin forward to the engine.

* configuration: :mod:`.config`; factory matching: :mod:`.factories`
* hook selection and dispatch: :mod:`.engine`, which is imported on the first hook mypy asks
  for (a run that finds everything in its cache never needs it)
* where an expression stands (awaited, attribute base, ...): :mod:`.roles`
* the checks: :mod:`.await_check` (``await-not-awaitable``), :mod:`.missing_await`, and the
  pass over unannotated code, :mod:`.untyped`
* declared ``-> RESULT`` types: :mod:`.declared`; messages and reporting: :mod:`.reporting`
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from mypy.errors import CompileError
from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import Type

from mypy_wsplugin import errorcodes  # noqa: F401  (registers the codes for mypy's options)
from mypy_wsplugin.config import ConfigError, PluginConfig, load_config
from mypy_wsplugin.factories import FactoryMatcher

if TYPE_CHECKING:
    from mypy_wsplugin.engine import Engine


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
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        return self._engine or self._load_engine()

    def _load_engine(self) -> Engine:
        from mypy_wsplugin.engine import Engine

        self._engine = Engine(self, self.config, self.matcher)
        if self._modules is not None:
            self._engine.set_modules(self._modules)
        return self._engine

    def _raise_config_error(self) -> None:
        if self._config_error is not None:
            raise self._config_error

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        super().set_modules(modules)
        if self._engine is not None:
            self._engine.set_modules(modules)

    def report_config_data(self, ctx: ReportConfigContext) -> object:
        self._raise_config_error()
        return self.config.to_report()

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        self._raise_config_error()
        return self.engine.get_additional_deps(file)

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        return self.engine.get_additional_indirect_deps(file)

    # mypy asks at every call site; the answers are memoised by name in the engine.

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        engine = self._engine or self._load_engine()
        try:
            return engine.function_hooks[fullname]
        except KeyError:
            return engine.new_function_hook(fullname)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        engine = self._engine or self._load_engine()
        try:
            return engine.method_hooks[fullname]
        except KeyError:
            return engine.new_method_hook(fullname)

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        engine = self._engine or self._load_engine()
        try:
            return engine.attribute_hooks[fullname]
        except KeyError:
            return engine.new_attribute_hook(fullname)


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: ``plugins = mypy_wsplugin``."""
    return WsPlugin
