"""``leaddsl backtest DEFS DATA --outcome COLUMN``: how each definition, stage, band and
route value performed on history.

Every lead is evaluated as of its own time (``history.History``), so no later event
leaks in. For each *group* of leads an output selects (a definition that holds, a stage,
a band or route value) the counts: ``selected`` and ``reached`` (of those, how many
reached the outcome); ``precision`` = reached / selected; ``recall`` = reached / all the
leads that reached the outcome; ``lift`` = precision / base rate (the share of all leads
that reached it). Each comes with a Wilson interval (95% by default): scipy's
``binomtest(...).proportion_ci(method="wilson")`` when scipy is installed (the ``learn``
extra), else the same closed formula. The lift's interval is the precision's divided by
the base rate (which is measured on every lead, so taken as known).

A lead whose evaluation errs for an output (a bad value it reads) is counted in that
row's ``errors`` and left out of that row's counts (and of its base rate), never
silently: ``errors`` is shown beside the counts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist

from .history import History

SCHEMA = 1
NONE = "(none)"  # the group of leads with no stage, band or route value


def wilson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """The Wilson score interval of k successes in n trials (None when n = 0)."""
    if n <= 0:
        return None
    try:
        from scipy.stats import binomtest
    except ImportError:
        return wilson_formula(k, n, confidence)
    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def wilson_formula(k: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson's closed formula (E. B. Wilson, 1927), without scipy."""
    if n <= 0:
        return None
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = k / n
    denom = 1 + z * z / n
    center = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, center - half), min(1.0, center + half)


@dataclass
class Group:
    kind: str  # "definition" | "stage" | "band" | "route"
    name: str  # the output's name (for a stage: "stage")
    value: str | None  # the stage, band or route value (None for a definition)
    selected: int = 0
    reached: int = 0
    errors: int = 0
    judged: int = 0  # leads this output did not err for
    judged_reached: int = 0

    @property
    def label(self) -> str:
        return self.name if self.value is None else f"{self.name} = {self.value}"

    def measures(self, confidence: float) -> dict:
        precision = _ratio(self.reached, self.selected, confidence)
        recall = _ratio(self.reached, self.judged_reached, confidence)
        base = self.judged_reached / self.judged if self.judged else None
        if precision["value"] is None or not base:
            lift = {"value": None, "low": None, "high": None}
        else:
            lift = {"value": precision["value"] / base, "low": precision["low"] / base,
                    "high": precision["high"] / base}
        return {"precision": precision, "recall": recall, "lift": lift, "base_rate": base}

    def to_dict(self, confidence: float) -> dict:
        return {"kind": self.kind, "name": self.name, "value": self.value, "selected": self.selected,
                "reached": self.reached, "errors": self.errors, **self.measures(confidence)}


def _ratio(k: int, n: int, confidence: float) -> dict:
    ci = wilson(k, n, confidence)
    return {"value": k / n if n else None, "low": ci[0] if ci else None, "high": ci[1] if ci else None}


class Tally:
    """Counts per group, fed one evaluated lead at a time (``add(result, reached)``)."""

    def __init__(self, program):
        self.program = program
        self.groups: dict[tuple, Group] = {}
        for name in program.definitions:
            self.groups[("definition", name, None)] = Group("definition", name, None)
        for kind, names, values in (("stage", ("stage",) if program.stages else (), lambda _: program.stages),
                                    ("band", program.bands, self._band_members),
                                    ("route", program.routes, self._route_targets)):
            for name in names:
                for value in (*values(name), NONE):
                    self.groups[(kind, name, value)] = Group(kind, name, value)
        self.leads = 0
        self.reached = 0

    def _band_members(self, name):
        return tuple(self.program.plan.bands[name].members)

    def _route_targets(self, name):
        route = self.program.plan.routes[name]
        return tuple(dict.fromkeys([t for t, _ in route.rules] + [route.fallback]))

    def add(self, result, reached: bool) -> None:
        self.leads += 1
        self.reached += reached
        erred = bool(result.errors)
        for (kind, name, value), g in self.groups.items():
            got = result.get(name)
            if got is None and (kind == "definition" or erred):
                g.errors += 1  # a None with errors: the output needs a bad value
                continue
            g.judged += 1
            g.judged_reached += reached
            if (got is True) if kind == "definition" else ((got or NONE) == value):
                g.selected += 1
                g.reached += reached


@dataclass
class Backtest:
    definitions: str
    data: str
    outcome: str | None
    outcome_kind: str | None
    horizon: str | None
    as_of: str
    confidence: float
    leads: int = 0  # rows read
    evaluated: int = 0
    reached: int = 0
    groups: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    skipped_count: int = 0
    warnings: list = field(default_factory=list)

    @property
    def base_rate(self) -> float | None:
        return self.reached / self.evaluated if self.evaluated else None

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "definitions": self.definitions, "data": self.data, "outcome": self.outcome,
                "outcome_kind": self.outcome_kind, "horizon": self.horizon, "as_of": self.as_of,
                "confidence": self.confidence, "interval": "wilson", "leads": self.leads,
                "evaluated": self.evaluated, "reached": self.reached,
                "base_rate": _ratio(self.reached, self.evaluated, self.confidence),
                "groups": [g.to_dict(self.confidence) for g in self.groups],
                "skipped": {"count": self.skipped_count,
                            "rows": [{"line": n, "id": i, "reason": r} for n, i, r in self.skipped]},
                "warnings": self.warnings}


def finish(program_name: str, history: History, tally: Tally, confidence: float) -> Backtest:
    out = Backtest(program_name, history.data, history.outcome, history.kind,
                   (history.horizon or "90d") if history.kind == "date" else None,
                   history.describe_as_of(), confidence)
    out.leads, out.evaluated, out.reached = history.leads, tally.leads, tally.reached
    out.groups = [g for g in tally.groups.values() if g.kind == "definition" or g.selected or g.value != NONE]
    out.skipped, out.skipped_count, out.warnings = list(history.skipped), history.skipped_count, list(history.warnings)
    return out


def backtest(program, history: History, *, name: str = "DEFS", confidence: float = 0.95) -> Backtest:
    """Evaluate ``program`` on every lead of ``history`` at the lead's own as-of time and
    count, per definition, stage, band and route value, how many selected leads reached
    the outcome."""
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1, e.g. 0.95")
    tally = Tally(program)
    for lead in history:
        result = program.evaluate(lead.record, lead.as_of, events=lead.events, errors="return")
        tally.add(result, lead.reached)
    return finish(name, history, tally, confidence)


def _pct(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def _span(m: dict, pct: bool = True) -> str:
    if m["value"] is None:
        return "-"
    f = _pct if pct else (lambda v: f"{v:.2f}x")
    return f"{f(m['value'])} [{f(m['low'])}, {f(m['high'])}]"


def as_text(b: Backtest) -> str:
    lines = [f"backtest {b.definitions} on {b.data}: {b.leads:,} lead(s), {b.as_of}",
             f"outcome: `{b.outcome}`" + (f" within {b.horizon}" if b.horizon else "")
             + f": {b.reached:,} of {b.evaluated:,} reached it (base rate {_pct(b.base_rate)})",
             f"intervals: Wilson, {b.confidence:.0%}"]
    if b.skipped_count:
        lines.append(f"{b.skipped_count:,} row(s) could not be used:")
        lines.extend(f"  line {n}" + (f" (id {i})" if i is not None else "") + f": {r}" for n, i, r in b.skipped)
        if b.skipped_count > len(b.skipped):
            lines.append(f"  ... and {b.skipped_count - len(b.skipped):,} more")
    lines.extend(f"warning: {w}" for w in b.warnings)
    lines.append("")
    rows = [("group", "selected", "reached", "precision", "recall", "lift", "errors")]
    for g in b.groups:
        m = g.measures(b.confidence)
        rows.append((g.label, f"{g.selected:,}", f"{g.reached:,}", _span(m["precision"]), _span(m["recall"]),
                     _span(m["lift"], pct=False), f"{g.errors:,}" if g.errors else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    return "\n".join(lines)


__all__ = ["Backtest", "Group", "Tally", "backtest", "as_text", "wilson", "wilson_formula", "SCHEMA"]
