"""W123: a score compared with a number it can never reach.

How: first interval arithmetic over the score's rules (``outputs.score_range``):
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

import math

from ..front import nodes as n
from ..front.check import OutputRef
from . import rule
from .docs import register_doc

register_doc(__doc__)

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


def _score(ctx, node) -> str | None:
    if isinstance(node, n.Name):
        b = ctx.binding(node)
        if isinstance(b, OutputRef) and b.kind == "score":
            return b.name
    return None


def _number(node):
    if isinstance(node, n.Number) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, n.Neg) and isinstance(node.operand, n.Number):
        return -node.operand.value
    return None


def threshold(ctx, node) -> tuple[str, list] | None:
    """(score, [(op, number)]) when ``node`` compares a score with a number: the
    score on the left, a `between` as two comparisons (None when reversed: W101)."""
    if isinstance(node, n.Compare) and node.op in _FLIP:
        s, c = _score(ctx, node.left), _number(node.right)
        if s is not None and c is not None:
            return s, [(node.op, c)]
        s, c = _score(ctx, node.right), _number(node.left)
        if s is not None and c is not None:
            return s, [(_FLIP[node.op], c)]
    if isinstance(node, n.Between):
        s, lo, hi = _score(ctx, node.value), _number(node.low), _number(node.high)
        if s is not None and lo is not None and hi is not None and lo <= hi:
            return s, [(">=", lo), ("<=", hi)]
    return None


def out_of_range(lo: float, hi: float, op: str, c) -> bool:
    """No value in [lo, hi] satisfies `value op c`."""
    return {">=": hi < c, ">": hi <= c, "<=": lo > c, "<": lo >= c,
            "=": c < lo or c > hi, "!=": lo == hi == c}[op]


def number(x) -> str:
    """A bound as a person writes it: 75, -30, 2.5."""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@rule
def score_threshold_unreachable(ctx, diags):
    if not ctx.scope.scores:
        return
    from .outputs import score_range
    logic = ctx.logic
    plan = logic.enc.plan
    for node in ctx.nodes:
        found = threshold(ctx, node)
        if found is None:
            continue
        if ctx.budget.out():
            return
        name, tests = found
        lo, hi = score_range(plan.scores[name])
        bad = [(op, c) for op, c in tests if out_of_range(lo, hi, op, c)]
        if bad:
            op, c = bad[0]
            if op in (">", ">=") or op == "=" and c > hi:
                why = f"`{name}` is at most {number(hi)}"
            elif op in ("<", "<=") or op == "=":
                why = f"`{name}` is at least {number(lo)}"
            else:
                why = f"`{name}` is always {number(lo)}"
        elif logic.never_true(node):
            why = f"the rules of `{name}` that would give it cannot all hold for one lead"
        else:
            continue
        diags.add("W123", node.span, f"`{ctx.text(node)}` can never be true: {why}",
                  f"by its rules and caps `{name}` {span(lo, hi)}: change the threshold, or the points of its rules")


def span(lo: float, hi: float) -> str:
    """The range of a score, in words."""
    if math.isinf(lo) and math.isinf(hi):
        return "can take any value"
    if math.isinf(hi):
        return f"is at least {number(lo)}, with no upper limit"
    if math.isinf(lo):
        return f"is at most {number(hi)}, with no lower limit"
    return f"lies between {number(lo)} and {number(hi)}"
