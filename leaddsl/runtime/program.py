"""The compiled program: ``evaluate``, ``evaluate_many``, ``explain``, and ``Result``.

A :class:`Program` holds the checked analysis; its plan (``plan.lower``) and
the generated functions (``codegen.generate``) are built on first use, so
``compile`` costs parse and check only (a linter or an editor never pays for
code generation).

A bad value errs exactly the outputs that need it (SPEC section 6): the safe
function reads every value on its own and notes each bad one against its read
unit; :meth:`Program._scope` nulls the leads whose ``needs`` meet a bad unit
(and ``stage`` when a stage's definition errs), whatever the order or outcome
of the clauses.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import repeat

from . import plan as P
from ..front import gc_paused
from ..front.check import Analysis
from .codegen import Compiled
from ..diagnostics import DataError, Diagnostic
from ..events import UnreadableEvent, to_us
from ..stack import deep
from ..logic import is_missing_marker
from ..values import BadValue, NoTime, format_value, read_datetime, to_datetime

UTC = dt.timezone.utc
_RAISE, _RETURN = "raise", "return"
_ERROR, _MISSING = "error", "missing"   # bad_values: as each field declares / every bad value read as missing


def normalize_as_of(as_of) -> dt.datetime:
    if as_of is None:
        return dt.datetime.now(UTC)
    if isinstance(as_of, str):
        try:  # (a DataError is a ValueError, as the API says of an unreadable as_of)
            value = read_datetime(as_of)
        except BadValue as e:
            raise DataError(f"as_of: {e}", field="as_of", value=as_of) from None
        if value is None:
            raise DataError("as_of: empty (write an ISO 8601 time such as 2026-11-22T00:00:00Z, or leave it out "
                            "for now)", field="as_of", value=as_of)
        return value
    if isinstance(as_of, (dt.datetime, dt.date)):
        return to_datetime(as_of)
    raise InputTypeError(f"as_of must be a datetime, a date or an ISO 8601 string, not {type(as_of).__name__}",
                         field="as_of", value=as_of)


class InputTypeError(DataError, TypeError):
    """An input of a type no reading applies to (an as-of time that is an int, records that are
    no iterable): a DataError as every unreadable input is, and the TypeError Python code
    expects of an argument's type."""


def _as_of_us(moment: dt.datetime) -> int:
    try:
        return to_us(moment)
    except OverflowError:
        raise ValueError(f"as_of: {moment.isoformat()} is out of range") from None


class Result(dict):
    """The outputs of a program for one lead: a dict of each definition -> True/False
    (None when it erred: it needs a value that could not be read), plus ``"stage"``
    when the program declares ``stages``, then each score (a float), band (the name of
    the band, None when its number is missing) and route (the target, None when its
    lead definition does not hold), all None when they erred.

    ``result["mql"]``, ``result.stage``, ``result.error``, ``result.to_dict()``,
    ``result.explain()``. A dict, so that building one per lead costs next to nothing.
    """

    # _ctx: (program, as_of, events, errors mode, bad-values policy), shared by a run; _missed: the bad
    # values read as missing (by the field's `bad as missing` or the run's bad_values="missing")
    __slots__ = ("_ctx", "_rec", "_errors", "_missed")

    @property
    def stage(self):
        return self.get("stage")

    @property
    def errors(self) -> tuple[str, ...]:
        """Why some outputs are None: one message per value that could not be read."""
        return getattr(self, "_errors", ())

    @property
    def error(self) -> str | None:
        """The errors as one line (``errors="return"``), or None."""
        errors = self.errors
        return "; ".join(errors) if errors else None

    @property
    def bad_as_missing(self) -> dict[str, int]:
        """The bad values read as missing instead of erring (a field's ``bad as missing``, or
        ``bad_values="missing"``): field (or ``event.property``) -> how many (for a property:
        how many of the lead's events had one). Empty when there were none."""
        out: dict[str, int] = {}
        for unit, info in getattr(self, "_missed", {}).items():
            label = f"{unit[1]}.{info[0]}" if unit[0] == "prop" else info[0]
            out[label] = out.get(label, 0) + (info[4] if unit[0] == "prop" else 1)
        return out

    @property
    def warnings(self) -> tuple[str, ...]:
        """One message per bad value read as missing (the outputs kept their answers, computed
        with the value missing): never hidden, but not errors."""
        return tuple(_message(unit, info, "") + "; read as missing" + (f" ({info[4]} events)" if unit[0] == "prop"
                                                                       and info[4] > 1 else "")
                     for unit, info in getattr(self, "_missed", {}).items())

    def to_dict(self) -> dict:
        return dict(self)

    def explain(self) -> str:
        ctx = getattr(self, "_ctx", None)
        rec = getattr(self, "_rec", None)
        if ctx is None or (rec is None and self.errors):
            if self.errors:
                return "error: " + self.error
            raise ValueError("this result does not keep its record: call program.explain(record, as_of) "
                             "or evaluate_many(..., explain=True)")
        program, as_of, events, _mode, policy = ctx
        return program.explain(rec, as_of, events=events, bad_values=policy)

    def __repr__(self):
        return f"Result({dict.__repr__(self)})"


class Program:
    """A checked, compiled set of lead definitions."""

    def __init__(self, analysis: Analysis, diagnostics: list[Diagnostic], sources: dict, sql=None):
        self.analysis = analysis
        self._sql = sql  # the SQL backend (``to_sql``), given by the façade: the runtime does not import it
        self.scope = analysis.scope
        self.diagnostics = list(diagnostics)  # warnings and infos found while compiling
        self.sources = sources
        self.definitions: tuple[str, ...] = tuple(self.scope.leads)
        self.stages: tuple[str, ...] = tuple(self.scope.stages)
        self.scores: tuple[str, ...] = tuple(self.scope.scores)
        self.bands: tuple[str, ...] = tuple(self.scope.bands)
        self.routes: tuple[str, ...] = tuple(self.scope.routes)
        # the keys of every Result, in order
        self.outputs: tuple[str, ...] = (*self.definitions, *(("stage",) if self.stages else ()), *self.scores,
                                         *self.bands, *self.routes)
        self._index = {name: i for i, name in enumerate(self.definitions)}
        self._last_as_of: tuple = (None, None, None, None)

    _LAZY = frozenset({"plan", "_compiled", "_fast"})

    def __getattr__(self, name):
        # lowering and code generation happen on first use
        if name in Program._LAZY:
            self._build()
            return self.__dict__[name]
        raise AttributeError(name)

    def _build(self) -> None:
        deep(self._lower)  # (lowering and code generation walk the definitions by recursion)

    def _lower(self) -> None:
        with gc_paused():  # as while compiling: many young objects, no garbage cycles worth a collection
            self.plan = P.lower(self.analysis)
            hooks = {"_Result": Result, "_SCOPE": self._scope, "_RECORD_ERROR": _record_error}
            self._compiled = Compiled(self.plan, hooks)
            self._fast = self._compiled.fast

    @property
    def source_code(self) -> str:
        """The generated Python source: the evaluator and its safe/trace twin (for the
        curious, and for the tests that check no definition text reaches it)."""
        c = self._compiled
        c.safe  # noqa: B018 - generated on first need
        return c.fast_source + "\n\n" + c.safe_source

    # ---------------------------------------------------------------- API
    @property
    def fields(self) -> dict:
        return {name: str(info.type) for name, info in self.scope.fields.items()}

    @property
    def agreement(self):
        """The file's `definition "..." { ... }` header (an Agreement), or None."""
        return self.scope.agreement

    @property
    def columns(self) -> dict[str, str]:
        """Every input column (or record key) the outputs read -> the field or name it feeds."""
        return {".".join(s.path): s.label for s in self.plan.slots}

    @property
    def event_columns(self) -> dict[str, str]:
        """Every events-table column the outputs read (an event property) -> what it is."""
        owners: dict[str, list[str]] = {}
        for e in self.plan.events.values():
            for pr in e.props:
                if e.name not in owners.setdefault(pr.name, []):
                    owners[pr.name].append(e.name)
        return {name: "the " + " and ".join(f"`{e}`" for e in events) + f" event's `{name}` property"
                for name, events in owners.items()}

    @property
    def symbols(self) -> set[str]:
        """Every record key the program reads."""
        return {".".join(s.path) for s in self.plan.slots} | ({"events"} if self.plan.uses_events else set())

    def _moment(self, as_of):
        """(as-of, in microseconds, the context of a run that raises), cached for the same object."""
        last = self._last_as_of
        if as_of is not None and as_of is last[0]:
            return last[1:]
        moment = normalize_as_of(as_of)
        cached = (moment, _as_of_us(moment), (self, moment, None, _RAISE, _ERROR))
        if as_of is not None:
            self._last_as_of = (as_of, *cached)
        return cached

    def evaluate(self, record, as_of=None, *, events=None, errors: str = _RAISE,
                 bad_values: str = _ERROR) -> Result:
        """The outputs for one lead. A value that cannot be read raises DataError
        (``errors="raise"``), or nulls the outputs that need it (``errors="return"``:
        ``result.errors`` says why). ``bad_values="missing"`` reads every bad value of a
        field or event property as missing instead, as ``bad as missing`` does for one
        field: counted in ``result.bad_as_missing`` and ``result.warnings``."""
        last = self._last_as_of
        if as_of is not None and as_of is last[0]:
            moment, moment_us, ctx = last[1], last[2], last[3]
        else:
            moment, moment_us, ctx = self._moment(as_of)
        if errors is _RAISE and events is None and bad_values is _ERROR:
            r = self._fast(record, moment, moment_us, None, ctx)
        else:
            _check_mode(errors, bad_values)
            ctx = (self, moment, events, errors, bad_values)
            try:
                r = self._fast(record, moment, moment_us, events, ctx)
            except DataError as e:
                if errors == _RAISE:
                    raise
                return self.error_result(str(e))
        r._ctx = ctx
        r._rec = record
        return r

    def evaluate_many(self, records: Iterable, as_of=None, *, errors: str = _RAISE,
                      explain: bool = False, bad_values: str = _ERROR) -> Iterator[Result]:
        """Evaluate records one at a time, in input order. ``errors="raise"`` stops at the
        first record with a bad value with ``DataError``; ``errors="return"`` yields a
        Result whose outputs that need a bad value are None and whose ``.errors`` say why.

        Results keep their record for ``result.explain()`` only with ``explain=True``:
        holding a reference to every record costs the garbage collector time, and bulk
        evaluation should not pay for explanations nobody asks for. ``bad_values``: as for
        :meth:`evaluate`."""
        _check_mode(errors, bad_values)
        moment = normalize_as_of(as_of)
        moment_us = _as_of_us(moment)
        try:
            records = iter(records)
        except TypeError:
            raise InputTypeError(f"evaluate_many() takes an iterable of lead records (dicts), not "
                                 f"{type(records).__name__}") from None
        fast = self._fast
        ctx = (self, moment, None, errors, bad_values)
        if errors == _RAISE and not explain:
            # a C-level loop: no Python frame per record
            return map(fast, records, repeat(moment), repeat(moment_us), repeat(None), repeat(ctx))
        return self._evaluate_each(fast, records, moment, moment_us, ctx, explain)

    def _evaluate_each(self, fast, records, moment, moment_us, ctx, keep):
        for record in records:
            try:
                r = fast(record, moment, moment_us, None, ctx)
            except DataError as e:
                if ctx[3] == _RAISE:
                    raise
                yield self.error_result(str(e))
                continue
            if keep:
                r._ctx = ctx
                r._rec = record
            yield r

    def error_result(self, message: str) -> Result:
        """A result for a record that could not be read at all: every output None."""
        r = Result.fromkeys(self.outputs)
        r._errors = (message,)
        return r

    def filter(self, records: Iterable, definition: str, as_of=None) -> Iterator:
        """The records for which ``definition`` holds."""
        if definition not in self._index:
            raise KeyError(f"no lead definition named {definition!r}")
        moment, moment_us, ctx = self._moment(as_of)
        for record in records:
            if self._fast(record, moment, moment_us, None, ctx)[definition]:
                yield record

    def explain(self, record, as_of=None, *, events=None, bad_values: str = _ERROR) -> str:
        """Each clause of each definition with its value (true / false / unknown) and the
        values it read; the same reads and decisions as ``evaluate``."""
        from .explain import render
        _check_mode(_RETURN, bad_values)
        moment = normalize_as_of(as_of)
        trace: dict = {}
        try:
            result = self._compiled.safe(record, moment, _as_of_us(moment), events,
                                         (self, moment, events, _RETURN, bad_values), trace)
        except DataError as e:
            return f"as of {format_value(moment)}\n\nerror: {e}"
        return render(self, result, trace, moment)

    def to_sql(self, dialect: str = "duckdb", **tables) -> str:
        """The outputs as one SQL query in ``dialect`` (duckdb, postgres, snowflake, bigquery,
        spark) over the tables ``leads`` and ``events`` (``leads=``, ``events=``, ``id_field=``,
        ``lead_field=``, ``type_field=``, ``ts_field=``, ``pretty=``); the as-of time is its
        parameter ``as_of`` (ISO 8601 text). DslError (E501) for what the dialect cannot
        express exactly as this evaluator does."""
        if self._sql is None:
            raise RuntimeError("this Program was built without the SQL backend: use leaddsl.compile or leaddsl.load")
        return self._sql(self, dialect, **tables)

    # ------------------------------------------------------ bad values
    def _scope(self, r: Result, bad: dict, record, ctx) -> None:
        """Null the outputs that need a bad unit; note why. Raises DataError when the
        run asked for errors to be raised. A bad value whose policy is to be read as missing
        (the field's ``bad as missing``, or the run's ``bad_values="missing"``) errs nothing:
        the safe function already read it as missing; it is noted in ``result._missed``."""
        lenient = self.__dict__.get("_lenient")
        if lenient is None:
            lenient = self._lenient = self.plan.lenient
        every = ctx[4] == _MISSING
        missed = {u: info for u, info in bad.items() if u in lenient or (every and u[0] in ("slot", "prop", "dyn"))}
        if missed:
            r._missed = missed
            bad = {u: info for u, info in bad.items() if u not in missed}
            if not bad:
                return
        units = set(bad)
        for name, item in self.plan.outputs.items():
            if item.needs & units:
                r[name] = None
        if self.stages and any(r[s] is None for s in self.stages):
            r["stage"] = None
        lead_id = record.get("id")
        who = lead_label(lead_id)
        messages = [_message(unit, info, who) for unit, info in bad.items()]
        r._errors = tuple(messages)
        if ctx[3] == _RAISE:
            unit, info = next(iter(bad.items()))
            raise DataError(messages[0], field=info[0], value=info[1], lead_id=lead_id)


def _check_mode(errors, bad_values=_ERROR):
    if errors not in (_RAISE, _RETURN):
        raise ValueError("errors must be 'raise' or 'return'")
    if bad_values not in (_ERROR, _MISSING):
        raise ValueError("bad_values must be 'error' (as each field declares) or 'missing'")


def _record_error(record):
    kind = "null" if record is None else type(record).__name__
    return DataError(f"a lead record must be an object (a JSON object or a CSV row), not {kind}",
                     field=None, value=record)


def output_column(program, name: str) -> bool:
    """Whether ``name`` is an output column of ``program``'s rows (a definition, `stage`, a
    score, band or route, or `error`): an id column may not be named so."""
    return name in (*program.outputs, "error")


def lead_label(lead) -> str:
    """How an event's message names its lead: ``lead 7, `` by the record's ``id`` key, when it
    is text or a whole number (nothing otherwise)."""
    return f"lead {lead}, " if isinstance(lead, (str, int)) and not isinstance(lead, bool) else ""


def _message(unit, info, who: str) -> str:
    label, raw, exc = info[0], info[1], info[2]
    kind = unit[0]
    if kind == "slot":
        return f"{label}: {exc}"
    if kind == "dyn":
        if isinstance(exc, BadValue):
            return f"{label}: {exc}"
        return f"{label}: cannot compare {format_value(exc.value)} with {format_value(exc.other)}"
    if kind == "events":
        if isinstance(raw, UnreadableEvent):  # a row of an events table: where it is says the table
            return f"{who}event {info[3]}: {raw.why}"
        found = "null" if raw is None else type(raw).__name__
        return f"events: expected a list of event objects, found {found}"
    idx = info[3]
    event = unit[1]
    if kind == "ts":
        if isinstance(exc, NoTime) or raw is None or (isinstance(raw, str) and is_missing_marker(raw)):
            return f"{who}event {idx} ({event}): ts is missing; every event needs a time"
        return f"{who}event {idx} ({event}): ts: {exc}"
    return f"{who}event {idx} ({event}): {label}: {exc}"
