"""Checking scores, bands and routes: the part of :class:`check.Checker` for the
outputs beside lead definitions (a mixin: it uses the checker's ``cond``, ``expr``,
``_enter`` and tables)."""
from __future__ import annotations

from . import nodes as n
from .. import types as T
from ..diagnostics import did_you_mean
from .bindings import EventCount, LeadRef, LetRef, MetricRef


class OutputChecks:
    def output_type(self, kind: str, name: str) -> T.Type:
        if kind == "score":
            return T.NUMBER
        return self.scope.band_types[name] if kind == "band" else self.scope.route_types[name]

    def output(self, kind: str, name: str, span=None) -> T.Type:
        if (kind, name) in self.done_outputs:
            self._dep(kind, name)
            return self.output_type(kind, name)
        decl = self._decl(kind, name)
        if not self._enter(kind, name, span or decl.name_span):
            return T.UNKNOWN
        if kind == "score":
            for rule in decl.rules:
                self.score_rule(rule)
        elif kind == "band":
            self.band_on(decl)
        else:
            self.route(decl)
        self.stack.pop()
        self.done_outputs.add((kind, name))
        return self.output_type(kind, name)

    def score_rule(self, rule: n.ScoreRule) -> None:
        if not rule.each:
            self.cond(rule.expr, "a score rule")
            if rule.half_life is not None:
                found = self._events_read(rule.expr)
                if found is None:
                    self.diags.add("E402", rule.half_life.span, "`decay` on a condition that reads no events",
                                   "points decay with the age of the events that made the condition true; this "
                                   "condition reads none, so remove `decay`, or count events, e.g. "
                                   "`webinar_attend(90d) >= 1 +15 decay half_life 30d`")
                elif found == "any":
                    self.diags.add("E402", rule.half_life.span, "`decay` on a condition with an `any` window",
                                   "which events the best window holds changes with every event; decay a plain "
                                   "window instead, e.g. `visits(7d) >= 5`")
            return
        t = self.expr(rule.expr)
        if t == T.UNKNOWN:
            return
        b = self.a.binding(rule.expr)
        is_count = isinstance(b, EventCount) or (isinstance(b, MetricRef) and
                                                 self.scope.metrics[b.name].aggregate.func == "count")
        if not is_count:
            self.diags.add("E401", rule.expr.span, "`each` gives points for every event counted, so it needs a count",
                           "write an event type or a count metric, e.g. `each product_page_visits(30d) +2 max 20`")
        elif b.any:
            self.diags.add("E401", rule.expr.span, "`each` with an `any` window: which events get points is unclear",
                           "use a plain window, e.g. `each visits(30d) +2`, or a condition: `visits(any 1d) >= 5 +10`")

    def _events_read(self, node) -> str | None:
        """Whether a condition reads events (through lets): "events", "any" (an `any`
        window, which decay cannot follow), or None."""
        found = None
        stack, seen = [node], set()
        while stack:
            x = stack.pop()
            b = self.a.bindings.get(id(x))
            if isinstance(b, (MetricRef, EventCount)):
                if b.any:
                    return "any"
                found = "events"
            elif isinstance(x, n.Then):
                found = "events"
            elif isinstance(b, LetRef) and b.name not in seen:
                seen.add(b.name)
                stack.append(self.scope.lets[b.name].expr)
            stack.extend(x.children())
        return found

    def band_on(self, decl: n.BandDecl) -> None:
        t = self.expr(decl.on)
        if t == T.DYNAMIC:
            self.read_as(decl.on, T.NUMBER)
        elif t != T.NUMBER and not t == T.UNKNOWN:
            self.diags.add("E403", decl.on.span, f"band `{decl.name}` is on `{decl.on.name}`, which is {T.describe(t)}",
                           "a band names ranges of a number: a score, a number field or metric")

    def route(self, decl: n.RouteDecl) -> None:
        lead = decl.lead.name
        if lead in self.scope.leads:
            self.a.used.add(("lead", lead))
            self.a.bindings[id(decl.lead)] = LeadRef(lead)
            self.lead(lead, decl.lead.span)
        elif lead not in self.scope.broken:
            self.diags.add("E404", decl.lead.span, f"route `{decl.name}` is for `{lead}`, which is not a lead definition",
                           did_you_mean(lead, self.scope.leads) or f"define it: lead {lead} when ...")
        for rule in decl.rules:
            self.cond(rule.expr, "a route rule")

