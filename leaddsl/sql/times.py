"""SQL mirrors of the time readers of ``leaddsl/times.py`` and ``formats.py``: ISO 8601
datetimes and dates (by fixed positions in the common form, else by the groups of the
general pattern), date formats, and time zones. Each returns integer microseconds since
1970-01-01 UTC, or NULL for a text Python refuses (see ``readers.py`` for the conventions)."""
from __future__ import annotations

import re

from sqlglot import exp

from .. import formats as F
from ..events import MAX_US, MIN_US
from ..values import DATETIME_RE
from .readers import (DAY_US, WS, and_, case, coalesce_text, extract, idiv, lit, or_, paren, regex_like,
                      same, to_text)

# (DATETIME_RE, the forms a datetime is read in, is the Python reader's own, from values.py)
# the form most exports write: read by fixed positions
# (hours, minutes, seconds and the offset in range: only the date is left to check)
FAST_DATETIME_RE = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$")


# -------------------------------------------------------------- datetime ----
def _int(x):
    return exp.TryCast(safe=True, this=x, to=exp.DataType.build("bigint"))




def days_from_civil(y, m, d, bind=same):
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm), in
    integer arithmetic (``y`` >= 1)."""
    y2 = bind(exp.Sub(this=y, expression=case([(exp.LTE(this=m, expression=lit(2)), lit(1))], lit(0))))
    era = bind(exp.IntDiv(this=paren(y2), expression=lit(400)))
    yoe = bind(exp.Sub(this=paren(y2), expression=exp.Mul(this=era, expression=lit(400))))
    mp = case([(exp.GT(this=m, expression=lit(2)), exp.Sub(this=m, expression=lit(3)))],
              exp.Add(this=m, expression=lit(9)))
    doy = bind(exp.Add(this=exp.IntDiv(this=paren(exp.Add(this=exp.Mul(this=lit(153), expression=paren(mp)),
                                                           expression=lit(2))), expression=lit(5)),
                       expression=exp.Sub(this=d, expression=lit(1))))
    doe = bind(exp.Add(this=exp.Sub(this=exp.Add(this=exp.Mul(this=paren(yoe), expression=lit(365)),
                                            expression=exp.IntDiv(this=paren(yoe), expression=lit(4))),
                               expression=exp.IntDiv(this=paren(yoe), expression=lit(100))),
                  expression=paren(doy)))
    return exp.Sub(this=exp.Add(this=exp.Mul(this=paren(era), expression=lit(146097)), expression=paren(doe)),
                   expression=lit(719468))


def _days_in_month(y, m):
    leap = or_(and_(exp.EQ(this=exp.Mod(this=y, expression=lit(4)), expression=lit(0)),
                            exp.NEQ(this=exp.Mod(this=y, expression=lit(100)), expression=lit(0))),
                   exp.EQ(this=exp.Mod(this=y, expression=lit(400)), expression=lit(0)))
    return case([(exp.EQ(this=m, expression=lit(2)), case([(leap, lit(29))], lit(28))),
                 (exp.In(this=m, expressions=[lit(4), lit(6), lit(9), lit(11)]), lit(30))], lit(31))


def datetime_us(s, bind=same, dialect: str = "", fast=None, after: bool = False) -> exp.Expression:
    """``values.read_datetime`` on a stripped, non-missing text: microseconds UTC, or NULL
    (bad: not ISO 8601, not a real date or time, outside the years 1 to 9999 in UTC).
    ``after``: a time after year 9999 in UTC is kept (an event's: after every as-of time, it
    does not exist, as the Python engine's ``_ts_us`` has it).

    The form most exports write (``2026-11-22T09:30:00Z``, ``+02:00`` or no offset) is read
    by its fixed positions (in DuckDB its wall time by a cast, which checks the date); only
    the other texts go through the general pattern's groups. ``fast``: whether ``s`` is in
    that form, when the caller knows it already."""
    fast = bind(regex_like(s, FAST_DATETIME_RE)) if fast is None else fast
    general = _datetime_general(bind(case([(fast, exp.Null())], s)), bind)

    def at(start, length):
        return _int(exp.Substring(this=s, start=lit(start), length=lit(length)))
    # the offset of `+hh:mm` (25 characters), computed only for the texts that have one
    offset = case([(exp.EQ(this=exp.Length(this=s), expression=lit(25)), exp.Mul(
        this=paren(exp.Add(this=exp.Mul(this=at(21, 2), expression=lit(3600)),
                           expression=exp.Mul(this=at(24, 2), expression=lit(60)))),
        expression=case([(exp.EQ(this=exp.Substring(this=s, start=lit(20), length=lit(1)), expression=lit("-")),
                          lit(-1_000_000))], lit(1_000_000))))], lit(0))
    if dialect == "duckdb":
        wall = exp.Anonymous(this="epoch_us", expressions=[exp.TryCast(
            this=exp.Substring(this=s, start=lit(1), length=lit(19)), to=exp.DataType.build("timestamp"))])
        total = exp.Sub(this=wall, expression=offset)
    else:
        y, mo, d = (bind(at(a, n)) for a, n in ((1, 4), (6, 2), (9, 2)))
        secs = exp.Add(this=exp.Mul(this=paren(exp.Add(this=exp.Mul(this=at(12, 2), expression=lit(60)),
                                                       expression=at(15, 2))), expression=lit(60)),
                       expression=at(18, 2))
        real = and_(exp.GTE(this=y, expression=lit(1)), exp.Between(this=mo, low=lit(1), high=lit(12)),
                    exp.Between(this=d, low=lit(1), high=_days_in_month(y, mo)))
        total = case([(real, exp.Sub(this=exp.Add(
            this=exp.Mul(this=bind(days_from_civil(y, mo, d, bind)), expression=lit(DAY_US)),
            expression=exp.Mul(this=paren(secs), expression=lit(1_000_000))), expression=offset))], exp.Null())
    value = bind(case([(fast, total)], general))
    inside = (exp.GTE(this=value, expression=lit(MIN_US)) if after else
              exp.Between(this=value, low=lit(MIN_US), high=lit(MAX_US)))
    return case([(inside, value)], exp.Null())


def datetime_out_of_range(s) -> exp.Expression:
    """Whether a stripped text that ``datetime_us`` refuses names a real date and time that falls
    outside the years 1 to 9999 once in UTC (``9999-12-31T23:59:59-01:00``): Python says so,
    rather than asking for ISO 8601 (only a year 1 or 9999 text can)."""
    return and_(regex_like(s, "^(?:0001|9999)-"), _datetime_general(s.copy(), real=True))


def _datetime_general(s, bind=same, real: bool = False) -> exp.Expression:
    """Any text of the ISO 8601 grammar (``DATETIME_RE``): microseconds UTC before the range
    check, or NULL (``real``: whether the text names a real date and time)."""
    g = [bind(extract(s, DATETIME_RE, i)) for i in range(1, 9)]
    y, mo, d, h, mi, sec = (bind(_int(x)) for x in g[:6])
    frac, off = g[6], g[7]

    def part(x):  # an absent time part is 0
        return bind(exp.Coalesce(this=_int(x), expressions=[lit(0)]))
    hh, mm, ss = part(g[3]), part(g[4]), part(g[5])
    frac6 = exp.Substring(this=exp.DPipe(this=frac, expression=lit("000000")), start=lit(1), length=lit(6))
    us_frac = _int(frac6)
    off_digits = bind(exp.RegexpReplace(this=off, expression=lit("[^0-9]"), replacement=lit("")))
    off_h = bind(_int(exp.Substring(this=off_digits, start=lit(1), length=lit(2))))
    off_m = bind(exp.Coalesce(this=_int(exp.Substring(this=off_digits, start=lit(3), length=lit(2))),
                              expressions=[lit(0)]))
    off_s = exp.Mul(this=paren(exp.Add(this=exp.Mul(this=off_h, expression=lit(3600)),
                                       expression=exp.Mul(this=off_m, expression=lit(60)))),
                    expression=case([(exp.EQ(this=exp.Substring(this=off, start=lit(1), length=lit(1)),
                                              expression=lit("-")), lit(-1))], lit(1)))
    off_s = case([(exp.In(this=off, expressions=[lit(""), lit("Z"), lit("z")]), lit(0))], off_s)
    secs = exp.Add(this=exp.Mul(this=paren(exp.Add(this=exp.Mul(this=hh, expression=lit(60)), expression=mm)),
                                expression=lit(60)), expression=ss)
    total = exp.Add(
        this=exp.Add(this=exp.Mul(this=bind(days_from_civil(y, mo, d, bind)), expression=lit(DAY_US)),
                     expression=exp.Mul(this=paren(exp.Sub(this=secs, expression=off_s)), expression=lit(1_000_000))),
        expression=exp.Coalesce(this=us_frac, expressions=[lit(0)]))
    ok = and_(
        regex_like(s, DATETIME_RE),
        exp.GTE(this=y, expression=lit(1)),
        exp.Between(this=mo, low=lit(1), high=lit(12)),
        exp.Between(this=d, low=lit(1), high=_days_in_month(y, mo)),
        exp.LTE(this=hh, expression=lit(23)), exp.LTE(this=mm, expression=lit(59)), exp.LTE(this=ss, expression=lit(59)),
        exp.LTE(this=exp.Coalesce(this=off_h, expressions=[lit(0)]), expression=lit(23)),
        exp.LTE(this=off_m, expression=lit(59)),
    )
    return ok if real else case([(ok, total)], exp.Null())


def date_us(s, bind=same, dialect: str = "") -> exp.Expression:
    """``values.read_date``: the UTC calendar day of the time, as its midnight."""
    return exp.Mul(this=idiv(bind(datetime_us(s, bind, dialect)), lit(DAY_US)), expression=lit(DAY_US))


# ---------------------------------------------------------- date formats ----
_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december"]


def format_regex(pattern: str) -> tuple[str, dict]:
    """The regular expression of a date format (``formats.compile_format``) for SQL, anchored,
    with Python's ``\\s`` written as the white space class; and each part's group number."""
    rx = F.compile_format(pattern).regex
    body = re.sub(r"\(\?P<[A-Za-z]+>", "(", rx.pattern).replace(r"\s", WS)
    return "^" + body + "$", dict(rx.groupindex)


# the dialects whose regular expressions give a format's groups as Python's do: RE2's and Java's
# leftmost-first; PostgreSQL's match the longest text and then give each quantifier, the earlier
# first, the most it can take: for a format's pattern (greedy quantifiers, alternatives that
# begin differently) what Python's backtracking gives too (`YYYYMDD` on 2026111: 11, 1).
# Snowflake's are not checked against Python's.
FORMAT_DIALECTS = ("duckdb", "bigquery", "spark", "postgres")


def formatted_us(s, pattern: str, bind=same, real: bool = False):
    """(matched, value) of ``formats.DateFormat.parse`` on a stripped text: ``matched`` when
    the text is written in the format (a month name that is no month is not); ``value`` the
    time in microseconds UTC, NULL when it names no real date or time (a bad value, as
    Python's ValueError: no later format is tried), a zone-less time read as UTC. ``real``:
    (matched, the text names a real date and time, whatever its year in UTC)."""
    rx, groups = format_regex(pattern)

    def part(name):
        return bind(extract(s, rx, groups[name])) if name in groups else None

    def num(name, default=0):
        x = part(name)
        return lit(default) if x is None else bind(exp.Coalesce(this=_int(exp.Nullif(this=x, expression=lit(""))),
                                                                expressions=[lit(default)]))
    matched = regex_like(s, rx)
    if "Y" in groups:
        year = num("Y")
    else:
        yy = num("y")
        year = bind(case([(exp.LT(this=yy, expression=lit(69)), exp.Add(this=yy, expression=lit(2000)))],
                         exp.Add(this=yy, expression=lit(1900))))
    name = part("B") if "B" in groups else part("b")
    if name is not None:
        low = exp.Lower(this=name)
        spelled = [(m, i) for i, m in enumerate(_MONTH_NAMES, 1)] + [(m[:3], i) for i, m in enumerate(_MONTH_NAMES, 1)
                                                                     if m[:3] != m]
        month = bind(exp.Case(this=low, ifs=[exp.If(this=lit(k), true=lit(v)) for k, v in spelled]))
        matched = and_(matched, exp.Not(this=exp.Is(this=month, expression=exp.Null())))
    else:
        month = num("M")
    day = num("D")
    ok = [exp.GTE(this=year, expression=lit(1)), exp.Between(this=month, low=lit(1), high=lit(12)),
          exp.Between(this=day, low=lit(1), high=_days_in_month(year, month))]
    if "h" in groups:
        h12 = num("h")
        pm = exp.In(this=exp.Substring(this=part("p"), start=lit(1), length=lit(1)), expressions=[lit("P"), lit("p")])
        hour = bind(exp.Add(this=exp.Mod(this=h12, expression=lit(12)), expression=case([(pm, lit(12))], lit(0))))
        ok.append(exp.Between(this=h12, low=lit(1), high=lit(12)))
    else:
        hour = num("H")
        ok.append(exp.LTE(this=hour, expression=lit(23)))
    minute, second = num("m"), num("s")
    ok += [exp.LTE(this=minute, expression=lit(59)), exp.LTE(this=second, expression=lit(59))]
    frac = part("f")
    us = lit(0) if frac is None else exp.Coalesce(this=_int(exp.Substring(
        this=exp.DPipe(this=frac, expression=lit("000000")), start=lit(1), length=lit(6))), expressions=[lit(0)])
    offset = lit(0)  # seconds east of UTC
    z = part("z")
    if z is not None:
        digits = bind(exp.RegexpReplace(this=z, expression=lit("[^0-9]"), replacement=lit("")))
        oh = bind(exp.Coalesce(this=_int(exp.Substring(this=digits, start=lit(1), length=lit(2))), expressions=[lit(0)]))
        om = bind(exp.Coalesce(this=_int(exp.Nullif(this=exp.Substring(this=digits, start=lit(3), length=lit(2)),
                                                      expression=lit(""))), expressions=[lit(0)]))
        minutes = bind(exp.Add(this=exp.Mul(this=oh, expression=lit(60)), expression=om))
        ok.append(exp.LT(this=minutes, expression=lit(1440)))  # dt.timezone: less than a day
        sign = case([(exp.EQ(this=exp.Substring(this=z, start=lit(1), length=lit(1)), expression=lit("-")), lit(-1))],
                    lit(1))
        offset = case([(exp.In(this=z, expressions=[lit(""), lit("Z"), lit("z")]), lit(0))],
                      exp.Mul(this=exp.Mul(this=minutes, expression=lit(60)), expression=sign))
    secs = exp.Add(this=exp.Mul(this=paren(exp.Add(this=exp.Mul(this=hour, expression=lit(60)), expression=minute)),
                                expression=lit(60)), expression=second)
    total = exp.Add(
        this=exp.Add(this=exp.Mul(this=bind(days_from_civil(year, month, day, bind)), expression=lit(DAY_US)),
                     expression=exp.Mul(this=paren(exp.Sub(this=secs, expression=offset)), expression=lit(1_000_000))),
        expression=us)
    if real:
        return matched, and_(*ok)
    value = bind(case([(and_(*ok), total)], exp.Null()))
    return bind(matched), case([(exp.Between(this=value, low=lit(MIN_US), high=lit(MAX_US)), value)], exp.Null())


def datetime_formats_us(s, formats, bind=same, dialect: str = "") -> exp.Expression:
    """``values.datetime_reader`` without a zone: the first format the text is written in
    decides (NULL when it names no real date or time); none: ISO 8601."""
    pairs = [formatted_us(s, f, bind) for f in formats]
    return case(pairs, datetime_us(s, bind, dialect))


# ------------------------------------------------------------------ zone ----
# the dialects whose query reads a `zone` (the zone's rules from the engine's own time zone
# database: DuckDB's ICU, Java's, PostgreSQL's)
ZONE_DIALECTS = ("duckdb", "spark", "postgres")


def zone_offset_us(t, zone: str, dialect: str) -> exp.Expression:
    """The UTC offset of ``zone`` (an IANA name) at the instant ``t`` (microseconds UTC), in
    microseconds: the wall time there less ``t``; the session's own time zone plays no part."""
    if dialect == "duckdb":
        instant = exp.Anonymous(this="timezone", expressions=[
            lit("UTC"), exp.Anonymous(this="make_timestamp", expressions=[t])])
        wall = exp.Anonymous(this="epoch_us", expressions=[exp.Anonymous(this="timezone", expressions=[
            lit(zone), instant])])
        return exp.Sub(this=wall, expression=t.copy())
    if dialect == "spark":
        wall = exp.Anonymous(this="unix_micros", expressions=[exp.Anonymous(this="from_utc_timestamp", expressions=[
            exp.Anonymous(this="timestamp_micros", expressions=[t]), lit(zone)])])
        return exp.Sub(this=wall, expression=t.copy())
    if dialect == "postgres":
        # (the instant to the microsecond as seconds in a double: an offset changes only at a
        # whole second, which the quotient keeps apart; the difference of two wall times is
        # whole seconds, exact)
        instant = exp.Anonymous(this="to_timestamp", expressions=[exp.Div(this=t, expression=lit(1e6))])
        diff = exp.Sub(this=exp.AtTimeZone(this=instant, zone=lit(zone)),
                       expression=exp.AtTimeZone(this=instant.copy(), zone=lit("UTC")))
        return exp.Cast(this=exp.Mul(this=exp.Extract(this=exp.Var(this="EPOCH"), expression=diff),
                                     expression=lit(1_000_000)), to=exp.DataType.build("bigint"))
    raise ValueError(f"no zone rules in {dialect}")  # pragma: no cover - the translator says E501 first


def localize_us(w, zone: str, dialect: str, bind=same):
    """(instant, skipped, repeated) of a zone-less wall time ``w`` (microseconds, read as if
    UTC) in ``zone``, as ``formats.localize``: the instant is NULL for a wall time the zone
    skips (no instant has it) or repeats (two have it) when its clocks change.

    The offsets a day before and a day after are the two the wall time can be in (a zone's
    clocks change at most once in two days); each gives an instant, which is one when the
    zone's offset there is that offset."""
    early = bind(zone_offset_us(exp.Sub(this=w, expression=lit(DAY_US)), zone, dialect))
    late = bind(zone_offset_us(exp.Add(this=w.copy(), expression=lit(DAY_US)), zone, dialect))
    t1 = bind(exp.Sub(this=w.copy(), expression=early))
    t2 = bind(exp.Sub(this=w.copy(), expression=late))
    ok1 = bind(exp.EQ(this=zone_offset_us(t1, zone, dialect), expression=early.copy()))
    ok2 = bind(exp.EQ(this=zone_offset_us(t2, zone, dialect), expression=late.copy()))
    repeated = bind(and_(ok1, ok2.copy(), exp.NEQ(this=t1.copy(), expression=t2.copy())))
    skipped = bind(and_(exp.Not(this=exp.Is(this=w.copy(), expression=exp.Null())), exp.Not(this=ok1.copy()),
                        exp.Not(this=ok2.copy())))
    instant = case([(repeated, exp.Null()), (ok1.copy(), t1.copy()), (ok2.copy(), t2.copy())], exp.Null())
    return instant, skipped, repeated


def wall_text(w, dialect: str) -> exp.Expression:
    """A wall time (microseconds) as ``strftime('%Y-%m-%d %H:%M')`` writes it (years 1000 on)."""
    if dialect == "duckdb":
        return exp.Anonymous(this="strftime", expressions=[exp.Anonymous(this="make_timestamp", expressions=[w]),
                                                           lit("%Y-%m-%d %H:%M")])
    day = idiv(w, lit(DAY_US))
    if dialect == "spark":
        date = exp.Cast(this=exp.Anonymous(this="date_from_unix_date", expressions=[day]), to=exp.DataType.build("text"))
    else:  # postgres: the day's date from the epoch's
        date = exp.Anonymous(this="to_char", expressions=[
            exp.Add(this=exp.Cast(this=lit("1970-01-01"), to=exp.DataType.build("date")),
                    expression=exp.Cast(this=day, to=exp.DataType.build("int"))),
            lit("YYYY-MM-DD")])
    # the minutes into the day (never negative: the day is the floor)
    minutes = exp.IntDiv(this=exp.Sub(this=w.copy(), expression=exp.Mul(this=day.copy(), expression=lit(DAY_US))),
                         expression=lit(60_000_000))

    def two(x):
        return exp.Pad(this=to_text(x), expression=lit(2), fill_pattern=lit("0"), is_left=True)
    return exp.DPipe(this=exp.DPipe(this=exp.DPipe(this=exp.DPipe(this=date, expression=lit(" ")), expression=two(
        exp.IntDiv(this=minutes, expression=lit(60)))), expression=lit(":")),
        expression=two(exp.Mod(this=minutes.copy(), expression=lit(60))))


def iso_has_offset(s) -> exp.Expression:
    """The ISO 8601 text (``DATETIME_RE``) names its offset (``Z``, ``+02:00`` ...)."""
    return exp.NEQ(this=coalesce_text(extract(s, DATETIME_RE, 8)), expression=lit(""))
