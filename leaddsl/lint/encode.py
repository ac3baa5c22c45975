"""Conditions as z3 formulas, honest about missing values (SPEC section 4).

Every boolean expression becomes a :class:`Cond`, a pair of z3 Booleans
``(t, f)``: ``t`` holds exactly when the expression is *true*, ``f`` when it
is *false*; neither means *unknown*. Every value becomes a :class:`Val`: a z3
term and a Boolean ``present`` (the value is not missing).

The variables, one per thing a record or its events can hold:

* a field, a schemaless record key or an event property: a variable of its
  type (``Real`` for numbers and datetimes, ``Int`` days for dates, an ``Int``
  rank for ordinals and index for enums, both bounded; an ``Int`` *key* for
  text, where every folded text literal is a distinct constant; a ``Bool`` for
  bools) and a ``Bool`` ``present``;
* a list field: a ``Bool`` ``empty`` and, for every literal it is tested
  with, a ``Bool`` member (a member implies not empty); lists are never unknown;
* an event count or metric per window: ``count``/``days`` a non-negative
  ``Int``, related across windows only where that is sound (see
  ``_relate_windows``); ``sum`` a ``Real``; ``min``/``max``/``first``/``last``
  an optional value; ``as_of`` a ``Real``.

A lead name used in an expression is two-valued (``t`` of its definition); a
``let`` name passes its three-valued value through. Whatever is not modelled
(``matches``, ``contains``, arithmetic, sequences, values of unknown type)
becomes a fresh variable keyed by the expression's structure, so that the same
expression read twice has the same value; where the interpreter returns
unknown exactly when an operand is missing, the fresh Boolean is gated by the
operands' presence. The encoding therefore over-approximates the interpreter:
every record has a model, so an unsatisfiable query is a proof about every
record, and the linter never calls a satisfiable definition impossible.
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from fractions import Fraction

import z3

from .. import nodes as n
from .. import types as T
from ..check import EventCount, FieldRef, LeadRef, LetRef, MetricRef, PropRef, RecordRef, SymbolRef, set_literal
from ..logic import fold
from .terms import AND, FALSE, NOT, OR, TRUE, real, seconds_of
from .terms import rel as _rel

__all__ = ["Encoder", "Cond", "Val", "VarInfo", "AND", "OR", "NOT", "TRUE", "FALSE", "real", "seconds_of"]

_ORDERED = ("<", "<=", ">", ">=")


# -------------------------------------------------------------- encodings ----
class Cond:
    """A condition: ``t`` true, ``f`` false, neither unknown."""
    __slots__ = ("t", "f", "vars", "tests")

    def __init__(self, t, f, vars=frozenset(), tests=False):
        self.t = t
        self.f = f
        self.vars = vars    # keys of every variable it reads (see Encoder.info)
        self.tests = tests  # it tests presence (`is missing`...), here or below

    @property
    def unknown(self):
        return AND(NOT(self.t), NOT(self.f))

    @property
    def present(self):
        return OR(self.t, self.f)


class Val:
    """A value. ``kind``: num time rank enum text bool list opaque lit symbol."""
    __slots__ = ("kind", "term", "present", "vars", "tests", "type", "lit")

    def __init__(self, kind, term=None, present=TRUE, vars=frozenset(), tests=False, type=None, lit=None):
        self.kind = kind
        self.term = term
        self.present = present
        self.vars = vars
        self.tests = tests
        self.type = type  # EnumT/OrdinalT for enum/rank, the list key for list
        self.lit = lit    # the literal node, or the symbol's name


@dataclass
class VarInfo:
    key: tuple
    label: str       # how a message names it: `revenue`, `page_view.page_category`
    present: object  # z3 Bool, TRUE for values that are never missing
    assumable: bool  # "when its fields are present" may assume it


class Encoder:
    """Encodes the checked program: ``cond(node)`` / ``val(node)``, memoized by node."""

    def __init__(self, analysis):
        self.a = analysis
        self.scope = analysis.scope
        self.memo: dict[int, Cond | Val] = {}
        self.info: dict[tuple, VarInfo] = {}
        self.axioms: list = []
        self._vals: dict[tuple, Val] = {}
        self._opaque: dict[tuple, object] = {}
        self._opaque_ids: dict[tuple, int] = {}
        self._texts: dict[str, int] = {}
        self._lists: dict[tuple, dict] = {}
        self._windows: dict[tuple, list] = {}
        self._shared: dict[tuple, object] = {}
        self._n = itertools.count()
        self.ctx: str | None = None  # the event whose `where` is being encoded
        self.as_of = z3.Real("as_of")

    # ---------------------------------------------------------- public
    def cond(self, node) -> Cond:
        key = id(node)
        c = self.memo.get(key)
        if c is None:
            c = self._encode(node)
            self.memo[key] = c
        return self.as_cond(c, node)

    def val(self, node) -> Val:
        key = id(node)
        v = self.memo.get(key)
        if v is None:
            v = self._encode(node)
            self.memo[key] = v
        return self.as_val(v)

    def presence(self, vars) -> object:
        """The assumption "every value it reads is present"."""
        return AND(*[self.info[k].present for k in sorted(vars, key=repr)
                     if k in self.info and self.info[k].assumable])

    def assumable(self, vars) -> list[VarInfo]:
        return sorted((self.info[k] for k in vars if k in self.info and self.info[k].assumable),
                      key=lambda i: i.label)

    def field_val(self, name: str) -> Val:
        """The variables of a declared field (tests use this to pin a record)."""
        info = self.scope.fields[name]
        return self._typed(("field", name), name, info.type, path=info.path)

    # ----------------------------------------------------- conversions
    def as_cond(self, x, node=None) -> Cond:
        if isinstance(x, Cond):
            return x
        if x.kind == "bool":
            return Cond(AND(x.present, x.term), AND(x.present, NOT(x.term)), x.vars, x.tests)
        if x.kind == "lit" and isinstance(x.lit, n.Bool):
            return Cond(TRUE, FALSE) if x.lit.value else Cond(FALSE, TRUE)
        # not a condition (the checker rejects this): anything at all
        return self._opaque3(("cond", node), x.vars, x.tests)

    def as_val(self, x) -> Val:
        if isinstance(x, Val):
            return x
        return Val("bool", x.t, x.present, x.vars, x.tests)

    # ------------------------------------------------------ variables
    def _fresh(self, sort: str, label: str):
        name = f"{label}#{next(self._n)}"
        return {"real": z3.Real, "int": z3.Int, "bool": z3.Bool}[sort](name)

    def _register(self, key, label, present, assumable=True):
        if key not in self.info:
            self.info[key] = VarInfo(key, label, present, assumable)

    def _typed(self, key: tuple, label: str, t: T.Type, optional: bool = True, path=None) -> Val:
        """The variables of one record value (field, record key, property) of type t;
        ``path``: where a field or record key is read (shares its presence)."""
        if key in self._vals:
            return self._vals[key]
        vars = frozenset([key])
        if isinstance(t, T.ListT):  # never missing: an absent list is the empty list
            empty = self._fresh("bool", "empty:" + label)
            self._lists[key] = {"empty": empty, "elem": t.element, "label": label, "members": {}}
            self._register(key, label, NOT(empty), True)
            v = self._vals[key] = Val("list", None, NOT(empty), vars, type=key)
            return v
        if path is not None:
            # one column read as several types (a schemaless key in text and number
            # mode, two fields `from` one column) is missing in all or none of them:
            # every scalar reader takes null, absent and the missing markers for missing
            present = self._shared.get(path)
            if present is None:
                present = self._shared[path] = self._fresh("bool", "present:" + label)
        else:
            present = self._fresh("bool", "present:" + label) if optional else TRUE
        self._register(key, label, present, optional)
        if t == T.NUMBER:
            v = Val("num", self._fresh("real", label), present, vars)
        elif t == T.DATETIME:
            v = Val("time", self._fresh("real", label), present, vars)
        elif t == T.DATE:
            days = self._fresh("int", label)
            v = Val("time", z3.ToReal(days) * 86400, present, vars)
        elif t == T.TEXT:
            v = Val("text", self._fresh("int", label), present, vars)
        elif t == T.BOOL:
            v = Val("bool", self._fresh("bool", label), present, vars)
        elif isinstance(t, (T.EnumT, T.OrdinalT)):
            x = self._fresh("int", label)
            self.axioms.append(z3.And(x >= 0, x < len(t.members)))
            v = Val("rank" if isinstance(t, T.OrdinalT) else "enum", x, present, vars, type=t)
        else:  # a schemaless value read as it is, or a type we do not model
            v = Val("opaque", None, present, vars)
        self._vals[key] = v
        return v

    def _text_key(self, text: str):
        k = fold(text)
        if k not in self._texts:
            self._texts[k] = len(self._texts)
        return z3.IntVal(self._texts[k])

    def _member(self, lkey, item):
        """The Boolean "the list holds this item" (item: a folded/normalized key)."""
        lst = self._lists[lkey]
        m = lst["members"].get(item)
        if m is None:
            elem = lst["elem"]
            if isinstance(elem, T.EnumT) and item not in {("s", fold(x)) for x in elem.members}:
                m = FALSE
            elif isinstance(elem, T.OrdinalT) and not (item[0] == "r" and 0 <= item[1] < len(elem.members)):
                m = FALSE
            else:
                m = self._fresh("bool", f"has:{lst['label']}")
                self.axioms.append(z3.Implies(m, z3.Not(lst["empty"])))
            lst["members"][item] = m
        return m

    def _item_key(self, elem: T.Type, node):
        """The member key of a constant item (a literal or a symbol), else None."""
        if isinstance(node, n.Name):
            if not isinstance(self.a.binding(node), SymbolRef):
                return None  # a field, let...: not a constant
            value = node.name
        elif isinstance(node, n.LITERALS):
            value = node.value
        else:
            return None
        if isinstance(elem, T.OrdinalT):
            k = fold(str(value))
            for i, m in enumerate(elem.members):
                if fold(m) == k:
                    return ("r", i)
            return ("r", -1)
        if elem == T.NUMBER:
            return ("n", Fraction(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
        if elem in (T.DATE, T.DATETIME):
            return ("t", seconds_of(value)) if isinstance(value, (dt.date, dt.datetime)) else None
        if elem == T.BOOL:
            return ("b", value) if isinstance(value, bool) else None
        if isinstance(value, str):
            return ("s", fold(value))
        return None

    def _metric(self, kind: str, name: str, seconds, any_) -> Val:
        key = (kind, name, seconds, any_)
        if key in self._vals:
            return self._vals[key]
        # windows of one source are related by axioms: they share a variable key
        vars = frozenset([key, ("events", kind, name)])
        label = name + (f"({'any ' if any_ else ''}{_dur(seconds)})" if seconds is not None else "")
        if kind == "event":
            func, t = "count", T.NUMBER
        else:
            decl = self.scope.metrics.get(name)
            if decl is None:
                return Val("opaque", None, TRUE, vars)
            func = decl.aggregate.func
            t = self.a.metric_types.get(name, T.UNKNOWN)
        if func in ("count", "days"):
            x = self._fresh("int", label)
            self.axioms.append(x >= 0)
            self._register(key, label, TRUE, False)
            v = Val("num", z3.ToReal(x), TRUE, vars)
            self._relate_windows((kind, name, func), seconds, any_, x)
        elif func == "sum":
            x = self._fresh("real", label)
            if any_:
                self.axioms.append(x >= 0)  # the best window is never below an empty one
            self._register(key, label, TRUE, False)
            v = Val("num", x, TRUE, vars)
        elif func in ("min", "max", "first", "last") and (t == T.NUMBER or T.is_temporal(t)):
            present = self._fresh("bool", "present:" + label)
            self._register(key, label, present, True)
            if t == T.DATE:
                x = z3.ToReal(self._fresh("int", label)) * 86400
            else:
                x = self._fresh("real", label)
            if func in ("first", "last"):  # event times are at or before the as-of time
                self.axioms.append(z3.Implies(present, x <= self.as_of))
                if seconds is not None:
                    self.axioms.append(z3.Implies(present, x > self.as_of - seconds))
            v = Val("num" if t == T.NUMBER else "time", x, present, vars)
        else:
            v = Val("opaque", None, TRUE, vars)
        self._vals[key] = v
        return v

    def _relate_windows(self, source, seconds, any_, x):
        """Sound relations between windows of one count/days source.

        ``(d)`` counts events in ``(as_of - d, as_of]``, so it grows with d and
        stays below the whole history. ``(any d)`` is the best window of length
        d ending at or before the as-of time: at least the plain ``(d)``
        window, at most the whole history, growing with d, and at least 1
        exactly when there is any event at all.
        """
        fam = self._windows.setdefault(source, [])

        def le(a, b):  # a <= b always?
            (da, aa), (db, ab) = a, b
            if db is None and not ab:
                return True                      # everything <= all history
            if da is None and not aa:
                return False                     # all history <= only all history
            if db is None:
                return False
            return da <= db and (ab or not aa)   # plain d1 <= plain/any d2; any d1 <= any d2

        me = (seconds, any_)
        for (s2, a2, y) in fam:
            other = (s2, a2)
            if le(me, other):
                self.axioms.append(x <= y)
            if le(other, me):
                self.axioms.append(y <= x)
            if any_ and s2 is None and not a2:
                self.axioms.append((x >= 1) == (y >= 1))
            if a2 and seconds is None and not any_:
                self.axioms.append((y >= 1) == (x >= 1))
        fam.append((seconds, any_, x))

    # ------------------------------------------------------- opaque
    def _skey(self, node):
        """The structural key of an expression: equal text, equal value (per event context)."""
        return (node, self.ctx)

    def _opaque_bool(self, key, label="opaque"):
        b = self._opaque.get(key)
        if b is None:
            b = self._opaque[key] = self._fresh("bool", label)
        return b

    def _okey(self, key) -> tuple:
        """The variable key of an opaque expression (shared by equal expressions)."""
        ids = self._opaque_ids
        if key not in ids:
            ids[key] = len(ids)
        return ("opaque", ids[key])

    def _opaque_pres(self, node, present, vars, tests, label="opaque") -> Cond:
        """Unknown exactly when an operand is missing; otherwise some truth value."""
        key = ("pres", self._skey(node))
        b = self._opaque_bool(key, label)
        return Cond(AND(present, b), AND(present, NOT(b)), vars | {self._okey(key)}, tests)

    def _opaque2(self, node, vars, tests, label="opaque") -> Cond:
        key = ("two", self._skey(node))
        b = self._opaque_bool(key, label)
        return Cond(b, NOT(b), vars | {self._okey(key)}, tests)

    def _opaque3(self, node, vars, tests) -> Cond:
        key = ("three", self._skey(node))
        pair = self._opaque.get(key)
        if pair is None:
            t, f = self._fresh("bool", "t"), self._fresh("bool", "f")
            self.axioms.append(z3.Not(z3.And(t, f)))
            pair = self._opaque[key] = (t, f)
        return Cond(pair[0], pair[1], vars | {self._okey(key)}, tests)

    # ------------------------------------------------------ dispatch
    def _encode(self, node):
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            return self._opaque3(node, frozenset(), False)
        return method(node)

    # literals
    def e_Number(self, node):
        return Val("lit", real(node.value), lit=node)

    def e_Text(self, node):
        return Val("lit", lit=node)

    def e_Bool(self, node):
        return Cond(TRUE, FALSE) if node.value else Cond(FALSE, TRUE)

    def e_Date(self, node):
        return Val("lit", real(seconds_of(node.value)), lit=node)

    e_DateTime = e_Date

    def e_SetLit(self, node):
        return Val("opaque", None, TRUE)

    def e_Name(self, node):
        b = self.a.binding(node)
        if isinstance(b, FieldRef):
            info = self.scope.fields.get(b.name)
            if info is None:
                return Val("opaque")
            return self._typed(("field", b.name), b.name, info.type, path=info.path)
        if isinstance(b, RecordRef):
            mode = self.a.mode_of(node)
            return self._typed(("record", b.path, mode), ".".join(b.path), mode, path=tuple(b.path))
        if isinstance(b, PropRef):
            t = b.type if b.type != T.DYNAMIC else self.a.mode_of(node)
            return self._typed(("prop", b.event, b.prop), b.prop, t)
        if isinstance(b, LetRef):
            decl = self.scope.lets[b.name]
            key = id(decl.expr)
            x = self.memo.get(key)
            if x is None:
                saved, self.ctx = self.ctx, None
                x = self.memo[key] = self._encode(decl.expr)
                self.ctx = saved
            return x
        if isinstance(b, LeadRef):
            c = self.lead(b.name)
            return Cond(c.t, NOT(c.t), c.vars, c.tests)
        if isinstance(b, MetricRef):
            return self._metric("metric", b.name, b.seconds, b.any)
        if isinstance(b, EventCount):
            return self._metric("event", b.event, b.seconds, b.any)
        if isinstance(b, SymbolRef):
            return Val("symbol", lit=node.name)
        return self._opaque3(node, frozenset(), False)

    def lead(self, name: str) -> Cond:
        decl = self.scope.leads[name]
        saved, self.ctx = self.ctx, None
        c = self.cond(decl.expr)
        self.ctx = saved
        return c

    def e_Windowed(self, node):
        b = self.a.binding(node)
        if isinstance(b, MetricRef):
            return self._metric("metric", b.name, b.seconds, b.any)
        if isinstance(b, EventCount):
            return self._metric("event", b.event, b.seconds, b.any)
        return Val("opaque", None, TRUE)

    # logic
    def e_BoolOp(self, node):
        cs = [self.cond(o) for o in node.operands]
        vars = frozenset().union(*(c.vars for c in cs))
        tests = any(c.tests for c in cs)
        if node.op == "and":
            return Cond(AND(*[c.t for c in cs]), OR(*[c.f for c in cs]), vars, tests)
        return Cond(OR(*[c.t for c in cs]), AND(*[c.f for c in cs]), vars, tests)

    def e_Not(self, node):
        c = self.cond(node.operand)
        return Cond(c.f, c.t, c.vars, c.tests)

    # comparisons
    def e_Compare(self, node):
        return self.compare(node.op, self.val(node.left), self.val(node.right), node)

    def compare(self, op, lv: Val, rv: Val, node) -> Cond:
        present = AND(lv.present, rv.present)
        vars = lv.vars | rv.vars
        tests = lv.tests or rv.tests
        pair = self._common(lv, rv)
        if pair is None or (op in _ORDERED and pair[2] in ("enum", "text", "bool")):
            return self._opaque_pres(node, present, vars, tests, "cmp")
        a, b, _ = pair
        rel = _rel(op, a, b)
        return Cond(AND(present, rel), AND(present, NOT(rel)), vars, tests)

    def _common(self, lv: Val, rv: Val):
        """Both sides as terms of one domain, or None when we do not model it."""
        domains = ("num", "time", "rank", "enum", "text", "bool")
        if lv.kind in domains:
            r = self._as(lv, rv)
            return None if r is None else (lv.term, r, lv.kind)
        if rv.kind in domains:
            left = self._as(rv, lv)
            return None if left is None else (left, rv.term, rv.kind)
        if lv.kind == "lit" and rv.kind == "lit" and isinstance(lv.lit, n.Number) and isinstance(rv.lit, n.Number):
            return lv.term, rv.term, "num"
        return None

    def _as(self, dom: Val, other: Val):
        """``other`` as a term of ``dom``'s domain, or None."""
        k = dom.kind
        if other.kind == k:
            if k in ("rank", "enum") and dom.type.members != other.type.members:
                return None
            return other.term
        if other.kind not in ("lit", "symbol"):
            return None
        lit = other.lit
        if k == "num":
            return other.term if isinstance(lit, n.Number) else None
        if k == "time":
            return other.term if isinstance(lit, (n.Date, n.DateTime)) else None
        if k == "bool":
            return (TRUE if lit.value else FALSE) if isinstance(lit, n.Bool) else None
        text = lit if isinstance(lit, str) else lit.value if isinstance(lit, n.Text) else None
        if text is None:
            return None
        if k == "text":
            return self._text_key(text)
        folded = fold(text)
        for i, m in enumerate(dom.type.members):
            if fold(m) == folded:
                return z3.IntVal(i)
        return z3.IntVal(-1) if k == "enum" else None

    def e_Between(self, node):
        v = self.val(node.value)
        low = self.compare("<=", self.val(node.low), v, ("low", node))
        high = self.compare("<=", v, self.val(node.high), ("high", node))
        return Cond(AND(low.t, high.t), OR(low.f, high.f), low.vars | high.vars, low.tests or high.tests)

    def _set_items(self, node):
        lit = set_literal(self.a, node)
        return lit.items if lit is not None else None

    def e_In(self, node):
        v = self.val(node.value)
        items = self._set_items(node.collection)
        if items is None or v.kind not in ("num", "time", "rank", "enum", "text", "bool"):
            return self._opaque_pres(node, v.present, v.vars, v.tests, "in")
        terms = []
        for item in items:
            x = self.val(item)
            term = self._as(v, x)
            if term is not None:
                terms.append(term)
            elif not (v.kind == "rank" and x.kind in ("lit", "symbol")):  # a non-member rank never matches
                return self._opaque_pres(node, v.present, v.vars, v.tests, "in")
        member = OR(*[_rel("=", v.term, t) for t in terms])
        if node.negated:
            member = NOT(member)
        return Cond(AND(v.present, member), AND(v.present, NOT(member)), v.vars, v.tests)

    def e_Is(self, node):
        x = self.memo.get(id(node.value))
        if x is None:
            x = self.memo[id(node.value)] = self._encode(node.value)
        present = x.present
        if node.what in ("missing", "empty"):
            present = NOT(present)
        return Cond(present, NOT(present), x.vars, True)

    def e_TextOp(self, node):
        v = self.val(node.value)
        p = self.val(node.pattern)
        return self._opaque_pres(node, AND(v.present, p.present), v.vars | p.vars, v.tests or p.tests, node.op)

    def e_Has(self, node):
        lv = self.val(node.value)
        if lv.kind != "list":
            return self._opaque3(node, lv.vars, lv.tests)
        elem = self._lists[lv.type]["elem"]
        if node.mode == "one":
            key = self._item_key(elem, node.item)
            if key is None:
                item = self.val(node.item)
                return self._opaque_pres(node, item.present, lv.vars | item.vars, lv.tests or item.tests, "has")
            m = self._member(lv.type, key)
            return Cond(m, NOT(m), lv.vars, lv.tests)
        items = self._set_items(node.item)
        keys = [self._item_key(elem, i) for i in items] if items is not None else [None]
        if any(k is None for k in keys):
            return self._opaque3(node, lv.vars, lv.tests)
        ms = [self._member(lv.type, k) for k in keys]
        t = OR(*ms) if node.mode == "any" else AND(*ms)
        return Cond(t, NOT(t), lv.vars, lv.tests)

    def e_Within(self, node):
        v = self.val(node.value)
        if v.kind != "time" or not isinstance(node.duration, n.Duration):
            return self._opaque_pres(node, v.present, v.vars, v.tests, "within")
        rel = AND(_rel("<", self.as_of - node.duration.seconds, v.term), _rel("<=", v.term, self.as_of))
        return Cond(AND(v.present, rel), AND(v.present, NOT(rel)), v.vars, v.tests)

    def e_Then(self, node):
        return self._opaque2(node, frozenset(), False, "then")

    def e_Arith(self, node):
        lv, rv = self.val(node.left), self.val(node.right)
        both = AND(lv.present, rv.present)
        if node.op == "/":  # division by zero is missing
            key = ("div", self._skey(node))
            present = self._opaque_bool(key, "present:div")
            if key not in self._opaque_ids:
                self.axioms.append(z3.Implies(present, both))
            extra = {self._okey(key)}
        else:
            present, extra = both, set()
        return Val("opaque", None, present, lv.vars | rv.vars | extra, lv.tests or rv.tests)

    def e_Neg(self, node):
        v = self.val(node.operand)
        if v.kind == "num":
            return Val("num", -v.term, v.present, v.vars, v.tests)
        return Val("opaque", None, v.present, v.vars, v.tests)

    def e_Filtered(self, node):
        return self._opaque3(node, frozenset(), False)

    def e_Duration(self, node):
        return Val("opaque", None, TRUE)


def _dur(seconds) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
