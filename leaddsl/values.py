"""Reading input values (CSV cells, JSON values, Parquet cells) into declared types.

Every reader takes a raw value and returns the typed value, ``None`` for
missing, or raises :class:`BadValue`. Internal representations:

* number: ``int`` or ``float``
* text: ``str`` as read (NFC, stripped, case kept); comparisons use ``logic.fold``
* bool: ``bool``
* date and datetime: timezone-aware ``datetime`` (a date is its midnight UTC)
* enum: the member as declared; ordinal: the member's rank (``int``)
* list: a ``tuple`` of element values; absent, null or empty is ``()``

What every reader shares (``ReadOptions``, ``BadValue``) is in ``reading.py``, the
date and datetime readers in ``times.py``; both are read from here too.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import sys
from decimal import Context, Decimal, InvalidOperation

from . import formats as F
from . import types as T
from .logic import MISSING_MARKERS, clean, fold, is_missing_marker
# re-exported too: every wing reads the readers, their options and their errors as values.X
from .reading import NO_OPTIONS, BadValue, NoTime, ReadOptions  # noqa: F401
from .times import (  # noqa: F401
    DATETIME_RE, UTC, date_reader, datetime_reader, in_utc_range, iso_datetime, parse_datetime_text, read_date,
    read_datetime, to_datetime)

# Numbers read from data are finite floats' range; a text of more digits than this is
# refused before it is converted (Python refuses ints of more than 4,300 digits).
MAX_NUMBER = sys.float_info.max
MAX_NUMBER_CHARS = 400
_DEC_MAX = Decimal(MAX_NUMBER)
_EXACT = Context(prec=MAX_NUMBER_CHARS + 20)  # Decimal arithmetic that never rounds read digits


def _too_large(raw, type_name="number"):
    return BadValue(raw, type_name, "too large: numbers are at most about 1.8e308")


_CURRENCY = r"(?:[A-Z]{1,3}\$|[$€£¥₹₩]|[A-Za-z]{3})"
_NUMBER_RE = re.compile(
    r"""^\s*(?P<sign>[+-])?\s*(?:(?P<pre>""" + _CURRENCY + r""")\s*)?(?P<sign2>[+-])?
        (?P<digits>[0-9][0-9,_]*(?:\.[0-9]*)?|\.[0-9]+)
        (?P<exp>[eE][+-]?[0-9]+)?
        \s*(?P<suffix>thousand|million|billion|trillion|mln|bln|k|mm|mn|m|bn|b|tn|t)?
        \s*(?P<post>""" + _CURRENCY + r""")?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_SUFFIX = {"": 1, "k": 10**3, "m": 10**6, "mm": 10**6, "mn": 10**6, "b": 10**9, "bn": 10**9,
           "t": 10**12, "tn": 10**12, "thousand": 10**3, "million": 10**6, "billion": 10**9,
           "trillion": 10**12, "mln": 10**6, "bln": 10**9}
_GROUPED = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$")


def _to_number(d: Decimal):
    if d == d.to_integral_value():
        return int(d)
    return float(d)


_FAST_SUFFIX = {"k": 10**3, "K": 10**3, "m": 10**6, "M": 10**6, "b": 10**9, "B": 10**9, "t": 10**12, "T": 10**12}


_FAST_NUM = re.compile(
    r"\$?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]{1,3}))?([kKmMbBtT])?")


def _from_fast(m):
    """The value of a ``_FAST_NUM`` match, ``[$]1,234[.5][e8][kMBT]``, exactly: an int when
    whole, else the correctly rounded float (int / int is correctly rounded in Python)."""
    whole, frac, exp, suffix = m.groups()
    if "," in whole:
        whole = whole.replace(",", "")
    mult = _FAST_SUFFIX[suffix] if suffix else 1
    if frac is None and exp is None:
        value = int(whole) * mult
    else:
        num = int(whole + (frac or "")) * mult
        shift = int(exp or 0) - len(frac or "")
        if shift >= 0:
            value = num * 10 ** shift
        else:
            den = 10 ** -shift
            value = num // den
            if num % den and value <= MAX_NUMBER:
                value = num / den
    if value <= MAX_NUMBER:
        return value
    raise _too_large(m.string)


def parse_number_text(s: str, currency: str | None = None):
    """``300,000,000``, ``$300M``, ``1.2B``, ``4.5k``, ``3e8``, ``2bn``, ``300MM``,
    ``1.2 billion``, ``USD 1,200,000,000`` ... A bad value when longer than
    MAX_NUMBER_CHARS, beyond a float's range, or in a currency other than ``currency``."""
    t = s.strip()
    if len(t) > MAX_NUMBER_CHARS:
        raise BadValue(s, "number", f"too many digits: at most {MAX_NUMBER_CHARS} characters")
    m = _FAST_NUM.fullmatch(t)
    if m is not None and (currency is None or not t.startswith("$") or currency in F.SIGNS["$"]):
        return _from_fast(m)
    return _parse_number_slow(s, currency)


def _currency_of(s: str, m, currency: str | None) -> None:
    """Check the currency a number is written in (a sign or an ISO code, before or after
    it) against the field's: a bad value when they differ. With no declared currency, a
    plain ``$`` passes (a common export habit); any other currency asks to declare one."""
    marks = [x for x in (m.group("pre"), m.group("post")) if x]
    if not marks:
        return
    found = []
    for x in marks:
        key = x.upper()
        if key in F.SIGNS or key in F.CURRENCIES:
            found.append(key)
        else:
            raise BadValue(s, "number", f"`{x}` is not a currency code")
    families = [F.SIGNS.get(x, frozenset({x})) for x in found]
    if len(families) == 2 and not families[0] & families[1]:
        raise BadValue(s, "number", message=f"names two currencies ({found[0]} and {found[1]})")
    family = families[0] & families[-1]
    if currency is None:
        if found == ["$"] * len(found):
            return
        raise BadValue(s, "number", message=f"is in {F.sign_name(found[0])}; the field names no currency "
                                            f"(declare it, e.g. `currency {min(family)}`)")
    if currency not in family:
        raise BadValue(s, "number", message=f"is in {F.sign_name(found[0])}, the field is in {currency}")


def _parse_number_slow(s: str, currency: str | None = None):
    """Signs, spaces after `$`, currency codes, `MM`/`bn`/`tn` suffixes and words: through Decimal."""
    m = _NUMBER_RE.match(s)
    if not m or (m.group("sign") and m.group("sign2")):
        raise BadValue(s, "number")
    _currency_of(s, m, currency)
    digits = m.group("digits")
    if "," in digits and not _GROUPED.match(digits):
        raise BadValue(s, "number", "commas must group thousands")
    try:
        d = Decimal(digits.replace(",", "").replace("_", "") + (m.group("exp") or ""))
    except InvalidOperation:
        raise BadValue(s, "number") from None
    if d.adjusted() > 400:  # before multiplying: Decimal's own exponent limit
        raise _too_large(s)
    d = _EXACT.multiply(d, _SUFFIX[(m.group("suffix") or "").lower()])
    if d > _DEC_MAX:
        raise _too_large(s)
    if (m.group("sign") or m.group("sign2")) == "-":
        d = d.copy_negate()
    return _to_number(d)


def read_number(raw):
    t = raw.__class__
    if t is float and raw - raw == 0.0:  # a finite float (inf - inf and nan are nan)
        return raw
    if t is int:
        if -MAX_NUMBER <= raw <= MAX_NUMBER:
            return raw
        raise _too_large(raw)
    if t is float:
        raise BadValue(raw, "number", "not a finite number")
    if raw is None:
        return None
    if t is str:
        s = raw.strip()
        if len(s) <= 4 and s.lower() in MISSING_MARKERS:
            return None
        if len(s) > MAX_NUMBER_CHARS:
            raise BadValue(raw, "number", f"too many digits: at most {MAX_NUMBER_CHARS} characters")
        m = _FAST_NUM.fullmatch(s)
        return _from_fast(m) if m is not None else _parse_number_slow(raw)
    if isinstance(raw, bool):
        raise BadValue(raw, "number")
    if isinstance(raw, (int, float)):
        return read_number(float(raw) if isinstance(raw, float) else int(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise BadValue(raw, "number", "not a finite number")
        if abs(raw) > _DEC_MAX:
            raise _too_large(raw)
        return _to_number(raw)
    raise BadValue(raw, "number")


def number_reader(currency: str | None):
    """The reader of a number field whose amounts are in ``currency`` (None: no currency)."""
    if currency is None:
        return read_number

    def read(raw):
        if raw.__class__ is str:
            s = raw.strip()
            if len(s) <= 4 and s.lower() in MISSING_MARKERS:
                return None
            return parse_number_text(raw, currency)
        return read_number(raw)
    return read


def read_text(raw):
    if raw.__class__ is str:
        if raw.isascii():
            t = raw.strip()
            if len(t) <= 4 and t.lower() in MISSING_MARKERS:
                return None
            return t
        if is_missing_marker(raw):
            return None
        return clean(raw)
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise BadValue(raw, "text")
    if isinstance(raw, int):
        if raw.bit_length() > 1024:
            raise _too_large(raw, "text")
        return str(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise BadValue(raw, "text")
        return str(int(raw)) if raw.is_integer() else repr(raw)
    raise BadValue(raw, "text")


_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def read_text_key(raw):
    """A text read straight to its comparison key (``logic.fold``): for text only compared."""
    if raw.__class__ is str:
        if raw.isascii():
            t = raw.strip().lower()
            if len(t) <= 4 and t in MISSING_MARKERS:
                return None
            return t
        v = read_text(raw)
        return None if v is None else fold(v)
    v = read_text(raw)
    return None if v is None else fold(v)


def read_bool(raw):
    if raw is None:
        return None
    if raw is True or raw is False:
        return raw
    if type(raw) is str:
        if is_missing_marker(raw):
            return None
        s = raw.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
        raise BadValue(raw, "bool", "use true/false, yes/no or 1/0")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw in (0, 1):
        return bool(raw)
    raise BadValue(raw, "bool")

def member_hint(text: str, members) -> str:
    """``; did you mean `energy`?`` when a bad member's text is close to one member (as the
    checker's hints find names), else ``""``. Not for a text the message shortens: the SQL
    engines add the same hint from the message alone (:func:`hinted`)."""
    from .diagnostics import suggest
    near = suggest(fold(text), members) if len(text) <= 78 else None
    return f"; did you mean `{near}`?" if near else ""


_UNHINTED = re.compile(r"cannot read '(?P<text>.*)' as (?P<what>.+) \(expected one of (?P<members>[^();]*)\)")


def hinted(message: str) -> str:
    """A message of a bad member as the Python engine gives it: the SQL query's message
    (``... (expected one of a, b)``) with :func:`member_hint`'s hint."""
    m = _UNHINTED.search(message)
    if m is None or m.end() != len(message):
        return message
    hint = member_hint(m.group("text"), m.group("members").split(", "))
    return message[:m.end() - 1] + hint + ")" if hint else message


def member_reader(t: T.EnumT | T.OrdinalT, aliases=()):
    """Members in any case, with surrounding white space; ``aliases`` (member -> its
    aliases) are read as their member, matched the same way."""
    ordinal = isinstance(t, T.OrdinalT)
    spelled = [(i, m, s) for i, m in enumerate(t.members) for s in (m, *dict(aliases).get(m, ()))]
    table = {fold(s): (i if ordinal else m) for i, m, s in spelled}
    exact = dict(table)  # spellings that need no normalising
    for i, m, s in spelled:
        for spelling in (s, s.lower(), s.upper(), s.title(), s.capitalize()):
            exact[spelling] = i if ordinal else m
    kind = "ordinal" if ordinal else "enum"
    label = f"{kind} `{t.field}`" if t.field else str(t)
    exact_get = exact.get

    def read(raw):  # noqa: E306
        if raw.__class__ is str:
            hit = exact_get(raw)
            if hit is not None:
                return hit
        if raw is None:
            return None
        if type(raw) is str:
            key = raw.strip().lower() if raw.isascii() else fold(raw)
            try:
                return table[key]
            except KeyError:
                if is_missing_marker(raw):
                    return None
                raise BadValue(raw, label, "expected one of " + ", ".join(t.members)
                               + member_hint(raw, t.members)) from None
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return read(read_text(raw))
        raise BadValue(raw, label)
    read.exact = exact  # the generated fast path looks exact spellings up inline
    return read


def with_missing(reader, markers: tuple[str, ...]):
    """``reader``, with the (folded) ``markers`` read as missing too."""
    if not markers:
        return reader
    marks = frozenset(markers)

    def read(raw):
        if raw.__class__ is str and (raw.strip().lower() if raw.isascii() else fold(raw)) in marks:
            return None
        return reader(raw)
    exact = getattr(reader, "exact", None)
    if exact is not None:  # the generated fast path: marker spellings are not exact hits
        read.exact = exact
    return read


def list_reader(t: T.ListT, options: ReadOptions = NO_OPTIONS):
    elem = reader_for(t.element, options)

    def read(raw):
        if raw is None:
            return ()
        if isinstance(raw, str):
            if is_missing_marker(raw):
                return ()
            parts = raw.split(";")
        elif isinstance(raw, (list, tuple)):
            parts = raw
        else:
            parts = [raw]
        out = []
        for p in parts:
            v = elem(p)
            if v is not None:
                out.append(v)
        return tuple(out)
    return read


def read_dynamic(raw):
    """Schemaless values: as they are, missing markers applied to strings."""
    if type(raw) is str:
        if is_missing_marker(raw):
            return None
        return clean(raw)
    return raw


def read_text_list(raw):
    return list_reader(T.list_of(T.TEXT))(raw)


def read_dynamic_text(raw):
    if raw is True or raw is False:
        return "true" if raw else "false"
    return read_text(raw)


def reader_for(t: T.Type, options: ReadOptions | None = None):
    """The reader of a declared type (written as ``options`` say), or of a schemaless read mode."""
    if options is not None and options.reads:
        if isinstance(t, T.ListT):  # markers apply to each element: a list of markers is empty
            return list_reader(t, options)
        return with_missing(_reader_with(t, options), options.missing)
    if t == T.NUMBER:
        return read_number
    if t == T.TEXT:
        return read_text
    if t == T.BOOL:
        return read_bool
    if t == T.DATE:
        return read_date
    if t == T.DATETIME:
        return read_datetime
    if isinstance(t, (T.EnumT, T.OrdinalT)):
        return member_reader(t)
    if isinstance(t, T.ListT):
        return list_reader(t)
    return read_dynamic


def _reader_with(t: T.Type, options: ReadOptions):
    if t == T.NUMBER:
        return number_reader(options.currency)
    if t == T.DATETIME and (options.formats or options.zone):
        return datetime_reader(options)
    if t == T.DATE and options.formats:
        return date_reader(options)
    if isinstance(t, (T.EnumT, T.OrdinalT)):
        return member_reader(t, options.aliases)
    return reader_for(t)


def format_value(value, t: T.Type | None = None) -> str:
    """A value as ``explain`` shows it."""
    if value is None:
        return "missing"
    if isinstance(t, T.OrdinalT) and isinstance(value, int) and 0 <= value < len(t.members):
        return t.members[value]
    if isinstance(value, dt.datetime):
        if t == T.DATE:
            return value.date().isoformat()
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        return "[" + ", ".join(format_value(v, getattr(t, "element", None)) for v in value) + "]"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}" if value.bit_length() <= 1024 else "a number of more than 300 digits"
    return str(value)
