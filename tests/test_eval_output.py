"""`eval` outputs reps can use: the input's id header, kept columns, and error limits (issue 11)."""
import csv
import io
import json

import pytest

from leaddsl.cli import main

PROGRAM = """\
field revenue: number from "Annual Revenue"
field country: text
lead big when revenue >= 300M
lead us when country = US
stages big < us
"""

CRM_CSV = """\
Record ID,Email,Company name,Annual Revenue,country
101,ann@a.com,Acme,400M,US
102,bob@b.com,=HYPERLINK(),TBD,US
103,,Beta,10,CA
"""


@pytest.fixture
def defs(tmp_path):
    p = tmp_path / "defs.lead"
    p.write_text(PROGRAM)
    return p


@pytest.fixture
def crm(tmp_path):
    p = tmp_path / "crm.csv"
    p.write_text(CRM_CSV)
    return p


def run(runner, *args, **kw):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)


def jsonl(text):
    return [json.loads(line) for line in text.splitlines()]


# the id column is named as the input's ---------------------------------------------------
def test_output_id_column_is_named_as_the_input_id_column(runner, defs, crm, tmp_path):
    r = run(runner, "eval", defs, crm, "--id-field", "Record ID")
    assert r.exit_code == 1  # row 102 has a bad value
    assert jsonl(r.stdout) == [
        {"Record ID": "101", "big": True, "us": True, "stage": "us"},
        {"Record ID": "102", "big": None, "us": True, "stage": None,
         "error": "revenue: cannot read 'TBD' as number"},
        {"Record ID": "103", "big": False, "us": False, "stage": None},
    ]
    out = tmp_path / "out.csv"
    r = run(runner, "eval", defs, crm, "--id-field", "Record ID", "-o", out)
    assert out.read_text().splitlines()[:2] == ["Record ID,big,us,stage,error", "101,true,true,us,"]


def test_default_id_field_keeps_the_id_column_named_id(runner, defs, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("id,Annual Revenue,country\n1,400M,US\n")
    r = run(runner, "eval", defs, data)
    assert r.exit_code == 0 and jsonl(r.stdout) == [{"id": "1", "big": True, "us": True, "stage": "us"}]


@pytest.mark.parametrize("name", ["big", "stage", "error"])
def test_an_id_field_named_like_an_output_is_a_usage_error(runner, defs, tmp_path, name):
    data = tmp_path / "d.csv"
    data.write_text(f"{name},Annual Revenue,country\n1,400M,US\n")
    r = run(runner, "eval", defs, data, "--id-field", name)
    assert r.exit_code == 2 and r.stdout == ""
    assert f"--id-field `{name}` is also the name of an output column" in r.stderr


# --keep -------------------------------------------------------------------------------------
def test_keep_passes_input_columns_through_after_the_id(runner, defs, crm, tmp_path):
    r = run(runner, "eval", defs, crm, "--id-field", "Record ID", "--keep", "Email,Company name")
    assert r.exit_code == 1
    assert [list(row) for row in jsonl(r.stdout)][0] == ["Record ID", "Email", "Company name", "big", "us", "stage"]
    assert jsonl(r.stdout) == [
        {"Record ID": "101", "Email": "ann@a.com", "Company name": "Acme", "big": True, "us": True, "stage": "us"},
        {"Record ID": "102", "Email": "bob@b.com", "Company name": "=HYPERLINK()", "big": None, "us": True,
         "stage": None, "error": "revenue: cannot read 'TBD' as number"},
        {"Record ID": "103", "Email": "", "Company name": "Beta", "big": False, "us": False, "stage": None},
    ]
    out = tmp_path / "out.csv"
    # repeated and comma-separated are the same; a column named twice is kept once
    r = run(runner, "eval", defs, crm, "--id-field", "Record ID", "--keep", "Email", "--keep", "Company name, Email",
            "-o", out)
    assert r.exit_code == 1
    assert list(csv.reader(io.StringIO(out.read_text()))) == [
        ["Record ID", "Email", "Company name", "big", "us", "stage", "error"],
        ["101", "ann@a.com", "Acme", "true", "true", "us", ""],
        ["102", "bob@b.com", "'=HYPERLINK()", "", "true", "", "revenue: cannot read 'TBD' as number"],
        ["103", "", "Beta", "false", "false", "", ""],
    ]


def test_keep_copies_json_values_as_read(runner, defs, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": 1, "Annual Revenue": 5e8, "owner": {"name": "Ann"}, "score": 7.5, "tags": ["a", "b"]}\n'
                    '{"id": 2, "Annual Revenue": 1, "score": null}\n'
                    "{broken\n")
    r = run(runner, "eval", defs, data, "--keep", "owner,score,tags")
    assert r.exit_code == 1
    rows = jsonl(r.stdout)
    assert rows[0] == {"id": 1, "owner": {"name": "Ann"}, "score": 7.5, "tags": ["a", "b"],
                       "big": True, "us": False, "stage": "big"}
    assert rows[1] == {"id": 2, "owner": None, "score": None, "tags": None, "big": False, "us": False, "stage": None}
    assert rows[2]["owner"] is None and rows[2]["error"].startswith("line 3, column 2: not valid JSON")
    out = tmp_path / "out.csv"
    run(runner, "eval", defs, data, "--keep", "owner,score,tags", "-o", out)
    assert list(csv.reader(io.StringIO(out.read_text())))[1][:4] == ["1", '{"name": "Ann"}', "7.5", '["a", "b"]']


def test_keep_of_a_broken_csv_row_copies_what_could_be_read(runner, defs, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("id,Email,Annual Revenue,country\n1,a@x.com,400M,US,extra\n")
    r = run(runner, "eval", defs, data, "--keep", "Email")
    assert jsonl(r.stdout) == [{"id": "1", "Email": "a@x.com", "big": None, "us": None, "stage": None,
                                "error": "line 2: 5 cells but the header has 4 columns"}]


def test_keep_a_column_the_input_lacks_is_a_usage_error_with_a_suggestion(runner, defs, crm, tmp_path):
    out = tmp_path / "out.csv"
    r = run(runner, "eval", defs, crm, "--id-field", "Record ID", "--keep", "Email,Company Name,Phone", "-o", out)
    assert r.exit_code == 2 and r.stdout == "" and not out.exists()
    assert "crm.csv: no `Company Name` column (named by --keep); did you mean `Company name`?" in r.stderr
    assert "crm.csv: no `Phone` column (named by --keep); columns: `Record ID`, `Email`, `Company name`" in r.stderr


@pytest.mark.parametrize("name, why", [
    ("big", "an output column has this name"), ("stage", "an output column has this name"),
    ("error", "an output column has this name"), ("Record ID", "it is the id column (--id-field)"),
])
def test_keep_a_column_named_like_an_output_column_is_a_usage_error(runner, defs, tmp_path, name, why):
    data = tmp_path / "d.csv"
    extra = "" if name == "Record ID" else f",{name}"
    data.write_text(f"Record ID,Annual Revenue,country{extra}\n1,400M,US{',x' if extra else ''}\n")
    r = run(runner, "eval", defs, data, "--id-field", "Record ID", "--keep", name)
    assert r.exit_code == 2 and r.stdout == ""
    assert f"--keep `{name}`: {why}" in r.stderr


# --max-errors and --errors-file ---------------------------------------------------------
BAD_CSV = """\
Record ID,Annual Revenue,country
1,lots,US
2,400M,US
3,400M,US,extra
4,many,US
5,1,CA
"""


@pytest.fixture
def bad(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(BAD_CSV)
    return p


def test_max_errors_stops_after_n_rows_with_errors_and_commits_what_was_evaluated(runner, defs, bad, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old results\n")
    r = run(runner, "eval", defs, bad, "--id-field", "Record ID", "--max-errors", "2", "-o", out)
    assert r.exit_code == 1
    assert jsonl(out.read_text()) == [
        {"Record ID": "1", "big": None, "us": True, "stage": None, "error": "revenue: cannot read 'lots' as number"},
        {"Record ID": "2", "big": True, "us": True, "stage": "us"},
        {"Record ID": "3", "big": None, "us": None, "stage": None,
         "error": "line 4: 4 cells but the header has 3 columns"},
    ]
    assert f"stopped by --max-errors 2 at line 4: 2 row(s) after it were not evaluated; {out} holds the 3 row(s) " \
           "evaluated" in r.stderr
    assert "3 lead(s) read, 2 with errors" in r.stderr
    assert "many" not in r.stderr  # row 4 was not evaluated


def test_max_errors_not_reached_evaluates_everything(runner, defs, bad):
    r = run(runner, "eval", defs, bad, "--id-field", "Record ID", "--max-errors", "4")
    assert r.exit_code == 1 and len(jsonl(r.stdout)) == 5 and "stopped" not in r.stderr
    r = run(runner, "eval", defs, bad, "--id-field", "Record ID", "--max-errors", "0")
    assert r.exit_code == 2 and r.stdout == ""


def test_max_errors_on_standard_output(runner, defs):
    r = run(runner, "eval", defs, "-", "--input-format", "csv", "--max-errors", "1",
            input="id,Annual Revenue,country\n1,TBD,US\n2,1,US\n3,2,US\n")
    assert r.exit_code == 1
    assert jsonl(r.stdout) == [{"id": "1", "big": None, "us": True, "stage": None,
                                "error": "revenue: cannot read 'TBD' as number"}]
    assert "stopped by --max-errors 1 at line 2: 2 row(s) after it were not evaluated\n" in r.stderr


def test_errors_file_lists_every_row_error_while_stderr_stays_grouped(runner, tmp_path):
    (tmp_path / "t.lead").write_text("field revenue: number\nfield size: number\n"
                                     "lead big when revenue > 5\nlead wide when size > 5\n")
    rows = "".join(f"{i},{'lots' if i % 2 else i},{'huge' if i == 3 else 1}\n" for i in range(1, 11))
    (tmp_path / "t.csv").write_text("id,revenue,size\n" + rows + '11,"7\n')
    errs = tmp_path / "errors.jsonl"
    r = run(runner, "eval", tmp_path / "t.lead", tmp_path / "t.csv", "--errors-file", errs)
    assert r.exit_code == 1
    # row 3 (two bad values) is a kind of its own; rows 1, 5, 7, 9 are one kind: three shown, one counted
    assert sum("cannot read 'lots' as number" in line for line in r.stderr.splitlines()) == 4
    assert "... and 1 more row(s) with `revenue: cannot read '…' as number` (the next at" in r.stderr
    path = str(tmp_path / "t.csv")
    assert jsonl(errs.read_text()) == [
        {"file": path, "line": 2, "id": "1", "field": "revenue", "message": "cannot read 'lots' as number"},
        {"file": path, "line": 4, "id": "3", "field": "revenue", "message": "cannot read 'lots' as number"},
        {"file": path, "line": 4, "id": "3", "field": "size", "message": "cannot read 'huge' as number"},
        {"file": path, "line": 6, "id": "5", "field": "revenue", "message": "cannot read 'lots' as number"},
        {"file": path, "line": 8, "id": "7", "field": "revenue", "message": "cannot read 'lots' as number"},
        {"file": path, "line": 10, "id": "9", "field": "revenue", "message": "cannot read 'lots' as number"},
        {"file": path, "line": 12, "id": "11", "field": None,
         "message": 'a quoted cell is never closed (a `"` is missing)'},
    ]


def test_errors_file_with_max_errors_and_jsonl_positions(runner, defs, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"id": 1, "Annual Revenue": "x"}\n{broken\n{"id": 3, "Annual Revenue": "y"}\n')
    errs = tmp_path / "e.jsonl"
    r = run(runner, "eval", defs, data, "--errors-file", errs, "--max-errors", "2")
    assert r.exit_code == 1 and len(jsonl(r.stdout)) == 2
    assert jsonl(errs.read_text()) == [
        {"file": str(data), "line": 1, "id": 1, "field": "revenue", "message": "cannot read 'x' as number"},
        {"file": str(data), "line": 2, "id": None, "field": None,
         "message": "column 2: not valid JSON (Expecting property name enclosed in double quotes)"},
    ]


def test_errors_file_is_empty_when_there_are_no_errors_and_left_alone_on_a_usage_error(runner, defs, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("id,Annual Revenue,country\n1,400M,US\n")
    errs = tmp_path / "e.jsonl"
    errs.write_text("old\n")
    r = run(runner, "eval", defs, data, "--errors-file", errs)
    assert r.exit_code == 0 and errs.read_text() == ""
    errs.write_text("old\n")
    r = run(runner, "eval", defs, data, "--errors-file", errs, "--keep", "nope")
    assert r.exit_code == 2 and errs.read_text() == "old\n"


def test_errors_file_must_not_be_an_input_or_the_output(runner, defs, bad, tmp_path):
    out = tmp_path / "out.jsonl"
    for target, expected in [
        (out, f"{out}: is also the output (-o); write the errors to another file"),  # -o not written yet
        (bad, f"{bad}: is also an input ({bad}); write the errors to another file"),
        (defs, f"{defs}: is also an input ({defs}); write the errors to another file"),
        ("-", "--errors-file: name a file"),
    ]:
        r = run(runner, "eval", defs, bad, "--id-field", "Record ID", "-o", out, "--errors-file", target)
        assert r.exit_code == 2, target
        assert expected in r.stderr, r.stderr
        assert not out.exists()
    assert bad.read_text() == BAD_CSV and defs.read_text() == PROGRAM


def test_ctrl_c_leaves_the_old_errors_file_and_output(runner, defs, bad, tmp_path, monkeypatch):
    from leaddsl import Program
    out, errs = tmp_path / "out.jsonl", tmp_path / "e.jsonl"
    out.write_text("old out\n")
    errs.write_text("old errors\n")
    real = Program.evaluate

    def interrupted(self, record, *a, **k):
        if record["Record ID"] == "4":
            raise KeyboardInterrupt
        return real(self, record, *a, **k)
    monkeypatch.setattr(Program, "evaluate", interrupted)
    r = run(runner, "eval", defs, bad, "--id-field", "Record ID", "-o", out, "--errors-file", errs)
    assert r.exit_code == 130
    assert f"interrupted after 4 lead(s); {out} and {errs} were left as they were" in r.stderr
    assert out.read_text() == "old out\n" and errs.read_text() == "old errors\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "defs.lead", "e.jsonl", "out.jsonl"]
