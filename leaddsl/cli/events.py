"""The events table on the command line: its column options, and its errors at their own
file and line (a bad time or property of an event, a row that is not an event)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import click

from ..runtime.program import lead_label

_EVENT = re.compile(r"event (\d+) \((\w+)\): (.*)", re.DOTALL)
_PROP = re.compile(r"([A-Za-z_]\w*)(?:: | (?=is ))(.*)", re.DOTALL)
_POSITION = re.compile(r"(?:line|row|item) \d+(?:: |, )")


def event_options(command):
    """--events-lead-field, --events-type-field, --events-ts-field."""
    for name, default, what in reversed([
            ("--events-lead-field", "lead_id", "The --events column with the id of the lead each event belongs to."),
            ("--events-type-field", "type", "The --events column with the type of each event."),
            ("--events-ts-field", "ts", "The --events column with the time of each event.")]):
        command = click.option(name, default=default, show_default=True, metavar="NAME", help=what)(command)
    return command


@dataclass(frozen=True, slots=True)
class EventError:
    """A bad value of an event from the events table."""
    line: int  # where the event is in the events file
    event: str  # its type, as the program names it
    body: str  # "ts: cannot read 'x' as datetime", "amount: ...", "ts is missing; ..."

    def as_line(self, path: str, lead_id) -> dict:
        """Its --errors-file line: the field is event.property."""
        m = _PROP.fullmatch(self.body)
        field, message = (f"{self.event}.{m.group(1)}", m.group(2)) if m else (self.event, self.body)
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
            theirs.append(EventError(events.lines[index], m.group(2), m.group(3)))
        else:
            mine.append(message)
    return mine, theirs


def row_error(mine: list[str], theirs: list[EventError], path: str, unit: str) -> str:
    """The `error` of an output row."""
    return "; ".join([*mine, *(f"{e.event} event at {path} {unit} {e.line}: {e.body}" for e in theirs)])


def unit_position(message: str) -> str:
    """A reader's message without its leading position ("line 5: ", "line 5, ")."""
    m = _POSITION.match(message)
    return message[m.end():] if m else message
