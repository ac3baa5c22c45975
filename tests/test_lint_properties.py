"""Properties of the linter's logic, with the interpreter as the oracle.

Random small programs over a number, an ordinal and an enum field (and/or/not,
comparisons, between, in / not in, is missing / is present, a `let` and lead
names) are checked against *every* record of a grid that holds each literal, a
value either side of it, and missing values:

* whatever the linter calls "never true" (W101, and ``never_true`` of any
  condition) is true for no record;
* whatever it calls "always true" (W103, ``always_true``) is true for every
  record whose values are present (for every record, when it says so without
  "when ... present");
* the z3 encoding over-approximates the interpreter: pinning a record's values,
  the interpreter's true/false/unknown for every condition is a model.
"""
from __future__ import annotations

import itertools
import re

import pytest
import z3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import leaddsl
from leaddsl.lint.context import LintContext
from leaddsl.lint.encode import AND, real

FIELDS = "field a: number\nfield b: ordinal(lo < mid < hi)\nfield c: enum(x, y, z)\n"
NUMS = ["0", "1", "5", "10"]
RANKS = ["lo", "mid", "hi"]
MEMBERS = ["x", "y", "z"]
A_VALUES = [None, -0.5, 0, 0.5, 1, 1.5, 4.5, 5, 5.5, 9.5, 10, 10.5]
B_VALUES = [None, "lo", "mid", "hi"]
C_VALUES = [None, "x", "y", "z"]
RECORDS = [{"a": a, "b": b, "c": c} for a, b, c in itertools.product(A_VALUES, B_VALUES, C_VALUES)]
PRESENT = [r for r in RECORDS if None not in r.values()]

PROPERTY = settings(max_examples=100, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

_ops = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])


def _set(values):
    return st.lists(st.sampled_from(values), max_size=3, unique=True).map(lambda xs: "{" + ", ".join(xs) + "}")


ATOMS = st.one_of(
    st.builds(lambda o, v: f"a {o} {v}", _ops, st.sampled_from(NUMS)),
    st.builds(lambda lo, hi: f"a between {lo} and {hi}", st.sampled_from(NUMS), st.sampled_from(NUMS)),
    st.builds(lambda s, neg: f"a {'not in' if neg else 'in'} {s}", _set(NUMS), st.booleans()),
    st.builds(lambda o, v: f"b {o} {v}", _ops, st.sampled_from(RANKS)),
    st.builds(lambda lo, hi: f"b between {lo} and {hi}", st.sampled_from(RANKS), st.sampled_from(RANKS)),
    st.builds(lambda s, neg: f"b {'not in' if neg else 'in'} {s}", _set(RANKS), st.booleans()),
    st.builds(lambda o, v: f"c {o} {v}", st.sampled_from(["=", "!="]), st.sampled_from(MEMBERS)),
    st.builds(lambda s, neg: f"c {'not in' if neg else 'in'} {s}", _set(MEMBERS), st.booleans()),
    st.builds(lambda f, w: f"{f} is {w}", st.sampled_from("abc"), st.sampled_from(["missing", "present"])),
)


def combined(leaves, max_leaves=6):
    """Conditions built from ``leaves`` with n-ary and/or and not."""
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.builds(lambda xs, op: "(" + f" {op} ".join(xs) + ")",
                      st.lists(inner, min_size=2, max_size=3), st.sampled_from(["and", "or"])),
            st.builds(lambda x: f"not ({x})", inner),
        ),
        max_leaves=max_leaves,
    )


def expressions(names=()):
    return combined(ATOMS if not names else st.one_of(ATOMS, st.sampled_from(list(names))))


_LET, _P, _Q = expressions(), expressions(["l"]), expressions(["l", "p"])  # built once


@st.composite
def programs(draw):
    let, p, q = draw(_LET), draw(_P), draw(_Q)
    return f"{FIELDS}let l = {let}\nlead p when {p}\nlead q when {q}\n"


def _compile(text):
    try:
        return leaddsl.compile(text, filename="prop.lead")
    except leaddsl.DslError:
        assume(False)


def span_text(text: str, span) -> str:
    lines = text.split("\n")
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1: span.end_column - 1]
    parts = [lines[span.line - 1][span.column - 1:]] + lines[span.line: span.end_line - 1] + \
        [lines[span.end_line - 1][: span.end_column - 1]]
    return "\n".join(parts)


def with_probes(text: str, sources: list[str]) -> tuple[leaddsl.Program, list[str]]:
    """The program plus `lead probe_<i> when (<source>)` for each source."""
    lines = [f"lead probe_{i} when ({src})" for i, src in enumerate(sources)]
    lines += [f"lead probe_not_{i} when not ({src})" for i, src in enumerate(sources)]
    return leaddsl.compile(text + "\n".join(lines) + "\n", filename="prop.lead"), \
        [f"probe_{i}" for i in range(len(sources))]


def conditions(program):
    """Every condition of every root, with the logic that encodes them."""
    ctx = LintContext(program)
    logic = ctx.logic
    return logic, [x for root in ctx.roots for x in logic.tree(root.node)]



pytestmark = pytest.mark.usefixtures("strict_lint")


# ---------------------------------------------------------------- properties ----
@PROPERTY
@given(programs())
def test_findings_never_true_and_always_true_hold(text):
    program = _compile(text)
    found = [d for d in leaddsl.lint(program) if d.code in ("W101", "W103")]
    if not found:
        return
    spans = [_span(d) for d in found]
    probed, names = with_probes(text, [span_text(text, s) for s in spans])
    results = list(zip(RECORDS, probed.evaluate_many(RECORDS)))
    for d, name in zip(found, names):
        if d.code == "W101":
            bad = [r for r, res in results if res[name]]
            assert not bad, f"{d} is true for {bad[0]}"
        else:
            present = " present" in d.message
            bad = [r for r, res in results if not res[name] and (not present or None not in r.values())]
            assert not bad, f"{d} is not true for {bad[0]}"


@PROPERTY
@given(programs())
def test_never_true_and_always_true_of_every_condition_hold(text):
    program = _compile(text)
    logic, nodes = conditions(program)
    claims = []
    for node in nodes:
        if logic.never_true(node):
            claims.append(("never", node))
        if logic.always_true(node):
            presence = not logic.cond(node).tests
            claims.append(("always-present" if presence else "always", node))
    if not claims:
        return
    probed, names = with_probes(text, [span_text(text, node.span) for _, node in claims])
    results = list(zip(RECORDS, probed.evaluate_many(RECORDS)))
    for (kind, node), name in zip(claims, names):
        src = span_text(text, node.span)
        if kind == "never":
            assert not any(res[name] for _, res in results), f"`{src}` called never true"
        else:
            present = kind == "always-present"
            assert all(res[name] for r, res in results if not present or None not in r.values()), \
                f"`{src}` called always true"


@PROPERTY
@given(programs(), st.lists(st.sampled_from(RECORDS), min_size=1, max_size=8, unique_by=repr))
def test_encoding_over_approximates_the_interpreter(text, records):
    program = _compile(text)
    logic, nodes = conditions(program)
    probed, names = with_probes(text, [span_text(text, node.span) for node in nodes])
    enc = logic.enc
    for record in records:
        result = probed.evaluate(record)
        facts = [_pin(enc, name, record[name]) for name in "abc"]
        for node, name in zip(nodes, names):
            c = logic.cond(node)
            if result[name]:
                facts.append(c.t)
            elif result[name.replace("probe_", "probe_not_")]:
                facts.append(c.f)
            else:
                facts.append(c.unknown)
        assert logic.sat(AND(*facts)) is True, f"the encoding has no model for {record}"


# ------------------------------------------------------------------- helpers ----
def _span(d):
    from leaddsl.source import Span
    return Span(d.file, d.line, d.column, d.end_line, d.end_column)


def _pin(enc, name, value):
    v = enc.field_val(name)
    if value is None:
        return z3.Not(v.present)
    if v.kind == "num":
        return z3.And(v.present, v.term == real(value))
    members = list(v.type.members)
    return z3.And(v.present, v.term == members.index(value))


def test_the_grid_covers_missing_and_present_values():
    assert len(RECORDS) == 192 and len(PRESENT) == 99
    assert any(r["a"] is None for r in RECORDS)


def test_the_properties_are_not_vacuous():
    """The generated programs do hit both kinds of claim (a fixed sample)."""
    text = FIELDS + "let l = (a > 5 and a < 1)\nlead p when (b >= lo or c = x)\nlead q when (l or p)\n"
    logic, nodes = conditions(_compile(text))
    assert any(logic.never_true(x) for x in nodes) and any(logic.always_true(x) for x in nodes)


# ------------------------------------------------- the whole language, sampled ----
# The same claims over every type the encoder models (text keys, bools, dates,
# lists, event counts and their windows, sums, maxima, sequences, arithmetic),
# against random records with events. Counterexamples are likelier here to be
# missed than on the grid above, but a wrong claim still has little room: the
# values are drawn from the literals of the programs.
WIDE_SCHEMA = """\
field n: number
field t: text
field e: enum(x, y, z)
field o: ordinal(lo < mid < hi)
field f: bool
field d: date
field seen: datetime
field tags: list(text)
field kinds: list(enum(red, green, blue))
event v(cat: enum(x, y), amount: number)
event w(note: text)
metric vc = count(v where cat = x)
metric vs = sum(v.amount)
metric vmax = max(v.amount)
metric vlast = last(v)
metric vdays = days(v)
"""
AS_OF = "2026-11-22T00:00:00Z"
WIDE_ATOMS = st.sampled_from([
    "n >= 5", "n < 5", "n = 0", "n != 10", "n between 0 and 5", "n in {0, 5}", "-n < 0", "n + 1 > 5",
    "n / 2 = 1", "n * n >= 25",
    't = "a"', 't = " A "', 't != "b"', 't in {"a", "b"}', 't not in {"a"}', 't contains "a"',
    't matches "^a"', 't starts with "a"',
    "e = x", "e != y", "e in {x, z}", "o >= mid", "o < hi", "o between lo and mid",
    "f", "f = true", "f != false", "not f",
    "d >= 2026-11-01", "d < 2026-11-02", "d within 30d", "seen within 7d", "seen > 2026-11-20T12:00:00Z",
    'tags has "a"', 'tags has any {"a", "b"}', 'tags has all {"a"}', "tags has all {}", "tags is empty",
    "kinds has red", "kinds has any {green, blue}", "kinds is not empty",
    "vc >= 1", "vc(7d) >= 2", "vc(any 1d) >= 2", "vc(30d) < 1", "v(7d) >= 1", "v >= 3", "v(any 2d) >= 2",
    "vs >= 5", "vs(any 1d) > 3", "vs < 0", "vmax > 5", "vmax is missing", "vlast within 3d", "vdays(7d) >= 2",
    "vdays >= 1", "v then w within 1d", "(v where cat = y) then v within 2d",
    "n is missing", "t is present", "e is missing", "o is present", "f is missing", "d is present",
])
_WIDE_LET = combined(WIDE_ATOMS, max_leaves=5)
_WIDE_P = combined(st.one_of(WIDE_ATOMS, st.just("l")), max_leaves=5)

_ts = st.integers(0, 40 * 24).map(lambda h: f"2026-{10 + (h // 24 >= 22)}-{(h // 24) % 30 + 1:02d}T{h % 24:02d}:00:00Z")


def _event(kind):
    if kind == "v":
        return st.fixed_dictionaries({"type": st.just("v"), "ts": _ts, "cat": st.sampled_from(["x", "y", None]),
                                      "amount": st.sampled_from([-2, 0, 3, 5, 6, None])})
    return st.fixed_dictionaries({"type": st.just("w"), "ts": _ts, "note": st.sampled_from(["a", None])})


WIDE_RECORDS = st.fixed_dictionaries({
    "n": st.sampled_from([None, -1, 0, 2, 4.5, 5, 5.5, 10, 24]),
    "t": st.sampled_from([None, "", "a", " A ", "b", "ab", "ba", "c"]),
    "e": st.sampled_from([None, "x", "y", "z"]),
    "o": st.sampled_from([None, "lo", "mid", "hi"]),
    "f": st.sampled_from([None, True, False]),
    "d": st.sampled_from([None, "2026-10-01", "2026-11-01", "2026-11-02", "2026-11-21"]),
    "seen": st.sampled_from([None, "2026-11-10T00:00:00Z", "2026-11-20T12:00:00Z", "2026-11-21T00:00:00Z"]),
    "tags": st.sampled_from([None, [], ["a"], ["b"], ["a", "b"], ["A ", "c"]]),
    "kinds": st.sampled_from([None, [], ["red"], ["green", "blue"], ["Red "]]),
    "events": st.lists(st.one_of(_event("v"), _event("w")), max_size=6),
})


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_WIDE_LET, _WIDE_P, _WIDE_P, st.lists(WIDE_RECORDS, min_size=4, max_size=12))
def test_claims_hold_across_the_language(let, p, q, records):
    text = f"{WIDE_SCHEMA}let l = {let}\nlead p when {p}\nlead q when {q}\n"
    program = _compile(text)
    logic, nodes = conditions(program)
    claims = []
    for node in nodes:
        if logic.never_true(node):
            claims.append(("never", node))
        if logic.always_true(node):
            claims.append(("always", node))
    if not claims:
        return
    probed, names = with_probes(text, [span_text(text, node.span) for _, node in claims])
    for record in records:
        result = probed.evaluate(record, as_of=AS_OF)
        for (kind, node), name in zip(claims, names):
            src = span_text(text, node.span)
            if kind == "never":
                assert not result[name], f"`{src}` called never true; true for {record}"
            elif logic.cond(node).tests or _all_present(logic, node, probed, record):
                assert result[name], f"`{src}` called always true; not for {record}"


def _all_present(logic, node, program, record) -> bool:
    """Every value the condition reads is present in the record (as the program reads it)."""
    for info in logic.enc.assumable(logic.cond(node).vars):
        key = info.key
        if key[0] != "field":
            return False  # an optional metric: we do not recompute it here
        value = record.get(key[1])
        if value is None or value == "" or value == []:
            return False
    return True


# ------------------------------------------------------------ schemaless ----
# Without a schema a key is read in the mode its comparison needs (text, number,
# as it is), so one key can have several variables; they share its presence.
SCHEMALESS_ATOMS = st.sampled_from([
    'x = "a"', 'x != "b"', 'x in {"a", "b"}', 'x not in {"a"}', "x is missing", "x is present",
    "y >= 5", "y < 5", "y = 4.5", "y between 1 and 5", "y is missing", 'x contains "a"',
])
_SCHEMALESS = combined(SCHEMALESS_ATOMS, max_leaves=5)
SCHEMALESS_RECORDS = [{"x": x, "y": y} for x in (None, "", "N/A", "a", " A ", "b", "ab", 5)
                      for y in (None, "", "-", 1, 4.5, 5, "5", 7)]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_SCHEMALESS, _SCHEMALESS)
def test_claims_hold_without_a_schema(p, q):
    _claims_hold(f"lead p when {p}\nlead q when {q}\n", SCHEMALESS_RECORDS, ("", "N/A", "-"))


# ------------------------------------------------ as the evaluator reads ----
# The encoding translates the plan, so it sees what the evaluator sees: one column
# read by two fields is one value, a member compared with a text compares its
# folded name, a schemaless let is read in each mode its uses need.
PLAN_SCHEMA = ("field n: number\nfield n2: number from \"n\"\nfield o: ordinal(lo < mid < hi)\n"
               "field e: enum(x, y)\nfield s: text\n")
PLAN_ATOMS = st.sampled_from([
    "n >= 5", "n2 < 5", "n2 = 5", "o = s", "e = s", "o != s", 's = "MID"', 's = " x"', 's != "lo"',
    "o < mid", "o = hi", "e = y", "e != x", "s is missing", "o is present", 's in {"y", "HI"}',
])
PLAN_RECORDS = [{"n": n, "o": o, "e": e, "s": s}
                for n in (None, 4, 5, 6) for o in (None, "lo", "mid", "hi") for e in (None, "x", "y")
                for s in (None, "mid", " Hi", "x", "lo")]
LET_ATOMS = st.sampled_from([
    'l = "a"', 'l = " A"', "l > 5", "l < 3", "l = 5", "l is missing", 'l != "b"', 'l in {"a", "b"}', 'x = "a"',
    "x > 6", "l",
])
LET_RECORDS = [{"x": x} for x in (None, "", "a", " A ", "b", 1, 5, 7, "7", True, False)]


def _claims_hold(text, records, blanks=("",)):
    """Every never-true claim is false, and every always-true claim true, on each record
    (always-true only where the claim does not test presence, or no value is missing: None
    or one of ``blanks``)."""
    program = _compile(text)
    logic, nodes = conditions(program)
    claims = [("never", x) for x in nodes if logic.never_true(x)]
    claims += [("always", x) for x in nodes if logic.always_true(x)]
    leaddsl.lint(program)  # every rule runs (strict: none raises)
    if not claims:
        return
    probed, names = with_probes(text, [span_text(text, node.span) for _, node in claims])
    for record in records:
        try:
            result = probed.evaluate(record)
        except leaddsl.DataError:
            continue  # "a" read as a number: no result for this record
        for (kind, node), name in zip(claims, names):
            src = span_text(text, node.span)
            if kind == "never":
                assert not result[name], f"`{src}` called never true; true for {record}"
            elif logic.cond(node).tests or all(v is not None and v not in blanks for v in record.values()):
                assert result[name], f"`{src}` called always true; not for {record}"


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(combined(PLAN_ATOMS, max_leaves=5), combined(PLAN_ATOMS, max_leaves=5))
def test_claims_hold_for_shared_columns_and_members_named_by_text(p, q):
    _claims_hold(f"{PLAN_SCHEMA}lead p when {p}\nlead q when {q}\n", PLAN_RECORDS)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(combined(LET_ATOMS, max_leaves=5), combined(LET_ATOMS, max_leaves=5))
def test_claims_hold_for_a_schemaless_let_read_in_several_modes(p, q):
    _claims_hold(f"let l = x\nlead p when {p}\nlead q when {q}\n", LET_RECORDS)


# ------------------------------------------------------- W110's rewrites ----
_REWRITE = re.compile(r"to (include|exclude) them(?: on purpose)? write `([^`]*)`")
_BLANKS = re.compile(r"with no (`[^`]+`(?: or `[^`]+`)*)")


def _three(result, t, f):
    """True, False or None (unknown) from the probes of a condition and its negation;
    "err" when the record made it err."""
    if result[t] is None or result[f] is None:
        return "err"
    return True if result[t] else False if result[f] else None


def w110_rewrites_keep_their_promise(text, records):
    """Each rewrite W110 offers agrees with the negation wherever the negation is true
    or false; where it is unknown, the `is missing` rewrite is true exactly when a named
    blank is missing, the `is present` one false exactly then. The definition with the
    rewrite keeps every verdict the original reaches. Returns how many rewrites it checked."""
    program = _compile(text)
    checked = 0
    for d in leaddsl.lint(program):
        if d.code != "W110":
            continue
        named = re.findall(r"`([^`]+)`", _BLANKS.search(d.message).group(1))
        lines = text.split("\n")
        assert d.line == d.end_line
        row = lines[d.line - 1]
        negation = row[d.column - 1: d.end_column - 1]
        for way, rewrite in _REWRITE.findall(d.hint or ""):
            checked += 1
            new = list(lines)
            new[d.line - 1] = row[: d.column - 1] + rewrite + row[d.end_column - 1:]
            bodies = [x.split(" when ", 1)[1] for x in lines if x.startswith("lead ")]
            new_bodies = [x.split(" when ", 1)[1] for x in new if x.startswith("lead ")]

            def probes(src, conds):
                return src + "".join(f"lead t{i} when ({c})\nlead f{i} when not ({c})\n"
                                     for i, c in enumerate(conds))

            old = leaddsl.compile(probes(text, [negation, *bodies]), filename="old.lead")
            rew = leaddsl.compile(probes("\n".join(new), [rewrite, *new_bodies]), filename="new.lead")
            for record in records:
                a, b = old.evaluate(record, errors="return"), rew.evaluate(record, errors="return")
                vals = [(_three(a, f"t{i}", f"f{i}"), _three(b, f"t{i}", f"f{i}"))
                        for i in range(1 + len(bodies))]
                (n, r), defs = vals[0], vals[1:]
                if n == "err" or r == "err":
                    continue
                blank = any(record.get(x) is None for x in named)
                if n is not None:
                    assert r == n, f"{rewrite!r} is {r} where {negation!r} is {n}: {record}"
                else:
                    want = (blank or None) if way == "include" else (False if blank else None)
                    assert r == want, f"{rewrite!r} is {r} where {negation!r} is unknown: {record}"
                for o, w in defs:
                    if o not in (None, "err") and w != "err":
                        assert w == o, f"the definition with {rewrite!r} is {w}, was {o}: {record}"
    return checked


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_LET, _P)
def test_w110_rewrites_never_change_a_decided_lead(let, p):
    w110_rewrites_keep_their_promise(f"{FIELDS}let l = {let}\nlead p when {p}\n", RECORDS)
