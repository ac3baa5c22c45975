"""W125: a score rule whose points can never be given.

How: z3 must prove that no record makes the rule's condition true (as W101
does for a definition, missing values as they are, through `let`, lead and
output names). The message names the clauses that contradict (an unsat core).
When the only reason is a score compared with a number it cannot reach, W123
reports that comparison instead. `each` rules have no condition: a count can
always have events. A rule whose condition z3 cannot settle is not reported.

W125 score-rule-never-given (warning)
-------------------------------------
What it finds: A rule of a score whose condition no lead can make true, so its
points are never given: a condition that contradicts itself
(`revenue >= 300M and revenue < 100M +10`), a member above the last of an
ordinal (`seniority > c_level +10`), a count below zero.

Why it matters: The score reads as if the rule counted; the team tunes the
other points and thresholds around it, and no lead ever gets those points.

Example::

    field revenue: number
    score fit {
        revenue >= 300M and revenue < 100M  +10
    }

Fix: Correct the operator, the threshold or the member so that the rule can
hold (`revenue >= 100M and revenue < 300M`), or remove the rule.
"""
from __future__ import annotations

from ..front import nodes as n
from . import rule
from .docs import register_doc
from .never_true import reason
from .thresholds import threshold

register_doc(__doc__)


@rule
def score_rule_never_given(ctx, diags):
    if not ctx.scope.scores:
        return
    logic = ctx.logic
    for root in ctx.roots:
        if root.kind != "score":
            continue
        if ctx.budget.out():
            return
        node = root.node
        if not logic.never_true(node) or isinstance(node, n.Bool):
            continue  # `false +10` switches a rule off on purpose
        core = logic.core(list(node.operands)) if isinstance(node, n.BoolOp) and node.op == "and" else [node]
        if core and all(threshold(ctx, c) is not None for c in core):
            continue  # a threshold the score cannot reach: W123
        why, hint = reason(ctx, logic, root, node)
        rule_node = _rule_of(ctx, root)
        points = _points(rule_node.points) if rule_node is not None else "points"
        diags.add("W125", node.span, f"this rule of score `{root.name}` never gives its {points}: "
                  f"its condition can never be true{why}", hint)


def _rule_of(ctx, root):
    for r in ctx.scope.scores[root.name].rules:
        if r.expr is root.node:
            return r
    return None  # pragma: no cover - every score root is a rule's condition


def _points(p) -> str:
    text = str(int(p)) if float(p).is_integer() else f"{p:g}"
    return ("+" if p >= 0 else "") + text
