"""The linter (SPEC section 9): fixtures named by code, docs, examples, CLI, zero false positives.

Fixtures are ``tests/cases/lint/<CODE>_<slug>.lead``. A comment ``# expect: W101``
(or ``# expect: W101@12`` with a column, several separated by commas) on a line
says which findings start on that line; every other line must have none. The
set of (code, line[, column]) of the W/I findings must match exactly.
"""
from __future__ import annotations

import ast
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import leaddsl
from leaddsl.cli import main
from leaddsl.codes import CODES
from leaddsl.lint import RULES, lint_program
from leaddsl.lint.budget import Budget
from leaddsl.lint.docs import parse_doc

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).parent / "cases" / "lint"
FIXTURES = sorted(CASES.glob("*.lead"))
LINT_CODES = sorted(c for c in CODES if c[0] in "WI")
_EXPECT = re.compile(r"#\s*expect:\s*(.*)$")

# the benchmark's program generators (a script, not a package module)
_spec = importlib.util.spec_from_file_location("lint_bench", ROOT / "tests" / "benchmarks" / "lint_bench.py")
lint_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lint_bench)


def expectations(text: str) -> list[tuple[str, int, int | None]]:
    out = []
    for lineno, line in enumerate(text.split("\n"), 1):
        m = _EXPECT.search(line)
        if not m:
            continue
        for part in m.group(1).split(","):
            code, _, col = part.strip().partition("@")
            out.append((code, lineno, int(col) if col else None))
    return out


def findings(path: Path) -> list:
    program = leaddsl.compile(path.read_text(encoding="utf-8"), filename=str(path))
    found = [d for d in leaddsl.lint(program) if d.code[0] in "WI"]
    old = path.with_name(path.name + ".old")  # a previous version to compare with (W115)
    if old.exists():
        from leaddsl.lint.agreement import effective_unchanged
        found += effective_unchanged(leaddsl.compile(old.read_text(encoding="utf-8"), filename=str(old)), program)
    return found


def lint_text(text: str, filename: str = "t.lead") -> list:
    return [d for d in leaddsl.lint(leaddsl.compile(text, filename=filename)) if d.code[0] in "WI"]


def codes_of(text: str) -> list[str]:
    return [d.code for d in lint_text(text)]



pytestmark = pytest.mark.usefixtures("strict_lint")


# ------------------------------------------------------------------ fixtures ----
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture(path):
    expected = expectations(path.read_text(encoding="utf-8"))
    got = findings(path)
    actual = Counter((d.code, d.line, d.column) for d in got)
    missing = []
    for code, line, col in sorted(expected, key=lambda e: e[2] is None):  # with a column first
        if col is not None:
            key = (code, line, col)
        else:
            key = next((k for k in actual if k[:2] == (code, line) and actual[k] > 0), None)
        if key is not None and actual[key] > 0:
            actual[key] -= 1
        else:
            missing.append((code, line, col))
    extra = [k for k, v in actual.items() for _ in range(v)]
    shown = "\n".join(str(d) for d in got)
    assert not missing and not extra, f"missing {missing}, unexpected {extra}\n{shown}"


def test_expectation_comments_are_parsed():
    assert expectations("a\nb  # expect: W101, W102@7\n") == [("W101", 2, None), ("W102", 2, 7)]


@pytest.mark.parametrize("code", LINT_CODES)
def test_every_lint_code_has_a_fixture_that_expects_it(code):
    named = [p for p in FIXTURES if p.stem.startswith(code + "_")]
    assert named, f"no tests/cases/lint/{code}_<slug>.lead"
    assert named[0].stem == f"{code}_{CODES[code].slug.replace('-', '_')}"
    assert any(e[0] == code for e in expectations(named[0].read_text(encoding="utf-8"))), \
        f"{named[0].name} expects no {code}"


def test_fixture_names_are_known_codes():
    for p in FIXTURES:
        assert p.stem.split("_")[0] in CODES, p.name


# --------------------------------------------------------------------- docs ----
@pytest.mark.parametrize("code", LINT_CODES)
def test_lint_code_docs_are_complete(code):
    c = CODES[code]
    assert c.severity == {"W": "warning", "I": "info"}[code[0]]
    for part in (c.summary, c.why, c.example, c.fix):
        assert part.strip()
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", c.slug)


@pytest.mark.parametrize("code", LINT_CODES)
def test_documented_example_triggers_its_code(code):
    example = CODES[code].example
    got = codes_of(example)
    if "# was: " in example:  # W115: the example against its previous version, the `# was:` of each line
        from leaddsl.lint.agreement import effective_unchanged
        old = "\n".join(re.sub(r"^(\s*\S.*?)(?:when|=)?\s*\S.*# was: (.*)$", lambda m: _was(m.group(0)), line)
                        for line in example.split("\n"))
        got += [d.code for d in effective_unchanged(leaddsl.compile(old), leaddsl.compile(example))]
    assert code in got, (code, got)


def _was(line: str) -> str:
    """`lead mql when revenue >= 500M    # was: revenue >= 300M` -> the line as it was."""
    code, _, was = line.partition("# was: ")
    head = code.split(" when ")[0] + " when " if " when " in code else ""
    return head + was


def test_rule_modules_document_what_they_register():
    import importlib
    import pkgutil

    pkg = importlib.import_module("leaddsl.lint")  # `leaddsl.lint` the attribute is the function
    documented = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"leaddsl.lint.{info.name}")
        for code, slug, severity, sections in parse_doc(mod.__doc__ or "") if _has_header(mod.__doc__) else []:
            documented[code] = (slug, severity, sections["Example::"], sections["Fix:"])
    for code in LINT_CODES:
        c = CODES[code]
        assert documented.get(code) == (c.slug, c.severity, c.example, c.fix), code
    # the package docstring lists the catalogue
    for code in LINT_CODES:
        assert f"{code}  {CODES[code].slug}" in pkg.__doc__, code


def _has_header(doc):
    return bool(doc and re.search(r"^[WI]\d{3} [a-z-]+ \((warning|info)\)$", doc, re.M))


def test_rule_command_prints_docs():
    r = CliRunner().invoke(main, ["rule", "W110"])
    assert r.exit_code == 0
    for part in ("missing-excluded", "What it finds", "Why it matters", "Example", "Fix",
                 "status is missing or status != customer"):
        assert part in r.output


def test_every_rule_runs_by_default():
    names = {fn.__name__ for fn in RULES}
    assert {"never_true", "always_true", "redundant_clause", "stage_not_implied", "equivalent_definitions",
            "missing_excluded", "number_out_of_scale", "regex_unescaped_dot", "regex_only_empty",
            "regex_plain_word", "unused_declarations"} <= names


# ---------------------------------------------------------- zero false positives ----
@pytest.mark.parametrize("path", sorted((ROOT / "definitions").rglob("*.lead")), ids=lambda p: p.name)
def test_no_findings_on_bundled_definitions(path):
    program = leaddsl.load(path)
    # at the time the samples are built around: a review date that passes later is no false positive
    assert [str(d) for d in leaddsl.lint(program, as_of="2026-11-22")] == []


# ------------------------------------------------------------- behaviour ----
OUTPUTS = """field revenue: number
field region: enum(emea, na)
event visit()
score fit max 100 { revenue >= 1B +50; region = na +20 }
band grade on fit { C < 30 <= B < 60 <= A }
band size on revenue { small < 100M <= big }
route owner for big_one { emea_team when region = emea; else na_team }
lead big_one when revenue >= 1B and visit >= 1
"""


@pytest.mark.parametrize("cond, never", [
    ("grade >= B", False), ("owner = emea_team", False), ("fit >= 30 and size = big", False),
    ("grade >= A and grade < B", True), ("owner = emea_team and owner = na_team", True),
    ("fit > 50 and fit < 10", True), ("size = big and size = small", True),
])
def test_scores_bands_and_routes_in_conditions_are_linted(cond, never):
    """A score, band or route used in a condition (`grade >= B`) crashed the linter's encoder,
    which dropped every solver rule for that program outside the tests."""
    assert ("W101" in codes_of(OUTPUTS + f"lead x when {cond}\n")) is never


def test_missing_values_never_make_a_satisfiable_definition_impossible():
    text = ("field revenue: number\nfield status: enum(open, customer)\n"
            "lead a when revenue is missing or revenue >= 5\n"
            "lead b when (status is missing or status != customer) and revenue >= 1\n")
    assert "W101" not in codes_of(text)


def test_never_true_message_names_the_contradiction():
    (d,) = lint_text("field revenue: number\nlead big when revenue >= 300M and revenue < 100M\n")
    assert d.code == "W101" and d.severity == "warning"
    assert "`revenue >= 300M` and `revenue < 100M`" in d.message
    assert (d.line, d.column) == (2, 15)


def test_reversed_between_hint_swaps_the_bounds():
    (d,) = lint_text("field revenue: number\nlead x when revenue between 300M and 100M\n")
    assert d.code == "W101" and d.hint == "write `revenue between 100M and 300M`"


def test_never_true_let_is_reported_once_at_the_let():
    text = ("field e: number\nfield s: ordinal(a < b < c)\n"
            "let never = e < 0 and e > 10\nlead x when never and s >= b\n")
    assert [(d.code, d.line) for d in lint_text(text)] == [("W101", 3)]


def test_schemaless_programs_are_linted_too():
    got = lint_text("lead big when revenue >= 300M and revenue < 100M\n")
    assert [d.code for d in got] == ["W101"]


def test_schemaless_presence_is_shared_between_read_modes():
    # `status is missing` reads the key as it is, `status != "customer"` as text:
    # one value, missing in both or in neither
    assert codes_of('lead p when status is missing or status != "customer"\n') == []
    assert codes_of('lead p when status = "a" and status is missing\n') == ["W101"]


def test_the_linter_reads_every_declaration_the_evaluator_only_what_outputs_need():
    from leaddsl.runtime.plan import lower_all
    text = ("field a: number\nfield b: number\nevent v(x: text)\n"
            'metric m = count(v where x = "k" and x = "j")\nlet used = a > 1\nlet unused = b > 1 and b < 0\n'
            "lead p when used\n")
    program = leaddsl.compile(text, filename="t.lead")
    full = lower_all(program.analysis)
    assert [x.name for x in program.plan.lets] == ["used"] and not program.plan.sources
    assert [x.name for x in full.lets] == ["used", "unused"] and full.sources[0].where is not None
    assert [s.label for s in program.plan.slots] == ["a"]
    # what the outputs need is read the same way in both
    units = {u: s.label for s in program.plan.slots for u in [s.unit]}
    full_units = {u: s.label for s in full.slots for u in [s.unit]}
    assert {units[u] for u in program.plan.leads["p"].needs} == {full_units[u] for u in full.leads["p"].needs} \
        == {"a"}
    # and the linter examines what nothing uses
    assert sorted((d.code, d.line) for d in lint_text(text)) == [("W101", 4), ("W101", 6), ("W106", 6), ("W107", 4)]


def test_where_filter_properties():
    text = ("event page_view(page_category: enum(product, blog))\n"
            "metric m = count(page_view where page_category = product and page_category = blog)\n"
            "lead x when m(30d) >= 1\n")
    (d,) = lint_text(text)
    assert d.code == "W101" and "where" in d.message and d.line == 2


def test_sequences_and_text_operators_are_opaque_but_consistent():
    text = ('field title: text\nevent a(x: text)\nevent b(y: text)\n'
            'lead p when title contains "vp" and a then b within 2d\n'
            'lead q when p and title contains "vp"\n')
    got = lint_text(text)
    # the same text operator is the same value: q's second clause is implied by p
    assert [(d.code, d.line) for d in got] == [("W105", 5), ("W102", 5)]


def test_always_true_says_when_values_must_be_present():
    (d,) = lint_text("field s: ordinal(a < b < c)\nlead x when s >= a\n")
    assert d.code == "W103" and "when `s` is present" in d.message and "`s is present`" in d.hint


def test_always_true_without_presence():
    (d,) = lint_text("event page_view(c: text)\nlead x when page_view(30d) >= 0\n")
    assert d.code == "W103" and d.message == "lead `x` is always true"


def test_presence_tests_are_not_always_true():
    assert codes_of("field t: text\nfield r: number\nlead x when t is present or r > 5\n") == []


def test_redundant_reports_the_weaker_clause_once():
    got = lint_text("field r: number\nlead x when r >= 100M and r >= 300M\n")
    assert [(d.code, d.column) for d in got] == [("W102", 13)]
    assert "`r >= 300M` already implies it" in got[0].message


def test_redundant_duplicate_clause():
    (d,) = lint_text("field r: number\nlead x when r >= 5 and r >= 5\n")
    assert d.code == "W102" and d.column == 24 and "written twice" in d.message


def test_stage_message_names_both_stages():
    text = ("field r: number\nfield s: ordinal(a < b)\nstages mql < sql\n"
            "lead mql when r >= 5\nlead sql when s >= b\n")
    (d,) = lint_text(text)
    assert d.code == "W104" and "`sql` without being `mql`" in d.message
    assert "lead sql when mql and" in d.hint


def test_stages_that_build_on_each_other_are_fine():
    text = ("field r: number\nfield s: ordinal(a < b)\nstages mql < sql\n"
            "lead mql when r >= 5\nlead sql when mql and s >= b\n")
    assert codes_of(text) == []


def test_missing_excluded_hint_shows_both_ways():
    (d,) = lint_text("field status: enum(open, customer)\nlead p when status != customer\n")
    assert d.code == "W110"
    assert "leads with no `status`" in d.message
    assert "(status is missing or status != customer)" in d.hint
    assert "(status is present and status != customer)" in d.hint


def test_missing_excluded_offers_no_rewrite_that_takes_rejected_leads():
    # `status is missing or not excluded` would take customers with no status,
    # whom `not excluded` rejects (lifecycle = customer decides it)
    text = ("field status: enum(open, lost, churned)\nfield lifecycle: enum(prospect, customer)\n"
            "let excluded = status in {lost, churned} or lifecycle = customer\n"
            "lead x when not excluded\n")
    (d,) = lint_text(text)
    assert d.code == "W110" and d.line == 4
    assert "is missing or" not in d.hint
    assert "(lifecycle is present and status is present and not excluded)" in d.hint
    assert "say what a missing `lifecycle` or `status` means" in d.hint


def test_missing_excluded_names_blanks_without_a_rewrite_when_none_is_proved():
    # with no r, `not (r is missing and s = a)` is false for s = a and true for s = b:
    # either rewrite would change one of them
    text = "field s: enum(a, b)\nfield r: number\nlead x when not (r is missing and s = a)\n"
    (d,) = lint_text(text)
    assert d.code == "W110" and "with no `r` or `s`" in d.message
    assert " write `" not in d.hint
    assert d.hint.startswith("say what a missing `r` or `s` means where it is compared")


def test_missing_excluded_follows_lets_into_their_uses():
    text = ("field status: enum(open, customer)\nfield r: number\n"
            "let not_customer = status != customer\n"
            "lead handled when (status is missing or not_customer) and r > 1\n")
    assert codes_of(text) == []
    text += "lead unhandled when not_customer and r > 2\n"
    got = lint_text(text)
    assert [(d.code, d.line) for d in got] == [("W110", 3)]


def test_missing_excluded_not_on_two_valued_operands():
    text = "field r: number\nlead big when r > 5\nlead small when not big\n"
    assert codes_of(text) == []


def test_magnitude_needs_two_other_numbers():
    text = "field deals: number\nlead a when deals >= 300M\nlead b when deals >= 300\n"
    assert codes_of(text) == []


def test_magnitude_reports_a_lone_number_too_small_for_an_amount_of_money():
    for decl in ("revenue: number", "AnnualRevenue: number", "arr: number",
                 'x: number from "Annual Revenue (USD)"', 'budget: number from "Budget"'):
        name = decl.split(":")[0]
        (d,) = lint_text(f"field {decl}\nlead a when {name} >= 300\n")
        assert (d.code, d.line, d.column) == ("W111", 2, 13 + len(name) + 4)
        assert "`300k` or `300M`" in d.hint


def test_magnitude_leaves_scaled_names_counts_and_plausible_amounts_alone():
    for decl, cond in (("revenue_m: number", "revenue_m >= 300"),
                       ('rev: number from "Revenue (M)"', "rev >= 300"),
                       ('revenue: number from "Revenue in thousands"', "revenue >= 300"),
                       ("employees: number", "employees >= 300"),
                       ("revenue_growth: number", "revenue_growth > 5"),
                       ("budget: number", "budget >= 5000"),
                       ("revenue: number", "revenue >= 10000 or revenue < 0 or revenue between -5 and 0"),
                       ("revenue: number", "revenue = 300")):
        assert "W111" not in codes_of(f"field {decl}\nlead a when {cond}\n"), decl


def test_regex_rules_point_at_the_character():
    (d,) = lint_text('field email: text\nlead a when email matches "@acme.com$"\n')
    assert (d.code, d.line, d.column, d.end_column) == ("W112", 2, 33, 34)
    assert '"@acme\\\\.com$"' in d.hint


def test_unused_declarations_skip_included_schemas_and_schema_files(tmp_path):
    (tmp_path / "schema.lead").write_text("field revenue: number\nfield employees: number\n")
    (tmp_path / "main.lead").write_text('include "schema.lead"\nlead big when revenue >= 300M\n')
    assert leaddsl.lint(leaddsl.load(tmp_path / "main.lead")) == []
    assert leaddsl.lint(leaddsl.load(tmp_path / "schema.lead")) == []


def test_suppression_on_first_or_last_line_of_a_statement():
    text = ("field r: number\n"
            "lead a when r >= 5 and  # leaddsl: ignore[W102]\n"
            "  r >= 1\n"
            "lead b when r >= 6 and\n"
            "  r >= 2  # leaddsl: ignore[W102]\n")
    assert codes_of(text) == []


def test_unknown_solver_answers_mean_no_finding(monkeypatch):
    """When z3 gives up (timeout, budget), the rules that need a proof report nothing."""
    from leaddsl.lint import solver
    monkeypatch.setattr(solver.Logic, "check", lambda self, *f, model=False: (None, None))
    got = set(codes_of((CASES / "W101_never_true.lead").read_text()))
    got |= set(codes_of((CASES / "W110_missing_excluded.lead").read_text()))
    got |= set(codes_of((CASES / "W104_stage_not_implied.lead").read_text()))
    assert not got & {"W101", "W102", "W103", "W104", "W105", "W110"}


def test_spent_budget_means_no_finding_and_says_so():
    program = leaddsl.compile("field r: number\nlead x when r > 5 and r < 1\n", filename="t.lead")
    got = lint_program(program, budget=0)
    assert [d.code for d in got] == [] and "lint incomplete" in got.note
    assert lint_program(program).note is None


def test_select_runs_only_some_rules():
    program = leaddsl.compile((CASES / "W102_redundant_clause.lead").read_text(), filename="x.lead")
    assert {d.code for d in lint_program(program, select={"never_true"})} <= {"W101"}


def test_generated_benchmark_program_lints():
    """The benchmark's generator (a script measures the time; here only that it works)."""
    program = leaddsl.compile(lint_bench.generate(40), filename="generated.lead")
    got = leaddsl.lint(program)
    assert all(d.code[0] in "WI" for d in got)
    assert any(d.code == "W101" for d in got)  # the generator plants contradictions


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(4, 15))
def test_the_linter_never_fails_on_generated_programs(seed, n):
    program = leaddsl.compile(lint_bench.generate(n, seed), filename="generated.lead")
    assert all(d.code[0] in "WI" for d in leaddsl.lint(program))


# ------------------------------------------------------------------ budget ----
class Ticks:
    """A clock that moves one second each time it is read: a budget of n seconds
    allows a deterministic amount of work, whatever the machine's speed."""
    def __init__(self):
        self.now = 0

    def __call__(self):
        self.now += 1
        return self.now


def _keys(found):
    return {(d.code, d.line, d.column) for d in found}


def test_the_budget_bounds_the_solver_queries_of_a_slow_program():
    program = leaddsl.compile(lint_bench.threshold(400), filename="t.lead")
    budget = Budget(1000, clock=Ticks())
    got = lint_program(program, budget=budget)
    assert 0 < budget.asked <= 1000 and budget.ran_out  # every query reads the clock first
    assert "budget ran out" in got.note


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_a_lint_cut_short_finds_nothing_the_full_lint_does_not(path):
    """Skipping checks never makes a finding (an unused ignore included)."""
    program = leaddsl.compile(path.read_text(encoding="utf-8"), filename=str(path))
    full = lint_program(program, budget=600)
    assert full.note is None
    for seconds in (0, 3, 10, 30, 100):
        part = lint_program(program, budget=Budget(seconds, clock=Ticks()))
        assert _keys(part) <= _keys(full), seconds
        assert part.note is None or "W191" not in {d.code for d in part}


def test_the_budget_can_be_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("LEADDSL_LINT_BUDGET", "2.5")
    assert Budget().seconds == 2.5


def test_equivalent_definitions_are_found_among_many():
    text = lint_bench.threshold(300) + "lead same when x > 150 or x > 200\n"
    got = lint_program(leaddsl.compile(text, filename="t.lead"), budget=600)
    assert got.note is None
    assert [(d.code, d.line) for d in got if d.code == "W105"] == [("W105", 302)]


def test_a_redundant_clause_is_found_in_a_long_or():
    clauses = [f"x = {i}" for i in range(300)] + ["x = 150"]
    text = "field x: number\nlead one when " + " or ".join(clauses) + "\n"
    got = lint_program(leaddsl.compile(text, filename="t.lead"), budget=600)
    assert got.note is None
    assert [(d.code, d.column) for d in got] == [("W102", text.split("\n")[1].rindex("x = 150") + 1)]


def test_the_lint_modules_import_each_other_without_a_cycle():
    """The package registers its rules (they import `rule` from it); below it,
    imports point one way: rules -> context -> solver -> encode -> terms."""
    folder = ROOT / "leaddsl" / "lint"
    graph = {}
    for f in folder.glob("*.py"):
        if f.stem == "__init__":
            continue
        graph[f.stem] = {node.module for node in ast.walk(ast.parse(f.read_text(encoding="utf-8")))
                         if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}
    done, path = set(), []

    def visit(m):
        assert m not in path, " -> ".join(path + [m])
        if m in done or m not in graph:
            return
        path.append(m)
        for dep in graph[m]:
            visit(dep)
        path.pop()
        done.add(m)
    for m in graph:
        visit(m)


# ---------------------------------------------------------------------- CLI ----
def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_check_select_and_ignore_by_code(tmp_path):
    p = tmp_path / "x.lead"
    p.write_text("field r: number\nfield status: enum(a, b)\n"
                 "lead x when r >= 100M and r >= 300M and status != a\n")
    r = _run("check", "--format", "json", p)
    import json
    assert sorted(d["code"] for d in json.loads(r.stdout)) == ["W102", "W110"]
    assert r.exit_code == 0  # warnings only
    r = _run("check", "--format", "json", "--select", "W110", p)
    assert [d["code"] for d in json.loads(r.stdout)] == ["W110"]
    r = _run("check", "--format", "json", "--ignore", "W110", p)
    assert [d["code"] for d in json.loads(r.stdout)] == ["W102"]
    assert _run("check", "--strict", p).exit_code == 1
    assert _run("check", "--strict", "--ignore", "W1", p).exit_code == 0
    # a code no diagnostic has would select or ignore nothing in silence: a usage error, with a did-you-mean
    r = _run("check", "--select", "W1100", p)
    assert r.exit_code == 2 and "--select W1100: no diagnostic code is or starts with `W1100`" in r.output
    r = _run("check", "--ignore", "W11O", p)
    assert r.exit_code == 2 and "did you mean" in r.output


def test_pre_commit_hook_definition():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    try:
        import yaml
    except ImportError:  # pragma: no cover - pyyaml is not a dependency: read the flat keys of each hook
        hooks = [dict(re.findall(r"^\s*-?\s*(\w+): (.*)$", "- id:" + block, re.M))
                 for block in re.split(r"^- id:", text, flags=re.M)[1:]]
    else:
        hooks = yaml.safe_load(text)
    (hook,) = [h for h in hooks if h["id"] == "leaddsl-check"]
    assert hook["entry"] == "leaddsl check"
    assert hook["language"] == "python"
    assert re.search(hook["files"], "definitions/mql.lead") and not re.search(hook["files"], "x.lead.bak")


def test_magnitude_leaves_an_impossible_definition_to_w101():
    got = codes_of("field revenue: number\nlead never when revenue > 5 and revenue < 3\n")
    assert got == ["W101"]
