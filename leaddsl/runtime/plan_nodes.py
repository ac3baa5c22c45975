"""The nodes of the lowered plan (``plan.lower`` builds them; every backend reads them).

Read units (``Slot``, ``PropRead``, ``EventType``, ``Source``) say what is read and
how; the nodes say what is computed from it. Plan nodes are identity-compared
objects; ``origin`` is the AST node they come from (for spans and the text
``explain`` shows). ``roots`` and ``children`` walk them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import types as T
from ..front.check import Analysis
from ..values import NO_OPTIONS, ReadOptions

# ------------------------------------------------------------ read units ----
@dataclass(eq=False, slots=True)
class Slot:
    """A value of the record, read (and validated) before any clause."""
    index: int
    label: str                # what an error names: the field, or the record key
    path: tuple[str, ...]
    type: T.Type              # how it is read (a schemaless key: its mode)
    reader: object
    keyed: bool = False       # read straight to its folded key (text only ever compared)
    options: ReadOptions = NO_OPTIONS  # how the field's values are written; its bad-value policy

    @property
    def unit(self):
        return ("slot", self.index)


@dataclass(eq=False, slots=True)
class PropRead:
    event: str
    pos: int
    name: str
    type: T.Type
    reader: object
    keyed: bool = False
    options: ReadOptions = NO_OPTIONS


@dataclass(eq=False, slots=True)
class EventType:
    index: int
    name: str
    props: list[PropRead] = field(default_factory=list)
    ts: ReadOptions = NO_OPTIONS   # how its times are written (`ts: datetime format ... zone ...`)


@dataclass(eq=False, slots=True)
class Source:
    """The events one aggregate or sequence side counts: one type, one optional filter."""
    index: int
    event: EventType
    where: object = None           # a plan condition over the event's properties
    props: set = field(default_factory=set)   # property positions whose values are kept (aggregated)
    ids: bool = False              # event ids kept (a sequence between events of one type)
    dyn: list = field(default_factory=list)   # the DynCmp nodes of its `where`


# ----------------------------------------------------------------- nodes ----
@dataclass(eq=False, slots=True)
class Node:
    origin: object = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False, slots=True)
class Const(Node):
    value: object


@dataclass(eq=False, slots=True)
class Read(Node):
    slot: Slot


@dataclass(eq=False, slots=True)
class Prop(Node):
    """A property of the event a `where` is looking at."""
    prop: PropRead


@dataclass(eq=False, slots=True)
class Key(Node):
    """A value keyed for comparison: ``fold`` (text), or ``name`` (the folded name of a
    member: ordinals hold ranks, so ``members`` maps a rank to its name)."""
    how: str
    x: Node
    members: tuple | None = None


@dataclass(eq=False, slots=True)
class Arith(Node):
    op: str
    left: Node
    right: Node


@dataclass(eq=False, slots=True)
class Neg(Node):
    x: Node


@dataclass(eq=False, slots=True)
class Agg(Node):
    """An aggregate over one source: count/sum/min/max/days/first/last, in a window."""
    index: int
    func: str
    source: Source
    pos: int | None        # the property aggregated (sum/min/max)
    seconds: int | None
    any: bool


@dataclass(eq=False, slots=True)
class Let(Node):
    """A named value or condition; ``shared`` when used more than once (computed once)."""
    index: int
    name: str
    body: Node
    mode: object = None
    uses: int = 0
    in_where: bool = False

    @property
    def shared(self) -> bool:
        return self.uses > 1 and not self.in_where


@dataclass(eq=False, slots=True)
class LetUse(Node):
    let: Let


@dataclass(eq=False, slots=True)
class Lead(Node):
    index: int
    name: str
    body: Node = None
    needs: frozenset = frozenset()


@dataclass(eq=False, slots=True)
class LeadUse(Node):
    lead: Lead


@dataclass(eq=False, slots=True)
class ScoreRule(Node):
    """One rule of a score: a condition (``cond``) or, with ``each``, a count (``agg``)
    whose every event gives the points. ``dated``: for a decayed condition, the counts
    and sequences whose newest event gives the age the points decay by."""
    points: float
    cond: Node | None = None
    agg: "Agg | None" = None
    cap: float | None = None
    half_life: int | None = None
    dated: list = field(default_factory=list)


@dataclass(eq=False, slots=True)
class Score(Node):
    index: int
    name: str
    rules: list = field(default_factory=list)
    cap: float | None = None
    needs: frozenset = frozenset()


@dataclass(eq=False, slots=True)
class Band(Node):
    """Ranges of a number: ``members[i]`` holds the values between ``cuts[i - 1]`` and
    ``cuts[i]``; a cut is (value, whether the upper band takes the value itself)."""
    index: int
    name: str
    on: Node = None
    members: tuple = ()
    cuts: tuple = ()
    needs: frozenset = frozenset()


@dataclass(eq=False, slots=True)
class Route(Node):
    """The first rule whose condition is true names the target; the fallback otherwise;
    no target (None) when the lead definition does not hold."""
    index: int
    name: str
    lead: Node = None          # a LeadUse
    rules: list = field(default_factory=list)   # (target, condition)
    fallback: str = ""
    needs: frozenset = frozenset()


@dataclass(eq=False, slots=True)
class OutputUse(Node):
    """A score, band or route used as a value."""
    item: object


@dataclass(eq=False, slots=True)
class And(Node):
    items: list


@dataclass(eq=False, slots=True)
class Or(Node):
    items: list


@dataclass(eq=False, slots=True)
class Not(Node):
    x: Node


@dataclass(eq=False, slots=True)
class Truth(Node):
    """A true/false value used as a condition."""
    x: Node


@dataclass(eq=False, slots=True)
class Cmp(Node):
    op: str        # = != < <= > >=, on keyed sides
    left: Node
    right: Node


@dataclass(eq=False, slots=True)
class DynCmp(Node):
    """A comparison of two schemaless values; computed with the reads (it may find a
    bad value), so its outcome never depends on the order of clauses."""
    index: int
    op: str
    left: Node
    right: Node

    @property
    def unit(self):
        return ("dyn", self.index)


@dataclass(eq=False, slots=True)
class In(Node):
    x: Node
    keys: frozenset
    negated: bool


@dataclass(eq=False, slots=True)
class Missing(Node):
    x: Node
    negated: bool   # `is present`, `is not empty`


@dataclass(eq=False, slots=True)
class TextOp(Node):
    op: str        # contains, starts with, ends with; both sides folded
    x: Node
    pattern: Node


@dataclass(eq=False, slots=True)
class Match(Node):
    x: Node
    regex: object


@dataclass(eq=False, slots=True)
class Has(Node):
    mode: str      # one, any, all
    x: Node        # the list
    item: object   # one: a keyed node; any/all: a frozenset of keys
    key: str | None  # "fold" when list elements are compared folded


@dataclass(eq=False, slots=True)
class Within(Node):
    x: Node
    seconds: int


@dataclass(eq=False, slots=True)
class Seq(Node):
    first: Source
    second: Source
    seconds: int | None


CONDITIONS = (And, Or, Not, Truth, Cmp, DynCmp, In, Missing, TextOp, Match, Has, Within, Seq, LeadUse)


_CHILDREN = {
    And: lambda x: x.items, Or: lambda x: x.items,
    Not: lambda x: [x.x], Truth: lambda x: [x.x], Neg: lambda x: [x.x], Missing: lambda x: [x.x],
    Match: lambda x: [x.x], Within: lambda x: [x.x], Key: lambda x: [x.x], In: lambda x: [x.x],
    Cmp: lambda x: [x.left, x.right], DynCmp: lambda x: [x.left, x.right], Arith: lambda x: [x.left, x.right],
    TextOp: lambda x: [x.x, x.pattern],
    Has: lambda x: [x.x, x.item] if isinstance(x.item, Node) else [x.x],
}
_NONE = ()


def children(node: Node):
    """The plan nodes directly below ``node`` (a shared let or lead is not entered)."""
    get = _CHILDREN.get(node.__class__)
    return get(node) if get is not None else _NONE


# ------------------------------------------------------------------ plan ----
@dataclass
class Plan:
    analysis: Analysis
    slots: list[Slot] = field(default_factory=list)
    events: dict[str, EventType] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    aggs: list[Agg] = field(default_factory=list)
    lets: list[Let] = field(default_factory=list)
    leads: dict[str, Lead] = field(default_factory=dict)   # in declaration order
    scores: dict[str, Score] = field(default_factory=dict)
    bands: dict[str, Band] = field(default_factory=dict)
    routes: dict[str, Route] = field(default_factory=dict)
    order: list = field(default_factory=list)               # outputs and shared lets, dependencies first
    stages: tuple[str, ...] = ()
    dyn: list[DynCmp] = field(default_factory=list)         # record-level dynamic comparisons
    n_dyn: int = 0
    lowered: dict[int, list] = field(default_factory=dict)  # id(AST node) -> plan nodes made from it (lower_all)

    @property
    def uses_events(self) -> bool:
        return bool(self.events)

    @property
    def outputs(self) -> dict:
        """Every output but ``stage``, by name: leads, then scores, bands and routes."""
        return {**self.leads, **self.scores, **self.bands, **self.routes}


    @property
    def lenient(self) -> frozenset:
        """The read units whose bad values are read as missing (``bad as missing``), counted."""
        units = {s.unit for s in self.slots if s.options.bad == "missing"}
        units.update(("prop", e.name, pr.pos) for e in self.events.values() for pr in e.props
                     if pr.options.bad == "missing")
        return frozenset(units)


def _unlowered(item) -> bool:
    """A lead or let no output reaches (``lower`` for some leads only)."""
    return isinstance(item, (Lead, Let)) and item.body is None


def roots(item) -> list:
    """The plan nodes an output or shared let computes from."""
    if isinstance(item, (Lead, Let)):
        return [item.body] if item.body is not None else []
    if isinstance(item, Score):
        return [r.cond if r.cond is not None else r.agg for r in item.rules]
    if isinstance(item, Band):
        return [item.on]
    return [item.lead, *(c for _t, c in item.rules)]
