"""Decoding literals: texts and their escapes, numbers (300M), durations (1d),
dates and datetimes.

Literals are lexed permissively and judged here, so that `300m` gets
"write 300M" rather than "unexpected character". The part of
:class:`builder.Builder` that turns a literal token into a node, or into an
error (a mixin: it uses the builder's ``file``, ``span`` and ``error``).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from lark import Token

from . import nodes as n
from ..source import Span
from ..times import iso_datetime

NUMBER_SUFFIXES = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "B": 10**9, "T": 10**12}
DURATION_UNITS = {"min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_DURATION_DAYS = 36525  # 100 years: the longest window or `within`
_NUM_RE = re.compile(r"(\$?)([0-9][0-9_]*(?:\.[0-9][0-9_]*)?)([A-Za-z][A-Za-z0-9_]*)?$")
_UNDERSCORED = re.compile(r"[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?")  # as Python writes them


def decimal_to_number(d: Decimal) -> int | float:
    if d == d.to_integral_value():
        return int(d)
    return float(d)


class LiteralDecoder:
    def string(self, tok: Token) -> str:
        raw = str(tok)[1:-1]
        out = []
        i = 0
        while i < len(raw):
            ch = raw[i]
            if ch == "\\":
                nxt = raw[i + 1] if i + 1 < len(raw) else ""
                if nxt == '"':
                    out.append('"')
                elif nxt == "\\":
                    out.append("\\")
                elif nxt == "n":
                    out.append("\n")
                else:
                    span = Span.of(self.file, tok)
                    col = span.column + 1 + i
                    self.error("E104", Span(self.file, span.line, col, span.line, col + 2,
                                            span.start + 1 + i, span.start + 3 + i),
                               f"unknown escape `\\{nxt}` in text",
                               "the escapes are \\\", \\\\ and \\n; write a backslash as \\\\")
                    out.append(nxt)
                i += 2
                continue
            out.append(ch)
            i += 1
        return "".join(out)

    def number_token(self, tok: Token):
        """A NUMBER token: a Number, a Duration, or None after an error."""
        text = str(tok)
        shown = _cut(text)  # the token as messages show it
        span = self.span(tok)
        m = _NUM_RE.match(text)
        if not m:  # pragma: no cover - the lexer only makes tokens of this shape
            self.error("E101", tok, f"`{shown}` is not a number")
            return None
        dollar, digits, suffix = m.group(1), m.group(2), m.group(3) or ""
        try:
            value = Decimal(digits.replace("_", ""))
        except InvalidOperation:  # pragma: no cover
            self.error("E101", tok, f"`{shown}` is not a number")
            return None
        if "_" in digits and not _UNDERSCORED.fullmatch(digits):
            self.error("E101", tok, f"`{shown}`: an underscore goes between two digits",
                       f"write `{_cut(digits.replace('_', '') + suffix)}` or group the digits by one `_`: `1_000_000`")
            return None
        plain = digits + (suffix if suffix in NUMBER_SUFFIXES else "")
        if dollar:
            good = plain if suffix in NUMBER_SUFFIXES else digits
            self.error("E101", tok, f"`{shown}`: amounts are written without a currency sign",
                       f"write `{_cut(good)}`")
            return None
        if suffix in NUMBER_SUFFIXES:
            if value.adjusted() + len(str(NUMBER_SUFFIXES[suffix])) > 308:
                self.error("E101", tok, f"`{shown}` is too large",
                           "numbers are less than 10^308: write at most 308 digits")
                return None
            return n.Number(decimal_to_number(value * NUMBER_SUFFIXES[suffix]), text, span)
        if suffix in DURATION_UNITS:
            seconds = value * DURATION_UNITS[suffix]
            if seconds <= 0:
                self.error("E102", tok, f"`{shown}` is a zero duration", "a window must be longer than zero, e.g. `1d`")
                return None
            if seconds < 1:
                self.error("E102", tok, f"`{shown}` is shorter than a second", "write a longer duration, e.g. `1min`")
                return None
            if seconds > MAX_DURATION_DAYS * 86400:
                self.error("E102", tok, f"`{shown}` is longer than 100 years",
                           f"write at most `{MAX_DURATION_DAYS}d` (100 years)")
                return None
            return n.Duration(int(seconds), text, span)
        low = suffix.lower()
        hints = {"m": "M", "mm": "M", "mn": "M", "bn": "B", "b": "B", "t": "T", "tn": "T"}
        if low in hints:
            good = _cut(digits + hints[low])
            extra = f" (or `{_cut(digits)}min` for minutes)" if low == "m" else ""
            self.error("E101", tok, f"`{shown}` is not a number literal: the million suffix is an upper-case `M`"
                       if low in ("m", "mm", "mn") else f"`{shown}` is not a number literal",
                       f"write `{good}`{extra}")
            return None
        if re.fullmatch(r"[eE][0-9]+", suffix):
            full = Decimal(digits.replace("_", "") + suffix)
            self.error("E101", tok, f"`{shown}`: scientific notation is not used in definitions",
                       f"write `{_short(decimal_to_number(full))}`" if full.adjusted() <= 40 else
                       "write the number in full, or with a suffix k, M, B or T")
            return None
        if low in ("s", "sec", "secs", "seconds", "m", "mins", "minute", "minutes", "hr", "hrs", "hour",
                   "hours", "day", "days", "wk", "wks", "week", "weeks", "mo", "month", "months", "y", "yr", "year"):
            self.error("E102", tok, f"`{shown}`: unknown duration unit `{suffix}`",
                       "durations use `min`, `h`, `d` or `w`: `30min`, `12h`, `7d`, `2w`")
            return None
        self.error("E101", tok, f"`{shown}`: unknown suffix `{suffix}`",
                   "numbers take `k`, `M`, `B` or `T` (`300M`); durations `min`, `h`, `d`, `w` (`7d`)")
        return None

    def date_token(self, tok: Token):
        text = str(tok)
        span = self.span(tok)
        try:
            if "T" in text:
                value = iso_datetime(text)  # (as data is read: an offset's minutes below 60)
                if value.tzinfo is None:
                    value = value.replace(tzinfo=dt.timezone.utc)
                try:
                    value.astimezone(dt.timezone.utc)
                except OverflowError:
                    self.error("E103", tok, f"`{text}` is before the year 1 or after 9999 in UTC",
                               "write a datetime between 0001-01-02 and 9999-12-30")
                    return None
                return n.DateTime(value, span)
            return n.Date(dt.date.fromisoformat(text), span)
        except ValueError:
            self.error("E103", tok, f"`{text}` is not a valid {'datetime' if 'T' in text else 'date'}",
                       "write an ISO 8601 date such as 2026-01-31 or 2026-01-31T09:30:00Z")
            return None


def _cut(text: str) -> str:
    """A token as a message shows it: a long one is cut in the middle."""
    return text if len(text) <= 40 else text[:20] + "..." + text[-10:]


def _short(value) -> str:
    for suffix, mult in (("T", 10**12), ("B", 10**9), ("M", 10**6), ("k", 10**3)):
        if value >= mult and (Decimal(str(value)) / mult) == (Decimal(str(value)) / mult).to_integral_value():
            return f"{int(Decimal(str(value)) / mult)}{suffix}"
    return str(value)
