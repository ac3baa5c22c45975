"""Windows, sliding maxima and sequences over one lead's events.

Events reach these functions as lists of ``(ts, values)`` sorted by ``ts``,
all at or before the as-of time. Window semantics (SPEC section 5):

* no window: every event (``ts <= as_of``)
* ``(d)``: ``as_of - d < ts <= as_of``
* ``(any d)``: the largest value over every window ``(t - d, t]`` with
  ``t <= as_of``; an empty window (value of "no events") always counts.
* ``a then b within d``: some a, b (distinct events) with ``a.ts <= b.ts <= a.ts + d``.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter

_EMPTY = {"count": 0, "sum": 0, "days": 0}


def in_window(events: list, as_of: dt.datetime, seconds: int | None) -> list:
    if seconds is None or not events:
        return events
    start = as_of - dt.timedelta(seconds=seconds)
    # first index with ts > start
    lo, hi = 0, len(events)
    while lo < hi:
        mid = (lo + hi) // 2
        if events[mid][0] <= start:
            lo = mid + 1
        else:
            hi = mid
    return events[lo:]


def aggregate(func: str, events: list, prop: int | None):
    """The value of one aggregate over the (already windowed) events."""
    if func == "count":
        return len(events)
    if func == "days":
        return len({e[0].astimezone(dt.timezone.utc).date() for e in events})
    if func == "first":
        return events[0][0] if events else None
    if func == "last":
        return events[-1][0] if events else None
    values = [e[1][prop] for e in events if e[1][prop] is not None]
    if func == "sum":
        return sum(values) if values else 0
    if not values:
        return None
    return min(values) if func == "min" else max(values)


def best_window(func: str, events: list, prop: int | None, seconds: int) -> int | float:
    """``(any d)``: the largest value of ``func`` over every window (t - d, t]."""
    n = len(events)
    if n == 0:
        return _EMPTY[func]
    d = dt.timedelta(seconds=seconds)
    if func == "count":
        best = 0
        i = 0
        for j in range(n):
            tj = events[j][0]
            while events[i][0] <= tj - d:
                i += 1
            # the window ending at tj holds i..j; later events at the same time too
            k = j
            if j + 1 < n and events[j + 1][0] == tj:
                continue
            if k - i + 1 > best:
                best = k - i + 1
        return best
    if func == "days":
        best = 0
        i = 0
        days: Counter = Counter()
        for j in range(n):
            tj = events[j][0]
            days[events[j][0].astimezone(dt.timezone.utc).date()] += 1
            while events[i][0] <= tj - d:
                day = events[i][0].astimezone(dt.timezone.utc).date()
                days[day] -= 1
                if not days[day]:
                    del days[day]
                i += 1
            if len(days) > best:
                best = len(days)
        return best
    # sum
    values = [e[1][prop] or 0 for e in events]
    if all(x >= 0 for x in values):
        best = 0
        i = 0
        total = 0
        for j in range(n):
            tj = events[j][0]
            total += values[j]
            while events[i][0] <= tj - d:
                total -= values[i]
                i += 1
            if total > best:
                best = total
        return best
    return _best_sum_any_sign(events, values, d)


def _best_sum_any_sign(events, values, d):
    """Sums with negative amounts: try every run of events one window can hold."""
    n = len(events)
    ts = [e[0] for e in events]
    prefix = [0]
    for x in values:
        prefix.append(prefix[-1] + x)
    best = 0
    for i in range(n):
        if i > 0 and ts[i - 1] == ts[i]:
            continue  # a window starts after a whole group of equal times
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


def sequence(first: list, second: list, seconds: int | None, same_type: bool) -> bool:
    """Some event of ``first`` at a and of ``second`` at b with a <= b <= a + d.

    ``first`` and ``second`` are lists of ``(ts, values)`` sorted by ts. When
    both sides are the same event type, an event cannot pair with itself.
    """
    if not first or not second:
        return False
    times = [e[0] for e in second]
    limit = dt.timedelta(seconds=seconds) if seconds is not None else None
    for a in first:
        ta = a[0]
        k = bisect.bisect_left(times, ta)
        while k < len(second):
            b = second[k]
            if limit is not None and b[0] > ta + limit:
                break
            if not (same_type and b is a):
                return True
            k += 1
    return False
