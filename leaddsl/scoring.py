"""Points, decay, caps and bands: the arithmetic of scores, written once.

Times are integer microseconds (``events``); a half-life is in seconds. The
evaluator calls these from generated code; ``explain`` and the tests read the
same functions, so the points a rule gives are computed in one place.

* A rule's points decay as ``points * 0.5 ** (age / half_life)``, the age
  measured from the as-of time back to an event time (never negative: events
  after the as-of time do not exist).
* ``each`` gives the points for every counted event, each decayed by its own
  age; the rule's ``max`` then caps the sum (for negative points, ``max`` caps
  what is taken away).
* A score's ``max`` caps the total from above.
* A band holds the values from one cut to the next (see ``band_of``).
"""
from __future__ import annotations

from .events import US


def decay(points: float, age_us: int, half_life_s: int) -> float:
    """``points`` halved for every ``half_life`` of age."""
    return points * 0.5 ** (max(age_us, 0) / (half_life_s * US))


def cap(points: float, limit: float | None) -> float:
    """A rule's points limited to ``limit`` in size (either sign)."""
    if limit is None:
        return points
    return min(points, limit) if points >= 0 else max(points, -limit)


def each(ts: list, start: int, points: float, half_life_s: int | None, limit: float | None,
         as_of_us: int) -> float:
    """The points of an ``each`` rule over the counted events ``ts[start:]``."""
    n = len(ts) - start
    if n <= 0:
        return 0.0
    if half_life_s is None:
        return cap(float(points * n), limit)
    scale = half_life_s * US
    total = 0.0
    for t in ts[start:]:
        total += points * 0.5 ** (max(as_of_us - t, 0) / scale)
    return cap(total, limit)


def newest(ts: list, start: int) -> int | None:
    """The newest counted event of ``ts[start:]`` (sorted), or None."""
    return ts[-1] if len(ts) > start else None


def dated(points: float, half_life_s: int, as_of_us: int, times) -> float:
    """A decayed condition's points: by the age of the newest of ``times`` (its counted
    events' newest times, None for a count with no event); undecayed with none."""
    latest = max((t for t in times if t is not None), default=None)
    if latest is None:
        return float(points)
    return decay(points, as_of_us - latest, half_life_s)


def total(parts, limit: float | None) -> float:
    """A score: the sum of its rules' points, capped from above by the score's ``max``."""
    s = float(sum(parts))
    return s if limit is None or s <= limit else float(limit)


def band_of(value, cuts: tuple) -> int | None:
    """The rank of the band ``value`` falls in; None when missing. ``cuts`` are
    (threshold, whether the upper band takes the threshold itself), increasing."""
    if value is None:
        return None
    rank = 0
    for threshold, upper_takes_it in cuts:
        if value > threshold or (upper_takes_it and value == threshold):
            rank += 1
        else:
            break
    return rank
