"""The postgres query (`leaddsl sql --dialect postgres`, `Program.to_sql("postgres")`) executed
in a real PostgreSQL (a throwaway cluster, conftest's `postgres_db`) through psycopg, against
the Python engine: random programs over messy text cells and events around window boundaries
(the strategies of test_sql_differential), the bundled samples, hostile names and texts.

Marker `postgres`: CI installs Debian's PostgreSQL; without it, deselect with -m 'not postgres'.
LEADDSL_PG_EXAMPLES sets the number of random examples (default 100)."""
import csv
import datetime as dt
import io
import os
import re
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from leaddsl.cli import main as cli
from leaddsl.sql.lines import as_python
from test_oracle import exprs
from test_sql_differential import BASE, COLUMNS, LEAD

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[1]
DEFS = ROOT / "definitions"
DATA = DEFS / "data"
AS_OF = "2026-11-22T00:00:00Z"
EXAMPLES = int(os.environ.get("LEADDSL_PG_EXAMPLES", "100"))


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create(conn, table: str, columns: list[str], rows: list[list]) -> None:
    """A table of text columns (cells as exported), its rows in order."""
    conn.execute(f"CREATE TABLE {quote(table)} (" + ", ".join(f"{quote(c)} TEXT" for c in columns) + ")")
    if rows:
        with conn.cursor() as cur:
            cur.executemany(f"INSERT INTO {quote(table)} VALUES ({', '.join(['%s'] * len(columns))})", rows)


def run(conn, program, as_of=AS_OF, **tables) -> list[dict]:
    """The postgres query, its as-of time bound as the parameter `as_of`."""
    cur = conn.execute(program.to_sql("postgres", **tables), {"as_of": as_of})
    names = [d.name for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def same_value(a, b) -> bool:
    # (floats too, to the last digit: a decayed `each` score adds its terms in Python's order)
    return a == b and type(a) is type(b)


# ----------------------------------------------------------------- random programs
NO_MATCHES = re.compile(r'matches "(?:[^"\\]|\\.)*"')   # RE2 `matches` is E501 in postgres (tested below)
PG_EXTRA = ("score heat max 40 { r0 +10; buyer +7.5; each purchase(30d) +4 max 12; meeting(7d) >= 1 +8 decay "
            "half_life 2d; each page_view(30d) +1.3 decay half_life 3d }\nband temp on heat { cold < 8 <= warm < 20 "
            "<= hot }\n"
            "route owner for r0 { big when n1 > 2 or spender; fresh when d1 within 30d; else pool }\n")


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(exprs().map(lambda c: NO_MATCHES.sub('contains "b"', c)), min_size=1, max_size=3),
       st.lists(LEAD, min_size=1, max_size=4), st.sampled_from([0, -60, 24 * 60 - 1, -7 * 24 * 60]))
def test_postgres_agrees_with_the_interpreter(postgres_db, conditions, leads, shift):
    text = "\n".join(line for line in __import__("test_oracle").SCHEMA.splitlines())
    text += "\n" + "".join(f"lead r{i} when {c}\n" for i, c in enumerate(conditions))
    text += "lead buyer when purchase(30d) >= 1 and not (meeting then purchase within 1d)\n"
    text += "lead spender when spend(7d) >= 5 or biggest >= 10 or spend(any 1d) > 3\n"
    text += "stages r0 < buyer\n" + PG_EXTRA
    program = leaddsl.compile(text)
    as_of = BASE + dt.timedelta(minutes=shift)
    with postgres_db.transaction(force_rollback=True):
        create(postgres_db, "leads", ["id", *COLUMNS], [[str(i), *[cells[c] for c in COLUMNS]]
                                                       for i, (cells, _) in enumerate(leads)])
        create(postgres_db, "events", ["lead_id", "type", "ts", "cat", "amount"],
               [[str(i), e["type"], e["ts"], e["cat"], e["amount"]] for i, (_, evs) in enumerate(leads) for e in evs])
        got = run(postgres_db, program, as_of.isoformat())
    assert len(got) == len(leads)
    for i, (row, (cells, events)) in enumerate(zip(got, leads)):
        assert row["id"] == str(i)
        record = {c: v for c, v in cells.items() if v is not None}
        record["events"] = [{k: v for k, v in e.items() if v is not None} for e in events]
        want = program.evaluate(record, as_of=as_of, errors="return")
        expected = want.to_dict()
        assert all(same_value(row[k], expected[k]) for k in program.outputs), (text, cells, events, row, want.error)
        assert (row["error"] is None) == (want.error is None), (row["error"], want.error)


# ------------------------------------------------------------------------ samples
SAMPLES = {  # definitions -> leads file, events file, the query's table and column names
    "acme_instruments": ("acme_leads.csv", "acme_events.csv", {}),
    "bant_sql": ("bant_leads.csv", None, {}),
    "history_planted": ("history_leads.csv", "history_events.csv", {}),
    "inbound_funnel": ("inbound_leads.csv", None, {}),
    "hubspot_mql": ("hubspot_contacts.csv", "hubspot_activities.csv",
                    {"id_field": "Record ID", "lead_field": "Contact ID", "type_field": "Activity Type",
                     "ts_field": "Activity Date"}),
    "salesforce_mql": ("salesforce_leads.csv", "salesforce_tasks.csv",
                       {"id_field": "Lead ID", "lead_field": "Who ID", "type_field": "Type",
                        "ts_field": "Activity Date"}),
}
CLI_FIELDS = {"id_field": "--id-field", "lead_field": "--events-lead-field", "type_field": "--events-type-field",
              "ts_field": "--events-ts-field"}


def test_the_samples_that_translate_are_exactly_those_without_e501():
    assert sorted(p.stem for p in DEFS.glob("*.lead")) == sorted(SAMPLES)
    refused = {}
    for name in SAMPLES:
        try:
            leaddsl.load(DEFS / f"{name}.lead").to_sql("postgres")
        except leaddsl.DslError as e:
            refused[name] = {d.code for d in e.diagnostics}
    assert refused == {"inbound_funnel": {"E501"}, "hubspot_mql": {"E501"}, "salesforce_mql": {"E501"}}


def copy_csv(conn, table: str, path: Path) -> None:
    """The file loaded as a user would: COPY ... CSV HEADER into text columns."""
    with open(path, newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    conn.execute(f"CREATE TABLE {quote(table)} (" + ", ".join(f"{quote(c)} TEXT" for c in header) + ")")
    with conn.cursor() as cur, cur.copy(f"COPY {quote(table)} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
        copy.write(path.read_bytes())


@pytest.mark.parametrize("name", ["acme_instruments", "bant_sql", "history_planted"])
def test_a_sample_gives_in_postgres_what_the_python_engine_gives(postgres_db, runner, name):
    leads, events, fields = SAMPLES[name]
    args = ["eval", str(DEFS / f"{name}.lead"), str(DATA / leads), "--as-of", AS_OF]
    if events:
        args += ["--events", str(DATA / events)]
    for k, v in fields.items():
        args += [CLI_FIELDS[k], v]
    py = runner.invoke(cli, args)
    assert py.exit_code in (0, 1), py.stderr[-2000:]
    want = [__import__("json").loads(line) for line in py.stdout.splitlines()]
    program = leaddsl.load(DEFS / f"{name}.lead")
    with postgres_db.transaction(force_rollback=True):
        copy_csv(postgres_db, "leads", DATA / leads)
        if events:
            copy_csv(postgres_db, "events", DATA / events)
        else:
            create(postgres_db, "events", ["lead_id", "type", "ts"], [])
        got = run(postgres_db, program, **fields)
    assert len(got) == len(want) > 0
    erred = 0
    for w, g in zip(want, got):
        assert list(g) == [*w, "error"][:len(g)] or set(g) == set(w) | {"error"}, (list(g), list(w))
        for k in w:
            if k == "error":  # over tables no event's line is named; the engines add the members' hints
                assert re.sub(r" event at .*? line \d+:", " event:", w[k]) == as_python(program, g[k]), w["id"]
            else:
                assert same_value(g[k], w[k]), (w["id"], k, g[k], w[k])
        if "error" not in w:
            assert g["error"] is None, (w["id"], g["error"])
        erred += g["error"] is not None
    if name == "acme_instruments":
        assert erred >= 1  # the sample's deliberate bad rows are errors in postgres too


# ---------------------------------------------------------------- hostile input
HOSTILE = ('field `x\'; DROP TABLE leads; --`: text\n'
           'field `y"z`: number\n'
           'field `50% off`: text\n'
           'lead `a\'b` when `x\'; DROP TABLE leads; --` = "it\'s \\"quoted\\"; DROP TABLE leads; --\\\\"\n'
           'lead c when `y"z` > 1 or `x\'; DROP TABLE leads; --` contains "\'); DELETE FROM leads; --"\n'
           'lead `d%(as_of)s` when `50% off` contains "%(as_of)s" or `50% off` ends with "100%"\n'
           'lead `e$1` when `x\'; DROP TABLE leads; --` starts with "$1" or `y"z` >= 1B\n')


def test_hostile_names_and_texts_run_in_postgres_and_leave_the_tables_alone(postgres_db):
    program = leaddsl.compile(HOSTILE)
    cols = ["id", "x'; DROP TABLE leads; --", 'y"z', "50% off"]
    rows = [["1", "it's \"quoted\"; DROP TABLE leads; --\\", "5", "%(as_of)s"],
            ["2", "'); DELETE FROM leads; --", "0", "all 100%"],
            ["3", "$1 and $2", "1e-400", "%s %% %"],
            ["4", None, "1e400", None]]
    with postgres_db.transaction(force_rollback=True):
        create(postgres_db, "leads", cols, rows)
        got = run(postgres_db, program)
        assert postgres_db.execute("SELECT count(*) FROM leads").fetchone()[0] == 4
    assert [r["id"] for r in got] == ["1", "2", "3", "4"]
    assert got[3]["e$1"] is None and "cannot read '1e400'" in got[3]["error"]   # too large, as in Python
    for row, r in zip(rows, got):
        want = program.evaluate(dict(zip(cols, row)), as_of=AS_OF, errors="return")
        assert {k: r[k] for k in program.outputs} == want.to_dict()
        assert (r["error"] is None) == (want.error is None), (r["error"], want.error)


# ----------------------------------------------------------- what differed once
REGRESSIONS = [  # (definitions, lead cells, events) that PostgreSQL once answered otherwise or refused to run
    pytest.param("event visit()\nmetric vd = days(visit)\nlead busy when vd(any 2d) >= 2\n",  # COUNT(DISTINCT) in a window
                 {}, [("visit", "2026-11-20T23:00:00Z"), ("visit", "2026-11-21T01:00:00Z"),
                      ("visit", "2026-11-10T01:00:00Z")], id="days-over-any-window"),
    pytest.param("event visit(cat: enum(a, b))\nmetric va = count(visit where cat = a)\nlead seen when va >= 1\n",  # ARG_MIN
                 {}, [("visit", "2026-11-20", "c"), ("visit", "2026-11-21", "a")], id="first-bad-event-message"),
    pytest.param("field n: number\nlead big when n >= 1\n", {"n": "1e400"}, [], id="number-beyond-double"),
    pytest.param("field n: number\nlead big when n >= 0\n", {"n": "-1e-400"}, [], id="number-below-double"),
    pytest.param("field n: number\nlead big when n >= 10\n", {"n": "1e0000000000000000001"}, [], id="long-exponent"),
    pytest.param("field d: datetime\nlead new when d within 30d\n", {"d": "2026-11-20T10:30:00.5+01:00"}, [],
                 id="datetime-groups"),
]


@pytest.mark.parametrize("text, cells, events", REGRESSIONS)
def test_what_postgres_once_answered_otherwise(postgres_db, text, cells, events):
    program = leaddsl.compile(text)
    props = ["cat"] if any(len(e) > 2 for e in events) else []
    with postgres_db.transaction(force_rollback=True):
        create(postgres_db, "leads", ["id", *cells], [["1", *cells.values()]])
        create(postgres_db, "events", ["lead_id", "type", "ts", *props], [["1", *e] for e in events])
        got = run(postgres_db, program)
    record = {**cells, "events": [dict(zip(["type", "ts", *props], e)) for e in events]}
    want = program.evaluate(record, as_of=AS_OF, errors="return")
    assert {k: got[0][k] for k in program.outputs} == want.to_dict()
    assert (got[0]["error"] is None) == (want.error is None), (got[0]["error"], want.error)
    # the message is the one the same query gives in DuckDB (SQL leaves out Python's detail)
    con = duckdb.connect()
    con.execute("CREATE TABLE leads (" + ", ".join(f"{quote(c)} VARCHAR" for c in ["id", *cells]) + ")")
    con.execute("INSERT INTO leads VALUES (" + ", ".join("?" * (1 + len(cells))) + ")", ["1", *cells.values()])
    con.execute("CREATE TABLE events (" + ", ".join(f"{quote(c)} VARCHAR" for c in ["lead_id", "type", "ts", *props]) + ")")
    for e in events:
        con.execute("INSERT INTO events VALUES (" + ", ".join("?" * (1 + len(e))) + ")", ["1", *e])
    duck = con.execute(program.to_sql("duckdb"), {"as_of": AS_OF}).fetchall()[0]
    assert got[0]["error"] == duck[-1]


def test_texts_fold_as_in_python_whatever_the_database_collation(postgres_db):
    """Under a "C" collation PostgreSQL's LOWER leaves É as it is; the query folds with ICU's root
    locale, and a capital sigma (ICU writes ς at a word's end, Python σ) is an error, not a guess."""
    program = leaddsl.compile('field t: text\nfield e: text\nlead a when t = "école"\nlead b when e in {"straße", '
                              '"ÖL"}\nlead c when t = "ασ"\n')
    rows = [["1", "École", "öl"], ["2", "ΑΣ", "Ö"], ["3", "Ecole", "ÖL "]]
    with postgres_db.transaction(force_rollback=True):
        postgres_db.execute('CREATE TABLE leads (id TEXT, t TEXT COLLATE "C", e TEXT COLLATE "C")')
        with postgres_db.cursor() as cur:
            cur.executemany("INSERT INTO leads VALUES (%s, %s, %s)", rows)
        create(postgres_db, "events", ["lead_id", "type", "ts"], [])
        got = run(postgres_db, program)
    assert (got[0]["a"], got[0]["b"], got[0]["error"]) == (True, True, None)
    assert got[1]["c"] is None and got[1]["error"].startswith("t: ")  # Python says true: refused, not guessed
    for (_, t, e), r in zip(rows, got):
        want = program.evaluate({"t": t, "e": e}, as_of=AS_OF, errors="return").to_dict()
        for k in program.outputs:
            assert r[k] == want[k] or r[k] is None and r["error"], (t, e, k, r[k], want[k])


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Lord_Howe", "Pacific/Apia"])
def test_a_zone_reads_wall_times_around_its_clock_changes_in_postgres_as_python(postgres_db, zone):
    """PostgreSQL's own zone rules: each wall time around each clock change in 2011-2026 is
    the instant Python reads, or the same error (skipped, repeated); `format` is E501 here."""
    from test_sql_options import clock_changes
    program = leaddsl.compile(f'field at: datetime zone "{zone}"\nlead after when at >= 2026-01-01T00:00:00Z\n')
    walls = [c + dt.timedelta(minutes=m) for c in clock_changes(zone) for m in (-61, -31, -1, 0, 1, 29, 59, 61)]
    cells = [w.strftime("%Y-%m-%dT%H:%M:%S" if i % 2 else "%Y-%m-%d %H:%M") for i, w in enumerate(walls)]
    cells += ["2026-07-01", "2026-07-01T12:00:00+02:00", "garbage", "N/A"]
    with postgres_db.transaction(force_rollback=True):
        create(postgres_db, "leads", ["id", "at"], [[str(i), c] for i, c in enumerate(cells)])
        create(postgres_db, "events", ["lead_id", "type", "ts"], [])
        got = run(postgres_db, program)
    for cell, row in zip(cells, got):
        want = program.evaluate({"at": cell}, as_of=AS_OF, errors="return")
        assert (row["after"], row["error"]) == (want.to_dict()["after"], want.error), cell
    assert any("does not exist in" in (row["error"] or "") for row in got)
    assert any("happens twice in" in (row["error"] or "") for row in got)


# ----------------------------------------------------------------------- formats
def agree_with_python(conn, program, cells: list[dict], events=(), as_of=AS_OF):
    """The postgres query over these leads' cells (and events: (lead index, type, ts)) gives the
    Python engine's outputs and errs the same leads; each message is the one DuckDB's query gives."""
    columns = sorted({c for row in cells for c in row})
    with conn.transaction(force_rollback=True):
        create(conn, "leads", ["id", *columns], [[str(i), *[row.get(c) for c in columns]] for i, row in enumerate(cells)])
        create(conn, "events", ["lead_id", "type", "ts"], [[str(i), k, t] for i, k, t in events])
        got = run(conn, program, as_of)
    con = duckdb.connect()
    con.execute("CREATE TABLE leads (" + ", ".join(f"{quote(c)} VARCHAR" for c in ["id", *columns]) + ")")
    con.executemany(f"INSERT INTO leads VALUES ({', '.join('?' * (1 + len(columns)))})",
                    [[str(i), *[row.get(c) for c in columns]] for i, row in enumerate(cells)])
    con.execute("CREATE TABLE events (lead_id VARCHAR, type VARCHAR, ts VARCHAR)")
    if events:
        con.executemany("INSERT INTO events VALUES (?, ?, ?)", [[str(i), k, t] for i, k, t in events])
    duck = con.execute(program.to_sql("duckdb"), {"as_of": as_of}).fetchall()
    assert len(got) == len(cells)
    for i, (row, d) in enumerate(zip(got, duck)):
        record = {**{c: v for c, v in cells[i].items() if v is not None},
                  "events": [{"type": k, "ts": t} for j, k, t in events if j == i]}
        want = program.evaluate(record, as_of=as_of, errors="return")
        assert {k: row[k] for k in program.outputs} == want.to_dict(), (cells[i], row, want.error)
        assert (row["error"] is None) == (want.error is None), (cells[i], row["error"], want.error)
        assert row["error"] == d[-1], cells[i]
    return got


def test_formats_are_read_in_postgres_as_python_reads_them(postgres_db):
    """The first format a cell is written in decides, a month name that is no month is not
    written in it, then ISO 8601: PostgreSQL's regular expressions give each format's groups
    as Python's do."""
    from test_sql_options import DATES, FORMATS
    program = leaddsl.compile(f"field d: datetime format {FORMATS}\nfield e: date format \"DD.MM.YYYY\", \"D MMM YYYY\"\n"
                              "lead a when d >= 2026-11-20\nlead b when d < 2000-01-01 or e within 30d\n")
    got = agree_with_python(postgres_db, program, [{"d": c, "e": c} for c in DATES], as_of="2026-11-22T00:00:00Z")
    assert [row["a"] for row in got[:4]] == [True, True, None, None]  # 13 PM and 0 AM: no such hour


@pytest.mark.parametrize("fmt", ["YYYYMDD", "DDMMYYYY", "YYYYMMDDHHmm", "YYMMDD"])
def test_digits_a_format_runs_together_are_split_in_postgres_as_in_python(postgres_db, fmt):
    """Where a format's parts meet with no separator (`YYYYMDD`), the digits have more than one
    split: Python's groups take the first part as long as the rest allows (2026111 is 11/1), and
    so do PostgreSQL's (the longest match, each quantifier, the earlier first, as much as it can)."""
    import random
    rnd = random.Random(fmt)
    cells = sorted({"".join(rnd.choice("0123456789") for _ in range(n)) for n in range(5, 14) for _ in range(40)})
    cells += ["2026111", "2026121", "20261231", "2026229", "2024229", "20261301", "0000101"]
    program = leaddsl.compile(f'field d: datetime format "{fmt}"\nlead late when d >= 2000-01-01\n'
                              'lead nov when d >= 2026-11-01 and d < 2026-12-01\n')
    got = agree_with_python(postgres_db, program, [{"d": c} for c in cells])
    if fmt == "YYYYMDD":  # 2026111 is 2026-11-1, not 2026-1-11
        assert got[cells.index("2026111")]["nov"] is True
    assert any(row["late"] is True for row in got) and sum(row["error"] is not None for row in got) >= 10


def test_an_event_type_reads_its_own_times_in_postgres_as_python(postgres_db):
    """`ts: datetime format ... zone ...` on an event type, through PostgreSQL's zone rules."""
    from test_sql_options import CALLS, EVENT_TIMES, VISITS
    program = leaddsl.compile(EVENT_TIMES)
    kinds = [("visit", c) for c in VISITS] + [("call", c) for c in CALLS] + [("mail", "10/10/2026 10:00 AM")]
    got = agree_with_python(postgres_db, program, [{} for _ in kinds],
                            [(i, k, c) for i, (k, c) in enumerate(kinds)], as_of="2026-12-01T00:00:00Z")
    assert [i for i, row in enumerate(got) if row["hot"] is True] == [0, 7, 8, 11]
    assert "2026-11-01 01:30 happens twice in America/New_York" in got[1]["error"]


def test_texts_compared_whole_with_ascii_texts_are_answered_in_postgres_as_in_python(postgres_db):
    """A text only compared whole with ASCII texts, and enums spelled in ASCII, need no folding
    PostgreSQL lacks: every text answered as Python answers it, with no error (ß is ss)."""
    from test_sql import ODD_TEXTS
    program = leaddsl.compile('field t: text\nfield k: enum(strasse, finance, id, kelvin_k, sales, ff, product)\n'
                              'lead a when t = "strasse" or t in {finance, id, sales}\nlead b when t != "kelvin k"\n'
                              'lead d when k in {strasse, finance, id, ff} or k = product\n')
    got = agree_with_python(postgres_db, program, [{"t": v, "k": v} for v in ODD_TEXTS])
    assert got[ODD_TEXTS.index("Straße")]["a"] is True and got[ODD_TEXTS.index("İD")]["a"] is False


def test_a_decayed_each_score_is_pythons_float_to_the_last_digit_in_postgres(postgres_db):
    # every event's points by its own age, added oldest first as the Python engine adds them (the
    # ordered list unnested and summed), not the weights' SUM in the order PostgreSQL meets the rows
    program = leaddsl.compile("event visit(page: text)\nmetric visits = count(visit)\nscore engagement {\n"
                              "  each visits(90d) +3.7 decay half_life 13d max 500\n"
                              "  each visits(20d) -1.3 decay half_life 5d\n}\n")
    events = [(i, "visit", f"2026-{9 + (i * j) % 3:02d}-{1 + (7 * i + 11 * j) % 28:02d}T{(5 * j + i) % 24:02d}:"
                           f"{(13 * j) % 60:02d}:{(29 * i + j) % 60:02d}Z")
              for i in range(40) for j in range(3 + i % 17)]
    got = agree_with_python(postgres_db, program, [{"n": "x"} for _ in range(40)], events)
    assert len({row["engagement"] for row in got}) > 30
