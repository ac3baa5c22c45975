"""The one definition of the semantics shared by every backend.

* Three-valued logic (SQL's): ``True``, ``False`` and ``None`` (unknown).
* Text normalisation: Unicode NFC, ``casefold()``, surrounding white space
  stripped. Accents count.
* The missing markers of input strings.

The interpreter calls these functions; the SQL compiler mirrors them and
cites this module.
"""
from __future__ import annotations

import unicodedata

MISSING_MARKERS = frozenset({"", "n/a", "na", "null", "-"})


def and3(values) -> bool | None:
    """``false and unknown`` is false; ``true and unknown`` is unknown."""
    result: bool | None = True
    for v in values:
        if v is False:
            return False
        if v is None:
            result = None
    return result


def or3(values) -> bool | None:
    """``true or unknown`` is true; ``false or unknown`` is unknown."""
    result: bool | None = False
    for v in values:
        if v is True:
            return True
        if v is None:
            result = None
    return result


def not3(v: bool | None) -> bool | None:
    """``not unknown`` is unknown."""
    return None if v is None else not v


def fold(text: str) -> str:
    """The comparison key of a text: NFC, casefold, stripped."""
    if text.isascii():
        return text.strip().lower()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold()).strip()


def clean(text: str) -> str:
    """A text as read from input: NFC with surrounding white space stripped (case kept)."""
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFC", text).strip()


def is_missing_marker(text: str) -> bool:
    s = text.strip()
    return len(s) <= 4 and s.lower() in MISSING_MARKERS


def arith(op: str, a, b):
    """``+ - * /`` over numbers; missing in, missing out; division by zero is missing."""
    if a is None or b is None:
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        return None
    r = a / b
    return int(r) if isinstance(r, float) and r.is_integer() and abs(r) < 2**53 else r
