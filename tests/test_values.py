"""Reading input values into declared types (SPEC section 3)."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from leaddsl import types as T
from leaddsl.values import BadValue, read_bool, read_date, read_datetime, read_number, reader_for

UTC = dt.timezone.utc


@pytest.mark.parametrize("raw, expected", [
    ("300000000", 300_000_000), ("300,000,000", 300_000_000), ("$300,000,000", 300_000_000),
    ("300M", 300_000_000), ("1.2B", 1_200_000_000), ("4.5k", 4500), ("3e8", 300_000_000),
    ("4.5K", 4500), ("300m", 300_000_000), ("300MM", 300_000_000), ("$300M", 300_000_000),
    ("2bn", 2_000_000_000), (" 12 ", 12), ("-5", -5), ("1.5", 1.5), (7, 7), (2.5, 2.5),
    ("$ 1,200,000", 1_200_000), ("2T", 2 * 10**12),
])
def test_numbers(raw, expected):
    assert read_number(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "1,2,3", "12 apples", "$", "--5", True, [1], {"a": 1}, "1.2.3",
                                 float("nan")])
def test_bad_numbers(raw):
    with pytest.raises(BadValue):
        read_number(raw)


@pytest.mark.parametrize("raw", [None, "", "  ", "N/A", "n/a", "NA", "null", "-"])
def test_missing_markers(raw):
    assert read_number(raw) is None
    assert reader_for(T.TEXT)(raw) is None
    assert read_bool(raw) is None


@pytest.mark.parametrize("raw, expected", [("true", True), ("FALSE", False), ("Yes", True), ("no", False),
                                           ("1", True), ("0", False), (1, True), (0, False), (True, True)])
def test_bools(raw, expected):
    assert read_bool(raw) is expected


@pytest.mark.parametrize("raw", ["y", "2", 2, 0.5, "maybe"])
def test_bad_bools(raw):
    with pytest.raises(BadValue):
        read_bool(raw)


def test_datetimes():
    assert read_datetime("2026-01-31T09:30:00") == dt.datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert read_datetime("2026-01-31T09:30:00Z") == dt.datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert read_datetime("2026-01-31T11:30:00+02:00") == dt.datetime(2026, 1, 31, 9, 30, tzinfo=UTC)
    assert read_datetime("2026-01-31") == dt.datetime(2026, 1, 31, tzinfo=UTC)
    assert read_date("2026-01-31T23:30:00-02:00") == dt.datetime(2026, 2, 1, tzinfo=UTC)
    with pytest.raises(BadValue):
        read_datetime("31/01/2026")


def test_enum_members_any_case_and_space():
    read = reader_for(T.enum_of(("life_science", "energy"), "industry"))
    assert read(" LIFE_SCIENCE ") == "life_science"
    with pytest.raises(BadValue, match="enum `industry`"):
        read("biotech")


def test_a_bad_member_close_to_one_says_which():
    read = reader_for(T.enum_of(("life_science", "energy", "food"), "industry"))
    with pytest.raises(BadValue) as typo:
        read(" Enrgy ")
    assert str(typo.value) == ("cannot read ' Enrgy ' as enum `industry` "
                               "(expected one of life_science, energy, food; did you mean `energy`?)")
    with pytest.raises(BadValue) as far:
        read("retail")
    assert "did you mean" not in str(far.value)
    with pytest.raises(BadValue) as long:  # a text the message shortens gets no hint (SQL sees only that)
        read("energy" + "y" * 80)
    assert "did you mean" not in str(long.value) and "...'" in str(long.value)
    seniority = reader_for(T.ordinal_of(("individual", "manager", "director", "vp"), "seniority"))
    with pytest.raises(BadValue, match="did you mean `director`"):
        seniority("Dirctor")


@given(st.text(max_size=90), st.sampled_from([("a", "b"), ("life_science", "energy"), ("lo", "mid", "hi")]))
def test_the_sql_engines_add_the_hint_the_python_reader_gives(text, members):
    from leaddsl.values import hinted
    read = reader_for(T.enum_of(members, "f"))
    try:
        read(text)
    except BadValue as e:
        python = str(e)
        bare = re.sub(r"; did you mean `[a-z_]+`\?\)$", ")", python)  # as the query words it
        assert hinted(bare) == python


def test_ordinal_ranks():
    read = reader_for(T.ordinal_of(("manager", "director", "vp"), "seniority"))
    assert read("VP") == 2 and read(" manager") == 0 and read("") is None


def test_lists():
    read = reader_for(T.list_of(T.TEXT))
    assert read("erp; crm") == ("erp", "crm")
    assert read(["a", None, " b "]) == ("a", "b")
    assert read(None) == () and read("") == () and read("N/A") == ()


# every way of writing a number reads back the same ------------------------------
SUFFIXES = [("", 1), ("k", 10**3), ("K", 10**3), ("M", 10**6), ("m", 10**6), ("MM", 10**6), ("B", 10**9),
            ("bn", 10**9), ("T", 10**12)]


def grouped(n: int) -> str:
    return f"{n:,}"


@given(st.integers(min_value=0, max_value=10**15))
def test_integer_spellings_agree(n):
    spellings = {str(n), grouped(n), "$" + grouped(n), f" {n} ", f"${n}"}
    for s in spellings:
        assert read_number(s) == n, s
    for suffix, mult in SUFFIXES:
        if n % mult == 0 and n:
            assert read_number(f"{n // mult}{suffix}") == n
            assert read_number(f"${n // mult}{suffix}") == n
    assert read_number(f"{Decimal(n):E}".replace("+", "")) == n


@given(st.integers(min_value=1, max_value=10**6), st.sampled_from(SUFFIXES[1:]))
def test_decimal_suffixes_agree(n, suffix_mult):
    suffix, mult = suffix_mult
    text = f"{n / 10:.1f}{suffix}"
    assert read_number(text) == int(Decimal(text[: -len(suffix)]) * mult) or \
        read_number(text) == float(Decimal(text[: -len(suffix)]) * mult)


@given(st.integers(min_value=0, max_value=10**12))
def test_definition_literals_read_like_data(n):
    import leaddsl
    for suffix, mult in [("", 1), ("k", 10**3), ("M", 10**6), ("B", 10**9), ("T", 10**12)]:
        if n % mult:
            continue
        program = leaddsl.compile(f"field x: number\nlead eq when x = {n // mult}{suffix}")
        assert program.evaluate({"x": f"${grouped(n)}"}, as_of="2026-01-01")["eq"] is True


# ---- hostile values are bad values, never OverflowError / ValueError from Python --------------

@pytest.mark.parametrize("raw", [
    "1" * 5000, "-" + "1" * 5000, "$" + "1" * 5000, "0." + "1" * 5000, "1" * 401,
    "1e400", "-1e400", "+1e400", "1.5e400", "2e308k", "1e999999999", "- 1e999999999",
    "1" + "0" * 390 + ".5", float("inf"), float("-inf"), float("nan"), "inf", "nan",
    10**400, -10**5000, Decimal("NaN"), Decimal("-Infinity"), Decimal("1e400"),
], ids=lambda raw: type(raw).__name__)  # repr() of 10**5000 itself raises
def test_numbers_beyond_a_float_are_bad_values(raw):
    with pytest.raises(BadValue, match="as number"):
        read_number(raw)


def test_largest_numbers_still_read():
    assert read_number("1.7e308") == 17 * 10**307
    assert read_number("-" + "9" * 300) == -int("9" * 300)
    assert read_number("1e-400") == 0


def test_huge_int_as_text_is_a_bad_value():
    with pytest.raises(BadValue, match="more than 300 digits"):
        reader_for(T.TEXT)(10**5000)


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-14:00",
                                 dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))])
def test_datetimes_outside_years_1_to_9999_in_utc_are_bad_values(raw):
    with pytest.raises(BadValue, match="outside the years 1 to 9999"):
        read_datetime(raw)
    with pytest.raises(BadValue, match="outside the years 1 to 9999"):
        read_date(raw)


def test_extreme_datetimes_in_range_still_read():
    assert read_date("0001-01-01T05:00:00+02:00") == dt.datetime(1, 1, 1, tzinfo=UTC)
    assert read_datetime(dt.datetime.max) == dt.datetime.max.replace(tzinfo=UTC)
    assert read_datetime(dt.datetime.min) == dt.datetime.min.replace(tzinfo=UTC)


def test_microseconds_conversion_is_bounded_to_years_1_to_9999():
    from leaddsl.events import MAX_US, MIN_US, from_us, to_us
    for moment in (dt.datetime.min.replace(tzinfo=UTC), dt.datetime.max.replace(tzinfo=UTC)):
        assert from_us(to_us(moment)) == moment
    with pytest.raises(BadValue):
        to_us(dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=14))))
    with pytest.raises(BadValue):
        to_us(dt.datetime.max.replace(tzinfo=dt.timezone(dt.timedelta(hours=-14))))
    for us in (MIN_US - 1, MAX_US + 1):
        with pytest.raises(BadValue):
            from_us(us)


def test_a_bad_value_is_a_value_error():
    assert issubclass(BadValue, ValueError)  # as_of="garbage" raises ValueError through it


@pytest.mark.parametrize("program, raw", [
    ("field v: number\nlead x when v > 1", "1" * 5000), ("field v: number\nlead x when v > 1", "1e400"),
    ("lead x when v > 1", "1" * 5000), ("lead x when v > 1", "-1e400"),
    ("field v: date\nlead x when v within 1d", "0001-01-01T00:00:00+14:00"),
    ("field v: datetime\nlead x when v within 1d", "9999-12-31T23:00:00-14:00"),
])
def test_records_with_hostile_values_raise_data_errors(program, raw):
    import leaddsl
    with pytest.raises(leaddsl.DataError):
        leaddsl.compile(program).evaluate({"v": raw}, as_of="2026-01-01")


def test_format_value_of_a_huge_int_does_not_raise():
    from leaddsl.values import format_value
    assert format_value(10**5000) == "a number of more than 300 digits"
    assert format_value(12_345) == "12,345"


# texts near the common form: ISO 8601 forms outside the reader's (basic, week, ordinal),
# a fraction after the minutes, offsets of 90 minutes or with seconds, stray characters
_NEAR = st.builds(
    lambda base, edits: _edit(base, edits),
    st.sampled_from(["2026-11-21T10:00:00Z", "2026-11-21T10:00:00", "2026-11-21T10:00:00+01:00",
                     "2026-11-21T23:59:59-05:30", "2026-11-21T10:00:00.5Z", "20261121", "2026-W47-6",
                     "2026-325", "2026-11-21T10:00:00+01:90", "2026-11-22T01:00:00+01:00:00"]),
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from([0, 1, 2]), st.sampled_from(list("09-:T tWZz.,+x٠１"))),
             max_size=3))


def _edit(text: str, edits) -> str:
    for at, how, c in edits:
        at = min(at, len(text))
        text = (text[:at] + c + text[at + 1:], text[:at] + c + text[at:], text[:at] + text[at + 1:])[how]
    return text


@given(_NEAR)
def test_an_event_time_is_read_as_a_datetime_field_reads_it(text):
    # the evaluator reads the common form of an event's time with the C parser, which is looser
    # than the reader (20261121, 2026-W47-6, +01:90): both of its paths must read what the field
    # reader reads, and refuse what it refuses
    import leaddsl
    program = leaddsl.compile("field v: datetime\nmetric n = count(pv)\nlead seen when n >= 1\nlead set when v > 1900-01-01")
    as_of = "9999-01-01T00:00:00Z"
    try:
        read_datetime(text)
        readable = True
    except BadValue:
        readable = False
    out = program.evaluate({"v": text, "events": [{"type": "pv", "ts": text}]}, as_of=as_of, errors="return")
    assert (out["seen"] is not None) == readable == (out["set"] is not None), out.errors
    if readable:  # the fast path (raising) gives the same answer as the safe one
        assert program.evaluate({"v": text, "events": [{"type": "pv", "ts": text}]}, as_of=as_of)["seen"] is True
