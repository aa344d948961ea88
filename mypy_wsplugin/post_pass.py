"""The pass after type checking: what mypy cannot see.

mypy does not check the bodies of unannotated functions (no hook fires there), and a call to
a name from a module it cannot load (missing, or ``follow_imports = skip``) is ``Any`` with
no hook either.  This pass runs once per module after mypy has type-checked it (mypy >= 2.4:
``Plugin.get_additional_indirect_deps`` is called from ``State.finish_passes``, with the
module's error context and per-module options active, before its errors are flushed and
cached) and reports, from the analysed tree alone:

* in unannotated functions: awaited configured sync factories, and coroutine misuse of
  configured async factories; with ``check_all_awaits``, any awaited call whose callee is
  statically known not to give an awaitable, and misuse of any resolvable ``async def``;
* in checked code: only configured factories reached through a module mypy cannot see
  (everything else there was typed, and judged, by the hooks).

Under the mypy daemon this pass is also run again after each update, for every module
(see :meth:`UntypedPass.finish` and docs/design.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from mypy.errors import Errors
from mypy.nodes import (
    Context,
    MypyFile,
)
from mypy.options import Options

from mypy_wsplugin.checks.calls_without_hooks import Finding, judge_module
from mypy_wsplugin.checks.policy import CheckPolicy
from mypy_wsplugin.entries import EntryChecks
from mypy_wsplugin.facts.bindings import names_rebound
from mypy_wsplugin.facts.rebased_classes import classes_rebased
from mypy_wsplugin.facts.removed_modules import RemovedModules
from mypy_wsplugin.facts.targets import why_unmatched
from mypy_wsplugin.mypy_classes import AWAIT_EXPR, CALL_EXPR, MEMBER_EXPR, NAME_EXPR
from mypy_wsplugin.mypy_internals import (
    current_file,
    errors_generation,
    errors_ignored,
    errors_in_file,
    filed_messages,
    flushed_files,
    in_daemon_process,
    is_daemon,
    is_flushed,
    module_being_reported,
    outside_attempts,
    printed_again,
    reconsider_ignores,
    reporting_in,
    shown_path,
    tree_is_complete,
)
from mypy_wsplugin.reporting import is_enabled, note_to, report_to

# Under the daemon, findings of this pass are filed under their module's own fine-grained
# target (the module's top level).  The daemon re-checks every target that has errors
# after each update; re-checking a top level does not run this pass, but it analyses the
# module's implicit attributes (``__name__: str``, ...) first, which asks the plugin for a
# type-analyze hook (see UntypedPass.refile).  In an update that changes no module (one
# only removes a module) those lookups, which go on after the module's functions are
# analysed, and the hooks of checked code are the plugin's only callbacks
# (UntypedPass.rejudge).


class _Filed(NamedTuple):
    """What the pass last filed for a module, and the tree it was made from (the daemon
    keeps a module's ``MypyFile`` through its updates; a module parsed again is a new one
    until mypy merges it into the old, and then the pass runs for it)."""

    tree: MypyFile
    findings: list[Finding]
    notes: list[str]


class UntypedPass:
    def __init__(self, policy: CheckPolicy, options: Options, entries: EntryChecks) -> None:
        self.policy = policy
        self.options = options
        self.entries = entries
        self.daemon = is_daemon(options)
        # The daemon: each module's error context as it was when mypy finished it (its
        # options, inline ``# mypy:`` comments included, and whether its errors are shown).
        self._contexts: dict[str, tuple[Options, bool]] = {}
        # The daemon: the build's set of flushed files when the first module was finished.
        # mypy replaces it when an update resets the errors (Errors.initialize), which is
        # how an update is told from the initial build.
        self._first_flushed: object = None
        # The daemon: what was last filed for each module (see refile), and the list of the
        # file's errors it went into (mypy makes a new one when it clears a target).
        self._filed: dict[str, _Filed] = {}
        self._filed_into: dict[str, object] = {}
        # The daemon: the build's error map when a module was last finished (mypy makes a
        # new one when an update resets the errors).
        self._fresh_in: object = None
        # The daemon: the places of findings refile left out, by module (see rejudge).
        self._stale: dict[str, tuple[object, list[Context]]] = {}
        # The daemon, in an update that only removed a module: the update's error map, and
        # the modules removed with what may come from them (see _reaches_removed).
        self._reaching: tuple[object, RemovedModules | None] = (None, None)

    def finish(
        self, tree: MypyFile, modules: dict[str, MypyFile], errors: Callable[[], Errors | None]
    ) -> None:
        """Run for ``tree``, which mypy has just type-checked (its error context is active:
        its options, inline ``# mypy:`` comments included).

        Under the daemon, an update also changes what other modules' unannotated code
        calls, and the daemon resets every error at the start of an update: the pass is
        run again for every other module it knows, after this module's new version was
        merged into the program and before anything is printed.
        """
        if not self._needed(tree) and not self.daemon:
            return
        build_errors = errors()
        if build_errors is None:
            return
        options = build_errors.options
        silent = errors_ignored(build_errors, current_file(build_errors))
        # A daemon update (not the initial build): mypy has made the module's errors about
        # its ignores already (:func:`.mypy_internals.reconsider_ignores`).
        update = self._first_flushed is not None and flushed_files(build_errors) is not (
            self._first_flushed
        )
        if self._needed(tree) and not silent:
            self._run(tree, modules, build_errors, options, own=True, update=update)
        if not self.daemon:
            return
        self._contexts[tree.fullname] = (options, silent)
        self._fresh_in = errors_generation(build_errors)
        flushed = flushed_files(build_errors)
        if self._first_flushed is None:
            self._first_flushed = flushed
        if flushed is not self._first_flushed:  # an update, not the initial build
            self._rerun_others(tree.fullname, modules, build_errors)

    def _rerun_others(self, done: str, modules: dict[str, MypyFile], errors: Errors) -> None:
        # A class whose base this update changed in another module is analysed again later
        # in the update: judged by the MRO that analysis will give it.
        with classes_rebased(modules):
            self._rerun_each(done, modules, errors)

    def _rerun_each(self, done: str, modules: dict[str, MypyFile], errors: Errors) -> None:
        for name in sorted(self._contexts):
            tree = modules.get(name)
            if tree is None:  # removed from the build
                del self._contexts[name]
                self._forget(name)
                continue
            options, silent = self._contexts[name]
            if name == done or silent or is_flushed(errors, tree.path):
                continue
            if tree_is_complete(tree) and self._needed(tree):
                # mypy analyses ``tree`` again later in this update, if the edit touched
                # what it imports: judged by what its names name now, as that will bind.
                with names_rebound(modules, tree):
                    self._run(tree, modules, errors, options, own=False)

    def _needed(self, tree: MypyFile) -> bool:
        """Whether ``tree`` can have findings or notes for this pass at all."""
        return self._checks(tree) or bool(self.entries.carried(tree.fullname))

    def _checks(self, tree: MypyFile) -> bool:
        """Whether ``tree`` can have findings (a stub has no code to judge)."""
        return not tree.is_stub and self.policy.active

    def _run(
        self,
        tree: MypyFile,
        modules: dict[str, MypyFile],
        errors: Errors,
        options: Options,
        own: bool,
        update: bool = False,
    ) -> None:
        """Check ``tree`` and report its findings; ``own``: ``tree`` is the module mypy is
        finishing (its error context is active), else it is set for the report."""
        findings: list[Finding] = []
        if self._checks(tree):
            judge_module(self.policy, tree, modules, options, findings)
        # The configuration's entries whose module this is, but which name nothing in it
        # (with warn_unused_configs): said here, so that mypy caches them with the module.
        notes = []
        for entry in self.entries.carried(tree.fullname):
            why = why_unmatched(tree, entry.target)
            if why is not None:
                shown = shown_path(errors, self.entries.path)
                notes.append(self.entries.unmatched_note(entry, why, shown))
        if self.daemon:
            self._forget(tree.fullname)
        if not findings and not notes:
            return
        with reporting_in(errors, tree, None if own else options, tree.fullname):
            _file(errors, modules, findings, notes, update=own and update)
        if self.daemon:
            self._filed[tree.fullname] = _Filed(tree, findings, notes)
            self._filed_into[tree.fullname] = errors_in_file(errors, tree.path)

    def refile(self, errors: Errors, modules: dict[str, MypyFile]) -> None:
        """The daemon: mypy analyses a module's top level again (asked at a type-analyze
        hook lookup): file again what the pass last filed there, if it is gone.

        mypy has just cleared the errors of that target (or reset every error at the start
        of the update), and the module is the same tree, so what was found in it stands:
        refiled as it was, since the pass cannot run here (the module's top level is half
        analysed).  Where this update changed a module, the pass has just run for every
        module (:meth:`finish`).  Where it only removed one, a finding in a function mypy
        analyses again in this update (its names are cleared now) is left out, since what
        it depended on may have gone with the removed module, and judged again once the
        function is analysed (:meth:`rejudge`).
        """
        module = module_being_reported(errors)
        filed = self._filed.get(module) if module is not None else None
        if filed is None or module is None:
            return
        tree = modules.get(module)
        if tree is None:
            self._forget(module)  # removed from the build
            return
        if tree is not filed.tree:
            return
        if is_flushed(errors, tree.path):
            # A second update of the command (following imports removed a module) checks
            # again the targets with errors of a file the first one printed: refiled, and
            # the file printed again with this update's messages.
            printed_again(errors, tree.path)
        now = errors_in_file(errors, tree.path)
        if now is not None and now is self._filed_into.get(module):
            return  # still there
        kept = filed_messages(errors, tree.path, module)
        messages = [message for _, message, _, _, _ in filed.findings] + filed.notes
        if not any(message in kept for message in messages):
            generation = errors_generation(errors)
            if generation is not self._fresh_in:
                # An update that only removed a module.  In a module whose code uses a name
                # that may come from it, also through others, any finding may have read what
                # went with it (``await make()``, ``make`` re-exported from it;
                # ``manager.send()`` with ``manager = Foo()`` and ``Foo`` from it), also
                # where mypy does not analyse its function again (its names still hold the
                # removed nodes).
                if self._reaches_removed(module, modules, generation):
                    stale = [f[2] for f in filed.findings]
                else:
                    stale = [f[2] for f in filed.findings if _reanalysed(f[2])]
                if stale:
                    self._stale[module] = (generation, stale)
                findings = [f for f in filed.findings if f[2] not in stale]
                filed = self._filed[module] = filed._replace(findings=findings)
            with reporting_in(errors, tree, None, module):
                _file(errors, modules, filed.findings, filed.notes)
        self._filed_into[module] = errors_in_file(errors, tree.path)

    def rejudge(self, errors: Errors, modules: dict[str, MypyFile], analysing: bool) -> None:
        """The daemon: judge again a module whose findings :meth:`refile` left out, once
        mypy has analysed their functions again, and file what is new.

        Asked at hooks and gated lookups while mypy type-checks (a module it type-checks
        is analysed; mypy asks for no hook inside an unannotated function, though), and at
        the type-analyze lookups of the module's own analysis (``analysing``), which go on
        after its functions are analysed; there only for that module and only once the
        findings' names are bound again, since another module may be half analysed.  Given
        up when the update ends (the next one refiles or runs the pass again)."""
        generation = errors_generation(errors)
        current = module_being_reported(errors)
        for module, (marked_in, stale) in list(self._stale.items()):
            if marked_in is not generation:
                del self._stale[module]
                continue
            if analysing and module != current:
                continue
            bound = not any(_reanalysed(context) for context in stale)
            if not bound and (analysing or module != current):
                continue  # not analysed yet
            del self._stale[module]
            tree = modules.get(module)
            filed = self._filed.get(module)
            if tree is None or filed is None or tree is not filed.tree:
                continue
            if module not in self._contexts or not tree_is_complete(tree):
                continue
            if is_flushed(errors, tree.path):
                printed_again(errors, tree.path)  # as in refile
            options = self._contexts[module][0]
            findings: list[Finding] = []
            # Its names read as mypy's analysis binds them now: a function mypy does not
            # analyse again still holds the removed module's nodes.
            with names_rebound(modules, tree):
                judge_module(self.policy, tree, modules, options, findings)
            had = {_key(f) for f in filed.findings}
            new = [f for f in findings if _key(f) not in had]
            if new:
                with outside_attempts(errors), reporting_in(errors, tree, options, module):
                    _file(errors, modules, new, [])
            self._filed[module] = filed._replace(findings=findings)
            self._filed_into[module] = errors_in_file(errors, tree.path)

    def _reaches_removed(
        self, module: str, modules: dict[str, MypyFile], generation: object
    ) -> bool:
        """Whether code of ``module`` uses a name that may come from a module the pass saw
        finished and that is no longer in the program (:mod:`.removed_modules`; kept per
        update)."""
        if self._reaching[0] is not generation or self._reaching[1] is None:
            removed = {name for name in self._contexts if name not in modules}
            self._reaching = (generation, RemovedModules(modules, removed))
        reaching = self._reaching[1]
        assert reaching is not None
        return reaching.reached_by(module)

    @property
    def has_stale(self) -> bool:
        return bool(self._stale)

    def _forget(self, module: str) -> None:
        self._filed.pop(module, None)
        self._filed_into.pop(module, None)
        self._stale.pop(module, None)


def _file(
    errors: Errors,
    program: dict[str, MypyFile],
    findings: list[Finding],
    notes: list[str],
    update: bool = False,
) -> None:
    """File the pass's ``findings`` and ``notes`` in the file being reported; ``update``:
    it is the module a daemon update is finishing."""
    for code, message, context, role, scope in findings:
        if is_enabled(errors, code):
            report_to(errors, program, code, message, context, role, scope)
    for note in notes:
        note_to(errors, note)
    if findings and in_daemon_process():
        # An ignore a finding used may already be called unused, or named no code for (the
        # daemon says so before this pass, a build after it).
        reconsider_ignores(errors, current_file(errors), made=update)


def _key(finding: Finding) -> tuple[str, str, int, int]:
    code, message, context, _, _ = finding
    return code.code, message, context.line, context.column


def _reanalysed(context: Context) -> bool:
    """Whether the function around a finding is being analysed again: mypy clears the
    names in a fine-grained target before it analyses it again (``mypy.server.aststrip``),
    seen on the name the finding's expression starts from."""
    node: Context = context
    while not isinstance(node, NAME_EXPR):
        if isinstance(node, AWAIT_EXPR):
            node = node.expr
        elif isinstance(node, CALL_EXPR):
            node = node.callee
        elif isinstance(node, MEMBER_EXPR):
            node = node.expr
        else:
            return False  # no name to tell by
    return node.node is None
