"""Reading leads and events (JSON Lines, CSV, Parquet, JSON); results are written by ``output``.

Everything streams: records are read one at a time and every input row gives
exactly one output row — a row that cannot be read becomes an ``error`` row,
never a dropped one: a JSON line that does not parse (with its line and column),
a CSV row with too many cells, a cell that is not UTF-8, a quote never closed
(the row where it opens is the error; the lines after it are read again as rows),
a Parquet row group that is damaged (each of its rows). A CSV header that names a
column twice is an error for the whole file.

Events from a separate table (``--events``) are joined to leads by ``eventtable``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import sys
from array import array
from itertools import chain
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Iterator

from ..diagnostics import suggest

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet",
           ".pq": "parquet", ".xlsx": "xlsx", ".xlsm": "xlsx"}


class InputError(Exception):
    """A data file that cannot be opened or has an unknown format (a usage error)."""


@dataclass
class Row:
    number: int  # line number (JSONL, CSV) or row number (Parquet, JSON)
    record: dict | None
    error: str | None = None
    partial: dict | None = None  # what could be read of a broken row (for its id)

    def get(self, key: str):
        """A value of the record, or of what could be read of a broken row."""
        return (self.record if self.record is not None else self.partial or {}).get(key)


class Rows:
    """The rows of a data file, in order, and its column names (the CSV header, the
    Parquet schema, the keys of the first JSON object; None for an empty file)."""

    def __init__(self, rows: Iterator[Row], columns: list[str] | None = None, peek: bool = False,
                 unit: str = "line"):
        self._rows = rows
        self.unit = unit  # what Row.number counts: line, row (Parquet) or item (a JSON array)
        self._head: list[Row] = []
        self.columns = columns
        self.header = columns is not None  # a real header (CSV, Parquet): every row has these columns
        self.progress = None  # () -> (bytes or rows read, of how many), for a progress bar; None: unknown
        self.nested: set[str] = set()  # the dotted names of struct fields (Parquet): columns too
        if peek:  # the keys of the first record that could be read (among the first hundred rows)
            for row in rows:
                self._head.append(row)
                if row.record is not None:
                    self.columns = list(row.record)
                if row.record is not None or len(self._head) == 100:
                    break

    def __iter__(self) -> Iterator[Row]:
        yield from self._head
        self._head = []
        yield from self._rows


def data_format(path: str, fmt: str | None = None) -> str:
    if fmt:
        return fmt
    if path == "-":
        raise InputError("reading data from standard input (`-`) needs --input-format jsonl or csv")
    found = FORMATS.get(Path(path).suffix.lower())
    if found is None:
        raise InputError(f"{path}: unknown data format `{Path(path).suffix}`; use .jsonl, .csv, .parquet, .json "
                         "or .xlsx (or --input-format)")
    return found


def read_rows(path: str, fmt: str | None = None, sheet: str | None = None) -> Rows:
    """The rows of ``path`` (``-``: standard input, which needs ``fmt``); ``sheet``: the
    sheet of an XLSX workbook (default the first)."""
    fmt = data_format(path, fmt)
    if sheet is not None and fmt != "xlsx":
        raise InputError(f"{path}: --sheet names a sheet of an .xlsx workbook; this file is {fmt}")
    if path == "-":
        if fmt in ("parquet", "xlsx"):
            raise InputError(f"{'Parquet' if fmt == 'parquet' else 'XLSX'} cannot be read from standard input; "
                             "write it to a file first")
        return _READERS[fmt](sys.stdin.buffer, path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a folder, not a data file")
    try:
        f = open(path, "rb")
    except OSError as e:
        raise InputError(f"{path}: cannot be read ({e.strerror or e})") from None
    if fmt == "parquet":
        f.close()
        return _parquet(path)
    if fmt == "xlsx":
        f.close()
        from .xlsx import xlsx_rows
        return xlsx_rows(path, sheet, Rows, Row, InputError)
    size = os.fstat(f.fileno()).st_size
    rows = _READERS[fmt](f, path)
    rows.progress = partial(_position, f, size)
    return rows


def _position(f, size: int) -> tuple[int, int]:
    """How far a file has been read (its buffer counts as read), and its size."""
    try:
        return min(f.tell(), size), size
    except (ValueError, OSError):  # closed: read to the end
        return size, size


def check_column(path: str, rows: Rows, name: str, what: str) -> None:
    """A usage error when the file has columns and ``name`` is not one of them."""
    problem = column_problem(rows, name, what)
    if problem:
        raise InputError(f"{path}: {problem}")


def column_problem(rows: Rows, name: str, what: str) -> str | None:
    """Why ``name`` is not a column of a file with a header (with a did-you-mean), or None."""
    if rows.columns is None or name in rows.columns or name in rows.nested:
        return None
    folded = [c for c in rows.columns if c.strip().casefold() == name.strip().casefold()]
    close = folded[0] if folded else suggest(name, rows.columns)
    hint = f"did you mean `{close}`?" if close else "columns: " + ", ".join(f"`{c}`" for c in rows.columns[:20])
    return f"no `{name}` column ({what}); {hint}"


def json_type(value) -> str:
    """How JSON calls the type of ``value``: null, true, a string, an array..."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def _jsonl(f, path: str) -> Rows:
    return Rows(_jsonl_rows(f), peek=True)


def _jsonl_rows(f) -> Iterator[Row]:
    with f:
        for number, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as e:
                yield Row(number, None, f"line {number}, column {e.colno}: not valid JSON ({e.msg})")
                continue
            except (ValueError, RecursionError) as e:  # not UTF-8, or nested too deeply
                msg = "not UTF-8 text" if isinstance(e, UnicodeDecodeError) else str(e) or "too deeply nested"
                yield Row(number, None, f"line {number}: not valid JSON ({msg})")
                continue
            if not isinstance(record, dict):
                yield Row(number, None, f"line {number}: expected a JSON object, found {json_type(record)}")
                continue
            yield Row(number, record)


def _json(f, path: str) -> Rows:
    try:
        with f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise InputError(f"{path}: line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})") from None
    except (ValueError, RecursionError) as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of objects, found {json_type(data)}")

    def rows():
        for i, record in enumerate(data, 1):
            if isinstance(record, dict):
                yield Row(i, record)
            else:
                yield Row(i, None, f"item {i}: expected a JSON object, found {json_type(record)}")
    return Rows(rows(), peek=True, unit="item")


class _Lines:
    """Lines for csv.reader that keep the lines of the record being read (``taken``)
    and say whether the reader asked for more than there are (``eof``: a quote is open)."""

    def __init__(self, lines):
        self.source = lines
        self.taken: list[str] = []
        self.eof = False

    def __iter__(self) -> Iterator[str]:
        taken = self.taken
        for line in self.source:
            taken.append(line)
            yield line
        self.eof = True


def _csv(f, path: str) -> Rows:
    text = io.TextIOWrapper(f, encoding="utf-8-sig", errors="surrogateescape", newline="")
    lines = _Lines(text)
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        text.close()
        return Rows(iter(()))
    except csv.Error as e:
        text.close()
        raise InputError(f"{path}: cannot read the header ({e})") from None
    header = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for i, h in enumerate(header, 1):
        if h and h in seen:
            text.close()
            raise InputError(f"{path}: line 1: column `{h}` appears twice in the header (columns {seen[h]} and {i}); "
                             "rename one of them")
        seen[h] = i
    return Rows(_csv_rows(text, lines, reader, header), header)


def _csv_rows(text, lines: _Lines, reader, header: list[str]) -> Iterator[Row]:
    width = len(header)
    base = 0  # the line before the first line the reader reads
    with text:
        while True:
            lines.taken.clear()
            number = base + reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield Row(number, None, f"line {number}: cannot read this CSV row ({e})")
                continue
            if (lines.eof and lines.taken) or (len(lines.taken) > 1 and _stray_quote(lines.taken, len(cells), width)):
                # a quote never closed (the rest of the file became one cell), or a stray quote that
                # swallowed the line breaks and rows after it until another quote, leaving the row
                # short of cells: the row where it opens is the error; read the lines after it again
                why = ("is never closed (a `\"` is missing)" if lines.eof else
                       "runs over the next lines (a `\"` is stray or missing)")
                first, rest = lines.taken[0], lines.taken[1:]
                lines = _Lines(chain(rest, lines.source))
                reader, base = csv.reader(lines), number
                yield Row(number, None, f"line {number}: a quoted cell {why}",
                          dict(zip(header, next(csv.reader([first]), []))))
                continue
            if not cells or (len(cells) == 1 and not cells[0].strip() and width > 1):
                continue  # a blank line is not a row
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                yield Row(number, None, f"line {number}: {len(cells)} cells but the header has {width} columns",
                          dict(zip(header, cells)))
                continue
            bad = next((h for h, c in zip(header, cells) if _has_surrogates(c)), None)
            if bad is not None:
                yield Row(number, None, f"line {number}: column `{bad}` is not UTF-8 text", dict(zip(header, cells)))
                continue
            yield Row(number, dict(zip(header, cells)))


def _stray_quote(taken: list[str], n_cells: int, width: int) -> bool:
    """Whether a record read over several lines is rather a stray quote that swallowed the line
    breaks and rows after it: it leaves the row short of cells, or the quote that closes it is
    followed by more text (`4,"quoted",1` after `2,"oops,9`), which a strict reader refuses."""
    if n_cells < width:
        return True
    try:
        for _ in csv.reader(taken, strict=True):
            pass
    except csv.Error:
        return True
    return False


def _has_surrogates(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _parquet(path: str, columns: list[str] | None = None) -> Rows:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'leaddsl[parquet]'") from None
    try:
        f = pq.ParquetFile(path)
        names = f.schema_arrow.names
    except Exception as e:  # pyarrow raises several types for broken files
        raise InputError(f"{path}: not a readable Parquet file ({e})") from None
    if columns is not None:  # (a dotted name reads a struct column's field: the whole column is read)
        wanted = set(columns)
        columns = [c for c in names if c in wanted or any(w.startswith(c + ".") for w in wanted)]
    read = [0]
    rows = Rows(_parquet_rows(f, columns, read), names, unit="row")
    rows.nested = set(_struct_paths(f.schema_arrow))
    total = f.metadata.num_rows
    rows.progress = lambda: (read[0], total)
    return rows


def _struct_paths(schema) -> Iterator[str]:
    """The dotted names of the fields of a Parquet file's struct columns, at every depth
    (``company.revenue`` reads the field ``revenue`` of the column ``company``)."""
    import pyarrow as pa
    todo = [(field.name, field.type) for field in schema]
    while todo:
        name, kind = todo.pop()
        if pa.types.is_struct(kind):
            for i in range(kind.num_fields):
                inner = kind.field(i)
                todo.append((f"{name}.{inner.name}", inner.type))
                yield f"{name}.{inner.name}"


def _parquet_rows(f, columns, read: list) -> Iterator[Row]:
    """Row group by row group: the rows of a group that cannot be read (a corrupt
    page) become error rows, and the next groups are still read. ``read[0]``: the rows
    of the groups read so far."""
    number = 0
    for group in range(f.num_row_groups):
        read[0] = number
        end = number + f.metadata.row_group(group).num_rows
        try:
            for batch in f.iter_batches(batch_size=8192, row_groups=[group], columns=columns):
                for record in batch.to_pylist():
                    number += 1
                    yield Row(number, record)
        except Exception as e:  # OSError (corrupt compression), ArrowInvalid, ...
            error = f"cannot read this row: row group {group + 1} of the Parquet file is damaged ({e})"
            while number < end:
                number += 1
                yield Row(number, None, f"row {number}: {error}")
        number = end
    read[0] = number


_READERS = {"jsonl": _jsonl, "csv": _csv, "json": _json}


# ------------------------------------------------------------------ ids
def id_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


def id_key(s: str):
    """Sort key of an id: numbers (ASCII digits) by value, then text."""
    if s.isascii() and s.isdigit():
        return (0, int(s), "")
    return (1, 0, s)


class IdSet:
    """The lead ids read so far, for finding repeats, as 64-bit hashes in one flat
    array (open addressing): 16 to 32 bytes per id, where a set of strings takes about
    85. Two different ids with the same hash (about one chance in 30 million among a
    million ids) would be taken for one repeated id."""

    def __init__(self, size: int = 1024):
        self._slots = array("q", bytes(8 * size))  # 0: empty
        self._mask = size - 1
        self._count = 0

    def add(self, key: str) -> bool:
        """Add ``key``; whether it was there already."""
        h = hash(key) or 1
        slots, mask = self._slots, self._mask
        i = h & mask
        while slots[i]:
            if slots[i] == h:
                return True
            i = (i + 1) & mask
        slots[i] = h
        self._count += 1
        if 2 * self._count > mask:
            self._grow()
        return False

    def _grow(self) -> None:
        old = self._slots
        self._slots = array("q", bytes(16 * len(old)))
        self._mask = 2 * len(old) - 1
        slots, mask = self._slots, self._mask
        for h in old:
            if h:
                i = h & mask
                while slots[i]:
                    i = (i + 1) & mask
                slots[i] = h


def lead_ids(path: str, fmt: str | None, field: str, n: int, sheet: str | None = None) -> Iterator[str | None]:
    """The ids of the first ``n`` rows of a leads file."""
    for _, row in zip(range(n), read_rows(path, fmt, sheet)):
        yield id_text(row.get(field))


class Repeats:
    """Finds lead ids that repeat. While the ids come in order (by number or as
    text), a repeat can only be the previous id and nothing is stored, so memory
    stays flat for a leads file sorted by id; at the first id out of order, the ids
    read so far are read again (``reread(n)``: the ids of the first n rows) into an
    :class:`IdSet`. Without ``reread`` (standard input) every id is kept from the start."""

    def __init__(self, reread=None):
        self._reread = reread
        self._seen = IdSet() if reread is None else None
        self._prev: str | None = None
        self._orders = [id_key, text_key]
        self._rows = 0

    def add(self, key: str | None) -> bool:
        """The id of the next row; whether it was seen before."""
        self._rows += 1
        if key is None:
            return False
        if self._seen is not None:
            return self._seen.add(key)
        if key == self._prev:
            return True
        if self._prev is not None:
            self._orders = [k for k in self._orders if k(key) > k(self._prev)]
            if not self._orders:  # out of order: from now on remember every id
                self._seen = IdSet()
                for old in self._reread(self._rows - 1):
                    if old is not None:
                        self._seen.add(old)
                return self._seen.add(key)
        self._prev = key
        return False


def text_key(s: str) -> str:
    return s
