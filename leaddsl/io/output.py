"""Writing results: atomic output files and rows a spreadsheet or a parser can trust.

* A file named with ``-o`` is written to a temporary file beside it and renamed into
  place only when the run is complete: an interrupted or failing run leaves the old
  file as it was. Devices and pipes (``/dev/stdout``, ``/dev/full``) are written directly.
* Text that is not valid Unicode (lone surrogates, bytes that were not UTF-8) is
  written with backslash escapes (``\\udcff``), never a crash.
* CSV cells that a spreadsheet would run as a formula (starting with ``= + - @``, tab
  or carriage return) get a leading ``'`` unless they are plain numbers (OWASP's
  advice against CSV injection); ``raw=True`` writes them as they are.
* JSON Lines never holds ``NaN`` or ``Infinity``: a non-finite number is written as null.
"""
from __future__ import annotations

import csv
import json
import math
import os
import re
import stat
import tempfile


class OutputError(Exception):
    """The output cannot be written (a usage error: an unwritable path, a full disk)."""


# ------------------------------------------------------------------ files
_BY_SUFFIX = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def output_format(path: str | None, fmt: str | None) -> str:
    """The format of the results: ``fmt``, else by the file's extension (JSON Lines on stdout).
    A ``fmt`` that contradicts the extension (`-o out.csv --format jsonl`) is an OutputError:
    the file would hold what its name says it does not."""
    if fmt:
        named = _BY_SUFFIX.get(os.path.splitext(path)[1].lower()) if path and path != "-" else None
        if named is not None and named != fmt:
            raise OutputError(f"{path}: --format {fmt} would write {'CSV' if fmt == 'csv' else 'JSON Lines'} into "
                              f"a {os.path.splitext(path)[1]} file; drop --format (the extension chooses) or "
                              "rename the file")
        return fmt
    if path and path != "-":
        suffix = os.path.splitext(path)[1].lower()
        if suffix == ".csv":
            return "csv"
        if suffix in (".jsonl", ".ndjson", ".json", ""):
            return "jsonl"
        raise OutputError(f"{path}: cannot write `{suffix}`; use .jsonl or .csv (or --format)")
    return "jsonl"


def check_target(path: str, inputs: list[str], what: str = "the results") -> None:
    """Refuse a target that is an input, a folder, or in a folder that is missing or read-only."""
    for source in inputs:
        if source and source != "-" and os.path.exists(source) and os.path.exists(path):
            if os.path.samefile(source, path):
                raise OutputError(f"{path}: is also an input ({source}); write {what} to another file")
    if os.path.isdir(path):
        raise OutputError(f"{path}: is a folder; name a file such as {os.path.join(path, 'results.jsonl')}")
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        raise OutputError(f"{path}: the folder {folder} does not exist; create it first")
    if os.path.exists(path) and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: is not writable (read-only?)")
    if not _is_special(path) and not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: cannot create files in {folder} (permission denied)")


def _is_special(path: str) -> bool:
    """A device, pipe or socket: written in place, never replaced."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


class AtomicFile:
    """A text file that appears at ``path`` only on :meth:`commit`; :meth:`abort` leaves
    whatever was there untouched."""

    def __init__(self, path: str):
        self.path = path
        self.target = os.path.realpath(path)  # a symbolic link stays one: its target is replaced
        self.tmp = None
        try:
            if _is_special(path):
                self.stream = open(path, "w", encoding="utf-8", newline="")
                return
            folder = os.path.dirname(self.target)
            fd, self.tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(self.target)}.", suffix=".tmp")
            self.stream = open(fd, "w", encoding="utf-8", newline="")
        except OSError as e:
            raise OutputError(f"{path}: cannot be written ({e.strerror or e})") from None

    def commit(self) -> None:
        try:
            self.stream.flush()
            if self.tmp is not None:
                os.fsync(self.stream.fileno())
            self.stream.close()
            if self.tmp is not None:
                os.chmod(self.tmp, _mode(self.target))
                os.replace(self.tmp, self.target)
                self.tmp = None
        except OSError as e:
            kept = "" if self.tmp is None else "; it was left as it was" if os.path.exists(self.path) else \
                "; nothing was written"
            self.abort()
            raise OutputError(f"{self.path}: cannot be written ({e.strerror or e}){kept}") from None

    def abort(self) -> None:
        try:
            self.stream.close()
        except OSError:
            pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None


def _mode(path: str) -> int:
    """The permissions of the file being replaced, or those a new file gets."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# ------------------------------------------------------------------ rows
def clean_text(s: str) -> str:
    """``s`` with anything that is not valid Unicode written as a backslash escape."""
    if s.isascii():
        return s
    return s.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_json(v):
    """A value ``json.dumps(..., allow_nan=False)`` accepts and UTF-8 can encode."""
    if isinstance(v, str):
        return clean_text(v)
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if v is None or isinstance(v, (bool, int)):
        return v
    if isinstance(v, dict):
        return {clean_text(str(k)): clean_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [clean_json(x) for x in v]
    return clean_json(str(v))  # dates, decimals, bytes from Parquet


_JSON = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # one encoder, not one per row


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def defuse(cell: str) -> str:
    """A CSV cell a spreadsheet shows as text: ``'`` before a formula-like cell."""
    if cell.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


class Writer:
    """Output rows as JSON Lines or CSV (header first, always an ``error`` column)."""

    def __init__(self, stream, fmt: str, columns: list[str], raw: bool = False):
        self.stream = stream
        self.fmt = fmt
        self.columns = columns + ["error"]
        self.raw = raw
        if fmt == "csv":
            self._csv = csv.writer(stream, lineterminator="\n")
            self._csv.writerow(self.columns)

    def write(self, row: dict) -> None:
        if self.fmt == "jsonl":
            try:  # nearly every row needs no cleaning: encoded as it is, checked after
                line = _JSON.encode(row)
                if not line.isascii():
                    line.encode("utf-8")  # a lone surrogate (undecodable input) cannot be written
            except (ValueError, TypeError):  # a NaN, a value JSON lacks, a lone surrogate
                line = _JSON.encode(clean_json(row))
            self.stream.write(line + "\n")
        else:
            self._csv.writerow([self._cell(row.get(c)) for c in self.columns])

    def _cell(self, v):
        if v is None:
            return ""
        if v is True or v is False:
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return v
        if isinstance(v, (dict, list, tuple)):  # a JSON value kept from the input: written as JSON
            s = json.dumps(clean_json(v), ensure_ascii=False, allow_nan=False)
        else:
            s = clean_text(v if isinstance(v, str) else str(clean_json(v)))
        return s if self.raw else defuse(s)
