"""What the checker finds: the binding of every name (what it stands for) and the
:class:`Analysis`, its side tables keyed by ``id(node)`` (the AST holds no types).
Lowering (``runtime.plan``) and the linter read them; nothing changes them after
the checker returns.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import types as T
from .resolve import EventInfo, Scope


# ------------------------------------------------------------ bindings ----
# What a name (or a windowed name, or one side of a sequence) stands for.


@dataclass(frozen=True, slots=True)
class FieldRef:
    name: str


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A schemaless record key, read as its use site says (``Analysis.modes``)."""
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PropRef:
    """A property of the event a ``where`` filters; ``type`` is DYNAMIC for undeclared events."""
    event: str
    prop: str
    type: T.Type


@dataclass(frozen=True, slots=True)
class LetRef:
    name: str


@dataclass(frozen=True, slots=True)
class LeadRef:
    name: str


@dataclass(frozen=True, slots=True)
class MetricRef:
    name: str
    seconds: int | None = None  # the window; None for all history
    any: bool = False           # the best window, `(any 1d)`


@dataclass(frozen=True, slots=True)
class EventCount:
    """An event type used as a number: the count of its events."""
    event: str
    seconds: int | None = None
    any: bool = False


@dataclass(frozen=True, slots=True)
class SymbolRef:
    name: str


@dataclass(frozen=True, slots=True)
class SeqSide:
    """One side of ``then``: the events of one type, filtered by ``where`` (an AST
    condition) or by a count metric's filter."""
    event: str
    where: object = None
    metric: str | None = None


@dataclass(frozen=True, slots=True)
class OutputRef:
    """A score (a number), band (an ordinal of its bands) or route (an enum of its targets)."""
    kind: str  # "score" | "band" | "route"
    name: str


Binding = FieldRef | RecordRef | PropRef | LetRef | LeadRef | MetricRef | EventCount | SymbolRef | SeqSide | OutputRef


@dataclass
class Analysis:
    scope: Scope
    types: dict[int, T.Type] = field(default_factory=dict)
    bindings: dict[int, Binding] = field(default_factory=dict)
    # the type a schemaless (DYNAMIC) value is read as at this use site
    modes: dict[int, T.Type] = field(default_factory=dict)
    metric_types: dict[str, T.Type] = field(default_factory=dict)
    let_types: dict[str, T.Type] = field(default_factory=dict)
    implicit_events: dict[str, EventInfo] = field(default_factory=dict)  # schemaless event types
    used: set[tuple[str, str]] = field(default_factory=set)  # (kind, name)
    regexes: dict[int, object] = field(default_factory=dict)

    def type_of(self, node) -> T.Type:
        return self.types.get(id(node), T.UNKNOWN)

    def binding(self, node) -> Binding | None:
        return self.bindings.get(id(node))

    def mode_of(self, node) -> T.Type:
        """How a value is read at this site: its mode when schemaless, else its type."""
        return self.modes.get(id(node)) or self.types.get(id(node), T.UNKNOWN)

    def event(self, name: str) -> EventInfo | None:
        return self.scope.events.get(name) or self.implicit_events.get(name)
