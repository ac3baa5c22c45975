"""Fixtures named by code: each `# expect: CODE[@COL]` comment marks a line that must
report CODE (at that column); no other error may be reported."""
import re
from pathlib import Path

import pytest

import leaddsl
from leaddsl.codes import CODES

CASES = Path(__file__).parent / "cases" / "diagnostics"
EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def expectations(text: str) -> set:
    out = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        m = EXPECT.search(line)
        if not m:
            continue
        for item in m.group(1).split(","):
            code, _, col = item.strip().partition("@")
            out.add((code, lineno, int(col) if col else None))
    return out


def found(text: str, name: str) -> list:
    try:
        leaddsl.compile(text, filename=name)
    except leaddsl.DslError as e:
        return [d for d in e.diagnostics if d.severity == "error"]
    return []


FIXTURES = sorted(CASES.glob("*.lead"))


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture(path):
    text = path.read_text(encoding="utf-8")
    expected = expectations(text)
    assert expected, "a fixture must expect something"
    code = path.stem.split("_")[0]
    assert any(c == code for c, _, _ in expected), "the fixture must exercise the code it is named by"
    diags = found(text, path.name)
    got = {(d.code, d.line, d.column) for d in diags}
    for c, line, col in expected:
        if col is None:
            assert any(g[0] == c and g[1] == line for g in got), (c, line, sorted(got))
        else:
            assert (c, line, col) in got, (c, line, col, sorted(got))
    expected_lines = {(c, line) for c, line, _ in expected}
    unexpected = [g for g in got if (g[0], g[1]) not in expected_lines]
    assert not unexpected, f"unexpected diagnostics: {unexpected}"


def test_every_error_code_has_a_fixture_or_a_loader_test():
    covered = {p.stem.split("_")[0] for p in FIXTURES} | {"E007", "E205", "E206", "E207"} | {"E501"}  # E501: test_sql
    missing = [c for c in CODES if c.startswith("E") and c not in covered]
    assert not missing


def test_all_errors_reported_not_only_the_first():
    text = ("field revenue: number\n"
            "lead a when revenue >= 300m\n"
            "lead b when revenu >= 1\n"
            "lead c when revenue > \"x\"\n")
    codes = [d.code for d in found(text, "x.lead")]
    assert codes == ["E101", "E201", "E301"]


def test_a_file_of_many_syntax_errors_says_where_reporting_stopped():
    text = "".join(f"lead a{i} when x > 1 and\n" for i in range(80))
    diags = found(text, "x.lead")
    assert len(diags) == 50 and all(d.code == "E001" for d in diags)
    assert "parsing stopped after 50 syntax errors" in diags[-1].hint
    assert not any("stopped" in (d.hint or "") for d in diags[:-1])


def test_broken_statement_does_not_echo_as_unknown_name():
    text = "let big = revenue >= && 1\nfield revenue: number\nlead x when big\n"
    diags = found(text, "x.lead")
    assert [d.code for d in diags] == ["E002"]


def test_diagnostic_fields_are_one_based_and_end_is_exclusive():
    [d] = found("field revenue: number\nlead big when revenue >= 300m\n", "x.lead")
    assert (d.file, d.line, d.column, d.end_line, d.end_column) == ("x.lead", 2, 26, 2, 30)
    assert d.severity == "error" and d.hint == "write `300M` (or `300min` for minutes)"


def test_columns_count_code_points_not_bytes():
    [d] = found('field t: text\nlead `é` when t = "ü" and t >= 300m\n', "x.lead")
    assert d.column == 32  # `é` and `ü` are one column each


# Habits from CRM filters and SQL (issue 11): each diagnostic's hint shows the leaddsl
# way. Every backquoted snippet in the hint is a rewrite of ``old`` on the fixture line,
# and the line so rewritten must compile (with the fixture's `field` declarations).
HABITS = [
    ("E001_syntax-error.lead", 5, "Life Sciences"),
    ("E001_syntax-error.lead", 6, "Real Estate Investment"),
    ("E008_wrong-operator.lead", 4, "=="),
    ("E008_wrong-operator.lead", 5, "<>"),
    ("E008_wrong-operator.lead", 6, 'like "%VP%"'),
    ("E008_wrong-operator.lead", 7, 'LIKE "VP%"'),
    ("E008_wrong-operator.lead", 8, 'like "%Chief%Officer%"'),
    ("E008_wrong-operator.lead", 9, "AND"),
    ("E008_wrong-operator.lead", 10, "OR"),
    ("E008_wrong-operator.lead", 11, "NOT"),
    ("E008_wrong-operator.lead", 12, "NOT"),
    ("E008_wrong-operator.lead", 13, 'title not contains "VP"'),
    ("E008_wrong-operator.lead", 14, 'title not starts with "VP"'),
    ("E008_wrong-operator.lead", 15, 'title not like "%VP%"'),
    ("E008_wrong-operator.lead", 16, "=<"),
    ("E008_wrong-operator.lead", 17, "=>"),
    ("E106_bad-set.lead", 7, "{United States, Canada}"),
    ("E106_bad-set.lead", 8, '("US", "CA")'),
    ("E106_bad-set.lead", 9, '("US", "CA")'),
    ("E301_type-mismatch.lead", 7, 'title contains {"VP", "Chief"}'),
    ("E301_type-mismatch.lead", 8, 'title starts with {"VP", "Chief Revenue"}'),
    ("E301_type-mismatch.lead", 9, 'title contains {VP, Chief}'),
]


@pytest.mark.parametrize("name,lineno,old", HABITS, ids=[f"{n.split('_')[0]}:{line}" for n, line, _ in HABITS])
def test_habit_hint_rewrites_compile(name, lineno, old):
    text = (CASES / name).read_text(encoding="utf-8")
    lines = text.splitlines()
    line = lines[lineno - 1]
    (code, _, col), = [e for e in expectations(text) if e[1] == lineno]
    [d] = [d for d in found(text, name) if d.line == lineno]
    assert (d.code, d.column) == (code, col)
    assert d.hint and old in line
    rewrites = re.findall(r"`([^`]*)`", d.hint)
    assert rewrites, d.hint
    fields = "\n".join(ln for ln in lines if ln.startswith("field "))
    for rewrite in rewrites:
        fixed = EXPECT.sub("", line.replace(old, rewrite, 1))
        leaddsl.compile(fields + "\n" + fixed + "\n", filename=name)  # raises DslError if the hint is wrong


def test_habit_errors_do_not_hide_later_statements():
    text = ('lead a when industry = Life Sciences\n'
            'lead b when title like "%VP%"\n'
            'lead c when x in ("a", "b")\n'
            'lead d when a = 1 AND b = 2\n'
            'lead e when title contains {"VP", "Chief"}\n'
            'lead f when x not contains "a"\n'
            'lead g when c in {United States, Canada}\n'
            'lead h when revenue >= 300m\n')
    got = sorted((d.line, d.column, d.code) for d in found(text, "x.lead"))
    assert got == [(1, 24, "E001"), (2, 19, "E008"), (3, 18, "E106"), (4, 19, "E008"), (5, 28, "E301"),
                   (6, 15, "E008"), (7, 19, "E106"), (8, 24, "E101")]
