"""The checked AST compiled once into Python closures.

Every record is first *read*: each field, schemaless key and event property
the program uses is converted to its type up front, so a bad value raises
``DataError`` whatever the order or outcome of the clauses. The closures then
only index a per-record list ``v``:

    v = [field and record slots..., lead slots..., metric slots..., EVENTS, CUR, AS_OF, TRACE]

``explain`` uses the same compiler with ``trace=True``: each closure also
records its value, and ``and``/``or`` evaluate every operand.
"""
from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass

from . import events as ev
from . import nodes as n
from . import types as T
from .check import Analysis
from .diagnostics import DataError
from .logic import and3, arith, clean, fold, or3
from .values import reader_for, to_datetime

UNSET = object()
_OPS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}


@dataclass
class Slot:
    label: str  # what a DataError names: the field, or the record key
    path: tuple[str, ...]
    reader: object
    type: T.Type


def get_path(record, path: tuple[str, ...]):
    if len(path) == 1:
        return record.get(path[0])
    joined = ".".join(path)
    if joined in record:
        return record[joined]
    value = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value


class Compiler:
    def __init__(self, analysis: Analysis, trace: bool = False):
        self.a = analysis
        self.scope = analysis.scope
        self.trace = trace
        self._cells: list[_Cell] = []
        self.slots: list[Slot] = []
        self.slot_index: dict[tuple, int] = {}
        self.leads: dict[str, int] = {}
        self.metric_slots: dict[tuple, int] = {}
        self.let_fns: dict[str, object] = {}
        self.lead_fns: dict[str, object] = {}
        # event type -> [(prop, reader)]
        self.event_props: dict[str, list[tuple[str, object, T.Type]]] = {}
        self.prop_index: dict[tuple[str, str], int] = {}
        for name, reads in analysis.event_reads.items():
            props = []
            for prop, t in reads.items():
                self.prop_index[(name, prop)] = len(props)
                props.append((prop, reader_for(t), t))
            self.event_props[name] = props
        # fields first, in declaration order, so that a DataError is stable
        for name, info in self.scope.fields.items():
            if ("field", name) in analysis.used:
                self.slot(("field", name), Slot(name, info.path, reader_for(info.type), info.type))
        for name in self.scope.leads:
            self.leads[name] = -1
        self.lead_order = list(self.scope.leads)

    # ------------------------------------------------------------- layout
    def slot(self, key: tuple, slot: Slot) -> int:
        if key not in self.slot_index:
            self.slot_index[key] = len(self.slots)
            self.slots.append(slot)
        return self.slot_index[key]

    def finish(self):
        """Fix the layout once every closure is compiled."""
        base = len(self.slots)
        self.n_leads = len(self.lead_order)
        self.n_metrics = len(self.metric_slots)
        self.EVENTS = base + self.n_leads + self.n_metrics
        self.CUR = self.EVENTS + 1
        self.AS_OF = self.EVENTS + 2
        self.AS_OF_US = self.EVENTS + 3
        self.TRACE = self.EVENTS + 4
        return self

    # Slots beyond the record slots are addressed through these cells, filled
    # in by finish(); closures read them once through default arguments.
    def lead_slot(self, name: str) -> "_Cell":
        return _Cell(lambda: len(self.slots) + self.lead_order.index(name), self._cells)

    def metric_slot(self, key: tuple) -> "_Cell":
        if key not in self.metric_slots:
            self.metric_slots[key] = len(self.metric_slots)
        i = self.metric_slots[key]
        return _Cell(lambda: len(self.slots) + len(self.lead_order) + i, self._cells)

    def cell(self, attr: str) -> "_Cell":
        return _Cell(lambda: getattr(self, attr), self._cells)

    # ------------------------------------------------------------ compile
    def compile_program(self):
        for name, decl in self.scope.leads.items():
            self.lead_fns[name] = self.compile(decl.expr)
        self.finish()
        for c in self._cells:
            c.i = c.get()
        return self

    def compile(self, node):
        fn = getattr(self, "c_" + type(node).__name__)(node)
        if self.trace:
            fn = self._traced(node, fn)
        return fn

    def _traced(self, node, fn):
        key = id(node)
        trace_cell = self.cell("TRACE")

        def traced(v):
            r = fn(v)
            t = v[trace_cell.i]
            if t is not None:
                t[key] = r
            return r
        return traced

    # literals
    def const(self, node):
        if isinstance(node, n.Number) or isinstance(node, n.Text) or isinstance(node, n.Bool):
            return node.value
        if isinstance(node, (n.Date, n.DateTime)):
            return to_datetime(node.value)
        if isinstance(node, n.Name):
            return node.name
        raise TypeError(node)

    def c_Number(self, node):
        c = node.value
        return lambda v: c

    c_Text = c_Number
    c_Bool = c_Number

    def c_Date(self, node):
        c = to_datetime(node.value)
        return lambda v: c

    c_DateTime = c_Date

    def c_SetLit(self, node):  # pragma: no cover - sets are compiled by their operators
        return lambda v: None

    def c_Name(self, node):
        b = self.a.binding(node)
        kind = b[0]
        if kind == "field":
            i = self.slot_index[("field", b[1])]
            return _getter(i)
        if kind == "record":
            mode = b[2]
            label = ".".join(b[1])
            i = self.slot(("record", b[1], mode), Slot(label, b[1], reader_for(mode), mode))
            return _getter(i)
        if kind == "let":
            return self.let_fn(b[1])
        if kind == "lead":
            return self.lead_ref(b[1])
        if kind == "metric":
            return self.metric_fn(b[1], None, False, node)
        if kind == "event":
            return self.event_count_fn(b[1], None, False, node)
        if kind == "prop":
            j = self.prop_index[(b[1], b[2])]
            cur = self.cell("CUR")
            return lambda v: v[cur.i][j]
        if kind == "symbol":
            c = node.name
            return lambda v: c
        return lambda v: None

    def let_fn(self, name):
        """A let compiles once; every use shares the closure (cycles were rejected by the checker)."""
        fn = self.let_fns.get(name)
        if fn is None:
            fn = self.let_fns[name] = self.compile(self.scope.lets[name].expr)
        return fn

    def lead_ref(self, name):
        cell = self.lead_slot(name)
        fns = self.lead_fns

        def f(v):
            i = cell.i
            x = v[i]
            if x is UNSET:
                x = v[i] = fns[name](v) is True
            return x
        return f

    # events and metrics --------------------------------------------------
    def events_of(self, event: str, where, node=None):
        """A function v -> the (filtered) events of one type."""
        evs = self.cell("EVENTS")
        if where is None:
            return lambda v: v[evs.i].get(event, ())
        cond = self.compile(where)
        cur = self.cell("CUR")

        def filtered(v):
            out = []
            ci = cur.i
            for e in v[evs.i].get(event, ()):
                v[ci] = e[1]
                if cond(v) is True:
                    out.append(e)
            v[ci] = None
            return out
        return filtered

    def metric_fn(self, name, seconds, any_, node):
        agg = self.scope.metrics[name].aggregate
        prop = self.prop_index.get((agg.event, agg.prop)) if agg.prop else None
        source = self.events_of(agg.event, agg.where)
        return self._cached_aggregate(("metric", name, seconds, any_), agg.func, source, prop, seconds, any_, node)

    def event_count_fn(self, event, seconds, any_, node):
        return self._cached_aggregate(("event", event, seconds, any_), "count", self.events_of(event, None),
                                      None, seconds, any_, node)

    def _cached_aggregate(self, key, func, source, prop, seconds, any_, node):
        cell = self.metric_slot(key)
        as_of = self.cell("AS_OF_US")
        trace = self.trace
        trace_cell = self.cell("TRACE")
        tkey = ("events", id(node)) if node is not None else None

        def compute(v):
            evs = source(v)
            ts = [e[0] for e in evs]
            vals = [e[1][prop] for e in evs] if prop is not None else None
            if any_:
                value = ev.best_window(func, ts, vals, seconds)
                start = 0
            else:
                start = ev.window_start(ts, v[as_of.i], seconds)
                value = ev.aggregate(func, ts, vals, start)
            if trace and v[trace_cell.i] is not None and tkey is not None:
                v[trace_cell.i][tkey] = [ev.from_us(t) for t in ts[start:]]
            return value

        def f(v):
            i = cell.i
            x = v[i]
            if x is UNSET:
                x = v[i] = compute(v)
            return x
        if trace:
            return compute
        return f

    def c_Windowed(self, node):
        b = self.a.binding(node)
        if b[0] == "metric":
            return self.metric_fn(b[1], b[2], b[3], node)
        if b[0] == "event":
            return self.event_count_fn(b[1], b[2], b[3], node)
        return lambda v: None

    def seq_source(self, node):
        b = self.a.binding(node)
        if b[0] == "seq":
            if isinstance(node, n.Filtered):
                return b[1], self.events_of(b[1], node.where)
            return b[1], self.events_of(b[1], None)
        if b[0] == "seq_metric":
            agg = self.scope.metrics[b[1]].aggregate
            return agg.event, self.events_of(agg.event, agg.where)
        return None, (lambda v: ())

    def c_Then(self, node):
        e1, first = self.seq_source(node.first)
        e2, second = self.seq_source(node.second)
        seconds = node.duration.seconds if node.duration is not None else None
        same = e1 == e2
        trace = self.trace
        trace_cell = self.cell("TRACE")
        tkey = ("sequence", id(node))

        def f(v):
            a, b = first(v), second(v)
            if trace and v[trace_cell.i] is not None:
                v[trace_cell.i][tkey] = ((e1, [ev.from_us(e[0]) for e in a]), (e2, [ev.from_us(e[0]) for e in b]))
            return ev.sequence([e[0] for e in a], [e[2] for e in a] if same else None,
                               [e[0] for e in b], [e[2] for e in b] if same else None, seconds)
        return f

    def c_Within(self, node):
        value = self.compile(node.value)
        delta = dt.timedelta(seconds=node.duration.seconds)
        as_of = self.cell("AS_OF")

        def f(v):
            x = value(v)
            if x is None:
                return None
            now = v[as_of.i]
            return now - delta < x <= now
        return f

    def c_Filtered(self, node):  # pragma: no cover - rejected by the checker
        return lambda v: None

    def c_Duration(self, node):  # pragma: no cover - rejected by the checker
        return lambda v: None

    # logic ------------------------------------------------------------------
    def c_BoolOp(self, node):
        fns = [self.compile(o) for o in node.operands]
        if self.trace:
            combine = and3 if node.op == "and" else or3
            return lambda v: combine([f(v) for f in fns])
        if node.op == "and":
            if len(fns) == 2:
                f1, f2 = fns

                def and2(v):
                    a = f1(v)
                    if a is False:
                        return False
                    b = f2(v)
                    if b is False:
                        return False
                    return None if a is None or b is None else True
                return and2

            def and_(v):
                r = True
                for f in fns:
                    x = f(v)
                    if x is False:
                        return False
                    if x is None:
                        r = None
                return r
            return and_

        def or_(v):
            r = False
            for f in fns:
                x = f(v)
                if x is True:
                    return True
                if x is None:
                    r = None
            return r
        return or_

    def c_Not(self, node):
        f = self.compile(node.operand)

        def not_(v):
            x = f(v)
            return None if x is None else not x
        return not_

    # comparisons ----------------------------------------------------------
    def key_fn(self, t: T.Type, other: T.Type | None = None):
        """How a value of type t is keyed for equality with ``other``."""
        if t in (T.TEXT, T.SYMBOL):
            return fold
        if isinstance(t, T.EnumT) and (other is None or not isinstance(other, T.EnumT)):
            return fold
        if t == T.DYNAMIC:
            return _dyn_key
        return None

    def _side(self, node, t: T.Type, member_type):
        """(function, constant or UNSET) of one side of a comparison."""
        if isinstance(node, (n.Number, n.Text, n.Bool, n.Date, n.DateTime)) or \
                (isinstance(node, n.Name) and self.a.binding(node)[0] == "symbol"):
            c = self.const(node)
            if member_type is not None:
                c = _member_value(member_type, c)
            return None, c
        return self.compile(node), UNSET

    def c_Compare(self, node):
        return self.compare(node.op, node.left, node.right)

    def compare(self, op, left, right):
        lt, rt = self.a.type_of(left), self.a.type_of(right)
        mt = None
        if isinstance(lt, (T.EnumT, T.OrdinalT)) and not isinstance(rt, (T.EnumT, T.OrdinalT)):
            mt = lt
        lf, lc = self._side(left, lt, None)
        rf, rc = self._side(right, rt, mt)
        opf = _OPS[op]
        # a member against a constant: compare canonical members (enums) or ranks (ordinals)
        if mt is not None and rc is not UNSET:
            return _slot_const(lf, opf, rc, None)
        lm, rm = isinstance(lt, (T.EnumT, T.OrdinalT)), isinstance(rt, (T.EnumT, T.OrdinalT))
        if rm and not lm and lc is not UNSET:
            c = _member_value(rt, lc)
            return _binary(lambda v: c, rf, opf)
        # a member against a text value, or members of two different types: compare by name
        if (lm or rm) and not (isinstance(lt, T.OrdinalT) and isinstance(rt, T.OrdinalT) and lt.members == rt.members):
            ln = _member_name(lt) if lm else _identity
            rn = _member_name(rt) if rm else _identity
            return _binary(lf, rf, lambda a, b: opf(fold(ln(a)), fold(rn(b))))
        key = self.key_fn(lt) or self.key_fn(rt)
        if lt == T.DYNAMIC and rt == T.DYNAMIC:
            return _binary(lf, rf, lambda a, b: _dyn_compare(op, a, b))
        if key is not None:
            if rc is not UNSET:
                return _slot_const(lf, opf, key(rc), key)
            if lc is not UNSET:
                lc2 = key(lc)
                return _binary(lambda v: lc2, rf, lambda a, b: opf(a, key(b)))
            return _binary(lf, rf, lambda a, b: opf(key(a), key(b)))
        if rc is not UNSET:
            return _slot_const(lf, opf, rc, None)
        if lc is not UNSET:
            return _binary(lambda v: lc, rf, opf)
        return _binary(lf, rf, opf)

    def c_Between(self, node):
        low = self.compare("<=", node.low, node.value)
        high = self.compare("<=", node.value, node.high)

        def between(v):
            a = low(v)
            if a is False:
                return False
            b = high(v)
            if b is False:
                return False
            return None if a is None or b is None else True
        return between

    def set_keys(self, value_type: T.Type, coll) -> tuple[frozenset, object]:
        lit = _set_literal(self.a, self.scope, coll)
        items = lit.items if lit is not None else ()
        if isinstance(value_type, (T.EnumT, T.OrdinalT)):
            return frozenset(_member_value(value_type, self.const(i)) for i in items), None
        key = self.key_fn(value_type)
        consts = [self.const(i) for i in items]
        if value_type == T.DYNAMIC:
            return frozenset(_dyn_key(c) for c in consts), _dyn_key
        if key is not None:
            return frozenset(key(c) for c in consts), key
        return frozenset(consts), None

    def c_In(self, node):
        vt = self.a.type_of(node.value)
        keys, key = self.set_keys(vt, node.collection)
        f = self.compile(node.value)
        neg = node.negated

        def in_(v):
            x = f(v)
            if x is None:
                return None
            found = (key(x) if key is not None else x) in keys
            return not found if neg else found
        return in_

    def c_Is(self, node):
        f = self.compile(node.value)
        what = node.what
        if what == "missing":
            return lambda v: _is_missing(f(v))
        if what == "present":
            return lambda v: not _is_missing(f(v))
        if what == "empty":
            return lambda v: _is_missing(f(v))
        return lambda v: not _is_missing(f(v))

    def c_TextOp(self, node):
        f = self.compile(node.value)
        if node.op == "matches":
            rx = self.a.regexes.get(id(node))
            if rx is None:
                return lambda v: None
            search = rx.search

            def matches(v):
                x = f(v)
                if x is None:
                    return None
                return search(clean(x) if isinstance(x, str) else str(x)) is not None
            return matches
        meth = {"contains": str.__contains__, "starts with": str.startswith, "ends with": str.endswith}[node.op]
        pf, pc = self._side(node.pattern, self.a.type_of(node.pattern), None)
        if pc is not UNSET:
            key = fold(str(pc))
            return lambda v: None if (x := f(v)) is None else meth(fold(x), key)

        def textop(v):
            x = f(v)
            p = pf(v)
            if x is None or p is None:
                return None
            return meth(fold(x), fold(p))
        return textop

    def c_Has(self, node):
        f = self.compile(node.value)
        lt = self.a.type_of(node.value)
        elem = lt.element if isinstance(lt, T.ListT) else T.TEXT
        if node.mode == "one":
            itf, itc = self._side(node.item, self.a.type_of(node.item),
                                  elem if isinstance(elem, (T.EnumT, T.OrdinalT)) else None)
            key = self.key_fn(elem) if not isinstance(elem, (T.EnumT, T.OrdinalT)) else None
            if key is not None and itc is not UNSET:
                itc = key(itc)

            def has(v):
                lst = f(v) or ()
                item = itc if itc is not UNSET else itf(v)
                if item is None:
                    return None
                if itc is UNSET and key is not None:
                    item = key(item)
                if key is not None:
                    return any(key(e) == item for e in lst)
                return item in lst
            return has
        keys, key = self.set_keys(elem, node.item)
        if node.mode == "any":
            def has_any(v):
                lst = f(v) or ()
                return any((key(e) if key else e) in keys for e in lst)
            return has_any

        def has_all(v):
            lst = f(v) or ()
            return keys <= {(key(e) if key else e) for e in lst}
        return has_all

    def c_Arith(self, node):
        lf, rf = self.compile(node.left), self.compile(node.right)
        op = node.op

        def arith_(v):
            return arith(op, lf(v), rf(v))
        return arith_

    def c_Neg(self, node):
        f = self.compile(node.operand)
        return lambda v: None if (x := f(v)) is None else -x


class _Cell:
    """A slot index known only once the layout is fixed (``finish``)."""
    __slots__ = ("get", "i")

    def __init__(self, get, registry: list):
        self.get = get
        self.i = -1
        registry.append(self)


def _getter(i):
    return lambda v: v[i]


def _binary(lf, rf, op):
    def f(v):
        a = lf(v)
        if a is None:
            return None
        b = rf(v)
        if b is None:
            return None
        return op(a, b)
    return f


def _slot_const(lf, opf, c, key):
    if key is None:
        return lambda v: None if (x := lf(v)) is None else opf(x, c)
    return lambda v: None if (x := lf(v)) is None else opf(key(x), c)


def _identity(x):
    return x


def _member_name(t):
    """Value -> member name: enums hold the name, ordinals the rank."""
    if isinstance(t, T.OrdinalT):
        members = t.members
        return lambda x: members[x]
    return lambda x: x


def _member_value(t, c):
    """A symbol or text as the member of an enum (canonical name) or ordinal (rank)."""
    k = fold(str(c))
    for i, m in enumerate(t.members):
        if fold(m) == k:
            return i if isinstance(t, T.OrdinalT) else m
    return None if isinstance(t, T.OrdinalT) else str(c)


def _set_literal(a: Analysis, scope, node):
    seen = 0
    while isinstance(node, n.Name) and seen < 64:
        b = a.binding(node)
        if b[0] != "let":
            return None
        node = scope.lets[b[1]].expr
        seen += 1
    return node if isinstance(node, n.SetLit) else None


def _is_missing(x) -> bool:
    return x is None or x == () or x == []


def _dyn_key(x):
    if isinstance(x, str):
        return fold(x)
    if isinstance(x, bool):
        return x
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _dyn_compare(op, a, b):
    if isinstance(a, str) and isinstance(b, str):
        if op in ("=", "!="):
            return _OPS[op](fold(a), fold(b))
    try:
        return _OPS[op](_dyn_key(a), _dyn_key(b))
    except TypeError:
        if op in ("=", "!="):
            return op == "!="
        raise DataError(f"cannot compare {a!r} with {b!r}") from None


def compile_analysis(analysis: Analysis, trace: bool = False) -> Compiler:
    return Compiler(analysis, trace).compile_program()


def read_event_list(raw) -> list:
    if raw is None:
        return []
    if isinstance(raw, (list, tuple)):
        return list(raw)
    raise DataError(f"events: expected a list of events, found {type(raw).__name__}", field="events", value=raw)
