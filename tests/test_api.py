"""The Python API of SPEC section 7."""
import datetime as dt
import json

import pytest
from hypothesis import given, strategies as st

import leaddsl

UTC = dt.timezone.utc
AS_OF = dt.datetime(2026, 11, 22, tzinfo=UTC)

PROGRAM = """
field industry: enum(life_science, energy, food)
field revenue: number
field hq_country: text
field seniority: ordinal(individual < manager < director < vp < c_level)
event page_view(page_category: text)
metric product_page_visits = count(page_view where page_category = product)
lead when revenue is present
lead mql when industry = life_science and revenue >= 300M
          and hq_country in {US, CA} and seniority >= vp
          and product_page_visits(any 1d) >= 2
stages lead < mql
"""


@pytest.fixture(scope="module")
def program():
    return leaddsl.compile(PROGRAM, filename="api.lead")


def good(**over):
    rec = {"id": 1, "industry": "Life_Science", "revenue": "$1,200,000,000", "hq_country": " us ",
           "seniority": "VP", "events": [
               {"type": "page_view", "ts": "2026-11-20T10:00:00Z", "page_category": "product"},
               {"type": "page_view", "ts": "2026-11-20T12:00:00Z", "page_category": "PRODUCT"}]}
    rec.update(over)
    return rec


def test_result_interface(program):
    r = program.evaluate(good(), as_of=AS_OF)
    assert r["mql"] is True and r["lead"] is True
    assert r.stage == "mql"
    assert r.to_dict() == {"lead": True, "mql": True, "stage": "mql"}
    assert dict(r) == r.to_dict()


def test_explain_lists_clauses_values_and_reads(program):
    text = program.evaluate(good(revenue=None), as_of=AS_OF).explain()
    assert "mql: false" in text
    assert "[unknown] revenue >= 300M" in text and "revenue = missing" in text
    assert "[true]    industry = life_science" in text
    assert "product_page_visits(any 1d) = 2" in text


def test_evaluate_many_streams_in_input_order(program):
    def records():
        for i in range(5):
            yield good(id=i, revenue=None if i % 2 else "300M")
    it = program.evaluate_many(records(), as_of=AS_OF)
    assert iter(it) is it  # an iterator, not a list
    assert [r["lead"] for r in it] == [True, False, True, False, True]


def test_evaluate_many_is_lazy(program):
    consumed = []

    def records():
        for i in range(1000):
            consumed.append(i)
            yield good()
    it = program.evaluate_many(records(), as_of=AS_OF)
    next(it)
    assert len(consumed) == 1


def test_evaluate_many_error_rows(program):
    results = list(program.evaluate_many([good(), good(revenue="abc"), good()], as_of=AS_OF, errors="return"))
    assert [r.error for r in results] == [None, "revenue: cannot read 'abc' as number", None]
    assert results[1].to_dict() == {"lead": None, "mql": None, "stage": None}
    with pytest.raises(leaddsl.DataError):
        list(program.evaluate_many([good(), good(revenue="abc")], as_of=AS_OF))


def test_data_error_names_field_and_value(program):
    with pytest.raises(leaddsl.DataError) as e:
        program.evaluate(good(seniority="intern"), as_of=AS_OF)
    assert str(e.value).startswith("seniority: cannot read 'intern' as ordinal `seniority`")
    assert e.value.field == "seniority" and e.value.value == "intern"


def test_data_error_regardless_of_clause_order(program):
    # industry is false, so mql is decided before revenue is looked at: the bad value still counts
    with pytest.raises(leaddsl.DataError):
        program.evaluate(good(industry="food", revenue="lots"), as_of=AS_OF)


def test_event_errors_name_the_event(program):
    with pytest.raises(leaddsl.DataError, match=r"event 1 \(page_view\): ts: cannot read 'yesterday'"):
        program.evaluate(good(events=[{"type": "page_view", "ts": "yesterday"}]), as_of=AS_OF)
    with pytest.raises(leaddsl.DataError, match="ts is missing"):
        program.evaluate(good(events=[{"type": "page_view"}]), as_of=AS_OF)


def test_events_after_as_of_do_not_exist(program):
    late = good(events=[{"type": "page_view", "ts": "2026-12-01T00:00:00Z", "page_category": "product"}] * 3)
    assert program.evaluate(late, as_of=AS_OF)["mql"] is False
    assert program.evaluate(late, as_of="2026-12-02")["mql"] is True


def test_dsl_error_lists_every_error():
    with pytest.raises(leaddsl.DslError) as e:
        leaddsl.compile("field a: number\nlead x when a >= 3m\nlead y when b = 1\nlead z when a = \"x\"\n")
    assert [(d.code, d.line) for d in e.value.diagnostics] == [("E101", 2), ("E201", 3), ("E301", 4)]
    d = e.value.diagnostics[0]
    assert (d.file, d.severity, d.column, d.end_line, d.end_column) == ("<string>", "error", 18, 2, 20)


def test_load_reads_a_file(tmp_path):
    p = tmp_path / "x.lead"
    p.write_text(PROGRAM)
    assert leaddsl.load(p).definitions == ("lead", "mql")


def test_as_of_forms(program):
    for as_of in (AS_OF, "2026-11-22T00:00:00Z", dt.date(2026, 11, 22), dt.datetime(2026, 11, 22)):
        assert program.evaluate(good(), as_of=as_of)["mql"] is True
    assert program.evaluate(good())["lead"] is True  # default: now


def test_an_unreadable_as_of_is_a_data_error_naming_it(program):
    for as_of, said in (("yesterday", "as_of: cannot read 'yesterday' as datetime"), ("  ", "as_of: empty"),
                        ("2026-W47-6", "as_of: cannot read '2026-W47-6'")):
        with pytest.raises(leaddsl.DataError, match=said) as e:
            program.evaluate(good(), as_of=as_of)
        assert isinstance(e.value, ValueError) and e.value.field == "as_of"


def test_an_as_of_of_another_type_is_a_data_error_that_is_also_a_type_error(program):
    for as_of in (12345, [2026, 11, 22], 1.5):
        with pytest.raises(leaddsl.DataError, match="as_of must be a datetime, a date or an ISO 8601 string") as e:
            program.evaluate(good(), as_of=as_of)
        assert isinstance(e.value, TypeError) and e.value.field == "as_of"
        with pytest.raises(leaddsl.DataError):
            list(program.evaluate_many([good()], as_of=as_of))


def test_a_value_nested_deeper_than_repr_goes_is_a_data_error_naming_its_field():
    """Found by a SPEC sweep: the bad value's message took repr() of the whole value, which
    raised RecursionError for a JSON value nested some thousand levels deep."""
    deep_list, deep_object = [], 1
    for _ in range(5000):  # (built without recursion: json.loads would need as deep a stack)
        deep_list, deep_object = [deep_list], {"b": deep_object}
    for program_text, value in (("field a: number\nlead x when a > 1", deep_list), ('lead x when a = "z"', deep_object)):
        result = leaddsl.compile(program_text).evaluate({"a": value}, as_of=AS_OF, errors="return")
        assert result.to_dict()["x"] is None and result.errors[0].startswith("a: cannot read ")


def test_matches_on_a_text_holding_a_lone_surrogate_reads_it_as_a_broken_character():
    """JSON allows "\\ud800" (json.loads gives a lone surrogate), UTF-8 and so RE2 cannot hold it:
    `matches` crashed with UnicodeEncodeError. It reads it as U+FFFD, as a UTF-8 decoder would."""
    record = json.loads('{"s": "caf\\ud800e"}')
    for program_text in ('lead x when s matches "^caf.e$"', 'field s: text\nlead x when s matches "caf.e"'):
        assert leaddsl.compile(program_text).evaluate(record, as_of=AS_OF)["x"] is True


def test_lint_of_something_else_than_a_program_says_what_to_pass():
    for wrong in ("lead a when x > 1", None):
        with pytest.raises(TypeError, match=r"lint\(\) takes a compiled program"):
            leaddsl.lint(wrong)


def test_lint_returns_diagnostics_with_positions():
    program = leaddsl.compile("field revenue: number\nlead never when revenue > 5 and revenue < 3\n",
                              filename="x.lead")
    found = leaddsl.lint(program)
    assert [(d.code, d.file, d.line) for d in found] == [("W101", "x.lead", 2)]
    assert found[0].severity == "warning" and found[0].column >= 1 and found[0].end_column > found[0].column


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12)

KEYS = st.sampled_from(["industry", "revenue", "hq_country", "seniority", "events", "id", "x"])


@given(st.one_of(ANY_JSON, st.dictionaries(KEYS, ANY_JSON, max_size=6)))
def test_any_record_gives_a_result_or_data_error(record):
    program = leaddsl.compile(PROGRAM)
    try:
        r = program.evaluate(record, as_of=AS_OF)
    except leaddsl.DataError as e:
        # the message names what could not be read; errors="return" keeps the other outputs
        returned = program.evaluate(record, as_of=AS_OF, errors="return")
        assert returned.errors and str(e) == returned.errors[0]
        assert set(returned.to_dict()) == {"lead", "mql", "stage"}
    else:
        assert set(r.to_dict()) == {"lead", "mql", "stage"}
        assert all(v in (True, False) for k, v in r.items() if k != "stage")


@given(st.dictionaries(st.sampled_from(["a", "b", "c", "events"]), ANY_JSON, max_size=4))
def test_schemaless_any_record(record):
    program = leaddsl.compile("lead hit when a >= 5 and b = foo or c has any {x, y} or c.d is missing "
                              "or page_view(7d) >= 1")
    try:
        r = program.evaluate(record, as_of=AS_OF)
    except leaddsl.DataError as e:
        returned = program.evaluate(record, as_of=AS_OF, errors="return")
        assert returned["hit"] is None and str(e) in returned.errors
    else:
        assert r["hit"] in (True, False)


def test_compile_reads_bytes_as_utf8_and_rejects_what_is_no_text_with_a_dsl_error():
    assert leaddsl.compile(b"\xef\xbb\xbflead x when true").definitions == ("x",)
    with pytest.raises(leaddsl.DslError, match=r"E007 the text is not UTF-8 \(byte 0xe9 at offset 16\)"):
        leaddsl.compile(b"lead x when a = \xe9")
    for wrong in (None, 5, ["lead x when true"]):
        with pytest.raises(leaddsl.DslError, match="compile\\(\\) takes the text of a definition file") as e:
            leaddsl.compile(wrong)
        assert isinstance(e.value, TypeError) and e.value.diagnostics[0].code == "E007"


def test_evaluate_many_of_no_iterable_is_a_data_error_that_is_also_a_type_error(program):
    with pytest.raises(leaddsl.DataError, match=r"evaluate_many\(\) takes an iterable of lead records") as e:
        program.evaluate_many(5)
    assert isinstance(e.value, TypeError)


def test_filter_streams_once(program):
    records = (good(id=i, revenue="300M" if i % 2 else None) for i in range(4))
    assert [r["id"] for r in program.filter(records, "lead", as_of=AS_OF)] == [1, 3]


def test_members_of_different_types_compare_by_name():
    # regression: two ordinals with different orders were compared by rank
    p = leaddsl.compile("field a: ordinal(x < y)\nfield b: ordinal(y < x)\nfield c: enum(x, z)\n"
                        "lead eq when a = b\nlead ec when a = c and c = b")
    assert p.evaluate({"a": "x", "b": "x", "c": "x"}, as_of=AS_OF).to_dict() == {"eq": True, "ec": True}
    assert p.evaluate({"a": "x", "b": "y", "c": "z"}, as_of=AS_OF).to_dict() == {"eq": False, "ec": False}


def test_explain_from_evaluate_many_needs_explain_true(program):
    [plain] = program.evaluate_many([good()], as_of=AS_OF)
    with pytest.raises(ValueError, match="explain=True"):
        plain.explain()
    [kept] = program.evaluate_many([good()], as_of=AS_OF, explain=True)
    assert "mql: true" in kept.explain()


def test_explain_shows_the_events_of_a_sequence():
    p = leaddsl.compile("event meeting()\nevent page_view(cat: text)\n"
                        "lead x when meeting then (page_view where cat = product) within 2d")
    text = p.explain({"events": [{"type": "meeting", "ts": "2026-11-10T10:00:00Z"},
                                 {"type": "page_view", "ts": "2026-11-11T10:00:00Z", "cat": "product"},
                                 {"type": "page_view", "ts": "2026-11-11T11:00:00Z", "cat": "blog"}]},
                     as_of=AS_OF)
    assert "[true]    meeting then (page_view where cat = product) within 2d" in text
    assert "meeting: 1 event(s): 2026-11-10T10:00:00Z; page_view: 1 event(s): 2026-11-11T10:00:00Z" in text


def test_check_reports_errors_without_raising(tmp_path):
    good = tmp_path / "good.lead"
    good.write_text("field revenue: number\nlead never when revenue > 5 and revenue < 3\n")
    bad = tmp_path / "bad.lead"
    bad.write_text("field revenue: number\nlead x when revenu > 5\n")
    checked = leaddsl.check(good)
    assert checked.program is not None and [d.code for d in checked.diagnostics] == ["W101"]
    checked = leaddsl.check(bad)
    assert checked.program is None and [(d.code, d.line) for d in checked.diagnostics] == [("E201", 2)]
    assert str(bad) in checked.sources and "revenu" in checked.sources[str(bad)].text


def test_parse_as_of_reads_iso_text():
    assert leaddsl.parse_as_of("2026-11-22") == dt.datetime(2026, 11, 22, tzinfo=UTC)
    with pytest.raises(ValueError):
        leaddsl.parse_as_of("yesterday")


def test_explain_shows_the_counted_events_with_their_properties():
    program = leaddsl.compile('event page_view(url: text)\nevent download(asset: text)\n'
                              'metric pv = count(page_view where url contains "pricing")\n'
                              'lead a when pv(7d) >= 1 and download then page_view within 2d\n')
    record = {"events": [{"type": "Page View", "ts": "2026-11-21T10:00:00Z", "url": "/pricing"},
                         {"type": "page_view", "ts": "2026-11-10T10:00:00Z", "url": "/pricing/old"},
                         {"type": "download", "ts": "2026-11-20T09:00:00Z", "asset": "whitepaper.pdf"}]}
    text = program.explain(record, as_of=AS_OF)
    assert "pv(7d) = 1 [last 1w; 1 event(s): 2026-11-21T10:00:00Z (url = /pricing)]" in text
    assert "download: 1 event(s): 2026-11-20T09:00:00Z (asset = whitepaper.pdf)" in text


def test_explain_of_a_record_with_a_bad_value_shows_what_it_could_read():
    program = leaddsl.compile("field revenue: number\nfield industry: text\n"
                              "lead big when revenue >= 10\nlead life when industry = pharma\n")
    text = program.explain({"revenue": "lots", "industry": "Pharma"}, as_of=AS_OF)
    assert "error: revenue: cannot read 'lots' as number" in text
    assert "big: error" in text and "life: true" in text and "industry = pharma" in text
    assert "revenue = \"lots\" (cannot be read as number)" in text


def test_a_definition_as_deep_as_the_parser_takes_works_from_a_deep_caller():
    # every pass walks a definition by recursion, a few frames a level: from a caller already
    # 400 frames deep (a web framework, a task queue) a 195-level definition was a RecursionError
    deep = "revenue > 0"
    for i in range(97):
        deep = f"(revenue != {i} and ({deep} or revenue = {i}))"
    text = "field revenue: number\nlead nested when " + deep + "\n"

    def nest(k, work):
        return work() if k == 0 else nest(k - 1, work)

    def work():
        program = leaddsl.compile(text)
        bad = program.evaluate({"revenue": "abc"}, as_of=AS_OF, errors="return")
        return (program.evaluate({"revenue": 9999}, as_of=AS_OF)["nested"], bad.errors,
                "nested: true" in program.explain({"revenue": 9999}, as_of=AS_OF),
                {d.code for d in leaddsl.lint(program)}, "SELECT" in program.to_sql("duckdb"))
    assert nest(400, work) == (True, ("revenue: cannot read 'abc' as number",), True, {"W102", "W110"}, True)
