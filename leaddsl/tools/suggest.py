"""``leaddsl suggest DATA --outcome COLUMN``: what in the history separates the leads that
reached the outcome from those that did not, and a definition that says it.

Transparent by construction: every candidate is a condition written in the language,
evaluated by the evaluator itself (each lead as of its own time, so no later event leaks
in), and scored with plain counts:

- *characteristics*: for each column, ``col = "value"`` for its common values (a column of
  at most 25 distinct values), and ``col >= t`` / ``col < t`` at the deciles of a number
  column (rounded to two significant digits, written as ``300M``);
- *actions*: the number of events of each type, and of each type with one property value
  (``count(page_view where page_category = "product")``), in the last 7, 30 and 90 days,
  at least 1, 2, 3, 5 or 10.

Each candidate gets its counts, precision, recall and lift with Wilson intervals, and is
ranked by the lower end of its lift's interval (a condition must be better than the base
rate *with confidence*, not by the luck of a small group); the list shows the best
condition of each column or event type. The proposal is built greedily: start from every
lead, add the condition (of a column or event type not used yet) that most raises the F1
score (the balance of precision and recall), stop when no condition raises it by half a
point or ``max_clauses`` is reached. It is compiled and linted before it is shown.

Why not scikit-learn's decision tree: a shallow tree finds the same conjunction here, but
its thresholds are midpoints between two data values (``revenue >= 297,415,008.5``), its
splits are chosen on impurity rather than on a count a person can check, and it brings a
heavy dependency; this search is a few dozen lines whose every step is a printed count.
Dates and free-text columns (more than 25 distinct values) are not used; the outcome,
the id and the as-of column never are (``exclude`` adds more, e.g. ``closed_at`` when the
outcome is ``closed_won``).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..api import compile as compile_program
from ..front.parser import KEYWORDS
from ..logic import fold, is_missing_marker
from ..values import BadValue, read_datetime, read_number
from .backtest import _ratio
from .history import History

SCHEMA = 1
WINDOWS = (7, 30, 90)
AT_LEAST = (1, 2, 3, 5, 10)
MAX_VALUES = 25  # a column with more distinct values is free text, not a characteristic
MAX_PROP_VALUES = 10
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class Candidate:
    kind: str  # "characteristic" | "action"
    family: str  # the column or event type: at most one condition of each in the proposal
    text: str  # the condition, in the language
    mask: int = 0  # bit i: lead i is selected
    selected: int = 0
    reached: int = 0

    def to_dict(self, total_reached: int, base: float, confidence: float) -> dict:
        precision = _ratio(self.reached, self.selected, confidence)
        lift = {k: (v / base if v is not None and base else None) for k, v in precision.items()}
        return {"kind": self.kind, "family": self.family, "condition": self.text, "selected": self.selected,
                "reached": self.reached, "precision": precision,
                "recall": _ratio(self.reached, total_reached, confidence), "lift": lift}


@dataclass
class Suggestion:
    data: str
    outcome: str
    as_of: str
    leads: int = 0
    evaluated: int = 0
    reached: int = 0
    confidence: float = 0.95
    ranked: list = field(default_factory=list)  # dicts, best first
    proposal: str = ""
    proposal_stats: dict = field(default_factory=dict)
    lint: list = field(default_factory=list)  # what the linter said about the proposal (text)
    skipped_columns: dict = field(default_factory=dict)  # column -> why it was not used
    skipped_count: int = 0
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "data": self.data, "outcome": self.outcome, "as_of": self.as_of,
                "leads": self.leads, "evaluated": self.evaluated, "reached": self.reached,
                "confidence": self.confidence, "ranked": self.ranked, "proposal": self.proposal,
                "proposal_stats": self.proposal_stats, "lint": self.lint, "skipped_columns": self.skipped_columns,
                "skipped_rows": self.skipped_count, "warnings": self.warnings}


def name(column: str) -> str:
    """A column as the language names it: bare, or in backticks."""
    return column if _IDENT.match(column) and column not in KEYWORDS else f"`{column}`"


def text_literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def number_literal(x: float) -> str:
    """Two significant digits, with the language's suffixes: 300M, 1.5B, 20k, 0.25."""
    if x == 0:
        return "0"
    x = float(f"{x:.2g}")
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:g}{suffix}"
    return f"{x:g}"


def _characteristics(records: list[dict], columns: list[str], min_support: int, skipped: dict) -> list[Candidate]:
    out = []
    for col in columns:
        raw = [r.get(col) for r in records]
        present = [v for v in raw if v is not None and not (isinstance(v, str) and (not v.strip() or is_missing_marker(v)))]
        if not present:
            skipped[col] = "always missing"
            continue
        if any(isinstance(v, (dict, list)) for v in present):
            skipped[col] = "not a single value"
            continue
        numbers = []
        for v in present:
            try:
                n = read_number(v) if not isinstance(v, bool) else None
            except BadValue:
                n = None
            if n is not None:
                numbers.append(n)
        distinct: dict[str, tuple[str, int]] = {}
        for v in present:
            key = fold(str(v))
            spelled, count = distinct.get(key, (str(v).strip(), 0))
            distinct[key] = (spelled, count + 1)
        if len(numbers) >= 0.9 * len(present) and len(distinct) > MAX_VALUES // 3:
            numbers.sort()
            cuts = sorted({float(f"{numbers[int(q * (len(numbers) - 1) / 10)]:.2g}") for q in range(1, 10)})
            for t in cuts:
                out.append(Candidate("characteristic", col, f"{name(col)} >= {number_literal(t)}"))
                out.append(Candidate("characteristic", col, f"{name(col)} < {number_literal(t)}"))
            continue
        if _dates(present):
            skipped[col] = "a date or time (not used)"
            continue
        if len(distinct) > MAX_VALUES:
            skipped[col] = f"{len(distinct):,} distinct values: free text, not a characteristic"
            continue
        for spelled, count in distinct.values():
            if count >= min_support:
                out.append(Candidate("characteristic", col, f"{name(col)} = {text_literal(spelled)}"))
    return out


def _dates(values) -> bool:
    hits = 0
    for v in values[:200]:
        try:
            hits += isinstance(v, str) and read_datetime(v) is not None
        except BadValue:
            pass
    return hits >= 0.9 * min(len(values), 200)


def _event_sources(leads) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    """The metrics to count: (metric name, event type, property, value) plus the bare types."""
    types: dict[str, dict[str, dict[str, str]]] = {}
    for lead in leads:
        inline = lead.record.get("events")
        for e in [*(lead.events or ()), *(inline if isinstance(inline, list) else ())]:
            if not isinstance(e, dict):
                continue
            t = e.get("type")
            if not isinstance(t, str):
                continue
            ident = re.sub(r"[\s\-]+", "_", t.strip()).lower()
            if not _IDENT.match(ident) or ident in KEYWORDS:
                continue
            props = types.setdefault(ident, {})
            for k, v in e.items():
                if k in ("type", "ts", "lead_id") or not isinstance(v, str) or not v.strip() or not _IDENT.match(k):
                    continue
                props.setdefault(k, {}).setdefault(fold(v), v.strip())
    filters = []
    for t, props in sorted(types.items()):
        for prop, values in sorted(props.items()):
            if len(values) > MAX_PROP_VALUES or all(_is_number(v) for v in values.values()):
                continue
            for v in sorted(values.values()):
                metric = re.sub(r"\W+", "_", f"{t}_{fold(v)}").strip("_")
                filters.append((metric, t, prop, v))
    return sorted(types), filters


def _is_number(v: str) -> bool:
    try:
        return read_number(v) is not None
    except BadValue:
        return False


def suggest(history: History, *, exclude=(), min_support: int = 20, top: int = 15, max_clauses: int = 4,
            confidence: float = 0.95) -> Suggestion:
    """Rank the conditions that separate the leads of ``history`` that reached its outcome,
    and propose a definition (see the module's documentation)."""
    leads = list(history)
    out = Suggestion(history.data, history.outcome, history.describe_as_of(), history.leads, len(leads),
                     confidence=confidence)
    out.skipped_count, out.warnings = history.skipped_count, list(history.warnings)
    reached = 0
    for i, lead in enumerate(leads):
        if lead.reached:
            reached |= 1 << i
    out.reached = reached.bit_count()
    if not leads or not out.reached:
        out.warnings.append("no lead reached the outcome: nothing to learn from" if leads else "no lead to learn from")
        return out
    never = {history.id_field, history.outcome, history.as_of_field, "events", *exclude}
    columns = list(dict.fromkeys(k for lead in leads for k in lead.record if isinstance(k, str) and k not in never))
    cands = _characteristics([lead.record for lead in leads], columns, min_support, out.skipped_columns)
    types, filters = _event_sources(leads)
    lines = [f"metric {m} = count({t} where {p} = {text_literal(v)})" for m, t, p, v in filters]
    counted = [(t, t) for t in types] + [(m, t) for m, t, _, _ in filters]
    for k, (metric, _) in enumerate(counted):
        for w in WINDOWS:
            lines.append(f"score n{k}_{w} {{ each {metric}({w}d) +1 }}")
    for k, c in enumerate(cands):
        lines.append(f"lead c{k} when {c.text}")
    program = compile_program("\n".join(lines) + "\n", filename="<suggest candidates>")
    actions = {(k, w, n): Candidate("action", t, f"{metric}({w}d) >= {n}")
               for k, (metric, t) in enumerate(counted) for w in WINDOWS for n in AT_LEAST}
    for i, lead in enumerate(leads):
        r = program.evaluate(lead.record, lead.as_of, events=lead.events, errors="return")
        bit = 1 << i
        for k, c in enumerate(cands):
            if r.get(f"c{k}") is True:
                c.mask |= bit
        for k in range(len(counted)):
            for w in WINDOWS:
                got = r.get(f"n{k}_{w}") or 0
                for n in AT_LEAST:
                    if got >= n:
                        actions[(k, w, n)].mask |= bit
    everyone = (1 << len(leads)) - 1
    pool = [c for c in [*cands, *actions.values()] if min_support <= c.mask.bit_count() and c.mask != everyone]
    for c in pool:
        c.selected, c.reached = c.mask.bit_count(), (c.mask & reached).bit_count()
    base = out.reached / len(leads)
    scored = sorted(pool, key=lambda c: (-_lift_low(c, base, confidence), c.text))
    best: dict[str, Candidate] = {}
    for c in scored:
        best.setdefault(c.family, c)
        if c.selected and c.reached / c.selected >= 0.99 and c.reached >= 0.99 * out.reached:
            out.warnings.append(f"`{c.text}` predicts the outcome almost perfectly: is `{c.family}` the outcome "
                                "itself, or written after it? (--exclude it)")
    out.ranked = [c.to_dict(out.reached, base, confidence) for c in list(best.values())[:top]]
    chosen = _greedy(pool, reached, out.reached, everyone, max_clauses)
    out.proposal, out.proposal_stats, out.lint = _proposal(chosen, filters, reached, out, base, confidence)
    return out


def _lift_low(c: Candidate, base: float, confidence: float) -> float:
    low = _ratio(c.reached, c.selected, confidence)["low"]
    return (low or 0.0) / base


def _f1(mask: int, reached: int, total_reached: int) -> float:
    n = mask.bit_count()
    return 2 * (mask & reached).bit_count() / (n + total_reached) if n + total_reached else 0.0


def _greedy(pool, reached, total_reached, everyone, max_clauses) -> list[Candidate]:
    chosen, current, score = [], everyone, _f1(everyone, reached, total_reached)
    while len(chosen) < max_clauses:
        used = {c.family for c in chosen}
        options = [(_f1(current & c.mask, reached, total_reached), c.text, c) for c in pool if c.family not in used]
        if not options:
            break
        f1, _, c = max(options, key=lambda o: (o[0], o[1]))
        if f1 < score + 0.005:
            break
        chosen.append(c)
        current &= c.mask
        score = f1
    return chosen


def _proposal(chosen, filters, reached, out: Suggestion, base, confidence):
    if not chosen:
        return "", {}, []
    mask = (1 << out.evaluated) - 1
    for c in chosen:
        mask &= c.mask
    stats = Candidate("proposal", "", " and ".join(c.text for c in chosen), mask, mask.bit_count(),
                      (mask & reached).bit_count()).to_dict(out.reached, base, confidence)
    used = [f for f in filters if any(re.match(rf"{f[0]}\(", c.text) for c in chosen)]
    p, rc = stats["precision"], stats["recall"]
    lines = [f"# Proposed by `leaddsl suggest` from {out.data} ({out.evaluated:,} leads, {out.as_of};",
             f"# outcome `{out.outcome}`). Edit it, then check it on the history with `leaddsl backtest`.",
             f"# In that history it selects {stats['selected']:,} leads, of which {stats['reached']:,} reached the "
             f"outcome:",
             f"# precision {100 * p['value']:.1f}% [{100 * p['low']:.1f}, {100 * p['high']:.1f}], recall "
             f"{100 * rc['value']:.1f}% [{100 * rc['low']:.1f}, {100 * rc['high']:.1f}], "
             f"lift {stats['lift']['value']:.2f}x (base rate {100 * base:.1f}%).", ""]
    lines += [f"metric {m} = count({t} where {prop} = {text_literal(v)})" for m, t, prop, v in used]
    lines += [""] if used else []
    lines.append("lead proposed when " + "\n               and ".join(c.text for c in chosen))
    text = "\n".join(lines) + "\n"
    from .. import lint as lint_program  # the public function: warnings and information
    program = compile_program(text, filename="proposed.lead")
    found = [f"{d.line}:{d.column}: {d.code} {d.message}" for d in lint_program(program)]
    return text, stats, found


def as_text(s: Suggestion, top_only: bool = False) -> str:
    lines = [f"suggest on {s.data}: {s.evaluated:,} lead(s), {s.as_of}; outcome `{s.outcome}`: {s.reached:,} reached "
             f"it (base rate {100 * s.reached / s.evaluated:.1f}%)" if s.evaluated else f"suggest on {s.data}: no lead"]
    if s.skipped_count:
        lines.append(f"{s.skipped_count:,} row(s) could not be used (see `leaddsl backtest` for which)")
    lines.extend(f"warning: {w}" for w in s.warnings)
    for col, why in s.skipped_columns.items():
        lines.append(f"not used: {col}: {why}")
    if s.ranked:
        lines += ["", f"what separates them (the best condition of each column or event type; {s.confidence:.0%} "
                  "Wilson intervals; ranked by the low end of the lift):"]
        rows = [("condition", "selected", "reached", "precision", "lift")]
        for r in s.ranked:
            p, lift = r["precision"], r["lift"]
            rows.append((r["condition"], f"{r['selected']:,}", f"{r['reached']:,}",
                         f"{100 * p['value']:.1f}% [{100 * p['low']:.1f}, {100 * p['high']:.1f}]",
                         f"{lift['value']:.2f}x [{lift['low']:.2f}, {lift['high']:.2f}]"))
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for r in rows:
            lines.append("  " + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                          for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    if s.proposal:
        lines += ["", "proposed definition:", "", s.proposal.rstrip()]
        lines += ["", "lint: " + ("clean" if not s.lint else "; ".join(s.lint))]
    return "\n".join(lines)


__all__ = ["Suggestion", "Candidate", "suggest", "as_text", "number_literal", "name", "SCHEMA"]
