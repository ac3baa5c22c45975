"""Events from a separate table (``--events``), handed out lead by lead, each with its line.

Columns: the lead id, the event type and the event time are read from columns the caller
names (``lead_id``, ``type`` and ``ts`` unless told otherwise: an activity export calls them
"Record ID", "Activity Type", "Activity Date"); they are checked against the header before
the first row, with a did-you-mean. Every other column is a property of the event.

Order. A first pass reads the lead ids until they go out of order. When they never do
(numbers by value, or all ids as text, as ``LC_ALL=C sort`` writes them), the join is a
streaming merge of the file itself: memory holds the events of one lead, plus those of ids
the leads file has passed over or not reached yet. Otherwise (an export in time order) the
table is sorted on disk first: its events go into a temporary SQLite database, which SQLite
orders by lead id with an external merge sort in bounded memory (a page cache of
``SPILL_CACHE_KIB``), and the same merge reads them back in that order. SQLite's anonymous
temporary database is a file deleted as soon as it is opened, so nothing is left behind,
whatever stops the run.
"""
from __future__ import annotations

import os
import pickle
import sqlite3
from typing import Callable, Iterator

from ..events import UnreadableEvent
from .data import (InputError, Rows, _has_surrogates, _parquet, column_problem, data_format, id_key, id_text,
                   read_rows, text_key)

SPILL_CACHE_KIB = 16 * 1024  # SQLite's page cache while it sorts an unsorted table
TICK = 4096  # rows between two progress reports

# progress(phase, done, total, rows, final): how far a pass over the events file has come
Progress = Callable[[str, int, int, int, bool], None]


# what the lead, type and time columns of an events table are (in usage errors)
FIELD_ROLES = ("--events-lead-field: the id of the lead each event belongs to",
               "--events-type-field: the type of each event", "--events-ts-field: the time of each event")


class EventList(list):
    """The events of one lead; ``lines[i]`` is where event ``i`` is in the events file."""
    __slots__ = ("lines",)

    def __init__(self):
        super().__init__()
        self.lines: list[int] = []

    def add(self, line: int, event: dict) -> None:
        self.append(event)
        self.lines.append(line)


class EventTable:
    """Events from a separate table, handed out lead by lead.

    A lead id that repeats gets its events every time: the previous lead's events are
    kept, and a repeat further away makes the table grouped in memory. Rows that are not
    events (unreadable, or without a lead id) go to ``on_bad(line, message)`` once each
    (without it, to ``bad_rows``); with ``attach``, an unreadable row that names its lead is
    an ``UnreadableEvent`` of that lead instead (named on its own only when no lead has it)."""

    def __init__(self, path: str, lead_field: str = "lead_id", type_field: str = "type", ts_field: str = "ts", *,
                 on_bad: Callable[[int, str], None] | None = None, progress: Progress | None = None,
                 wanted: dict[str, str] | None = None, allow_missing: bool = False, attach: bool = False):
        self.path = path
        # the property columns the outputs read (-> what each is), and what to do when one is
        # absent: a usage error, or (allow_missing) read as missing, said in ``absent``
        self.wanted, self.allow_missing = wanted or {}, allow_missing
        # a row that cannot be read but names its lead: one of that lead's events (``attach``: the
        # outputs read events, and what reads them errs, naming the row), or named on its own
        self.attach = attach
        self.absent: list[str] = []
        if path == "-":
            raise InputError("--events cannot be standard input (`-`): it is read twice; write it to a file")
        self.fmt = data_format(path)
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file")
        if os.path.isdir(path):
            raise InputError(f"{path}: is a folder, not a data file")
        self.fields = (lead_field, type_field, ts_field)
        self.unit = {"parquet": "row", "json": "item"}.get(self.fmt, "line")  # what a row's number counts
        self.bad_rows: list[str] = []
        self.bad_count = 0
        self._bad_upto = 0  # the last bad row reported: a file read again reports none twice
        self._on_bad = on_bad
        self._progress = progress
        self._db: sqlite3.Connection | None = None
        self._last: tuple[str | None, EventList] = (None, EventList())
        self._all: dict[str, EventList] | None = None
        self._parked: dict[str, EventList] = {}
        self.key = self._order()
        if self.key is None:
            self._spill()
            self.key = id_key
        self._stream = self._source()
        self._cur = next(self._stream, None)

    @property
    def sorted(self) -> bool:
        """Whether the file itself is in lead-id order (no sort on disk was needed)."""
        return self._db is None

    @property
    def streaming(self) -> bool:
        """Whether events are merged in order (not grouped in memory)."""
        return self._all is None

    def close(self) -> None:
        """Drop the sorted copy (SQLite deletes its file)."""
        if self._db is not None:
            self._stream.close()
            self._db.close()
            self._db = None

    # ------------------------------------------------------------ reading
    def _rows(self, columns=None) -> Rows:
        if self.fmt == "parquet":
            return _parquet(self.path, columns)
        return read_rows(self.path, self.fmt)

    def _check_header(self, rows: Rows) -> None:
        """The lead, type and time columns, and every property column the outputs read, are in
        a file with a header (a JSON event may leave a key out: absent is missing)."""
        fields = [p for p in (column_problem(rows, n, what) for n, what in zip(self.fields, FIELD_ROLES)) if p]
        props = [p for p in (column_problem(rows, n, what) for n, what in self.wanted.items()) if p] \
            if rows.header else []
        self.absent = props if self.allow_missing else []
        problems = fields + ([] if self.allow_missing else props)
        if problems:
            hint = ("\n(fix the definition's property or the file; --allow-missing-columns reads a property "
                    "column the file lacks as missing on every event)") if props and not self.allow_missing else ""
            raise InputError(f"{self.path}: " + f"\n{self.path}: ".join(problems) + hint)

    def _ticking(self, rows: Rows, phase: str) -> Iterator:
        """The rows, reporting progress every TICK rows."""
        report, where = self._progress, rows.progress
        if report is None or where is None:
            yield from rows
            return
        n = 0
        for n, row in enumerate(rows, 1):
            if n % TICK == 0:
                report(phase, *where(), n, False)
            yield row
        report(phase, *where(), n, True)

    def _order(self):
        """The sort key the table's ids follow (by number, or as text), or None."""
        lead = self.fields[0]
        rows = self._rows([lead] if self.fmt == "parquet" else None)
        self._check_header(rows)
        keys = {id_key: None, text_key: None}
        for row in self._ticking(rows, "order"):
            s = id_text(row.get(lead))  # (a broken row's id too: it goes to its lead)
            if s is None:
                continue
            for key, prev in list(keys.items()):
                k = key(s)
                if prev is not None and k < prev:
                    del keys[key]
                else:
                    keys[key] = k
            if not keys:
                return None
        return next(iter(keys))

    def _bad(self, number: int, message: str, say: bool = True) -> None:
        """Count a row that is no event, once however often the file is read; ``say``: name
        it now (a broken row with a lead id is named in its lead's error instead, or by
        ``unmatched`` when no lead has that id)."""
        if number <= self._bad_upto:
            return
        self._bad_upto = number
        self.bad_count += 1
        if say:
            self._say(number, message)

    def _say(self, number: int, message: str) -> None:
        if self._on_bad is not None:
            self._on_bad(number, message)
        else:
            self.bad_rows.append(f"{self.path}: {message}")

    def _events(self, phase: str | None = None) -> Iterator[tuple[str, int, dict]]:
        """(lead id, line, event) of every event of the file, in file order."""
        lead_f, type_f, ts_f = self.fields
        renamed = (type_f, ts_f) != ("type", "ts")
        rows = self._rows()
        for row in (self._ticking(rows, phase) if phase else rows):
            record = row.record
            if record is None:
                # a row that cannot be read (a cell too many, not UTF-8, a quote never closed)
                # but names its lead: one of that lead's events, which errs what reads them
                lead = id_text(row.get(lead_f)) if self.attach else None
                if lead is not None and _has_surrogates(lead):  # the id itself is not UTF-8: no lead has it
                    lead = None
                self._bad(row.number, row.error, say=lead is None)
                if lead is not None:
                    yield lead, row.number, UnreadableEvent(_position_dropped(row.error, row.number))
                continue
            lead = id_text(record.get(lead_f))
            if lead is None:
                self._bad(row.number, f"{rows.unit} {row.number}: event without a lead id (`{lead_f}` is empty)")
                continue
            if renamed:
                event = {k: v for k, v in record.items() if k not in self.fields}
                event["type"] = record.get(type_f)
                event["ts"] = record.get(ts_f)
            else:
                event = {k: v for k, v in record.items() if k != lead_f}
            yield lead, row.number, event

    def _source(self) -> Iterator[tuple[str, int, dict]]:
        return self._events() if self._db is None else self._sorted()

    # ------------------------------------------------------ sort on disk
    def _spill(self) -> None:
        """Copy the events into a temporary SQLite database, to be read back by lead id."""
        # anonymous: SQLite deletes the file when it opens it; used by one thread at a time, but a
        # generator left open may be finalized by the collector on another (leaddsl.stack runs one)
        db = sqlite3.connect("", check_same_thread=False)
        try:
            db.execute(f"PRAGMA cache_size=-{SPILL_CACHE_KIB}")
            db.execute("PRAGMA temp_store=FILE")  # the sorter's runs on disk too
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("CREATE TABLE e (kind INTEGER, len INTEGER, k BLOB, lead BLOB, line INTEGER, ev BLOB)")
            db.executemany("INSERT INTO e VALUES (?, ?, ?, ?, ?, ?)", map(_spilled, self._events("sort")))
        except BaseException:  # Ctrl-C, a full disk: nothing is left behind
            db.close()
            raise
        self._db = db

    def _sorted(self) -> Iterator[tuple[str, int, dict]]:
        """The spilled events in id_key order (ids equal by value: as text), each id's in file order."""
        loads = pickle.loads
        cursor = self._db.execute("SELECT lead, line, ev FROM e ORDER BY kind, len, k, lead, line")
        try:
            for lead, line, ev in cursor:
                yield lead.decode("utf-8", "surrogatepass"), line, loads(ev)
        finally:  # a statement left open would keep the database (and its file) open after close()
            cursor.close()

    # ------------------------------------------------------------ joining
    def _load(self) -> None:
        """Group the whole table in memory (when a streaming merge meets a repeated id:
        then the ids it has handed out count as matched)."""
        upto = self.key(self._cur[0]) if self._cur is not None else None
        parked = set(self._parked)
        self._all = {}
        for lead, line, event in self._source():
            self._all.setdefault(lead, EventList()).add(line, event)
        self._matched = {lead for lead in self._all
                         if (upto is None or self.key(lead) < upto) and lead not in parked}

    def events_for(self, lead_id, repeat: bool = False) -> EventList:
        """The events of a lead; ``repeat``: this id was asked for before."""
        s = id_text(lead_id)
        if s is None:
            return EventList()
        if s == self._last[0]:
            return self._last[1]
        if repeat and self._all is None:
            self._load()  # its events were handed out already: group the table in memory
        if self._all is None:
            out = self._merge(s)
        elif s in self._all:
            out = self._all[s]
            self._matched.add(s)
        else:
            out = EventList()
        self._last = (s, out)
        return out

    def _merge(self, s: str) -> EventList:
        out = self._parked.pop(s, None) or EventList()
        k = self.key(s)
        key, parked, stream = self.key, self._parked, self._stream
        cur = self._cur
        while cur is not None:
            lead, line, event = cur
            if key(lead) > k:
                break
            if lead == s:
                out.add(line, event)
            else:
                parked.setdefault(lead, EventList()).add(line, event)
            cur = next(stream, None)
        self._cur = cur
        return out

    def unmatched(self) -> tuple[int, int, list[str]]:
        """How many events have a lead id that no lead has, how many such ids, and a few of them."""
        if self._all is not None:
            lists = [v for k, v in self._all.items() if k not in self._matched]
            left = {k: len(v) for k, v in self._all.items() if k not in self._matched}
        else:
            lists = list(self._parked.values())
            left = {k: len(v) for k, v in self._parked.items()}
            rest = EventList()
            while self._cur is not None:
                left[self._cur[0]] = left.get(self._cur[0], 0) + 1
                if self._cur[2].__class__ is UnreadableEvent:
                    rest.add(self._cur[1], self._cur[2])
                self._cur = next(self._stream, None)
            lists.append(rest)
        for events in lists:  # a broken row no lead has: named now, once
            for line, event in zip(events.lines, events):
                if event.__class__ is UnreadableEvent:
                    self._say(line, f"{self.unit} {line}: {event.why}")
        return sum(left.values()), len(left), list(left)[:5]


def _position_dropped(message: str, number: int) -> str:
    """A reader's message without its leading ``line 7: `` (the lead's error says where)."""
    for unit in ("line", "row", "item"):
        head = f"{unit} {number}: "
        if message.startswith(head):
            return message[len(head):]
    return message


def _spilled(item: tuple[str, int, dict]) -> tuple:
    """A row of the sort table: id_key's order as SQLite columns (digits by length, then as
    digits, ASCII only; text by its UTF-8 bytes, which is code point order), the id, the line,
    the event."""
    lead, line, event = item
    raw = lead.encode("utf-8", "surrogatepass")
    if lead.isascii() and lead.isdigit():
        digits = lead.lstrip("0") or "0"
        row = (0, len(digits), digits.encode())
    else:
        row = (1, 0, raw)
    return (*row, raw, line, pickle.dumps(event, protocol=5))
