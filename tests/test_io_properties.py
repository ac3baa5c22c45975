"""Properties of eval on any input: a row per row, every unreadable row named, no traceback;
an output file is either as it was or complete."""
import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import leaddsl.io.output
from leaddsl.cli import main

PIECES = [b"id,a\n", b"id,a,a\n", b"1,7\n", b"2,3", b",", b'"', b"\n", b"\r\n", b"\r", b" ", b"\xff", b"\xef\xbb\xbf",
          b"\xed\xa0\x80", b"\x1b]0;x\x07", b"=SUM(1)", b"-5", b"{", b"}", b'{"id": 1, "a": 7}', b'{"id": "\\ud800"}',
          b"null", b"[1]", b'"a"', b"NaN", b"Infinity", b"\x00", b"abc", b":", b"9" * 30]
pieces = st.lists(st.sampled_from(PIECES), max_size=25).map(b"".join)
any_bytes = st.one_of(st.binary(max_size=200), pieces, st.builds(lambda b: b"id,a\n" + b, st.one_of(pieces, st.binary())))

# usage errors that a data file can cause before the first row (nothing is written then)
HEADER_PROBLEMS = re.compile(r"no `id` column|appears twice in the header|cannot read the header")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("props")
    (folder / "s.lead").write_text("lead x when a >= 5\n")
    return folder


def evaluate(folder, data: bytes, suffix: str, out_fmt: str):
    path = folder / f"data{suffix}"
    path.write_bytes(data)
    r = CliRunner().invoke(main, ["eval", str(folder / "s.lead"), str(path), "--format", out_fmt])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exc_info
    assert "Traceback" not in r.stderr
    assert r.exit_code in (0, 1, 2)
    if r.exit_code == 2:
        assert r.stdout == "" and HEADER_PROBLEMS.search(r.stderr), r.stderr
        return None, r
    if out_fmt == "jsonl":
        rows = [json.loads(line) for line in r.stdout.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        rows = [{k: (v or None) for k, v in row.items()} for row in rows]
    return rows, r


def check_errors_named(rows, r):
    """Every error row carries its line in the output and is on stderr: named on a line of
    its own, or counted in a grouped "... and N more row(s) with ..." line (repeats are
    grouped); a row without an error has its answer."""
    failed = [row for row in rows if row.get("error")]
    assert all(re.match(r"line \d+", row["error"]) for row in failed if row["id"] is None)
    named = re.findall(r"^[^.].*?data\.\w+: line \d+", r.stderr, re.MULTILINE)
    grouped = sum(int(n.replace(",", "")) for n in re.findall(r"^\.\.\. and ([\d,]+) more row", r.stderr, re.MULTILINE))
    assert len(named) + grouped == len(failed)
    assert all(row["x"] is not None for row in rows if not row.get("error"))
    assert r.exit_code == (1 if failed else 0)


@given(data=any_bytes, out_fmt=st.sampled_from(["jsonl", "csv"]))
def test_jsonl_any_bytes_one_output_row_per_line(folder, data, out_fmt):
    rows, r = evaluate(folder, data, ".jsonl", out_fmt)
    if rows is None:
        return
    assert len(rows) == sum(1 for line in data.split(b"\n") if line.strip())
    check_errors_named(rows, r)


@given(data=any_bytes, out_fmt=st.sampled_from(["jsonl", "csv"]))
def test_csv_any_bytes_one_output_row_per_row(folder, data, out_fmt):
    rows, r = evaluate(folder, data, ".csv", out_fmt)
    if rows is None:
        return
    if b'"' not in data:  # without quotes a row is a line: count them
        lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="surrogateescape",
                                 newline="").readlines()
        width = len(lines[0].split(",")) if lines else 0
        blank = [line for line in lines[1:] if not line.strip("\r\n") or (width > 1 and not line.strip())]
        assert len(rows) == max(0, len(lines) - 1 - len(blank))
    check_errors_named(rows, r)


@given(fail_at=st.integers(min_value=1, max_value=25), fmt=st.sampled_from([".jsonl", ".csv"]))
def test_failing_output_is_left_as_it_was_or_complete(folder, fail_at, fmt):
    data = folder / "leads.csv"
    data.write_text("id,a\n" + "".join(f"{i},{i % 9}\n" for i in range(20)))
    out = folder / f"out{fmt}"
    out.write_text("old\n")
    real = leaddsl.io.output.Writer.write
    calls = []

    def failing(self, row):
        calls.append(row)
        if len(calls) == fail_at:
            raise OSError(28, "No space left on device")
        real(self, row)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(leaddsl.io.output.Writer, "write", failing)
        r = CliRunner().invoke(main, ["eval", str(folder / "s.lead"), str(data), "-o", str(out)])
    assert r.exception is None or isinstance(r.exception, SystemExit)
    if fail_at <= 20:
        assert r.exit_code == 2 and out.read_text() == "old\n"
    else:
        assert r.exit_code == 0 and len(out.read_text().splitlines()) == 20 + (fmt == ".csv")
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


# leads with an events table: messy cells in both files, events in any order (issue 11) ------------------
EVENTFUL = """\
event page_view(cat: text, n: number)
metric views = count(page_view where cat = "p")
metric total = sum(page_view.n)
lead x when a >= 5
lead busy when views >= 2
lead big when total > 3
"""
CELLS = [b"7", b"3", b"", b" ", b"N/A", b"abc", b"-5", b"=SUM(1)", b"\xff", b"\xed\xa0\x80", b'"', b'"x', b'x"y',
         b"1,2", b"1,2,3", b"9" * 30, b"\x1b]0;x\x07", b"\xef\xbb\xbf", b"\x00", b"caf\xc3\xa9", b"{", b"2026-01-01"]
cells = st.lists(st.sampled_from(CELLS), max_size=3).map(b"".join)
EVENT_IDS = [b"1", b"2", b"3", b"4", b"", b"x", b"1.0", b" 2 ", b"\xff", b'"3']
EVENT_TYPES = [b"page_view", b"Page View", b"", b"other", b"\xff"]
EVENT_TIMES = [b"2026-01-01", b"2026-01-20T10:00:00Z", b"bad", b"", b"2027-01-01", b'"2026']
event_rows = st.lists(st.tuples(st.sampled_from(EVENT_IDS), st.sampled_from(EVENT_TYPES), st.sampled_from(EVENT_TIMES),
                                cells, cells), max_size=30)


def one_quote(cell_list: list[bytes]) -> list[bytes]:
    """At most one `"` in the leads file: two could close a quoted cell over several lines,
    which is one row by CSV's rules (a quote never closed is an error row, the rest read again)."""
    seen, out = False, []
    for c in cell_list:
        if b'"' in c:
            c = c if not seen else c.replace(b'"', b"")
            seen = True
        out.append(c.replace(b"\n", b"").replace(b"\r", b""))
    return out


@given(lead_cells=st.lists(cells, min_size=1, max_size=12).map(one_quote), events=event_rows,
       by_lead=st.booleans(), out_fmt=st.sampled_from(["jsonl", "csv"]))
def test_eval_with_events_gives_one_row_per_lead_in_order(folder, lead_cells, events, by_lead, out_fmt):
    (folder / "e.lead").write_text(EVENTFUL)
    leads = folder / "leads.csv"
    leads.write_bytes(b"id,a\n" + b"".join(b"%d,%s\n" % (i, c) for i, c in enumerate(lead_cells, 1)))
    if by_lead:
        events = sorted(events, key=lambda e: e[0])
    table = folder / "events.csv"
    table.write_bytes(b"lead_id,type,ts,cat,n\n" + b"".join(b",".join(e) + b"\n" for e in events))
    r = CliRunner().invoke(main, ["eval", str(folder / "e.lead"), str(leads), "--events", str(table),
                                  "--as-of", "2026-02-01", "--format", out_fmt])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exc_info
    assert "Traceback" not in r.stderr and r.exit_code in (0, 1), r.stderr
    if out_fmt == "jsonl":
        rows = [json.loads(line) for line in r.stdout.splitlines()]
    else:
        rows = [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(io.StringIO(r.stdout))]
    assert len(rows) == len(lead_cells)
    for n, row in enumerate(rows, 1):  # in input order: its id, or (a row that could not be read) its line
        assert row["id"] == str(n) or (row["id"] is None and row["error"].startswith(f"line {n + 1}")), row
        if not row.get("error"):
            assert None not in (row["x"], row["busy"], row["big"])
