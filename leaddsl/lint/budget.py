"""The lint pass's time budget: wall-clock time for the whole pass.

Time in z3 is not the only cost of a large program (building formulas,
comparing definitions, splitting groups by models all take time in Python), so
the budget is a deadline on the clock, read before every z3 query and at the
head of every loop of the rules that can be long. Once it has passed, every
query is skipped (its answer is "don't know", which never makes a finding) and
the long loops stop; the result says that the lint was incomplete.

The default is ``BUDGET_SECONDS``; ``LEADDSL_LINT_BUDGET`` (seconds) in the
environment or ``lint_program(program, budget=...)`` changes it. Tests pass a
``clock`` to make it deterministic.
"""
from __future__ import annotations

import os
import time

BUDGET_SECONDS = 5.0


def default_seconds() -> float:
    value = os.environ.get("LEADDSL_LINT_BUDGET")
    try:
        return float(value) if value else BUDGET_SECONDS
    except ValueError:
        return BUDGET_SECONDS


class Budget:
    def __init__(self, seconds: float | None = None, clock=time.perf_counter):
        self.seconds = default_seconds() if seconds is None else seconds
        self.clock = clock
        self.deadline = clock() + self.seconds
        self.asked = 0          # z3 queries allowed
        self.skipped = 0        # z3 queries refused because the time was up
        self.ran_out = False    # something was skipped: the lint is incomplete

    def left(self) -> float:
        return self.deadline - self.clock()

    def out(self) -> bool:
        """The time is up (and so whatever the caller was about to do is skipped)."""
        if self.left() > 0:
            return False
        self.ran_out = True
        return True

    def ask(self) -> bool:
        """May one more z3 query run? Counts the answer."""
        if self.out():
            self.skipped += 1
            return False
        self.asked += 1
        return True

    def note(self) -> str | None:
        """What to tell the user when the lint is incomplete (None when it is not)."""
        if not self.ran_out:
            return None
        return (f"lint incomplete: its {self.seconds:g} s budget ran out after {self.asked} solver queries, "
                "so some checks were skipped and findings may be missing "
                "(give it more seconds with `leaddsl check --lint-budget` or LEADDSL_LINT_BUDGET)")
