"""The SQL backend: the query for every dialect, E501 for what a dialect cannot express,
hostile definition text that cannot inject SQL, and `eval --engine duckdb` against the
Python engine on the bundled sample."""
import json
from pathlib import Path

import duckdb
import pytest
import sqlglot

import leaddsl
from leaddsl.cli import main as cli
from leaddsl.codes import CODES
from leaddsl.sql import DIALECTS

ROOT = Path(__file__).resolve().parents[1]
DEFS = ROOT / "definitions" / "acme_instruments.lead"
LEADS = ROOT / "definitions" / "data" / "acme_leads.csv"
EVENTS = ROOT / "definitions" / "data" / "acme_events.csv"
AS_OF = "2026-11-22T00:00:00Z"

PORTABLE = """
field revenue: number from "Annual Revenue"
field industry: enum(life_science, energy)
field seniority: ordinal(manager < vp < c_level)
field title: text
field tags: list(text)
field created: datetime
event page_view(cat: text)
event meeting()
metric pv = count(page_view where cat = product)
lead big when revenue >= 300M and industry = life_science and seniority >= vp
lead hot when pv(any 1d) >= 2 or (meeting then page_view within 2d) or created within 30d
lead tagged when tags has any {erp, crm} and title contains "chief"
stages big < hot
score fit max 50 { big +30; tagged +25 }
band grade on fit { C < 20 <= B < 40 <= A }
route owner for big { emea when title ends with "emea"; else inbound }
"""


def run_duckdb(program, leads_rows, events_rows, as_of=AS_OF, columns=None):
    con = duckdb.connect()
    cols = columns or list(leads_rows[0])
    con.execute("CREATE TABLE leads (" + ", ".join('"' + c.replace('"', '""') + '" VARCHAR' for c in cols) + ")")
    con.executemany(f"INSERT INTO leads VALUES ({', '.join('?' * len(cols))})",
                    [[r.get(c) for c in cols] for r in leads_rows])
    props = sorted({k for e in events_rows for k in e} - {"lead_id", "type", "ts"})
    ecols = ["lead_id", "type", "ts", *props]
    con.execute("CREATE TABLE events (" + ", ".join(f'"{c}" VARCHAR' for c in ecols) + ")")
    if events_rows:
        con.executemany(f"INSERT INTO events VALUES ({', '.join('?' * len(ecols))})",
                        [[e.get(c) for c in ecols] for e in events_rows])
    cur = con.execute(program.to_sql("duckdb"), {"as_of": as_of})
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()], con


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_dialect_gets_one_query_that_parses_back(dialect, caplog):
    program = leaddsl.compile(PORTABLE)
    with caplog.at_level("WARNING", logger="sqlglot"):
        text = program.to_sql(dialect)
    assert not caplog.records, [r.getMessage() for r in caplog.records]  # nothing sqlglot could not spell
    tree = sqlglot.parse_one(text, read=dialect)
    assert isinstance(tree, sqlglot.exp.Select)
    names = [e.alias_or_name for e in tree.expressions]
    assert names == ["id", "big", "hot", "tagged", "stage", "fit", "grade", "owner", "error"]
    # the as-of time is a parameter, never a pasted time
    assert "2026-11" not in text and any(p in text for p in ("$as_of", "%(as_of)s", ":as_of", "@as_of"))


def test_matches_outside_re2_dialects_is_e501_with_its_span():
    program = leaddsl.compile('field title: text\nlead x when title matches "^vp"\n', filename="m.lead")
    assert "REGEXP" in program.to_sql("duckdb").upper()
    with pytest.raises(leaddsl.DslError) as e:
        program.to_sql("postgres")
    d = e.value.diagnostics[0]
    assert (d.code, d.line, d.column) == ("E501", 2, 13)


def test_the_documented_e501_example_triggers_it():
    text = CODES["E501"].example.split("#")[0]
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.compile(text).to_sql("postgres")
    assert [d.code for d in e.value.diagnostics] == ["E501"]


def test_schemaless_comparisons_are_refused_not_guessed():
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.compile("lead x when a = b and b is present\n").to_sql("duckdb")
    assert {d.code for d in e.value.diagnostics} == {"E501"}
    # each points at a use of the key, none at the file's first character
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.compile("lead u when revenue is missing\n").to_sql("duckdb")
    assert [(d.code, d.line, d.column, d.end_column) for d in e.value.diagnostics] == [("E501", 1, 13, 20)]


def test_hostile_names_and_texts_cannot_inject_sql():
    text = ('field `x\'; DROP TABLE leads; --`: text\n'
            'field `y"z`: number\n'
            'lead `a\'b` when `x\'; DROP TABLE leads; --` = "it\'s \\"quoted\\"; DROP TABLE leads; --\\\\"\n'
            'lead c when `y"z` > 1 or `x\'; DROP TABLE leads; --` contains "\'); DELETE FROM leads; --"\n')
    program = leaddsl.compile(text)
    value = "it's \"quoted\"; DROP TABLE leads; --\\"
    rows = [{"id": "1", "x'; DROP TABLE leads; --": value, 'y"z': "5"},
            {"id": "2", "x'; DROP TABLE leads; --": "'); DELETE FROM leads; --", 'y"z': "0"}]
    got, con = run_duckdb(program, rows, [])
    assert con.execute("SELECT count(*) FROM leads").fetchone()[0] == 2
    assert [(r["a'b"], r["c"]) for r in got] == [(True, True), (False, True)]
    for row, r in zip(rows, got):
        assert {k: r[k] for k in ("a'b", "c")} == program.evaluate(row, as_of=AS_OF).to_dict()


def test_bad_values_err_only_what_reads_them_and_no_row_is_dropped():
    program = leaddsl.compile("field n: number\nfield t: text\nlead a when n > 1\nlead b when t = x\n")
    rows = [{"id": "1", "n": "abc", "t": "X"}, {"id": "2", "n": "$1.2B", "t": "N/A"}, {"id": "3", "n": "300MM", "t": "y"}]
    got, _ = run_duckdb(program, rows, [])
    assert [(r["id"], r["a"], r["b"]) for r in got] == [("1", None, True), ("2", True, False), ("3", True, False)]
    assert got[0]["error"] == "n: cannot read 'abc' as number" and got[1]["error"] is None


def test_a_text_python_folds_beyond_lower_is_an_error_not_a_wrong_answer():
    # `contains` needs the whole folding of the text, which LOWER cannot do for ß: an error
    program = leaddsl.compile('field t: text\nlead a when t contains "strasse"\nlead b when true\n')
    got, _ = run_duckdb(program, [{"id": "1", "t": "Straße"}], [])
    assert got[0]["a"] is None and got[0]["b"] is True and "t:" in got[0]["error"]


ODD_TEXTS = ["Straße", "STRASSE", "ﬁnance", "FINANCE", "İD", "id", "Kelvin \u212a", "kelvin k", "ſales", "SALES",
             "Cafe\u0301", "café", "Ωmega", "ωmega", "x\u0307", "ﬀ", "FF", "", "N/A", " Ｐroduct ", "product"]


@pytest.mark.parametrize("value", ODD_TEXTS)
def test_a_text_compared_whole_with_ascii_texts_is_answered_as_python_answers(value):
    # equality, `in` and `not in` with texts whose folding is ASCII: decided exactly in SQL for
    # every text (no error), and an enum whose spellings are ASCII reads every text as Python does
    program = leaddsl.compile('field t: text\nfield k: enum(strasse, finance, id, kelvin_k, sales, ff, product)\n'
                              'event visit(page: text)\nmetric hits = count(visit where page in {strasse, sales, id})\n'
                              'lead a when t = "strasse" or t = "finance" or t = "id"\n'
                              'lead b when t != "kelvin k" and t not in {sales, ff}\nlead c when t in {product}\n'
                              'lead d when k = strasse or k in {finance, id, kelvin_k}\nlead e when hits >= 1\n'
                              'lead f when t is missing\n')
    lead = {"id": "1", "t": value, "k": value}
    events = [{"lead_id": "1", "type": "visit", "ts": "2026-11-20T10:00:00Z", "page": value}]
    got, _ = run_duckdb(program, [lead], events)
    want = program.evaluate({**lead, "events": [{"type": "visit", "ts": "2026-11-20T10:00:00Z", "page": value}]},
                            as_of=AS_OF, errors="return")
    assert {k: got[0][k] for k in "abcdef"} == want.to_dict(), value
    assert (got[0]["error"] is None) == (not want.errors), (got[0]["error"], want.errors)
    if want.errors:  # the enum's message, as Python's (without the did-you-mean SQL cannot compute)
        assert got[0]["error"] == want.errors[0].split("; did you mean")[0] + (")" if "did you mean" in want.errors[0]
                                                                               else "")


def _lines(text):
    return [json.loads(line) for line in text.splitlines()]


def test_eval_engine_duckdb_gives_the_python_engine_outputs(runner):
    args = ["eval", str(DEFS), str(LEADS), "--events", str(EVENTS), "--as-of", AS_OF]
    py = runner.invoke(cli, args)
    duck = runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1   # the sample holds bad values
    a, b = _lines(py.stdout), _lines(duck.stdout)
    assert len(a) == len(b) == 56
    for x, y in zip(a, b):
        assert x.keys() == y.keys()
        for k in x:
            if k == "error":
                assert ": " in y[k]
            else:  # floats too: a decayed score adds its terms in Python's order, to the last digit
                assert x[k] == y[k], (x["id"], k)
    summary = [line for line in duck.stderr.splitlines() if line.startswith("  ")]
    assert summary == [line for line in py.stderr.splitlines() if line.startswith("  ")]


def test_eval_engine_duckdb_names_a_missing_column(runner, tmp_path):
    leads = tmp_path / "l.csv"
    leads.write_text("id,revenu\n1,5\n")
    defs = tmp_path / "d.lead"
    defs.write_text("field revenue: number\nlead big when revenue > 1\n")
    out = runner.invoke(cli, ["eval", str(defs), str(leads), "--engine", "duckdb"])
    assert out.exit_code == 2 and "`revenue`" in out.stderr and "revenu" in out.stderr


def test_sql_command_prints_the_query(runner):
    out = runner.invoke(cli, ["sql", str(DEFS), "--dialect", "spark", "--leads", "crm.leads"])
    assert out.exit_code == 0
    tree = sqlglot.parse_one(out.stdout.rstrip().rstrip(";"), read="spark")
    assert "crm" in {t.db for t in tree.find_all(sqlglot.exp.Table)}


def test_a_decayed_each_score_is_pythons_float_to_the_last_digit():
    # every event's points by its own age, added oldest first from 0.0 as the Python engine adds
    # them: not a SUM in whatever order the engine meets the rows
    program = leaddsl.compile("event visit(page: text)\nmetric visits = count(visit)\nscore engagement {\n"
                              "  each visits(90d) +3.7 decay half_life 13d max 500\n"
                              "  each visits(20d) -1.3 decay half_life 5d\n}\n")
    leads, events = [], []
    for i in range(40):
        leads.append({"id": str(i)})
        for j in range(3 + i % 17):
            events.append({"lead_id": str(i), "type": "visit",
                           "ts": f"2026-{9 + (i * j) % 3:02d}-{1 + (7 * i + 11 * j) % 28:02d}T{(5 * j + i) % 24:02d}:"
                                 f"{(13 * j) % 60:02d}:{(29 * i + j) % 60:02d}Z"})
    got, _ = run_duckdb(program, leads, events)
    for lead, row in zip(leads, got):
        record = {"id": lead["id"], "events": [{"type": "visit", "ts": e["ts"]} for e in events
                                               if e["lead_id"] == lead["id"]]}
        assert row["engagement"] == program.evaluate(record, as_of=AS_OF).to_dict()["engagement"], lead["id"]


def test_a_decayed_rule_over_several_counts_decays_by_the_newest_event_of_those_that_have_one():
    # GREATEST of the counts' newest times is NULL in DuckDB (as sqlglot writes it) when one has no
    # event: the rule gave its full points where Python decays it by the events there are
    program = leaddsl.compile("event visit\nevent webinar\nlet hot = visit(5d) >= 2 or webinar(5d) >= 1\n"
                              "score s { visit(30d) >= 1 or webinar(90d) >= 1  +10 decay half_life 10d\n"
                              "          hot +4 decay half_life 2d\n"
                              "          visit(30d) >= 1 and webinar(90d) >= 1  +6 decay half_life 5d }\n")
    leads = [{"id": str(i)} for i in range(4)]
    events = [{"lead_id": "0", "type": "visit", "ts": "2026-11-12T00:00:00Z"},
              {"lead_id": "1", "type": "webinar", "ts": "2026-11-02T00:00:00Z"},
              {"lead_id": "1", "type": "webinar", "ts": "2026-11-20T00:00:00Z"},
              {"lead_id": "2", "type": "visit", "ts": "2026-11-21T00:00:00Z"},
              {"lead_id": "2", "type": "webinar", "ts": "2026-09-01T00:00:00Z"}]
    got, _ = run_duckdb(program, leads, events)
    want = [program.evaluate({"id": lead["id"], "events": [{"type": e["type"], "ts": e["ts"]} for e in events
                                                         if e["lead_id"] == lead["id"]]}, as_of=AS_OF)["s"]
            for lead in leads]
    assert want[0] == 5.0 and want[3] == 0.0  # 10 days old: half of 10; no event: no rule holds
    assert [row["s"] for row in got] == want


def test_long_chains_and_deep_nesting_become_queries_that_run(runner, tmp_path):
    # sqlglot writes a query by recursion: a 200-term `or` (a chain 200 deep) and a definition
    # nested as deep as the parser takes were a RecursionError traceback
    deep = "revenue > 0"
    for i in range(97):
        deep = f"(revenue != {i} and ({deep} or revenue = {i}))"
    (tmp_path / "d.lead").write_text("field revenue: number\n"
                                     "lead big when " + " or ".join(f"revenue = {i}" for i in range(300)) + "\n"
                                     "lead other when " + " and ".join(f"revenue != {i}" for i in range(300)) + "\n"
                                     f"lead nested when {deep}\n")
    (tmp_path / "l.csv").write_text("id,revenue\n1,5\n2,9999\n3,0\n")
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.csv"), "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 0, duck.stderr[-500:]
    assert py.stdout == duck.stdout and _lines(py.stdout)[1] == {"id": "2", "big": False, "other": True, "nested": True}
    for dialect in DIALECTS:
        out = runner.invoke(cli, ["sql", str(tmp_path / "d.lead"), "--dialect", dialect])
        assert out.exit_code == 0 and "Traceback" not in out.stderr, (dialect, out.stderr[-500:])


def test_sql_refuses_an_id_column_named_like_an_output(runner, tmp_path):
    (tmp_path / "d.lead").write_text("field revenue: number\nlead l when revenue > 1\n")
    for name in ("l", "error"):
        out = runner.invoke(cli, ["sql", str(tmp_path / "d.lead"), "--id-field", name])
        assert out.exit_code == 2 and f"the id column `{name}` is also the name of an output column" in out.stderr
        with pytest.raises(ValueError, match="also the name of an output column"):
            leaddsl.compile("field revenue: number\nlead l when revenue > 1\n").to_sql("duckdb", id_field=name)
