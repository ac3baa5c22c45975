"""Reading options of fields and event properties, checked against their types.

``field industry: enum(life_science ("Life Sciences", "Biotechnology"), other)
missing "TBD" bad as missing`` says how the input writes the field's values;
:func:`read_options` turns the options of one declaration into the
``values.ReadOptions`` its reader uses, with an error (code, span, hint) for
every option that does not fit: a format on a number, a currency on a text, a
zone on a date, an unknown zone or currency, an option given twice, an alias
claimed by two members, a missing marker that is also a member.
"""
from __future__ import annotations

from . import nodes as n
from .. import formats as F
from .. import types as T
from ..diagnostics import Diagnostics, suggest
from ..logic import fold
from ..values import NO_OPTIONS, ReadOptions

_FOR = {"format": "a date or datetime", "zone": "a datetime", "currency": "a number"}


def _fits(kind: str, t: T.Type) -> bool:
    base = t.element if isinstance(t, T.ListT) else t
    if kind == "format":
        return base in (T.DATE, T.DATETIME)
    if kind == "zone":
        return base == T.DATETIME
    if kind == "currency":
        return base == T.NUMBER
    return True


def read_options(options: tuple, type_node, t: T.Type, diags: Diagnostics, what: str,
                 prop: bool = False) -> ReadOptions:
    """The ReadOptions of one declaration (``what``: how messages name it, e.g.
    "field `revenue`"); errors go to ``diags``."""
    seen: dict[str, n.ReadOption] = {}
    out: dict = {}
    for o in options:
        if o.kind in seen:
            prev = seen[o.kind]
            diags.add("E233", o.span, f"{what} has two `{_word(o.kind)}` options (the first at line {prev.span.line})",
                      f"give `{_word(o.kind)}` once" + (", listing every value in it: "
                                                         f'{o.kind} "a", "b"' if o.kind in ("missing", "format")
                                                         else ""))
            continue
        seen[o.kind] = o
        if o.kind == "from":
            if prop:
                diags.add("E310", o.span, "an event property is read by its own name; `from` is for fields",
                          "rename the property to the name its events use")
            continue
        if t == T.UNKNOWN:
            continue
        if not _fits(o.kind, t):
            diags.add("E310", o.span, f"`{_word(o.kind)}` is for {_FOR[o.kind]} field; {what} is {T.describe(t)}",
                      _misfit_hint(o.kind, t))
            continue
        getattr(_Options, o.kind)(o, t, diags, out)
    aliases = _aliases(type_node, t, diags)
    if aliases:
        out["aliases"] = aliases
    if out.get("missing") and isinstance(_base(t), (T.EnumT, T.OrdinalT)):
        _markers_are_not_members(seen["missing"], _base(t), aliases, diags)
    return ReadOptions(**out) if out else NO_OPTIONS


def _word(kind: str) -> str:
    return "bad as ..." if kind == "bad" else kind


def _base(t: T.Type) -> T.Type:
    return t.element if isinstance(t, T.ListT) else t


def _misfit_hint(kind: str, t: T.Type) -> str:
    if kind == "zone" and _base(t) == T.DATE:
        return "a date has no time of day, so no zone; declare the field as datetime if its values carry a time"
    if kind == "currency":
        return "declare the field as number (`field revenue: number currency USD`), or remove the currency"
    if kind == "format":
        return "only dates and datetimes have a format; remove it"
    return f"remove the `{kind}` option"


class _Options:
    @staticmethod
    def missing(o, t, diags, out):
        out["missing"] = tuple(dict.fromkeys(fold(v) for v in o.values))
        for v, span in zip(o.values, o.value_spans or [o.span] * len(o.values)):
            if not v.strip():
                diags.add("E310", span, "an empty text is already missing",
                          "list only the markers this export writes, e.g. \"#N/A\", \"TBD\"")

    @staticmethod
    def format(o, t, diags, out):
        good = []
        for v, span in zip(o.values, o.value_spans or [o.span] * len(o.values)):
            try:
                F.compile_format(v)  # checked now: a bad pattern is an error in the file
            except F.FormatError as e:
                diags.add("E110", span, f"date format \"{v}\": {e}", F.TOKEN_HINT)
                continue
            good.append(v)
        out["formats"] = tuple(good)

    @staticmethod
    def zone(o, t, diags, out):
        name = o.values[0]
        if F.get_zone(name) is None:
            names = sorted(F.zone_names())
            by_fold = {fold(z): z for z in names}
            good = by_fold.get(fold(name)) or by_fold.get(fold(name.replace(" ", "_"))) or suggest(name, names)
            diags.add("E231", o.value_spans[0] if o.value_spans else o.span, f"`{name}` is not a time zone",
                      f"did you mean \"{good}\"?" if good else
                      "name an IANA time zone, e.g. \"America/New_York\", \"Europe/Berlin\" or \"UTC\"")
            return
        out["zone"] = name

    @staticmethod
    def currency(o, t, diags, out):
        code = o.values[0]
        if code not in F.CURRENCIES:
            good = code.upper() if code.upper() in F.CURRENCIES else suggest(code.upper(), F.CURRENCIES)
            diags.add("E232", o.value_spans[0] if o.value_spans else o.span, f"`{code}` is not a currency code",
                      f"did you mean `{good}`?" if good else "name an ISO 4217 code: USD, EUR, GBP, JPY, ...")
            return
        out["currency"] = code

    @staticmethod
    def bad(o, t, diags, out):
        out["bad"] = "missing" if o.values[0] == "missing" else None


def _aliases(type_node, t: T.Type, diags: Diagnostics) -> tuple:
    """(member, its aliases) of an enum or ordinal type node; E230 for a spelling claimed
    twice (two members' aliases, or an alias that is another member's name)."""
    node = type_node.element if isinstance(type_node, n.ListType) else type_node
    if not isinstance(node, (n.EnumType, n.OrdinalType)) or not node.aliases:
        return ()
    base = _base(t)
    if not isinstance(base, (T.EnumT, T.OrdinalT)):
        return ()
    owner: dict[str, tuple[str, object, bool]] = {}  # folded spelling -> (member, span, is the member's name)
    for m, span in zip(node.members, node.member_spans or [node.span] * len(node.members)):
        owner[fold(m)] = (m, span, True)
    out = []
    for m, names, spans in zip(node.members, node.aliases, node.alias_spans or [()] * len(node.members)):
        spans = spans or [node.span] * len(names)
        kept = []
        for a, span in zip(names, spans):
            k = fold(a)
            prev = owner.get(k)
            if prev is not None and prev[0] != m:
                other, other_span, is_name = prev
                first = f"the member `{other}`" if is_name else f"an alias of `{other}`"
                diags.add("E230", span, f"\"{a}\" is an alias of `{m}` and {first} (line {other_span.line}, "
                                        f"column {other_span.column})",
                          "a spelling in the input can stand for one member only; remove it from one of them")
                continue
            if not k:
                diags.add("E230", span, "an empty alias would read every empty value as a member",
                          "an empty value is missing; remove this alias")
                continue
            if prev is None:
                owner[k] = (m, span, False)
                kept.append(a)
        if kept:
            out.append((m, tuple(kept)))
    return tuple(out)


def _markers_are_not_members(option, t, aliases, diags) -> None:
    spellings = {fold(m): m for m in t.members}
    spellings.update({fold(a): m for m, names in aliases for a in names})
    for v, span in zip(option.values, option.value_spans or [option.span] * len(option.values)):
        m = spellings.get(fold(v))
        if m is not None:
            diags.add("E230", span, f"\"{v}\" is a missing marker and also `{m}` (a member or its alias)",
                      "a spelling in the input is either missing or a member; remove it from one of them")

