"""SQL mirrors of the value readers of ``leaddsl/values.py`` and the folding of ``logic.py``.

Each function takes a sqlglot expression (a text cell as exported) and returns a
sqlglot expression; every constant is a literal node. A reader's result is the
typed value or NULL; :func:`missing` says when the cell is missing, so a cell that
is neither missing nor readable is a *bad value* (``value IS NULL AND NOT missing``).
Representations: numbers are DOUBLE, texts are text (NFC, stripped), booleans are
BOOLEAN, enums hold the member as declared, ordinals the member's rank, dates and
datetimes integer microseconds since 1970-01-01 UTC (as ``events.to_us``).

Where SQL cannot mirror Python exactly, the reader says so instead of answering
differently: a text that needs Unicode case folding beyond ``LOWER`` (``ß``,
``ﬁ`` ...) or normalisation a dialect lacks is *unfoldable*
(:func:`unfoldable`), and the query gives the row an error naming the field.
"""
from __future__ import annotations

import functools
import re
import sys
import unicodedata

from sqlglot import exp

from .. import formats as F
from ..logic import MISSING_MARKERS
from ..values import DATETIME_RE
from ..events import MAX_US, MIN_US

DAY_US = 86_400_000_000
# Python's str.strip() strips every character for which isspace() holds; RE2's \s does not
# (``\s`` of Python's own ``re`` is exactly isspace(); every code point but the surrogates)
_ALL_CHARS = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, sys.maxunicode + 1)))
_WS_CHARS = "".join(re.findall(r"\s", _ALL_CHARS))
WS = "[" + _WS_CHARS + "]"
CURRENCY = r"(?:[A-Z]{1,3}\$|[$€£¥₹₩]|[A-Za-z]{3})"
NUMBER_RE = ("(?i)^([+-])?" + WS + "*(?:(" + CURRENCY + ")" + WS + "*)?([+-])?"
             r"([0-9][0-9,_]*(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?" + WS +
             "*(thousand|million|billion|trillion|mln|bln|k|mm|mn|m|bn|b|tn|t)?" + WS +
             "*(" + CURRENCY + ")?$")
GROUPED_RE = r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"
SUFFIX_POWER = {"": 0, "k": 3, "m": 6, "mm": 6, "mn": 6, "b": 9, "bn": 9, "t": 12, "tn": 12, "thousand": 3,
                "million": 6, "billion": 9, "trillion": 12, "mln": 6, "bln": 9}
# (DATETIME_RE, the forms a datetime is read in, is the Python reader's own, from values.py)
# the form most exports write: read by fixed positions
# (hours, minutes, seconds and the offset in range: only the date is left to check)
FAST_DATETIME_RE = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                    r"(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$")
MAX_DOUBLE = sys.float_info.max


def same(x):
    """The default ``bind``: the expression itself, written inline at every use."""
    return x


def and_(*xs):
    """AND of the conditions, without copying them (the query is built once, never shared)."""
    return exp.and_(*xs, copy=False)


def or_(*xs):
    return exp.or_(*xs, copy=False)


def not_(x):
    return exp.not_(x, copy=False)


def lit(value) -> exp.Expression:
    """A constant as a literal node (never text pasted into SQL)."""
    if value is None:
        return exp.Null()
    if value is True or value is False:
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        if value < 0:
            return exp.Neg(this=exp.Literal.number(repr(-value) if isinstance(value, float) else -value))
        return exp.Literal.number(repr(value) if isinstance(value, float) else value)
    return exp.Literal.string(str(value))


def paren(x):
    return exp.Paren(this=x)


def case(pairs, default=None) -> exp.Case:
    c = exp.Case()
    for cond, value in pairs:
        c = c.when(cond, value, copy=False)
    return c.else_(default, copy=False) if default is not None else c


def regex_like(x, pattern: str) -> exp.Expression:
    return exp.RegexpLike(this=x, expression=lit(pattern))


def extract(x, pattern: str, group: int) -> exp.Expression:
    return exp.RegexpExtract(this=x, expression=lit(pattern), group=lit(group))


def to_text(x) -> exp.Expression:
    return exp.Cast(this=x, to=exp.DataType.build("text"))


def strip(x) -> exp.Expression:
    """``str.strip()``: every Unicode white space character, both ends (the pattern runs only
    on a text whose first or last character is not a visible ASCII one, which every white
    space character is not: most cells need nothing)."""
    def odd(end):  # (an empty text's code is 0 or -1: the pattern then leaves it as it is)
        return exp.Not(this=exp.Between(this=exp.Unicode(this=end), low=lit(33), high=lit(126)))
    padded = or_(odd(x), odd(exp.Right(this=x.copy(), expression=lit(1))))
    return case([(padded, exp.RegexpReplace(this=x.copy(), expression=lit("^" + WS + "+|" + WS + "+$"),
                                            replacement=lit("")))], x.copy())


def is_ascii_only(x) -> exp.Expression:
    return exp.Not(this=regex_like(x, "[^\\x00-\\x7f]"))


def missing(stripped, markers=()) -> exp.Expression:
    """The cell is missing: NULL, or a missing marker (any case) once stripped."""
    marks = sorted(MISSING_MARKERS | set(markers))
    # lower case never shortens a text: a text longer than every marker is none of them
    # (and most cells are: the lower-casing is skipped for them)
    longest = max(len(m) for m in marks)
    marked = case([(exp.LTE(this=exp.Length(this=stripped), expression=lit(longest)),
                    exp.In(this=exp.Lower(this=stripped.copy()), expressions=[lit(m) for m in marks]))], exp.false())
    return paren(or_(exp.Is(this=stripped.copy(), expression=exp.Null()), marked))


# ------------------------------------------------------------------ text ----
def _ascii(x) -> exp.Expression:
    """DuckDB: the text is ASCII (as many bytes as characters), a test far cheaper than a pattern."""
    return exp.EQ(this=exp.Anonymous(this="strlen", expressions=[x]), expression=exp.Length(this=x.copy()))


def nfc(x, dialect: str):
    """Unicode NFC where the dialect has it; None where it does not."""
    if dialect == "duckdb":  # an ASCII text is its own NFC
        return case([(_ascii(x), x.copy())], exp.Anonymous(this="nfc_normalize", expressions=[x.copy()]))
    if dialect in ("postgres", "bigquery"):
        return exp.Normalize(this=x, form=exp.Var(this="NFC"))
    return None


@functools.lru_cache(maxsize=1)
def _unfoldable_chars() -> str:
    """The characters whose ``casefold()`` is not their ``lower()`` (or whose lower case is
    several characters): SQL's LOWER cannot fold them as Python does."""
    out = []
    for start in range(0, len(_ALL_CHARS), 512):  # a block at a time: most hold none
        block = _ALL_CHARS[start:start + 512]
        low = block.lower()
        if block.casefold() == low and len(low) == len(block):
            continue
        for ch in block:
            low = ch.lower()
            if ch.casefold() != low or len(low) != 1:
                out.append(ch)
    return "".join(out)


def unfoldable(x, dialect: str) -> exp.Expression:
    """True when the text cannot be folded in SQL exactly as ``logic.fold`` does: it holds a
    character whose case folding is not its lower case, or (in a dialect without NFC)
    a combining mark that NFC might compose."""
    cls = "[" + "".join(_escape_class(c) for c in _unfoldable_chars()) + "]"
    if dialect == "postgres":  # its LOWER (ICU, see postgres.py) writes a final capital sigma as ς
        cls = cls[:-1] + "\u03a3]"
    if nfc(x, dialect) is None:
        marks = "".join(chr(c) for c in range(0x300, 0x370)) + "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
        cls = cls[:-1] + marks + "]"
    if dialect == "duckdb":  # every such character is outside ASCII
        return case([(_ascii(x), exp.false())], regex_like(x.copy(), cls))
    return regex_like(x, cls)


def _escape_class(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


def clean(stripped, dialect: str):
    """A text as read (``logic.clean``): NFC, stripped, case kept."""
    n = nfc(stripped, dialect)
    return stripped if n is None else n


def fold(x) -> exp.Expression:
    """The comparison key of a cleaned text: ``LOWER`` (exact for every text that is not
    :func:`unfoldable`; the query errs the others)."""
    return exp.Lower(this=x)


def fold_const(text: str) -> str:
    from ..logic import fold as pyfold
    return pyfold(text)


# ---------------------------------------------------------------- number ----
def _family(mark: str) -> frozenset:
    """The currencies a sign or code (upper case) may stand for (``values._currency_of``)."""
    return F.SIGNS.get(mark, frozenset({mark}) if mark in F.CURRENCIES else frozenset())


# two different marks that may stand for one currency (a sign and a code of its family, or two signs)
_OVERLAPS = sorted((a, b) for a in {*F.SIGNS, *F.CURRENCIES} for b in {*F.SIGNS, *F.CURRENCIES}
                   if a != b and (a in F.SIGNS or b in F.SIGNS) and _family(a) & _family(b))


def one_of(x, texts) -> exp.Expression:
    """``x`` is one of ``texts`` (exactly): a pattern, one literal in the query rather than
    a list of hundreds (the query's plan, and Spark's generated code, stay small)."""
    escaped = (re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", t) for t in sorted(texts))  # RE2 and POSIX alike
    return regex_like(x, "^(?:" + "|".join(escaped) + ")$")


def currency_ok(pre, post, currency: str | None):
    """``values._currency_of`` passes: every currency mark before or after the number is one
    of the declared currency (a sign of its family or its code, any case); with none
    declared, only ``$``."""
    if currency is None:
        allowed = ["$"]
    else:
        allowed = sorted(m for m in (*F.SIGNS, *F.CURRENCIES) if currency in _family(m))
    ok = [lit(""), *[lit(m) for m in allowed]]
    return and_(exp.In(this=exp.Upper(this=coalesce_text(pre)), expressions=ok),
                exp.In(this=exp.Upper(this=coalesce_text(post)), expressions=[o.copy() for o in ok]))


def coalesce_text(x):
    return exp.Coalesce(this=x, expressions=[lit("")])


def quoted(raw):
    """``'raw'`` as ``values.BadValue`` quotes it: cut to 80 characters with ``...'``."""
    cut = case([(exp.GT(this=exp.Length(this=raw), expression=lit(78)),
                 exp.DPipe(this=exp.Substring(this=raw, start=lit(1), length=lit(76)), expression=lit("...")))], raw)
    return exp.DPipe(this=exp.DPipe(this=lit("'"), expression=cut), expression=lit("'"))


def number_message(raw, currency: str | None, parts: dict | None = None):
    """What ``values.read_number`` / ``number_reader(currency)`` says of a bad number (the raw
    cell ``raw``): too many digits, a mark that is no currency, two currencies, a currency
    other than the field's, commas that do not group thousands, too large; else ``cannot read
    ... as number``. ``parts``: the reader's columns (see :func:`number`), else computed here."""
    if parts is None:
        parts = {"s": strip(raw), "matched": regex_like(strip(raw), NUMBER_RE),
                 **{k: extract(strip(raw), NUMBER_RE, i) for i, k in enumerate(_GROUPS, 1)}}
    s = parts["s"]
    g = {i: coalesce_text(parts[k]) for i, k in enumerate(_GROUPS, 1)}
    pre, post = exp.Upper(this=g[2]), exp.Upper(this=g[7])
    q = quoted(raw)

    def says(*parts):
        out = q.copy()
        for part in parts:
            out = exp.DPipe(this=out, expression=part.copy() if isinstance(part, exp.Expression) else lit(part))
        return out

    def cannot(detail, *parts):
        return exp.DPipe(this=exp.DPipe(this=lit("cannot read "), expression=q.copy()),
                         expression=says_tail(" as number" + (" (" if detail else ""), *parts,
                                              ")" if detail else ""))

    def says_tail(*parts):
        out = lit("")
        for part in parts:
            out = exp.DPipe(this=out, expression=part.copy() if isinstance(part, exp.Expression) else lit(part))
        return out

    def present(x):
        return exp.NEQ(this=x.copy(), expression=lit(""))
    signs = [lit(m) for m in sorted(F.SIGNS)]
    first = case([(present(pre), pre.copy())], post.copy())
    both = exp.DPipe(this=exp.DPipe(this=pre.copy(), expression=lit(" ")), expression=post.copy())
    overlap = or_(exp.EQ(this=pre.copy(), expression=post.copy()), one_of(both, [f"{a} {b}" for a, b in _OVERLAPS]))
    name = exp.Case(this=first.copy(), ifs=[exp.If(this=lit(m), true=lit(F.sign_name(m))) for m in sorted(F.SIGNS)],
                    default=first.copy())
    matched = and_(parts["matched"].copy(), or_(exp.EQ(this=g[1].copy(), expression=lit("")),
                                                        exp.EQ(this=g[3].copy(), expression=lit(""))))
    pairs = [(exp.GT(this=exp.Length(this=s.copy()), expression=lit(400)),
              cannot(True, "too many digits: at most 400 characters")),
             (not_(paren(matched)), cannot(False))]
    for x, x_raw in ((pre, g[2]), (post, g[7])):
        pairs.append((and_(present(x), not_(one_of(x.copy(), {*F.SIGNS, *F.CURRENCIES}))),
                      cannot(True, "`", x_raw, "` is not a currency code")))
    pairs.append((and_(present(pre), present(post), not_(paren(overlap))),
                  says(" names two currencies (", pre, " and ", post, ")")))
    if currency is None:  # the least currency both marks (which overlap) may stand for
        single = {m: min(f) for m, f in F.SIGNS.items() if len(f) == 1}
        lowest = case([(and_(present(x), exp.Not(this=exp.In(this=x.copy(), expressions=[m.copy() for m in signs]))),
                        x.copy()) for x in (pre, post)] +
                      [(exp.EQ(this=x.copy(), expression=lit(m)), lit(c)) for x in (pre, post)
                       for m, c in sorted(single.items())],
                      exp.Case(this=first.copy(), ifs=[exp.If(this=lit(m), true=lit(min(f)))
                                                       for m, f in sorted(F.SIGNS.items()) if len(f) > 1]))
        pairs.append((not_(currency_ok(g[2].copy(), g[7].copy(), None)),
                      says(" is in ", name, "; the field names no currency (declare it, e.g. `currency ", lowest,
                           "`)")))
    else:
        pairs.append((not_(currency_ok(g[2].copy(), g[7].copy(), currency)),
                      says(" is in ", name, f", the field is in {currency}")))
    pairs.append((and_(regex_like(g[4].copy(), ","), not_(regex_like(g[4].copy(), GROUPED_RE))),
                  cannot(True, "commas must group thousands")))
    pairs.append((regex_like(g[4].copy(), "[0-9]"), cannot(True, "too large: numbers are at most about 1.8e308")))
    return case(pairs, cannot(False))


_GROUPS = ("sign", "pre", "sign2", "digits", "exp", "suffix", "post")


def number(s, bind=same, currency: str | None = None, parts: dict | None = None) -> exp.Expression:
    """``values.read_number`` (``number_reader(currency)``) on a stripped, non-missing text:
    DOUBLE or NULL (bad).

    The text must match the reader's grammar with no currency other than the field's
    (``$`` for a number field without ``currency``), commas grouping thousands; the mantissa
    and exponent are assembled as text and cast, so the value is the correctly
    rounded double of the exact number, as Python's ``float(Decimal)`` is.

    ``bind`` turns an intermediate expression into a reference to it (a column computed
    once per row, see ``query.Stages``), so no part is written twice. ``parts``, when given,
    gets those references (for :func:`number_message`)."""
    g = [bind(extract(s, NUMBER_RE, i)) for i in range(1, 8)]
    matched = bind(regex_like(s, NUMBER_RE))
    if parts is not None:
        parts.update(zip(_GROUPS, g), s=s, matched=matched)
    sign, pre, sign2, digits, expo, suffix, post = g
    plain = bind(exp.RegexpReplace(this=digits, expression=lit("[,_]"), replacement=lit("")))
    mant = bind(case([(regex_like(plain, "^\\."), exp.DPipe(this=lit("0"), expression=plain))], plain))
    mant = bind(case([(regex_like(mant, "\\.$"), exp.DPipe(this=mant, expression=lit("0")))], mant))
    power = case([(exp.EQ(this=exp.Lower(this=suffix), expression=lit(k)), lit(v))
                  for k, v in SUFFIX_POWER.items() if k], lit(0))
    e_int = exp.TryCast(safe=True, this=case([(exp.EQ(this=expo, expression=lit("")), lit("0"))],
                                  exp.Substring(this=expo, start=lit(2))), to=exp.DataType.build("bigint"))
    text = exp.DPipe(this=exp.DPipe(this=mant, expression=lit("e")),
                     expression=to_text(exp.Add(this=e_int, expression=power)))
    value = bind(exp.TryCast(safe=True, this=text, to=exp.DataType.build("double")))
    negative = or_(exp.EQ(this=sign, expression=lit("-")), exp.EQ(this=sign2, expression=lit("-")))
    signed = case([(negative, exp.Neg(this=paren(value)))], value)
    ok = and_(
        exp.LTE(this=exp.Length(this=s), expression=lit(400)),
        matched,
        not_(and_(exp.NEQ(this=sign, expression=lit("")), exp.NEQ(this=sign2, expression=lit("")))),
        currency_ok(pre, post, currency),
        or_(exp.Not(this=regex_like(digits, ",")), regex_like(digits, GROUPED_RE)),
        exp.LTE(this=exp.Abs(this=value), expression=lit(MAX_DOUBLE)),
    )
    return case([(ok, signed)], exp.Null())


# ------------------------------------------------------------------ bool ----
def boolean(s) -> exp.Expression:
    low = exp.Lower(this=s)
    return case([(exp.In(this=low, expressions=[lit("true"), lit("yes"), lit("1")]), exp.true()),
                 (exp.In(this=low, expressions=[lit("false"), lit("no"), lit("0")]), exp.false())], exp.Null())


# --------------------------------------------------------------- members ----
def member(key, table: dict) -> exp.Expression:
    """A folded text looked up among an enum's or ordinal's spellings (folded spelling ->
    the member, or its rank)."""
    return case([(exp.EQ(this=key, expression=lit(k)), lit(v)) for k, v in table.items()], exp.Null())


# -------------------------------------------------------------- datetime ----
def _int(x):
    return exp.TryCast(safe=True, this=x, to=exp.DataType.build("bigint"))


def idiv(a, b):
    """Floor division of integers (``//`` in Python), in every dialect."""
    q = exp.IntDiv(this=a, expression=b)
    return case([(or_(exp.GTE(this=a, expression=lit(0)), exp.EQ(this=exp.Mod(this=a, expression=b),
                                                                       expression=lit(0))), q)],
                exp.Sub(this=q, expression=lit(1)))


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


def datetime_us(s, bind=same, dialect: str = "", fast=None) -> exp.Expression:
    """``values.read_datetime`` on a stripped, non-missing text: microseconds UTC, or NULL
    (bad: not ISO 8601, not a real date or time, outside the years 1 to 9999 in UTC).

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
    return case([(exp.Between(this=value, low=lit(MIN_US), high=lit(MAX_US)), value)], exp.Null())


def _datetime_general(s, bind=same) -> exp.Expression:
    """Any text of the ISO 8601 grammar (``DATETIME_RE``): microseconds UTC before the range
    check, or NULL."""
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
    return case([(ok, total)], exp.Null())


def date_us(s, bind=same, dialect: str = "") -> exp.Expression:
    """``values.read_date``: the UTC calendar day of the time, as its midnight."""
    return exp.Mul(this=idiv(bind(datetime_us(s, bind, dialect)), lit(DAY_US)), expression=lit(DAY_US))


def type_key(x) -> exp.Expression:
    """``logic.type_key``: folded, runs of white space, ``-`` and ``_`` read as one ``_``."""
    runs = exp.RegexpReplace(this=exp.Lower(this=strip(x)), expression=lit("(" + WS + "|[_-])+"),
                             replacement=lit("_"))
    return exp.RegexpReplace(this=runs, expression=lit("^_+|_+$"), replacement=lit(""))


def is_nfc_ascii_name(name: str) -> bool:
    return name.isascii() and unicodedata.is_normalized("NFC", name)


_OPS = (exp.Binary, exp.Unary, exp.Between, exp.In)


def parenthesize(tree: exp.Expression) -> exp.Expression:
    """Parentheses around every operator that is the operand of another, so the text says
    what the tree says whatever each dialect's precedence (sqlglot prints a tree as built)."""
    for node in list(tree.walk()):
        if isinstance(node, _OPS) and not isinstance(node, exp.Paren):
            for key in ("this", "expression", "low", "high"):
                child = node.args.get(key)
                if isinstance(child, _OPS) and not isinstance(child, exp.Paren):
                    node.set(key, exp.Paren(this=child))
    return tree


# ---------------------------------------------------------- date formats ----
_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december"]


def format_regex(pattern: str) -> tuple[str, dict]:
    """The regular expression of a date format (``formats.compile_format``) for SQL, anchored,
    with Python's ``\\s`` written as the white space class; and each part's group number."""
    rx = F.compile_format(pattern).regex
    body = re.sub(r"\(\?P<[A-Za-z]+>", "(", rx.pattern).replace(r"\s", WS)
    return "^" + body + "$", dict(rx.groupindex)


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
