"""Which modules' findings may have read what went with a module the daemon removed.

An update that only removes a module gives the pass after type checking no moment to run
(``post_pass.UntypedPass.refile``): the findings it last filed are filed again as they
were, except where they may have read the removed module's definitions.  Those are judged
again once mypy has analysed the module anew, and where no callback comes after that
analysis in the update, they are lost until the next update.  So only findings that may
depend on a removed module are set aside: a module's findings may, where its code uses a
name bound by an import whose target is a removed module, or comes from one through other
modules (a re-export, a star import, or a name another module defines with code that uses
such a name: ``manager = Foo()`` with ``Foo`` from the removed module).  A module that
imports a removed one but uses none of its names (``from app.b import x``, ``x`` unused)
keeps its findings.

Read from the import statements and the names written in the code, not from what mypy
bound them to: the module mypy analyses again has its top level's names cleared
(``mypy.server.aststrip``) when this is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mypy.nodes import MypyFile

from mypy_wsplugin.facts.bindings import imported_modules
from mypy_wsplugin.mypy_classes import IMPORT, IMPORT_ALL, IMPORT_FROM, NAME_EXPR
from mypy_wsplugin.mypy_internals import get_subexpressions

# Keys of RemovedModules._known besides names: a module's own code, and all it binds.
_CODE: Final = " code"
_ANY_NAME: Final = "*"


class RemovedModules:
    """The modules an update removed, and what in the program may come from them."""

    def __init__(self, modules: dict[str, MypyFile], removed: set[str]) -> None:
        self.modules = modules
        self.removed = removed
        # Answers by (module, name); a module's own code under _CODE, all it binds under
        # _ANY_NAME (neither is a name).
        self._known: dict[tuple[str, str], bool] = {}
        self._used: dict[str, frozenset[str]] = {}

    def _once(self, key: tuple[str, str], find: Callable[[], bool]) -> bool:
        """``find()``, kept per ``key``; False while it is being found (an import cycle
        asks it again)."""
        known = self._known.get(key)
        if known is None:
            self._known[key] = False
            known = self._known[key] = find()
        return known

    def reached_by(self, module: str) -> bool:
        """Whether code of ``module`` uses a name that may come from a removed module."""
        if not self.removed:
            return False
        tree = self.modules.get(module)
        return tree is not None and self._once((module, _CODE), lambda: self._uses_removed(tree))

    def _uses_removed(self, tree: MypyFile) -> bool:
        used = self._names_used(tree)
        for module, statement in imported_modules(tree):
            if isinstance(statement, IMPORT_ALL):
                if self._exports_removed(module):
                    return True  # any name may come from it
            elif isinstance(statement, IMPORT_FROM):
                for name, alias in statement.names:
                    if (alias or name) in used and self._name_gone(module, name):
                        return True
            elif isinstance(statement, IMPORT):
                for imported, alias in statement.ids:
                    if imported != module:
                        continue
                    local = alias or module.split(".")[0]
                    if local in used and (
                        self._submodule_gone(module) or self._exports_removed(module)
                    ):
                        return True  # ``pkg.make()``: any attribute may come from it
        return False

    def _exports_removed(self, module: str) -> bool:
        """Whether a name ``module`` binds may come from a removed module: it is removed,
        imports one (a re-export its own code need not use: ``from .a import make`` in a
        package's ``__init__``), star-imports such a module, or its code uses such a name."""
        if self._module_gone(module):
            return True
        tree = self.modules.get(module)
        return tree is not None and self._once(
            (module, _ANY_NAME), lambda: self._imports_removed(tree) or self.reached_by(module)
        )

    def _imports_removed(self, tree: MypyFile) -> bool:
        for module, statement in imported_modules(tree):
            if isinstance(statement, IMPORT_ALL):
                if self._exports_removed(module):
                    return True
            elif isinstance(statement, IMPORT_FROM):
                if any(self._name_gone(module, name) for name, _ in statement.names):
                    return True
            elif self._module_gone(module) or self._submodule_gone(module):
                return True
        return False

    def _name_gone(self, module: str, name: str) -> bool:
        """Whether ``name`` as ``module`` binds it may come from a removed module."""
        if self._module_gone(module) or self._module_gone(f"{module}.{name}"):
            return True
        tree = self.modules.get(module)
        return tree is not None and self._once(
            (module, name), lambda: self._binding_gone(tree, name)
        )

    def _binding_gone(self, tree: MypyFile, name: str) -> bool:
        for module, statement in imported_modules(tree):
            if isinstance(statement, IMPORT_FROM):
                for imported, alias in statement.names:
                    if (alias or imported) == name:
                        return self._name_gone(module, imported)
            elif isinstance(statement, IMPORT_ALL) and self._name_gone(module, name):
                return True
        # Defined here (or bound by ``import``): by code that may use such a name.
        return self.reached_by(tree.fullname)

    def _module_gone(self, module: str) -> bool:
        return module in self.removed

    def _submodule_gone(self, package: str) -> bool:
        """``import app`` then ``app.a.make()``: a removed module inside ``package``."""
        prefix = package + "."
        return any(name.startswith(prefix) for name in self.removed)

    def _names_used(self, tree: MypyFile) -> frozenset[str]:
        """Every name written in ``tree``'s code, nested functions and classes included."""
        used = self._used.get(tree.fullname)
        if used is None:
            used = self._used[tree.fullname] = frozenset(
                e.name for e in get_subexpressions(tree) if isinstance(e, NAME_EXPR)
            )
        return used
