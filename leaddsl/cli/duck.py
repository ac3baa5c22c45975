"""``leaddsl eval --engine duckdb|spark``: the generated query run by embedded DuckDB or by
Spark over the files, with the outputs, error rows, stderr, --errors-file, --max-errors,
--keep, progress and summary of the Python engine. An option an engine cannot honour is
a usage error naming it, never silently ignored."""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import leaddsl

from ..files import EventError, check_id_name, engine_row, kept_columns, unfed_warning
from ..io.data import InputError
from ..io.output import AtomicFile, OutputError, Writer
from ..sql import missing_columns
from ..sql.duck import EngineError
from ..sql.lines import split_messages
from . import Tally, _ErrorLog, _check_targets, _error_lines, _fail_definitions, _say, _stamp, _summary, _usage, \
    _write
from .progress import progress as _progress

SUFFIXES = {"duckdb": (".csv", ".jsonl", ".ndjson", ".parquet"), "spark": (".csv", ".parquet")}


def refuse(engine: str, data: str, *, input_format, sheet, allow_missing_columns) -> None:
    """The options of `eval` that the SQL engines do not run: a usage error naming each."""
    why = []
    if data == "-":
        why.append("DATA `-`: the engine reads files, not standard input")
    if input_format is not None and not data.lower().endswith(("." + input_format, ".ndjson" if input_format == "jsonl"
                                                               else "\0")):
        why.append("--input-format: the engine reads the format its file name says (rename the file)")
    if sheet is not None:
        why.append("--sheet: the engine does not read spreadsheets (export the sheet as CSV)")
    if allow_missing_columns:
        why.append("--allow-missing-columns: every column the definitions read must be in the file")
    if why:
        raise _usage(f"--engine {engine} cannot run this: " + "; ".join(why) + " (use --engine python)")


def _split_events(program, messages: list[str], events: str | None) -> tuple[list[str], list[EventError]]:
    """The messages of the lead's own fields, and those of events at their line in ``events``."""
    if not events:
        return messages, []
    names = "|".join(re.escape(e.name) for e in sorted(program.plan.events.values(), key=lambda e: -len(e.name)))
    if not names:
        return messages, []
    pattern = re.compile(f"({names}) event at {re.escape(events)} (?:line|row|item) (\\d+): (.*)", re.DOTALL)
    mine, theirs = [], []
    for message in messages:
        m = pattern.fullmatch(message)
        if m:
            theirs.append(EventError(int(m.group(2)), m.group(1), m.group(3)))
        else:
            mine.append(message)
    return mine, theirs


def eval_engine(engine, program, defs, data, events_path, moment, id_field, output, fmt, raw_csv, events_lead_field,
                events_type_field, events_ts_field, *, keep=(), max_errors=None, errors_file=None, progress=None,
                stamp=False, bad_values="error"):
    to_file = bool(output) and output != "-"
    try:
        kept = kept_columns(program, data, None, id_field, keep)
        check_id_name(program, id_field)
    except InputError as e:
        raise _usage(str(e).removeprefix(f"{data}: ")) from None
    if not data.lower().endswith(SUFFIXES[engine]):
        raise _usage(f"{data}: --engine {engine} reads {', '.join(SUFFIXES[engine])} files")
    try:
        out_fmt = _check_targets(output, to_file, fmt, errors_file, [data, events_path, defs])
        stamped = _stamp(program, moment, defs) if stamp else None
    except (OutputError, InputError) as e:
        raise _usage(str(e)) from None
    if engine == "spark":
        from ..sql.spark import evaluate_files
    else:
        from ..sql.duck import evaluate_files
    stats: dict = {}
    rows = evaluate_files(program, data, events_path, moment, id_field=id_field, lead_field=events_lead_field,
                          type_field=events_type_field, ts_field=events_ts_field, keep=kept, stats=stats,
                          bad_values=bad_values)
    # the query's count of bad values read as missing, per field or property, as the Python engine's summary
    counted = list(missing_columns(program.plan, bad_values, id_field, kept).values())
    missed: Counter = Counter()
    columns = [id_field, *kept, *program.outputs] + (["definition"] if stamped is not None else [])
    sink = AtomicFile(output) if to_file else None
    errors_sink = AtomicFile(errors_file) if errors_file is not None else None
    error_lines = Writer(errors_sink.stream, "jsonl", []) if errors_sink is not None else None
    writer = Writer(sink.stream if sink else sys.stdout, out_fmt, columns, raw=raw_csv)
    counts, answered, stages, tally = Counter(), Counter(), Counter(), Tally(program)
    shown = _ErrorLog()
    total = errors = 0
    stopped = None
    unit = "row" if data.lower().endswith(".parquet") else "line"
    header = 1 if data.lower().endswith(".csv") else 0
    ev_unit = {".parquet": "row", ".json": "item"}.get(Path(events_path or "").suffix.lower(), "line")
    bar = _progress(progress)
    if bar is not None:
        bar.phase(f"{data}: running the query ({engine})")

    def abort():
        for f in (sink, errors_sink):
            if f is not None:
                f.abort()
        if bar is not None:
            bar.close()

    told = False

    def tell_no_lead():
        # the events rows that are no event (no lead id), as the Python engine tells them: before the
        # leads' errors (it reads the events table before it needs a lead's events)
        for number in stats.get("no_lead", []):
            body = f"event without a lead id (`{events_lead_field}` is empty)"
            shown.report(f"{events_path}: {ev_unit} {number}: ", body)
            if error_lines is not None:
                _write(error_lines, {"file": events_path, "line": number, "id": None, "field": None, "message": body},
                       errors_file)

    def place(k):  # the k-th lead row's line (or row) in its file, as the Python engine names it
        found = stats.get("place")
        return found(k) if found is not None else k + header
    try:
        for row in rows:
            if not told:
                told = True
                tell_no_lead()
            total += 1
            out = engine_row(row, columns, bool(header), id_field, kept)
            for name in program.definitions:
                counts[name] += out[name] is True
                answered[name] += out[name] is not None
            if program.stages:
                stages[out["stage"]] += 1
            tally.add(out)
            for column, label in counted:
                if row.get(column):
                    missed[label] += row[column]
            if stamped is not None:
                out["definition"] = stamped
            if row.get("error"):
                errors += 1
                out["error"] = row["error"]
                number = place(total)
                mine, theirs = _split_events(program, split_messages(program, row["error"], events_path), events_path)
                if mine or not theirs:  # the lead's own fields at its line, each event at its own line
                    shown.report(f"{data}: {unit} {number} (id {out[id_field]}): ",
                                 "; ".join(mine) if theirs else row["error"])
                for e in theirs:
                    shown.report(f"{events_path}: {ev_unit} {e.line} (id {out[id_field]}): ",
                                 f"{e.label}: {e.body}")
                if error_lines is not None:
                    lines = _error_lines(data, unit, number, out[id_field], row["error"], mine) if mine or not theirs \
                        else []
                    for line in lines + [e.as_line(events_path, out[id_field]) for e in theirs]:
                        _write(error_lines, line, errors_file)
            _write(writer, out, output)
            if bar is not None and total % 500 == 0:
                bar.update(0, None, total, "leads")
            if max_errors is not None and errors >= max_errors:
                stopped = place(total)
                break
    except leaddsl.DslError as e:
        abort()
        _fail_definitions(e.diagnostics, e.sources)
    except (EngineError, OutputError) as e:
        abort()
        raise _usage(str(e)) from None
    except BaseException:
        abort()
        raise
    if bar is not None:
        bar.update(0, None, total, "leads", True)
        bar.close()
    try:
        rows.close()  # the summary's figures come in when the rows end
    except EngineError as e:
        abort()
        raise _usage(str(e)) from None
    if stopped is not None:
        stopped = (stopped, stats.get("rows", total) - total)
    if not told:  # (no lead row: the events rows that are no event still told)
        tell_no_lead()
    no_lead = stats.get("no_lead", [])
    if sink is not None:
        sink.commit()
    else:
        _write(writer, None, output)
    if errors_sink is not None:
        errors_sink.commit()
    shown.close()
    unmatched = stats.get("unmatched", (0, 0, [])) if stopped is None else (0, 0, [])
    unread = [unfed_warning(data, c, fed, stats.get("keys", ())) for c, fed in stats.get("unfed", ())] \
        if stopped is None else []
    _summary(total, errors, counts, answered, stages, program, stats.get("repeats", Counter()), unmatched, tally,
             missed, (stats.get("no_id", 0) if stopped is None else 0, id_field), [u.text for u in unread])
    if stopped is not None:
        number, left = stopped
        held = f"; {output} holds the {total:,} row(s) evaluated" if sink is not None else ""
        _say(f"stopped by --max-errors {max_errors:,} at {unit} {number}: {left:,} row(s) after it were "
             f"not evaluated{held}")
    sys.exit(1 if errors or no_lead or any(u.fails for u in unread) else 0)  # (a misspelt JSON key: as in Python)
