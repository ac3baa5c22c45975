"""The agreement loop: the definition header, `leaddsl test`, `leaddsl diff`, XLSX input."""
import csv
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import leaddsl
from leaddsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEFS = ROOT / "definitions"

OLD = """\
definition "Demo" { version: "1"; owner: "Mops"; agreed_by: marketing "Dana", sales "Sam"; effective: 2026-01-01 }
field revenue: number
field source: text
lead big when revenue >= 300M
lead hot when big and source = referral
stages big < hot
"""
NEW = OLD.replace("300M", "100M").replace('version: "1"', 'version: "2"').replace("2026-01-01", "2026-06-01")

# revenue, source; by hand: big 300M -> 100M moves the 150M and 200M leads in (2 entered),
# hot moves the 200M referral in; nobody leaves
ROWS = [("1", "400M", "referral"), ("2", "150M", "web"), ("3", "200M", "referral"), ("4", "50M", "web"),
        ("5", "350M", "web")]


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path):
    (tmp_path / "old.lead").write_text(OLD)
    (tmp_path / "new.lead").write_text(NEW)
    (tmp_path / "leads.csv").write_text("id,revenue,source\n" + "".join(f"{a},{b},{c}\n" for a, b, c in ROWS))
    return tmp_path


# the header ------------------------------------------------------------------------
def test_header_is_read_and_shown_by_check(runner, project):
    p = leaddsl.load(project / "new.lead")
    a = p.agreement
    assert (a.title, a.version, a.owner, a.effective.isoformat()) == ("Demo", "2", ("Mops",), "2026-06-01")
    assert a.agreed_by == (("marketing", "Dana"), ("sales", "Sam"))
    r = run(runner, "check", project / "new.lead")
    assert r.exit_code == 0
    assert 'definition "Demo" version 2' in r.stderr and "agreed by: marketing (Dana), sales (Sam)" in r.stderr


def test_review_overdue_depends_on_the_as_of_time(runner, tmp_path):
    f = tmp_path / "r.lead"
    f.write_text('definition "R" { effective: 2026-01-01; review: 30d }\nlead a when x = 1\n')
    assert run(runner, "check", "--strict", "--as-of", "2026-01-15", f).exit_code == 0
    r = run(runner, "check", "--strict", "--as-of", "2026-03-01", f)
    assert r.exit_code == 1 and "W116" in r.stdout and "2026-01-31" in r.stdout


def test_check_against_warns_when_conditions_change_without_a_new_date(runner, project):
    same_date = NEW.replace("2026-06-01", "2026-01-01")
    (project / "same.lead").write_text(same_date)
    r = run(runner, "check", "--against", project / "old.lead", project / "same.lead")
    assert "W115" in r.stdout
    assert "W115" not in run(runner, "check", "--against", project / "old.lead", project / "new.lead").stdout
    # only the layout and the version changed: the conditions did not
    relaid = OLD.replace("lead big when revenue >= 300M", "# a comment\nlead big when\n    revenue >= 300M")
    (project / "relaid.lead").write_text(relaid.replace('version: "1"', 'version: "1.1"'))
    assert "W115" not in run(runner, "check", "--against", project / "old.lead", project / "relaid.lead").stdout


def test_an_ignore_comment_silences_w115_on_its_line_and_is_not_reported_unused(runner, project):
    # the header on one line: the comment is on the line of W115's span (the `effective` date)
    same = NEW.replace("2026-06-01", "2026-01-01").replace(" }\n", " }  # leaddsl: ignore[W115]\n", 1)
    (project / "same.lead").write_text(same)
    r = run(runner, "check", "--strict", "--against", project / "old.lead", project / "same.lead")
    assert r.exit_code == 0 and "W115" not in r.stdout and "W191" not in r.stdout, r.stdout
    # without --against the lint cannot know what the comment silences: it is not called unused
    assert "W191" not in run(runner, "check", "--strict", project / "same.lead").stdout


def test_eval_stamps_the_version_in_force(runner, project):
    r = run(runner, "eval", project / "new.lead", project / "leads.csv", "--as-of", "2026-07-01", "--stamp")
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert {row["definition"] for row in rows} == {"Demo v2 effective 2026-06-01"}
    early = run(runner, "eval", project / "new.lead", project / "leads.csv", "--as-of", "2026-05-01", "--stamp")
    assert "not yet in force" in early.stderr
    (project / "bare.lead").write_text("lead a when x = 1\n")
    assert run(runner, "eval", project / "bare.lead", project / "leads.csv", "--stamp").exit_code == 2


# leaddsl test --------------------------------------------------------------------------
def test_bundled_tests_pass(runner):
    r = run(runner, "test", DEFS)
    assert r.exit_code == 0, r.output
    assert "19 passed" in r.stdout and "FAILED" not in r.stdout


CASES = """\
definitions = "new.lead"
as_of = 2026-07-01

[[case]]
name = "a 400M referral is hot"
lead = { id = "1", revenue = "400M", source = "referral" }
expect = { big = true, hot = true, stage = "hot" }

[[case]]
name = "a 150M lead is not big"
lead = { id = "2", revenue = "150M", source = "web" }
expect = { big = false, stage = "" }
"""


def test_failure_shows_expected_actual_and_the_explanation(runner, project):
    (project / "demo.leadtest").write_text(CASES)
    r = run(runner, "test", project / "demo.leadtest")
    assert r.exit_code == 1
    assert "a 400M referral is hot PASSED" in r.stdout and "a 150M lead is not big FAILED" in r.stdout
    assert "big: expected false, got true" in r.stdout
    assert "revenue >= 100M" in r.stdout and "revenue = 150,000,000" in r.stdout  # the clause that decided
    assert "1 passed, 1 failed" in r.stdout
    assert run(runner, "test", "--definitions", project / "old.lead", project / "demo.leadtest").exit_code == 0


def test_junit_is_well_formed(runner, project):
    (project / "demo.leadtest").write_text(CASES.replace('name = "a 150M', 'name = "a <150M> & \\u0001'))
    r = run(runner, "test", "--format", "junit", project / "demo.leadtest")
    assert r.exit_code == 1
    root = ET.fromstring(r.stdout.encode())
    assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
    cases = root.findall("./testsuite/testcase")
    assert [c.find("failure") is not None for c in cases] == [False, True]
    assert "&" in cases[1].get("name")


@pytest.mark.parametrize("expect, message", [
    ("{ bigg = true }", "did you mean `big`?"),
    ('{ stage = "hott" }', "did you mean `hot`?"),
    ('{ big = "yes" }', "expect true or false"),
])
def test_expectations_are_checked_against_the_program(runner, project, expect, message):
    (project / "t.leadtest").write_text(f'definitions = "new.lead"\n\n[[case]]\nname = "x"\n'
                                        f'lead = {{ id = "1", revenue = "1" }}\nexpect = {expect}\n')
    r = run(runner, "test", project / "t.leadtest")
    assert r.exit_code == 1 and message in r.stdout and "t.leadtest:3:" in r.stdout


@pytest.mark.parametrize("expect, message", [
    ('{ temp = "hott" }', "expected band `temp` 'hott' is not one of its bands (cold, warm, hot); did you mean `hot`?"),
    ('{ owner = "nobody" }', "expected route `owner` 'nobody' is not one of its targets (fast, queue)"),
    ('{ heat = "high" }', "`heat` is a score: expect a number, not 'high'"),
])
def test_band_route_and_score_expectations_are_checked_against_the_program(runner, tmp_path, expect, message):
    # a value the output can never take would only ever fail: an error of the test file, with a did-you-mean
    (tmp_path / "d.lead").write_text("field x: number\nscore heat { x > 1 +10 }\n"
                                     "band temp on heat { cold < 5 <= warm < 8 <= hot }\nlead l when x > 1\n"
                                     "route owner for l { fast when x > 5; else queue }\n")
    (tmp_path / "t.leadtest").write_text(f'definitions = "d.lead"\n\n[[case]]\nname = "x"\n'
                                         f'lead = {{ x = 7 }}\nexpect = {expect}\n')
    r = run(runner, "test", tmp_path / "t.leadtest")
    assert r.exit_code == 1 and message in r.stdout and "ERROR" in r.stdout, r.stdout
    (tmp_path / "t.leadtest").write_text('definitions = "d.lead"\n\n[[case]]\nname = "x"\nlead = { x = 7 }\n'
                                         'expect = { temp = "hot", owner = "fast", heat = 10 }\n')
    assert run(runner, "test", tmp_path / "t.leadtest").exit_code == 0


def test_a_broken_test_file_is_an_error_with_its_line(runner, project):
    (project / "t.leadtest").write_text('definitions = "new.lead"\n[[case]]\nname = \n')
    r = run(runner, "test", project / "t.leadtest")
    assert r.exit_code == 1 and "t.leadtest:3: not valid TOML" in r.stdout
    assert run(runner, "test", project / "nothing-here").exit_code == 2


def test_api_run_tests(project):
    (project / "demo.leadtest").write_text(CASES)
    run_ = leaddsl.run_tests(project)
    assert (run_.passed, run_.failed, run_.ok) == (1, 1, False)
    got = [(m.output, m.expected, m.actual) for m in run_.cases[1].mismatches]
    assert got == [("big", False, True), ("stage", None, "big")]


# XLSX ---------------------------------------------------------------------------------
def _workbook(path, sheets):
    import openpyxl  # in the test extra: a missing one fails, never skips
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    wb.save(path)


def test_an_xlsx_formula_without_a_stored_value_errs_its_row_not_read_as_empty(runner, project):
    # a workbook written by a program stores formulas without their values: read as empty they were
    # a confident "missing"; the row says so, on the second sheet too, and the other rows keep theirs
    book = project / "leads.xlsx"
    _workbook(book, {"Other": [("id",), ("9",)],
                     "Leads": [("id", "revenue", "source"), ("1", "=400000000*2", "referral"),
                               ("2", 400_000_000, '=IF(1>0,"web","")'), ("3", 400_000_000, "referral")]})
    r = run(runner, "eval", project / "new.lead", book, "--sheet", "Leads", "--as-of", "2026-07-01")
    assert r.exit_code == 1
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["1", "2", "3"] and rows[2]["hot"] is True
    assert rows[0]["error"].startswith("row 2: column `revenue` holds a formula whose value the file does not store")
    assert rows[1]["error"].startswith("row 3: column `source` holds a formula")


def test_xlsx_bad_cell_reports_the_spreadsheet_row(runner, project):
    book = project / "leads.xlsx"
    _workbook(book, {"Leads": [("id", "revenue", "source"), ("1", 400_000_000, "referral"), (None, None, None),
                               ("2", "TBD", "web")],
                     "Other": [("id",), ("9",)]})
    r = run(runner, "eval", project / "new.lead", book, "--as-of", "2026-07-01")
    assert r.exit_code == 1
    assert "leads.xlsx: row 4 (id 2): revenue: cannot read 'TBD' as number" in r.stderr
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert [row["id"] for row in rows] == ["1", "2"] and rows[0]["hot"] is True
    r = run(runner, "eval", project / "new.lead", book, "--sheet", "Leeds")
    assert r.exit_code == 2 and "did you mean `Leads`?" in r.output
    r = run(runner, "explain", project / "new.lead", book, "--sheet", "Leads", "--id", "1", "--as-of", "2026-07-01")
    assert "hot: true" in r.stdout


def test_test_cases_from_a_sheet(runner, project):
    _workbook(project / "agreed.xlsx", {"Examples": [("id", "revenue", "source", "expect big", "expect stage"),
                                                     ("1", "400M", "referral", "yes", "hot"),
                                                     ("2", "50M", "web", "no", "none"),
                                                     ("3", "150M", "web", "no", None)]})
    (project / "t.leadtest").write_text('definitions = "new.lead"\nas_of = 2026-07-01\n\n[[table]]\n'
                                        'data = "agreed.xlsx"\nsheet = "Examples"\n')
    r = run(runner, "test", project / "t.leadtest")
    assert "agreed.xlsx row 4 (id 3) FAILED" in r.stdout and "2 passed, 1 failed" in r.stdout


# leaddsl diff ---------------------------------------------------------------------------
def test_diff_counts_by_hand(runner, project):
    r = run(runner, "diff", project / "old.lead", project / "new.lead", project / "leads.csv",
            "--as-of", "2026-07-01", "--format", "json")
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert d["definitions"] == {"big": {"old": 2, "new": 4, "entered": 2, "left": 0},
                                "hot": {"old": 1, "new": 2, "entered": 1, "left": 0}}
    stages = {(s["old"], s["new"]): s["leads"] for s in d["stages"]}
    assert stages == {("hot", "hot"): 1, ("none", "big"): 1, ("none", "hot"): 1, ("none", "none"): 1,
                      ("big", "big"): 1}
    assert set(d) == {"schema", "old", "new", "as_of", "by", "leads", "errors", "definitions", "added", "removed",
                      "stages", "scores", "bands", "routes", "split", "movers", "headers", "warnings"}
    assert (d["scores"], d["bands"], d["routes"]) == ({}, {}, {})  # the program has none
    mover = next(m for m in d["movers"] if m["id"] == "2")
    assert any("revenue >= 100M" in c for c in mover["changed"]["big"]["clauses"])


def test_diff_by_column(runner, project):
    r = run(runner, "diff", project / "old.lead", project / "new.lead", project / "leads.csv",
            "--as-of", "2026-07-01", "--by", "source", "--format", "json")
    split = json.loads(r.stdout)["split"]
    assert split["web"]["big"] == {"entered": 1, "left": 0}
    assert split["referral"]["hot"] == {"entered": 1, "left": 0}
    text = run(runner, "diff", project / "old.lead", project / "new.lead", project / "leads.csv", "--by", "source")
    assert "by source:" in text.stdout and "old \\ new" in text.stdout
    assert run(runner, "diff", project / "old.lead", project / "new.lead", project / "leads.csv",
               "--by", "sourse").exit_code == 2


def test_diff_of_a_file_with_itself_moves_nobody(runner, project):
    r = run(runner, "diff", project / "old.lead", project / "old.lead", project / "leads.csv")
    assert r.exit_code == 0 and "+0" in r.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_a_git_revision_reads_its_includes(runner, project, monkeypatch):
    repo = project / "repo"
    (repo / "defs" / "common").mkdir(parents=True)
    (repo / "defs" / "common" / "schema.lead").write_text("field revenue: number\nfield source: text\n")
    body = 'include "common/schema.lead"\nlead big when revenue >= 300M\n'
    (repo / "defs" / "a.lead").write_text(body)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], check=True)
    (repo / "defs" / "a.lead").write_text(body.replace("300M", "100M"))
    (repo / "defs" / "common" / "schema.lead").write_text("field revenue: number\nfield source: text\nfield x: text\n")
    monkeypatch.chdir(repo)
    r = run(runner, "diff", "HEAD:defs/a.lead", "defs/a.lead", project / "leads.csv", "--format", "json")
    assert json.loads(r.stdout)["definitions"]["big"]["entered"] == 2
    r = run(runner, "diff", "HEAD~5:defs/a.lead", "defs/a.lead", project / "leads.csv")
    assert r.exit_code == 2 and "no revision `HEAD~5`" in r.output
    r = run(runner, "diff", "HEAD:defs/b.lead", "defs/a.lead", project / "leads.csv")
    assert r.exit_code == 2 and "has no file `defs/b.lead`" in r.output


LEADS = st.lists(st.tuples(st.integers(0, 500), st.sampled_from(["web", "referral", ""])), max_size=12)


@given(LEADS)
def test_diff_counts_equal_the_counts_of_two_evals(tmp_path_factory, leads):
    d = tmp_path_factory.mktemp("d")
    data = d / "l.jsonl"
    data.write_text("".join(json.dumps({"id": str(k), "revenue": f"{m}M", "source": s}) + "\n"
                            for k, (m, s) in enumerate(leads)))
    old, new = leaddsl.compile(OLD), leaddsl.compile(NEW)
    records = [json.loads(x) for x in data.read_text().splitlines()]
    result = leaddsl.diff(old, new, data, as_of="2026-07-01")
    a = list(old.evaluate_many(records, as_of="2026-07-01"))
    b = list(new.evaluate_many(records, as_of="2026-07-01"))
    for name in ("big", "hot"):
        c = result.definitions[name]
        assert c["old"] == sum(r[name] for r in a) and c["new"] == sum(r[name] for r in b)
        assert c["entered"] == sum(not x[name] and y[name] for x, y in zip(a, b))
        assert c["left"] == sum(x[name] and not y[name] for x, y in zip(a, b))
    same = leaddsl.diff(old, old, data, as_of="2026-07-01")
    assert same.moved == 0 and not same.movers


# diff of scores, bands and routes -------------------------------------------------------
SCORED = """\
field revenue: number
field source: text
field region: text
lead big when revenue >= 300M
score fit {
    revenue >= 100M +20
    source = referral +10
}
band temp on fit { cold < 20 <= warm < 30 <= hot }
route owner for big { emea when region = "EU"; else us_team }
"""
# id, revenue, source, region; by hand: fit 30, 20, 30, 0, 20; temp hot, warm, hot, cold, warm;
# owner emea, none (not big), none, none, us_team
SCORED_ROWS = [("1", "400M", "referral", "EU"), ("2", "150M", "web", "US"), ("3", "200M", "referral", "EU"),
               ("4", "50M", "web", "US"), ("5", "350M", "web", "US")]
# each change to SCORED, and what it does by hand: the leads it moves, from what to what
ONLY = {
    # 20 is now hot, not warm: the two fit-20 leads move
    "band": (("cold < 20 <= warm < 30 <= hot", "cold < 15 <= warm < 20 <= hot"),
             {"2": ("temp", "warm", "hot"), "5": ("temp", "warm", "hot")}),
    # the 350M lead in the US is now routed to emea
    "route": (('region = "EU"', 'region = "EU" or revenue >= 340M'), {"5": ("owner", "us_team", "emea")}),
    # the referrals score 32, not 30: still hot
    "score": (("referral +10", "referral +12"), {"1": ("fit", 30.0, 32.0), "3": ("fit", 30.0, 32.0)}),
}


def _scored(path, change=None, rows=SCORED_ROWS, columns="id,revenue,source,region"):
    new = SCORED if change is None else SCORED.replace(*ONLY[change][0])
    assert (new != SCORED) == (change is not None)
    (path / "old.lead").write_text(SCORED)
    (path / "new.lead").write_text(new)
    (path / "leads.csv").write_text(columns + "\n" + "".join(",".join(r) + "\n" for r in rows))
    return path / "old.lead", path / "new.lead", path / "leads.csv"


@pytest.mark.parametrize("change", ONLY)
def test_diff_api_of_a_band_a_route_or_a_score_names_the_leads_that_move(tmp_path, change):
    d = leaddsl.diff(*_scored(tmp_path, change), as_of="2026-07-01")
    moved = ONLY[change][1]
    assert {m["id"]: tuple((name, c["old"], c["new"]) for name, c in m["changed"].items()) for m in d.movers} \
        == {k: (v,) for k, v in moved.items()}
    assert d.moved == len(moved) and d.errors == 0
    assert d.definitions["big"] == {"old": 2, "new": 2, "entered": 0, "left": 0}
    temp = {("cold", "cold"): 1, ("hot", "hot"): 2, ("warm", "warm"): 2}
    owner = {("emea", "emea"): 1, ("none", "none"): 3, ("us_team", "us_team"): 1}
    fit = {"changed": 0, "up": 0, "down": 0, "mean_change": None, "old_mean": 20.0, "new_mean": 20.0}
    if change == "band":
        temp = {("cold", "cold"): 1, ("hot", "hot"): 2, ("warm", "hot"): 2}
    elif change == "route":
        owner = {("emea", "emea"): 1, ("none", "none"): 3, ("us_team", "emea"): 1}
    else:
        fit = {"changed": 2, "up": 2, "down": 0, "mean_change": 2.0, "old_mean": 20.0,
               "new_mean": pytest.approx(20.8)}
    assert (d.bands, d.routes, d.scores) == ({"temp": temp}, {"owner": owner}, {"fit": fit})
    assert (d.added, d.removed) == ([], [])


@pytest.mark.parametrize("change", ONLY)
def test_diff_cli_of_a_band_a_route_or_a_score_exits_1_and_shows_the_movers(runner, tmp_path, change):
    old, new, data = _scored(tmp_path, change)
    r = run(runner, "diff", old, new, data, "--as-of", "2026-07-01", "--by", "source", "--format", "json")
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    movers = {m["id"]: m["changed"] for m in d["movers"]}
    assert set(movers) == set(ONLY[change][1])
    for lead, (name, before, after) in ONLY[change][1].items():
        assert (movers[lead][name]["old"], movers[lead][name]["new"]) == (before, after)
    split = {"band": ("web", "temp", {"warm -> hot": 2}), "route": ("web", "owner", {"us_team -> emea": 1}),
             "score": ("referral", "fit", {"up": 2, "down": 0})}[change]
    assert d["split"][split[0]][split[1]] == split[2]
    text = run(runner, "diff", old, new, data, "--as-of", "2026-07-01").stdout
    shown = {"band": ["2 (line 3): temp warm -> hot", "-  temp: warm  (fit = 20; cold < 20 <= warm < 30 <= hot)",
                      "+  temp: hot  (fit = 20; cold < 15 <= warm < 20 <= hot)", "band temp: old (rows) x new",
                      "route owner: no change"],
             "route": ["5 (line 6): owner us_team -> emea", 'emea when region = "EU" or revenue >= 340M',
                       "route owner: old (rows) x new", "band temp: no change"],
             "score": ["1 (line 2): fit 30 -> 32", "+  [true]    source = referral  +12",
                       "band temp: no change", "route owner: no change"]}[change]
    assert all(x in text for x in shown), text


def test_diff_json_of_scores_bands_and_routes(runner, tmp_path):
    old, new, data = _scored(tmp_path, "band")
    d = json.loads(run(runner, "diff", old, new, data, "--as-of", "2026-07-01", "--format", "json").stdout)
    assert d["schema"] == 1
    assert d["bands"] == {"temp": [{"old": "cold", "new": "cold", "leads": 1}, {"old": "hot", "new": "hot", "leads": 2},
                                   {"old": "warm", "new": "hot", "leads": 2}]}
    assert d["routes"] == {"owner": [{"old": "emea", "new": "emea", "leads": 1},
                                     {"old": "none", "new": "none", "leads": 3},
                                     {"old": "us_team", "new": "us_team", "leads": 1}]}
    assert d["scores"] == {"fit": {"changed": 0, "up": 0, "down": 0, "mean_change": None, "old_mean": 20.0,
                                   "new_mean": 20.0}}
    assert d["definitions"] == {"big": {"old": 2, "new": 2, "entered": 0, "left": 0}}


def test_diff_exits_1_when_only_a_band_changes_and_0_when_nothing_does(runner, tmp_path):
    old, new, data = _scored(tmp_path, "band")
    assert run(runner, "diff", old, new, data, "--as-of", "2026-07-01").exit_code == 1
    r = run(runner, "diff", old, old, data, "--as-of", "2026-07-01")
    assert r.exit_code == 0, r.output
    assert "band temp: no change" in r.stdout and "route owner: no change" in r.stdout
    assert "sample of movers" not in r.stdout


def test_diff_lists_an_added_and_a_removed_band(runner, tmp_path):
    old, new, data = _scored(tmp_path)
    new.write_text(SCORED.replace("band temp on fit", "band size on fit"))
    d = leaddsl.diff(old, new, data, as_of="2026-07-01")
    assert (d.added, d.removed, d.bands, d.moved) == (["size"], ["temp"], {}, 0)
    r = run(runner, "diff", old, new, data, "--as-of", "2026-07-01")
    assert r.exit_code == 0
    assert f"band size: only in {new}" in r.stdout and f"band temp: only in {old}" in r.stdout
    d = json.loads(run(runner, "diff", old, new, data, "--as-of", "2026-07-01", "--format", "json").stdout)
    assert (d["added"], d["removed"], d["bands"]) == (["size"], ["temp"], {})


def test_diff_of_a_lead_that_errs_in_one_version_counts_it_apart(runner, tmp_path):
    # the new score reads `employees`, which lead 2 cannot give: not compared, not a mover
    rows = [r + (n,) for r, n in zip(SCORED_ROWS, ("10", "many", "10", "10", "10"))]
    old, new, data = _scored(tmp_path, rows=rows, columns="id,revenue,source,region,employees")
    new.write_text(SCORED.replace("field region: text", "field region: text\nfield employees: number")
                   .replace("+20\n", "+20\n    employees >= 1000 +5\n"))
    d = leaddsl.diff(old, new, data, as_of="2026-07-01")
    assert (d.leads, d.errors, d.movers, d.moved) == (5, 1, [], 0)
    assert d.scores["fit"]["old_mean"] == (30 + 30 + 0 + 20) / 4  # the four leads compared
    assert sum(d.bands["temp"].values()) == 4
    assert run(runner, "diff", old, new, data, "--as-of", "2026-07-01").exit_code == 1


@given(st.lists(st.tuples(st.integers(0, 500), st.sampled_from(["web", "referral"]), st.sampled_from(["EU", "US"])),
                max_size=12), st.sampled_from(sorted(ONLY)))
def test_diff_tables_of_bands_and_routes_equal_two_evals(tmp_path_factory, leads, change):
    d = tmp_path_factory.mktemp("d")
    old, new, data = _scored(d, change, rows=[(str(k), f"{m}M", s, c) for k, (m, s, c) in enumerate(leads)])
    result = leaddsl.diff(old, new, data, as_of="2026-07-01")
    a = list(leaddsl.load(old).evaluate_many(_records(data), as_of="2026-07-01"))
    b = list(leaddsl.load(new).evaluate_many(_records(data), as_of="2026-07-01"))
    for name, tables in (("temp", result.bands), ("owner", result.routes)):
        pairs = [(x[name] or "none", y[name] or "none") for x, y in zip(a, b)]
        assert tables[name] == {p: pairs.count(p) for p in set(pairs)}
    deltas = [y["fit"] - x["fit"] for x, y in zip(a, b)]
    assert result.scores["fit"]["up"] == sum(v > 0 for v in deltas)
    assert result.scores["fit"]["down"] == sum(v < 0 for v in deltas)
    assert len({m["id"] for m in result.movers}) == min(10, sum(
        any(x[k] != y[k] for k in ("big", "fit", "temp", "owner")) for x, y in zip(a, b)))


def _records(data):
    with open(data, newline="") as f:
        return list(csv.DictReader(f))
