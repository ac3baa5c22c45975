"""W105: two lead definitions that hold for exactly the same records.

How: definitions that can never be true (W101) are left out, and only those
that read the same values are compared (so `a` and `a or (a and b)` are not);
the models z3 found for W101/W103 split those groups, and z3 proves each pair
that is left (at most 200 proofs per program).

W105 equivalent-definitions (warning)
-------------------------------------
What it finds: Two `lead` definitions that z3 proves true for exactly the same
records, however differently they are written: `revenue >= 300M` and
`revenue between 300M and 1T or revenue > 1T`.

Why it matters: Two names for one set of leads double-count in reports and
invite the two copies to drift apart when one is edited. Usually one of them was
meant to be stricter (an SQL that is just the MQL again).

Example::

    field revenue: number
    lead big when revenue >= 300M
    lead large when revenue between 300M and 1T or revenue > 1T

Fix: Remove one of the two and use the other's name, or make the one that was
meant to differ say what it should.
"""
from __future__ import annotations

from . import rule
from .docs import register_doc

register_doc(__doc__)

MAX_PROOFS = 200  # z3 equivalence queries per program, after the models split the candidates


@rule
def equivalent_definitions(ctx, diags):
    scope = ctx.scope
    if len(scope.leads) < 2:
        return
    logic = ctx.logic
    names = [name for name, decl in scope.leads.items() if logic.never_true(decl.expr) is False]
    # definitions that read different values are (but for absorbed clauses) different:
    # only those that read the same ones are compared
    buckets: dict[frozenset, list[str]] = {}
    for name in names:
        buckets.setdefault(logic.enc.lead(name).vars, []).append(name)
    groups = [g for g in buckets.values() if len(g) > 1]
    t = {name: logic.enc.lead(name).t for g in groups for name in g}
    pool = []
    for name in t:
        expr = scope.leads[name].expr
        for models in (logic.true_models, logic.false_models):
            if id(expr) in models:
                pool.append(models[id(expr)])
    for m in pool:
        if not groups:
            return
        groups = _split(logic, groups, t, m)
    budget = MAX_PROOFS
    while groups and budget > 0:
        g = groups.pop()
        rep = g[0]
        if logic.valid(scope.leads[rep].expr):
            continue  # always true: W103 says so
        for x in g[1:]:
            budget -= 1
            r, m = logic.check(t[rep] != t[x], model=True)
            if r is False:
                _report(ctx, diags, rep, x)
                g = [y for y in g if y != x]
            elif r is True:  # the model tells them apart: split what is left
                groups.extend(_split(logic, [g], t, m))
                break
            else:
                g = [y for y in g if y != x]  # z3 gave up on this pair
            if budget <= 0:
                break


def _split(logic, groups, t, m):
    out = []
    for g in groups:
        yes, no = [], []
        for name in g:
            (yes if logic.holds(m, t[name]) else no).append(name)
        out.extend(x for x in (yes, no) if len(x) > 1)
    return out


def _report(ctx, diags, a, b):
    da, db = ctx.scope.leads[a], ctx.scope.leads[b]
    first, second = (da, db) if (da.span.file, da.span.start) <= (db.span.file, db.span.start) else (db, da)
    where = f"line {first.span.line}" if first.span.file == second.span.file else \
        f"{first.span.file}:{first.span.line}"
    diags.add("W105", second.name_span,
              f"lead `{second.name}` is true for exactly the same leads as `{first.name}` ({where})",
              f"remove one and use the other's name, or make `{second.name}` say how it should differ")
