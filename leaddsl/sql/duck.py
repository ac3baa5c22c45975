"""Running the generated query in embedded DuckDB over files (``eval --engine duckdb``).

Needs the ``duckdb`` extra (``pip install 'leaddsl[duckdb]'``). The leads file (CSV,
JSON Lines or Parquet) is read with every cell as text, as exported, numbered in file
order; the events file likewise. The query is the one ``leaddsl sql --dialect duckdb``
prints, with the as-of time bound as its parameter.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
import threading
from pathlib import Path

from .. import sql as S
from ..io.data import InputError
from .. import types as T
from ..runtime.program import lead_label
from . import inline as IN, json_cells as J, lines

# (the suffixes the Python reader reads the same way: a `.json` file is one JSON array there)
READERS = {".csv": "read_csv", ".jsonl": "read_json", ".ndjson": "read_json", ".parquet": "read_parquet"}


def p_suffix(path: str) -> str:
    return Path(path).suffix.lower()


def _reader(path: str) -> str | None:
    """DuckDB's table function for the file at ``path`` (by its suffix), or None."""
    return READERS.get(p_suffix(path))


class EngineError(InputError):
    """A file or column the DuckDB or Spark engine cannot use (a usage error)."""


def _connect():
    try:
        import duckdb
    except ImportError:
        raise EngineError("--engine duckdb needs DuckDB: pip install 'leaddsl[duckdb]'") from None
    return duckdb, duckdb.connect()


def _source(path: str, text=(), padded: bool = False):
    """The DuckDB reader of the file at ``path`` (a table function). A CSV file's cells are
    text; a JSON Lines file's ``text`` columns are read as text (a string as itself, a number
    as written, anything else as its JSON; DuckDB would otherwise give a column of mixed
    values the JSON type, whose strings keep their quotes when cast to text); ``text`` may map
    each column to its type instead. ``padded``: a CSV row short of cells is read with the
    rest missing (DuckDB's reader then refuses line breaks inside quoted cells, so it is
    asked only for a file it cannot read otherwise)."""
    p = Path(path)
    if not p.is_file():
        raise EngineError(f"{path}: no such file")
    reader = _reader(path)
    if reader is None:
        raise EngineError(f"{path}: --engine duckdb reads .csv, .jsonl and .parquet files")
    from sqlglot import exp
    args = [exp.Literal.string(str(p))]
    if reader == "read_csv":
        # the Python reader's dialect (commas, `"` quoting and doubling, the header on the first
        # line), not one DuckDB guesses: a file of `;`-separated columns is one column there, and
        # must not be read otherwise here, nor its first lines skipped
        args += [exp.EQ(this=exp.column("all_varchar"), expression=exp.true()),
                 exp.EQ(this=exp.column("header"), expression=exp.true()),
                 exp.EQ(this=exp.column("delim"), expression=exp.Literal.string(",")),
                 exp.EQ(this=exp.column("quote"), expression=exp.Literal.string('"')),
                 exp.EQ(this=exp.column("escape"), expression=exp.Literal.string('"')),
                 exp.EQ(this=exp.column("skip"), expression=exp.Literal.number(0))]  # the header is line 1
        if padded:  # a row short of cells has the rest missing, as in Python
            args.append(exp.EQ(this=exp.column("null_padding"), expression=exp.true()))
    elif reader == "read_json":
        args += [exp.EQ(this=exp.column("format"), expression=exp.Literal.string("newline_delimited"))]
        if text:
            types = text if isinstance(text, dict) else dict.fromkeys(text, "VARCHAR")
            args += [exp.EQ(this=exp.column("columns"), expression=exp.Struct(expressions=[
                exp.PropertyEQ(this=exp.Literal.string(c), expression=exp.Literal.string(k)) for c, k in types.items()]))]
    return exp.Table(this=exp.Anonymous(this=reader, expressions=args))


_COPIES: dict[str, str] = {}   # a copy _readable or _python_copy made -> the file it copies (for messages)
_PYTHON_COPIES: set[str] = set()


def _readable(path: str, folder: str) -> str:
    """The file DuckDB reads for ``path``: itself, or, for a CSV file that ends its lines in
    more than one way (``\\n`` and ``\\r\\n``: files joined from two systems), which DuckDB's
    reader refuses, a copy in ``folder`` written by Python's csv module with every row ending
    in ``\\r\\n`` (so that a cell holding a line break of either kind, ``\\r`` too, is quoted;
    with ``\\n`` the writer leaves a lone ``\\r`` unquoted). Its rows are the file's: lines are
    still counted in the file itself; a message names the file, not the copy."""
    import csv
    if p_suffix(path) != ".csv" or not Path(path).is_file() or not lines.breaks(path).mixed:
        return path
    copy = Path(folder) / f"{len(list(Path(folder).iterdir()))}-{Path(path).name}"
    _COPIES[str(copy)] = path
    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as src, \
            open(copy, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:
        reader, writer = csv.reader(src), csv.writer(out, lineterminator="\r\n")
        try:
            writer.writerows(reader)
        except csv.Error as e:
            raise EngineError(f"{path}: line {reader.line_num}: cannot read this CSV row ({e}); "
                              "use --engine python, which reads the other rows") from None
    return str(copy)


def _python_copy(path: str, folder: str) -> str:
    """For a CSV file DuckDB's reader refuses (a row short of cells in a file that also has a
    quoted cell over several lines: DuckDB pads short rows only in files without), a copy in
    ``folder`` of the rows the Python reader reads, each with every column of the header (the
    cells a row lacks empty, which is missing), quoted where needed, lines ending in ``\\r\\n``.
    Lines are still counted in the file itself. A row the Python reader cannot read (it errs
    that row and reads the others) is a usage error: use --engine python."""
    import csv
    rows = _python_rows(path)
    header = rows.columns or []
    copy = Path(folder) / f"{len(list(Path(folder).iterdir()))}-{Path(path).name}"
    _COPIES[str(copy)] = path
    _PYTHON_COPIES.add(str(copy))
    with open(copy, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            if row.record is None:
                raise EngineError(f"{path}: {row.error}; --engine python reads the file, and names each row it cannot "
                                  "read in that row's error")
            writer.writerow([row.record.get(h, "") for h in header])
    return str(copy)


def _probed(con, path: str, readable: str, folder: str):
    """(the file DuckDB reads for ``path``, what ``_probe`` finds of it): ``readable``, or the
    Python reader's copy of a CSV file DuckDB's reader refuses."""
    try:
        return readable, _probe(con, readable)
    except EngineError:
        if _reader(path) != "read_csv" or readable in _PYTHON_COPIES:
            raise
    copy = _python_copy(path, folder)
    return copy, _probe(con, copy)


def check_event_columns(path: str, columns, program, fields, absent_is_missing: bool = False) -> None:
    """The usage error for the first events column the run needs and the file lacks (as the
    Python engine says it): the lead, type and time columns, and each property the outputs
    read (``absent_is_missing``: a JSON file, whose events may leave a property out)."""
    from ..io.eventtable import FIELD_ROLES
    if not program.plan.events:
        return
    what = {**dict(zip(fields, FIELD_ROLES)), **({} if absent_is_missing else program.event_columns)}
    for c in what:
        if c not in columns:
            raise _no_column(path, columns, c, what[c])


def no_lead_column(path: str, columns, name: str, program, keep, id_field: str) -> EngineError:
    """The usage error for a leads column the run needs and the file lacks: what needs it,
    and the column meant (as the Python engine says it)."""
    what = {**{c: f"it feeds `{label}`" for c, label in program.columns.items()}, **{c: "--keep" for c in keep},
            id_field: "the --id-field that identifies a lead"}
    return _no_column(path, columns, name, what[name])


def _no_column(path: str, columns, name: str, what: str) -> EngineError:
    from ..io.data import Rows, column_problem
    return EngineError(f"{path}: {column_problem(Rows(iter(()), list(columns)), name, what)}")


def _probe(con, path: str) -> tuple[list[str], bool]:
    """The columns of the file at ``path`` (DuckDB reads its header or schema, not its rows),
    and whether its CSV rows need padding (see ``_source``)."""
    import duckdb
    from sqlglot import exp

    def columns(padded):
        return [d[0] for d in con.execute(exp.select("*").from_(_source(path, padded=padded)).limit(0).sql(
            dialect="duckdb")).description]
    csv = _reader(path) == "read_csv"
    if csv:  # padded only when it cannot be read otherwise
        try:
            return columns(False), False
        except duckdb.Error:
            pass
    with _refused(path):
        return columns(csv), csv


@contextlib.contextmanager
def _refused(path: str):
    """A file DuckDB's reader refuses is a usage error that says so (and for a CSV file, what
    reads it: a row with more cells than the header, say, which the Python engine reads as
    that row's error, keeping the others)."""
    import duckdb
    try:
        yield
    except duckdb.Error as e:
        shown = _COPIES.get(path, path)
        hint = ("; --engine python reads it, and names each row it cannot read in that row's error"
                if _reader(path) in ("read_csv", "read_json") else "")
        first = _first_unreadable(path) if _reader(path) == "read_json" else None
        if first is not None:  # (DuckDB's own message counts a line that runs on as the next one)
            raise EngineError(f"{shown}: DuckDB cannot read this file: {first}{hint}") from None
        why = str(e).splitlines()[0].replace(path, shown)
        raise EngineError(f"{shown}: DuckDB cannot read this file ({why}){hint}") from None


def _first_unreadable(path: str) -> str | None:
    """Where the Python reader first finds no JSON object in a JSON Lines file DuckDB refused
    (``line 6, column 1: not valid JSON (...)``), or None when it finds none."""
    from ..io.data import InputError, read_rows
    try:
        for row in read_rows(path, "jsonl"):
            if row.record is None:
                return row.error
    except (InputError, OSError, ValueError):
        return None
    return None


def _relation(con, path: str, name: str, wanted=None, probed=None, typed=None, folder=None, ids=(),
              where=None, raw=(), source=None) -> list[str]:
    """A view ``name`` of the file at ``path``: its ``wanted`` columns (all when None) as
    text, and a ``_row`` in file order; returns all the file's columns (``probed``: what
    ``_probe`` found of the file already).

    The file is read once into a table (in parallel, keeping the file's order) and its rows
    are numbered by their place in it: numbering the file's rows as it is read
    (``row_number() OVER ()``) would run everything after it on one thread, and every later
    scan (the query's, the line count's, the summary's) reads the table, not the file again.
    Only the columns the program reads are kept: an export's other columns cost nothing.

    ``typed``: the columns that feed a field or property -> its type; in a JSON Lines file
    (and a Parquet file's that are not text: ``_parquet_json``) they are stored as JSON and the
    view holds each value's cell (``json_cells``), after the values no cell reads as Python
    does stop the run (EngineError naming the line, in ``folder``'s line numbering). ``ids``:
    a JSON Lines file's id columns, each value as the text Python matches ids by (8.0 is 8).
    ``raw``: JSON Lines columns kept as their JSON (a lead's ``events`` list). ``source``: a
    view to read instead of the file (whose columns ``probed`` names), the rows of another
    table (``inline.events``); ``where``: (the table, a row's ``rowid``) -> (the file, the
    place) a message names then."""
    from sqlglot import exp
    columns, padded = probed or _probe(con, path)
    kept = [c for c in columns if wanted is None or c in wanted]
    if _reader(path) == "read_json":  # a key DuckDB did not see is read too
        kept += sorted(c for c in wanted or () if c not in columns)
    kept = kept or columns[:1]
    table = exp.to_table(f"{name}_t", quoted=True)
    typed = {c: t for c, t in (typed or {}).items() if c in kept}
    checked = dict(typed)
    if _reader(path) == "read_json":
        typed.update({c: T.TEXT for c in ids if c in kept})
    stored, refused = {}, {}
    if _reader(path) == "read_parquet":
        stored, refused = _parquet_json(con, path, typed, [c for c in ids if c in kept])
        typed = {c: typed.get(c, T.TEXT) for c in stored}
    elif _reader(path) != "read_json":
        typed = {}
    read = exp.to_table(source, quoted=True) if source is not None else _source(
        path, {c: "JSON" if c in typed or c in raw else "VARCHAR" for c in kept} if typed or raw else kept, padded)
    source = exp.select(*[exp.alias_(stored[c], c, quoted=True) if c in stored else exp.column(c, quoted=True)
                          for c in kept]).from_(read)
    blank = padded and len(columns) > 1
    if blank:  # a line of white space alone is no row for the Python reader (only a padded file has one)
        from . import readers as R
        first = R.strip(exp.column(columns[0], quoted=True))
        source = source.select(exp.alias_(R.and_(R.or_(exp.Is(this=first, expression=exp.Null()), exp.EQ(
            this=first.copy(), expression=exp.Literal.string(""))), *[exp.Is(this=exp.column(c, quoted=True),
                                                                          expression=exp.Null())
                                                                   for c in columns[1:]]), "_blank", quoted=True))
    # a table keeps the insertion order (DuckDB's default), so `rowid` is the file order (not a
    # TEMP table: those are the connection's own, and the summary's queries run on a second one;
    # the database is in memory and goes with the connection)
    con.execute("SET preserve_insertion_order = true")
    try:
        with _refused(path):
            con.execute(exp.Create(this=table, kind="TABLE", expression=source, replace=True).sql(dialect="duckdb"))
    except EngineError:
        if _reader(path) != "read_csv" or folder is None or path in _PYTHON_COPIES:
            raise
        # the rows as the Python reader reads them, from a copy DuckDB can read
        return _relation(con, _python_copy(_COPIES.get(path, path), folder), name, wanted, None, typed, folder, ids,
                         where)
    # (a column of the file named `rowid` hides the table's own: then the rows are counted)
    place = exp.Window(this=exp.RowNumber()) if "rowid" in {c.lower() for c in kept} else exp.Add(
        this=exp.column("rowid"), expression=exp.Literal.number(1))
    for c, (kind, t) in refused.items():
        hit = con.execute(exp.select("rowid").from_(table.copy()).where(exp.column(c, quoted=True).is_(
            exp.null()).not_()).order_by("rowid").limit(1).sql(dialect="duckdb")).fetchone()
        if hit is not None:
            raise EngineError(f"{path}: row {hit[0] + 1}: `{c}` holds a Parquet {kind} value where {t} is expected "
                              "(the Python engine reads it as a bad value); --engine duckdb cannot read it as the "
                              "Python engine does (use --engine python)")
    for c, t in typed.items():
        if c in checked:
            _check_json(con, path, table, c, t, folder, where)
    def cell(c):
        value = exp.column(c, quoted=True)
        return J.cell(value, typed[c]) if c in checked else J.id_cell(value)
    cells = [exp.alias_(cell(c), c, quoted=True) if c in typed else exp.column(c, quoted=True) for c in kept]
    numbered = exp.select(*cells, exp.alias_(place, "_row", quoted=True)).from_(table.copy())
    if blank:
        numbered = numbered.where(exp.Not(this=exp.column("_blank", quoted=True)))
    view = exp.Create(this=exp.to_table(name, quoted=True), kind="VIEW", expression=numbered, replace=True)
    con.execute(view.sql(dialect="duckdb"))
    return columns


_PLAIN = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
          "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "VARCHAR")


def _parquet_json(con, path: str, typed: dict, ids=()):
    """Of a Parquet file's columns that feed a field or property (``typed``: -> its type): those
    whose values are read as their JSON (``json_cells``, as a JSON Lines file's: a boolean, a
    number, a list, a struct; FLOAT as the double Python reads), each -> the expression that
    stores it so; and those of a type the Python engine reads as a bad value of the field's type
    (a DECIMAL or a time in a text field, a BLOB ...), each -> (its Parquet type, the field's).
    The others (text, a DECIMAL number, a DATE or TIMESTAMP time) are read as text as they are.
    ``ids``: id columns; a floating-point one is read as its JSON too, for ``json_cells.id_cell``
    (a pandas export writes an integer column with gaps as 8.0, which Python matches as 8)."""
    from sqlglot import exp
    kinds = {r[0]: r[1] for r in con.execute("DESCRIBE " + exp.select("*").from_(_source(path)).sql(
        dialect="duckdb")).fetchall()}
    stored, refused = {}, {}
    for c, t in typed.items():
        kind = kinds.get(c, "VARCHAR")
        if kind == "VARCHAR":
            continue
        base = kind[:-2] if kind.endswith("[]") else kind
        element = t.element if isinstance(t, T.ListT) else t
        if base in _PLAIN or base.startswith(("STRUCT", "MAP")):
            widened = kind.replace("FLOAT", "DOUBLE")
            value = exp.column(c, quoted=True)
            if widened != kind:
                value = exp.cast(value, widened, dialect="duckdb")
            stored[c] = exp.Anonymous(this="to_json", expressions=[value])
        elif not ((base.startswith("DECIMAL") and element == T.NUMBER) or (
                (base == "DATE" or base.startswith("TIMESTAMP")) and element in (T.DATE, T.DATETIME))):
            refused[c] = (kind, str(t))
    for c in ids:
        if kinds.get(c) in ("FLOAT", "DOUBLE"):
            stored[c] = exp.Anonymous(this="to_json", expressions=[exp.cast(exp.column(c, quoted=True), "double")])
    return stored, refused


def _python_rows(path: str):
    """The Python reader's rows of the file (read lazily: its header or first record), or its
    usage error for what it refuses there (a CSV header naming a column twice) as EngineError."""
    from ..io.data import InputError, read_rows
    try:
        return read_rows(path)
    except InputError as e:
        raise EngineError(str(e)) from None


def check_csv_headers(*paths) -> None:
    """The Python reader's usage error for a CSV file whose header names a column twice (it reads
    only the header here), as EngineError; ``None`` paths are skipped."""
    for path in paths:
        if path is not None and p_suffix(path) == ".csv":
            _python_rows(path)


def _check_json(con, path: str, table, column: str, t, folder, where=None) -> None:
    """EngineError for the first value of a JSON ``column`` that no text cell reads as
    Python reads it (``json_cells.unreadable``): where it is, what it is, what to do."""
    from sqlglot import exp
    reasons = J.unreadable(exp.column(column, quoted=True), t)
    if not reasons:
        return
    why = exp.Case(ifs=[exp.If(this=c.copy(), true=exp.Literal.number(i)) for i, (c, _) in enumerate(reasons)])
    first = exp.select(exp.column("rowid"), exp.cast(exp.column(column, quoted=True), "text"), why).from_(
        table.copy()).where(exp.or_(*[c.copy() for c, _ in reasons])).order_by("rowid").limit(1)
    hit = con.execute(first.sql(dialect="duckdb")).fetchone()
    if hit is None:
        return
    row, value, i = hit
    if where is not None:
        path, at = where(table, row)
    else:
        count = con.execute(exp.select("count(*)").from_(table.copy()).sql(dialect="duckdb")).fetchone()[0]
        place = lines.places(path, count, folder) if folder and _reader(path) == "read_json" else None
        at = f"line {place(row + 1)}" if place else f"row {row + 1}"
    shown = value if len(value) <= 60 else value[:57] + "..."
    raise EngineError(f"{path}: {at}: `{column}` is {shown}, {reasons[i][1]}; --engine duckdb cannot read it as "
                      "the Python engine does (use --engine python)")


def _lined(con, path: str, folder: str) -> str | None:
    """The view ``_events_lined``: ``_events_file`` with each event's ``_line`` as the Python
    reader numbers it (see ``lines.py``); returns the file and what its numbers count
    (``e.csv line``), or None (and no view) when the lines are not known."""
    from sqlglot import exp
    rows = con.execute('SELECT count(*) FROM "_events_file"').fetchone()[0]
    numbering = lines.numbering(path, rows, folder)
    if numbering is None:
        return None
    if numbering.offset is not None:
        body = f'SELECT *, "_row" + {numbering.offset} AS "_line" FROM "_events_file"'
    else:
        pairs = (f"read_csv({exp.Literal.string(numbering.table).sql(dialect='duckdb')}, header = false, "
                 "columns = {'_row': 'BIGINT', '_line': 'BIGINT'})")
        body = f'SELECT e.*, n."_line" FROM "_events_file" AS e LEFT JOIN {pairs} AS n ON e."_row" = n."_row"'
    con.execute(f'CREATE VIEW "_events_lined" AS {body}')
    return f"{path} {numbering.unit}"


def evaluate_files(program, leads: str, events: str | None = None, as_of=None, *, id_field: str = "id",
                   lead_field: str = "lead_id", type_field: str = "type", ts_field: str = "ts",
                   batch: int = 10_000, keep=(), stats: dict | None = None, bad_values: str = "error"):
    """Yield one dict per lead row of ``leads``, in file order: the id, each output and
    ``error`` (None when the row is fine), as ``program.evaluate_many`` would give them with
    ``errors="return"``, with the ``keep`` columns after the id. ``stats``, when given, is
    filled with :func:`table_stats` when the rows end (or the generator is closed), and before
    the first row with ``place``: the line (Parquet: row) of the ``k``-th lead row in its file
    as the Python reader numbers it, a function of ``k``, or None when not known.
    ``bad_values="missing"`` reads every bad value as missing (each row then holds the count
    columns of ``sql.missing_columns``). Raises DslError (E501) for what DuckDB cannot run
    exactly as Python, EngineError for a file or column it cannot use."""
    from ..runtime.program import normalize_as_of
    moment = normalize_as_of(as_of)
    duckdb, con = _connect()
    folder = tempfile.TemporaryDirectory(prefix="leaddsl-")
    side = None
    try:
        from sqlglot import exp
        # what DuckDB writes when the files outgrow its memory goes with the run's own folder
        # (its default is `.tmp` in the working directory, left behind)
        con.execute(f"SET temp_directory = {exp.Literal.string(str(Path(folder.name) / 'spill')).sql('duckdb')}")
        leads_file = _readable(leads, folder.name)
        events_file = _readable(events, folder.name) if events is not None else None
        needed = [id_field, *program.columns]
        # an empty file (no header either) holds no lead, as the Python reader reads it
        empty = _reader(leads) == "read_csv" and Path(leads).stat().st_size == 0
        if empty:
            leads_probed = (list(dict.fromkeys([*needed, *keep])), False)
        else:
            leads_file, leads_probed = _probed(con, leads, leads_file, folder.name)
        columns = leads_probed[0]
        json_leads = _reader(leads) == "read_json"
        own = False  # whether the leads hold their events themselves (JSON Lines `events`)
        if json_leads and program.plan.events and _holds_events(con, leads_file, columns):
            if events is not None:
                raise EngineError(f"{leads}: the leads hold their events inline (`events`) and --events names an "
                                  "events file; --engine duckdb reads one of the two (use --engine python, which "
                                  "reads both)")
            own = True
        if json_leads:  # the id key, as the Python reader finds the columns: the first record's keys
            from ..io.data import column_problem
            problem = column_problem(_python_rows(leads), id_field, "the --id-field that identifies a lead")
            if problem:
                raise EngineError(f"{leads}: {problem}")
        check_csv_headers(leads, events)
        for c in [*needed, *keep]:
            if c in columns:
                continue
            if "." in c and (json_leads or c.split(".", 1)[0] in columns):  # (Parquet: a field of a struct column)
                raise EngineError(f"{leads}: `{c}` is a key inside a nested record, which --engine duckdb does not "
                                  "read (use --engine python, or flatten the records)")
            if not json_leads:  # a JSON record may leave a key out: absent is missing, as in Python
                raise no_lead_column(leads, columns, c, program, keep, id_field)
        props = sorted(program.event_columns)
        ev_wanted = [lead_field, type_field, ts_field, *props] if program.plan.events else [lead_field]
        typed = {pr.name: pr.type for e in program.plan.events.values() for pr in e.props}
        ev_columns = None
        if events is not None:
            events_file, events_probed = _probed(con, events, events_file, folder.name)
            ev_columns = events_probed[0]
            # (a JSON event may leave a property out: absent is missing, as in Python)
            check_event_columns(events, ev_columns, program, (lead_field, type_field, ts_field),
                                _reader(events) == "read_json")
        if empty:
            nothing = exp.select(*[exp.alias_(exp.cast(exp.null(), "text"), c, quoted=True) for c in columns],
                                 exp.alias_(exp.Literal.number(0), "_row", quoted=True)).limit(0)
            con.execute(exp.Create(this=exp.to_table("_leads_file", quoted=True), kind="VIEW",
                                   expression=nothing).sql(dialect="duckdb"))
        else:
            _relation(con, leads_file, "_leads_file", {*needed, *keep, *(["events"] if own else [])}, leads_probed,
                      {".".join(s.path): s.type for s in program.plan.slots}, folder.name, ids=(id_field,),
                      raw=["events"] if own else ())
        count = None if empty else con.execute('SELECT count(*) FROM "_leads_file"').fetchone()[0]
        if stats is not None:  # where each lead row is in its file, before the first row
            stats["place"] = lines.places(leads, count or 0, folder.name)
        if events is not None:
            _relation(con, events_file, "_events_file", set(ev_wanted), events_probed,
                      {**typed, ts_field: T.DATETIME}, folder.name, ids=(lead_field,))
            if stats is not None:
                stats["no_lead"] = no_lead_rows(lambda q: con.execute(q).fetchall(), "duckdb", events, lead_field,
                                                folder.name)
        elif own:  # the leads' own events, and why a lead's list cannot be read
            _relation(con, leads, "_events_file", None, (["_lead", "_pos", "type", "ts", *props], False),
                      {**typed, "ts": T.DATETIME}, folder.name, where=_own_place(con, leads, count, folder.name),
                      source=_own_source(con, props))
            con.execute(f'CREATE TABLE "{IN.PROBLEMS}" AS {IN.problems()}')
            con.execute(f'CREATE VIEW "_leads_own" AS {IN.leads_view()}')
        if events is None and program.plan.events and not own:
            # no events file: no event, and every property column absent
            cols = "".join(f', CAST(NULL AS VARCHAR) AS "{p}"' for p in sorted(props))
            con.execute('CREATE OR REPLACE VIEW "_events_file" AS SELECT CAST(NULL AS VARCHAR) AS lead_id, '
                        'CAST(NULL AS VARCHAR) AS _lead, CAST(NULL AS VARCHAR) AS type, '
                        f'CAST(NULL AS VARCHAR) AS ts{cols}, 0 AS _row, 0 AS _pos LIMIT 0')
        at = _lined(con, events, folder.name) if ev_columns is not None and program.plan.events else None
        if own:  # the leads' own events: joined by the lead's row, named by their place in its list
            tables = dict(leads="_leads_own", events="_events_file", lead_field="_lead", type_field="type",
                          ts_field="ts", line_field="_pos", events_at=f"{lines.INLINE} item", events_by_row=True,
                          events_problem="_events_problem")
        else:
            tables = dict(leads="_leads_file", events="_events_file" if at is None else "_events_lined",
                          lead_field=lead_field if ev_columns is not None else "lead_id",
                          type_field=type_field if ev_columns is not None else "type",
                          ts_field=ts_field if ev_columns is not None else "ts",
                          line_field=None if at is None else "_line", events_at=at or "")
        query = S.to_sql(program, "duckdb", id_field=id_field, row_field="_row", keep=tuple(keep),
                         bad_values=bad_values, **tables)
        iso = moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
        native = _native_ids(con, id_field, leads_file)  # (before the query, which a statement on `con` would end)
        # (the Python engine names a lead's events by its `id` key: `lead 7, event 3 (page_view): ...`)
        labels = native if not own or id_field == "id" else _file_values(con, "id", leads_file)
        cur = con.execute(query, {"as_of": iso})
        names = [d[0] for d in cur.description]
        if stats is not None:  # on a second connection, while the rows are handed out
            side = _Side(con.cursor(), id_field, lead_field if ev_columns is not None else None,
                         dict(program.columns) if json_leads else None)
            stats["keys"] = list(columns)  # (the did-you-mean of a column no record gives a value)
        while True:
            chunk = cur.fetchmany(batch)
            if not chunk:
                break
            for row in chunk:
                out = dict(zip(names, row))
                if native is not None:
                    out[id_field] = next(native)
                if own:
                    who = lead_label(out[id_field] if labels is native else next(labels))
                    out["error"] = lines.inline_as_python(program, out["error"], who)
                else:
                    out["error"] = lines.as_python(program, out["error"], events if at is not None else None)
                yield out
    except duckdb.Error as e:
        raise EngineError(f"duckdb: {str(e).splitlines()[0]}") from None
    finally:
        if side is not None:
            stats.update(side.result())
        con.close()
        folder.cleanup()


def _holds_events(con, path: str, columns) -> bool:
    """Whether a record of the JSON Lines file at ``path`` holds an ``events`` key (its probe
    saw one in ``columns``, or a scan of that key alone finds one)."""
    from sqlglot import exp
    if "events" in columns:
        return True
    q = exp.select(exp.Literal.number(1)).from_(_source(path, {"events": "JSON"})).where(
        exp.column("events").is_(exp.null()).not_()).limit(1)
    with _refused(path):
        return con.execute(q.sql(dialect="duckdb")).fetchone() is not None


def _own_source(con, props) -> str:
    """The view of the leads' own events (``inline.events``), for ``_relation``; its name."""
    con.execute(f'CREATE VIEW "_own_events" AS {IN.events(props)}')
    return "_own_events"


def _own_place(con, path: str, count: int | None, folder: str):
    """For ``_relation``: where a row of the leads' own events is, as (the leads file, ``line 6,
    event 3``): its lead's line and its place in the lead's list."""
    def where(table, row):
        from sqlglot import exp
        lead, pos = con.execute(exp.select(exp.column("_lead", quoted=True), exp.column("_pos", quoted=True)).from_(
            table.copy()).where(exp.column("rowid").eq(row)).sql(dialect="duckdb")).fetchone()
        place = lines.places(path, count or 0, folder)
        return path, f"{'line' if place else 'record'} {place(int(lead)) if place else lead}, event {pos}"
    return where


def _native_ids(con, id_field: str, path: str):
    """The lead ids as the file at ``path`` types them, in file order (an iterator), when they
    may not be text: a JSON Lines file's values (each read as its JSON, so a number stays a
    number and a string a string, record by record) or a Parquet file's typed column, which
    the Python engine writes as they are (the query reads every id as text, to match it with
    the events' lead ids); else None."""
    from sqlglot import exp
    ids = exp.select(exp.column(id_field, quoted=True))
    if _reader(path) not in ("read_json", "read_parquet"):
        return None
    # the table the file was read into: its own types (a JSON Lines file's ids, and a Parquet
    # file's floating-point ids, stored as their JSON, see _relation), in the file's order
    table = ids.from_(exp.to_table("_leads_file_t", quoted=True))
    kind = str(con.execute(table.limit(0).sql(dialect="duckdb")).description[0][1]).upper()
    if kind.startswith("VARCHAR"):
        return None
    cur = con.cursor().execute(table.order_by(exp.column("rowid")).sql(dialect="duckdb"))
    if kind.startswith("JSON"):
        return (_json_value(v) for v, in _rows(cur))
    return (v for v, in _rows(cur))


def _file_values(con, key: str, path: str):
    """The values of ``key`` in the records of the JSON Lines file at ``path``, in file order
    (an iterator), as Python reads them."""
    from sqlglot import exp
    cur = con.cursor().execute(exp.select(exp.column(key, quoted=True)).from_(_source(path, {key: "JSON"})).sql(
        dialect="duckdb"))
    return (_json_value(v) for v, in _rows(cur))


def _json_value(text: str | None):
    """A JSON value's text read as Python reads it (a string without escapes at once)."""
    import json
    if text is None:
        return None
    if text[:1] == '"' and "\\" not in text:
        return text[1:-1]
    return json.loads(text)


def _rows(cur, batch: int = 10_000):
    while chunk := cur.fetchmany(batch):
        yield from chunk


class _Side(threading.Thread):
    """:func:`table_stats` in DuckDB on its own connection and thread: the engine's threads are
    idle while Python writes the rows of the query, which is computed before the first."""

    def __init__(self, con, id_field, lead_field, fed=None):
        super().__init__(daemon=True)
        self.con, self.args, self.out, self.error = con, (id_field, lead_field, fed), None, None
        self.start()

    def run(self):
        try:
            self.out = table_stats(lambda q: self.con.execute(q).fetchall(), "duckdb", *self.args)
        except Exception as e:  # noqa: BLE001 - raised again by result()
            self.error = e

    def result(self) -> dict:
        self.join()
        self.con.close()
        if self.error is not None:
            raise EngineError(f"duckdb: {str(self.error).splitlines()[0]}")
        return self.out


def table_stats(run, dialect: str, id_field: str, lead_field: str | None, fed: dict | None = None) -> dict:
    """What the summary says besides the outputs, by small queries over the two views
    (``run(sql)`` returns the rows): ``rows`` (leads), ``repeats`` (id -> how many rows after
    its first), ``no_id`` (rows whose id is absent, null or empty), ``unfed`` (``fed``: the
    columns of a JSON file -> what each feeds; those no row gives a value) and ``unmatched`` (events
    whose lead id no lead has: how many, how many ids, the first five ids in id order)."""
    from collections import Counter
    from sqlglot import exp
    from . import readers as R
    from .translate import col

    def key(name, table):
        k = R.strip(R.to_text(col(name, table)))
        return k, R.and_(exp.Not(this=exp.Is(this=k, expression=exp.Null())), exp.NEQ(this=k, expression=R.lit("")))
    leads = exp.Table(this=exp.to_identifier("_leads_file", quoted=True), alias=exp.TableAlias(
        this=exp.to_identifier("l")))
    out = {"rows": run(exp.select(exp.Count(this=exp.Star())).from_(leads).sql(dialect=dialect))[0][0]}
    k, ok = key(id_field, "l")
    n = exp.Count(this=exp.Star())
    q = exp.select(k, exp.Sub(this=n, expression=R.lit(1))).from_(leads).where(ok).group_by(k).having(
        exp.GT(this=n.copy(), expression=R.lit(1)))
    out["repeats"] = Counter({a: b for a, b in run(q.sql(dialect=dialect))})
    out["no_id"] = run(exp.select(exp.Count(this=exp.Star())).from_(leads.copy()).where(
        exp.Not(this=exp.Paren(this=ok.copy()))).sql(dialect=dialect))[0][0]
    if fed and out["rows"]:  # (a JSON file: the columns no record gives a value, as files.Unfed finds them)
        counts = run(exp.select(*[exp.Count(this=col(c, "l")) for c in fed]).from_(leads.copy()).sql(
            dialect=dialect))[0]
        out["unfed"] = [(c, fed[c]) for c, n in zip(fed, counts) if not n]
    out["unmatched"] = (0, 0, [])
    if lead_field is not None:
        events = exp.Table(this=exp.to_identifier("_events_file", quoted=True), alias=exp.TableAlias(
            this=exp.to_identifier("e")))
        ek, eok = key(lead_field, "e")
        lk, _ = key(id_field, "l")
        known = exp.select(R.lit(1)).from_(leads).where(exp.EQ(this=lk, expression=ek))
        q = exp.select(ek, exp.Count(this=exp.Star())).from_(events).where(
            R.and_(eok, exp.Not(this=exp.Exists(this=known)))).group_by(ek)
        from ..io.data import id_key
        rows = sorted(run(q.sql(dialect=dialect)), key=lambda r: id_key(r[0]))  # as the events table sorts them
        out["unmatched"] = (sum(r[1] for r in rows), len(rows), [r[0] for r in rows[:5]])
    return out


def no_lead_rows(run, dialect: str, events_path: str, lead_field: str, folder: str) -> list[int]:
    """Where each row of the events view that is no event, having no lead id, is in its file
    (its line, or row, as the Python engine names it: it reports each and exits 1), in order.
    (A view's ``_row`` orders its rows but may skip numbers, Spark's: they are ranked.)"""
    from sqlglot import exp
    from . import readers as R
    from .translate import col
    k = R.strip(R.to_text(col(lead_field)))
    bad = R.or_(exp.Is(this=k, expression=exp.Null()), exp.EQ(this=k.copy(), expression=R.lit("")))
    events = exp.to_table("_events_file", quoted=True)
    # (one scan: how many rows, and how many of them have no lead id)
    count, nothing = run(exp.select(exp.Count(this=exp.Star()), exp.Sum(this=R.case([(bad.copy(), R.lit(1))], R.lit(0))))
                         .from_(events.copy()).sql(dialect=dialect))[0]
    if not nothing:
        return []
    rank = exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=[exp.Ordered(this=col("_row"))]))
    ranked = exp.select(exp.alias_(rank, "_k", quoted=True), exp.alias_(bad, "_bad", quoted=True)).from_(events)
    q = exp.select(col("_k")).from_(ranked.subquery("_r")).where(col("_bad")).order_by(col("_k"))
    rows = [r[0] for r in run(q.sql(dialect=dialect))]
    place = lines.places(events_path, count, folder)
    return [place(r) if place else r for r in rows]
