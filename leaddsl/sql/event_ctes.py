"""The events' common table expressions of the query (see ``translate.py`` for its shape):
each event row read (its type, time and properties), joined to its lead, counted in its
windows and aggregated to one row per lead, with its sequences."""
from __future__ import annotations

from sqlglot import exp

from .. import types as T
from ..events import US
from ..runtime import plan as P
from . import readers as R
from . import times as TM
from .readers import lit, paren, case
from .stages import ROW, Stages, frame, select, star, window
from .translate import Unsupported, alias, coalesce, col, is_true, iso_message, prop_unit, table_ref, to_text_col

# the dialects that add a list in order (a decayed `each` rule's points added as Python adds them)
ORDERED_FOLDS = ("duckdb", "spark", "postgres")


class EventCtes:
    """The part of :class:`query.Query` that reads the events (a mixin: it uses the
    translator's ``p``, ``t``, ``dialect`` and condition methods)."""

    # ----------------------------------------------------------- events
    def event_ctes(self) -> list:
        p, t = self.p, self.t
        # the events' order, when the table has one (an engine's file order, or the line of each
        # event): it picks the first bad event of a kind, as the Python engine does; a warehouse
        # table has none, and numbering its rows (ROW_NUMBER() OVER ()) would put them all
        # through one thread or worker: there the first is the one whose message sorts first
        # (a lead's own events, its JSON list: their place in it)
        order = t.line_field if t.events_by_row else t.row_field or t.line_field
        self.ordered = order is not None
        # (the lead's id as text; or its row number, for the events a JSON lead holds itself)
        lid = exp.cast(col(t.lead_field), "bigint") if t.events_by_row else R.strip(to_text_col(t.lead_field))
        ev_raw = [alias(lid, "_lid"),
                  *([alias(col(order), "_rid")] if order else []),
                  alias(to_text_col(t.type_field), "_type"),
                  alias(to_text_col(t.ts_field), "_tsr")]
        ev_raw += [alias(col(t.line_field), "_eln")] if t.line_field else []
        props = {}
        for e in p.events.values():
            for pr in e.props:
                if pr.name not in props:
                    props[pr.name] = f"_p{len(props)}"
                    ev_raw.append(alias(to_text_col(pr.name), props[pr.name]))
        cte_ev = select(*ev_raw, frm=table_ref(t.events))
        # which declared event each row is (by its folded spelling, or exactly as named)
        # (a type written exactly as declared is known without its key, and so is the key of a
        # type written as one: lower-case letters and digits in words joined by `_`; only the
        # other spellings go through the key's patterns)
        def by(key):
            return exp.Case(this=key, ifs=[exp.If(this=lit(R.fold_const(e.name)), true=lit(e.index))
                                           for e in p.events.values()])
        canonical = R.regex_like(col("_type"), "^[a-z0-9]+(?:_[a-z0-9]+)*$")
        kind = case([*((exp.EQ(this=col("_type"), expression=lit(e.name)), lit(e.index)) for e in p.events.values()),
                     (canonical, by(col("_type")))], by(R.type_key(col("_type"))))
        st = Stages(self.counter, "_evr", self.dialect)
        st.bind(kind, "_e")
        # a time in the common form has no white space to strip and is not a missing marker
        fast = st.bind(R.regex_like(col("_tsr"), TM.FAST_DATETIME_RE))
        tss = st.bind(case([(fast, col("_tsr"))], R.strip(col("_tsr"))))
        marked = st.bind(case([(fast, exp.false())], R.missing(tss)))
        ts = case([(marked, exp.Null())], st.bind(TM.datetime_us(tss, st.bind, self.dialect, fast, after=True)))
        evr = ["_lid", *(["_rid"] if order else []), "_e", "_ts", "_tsr"] + (["_eln"] if t.line_field else [])
        # an event type whose times are written its own way (`ts: datetime format ... zone ...`):
        # its rows' times by the field reader of those options, and the message of a bad one
        # (`ts: cannot read ... (expected MM/DD/YYYY or ISO 8601)`) on the row, for the aggregate
        own = []
        for e in p.events.values():
            if e.ts.reads:
                mine = exp.EQ(this=col("_e"), expression=lit(e.index))
                text = st.bind(case([(mine.copy(), tss.copy())], exp.Null()))  # (the other rows' is NULL: no cost)
                value, _bad = self.reader(T.DATETIME, text, e.ts, self.prop_origin(e.name, "ts"), f"`{e.name}.ts`",
                                          st.bind)
                zoned = bool(e.ts.zone) and self.dialect in TM.ZONE_DIALECTS
                told = case([(R.missing(text.copy(), e.ts.missing), lit("ts is missing; every event needs a time"))],
                            self.formats_message("ts", col("_tsr"), T.DATETIME, e.ts.formats, text, zoned=zoned))
                own.append((mine, st.bind(value)))
                st.bind(case([(R.and_(mine.copy(), exp.Is(this=own[-1][1].copy(), expression=exp.Null())), told)],
                             exp.Null()), f"tmsg{e.index}")
                evr.append(f"tmsg{e.index}")
        st.bind(case(own, ts) if own else ts, "_ts")
        for e in p.events.values():
            for pr in e.props:
                raw = col(props[pr.name])
                stripped = st.bind(R.strip(raw))
                exact = prop_unit(pr) in self.exact  # (a text never bad: no flag, no message)
                try:
                    value, bad, missed = self.read(pr.type, stripped, pr.options, self.prop_origin(e.name, pr.name),
                                                   f"`{e.name}.{pr.name}`", st.bind, exact)
                except Unsupported as u:
                    self.problems.append(u)
                    value, bad, missed = exp.Null(), exp.false(), None
                mine = exp.EQ(this=col("_e"), expression=lit(e.index))
                tag = f"{e.index}_{pr.pos}"
                pv = st.bind(case([(mine, value)], exp.Null()), f"pv{tag}")
                if exact:
                    st.bind(R.ascii_key(pv, self.dialect), f"pk{tag}")
                    evr += [f"pv{tag}", f"pk{tag}"]
                    continue
                st.bind(R.and_(mine, paren(bad)), f"pb{tag}")
                if prop_unit(pr) in self.missed:
                    st.bind(R.and_(mine.copy(), paren(missed)), f"mp{tag}")
                    evr.append(f"mp{tag}")
                label = exp.DPipe(this=self.event_at(e.name), expression=lit(": "))
                st.bind(case([(col(f"pb{tag}"), exp.DPipe(this=label, expression=paren(
                    self.message(pr.name, raw, pr.type, stripped, pr.options))))], exp.Null()), f"pm{tag}")
                evr += [f"pv{tag}", f"pb{tag}", f"pm{tag}"]
                if pr.type == T.TEXT:
                    st.bind(R.fold(pv), f"pk{tag}")
                    evr.append(f"pk{tag}")
        evr_ctes = st.ctes(exp.select().from_(exp.to_identifier("_ev", quoted=True)))
        # events joined to their leads (a `where` may read the lead's fields); those after the
        # as-of time do not exist, but an unreadable time is kept (it errs what uses its type)
        # (the time as written is read again only for a message, when it could not be read: the
        # rows, stored for the windows and the aggregates, carry it only then)
        j = select(star("_rd"), *[alias(case([(exp.Is(this=col("_ts", "_evr"), expression=exp.Null()),
                                               col(c, "_evr"))], exp.Null()), c) if c == "_tsr" else col(c, "_evr")
                                  for c in evr], frm=exp.to_identifier("_rd", quoted=True))
        j = j.join(exp.to_identifier("_evr", quoted=True),
                   on=R.and_(exp.EQ(this=col("_lid", "_evr"), expression=col(ROW if t.events_by_row else "_id", "_rd")),
                               exp.Not(this=exp.Is(this=col("_e", "_evr"), expression=exp.Null()))),
                   join_type="inner")
        live = paren(R.and_(exp.Not(this=exp.Is(this=col("_ts"), expression=exp.Null())),
                              exp.LTE(this=col("_ts"), expression=col("_now"))))
        j = j.where(R.or_(exp.Is(this=col("_ts"), expression=exp.Null()),
                            exp.LTE(this=col("_ts"), expression=col("_now"))))
        jw = select(star(), frm=exp.to_identifier("_j", quoted=True))
        for src in p.sources:
            cond = R.and_(live, exp.EQ(this=col("_e"), expression=lit(src.event.index)))
            if src.where is not None:
                self.in_where = True
                w = self.guard(src.where.origin, self.cond, src.where)
                self.in_where = False
                cond = R.and_(cond, is_true(w))
            j = j.select(alias(paren(cond), f"in{src.index}"))
        aggs = [col(ROW)]
        self.windows = []
        for agg in p.aggs:
            jw, value = self.aggregate(agg, jw)
            if value is not None:
                aggs.append(alias(value, f"m{agg.index}"))
        for e in p.events.values():
            bad = R.and_(exp.EQ(this=col("_e"), expression=lit(e.index)), exp.Is(this=col("_ts"), expression=exp.Null()))
            aggs.append(alias(exp.Max(this=case([(bad, lit(1))], lit(0))).eq(lit(1)), f"tb{e.index}"))
            at = self.event_at(e.name)
            if e.ts.reads:  # its message is on the row (see above)
                told = col(f"tmsg{e.index}")
            else:
                told = case([(R.missing(R.strip(col("_tsr"))), lit("ts is missing; every event needs a time"))],
                            iso_message(exp.DPipe(this=exp.DPipe(this=lit("ts: cannot read "), expression=R.quoted(
                                col("_tsr"))), expression=lit(" as datetime")), R.strip(col("_tsr"))))
            msg = exp.DPipe(this=exp.DPipe(this=at, expression=lit(": ")), expression=told)
            aggs.append(alias(self.first(bad, msg), f"tm{e.index}"))
            for pr in e.props:
                if prop_unit(pr) in self.exact:  # never bad
                    aggs += [alias(exp.false(), f"pb{e.index}_{pr.pos}"),
                             alias(exp.Cast(this=exp.Null(), to=exp.DataType.build("text")), f"pm{e.index}_{pr.pos}")]
                    if prop_unit(pr) in self.missed:
                        aggs.append(alias(lit(0), f"mp{e.index}_{pr.pos}"))
                    continue
                pb = R.and_(live, col(f"pb{e.index}_{pr.pos}"))
                aggs.append(alias(exp.Max(this=case([(pb, lit(1))], lit(0))).eq(lit(1)), f"pb{e.index}_{pr.pos}"))
                aggs.append(alias(self.first(pb, col(f"pm{e.index}_{pr.pos}")), f"pm{e.index}_{pr.pos}"))
                if prop_unit(pr) in self.missed:  # how many of the lead's events had a bad one
                    aggs.append(alias(exp.Sum(this=case([(R.and_(live.copy(), col(f"mp{e.index}_{pr.pos}")), lit(1))],
                                                        lit(0))), f"mp{e.index}_{pr.pos}"))
        for src in p.sources:
            if src.index in self.dated:  # the newest event of a sequence that dates a decayed rule
                aggs.append(alias(exp.Max(this=case([(col(f"in{src.index}"), col("_ts"))], exp.Null())),
                                  f"nw{src.index}"))
        for i, agg in self.newest.items():
            aggs.append(alias(exp.Max(this=case([(self.in_window(agg), col("_ts"))], exp.Null())), f"na{i}"))
        for name, agg, half_life, points in self.decays:  # `each ... decay`: every counted event by its own age
            age = exp.Cast(this=exp.Sub(this=col("_now"), expression=col("_ts")), to=exp.DataType.build("double"))
            weight = exp.Pow(this=lit(0.5), expression=exp.Div(this=age, expression=lit(float(half_life * US))))
            aggs.append(alias(self.decayed_sum(self.in_window(agg), weight, points), name))
        a = select(*aggs, frm=exp.to_identifier("_jw", quoted=True)).group_by(col(ROW))
        seqs = [(f"_q{n}", self.sequence(seq)) for n, seq in self.seqs.values()]
        # each event row carries only the lead's columns that are read after the join (a
        # `where` on a field, the as-of time), not every reading column of the lead
        later = {c.name for body in (jw, a, *(q for _, q in seqs + self.windows)) for c in body.find_all(exp.Column)}
        used = later | {c.name for c in j.find_all(exp.Column)}
        carried = [c for c in self.rd_columns if c in used or c == ROW]
        # and only the event columns read after it (a property read for a `where` only is not stored)
        j.set("expressions", [col(c, "_rd") for c in carried] + [x for x in j.expressions[1:] if x.alias_or_name in later])
        keys = []
        if set(carried) <= self.light_columns:
            # the events meet the leads' ids, not their values read: then `_rd` has one reader
            # (`_x`) and streams to it, rather than being stored whole for two; and when the rows
            # are numbered by a column, the ids are read from the table itself, so `_src` too
            frm = exp.to_identifier("_src", quoted=True)
            if self.t.row_field and set(carried) <= {ROW, "_id", *self.now_columns}:
                frm = select(alias(col(self.t.row_field), ROW), alias(R.strip(to_text_col(self.t.id_field)), "_id"),
                             frm=table_ref(self.t.leads)).subquery("_ids")
            keys = [("_rk", select(*[col(c) for c in carried], frm=frm).join(
                exp.to_identifier("_now", quoted=True), join_type="cross"))]
            j = j.transform(lambda n: exp.to_identifier("_rk", quoted=True)
                            if isinstance(n, exp.Identifier) and n.this == "_rd" else n)
        return [("_ev", cte_ev), *evr_ctes, *keys, ("_j", j), ("_jw", jw), ("_a", a), *self.windows, *seqs]

    def decayed_sum(self, inside, weight, points: float):
        """An `each ... decay` rule's points over the counted events (``inside``): where the
        dialect can fold a list in order, ``points * weight`` added event by event, oldest first,
        from 0.0, as ``scoring.each`` adds them (so the float is Python's to the last digit);
        elsewhere (snowflake, bigquery) the weights' SUM, in no fixed order (``score`` multiplies
        it by the points)."""
        given = exp.Mul(this=lit(points), expression=weight)
        x, y = exp.to_identifier("_x"), exp.to_identifier("_y")
        add = exp.Lambda(this=exp.Add(this=x.copy(), expression=y.copy()), expressions=[x, y])
        if self.dialect == "duckdb":
            listed = exp.Filter(this=exp.ArrayAgg(this=exp.Order(this=given, expressions=[exp.Ordered(
                this=col("_ts"), nulls_first=False)])), expression=exp.Where(this=inside))
            return exp.Anonymous(this="LIST_REDUCE", expressions=[listed, add])
        if self.dialect == "spark":
            pair = exp.Struct(expressions=[exp.PropertyEQ(this=exp.to_identifier("_ts"), expression=col("_ts")),
                                           exp.PropertyEQ(this=exp.to_identifier("_p"), expression=given)])
            s = exp.to_identifier("_s")
            ordered = exp.ArraySort(this=exp.ArrayAgg(this=case([(inside, pair)], exp.Null())))
            values = exp.Transform(this=ordered, expression=exp.Lambda(
                this=exp.Dot(this=s.copy(), expression=exp.to_identifier("_p")), expressions=[s]))
            return exp.Reduce(this=values, initial=exp.Cast(this=lit(0), to=exp.DataType.build("double")), merge=add)
        if self.dialect == "postgres":
            # the ordered list unnested and summed in its order (an aggregate of the outer rows
            # inside a subquery is the outer query's; float8 SUM adds its rows one by one)
            listed = exp.Filter(this=exp.ArrayAgg(this=exp.Order(this=given, expressions=[exp.Ordered(
                this=col("_ts"), nulls_first=False)])), expression=exp.Where(this=inside))
            unnested = exp.Unnest(expressions=[listed], alias=exp.TableAlias(
                this=exp.to_identifier("_u"), columns=[exp.to_identifier("_x")]))
            return exp.Subquery(this=exp.select(exp.Sum(this=col("_x"))).from_(unnested))
        return exp.Sum(this=case([(inside, weight.copy())], exp.Null()))

    def prop_origin(self, event: str, name: str):
        """The declaration of an event's property (or its ``ts``), whose options have their spans."""
        info = getattr(self.p.analysis.scope, "events", {}).get(event)
        decl = getattr(info, "decl", None)
        return next((pr for pr in decl.props if pr.name == name), decl) if decl is not None else info

    def first(self, bad, message):
        """The message of a lead's first bad event (of those where ``bad`` holds)."""
        if not self.ordered:
            return exp.Min(this=case([(bad, message)], exp.Null()))
        return exp.ArgMin(this=case([(bad, message)], exp.Null()), expression=case([(bad.copy(), col("_rid"))],
                                                                                  exp.Null()))

    def event_at(self, name: str):
        """`page_view event`, and where the event is when the events table has its line."""
        if not self.t.line_field:
            return lit(f"{name} event")
        at = exp.DPipe(this=lit(f"{name} event at {self.t.events_at} "), expression=R.to_text(col("_eln")))
        return coalesce(at, lit(f"{name} event"))

    def in_window(self, agg: P.Agg):
        inside = col(f"in{agg.source.index}")
        if agg.seconds is None or agg.any:
            return inside
        return R.and_(inside, exp.GT(this=col("_ts"), expression=exp.Sub(this=col("_now"),
                                                                             expression=lit(agg.seconds * US))))

    def aggregate(self, agg: P.Agg, jw):
        inside = self.in_window(agg)
        v = col(f"pv{agg.source.event.index}_{agg.pos}") if agg.pos is not None else None
        if agg.any:
            w = agg.seconds * US
            before = frame(lit(w - 1), "PRECEDING", "CURRENT ROW", None)
            if agg.func == "count":
                fn = exp.Sum(this=case([(inside, lit(1))], lit(0)))
            elif agg.func == "days":
                day = case([(inside, R.idiv(col("_ts"), lit(R.DAY_US)))], exp.Null())
                # Spark has no DISTINCT in a window function: there, the size of the window's set
                fn = exp.ArrayUniqueAgg(this=day) if self.dialect == "spark" else exp.Count(
                    this=exp.Distinct(expressions=[day]))
            elif agg.func == "sum":
                fn = exp.Sum(this=case([(inside, coalesce(v, lit(0)))], lit(0)))
            else:  # pragma: no cover - the checker allows `any` on count, sum and days only
                self.unsupported(agg.origin, f"`any` on {agg.func}")
            # over the counted events only (the others add nothing to any window): `_w<i>`,
            # one row per lead with at least one, joined to the lead's row in `_x`
            counted = window(fn, col(ROW), col("_ts"), before)
            if isinstance(fn, exp.ArrayUniqueAgg):
                counted = exp.ArraySize(this=counted)
            inner = select(col(ROW), alias(counted, "_w"), frm=exp.to_identifier("_j", quoted=True)).where(inside)
            best = exp.Max(this=col("_w"))
            if agg.func == "sum":  # a window may also end just before an event leaves it
                after = frame(lit(1), "FOLLOWING", lit(w), "FOLLOWING")
                inner = inner.select(alias(window(fn, col(ROW), col("_ts"), after), "_wa"))
                best = exp.Greatest(this=lit(0), expressions=[coalesce(best, lit(0)),
                                                             coalesce(exp.Max(this=col("_wa")), lit(0))])
            body = select(col(ROW), alias(best, f"m{agg.index}"), frm=exp.Subquery(
                this=inner, alias=exp.TableAlias(this=exp.to_identifier("_wi")))).group_by(col(ROW))
            self.windows.append((f"_w{agg.index}", body))
            return jw, None
        if agg.func == "count":
            return jw, exp.Sum(this=case([(inside, lit(1))], lit(0)))
        if agg.func == "days":
            return jw, exp.Count(this=exp.Distinct(expressions=[case([(inside, R.idiv(col("_ts"), lit(R.DAY_US)))],
                                                                     exp.Null())]))
        if agg.func in ("first", "last"):
            fn = exp.Min if agg.func == "first" else exp.Max
            return jw, fn(this=case([(inside, col("_ts"))], exp.Null()))
        fn = {"sum": exp.Sum, "min": exp.Min, "max": exp.Max}[agg.func]
        return jw, fn(this=case([(inside, v)], exp.Null()))

    def sequence(self, seq: P.Seq) -> exp.Select:
        a, b = "_sa", "_sb"
        on = [exp.EQ(this=col(ROW, a), expression=col(ROW, b)), col(f"in{seq.first.index}", a),
              col(f"in{seq.second.index}", b), exp.GTE(this=col("_ts", b), expression=col("_ts", a)),
              exp.NEQ(this=col("_rid", a), expression=col("_rid", b))]
        if seq.seconds is not None:
            on.append(exp.LTE(this=col("_ts", b), expression=exp.Add(this=col("_ts", a),
                                                                       expression=lit(seq.seconds * US))))
        n = self.seqs[id(seq)][0]
        rows = exp.to_identifier("_j", quoted=True)
        if not self.ordered:
            # two events are told apart by their number among the lead's events, in the order of
            # all that the pairing reads (time, and which side each can be): each side numbers
            # its rows on its own (a dialect may compute a subquery twice), and rows alike in all
            # that are interchangeable, so whatever order they get among themselves, a pair of
            # two alike rows exists on both sides exactly when the lead has two of them
            keys = [col("_ts"), col(f"in{seq.first.index}"), col(f"in{seq.second.index}")]
            ids = exp.Window(this=exp.RowNumber(), partition_by=[col(ROW)], order=exp.Order(
                expressions=[exp.Ordered(this=k, nulls_first=True) for k in keys]))
            rows = select(star(), alias(ids, "_rid"), frm=exp.to_identifier("_j", quoted=True)).where(
                R.or_(col(f"in{seq.first.index}"), col(f"in{seq.second.index}"))).subquery()

        def side(name):
            return (rows.copy().as_(name) if isinstance(rows, exp.Subquery) else
                    exp.Table(this=rows.copy(), alias=exp.TableAlias(this=exp.to_identifier(name))))
        q = select(col(ROW, a), alias(exp.true(), f"q{n}"), frm=side(a))
        q = q.join(side(b), on=R.and_(*on), join_type="inner")
        return q.group_by(col(ROW, a))
