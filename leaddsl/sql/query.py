"""The query's common table expressions (see ``translate.py`` for its shape)."""
from __future__ import annotations

from sqlglot import exp

from .. import types as T
from ..events import US
from ..runtime import plan as P
from . import readers as R
from . import times as TM
from .readers import lit, paren, case
from .event_ctes import ORDERED_FOLDS, EventCtes
from .stages import ROW, Stages, select, star
from .translate import Translator, Unsupported, alias, coalesce, col, is_true, prop_unit, table_ref, to_text_col

NO_TIME = -(2 ** 62)  # a time before every event's (microseconds): "no event" among the newest times


class Query(EventCtes, Translator):
    """Builds the whole query; ``build()`` returns (expression, problems)."""

    def build(self):
        p, t = self.p, self.t
        self.decays: list = []
        self.newest: dict = {}   # aggregates whose newest counted event dates a decayed rule
        self.dated: set = set()  # the sources whose newest event dates a decayed rule (sequences)
        self.counter = [0]
        ctes: list[tuple[str, exp.Expression]] = []
        ctes.append(("_asof", select(alias(R.strip(exp.Placeholder(this="as_of")), "_asof"))))
        now = Stages(self.counter, "_now", self.dialect)
        now.bind(TM.datetime_us(col("_asof"), now.bind, self.dialect), "_now")
        ctes += now.ctes(exp.select().from_(exp.to_identifier("_asof", quoted=True)))

        # ---- leads: cells as text, stripped
        row = col(t.row_field) if t.row_field else self.row_number([to_text_col(t.id_field)])
        src = [alias(row, ROW), alias(to_text_col(t.id_field), "_id_raw"),
               alias(R.strip(to_text_col(t.id_field)), "_id")]
        for s in p.slots:
            raw = to_text_col(".".join(s.path))
            src += [alias(raw, f"r{s.index}"), alias(R.strip(raw), f"s{s.index}")]
        src += [alias(col(name), f"_keep{i}") for i, name in enumerate(t.keep)]
        if t.events_problem:
            src.append(alias(col(t.events_problem), "_evm"))
        ctes.append(("_src", select(*src, frm=table_ref(t.leads))))

        # ---- leads: values read
        rd = Stages(self.counter, "_rd", self.dialect)
        for s in p.slots:
            self.slot_columns(s, rd.bind)
        ctes += rd.ctes(exp.select().from_(exp.to_identifier("_src", quoted=True)).join(
            exp.to_identifier("_now", quoted=True), join_type="cross"))
        self.rd_columns = [a.alias for a in src] + ["_asof", *now.level, *rd.level]
        self.now_columns = {"_asof", *now.level}
        self.light_columns = {a.alias for a in src} | self.now_columns

        # ---- conditions first: they say which sequences and list columns exist
        decisions = self.decisions()

        if p.events:
            ctes += self.event_ctes()
        for slot_index in self.lists:
            ctes += self.list_ctes(p.slots[slot_index])

        # ---- one row per lead, with its aggregates, sequences and lists
        x = select(star("_rd"), frm=exp.to_identifier("_rd", quoted=True))
        on = lambda name: exp.EQ(this=col(ROW, "_rd"), expression=col(ROW, name))  # noqa: E731
        if p.events:
            defaults = {"count": lit(0), "sum": lit(0), "days": lit(0)}
            windowed = {agg.index for agg in p.aggs if agg.any}
            for agg in p.aggs:
                m = col(f"m{agg.index}", f"_w{agg.index}" if agg.index in windowed else "_a")
                x = x.select(alias(coalesce(m, defaults[agg.func]) if agg.func in defaults else m, f"m{agg.index}"))
            for e in p.events.values():
                x = x.select(alias(coalesce(col(f"tb{e.index}", "_a"), exp.false()), f"tb{e.index}"),
                             alias(col(f"tm{e.index}", "_a"), f"tm{e.index}"))
                for pr in e.props:
                    x = x.select(alias(coalesce(col(f"pb{e.index}_{pr.pos}", "_a"), exp.false()),
                                       f"pb{e.index}_{pr.pos}"),
                                 alias(col(f"pm{e.index}_{pr.pos}", "_a"), f"pm{e.index}_{pr.pos}"))
                    if prop_unit(pr) in self.missed:
                        x = x.select(alias(coalesce(col(f"mp{e.index}_{pr.pos}", "_a"), lit(0)),
                                           f"mp{e.index}_{pr.pos}"))
            for src in p.sources:
                if src.index in self.dated:
                    x = x.select(alias(col(f"nw{src.index}", "_a"), f"nw{src.index}"))
            for name, _agg, _hl, _points in self.decays:
                x = x.select(alias(col(name, "_a"), name))
            for i in self.newest:
                x = x.select(alias(col(f"na{i}", "_a"), f"na{i}"))
            x = x.join(exp.to_identifier("_a", quoted=True), on=on("_a"), join_type="left")
            for i in sorted(windowed):
                x = x.join(exp.to_identifier(f"_w{i}", quoted=True), on=on(f"_w{i}"), join_type="left")
            for n, _seq in self.seqs.values():
                x = x.select(alias(coalesce(col(f"q{n}", f"_q{n}"), exp.false()), f"q{n}"))
                x = x.join(exp.to_identifier(f"_q{n}", quoted=True), on=on(f"_q{n}"), join_type="left")
        for slot_index, cols in self.lists.items():
            name = f"_l{slot_index}"
            x = x.select(alias(coalesce(col(f"lb{slot_index}", name), exp.false()), f"lb{slot_index}"),
                         alias(col(f"lm{slot_index}", name), f"lm{slot_index}"))
            for c, _agg, default in cols:
                x = x.select(alias(coalesce(col(c, name), default), c))
            if p.slots[slot_index].unit in self.missed:
                x = x.select(alias(coalesce(col(f"mc{slot_index}", name), lit(0)), f"mc{slot_index}"))
            x = x.join(exp.to_identifier(name, quoted=True), on=on(name), join_type="left")
        ctes.append(("_x", x))

        # ---- the outputs, level by level
        last = "_x"
        for level, items in enumerate(decisions, 1):
            name = f"_d{level}"
            ctes.append((name, select(star(), *items, frm=exp.to_identifier(last, quoted=True))))
            last = name

        final = select(*self.final_columns(), frm=exp.to_identifier(last, quoted=True)).order_by(col(ROW))
        for name, body in ctes:
            final = final.with_(exp.to_identifier(name, quoted=True), as_=body, copy=False)
        return R.parenthesize(final), self.problems

    def text_uses(self) -> set:
        """The text units (``Slot.unit``) some use reads otherwise than ``R.ascii_key``
        decides (see ``Translator.unsafe``): the outputs' conditions and the events' ``where``
        translated alone, without the readings, which cost most of ``build``."""
        self.decays, self.newest, self.dated, self.counter = [], {}, set(), [0]
        self.decisions()
        self.in_where = True
        for src in self.p.sources:
            if src.where is not None:
                self.guard(src.where.origin, self.cond, src.where)
        self.in_where = False
        return self.unsafe

    def row_number(self, order):
        """Numbers the rows in table order; Spark needs an order, so there the rows are
        numbered by ``order`` (an engine that knows the file order passes ``row_field``)."""
        if self.dialect != "spark":
            return exp.Window(this=exp.RowNumber())
        return exp.Window(this=exp.RowNumber(), order=exp.Order(expressions=[exp.Ordered(this=o) for o in order]))

    # ------------------------------------------------------------ slots
    def slot_columns(self, s: P.Slot, bind) -> None:
        label = s.label
        origin = self.p.analysis.scope.fields[label] if label in self.p.analysis.scope.fields else None
        raw, stripped = col(f"r{s.index}"), col(f"s{s.index}")
        if isinstance(s.type, T.ListT):
            # read element by element in _l<i>; the cell itself is only checked for a marker
            bind(exp.Null(), f"v{s.index}")
            bind(R.missing(stripped, s.options.missing), f"lmiss{s.index}")
            return
        if s.type == T.DYNAMIC or s.type == T.UNKNOWN:
            self.problems.append(Unsupported(origin, f"`{label}` is read schemaless; SQL needs its type (`field "
                                                     f"{label}: ...`)"))
            value, bad = exp.Null(), exp.false()
        else:
            try:
                value, bad, missed = self.read(s.type, stripped, s.options, origin, f"`{label}`", bind,
                                               s.unit in self.exact)
            except Unsupported as u:
                self.problems.append(u)
                value, bad, missed = exp.Null(), exp.false(), None
            if s.unit in self.missed:
                bind(missed, f"mc{s.index}")
        value = bind(value, f"v{s.index}")
        bad = bind(bad, f"b{s.index}")
        message = exp.Null() if s.type in (T.DYNAMIC, T.UNKNOWN) else self.message(label, raw, s.type, stripped, s.options)
        bind(case([(bad, message)], exp.Null()), f"e{s.index}")
        if s.type == T.TEXT:
            bind(R.ascii_key(value, self.dialect) if s.unit in self.exact else R.fold(value), f"k{s.index}")

    def list_ctes(self, s: P.Slot) -> list:
        """``_l<i>``: one row per lead row with a list cell, its elements read (in stages over
        ``_l<i>u``, one row per element) and aggregated."""
        elem_t = s.type.element
        u = exp.Unnest(expressions=[exp.Split(this=col(f"s{s.index}"), expression=lit(";"))],
                       alias=exp.TableAlias(this=exp.to_identifier("_u"),
                                            columns=[exp.to_identifier("_e")]))
        base = select(col(ROW), col("_e"), alias(col(f"s{s.index}"), "_cell"),
                      frm=exp.to_identifier("_src", quoted=True)).join(u, join_type="cross")
        base = base.where(exp.Not(this=R.missing(col(f"s{s.index}"), s.options.missing)))
        st = Stages(self.counter, f"_l{s.index}e", self.dialect)
        e = st.bind(R.strip(col("_e")))
        try:
            value, bad, missed = self.read(elem_t, e, s.options, None, f"`{s.label}`", st.bind)
        except Unsupported as x:
            self.problems.append(x)
            value, bad, missed = exp.Null(), exp.false(), None
        st.bind(R.fold(value) if elem_t == T.TEXT else value, "_k")
        st.bind(bad, "_bad")
        counted = s.unit in self.missed
        if counted:  # a bad element read as missing: the whole list is, as an empty list
            st.bind(missed, "_miss")
        st.bind(col("_e"), "_raw")
        stages = st.ctes(exp.select().from_(exp.to_identifier(f"_l{s.index}u", quoted=True)))
        msg = self.message(s.label, col("_raw"), elem_t, e, s.options)
        aggs = [alias(agg, c) for c, agg, _d in self.lists[s.index]]
        if counted:
            miss = exp.Max(this=case([(col("_miss"), lit(1))], lit(0)))
            aggs = [alias(case([(exp.EQ(this=miss.copy(), expression=lit(1)), d)], agg), c)
                    for c, agg, d in self.lists[s.index]] + [alias(miss, f"mc{s.index}")]
        # the first bad element, as the Python reader names it: an element's place is where its
        # text first stands between `;` in the cell (the same text gives the same message)
        place = exp.StrPosition(this=exp.DPipe(this=exp.DPipe(this=lit(";"), expression=col("_cell")),
                                               expression=lit(";")),
                                substr=exp.DPipe(this=exp.DPipe(this=lit(";"), expression=col("_raw")),
                                                 expression=lit(";")))
        outer = select(col(ROW), alias(exp.Max(this=case([(col("_bad"), lit(1))], lit(0))).eq(lit(1)), f"lb{s.index}"),
                       alias(exp.ArgMin(this=case([(col("_bad"), msg)], exp.Null()),
                                        expression=case([(col("_bad"), place)], exp.Null())), f"lm{s.index}"),
                       *aggs, frm=exp.to_identifier(stages[-1][0], quoted=True))
        return [(f"_l{s.index}u", base), *stages, (f"_l{s.index}", outer.group_by(col(ROW)))]

    # -------------------------------------------------------- decisions
    def decisions(self) -> list[list]:
        """The outputs in levels: each level uses only the levels before it."""
        levels: list[list] = []
        for item in self.p.order:
            if isinstance(item, P.Let):
                continue  # lets are written where they are used
            self.refs = set()
            value = self.guard(item.origin, self.output, item)
            level = 1 + max((self.level.get(r, 0) for r in self.refs), default=0)
            self.level[id(item)] = level
            while len(levels) < level:
                levels.append([])
            levels[level - 1].append(alias(value, self.out_col(item)))
        return levels

    def output(self, item):
        if isinstance(item, P.Lead):
            return is_true(self.cond(item.body))
        if isinstance(item, P.Band):
            v = self.val(item.on)
            pairs = [(exp.Is(this=v, expression=exp.Null()), exp.Null())]
            for rank, (threshold, upper) in enumerate(item.cuts):
                passed = exp.GT(this=v, expression=lit(threshold))
                if upper:
                    passed = R.or_(passed, exp.EQ(this=v, expression=lit(threshold)))
                pairs.append((exp.Not(this=paren(passed)), lit(rank)))
            return case(pairs, lit(len(item.cuts)))
        if isinstance(item, P.Route):
            pairs = [(exp.Not(this=is_true(self.cond(item.lead))), exp.Null())]
            pairs += [(is_true(self.cond(c)), lit(target)) for target, c in item.rules]
            return case(pairs, lit(item.fallback))
        return self.score(item)

    def score(self, score: P.Score):
        dbl = exp.DataType.build("double")
        total = exp.Cast(this=lit(0), to=dbl)
        for rule in score.rules:
            pts = lit(float(rule.points))
            if rule.agg is not None:
                agg = rule.agg
                if rule.half_life is not None:
                    name = f"dk{len(self.decays)}"
                    self.decays.append((name, agg, rule.half_life, float(rule.points)))
                    summed = coalesce(col(name), lit(0.0))  # (see decayed_sum: the points or the weights)
                    given = self.cap(summed if self.dialect in ORDERED_FOLDS else exp.Mul(this=pts, expression=summed),
                                     rule.cap)
                else:
                    n = col(f"m{agg.index}")
                    given = self.cap(exp.Mul(this=pts, expression=exp.Cast(this=n, to=dbl)), rule.cap)
            else:
                given = pts
                if rule.half_life is not None:
                    times = []
                    for x in rule.dated:
                        if isinstance(x, P.Agg):
                            self.newest[x.index] = x
                            times.append(col(f"na{x.index}"))
                        else:
                            times += [col(f"nw{x.first.index}"), col(f"nw{x.second.index}")]
                            self.dated |= {x.first.index, x.second.index}
                    if len(times) > 1:  # the newest of those that have events (GREATEST with a NULL is NULL
                        # in some dialects, and sqlglot writes it so for the others): NULLs as a time before all
                        none = lit(NO_TIME)
                        newest = exp.Nullif(this=exp.Greatest(this=coalesce(times[0], none), expressions=[
                            coalesce(t, none.copy()) for t in times[1:]]), expression=none.copy())
                    else:
                        newest = times[0]
                    age = exp.Greatest(this=exp.Sub(this=col("_now"), expression=newest), expressions=[lit(0)])
                    decayed = exp.Mul(this=pts, expression=exp.Pow(this=lit(0.5), expression=exp.Div(
                        this=exp.Cast(this=age, to=dbl), expression=lit(float(rule.half_life * US)))))
                    given = case([(exp.Is(this=newest, expression=exp.Null()), pts)], decayed)
                given = case([(is_true(self.cond(rule.cond)), given)], exp.Cast(this=lit(0), to=dbl))
            total = exp.Add(this=total, expression=paren(given))
        if score.cap is not None:
            total = case([(exp.LTE(this=total, expression=lit(float(score.cap))), total)], lit(float(score.cap)))
        return total

    @staticmethod
    def cap(points, limit):
        if limit is None:
            return points
        return case([(exp.GTE(this=points, expression=lit(0)),
                      exp.Least(this=points, expressions=[lit(float(limit))]))],
                    exp.Greatest(this=points, expressions=[lit(-float(limit))]))

    # ------------------------------------------------------------- final
    def unit_bad(self, unit):
        kind = unit[0]
        if kind == "slot":
            s = self.p.slots[unit[1]]
            return col(f"lb{s.index}") if isinstance(s.type, T.ListT) else col(f"b{s.index}")
        if kind == "ts":
            return col(f"tb{self.p.events[unit[1]].index}")
        if kind == "prop":
            return col(f"pb{self.p.events[unit[1]].index}_{unit[2]}")
        if kind == "events" and self.t.events_problem:  # a lead's own events list
            return exp.Not(this=exp.Is(this=col("_evm"), expression=exp.Null()))
        return None  # ("events",): a table always holds events; ("dyn", i): refused earlier

    def unit_message(self, unit):
        kind = unit[0]
        if kind == "slot":
            s = self.p.slots[unit[1]]
            return col(f"lm{s.index}") if isinstance(s.type, T.ListT) else col(f"e{s.index}")
        if kind == "ts":
            return col(f"tm{self.p.events[unit[1]].index}")
        if kind == "prop":
            return col(f"pm{self.p.events[unit[1]].index}_{unit[2]}")
        if kind == "events" and self.t.events_problem:
            return col("_evm")
        return None

    def erred(self, item):
        tests = [b for b in (self.unit_bad(u) for u in sorted(item.needs, key=repr)) if b is not None]
        return R.or_(*tests) if tests else None

    def final_columns(self) -> list:
        p = self.p
        out = [alias(col("_id_raw"), self.t.id_field)]
        keep = [alias(col(f"_keep{i}"), name) for i, name in enumerate(self.t.keep)]
        masked = {}
        for item in p.outputs.values():
            value = col(self.out_col(item))
            if isinstance(item, P.Band):
                value = case([(exp.EQ(this=value, expression=lit(i)), lit(m)) for i, m in enumerate(item.members)],
                             exp.Null())
            bad = self.erred(item)
            masked[id(item)] = bad
            out_value = case([(bad, exp.Null())], value) if bad is not None else value
            out.append((item, out_value))
        cols = []
        for item, value in out[1:]:
            cols.append((item.name, value))
        result = [out[0], *keep]
        for name, value in cols[:len(p.leads)]:
            result.append(alias(value, name))
        if p.stages:
            bad = [masked[id(p.leads[s])] for s in p.stages if masked[id(p.leads[s])] is not None]
            pairs = [(R.or_(*bad), exp.Null())] if bad else []
            pairs += [(col(self.out_col(p.leads[s])), lit(s)) for s in reversed(p.stages)]
            result.append(alias(case(pairs, exp.Null()), "stage"))
        for name, value in cols[len(p.leads):]:
            result.append(alias(value, name))
        units = []
        for item in p.outputs.values():
            units += [u for u in sorted(item.needs, key=repr) if u not in units]

        def found(u):  # as the evaluator finds them: fields in slot order, then each event's time and
            if u[0] == "slot":  # properties (the engines that know each event's line sort by it, see lines.py)
                return (0, u[1], 0, 0)
            if u[0] == "events":  # (a lead's own events list that is none: its place among them, see lines.py)
                return (1, -1, 0, 0)
            return (1, self.p.events[u[1]].index, u[0] == "prop", u[2] if u[0] == "prop" else 0)
        units = sorted((u for u in units if self.unit_message(u) is not None), key=found)
        if units:
            joined = lit("")
            for u in units:
                part = case([(self.unit_bad(u), exp.DPipe(this=lit("; "), expression=self.unit_message(u)))], lit(""))
                joined = exp.DPipe(this=joined, expression=part)
            error = case([(exp.EQ(this=joined, expression=lit("")), exp.Null())],
                         exp.Substring(this=joined, start=lit(3)))
        else:
            error = exp.Null()
        result.append(alias(exp.Cast(this=error, to=exp.DataType.build("text")), "error"))
        for unit, (name, _label) in self.missed.items():  # bad values read as missing, counted
            if unit[0] == "prop":
                count = col(f"mp{self.p.events[unit[1]].index}_{unit[2]}")
            elif isinstance(self.p.slots[unit[1]].type, T.ListT):
                count = col(f"mc{unit[1]}")
            else:
                count = case([(col(f"mc{unit[1]}"), lit(1))], lit(0))
            result.append(alias(count, name))
        return result
