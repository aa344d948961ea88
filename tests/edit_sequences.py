"""Differential edit-sequence testing: the plugin's findings must not depend on how mypy runs.

A generator (``random.Random(seed)``, and nine more streams seeded from it, for how method
receivers are written, for edits that turn a function into a class or back, for receivers
made by a class's factory and edits of that factory's declared result, for receivers
bound to a method's ``Self`` result and edits of that result, for receivers used under an
``isinstance`` test, for edits that make a class's factory an ``async def`` or a ``def``
again, for receivers that are attributes of ``self`` stored by ``__init__`` of the
handler's class or of its base class, perhaps in another module, with or without a
``None`` placeholder, and edits that move those stores, and for receivers that are
module-level variables (an instance, or a declared list whose items a loop calls on), in
the handler's module or the class's, and edits that move them, and for calls through a
method handler's ``self`` made in a function nested in the handler; nothing else random)
builds a small async project -- a package ``app`` of 3-6 modules and a ``mypy.ini`` with
``plugins = mypy_wsplugin`` and sometimes a ``[mypy_wsplugin]`` section -- and a sequence of
edits that keep it valid Python.
After every step the project's whole output is compared between

* ``cold``: ``mypy`` with every module of the project new at every step (the reference),
  from the standard library's stubs cached (as ``warm`` starts: at the first step of a
  ``warm`` history the two are one command on the same files, run once).  Every module of the
  project is parsed before mypy checks any, so the plugin answers its hook questions from
  the whole program (``facts/awaited_names``), which no later ``warm`` step, no daemon
  and no ``-n`` worker does: every step compares the two ways.  ``make fuzz
  FUZZ_ARGS=--no-cache-every-step`` runs every cold step with no cache at all (a project's
  first run: the stubs parsed and checked too), five times the cost;
* ``warm``: ``mypy`` with one cache directory kept through the whole sequence, which starts
  where a user's cache does: the standard library's stubs (analysed once per ``[mypy]``
  section, in a project of its own), none of the project's modules.  Its first step is a
  run with the stubs cached and every module of the project checked from scratch;
* ``daemon``: ``dmypy check`` on a daemon started at the beginning and kept alive;
* ``parallel``: ``mypy -n 2`` (mypy >= 2.4) with its own cache kept through the sequence,
  started as ``warm``'s.

Lines that differ between ``cold`` and another mode fail the step, unless plain mypy (the
same runs with the plugin removed from the config) shows the same difference on the same
step (for a finding that replaces mypy's error, a difference in that error:
:func:`in_the_plugins_words`).  Plain runs are made only when the plugin runs disagree: a
plain twin of each mode is then brought up to the step by replaying the sequence, and kept
in step from then on.  Any crash (exit status 2, a traceback, ``INTERNAL ERROR``) fails the
step.

Every mode works in a directory of its own (``<workdir>/<variant>-<mode>``), every file
written at step N gets the modification time ``MTIME0 + 10 * N``, so caches and the daemon
see each edit whatever the clock says and every replay is identical.

``python -m tests.edit_sequences --help`` runs sequences from the command line (``make
fuzz``); ``tests/test_edit_sequences.py`` runs a fixed set of seeds.
"""

from __future__ import annotations

import argparse
import atexit
import copy
import difflib
import fnmatch
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from typing import Final

from tests.forked_mypy import run_python
from tests.relabel import classify

# The daemon reads the plugin's settings when it starts (docs/configuration.md): after a
# step that edits mypy.ini it is restarted, and the restart is recorded in the report.
# Set to False (or pass --no-restart-daemon-on-config-edit) once the plugin picks up config
# edits itself, or says once that a restart is needed.
RESTART_DAEMON_ON_CONFIG_EDIT: Final = True

# Without the switch: a daemon line saying a restart is needed, accepted on a config edit.
RESTART_NOTICE: Final = re.compile(r"\brestart", re.IGNORECASE)

PKG: Final = "app"
CONFIG: Final = "mypy.ini"
MTIME0: Final = 1_500_000_000  # modification time of the files of step 0
STEP_SECONDS: Final = 10
TIMEOUT: Final = 300  # one mypy or dmypy command
CRASHES_BEFORE_DROPPING: Final = 2  # a mode crashing this often the same way is not run on
DEFAULT_LENGTH: Final = 20
MYPY_FLAGS: Final = ("--no-error-summary", "--show-traceback", "--no-color-output")

# ---------------------------------------------------------------------------------------
# The project model
# ---------------------------------------------------------------------------------------

FUNC_PREFIXES: Final = ("get", "make", "fetch", "load")
METHOD_NAMES: Final = ("get", "fetch", "send", "close")
BODIES: Final = ("int", "str", "list", "none", "pass", "raise", "compare", "inst", "call")
BODY_RET: Final = {
    "int": "int",
    "str": "str",
    "list": "list[int]",
    "none": "None",
    "pass": "None",
    "raise": "int",
    "compare": "bool",
}
FUNC_RETS: Final = ("int", "str", "None", "bool", "object", "list[int]", "Any", "Awaitable[int]")
HANDLER_RETS: Final = ("None", "object", "int", "Any")
PARAMS: Final = ("none", "untyped", "typed")
# "dict", "tuple" and "pairs": the value in a display stored in a declared name
# (``dict[str, int]``, ``tuple[int, str]``, ``list[tuple[int, str]]``), mypy's
# ``[dict-item]``/``[assignment]``/``[list-item]`` where it does not fit.
ROLES: Final = (
    "stmt",
    "attr",
    "cond",
    "assign",
    "assign_cond",
    "ret",
    "arg",
    "dict",
    "tuple",
    "pairs",
)
FORMS: Final = ("direct", "alias", "modattr", "pkgattr", "fullattr", "reexport")


@dataclass
class Sig:
    """A function, method or handler signature: ``[async] def name([self, ]x[: int])[ -> R]``."""

    name: str
    is_async: bool
    param: str  # "none" | "untyped" | "typed"
    ret: str | None  # the return annotation, None: no annotation


@dataclass
class Func(Sig):
    """A callee: a module-level function or a method."""

    body: str = "int"  # one of BODIES; "inst:<class>" and "call:<function>" name their target
    # A module-level function rendered as a class of the same name (``SetKind``): its calls
    # make an instance (``__init__`` takes its parameter), which is not awaitable.
    is_class: bool = False


@dataclass
class Use:
    """A call site in a handler: ``module.name(...)`` or ``module.name().method(...)``."""

    uid: int
    module: str  # the module defining ``name``
    name: str  # a function, or the class whose method is called
    method: str | None
    form: str  # how ``name`` is reached: "local", "self" or one of FORMS
    role: str  # one of ROLES
    awaited: bool
    attr: str = "value"  # the attribute looked up ("attr" and "assign" roles)
    # A method's receiver: "new" calls ``name().method()``, "local" binds ``objN = name()``
    # first and calls ``objN.method()`` (an instance made in the handler, facts/local_instances).
    receiver: str = "new"
    # The receiver is made by the class's factory, ``make_<name>()`` (rendered after the
    # class, its result declared or not: ``Klass.factory_declared``), not by ``name()``.
    factory: bool = False
    # A "local" receiver is bound to the class's ``again()`` on the new instance, ``objN =
    # name().again()`` (declared ``-> Self`` or not: ``Klass.again_declared``).
    chained: bool = False
    # A "local" receiver is used under ``if isinstance(objN, name):`` (facts/narrowing:
    # the test names the local's own class, which keeps it).
    tested: bool = False
    # A "stored" receiver (in a handler that is a method) is ``self.s<uid>``, an instance of
    # the class stored by ``__init__`` of the handler's own class ("own") or of its base
    # class ("base", perhaps in another module; the handler's own class where it has
    # none): facts/instance_attributes, read from the body or from the cache entry.
    store: str = "own"
    # ``self.s<uid> = None`` in ``__init__``, the instance stored by ``open_s<uid>()``.
    placeholder: bool = False
    # A "global" receiver is ``g<uid>``, a module-level ``g<uid> = <class>()`` in the
    # handler's module ("here") or in the class's module ("there", imported by name):
    # mypy's inferred type of a module variable, kept in the cache (facts/resolve).
    home: str = "here"
    # A "global" receiver that is a declared container and the call is made on each item
    # (facts/loop_targets), in one of three shapes by the uid (:func:`loop_shape`): a
    # list, ``for l<uid> in g<uid>:``; a dict, ``for k<uid>, l<uid> in g<uid>.items():``;
    # a list, ``for i<uid>, l<uid> in enumerate(list(g<uid>)):``.
    looped: bool = False
    # A call through the handler's ``self`` (form "self", or a "stored" receiver) made in
    # ``async def n<uid>():`` nested in the handler, a task's body: the nested function
    # reads the method's ``self`` (facts/bindings.self_owner).
    nested: bool = False
    # A "new" receiver typed as the union of its class and another class ``(module,
    # class)``: ``pick<uid>()``, a function of the handler's module declared ``-> <class> |
    # <other>`` that returns ``<class>()`` (facts/union_receivers: the call is judged where
    # every member's method gives the same, else mypy's verdict stands).
    union: tuple[str, str] | None = None
    # A ``# type: ignore`` on the use's first line: the codes it names ("" for a bare one),
    # or None for none (``SetIgnore``; the config warns of unused ignores).
    ignore: str | None = None


def loop_shape(u: Use) -> str:
    """A looped receiver's shape, "list", "items" or "enumerate" (by the uid: no draw of
    its own, so each seed's other draws stay as they were)."""
    return ("list", "items", "enumerate")[u.uid % 3]


@dataclass
class Handler(Sig):
    """A function holding call sites."""

    uses: list[Use] = field(default_factory=list)


@dataclass
class Klass:
    name: str
    base: tuple[str, str] | None  # (module, class)
    methods: list[Func] = field(default_factory=list)
    handlers: list[Handler] = field(default_factory=list)
    # ``def make_<name>() -> <name>`` (True) or without the annotation (False), rendered
    # where a use's receiver is made by it (``Use.factory``; ``SetFactoryResult``).
    factory_declared: bool = True
    # ``def again(self) -> Self`` (True) or without the annotation (False), rendered where a
    # use's receiver is bound to it (``Use.chained``; ``SetAgainResult``).
    again_declared: bool = True
    # ``async def make_<name>()`` (True; ``SetFactoryAsync``): a receiver it makes is
    # ``await make_<name>()`` in an ``async def`` handler (``facts/instance_attributes.
    # awaited_instance``) and the coroutine itself in a plain ``def``, used without ``await``.
    factory_async: bool = False
    # Its ``__init__`` (rendered where it stores a "stored" receiver) is declared ``->
    # None`` (True; ``SetInitDeclared``): mypy then types the stores itself.
    init_declared: bool = False


@dataclass
class Module:
    index: int
    classes: list[Klass] = field(default_factory=list)
    funcs: list[Func] = field(default_factory=list)
    handlers: list[Handler] = field(default_factory=list)
    imports: list[tuple[str, str | None]] = field(default_factory=list)  # unused imports

    @property
    def name(self) -> str:
        return f"m{self.index}"


@dataclass(frozen=True)
class Factory:
    target: str
    result: str | None
    is_async: bool

    @property
    def text(self) -> str:
        return self.target if self.result is None else f"{self.target} -> {self.result}"


@dataclass
class Project:
    modules: list[Module] = field(default_factory=list)
    reexports: list[tuple[str, str]] = field(default_factory=list)  # (module, name) in __init__
    factories: list[Factory] = field(default_factory=list)
    section: bool = False  # a [mypy_wsplugin] section
    check_all: bool | None = None  # check_all_awaits; None: key absent
    check_untyped_defs: bool = False
    next_id: int = 0

    def module(self, name: str) -> Module | None:
        return next((m for m in self.modules if m.name == name), None)

    def klass(self, module: str, name: str) -> Klass | None:
        m = self.module(module)
        return None if m is None else next((k for k in m.classes if k.name == name), None)

    def func(self, module: str, name: str) -> Func | None:
        m = self.module(module)
        return None if m is None else next((f for f in m.funcs if f.name == name), None)

    def mro(self, module: str, name: str) -> Iterator[tuple[str, Klass]]:
        seen: set[tuple[str, str]] = set()
        k = self.klass(module, name)
        while k is not None and (module, k.name) not in seen:
            seen.add((module, k.name))
            yield module, k
            if k.base is None:
                return
            module, base = k.base
            k = self.klass(module, base)

    def method(self, module: str, cls: str, name: str) -> Func | None:
        for _, k in self.mro(module, cls):
            for f in k.methods:
                if f.name == name:
                    return f
        return None

    def method_names(self, module: str, cls: str) -> list[str]:
        names: list[str] = []
        for _, k in self.mro(module, cls):
            names.extend(f.name for f in k.methods if f.name not in names)
        return names

    def callee(self, use: Use) -> Func | None:
        if use.method is None:
            return self.func(use.module, use.name)
        return self.method(use.module, use.name, use.method)


@dataclass(frozen=True)
class SigRef:
    module: str
    cls: str | None
    name: str

    def __str__(self) -> str:
        owner = f"{self.cls}." if self.cls else ""
        return f"{PKG}.{self.module}.{owner}{self.name}"


def all_sigs(p: Project) -> list[tuple[SigRef, Sig]]:
    out: list[tuple[SigRef, Sig]] = []
    for m in p.modules:
        for k in m.classes:
            out.extend((SigRef(m.name, k.name, s.name), s) for s in [*k.methods, *k.handlers])
        out.extend((SigRef(m.name, None, s.name), s) for s in [*m.funcs, *m.handlers])
    return out


def find_sig(p: Project, ref: SigRef) -> Sig | None:
    return next((s for r, s in all_sigs(p) if r == ref), None)


def all_handlers(p: Project) -> list[tuple[SigRef, Handler]]:
    return [(r, s) for r, s in all_sigs(p) if isinstance(s, Handler)]


def all_uses(p: Project) -> list[tuple[SigRef, Handler, Use]]:
    return [(r, h, u) for r, h in all_handlers(p) for u in h.uses]


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------


def render(p: Project) -> dict[str, str]:
    files = {CONFIG: render_config(p), f"{PKG}/__init__.py": render_init(p)}
    for m in p.modules:
        files[f"{PKG}/{m.name}.py"] = render_module(p, m)
    return files


def render_config(p: Project) -> str:
    lines = ["[mypy]", "plugins = mypy_wsplugin", "warn_unused_ignores = True"]
    if p.check_untyped_defs:
        lines.append("check_untyped_defs = True")
    if p.section:
        lines += ["", "[mypy_wsplugin]"]
        for key, is_async in (("sync_factories", False), ("async_factories", True)):
            entries = [f.text for f in p.factories if f.is_async == is_async]
            if entries:
                lines.append(f"{key} =")
                lines += [f"    {e}" for e in entries]
        if p.check_all is not None:
            lines.append(f"check_all_awaits = {'true' if p.check_all else 'false'}")
    return "\n".join(lines) + "\n"


def plain_config(text: str) -> str:
    """The same config without the plugin: no ``plugins =`` line, no plugin section."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if line.startswith("["):
            skipping = line.strip() in ("[mypy_wsplugin]", "[tool.mypy_wsplugin]")
        if skipping or line.replace(" ", "").startswith("plugins="):
            continue
        out.append(line)
    return "\n".join(out) + "\n"


def render_init(p: Project) -> str:
    names = set(p.reexports)
    names |= {(u.module, _receiver_name(u)) for _, _, u in all_uses(p) if u.form == "reexport"}
    return "".join(f"from {PKG}.{module} import {name}\n" for module, name in sorted(names))


def render_module(p: Project, m: Module) -> str:
    imports: set[str] = set()
    body: list[str] = []
    chained = {u.name for _, _, u in all_uses(p) if _is_chained(u) and u.module == m.name}
    for k in m.classes:
        body += ["", ""]
        base = ""
        if k.base is not None:
            base = f"({reference(m.name, k.base[0], k.base[1], 'direct', imports)})"
        body.append(f"class {k.name}{base}:")
        body.append("    value = 0")
        body += render_stores(p, m, k, imports)
        if k.name in chained:
            if k.again_declared:
                imports.add("from typing_extensions import Self")
            ret = " -> Self" if k.again_declared else ""
            body += ["", f"    def again(self){ret}:", "        return self"]
        for f in k.methods:
            body.append("")
            body += render_func(p, m, f, "    ", method=True)
        for h in k.handlers:
            body.append("")
            body += render_handler(p, m, h, "    ", imports, method=True)
    made_by_factories = {u.name for _, _, u in all_uses(p) if u.factory and u.module == m.name}
    for k in m.classes:
        if k.name in made_by_factories:
            ret = f" -> {k.name}" if k.factory_declared else ""
            kind = "async def" if k.factory_async else "def"
            body += ["", "", f"{kind} make_{k.name}(){ret}:", f"    return {k.name}()"]
    for f in m.funcs:
        body += ["", ""]
        body += render_func(p, m, f, "", method=False)
    body += render_picks(p, m, imports)
    for h in m.handlers:
        body += ["", ""]
        body += render_handler(p, m, h, "", imports, method=False)
    body += render_globals(p, m, imports)
    for module, name in m.imports:
        if name is None:
            imports.add(f"import {PKG}.{module}")
        else:
            imports.add(f"from {PKG}.{module} import {name}")
    annotations = " ".join(s.ret or "" for _, s in all_sigs(p) if _in_module(s, m))
    if re.search(r"\bAny\b", annotations):
        imports.add("from typing import Any")
    if "Awaitable" in annotations:
        imports.add("from collections.abc import Awaitable")
    head = sorted(imports)
    return "\n".join([*head, *body]).lstrip("\n") + "\n"


def may_be_union(u: Use) -> bool:
    """Whether a use's receiver can be a union (``Use.union``): a method's "new" receiver,
    not made by a factory."""
    return u.method is not None and u.receiver == "new" and u.form != "self" and not u.factory


def union_member(p: Project, u: Use) -> tuple[str, str] | None:
    """The other member of a use's union receiver, where it has one and both classes are
    in the project (else the receiver is its class's instance, as without a union)."""
    if u.union is None or not may_be_union(u):
        return None
    if p.klass(u.module, u.name) is None or p.klass(*u.union) is None:
        return None
    return u.union


def render_picks(p: Project, m: Module, imports: set[str]) -> list[str]:
    """``def pick<uid>() -> <class> | <other>:`` for each union receiver of ``m``'s uses."""
    lines: list[str] = []
    for ref, _, u in all_uses(p):
        other = union_member(p, u)
        if ref.module != m.name or other is None:
            continue
        made = reference(m.name, u.module, u.name, u.form, imports)
        member = reference(m.name, other[0], other[1], "direct", imports)
        lines += ["", "", f"def pick{u.uid}() -> {made} | {member}:", f"    return {made}()"]
    return lines


def global_home(ref: SigRef, u: Use) -> str:
    """The module that holds a "global" receiver's variable."""
    return ref.module if u.home == "here" else u.module


def render_globals(p: Project, m: Module, imports: set[str]) -> list[str]:
    """``g<uid> = <class>()`` (or a declared container, ``g<uid>: list[<class>] = []``,
    ``g<uid>: dict[str, <class>] = {}``) for each "global" receiver ``m`` holds."""
    lines: list[str] = []
    for ref, _, u in all_uses(p):
        if u.receiver == "global" and global_home(ref, u) == m.name:
            form = "direct" if u.form == "local" and u.module != m.name else u.form
            cls = reference(m.name, u.module, u.name, form, imports)
            if not u.looped:
                made = f"g{u.uid} = {cls}()"
            elif loop_shape(u) == "items":
                made = f"g{u.uid}: dict[str, {cls}] = {{}}"
            else:
                made = f"g{u.uid}: list[{cls}] = []"
            lines += ["", "", made]
    return lines


def storing_class(p: Project, ref: SigRef, u: Use) -> tuple[str, str] | None:
    """The class whose ``__init__`` stores a "stored" receiver: the handler's class, or
    its base class where the use says so and the base is in the project."""
    if ref.cls is None:
        return None
    if u.store == "base":
        k = p.klass(ref.module, ref.cls)
        if k is not None and k.base is not None and p.klass(*k.base) is not None:
            return k.base
    return ref.module, ref.cls


def render_stores(p: Project, m: Module, k: Klass, imports: set[str]) -> list[str]:
    """``__init__`` storing each "stored" receiver ``k`` holds (after ``super().__init__()``
    where ``k`` has a base), and an ``open_s<uid>()`` per placeholder."""
    stored = [
        u
        for ref, _, u in all_uses(p)
        if u.receiver == "stored" and storing_class(p, ref, u) == (m.name, k.name)
    ]
    if not stored:
        return []
    ret = " -> None" if k.init_declared else ""
    init = ["", f"    def __init__(self){ret}:"]
    if k.base is not None:
        init.append("        super().__init__()")
    opened: list[str] = []
    for u in stored:
        form = "direct" if u.form == "local" and u.module != m.name else u.form
        made = f"{reference(m.name, u.module, u.name, form, imports)}()"
        if u.placeholder:
            init.append(f"        self.s{u.uid} = None")
            opened += ["", f"    def open_s{u.uid}(self){ret}:", f"        self.s{u.uid} = {made}"]
        else:
            init.append(f"        self.s{u.uid} = {made}")
    return init + opened


def _in_module(s: Sig, m: Module) -> bool:
    sigs: list[Sig] = [*m.funcs, *m.handlers]
    for k in m.classes:
        sigs += [*k.methods, *k.handlers]
    return any(s is x for x in sigs)


def reference(here: str, module: str, name: str, form: str, imports: set[str]) -> str:
    """How module ``here`` names ``name`` of ``module``, adding the import it needs."""
    full = f"{PKG}.{module}"
    if module == here or form == "local":
        return name
    if form == "alias":
        imports.add(f"from {full} import {name} as {name}_al")
        return f"{name}_al"
    if form == "modattr":
        imports.add(f"import {full} as {module}_mod")
        return f"{module}_mod.{name}"
    if form == "pkgattr":
        imports.add(f"from {PKG} import {module}")
        return f"{module}.{name}"
    if form == "fullattr":
        imports.add(f"import {full}")
        return f"{full}.{name}"
    if form == "reexport":
        imports.add(f"from {PKG} import {name}")
        return name
    imports.add(f"from {full} import {name}")
    return name


def render_sig(s: Sig, method: bool) -> str:
    params = ["self"] if method else []
    if s.param == "untyped":
        params.append("x")
    elif s.param == "typed":
        params.append("x: int")
    ret = f" -> {s.ret}" if s.ret is not None else ""
    return f"{'async ' if s.is_async else ''}def {s.name}({', '.join(params)}){ret}:"


def render_func(p: Project, m: Module, f: Func, indent: str, method: bool) -> list[str]:
    if f.is_class and not method:
        lines = [f"class {f.name}:", "    value = 0"]
        if f.param != "none":
            lines += ["", "    " + render_sig(Sig("__init__", False, f.param, "None"), method=True)]
            lines.append("        self.value = 1")
        return lines
    kind, _, target = f.body.partition(":")
    simple = {
        "int": "return 1",
        "str": 'return "s"',
        "list": "return [1]",
        "none": "print()",
        "pass": "pass",
        "raise": "raise ValueError()",
        "compare": "return 1 == 1",
    }
    line = simple.get(kind, "return 1")
    if kind == "inst" and any(k.name == target for k in m.classes):
        line = f"return {target}()"
    elif kind == "call":
        callee = p.func(m.name, target)
        if callee is not None:
            line = f"return {target}({'1' if callee.param != 'none' else ''})"
    return [indent + render_sig(f, method), f"{indent}    {line}"]


def render_handler(
    p: Project, m: Module, h: Handler, indent: str, imports: set[str], method: bool
) -> list[str]:
    lines = [indent + render_sig(h, method)]
    uses = sorted(h.uses, key=lambda u: u.role == "ret")  # a return goes last
    body: list[str] = []
    for i, u in enumerate(uses):
        role = u.role if u.role != "ret" or i == len(uses) - 1 else "stmt"
        body += render_use(p, m, u, role, imports, h.is_async)
    return lines + [f"{indent}    {line}" for line in body or ["pass"]]


def render_use(
    p: Project, m: Module, u: Use, role: str, imports: set[str], in_async: bool
) -> list[str]:
    callee = p.callee(u)
    args = "1" if callee is not None and callee.param != "none" else ""
    made: list[str] = []
    if u.form == "self":
        call = f"self.{u.method}({args})"
    elif u.receiver == "stored":
        call = f"self.s{u.uid}.{u.method}({args})"
    elif u.receiver == "global":
        home = m.name if u.home == "here" else u.module
        variable = reference(m.name, home, f"g{u.uid}", "direct", imports)
        if u.looped:
            loop = {
                "list": f"for l{u.uid} in {variable}:",
                "items": f"for k{u.uid}, l{u.uid} in {variable}.items():",
                "enumerate": f"for i{u.uid}, l{u.uid} in enumerate(list({variable})):",
            }[loop_shape(u)]
            body = render_role(u, role, f"l{u.uid}.{u.method}({args})")
            return [loop, *(f"    {line}" for line in body)]
        call = f"{variable}.{u.method}({args})"
    else:
        ref = reference(m.name, u.module, _receiver_name(u), u.form, imports)
        # An async factory's result is awaited where the handler can await it, and is
        # the coroutine itself (a receiver used without "await") where it cannot.
        receiver = f"pick{u.uid}()" if union_member(p, u) is not None else f"{ref}()"
        awaited = in_async and u.factory and _factory_async(p, u)
        if u.method is None:
            call = f"{ref}({args})"
        elif u.receiver == "local":
            if awaited:
                receiver = f"(await {receiver})" if u.chained else f"await {receiver}"
            made = [f"obj{u.uid} = {receiver}{'.again()' if u.chained else ''}"]
            call = f"obj{u.uid}.{u.method}({args})"
            if u.tested and not u.factory:
                test = f"if isinstance(obj{u.uid}, {ref}):"
                return [*made, test, *(f"    {line}" for line in render_role(u, role, call))]
        else:
            call = f"{f'(await {receiver})' if awaited else receiver}.{u.method}({args})"
    lines = made + render_role(u, role, call)
    if u.nested:
        return [f"async def n{u.uid}():", *(f"    {line}" for line in lines)]
    return lines


def _factory_async(p: Project, u: Use) -> bool:
    k = p.klass(u.module, u.name)
    return k is not None and k.factory_async


def _is_chained(u: Use) -> bool:
    return u.chained and u.receiver == "local" and u.method is not None and u.form != "self"


def _receiver_name(u: Use) -> str:
    """The name a use calls: its function or class, or the class's factory."""
    return f"make_{u.name}" if u.factory else u.name


def render_role(u: Use, role: str, call: str) -> list[str]:
    lines = _role_lines(u, role, call)
    if u.ignore is not None:
        codes = f"[{u.ignore}]" if u.ignore else ""
        lines[0] += f"  # type: ignore{codes}"
    return lines


def _role_lines(u: Use, role: str, call: str) -> list[str]:
    value = f"await {call}" if u.awaited else call
    var = f"v{u.uid}"
    if role == "attr":
        return [f"print(({value}).{u.attr})" if u.awaited else f"print({call}.{u.attr})"]
    if role == "cond":
        return [f"if {value}:", "    print()"]
    if role == "assign":
        return [f"{var} = {value}", f"print({var}.{u.attr})"]
    if role == "assign_cond":
        return [f"{var} = {value}", f"if {var}:", "    print()"]
    if role == "ret":
        return [f"return {value}"]
    if role == "arg":
        return [f"print({value})"]
    if role == "dict":
        return [f"{var}: dict[str, int] = {{'k': {value}}}", f"print({var})"]
    if role == "tuple":
        return [f"{var}: tuple[int, str] = ({value}, 'a')", f"print({var})"]
    if role == "pairs":
        return [f"{var}: list[tuple[int, str]] = [({value}, 'a')]", f"print({var})"]
    if role == "star":
        return [f"print(*{value})"]
    if role == "mapped":
        return [f"print(**{value})"]
    if role == "ordered":
        return [f"if {value} > 0:", "    print()"]
    if role == "managed":
        return [f"with {value}:", "    print()"]
    if role == "match":
        return [f"match {value}:", "    case 0:", "        print()"]
    return [value]


# The other shapes of a role (drawn from the generator's ``shapes`` stream): an argument
# starred, or unpacked with ``**``; a condition matched, or ordered (``> 0``); a statement's
# value a ``with`` statement's manager.
_SHAPE_OF: Final = {"arg": "star", "cond": "match"}
_RARER_SHAPE_OF: Final = {"arg": "mapped", "cond": "ordered", "stmt": "managed"}


# ---------------------------------------------------------------------------------------
# Edits: each is replayable on any project (an edit whose target is gone does nothing)
# ---------------------------------------------------------------------------------------


class Edit:
    touch: str | None = None  # a file whose modification time the step bumps

    def apply(self, p: Project) -> str | None:
        """Apply to ``p``; say what was done, or None (and leave ``p`` alone) if it cannot."""
        raise NotImplementedError


@dataclass
class FlipAsync(Edit):
    ref: SigRef

    def apply(self, p: Project) -> str | None:
        s = find_sig(p, self.ref)
        if s is None or (isinstance(s, Handler) and s.is_async and _awaits(s)):
            return None
        s.is_async = not s.is_async
        return f"{'def -> async def' if s.is_async else 'async def -> def'}: {self.ref}"


def _awaits(h: Handler) -> bool:
    return any(u.awaited for u in h.uses)


@dataclass
class SetKind(Edit):
    """A module-level function becomes a class of the same name, or back: every module
    that imports it sees a name change kind (``facts/bindings.bound``)."""

    module: str
    name: str
    is_class: bool

    def apply(self, p: Project) -> str | None:
        f = p.func(self.module, self.name)
        if f is None or f.is_class == self.is_class:
            return None
        f.is_class = self.is_class
        what = "def -> class" if self.is_class else "class -> def"
        return f"{what}: {PKG}.{self.module}.{self.name}"


@dataclass
class SetFactoryResult(Edit):
    """A class's factory (``make_<name>``, see ``Use.factory``) gets its declared result,
    or loses it: a receiver made by it is then known, or not (``facts/instance_attributes``)."""

    module: str
    name: str
    declared: bool

    def apply(self, p: Project) -> str | None:
        k = p.klass(self.module, self.name)
        if k is None or k.factory_declared == self.declared:
            return None
        k.factory_declared = self.declared
        what = "declared" if self.declared else "undeclared"
        return f"factory result {what}: {PKG}.{self.module}.make_{self.name}"


@dataclass
class SetFactoryAsync(Edit):
    """A class's factory (``make_<name>``, see ``Use.factory``) becomes an ``async def``,
    or a ``def`` again: a receiver it makes is then awaited in an ``async def`` handler and
    a coroutine used without ``await`` in a plain one, or an instance again."""

    module: str
    name: str
    is_async: bool

    def apply(self, p: Project) -> str | None:
        k = p.klass(self.module, self.name)
        if k is None or k.factory_async == self.is_async:
            return None
        k.factory_async = self.is_async
        what = "def -> async def" if self.is_async else "async def -> def"
        return f"factory {what}: {PKG}.{self.module}.make_{self.name}"


@dataclass
class SetAgainResult(Edit):
    """A class's ``again()`` (see ``Use.chained``) gets its declared result ``Self``, or
    loses it: a local bound to it is then known, or not (``facts/local_instances``)."""

    module: str
    name: str
    declared: bool

    def apply(self, p: Project) -> str | None:
        k = p.klass(self.module, self.name)
        if k is None or k.again_declared == self.declared:
            return None
        k.again_declared = self.declared
        what = "declared" if self.declared else "undeclared"
        return f"again() result {what}: {PKG}.{self.module}.{self.name}.again"


@dataclass
class SetStore(Edit):
    """A "stored" receiver (``Use.store``) moves between ``__init__`` of the handler's
    class and of its base class, or gets a ``None`` placeholder, or loses it."""

    uid: int
    store: str
    placeholder: bool

    def apply(self, p: Project) -> str | None:
        for ref, _, u in all_uses(p):
            if u.uid == self.uid and u.receiver == "stored":
                if (u.store, u.placeholder) == (self.store, self.placeholder):
                    return None
                u.store, u.placeholder = self.store, self.placeholder
                held = ", None first" if self.placeholder else ""
                return f"store of self.s{u.uid} in {self.store} __init__{held}: {ref}"
        return None


@dataclass
class SetGlobalHome(Edit):
    """A "global" receiver's variable (``Use.home``) moves between the handler's module
    and the class's module."""

    uid: int
    home: str

    def apply(self, p: Project) -> str | None:
        for ref, _, u in all_uses(p):
            if u.uid == self.uid and u.receiver == "global":
                if u.home == self.home:
                    return None
                u.home = self.home
                return f"variable g{u.uid} moved to {global_home(ref, u)}: {ref}"
        return None


@dataclass
class SetUnion(Edit):
    """A "new" receiver becomes the union of its class and another (``Use.union``), or
    its class's instance again (``other`` None)."""

    uid: int
    other: tuple[str, str] | None

    def apply(self, p: Project) -> str | None:
        for ref, _, u in all_uses(p):
            if u.uid == self.uid and u.union != self.other:
                u.union = self.other
                if self.other is None:
                    return f"receiver of call #{u.uid} no longer a union: {ref}"
                member = f"{PKG}.{self.other[0]}.{self.other[1]}"
                return f"receiver of call #{u.uid} made a union with {member}: {ref}"
        return None


@dataclass
class SetInitDeclared(Edit):
    """A class's ``__init__`` (see ``Klass.init_declared``) is declared ``-> None``, or
    not: mypy types its stores, or leaves them to the plugin."""

    module: str
    name: str
    declared: bool

    def apply(self, p: Project) -> str | None:
        k = p.klass(self.module, self.name)
        if k is None or k.init_declared == self.declared:
            return None
        k.init_declared = self.declared
        what = "declared" if self.declared else "undeclared"
        return f"__init__ {what}: {PKG}.{self.module}.{self.name}"


@dataclass
class ToggleAwait(Edit):
    uid: int

    def apply(self, p: Project) -> str | None:
        for ref, h, u in all_uses(p):
            if u.uid == self.uid and (u.awaited or h.is_async):
                u.awaited = not u.awaited
                what = "add" if u.awaited else "remove"
                return f"{what} await: call #{u.uid} ({u.role}) of {_callee_name(u)} in {ref}"
        return None


def _callee_name(u: Use) -> str:
    return f"{PKG}.{u.module}.{u.name}" + (f".{u.method}" if u.method else "")


# The codes a ``# type: ignore`` names (``SetIgnore``): mypy's own for the misuses the
# plugin reports ("" for a bare ignore), and the plugin's.
IGNORE_CODES: Final = (
    "",
    "misc",
    "attr-defined",
    "arg-type",
    "union-attr",
    "operator",
    "index",
    "unused-coroutine",
    "missing-await",
    "await-not-awaitable",
)


@dataclass
class SetIgnore(Edit):
    uid: int
    ignore: str | None

    def apply(self, p: Project) -> str | None:
        for ref, _, u in all_uses(p):
            if u.uid == self.uid and u.ignore != self.ignore:
                u.ignore = self.ignore
                shown = "no ignore" if self.ignore is None else f"ignore[{self.ignore}]"
                return f"{shown}: call #{u.uid} ({u.role}) of {_callee_name(u)} in {ref}"
        return None


@dataclass
class SetReturn(Edit):
    ref: SigRef
    ret: str | None

    def apply(self, p: Project) -> str | None:
        s = find_sig(p, self.ref)
        if s is None or s.ret == self.ret:
            return None
        old, s.ret = s.ret, self.ret
        return f"return annotation {old or '(none)'} -> {self.ret or '(none)'}: {self.ref}"


@dataclass
class SetParam(Edit):
    ref: SigRef
    param: str

    def apply(self, p: Project) -> str | None:
        s = find_sig(p, self.ref)
        if s is None or s.param == "none" or s.param == self.param:
            return None
        s.param = self.param
        return f"parameter {'annotated' if self.param == 'typed' else 'unannotated'}: {self.ref}"


@dataclass
class SetBody(Edit):
    ref: SigRef
    body: str

    def apply(self, p: Project) -> str | None:
        s = find_sig(p, self.ref)
        if not isinstance(s, Func) or s.body == self.body:
            return None
        old, s.body = s.body, self.body
        return f"body returns {old} -> {self.body}: {self.ref}"


@dataclass
class AddUse(Edit):
    ref: SigRef
    use: Use
    next_id: int

    def apply(self, p: Project) -> str | None:
        h = find_sig(p, self.ref)
        if not isinstance(h, Handler) or (self.use.awaited and not h.is_async):
            return None
        use = copy.deepcopy(self.use)
        if use.role == "ret" and any(u.role == "ret" for u in h.uses):
            use.role = "stmt"
        h.uses.append(use)
        p.next_id = max(p.next_id, self.next_id)
        aw = "awaited " if use.awaited else ""
        return (
            f"add {aw}call #{use.uid} ({use.role}, {use.form}) of {_callee_name(use)} in {self.ref}"
        )


@dataclass
class RemoveUse(Edit):
    uid: int

    def apply(self, p: Project) -> str | None:
        for ref, h, u in all_uses(p):
            if u.uid == self.uid:
                h.uses.remove(u)
                return f"remove call #{u.uid} ({u.role}) of {_callee_name(u)} in {ref}"
        return None


@dataclass
class SetImport(Edit):
    module: str
    imported: tuple[str, str | None]
    present: bool

    def apply(self, p: Project) -> str | None:
        m = p.module(self.module)
        if m is None or (self.imported in m.imports) == self.present:
            return None
        if self.present:
            m.imports.append(self.imported)
        else:
            m.imports.remove(self.imported)
        module, name = self.imported
        what = f"{PKG}.{module}" + (f".{name}" if name else "")
        return f"{'add' if self.present else 'remove'} import of {what} in {PKG}.{m.name}"


@dataclass
class SetReexport(Edit):
    name: tuple[str, str]
    present: bool

    def apply(self, p: Project) -> str | None:
        if (self.name in p.reexports) == self.present:
            return None
        if self.present:
            p.reexports.append(self.name)
        else:
            p.reexports.remove(self.name)
        what = f"{PKG}.{self.name[0]}.{self.name[1]}"
        return f"{'add' if self.present else 'remove'} re-export of {what} in {PKG}/__init__.py"


@dataclass
class AddModule(Edit):
    module: Module
    next_id: int

    def apply(self, p: Project) -> str | None:
        if p.module(self.module.name) is not None:
            return None
        p.modules.append(copy.deepcopy(self.module))
        p.next_id = max(p.next_id, self.next_id)
        return f"add module {PKG}.{self.module.name}"


@dataclass
class RemoveModule(Edit):
    name: str

    def apply(self, p: Project) -> str | None:
        m = p.module(self.name)
        if m is None:
            return None
        p.modules.remove(m)
        return f"remove module {PKG}.{self.name}"


@dataclass
class SetFactory(Edit):
    factory: Factory
    present: bool

    def apply(self, p: Project) -> str | None:
        same = [f for f in p.factories if f.target == self.factory.target]
        if self.present:
            if same:
                return None
            p.factories.append(self.factory)
            p.section = True
        else:
            if self.factory not in p.factories:
                return None
            p.factories.remove(self.factory)
        key = "async_factories" if self.factory.is_async else "sync_factories"
        return f"config: {'add' if self.present else 'remove'} {key} entry {self.factory.text}"


@dataclass
class SetCheckAll(Edit):
    value: bool | None

    def apply(self, p: Project) -> str | None:
        if p.section and p.check_all == self.value:
            return None
        p.section = True
        p.check_all = self.value
        shown = "(key removed)" if self.value is None else str(self.value).lower()
        return f"config: check_all_awaits = {shown}"


@dataclass
class DropSection(Edit):
    def apply(self, p: Project) -> str | None:
        if not p.section:
            return None
        p.section, p.factories, p.check_all = False, [], None
        return "config: remove the [mypy_wsplugin] section"


@dataclass
class Touch(Edit):
    path: str

    def __post_init__(self) -> None:
        self.touch = self.path

    def apply(self, p: Project) -> str | None:
        return f"touch {self.path} (no content change)"


# ---------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------

EDIT_WEIGHTS: Final = (
    ("flip", 20),
    ("await", 18),
    ("ret", 10),
    ("param", 4),
    ("body", 5),
    ("add_use", 8),
    ("remove_use", 4),
    ("import", 5),
    ("reexport", 4),
    ("add_module", 3),
    ("remove_module", 2),
    ("config", 12),
    ("touch", 5),
)


# The share of edits that turn a module-level function into a class or back (``SetKind``),
# drawn from a stream of their own.
KIND_EDIT_SHARE: Final = 0.06
# The share of method uses whose receiver a class's factory makes (``Use.factory``), and of
# edits that declare a factory's result or take it away (``SetFactoryResult``), drawn from
# a stream of their own.
FACTORY_USE_SHARE: Final = 0.3
FACTORY_EDIT_SHARE: Final = 0.06
# The share of "local" receivers bound through the class's ``again()`` (``Use.chained``),
# and of edits that declare its result or take it away (``SetAgainResult``), drawn from a
# stream of their own.
CHAIN_USE_SHARE: Final = 0.35
CHAIN_EDIT_SHARE: Final = 0.06
# The share of "local" receivers used under an ``isinstance`` test of their class
# (``Use.tested``), drawn from a stream of its own.
TESTED_USE_SHARE: Final = 0.3
# The share of edits that make a class's factory an ``async def`` or a ``def`` again
# (``SetFactoryAsync``), drawn from a stream of their own.
ASYNC_FACTORY_EDIT_SHARE: Final = 0.08
# The share of edits that put a ``# type: ignore`` on a use, change its code or take it
# away (``SetIgnore``), drawn from a stream of their own.
IGNORE_EDIT_SHARE: Final = 0.1
# The share of method uses in a handler that is a method whose receiver is an attribute
# of ``self`` stored in ``__init__`` (``Use.store``), of those stored by the base class,
# of those with a ``None`` placeholder, and of edits that move a store or declare an
# ``__init__`` (``SetStore``, ``SetInitDeclared``), drawn from a stream of their own.
STORED_USE_SHARE: Final = 0.35
STORED_IN_BASE_SHARE: Final = 0.5
PLACEHOLDER_SHARE: Final = 0.3
STORE_EDIT_SHARE: Final = 0.08
# The share of other method uses whose receiver is a module-level variable (``Use.home``),
# of those held by the class's module, and of edits that move such a variable
# (``SetGlobalHome``), drawn from a stream of their own.
GLOBAL_USE_SHARE: Final = 0.25
GLOBAL_THERE_SHARE: Final = 0.5
GLOBAL_EDIT_SHARE: Final = 0.06
# The share of those variables that are a declared list whose items receive the call.
LOOPED_SHARE: Final = 0.4
# The share of uses through a method handler's ``self`` made in a function nested in the
# handler (``Use.nested``), drawn from a stream of its own.
NESTED_USE_SHARE: Final = 0.3
# The share of "new" receivers typed as a union with another class (``Use.union``), of those
# whose other class has the method too, and of edits that make a receiver a union or take
# the union away (``SetUnion``), drawn from a stream of their own.
UNION_USE_SHARE: Final = 0.25
UNION_WITH_THE_METHOD_SHARE: Final = 0.8
UNION_EDIT_SHARE: Final = 0.06


class Generator:
    def __init__(
        self,
        rng: random.Random,
        receivers: random.Random | None = None,
        kinds: random.Random | None = None,
        factories: random.Random | None = None,
        chains: random.Random | None = None,
        narrowing: random.Random | None = None,
        awaited: random.Random | None = None,
        stores: random.Random | None = None,
        variables: random.Random | None = None,
        nesting: random.Random | None = None,
        unions: random.Random | None = None,
        shapes: random.Random | None = None,
        ignores: random.Random | None = None,
    ) -> None:
        self.rng = rng
        # Streams of their own for how a method's receiver is written and for the edits
        # that change a name's kind, so that the draws of ``rng`` (and with them the
        # programs of seeds recorded before each) stay the same until such an edit.
        self.receivers = receivers or random.Random(0)
        self.kinds = kinds or random.Random(0)
        self.factories = factories or random.Random(0)
        self.chains = chains or random.Random(0)
        self.narrowing = narrowing or random.Random(0)
        self.awaited = awaited or random.Random(0)
        self.stores = stores or random.Random(0)
        self.variables = variables or random.Random(0)
        self.nesting = nesting or random.Random(0)
        self.unions = unions or random.Random(0)
        # Which argument is starred (``print(*x)``) and which condition is a ``match``.
        self.shapes = shapes or random.Random(0)
        # Which uses carry a ``# type: ignore``, and of what (``SetIgnore``).
        self.ignores = ignores or random.Random(0)

    def fresh(self, p: Project, prefix: str) -> str:
        p.next_id += 1
        return f"{prefix}{p.next_id}"

    # -- the initial project ------------------------------------------------------------

    def project(self) -> Project:
        rng = self.rng
        p = Project(check_untyped_defs=rng.random() < 0.1)
        for _ in range(rng.randint(3, 6)):
            self.module(p)
        for _ in range(rng.choice((0, 0, 1, 2))):
            name = self.definition(p)
            if name is not None and name not in p.reexports:
                p.reexports.append(name)
        if rng.random() < 0.6:
            p.section = True
            p.check_all = rng.choice((None, None, True, False))
            for _ in range(rng.choice((0, 1, 1, 2, 3))):
                f = self.factory(p)
                if f is not None and all(x.target != f.target for x in p.factories):
                    p.factories.append(f)
        return p

    def module(self, p: Project) -> Module:
        rng = self.rng
        m = Module(index=max((x.index for x in p.modules), default=-1) + 1)
        p.modules.append(m)
        for _ in range(rng.choice((0, 1, 1, 2))):
            m.classes.append(self.klass(p, m))
        for _ in range(rng.randint(1, 3)):
            m.funcs.append(self.func(p, m, self.fresh(p, rng.choice(FUNC_PREFIXES) + "_")))
        for _ in range(rng.randint(1, 2)):
            m.handlers.append(self.handler(p, m, None))
        for k in m.classes:
            if rng.random() < 0.3:
                k.handlers.append(self.handler(p, m, k))
        return m

    def klass(self, p: Project, m: Module) -> Klass:
        rng = self.rng
        k = Klass(self.fresh(p, "C"), None)
        bases = [(x.name, c.name) for x in p.modules for c in x.classes]
        others = [b for b in bases if b[0] != m.name]
        if bases and rng.random() < 0.55:
            k.base = rng.choice(others) if others and rng.random() < 0.8 else rng.choice(bases)
            inherited = p.method_names(*k.base)
            for name in rng.sample(inherited, rng.randint(0, len(inherited))):
                base_method = p.method(k.base[0], k.base[1], name)
                assert base_method is not None
                k.methods.append(self.func(p, m, name, param=base_method.param))
            if rng.random() < 0.3:
                new = [n for n in METHOD_NAMES if n not in inherited]
                if new:
                    k.methods.append(self.func(p, m, rng.choice(new)))
        else:
            for name in rng.sample(METHOD_NAMES, rng.randint(1, 2)):
                k.methods.append(self.func(p, m, name))
        return k

    def func(self, p: Project, m: Module, name: str, param: str | None = None) -> Func:
        rng = self.rng
        body = self.body(m, name)
        if param is None:
            param = rng.choice(PARAMS)
        return Func(name, rng.random() < 0.5, param, self.func_ret(m, body), body)

    def body(self, m: Module, exclude: str) -> str:
        kind = self.rng.choice(BODIES)
        if kind == "inst":
            classes = [k.name for k in m.classes]
            return f"inst:{self.rng.choice(classes)}" if classes else "int"
        if kind == "call":
            funcs = [f.name for f in m.funcs if f.name != exclude]
            return f"call:{self.rng.choice(funcs)}" if funcs else "int"
        return kind

    def func_ret(self, m: Module, body: str) -> str | None:
        r = self.rng.random()
        if r < 0.35:
            return None
        kind, _, target = body.partition(":")
        if r < 0.85:
            if kind == "inst":
                return target
            return BODY_RET.get(kind, "object")
        if self.rng.random() < 0.2 and m.classes:
            return self.rng.choice(m.classes).name
        return self.rng.choice(FUNC_RETS)

    def handler(self, p: Project, m: Module, k: Klass | None) -> Handler:
        rng = self.rng
        name = self.fresh(p, "handle" if k is not None else "h")
        if rng.random() < 0.45:  # unannotated
            h = Handler(name, rng.random() < 0.9, rng.choice(("none", "untyped")), None)
        else:
            param = rng.choice(PARAMS)
            ret = rng.choice(HANDLER_RETS) if param != "typed" or rng.random() < 0.7 else None
            h = Handler(name, rng.random() < 0.85, param, ret)
        for _ in range(rng.randint(1, 4)):
            u = self.use(p, m, k, h)
            if u is not None:
                h.uses.append(u)
        return h

    def targets(self, p: Project, m: Module, k: Klass | None) -> list[tuple[str, str, str | None]]:
        out: list[tuple[str, str, str | None]] = []
        for x in p.modules:
            if x.index > m.index and self.rng.random() < 0.85:
                continue  # mostly imports of earlier modules: few import cycles
            out += [(x.name, f.name, None) for f in x.funcs]
            for c in x.classes:
                out += [(x.name, c.name, meth) for meth in p.method_names(x.name, c.name)]
        return out

    def use(self, p: Project, m: Module, k: Klass | None, h: Handler) -> Use | None:
        rng = self.rng
        targets = self.targets(p, m, k)
        own = [] if k is None else p.method_names(m.name, k.name)
        method: str | None
        if own and (not targets or rng.random() < 0.4):
            module, name, method, form = m.name, k.name if k else "", rng.choice(own), "self"
        elif targets:
            module, name, method = rng.choice(targets)
            form = "local" if module == m.name else rng.choice(FORMS)
        else:
            return None
        has_ret = any(u.role == "ret" for u in h.uses)
        role = rng.choice([r for r in ROLES if r != "ret" or not has_ret])
        shape = self.shapes.random()
        if shape < 0.3:
            # One draw: a tenth of the arguments unpacked with ``**`` (the rest starred), of
            # the conditions ordered (the rest matched), of the statements a ``with``.
            role = _RARER_SHAPE_OF.get(role, role) if shape < 0.1 else _SHAPE_OF.get(role, role)
        use = Use(self.next_uid(p), module, name, method, form, role, False)
        if role in ("attr", "assign") and rng.random() < 0.25:
            use.attr = rng.choice(("close", "send", "cr_frame"))  # also the coroutine's own
        if method is not None and form != "self" and self.receivers.random() < 0.4:
            use.receiver = "local"
        if method is not None and form != "self":
            use.factory = self.factories.random() < FACTORY_USE_SHARE
        if use.receiver == "local":
            use.chained = self.chains.random() < CHAIN_USE_SHARE
            use.tested = self.narrowing.random() < TESTED_USE_SHARE
        in_method = k is not None and method is not None and form != "self"
        if in_method and self.stores.random() < STORED_USE_SHARE:
            use.receiver, use.factory, use.chained, use.tested = "stored", False, False, False
            use.store = "base" if self.stores.random() < STORED_IN_BASE_SHARE else "own"
            use.placeholder = self.stores.random() < PLACEHOLDER_SHARE
        elif method is not None and form != "self" and self.variables.random() < GLOBAL_USE_SHARE:
            use.receiver, use.factory, use.chained, use.tested = "global", False, False, False
            use.home = "there" if self.variables.random() < GLOBAL_THERE_SHARE else "here"
            use.looped = self.variables.random() < LOOPED_SHARE
        if k is not None and (form == "self" or use.receiver == "stored"):
            use.nested = self.nesting.random() < NESTED_USE_SHARE
        if may_be_union(use) and self.unions.random() < UNION_USE_SHARE:
            use.union = self.draw_union_member(p, m, use)
        callee = p.callee(use)
        if h.is_async:
            use.awaited = rng.random() < (0.7 if callee is not None and callee.is_async else 0.3)
        return use

    def draw_union_member(self, p: Project, m: Module, u: Use) -> tuple[str, str] | None:
        """Another class for the union receiver of ``u`` in module ``m``: from ``m`` or an
        earlier module (few import cycles), mostly one that has the method too."""
        others = [
            (x.name, c.name)
            for x in p.modules
            for c in x.classes
            if (x.name, c.name) != (u.module, u.name) and x.index <= m.index
        ]
        having = [o for o in others if u.method in p.method_names(*o)]
        if having and self.unions.random() < UNION_WITH_THE_METHOD_SHARE:
            return self.unions.choice(having)
        return self.unions.choice(others) if others else None

    def next_uid(self, p: Project) -> int:
        p.next_id += 1
        return p.next_id

    def definition(self, p: Project) -> tuple[str, str] | None:
        names = [(m.name, f.name) for m in p.modules for f in m.funcs]
        names += [(m.name, k.name) for m in p.modules for k in m.classes]
        return self.rng.choice(names) if names else None

    def factory(self, p: Project) -> Factory | None:
        rng = self.rng
        funcs = [(m.name, None, f) for m in p.modules for f in m.funcs]
        methods = [(m.name, k.name, f) for m in p.modules for k in m.classes for f in k.methods]
        pool = funcs + methods
        if not pool:
            return None
        module, cls, f = rng.choice(pool)
        exact = f"{PKG}.{module}." + (f"{cls}." if cls else "") + f.name
        if rng.random() < 0.6:
            target = exact
            is_async = f.is_async if rng.random() < 0.75 else not f.is_async
        else:
            prefix = f.name.partition("_")[0]
            globs = [f"{PKG}.*.{f.name}", f"{PKG}.{module}.*", f"{PKG}.m?.{f.name}"]
            globs += [f"{PKG}.*.{prefix}_*"] if cls is None else [f"{PKG}.*.{cls}.*"]
            target = rng.choice(globs)
            is_async = rng.random() < 0.5
        result = None
        classes = [(m.name, k.name) for m in p.modules for k in m.classes]
        if rng.random() < 0.5:
            if classes and rng.random() < 0.9:
                rm, rk = rng.choice(classes)
                result = f"{PKG}.{rm}.{rk}"
            else:
                result = f"{PKG}.{module}.Missing"
        return Factory(target, result, is_async)

    # -- edits --------------------------------------------------------------------------

    def edit(self, p: Project, files: Sequence[str]) -> Edit | None:
        if self.kinds.random() < KIND_EDIT_SHARE:
            defined = [(m.name, d.name, d.is_class) for m in p.modules for d in m.funcs]
            if defined:
                module, func_name, is_class = self.kinds.choice(defined)
                return SetKind(module, func_name, not is_class)
        if self.factories.random() < FACTORY_EDIT_SHARE:
            made = sorted({(u.module, u.name) for _, _, u in all_uses(p) if u.factory})
            classes = [(m, n, k) for m, n in made if (k := p.klass(m, n)) is not None]
            if classes:
                module, name, k = self.factories.choice(classes)
                return SetFactoryResult(module, name, not k.factory_declared)
        if self.awaited.random() < ASYNC_FACTORY_EDIT_SHARE:
            made = sorted({(u.module, u.name) for _, _, u in all_uses(p) if u.factory})
            classes = [(m, n, k) for m, n in made if (k := p.klass(m, n)) is not None]
            if classes:
                module, name, k = self.awaited.choice(classes)
                return SetFactoryAsync(module, name, not k.factory_async)
        if self.stores.random() < STORE_EDIT_SHARE:
            stored = [(ref, u) for ref, _, u in all_uses(p) if u.receiver == "stored"]
            if stored:
                ref, u = self.stores.choice(stored)
                if self.stores.random() < 0.4:
                    holder = storing_class(p, ref, u)
                    k = p.klass(*holder) if holder is not None else None
                    if holder is not None and k is not None:
                        return SetInitDeclared(holder[0], holder[1], not k.init_declared)
                if self.stores.random() < 0.5:
                    return SetStore(u.uid, "own" if u.store == "base" else "base", u.placeholder)
                return SetStore(u.uid, u.store, not u.placeholder)
        if self.variables.random() < GLOBAL_EDIT_SHARE:
            # Only where the two homes differ: the handler's module is not the class's.
            held = [u for r, _, u in all_uses(p) if u.receiver == "global" and r.module != u.module]
            if held:
                u = self.variables.choice(held)
                return SetGlobalHome(u.uid, "there" if u.home == "here" else "here")
        if self.unions.random() < UNION_EDIT_SHARE:
            candidates = [(ref, u) for ref, _, u in all_uses(p) if may_be_union(u)]
            if candidates:
                ref, u = self.unions.choice(candidates)
                m = p.module(ref.module)
                if u.union is not None:
                    return SetUnion(u.uid, None)
                member = self.draw_union_member(p, m, u) if m is not None else None
                if member is not None:
                    return SetUnion(u.uid, member)
        if self.ignores.random() < IGNORE_EDIT_SHARE:
            uses = all_uses(p)
            if uses:
                u = self.ignores.choice(uses)[2]
                if u.ignore is not None and self.ignores.random() < 0.4:
                    return SetIgnore(u.uid, None)
                return SetIgnore(u.uid, self.ignores.choice(IGNORE_CODES))
        if self.chains.random() < CHAIN_EDIT_SHARE:
            made = sorted({(u.module, u.name) for _, _, u in all_uses(p) if _is_chained(u)})
            classes = [(m, n, k) for m, n in made if (k := p.klass(m, n)) is not None]
            if classes:
                module, name, k = self.chains.choice(classes)
                return SetAgainResult(module, name, not k.again_declared)
        rng = self.rng
        kinds = [k for k, _ in EDIT_WEIGHTS]
        kind = rng.choices(kinds, weights=[w for _, w in EDIT_WEIGHTS])[0]
        sigs = all_sigs(p)
        uses = all_uses(p)
        if kind == "flip" and sigs:
            return FlipAsync(rng.choice(sigs)[0])
        if kind == "await" and uses:
            return ToggleAwait(rng.choice(uses)[2].uid)
        if kind == "ret" and sigs:
            ref, s = rng.choice(sigs)
            if isinstance(s, Handler):
                return SetReturn(ref, rng.choice((None, *HANDLER_RETS)))
            m = p.module(ref.module)
            assert m is not None and isinstance(s, Func)
            return SetReturn(ref, self.func_ret(m, s.body) if rng.random() < 0.7 else None)
        if kind == "param":
            typed = [(r, s) for r, s in sigs if s.param != "none"]
            if typed:
                ref, s = rng.choice(typed)
                return SetParam(ref, "untyped" if s.param == "typed" else "typed")
        if kind == "body":
            funcs = [(r, s) for r, s in sigs if isinstance(s, Func)]
            if funcs:
                ref, s = rng.choice(funcs)
                m = p.module(ref.module)
                assert m is not None
                return SetBody(ref, self.body(m, s.name))
        if kind == "add_use":
            handlers = all_handlers(p)
            if handlers:
                ref, h = rng.choice(handlers)
                m = p.module(ref.module)
                assert m is not None
                k = p.klass(ref.module, ref.cls) if ref.cls else None
                trial = copy.deepcopy(p)
                use = self.use(trial, m, k, h)
                if use is not None:
                    return AddUse(ref, use, trial.next_id)
        if kind == "remove_use" and uses:
            return RemoveUse(rng.choice(uses)[2].uid)
        if kind == "import" and len(p.modules) > 1:
            m = rng.choice(p.modules)
            existing = [i for x in p.modules for i in x.imports]
            if existing and rng.random() < 0.4:
                holders = [x for x in p.modules if x.imports]
                x = rng.choice(holders)
                return SetImport(x.name, rng.choice(x.imports), False)
            other = rng.choice([x for x in p.modules if x is not m])
            names: list[str | None] = [None, *(f.name for f in other.funcs)]
            names += [k.name for k in other.classes]
            return SetImport(m.name, (other.name, rng.choice(names)), True)
        if kind == "reexport":
            if p.reexports and rng.random() < 0.4:
                return SetReexport(rng.choice(p.reexports), False)
            definition = self.definition(p)
            if definition is not None:
                return SetReexport(definition, True)
        if kind == "add_module":
            trial = copy.deepcopy(p)
            m = self.module(trial)
            return AddModule(copy.deepcopy(m), trial.next_id)
        if kind == "remove_module" and len(p.modules) > 2:
            return RemoveModule(rng.choice(p.modules).name)
        if kind == "config":
            r = rng.random()
            if r < 0.4:
                f = self.factory(p)
                return None if f is None else SetFactory(f, True)
            if r < 0.65 and p.factories:
                return SetFactory(rng.choice(p.factories), False)
            if r < 0.92:
                return SetCheckAll(rng.choice([v for v in (None, True, False) if v != p.check_all]))
            return DropSection()
        if kind == "touch":
            return Touch(rng.choice(sorted(files)))
        return None


def generate(seed: int, length: int) -> tuple[Project, list[Edit]]:
    """The initial project and ``length`` edits, each changing a file or touching one."""
    gen = Generator(
        random.Random(seed),
        random.Random(f"receivers-{seed}"),
        random.Random(f"kinds-{seed}"),
        random.Random(f"factories-{seed}"),
        random.Random(f"chains-{seed}"),
        random.Random(f"narrowing-{seed}"),
        random.Random(f"awaited-{seed}"),
        random.Random(f"stores-{seed}"),
        random.Random(f"variables-{seed}"),
        random.Random(f"nesting-{seed}"),
        random.Random(f"unions-{seed}"),
        random.Random(f"shapes-{seed}"),
        random.Random(f"ignores-{seed}"),
    )
    initial = gen.project()
    p = copy.deepcopy(initial)
    files = render(p)
    edits: list[Edit] = []
    attempts = 0
    while len(edits) < length and attempts < 100 * (length + 1):
        attempts += 1
        e = gen.edit(p, list(files))
        if e is None:
            continue
        trial = copy.deepcopy(p)
        if e.apply(trial) is None:
            continue
        trial_files = render(trial)
        if trial_files == files and e.touch is None:
            continue
        p, files = trial, trial_files
        edits.append(e)
    return initial, edits


@dataclass(frozen=True)
class Snapshot:
    files: dict[str, str]
    note: str
    touched: frozenset[str] = frozenset()


def snapshots(initial: Project, edits: Sequence[Edit]) -> list[Snapshot]:
    """The project's files at each step; an edit that does nothing makes no step."""
    p = copy.deepcopy(initial)
    out = [Snapshot(render(p), "the initial project")]
    for e in edits:
        note = e.apply(p)
        if note is None:
            continue
        files = render(p)
        touched = frozenset([e.touch]) if e.touch is not None and e.touch in files else frozenset()
        if files == out[-1].files and not touched:
            continue
        out.append(Snapshot(files, note, touched))
    return out


# ---------------------------------------------------------------------------------------
# Running mypy
# ---------------------------------------------------------------------------------------


class Mode(Enum):
    # The reference: a run in which every module of the project is new, from a cache of the
    # standard library's stubs alone, as the other modes' first step does: mypy parses every
    # module of the project before it checks any, so the plugin reads the whole program up
    # front (facts/awaited_names), as in a run with no cache.  A run with no cache costs five
    # times as much (the stubs' closure parsed and analysed again): make fuzz's
    # --no-cache-every-step runs every cold step that way.
    COLD = "cold"
    WARM = "warm"
    DAEMON = "daemon"
    PARALLEL = "parallel"


HISTORY_MODES: Final = (Mode.WARM, Mode.DAEMON, Mode.PARALLEL)
# Modes that depend on the files alone, not on the runs before (memoised by content).
STATELESS: Final = (Mode.COLD,)
SUMMARY: Final = re.compile(r"^(Found \d+ errors? in \d+ files?|Success: no issues found)")
# mypy prints this hint once per run, after the first missing import it reports: which module
# gets it depends on what the run re-checked, so it is not compared.
ONCE_PER_RUN: Final = re.compile(
    r": note: See https://mypy\.readthedocs\.io/en/stable/running_mypy\.html#missing-imports$"
)
CRASH_MARKERS: Final = ("Traceback (most recent call last)", "INTERNAL ERROR", "Daemon crashed")


class Tool:
    """The Python interpreter whose mypy (and plugin) is used."""

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("MYPYPATH", "MYPY_CACHE_DIR", "MYPY_NUM_WORKERS", "MYPY_FORCE_COLOR")
        }
        self._stdlib_lock = threading.Lock()
        self._stdlib_dir: Path | None = None

    def stdlib_cache(self, config: str) -> Path:
        """A mypy cache holding only the standard library's stubs for ``config``'s ``[mypy]``
        section, made once per process: where the ``warm`` and ``parallel`` histories start,
        as a user's cache does after a first run, and the ``cold`` reference at every step (none
        of the project's modules is in it)."""
        section = config.split("\n[", 1)[0].strip() + "\n"
        key = hashlib.sha256(section.encode()).hexdigest()[:16]
        with self._stdlib_lock:
            if self._stdlib_dir is None:
                self._stdlib_dir = Path(tempfile.mkdtemp(prefix="wsplugin-stdlib-"))
                atexit.register(shutil.rmtree, self._stdlib_dir, ignore_errors=True)
            cache = self._stdlib_dir / key
            if not cache.exists():
                project = self._stdlib_dir / f"{key}-project"
                (project / "stdlib_seed").mkdir(parents=True)
                (project / "stdlib_seed" / "__init__.py").write_text("import asyncio\n")
                (project / CONFIG).write_text(section)
                seeded = self.run(
                    ["-m", "mypy", *MYPY_FLAGS, "--cache-dir", str(cache), "stdlib_seed"], project
                )
                if seeded.returncode != 0:  # no cache to start from: the run says why
                    shutil.rmtree(cache, ignore_errors=True)
                    cache.mkdir()
            return cache

    def seed_cache(self, config: str, cache: Path) -> Path:
        """Make ``cache`` a copy of :meth:`stdlib_cache` for ``config``: where a user's cache
        starts (the standard library's stubs, none of the project's modules)."""
        shutil.copytree(self.stdlib_cache(config), cache)
        return cache

    def run(self, args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        try:
            return run_python(
                self.python,
                args,
                cwd=cwd,
                env=self.env,
                timeout=TIMEOUT,
                start_new_session=True,  # Ctrl-C stops the harness, not a mypy mid-run
            )
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or ""
            return subprocess.CompletedProcess(e.cmd, -9, out, f"timed out after {TIMEOUT} s")

    @cached_property
    def version(self) -> str:
        return self.run(["-m", "mypy", "--version"], Path.cwd()).stdout.strip()

    @cached_property
    def has_workers(self) -> bool:
        """Whether this mypy has ``-n``/``--num-workers`` (parallel workers, mypy >= 2.4)."""
        return "--num-workers" in self.run(["-m", "mypy", "--help"], Path.cwd()).stdout

    def modes(self) -> tuple[Mode, ...]:
        return HISTORY_MODES if self.has_workers else (Mode.WARM, Mode.DAEMON)


@cache
def running_tool() -> Tool:
    """The :class:`Tool` of the running interpreter, one per process: the tests of a worker
    share its caches of the standard library's stubs (each made once per ``[mypy]`` section)."""
    return Tool(sys.executable)


def with_stubs(root: Path, cache: str) -> str:
    """``root/cache``, made to hold the standard library's stubs for ``root/mypy.ini`` (as a
    user's cache does after a first run): none of the project's modules is in it, and mypy
    analyses the stubs only once per process (:func:`running_tool`).  Returns ``cache``."""
    running_tool().seed_cache((root / "mypy.ini").read_text(), root / cache)
    return cache


@dataclass
class Output:
    lines: list[str]
    crash: str | None  # why the run counts as a crash
    text: str  # stdout and stderr as printed
    seconds: float


def parse_output(result: subprocess.CompletedProcess[str], seconds: float) -> Output:
    text = result.stdout + (f"\n[stderr]\n{result.stderr}" if result.stderr.strip() else "")
    crash = None
    if result.returncode not in (0, 1):
        crash = f"exit status {result.returncode}"
    marker = next((m for m in CRASH_MARKERS if m in text), None)
    if marker is not None:
        crash = f"{crash}, {marker}" if crash else marker
    lines = [
        line
        for line in result.stdout.splitlines()
        if line.strip() and not SUMMARY.match(line) and not ONCE_PER_RUN.search(line)
    ]
    return Output(sorted(lines), crash, text, seconds)


class ModeRun:
    """One mode of one variant (plugin or plain), in a directory of its own."""

    def __init__(
        self,
        tool: Tool,
        root: Path,
        mode: Mode,
        plain: bool,
        restart_on_config: bool,
        origin: int = 0,
        no_cache: bool = False,
    ) -> None:
        self.tool = tool
        self.root = root
        self.mode = mode
        self.plain = plain
        self.restart_on_config = restart_on_config
        self.disk: dict[str, str] = {}
        self.origin = origin  # the step its history (cache, daemon) starts at
        self.step = origin - 1  # the last step synced
        self.last: Output | None = None  # the output at ``self.step``
        self.events: list[str] = []
        self.daemon_started = False
        self.seconds = 0.0
        # A cold run starts with no cache at all (--no-cache-every-step), else from the
        # standard library's stubs cached (Mode.COLD).
        self.no_cache = no_cache
        # A cold run depends on the files alone: the same files (a touch, an edit undone)
        # give the same output.
        self.memo: dict[tuple[tuple[str, str], ...], Output] = {}
        root.mkdir(parents=True, exist_ok=True)

    @property
    def has_history(self) -> bool:
        return self.mode not in STATELESS

    def sync(self, snap: Snapshot, step: int) -> None:
        files = dict(snap.files)
        if self.plain and CONFIG in files:
            files[CONFIG] = plain_config(files[CONFIG])
        mtime = MTIME0 + STEP_SECONDS * step
        for path in sorted(set(self.disk) - set(files)):
            (self.root / path).unlink(missing_ok=True)
        for path, text in sorted(files.items()):
            changed = self.disk.get(path) != text
            if changed or path in snap.touched:
                target = self.root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                if changed:
                    target.write_text(text)
                os.utime(target, (mtime, mtime))
        self.disk = files
        self.step = step

    def check(self, step: int, config_edit: bool) -> Output:
        key = None
        if self.mode in STATELESS:
            key = tuple(sorted(self.disk.items()))
            known = self.memo.get(key)
            if known is not None:
                self.last = known
                return known
        start = time.perf_counter()
        result = self._check(step, config_edit)
        seconds = time.perf_counter() - start
        self.seconds += seconds
        self.last = parse_output(result, seconds)
        if key is not None:
            self.memo[key] = self.last
        return self.last

    def repeats(self, cold: ModeRun) -> bool:
        """Whether this run's next check is ``cold``'s own command on the same files: the
        first step of a ``warm`` history (a copy of the standard library's stubs cached, every
        module of the project new, ``--cache-dir`` its own), as the cold reference runs at every
        step (not with ``--no-cache-every-step``)."""
        return (
            self.mode is Mode.WARM
            and self.last is None
            and self.plain == cold.plain
            and not cold.no_cache
            and not (self.root / ".cache").exists()
        )

    def adopt(self, output: Output) -> Output:
        """Take ``output`` as this stateless run's answer for the files on disk, where another
        run gave it with the same command on the same files (:meth:`repeats`)."""
        assert self.mode in STATELESS
        self.memo[tuple(sorted(self.disk.items()))] = output
        self.last = output
        return output

    def _check(self, step: int, config_edit: bool) -> subprocess.CompletedProcess[str]:
        cache = self.root / ".cache"
        mypy = ["-m", "mypy", *MYPY_FLAGS]
        if self.mode in STATELESS:
            shutil.rmtree(cache, ignore_errors=True)
            if not self.no_cache:
                self.tool.seed_cache(self.disk.get(CONFIG, ""), cache)
            try:
                return self.tool.run([*mypy, "--cache-dir", str(cache), PKG], self.root)
            finally:
                shutil.rmtree(cache, ignore_errors=True)
        if self.mode in (Mode.WARM, Mode.PARALLEL) and not cache.exists():
            # A history starts where a user's cache does: the standard library's stubs in it
            # (valid only for the same [mypy] section; mypy re-analyses them otherwise).
            self.tool.seed_cache(self.disk.get(CONFIG, ""), cache)
        if self.mode is Mode.WARM:
            return self.tool.run([*mypy, "--cache-dir", str(cache), PKG], self.root)
        if self.mode is Mode.PARALLEL:
            return self.tool.run([*mypy, "-n", "2", "--cache-dir", str(cache), PKG], self.root)
        flags = ["--", *MYPY_FLAGS, "--cache-dir", str(cache)]
        if not self.daemon_started:
            self.daemon_started = True
            started = self._dmypy("start", "--timeout", "1800", *flags)
            if started.returncode != 0:
                return started
        elif config_edit and self.restart_on_config:
            variant = "plain" if self.plain else "plugin"
            self.events.append(
                f"step {step}: {variant} {self.mode.value} restarted after a config edit "
                "(RESTART_DAEMON_ON_CONFIG_EDIT)"
            )
            restarted = self._dmypy("restart", "--timeout", "1800", *flags)
            if restarted.returncode != 0:
                return restarted
        checked = self._dmypy("check", PKG)
        if config_edit and not self.restart_on_config and RESTART_NOTICE.search(checked.stdout):
            # Without the switch a config edit must take effect, or the daemon must say
            # (once) that it needs a restart: then it is restarted, as a user would.
            variant = "plain" if self.plain else "plugin"
            self.events.append(
                f"step {step}: {variant} {self.mode.value} asked for a restart after a config "
                "edit, and was restarted"
            )
            restarted = self._dmypy("restart", "--timeout", "1800", *flags)
            if restarted.returncode != 0:
                return restarted
            checked = self._dmypy("check", PKG)
        return checked

    def _dmypy(self, *args: str) -> subprocess.CompletedProcess[str]:
        status = str(self.root / ".dmypy.json")
        return self.tool.run(["-m", "mypy.dmypy", "--status-file", status, *args], self.root)

    def close(self) -> None:
        if self.daemon_started and (self.root / ".dmypy.json").exists():
            self._dmypy("kill")

    def catch_up(self, snaps: Sequence[Snapshot], step: int) -> Output:
        """Bring this run to ``step`` the way it would have got there in lockstep."""
        if self.step == step and self.last is not None:
            return self.last
        if self.has_history:
            for i in range(self.step + 1, step):
                self.sync(snaps[i], i)
                out = self.check(i, config_edit(snaps, i))
                if out.crash:
                    return out  # cannot go on: the history is broken
        self.sync(snaps[step], step)
        return self.check(step, config_edit(snaps, step))


def config_edit(snaps: Sequence[Snapshot], step: int) -> bool:
    return step > 0 and snaps[step].files.get(CONFIG) != snaps[step - 1].files.get(CONFIG)


# ---------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------

CODE: Final = re.compile(r"\[([a-z][a-z-]*)\]$")


@dataclass
class Divergence:
    mode: Mode
    crash: str | None = None  # the crash's last line
    crash_text: str = ""
    missing: list[str] = field(default_factory=list)  # cold's lines the mode lacks
    extra: list[str] = field(default_factory=list)  # the mode's lines cold lacks
    plain_note: str = ""  # what plain mypy showed for the same step

    def signature(self) -> tuple[str, ...]:
        if self.crash is not None:
            return (self.mode.value, "crash", self.crash)
        codes = {f"-{m.group(1)}" for line in self.missing if (m := CODE.search(line))}
        codes |= {f"+{m.group(1)}" for line in self.extra if (m := CODE.search(line))}
        return (self.mode.value, "diff", *sorted(codes))

    def describe(self) -> str:
        if self.crash is not None:
            lines = [f"{self.mode.value}: CRASH ({self.crash})"]
            lines += [f"    {line}" for line in self.crash_text.strip().splitlines()[-40:]]
        else:
            lines = [f"{self.mode.value} differs from cold:"]
            lines += [f"  - {line}   (cold only)" for line in self.missing]
            lines += [f"  + {line}   ({self.mode.value} only)" for line in self.extra]
        if self.plain_note:
            lines.append(f"  plain mypy: {self.plain_note}")
        return "\n".join(lines)


FRAME: Final = re.compile(r'File "([^"]+)", line \d+, in (\w+)')


def crash_line(text: str) -> str:
    """A crash's exception (the traceback's last line) and where: the plugin's frames, or
    mypy's innermost one; else the output's last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    frames = [(Path(m.group(1)).stem, m.group(2)) for line in lines if (m := FRAME.search(line))]
    plugin_frames = [
        f"{Path(m.group(1)).stem}.{m.group(2)}"
        for line in lines
        if (m := FRAME.search(line)) and "mypy_wsplugin" in m.group(1)
    ]
    where = plugin_frames or [f"{module}.{func}" for module, func in frames[-1:]]
    for line in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception|Exit)\b", line):
            return f"{line[:160]} [{'>'.join(where)}]" if where else line[:160]
    return (lines[-1] if lines else "(no output)")[:200]


def line_diff(cold: list[str], other: list[str]) -> tuple[Counter[str], Counter[str]]:
    c, o = Counter(cold), Counter(other)
    return c - o, o - c


def in_the_plugins_words(
    plain: tuple[list[str], list[str]], plugin: tuple[list[str], list[str]]
) -> tuple[Counter[str], Counter[str]]:
    """Plain mypy's difference between cold and a mode (lines missing, lines extra), with
    the plugin's findings that replace mypy's errors added where those errors differ: when
    plain mypy's mode lacks an error that the plugin's cold run replaces by its finding
    (``tests/relabel.py``), the plugin's mode lacking that finding is the same difference
    (mypy's daemon misses the error whatever its code); likewise for an extra error and
    the plugin's mode.  ``plain`` and ``plugin`` are the (cold, mode) outputs of each
    variant."""
    missing, extra = line_diff(*plain)
    for index, differ in ((0, missing), (1, extra)):
        for mypy_lines, findings in classify(plain[index], plugin[index]).replaced:
            if mypy_lines and all(differ[line] > 0 for line in mypy_lines):
                differ.update(findings)
    return missing, extra


@dataclass
class Failure:
    seed: int | None
    step: int
    snaps: list[Snapshot]  # steps 0..step
    divergences: list[Divergence]
    events: list[str]
    version: str
    origins: dict[str, int] = field(default_factory=dict)  # where the modes' histories start

    def signature(self) -> tuple[tuple[str, ...], ...]:
        return tuple(sorted(d.signature() for d in self.divergences))

    def headline(self) -> str:
        what = "; ".join(" ".join(d.signature()) for d in self.divergences)
        seed = f"seed {self.seed}, " if self.seed is not None else ""
        return f"{seed}step {self.step}: {what}"

    def report(self) -> str:
        out = [f"=== edit-sequence divergence: {self.headline()} ({self.version})"]
        if self.seed is not None:
            out.append(
                f"replay: python -m tests.edit_sequences --seed {self.seed} --length {self.step}"
            )
        out.append("steps:")
        out += [f"  {i}: {s.note}" for i, s in enumerate(self.snaps)]
        if self.events:
            out.append("events:")
            out += [f"  {e}" for e in self.events]
        for mode, origin in sorted(self.origins.items()):
            if origin:
                out.append(f"{mode}: history (cache, daemon) started afresh at step {origin}")
        out.append(f"at step {self.step}:")
        out += [d.describe() for d in self.divergences]
        out.append(f"files at step {self.step}:")
        for path, text in sorted(self.snaps[-1].files.items()):
            out.append(f"--- {path}")
            out += [f"    {line}" for line in text.splitlines()]
        out.append("changes step by step:")
        for i in range(1, len(self.snaps)):
            out.append(f"step {i}: {self.snaps[i].note}")
            out += file_diff(self.snaps[i - 1].files, self.snaps[i].files)
        return "\n".join(out)

    def dump(self, directory: Path) -> None:
        """Write ``report.txt`` and each step's files (``step-NNN/``), replayable with
        ``--replay-dir``."""
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        (directory / "report.txt").write_text(self.report() + "\n")
        write_snapshots(directory, self.snaps)


def file_diff(old: dict[str, str], new: dict[str, str]) -> list[str]:
    out: list[str] = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        out += [
            f"    {line}"
            for line in difflib.unified_diff(
                (a or "").splitlines(),
                (b or "").splitlines(),
                f"a/{path}" if a is not None else "/dev/null",
                f"b/{path}" if b is not None else "/dev/null",
                lineterm="",
                n=1,
            )
        ]
    return out


def write_snapshots(directory: Path, snaps: Sequence[Snapshot]) -> None:
    for i, snap in enumerate(snaps):
        step = directory / f"step-{i:03d}"
        for path, text in snap.files.items():
            (step / path).parent.mkdir(parents=True, exist_ok=True)
            (step / path).write_text(text)
        (step / ".note").write_text(snap.note + "\n")
        if snap.touched:
            (step / ".touched").write_text("".join(f"{t}\n" for t in sorted(snap.touched)))


def read_snapshots(directory: Path) -> list[Snapshot]:
    snaps: list[Snapshot] = []
    for step in sorted(directory.glob("step-*")):
        files = {
            str(f.relative_to(step)): f.read_text()
            for f in sorted(step.rglob("*"))
            if f.is_file() and not f.name.startswith(".")
        }
        note_file, touched_file = step / ".note", step / ".touched"
        note = note_file.read_text().strip() if note_file.exists() else step.name
        touched = touched_file.read_text().split() if touched_file.exists() else []
        snaps.append(Snapshot(files, note, frozenset(touched)))
    return snaps


@dataclass
class SequenceResult:
    steps: int  # steps checked (the initial project is step 0)
    failures: list[Failure]
    seconds: dict[str, float]  # per run: "cold", "warm", ..., plain twins as "plain-<mode>"
    plain_steps: int  # steps on which plain mypy was consulted
    events: list[str]
    mypy_own: list[str]  # crashes and differences plain mypy shows too (not failures)
    dropped: list[str]  # modes no longer run (CRASHES_BEFORE_DROPPING)
    known: list[str]  # divergences matching --known patterns
    cold: list[list[str]]  # what the cold run printed at each step (its error lines)

    def report(self) -> str:
        return "\n\n".join([*(f.report() for f in self.failures), *self.dropped])


class SequenceRun:
    """Run ``snaps`` step by step in every mode.

    A mode that diverges (or crashes) at a step is recorded and starts a new history at the
    next step (a new cache directory, a new daemon), and so does its plain twin: the rest of
    the sequence is still checked, and one bug is not reported again at every later step.
    """

    def __init__(
        self,
        tool: Tool,
        workdir: Path,
        snaps: Sequence[Snapshot],
        *,
        modes: Sequence[Mode] | None = None,
        seed: int | None = None,
        restart_on_config: bool = RESTART_DAEMON_ON_CONFIG_EDIT,
        log: bool = False,
        stop: Callable[[Failure], bool] | None = None,
        known: Sequence[str] = (),
        no_cache_every_step: bool = False,
    ) -> None:
        self.tool = tool
        self.workdir = workdir
        self.snaps = snaps
        # Whether the cold runs have no cache at all (Mode.COLD).
        self.no_cache = no_cache_every_step
        self.modes = tuple(tool.modes() if modes is None else modes)
        self.seed = seed
        self.restart = restart_on_config
        self.log = log
        self.stop = stop  # stop at a failure it accepts
        self.known = tuple(known)  # signature patterns not reported (make fuzz --known)
        self.known_hits: list[str] = []
        self.generation: Counter[str] = Counter()
        self.plugin = {m: self._new(m, plain=False, origin=0) for m in (Mode.COLD, *self.modes)}
        self.plain: dict[Mode, ModeRun] = {}
        self.closed: list[ModeRun] = []
        self.plain_steps = 0
        self.mypy_own: list[str] = []  # what plain mypy does just the same (not blamed)
        self.crashes: Counter[tuple[Mode, str]] = Counter()
        self.dropped: list[str] = []  # modes not run any more, and why
        self.broken: set[Mode] = set()  # modes to restart: mypy's own crash
        self.cold: list[list[str]] = []  # the cold run's lines at each step

    def _new(self, mode: Mode, plain: bool, origin: int) -> ModeRun:
        name = f"{'plain' if plain else 'plugin'}-{mode.value}"
        self.generation[name] += 1
        root = self.workdir / f"{name}-{self.generation[name]}"
        no_cache = self.no_cache and mode is Mode.COLD
        return ModeRun(self.tool, root, mode, plain, self.restart, origin, no_cache)

    def twin(self, mode: Mode) -> ModeRun:
        """The plain-mypy twin of a mode, started (and replayed from the step the mode's
        history starts at) when first asked for."""
        if mode not in self.plain:
            self.plain[mode] = self._new(mode, plain=True, origin=self.plugin[mode].origin)
        return self.plain[mode]

    def runs(self) -> list[ModeRun]:
        return [*self.closed, *self.plugin.values(), *self.plain.values()]

    def events(self) -> list[str]:
        return sorted(e for r in self.runs() for e in r.events)

    def run(self) -> SequenceResult:
        failures: list[Failure] = []
        checked = 0
        try:
            for step in range(len(self.snaps)):
                checked = step + 1
                divergences = self.check(step)
                for m in self.broken:
                    self.reset(m, step + 1)
                self.broken.clear()
                if not divergences:
                    continue
                origins = {d.mode.value: self.plugin[d.mode].origin for d in divergences}
                failure = Failure(
                    self.seed,
                    step,
                    list(self.snaps[: step + 1]),
                    divergences,
                    self.events(),
                    self.tool.version,
                    origins,
                )
                failures.append(failure)
                if self.stop is not None and self.stop(failure):
                    break
                for d in divergences:
                    self.reset(d.mode, step + 1)
                    if d.crash is not None:
                        self.crashes[d.mode, d.crash] += 1
                        if self.crashes[d.mode, d.crash] >= CRASHES_BEFORE_DROPPING:
                            self.drop(d.mode, step, d.crash)
        finally:
            for r in self.runs():
                r.close()
        seconds: dict[str, float] = {}
        for r in self.runs():
            name = f"{'plain-' if r.plain else ''}{r.mode.value}"
            seconds[name] = seconds.get(name, 0.0) + r.seconds
        return SequenceResult(
            checked,
            failures,
            seconds,
            self.plain_steps,
            self.events(),
            self.mypy_own,
            self.dropped,
            self.known_hits,
            self.cold,
        )

    def is_known(self, d: Divergence, step: int) -> bool:
        """Whether ``d`` matches a --known pattern (fuzzing past known bugs): counted, not
        checked against plain mypy; a mode that crashed starts afresh, others keep going."""
        what = " ".join(d.signature())
        if not any(fnmatch.fnmatchcase(what, pattern) for pattern in self.known):
            return False
        self.known_hits.append(f"step {step}: {what}")
        return True

    def drop(self, mode: Mode, step: int, crash: str) -> None:
        """Stop running a mode that keeps crashing the same way (each crash costs a new
        daemon and a plain replay, and says nothing new)."""
        if mode is Mode.COLD or mode not in self.plugin:
            return
        run = self.plugin.pop(mode)
        run.close()
        self.closed.append(run)
        self.modes = tuple(m for m in self.modes if m is not mode)
        times = CRASHES_BEFORE_DROPPING
        self.dropped.append(
            f"{mode.value} not run after step {step}: crashed {times} times with {crash}"
        )

    def reset(self, mode: Mode, origin: int) -> None:
        if mode is Mode.COLD or mode not in self.plugin:
            return
        self.plugin[mode].close()
        self.closed.append(self.plugin[mode])
        self.plugin[mode] = self._new(mode, plain=False, origin=origin)
        twin = self.plain.pop(mode, None)
        if twin is not None:
            twin.close()
            self.closed.append(twin)

    def check(self, step: int) -> list[Divergence]:
        snap = self.snaps[step]
        edit = config_edit(self.snaps, step)
        for r in self.plugin.values():
            r.sync(snap, step)
        # Where the warm history starts, its run is the cold reference's command on the same
        # files (ModeRun.repeats): run once, it answers for both.
        cold, warm = self.plugin[Mode.COLD], self.plugin.get(Mode.WARM)
        first = warm.check(step, edit) if warm is not None and warm.repeats(cold) else None
        outs: dict[Mode, Output] = {}
        for m, r in self.plugin.items():
            if first is not None and m is Mode.COLD:
                outs[m] = r.adopt(first)
            elif first is not None and m is Mode.WARM:
                outs[m] = first
            else:
                outs[m] = r.check(step, edit)
        self.cold.append(outs[Mode.COLD].lines)
        for r in self.plain.values():  # twins already started stay in step
            r.catch_up(self.snaps, step)
        divergences: list[Divergence] = []
        crashed: set[Mode] = set()
        for m, o in outs.items():
            if not o.crash:
                continue
            crashed.add(m)
            d = Divergence(m, crash_line(o.text), o.text)
            if self.is_known(d, step):
                self.broken.add(m)
                continue
            twin = self.twin(m).catch_up(self.snaps, step)
            if twin.crash and crash_line(twin.text) == d.crash:
                # mypy's own crash: not blamed on the plugin, but the history is broken
                self.mypy_own.append(
                    f"step {step}: {m.value} crashes without the plugin too: {d.crash}"
                )
                self.broken.add(m)
                continue
            d.plain_note = f"crashes too ({crash_line(twin.text)})" if twin.crash else "no crash"
            divergences.append(d)
        if Mode.COLD not in crashed:
            divergences += self.compare(step, outs, crashed)
        if self.log:
            times = " ".join(f"{m.value}={o.seconds:.2f}s" for m, o in outs.items())
            print(f"  step {step}: {'FAIL' if divergences else 'ok'} {times} -- {snap.note}")
        return divergences

    def compare(self, step: int, outs: dict[Mode, Output], skip: set[Mode]) -> list[Divergence]:
        cold = outs[Mode.COLD].lines
        differing = {m: line_diff(cold, outs[m].lines) for m in self.modes if m not in skip}
        differing = {
            m: d
            for m, d in differing.items()
            if (d[0] or d[1])
            and not self.is_known(
                Divergence(m, missing=sorted(d[0].elements()), extra=sorted(d[1].elements())),
                step,
            )
        }
        if not differing:
            return []
        self.plain_steps += 1
        plain_cold = self.twin(Mode.COLD).catch_up(self.snaps, step)
        divergences: list[Divergence] = []
        for m, (missing, extra) in differing.items():
            twin = self.twin(m).catch_up(self.snaps, step)
            if plain_cold.crash or twin.crash:
                d = Divergence(
                    m, missing=sorted(missing.elements()), extra=sorted(extra.elements())
                )
                d.plain_note = "crashes, so nothing is subtracted"
                divergences.append(d)
                continue
            plain_missing, plain_extra = in_the_plugins_words(
                (plain_cold.lines, twin.lines), (cold, outs[m].lines)
            )
            left_missing, left_extra = missing - plain_missing, extra - plain_extra
            if not (left_missing or left_extra):
                codes = Divergence(
                    m, missing=sorted(missing.elements()), extra=sorted(extra.elements())
                ).signature()[2:]
                self.mypy_own.append(
                    f"step {step}: {m.value} differs without the plugin too ({' '.join(codes)})"
                )
                self.broken.add(m)
                continue
            shared = sum(((plain_missing & missing) + (plain_extra & extra)).values())
            d = Divergence(
                m, missing=sorted(left_missing.elements()), extra=sorted(left_extra.elements())
            )
            d.plain_note = (
                f"{shared} more differing line(s) differ for plain mypy too (not shown)"
                if shared
                else "cold and this mode agree"
            )
            divergences.append(d)
        return divergences


def run_seed(
    tool: Tool,
    seed: int,
    length: int,
    workdir: Path,
    *,
    modes: Sequence[Mode] | None = None,
    restart_on_config: bool = RESTART_DAEMON_ON_CONFIG_EDIT,
    log: bool = False,
) -> SequenceResult:
    initial, edits = generate(seed, length)
    snaps = snapshots(initial, edits)
    return SequenceRun(
        tool, workdir, snaps, modes=modes, seed=seed, restart_on_config=restart_on_config, log=log
    ).run()


# ---------------------------------------------------------------------------------------
# Shrinking
# ---------------------------------------------------------------------------------------


def _steps_with_edits(initial: Project, edits: Sequence[Edit]) -> tuple[list[Snapshot], list[int]]:
    """The snapshots, and for each the number of edits it took to get there."""
    snaps = [Snapshot(render(initial), "the initial project")]
    used = [0]
    for n in range(1, len(edits) + 1):
        last = snapshots(initial, edits[:n])
        if len(last) > len(snaps):
            snaps.append(last[-1])
            used.append(n)
    return snaps, used


def reductions(p: Project) -> Iterator[Project]:
    """Smaller variants of ``p``: one module, class, definition, call site or setting less."""
    for i in range(len(p.modules)):
        q = copy.deepcopy(p)
        del q.modules[i]
        yield q
    for i, m in enumerate(p.modules):
        for attr in ("classes", "handlers", "funcs", "imports"):
            for j in range(len(getattr(m, attr))):
                q = copy.deepcopy(p)
                del getattr(q.modules[i], attr)[j]
                yield q
        for j, k in enumerate(m.classes):
            for attr in ("handlers", "methods"):
                for n in range(len(getattr(k, attr))):
                    q = copy.deepcopy(p)
                    del getattr(q.modules[i].classes[j], attr)[n]
                    yield q
            if k.base is not None:
                q = copy.deepcopy(p)
                q.modules[i].classes[j].base = None
                yield q
    for _, _, u in all_uses(p):
        q = copy.deepcopy(p)
        for _, h, v in all_uses(q):
            if v.uid == u.uid:
                h.uses.remove(v)
        yield q
    for attr in ("reexports", "factories"):
        for j in range(len(getattr(p, attr))):
            q = copy.deepcopy(p)
            del getattr(q, attr)[j]
            yield q
    if p.check_untyped_defs:
        yield _with(p, check_untyped_defs=False)
    if p.section and not p.factories:
        yield _with(p, section=False, check_all=None)


def _with(p: Project, **changes: object) -> Project:
    q = copy.deepcopy(p)
    for key, value in changes.items():
        setattr(q, key, value)
    return q


def shrink(
    tool: Tool,
    initial: Project,
    edits: Sequence[Edit],
    failure: Failure,
    *,
    restart_on_config: bool = RESTART_DAEMON_ON_CONFIG_EDIT,
    budget: float = 1200.0,
    no_cache_every_step: bool = False,
) -> tuple[Failure, Project, list[Edit]]:
    """A smaller project and edit sequence failing the same way (same modes, same kind of
    crash or the same error codes differing), within ``budget`` seconds."""
    wanted = set(failure.signature())
    modes = tuple(
        m for m in Mode if m is not Mode.COLD and any(d.mode is m for d in failure.divergences)
    )
    deadline = time.monotonic() + budget
    best = failure
    best_edits = list(edits)

    def matches(f: Failure) -> bool:
        return bool(wanted & set(f.signature()))

    def attempt(p: Project, eds: list[Edit]) -> tuple[Failure, list[Edit]] | None:
        snaps, used = _steps_with_edits(p, eds)
        with tempfile.TemporaryDirectory(prefix="edit-seq-shrink-") as d:
            result = SequenceRun(
                tool,
                Path(d),
                snaps,
                modes=modes,
                restart_on_config=restart_on_config,
                stop=matches,
                no_cache_every_step=no_cache_every_step,
            ).run()
        f = next((f for f in result.failures if matches(f)), None)
        if f is None:
            return None
        return f, eds[: used[f.step]]

    _, used = _steps_with_edits(initial, best_edits)
    best_edits = best_edits[: used[failure.step]]
    # 1. Fewer edits: drop chunks, halving the chunk size.
    chunk = max(1, len(best_edits) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i = 0
        while i < len(best_edits) and time.monotonic() < deadline:
            found = attempt(initial, best_edits[:i] + best_edits[i + chunk :])
            if found is not None:
                best, best_edits = found
                _progress(f"shrink: {len(best_edits)} edits, failing at step {best.step}")
            else:
                i += chunk
        chunk //= 2
    # 2. A smaller initial project (edits of what is gone do nothing).
    progress = True
    while progress and time.monotonic() < deadline:
        progress = False
        for candidate in reductions(initial):
            if time.monotonic() >= deadline:
                break
            found = attempt(candidate, best_edits)
            if found is not None:
                best, best_edits = found
                initial = candidate
                progress = True
                size = sum(len(t) for t in render(initial).values())
                _progress(f"shrink: initial project of {size} bytes")
                break
    best.seed = failure.seed
    return best, initial, best_edits


_PRINT_LOCK = threading.Lock()


def _progress(text: str) -> None:
    with _PRINT_LOCK:
        print(text, file=sys.stderr, flush=True)


def _say(text: str) -> None:
    with _PRINT_LOCK:
        print(text, flush=True)


# ---------------------------------------------------------------------------------------
# Command line: make fuzz
# ---------------------------------------------------------------------------------------


def parse_modes(text: str) -> tuple[Mode, ...]:
    """``--modes``: the modes compared with ``cold`` (which always runs), comma-separated."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in {m.value for m in Mode}]
    if unknown:
        known = ", ".join(m.value for m in Mode if m is not Mode.COLD)
        raise argparse.ArgumentTypeError(f"unknown mode {', '.join(unknown)} (modes: {known})")
    return tuple(m for m in map(Mode, names) if m is not Mode.COLD)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m tests.edit_sequences",
        description=(
            "Differential edit-sequence runs: a first run with no cache (cold) against warm, "
            "daemon and -n 2."
        ),
    )
    ap.add_argument("--seed", type=int, default=0, help="the first seed (default 0)")
    ap.add_argument(
        "--seeds",
        type=int,
        help="how many consecutive seeds (default: 1, or as many as --steps needs)",
    )
    ap.add_argument(
        "--steps", type=int, help="run consecutive seeds until this many steps were checked"
    )
    ap.add_argument(
        "--minutes",
        type=float,
        help="start no new seed after this many minutes (Ctrl-C does the same: the seeds "
        "under way finish and the summary is printed)",
    )
    ap.add_argument("--length", type=int, default=DEFAULT_LENGTH, help="edits per seed")
    ap.add_argument("--jobs", type=int, default=1, help="seeds run at once")
    ap.add_argument(
        "--modes",
        type=parse_modes,
        default="warm,daemon,parallel",
        help="compared with cold (a run with no cache)",
    )
    ap.add_argument("--python", default=sys.executable, help="the interpreter whose mypy runs")
    ap.add_argument("--out", type=Path, help="write each failing sequence's steps and report here")
    ap.add_argument("--shrink", action="store_true", help="minimize each failing sequence")
    ap.add_argument("--shrink-budget", type=float, default=1200.0, help="seconds per failure")
    ap.add_argument("--replay-dir", type=Path, help="run the steps of a written sequence")
    ap.add_argument(
        "--no-restart-daemon-on-config-edit",
        dest="restart",
        action="store_false",
        default=RESTART_DAEMON_ON_CONFIG_EDIT,
        help="keep the daemon running through config edits",
    )
    ap.add_argument(
        "--known",
        action="append",
        default=[],
        metavar="PATTERN",
        help="a divergence signature (glob, as in the summary, e.g. 'warm diff +misc "
        "-await-not-awaitable') only counted, to fuzz past a known bug; repeatable",
    )
    ap.add_argument(
        "--no-cache-every-step",
        action="store_true",
        help="run cold with no cache at every step (default: from the standard library's stubs "
        "cached)",
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="print every step")
    args = ap.parse_args(argv)
    tool = Tool(args.python)
    modes: tuple[Mode, ...] = args.modes
    if Mode.PARALLEL in modes and not tool.has_workers:
        _say(f"{tool.version}: no -n/--num-workers, the parallel mode is skipped")
        modes = tuple(m for m in modes if m is not Mode.PARALLEL)
    started = time.monotonic()

    if args.replay_dir is not None:
        snaps = read_snapshots(args.replay_dir)
        with tempfile.TemporaryDirectory(prefix="edit-seq-replay-") as d:
            result = SequenceRun(
                tool,
                Path(d),
                snaps,
                modes=modes,
                restart_on_config=args.restart,
                log=True,
                no_cache_every_step=args.no_cache_every_step,
            ).run()
        if result.failures:
            _say(result.report())
        n = len(result.failures)
        _say(f"edit-sequences: {result.steps} steps, replayed {args.replay_dir}, {n} divergences")
        return n

    limit = args.seeds if args.seeds is not None else (None if args.steps or args.minutes else 1)
    deadline = None if args.minutes is None else started + 60 * args.minutes
    stopping = threading.Event()
    lock = threading.Lock()
    totals: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    failures: list[Failure] = []
    next_seed = args.seed
    scheduled = 0
    seeds_run: list[int] = []
    shrunk: set[tuple[tuple[str, ...], ...]] = set()
    own: Counter[str] = Counter()
    known: Counter[str] = Counter()

    def worker() -> None:
        nonlocal next_seed, scheduled
        while True:
            with lock:
                if limit is not None and len(seeds_run) >= limit:
                    return
                if args.steps is not None and scheduled >= args.steps:
                    return
                if stopping.is_set() or (deadline is not None and time.monotonic() > deadline):
                    return
                seed = next_seed
                next_seed += 1
                seeds_run.append(seed)
                scheduled += args.length + 1
            with tempfile.TemporaryDirectory(prefix=f"edit-seq-{seed}-") as d:
                initial, edits = generate(seed, args.length)
                snaps = snapshots(initial, edits)
                result = SequenceRun(
                    tool,
                    Path(d),
                    snaps,
                    modes=modes,
                    seed=seed,
                    restart_on_config=args.restart,
                    log=args.verbose,
                    known=args.known,
                    no_cache_every_step=args.no_cache_every_step,
                ).run()
            with lock:
                scheduled += result.steps - (args.length + 1)
                totals["steps"] += result.steps
                totals["plain"] += result.plain_steps
                totals["restarts"] += sum(" plugin " in e for e in result.events)
                for line in result.mypy_own:
                    own[re.sub(r"^step \d+: ", "", line)] += 1
                for line in result.known:
                    known[re.sub(r"^step \d+: ", "", line)] += 1
                for name, secs in result.seconds.items():
                    seconds[name] = seconds.get(name, 0.0) + secs
                failures.extend(result.failures)
            status = "ok" if not result.failures else "DIVERGED"
            _say(f"seed {seed}: {result.steps} steps, {status}")
            for line in result.dropped:
                _say(f"  seed {seed}: {line}")
            if args.verbose:
                for line in result.mypy_own:
                    _say(f"  (plain mypy too) {line}")
            for f in result.failures:
                _say(f.report())
                if args.out is not None:
                    f.dump(args.out / f"seed-{seed}-step-{f.step}")
                with lock:
                    fresh = f.signature() not in shrunk
                    shrunk.add(f.signature())
                if args.shrink and fresh:
                    small, _, small_edits = shrink(
                        tool,
                        initial,
                        edits,
                        f,
                        restart_on_config=args.restart,
                        budget=args.shrink_budget,
                        no_cache_every_step=args.no_cache_every_step,
                    )
                    _say(f"--- minimized ({len(small_edits)} edits):\n{small.report()}")
                    if args.out is not None:
                        small.dump(args.out / f"seed-{seed}-step-{f.step}-min")

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(worker) for _ in range(max(1, args.jobs))]
        for future in futures:
            while True:
                try:
                    future.result()
                    break
                except KeyboardInterrupt:
                    stopping.set()
                    _say("interrupted: finishing the seeds under way, then the summary")

    wall = time.monotonic() - started
    steps = totals["steps"]
    seeds = sorted(seeds_run)
    per_step = ", ".join(
        f"{name} {secs / max(1, steps):.2f}s" for name, secs in sorted(seconds.items())
    )
    _say(f"time per step (mean over all steps): {per_step}; wall {wall:.0f}s")
    _say(
        f"plain mypy consulted on {totals['plain']} steps; "
        f"daemon restarts after config edits: {totals['restarts']}"
    )
    for what, n in own.most_common():
        _say(f"  not blamed on the plugin, {n} x: {what}")
    for what, n in known.most_common():
        _say(f"  known (--known), not counted as divergences, {n} x: {what}")
    kinds: dict[tuple[tuple[str, ...], ...], list[Failure]] = {}
    for f in sorted(failures, key=lambda f: (f.seed or 0, f.step)):
        kinds.setdefault(f.signature(), []).append(f)
    for signature, found in kinds.items():
        where = ", ".join(f"seed {f.seed} step {f.step}" for f in found[:8])
        more = f" and {len(found) - 8} more" if len(found) > 8 else ""
        what = "; ".join(" ".join(part) for part in signature)
        _say(f"  {len(found)} x {what}: {where}{more}")
    _say(
        f"edit-sequences: {steps} steps, {len(seeds)} seeds "
        f"({seeds[0] if seeds else '-'}..{seeds[-1] if seeds else '-'}), "
        f"{len(failures)} divergences ({len(kinds)} kinds), {sum(known.values())} known "
        f"[{tool.version}; cold vs {','.join(m.value for m in modes)}]"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
