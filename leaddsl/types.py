"""The types of the language, as the checker and the runtime see them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Type:
    name: str

    def __str__(self) -> str:
        return self.name


NUMBER = Type("number")
TEXT = Type("text")
BOOL = Type("bool")  # also the type of every condition
DATE = Type("date")
DATETIME = Type("datetime")
SYMBOL = Type("symbol")
DURATION = Type("duration")
DYNAMIC = Type("value")   # schemaless: read from the record as it is
UNKNOWN = Type("unknown")  # after an error: silences follow-up errors
EVENT_SEQ = Type("events")


@dataclass(frozen=True)
class EnumT(Type):
    members: tuple[str, ...] = ()
    field: str = ""

    def __str__(self) -> str:
        return f"enum({', '.join(self.members)})"


@dataclass(frozen=True)
class OrdinalT(Type):
    members: tuple[str, ...] = ()
    field: str = ""

    def __str__(self) -> str:
        return f"ordinal({' < '.join(self.members)})"


@dataclass(frozen=True)
class ListT(Type):
    element: Type = TEXT

    def __str__(self) -> str:
        return f"list({self.element})"


@dataclass(frozen=True)
class SetT(Type):
    element: Type = SYMBOL

    def __str__(self) -> str:
        return f"set of {self.element}"


def enum_of(members, field="") -> EnumT:
    return EnumT("enum", tuple(members), field)


def ordinal_of(members, field="") -> OrdinalT:
    return OrdinalT("ordinal", tuple(members), field)


def list_of(t: Type) -> ListT:
    return ListT("list", t)


def set_of(t: Type) -> SetT:
    return SetT("set", t)


SIMPLE = {"number": NUMBER, "text": TEXT, "bool": BOOL, "date": DATE, "datetime": DATETIME}
ORDERED = (NUMBER, DATE, DATETIME)


def is_temporal(t: Type) -> bool:
    return t in (DATE, DATETIME)


def describe(t: Type) -> str:
    if t is SYMBOL or t == SYMBOL:
        return "a symbol"
    if isinstance(t, (EnumT, OrdinalT)):
        return f"{t.name} `{t.field}`" if t.field else str(t)
    return str(t)
