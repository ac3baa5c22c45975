"""Scores, bands and routes in the front end: how they are written, and what a
mistake in writing them says."""
import pytest

import leaddsl


def errors(text):
    try:
        leaddsl.compile(text, filename="t.lead")
    except leaddsl.DslError as e:
        return [(d.code, d.message, d.hint) for d in e.diagnostics if d.severity == "error"]
    return []


BASE = "field r: number\nfield s: text\nevent visit\nlead mql when r > 1\n"


@pytest.mark.parametrize("body, message", [
    ('score x { s = "a" }', "a score rule ends with its points"),
    ('score x { s = "a" + 20 }', "a score rule ends with its points"),
    ('route o for mql { a when s = "y"; b when s = "z" }', "a route needs its fallback"),
    ("score x { r > 3 +20 }\nband b on x { low < 10 <= mid < 20 }", "a band ends with the name of its top band"),
])
def test_a_block_missing_its_last_part_says_what_is_missing(body, message):
    found = errors(BASE + body)
    assert [m for _c, m, _h in found] == [message], found


def test_points_are_written_against_the_number_and_arithmetic_elsewhere_is_unchanged():
    p = leaddsl.compile(BASE + "score x {\n  r > 3 +20\n  r - 1 > 3 -5\n  (r + 10) > 20 +1.5\n}\n"
                        "lead a when r -3 > 0\n")
    r = p.evaluate({"r": 30}, as_of="2026-11-22")
    assert r["x"] == 20 - 5 + 1.5 and r["a"] is True
    assert p.evaluate({"r": 3.5}, as_of="2026-11-22")["a"] is True  # `r -3` outside a score is r - 3


def test_rules_on_one_line_separated_by_semicolons_mean_the_same_as_one_per_line():
    a = leaddsl.compile(BASE + 'score x { r > 1 +1; s = "a" -2; each visit +3 }')
    b = leaddsl.compile(BASE + 'score x {\n  r > 1 +1\n  s = "a" -2\n  each visit +3\n}')
    rec = {"r": 5, "s": "A", "events": [{"type": "visit", "ts": "2026-11-01T00:00:00Z"}]}
    assert a.evaluate(rec, as_of="2026-11-22") == b.evaluate(rec, as_of="2026-11-22")
    assert a.evaluate(rec, as_of="2026-11-22")["x"] == 2.0


@pytest.mark.parametrize("body, code", [
    ("score x { each r +2 }", "E401"),
    ("score x { r > 1 +2 decay half_life 30d }", "E402"),
    ("score x { visit(any 1d) >= 2 +2 decay half_life 30d }", "E402"),
    ("score x { r > 1 +2 }\nband b on x { lo < 10 < hi }", "E403"),
    ("score x { r > 1 +2 }\nband b on x { lo < 10 <= mid < 5 <= hi }", "E403"),
    ("band b on s { lo < 10 <= hi }", "E403"),
    ('route o for mqls { a when s = "y"; else q }', "E404"),
    ("score stage { r > 1 +2 }", "E202"),
    ("score r { r > 1 +2 }", "E202"),
])
def test_mistakes_in_scores_bands_and_routes_have_their_codes(body, code):
    assert code in {c for c, _m, _h in errors(BASE + body)}, errors(BASE + body)


def test_a_score_defined_through_itself_is_a_cycle():
    found = errors("field r: number\nscore fit { mql +5; r > 1 +30 }\nlead mql when fit >= 30\n")
    assert [c for c, _m, _h in found] == ["E208"], found


def test_a_route_target_compares_as_a_member_and_an_unknown_one_is_an_error():
    text = BASE + 'route o for mql { big when r > 100; else small }\nlead routed_big when o = big\n'
    p = leaddsl.compile(text)
    assert p.evaluate({"r": 500}, as_of="2026-11-22")["routed_big"] is True
    assert p.evaluate({"r": 50}, as_of="2026-11-22")["routed_big"] is False
    assert "E214" in {c for c, _m, _h in errors(text + "lead y when o = huge\n")}


def test_a_band_compares_by_rank():
    p = leaddsl.compile(BASE + "band size on r { small < 10 <= mid < 100 <= large }\nlead big when size >= mid\n")
    got = [p.evaluate({"r": v}, as_of="2026-11-22") for v in (9.99, 10, 99, 100, None)]
    assert [g["size"] for g in got] == ["small", "mid", "mid", "large", None]
    assert [g["big"] for g in got] == [False, True, True, True, False]


def test_result_keys_are_definitions_stage_then_scores_bands_routes():
    p = leaddsl.compile(BASE + "lead sql when mql and r > 10\nstages mql < sql\n"
                        "route o for mql { a when r > 5; else b }\nband g on x { lo < 1 <= hi }\n"
                        "score x { r > 1 +1 }\n")
    assert p.outputs == ("mql", "sql", "stage", "x", "g", "o")
    assert list(p.evaluate({"r": 7}, as_of="2026-11-22")) == list(p.outputs)
