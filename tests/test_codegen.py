"""The generated fast path, the closure path and the explain path agree; and no
definition can smuggle code into the generated source."""
import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from leaddsl.events import to_us

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


def _pair(result):
    return tuple(v for k, v in result.items() if k != "stage"), result.stage


def three_ways(program, record):
    """(fast, closures, explain) results, each a dict or the string 'DataError'."""
    out = []
    for fn in (lambda: _pair(program._fast_bulk(record, AS_OF, to_us(AS_OF), None, (program, AS_OF, None))),
               lambda: program._slow(record, AS_OF, None),
               lambda: (tuple(program.traced(record, AS_OF)[0].values()), None)):
        try:
            values, _stage = fn()
            out.append(values)
        except leaddsl.DataError:
            out.append("DataError")
    return out


@settings(max_examples=300)
@given(st.lists(exprs(), min_size=1, max_size=3), st.lists(RECORD, min_size=1, max_size=4))
def test_fast_closure_and_explain_paths_agree(conditions, records):
    text = SCHEMA + "".join(f"lead r{i} when {c}\n" for i, c in enumerate(conditions))
    text += "let helper = n1 > 1 or t1 = x\nlead combo when helper and r0\n"
    program = leaddsl.compile(text)
    assert program.source_code is not None
    for record in records:
        fast, slow, traced = three_ways(program, record)
        assert fast == slow == traced, (text, record)


@settings(max_examples=100)
@given(st.lists(st.sampled_from(["a >= 5", "b = foo", "c has any {x, y}", "c.d is missing", "a + 1 > 5", "b = a",
                                 "page_view(7d) >= 1", "t contains \"o\"", "a between 1 and 9", "flag"]),
                min_size=1, max_size=4),
       st.dictionaries(st.sampled_from(["a", "b", "c", "t", "flag"]),
                       st.one_of(MISSING, st.integers(0, 9), st.sampled_from(["7", "foo", "FOO", "x;y", "abc", "true"]),
                                 st.booleans(), st.just({"d": 1})), max_size=5))
def test_schemaless_paths_agree(conditions, record):
    program = leaddsl.compile("".join(f"lead r{i} when {c}\n" for i, c in enumerate(conditions)))
    fast, slow, traced = three_ways(program, record)
    assert fast == slow == traced


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
    fast, slow, traced = three_ways(program, {"x": text})
    assert fast == slow == traced
