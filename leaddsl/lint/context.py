"""What every rule reads: the program, its conditions (roots), and their logic.

A *root* is a condition the program evaluates on its own: a ``lead``
definition, a ``let``, or a ``where`` filter (of a metric, or of one side of a
sequence, whose names may be properties of the event). Rules walk roots;
``logic`` encodes them all into z3 once, on first use. ``budget`` is the
pass's time budget: rules with long loops stop when ``budget.out()``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..front import nodes as n
from .. import types as T
from ..front.check import FieldRef, LeadRef, LetRef, PropRef, RecordRef
from .budget import Budget
from .tree import children, walk


@dataclass(frozen=True)
class Root:
    kind: str          # "lead" | "let" | "where" | "score" | "route"
    name: str          # the lead, let, metric, score or route ("" for a `where` inside a sequence)
    node: n.Node       # the condition
    event: str | None  # for a `where`: the event its properties belong to

    def describe(self) -> str:
        if self.kind == "where":
            return f"the `where` filter of metric `{self.name}`" if self.name else "this `where` filter"
        if self.kind in ("score", "route"):
            return f"this rule of {self.kind} `{self.name}`"
        return f"{self.kind} `{self.name}`"


class LintContext:
    def __init__(self, program, budget: Budget | None = None, as_of=None):
        self.program = program
        self.as_of = as_of if as_of is not None else dt.datetime.now(dt.timezone.utc)
        self.budget = budget if budget is not None else Budget()
        self.analysis = program.analysis
        self.scope = program.scope
        self.sources = program.sources
        self.root_file = next(iter(program.sources), None)
        self.roots: list[Root] = []
        self.parent: dict[int, n.Node] = {}
        self.root_of: dict[int, Root] = {}
        self.nodes: list[n.Node] = []  # every node of every root, once (a sequence's `where`s are roots)
        self.uses: dict[str, list[n.Name]] = {}  # let name -> the names that use it
        self._logic = None
        self._find_roots()

    # ------------------------------------------------------------ roots
    def _find_roots(self):
        s = self.scope
        roots = [Root("let", name, d.expr, None) for name, d in s.lets.items()]
        roots += [Root("lead", name, d.expr, None) for name, d in s.leads.items()]
        for name, d in s.metrics.items():
            if d.aggregate.where is not None:
                roots.append(Root("where", name, d.aggregate.where, d.aggregate.event))
        # the conditions of score and route rules (an `each` rule counts, it has none)
        roots += [Root("score", name, r.expr, None) for name, d in s.scores.items() for r in d.rules if not r.each]
        roots += [Root("route", name, r.expr, None) for name, d in s.routes.items() for r in d.rules]
        extra = []
        for r in roots:
            for node in walk(r.node):
                if isinstance(node, n.Filtered):
                    extra.append(Root("where", "", node.where, node.target.name))
        self.roots = roots + extra
        for r in self.roots:
            self.root_of[id(r.node)] = r
            stack = [r.node]
            while stack:
                node = stack.pop()
                self.nodes.append(node)
                self.root_of.setdefault(id(node), r)
                for child in children(node):
                    if isinstance(child, n.Filtered):
                        continue  # a root of its own
                    self.parent[id(child)] = node
                    stack.append(child)
                if isinstance(node, n.Name):
                    b = self.analysis.binding(node)
                    if isinstance(b, LetRef):
                        self.uses.setdefault(b.name, []).append(node)
        self.nodes = list({id(x): x for x in self.nodes}.values())

    @property
    def logic(self):
        if self._logic is None:
            from .solver import Logic  # z3 loads on first use, not with `import leaddsl`
            self._logic = Logic(self.analysis, self.roots, self.budget)
        return self._logic

    # ----------------------------------------------------------- helpers
    def text(self, node, limit: int = 60) -> str:
        """The source text of a node, on one line, shortened."""
        span = node.span
        src = self.sources.get(span.file)
        raw = src.slice(span) if src is not None else ""
        text = " ".join(_strip_comments(raw).split())
        if len(text) > limit:
            text = text[: limit - 3].rstrip() + "..."
        return text

    def statement_spans(self) -> list:
        s = self.scope
        decls = [*s.lets.values(), *s.leads.values(), *s.metrics.values(),
                 *(f.decl for f in s.fields.values()), *(e.decl for e in s.events.values()), s.stages_decl,
                 *s.scores.values(), *s.bands.values(), *s.routes.values(), s.agreement]
        return [d.span for d in decls if d is not None]

    def binding(self, node):
        return self.analysis.binding(node)

    def is_ref(self, node) -> bool:
        """A name that stands for a let or a lead (checked at its own definition)."""
        return isinstance(node, n.Name) and isinstance(self.binding(node), (LetRef, LeadRef))

    def in_root_file(self, span) -> bool:
        return span.file == self.root_file

    def number_field(self, node) -> tuple | None:
        """(key, label) when node reads a number field, record key or property."""
        if not isinstance(node, n.Name):
            return None
        b = self.binding(node)
        if isinstance(b, FieldRef) and self.scope.fields[b.name].type == T.NUMBER:
            return ("field", b.name), b.name
        if isinstance(b, RecordRef) and self.analysis.mode_of(node) == T.NUMBER:
            return ("record", b.path), ".".join(b.path)
        if isinstance(b, PropRef) and (b.type if b.type != T.DYNAMIC else self.analysis.mode_of(node)) == T.NUMBER:
            return ("prop", b.event, b.prop), f"{b.event}.{b.prop}"
        return None


def _strip_comments(text: str) -> str:
    """The text without `# comments` (a `#` inside double quotes stays)."""
    out = []
    for line in text.split("\n"):
        quoted = False
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == "\\" and quoted:
                i += 2
                continue
            if ch == '"':
                quoted = not quoted
            elif ch == "#" and not quoted:
                line = line[:i]
                break
            i += 1
        out.append(line)
    return "\n".join(out)
