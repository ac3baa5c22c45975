"""`leaddsl backtest`: each lead judged as of its own time, against the outcome it reached.

The history comes from definitions/make_history.py, whose planted rule is known: the
backtest must count exactly the leads the generator says match it, recover its win
probability within the interval, and never let a later event in."""
import csv
import importlib.util
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from leaddsl.cli import main
from leaddsl.tools.backtest import wilson, wilson_formula

ROOT = Path(__file__).resolve().parent.parent
DEFS = ROOT / "definitions"


def _generator():
    spec = importlib.util.spec_from_file_location("make_history", DEFS / "make_history.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_history = _generator()


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A history of 1,500 leads with another seed than the bundled one, and its truth."""
    folder = tmp_path_factory.mktemp("history")
    leads, _ = make_history.generate(1500, seed=7)
    paths = make_history.write(folder, 1500, seed=7)
    return paths, leads


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_backtest_counts_what_the_planted_rule_selects_and_recovers_its_rates(history):
    (leads_csv, events_csv), truth = history
    b = leaddsl.backtest(DEFS / "history_planted.lead", leads_csv, outcome="closed_won", events=events_csv,
                         as_of_field="created_at")
    g = next(g for g in b.groups if g.name == "buying_signal")
    rule = [t for t in truth if t["_rule"]]
    won = [t for t in truth if t["closed_won"] == "true"]
    assert g.selected == len(rule)  # the evaluator and the generator agree lead by lead
    assert g.reached == sum(t["closed_won"] == "true" for t in rule)
    assert b.reached == len(won) and b.evaluated == len(truth) and b.skipped_count == 0
    m = g.measures(b.confidence)
    p = make_history.WIN_IF_RULE
    assert m["precision"]["low"] <= p <= m["precision"]["high"]
    expected_recall = len(rule) * p / (len(rule) * p + (len(truth) - len(rule)) * make_history.WIN_OTHERWISE)
    assert m["recall"]["low"] <= expected_recall <= m["recall"]["high"]
    assert m["lift"]["low"] > 3  # the planted rule is worth several times the base rate


def test_a_date_outcome_counts_within_the_horizon_only(history):
    (leads_csv, events_csv), truth = history
    short = leaddsl.backtest(DEFS / "history_planted.lead", leads_csv, outcome="closed_at", events=events_csv,
                             horizon="30d")
    assert short.outcome_kind == "date" and short.horizon == "30d"
    expected = 0
    for t in truth:
        if t["closed_at"]:
            created = datetime.fromisoformat(t["created_at"].replace("Z", "+00:00"))
            closed = datetime.fromisoformat(t["closed_at"].replace("Z", "+00:00"))
            expected += closed - created <= timedelta(days=30)
    assert short.reached == expected
    wide = leaddsl.backtest(DEFS / "history_planted.lead", leads_csv, outcome="closed_at", events=events_csv)
    assert wide.reached == sum(t["closed_won"] == "true" for t in truth)  # every close is within 90d


def test_stages_and_bands_are_groups(history):
    (leads_csv, events_csv), _ = history
    b = leaddsl.backtest(DEFS / "acme_instruments.lead", leads_csv, outcome="closed_won", events=events_csv)
    labels = {g.label for g in b.groups}
    assert {"lead", "mql", "sql", "stage = mql", "grade = A", "temperature = hot"} <= labels
    stages = [g for g in b.groups if g.kind == "stage"]
    assert sum(g.selected for g in stages) == b.evaluated  # every lead is in exactly one stage group


def test_wilson_from_scipy_equals_the_closed_formula():
    for k, n in [(0, 1), (1, 1), (3, 10), (91, 171), (500, 1000), (0, 2000)]:
        a, b = wilson(k, n), wilson_formula(k, n)
        assert a == pytest.approx(b, abs=1e-9)
    assert wilson(0, 0) is None
    low, high = wilson_formula(50, 100)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)


PROGRAM = """\
lead recent when page_view(30d) >= 2
lead burst when page_view(any 1d) >= 3
lead ever when page_view >= 1
lead followed when form_submit then page_view within 2d
stages ever < recent
"""


@settings(max_examples=25)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["page_view", "form_submit"]),
                          st.integers(-90 * 24, 90 * 24)), max_size=40),
       st.lists(st.booleans(), min_size=4, max_size=4))
def test_no_later_event_leaks_into_an_as_of_evaluation(tmp_path_factory, events, outcomes):
    """Adding any events after each lead's own as-of time changes nothing."""
    folder = tmp_path_factory.mktemp("leak")
    (folder / "p.lead").write_text(PROGRAM)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    created = [start + timedelta(days=9 * i, hours=i) for i in range(4)]
    with open(folder / "leads.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "created_at", "won"])
        for i in range(4):
            w.writerow([f"L{i}", created[i].isoformat(), "yes" if outcomes[i] else "no"])
    rows = [(f"L{lead}", kind, created[lead] + timedelta(hours=h)) for lead, kind, h in events]
    for name, keep in (("all.csv", lambda r: True), ("past.csv", lambda r: r[2] <= created[int(r[0][1:])])):
        with open(folder / name, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["lead_id", "type", "ts"])
            w.writerows((a, b, c.isoformat()) for a, b, c in rows if keep((a, b, c)))
    results = [leaddsl.backtest(folder / "p.lead", folder / "leads.csv", outcome="won", events=folder / name)
               for name in ("all.csv", "past.csv")]
    with_future, past_only = (json.dumps(r.to_dict()["groups"]) for r in results)
    assert with_future == past_only


def test_cli_table_and_json(runner, history):
    (leads_csv, events_csv), truth = history
    r = run(runner, "backtest", DEFS / "history_planted.lead", leads_csv, "--outcome", "closed_won",
            "--events", events_csv)
    assert r.exit_code == 0, r.output
    assert "buying_signal" in r.output and "precision" in r.output and "Wilson, 95%" in r.output
    assert f"{sum(t['_rule'] for t in truth):,}" in r.output
    r = run(runner, "backtest", DEFS / "history_planted.lead", leads_csv, "--outcome", "closed_won",
            "--events", events_csv, "--format", "json", "--confidence", "0.9")
    data = json.loads(r.output)
    assert data["schema"] == 1 and data["confidence"] == 0.9 and data["outcome_kind"] == "flag"
    (g,) = data["groups"]
    assert g["name"] == "buying_signal" and g["precision"]["low"] < g["precision"]["value"] < g["precision"]["high"]


def test_cli_rows_that_cannot_be_used_are_counted_never_dropped(runner, tmp_path):
    (tmp_path / "p.lead").write_text("lead big when revenue >= 100\n")
    (tmp_path / "h.csv").write_text("id,created_at,revenue,won\n1,2026-01-01,200,yes\n2,,300,no\n"
                                    "3,2026-01-02,50,maybe\n4,2026-01-03,abc,no\n")
    r = run(runner, "backtest", tmp_path / "p.lead", tmp_path / "h.csv", "--outcome", "won")
    assert r.exit_code == 1
    assert "2 row(s) could not be used" in r.output
    assert "line 3 (id 2): created_at is missing" in r.output
    assert "line 4 (id 3): won: cannot read 'maybe'" in r.output
    # the bad revenue errs `big` for lead 4: counted in its errors column, not in its counts
    data = json.loads(run(runner, "backtest", tmp_path / "p.lead", tmp_path / "h.csv", "--outcome", "won",
                          "--format", "json").output)
    assert data["leads"] == 4 and data["evaluated"] == 2 and data["skipped"]["count"] == 2
    assert data["groups"][0]["errors"] == 1 and data["groups"][0]["selected"] == 1


def test_cli_usage_errors(runner, history):
    (leads_csv, events_csv), _ = history
    r = run(runner, "backtest", DEFS / "history_planted.lead", leads_csv, "--outcome", "closed_wn")
    assert r.exit_code == 2 and "did you mean `closed_won`?" in r.output
    r = run(runner, "backtest", DEFS / "history_planted.lead", leads_csv, "--outcome", "closed_won",
            "--as-of-field", "created", "--as-of", "2026-01-01")
    assert r.exit_code == 2 and "not both" in r.output
    r = run(runner, "backtest", DEFS / "history_planted.lead", leads_csv, "--outcome", "closed_won",
            "--as-of-field", "created")
    assert r.exit_code == 2 and "did you mean `created_at`?" in r.output
    r = run(runner, "backtest", DEFS / "history_planted.lead", leads_csv, "--outcome", "closed_at", "--horizon", "3 months")
    assert r.exit_code == 2 and "write e.g. 90d" in r.output
