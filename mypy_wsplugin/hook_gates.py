"""Where a name's hook is wanted: the gates behind mypy's hook questions.

mypy asks for a hook by the callee's (or attribute's) full name at every call site and
attribute, and a hook it runs costs it the call's context and a copy of the signature
(``ExpressionChecker.apply_function_plugin``).  Each name is decided once
(:meth:`HookGates.gate`): its hook is wanted everywhere, only where the function mypy checks
may await something of that name (a callee whose calls always give a plain value, an
attribute), or only where that function may call it without awaiting the call at once (a
callee whose calls always give a coroutine).  The tables in :mod:`.hook_tables` keep the
decision and ask the gate at each lookup of a gated name; where every module of the run was
parsed in it or is a stub (``AwaitedAnywhere``), a name that nothing awaits is answered
None once (:meth:`never_awaited`), and
a dunder that mypy calls on its own and no code calls by name gets no hook at all
(:meth:`never_called`).  The gates only save work: a hook given where it is not needed
finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Final

from mypy.errors import Errors
from mypy.nodes import MypyFile, SymbolNode

from mypy_wsplugin.checks.policy import CheckPolicy
from mypy_wsplugin.facts.awaited_names import AwaitedAnywhere
from mypy_wsplugin.facts.hook_names import called_implicitly
from mypy_wsplugin.facts.plain_callees import gives_coroutine, gives_plain_value
from mypy_wsplugin.facts.role_index import RoleIndex
from mypy_wsplugin.hook_tables import EVERYWHERE, WHERE_AWAITED, WHERE_NOT_AWAITED
from mypy_wsplugin.mypy_classes import FUNC_ITEM, TYPE_INFO
from mypy_wsplugin.mypy_internals import (
    UNKNOWN_FUNCTION,
    function_being_checked,
    module_being_reported,
)

_NOT_YET: Final = object()


class HookGates:
    def __init__(
        self,
        policy: CheckPolicy,
        roles: RoleIndex,
        daemon: bool,
        in_update: Callable[[Errors], None],
        failed: Callable[[Exception], object],
        graph: Callable[[], Collection[str] | None],
    ) -> None:
        self.policy = policy
        self.roles = roles
        self._daemon = daemon
        self._in_update = in_update  # the daemon's bookkeeping where no hook is given
        self._failed = failed  # a bug here: one line, the checks off (Engine._failed)
        self._modules: dict[str, MypyFile] | None = None
        self.awaited_anywhere = AwaitedAnywhere(graph)  # graph: every module of the build
        self._gated_classes: set[str] = set()  # see never_awaited
        # The function the last gated lookup was in, its body, and what it awaits.
        self._names_of: tuple[object, object, frozenset[str] | None] = (_NOT_YET, None, None)
        # The same for may_be_left_unawaited: the function, what it calls unawaited.
        self._calls_of: tuple[object, frozenset[str] | None] = (_NOT_YET, None)

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        self._modules = modules

    def parsed(self, tree: MypyFile) -> None:
        """``tree`` was just parsed (``get_additional_deps``)."""
        self.awaited_anywhere.parsed(tree)

    def gate(self, fullname: str, node: SymbolNode | None) -> int:
        """Where calls of ``fullname`` need their hook, when no configuration entry names
        it: only where they may be awaited if its calls always give a plain value (a call
        can only be wrong there), only where they may be left unawaited if its calls always
        give a coroutine (an ``await`` at once is always right: the hook would return at
        ``check_coroutine``'s first test).  Everywhere else, and in the daemon for a
        coroutine (a hook there also records what the caller depends on).  (A call of an
        instance, ``__call__``, is awaited under the instance's name: not gated.)"""
        if self.policy.has_factories or fullname.endswith(".__call__"):
            return EVERYWHERE
        if gives_plain_value(node):
            if isinstance(node, TYPE_INFO):
                self._gated_classes.add(fullname)
            return WHERE_AWAITED
        if not self._daemon and gives_coroutine(node):
            return WHERE_NOT_AWAITED
        return EVERYWHERE

    def may_be_awaited(self, fullname: str, errors: Errors) -> bool:
        """At a hook lookup for a call or attribute wanted only where awaited: whether the
        function mypy checks awaits a call or attribute named like ``fullname`` (``await``
        stands only directly in an ``async def``).  Where the hook is not given, what each
        hook call does besides its check still happens (the daemon's bookkeeping).

        Asked at about 100k lookups on ``make bench``'s ALL target, three in five of them
        outside any ``async def``: what the last function awaits is remembered, and that
        case is a few identity tests."""
        func = function_being_checked(errors)
        known = self._names_of
        # The daemon may give a function a new body (mypy.server.astmerge).
        if func is not known[0] or (self._daemon and getattr(func, "body", None) is not known[1]):
            if func is UNKNOWN_FUNCTION:
                return True
            body = getattr(func, "body", None)
            known = self._names_of = (func, body, self._guarded(self._awaited_in, func, errors))
        names = known[2]
        if names is None or (names and fullname.rpartition(".")[2] in names):
            return True
        if self._daemon:
            self._in_update(errors)
        return False

    def may_be_left_unawaited(self, fullname: str, errors: Errors) -> bool:
        """At a hook lookup for a call wanted only where it may be left unawaited: whether
        the function mypy checks calls something named like ``fullname`` without awaiting
        the call at once (always, outside an ``async def``).  Not asked in the daemon."""
        func = function_being_checked(errors)
        known = self._calls_of
        if func is not known[0]:
            if func is UNKNOWN_FUNCTION:
                return True
            known = self._calls_of = (func, self._guarded(self._unawaited_in, func, errors))
        names = known[1]
        return names is None or fullname.rpartition(".")[2] in names

    def _guarded(
        self,
        names: Callable[[object, Errors], frozenset[str] | None],
        func: object,
        errors: Errors,
    ) -> frozenset[str] | None:
        """``names(func, errors)``; None (every hook given) after a bug in it, which must
        not reach mypy (asked from its hook lookups)."""
        try:
            return names(func, errors)
        except Exception as error:
            self._failed(error)
            return None

    def _unawaited_in(self, func: object, errors: Errors) -> frozenset[str] | None:
        """What ``func`` calls without awaiting at once (``RoleIndex.unawaited_call_names``);
        None (anything) where it cannot await: not an ``async def``, module or class level."""
        if not isinstance(func, FUNC_ITEM) or not func.is_coroutine:
            return None
        tree = self._tree_reported(errors)
        return self.roles.unawaited_call_names(tree, func) if tree is not None else None

    def never_awaited(self, fullname: str) -> bool:
        """At the first hook lookup of a name wanted only where awaited: whether nothing in
        the run awaits anything of that name (facts/awaited_names), so that the answer is
        None wherever it is asked.  Never for a class (``await Alias()`` through a type
        alias names the class nowhere) or in the daemon (a module it re-parses is not seen
        here)."""
        if self._daemon or self._modules is None or fullname in self._gated_classes:
            return False
        names = self.awaited_anywhere.names(self._modules)
        return names is not None and fullname.rpartition(".")[2] not in names

    def never_called(self, fullname: str) -> bool:
        """At the decision for a function or method: whether its calls need no hook
        anywhere in the run.  So for a dunder mypy calls on its own
        (``facts.hook_names.called_implicitly``: an operator, a subscript, ``for``,
        ``with``, a descriptor) that no code of the run calls by name: each of its hooks
        would see only mypy's own calls, which the checks leave alone
        (``checks.dispatch.implicit_dunder``).  Not in the daemon, nor where the run's
        modules are not all known (``AwaitedAnywhere``: a module from the cache that is
        not a stub, a worker's): there every such hook is given, and finds nothing."""
        method = fullname.rpartition(".")[2]
        if self._daemon or self._modules is None or not called_implicitly(method):
            return False
        called = self.awaited_anywhere.dunders_called(self._modules)
        return called is not None and method not in called

    def _awaited_in(self, func: object, errors: Errors) -> frozenset[str] | None:
        """What ``func`` awaits (see ``RoleIndex.awaited_names``): empty where it cannot
        await (not an ``async def``, module or class level); None where unknown."""
        if not isinstance(func, FUNC_ITEM) or not func.is_coroutine:
            return frozenset()
        tree = self._tree_reported(errors)
        return self.roles.awaited_names(tree, func) if tree is not None else None

    def _tree_reported(self, errors: Errors) -> MypyFile | None:
        """The tree of the module whose errors mypy is reporting (the one it checks)."""
        module = module_being_reported(errors)
        return self._modules.get(module) if self._modules is not None and module else None
