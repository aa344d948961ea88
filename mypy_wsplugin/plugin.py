"""The mypy plugin: the entry point, the configuration, and a thin forward to the hooks.

* configuration: :mod:`.config`; factory matching: :mod:`.factories`
* what the running mypy offers: :mod:`.mypy_internals` (probed once, at start-up)
* hook selection and dispatch: :mod:`.hooks`, which is imported on the first hook mypy asks
  for; so is what re-labels mypy's own errors (:mod:`.checks.mypy_await_notes`): a run that
  finds everything in its cache needs neither (see :meth:`WsPlugin.report_config_data`)
* the checks: :mod:`.checks` (one module per error code; ``policy`` says which applies;
  ``mypy_await_notes`` re-labels mypy's own coroutine-misuse errors), and the pass over
  unannotated code, :mod:`.post_pass`
* what the checks know: :mod:`.facts`; texts: :mod:`.messages`; filing: :mod:`.reporting`
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from mypy.errors import CompileError, Errors
from mypy.nodes import MypyFile
from mypy.options import Options
from mypy.plugin import (
    AttributeContext,
    FunctionContext,
    MethodContext,
    Plugin,
    ReportConfigContext,
)
from mypy.types import Type

from mypy_wsplugin import errorcodes  # noqa: F401  (registers the codes for mypy's options)
from mypy_wsplugin.config import ConfigError, PluginConfig, load_config
from mypy_wsplugin.mypy_internals import (
    CAPABILITIES,
    MYPY_VERSION,
    TESTED_RANGE,
    errors_made_for,
    in_daemon_process,
    in_tested_range,
    is_daemon,
    parse_version,
    typeshed_dir,
    will_parse,
)

if TYPE_CHECKING:
    from mypy_wsplugin.checks.mypy_await_notes import AwaitNotes
    from mypy_wsplugin.entries import EntryChecks
    from mypy_wsplugin.factories import FactoryMatcher
    from mypy_wsplugin.hook_tables import GatedAnswers, HookTable
    from mypy_wsplugin.hooks import Engine, HookEntry

_H = TypeVar("_H")
_NO_HOOK: HookEntry[Any] = (None, 0)  # no hook, everywhere (hook_tables.EVERYWHERE)
_NO_HOOKS: dict[str, None] = {}
_NEVER_GIVEN = (
    "get_type_analyze_hook",
    "get_function_signature_hook",
    "get_method_signature_hook",
    "get_class_attribute_hook",
    "get_class_decorator_hook",
    "get_class_decorator_hook_2",
    "get_metaclass_hook",
    "get_base_class_hook",
    "get_customize_class_mro_hook",
    "get_dynamic_class_hook",
)

# What the standard library's stubs report to the cache (WsPlugin.report_config_data).
_NO_SETTINGS: dict[str, Any] = {}


def _settings_text(report: dict[str, Any]) -> str:
    """The settings as a module's cache entry keeps them: one JSON string (mypy round-trips
    each module's report through JSON at every run, and a string costs it least)."""
    return json.dumps(report, sort_keys=True, separators=(",", ":"))


class WsPlugin(Plugin):
    capabilities = CAPABILITIES

    def __init__(self, options: Options) -> None:
        super().__init__(options)
        # A bad configuration must end the run with one clear line and exit status 2.  An
        # exception from the constructor would make mypy print "Error constructing plugin
        # instance" and a traceback, so the error is raised from the first hook mypy calls
        # on every run instead, as a blocking CompileError (which the daemon reports too).
        self._config_error: CompileError | None = None
        try:
            self.config = load_config(options.config_file)
        except ConfigError as error:
            self._config_error = CompileError([error.render()])
            self.config = PluginConfig()
        self._matcher: FactoryMatcher | None = None
        # What is said of the factory entries (.entries): made now where there are any;
        # without any there is nothing to say, and it is made only if the checks need it (a
        # run that finds everything in its cache does not even load it).
        self._entries: EntryChecks | None = None
        if self.config.factories:
            self._entries = self.entries
        self._report = self.config.to_report()
        self._settings = _settings_text(self._report)
        self._settings_missing: tuple[list[str], str] = ([], self._settings)
        self._typeshed = typeshed_dir(options)
        self._typeshed_folders: dict[str, bool] = {}
        self._in_daemon = in_daemon_process()
        self._daemon_dependencies_found = False
        _publish_settings(self._settings)
        self._engine: Engine | None = None
        self._await_notes: AwaitNotes | None = None
        # The build's Errors, found by one scan of the heap: now, while it holds little more
        # than mypy, where the build is sure to parse modules; else at the first module it
        # parses, which a warm run with nothing to check never reaches (or, in the daemon's
        # process, at its first callback): see _find_errors_early.
        self._errors: Errors | None = errors_made_for(options) if will_parse(options) else None
        self._answers: list[GatedAnswers] = []
        self._lookups_installed = False
        # The hooks this plugin never gives: a C call that answers None (mypy asks for each
        # at every class, decorator and call; a method of this class would be a Python call).
        never: Callable[[str], None] = _NO_HOOKS.get
        vars(self).update(dict.fromkeys(_NEVER_GIVEN, never))
        has_results = self._entries is not None and self._entries.has_results
        if is_daemon(options) and (self.capabilities.post_pass or has_results):
            # The daemon's only callback when it analyses a module's top level again.
            vars(self)["get_type_analyze_hook"] = self._on_type_analysis
        if self._config_error is None and not self._in_daemon and not self.config.factories:
            vars(self)["report_config_data"] = self._path_only_report()

    @property
    def entries(self) -> EntryChecks:
        """What is said of the configuration's entries (:mod:`.entries`)."""
        if self._entries is None:
            from mypy_wsplugin.entries import EntryChecks

            self._entries = EntryChecks(self.config, self.options)
        return self._entries

    @property
    def matcher(self) -> FactoryMatcher:
        if self._matcher is None:
            from mypy_wsplugin.factories import FactoryMatcher

            self._matcher = FactoryMatcher(self.config)
        return self._matcher

    def _install_lookups(self) -> None:
        """Put mypy's hook questions' answers on the instance, in place of the methods
        (at the first question: a run that finds everything in its cache asks none).

        mypy asks for a hook at every call site.  The answer depends on the name, memoised
        per name as (hook, where it is wanted: hook_gates), and, for a callee whose calls always
        give a plain value (facts/plain_callees) and for an attribute, on whether the
        function mypy checks awaits something of that name: elsewhere such a call cannot be
        wrong, and a hook mypy runs costs it more than the hook itself.
        """
        if self._lookups_installed:
            return
        from mypy_wsplugin.hook_tables import HookTable

        self._lookups_installed = True
        enabled = self.capabilities.hooks
        self._function_hooks = HookTable(
            lambda name: self.engine.function_hook(name) if enabled else _NO_HOOK
        )
        self._method_hooks = HookTable(
            lambda name: self.engine.method_hook(name) if enabled else _NO_HOOK
        )
        self._attribute_hooks = HookTable(
            lambda name: self.engine.attribute_hook(name) if enabled else _NO_HOOK
        )
        if self.config.check_all_awaits or not self.matcher.has_paths:
            vars(self).update(
                get_function_hook=self._gated(self._function_hooks),
                get_method_hook=self._gated(self._method_hooks),
                get_attribute_hook=self._gated(self._attribute_hooks, where_awaited=True),
            )
        else:
            # Only configured factories get hooks, and a TARGET may be a path (a re-export)
            # that names its definition only once its module is analysed: the decisions are
            # made again when a path newly resolves, looked for at each module mypy starts.
            seen: list[object] = [None, self.matcher.generation]  # module, generation
            vars(self).update(
                get_function_hook=self._following_paths(self._function_hooks, seen),
                get_method_hook=self._following_paths(self._method_hooks, seen),
                get_attribute_hook=self._following_paths(self._attribute_hooks, seen),
            )

    def _on_type_analysis(self, fullname: str) -> None:
        """The daemon: mypy asks for a type-analyze hook (it never gets one); see
        ``Engine.type_analysis``."""
        if self._engine is not None:
            self._engine.type_analysis()

    def _gated(
        self, table: HookTable[HookEntry[_H]], where_awaited: bool = False
    ) -> Callable[[str], _H | None]:
        """``table``'s lookup as a C call (``dict.__getitem__``): an answer that depends on
        the name only is kept in a dict; a hook wanted only where the call may be awaited
        (or left unawaited) is not, and is given only there (``GatedAnswers.__missing__``,
        asked at each lookup, see :mod:`.hook_gates`), except a None for a name nothing in
        the run awaits and the hook just given, kept until the next lookup in Python.
        mypy asks at every call and attribute (152k questions on ``make bench``'s ALL
        target, benchmarks/findings.md)."""
        from mypy_wsplugin.hook_tables import GatedAnswers

        answers = GatedAnswers(table, self, where_awaited)
        self._answers.append(answers)
        return answers.__getitem__

    def _following_paths(
        self, table: HookTable[HookEntry[_H]], seen: list[object]
    ) -> Callable[[str], _H | None]:
        """``table``'s lookup, preceded by a look for paths that resolved since the module
        mypy checks changed (about 1.2 µs a call, against 0.1 µs for the bare lookup)."""
        from mypy_wsplugin.mypy_internals import current_file

        matcher = self.matcher

        def lookup(name: str) -> _H | None:
            errors = self._errors if self._errors is not None else self.build_errors()
            module = current_file(errors) if errors is not None else None
            if module != seen[0] and self._modules is not None:
                seen[0] = module
                matcher.refresh(self._modules)
            if matcher.generation != seen[1]:
                seen[1] = matcher.generation
                self._forget_hooks()
            return table[name][0]

        return lookup

    def _forget_hooks(self) -> None:
        """Decide every hook afresh (a module was parsed, or a path resolved)."""
        if not self._lookups_installed:
            return
        self._function_hooks.clear()
        self._method_hooks.clear()
        self._attribute_hooks.clear()
        for answers in self._answers:
            answers.forget()

    def build_errors(self) -> Errors | None:
        """The build's ``Errors`` (found once per process, see mypy_internals)."""
        if self._errors is None and self._modules is not None:
            from mypy_wsplugin.mypy_internals import find_build_errors

            self._errors = find_build_errors(self._modules)
        return self._errors

    @property
    def engine(self) -> Engine:
        return self._engine or self._load_engine()

    @property
    def await_notes(self) -> AwaitNotes:
        """What re-labels mypy's own coroutine-misuse errors (made at the first need)."""
        if self._await_notes is None:
            from mypy_wsplugin.checks.mypy_await_notes import AwaitNotes

            active = self.config.check_all_awaits and self.capabilities.hooks
            self._await_notes = AwaitNotes(active, lambda: self._modules)
        return self._await_notes

    def _load_engine(self) -> Engine:
        from mypy_wsplugin.hooks import Engine

        self._engine = Engine(
            self,
            self.config,
            self.matcher,
            self.entries,
            self.capabilities,
            self.build_errors,
            self.await_notes,
        )
        if self._modules is not None:
            self._engine.set_modules(self._modules)
        return self._engine

    def _raise_config_error(self) -> None:
        if self._config_error is not None:
            raise self._config_error

    def set_modules(self, modules: dict[str, MypyFile]) -> None:
        """Called when mypy has loaded its module graph, before it checks anything (in the
        daemon, at each update that re-reads a module; and by a parallel worker)."""
        super().set_modules(modules)
        if self._errors is not None:
            # Found at the first module parsed; a run that parsed none checks none.
            self.await_notes.watch(self._errors)
        if self._engine is not None:
            self._engine.set_modules(modules)
        if self._entries is not None:
            self._entries.graph_loaded(modules)

    def _find_errors_early(self) -> None:
        """Where the constructor did not find the build's ``Errors`` (a build with a cache,
        and the daemon's process, where ``dmypy run`` also constructs plugins that get no
        callback): find them through the build manager (a scan of the heap, so while it is
        still small) at the first module mypy parses, before it checks any, or in the
        daemon before its first build, at its first callback; the hooks fall back to a
        scan later.  A warm run that finds every module in its cache never looks."""
        if self._errors is None:
            manager = self.entries.manager()
            if manager is not None:
                from mypy_wsplugin.mypy_internals import errors_of_manager

                self._errors = errors_of_manager(manager)

    def report_config_data(self, ctx: ReportConfigContext) -> object:
        """Asked for every module of the build, with a valid cache entry or not: the one
        callback of a run that finds everything in its cache, so it stays cheap (mypy
        round-trips the answer through JSON for each module): no call it can spare.  Where
        the path alone decides, the instance answers first (:meth:`_path_only_report`)."""
        if self._config_error is not None:
            raise self._config_error
        if self._in_daemon:
            self._find_errors_early()
        entries = self._entries
        if entries is not None:
            entries.saw(ctx.id)
        if not ctx.is_check and self._modules is not None:
            # Asked just before mypy serializes the module into its cache entry.
            tree = self._modules.get(ctx.id)
            if tree is not None:
                self.engine.keep_results(tree, again=False)
        # The settings a module's cache entry depends on.  Nothing for the standard
        # library's stubs: no setting changes what the plugin does there (no body to infer
        # from, no call that runs), so a settings edit re-checks the program, not typeshed
        # (the entries a stub answers for are still carried).
        folder = ctx.path.rpartition(os.sep)[0]
        in_typeshed = self._typeshed_folders.get(folder)
        if in_typeshed is None:
            in_typeshed = self._in_typeshed(folder)
        if in_typeshed:
            report: object = _NO_SETTINGS
        elif entries is None or not entries.has_results:
            report = self._settings
        else:
            report = self._settings_with_missing_results(entries)
        if entries is not None and entries.may_carry:
            carried = entries.carried(ctx.id)
            if carried:
                # The module says which entries name nothing in it (with
                # warn_unused_configs): it is checked again when that set changes.
                return {"settings": report, "carries": [entry.text for entry in carried]}
        return report

    def _path_only_report(self) -> Callable[[ReportConfigContext], object]:
        """:meth:`report_config_data` where only a module's path decides the answer (no
        factory entries, no configuration error, not the daemon's process): a warm run's
        one callback, asked for every module, so a stub's or an absolute path's answer is
        one ``startswith`` (an absolute path is inside typeshed exactly when it starts with
        its folder, which ends with a separator); anything else goes to the method."""
        typeshed, settings = self._typeshed, self._settings
        method = self.report_config_data  # the class's, bound: the instance's is this one
        absolute = "/" if os.sep == "/" else None  # POSIX; elsewhere, the method decides

        def report(ctx: ReportConfigContext) -> object:
            if ctx.is_check:
                path = ctx.path
                if path.startswith(typeshed):
                    return _NO_SETTINGS
                if absolute is not None and path.startswith(absolute):
                    return settings
            return method(ctx)

        return report

    def _settings_with_missing_results(self, entries: EntryChecks) -> str:
        """The settings, and which RESULTs' modules cannot be found: that changes what every
        module depends on (get_additional_deps), so a change makes mypy parse them all
        again."""
        missing = entries.missing_result_modules()
        if not missing:
            return self._settings
        if self._settings_missing[0] != missing:
            report = {**self._report, "result_modules_missing": missing}
            self._settings_missing = (missing, _settings_text(report))
        return self._settings_missing[1]

    def _in_typeshed(self, folder: str) -> bool:
        """Whether ``folder`` holds standard library stubs, decided and kept for the folder
        (report_config_data reads what is kept first: an absolute path for each relative
        one costs a ``getcwd`` per module)."""
        absolute = folder if os.path.isabs(folder) else os.path.abspath(folder)
        inside = os.path.join(absolute, "").startswith(self._typeshed)
        self._typeshed_folders[folder] = inside
        return inside

    def get_additional_deps(self, file: MypyFile) -> list[tuple[int, str, int]]:
        self._raise_config_error()
        self._find_errors_early()
        self.await_notes.watch(self._errors)
        if self._entries is not None:
            self._entries.saw(file.fullname)
        if is_daemon(self.options):
            self._check_settings_unchanged(file.fullname)
            self._use_daemon_dependencies()
        deps = self.engine.get_additional_deps(file)
        # A (re-)parsed module may change which class defines a method, or what a function
        # gives (facts/plain_callees): decide afresh.
        self._forget_hooks()
        return deps

    def get_additional_indirect_deps(self, file: MypyFile) -> set[str]:
        return self.engine.get_additional_indirect_deps(file)

    def _use_daemon_dependencies(self) -> None:
        """Hand the daemon's dependency map to ``depend_on`` (looked for once: the build
        manager is found by a scan of the heap)."""
        if self._daemon_dependencies_found:
            return
        self._daemon_dependencies_found = True
        manager = self.entries.manager()
        if manager is not None:
            from mypy_wsplugin.mypy_internals import daemon_dependencies, use_daemon_dependencies

            use_daemon_dependencies(daemon_dependencies(manager))

    def _check_settings_unchanged(self, module: str) -> None:
        """The daemon keeps the settings it started with (``dmypy run`` restarts by itself
        when they change, see :func:`_publish_settings`; ``dmypy check`` cannot)."""
        try:
            current = load_config(self.options.config_file).to_report()
        except ConfigError as error:
            raise CompileError([error.render()], module_with_blocker=module) from None
        if current != self._report:
            from mypy_wsplugin.messages import settings_changed

            path = self.config.path or self.options.config_file or "config"
            raise CompileError(
                [settings_changed(path, self.config.section)], module_with_blocker=module
            )

    # mypy's first hook question installs the memo tables' lookups on the instance, which
    # shadow these methods from then on (see _install_lookups).

    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        self._install_lookups()
        return self.get_function_hook(fullname)

    def get_method_hook(self, fullname: str) -> Callable[[MethodContext], Type] | None:
        self._install_lookups()
        return self.get_method_hook(fullname)

    def get_attribute_hook(self, fullname: str) -> Callable[[AttributeContext], Type] | None:
        self._install_lookups()
        return self.get_attribute_hook(fullname)


# The settings digest of the daemon's first plugin (see _publish_settings).
_FIRST_SETTINGS: list[str] = []


def _publish_settings(settings: str) -> None:
    """Make a change of the plugin's settings part of the version mypy records for it, in
    the mypy daemon's process.

    mypy snapshots each plugin module's ``__version__`` when it loads plugins; ``dmypy run``
    loads them again (in the daemon's process, with the options read afresh) and restarts
    the daemon when the snapshot differs.  So there the version carries a digest of the
    settings once they differ from those the daemon started with: editing
    ``[mypy_wsplugin]`` restarts the daemon at the next ``dmypy run``.  Elsewhere (a mypy
    run, a tool running mypy in its own process again and again) the version stays plain,
    so the snapshot mypy writes to its cache does not depend on the settings and a settings
    edit does not abandon the whole cache (the standard library's stubs stay valid); what
    each module reports (``WsPlugin.report_config_data``) re-checks the modules the
    settings can change.  ``settings``: the settings as the cache keeps them
    (:func:`_settings_text`).
    """
    if not in_daemon_process():
        return
    digest = hashlib.sha256(settings.encode()).hexdigest()[:12]
    if not _FIRST_SETTINGS:
        _FIRST_SETTINGS.append(digest)
    module = sys.modules.get("mypy_wsplugin")
    if module is not None:
        base = str(getattr(module, "__version__", "0")).split("+settings.")[0]
        changed = digest != _FIRST_SETTINGS[0]
        vars(module)["__version__"] = f"{base}+settings.{digest}" if changed else base


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: ``plugins = mypy_wsplugin``."""
    running = parse_version(version or MYPY_VERSION)
    off = CAPABILITIES.missing() if not in_tested_range(running) else []
    if not in_tested_range(running):
        from mypy_wsplugin.messages import outside_tested_range
        from mypy_wsplugin.notices import say_once

        (low_major, low_minor), (high_major, high_minor) = TESTED_RANGE
        low, high = f"{low_major}.{low_minor}", f"{high_major}.{high_minor}"
        say_once(outside_tested_range(version, low, high, off))
    return WsPlugin
