"""``leaddsl sql``: the definitions as one SQL query for a warehouse."""
from __future__ import annotations

import sys

import click

import leaddsl

from ..sql import DIALECTS
from . import main, _fail_definitions, _load_program, _usage


@main.command("sql")
@click.argument("defs")
@click.option("--dialect", type=click.Choice(DIALECTS), default="duckdb", show_default=True,
              help="The SQL dialect to write.")
@click.option("--leads", "leads_table", default="leads", show_default=True, metavar="TABLE",
              help="The table of leads (one row per lead, cells as exported).")
@click.option("--events", "events_table", default="events", show_default=True, metavar="TABLE",
              help="The table of events (lead_id, type, ts, property columns).")
@click.option("--id-field", default="id", show_default=True, help="The leads table's id column.")
@click.option("--events-lead-field", default="lead_id", show_default=True,
              help="The events table's column with the lead's id.")
@click.option("--events-type-field", default="type", show_default=True, help="The events table's type column.")
@click.option("--events-ts-field", default="ts", show_default=True, help="The events table's time column.")
@click.option("--pretty/--compact", default=True, help="One clause per line (default), or one line.")
def sql_cmd(defs, dialect, leads_table, events_table, id_field, events_lead_field, events_type_field,
            events_ts_field, pretty):
    """Print DEFS as one SQL query returning one row per lead: the id, a boolean column per
    definition, stage, scores, bands, routes and error. Bind the parameter `as_of` (an ISO 8601
    text, e.g. 2026-11-22T00:00:00Z) when running it. Exit 1 when a construct cannot be written
    in the dialect (E501)."""
    program = _load_program(defs)
    try:
        text = program.to_sql(dialect, leads=leads_table, events=events_table, id_field=id_field,
                              lead_field=events_lead_field, type_field=events_type_field,
                              ts_field=events_ts_field, pretty=pretty)
    except leaddsl.DslError as e:
        _fail_definitions(e.diagnostics, e.sources)
    except ValueError as e:  # an --id-field named like an output column
        raise _usage(f"--id-field: {e}") from None
    sys.stdout.write(text + ";\n")
