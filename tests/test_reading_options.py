"""Reading options (issue 11): how a field says its values are written, and the policy for
bad values, through the API, the command line, explain and the linter. The evaluation
itself is covered by tests/cases/eval/reading_options.toml (every path) and the oracle."""
import datetime as dt
import json

import pytest
from hypothesis import given, strategies as st

import leaddsl
from leaddsl.cli import main
from leaddsl.values import BadValue, ReadOptions, number_reader, reader_for
from leaddsl import types as T

AS_OF = dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc)

SCHEMA = """\
field industry: enum(life_science ("Life Sciences", "Biotechnology"), other) missing "TBD"
field revenue: number currency USD bad as missing
field employees: number
event purchase(amount: number currency USD bad as missing)
metric spend = sum(purchase.amount)
lead fit when industry = life_science
lead big when revenue >= 300M
lead staffed when employees >= 100
lead buyer when spend >= 10
"""


@pytest.fixture
def program():
    return leaddsl.compile(SCHEMA)


# API ---------------------------------------------------------------------------
def test_a_bad_value_of_a_lenient_field_is_counted_not_raised(program):
    r = program.evaluate({"industry": "Biotechnology", "revenue": "€300M", "employees": 5}, as_of=AS_OF)
    assert r.to_dict() == {"fit": True, "big": False, "staffed": False, "buyer": False}
    assert r.bad_as_missing == {"revenue": 1}
    assert r.warnings == ("revenue: '€300M' is in EUR, the field is in USD; read as missing",)
    assert r.errors == ()


def test_another_fields_bad_value_still_raises(program):
    with pytest.raises(leaddsl.DataError, match="employees: cannot read 'many' as number"):
        program.evaluate({"revenue": "€300M", "employees": "many"}, as_of=AS_OF)
    r = program.evaluate({"revenue": "€300M", "employees": "many"}, as_of=AS_OF, errors="return")
    assert r["staffed"] is None and r["big"] is False
    assert r.bad_as_missing == {"revenue": 1} and len(r.errors) == 1


def test_bad_values_missing_per_run_reads_every_field_leniently(program):
    record = {"industry": "Pharma", "employees": "many"}
    with pytest.raises(leaddsl.DataError):
        program.evaluate(record, as_of=AS_OF)
    r = program.evaluate(record, as_of=AS_OF, bad_values="missing")
    assert r.to_dict() == {"fit": False, "big": False, "staffed": False, "buyer": False}
    assert r.bad_as_missing == {"industry": 1, "employees": 1}
    many = list(program.evaluate_many([record, {"employees": 200}], as_of=AS_OF, bad_values="missing"))
    assert [m.bad_as_missing for m in many] == [{"industry": 1, "employees": 1}, {}]
    assert many[1]["staffed"] is True


def test_bad_property_values_are_counted_per_event(program):
    events = [{"type": "purchase", "ts": "2026-11-20T10:00:00Z", "amount": a} for a in ("€5", "x", "$12")]
    r = program.evaluate({"events": events}, as_of=AS_OF)
    assert r["buyer"] is True
    assert r.bad_as_missing == {"purchase.amount": 2}


def test_an_unknown_bad_values_policy_is_refused(program):
    with pytest.raises(ValueError, match="bad_values"):
        program.evaluate({}, as_of=AS_OF, bad_values="ignore")
    with pytest.raises(ValueError, match="bad_values"):
        program.evaluate_many([{}], as_of=AS_OF, bad_values="skip")


def test_explain_shows_how_values_were_read(program):
    text = program.explain({"industry": "Biotechnology", "revenue": "lots"}, as_of=AS_OF)
    assert 'industry = "life_science" (read "Biotechnology" as life_science)' in text
    assert "warning: revenue: cannot read 'lots' as number; read as missing" in text
    assert 'revenue = missing (bad value "lots" read as missing' in text
    text = program.explain({"industry": "tbd"}, as_of=AS_OF)
    assert 'industry = missing (read "tbd" as missing)' in text


def test_explain_shows_the_zone_a_time_was_read_in():
    p = leaddsl.compile('field created: datetime format "MM/DD/YYYY hh:mm AM" zone "America/New_York"\n'
                        "lead recent when created within 7d\n")
    text = p.explain({"created": "11/20/2026 10:00 AM"}, as_of=AS_OF)
    assert '(read "11/20/2026 10:00 AM" in America/New_York)' in text
    assert p.evaluate({"created": "11/20/2026 10:00 AM"}, as_of=AS_OF)["recent"] is True


def test_a_condition_naming_an_alias_is_told_the_member():
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.compile('field industry: enum(life_science ("Life Sciences"), other)\n'
                        'lead x when industry = "Life Sciences"\n')
    d = e.value.diagnostics[0]
    assert (d.code, d.line, d.column) == ("E214", 2, 24)
    assert "`life_science`" in d.hint


def test_a_declared_currency_makes_a_field_an_amount_for_the_linter():
    p = leaddsl.compile("field acv: number currency USD\nfield seats: number\n"
                        "lead x when acv >= 300 and seats >= 300\n")
    found = [(d.code, d.line, d.column) for d in leaddsl.lint(p)]
    assert found == [("W111", 3, 20)]


def test_options_of_an_event_property_continue_after_a_comma():
    p = leaddsl.compile('event visit(page: text missing "TBD", "unknown", country: enum(US ("USA")))\n'
                        "metric known = count(visit where page is present and country = US)\n"
                        "lead t when known >= 1\n")
    events = [{"type": "visit", "ts": "2026-11-20T10:00:00Z", "page": p_, "country": "usa"}
              for p_ in ("Unknown", "tbd", "/pricing")]
    assert p.evaluate({"events": events}, as_of=AS_OF)["t"] is True
    events.pop()
    assert p.evaluate({"events": events}, as_of=AS_OF)["t"] is False


# readers -------------------------------------------------------------------------
SCALES = {"": 1, "k": 10**3, " thousand": 10**3, "M": 10**6, " million": 10**6, "mm": 10**6, " mln": 10**6,
          "B": 10**9, " billion": 10**9, " bn": 10**9, "T": 10**12, " trillion": 10**12}


@given(st.integers(0, 999_999), st.sampled_from(sorted(SCALES)),
       st.sampled_from(["{}", "${}", "USD {}", "{} USD", "US$ {}", "usd{}"]))
def test_every_way_of_writing_an_amount_reads_the_same(n, scale, shape):
    text = shape.format(f"{n:,}{scale}")
    assert number_reader("USD")(text) == n * SCALES[scale]


@given(st.integers(1, 10**9), st.sampled_from(["€{}", "EUR {}", "{} EUR", "£{}", "{} GBP", "¥{}"]))
def test_an_amount_in_another_currency_is_never_read(n, shape):
    text = shape.format(n)
    with pytest.raises(BadValue, match="the field is in USD"):
        number_reader("USD")(text)
    with pytest.raises(BadValue, match="the field names no currency"):
        number_reader(None)(text)


@given(st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_a_format_reads_back_what_it_writes(moment):
    moment = moment.replace(second=0, microsecond=0)
    text = moment.strftime("%m/%d/%Y %I:%M ") + ("PM" if moment.hour >= 12 else "AM")
    read = reader_for(T.DATETIME, ReadOptions(formats=("MM/DD/YYYY hh:mm AM",)))
    assert read(text) == moment.replace(tzinfo=dt.timezone.utc)


# command line ---------------------------------------------------------------------
@pytest.fixture
def files(tmp_path):
    defs = tmp_path / "defs.lead"
    defs.write_text(SCHEMA)
    data = tmp_path / "leads.csv"
    data.write_text("id,industry,revenue,employees\n1,Life Sciences,USD 1.2 billion,200\n"
                    "2,TBD,€300M,5\n3,other,lots,many\n4,biotechnology,$400M,10\n")
    return defs, data


def test_eval_counts_bad_values_read_as_missing(runner, files):
    defs, data = files
    r = runner.invoke(main, ["eval", str(defs), str(data), "--as-of", "2026-11-22"], catch_exceptions=False)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["big"] for row in rows] == [True, False, False, True]
    assert rows[2]["staffed"] is None and "employees: cannot read 'many'" in rows[2]["error"]
    assert "error" not in rows[1]
    assert "warning: revenue: 2 bad value(s) read as missing" in r.stderr
    assert r.exit_code == 1  # the bad employees value is an error


def test_eval_bad_values_missing_reads_every_bad_value_as_missing(runner, files):
    defs, data = files
    r = runner.invoke(main, ["eval", str(defs), str(data), "--as-of", "2026-11-22", "--bad-values", "missing"],
                      catch_exceptions=False)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert all("error" not in row for row in rows) and rows[2]["staffed"] is False
    assert "warning: revenue: 2 bad value(s) read as missing" in r.stderr
    assert "warning: employees: 1 bad value(s) read as missing" in r.stderr
    assert r.exit_code == 0


def test_eval_refuses_an_unknown_bad_values_policy(runner, files):
    defs, data = files
    r = runner.invoke(main, ["eval", str(defs), str(data), "--bad-values", "skip"])
    assert r.exit_code == 2 and "skip" in r.output


def test_explain_command_shows_the_alias_and_the_policy(runner, files):
    defs, data = files
    r = runner.invoke(main, ["explain", str(defs), str(data), "--id", "3", "--as-of", "2026-11-22",
                             "--bad-values", "missing"], catch_exceptions=False)
    assert r.exit_code == 0
    assert "warning: employees: cannot read 'many' as number; read as missing" in r.stdout
    r = runner.invoke(main, ["explain", str(defs), str(data), "--id", "1", "--as-of", "2026-11-22"],
                      catch_exceptions=False)
    assert '(read "Life Sciences" as life_science)' in r.stdout
    assert '(read "USD 1.2 billion")' in r.stdout


def test_check_reports_options_that_do_not_fit(runner, tmp_path):
    defs = tmp_path / "bad.lead"
    defs.write_text('field title: text currency USD\nfield created: datetime zone "Europe/Berln"\n'
                    "lead x when title is present and created is present\n")
    r = runner.invoke(main, ["check", str(defs), "--format", "json"])
    assert r.exit_code == 1
    found = {(d["code"], d["line"]) for d in json.loads(r.stdout)}
    assert found == {("E310", 1), ("E231", 2)}
    assert "Europe/Berlin" in r.stdout
