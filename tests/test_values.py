"""Reading input values into declared types (SPEC section 3)."""
import datetime as dt
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
