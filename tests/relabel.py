"""Plain mypy's output against mypy's output with the plugin: what the plugin changed.

"One finding, one error": beside its own codes, mypy's output with the plugin is plain
mypy's output.  :func:`classify` sorts every line that differs between the two into

- ``replaced``: a plugin error on a line where plain mypy had an error of a code the plugin
  replaces (``[misc] Incompatible types in "await"``, ``[unused-coroutine]``, ``[call-arg]``,
  ``[attr-defined]``, ``[union-attr]``, ``[return-value]``) that is gone, with that error's
  notes (``Are you missing an await?``, ``"f" defined here``: the notes that follow it);
- ``added``: a plugin error where plain mypy had no error of those codes on the line, or a
  plugin note: the plugin's new findings;
- ``silenced``: an error of those codes gone from a line whose ``# type: ignore[...]`` names a
  plugin code (plain mypy, which does not know the code, reports the error and notes that
  the comment does not cover it), and plain mypy's ``Unused "type: ignore" comment`` on a
  line whose comment names a plugin code or ``misc``: the plugin's finding is there, and
  silenced;
- ``retyped``: a ``reveal_type`` note whose type changed (the plugin types an expression as
  evidently meant: the plain result after a wrong ``await``, the awaited result of a
  coroutine missing its ``await``).  A revealed type is an answer, not a finding: any error
  that the new type brings or takes away is counted below;
- ``doubled``: a plugin error beside mypy's error of a replaced code on the same line that
  is still there: two errors for one finding;
- ``mistyped``: a replacement whose message names another type than mypy's error did
  (``Incompatible types in "await" (actual type "X"`` against ``it returns "Y"``; the
  declared return type of ``[return-value]``);
- ``lost``: a line of plain mypy's that is gone and is none of the above;
- ``invented``: a line of the plugin run that is not the plugin's and that plain mypy did
  not print (a mypy note after a plugin error included, except "not covered by" notes).

``lost``, ``invented``, ``doubled`` and ``mistyped`` must be empty (:attr:`Relabel.ok`).
A plugin line has one of the plugin's codes or one of its messages, whatever code it is
filed under (on a line with ``# type: ignore[misc]`` the plugin files a finding under the
code the comment names; then the two outputs are equal there anyway).  Lines are compared whole;
"the same line" is the same file and line number, whatever the columns (``--show-column-
numbers``, ``--show-error-end``).  The input is mypy's default output format; summary
lines (``Found N errors``, ``Success``) are ignored, and an indented line without a location
(``--pretty``) goes with the line before it.  Shared by the tests and the benchmark
(``benchmarks/realworld.py``); it needs nothing but the standard library.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

PLUGIN_CODES: Final = frozenset({"await-not-awaitable", "missing-await"})
# mypy's codes for the causes the plugin reports ([misc] only for a wrong ``await``).
REPLACEABLE_CODES: Final = frozenset(
    {
        "unused-coroutine",
        "call-arg",
        "attr-defined",
        "union-attr",
        "return-value",
        # an awaited call that returns None ("does not return a value"), a coroutine in a
        # condition ("could always be true"): the same cause as the plugin's finding
        "func-returns-value",
        "truthy-bool",
        # a coroutine subscripted, or used in arithmetic
        "index",
        "operator",
        # a coroutine compared (strict_equality), an awaitable dropped (opt-in)
        "comparison-overlap",
        "unused-awaitable",
    }
)
# mypy's codes for a coroutine unpacked with ``**`` (``f(**fetch())``, ``{**fetch()}``):
# replaceable only where the message names the coroutine's type (COROUTINE_VALUE), as
# mypy's messages there always do; an error of these codes about anything else is lost.
NAMING_THE_COROUTINE_CODES: Final = frozenset({"arg-type", "dict-item", "typeddict-item"})
# (mypy's error for a starred coroutine, ``f(*fetch())``, names no type.)
REPLACEABLE_MISC: Final = re.compile(
    r'Incompatible types in "await"|Expected iterable as variadic argument\b'
)
# mypy's own errors about a coroutine value (any code: assignment, arg-type, index, ...),
# which the plugin files under missing-await (checks/mypy_await_notes.py, and unpacking).
# A list or set comprehension's items are shown unquoted (``List[Coroutine[...]]``), and so
# is a tuple display's item (``"tuple[Coroutine[...], str]"``).
COROUTINE_VALUE: Final = re.compile(
    r'"Coroutine\[|^(?:List|Set) comprehension has incompatible type (?:List|Set)\[Coroutine\['
    r'|"(?:tuple|Tuple)\[[^"]*\bCoroutine\['
)
# The plugin's messages, whatever code they are filed under (on a line with
# ``# type: ignore[misc]`` the plugin files its finding under the code the ignore names);
# a note about an entry, filed in a module's file, starts with the config file and line.
PLUGIN_MESSAGE: Final = re.compile(
    r'^(Cannot await ".*": it |(?:Coroutine|Awaitable) ".*" '
    r'(assigned to ".*" on line \d+ )?is used without'
    r' "await" |A coroutine is used without "await" |([^:\s]+:\d+: )?\[mypy_wsplugin\] )'
)
# mypy's word on an ``ignore[misc]`` that silenced only a finding of the plugin's
# (``mypy.errors.Errors.generate_unused_ignore_errors``).
NARROWED_TO_PLUGIN_CODE: Final = re.compile(
    r'^Unused "type: ignore" comment, use narrower \[(await-not-awaitable|missing-await)\]'
    r" instead of \[misc\] code(?:  \[unused-ignore\])?$"
)
REVEAL: Final = re.compile(r"^(Revealed type is |Revealed local types are:)")
LOCATED: Final = re.compile(
    r"^(?P<file>[^:\n]+):(?P<line>\d+)(?::(?P<column>\d+))?(?::\d+:\d+)?: "
    r"(?P<severity>error|note|warning): (?P<message>.*)$"
)
CODE: Final = re.compile(r"^(?P<text>.*?)  \[(?P<code>[a-z][a-z0-9-]*)\]$")
NOT_COVERED: Final = re.compile(
    r'^Error code "[a-z0-9-]+" not covered by "type: ignore\[(?P<codes>[^\]]*)\]" comment'
)
SUMMARY: Final = re.compile(
    r"^(Found \d+ errors? in \d+ files?|Success: no issues found|"
    r"Success: no issues found in \d+ source files?)"
)


@dataclass(frozen=True)
class Line:
    """One line of mypy's output, with what its location and code say."""

    text: str
    file: str = ""
    line: int = 0
    severity: str = ""
    message: str = ""
    code: str = ""

    @property
    def located(self) -> bool:
        return bool(self.file)

    @property
    def where(self) -> tuple[str, int]:
        return (self.file, self.line)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def is_plugin(self) -> bool:
        return self.code in PLUGIN_CODES or bool(PLUGIN_MESSAGE.match(self.message))

    @property
    def is_reveal(self) -> bool:
        return self.severity == "note" and bool(REVEAL.match(self.message))

    @property
    def is_replaceable(self) -> bool:
        if self.code in REPLACEABLE_CODES or COROUTINE_VALUE.search(self.message):
            return True
        return self.code == "misc" and bool(REPLACEABLE_MISC.match(self.message))


def parse_line(text: str) -> Line:
    match = LOCATED.match(text)
    if match is None:
        return Line(text)
    message = match["message"]
    code_match = CODE.match(message)
    code = code_match["code"] if code_match else ""
    return Line(text, match["file"], int(match["line"]), match["severity"], message, code)


@dataclass(frozen=True)
class Item:
    """A line of the output and the index of the error it belongs to (``-1``: none)."""

    line: Line
    owner: int


def items(output: Iterable[str]) -> list[Item]:
    """Parse mypy's output lines and find each note's error: a note belongs to the error it
    follows (mypy prints an error's notes right after it, a note at another line or in
    another file such as "defined here" too), except a ``reveal_type`` note and a plugin
    note after an error of mypy's, which stand alone.  An indented line without a location
    (``--pretty`` source lines) belongs to the line before it."""
    result: list[Item] = []
    owner = -1
    for text in output:
        if not text.strip() or SUMMARY.match(text):
            continue
        line = parse_line(text)
        if line.is_error:
            owner = len(result)
        elif not line.located and text[:1].isspace():
            pass
        elif not (
            line.severity == "note"
            and owner >= 0
            and not line.is_reveal
            and not (line.is_plugin and not result[owner].line.is_plugin)
        ):
            owner = -1
        result.append(Item(line, owner if not line.is_error else len(result)))
    return result


@dataclass
class Relabel:
    """How the plugin's output differs from plain mypy's (each a list of output lines)."""

    replaced: list[tuple[list[str], list[str]]] = field(default_factory=list)  # (mypy, plugin)
    added: list[str] = field(default_factory=list)
    retyped: list[tuple[str, str]] = field(default_factory=list)  # (mypy, plugin)
    silenced: list[list[str]] = field(default_factory=list)
    doubled: list[tuple[list[str], list[str]]] = field(default_factory=list)  # (mypy, plugin)
    mistyped: list[tuple[list[str], list[str]]] = field(default_factory=list)  # (mypy, plugin)
    # mypy's errors (with their notes) at a later use of a name whose coroutine a finding
    # reported at an earlier use: the same finding (mypy, the plugin's finding)
    carried: list[tuple[list[str], str]] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing invented, no finding reported twice or with another type."""
        return not (self.lost or self.invented or self.doubled or self.mistyped)

    def counts(self) -> dict[str, int]:
        return {
            "replaced": len(self.replaced),
            "added": len(self.added),
            "retyped": len(self.retyped),
            "silenced": len(self.silenced),
            "carried": len(self.carried),
            "doubled": len(self.doubled),
            "mistyped": len(self.mistyped),
            "lost": len(self.lost),
            "invented": len(self.invented),
        }

    def render(self, indent: str = "") -> list[str]:
        """Every difference, one block per kind (for assertion messages and reports)."""
        out: list[str] = []
        for old, new in self.replaced:
            out += [f"{indent}replaced: {line}" for line in old]
            out += [f"{indent}      by: {line}" for line in new]
        out += [f"{indent}added:    {line}" for line in self.added]
        for old_line, new_line in self.retyped:
            out += [f"{indent}retyped:  {old_line}", f"{indent}      to: {new_line}"]
        for lines in self.silenced:
            out += [f"{indent}silenced: {line}" for line in lines]
        for lines, finding in self.carried:
            out += [f"{indent}carried:  {line}" for line in lines]
            out += [f"{indent}      by: {finding}"]
        for old, new in self.doubled:
            out += [f"{indent}DOUBLED:  {line}" for line in old]
            out += [f"{indent}  beside: {line}" for line in new]
        for old, new in self.mistyped:
            out += [f"{indent}MISTYPED: {line}" for line in old]
            out += [f"{indent}      by: {line}" for line in new]
        out += [f"{indent}LOST:     {line}" for line in self.lost]
        out += [f"{indent}INVENTED: {line}" for line in self.invented]
        return out


# The plugin's message for mypy's error re-labelled: it quotes mypy's message (where the
# coroutine is a name bound once to a call: naming that call).
_QUOTING: Final = re.compile(
    r'^(?:A coroutine|Coroutine "[^"]*" assigned to "\w+" on line \d+) is used without "await" \('
)


def _quoted(
    gone_errors: dict[tuple[str, int], list[int]], old: list[Item], line: Line
) -> list[int]:
    """The gone error on an earlier line of ``line``'s file whose message the plugin error
    ``line`` quotes (``A coroutine is used without "await" (no overload variant of ...``):
    mypy reports a call where no overload item matches at the call, the plugin at the
    coroutine argument, which may be on a later line of the call.  Taken from
    ``gone_errors``."""
    quoting = _QUOTING.match(line.message)
    if quoting is None:
        return []
    quoted = line.message[quoting.end() :]
    for where in sorted(gone_errors, key=lambda w: -w[1]):
        if where[0] != line.file or where[1] >= line.line:
            continue
        for index in gone_errors[where]:
            message = old[index].line.message
            if quoted.startswith(message[:1].lower() + message[1:].split("  [")[0]):
                gone_errors[where].remove(index)
                if not gone_errors[where]:
                    del gone_errors[where]
                return [index]
    return []


# mypy's error where it could infer no type for a name (mypy.messages.need_annotation_for_var).
NEEDS_ANNOTATION: Final = re.compile(r'Need type annotation for "[^"]+"')
# mypy's error about an argument it inferred Never from, and the plugin's that quotes it.
_NOT_INFERRED_ERROR: Final = re.compile(r'; expected "[^"]*\bNever\b[^"]*"  \[arg-type\]$')
_NOT_INFERRED_FINDING: Final = re.compile(r'; expected "[^"]*\bNever\b[^"]*"\); add "await"')


def _not_inferred_finding(new: list[Item], line: Line) -> str | None:
    """The plugin's finding at an argument mypy inferred ``Never`` from, on ``line``'s line
    or the next few of its file (a statement over several lines), if any."""
    for item in new:
        found = item.line
        if (
            found.is_plugin
            and found.file == line.file
            and line.line <= found.line <= line.line + 5
            and _NOT_INFERRED_FINDING.search(found.message)
        ):
            return found.text
    return None


def classify(
    plain: Sequence[str],
    plugin: Sequence[str],
    ignores: Mapping[tuple[str, int], frozenset[str]] | None = None,
    sources: Mapping[str, Sequence[str]] | None = None,
) -> Relabel:
    """Classify every difference between plain mypy's output lines and the plugin's.

    ``ignores`` (from :func:`ignore_comments`, optional) gives the codes of the
    ``# type: ignore[...]`` comment on each (file, line) of the checked sources, in the paths
    mypy prints; ``sources`` (optional) the lines of each checked file, by that path, where
    mypy's errors at a later use of a name a finding reported are told (``carried``)."""
    ignores = ignores or {}
    old, new = items(plain), items(plugin)
    # Lines both outputs print (as many times) did not change.
    both = Counter(i.line.text for i in old) & Counter(i.line.text for i in new)
    gone = _only(old, both)
    added = _only(new, both)
    result = Relabel()

    # A plugin error replaces the gone errors of a replaceable code on its line, and their
    # notes; a note of mypy's own that follows the plugin error is its, if mypy adds it to
    # errors not covered by an ignore comment.
    gone_errors: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index in gone:
        if old[index].line.is_error and old[index].line.is_replaceable:
            gone_errors[old[index].line.where].append(index)
    # mypy's errors of a replaceable code that the plugin's output still has.
    fresh = set(added)
    kept_errors: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, item in enumerate(new):
        if index not in fresh and item.line.is_error and item.line.is_replaceable:
            kept_errors[item.line.where].append(index)
    doubled_ids: set[int] = set()
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for index in added:
        line = new[index].line
        if not (line.is_error and line.is_plugin):
            continue
        mine = [
            i
            for i in added
            if new[i].owner == index
            and (new[i].line.is_plugin or new[i].line.message.startswith("Error code "))
        ]
        taken_new.update(mine)
        partners = gone_errors.pop(line.where, []) or _quoted(gone_errors, old, line)
        if not partners:
            kept = [i for i in kept_errors.get(line.where, []) if i not in doubled_ids]
            if kept:  # mypy's error for the same cause is still there: two errors
                doubled_ids.update(kept)
                result.doubled.append(
                    ([new[i].line.text for i in kept], [new[i].line.text for i in mine])
                )
            else:
                result.added += [new[i].line.text for i in mine]
            continue
        theirs = [i for i in gone if old[i].owner in partners]
        taken_old.update(theirs)
        pair = ([old[i].line.text for i in theirs], [new[i].line.text for i in mine])
        if any(_other_type(old[i].line.message, line.message) for i in partners):
            result.mistyped.append(pair)
        else:
            result.replaced.append(pair)
    for index in added:  # plugin notes of their own
        if index not in taken_new and new[index].line.is_plugin:
            taken_new.add(index)
            result.added.append(new[index].line.text)

    # A line whose ignore comment names a plugin code (mypy's own note may say so): plain
    # mypy reports the error the plugin replaces there (and calls the comment unused), the
    # plugin's finding is silenced.  An ignore naming ``misc`` silences the plugin's
    # findings too (sub-codes of ``misc``): plain mypy may call that one unused.
    # Where mypy files the cause under another code (``[operator]`` for ``coro() < x``), an
    # ``ignore[misc]`` silences the finding as its parent code, and mypy asks to narrow the
    # ignore to the plugin's code (``use narrower [missing-await] instead of [misc]``).
    narrowed = {
        new[i].line.where: i
        for i in added
        if i not in taken_new and NARROWED_TO_PLUGIN_CODE.match(new[i].line.message)
    }
    for index in gone:
        line = old[index].line
        if index in taken_old or not line.is_error:
            continue
        notes = [i for i in gone if old[i].owner == index and i != index]
        codes = ignores.get(line.where, frozenset())
        if line.is_replaceable:
            silenced = bool(codes & PLUGIN_CODES) or any(
                _ignores_plugin_code(old[i].line.message) for i in notes
            )
            if not silenced and "misc" in codes and line.where in narrowed:
                silenced = True
                taken_new.add(narrowed[line.where])
        else:
            silenced = line.code == "unused-ignore" and bool(codes & (PLUGIN_CODES | {"misc"}))
        if silenced:
            taken_old.update([index, *notes])
            result.silenced.append([old[i].line.text for i in (index, *notes)])

    # mypy's errors about a coroutine (with their notes) on a line after a finding about a
    # coroutine kept in a name (``assigned to "r" on line L``), where the line uses that
    # name: the same value, the same finding (checks/mypy_await_notes).
    for index in gone:
        line = old[index].line
        if index in taken_old or not line.is_error or not COROUTINE_VALUE.search(line.message):
            continue
        finding = _kept_in_a_name(new, line, (sources or {}).get(line.file))
        if finding is not None:
            notes = [i for i in gone if old[i].owner == index and i != index]
            taken_old.update([index, *notes])
            result.carried.append(([old[i].line.text for i in (index, *notes)], finding))

    # mypy's "Need type annotation" for a name whose value is a call with a coroutine
    # argument it could infer no type variable from (``x = enumerate(rows())``): the plugin's
    # finding at the argument (on that line or below it, quoting mypy's "expected
    # "...Never..."") is the same finding (checks/mypy_await_notes).
    for index in gone:
        line = old[index].line
        if index in taken_old or not line.is_error or not NEEDS_ANNOTATION.match(line.message):
            continue
        finding = _not_inferred_finding(new, line)
        if finding is None:
            # mypy's error about the argument on the line was itself the same finding as
            # one at an earlier use of the name (``carried`` above).
            finding = next(
                (
                    theirs
                    for mine, theirs in result.carried
                    if any(
                        _NOT_INFERRED_ERROR.search(m) and parse_line(m).where == line.where
                        for m in mine
                    )
                ),
                None,
            )
        if finding is not None:
            taken_old.add(index)
            result.carried.append(([line.text], finding))

    # reveal_type notes whose type changed.
    reveals: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index in added:
        if index not in taken_new and new[index].line.is_reveal:
            reveals[new[index].line.where].append(index)
    for index in gone:
        line = old[index].line
        if index not in taken_old and line.is_reveal and reveals.get(line.where):
            partner = reveals[line.where].pop(0)
            taken_old.add(index)
            taken_new.add(partner)
            result.retyped.append((line.text, new[partner].line.text))

    result.lost = [old[i].line.text for i in gone if i not in taken_old]
    result.invented = [new[i].line.text for i in added if i not in taken_new]
    return result


ASSIGNED_FINDING: Final = re.compile(
    r'^Coroutine "[^"]*" assigned to "(?P<name>\w+)" on line (?P<line>\d+) '
)


def _kept_in_a_name(new: Sequence[Item], line: Line, source: Sequence[str] | None) -> str | None:
    """The plugin's finding about a coroutine kept in a name (the last one in ``line``'s
    file at or before it, bound before it: ``assigned to "r" on line L``, or reported on
    a line before where a walrus binds it, ``(r := rows())``), if ``line`` of the source
    uses that name."""
    if source is None or not 0 < line.line <= len(source):
        return None
    found: tuple[int, str, str] | None = None  # (its line, the name, its text)
    for item in new:
        theirs = item.line
        if not theirs.is_plugin or not theirs.is_error or theirs.file != line.file:
            continue
        match = ASSIGNED_FINDING.match(theirs.message)
        names = [match["name"]] if match and int(match["line"]) < line.line else []
        if not match and 0 < theirs.line < line.line:
            names = WALRUS_TARGET.findall(source[theirs.line - 1])
        for name in names:
            if theirs.line <= line.line and (found is None or theirs.line >= found[0]):
                found = (theirs.line, name, theirs.text)
    if found is None or not re.search(rf"\b{found[1]}\b", source[line.line - 1]):
        return None
    return found[2]


WALRUS_TARGET: Final = re.compile(r"\b(\w+)\s*:=")


IGNORE_COMMENT: Final = re.compile(r"#\s*type:\s*ignore(?:\[(?P<codes>[^\]]*)\])?")


def ignore_comments(files: Iterable[tuple[str, str]]) -> dict[tuple[str, int], frozenset[str]]:
    """The codes of each ``# type: ignore[...]`` comment of (path, source text) pairs, by
    (path, line); a bare ignore has none.  (A rough reading: a comment in a string counts.)"""
    found: dict[tuple[str, int], frozenset[str]] = {}
    for path, text in files:
        for number, source in enumerate(text.splitlines(), start=1):
            match = IGNORE_COMMENT.search(source)
            if match:
                found[(path, number)] = frozenset(_codes(match["codes"] or ""))
    return found


# The type each message names, where both name one: mypy's, then the plugin's.
TYPE_PAIRS: Final = (
    (
        re.compile(r'^Incompatible types in "await" \(actual type "(?P<type>.*)", expected type "'),
        re.compile(r'^Cannot await "[^"]*": it (?:returns|is) "(?P<type>.*?)", (?:which|and ")'),
    ),
    (
        re.compile(r'^Incompatible return value type \(got ".*", expected "(?P<type>.*)"\)'),
        re.compile(r'it is returned from a function declared to return "(?P<type>.*)"\); '),
    ),
)


def _other_type(mypy_message: str, plugin_message: str) -> bool:
    """Whether the plugin's message names another type than mypy's error it replaces: not
    that type, nor one member of it (``await (f() if c else g())``: mypy names the union of
    the branches, the plugin the branch it reports)."""
    for mypy_pattern, plugin_pattern in TYPE_PAIRS:
        theirs = mypy_pattern.match(mypy_message)
        mine = plugin_pattern.search(plugin_message)
        if theirs and mine:
            return mine["type"] not in {theirs["type"], *_members(theirs["type"])}
    return False


def _members(union: str) -> list[str]:
    """The members of a union type as mypy prints it (``A | B[C | D]``: ``A``, ``B[C | D]``)."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(union):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth == 0 and union.startswith(" | ", index):
            members.append(union[start:index])
            start = index + 3
    return [*members, union[start:]]


def _ignores_plugin_code(message: str) -> bool:
    match = NOT_COVERED.match(message)
    return match is not None and bool(PLUGIN_CODES & set(_codes(match["codes"])))


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _only(output: list[Item], both: Counter[str]) -> list[int]:
    """Indexes of the lines of ``output`` beyond those counted in ``both``."""
    left = Counter(both)
    only = []
    for index, item in enumerate(output):
        if left[item.line.text] > 0:
            left[item.line.text] -= 1
        else:
            only.append(index)
    return only
