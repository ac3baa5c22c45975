"""Name resolution: the declarations of a program and what each name means.

Reads the statements the loader produced and builds the :class:`Scope`:
fields, events, metrics, lets, leads and stages, with duplicate, type and
stage errors. Expressions are bound in ``check``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import nodes as n
from .. import types as T
from ..diagnostics import Diagnostics, did_you_mean, suggest
from ..logic import fold, type_key
from .header import Agreement, read_header
from ..values import NO_OPTIONS, ReadOptions
from .options import read_options


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: T.Type
    column: str | None
    decl: n.FieldDecl | None = None
    options: ReadOptions = NO_OPTIONS   # how the input writes its values

    @property
    def path(self) -> tuple[str, ...]:
        """Where the value is read: the `from` column, or the dotted name."""
        return (self.column,) if self.column is not None else tuple(self.name.split("."))


@dataclass
class EventInfo:
    name: str
    props: dict[str, T.Type]
    declared: bool
    decl: n.EventDecl | None = None
    options: dict[str, ReadOptions] = field(default_factory=dict)  # property (or "ts") -> its reading options


@dataclass
class Scope:
    fields: dict[str, FieldInfo] = field(default_factory=dict)
    events: dict[str, EventInfo] = field(default_factory=dict)
    metrics: dict[str, n.MetricDecl] = field(default_factory=dict)
    lets: dict[str, n.LetDecl] = field(default_factory=dict)
    leads: dict[str, n.LeadDecl] = field(default_factory=dict)
    scores: dict[str, n.ScoreDecl] = field(default_factory=dict)
    bands: dict[str, n.BandDecl] = field(default_factory=dict)
    routes: dict[str, n.RouteDecl] = field(default_factory=dict)
    band_types: dict[str, T.OrdinalT] = field(default_factory=dict)
    route_types: dict[str, T.EnumT] = field(default_factory=dict)
    stages: tuple[str, ...] = ()
    stages_decl: n.StagesDecl | None = None
    broken: set[str] = field(default_factory=set)  # declared by statements that did not parse
    agreement: Agreement | None = None  # the `definition "..." { ... }` header, if any
    statements: tuple = ()  # every statement, in order (to compare two versions of a program)

    @property
    def schemaless(self) -> bool:
        return not self.fields

    @property
    def events_declared(self) -> bool:
        return any(e.declared for e in self.events.values())

    def all_names(self) -> list[str]:
        return [*self.lets, *self.leads, *self.scores, *self.bands, *self.routes, *self.metrics, *self.events,
                *self.fields]

    def is_output(self, name: str) -> bool:
        """A score, band or route."""
        return name in self.scores or name in self.bands or name in self.routes

    @property
    def outputs(self) -> list[str]:
        """Every output but ``stage``: lead definitions, then scores, bands and routes."""
        return [*self.leads, *self.scores, *self.bands, *self.routes]


def resolve_type(t: n.Node, diags: Diagnostics, field_name: str = "") -> T.Type:
    if isinstance(t, n.SimpleType):
        if t.name in T.SIMPLE:
            return T.SIMPLE[t.name]
        aliases = {"string": "text", "str": "text", "int": "number", "integer": "number", "float": "number",
                   "decimal": "number", "money": "number", "boolean": "bool", "timestamp": "datetime"}
        good = aliases.get(t.name.lower()) or suggest(t.name, [*T.SIMPLE, "enum", "ordinal", "list"])
        diags.add("E212", t.span, f"unknown type `{t.name}`",
                  f"did you mean `{good}`?" if good else
                  "types are number, text, bool, date, datetime, enum(...), ordinal(a < b), list(T)")
        return T.UNKNOWN
    if isinstance(t, n.ListType):
        elem = resolve_type(t.element, diags, field_name)
        if isinstance(elem, T.ListT):
            diags.add("E212", t.span, "a list of lists is not a field type", "use list(text) or list(enum(...))")
            return T.UNKNOWN
        return T.list_of(elem)
    kind = "enum" if isinstance(t, n.EnumType) else "ordinal"
    members = t.members
    if not members:
        diags.add("E213", t.span, f"`{kind}` needs at least one member", f"write {kind}(a, b)")
        return T.UNKNOWN
    seen: dict[str, str] = {}
    for m in members:
        k = fold(m)
        if k in seen:
            diags.add("E213", t.span, f"member `{m}` is listed twice in {kind}({', '.join(members)})",
                      "members ignore case and white space; list each once")
            return T.UNKNOWN
        seen[k] = m
    return T.enum_of(members, field_name) if kind == "enum" else T.ordinal_of(members, field_name)


# the columns of every output row besides the outputs: no output may take their names
_ROW_COLUMNS = {"stage": "the name of the stage output",
                "error": "the name of the error column of every output row (`eval`, `sql`)"}


def _output_name(s, diags, hint: str) -> None:
    if s.name in _ROW_COLUMNS:
        diags.add("E202", s.name_span, f"`{s.name}` is {_ROW_COLUMNS[s.name]}", hint)


def _band_ok(decl: n.BandDecl, diags: Diagnostics) -> bool:
    """Members named once, thresholds increasing from left to right."""
    seen: dict[str, str] = {}
    for node in decl.members:
        k = fold(node.name)
        if k in seen:
            diags.add("E403", node.span, f"band `{decl.name}` names `{node.name}` twice",
                      "each band holds one range of the score; name each once")
            return False
        seen[k] = node.name
    for lower, upper in zip(decl.cuts, decl.cuts[1:]):
        if upper.value <= lower.value:
            diags.add("E403", upper.span, f"band `{decl.name}`: the threshold {_num(upper.value)} does not increase "
                      f"after {_num(lower.value)}",
                      "write the bands from the lowest score to the highest: `cold < 20 <= warm < 50 <= hot`")
            return False
    return True


def _num(x) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def resolve(statements: list, diags: Diagnostics) -> Scope:
    scope = Scope(statements=tuple(statements))
    header: n.DefinitionDecl | None = None
    taken: dict[str, n.Node] = {}

    def claim(name: str, node: n.Node, span) -> bool:
        if name in taken:
            prev = taken[name]
            where = f"{prev.span.file}:{prev.span.line}" if hasattr(prev, "span") else "above"
            diags.add("E202", span, f"`{name}` is already declared (at {where})",
                      "rename or remove one of the two declarations")
            return False
        taken[name] = node
        return True

    for s in statements:
        if isinstance(s, n.FieldDecl):
            if claim(s.name, s, s.name_span):
                t = resolve_type(s.type, diags, s.name)
                opts = read_options(s.options, s.type, t, diags, f"field `{s.name}`")
                scope.fields[s.name] = FieldInfo(s.name, t, s.column, s, opts)
        elif isinstance(s, n.EventDecl):
            same = next((e for e in scope.events if type_key(e) == type_key(s.name)), None)
            if same is not None and same != s.name:
                diags.add("E202", s.name_span, f"event `{s.name}` and event `{same}` match the same event type in data",
                          "an event's `type` matches ignoring case, spaces, `-` and `_`; rename one of them")
                continue
            if claim(s.name, s, s.name_span):
                props: dict[str, T.Type] = {}
                options: dict[str, ReadOptions] = {}
                for p in s.props:
                    if p.name in props or p.name in options:
                        diags.add("E202", p.span, f"property `{p.name}` is declared twice in event `{s.name}`")
                        continue
                    if p.name == "ts" and p.options:  # how the event's time is written
                        t = resolve_type(p.type, diags, f"{s.name}.ts")
                        if t not in (T.DATETIME, T.UNKNOWN):
                            diags.add("E310", p.type.span, f"an event's `ts` is a datetime, not {T.describe(t)}",
                                      'write `ts: datetime format "..." zone "..."`')
                            t = T.UNKNOWN
                        options["ts"] = read_options(p.options, p.type, t, diags, f"`{s.name}.ts`", prop=True)
                        continue
                    if p.name in ("ts", "type", "lead_id"):
                        diags.add("E202", p.span, f"`{p.name}` is a reserved column of every event",
                                  "every event has `ts` and `type`; rename this property (`ts` may be "
                                  "declared only to say how it is written: `ts: datetime format \"...\"`)")
                        continue
                    props[p.name] = resolve_type(p.type, diags, f"{s.name}.{p.name}")
                    opts = read_options(p.options, p.type, props[p.name], diags, f"property `{s.name}.{p.name}`",
                                        prop=True)
                    if opts is not NO_OPTIONS:
                        options[p.name] = opts
                scope.events[s.name] = EventInfo(s.name, props, True, s, options)
        elif isinstance(s, n.MetricDecl):
            if claim(s.name, s, s.name_span):
                scope.metrics[s.name] = s
        elif isinstance(s, n.LetDecl):
            if claim(s.name, s, s.name_span):
                scope.lets[s.name] = s
        elif isinstance(s, n.LeadDecl):
            _output_name(s, diags, "choose another name for this definition")
            if claim(s.name, s, s.name_span):
                scope.leads[s.name] = s
        elif isinstance(s, (n.ScoreDecl, n.BandDecl, n.RouteDecl)):
            _output_name(s, diags, "choose another name")
            if claim(s.name, s, s.name_span):
                if isinstance(s, n.ScoreDecl):
                    scope.scores[s.name] = s
                elif isinstance(s, n.BandDecl):
                    if _band_ok(s, diags):
                        scope.bands[s.name] = s
                        scope.band_types[s.name] = T.ordinal_of([m.name for m in s.members], s.name)
                    else:
                        scope.broken.add(s.name)
                else:
                    targets = [r.target for r in s.rules] + [s.fallback]
                    unique = list(dict.fromkeys(t.name for t in targets))
                    scope.routes[s.name] = s
                    scope.route_types[s.name] = T.enum_of(unique, s.name)
        elif isinstance(s, n.DefinitionDecl):
            if header is not None:
                diags.add("E217", s.span, "a program has one `definition` header",
                          f"merge it with the one at {header.span.file}:{header.span.line}")
                continue
            header = s
            scope.agreement = read_header(s, diags)
        elif isinstance(s, n.StagesDecl):
            if scope.stages_decl is not None:
                diags.add("E209", s.span, "a program has one `stages` statement",
                          f"merge it with the one at line {scope.stages_decl.span.line}")
                continue
            scope.stages_decl = s
    if scope.stages_decl is not None:
        names = []
        for nm in scope.stages_decl.names:
            if nm.name not in scope.leads:
                diags.add("E209", nm.span, f"stage `{nm.name}` is not a lead definition",
                          did_you_mean(nm.name, scope.leads) or f"define it: lead {nm.name} when ...")
            elif nm.name in names:
                diags.add("E209", nm.span, f"stage `{nm.name}` is listed twice")
            else:
                names.append(nm.name)
        scope.stages = tuple(names)
    return scope
