"""Reading options in SQL (issue 14): `bad as missing` and the run's bad_values="missing",
`currency`, `format` and `zone`, read by the query exactly as the Python readers read them,
or refused with E501 and the option's span. Each test runs the DuckDB query and the Python
evaluator on the same cells and compares outputs, errors and the counts of bad values read
as missing; `eval --engine duckdb` gives the Python engine's rows and summary."""
import datetime as dt
import functools
import json
import os

import duckdb
import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from leaddsl.cli import main as cli
from leaddsl.sql import DIALECTS, missing_columns
from test_sql_engines import _same_rows, _summary

AS_OF = "2026-11-22T00:00:00Z"
# DuckDB takes about 1 s to plan and run the options query: 40 examples by default (the long setting: 2,000)
EXAMPLES = int(os.environ.get("LEADDSL_SQL_EXAMPLES", "200")) // 5


def run_both(program, rows, events=(), bad_values="error", as_of=AS_OF):
    """(the query's rows, the evaluator's results) over the same text cells."""
    con = duckdb.connect()
    cols = sorted({k for r in rows for k in r} - {"id"})
    con.execute("CREATE TABLE leads (id VARCHAR" + "".join(f', "{c}" VARCHAR' for c in cols) + ")")
    con.executemany(f"INSERT INTO leads VALUES ({', '.join('?' * (len(cols) + 1))})",
                    [[r["id"], *[r.get(c) for c in cols]] for r in rows])
    props = sorted(({k for e in events for k in e} | {pr.name for e in program.plan.events.values() for pr in e.props})
                   - {"lead_id", "type", "ts"})
    ecols = ["lead_id", "type", "ts", *props]
    con.execute("CREATE TABLE events (" + ", ".join(f'"{c}" VARCHAR' for c in ecols) + ")")
    if events:
        con.executemany(f"INSERT INTO events VALUES ({', '.join('?' * len(ecols))})",
                        [[e.get(c) for c in ecols] for e in events])
    cur = con.execute(_query(program, bad_values), {"as_of": as_of})
    names = [d[0] for d in cur.description]
    got = [dict(zip(names, r)) for r in cur.fetchall()]
    want = []
    for r in rows:
        record = {k: v for k, v in r.items() if v is not None}
        record["events"] = [{k: v for k, v in e.items() if v is not None and k != "lead_id"} for e in events
                            if e["lead_id"] == r["id"]]
        want.append(program.evaluate(record, as_of=as_of, errors="return", bad_values=bad_values))
    return got, want


_QUERIES: dict = {}


def _query(program, bad_values):
    key = (id(program), bad_values)
    if key not in _QUERIES:  # the program too, so that its id is not reused
        _QUERIES[key] = (program, program.to_sql("duckdb", bad_values=bad_values))
    return _QUERIES[key][1]


def counts(program, row, bad_values="error"):
    """The query row's bad values read as missing, as ``Result.bad_as_missing`` has them."""
    return {label: row[column] for column, label in missing_columns(program.plan, bad_values).values()
            if row[column]}


def assert_same(program, got, want, bad_values="error"):
    assert len(got) == len(want)
    for row, r in zip(got, want):
        assert {k: row[k] for k in program.outputs} == r.to_dict(), (row, r.error)
        assert (row["error"] is None) == (r.error is None), (row["error"], r.error)
        if row["error"] and "event" not in row["error"]:  # the SQL engines name an event by its type only
            assert row["error"] == r.error
        assert counts(program, row, bad_values) == r.bad_as_missing


# bad as missing ----------------------------------------------------------------------
LENIENT = """\
field industry: enum(life_science ("Life Sciences", "Biotechnology"), other) missing "TBD"
field revenue: number bad as missing
field employees: number
field seen: date bad as missing
field tags: list(number) bad as missing
event purchase(amount: number bad as missing, paid: bool)
metric spend = sum(purchase.amount)
lead fit when industry = life_science
lead big when revenue >= 300M or seen is present
lead staffed when employees >= 100
metric paid = count(purchase where paid)
lead buyer when spend >= 10 or paid >= 2
lead tagged when tags has 5 or tags is empty
"""
ROWS = [{"id": "1", "industry": "Biotechnology", "revenue": "300M EUR", "employees": "5", "seen": "2026-02-30",
         "tags": "5;x"},
        {"id": "2", "industry": "Pharma", "revenue": "400M", "employees": "many", "seen": "2026-02-01", "tags": "5;6"},
        {"id": "3", "industry": "other", "revenue": "lots", "employees": "500", "seen": None, "tags": "x"},
        {"id": "4", "industry": None, "revenue": None, "employees": None, "seen": "N/A", "tags": None}]
EVENTS = [{"lead_id": "1", "type": "purchase", "ts": "2026-11-20", "amount": a, "paid": "yes"} for a in ("x", "y", "12")] + \
         [{"lead_id": "2", "type": "purchase", "ts": "2026-11-20", "amount": "3", "paid": "perhaps"},
          {"lead_id": "3", "type": "purchase", "ts": "2026-11-23", "amount": "x", "paid": "no"}]  # after the as-of


@pytest.mark.parametrize("bad_values", ["error", "missing"])
def test_bad_values_read_as_missing_are_counted_as_python_counts_them(bad_values):
    program = leaddsl.compile(LENIENT)
    got, want = run_both(program, ROWS, EVENTS, bad_values)
    assert_same(program, got, want, bad_values)
    if bad_values == "error":
        assert counts(program, got[0]) == {"revenue": 1, "seen": 1, "tags": 1, "purchase.amount": 2}
        assert got[1]["error"].startswith("industry: cannot read 'Pharma'")  # its own policy: an error
    else:
        assert all(row["error"] is None for row in got)
        assert counts(program, got[1], "missing") == {"industry": 1, "employees": 1, "purchase.paid": 1}


def test_a_list_with_a_bad_element_read_as_missing_is_an_empty_list():
    program = leaddsl.compile("field s: list(number) bad as missing\nlead a when s has 5\nlead e when s is empty\n"
                              "lead m when s is missing\nlead y when s has any {5, 6}\nlead l when s has all {5}\n")
    got, want = run_both(program, [{"id": "1", "s": "5;x"}, {"id": "2", "s": "5; 6"}, {"id": "3", "s": "x"}])
    assert_same(program, got, want)
    assert (got[0]["a"], got[0]["e"], got[1]["a"]) == (False, True, True)


def test_a_member_spelled_in_ascii_is_read_as_python_reads_it_whatever_the_text():
    # every spelling folds to ASCII: SQL decides exactly (ß is ss, as in Python), and a text
    # that is no member is a bad value read as missing, as in Python
    program = leaddsl.compile('field street: enum(main ("Hauptstrasse"), other) bad as missing\n'
                              "lead m when street = main\n")
    got, want = run_both(program, [{"id": "1", "street": "Hauptstraße"}, {"id": "2", "street": "Hauptstraße Ω"}])
    assert_same(program, got, want)
    assert got[0]["m"] is True and got[0]["error"] is None and counts(program, got[1]) == {"street": 1}


def test_a_member_sql_cannot_fold_is_an_error_even_when_read_as_missing():
    # Python folds "ß" to "ss" and reads the alias; LOWER cannot (and the alias folds beyond
    # ASCII): an error, never a guessed NULL
    program = leaddsl.compile('field street: enum(main ("Hauptstrasse Ω"), other) bad as missing\n'
                              "lead m when street = main\n")
    got, want = run_both(program, [{"id": "1", "street": "Hauptstraße Ω"}, {"id": "2", "street": "elm"}])
    assert want[0]["m"] is True and got[0]["m"] is None
    assert "needs Unicode case folding" in got[0]["error"] and counts(program, got[0]) == {}
    assert got[1]["error"] is None and counts(program, got[1]) == {"street": 1} == want[1].bad_as_missing


def test_count_columns_follow_error_and_avoid_every_other_name():
    program = leaddsl.compile("field n: number bad as missing\nfield t: text\nlead `_missing_n` when n > 1 "
                              "and t is present\n")
    assert missing_columns(program.plan) == {("slot", 0): ("_missing_n_2", "n")}
    assert missing_columns(program.plan, "missing", keep=("_missing_n_2",)) == {("slot", 0): ("_missing_n_3", "n")}
    for dialect in DIALECTS:
        text = program.to_sql(dialect, bad_values="missing")
        assert "_missing_n_2" in text and "_missing_t" not in text  # a text is never bad
    with pytest.raises(ValueError, match="bad_values"):
        program.to_sql("duckdb", bad_values="skip")


def _lines(text):
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("policy", [[], ["--bad-values", "missing"]])
def test_eval_engine_duckdb_reads_bad_values_as_missing_and_warns_as_python(runner, tmp_path, policy):
    defs, leads, events = tmp_path / "d.lead", tmp_path / "l.csv", tmp_path / "e.csv"
    defs.write_text(LENIENT)
    leads.write_text("id,industry,revenue,employees,seen,tags\n" + "".join(
        ",".join(f'"{r[c]}"' if r[c] else "" for c in ("id", "industry", "revenue", "employees", "seen", "tags")) + "\n"
        for r in ROWS))
    events.write_text("lead_id,type,ts,amount,paid\n" + "".join(
        f"{e['lead_id']},{e['type']},{e['ts']},{e['amount']},{e['paid']}\n" for e in EVENTS))
    args = ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF, *policy]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == (0 if policy else 1)
    _same_rows(_lines(py.stdout), _lines(duck.stdout))
    assert _summary(duck.stderr) == _summary(py.stderr)
    assert "warning: purchase.amount: 2 bad value(s) read as missing" in duck.stderr
    assert ("warning: employees: 1 bad value(s) read as missing" in duck.stderr) == bool(policy)


# currency ------------------------------------------------------------------------------
AMOUNTS = ["$300M", "USD 300M", "300M USD", "US$ 1.2 billion", "usd5", "€300M", "EUR 300M", "£5M", "¥5", "5 CAD", "C$ 5",
           "$5 CAD", "C$ 5 USD", "5 XYZ", "abc 5", "A$5", "5 chf", "CHF 5", "1,2,3", "1e999", "$-5", "-$5", "- USD 5",
           "12 MXN", "12MXN", "300MM", "5 bn EUR", "5 bnUSD", "x" * 90, "1" * 401, "R$ 5", "5 ₩", "₹5", "HK$5 HKD",
           "US$5 CAD", "€5 EUR", "$5 $", "¥5 CNY", "1,000.5 usd", "ab$5", "Us$5", " N/A ", ""]


@pytest.mark.parametrize("currency", [None, "USD", "EUR", "CAD", "JPY", "SEK"])
def test_amounts_are_read_in_their_currency_as_python_reads_them(currency):
    """Every spelling Python accepts for the field's currency, and the same message for the
    others (another currency, two currencies, no currency declared, not a currency code)."""
    option = f" currency {currency}" if currency else ""
    program = leaddsl.compile(f"field n: number{option}\nfield m: list(number){option}\n"
                              "event buy(amount: number" + option + ")\nmetric spent = sum(buy.amount)\n"
                              "lead a when n > 1\nlead b when m has 5\nlead c when spent > 1\n")
    rows = [{"id": str(i), "n": c, "m": f"5;{c}"} for i, c in enumerate(AMOUNTS)]
    events = [{"lead_id": str(i), "type": "buy", "ts": "2026-11-20", "amount": c} for i, c in enumerate(AMOUNTS)]
    got, want = run_both(program, rows, events)
    assert_same(program, got, want)
    for row, r in zip(got, want):
        if row["error"]:  # the event's message after its own prefix
            assert row["error"].split("event: ")[-1] == r.error.split("): ")[-1]
    if currency == "USD":
        assert [row["a"] for row in got[:5]] == [True] * 5
        assert got[5]["error"] == "n: '€300M' is in EUR, the field is in USD; m: '€300M' is in EUR, the field is in " \
                                  "USD; buy event: amount: '€300M' is in EUR, the field is in USD"


@given(st.integers(0, 999_999), st.sampled_from(["", "k", " thousand", "M", " mln", "B", " bn", "T"]),
       st.sampled_from(["{}", "${}", "USD {}", "{} USD", "US$ {}", "usd{}", "€{}", "{} EUR", "£{}", "C$ {}", "- {} usd"]),
       st.sampled_from([None, "USD", "EUR"]))
@settings(max_examples=40, deadline=None)
def test_every_way_of_writing_an_amount_reads_the_same_in_sql(n, scale, shape, currency):
    program = _amount_program(currency)
    got, want = run_both(program, [{"id": "1", "n": shape.format(f"{n:,}{scale}")}])
    assert_same(program, got, want)


@functools.lru_cache(maxsize=None)
def _amount_program(currency):
    option = f" currency {currency}" if currency else ""
    return leaddsl.compile(f"field n: number{option}\nlead a when n >= 1000\nlead z when n < 0\n")


# format ---------------------------------------------------------------------------------
FORMATS = ('"MM/DD/YYYY hh:mm AM", "DD.MM.YYYY", "D.M.YY", "MMM D, YYYY", "MMMM D, YYYY", "DD MMM YYYY", '
           '"YYYY-MM-DD HH:mm:ss Z"')
DATES = ["11/20/2026 10:00 AM", "11/20/2026 9:05 pm", "11/20/2026 13:05 PM", "11/20/2026 0:05 AM", "2/30/2026 1:00 AM",
         "11/20/2026  10:00 a.m.", "2026-11-20", "2026-11-20T10:00:00Z", "20.11.2026", "31.11.2026", "1.2.26", "1.2.69",
         "Nov 20, 2026", "November 20, 2026", "Sept 20, 2026", "Foo 20, 2026", "nov. 5, 2026", "20 NOV 2026",
         "2026-11-20 10:00:05.25 +05:30", "2026-11-20 10:00:05 -0800", "2026-11-20 10:00:05 Z", "2026-11-20 10:00:60 Z",
         "2026-11-20 10:00:05 +23:75", "0000-01-01 00:00:00 Z", "0001-01-01 00:00:00 +01:00", "garbage", "2026-02-29",
         "N/A", ""]


@pytest.mark.parametrize("kind", ["datetime", "date"])
def test_formats_are_tried_in_order_as_python_tries_them(kind):
    """The first format a cell is written in decides (an invalid date there is a bad value
    naming the format, no later format tried); a month name that is no month is not written
    in the format; then ISO 8601; errors as Python words them."""
    program = leaddsl.compile(f"field d: {kind} format {FORMATS}\nfield l: list({kind}) format \"DD.MM.YYYY\"\n"
                              "lead a when d >= 2026-11-20\nlead b when d < 2000-01-01\nlead c when l is empty\n")
    got, want = run_both(program, [{"id": str(i), "d": c, "l": f"01.02.2026;{c}"} for i, c in enumerate(DATES)])
    assert_same(program, got, want)
    assert [row["a"] for row in got[:4]] == [True, True, None, None]  # 13 PM and 0 AM: no such hour
    assert got[4]["error"].startswith(f"d: cannot read '2/30/2026 1:00 AM' as {kind} (not a real date or time in the "
                                      "format MM/DD/YYYY hh:mm AM)")


@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1)),
       st.sampled_from(["%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M", "%b %d, %Y %H:%M:%S"]))
@settings(max_examples=30, deadline=None)
def test_a_format_reads_back_what_it_writes_in_sql(moment, shape):
    program = _format_program()
    got, want = run_both(program, [{"id": "1", "d": moment.strftime(shape)}], as_of="2026-11-22T00:00:00Z")
    assert_same(program, got, want)
    assert got[0]["error"] is None


@functools.lru_cache(maxsize=None)
def _format_program():
    return leaddsl.compile('field d: datetime format "MM/DD/YYYY hh:mm AM", "DD.MM.YYYY HH:mm", "MMM DD, YYYY HH:mm:ss"\n'
                           "lead a when d >= 2000-01-01T12:00:00Z\nlead w when d within 30d\n")


@pytest.mark.parametrize("dialect", DIALECTS)
def test_format_is_translated_where_groups_match_as_python_and_e501_elsewhere(dialect):
    """PostgreSQL's groups are checked against Python's in test_sql_postgres; Snowflake's are not."""
    program = leaddsl.compile('field d: date format "DD.MM.YYYY"\nlead a when d >= 2026-11-20\n', filename="f.lead")
    if dialect == "snowflake":
        with pytest.raises(leaddsl.DslError) as e:
            program.to_sql(dialect)
        d = e.value.diagnostics[0]
        assert (d.code, d.line, d.column) == ("E501", 1, 15) and "`format`" in d.message and "snowflake" in d.message
    else:
        assert "REGEXP" in program.to_sql(dialect).upper()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_zone_is_read_where_the_engine_has_zone_rules_and_e501_elsewhere(dialect):
    program = leaddsl.compile('field d: datetime zone "Europe/Berlin"\nlead a when d within 1d\n', filename="z.lead")
    if dialect in ("duckdb", "postgres", "spark"):
        assert "Europe/Berlin" in program.to_sql(dialect)
        return
    with pytest.raises(leaddsl.DslError) as e:
        program.to_sql(dialect)
    d = e.value.diagnostics[0]
    assert (d.code, d.line, d.column) == ("E501", 1, 19) and "`zone`" in d.message and dialect in d.message


# zone ----------------------------------------------------------------------------------
ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo",
         "Pacific/Apia", "UTC"]
ZONE_PROGRAM = """\
field at: datetime zone "{zone}"
field seen: datetime format "MM/DD/YYYY hh:mm AM", "DD.MM.YYYY HH:mm:ss Z" zone "{zone}"
lead after when at >= 2026-01-01T00:00:00Z
lead late when seen > at
"""


def clock_changes(zone: str, years=(2011, 2026)) -> list[dt.datetime]:
    """The wall times (before the change) at which ``zone``'s clocks change in those years."""
    from zoneinfo import ZoneInfo
    z, out = ZoneInfo(zone), []
    t = dt.datetime(years[0], 1, 1, tzinfo=dt.timezone.utc)
    end = dt.datetime(years[1] + 1, 1, 1, tzinfo=dt.timezone.utc)
    while t < end:
        nxt = t + dt.timedelta(hours=6)
        if t.astimezone(z).utcoffset() != nxt.astimezone(z).utcoffset():
            lo, hi = t, nxt  # the instant of the change, to the minute
            while hi - lo > dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (lo, mid) if mid.astimezone(z).utcoffset() != lo.astimezone(z).utcoffset() else (mid, hi)
            out.append(hi.astimezone(z).replace(tzinfo=None) - (hi.astimezone(z).utcoffset() - lo.astimezone(z).utcoffset()))
        t = nxt
    return out


@functools.lru_cache(maxsize=None)
def _zone_program(zone):
    return leaddsl.compile(ZONE_PROGRAM.format(zone=zone))


@pytest.mark.parametrize("zone", ZONES)
def test_a_zone_reads_every_wall_time_around_its_clock_changes_as_python(zone):
    """Each wall time a minute, half an hour and an hour either side of each change of the
    zone's clocks in 2011-2026 (Samoa skipped a whole day in 2011; Lord Howe moves 30
    minutes): the same instant, or the same error (skipped, repeated) as Python."""
    program = _zone_program(zone)
    walls = [c + dt.timedelta(minutes=m) for c in clock_changes(zone) for m in (-61, -60, -31, -1, 0, 1, 29, 30, 59, 60, 61)]
    walls += [dt.datetime(2026, 7, 1, 12, 0), dt.datetime(1, 1, 1, 0, 0), dt.datetime(9999, 12, 31, 23, 59)]
    rows = [{"id": str(i), "at": w.strftime("%Y-%m-%dT%H:%M:%S" if i % 3 else "%Y-%m-%d %H:%M"),
             "seen": w.strftime("%m/%d/%Y %I:%M %p" if i % 2 else "%d.%m.%Y %H:%M:%S +01:00")} for i, w in enumerate(walls)]
    got, want = run_both(program, rows)
    assert_same(program, got, want)
    if zone not in ("UTC", "Asia/Kolkata"):  # the zone's clocks changed: some wall times were skipped or repeated
        assert any("does not exist in" in (row["error"] or "") for row in got)
        assert any("happens twice in" in (row["error"] or "") for row in got)


@given(st.sampled_from(ZONES), st.datetimes(min_value=dt.datetime(1850, 1, 1), max_value=dt.datetime(2100, 1, 1)),
       st.sampled_from(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S-0330",
                        "%m/%d/%Y %I:%M %p", "%d.%m.%Y %H:%M:%S Z", "%d.%m.%Y %H:%M:%S +05:45", "garbage"]))
@settings(max_examples=60, deadline=None)
def test_a_zone_reads_any_wall_time_as_python(zone, moment, shape):
    program = _zone_program(zone)
    cell = moment.strftime(shape).replace(" Z", " +00:00") if shape != "garbage" else "garbage"
    got, want = run_both(program, [{"id": "1", "at": cell, "seen": cell}])
    assert_same(program, got, want)


# the interpreter against DuckDB on random cells of fields with options -------------------
OPTIONS = """\
field revenue: number currency USD bad as missing
field acv: number currency EUR
field plain: number
field signed: datetime format "MM/DD/YYYY hh:mm AM", "DD.MM.YYYY HH:mm" bad as missing
field closed: date format "DD MMM YYYY", "D.M.YY"
field tier: enum(gold ("Gold Plus"), silver) missing "TBD" bad as missing
field amounts: list(number) currency USD bad as missing
event purchase(amount: number currency USD bad as missing, paid: bool)
metric spend = sum(purchase.amount)
metric paid = count(purchase where paid)
lead big when revenue >= 1M or acv > 500k
lead any_plain when plain is present or plain > 3
lead recent when signed within 30d or closed >= 2026-11-01
lead golden when tier = gold or amounts has 5
lead buyer when spend >= 10 or paid >= 2
"""
AMOUNT = st.sampled_from(["$1.5M", "USD 2M", "2M usd", "€3M", "EUR 600k", "600k €", "£5", "5 CAD", "C$ 5", "x", "1,2",
                          "5", "12", "N/A", "", "US$ 5", "5 XYZ", "$5 EUR"])
CELLS = st.fixed_dictionaries({
    "revenue": AMOUNT, "acv": AMOUNT, "plain": AMOUNT,
    "signed": st.sampled_from(["11/20/2026 10:00 AM", "11/20/2026 13:00 PM", "20.11.2026 23:59", "31.11.2026 10:00",
                               "2026-11-20", "2026-11-20T10:00:00+02:00", "soon", "TBD", "2/29/2024 12:00 pm"]),
    "closed": st.sampled_from(["05 Nov 2026", "5 nov. 2026", "05 Xyz 2026", "1.11.26", "31.2.26", "2026-11-05", "-"]),
    "tier": st.sampled_from(["gold plus", "GOLD", "Silver", "tbd", "bronze", ""]),
    "amounts": st.sampled_from(["5;$5", "5;€5", "x", "", "1; 2 USD"]),
})
PURCHASE = st.fixed_dictionaries({"ts": st.sampled_from(["2026-11-20", "2026-11-21T10:00:00Z", "2026-12-01", "x"]),
                                  "amount": AMOUNT, "paid": st.sampled_from(["yes", "no", "maybe", ""])})


@given(st.lists(st.tuples(CELLS, st.lists(PURCHASE, max_size=3)), min_size=1, max_size=4),
       st.sampled_from(["error", "missing"]))
@settings(max_examples=EXAMPLES, deadline=None)
def test_duckdb_reads_options_as_the_interpreter(leads, bad_values):
    program = _options_program()
    rows = [{"id": str(i), **cells} for i, (cells, _) in enumerate(leads)]
    events = [{"lead_id": str(i), "type": "purchase", **e} for i, (_, evs) in enumerate(leads) for e in evs]
    got, want = run_both(program, rows, events, bad_values)
    assert_same(program, got, want, bad_values)


@functools.lru_cache(maxsize=None)
def _options_program():
    return leaddsl.compile(OPTIONS)


@pytest.mark.spark
def test_spark_reads_options_and_bad_values_as_python(runner, tmp_path):
    defs, leads, events = tmp_path / "d.lead", tmp_path / "l.csv", tmp_path / "e.csv"
    defs.write_text(OPTIONS)
    cols = ["revenue", "acv", "plain", "signed", "closed", "tier", "amounts"]
    sample = [["$1.5M", "EUR 600k", "5", "11/20/2026 10:00 AM", "05 Nov 2026", "gold plus", "5;$5"],
              ["€3M", "$5", "x", "31.11.2026 10:00", "1.11.26", "bronze", "5;€5"],
              ["N/A", "600k €", "1,2", "2/29/2024 12:00 pm", "05 Xyz 2026", "TBD", "x"]]
    leads.write_text("id," + ",".join(cols) + "\n" + "".join(
        f"{i}," + ",".join(f'"{c}"' for c in row) + "\n" for i, row in enumerate(sample)))
    events.write_text("lead_id,type,ts,amount,paid\n0,purchase,2026-11-20,$12,yes\n1,purchase,2026-11-20,€12,no\n")
    args = ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF]
    for policy in ([], ["--bad-values", "missing"]):
        py = runner.invoke(cli, [*args, *policy])
        spark = runner.invoke(cli, [*args, *policy, "--engine", "spark"])
        assert spark.exit_code == py.exit_code, spark.stderr[-2000:]
        _same_rows(_lines(py.stdout), _lines(spark.stdout))
        assert _summary(spark.stderr) == _summary(py.stderr)


EVENT_TIMES = """\
event visit(ts: datetime format "MM/DD/YYYY hh:mm AM" zone "America/New_York" missing "TBD", page: text)
event call(ts: datetime zone "Europe/London")
event mail(kind: text)
metric v = count(visit)
metric c = count(call)
metric m = count(mail)
lead hot when v(30d) >= 1
lead rang when c >= 1
lead wrote when m >= 1
"""
VISITS = ["11/20/2026 10:00 AM", "11/01/2026 01:30 AM", "03/08/2026 02:30 AM", "", "TBD", "N/A", "garbage",
          "2026-11-20T10:00:00", "2026-11-20T10:00:00Z", "02/30/2026 10:00 AM", "12/31/9999 11:59 PM", " 11/20/2026 9:05 pm "]
CALLS = ["2026-03-29T01:30:00", "2026-10-25T01:30:00", "2026-10-25T02:30:00", "2026-11-20", "11/20/2026 10:00 AM", "",
         "2026-11-20T10:00:00Z and then a long note" + "!" * 80]


def test_an_event_type_reads_its_own_times_with_format_and_zone_as_python():
    """`ts: datetime format ... zone ...` on an event: its rows' times read by those options
    (another type's by ISO 8601), a missing or bad one erring the outputs that use the type,
    with Python's words."""
    program = leaddsl.compile(EVENT_TIMES)
    # (a `mail` has no options: its time, as any bad cell, quoted as Python quotes it, cut at 80 characters)
    kinds = [("visit", c) for c in VISITS] + [("call", c) for c in CALLS] + [("mail", "10/10/2026 10:00 AM"),
                                                                          ("mail", "x" * 100)]
    rows = [{"id": str(i)} for i in range(len(kinds))]
    events = [{"lead_id": str(i), "type": k, "ts": c} for i, (k, c) in enumerate(kinds)]
    got, want = run_both(program, rows, events, as_of="2026-12-01T00:00:00Z")
    assert_same(program, got, want)
    for row, r in zip(got, want):  # the message after where the event is (`visit event: `, `lead 1, event 1 (visit): `)
        assert (row["error"] or "").split("event: ", 1)[-1] == (r.error or "").split("): ", 1)[-1]
    assert [i for i, row in enumerate(got) if row["hot"] is True] == [0, 7, 8, 11]
    assert "2026-11-01 01:30 happens twice in America/New_York" in got[1]["error"]
    assert got[3]["error"] == got[4]["error"] == "visit event: ts is missing; every event needs a time"
    assert "(expected MM/DD/YYYY hh:mm AM or ISO 8601)" in got[6]["error"]
    assert "2026-03-29 01:30 does not exist in Europe/London" in got[len(VISITS)]["error"]


@pytest.mark.spark
def test_spark_reads_a_zone_around_its_clock_changes_as_python(runner, tmp_path):
    """Java's zone rules through `from_utc_timestamp`: the wall times around each clock change
    of two zones (one skipping a whole day) read as Python reads them, errors and all."""
    rows = []
    for zone in ("America/New_York", "Pacific/Apia"):
        for c in clock_changes(zone, (2011, 2013)):
            rows += [(zone, c + dt.timedelta(minutes=m)) for m in (-61, -1, 0, 1, 59, 61)]
    defs = tmp_path / "d.lead"
    defs.write_text(ZONE_PROGRAM.replace('"{zone}"', '"America/New_York"', 1).replace('"{zone}"', '"Pacific/Apia"'))
    leads = tmp_path / "l.csv"
    leads.write_text("id,at,seen\n" + "".join(f"{i},{w:%Y-%m-%dT%H:%M:%S},{w:%m/%d/%Y %I:%M %p}\n"
                                              for i, (_, w) in enumerate(rows)))
    args = ["eval", str(defs), str(leads), "--as-of", AS_OF]
    py = runner.invoke(cli, args)
    spark = runner.invoke(cli, [*args, "--engine", "spark"])
    assert spark.exit_code == py.exit_code == 1, spark.stderr[-2000:]
    _same_rows(_lines(py.stdout), _lines(spark.stdout))
    assert _summary(spark.stderr) == _summary(py.stderr)
    assert "does not exist in America/New_York" in py.stdout and "happens twice in Pacific/Apia" in py.stdout
    # an event type's own `ts` options, its events at their lines
    defs.write_text(EVENT_TIMES)
    kinds = [("visit", c) for c in VISITS] + [("call", c) for c in CALLS]
    leads.write_text("id\n" + "".join(f"{i}\n" for i in range(len(kinds))))
    events = tmp_path / "e.csv"
    events.write_text("lead_id,type,ts\n" + "".join(f'{i},{k},"{c}"\n' for i, (k, c) in enumerate(kinds)))
    args = ["eval", str(defs), str(leads), "--events", str(events), "--as-of", "2026-12-01T00:00:00Z"]
    py = runner.invoke(cli, args)
    spark = runner.invoke(cli, [*args, "--engine", "spark"])
    assert spark.exit_code == py.exit_code == 1, spark.stderr[-2000:]
    _same_rows(_lines(py.stdout), _lines(spark.stdout))
    assert _summary(spark.stderr) == _summary(py.stderr)
    assert "e.csv line 3: ts: cannot read '11/01/2026 01:30 AM' as datetime (2026-11-01 01:30 happens twice" in py.stdout


@pytest.mark.spark
def test_eval_with_spark_writes_only_its_own_lines_on_standard_error(tmp_path):
    """In its own process (Spark's log goes to the process's standard error, which a runner in
    this one cannot catch): the options program's stage is too large for a JVM method, which
    Spark logged as an ERROR with the compiler's stack trace, and the session's start said
    WARNs and its log level; a reader of `eval` sees the run's error rows and summary only."""
    import subprocess
    import sys
    defs, leads = tmp_path / "d.lead", tmp_path / "l.csv"
    defs.write_text(OPTIONS)
    leads.write_text("id,revenue,acv,plain,signed,closed,tier,amounts\n"
                     '0,$1.5M,EUR 600k,x,11/20/2026 10:00 AM,05 Nov 2026,gold plus,5\n')
    r = subprocess.run([sys.executable, "-m", "leaddsl", "eval", str(defs), str(leads), "--as-of", AS_OF,
                        "--engine", "spark"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 1, r.stderr[-3000:]
    # (the JVM itself says which incubator modules Spark asks for, before any log is set up)
    lines = [x for x in r.stderr.splitlines() if not x.startswith("WARNING: Using incubator modules")]
    assert lines[0] == f"{leads}: line 2 (id 0): plain: cannot read 'x' as number", r.stderr[-3000:]
    assert not [x for x in lines if "WARN" in x or "ERROR" in x or "Exception" in x or "log level" in x]
