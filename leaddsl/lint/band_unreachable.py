"""W124: a band no value can fall in.

How: a band `on` a score is first compared with the score's range
(``thresholds.bounds``, interval arithmetic over its rules and caps); when
that does not settle it, z3 must prove that no record puts the number in the
band (the band's rank as the evaluator computes it, over the exact encoding
of the score, or of the field or metric it is on). A band the solver cannot
settle is not reported.

W124 band-unreachable (warning)
-------------------------------
What it finds: A band of a `band` statement whose range lies outside what its
number can be: `hot` from 50 up on a score whose rules give at most 45, a band
below 0 on a score with no negative points, a band below 0 on a count.

Why it matters: Reports and routing that name the band never see a lead in it,
so a `temperature = hot` queue stays empty; usually the cuts were written for
other points, or the score lost a rule.

Example::

    field industry: text
    score fit {
        industry = "Biotech" +40
    }
    band grade on fit { C < 20 <= B < 50 <= A }

Fix: Move the cuts inside the range the message gives, or change the points of
the score's rules; remove a band that is not needed.
"""
from __future__ import annotations

from ..front.check import OutputRef
from . import rule
from .docs import register_doc

register_doc(__doc__)


@rule
def band_unreachable(ctx, diags):
    if not ctx.scope.bands:
        return
    import z3

    from ..runtime import plan as P
    from .thresholds import decl_range, span
    logic = ctx.logic
    enc = logic.enc
    for name, decl in ctx.scope.bands.items():
        band = enc.plan.bands.get(name)
        if band is None or ctx.budget.out():
            continue
        b = ctx.binding(decl.on)
        score = ctx.scope.scores.get(b.name) if isinstance(b, OutputRef) and b.kind == "score" else None
        lo, hi = decl_range(score) if score is not None else (None, None)
        val = enc.e_OutputUse(P.OutputUse(band))
        for i, member in enumerate(decl.members):
            if ctx.budget.out():
                return
            if score is not None and _outside(band.cuts, i, lo, hi):
                why = f"`{b.name}` {span(lo, hi)}"
            elif logic.unsat(val.present, val.term == z3.IntVal(i)):
                why = f"no lead's `{decl.on.name}` falls in it"
            else:
                continue
            diags.add("W124", member.span, f"band `{member.name}` of `{name}` can never be reached: {why}",
                      "move the cuts inside the range the value can take, change the points, or remove the band")


def _outside(cuts, i: int, lo: float, hi: float) -> bool:
    """Band i's range (between cut i - 1 and cut i) misses [lo, hi]."""
    if i > 0:
        t, upper_takes_it = cuts[i - 1]
        if hi < t or hi == t and not upper_takes_it:
            return True
    if i < len(cuts):
        t, upper_takes_it = cuts[i]
        if lo > t or lo == t and upper_takes_it:
            return True
    return False
