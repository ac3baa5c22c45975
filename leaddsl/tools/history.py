"""A history: leads, the time each one is judged at, and whether it reached the outcome.

``backtest``, ``suggest`` and the meeting ``report`` read their data through
:class:`History`. Each lead is evaluated **as of its own time** (``as_of_field``, e.g.
``created_at``; or one ``as_of`` for every lead): the evaluator ignores every event
after that time, so nothing that happened later can leak into the answer.

The outcome is a column: true/false (``closed_won``: yes/no, 1/0 too; an empty cell is
"not reached"), or a date (``closed_at``): reached when it falls in
``[as-of, as-of + horizon]``. A date before the lead's own as-of time is not counted as
reached (the deal closed before the lead was judged) and is counted in ``warnings``.
The kind is read from the column's first non-empty value.

A row that cannot be used (unreadable, no or bad as-of time, a bad outcome value) is
never dropped silently: it is counted in ``skipped`` with its position and reason.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..front.builder import DURATION_UNITS
from ..io.data import InputError, check_column, read_rows
from ..io.eventtable import EventTable
from ..runtime.program import normalize_as_of
from ..values import BadValue, format_value, read_bool, read_datetime

DEFAULT_HORIZON = "90d"
_DURATION = re.compile(r"^\s*(\d+)\s*(min|h|d|w)\s*$")
SHOWN_SKIPPED = 20  # how many skipped rows are listed by position (all are counted)


def parse_horizon(text: str) -> int:
    """Seconds of a duration written as in the language (``90d``, ``12w``, ``36h``)."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"horizon: cannot read {text!r} as a duration; write e.g. 90d, 12w or 36h")
    seconds = int(m.group(1)) * DURATION_UNITS[m.group(2)]
    if seconds <= 0:
        raise ValueError("horizon: must be longer than 0")
    return seconds


@dataclass(frozen=True, slots=True)
class Lead:
    """One usable row of the history."""
    number: int  # its line (or row) in the data file
    id: object
    record: dict
    as_of: dt.datetime
    events: object  # the lead's events from the events table (None without one)
    reached: bool


@dataclass
class History:
    """The leads of ``data`` with their as-of time and outcome; iterate it once or more
    (each pass reads the files again, so memory stays flat)."""
    data: str
    outcome: str | None = None
    events: str | None = None
    as_of: object = None  # one time for every lead (used when as_of_field is None)
    as_of_field: str | None = None
    horizon: str | None = None  # only for a date outcome; default 90d
    id_field: str = "id"
    sheet: str | None = None
    kind: str | None = None  # "flag" | "date": found at the first non-empty outcome value
    leads: int = 0  # rows read in the last pass
    skipped: list = field(default_factory=list)  # (number, id, reason) of the first SHOWN_SKIPPED
    skipped_count: int = 0
    warnings: list = field(default_factory=list)
    before_as_of: int = 0  # date outcomes before their lead's as-of time

    def __post_init__(self):
        self.horizon_seconds = parse_horizon(self.horizon or DEFAULT_HORIZON)
        self.moment = None if self.as_of_field else normalize_as_of(self.as_of)
        self.unit = "line"

    def describe_as_of(self) -> str:
        if self.as_of_field:
            return f"each lead as of its `{self.as_of_field}`"
        return "as of " + format_value(self.moment)

    def describe_outcome(self) -> str | None:
        if self.outcome is None:
            return None
        if self.kind == "date":
            return f"`{self.outcome}` within {self.horizon or DEFAULT_HORIZON} after the as-of time"
        return f"`{self.outcome}` is true"

    def __iter__(self) -> Iterator[Lead]:
        self.leads = 0
        self.skipped, self.skipped_count, self.before_as_of = [], 0, 0
        rows = read_rows(self.data, None, self.sheet)
        self.unit = rows.unit
        check_column(self.data, rows, self.id_field, "the --id-field that identifies a lead")
        if self.outcome is not None:
            check_column(self.data, rows, self.outcome, "the --outcome column")
        if self.as_of_field is not None:
            check_column(self.data, rows, self.as_of_field, "the --as-of-field: the time each lead is judged at")
        table = EventTable(self.events) if self.events else None
        try:
            for row in rows:
                self.leads += 1
                if row.record is None:
                    self._skip(row, row.error or "cannot be read")
                    continue
                try:
                    moment = self._moment(row.record)
                    reached = self._reached(row.record, moment)
                except BadValue as e:
                    self._skip(row, str(e))
                    continue
                except ValueError as e:
                    self._skip(row, str(e))
                    continue
                extra = table.events_for(row.record.get(self.id_field)) if table is not None else None
                yield Lead(row.number, row.record.get(self.id_field), row.record, moment, extra, reached)
        finally:
            if table is not None:
                if table.bad_count:
                    self.warnings.append(f"{self.events}: {table.bad_count:,} row(s) are not events "
                                         "(no lead id, or unreadable) and were not used")
                table.close()
        if self.before_as_of:
            self.warnings.append(f"{self.before_as_of:,} lead(s) reached `{self.outcome}` before their own as-of "
                                 "time: counted as not reached")
        if self.kind == "flag" and self.horizon:
            self.warnings.append(f"--horizon is for a date outcome; `{self.outcome}` is true/false, so it was not used")

    def _skip(self, row, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < SHOWN_SKIPPED:
            self.skipped.append((row.number, row.get(self.id_field), reason))

    def _moment(self, record: dict) -> dt.datetime:
        if self.as_of_field is None:
            return self.moment
        raw = record.get(self.as_of_field)
        try:
            value = read_datetime(raw)
        except BadValue as e:
            raise ValueError(f"{self.as_of_field}: {e}") from None
        if value is None:
            raise ValueError(f"{self.as_of_field} is missing: the lead has no time to be judged at")
        return value

    def _reached(self, record: dict, moment: dt.datetime) -> bool:
        if self.outcome is None:
            return False
        raw = record.get(self.outcome)
        if self.kind is None:
            try:
                self.kind = _kind(raw)
            except ValueError as e:
                raise ValueError(f"{self.outcome}: {e}") from None
        if self.kind == "flag":
            try:
                return read_bool(raw) is True
            except BadValue as e:
                raise ValueError(f"{self.outcome}: {e}") from None
        if self.kind == "date":
            try:
                when = read_datetime(raw)
            except BadValue as e:
                raise ValueError(f"{self.outcome}: {e}") from None
            if when is None:
                return False
            if when < moment:
                self.before_as_of += 1
                return False
            return (when - moment).total_seconds() <= self.horizon_seconds
        return False  # no value seen yet: missing


def _kind(raw) -> str | None:
    """The kind of an outcome column, from a value: None while it is missing."""
    try:
        if read_bool(raw) is None:
            return None
        return "flag"
    except BadValue:
        pass
    try:
        read_datetime(raw)
        return "date"
    except BadValue:
        raise ValueError(f"cannot read {format_value(raw)} as an outcome: a true/false or a date column") from None


__all__ = ["History", "Lead", "parse_horizon", "InputError", "DEFAULT_HORIZON"]
