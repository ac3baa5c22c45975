"""Windows, sliding maxima and sequences over one lead's events.

Times are integer microseconds since the epoch (UTC), so every boundary is
exact. An aggregate sees the times ``ts`` of the events it counts, sorted, all
at or before the as-of time, and (for sum/min/max) the property values
``vals`` in the same order. Window semantics (SPEC section 5):

* no window: every event (``ts <= as_of``)
* ``(d)``: ``as_of - d < ts <= as_of``
* ``(any d)``: the largest value over every window ``(t - d, t]`` with
  ``t <= as_of``; an empty window (the value of "no events") always counts.
* ``a then b within d``: some a, b (distinct events) with ``a.ts <= b.ts <= a.ts + d``.
"""
from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right

from .values import BadValue

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000
DAY_US = 86400 * US
_ONE_US = dt.timedelta(microseconds=1)


class UnreadableEvent:
    """A row of an events table that could not be read (a cell too many, a cell that is not
    UTF-8, a quote never closed), handed to its lead as one of its events: it may be of any
    type, so it errs every output that reads the lead's events, saying ``why``."""
    __slots__ = ("why",)

    def __init__(self, why: str):
        self.why = why

    def __reduce__(self):  # (the events table spills its events with pickle)
        return UnreadableEvent, (self.why,)

    def __repr__(self) -> str:
        return f"UnreadableEvent({self.why!r})"


MIN_US = (dt.datetime.min.replace(tzinfo=UTC) - EPOCH) // _ONE_US
MAX_US = (dt.datetime.max.replace(tzinfo=UTC) - EPOCH) // _ONE_US


def to_us(moment: dt.datetime) -> int:
    """An aware datetime as integer microseconds since the epoch; BadValue when it
    falls outside the years 1 to 9999 in UTC (then no datetime could hold it)."""
    us = (moment - EPOCH) // _ONE_US
    if MIN_US <= us <= MAX_US:
        return us
    raise BadValue(moment.isoformat(), "datetime", "outside the years 1 to 9999 in UTC")


def from_us(us: int) -> dt.datetime:
    """The UTC datetime of ``to_us``'s microseconds; BadValue outside the years 1 to 9999."""
    if MIN_US <= us <= MAX_US:
        return EPOCH + dt.timedelta(microseconds=us)
    raise BadValue(us, "datetime", "outside the years 1 to 9999 in UTC")


def window_start(ts: list, as_of_us: int, seconds: int | None) -> int:
    """Index of the first event inside ``(as_of - d, as_of]`` (0 without a window)."""
    if seconds is None:
        return 0
    return bisect_right(ts, as_of_us - seconds * US)


def aggregate(func: str, ts: list, vals: list | None, start: int = 0):
    """The value of one aggregate over ``ts[start:]`` (and ``vals[start:]``)."""
    if func == "count":
        return len(ts) - start
    if func == "days":
        return len({t // DAY_US for t in ts[start:]})
    if func == "first":
        return from_us(ts[start]) if len(ts) > start else None
    if func == "last":
        return from_us(ts[-1]) if len(ts) > start else None
    values = [x for x in vals[start:] if x is not None]
    if func == "sum":
        return sum(values) if values else 0
    if not values:
        return None
    return min(values) if func == "min" else max(values)


def best_count(ts: list, seconds: int) -> int:
    """``count(any d)``: the most events in one window (t - d, t]."""
    d = seconds * US
    best = 0
    i = 0
    for j, tj in enumerate(ts):
        limit = tj - d
        while ts[i] <= limit:
            i += 1
        if j - i + 1 > best:
            best = j - i + 1
    return best


def best_window(func: str, ts: list, vals: list | None, seconds: int):
    """``(any d)``: the largest value of ``func`` over every window (t - d, t]."""
    n = len(ts)
    if n == 0:
        return 0
    if func == "count":
        return best_count(ts, seconds)
    d = seconds * US
    if func == "days":
        best = 0
        i = 0
        days: dict[int, int] = {}
        for j in range(n):
            day = ts[j] // DAY_US
            days[day] = days.get(day, 0) + 1
            limit = ts[j] - d
            while ts[i] <= limit:
                old = ts[i] // DAY_US
                days[old] -= 1
                if not days[old]:
                    del days[old]
                i += 1
            if len(days) > best:
                best = len(days)
        return best
    values = [x or 0 for x in vals]
    if all(x >= 0 for x in values):
        best = 0
        i = 0
        total = 0
        for j in range(n):
            total += values[j]
            limit = ts[j] - d
            while ts[i] <= limit:
                total -= values[i]
                i += 1
            if total > best:
                best = total
        return best
    return _best_sum_any_sign(ts, values, d)


def _best_sum_any_sign(ts, values, d):
    """Sums with negative amounts: try every run of events one window can hold."""
    n = len(ts)
    prefix = [0]
    for x in values:
        prefix.append(prefix[-1] + x)
    best = 0
    for i in range(n):
        if i > 0 and ts[i - 1] == ts[i]:
            continue  # a window never splits events of equal time
        for j in range(i, n):
            if j + 1 < n and ts[j + 1] == ts[j]:
                continue
            if ts[j] - ts[i] >= d:
                break
            # (t - d, t] holds exactly i..j for t in [max(ts[j], ts[i-1] + d), min(ts[j+1], ts[i] + d))
            low = ts[j] if i == 0 else max(ts[j], ts[i - 1] + d)
            high = ts[i] + d if j + 1 == n else min(ts[j + 1], ts[i] + d)
            if low < high:
                s = prefix[j + 1] - prefix[i]
                if s > best:
                    best = s
    return best


def sequence(ta: list, ia: list | None, tb: list, ib: list | None, seconds: int | None) -> bool:
    """Some a at x and b at y with x <= y <= x + d. ``ia``/``ib`` are event ids, given
    when both sides are the same event type: an event does not pair with itself."""
    if not ta or not tb:
        return False
    d = seconds * US if seconds is not None else None
    nb = len(tb)
    for k, x in enumerate(ta):
        j = bisect_left(tb, x)
        while j < nb:
            y = tb[j]
            if d is not None and y > x + d:
                break
            if ia is None or ia[k] != ib[j]:
                return True
            j += 1
    return False
