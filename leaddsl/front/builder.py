"""lark parse tree → AST. One method per tree node; literals (300M, 1d, dates,
escapes) are judged by :class:`literals.LiteralDecoder`.
"""
from __future__ import annotations

import re

from lark import Token, Tree

from . import nodes as n
from ..diagnostics import Diagnostics
from .literals import (  # noqa: F401 - re-exported: the tools import DURATION_UNITS from here
    DURATION_UNITS, LiteralDecoder, _cut)
from .parser import KEYWORDS
from ..source import Span

COMPARE_OPS = {"=", "!=", "<", "<=", ">", ">="}


class Builder(LiteralDecoder):
    def __init__(self, file: str, diags: Diagnostics):
        self.file = file
        self.diags = diags

    # ---------------------------------------------------------------- helpers
    def span(self, obj) -> Span:
        if isinstance(obj, Token):
            return Span.of(self.file, obj)
        if isinstance(obj, Tree):
            if obj.meta.empty:
                return Span(self.file, 1, 1, 1, 1)
            return Span.of(self.file, obj.meta)
        return Span(self.file, 1, 1, 1, 1)

    def error(self, code: str, obj, message: str, hint: str | None = None):
        self.diags.add(code, obj if isinstance(obj, Span) else self.span(obj), message, hint)

    def name_of(self, tok: Token) -> str:
        if tok.type == "BACKTICK":
            inner = str(tok)[1:-1]
            if not inner.strip():
                self.error("E001", tok, "a name in backticks cannot be empty")
            return inner
        value = str(tok)
        for part in value.split("."):
            if part in KEYWORDS:
                self.error("E006", tok, f"`{part}` is a reserved word and cannot be used as a name",
                           f"choose another name, or write it in backticks: `{value}`")
                break
        return value

    # -------------------------------------------------------------- program
    def module(self, tree: Tree) -> n.Module:
        body = []
        for child in tree.children:
            stmt = self.stmt(child)
            if stmt is not None:
                body.append(stmt)
        return n.Module(self.file, tuple(body), self.span(tree))

    def stmt(self, t: Tree):
        method = getattr(self, "s_" + t.data, None)
        if method is None:  # pragma: no cover - the grammar has no other statements
            self.error("E001", t, f"unknown statement {t.data}")
            return None
        return method(t)

    def s_include_stmt(self, t):
        return n.Include(self.string(t.children[0]), self.span(t))

    def s_field_stmt(self, t):
        name_tok, type_tree, *option_trees = t.children
        options = tuple(self.read_option(o) for o in option_trees)
        froms = [o for o in options if o.kind == "from"]
        column_name = froms[0].values[0] if froms else None
        return n.FieldDecl(self.name_of(name_tok), self.type_expr(type_tree), column_name,
                           self.span(name_tok), self.span(t), options)

    def s_event_stmt(self, t):
        name_tok = t.children[0]
        props: list = []
        for c in t.children[1:]:
            if not isinstance(c, Tree):
                continue
            if c.data == "more_text":  # `x: text missing "a", "b"`: "b" continues the last list option
                last = props[-1].options[-1] if props and props[-1].options else None
                if last is None or last.kind not in ("missing", "format"):
                    self.error("E001", c, "a text cannot stand here in the list of properties",
                               'write a property `name: type`; a text continues a `missing "..."` or '
                               '`format "..."` option')
                    continue
                grown = n.ReadOption(last.kind, (*last.values, self.string(c.children[0])), last.span,
                                     (*last.value_spans, self.span(c.children[0])))
                props[-1] = n.Prop(props[-1].name, props[-1].type, props[-1].span, (*props[-1].options[:-1], grown))
                continue
            props.append(self.prop(c))
        return n.EventDecl(self.name_of(name_tok), tuple(props), self.span(name_tok), self.span(t))

    def prop(self, t):
        name_tok, type_tree, *option_trees = t.children
        return n.Prop(self.name_of(name_tok), self.type_expr(type_tree), self.span(name_tok),
                      tuple(self.read_option(o) for o in option_trees))

    def read_option(self, t: Tree) -> n.ReadOption:
        kind = t.data.removesuffix("_option")
        if kind in ("bad_missing", "bad_error"):
            return n.ReadOption("bad", (kind.removeprefix("bad_"),), self.span(t))
        toks = [c for c in t.children if isinstance(c, Token) and c.type != "FROM"]
        values = tuple(self.string(c) if c.type == "STRING" else str(c) for c in toks)
        return n.ReadOption(kind, values, self.span(t), tuple(self.span(c) for c in toks))

    def s_metric_stmt(self, t):
        name_tok, _eq, agg = t.children
        func_tok, target_tok, where = agg.children
        target = self.name_of(target_tok)
        event, _, prop = target.partition(".") if target_tok.type == "NAME" else (target, "", "")
        aggregate = n.Aggregate(str(func_tok), event, prop or None,
                                self.expr(where) if where is not None else None,
                                self.span(func_tok), self.span(target_tok), self.span(agg))
        return n.MetricDecl(self.name_of(name_tok), aggregate, self.span(name_tok), self.span(t))

    def s_let_stmt(self, t):
        name_tok, _eq, expr = t.children
        return n.LetDecl(self.name_of(name_tok), self.expr(expr), self.span(name_tok), self.span(t))

    def s_lead_stmt(self, t):
        name_tok, expr = t.children
        if isinstance(name_tok, Tree):  # `lead lead when ...`: the definition named `lead`
            name, name_span = "lead", self.span(name_tok)
        elif name_tok is None:
            name, name_span = "lead", Span.of(self.file, t.meta)
            name_span = Span(self.file, name_span.line, name_span.column, name_span.line,
                             name_span.column + 4, name_span.start, name_span.start + 4)
        else:
            name, name_span = self.name_of(name_tok), self.span(name_tok)
        return n.LeadDecl(name, self.expr(expr), name_span, self.span(t))

    def s_stages_stmt(self, t):
        names = []
        for c in t.children:
            if isinstance(c, Token) and c.type == "LT":
                continue
            if isinstance(c, Tree):  # lead_ref
                names.append(n.Name("lead", False, self.span(c)))
            else:
                names.append(n.Name(self.name_of(c), c.type == "BACKTICK", self.span(c)))
        return n.StagesDecl(tuple(names), self.span(t))

    # ------------------------------------------- scores, bands and routes
    def s_score_stmt(self, t):
        name_tok, _max, cap_tok, *body = t.children
        rules = tuple(r for r in (self.score_rule(c) for c in body if isinstance(c, Tree)) if r is not None)
        cap = self.cap(cap_tok, "a score's `max`") if cap_tok is not None else None
        return n.ScoreDecl(self.name_of(name_tok), rules, cap, self.span(name_tok), self.span(t))

    def score_rule(self, t):
        each_tok, expr, points_tok, _decay, _half_life, half_life, _max, cap_tok = t.children
        points = self.number_token(Token.new_borrow_pos("NUMBER", points_tok[1:], points_tok))
        if isinstance(points, n.Duration):
            self.error("E401", points_tok, f"`{points_tok}`: points are a number, not a duration",
                       f"write `{points_tok[0]}{_cut(points.text.rstrip('minhdw'))}`")
            return None
        if points is None:
            return None
        value = -points.value if points_tok[0] == "-" else points.value
        hl = None
        if half_life is not None:
            hl = self.number_token(half_life)
            if isinstance(hl, n.Number):
                self.error("E402", half_life, f"`half_life` needs a unit of time: `{hl.text}` is a plain number",
                           f"write `{hl.text}d` for days, or `h`, `w`")
            if not isinstance(hl, n.Duration):
                return None
        if cap_tok is not None and each_tok is None:
            # a condition gives its points as written: a cap there would be ignored
            self.error("E401", cap_tok, "`max` caps an `each` rule; a condition rule gives its points as written",
                       f"remove `max {cap_tok}`, or write the points you mean: `{points_tok[0]}...`")
            return None
        cap = self.cap(cap_tok, "a rule's `max`") if cap_tok is not None else None
        return n.ScoreRule(each_tok is not None, self.expr(expr), value, hl, cap, self.span(points_tok), self.span(t))

    def cap(self, tok, what: str):
        value = self.number_token(tok)
        if isinstance(value, n.Duration):
            self.error("E401", tok, f"{what} is a number of points, not a duration", "write e.g. `max 20`")
            return None
        if value is not None and value.value <= 0:
            self.error("E401", tok, f"{what} must be more than zero", "write the most points it may give, e.g. `max 20`")
            return None
        return value

    def s_band_stmt(self, t):
        name_tok, on_tok, first, *steps = t.children
        members = [n.Name(self.name_of(first), first.type == "BACKTICK", self.span(first))]
        cuts = []
        for step in steps:
            lo_op, bound, hi_op, member = step.children
            value = self.expr(bound)
            if isinstance(value, n.Name):  # reported
                return None
            if not isinstance(value, n.Number):
                self.error("E403", bound, "a band threshold is a number of points", "write e.g. `cold < 20 <= warm`")
                return None
            ops = (str(lo_op), str(hi_op))
            if ops not in (("<", "<="), ("<=", "<")):
                fix = f"{members[-1].name} < {value.text} <= {member}"
                self.error("E403", step, f"`{members[-1].name} {ops[0]} {value.text} {ops[1]} {member}`: "
                           f"{'no band holds' if ops == ('<', '<') else 'both bands hold' if ops == ('<=', '<=') else 'write the threshold between two bands with `<` and `<=`'}"
                           f"{f' a score of exactly {value.text}' if ops in (('<', '<'), ('<=', '<=')) else ''}",
                           f"write `{fix}` ({value.text} opens the upper band) or "
                           f"`{members[-1].name} <= {value.text} < {member}` ({value.text} closes the lower one)")
                return None
            cuts.append(n.BandCut(value.value, ops == ("<", "<="), self.span(bound)))
            members.append(n.Name(self.name_of(member), member.type == "BACKTICK", self.span(member)))
        on = n.Name(self.name_of(on_tok), on_tok.type == "BACKTICK", self.span(on_tok))
        return n.BandDecl(self.name_of(name_tok), on, tuple(members), tuple(cuts), self.span(name_tok), self.span(t))

    def e_signed_number(self, t):
        sign, tok = t.children
        value = self.number_token(tok)
        if isinstance(value, n.Number) and str(sign) == "-":
            return n.Number(-value.value, "-" + value.text, self.span(t))
        return value

    def s_route_stmt(self, t):
        name_tok, lead, *rest = t.children
        rules, fallback = [], None
        for i, c in enumerate(rest):
            if isinstance(c, Tree):
                target, expr = c.children
                rules.append(n.RouteRule(n.Name(self.name_of(target), target.type == "BACKTICK", self.span(target)),
                                         self.expr(expr), self.span(c)))
            elif c.type == "ELSE":
                f = rest[i + 1]
                fallback = n.Name(self.name_of(f), f.type == "BACKTICK", self.span(f))
                break
        lead_name = (n.Name("lead", False, self.span(lead)) if isinstance(lead, Tree) else
                     n.Name(self.name_of(lead), lead.type == "BACKTICK", self.span(lead)))
        return n.RouteDecl(self.name_of(name_tok), lead_name, tuple(rules), fallback, self.span(name_tok), self.span(t))
    def s_definition_stmt(self, t):
        title, *entries = t.children
        return n.DefinitionDecl(self.string(title), tuple(self.header_entry(e) for e in entries), self.span(t))

    def header_entry(self, t):
        key, *values = t.children
        out = []
        for v in values:
            tok = v.children[0]
            if v.data == "header_text":
                out.append(n.Text(self.string(tok), self.span(v)))
            elif v.data == "header_date":
                node = self.date_token(tok)
                if node is not None:
                    out.append(node)
            elif v.data == "header_number":
                node = self.number_token(tok)
                if node is not None:
                    out.append(node)
            elif v.data == "header_party":
                out.append(n.Party(str(tok), self.string(v.children[1]), self.span(v)))
            else:
                out.append(n.Name(str(tok), False, self.span(v)))
        return n.HeaderEntry(str(key), tuple(out), self.span(key), self.span(t))

    # ----------------------------------------------------------------- types
    def type_expr(self, t: Tree):
        span = self.span(t)
        if t.data == "simple_type":
            return n.SimpleType(str(t.children[0]), span)
        if t.data == "list_type":
            return n.ListType(self.type_expr(t.children[0]), span)
        trees = [c for c in t.children if isinstance(c, Tree)]
        members = tuple(self.member(c.children[0]) for c in trees)
        aliases = tuple(tuple(self.string(a) for a in c.children[1:] if a is not None) for c in trees)
        spans = tuple(self.span(c.children[0]) for c in trees)
        alias_spans = tuple(tuple(self.span(a) for a in c.children[1:] if a is not None) for c in trees)
        if not any(aliases):
            aliases = alias_spans = ()
        kind = n.EnumType if t.data == "enum_type" else n.OrdinalType
        return kind(members, span, aliases, spans, alias_spans)

    def member(self, tok: Token) -> str:
        if tok.type == "STRING":
            return self.string(tok)
        return self.name_of(tok)

    # ---------------------------------------------------------- expressions
    def expr(self, t) -> n.Node:
        if isinstance(t, Token):  # pragma: no cover - tokens are wrapped by the grammar
            return n.Name(self.name_of(t), t.type == "BACKTICK", self.span(t))
        method = getattr(self, "e_" + t.data)
        result = method(t)
        if result is None:
            # an error was reported: stand in a neutral name so later passes go on
            return n.Name("\0error", False, self.span(t))
        return result

    def e_number(self, t):
        return self.number_token(t.children[0])

    def e_text(self, t):
        return n.Text(self.string(t.children[0]), self.span(t))

    def e_date(self, t):
        return self.date_token(t.children[0])

    def e_true(self, t):
        return n.Bool(True, self.span(t))

    def e_false(self, t):
        return n.Bool(False, self.span(t))

    def e_ref(self, t):
        tok = t.children[0]
        return n.Name(self.name_of(tok), tok.type == "BACKTICK", self.span(tok))

    def e_lead_ref(self, t):
        return n.Name("lead", False, self.span(t))

    def e_windowed(self, t):
        name_tok, any_tok, dur = t.children
        target = n.Name(self.name_of(name_tok), name_tok.type == "BACKTICK", self.span(name_tok))
        node = self.expr(dur)
        if not target.quoted and target.name in n.AGGREGATES and any_tok is None \
                and isinstance(node, n.Name) and node.name != "\0error":
            # `count(page_view) >= 5` in a condition: aggregates are metrics
            inside = node.name
            self.error("E211", t, f"`{target.name}({inside})` in a condition: an aggregate is defined as a metric",
                       f"write `metric m = {target.name}({inside})` and use `m`"
                       + (f"; an event type alone counts its events: `{inside} >= 1`" if target.name == "count"
                          else ""))
            return None
        duration = self.duration(dur, "a window", node)
        if duration is None:
            return None
        return n.Windowed(target, duration, any_tok is not None, self.span(t))

    def duration(self, t, what: str, node=None):
        node = self.expr(t) if node is None else node
        if isinstance(node, n.Duration):
            return node
        if isinstance(node, n.Name) and node.name == "\0error":
            return None
        if isinstance(node, n.Number):
            self.error("E102", t, f"{what} needs a unit of time: `{node.text}` is a plain number",
                       f"write `{node.text}d` for days, or `h`, `min`, `w`")
            return None
        self.error("E102", t, f"{what} needs a duration such as `7d`",
                   "durations are written `30min`, `12h`, `7d`, `2w`")
        return None

    def e_set(self, t):
        items = []
        for c in t.children:
            if c is None:
                continue
            item = self.expr(c)
            if isinstance(item, n.Neg) and isinstance(item.operand, n.Number):
                item = n.Number(-item.operand.value, "-" + item.operand.text, item.span)
            if isinstance(item, n.Name) and item.name == "\0error":
                continue  # already reported
            if not isinstance(item, n.LITERALS + (n.Name,)):
                self.error("E106", c, "a set member must be a literal or a symbol",
                           "write each member as a value: {US, CA} or {\"Canada\", 5}")
                continue
            items.append(item)
        return n.SetLit(tuple(items), self.span(t))

    def e_filtered(self, t):
        target, where = t.children
        target_node = self.expr(target)
        if not isinstance(target_node, n.Name):
            self.error("E215", target, "`where` filters an event type: write `(EVENT where CONDITION)`")
            return None
        return n.Filtered(target_node, self.expr(where), self.span(t))

    def _nary(self, t, op):
        return n.BoolOp(op, tuple(self.expr(c) for c in t.children), self.span(t))

    def e_or_expr(self, t):
        return self._nary(t, "or")

    def e_and_expr(self, t):
        return self._nary(t, "and")

    def e_not_op(self, t):
        return n.Not(self.expr(t.children[0]), self.span(t))

    def e_compare(self, t):
        left, op_tok, right = t.children
        op = str(op_tok)
        if op in ("==", "<>"):
            good = "=" if op == "==" else "!="
            self.error("E008", op_tok, f"`{op}` is not an operator of leaddsl", f"write `{good}`")
            op = good
        return n.Compare(op, self.expr(left), self.expr(right), self.span(t))

    def e_in_op(self, t):
        return n.In(self.expr(t.children[0]), self.expr(t.children[1]), False, self.span(t))

    def e_not_in_op(self, t):
        return n.In(self.expr(t.children[0]), self.expr(t.children[1]), True, self.span(t))

    def e_between(self, t):
        v, lo, hi = (self.expr(c) for c in t.children)
        return n.Between(v, lo, hi, self.span(t))

    def _is(self, t, what):
        return n.Is(self.expr(t.children[0]), what, self.span(t))

    def e_is_missing(self, t):
        return self._is(t, "missing")

    def e_is_present(self, t):
        return self._is(t, "present")

    def e_is_empty(self, t):
        return self._is(t, "empty")

    def e_is_not_empty(self, t):
        return self._is(t, "not empty")

    def _textop(self, t, op):
        left, right = t.children
        if isinstance(right, Tree) and right.data == "set":
            return self._textop_set(op, left, right)
        return n.TextOp(op, self.expr(left), self.expr(right), self.span(t))

    def _textop_set(self, op, left, right):
        """`title contains {"VP", "Chief"}`: a text operator takes one text; the hint
        spells the set out with `or` (and `matches` with alternatives when it can)."""
        members = []  # texts as written; a bare symbol (`{VP, Chief}`) as the text of its name
        for c in right.children:
            if isinstance(c, Tree) and c.data == "text":
                members.append(str(c.children[0]))
            elif isinstance(c, Tree) and c.data == "ref" and c.children[0].type == "NAME":
                members.append(f'"{c.children[0]}"')
        whole = len(members) == len([c for c in right.children if c is not None])
        hint = f"write one `{op}` for each value, joined with `or`"
        if isinstance(left, Tree) and left.data == "ref" and members and whole:
            subject = str(left.children[0])
            alternatives = " or ".join(f"{subject} {op} {m}" for m in members)
            if len(members) > 1:
                alternatives = f"({alternatives})"
            hint = f"write `{alternatives}`"
            plain = [m[1:-1] for m in members]
            if op in ("contains", "matches") and all(re.fullmatch(r"[A-Za-z0-9 ]+", p) for p in plain):
                hint += f" (or `{subject} matches \"{'|'.join(plain)}\"`)"
        self.error("E301", right, f"`{op}` takes one text, not a set", hint)
        return None

    def e_contains(self, t):
        return self._textop(t, "contains")

    def e_starts_with(self, t):
        return self._textop(t, "starts with")

    def e_ends_with(self, t):
        return self._textop(t, "ends with")

    def e_matches(self, t):
        return self._textop(t, "matches")

    def _has(self, t, mode):
        return n.Has(mode, self.expr(t.children[0]), self.expr(t.children[1]), self.span(t))

    def e_has_one(self, t):
        return self._has(t, "one")

    def e_has_any(self, t):
        return self._has(t, "any")

    def e_has_all(self, t):
        return self._has(t, "all")

    def e_within(self, t):
        value, dur = t.children
        duration = self.duration(dur, "`within`")
        if duration is None:
            return None
        return n.Within(self.expr(value), duration, self.span(t))

    def e_then(self, t):
        a, b, dur = t.children
        duration = None
        if dur is not None:
            duration = self.duration(dur, "`then ... within`")
            if duration is None:
                return None
        return n.Then(self.expr(a), self.expr(b), duration, self.span(t))

    def e_arith(self, t):
        left, op, right = t.children
        node = n.Arith(str(op), self.expr(left), self.expr(right), self.span(t))
        day = _date_like(node)
        if day is not None:  # `2026-1-31`: a date with a one-digit month or day, not a subtraction
            self.error("E103", node.span, f"`{day[0]}` is not a valid date: months and days have two digits",
                       f"write `{day[1]}`")
            return None
        return node

    def e_neg(self, t):
        operand = self.expr(t.children[0])
        if isinstance(operand, n.Number):
            return n.Number(-operand.value, "-" + operand.text, self.span(t))
        return n.Neg(operand, self.span(t))


def _date_like(node: n.Arith) -> tuple[str, str] | None:
    """``(written, meant)`` when a subtraction is a date written with a one-digit month or day
    (``2026-1-31``, no spaces: the date literal needs ``2026-01-31``), else None."""
    if node.op != "-" or not isinstance(node.left, n.Arith) or node.left.op != "-":
        return None
    parts = (node.left.left, node.left.right, node.right)
    if not all(isinstance(p, n.Number) and p.text.isdigit() for p in parts):
        return None
    y, m, d = parts
    spans = [p.span for p in parts]
    if len({s.line for s in spans} | {s.end_line for s in spans}) != 1 or any(
            a.end_column + 1 != b.column for a, b in zip(spans, spans[1:])):
        return None  # spaced out (`2026 - 1 - 31`): arithmetic as written
    if len(y.text) != 4 or not (1 <= len(m.text) <= 2 and 1 <= len(d.text) <= 2) or not (
            1 <= int(m.text) <= 12 and 1 <= int(d.text) <= 31):
        return None
    return f"{y.text}-{m.text}-{d.text}", f"{y.text}-{int(m.text):02d}-{int(d.text):02d}"


def build(tree: Tree, file: str, diags: Diagnostics) -> n.Module:
    return Builder(file, diags).module(tree)
