"""The events table on the command line: its column options, and where a reader's message
says a row is (an event's errors at their own file and line are ``files.split_errors``)."""
from __future__ import annotations

import re

import click

_POSITION = re.compile(r"(?:line|row|item) \d+(?:: |, )")


def event_options(command):
    """--events-lead-field, --events-type-field, --events-ts-field."""
    for name, default, what in reversed([
            ("--events-lead-field", "lead_id", "The --events column with the id of the lead each event belongs to."),
            ("--events-type-field", "type", "The --events column with the type of each event."),
            ("--events-ts-field", "ts", "The --events column with the time of each event.")]):
        command = click.option(name, default=default, show_default=True, metavar="NAME", help=what)(command)
    return command


def unit_position(message: str) -> str:
    """A reader's message without its leading position ("line 5: ", "line 5, ")."""
    m = _POSITION.match(message)
    return message[m.end():] if m else message
