"""eval never loses a row, never destroys a file, never crashes on input (issue 10)."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

import leaddsl.io.output
from leaddsl.cli import main
from leaddsl.io.data import IdSet, Repeats, lead_ids, read_rows
from leaddsl.io.eventtable import EventTable
from leaddsl import Program

SIMPLE = "lead x when a >= 5\n"
EVENTFUL = "metric views = count(page_view)\nlead x when a >= 5\nlead busy when views >= 2\n"


def run(runner, *args, input=None):
    return runner.invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def defs(tmp_path):
    return write(tmp_path / "s.lead", SIMPLE)


def jsonl(text: str) -> list:
    return [json.loads(line) for line in text.splitlines()]


def leftovers(folder: Path) -> list:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# 1. destroyed data ------------------------------------------------------------------
def test_output_that_is_an_input_is_refused_and_the_input_kept(runner, defs, tmp_path):
    data = write(tmp_path / "c.csv", "id,a\n1,7\n")
    events = write(tmp_path / "e.csv", "lead_id,type,ts\n1,page_view,2026-01-01\n")
    for target in (data, events, defs, tmp_path / "." / "c.csv"):
        r = run(runner, "eval", defs, data, "--events", events, "-o", target)
        assert r.exit_code == 2 and "is also an input" in r.stderr, r.output
    assert data.read_text() == "id,a\n1,7\n" and events.read_text().startswith("lead_id")
    assert defs.read_text() == SIMPLE


def test_a_format_that_contradicts_the_output_file_s_extension_is_refused(runner, defs, tmp_path):
    data = write(tmp_path / "c.csv", "id,a\n1,7\n")
    for name, fmt in (("out.csv", "jsonl"), ("out.jsonl", "csv"), ("out.json", "csv")):
        r = run(runner, "eval", defs, data, "-o", tmp_path / name, "--format", fmt)
        assert r.exit_code == 2 and f"--format {fmt} would write" in r.stderr and not (tmp_path / name).exists()
    r = run(runner, "eval", defs, data, "-o", tmp_path / "out.txt", "--format", "csv")  # no kind of its own
    assert r.exit_code == 0 and (tmp_path / "out.txt").read_text().startswith("id,")


def test_options_that_would_change_nothing_are_refused(runner, defs, tmp_path):
    data = write(tmp_path / "c.csv", "id,a\n1,7\n")
    r = run(runner, "eval", defs, data, "--events-lead-field", "Record ID")
    assert r.exit_code == 2 and "--events-lead-field names a column of the events table: give the table" in r.stderr
    r = run(runner, "eval", defs, data, "--raw-csv")  # JSON Lines on stdout
    assert r.exit_code == 2 and "--raw-csv" in r.stderr and "needs CSV output" in r.stderr
    assert run(runner, "eval", defs, data, "--raw-csv", "-o", tmp_path / "o.csv").exit_code == 0


@pytest.mark.parametrize("target", ["folder", "missing/x.jsonl", "/dev/full"])
def test_unwritable_output_is_a_clean_usage_error(runner, defs, tmp_path, target):
    (tmp_path / "folder").mkdir()
    data = write(tmp_path / "c.csv", "id,a\n1,7\n")
    out = target if target.startswith("/") else tmp_path / target
    r = run(runner, "eval", defs, data, "-o", out)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and str(out) in r.stderr
    assert leftovers(tmp_path) == [] and not (tmp_path / "missing").exists()


def test_output_is_replaced_whole_and_keeps_its_permissions(runner, defs, tmp_path):
    data = write(tmp_path / "c.csv", "id,a\n1,7\n2,3\n")
    out = write(tmp_path / "out.jsonl", "old\n")
    os.chmod(out, 0o640)
    r = run(runner, "eval", defs, data, "-o", out)
    assert r.exit_code == 0, r.output
    assert jsonl(out.read_text()) == [{"id": "1", "x": True}, {"id": "2", "x": False}]
    assert out.stat().st_mode & 0o777 == 0o640 and leftovers(tmp_path) == []


def test_output_through_a_symbolic_link_replaces_its_target(runner, defs, tmp_path):
    data = write(tmp_path / "c.csv", "id,a\n1,7\n")
    (tmp_path / "real").mkdir()
    target = write(tmp_path / "real" / "out.jsonl", "old\n")
    link = tmp_path / "out.jsonl"
    link.symlink_to(target)
    assert run(runner, "eval", defs, data, "-o", link).exit_code == 0
    assert link.is_symlink() and jsonl(target.read_text()) == [{"id": "1", "x": True}]


def test_a_write_that_fails_midway_leaves_the_old_output(runner, defs, tmp_path, monkeypatch):
    data = write(tmp_path / "c.csv", "id,a\n" + "".join(f"{i},7\n" for i in range(100)))
    out = write(tmp_path / "out.csv", "old\n")
    real = leaddsl.io.output.Writer.write
    calls = []

    def failing(self, row):
        calls.append(row)
        if len(calls) == 50:
            raise OSError(28, "No space left on device")
        real(self, row)
    monkeypatch.setattr(leaddsl.io.output.Writer, "write", failing)
    r = run(runner, "eval", defs, data, "-o", out)
    assert r.exit_code == 2
    assert "out.csv: cannot be written (No space left on device)" in r.stderr and "Traceback" not in r.output
    assert out.read_text() == "old\n" and leftovers(tmp_path) == []


def test_ctrl_c_leaves_the_old_output_and_exits_130(runner, defs, tmp_path, monkeypatch):
    data = write(tmp_path / "c.csv", "id,a\n1,7\n2,7\n3,7\n")
    out = write(tmp_path / "out.jsonl", "old\n")
    real = Program.evaluate

    def interrupted(self, record, *a, **k):
        if record["id"] == "2":
            raise KeyboardInterrupt
        return real(self, record, *a, **k)
    monkeypatch.setattr(Program, "evaluate", interrupted)
    r = run(runner, "eval", defs, data, "-o", out)
    assert r.exit_code == 130
    assert "interrupted after 2 lead(s)" in r.stderr and "left as it was" in r.stderr
    assert out.read_text() == "old\n" and leftovers(tmp_path) == []


def test_sigterm_while_writing_leaves_the_old_output(tmp_path):
    defs = write(tmp_path / "s.lead", SIMPLE)
    data = tmp_path / "big.csv"
    with open(data, "w") as f:
        f.write("id,a\n")
        for i in range(2_000_000):
            f.write(f"{i},{i % 9}\n")
    out = write(tmp_path / "out.jsonl", "old\n")
    proc = subprocess.Popen([sys.executable, "-m", "leaddsl", "eval", str(defs), str(data), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until results are being written beside the target
        tmp = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        if tmp and tmp[0].stat().st_size > 100_000:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the run wrote no temporary file")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert b"interrupted after" in err and b"Traceback" not in err
    assert out.read_text() == "old\n" and leftovers(tmp_path) == []


# 2. one bad row never ends the run ------------------------------------------------------
def test_text_that_is_not_unicode_is_written_escaped(runner, defs, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": "\\ud800abc", "a": 7}\n{"id": 2, "a": "\\ud800"}\n', encoding="ascii")
    r = run(runner, "eval", defs, data)
    rows = jsonl(r.stdout)
    assert rows[0] == {"id": "\\ud800abc", "x": True}
    assert rows[1]["id"] == 2 and rows[1]["x"] is None and "\\ud800" in rows[1]["error"]
    latin = tmp_path / "l.csv"
    latin.write_bytes(b"id,a\ncaf\xe9,7\n2,7\n")
    for fmt in ("csv", "jsonl"):
        r = run(runner, "eval", defs, latin, "--format", fmt)
        rows = list(csv.DictReader(io.StringIO(r.stdout))) if fmt == "csv" else jsonl(r.stdout)
        assert [row["id"] for row in rows] == ["caf\\udce9", "2"] and r.exit_code == 1


def test_unexpected_exception_in_one_row_becomes_an_error_row(runner, defs, tmp_path, monkeypatch):
    data = write(tmp_path / "c.csv", "id,a\n1,7\n2,7\n3,7\n")
    real = Program.evaluate

    def buggy(self, record, *a, **k):
        if record["id"] == "2":
            raise ZeroDivisionError("boom")
        return real(self, record, *a, **k)
    monkeypatch.setattr(Program, "evaluate", buggy)
    r = run(runner, "eval", defs, data)
    rows = jsonl(r.stdout)
    assert r.exit_code == 1 and [row["x"] for row in rows] == [True, None, True]
    assert rows[1]["error"] == "cannot evaluate this row (ZeroDivisionError: boom); please report this bug"


def _damage(path: Path, group: int) -> None:
    import pyarrow.parquet as pq
    column = pq.ParquetFile(path).metadata.row_group(group).column(0)
    start = column.data_page_offset + 20
    data = bytearray(path.read_bytes())
    data[start:start + 60] = b"\xff" * 60
    path.write_bytes(bytes(data))


def test_corrupt_parquet_row_group_gives_error_rows_and_the_rest_is_read(runner, defs, tmp_path):
    import pyarrow as pa  # in the test extra: a missing one fails, never skips
    import pyarrow.parquet as pq
    path = tmp_path / "leads.parquet"
    pq.write_table(pa.table({"id": list(range(300)), "a": [i % 9 for i in range(300)]}), path,
                   row_group_size=100, compression="snappy", use_dictionary=False)
    _damage(path, 1)
    r = run(runner, "eval", defs, path)
    rows = jsonl(r.stdout)
    assert len(rows) == 300 and "Traceback" not in r.output
    bad = [i for i, row in enumerate(rows) if "error" in row]
    assert bad == list(range(100, 200))
    assert rows[150]["error"].startswith("row 151: cannot read this row: row group 2 of the Parquet file is damaged")
    assert [row["x"] for row in rows[:100] + rows[200:]] == [i % 9 >= 5 for i in [*range(100), *range(200, 300)]]


def test_a_dotted_name_reads_the_field_of_a_parquet_struct_column(runner, tmp_path):
    """SPEC 1: `company.revenue` reads record["company"]["revenue"]; a Parquet struct column is such a
    record. The header check refused it (no `company.revenue` column), and with --allow-missing-columns
    warned it was missing on every row while it was read."""
    import pyarrow as pa  # in the test extra: a missing one fails, never skips
    import pyarrow.parquet as pq
    path = tmp_path / "s.parquet"
    pq.write_table(pa.table({"id": [1, 2], "company": [{"revenue": 10, "hq": {"country": "US"}},
                                                       {"revenue": 1, "hq": None}]}), path)
    defs = write(tmp_path / "s.lead", "field company.revenue: number\nfield company.hq.country: text\n"
                                      "lead x when company.revenue > 5\n"
                                      "lead y when company.hq.country = \"us\"\n")
    r = run(runner, "eval", defs, path)
    assert r.exit_code == 0 and "warning" not in r.stderr, r.output
    assert [(row["x"], row["y"]) for row in jsonl(r.stdout)] == [(True, True), (False, False)]
    r = run(runner, "eval", write(tmp_path / "t.lead", "lead x when company.size > 5\n"), path)
    assert r.exit_code == 2 and "no `company.size` column" in r.stderr
    r = run(runner, "eval", defs, path, "--engine", "duckdb")  # flat columns only: said, not missing
    assert r.exit_code == 2 and "`company.revenue` is a key inside a nested record" in r.stderr


def test_truncated_parquet_events_file_is_a_clean_usage_error(runner, tmp_path):
    import pyarrow as pa  # in the test extra: a missing one fails, never skips
    import pyarrow.parquet as pq
    defs = write(tmp_path / "s.lead", EVENTFUL)
    events = tmp_path / "e.parquet"
    pq.write_table(pa.table({"lead_id": [1, 2], "type": ["page_view"] * 2, "ts": ["2026-01-01"] * 2}), events)
    events.write_bytes(events.read_bytes()[:-30])
    data = write(tmp_path / "c.csv", "id,a\n1,7\n")
    r = run(runner, "eval", defs, data, "--events", events)
    assert r.exit_code == 2 and "e.parquet: not a readable Parquet file" in r.stderr
    assert "Traceback" not in r.output


# 3. silent wrong answers -----------------------------------------------------------------
EVENTS = "lead_id,type,ts\n{}\n"


def events_csv(tmp_path, ids) -> Path:
    rows = "\n".join(f"{i},page_view,2026-01-0{n % 9 + 1}" for n, i in enumerate(ids))
    return write(tmp_path / "e.csv", EVENTS.format(rows))


@pytest.mark.parametrize("order", [["A", "A", "B", "B"], ["B", "B", "A", "A"]])  # sorted, then not
@pytest.mark.parametrize("leads", [["A", "A", "B"], ["A", "B", "A"]])  # a repeat next to it, then further
def test_every_row_of_a_repeated_id_gets_its_events(runner, tmp_path, order, leads):
    defs = write(tmp_path / "s.lead", EVENTFUL)
    data = write(tmp_path / "c.csv", "id,a\n" + "".join(f"{i},7\n" for i in leads))
    r = run(runner, "eval", defs, data, "--events", events_csv(tmp_path, order), "--as-of", "2026-02-01")
    assert [row["busy"] for row in jsonl(r.stdout)] == [True, True, True]
    assert "1 lead id(s) appear more than once: `A` (2 times)" in r.stderr


def test_ids_7_and_7_0_and_text_7_are_one_id(runner, tmp_path):
    defs = write(tmp_path / "s.lead", EVENTFUL)
    data = write(tmp_path / "d.jsonl", '{"id": 7, "a": 1}\n{"id": 7.0, "a": 1}\n{"id": "7", "a": 1}\n')
    events = write(tmp_path / "e.jsonl", "".join(
        json.dumps({"lead_id": 7, "type": "page_view", "ts": f"2026-01-0{d}"}) + "\n" for d in (1, 2)))
    r = run(runner, "eval", defs, data, "--events", events, "--as-of", "2026-02-01")
    assert [row["busy"] for row in jsonl(r.stdout)] == [True, True, True]
    assert "`7` (3 times)" in r.stderr


def test_events_that_match_no_lead_are_counted(runner, tmp_path):
    defs = write(tmp_path / "s.lead", EVENTFUL)
    data = write(tmp_path / "c.csv", "id,a\n2,7\n")
    for order in (["1", "2", "3", "3"], ["3", "2", "1", "3"]):
        r = run(runner, "eval", defs, data, "--events", events_csv(tmp_path, order))
        assert "3 event(s) matched no lead (2 lead_id(s): " in r.stderr
        assert "`1`" in r.stderr and "`3`" in r.stderr and "`2`" not in r.stderr.split("matched no lead")[1]


def test_repeats_are_found_with_flat_memory_while_ids_are_in_order(tmp_path):
    ids = ["1", "2", "2", "10", "3", "1", "3"]
    data = write(tmp_path / "c.csv", "id\n" + "".join(f"{i}\n" for i in ids))
    repeats = Repeats(partial(lead_ids, str(data), None, "id"))
    found = []
    for i in ids:
        found.append(repeats.add(i))
        if i == "10":
            assert repeats._seen is None  # in order: nothing stored yet
    assert found == [False, False, True, False, False, True, True]  # "3" after "10" is in text order
    stdin = Repeats()
    assert [stdin.add(i) for i in ids] == found


def test_id_set_grows_and_finds_every_repeat():
    ids = IdSet(size=4)
    keys = [str(i) for i in range(5000)] + ["", "x" * 100]
    assert not any(ids.add(k) for k in keys)
    assert all(ids.add(k) for k in keys)


def test_events_of_ids_handed_out_before_a_repeat_are_not_unmatched(runner, tmp_path):
    defs = write(tmp_path / "s.lead", EVENTFUL)
    data = write(tmp_path / "c.csv", "id,a\n1,7\n2,7\n1,7\n")
    r = run(runner, "eval", defs, data, "--events", events_csv(tmp_path, ["1", "1", "2", "3", "3"]),
            "--as-of", "2026-02-01")
    assert [row["busy"] for row in jsonl(r.stdout)] == [True, False, True]
    assert "2 event(s) matched no lead (1 lead_id(s): `3`)" in r.stderr


@pytest.mark.parametrize("header,field,hint", [
    ("id,a", "nope", "columns: `id`, `a`"),
    ("Record ID,a", "record id", "did you mean `Record ID`?"),
    ("lead_key,a", "lead_kye", "did you mean `lead_key`?"),
])
def test_missing_id_column_is_a_usage_error_with_a_hint(runner, defs, tmp_path, header, field, hint):
    data = write(tmp_path / "c.csv", f"{header}\n1,7\n")
    r = run(runner, "eval", defs, data, "--id-field", field)
    assert r.exit_code == 2 and r.stdout == ""
    assert f"c.csv: no `{field}` column (the --id-field that identifies a lead); {hint}" in r.stderr
    data = write(tmp_path / "d.jsonl", json.dumps(dict(zip(header.split(","), [1, 7]))) + "\n")
    assert run(runner, "eval", defs, data, "--id-field", field).exit_code == 2


def test_a_stray_quote_that_swallows_rows_until_another_quote_keeps_every_row(runner, tmp_path):
    defs = write(tmp_path / "d.lead", "field a: number\nfield b: text\nlead x when a > 5\n")
    # the quote opened on line 3 closes inside line 5: a CSV reader would make lines 3-5 one row
    data = write(tmp_path / "c.csv", 'id,b,a\n1,ok,7\n2,"oops,9\n3,fine,8\n4,"quoted",1\n5,x,9\n')
    r = run(runner, "eval", defs, data)
    rows = jsonl(r.stdout)
    assert [row["id"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert rows[1]["x"] is None and "line 3: a quoted cell runs over the next lines" in rows[1]["error"]
    assert [rows[k]["x"] for k in (0, 2, 3, 4)] == [True, True, False, True]
    assert "line 3 (id 2): a quoted cell runs over the next lines" in r.stderr and r.exit_code == 1


def test_unclosed_quote_is_an_error_row_and_the_rows_after_it_are_kept(runner, defs, tmp_path):
    data = write(tmp_path / "c.csv", 'id,a\n1,7\n4,"2\nline"\n2,"7\n3,9\n5,1\n')
    r = run(runner, "eval", defs, data)
    rows = jsonl(r.stdout)
    assert [row["id"] for row in rows] == ["1", "4", "2", "3", "5"]
    assert rows[2] == {"id": "2", "x": None, "error": 'line 5: a quoted cell is never closed (a `"` is missing)'}
    assert rows[1]["error"] == "a: cannot read '2\nline' as number"  # a closed multi-line cell is a cell
    assert rows[3]["x"] is True and rows[4]["x"] is False
    assert 'line 5 (id 2): a quoted cell is never closed' in r.stderr
    assert "line 3 (id 4): a: cannot read '2\\nline' as number" in r.stderr  # one message, one line


def test_duplicate_csv_header_is_a_usage_error(runner, defs, tmp_path):
    data = write(tmp_path / "c.csv", "id,a,b,a\n1,7,x,2\n")
    r = run(runner, "eval", defs, data)
    assert r.exit_code == 2
    assert "column `a` appears twice in the header (columns 2 and 4)" in r.stderr


def test_events_sorted_as_text_stream_like_sorted_by_number(tmp_path):
    ids = sorted([str(i) for i in range(1, 25)])  # 1, 10, 11, ..., 19, 2, 20, ...: `LC_ALL=C sort` order
    table = EventTable(str(events_csv(tmp_path, ids)))
    assert table.sorted
    for i in (1, 2, 10, 24, 3):  # leads in numeric order
        assert len(table.events_for(str(i))) == 1
    assert table.sorted  # no lead repeated: the join stayed a streaming merge
    assert not EventTable(str(events_csv(tmp_path, ["2", "10", "1"]))).sorted


# 4. output a spreadsheet or a parser can trust ---------------------------------------------
FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(1)", "@SUM(1)", "-1+1", "-5", "\tx", "3.5e2", "plain"]


def test_csv_output_defuses_formulas_unless_raw(runner, defs, tmp_path):
    data = write(tmp_path / "d.jsonl", "".join(json.dumps({"id": i, "a": 1}) + "\n" for i in FORMULAS))
    r = run(runner, "eval", defs, data, "--format", "csv")
    ids = [row[0] for row in csv.reader(io.StringIO(r.stdout))][1:]
    assert ids == ["'=HYPERLINK(\"http://x\",\"y\")", "'+SUM(1)", "'@SUM(1)", "'-1+1", "-5", "'\tx", "3.5e2", "plain"]
    r = run(runner, "eval", defs, data, "--format", "csv", "--raw-csv")
    assert [row[0] for row in csv.reader(io.StringIO(r.stdout))][1:] == FORMULAS


def test_jsonl_output_never_holds_nan_or_infinity(runner, defs, tmp_path):
    data = write(tmp_path / "d.jsonl", '{"id": NaN, "a": 7}\n{"id": [Infinity, 1], "a": 7}\n')
    r = run(runner, "eval", defs, data)
    rows = [json.loads(line, parse_constant=lambda c: pytest.fail(f"{c} in the output")) for line in
            r.stdout.splitlines()]
    assert rows == [{"id": None, "x": True}, {"id": [None, 1], "x": True}]


def test_terminal_escapes_in_data_and_paths_are_shown_escaped(runner, tmp_path):
    defs = write(tmp_path / "s.lead", "field a: number\nlead x when a >= 5\n")
    data = write(tmp_path / "evil\x1b]0;pwned\x07.csv", "id,a\n\x1b[2J,\x1b]0;title\x07\n")
    r = run(runner, "eval", defs, data)
    assert r.exit_code == 1
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
    assert "evil\\x1b]0;pwned\\x07.csv" in r.stderr and "\\x1b]0;title\\x07" in r.stderr
    r = run(runner, "eval", defs, data, "--id-field", "\x1b[31mred")
    assert r.exit_code == 2 and "\x1b" not in r.stderr and "\\x1b[31mred" in r.stderr
    r = run(runner, "eval", defs, data, "--as-of", "\x1b]0;x\x07")
    assert r.exit_code == 2 and "\x1b" not in r.stderr


# 5. messages ---------------------------------------------------------------------------------
def test_standard_input_needs_and_takes_an_input_format(runner, defs):
    r = run(runner, "eval", defs, "-", input="id,a\n1,7\n")
    assert r.exit_code == 2 and "standard input (`-`) needs --input-format jsonl or csv" in r.stderr
    r = run(runner, "eval", defs, "-", "--input-format", "csv", input="id,a\n1,7\n")
    assert r.exit_code == 0 and jsonl(r.stdout) == [{"id": "1", "x": True}]
    r = run(runner, "eval", defs, "-", "--input-format", "jsonl", input='{"id": 1, "a": 2}\n')
    assert r.exit_code == 0 and jsonl(r.stdout) == [{"id": 1, "x": False}]
    r = run(runner, "eval", defs, "-", "--input-format", "parquet", input="")
    assert r.exit_code == 2 and "Parquet cannot be read from standard input" in r.stderr
    data = write(defs.parent / "c.csv", "id,a\n1,7\n")
    r = run(runner, "eval", defs, data, "--events", "-", input="")
    assert r.exit_code == 2 and "--events cannot be standard input" in r.stderr


def test_json_messages_read_naturally_with_line_and_column(tmp_path):
    data = write(tmp_path / "d.jsonl", 'null\n[1]\n  {"a": 1,, }\n"x"\n3\ntrue\n')
    errors = [row.error for row in read_rows(str(data))]
    assert errors == ["line 1: expected a JSON object, found null",
                      "line 2: expected a JSON object, found an array",
                      "line 3, column 11: not valid JSON (Expecting property name enclosed in double quotes)",
                      "line 4: expected a JSON object, found a string",
                      "line 5: expected a JSON object, found a number",
                      "line 6: expected a JSON object, found true"]


def test_explain_reads_standard_input_and_checks_the_id_column(runner, defs):
    r = run(runner, "explain", defs, "-", "--id", "1", "--input-format", "csv", input="id,a\n1,7\n")
    assert r.exit_code == 0 and "x: true" in r.stdout
    r = run(runner, "explain", defs, "-", "--id", "1", "--input-format", "csv", "--id-field", "ID", input="id,a\n")
    assert r.exit_code == 2 and "no `ID` column (the --id-field that identifies a lead); did you mean `id`?" in r.stderr
