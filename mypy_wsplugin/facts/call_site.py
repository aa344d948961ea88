"""The expression a hook fired for, with what the checks need to know about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from mypy.lookup import lookup_fully_qualified
from mypy.nodes import Expression, MypyFile, SymbolNode, TypeInfo
from mypy.server.trigger import make_trigger
from mypy.types import Type, get_proper_type

from mypy_wsplugin.config import FactoryEntry
from mypy_wsplugin.facts.callee_results import Inference, StaticResult
from mypy_wsplugin.facts.hook_names import display
from mypy_wsplugin.facts.local_instances import callee_replaced, member_patched
from mypy_wsplugin.facts.resolve import resolve_callee
from mypy_wsplugin.facts.role_index import RoleIndex
from mypy_wsplugin.facts.roles import RoleEntry, Scope
from mypy_wsplugin.facts.stored_results import hidden_symbols_of, module_of
from mypy_wsplugin.mypy_classes import CALL_EXPR, FUNC_DEF, INSTANCE, MEMBER_EXPR, TYPE_TYPE
from mypy_wsplugin.mypy_internals import (
    Checker,
    current_function,
    depend_on,
    expression_type,
    is_daemon,
    module_being_checked,
    modules,
)


@dataclass
class Site:
    api: Checker
    node: Expression  # the CallExpr, or the MemberExpr of an attribute access
    fullname: str  # the definition's full name
    is_method: bool | None  # None: an attribute access, not a call
    typ: Type  # the type mypy (and the default plugin) gave it
    entry: FactoryEntry | None  # the configuration entry it matches, if any
    # For an attribute: its definition (a Var, a property), when known.
    definition: SymbolNode | None = field(init=False)
    # known(), once resolved: the declared-result step and both checks may ask for it.
    _known: tuple[StaticResult | None] | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Set here, not as class-level defaults: compiled with mypyc, a dataclass field
        # with init=False has no value until assigned.
        self.definition = None
        self._known = None

    @property
    def what(self) -> str:
        """How messages name it: "get_manager()", "Registry.get()", "Conn.manager"."""
        if self.is_method is None:
            return display(self.fullname, True)
        return display(self.fullname, self.is_method) + "()"

    @property
    def tree(self) -> MypyFile:
        return module_being_checked(self.api)

    def scope(self) -> Scope:
        """The function being checked, or the module for top-level code."""
        return current_function(self.api) or self.tree

    def role(self, index: RoleIndex, scope: Scope) -> RoleEntry | None:
        return index.role_of(self.tree, scope, self.node)

    def callee_replaced(self) -> bool:
        """``r.fetch(...)`` where the function replaced ``r``'s ``fetch`` before
        (``patch.object(r, "fetch", ...)``, ``r.fetch = Mock()``), or ``fetch`` on ``r``'s
        class (``patch.object(Client, "fetch", ...)``, ``patch.multiple``): the call may
        reach the replacement, whatever type mypy gives it
        (:func:`.local_instances.callee_replaced`, :func:`.local_instances.member_patched`).
        mypy's own errors on it stand.  Asked only of a call about to be reported: the
        answer may need a walk of the function."""
        callee = self.node.callee if isinstance(self.node, CALL_EXPR) else None
        if callee is None:
            return False
        scope = self.scope()
        if callee_replaced(callee, scope, self.tree):
            return True
        # A method patched on its class before (``patch.object(Client, "send", ...)``):
        # on the class mypy named the hook after, or one of its MRO.
        if not isinstance(callee, MEMBER_EXPR):
            return False
        owner = self._typed_receiver()
        return owner is not None and member_patched(owner, callee.name, callee.line, scope)

    def known(self) -> StaticResult | None:
        """What the callee's definition says it gives, for a call mypy types as ``Any``."""
        if self._known is None:
            self._known = (self._resolve(),)
        return self._known[0]

    def _typed_receiver(self) -> TypeInfo | None:
        """For a method call in checked code, the class mypy typed the receiver as (an
        instance of it, or the class), where that class defines or inherits the method
        mypy named the hook after."""
        call = self.node
        if not self.is_method or not isinstance(call, CALL_EXPR):
            return None
        if not isinstance(call.callee, MEMBER_EXPR):
            return None
        typ = get_proper_type(expression_type(self.api, call.callee.expr))
        if isinstance(typ, TYPE_TYPE):
            typ = typ.item
        if not isinstance(typ, INSTANCE):
            return None
        owner = self.fullname.rpartition(".")[0]
        return typ.type if typ.type.has_base(owner) else None

    def _resolve(self) -> StaticResult | None:
        if not isinstance(self.node, CALL_EXPR):
            return None
        loaded = modules(self.api)
        callee = resolve_callee(self.node, self.scope(), self.tree, loaded)
        inference = Inference(self.tree, loaded)
        if callee is not None:
            known = inference.result(callee.node, callee.receiver)
        else:
            # A receiver the tree does not tell (``self._r.at_eof()`` where ``__init__``
            # stores a parameter declared ``R``, ``make().m()``): the definition mypy named
            # the hook after.  An ``async def`` gives a coroutine, as mypy >= 2.3 types it
            # (before, an unannotated one's call gives ``Any``); any other method is read
            # on the class mypy typed the receiver as, as mypy would judge the method were
            # it annotated (its subclasses' overrides are not seen, as for a declared one).
            sym = lookup_fully_qualified(self.fullname, loaded, raise_on_missing=False)
            node = sym.node if sym is not None else None
            if isinstance(node, FUNC_DEF) and node.is_coroutine:
                known = inference.result(node)
            else:
                receiver = self._typed_receiver()
                known = inference.result(node, receiver) if receiver is not None else None
        if is_daemon(self.api.options):
            # Re-check this function when a fact it used changes (another module's body).
            own = self.tree.fullname
            for func in inference.consulted:
                if module_of(func) != own:
                    for name in hidden_symbols_of(func):
                        depend_on(self.api, make_trigger(name))
            for name in inference.watched:
                depend_on(self.api, make_trigger(name))
        return known
