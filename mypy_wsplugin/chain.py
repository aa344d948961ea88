"""The plugins mypy would have asked after this one.

mypy asks plugins in ``plugins =`` order, then its default plugin, and uses the first hook
it gets.  Where this plugin returns a hook, it runs the hook the rest of the chain would
have given first and starts from that type, so plugins listed after it (and mypy's own
special cases) keep working.  The chain is the checker's ``plugin`` (a ``ChainedPlugin``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import AttributeContext, FunctionContext, MethodContext, Plugin
from mypy.plugins.default import DefaultPlugin
from mypy.types import Type

from mypy_wsplugin.mypy_internals import rest_of_chain

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

    def function_hook(self, fullname: str, api: object) -> Callable[[FunctionContext], Type] | None:
        return _first(self._functions, fullname, [p.get_function_hook for p in self._rest(api)])

    def method_hook(self, fullname: str, api: object) -> Callable[[MethodContext], Type] | None:
        return _first(self._methods, fullname, [p.get_method_hook for p in self._rest(api)])

    def attribute_hook(
        self, fullname: str, api: object
    ) -> Callable[[AttributeContext], Type] | None:
        return _first(self._attributes, fullname, [p.get_attribute_hook for p in self._rest(api)])


def _first(
    memo: dict[str, _H | None], fullname: str, getters: list[Callable[[str], _H | None]]
) -> _H | None:
    if fullname not in memo:
        memo[fullname] = next(
            (hook for hook in (get(fullname) for get in getters) if hook is not None), None
        )
    return memo[fullname]
