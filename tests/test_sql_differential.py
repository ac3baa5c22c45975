"""The interpreter against DuckDB running the generated query: random programs (the
generator of test_oracle), leads as text cells with missing and messy values, events
around window boundaries, several as-of times. Every output agrees, erred ones (None)
included, and so does the error text: the same messages in the same order, each event
named at its line of the events table as `eval --engine` names it.

LEADDSL_SQL_EXAMPLES sets the number of examples (default 200; the long setting: 10000)."""
import datetime as dt
import json
import os
import re

import duckdb
from hypothesis import given, settings, strategies as st

import leaddsl
from leaddsl.sql.lines import as_python
from test_oracle import ANCHORS, SCHEMA, exprs, iso

UTC = dt.timezone.utc
BASE = dt.datetime(2026, 11, 22, tzinfo=UTC)
EXAMPLES = int(os.environ.get("LEADDSL_SQL_EXAMPLES", "200"))
COLUMNS = ["n1", "n2", "t1", "e1", "o1", "b1", "l1", "d1", "day", "Annual Revenue", "company.size", "tags", "scores"]

MISSING = st.sampled_from([None, "", "N/A", "-", "null", " na "])
CELL = {
    "n1": st.one_of(MISSING, st.sampled_from(["0", "1", "2", "5", "-3", "1,000", "$5", "2.5", "1k", " 3 ", "abc",
                                              "1,2,3", "1.5 million", "2bn", "3e2"])),
    "n2": st.one_of(MISSING, st.sampled_from(["-2", "0", "2", "5"])),
    "t1": st.one_of(MISSING, st.sampled_from(["x", " X ", "y", "axby", "xyz", "b", "École", "ÉCOLE ", "5",
                                              "it's; --", "a\\b"])),
    "e1": st.one_of(MISSING, st.sampled_from(["a", "B", " c ", "zzz", " Ab", "ß", "\u212a", "\u0130"])),
    "o1": st.one_of(MISSING, st.sampled_from(["lo", "MID", "hi", " Hi ", "maybe", "HII"])),
    "b1": st.one_of(MISSING, st.sampled_from(["true", "False", "yes", "0", "No", "1", "maybe"])),
    "l1": st.one_of(MISSING, st.sampled_from(["x; y", "X", "a;b", "x;;N/A", " Y "])),
    "d1": st.one_of(MISSING, st.sampled_from(["2026-11-01", "2026-10-01T00:00:00Z", "2026-11-22T00:00:00Z", "2027-01-01",
                                              "2026-11-21T23:30:00-02:00", "2026-10-23T00:00:01Z", "2026-02-30",
                                              "zzz"])),
    "day": st.one_of(MISSING, st.sampled_from(["2026-11-01", "2026-11-15", "2026-11-21T23:30:00-02:00", "2026-11-22"])),
    "Annual Revenue": st.one_of(MISSING, st.sampled_from(["$1.5M", "2bn", "500", "300MM", "999,999", "abc"])),
    "company.size": st.one_of(MISSING, st.sampled_from(["11", "10", "1k", "x"])),
    "tags": st.one_of(MISSING, st.sampled_from(["x;Y", "z", "x; w", " y ;x"])),
    "scores": st.one_of(MISSING, st.sampled_from(["5;1", "2.5;1k", "abc", "1;N/A", "zz;1;abc;zz"])),
}
TS = st.builds(lambda a, d, z: iso(a + d, z), st.sampled_from(ANCHORS), st.sampled_from([-1, 0, 0, 1, -30, 30]),
               st.sampled_from(["Z", "Z", "naive", "2", "-5"]))
EVENT = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["page_view", "Page View", "purchase", "meeting", "other"]),
                           "ts": st.one_of(TS, TS, TS, st.sampled_from(["", "yesterday", "2026-13-01", "2026-11-21"])),
                           "cat": st.sampled_from([None, "product", "Product ", "blog", "N/A", "Prodüct", "ﬁ",
                                                   "PRODUC\u212aT", "Straße"]),
                           "amount": st.sampled_from([None, "1", "5", "10", "2.5", "-3", "$1k", "-", "abc"])}))
LEAD = st.builds(lambda cells, events: (cells, events), st.fixed_dictionaries(CELL), st.lists(EVENT, max_size=6))


EVENT_MESSAGE = re.compile(r"(?:lead \d+, )?event (\d+) \((\w+)\): (.*)", re.DOTALL)


def same_error(program, got, want, lines) -> None:
    """The query's error (its events put in file order and its members' hints added, as the
    engines do) is the evaluator's, each inline event named at its line of the events table
    (``lines[j - 1]``: the line of the lead's j-th event)."""
    messages = []
    for m in want.errors:
        e = EVENT_MESSAGE.fullmatch(m)
        messages.append(f"{e.group(2)} event at events.csv line {lines[int(e.group(1)) - 1]}: {e.group(3)}" if e
                        else m)
    assert as_python(program, got, "events.csv") == ("; ".join(messages) or None), (got, want.errors)


def program_text(conditions) -> str:
    """The schema, a definition per condition and two over events, in a funnel."""
    text = SCHEMA + "".join(f"lead r{i} when {c}\n" for i, c in enumerate(conditions))
    text += "lead buyer when purchase(30d) >= 1 and not (meeting then purchase within 1d)\n"
    text += "lead spender when spend(7d) >= 5 or biggest >= 10 or spend(any 1d) > 3\n"
    # a score whose decayed rules read the random condition and several counts (the newest of
    # those with events dates a rule), a band and a route over it
    first = next((c for c in conditions if "any " not in c), "n1 > 5")  # (a best window cannot date a rule)
    text += (f"score heat max 30 {{\n  ({first}) or meeting(7d) >= 1  +10 decay half_life 3d\n"
             "  purchase(30d) >= 1 or meeting(90d) >= 1 or page_view(2d) >= 1  +7 decay half_life 2d\n"
             "  each purchase(30d) +2.5 decay half_life 5d max 8\n  buyer  -4\n}\n"
             "band temp on heat { cold < 5 <= warm < 12 <= hot }\n"
             "route owner for spender { fast when heat >= 12; else queue }\n")
    return text + ("stages r0 < buyer\n" if conditions else "stages buyer < spender\n")


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(exprs(), min_size=1, max_size=3), st.lists(LEAD, min_size=1, max_size=4),
       st.sampled_from([0, -60, 24 * 60 - 1, -7 * 24 * 60]))
def test_duckdb_agrees_with_the_interpreter(conditions, leads, shift):
    text = program_text(conditions)
    program = leaddsl.compile(text)
    as_of = BASE + dt.timedelta(minutes=shift)
    con = duckdb.connect()
    con.execute("CREATE TABLE leads (id VARCHAR, " + ", ".join(f'"{c}" VARCHAR' for c in COLUMNS) + ")")
    con.execute("CREATE TABLE events (lead_id VARCHAR, type VARCHAR, ts VARCHAR, cat VARCHAR, amount VARCHAR, "
                "_line BIGINT)")
    lines, n = [], 1  # the events table as a file: its header on line 1
    for i, (cells, events) in enumerate(leads):
        con.execute("INSERT INTO leads VALUES (" + ", ".join("?" * (len(COLUMNS) + 1)) + ")",
                    [str(i), *[cells[c] for c in COLUMNS]])
        lines.append([])
        for e in events:
            n += 1
            lines[-1].append(n)
            con.execute("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                        [str(i), e["type"], e["ts"], e["cat"], e["amount"], n])
    query = program.to_sql("duckdb", line_field="_line", events_at="events.csv line")
    cur = con.execute(query, {"as_of": as_of.isoformat()})
    names = [d[0] for d in cur.description]
    got = [dict(zip(names, r)) for r in cur.fetchall()]
    assert len(got) == len(leads)
    for row, (cells, events), at in zip(got, leads, lines):
        record = {c: v for c, v in cells.items() if v is not None}
        record["events"] = [{k: v for k, v in e.items() if v is not None} for e in events]
        want = program.evaluate(record, as_of=as_of, errors="return")
        assert {k: row[k] for k in program.outputs} == want.to_dict(), (text, cells, events, row, want.error)
        same_error(program, row["error"], want, at)


# ------------------------------------------------ a JSON lead's own events (eval --engine duckdb)
ODD_ELEMENT = st.sampled_from([7, None, "page_view", [1], 2.5, True, {}])
OWN_EVENT = st.builds(
    lambda e, amount, typed: {**{k: v for k, v in e.items() if v is not None},
                              **({"amount": amount} if amount is not None else {}),
                              **({"type": typed} if typed is not None else {})},
    EVENT, st.sampled_from([None, None, 1, 2.5, -3, 10, 0.5]), st.sampled_from([None] * 6 + [5, False]))
OWN_EVENTS = st.one_of(st.lists(st.one_of(OWN_EVENT, OWN_EVENT, OWN_EVENT, ODD_ELEMENT), max_size=6),
                       st.lists(OWN_EVENT, max_size=6), st.sampled_from(["none", None, "x", 5, {"type": "meeting"}]))
OWN_ID = st.sampled_from(["s", "i", "i", "absent", "bool", "float"])
INLINE_EXAMPLES = max(20, EXAMPLES // 8)


@settings(max_examples=INLINE_EXAMPLES, deadline=None)
@given(st.lists(exprs(), min_size=1, max_size=2), st.lists(st.tuples(st.fixed_dictionaries(CELL), OWN_EVENTS, OWN_ID),
                                                           min_size=1, max_size=4),
       st.sampled_from([0, -60, 24 * 60 - 1]), st.sampled_from(["error", "error", "missing"]))
def test_duckdb_engine_reads_a_json_lead_s_own_events_as_the_interpreter(tmp_path_factory, conditions, leads, shift,
                                                                          bad_values):
    """Leads as JSON Lines records holding their events (an events list that is none, elements
    that are no object, types that are no text, amounts as JSON numbers, leads named by an `id`
    key of any type or none), run by the DuckDB engine, bad values as errors or as missing:
    every output and the error text (its events named `lead 7, event 3 (page_view): ...` at
    their place in the list) are the interpreter's."""
    from hypothesis import assume
    from leaddsl.sql import duck, missing_columns
    program = leaddsl.compile(program_text(conditions))
    assume(not any("." in c for c in program.columns))  # (a nested key: the engine refuses it, by name)
    as_of = BASE + dt.timedelta(minutes=shift)
    records = []
    for i, (cells, events, ident) in enumerate(leads):
        record = {"key": f"k{i}", **{c: v for c, v in cells.items() if v is not None}}
        record.update({"s": {"id": f"L{i}"}, "i": {"id": i}, "absent": {}, "bool": {"id": True},
                       "float": {"id": 2.5}}[ident])
        if events != "none":
            record["events"] = events
        records.append(record)
    path = tmp_path_factory.mktemp("own") / "leads.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    got = list(duck.evaluate_files(program, str(path), as_of=as_of, id_field="key", bad_values=bad_values))
    assert len(got) == len(records)
    counted = missing_columns(program.plan, bad_values, "key").values()
    for row, record in zip(got, records):
        want = program.evaluate(record, as_of=as_of, errors="return", bad_values=bad_values)
        assert {k: row[k] for k in program.outputs} == want.to_dict(), (record, row, want.errors)
        assert row["error"] == ("; ".join(want.errors) or None), (record, row["error"], want.errors)
        # (the bad values read as missing, counted per field or property as the interpreter counts them)
        assert {label: row[column] for column, label in counted if row[column]} == want.bad_as_missing, record
