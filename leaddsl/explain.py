"""Render the trace of one evaluation as a tree: each clause, its value, the values it read."""
from __future__ import annotations

import re

from . import nodes as n
from . import types as T
from .values import format_value

MAX_EVENTS_SHOWN = 5


def word(x) -> str:
    return "true" if x is True else "false" if x is False else "unknown"


def _text(program, node) -> str:
    src = program.sources.get(node.span.file)
    if src is None:
        return "?"
    return re.sub(r"\s+", " ", src.slice(node.span)).strip()


class _Renderer:
    def __init__(self, program, compiler, trace, v, moment):
        self.p = program
        self.c = compiler
        self.a = program.analysis
        self.trace = trace
        self.v = v
        self.moment = moment
        self.lines: list[str] = []
        self.expanded: set[str] = set()

    def value(self, node):
        return self.trace.get(id(node))

    def reads(self, node) -> list[str]:
        out = []
        seen = set()
        for sub in n.walk(node):
            b = self.a.bindings.get(id(sub))
            if not b or id(sub) in seen:
                continue
            seen.add(id(sub))
            if b[0] == "field":
                i = self.c.slot_index[("field", b[1])]
                t = self.p.scope.fields[b[1]].type
                out.append(f"{b[1]} = {format_value(self.v[i], t)}")
            elif b[0] == "record":
                i = self.c.slot_index.get(("record", b[1], b[2]))
                if i is not None:
                    out.append(f"{'.'.join(b[1])} = {format_value(self.v[i], b[2])}")
            elif b[0] in ("metric", "event") and (isinstance(sub, (n.Windowed, n.Name))):
                val = self.trace.get(id(sub))
                label = _text(self.p, sub)
                t = self.a.metric_types.get(b[1], T.NUMBER) if b[0] == "metric" else T.NUMBER
                text = f"{label} = {format_value(val, t)}"
                counted = self.trace.get(("events", id(sub)))
                if counted is not None:
                    window = ("all history" if b[2] is None else
                              f"best window of {_dur(b[2])}" if b[3] else f"last {_dur(b[2])}")
                    times = ", ".join(format_value(t) for t in counted[-MAX_EVENTS_SHOWN:])
                    more = f" (last {MAX_EVENTS_SHOWN} of {len(counted)})" if len(counted) > MAX_EVENTS_SHOWN else ""
                    text += f" [{window}; {len(counted)} event(s){more}{': ' + times if times else ''}]"
                out.append(text)
        return out

    def emit(self, depth: int, value, text: str, reads=()):
        pad = "  " * depth
        label = f"[{word(value)}]"
        line = f"{pad}{label:<10}{text}"
        if reads:
            line += "    -- " + "; ".join(reads)
        self.lines.append(line)

    def node(self, node, depth: int):
        val = self.value(node)
        if isinstance(node, n.BoolOp):
            self.emit(depth, val, "all of:" if node.op == "and" else "any of:")
            for op in node.operands:
                self.node(op, depth + 1)
            return
        if isinstance(node, n.Not):
            self.emit(depth, val, "not:")
            self.node(node.operand, depth + 1)
            return
        b = self.a.bindings.get(id(node))
        if isinstance(node, n.Name) and b and b[0] == "let":
            self.emit(depth, val, f"{node.name}  (let)")
            decl = self.p.scope.lets[b[1]]
            if b[1] not in self.expanded:
                self.expanded.add(b[1])
                self.node(decl.expr, depth + 1)
                self.expanded.discard(b[1])
            return
        if isinstance(node, n.Name) and b and b[0] == "lead":
            self.emit(depth, val, f"{node.name}  (lead definition, explained on its own)")
            return
        reads = self.reads(node)
        for sub in n.walk(node):
            seq = self.trace.get(("sequence", id(sub))) if isinstance(sub, n.Then) else None
            if seq:
                for event, times in seq:
                    shown = ", ".join(format_value(t) for t in times[-MAX_EVENTS_SHOWN:])
                    reads.append(f"{event}: {len(times)} event(s){': ' + shown if shown else ''}")
        self.emit(depth, val, _text(self.p, node), reads)


def _dur(seconds: int) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def render(program, compiler, trace, v, values, moment) -> str:
    r = _Renderer(program, compiler, trace, v, moment)
    r.lines.append(f"as of {format_value(moment)}")
    for name, decl in program.scope.leads.items():
        r.lines.append("")
        r.lines.append(f"{name}: {word(values[name])}")
        r.node(decl.expr, 1)
    if program.stages:
        stage = None
        for s in program.stages:
            if values.get(s):
                stage = s
        r.lines.append("")
        r.lines.append(f"stage: {stage or 'none'}  ({' < '.join(program.stages)})")
    return "\n".join(r.lines)
