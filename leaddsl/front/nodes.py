"""The AST: frozen, slotted dataclasses. ``span`` never takes part in equality.

The AST holds no types; the checker keeps its findings in side tables keyed by
``id(node)``. ``a and b and c`` is one n-ary :class:`BoolOp`.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields
from typing import Iterator, Union

from ..source import NO_SPAN, Span


# the aggregates a metric may use (``metric m = count(page_view)``)
AGGREGATES = ("count", "sum", "min", "max", "days", "first", "last")


def _span():
    return field(default=NO_SPAN, compare=False, repr=False)


class Node:
    __slots__ = ()

    def children(self) -> Iterator["Node"]:
        for f in fields(self):
            if f.name == "span":
                continue
            v = getattr(self, f.name)
            if isinstance(v, Node):
                yield v
            elif isinstance(v, tuple):
                for x in v:
                    if isinstance(x, Node):
                        yield x


def walk(node: Node) -> Iterator[Node]:
    """Every node below ``node`` (included), iteratively, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(list(n.children())))


# ---------------------------------------------------------------- types ----
@dataclass(frozen=True, slots=True)
class SimpleType(Node):
    name: str  # number text bool date datetime
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class EnumType(Node):
    members: tuple[str, ...]
    span: Span = _span()
    # each member's aliases: how the input may write it (`life_science ("Life Sciences")`)
    aliases: tuple[tuple[str, ...], ...] = ()
    member_spans: tuple[Span, ...] = field(default=(), compare=False, repr=False)
    alias_spans: tuple[tuple[Span, ...], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class OrdinalType(Node):
    members: tuple[str, ...]
    span: Span = _span()
    aliases: tuple[tuple[str, ...], ...] = ()
    member_spans: tuple[Span, ...] = field(default=(), compare=False, repr=False)
    alias_spans: tuple[tuple[Span, ...], ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListType(Node):
    element: "TypeExpr"
    span: Span = _span()


TypeExpr = Union[SimpleType, EnumType, OrdinalType, ListType]


# ----------------------------------------------------------- expressions ----
@dataclass(frozen=True, slots=True)
class Number(Node):
    value: int | float
    text: str = field(default="", compare=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Text(Node):
    value: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Bool(Node):
    value: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Date(Node):
    value: _dt.date
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DateTime(Node):
    value: _dt.datetime  # always timezone-aware
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Duration(Node):
    seconds: int
    text: str = field(default="", compare=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A name: a let, lead, metric, event, field, record key or symbol."""
    name: str
    quoted: bool = False  # written in backticks
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class SetLit(Node):
    items: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Windowed(Node):
    """``name(7d)`` or ``name(any 1d)``."""
    target: Name
    duration: Duration
    any: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Filtered(Node):
    """``(page_view where cond)``: one side of a sequence."""
    target: Name
    where: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple["Expr", ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: str  # = != < <= > >=
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class In(Node):
    value: "Expr"
    collection: "Expr"
    negated: bool = False
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: "Expr"
    low: "Expr"
    high: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Is(Node):
    """``x is missing`` / ``is present`` / ``is empty`` / ``is not empty``."""
    value: "Expr"
    what: str  # "missing" | "present" | "empty" | "not empty"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class TextOp(Node):
    op: str  # "contains" | "starts with" | "ends with" | "matches"
    value: "Expr"
    pattern: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Has(Node):
    mode: str  # "one" | "any" | "all"
    value: "Expr"
    item: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Within(Node):
    value: "Expr"
    duration: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Then(Node):
    first: "Expr"
    second: "Expr"
    duration: "Expr | None" = None
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: str  # + - * /
    left: "Expr"
    right: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Neg(Node):
    operand: "Expr"
    span: Span = _span()


Expr = Union[Number, Text, Bool, Date, DateTime, Duration, Name, SetLit, Windowed,
             Filtered, BoolOp, Not, Compare, In, Between, Is, TextOp, Has, Within,
             Then, Arith, Neg]

LITERALS = (Number, Text, Bool, Date, DateTime)


# ------------------------------------------------------------ statements ----
@dataclass(frozen=True, slots=True)
class Aggregate(Node):
    func: str  # count sum min max days first last
    event: str
    prop: str | None
    where: "Expr | None"
    func_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    target_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Include(Node):
    path: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ReadOption(Node):
    """How a field's or property's values are written: ``missing "TBD"``, ``format "..."``,
    ``zone "..."``, ``currency USD``, ``bad as missing`` (``kind``: missing, format, zone,
    currency, bad, from; ``values``: its texts, or the currency or policy word)."""
    kind: str
    values: tuple[str, ...]
    span: Span = _span()
    value_spans: tuple[Span, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FieldDecl(Node):
    name: str
    type: TypeExpr
    column: str | None = None
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()
    options: tuple[ReadOption, ...] = ()


@dataclass(frozen=True, slots=True)
class Prop(Node):
    name: str
    type: TypeExpr
    span: Span = _span()
    options: tuple[ReadOption, ...] = ()


@dataclass(frozen=True, slots=True)
class EventDecl(Node):
    name: str
    props: tuple[Prop, ...]
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class MetricDecl(Node):
    name: str
    aggregate: Aggregate
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class LetDecl(Node):
    name: str
    expr: "Expr"
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class LeadDecl(Node):
    name: str
    expr: "Expr"
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class StagesDecl(Node):
    names: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ScoreRule(Node):
    """``CONDITION +N [decay half_life D]`` or ``each COUNT +N [decay half_life D] [max M]``."""
    each: bool
    expr: "Expr"                 # the condition, or (each) the count
    points: int | float
    half_life: Duration | None = None
    cap: "Number | None" = None
    points_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class ScoreDecl(Node):
    name: str
    rules: tuple[ScoreRule, ...]
    cap: "Number | None" = None
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BandCut(Node):
    """One threshold between two bands: ``< 20 <=`` (20 opens the upper band) or
    ``<= 20 <`` (20 closes the lower one)."""
    value: int | float
    upper_takes_it: bool
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class BandDecl(Node):
    name: str
    on: Name
    members: tuple[Name, ...]
    cuts: tuple[BandCut, ...]
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RouteRule(Node):
    target: Name
    expr: "Expr"
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class RouteDecl(Node):
    name: str
    lead: Name
    rules: tuple[RouteRule, ...]
    fallback: Name
    name_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class Party(Node):
    """``marketing "Dana Diaz"`` in ``agreed_by``: who agreed, for which side."""
    role: str
    person: str
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class HeaderEntry(Node):
    """``key: value, value`` in a ``definition`` block; the values are Text, Date,
    DateTime, Number, Duration, Party or Name (a bare word) nodes."""
    key: str
    values: tuple[Node, ...]
    key_span: Span = field(default=NO_SPAN, compare=False, repr=False)
    span: Span = _span()


@dataclass(frozen=True, slots=True)
class DefinitionDecl(Node):
    """``definition "Acme MQL" { owner: ...; effective: 2026-12-01; review: 90d }``:
    the agreement the file records (read by ``front/header.py``)."""
    title: str
    entries: tuple[HeaderEntry, ...]
    span: Span = _span()


Stmt = Union[Include, FieldDecl, EventDecl, MetricDecl, LetDecl, LeadDecl, StagesDecl, ScoreDecl, BandDecl,
             RouteDecl, DefinitionDecl]


@dataclass(frozen=True, slots=True)
class Module(Node):
    """The statements of one file."""
    file: str
    body: tuple[Stmt, ...]
    span: Span = _span()
