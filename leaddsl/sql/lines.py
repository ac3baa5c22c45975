"""Where each row of a data file is, numbered as the Python readers number it, so that the
SQL engines name an event's line in the events file as the Python engine does.

The engines number a file's rows 1, 2, ... in file order. The Python readers say where a
row is: a CSV row by the line where it starts (the header is line 1; a quoted cell may hold
line breaks; blank lines are not rows but are counted), a JSON Lines row by its line (blank
lines likewise), a Parquet row by its row number, an item of a JSON array by its number.

The common case costs one count of the file's line breaks (bytes, no parsing): when a
CSV file has exactly one line per row after the header, row ``k`` is at line ``k + 1``
(a JSON Lines file: line ``k``). Otherwise the Python reader reads the file once and writes
``row,line`` of every row to a small CSV file that the engine joins on the row number.
When the Python reader does not find the rows the engine found (a file it reads
differently), the numbering is None and an event's error names no line, rather than a
wrong one.
"""
from __future__ import annotations

import functools
import os
import re
from array import array
from dataclasses import dataclass

from ..io.data import InputError, data_format, read_rows
from ..values import hinted

CHUNK = 1 << 24


@dataclass(frozen=True, slots=True)
class Numbering:
    """How to number the rows of a file: ``line = row + offset``, or the ``row,line`` pairs
    of the CSV file ``table`` (without header). ``unit`` says what the number counts."""
    unit: str
    offset: int | None = None
    table: str | None = None


@dataclass(frozen=True, slots=True)
class Breaks:
    """The line breaks of a file: ``\\r\\n``, lone ``\\n`` and lone ``\\r``, and its last byte."""
    crlf: int
    lf: int
    cr: int
    last: bytes

    @property
    def mixed(self) -> bool:
        """Whether the file ends its lines in more than one way."""
        return sum(n > 0 for n in (self.crlf, self.lf, self.cr)) > 1


@functools.lru_cache(maxsize=8)
def _breaks(path: str, size: int, mtime: int) -> Breaks:
    crlf = lf = cr = 0
    last = b""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            joined = last == b"\r" and chunk[:1] == b"\n"  # a \r\n split between two chunks
            pairs = chunk.count(b"\r\n") + joined
            crlf += pairs
            lf += chunk.count(b"\n") - pairs
            cr += chunk.count(b"\r") - pairs
            last = chunk[-1:]
    return Breaks(crlf, lf, cr, last)


def breaks(path: str) -> Breaks:
    """The line breaks of the file at ``path`` (one pass over its bytes, no parsing; kept
    while the file is unchanged)."""
    st = os.stat(path)
    return _breaks(path, st.st_size, st.st_mtime_ns)


def count_lines(path: str, fmt: str) -> int:
    """The lines of the file as its Python reader counts them: a CSV file's lines end at
    ``\\n``, ``\\r\\n`` or a lone ``\\r``; a JSON Lines file's at ``\\n``. A last line without
    an ending counts."""
    b = breaks(path)
    if fmt == "csv":
        return b.crlf + b.lf + b.cr + (b.last not in (b"", b"\n", b"\r"))
    return b.crlf + b.lf + (b.last not in (b"", b"\n"))


def numbering(path: str, rows: int, folder: str, name: str = "lines") -> Numbering | None:
    """The numbering of the ``rows`` rows an engine read from ``path`` (a table of pairs,
    when one is needed, is written in ``folder`` as ``name``.csv)."""
    fmt = "csv" if path.lower().endswith(".tsv") else data_format(path)
    if fmt == "parquet":
        return Numbering("row", offset=0)
    if fmt == "json":
        return Numbering("item", offset=0)
    header = 1 if fmt == "csv" else 0
    if count_lines(path, fmt) == rows + header:
        return Numbering("line", offset=header)
    table = os.path.join(folder, f"{name}.csv")
    n = 0
    try:
        with open(table, "w", encoding="ascii") as out:
            for row in read_rows(path, fmt):
                if row.record is None:  # a row the engine would not have read as this one
                    return None
                n += 1
                out.write(f"{n},{row.number}\n")
    except InputError:
        return None
    return Numbering("line", table=table) if n == rows else None


def places(path: str, rows: int, folder: str):
    """Where the ``k``-th of the ``rows`` rows an engine read from ``path`` is (``k`` from 1),
    as the Python reader numbers it: a function of ``k``, or None when that is not known
    (see ``numbering``)."""
    n = numbering(path, rows, folder, "places")
    if n is None:
        return None
    if n.offset is not None:
        offset = n.offset
        return lambda k: k + offset
    found = array("q")
    with open(n.table, encoding="ascii") as f:
        for line in f:
            found.append(int(line.split(",")[1]))
    return lambda k: found[k - 1]


def split_messages(program, error: str, events: str | None = None) -> list[str]:
    """A row's error split into its messages: each begins with a field's label or an event's
    name (and where the event is in the ``events`` file), or, as the Python engine words a
    JSON lead's own events, ``lead 7, event 3 (page_view): `` or ``events: ``, so a `; `
    inside a quoted cell does not split it."""
    names = [e.name for e in program.plan.events.values()]
    labels = {s.label for s in program.plan.slots} | {f"{name} event" for name in names}
    if not labels:
        return [error]
    starts = "|".join(re.escape(x) for x in sorted(labels, key=len, reverse=True))
    at = f"(?: at {re.escape(events)} (?:line|row|item) \\d+)?" if events else ""
    own = ""
    if names and events in (None, INLINE):  # (no events table: a lead's own events, if any)
        kinds = "|".join(re.escape(x) for x in sorted(names, key=len, reverse=True))
        own = f"|(?:lead (?:(?!; ).)*?, )?event \\d+ \\((?:{kinds})\\)|events"
        if events == INLINE:
            own += f"|events at {re.escape(INLINE)} item \\d+"
    return re.split(f"; (?=(?:(?:{starts}){at}{own}): )", error)


def in_file_order(program, error: str | None, events: str) -> str | None:
    """A row's error with its events' messages in the order of their lines, as the Python
    engine finds them (the query puts them in the order of the definitions); the fields'
    messages stay first."""
    if not error or not program.plan.events:
        return error
    messages = split_messages(program, error, events)
    if len(messages) < 2:
        return error
    pattern = re.compile(f"(?:{'|'.join(re.escape(e.name) for e in program.plan.events.values())}) event at "
                         f"{re.escape(events)} (?:line|row|item) (\\d+): ")
    where = [pattern.match(m) for m in messages]
    if sum(w is not None for w in where) < 2:
        return error
    fields = [m for m, w in zip(messages, where) if w is None]
    found = sorted(((int(w.group(1)), m) for m, w in zip(messages, where) if w is not None), key=lambda x: x[0])
    return "; ".join(fields + [m for _, m in found])


# where the query says a JSON lead's own events are (``page_view event at <inline events> item 3``:
# its third event), for :func:`inline_as_python`
INLINE = "<inline events>"


def inline_as_python(program, error: str | None, who: str) -> str | None:
    """A row's error from the query over a JSON lead's own events as the Python engine words
    it: its fields' messages, then those of its events in the order of their place in the
    lead's list, each as ``{who}event 3 (page_view): ...`` (``who``: ``lead 7, `` or
    nothing), the list's own (``events: expected a list ...``) at its place among them."""
    if not error:
        return error
    names = "|".join(re.escape(e.name) for e in sorted(program.plan.events.values(), key=lambda e: -len(e.name)))
    pattern = re.compile(f"(events|(?:{names}) event) at {re.escape(INLINE)} item (\\d+): (.*)", re.DOTALL)
    fields, found = [], []
    for message in split_messages(program, error, INLINE):
        m = pattern.fullmatch(message)
        if m is None:
            fields.append(hinted(message))
            continue
        kind, place, body = m.groups()
        said = f"events: {body}" if kind == "events" else f"{who}event {place} ({kind[:-len(' event')]}): {body}"
        found.append((int(place), hinted(said)))
    found.sort(key=lambda x: x[0])  # (stable: one event's time, then its properties, as found)
    return "; ".join(fields + [m for _, m in found])


def as_python(program, error: str | None, events: str | None = None) -> str | None:
    """A row's error from the query as the Python engine words it: its events' messages in
    the order of their lines in ``events`` (when the query named them), and a bad member's
    message with its did-you-mean (which the query leaves out: see ``values.member_hint``)."""
    if not error:
        return error
    if events is not None:
        error = in_file_order(program, error, events)
    return "; ".join(hinted(m) for m in split_messages(program, error, events))
