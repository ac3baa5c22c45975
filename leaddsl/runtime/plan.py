"""The lowered plan: what a program computes, decided once.

``lower(analysis)`` turns the checked program into a :class:`Plan` that every
backend reads (the generated evaluator and its trace for ``explain``, the
linter's encoding). The evaluator's plan holds what the outputs reach;
``lower_all(analysis)`` also lowers what nothing reaches (a let nothing reads, a
metric's ``where``) for the linter, which examines every declaration. Decided
here and nowhere else:

* what each output needs: only what the leads reach (through lets, metrics and
  other leads) is read, validated and computed; ``Plan.needs`` lists, per lead,
  the *read units* (a record slot, an event type's times, an event property, a
  dynamic comparison) whose bad value errs it;
* how each value is read (``Slot`` and ``PropRead`` carry their reader; a
  schemaless value is read as its use site says, through lets);
* how each comparison keys its sides (:class:`Key`: folded text, member names)
  with the constants already keyed, ordinal ranks and enum members resolved,
  sets resolved through lets;
* event sources (one type, one optional ``where``) and aggregates with their
  windows, each counted once per record however often it is used;
* lets as shared nodes: a let used more than once is computed once per record.

The nodes themselves live in ``plan_nodes`` (re-exported here): identity-compared
objects whose ``origin`` is the AST node they come from (for spans and the text
``explain`` shows).
"""
from __future__ import annotations

from ..front import nodes as n
from .. import types as T
from ..front.check import (Analysis, EventCount, FieldRef, LeadRef, LetRef, MetricRef, OutputRef, PropRef, RecordRef,
                           SymbolRef, set_literal)
from ..logic import dyn_key, fold, member_value
from ..values import NO_OPTIONS, ReadOptions, read_text, reader_for, to_datetime
from .plan_nodes import (  # noqa: F401 - re-exported: every backend reads the nodes as plan.X
    Slot, PropRead, EventType, Source, Node, Const, Read, Prop, Key, Arith, Neg, Agg, Let, LetUse, Lead, LeadUse,
    ScoreRule, Score, Band, Route, OutputUse, And, Or, Not, Truth, Cmp, DynCmp, In, Missing, TextOp, Match, Has,
    Within, Seq, CONDITIONS, children, Plan, _unlowered, roots)

MEMBER = (T.EnumT, T.OrdinalT)


class _Lowerer:
    def __init__(self, analysis: Analysis, leads, everything: bool = False):
        self.a = analysis
        self.everything = everything
        self.scope = analysis.scope
        self.p = Plan(analysis)
        self.p.stages = tuple(self.scope.stages)
        self.wanted = list(leads)
        self._slots: dict[tuple, Slot] = {}
        self._lets: dict[tuple, Let] = {}
        self._sources: dict[tuple, Source] = {}
        self._aggs: dict[tuple, Agg] = {}
        self._raw_uses: set[tuple] = set()   # (slot or prop) read as text somewhere unkeyed
        self.event: EventType | None = None  # inside a `where`: the event it filters
        self.source: Source | None = None

    # ----------------------------------------------------------- program
    def run(self) -> Plan:
        p = self.p
        for name in self.scope.leads:
            p.leads[name] = Lead(len(p.leads), name, origin=self.scope.leads[name])
        for name in self.wanted:
            self.lead(name)
        for name in self.scope.scores:
            self.output(OutputRef("score", name))
        for name in self.scope.bands:
            self.output(OutputRef("band", name))
        for name in self.scope.routes:
            self.output(OutputRef("route", name))
        # a lead may have reached a later score first: the results list them as declared
        p.scores = {name: p.scores[name] for name in self.scope.scores}
        p.bands = {name: p.bands[name] for name in self.scope.bands}
        p.routes = {name: p.routes[name] for name in self.scope.routes}
        if self.everything:
            self._lower_the_rest()
        self._finish()
        return p

    def _lower_the_rest(self):
        """What no lead reaches, for analysis: a let nothing reads (as declared) and
        a metric's `where` (with the metric's value)."""
        lowered = {let.name for let in self.p.lets}
        for name in self.scope.lets:
            if name not in lowered:
                self.let(name, None)
        for name in self.scope.metrics:
            self.agg(MetricRef(name))

    def lead(self, name: str) -> Lead:
        lead = self.p.leads[name]
        if lead.body is None:
            lead.body = self.cond(self.scope.leads[name].expr)
        return lead

    # --------------------------------------- scores, bands and routes
    def output(self, ref: OutputRef):
        p = self.p
        table = {"score": p.scores, "band": p.bands, "route": p.routes}[ref.kind]
        item = table.get(ref.name)
        if item is not None:
            return item
        if ref.kind == "score":
            decl = self.scope.scores[ref.name]
            item = table[ref.name] = Score(len(table), ref.name, [], decl.cap.value if decl.cap else None,
                                           origin=decl)
            item.rules = [self.score_rule(r) for r in decl.rules]
        elif ref.kind == "band":
            decl = self.scope.bands[ref.name]
            item = table[ref.name] = Band(len(table), ref.name, None, tuple(m.name for m in decl.members),
                                          tuple((c.value, c.upper_takes_it) for c in decl.cuts), origin=decl)
            item.on = self.value(decl.on, T.NUMBER)
        else:
            decl = self.scope.routes[ref.name]
            item = table[ref.name] = Route(len(table), ref.name, None, [], decl.fallback.name, origin=decl)
            lead = self.p.leads.get(decl.lead.name)
            item.lead = self.note(decl.lead, LeadUse(self.lead(decl.lead.name))) if lead else Const(False)
            item.rules = [(r.target.name, self.cond(r.expr)) for r in decl.rules]
        return item

    def score_rule(self, rule: n.ScoreRule) -> ScoreRule:
        out = ScoreRule(rule.points, cap=rule.cap.value if rule.cap is not None else None,
                        half_life=rule.half_life.seconds if rule.half_life is not None else None, origin=rule)
        if rule.each:
            b = self.a.binding(rule.expr)
            out.agg = self.note(rule.expr, self.agg(b)) if isinstance(b, (MetricRef, EventCount)) else None
            if out.agg is None:  # pragma: no cover - the checker allows only counts
                out.cond = Const(False)
            return out
        out.cond = self.cond(rule.expr)
        if out.half_life is not None:
            out.dated = self._dated(out.cond)
        return out

    @staticmethod
    def _dated(cond) -> list:
        """The counts and sequences a condition reads (through lets): the newest of their
        events dates a decayed rule."""
        found, seen, stack = [], set(), [cond]
        while stack:
            x = stack.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if isinstance(x, (Agg, Seq)):
                found.append(x)
            elif isinstance(x, LetUse):
                stack.append(x.let.body)
            stack.extend(children(x))
        return found

    def _finish(self):
        p = self.p
        for s in p.slots:
            s.keyed = s.type == T.TEXT and s.reader is read_text and ("slot", s.index) not in self._raw_uses
        for e in p.events.values():
            for pr in e.props:
                pr.keyed = pr.type == T.TEXT and pr.reader is read_text and \
                    ("prop", e.name, pr.pos) not in self._raw_uses
        # fields first, in declaration order, then record keys: errors come in a stable order
        rank = {name: i for i, name in enumerate(self.scope.fields)}
        p.slots.sort(key=lambda s: (rank.get(s.label, len(rank)), s.index))
        for i, s in enumerate(p.slots):
            s.index = i
        self._count_let_uses()
        p.order = self._order()
        # dependencies first: a lead or shared let reuses what it names instead of walking it again
        done: dict[int, frozenset] = {}
        for item in p.order:
            done[id(item)] = self._needs(roots(item), done)
        for item in p.outputs.values():
            item.needs = done.get(id(item), frozenset())

    # ------------------------------------------------------------ slots
    def slot(self, path: tuple, label: str, t: T.Type, options: ReadOptions = NO_OPTIONS) -> Slot:
        key = (path, t)
        s = self._slots.get(key)
        if s is None:
            s = self._slots[key] = Slot(len(self.p.slots), label, path, t, reader_for(t, options), options=options)
            self.p.slots.append(s)
        return s

    def event_type(self, name: str) -> EventType:
        e = self.p.events.get(name)
        if e is None:
            info = self.a.event(name)
            ts = info.options.get("ts", NO_OPTIONS) if info is not None else NO_OPTIONS
            e = self.p.events[name] = EventType(len(self.p.events), name, ts=ts)
        return e

    def prop(self, event: EventType, name: str, t: T.Type) -> PropRead:
        for pr in event.props:
            if pr.name == name and pr.type == t:
                return pr
        info = self.a.event(event.name)
        options = info.options.get(name, NO_OPTIONS) if info is not None else NO_OPTIONS
        pr = PropRead(event.name, len(event.props), name, t, reader_for(t, options), options=options)
        event.props.append(pr)
        return pr

    # ----------------------------------------------------------- values
    def note(self, ast, node: Node) -> Node:
        node.origin = ast
        if self.everything:  # the linter maps AST conditions to plan nodes; the evaluator needs no map
            self.p.lowered.setdefault(id(ast), []).append(node)
        return node

    def mode(self, node, inherited=None) -> T.Type:
        m = self.a.modes.get(id(node))
        if m is not None:
            return m
        t = self.a.types.get(id(node), T.UNKNOWN)
        if t == T.DYNAMIC and inherited is not None:
            return inherited
        return t

    def is_const(self, node) -> bool:
        return isinstance(node, (n.Number, n.Text, n.Bool, n.Date, n.DateTime)) or \
            (isinstance(node, n.Name) and isinstance(self.a.binding(node), SymbolRef))

    @staticmethod
    def const_value(node):
        if isinstance(node, (n.Date, n.DateTime)):
            return to_datetime(node.value)
        if isinstance(node, n.Name):
            return node.name
        return node.value

    def value(self, node, inherited=None, raw=True) -> Node:
        """The plan of a value. ``inherited``: the mode a let use passes into its body.
        ``raw``: the value is used as it is read (not only through a comparison key)."""
        if self.is_const(node):
            return self.note(node, Const(self.const_value(node)))
        b = self.a.binding(node)
        mode = self.mode(node, inherited)
        if isinstance(node, n.Name):
            if isinstance(b, FieldRef):
                info = self.scope.fields[b.name]
                return self._read(node, self.slot(info.path, b.name, info.type, info.options), raw)
            if isinstance(b, RecordRef):
                return self._read(node, self.slot(b.path, ".".join(b.path), mode), raw)
            if isinstance(b, PropRef):
                t = b.type if b.type != T.DYNAMIC else mode
                pr = self.prop(self.event_type(b.event), b.prop, t)
                if raw:
                    self._raw_uses.add(("prop", b.event, pr.pos))
                return self.note(node, Prop(pr))
            if isinstance(b, LetRef):
                return self.note(node, LetUse(self.let(b.name, mode)))
            if isinstance(b, LeadRef):
                return self.note(node, LeadUse(self.lead(b.name)))
            if isinstance(b, (MetricRef, EventCount)):
                return self.note(node, self.agg(b))
            if isinstance(b, OutputRef):
                return self.note(node, OutputUse(self.output(b)))
            return self.note(node, Const(None))
        if isinstance(node, n.Windowed):
            if isinstance(b, (MetricRef, EventCount)):
                return self.note(node, self.agg(b))
            return self.note(node, Const(None))
        if isinstance(node, n.Arith):
            return self.note(node, Arith(node.op, self.value(node.left, T.NUMBER), self.value(node.right, T.NUMBER)))
        if isinstance(node, n.Neg):
            return self.note(node, Neg(self.value(node.operand, T.NUMBER)))
        return self.cond(node)

    def _read(self, ast, slot: Slot, raw: bool) -> Node:
        if raw:
            self._raw_uses.add(("slot", slot.index))
        return self.note(ast, Read(slot))

    def keyed(self, node, t: T.Type, how: str = "fold", inherited=None) -> Node:
        """A value keyed for comparison; a constant is keyed now."""
        if self.is_const(node):
            c = self.const_value(node)
            if how == "name" and isinstance(t, T.OrdinalT):
                c = t.members[c] if isinstance(c, int) else c
            return self.note(node, Const(fold(str(c))))
        x = self.value(node, inherited, raw=False)
        members = t.members if how == "name" and isinstance(t, T.OrdinalT) else None
        if how == "name" and isinstance(t, T.EnumT):
            how = "fold"
        if how == "name" and members is None:
            how = "fold"  # a text side compared with a member: by its folded text
        return Key(how, x, members, origin=node)

    def let(self, name: str, mode) -> Let:
        """The let, lowered once per read mode (a schemaless let may be read as a number
        in one place and as a text in another); its values are used as read."""
        t = self.a.let_types.get(name, T.UNKNOWN)
        mode = mode if t == T.DYNAMIC else None
        key = (name, mode)
        let = self._lets.get(key)
        if let is None:
            decl = self.scope.lets[name]
            let = self._lets[key] = Let(len(self.p.lets), name, None, mode, origin=decl)
            self.p.lets.append(let)
            if t == T.BOOL or mode == T.BOOL:
                let.body = self.cond(decl.expr, mode)
            else:
                let.body = self.value(decl.expr, mode)
        return let

    def agg(self, b) -> Agg:
        if isinstance(b, MetricRef):
            a = self.scope.metrics[b.name].aggregate
            func, event, where, prop = a.func, a.event, a.where, a.prop
            ptype = self.a.metric_types.get(b.name) if prop else None
        else:
            func, event, where, prop, ptype = "count", b.event, None, None, None
        src = self.make_source(event, where)
        pos = None
        if prop is not None:
            info = self.a.event(event)
            t = info.props.get(prop, ptype) if info is not None and info.declared else ptype
            pr = self.prop(src.event, prop, t)
            self._raw_uses.add(("prop", event, pr.pos))
            pos = pr.pos
            src.props.add(pos)
        key = (func, src.index, pos, b.seconds, b.any)
        agg = self._aggs.get(key)
        if agg is None:
            agg = self._aggs[key] = Agg(len(self.p.aggs), func, src, pos, b.seconds, b.any)
            self.p.aggs.append(agg)
        return agg

    def make_source(self, event: str, where) -> Source:
        key = (event, id(where) if where is not None else None)
        src = self._sources.get(key)
        if src is None:
            et = self.event_type(event)
            src = self._sources[key] = Source(len(self.p.sources), et)
            self.p.sources.append(src)
            if where is not None:
                outer = (self.event, self.source)
                self.event, self.source = et, src
                src.where = self.cond(where)
                self.event, self.source = outer
        return src

    # ------------------------------------------------------- conditions
    def cond(self, node, inherited=None) -> Node:
        out = self._cond(node, inherited)
        if out.origin is None:
            self.note(node, out)
        return out

    def _cond(self, node, inherited):
        if isinstance(node, n.BoolOp):
            items = [self.cond(o) for o in node.operands]
            return And(items) if node.op == "and" else Or(items)
        if isinstance(node, n.Not):
            return Not(self.cond(node.operand))
        if isinstance(node, n.Bool):
            return Const(node.value)
        if isinstance(node, n.Compare):
            return self.compare(node.op, node.left, node.right)
        if isinstance(node, n.Between):
            return And([self.compare("<=", node.low, node.value), self.compare("<=", node.value, node.high)])
        if isinstance(node, n.In):
            return self.in_(node)
        if isinstance(node, n.Is):
            return Missing(self.value(node.value), node.what in ("present", "not empty"))
        if isinstance(node, n.TextOp):
            return self.text_op(node)
        if isinstance(node, n.Has):
            return self.has(node)
        if isinstance(node, n.Within):
            return Within(self.value(node.value, T.DATETIME), node.duration.seconds)
        if isinstance(node, n.Then):
            return Seq(self.side(node.first), self.side(node.second),
                       node.duration.seconds if node.duration is not None else None)
        b = self.a.binding(node)
        if isinstance(node, n.Name) and isinstance(b, LetRef):
            return LetUse(self.let(b.name, self.mode(node, inherited)))
        if isinstance(node, n.Name) and isinstance(b, LeadRef):
            return LeadUse(self.lead(b.name))
        return Truth(self.value(node, inherited or T.BOOL))

    def side(self, node) -> Source:
        b = self.a.binding(node)
        return self.make_source(b.event, b.where)

    def compare(self, op, left, right) -> Node:
        lt, rt = self.mode(left), self.mode(right)
        lm, rm = isinstance(lt, MEMBER), isinstance(rt, MEMBER)
        lconst, rconst = self.is_const(left), self.is_const(right)
        # a member against a constant: canonical members (enums) or ranks (ordinals)
        if lm and not rm and rconst:
            return Cmp(op, self.value(left, raw=False), self.note(right, Const(member_value(lt, self.const_value(right)))))
        if rm and not lm and lconst:
            return Cmp(op, self.note(left, Const(member_value(rt, self.const_value(left)))), self.value(right, raw=False))
        # a member against a text, or members of two types: by folded name
        if (lm or rm) and not (isinstance(lt, T.OrdinalT) and isinstance(rt, T.OrdinalT) and lt.members == rt.members):
            return Cmp(op, self.keyed(left, lt, "name"), self.keyed(right, rt, "name"))
        if lt == T.DYNAMIC and rt == T.DYNAMIC:
            return self.dyn(op, left, right)
        if lt in (T.TEXT, T.SYMBOL) or rt in (T.TEXT, T.SYMBOL):
            return Cmp(op, self.keyed(left, lt), self.keyed(right, rt))
        return Cmp(op, self.value(left, raw=False), self.value(right, raw=False))

    def dyn(self, op, left, right) -> DynCmp:
        d = DynCmp(self.p.n_dyn, op, self.value(left, T.DYNAMIC), self.value(right, T.DYNAMIC))
        self.p.n_dyn += 1
        (self.source.dyn if self.source is not None else self.p.dyn).append(d)
        return d

    def set_keys(self, t: T.Type, coll) -> tuple[frozenset, str | None]:
        lit = set_literal(self.a, coll)
        consts = [self.const_value(i) for i in (lit.items if lit is not None else ())]
        if isinstance(t, MEMBER):
            return frozenset(member_value(t, c) for c in consts), None
        if t in (T.TEXT, T.SYMBOL):
            return frozenset(fold(str(c)) for c in consts), "fold"
        if t == T.DYNAMIC:
            return frozenset(dyn_key(c) for c in consts), "dyn"
        return frozenset(consts), None

    def in_(self, node) -> Node:
        t = self.mode(node.value)
        keys, key = self.set_keys(t, node.collection)
        if key == "fold":
            x = self.keyed(node.value, t)
        elif key == "dyn":
            x = Key("dyn", self.value(node.value, T.DYNAMIC, raw=False), origin=node.value)
        else:
            x = self.value(node.value, raw=False)
        return In(x, keys, node.negated)

    def text_op(self, node) -> Node:
        if node.op == "matches":
            return Match(self.value(node.value, T.TEXT), self.a.regexes.get(id(node)))
        return TextOp(node.op, self.keyed(node.value, T.TEXT, inherited=T.TEXT),
                      self.keyed(node.pattern, T.TEXT, inherited=T.TEXT))

    def has(self, node) -> Node:
        lt = self.mode(node.value)
        elem = lt.element if isinstance(lt, T.ListT) else T.TEXT
        x = self.value(node.value, T.list_of(T.TEXT))
        if node.mode == "one":
            if isinstance(elem, MEMBER):
                key = None
                item = Const(member_value(elem, self.const_value(node.item))) if self.is_const(node.item) \
                    else self.value(node.item)
            elif elem in (T.TEXT, T.SYMBOL):
                key = "fold"
                item = self.keyed(node.item, T.TEXT)
            else:
                key = None
                item = self.value(node.item)
            return Has("one", x, item, key)
        keys, key = self.set_keys(elem, node.item)
        return Has(node.mode, x, keys, key)

    # --------------------------------------------------------- finishing
    def _walk_all(self):
        """Every node reachable from the leads (shared lets and sources entered once)."""
        seen: set[int] = set()
        stack = [x for item in self.p.outputs.values() for x in roots(item)]
        while stack:
            x = stack.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            yield x
            stack.extend(children(x))
            if isinstance(x, LetUse):
                stack.append(x.let.body)
            elif isinstance(x, Agg) and x.source.where is not None:
                stack.append(x.source.where)
            elif isinstance(x, Seq):
                stack.extend(s.where for s in (x.first, x.second) if s.where is not None)

    def _count_let_uses(self):
        """A let is shared (computed once per record) when used twice outside `where`s;
        a let used inside a `where` is evaluated per event, inline."""
        in_where: set[int] = set()
        for src in self.p.sources:
            stack = [src.where] if src.where is not None else []
            while stack:
                x = stack.pop()
                if id(x) in in_where:
                    continue
                in_where.add(id(x))
                stack.extend(children(x))
                if isinstance(x, LetUse):
                    x.let.in_where = True
                    stack.append(x.let.body)
        for x in self._walk_all():
            if isinstance(x, LetUse) and id(x) not in in_where:
                x.let.uses += 1

    def _order(self) -> list:
        """Leads and shared lets, each after what it uses."""
        order, state = [], {}

        def deps(item):
            out, stack, seen = [], roots(item), set()
            while stack:
                x = stack.pop()
                if x is None or id(x) in seen:
                    continue
                seen.add(id(x))
                if isinstance(x, LeadUse):
                    out.append(x.lead)
                    continue
                if isinstance(x, OutputUse):
                    out.append(x.item)
                    continue
                if isinstance(x, LetUse):
                    if x.let.shared:
                        out.append(x.let)
                        continue
                    stack.append(x.let.body)
                stack.extend(children(x))
            return out

        for start in [*self.p.outputs.values(), *(l for l in self.p.lets if l.shared)]:
            if id(start) in state or _unlowered(start):
                continue
            stack = [(start, iter(deps(start)))]
            state[id(start)] = 1
            while stack:
                item, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    stack.pop()
                    state[id(item)] = 2
                    order.append(item)
                elif id(nxt) not in state and not _unlowered(nxt):
                    state[id(nxt)] = 1
                    stack.append((nxt, iter(deps(nxt))))
        return order

    def _needs(self, nodes: list, done: dict) -> frozenset:
        """The read units ``nodes`` need; ``done`` holds those of the outputs and shared lets
        already computed."""
        units: set = set()
        seen: set[int] = set()
        stack = list(nodes)
        while stack:
            x = stack.pop()
            if x is None or id(x) in seen:
                continue
            seen.add(id(x))
            if isinstance(x, Read):
                units.add(x.slot.unit)
            elif isinstance(x, Prop):
                units.add(("prop", x.prop.event, x.prop.pos))
            elif isinstance(x, DynCmp):
                units.add(x.unit)
            elif isinstance(x, (LeadUse, LetUse, OutputUse)):
                named = x.lead if isinstance(x, LeadUse) else x.let if isinstance(x, LetUse) else x.item
                if id(named) in done:
                    units.update(done[id(named)])
                else:
                    stack.extend(roots(named))
            elif isinstance(x, (Agg, Seq)):
                for src in ([x.source] if isinstance(x, Agg) else [x.first, x.second]):
                    units.update(source_units(src))
                    if src.where is not None:
                        stack.append(src.where)  # the properties the filter reads
                if isinstance(x, Agg) and x.pos is not None:  # the property this aggregate reads
                    units.add(("prop", x.source.event.name, x.pos))
            stack.extend(children(x))
        return frozenset(units)


def source_units(src: Source) -> set:
    """What every use of a source needs: the events list, the times of its type, and the
    comparisons of its filter (the properties are added by what reads them)."""
    out = {("events",), ("ts", src.event.name)}
    out.update(d.unit for d in src.dyn)
    return out


def lower(analysis: Analysis, leads=None) -> Plan:
    """The plan of the program's outputs (``leads``: every lead when None)."""
    return _Lowerer(analysis, analysis.scope.leads if leads is None else leads).run()


def lower_all(analysis: Analysis) -> Plan:
    """The plan of every declaration, for analysis (the linter): every lead, every let
    in each mode it is read (a let nothing reads: as declared), every metric with its
    `where`. The evaluator's plan is :func:`lower`'s, which lowers only what the
    outputs reach; this one holds the same nodes for them, and more."""
    return _Lowerer(analysis, analysis.scope.leads, everything=True).run()
