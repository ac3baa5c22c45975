"""An independent reference interpreter of leaddsl, used only by tests as an oracle.

``evaluate(program_text, record, as_of)`` gives every output (each lead -> True /
False / None, ``stage`` when stages are declared, then each score -> float, band ->
its name and route -> its target, None when missing or erred) written directly from
SPEC.md sections 3-7 and the language reference (section 14: scores, bands, routes).
It walks the checked AST of the public front end
(``leaddsl.compile(text).analysis``: node types, use-site modes and name bindings)
and reuses only the value readers of ``leaddsl.values`` (reading raw input into
typed values is tested on its own). Nothing else of the evaluator is used: comparison
keys, three-valued logic, windows, sequences and which outputs a bad value errs are
all written here again, as naively as possible:

* every clause is evaluated in full, never short-circuited, so an output meets every
  value it reads; a value that cannot be read is noted and counts as missing, and an
  output that noted one is None (SPEC section 6: it errs exactly the outputs that
  read it, whatever the order or outcome of the clauses);
* windows and sequences by brute force over the events;
* scores with their own arithmetic (not ``leaddsl.scoring``): each rule in full, decay
  as ``points * 0.5 ** (age / half_life)`` with ages as ``timedelta`` ratios, then the
  caps; a band by counting the thresholds a number reaches; a route by trying every
  rule and taking the first true one.

Values: numbers are int/float, text is str (as read: NFC, stripped), dates and
datetimes are aware datetimes (a date is its midnight UTC), an enum is its member's
name, an ordinal its rank, a list a tuple; missing is None.

Reading options (docs/reference.md): a field or property is read by the reader of its
type *and its options* (``reader_for(type, options)``: aliases, markers, formats,
zones, currencies); a bad value of a field or property whose policy is ``bad as
missing`` (or any, with ``bad_values="missing"``) is missing and errs nothing; an
event's ``ts`` is read with the options of its declared ``ts``, and never leniently.
"""
from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Mapping

import re2

import leaddsl
from leaddsl.front import nodes as n
from leaddsl import types as T
from leaddsl.front.check import (EventCount, FieldRef, LeadRef, LetRef, MetricRef, OutputRef, PropRef, RecordRef,
                                 SeqSide, SymbolRef)
from leaddsl.values import NO_OPTIONS, BadValue, read_number, reader_for

UTC = dt.timezone.utc
OPS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
       ">=": operator.ge}
MEMBER = (T.EnumT, T.OrdinalT)


# ------------------------------------------------------- three-valued logic ----
def and3(values):
    """SQL's AND: false wins, then unknown."""
    values = list(values)
    return False if False in values else None if None in values else True


def or3(values):
    """SQL's OR: true wins, then unknown."""
    values = list(values)
    return True if True in values else None if None in values else False


def not3(value):
    return None if value is None else not value


# ------------------------------------------------------------------- keys ----
def fold(text: str) -> str:
    """The comparison key of a text (SPEC 3): NFC, casefold, surrounding white space stripped."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold()).strip()


def type_name(text):
    """An event type as data spell it, matched to a declared one: case, surrounding space and
    the separators between words (spaces, `-`, `_`) do not matter: "Page View" is page_view."""
    return re.sub(r"[\s_\-]+", "_", fold(text)).strip("_") if isinstance(text, str) else None


def member_name(value, t) -> str:
    """The name of a value compared with an enum/ordinal member (a rank becomes its member)."""
    return t.members[value] if isinstance(t, T.OrdinalT) else str(value)


def member_rank(value, t, ordinal):
    if isinstance(t, T.OrdinalT):
        return value
    folded = [fold(m) for m in ordinal.members]
    return folded.index(fold(str(value))) if fold(str(value)) in folded else None


def kind(x) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return "number"
    return "text" if isinstance(x, str) else type(x).__name__


def lookup(record, path):
    """``record[a][b]``; missing when a key is absent or a parent is not an object (SPEC 3)."""
    value = record
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def read_as(value, mode):
    """A schemaless value (already read as it is) read as its use site needs: by the
    reader of the type on the other side (SPEC 3: "a string compared with a number is
    read by the number rule"; likewise a JSON true compared with a text is a bad value)."""
    return reader_for(mode)(value)


class Oracle:
    def __init__(self, program, record, as_of: dt.datetime, bad_values: str = "error"):
        self.a = program.analysis
        self.scope = program.scope
        self.record = record
        self.as_of = as_of
        self.every_bad_missing = bad_values == "missing"
        self.event = None   # the event a `where` is looking at
        self.bad = set()    # the unreadable values the current output has read

    # -------------------------------------------------------------- outputs
    def outputs(self) -> dict:
        out = {}
        for name in self.scope.leads:
            self.bad = set()
            holds = self.lead(name)
            out[name] = None if self.bad else holds
        if self.scope.stages:
            stages = [out[s] for s in self.scope.stages]
            reached = [s for s in self.scope.stages if out[s]]
            out["stage"] = None if None in stages else (reached[-1] if reached else None)
        for kind, names in (("score", self.scope.scores), ("band", self.scope.bands), ("route", self.scope.routes)):
            for name in names:
                self.bad = set()
                value = getattr(self, kind)(name)
                if kind == "band" and value is not None:
                    value = self.scope.bands[name].members[value].name
                out[name] = None if self.bad else value
        return out

    def lead(self, name) -> bool:
        """A lead holds only when its condition is true (SPEC 4): two-valued."""
        return self.eval(self.scope.leads[name].expr) is True

    # ---------------------------------------------------------- expressions
    def eval(self, node):
        value = getattr(self, "x_" + type(node).__name__)(node)
        if self.a.types.get(id(node)) == T.DYNAMIC and id(node) in self.a.modes:
            value = self.read(read_as, value, self.a.modes[id(node)], unit=("mode", id(node)))
        return value

    def typed(self, node):
        """(value, the type it is compared as)."""
        return self.eval(node), self.a.mode_of(node)

    def read(self, reader, raw, *args, unit):
        try:
            return reader(raw, *args)
        except BadValue:
            if not self.lenient(unit):
                self.bad.add(unit)
            return None

    def lenient(self, unit) -> bool:
        """Whether a bad value of ``unit`` is read as missing (counted, not an error)."""
        if unit[0] == "ts":
            return False
        if self.every_bad_missing:
            return True
        if unit[0] == "field":
            return self.scope.fields[unit[1]].options.bad == "missing"
        if unit[0] == "prop":
            return self.options(unit[1], unit[2]).bad == "missing"
        return False

    def options(self, event, prop):
        info = self.a.event(event)
        return info.options.get(prop, NO_OPTIONS) if info is not None else NO_OPTIONS

    def x_Number(self, node):
        return node.value

    def x_Text(self, node):
        return node.value

    def x_Bool(self, node):
        return node.value

    def x_Date(self, node):
        return dt.datetime(node.value.year, node.value.month, node.value.day, tzinfo=UTC)

    def x_DateTime(self, node):
        return node.value

    def x_Name(self, node):
        b = self.a.bindings[id(node)]
        if isinstance(b, FieldRef):
            info = self.scope.fields[b.name]
            return self.read(reader_for(info.type, info.options), lookup(self.record, info.path),
                             unit=("field", b.name))
        if isinstance(b, RecordRef):
            return self.read(reader_for(T.DYNAMIC), lookup(self.record, b.path), unit=("key", b.path))
        if isinstance(b, PropRef):
            return self.read(reader_for(b.type, self.options(b.event, b.prop)), self.event.get(b.prop),
                             unit=("prop", b.event, b.prop))
        if isinstance(b, LetRef):
            return self.eval(self.scope.lets[b.name].expr)  # three-valued, passed through
        if isinstance(b, LeadRef):
            return self.lead(b.name)
        if isinstance(b, SymbolRef):
            return b.name
        if isinstance(b, OutputRef):  # a score (float), band (its rank: an ordinal) or route (its target)
            return getattr(self, b.kind)(b.name)
        return self.x_Windowed(node)

    def x_Windowed(self, node):
        b = self.a.bindings[id(node)]
        if isinstance(b, MetricRef):
            agg = self.scope.metrics[b.name].aggregate
            return self.aggregate(agg.func, agg.event, agg.where, agg.prop, b.seconds, b.any)
        assert isinstance(b, EventCount), b
        return self.aggregate("count", b.event, None, None, b.seconds, b.any)

    def x_BoolOp(self, node):
        values = [self.eval(x) for x in node.operands]  # all of them: no short circuit
        return and3(values) if node.op == "and" else or3(values)

    def x_Not(self, node):
        return not3(self.eval(node.operand))

    def x_Compare(self, node):
        return self.compare(node.op, *self.typed(node.left), *self.typed(node.right), node)

    def compare(self, op, lv, lt, rv, rt, node):
        if lv is None or rv is None:
            return None
        if lt == T.DYNAMIC and rt == T.DYNAMIC:
            return self.compare_dynamic(op, lv, rv, node)
        member = lt if isinstance(lt, MEMBER) else rt if isinstance(rt, MEMBER) else None
        if member is not None and op in ("=", "!="):
            return OPS[op](fold(member_name(lv, lt)), fold(member_name(rv, rt)))
        if member is not None:
            lk, rk = member_rank(lv, lt, member), member_rank(rv, rt, member)
            return None if lk is None or rk is None else OPS[op](lk, rk)
        if isinstance(lv, str) and isinstance(rv, str):
            return OPS[op](fold(lv), fold(rv))
        return OPS[op](lv, rv)

    def compare_dynamic(self, op, a, b, node):
        """Two schemaless values (SPEC 3): a text compared with a number is read by the
        number rule; texts compare by their keys; values of different kinds are unequal
        and cannot be ordered (a bad value)."""
        if kind(a) == "text" and kind(b) == "number":
            a = self.read(read_number, a, unit=("dyn", id(node)))
        elif kind(b) == "text" and kind(a) == "number":
            b = self.read(read_number, b, unit=("dyn", id(node)))
        if a is None or b is None:
            return None
        if kind(a) == kind(b) == "text":
            a, b = fold(a), fold(b)
        if op in ("=", "!="):
            return OPS[op](kind(a) == kind(b) and a == b, True)
        if kind(a) == kind(b) and kind(a) in ("number", "text"):
            return OPS[op](a, b)
        self.bad.add(("dyn", id(node)))
        return None

    def set_items(self, node):
        """The members of a set literal, through lets: [(value, type)]."""
        while isinstance(node, n.Name):
            node = self.scope.lets[self.a.bindings[id(node)].name].expr
        return [self.typed(item) for item in node.items]

    def x_In(self, node):
        value, vt = self.typed(node.value)
        hits = [self.compare("=", value, vt, v, t, node) for v, t in self.set_items(node.collection)]
        result = None if value is None else or3(hits)
        return not3(result) if node.negated else result

    def x_Between(self, node):
        """``x between a and b`` is ``a <= x and x <= b`` (SPEC 3)."""
        x, low, high = self.typed(node.value), self.typed(node.low), self.typed(node.high)
        return and3([self.compare("<=", *low, *x, node), self.compare("<=", *x, *high, node)])

    def x_Is(self, node):
        value, t = self.typed(node.value)
        empty = value is None or (isinstance(t, T.ListT) and len(value) == 0)
        return {"missing": empty, "present": not empty, "empty": empty, "not empty": not empty}[node.what]

    def x_TextOp(self, node):
        value, pattern = self.eval(node.value), self.eval(node.pattern)
        if value is None or pattern is None:
            return None
        if node.op == "matches":
            options = re2.Options()
            options.case_sensitive = False
            return re2.compile(pattern, options).search(value.strip()) is not None
        value, pattern = fold(value), fold(pattern)
        return {"contains": pattern in value, "starts with": value.startswith(pattern),
                "ends with": value.endswith(pattern)}[node.op]

    def x_Has(self, node):
        values, t = self.typed(node.value)
        values = values or ()
        elem = t.element
        items = [self.typed(node.item)] if node.mode == "one" else self.set_items(node.item)
        found = [any(self.compare("=", v, elem, iv, it, node) for v in values) for iv, it in items]
        return all(found) if node.mode == "all" else any(found)

    def x_Within(self, node):
        value = self.eval(node.value)
        if value is None:
            return None
        return self.as_of - dt.timedelta(seconds=node.duration.seconds) < value <= self.as_of

    def x_Arith(self, node):
        a, b = self.eval(node.left), self.eval(node.right)
        if a is None or b is None or (node.op == "/" and b == 0):
            return None  # division by zero gives missing (SPEC 3)
        try:
            return {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[node.op](a, b)
        except OverflowError:  # too large for a number: missing, like division by zero
            return None

    def x_Neg(self, node):
        value = self.eval(node.operand)
        return None if value is None else -value

    # ----------------------------------------------------------------- events
    def events_of(self, etype):
        """The events of one type that exist at the as-of time: [(position, ts, event)].
        An event of the type without a readable ts is a bad value (SPEC 7)."""
        found = []
        events = self.record.get("events") or []
        for i, e in enumerate(events):
            if not isinstance(e, Mapping) or type_name(e.get("type")) != type_name(etype):
                continue
            ts = self.read(reader_for(T.DATETIME, self.options(etype, "ts")), e.get("ts"), unit=("ts", etype))
            if ts is None:
                self.bad.add(("ts", etype))  # a missing ts too: every event needs a time
            elif ts <= self.as_of:
                found.append((i, ts, e))
        return found

    def where(self, event, cond) -> bool:
        saved, self.event = self.event, event
        try:
            return cond is None or self.eval(cond) is True
        finally:
            self.event = saved

    def source(self, etype, cond, prop=None):
        """The events of ``etype`` for which ``cond`` is true: [(position, ts, prop value)].
        The condition and the property are read on every event of the type, and the
        condition once more on no event at all: what it reads of the lead is read even
        when there are no events."""
        self.where({}, cond)
        ptype = None
        if prop is not None:
            ptype = self.a.event(etype).props.get(prop, T.DYNAMIC)
            ptype = T.NUMBER if ptype == T.DYNAMIC else ptype
        out = []
        for i, ts, e in self.events_of(etype):
            keep = self.where(e, cond)
            value = self.read(reader_for(ptype, self.options(etype, prop)), e.get(prop),
                              unit=("prop", etype, prop)) if prop else None
            if keep:
                out.append((i, ts, value))
        return out

    @staticmethod
    def value_of(func, items):
        values = [v for _, _, v in items if v is not None]
        times = [ts for _, ts, _ in items]
        return {"count": lambda: len(items),
                "sum": lambda: sum(values),
                "min": lambda: min(values, default=None),
                "max": lambda: max(values, default=None),
                "days": lambda: len({ts.astimezone(UTC).date() for ts in times}),
                "first": lambda: min(times, default=None),
                "last": lambda: max(times, default=None)}[func]()

    def aggregate(self, func, etype, cond, prop, seconds, best):
        items = self.source(etype, cond, prop)
        if seconds is None:
            return self.value_of(func, items)
        d = dt.timedelta(seconds=seconds)
        if not best:
            return self.value_of(func, [x for x in items if self.as_of - d < x[1] <= self.as_of])
        # (any d): the window (t - d, t] changes only where an event enters (t = ts) or
        # leaves (t = ts + d); every t <= as_of, the empty window included
        ends = [t for _, ts, _ in items for t in (ts, ts + d) if t <= self.as_of]
        return max([self.value_of(func, [])] +
                   [self.value_of(func, [x for x in items if t - d < x[1] <= t]) for t in ends])

    def side(self, node):
        b = self.a.bindings[id(node)]
        assert isinstance(b, SeqSide), b
        return self.source(b.event, b.where)

    def x_Then(self, node):
        """Some a and some other event b with a.ts <= b.ts <= a.ts + d (SPEC 5)."""
        first, second = self.side(node.first), self.side(node.second)
        d = dt.timedelta(seconds=node.duration.seconds) if node.duration is not None else None
        return any(i != j and ta <= tb and (d is None or tb <= ta + d)
                   for i, ta, _ in first for j, tb, _ in second)


# ------------------------------------------------- scores, bands and routes ----
def halved(points, age: dt.timedelta, half_life_s: int) -> float:
    """``points`` halved once per half-life of ``age``."""
    return points * 0.5 ** (age / dt.timedelta(seconds=half_life_s))


class Scoring(Oracle):
    def score(self, name) -> float:
        """The sum of the rules' points (every rule computed), capped from above."""
        decl = self.scope.scores[name]
        total = 0.0
        for rule in decl.rules:
            total += self.each(rule) if rule.each else self.condition(rule)
        if decl.cap is not None and total > decl.cap.value:
            total = float(decl.cap.value)
        return total

    def counted(self, b) -> list:
        """The times of the events a count (or any aggregate) counts, within its window, oldest first."""
        if isinstance(b, MetricRef):
            agg = self.scope.metrics[b.name].aggregate
            items = self.source(agg.event, agg.where, agg.prop)
        else:
            items = self.source(b.event, None)
        if b.seconds is not None:
            start = self.as_of - dt.timedelta(seconds=b.seconds)
            items = [x for x in items if start < x[1] <= self.as_of]
        return sorted(ts for _, ts, _ in items)

    def each(self, rule) -> float:
        """Points for every counted event (each decayed by its own age), the sum capped in size."""
        times = self.counted(self.a.bindings[id(rule.expr)])
        hl = rule.half_life.seconds if rule.half_life is not None else None
        total = 0.0
        for ts in times:
            total += rule.points if hl is None else halved(rule.points, self.as_of - ts, hl)
        if rule.cap is not None:
            total = max(-rule.cap.value, min(rule.cap.value, total))
        return total

    def condition(self, rule) -> float:
        """The points when the condition is true (decayed by the newest event it counted)."""
        holds = self.eval(rule.expr)
        if holds is not True:
            return 0.0
        if rule.half_life is None:
            return float(rule.points)
        newest = self.newest(rule.expr, set())
        return float(rule.points) if newest is None else halved(rule.points, self.as_of - newest, rule.half_life.seconds)

    def newest(self, node, lets: set):
        """The newest event counted by the counts and sequences ``node`` reads (through lets)."""
        found = []
        b = self.a.bindings.get(id(node))
        if isinstance(b, (MetricRef, EventCount)):
            found += self.counted(b)
        elif isinstance(node, n.Then):
            found += [ts for side in (node.first, node.second) for _, ts, _ in self.side(side)]
        elif isinstance(b, LetRef):
            if b.name not in lets:
                lets.add(b.name)
                found.append(self.newest(self.scope.lets[b.name].expr, lets))
        else:
            found += [self.newest(x, lets) for x in node.children()]
        return max((t for t in found if t is not None), default=None)

    def band(self, name):
        """The rank of the band the number falls in: how many thresholds it reaches (a
        threshold written `< t <=` is reached at t, one written `<= t <` only above it)."""
        decl = self.scope.bands[name]
        value = self.eval(decl.on)
        if value is None:
            return None
        return sum(1 for cut in decl.cuts if (value >= cut.value if cut.upper_takes_it else value > cut.value))

    def route(self, name):
        """None unless the lead holds; the first rule that is true; the fallback. Every rule is read."""
        decl = self.scope.routes[name]
        holds = self.lead(decl.lead.name)
        tests = [self.eval(rule.expr) for rule in decl.rules]
        if not holds:
            return None
        for rule, test in zip(decl.rules, tests):
            if test is True:
                return rule.target.name
        return decl.fallback.name


def evaluate(program_text: str, record: dict, as_of: dt.datetime, bad_values: str = "error") -> dict:
    """The outputs of ``program_text`` for ``record`` at ``as_of``, as SPEC.md defines them."""
    program = leaddsl.compile(program_text)
    return Scoring(program, record, as_of, bad_values).outputs()
