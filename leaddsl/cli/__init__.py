"""The command line: check, eval, explain, rule."""
from __future__ import annotations

import io
import os
import re
import signal
import sys
from collections import Counter
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import click

import leaddsl
from leaddsl import DataError, Program

from ..codes import CODES
from ..diagnostics import did_you_mean
from ..io.data import InputError, Repeats, check_column, id_text, lead_ids, read_rows
from ..io.eventtable import EventTable
from ..io.output import AtomicFile, OutputError, Writer, check_target, output_format
from . import render
from ..files import Unfed, check_id_name, fed_column_problems, kept_columns as _kept_columns, lead_row
from .events import event_options, unit_position
from .progress import events_progress as _events_progress, progress as _progress
from .summary import Tally, _ErrorLog, _say, _summary  # noqa: F401 - the Python and SQL engines share them


def _lead_files(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*.lead")):
                if f.is_file():
                    files.append(f)
                elif not f.is_dir():  # a broken symbolic link, a pipe: a .lead that cannot be read
                    what = "a broken symbolic link" if f.is_symlink() and not f.exists() else "not a regular file"
                    raise _usage(f"{f}: {what} (in {p}); a definition file is a readable .lead file")
        elif path.is_file():
            files.append(path)
        elif path.exists():  # a device, a pipe: it is there, but is no definition file
            raise _usage(f"{p}: not a regular file or a folder (a definition file is a .lead file)")
        else:
            raise _usage(f"{p}: no such file or folder")
    return files


_INCLUDE = re.compile(r'^[ \t]*include[ \t]+"([^"\n]*)"', re.MULTILINE)


def _roots_first(files: list[Path]) -> list[Path]:
    """The files no other file includes, then the others: compiling a root checks the
    files it includes, so each file of an include chain is compiled once, not once per
    file above it. (Found by a quick scan; a wrong guess only costs time.)"""
    included: set[Path] = set()
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        for m in _INCLUDE.findall(text):
            try:
                included.add((f.parent / m).resolve())
            except (OSError, ValueError):  # a NUL byte, a loop of links: compiling the file says why
                pass
    return sorted(files, key=lambda f: f.resolve() in included)


def _fail_definitions(diags, sources, fmt="text"):
    click.echo(_format(diags, sources, fmt, color=sys.stderr.isatty()), err=True)
    sys.exit(1)


def _format(diags, sources, fmt, color=False) -> str:
    if fmt == "json":
        return render.as_json(diags)
    if fmt == "sarif":
        return render.sarif(diags)
    if fmt == "github":
        return render.github(diags)
    return render.text(diags, sources, color=color)


def _load_program(defs: str) -> Program:
    path = Path(defs)
    if not path.is_file():
        raise _usage(f"{defs}: no such definition file")
    checked = leaddsl.check(path, lint=False)
    if checked.program is None:
        _fail_definitions(checked.diagnostics, checked.sources)
    return checked.program


def _as_of(value):
    try:
        return leaddsl.parse_as_of(value)
    except ValueError as e:
        raise click.BadParameter(render.printable(str(e)), param_hint="--as-of") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="leaddsl")
def main():
    """leaddsl: write, check and evaluate lead definitions."""
    if hasattr(signal, "SIGXFSZ"):  # past a file size limit (ulimit -f) a write fails instead of killing us
        try:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        except ValueError:  # not the main thread
            pass


@main.command("eval")
@click.argument("defs")
@click.argument("data")
@click.option("--events", "events_path", metavar="FILE", help="A table of events (lead_id, type, ts, properties).")
@click.option("--as-of", "as_of", metavar="ISO", help="Evaluate as of this time (default: now, UTC).")
@click.option("--id-field", default="id", show_default=True, help="The column or key that identifies a lead.")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "json", "parquet", "xlsx"]),
              help="The format of DATA (default from its extension; needed when DATA is `-`, standard input).")
@click.option("-o", "--output", metavar="OUT",
              help="Write results here (.jsonl or .csv); default stdout. Written whole or not at all.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), help="Output format (default from -o, else jsonl).")
@click.option("--raw-csv", is_flag=True,
              help="Write CSV cells as they are (by default a cell a spreadsheet would run as a formula gets a ').")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
@click.option("--allow-missing-columns", is_flag=True,
              help="Read a column the definitions use but the file lacks as missing on every row (warned), "
                   "instead of stopping.")
@click.option("--keep", "keep", multiple=True, metavar="COLUMNS",
              help="Input columns to copy to every output row, after the id, as read "
                   "(repeatable, comma-separated).")
@click.option("--max-errors", type=click.IntRange(min=1), metavar="N",
              help="Stop after N rows with errors (the rows so far are written; exit 1).")
@click.option("--errors-file", metavar="FILE",
              help="Write every row error to FILE as JSON Lines (file, line, id, field, message); "
                   "written whole or not at all.")
@click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx DATA to read (default: the first).")
@click.option("--stamp", is_flag=True,
              help="Add a `definition` column naming the version in force (the file's definition header).")
@click.option("--bad-values", type=click.Choice(["error", "missing"]), default="error", show_default=True,
              help="A value that cannot be read: an error (unless its field says `bad as missing`), or read "
                   "as missing in every field; those read as missing are counted in the summary.")
@click.option("--engine", type=click.Choice(["python", "duckdb", "spark"]), default="python", show_default=True,
              help="duckdb: the definitions as one SQL query run by embedded DuckDB over the files (the duckdb "
                   "extra; for large files). spark: the same query run by Spark through PySpark (the spark "
                   "extra and Java 17; CSV or Parquet).")
@event_options
def eval_cmd(defs, data, events_path, as_of, id_field, input_format, output, fmt, raw_csv, progress,
             allow_missing_columns, keep, max_errors, errors_file, sheet, stamp, bad_values, engine, events_lead_field,
             events_type_field, events_ts_field):
    """Evaluate every lead in DATA (.jsonl, .csv, .parquet; `-` for standard input) against DEFS."""
    _unused_options(events_path, (events_lead_field, events_type_field, events_ts_field), output, fmt, raw_csv)
    program = _load_program(defs)
    moment = _as_of(as_of)
    if engine != "python":
        from .duck import eval_engine, refuse
        refuse(engine, data, input_format=input_format, sheet=sheet, allow_missing_columns=allow_missing_columns)
        eval_engine(engine, program, defs, data, events_path, moment, id_field, output, fmt, raw_csv,
                    events_lead_field, events_type_field, events_ts_field, keep=keep, max_errors=max_errors,
                    errors_file=errors_file, progress=progress, stamp=stamp, bad_values=bad_values)
    to_file = bool(output) and output != "-"
    sink = bar = errors_sink = error_lines = table = None
    total = 0
    shown = _ErrorLog()

    def bad_event(number: int, message: str) -> None:  # a row of the events table that is not an event
        where, _, body = message.partition(": ")
        shown.report(f"{events_path}: {where}: ", body)
        if error_lines is not None:
            line = {"file": events_path, "line": number, "id": None, "field": None, "message": unit_position(message)}
            _write(error_lines, line, errors_file)
    try:
        with _signals():
            try:
                out_fmt = _check_targets(output, to_file, fmt, errors_file, [data, events_path, defs])
                rows = read_rows(data, input_format, sheet)
                check_column(data, rows, id_field, "the --id-field that identifies a lead")
                _check_columns(program, data, rows, allow_missing_columns)
                stamped = _stamp(program, moment, defs) if stamp else None
                check_id_name(program, id_field)
                kept = _kept_columns(program, data, rows, id_field, keep)
                sink = AtomicFile(output) if to_file else None
                errors_sink = AtomicFile(errors_file) if errors_file is not None else None
                error_lines = Writer(errors_sink.stream, "jsonl", []) if errors_sink is not None else None
                bar = _progress(progress)
                if events_path:
                    table = EventTable(events_path, events_lead_field, events_type_field, events_ts_field,
                                       on_bad=bad_event, progress=_events_progress(bar, events_path),
                                       wanted=program.event_columns, allow_missing=allow_missing_columns,
                                       attach=program.plan.uses_events)
                    for problem in table.absent:
                        _say(f"warning: {events_path}: {problem} It is read as missing on every event.")
            except (InputError, OutputError) as e:
                _stop(sink, bar, errors_sink, table)
                raise _usage(str(e)) from None
            # the output's id column is named as the input's, so the file can be imported back
            columns = [id_field, *kept, *program.outputs] + (["definition"] if stamped is not None else [])
            writer = Writer(sink.stream if sink else sys.stdout, out_fmt, columns, raw=raw_csv)
            counts: Counter = Counter()
            stages: Counter = Counter()
            tally = Tally(program)  # what the summary says of scores, bands and routes
            seen = Repeats(None if data == "-" else partial(lead_ids, data, input_format, id_field, sheet=sheet))
            repeats: Counter = Counter()
            errors = no_id = 0
            unfed = Unfed(program, rows)  # (JSON: a column no record gives a value, told after the run)
            answered: Counter = Counter()
            missed: Counter = Counter()   # field -> bad values read as missing
            if bar is not None:
                bar.phase(data)
            where_read = rows.progress or (lambda: (0, None))
            stopped = None  # (the last row evaluated, how many rows were left) when --max-errors stopped the run
            pending = iter(rows)
            for row in pending:
                total += 1
                key = id_text(row.get(id_field))
                no_id += key is None and row.record is not None  # (an unreadable row says why it has none)
                if row.record is not None:
                    unfed.add(row.record)
                repeat = key is not None and seen.add(key)
                if repeat:
                    repeats[key] += 1
                out, error, result, mine, theirs = lead_row(program, row, table, events_path, moment, id_field, kept,
                                                            bad_values, repeat)
                lead_id = out[id_field]
                if result is not None:
                    if result.bad_as_missing:
                        missed.update(result.bad_as_missing)
                    for name in program.definitions:
                        counts[name] += out[name] is True
                        answered[name] += out[name] is not None
                    if program.stages:
                        stages[out["stage"]] += 1
                    tally.add(out)
                if stamped is not None:
                    out["definition"] = stamped
                if error:
                    errors += 1
                    out["error"] = error
                    ident = f" (id {key})" if key is not None else ""
                    if mine or not theirs:
                        body = "; ".join(mine) if theirs else error
                        where = f"{rows.unit} {row.number}"
                        if body.startswith(where):  # the reader's own position: "line 3, column 7: ..."
                            where, _, body = body.partition(": ")
                        shown.report(f"{data}: {where}{ident}: ", body)
                    for e in theirs:
                        shown.report(f"{events_path}: {table.unit} {e.line}{ident}: ", f"{e.label}: {e.body}")
                    if error_lines is not None:
                        lines = _error_lines(data, rows.unit, row.number, lead_id, error, mine) if mine or not theirs \
                            else []
                        for line in lines + [e.as_line(events_path, lead_id) for e in theirs]:
                            _write(error_lines, line, errors_file)
                _write(writer, out, output)
                if bar is not None and total % 500 == 0:
                    bar.update(*where_read(), total, "leads")
                if max_errors is not None and errors >= max_errors:
                    stopped = (row.number, sum(1 for _ in pending))  # read, not evaluated: to say how many
                    break
            if bar is not None:
                bar.update(*where_read(), total, "leads", stopped is None)
            # (stopped early, the leads not reached would leave their events unmatched); reports the table's bad rows
            unmatched = table.unmatched() if table is not None and stopped is None else (0, 0, [])
            if sink is not None:
                sink.commit()
            else:
                _write(writer, None, output)
            if errors_sink is not None:
                errors_sink.commit()
    except (KeyboardInterrupt, _Interrupted) as e:
        _stop(sink, bar, errors_sink, table)
        files = " and ".join(f.path for f in (sink, errors_sink) if f is not None)
        left = (f"; {files} {'were left as they were' if ' and ' in files else 'was left as it was'}"
                if files else "")
        _say(f"interrupted after {total:,} lead(s){left}")
        sys.exit(e.code if isinstance(e, _Interrupted) else 130)
    except BrokenPipeError:
        _stop(sink, bar, errors_sink, table)
        _quiet_stdout()
        sys.exit(1)
    except (InputError, OutputError) as e:
        _stop(sink, bar, errors_sink, table)
        raise _usage(str(e)) from None
    _stop(None, bar, None, table)
    shown.close()
    unread = unfed.warnings(data, allow_missing_columns) if stopped is None else []
    _summary(total, errors, counts, answered, stages, program, repeats, unmatched, tally, missed,
             (no_id if stopped is None else 0, id_field), [u.text for u in unread])
    if stopped is not None:
        number, left = stopped
        held = f"; {output} holds the {total:,} row(s) evaluated" if sink is not None else ""
        _say(f"stopped by --max-errors {max_errors:,} at {rows.unit} {number}: {left:,} row(s) after it were "
             f"not evaluated{held}")
    # (a JSON key the definitions read that no record holds, beside a key of a close name: as a column
    # missing from a CSV header, the run cannot be trusted; told after it, JSON having no header)
    refused = any(u.fails for u in unread)
    sys.exit(1 if errors or (table is not None and table.bad_count) or refused else 0)


def _stamp(program: Program, moment, defs: str) -> str:
    """The `definition` column of --stamp: the version in force, as the header names it."""
    agreement = program.agreement
    if agreement is None:
        raise InputError(f"{defs}: --stamp needs a `definition \"...\" {{ effective: ... }}` header in the "
                         "definition file")
    if agreement.effective is not None and agreement.effective > moment.date():
        _say(f"warning: {defs}: \"{agreement.title}\" takes effect on {agreement.effective.isoformat()}, after "
             f"the as-of time {moment.date().isoformat()}: these rows are stamped with a version not yet in force")
    return agreement.stamp


def _check_columns(program: Program, data: str, rows, allow_missing: bool) -> None:
    """Every column the outputs read must come from the file's header (CSV, Parquet): a
    misspelt `from "..."` or a renamed export column would otherwise be missing on every row."""
    problems = fed_column_problems(program, rows)
    if not problems:
        return
    if not allow_missing:
        raise InputError(f"{data}: " + f"\n{data}: ".join(problems) +
                         "\n(fix the definition's `from \"...\"` or the file; --allow-missing-columns reads them as "
                         "missing on every row)")
    for problem in problems:
        _say(f"warning: {data}: {problem} It is read as missing on every row.")


def _unused_options(events_path, event_fields, output, fmt, raw_csv) -> None:
    """An option that would change nothing is a usage error that says why, not ignored: the events
    table's column names without --events, --raw-csv without CSV output."""
    named = [f"--events-{what}-field" for what, value, default in zip(
        ("lead", "type", "ts"), event_fields, ("lead_id", "type", "ts")) if value != default]
    if named and events_path is None:
        raise _usage(f"{', '.join(named)} name{'s' if len(named) == 1 else ''} a column of the events table: "
                     "give the table with --events FILE (events inline in JSON Lines leads use `type` and `ts`)")
    if raw_csv:
        try:
            kind = output_format(output if output and output != "-" else None, fmt)
        except OutputError:
            return  # (the output's own error comes later, with its file)
        if kind != "csv":
            raise _usage("--raw-csv keeps CSV cells that start like a formula as they are: it needs CSV output "
                         "(--format csv, or -o FILE.csv)")


def _check_targets(output, to_file: bool, fmt, errors_file, inputs: list) -> str:
    """The output and errors files may be written (neither is an input, nor the other); the
    output format. OutputError or InputError otherwise."""
    if to_file:
        check_target(output, inputs)
    if errors_file is not None:
        _check_errors_file(errors_file, output if to_file else None, inputs)
    return output_format(output, fmt)


def _check_errors_file(path: str, output: str | None, inputs: list[str]) -> None:
    """--errors-file: a file that is neither an input nor the results (-o)."""
    if path == "-":
        raise OutputError("--errors-file: name a file (`-` would mix the errors with the results)")
    if output is not None and os.path.realpath(path) == os.path.realpath(output):
        raise OutputError(f"{path}: is also the output (-o); write the errors to another file")
    check_target(path, [*inputs, output], "the errors")


_FIELD = re.compile(r"([A-Za-z_]\w*): (.*)", re.DOTALL)


def _error_lines(data: str, unit: str, number: int, lead_id, error: str, messages) -> list[dict]:
    """The --errors-file lines of a row: one per value that could not be read (``messages``,
    with its field), or one for a row that could not be read or evaluated (without)."""
    base = {"file": data, "line": number, "id": lead_id}
    if messages:
        out = []
        for message in messages:
            message = re.sub(r"^lead .*?, (?=event \d+ )", "", message)
            m = _FIELD.fullmatch(message)
            field, message = (m.group(1), m.group(2)) if m else (None, message)
            out.append({**base, "field": field, "message": message})
        return out
    for where in (f"{unit} {number}: ", f"{unit} {number}, "):  # the reader's own position: in "line"
        if error.startswith(where):
            error = error[len(where):]
            break
    return [{**base, "field": None, "message": error}]


def _write(writer: Writer, row: dict | None, output: str | None) -> None:
    """Write one row (None: flush); a write that fails (a full disk) is an OutputError."""
    try:
        if row is None:
            writer.stream.flush()
        else:
            writer.write(row)
    except BrokenPipeError:
        raise
    except OSError as e:
        where = output if output and output != "-" else "standard output"
        raise OutputError(f"{where}: cannot be written ({e.strerror or e})") from None


class _Interrupted(BaseException):
    """SIGTERM: stop the run like Ctrl-C does."""

    def __init__(self, signum: int):
        self.code = 128 + signum


@contextmanager
def _signals():
    """SIGTERM stops the run cleanly, as Ctrl-C does."""
    def stop(signum, _frame):
        raise _Interrupted(signum)
    try:
        saved = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        saved = None
    try:
        yield
    finally:
        if saved is not None:
            signal.signal(signal.SIGTERM, saved)


def _stop(sink: AtomicFile | None, bar, errors_sink: AtomicFile | None = None, table=None) -> None:
    if bar is not None:
        bar.close()
    if table is not None:
        table.close()
    for f in (sink, errors_sink):
        if f is not None:
            f.abort()


def _quiet_stdout() -> None:
    """The reader of standard output has gone (`| head`): drop what is still buffered."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def _usage(message: str) -> click.UsageError:
    return click.UsageError(render.printable(message))




@main.command()
@click.argument("defs")
@click.argument("data")
@click.option("--id", "lead", required=True, help="The id of the lead to explain.")
@click.option("--events", "events_path", metavar="FILE", help="A table of events (lead_id, type, ts, properties).")
@click.option("--as-of", "as_of", metavar="ISO", help="Evaluate as of this time (default: now, UTC).")
@click.option("--id-field", default="id", show_default=True)
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "json", "parquet", "xlsx"]),
              help="The format of DATA (default from its extension; needed when DATA is `-`, standard input).")
@click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx DATA to read (default: the first).")
@click.option("--bad-values", type=click.Choice(["error", "missing"]), default="error", show_default=True,
              help="As for eval: read every bad value as missing (shown as such).")
@event_options
def explain(defs, data, lead, events_path, as_of, id_field, input_format, sheet, bad_values, events_lead_field,
            events_type_field, events_ts_field):
    """Why one lead does or does not qualify: each clause with its value."""
    program = _load_program(defs)
    moment = _as_of(as_of)
    table = None
    try:
        rows = read_rows(data, input_format, sheet)
        check_column(data, rows, id_field, "the --id-field that identifies a lead")
        if events_path:
            table = EventTable(events_path, events_lead_field, events_type_field, events_ts_field,
                               attach=program.plan.uses_events)
        found = 0
        for row in rows:
            if id_text(row.get(id_field)) != lead.strip():
                continue
            found += 1
            if found > 1:  # a repeated id: each of its rows is explained, the later ones said so
                click.echo(f"\n{data}: {rows.unit} {row.number}: {id_field} = {lead} again\n")
            if row.record is None:  # (not "no lead with this id": it is there, and cannot be read)
                where, _, why = row.error.partition(": ")
                _say(f"{data}: {where} (id {lead}): {why}; this row cannot be read, so it cannot be explained")
                sys.exit(1)
            extra = table.events_for(row.record.get(id_field), found > 1) if table is not None else None
            try:
                click.echo(render.printable(program.explain(row.record, moment, events=extra,
                                                            bad_values=bad_values)))
            except DataError as e:
                _say(f"{data}: {rows.unit} {row.number} (id {lead}): {e}")
                sys.exit(1)
        if found:
            return
    except InputError as e:
        raise _usage(str(e)) from None
    finally:
        _stop(None, None, None, table)
    _say(f"{data}: no lead with {id_field} = {lead}")
    sys.exit(1)


@main.command()
@click.argument("code", required=False)
def rule(code):
    """Show the documentation of a diagnostic code (all codes without CODE)."""
    from .. import lint  # noqa: F401  (registers the lint codes)
    if not code:
        for c in sorted(CODES.values(), key=lambda c: c.code):
            first = c.summary.split(". ")[0].rstrip(".") + "."
            click.echo(f"{c.code}  {c.severity:<7}  {c.slug:<24} {first}")
        return
    c = CODES.get(code.strip().upper())
    if c is None:
        hint = did_you_mean(code.upper(), CODES) or "run `leaddsl rule` for the list"
        raise _usage(f"unknown code {code}; {hint}")
    click.echo(c.render())


from . import checking  # noqa: E402,F401  (registers `check`)
from . import fmt, lifecycle  # noqa: E402,F401  (registers `fmt`, `test` and `diff`)
from . import editor  # noqa: E402,F401  (registers `lsp`)
from . import learn  # noqa: E402,F401  (registers `backtest`, `report` and `suggest`)
from . import sql  # noqa: E402,F401  (registers `sql`)

if __name__ == "__main__":  # pragma: no cover
    main()
