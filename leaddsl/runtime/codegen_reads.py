"""The reads of the generated evaluator: record slots, dynamic comparisons and the
events loop (a mixin of :class:`codegen.Generator`, which supplies ``const``, the
local names and ``ssa``). The fast function reads inline and lets an exception send
the record to the safe function; the safe one reads each value on its own and notes
a bad one against its read unit (and, for explain, the events each source counted).
"""
from __future__ import annotations

import datetime as dt

from .. import events as ev
from .. import types as T
from . import plan as P
from ..logic import type_key
from ..times import fromiso_shape
from ..values import MAX_NUMBER, BadValue, NoTime, read_datetime, read_number, read_text_key, reader_for

_UTC = dt.timezone.utc
_ONE_US = dt.timedelta(microseconds=1)
_fromiso = dt.datetime.fromisoformat
MAX_INLINE_DEPTH = 40
# the inline read of an event's time: ``fromiso_shape`` written out for the texts with an
# offset (a text without one fails the subtraction: TypeError, then ``_ts_us``); a value
# that is no text fails the slice or the comparison, and goes to ``_ts_us`` too
FAST_TS = ("ts[4:17:3] == '--T::' and (ts[19:] == 'Z' or (len(ts) == 25 and ts[19] in '+-' and ts[22] == ':' "
           "and ts[23] < '6'))")


def _ts_us(raw) -> int:
    """An event's ``ts`` as integer microseconds; BadValue when missing or unreadable, or
    before year 1 in UTC. A time after year 9999 (UTC) is after every as-of time: it is
    returned as it is, and skipped like any later event (events after the as-of time do
    not exist). A text of the common form is parsed once (``fromiso_shape``); anything else
    goes through ``read_datetime``."""
    if raw.__class__ is str and fromiso_shape(raw):
        try:
            d = _fromiso(raw)
        except ValueError:
            d = None
        if d is not None:
            us = ((d if d.tzinfo is not None else d.replace(tzinfo=_UTC)) - ev.EPOCH) // _ONE_US
            if us < ev.MIN_US:
                raise BadValue(raw, "datetime", "outside the years 1 to 9999 in UTC")
            return us
    d = read_datetime(raw)
    if d is None:
        raise NoTime(raw)
    return ev.to_us(d)


def ts_reader(options):
    """``_ts_us`` for an event type whose ``ts`` declares how it is written (format, zone)."""
    read = reader_for(T.DATETIME, options)

    def ts_us(raw):
        d = read(raw)
        if d is None:
            raise NoTime(raw)
        return (d - ev.EPOCH) // _ONE_US
    return ts_us


def depth(node, limit: int) -> int:
    """The nesting of a condition (through inline lets), counted up to ``limit``."""
    best = 0
    stack = [(node, 1)]
    while stack:
        x, d = stack.pop()
        if d > best:
            best = d
            if best > limit:
                return best
        kids = P.children(x)
        if isinstance(x, P.LetUse) and not x.let.shared:
            kids = [x.let.body]
        stack.extend((k, d + 1) for k in kids)
    return best


class Reads:
    def read_lines(self, slot, safe: bool) -> list[str]:
        local = self.slot_local(slot)
        fn = read_text_key if slot.keyed else slot.reader
        reader = self.const(fn)
        raw = f"get({self.const(slot.path[0])})" if len(slot.path) == 1 else f"_path(record, {self.const(slot.path)})"
        if safe:
            return [f"_r = {raw}",
                    "try:",
                    f"    {local} = {reader}(_r)",
                    "except _BadValue as _e:",
                    f"    {local} = None",
                    f"    bad[{self.const(slot.unit)}] = ({self.const(slot.label)}, _r, _e)"]
        # common spellings skip the reader call (same result, checked by the property tests)
        exact = getattr(fn, "exact", None)
        if exact is not None:
            table = self.const(exact)
            return [f"{local} = {raw}",
                    f"{local} = {table}.get({local}, _U) if {local}.__class__ is str else _U if {local} is not None else None",
                    f"if {local} is _U:",
                    f"    {local} = {reader}({raw})"]
        if fn is read_text_key:
            return [f"{local} = {raw}",
                    f"if {local}.__class__ is str and {local}.isascii():",
                    f"    {local} = {local}.strip().lower()",
                    f"    if len({local}) <= 4 and {local} in _MISSING:",
                    f"        {local} = None",
                    "else:",
                    f"    {local} = {reader}({local})"]
        if fn is read_number:  # a plain int in range is itself; anything else goes through the reader
            return [f"{local} = {raw}",
                    f"if {local}.__class__ is not int or not {self.const(-MAX_NUMBER)} <= {local} <= {self.const(MAX_NUMBER)}:",
                    f"    {local} = {reader}({local})"]
        return [f"{local} = {reader}({raw})"]

    def dyn_lines(self, d: P.DynCmp, safe: bool, memo: dict | None = None) -> list[str]:
        out: list[str] = []
        a = self.ssa(d.left, out, {} if memo is None else memo, False)
        b = self.ssa(d.right, out, {} if memo is None else memo, False)
        call = f"_dyn({self.const(d.op)}, {a}, {b})"
        local = self.dyn_local(d)
        if not safe:
            return out + [f"{local} = {call}"]
        return out + ["try:",
                      f"    {local} = {call}",
                      "except (_BadValue, _Incomparable) as _e:",
                      f"    {local} = None",
                      f"    bad[{self.const(d.unit)}] = ({self.const(self.dyn_label(d))}, _e.value, _e)"]

    def dyn_label(self, d: P.DynCmp) -> str:
        def label(x):
            while isinstance(x, P.LetUse):
                x = x.let.body
            if isinstance(x, P.Read):
                return x.slot.label
            if isinstance(x, P.Prop):
                return x.prop.name
            return "value"
        return f"{label(d.left)} {d.op} {label(d.right)}"

    def events_lines(self, safe: bool) -> list[str]:
        p = self.p
        if not p.events:
            return []
        wheres = {}
        for src in p.sources:
            if src.where is not None:
                if safe or depth(src.where, MAX_INLINE_DEPTH) > MAX_INLINE_DEPTH:
                    stmts: list[str] = []
                    v = self.ssa(src.where, stmts, {}, False)
                    wheres[src.index] = (stmts, f"{v} is True")
                else:
                    wheres[src.index] = ([], self.TF(src.where)[0])
        out = ["evs = get('events')",
               "if evs is not None and evs.__class__ is not list and evs.__class__ is not tuple:"]
        if safe:
            out += ["    bad[('events',)] = ('events', evs, _BadValue(evs, 'a list of events'))",
                    "    evs = None"]
        else:
            out += ["    raise _BadValue(evs, 'events')"]
        out += ["if extra:", "    evs = list(evs or ()) + list(extra)"]
        for src in p.sources:
            out.append(f"s{src.index} = []")
        types = {e.name: e.index for e in p.events.values()}
        types.update({type_key(e.name): e.index for e in p.events.values()})
        out.append(f"_types = {self.const(types)}")
        out += ["if evs:",
                "    for idx, e in enumerate(evs, 1):"]
        if safe:
            out += ["        if not isinstance(e, _Mapping):",
                    "            bad.setdefault(('events',), ('events', e, _BadValue(e, 'an event (an object)'), idx))",
                    "            continue"]
        out += ["        t = e.get('type')",
                "        if t.__class__ is not str:",
                "            continue",
                "        k = _types.get(t)",
                "        if k is None:  # another spelling, or a type no output uses (labels are cached)",
                "            k = _types.get(_type_key(t))",
                "            if k is None:",
                "                continue",
                "        ts = e.get('ts')"]
        own = {e.index: ts_reader(e.ts) for e in p.events.values() if e.ts.reads}
        if own:  # event types whose times are written their own way: read by their own reader
            out += [f"        _tr = {self.const(own)}.get(k)"]
        if safe:
            out += ["        try:",
                    "            ts = _ts_us(ts) if _tr is None else _tr(ts)" if own else "            ts = _ts_us(ts)",
                    "        except _BadValue as _e:",
                    f"            bad.setdefault(('ts', {self.const(tuple(p.events))}[k]), ('ts', ts, _e, idx))",
                    "            continue"]
        elif own:
            out += ["        if _tr is not None:",
                    "            ts = _tr(ts)",
                    "        else:",
                    "            try:",
                    f"                ts = (_fromiso(ts) - _EPOCH) // _ONE_US if {FAST_TS} else _ts_us(ts)",
                    "            except (ValueError, TypeError):",
                    "                ts = _ts_us(ts)"]
        else:
            out += ["        try:",
                    f"            ts = (_fromiso(ts) - _EPOCH) // _ONE_US if {FAST_TS} else _ts_us(ts)",
                    "        except (ValueError, TypeError):",
                    "            ts = _ts_us(ts)"]
        if safe:
            out += ["        if ts > as_of_us:",
                    "            continue"]
        else:  # one chained comparison: after the as-of time, or before year 1 (the inline reading
            # above skips the range check of _ts_us)
            out += ["        if not _MIN_US <= ts <= as_of_us:",
                    "            if ts > as_of_us:",
                    "                continue",
                    "            raise _BadValue(ts, 'datetime')"]
        first = True
        for e in p.events.values():
            out.append(f"        {'if' if first else 'elif'} k == {e.index}:")
            first = False
            body: list[str] = []
            for pr in e.props:
                local = self.prop_local(pr, e)
                reader = self.const(read_text_key if pr.keyed else pr.reader)
                getter = f"e.get({self.const(pr.name)})"
                if safe:
                    unit = self.const(("prop", e.name, pr.pos))
                    body += ["try:", f"    {local} = {reader}({getter})",
                             "except _BadValue as _e:", f"    {local} = None",
                             # [name, raw, why, event position, how many events of the lead had one]
                             f"    bad.setdefault({unit}, [{self.const(pr.name)}, {getter}, _e, idx, 0])[4] += 1"]
                else:
                    body.append(f"{local} = {reader}({getter})")
            for src in p.sources:
                if src.event is not e:
                    continue
                for d in src.dyn:
                    body += self.dyn_lines(d, safe)
                item = ("(ts, idx" + "".join(f", {self.prop_local(pr, e)}" for pr in e.props
                                             if pr.pos in src.props) + ")") if (src.props or src.ids) else "ts"
                keep = [f"s{src.index}.append({item})"]
                if safe:  # explain shows the counted events themselves
                    keep.append(f"if trace is not None: trace.setdefault(('events', {src.index}), []).append((ts, e))")
                if src.where is not None:
                    stmts, test = wheres[src.index]
                    body += stmts + [f"if {test}:"] + ["    " + line for line in keep]
                else:
                    body += keep
            out.extend("            " + line for line in (body or ["pass"]))
        for src in p.sources:
            name = f"s{src.index}"
            out.append(f"{name}.sort()")
            if src.props or src.ids:
                out.append(f"{name}_t = [x[0] for x in {name}]")
                out.append(f"{name}_i = [x[1] for x in {name}]")
                for n_, pr in enumerate(pr for pr in src.event.props if pr.pos in src.props):
                    out.append(f"{name}_v{pr.pos} = [x[{n_ + 2}] for x in {name}]")
            else:
                out.append(f"{name}_t = {name}")
        return out

