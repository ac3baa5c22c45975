"""`eval --engine duckdb|spark` against the Python engine: the same rows, --keep columns,
--errors-file lines, --max-errors stop, warnings, progress and summary; the options an
engine cannot run are usage errors naming them. The Spark tests (marker `spark`) start
one local Spark session for the module; CI runs them (pyspark is in the test extra)."""
import json
from pathlib import Path

import pytest

from leaddsl.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
DEFS = ROOT / "definitions" / "acme_instruments.lead"
LEADS = ROOT / "definitions" / "data" / "acme_leads.csv"
EVENTS = ROOT / "definitions" / "data" / "acme_events.csv"
AS_OF = "2026-11-22T00:00:00Z"
ARGS = ["eval", str(DEFS), str(LEADS), "--events", str(EVENTS), "--as-of", AS_OF]


def _lines(text):
    return [json.loads(line) for line in text.splitlines()]


def _same_rows(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.keys() == y.keys(), x["id"]
        for k in x:  # floats too: a decayed score adds its terms in Python's order, to the last digit
            assert x[k] == y[k], (x["id"], k)


def _errors(stderr):
    """The row errors on stderr: each at its file and line."""
    return [line for line in stderr.splitlines() if line.startswith(("/", "... and"))]


def _summary(stderr):
    return [line for line in stderr.splitlines() if line.startswith(("  ", "warning", "stopped", "1", "2", "3", "4",
                                                                     "5", "6", "7", "8", "9"))]


def test_duckdb_keeps_columns_writes_the_errors_file_and_stops_as_python(runner, tmp_path):
    extra = ["--keep", "Company,HQ Country", "--max-errors", "2"]
    py = runner.invoke(cli, [*ARGS, *extra, "--errors-file", str(tmp_path / "py.jsonl")])
    duck = runner.invoke(cli, [*ARGS, *extra, "--errors-file", str(tmp_path / "duck.jsonl"), "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1
    a, b = _lines(py.stdout), _lines(duck.stdout)
    assert len(a) == 41 and a[0]["Company"] == "Helix Biosystems"  # stopped at the second bad row
    _same_rows(a, b)
    assert (tmp_path / "duck.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()
    assert len(_lines((tmp_path / "duck.jsonl").read_text())) == 2
    assert _summary(duck.stderr) == _summary(py.stderr)
    assert any(line.startswith("stopped by --max-errors 2 at line 42") for line in _summary(duck.stderr))


def test_duckdb_warns_of_repeated_ids_and_unmatched_events_as_python(runner, tmp_path):
    defs = tmp_path / "d.lead"
    defs.write_text("field revenue: number\nevent demo()\nlead big when revenue > 1 or demo(30d) >= 1\n")
    leads = tmp_path / "l.csv"
    leads.write_text("id,revenue\n1,5\n2,x\n1,0\n3,\n")
    events = tmp_path / "e.csv"
    events.write_text("lead_id,type,ts\n1,demo,2026-11-20\n9,demo,2026-11-20\n9,demo,2026-11-21\n8,demo,2026-11-21\n")
    args = ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF, "--progress"]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1
    _same_rows(_lines(py.stdout), _lines(duck.stdout))
    assert _summary(duck.stderr) == _summary(py.stderr)
    assert "warning: 1 lead id(s) appear more than once: `1` (2 times)" in duck.stderr
    assert "3 event(s) matched no lead (2 lead_id(s): `8`, `9`)" in duck.stderr
    assert "4 leads, done" in duck.stderr  # the progress display: rows so far


def test_rows_without_an_id_and_repeated_ids_are_told_alike_by_both_engines(runner, tmp_path):
    # rows whose id is absent, null or empty cannot be matched back: a warning, the same from each
    # engine; repeated ids tied in count are listed in id order (DuckDB finds them in no order)
    (tmp_path / "d.lead").write_text("lead big when x > 1\n")
    (tmp_path / "l.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": 1, "x": 2}, {"x": 3}, {"id": None, "x": 3}, {"id": "", "x": 3}, {"id": " ", "x": 0}]))
    (tmp_path / "l.csv").write_text("id,x\n9,1\n,2\n7,1\n 7 ,3\n10,1\n9,1\n10,0\n8,1\n8,1\n")
    told = "row(s) have no `id` (absent, null or empty): their output rows cannot be matched back"
    py = _same_run(runner, ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.jsonl"), "--as-of", AS_OF])
    assert py.exit_code == 0 and f"warning: 4 {told}" in py.stderr
    py = _same_run(runner, ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.csv"), "--as-of", AS_OF])
    assert f"warning: 1 {told}" in py.stderr
    assert "4 lead id(s) appear more than once: `7` (2 times), `8` (2 times), `9` (2 times), `10` (2 times)" \
        in py.stderr


def test_a_json_key_no_record_holds_is_told_by_both_engines(runner, tmp_path):
    # JSON records may leave a key out, so no header check can catch a misspelt one: after the run,
    # a column the definitions read that no record gave a value is named, with a did-you-mean
    (tmp_path / "d.lead").write_text("field revenue: number\nfield region: text\n"
                                     "lead big when revenue >= 300M or region = emea\n")
    (tmp_path / "l.jsonl").write_text('{"id": 1, "revnue": "400M", "region": null}\n'
                                      '{"id": 2, "revnue": "500M", "region": "emea"}\n')
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.jsonl"), "--as-of", AS_OF]
    py = _same_run(runner, args)
    assert py.exit_code == 1  # as a column missing from a CSV header stops the run: the answers cannot be trusted
    assert (f"warning: {tmp_path / 'l.jsonl'}: no record has a value for `revenue` (it feeds `revenue`): it was "
            "missing on every row; did you mean `revnue`? (exit 1: fix the key or the definition's `from \"...\"`; "
            "--allow-missing-columns accepts it)") in py.stderr
    assert "`region`" not in py.stderr  # one record holds it
    allowed = runner.invoke(cli, [*args, "--allow-missing-columns"])
    assert allowed.exit_code == 0 and allowed.stdout == py.stdout
    assert "it was missing on every row; did you mean `revnue`?\n" in allowed.stderr


@pytest.mark.parametrize("option, named", [
    (["--sheet", "S"], "--sheet"),
    (["--allow-missing-columns"], "--allow-missing-columns"), (["--input-format", "jsonl"], "--input-format")])
def test_an_option_the_sql_engines_cannot_run_is_a_usage_error_naming_it(runner, option, named):
    out = runner.invoke(cli, [*ARGS, "--engine", "duckdb", *option])
    assert out.exit_code == 2 and named in out.stderr and "--engine python" in out.stderr
    assert out.stdout == ""


def test_duckdb_reads_the_sample_s_inline_events_as_python(runner, tmp_path):
    # the bundled JSON Lines leads hold their events in `events`: the same rows, stderr (AJ-2040's
    # download without a time, named `lead AJ-2040, event 1 (download)`) and --errors-file lines
    args = ["eval", str(DEFS), str(LEADS.with_suffix(".jsonl")), "--as-of", AS_OF]
    py = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "py.jsonl")])
    duck = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "duck.jsonl"), "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1
    assert duck.stdout == py.stdout and duck.stderr == py.stderr
    assert "lead AJ-2040, event 1 (download): ts is missing" in duck.stderr
    assert (tmp_path / "duck.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()


def test_duckdb_reads_odd_inline_event_lists_as_python(runner, tmp_path):
    # a list that is none, an element that is no object, a type that is no text, another spelling
    # of a type, a key no output reads, an event after the as-of time, a lead named by another
    # id key than the Python engine's `lead 7, ` prefix reads (`id`)
    defs = tmp_path / "d.lead"
    defs.write_text("event demo(size: number)\nevent call()\nmetric sized = sum(demo.size)\n"
                    "lead busy when demo(30d) >= 2\nlead big when sized > 5\nlead then_call when demo then call\n")
    leads = tmp_path / "l.jsonl"
    a = [{"type": "Demo", "ts": "2026-11-20", "size": 3},
         {"type": "demo", "ts": "2026-11-21T10:00:00Z", "size": "4", "url": {"x": 1}},
         {"type": "CALL", "ts": "2026-11-21T11:00:00Z"}]
    records = [
        {"key": "a", "id": 7, "events": a},
        {"key": "b", "id": "b", "events": "demo"},
        {"key": "c", "id": True, "events": [{"type": 5, "ts": "never"}, 7, {"type": "demo", "ts": "someday"}, None]},
        {"key": "d", "events": [{"type": "demo", "ts": "2026-11-20", "size": "big"},
                                {"type": "demo", "ts": "2027-01-01", "size": "x"}]},
        {"key": "e", "id": 2.5, "events": None},
        {"key": "f", "id": "f", "events": [[], {"type": "demo", "ts": "2026-11-20", "size": 1.5}]},
        {"key": "g", "id": "g", "events": {"type": "demo", "ts": "2026-11-20"}},
    ]
    leads.write_text("".join(json.dumps(r) + "\n" for r in records))
    args = ["eval", str(defs), str(leads), "--as-of", AS_OF, "--id-field", "key"]
    py = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "py.jsonl")])
    duck = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "duck.jsonl"), "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1
    assert duck.stdout == py.stdout and duck.stderr == py.stderr
    rows = {r["key"]: r for r in _lines(duck.stdout)}
    assert rows["a"]["busy"] is True and rows["a"]["big"] is True and rows["a"]["then_call"] is True
    assert rows["b"]["error"] == "events: expected a list of event objects, found str"
    assert rows["c"]["error"] == ("events: expected a list of event objects, found int; event 3 (demo): ts: cannot "
                                  "read 'someday' as datetime (use ISO 8601, e.g. 2026-01-31 or 2026-01-31T09:30:00Z)")
    # (no `id` key: no `lead ..., `; the event after the as-of time is not read, its bad size neither)
    assert rows["d"]["error"] == "event 1 (demo): size: cannot read 'big' as number"
    assert rows["d"]["busy"] is False and rows["d"]["big"] is None
    assert rows["f"]["error"] == "events: expected a list of event objects, found list"
    assert rows["g"]["error"] == "events: expected a list of event objects, found dict"
    assert (tmp_path / "duck.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()


def test_duckdb_refuses_inline_events_beside_an_events_file_by_name(runner, tmp_path):
    defs = tmp_path / "d.lead"
    defs.write_text("event demo()\nlead big when demo(30d) >= 1\n")
    leads = tmp_path / "l.jsonl"
    leads.write_text(json.dumps({"id": 1, "events": [{"type": "demo", "ts": "2026-11-20"}]}) + "\n")
    events = tmp_path / "e.csv"
    events.write_text("lead_id,type,ts\n1,demo,2026-11-21\n")
    out = runner.invoke(cli, ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF,
                              "--engine", "duckdb"])
    assert out.exit_code == 2 and "inline" in out.stderr and "--events" in out.stderr
    assert "--engine python" in out.stderr and out.stdout == ""


def test_duckdb_finds_inline_events_that_first_appear_late_in_the_file(runner, tmp_path):
    # DuckDB guesses a JSON file's keys from its first records: a lead whose `events` come after
    # them must still be read
    defs = tmp_path / "d.lead"
    defs.write_text("event demo()\nlead busy when demo(30d) >= 1\n")
    leads = tmp_path / "l.jsonl"
    with leads.open("w") as f:
        for i in range(25_000):
            f.write(json.dumps({"id": i}) + "\n")
        f.write(json.dumps({"id": "late", "events": [{"type": "demo", "ts": "2026-11-21"}]}) + "\n")
    out = runner.invoke(cli, ["eval", str(defs), str(leads), "--as-of", AS_OF, "--engine", "duckdb"])
    assert out.exit_code == 0
    assert _lines(out.stdout)[-1] == {"id": "late", "busy": True}
    assert "busy: 1 " in out.stderr


def test_duckdb_keeps_the_file_order_of_a_file_with_its_own_rowid_column(runner, tmp_path):
    # the engine numbers rows by their place in the table it reads the file into; a column
    # named `rowid` hides that place, and must not reorder the rows or the events
    defs = tmp_path / "d.lead"
    defs.write_text("field industry: enum(energy, food)\nevent demo()\n"
                    "lead e when industry = energy\nlead busy when demo(30d) >= 1\n")
    leads = tmp_path / "l.csv"
    leads.write_text("id,rowid,industry\nc,9,energy\na,1,food\nb,5,Enrgy\n")
    events = tmp_path / "e.csv"
    events.write_text("lead_id,rowid,type,ts\na,3,demo,2026-11-20\nc,2,demo,someday\nc,1,demo,never\n")
    args = ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF]
    py, duck = (runner.invoke(cli, [*args, "--engine", e]) for e in ("python", "duckdb"))
    assert py.exit_code == duck.exit_code == 1
    assert [json.loads(x)["id"] for x in duck.stdout.splitlines()] == ["c", "a", "b"]
    assert duck.stdout == py.stdout and "line 3" in duck.stdout


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_a_misspelt_member_gets_the_python_engines_did_you_mean(runner, tmp_path, engine):
    defs = tmp_path / "d.lead"
    defs.write_text("field industry: enum(life_science, energy)\nevent demo(kind: enum(webinar, trial))\n"
                    "metric trials = count(demo where kind = trial)\n"
                    "lead e when industry = energy\nlead t when trials >= 1\n")
    (tmp_path / "l.csv").write_text("id,industry\n1,Enrgy\n2,retail\n3,energy\n")
    (tmp_path / "e.csv").write_text("lead_id,type,ts,kind\n3,demo,2026-11-20,Trail\n")
    args = ["eval", str(defs), str(tmp_path / "l.csv"), "--events", str(tmp_path / "e.csv"), "--as-of", AS_OF]
    py = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "py.jsonl")])
    sql = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "sql.jsonl"), "--engine", engine])
    assert py.exit_code == sql.exit_code == 1, sql.stderr[-2000:]
    assert "cannot read 'Enrgy' as enum `industry` (expected one of life_science, energy; did you mean `energy`?)" \
        in sql.stdout
    assert "kind: cannot read 'Trail' as enum `demo.kind` (expected one of webinar, trial; did you mean `trial`?)" \
        in sql.stdout
    assert "'retail' as enum `industry` (expected one of life_science, energy)\"" in sql.stdout  # nothing close
    assert sql.stdout == py.stdout and _errors(sql.stderr) == _errors(py.stderr)
    assert (tmp_path / "sql.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()


def test_duckdb_reads_csv_files_that_mix_line_endings_as_python(runner, tmp_path):
    # files joined from two systems: DuckDB's own reader refuses them; the engine reads a copy
    # with one ending, keeps the line breaks inside quoted cells and names the original lines
    defs = tmp_path / "d.lead"
    defs.write_text("field industry: enum(energy, food)\nevent demo(n: number)\n"
                    "metric total = sum(demo.n)\nlead e when industry = energy\nlead busy when total >= 2\n")
    leads = tmp_path / "l.csv"
    leads.write_bytes(b'id,industry,note\r\n1,energy,"a\r\nb"\n2,Enrgy,x\r\n\n3,food,"c\nd"\n4,zz,y')
    events = tmp_path / "e.csv"
    events.write_bytes(b"lead_id,type,ts,n\n1,demo,2026-11-20,1\r\n1,demo,2026-11-21,1\n3,demo,2026-11-21,x\r\n")
    args = ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF, "--keep", "note"]
    py = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "py.jsonl")])
    duck = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "duck.jsonl"), "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1, duck.stderr[-2000:]
    rows = _lines(duck.stdout)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"] and rows[0]["note"] == "a\r\nb" and rows[0]["busy"] is True
    assert f"{leads}: line 4 (id 2)" in duck.stderr and f"{events}: line 4 (id 3)" in duck.stderr
    assert duck.stdout == py.stdout and _errors(duck.stderr) == _errors(py.stderr)
    assert (tmp_path / "duck.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()


@pytest.mark.parametrize("engine, suffix", [("duckdb", ".jsonl"), ("duckdb", ".parquet"),
                                            pytest.param("spark", ".parquet", marks=pytest.mark.spark)])
def test_numeric_ids_of_a_typed_file_are_written_as_numbers_as_python(runner, tmp_path, engine, suffix):
    # the query reads ids as text (to meet the events' lead ids); the output keeps the file's type
    defs = tmp_path / "d.lead"
    defs.write_text("field industry: enum(energy, food)\nevent demo()\nlead e when industry = energy\n"
                    "lead busy when demo(30d) >= 1\n")
    records = [{"id": 10, "industry": "energy"}, {"id": 20, "industry": "Enrgy"}, {"id": 7, "industry": "food"}]
    leads = tmp_path / f"l{suffix}"
    if suffix == ".jsonl":
        leads.write_text("".join(json.dumps(r) + "\n" for r in records))
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_table(pa.Table.from_pylist(records), leads)
    (tmp_path / "e.csv").write_text("lead_id,type,ts\n7,demo,2026-11-20\n")
    args = ["eval", str(defs), str(leads), "--events", str(tmp_path / "e.csv"), "--as-of", AS_OF]
    py, sql = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", engine])
    assert py.exit_code == sql.exit_code == 1, sql.stderr[-2000:]
    assert [r["id"] for r in _lines(sql.stdout)] == [10, 20, 7] and _lines(sql.stdout)[2]["busy"] is True
    assert sql.stdout == py.stdout and _errors(sql.stderr) == _errors(py.stderr)


def test_duckdb_reads_a_json_lines_column_of_mixed_values_as_python(runner, tmp_path):
    # strings and numbers in one column: DuckDB types it JSON, whose strings kept their quotes as
    # text ('"energy"' was a bad value); a value neither text nor number errs the same outputs
    defs = tmp_path / "d.lead"
    defs.write_text("field size: number\nfield industry: enum(energy, food)\nfield ok: bool\n"
                    "lead big when size >= 100\nlead e when industry = energy\nlead yes when ok\n")
    records = [{"id": "a", "size": 150, "industry": "energy", "ok": True},
               {"id": "b", "size": "1k", "industry": 5, "ok": "yes"},
               {"id": "c", "size": [1], "industry": {"x": 1}, "ok": 0},
               {"id": "d", "size": True, "industry": None, "ok": None}, {"id": "e", "size": "12,000"}]
    leads = tmp_path / "l.jsonl"
    leads.write_text("".join(json.dumps(r) + "\n" for r in records))
    args = ["eval", str(defs), str(leads), "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1, duck.stderr[-2000:]
    a, b = _lines(py.stdout), _lines(duck.stdout)
    assert b[0] == a[0] == {"id": "a", "big": True, "e": True, "yes": True}
    assert b[4] == a[4] == {"id": "e", "big": True, "e": False, "yes": False}
    for x, y in zip(a, b):  # the same outputs err; a list's or true's message shows it as JSON
        assert {k: v for k, v in x.items() if k != "error"} == {k: v for k, v in y.items() if k != "error"}
        assert ("error" in x) == ("error" in y)


def test_duckdb_reads_csv_in_the_python_readers_dialect_and_says_what_it_cannot_read(runner, tmp_path):
    defs = tmp_path / "d.lead"
    defs.write_text("field tags: list(text)\nlead t when tags has crm\n")
    # `;`-separated columns are one column for the Python reader: DuckDB must not guess `;`
    (tmp_path / "semi.csv").write_text("id;tags\n1;erp,crm\n2;crm\n")
    # a row with a cell too many: the Python engine errs that row; DuckDB's reader refuses the file
    (tmp_path / "wide.csv").write_text("id,tags\n1,erp,crm\n2,crm\n")
    for name in ("semi.csv", "wide.csv"):
        args = ["eval", str(defs), str(tmp_path / name), "--as-of", AS_OF]
        py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
        assert duck.exit_code == 2 and duck.stdout == "" and "Traceback" not in duck.stderr, duck.stderr
        assert f"{tmp_path / name}:" in duck.stderr and "--engine python" in duck.stderr
    assert py.exit_code == 1 and '"id": "2", "t": true' in py.stdout  # the other row is still read there
    # a row short of cells has the rest missing, in both
    (tmp_path / "short.csv").write_text("id,tags\n1,erp\n2\n3,crm\n")
    args = ["eval", str(defs), str(tmp_path / "short.csv"), "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 0 and duck.stdout == py.stdout and '"id": "3", "t": true' in py.stdout


@pytest.mark.spark
def test_spark_refuses_a_csv_row_with_more_cells_than_the_header_rather_than_drop_them(runner, tmp_path):
    defs = tmp_path / "d.lead"
    defs.write_text("field tags: list(text)\nlead t when tags has crm\n")
    (tmp_path / "wide.csv").write_text('id,tags\n1,erp,crm\n2,"crm\nx"\n3\n')
    duck = runner.invoke(cli, ["eval", str(defs), str(tmp_path / "wide.csv"), "--engine", "spark"])
    assert duck.exit_code == 2 and "more cells than the header" in duck.stderr and duck.stdout == ""


def test_duckdb_reads_json_lines_keys_as_python_and_refuses_nested_ones(runner, tmp_path):
    # a key that no record (or no record DuckDB samples) has is missing, as in Python; a key
    # inside a nested record is a usage error, never read as missing on every row
    defs = tmp_path / "d.lead"
    defs.write_text("field tags: list(text)\nfield note: text\nlead t when tags has crm\nlead n when note is missing\n")
    leads = tmp_path / "l.jsonl"
    leads.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(30000)) + json.dumps(
        {"id": "late", "tags": "crm;x"}) + "\n")
    args = ["eval", str(defs), str(leads), "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 0, duck.stderr[-2000:]
    assert duck.stdout == py.stdout and _lines(duck.stdout)[-1] == {"id": "late", "t": True, "n": True}
    (tmp_path / "n.lead").write_text("field company.size: number\nlead big when company.size >= 100\n")
    leads.write_text(json.dumps({"id": 1, "company": {"size": 150}}) + "\n")
    duck = runner.invoke(cli, ["eval", str(tmp_path / "n.lead"), str(leads), "--engine", "duckdb"])
    assert duck.exit_code == 2 and "`company.size` is a key inside a nested record" in duck.stderr


@pytest.mark.spark
def test_spark_gives_rows_spread_over_several_partitions_in_file_order(runner, tmp_path, monkeypatch):
    # Spark writes the rows a file per partition: read back in the query's order, never the
    # files' or the ids' (the ids here are out of order, a lead's events in another file)
    from leaddsl.sql import spark as engine
    defs, leads, events = tmp_path / "d.lead", tmp_path / "l.csv", tmp_path / "e.csv"
    defs.write_text("event demo(amount: number)\nfield size: number\nmetric spend = sum(demo.amount)\n"
                    "lead big when size > 50 or spend >= 5\n")
    ids = [(i * 7919) % 1000 for i in range(1000)]
    leads.write_text("id,size\n" + "".join(f"{i},{'x' if i % 97 == 0 else i % 100}\n" for i in ids))
    events.write_text("lead_id,type,ts,amount\n" + "".join(f"{i},demo,2026-11-20,{i % 9}\n" for i in reversed(ids)))
    session = engine.session()
    session.conf.set("spark.sql.adaptive.coalescePartitions.enabled", "false")  # tiny data: else one partition
    parts = []
    rows = engine._rows

    def counted(df, folder):
        for row in rows(df, folder):
            parts.append(len(list(folder.glob("part-*"))))
            yield row
    monkeypatch.setattr(engine, "_rows", counted)
    try:
        args = ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF]
        py, spark = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "spark"])
    finally:
        session.conf.unset("spark.sql.adaptive.coalescePartitions.enabled")
    assert spark.exit_code == py.exit_code == 1, spark.stderr[-2000:]
    assert max(parts) > 1 and spark.stdout == py.stdout
    assert [r["id"] for r in _lines(spark.stdout)] == [str(i) for i in ids]


@pytest.mark.spark
def test_spark_says_what_java_failed_with_rather_than_a_traceback(runner, tmp_path, monkeypatch):
    # an error PySpark does not translate (the JVM out of memory, say) reaches us as py4j's;
    # here Java's own ClassNotFoundException, raised where the query runs
    from leaddsl.sql import spark as engine
    session = engine.session()
    monkeypatch.setattr(engine, "session", lambda: _Failing(session))
    out = runner.invoke(cli, [*ARGS, "--engine", "spark"])
    assert out.exit_code == 2 and out.stdout == "" and "Traceback" not in out.stderr, out.stderr[-2000:]
    assert "spark failed: java.lang.ClassNotFoundException: no.such.Plan" in out.stderr


class _Failing:
    """A Spark session whose queries fail in Java."""
    def __init__(self, session):
        self._session = session

    def __getattr__(self, name):
        return getattr(self._session, name)

    def sql(self, *args, **kwargs):
        return self._session._jvm.java.lang.Class.forName("no.such.Plan")


@pytest.mark.spark
def test_spark_gives_the_python_engine_outputs_over_csv_and_parquet(runner, tmp_path):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    py = runner.invoke(cli, [*ARGS, "--keep", "Company"])
    spark = runner.invoke(cli, [*ARGS, "--keep", "Company", "--engine", "spark"])
    assert spark.exit_code == py.exit_code == 1, spark.stderr[-2000:]
    _same_rows(_lines(py.stdout), _lines(spark.stdout))
    assert _summary(spark.stderr) == _summary(py.stderr)
    # the same files as Parquet, every column text as exported
    as_text = pacsv.ConvertOptions(strings_can_be_null=False, column_types={})
    for src, name in ((LEADS, "l.parquet"), (EVENTS, "e.parquet")):
        table = pacsv.read_csv(src, convert_options=as_text)
        table = table.cast(__import__("pyarrow").schema([(f.name, "string") for f in table.schema]))
        pq.write_table(table, tmp_path / name)
    args = ["eval", str(DEFS), str(tmp_path / "l.parquet"), "--events", str(tmp_path / "e.parquet"), "--as-of", AS_OF]
    py, out = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "spark"])
    assert out.exit_code == py.exit_code == 1, out.stderr[-2000:]
    _same_rows(_lines(py.stdout), _lines(out.stdout))  # a bad event at its row of e.parquet
    assert _errors(out.stderr) == _errors(py.stderr)


def test_duckdb_names_each_bad_event_at_its_line_in_the_events_file_as_python(runner, tmp_path):
    py = runner.invoke(cli, [*ARGS, "--errors-file", str(tmp_path / "py.jsonl")])
    duck = runner.invoke(cli, [*ARGS, "--errors-file", str(tmp_path / "duck.jsonl"), "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1
    a, b = _lines(py.stdout), _lines(duck.stdout)
    assert any(f" event at {EVENTS} line " in (row.get("error") or "") for row in a)
    _same_rows(a, b)
    assert _errors(duck.stderr) == _errors(py.stderr)
    assert any(line.startswith(f"{EVENTS}: line ") for line in _errors(duck.stderr))
    assert (tmp_path / "duck.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()


# a quoted cell over two lines and a blank line before the bad events: the line of a row is not row + 1
SPREAD = ('lead_id,type,ts,amount,note\n1,demo,2026-11-20,5,"first line\nsecond line"\n\n'
          '2,demo,2026-11-20,abc,x\n3,demo,yesterday,1,y\n4,demo,,1,"a, b"\n1,demo,2026-11-21,2,"3\n4"\n'
          '4,demo,2026-11-21,zz,z\n')
SPREAD_DEFS = "event demo(amount: number)\nfield size: number\nmetric spend = sum(demo.amount)\n" \
              "lead big when demo(30d) >= 1 or size > 9\nlead spends when spend > 3\n"


def _spread_files(tmp_path, suffix):
    defs, leads = tmp_path / "d.lead", tmp_path / "l.csv"
    defs.write_text(SPREAD_DEFS)
    leads.write_text("id,size\n1,5\n2,x\n3,10\n4,1\n5,\n")
    if suffix == ".csv":
        events = tmp_path / "e.csv"
        events.write_bytes(SPREAD.encode())
    else:  # the same events as JSON Lines, with a blank line
        import csv
        import io
        rows = list(csv.DictReader(io.StringIO(SPREAD, newline="")))
        events = tmp_path / "e.jsonl"
        events.write_text(json.dumps(rows[0]) + "\n\n" + "\n".join(json.dumps(r) for r in rows[1:]) + "\n")
    return ["eval", str(defs), str(leads), "--events", str(events), "--as-of", AS_OF], events


@pytest.mark.parametrize("engine, suffix", [("duckdb", ".csv"), ("duckdb", ".jsonl"),
                                            pytest.param("spark", ".csv", marks=pytest.mark.spark)])
def test_a_bad_event_after_a_cell_over_several_lines_is_named_at_its_own_line(runner, tmp_path, engine, suffix):
    args, events = _spread_files(tmp_path, suffix)
    py = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "py.jsonl")])
    sql = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "sql.jsonl"), "--engine", engine])
    assert py.exit_code == sql.exit_code == 1, sql.stderr[-2000:]
    a, b = _lines(py.stdout), _lines(sql.stdout)
    first = 6 if suffix == ".csv" else 4  # the CSV row of lead 3 starts on line 6; the JSON Lines row on line 4
    assert f"demo event at {events} line {first}: ts: cannot read 'yesterday'" in a[2]["error"]
    _same_rows(a, b)
    assert _errors(sql.stderr) == _errors(py.stderr)
    assert (tmp_path / "sql.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_a_bad_field_after_a_lead_cell_over_several_lines_is_named_at_its_own_line(runner, tmp_path, engine):
    # the leads file has a quoted cell over three lines and a blank line: lead 3 starts on line 7
    defs = tmp_path / "d.lead"
    defs.write_text("field size: number\nlead big when size > 9\n")
    leads = tmp_path / "l.csv"
    leads.write_text('id,size,note\n1,5,"a\nb\nc"\n\n2,12,x\n3,zz,y\n4,abc,z\n')
    args = ["eval", str(defs), str(leads), "--as-of", AS_OF, "--max-errors", "2"]
    py = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "py.jsonl")])
    sql = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "sql.jsonl"), "--engine", engine])
    assert py.exit_code == sql.exit_code == 1, sql.stderr[-2000:]
    assert f"{leads}: line 7 (id 3): size: cannot read 'zz'" in py.stderr
    assert _errors(sql.stderr) == _errors(py.stderr)
    assert "stopped by --max-errors 2 at line 8" in sql.stderr
    assert (tmp_path / "sql.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_a_row_lists_its_errors_in_the_python_engines_order(runner, tmp_path, engine):
    """Fields in declaration order (`f10` after `f9`, not after `f1`), then the bad events in the
    order of their lines, whatever the order of the definitions that use them."""
    fields = [f"f{i}" for i in range(12)]
    defs = tmp_path / "d.lead"
    defs.write_text("".join(f"field {f}: number\n" for f in fields) + "event a(x: number, y: number)\n"
                    "event b(z: number)\nmetric sy = sum(a.y)\nmetric sz = sum(b.z)\nmetric sx = sum(a.x)\n"
                    "lead big when " + " or ".join(f"{f} > 1" for f in reversed(fields)) +
                    " or a(30d) >= 1 or b(30d) >= 1 or sy > 1 or sz > 1 or sx > 1\n")
    (tmp_path / "l.csv").write_text("id," + ",".join(fields) + "\n1," + ",".join("x" for _ in fields) + "\n")
    (tmp_path / "e.csv").write_text("lead_id,type,ts,x,y,z\n1,b,2026-11-20,1,1,zz\n1,a,2026-11-20,1,yy,1\n"
                                    "1,a,2026-11-20,xx,1,1\n1,b,bad,1,1,1\n")
    args = ["eval", str(defs), str(tmp_path / "l.csv"), "--events", str(tmp_path / "e.csv"), "--as-of", AS_OF]
    py, sql = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", engine])
    assert py.exit_code == sql.exit_code == 1, sql.stderr[-2000:]
    error = _lines(py.stdout)[0]["error"]
    assert error.index("f9:") < error.index("f10:") and error.index("line 2: z:") < error.index("line 3: y:")
    _same_rows(_lines(py.stdout), _lines(sql.stdout))


def test_duckdb_reports_events_without_a_lead_id_as_python_does(runner, tmp_path):
    """Each events row with no lead id is named on stderr and in --errors-file, and the exit code
    is 1, as in the Python engine (DuckDB's join dropped them without a word, exit 0)."""
    defs = tmp_path / "d.lead"
    defs.write_text("field n: number\nevent pv()\nlead a when pv >= 1\nlead b when n > 1\n")
    (tmp_path / "l.csv").write_text("id,n\n7,x\n8,2\n")   # (a lead's error too: told after the events rows)
    for name, text in (("e.csv", "lead_id,type,ts\n7,pv,2026-11-20\n,pv,2026-11-20\n  ,pv,2026-11-21\n9,pv,2026-11-20\n"),
                       ("e.jsonl", "".join(json.dumps(e) + "\n" for e in (
                           {"lead_id": "7", "type": "pv", "ts": "2026-11-20"}, {"lead_id": None, "type": "pv", "ts": "x"},
                           {"type": "pv", "ts": "2026-11-20"})))):
        (tmp_path / name).write_text(text)
        args = ["eval", str(defs), str(tmp_path / "l.csv"), "--events", str(tmp_path / name), "--as-of", AS_OF]
        py = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "py.jsonl")])
        duck = runner.invoke(cli, [*args, "--errors-file", str(tmp_path / "duck.jsonl"), "--engine", "duckdb"])
        assert py.exit_code == duck.exit_code == 1, duck.stderr[-2000:]
        assert duck.stdout == py.stdout
        assert (tmp_path / "duck.jsonl").read_text() == (tmp_path / "py.jsonl").read_text()
        assert duck.stderr == py.stderr
        said = [x for x in duck.stderr.splitlines() if "without a lead id" in x]
        assert said == [x for x in py.stderr.splitlines() if "without a lead id" in x] and len(said) == 2
        assert said[0] == f"{tmp_path / name}: line {3 if name == 'e.csv' else 2}: event without a lead id (`lead_id` is empty)"


def test_duckdb_checks_a_json_lines_file_s_id_key_as_python_does(runner, tmp_path):
    (tmp_path / "d.lead").write_text("field n: number\nlead a when n > 1\n")
    (tmp_path / "l.jsonl").write_text('{"ID": 1, "n": 2}\n{"ID": 2, "n": 3}\n')
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.jsonl"), "--as-of", AS_OF]
    for extra in ([], ["--engine", "duckdb"]):
        out = runner.invoke(cli, [*args, *extra])
        assert out.exit_code == 2 and out.stdout == "", out.stderr
        assert "no `id` column (the --id-field that identifies a lead); did you mean `ID`?" in out.stderr


def test_duckdb_reads_a_line_break_inside_a_quoted_cell_whatever_the_file_s_line_ends(runner, tmp_path):
    """A lone \\r inside a quoted cell made the file look as if it ended its lines in two ways; the
    copy DuckDB was then given left the \\r unquoted, and the run stopped naming the copy."""
    (tmp_path / "d.lead").write_text('field t: text\nlead a when t contains "a"\n')
    for name, text in (("cr.csv", 'id,t\n1,"a\rb"\n2,x\n'), ("mixed.csv", 'id,t\r\n1,"a\rb"\n2,"x\r\ny"\r\n3,a\n')):
        (tmp_path / name).write_bytes(text.encode())
        args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / name), "--as-of", AS_OF]
        py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
        assert py.exit_code == duck.exit_code == 0, duck.stderr
        assert duck.stdout == py.stdout and _lines(py.stdout)[0] == {"id": "1", "a": True}


def test_times_outside_the_years_1_to_9999_are_told_as_python_tells_them(runner, tmp_path):
    """A real time that falls outside the years 1 to 9999 in UTC is said to (not "use ISO 8601",
    which the query said), and an event after year 9999 is after every as-of time: it does not
    exist, as in Python (the query erred its lead)."""
    (tmp_path / "d.lead").write_text("field d: datetime\nfield e: date\nevent pv()\n"
                                     "lead a when d within 30d or e within 30d or pv >= 1\n")
    (tmp_path / "l.csv").write_text("id,d,e\n1,9999-12-31T23:59:59-01:00,9999-02-30\n"
                                    "2,0001-01-01T00:00:00+01:00,0001-01-01T00:00:00+01:00\n"
                                    "3,9999-02-30,0001-13-01T00:00:00+01:00\n4,2026-11-20,2026-11-20\n")
    (tmp_path / "e.csv").write_text("lead_id,type,ts\n1,pv,9999-12-31T23:59:59-01:00\n2,pv,9999-02-30\n"
                                    "4,pv,0001-01-01T00:30:00+01:00\n")
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.csv"), "--events", str(tmp_path / "e.csv"),
            "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 1 and duck.stdout == py.stdout, (py.stdout, duck.stdout)
    rows = _lines(duck.stdout)
    assert rows[0]["error"].startswith("d: cannot read '9999-12-31T23:59:59-01:00' as datetime (outside the years 1 to "
                                       "9999 in UTC); e: cannot read '9999-02-30' as date (use ISO 8601")
    assert "pv event" not in rows[0]["error"]                                  # the year-9999 event does not exist
    assert "ts: cannot read '0001-01-01T00:30:00+01:00' as datetime (outside the years 1 to 9999 in UTC)" in \
        rows[3]["error"]


def test_an_empty_leads_file_is_no_lead_in_duckdb_as_in_python(runner, tmp_path):
    (tmp_path / "d.lead").write_text("field n: number\nevent pv()\nlead a when n > 1 or pv >= 1\n")
    (tmp_path / "l.csv").write_bytes(b"")
    (tmp_path / "e.csv").write_text("lead_id,type,ts\n7,pv,2026-11-20\n")
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.csv"), "--events", str(tmp_path / "e.csv"),
            "--as-of", AS_OF]
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert py.exit_code == duck.exit_code == 0 and duck.stdout == py.stdout == ""
    assert duck.stderr == py.stderr and "0 lead(s) read" in duck.stderr and "1 event(s) matched no lead" in duck.stderr


def _same_run(runner, args):
    py, duck = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "duckdb"])
    assert (duck.exit_code, duck.stdout, duck.stderr) == (py.exit_code, py.stdout, py.stderr)
    return py


def test_duckdb_reads_csv_headers_ids_and_blank_lines_as_python(runner, tmp_path):
    """Found by an audit: a header naming a column twice was evaluated (the first used; Python refuses
    the file), an empty id was written null (Python: ""), a line of white space was a lead."""
    (tmp_path / "d.lead").write_text("field revenue: number\nlead big when revenue > 10\n")
    files = {"dup.csv": "id,revenue,revenue\n1,20,5\n", "spaced.csv": "id,name, name \n1,a,b\n",
             "emptyid.csv": 'id,revenue\n,20\n"",5\n', "blank.csv": "id,revenue\n1,20\n   \n2,5\n \t\n"}
    outs = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        outs[name] = _same_run(runner, ["eval", str(tmp_path / "d.lead"), str(tmp_path / name), "--as-of", AS_OF])
    assert outs["dup.csv"].exit_code == outs["spaced.csv"].exit_code == 2
    assert "column `revenue` appears twice in the header" in outs["dup.csv"].stderr
    assert [r["id"] for r in _lines(outs["emptyid.csv"].stdout)] == ["", ""]
    assert [r["id"] for r in _lines(outs["blank.csv"].stdout)] == ["1", "2"]
    (tmp_path / "e.csv").write_text("lead_id,type,ts,cat,cat\n1,pv,2026-11-20,a,b\n")
    (tmp_path / "e.lead").write_text("event pv(cat: text)\nlead seen when pv >= 1\n")
    out = _same_run(runner, ["eval", str(tmp_path / "e.lead"), str(tmp_path / "emptyid.csv"), "--events",
                             str(tmp_path / "e.csv"), "--as-of", AS_OF])
    assert out.exit_code == 2 and "column `cat` appears twice" in out.stderr


def test_event_types_that_fold_beyond_lower_case_match_as_in_python(runner, tmp_path):
    """`Staﬀ Call` is `staff_call` and `ſession` is `session` (case folding), `PAGE VİEW` is no
    `page_view` (İ folds to i and a dot): the query lowered them otherwise, and answered otherwise."""
    (tmp_path / "d.lead").write_text("event staff_call()\nevent session()\nevent page_view()\n"
                                     "lead s when staff_call >= 1\nlead t when session >= 1\nlead p when page_view >= 1\n")
    (tmp_path / "l.csv").write_text("id\n1\n2\n3\n4\n")
    (tmp_path / "e.csv").write_text("lead_id,type,ts\n1,Staﬀ Call,2026-11-01\n2,ſession,2026-11-01\n"
                                    "3,PAGE VİEW,2026-11-01\n4,Page\u00a0View,2026-11-01\n", encoding="utf-8")
    out = _same_run(runner, ["eval", str(tmp_path / "d.lead"), str(tmp_path / "l.csv"), "--events",
                             str(tmp_path / "e.csv"), "--as-of", AS_OF])
    assert [(r["s"], r["t"], r["p"]) for r in _lines(out.stdout)] == [(True, False, False), (False, True, False),
                                                                     (False, False, False), (False, False, True)]


def test_duckdb_refuses_the_files_python_reads_otherwise(runner, tmp_path):
    (tmp_path / "d.lead").write_text("field revenue: number\nlead big when revenue > 10\n")
    (tmp_path / "t.tsv").write_text("id\trevenue\n1\t20\n")
    (tmp_path / "a.json").write_text('[{"id": 1, "revenue": 20}]')
    for name in ("t.tsv", "a.json"):
        out = runner.invoke(cli, ["eval", str(tmp_path / "d.lead"), str(tmp_path / name), "--engine", "duckdb"])
        assert out.exit_code == 2 and "--engine duckdb reads .csv, .jsonl, .ndjson, .parquet files" in out.stderr


def test_duckdb_reads_a_csv_with_short_rows_and_quoted_line_breaks_as_python(runner, tmp_path):
    """DuckDB pads a short row only in a file without quoted line breaks: such a file is read from
    a copy of the rows the Python reader reads (it was refused); a row that reader cannot read
    still stops the run, naming its line."""
    (tmp_path / "d.lead").write_text("field revenue: number\nevent pv()\nlead big when revenue > 10\n"
                                     "lead seen when pv >= 1\n")
    (tmp_path / "q.csv").write_text('id,revenue\n1,"2\n0"\n2\n3,30\n   \n')
    (tmp_path / "e.csv").write_text('lead_id,type,ts\n3,"pv",2026-11-20\n2\n1,"p\nv",2026-11-20\n')
    args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / "q.csv"), "--events", str(tmp_path / "e.csv"),
            "--as-of", AS_OF]
    out = _same_run(runner, args)
    assert out.exit_code == 1 and [r["id"] for r in _lines(out.stdout)] == ["1", "2", "3"]
    (tmp_path / "w.csv").write_text('id,revenue\n1,"2\n0"\n2\n3,30,x\n')
    duck = runner.invoke(cli, ["eval", str(tmp_path / "d.lead"), str(tmp_path / "w.csv"), "--engine", "duckdb"])
    assert duck.exit_code == 2 and "w.csv: line 5: 3 cells but the header has 2 columns" in duck.stderr, duck.stderr


@pytest.mark.spark
def test_spark_reads_blank_lines_short_rows_and_headers_as_python(runner, tmp_path):
    (tmp_path / "d.lead").write_text("field revenue: number\nlead big when revenue > 10\n")
    files = {"blank.csv": 'id,revenue\n1,"2\n0"\n2\n3,30\n   \n \t\n', "dup.csv": "id,revenue,revenue\n1,20,5\n"}
    ran = {}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / name), "--as-of", AS_OF]
        py, ran[name] = runner.invoke(cli, args), runner.invoke(cli, [*args, "--engine", "spark"])
        assert (ran[name].exit_code, ran[name].stdout) == (py.exit_code, py.stdout), ran[name].stderr[-2000:]
    assert [r["id"] for r in _lines(ran["blank.csv"].stdout)] == ["1", "2", "3"]
    assert ran["dup.csv"].exit_code == 2 and "appears twice in the header" in ran["dup.csv"].stderr


# ------------------------------------------------------------------ the API: leaddsl.evaluate_files
def _api(engine, leads=LEADS, events=EVENTS, **options):
    import leaddsl
    program = leaddsl.load(DEFS)
    return list(leaddsl.evaluate_files(program, str(leads), None if events is None else str(events), AS_OF,
                                       engine=engine, **options))


def test_evaluate_files_gives_the_same_rows_from_the_python_engine_and_duckdb():
    for leads, events in ((LEADS, EVENTS), (LEADS.with_suffix(".jsonl"), None)):
        py = _api("python", leads, events, keep=["Company"])
        assert py == _api("duckdb", leads, events, keep=["Company"])
        bad = [r for r in py if r["error"]]
        assert len(py) > 40 and len(bad) == 3 - (events is None)
        # a bad revenue nulls what reads it (mql, fit), not the rest (lead, engagement)
        assert all(r["mql"] is None and r["fit"] is None and r["lead"] is not None
                   for r in bad if r["error"].startswith("revenue"))
    # an event of the table named at its line there; the keys, in order, as the CLI writes them
    aj = next(r for r in _api("duckdb") if r["error"] and "page_view" in r["error"])
    assert aj["error"].startswith(f"page_view event at {EVENTS} line ")
    assert list(aj) == ["id", "lead", "mql", "sql", "stage", "fit", "engagement", "grade", "temperature", "owner",
                        "error"]
    missing = _api("python", bad_values="missing")
    assert missing == _api("duckdb", bad_values="missing")
    assert sum(1 for r in missing if r["error"]) < 3


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_evaluate_files_says_what_it_cannot_use_before_the_first_row(tmp_path, engine):
    import leaddsl
    from leaddsl.io.data import InputError
    program = leaddsl.compile("field revenue: number\nlead big when revenue > 5\n")
    leads = tmp_path / "l.csv"
    leads.write_text("id,revenu\n1,7\n")
    with pytest.raises(InputError, match="no `revenue` column .*did you mean `revenu`"):
        leaddsl.evaluate_files(program, str(leads), engine=engine)
    leads.write_text("id,revenue\n1,7\n")
    with pytest.raises(InputError, match="--keep `big`: an output column"):
        leaddsl.evaluate_files(program, str(leads), engine=engine, keep=["big"])
    with pytest.raises(InputError, match="id column `big` is also the name of an output"):
        leaddsl.evaluate_files(program, str(leads), engine=engine, id_field="big")
    with pytest.raises(ValueError, match="unknown engine 'pandas'"):
        leaddsl.evaluate_files(program, str(leads), engine="pandas")
    assert list(leaddsl.evaluate_files(program, str(leads), engine=engine)) == [
        {"id": "1", "big": True, "error": None}]


@pytest.mark.spark
def test_evaluate_files_runs_spark_with_the_python_engine_s_rows():
    assert _api("spark", keep=["Company"]) == _api("python", keep=["Company"])


def test_duckdb_names_the_first_json_line_python_cannot_read_where_it_refuses_a_file(runner, tmp_path):
    # DuckDB's own message counts a line left open as the next one (line 7 for line 6): the
    # refusal names the line as the Python engine would, in the leads file and the events file
    (tmp_path / "d.lead").write_text("metric v = count(pv)\nlead hot when v >= 1\n")
    good = '{"id": 1, "events": []}\n'
    (tmp_path / "l.jsonl").write_text(good * 5 + '{"id": 6, "events": [{"type": "pv"}]\n' + good)
    (tmp_path / "l.csv").write_text("id\n1\n")
    (tmp_path / "e.jsonl").write_text('{"lead_id": 1, "type": "pv", "ts": "2026-11-20"}\nnot json\n')
    for data, events, named in (("l.jsonl", None, "l.jsonl: DuckDB cannot read this file: line 6, column "),
                                ("l.csv", "e.jsonl", "e.jsonl: DuckDB cannot read this file: line 2, column 1: "
                                                     "not valid JSON")):
        args = ["eval", str(tmp_path / "d.lead"), str(tmp_path / data), "--as-of", AS_OF, "--engine", "duckdb"]
        out = runner.invoke(cli, args + (["--events", str(tmp_path / events)] if events else []))
        assert out.exit_code == 2 and named in out.stderr and "--engine python reads it" in out.stderr, out.stderr
