"""The plugins mypy would have asked after this one.

mypy asks plugins in ``plugins =`` order, then its default plugin, and uses the first hook
it gets.  Where this plugin returns a hook, it runs the hook the rest of the chain would
have given first and starts from that type, so plugins listed after it (and mypy's own
special cases) keep working.  The chain is the checker's ``plugin`` (a ``ChainedPlugin``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final, TypeVar

from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import AttributeContext, FunctionContext, MethodContext, Plugin
from mypy.plugins.default import DefaultPlugin
from mypy.types import Type

from mypy_wsplugin.mypy_internals import rest_of_chain

# mypy's class of a method hook's context, tested for here, as a C static (see
# mypy_wsplugin/mypy_classes.py, which holds the node and type classes).
_METHOD_CONTEXT: Final = MethodContext

_H = TypeVar("_H")


class RestOfChain:
    def __init__(self, owner: Plugin, options: Options) -> None:
        self._owner = owner
        self._default = DefaultPlugin(options)  # when the chain cannot be seen
        self._plugins: list[Plugin] | None = None
        self._functions: dict[str, Callable[[FunctionContext], Type] | None] = {}
        self._methods: dict[str, Callable[[MethodContext], Type] | None] = {}
        self._attributes: dict[str, Callable[[AttributeContext], Type] | None] = {}

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._default.set_modules(modules)

    def _rest(self, api: object) -> list[Plugin]:
        if self._plugins is None:
            self._plugins = rest_of_chain(api, self._owner) or [self._default]
        return self._plugins

    def call_type(self, fullname: str, ctx: FunctionContext | MethodContext) -> Type:
        """The type of a call as the rest of the chain (or mypy itself) makes it."""
        if isinstance(ctx, _METHOD_CONTEXT):
            if fullname not in self._methods:
                self._methods[fullname] = _first(
                    plugin.get_method_hook(fullname) for plugin in self._rest(ctx.api)
                )
            method = self._methods[fullname]
            return method(ctx) if method is not None else ctx.default_return_type
        if fullname not in self._functions:
            self._functions[fullname] = _first(
                plugin.get_function_hook(fullname) for plugin in self._rest(ctx.api)
            )
        function = self._functions[fullname]
        return function(ctx) if function is not None else ctx.default_return_type

    def attribute_type(self, fullname: str, ctx: AttributeContext) -> Type:
        """The type of an attribute as the rest of the chain (or mypy itself) makes it."""
        if fullname not in self._attributes:
            self._attributes[fullname] = _first(
                plugin.get_attribute_hook(fullname) for plugin in self._rest(ctx.api)
            )
        hook = self._attributes[fullname]
        return hook(ctx) if hook is not None else ctx.default_attr_type


def _first(hooks: Iterable[_H | None]) -> _H | None:
    return next((hook for hook in hooks if hook is not None), None)
