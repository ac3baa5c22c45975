"""The interpreter against Spark (PySpark, local) running the generated query: the random
programs, messy leads and events of test_sql_differential, several as-of times. Every
output agrees, erred ones (None) included, and so does the error text, each event named
at its line. A condition with `matches` (not RE2 in Spark) must be refused with
E501 instead, and the rest of the program still runs.

One Spark session for the module (marker `spark`); LEADDSL_SPARK_EXAMPLES sets the number
of examples (default 12: each one is a query Spark plans afresh, a few seconds; a few
hundred for a long run)."""
import datetime as dt
import os

import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from test_oracle import SCHEMA, exprs
from test_sql_differential import BASE, COLUMNS, LEAD, program_text, same_error

EXAMPLES = int(os.environ.get("LEADDSL_SPARK_EXAMPLES", "12"))
EVENT_COLUMNS = ["lead_id", "type", "ts", "cat", "amount"]  # and `_row`, `_line`: the header is line 1

pytestmark = pytest.mark.spark


# for tables of a few rows, where planning and compiling each query is the cost: one shuffle
# partition, no adaptive re-planning, expressions interpreted rather than compiled to Java
# (the same functions and results; restored for the other modules)
TINY = {"spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false",
        "spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}


@pytest.fixture(scope="module")
def spark():
    """The engine's own session (local, UTC, quiet), set for tiny tables."""
    from leaddsl.sql.spark import session
    s = session()
    saved = {k: s.conf.get(k) for k in TINY}
    for k, v in TINY.items():
        s.conf.set(k, v)
    yield s
    for k, v in saved.items():
        s.conf.set(k, v)


def spark_rows(spark, program, leads, as_of):
    """The query's rows over the leads and events as text tables, numbered in input order
    (as ``eval --engine spark`` numbers the rows of its files)."""
    schema = ", ".join(f"`{c}` STRING" for c in ["id", *COLUMNS]) + ", `_row` BIGINT"
    spark.createDataFrame([(str(i), *[cells[c] for c in COLUMNS], i) for i, (cells, _) in enumerate(leads)],
                          schema).createOrReplaceTempView("leads")
    events = [(str(i), e["type"], e["ts"], e["cat"], e["amount"]) for i, (_, evs) in enumerate(leads) for e in evs]
    schema = ", ".join(f"`{c}` STRING" for c in EVENT_COLUMNS) + ", `_row` BIGINT, `_line` BIGINT"
    spark.createDataFrame([(*e, n, n + 2) for n, e in enumerate(events)], schema).createOrReplaceTempView("events")
    query = program.to_sql("spark", row_field="_row", line_field="_line", events_at="events.csv line")
    return [r.asDict() for r in spark.sql(query, args={"as_of": as_of.isoformat()}).collect()]


def runnable(conditions):
    """The conditions Spark can run; each one with `matches` must be refused by name (E501)."""
    out = []
    for c in conditions:
        if "matches" in c:
            with pytest.raises(leaddsl.DslError) as e:
                leaddsl.compile(SCHEMA + f"lead r when {c}\n").to_sql("spark")
            assert {d.code for d in e.value.diagnostics} == {"E501"}
            assert all("spark" in d.message for d in e.value.diagnostics)
        else:
            out.append(c)
    return out


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(exprs(), min_size=1, max_size=3), st.lists(LEAD, min_size=1, max_size=4),
       st.sampled_from([0, -60, 24 * 60 - 1, -7 * 24 * 60]))
def test_spark_agrees_with_the_interpreter(spark, conditions, leads, shift):
    text = program_text(runnable(conditions))
    program = leaddsl.compile(text)
    as_of = BASE + dt.timedelta(minutes=shift)
    got = spark_rows(spark, program, leads, as_of)
    assert len(got) == len(leads)
    first = 2
    for row, (cells, events) in zip(got, leads):
        lines, first = list(range(first, first + len(events))), first + len(events)
        record = {c: v for c, v in cells.items() if v is not None}
        record["events"] = [{k: v for k, v in e.items() if v is not None} for e in events]
        want = program.evaluate(record, as_of=as_of, errors="return")
        assert {k: row[k] for k in program.outputs} == want.to_dict(), (text, cells, events, row, want.error)
        same_error(program, row["error"], want, lines)


def test_days_over_an_any_window_runs_in_spark_as_in_python(spark):
    """`days(...)` over `any` windows was COUNT(DISTINCT ...) OVER (...), which Spark refuses
    (DISTINCT_WINDOW_FUNCTION_UNSUPPORTED); it is the size of the window's set there."""
    program = leaddsl.compile(program_text(["visit_days(any 2d) >= 2", "visit_days(any 1d) = 1"]))
    ts = ["2026-11-20T10:00:00Z", "2026-11-21T09:00:00Z", "2026-11-21T11:00:00Z", "2026-11-10T00:00:00Z"]
    events = [{"type": "page_view", "ts": t, "cat": None, "amount": None} for t in ts]
    cells = dict.fromkeys(COLUMNS)
    leads = [(cells, events), (cells, events[2:]), (cells, [])]
    got = spark_rows(spark, program, leads, BASE)
    for row, (_, evs) in zip(got, leads):
        want = program.evaluate({"events": [{k: v for k, v in e.items() if v is not None} for e in evs]},
                                as_of=BASE, errors="return")
        assert {k: row[k] for k in program.outputs} == want.to_dict()
    assert [row["r0"] for row in got] == [True, False, False]


def test_texts_compared_whole_with_ascii_texts_are_answered_in_spark_as_in_python(spark):
    """Spark has no NFC and its LOWER is not casefold(): a text only compared whole with ASCII
    texts (a field, an event property in a `where`) and an enum spelled in ASCII are still
    answered as Python answers them, for every text, with no error."""
    from test_sql import ODD_TEXTS
    program = leaddsl.compile('field t: text\nfield k: enum(strasse, finance, id, kelvin_k, sales, ff, product)\n'
                              'event visit(page: text)\nmetric hits = count(visit where page in {strasse, sales, id})\n'
                              'lead a when t = "strasse" or t in {finance, id, sales}\nlead b when t != "kelvin k"\n'
                              'lead d when k in {strasse, finance, id, ff} or k = product\nlead e when hits >= 1\n')
    spark.createDataFrame([(str(i), v, v, i) for i, v in enumerate(ODD_TEXTS)],
                          "id STRING, t STRING, k STRING, _row BIGINT").createOrReplaceTempView("leads")
    spark.createDataFrame([(str(i), "visit", "2026-11-20T10:00:00Z", v, i) for i, v in enumerate(ODD_TEXTS)],
                          "lead_id STRING, type STRING, ts STRING, page STRING, _row BIGINT").createOrReplaceTempView("events")
    rows = spark.sql(program.to_sql("spark", row_field="_row"), args={"as_of": "2026-11-22T00:00:00Z"}).collect()
    assert len(rows) == len(ODD_TEXTS)
    for v, row in zip(ODD_TEXTS, rows):
        want = program.evaluate({"t": v, "k": v, "events": [{"type": "visit", "ts": "2026-11-20T10:00:00Z", "page": v}]},
                                as_of="2026-11-22T00:00:00Z", errors="return")
        assert {k: row[k] for k in "abde"} == want.to_dict(), v
        assert (row["error"] is None) == (not want.errors), (v, row["error"], want.errors)
