"""Progress of a long run on stderr, pass by pass (the events table's passes, then the leads).

On a terminal: a bar with the percentage, the rows read and the time left (rich), erased at
the end. Elsewhere, when asked for (``--progress``): a plain line at every tenth of a pass, so
that a log holds no control characters. The percentage is of the bytes of the file read (CSV,
JSON Lines) or of its rows (Parquet); standard input has no size: rows only.
"""
from __future__ import annotations

import sys
import time

import click

from . import render


def progress(show: bool | None):
    """A progress display: None (``--no-progress``, or not a terminal unless ``--progress``)."""
    terminal = sys.stderr.isatty()
    if show is False or (show is None and not terminal):
        return None
    return _Bar() if terminal else _Lines()


_PHASES = {"order": "{}: checking the order of the lead ids", "sort": "{}: sorting by lead id (on disk)"}


def events_progress(bar, path: str):
    """The events table's progress callback: its passes on the display."""
    if bar is None:
        return None
    current = []

    def report(phase: str, done: int, total: int, rows: int, final: bool) -> None:
        if current != [phase]:
            current[:] = [phase]
            bar.phase(_PHASES[phase].format(path))
        bar.update(done, total, rows, "events", final)
    return report


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class _Bar:
    def __init__(self):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn
        self.p = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                          TextColumn("{task.fields[rows]}"), TimeRemainingColumn(),
                          console=Console(stderr=True), transient=True)
        self.p.start()
        self.task = None

    def phase(self, title: str) -> None:
        if self.task is not None:
            self.p.remove_task(self.task)
        self.task = self.p.add_task(render.printable(title), total=None, rows="")

    def update(self, done: int, total: int | None, rows: int, unit: str, final: bool = False) -> None:
        """``done`` of ``total`` bytes (or rows) read; ``final``: the pass is over."""
        if total and not final:
            done = min(done, total - 1)  # read ahead into a buffer is not done yet
        self.p.update(self.task, completed=total if final else done, total=total or None, rows=f"{rows:,} {unit}")

    def close(self) -> None:
        self.p.stop()


class _Lines:
    STEP = 10  # percent between two lines

    def __init__(self):
        self.title = ""
        self.next = 0.0
        self.start = time.monotonic()

    def phase(self, title: str) -> None:
        self.title, self.next, self.start = title, self.STEP, time.monotonic()

    def update(self, done: int, total: int | None, rows: int, unit: str, final: bool = False) -> None:
        if not total:  # no size known: every tenfold of rows, and at the end
            if rows >= self.next or final:
                self._say(f"{self.title}: {rows:,} {unit}{', done' if final else ''}")
                self.next = max(10, self.next * 10)
            return
        done = total if final else min(done, total - 1)  # read ahead into a buffer is not done yet
        pct = 100 * done / total
        if pct < self.next and not final:
            return
        self.next = (pct // self.STEP + 1) * self.STEP
        elapsed = time.monotonic() - self.start
        left = "done" if final else (f"about {_duration(elapsed * (total - done) / done)} left" if done else "")
        self._say(f"{self.title}: {int(pct)}% ({rows:,} {unit}){', ' + left if left else ''}")

    def close(self) -> None:
        pass

    @staticmethod
    def _say(message: str) -> None:
        click.echo(render.printable(message), err=True)
