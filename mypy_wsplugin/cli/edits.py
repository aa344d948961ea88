"""Source edits with libcst: remove a wrong ``await``, add a missing one.

Everything else in the file is kept byte for byte (libcst round-trips comments, blank
lines, tabs, ``\\r\\n`` and the encoding).  An edit is asked for where mypy reported a
finding; :func:`fix_source` finds the expression there, edits it, and says for each request
whether it was applied or why it needs a change by hand.

Finding the expression: mypy reports the call (or attribute) itself, without enclosing
parentheses: for ``await-not-awaitable`` the awaited operand, for ``missing-await`` the
coroutine call, or for a coroutine assigned to a name and misused later, the later use
(the edit then goes to the call in the assignment, see :class:`Assigned`).  Candidates on
the reported line are told apart by the reported column (mypy 1.19 counts UTF-8 bytes,
mypy 2.4 characters; see :func:`candidate_columns`), the end position (not in mypy 1.19's
JSON output), the callee's name and the use named in the message.  A request that stays
ambiguous is not edited.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider


class EditKind(enum.Enum):
    REMOVE_AWAIT = "remove the await"
    ADD_AWAIT = "add await"


class Use(enum.Enum):
    """How the message says a coroutine is misused (narrows the candidates on a line)."""

    ATTRIBUTE_BASE = "attribute"
    CONDITION = "condition"
    STATEMENT = "statement"
    RETURNED = "returned"


@dataclass(frozen=True)
class Assigned:
    """``missing-await`` reported at a later use of ``name``: the ``await`` belongs on the
    call assigned to it on ``line``."""

    name: str
    line: int


@dataclass(frozen=True)
class EditRequest:
    kind: EditKind
    line: int  # where mypy reported it (1-based)
    column: int  # as mypy counted it (0-based)
    end_line: int | None = None
    end_column: int | None = None
    name: str | None = None  # the callee's (or attribute's) own name, "get_manager"
    use: Use | None = None
    attribute: str | None = None  # for Use.ATTRIBUTE_BASE: the attribute looked up
    assigned: Assigned | None = None


@dataclass(frozen=True)
class Outcome:
    request: EditRequest
    applied: bool
    reason: str = ""  # why it needs a change by hand (empty when applied)


@dataclass(frozen=True)
class FixedSource:
    original: str  # the source as text
    module: cst.Module  # the edited module (``.bytes`` in the source's encoding)
    outcomes: tuple[Outcome, ...]
    # What the source ends with that libcst does not give back (the last line break of a
    # file whose lines end in a lone ``\r``), kept after the edited code.
    tail: str = ""

    @property
    def code(self) -> str:
        return self.module.code + self.tail

    @property
    def data(self) -> bytes:
        """The edited file, in its own encoding."""
        if not self.tail:
            return self.module.bytes
        encoding = self.module.encoding
        return self.module.bytes + self.tail.encode(
            "utf-8" if encoding == "utf-8-sig" else encoding
        )

    @property
    def changed(self) -> bool:
        return any(outcome.applied for outcome in self.outcomes)


def fix_source(source: str | bytes, requests: Sequence[EditRequest]) -> FixedSource:
    """Apply ``requests`` to ``source`` (bytes keep their encoding, see ``Module.bytes``).

    Raises :class:`libcst.ParserSyntaxError` if the source does not parse.
    """
    wrapper = MetadataWrapper(cst.parse_module(source))
    original = wrapper.module.code
    text = source.decode(wrapper.module.encoding) if isinstance(source, bytes) else source
    text = text.removeprefix("\ufeff")
    tail = text[len(original) :] if text.startswith(original) else ""
    original += tail
    index = _Index(original)
    wrapper.visit(index)
    removals: dict[int, cst.Await] = {}
    additions: dict[int, _Site] = {}
    outcomes: list[Outcome] = []
    for request in requests:
        site, reason = index.locate(request)
        if site is None:
            outcomes.append(Outcome(request, False, reason))
        elif request.kind is EditKind.REMOVE_AWAIT:
            assert isinstance(site.node, cst.Await)
            removals[id(site.node)] = site.node
            outcomes.append(Outcome(request, True))
        else:
            additions[id(site.node)] = site
            outcomes.append(Outcome(request, True))
    module = wrapper.module
    if removals or additions:
        module = module.visit(_Apply(set(removals), additions))
    return FixedSource(original, module, tuple(outcomes), tail)


def candidate_columns(line_text: str, column: int) -> set[int]:
    """The columns mypy may report for character ``column`` of ``line_text``.

    All agree on ASCII text.  mypy 1.19 reports Python's ``col_offset`` (UTF-8 bytes);
    mypy 2.4's parser counts characters, but on a line with non-ASCII text before the
    expression it has been seen to report the character count less the extra bytes.  A
    column that fits none of these still finds the one candidate on its line; among several,
    the end position, the callee's name and the use named in the message decide.
    """
    byte = len(line_text[:column].encode("utf-8", "surrogatepass"))
    return {column, byte, 2 * column - byte}


def _lines(code: str) -> list[str]:
    """``code`` split the way Python counts lines (``\\n``, ``\\r\\n`` or a lone ``\\r``)."""
    lines: list[str] = []
    start = 0
    index = 0
    while index < len(code):
        char = code[index]
        if char in "\r\n":
            lines.append(code[start:index])
            if char == "\r" and code[index + 1 : index + 2] == "\n":
                index += 1
            start = index + 1
        index += 1
    lines.append(code[start:])
    return lines


@dataclass
class _Site:
    node: cst.CSTNode  # the Await to remove, or the Call to await
    position: CodeRange  # of what mypy reports: the awaited operand, or the call
    name: str | None  # the callee's or attribute's own name
    parent: cst.CSTNode | None
    blocker: str | None = None  # why an await cannot be added here
    needs_parens: bool = False  # an added await needs parentheses (attribute base, ...)
    _uses: frozenset[Use] = field(default_factory=frozenset)
    # What uses the call's value: its parent, or a walrus's (``(c := make()).send()``).
    user: cst.CSTNode | None = None
    # Where the expressions around the call start (line, column): mypy reports some of its
    # errors there (``-fetch()``, ``(n := fetch()) > 1``, ``1 + fetch()``).
    around: frozenset[tuple[int, int]] = frozenset()
    # The names a walrus keeps the call's value in (``(c := make())``), and the function
    # the call stands in: where that function awaits such a name, it holds the coroutine.
    kept_in: tuple[str, ...] = ()
    function: cst.FunctionDef | None = None


@dataclass
class _Assignment:
    names: tuple[str, ...]
    value: cst.BaseExpression | None


class _Index(cst.CSTVisitor):
    """Every ``await`` operand and every call, by the line mypy would report it on."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, code: str) -> None:
        super().__init__()
        self.lines = _lines(code)
        self.stack: list[cst.CSTNode] = []
        self.awaits: dict[int, list[_Site]] = {}
        self.calls: dict[int, list[_Site]] = {}
        self.calls_by_node: dict[int, _Site] = {}
        self.assignments: dict[int, list[_Assignment]] = {}
        # The names each function awaits as they are (``await c``), by the function's id.
        self.awaited_names: dict[int, set[str]] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.Await):
            self._add_await(node)
        elif isinstance(node, cst.Call):
            self._add_call(node)
        elif isinstance(node, cst.Assign):
            names = tuple(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
            self._add_assignment(node, names, node.value)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
            self._add_assignment(node, (node.target.value,), node.value)
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()

    # Recording

    def _function(self) -> cst.FunctionDef | None:
        return next((n for n in reversed(self.stack) if isinstance(n, cst.FunctionDef)), None)

    def _add_await(self, node: cst.Await) -> None:
        operand = node.expression
        function = self._function()
        if isinstance(operand, cst.Name) and function is not None:
            self.awaited_names.setdefault(id(function), set()).add(operand.value)
        position = self.get_metadata(PositionProvider, operand)
        site = _Site(node, position, _own_name(operand), self._parent())
        if "#" in _code(node.whitespace_after_await):
            site.blocker = 'a comment stands between "await" and what it awaits'
        else:
            site.blocker = _in_printed_text([*self.stack, node])
        self.awaits.setdefault(position.start.line, []).append(site)

    def _add_call(self, node: cst.Call) -> None:
        position = self.get_metadata(PositionProvider, node)
        parent = self._parent()
        site = _Site(node, position, _own_name(node), parent)
        site.blocker = _await_blocker([*self.stack, node])
        site.needs_parens = _is_primary_base(node, parent)
        value: cst.CSTNode = node
        user = parent
        kept_in: list[str] = []
        for outer in reversed(self.stack[:-1]):
            if not (isinstance(user, cst.NamedExpr) and user.value is value):
                break
            if isinstance(user.target, cst.Name):
                kept_in.append(user.target.value)
            value, user = user, outer
        site.user = user
        site.kept_in = tuple(kept_in)
        site.function = self._function()
        site._uses = frozenset(_uses(value, user))
        starts: set[tuple[int, int]] = set()
        for outer in reversed(self.stack):
            if not isinstance(outer, cst.BaseExpression):
                break
            start = self.get_metadata(PositionProvider, outer).start
            starts.add((start.line, start.column))
        site.around = frozenset(starts)
        self.calls.setdefault(position.start.line, []).append(site)
        self.calls_by_node[id(node)] = site

    def _add_assignment(
        self, node: cst.CSTNode, names: tuple[str, ...], value: cst.BaseExpression | None
    ) -> None:
        line = self.get_metadata(PositionProvider, node).start.line
        self.assignments.setdefault(line, []).append(_Assignment(names, value))

    def _parent(self) -> cst.CSTNode | None:
        return self.stack[-1] if self.stack else None

    # Locating

    def locate(self, request: EditRequest) -> tuple[_Site | None, str]:
        where = f"line {request.line}, column {request.column + 1}"
        if request.kind is EditKind.REMOVE_AWAIT:
            site = self._choose(self.awaits.get(request.line, []), request)
            if site is None:
                return None, f'no "await" found at {where}'
            if site.blocker:
                return None, site.blocker
            return site, ""
        if request.assigned is not None:
            return self._locate_assigned(request.assigned)
        site = self._choose(self.calls.get(request.line, []), request)
        if site is None:
            return None, f"no call found at {where}"
        if site.blocker:
            return None, site.blocker
        held = self._awaited_later(site, site.kept_in)
        if held is not None:
            return None, held
        return site, ""

    def _awaited_later(self, site: _Site, names: Sequence[str]) -> str | None:
        """Why an ``await`` at ``site`` would break the program: its function awaits a name
        the call's value is kept in (``c = fetch()`` or ``(c := fetch())``, then ``await
        c``), which would then await the result."""
        awaited = self.awaited_names.get(id(site.function), set()) if site.function else set()
        for name in names:
            if name in awaited:
                return (
                    f'"{name}" is awaited further on in the function: an "await" here would '
                    "leave that one awaiting the result"
                )
        return None

    def _locate_assigned(self, assigned: Assigned) -> tuple[_Site | None, str]:
        for assignment in self.assignments.get(assigned.line, []):
            if assigned.name not in assignment.names:
                continue
            value = assignment.value
            site = self.calls_by_node.get(id(value)) if value is not None else None
            if site is None:
                return None, (
                    f'what is assigned to "{assigned.name}" on line {assigned.line} '
                    "is not a plain call"
                )
            if site.blocker:
                return None, site.blocker
            held = self._awaited_later(site, assignment.names)
            if held is not None:
                return None, held
            return site, ""
        return None, f'no assignment to "{assigned.name}" found on line {assigned.line}'

    def _choose(self, sites: list[_Site], request: EditRequest) -> _Site | None:
        """The one site ``request`` is about, or None if no single one fits best.  A site
        the request points inside of (an argument of a call, ``takes(c)``), or whose use
        is not the one the message names (``c.append(1)`` for ``c`` looked up on), is not
        it: the finding is about something in it that is no call."""
        sites = [site for site in sites if not self._contradicts(site, request)]
        if len(sites) <= 1:
            return sites[0] if sites else None
        keys: list[Callable[[_Site], bool]] = [
            lambda s: self._column_fits(s, request),
            lambda s: self._end_fits(s, request),
            lambda s: request.name is not None and s.name == request.name,
            lambda s: _use_fits(s, request),
        ]
        scored = [(tuple(key(site) for key in keys), site) for site in sites]
        best = max(score for score, _ in scored)
        winners = [site for score, site in scored if score == best]
        return winners[0] if len(winners) == 1 else None

    def _contradicts(self, site: _Site, request: EditRequest) -> bool:
        """Whether ``request`` is about something else than ``site``: inside it (its column
        past the site's start on the site's first line, and none of the columns its start
        may be reported at), elsewhere on a line where every count of columns agrees (ASCII
        text up to the column), unless where an expression around the site starts (a name
        used further on, ``len(r) + len(c)`` for ``c``, is not the call), or about a use the
        site does not have."""
        start, end = site.position.start, site.position.end
        if (
            request.use is not None
            and request.kind is EditKind.ADD_AWAIT
            and not _use_fits(site, request)
        ):
            return True
        if start.line != request.line or self._column_fits(site, request):
            return False
        line = self._line(start.line)
        limit = end.column if end.line == start.line else len(line)
        if line[: request.column].isascii():
            # Where the counts agree, the column is the call's start or that of an
            # expression around it; else the request is about something else.
            return (request.line, request.column) not in site.around
        return start.column < request.column < limit

    def _column_fits(self, site: _Site, request: EditRequest) -> bool:
        start = site.position.start
        return request.column in candidate_columns(self._line(start.line), start.column)

    def _end_fits(self, site: _Site, request: EditRequest) -> bool:
        end = site.position.end
        if request.end_line is None or request.end_column is None:
            return False
        if end.line != request.end_line:
            return False
        return request.end_column in candidate_columns(self._line(end.line), end.column)

    def _line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""


def _use_fits(site: _Site, request: EditRequest) -> bool:
    if request.use is None or request.use not in site._uses:
        return False
    if request.use is Use.ATTRIBUTE_BASE:
        user = site.user
        if isinstance(user, cst.WithItem):  # mypy looks the manager's methods up on it
            return request.attribute in _WITH_METHODS
        return isinstance(user, cst.Attribute) and user.attr.value == request.attribute
    return True


# What mypy looks up on a ``with`` or ``async with`` statement's manager.
_WITH_METHODS: Final = frozenset({"__enter__", "__exit__", "__aenter__", "__aexit__"})


def _uses(node: cst.CSTNode, parent: cst.CSTNode | None) -> Iterable[Use]:
    """How ``parent`` uses ``node``, a call (or a walrus around one)."""
    if (isinstance(parent, cst.Attribute) and parent.value is node) or (
        isinstance(parent, cst.WithItem) and parent.item is node
    ):
        yield Use.ATTRIBUTE_BASE
    if isinstance(parent, cst.Expr):
        yield Use.STATEMENT
    if isinstance(parent, cst.Return):
        yield Use.RETURNED
    if (
        (isinstance(parent, (cst.If, cst.While, cst.Assert, cst.IfExp)) and parent.test is node)
        or (isinstance(parent, cst.CompIf) and parent.test is node)
        or (isinstance(parent, cst.MatchCase) and parent.guard is node)
        or isinstance(parent, (cst.BooleanOperation, cst.UnaryOperation))
    ):
        yield Use.CONDITION


def _own_name(node: cst.BaseExpression) -> str | None:
    """The name a call or attribute is made through: ``get`` for ``a.b.get()``."""
    if isinstance(node, cst.Call):
        node = node.func
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _is_primary_base(node: cst.Call, parent: cst.CSTNode | None) -> bool:
    """Whether ``node`` is the base of an attribute, subscript or call: ``await`` binds
    more loosely than those, so an added one needs parentheses."""
    if isinstance(parent, (cst.Attribute, cst.Subscript)):
        return parent.value is node
    return isinstance(parent, cst.Call) and parent.func is node


def _await_blocker(path: Sequence[cst.CSTNode]) -> str | None:
    """Why an ``await`` cannot be added to the last node of ``path`` (from the module
    down), or None.  A function's decorators, parameter defaults and annotations, a lambda's
    defaults and a class's decorators and bases are evaluated where the definition stands,
    so the scope around it decides there."""
    printed = _in_printed_text(path)
    if printed is not None:
        return printed
    steps = list(zip(path[:-1], path[1:], [*path[2:], None], strict=True))
    for node, child, grandchild in reversed(steps):
        if isinstance(node, cst.Lambda):
            if child is node.body:
                return "it is inside a lambda"
        elif isinstance(node, cst.GeneratorExp):
            # Its first iterable is evaluated where the expression stands
            # (``sum(x for x in await rows())``); the rest runs inside the generator.
            if not (child is node.for_in and grandchild is node.for_in.iter):
                return (
                    "it is inside a generator expression (an await there would make it an "
                    "async generator)"
                )
        elif isinstance(node, cst.ClassDef):
            if child is node.body:
                return "it is inside a class body"
        elif isinstance(node, cst.FunctionDef) and child is node.body:
            if node.asynchronous is None:
                return f'the enclosing function "{node.name.value}" is not "async def"'
            return None
    return "it is not inside a function"


def _in_printed_text(path: Sequence[cst.CSTNode]) -> str | None:
    """Why the expression at the end of ``path`` cannot be edited where an f-string prints
    its text (``f"{x.count()=}"``): an edit changes what the program prints."""
    for node, child in itertools.pairwise(path):
        if (
            isinstance(node, cst.FormattedStringExpression)
            and node.equal is not None
            and child is node.expression
        ):
            return 'it is in an f-string\'s "=" expression, whose text the program prints'
    return None


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _parses_alone(node: cst.BaseExpression) -> bool:
    """Whether ``node`` stays valid without enclosing parentheses (no line break outside
    its own brackets)."""
    try:
        cst.parse_expression(_code(node))
    except cst.ParserSyntaxError:
        return False
    return True


def _simple_parens(node: cst.BaseExpression) -> bool:
    """Parentheses with nothing but spaces inside them (no comment, no line break)."""
    whitespace = [p.whitespace_after for p in node.lpar] + [p.whitespace_before for p in node.rpar]
    return all(isinstance(w, cst.SimpleWhitespace) and "\\" not in w.value for w in whitespace)


def _without_await(node: cst.Await) -> cst.BaseExpression:
    """``(await f()).send()`` -> ``f().send()``: the operand of an ``await`` is a primary
    expression, so the parentheses the ``await`` needed can go, unless they hold a comment
    or a line break the operand needs."""
    operand = node.expression
    if not node.lpar or (_simple_parens(node) and _parses_alone(operand)):
        return operand
    return operand.with_changes(lpar=[*node.lpar, *operand.lpar], rpar=[*operand.rpar, *node.rpar])


def _with_await(node: cst.Call, needs_parens: bool) -> cst.BaseExpression:
    """``create().send()`` -> ``(await create()).send()``; the call's own parentheses, if
    it had any, now enclose the ``await``."""
    lpar: Sequence[cst.LeftParen] = node.lpar
    rpar: Sequence[cst.RightParen] = node.rpar
    if not lpar and needs_parens:
        lpar, rpar = [cst.LeftParen()], [cst.RightParen()]
    return cst.Await(expression=node.with_changes(lpar=[], rpar=[]), lpar=lpar, rpar=rpar)


class _Apply(cst.CSTTransformer):
    def __init__(self, removals: set[int], additions: dict[int, _Site]) -> None:
        super().__init__()
        self.removals = removals
        self.additions = additions

    def leave_Await(self, original_node: cst.Await, updated_node: cst.Await) -> cst.BaseExpression:
        if id(original_node) in self.removals:
            return _without_await(updated_node)
        return updated_node

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        site = self.additions.get(id(original_node))
        if site is not None:
            return _with_await(updated_node, site.needs_parens)
        return updated_node
