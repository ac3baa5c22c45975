"""W101: a condition, `let` or definition that can never be true.

How: every condition is encoded for z3 (``encode``) with missing values as they
are (a comparison with a missing value is unknown, not false), and W101 is
reported when z3 proves that no record makes it *true*. A condition true for
some record is never reported; when z3 gives up (200 ms per question, a budget
for the pass) nothing is. The outermost dead condition is reported: a
contradictory `and` names the clauses that contradict (an unsat core), a dead
branch of an `or` is reported on its own, a `let` or lead name at its definition.

W101 never-true (warning)
-------------------------
What it finds: A lead definition, `let`, `where` filter or clause that no record
can make true: contradictory thresholds (`revenue >= 300M and revenue < 100M`),
two values for one field, an empty `between` or set, an ordinal above its last
member, a set that contradicts an equality, a text compared with a missing marker
(`contact = "N/A"`: that value is read as missing, so no value equals it), also
through `let` and lead names.

Why it matters: A definition that can never be true routes no lead at all, and
nobody notices until sales asks why the MQL queue is empty. A dead clause inside
an `or` silently drops the leads it was written for.

Example::

    field revenue: number
    lead big when revenue >= 300M and revenue < 100M

Fix: Correct the operator or the threshold (`revenue >= 100M and revenue < 300M`),
swap the bounds of `between`, or use `or` where either condition should do. The
message names the clauses that contradict each other.
"""
from __future__ import annotations

from ..front import nodes as n
from ..logic import is_missing_marker
from . import rule
from .thresholds import threshold
from .tree import bool_children
from .docs import register_doc

register_doc(__doc__)


@rule
def never_true(ctx, diags):
    logic = ctx.logic
    for root in ctx.roots:
        if ctx.budget.out():
            return
        logic.settle_never_true(root.node)
        if root.kind in ("score", "route") and logic.never_true(root.node):
            continue  # the rule as a whole: W125 (points never given) or W120 (target never chosen)
        _visit(ctx, logic, root, root.node, diags)


def _visit(ctx, logic, root, node, diags):
    if not logic.never_true(node):
        for child in bool_children(node):
            _visit(ctx, logic, root, child, diags)
        return
    if isinstance(node, n.BoolOp):
        dead = [c for c in node.operands if logic.never_true(c)]
        if dead:  # an `or` of dead clauses, or an `and` with a dead clause: report those
            for c in dead:
                _visit(ctx, logic, root, c, diags)
            return
    if isinstance(node, n.Not) and logic.always_true(node.operand):
        return  # W103 reports the operand
    if ctx.is_ref(node) or isinstance(node, n.Bool):
        return  # reported at the let or lead itself; `false` is deliberate
    report(ctx, logic, root, node, diags)


def report(ctx, logic, root, node, diags):
    if threshold(ctx, node) is not None:
        return  # a score that never reaches the threshold: W123 says by how much
    what = root.describe() if node is root.node else f"`{ctx.text(node)}`"
    why, hint = reason(ctx, logic, root, node)
    diags.add("W101", node.span, f"{what} can never be true{why}", hint)


def reason(ctx, logic, root, node) -> tuple[str, str]:
    """(why, hint) of a condition that can never be true: the clauses that contradict."""
    why = ""
    hint = "check the operator and the value"
    if isinstance(node, n.BoolOp) and node.op == "and":
        core = logic.core(list(node.operands))
        if len(core) >= 2:
            names = [f"`{ctx.text(c, 40)}`" for c in core]
            if len(names) == 2:
                why = f": {names[0]} and {names[1]} cannot both be true"
            else:
                why = ": " + ", ".join(names[:-1]) + f" and {names[-1]} cannot all be true at once"
        hint = "a lead must meet every `and` clause at once: check the operators and thresholds, " \
               "or use `or` where either condition should do"
    elif isinstance(node, n.Between) and _reversed(node):
        why = ": the lower bound is above the upper bound"
        hint = f"write `{ctx.text(node.value)} between {ctx.text(node.high)} and {ctx.text(node.low)}`"
    elif isinstance(node, n.In) and isinstance(node.collection, n.SetLit) and not node.collection.items:
        why = ": the set is empty"
        hint = "list the values in the set"
    elif markers := _markers(node):
        found = [f"`{m}`" for m in markers]
        said = found[0] if len(found) == 1 else ", ".join(found[:-1]) + f" and {found[-1]}"
        one = len(found) == 1
        why = f": {said} {'is' if one else 'are'} read as missing, so no value equals {'it' if one else 'them'}"
        tested = node.left if isinstance(node, n.Compare) else node.value
        hint = f"test for no value with `{ctx.text(tested)} is missing`"
    elif root.kind == "where" and node is root.node:
        why = ", so no event passes it"
    return why, hint


def _markers(node) -> list[str]:
    """The missing markers (`N/A`, `null`, `-`, a blank text) a comparison compares with, when
    it compares with nothing else: `x = "N/A"`, `x in {"-", "null"}` (no present value is one)."""
    if isinstance(node, n.Compare) and node.op == "=":
        items = [node.right]
    elif isinstance(node, n.In) and not node.negated and isinstance(node.collection, n.SetLit):
        items = list(node.collection.items)
    else:
        return []
    texts = [x.value if isinstance(x, n.Text) else x.name if isinstance(x, n.Name) else None for x in items]
    return texts if texts and all(t is not None and is_missing_marker(t) for t in texts) else []


def _reversed(node: n.Between) -> bool:
    lo, hi = node.low, node.high
    try:
        return isinstance(lo, n.LITERALS) and isinstance(hi, n.LITERALS) and lo.value > hi.value
    except TypeError:
        return False
