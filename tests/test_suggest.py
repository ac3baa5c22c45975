"""`leaddsl suggest`: on a generated history whose true rule is known, the planted
attributes and action come first, and the proposed definition compiles, lints clean and
backtests like the planted rule."""
import importlib.util
import json
from pathlib import Path

import pytest

import leaddsl
from leaddsl.cli import main
from leaddsl.tools.suggest import name, number_literal

ROOT = Path(__file__).resolve().parent.parent
DEFS = ROOT / "definitions"


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("make_history", DEFS / "make_history.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write(tmp_path_factory.mktemp("history"), 1500, seed=11)


@pytest.fixture(scope="module")
def suggestion(history):
    leads_csv, events_csv = history
    return leaddsl.suggest(leads_csv, outcome="closed_won", events=events_csv)


def test_the_planted_attributes_and_action_rank_first(suggestion):
    top = [r["family"] for r in suggestion.ranked[:3]]
    assert set(top) == {"Industry", "Annual Revenue", "page_view"}
    by_family = {r["family"]: r["condition"] for r in suggestion.ranked}
    assert by_family["Industry"] == 'Industry = "life_science"'
    assert by_family["Annual Revenue"].startswith("`Annual Revenue` >= ")
    assert by_family["page_view"].startswith("page_view_product(30d) >= ")
    # the burst of contact requests after each closed lead's as-of time is never seen
    assert all(not r["condition"].startswith("contact_request") or r["lift"]["low"] < 1.5 for r in suggestion.ranked)
    assert "closed_at" in suggestion.skipped_columns and "Company" in suggestion.skipped_columns


def test_the_proposal_compiles_lints_clean_and_backtests_like_the_planted_rule(suggestion, history, tmp_path):
    leads_csv, events_csv = history
    assert suggestion.lint == []
    proposal = tmp_path / "proposed.lead"
    proposal.write_text(suggestion.proposal)
    checked = leaddsl.check(proposal)
    assert checked.program is not None and checked.diagnostics == []
    planted = leaddsl.backtest(DEFS / "history_planted.lead", leads_csv, outcome="closed_won", events=events_csv)
    mine = leaddsl.backtest(proposal, leads_csv, outcome="closed_won", events=events_csv)
    p = planted.groups[0].measures(0.95)
    q = mine.groups[0].measures(0.95)
    for measure in ("precision", "recall"):
        assert p[measure]["low"] <= q[measure]["value"] <= p[measure]["high"], (measure, p, q)
    # the proposal's own numbers are those its backtest finds
    assert suggestion.proposal_stats["selected"] == mine.groups[0].selected
    assert suggestion.proposal_stats["reached"] == mine.groups[0].reached


def test_literals_and_names_are_written_as_the_language_reads_them():
    assert [number_literal(x) for x in (3e8, 1.53e9, 20_000, 0.25, 7, 0)] == ["300M", "1.5B", "20k", "0.25", "7", "0"]
    assert name("Industry") == "Industry" and name("Annual Revenue") == "`Annual Revenue`" and name("and") == "`and`"
    for x in (3e8, 1.53e9, 20_000, 0.25):
        program = leaddsl.compile(f"lead x when v >= {number_literal(x)}\n")
        assert program.evaluate({"v": float(f"{x:.2g}")}, as_of="2026-01-01")["x"] is True


def test_cli_writes_the_proposal_and_warns_about_an_outcome_in_disguise(runner, history, tmp_path):
    leads_csv, events_csv = history
    out = tmp_path / "p.lead"
    r = runner.invoke(main, ["suggest", str(leads_csv), "--outcome", "closed_at", "--events", str(events_csv),
                             "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "predicts the outcome almost perfectly" in r.output and "closed_won" in r.output
    assert "lead proposed when" in out.read_text() and "proposed definition:" in r.output
    r = runner.invoke(main, ["suggest", str(leads_csv), "--outcome", "closed_at", "--events", str(events_csv),
                             "--exclude", "closed_won", "--format", "json", "--top", "3"])
    data = json.loads(r.output)
    assert data["schema"] == 1 and len(data["ranked"]) == 3 and data["warnings"] == []
    assert {x["family"] for x in data["ranked"]} == {"Industry", "Annual Revenue", "page_view"}
    r = runner.invoke(main, ["suggest", str(leads_csv), "--outcome", "won"])
    assert r.exit_code == 2 and "no `won` column" in r.output
