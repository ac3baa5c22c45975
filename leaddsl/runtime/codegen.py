"""The plan compiled once into Python functions: the one evaluator.

As Jinja does, the plan becomes Python source compiled with ``compile()``.
Two functions come from one generator and the same plan, so they read the
same values and take the same decisions:

* ``_evaluate`` (and ``_evaluate_bulk``, whose results keep no record): every
  value an output needs is read up front, in one ``try``; three-valued logic
  is compiled by polarity with the pair rules of ``logic`` (``T(a and b) =
  T(a) and T(b)``, ``F(a and b) = F(a) or F(b)``, ``T(x >= c) = x is not None
  and x >= c`` ...), so no unknown value is built at run time. When any value
  cannot be read, the record goes to the safe function.
* ``_safe``: each read on its own, a bad value replaced by missing and noted
  against its *read unit*; every node computed once, three-valued, in
  dependency order, its value recorded when a trace is asked for (``explain``).
  The program then nulls exactly the outputs that need a bad unit.

Nothing from a definition file ever reaches the source: every name, text,
number, pattern and duration is a constant ``K<n>`` passed in as a default
argument; the source holds only identifiers this module makes and Python
operators (``tests/test_codegen.py`` runs hostile definitions). The source
grows linearly with the plan: shared lets are computed once into a local, and
a condition nested deeper than :data:`MAX_INLINE_DEPTH` is computed statement
by statement instead of as one expression.

Here: the helpers the source is given, the :class:`Generator`'s names and the
functions it assembles, and :class:`Compiled`. The generator's reads are in
``codegen_reads.py``, its expressions (both ways) in ``codegen_exprs.py``.
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Mapping

from .. import events as ev
from .. import scoring
from . import plan as P
from .codegen_exprs import Exprs
from .codegen_reads import MAX_INLINE_DEPTH, Reads, _ts_us, depth
from ..stack import deep
from ..logic import Incomparable, and3, arith, clean, dyn_compare, dyn_key, fold, not3, or3, type_key, within
from ..values import MISSING_MARKERS, BadValue, read_number

_ONE_US = dt.timedelta(microseconds=1)
_fromiso = dt.datetime.fromisoformat


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


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text_of(x):
    """The text a `matches` pattern searches. A lone surrogate (JSON allows ``"\\ud800"``, UTF-8
    cannot hold it, and RE2 reads UTF-8) is searched as U+FFFD, as a UTF-8 decoder reads a
    broken character."""
    t = clean(x) if isinstance(x, str) else str(x)
    return t if t.isascii() or _SURROGATE.search(t) is None else _SURROGATE.sub("\ufffd", t)


def _is_missing(x) -> bool:
    return x is None or x == () or x == []


def _truth(x):
    return x if x is True or x is False else None


def _key_fold(x):
    return None if x is None else fold(x)


def _key_dyn(x):
    return None if x is None else dyn_key(x)


def _key_name(members, x):
    return None if x is None else fold(members[x])


def _dyn(op, a, b):
    return dyn_compare(op, a, b, read_number)


def get_path(record, path: tuple[str, ...]):
    """A dotted name's value: the key as written if the record has it, else nested;
    a parent that is absent, null or not an object makes it missing."""
    if len(path) == 1:
        return record.get(path[0])
    joined = ".".join(path)
    if joined in record:
        return record[joined]
    value = record
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
        if value is None:
            return None
    return value


_HELPERS = {
    "_U": object(), "_fold": fold, "_BadValue": BadValue, "_Incomparable": Incomparable, "_ts_us": _ts_us,
    "_arith": arith, "_neg": _neg, "_has_one": _has_one, "_has_any": _has_any, "_has_all": _has_all,
    "_text_of": _text_of, "_path": get_path, "_is_missing": _is_missing, "_dyn": _dyn, "_dyn_key": dyn_key,
    "_key_fold": _key_fold, "_key_dyn": _key_dyn, "_key_name": _key_name, "_truth": _truth,
    "_and3": and3, "_or3": or3, "_not3": not3, "_within": within, "_Mapping": Mapping,
    "_bisect_right": bisect_right, "_best_count": ev.best_count, "_best_window": ev.best_window,
    "_aggregate": ev.aggregate, "_window_start": ev.window_start, "_sequence": ev.sequence,
    "_MISSING": MISSING_MARKERS, "_from_us": ev.from_us, "_US": ev.US, "_fromiso": _fromiso, "_EPOCH": ev.EPOCH,
    "_ONE_US": _ONE_US, "_MIN_US": ev.MIN_US, "_type_key": type_key,
    "_total": scoring.total, "_each": scoring.each, "_dated": scoring.dated, "_newest": scoring.newest,
    "_band_of": scoring.band_of,
}
# supplied by the program: the Result class, the safe path, and the error scoping of a result
HOOKS = frozenset({"_Result", "_SAFE", "_SCOPE", "_RECORD_ERROR"})


class Generator(Exprs, Reads):
    def __init__(self, plan: P.Plan):
        self.p = plan
        self.ns: dict = dict(_HELPERS)
        self._consts: dict = {}
        self.n_consts = 0
        self.counter = 0
        self.traced: list = []      # trace key k -> plan node
        self.deep: set[int] = set()  # leads / lets / wheres computed statement by statement

    # ------------------------------------------------------------ names
    def const(self, value) -> str:
        try:
            key = (type(value), value)
            hash(key)
        except TypeError:
            key = None
        if key is not None and key in self._consts:
            return self._consts[key]
        name = f"K{self.n_consts}"
        self.n_consts += 1
        self.ns[name] = value
        if key is not None:
            self._consts[key] = name
        return name

    def tmp(self) -> str:
        self.counter += 1
        return f"_t{self.counter}"

    @staticmethod
    def slot_local(slot) -> str:
        return f"f{slot.index}"

    @staticmethod
    def prop_local(pr, event) -> str:
        return f"p{event.index}_{pr.pos}"

    def _prop_event(self, pr) -> P.EventType:
        return self.p.events[pr.event]

    @staticmethod
    def agg_local(agg) -> str:
        return f"m{agg.index}"

    @staticmethod
    def lead_local(lead) -> str:
        return f"L{lead.index}"

    @staticmethod
    def let_local(let) -> str:
        return f"S{let.index}"

    @staticmethod
    def dyn_local(d) -> str:
        return f"d{d.index}"

    @staticmethod
    def output_local(item) -> str:
        return {P.Score: "C", P.Band: "B", P.Route: "R"}[item.__class__] + str(item.index)

    # ============================================================ program
    def _mark_ids(self):
        for x in self._seqs():
            if x.first.event is x.second.event:
                x.first.ids = x.second.ids = True

    def _seqs(self):
        seen, stack, out = set(), [x for item in self.p.outputs.values() for x in P.roots(item)], []
        stack += [let.body for let in self.p.lets]
        while stack:
            x = stack.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if isinstance(x, P.Seq):
                out.append(x)
            stack.extend(P.children(x))
        return out

    def decisions(self, safe: bool) -> list[str]:
        out: list[str] = []
        memo: dict = {}
        for agg in self.p.aggs:
            out.append(f"{self.agg_local(agg)} = _U")
        for item in self.p.order:
            if isinstance(item, P.Score):
                self.score_lines(item, out, memo, safe)
                continue
            if isinstance(item, P.Band):
                value = self.ssa(item.on, out, memo, safe) if safe else self.V(item.on)
                out.append(f"{self.output_local(item)} = _band_of({value}, {self.const(item.cuts)})")
                continue
            if isinstance(item, P.Route):
                self.route_lines(item, out, memo, safe)
                continue
            is_lead = isinstance(item, P.Lead)
            local = self.lead_local(item) if is_lead else self.let_local(item)
            if safe or depth(item.body, MAX_INLINE_DEPTH) > MAX_INLINE_DEPTH:
                v = self.ssa(item.body, out, memo, safe)
                out.append(f"{local} = {v} is True" if is_lead else f"{local} = {v}")
            elif is_lead:
                out.append(f"{local} = {self.TF(item.body)[0]}")
            else:
                body = item.body
                code = self.V3(body) if isinstance(body, P.CONDITIONS) else self.V(body)
                out.append(f"{local} = {code}")
            if not is_lead:
                memo[id(item)] = local
        return out

    def holds(self, cond, out: list[str], memo: dict, safe: bool) -> str:
        """Code true exactly when ``cond`` is true (statements for it go to ``out``)."""
        if safe or depth(cond, MAX_INLINE_DEPTH) > MAX_INLINE_DEPTH:
            return f"{self.ssa(cond, out, memo, safe)} is True"
        return self.TF(cond)[0]

    def _window(self, agg: P.Agg) -> tuple[str, str]:
        """(the sorted times of an aggregate's source, the index of its window's first event)."""
        ts = f"s{agg.source.index}_t"
        start = f"_window_start({ts}, as_of_us, {self.const(agg.seconds)})" if agg.seconds is not None else "0"
        return ts, start

    def score_lines(self, score: P.Score, out: list[str], memo: dict, safe: bool) -> None:
        parts = []
        for j, rule in enumerate(score.rules):
            pts, hl, cap = self.const(rule.points), self.const(rule.half_life), self.const(rule.cap)
            if rule.agg is not None:
                if safe:  # its count, for explain
                    self.ssa(rule.agg, out, memo, safe)
                ts, start = self._window(rule.agg)
                code = f"_each({ts}, {start}, {pts}, {hl}, {cap}, as_of_us)"
            else:
                test = self.holds(rule.cond, out, memo, safe)
                given = pts
                if rule.half_life is not None:
                    times = []
                    for x in rule.dated:
                        if isinstance(x, P.Agg):
                            times.append("_newest(%s, %s)" % self._window(x))
                        else:
                            times += [f"_newest(s{x.first.index}_t, 0)", f"_newest(s{x.second.index}_t, 0)"]
                    given = f"_dated({pts}, {hl}, as_of_us, ({''.join(t + ', ' for t in times)}))"
                code = f"({given} if {test} else 0)"
            if safe:
                local = f"_p{score.index}_{j}"
                out.append(f"{local} = {code}")
                out.append(f"if trace is not None: trace[('points', {score.index}, {j})] = {local}")
                parts.append(local)
            else:
                parts.append(code)
        out.append(f"{self.output_local(score)} = _total(({''.join(p + ', ' for p in parts)}), "
                   f"{self.const(score.cap)})")

    def route_lines(self, route: P.Route, out: list[str], memo: dict, safe: bool) -> None:
        local = self.output_local(route)
        lead = self.holds(route.lead, out, memo, safe)
        tests = [self.holds(c, out, memo, safe) for _t, c in route.rules] if safe else None
        out.append(f"if not ({lead}):")
        out.append(f"    {local} = None")
        for j, (target, cond) in enumerate(route.rules):
            test = tests[j] if safe else self.holds(cond, out, memo, safe)
            out.append(f"elif {test}:")
            out.append(f"    {local} = {self.const(target)}")
        out.append("else:")
        out.append(f"    {local} = {self.const(route.fallback)}")

    def result_lines(self) -> list[str]:
        out = ["r = _Result()"]
        for name, lead in self.p.leads.items():
            out.append(f"r[{self.const(name)}] = {self.lead_local(lead)}")
        if self.p.stages:
            out.append("stage = None")
            for s in self.p.stages:
                out.append(f"if {self.lead_local(self.p.leads[s])}:")
                out.append(f"    stage = {self.const(s)}")
            out.append("r['stage'] = stage")
        for name, score in self.p.scores.items():
            out.append(f"r[{self.const(name)}] = {self.output_local(score)}")
        for name, band in self.p.bands.items():
            b = self.output_local(band)
            out.append(f"r[{self.const(name)}] = None if {b} is None else {self.const(band.members)}[{b}]")
        for name, route in self.p.routes.items():
            out.append(f"r[{self.const(name)}] = {self.output_local(route)}")
        return out

    def _signature(self, head: str, body: str) -> str:
        # constants and helpers become default arguments (fast locals); _SAFE stays a global,
        # bound once the safe function exists (it is only called for a record with a bad value)
        used = sorted(set(re.findall(r"\b(K\d+|_[A-Za-z][A-Za-z0-9_]*)\b", body)) & (set(self.ns) | HOOKS) - {"_SAFE"})
        return f"def {head}{''.join(f', {name}={name}' for name in used)}):\n" + body

    def generate_fast(self) -> str:
        """``_evaluate(record, as_of, as_of_us, extra, ctx)``: the result keeps no record (bulk
        runs should not: holding every record slows the garbage collector); ``evaluate``
        attaches it for ``explain()``."""
        self._mark_ids()
        ind = "    "
        reads = ["get = record.get"]
        for slot in self.p.slots:
            reads += self.read_lines(slot, safe=False)
        for d in self.p.dyn:
            reads += self.dyn_lines(d, safe=False)
        reads += self.events_lines(safe=False)
        fast = ["try:"] + [ind + line for line in reads] + \
            ["except Exception:",
             ind + "return _SAFE(record, as_of, as_of_us, extra, ctx, None)"]
        fast += self.decisions(safe=False) + self.result_lines() + ["return r"]
        return self._signature("_evaluate(record, as_of, as_of_us, extra, ctx",
                               "\n".join(ind + line for line in fast) + "\n")

    def generate_safe(self) -> str:
        """``_safe(record, as_of, as_of_us, extra, ctx, trace)``: each read on its own, every
        node three-valued; the trace (a dict) gets each node's value, when given."""
        self._mark_ids()
        ind = "    "
        safe = ["bad = {}",
                "if not isinstance(record, _Mapping):",
                "    raise _RECORD_ERROR(record)",
                "get = record.get"]
        for slot in self.p.slots:
            safe += self.read_lines(slot, safe=True)
        if self.p.slots:
            safe.append("if trace is not None: trace['slots'] = (" +
                        "".join(f"{self.slot_local(s)}, " for s in self.p.slots) + ")")
        for d in self.p.dyn:
            safe += self.dyn_lines(d, safe=True)
        safe += self.events_lines(safe=True)
        if self.p.sources:
            safe.append("if trace is not None: trace['sources'] = (" +
                        "".join(f"s{s.index}, " for s in self.p.sources) + ")")
        safe.append("if trace is not None: trace['bad'] = bad")
        safe += self.decisions(safe=True) + self.result_lines()
        safe += ["if bad:", "    _SCOPE(r, bad, record, ctx)", "r._ctx = ctx", "r._rec = record", "return r"]
        return self._signature("_safe(record, as_of, as_of_us, extra, ctx, trace",
                               "\n".join(ind + line for line in safe) + "\n")


class Compiled:
    """The functions of one plan: ``fast`` at once, ``safe`` (with its trace) on first need."""

    def __init__(self, plan: P.Plan, hooks: dict):
        assert set(hooks) == HOOKS - {"_SAFE"}
        self.plan = plan
        self.hooks = hooks
        self.ns: dict = {}
        gen = Generator(plan)
        self.fast_source = deep(gen.generate_fast)  # (by recursion, as deep as the definitions)
        self.fast = self._exec(gen, self.fast_source, "_evaluate")
        self._safe = None
        self.traced: list = []

    def _exec(self, gen: Generator, source: str, name: str):
        ns = gen.ns
        ns.update(self.hooks)
        ns["_SAFE"] = self.safe_entry
        code = compile(source, "<leaddsl generated>", "exec")
        exec(code, ns)  # noqa: S102 - the source is ours; definitions reach it only as K<n> constants
        return ns[name]

    @property
    def safe(self):
        if self._safe is None:
            gen = Generator(self.plan)
            self.safe_source = deep(gen.generate_safe)
            self._safe = self._exec(gen, self.safe_source, "_safe")
            self.traced = list(gen.traced)
        return self._safe

    def safe_entry(self, record, as_of, as_of_us, extra, ctx, trace):
        return self.safe(record, as_of, as_of_us, extra, ctx, trace)
