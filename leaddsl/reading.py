"""What every value reader shares: how a field's values are written (:class:`ReadOptions`)
and what a reader raises for a value it cannot read (:class:`BadValue`, :class:`NoTime`).

The readers themselves are in ``values.py`` (numbers, text, booleans, members, lists)
and ``times.py`` (dates and datetimes).
"""
from __future__ import annotations

import reprlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How one field's (or event property's) values are written in the input, as its
    declaration says: extra missing markers (folded), date formats, the zone of zone-less
    times, the currency of amounts, member aliases (member -> its aliases) and the policy
    for a bad value (``"missing"``: read as missing and counted; None: an error)."""
    missing: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    zone: str | None = None
    currency: str | None = None
    aliases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    bad: str | None = None

    @property
    def reads(self) -> bool:
        """Whether any option changes how a value is read (the policy does not)."""
        return bool(self.missing or self.formats or self.zone or self.currency or self.aliases)


NO_OPTIONS = ReadOptions()


_SHORT = reprlib.Repr()  # (Python 3.11's Repr takes no arguments)
_SHORT.maxlevel = 4


class BadValue(ValueError):
    def __init__(self, value, type_name: str, detail: str = "", message: str = ""):
        self.value = value
        self.type_name = type_name
        if isinstance(value, str):
            text = "'" + value + "'"
        elif isinstance(value, int) and value.bit_length() > 1024:
            text = "a number of more than 300 digits"  # str() of it may raise
        else:
            try:
                text = repr(value)
            except RecursionError:  # a JSON value nested deeper than repr goes: its outer levels
                text = _SHORT.repr(value)
        if len(text) > 80:
            text = text[:77] + "...'"
        if message:  # a sentence of its own: "'€300M' is in EUR, the field is in USD"
            super().__init__(f"{text} {message}")
            return
        super().__init__(f"cannot read {text} as {type_name}" + (f" ({detail})" if detail else ""))


class NoTime(BadValue):
    """An event without a time: no ``ts``, or one read as missing (a marker of the event
    type's own too); every event needs one."""
    def __init__(self, value):
        super().__init__(value, "datetime", "every event needs a time")
