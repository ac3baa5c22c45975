"""The one definition of the semantics shared by every backend.

* Three-valued logic (SQL's): ``True``, ``False`` and ``None`` (unknown),
  written once as *true/false pairs*: a condition is a pair ``(t, f)`` where
  ``t`` holds exactly when it is true and ``f`` exactly when it is false
  (neither: unknown). :func:`and_tf`, :func:`or_tf`, :func:`not_tf` and
  :func:`test_tf` combine pairs over any boolean algebra, so the generated
  evaluator (Python source), the trace (Python values, :func:`and3` ...) and
  the linter (z3 terms) all use these same rules.
* Text normalisation: Unicode NFC, ``casefold()``, surrounding white space
  stripped. Accents count.
* Member matching: a symbol or text as the member of an enum or ordinal.
* Comparing two schemaless values, and arithmetic.
* The missing markers of input strings.
"""
from __future__ import annotations

import datetime as dt
import functools
import operator
import re
import unicodedata

_SEPARATORS = re.compile(r"[\s_\-]+")

MISSING_MARKERS = frozenset({"", "n/a", "na", "null", "-"})


# ------------------------------------------------------ three-valued logic --
def and_tf(parts, AND, OR):
    """``a and b``: true when every part is true, false when any part is false."""
    return AND([t for t, _ in parts]), OR([f for _, f in parts])


def or_tf(parts, AND, OR):
    """``a or b``: true when any part is true, false when every part is false."""
    return OR([t for t, _ in parts]), AND([f for _, f in parts])


def not_tf(part):
    """``not a`` swaps true and false; unknown stays unknown."""
    return part[1], part[0]


def test_tf(present, relation, AND, NOT):
    """A predicate over values (``x >= c``): true when every value is present and the
    relation holds, false when every value is present and it does not; a missing
    value makes it unknown."""
    return AND([*present, relation]), AND([*present, NOT(relation)])


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


@functools.lru_cache(maxsize=4096)  # a few spellings repeat in every lead's events
def type_key(text: str) -> str:
    """How an event's ``type`` in data matches a declared event: folded, with runs of white
    space, ``-`` and ``_`` read as one ``_`` (an export's "Page View" is ``page_view``)."""
    return _SEPARATORS.sub("_", fold(text)).strip("_")


def clean(text: str) -> str:
    """A text as read from input: NFC with surrounding white space stripped (case kept)."""
    if text.isascii():
        return text.strip()
    return unicodedata.normalize("NFC", text).strip()


def member_value(t, c):
    """A symbol or text as the member of an enum (its canonical name) or an ordinal (its
    rank); a text that is no member stays itself (enum) or None (ordinal)."""
    k = fold(str(c))
    for i, m in enumerate(t.members):
        if fold(m) == k:
            return i if t.name == "ordinal" else m
    return None if t.name == "ordinal" else str(c)


def is_missing_marker(text: str) -> bool:
    s = text.strip()
    return len(s) <= 4 and s.lower() in MISSING_MARKERS


def arith(op: str, a, b):
    """``+ - * /`` over numbers; missing in, missing out; division by zero is missing,
    and so is a result too large for a number (an overflow)."""
    if a is None or b is None:
        return None
    try:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if b == 0:
            return None
        r = a / b
    except OverflowError:
        return None
    return int(r) if isinstance(r, float) and r.is_integer() and abs(r) < 2**53 else r

OPS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class Incomparable(Exception):
    """Two schemaless values that cannot be ordered (``value`` is the one at fault)."""

    def __init__(self, value, other):
        super().__init__(value, other)
        self.value, self.other = value, other


def dyn_key(x):
    """The comparison key of a schemaless value: folded text, whole floats as ints."""
    if isinstance(x, str):
        return fold(x)
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _kind(x) -> str:
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, (int, float)):
        return "number"
    if isinstance(x, str):
        return "text"
    return "other"  # a list or an object


def dyn_compare(op: str, a, b, read_number):
    """``a op b`` for two schemaless values, taken as they are: a text compared with a
    number is read by the number rule (``read_number``, which may raise BadValue); texts
    compare folded; true/false, lists and objects are never ordered, and values of
    different kinds are unequal. Ordering what cannot be ordered raises
    :class:`Incomparable` (a bad value of the record)."""
    if a is None or b is None:
        return None
    ka, kb = _kind(a), _kind(b)
    if ka == "text" and kb == "number":
        a, ka = read_number(a), "number"
        if a is None:
            return None
    elif kb == "text" and ka == "number":
        b, kb = read_number(b), "number"
        if b is None:
            return None
    if op in ("=", "!="):
        same = ka == kb and dyn_key(a) == dyn_key(b)
        return same if op == "=" else not same
    if ka != kb or ka in ("bool", "other"):
        raise Incomparable(b if kb in ("bool", "other") and ka == "number" else a, b)
    return OPS[op](dyn_key(a), dyn_key(b))


def within(x, as_of: dt.datetime, seconds: int):
    """``x within D``: ``as_of - D < x <= as_of``; missing in, unknown out."""
    if x is None:
        return None
    try:
        return as_of - dt.timedelta(seconds=seconds) < x <= as_of
    except OverflowError:  # the window reaches before year 1: it holds every earlier time
        return x <= as_of
