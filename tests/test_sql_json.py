"""`eval --engine duckdb` over JSON Lines and typed Parquet columns: each value read as the Python engine reads it
(a number as Python writes it, `true` only where a boolean fits, an array as a list's
elements), and the values no text cell reads so (`true` in a text field, a list element
holding `;`, a number for a date) stop the run naming the line, never a silent answer."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import leaddsl
from leaddsl.cli import main as cli
from leaddsl.sql import duck

AS_OF = "2026-11-22T00:00:00Z"
DEFS = """\
field t: text
field n: number
field b: bool
field e: enum(energy, food)
field l: list(text)
field ln: list(number)
field d: date
event visit(page: text, secs: number)
metric product_views = count(visit where page = product)
metric long_views = count(visit where secs >= 60)
lead a when t = "x" or t = "1" or t = "1.5"
lead big when n > 0.5
lead yes when b
lead en when e = energy
lead tagged when l has "x" or l has "1" or l is empty
lead one when ln has 1
lead recent when d >= 2026-01-01
lead seen when product_views >= 1 or long_views >= 1
"""
TEXTS = ["x", " X ", "N/A", "", "1", "1.0", "yes", "2026-11-20", "energy", "Energy ", "12,000", "product", "-"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.integers(10**17, 10**25),
                    st.floats(allow_nan=False, allow_infinity=False, width=64), st.sampled_from([1.0, 0.0, 1.5, 60.0, 1e3]),
                    st.sampled_from(TEXTS))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.just({"a": 1}))


def both(tmp_path, leads, events=None):
    """(the Python engine's rows, the DuckDB engine's rows or its EngineError)."""
    program = leaddsl.compile(DEFS)
    path = tmp_path / "l.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in leads))
    ev = None
    if events is not None:
        ev = tmp_path / "e.jsonl"
        ev.write_text("".join(json.dumps(e) + "\n" for e in events))
        by = {}
        for e in events:
            by.setdefault(e["lead_id"], []).append({k: v for k, v in e.items() if k != "lead_id"})
        records = [{**r, "events": by.get(r["id"], [])} for r in leads]
    else:
        records = [{**r, "events": []} for r in leads]
    want = [r.to_dict() | ({"error": r.error} if r.error else {})
            for r in program.evaluate_many(records, as_of=AS_OF, errors="return")]
    try:
        got = list(duck.evaluate_files(program, str(path), None if ev is None else str(ev), AS_OF))
    except duck.EngineError as e:
        return want, e
    return want, got


def same(want, got):
    assert len(want) == len(got)
    for w, g in zip(want, got):
        assert {k: g[k] for k in w if k != "error"} == {k: v for k, v in w.items() if k != "error"}, (w, g)
        assert (g["error"] is None) == ("error" not in w), (w, g)


def test_json_values_of_every_kind_are_read_as_python_reads_them(tmp_path):
    leads = [{"id": "1", "t": 1.0, "n": "1.5k", "b": 1, "e": "Energy ", "l": [1, 2.0, None, " x "], "ln": [1.0, "2"],
              "d": "2026-11-20"},
             {"id": "2", "t": "  X ", "n": 1e3, "b": 1.0, "e": "food", "l": "N/A", "ln": 1, "d": None},
             {"id": "3", "t": 1.5, "n": True, "b": 0, "e": 5, "l": 5, "ln": ["1", None], "d": "garbage"},
             {"id": "4", "t": 12345678901234567890123, "n": [2], "b": 2, "e": True, "l": [], "ln": [True],
              "d": "2026-02-30"},
             {"id": "5", "t": None, "n": {"a": 1}, "b": "yes", "e": [1], "l": [None, "N/A"], "ln": [[1]]},
             {"id": "6"}]
    events = [{"lead_id": "1", "type": "visit", "ts": "2026-11-20T10:00:00Z", "page": " Product", "secs": 60.0},
              {"lead_id": "2", "type": "visit", "ts": "2026-11-20T10:00:00Z", "page": "blog", "secs": "61"},
              {"lead_id": "3", "type": "visit", "ts": "2026-11-20T10:00:00Z", "page": "blog", "secs": True},
              {"lead_id": "4", "type": "visit", "ts": "2026-11-20T10:00:00Z", "secs": [60]}]
    want, got = both(tmp_path, leads, events)
    assert not isinstance(got, Exception), got
    same(want, got)
    assert [g["a"] for g in got] == [True, True, True, False, False, False]   # 1.0 is the text `1`
    assert [g["yes"] for g in got[:3]] == [True, True, False]                   # 1, 1.0, 0
    assert [g["tagged"] for g in got] == [True, True, False, True, True, True]  # [" x "], N/A, 5, [], [null, N/A]
    assert got[0]["seen"] is True and got[1]["seen"] is True and got[2]["seen"] is None
    assert got[3]["one"] is None and got[4]["one"] is None                      # [true], [[1]]: bad numbers


@pytest.mark.parametrize("field, value, events, said", [
    ("t", True, None, "l.jsonl: line 2: `t` is true, a JSON true, false, array or object where text is expected"),
    ("t", ["x"], None, "`t` is [\"x\"], a JSON true"),
    ("t", 1e20, None, "a number that Python writes out as text digit by digit"),
    ("l", ["a;b", "x"], None, "`l` is [\"a;b\",\"x\"], a list element holding `;`"),
    ("l", ["x", False], None, "`l` is [\"x\",false], a JSON true"),
    ("l", {"a": "x"}, None, "a JSON true, false, array or object where text is expected"),
    ("d", 20261120, None, "`d` is 20261120, a JSON number where a date or time is expected"),
    (None, None, {"lead_id": "1", "type": "visit", "ts": "2026-11-20", "page": False},
     "e.jsonl: line 1: `page` is false, a JSON true"),
    (None, None, {"lead_id": "1", "type": "visit", "ts": 1763600000}, "e.jsonl: line 1: `ts` is 1763600000, a JSON number"),
])
def test_a_json_value_no_text_reads_as_python_stops_the_run_naming_it(runner, tmp_path, field, value, events, said):
    """The Python engine reads each of these as its row's bad value (or, `a;b`, as one member):
    DuckDB's text would read them otherwise, so the run stops (exit 2), saying where and what."""
    defs = tmp_path / "d.lead"
    defs.write_text(DEFS)
    leads = tmp_path / "l.jsonl"
    leads.write_text(json.dumps({"id": "0", "t": "x"}) + "\n" + json.dumps({"id": "1", **({field: value} if field else {})})
                     + "\n")
    args = ["eval", str(defs), str(leads), "--as-of", AS_OF, "--engine", "duckdb"]
    if events:
        (tmp_path / "e.jsonl").write_text(json.dumps(events) + "\n")
        args += ["--events", str(tmp_path / "e.jsonl")]
    out = runner.invoke(cli, args)
    assert out.exit_code == 2 and out.stdout == "" and "Traceback" not in out.stderr, out.stderr
    assert said in out.stderr and "use --engine python" in out.stderr, out.stderr
    if field:
        assert "line 2" in out.stderr
    py = runner.invoke(cli, args[:-2])
    assert py.exit_code in (0, 1) and len(py.stdout.splitlines()) == 2


# every kind each type reads, or refuses as a bad value in both engines (no value the run stops for)
NUMBERS = st.one_of(st.integers(-3, 3), st.integers(10**17, 10**25), st.sampled_from([1.0, 0.0, 1.5, 60.0, 1e3]),
                    st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
ELEMENTS = st.one_of(st.none(), NUMBERS, st.sampled_from(TEXTS))
READABLE = {"t": ELEMENTS, "n": VALUES, "b": VALUES, "e": VALUES,
            "l": st.one_of(ELEMENTS, st.lists(ELEMENTS, max_size=3)), "ln": st.one_of(SCALARS, st.lists(SCALARS, max_size=3)),
            "d": st.one_of(st.none(), st.booleans(), st.sampled_from(TEXTS), st.lists(SCALARS, max_size=2),
                           st.just({"a": 1}))}


@given(st.lists(st.fixed_dictionaries({}, optional=READABLE), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_json_values_give_python_s_answers_and_errors(tmp_path, records):
    leads = [{"id": str(i), **r} for i, r in enumerate(records)]
    want, got = both(tmp_path, leads)
    assert not isinstance(got, Exception), got
    same(want, got)


# ------------------------------------------------------------------------------ Parquet
@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_parquet_columns_of_every_type_are_read_as_python_reads_them(runner, tmp_path, engine):
    """A list column is the list's elements (it was one member `[crm]`), FLOAT the double Python
    reads (0.1f is 0.10000000149...), booleans and numbers as Python reads them in each type;
    DECIMAL and TIMESTAMP as numbers and times."""
    import datetime as dt
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq
    table = pa.table({
        "id": ["1", "2", "3", "4"],
        "tags": pa.array([["crm"], [], None, ["a", None, " CRM "]], pa.list_(pa.string())),
        "n": pa.array([1.5, 0.1, None, 300], pa.float32()),
        "b": [True, False, None, True],
        "k": pa.array([1, 2, 3, 4], pa.int64()),
        "d": pa.array([decimal.Decimal("1.50"), None, decimal.Decimal("3"), None], pa.decimal128(10, 2)),
        "ts": pa.array([dt.datetime(2026, 11, 20, 10), None, dt.datetime(2026, 1, 1), dt.datetime(2020, 1, 1)],
                       pa.timestamp("us")),
        "flag": pa.array([1, 0, 2, None], pa.int32())})
    pq.write_table(table, tmp_path / "l.parquet")
    defs = tmp_path / "d.lead"
    defs.write_text("field tags: list(text)\nfield n: number\nfield b: bool\nfield k: text\nfield d: number\n"
                    "field ts: datetime\nfield flag: bool\n"
                    "lead has_crm when tags has crm\nlead no_tags when tags is empty\nlead big when n > 0.1\n"
                    "lead yes when b\nlead one when k = \"1\"\nlead dd when d >= 1.5\nlead recent when ts within 30d\n"
                    "lead flagged when flag\n")
    args = ["eval", str(defs), str(tmp_path / "l.parquet"), "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", engine])
    assert py.exit_code == duck.exit_code == 1, duck.stderr[-2000:]
    a, b = [json.loads(x) for x in py.stdout.splitlines()], [json.loads(x) for x in duck.stdout.splitlines()]
    assert [r["has_crm"] for r in b] == [True, False, False, True] and [r["no_tags"] for r in b] == [False, True,
                                                                                                      True, False]
    assert b[1]["big"] is True and b[2]["flagged"] is None                     # 0.1f > 0.1; 2 is no boolean
    for x, y in zip(a, b):
        assert {k: v for k, v in x.items() if k != "error"} == {k: v for k, v in y.items() if k != "error"}
        assert ("error" in x) == ("error" in y)


@pytest.mark.parametrize("column, kind", [
    (lambda pa, dt, decimal: pa.array([None, decimal.Decimal("1.5")], pa.decimal128(10, 2)), "DECIMAL(10,2)"),
    (lambda pa, dt, decimal: pa.array([None, dt.datetime(2026, 1, 1)], pa.timestamp("us")), "TIMESTAMP"),
    (lambda pa, dt, decimal: pa.array([None, True]), None),
])
def test_a_parquet_value_python_reads_as_bad_text_stops_the_run(runner, tmp_path, column, kind):
    import datetime as dt
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"id": ["1", "2"], "t": column(pa, dt, decimal)}), tmp_path / "l.parquet")
    (tmp_path / "d.lead").write_text("field t: text\nlead x when t = \"1.5\"\n")
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.parquet"), "--as-of", AS_OF]
    duck = runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert duck.exit_code == 2 and duck.stdout == "" and "row 2: `t`" in duck.stderr, duck.stderr
    assert (f"Parquet {kind} value where text is expected" if kind else "a JSON true") in duck.stderr
    py = runner.invoke(cli, args)
    assert py.exit_code == 1 and "t: cannot read" in py.stderr   # the row's bad value there


@pytest.mark.spark
def test_spark_stops_at_a_parquet_value_python_reads_otherwise(runner, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"id": ["1", "2"], "t": pa.array([None, True]),
                             "l": pa.array([["a"], ["b;c"]], pa.list_(pa.string()))}), tmp_path / "l.parquet")
    for field, said in (("field t: text\nlead x when t = \"1\"\n", "row 2: `t` holds a Parquet boolean value where text"),
                        ("field l: list(text)\nlead x when l has a\n", "row 2: `l` holds a list element with `;`")):
        (tmp_path / "d.lead").write_text(field)
        out = runner.invoke(cli, ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.parquet"), "--engine", "spark"])
        assert out.exit_code == 2 and out.stdout == "" and said in out.stderr, out.stderr


def test_json_number_ids_meet_their_events_as_in_python(runner, tmp_path):
    """The JSON number 8.0 is the id 8, in the leads and in the events (it met no event before)."""
    (tmp_path / "d.lead").write_text("event pv()\nfield n: number\nlead a when pv >= 1\n")
    (tmp_path / "l.jsonl").write_text('{"id": 8.0, "n": 1}\n{"id": "9", "n": 1}\n{"id": 10, "n": 1}\n')
    (tmp_path / "e.csv").write_text("lead_id,type,ts\n8,pv,2026-11-20\n9.0,pv,2026-11-20\n10,pv,2026-11-20\n")
    (tmp_path / "e.jsonl").write_text('{"lead_id": 8, "type": "pv", "ts": "2026-11-20"}\n'
                                      '{"lead_id": 9.0, "type": "pv", "ts": "2026-11-20"}\n')
    for events, hot in (("e.csv", [True, False, True]), ("e.jsonl", [True, True, False])):
        args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.jsonl"), "--events", str(tmp_path / events),
                "--as-of", AS_OF]
        py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
        assert py.exit_code == duck.exit_code == 0 and duck.stdout == py.stdout, duck.stderr
        assert [json.loads(x)["a"] for x in duck.stdout.splitlines()] == hot
        assert duck.stderr == py.stderr


def test_a_one_element_array_is_that_element_not_a_whole_cell(runner, tmp_path):
    """`["na"]` in `list(enum(na, b))` is the member na (a cell `na` would be the empty list: a missing
    marker), `["N/A"]` in a text list the empty list (its element is missing)."""
    (tmp_path / "d.lead").write_text("field tags: list(enum(na, b))\nfield t: list(text)\nlead x when tags has na\n"
                                     "lead y when t is empty\n")
    (tmp_path / "l.jsonl").write_text("".join(json.dumps(r) + "\n" for r in (
        {"id": "1", "tags": ["na"], "t": ["N/A"]}, {"id": "2", "tags": [], "t": []}, {"id": "3", "tags": "na", "t": "x"},
        {"id": "4", "tags": ["b", "na"], "t": [None]})))
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.jsonl"), "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 0 and duck.stdout == py.stdout
    assert [json.loads(x)["x"] for x in duck.stdout.splitlines()] == [True, False, False, True]


def test_a_json_boolean_id_is_matched_as_python_matches_it(runner, tmp_path):
    """`true` is the id `True` there (Python writes it so): a repeat of "True", no lead of the event `true`."""
    (tmp_path / "d.lead").write_text("event pv()\nlead seen when pv >= 1\n")
    (tmp_path / "l.jsonl").write_text('{"id": true}\n{"id": "True"}\n{"id": 3.0}\n')
    (tmp_path / "e.csv").write_text("lead_id,type,ts\ntrue,pv,2026-11-01\n3,pv,2026-11-01\n")
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.jsonl"), "--events", str(tmp_path / "e.csv"),
            "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert (duck.exit_code, duck.stdout, duck.stderr) == (py.exit_code, py.stdout, py.stderr)
    assert "`True` (2 times)" in duck.stderr and [json.loads(x)["seen"] for x in duck.stdout.splitlines()] == [
        False, False, True]


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_floating_point_parquet_ids_meet_their_events_as_in_python(runner, tmp_path, engine):
    """A pandas export writes an integer id column with a gap as 8.0: Python matches it as 8 (the
    engines read it as the text 8.0, and the events met no lead)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({"id": pa.array([8, 9, 10], pa.int64())}), tmp_path / "l.parquet")
    pq.write_table(pa.table({"lead_id": pa.array([8.0, None, 10.0, 9.5]), "type": ["pv"] * 4,
                             "ts": ["2026-11-20"] * 4}), tmp_path / "e.parquet")
    pq.write_table(pa.table({"id": pa.array([8.0, 9.0, None])}), tmp_path / "l2.parquet")
    pq.write_table(pa.table({"lead_id": pa.array([8, 9], pa.int64()), "type": ["pv"] * 2, "ts": ["2026-11-20"] * 2}),
                   tmp_path / "e2.parquet")
    (tmp_path / "d.lead").write_text("event pv()\nlead seen when pv >= 1\n")
    for leads, events, seen in (("l", "e", [True, False, True]), ("l2", "e2", [True, True, False])):
        args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / f"{leads}.parquet"), "--events",
                str(tmp_path / f"{events}.parquet"), "--as-of", AS_OF]
        py, other = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", engine])
        assert (other.exit_code, other.stdout) == (py.exit_code, py.stdout), other.stderr[-2000:]
        assert [json.loads(x)["seen"] for x in other.stdout.splitlines()] == seen
