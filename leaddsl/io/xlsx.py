"""Reading leads (or events) from an XLSX workbook: the first sheet, or one named.

Read with openpyxl in read-only mode, so a workbook streams row by row as a CSV
file does. The first row is the header; every later row that holds a value is one
record, numbered as the spreadsheet shows it (``row 7``), so a bad cell is reported
where a person finds it. Cells keep their kind: numbers stay numbers, booleans
booleans, a date cell becomes ``2026-11-22`` (``2026-11-22T09:30:00`` with a time),
text stays text; an empty cell is missing. openpyxl is the ``xlsx`` extra.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from typing import Iterator

from ..diagnostics import did_you_mean


def xlsx_rows(path: str, sheet: str | None, rows_class, row_class, input_error):
    """The Rows of one sheet (``rows_class``/``row_class``/``input_error`` are data.py's,
    passed in so that this module stays below it)."""
    try:
        import openpyxl
    except ImportError:
        raise input_error(f"{path}: reading .xlsx needs openpyxl: pip install 'leaddsl[xlsx]'") from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        why = getattr(e, "strerror", None) or str(e) or type(e).__name__
        raise input_error(f"{path}: not a readable XLSX workbook ({why})") from None
    names = book.sheetnames
    if sheet is None:
        ws = book.worksheets[0] if book.worksheets else None
        if ws is None:  # pragma: no cover - openpyxl refuses a workbook without sheets
            raise input_error(f"{path}: the workbook has no sheet")
    elif sheet in names:
        ws = book[sheet]
    else:
        book.close()
        hint = did_you_mean(sheet, names) or "sheets: " + ", ".join(f"`{n}`" for n in names)
        raise input_error(f"{path}: no sheet `{sheet}`; {hint}")
    it = ws.iter_rows(values_only=False)
    header_row = next(it, None)
    if header_row is None:
        book.close()
        return rows_class(iter(()), None, unit="row")
    header = []
    for k, cell in enumerate(header_row):
        name = _cell(cell.value)
        header.append(str(name).strip() if name is not None else _letter(k))
    seen = set()
    for name in header:
        if name in seen:
            book.close()
            raise input_error(f"{path}: the header names the column `{name}` twice; rename one of them")
        seen.add(name)
    while header and header[-1] == _letter(len(header) - 1):  # trailing columns without a name or value
        header.pop()
    # the same sheet as written: a formula whose value the file does not store (a workbook written
    # by a program, never opened in Excel) reads as an empty cell in the values
    written = openpyxl.load_workbook(path, read_only=True, data_only=False)
    formulas = written[ws.title].iter_rows(values_only=True)
    next(formulas, None)
    return rows_class(_records(book, it, header, row_class, written, formulas), header, unit="row")


def _records(book, it, header, row_class, written, formulas) -> Iterator:
    try:
        for cells in it:
            as_written = next(formulas, ())
            values = [_cell(c.value) for c in cells]
            number = next((c.row for c in cells if getattr(c, "row", None)), None)
            uncomputed = [header[k] for k, (c, w) in enumerate(zip(cells, as_written))  # (a stored "" is a value)
                          if c.value is None and isinstance(w, str) and w.startswith("=") and k < len(header)]
            if uncomputed:
                yield row_class(number, None, f"row {number}: column `{uncomputed[0]}` holds a formula whose value "
                                              "the file does not store; open the workbook in Excel (or LibreOffice) "
                                              "and save it, so that its values are stored",
                                dict(zip(header, values)))
                continue
            if all(v is None for v in values):
                continue  # an empty line of the sheet is no lead (as a blank CSV line)
            record = {}
            extra = []
            for k, v in enumerate(values):
                if k < len(header):
                    record[header[k]] = v
                elif v is not None:
                    extra.append(_letter(k))
            if extra:
                yield row_class(number, None, f"row {number}: a value in column {', '.join(extra)}, "
                                              "which has no header", record)
                continue
            yield row_class(number, record)
    finally:
        book.close()
        written.close()


def _cell(value):
    """A cell's value as the readers take it."""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, str) and value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _letter(k: int) -> str:
    out = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(65 + r) + out
    return out
