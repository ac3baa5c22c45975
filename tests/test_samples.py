"""The bundled HubSpot and Salesforce exports, read as they come, through the command line."""
import collections
import csv
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from leaddsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEFS = ROOT / "definitions"
DATA = DEFS / "data"
AS_OF = "2026-11-22T00:00:00Z"

HUBSPOT = ["eval", DEFS / "hubspot_mql.lead", DATA / "hubspot_contacts.csv", "--id-field", "Record ID",
           "--events", DATA / "hubspot_activities.csv", "--events-lead-field", "Contact ID",
           "--events-type-field", "Activity Type", "--events-ts-field", "Activity Date", "--as-of", AS_OF]
SALESFORCE = ["eval", DEFS / "salesforce_mql.lead", DATA / "salesforce_leads.csv", "--id-field", "Lead ID",
              "--events", DATA / "salesforce_tasks.csv", "--events-lead-field", "Who ID",
              "--events-type-field", "Type", "--events-ts-field", "Activity Date", "--as-of", AS_OF]


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def rows_of(r):
    return [json.loads(line) for line in r.stdout.splitlines()]


def ids_in(path, column):
    with open(path, newline="", encoding="utf-8") as f:
        return [row[column] for row in csv.DictReader(f)]


def counts(rows, name):
    return dict(collections.Counter(row[name] for row in rows))


@pytest.fixture(scope="module")
def hubspot():
    r = run(CliRunner(), *HUBSPOT)
    return r, rows_of(r)


@pytest.fixture(scope="module")
def salesforce():
    r = run(CliRunner(), *SALESFORCE)
    return r, rows_of(r)


# HubSpot ------------------------------------------------------------------------------------
def test_hubspot_every_contact_gets_a_row_in_order(hubspot):
    r, rows = hubspot
    assert r.exit_code == 1  # the two deliberate bad rows
    assert [row["Record ID"] for row in rows] == ids_in(DATA / "hubspot_contacts.csv", "Record ID")
    assert len(rows) == 50


def test_hubspot_counts_per_definition(hubspot):
    _, rows = hubspot
    assert counts(rows, "lead") == {True: 23, False: 27}
    assert counts(rows, "mql") == {True: 15, False: 33, None: 2}
    assert counts(rows, "sql") == {True: 4, False: 44, None: 2}
    assert counts(rows, "stage") == {"lead": 7, "mql": 11, "sql": 4, None: 28}
    assert counts(rows, "grade") == {"A": 14, "B": 13, "C": 9, "D": 13, None: 1}
    assert counts(rows, "temperature") == {"hot": 4, "warm": 21, "cold": 24, None: 1}
    assert counts(rows, "owner") == {"na_commercial": 7, "na_enterprise": 5, "inbound_queue": 3, None: 35}


def test_hubspot_bad_rows_are_error_rows_naming_their_field(hubspot):
    r, rows = hubspot
    errors = {row["Record ID"]: row for row in rows if "error" in row}
    assert set(errors) == {"HS-1049", "HS-1050"}
    euro, twice = errors["HS-1049"], errors["HS-1050"]
    assert euro["error"] == "revenue: '€300M' is in EUR, the field is in USD"
    # what reads revenue is null; what does not keeps its answer
    assert euro["fit"] is None and euro["grade"] is None and euro["mql"] is None and euro["stage"] is None
    assert euro["lead"] is False and euro["engagement"] > 0 and euro["temperature"] == "warm"
    assert twice["error"].startswith("created: cannot read '2026-11-01 01:40' as datetime")
    assert "happens twice in America/New_York" in twice["error"]
    assert twice["engagement"] is None and twice["temperature"] is None and twice["mql"] is None
    assert twice["lead"] is True and twice["fit"] == 20 and twice["grade"] == "D"
    assert "line 50 (id HS-1049): revenue:" in r.stderr and "line 51 (id HS-1050): created:" in r.stderr


def test_hubspot_messes_are_in_the_export_and_read_without_error(hubspot):
    _, rows = hubspot
    with open(DATA / "hubspot_contacts.csv", newline="", encoding="utf-8") as f:
        contacts = list(csv.DictReader(f))
    seen = {column: {c[column] for c in contacts} for column in contacts[0]}
    assert {"1.2 billion", "USD 1,200,000,000", "$450M", "#N/A", "€300M"} <= seen["Annual Revenue"]
    assert {"Life Sciences", "Biotechnology", "Medical Devices", "TBD"} <= seen["Industry"]
    assert {"United States", "USA", "U.S.", "Canada", "Germany", "unknown"} <= seen["Country/Region"]
    assert {"VP", "Vice President", "unknown"} <= seen["Seniority"]
    assert all(":" in d and "+" not in d and "Z" not in d for d in seen["Create Date"])  # no offset
    out = {row["Record ID"]: row for row in rows}
    for column, spellings in [("Annual Revenue", ["1.2 billion", "USD 1,200,000,000", "$450M", "#N/A"]),
                              ("Country/Region", ["U.S.", "unknown"]), ("Seniority", ["Vice President"]),
                              ("Industry", ["Medical Devices", "TBD"])]:
        for c in contacts:
            if c[column] in spellings and c["Record ID"] not in ("HS-1049", "HS-1050"):
                assert "error" not in out[c["Record ID"]] and isinstance(out[c["Record ID"]]["fit"], float), c


def test_hubspot_activity_labels_are_the_event_names(runner):
    r = run(runner, *[a if a != "eval" else "explain" for a in HUBSPOT], "--id", "HS-1002")
    assert r.exit_code == 0, r.output
    assert 'read "USD 1,200,000,000"' in r.stdout
    assert 'read "Vice President" as vp' in r.stdout
    assert 'read "Biotechnology" as life_science' in r.stdout
    assert "form_submission(90d) = " in r.stdout


# Salesforce ---------------------------------------------------------------------------------
def test_salesforce_every_lead_gets_a_row_in_order(salesforce):
    r, rows = salesforce
    assert r.exit_code == 1
    assert [row["Lead ID"] for row in rows] == ids_in(DATA / "salesforce_leads.csv", "Lead ID")
    assert len(rows) == 40


def test_salesforce_counts_per_definition(salesforce):
    r, rows = salesforce
    assert counts(rows, "lead") == {True: 26, False: 12, None: 2}
    assert counts(rows, "mql") == {True: 5, False: 33, None: 2}
    assert counts(rows, "sql") == {True: 2, False: 36, None: 2}
    assert counts(rows, "stage") == {"lead": 21, "mql": 3, "sql": 2, None: 14}
    assert counts(rows, "grade") == {"A": 7, "B": 9, "C": 11, "D": 13}
    assert counts(rows, "temperature") == {"hot": 8, "warm": 7, "cold": 25}
    # EUR amounts are read as missing (`bad as missing`), counted, never an error row
    assert "warning: revenue: 3 bad value(s) read as missing" in r.stderr


def test_salesforce_bad_rows_are_error_rows_naming_their_field(salesforce):
    r, rows = salesforce
    errors = {row["Lead ID"]: row for row in rows if "error" in row}
    assert set(errors) == {"00Q5g000004Ab39", "00Q5g000004Ab40"}
    day_first, status = errors["00Q5g000004Ab39"], errors["00Q5g000004Ab40"]
    assert day_first["error"] == ("created: cannot read '20/11/2026 10:00' as datetime "
                                  "(expected MM/DD/YYYY hh:mm AM or ISO 8601)")
    assert status["error"].startswith("status: cannot read 'Qualified' as enum `status`")
    for row in (day_first, status):  # the funnel reads the bad field; the scores do not
        assert row["lead"] is None and row["stage"] is None and row["owner"] is None
        assert row["fit"] is not None and row["grade"] is not None and row["temperature"] is not None


def test_salesforce_eur_revenue_is_missing_and_explained(runner):
    with open(DATA / "salesforce_leads.csv", newline="", encoding="utf-8") as f:
        eur = [row["Lead ID"] for row in csv.DictReader(f) if row["Annual Revenue"].startswith("EUR ")]
    assert len(eur) == 3
    r = run(runner, *[a if a != "eval" else "explain" for a in SALESFORCE], "--id", eur[0])
    assert r.exit_code == 0, r.output
    assert "is in EUR, the field is in USD; read as missing" in r.stdout
    assert "revenue = missing (bad value" in r.stdout


# the folder ---------------------------------------------------------------------------------
def test_check_definitions_has_no_warnings(runner):
    r = run(runner, "check", DEFS)
    assert r.exit_code == 0, r.output
    assert "0 error(s), 0 warning(s)" in r.stderr
    assert "hubspot_mql.lead" in r.stderr and "salesforce_mql.lead" in r.stderr


def test_make_exports_writes_the_committed_files(tmp_path):
    spec = importlib.util.spec_from_file_location("make_exports", DATA / "make_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["hubspot_activities.csv", "hubspot_contacts.csv", "salesforce_leads.csv",
                       "salesforce_tasks.csv"]
    for name in written:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
