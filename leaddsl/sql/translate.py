"""The plan (``runtime/plan.py``) translated into ONE sqlglot query.

The query returns one row per row of the leads table: the id, a boolean column per
lead definition, ``stage``, each score, band and route, and ``error``. It is built
from sqlglot expression nodes only (every constant a literal node), and spelled per
dialect by ``.sql(dialect=...)``. Its shape, as common table expressions:

* ``_now``: the as-of time, a placeholder ``as_of`` (ISO 8601 text, bound at execution),
  read by the same datetime reader as the data;
* ``_src`` / ``_rd``: each lead row's cells as text, stripped, then read into values
  (``v<i>``), comparison keys (``k<i>``), bad flags (``b<i>``) and error messages;
* ``_ev`` / ``_evr``: the events of the types the outputs use: times in microseconds,
  properties read, bad flags; ``_j`` joins them to their lead rows (a ``where`` may read
  the lead's fields) and marks each aggregate's source (``in<s>``); ``_jw`` adds the
  sliding windows of ``any``; ``_a`` aggregates per lead row; ``_q<i>`` are sequences;
  ``_l<i>`` are the members of list fields;
* ``_x``, then ``_d1`` ... ``_dn``: the outputs, each after what it uses;
* the final SELECT nulls each output whose read units (``Plan.needs``) hold a bad
  value, and writes the error.

Three-valued logic is SQL's NULL logic: AND, OR and NOT of TRUE/FALSE/NULL are the
same tables as ``logic.and3``/``or3``/``not3``, and a comparison with NULL is NULL.
Where the two differ the translation says so: ``x IN (...)`` with a NULL among the
keys (dropped: a symbol that is no member never matches), ``IN ()`` (not SQL: written
as a CASE), division by zero (a CASE: missing), and a definition holds only when its
condition is TRUE (``COALESCE(cond, FALSE)``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp

from .. import formats as F
from .. import types as T
from ..events import MAX_US, MIN_US, US, to_us
from ..reading import NO_OPTIONS
from ..times import ISO_HINT
from ..runtime import plan as P
from ..values import member_reader  # noqa: F401  (the readers mirrored: see readers.py)
from . import readers as R
from . import times as TM
from .readers import lit, paren, case

MEMBER = (T.EnumT, T.OrdinalT)
DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "spark")
EXACT_REGEX = ("duckdb", "bigquery")   # RE2, as `matches` is


@dataclass(frozen=True)
class Tables:
    leads: str = "leads"
    events: str = "events"
    id_field: str = "id"
    lead_field: str = "lead_id"
    type_field: str = "type"
    ts_field: str = "ts"
    row_field: str | None = None   # a column that orders the leads (the output keeps that order)
    keep: tuple = ()               # leads columns copied to the output after the id, as stored
    line_field: str | None = None  # an events column with each event's line (or row) in its file, and
    events_at: str = ""            # the file and what the number counts ("e.csv line"): errors say where
    events_by_row: bool = False    # the events' lead_field holds their lead's row_field, not its id
    events_problem: str | None = None  # a leads column: why the lead's own events list cannot be read




def iso_message(cannot, s) -> exp.Expression:
    """``cannot`` (``... cannot read 'x' as datetime``) and what ``values.read_datetime`` adds of
    the stripped text ``s``: that it falls outside the years 1 to 9999 in UTC, or how to write it."""
    return case([(TM.datetime_out_of_range(s), exp.DPipe(this=cannot, expression=lit(
        " (outside the years 1 to 9999 in UTC)")))], exp.DPipe(this=cannot.copy(), expression=lit(f" ({ISO_HINT})")))


class Unsupported(Exception):
    def __init__(self, origin, message: str):
        super().__init__(message)
        self.origin, self.message = origin, message


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def table_ref(name: str) -> exp.Table:
    parts = name.split(".")
    return exp.table_(parts[-1], db=parts[-2] if len(parts) > 1 else None,
                      catalog=parts[-3] if len(parts) > 2 else None, quoted=True)


def alias(x, name: str) -> exp.Alias:
    return exp.alias_(x, name, quoted=True, copy=False)


def coalesce(x, default) -> exp.Expression:
    return exp.Coalesce(this=x, expressions=[default])


def is_true(x) -> exp.Expression:
    return coalesce(paren(x), exp.false())


def const_sql(v):
    if hasattr(v, "tzinfo"):  # a datetime constant: microseconds, as the data's times
        return lit(to_us(v))
    return lit(v)


def type_name(t: T.Type) -> str:
    if isinstance(t, T.EnumT):
        return f"enum `{t.field}`" if t.field else str(t)
    if isinstance(t, T.OrdinalT):
        return f"ordinal `{t.field}`" if t.field else str(t)
    return str(t)


BAD_VALUES = ("error", "missing")


def missing_columns(plan: P.Plan, bad_values: str = "error", id_field: str = "id", keep=()) -> dict:
    """The query's count columns of bad values read as missing: read unit -> (column, label).

    One per field or event property whose bad values are read as missing (its ``bad as
    missing``, or every one with ``bad_values="missing"``), but texts (a text is never
    bad). A slot's column is 1 when the row's value was bad, a property's how many of the
    lead's events had a bad one, as ``Result.bad_as_missing`` counts them. Named
    ``_missing_<label>`` (other characters than letters, digits and ``_`` as ``_``),
    numbered when another column (the id, a ``keep`` column, an output) has that name."""
    if bad_values not in BAD_VALUES:
        raise ValueError("bad_values must be 'error' (as each field declares) or 'missing'")
    every = bad_values == "missing"
    units = []
    for s in plan.slots:
        base = s.type.element if isinstance(s.type, T.ListT) else s.type
        if (every or s.options.bad == "missing") and base not in (T.TEXT, T.DYNAMIC, T.UNKNOWN):
            units.append((s.unit, s.label))
    for e in plan.events.values():
        for pr in e.props:
            if (every or pr.options.bad == "missing") and pr.type != T.TEXT:
                units.append((prop_unit(pr), f"{e.name}.{pr.name}"))
    used = {id_field, *keep, *plan.outputs, "stage", "error"}
    out = {}
    for unit, label in units:
        name = "_missing_" + re.sub(r"[^A-Za-z0-9_]", "_", label)
        k, candidate = 2, name
        while candidate in used:
            candidate, k = f"{name}_{k}", k + 1
        used.add(candidate)
        out[unit] = (candidate, label)
    return out


def text_units(plan: P.Plan) -> frozenset:
    """The text fields and event properties (as ``Slot.unit``: ("slot", i), ("prop", event, pos))."""
    units = {s.unit for s in plan.slots if s.type == T.TEXT}
    units.update(prop_unit(pr) for e in plan.events.values() for pr in e.props if pr.type == T.TEXT)
    return frozenset(units)


def prop_unit(prop: P.PropRead) -> tuple:
    return ("prop", prop.event, prop.pos)


def ascii_text(value) -> bool:
    """A compared constant (already folded) whose folding is ASCII, or a missing one."""
    return value is None or isinstance(value, str) and value.isascii()


def member_table(t, options) -> dict:
    """An enum's or ordinal's spellings, folded -> the member (enum) or its rank (ordinal)."""
    ordinal = isinstance(t, T.OrdinalT)
    table: dict = {}
    for i, mm in enumerate(t.members):
        for sp in (mm, *dict(options.aliases).get(mm, ())):
            table.setdefault(R.fold_const(sp), i if ordinal else mm)
    return table


class Translator:
    def __init__(self, plan: P.Plan, dialect: str = "duckdb", tables: Tables = Tables(), bad_values: str = "error",
                 exact: frozenset | None = None):
        self.p = plan
        # the text fields and properties only ever compared whole with texts whose folding is
        # ASCII (or tested for being missing): read to ``R.ascii_key``, exact for every text, no
        # error (every one by default: ``Query.text_uses`` translates the conditions so, and
        # what it finds used otherwise is in ``unsafe``; ``compile_sql`` leaves those out)
        self.exact = text_units(plan) if exact is None else exact
        self.unsafe: set = set()
        self.dialect = dialect
        self.t = tables
        if bad_values not in BAD_VALUES:
            raise ValueError("bad_values must be 'error' (as each field declares) or 'missing'")
        self.every = bad_values == "missing"   # the run reads every bad value as missing
        # unit -> (count column, label) of the bad values read as missing
        self.number_parts: dict = {}   # id(stripped cell) -> the number reader's columns, for its message
        self.zone_parts: dict = {}     # id(stripped cell) -> the zone reader's columns, for its message
        self.missed = missing_columns(plan, bad_values, tables.id_field, tables.keep)
        self.problems: list[Unsupported] = []
        self.seqs: dict[int, tuple[int, P.Seq]] = {}
        self.lists: dict[int, list] = {}           # slot index -> [(column, aggregate expression)]
        self.level: dict[int, int] = {}
        self.refs: set[int] = set()
        self.in_where = False

    # ------------------------------------------------------------ errors
    def unsupported(self, origin, message: str):
        raise Unsupported(origin, message)

    def guard(self, origin, fn, *args):
        try:
            return fn(*args)
        except Unsupported as u:
            self.problems.append(u)
            return exp.Null()

    # ---------------------------------------------------------- readers
    def read_options(self, options, origin, what: str):
        def option(kind):  # the option's own node (its span), else the declaration's
            given = getattr(getattr(origin, "decl", origin), "options", ())
            return next((o for o in given if o.kind == kind), origin) if isinstance(given, tuple) else origin
        if options.formats and self.dialect not in TM.FORMAT_DIALECTS:
            self.problems.append(Unsupported(option("format"), f"{what}: `format` is not read in {self.dialect} SQL (the "
                                                     "regular expressions that read it are not checked against "
                                                     f"{self.dialect}'s; use --dialect duckdb, postgres, bigquery or "
                                                     "spark)"))
        if options.zone and self.dialect not in TM.ZONE_DIALECTS:
            self.problems.append(Unsupported(option("zone"), f"{what}: `zone` is not read in {self.dialect} SQL yet "
                                                     "(a local time the zone skips or repeats must be a bad value; "
                                                     "use --dialect duckdb, postgres or spark)"))

    def zoned_us(self, s, options, bind):
        """``values.datetime_reader`` with a zone: the wall time the text names (in the first
        format it is written in, else ISO 8601), a time of the zone unless the text names its
        offset; a wall time the zone skips or repeats is NULL (its message says which)."""
        zone = F.get_zone(options.zone)
        key = "UTC" if zone is F.UTC else zone.key
        pairs = [(*TM.formatted_us(s, f, bind), "z" in TM.format_regex(f)[1]) for f in options.formats]
        iso = TM.datetime_us(s, bind, self.dialect)
        wall = bind(R.case([(m, v) for m, v, _ in pairs], iso) if pairs else iso)
        if key == "UTC":  # no clock changes: a zone-less time is UTC, as without the zone
            return wall
        named = TM.iso_has_offset(s)
        aware = bind(R.case([(m.copy(), lit(z)) for m, _, z in pairs], named) if pairs else named)
        instant, skipped, repeated = TM.localize_us(wall, key, self.dialect, bind)
        naive = exp.Not(this=aware)
        self.zone_parts[id(s)] = (wall, bind(R.and_(naive, skipped)), bind(R.and_(naive.copy(), repeated)), key)
        value = bind(case([(aware.copy(), wall.copy())], instant))
        return case([(exp.Between(this=value, low=lit(MIN_US), high=lit(MAX_US)), value.copy())], exp.Null())

    def lenient(self, options) -> bool:
        """Whether a bad value of a field or property with these options is read as missing."""
        return self.every or options.bad == "missing"

    def read(self, t: T.Type, s, options, origin, what: str, bind=R.same, exact: bool = False):
        """(value, erring test, read-as-missing test or None) of a stripped cell ``s``: the
        reader's value and bad test, the bad test split by the policy. A value SQL cannot read
        as Python does (a text or member needing Unicode folding beyond ``LOWER``) errs
        whatever the policy: read as missing, it could differ from what Python reads."""
        value, bad = self.reader(t, s, options, origin, what, bind, exact)
        if not self.lenient(options):
            return value, bad, None
        if t == T.TEXT:  # its only bad test is that it cannot be folded in SQL
            return value, bad, exp.false()
        if isinstance(t, MEMBER) and not self.ascii_members(t, options):
            unexact = bind(R.unfoldable(s, self.dialect))
            return value, paren(R.and_(paren(bad), unexact)), paren(R.and_(paren(bad), exp.Not(this=unexact)))
        return value, exp.false(), bad

    @staticmethod
    def ascii_members(t, options, table=None) -> bool:
        """Every spelling of the enum's or ordinal's members folds to ASCII: read exactly by ``R.ascii_key``."""
        return all(k.isascii() for k in (member_table(t, options) if table is None else table))

    def note_use(self, x, safe: bool) -> None:
        """A text field's or property's value (``x``: its Read or Prop) used here: in ``unsafe``
        unless the use is ``safe`` (see ``val``)."""
        if not safe:
            self.unsafe.add(x.slot.unit if isinstance(x, P.Read) else prop_unit(x.prop))

    def reader(self, t: T.Type, s, options, origin, what: str, bind=R.same, exact: bool = False):
        """(value, bad-value test) of a stripped cell ``s``: value NULL when missing or bad.
        ``bind`` names each intermediate part once (see ``query.Stages``). ``exact``: a text
        read only for ``R.ascii_key`` (and missing tests): kept as stripped, never bad."""
        self.read_options(options, origin, what)
        m = bind(R.missing(s, options.missing))
        if t == T.NUMBER:
            parts = self.number_parts.setdefault(id(s), {})
            v = bind(R.number(s, bind, options.currency, parts))
        elif t == T.TEXT:
            v = s if exact else bind(R.clean(s, self.dialect))
        elif t == T.BOOL:
            v = R.boolean(s)
        elif t == T.DATETIME and options.zone and self.dialect in TM.ZONE_DIALECTS:
            v = bind(self.zoned_us(s, options, bind))
        elif t == T.DATETIME:
            v = bind(TM.datetime_formats_us(s, options.formats, bind, self.dialect) if options.formats
                     else TM.datetime_us(s, bind, self.dialect))
        elif t == T.DATE:
            if options.formats:
                v = bind(exp.Mul(this=R.idiv(bind(TM.datetime_formats_us(s, options.formats, bind, self.dialect)),
                                             lit(R.DAY_US)), expression=lit(R.DAY_US)))
            else:
                v = bind(TM.date_us(s, bind, self.dialect))
        elif isinstance(t, MEMBER):
            table = member_table(t, options)
            key = R.ascii_key(s, self.dialect) if self.ascii_members(t, options, table) else \
                R.fold(R.clean(s, self.dialect))
            # a member before a missing marker (as member_reader looks members up first)
            v = bind(R.member(bind(key), table))
            value = case([(exp.Not(this=exp.Is(this=v, expression=exp.Null())), v), (m, exp.Null())], v)
            bad = R.and_(exp.Not(this=m), exp.Is(this=v, expression=exp.Null()))
            return value, R.and_(exp.Not(this=exp.Is(this=s, expression=exp.Null())), paren(bad))
        else:
            self.unsupported(origin, f"{what}: values of type {t} cannot be read in SQL")
        value = case([(m, exp.Null())], v)
        bad = R.and_(exp.Not(this=m), exp.Is(this=v, expression=exp.Null()))
        if t == T.TEXT:
            bad = exp.false() if exact else R.and_(exp.Not(this=m), R.unfoldable(s, self.dialect))
        return value, paren(bad)

    def message(self, label, raw, t: T.Type, s, options=None):
        """The error of a bad value: ``label: `` and what ``values.py`` says of ``raw``."""
        quoted = exp.DPipe(this=exp.DPipe(this=lit(label + ": cannot read "), expression=R.quoted(raw)),
                           expression=lit(" as " + type_name(t)))
        if t == T.TEXT:
            return exp.DPipe(this=exp.DPipe(this=lit(label + ": "), expression=R.quoted(raw)),
                             expression=lit(" needs Unicode case folding or normalisation that "
                                            f"{self.dialect} cannot do exactly as Python"))
        if t == T.NUMBER:
            parts = self.number_parts.get(id(s)) if s is not None else None
            return exp.DPipe(this=lit(label + ": "), expression=R.number_message(
                raw, getattr(options, "currency", None), parts or None))
        detail = " (use true/false, yes/no or 1/0)" if t == T.BOOL else ""
        zoned = t == T.DATETIME and bool(getattr(options, "zone", None)) and self.dialect in TM.ZONE_DIALECTS
        if t in (T.DATETIME, T.DATE) and getattr(options, "formats", ()) or zoned:
            return self.formats_message(label, raw, t, options.formats, s, zoned=zoned)
        if isinstance(t, MEMBER):
            detail = " (expected one of " + ", ".join(t.members) + ")"
            if self.ascii_members(t, options or NO_OPTIONS):
                return exp.DPipe(this=quoted, expression=lit(detail))
            folding = self.message(label, raw, T.TEXT, s)
            return case([(R.unfoldable(raw, self.dialect), folding)], exp.DPipe(this=quoted, expression=lit(detail)))
        if t in (T.DATETIME, T.DATE):
            return iso_message(quoted, R.strip(raw) if s is None else s.copy())
        return exp.DPipe(this=quoted, expression=lit(detail)) if detail else quoted

    def formats_message(self, label, raw, t: T.Type, formats, stripped=None, zoned: bool = False):
        """What ``values.datetime_reader`` says of a bad value of a field with ``format`` or
        ``zone`` (``stripped``: the reader's column of the stripped cell, else stripped here)."""
        s = R.strip(raw) if stripped is None else stripped

        def cannot(text, detail):
            if isinstance(detail, str):
                detail = lit(detail)
            return exp.DPipe(this=exp.DPipe(this=exp.DPipe(this=lit(f"{label}: cannot read "), expression=R.quoted(
                text)), expression=lit(f" as {t} (")), expression=exp.DPipe(this=detail, expression=lit(")")))
        pairs = []
        parts = self.zone_parts.get(id(stripped)) if zoned else None
        if parts is not None:  # a wall time the zone skips or repeats (as formats.localize says)
            wall, skipped, repeated, key = parts
            pairs += [(repeated, cannot(raw, exp.DPipe(this=TM.wall_text(wall, self.dialect), expression=lit(
                          f" happens twice in {key}: the clocks go back")))),
                      (skipped, cannot(raw, exp.DPipe(this=TM.wall_text(wall.copy(), self.dialect), expression=lit(
                          f" does not exist in {key}: the clocks go forward"))))]
        for f in formats:
            matched, real = TM.formatted_us(s.copy(), f, real=True)
            pairs.append((matched, case([(real, cannot(raw, "outside the years 1 to 9999 in UTC"))],
                                        cannot(raw, f"not a real date or time in the format {f}"))))
        if not zoned:  # (a date alone is read as ISO 8601 by itself, unless a zone makes it local)
            pairs.append((exp.EQ(this=exp.Length(this=s.copy()), expression=lit(10)),
                          cannot(s.copy(), ISO_HINT)))
        pairs.append((TM.datetime_out_of_range(s.copy()), cannot(raw, "outside the years 1 to 9999 in UTC")))
        return case(pairs, cannot(raw, "expected " + " or ".join([*formats, "ISO 8601"])))

    # ----------------------------------------------------------- values
    def val(self, x, safe: bool = False) -> exp.Expression:
        """The SQL of a value. ``safe``: this use of a text needs no folding beyond
        ``R.ascii_key`` (a key compared whole with ASCII texts, a value tested for being
        missing); any other use of a text field or property is noted in ``unsafe``."""
        if isinstance(x, P.Const):
            return const_sql(x.value)
        if isinstance(x, (P.Read, P.Prop)):
            self.note_use(x, safe)
        if isinstance(x, P.Read):
            s = x.slot
            if isinstance(s.type, T.ListT):
                self.unsupported(x.origin, f"`{s.label}` is a list: SQL reads lists in `has`, `is empty` and "
                                           "`is missing` only")
            if s.type == T.DYNAMIC:
                self.unsupported(x.origin, f"`{s.label}` is read schemaless here; declare it with `field` for SQL")
            return col(f"v{s.index}")
        if isinstance(x, P.Prop):
            e = self.p.events[x.prop.event]
            return col(f"pv{e.index}_{x.prop.pos}")
        if isinstance(x, P.Key):
            if x.how == "fold":
                inner = x.x
                if isinstance(inner, P.Read) and inner.slot.type == T.TEXT:
                    self.note_use(inner, safe)
                    return col(f"k{inner.slot.index}")
                if isinstance(inner, P.Prop) and inner.prop.type == T.TEXT:  # (its key, beside its value)
                    self.note_use(inner, safe)
                    return col(f"pk{self.p.events[inner.prop.event].index}_{inner.prop.pos}")
                return R.fold(self.val(inner))
            if x.how == "name":
                inner = self.val(x.x)
                return case([(exp.EQ(this=inner, expression=lit(i)), lit(R.fold_const(m)))
                             for i, m in enumerate(x.members)], exp.Null())
            self.unsupported(x.origin, "comparing two schemaless values is not supported in SQL")
        if isinstance(x, P.Arith):
            a, b = self.val(x.left), self.val(x.right)
            if x.op == "/":
                dbl = exp.DataType.build("double")
                return case([(exp.EQ(this=b, expression=lit(0)), exp.Null())],
                            exp.Div(this=exp.Cast(this=a, to=dbl), expression=exp.Cast(this=b, to=dbl)))
            cls = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}[x.op]
            return paren(cls(this=a, expression=b))
        if isinstance(x, P.Neg):
            return exp.Neg(this=paren(self.val(x.x)))
        if isinstance(x, P.Agg):
            if self.in_where:
                self.unsupported(x.origin, "an aggregate inside `where`")
            return col(f"m{x.index}")
        if isinstance(x, P.LetUse):
            return self.cond(x.let.body) if isinstance(x.let.body, P.CONDITIONS) else self.val(x.let.body)
        if isinstance(x, P.LeadUse):
            self.refs.add(id(x.lead))
            return col(self.out_col(x.lead))
        if isinstance(x, P.OutputUse):
            self.refs.add(id(x.item))
            return col(self.out_col(x.item))
        if isinstance(x, P.DynCmp):
            self.unsupported(x.origin, "comparing two schemaless values is not supported in SQL")
        return self.cond(x)

    @staticmethod
    def out_col(item) -> str:
        # output columns apart from the reading columns, whatever case a dialect folds names to
        return {P.Score: "o_score", P.Band: "o_band", P.Route: "o_route", P.Lead: "o_lead"}[item.__class__] + \
            str(item.index)

    # ------------------------------------------------------- conditions
    def cond(self, x) -> exp.Expression:
        if isinstance(x, P.And):
            return paren(R.and_(*[self.cond(i) for i in x.items]))
        if isinstance(x, P.Or):
            return paren(R.or_(*[self.cond(i) for i in x.items]))
        if isinstance(x, P.Not):
            return exp.Not(this=paren(self.cond(x.x)))
        if isinstance(x, P.Const):
            return lit(x.value) if x.value in (True, False) else exp.Cast(this=exp.Null(),
                                                                          to=exp.DataType.build("boolean"))
        if isinstance(x, P.LeadUse):
            return self.val(x)
        if isinstance(x, P.LetUse):
            return self.cond(x.let.body) if isinstance(x.let.body, (*P.CONDITIONS, P.Const)) else self.val(x.let.body)
        if isinstance(x, P.Truth):
            return self.val(x.x)
        if isinstance(x, P.Cmp):
            ops = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}

            def whole(other):  # equality with an ASCII text: decided by ascii_key
                return x.op in ("=", "!=") and isinstance(other, P.Const) and ascii_text(other.value)
            a, b = self.val(x.left, whole(x.right)), self.val(x.right, whole(x.left))
            if isinstance(x.left, P.Const) and x.left.value is None or isinstance(x.right, P.Const) and \
                    x.right.value is None:
                return exp.Cast(this=exp.Null(), to=exp.DataType.build("boolean"))
            return paren(ops[x.op](this=a, expression=b))
        if isinstance(x, P.In):
            v = self.val(x.x, all(ascii_text(k) for k in x.keys))
            keys = sorted((k for k in x.keys if k is not None), key=repr)
            if not keys:  # `x in {}`: false (true for not in), unknown when x is missing
                return case([(exp.Is(this=v, expression=exp.Null()), exp.Null())], lit(bool(x.negated)))
            inside = exp.In(this=v, expressions=[const_sql(k) for k in keys])
            return paren(exp.Not(this=inside) if x.negated else inside)
        if isinstance(x, P.Missing):
            inner = x.x
            if isinstance(inner, P.Read) and isinstance(inner.slot.type, T.ListT):
                test = exp.EQ(this=self.list_count(inner.slot), expression=lit(0))
            else:
                test = exp.Is(this=self.val(inner, safe=True), expression=exp.Null())
            return paren(exp.Not(this=test) if x.negated else test)
        if isinstance(x, P.TextOp):
            v, pat = self.val(x.x), self.val(x.pattern)
            if x.op == "contains":
                return paren(exp.GT(this=exp.StrPosition(this=v, substr=pat), expression=lit(0)))
            n = exp.Length(this=pat)
            side = exp.Left if x.op == "starts with" else exp.Right
            return paren(exp.EQ(this=side(this=v, expression=n), expression=pat))
        if isinstance(x, P.Match):
            if x.regex is None:
                return exp.false()
            if self.dialect not in EXACT_REGEX:
                self.unsupported(x.origin, f"`matches` uses RE2; {self.dialect}'s regular expressions differ "
                                           "(use --dialect duckdb or bigquery)")
            return R.regex_like(self.val(x.x), "(?i)" + x.regex.pattern)
        if isinstance(x, P.Has):
            return self.has(x)
        if isinstance(x, P.Within):
            v = self.val(x.x)
            now = col("_now")
            return paren(R.and_(exp.LT(this=exp.Sub(this=now, expression=lit(x.seconds * US)), expression=v),
                                  exp.LTE(this=v, expression=now)))
        if isinstance(x, P.Seq):
            if self.in_where:
                self.unsupported(x.origin, "a sequence inside `where`")
            key = id(x)
            if key not in self.seqs:
                self.seqs[key] = (len(self.seqs), x)
            return col(f"q{self.seqs[key][0]}")
        if isinstance(x, P.DynCmp):
            self.unsupported(x.origin, "comparing two schemaless values is not supported in SQL")
        self.unsupported(getattr(x, "origin", None), "this condition is not supported in SQL")

    # ------------------------------------------------------------ lists
    def list_count(self, slot) -> exp.Expression:
        return self.list_column(slot, "n", exp.Count(this=col("_k")), lit(0))

    def list_column(self, slot, tag: str, agg, default):
        cols = self.lists.setdefault(slot.index, [])
        name = f"l{slot.index}_{tag}{len(cols)}"
        cols.append((name, agg, default))
        return col(name)

    def has(self, x: P.Has):
        if self.in_where:
            self.unsupported(x.origin, "a list inside `where`")
        if not (isinstance(x.x, P.Read) and isinstance(x.x.slot.type, T.ListT)):
            self.unsupported(x.origin, "`has` on a value that is not a list field")
        slot = x.x.slot
        self.lists.setdefault(slot.index, [])  # its bad elements err the row even when the answer is known
        k = col("_k")
        if x.mode == "one":
            if not isinstance(x.item, P.Const) and not (isinstance(x.item, P.Key) and isinstance(x.item.x, P.Const)):
                self.unsupported(x.origin, "`has` with a value that is not a constant")
            item = x.item.value if isinstance(x.item, P.Const) else x.item.x.value
            if item is None:
                return exp.Cast(this=exp.Null(), to=exp.DataType.build("boolean"))
            return self.list_column(slot, "h", exp.Max(this=case([(exp.EQ(this=k, expression=const_sql(item)),
                                                                    lit(1))], lit(0))), lit(0)).eq(lit(1))
        keys = sorted((key for key in x.item if key is not None), key=repr)
        if x.mode == "any":
            if not keys:
                return exp.false()
            hit = exp.Max(this=case([(exp.In(this=k, expressions=[const_sql(key) for key in keys]), lit(1))], lit(0)))
            return self.list_column(slot, "h", hit, lit(0)).eq(lit(1))
        if not x.item:
            return exp.true()
        if len(keys) < len(x.item):
            return exp.false()
        hits = exp.Count(this=exp.Distinct(expressions=[case([(exp.In(this=k, expressions=[const_sql(key) for key in keys]),
                                                                k)], exp.Null())]))
        return self.list_column(slot, "h", hits, lit(0)).eq(lit(len(keys)))


def to_text_col(name: str) -> exp.Expression:
    return R.to_text(col(name))
