"""``leaddsl eval --engine duckdb``: the generated query run by embedded DuckDB over the files,
with the outputs, error rows, stderr and summary of the Python engine."""
from __future__ import annotations

import sys
from collections import Counter, defaultdict

import leaddsl

from ..io.output import AtomicFile, OutputError, Writer, check_target, output_format
from ..sql.duck import EngineError, evaluate_files
from . import _ErrorLog, _fail_definitions, _summary, _usage, _write


def eval_duckdb(program, defs, data, events_path, moment, id_field, output, fmt, raw_csv, events_lead_field,
                events_type_field, events_ts_field):
    to_file = bool(output) and output != "-"
    try:
        if to_file:
            check_target(output, [data, events_path, defs])
        out_fmt = output_format(output, fmt)
    except OutputError as e:
        raise _usage(str(e)) from None
    rows = evaluate_files(program, data, events_path, moment, id_field=id_field, lead_field=events_lead_field,
                          type_field=events_type_field, ts_field=events_ts_field)
    columns = [id_field, *program.outputs]
    sink = AtomicFile(output) if to_file else None
    writer = Writer(sink.stream if sink else sys.stdout, out_fmt, columns, raw=raw_csv)
    counts, answered, stages, tallies = Counter(), Counter(), Counter(), defaultdict(Counter)
    shown = _ErrorLog()
    total = errors = 0
    unit = "row" if data.lower().endswith(".parquet") else "line"
    try:
        for row in rows:
            total += 1
            out = {name: row.get(name) for name in columns}
            for name in program.definitions:
                counts[name] += out[name] is True
                answered[name] += out[name] is not None
            if program.stages:
                stages[out["stage"]] += 1
            for name in program.outputs[len(program.definitions) + bool(program.stages):]:
                tallies[name][out[name]] += 1
            if row.get("error"):
                errors += 1
                out["error"] = row["error"]
                number = total + (1 if unit == "line" and data.lower().endswith(".csv") else 0)
                shown.report(f"{data}: {unit} {number} (id {out[id_field]}): ", row["error"])
            _write(writer, out, output)
    except leaddsl.DslError as e:
        if sink is not None:
            sink.abort()
        _fail_definitions(e.diagnostics, e.sources)
    except EngineError as e:
        if sink is not None:
            sink.abort()
        raise _usage(str(e)) from None
    if sink is not None:
        sink.commit()
    else:
        _write(writer, None, output)
    shown.close()
    _summary(total, errors, counts, answered, stages, program, Counter(), (0, 0, []), tallies, None)
    sys.exit(1 if errors else 0)
