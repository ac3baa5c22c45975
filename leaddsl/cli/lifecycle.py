"""The lifecycle commands: ``test`` (example leads and what they must get) and
``diff`` (what a change does to real leads, before rollout)."""
from __future__ import annotations

import json
import sys

import click

import leaddsl

from ..io.output import AtomicFile, OutputError, check_target
from ..tools import report
from ..tools.diff import as_text as diff_text
from . import main, render, _as_of, _fail_definitions, _say, _usage


@main.command("test")
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "junit"]), default="text", show_default=True,
              help="text: a line per case, then each failure with its explanation; junit: JUnit XML for CI.")
@click.option("-o", "--output", metavar="FILE", help="Write the report here (written whole) instead of stdout.")
@click.option("--definitions", metavar="DEFS",
              help="Test this .lead file (or REV:PATH) instead of the one each test file names.")
def test_cmd(paths, fmt, output, definitions):
    """Run the example leads of .leadtest files (or folders of them): exit 0 when every case
    passes, 1 when one fails or cannot run, 2 for usage errors."""
    try:
        files = leaddsl.tools_find_test_files(paths)
    except FileNotFoundError as e:
        raise _usage(str(e)) from None
    if not files:
        raise _usage("no .leadtest files found in " + ", ".join(paths))
    run = leaddsl.run_tests(files, definitions=definitions)
    text = report.as_junit(run) if fmt == "junit" else report.as_text(run)
    if output and output != "-":
        try:
            check_target(output, [str(f) for f in files], "the report")
            sink = AtomicFile(output)
            sink.stream.write(text + "\n")
            sink.commit()
        except OutputError as e:
            raise _usage(str(e)) from None
        _say(report.summary(run))
    else:
        click.echo(render.printable(text) if fmt == "text" else text)
    sys.exit(0 if run.ok else 1)


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.argument("data")
@click.option("--events", "events_path", metavar="FILE", help="A table of events (lead_id, type, ts, properties).")
@click.option("--as-of", "as_of", metavar="ISO", help="Evaluate both versions as of this time (default: now, UTC).")
@click.option("--by", metavar="COLUMN", help="Split the counts by this input column (source, country, owner).")
@click.option("--id-field", default="id", show_default=True, help="The column or key that identifies a lead.")
@click.option("--sheet", metavar="NAME", help="The sheet of an .xlsx DATA to read (default: the first).")
@click.option("--sample", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many movers to show with the clauses that changed their answer.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_cmd(old, new, data, events_path, as_of, by, id_field, sheet, sample, fmt):
    """How many leads of DATA enter and leave each definition, change stage, band or route, and
    whose score changes between OLD and NEW (each a .lead file or a git revision REV:PATH, e.g.
    HEAD~1:definitions/acme.lead). Exit 0 when no lead moves, 1 when some output of some lead
    changes (or rows have errors), 2 for usage errors."""
    moment = _as_of(as_of)
    try:
        result = leaddsl.diff(old, new, data, events=events_path, as_of=moment, by=by, id_field=id_field,
                              sheet=sheet, sample=sample)
    except ValueError as e:
        raise _usage(str(e)) from None
    except leaddsl.DslError as e:
        _say("the definitions have errors; nothing was compared")
        _fail_definitions(e.diagnostics, e.sources)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, default=str))
    else:
        click.echo(render.printable(diff_text(result)))
    sys.exit(1 if result.moved or result.errors else 0)
