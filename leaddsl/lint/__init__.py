"""The lint pass: warnings (W1xx) and information (I1xx) about a compiled program.

One rule per module; each module's docstring is its documentation (what it
finds, why it matters, an example, the fix) and registers its code in
``leaddsl.codes`` through ``docs.register_doc``. A rule is a function
``(ctx, diags)`` decorated with ``@rule``; ``ctx`` is a
:class:`~leaddsl.lint.context.LintContext` (the program, its conditions and,
on first use, their z3 encoding). ``# leaddsl: ignore[CODE]`` on a line
silences that code there; an ignore that names an unknown code or silences
nothing is itself reported (``suppress``). The pass has a wall-clock budget
(``budget``); when it runs out, the checks left are skipped (never a finding)
and the result's ``note`` says the lint was incomplete.

The catalogue (``leaddsl rule`` prints each one's documentation):

====  ===========================  =======  ==========================================
code  slug                         level    module
====  ===========================  =======  ==========================================
W101  never-true                   warning  never_true
W102  redundant-clause             warning  redundant
W103  always-true                  warning  always_true
W104  stage-not-implied            warning  stage_order
W105  equivalent-definitions       warning  equivalent
W106  unused-let                   warning  unused
W107  unused-metric                warning  unused
I108  unused-field                 info     unused
I109  unused-event                 info     unused
W110  missing-excluded             warning  missing_excluded
W111  number-out-of-scale          warning  magnitude
W112  regex-unescaped-dot          warning  regex_dot
W113  regex-only-empty             warning  regex_empty
W114  regex-plain-word             warning  regex_word
W115  effective-date-unchanged     warning  agreement (check --against, diff)
W116  review-overdue               warning  agreement
W120  route-rule-shadowed          warning  route_order
W121  route-fallback-unreachable   warning  route_order
W122  route-first-rule-takes-all   warning  route_order
W123  score-threshold-unreachable  warning  score_threshold
W124  band-unreachable             warning  band_unreachable
W125  score-rule-never-given       warning  score_rule
W190  unknown-ignore               warning  suppress
W191  unused-ignore                warning  suppress
====  ===========================  =======  ==========================================
"""
from __future__ import annotations

import os

from ..diagnostics import Diagnostics, sort_key

RULES: list = []  # functions (ctx, diags) -> None, registered by the rule modules

# A rule that fails on an unexpected program must not break `check` or `lint()`
# (SPEC section 7: the library raises only DslError and DataError): its findings
# are dropped. Tests set STRICT (or LEADDSL_LINT_STRICT=1) to see the error.
STRICT = bool(os.environ.get("LEADDSL_LINT_STRICT"))


def rule(fn):
    RULES.append(fn)
    return fn


# the rule modules register their codes and functions (order: the order they run)
from . import suppress  # noqa: E402
from . import never_true, always_true, redundant, stage_order, equivalent  # noqa: E402,F401
from . import missing_excluded, magnitude, regex_dot, regex_empty, regex_word, unused  # noqa: E402,F401
from . import agreement  # noqa: E402,F401
from . import score_threshold, score_rule, band_unreachable, route_order  # noqa: E402,F401
from .budget import Budget  # noqa: E402
from .context import LintContext  # noqa: E402
from .suppress import suppressions  # noqa: E402,F401


class Findings(list):
    """The diagnostics of a lint pass; ``note`` says when the pass was incomplete
    (its budget ran out: findings may be missing), else it is None."""
    note: str | None = None


def lint_program(program, select=None, budget: float | Budget | None = None, as_of=None) -> Findings:
    """Every warning and info about ``program`` (sorted), suppressions applied.

    ``select``: only run the rules whose function name is in it (tests).
    ``budget``: seconds of wall clock for the whole pass, or a :class:`Budget`
    (default: ``budget.BUDGET_SECONDS``, or ``LEADDSL_LINT_BUDGET``).
    ``as_of``: the time a review date is compared with (W116; default now, UTC)."""
    budget = budget if isinstance(budget, Budget) else Budget(budget)
    ctx = LintContext(program, budget, as_of)
    diags = Diagnostics()
    for fn in RULES:
        if select is None or fn.__name__ in select:
            mark = len(diags)
            try:
                fn(ctx, diags)
            except Exception:
                if STRICT:
                    raise
                del diags[mark:]
    found = [d for d in program.diagnostics if d.severity != "error"] + list(diags)
    # an incomplete pass cannot tell an unused ignore from one whose finding was skipped
    kept = suppress.apply(found, program.sources, ctx.statement_spans(), unused=not budget.ran_out)
    out = Findings(sorted(kept, key=sort_key))
    out.note = budget.note()
    return out
