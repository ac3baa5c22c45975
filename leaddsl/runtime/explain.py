"""Render the trace of one evaluation as a tree: each clause, its value, the values it read.

The trace comes from the generated safe function (``codegen``): the same reads
and decisions as ``evaluate``, with each plan node's value recorded. This module
only lays it out, walking the plan; it decides nothing.
"""
from __future__ import annotations

import re

from ..front import nodes as n
from . import plan as P
from .. import types as T
from ..events import from_us, to_us, window_start
from ..logic import fold
from ..values import format_value
from ..stack import deep
from .codegen import get_path

MAX_EVENTS_SHOWN = 5


def word(x) -> str:
    return "true" if x is True else "false" if x is False else "error" if x is ERRED else "unknown"


ERRED = object()  # the value shown for a lead definition that errs (a bad value it needs)


def _text(program, node) -> str:
    if node is None or not hasattr(node, "span"):
        return "?"
    src = program.sources.get(node.span.file)
    if src is None:
        return "?"
    return re.sub(r"\s+", " ", src.slice(node.span)).strip()


def _props(event) -> str:
    """An event's own properties, shortened: what a rep recognises (the asset, the URL)."""
    if not hasattr(event, "items"):
        return ""
    parts = []
    for k, v in event.items():
        if k in ("type", "ts", "lead_id") or v is None or v == "":
            continue
        text = str(v)
        parts.append(f"{k} = {text if len(text) <= 40 else text[:37] + '...'}")
    return ", ".join(parts[:4]) + (", ..." if len(parts) > 4 else "")


def _dur(seconds: int) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def points(x) -> str:
    """Points as explain shows them: signed, at most two decimals."""
    text = f"{x:+.2f}".rstrip("0").rstrip(".")
    return "+0" if text in ("+0", "-0") else text


class _Renderer:
    def __init__(self, program, trace: dict, moment, result=None):
        self.result = result if result is not None else {}
        self.p = program
        self.plan = program.plan
        self.values = {id(node): trace[k] for k, node in enumerate(program._compiled.traced) if k in trace}
        self.trace = trace
        self.slots = trace.get("slots", ())
        self.sources = trace.get("sources", ())
        self.as_of_us = to_us(moment)
        self.lines: list[str] = []
        self.expanding: set[int] = set()
        self.record = None
        self.missed: dict = {}

    def value(self, node):
        if isinstance(node, P.Const):
            return node.value
        if isinstance(node, P.LetUse) and id(node) not in self.values:
            return self.value(node.let.body)
        return self.values.get(id(node))

    # ------------------------------------------------------------ reads
    def times(self, src: P.Source) -> list[int]:
        items = self.sources[src.index] if src.index < len(self.sources) else []
        return [x if isinstance(x, int) else x[0] for x in items]

    def shown(self, src: P.Source, times: list[int]) -> str:
        """The last few of ``times`` (counted events of ``src``), each with its properties."""
        raw = sorted(self.trace.get(("events", src.index), ()), key=lambda te: te[0])
        by_time: dict[int, list] = {}
        for t, e in raw:
            by_time.setdefault(t, []).append(e)
        out = []
        for t in times[-MAX_EVENTS_SHOWN:]:
            events = by_time.get(t)
            props = _props(events.pop(0)) if events else ""
            out.append(format_value(from_us(t)) + (f" ({props})" if props else ""))
        return ", ".join(out)

    def reads(self, node) -> list[str]:
        out, seen, stack = [], set(), [node]
        while stack:
            x = stack.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if isinstance(x, P.Read):
                if x.slot.index not in seen:
                    seen.add(x.slot.index)
                    bad = self.trace.get("bad", {}).get(x.slot.unit)
                    if bad is not None and x.slot.unit in self.missed:
                        out.append(f"{x.slot.label} = missing (bad value {format_value(bad[1])} read as missing: "
                                   f"{bad[2]})")
                        continue
                    if bad is not None:  # (label, raw value, why)
                        out.append(f"{x.slot.label} = {format_value(bad[1])} (cannot be read as {x.slot.type})")
                        continue
                    v = self.slots[x.slot.index] if x.slot.index < len(self.slots) else None
                    out.append(f"{x.slot.label} = {format_value(v, x.slot.type)}{self.as_read(x.slot, v)}")
            elif isinstance(x, P.Agg):
                out.append(self.agg_line(x))
            elif isinstance(x, P.Seq):
                for src in (x.first, x.second):
                    ts = self.times(src)
                    shown = self.shown(src, ts)
                    out.append(f"{src.event.name}: {len(ts)} event(s){': ' + shown if shown else ''}")
            elif isinstance(x, P.LetUse):
                stack.append(x.let.body)
            elif isinstance(x, P.OutputUse):
                out.append(f"{x.item.name} = {self.output_value(x.item)}")
            stack.extend(reversed(P.children(x)))
        return out

    def output_value(self, item) -> str:
        local = self.result.get(item.name)
        if local is None:
            return "error" if item.needs & set(self.trace.get("bad", {})) else "missing"
        return points(local).lstrip("+") if isinstance(item, P.Score) else str(local)

    def as_read(self, slot: P.Slot, value) -> str:
        """How a value was read, where the field's options made the difference: the alias
        that matched, a missing marker of the field, a format or zone, a currency."""
        opts = slot.options
        if not opts.reads or self.record is None:
            return ""
        raw = get_path(self.record, slot.path) if hasattr(self.record, "get") else None
        if not isinstance(raw, str) or not raw.strip():
            return ""
        shown = format_value(raw)
        if value is None:
            return f" (read {shown} as missing)" if fold(raw) in opts.missing else ""
        t = slot.type
        if isinstance(t, (T.EnumT, T.OrdinalT)):
            name = t.members[value] if isinstance(t, T.OrdinalT) else value
            return f" (read {shown} as {name})" if fold(raw) != fold(name) else ""
        if opts.zone and t == T.DATETIME:
            return f" (read {shown} in {opts.zone})"
        if opts.formats or opts.currency:
            return f" (read {shown})"
        return ""

    def agg_line(self, agg: P.Agg) -> str:
        label = _text(self.p, agg.origin)
        t = T.DATETIME if agg.func in ("first", "last") else T.NUMBER
        if agg.func in ("min", "max") and agg.pos is not None:  # a date, datetime or ordinal shows as one
            t = next((p.type for p in agg.source.event.props if p.pos == agg.pos), t)
        text = f"{label} = {format_value(self.value(agg), t)}"
        ts = self.times(agg.source)
        start = window_start(ts, self.as_of_us, agg.seconds) if agg.seconds is not None and not agg.any else 0
        counted = ts[start:]
        window = ("all history" if agg.seconds is None else
                  f"best window of {_dur(agg.seconds)}" if agg.any else f"last {_dur(agg.seconds)}")
        shown = self.shown(agg.source, counted)
        more = f" (last {MAX_EVENTS_SHOWN} of {len(counted)})" if len(counted) > MAX_EVENTS_SHOWN else ""
        return text + f" [{window}; {len(counted)} event(s){more}{': ' + shown if shown else ''}]"

    # ------------------------------------------------------------ tree
    def _erred(self, name: str) -> bool:
        """Whether the output ``name`` errs for this lead (a bad value it needs)."""
        try:
            return self.result[name] is None
        except (KeyError, TypeError):
            return False

    def emit(self, depth: int, value, text: str, reads=()):
        line = f"{'  ' * depth}{f'[{word(value)}]':<10}{text}"
        if reads:
            line += "    -- " + "; ".join(reads)
        self.lines.append(line)

    def node(self, x, depth: int):
        val = self.value(x)
        origin = x.origin
        if isinstance(x, (P.And, P.Or)) and isinstance(origin, n.BoolOp):
            self.emit(depth, val, "all of:" if isinstance(x, P.And) else "any of:")
            for item in x.items:
                self.node(item, depth + 1)
            return
        if isinstance(x, P.Not) and isinstance(origin, n.Not):
            self.emit(depth, val, "not:")
            self.node(x.x, depth + 1)
            return
        if isinstance(x, P.LetUse):
            let = x.let
            self.emit(depth, val, f"{let.name}  (let)")
            if id(let) not in self.expanding:
                self.expanding.add(id(let))
                self.node(let.body, depth + 1)
                self.expanding.discard(id(let))
            return
        if isinstance(x, P.LeadUse):
            if self._erred(x.lead.name):  # (its answer is no answer: not the false it is read as here)
                self.emit(depth, ERRED, f"{x.lead.name}  (lead definition, explained on its own: it errs)")
            else:
                self.emit(depth, val, f"{x.lead.name}  (lead definition, explained on its own)")
            return
        self.emit(depth, val, _text(self.p, origin), self.reads(x))


    # ------------------------------------------- scores, bands and routes
    def score(self, score: P.Score) -> None:
        value = self.result.get(score.name)
        shown = "error (it needs a value that cannot be read)" if value is None else points(value).lstrip("+")
        cap = f" (at most {points(score.cap).lstrip('+')})" if score.cap is not None else ""
        self.lines.append(f"{score.name}: {shown}{cap}")
        given = []
        for j, rule in enumerate(score.rules):
            pts = self.trace.get(("points", score.index, j), 0)
            given.append(pts)
            text = _text(self.p, rule.origin.expr)
            how = self.rule_how(rule, pts)
            if rule.agg is not None:
                self.lines.append(f"  {'[each]':<10}{text}  {points(pts)}{how}    -- {self.agg_line(rule.agg)}")
                continue
            val = self.value(rule.cond)
            line = f"  {f'[{word(val)}]':<10}{text}  {points(pts)}{how}"
            reads = self.reads(rule.cond)
            self.lines.append(line + ("    -- " + "; ".join(reads) if reads else ""))
        if score.cap is not None and value is not None and sum(given) > score.cap:
            self.lines.append(f"  {'':<10}total {points(sum(given)).lstrip('+')}, capped at "
                              f"{points(score.cap).lstrip('+')}")

    def rule_how(self, rule: P.ScoreRule, pts) -> str:
        """Why a rule gave what it gave: its points as written, decay and cap."""
        written = points(rule.points)
        if rule.agg is not None:
            n = self.value(rule.agg)
            parts = [f"{written} for each of {n if n is not None else '?'} event(s)"]
            if rule.half_life is not None:
                parts.append(f"each halved every {_dur(rule.half_life)} of age")
            if rule.cap is not None:
                parts.append(f"at most {points(rule.cap).lstrip('+')}")
            return f" ({', '.join(parts)})"
        if pts == 0 and rule.points != 0:
            return f" ({written} when true)"
        if rule.half_life is not None:
            newest = max((t for t in self.dated_times(rule) if t is not None), default=None)
            if newest is None:
                return f" ({written}, no event to date it: not decayed)"
            age = (self.as_of_us - newest) / 86_400_000_000
            return (f" ({written} halved every {_dur(rule.half_life)}: newest event "
                    f"{format_value(from_us(newest))}, {age:.4g} day(s) old)")
        return ""

    def dated_times(self, rule: P.ScoreRule) -> list:
        out = []
        for x in rule.dated:
            srcs = [x.source] if isinstance(x, P.Agg) else [x.first, x.second]
            for src in srcs:
                ts = self.times(src)
                start = window_start(ts, self.as_of_us, x.seconds) if isinstance(x, P.Agg) and x.seconds else 0
                out.append(ts[-1] if len(ts) > start else None)
        return out

    def band(self, band: P.Band) -> None:
        value = self.result.get(band.name)
        cuts = band.members[0] + "".join(f" {'<' if up else '<='} {_num(v)} {'<=' if up else '<'} {m}"
                                         for (v, up), m in zip(band.cuts, band.members[1:]))
        on = self.value(band.on)
        label = _text(self.p, band.on.origin) if band.on.origin is not None else "?"
        shown = value if value is not None else (
            "error (it needs a value that cannot be read)" if band.needs & set(self.trace.get("bad", {})) else
            "none (its number is missing)")
        on_text = points(on).lstrip("+") if isinstance(on, (int, float)) and not isinstance(on, bool) else "missing"
        if isinstance(band.on, P.OutputUse):  # a score: as the result has it (an erred one is no number)
            on_text = self.output_value(band.on.item)
        self.lines.append(f"{band.name}: {shown}  ({label} = {on_text}; {cuts})")

    def route(self, route: P.Route) -> None:
        value = self.result.get(route.name)
        lead = route.lead.lead.name if isinstance(route.lead, P.LeadUse) else "?"
        held = self.value(route.lead)
        if value is None:
            why = ("error (it needs a value that cannot be read)" if route.needs & set(self.trace.get("bad", {}))
                   else f"none ({lead} does not hold)")
            self.lines.append(f"{route.name}: {why}")
            if held is not True:
                return
        else:
            self.lines.append(f"{route.name}: {value}  (for {lead}; the first rule that holds)")
        for target, cond in route.rules:
            val = self.value(cond)
            reads = self.reads(cond)
            self.lines.append(f"  {f'[{word(val)}]':<10}{target} when {_text(self.p, cond.origin)}"
                              + ("    -- " + "; ".join(reads) if reads else ""))
            if val is True:
                return
        self.lines.append(f"  {'[else]':<10}{route.fallback}")


def _num(x) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def render(program, result, trace: dict, moment) -> str:
    """The explanation of one result (its clauses are walked by recursion: room for it)."""
    return deep(lambda: _render(program, result, trace, moment))


def _render(program, result, trace: dict, moment) -> str:
    r = _Renderer(program, trace, moment, result)
    r.record = getattr(result, "_rec", None)
    r.missed = getattr(result, "_missed", {})
    r.lines.append(f"as of {format_value(moment)}")
    for message in result.errors:
        r.lines.append(f"error: {message}")
    for message in result.warnings:
        r.lines.append(f"warning: {message}")
    for name, lead in program.plan.leads.items():
        r.lines.append("")
        value = result[name]
        r.lines.append(f"{name}: {word(value) if value is not None else 'error (it needs a value that cannot be read)'}")
        r.node(lead.body, 1)
    if program.stages:
        stage = result.get("stage")
        r.lines.append("")
        shown = stage or ("error" if any(result[s] is None for s in program.stages) else "none")
        r.lines.append(f"stage: {shown}  ({' < '.join(program.stages)})")
    for part, items in ((r.score, program.plan.scores), (r.band, program.plan.bands), (r.route, program.plan.routes)):
        for item in items.values():
            r.lines.append("")
            part(item)
    return "\n".join(r.lines)
