"""The commands that learn from what closed: ``backtest`` (how each definition did on
history), ``report`` (one HTML page for a sales meeting) and ``suggest`` (what in the
history predicts the outcome, and a definition that says it)."""
from __future__ import annotations

import json
import sys

import click

import leaddsl

from ..io.output import AtomicFile, OutputError, check_target
from . import main, render, _fail_definitions, _load_program, _say, _usage


def history_options(command):
    """--events, --as-of-field / --as-of, --horizon, --id-field, --sheet."""
    options = [
        click.option("--events", "events_path", metavar="FILE", help="A table of events (lead_id, type, ts, properties)."),
        click.option("--as-of-field", metavar="COLUMN",
                     help="Judge each lead as of the time in this column (default: created_at, unless --as-of)."),
        click.option("--as-of", "as_of", metavar="ISO", help="Judge every lead as of this one time instead."),
        click.option("--horizon", metavar="DURATION",
                     help="For a date outcome: reached when it falls within this long after the as-of time "
                          "(default 90d)."),
        click.option("--id-field", default="id", show_default=True, help="The column or key that identifies a lead."),
        click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx DATA to read (default: the first)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _history(data, outcome, events_path, as_of_field, as_of, horizon, id_field, sheet):
    from ..tools.history import History
    if as_of_field and as_of:
        raise _usage("give --as-of-field (each lead at its own time) or --as-of (one time), not both")
    if not as_of:
        as_of_field = as_of_field or "created_at"
    try:
        return History(data, outcome=outcome, events=events_path, as_of=as_of, as_of_field=as_of_field,
                       horizon=horizon, id_field=id_field, sheet=sheet)
    except ValueError as e:
        raise _usage(render.printable(str(e))) from None


def _write_or_echo(text: str, output: str | None, inputs: list[str], what: str) -> None:
    if output and output != "-":
        try:
            check_target(output, inputs, what)
            sink = AtomicFile(output)
            sink.stream.write(text if text.endswith("\n") else text + "\n")
            sink.commit()
        except OutputError as e:
            raise _usage(str(e)) from None
    else:
        click.echo(text)


@main.command("backtest")
@click.argument("defs")
@click.argument("data")
@click.option("--outcome", required=True, metavar="COLUMN",
              help="The outcome: a true/false column (closed_won) or a date column (closed_at, with --horizon).")
@history_options
@click.option("--confidence", type=click.FloatRange(0.5, 0.999), default=0.95, show_default=True,
              help="The confidence of the Wilson intervals.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def backtest_cmd(defs, data, outcome, events_path, as_of_field, as_of, horizon, id_field, sheet, confidence, fmt):
    """How each definition, stage, band and route value of DEFS did on the history in DATA:
    of the leads it selected (each judged as of its own time), how many reached the
    OUTCOME. Exit 0, 1 when some rows could not be used, 2 for usage errors."""
    from ..io.data import InputError
    from ..tools.backtest import as_text, backtest
    program = _load_program(defs)
    history = _history(data, outcome, events_path, as_of_field, as_of, horizon, id_field, sheet)
    try:
        result = backtest(program, history, name=defs, confidence=confidence)
    except InputError as e:
        raise _usage(render.printable(str(e))) from None
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    else:
        click.echo(render.printable(as_text(result)))
    sys.exit(1 if result.skipped_count else 0)


@main.command("report")
@click.argument("defs")
@click.argument("data")
@click.option("-o", "--output", required=True, metavar="FILE", help="The HTML page to write (written whole).")
@click.option("--outcome", metavar="COLUMN", help="Add the backtest against this outcome column.")
@history_options
@click.option("--sample", type=click.IntRange(min=0), default=5, show_default=True,
              help="How many sample leads to show with their explanations.")
def report_cmd(defs, data, output, outcome, events_path, as_of_field, as_of, horizon, id_field, sheet, sample):
    """One self-contained HTML page for a sales meeting: the funnel, which clause loses the
    most leads, field coverage, score and band distributions, the backtest (with --outcome)
    and sample leads with their explanations."""
    from ..io.data import InputError
    from ..tools.meeting import build, to_html
    program = _load_program(defs)
    history = _history(data, outcome, events_path, as_of_field, as_of, horizon, id_field, sheet)
    inputs = [defs, data] + ([events_path] if events_path else [])
    try:
        check_target(output, inputs, "the report")
        page = build(program, history, name=defs, sample=sample)
    except OutputError as e:
        raise _usage(str(e)) from None
    except InputError as e:
        raise _usage(render.printable(str(e))) from None
    _write_or_echo(to_html(page), output, inputs, "the report")
    _say(f"{output}: {page.leads:,} lead(s)" + (f", {page.skipped_count:,} could not be used" if page.skipped_count
                                                 else ""))
    sys.exit(1 if page.skipped_count else 0)


@main.command("suggest")
@click.argument("data")
@click.option("--outcome", required=True, metavar="COLUMN",
              help="The outcome: a true/false column (closed_won) or a date column (closed_at, with --horizon).")
@history_options
@click.option("--exclude", multiple=True, metavar="COLUMNS",
              help="Columns not to learn from (written after the outcome, such as closed_at); repeatable, "
                   "comma-separated.")
@click.option("--min-support", type=click.IntRange(min=1), default=20, show_default=True,
              help="The fewest leads a condition must select to be considered.")
@click.option("--top", type=click.IntRange(min=1), default=15, show_default=True,
              help="How many columns and event types to list.")
@click.option("--max-clauses", type=click.IntRange(min=1, max=10), default=4, show_default=True,
              help="The most conditions the proposed definition may have.")
@click.option("-o", "--output", metavar="FILE", help="Write the proposed definition to this .lead file.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def suggest_cmd(data, outcome, events_path, as_of_field, as_of, horizon, id_field, sheet, exclude, min_support, top,
                max_clauses, output, fmt):
    """What separates the leads of DATA that reached OUTCOME from the others (field values,
    thresholds, event counts in windows, each lead judged as of its own time), with counts,
    lift and intervals, and a proposed definition in the language, checked and linted."""
    from ..io.data import InputError
    from ..tools.suggest import as_text, suggest
    history = _history(data, outcome, events_path, as_of_field, as_of, horizon, id_field, sheet)
    inputs = [data] + ([events_path] if events_path else [])
    excluded = [c.strip() for value in exclude for c in value.split(",") if c.strip()]
    try:
        if output:
            check_target(output, inputs, "the proposed definition")
        result = suggest(history, exclude=excluded, min_support=min_support, top=top, max_clauses=max_clauses)
    except OutputError as e:
        raise _usage(str(e)) from None
    except InputError as e:
        raise _usage(render.printable(str(e))) from None
    if output and result.proposal:
        _write_or_echo(result.proposal, output, inputs, "the proposed definition")
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    else:
        click.echo(render.printable(as_text(result)))
    sys.exit(1 if result.skipped_count else 0)
