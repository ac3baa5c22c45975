"""Where each name is declared and used: hover, go to definition, references, outline.

An :class:`Index` is built from a :class:`~leaddsl.lsp.analysis.Snapshot`: every
declaration (fields, events and their properties, enum members, metrics, lets,
leads, scores, bands, routes) and every use the checker bound to one, across
the document and the files it includes. Positions are the checker's spans
(1-based lines, code-point columns); the server converts them for the editor.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import types as T
from ..codes import CODES
from ..front import nodes as n
from ..front.check import (EventCount, FieldRef, LeadRef, LetRef, MetricRef, OutputRef, PropRef, RecordRef,
                           SeqSide, SymbolRef)
from ..source import Span

Key = tuple  # ("field", name) | ("event", name) | ("prop", event, prop) | ("member", enum field, member) | ...


@dataclass(frozen=True)
class Use:
    key: Key
    span: Span
    binding: object = None  # what the checker bound there (a window for a metric ...)


@dataclass(frozen=True)
class Decl:
    key: Key
    span: Span        # the name
    node: n.Node      # the statement (or property)


def _name_span(s: Span, name: str, col_offset: int = 0) -> Span:
    col = s.column + col_offset
    return Span(s.file, s.line, col, s.line, col + len(name), s.start + col_offset, s.start + col_offset + len(name))


class Index:
    def __init__(self, snap):
        self.snap = snap
        self.decls: dict[Key, Decl] = {}
        self.uses: list[Use] = []
        for module in snap.modules:
            for stmt in module.body:
                self._declare(stmt)
        for module in snap.modules:
            for stmt in module.body:
                self._uses(stmt)

    # ------------------------------------------------------------ declarations
    def _add(self, key: Key, span: Span, node: n.Node) -> None:
        self.decls.setdefault(key, Decl(key, span, node))

    def _declare(self, s: n.Node) -> None:
        kinds = {n.FieldDecl: "field", n.EventDecl: "event", n.MetricDecl: "metric", n.LetDecl: "let",
                 n.LeadDecl: "lead", n.ScoreDecl: "score", n.BandDecl: "band", n.RouteDecl: "route"}
        kind = kinds.get(type(s))
        if kind is None:
            return
        self._add((kind, s.name), s.name_span, s)
        if isinstance(s, n.FieldDecl):
            self._members(s.name, s.type)
        elif isinstance(s, n.EventDecl):
            for p in s.props:
                self._add(("prop", s.name, p.name), _name_span(p.span, p.name), p)
                self._members(f"{s.name}.{p.name}", p.type)
        elif isinstance(s, n.BandDecl):
            for m in s.members:
                self._add(("member", s.name, m.name), m.span, s)
        elif isinstance(s, n.RouteDecl):
            for r in [*s.rules, s]:
                target = r.target if isinstance(r, n.RouteRule) else s.fallback
                self._add(("member", s.name, target.name), target.span, s)

    def _members(self, owner: str, t: n.Node) -> None:
        if isinstance(t, n.ListType):
            t = t.element
        if isinstance(t, (n.EnumType, n.OrdinalType)):
            for m, sp in zip(t.members, t.member_spans):
                self._add(("member", owner, m), sp, t)

    # -------------------------------------------------------------------- uses
    def key_of(self, b) -> Key | None:
        if isinstance(b, FieldRef):
            return ("field", b.name)
        if isinstance(b, LetRef):
            return ("let", b.name)
        if isinstance(b, LeadRef):
            return ("lead", b.name)
        if isinstance(b, MetricRef):
            return ("metric", b.name)
        if isinstance(b, EventCount):
            return ("event", b.event)
        if isinstance(b, PropRef):
            return ("prop", b.event, b.prop)
        if isinstance(b, OutputRef):
            return (b.kind, b.name)
        if isinstance(b, SeqSide):
            return ("metric", b.metric) if b.metric else ("event", b.event)
        if isinstance(b, RecordRef):
            return ("record", ".".join(b.path))
        return None

    def _use(self, key: Key | None, span: Span, binding=None) -> None:
        if key is not None and span.file != "<none>":
            self.uses.append(Use(key, span, binding))

    def _uses(self, s: n.Node) -> None:
        a = self.snap.analysis
        if isinstance(s, n.MetricDecl):
            agg = s.aggregate
            event, _, prop = agg.event.partition(".")
            self._use(("event", event), _name_span(agg.target_span, event))
            if prop:
                self._use(("prop", event, prop), _name_span(agg.target_span, prop, len(event) + 1))
        elif isinstance(s, n.StagesDecl):
            for nm in s.names:
                self._use(("lead", nm.name), nm.span)
        elif isinstance(s, n.BandDecl):
            self._use(("score", s.on.name), s.on.span)
        elif isinstance(s, n.RouteDecl):
            self._use(("lead", s.lead.name), s.lead.span)
        stack: list = [(s, None, None)]
        while stack:
            node, parent, grand = stack.pop()
            if isinstance(node, n.Name):
                b = a.binding(node)
                if isinstance(b, SymbolRef):
                    owner = self._enum_beside(parent, grand, node)
                    if owner is not None:
                        self._use(("member", owner.field, _member(owner, node.name)), node.span, b)
                else:
                    self._use(self.key_of(b), node.span, b)
            elif isinstance(node, n.Windowed):
                b = a.binding(node) or a.binding(node.target)
                self._use(self.key_of(b), node.target.span, b)
                continue
            elif isinstance(node, n.Filtered):
                self._use(("event", node.target.name), node.target.span)
                stack.append((node.where, node, parent))
                continue
            stack.extend((c, node, parent) for c in node.children())

    def _enum_beside(self, parent, grand, node) -> T.Type | None:
        """The enum or ordinal a symbol is compared with (``industry = life_science``)."""
        a = self.snap.analysis
        others = []
        if isinstance(parent, n.Compare):
            others = [parent.left if parent.right is node else parent.right]
        elif isinstance(parent, n.SetLit) and isinstance(grand, (n.In, n.Has)):
            others = [grand.value]
        elif isinstance(parent, (n.In, n.Has, n.Between)):
            others = [parent.value]
        for o in others:
            t = a.type_of(o)
            t = t.element if isinstance(t, T.ListT) else t
            if isinstance(t, (T.EnumT, T.OrdinalT)) and t.field:
                return t
        return None

    # ----------------------------------------------------------------- queries
    def at(self, file: str, line: int, col: int) -> tuple[Key, Span, object] | None:
        """The declaration or use under a position."""
        for u in self.uses:
            if _inside(u.span, file, line, col):
                return u.key, u.span, u.binding
        for d in self.decls.values():
            if _inside(d.span, file, line, col):
                return d.key, d.span, None
        return None

    def references(self, key: Key, include_declaration: bool = True) -> list[Span]:
        out = [u.span for u in self.uses if u.key == key]
        d = self.decls.get(key)
        if include_declaration and d is not None:
            out.insert(0, d.span)
        return out

    def symbols(self, file: str) -> list[tuple[str, str, Span, Span, list]]:
        """Outline of one file: (name, kind, whole statement, name, children)."""
        out = []
        for d in self.decls.values():
            kind = d.key[0]
            if d.span.file != file or kind in ("prop", "member"):
                continue
            children = [(k[2], "prop" if k[0] == "prop" else "member", c.span, c.span, [])
                        for k, c in self.decls.items()
                        if len(k) == 3 and k[1] == d.key[1] and k[0] in ("prop", "member") and c.span.file == file
                        and kind in ("event", "field", "band", "route")]
            out.append((d.key[1], kind, d.node.span, d.span, children))
        return sorted(out, key=lambda x: (x[2].line, x[2].column))

    # ------------------------------------------------------------------- hover
    def hover(self, key: Key, binding=None) -> str | None:
        s = self.snap.scope
        kind = key[0]
        if kind == "field" and key[1] in s.fields:
            f = s.fields[key[1]]
            where = f'the column "{f.column}"' if f.column is not None else f"the key `{key[1]}`"
            text = f"**field** `{f.name}`: {f.type}\n\nread from {where}"
            return text + _members_text(f.type) + self._source(f.decl)
        if kind == "event":
            e = self.snap.analysis.event(key[1])
            if e is None:
                return None
            props = ", ".join(f"{p}: {t}" for p, t in e.props.items())
            text = f"**event** `{e.name}`({props})" + ("" if e.declared else " (not declared: read as it comes)")
            return text + _window(binding, "count of its events") + self._source(e.decl)
        if kind == "prop":
            e = self.snap.analysis.event(key[1])
            t = e.props.get(key[2]) if e else None
            return None if t is None else f"**property** `{key[1]}.{key[2]}`: {t}" + _members_text(t)
        if kind == "member":
            d = self.decls.get(key)
            owner = key[1]
            t = self._owner_type(owner)
            where = f"`{owner}`" + (f": {t}" if t is not None else "")
            return f"**member** `{key[2]}` of {where}" + ("" if d else "\n\n(not a member)")
        if kind in ("metric", "let", "lead", "score", "band", "route"):
            d = self.decls.get(key)
            if d is None:
                return None
            extra = ""
            if kind == "metric":
                t = self.snap.analysis.metric_types.get(key[1])
                extra = (f": {t}" if t is not None else "") + _window(binding, "all history")
            elif kind == "let":
                t = self.snap.analysis.let_types.get(key[1])
                extra = f": {t}" if t is not None else ""
            elif kind == "lead":
                stages = self.snap.scope.stages
                extra = f" (stage {stages.index(key[1]) + 1} of {len(stages)})" if key[1] in stages else ""
            return f"**{kind}** `{key[1]}`{extra}" + self._source(d.node)
        if kind == "record":
            return f"**record key** `{key[1]}` (no schema: read from the record as it is)"
        return None

    def _owner_type(self, owner: str):
        s = self.snap.scope
        if owner in s.fields:
            return s.fields[owner].type
        if owner in s.band_types:
            return s.band_types[owner]
        if owner in s.route_types:
            return s.route_types[owner]
        event, _, prop = owner.partition(".")
        e = self.snap.analysis.event(event)
        return e.props.get(prop) if e else None

    def _source(self, node) -> str:
        if node is None:
            return ""
        src = self.snap.sources.get(node.span.file)
        if src is None:
            return ""
        text = src.slice(node.span).strip()
        lines = text.split("\n")
        if len(lines) > 12:
            text = "\n".join(lines[:12]) + "\n    ..."
        return f"\n\n```leaddsl\n{text}\n```\n\n{_where(node.span, self.snap.name)}"


def code_doc(code: str) -> str | None:
    c = CODES.get(code.upper())
    if c is None:
        return None
    ex = "\n".join(c.example.strip("\n").splitlines())
    return (f"**{c.code}** ({c.slug}, {c.severity})\n\n{c.summary}\n\n*Why it matters:* {c.why}\n\n"
            f"```leaddsl\n{ex}\n```\n\n*Fix:* {c.fix}")


def _member(t, name: str) -> str:
    folded = name.casefold()
    return next((m for m in t.members if m.casefold() == folded), name)


def _members_text(t) -> str:
    t = t.element if isinstance(t, T.ListT) else t
    if isinstance(t, T.OrdinalT):
        return "\n\nmembers, lowest first: " + " < ".join(f"`{m}`" for m in t.members)
    if isinstance(t, T.EnumT):
        return "\n\nmembers: " + ", ".join(f"`{m}`" for m in t.members)
    return ""


def _window(b, default: str) -> str:
    seconds = getattr(b, "seconds", None)
    if seconds is None:
        return f"\n\nhere: {default}" if b is not None else ""
    span = _duration(seconds)
    if getattr(b, "any", False):
        return f"\n\nhere: the best window of {span} (any {span} up to the as-of time)"
    return f"\n\nhere: the last {span} before the as-of time"


def _duration(seconds: int) -> str:
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _where(span: Span, here: str) -> str:
    return f"declared at line {span.line}" if span.file == here else f"declared in `{span.file}`, line {span.line}"


def _inside(s: Span, file: str, line: int, col: int) -> bool:
    if s.file != file:
        return False
    if (line, col) < (s.line, s.column):
        return False
    return (line, col) <= (s.end_line, s.end_column)  # the end too: a cursor just after a name is on it
