"""The configuration's entries checked against the program, said once per run.

Two kinds of note about ``sync_factories``/``async_factories`` entries, each one line that
names the config file, the key and the entry:

* a RESULT whose module mypy cannot find (always: the factory's result stays ``Any``);
* with mypy's ``warn_unused_configs`` (as for its unused ``[mypy-...]`` sections), an entry
  that matches nothing because no module it could name is part of the checked program.

They are decided from what mypy has in every mode when it has loaded its module graph
(``Plugin.set_modules``, called at the end of graph loading): the names of the build's
modules and mypy's module finder, never a symbol table (a warm run with nothing to check
loads none; a parallel run's coordinator loads none).  They are printed there, as mypy
prints its unused-section note; in the daemon, each update prints them again (it resets
every error first).

Whether a TARGET's module has the name it gives is a question for that module's symbol
table, asked where every mode has it: when mypy has checked the module (the pass after
type checking, mypy >= 2.4, :mod:`.post_pass`).  The note is then filed in that module,
so mypy caches and replays it with the module's errors; what the module reports to the
cache names the entries it answers for (:meth:`EntryChecks.carried`), so a change of those
(a longer prefix of a TARGET becomes a module, ``warn_unused_configs`` is switched) makes
mypy check it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from mypy.errors import Errors
from mypy.nodes import MypyFile
from mypy.options import Options

from mypy_wsplugin.config import FactoryEntry, PluginConfig, entry_line
from mypy_wsplugin.messages import (
    Where,
    entry_matches_nothing,
    glob_fits_no_module,
    in_module_file,
    is_a_module,
    module_not_found,
    module_not_in_program,
    result_module_not_found,
)
from mypy_wsplugin.mypy_internals import (
    CAPABILITIES,
    Manager,
    ModuleState,
    can_find_module,
    daemon_graph,
    drop_added_dependency,
    errors_generation,
    find_manager,
    flush_file,
    is_daemon,
    is_parallel_worker,
    outside_attempts,
    report_notes,
)

# Compiled at its first use (re's own cache), as config's patterns are.
_GLOB_TOKEN = r"\*|\?|\[!?\]?[^\]]*\]|."


class EntryChecks:
    def __init__(self, config: PluginConfig, options: Options) -> None:
        self.config = config
        self.options = options
        self.path = config.path or options.config_file or "config"
        self._manager: Manager | None = None
        self._looked_for_manager = False
        # Modules of the build mypy named to the plugin while loading its graph (a module
        # with a valid cache entry: report_config_data; a parsed one: get_additional_deps).
        self._seen: set[str] = set()
        self._printed = False
        self._reported_in: object = None  # the daemon: the error generation last reported
        self._missing: list[str] | None = None
        self._result_homes: dict[str, str | None] | None = None
        self._homes: dict[str, list[FactoryEntry]] | None = None
        self._homes_found_in: object = None
        self._lines: dict[str, int] = {}
        self._result_modules = {e.result_module for e in config.factories if e.result_module}
        self._forgotten: set[str] = set()  # the daemon: see forget_removed_results
        self._graph: dict[str, ModuleState] | None = None
        self.daemon = is_daemon(options)
        # Whether a module can carry entries (see carried): asked for every module.
        self.may_carry = bool(
            config.factories and options.warn_unused_configs and CAPABILITIES.post_pass
        )

    @property
    def wanted(self) -> bool:
        """Whether there can be anything to say (a RESULT, or warn_unused_configs)."""
        factories = self.config.factories
        return any(e.result is not None for e in factories) or bool(
            factories and self.options.warn_unused_configs
        )

    @property
    def has_results(self) -> bool:
        return bool(self._result_modules)

    def saw(self, module: str) -> None:
        self._seen.add(module)

    def manager(self) -> Manager | None:
        """The build manager, looked for once (a look scans the heap)."""
        if not self._looked_for_manager:
            self._looked_for_manager = True
            self._manager = find_manager(self.options)
        return self._manager

    def findable(self, module: str) -> bool:
        """Whether mypy's finder finds ``module`` (True when the finder is not reachable:
        then nothing is claimed)."""
        manager = self.manager()
        return manager is None or can_find_module(manager, module)

    def loads(self, module: str) -> bool | None:
        """Whether mypy loads ``module``: None where its finder does not find it, False
        where ``follow_imports`` skips it."""
        if not self.findable(module):
            return None
        return self.options.clone_for_module(module).follow_imports not in ("skip", "error")

    def missing_result_modules(self) -> list[str]:
        """The modules of RESULT classes that mypy cannot find: once per run (the daemon
        asks again at each update: files come and go)."""
        if self._missing is None or self.daemon:
            self._missing = sorted(m for m in self._result_modules if not self.findable(m))
        return self._missing

    def forget_removed_results(self, modules: Mapping[str, MypyFile]) -> None:
        """The daemon, when it analyses a module's top level again: a RESULT module it can no
        longer find stops being a dependency of the modules the plugin made depend on it, as
        a cold run would not add it (:func:`.facts.declared.result_dependencies`); else mypy
        reports it missing, without a line, in each of them it analyses again
        (``State.verify_dependencies``).  Once per removal: a module that comes back is a
        dependency again where a module is parsed again, as in a cold run."""
        gone = {module for module in self._result_modules if module not in modules}
        self._forgotten &= gone
        fresh = [module for module in gone - self._forgotten if not self.findable(module)]
        if not fresh:
            return
        self._forgotten.update(fresh)
        manager = self.manager()
        if self._graph is None and manager is not None:
            self._graph = daemon_graph(manager)
        for state in (self._graph or {}).values():
            for module in fresh:
                drop_added_dependency(state, module)

    def result_homes(self) -> dict[str, str | None]:
        """For each entry with a RESULT (by its text): the module mypy loads that defines its
        target (:meth:`home`), or None for a glob or a target in no module mypy loads.  The
        RESULT's module becomes a dependency of that module alone (``get_additional_deps``):
        every module that imports the target depends on it in turn, and on the RESULT's
        module through the types the plugin gives there (mypy's indirect dependencies).
        Once per run (the daemon asks again at each update)."""
        if self._result_homes is None or self.daemon:
            homes: dict[str, str | None] = {}
            for entry in self.config.factories:
                if entry.result is None or entry.text in homes:
                    continue
                home = None if entry.is_glob else self.home(entry.target)
                if home is not None and not self.loads(home):
                    home = None  # not loaded: its importers need the RESULT's module
                homes[entry.text] = home
            self._result_homes = homes
        return self._result_homes

    def carried(self, module: str) -> list[FactoryEntry]:
        """With ``warn_unused_configs``: the exact entries whose module (:meth:`home`) is
        ``module``; whether they name something there is decided when mypy has checked it
        (:func:`why_unmatched`, from the pass after type checking, mypy >= 2.4)."""
        if not self.may_carry:
            return []
        if self._homes is None or (self.daemon and self._stale_in_daemon()):
            homes: dict[str, list[FactoryEntry]] = {}
            for entry in self.config.factories:
                exact = not entry.is_glob and not self.findable(entry.target)
                home = self.home(entry.target) if exact else None
                if home is not None:
                    homes.setdefault(home, []).append(entry)
            self._homes = homes
        return self._homes.get(module, [])

    def _stale_in_daemon(self) -> bool:
        """The daemon: whether an update began since the homes were found (files come and
        go; an update resets the errors first)."""
        manager = self.manager()
        generation = errors_generation(manager.errors) if manager is not None else None
        if generation is self._homes_found_in:
            return False
        self._homes_found_in = generation
        return True

    def home(self, target: str) -> str | None:
        """The longest prefix of ``target`` that mypy can find as a module."""
        parts = target.split(".")
        for end in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:end])
            if self.findable(module):
                return module
        return None

    # -- once per run ---------------------------------------------------------------------

    def graph_loaded(self, modules: dict[str, MypyFile]) -> None:
        """mypy has loaded its module graph (``set_modules``): say what is to be said."""
        if not self.wanted:
            return
        manager = self.manager()
        if manager is None or is_parallel_worker(manager):
            return
        generation = errors_generation(manager.errors)
        if not self._printed:
            # The first build of the process (the daemon's too) prints as mypy prints a
            # module's errors; a second graph load in it (mypy reloads without its cache
            # when too much of it is missing) must not print again.
            self._printed = True
            self._reported_in = generation
            notes = self.notes(self._seen | set(modules))
            if notes:
                report_notes(manager.errors, self.path, self.options, notes)
                flush_file(manager, self.path)
        elif self.daemon:
            self.refile(manager.errors, modules)

    def refile(self, errors: Errors, modules: dict[str, MypyFile]) -> None:
        """The daemon: file the notes again if an update reset the errors since they were
        last filed (it prints what is filed and unprinted).  Asked when the graph is loaded
        and from the hooks: an update that only removes a module loads no graph."""
        generation = errors_generation(errors)
        if generation is self._reported_in or not self._printed:
            return
        self._reported_in = generation
        notes = self.notes(modules)
        if notes:
            with outside_attempts(errors):
                report_notes(errors, self.path, self.options, notes)

    def notes(self, program: Iterable[str]) -> list[tuple[int, str]]:
        """The notes for a build whose modules are ``program``: (line of the entry in the
        config file, message)."""
        modules = set(program)
        notes: list[tuple[int, str]] = []
        for entry in self.config.factories:
            module = entry.result_module
            if module is not None and not self.findable(module):
                message = result_module_not_found(self._where(entry), module)
                notes.append((self.line(entry), message))
            if self.options.warn_unused_configs:
                why = self._matches_nothing(entry, modules)
                if why is not None:
                    notes.append((self.line(entry), entry_matches_nothing(self._where(entry), why)))
        return notes

    def line(self, entry: FactoryEntry) -> int:
        """The line of the config file where ``entry`` is written."""
        line = self._lines.get(entry.text)
        if line is None:
            line = self._lines[entry.text] = entry_line(self.path, self.config.section, entry.text)
        return line

    def _where(self, entry: FactoryEntry) -> Where:
        return self.config.section, entry.key, entry.text

    def unmatched_note(self, entry: FactoryEntry, why: str, shown_path: str) -> str:
        """The note for an entry that names nothing in its module, filed in that module's
        file: led by the config file's path as mypy shows paths (``shown_path``) and the
        entry's line there."""
        note = entry_matches_nothing(self._where(entry), why)
        return in_module_file(shown_path, self.line(entry), note)

    def _matches_nothing(self, entry: FactoryEntry, modules: set[str]) -> str | None:
        """Why ``entry`` can match nothing in a program of ``modules``, decided from module
        names alone; None if it may match (its module's symbol table decides that)."""
        if entry.is_glob:
            if any(glob_fits_module(entry.target, module) for module in modules):
                return None
            return glob_fits_no_module()
        if self.findable(entry.target):
            return is_a_module(entry.target)
        home = self.home(entry.target)
        if home is None:
            return module_not_found(entry.target.partition(".")[0])
        if home not in modules:
            return module_not_in_program(home)
        return None


def glob_fits_module(pattern: str, module: str) -> bool:
    """Whether some full name in ``module`` (``module.<name>``) could match the glob."""
    tokens = re.findall(_GLOB_TOKEN, pattern, re.DOTALL)
    states = _closure(tokens, {0})
    for ch in module + ".":
        states = _closure(tokens, {n for i in states for n in _step(tokens, i, ch)})
        if not states:
            return False
    return True


def _closure(tokens: list[str], states: set[int]) -> set[int]:
    """``states`` plus the positions after any ``*`` there (a star may match nothing)."""
    out = set(states)
    todo = list(states)
    while todo:
        i = todo.pop()
        if i < len(tokens) and tokens[i] == "*" and i + 1 not in out:
            out.add(i + 1)
            todo.append(i + 1)
    return out


def _step(tokens: list[str], i: int, ch: str) -> list[int]:
    if i >= len(tokens):
        return []
    token = tokens[i]
    if token == "*":
        return [i]
    if token == "?" or (len(token) > 1 and _in_class(token, ch)) or token == ch:
        return [i + 1]
    return []


def _in_class(token: str, ch: str) -> bool:
    """``[...]`` / ``[!...]`` as fnmatch reads them."""
    body = token[1:-1]
    negated = body.startswith("!")
    if negated:
        body = body[1:]
    hit = False
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            hit = hit or body[i] <= ch <= body[i + 2]
            i += 3
        else:
            hit = hit or body[i] == ch
            i += 1
    return hit != negated
