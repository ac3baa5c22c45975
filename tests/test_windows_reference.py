"""The evaluator against a brute-force reference of the window semantics (SPEC section 5),
on random event streams: every window ``(t - d, t]`` is enumerated directly."""
import datetime as dt

from hypothesis import given, settings, strategies as st

import leaddsl

UTC = dt.timezone.utc
AS_OF = dt.datetime(2026, 11, 22, tzinfo=UTC)
MIN = 60

# events within ~3 days before (and a little after) the as-of time, on a minute grid so that
# ties and exact boundaries are frequent
EVENTS = st.lists(st.tuples(st.integers(-3 * 24 * 60, 60), st.integers(-5, 20)), max_size=12)
DURATIONS = st.sampled_from([("30min", 30), ("1h", 60), ("2h", 120), ("1d", 1440), ("2d", 2880)])


def iso(minutes: int) -> str:
    return (AS_OF + dt.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def windows(events, d):
    """Every distinct window content (t - d, t], t <= as_of, as lists of (minute, amount)."""
    times = sorted({m for m, _ in events} | {m + d for m, _ in events})
    out = [[]]  # t far in the past: the empty window
    for t in times:
        if t <= 0:
            out.append([e for e in events if t - d < e[0] <= t])
    return out


def agg(func, evs):
    if func == "count":
        return len(evs)
    if func == "sum":
        return sum(a for _, a in evs)
    if func == "days":
        return len({(AS_OF + dt.timedelta(minutes=m)).date() for m, _ in evs})
    raise AssertionError(func)


def reference(func, events, d, mode):
    past = [e for e in events if e[0] <= 0]
    if mode == "all":
        return agg(func, past)
    if mode == "last":
        return agg(func, [e for e in past if -d < e[0]])
    return max(agg(func, w) for w in windows(events, d))


PROGRAM = """
event visit(amount: number)
metric c = count(visit)
metric s = sum(visit.amount)
metric dd = days(visit)
"""


@settings(max_examples=200)
@given(EVENTS, DURATIONS, st.sampled_from(["count", "sum", "days"]), st.sampled_from(["all", "last", "any"]))
def test_aggregates_match_brute_force(events, duration, func, mode):
    text, d = duration
    name = {"count": "c", "sum": "s", "days": "dd"}[func]
    use = name if mode == "all" else f"{name}({text})" if mode == "last" else f"{name}(any {text})"
    expected = reference(func, events, d, mode)
    program = leaddsl.compile(PROGRAM + f"lead at_least when {use} >= {expected}\n"
                                        f"lead more when {use} >= {expected + 1}\n"
                                        f"lead exactly when {use} = {expected}\n")
    record = {"events": [{"type": "visit", "ts": iso(m), "amount": a} for m, a in events]}
    got = program.evaluate(record, as_of=AS_OF).to_dict()
    assert got == {"at_least": True, "more": False, "exactly": True}, (use, expected, events)
    # explain reports the same answers
    text = program.explain(record, as_of=AS_OF)
    for name, value in got.items():
        assert f"\n{name}: {'true' if value else 'false'}\n" in text + "\n"


SEQ_EVENTS = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(-2 * 24 * 60, 30)), max_size=8)


def reference_sequence(events, first, second, d):
    past = [(i, k, m) for i, (k, m) in enumerate(events) if m <= 0]
    for i, k1, m1 in past:
        for j, k2, m2 in past:
            if k1 == first and k2 == second and i != j and m1 <= m2 and (d is None or m2 <= m1 + d):
                return True
    return False


@settings(max_examples=200)
@given(SEQ_EVENTS, st.sampled_from(["a", "b"]), st.sampled_from(["a", "b"]),
       st.sampled_from([(None, None), ("1h", 60), ("1d", 1440)]))
def test_sequences_match_brute_force(events, first, second, duration):
    text, d = duration
    within = f" within {text}" if text else ""
    program = leaddsl.compile(f"event a()\nevent b()\nlead seq when {first} then {second}{within}\n")
    record = {"events": [{"type": k, "ts": iso(m)} for k, m in events]}
    got = program.evaluate(record, as_of=AS_OF)["seq"]
    assert got == reference_sequence(events, first, second, d), events
    assert f"\nseq: {'true' if got else 'false'}\n" in program.explain(record, as_of=AS_OF) + "\n"
