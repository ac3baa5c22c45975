"""W115, W116: the agreement in the file's `definition` header kept honest.

W115 effective-date-unchanged (warning)
---------------------------------------
What it finds: The conditions of a definition file changed (a field, event,
metric, let, lead or stage statement differs; layout and comments do not count)
but the `effective` date in its `definition` header is the same as in the old
version. Reported by `leaddsl check --against OLD` and `leaddsl diff`, which
have the old version to compare with.

Why it matters: the effective date says which version of the agreement a lead
was judged by. Two versions with one date make every stamped result, report and
dispute ambiguous: sales cannot tell whether last month's MQLs were counted by
the old rules or the new ones.

Example::

    definition "Acme MQL" { effective: 2026-12-01 }
    field revenue: number
    lead mql when revenue >= 500M    # was: revenue >= 300M

Fix: Give the new version its own date, `effective: 2027-01-15` (and a new
`version`), once sales and marketing have agreed to it.

W116 review-overdue (warning)
-----------------------------
What it finds: The review date of the `definition` header (`review: 90d` after
the effective date, or `review: 2027-03-01`) is before the as-of time (now, or
`check --as-of`).

Why it matters: markets, products and territories change; a definition agreed
once and never looked at again drifts from what sales accepts, and the fight
over what a lead is starts again, this time about numbers nobody owns.

Example::

    definition "Acme MQL" { effective: 2020-01-01; review: 90d }
    field revenue: number
    lead mql when revenue >= 300M

Fix: Review the definition with both sides, then move the date on: a new
`effective` date (when the conditions change) or a later `review`.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from . import rule
from .docs import register_doc
from ..diagnostics import Diagnostic, Diagnostics
from ..front import nodes as n

register_doc(__doc__)


def conditions(program) -> Counter:
    """The program's statements but its header, as a multiset: equal when only the
    header, the order of statements, the layout or the comments differ."""
    return Counter(s for s in program.scope.statements if not isinstance(s, n.DefinitionDecl))


def _effective_span(decl: n.DefinitionDecl | None, agreement):
    for entry in getattr(decl, "entries", ()):
        if entry.key == "effective":
            return entry.values[0].span if entry.values else entry.span
    return agreement.span


def effective_unchanged(old, new, old_name: str = "the old version") -> list[Diagnostic]:
    """W115 for ``new`` against ``old`` (two Programs): empty unless the conditions
    differ and both headers give the same effective date."""
    a, b = old.scope.agreement, new.scope.agreement
    if a is None or b is None or a.effective is None or a.effective != b.effective:
        return []
    if conditions(old) == conditions(new):
        return []
    decl = next((s for s in new.scope.statements if isinstance(s, n.DefinitionDecl)), None)
    diags = Diagnostics()
    diags.add("W115", _effective_span(decl, b),
              f"the conditions changed since {old_name} but the effective date did not ({b.effective.isoformat()})",
              "give the new version its own `effective` date (and `version`) once both sides agree")
    return list(diags)


@rule
def review_overdue(ctx, diags):
    agreement = ctx.scope.agreement
    if agreement is None or agreement.review is None:
        return
    as_of = ctx.as_of.astimezone(dt.timezone.utc).date()
    if agreement.review < as_of:
        decl = next((s for s in ctx.scope.statements if isinstance(s, n.DefinitionDecl)), None)
        span = next((e.span for e in getattr(decl, "entries", ()) if e.key == "review"), agreement.span)
        days = (as_of - agreement.review).days
        diags.add("W116", span,
                  f"the review of \"{agreement.title}\" was due on {agreement.review.isoformat()}, "
                  f"{days} day(s) before {as_of.isoformat()}",
                  "review the definition with sales and marketing, then set a new `effective` date or a later "
                  "`review`")
