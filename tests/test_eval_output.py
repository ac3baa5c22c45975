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
