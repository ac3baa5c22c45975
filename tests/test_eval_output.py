"""`eval` outputs reps can use: the input's id header, kept columns, and error limits (issue 11)."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

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
def runner():
    return CliRunner()


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
