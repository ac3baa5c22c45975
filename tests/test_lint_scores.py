"""The linter on scores, bands and routes (W120-W125): what it proves holds for every
lead the evaluator sees, messages quote the score's range, suppression, and the
rules it shares with definitions (W101, W103, W110) read outputs soundly."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leaddsl
from leaddsl.lint.outputs import score_range

pytestmark = pytest.mark.usefixtures("strict_lint")

AS_OF = datetime(2026, 11, 22, tzinfo=timezone.utc)
SCHEMA = ("field region: enum(emea, na, apac)\nfield employees: number\nfield seniority: ordinal(a < b < c)\n"
          "event visit(page: text)\n")


def lint(text: str) -> list:
    return [d for d in leaddsl.lint(leaddsl.compile(text, filename="t.lead")) if d.code[0] in "WI" and d.code not in ("I108", "I109")]


def found(text: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint(text)]


# ------------------------------------------------------------ soundness ----
CONDITIONS = ["region = emea", "region = na", "region in {na, apac}", "region != apac", "employees >= 100",
              "employees < 50", "seniority >= b", "seniority > c", "visit(30d) >= 2", "visit(7d) >= 1",
              "employees >= 100 and employees < 50", "region = emea or seniority = c", "true"]

points = st.integers(-40, 40).filter(lambda p: p != 0)
cond_rule = st.tuples(st.sampled_from(CONDITIONS), points, st.booleans())
each_rule = st.tuples(st.sampled_from(["visit(30d)", "visit(7d)"]), points, st.one_of(st.none(), st.integers(1, 30)),
                      st.booleans())


def _rule_text(r) -> str:
    if len(r) == 3:
        cond, p, decay = r
        dec = " decay half_life 7d" if decay and "visit" in cond else ""
        return f"    {cond} {p:+d}{dec}\n"
    count, p, cap, decay = r
    return f"    each {count} {p:+d}{' decay half_life 7d' if decay else ''}{f' max {cap}' if cap else ''}\n"


@st.composite
def programs(draw):
    rules = draw(st.lists(st.one_of(cond_rule, each_rule), min_size=1, max_size=5))
    cap = draw(st.one_of(st.none(), st.integers(1, 60)))
    cuts = sorted(draw(st.lists(st.integers(-60, 80), min_size=2, max_size=2, unique=True)))
    ops = draw(st.lists(st.tuples(st.sampled_from([">=", ">", "<=", "<", "="]), st.integers(-90, 90)),
                        min_size=1, max_size=3))
    route = draw(st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=4))
    text = SCHEMA + f"score fit{f' max {cap}' if cap is not None else ''} {{\n"
    text += "".join(_rule_text(r) for r in rules) + "}\n"
    text += f"band grade on fit {{ low < {cuts[0]} <= mid < {cuts[1]} <= high }}\n"
    text += "".join(f"lead t{i} when fit {op} {c}\n" for i, (op, c) in enumerate(ops))
    text += "lead anyone when region is present or region is missing\n"
    text += "route owner for anyone {\n" + "".join(f"    r{i} when {c}\n" for i, c in enumerate(route))
    text += "    else fallback\n}\n"
    return text


records = st.lists(st.fixed_dictionaries({
    "region": st.sampled_from(["emea", "na", "apac", None]),
    "employees": st.one_of(st.none(), st.integers(0, 200)),
    "seniority": st.sampled_from(["a", "b", "c", None]),
    "events": st.lists(st.builds(lambda days: {"type": "visit", "page": "p",
                                               "ts": (AS_OF - timedelta(days=days)).isoformat()},
                                 st.floats(0, 60)), max_size=6),
}), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(programs(), records)
def test_what_the_linter_proves_about_outputs_holds_for_every_lead(text, recs):
    program = leaddsl.compile(text, filename="t.lead")
    diags = lint(text)
    lines = text.split("\n")
    lo, hi = score_range(program.plan.scores["fit"])
    for rec in recs:
        r = program.evaluate(rec, as_of=AS_OF)
        assert lo <= r["fit"] <= hi, (rec, r["fit"])
        for d in diags:
            line = lines[d.line - 1]
            if d.code == "W123":  # a threshold no lead reaches
                assert r[line.split()[1]] is False, (d, rec, r.to_dict())
            elif d.code == "W124":  # a band no lead falls in
                assert r["grade"] != line[d.column - 1:d.end_column - 1], (d, rec, r.to_dict())
            elif d.code == "W125" and "decay" not in line:  # the rule's condition is never true
                cond = leaddsl.compile(SCHEMA + f"lead probe when {line.strip().rsplit(' ', 1)[0]}\n", filename="c.lead")
                assert cond.evaluate(rec, as_of=AS_OF)["probe"] is False, (d, rec)
            elif d.code in ("W120", "W122"):
                target = line.split()[0]
                if d.code == "W120":
                    assert r["owner"] != target, (d, rec, r.to_dict())
                else:
                    assert r["owner"] == target, (d, rec, r.to_dict())
            elif d.code == "W121":
                assert r["owner"] != "fallback", (d, rec, r.to_dict())


@settings(max_examples=60, deadline=None, derandomize=True)
@given(programs())
def test_w123_fires_whenever_the_interval_excludes_the_threshold(text):
    """The interval needs no solver: a threshold outside it is always reported."""
    from leaddsl.lint.thresholds import out_of_range
    program = leaddsl.compile(text, filename="t.lead")
    lo, hi = score_range(program.plan.scores["fit"])
    got = {d.line for d in lint(text) if d.code == "W123"}
    for i, line in enumerate(text.split("\n"), 1):
        if line.startswith("lead t"):
            _, _, _, _, op, c = line.split()
            if out_of_range(lo, hi, op, int(c)):
                assert i in got, line


# -------------------------------------------------------------- messages ----
def test_threshold_message_quotes_the_range():
    text = SCHEMA + "score fit max 30 {\n    region = emea +20\n    employees >= 100 +15\n    seniority > a -10\n}\n" \
        "lead x when fit >= 31\nlead y when fit < -10\n"
    got = lint(text)
    assert [(d.code, d.line) for d in got] == [("W123", 10), ("W123", 11)]
    assert got[0].message == "`fit >= 31` can never be true: `fit` is at most 30"
    assert got[1].message == "`fit < -10` can never be true: `fit` is at least -10"
    assert "`fit` lies between -10 and 30" in got[0].hint


def test_an_uncapped_each_rule_has_no_upper_limit():
    text = SCHEMA + "score e {\n    each visit(30d) +1\n}\nlead x when e >= 1000000\nlead y when e < 0\n"
    got = lint(text)
    assert [(d.code, d.line) for d in got] == [("W123", 9)]
    assert "is at least 0, with no upper limit" in got[0].hint


def test_rules_that_cannot_hold_together_do_not_add_up():
    text = SCHEMA + "score s {\n    region = emea +40\n    region = na +40\n    seniority > c +50\n}\n" \
        "lead x when s >= 80\nlead y when s >= 40\n"
    got = lint(text)
    assert ("W125", 8) in found(text)
    (w,) = [d for d in got if d.code == "W123"]
    assert w.line == 10 and "cannot all hold for one lead" in w.message


def test_decay_never_raises_points_and_counts_link_to_their_conditions():
    text = SCHEMA + ("score e {\n    visit(30d) >= 1 +10 decay half_life 7d\n    each visit(30d) +2 max 6\n}\n"
                     "lead hot when e > 16\nlead warm when e >= 16\nlead some when e >= 2 and visit(30d) = 0\n")
    assert found(text) == [("W123", 9), ("W101", 11)]


def test_fractional_points_are_bounded_without_rounding_into_a_false_warning():
    # 0.1 + 0.2 is 0.30000000000000004 in floats: `> 0.3` is reachable
    text = SCHEMA + "score s {\n    region = emea +0.1\n    employees >= 100 +0.2\n}\nlead x when s > 0.3\n"
    program = leaddsl.compile(text, filename="t.lead")
    assert program.evaluate({"region": "emea", "employees": 150}, as_of=AS_OF)["x"] is True
    assert found(text) == []


def test_route_messages_name_the_earlier_rule():
    text = SCHEMA + ("lead mql when region is present\nroute owner for mql {\n    wide when region in {emea, na}\n"
                     "    narrow when region = na\n    else rest\n}\n")
    (d,) = lint(text)
    assert (d.code, d.line, d.column) == ("W120", 8, 5)
    assert "the earlier rule for `wide` (line 7) holds too" in d.message


def test_a_route_for_a_definition_that_never_holds_is_left_to_w101():
    text = SCHEMA + "lead mql when employees > 5 and employees < 1\nroute owner for mql {\n    a when true\n    else b\n}\n"
    assert found(text) == [("W101", 5)]


def test_outputs_used_in_conditions_are_encoded():
    text = SCHEMA + ("score fit {\n    region = emea +20\n}\nband temp on fit { cold < 10 <= hot }\n"
                     "lead mql when employees >= 100\nroute owner for mql {\n    e when region = emea\n    else q\n}\n"
                     "lead a when fit >= 20 and region != emea\n"          # never: 20 needs emea
                     "lead b when temp = hot and fit < 20\n"               # never: hot is 20
                     "lead c when owner = e and region = na\n"             # never
                     "lead d when (owner is missing or owner != e) and region = emea and employees >= 100\n"
                     "lead f when temp >= cold\n"                          # always true
                     "lead g when owner = q and fit > 0\n")                # q: not emea, so no points
    assert found(text) == [("W101", 14), ("W101", 15), ("W101", 16), ("W101", 17), ("W103", 18), ("W101", 19)]


def test_w110_in_a_route_rule_knows_the_leads_it_routes():
    text = SCHEMA + ("lead mql when region is present\nlead any_lead when employees >= 0\n"
                     "route owner for mql {\n    x when region != emea\n    else y\n}\n"
                     "route owner2 for any_lead {\n    x when region != emea\n    else y\n}\n")
    got = lint(text)
    assert [(d.code, d.line) for d in got] == [("W110", 12)]
    assert got[0].message.endswith("so this rule passes them by")


# ------------------------------------------------------------ suppression ----
def test_each_code_can_be_silenced_on_its_line():
    text = SCHEMA + ("score fit {\n    region = emea +20\n    seniority > c +5  # leaddsl: ignore[W125]\n}\n"
                     "band g on fit { lo < 0 <= hi }  # leaddsl: ignore[W124]\n"
                     "lead x when fit >= 50  # leaddsl: ignore[W123]\n"
                     "lead mql when region = emea\nroute owner for mql {\n"
                     "    a when region = emea  # leaddsl: ignore[W122]\n    b when true\n    else c\n}\n"
                     "route o2 for mql {\n    a when employees > 1\n    b when employees > 2  # leaddsl: ignore[W120]\n"
                     "    else c\n}\n")
    assert found(text) == []
    assert sorted(found(text.replace("# leaddsl: ignore", "# was"))) == \
        [("W120", 19), ("W122", 13), ("W123", 10), ("W124", 9), ("W125", 7)]


def test_a_score_rule_of_several_clauses_keeps_each_clause_once():
    """The parser tries `+10` as points on a copy of its state; the trial once added the
    last clause a second time (`a and b and c` read as `a and b and c and c`), which the
    linter reported as a clause written twice."""
    text = ("field a: bool\nfield b: bool\nfield c: bool\nscore s {\n    a and b and c +10\n    a or b or c -5\n}\n"
            "lead x when s >= 5\n")
    program = leaddsl.compile(text, filename="t.lead")
    assert [len(r.expr.operands) for r in program.scope.scores["s"].rules] == [3, 3]
    assert found(text) == []
