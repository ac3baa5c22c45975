"""The SQL value readers against the Python ones, text by text, in DuckDB: the same value
for every text Python reads, NULL for every text it refuses. The texts are built from the
pieces exports write (and the near misses around them), so both the fixed-position path for
the common datetime form and the general ISO 8601 pattern are exercised, with every
boundary of days in a month, hours, offsets and years."""
import duckdb
from hypothesis import given, settings, strategies as st
from sqlglot import exp

from leaddsl import values as V
from leaddsl.events import to_us
from leaddsl.sql import readers as R
from leaddsl.sql import times as TM
from leaddsl.sql.stages import Stages

_CON = duckdb.connect()


def _sql_values(texts, reader):
    """``reader`` over each text (stripped, as the query reads a cell), in DuckDB, its parts
    bound in stages as the query binds them."""
    stages = Stages([0], "_r", "duckdb")
    stages.bind(reader(stages.bind(R.strip(exp.column("t"))), stages.bind), "_v")
    texts_table = exp.Table(this=exp.Anonymous(this="unnest", expressions=[exp.Placeholder(this="texts")]),
                            alias=exp.TableAlias(this=exp.to_identifier("x"), columns=[exp.to_identifier("t")]))
    ctes = stages.ctes(exp.select().from_(texts_table))
    q = exp.select(exp.column("_v")).from_(exp.to_identifier(ctes[-1][0], quoted=True))
    for name, body in ctes:
        q = q.with_(exp.to_identifier(name, quoted=True), as_=body, copy=False)
    return [r[0] for r in _CON.execute(q.sql(dialect="duckdb"), {"texts": texts}).fetchall()]


def _python_us(text):
    try:
        value = V.read_datetime(text)
    except V.BadValue:
        return None
    return None if value is None else to_us(value)


two = st.integers(0, 99).map(lambda n: f"{n:02d}")
YEAR = st.sampled_from(["0000", "0001", "1970", "2024", "2026", "2100", "9999", "10000", "999"])
MONTH = st.sampled_from(["00", "01", "02", "04", "12", "13", "1"])
DAY = st.sampled_from(["00", "01", "28", "29", "30", "31", "32"])
HOUR = st.sampled_from(["00", "09", "23", "24", "7"])
OFFSET = st.sampled_from(["", "Z", "z", "+00:00", "+02:00", "-05:30", "+23:59", "+24:00", "-00:60", "+0200",
                          "+02", " +02:00", "+2:00", "+02:00:00", "UTC"])
FRACTION = st.sampled_from(["", "", ".5", ".123456", ".1234567", ",25", "."])
SEP = st.sampled_from(["T", "T", " ", "t", "_"])


@st.composite
def datetime_texts(draw):
    date = f"{draw(YEAR)}-{draw(MONTH)}-{draw(DAY)}"
    if draw(st.booleans()):
        return date + draw(st.sampled_from(["", "", "Z", "+01:00"]))
    time = f"{draw(HOUR)}:{draw(two)}" + (f":{draw(two)}{draw(FRACTION)}" if draw(st.booleans()) else "")
    return date + draw(SEP) + time + draw(OFFSET)


def _datetime(dialect):  # DuckDB's own query casts the common form; the others' do arithmetic
    return lambda s, bind: TM.datetime_us(s, bind, dialect)


@settings(max_examples=300, deadline=None)
@given(st.lists(datetime_texts(), min_size=1, max_size=20))
def test_the_sql_datetime_reader_reads_what_python_reads(texts):
    want = [_python_us(t) for t in texts]
    assert _sql_values(texts, _datetime("duckdb")) == want, texts
    assert _sql_values(texts, _datetime("postgres")) == want, texts


def test_the_common_export_forms_and_their_near_misses():
    texts = ["2026-11-22T09:30:00Z", "2026-11-22 09:30:00", "2026-11-22T09:30:00+02:30", "\u30002026-11-22T09:30:00Z", "2026-11-22T09:30:00+02:00", "2026-11-22T09:30:00-05:30",
             "2024-02-29T23:59:59Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-22T24:00:00Z",
             "2026-11-22T23:60:00Z", "2026-11-22T23:59:60Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00",
             "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00", "2026-11-22T09:30:00+24:00",
             "2026-11-22T09:30:00+23:59", "2026-11-22t09:30:00z", "  2026-11-22T09:30:00Z ", "2026-11-22T09:30:00.5Z"]
    want = [_python_us(t.strip()) for t in texts]
    assert _sql_values(texts, _datetime("duckdb")) == want
    assert _sql_values(texts, _datetime("postgres")) == want


def _python_number(text):
    try:
        value = V.read_number(text)
    except V.BadValue:
        return None
    return None if value is None else float(value)


SIGN = st.sampled_from(["", "", "-", "+", "- "])
DIGITS = st.sampled_from(["0", "1", "12", "300", "1,200", "1,200,000", "12,00", "1_000", "1.5", ".5", "5.", "007",
                          "123456789012345678901234567890", "1,2,3", "0.000001"])
EXPONENT = st.sampled_from(["", "", "e3", "E-2", "e+08", "e400", "e"])
SUFFIX = st.sampled_from(["", "", "k", "K", "M", "MM", "mm", "m", "B", "bn", "Bn", "t", "million", " million",
                          " billion", "x"])
CURRENCY_MARK = st.sampled_from(["", "", "$", "$ ", "US$", "€", "USD ", "EUR "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.builds(lambda a, b, c, d, e, f: a + b + c + d + e + f, SIGN, CURRENCY_MARK, DIGITS, EXPONENT,
                          SUFFIX, st.sampled_from(["", "", " USD", "$"])), min_size=1, max_size=20))
def test_the_sql_number_reader_reads_what_python_reads(texts):
    got = _sql_values(texts, R.number)
    want = [_python_number(t.strip()) for t in texts]
    assert got == want, [(t, g, w) for t, g, w in zip(texts, got, want) if g != w]


def test_strip_is_pythons_strip_for_every_white_space_character_and_the_characters_beside_them():
    # the pattern runs only on a text whose first or last character is not visible ASCII: every
    # white space character, at either end, alone or around a word, must be stripped as Python
    # does, and a text that ends in another non-ASCII character must be left as it is
    edges = list(R._WS_CHARS) + ["é", "日", "\u200b", "\ufeff", "~", "!", "\x7f", "\x00", "a"]
    texts = ["", "x", "Software"] + [t for c in edges for t in (c, c + "Software", "Software" + c,
                                                                  c + "Soft ware" + c, c * 3)]
    stages = Stages([0], "_r", "duckdb")
    stages.bind(R.strip(exp.column("t")), "_v")
    texts_table = exp.Table(this=exp.Anonymous(this="unnest", expressions=[exp.Placeholder(this="texts")]),
                            alias=exp.TableAlias(this=exp.to_identifier("x"), columns=[exp.to_identifier("t")]))
    (name, body), = stages.ctes(exp.select().from_(texts_table))
    got = [r[-1] for r in _CON.execute(body.sql(dialect="duckdb"), {"texts": texts}).fetchall()]
    assert got == [t.strip() for t in texts]


def test_the_characters_that_fold_to_ascii_are_python_s():
    """The event type key's table: every character beyond ASCII whose NFC and case folding is
    ASCII, as this Python's Unicode data has them."""
    import unicodedata
    from leaddsl.sql.readers import ASCII_FOLDS
    found = {}
    for cp in range(0x80, 0x110000):
        c = chr(cp)
        if unicodedata.category(c) != "Cs":
            f = unicodedata.normalize("NFC", c).casefold()
            if f.isascii():
                found[c] = f
    assert ASCII_FOLDS == found


# texts built from ASCII, the characters whose folding is ASCII, combining marks (which NFC may
# compose), characters LOWER folds otherwise than casefold() (İ, ẞ, final sigma) and others
_FOLD_ALPHABET = list("aAsSkKiIfFtT _-") + ["\u00df", "\u017f", "\u037e", "\u1e9e", "\u1fef", "\u212a", "\ufb00", "\ufb01",
                                         "\ufb06", "\u0301", "\u0307", "\u0130", "\u03a3", "\u00e9", "\u212b", "\u1e9b"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=_FOLD_ALPHABET, max_size=6), min_size=1, max_size=20))
def test_ascii_key_is_python_folding_whenever_that_is_ascii_and_beyond_ascii_otherwise(texts):
    """``R.ascii_key`` in DuckDB: Python's ``logic.fold`` of the text exactly when that is ASCII,
    and a text beyond ASCII (equal to no ASCII text) when it is not."""
    from leaddsl.logic import fold
    got = _sql_values(texts, lambda s, bind: R.ascii_key(s, "duckdb"))
    for text, key in zip(texts, got):
        want = fold(text)
        if want.isascii():
            assert key == want, (text, key, want)
        else:
            assert key is not None and not key.isascii(), (text, key, want)
