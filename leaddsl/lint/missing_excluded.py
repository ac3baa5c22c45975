"""W110: a negative condition that silently excludes leads with no value.

How: for `!=`, `not in` or `not (...)`, z3 looks for a record that makes it
unknown while no clause around it decides the result (a true clause of an
enclosing `or`, a false clause of an enclosing `and`), from the condition up to
the definition, through `let` names into every definition that uses them (up to
16 ways up). A value that cannot be missing (a count, a lead name) is never
reported, nor a condition that is always true (W103) or in a definition that can
never be true (W101). Inside a `where` filter it is about events.

The hint's rewrites are proved before they are offered. Let N be the negation,
and the named blanks the values the hint names (at most three, each missing in
the record z3 found). `(b1 is missing or ... or N)` is offered only when z3
proves that no record has a named blank missing and N false. Then, for every
record, the rewrite is true exactly when N is true, or N is unknown and a named
blank is missing; and it is false exactly when N is false.
`(b1 is present and ... and N)` is offered only when z3 proves that no record
has a named blank missing and N true; then it is true exactly when N is true,
and false exactly when N is false or (N unknown and) a named blank is missing.
Either rewrite thus agrees with N on every record where N is true or false,
and since `and`, `or` and `not` give the same known result from the same known
operands, the definition (and every definition using a rewritten `let`) keeps
every verdict it reaches on present values: only leads it left out as unknown
can change (and, as with any change to a lead, a condition that names that
lead sees them too). When a proof fails or z3 gives up (`not excluded` where
`excluded = status in {lost} or lifecycle = customer` is false for a customer
with no status), a blank is not a plain name of a scalar value (an aggregate, a
list), or the text is shortened, the hint names the blanks without a rewrite.

W110 missing-excluded (warning)
-------------------------------
What it finds: `!=`, `not in` or `not (...)` over a value that can be missing,
where a missing value leaves the lead out: `status != customer` does not hold
for a lead with no status. Not reported when the definition already says what a
missing value means (`status is missing or status != customer`).

Why it matters: CRM filters (HubSpot, Salesforce, Marketo) usually *include*
blank values in "is not" or "is none of" filters; leaddsl follows SQL, where a
missing value is unknown and unknown is not true. A sales-ops person moving a
filter over gets a definition that quietly drops every lead with an empty cell.

Example::

    field status: enum(open, customer, lost_customer)
    lead prospect when status != customer

Fix: Say what a missing value means. To include those leads:
`(status is missing or status != customer)`; to exclude them on purpose:
`(status is present and status != customer)`. The hint offers such a rewrite
only when it is proved to keep every lead the condition decides; otherwise
(`not excluded` where `excluded` is also true for a customer with no status) it
names the blanks to handle where they are compared.
"""
from __future__ import annotations

import re

from ..front import nodes as n
from . import rule
from .docs import register_doc

register_doc(__doc__)

MAX_PATHS = 16  # ways up through `let` names checked per condition


def _negative(node) -> bool:
    return (isinstance(node, n.Compare) and node.op == "!=") or \
        (isinstance(node, n.In) and node.negated) or isinstance(node, n.Not)


@rule
def missing_excluded(ctx, diags):
    logic = ctx.logic
    for root in ctx.roots:
        if ctx.budget.out():
            return
        if logic.never_true(root.node):
            continue  # W101 says more
        _visit(ctx, logic, root, root.node, diags)


def _visit(ctx, logic, root, node, diags):
    if logic.always_true(node):
        return  # W103 reports it (and that it only excludes missing values)
    if _negative(node) and _check(ctx, logic, root, node, diags):
        return  # one warning per negation, the outermost
    if isinstance(node, n.BoolOp):
        for c in node.operands:
            _visit(ctx, logic, root, c, diags)
    elif isinstance(node, n.Not):
        _visit(ctx, logic, root, node.operand, diags)


def _check(ctx, logic, root, node, diags) -> bool:
    from .encode import AND, FALSE, NOT, OR
    c = logic.cond(node)
    vals = logic.enc.assumable(c.vars)
    if not vals:
        return False
    for path, top in _paths(ctx, node):
        guards = [c.unknown]
        if top is not None and top.kind == "route" and top.name in ctx.scope.routes:
            lead = ctx.scope.routes[top.name].lead.name  # a route's rules are tried for its leads only
            guards.append(logic.enc.lead(lead).t if lead in ctx.scope.leads else FALSE)
        for child, parent in path:
            if isinstance(parent, n.BoolOp):
                siblings = [logic.cond(s) for s in parent.operands if s is not child]
                # `or`: a true sibling decides; `and`: a false one does
                guards.append(NOT(OR(*[s.t if parent.op == "or" else s.f for s in siblings])))
        r, m = logic.check(AND(*guards), model=True)
        if r:
            missing = [v for v in vals if not logic.holds(m, v.present)] or vals
            _report(ctx, logic, root, node, missing[:3], diags)
            return True
    return False


def _paths(ctx, node):
    """Each way up from node to the definition that uses it: ([(child, parent)...], the
    root it ends in), through `and`, `or`, `not` and, from a let's root, into every use
    of the let."""
    out = []
    stack = [(node, [], 0)]
    while stack and len(out) < MAX_PATHS:
        x, path, depth = stack.pop()
        parent = ctx.parent.get(id(x))
        if isinstance(parent, (n.BoolOp, n.Not)):
            stack.append((parent, path + [(x, parent)], depth))
            continue
        root = ctx.root_of.get(id(x))
        if parent is None and root is not None and root.kind == "let" and x is root.node \
                and ctx.uses.get(root.name) and depth < 32:
            for use in ctx.uses[root.name]:
                stack.append((use, path, depth + 1))
            continue
        out.append((path, root if parent is None else None))
    return out


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def _nameable(ctx, logic, root, v) -> bool:
    """`label is missing`, written where the negation is, tests exactly v.present:
    a plain name of a scalar field, record key or property of this event."""
    kind = v.key[0]
    if kind not in ("field", "record", "prop") or v.key in logic.enc._lists or not _NAME.match(v.label):
        return False
    props = ctx.scope.events[root.event].props if root.kind == "where" and root.event in ctx.scope.events else {}
    if kind == "prop":
        return root.kind == "where" and v.key[1] == root.event and v.label in props
    return v.label not in props and v.label not in ctx.scope.lets and v.label not in ctx.scope.leads


def _rewrites(ctx, logic, root, node, named) -> tuple[bool, bool]:
    """(include, exclude): whether each rewrite is proved to agree with the
    negation wherever it is true or false (see the module docs)."""
    from .encode import OR, NOT
    if ctx.text(node, limit=10**6) != ctx.text(node) or \
            not all(_nameable(ctx, logic, root, v) for v in named):
        return False, False
    c = logic.cond(node)
    blank = OR(*[NOT(v.present) for v in named])
    include = logic.unsat(blank, c.f)
    exclude = logic.unsat(blank, c.t)
    return include, exclude


def _report(ctx, logic, root, node, named, diags):
    text = ctx.text(node)
    labels = [v.label for v in named]
    names = " or ".join(f"`{x}`" for x in labels)
    what = "events" if root.kind == "where" else "leads"
    include, exclude = _rewrites(ctx, logic, root, node, named)
    missing = " or ".join(f"{x} is missing" for x in labels)
    present = " and ".join(f"{x} is present" for x in labels)
    ways = []
    if include:
        ways.append(f"to include them write `({missing} or {text})`")
    if exclude:
        ways.append(f"to exclude them on purpose write `({present} and {text})`")
    advice = (f"say what a missing {names} means where it is compared, with `is missing` or "
              f"`is present` (wrapping `{text}` is not proved to keep the leads it decides "
              f"without {'them' if len(labels) > 1 else 'it'})")
    if include:
        hint = "; ".join(ways)
    elif exclude:  # the exclusion is proved, the inclusion is not
        hint = "; ".join(ways + ["to include them, " + advice])
    else:
        hint = advice
    outcome = {"score": "so they get none of its points", "route": "so this rule passes them by"}.get(
        root.kind, "so they are excluded")
    diags.add("W110", node.span, f"`{text}` is unknown for {what} with no {names}, {outcome}", hint)
