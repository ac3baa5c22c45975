"""The encodings and the variables of the z3 translation (see ``encode.py``).

A condition is a :class:`Cond` (``t`` true, ``f`` false, neither unknown), a value
a :class:`Val`. The variables, one per thing a record or its events can hold: a
slot or an event property read as its type (its presence shared by every read of
one column), a list's emptiness and members, and an aggregate of a source and
window, with the sound relations between windows of one source. A mixin of
:class:`encode.Encoder`, which holds the tables they are kept in.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import z3

from ..front import nodes as n
from ..runtime import plan as P
from .. import types as T
from ..logic import is_missing_marker
from .terms import AND, FALSE, NOT, OR, TRUE, seconds_of


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
    """A value. ``kind``: num time rank enum text rawtext bool list opaque const.

    ``text`` is a folded text key; ``rawtext`` a text as read (only its key is
    modelled, so it compares through a ``Key``); ``const`` a plan constant."""
    __slots__ = ("kind", "term", "present", "vars", "tests", "type", "lit")

    def __init__(self, kind, term=None, present=TRUE, vars=frozenset(), tests=False, type=None, lit=None):
        self.kind = kind
        self.term = term
        self.present = present
        self.vars = vars
        self.tests = tests
        self.type = type  # EnumT/OrdinalT for enum/rank, the list key for list
        self.lit = lit    # the constant's value


@dataclass
class VarInfo:
    key: tuple
    label: str       # how a message names it: `revenue`, `page_category`
    present: object  # z3 Bool, TRUE for values that are never missing
    assumable: bool  # "when its fields are present" may assume it


class Variables:
    """The variables of the record's values and their events, made once each and kept in
    the encoder's tables (``info``, ``axioms`` and the private ones it sets up)."""

    # ------------------------------------------------------ variables
    def _fresh(self, sort: str, label: str):
        name = f"{label}#{next(self._n)}"
        return {"real": z3.Real, "int": z3.Int, "bool": z3.Bool}[sort](name)

    def _register(self, key, label, present, assumable=True):
        if key not in self.info:
            self.info[key] = VarInfo(key, label, present, assumable)

    def _typed(self, key: tuple, label: str, t: T.Type, share: tuple) -> Val:
        """The variables of one record value (a slot, a property) read as type t;
        ``share``: the column it reads (its presence is shared)."""
        if key in self._vals:
            return self._vals[key]
        vars = frozenset([key])
        if isinstance(t, T.ListT):  # never missing: an absent list is the empty list
            empty = self._fresh("bool", "empty:" + label)
            self._lists[key] = {"empty": empty, "elem": t.element, "label": label, "members": {}}
            self._register(key, label, NOT(empty), True)
            v = self._vals[key] = Val("list", None, NOT(empty), vars, type=key)
            return v
        # one column read as several types (a schemaless key in text and number
        # mode, two fields `from` one column) is missing in all or none of them:
        # every scalar reader takes null, absent and the missing markers for missing
        present = self._shared.get(share)
        if present is None:
            present = self._shared[share] = self._fresh("bool", "present:" + label)
        self._register(key, label, present, True)
        if t == T.NUMBER:
            v = Val("num", self._fresh("real", label), present, vars)
        elif t == T.DATETIME:
            v = Val("time", self._fresh("real", label), present, vars)
        elif t == T.DATE:
            days = self._fresh("int", label)
            v = Val("time", z3.ToReal(days) * 86400, present, vars)
        elif t == T.TEXT:
            v = Val("rawtext", self._fresh("int", label), present, vars)
            self.axioms.append(v.term >= 0)  # a text that is present is no missing marker (their keys: -1)
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

    def _text_key(self, key: str):
        """The constant of a folded text (the plan folds every text constant); every
        missing marker (`N/A`, `null`, `-`, a blank text) is -1, which no present text is."""
        if is_missing_marker(key):
            return z3.IntVal(-1)
        if key not in self._texts:
            self._texts[key] = len(self._texts)
        return z3.IntVal(self._texts[key])

    def _member(self, lkey, item):
        """The Boolean "the list holds an element of this key" (item: a tagged key)."""
        lst = self._lists[lkey]
        m = lst["members"].get(item)
        if m is None:
            elem = lst["elem"]
            if isinstance(elem, T.EnumT) and item not in {("s", x) for x in elem.members}:
                m = FALSE  # list elements are members (canonical names)
            elif isinstance(elem, T.OrdinalT) and not (item[0] == "r" and 0 <= item[1] < len(elem.members)):
                m = FALSE
            else:
                m = self._fresh("bool", f"has:{lst['label']}")
                self.axioms.append(z3.Implies(m, z3.Not(lst["empty"])))
            lst["members"][item] = m
        return m

    @staticmethod
    def _item_key(elem: T.Type, value):
        """A keyed constant (as the plan keys list elements) tagged by its kind, or None."""
        if isinstance(elem, T.OrdinalT):
            return ("r", value) if isinstance(value, int) and not isinstance(value, bool) else ("r", -1)
        if isinstance(value, bool):
            return ("b", value)
        if isinstance(value, (int, float)):
            return ("n", Fraction(value))
        if isinstance(value, (dt.date, dt.datetime)):
            return ("t", seconds_of(value))
        if isinstance(value, str):
            return ("s", value)
        return None

    # ----------------------------------------------------- read units
    def _slot_key(self, slot: P.Slot) -> tuple:
        f = self.fields.get(slot.label)
        if f is not None and f.path == slot.path and f.type == slot.type:
            return ("field", slot.label)
        return ("record", slot.path, slot.type)

    def e_Read(self, x):
        s = x.slot
        return self._typed(self._slot_key(s), s.label, s.type, ("record", s.path))

    def e_Prop(self, x):
        pr = x.prop
        return self._typed(("prop", pr.event, pr.name, pr.type), pr.name, pr.type, ("prop", pr.event, pr.name))

    def e_Agg(self, x: P.Agg) -> Val:
        key = ("agg", x.index)
        if key in self._vals:
            return self._vals[key]
        src = x.source
        # windows of one source are related by axioms: they share a variable key
        vars = frozenset([key, ("events", src.index)])
        label = _agg_name(x) + (f"({'any ' if x.any else ''}{_dur(x.seconds)})" if x.seconds is not None else "")
        func = x.func
        if func in ("first", "last"):
            t = T.DATETIME
        elif x.pos is not None:
            t = src.event.props[x.pos].type
        else:
            t = T.NUMBER
        if func in ("count", "days"):
            v = self._fresh("int", label)
            self.axioms.append(v >= 0)
            self._register(key, label, TRUE, False)
            out = Val("num", z3.ToReal(v), TRUE, vars)
            self._relate_windows((func, src.index, x.pos), x.seconds, x.any, v)
        elif func == "sum":
            v = self._fresh("real", label)
            if x.any:
                self.axioms.append(v >= 0)  # the best window is never below an empty one
            self._register(key, label, TRUE, False)
            out = Val("num", v, TRUE, vars)
        else:  # min max first last: missing when no event counts
            present = self._fresh("bool", "present:" + label)
            self._register(key, label, present, True)
            if t == T.NUMBER or T.is_temporal(t):
                v = z3.ToReal(self._fresh("int", label)) * 86400 if t == T.DATE else self._fresh("real", label)
                if func in ("first", "last"):  # event times are at or before the as-of time
                    self.axioms.append(z3.Implies(present, v <= self.as_of))
                    if x.seconds is not None:
                        self.axioms.append(z3.Implies(present, v > self.as_of - x.seconds))
                out = Val("num" if t == T.NUMBER else "time", v, present, vars)
            else:
                out = Val("opaque", None, present, vars)
        self._vals[key] = out
        return out

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


def _agg_name(agg: P.Agg) -> str:
    """The name a message gives an aggregate: the metric or event it was written as."""
    o = agg.origin
    if isinstance(o, n.Windowed):
        o = o.target
    return o.name if isinstance(o, n.Name) else agg.source.event.name


def _dur(seconds) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
