"""W103: a condition that is always true whenever its fields are present.

How: z3 must prove that every record in which the values the condition reads
(through `let` and lead names too) are present makes it true. A condition that
tests presence itself (`is missing`, `is present`, `is empty`) must hold for
every record, missing values included, or `x is present or y > 5` would be
"always true when x is present". `true` on its own is deliberate and not
reported; when z3 gives up nothing is.

W103 always-true (warning)
--------------------------
What it finds: A lead definition, `let`, `where` filter or clause that every
record makes true as soon as the values it reads are present:
`seniority >= individual` (the first member), `revenue >= 100M or revenue < 200M`,
`page_view(30d) >= 0`. At most it drops the leads where the value is missing.

Why it matters: An always-true clause is almost always a wrong operator or
threshold (`>=` for `<=`, `or` for `and`); the definition lets through leads the
team meant to keep out, and a reviewer reading the clause believes it filters.

Example::

    field seniority: ordinal(individual < manager < director < vp < c_level)
    lead senior when seniority >= individual

Fix: Correct the operator, the threshold or the member (`seniority >= vp`). If
the clause is meant to require a value, say so: `seniority is present`.
"""
from __future__ import annotations

from ..front import nodes as n
from . import rule
from .tree import bool_children
from .docs import register_doc

register_doc(__doc__)


@rule
def always_true(ctx, diags):
    logic = ctx.logic
    for root in ctx.roots:
        if ctx.budget.out():
            return
        logic.settle_always_true(root.node)
        _visit(ctx, logic, root, root.node, diags)


def _visit(ctx, logic, root, node, diags):
    if isinstance(node, n.Bool):
        return
    if not logic.always_true(node):
        for child in bool_children(node):
            _visit(ctx, logic, root, child, diags)
        return
    if isinstance(node, n.BoolOp):
        full = [c for c in node.operands if not isinstance(c, n.Bool) and logic.always_true(c)]
        if node.op == "or" and full or node.op == "and":
            for c in full:  # the clauses that make it so
                _visit(ctx, logic, root, c, diags)
            return
    if isinstance(node, n.Not) and logic.never_true(node.operand):
        return  # W101 reports the operand
    if ctx.is_ref(node):
        return  # reported at the let or lead itself
    report(ctx, logic, root, node, diags)


def report(ctx, logic, root, node, diags):
    what = root.describe() if node is root.node else f"`{ctx.text(node)}`"
    vals = logic.enc.assumable(logic.cond(node).vars)
    if not vals or logic.cond(node).tests or logic.valid(node):
        diags.add("W103", node.span, f"{what} is always true",
                  "it selects nothing: check the operator, the threshold or the member, or remove it")
        return
    names = _names([v.label for v in vals])
    subject = "leads" if root.kind != "where" else "events"
    diags.add("W103", node.span,
              f"{what} is always true when {names} {'is' if len(vals) == 1 else 'are'} present",
              f"it only excludes {subject} where {names} {'is' if len(vals) == 1 else 'are'} missing: "
              "check the operator, the threshold or the member; to require a value write "
              + " and ".join(f"`{v.label} is present`" for v in vals[:3]))


def _names(labels: list[str]) -> str:
    quoted = [f"`{x}`" for x in labels]
    if len(quoted) <= 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
