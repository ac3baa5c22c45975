"""The time readers: ISO 8601 dates and datetimes (``DATETIME_RE``, which the SQL
backend reads too), dates and datetimes written in declared formats and zones, and
the range check of a time in UTC. A date or datetime is read as a timezone-aware
``datetime`` (a date is its midnight UTC); a bad one raises :class:`BadValue`.
"""
from __future__ import annotations

import datetime as dt
import re

from . import formats as F
from .logic import is_missing_marker
from .reading import BadValue, ReadOptions

UTC = dt.timezone.utc
# how a bad date or datetime is told to be written (the SQL readers' messages say it too)
ISO_HINT = "use ISO 8601, e.g. 2026-01-31 or 2026-01-31T09:30:00Z"


def in_utc_range(value: dt.datetime, raw=None, type_name: str = "datetime") -> dt.datetime:
    """``value`` (aware) unless it falls outside the years 1 to 9999 once in UTC
    (``0001-01-01T00:00:00+14:00`` does): then a bad value, not an OverflowError later."""
    if value.year == 1 or value.year == 9999:
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise BadValue(value.isoformat() if raw is None else raw, type_name,
                           "outside the years 1 to 9999 in UTC") from None
    return value


def to_datetime(value) -> dt.datetime:
    """A date or datetime as an aware datetime (a date is its midnight UTC); a naive
    datetime is UTC. BadValue when it falls outside the years 1 to 9999 in UTC."""
    if isinstance(value, dt.datetime):
        return in_utc_range(value) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)


# The ISO 8601 forms a datetime is read in (the SQL backend reads exactly these too): a date,
# then optionally `T`, `t` or a space and a time (hh, hh:mm, hh:mm:ss, a fraction after `.` or
# `,`; the colons may be left out), then optionally an offset (Z, z, +hh, +hhmm, +hh:mm, after
# an optional space). A date with an offset is its midnight there.
DATETIME_RE = (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})"
               r"(?:[.,]([0-9]+))?)?)?)?(?: ?(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?))?$")
_DATETIME = re.compile(DATETIME_RE)
_COMMON_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[+-][0-9]{2}:[0-5][0-9])?")


def fromiso_shape(s: str) -> bool:
    """Whether a text has the shape in which ``datetime.fromisoformat`` reads exactly what
    ``iso_datetime`` reads (or refuses it too): ``2026-11-22T09:30:00``, with ``Z`` or an
    offset ``+hh:mm`` whose minutes are below 60. The C parser is fast but looser than
    ``DATETIME_RE`` (``20261122``, ``2026-W47-6``, ``10:00.5`` or ``+01:90`` elsewhere); the
    other texts go through the pattern. (A separator's place is checked, the digits
    between them by the parser.)"""
    n = len(s)
    return s[4:17:3] == "--T::" and (n == 19 or (n == 20 and s[19] == "Z") or
                                     (n == 25 and s[19] in "+-" and s[22] == ":" and s[23] < "6"))


def iso_datetime(s: str) -> dt.datetime:
    """A stripped text of the ``DATETIME_RE`` forms as a datetime (naive when it has no
    offset); ValueError for any other text or for a date or time that does not exist."""
    if _COMMON_DATETIME.fullmatch(s):  # the form most exports write: the C parser
        return dt.datetime.fromisoformat(s)
    m = _DATETIME.fullmatch(s)
    if m is None:
        raise ValueError(s)
    y, mo, d, h, mi, sec, frac, off = m.groups()
    tz = None
    if off in ("Z", "z"):
        tz = UTC
    elif off is not None:
        digits = off[1:].replace(":", "")
        delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        tz = dt.timezone(-delta if off[0] == "-" else delta)  # ValueError beyond 23:59
        if int(digits[2:] or 0) > 59:
            raise ValueError(s)
    micro = int((frac or "")[:6].ljust(6, "0"))
    return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0), micro, tzinfo=tz)


def parse_datetime_text(s: str, type_name: str = "datetime") -> dt.datetime:
    s = s.strip()
    try:
        value = iso_datetime(s)
    except ValueError:
        raise BadValue(s, type_name, ISO_HINT) from None
    return in_utc_range(value, s, type_name) if value.tzinfo is not None else value.replace(tzinfo=UTC)


def datetime_reader(options: ReadOptions, type_name: str = "datetime"):
    """The reader of a date or datetime written in ``options.formats`` (or ISO 8601), whose
    zone-less times are times of ``options.zone`` (UTC when none)."""
    formats = [F.compile_format(f) for f in options.formats]
    zone = F.get_zone(options.zone) if options.zone else None
    expected = " or ".join([*options.formats, "ISO 8601"])

    def localize(value, raw):
        if value.tzinfo is not None:
            return value
        if zone is None:
            return value.replace(tzinfo=UTC)
        try:
            return F.localize(value, zone)
        except ValueError as e:
            raise BadValue(raw, type_name, str(e)) from None

    def read(raw):
        if raw is None:
            return None
        if type(raw) is str:
            if is_missing_marker(raw):
                return None
            text = raw.strip()
            for f in formats:
                try:
                    value = f.parse(text)
                except ValueError:
                    raise BadValue(raw, type_name, f"not a real date or time in the format {f.pattern}") from None
                if value is not None:
                    return in_utc_range(localize(value, raw), raw, type_name)
            if len(text) == 10 and zone is None:
                return parse_datetime_text(text, type_name)
            try:
                value = iso_datetime(text)
            except ValueError:
                raise BadValue(raw, type_name, f"expected {expected}") from None
            return in_utc_range(localize(value, raw), raw, type_name)
        if isinstance(raw, dt.datetime):
            return to_datetime(localize(raw, raw))
        if isinstance(raw, dt.date):
            return to_datetime(raw)
        raise BadValue(raw, type_name)
    return read


def date_reader(options: ReadOptions):
    """A date written in ``options.formats`` (or ISO 8601): the calendar day as written."""
    read_dt = datetime_reader(ReadOptions(formats=options.formats), "date")

    def read(raw):
        value = read_dt(raw)
        if value is None:
            return None
        value = value.astimezone(UTC)
        return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    return read


def read_datetime(raw):
    if raw is None:
        return None
    if type(raw) is str:
        if is_missing_marker(raw):
            return None
        return parse_datetime_text(raw)
    if isinstance(raw, (dt.datetime, dt.date)):
        return to_datetime(raw)
    raise BadValue(raw, "datetime")


def read_date(raw):
    if raw is None:
        return None
    if type(raw) is str:
        if is_missing_marker(raw):
            return None
        value = parse_datetime_text(raw, "date")
    elif isinstance(raw, (dt.datetime, dt.date)):
        value = to_datetime(raw)  # in range: astimezone(UTC) below cannot overflow
    else:
        raise BadValue(raw, "date")
    value = value.astimezone(UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
