"""W111: a number off by orders of magnitude next to the others for that field.

How: the numbers compared with each number field (or event property), through
`=`, `<`..., `between` and `in`, also through a `let` that is a number, are
collected over the program. One is reported when all the others (at least two:
with two numbers the linter cannot tell which is off) are 1000x away in the
same direction; zero is never reported. The hint offers the same digits at the
scale of the others (`300M`).

Alone, a number is reported only for a declared number field that names an
amount of money: its name and its `from` column, split into words
(`annual_revenue`, `AnnualRevenue`, "Annual Revenue (USD)"), are made only of
amount words (revenue, arr, funding, valuation, turnover, budget) and plain
modifiers (annual, total, estimated, usd...), with one amount word at least;
or the column is and the name has no word of a unit, a scale or a count
(`rev_m`, "Revenue (M)", "Revenue in millions", `revenue_growth`,
`employees` stay silent). Such a field compared through `<`, `<=`, `>`, `>=` or
`between` with a positive number written without a suffix below 10,000
(1,000 for a budget) is reported: a company's revenue is not $300. Not in a
condition that can never be true (W101 says more).

W111 number-out-of-scale (warning)
----------------------------------
What it finds: A number compared with a number field that is at least 1000
times smaller or larger than every other number (two at least) the program
compares with that field: `revenue >= 300` next to `100M` and `300M`. Also a
lone number below 10,000 (1,000 for a budget) compared with a field whose name
or `from` column says it is an amount of money (`revenue`, `annual_revenue`,
`arr`, `budget`, `from "Annual Revenue"`) and names no unit (`revenue_m`,
`from "Revenue (M)"` are silent): `revenue >= 300` on its own.

Why it matters: A dropped suffix (`300` for `300M`) or an extra one (`50M`
employees for `50k`) turns a filter into one that lets everybody in, or nobody,
and it reads as plausible in review.

Example::

    field revenue: number
    lead big when revenue >= 300M
    lead mid when revenue >= 100M and revenue < 300M
    lead small when revenue >= 300
    lead tiny when revenue < 50

Fix: Write the number with its suffix (`300M`; numbers take `k`, `M`, `B`, `T`),
or, if the data is in thousands or millions, say so in the field's name
(`revenue_m`; a column named "Revenue (M)" says it too); if the value is right, silence the line with `# leaddsl: ignore[W111]`.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

from ..front import nodes as n
from ..front.check import FieldRef, LetRef
from .. import types as T
from . import rule
from .docs import register_doc

register_doc(__doc__)

FACTOR = 1000
_SUFFIXES = (("T", 10**12), ("B", 10**9), ("M", 10**6), ("k", 10**3))


@rule
def number_out_of_scale(ctx, diags):
    found: dict[tuple, list[n.Number]] = {}
    labels: dict[tuple, str] = {}
    for node in ctx.nodes:
        for field_node, lits in _comparisons(ctx, node):
            key_label = ctx.number_field(field_node)
            if key_label is None:
                continue
            key, label = key_label
            labels[key] = label
            found.setdefault(key, []).extend(lits)
    reported: set[int] = set()
    for key, lits in found.items():
        lits = list({id(x): x for x in lits}.values())  # a let's number counts once
        sizes = sorted(abs(x.value) for x in lits if x.value != 0)
        if len(sizes) < 3:
            continue  # each needs two others
        for lit in lits:
            v = abs(lit.value)
            if v == 0:
                continue
            # the smallest and largest of the others: drop one copy of v from the ends
            lo = sizes[1] if sizes[0] == v else sizes[0]
            hi = sizes[-2] if sizes[-1] == v else sizes[-1]
            if lo >= FACTOR * v:
                side = "smaller"
            elif hi * FACTOR <= v:
                side = "larger"
            else:
                continue
            diags.add("W111", lit.span,
                      f"`{_show(lit)}` is over {FACTOR}x {side} than the other `{labels[key]}` numbers "
                      f"({_fmt(lo)} to {_fmt(hi)})",
                      _hint(lit.value, lo, hi))
            reported.add(id(lit))
    _lone_amounts(ctx, diags, reported)


# ------------------------------------------------- a lone amount of money ----
_AMOUNT = {"revenue": 10_000, "revenues": 10_000, "arr": 10_000, "funding": 10_000,
           "valuation": 10_000, "turnover": 10_000, "budget": 1_000}
_PLAIN = {"annual", "yearly", "total", "company", "estimated", "est", "reported", "current",
          "expected", "approx", "approximate", "gross", "usd", "eur", "gbp", "the", "of"}
_NOT_MONEY = {
    # a unit or a scale
    "k", "m", "mm", "mn", "b", "bn", "t", "tn", "kk", "000", "000s", "thousand", "thousands",
    "million", "millions", "billion", "billions", "kusd", "musd", "busd", "usdk", "usdm", "in",
    # a count, a rate, a band
    "growth", "rate", "pct", "percent", "percentage", "ratio", "rank", "score", "count", "num",
    "number", "index", "yoy", "mom", "qoq", "change", "delta", "multiple", "per", "share",
    "margin", "bucket", "band", "tier", "range", "category", "class", "size", "log", "employees",
    "headcount", "years", "year", "months", "month", "days", "age", "rounds", "round", "code", "id"}


def _words(text: str) -> list[str]:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w]


def _money(words) -> bool:
    return bool(words) and all(w in _AMOUNT or w in _PLAIN for w in words) and \
        any(w in _AMOUNT for w in words)


def _amount_limit(info) -> int | None:
    """The limit below which a number is not this field's amount, or None."""
    name = _words(info.name)
    column = _words(info.column) if info.column is not None else []
    if set(name) & _NOT_MONEY or set(column) & _NOT_MONEY:
        return None
    if _money(name) and (info.column is None or all(w in _AMOUNT or w in _PLAIN for w in column)):
        words = name + column
    elif info.column is not None and _money(column):
        words = column
    elif getattr(info.options, "currency", None):  # `currency USD`: the file says it is an amount of money
        return min((_AMOUNT[w] for w in name + column if w in _AMOUNT), default=1_000)
    else:
        return None
    return min(_AMOUNT[w] for w in words if w in _AMOUNT)


def _lone_amounts(ctx, diags, reported):
    limits: dict[str, int | None] = {}
    for node in ctx.nodes:
        if isinstance(node, n.Compare) and node.op in ("<", "<=", ">", ">="):
            pairs = [(node.left, node.right), (node.right, node.left)]
        elif isinstance(node, n.Between):
            pairs = [(node.value, node.low), (node.value, node.high)]
        else:
            continue
        for side, other in pairs:
            lit = _number(ctx, other)
            b = ctx.binding(side) if isinstance(side, n.Name) else None
            if lit is None or id(lit) in reported or not isinstance(b, FieldRef):
                continue
            info = ctx.scope.fields[b.name]
            if info.type != T.NUMBER:
                continue
            if b.name not in limits:
                limits[b.name] = _amount_limit(info)
            limit = limits[b.name]
            if limit is None or not 0 < lit.value < limit or _suffixed(lit):
                continue
            root = ctx.root_of.get(id(node))
            if root is not None and ctx.logic.never_true(root.node):
                continue  # W101 says more
            reported.add(id(lit))
            what = f"`{b.name}`" + (f' (from "{info.column}")' if info.column is not None else "")
            diags.add("W111", lit.span,
                      f"`{_show(lit)}` is too small for {what}, an amount of money",
                      f"did you mean `{_show(lit)}k` or `{_show(lit)}M`? "
                      f"numbers take the suffixes k, M, B and T; if the data is in thousands or "
                      f"millions, say so in the field's name (`{b.name}_m`)")


def _suffixed(lit: n.Number) -> bool:
    return bool(lit.text) and lit.text.rstrip()[-1:] in ("k", "M", "B", "T")


def _comparisons(ctx, node):
    """(field side, [number literals]) of a comparison, between or `in`."""
    if isinstance(node, n.Compare):
        for a, b in ((node.left, node.right), (node.right, node.left)):
            lit = _number(ctx, b)
            if lit is not None:
                yield a, [lit]
    elif isinstance(node, n.Between):
        lits = [x for x in (_number(ctx, node.low), _number(ctx, node.high)) if x is not None]
        if lits:
            yield node.value, lits
    elif isinstance(node, n.In) and isinstance(node.collection, n.SetLit):
        lits = [x for x in node.collection.items if isinstance(x, n.Number)]
        if lits:
            yield node.value, lits


def _number(ctx, node):
    """The number literal of node, also through a `let` that is one."""
    for _ in range(16):
        if isinstance(node, n.Number) and not isinstance(node.value, bool):
            return node
        b = ctx.binding(node) if isinstance(node, n.Name) else None
        if isinstance(b, LetRef):
            node = ctx.scope.lets[b.name].expr
            continue
        return None
    return None


def _show(lit: n.Number) -> str:
    return lit.text or _fmt(lit.value)


def _fmt(value) -> str:
    for suffix, size in _SUFFIXES:
        if value >= size and value % size == 0:
            return f"{value // size:g}{suffix}" if isinstance(value, float) else f"{value // size}{suffix}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _hint(value, lo, hi) -> str:
    """Suggest the same digits with the scale of the other numbers."""
    center = math.log10(lo * hi) / 2
    best = None
    for k in range(-4, 5):
        if k == 0:
            continue
        scaled = Fraction(value) * Fraction(10) ** (3 * k)
        if scaled.denominator != 1 or not lo / 10 <= abs(scaled) <= hi * 10:
            continue
        distance = abs(math.log10(abs(scaled)) - center)
        if best is None or distance < best[0]:
            best = (distance, int(scaled))
    if best is not None:
        return f"did you mean `{_fmt(best[1])}`? numbers take the suffixes k, M, B and T"
    return "check the unit: numbers take the suffixes k, M, B and T (300M, not 300)"
