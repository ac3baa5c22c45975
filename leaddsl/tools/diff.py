"""``leaddsl diff OLD NEW DATA``: what a change to the definitions does to real leads.

Both versions are evaluated on every lead of DATA at one as-of time. For each output
that both versions have: how many leads enter (false -> true) and leave (true -> false);
for ``stage``, the transition table old stage x new stage; optionally every count split
by an input column (``by``); and a sample of movers, each with the clauses whose
values differ between the two versions (from ``explain``, so the evaluator decides,
not this module). A lead with a bad value in either version is counted apart
(``errors``), never dropped.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..io.data import InputError, check_column, read_rows
from ..io.eventtable import EventTable
from ..runtime.program import normalize_as_of

SCHEMA = 1  # the version of the JSON layout below; changes only when a key's meaning does


@dataclass
class Diff:
    old: str
    new: str
    as_of: str
    by: str | None
    leads: int = 0
    errors: int = 0
    definitions: dict = field(default_factory=dict)  # name -> {"old": n, "new": n, "entered": n, "left": n}
    added: list = field(default_factory=list)  # outputs only the new version has
    removed: list = field(default_factory=list)  # outputs only the old version has
    stages: dict = field(default_factory=dict)  # "old -> new" -> count ("none" for no stage)
    split: dict = field(default_factory=dict)  # column value -> {name: {"entered": n, "left": n}}
    movers: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)  # "old"/"new" -> the agreement, or None
    warnings: list = field(default_factory=list)  # W115 and the like, as text

    @property
    def moved(self) -> int:
        return sum(d["entered"] + d["left"] for d in self.definitions.values())

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "old": self.old, "new": self.new, "as_of": self.as_of, "by": self.by,
                "leads": self.leads, "errors": self.errors, "definitions": self.definitions,
                "added": self.added, "removed": self.removed,
                "stages": [{"old": o, "new": n, "leads": c} for (o, n), c in sorted(
                    self.stages.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))],
                "split": self.split, "movers": self.movers, "headers": self.headers,
                "warnings": self.warnings}


def diff(old, new, data: str, *, events: str | None = None, as_of=None, by: str | None = None,
         id_field: str = "id", sheet: str | None = None, sample: int = 10, old_name: str = "OLD",
         new_name: str = "NEW") -> Diff:
    """Compare two Programs on the leads of ``data`` (a file as ``eval`` reads it)."""
    moment = normalize_as_of(as_of)
    out = Diff(old_name, new_name, moment.isoformat().replace("+00:00", "Z"), by)
    out.headers = {"old": old.agreement.to_dict() if old.agreement else None,
                   "new": new.agreement.to_dict() if new.agreement else None}
    shared = [d for d in new.definitions if d in old.definitions]
    out.added = [d for d in new.definitions if d not in old.definitions]
    out.removed = [d for d in old.definitions if d not in new.definitions]
    for name in shared:
        out.definitions[name] = {"old": 0, "new": 0, "entered": 0, "left": 0}
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
        changed = []
        for name in shared:
            counts = out.definitions[name]
            counts["old"] += a[name] is True
            counts["new"] += b[name] is True
            if a[name] != b[name]:
                kind = "entered" if b[name] else "left"
                counts[kind] += 1
                changed.append(name)
                if group is not None:
                    g = group.setdefault(name, {"entered": 0, "left": 0})
                    g[kind] += 1
        if staged:
            key = (a.get("stage") or "none", b.get("stage") or "none")
            out.stages[key] = out.stages.get(key, 0) + 1
            if group is not None and key[0] != key[1]:
                g = group.setdefault("stage", {})
                g[f"{key[0]} -> {key[1]}"] = g.get(f"{key[0]} -> {key[1]}", 0) + 1
        if changed and len(out.movers) < sample:
            out.movers.append(_mover(old, new, row, id_field, moment, extra, a, b, changed))
    return out


def _mover(old, new, row, id_field, moment, extra, a, b, changed) -> dict:
    before = _blocks(old.explain(row.record, moment, events=extra))
    after = _blocks(new.explain(row.record, moment, events=extra))
    why = {}
    for name in changed:
        lines_a = before.get(name, [])[1:]
        lines_b = after.get(name, [])[1:]
        delta = [line for line in difflib.unified_diff(lines_a, lines_b, lineterm="", n=0)
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


def as_text(d: Diff) -> str:
    lines = [f"diff {d.old} -> {d.new}, as of {d.as_of}: {d.leads:,} lead(s)"
             + (f", {d.errors:,} with errors (not compared)" if d.errors else "")]
    for side in ("old", "new"):
        h = d.headers.get(side)
        if h:
            lines.append(f"  {side}: \"{h['title']}\"" + (f" v{h['version']}" if h["version"] else "")
                         + (f" effective {h['effective']}" if h["effective"] else ""))
    lines.extend(f"warning: {w}" for w in d.warnings)
    lines.append("")
    width = max([len(n) for n in d.definitions] + [10])
    lines.append(f"{'definition':<{width}}  {'old':>7}  {'new':>7}  {'entered':>7}  {'left':>7}")
    for name, c in d.definitions.items():
        lines.append(f"{name:<{width}}  {c['old']:>7,}  {c['new']:>7,}  {'+' + format(c['entered'], ','):>7}  "
                     f"{'-' + format(c['left'], ','):>7}")
    for name in d.added:
        lines.append(f"{name:<{width}}  (only in {d.new})")
    for name in d.removed:
        lines.append(f"{name:<{width}}  (only in {d.old})")
    if d.stages:
        olds = sorted({o for o, _ in d.stages})
        news = sorted({n for _, n in d.stages})
        lines.append("")
        lines.append("stage: old (rows) x new (columns)")
        corner = "old \\ new"
        w = max(len(x) for x in olds + news + [corner])
        lines.append(f"{corner:<{w}}  " + "  ".join(f"{n:>{max(len(n), 6)}}" for n in news))
        for o in olds:
            lines.append(f"{o:<{w}}  " + "  ".join(f"{d.stages.get((o, n), 0):>{max(len(n), 6)},}" for n in news))
    if d.by is not None:
        lines.append("")
        lines.append(f"by {d.by}:")
        for value, outputs in sorted(d.split.items()):
            parts = []
            for name, c in outputs.items():
                if name == "stage":
                    parts.extend(f"{k}: {v:,}" for k, v in c.items())
                elif c["entered"] or c["left"]:
                    parts.append(f"{name} +{c['entered']:,} -{c['left']:,}")
            lines.append(f"  {value}: " + (", ".join(parts) if parts else "no change"))
    if d.movers:
        lines.append("")
        lines.append(f"sample of movers (first {len(d.movers)}):")
        for m in d.movers:
            for name, c in m["changed"].items():
                lines.append(f"  {m['id']} (line {m['line']}): {name} {_word(c['old'])} -> {_word(c['new'])}")
                lines.extend(f"      {x}" for x in c["clauses"])
    return "\n".join(lines)


def _word(v) -> str:
    return "true" if v is True else "false" if v is False else "error"


__all__ = ["Diff", "diff", "as_text", "InputError", "SCHEMA"]
