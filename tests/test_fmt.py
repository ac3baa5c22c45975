"""leaddsl fmt: the canonical layout, comments kept, idempotent, the same AST."""
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.lark import from_lark

import leaddsl
from leaddsl.cli import main
from leaddsl.front.parser import lark_parser
from leaddsl.tools.fmt import comments, format_text, parse_module

import test_oracle
import test_lint_properties

ROOT = Path(__file__).resolve().parents[1]
LEAD_FILES = sorted(p for d in ("definitions", "tests/cases") for p in (ROOT / d).rglob("*.lead"))
PROPERTY = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def parses(text):
    try:
        return parse_module(text, "x.lead")
    except leaddsl.DslError:
        return None


def assert_round_trip(text):
    """format(x) parses to x's AST, formatting it again changes nothing, no comment is lost."""
    before = parse_module(text, "x.lead")
    once = format_text(text, "x.lead")
    assert parse_module(once, "x.lead") == before, once
    assert format_text(once, "x.lead") == once
    assert sorted(c.text for c in comments(once)) == sorted(c.text for c in comments(text))
    return once


# ---------------------------------------------------------------- properties
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(from_lark(lark_parser(), start="start"))
def test_every_grammar_sentence_round_trips_or_is_refused(text):
    if parses(text) is None:
        with pytest.raises(leaddsl.DslError):
            format_text(text)
    else:
        assert_round_trip(text)


@PROPERTY
@given(st.lists(test_oracle.exprs(), min_size=1, max_size=3))
def test_oracle_programs_round_trip(conditions):
    text = test_oracle.SCHEMA + "".join(f"lead r{i} when {c}\n" for i, c in enumerate(conditions))
    assert_round_trip(text)


@PROPERTY
@given(test_lint_properties.programs())
def test_linter_programs_round_trip(text):
    assert_round_trip(text)


_HIDDEN = re.compile(r'"(\\.|[^"\\\n])*"|`[^`\n]*`|#[^\n]*')


def relaid(text: str, rnd) -> str:
    """``text`` with its comments dropped and every run of white space between tokens
    replaced by a space, a line break, a trailing comment or a comment on its own line."""
    masked = _HIDDEN.sub(lambda m: "#" * len(m.group(0)) if m.group(0)[0] != "#" else " " * len(m.group(0)), text)
    out, last, n = [], 0, 0
    for m in re.finditer(r"\s+", masked):
        out.append(text[last:m.start()])
        choice = rnd.random()
        n += 1
        out.append(" " if choice < 0.6 else "\n  " if choice < 0.8 else f"  # c{n}\n" if choice < 0.9
                   else f"\n# own {n}\n")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


SAMPLES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "definitions").rglob("*.lead"))] + [
    test_oracle.SCHEMA, test_oracle.OPTIONS_SCHEMA,
    'score s max 50 {\n each pv(30d) +2 decay half_life 7d max 20; a and b or c +5\n x - 5 > 1 -3\n}\n'
    'band g on s { low < -5 <= mid <= 10 < high }\n'
    'route r for lead { `a b` when not (x = 1); c when x in {1, 2.5k, -3}; else d }\n'
    'definition "T \\"q\\"" { owner: "o"; agreed_by: sales "S", marketing "M"; review: 90d; v: 1.5 }\n',
]


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.randoms(use_true_random=False))
def test_any_layout_and_comments_round_trip(sample, rnd):
    text = relaid(sample.replace("\\\n", "\n"), rnd)
    assert parse_module(text, "x.lead") == parse_module(sample, "x.lead")
    once = assert_round_trip(text)
    # a line may pass the width only with a comment or a text in it, or where a statement whose
    # comments could not be placed is kept as it was written
    assert all(len(line) <= 100 or "#" in line or '"' in line or line.strip() in text for line in once.splitlines())


@pytest.mark.parametrize("path", LEAD_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_lead_file_that_parses_round_trips(path):
    text = path.read_text(encoding="utf-8-sig")
    if parses(text) is None:
        with pytest.raises(leaddsl.DslError):
            format_text(text)
        return
    assert_round_trip(text)


def codes_of(path):
    return sorted(d.code for d in leaddsl.check(path, as_of="2026-11-22T00:00:00Z").diagnostics)


@pytest.mark.parametrize("path", [p for p in LEAD_FILES if "lint" in p.parts],
                         ids=lambda p: p.name)
def test_formatting_keeps_what_the_linter_finds_and_its_ignore_comments(path, tmp_path):
    copy = tmp_path / path.name
    copy.write_text(format_text(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert codes_of(copy) == codes_of(path)


@pytest.mark.parametrize("text", [
    "field status: text\nfield revenue: number\n"
    "lead open when status != customer and revenue >= 300M   # leaddsl: ignore[W110]\n    and revenue < 1T\n",
    "field status: text\nfield revenue: number\nfield industry: text\nscore s {\n    status != customer and "
    "revenue >= 300M and industry = life_science_long_name_here and revenue < 1T +5 # leaddsl: ignore[W110]\n}\n",
    "field status: text\nfield revenue: number\nlead open when revenue >= 300M\n    and revenue < 1T\n"
    "    and status != customer   # leaddsl: ignore[W110]\n",
], ids=["first line", "long score rule", "last line"])
def test_an_ignore_comment_keeps_silencing_when_the_layout_breaks_its_line(text, tmp_path):
    # the layout breaks the statement at its `and`s: an ignore comment at the end of its first line
    # (or of a rule's) must not land in the middle, where it silences nothing (W110 and W191 then)
    (tmp_path / "a.lead").write_text(text)
    (tmp_path / "b.lead").write_text(fmt_once := format_text(text))
    assert codes_of(tmp_path / "a.lead") == codes_of(tmp_path / "b.lead") == [], fmt_once
    assert format_text(fmt_once) == fmt_once


def test_the_sample_definitions_are_formatted(runner):
    r = runner.invoke(main, ["fmt", "--check", str(ROOT / "definitions")])
    assert r.exit_code == 0, r.output


# ---------------------------------------------------------------- layout
def fmt(text):
    return format_text(text)


def test_spacing_and_one_statement_per_line():
    assert fmt("lead   x when a=1  and b>=2 let y=x") == "lead x when a = 1 and b >= 2\nlet y = x\n"


def test_numbers_durations_and_dates_as_written():
    text = "lead x when rev >= 300M and n = 1_000 and k < 2.5k and d within 30min and t > 2026-01-31T09:30:00Z\n"
    assert fmt(text) == text
    assert fmt("lead x when n > -5 and m = - 3\n") == "lead x when n > -5 and m = -3\n"


def test_texts_keep_their_escapes_and_names_their_backticks():
    text = 'lead x when `Annual Revenue` > 1 and t = "say \\"hi\\"\\n\\\\" and `and` = 1 and c.d = 2\n'
    assert fmt(text) == text


def test_lead_lead_is_written_short():
    assert fmt("lead lead when x\nstages lead < mql\n") == "lead when x\nstages lead < mql\n"


def test_a_long_condition_breaks_before_and_or_with_the_nesting_shown():
    text = ("lead marketing_ready when inquiry and business_email and target_industry and target_size "
            "and (status is missing or not closed_out or status_changed within 180d or reopened)\n")
    assert fmt(text) == (
        "lead marketing_ready when\n"
        "        inquiry\n"
        "    and business_email\n"
        "    and target_industry\n"
        "    and target_size\n"
        "    and (status is missing or not closed_out or status_changed within 180d or reopened)\n")
    deeper = text.replace("reopened", "recently_reopened_account_of_a_very_long_name_indeed")
    assert fmt(deeper).endswith(
        "    and (status is missing\n"
        "         or not closed_out\n"
        "         or status_changed within 180d\n"
        "         or recently_reopened_account_of_a_very_long_name_indeed)\n")


def test_a_chain_written_over_several_lines_stays_one_operand_per_line():
    assert fmt("let a = x\n or y\n") == "let a =\n       x\n    or y\n"
    assert fmt("let a = x or y\n") == "let a = x or y\n"


def test_mixed_and_or_gets_parentheses_and_redundant_ones_go():
    assert fmt("let a = x or y and z\nlet b = ((x))\nlet c = not (x = 1)\n") == \
        "let a = x or (y and z)\nlet b = x\nlet c = not (x = 1)\n"


def test_score_rules_one_per_line_points_aligned():
    text = "score fit max 100 { industry = life_science +30; revenue >= 1B +25 # big\n each pv(30d) +3 decay half_life 14d max 30 }"
    assert fmt(text) == (
        "score fit max 100 {\n"
        "    industry = life_science  +30\n"
        "    revenue >= 1B            +25  # big\n"
        "    each pv(30d)             +3 decay half_life 14d max 30\n"
        "}\n")


def test_band_route_and_definition_header():
    text = ('definition "Acme" { owner: "Ops"; agreed_by: marketing "D", sales "S"; effective: 2026-11-01; review: 180d }\n'
            "band grade on fit {F<20<=D<=40<C}\n"
            "route owner for mql { emea when region = emea; north_america when hq in {US, CA}; else queue }\n")
    assert fmt(text) == (
        'definition "Acme" {\n'
        '    owner: "Ops"\n'
        '    agreed_by: marketing "D", sales "S"\n'
        "    effective: 2026-11-01\n"
        "    review: 180d\n"
        "}\n"
        "band grade on fit { F < 20 <= D <= 40 < C }\n"
        "route owner for mql {\n"
        "    emea          when region = emea\n"
        "    north_america when hq in {US, CA}\n"
        "    else queue\n"
        "}\n")


def test_fields_events_options_and_member_aliases():
    text = ('field ind: enum(life_science("Life Sciences","LS"), "other kind", `and`) missing "TBD","-" bad as missing\n'
            'field rev: number from "Annual Revenue" currency USD\n'
            'field when_: datetime format "MM/DD/YYYY" zone "America/New_York"\n'
            'event buy(amount: number missing "x", "y", at: datetime bad as error)\nevent meeting()\n')
    assert fmt(text) == (
        'field ind: enum(life_science ("Life Sciences", "LS"), "other kind", "and")\n'
        '           missing "TBD", "-" bad as missing\n'
        'field rev: number from "Annual Revenue" currency USD\n'
        'field when_: datetime format "MM/DD/YYYY" zone "America/New_York"\n'
        'event buy(amount: number missing "x", "y", at: datetime bad as error)\n'
        "event meeting\n")


def test_long_member_lists_and_sets_wrap_under_the_first_item():
    members = ", ".join(f"member_{i}" for i in range(14))
    out = fmt(f'field f: enum({members}) from "F"\nlet s = f in {{{members}}}\n')
    lines = out.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert lines[1].startswith(" " * len("field f: enum(") + "member_") and lines[2] == ' ' * 9 + 'from "F"'
    assert lines[4].startswith(" " * len("let s = f in {") + "member_")


def test_line_breaks_between_items_are_kept():
    text = "let s = x in {a, b,\n              c}\n"
    assert fmt(text) == text


def test_comments_stay_where_they_were():
    text = ("# head\n\n\n\nlet a =    # why a\n    x   # first\n  and y\n  # before z\n  and z\n"
            "score s {\n  # the rules\n  x +1   # one\n\n  y +2\n}  # end\n")
    assert fmt(text) == (
        "# head\n\n"
        "let a =    # why a\n"  # lined up with the comment on the next line
        "        x  # first\n"
        "    and y\n"
        "    # before z\n"
        "    and z\n"
        "score s {\n"
        "    # the rules\n"
        "    x  +1  # one\n"
        "\n"
        "    y  +2\n"
        "}  # end\n")


def test_a_comment_the_layout_cannot_place_keeps_the_statement_as_written():
    text = "let a = x in {1,   2}\nlead big when revenue >=   # why\n    300M\nlet b = y\n"
    assert fmt(text) == "let a = x in {1, 2}\nlead big when revenue >=   # why\n    300M\nlet b = y\n"


def test_parser_regression_a_score_rules_chain_keeps_each_operand_once():
    rule = parse_module("score s { a and b and c +10 }").body[0].rules[0]
    assert [o.name for o in rule.expr.operands] == ["a", "b", "c"]


def test_a_file_with_syntax_errors_is_not_formatted():
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.format_text("lead x when revenue >= 300m\n")
    assert [d.code for d in e.value.diagnostics] == ["E101"]


def test_names_and_types_are_not_checked():
    assert leaddsl.format_text("lead x when nothing_declared=1") == "lead x when nothing_declared = 1\n"


# ---------------------------------------------------------------- command line
UGLY = "lead  x when a=1   # keep me\n"
PRETTY = "lead x when a = 1  # keep me\n"


def test_fmt_rewrites_files_and_folders(runner, tmp_path):
    (tmp_path / "sub").mkdir()
    a, b = tmp_path / "a.lead", tmp_path / "sub" / "b.lead"
    a.write_text(UGLY)
    b.write_text(PRETTY)
    r = runner.invoke(main, ["fmt", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert a.read_text() == PRETTY and b.read_text() == PRETTY
    assert "1 file(s) reformatted, 1 unchanged" in r.stderr


def test_fmt_check_lists_the_files_that_would_change_and_changes_nothing(runner, tmp_path):
    a, b = tmp_path / "a.lead", tmp_path / "b.lead"
    a.write_text(UGLY)
    b.write_text(PRETTY)
    r = runner.invoke(main, ["fmt", "--check", str(a), str(b)])
    assert r.exit_code == 1
    assert r.stdout == f"would reformat {a}\n"
    assert a.read_text() == UGLY
    assert runner.invoke(main, ["fmt", "--check", str(b)]).exit_code == 0


def test_fmt_diff_prints_a_unified_diff(runner, tmp_path):
    a = tmp_path / "a.lead"
    a.write_text(UGLY)
    r = runner.invoke(main, ["fmt", "--diff", str(a)])
    assert r.exit_code == 0
    assert f"--- {a}\n" in r.stdout and "-" + UGLY in r.stdout and "+" + PRETTY in r.stdout
    assert a.read_text() == UGLY
    assert runner.invoke(main, ["fmt", "--diff", "--check", str(a)]).exit_code == 1


def test_fmt_stdin_to_stdout(runner):
    r = runner.invoke(main, ["fmt", "-"], input=UGLY)
    assert r.exit_code == 0 and r.stdout == PRETTY
    assert runner.invoke(main, ["fmt", "--check", "-"], input=UGLY).exit_code == 1
    assert runner.invoke(main, ["fmt", "--check", "-"], input=PRETTY).exit_code == 0


def test_fmt_syntax_errors_exit_1_with_the_diagnostics_and_leave_the_file(runner, tmp_path):
    bad, good = tmp_path / "bad.lead", tmp_path / "good.lead"
    bad.write_text("field revenue: number\nlead big when revenue >= 300m\n")
    good.write_text(UGLY)
    r = runner.invoke(main, ["fmt", str(bad), str(good)])
    assert r.exit_code == 1
    assert f"{bad}:2:26: E101" in r.stderr and "hint: write `300M`" in r.stderr and "^^^^" in r.stderr
    assert bad.read_text() == "field revenue: number\nlead big when revenue >= 300m\n"
    assert good.read_text() == PRETTY
    r = runner.invoke(main, ["fmt", "-"], input="lead x when (a\n")
    assert r.exit_code == 1 and "<stdin>:" in r.stderr and r.stdout == ""


@pytest.mark.parametrize("args", [["fmt"], ["fmt", "no/such.lead"], ["fmt", "-", "a.lead"], ["fmt", "--wat", "-"]])
def test_fmt_usage_errors_exit_2(runner, args):
    assert runner.invoke(main, args).exit_code == 2


def test_fmt_a_file_that_is_not_utf8_is_reported_not_formatted(runner, tmp_path):
    bad = tmp_path / "latin1.lead"
    bad.write_bytes(b"lead x when a = 1\nlet t = \"caf\xe9\"\n")
    r = runner.invoke(main, ["fmt", str(bad)])
    assert r.exit_code == 1 and f"{bad}:2: not UTF-8 text" in r.stderr
    assert bad.read_bytes() == b"lead x when a = 1\nlet t = \"caf\xe9\"\n"


def test_pre_commit_hooks_run_fmt():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    hooks = [dict(re.findall(r"^\s*-?\s*(\w+): (.*)$", "- id:" + block, re.M))
             for block in re.split(r"^- id:", text, flags=re.M)[1:]]
    entries = {h["id"]: h["entry"] for h in hooks}
    assert entries["leaddsl-fmt"] == "leaddsl fmt" and entries["leaddsl-fmt-check"] == "leaddsl fmt --check"
    assert all(re.search(h["files"], "definitions/mql.lead") and not re.search(h["files"], "x.lead.bak")
               for h in hooks)
