"""Type checking and name binding of every expression.

Reads the Scope from ``resolve`` and returns an :class:`Analysis`: side tables
keyed by ``id(node)`` (the AST holds no types). An expression that failed to
check gets ``UNKNOWN`` so that one mistake gives one error.

The checker is pure: it never changes the scope or a binding after the fact.
A schemaless value (a record key, a property of an undeclared event, or a
``let`` that passes one through) has type ``DYNAMIC``; where it is used as a
number, a text or a condition, the *use site* records that mode
(``Analysis.modes``) and lowering reads the value that way at that site. So a
``let r = revenue`` may be compared as a number in one place and searched as a
text in another, and nothing depends on the order of the statements.
"""
from __future__ import annotations

from . import nodes as n
from .. import types as T
from ..diagnostics import Diagnostics
from ..diagnostics import did_you_mean
from .bindings import (  # noqa: F401 - re-exported: lowering and the linter import them from here
    Analysis, Binding, EventCount, FieldRef, LeadRef, LetRef, MetricRef, OutputRef, PropRef, RecordRef, SeqSide,
    SymbolRef)
from .check_operators import OperatorChecks, _is_error
from .check_outputs import OutputChecks
from .resolve import EventInfo, Scope

AGGREGATES = n.AGGREGATES
ANY_OK = ("count", "sum", "days")
MAX_REF_DEPTH = 50
MAX_TOTAL_DEPTH = 250  # AST levels, counted through named conditions


class Checker(OperatorChecks, OutputChecks):
    def __init__(self, scope: Scope, diags: Diagnostics):
        self.scope = scope
        self.diags = diags
        self.a = Analysis(scope)
        self.stack: list[tuple[str, str]] = []
        self.done_leads: set[str] = set()
        self.done_outputs: set[tuple[str, str]] = set()
        self.deps: dict[tuple[str, str], set] = {}
        self.implicit = self._implicit_event_names()

    def _implicit_event_names(self) -> set[str]:
        """Where no event is declared, the names the program uses as event types (with a
        window, in an aggregate, on a side of a sequence): a bare use of one anywhere is its
        count, as a declared event's is, wherever it comes (an event type comes before a
        record's key); it is never read from the record."""
        s = self.scope
        if s.events_declared:
            return set()
        names = set()
        for statement in s.statements:
            if not isinstance(statement, n.Node):
                continue
            for node in n.walk(statement):
                if isinstance(node, (n.Windowed, n.Filtered)):
                    names.add(node.target.name)
                elif isinstance(node, n.Aggregate):
                    names.add(node.event)
                elif isinstance(node, n.Then):
                    names.update(side.name for side in (node.first, node.second) if isinstance(side, n.Name))
        return {name for name in names if self._eventish(name) and not s.is_output(name)}

    # ------------------------------------------------------------ program
    def run(self) -> Analysis:
        s = self.scope
        for name in s.metrics:
            self.metric(name)
        for name in s.lets:
            self.let_type(name)
        for name in s.leads:
            self.lead(name)
        for kind, names in (("score", s.scores), ("band", s.bands), ("route", s.routes)):
            for name in names:
                self.output(kind, name)
        for name in s.stages:
            self.a.used.add(("lead", name))
        self.check_depth()
        return self.a

    def check_depth(self):
        """Named conditions may refer to each other, but not in chains so long that
        nobody can follow them (and the compiled closures would exhaust the stack)."""
        depth: dict = {}
        for start in list(self.deps):
            if start in depth:
                continue
            stack = [(start, iter(self.deps.get(start, ())))]
            on_path = {start}
            while stack:
                node, it = stack[-1]
                child = next(it, None)
                if child is None:
                    stack.pop()
                    on_path.discard(node)
                    depth[node] = self._own_depth(node) + max((depth.get(c, 0) for c in self.deps.get(node, ())),
                                                              default=0)
                    continue
                if child in depth or child in on_path:
                    continue
                on_path.add(child)
                stack.append((child, iter(self.deps.get(child, ()))))
        for (kind, name), d in depth.items():
            if d > MAX_TOTAL_DEPTH:
                decl = self._decl(kind, name)
                self.diags.add("E004", decl.name_span,
                               f"`{name}` nests {d} levels deep through the conditions it names; the limit is "
                               f"{MAX_TOTAL_DEPTH}", "write some of the conditions in full instead of naming each step")
                return

    def _decl(self, kind, name):
        s = self.scope
        return {"let": s.lets, "lead": s.leads, "metric": s.metrics, "score": s.scores, "band": s.bands,
                "route": s.routes}[kind][name]

    def _own_depth(self, key) -> int:
        decl = self._decl(*key)
        if key[0] == "metric":
            roots = [decl.aggregate.where] if decl.aggregate.where is not None else []
        elif key[0] in ("score", "route"):
            roots = [r.expr for r in decl.rules]
        elif key[0] == "band":
            roots = [decl.on]
        else:
            roots = [decl.expr]
        if not roots:
            return 1
        best = 0
        stack = [(root, 1) for root in roots]
        while stack:
            node, d = stack.pop()
            best = max(best, d)
            stack.extend((c, d + 1) for c in node.children())
        return best

    def _dep(self, kind: str, name: str) -> None:
        if self.stack:
            self.deps.setdefault(self.stack[-1], set()).add((kind, name))

    def _enter(self, kind: str, name: str, span) -> bool:
        self._dep(kind, name)
        self.deps.setdefault((kind, name), set())
        if (kind, name) in self.stack:
            i = self.stack.index((kind, name))
            chain = " -> ".join(nm for _, nm in self.stack[i:]) + f" -> {name}"
            self.diags.add("E208", span, f"`{name}` is defined in terms of itself: {chain}",
                           "write one of these conditions in full instead of naming the other")
            return False
        if len(self.stack) > MAX_REF_DEPTH:
            self.diags.add("E208", span, f"definitions refer to each other more than {MAX_REF_DEPTH} levels deep",
                           "flatten the chain of named conditions")
            return False
        self.stack.append((kind, name))
        return True

    def lead(self, name: str, span=None):
        if name in self.done_leads:
            self._dep("lead", name)
            return
        decl = self.scope.leads[name]
        if not self._enter("lead", name, span or decl.name_span):
            return
        self.cond(decl.expr, "a lead definition")
        self.stack.pop()
        self.done_leads.add(name)

    def let_type(self, name: str, span=None) -> T.Type:
        if name in self.a.let_types:
            self._dep("let", name)
            return self.a.let_types[name]
        decl = self.scope.lets[name]
        if not self._enter("let", name, span or decl.name_span):
            return T.UNKNOWN
        t = self.expr(decl.expr)
        self.stack.pop()
        self.a.let_types[name] = t
        return t

    def metric(self, name: str, span=None) -> T.Type:
        if name in self.a.metric_types:
            self._dep("metric", name)
            return self.a.metric_types[name]
        decl = self.scope.metrics[name]
        if not self._enter("metric", name, span or decl.name_span):
            return T.UNKNOWN
        t = self.aggregate(decl.aggregate)
        self.stack.pop()
        self.a.metric_types[name] = t
        return t

    def event_info(self, name: str, span) -> EventInfo | None:
        info = self.a.event(name)
        if info is not None:
            self.a.used.add(("event", name))
            return info
        if not self.scope.events_declared and name not in self.scope.fields and name not in self.scope.lets \
                and not self.scope.is_output(name) \
                and name not in self.scope.leads and name not in self.scope.metrics:
            info = self.a.implicit_events[name] = EventInfo(name, {}, declared=False)
            self.a.used.add(("event", name))
            return info
        if name in self.scope.broken:
            return None
        self.diags.add("E203", span, f"`{name}` is not a declared event type",
                       did_you_mean(name, [e for e, i in self.scope.events.items() if i.declared])
                       or "declare it: event NAME(property: type, ...)")
        return None

    def aggregate(self, agg: n.Aggregate) -> T.Type:
        if agg.func not in AGGREGATES:
            self.diags.add("E211", agg.func_span, f"`{agg.func}` is not an aggregate",
                           did_you_mean(agg.func, AGGREGATES) or "use count, sum, min, max, days, first or last")
            return T.UNKNOWN
        info = self.event_info(agg.event, agg.target_span)
        if info is None:
            return T.UNKNOWN
        result: T.Type = T.NUMBER
        if agg.func in ("sum", "min", "max"):
            if agg.prop is None:
                self.diags.add("E211", agg.target_span, f"`{agg.func}` needs a property: {agg.func}({agg.event}.PROPERTY)",
                               did_you_mean(agg.event, []) or f"for example {agg.func}({agg.event}.amount)")
                result = T.UNKNOWN
            else:
                pt = self.prop_type(info, agg.prop, agg.target_span)
                if pt == T.DYNAMIC:
                    pt = T.NUMBER
                if _is_error(pt):
                    result = T.UNKNOWN
                elif agg.func == "sum" and pt != T.NUMBER:
                    self.diags.add("E301", agg.target_span, f"`sum` needs a number property; `{agg.prop}` is {T.describe(pt)}")
                    result = T.UNKNOWN
                elif pt not in T.ORDERED and not isinstance(pt, T.OrdinalT):  # an ordinal by rank
                    self.diags.add("E302", agg.target_span, f"`{agg.func}` needs an ordered property; `{agg.prop}` is {T.describe(pt)}")
                    result = T.UNKNOWN
                else:
                    result = pt
        else:
            if agg.prop is not None:
                self.diags.add("E211", agg.target_span, f"`{agg.func}` counts events and takes no property",
                               f"write {agg.func}({agg.event})")
            result = T.DATETIME if agg.func in ("first", "last") else T.NUMBER
        if agg.where is not None:
            self.cond(agg.where, "a `where` filter", event=info)
        return result

    def prop_type(self, info: EventInfo, prop: str, span) -> T.Type:
        if info.declared:
            if prop not in info.props:
                self.diags.add("E204", span, f"event `{info.name}` has no property `{prop}`",
                               did_you_mean(prop, info.props) or f"declare it in `event {info.name}(...)`")
                return T.UNKNOWN
            return info.props[prop]
        return T.DYNAMIC

    # -------------------------------------------------------- expressions
    def cond(self, node, what: str, event: EventInfo | None = None) -> T.Type:
        t = self.expr(node, event)
        if t == T.DYNAMIC:
            return self.read_as(node, T.BOOL)
        if t != T.BOOL and not _is_error(t):
            self.diags.add("E303", node.span, f"{what} needs a condition, but this is {T.describe(t)}",
                           "compare the value, e.g. `revenue >= 300M`, or test it with `is present`")
            return T.UNKNOWN
        return t

    def read_as(self, node, mode: T.Type) -> T.Type:
        """A schemaless value used as ``mode`` here: record the mode of this use site.
        Nothing else changes: the binding and the let stay as they are."""
        if self.a.types.get(id(node)) != T.DYNAMIC:
            return self.a.types.get(id(node), T.UNKNOWN)
        self.a.modes[id(node)] = mode
        return mode

    def set_literal(self, node) -> n.SetLit | None:
        return set_literal(self.a, node)

    def expr(self, node, event: EventInfo | None = None, symbol_ok: bool = False) -> T.Type:
        method = getattr(self, "x_" + type(node).__name__)
        t = method(node, event, symbol_ok)
        self.a.types[id(node)] = t
        return t

    def x_Number(self, node, event, symbol_ok):
        return T.NUMBER

    def x_Text(self, node, event, symbol_ok):
        return T.TEXT

    def x_Bool(self, node, event, symbol_ok):
        return T.BOOL

    def x_Date(self, node, event, symbol_ok):
        return T.DATE

    def x_DateTime(self, node, event, symbol_ok):
        return T.DATETIME

    def x_Duration(self, node, event, symbol_ok):
        self.diags.add("E102", node.span, f"`{node.text}` is a duration, which is only used in windows and `within`",
                       "write `x within 30d` or `metric(30d)`; a number has no unit")
        return T.UNKNOWN

    def x_SetLit(self, node, event, symbol_ok):
        elem = None
        for item in node.items:
            t = self.expr(item, event, symbol_ok=True)
            if _is_error(t):
                continue
            if t == T.DYNAMIC:
                t = T.SYMBOL
            kind = T.TEXT if t in (T.TEXT, T.SYMBOL) or isinstance(t, (T.EnumT, T.OrdinalT)) else t
            if isinstance(item, n.Name) and t not in (T.SYMBOL, T.TEXT):
                self.diags.add("E106", item.span, f"set members are constants; `{item.name}` is {T.describe(t)}",
                               "write the values themselves")
                return T.UNKNOWN
            if elem is None:
                elem = kind
            elif kind != elem and not (kind in (T.DATE, T.DATETIME) and elem in (T.DATE, T.DATETIME)):
                self.diags.add("E106", item.span, f"this set mixes {T.describe(elem)} and {T.describe(t)} members",
                               "a set holds values of one type")
                return T.UNKNOWN
        return T.set_of(elem or T.SYMBOL)

    def in_where(self, node, event, what: str) -> None:
        """A `where` reads one event at a time: no leads, metrics or event counts (E216)."""
        if event is not None:
            self.diags.add("E216", node.span, f"a `where` filter cannot use {what}",
                           "a `where` reads the event's properties and the lead's fields; "
                           "move this condition out of the filter")

    def _let_reaches_aggregates(self, name: str, seen=None) -> str | None:
        seen = set() if seen is None else seen
        if name in seen or name not in self.scope.lets:
            return None
        seen.add(name)
        for sub in n.walk(self.scope.lets[name].expr):
            b = self.a.bindings.get(id(sub))
            if isinstance(b, LeadRef):
                return f"the lead definition `{b.name}`"
            if isinstance(b, MetricRef):
                return f"the metric `{b.name}`"
            if isinstance(b, EventCount):
                return f"the event count `{b.event}`"
            if isinstance(sub, n.Then):
                return "a sequence"
            if isinstance(b, LetRef):
                found = self._let_reaches_aggregates(b.name, seen)
                if found:
                    return found
        return None

    def x_Name(self, node: n.Name, event, symbol_ok):
        name = node.name
        b = self.a.bindings
        if name == "\0error":
            return T.UNKNOWN
        s = self.scope
        if event is not None and (name in event.props or (not event.declared and not symbol_ok and
                                                          name not in s.lets and name not in s.leads and
                                                          not s.is_output(name) and
                                                          name not in s.metrics and name not in s.fields)):
            t = event.props[name] if event.declared else T.DYNAMIC
            b[id(node)] = PropRef(event.name, name, t)
            return t
        if name in s.lets:
            self.a.used.add(("let", name))
            b[id(node)] = LetRef(name)
            t = self.let_type(name, node.span)
            if event is not None:
                found = self._let_reaches_aggregates(name)
                if found:
                    self.in_where(node, event, f"`{name}`, which uses {found}")
            return t
        if name in s.leads:
            self.a.used.add(("lead", name))
            b[id(node)] = LeadRef(name)
            self.lead(name, node.span)
            self.in_where(node, event, f"the lead definition `{name}`")
            return T.BOOL
        kind = "score" if name in s.scores else "band" if name in s.bands else "route" if name in s.routes else None
        if kind is not None:
            self.a.used.add((kind, name))
            b[id(node)] = OutputRef(kind, name)
            t = self.output(kind, name, node.span)
            self.in_where(node, event, f"the {kind} `{name}`")
            return t
        if name in s.metrics:
            self.a.used.add(("metric", name))
            b[id(node)] = MetricRef(name)
            self.in_where(node, event, f"the metric `{name}`")
            return self.metric(name, node.span)
        if (name in s.events and s.events[name].declared) or name in self.implicit:
            if name in self.implicit:
                self.event_info(name, node.span)  # (an event no statement declares: found by its uses)
            self.a.used.add(("event", name))
            b[id(node)] = EventCount(name)
            self.in_where(node, event, f"the event count `{name}`")
            return T.NUMBER
        if name in s.fields:
            self.a.used.add(("field", name))
            b[id(node)] = FieldRef(name)
            return s.fields[name].type
        if symbol_ok:
            b[id(node)] = SymbolRef(name)
            return T.SYMBOL
        if name in s.broken:
            return T.UNKNOWN
        if event is not None and event.declared:
            self.diags.add("E204", node.span, f"`{name}` is not a property of event `{event.name}` nor a declared name",
                           did_you_mean(name, [*event.props, *s.all_names()]))
            return T.UNKNOWN
        if s.schemaless:
            path = (name,) if node.quoted else tuple(name.split("."))
            b[id(node)] = RecordRef(path)
            return T.DYNAMIC
        self.diags.add("E201", node.span, f"`{name}` is not a declared field or a defined name",
                       did_you_mean(name, s.all_names()) or f"declare it: field {name}: TYPE")
        return T.UNKNOWN

    def x_Windowed(self, node: n.Windowed, event, symbol_ok):
        self.in_where(node, event, f"`{node.target.name}` with a window")
        name = node.target.name
        s = self.scope
        if name in s.metrics:
            self.a.used.add(("metric", name))
            t = self.metric(name, node.target.span)
            func = s.metrics[name].aggregate.func
            if node.any and func not in ANY_OK:
                self.diags.add("E210", node.span, f"`any` has no meaning for `{func}`",
                               f"`any` takes the best window; for {func} write `{name}({node.duration.text})`")
                return T.UNKNOWN
            self.a.bindings[id(node)] = MetricRef(name, node.duration.seconds, node.any)
            return t
        info = None
        if self.a.event(name) is not None or (not s.events_declared and name not in s.lets and name not in s.leads
                                              and not s.is_output(name)
                                and name not in s.fields):
            info = self.event_info(name, node.target.span)
        if info is None:
            if name in s.fields or name in s.lets or name in s.leads or s.is_output(name):
                what = ("a field" if name in s.fields else "a let" if name in s.lets else
                        "a lead definition" if name in s.leads else
                        f"a {'score' if name in s.scores else 'band' if name in s.bands else 'route'}")
                self.diags.add("E210", node.span, f"`{name}` is {what}; a window applies to an event type or metric",
                               "remove the window, or define a metric over an event")
            elif name not in s.broken:
                self.diags.add("E203", node.target.span, f"`{name}` is not a declared event type or metric",
                               did_you_mean(name, [*(e for e, i in s.events.items() if i.declared), *s.metrics])
                               or "declare it: event NAME(property: type, ...)")
            return T.UNKNOWN
        self.a.bindings[id(node)] = EventCount(info.name, node.duration.seconds, node.any)
        return T.NUMBER

    def x_Filtered(self, node: n.Filtered, event, symbol_ok):
        self.diags.add("E215", node.span, "`(EVENT where CONDITION)` is one side of a sequence",
                       "use it as `(a where ...) then b within 2d`, or define a metric: metric m = count(a where ...)")
        return T.UNKNOWN

    def x_BoolOp(self, node: n.BoolOp, event, symbol_ok):
        for op in node.operands:
            self.cond(op, f"`{node.op}`", event)
        return T.BOOL

    def x_Not(self, node: n.Not, event, symbol_ok):
        self.cond(node.operand, "`not`", event)
        return T.BOOL

    # sequences -------------------------------------------------------------
    def seq_side(self, node) -> None:
        if isinstance(node, n.Filtered):
            info = self.event_info(node.target.name, node.target.span) if self._eventish(node.target.name) else None
            if info is None:
                if not self._eventish(node.target.name):
                    self.diags.add("E215", node.target.span, f"`{node.target.name}` is not an event type")
                return
            self.a.bindings[id(node)] = SeqSide(info.name, node.where)
            self.cond(node.where, "a `where` filter", event=info)
            return
        if isinstance(node, n.Name):
            name = node.name
            if name in self.scope.metrics and self.scope.metrics[name].aggregate.func == "count":
                self.metric(name, node.span)
                self.a.used.add(("metric", name))
                agg = self.scope.metrics[name].aggregate
                self.a.bindings[id(node)] = SeqSide(agg.event, agg.where, name)
                return
            if self._eventish(name):
                info = self.event_info(name, node.span)
                if info is not None:
                    self.a.bindings[id(node)] = SeqSide(info.name)
                return
        self.expr(node)
        self.diags.add("E215", node.span, "each side of `then` is an event type, a count metric or `(EVENT where ...)`",
                       "for example: trade_show_meeting then (page_view where page_category = product) within 2d")

    def _eventish(self, name: str) -> bool:
        s = self.scope
        if self.a.event(name) is not None:
            return True
        return not s.events_declared and name not in s.fields and name not in s.lets and \
            name not in s.leads and name not in s.metrics

    def x_Then(self, node: n.Then, event, symbol_ok):
        self.in_where(node, event, "a sequence")
        self.seq_side(node.first)
        self.seq_side(node.second)
        return T.BOOL


def set_literal(analysis: Analysis, node) -> n.SetLit | None:
    """The set literal behind a collection expression, through lets."""
    seen = 0
    while isinstance(node, n.Name) and seen < MAX_REF_DEPTH:
        b = analysis.bindings.get(id(node))
        if not isinstance(b, LetRef):
            return None
        node = analysis.scope.lets[b.name].expr
        seen += 1
    return node if isinstance(node, n.SetLit) else None


def check(scope: Scope, diags: Diagnostics) -> Analysis:
    return Checker(scope, diags).run()
