"""``facts.awaited_names.AwaitedAnywhere``: the names under which anything is awaited in the
run, from parsed trees (before semantic analysis), and where that set is not known.

The findings themselves are the YAML cases' business (``test-data/await_not_awaitable``);
here, what the set holds for each shape of ``await`` the gate distinguishes.
"""

from __future__ import annotations

import inspect
import textwrap

from mypy.errors import Errors
from mypy.nodes import GDEF, Block, FuncDef, MypyFile, SymbolTable, SymbolTableNode
from mypy.options import Options
from mypy.parse import parse

from mypy_wsplugin.facts.awaited_names import AwaitedAnywhere


def _tree(module: str, source: str, is_stub: bool = False) -> MypyFile:
    options = Options()
    path = f"{module.replace('.', '/')}.py{'i' if is_stub else ''}"
    # parse()'s signature changed across the supported range: from 2.0 it may give a
    # serialized form unless asked for the whole tree (eager); 2.0 and 2.1 also require
    # file_exists (False: the source is in memory, so mypy's own Python parser reads it).
    accepted = inspect.signature(parse).parameters
    extra = {k: v for k, v in {"eager": True, "file_exists": False}.items() if k in accepted}
    tree = parse(textwrap.dedent(source).encode(), path, module, Errors(options), options, **extra)
    tree._fullname = module
    return tree


SOURCE = """
    from lib import make as build, other
    import lib as alias

    class C(Base):
        async def run(self, flag):
            await super().close()
            await (self.first() if flag else alias.second())
            await (value := self.third())
            await wrap(self.app)(1)
            await self.attr
            other()

    async def top():
        await build()
"""


def test_the_names_of_every_awaited_call_and_attribute_and_the_originals_of_import_aliases() -> (
    None
):
    anywhere = AwaitedAnywhere()
    tree = _tree("app", SOURCE)
    anywhere.parsed(tree)
    names = anywhere.names({"app": tree})
    assert names == frozenset(
        {"close", "first", "second", "third", "attr", "build", "make"}
    )  # not "wrap": a call of a call is asked under the callee type's short name


def test_not_known_where_a_module_of_the_run_was_not_parsed_in_this_process() -> None:
    anywhere = AwaitedAnywhere()
    tree = _tree("app", SOURCE)
    cached = _tree("lib", "def make(): ...\n")
    anywhere.parsed(tree)
    assert anywhere.names({"app": tree, "lib": cached}) is None
    anywhere.parsed(cached)
    names = anywhere.names({"app": tree, "lib": cached})
    assert names is not None and "make" in names


def test_made_again_after_a_parse_and_a_stub_adds_only_its_renamed_imports() -> None:
    anywhere = AwaitedAnywhere()
    first = _tree("app", "async def f():\n    await g()\n")
    stub = _tree(
        "pkg",
        "from pkg._impl import load_sync as load, same as same\nasync def h() -> None: ...\n",
        is_stub=True,
    )
    anywhere.parsed(first)
    anywhere.parsed(stub)
    assert anywhere.names({"app": first, "pkg": stub}) == frozenset({"g", "load_sync"})
    second = _tree("app", "async def f():\n    await k()\n")
    anywhere.parsed(second)
    assert anywhere.names({"app": second, "pkg": stub}) == frozenset({"k", "load_sync"})


def test_made_again_when_the_module_dict_changes_size_without_a_parse() -> None:
    anywhere = AwaitedAnywhere()
    first = _tree("app", "async def f():\n    await g()\n")
    anywhere.parsed(first)
    assert anywhere.names({"app": first}) == frozenset({"g"})
    cached = _tree("lib", "def make(): ...\n")
    assert anywhere.names({"app": first, "lib": cached}) is None  # not parsed here


def _cached_stub(module: str, bound: dict[str, str]) -> MypyFile:
    """A stub as mypy loads it from its cache: no statements, a symbol table whose entries
    name their definitions (``name -> full name``; a definition whose module is missing
    stays a cross-reference)."""
    tree = MypyFile([], [], is_bom=False)
    tree._fullname = module
    tree.path = f"{module.replace('.', '/')}.pyi"
    tree.is_stub = True
    tree.names = SymbolTable()
    for name, fullname in bound.items():
        if fullname.startswith("missing."):
            symbol = SymbolTableNode(GDEF, None)
            symbol.cross_ref = fullname
        else:
            func = FuncDef(fullname.rpartition(".")[2], [], Block([]))
            func._fullname = fullname
            symbol = SymbolTableNode(GDEF, func)
        tree.names[name] = symbol
    return tree


def test_a_stub_from_the_cache_gives_its_renamed_imports_once_every_module_is_loaded() -> None:
    graph: set[str] = {"app", "pkg", "lib"}
    anywhere = AwaitedAnywhere(lambda: graph)
    app = _tree("app", "from pkg import load\nasync def f():\n    await load()\n")
    anywhere.parsed(app)
    pkg = _cached_stub(
        "pkg",
        {"load": "pkg._impl.load_sync", "same": "pkg._impl.same", "gone": "missing.original"},
    )
    # lib, a stub of the graph, is still to be loaded from the cache (mypy loads a cached
    # module as late as the first module that needs it).
    assert anywhere.names({"app": app, "pkg": pkg}) is None
    lib = _cached_stub("lib", {})
    assert anywhere.names({"app": app, "pkg": pkg, "lib": lib}) == frozenset(
        {"load", "load_sync", "original"}
    )


def test_with_a_stub_from_the_cache_not_known_where_the_graph_is_not() -> None:
    anywhere = AwaitedAnywhere()  # mypy < 1.19: no graph to read
    app = _tree("app", "async def f():\n    await g()\n")
    anywhere.parsed(app)
    assert anywhere.names({"app": app, "lib": _cached_stub("lib", {})}) is None


def test_a_python_module_from_the_cache_leaves_the_names_not_known() -> None:
    anywhere = AwaitedAnywhere(lambda: {"app", "lib", "old"})
    app = _tree("app", "async def f():\n    await g()\n")
    anywhere.parsed(app)
    cached = _cached_stub("old", {})
    cached.is_stub = False
    cached.path = "old.py"
    assert anywhere.names({"app": app, "lib": _cached_stub("lib", {}), "old": cached}) is None


def test_the_dunders_called_by_name_and_not_those_mypy_calls_on_its_own() -> None:
    anywhere = AwaitedAnywhere()
    tree = _tree(
        "app",
        """
        class Box(Base):
            def __getitem__(self, key):
                return dict.__getitem__(self, key)

            async def run(self, pool):
                async with pool:
                    pass
                for item in self:
                    pass
                with pool:
                    pool.__aexit__(None, None, None)
                super().__enter__()
                self.__call__()
                self.__len__
                return self[0] + len(self) + (await pool.__anext__())
        """,
    )
    stub = _tree("lib", "def f() -> None: ...\n", is_stub=True)
    anywhere.parsed(tree)
    assert anywhere.dunders_called({"app": tree, "lib": stub}) is None  # lib not parsed here
    anywhere.parsed(stub)
    # Written as a call on an attribute of that name: ``dict.__getitem__(...)``,
    # ``pool.__aexit__(...)``, ``pool.__anext__()``.  Not ``super().__enter__()`` (mypy
    # names that hook "__enter__ of Base"), ``__call__`` (always hooked), nor what mypy
    # calls for ``async with``, ``for``, ``with``, a subscript or ``len``.
    assert anywhere.dunders_called({"app": tree, "lib": stub}) == frozenset(
        {"__getitem__", "__aexit__", "__anext__"}
    )
    assert anywhere.names({"app": tree, "lib": stub}) == frozenset({"__anext__"})
