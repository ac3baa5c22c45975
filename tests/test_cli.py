"""The command line through click's runner: check, eval, explain, rule."""
import csv
import io
import json
import os
from pathlib import Path

import pytest

from leaddsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEFS = ROOT / "definitions"

PROGRAM = """\
field revenue: number from "Annual Revenue"
field country: text
field seniority: ordinal(manager < director < vp)
event page_view(page_category: text)
metric product_visits = count(page_view where page_category = product)
lead big when revenue >= 300M and country in {US, CA}
lead mql when big and seniority >= vp and product_visits(30d) >= 2
stages big < mql
"""


@pytest.fixture
def defs(tmp_path):
    p = tmp_path / "defs.lead"
    p.write_text(PROGRAM)
    return p


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


# check ------------------------------------------------------------------------
def test_check_clean_file(runner, defs):
    r = run(runner, "check", defs)
    assert r.exit_code == 0, r.output


def test_check_text_has_caret_and_hint(runner, tmp_path):
    p = tmp_path / "bad.lead"
    p.write_text("field revenue: number\nlead big when revenue >= 300m\n")
    r = run(runner, "check", p)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[0].endswith("bad.lead:2:26: E101 `300m` is not a number literal: the million suffix is an upper-case `M`")
    assert lines[2] == "2 | lead big when revenue >= 300m"
    assert lines[3] == "  |                          ^^^^"
    assert lines[4] == "  = hint: write `300M` (or `300min` for minutes)"


def test_check_json(runner, tmp_path):
    p = tmp_path / "bad.lead"
    p.write_text("field revenue: number\nlead big when revenu >= 300M\n")
    r = run(runner, "check", "--format", "json", p)
    assert r.exit_code == 1
    [d] = json.loads(r.stdout)
    assert d == {"code": "E201", "severity": "error", "message": "`revenu` is not a declared field or a defined name",
                 "file": str(p) if not str(p).startswith(str(Path.cwd())) else d["file"], "line": 2, "column": 15,
                 "end_line": 2, "end_column": 21, "hint": "did you mean `revenue`?"}


def test_check_sarif(runner, tmp_path):
    p = tmp_path / "bad.lead"
    p.write_text("lead x when a = 1 && b\n")
    r = run(runner, "check", "--format", "sarif", p)
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    run0 = doc["runs"][0]
    assert run0["tool"]["driver"]["name"] == "leaddsl"
    assert run0["tool"]["driver"]["rules"][0]["id"] == "E002"
    [res] = run0["results"]
    assert res["ruleId"] == "E002" and res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 19, "endLine": 1, "endColumn": 21}


def test_check_github(runner, tmp_path):
    p = tmp_path / "bad.lead"
    p.write_text("lead x when a = 1 && b\n")
    r = run(runner, "check", "--format", "github", p)
    assert r.exit_code == 1
    assert r.stdout.startswith("::error file=")
    assert ",line=1,col=19,endLine=1,endColumn=21,title=E002::unexpected character `&` (hint: write `and`)" in r.stdout


def test_check_folder_and_included_fragments(runner, tmp_path):
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "schema.lead").write_text("field revenue: number\n")
    (tmp_path / "main.lead").write_text('include "common/schema.lead"\nlead x when revenue > 1\n')
    r = run(runner, "check", tmp_path)
    assert r.exit_code == 0, r.output


def test_check_names_a_path_that_is_missing_or_no_file(runner, tmp_path):
    r = run(runner, "check", tmp_path / "nope.lead")
    assert r.exit_code == 2 and "nope.lead: no such file or folder" in r.stderr
    r = run(runner, "check", os.devnull)  # it is there: a device, not a definition file
    assert r.exit_code == 2 and f"{os.devnull}: not a regular file or a folder" in r.stderr


def test_check_of_a_folder_names_a_lead_file_in_it_that_cannot_be_read(runner, tmp_path):
    """A broken symbolic link was passed over without a word (and the check passed)."""
    (tmp_path / "ok.lead").write_text("lead x when a > 1\n")
    (tmp_path / "broken.lead").symlink_to(tmp_path / "gone.lead")
    r = run(runner, "check", tmp_path)
    assert r.exit_code == 2 and f"{tmp_path / 'broken.lead'}: a broken symbolic link" in r.stderr


def test_check_of_an_include_path_holding_a_nul_byte_is_a_diagnostic(runner, tmp_path):
    (tmp_path / "nb.lead").write_bytes(b'include "x\x00y.lead"\nlead x when true\n')
    for args in ([tmp_path / "nb.lead"], [tmp_path, "--format", "json"]):
        r = run(runner, "check", *args)
        assert r.exit_code == 1 and "E007" in r.output, r.output


@pytest.mark.parametrize("reverse", [False, True])
def test_check_compiles_an_include_chain_once(runner, tmp_path, monkeypatch, reverse):
    """A 300-file chain took 210 s: every file was compiled as a root, with all it includes."""
    import leaddsl
    n = 40
    for i in range(n):
        j = i - 1 if reverse else i + 1
        head = f'include "f{j:03d}.lead"\n' if 0 <= j < n else ""
        (tmp_path / f"f{i:03d}.lead").write_text(head + f"field a{i}: number\nlead l{i} when a{i} > {i}\n")
    (tmp_path / "f007.lead").write_text((tmp_path / "f007.lead").read_text() + "lead broken when nope\n")
    compiled = []
    real = leaddsl.check
    monkeypatch.setattr(leaddsl, "check", lambda path, **kw: compiled.append(path) or real(path, **kw))
    r = run(runner, "check", tmp_path)
    assert r.exit_code == 1
    assert len(compiled) == 1
    assert r.stdout.count("E201") == 1 and "f007.lead:4:18: E201" in r.stdout
    assert f"{n} file(s) checked" in r.stderr


def test_check_missing_path_is_usage_error(runner, tmp_path):
    r = run(runner, "check", tmp_path / "nope.lead")
    assert r.exit_code == 2


def test_check_bundled_definitions_are_clean(runner):
    r = run(runner, "check", "--strict", "--as-of", "2026-11-22", DEFS)
    assert r.exit_code == 0, r.output


# eval -------------------------------------------------------------------------
LEADS_CSV = """\
id,Annual Revenue,country,seniority
1,"$1,200,000,000", us ,VP
2,450M, ca,director
3,abc,US,vp
4,,CA,manager
5,N/A,de,VP
"""
EVENTS_CSV = """\
lead_id,type,ts,page_category
1,page_view,2026-11-20T10:00:00Z,product
1,page_view,2026-11-21T10:00:00Z,Product
1,page_view,2026-11-23T10:00:00Z,product
2,page_view,2026-11-20T10:00:00Z,product
"""


def test_eval_csv_with_events_table(runner, defs, tmp_path):
    (tmp_path / "leads.csv").write_text(LEADS_CSV)
    (tmp_path / "events.csv").write_text(EVENTS_CSV)
    r = run(runner, "eval", defs, tmp_path / "leads.csv", "--events", tmp_path / "events.csv",
            "--as-of", "2026-11-22T00:00:00Z")
    assert r.exit_code == 1  # row 3 has a bad value
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0] == {"id": "1", "big": True, "mql": True, "stage": "mql"}
    assert rows[1] == {"id": "2", "big": True, "mql": False, "stage": "big"}
    assert rows[2] == {"id": "3", "big": None, "mql": None, "stage": None,
                       "error": "revenue: cannot read 'abc' as number"}
    assert rows[3] == {"id": "4", "big": False, "mql": False, "stage": None}
    assert "line 4 (id 3): revenue: cannot read 'abc' as number" in r.stderr
    assert "5 lead(s) read, 1 with errors" in r.stderr


def test_eval_jsonl_inline_events_and_csv_output(runner, defs, tmp_path):
    leads = [
        {"id": 7, "Annual Revenue": 5e8, "country": "US", "seniority": "vp",
         "events": [{"type": "page_view", "ts": "2026-11-20T10:00:00Z", "page_category": "product"},
                    {"type": "page_view", "ts": "2026-11-21T10:00:00Z", "page_category": "product"}]},
        "not an object",
    ]
    data = tmp_path / "leads.jsonl"
    data.write_text("\n".join(json.dumps(x) for x in leads) + "\n{broken\n")
    out = tmp_path / "out.csv"
    r = run(runner, "eval", defs, data, "--as-of", "2026-11-22", "-o", out)
    assert r.exit_code == 1
    text = out.read_text()
    assert text.splitlines()[:2] == ["id,big,mql,stage,error", "7,true,true,mql,"]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[2][:4] == ["", "", "", ""] and rows[2][4] == "line 2: expected a JSON object, found a string"
    assert rows[3][4].startswith("line 3, column 2: not valid JSON")


def test_eval_definitions_with_errors_evaluate_nothing(runner, tmp_path):
    bad = tmp_path / "bad.lead"
    bad.write_text("lead x when revenue >= 300m\n")
    data = tmp_path / "d.jsonl"
    data.write_text('{"revenue": 1}\n')
    r = run(runner, "eval", bad, data)
    assert r.exit_code == 1 and r.stdout == "" and "E101" in r.stderr


def test_eval_usage_errors(runner, defs, tmp_path):
    assert run(runner, "eval", defs, tmp_path / "missing.csv").exit_code == 2
    (tmp_path / "x.txt").write_text("a")
    assert run(runner, "eval", defs, tmp_path / "x.txt").exit_code == 2
    (tmp_path / "ok.jsonl").write_text("{}\n")
    assert run(runner, "eval", defs, tmp_path / "ok.jsonl", "--as-of", "yesterday").exit_code == 2


def test_eval_parquet(runner, defs, tmp_path):
    import pyarrow as pa  # in the test extra: a missing one fails, never skips
    import pyarrow.parquet as pq
    table = pa.table({"id": [1, 2], "Annual Revenue": ["300M", None], "country": ["US", "CA"],
                      "seniority": ["vp", "vp"]})
    pq.write_table(table, tmp_path / "leads.parquet")
    r = run(runner, "eval", defs, tmp_path / "leads.parquet", "--as-of", "2026-11-22")
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["id"], x["big"]) for x in rows] == [(1, True), (2, False)]


def test_eval_unsorted_events_table_still_joins(runner, defs, tmp_path):
    (tmp_path / "leads.csv").write_text(LEADS_CSV)
    lines = EVENTS_CSV.splitlines()
    (tmp_path / "events.csv").write_text("\n".join([lines[0], lines[4], lines[2], lines[1], lines[3]]) + "\n")
    r = run(runner, "eval", defs, tmp_path / "leads.csv", "--events", tmp_path / "events.csv",
            "--as-of", "2026-11-22T00:00:00Z")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0]["mql"] is True


def test_explain(runner, defs, tmp_path):
    (tmp_path / "leads.csv").write_text(LEADS_CSV)
    (tmp_path / "events.csv").write_text(EVENTS_CSV)
    r = run(runner, "explain", defs, tmp_path / "leads.csv", "--id", "2", "--events", tmp_path / "events.csv",
            "--as-of", "2026-11-22T00:00:00Z")
    assert r.exit_code == 0, r.output
    assert "mql: false" in r.stdout
    assert "[false]   product_visits(30d) >= 2" in r.stdout
    assert "product_visits(30d) = 1 [last 30d; 1 event(s): 2026-11-20T10:00:00Z (page_category = product)]" in r.stdout
    assert 'revenue = 450,000,000' in r.stdout


def test_explain_unknown_id(runner, defs, tmp_path):
    (tmp_path / "leads.csv").write_text(LEADS_CSV)
    r = run(runner, "explain", defs, tmp_path / "leads.csv", "--id", "99")
    assert r.exit_code == 1 and "no lead with id = 99" in r.stderr


def test_explain_names_an_unreadable_row_explains_each_repeat_and_an_erring_definition(runner, tmp_path):
    (tmp_path / "x.lead").write_text("field revenue: number\nfield seniority: ordinal(ic < manager < vp)\n"
                                     "lead a when revenue >= 10M\nlead b when a or seniority >= vp\n")
    (tmp_path / "x.csv").write_text("id,revenue,seniority\n1,20M,vp\n2,5M,ic,extra\n1,abc,ic\n")
    args = ["explain", tmp_path / "x.lead", tmp_path / "x.csv", "--as-of", "2026-11-22"]
    r = run(runner, *args, "--id", "2")  # the row is there: not "no lead with id = 2"
    assert r.exit_code == 1
    assert "x.csv: line 3 (id 2): 4 cells but the header has 3 columns; this row cannot be read" in r.stderr
    r = run(runner, *args, "--id", "1")
    assert r.exit_code == 0 and "x.csv: line 4: id = 1 again" in r.stdout
    first, again = r.stdout.split("id = 1 again")
    assert "b: true" in first and "[true]    a  (lead definition, explained on its own)" in first
    # `a` errs on the second row: `b`, which reads it, shows it as an error, not as the false it is read as
    assert "b: error" in again and "[error]   a  (lead definition, explained on its own: it errs)" in again


def test_rule_docs(runner):
    r = run(runner, "rule", "E214")
    assert r.exit_code == 0
    for part in ("What it finds", "Why it matters", "Example", "Fix"):
        assert part in r.stdout
    assert run(runner, "rule", "E999").exit_code == 2
    listing = run(runner, "rule").stdout
    assert "E101" in listing and "W190" in listing


def test_readme_main_command_runs_on_bundled_sample(runner):
    r = run(runner, "eval", DEFS / "acme_instruments.lead", DEFS / "data" / "acme_leads.csv",
            "--events", DEFS / "data" / "acme_events.csv", "--as-of", "2026-11-22T00:00:00Z")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows and all("id" in row for row in rows)
    stages = {row.get("stage") for row in rows if "error" not in row}
    assert len(stages) >= 3  # the sample exercises several stages


def test_eval_broken_csv_rows_are_error_rows_with_their_id(runner, tmp_path):
    defs = tmp_path / "s.lead"
    defs.write_text("lead x when a >= 5\n")
    data = tmp_path / "m.csv"
    data.write_bytes(b"\xef\xbb\xbfid,a\n1,7,extra\n2,\xff\xfe\n3,\"6\"\n\n4,\n")
    r = run(runner, "eval", defs, data)
    assert r.exit_code == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["1", "2", "3", "4"]  # no row dropped, blank line is not a row
    assert rows[0]["error"] == "line 2: 3 cells but the header has 2 columns"
    assert rows[1]["error"] == "line 3: column `a` is not UTF-8 text"
    assert rows[2] == {"id": "3", "x": True} and rows[3] == {"id": "4", "x": False}


def test_eval_sorted_events_with_leads_in_another_order(runner, defs, tmp_path):
    lines = LEADS_CSV.splitlines()
    (tmp_path / "leads.csv").write_text("\n".join([lines[0], lines[2], lines[5], lines[1]]) + "\n")  # ids 2, 5, 1
    (tmp_path / "events.csv").write_text(EVENTS_CSV)  # sorted by lead id: 1, 1, 1, 2
    r = run(runner, "eval", defs, tmp_path / "leads.csv", "--events", tmp_path / "events.csv",
            "--as-of", "2026-11-22T00:00:00Z")
    rows = {row["id"]: row for row in map(json.loads, r.stdout.splitlines())}
    assert rows["1"]["mql"] is True  # lead 1's events were passed over while reading lead 2's, and kept
    assert rows["2"]["mql"] is False


def test_check_shows_terminal_escapes_in_source_escaped(runner, tmp_path):
    p = tmp_path / "bad.lead"
    p.write_text("field a: number\nlead x when nope  # \x1b]0;pwned\x07\n")
    r = run(runner, "check", p)
    assert r.exit_code == 1 and "E201" in r.stdout
    assert "\x1b" not in r.output and "\x07" not in r.output and "# \\x1b]0;pwned\\x07" in r.stdout


def test_eval_error_row_keeps_the_answers_that_do_not_read_the_bad_value(runner, tmp_path):
    (tmp_path / "t.lead").write_text("field revenue: number\nfield industry: enum(life_science, energy)\n"
                                     "lead fit when industry = life_science\nlead big when revenue >= 300M\n")
    (tmp_path / "t.csv").write_text("id,revenue,industry\n1,400M,life_science\n2,TBD,energy\n")
    r = run(runner, "eval", str(tmp_path / "t.lead"), str(tmp_path / "t.csv"), "--as-of", "2026-11-22")
    assert r.exit_code == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert rows[0] == {"id": "1", "fit": True, "big": True}
    assert rows[1] == {"id": "2", "fit": False, "big": None, "error": "revenue: cannot read 'TBD' as number"}
    assert "line 3 (id 2): revenue: cannot read 'TBD' as number" in r.stderr


def test_eval_names_a_column_the_definitions_read_that_the_file_lacks(runner, tmp_path):
    """A misspelt `from "..."` or a renamed export column was missing on every row, exit 0."""
    (tmp_path / "t.lead").write_text('field revenue: number from "Anual Revenue"\nfield industry: text\n'
                                     "lead big when revenue > 5 and industry = pharma\n")
    (tmp_path / "t.csv").write_text("id,Annual Revenue,Industry\n1,10,pharma\n")
    r = run(runner, "eval", tmp_path / "t.lead", tmp_path / "t.csv")
    assert r.exit_code == 2 and r.stdout == ""
    assert "no `Anual Revenue` column (it feeds `revenue`); did you mean `Annual Revenue`?" in r.stderr
    assert "no `industry` column (it feeds `industry`); did you mean `Industry`?" in r.stderr
    r = run(runner, "eval", tmp_path / "t.lead", tmp_path / "t.csv", "--allow-missing-columns")
    assert r.exit_code == 0 and json.loads(r.stdout) == {"id": "1", "big": False}
    assert "read as missing on every row" in r.stderr
    # JSON records may leave keys out: absent is missing, no header to check before the run; a column
    # no record gave a value is told after it, and fails the run as a missing CSV column does when a
    # key of a close name stands beside it (a misspelling), not when none does (a key left out)
    (tmp_path / "t.jsonl").write_text('{"id": 1, "Anual Revenue": 10}\n')
    r = run(runner, "eval", tmp_path / "t.lead", tmp_path / "t.jsonl")
    assert r.exit_code == 0 and json.loads(r.stdout) == {"id": 1, "big": False}
    assert "no record has a value for `industry` (it feeds `industry`): it was missing on every row\n" in r.stderr
    (tmp_path / "m.jsonl").write_text('{"id": 1, "Anual Revenue": 10, "industri": "pharma"}\n')
    r = run(runner, "eval", tmp_path / "t.lead", tmp_path / "m.jsonl")
    assert r.exit_code == 1 and "no record has a value for `industry` (it feeds `industry`): it was missing on " \
        "every row; did you mean `industri`? (exit 1" in r.stderr
    r = run(runner, "eval", tmp_path / "t.lead", tmp_path / "m.jsonl", "--allow-missing-columns")
    assert r.exit_code == 0 and json.loads(r.stdout) == {"id": 1, "big": False}


def test_eval_groups_repeated_errors_on_stderr(runner, tmp_path):
    (tmp_path / "t.lead").write_text("field revenue: number\nfield industry: text\n"
                                     "lead big when revenue > 5\nlead ph when industry = pharma\n")
    rows = "".join(f"{i},{'lots' if i % 2 else i},pharma\n" for i in range(1, 41))
    (tmp_path / "t.csv").write_text("id,revenue,industry\n" + rows)
    r = run(runner, "eval", tmp_path / "t.lead", tmp_path / "t.csv")
    assert r.exit_code == 1
    assert len(r.stdout.splitlines()) == 40  # every row written, 20 of them with an error
    err = r.stderr.splitlines()
    assert sum("revenue: cannot read 'lots' as number" in line for line in err) == 3
    assert "... and 17 more row(s) with `revenue: cannot read '…' as number` (the next at" in r.stderr
    assert "big: 18 (90.0% of 20 answered)" in r.stderr and "ph: 40 (100.0% of 40 answered)" in r.stderr


def test_check_says_when_the_lint_budget_ran_out(runner, tmp_path):
    text = "field x: number\n" + "".join(f"lead d{i} when x > {i} and x < {i + 5}\n" for i in range(400))
    (tmp_path / "big.lead").write_text(text)
    r = run(runner, "check", tmp_path / "big.lead", "--lint-budget", "0.1")
    assert r.exit_code == 0
    assert "lint incomplete: its 0.1 s budget ran out" in r.stderr and "--lint-budget" in r.stderr
    r = run(runner, "check", tmp_path / "big.lead", "--lint-budget", "0.1", "--format", "json")
    assert json.loads(r.stdout) == [] and "lint incomplete" in r.stderr
