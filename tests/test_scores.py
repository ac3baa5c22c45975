"""Scores, bands and routes: every path agrees (``evaluate``, ``evaluate_many``, ``explain``,
``errors="return"``); a score is the sum of the points explain shows, capped; a band is
the band of its score; results and output rows list the outputs in order; the command
line writes, sums up and explains them."""
import csv
import datetime as dt
import io
import json
import re

import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from leaddsl.cli import main
from paths import SHOWN
from test_agreement import AS_OF, RECORD, SCHEMA, assert_agree, exprs

POINTS = st.sampled_from(["+1", "+2", "+5", "+20", "-3", "-10", "+2.5", "+0.33", "+1k"])
EACH = st.sampled_from(["each page_view(7d) +2 max 10", "each purchase +3 decay half_life 7d",
                        "each pv +1.5", "each purchase(30d) -4 decay half_life 1d max 6",
                        "pv(7d) >= 1 +5 decay half_life 1d", "purchase(30d) >= 1 +7 decay half_life 2d"])
# (threshold, the upper band takes it); the members are named F, D, C, B, A from the bottom
GRADE = ((0, True), (10, True), (20, False), (30, True))
TEMPERATURE = ((5, True), (15, True))


def band_text(name, on, members, cuts):
    text = f"band {name} on {on} {{ {members[0]}"
    for (v, up), m in zip(cuts, members[1:]):
        text += f" {'<' if up else '<='} {v} {'<=' if up else '<'} {m}"
    return text + " }\n"


def band_of(value, members, cuts):
    """This test's own reading of a band: the member below the first cut not reached."""
    if value is None:
        return None
    for (v, up), m in zip(cuts, members):
        if value < v or (value == v and not up):
            return m
    return members[-1]


@st.composite
def programs(draw):
    fit = draw(st.lists(st.builds(lambda c, p: f"{c} {p}", exprs(), POINTS), max_size=4))
    engagement = draw(st.lists(st.one_of(EACH, st.builds(lambda c, p: f"{c} {p}", exprs(), POINTS)), max_size=4))
    cap = draw(st.sampled_from(["", " max 30", " max 5"]))
    return (SCHEMA + f"score fit{cap} {{\n" + "".join(f"    {r}\n" for r in fit) + "}\n"
            + "score engagement max 50 {\n" + "".join(f"    {r}\n" for r in engagement) + "}\n"
            + band_text("grade", "fit", "FDCBA", GRADE) + band_text("temperature", "engagement", "cwh", TEMPERATURE)
            + f"lead mql when fit >= 10 and temperature >= w or {draw(exprs())}\n"
            + f"route owner for mql {{ a_team when {draw(exprs())}; b_team when grade >= B; else queue }}\n"
            + "lead routed when owner in {a_team, b_team}\n")


def shown_points(text: str, score: str) -> tuple[float, float | None]:
    """(the sum of the points explain shows for ``score``'s rules, the score's cap shown)."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(f"{score}: "))
    cap = re.search(r"\(at most ([0-9.]+)\)$", lines[head])
    total = 0.0
    for line in lines[head + 1:]:
        if not line.startswith("  "):
            break
        tag, rest = line[2:12].strip(), line[12:]
        if not tag:  # "total 35, capped at 30"
            continue
        total += float(rest.split("  ")[1].split(" ")[0])
    return total, float(cap.group(1)) if cap else None


@settings(max_examples=150, deadline=None)
@given(programs(), st.lists(RECORD, min_size=1, max_size=3))
def test_every_path_agrees_and_explain_adds_up(text, records):
    program = leaddsl.compile(text)
    for record in records:
        assert_agree(program, record, text)
        r = program.evaluate(record, as_of=AS_OF, errors="return")
        assert list(r) == list(program.outputs) == ["mql", "routed", "fit", "engagement", "grade", "temperature",
                                                    "owner"]
        explained = program.explain(record, as_of=AS_OF)
        for score, rules in (("fit", text.split("score fit")[1]), ("engagement", text.split("score engagement")[1])):
            if r[score] is None:
                continue
            total, cap = shown_points(explained, score)
            n = rules.split("}")[0].count("\n")
            expected = total if cap is None else min(total, cap)
            assert r[score] == pytest.approx(expected, abs=SHOWN * (n + 1)), (score, explained)
        assert r["grade"] == band_of(r["fit"], "FDCBA", GRADE)
        assert r["temperature"] == band_of(r["engagement"], "cwh", TEMPERATURE)
        assert (r["owner"] is None) == (r["mql"] is not True)


def test_results_list_the_outputs_as_declared_whatever_a_lead_reads_first():
    """Regression: a lead that used the second score made it the first key of every result."""
    program = leaddsl.compile("field a: bool\nlead x when second > 1 and late >= hi and r2 = t\n"
                              "score first { a +1 }\nscore second { a +2 }\n"
                              "band early on first { lo < 1 <= hi }\nband late on second { lo < 1 <= hi }\n"
                              "route r1 for y { t when a; else f }\nroute r2 for y { t when a; else f }\n"
                              "lead y when a\n")
    r = program.evaluate({"a": True}, as_of=AS_OF)
    assert list(r) == list(program.outputs) == ["x", "y", "first", "second", "early", "late", "r1", "r2"]
    assert r.to_dict() == {"x": True, "y": True, "first": 1.0, "second": 2.0, "early": "hi", "late": "hi", "r1": "t", "r2": "t"}
    assert list(json.loads(json.dumps(r.to_dict()))) == list(program.outputs)


# -------------------------------------------------------------- command line
PROGRAM = """\
field industry: enum(life_science, retail)
field region: text
event visit()
event webinar()
score fit max 30 {
    industry = life_science  +20
    region = emea            +15
}
score engagement {
    each visit(30d)  +4 max 12
    webinar(90d) >= 1  +10 decay half_life 30d
}
band temperature on engagement { cold < 10 <= warm < 20 <= hot }
lead mql when fit >= 20
stages mql
route owner for mql { emea_team when region = emea; na_team when region = amer; else inbound_queue }
"""
LEADS = [
    {"id": "a", "industry": "life_science", "region": "emea",
     "events": [{"type": "visit", "ts": "2026-11-21"}, {"type": "visit", "ts": "2026-11-20"},
                {"type": "visit", "ts": "2026-11-19"}, {"type": "webinar", "ts": "2026-10-23"}]},
    {"id": "b", "industry": "life_science", "region": "amer", "events": []},
    {"id": "c", "industry": "retail", "events": [{"type": "visit", "ts": "2026-11-21"}]},
    {"id": "d", "industry": "life_science", "region": "amer", "events": [{"type": "visit", "ts": "someday"}]},
]
COLUMNS = ["id", "mql", "stage", "fit", "engagement", "temperature", "owner"]


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def files(tmp_path):
    defs = tmp_path / "scores.lead"
    defs.write_text(PROGRAM)
    data = tmp_path / "leads.jsonl"
    data.write_text("".join(json.dumps(x) + "\n" for x in LEADS))
    return defs, data


def test_eval_jsonl_holds_scores_bands_and_routes_after_the_stage(runner, files):
    defs, data = files
    r = run(runner, "eval", defs, data, "--as-of", "2026-11-22T00:00:00Z")
    assert r.exit_code == 1  # lead d has an event without a readable time
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [list(row)[:len(COLUMNS)] for row in rows] == [COLUMNS] * 4
    assert rows[0] == {"id": "a", "mql": True, "stage": "mql", "fit": 30.0, "engagement": 17.0,
                       "temperature": "warm", "owner": "emea_team"}
    assert rows[1] == {"id": "b", "mql": True, "stage": "mql", "fit": 20.0, "engagement": 0.0,
                       "temperature": "cold", "owner": "na_team"}
    assert rows[2] == {"id": "c", "mql": False, "stage": None, "fit": 0.0, "engagement": 4.0,
                       "temperature": "cold", "owner": None}
    assert rows[3]["engagement"] is None and rows[3]["temperature"] is None
    assert rows[3]["fit"] == 20.0 and rows[3]["owner"] == "na_team" and "visit" in rows[3]["error"]


def test_eval_csv_columns_are_named_as_the_outputs(runner, files, tmp_path):
    defs, data = files
    out = tmp_path / "out.csv"
    r = run(runner, "eval", defs, data, "--as-of", "2026-11-22T00:00:00Z", "-o", out)
    assert r.exit_code == 1
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == [*COLUMNS, "error"]
    assert rows[1] == ["a", "true", "mql", "30", "17", "warm", "emea_team", ""] or \
        rows[1] == ["a", "true", "mql", "30.0", "17.0", "warm", "emea_team", ""]
    assert rows[3][:7] == ["c", "false", "", rows[3][3], rows[3][4], "cold", ""]
    assert float(rows[3][3]) == 0 and float(rows[3][4]) == 4
    assert rows[4][4:6] == ["", ""] and rows[4][6] == "na_team"


def test_eval_summary_sums_up_scores_bands_and_routes(runner, files):
    defs, data = files
    r = run(runner, "eval", defs, data, "--as-of", "2026-11-22T00:00:00Z")
    lines = r.stderr.splitlines()
    assert "4 lead(s) read, 1 with errors" in lines
    assert "  fit: mean 17.5, min 0, max 30 (4 answered)" in lines
    assert "  engagement: mean 7, min 0, max 17 (3 answered)" in lines
    assert "  temperature: cold: 2, warm: 1, none: 1" in lines
    assert "  owner: na_team: 2, emea_team: 1, none: 1" in lines


def test_explain_shows_each_rule_the_band_and_why_the_route_matched(runner, files):
    defs, data = files
    r = run(runner, "explain", defs, data, "--id", "a", "--as-of", "2026-11-22T00:00:00Z")
    assert r.exit_code == 0, r.output
    out = r.stdout.splitlines()
    assert "fit: 30 (at most 30)" in out
    assert any(line.startswith("  [true]    industry = life_science  +20") for line in out)
    assert any(line.startswith("  [true]    region = emea  +15") for line in out)
    assert any("total 35, capped at 30" in line for line in out)
    assert "engagement: 17" in out
    assert any(line.startswith("  [each]    visit(30d)  +12 (+4 for each of 3 event(s), at most 12)") for line in out)
    assert any(line.startswith("  [true]    webinar(90d) >= 1  +5 (+10 halved every 30d") and "30 day(s) old" in line
               for line in out)
    assert "temperature: warm  (engagement = 17; cold < 10 <= warm < 20 <= hot)" in out
    assert "owner: emea_team  (for mql; the first rule that holds)" in out
    assert any(line.startswith("  [true]    emea_team when region = emea") for line in out)

    r = run(runner, "explain", defs, data, "--id", "b", "--as-of", "2026-11-22T00:00:00Z")
    out = r.stdout.splitlines()
    assert "owner: na_team  (for mql; the first rule that holds)" in out
    rules = [line for line in out if re.match(r"  \[\w+\]\s+\w+ when ", line)]
    assert rules[0].startswith("  [false]   emea_team when region = emea") and 'region = "amer"' in rules[0]
    assert rules[1].startswith("  [true]    na_team when region = amer")
    assert len(rules) == 2  # nothing after the rule that matched
    assert any(line.startswith("  [false]   webinar(90d) >= 1  +0 (+10 when true)") for line in out)

    r = run(runner, "explain", defs, data, "--id", "c", "--as-of", "2026-11-22T00:00:00Z")
    assert "owner: none (mql does not hold)" in r.stdout.splitlines()


def test_explain_names_the_fallback_and_an_erred_band(runner, tmp_path):
    defs = tmp_path / "d.lead"
    defs.write_text(PROGRAM)
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": "e", "industry": "life_science", "region": "apac",
                                "events": [{"type": "visit", "ts": "someday"}]}) + "\n")
    r = run(runner, "explain", defs, data, "--id", "e", "--as-of", "2026-11-22T00:00:00Z")
    out = r.stdout.splitlines()
    assert "owner: inbound_queue  (for mql; the first rule that holds)" in out
    assert "  [else]    inbound_queue" in out
    assert "engagement: error (it needs a value that cannot be read)" in out
    assert any(line.startswith("temperature: error (it needs a value that cannot be read)") for line in out)


def test_decayed_points_follow_the_as_of_time():
    """The same record, later: the points of a decayed rule halve every half-life (no job recomputes them)."""
    program = leaddsl.compile("event webinar()\nscore s { webinar(90d) >= 1 +16 decay half_life 7d }\n")
    record = {"events": [{"type": "webinar", "ts": "2026-11-01T00:00:00Z"}]}
    got = [program.evaluate(record, as_of=dt.datetime(2026, 11, 1 + 7 * k, tzinfo=dt.timezone.utc))["s"]
           for k in range(4)]
    assert got == [16.0, 8.0, 4.0, 2.0]


def test_explain_of_a_band_on_an_erred_score_shows_the_error_not_a_number():
    program = leaddsl.compile("field a: bool\nfield n: number\nscore fit { a +20; n > 1 +5 }\n"
                              "band grade on fit { C < 10 <= B < 20 <= A }\n")
    text = program.explain({"a": True, "n": "lots"}, as_of=AS_OF)
    assert "grade: error (it needs a value that cannot be read)  (fit = error; C < 10 <= B < 20 <= A)" in text
    text = program.explain({"a": True, "n": 2}, as_of=AS_OF)
    assert "grade: A  (fit = 25; C < 10 <= B < 20 <= A)" in text
