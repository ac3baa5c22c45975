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
import sys
import unicodedata

from sqlglot import exp

from ..logic import MISSING_MARKERS
from ..events import MAX_US, MIN_US

DAY_US = 86_400_000_000
# Python's str.strip() strips every character for which isspace() holds; RE2's \s does not
_WS_CHARS = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
WS = "[" + _WS_CHARS + "]"
CURRENCY = r"(?:[A-Z]{1,3}\$|[$€£¥₹₩]|[A-Za-z]{3})"
NUMBER_RE = ("(?i)^([+-])?" + WS + "*(?:(" + CURRENCY + ")" + WS + "*)?([+-])?"
             r"([0-9][0-9,_]*(?:\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?" + WS +
             "*(thousand|million|billion|trillion|mln|bln|k|mm|mn|m|bn|b|tn|t)?" + WS +
             "*(" + CURRENCY + ")?$")
GROUPED_RE = r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"
SUFFIX_POWER = {"": 0, "k": 3, "m": 6, "mm": 6, "mn": 6, "b": 9, "bn": 9, "t": 12, "tn": 12, "thousand": 3,
                "million": 6, "billion": 9, "trillion": 12, "mln": 6, "bln": 9}
# ISO 8601 as Python's datetime.fromisoformat reads it (the extended forms; the basic
# form 20261122T1000 is a bad value in SQL, see the README)
DATETIME_RE = (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})"
               r"(?:[.,]([0-9]+))?)?)?)?(?: ?(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?))?$")
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
    """``str.strip()``: every Unicode white space character, both ends."""
    return exp.RegexpReplace(this=x, expression=lit("^" + WS + "+|" + WS + "+$"), replacement=lit(""))


def is_ascii_only(x) -> exp.Expression:
    return exp.Not(this=regex_like(x, "[^\\x00-\\x7f]"))


def missing(stripped, markers=()) -> exp.Expression:
    """The cell is missing: NULL, or a missing marker (any case) once stripped."""
    marks = sorted(MISSING_MARKERS | set(markers))
    return paren(or_(exp.Is(this=stripped, expression=exp.Null()),
                         exp.In(this=exp.Lower(this=stripped), expressions=[lit(m) for m in marks])))


# ------------------------------------------------------------------ text ----
def nfc(x, dialect: str):
    """Unicode NFC where the dialect has it; None where it does not."""
    if dialect == "duckdb":
        return exp.Anonymous(this="nfc_normalize", expressions=[x])
    if dialect in ("postgres", "bigquery"):
        return exp.Normalize(this=x, form=exp.Var(this="NFC"))
    return None


@functools.lru_cache(maxsize=1)
def _unfoldable_chars() -> str:
    """The characters whose ``casefold()`` is not their ``lower()`` (or whose lower case is
    several characters): SQL's LOWER cannot fold them as Python does."""
    out = []
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if 0xD800 <= c <= 0xDFFF:
            continue
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
def number(s, bind=same) -> exp.Expression:
    """``values.read_number`` on a stripped, non-missing text: DOUBLE or NULL (bad).

    The text must match the reader's grammar with no currency other than ``$``
    (a number field without ``currency``), commas grouping thousands; the mantissa
    and exponent are assembled as text and cast, so the value is the correctly
    rounded double of the exact number, as Python's ``float(Decimal)`` is.

    ``bind`` turns an intermediate expression into a reference to it (a column computed
    once per row, see ``query.Stages``), so no part is written twice."""
    g = [bind(extract(s, NUMBER_RE, i)) for i in range(1, 8)]
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
        regex_like(s, NUMBER_RE),
        not_(and_(exp.NEQ(this=sign, expression=lit("")), exp.NEQ(this=sign2, expression=lit("")))),
        exp.In(this=pre, expressions=[lit(""), lit("$")]),
        exp.In(this=post, expressions=[lit(""), lit("$")]),
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


def datetime_us(s, bind=same) -> exp.Expression:
    """``values.read_datetime`` on a stripped, non-missing text: microseconds UTC, or NULL
    (bad: not ISO 8601, not a real date or time, outside the years 1 to 9999 in UTC)."""
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
    value = bind(case([(ok, total)], exp.Null()))
    return case([(exp.Between(this=value, low=lit(MIN_US), high=lit(MAX_US)), value)], exp.Null())


def date_us(s, bind=same) -> exp.Expression:
    """``values.read_date``: the UTC calendar day of the time, as its midnight."""
    return exp.Mul(this=idiv(bind(datetime_us(s, bind)), lit(DAY_US)), expression=lit(DAY_US))


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
