"""Reading leads and events (JSON Lines, CSV, Parquet, JSON) and writing results.

Everything streams: records are read one at a time and every input row gives
exactly one output row — a row that cannot be read becomes an ``error`` row,
never a dropped one.

Events from a separate table (``--events``) are joined to leads by id. When the
table is sorted by lead id (checked in a first pass that reads only that
column), the join is a streaming merge: memory holds the events of one lead
(plus the events of ids the leads file has not reached yet). Otherwise the
table is grouped in memory, which costs memory proportional to its size.
"""
from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".parquet": "parquet",
           ".pq": "parquet"}


class InputError(Exception):
    """A data file that cannot be opened or has an unknown format (a usage error)."""


@dataclass
class Row:
    number: int  # line number (JSONL, CSV) or row number (Parquet, JSON)
    record: dict | None
    error: str | None = None
    partial: dict | None = None  # what could be read of a broken row (for its id)


def data_format(path: str) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown data format `{Path(path).suffix}`; use .jsonl, .csv, .parquet or .json")
    return fmt


def read_rows(path: str) -> Iterator[Row]:
    fmt = data_format(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a folder, not a data file")
    return {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet, "json": _json}[fmt](path)


def _jsonl(path: str) -> Iterator[Row]:
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line:
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as e:
                msg = e.msg if isinstance(e, json.JSONDecodeError) else str(e) or "too deeply nested"
                yield Row(number, None, f"line {number}: not valid JSON ({msg})")
                continue
            if not isinstance(record, dict):
                yield Row(number, None, f"line {number}: expected a JSON object, found {type(record).__name__}")
                continue
            yield Row(number, record)


def _json(path: str) -> Iterator[Row]:
    try:
        with open(path, "rb") as f:
            data = json.load(f)
    except (ValueError, RecursionError) as e:
        raise InputError(f"{path}: not valid JSON ({e})") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of objects")
    for i, record in enumerate(data, 1):
        if isinstance(record, dict):
            yield Row(i, record)
        else:
            yield Row(i, None, f"item {i}: expected a JSON object, found {type(record).__name__}")


def _csv(path: str) -> Iterator[Row]:
    with open(path, "r", encoding="utf-8-sig", errors="surrogateescape", newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise InputError(f"{path}: cannot read the header ({e})") from None
        header = [h.strip() for h in header]
        width = len(header)
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield Row(reader.line_num, None, f"line {reader.line_num}: cannot read this CSV row ({e})")
                continue
            number = reader.line_num
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
            record = dict(zip(header, cells))
            yield Row(number, record)


def _has_surrogates(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _parquet(path: str) -> Iterator[Row]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'leaddsl[parquet]'") from None
    try:
        f = pq.ParquetFile(path)
    except Exception as e:  # pyarrow raises several types for broken files
        raise InputError(f"{path}: not a readable Parquet file ({e})") from None
    number = 0
    for batch in f.iter_batches(batch_size=8192):
        for record in batch.to_pylist():
            number += 1
            yield Row(number, record)


def parquet_ids(path: str, column: str) -> Iterator:
    import pyarrow.parquet as pq
    f = pq.ParquetFile(path)
    if column not in f.schema_arrow.names:
        raise InputError(f"{path}: no `{column}` column")
    for batch in f.iter_batches(batch_size=65536, columns=[column]):
        yield from batch.column(0).to_pylist()


# ------------------------------------------------------------------ ids
def id_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    return s or None


def id_key(s: str):
    """Sort key of an id: numbers by value, then text."""
    if s.isdigit():
        return (0, int(s), "")
    return (1, 0, s)


# --------------------------------------------------------------- events
class EventTable:
    """Events from a separate table, handed out lead by lead."""

    def __init__(self, path: str):
        self.path = path
        self.fmt = data_format(path)
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file")
        self.sorted = self._is_sorted()
        self.bad_rows: list[str] = []
        if self.sorted:
            self._stream = self._events()
            self._cur = next(self._stream, None)
            self._parked: dict[str, list] = {}
        else:
            self._all: dict[str, list] = {}
            for lead, event in self._events():
                self._all.setdefault(lead, []).append(event)

    def _ids(self) -> Iterator:
        if self.fmt == "parquet":
            yield from parquet_ids(self.path, "lead_id")
            return
        for row in read_rows(self.path):
            if row.record is not None:
                yield row.record.get("lead_id")

    def _is_sorted(self) -> bool:
        prev = None
        for raw in self._ids():
            s = id_text(raw)
            if s is None:
                continue
            k = id_key(s)
            if prev is not None and k < prev:
                return False
            prev = k
        return True

    def _events(self) -> Iterator[tuple[str, dict]]:
        for row in read_rows(self.path):
            if row.record is None:
                self.bad_rows.append(f"{self.path}: {row.error}")
                continue
            lead = id_text(row.record.get("lead_id"))
            if lead is None:
                self.bad_rows.append(f"{self.path}: line {row.number}: event without a lead_id")
                continue
            event = {k: v for k, v in row.record.items() if k != "lead_id"}
            yield lead, event

    def events_for(self, lead_id) -> list:
        s = id_text(lead_id)
        if s is None:
            return []
        if not self.sorted:
            return self._all.pop(s, [])
        out = self._parked.pop(s, [])
        k = id_key(s)
        while self._cur is not None:
            lead, event = self._cur
            lk = id_key(lead)
            if lk > k:
                break
            if lead == s:
                out.append(event)
            else:
                self._parked.setdefault(lead, []).append(event)
            self._cur = next(self._stream, None)
        return out


# ---------------------------------------------------------------- output
class Writer:
    def __init__(self, stream, fmt: str, columns: list[str]):
        self.stream = stream
        self.fmt = fmt
        self.columns = columns
        if fmt == "csv":
            self._csv = csv.writer(stream, lineterminator="\n")
            self._csv.writerow(columns + ["error"])

    def write(self, row: dict) -> None:
        if self.fmt == "jsonl":
            self.stream.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
        else:
            cells = []
            for c in self.columns + ["error"]:
                v = row.get(c)
                cells.append("" if v is None else "true" if v is True else "false" if v is False else v)
            self._csv.writerow(cells)


def output_format(path: str | None, fmt: str | None) -> str:
    if fmt:
        return fmt
    if path and path != "-":
        suffix = Path(path).suffix.lower()
        if suffix == ".csv":
            return "csv"
        if suffix in (".jsonl", ".ndjson", ".json", ""):
            return "jsonl"
        raise InputError(f"{path}: cannot write `{suffix}`; use .jsonl or .csv (or --format)")
    return "jsonl"
