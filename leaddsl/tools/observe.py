"""What one evaluation saw, beyond its outputs: the value of each top-level clause of each
definition, and which fields were missing or bad.

It runs the program's traced evaluator, the one ``explain`` uses (the same reads and
decisions as ``evaluate``), and reads the trace: nothing here decides a value. A
definition ``lead x when a and b and c`` has the clauses ``a``, ``b``, ``c``; any other
definition has one clause, its whole condition.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import DataError
from ..front import nodes as n
from ..runtime import plan as P
from ..runtime.explain import _text
from ..runtime.program import _as_of_us


@dataclass(frozen=True, slots=True)
class Clause:
    definition: str
    index: int
    text: str  # as written (a let or a definition used as a clause: its name)


@dataclass(frozen=True, slots=True)
class Observation:
    result: object  # the Result, as evaluate(..., errors="return") gives it
    clauses: dict  # definition -> tuple of True / False / None (unknown), one per clause
    missing: tuple  # labels of the fields read as missing
    bad: tuple  # labels of the fields with a value that cannot be read


class Observer:
    """Observes one program on many leads (the traced function is built once)."""

    def __init__(self, program):
        self.program = program
        self.compiled = program._compiled
        self.safe = self.compiled.safe  # builds the traced function, and with it `traced`
        self.index = {id(node): k for k, node in enumerate(self.compiled.traced)}
        self.parts: dict[str, list] = {}
        self.clauses: list[Clause] = []
        for name, lead in program.plan.leads.items():
            body = lead.body
            items = list(body.items) if isinstance(body, P.And) and isinstance(body.origin, n.BoolOp) else [body]
            self.parts[name] = items
            self.clauses.extend(Clause(name, i, self._text(x)) for i, x in enumerate(items))
        self.slots = list(program.plan.slots)

    def _text(self, node) -> str:
        if isinstance(node, P.LetUse):
            return node.let.name
        if isinstance(node, P.LeadUse):
            return node.lead.name
        return _text(self.program, node.origin)

    def _value(self, node, trace):
        if isinstance(node, P.Const):
            return node.value
        k = self.index.get(id(node))
        if k is not None and k in trace:
            v = trace[k]
            return v if v is True or v is False else None
        if isinstance(node, P.LetUse):
            return self._value(node.let.body, trace)
        return None

    def observe(self, record, moment, events=None) -> Observation:
        program = self.program
        trace: dict = {}
        try:
            result = self.safe(record, moment, _as_of_us(moment), events, (program, moment, events, "return", "error"),
                               trace)
        except DataError as e:
            return Observation(program.error_result(str(e)), {}, (), ())
        clauses = {name: tuple(self._value(x, trace) for x in items) for name, items in self.parts.items()}
        values = trace.get("slots", ())
        bad_units = trace.get("bad", {})
        bad = tuple(s.label for s in self.slots if s.unit in bad_units)
        missing = tuple(s.label for s in self.slots
                        if s.unit not in bad_units and s.index < len(values) and values[s.index] is None)
        return Observation(result, clauses, missing, bad)


__all__ = ["Clause", "Observation", "Observer"]
