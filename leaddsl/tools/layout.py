"""The canonical layout of statements and expressions, for ``leaddsl fmt``.

Every statement becomes a list of :class:`Line`; each line knows the source offsets
of the first and last token it prints, so that ``fmt.py`` can put every comment back
between the right two lines (or keep a statement as written when one cannot be).

The rules, in short: one statement per line, blocks (``score``, ``route``,
``definition``) one item per line with four spaces of indentation, single spaces
around operators, numbers and dates as written. A chain of ``and``/``or`` is laid
out one operand per line when it does not fit in :data:`WIDTH` columns or when its
author already wrote it over several lines; the operands line up and each operator
stands before its operand. Sets, enum members and event properties keep the line
breaks their author wrote between items and wrap when a line would be too long,
continuing under the first item.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..front import nodes as n
from ..front.parser import KEYWORDS

WIDTH = 100
INDENT = 4
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\S*")
_HIDDEN = re.compile(r'"(\\.|[^"\\\n])*"|`[^`\n]*`|#[^\n]*')
_PREDICATES = (n.Compare, n.In, n.Between, n.Is, n.TextOp, n.Has, n.Within, n.Then)


@dataclass
class Line:
    """One output line: its text (the first line of an expression's layout is relative
    to the column it starts at; every other line carries its indentation), the source
    offsets of the first and last token it prints, and where comments go."""
    text: str
    start: int
    end: int
    item: bool = False        # a statement or a block item: a blank line before it is kept
    cindent: int | None = None  # indentation of a comment written on its own line before it
    comment: str | None = None  # a trailing comment
    stmt: int = -1            # index of the statement it belongs to


def _lines(text: str, start: int = -1, end: int = -1) -> list[Line]:
    return [Line(text, start, end)]


def _merge(a: Line, b: Line) -> None:
    """Append ``b`` to the end of ``a``."""
    a.text += b.text
    if b.start >= 0 and (a.start < 0 or b.start < a.start):
        a.start = b.start
    a.end = max(a.end, b.end)


def cat(*parts: list[Line]) -> list[Line]:
    """Lay ``parts`` one after the other: each part's first line continues the line before."""
    out: list[Line] = []
    for part in parts:
        if not part:
            continue
        if not out:
            out = [Line(p.text, p.start, p.end, p.item, p.cindent) for p in part]
            continue
        _merge(out[-1], part[0])
        out.extend(Line(p.text, p.start, p.end, p.item, p.cindent) for p in part[1:])
    return out


def column(col: int, lines: list[Line]) -> int:
    """The column after the last character of ``lines`` (the first one starting at ``col``)."""
    return col + len(lines[0].text) if len(lines) == 1 else len(lines[-1].text)


def name(text: str, bare_ok: bool = True) -> str:
    """A declared name: bare when it is a name, in backticks when it is a reserved word
    or holds other characters."""
    if bare_ok and _IDENT.fullmatch(text) and not any(p in KEYWORDS for p in text.split(".")):
        return text
    return f"`{text}`"


def simple_name(text: str) -> str:
    """A name that must not read as dotted (an event type in an aggregate)."""
    return name(text, bare_ok=bool(_WORD.fullmatch(text)))


def text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def ref(node: n.Name) -> str:
    return f"`{node.name}`" if node.quoted else node.name


def level(e) -> int:
    """How tightly ``e`` binds: or 1, and 2, not 3, predicates 4, + - 5, * / 6, unary 7, atoms 8."""
    if isinstance(e, n.BoolOp):
        return 1 if e.op == "or" else 2
    if isinstance(e, n.Not):
        return 3
    if isinstance(e, _PREDICATES):
        return 4
    if isinstance(e, n.Arith):
        return 5 if e.op in "+-" else 6
    if isinstance(e, n.Neg) or (isinstance(e, n.Number) and _number(e).startswith("-")):
        return 7
    return 8


def _number(e: n.Number) -> str:
    if e.text:
        return e.text
    return repr(e.value) if isinstance(e.value, float) else str(e.value)


def member(value: str) -> str:
    """An enum or ordinal member: bare when it is a name, else as text."""
    if _IDENT.fullmatch(value) and not any(p in KEYWORDS for p in value.split(".")):
        return value
    return text(value)


class Layout:
    """Lays out the statements of one file (``source``: its text, for numbers, dates and
    line breaks as written)."""

    def __init__(self, source: str, width: int = WIDTH):
        self.src = source
        self.width = width
        self._seen: dict[int, str] = {}  # id(node) -> its one-line text (the nodes outlive the Layout)
        # the text with strings, quoted names and comments blanked out: where the words are
        self.masked = _HIDDEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)

    # ------------------------------------------------------------- helpers
    def written(self, span) -> str | None:
        if 0 <= span.start < span.end <= len(self.src):
            return self.src[span.start:span.end]
        return None

    def broken(self, a, b) -> bool:
        """Whether the author put a line break between nodes ``a`` and ``b``."""
        lo, hi = self.end(a), b.span.start
        return 0 <= lo < hi and "\n" in self.src[lo:hi]

    @staticmethod
    def end(node) -> int:
        """The source offset just after ``node`` (a property or field option may end after
        its own span: its values, its type)."""
        ends = [node.span.end]
        for attr in ("type", "value_spans", "options", "alias_spans"):
            v = getattr(node, attr, None)
            if isinstance(v, n.Node):
                ends.append(Layout.end(v))
            elif isinstance(v, tuple):
                for x in v:
                    if isinstance(x, n.Node):
                        ends.append(Layout.end(x))
                    elif isinstance(x, tuple):
                        ends.extend(s.end for s in x)
                    elif hasattr(x, "end"):
                        ends.append(x.end)
        return max(ends)

    # ------------------------------------------------------------- flat text
    def flat(self, e, min_level: int = 0) -> str:
        s = self._seen.get(id(e))
        if s is None:  # laying out a chain asks for the one-line text of its parts again
            s = self._seen[id(e)] = self._flat(e)
        return f"({s})" if level(e) < min_level else s

    def _flat(self, e) -> str:
        f = self.flat
        if isinstance(e, n.BoolOp):
            lvl = 3  # a chain inside a chain is always in parentheses
            return f" {e.op} ".join(f(x, lvl) for x in e.operands)
        if isinstance(e, n.Not):
            return "not " + f(e.operand, 5)  # `not (x = 1)`: the parentheses read better
        if isinstance(e, n.Compare):
            return f"{f(e.left, 5)} {e.op} {f(e.right, 5)}"
        if isinstance(e, n.In):
            return f"{f(e.value, 5)} {'not in' if e.negated else 'in'} {f(e.collection, 5)}"
        if isinstance(e, n.Between):
            return f"{f(e.value, 5)} between {f(e.low, 5)} and {f(e.high, 5)}"
        if isinstance(e, n.Is):
            return f"{f(e.value, 5)} is {e.what}"
        if isinstance(e, n.TextOp):
            return f"{f(e.value, 5)} {e.op} {f(e.pattern, 5)}"
        if isinstance(e, n.Has):
            mode = "" if e.mode == "one" else e.mode + " "
            return f"{f(e.value, 5)} has {mode}{f(e.item, 5)}"
        if isinstance(e, n.Within):
            return f"{f(e.value, 5)} within {f(e.duration, 5)}"
        if isinstance(e, n.Then):
            tail = f" within {f(e.duration, 5)}" if e.duration is not None else ""
            return f"{f(e.first, 5)} then {f(e.second, 5)}{tail}"
        if isinstance(e, n.Arith):
            lvl = level(e)
            return f"{f(e.left, lvl)} {e.op} {f(e.right, lvl + 1)}"
        if isinstance(e, n.Neg):
            return "-" + f(e.operand, 7)
        if isinstance(e, n.Windowed):
            return f"{ref(e.target)}({'any ' if e.any else ''}{e.duration.text})"
        if isinstance(e, n.Filtered):
            return f"({ref(e.target)} where {f(e.where)})"
        if isinstance(e, n.SetLit):
            return "{" + ", ".join(f(x) for x in e.items) + "}"
        return self.atom(e)

    def atom(self, e) -> str:
        if isinstance(e, n.Number):
            return _number(e)
        if isinstance(e, n.Duration):
            return e.text or f"{e.seconds // 86400}d"
        if isinstance(e, n.Text):
            return text(e.value)
        if isinstance(e, n.Bool):
            return "true" if e.value else "false"
        if isinstance(e, (n.Date, n.DateTime)):
            shown = self.written(e.span)
            return shown if shown and _DATE.fullmatch(shown) else e.value.isoformat()
        if isinstance(e, n.Name):
            return ref(e)
        if isinstance(e, n.Party):
            return f"{e.role} {text(e.person)}"
        raise TypeError(f"cannot format {type(e).__name__}")  # pragma: no cover - every node is above

    # ------------------------------------------------------------- expressions
    def expr(self, e, col: int, tail: int = 0, min_level: int = 0) -> list[Line]:
        """``e`` laid out from column ``col``, with ``tail`` characters to follow it on its last line."""
        if level(e) < min_level:
            inner = self.expr(e, col + 1, tail + 1)
            return cat(_lines("("), inner, _lines(")"))
        if isinstance(e, n.BoolOp):
            return self.chain(e, col, tail)
        if isinstance(e, n.SetLit):
            items = [(self.flat(x), x.span.start, x.span.end) for x in e.items]
            return cat(_lines("{", e.span.start, e.span.start + 1),
                       self.fill(items, col + 1, ", ", tail + 1),
                       _lines("}", e.span.end - 1, e.span.end))
        parts = self.parts(e)
        if parts is None:
            return _lines(self.flat(e), e.span.start, e.span.end)
        return self.seq(parts, col, tail)

    def parts(self, e):
        """An expression as its words and its children (each with the level it needs), or None for an atom."""
        if isinstance(e, n.Not):
            return ["not ", (e.operand, 5)]
        if isinstance(e, n.Compare):
            return [(e.left, 5), f" {e.op} ", (e.right, 5)]
        if isinstance(e, n.In):
            return [(e.value, 5), " not in " if e.negated else " in ", (e.collection, 5)]
        if isinstance(e, n.Between):
            return [(e.value, 5), " between ", (e.low, 5), " and ", (e.high, 5)]
        if isinstance(e, n.Is):
            return [(e.value, 5), f" is {e.what}"]
        if isinstance(e, n.TextOp):
            return [(e.value, 5), f" {e.op} ", (e.pattern, 5)]
        if isinstance(e, n.Has):
            return [(e.value, 5), " has " + ("" if e.mode == "one" else e.mode + " "), (e.item, 5)]
        if isinstance(e, n.Within):
            return [(e.value, 5), " within ", (e.duration, 5)]
        if isinstance(e, n.Then):
            rest = [" within ", (e.duration, 5)] if e.duration is not None else []
            return [(e.first, 5), " then ", (e.second, 5), *rest]
        if isinstance(e, n.Arith):
            return [(e.left, level(e)), f" {e.op} ", (e.right, level(e) + 1)]
        if isinstance(e, n.Neg):
            return ["-", (e.operand, 7)]
        if isinstance(e, n.Filtered):
            return ["(" + ref(e.target) + " where ", (e.where, 0), ")"]
        return None

    def seq(self, parts, col: int, tail: int) -> list[Line]:
        widths = [len(p) if isinstance(p, str) else len(self.flat(*p)) for p in parts]
        out: list[Line] = []
        for i, p in enumerate(parts):
            here = column(col, out) if out else col
            if isinstance(p, str):
                piece = _lines(p)
            else:
                piece = self.expr(p[0], here, sum(widths[i + 1:]) + tail, p[1])
            out = cat(out, piece)
        return out

    def chain(self, e: n.BoolOp, col: int, tail: int) -> list[Line]:
        """``a and b and c``: on one line when it fits and was written so; else one operand
        per line, the operators lined up under the first operand."""
        lvl = 3  # a chain inside a chain is always in parentheses
        ops = e.operands
        if col + len(self.flat(e)) + tail <= self.width and not self.chain_broken(e):
            parts: list = []
            for i, x in enumerate(ops):
                parts += ([f" {e.op} "] if i else []) + [(x, lvl)]
            return self.seq(parts, col, tail)
        out = self.expr(ops[0], col, 0, lvl)
        for i, x in enumerate(ops[1:], 1):
            last = i == len(ops) - 1
            piece = self.expr(x, col + len(e.op) + 1, tail if last else 0, lvl)
            out += cat([Line(" " * col + e.op + " ", -1, -1, cindent=col)], piece)
        return out

    def chain_broken(self, e: n.BoolOp) -> bool:
        return any(self.broken(a, b) for a, b in zip(e.operands, e.operands[1:]))

    def gutter(self, e: n.BoolOp, indent: int) -> list[Line]:
        """A statement's top-level chain, one operand per line below the statement's
        first line: ``    and x``, the first operand lined up with the others."""
        lvl = 3  # a chain inside a chain is always in parentheses
        pad = len(e.op) + 1
        out: list[Line] = []
        for i, x in enumerate(e.operands):
            head = Line(" " * indent + (" " * pad if i == 0 else e.op + " "), -1, -1, cindent=indent)
            out += cat([head], self.expr(x, indent + pad, 0, lvl))
        return out

    def fill(self, items, col: int, sep: str, tail: int, start: int | None = None) -> list[Line]:
        """Items ``(text, start, end)`` separated by ``sep``, the first at column ``start``
        (default ``col``), wrapped to ``col``: where the author broke the line between two
        items, and where a line would pass the width."""
        out: list[Line] = []
        close = sep.rstrip()
        first = col if start is None else start
        for i, (shown, lo, hi) in enumerate(items):
            if not out:
                out = _lines(shown, lo, hi)
                continue
            last = i == len(items) - 1
            here = column(first, out)
            room = here + len(sep) + len(shown) + (tail if last else len(close))
            prev = items[i - 1][2]
            if (0 <= prev < lo and "\n" in self.src[prev:lo]) or room > self.width:
                out[-1].text += close
                out.append(Line(" " * col + shown, lo, hi, cindent=col))
            else:
                _merge(out[-1], Line(sep + shown, lo, hi))
        return out

    # ------------------------------------------------------------- statements
    def statement(self, s) -> list[Line]:
        out = getattr(self, "s_" + type(s).__name__)(s)
        out[0].item = True
        out[0].cindent = 0
        return out

    def find(self, word: str, lo: int, hi: int | None = None) -> int:
        """The offset just after ``word`` (outside strings and comments) in ``[lo, hi)``."""
        m = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(word) + r"(?![A-Za-z0-9_])" if word[0].isalpha()
                       else re.escape(word)).search(self.masked, lo, len(self.src) if hi is None else hi)
        return m.end() if m else lo

    def s_Include(self, s):
        return _lines(f"include {text(s.path)}", s.span.start, s.span.end)

    def s_FieldDecl(self, s):
        head = f"field {name(s.name)}: "
        col = len(head)
        out = cat(_lines(head, s.span.start, s.name_span.end), self.type_lines(s.type, col))
        if not s.options:
            return out
        opts = [(self.option(o), o.span.start, self.end(o)) for o in s.options]
        together = " ".join(t for t, _, _ in opts)
        if len(out) == 1 and len(out[0].text) + 1 + len(together) <= self.width \
                and not self.broken(s.type, s.options[0]):
            return cat(out, _lines(" "), self.fill(opts, col, " ", 0, len(out[0].text) + 1))
        out.append(Line(" " * col, -1, -1, cindent=col))
        return cat(out, self.fill(opts, col, " ", 0))

    def option(self, o: n.ReadOption) -> str:
        if o.kind in ("currency", "bad"):
            return ("currency " if o.kind == "currency" else "bad as ") + o.values[0]
        return o.kind + " " + ", ".join(text(v) for v in o.values)

    def type_lines(self, t, col: int) -> list[Line]:
        if isinstance(t, n.SimpleType):
            return _lines(t.name, t.span.start, t.span.end)
        if isinstance(t, n.ListType):
            return cat(_lines("list(", t.span.start, t.span.start + 5), self.type_lines(t.element, col + 5),
                       _lines(")", t.span.end - 1, t.span.end))
        word, sep = ("enum", ", ") if isinstance(t, n.EnumType) else ("ordinal", " < ")
        items = []
        for i, m in enumerate(t.members):
            shown, span = member(m), t.member_spans[i] if i < len(t.member_spans) else t.span
            aliases = t.aliases[i] if i < len(t.aliases) else ()
            end = span.end
            if aliases:
                shown += " (" + ", ".join(text(a) for a in aliases) + ")"
                end = max([end] + [a.end for a in t.alias_spans[i]])
            items.append((shown, span.start, end))
        return cat(_lines(word + "(", t.span.start, t.span.start + len(word) + 1),
                   self.fill(items, col + len(word) + 1, sep, 1),
                   _lines(")", t.span.end - 1, t.span.end))

    def type_flat(self, t) -> str:
        one_line = Layout("", width=10**9)  # no source: no line breaks as written
        return "".join(x.text for x in one_line.type_lines(t, 0))

    def s_EventDecl(self, s):
        head = f"event {name(s.name)}"
        if not s.props:
            return _lines(head, s.span.start, s.span.end)
        props = []
        for p in s.props:
            shown = f"{name(p.name)}: {self.type_flat(p.type)}" + "".join(" " + self.option(o) for o in p.options)
            props.append((shown, p.span.start, self.end(p)))
        return cat(_lines(head + "(", s.span.start, s.name_span.end), self.fill(props, len(head) + 1, ", ", 1),
                   _lines(")", s.span.end - 1, s.span.end))

    def s_MetricDecl(self, s):
        a = s.aggregate
        target = f"{simple_name(a.event)}.{a.prop}" if a.prop else simple_name(a.event)
        head = f"metric {name(s.name)} = {a.func}({target}"
        if a.where is None:
            return _lines(head + ")", s.span.start, s.span.end)
        return cat(_lines(head + " where ", s.span.start, a.target_span.end),
                   self.expr(a.where, len(head) + 7, 1), _lines(")", s.span.end - 1, s.span.end))

    def s_LetDecl(self, s):
        return self.condition(f"let {name(s.name)} =", s, self.find("=", s.name_span.end))

    def s_LeadDecl(self, s):
        head = "lead when" if s.name == "lead" else f"lead {name(s.name)} when"
        return self.condition(head, s, self.find("when", s.name_span.end if s.name != "lead" else s.span.start + 4))

    def condition(self, head: str, s, head_end: int) -> list[Line]:
        e = s.expr
        if isinstance(e, n.BoolOp) and (len(head) + 1 + len(self.flat(e)) > self.width or self.chain_broken(e)):
            return [Line(head, s.span.start, head_end)] + self.gutter(e, INDENT)
        return cat(_lines(head + " ", s.span.start, head_end), self.expr(e, len(head) + 1))

    def s_StagesDecl(self, s):
        return _lines("stages " + " < ".join(ref(x) for x in s.names), s.span.start, s.span.end)

    def block(self, head: str, s, brace: int, items: list[list[Line]]) -> list[Line]:
        if not items:
            return _lines(head + " {}", s.span.start, s.span.end)
        out = [Line(head + " {", s.span.start, brace)]
        for lines in items:
            lines[0].item, lines[0].cindent = True, INDENT
            out += lines
        return out + [Line("}", s.span.end - 1, s.span.end, cindent=INDENT)]

    def s_ScoreDecl(self, s):
        head = f"score {name(s.name)}" + (f" max {_number(s.cap)}" if s.cap is not None else "")
        brace = self.find("{", s.cap.span.end if s.cap is not None else s.name_span.end)
        bodies, suffixes = [], []
        for r in s.rules:
            points = self.written(r.points_span) or f"{'-' if r.points < 0 else '+'}{abs(r.points)}"
            if r.half_life is not None:
                points += f" decay half_life {self.atom(r.half_life)}"
            if r.cap is not None:
                points += f" max {_number(r.cap)}"
            prefix = "each " if r.each else ""
            body = cat(_lines(" " * INDENT + prefix, r.span.start, r.span.start),
                       self.expr(r.expr, INDENT + len(prefix), 2 + len(points)))
            bodies.append(body)
            suffixes.append(points)
        single = [len(b[0].text) for b in bodies if len(b) == 1]
        at = max(single, default=0) + 2
        for r, body, points in zip(s.rules, bodies, suffixes):
            last = body[-1]
            gap = at - len(last.text) if len(body) == 1 and at + len(points) <= self.width else 2
            last.text += " " * gap + points
            last.end = max(last.end, r.span.end)
        return self.block(head, s, brace, bodies)

    def s_BandDecl(self, s):
        words = [ref(s.members[0])]
        for cut, m in zip(s.cuts, s.members[1:]):
            shown = self.written(cut.span)
            shown = re.sub(r"\s+", "", shown) if shown else _number(n.Number(cut.value))
            lo, hi = ("<", "<=") if cut.upper_takes_it else ("<=", "<")
            words += [lo, shown, hi, ref(m)]
        return _lines(f"band {name(s.name)} on {ref(s.on)} {{ {' '.join(words)} }}", s.span.start, s.span.end)

    def s_RouteDecl(self, s):
        head = f"route {name(s.name)} for {ref(s.lead)}"
        pad = max((len(ref(r.target)) for r in s.rules), default=0)
        items = []
        for r in s.rules:
            pre = " " * INDENT + ref(r.target).ljust(pad) + " when "
            items.append(cat(_lines(pre, r.span.start, r.target.span.end), self.expr(r.expr, len(pre))))
        else_at = self.masked.rfind("else", s.span.start, s.fallback.span.start)
        items.append(_lines(" " * INDENT + "else " + ref(s.fallback), else_at, s.fallback.span.end))
        return self.block(head, s, self.find("{", s.lead.span.end), items)

    def s_DefinitionDecl(self, s):
        head = f"definition {text(s.title)}"
        items = [_lines(" " * INDENT + f"{e.key}: " + ", ".join(self.atom(v) for v in e.values),
                        e.span.start, e.span.end) for e in s.entries]
        return self.block(head, s, self.find("{", s.span.start), items)
