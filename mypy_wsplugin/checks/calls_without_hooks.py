"""The calls no hook sees, judged from the analysed tree: the bodies of unannotated
functions (mypy does not check them), and calls of names from modules mypy cannot load
(``Any``, no hook).  Each call's callee is resolved, and the check the policy applies to
it is made from what calling it gives (:mod:`..facts.callee_results`).  Run by the pass
after type checking (:mod:`..post_pass`), which files the findings."""

from __future__ import annotations

from typing import Final

from mypy.errorcodes import ErrorCode
from mypy.nodes import (
    Context,
    Expression,
    FuncDef,
    FuncItem,
    MypyFile,
    RefExpr,
)
from mypy.options import Options
from mypy.types import AnyType, Type, TypeOfAny

from mypy_wsplugin.checks.awaited_functions import calling_fixes, is_function
from mypy_wsplugin.checks.missing_await import find_misuse, returns_to_an_await
from mypy_wsplugin.checks.policy import CheckPolicy
from mypy_wsplugin.config import FactoryEntry
from mypy_wsplugin.errorcodes import AWAIT_NOT_AWAITABLE, MISSING_AWAIT
from mypy_wsplugin.facts.bindings import imported_modules
from mypy_wsplugin.facts.callee_results import (
    rebound_where_defined,
    static_result,
    stored_again,
)
from mypy_wsplugin.facts.coroutine_tests import written
from mypy_wsplugin.facts.enclosing import judging
from mypy_wsplugin.facts.reachability import unreachable_statements
from mypy_wsplugin.facts.resolve import Callee, resolve_callee, resolve_reference
from mypy_wsplugin.facts.roles import (
    Role,
    RoleEntry,
    Scope,
    collect_roles,
    consumed,
)
from mypy_wsplugin.facts.statements import (
    Definition,
    StatementWalker,
    functions_in,
    in_lambdas,
)
from mypy_wsplugin.facts.types import coroutine_result, find_class, is_any, non_awaitable_members
from mypy_wsplugin.messages import function_awaited, not_awaitable
from mypy_wsplugin.mypy_classes import (
    CALL_EXPR,
    DECORATOR,
    FUNC_ITEM,
    NAME_EXPR,
    REF_EXPR,
    SYMBOL_NODE,
)
from mypy_wsplugin.mypy_internals import get_subexpressions

# A finding: its code, message, where, (missing-await) the role that makes it one, and the
# function or module it stands in.
Finding = tuple[ErrorCode, str, Context, "Role | None", Scope]


def judge_module(
    policy: CheckPolicy,
    tree: MypyFile,
    modules: dict[str, MypyFile],
    options: Options,
    findings: list[Finding],
) -> None:
    """Add to ``findings`` what the calls of ``tree`` that no hook saw give: those in
    unannotated functions (unless mypy checks them), and, where a factory is configured and
    ``tree`` imports a module mypy does not load, those in checked code too."""
    scan_checked = policy.has_factories and _imports_unseen(tree, modules)
    if options.check_untyped_defs and not scan_checked:
        return  # mypy checks every function here: the hooks have judged them all
    if scan_checked:
        _Judge(policy, tree, tree, True, options, modules, findings).run()
    skipped = _under_no_type_check(tree)
    for func in functions_in(tree.defs):
        if func in skipped:
            continue
        checked = _is_checked(func, options)
        if not checked or scan_checked:
            _Judge(policy, tree, func, checked, options, modules, findings).run()


class _Judge:
    def __init__(
        self,
        policy: CheckPolicy,
        tree: MypyFile,
        scope: Scope,
        checked: bool,
        options: Options,
        modules: dict[str, MypyFile],
        findings: list[Finding],
    ) -> None:
        self.policy = policy
        self.tree = tree
        self.scope = scope
        self.checked = checked
        self.options = options
        self.modules = modules
        self.findings = findings
        self._lambdas: set[int] | None = None

    def run(self) -> None:
        with judging(self.tree):
            self._run()

    def _run(self) -> None:
        # mypy checks no statement after one that ends its block: neither does the pass
        # (the same lines with mypy's defaults as with check_untyped_defs).
        unreachable = {
            id(e) for s in unreachable_statements(self.scope) for e in get_subexpressions(s)
        }
        functions_awaited = not self.checked and self.policy.function_awaited_check()
        for entry in collect_roles(self.scope).values():
            node = entry.node
            if id(node) in unreachable:
                continue
            if isinstance(node, CALL_EXPR):
                if entry.role is Role.RETURNED and not returns_to_an_await(self.scope):
                    continue  # no finding whatever the callee gives: not resolved
                callee = resolve_callee(node, self.scope, self.tree, self.modules)
                if (
                    callee is not None
                    and (callee.unseen or not self.checked)
                    and not self._bound_again(node.callee, callee)
                ):
                    self.judge(entry, callee)
            elif functions_awaited and entry.role is Role.AWAITED and isinstance(node, REF_EXPR):
                self._function_awaited(node)

    def judge(self, role: RoleEntry, callee: Callee) -> None:
        policy = self.policy
        factory = policy.entry(callee.fullname, self.tree, self.modules)
        if not policy.judged(factory, callee.unseen):
            return  # an unconfigured name mypy cannot see is Any: never guessed
        known = (
            static_result(callee.node, self.tree, self.modules, callee.receiver)
            if callee.node is not None
            else None
        )
        is_async = known.is_async if known is not None else factory is not None and factory.is_async
        if known is None and factory is None:
            return
        what = callee.display + "()"
        if role.role is Role.AWAITED:
            if policy.await_check(factory, is_async):
                self._awaited(role, what, known.result if known else None, factory)
        elif policy.misuse_check(factory, is_async):
            result = known.result if known is not None else self._declared(factory)
            self._misused(role, what, result)

    def _awaited(
        self, role: RoleEntry, what: str, result: Type | None, factory: FactoryEntry | None
    ) -> None:
        if result is None or is_any(result):
            result = self._declared(factory)
        bad = non_awaitable_members(self.modules, result)
        configured_sync = factory is not None and not factory.is_async and is_any(result)
        if bad or configured_sync:
            to_call = calling_fixes(self.modules, bad)
            message = not_awaitable(self.options, what, result, bad, to_call)
            self._add((AWAIT_NOT_AWAITABLE, message, role.node, None, self.scope))

    def _function_awaited(self, operand: RefExpr) -> None:
        """``await f``, ``await self.fetch``: a def itself, not a call of it."""
        what = written(operand)
        if what is None:
            return
        callee = resolve_reference(operand, operand.line, self.scope, self.tree, self.modules)
        if callee is None or callee.unseen or not is_function(callee.node):
            return
        if self._bound_again(operand, callee):
            return
        message = function_awaited(what)
        self._add((AWAIT_NOT_AWAITABLE, message, operand, None, self.scope))

    def _bound_again(self, reference: Expression, callee: Callee) -> bool:
        """Whether the function ``reference`` names may hold something else: its module
        binds the name again (``job = wrap(job)`` after ``async def job``, in any module:
        ``callee_results.rebound_where_defined``), or this module binds the name it imported
        again (``from app.jobs import job`` then ``job = wrap(job)``: ``stored_again``)."""
        if (
            isinstance(reference, NAME_EXPR)
            and callee.fullname != f"{self.tree.fullname}.{reference.name}"
            and stored_again(self.tree, reference.name)
        ):
            return True
        return rebound_where_defined(callee.node, self.tree, self.modules)

    def _declared(self, factory: FactoryEntry | None) -> Type:
        if factory is not None and factory.result is not None:
            found = find_class(factory.result, self.modules)
            if found is not None:
                return found
        return AnyType(TypeOfAny.special_form)

    def _misused(self, role: RoleEntry, what: str, result: Type) -> None:
        if consumed(role.role, role.attribute) and id(role.node) in self._in_lambdas():
            return  # mypy may check the lambda, and relabel its own error there
        declared = _declared_return(self.scope)
        finding = find_misuse(self.options, self.modules, what, role, self.scope, result, declared)
        if finding is not None:
            self._add((MISSING_AWAIT, finding.message, finding.context, finding.role, self.scope))

    def _in_lambdas(self) -> set[int]:
        if self._lambdas is None:
            self._lambdas = in_lambdas(self.scope)
        return self._lambdas

    def _add(self, finding: Finding) -> None:
        """File ``finding`` unless one of its code is filed at its place already (two
        coroutines bound to one name, in two branches, misused where both reach): the first
        stands, as ``reporting.report`` keeps it for the hooks' findings."""
        code, _, context, _, _ = finding
        if not any(
            other[0] is code and _place(other[2]) == _place(context) for other in self.findings
        ):
            self.findings.append(finding)


def _place(context: Context) -> tuple[int, int, int | None, int | None]:
    return context.line, context.column, context.end_line, context.end_column


def _declared_return(scope: Scope) -> Type | None:
    if isinstance(scope, FUNC_ITEM) and scope.type is not None and not scope.is_dynamic():
        ret = getattr(scope.type, "ret_type", None)
        if ret is not None:
            return coroutine_result(ret) if scope.is_coroutine else ret
    return None


def _under_no_type_check(tree: MypyFile) -> set[FuncDef]:
    """The functions under ``@no_type_check``, and those nested in them: mypy checks none
    of them, with ``--check-untyped-defs`` either (its analysis erases their annotations,
    so they look unannotated here)."""
    if not any(_fullname(sym.node) in _NO_TYPE_CHECK_NAMES for sym in tree.names.values()):
        return set()  # neither the decorator nor a module that has it is imported here
    walker = _NoTypeCheck()
    walker.scope(tree)
    return walker.skipped


# What a module must import to write ``@no_type_check`` (or ``@typing.no_type_check``).
_NO_TYPE_CHECK_NAMES: Final = frozenset(
    ("typing.no_type_check", "typing", "typing_extensions", "typing_extensions.no_type_check")
)


def _fullname(node: object) -> str:
    return node.fullname if isinstance(node, SYMBOL_NODE) else ""


class _NoTypeCheck(StatementWalker):
    def __init__(self) -> None:
        self.skipped: set[FuncDef] = set()

    def definition(self, s: Definition) -> None:
        if isinstance(s, DECORATOR) and any(
            isinstance(d, REF_EXPR) and d.fullname == "typing.no_type_check"
            for d in s.original_decorators
        ):
            self.skipped.add(s.func)
            self.skipped.update(functions_in(s.func.body.body))
            return
        self.enter(s)

    def function(self, s: FuncDef) -> None:
        self.block(s.body)


def _is_checked(func: FuncItem, options: Options) -> bool:
    return not func.is_dynamic() or options.check_untyped_defs


def _imports_unseen(tree: MypyFile, modules: dict[str, MypyFile]) -> bool:
    """Whether ``tree`` imports anything from a module mypy has not loaded."""
    return any(module not in modules for module, _ in imported_modules(tree))
