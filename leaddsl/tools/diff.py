"""``leaddsl diff OLD NEW DATA``: what a change to the definitions does to real leads.

Both versions are evaluated on every lead of DATA at one as-of time. For each output
that both versions have: how many leads enter (false -> true) and leave (true -> false)
each definition; for ``stage`` and each band and route, the transition table old value x
new value; for each score, how many leads' score went up and down, and by how much;
optionally every count split by an input column (``by``); and a sample of movers, each
with the clauses whose values differ between the two versions (from ``explain``, so the
evaluator decides, not this module). A lead with a bad value in either version is
counted apart (``errors``), never dropped.
"""
from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field

from ..io.data import InputError, check_column, read_rows
from ..io.eventtable import EventTable
from ..runtime.explain import points
from ..runtime.program import normalize_as_of

SCHEMA = 1  # the version of the JSON layout below; changes only when a key's meaning does
KINDS = {"definitions": "definition", "scores": "score", "bands": "band", "routes": "route"}  # Program attribute: kind
_ZERO = {"definitions": lambda: {"old": 0, "new": 0, "entered": 0, "left": 0},
         "scores": lambda: {"changed": 0, "up": 0, "down": 0, "mean_change": 0.0, "old_mean": 0.0, "new_mean": 0.0},
         "bands": dict, "routes": dict}  # the counts of an output before the first lead
NONE = "none"  # the label of no stage, no band (its number is missing) and no route (its lead does not hold)


@dataclass
class Diff:
    old: str
    new: str
    as_of: str
    by: str | None
    leads: int = 0
    errors: int = 0
    definitions: dict = field(default_factory=dict)  # name -> {"old": n, "new": n, "entered": n, "left": n}
    scores: dict = field(default_factory=dict)  # name -> {"changed", "up", "down": n, "mean_change", "old_mean", ...}
    bands: dict = field(default_factory=dict)  # name -> {(old, new): count}, as stages
    routes: dict = field(default_factory=dict)  # name -> {(old, new): count}, as stages
    kinds: dict = field(default_factory=dict)  # "old"/"new" -> {name: kind}: the outputs only that version has
    stages: dict = field(default_factory=dict)  # "old -> new" -> count ("none" for no stage)
    # column value -> {definition: {"entered": n, "left": n}, score: {"up": n, "down": n},
    # stage, band or route: {"a -> b": n}}
    split: dict = field(default_factory=dict)
    movers: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)  # "old"/"new" -> the agreement, or None
    warnings: list = field(default_factory=list)  # W115 and the like, as text

    @property
    def added(self) -> list:
        """The outputs only the new version has."""
        return list(self.kinds.get("new", {}))

    @property
    def removed(self) -> list:
        """The outputs only the old version has."""
        return list(self.kinds.get("old", {}))

    @property
    def moved(self) -> int:
        """How many answers changed: a lead entering or leaving a definition, its score, band or route changing."""
        return (sum(d["entered"] + d["left"] for d in self.definitions.values())
                + sum(s["changed"] for s in self.scores.values())
                + sum(_changes(t) for t in (*self.bands.values(), *self.routes.values())))

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "old": self.old, "new": self.new, "as_of": self.as_of, "by": self.by,
                "leads": self.leads, "errors": self.errors, "definitions": self.definitions,
                "added": self.added, "removed": self.removed, "stages": _rows(self.stages),
                "scores": self.scores, "bands": {name: _rows(t) for name, t in self.bands.items()},
                "routes": {name: _rows(t) for name, t in self.routes.items()},
                "split": self.split, "movers": self.movers, "headers": self.headers,
                "warnings": self.warnings}


def _rows(table: dict) -> list[dict]:
    """A transition table as JSON: ``[{old, new, leads}]``, sorted by the labels."""
    return [{"old": o, "new": n, "leads": c}
            for (o, n), c in sorted(table.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))]


def _changes(table: dict) -> int:
    """How many leads of a transition table changed label."""
    return sum(c for (o, n), c in table.items() if o != n)


def diff(old, new, data: str, *, events: str | None = None, as_of=None, by: str | None = None,
         id_field: str = "id", sheet: str | None = None, sample: int = 10, old_name: str = "OLD",
         new_name: str = "NEW") -> Diff:
    """Compare two Programs on the leads of ``data`` (a file as ``eval`` reads it)."""
    moment = normalize_as_of(as_of)
    out = Diff(old_name, new_name, moment.isoformat().replace("+00:00", "Z"), by)
    out.headers = {"old": old.agreement.to_dict() if old.agreement else None,
                   "new": new.agreement.to_dict() if new.agreement else None}
    _outputs(out, old, new)
    staged = bool(old.stages or new.stages)
    rows = read_rows(data, None, sheet)
    check_column(data, rows, id_field, "the --id-field that identifies a lead")
    if by is not None:
        check_column(data, rows, by, "named by --by")
    table = EventTable(events, wanted={**old.event_columns, **new.event_columns}) if events else None
    for row in rows:
        out.leads += 1
        if row.record is None:
            out.errors += 1
            continue
        extra = table.events_for(row.record.get(id_field)) if table is not None else None
        a = old.evaluate(row.record, moment, events=extra, errors="return")
        b = new.evaluate(row.record, moment, events=extra, errors="return")
        if a.errors or b.errors:
            out.errors += 1
            continue
        group = None
        if by is not None:
            value = row.record.get(by)
            group = out.split.setdefault("(blank)" if value in (None, "") else str(value), {})
        changed = _compare(out, a, b, group)
        if staged:
            _transition(out.stages, group, "stage", a.get("stage"), b.get("stage"))
        if changed and len(out.movers) < sample:
            out.movers.append(_mover(old, new, row, id_field, moment, extra, a, b, changed))
    _means(out.scores, out.leads - out.errors)
    return out


def _outputs(out: Diff, old, new) -> None:
    """Each output both versions have, its counts at zero; the others as added or removed."""
    out.kinds = {"old": {}, "new": {}}
    for attr, kind in KINDS.items():
        before, after = getattr(old, attr), getattr(new, attr)
        out.kinds["new"].update((name, kind) for name in after if name not in before)
        out.kinds["old"].update((name, kind) for name in before if name not in after)
        setattr(out, attr, {name: _ZERO[attr]() for name in after if name in before})


def _compare(out: Diff, a, b, group: dict | None) -> list[str]:
    """Count one lead's answers in both versions; the names of the outputs whose answer changed."""
    changed = [name for name, counts in out.definitions.items()
               if _enter_or_leave(counts, group, name, a[name], b[name])]
    changed += [name for name, counts in out.scores.items() if _score(counts, group, name, a[name], b[name])]
    changed += [name for tables in (out.bands, out.routes) for name, table in tables.items()
                if _transition(table, group, name, a[name], b[name])]
    return changed


def _enter_or_leave(counts: dict, group: dict | None, name: str, a, b) -> bool:
    """Count a definition of both versions; a lead that enters or leaves also in its ``group``."""
    counts["old"] += a is True
    counts["new"] += b is True
    if a == b:
        return False
    kind = "entered" if b else "left"
    counts[kind] += 1
    if group is not None:
        group.setdefault(name, {"entered": 0, "left": 0})[kind] += 1
    return True


def _score(counts: dict, group: dict | None, name: str, a: float, b: float) -> bool:
    """Count a score of both versions; the means are sums until ``_means``. Equal to 1e-9, as
    ``leaddsl test`` compares scores (a float summed in another order is no change)."""
    counts["old_mean"] += a
    counts["new_mean"] += b
    if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
        return False
    kind = "up" if b > a else "down"
    counts["changed"] += 1
    counts[kind] += 1
    counts["mean_change"] += b - a
    if group is not None:
        group.setdefault(name, {"up": 0, "down": 0})[kind] += 1
    return True


def _means(scores: dict, compared: int) -> None:
    """The sums of ``_score`` as means: of every lead compared, and of the change of the leads whose score
    changed (null when there are none)."""
    for counts in scores.values():
        for key in ("old_mean", "new_mean"):
            counts[key] = counts[key] / compared if compared else None
        counts["mean_change"] = counts["mean_change"] / counts["changed"] if counts["changed"] else None


def _transition(table: dict, group: dict | None, name: str, a, b) -> bool:
    """Count a label (a stage, band or route; ``none`` for no value) of both versions in ``table``
    and, when it changed, in the lead's ``group`` as ``"a -> b": n``."""
    key = (a or NONE, b or NONE)
    table[key] = table.get(key, 0) + 1
    if key[0] == key[1]:
        return False
    if group is not None:
        g = group.setdefault(name, {})
        g[f"{key[0]} -> {key[1]}"] = g.get(f"{key[0]} -> {key[1]}", 0) + 1
    return True


def _mover(old, new, row, id_field, moment, extra, a, b, changed) -> dict:
    before = _blocks(old.explain(row.record, moment, events=extra))
    after = _blocks(new.explain(row.record, moment, events=extra))
    why = {}
    for name in changed:
        delta = [line for line in difflib.unified_diff(_why(before.get(name, [])), _why(after.get(name, [])),
                                                       lineterm="", n=0)
                 if line[:1] in "+-" and not line.startswith(("+++", "---"))]
        why[name] = {"old": a[name], "new": b[name], "clauses": delta}
    return {"id": row.get(id_field), "line": row.number, "stage": [a.get("stage"), b.get("stage")],
            "changed": why}


def _blocks(explain: str) -> dict[str, list[str]]:
    """The sections of an explanation by output name, as lists of lines."""
    out = {}
    for block in explain.split("\n\n")[1:]:
        lines = block.split("\n")
        out[lines[0].split(":", 1)[0]] = lines
    return out


def _why(block: list[str]) -> list[str]:
    """The lines of a section that say why: its clauses, or its heading when it has none (a band's
    heading holds its number and thresholds; a route's, that its lead does not hold)."""
    return block[1:] or ["  " + line for line in block[:1]]


def as_text(d: Diff) -> str:
    lines = _head(d)
    lines.extend(_definition_lines(d))
    if d.stages:
        lines.extend(_table("stage", d.stages))
    lines.extend(_score_lines(d))
    lines.extend(_label_lines(d, "bands"))
    lines.extend(_label_lines(d, "routes"))
    if d.by is not None:
        lines.extend(_split_lines(d))
    if d.movers:
        lines.extend(_mover_lines(d))
    return "\n".join(lines)


def _head(d: Diff) -> list[str]:
    lines = [f"diff {d.old} -> {d.new}, as of {d.as_of}: {d.leads:,} lead(s)"
             + (f", {d.errors:,} with errors (not compared)" if d.errors else "")]
    for side in ("old", "new"):
        h = d.headers.get(side)
        if h:
            lines.append(f"  {side}: \"{h['title']}\"" + (f" v{h['version']}" if h["version"] else "")
                         + (f" effective {h['effective']}" if h["effective"] else ""))
    lines.extend(f"warning: {w}" for w in d.warnings)
    return lines


def _only(d: Diff, kind: str) -> list[tuple[str, str]]:
    """The outputs of ``kind`` only one version has, each with the name of that version."""
    return [(name, side) for key, side in (("new", d.new), ("old", d.old))
            for name, k in d.kinds.get(key, {}).items() if k == kind]


def _definition_lines(d: Diff) -> list[str]:
    width = max([len(n) for n in d.definitions] + [10])
    lines = ["", f"{'definition':<{width}}  {'old':>7}  {'new':>7}  {'entered':>7}  {'left':>7}"]
    for name, c in d.definitions.items():
        lines.append(f"{name:<{width}}  {c['old']:>7,}  {c['new']:>7,}  {'+' + format(c['entered'], ','):>7}  "
                     f"{'-' + format(c['left'], ','):>7}")
    lines.extend(f"{name:<{width}}  (only in {side})" for name, side in _only(d, "definition"))
    return lines


def _score_lines(d: Diff) -> list[str]:
    only = _only(d, "score")
    if not d.scores and not only:
        return []
    width = max([len(n) for n in d.scores] + [10])
    lines = ["", f"{'score':<{width}}  {'changed':>7}  {'up':>7}  {'down':>7}  {'mean change':>11}  "
             f"{'old mean':>9}  {'new mean':>9}"]
    for name, c in d.scores.items():
        lines.append(f"{name:<{width}}  {c['changed']:>7,}  {c['up']:>7,}  {c['down']:>7,}  "
                     f"{_number(c['mean_change'], signed=True):>11}  {_number(c['old_mean']):>9}  "
                     f"{_number(c['new_mean']):>9}")
    lines.extend(f"{name:<{width}}  (only in {side})" for name, side in only)
    return lines


def _number(x, signed: bool = False) -> str:
    """A score as explain shows it (at most two decimals, signed or not); ``-`` for none."""
    return "-" if x is None else points(x) if signed else points(x).lstrip("+")


def _table(title: str, table: dict) -> list[str]:
    """A transition table as text: the old labels as rows, the new ones as columns."""
    olds = sorted({o for o, _ in table})
    news = sorted({n for _, n in table})
    corner = "old \\ new"
    w = max(len(x) for x in olds + news + [corner])
    lines = ["", f"{title}: old (rows) x new (columns)",
             f"{corner:<{w}}  " + "  ".join(f"{n:>{max(len(n), 6)}}" for n in news)]
    for o in olds:
        lines.append(f"{o:<{w}}  " + "  ".join(f"{table.get((o, n), 0):>{max(len(n), 6)},}" for n in news))
    return lines


def _label_lines(d: Diff, attr: str) -> list[str]:
    """The bands or the routes: the table of each that some lead changes, and those only one version has."""
    kind = KINDS[attr]
    lines = []
    for name, table in getattr(d, attr).items():
        lines.extend(_table(f"{kind} {name}", table) if _changes(table) else ["", f"{kind} {name}: no change"])
    for name, side in _only(d, kind):
        lines.extend(["", f"{kind} {name}: only in {side}"])
    return lines


def _split_lines(d: Diff) -> list[str]:
    lines = ["", f"by {d.by}:"]
    for value, outputs in sorted(d.split.items()):
        parts = []
        for name, c in outputs.items():
            if name in d.definitions:
                parts.append(f"{name} +{c['entered']:,} -{c['left']:,}")
            elif name in d.scores:
                parts.append(f"{name} up {c['up']:,} down {c['down']:,}")
            else:
                prefix = "" if name == "stage" else name + " "
                parts.extend(f"{prefix}{k}: {v:,}" for k, v in c.items())
        lines.append(f"  {value}: " + (", ".join(parts) if parts else "no change"))
    return lines


def _mover_lines(d: Diff) -> list[str]:
    lines = ["", f"sample of movers (first {len(d.movers)}):"]
    for m in d.movers:
        for name, c in m["changed"].items():
            lines.append(f"  {m['id']} (line {m['line']}): {name} {_word(c['old'])} -> {_word(c['new'])}")
            lines.extend(f"      {x}" for x in c["clauses"])
    return lines


def _word(v) -> str:
    """An answer as text: true/false, a score as explain shows it, a label, or none."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return _number(v)
    return NONE if v is None else str(v)


__all__ = ["Diff", "diff", "as_text", "InputError", "SCHEMA"]
