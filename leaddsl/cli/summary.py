"""What a run of `eval` says on stderr: row errors grouped as they repeat, and the
summary (leads read, per-definition counts, scores, bands, routes, warnings)."""
from __future__ import annotations

import re
from collections import Counter, defaultdict

import click

from ..io.data import id_key
from . import render


def _say(message: str) -> None:
    """Print a message to stderr, with control characters escaped."""
    click.echo(render.printable(message), err=True)


class _ErrorLog:
    """Row errors on stderr, grouped: the first few of each kind on a line each, then one
    line per kind with how many more there were (a million-row run with one bad column
    must not print a million lines)."""

    FIRST = 3

    def __init__(self):
        self.kinds: Counter = Counter()
        self.first: dict[str, str] = {}

    @staticmethod
    def kind(body: str) -> str:
        body = re.sub(r"^lead .*?, event \d+ ", "event ", body)
        return re.sub(r"'(?:[^'\\]|\\.)*'(\.\.\.')?", "'…'", body)

    def report(self, where: str, body: str) -> None:
        k = self.kind(body)
        self.kinds[k] += 1
        if self.kinds[k] <= self.FIRST:
            _say((where + body).replace("\n", "\\n"))  # one line per row
        else:
            self.first.setdefault(k, where.rstrip(": "))

    def close(self) -> None:
        for k, n in self.kinds.items():
            if n > self.FIRST:
                _say(f"... and {n - self.FIRST:,} more row(s) with `{k}` (the next at {self.first[k]})")


class Tally:
    """What the summary says of the scores, bands and routes of the rows written: for a score
    its count, sum, least and greatest (memory that does not grow with the leads: decayed
    scores are nearly all distinct), for a band or route how often each value came."""

    def __init__(self, program):
        self.names = program.outputs[len(program.definitions) + bool(program.stages):]
        self.scores = {name: [0, 0.0, None, None] for name in program.scores}  # n, sum, min, max
        self.values: dict = defaultdict(Counter)

    def add(self, row: dict) -> None:
        for name in self.names:
            v = row[name]
            acc = self.scores.get(name)
            if acc is None:
                self.values[name][v] += 1
            elif v is not None:
                acc[0] += 1
                acc[1] += v
                acc[2] = v if acc[2] is None or v < acc[2] else acc[2]
                acc[3] = v if acc[3] is None or v > acc[3] else acc[3]


def _summary(total, errors, counts, answered, stages, program, repeats, unmatched, tally=None, missed=None,
             no_id=(0, "id"), unfed=()):
    """The summary on stderr (``no_id``: how many readable rows have no id, and the id column;
    ``unfed``: the warnings of columns no JSON record gave a value, ``files.Unfed``)."""
    lines = [f"{total:,} lead(s) read, {errors:,} with errors"]
    for name in program.definitions:
        pct = f" ({100 * counts[name] / answered[name]:.1f}% of {answered[name]:,} answered)" \
            if answered[name] else ""
        lines.append(f"  {name}: {counts[name]:,}{pct}")
    if program.stages:
        parts = ", ".join(f"{s}: {stages[s]:,}" for s in program.stages)
        lines.append(f"  stage: {parts}, none: {stages[None]:,}")
    tally = tally or Tally(program)
    for name in program.scores:
        n, total_points, least, most = tally.scores[name]
        if n:
            lines.append(f"  {name}: mean {total_points / n:,.4g}, min {least:,.4g}, max {most:,.4g} "
                         f"({n:,} answered)")
    for name in (*program.bands, *program.routes):
        got = tally.values[name]
        parts = ", ".join(f"{k}: {v:,}" for k, v in got.most_common() if k is not None)
        lines.append(f"  {name}: {parts + ', ' if parts else ''}none: {got[None]:,}")
    if repeats:  # the most repeated first; ties in id order (as each engine finds them)
        top = sorted(repeats.items(), key=lambda kv: (-kv[1], id_key(kv[0])))[:5]
        shown = ", ".join(f"`{k}` ({n + 1} times)" for k, n in top)
        lines.append(f"warning: {len(repeats):,} lead id(s) appear more than once: {shown}"
                     f"{', ...' if len(repeats) > 5 else ''}; every row was evaluated with all its events")
    if no_id[0]:
        lines.append(f"warning: {no_id[0]:,} row(s) have no `{no_id[1]}` (absent, null or empty): their output "
                     f"rows cannot be matched back to the input by id")
    events, ids, some = unmatched
    if events:
        shown = ", ".join(f"`{k}`" for k in some) + (", ..." if ids > len(some) else "")
        lines.append(f"{events:,} event(s) matched no lead ({ids:,} lead_id(s): {shown})")
    lines += unfed
    for name, n in sorted((missed or {}).items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"warning: {name}: {n:,} bad value(s) read as missing")
    _say("\n".join(lines))
