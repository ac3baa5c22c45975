"""Completion from the text before the cursor, so that it works in an unfinished statement.

The statement being typed usually does not parse; its words do. The context is
read from the words of the statement before the cursor (strings and comments
blanked), and the names from the last analysis of the document (the
statements that did parse, and the files they include):

- after ``=``, ``!=``, ``<``, ``>=``, ``in {``, ``has``, ``between`` ... the
  members of the enum or ordinal on the left (a field, an event property inside
  ``where``, a band or a route);
- inside ``where`` (``count(page_view where ...``, ``(page_view where ...)``): the
  properties of that event;
- in a window (``visits(``) and after ``within``: durations;
- after ``field NAME:`` or a property's ``:``: types;
- at the start of a statement: the statement keywords; elsewhere: the names of
  the program and the expression keywords;
- inside ``# leaddsl: ignore[``: the diagnostic codes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import types as T
from ..front import nodes as n
from ..codes import CODES
from .analysis import Snapshot, _mask, statement_starts

STATEMENTS = ("include", "field", "event", "metric", "let", "lead", "stages", "score", "band", "route", "definition")
EXPRESSION_WORDS = ("and", "or", "not", "in", "not in", "is missing", "is present", "is empty", "between",
                    "contains", "starts with", "ends with", "matches", "has", "has any", "has all", "within",
                    "then", "where", "true", "false")
DURATIONS = ("30min", "1h", "12h", "1d", "7d", "14d", "30d", "90d", "180d", "365d", "1w", "2w")
TYPES = ("number", "text", "bool", "date", "datetime", "enum(", "ordinal(", "list(")
AGGREGATES = tuple(f"{a}(" for a in n.AGGREGATES)

_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*|[0-9][0-9A-Za-z_.]*|<=|>=|!=|==|<>|\S")
_IGNORE = re.compile(r"#\s*leaddsl:\s*ignore\[([A-Za-z0-9,\s]*)$")
_COMPARE = {"=", "!=", "==", "<>", "<", "<=", ">", ">=", "in", "has", "between", "any", "all"}


@dataclass(frozen=True)
class Item:
    label: str
    kind: str           # field event prop member metric let lead score band route keyword duration type code
    detail: str = ""


def complete(snap: Snapshot | None, text: str, offset: int) -> list[Item]:
    offset = max(0, min(offset, len(text)))
    line_start = text.rfind("\n", 0, offset) + 1
    line = text[line_start:offset]
    m = _IGNORE.search(line)
    if m:
        return [Item(c.code, "code", c.slug) for c in sorted(CODES.values(), key=lambda c: c.code)]
    masked_line = _mask(line)
    if masked_line != line and masked_line[len(line.rstrip()) - 1:].strip() == "" and line.rstrip():
        return []  # inside a comment or a text
    start = max(s for s in statement_starts(text[:offset] + "\n") if s <= offset)
    before = _mask(text[start:offset])
    word_m = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", before)
    tokens = _TOKEN.findall(before[: word_m.start()] if word_m else before)
    return _items(snap, tokens)


def _items(snap: Snapshot | None, tokens: list[str]) -> list[Item]:
    if not tokens:
        return [Item(w, "keyword", "statement") for w in STATEMENTS]
    head = tokens[0]
    # an open bracket: a window, a `where`, an aggregate, a set
    stack: list[int] = []
    for k, t in enumerate(tokens):
        if t in "({":
            stack.append(k)
        elif t in ")}" and stack:
            stack.pop()
    last = tokens[-1]
    if head in ("field", "event") and last == ":":
        return [Item(t, "type") for t in TYPES]
    if head == "metric" and last == "=":
        return [Item(a, "keyword", "aggregate") for a in AGGREGATES]
    if last == "within" or last == "any" and len(tokens) > 1 and tokens[-2] == "(":
        return [Item(d, "duration") for d in DURATIONS]
    event = _where_event(tokens, stack)
    if stack and tokens[stack[-1]] == "(" and stack[-1] == len(tokens) - 1 and stack[-1] > 0:
        name = tokens[stack[-1] - 1]
        if snap is not None and (name in snap.scope.metrics or snap.analysis.event(name) is not None):
            return [Item(d, "duration") for d in DURATIONS] + [Item("any 1d", "duration", "the best 1-day window")]
        if name in n.AGGREGATES and snap is not None:
            return _events(snap)
    subject = _compared(tokens, stack)
    if subject is not None and snap is not None:
        t = _type_of(snap, subject, event)
        t = t.element if isinstance(t, T.ListT) else t
        if isinstance(t, (T.EnumT, T.OrdinalT)):
            return [Item(m, "member", str(t)) for m in t.members]
    if snap is None:
        return [Item(w, "keyword") for w in EXPRESSION_WORDS]
    if event is not None:
        e = snap.analysis.event(event)
        props = [Item(p, "prop", str(t)) for p, t in (e.props.items() if e else ())]
        return props + [Item(w, "keyword") for w in EXPRESSION_WORDS if w != "where"]
    return _names(snap) + [Item(w, "keyword") for w in EXPRESSION_WORDS]


def _where_event(tokens: list[str], stack: list[int]) -> str | None:
    """The event whose properties a `where` inside an open bracket filters."""
    for k in reversed(stack):
        if tokens[k] != "(":
            continue
        rest = tokens[k + 1:]
        if len(rest) >= 2 and rest[1] == "where":
            return rest[0].split(".")[0]
    return None


def _compared(tokens: list[str], stack: list[int]) -> str | None:
    """The name on the left of the comparison the cursor is the right side of."""
    k = len(tokens) - 1
    if stack and tokens[stack[-1]] == "{":  # in a set: skip its members back to `{`
        if stack[-1] == 0:
            return None
        k = stack[-1] - 1
    elif tokens[k] == ",":
        return None
    while k >= 0 and tokens[k] in ("any", "all", "not"):
        k -= 1
    if k < 1 or tokens[k] not in _COMPARE:
        return None
    left = tokens[k - 1]
    if left == "not" and k >= 2:  # `not in`
        left = tokens[k - 2]
    return left if re.match(r"[A-Za-z_]", left) else None


def _type_of(snap: Snapshot, name: str, event: str | None):
    s = snap.scope
    if event is not None:
        e = snap.analysis.event(event)
        if e is not None and name in e.props:
            return e.props[name]
    if name in s.fields:
        return s.fields[name].type
    if name in s.band_types:
        return s.band_types[name]
    if name in s.route_types:
        return s.route_types[name]
    return None


def _events(snap: Snapshot) -> list[Item]:
    events = {**snap.analysis.implicit_events, **snap.scope.events}
    return [Item(name, "event", f"event({', '.join(e.props)})") for name, e in events.items()]


def _names(snap: Snapshot) -> list[Item]:
    s, a = snap.scope, snap.analysis
    out = [Item(name, "field", str(f.type)) for name, f in s.fields.items()]
    out += [Item(name, "let", str(a.let_types.get(name, ""))) for name in s.lets]
    out += [Item(name, "lead", "lead definition") for name in s.leads]
    out += [Item(name, "metric", str(a.metric_types.get(name, "number"))) for name in s.metrics]
    out += _events(snap)
    out += [Item(name, kind, kind) for kind, names in (("score", s.scores), ("band", s.bands), ("route", s.routes))
            for name in names]
    return out
