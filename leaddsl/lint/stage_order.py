"""W104: a later stage that does not imply the one before it.

W104 stage-not-implied (warning)
--------------------------------
What it finds: Two neighbours in `stages a < b` where some record makes `b` true
and `a` false (z3 finds one, missing values included): a lead could be an SQL
without being an MQL.

Why it matters: `stages` gives each lead the *last* stage whose definition
holds, so a lead that meets the SQL definition but not the MQL one skips the MQL
stage: it is never counted in the MQL numbers, never nurtured as one, and the
funnel's conversion rates stop adding up. Sales and marketing then argue about
leads that "came from nowhere".

Example::

    field revenue: number
    field seniority: ordinal(individual < manager < director < vp < c_level)
    stages mql < sql
    lead mql when revenue >= 300M
    lead sql when seniority >= vp

Fix: Build each stage on the one before it, `lead sql when mql and ...`, or
reorder the stages if the order is wrong.
"""
from __future__ import annotations

from . import rule
from .docs import register_doc

register_doc(__doc__)


@rule
def stage_not_implied(ctx, diags):
    scope = ctx.scope
    decl = scope.stages_decl
    if decl is None or len(scope.stages) < 2:
        return
    from .encode import NOT
    logic = ctx.logic
    spans = {nm.name: nm.span for nm in decl.names}
    for earlier, later in zip(scope.stages, scope.stages[1:]):
        a = logic.enc.lead(earlier)
        b = logic.enc.lead(later)
        if logic.sat(b.t, NOT(a.t)):
            diags.add("W104", spans[later],
                      f"a lead can be `{later}` without being `{earlier}`, so it skips the `{earlier}` stage",
                      f"build the stage on the one before it: `lead {later} when {earlier} and ...`, "
                      "or reorder the stages")
