"""The range of a score by interval arithmetic, comparisons of a score with a
number (what W123, ``score_threshold``, reports and W101 leaves to it), and how a
range is put in words. No solver and no plan here: the rules import this at load
time and use it before they ask z3 anything."""
from __future__ import annotations

import math

from ..front import nodes as n
from ..front.check import OutputRef

INF = math.inf


def rule_range(each: bool, points, cap) -> tuple[float, float]:
    """The least and greatest points one rule can give (an uncapped `each`: unbounded)."""
    if points == 0:
        return 0.0, 0.0
    if each:
        size = INF if cap is None else float(cap)
        return (0.0, size) if points > 0 else (-size, 0.0)
    return (0.0, float(points)) if points > 0 else (float(points), 0.0)


def bounds(rules, cap) -> tuple[float, float]:
    """The least and greatest value a score can take, as the evaluator sums it;
    ``rules``: (each, points, cap) of every rule, ``cap`` the score's `max`.

    Each rule's points lie between its bounds; the evaluator adds them in rule
    order with float additions, which are monotone in each operand, so the same
    additions of the bounds bound the total. The score's `max` caps it."""
    lo = hi = 0
    for each, points, rule_cap in rules:
        a, b = rule_range(each, points, rule_cap)
        lo += a
        hi += b
    lo, hi = float(lo), float(hi)
    if cap is not None:
        lo, hi = min(lo, cap), min(hi, cap)
    return lo, hi


def decl_range(decl: n.ScoreDecl) -> tuple[float, float]:
    """``bounds`` of a score statement (the AST: no plan, no solver)."""
    return bounds(((r.each, r.points, r.cap.value if r.cap is not None else None) for r in decl.rules),
                  decl.cap.value if decl.cap is not None else None)


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


def span(lo: float, hi: float) -> str:
    """The range of a score, in words."""
    if math.isinf(lo) and math.isinf(hi):
        return "can take any value"
    if math.isinf(hi):
        return f"is at least {number(lo)}, with no upper limit"
    if math.isinf(lo):
        return f"is at most {number(hi)}, with no lower limit"
    return f"lies between {number(lo)} and {number(hi)}"
