"""The events table of real exports (issue 11): its columns named as the export names them,
its errors at its own file and line, flat memory whatever its order, progress on long runs."""
import json
import os
import random
import re
from pathlib import Path

import pytest

import leaddsl.io.eventtable as eventtable
from leaddsl.cli import main
from leaddsl.io.eventtable import EventTable

PROGRAM = """\
event page_view(cat: text, n: number)
metric views = count(page_view where cat = "p")
metric total = sum(page_view.n)
lead x when a >= 5
lead busy when views >= 2
lead big when total > 3
"""
AS_OF = "2026-02-01T00:00:00Z"
EXPORT = ["Record ID", "Activity Type", "Activity Date"]
EXPORT_OPTIONS = ["--events-lead-field", "Record ID", "--events-type-field", "Activity Type",
                  "--events-ts-field", "Activity Date"]


def run(runner, *args):
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(text: str) -> list:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def defs(tmp_path):
    return write(tmp_path / "s.lead", PROGRAM)


@pytest.fixture
def leads(tmp_path):
    return write(tmp_path / "leads.csv", "id,a\n1,7\n2,3\n3,9\n")


def events_file(path: Path, rows: list[list], header=("lead_id", "type", "ts", "cat", "n")) -> Path:
    return write(path, ",".join(header) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))


GOOD = [[1, "page_view", "2026-01-01", "p", 1], [1, "Page View", "2026-01-02", "p", 2],
        [2, "page_view", "2026-01-03", "p", 1], [3, "page_view", "2026-01-04", "q", 9]]
ANSWERS = [{"id": "1", "x": True, "busy": True, "big": False}, {"id": "2", "x": False, "busy": False, "big": False},
           {"id": "3", "x": True, "busy": False, "big": True}]


# 1. column options -------------------------------------------------------------------------
def test_export_column_names_are_taken_with_the_options(runner, defs, leads, tmp_path):
    events = events_file(tmp_path / "activities.csv", GOOD, [*EXPORT, "cat", "n"])
    r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF, *EXPORT_OPTIONS)
    assert r.exit_code == 0, r.stderr
    assert jsonl(r.stdout) == ANSWERS
    r = run(runner, "explain", defs, leads, "--id", "1", "--events", events, "--as-of", AS_OF, *EXPORT_OPTIONS)
    assert r.exit_code == 0 and "busy" in r.stdout and "2026-01-02" in r.stdout


@pytest.mark.parametrize("option,value,message", [
    ("--events-lead-field", "record id", "no `record id` column (--events-lead-field: the id of the lead each event "
                                         "belongs to); did you mean `Record ID`?"),
    ("--events-type-field", "Activty Type", "no `Activty Type` column (--events-type-field: the type of each "
                                            "event); did you mean `Activity Type`?"),
    ("--events-ts-field", "date", "no `date` column (--events-ts-field: the time of each event); columns: "),
])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_missing_events_column_is_a_usage_error_before_the_first_row(runner, defs, leads, tmp_path, option, value,
                                                                       message, suffix):
    path = tmp_path / f"activities{suffix}"
    if suffix == ".csv":
        events_file(path, GOOD, [*EXPORT, "cat", "n"])
    else:
        write(path, "".join(json.dumps(dict(zip([*EXPORT, "cat", "n"], r))) + "\n" for r in GOOD))
    options = list(EXPORT_OPTIONS)
    options[options.index(option) + 1] = value
    for command in (["eval"], ["explain", "--id", "1"]):
        r = run(runner, *command, defs, leads, "--events", path, *options)
        assert r.exit_code == 2 and r.stdout == ""
        assert f"activities{suffix}: {message}" in r.stderr


def test_default_column_names_missing_from_an_export_are_each_named(runner, defs, leads, tmp_path):
    events = events_file(tmp_path / "activities.csv", GOOD, [*EXPORT, "cat", "n"])
    r = run(runner, "eval", defs, leads, "--events", events)
    assert r.exit_code == 2
    for column in ("lead_id", "type", "ts"):
        assert f"activities.csv: no `{column}` column" in r.stderr


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_property_column_the_outputs_read_and_the_file_lacks_is_named_not_read_as_missing(
        runner, defs, leads, tmp_path, engine):
    # `cat` exported as `Cat`: read as missing on every event, `busy` would be false for every
    # lead, a silently wrong answer; both engines say which column, what reads it, and the one meant
    events = events_file(tmp_path / "activities.csv", GOOD, ("lead_id", "type", "ts", "Cat", "n"))
    r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF, "--engine", engine)
    assert r.exit_code == 2 and r.stdout == ""
    assert ("activities.csv: no `cat` column (the `page_view` event's `cat` property); did you mean `Cat`?"
            in r.stderr)
    if engine == "python":  # the user may choose to read it as missing: then it is said, and counted nowhere else
        r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF, "--allow-missing-columns")
        assert r.exit_code == 0, r.stderr
        assert [row["busy"] for row in jsonl(r.stdout)] == [False, False, False]
        assert "warning: " in r.stderr and "no `cat` column" in r.stderr and "read as missing on every event" in r.stderr


@pytest.mark.parametrize("engine", ["python", "duckdb"])
def test_a_json_event_may_leave_a_property_out(runner, defs, leads, tmp_path, engine):
    # JSON Lines has no header: an event without the key has the property missing, as a lead's field
    path = write(tmp_path / "activities.jsonl", "".join(json.dumps(dict(zip(["lead_id", "type", "ts", "n"],
                                                                             [r[0], r[1], r[2], r[4]]))) + "\n"
                                                        for r in GOOD))
    r = run(runner, "eval", defs, leads, "--events", path, "--as-of", AS_OF, "--engine", engine)
    assert r.exit_code == 0, r.stderr
    assert [row["busy"] for row in jsonl(r.stdout)] == [False, False, False]


# 2. errors at the events file's line -----------------------------------------------------------
BAD = [[3, "page_view", "2026-01-04", "q", 9], [1, "page_view", "2026-01-01", "p", 1],
       [2, "page_view", "2026-01-03", "p", "lots"], [1, "page_view", "yesterday", "p", 2],
       ["", "page_view", "2026-01-01", "p", 1]]


@pytest.mark.parametrize("order", ["as written", "sorted by lead"])
def test_event_errors_name_the_events_file_and_its_line(runner, defs, leads, tmp_path, order):
    rows = BAD if order == "as written" else sorted(BAD, key=lambda r: str(r[0]) or "9")
    events = events_file(tmp_path / "activities.csv", rows)
    line = {tuple(map(str, r)): n for n, r in enumerate(rows, 2)}
    bad_ts, bad_n, no_id = (line[tuple(map(str, r))] for r in (BAD[3], BAD[2], BAD[4]))
    errors = tmp_path / "errors.jsonl"
    r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF, "--errors-file", errors)
    assert r.exit_code == 1
    out = jsonl(r.stdout)
    assert out[0]["x"] is True and out[0]["busy"] is None  # the bad time errs what reads page_view, only that
    assert out[0]["error"].startswith(f"page_view event at {events} line {bad_ts}: ts: cannot read 'yesterday'")
    assert out[1]["error"] == f"page_view event at {events} line {bad_n}: n: cannot read 'lots' as number"
    assert out[1]["busy"] is False and out[1]["big"] is None
    assert "error" not in out[2]
    assert f"activities.csv: line {bad_ts} (id 1): page_view event: ts: cannot read 'yesterday'" in r.stderr
    assert f"activities.csv: line {bad_n} (id 2): page_view event: n: cannot read 'lots' as number" in r.stderr
    assert f"activities.csv: line {no_id}: event without a lead id (`lead_id` is empty)" in r.stderr
    assert "leads.csv: line" not in r.stderr
    found = {(e["file"], e["line"], e["id"], e["field"]) for e in jsonl(errors.read_text())}
    assert found == {(str(events), bad_ts, "1", "page_view.ts"), (str(events), bad_n, "2", "page_view.n"),
                     (str(events), no_id, None, None)}


@pytest.mark.parametrize("order", ["sorted by lead", "out of order"])
def test_an_events_row_that_cannot_be_read_errs_its_lead(runner, defs, leads, tmp_path, order):
    # a cell too many, a cell that is not UTF-8: the row may be of any type, so its lead's outputs
    # that read events err, naming the row; it is never dropped for a confident answer
    rows = [b"1,page_view,2026-01-01,p,1,extra", b"2,page_view,2026-01-03,\xff,1", b"3,page_view,2026-01-04,q,9",
            b"9,page_view,2026-01-04,q,9,extra"]
    if order == "out of order":
        rows = rows[::-1]
    events = tmp_path / "activities.csv"
    events.write_bytes(b"lead_id,type,ts,cat,n\n" + b"".join(r + b"\n" for r in rows))
    line = {r.split(b",")[0].decode(): n for n, r in enumerate(rows, 2)}
    errors = tmp_path / "errors.jsonl"
    r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF, "--errors-file", errors)
    assert r.exit_code == 1
    out = jsonl(r.stdout)
    assert [(o["x"], o["busy"], o["big"]) for o in out] == [(True, None, None), (False, None, None),
                                                          (True, False, True)]
    assert out[0]["error"] == f"event at {events} line {line['1']}: 6 cells but the header has 5 columns"
    assert out[1]["error"] == f"event at {events} line {line['2']}: column `cat` is not UTF-8 text"
    assert f"activities.csv: line {line['1']} (id 1): event: 6 cells but the header has 5 columns" in r.stderr
    # a row no lead has is named on its own, once
    assert r.stderr.count(f"activities.csv: line {line['9']}: 6 cells but the header has 5 columns") == 1
    found = {(e["line"], e["id"], e["field"], e["message"]) for e in jsonl(errors.read_text())}
    assert (line["1"], "1", None, "6 cells but the header has 5 columns") in found
    assert (line["9"], None, None, "6 cells but the header has 5 columns") in found
    # the API gives the same rows
    import leaddsl
    program = leaddsl.compile(PROGRAM)
    api = list(leaddsl.evaluate_files(program, str(leads), str(events), AS_OF))
    assert [a["error"] for a in api] == [o.get("error") for o in out]
    # a program that reads no events names every such row on its own
    plain = write(tmp_path / "plain.lead", "lead x when a >= 5\n")
    r = run(runner, "eval", plain, leads, "--events", events, "--as-of", AS_OF)
    assert r.exit_code == 1 and all("error" not in o for o in jsonl(r.stdout))
    assert f"activities.csv: line {line['1']}: 6 cells but the header has 5 columns" in r.stderr


def test_repeated_event_errors_are_grouped_with_the_next_location(runner, defs, tmp_path):
    leads = write(tmp_path / "leads.csv", "id,a\n" + "".join(f"{i},7\n" for i in range(1, 9)))
    rows = [[i, "page_view", "soon", "p", 1] for i in range(8, 0, -1)]
    r = run(runner, "eval", defs, leads, "--events", events_file(tmp_path / "activities.csv", rows), "--as-of", AS_OF)
    assert r.exit_code == 1
    assert len(re.findall(r"activities\.csv: line \d+ \(id \d\): page_view event: ts", r.stderr)) == 3
    assert "... and 5 more row(s) with `page_view event: ts: cannot read '…' as datetime" in r.stderr
    assert "activities.csv: line 6 (id 4))" in r.stderr  # lead 4's event is on line 6


def test_inline_events_keep_the_leads_file_position(runner, defs, tmp_path):
    data = write(tmp_path / "leads.jsonl", json.dumps(
        {"id": 1, "a": 7, "events": [{"type": "page_view", "ts": "never", "cat": "p"}]}) + "\n")
    events = events_file(tmp_path / "activities.csv", [[1, "page_view", "2026-01-01", "p", "x"]])
    r = run(runner, "eval", defs, data, "--events", events, "--as-of", AS_OF)
    error = jsonl(r.stdout)[0]["error"]
    assert "event 1 (page_view): ts: cannot read 'never'" in error  # the inline one: the lead's own line
    assert f"page_view event at {events} line 2: n: cannot read 'x'" in error
    assert "leads.jsonl: line 1 (id 1): lead 1, event 1 (page_view): ts" in r.stderr


# 3. flat memory whatever the order -------------------------------------------------------------
def random_events(n_leads: int, n: int, seed: int) -> list[list]:
    rng = random.Random(seed)
    return [[rng.randint(1, n_leads + 5), rng.choice(["page_view", "Page View", "download"]),
             f"2026-01-{rng.randint(1, 31):02d}T{rng.randint(0, 23):02d}:00:00Z", rng.choice("pq"),
             rng.choice(["1", "2", "", "x"])] for _ in range(n)]


@pytest.mark.parametrize("seed", [1, 2])
def test_unsorted_table_gives_the_answers_of_the_sorted_table(runner, defs, tmp_path, seed):
    leads = write(tmp_path / "leads.csv", "id,a\n" + "".join(f"{i},{i % 9}\n" for i in range(1, 201)))
    rows = random_events(200, 3000, seed)
    in_time = events_file(tmp_path / "time.csv", sorted(rows, key=lambda r: r[2]))
    by_lead = events_file(tmp_path / "lead.csv", sorted(rows, key=lambda r: r[0]))
    assert not EventTable(str(in_time)).sorted and EventTable(str(by_lead)).sorted
    outs = []
    for events in (in_time, by_lead):
        r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF)
        outs.append([{k: re.sub(r"\S+ line \d+", "FILE line N", str(v)) for k, v in row.items()}
                     for row in jsonl(r.stdout)])
        assert r.stderr.count("matched no lead") == 1
    assert outs[0] == outs[1] and len(outs[0]) == 200
    assert sum(1 for row in outs[0] if row["busy"] == "True") > 20


def test_the_sort_runs_on_disk_and_leaves_nothing_even_when_interrupted(runner, defs, leads, tmp_path, monkeypatch):
    events = events_file(tmp_path / "time.csv", random_events(3, 5000, 3))
    monkeypatch.setattr(eventtable, "SPILL_CACHE_KIB", 64)  # spill to disk early
    seen, real = [], eventtable._spilled

    def spilled(item):
        if len(seen) == 4000:
            seen.append(spill_files())
            raise KeyboardInterrupt
        seen.append(None)
        return real(item)
    monkeypatch.setattr(eventtable, "_spilled", spilled)
    out = tmp_path / "out.jsonl"
    r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF, "-o", out)
    assert r.exit_code == 130 and "interrupted" in r.stderr and not out.exists()
    assert seen[-1], "the sort spilled to a temporary file"
    assert spill_files() == []  # closed, and deleted from the start
    monkeypatch.setattr(eventtable, "_spilled", real)
    table = EventTable(str(events))
    assert not table.sorted and spill_files()
    assert sum(len(table.events_for(str(i))) for i in (1, 2, 3)) > 1000
    table.close()
    assert spill_files() == []


def spill_files() -> list[str]:
    """The files SQLite's temporary databases have open in this process (deleted from the start)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "etilqs_" in target:
            assert target.endswith("(deleted)"), target
            found.append(target)
    return found


def test_event_rows_keep_their_lines_through_the_sort(tmp_path):
    rows = [[3, "page_view", "2026-01-01", "p", 1], [1, "page_view", "2026-01-02", "p", 1],
            [3, "page_view", "2026-01-03", "p", 1], [2, "page_view", "2026-01-04", "p", 1]]
    table = EventTable(str(events_file(tmp_path / "e.csv", rows)))
    assert not table.sorted
    assert [(e.lines, [x["ts"] for x in e]) for e in map(table.events_for, "123")] == [
        ([3], ["2026-01-02"]), ([5], ["2026-01-04"]), ([2, 4], ["2026-01-01", "2026-01-03"])]
    table.close()


# 4. progress ---------------------------------------------------------------------------------
def test_progress_shows_a_percentage_on_each_pass(runner, defs, tmp_path):
    leads = write(tmp_path / "leads.csv", "id,a\n" + "".join(f"{i},7\n" for i in range(1, 3001)))
    rows = [[i % 3000 + 1, "page_view", "2026-01-01", "p", "bad" if i % 7 == 0 else 1] for i in range(20000)]
    events = events_file(tmp_path / "time.csv", rows)
    r = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF, "--progress")
    stderr = r.stderr
    assert re.search(r"time\.csv: sorting by lead id \(on disk\): \d+% \([\d,]+ events\), about \d+ s left", stderr)
    assert "time.csv: sorting by lead id (on disk): 100% (20,000 events), done" in stderr
    assert re.search(r"leads\.csv: \d+% \([\d,]+ leads\)", stderr)
    assert "leads.csv: 100% (3,000 leads), done" in stderr
    assert len(re.findall(r"time\.csv: line \d+ \(id \d+\): page_view event: n", stderr)) == 3  # then grouped
    assert "... and 2,855 more row(s) with `page_view event: n: cannot read '…' as number`" in stderr
    r = run(runner, "eval", defs, leads, "--events", events_file(tmp_path / "lead.csv", sorted(rows, key=lambda r: r[0])), "--as-of",
            AS_OF, "--progress")
    assert "lead.csv: checking the order of the lead ids: 100% (20,000 events), done" in r.stderr
    quiet = run(runner, "eval", defs, leads, "--events", events, "--as-of", AS_OF).stderr  # not a terminal
    assert "sorting" not in quiet and "% (" not in quiet
