"""Questions asked of every class or def at a module's cache write, answered more cheaply
than before, against what they stand for, on a program analysed by mypy.

``facts.overrides.replaced_methods`` keeps, for a module, only the entries of its own
classes: it is asked only of a method's own module (``callee_results.Inference._replaced``),
where it used to hold an entry for every class of every MRO it met (``builtins.object``
included) and to read each MRO to its end.  Here, on a program analysed by mypy (its
modules, the standard library's stubs it loads, a class hierarchy across modules), that
every question it is asked gets the answer of the whole set it used to build.

What the answers make of a method (its body not read for what a call gives) is the YAML
cases' business.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import pytest
from mypy import build
from mypy.modulefinder import BuildSource
from mypy.nodes import Decorator, FuncDef, MypyFile, TypeInfo
from mypy.options import Options

from mypy_wsplugin.facts.callee_results import (
    _definitions,
    _from_signature_of,
    signature_says,
)
from mypy_wsplugin.facts.overrides import (
    _has_body_read,
    _rebound_in_body,
    classes_in,
    replaced_methods,
    stored_by_methods,
)

BASE = """
    import asyncio

    class Base:
        def fetch(self):
            return 1

        def close(self):
            return None

        def kept(self):
            return 2

    class Mixin:
        async def fetch(self):
            return 3
"""

SUB = """
    from app.base import Base, Mixin

    def make_async(f):
        return f

    class Sub(Mixin, Base):
        handler = None

        def close(self):
            self.kept = self.other
            peer.fetch = None

        def other(self):
            return 4

        other = make_async(other)

    class Deeper(Sub):
        def kept(self):
            return 5

        class Inner(Sub):
            def fetch(self):
                return 6
"""


def _old_replaced_methods(home: MypyFile) -> frozenset[str]:
    """The set ``replaced_methods`` built before (session 65): every class of every MRO."""
    replaced: set[str] = set()
    for info in classes_in(home.fullname, home.names):
        for name in stored_by_methods(info):
            replaced.update(f"{base.fullname}.{name}" for base in info.mro)
        replaced.update(_old_shadowed_in_mro(info))
        replaced.update(f"{info.fullname}.{name}" for name in _rebound_in_body(info))
    return frozenset(replaced)


def _old_shadowed_in_mro(info: TypeInfo) -> Iterator[str]:
    first: dict[str, bool] = {}
    for cls in info.mro:
        for name, sym in cls.names.items():
            node = sym.node
            if name not in first:
                first[name] = isinstance(node, FuncDef) and not node.is_coroutine
            elif not first[name] and _has_body_read(node):
                yield f"{cls.fullname}.{name}"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MypyFile]:
    """The program, analysed once for the module's tests."""
    tmp_path = tmp_path_factory.mktemp("program")
    sources = []
    for module, text in (("app.base", BASE), ("app.sub", SUB)):
        path = tmp_path / (module.replace(".", "/") + ".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        sources.append(BuildSource(str(path), module))
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    options = Options()
    options.incremental = False
    options.preserve_asts = True
    options.mypy_path = [str(tmp_path)]
    result = build.build(sources, options)
    return result.files


def test_every_question_gets_the_answer_of_the_whole_set(analysed: dict[str, MypyFile]) -> None:
    files = analysed
    assert "app.sub" in files and "asyncio.events" in files  # stubs of the stdlib too
    asked = 0
    for module, tree in files.items():
        new, old = replaced_methods(tree), _old_replaced_methods(tree)
        assert new <= old, module
        for info in classes_in(module, tree.names):
            for name in info.names:
                key = f"{info.fullname}.{name}"
                assert (key in new) == (key in old), key
                asked += 1
    assert asked > 1000
    sub = replaced_methods(files["app.sub"])
    # ``close`` stores ``kept`` on self and ``fetch`` on another object; ``other`` is bound
    # again in the class body.  What the set used to add for Base, Mixin and object (their
    # names as stored or shadowed by Sub) is asked of app.base's and builtins' sets only.
    assert {"app.sub.Sub.kept", "app.sub.Sub.fetch", "app.sub.Sub.other"} <= sub
    assert not any(key.startswith(("app.base.", "builtins.")) for key in sub)
    assert "app.base.Base.fetch" in _old_replaced_methods(files["app.sub"])
    assert "app.base.Base.fetch" not in replaced_methods(files["app.base"])


def test_signature_says_what_the_signature_gives(analysed: dict[str, MypyFile]) -> None:
    """``callee_results.signature_says`` (asked of every def at a cache write) against what
    it stands for, ``_from_signature_of`` giving a result, on every def the cache write
    reads (``_definitions``: a module's functions and its classes' methods), decorated
    ones too."""
    asked = said = 0
    for tree in analysed.values():
        for node in _definitions(tree):
            func = node.func if isinstance(node, Decorator) else node
            says = signature_says(func)
            assert says == (_from_signature_of(func) is not None), func.fullname
            asked += 1
            said += says
    assert asked > 1000 and 0 < said < asked
