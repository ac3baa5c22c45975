"""Every way of running a program gives the same answers: ``evaluate``,
``evaluate_many``, ``explain`` (the trace), ``errors="return"``, a fresh process,
and the same program with its statements and clauses in another order; no
definition can smuggle code into the generated source; the source grows
linearly with the program."""
import datetime as dt
import json
import random
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from paths import every_way

UTC = dt.timezone.utc
AS_OF = dt.datetime(2026, 11, 22, tzinfo=UTC)

SCHEMA = """
field n1: number
field n2: number
field t1: text
field e1: enum(a, b, c)
field o1: ordinal(lo < mid < hi)
field b1: bool
field l1: list(text)
field d1: datetime
event page_view(cat: text)
event purchase(amount: number)
metric pv = count(page_view where cat = product)
metric spend = sum(purchase.amount)
metric biggest = max(purchase.amount)
metric seen = last(page_view)
metric visit_days = days(page_view)
"""

NUM = st.sampled_from(["0", "1", "2", "5", "10", "-3", "2.5", "1k"])
ATOMS = st.one_of(
    st.builds(lambda op, a: f"n1 {op} {a}", st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), NUM),
    st.builds(lambda a, b: f"n1 between {a} and {b}", NUM, NUM),
    st.builds(lambda op, a: f"n1 + n2 {op} {a}", st.sampled_from(["<", ">="]), NUM),
    st.builds(lambda a: f"n1 / n2 >= {a}", NUM),
    st.sampled_from(["t1 = x", "t1 != \"X \"", "t1 in {x, y}", "t1 not in {x}", "t1 contains \"x\"",
                     "t1 starts with \"a\"", "t1 ends with \"z\"", "t1 matches \"^x.?y\"", "t1 = e1"]),
    st.sampled_from(["e1 = a", "e1 != c", "e1 in {a, b}", "e1 not in {b}", "e1 = \"B\""]),
    st.builds(lambda op, m: f"o1 {op} {m}", st.sampled_from(["=", "<", ">=", "!="]), st.sampled_from(["lo", "mid", "hi"])),
    st.sampled_from(["o1 between lo and mid", "b1", "b1 = true", "b1 != false", "not b1"]),
    st.sampled_from(["l1 has x", "l1 has any {x, y}", "l1 has all {x, y}", "l1 has all {}", "l1 is empty",
                     "l1 is not empty"]),
    st.sampled_from(["n1 is missing", "t1 is present", "e1 is missing", "o1 is present"]),
    st.sampled_from(["d1 within 30d", "d1 > 2026-01-01", "d1 <= 2026-11-21T12:00:00Z"]),
    st.builds(lambda w, k: f"pv{w} >= {k}", st.sampled_from(["", "(7d)", "(any 1d)", "(any 2h)"]),
              st.sampled_from(["1", "2", "3"])),
    st.sampled_from(["page_view >= 2", "purchase(30d) >= 1", "spend > 10", "spend(any 1d) >= 5",
                     "biggest >= 5", "seen within 7d", "visit_days(30d) >= 2",
                     "page_view then purchase within 2d", "(page_view where cat = product) then page_view within 1d",
                     "purchase then (purchase where amount > 3)", "pv then purchase within 1d",
                     "page_view then pv"]),
)


def exprs():
    return st.recursive(
        ATOMS,
        lambda inner: st.one_of(
            st.builds(lambda a, b: f"({a} and {b})", inner, inner),
            st.builds(lambda a, b: f"({a} or {b})", inner, inner),
            st.builds(lambda a: f"not ({a})", inner),
        ),
        max_leaves=6,
    )


MISSING = st.sampled_from([None, "", "N/A", "-", "null"])
TS = st.integers(min_value=-40 * 24, max_value=2 * 24).map(
    lambda h: (AS_OF + dt.timedelta(hours=h)).isoformat().replace("+00:00", "Z"))
EVENT = st.one_of(
    st.fixed_dictionaries({"type": st.just("page_view"), "ts": TS,
                           "cat": st.sampled_from(["product", "Product ", "blog", None])}),
    st.fixed_dictionaries({"type": st.just("purchase"), "ts": TS,
                           "amount": st.sampled_from([1, 5, "10", None, "2.5"])}),
)
RECORD = st.fixed_dictionaries({}, optional={
    "n1": st.one_of(MISSING, st.integers(-5, 12), st.sampled_from(["1,000", "$5", "2.5", "1k"])),
    "n2": st.one_of(MISSING, st.integers(-2, 3)),
    "t1": st.one_of(MISSING, st.sampled_from(["x", " X ", "y", "axby", "xyz", "b", "ß"])),
    "e1": st.one_of(MISSING, st.sampled_from(["a", "B", " c "])),
    "o1": st.one_of(MISSING, st.sampled_from(["lo", "MID", "hi"])),
    "b1": st.one_of(MISSING, st.sampled_from([True, False, "yes", "0"])),
    "l1": st.one_of(MISSING, st.sampled_from(["x; y", "X", ["y"], [], "a;b"])),
    "d1": st.one_of(MISSING, st.sampled_from(["2026-11-01", "2026-10-01T00:00:00Z", "2026-11-22T00:00:00Z",
                                              "2027-01-01"])),
    "events": st.lists(EVENT, max_size=6),
})


def assert_agree(program, record, context=""):
    one, many, returned, traced = every_way(program, record, AS_OF)
    assert one == many, (context, record)
    if one == "DataError":
        # errors="return": the outputs that need the bad value are None, and say why
        assert returned.errors, (context, record)
        assert None in returned.values(), (context, record)
    else:
        assert returned.to_dict() == one and not returned.errors, (context, record)
    assert traced == returned.to_dict(), (context, record, program.explain(record, as_of=AS_OF))


@settings(max_examples=300)
@given(st.lists(exprs(), min_size=1, max_size=3), st.lists(RECORD, min_size=1, max_size=4))
def test_evaluate_evaluate_many_and_explain_agree(conditions, records):
    text = SCHEMA + "".join(f"lead r{i} when {c}\n" for i, c in enumerate(conditions))
    text += "let helper = n1 > 1 or t1 = x\nlead combo when helper and r0\n"
    # lets of values, used twice (shared) and once (inline), and stages over the random leads
    text += "let total = n1 + n2\nlet label = t1\nlead sums when total > 5 and total < 20 or label = e1\n"
    text += f"stages {' < '.join(f'r{i}' for i in range(len(conditions)))} < combo\n"
    program = leaddsl.compile(text)
    for record in records:
        assert_agree(program, record, text)


@settings(max_examples=100)
@given(st.lists(st.sampled_from(["a >= 5", "b = foo", "c has any {x, y}", "c.d is missing", "a + 1 > 5", "b = a",
                                 "page_view(7d) >= 1", "t contains \"o\"", "a between 1 and 9", "flag"]),
                min_size=1, max_size=4),
       st.dictionaries(st.sampled_from(["a", "b", "c", "t", "flag"]),
                       st.one_of(MISSING, st.integers(0, 9), st.sampled_from(["7", "foo", "FOO", "x;y", "abc", "true"]),
                                 st.booleans(), st.just({"d": 1})), max_size=5))
def test_schemaless_paths_agree(conditions, record):
    program = leaddsl.compile("".join(f"lead r{i} when {c}\n" for i, c in enumerate(conditions)))
    assert_agree(program, record)


HOSTILE = [
    'field `x"); import os; os.system("touch {p}"); ("`: text\nlead `y"); open("{p}", "w"); ("` when `x"); import os; os.system("touch {p}"); ("` = "\\"); open(\'{p}\', \'w\') #"',
    'lead x when name = "\'\'\'; __import__(\'os\').system(\'touch {p}\'); \'\'\'"',
    'field kind: enum(`__import__("os").system("touch {p}")`, b)\nlead x when kind = `__import__("os").system("touch {p}")`',
    'lead x when `{{}}.__class__` contains "\\n import os\\n"',
    'event `e"; import os; os.system("touch {p}") #`(`p"; open("{p}", "w")`: text)\nlead x when `e"; import os; os.system("touch {p}") #` >= 1',
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_definitions_cannot_execute_code(template, tmp_path):
    marker = tmp_path / "pwned"
    text = template.format(p=marker)
    program = leaddsl.compile(text)
    record = {"name": "x", "events": [{"type": "x", "ts": "2026-01-01"}]}
    try:
        program.evaluate(record, as_of=AS_OF)
    except leaddsl.DataError:
        pass
    assert not marker.exists()
    # nothing from the definition reaches the generated source
    for token in ("import", "system", "open", "pwned", str(marker)):
        assert token not in program.source_code


NUMBER_TEXT = st.one_of(
    st.integers(0, 10**13).map(lambda n: f"{n:,}"),
    st.integers(0, 10**13).map(lambda n: f"${n:,}"),
    st.builds(lambda n, s: f"{n}{s}", st.integers(0, 9999), st.sampled_from(["k", "K", "M", "m", "B", "bn", "T", "MM"])),
    st.builds(lambda n, f, s: f"{n}.{f}{s}", st.integers(0, 999), st.integers(0, 99), st.sampled_from(["", "k", "M", "B"])),
    st.sampled_from(["1,2,3", "12,34", " 5 ", "$ 5", "N/A", "-", "3e8", "1.5e3k", "abc", "$", "1,000.5", "٣"]),
)


@settings(max_examples=300)
@given(NUMBER_TEXT)
def test_inline_number_reading_agrees_with_the_reader(text):
    program = leaddsl.compile("field x: number\nlead big when x >= 300M\nlead small when x < 1k\n")
    assert_agree(program, {"x": text})


# ---------------------------------------------------------------- order ----
def test_the_answer_never_depends_on_clause_order():
    """A bad schemaless comparison errs the definition in both orders (it used to be
    false one way and a DataError the other)."""
    record = {"x": 2, "a": 1, "b": "z"}
    for cond in ("x = 1 and a < bb", "a < bb and x = 1"):
        program = leaddsl.compile(f"let bb = b\nlead y when {cond}\nlead other when x = 2\n")
        with pytest.raises(leaddsl.DataError, match="b"):
            program.evaluate(record, as_of=AS_OF)
        returned = program.evaluate(record, as_of=AS_OF, errors="return")
        assert returned.to_dict() == {"y": None, "other": True}
        assert "y: error" in program.explain(record, as_of=AS_OF)


@pytest.mark.parametrize("first,second", [("lead n when r >= 5", "lead t when r contains \"1\""),
                                          ("lead t when r contains \"1\"", "lead n when r >= 5")])
def test_a_schemaless_let_is_read_as_each_use_needs_whatever_the_statement_order(first, second):
    program = leaddsl.compile(f"let r = revenue\n{first}\n{second}\n")
    assert program.evaluate({"revenue": "10"}, as_of=AS_OF).to_dict() == {"n": True, "t": True}
    assert program.evaluate({"revenue": "3"}, as_of=AS_OF).to_dict() == {"n": False, "t": False}


STATEMENTS = [
    "field n1: number", "field t1: text", "field o1: ordinal(lo < mid < hi)", "event page_view(cat: text)",
    "metric pv = count(page_view where cat = product)", "let warm = o1 >= mid or pv(7d) >= 2",
    "let big = n1 >= 10", "lead a when big and warm", "lead b when (t1 = x or big) and not a",
    "lead c when a or b or t1 in {y, z}", "stages b < a",
]


@settings(max_examples=60)
@given(st.randoms(use_true_random=False), st.lists(RECORD, min_size=1, max_size=3))
def test_statement_and_clause_order_change_nothing(rnd, records):
    base = leaddsl.compile("\n".join(STATEMENTS))
    shuffled = STATEMENTS[:]
    rnd.shuffle(shuffled)

    def swap(m):
        parts = m.group(1).split(" or ")
        rnd.shuffle(parts)
        return "(" + " or ".join(parts) + ")"
    shuffled = [re.sub(r"\(([^()]*)\)", swap, s) for s in shuffled]
    other = leaddsl.compile("\n".join(shuffled))
    for record in records:
        record = {k: v for k, v in record.items() if k in ("n1", "t1", "o1", "events")}
        assert every_way(base, record, AS_OF) == every_way(other, record, AS_OF), shuffled


# ----------------------------------------------------------------- cost ----
def test_generated_source_grows_linearly_with_reused_lets():
    """`let a{i+1} = a{i} and a{i}` once pasted every let at every use (depth 16: 5 MB)."""
    def size(depth):
        text = "field x: number\nlet a0 = x > 1\n" + "".join(
            f"let a{i + 1} = a{i} and a{i}\n" for i in range(depth)) + f"lead top when a{depth}\n"
        program = leaddsl.compile(text)
        assert program.evaluate({"x": 2}, as_of=AS_OF)["top"] is True
        assert program.evaluate({"x": 0}, as_of=AS_OF)["top"] is False
        return len(program.source_code)
    small, large = size(8), size(32)
    assert large < small * 4 * 1.5  # 4x the lets: about 4x the source, never 2^24x


def test_what_no_output_uses_is_neither_read_nor_validated():
    program = leaddsl.compile("field revenue: number\nfield unused: number\n"
                              "event page_view(cat: text)\nevent purchase(amount: number)\n"
                              "metric spend = sum(purchase.amount)\nmetric pv = count(page_view)\n"
                              "let warm = pv(7d) >= 2\nlead fit when revenue >= 10\n")
    record = {"revenue": "20", "unused": "abc", "events": [{"type": "purchase", "ts": "never", "amount": "x"}]}
    assert program.evaluate(record, as_of=AS_OF).to_dict() == {"fit": True}
    assert program.symbols == {"revenue"}


def test_a_bad_value_errs_only_the_outputs_that_read_it():
    program = leaddsl.compile("field revenue: number\nfield industry: text\nevent visit()\n"
                              "lead big when revenue >= 10\nlead life when industry = pharma\n"
                              "lead busy when visit(7d) >= 1\nlead both when big or life\nstages life < busy\n")
    record = {"revenue": "lots", "industry": "Pharma",
              "events": [{"type": "visit", "ts": "2026-11-21T00:00:00Z"}]}
    r = program.evaluate(record, as_of=AS_OF, errors="return")
    assert r.to_dict() == {"big": None, "life": True, "busy": True, "both": None, "stage": "busy"}
    assert r.errors == ("revenue: cannot read 'lots' as number",)
    bad_event = dict(record, revenue="20", events=[{"type": "visit", "ts": "yesterday"}])
    r = program.evaluate(bad_event, as_of=AS_OF, errors="return")
    assert r.to_dict() == {"big": True, "life": True, "busy": None, "both": True, "stage": None}
    assert "event 1 (visit): ts" in r.error


def test_a_fresh_process_gives_the_same_answers(tmp_path):
    text = "\n".join(STATEMENTS)
    records = [{"n1": n, "t1": t, "o1": o} for n in (None, 5, "20") for t in ("x", "Y ") for o in ("lo", "hi", None)]
    here = [leaddsl.compile(text).evaluate(r, as_of=AS_OF).to_dict() for r in records]
    script = ("import json, sys, datetime as dt, leaddsl\n"
              "text, records = json.load(sys.stdin)\n"
              "p = leaddsl.compile(text)\n"
              "as_of = dt.datetime(2026, 11, 22, tzinfo=dt.timezone.utc)\n"
              "print(json.dumps([p.evaluate(r, as_of=as_of).to_dict() for r in records]))\n")
    out = subprocess.run([sys.executable, "-c", script], input=json.dumps([text, records]),
                         capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == here


@pytest.mark.parametrize("record", [
    {"n1": 10**400}, {"n1": -(10**400)}, {"n1": 10**300, "n2": 10**300}, {"n1": float("inf")},
    {"events": [{"type": "page_view", "ts": "0001-01-01T00:00:00+14:00", "cat": "product"}]},
    {"events": [{"type": "purchase", "ts": "9999-12-31T23:59:59-10:00", "amount": 1}]},
    {"d1": "0001-01-01T00:00:00+14:00"},
], ids=["huge-int", "huge-negative-int", "huge-product", "inf", "event-before-year-1", "event-after-9999",
        "date-before-year-1"])
def test_values_at_the_edge_of_the_representable_agree_on_every_path(record):
    """Regression: a huge int skipped the reader on the fast path only, and an event before
    year 1 reached `first`/`last` as a bare exception."""
    program = leaddsl.compile(SCHEMA + "metric firstv = first(page_view)\n"
                              "lead a when n1 > 5\nlead b when n1 * n2 / 3 > 1\nlead c when firstv within 30d\n"
                              "lead d when seen within 7d\nlead e when d1 within 30d\nlead f when spend > 0\n")
    assert_agree(program, record)


def test_the_earliest_as_of_time_evaluates():
    program = leaddsl.compile("field d: datetime\nlead recent when d within 30d\nlead old when d < 2026-01-01\n")
    for as_of in (dt.datetime.min, dt.datetime.max, dt.datetime.min.replace(tzinfo=UTC)):
        assert program.evaluate({"d": "2026-01-01"}, as_of=as_of).to_dict() == {"recent": False, "old": False}


def test_event_types_in_data_match_by_label():
    """Exports write "Page View" or "FORM_SUBMIT " for the declared page_view / form_submit."""
    program = leaddsl.compile("event page_view(url: text)\nevent form_submit()\n"
                              "lead a when page_view(7d) >= 3 and form_submit >= 1\n")
    record = {"events": [{"type": "Page View", "ts": "2026-11-21"}, {"type": "page-view", "ts": "2026-11-20"},
                         {"type": " PAGE_VIEW", "ts": "2026-11-19"}, {"type": "FORM_SUBMIT ", "ts": "2026-11-20"},
                         {"type": "pageview", "ts": "2026-11-20"}]}
    assert program.evaluate(record, as_of=AS_OF).to_dict() == {"a": True}
    record["events"] = record["events"][1:]
    assert program.evaluate(record, as_of=AS_OF).to_dict() == {"a": False}  # "pageview" is another type
    assert_agree(program, record)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6), st.sampled_from(["and", "or"]),
                          st.booleans()), min_size=1, max_size=40))
def test_generated_source_grows_linearly_with_any_let_graph(steps):
    """Each let combines two earlier ones (so a let may be used many times, through many
    paths): the generated source stays within a constant factor of the program's text."""
    lines = ["field x: number", "field t: text", "let a0 = x > 1", "let a1 = t = y"]
    for i, (p, q, op, negate) in enumerate(steps, start=2):
        left, right = f"a{p % i}", f"a{q % i}"
        lines.append(f"let a{i} = {'not ' if negate else ''}({left} {op} {right})")
    n = len(steps) + 1
    lines += [f"lead top when a{n}", f"lead mid when a{n // 2} or a{n}"]
    text = "\n".join(lines) + "\n"
    program = leaddsl.compile(text)
    assert len(program.source_code) < 200 * len(text) + 20_000
    assert_agree(program, {"x": 2, "t": "Y"})
    assert_agree(program, {"x": None, "t": "n"})
