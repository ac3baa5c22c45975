"""The compiled program: ``evaluate``, ``evaluate_many``, ``explain``, and ``Result``."""
from __future__ import annotations

import datetime as dt
from itertools import repeat
from collections.abc import Iterable, Iterator, Mapping  # noqa: F401

from .check import Analysis
from .diagnostics import DataError, Diagnostic
from .interp import UNSET, Compiler, compile_analysis, get_path, read_event_list
from .logic import fold
from .codegen import Unsupported, generate
from .events import to_us
from .values import BadValue, read_datetime, to_datetime

UTC = dt.timezone.utc


def normalize_as_of(as_of) -> dt.datetime:
    if as_of is None:
        return dt.datetime.now(UTC)
    if isinstance(as_of, str):
        try:
            value = read_datetime(as_of)
        except BadValue as e:
            raise ValueError(f"as_of: {e}") from None
        if value is None:
            raise ValueError("as_of: empty")
        return value
    if isinstance(as_of, (dt.datetime, dt.date)):
        return to_datetime(as_of)
    raise TypeError(f"as_of must be a datetime, a date or an ISO 8601 string, not {type(as_of).__name__}")


class Result(dict):
    """The outputs of a program for one lead: a dict of each definition -> True/False,
    plus ``"stage"`` when the program declares ``stages``.

    ``result["mql"]``, ``result.stage``, ``result.to_dict()``, ``result.explain()``.
    A dict, so that building one per lead costs next to nothing.
    """

    __slots__ = ("_ctx", "_rec", "_error")  # _ctx: (program, as_of, events), shared by a run

    @property
    def stage(self):
        return self.get("stage")

    @property
    def error(self) -> str | None:
        """Why the record could not be evaluated (``evaluate_many(errors="return")``)."""
        return getattr(self, "_error", None)

    def to_dict(self) -> dict:
        return dict(self)

    def explain(self) -> str:
        if self.error:
            return f"error: {self.error}"
        ctx = getattr(self, "_ctx", None)
        if ctx is None:
            raise ValueError("this result does not keep its record: call program.explain(record, as_of) "
                             "or evaluate_many(..., explain=True)")
        program, as_of, events = ctx
        return program.explain(self._rec, as_of, events=events)

    def __repr__(self):
        return f"Result({dict.__repr__(self)})"


class Program:
    """A checked, compiled set of lead definitions."""

    def __init__(self, analysis: Analysis, diagnostics: list[Diagnostic], sources: dict):
        self.analysis = analysis
        self.scope = analysis.scope
        self.diagnostics = list(diagnostics)  # warnings and infos found while compiling
        self.sources = sources
        self.definitions: tuple[str, ...] = tuple(self.scope.leads)
        self.stages: tuple[str, ...] = tuple(self.scope.stages)
        self._traced: Compiler | None = None
        self._has_stages = bool(self.stages)
        self._index = {name: i for i, name in enumerate(self.definitions)}
        self._last_as_of: tuple = (None, None, None)

    _LAZY = frozenset({"_c", "_slots", "_tail", "_leads", "_uses_events", "_event_types", "_fast", "_fast_bulk",
                       "source_code"})

    def __getattr__(self, name):
        # compiling to closures and to Python source happens on first use, so that
        # `compile` costs parse + check only (a linter or editor never pays for it)
        if name in Program._LAZY:
            self._build()
            return self.__dict__[name]
        raise AttributeError(name)

    def _build(self) -> None:
        analysis = self.analysis
        c = self._c = compile_analysis(analysis)
        self._slots = [(s.path, s.reader, s.label) for s in c.slots]
        self._tail = [UNSET] * (c.n_leads + c.n_metrics)
        self._leads = [(name, len(c.slots) + i, c.lead_fns[name]) for i, name in enumerate(c.lead_order)]
        self._uses_events = bool(c.event_props)
        self._event_types = {fold(name): (name, props) for name, props in c.event_props.items()}
        hooks = {"_SLOW": self._slow_result, "_Result": Result}
        try:
            self._fast, self._fast_bulk, self.source_code = generate(analysis, c, hooks)
        except Unsupported:
            self._fast = self._fast_bulk = \
                lambda record, as_of, _us, events, _ctx: self._slow_result(record, as_of, events)
            self.source_code = None

    # ---------------------------------------------------------------- API
    @property
    def fields(self) -> dict:
        return {name: str(info.type) for name, info in self.scope.fields.items()}

    @property
    def symbols(self) -> set[str]:
        """Every record key the program reads."""
        return {".".join(s[0]) for s in self._slots} | ({"events"} if self._uses_events else set())

    def evaluate(self, record, as_of=None, *, events=None) -> Result:
        if as_of is not None and as_of is self._last_as_of[0]:
            moment, moment_us = self._last_as_of[1:]  # the same as-of object as last call
        else:
            moment = normalize_as_of(as_of)
            moment_us = to_us(moment)
            if as_of is not None:
                self._last_as_of = (as_of, moment, moment_us)
        return self._fast(record, moment, moment_us, events, (self, moment, events))

    def evaluate_many(self, records: Iterable, as_of=None, *, errors: str = "raise",
                      explain: bool = False) -> Iterator[Result]:
        """Evaluate records one at a time, in input order. ``errors="raise"`` stops at the
        first bad record with ``DataError``; ``errors="return"`` yields a Result whose
        ``.error`` says what was wrong and whose definitions are all None.

        Results keep their record for ``result.explain()`` only with ``explain=True``:
        holding a reference to every record costs the garbage collector time, and bulk
        evaluation should not pay for explanations nobody asks for."""
        if errors not in ("raise", "return"):
            raise ValueError("errors must be 'raise' or 'return'")
        moment = normalize_as_of(as_of)
        moment_us = to_us(moment)
        fast = self._fast if explain else self._fast_bulk
        if errors == "raise":
            # a C-level loop: no Python frame per record
            return map(fast, records, repeat(moment), repeat(moment_us), repeat(None), repeat((self, moment, None)))
        return self._evaluate_returning_errors(fast, records, moment, moment_us)

    def _evaluate_returning_errors(self, fast, records, moment, moment_us):
        ctx = (self, moment, None)
        for record in records:
            try:
                yield fast(record, moment, moment_us, None, ctx)
            except DataError as e:
                yield self.error_result(str(e))

    def error_result(self, message: str) -> Result:
        r = Result.fromkeys(self.definitions)
        if self._has_stages:
            r["stage"] = None
        r._error = message
        return r

    def filter(self, records: Iterable, definition: str, as_of=None) -> Iterator:
        """The records for which ``definition`` holds."""
        if definition not in self._index:
            raise KeyError(f"no lead definition named {definition!r}")
        moment = normalize_as_of(as_of)
        for record in records:
            if self._evaluate(record, moment, None)[definition]:
                yield record

    # ----------------------------------------------------------- internals
    def _read(self, record, as_of, events, trace=None) -> list:
        """The record slots of the closure path (shared by the traced compiler: same layout)."""
        if not isinstance(record, Mapping):
            raise DataError(f"a lead record must be an object (a JSON object or a CSV row), not {type(record).__name__}")
        slots = self._slots
        try:
            v = [reader(record.get(path[0]) if len(path) == 1 else get_path(record, path))
                 for path, reader, _ in slots]
        except BadValue:
            for path, reader, label in slots:
                raw = get_path(record, path)
                try:
                    reader(raw)
                except BadValue as e:
                    raise DataError(f"{label}: {e}", field=label, value=raw) from None
            raise  # pragma: no cover
        v.extend(self._tail)
        v.append(self._read_events(record, as_of, events) if self._uses_events else None)
        v.append(None)
        v.append(as_of)
        v.append(to_us(as_of))
        v.append(trace)
        return v

    def _read_events(self, record, as_of, extra) -> dict:
        raw = read_event_list(record.get("events"))
        lead = record.get("id")
        who = f"lead {lead}, " if isinstance(lead, (str, int)) and not isinstance(lead, bool) else ""
        if extra:
            raw = raw + list(extra)
        by_type: dict[str, list] = {}
        types = self._event_types
        for idx, e in enumerate(raw, 1):
            if not isinstance(e, Mapping):
                raise DataError(f"{who}event {idx}: expected an object, found {type(e).__name__}", field="events", value=e)
            typ = e.get("type")
            if not isinstance(typ, str):
                continue
            entry = types.get(typ.strip().lower() if typ.isascii() else fold(typ))
            if entry is None:
                continue
            name, props = entry
            raw_ts = e.get("ts")
            try:
                ts = read_datetime(raw_ts)
            except BadValue as err:
                raise DataError(f"{who}event {idx} ({name}): ts: {err}", field="ts", value=raw_ts) from None
            if ts is None:
                raise DataError(f"{who}event {idx} ({name}): ts is missing; every event needs a time",
                                field="ts", value=raw_ts)
            if ts > as_of:
                continue
            ts = to_us(ts)
            vals = []
            for prop, reader, _t in props:
                rv = e.get(prop)
                try:
                    vals.append(reader(rv))
                except BadValue as err:
                    raise DataError(f"{who}event {idx} ({name}): {prop}: {err}", field=prop, value=rv) from None
            by_type.setdefault(name, []).append((ts, tuple(vals), idx))
        for lst in by_type.values():
            lst.sort(key=_ts)
        return by_type

    def _slow(self, record, as_of, events):
        """The closure path: (lead values, stage). Raises DataError for a bad value."""
        v = self._read(record, as_of, events)
        out = []
        for _name, i, fn in self._leads:
            x = v[i]
            if x is UNSET:
                x = v[i] = fn(v) is True
            out.append(x)
        stage = None
        for s in self.stages:
            if out[self.definitions.index(s)]:
                stage = s
        return tuple(out), stage

    def _slow_result(self, record, as_of, events=None) -> Result:
        values, stage = self._slow(record, as_of, events)
        r = Result(zip(self.definitions, values))
        if self._has_stages:
            r["stage"] = stage
        r._ctx = (self, as_of, events)
        r._rec = record
        return r

    def _evaluate(self, record, as_of, events, as_of_us=None) -> Result:
        return self._fast(record, as_of, to_us(as_of) if as_of_us is None else as_of_us, events,
                          (self, as_of, events))

    def traced(self, record, as_of, events=None):
        """Evaluate with the explain hook: (values, trace, slots, compiler)."""
        if self._traced is None:
            self._traced = compile_analysis(self.analysis, trace=True)
        c = self._traced
        trace: dict = {}
        v = self._read(record, as_of, events, trace)
        # the traced compiler has the same record layout (same analysis, same order)
        values = {}
        for name in c.lead_order:
            values[name] = c.lead_fns[name](v) is True
        return values, trace, v, c

    def explain(self, record, as_of=None, *, events=None) -> str:
        from .explain import render
        moment = normalize_as_of(as_of)
        values, trace, v, c = self.traced(record, moment, events)
        return render(self, c, trace, v, values, moment)


def _ts(e):
    return e[0]
