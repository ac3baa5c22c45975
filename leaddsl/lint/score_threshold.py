"""W123: a score compared with a number it can never reach.

How: first interval arithmetic over the score's rules (``thresholds.bounds``):
a condition rule gives 0 or its points, a decayed one anything between (decay
never raises points), an `each` rule between 0 and its `max` (without a `max`
it is unbounded), and the score's own `max` caps the total. When the interval
alone does not show the threshold out of reach, z3 may still prove it with the
exact encoding, where rules whose conditions cannot hold together cannot add
up. A comparison the solver cannot settle is not reported. W101 leaves these
comparisons to this rule, which says how far the score can go.

W123 score-threshold-unreachable (warning)
------------------------------------------
What it finds: A comparison of a score with a number that no lead can satisfy:
`fit >= 90` when the rules of `fit` add up to at most 75, `fit <= -50` when the
least it can be is -30, `fit > 100` on a `score fit max 100`, or a threshold
that needs points from rules that can never hold together
(`region = emea +40` and `region = na +40` cannot give 80).

Why it matters: The threshold was agreed against a different set of rules
(points changed, a rule was removed, a cap added): the definition built on it
selects nobody, and the dashboards show an empty MQL queue, not an error.

Example::

    field industry: text
    field revenue: number
    score fit {
        industry = "Biotech"  +40
        revenue >= 300M       +35
    }
    lead mql when fit >= 90

Fix: Lower the threshold to what the rules can give (the message says the
least and greatest value the score can take), or give the rules more points.
"""
from __future__ import annotations

from . import rule
from .docs import register_doc
from .thresholds import decl_range, number, out_of_range, span, threshold

register_doc(__doc__)


@rule
def score_threshold_unreachable(ctx, diags):
    if not ctx.scope.scores:
        return
    found_all = [(node, found) for node in ctx.nodes if (found := threshold(ctx, node)) is not None]
    if not found_all:
        return
    for node, found in found_all:
        if ctx.budget.out():
            return
        name, tests = found
        lo, hi = decl_range(ctx.scope.scores[name])
        bad = [(op, c) for op, c in tests if out_of_range(lo, hi, op, c)]
        if bad:
            op, c = bad[0]
            if op in (">", ">=") or op == "=" and c > hi:
                why = f"`{name}` is at most {number(hi)}"
            elif op in ("<", "<=") or op == "=":
                why = f"`{name}` is at least {number(lo)}"
            else:
                why = f"`{name}` is always {number(lo)}"
        elif ctx.logic.never_true(node):
            why = f"the rules of `{name}` that would give it cannot all hold for one lead"
        else:
            continue
        diags.add("W123", node.span, f"`{ctx.text(node)}` can never be true: {why}",
                  f"by its rules and caps `{name}` {span(lo, hi)}: change the threshold, or the points of its rules")

