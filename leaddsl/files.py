"""Lead files evaluated by a chosen engine: :func:`evaluate_files` (``leaddsl.evaluate_files``),
the same rows from the Python engine, embedded DuckDB and Spark; and what the command line's
``eval`` shares with it (a row's evaluation, its errors with each bad event of an events table
at its line there, the columns a run keeps).

The Python engine reads the leads file row by row (``io.data.read_rows``) and each lead's
events from the events table (``io.eventtable``), in flat memory; the SQL engines run the
query ``leaddsl sql`` prints over the files (``sql.duck``, ``sql.spark``)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from .diagnostics import DataError
from .io.data import InputError, Repeats, check_column, column_problem, id_text, lead_ids, read_rows
from .runtime.codegen import get_path
from .runtime.program import lead_label, normalize_as_of, output_column

ENGINES = ("python", "duckdb", "spark")
_EVENT = re.compile(r"event (\d+)(?: \((\w+)\))?: (.*)", re.DOTALL)  # (no type: a row that cannot be read)
_PROP = re.compile(r"([A-Za-z_]\w*)(?:: | (?=is ))(.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class EventError:
    """A bad value of an event from the events table."""
    line: int  # where the event is in the events file
    event: str  # its type, as the program names it; "" for a row that cannot be read
    body: str  # "ts: cannot read 'x' as datetime", "amount: ...", "ts is missing; ...", "5 cells but ..."

    @property
    def label(self) -> str:
        """``page_view event``, or ``event`` (a row that cannot be read: its type is unknown)."""
        return f"{self.event} event" if self.event else "event"

    def as_line(self, path: str, lead_id) -> dict:
        """Its --errors-file line: the field is event.property (none for a row that cannot be read)."""
        m = _PROP.fullmatch(self.body) if self.event else None
        field, message = (f"{self.event}.{m.group(1)}", m.group(2)) if m else (self.event or None, self.body)
        return {"file": path, "line": self.line, "id": lead_id, "field": field, "message": message}


def split_errors(messages, record: dict, events) -> tuple[list[str], list[EventError]]:
    """A row's error messages: those of the lead's own record (its fields, its inline
    events), and those of events from the events table, with their line there."""
    if not events:
        return list(messages), []
    own = record.get("events")
    inline = len(own) if own.__class__ in (list, tuple) else 0  # the evaluator's events: inline, then the table's
    prefix = lead_label(record.get("id"))  # the evaluator names the lead by its `id` key: "lead 7, event 3 ..."
    mine, theirs = [], []
    for message in messages:
        body = message[len(prefix):] if prefix and message.startswith(prefix) else message
        m = _EVENT.fullmatch(body)
        index = int(m.group(1)) - inline - 1 if m else -1
        if m and 0 <= index < len(events):
            theirs.append(EventError(events.lines[index], m.group(2) or "", m.group(3)))
        else:
            mine.append(message)
    return mine, theirs


def row_error(mine: list[str], theirs: list[EventError], path: str, unit: str) -> str:
    """The `error` of an output row."""
    return "; ".join([*mine, *(f"{e.label} at {path} {unit} {e.line}: {e.body}" for e in theirs)])


def evaluate_record(program, record: dict, moment, events, bad_values: str = "error") -> tuple:
    """(result, None); (result, why some outputs are null: a bad value); or (None, why the
    row has no result: anything unexpected, which must not end the run)."""
    try:
        result = program.evaluate(record, moment, events=events, errors="return", bad_values=bad_values)
    except DataError as e:
        return None, str(e)
    except Exception as e:
        return None, f"cannot evaluate this row ({type(e).__name__}: {e}); please report this bug"
    return result, result.error


def fed_column_problems(program, rows) -> list[str]:
    """Why each column the outputs read is not in a file with a header (CSV, Parquet), with
    a did-you-mean: a misspelt `from "..."` or a renamed export column would otherwise be
    missing on every row. JSON records may leave a key out: absent is missing."""
    if not rows.header:
        return []
    found = (column_problem(rows, column, f"it feeds `{name}`") for column, name in program.columns.items())
    return [p for p in found if p]


class Unfed:
    """The columns the outputs read that no record of a JSON file has held a value for (JSON
    records may leave a key out, so no header check can tell a misspelt key before the run):
    after the run, each is a warning naming it, with a did-you-mean among the keys seen."""
    SEEN = 1000  # records whose keys are candidates for the did-you-mean

    def __init__(self, program, rows):
        # column -> (its path, read as the evaluator reads it, and what it feeds)
        self.left = {} if rows.header else {".".join(s.path): (s.path, s.label) for s in program.plan.slots}
        self.keys: set[str] = set()
        self.n = 0

    def add(self, record: dict) -> None:
        if self.n < self.SEEN:
            self.n += 1
            self.keys.update(k for k in record if isinstance(k, str))
        if self.left:
            for column in [c for c, (path, _) in self.left.items() if get_path(record, path) is not None]:
                del self.left[column]

    def warnings(self, path: str, allowed: bool = False) -> list[Unread]:
        if not self.n:  # no record at all (an empty file): nothing to say of its keys
            return []
        return [unfed_warning(path, column, fed, self.keys, allowed) for column, (_, fed) in self.left.items()]


@dataclass(frozen=True)
class Unread:
    """The warning of a column no JSON record gave a value, and whether it fails the run."""
    text: str
    fails: bool


def unfed_warning(path: str, column: str, fed: str, keys, allowed: bool = False) -> Unread:
    """A column the definitions read that no JSON record gave a value. JSON may leave a key out, so
    alone it is a warning; beside a key of a close name (`revnue` for `revenue`: a misspelt key or
    `from "..."`) it fails the run, as a column missing from a CSV header does, unless ``allowed``
    (--allow-missing-columns)."""
    from .diagnostics import did_you_mean
    mean = did_you_mean(column, sorted(k for k in keys if k != column))
    fails = bool(mean) and not allowed
    fix = (" (exit 1: fix the key or the definition's `from \"...\"`; --allow-missing-columns accepts it)"
           if fails else "")
    return Unread(f"warning: {path}: no record has a value for `{column}` (it feeds `{fed}`): it was missing on "
                  f"every row{'; ' + mean if mean else ''}{fix}", fails)


def check_id_name(program, id_field: str, name: str = "--id-field") -> None:
    """The output's id column is named as the input's: it must not be an output's name too
    (InputError; ``name``: how the message names the id column)."""
    if output_column(program, id_field):
        raise InputError(f"{name} `{id_field}` is also the name of an output column; the output's id column is "
                         "named as the input's, so rename the definition or the input's id column")


def kept_columns(program, path: str, rows, id_field: str, keep) -> list[str]:
    """The kept columns (``keep``: names, or comma-separated names), in order, each once:
    every one must be an input column (by the CSV header, the Parquet schema or the first
    JSON object) and must not be named like an output column (InputError)."""
    kept: list[str] = []
    for value in keep:
        for name in (c.strip() for c in value.split(",")):
            if name and name not in kept:
                kept.append(name)
    problems = []
    outputs = [*program.outputs, "error"]
    for name in kept:
        if name == id_field:
            problems.append(f"--keep `{name}`: it is the id column (--id-field), already the first column")
        elif name in outputs:
            problems.append(f"--keep `{name}`: an output column has this name (a definition, `stage` or `error`)")
        elif rows is not None:
            problem = column_problem(rows, name, "named by --keep")
            if problem:
                problems.append(problem)
    if problems:
        raise InputError(f"{path}: " + f"\n{path}: ".join(problems))
    return kept


def evaluate_files(program, leads: str, events: str | None = None, as_of=None, *, engine: str = "python",
                   id_field: str = "id", lead_field: str = "lead_id", type_field: str = "type", ts_field: str = "ts",
                   keep=(), bad_values: str = "error") -> Iterator[dict]:
    """One dict per lead row of the file ``leads``, in file order, the same from each
    ``engine``: ``id_field`` as the file holds it, the ``keep`` columns as read, every output
    (`stage`, scores, bands and routes included) and ``error``: None, or why outputs are
    null, each bad event of ``events`` named at its line there (`page_view event at e.csv
    line 7: ...`). ``events``: an events table (``lead_field``, ``type_field``, ``ts_field``
    and the properties); JSON Lines leads may hold their events in their own ``events``
    list instead. ``engine``: "python" (CSV, JSON Lines, JSON, Parquet, xlsx), "duckdb"
    (CSV, JSON Lines, Parquet; the duckdb extra) or "spark" (CSV, Parquet; the spark extra
    and Java). InputError for a file or column the engine cannot use, before the first
    row (the SQL engines' EngineError is one); DslError (E501) for a construct a SQL
    engine cannot run exactly. A row of the events table that cannot be read (a cell too
    many, not UTF-8) is an event of the lead it names: it errs that lead's outputs that read
    events (`event at e.csv line 7: 5 cells but the header has 4 columns`); a row without a
    lead id belongs to no lead and is passed over (``leaddsl eval`` names each one and exits 1)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if bad_values not in ("error", "missing"):
        raise ValueError("bad_values must be 'error' (as each field declares) or 'missing'")
    try:
        check_id_name(program, id_field, "the id column")
    except InputError as e:
        raise InputError(f"{leads}: {e}") from None
    moment = normalize_as_of(as_of)
    kept = kept_columns(program, leads, None, id_field, keep)
    if engine == "python":
        return _python(program, leads, events, moment, id_field, lead_field, type_field, ts_field, kept, bad_values)
    return _sql(engine, program, leads, events, moment, id_field, lead_field, type_field, ts_field, kept, bad_values)


def engine_row(row: dict, columns: list[str], text: bool, id_field: str, kept) -> dict:
    """A SQL engine's row with the Python engine's ``columns``: from a CSV file (``text``) an
    empty id or kept cell is "", as the Python reader reads it, not NULL."""
    out = {name: row.get(name) for name in columns}
    if text:
        for name in (id_field, *kept):
            out[name] = "" if out[name] is None else out[name]
    return out


def _sql(engine, program, leads, events, moment, id_field, lead_field, type_field, ts_field, kept, bad_values):
    if engine == "spark":
        from .sql.spark import evaluate_files as run
    else:
        from .sql.duck import evaluate_files as run
    rows = run(program, leads, events, moment, id_field=id_field, lead_field=lead_field, type_field=type_field,
               ts_field=ts_field, keep=kept, bad_values=bad_values)
    columns = [id_field, *kept, *program.outputs, "error"]
    text = leads.lower().endswith(".csv")
    try:
        first = next(rows)  # (the files are read and checked before the first row: errors now, not later)
    except StopIteration:
        return iter(())
    return _chain(engine_row(first, columns, text, id_field, kept),
                  (engine_row(r, columns, text, id_field, kept) for r in rows))


def _chain(first, rest):
    yield first
    yield from rest


def _python(program, leads, events, moment, id_field, lead_field, type_field, ts_field, kept, bad_values):
    from .io.eventtable import EventTable
    rows = read_rows(leads)
    check_column(leads, rows, id_field, "the --id-field that identifies a lead")
    problems = fed_column_problems(program, rows)
    if problems:
        raise InputError(f"{leads}: " + f"\n{leads}: ".join(problems))
    kept_columns(program, leads, rows, id_field, kept)
    table = None
    if events is not None:
        table = EventTable(events, lead_field, type_field, ts_field, wanted=program.event_columns,
                           attach=program.plan.uses_events)
    return _python_rows(program, leads, rows, table, events, moment, id_field, kept, bad_values)


def lead_row(program, row, table, events: str | None, moment, id_field: str, kept, bad_values: str,
             repeat: bool = False) -> tuple:
    """One row of a leads file evaluated by the Python engine, with its events from ``table``
    (the events table at ``events``, or None; ``repeat``: the row's id came before): (the
    output row without its error: the id and kept columns as read, every output, None where
    a bad value or the row itself stops it; the error, each bad event of the table named at
    its line there, or None; the result, None for a row that could not be read; the row's
    own messages; the table's bad events, ``EventError``)."""
    record = row.record
    lead_id = row.get(id_field)
    out = {id_field: lead_id, **{name: row.get(name) for name in kept}}
    result, error, extra = None, row.error, None
    if record is not None:
        extra = table.events_for(lead_id, repeat) if table is not None else None
        result, error = evaluate_record(program, record, moment, extra, bad_values)
    # (a bad value nulls only the outputs that read it; the others keep their answers)
    out.update({name: None if result is None else result[name] for name in program.outputs})
    mine, theirs = [], []
    if error and result is not None:
        mine, theirs = split_errors(result.errors, record, extra)
        if theirs:  # an event of the table is named at its own line there
            error = row_error(mine, theirs, events, table.unit)
    return out, error, result, mine, theirs


def _python_rows(program, leads, rows, table, events, moment, id_field, kept, bad_values):
    seen = Repeats(lambda n: lead_ids(leads, None, id_field, n))
    try:
        for row in rows:
            key = id_text(row.get(id_field))
            out, error, *_ = lead_row(program, row, table, events, moment, id_field, kept, bad_values,
                                      key is not None and seen.add(key))
            out["error"] = error
            yield out
    finally:
        if table is not None:
            table.close()
