"""The plan as z3 formulas, honest about missing values (SPEC section 4).

The linter translates the plan (``plan.lower_all``: every declaration lowered),
as the generated evaluator does: how each value is read (a slot and its type, a
property), how comparisons key their sides (folded text, member names and
ranks, with the constants already keyed), sets resolved through lets, sources
and windows, lets shared — all decided once in :mod:`leaddsl.runtime.plan`. The
connectives are :mod:`leaddsl.logic`'s true/false pair combinators over z3.

Every condition becomes a :class:`Cond`, a pair of z3 Booleans ``(t, f)``:
``t`` holds exactly when it is *true*, ``f`` when it is *false*; neither means
*unknown*. Every value becomes a :class:`Val`: a z3 term and a Boolean
``present`` (the value is not missing).

The variables, one per thing a record or its events can hold:

* a slot (a field, a schemaless record key in one read mode) or an event
  property: a variable of its type (``Real`` for numbers and datetimes, ``Int``
  days for dates, an ``Int`` rank for ordinals and index for enums, both
  bounded; an ``Int`` *key* for text, the folded text, where every folded text
  constant is a distinct constant; a ``Bool`` for bools) and a ``Bool``
  ``present``, shared by every slot that reads one column;
* a list: a ``Bool`` ``empty`` and, for every key it is tested with, a ``Bool``
  member (a member implies not empty); lists are never unknown;
* an aggregate (per source and window): ``count``/``days`` a non-negative
  ``Int``, related across windows of one source only where that is sound (see
  ``_relate_windows``); ``sum`` a ``Real``; ``min``/``max``/``first``/``last``
  an optional value; ``as_of`` a ``Real``.

A lead used in a condition is two-valued (``t`` of its body); a let passes its
three-valued value through (one encoding per read mode, as the plan lowers it).
Whatever is not modelled (``matches``, ``contains``, dynamic comparisons,
arithmetic, sequences, values of unknown type) becomes a fresh variable keyed
by the plan node's shape, so that the same expression read twice has the same
value; where the evaluator returns unknown exactly when an operand is missing,
the fresh Boolean is gated by the operands' presence. The encoding therefore
over-approximates the evaluator: every record has a model, so an
unsatisfiable query is a proof about every record, and the linter never calls
a satisfiable definition impossible.

The lint rules walk the AST (for spans and text); :meth:`Encoder.cond` maps an
AST condition to the plan node lowered from it (``Plan.lowered``).

Here: the :class:`Encoder` (its public face, the opaque variables and the values
and conditions computed from others); the encodings and the variables of the
record's values are in ``encode_vars.py``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import re

import z3

from ..runtime import plan as P
from ..logic import OPS, and_tf, fold, not_tf, or_tf, test_tf
from . import outputs
from .encode_vars import Cond, Val, Variables, VarInfo
from .terms import AND, FALSE, NOT, OR, TRUE, real, seconds_of
from .terms import rel as _rel

__all__ = ["Encoder", "Cond", "Val", "VarInfo", "AND", "OR", "NOT", "TRUE", "FALSE", "real", "seconds_of"]

_ORDERED = ("<", "<=", ">", ">=")
_DOMAINS = ("num", "time", "rank", "enum", "text", "bool")


def _and(xs):
    return AND(*xs)


def _or(xs):
    return OR(*xs)


_FIELDS: dict[type, tuple[str, ...]] = {}


class Encoder(Variables):
    """Encodes a plan: ``cond(ast_node)`` (through ``plan.lowered``), ``enc(plan_node)``,
    memoized by plan node."""

    def __init__(self, plan: P.Plan):
        self.plan = plan
        self.fields = plan.analysis.scope.fields  # names a field's slot as messages and tests do
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
        self._shapes: dict[int, object] = {}
        self._n = itertools.count()
        self.as_of = z3.Real("as_of")

    # ---------------------------------------------------------- public
    def node_of(self, ast):
        """The plan node lowered from an AST condition: a let read in several modes
        is lowered once per mode, and only one of them (as a condition) is one."""
        found = self.plan.lowered.get(id(ast))
        if not found:
            return None
        for x in found:
            if isinstance(x, P.CONDITIONS) or isinstance(x, P.LetUse) and isinstance(x.let.body, P.CONDITIONS):
                return x
        return found[-1]

    def cond(self, ast) -> Cond:
        """The encoding of an AST condition (a lint root or a clause below one)."""
        x = self.node_of(ast)
        if x is None:  # nothing lowered from it: anything at all
            return self._opaque3(("ast", id(ast)), frozenset(), False)
        return self.as_cond(self.enc(x), x)

    def lead(self, name: str) -> Cond:
        return self.as_cond(self.enc(self.plan.leads[name].body))

    def enc(self, x) -> Cond | Val:
        key = id(x)
        c = self.memo.get(key)
        if c is None:
            c = self.memo[key] = getattr(self, "e_" + x.__class__.__name__)(x)
        return c

    def val(self, x) -> Val:
        return self.as_val(self.enc(x))

    def tf(self, x) -> Cond:
        return self.as_cond(self.enc(x), x)

    def presence(self, vars) -> object:
        """The assumption "every value it reads is present"."""
        return AND(*[self.info[k].present for k in sorted(vars, key=repr)
                     if k in self.info and self.info[k].assumable])

    def assumable(self, vars) -> list[VarInfo]:
        return sorted((self.info[k] for k in vars if k in self.info and self.info[k].assumable),
                      key=lambda i: i.label)

    def field_val(self, name: str) -> Val:
        """The variables of a declared field, as the plan reads it (tests pin a record)."""
        info = self.fields[name]
        for s in self.plan.slots:
            if s.path == info.path and s.type == info.type:
                return self._typed(self._slot_key(s), s.label, s.type, ("record", s.path))
        return self._typed(("field", name), name, info.type, ("record", info.path))

    # ----------------------------------------------------- conversions
    def as_cond(self, x, node=None) -> Cond:
        if isinstance(x, Cond):
            return x
        if x.kind == "bool":
            t, f = test_tf([x.present], x.term, _and, NOT)
            return Cond(t, f, x.vars, x.tests)
        if x.kind == "const":  # `true`, `false`; anything else is unknown
            return Cond(TRUE if x.lit is True else FALSE, TRUE if x.lit is False else FALSE)
        # not a condition (the checker rejects this): anything at all
        return self._opaque3(("cond", self._shape(node)), x.vars, x.tests)

    def as_val(self, x) -> Val:
        if isinstance(x, Val):
            return x
        return Val("bool", x.t, x.present, x.vars, x.tests)

    # ------------------------------------------------------- opaque
    def _shape(self, x):
        """The structural key of a plan node: equal shapes, equal values."""
        if not isinstance(x, P.Node):
            return x
        s = self._shapes.get(id(x))
        if s is None:
            s = self._shapes[id(x)] = self._make_shape(x)
        return s

    def _make_shape(self, x):
        cls = x.__class__
        if cls is P.Const:
            return ("Const", type(x.value).__name__, x.value)
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(x)
                                         if f.name != "origin" and not (cls is P.DynCmp and f.name == "index"))
        return (cls.__name__, *(self._part(getattr(x, name)) for name in names))

    def _part(self, v):
        if isinstance(v, (P.Score, P.Band, P.Route)):
            return (v.__class__.__name__, v.index)
        if isinstance(v, P.Node):
            return self._shape(v)
        if isinstance(v, list):
            return tuple(self._part(i) for i in v)
        if isinstance(v, P.Slot):
            return ("slot", v.path, v.type)
        if isinstance(v, P.PropRead):
            return ("prop", v.event, v.name, v.type)
        if isinstance(v, P.Source):
            return ("source", v.index)
        if isinstance(v, (P.Let, P.Lead, P.Score, P.Band, P.Route)):
            return (v.__class__.__name__, v.index)
        if isinstance(v, re.Pattern):
            return ("re", v.pattern, v.flags)
        return v

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

    def _opaque_pres(self, x, present, vars, tests, label="opaque") -> Cond:
        """Unknown exactly when an operand is missing; otherwise some truth value."""
        key = ("pres", self._shape(x))
        b = self._opaque_bool(key, label)
        t, f = test_tf([present], b, _and, NOT)
        return Cond(t, f, vars | {self._okey(key)}, tests)

    def _opaque2(self, x, vars, tests, label="opaque") -> Cond:
        key = ("two", self._shape(x))
        b = self._opaque_bool(key, label)
        return Cond(b, NOT(b), vars | {self._okey(key)}, tests)

    def _opaque3(self, key, vars, tests) -> Cond:
        key = ("three", key)
        pair = self._opaque.get(key)
        if pair is None:
            t, f = self._fresh("bool", "t"), self._fresh("bool", "f")
            self.axioms.append(z3.Not(z3.And(t, f)))
            pair = self._opaque[key] = (t, f)
        return Cond(pair[0], pair[1], vars | {self._okey(key)}, tests)

    # --------------------------------------------------------- values
    def e_Const(self, x):
        return Val("const", lit=x.value)

    def e_Key(self, x: P.Key):
        v = self.val(x.x)
        term = self._text_term(v, x.how, x.members)
        if term is None:
            return Val("opaque", None, v.present, v.vars, v.tests)
        return Val("text", term, v.present, v.vars, v.tests)

    def _text_term(self, v: Val, how: str, members):
        """The folded-text key of a value: a text's key, a member's folded name
        (an enum holds its member's name; an ordinal's rank is named through ``members``)."""
        if how == "fold" and v.kind in ("text", "rawtext"):
            return v.term
        if how == "fold" and v.kind == "enum" or how == "name" and v.kind == "rank":
            names = members if members is not None else v.type.members
            if tuple(names) != tuple(v.type.members):
                return None
            out = self._text_key(fold(names[-1]))
            for i in reversed(range(len(names) - 1)):
                out = z3.If(v.term == i, self._text_key(fold(names[i])), out)
            return out
        return None

    def e_Arith(self, x: P.Arith):
        lv, rv = self.val(x.left), self.val(x.right)
        both = AND(lv.present, rv.present)
        if x.op == "/":  # division by zero is missing
            key = ("div", self._shape(x))
            present = self._opaque_bool(key, "present:div")
            if key not in self._opaque_ids:
                self.axioms.append(z3.Implies(present, both))
            extra = {self._okey(key)}
        else:
            present, extra = both, set()
        return Val("opaque", None, present, lv.vars | rv.vars | extra, lv.tests or rv.tests)

    def e_Neg(self, x: P.Neg):
        v = self.val(x.x)
        if v.kind == "num":
            return Val("num", -v.term, v.present, v.vars, v.tests)
        return Val("opaque", None, v.present, v.vars, v.tests)

    def e_LetUse(self, x: P.LetUse):
        return self.enc(x.let.body)  # the let's value, three-valued, passed through

    def e_OutputUse(self, x: P.OutputUse) -> Val:
        """A score (a number), band (its rank) or route (its target), see ``outputs``."""
        key = ("output", x.item.__class__.__name__, x.item.index)
        if key not in self._vals:
            kind, term, present, own, t, (vkey, label, vpresent, assumable) = outputs.output(self, x.item)
            self._register(vkey, label, vpresent, assumable)
            self._vals[key] = Val(kind, term, present, frozenset([own]), type=t)
        return self._vals[key]

    def e_LeadUse(self, x: P.LeadUse):
        c = self.as_cond(self.enc(x.lead.body))  # a lead is true or not: two-valued
        return Cond(c.t, NOT(c.t), c.vars, c.tests)

    # ------------------------------------------------------ conditions
    def _all(self, cs):
        return frozenset().union(*(c.vars for c in cs)), any(c.tests for c in cs)

    def e_And(self, x: P.And):
        cs = [self.tf(i) for i in x.items]
        t, f = and_tf([(c.t, c.f) for c in cs], _and, _or)
        return Cond(t, f, *self._all(cs))

    def e_Or(self, x: P.Or):
        cs = [self.tf(i) for i in x.items]
        t, f = or_tf([(c.t, c.f) for c in cs], _and, _or)
        return Cond(t, f, *self._all(cs))

    def e_Not(self, x: P.Not):
        c = self.tf(x.x)
        t, f = not_tf((c.t, c.f))
        return Cond(t, f, c.vars, c.tests)

    def e_Truth(self, x: P.Truth):
        return self.as_cond(self.enc(x.x), x)

    def _test(self, present, relation, vars, tests) -> Cond:
        t, f = test_tf(present, relation, _and, NOT)
        return Cond(t, f, vars, tests)

    def e_Cmp(self, x: P.Cmp):
        lv, rv = self.val(x.left), self.val(x.right)
        vars, tests = lv.vars | rv.vars, lv.tests or rv.tests
        if lv.kind == "const" and rv.kind == "const":
            try:
                r = OPS[x.op](lv.lit, rv.lit)
            except TypeError:
                return self._opaque_pres(x, TRUE, vars, tests, "cmp")
            return Cond(TRUE, FALSE) if r else Cond(FALSE, TRUE)
        pair = self._common(lv, rv)
        if pair is None or (x.op in _ORDERED and pair[2] in ("enum", "text", "bool")):
            return self._opaque_pres(x, AND(lv.present, rv.present), vars, tests, "cmp")
        a, b, _ = pair
        return self._test([lv.present, rv.present], _rel(x.op, a, b), vars, tests)

    def _common(self, lv: Val, rv: Val):
        """Both sides as terms of one domain, or None when we do not model it."""
        if lv.kind in _DOMAINS:
            r = self._as(lv, rv)
            return None if r is None else (lv.term, r, lv.kind)
        if rv.kind in _DOMAINS:
            left = self._as(rv, lv)
            return None if left is None else (left, rv.term, rv.kind)
        return None

    def _as(self, dom: Val, other: Val):
        """``other`` as a term of ``dom``'s domain, or None."""
        k = dom.kind
        if other.kind == k:
            if k in ("rank", "enum") and dom.type.members != other.type.members:
                return None
            return other.term
        if other.kind != "const":
            return None
        return self._const(dom, other.lit)

    def _const(self, dom: Val, c):
        """A plan constant (already keyed) as a term of ``dom``'s domain, or None."""
        k = dom.kind
        if k == "num":
            return real(c) if isinstance(c, (int, float)) and not isinstance(c, bool) else None
        if k == "time":
            return real(seconds_of(c)) if isinstance(c, (dt.date, dt.datetime)) else None
        if k == "bool":
            return (TRUE if c else FALSE) if isinstance(c, bool) else None
        if k == "rank":  # a rank (the plan resolved the member); None: no member
            ok = isinstance(c, int) and not isinstance(c, bool) and 0 <= c < len(dom.type.members)
            return z3.IntVal(c) if ok else None
        if k == "enum":  # a canonical member name, or a text that is none
            if not isinstance(c, str):
                return None
            return z3.IntVal(dom.type.members.index(c)) if c in dom.type.members else z3.IntVal(-1)
        if k == "text":
            return self._text_key(c) if isinstance(c, str) else None
        return None

    def e_DynCmp(self, x: P.DynCmp):
        lv, rv = self.val(x.left), self.val(x.right)
        return self._opaque_pres(x, AND(lv.present, rv.present), lv.vars | rv.vars, lv.tests or rv.tests, "cmp")

    def e_In(self, x: P.In):
        v = self.val(x.x)
        if v.kind not in _DOMAINS:
            return self._opaque_pres(x, v.present, v.vars, v.tests, "in")
        terms = []
        for k in sorted(x.keys, key=repr):
            term = self._const(v, k)
            if term is not None:
                terms.append(term)
            elif not (v.kind == "rank" and (k is None or isinstance(k, int))):  # no member: never matches
                return self._opaque_pres(x, v.present, v.vars, v.tests, "in")
        member = OR(*[_rel("=", v.term, t) for t in terms])
        if x.negated:
            member = NOT(member)
        return self._test([v.present], member, v.vars, v.tests)

    def e_Missing(self, x: P.Missing):
        v = self.enc(x.x)
        present = v.present if not (isinstance(v, Val) and v.kind == "const") else \
            (FALSE if v.lit is None else TRUE)
        t = present if x.negated else NOT(present)
        return Cond(t, NOT(t), v.vars, True)

    def e_TextOp(self, x: P.TextOp):
        v, p = self.val(x.x), self.val(x.pattern)
        return self._opaque_pres(x, AND(v.present, p.present), v.vars | p.vars, v.tests or p.tests, x.op)

    def e_Match(self, x: P.Match):
        v = self.val(x.x)
        if x.regex is None:  # no pattern: never true, never false
            return Cond(FALSE, FALSE, v.vars, v.tests)
        return self._opaque_pres(x, v.present, v.vars, v.tests, "matches")

    def e_Has(self, x: P.Has):
        lv = self.val(x.x)
        if lv.kind != "list":
            return self._opaque3(self._shape(x), lv.vars, lv.tests)
        elem = self._lists[lv.type]["elem"]
        if x.mode == "one":
            item = self.val(x.item)
            if item.kind != "const":
                return self._opaque_pres(x, item.present, lv.vars | item.vars, lv.tests or item.tests, "has")
            if item.lit is None:  # no such member: unknown
                return Cond(FALSE, FALSE, lv.vars, lv.tests)
            key = self._item_key(elem, item.lit)
            if key is None:
                return self._opaque3(self._shape(x), lv.vars, lv.tests)
            m = self._member(lv.type, key)
            return Cond(m, NOT(m), lv.vars, lv.tests)
        keys = [self._item_key(elem, k) for k in sorted(x.item, key=repr)]
        if any(k is None for k in keys):
            return self._opaque3(self._shape(x), lv.vars, lv.tests)
        ms = [self._member(lv.type, k) for k in keys]
        t = OR(*ms) if x.mode == "any" else AND(*ms)
        return Cond(t, NOT(t), lv.vars, lv.tests)

    def e_Within(self, x: P.Within):
        v = self.val(x.x)
        if v.kind != "time":
            return self._opaque_pres(x, v.present, v.vars, v.tests, "within")
        relation = AND(_rel("<", self.as_of - x.seconds, v.term), _rel("<=", v.term, self.as_of))
        return self._test([v.present], relation, v.vars, v.tests)

    def e_Seq(self, x: P.Seq):
        return self._opaque2(x, frozenset(), False, "then")
