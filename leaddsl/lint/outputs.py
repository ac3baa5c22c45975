"""Scores, bands and routes as z3 terms, and the range a score can take.

A condition may use an output as a value (`fit >= 30`, `temperature >= warm`,
`owner = emea_team`); the encoder (``encode``) asks this module for its term, so
the rules stay sound when definitions use them. Each output is encoded once;
like the rest of the encoding it over-approximates the evaluator (every record
has a model), using :mod:`leaddsl.scoring`'s arithmetic:

* a **score** is the sum of its rules' points, capped from above by its `max`.
  A condition rule gives its points when its condition is *true* (``t``),
  nothing otherwise; a decayed one gives a value between 0 and its points (the
  decay never raises points, and a float may underflow to 0). An `each` rule
  gives points times its count (the count's own variable, so `page_view(30d)
  >= 1` and `each page_view(30d) +2` agree), capped in size by its `max`; a
  decayed `each` gives between 0 and that. This exact form needs integer points
  and caps: float sums of integers are exact, and a decayed part (any float in
  its range) keeps a float sum of integers within the real sum's range, since
  rounding is monotone. With a fractional point or cap the score is a fresh
  number bounded by :func:`score_range` (float sums of fractions round, and the
  bounds there are the evaluator's own float sums, so they hold).
* a **band** is the rank of the band its number falls in (``scoring.band_of``),
  missing when the number is;
* a **route** is the index of its target (the enum ``route_types`` declares):
  the first rule whose condition is true, else the fallback; missing when its
  lead definition does not hold.

``score_range`` is plain interval arithmetic (``thresholds.bounds``), no
solver: the rules that find unreachable thresholds and bands try it first.
"""
from __future__ import annotations

from fractions import Fraction

import z3

from ..runtime import plan as P
from .terms import AND, TRUE, real
from .thresholds import INF, bounds

EXACT_LIMIT = 2 ** 50  # integer points and caps up to this size: float sums are exact


# ------------------------------------------------------------- intervals ----
def score_range(score: P.Score) -> tuple[float, float]:
    """The least and greatest value ``score`` (a plan node) can take (``thresholds.bounds``)."""
    return bounds(((r.agg is not None, r.points, r.cap) for r in score.rules), score.cap)


def _exact(score: P.Score) -> bool:
    nums = [r.points for r in score.rules] + [r.cap for r in score.rules if r.cap is not None]
    if score.cap is not None:
        nums.append(score.cap)
    return all(float(x).is_integer() and abs(x) < EXACT_LIMIT for x in nums)


# --------------------------------------------------------------- encodings ----
def _between(x, a, b):
    lo, hi = (a, b) if a <= b else (b, a)
    return AND(x >= real(lo), x <= real(hi))


def score_term(enc, score: P.Score):
    """(term, vars): a z3 Real for the score and the variable keys its rules read."""
    vars: set = set()
    if not _exact(score):
        lo, hi = score_range(score)
        x = enc._fresh("real", score.name)
        if lo > -INF:
            enc.axioms.append(x >= real(Fraction(lo)))
        if hi < INF:
            enc.axioms.append(x <= real(Fraction(hi)))
        for r in score.rules:
            vars |= (enc.val(r.agg) if r.agg is not None else enc.tf(r.cond)).vars
        return x, vars
    parts = []
    for r in score.rules:
        p = int(r.points)
        if r.agg is not None:
            count = enc.val(r.agg)
            vars |= count.vars
            full = count.term * p
            limit = int(r.cap) if r.cap is not None else None
            if r.half_life is not None:  # each event decayed by its own age: between 0 and p per event
                d = enc._fresh("real", f"{score.name}:each")
                enc.axioms.append(_between(d, 0, 0) if p == 0 else
                                  AND(d >= 0, d <= full) if p > 0 else AND(d <= 0, d >= full))
                if limit is not None:
                    enc.axioms.append(d <= limit if p > 0 else d >= -limit)
                parts.append(d)
            elif limit is None:
                parts.append(full)
            else:
                parts.append(z3.If(full > limit, real(limit), full) if p > 0 else
                             z3.If(full < -limit, real(-limit), full))
            continue
        c = enc.tf(r.cond)
        vars |= c.vars
        if r.half_life is not None:
            d = enc._fresh("real", f"{score.name}:decayed")
            enc.axioms.append(_between(d, 0, p))
            given = d
        else:
            given = real(p)
        parts.append(z3.If(c.t, given, real(0)))
    total = z3.Sum(parts) if len(parts) > 1 else parts[0] if parts else real(0)
    if score.cap is not None:
        cap = real(int(score.cap))
        total = z3.If(total > cap, cap, total)
    return total, vars


def band_term(enc, band: P.Band, on):
    """(rank term, present): the band ``on`` (a Val) falls in, as ``scoring.band_of``."""
    n_members = len(band.members)
    if on.kind != "num":
        x = enc._fresh("int", band.name)
        enc.axioms.append(z3.And(x >= 0, x < n_members))
        return x, on.present
    rank = z3.IntVal(n_members - 1)
    for i in reversed(range(len(band.cuts))):
        threshold, upper_takes_it = band.cuts[i]
        t = real(Fraction(threshold))
        above = on.term >= t if upper_takes_it else on.term > t
        rank = z3.If(above, rank, z3.IntVal(i))
    return rank, on.present


def route_term(enc, route: P.Route, members):
    """(target index, present, vars): the route's target among ``members``."""
    lead = enc.tf(route.lead)
    vars = set(lead.vars)
    term = z3.IntVal(members.index(route.fallback))
    conds = [enc.tf(c) for _t, c in route.rules]
    for (target, _c), c in reversed(list(zip(route.rules, conds))):
        vars |= c.vars
        term = z3.If(c.t, z3.IntVal(members.index(target)), term)
    return term, lead.t, vars


def output(enc, item):
    """(kind, term, present, key, type, info) of a score, band or route used as a value.

    The value reads one variable key of its own (``info``: key, label, present,
    assumable), not those of the fields its rules read: messages name the output
    (`leads with no owner`), and "when its values are present" means the output's."""
    scope = enc.plan.analysis.scope
    if isinstance(item, P.Score):
        term, _vars = score_term(enc, item)
        key = ("score", item.name)
        return "num", term, TRUE, key, None, (key, item.name, TRUE, False)
    if isinstance(item, P.Band):
        on = enc.val(item.on)
        term, present = band_term(enc, item, on)
        key = ("band", item.name)
        return "rank", term, present, key, scope.band_types[item.name], (key, item.name, present, True)
    members = scope.route_types[item.name].members
    term, present, _vars = route_term(enc, item, list(members))
    key = ("route", item.name)
    return "enum", term, present, key, scope.route_types[item.name], (key, item.name, present, True)


__all__ = ["score_range", "score_term", "band_term", "route_term", "output"]
