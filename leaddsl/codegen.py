"""The checked AST compiled once into Python functions (the fast path).

As Jinja does, the program becomes Python source compiled with ``compile()``:
``_evaluate`` (its results keep the record, for ``explain``) and
``_evaluate_bulk`` (they do not). Nothing from a definition file ever reaches
that source: every name, text, number, pattern and duration is a constant
``K<n>`` passed in as a default argument, and the source holds only
identifiers this module makes (``f0``, ``L1``, ``s2_t``) and Python operators. ``tests/test_codegen.py`` checks that
a hostile definition cannot execute code.

Three-valued logic is compiled by polarity: ``T(e)`` is a plain Python
expression that is true exactly when ``e`` is *true*, ``F(e)`` when ``e`` is
*false* (``T(a and b) = T(a) and T(b)``, ``F(a and b) = F(a) or F(b)``,
``T(not a) = F(a)``, ``T(x >= c) = x is not None and x >= c`` ...). A lead
holds when ``T`` of its condition holds, so no unknown value is ever built at
run time. The semantics are the same as ``interp`` (the closure compiler used by
``explain``); a property test runs both on random programs and records.

Reading is the same as ``interp``: every field and every event of a used type
is read before any clause; when a value cannot be read, the function hands the
record to the closure path, which raises the ``DataError`` with its message.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right

from . import events as ev
from . import interp as ip
from . import nodes as n
from . import types as T
from .check import Analysis
from .logic import MISSING_MARKERS, arith, clean, fold
from .values import BadValue, read_datetime, read_number, read_text, read_text_key

_UTC = dt.timezone.utc
_ONE_US = dt.timedelta(microseconds=1)
_fromiso = dt.datetime.fromisoformat


def _ts_us(raw) -> int:
    """An event's ``ts`` as integer microseconds; BadValue when missing or unreadable."""
    if raw.__class__ is str:
        try:
            d = _fromiso(raw)
        except ValueError:
            d = read_datetime(raw)
    else:
        d = read_datetime(raw)
    if d is None:
        raise BadValue(raw, "datetime")
    if d.tzinfo is None:
        d = d.replace(tzinfo=_UTC)
    return (d - ev.EPOCH) // _ONE_US


def _neg(x):
    return None if x is None else -x


def _has_one(lst, item, key):
    if item is None:
        return None
    if key is not None:
        return any(key(e) == item for e in lst)
    return item in lst


def _has_any(lst, keys, key):
    return any((key(e) if key else e) in keys for e in lst)


def _has_all(lst, keys, key):
    return keys <= {(key(e) if key else e) for e in lst}


def _text_of(x):
    return clean(x) if isinstance(x, str) else str(x)


def _path(record, path):
    return ip.get_path(record, path)


_HELPERS = {
    "_U": ip.UNSET, "_fold": fold, "_BadValue": BadValue, "_ts_us": _ts_us, "_arith": arith, "_neg": _neg,
    "_has_one": _has_one, "_has_any": _has_any, "_has_all": _has_all, "_text_of": _text_of, "_path": _path,
    "_is_missing": ip._is_missing, "_dyn_compare": ip._dyn_compare, "_dyn_key": ip._dyn_key,
    "_bisect_right": bisect_right, "_best_count": ev.best_count, "_best_window": ev.best_window,
    "_aggregate": ev.aggregate, "_window_start": ev.window_start, "_sequence": ev.sequence,
    "_MISSING": MISSING_MARKERS, "_from_us": ev.from_us, "_US": ev.US, "_fromiso": _fromiso, "_EPOCH": ev.EPOCH, "_ONE_US": _ONE_US,
}


_HOOKS = frozenset({"_SLOW", "_Result"})


class Unsupported(Exception):
    """A program the generator leaves to the closure path."""


class _Source:
    """The events one aggregate or sequence side counts: one type, one optional filter."""

    def __init__(self, index: int, event: str, where):
        self.index = index
        self.event = event
        self.where = where
        self.props: set[int] = set()  # property positions whose values are needed
        self.ids = False  # event ids needed (a sequence between events of one type)

    @property
    def name(self):
        return f"s{self.index}"

    @property
    def tuples(self) -> bool:
        return bool(self.props) or self.ids


class CodeGen:
    def __init__(self, analysis: Analysis, closures: ip.Compiler):
        self.a = analysis
        self.scope = analysis.scope
        self.c = closures  # the record layout (slots, event properties) is shared
        self.ns: dict = dict(_HELPERS)
        self._const_ids: dict = {}
        self.sources: dict[tuple, _Source] = {}
        self.metrics: dict[tuple, str] = {}  # (kind, name, seconds, any) -> cache local
        self.metric_code: list[tuple[str, str]] = []
        self.keep: list = []  # synthetic nodes kept alive (their ids key the tables)
        self.counter = 0
        self.n_consts = 0
        self.n_fns = 0
        self.prefolded = self._prefoldable()  # locals that hold text already folded

    def _prefoldable(self) -> set[str]:
        """Text values only ever compared (never searched with `matches`) are read
        straight to their folded key."""
        roots = [d.expr for d in self.scope.leads.values()] + [d.expr for d in self.scope.lets.values()] + \
            [m.aggregate.where for m in self.scope.metrics.values() if m.aggregate.where is not None]
        blocked: set = set()
        for root in roots:
            for node in n.walk(root):
                if isinstance(node, n.TextOp) and node.op == "matches":
                    b = self.a.bindings.get(id(node.value))
                    if not b or b[0] not in ("field", "record", "prop"):
                        return set()  # a let or expression: keep every text as read
                    blocked.add(b[:3] if b[0] != "field" else b[:2])
        out = set()
        for key, i in self.c.slot_index.items():
            slot = self.c.slots[i]
            if slot.type == T.TEXT and slot.reader is read_text and \
                    (key if key[0] == "field" else key[:2] + (slot.type,)) not in blocked and key not in blocked:
                out.add(f"f{i}")
        for (event, prop), j in self.c.prop_index.items():
            k = list(self.c.event_props).index(event)
            _prop, reader, t = self.c.event_props[event][j]
            if t == T.TEXT and reader is read_text and ("prop", event, prop) not in blocked:
                out.add(f"p{k}_{j}")
        return out

    def folded(self, use: str) -> str:
        return use if use in self.prefolded else f"_fold({use})"

    # ------------------------------------------------------------ helpers
    def const(self, value) -> str:
        key = (type(value), value) if _hashable(value) else None
        if key is not None and key in self._const_ids:
            return self._const_ids[key]
        name = f"K{self.n_consts}"
        self.n_consts += 1
        self.ns[name] = value
        if key is not None:
            self._const_ids[key] = name
        return name

    def fn(self, value) -> str:
        name = f"R{self.n_fns}"
        self.n_fns += 1
        self.ns[name] = value
        return name

    def tmp(self) -> str:
        self.counter += 1
        return f"_t{self.counter}"

    def slot_local(self, key) -> str:
        return f"f{self.c.slot_index[key]}"

    # --------------------------------------------------------- values
    def is_const(self, node) -> bool:
        return isinstance(node, (n.Number, n.Text, n.Bool, n.Date, n.DateTime)) or \
            (isinstance(node, n.Name) and self.a.binding(node)[0] == "symbol")

    def const_value(self, node):
        return self.c.const(node)

    def V(self, node, event: int | None = None) -> str:
        """Code for the value of ``node`` (None when missing or unknown)."""
        if self.is_const(node):
            return self.const(self.const_value(node))
        b = self.a.binding(node)
        if isinstance(node, n.Name):
            kind = b[0]
            if kind == "field":
                return self.slot_local(("field", b[1]))
            if kind == "record":
                return self.slot_local(("record", b[1], b[2]))
            if kind == "prop":
                return f"p{self.event_index(b[1])}_{self.c.prop_index[(b[1], b[2])]}"
            if kind == "let":
                expr = self.scope.lets[b[1]].expr
                if self.a.type_of(expr) == T.BOOL:
                    return self.V3(expr)
                return f"({self.V(expr)})"
            if kind == "lead":
                return self.lead_local(b[1])
            if kind == "metric":
                return self.metric(("metric", b[1], None, False))
            if kind == "event":
                return self.metric(("event", b[1], None, False))
            return "None"
        if isinstance(node, n.Windowed):
            if b[0] in ("metric", "event"):
                return self.metric((b[0], b[1], b[2], b[3]))
            return "None"
        if isinstance(node, n.Arith):
            return f"_arith({self.const(node.op)}, {self.V(node.left)}, {self.V(node.right)})"
        if isinstance(node, n.Neg):
            return f"_neg({self.V(node.operand)})"
        if self.a.type_of(node) == T.BOOL or isinstance(node, (n.BoolOp, n.Not, n.Compare, n.In, n.Between, n.Is,
                                                               n.TextOp, n.Has, n.Within, n.Then)):
            return self.V3(node)
        return "None"

    def V3(self, node) -> str:
        """The three-valued value of a condition: True, False or None."""
        return f"(True if {self.T(node)} else (False if {self.F(node)} else None))"

    # ----------------------------------------------------- conditions
    def T(self, node) -> str:
        return getattr(self, "t_" + type(node).__name__, self.t_value)(node, True)

    def F(self, node) -> str:
        return getattr(self, "t_" + type(node).__name__, self.t_value)(node, False)

    def t_value(self, node, pol):
        """A bool-typed value used as a condition (a bool field, a let of a value ...)."""
        v = self.V(node)
        return f"({v} is {'True' if pol else 'False'})"

    def t_Bool(self, node, pol):
        return "True" if node.value == pol else "False"

    def t_Name(self, node, pol):
        b = self.a.binding(node)
        if b[0] == "let":
            expr = self.scope.lets[b[1]].expr
            return f"({self.T(expr) if pol else self.F(expr)})"
        if b[0] == "lead":
            local = self.lead_local(b[1])
            return local if pol else f"(not {local})"
        return self.t_value(node, pol)

    def t_BoolOp(self, node, pol):
        parts = [self.T(o) if pol else self.F(o) for o in node.operands]
        joiner = " and " if (node.op == "and") == pol else " or "
        return "(" + joiner.join(parts) + ")"

    def t_Not(self, node, pol):
        return self.F(node.operand) if pol else self.T(node.operand)

    def _guarded(self, values: list[str], expr: str, pol: bool) -> str:
        guards = [f"{v} is not None" for v in values if not v.startswith("K")]
        body = expr if pol else f"not ({expr})"
        return "(" + " and ".join(guards + [body]) + ")"

    def _bind(self, code: str) -> tuple[str, str]:
        """(first use, later uses) of a value: a local stays a local, an expression gets a walrus."""
        if code.isidentifier() or code in ("None", "True", "False"):
            return code, code
        t = self.tmp()
        return f"({t} := {code})", t

    def member_key(self, t, use: str) -> str:
        """The folded name of a value: ordinals hold ranks, enums names, texts themselves."""
        if isinstance(t, T.OrdinalT):
            return f"_fold({self.const(t.members)}[{use}])"
        return f"_fold({use})" if isinstance(t, T.EnumT) else self.folded(use)

    def compare_expr(self, op, left, right) -> tuple[list[str], str]:
        """(values that must not be missing, comparison expression) for ``left op right``."""
        lt, rt = self.a.type_of(left), self.a.type_of(right)
        pyop = "==" if op == "=" else op
        member = (T.EnumT, T.OrdinalT)
        lconst, rconst = self.is_const(left), self.is_const(right)
        lm, rm = isinstance(lt, member), isinstance(rt, member)
        # a member against a constant: compare canonical members (enums) or ranks (ordinals)
        if lm and not rm and rconst:
            lfirst, luse = self._bind(self.V(left))
            return [lfirst], f"{luse} {pyop} {self.const(ip._member_value(lt, self.const_value(right)))}"
        if rm and not lm and lconst:
            rfirst, ruse = self._bind(self.V(right))
            return [rfirst], f"{self.const(ip._member_value(rt, self.const_value(left)))} {pyop} {ruse}"
        lfirst, luse = self._bind(self.V(left))
        rfirst, ruse = self._bind(self.V(right))
        # a member against a text value, or members of two different types: compare by name
        if (lm or rm) and not (isinstance(lt, T.OrdinalT) and isinstance(rt, T.OrdinalT) and lt.members == rt.members):
            return [lfirst, rfirst], f"{self.member_key(lt, luse)} {pyop} {self.member_key(rt, ruse)}"
        if lt == T.DYNAMIC and rt == T.DYNAMIC:
            return [lfirst, rfirst], f"_dyn_compare({self.const(op)}, {luse}, {ruse})"
        key = self.c.key_fn(lt) or self.c.key_fn(rt)
        if key is not None:
            def k(use):
                return self.folded(use) if key is fold else f"_dyn_key({use})"
            if rconst:
                c = self.const(key(self.const_value(right)))
                return [lfirst], f"{k(luse)} {pyop} {c}"
            if lconst:
                c = self.const(key(self.const_value(left)))
                return [rfirst], f"{c} {pyop} {k(ruse)}"
            return [lfirst, rfirst], f"{k(luse)} {pyop} {k(ruse)}"
        return [lfirst, rfirst], f"{luse} {pyop} {ruse}"

    def t_Compare(self, node, pol):
        values, expr = self.compare_expr(node.op, node.left, node.right)
        if pol and node.op == "=" and len(values) == 1 and values[0].isidentifier() and \
                re.fullmatch(rf"{values[0]} == K\d+", expr) and self.ns[expr.split()[-1]] is not None:
            return f"({expr})"  # a missing value (None) never equals a constant: no guard needed
        return self._guarded(values, expr, pol)

    def t_Between(self, node, pol):
        low = n.Compare("<=", node.low, node.value, node.span)
        high = n.Compare("<=", node.value, node.high, node.span)
        self.keep.extend((low, high))
        if pol:
            return f"({self.T(low)} and {self.T(high)})"
        return f"({self.F(low)} or {self.F(high)})"

    def t_In(self, node, pol):
        vt = self.a.type_of(node.value)
        keys, key = self.c.set_keys(vt, node.collection)
        first, use = self._bind(self.V(node.value))
        k = self.const(keys)
        kcall = use if key is None else self.folded(use) if key is fold else f"_dyn_key({use})"
        inside = (pol != node.negated)
        if inside and kcall == first and first.isidentifier() and None not in keys:
            return f"({first} in {k})"  # None is in no set: no guard needed
        return self._guarded([first], f"{kcall} {'in' if inside else 'not in'} {k}", True)

    def t_Is(self, node, pol):
        v = self.V(node.value)
        t = self.a.type_of(node.value)
        if isinstance(t, T.ListT):
            missing = f"(not {v})"
        elif t in (T.DYNAMIC, T.UNKNOWN):
            missing = f"_is_missing({v})"
        else:
            missing = f"({v} is None)"
        want_missing = node.what in ("missing", "empty")
        return missing if want_missing == pol else f"(not {missing})"

    def t_TextOp(self, node, pol):
        first, use = self._bind(self.V(node.value))
        if node.op == "matches":
            rx = self.a.regexes.get(id(node))
            if rx is None:
                return "False"
            r = self.const(rx)
            return self._guarded([first], f"{r}.search(_text_of({use})) is not None", pol)
        meth = {"contains": "__contains__", "starts with": "startswith", "ends with": "endswith"}[node.op]
        if self.is_const(node.pattern):
            c = self.const(fold(str(self.const_value(node.pattern))))
            return self._guarded([first], f"{self.folded(use)}.{meth}({c})", pol)
        pfirst, puse = self._bind(self.V(node.pattern))
        return self._guarded([first, pfirst], f"{self.folded(use)}.{meth}({self.folded(puse)})", pol)

    def t_Has(self, node, pol):
        lst = f"({self.V(node.value)} or ())"
        lt = self.a.type_of(node.value)
        elem = lt.element if isinstance(lt, T.ListT) else T.TEXT
        if node.mode == "one":
            member = isinstance(elem, (T.EnumT, T.OrdinalT))
            key = self.c.key_fn(elem) if not member else None
            if self.is_const(node.item):
                c = self.const_value(node.item)
                if member:
                    c = ip._member_value(elem, c)
                elif key is not None:
                    c = key(c)
                item = self.const(c)
            else:
                item = self.V(node.item)
                if key is not None:
                    item = f"(None if (_i := {item}) is None else {self.fn(key)}(_i))"
            call = f"_has_one({lst}, {item}, {self.const(key)})"
            return f"({call} is {'True' if pol else 'False'})"
        keys, key = self.c.set_keys(elem, node.item)
        helper = "_has_any" if node.mode == "any" else "_has_all"
        call = f"{helper}({lst}, {self.const(keys)}, {self.const(key)})"
        return call if pol else f"(not {call})"

    def t_Within(self, node, pol):
        first, use = self._bind(self.V(node.value))
        d = self.const(dt.timedelta(seconds=node.duration.seconds))
        return self._guarded([first], f"as_of - {d} < {use} <= as_of", pol)

    def t_Then(self, node, pol):
        e1, s1 = self.seq_source(node.first)
        e2, s2 = self.seq_source(node.second)
        if s1 is None or s2 is None:
            return "False" if pol else "True"
        same = e1 == e2
        if same:
            s1.ids = s2.ids = True
        seconds = self.const(node.duration.seconds) if node.duration is not None else "None"
        ia = f"{s1.name}_i" if same else "None"
        ib = f"{s2.name}_i" if same else "None"
        call = f"_sequence({s1.name}_t, {ia}, {s2.name}_t, {ib}, {seconds})"
        return call if pol else f"(not {call})"

    def seq_source(self, node):
        b = self.a.binding(node)
        if b[0] == "seq":
            where = node.where if isinstance(node, n.Filtered) else None
            return b[1], self.source(b[1], where)
        if b[0] == "seq_metric":
            agg = self.scope.metrics[b[1]].aggregate
            return agg.event, self.source(agg.event, agg.where)
        return None, None

    # ------------------------------------------------- events, metrics
    def event_index(self, event: str) -> int:
        return list(self.c.event_props).index(event)

    def source(self, event: str, where) -> _Source:
        key = (event, id(where) if where is not None else None)
        if key not in self.sources:
            self.sources[key] = _Source(len(self.sources), event, where)
        return self.sources[key]

    def metric(self, key: tuple) -> str:
        if key in self.metrics:
            name = self.metrics[key]
            return f"({name} if {name} is not _U else ({name} := {self._metric_expr(key)}))"
        name = f"m{len(self.metrics)}"
        self.metrics[key] = name
        return self.metric(key)

    def _metric_expr(self, key) -> str:
        kind, name, seconds, any_ = key
        if kind == "metric":
            agg = self.scope.metrics[name].aggregate
            func, src = agg.func, self.source(agg.event, agg.where)
            prop = self.c.prop_index.get((agg.event, agg.prop)) if agg.prop else None
        else:
            func, src, prop = "count", self.source(name, None), None
        if prop is not None:
            src.props.add(prop)
        ts = f"{src.name}_t"
        vals = f"{src.name}_v{prop}" if prop is not None else "None"
        secs = self.const(seconds) if seconds is not None else "None"
        if any_:
            if func == "count":
                return f"_best_count({ts}, {secs})"
            return f"_best_window({self.const(func)}, {ts}, {vals}, {secs})"
        if func == "count":
            if seconds is None:
                return f"len({ts})"
            return f"(len({ts}) - _bisect_right({ts}, as_of_us - {secs} * _US))"
        start = f"_window_start({ts}, as_of_us, {secs})" if seconds is not None else "0"
        return f"_aggregate({self.const(func)}, {ts}, {vals}, {start})"

    def lead_local(self, name: str) -> str:
        return f"L{list(self.scope.leads).index(name)}"

    # ---------------------------------------------------------- program
    def lead_order(self) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}

        def refs(node, seen_lets):
            for sub in n.walk(node):
                b = self.a.bindings.get(id(sub))
                if not b:
                    continue
                if b[0] == "lead":
                    yield b[1]
                elif b[0] == "let" and b[1] not in seen_lets:
                    seen_lets.add(b[1])
                    yield from refs(self.scope.lets[b[1]].expr, seen_lets)
                elif b[0] == "metric" and b[1] not in seen_lets:
                    seen_lets.add(b[1])
                    where = self.scope.metrics[b[1]].aggregate.where
                    if where is not None:
                        yield from refs(where, seen_lets)
        for start in self.scope.leads:
            if start in state:
                continue
            stack = [(start, iter(list(refs(self.scope.leads[start].expr, set()))))]
            state[start] = 1
            while stack:
                name, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    stack.pop()
                    state[name] = 2
                    order.append(name)
                elif nxt not in state:
                    state[nxt] = 1
                    stack.append((nxt, iter(list(refs(self.scope.leads[nxt].expr, set())))))
        return order

    def generate(self) -> str:
        leads = [(name, self.T(self.scope.leads[name].expr)) for name in self.lead_order()]
        # the wheres of every source, compiled in the event's context
        event_code = self.events_code()
        lines = ["    try:", "        get = record.get"]
        for i, slot in enumerate(self.c.slots):
            fn = read_text_key if f"f{i}" in self.prefolded else slot.reader
            reader = self.fn(fn)
            raw = f"get({self.const(slot.path[0])})" if len(slot.path) == 1 else \
                f"_path(record, {self.const(slot.path)})"
            lines.extend("        " + line for line in self.read_code(f"f{i}", fn, reader, raw))
        lines.extend("        " + line for line in event_code)
        lines.append("    except (_BadValue, AttributeError, TypeError):")
        lines.append("        return _SLOW(record, as_of, extra)")  # raises the DataError, with its message
        for name in self.metrics.values():
            lines.append(f"    {name} = _U")
        for name, code in leads:
            lines.append(f"    {self.lead_local(name)} = {code}")  # T(...) is always a bool
        lines.append("    r = _Result()")
        for name in self.scope.leads:
            lines.append(f"    r[{self.const(name)}] = {self.lead_local(name)}")
        if self.scope.stages:
            lines.append("    stage = None")
            for s in self.scope.stages:
                lines.append(f"    if {self.lead_local(s)}:")
                lines.append(f"        stage = {self.const(s)}")
            lines.append("    r['stage'] = stage")
        body = "\n".join(lines) + "\n"
        # globals become default arguments: fast locals instead of dict look-ups
        used = sorted(set(re.findall(r"\b(K\d+|R\d+|_[A-Za-z][A-Za-z0-9_]*)\b", body)) & (set(self.ns) | _HOOKS))
        params = "".join(f", {name}={name}" for name in used)
        # two entry points: one keeps the record for explain(), the bulk one does not (holding
        # every record makes the garbage collector's passes slower)
        return (f"def _evaluate(record, as_of, as_of_us, extra, ctx{params}):\n" + body +
                "    r._ctx = ctx\n    r._rec = record\n    return r\n\n\n" +
                f"def _evaluate_bulk(record, as_of, as_of_us, extra, ctx{params}):\n" + body + "    return r\n")

    def read_code(self, local: str, fn, reader: str, raw: str) -> list[str]:
        """Read one value; common spellings skip the reader call (same result, checked by
        the property tests): exact enum/ordinal members, plain ints."""
        exact = getattr(fn, "exact", None)
        if exact is not None:
            table = self.const(exact)
            return [f"{local} = {raw}",
                    f"{local} = {table}.get({local}, _U) if {local}.__class__ is str else _U if {local} is not None else None",
                    f"if {local} is _U:",
                    f"    {local} = {reader}({raw})"]
        if fn is read_text_key:
            return [f"{local} = {raw}",
                    f"if {local}.__class__ is str and {local}.isascii():",
                    f"    {local} = {local}.strip().lower()",
                    f"    if len({local}) <= 4 and {local} in _MISSING:",
                    f"        {local} = None",
                    "else:",
                    f"    {local} = {reader}({local})"]
        if fn is read_number:
            return [f"{local} = {raw}",
                    f"if {local}.__class__ is not int:",
                    f"    {local} = {reader}({local})"]
        return [f"{local} = {reader}({raw})"]

    def events_code(self) -> list[str]:
        if not self.c.event_props:
            return []
        for src in self.sources.values():
            if src.where is not None and self._reaches_leads_or_metrics(src.where):
                raise Unsupported("a `where` that uses a lead or a metric")
        # compile every where first: this may add sources (never: wheres hold no aggregates)
        wheres = {}
        for key, src in list(self.sources.items()):
            if src.where is not None:
                wheres[key] = self.T(src.where)
        out = ["evs = get('events')",
               "if evs is not None and evs.__class__ is not list and evs.__class__ is not tuple:",
               "    raise _BadValue(evs, 'events')",
               "if extra:",
               "    evs = list(evs or ()) + list(extra)"]
        for src in self.sources.values():
            out.append(f"{src.name} = []")
        types = {}
        for k, name in enumerate(self.c.event_props):
            types[name] = k
            types[fold(name)] = k
        out.append(f"_types = {self.const(types)}")
        out += ["if evs:",
                "    for idx, e in enumerate(evs, 1):",
                "        t = e.get('type')",
                "        if t.__class__ is not str:",
                "            continue",
                "        k = _types.get(t)",
                "        if k is None:",
                "            k = _types.get(_fold(t))",
                "            if k is None:",
                "                continue",
                "        ts = e.get('ts')",
                "        try:",
                "            ts = (_fromiso(ts) - _EPOCH) // _ONE_US",
                "        except (ValueError, TypeError):",
                "            ts = _ts_us(ts)",
                "        if ts > as_of_us:",
                "            continue"]
        first = True
        for k, (name, props) in enumerate(self.c.event_props.items()):
            out.append(f"        {'if' if first else 'elif'} k == {k}:")
            first = False
            body = []
            for j, (prop, reader, _t) in enumerate(props):
                if f"p{k}_{j}" in self.prefolded:
                    reader = read_text_key
                body.append(f"p{k}_{j} = {self.fn(reader)}(e.get({self.const(prop)}))")
            for key, src in self.sources.items():
                if src.event != name:
                    continue
                if src.tuples:
                    item = "(ts, idx" + "".join(f", p{k}_{j}" for j in sorted(src.props)) + ")"
                else:
                    item = "ts"
                if src.where is not None:
                    body.append(f"if {wheres[key]}:")
                    body.append(f"    {src.name}.append({item})")
                else:
                    body.append(f"{src.name}.append({item})")
            if not body:
                body.append("pass")
            out.extend("            " + line for line in body)
        for src in self.sources.values():
            out.append(f"{src.name}.sort()")
            if src.tuples:
                out.append(f"{src.name}_t = [x[0] for x in {src.name}]")
                if src.ids:
                    out.append(f"{src.name}_i = [x[1] for x in {src.name}]")
                for pos, j in enumerate(sorted(src.props)):
                    out.append(f"{src.name}_v{j} = [x[{pos + 2}] for x in {src.name}]")
            else:
                out.append(f"{src.name}_t = {src.name}")
        return out


    def _reaches_leads_or_metrics(self, node, seen=None) -> bool:
        seen = seen if seen is not None else set()
        for sub in n.walk(node):
            b = self.a.bindings.get(id(sub))
            if not b:
                continue
            if b[0] in ("lead", "metric", "event", "seq", "seq_metric"):
                return True
            if b[0] == "let" and b[1] not in seen:
                seen.add(b[1])
                if self._reaches_leads_or_metrics(self.scope.lets[b[1]].expr, seen):
                    return True
        return False


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def generate(analysis: Analysis, closures: ip.Compiler, hooks: dict) -> tuple[object, object, str]:
    """The fast evaluation functions (keeping the record, bulk) and their source. ``hooks``
    supplies ``_SLOW`` (the closure path) and ``_Result``."""
    assert set(hooks) == _HOOKS
    gen = CodeGen(analysis, closures)
    source = gen.generate()
    gen.ns.update(hooks)
    code = compile(source, "<leaddsl generated>", "exec")
    exec(code, gen.ns)  # noqa: S102 - the source is ours; definitions reach it only as K<n> constants
    return gen.ns["_evaluate"], gen.ns["_evaluate_bulk"], source
