"""SQL mirrors of the value readers of ``leaddsl/values.py`` and the folding of ``logic.py``.

Each function takes a sqlglot expression (a text cell as exported) and returns a
sqlglot expression; every constant is a literal node. A reader's result is the
typed value or NULL; :func:`missing` says when the cell is missing, so a cell that
is neither missing nor readable is a *bad value* (``value IS NULL AND NOT missing``).
Representations: numbers are DOUBLE, texts are text (NFC, stripped), booleans are
BOOLEAN, enums hold the member as declared, ordinals the member's rank, dates and
datetimes integer microseconds since 1970-01-01 UTC (as ``events.to_us``; their readers,
with date formats and time zones, are in ``times.py``).

Where SQL cannot mirror Python exactly, the reader says so instead of answering
differently: a text that needs Unicode case folding beyond ``LOWER`` (``ß``,
``ﬁ`` ...) or normalisation a dialect lacks is *unfoldable*
(:func:`unfoldable`), and the query gives the row an error naming the field. A text
only ever compared whole with texts whose folding is ASCII (and every enum or ordinal whose
spellings are ASCII) is read instead to :func:`ascii_key`, exact for every text: no error.
"""
from __future__ import annotations

import functools
import re
import sys
import unicodedata

from sqlglot import exp

from .. import formats as F
from ..logic import MISSING_MARKERS

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
MAX_DOUBLE = sys.float_info.max


def same(x):
    """The default ``bind``: the expression itself, written inline at every use."""
    return x


def and_(*xs):
    """AND of the conditions, without copying them (the query is built once, never shared)."""
    return _balanced(exp.and_, [x for x in xs if x is not None])


def or_(*xs):
    return _balanced(exp.or_, [x for x in xs if x is not None])


def _balanced(join, xs: list):
    """``join`` of many conditions as a balanced tree: a chain of 200 (`a or b or ...`) is 200
    levels deep, deeper than sqlglot's writer can recurse; a balanced one is 8."""
    if len(xs) <= 2:
        return join(*xs, copy=False)
    half = len(xs) // 2
    return join(_balanced(join, xs[:half]), _balanced(join, xs[half:]), copy=False)


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


NON_ASCII = "[^\\x00-\\x7f]"


def is_ascii_only(x) -> exp.Expression:
    return exp.Not(this=regex_like(x, NON_ASCII))


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


# -------------------------------------------------------------- integers ----
def idiv(a, b):
    """Floor division of integers (``//`` in Python), in every dialect."""
    q = exp.IntDiv(this=a, expression=b)
    return case([(or_(exp.GTE(this=a, expression=lit(0)), exp.EQ(this=exp.Mod(this=a, expression=b),
                                                                       expression=lit(0))), q)],
                exp.Sub(this=q, expression=lit(1)))


# The characters beyond ASCII whose NFC and case folding is ASCII (``ſ`` is ``s``, ``ﬀ`` is ``ff``,
# the Kelvin sign is ``k``): the only ones an event type can hold and still match a declared (ASCII)
# name (test_sql_readers derives the table from Python's Unicode data again)
ASCII_FOLDS = {"\u00df": "ss", "\u017f": "s", "\u037e": ";", "\u1e9e": "ss", "\u1fef": "`", "\u212a": "k",
               "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st",
               "\ufb06": "st"}


def _ascii_folded(x) -> exp.Expression:
    """``x`` with each character whose NFC and case folding is ASCII replaced by that folding."""
    for c, f in ASCII_FOLDS.items():
        x = exp.Anonymous(this="REPLACE", expressions=[x, lit(c), lit(f)])
    return x


def ascii_key(s, dialect: str) -> exp.Expression:
    """The comparison key of a stripped text that is only ever compared, whole, with texts whose
    folding is ASCII (``industry = life_science``, ``page_category in {product, pricing}``, an
    enum whose spellings are all ASCII). ``casefold(NFC(s))`` is ASCII exactly when ``s`` holds
    nothing but ASCII and the characters of :data:`ASCII_FOLDS`, and is then ``LOWER`` of ``s``
    with those replaced; any other text keeps a character beyond ASCII (returned as it is:
    it equals no ASCII text, as its folding equals none). So the key decides every such
    comparison as Python does, for every text, with no error for the ones ``LOWER`` cannot
    fold (``Straße`` is not ``product``, as in Python), and without NFC."""
    folded = _ascii_folded(s.copy())
    slow = case([(regex_like(folded, NON_ASCII), folded.copy())], exp.Lower(this=folded.copy()))
    # (a missing text, NULL, takes the plain way: LOWER(NULL), not the 13 replacements)
    far = exp.Not(this=_ascii(s.copy())) if dialect == "duckdb" else regex_like(s.copy(), NON_ASCII)
    return case([(far, slow)], exp.Lower(this=s.copy()))


def type_key(x) -> exp.Expression:
    """``logic.type_key``: folded, runs of white space, ``-`` and ``_`` read as one ``_``. Only
    an ASCII key can be a declared name's: the characters whose folding is ASCII are replaced
    by it, and a key still holding another character beyond ASCII matches none (NULL), so
    that ``LOWER``, which folds some otherwise (``İ``), decides nothing."""
    folded = _ascii_folded(strip(x))
    runs = exp.RegexpReplace(this=folded, expression=lit("(" + WS + "|[_-])+"), replacement=lit("_"))
    key = exp.RegexpReplace(this=exp.Lower(this=runs), expression=lit("^_+|_+$"), replacement=lit(""))
    return case([(regex_like(runs.copy(), NON_ASCII), exp.Null())], key)


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
