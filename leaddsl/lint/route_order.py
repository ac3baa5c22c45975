"""W120, W121, W122: route rules that can never be chosen.

A route takes, for a lead of its definition, the first rule whose condition is
true, else the fallback. How: for each rule in order, z3 must prove that no
record makes the route's lead definition true, the rule's condition true and
every earlier rule's condition not true (unknown counts as not true, as in the
evaluator); then the rule is never chosen (W120). The fallback is never
reached when no record of the lead has every rule not true (W121). When the
first rule alone already holds for every lead of the definition (W122), the
later rules and the fallback follow from it and are not reported one by one.
A route for a definition that can never be true is left to W101, and nothing is
reported when the solver cannot settle a question.

W120 route-rule-shadowed (warning)
----------------------------------
What it finds: A rule of a route that can never be chosen: whenever its
condition holds for a lead of the route's definition, an earlier rule's holds
too (`na_team when hq_country = US` after `americas when hq_country in {US, CA}`),
or its condition never holds for such a lead.

Why it matters: The first rule that matches wins, so the leads meant for the
later target go elsewhere: the NA team never gets a lead and nobody sees an
error, only an empty queue.

Example::

    field hq_country: enum(US, CA, UK, DE)
    lead mql when hq_country is present
    route owner for mql {
        americas when hq_country in {US, CA}
        na_team when hq_country = US
        else inbound_queue
    }

Fix: Put the narrower rule first (`na_team when hq_country = US` before
`americas when ...`), narrow the earlier rule, or remove the rule that can
never be chosen.

W121 route-fallback-unreachable (warning)
-----------------------------------------
What it finds: The `else` target of a route that no lead reaches, because for
every lead of the route's definition some rule already holds.

Why it matters: The fallback is where the team expects the leads nobody
claimed; when the rules cover everything, the fallback queue is dead and the
last rule quietly catches leads that were meant for it.

Example::

    field region: enum(emea, americas)
    lead mql when region is present
    route owner for mql {
        emea_team when region = emea
        americas_team when region = americas
        else inbound_queue
    }

Fix: If the last rule is meant to catch the rest, make it the fallback
(`else americas_team`); otherwise narrow the rules so the fallback gets the
leads it is for.

W122 route-first-rule-takes-all (warning)
-----------------------------------------
What it finds: A route whose first rule holds for every lead of its
definition, so every lead gets the same target and the other rules and the
fallback are never used.

Why it matters: The route routes nothing: a rule meant as a narrow exception
(`vip_team when revenue >= 0`) sends the whole definition to one queue.

Example::

    field region: enum(emea, americas)
    lead mql when region is present
    route owner for mql {
        emea_team when region is present
        americas_team when region = americas
        else inbound_queue
    }

Fix: Correct the first rule's condition so that it selects only the leads it
is for, or, if one target is meant for all, write just the fallback:
`route owner for mql { else emea_team }`.
"""
from __future__ import annotations

from . import rule
from .docs import register_doc

register_doc(__doc__)


@rule
def route_order(ctx, diags):
    if not ctx.scope.routes:
        return
    from .encode import AND, NOT
    logic = ctx.logic
    enc = logic.enc
    for name, decl in ctx.scope.routes.items():
        if ctx.budget.out():
            return
        lead_decl = ctx.scope.leads.get(decl.lead.name)
        if lead_decl is None or not decl.rules or logic.never_true(lead_decl.expr) is not False:
            continue  # a definition that can never be true: W101 (or the solver gave up)
        lead = enc.lead(decl.lead.name).t
        conds = [logic.cond(r.expr).t for r in decl.rules]
        if logic.unsat(lead, NOT(conds[0])):
            first = decl.rules[0]
            diags.add("W122", first.target.span,
                      f"every lead of `{decl.lead.name}` goes to `{first.target.name}`: the first rule of route "
                      f"`{name}` holds for all of them", "correct its condition, or write the one target as the "
                      f"fallback: `route {name} for {decl.lead.name} {{ else {first.target.name} }}`")
            continue
        for i, r in enumerate(decl.rules[1:], 1):
            if ctx.budget.out():
                return
            if logic.unsat(lead, conds[i]):
                why = f"its condition is never true for a lead of `{decl.lead.name}`"
            elif logic.unsat(lead, conds[i], *[NOT(c) for c in conds[:i]]):
                j = next((j for j in range(i) if logic.unsat(lead, conds[i], NOT(conds[j]))), None)
                why = (f"whenever it holds, the earlier rule for `{decl.rules[j].target.name}` "
                       f"(line {decl.rules[j].span.line}) holds too" if j is not None else
                       "whenever it holds, an earlier rule holds too")
            else:
                continue
            diags.add("W120", r.target.span,
                      f"the rule for `{r.target.name}` in route `{name}` can never be chosen: {why}",
                      "put the narrower rule first, narrow the earlier rule, or remove this one")
        if logic.unsat(lead, AND(*[NOT(c) for c in conds])):
            diags.add("W121", decl.fallback.span,
                      f"the fallback `{decl.fallback.name}` of route `{name}` is never reached: a rule holds for "
                      f"every lead of `{decl.lead.name}`",
                      "make the last rule's target the fallback if it is meant to take the rest, or narrow the rules")
