"""W105: two lead definitions that hold for exactly the same records.

How: definitions that can never be true (W101) are left out, and only those
that read the same values are compared (so `a` and `a or (a and b)` are not).
Each group is split by a model z3 finds where its definitions disagree (about a
third of them true, if it can, so that a group of n needs about n queries and
n log n evaluations in all, not n squared); a group z3 proves cannot disagree
is a set of equivalent definitions. The pass's time budget bounds the queries.

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

SAMPLE = 256  # definitions of one group a splitting query is about


@rule
def equivalent_definitions(ctx, diags):
    scope = ctx.scope
    if len(scope.leads) < 2 or ctx.budget.out():
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
    while groups:
        if ctx.budget.out():
            return
        g = groups.pop()
        r, m = _disagree(logic, [t[x] for x in g])
        if r:
            yes, no = [], []
            for name in g:
                (yes if logic.holds(m, t[name]) else no).append(name)
            groups.extend(x for x in (yes, no) if len(x) > 1)
        elif r is False and not logic.valid(scope.leads[g[0]].expr):  # always true: W103 says so
            for x in g[1:]:
                _report(ctx, diags, g[0], x)


def _disagree(logic, ts):
    """(True, a model where some of ts are true and some not), or (False, None)
    when z3 proved they all agree, (None, None) when it gave up. The model has
    about a third at least each way when that is possible, so that splitting by
    models takes few rounds; in a large group that is asked of a sample spread
    over it (a query about thousands of definitions would time out)."""
    from .terms import AT_LEAST, AT_MOST
    sample = ts[::-(-len(ts) // SAMPLE)]
    k = len(sample) // 3
    if k > 1:
        r, m = logic.check(AT_LEAST(sample, k), AT_MOST(sample, len(sample) - k), model=True)
        if r:
            return r, m
    if len(sample) < len(ts):
        r, m = logic.check(AT_LEAST(sample, 1), AT_MOST(sample, len(sample) - 1), model=True)
        if r:
            return r, m
    return logic.check(AT_LEAST(ts, 1), AT_MOST(ts, len(ts) - 1), model=True)


def _report(ctx, diags, a, b):
    da, db = ctx.scope.leads[a], ctx.scope.leads[b]
    first, second = (da, db) if (da.span.file, da.span.start) <= (db.span.file, db.span.start) else (db, da)
    where = f"line {first.span.line}" if first.span.file == second.span.file else \
        f"{first.span.file}:{first.span.line}"
    diags.add("W105", second.name_span,
              f"lead `{second.name}` is true for exactly the same leads as `{first.name}` ({where})",
              f"remove one and use the other's name, or make `{second.name}` say how it should differ")
