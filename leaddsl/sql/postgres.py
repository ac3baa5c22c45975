"""The query as PostgreSQL runs it (13 or later, built with ICU; tested on 15), through a pyformat driver (psycopg).

The query is built once for every dialect (``query.py``); sqlglot spells most of it for
PostgreSQL, but a few functions the builders use have no PostgreSQL twin, and sqlglot
writes them under their DuckDB names or with a meaning PostgreSQL does not have. ``adapt``
rewrites those nodes of the tree, each into expressions PostgreSQL has, with the meaning
the readers (``readers.py``) rely on:

* ``REGEXP_EXTRACT(x, p, g)`` (the text of group ``g``; ``''`` when there is no match or
  the group took no part) is ``COALESCE(m[g], '')`` where ``m`` is ``REGEXP_MATCH(x, p)``,
  computed once per row for all the groups a stage extracts (a lateral join);
* ``TRY_CAST`` (NULL for what the type cannot hold) is a CASE around ``CAST``, since
  PostgreSQL's ``CAST`` fails the whole query on one bad cell: to BIGINT only when the
  text is an integer of at most 18 digits; to DOUBLE only when the number (a mantissa and
  an exponent, as ``readers.number`` assembles it) is within ``values.read_number``'s
  range, through NUMERIC: beyond about 1.8e308 it is NULL (a bad value, as in Python),
  below the smallest double's half it is 0 (as ``float(Decimal)``);
* ``ARG_MIN(v, k)`` is the first of ``ARRAY_AGG(v ORDER BY k)`` over the rows with ``k`` and ``v``;
* ``COUNT(DISTINCT ...)`` over a RANGE window (``days(any ...)``) is a correlated subquery
  over the frame's rows;
* ``LOWER(x)`` is ``LOWER(x COLLATE "und-x-icu")``: PostgreSQL lowers by the database's
  LC_CTYPE, and under ``C`` it leaves every letter beyond ASCII as it is (a silent
  mismatch with Python); ICU's root locale maps as Unicode does, except that it writes a
  final capital sigma ``ς``, so a text holding ``Σ`` is unfoldable in postgres (an error
  for its field, see ``readers.unfoldable``). PostgreSQL must be built with ICU (Debian's,
  the official images' and the cloud services' are);
* ``SPLIT`` is ``STRING_TO_ARRAY``, ``%`` (modulo) is ``MOD``;
* every common table expression is ``MATERIALIZED``: PostgreSQL would otherwise inline a
  stage into the next and write each column computed once (``query.Stages``) at every
  use again (the acme sample took 30 s instead of 0.2 s);
* the parameter is ``%(as_of)s`` (pyformat, psycopg's spelling), so every other ``%`` of
  the text (in a definition's texts and names) is doubled, as a pyformat driver reads
  ``%%`` as ``%``: a definition text holding ``%`` can neither fail the query nor become
  a placeholder.
"""
from __future__ import annotations

from decimal import Decimal
import sys

from sqlglot import exp

from .readers import and_, case, lit, regex_like

ICU_ROOT = "und-x-icu"   # ICU's root locale: Unicode's own lower case mapping
_INT_RE = r"^[+-]?0*[0-9]{1,18}$"
# the mantissa and exponent readers.number assembles: digits[.digits]e[-]digits
_NUM_RE = r"^[0-9]+(\.[0-9]+)?e[+-]?0*[0-9]{1,18}$"
_DEC_MAX = Decimal(sys.float_info.max)                 # values.read_number: larger is too large
_HALF_TINY = Decimal(2) ** -1075                       # at most this, float() rounds to 0.0


def _func(name, *args):
    return exp.Anonymous(this=name, expressions=list(args))


def _int_of(x):
    return exp.Cast(this=x, to=exp.DataType.build("bigint"))


def _safe_bigint(x):
    return case([(regex_like(x, _INT_RE), _int_of(x.copy()))], exp.Null())


def _safe_double(x):
    """The number written ``x`` (``m e n``) as DOUBLE PRECISION, NULL beyond read_number's
    range, without a cast that can fail: the decimal exponent of the first significant
    digit is worked out from the text first, NUMERIC compares the value with the limits
    only where that exponent is near them (NUMERIC reads exponents up to 1000 only)."""
    mant = _func("SPLIT_PART", x, lit("e"), lit(1))
    power = _int_of(_func("SPLIT_PART", x.copy(), lit("e"), lit(2)))
    whole = _func("LTRIM", _func("SPLIT_PART", mant, lit("."), lit(1)), lit("0"))
    frac = _func("SPLIT_PART", mant.copy(), lit("."), lit(2))
    zeros = exp.Sub(this=exp.Length(this=frac), expression=exp.Length(this=_func("LTRIM", frac.copy(), lit("0"))))
    lead = case([(exp.NEQ(this=whole, expression=lit("")), exp.Length(this=whole.copy()))], exp.Neg(this=exp.Paren(this=zeros)))
    magnitude = exp.Paren(this=exp.Add(this=exp.Paren(this=lead), expression=power))
    num = exp.Cast(this=x.copy(), to=exp.DataType.build("numeric"))
    dbl = exp.DataType.build("double")
    inside = case([(exp.GT(this=num, expression=exp.Cast(this=lit(str(_DEC_MAX)), to=exp.DataType.build("numeric"))),
                    exp.Null()),
                   (exp.LTE(this=num.copy(), expression=exp.Cast(this=lit(format(_HALF_TINY, "f")),
                                                                 to=exp.DataType.build("numeric"))),
                    exp.Cast(this=lit(0), to=dbl))],
                  exp.Cast(this=x.copy(), to=dbl))
    return case([(exp.Not(this=regex_like(x.copy(), _NUM_RE)), exp.Null()),
                 (exp.GT(this=magnitude, expression=lit(310)), exp.Null()),
                 (exp.LT(this=magnitude.copy(), expression=lit(-330)), exp.Cast(this=lit(0), to=dbl))],
                inside)


def _arg_min(node: exp.ArgMin):
    value, key = node.this, node.expression
    agg = exp.ArrayAgg(this=exp.Order(this=value, expressions=[exp.Ordered(this=key)]))
    kept = exp.Filter(this=agg, expression=exp.Where(this=and_(
        exp.Not(this=exp.Paren(this=exp.Is(this=exp.Paren(this=key.copy()), expression=exp.Null()))),
        exp.Not(this=exp.Paren(this=exp.Is(this=exp.Paren(this=value.copy()), expression=exp.Null()))))))
    # offset=1: the index is PostgreSQL's own (1-based); sqlglot would shift a 0-based one
    return exp.Bracket(this=exp.Paren(this=kept), expressions=[lit(1)], offset=1)


def _share_matches(select: exp.Select, counter: list) -> None:
    """The groups a SELECT extracts from one text with one pattern come from one
    ``REGEXP_MATCH`` (all groups, NULL for those that took no part) in a lateral join: a
    match with groups costs PostgreSQL as much as each group extracted alone. (``OFFSET 0``
    keeps PostgreSQL from pulling the subquery up, which would write the match at every use.)"""
    names: dict = {}
    for node in list(select.find_all(exp.RegexpExtract)):
        if node.parent_select is not select:
            continue
        key = (node.this.sql("postgres"), node.expression.this)
        if key not in names:
            names[key] = f"_rm{counter[0]}"
            counter[0] += 1
            inner = exp.Select(expressions=[exp.alias_(_func("REGEXP_MATCH", node.this.copy(), node.expression.copy()),
                                                       names[key], quoted=True)]).offset(0)
            lateral = exp.Lateral(this=exp.Subquery(this=inner),
                                  alias=exp.TableAlias(this=exp.to_identifier(names[key] + "t", quoted=True)))
            select.append("joins", exp.Join(this=lateral, kind="CROSS"))
        group = exp.Bracket(this=exp.Paren(this=exp.column(names[key], quoted=True)),
                            expressions=[node.args["group"]], offset=1)
        node.replace(exp.Coalesce(this=group, expressions=[lit("")]))


def _bound(spec, which: str, here):
    """The frame bound ``which`` (start or end) of a RANGE frame as a value of ``here``'s order."""
    value, side = spec.args.get(which), spec.args.get(f"{which}_side")
    if value == "CURRENT ROW" or (isinstance(value, str) and value.upper() == "CURRENT ROW"):
        return here
    cls = exp.Sub if side == "PRECEDING" else exp.Add
    return exp.Paren(this=cls(this=here, expression=value.copy()))


def _distinct_window(node: exp.Window):
    """``COUNT(DISTINCT v) OVER (PARTITION BY p ORDER BY o RANGE BETWEEN a AND b)`` (PostgreSQL has
    no DISTINCT in window functions) as the same count in a correlated subquery over the
    rows of the frame: those of the partition whose ``o`` lies between the bounds."""
    select = node.parent_select
    source = select.args["from_"].this
    outer = source.alias_or_name
    part, order = node.args["partition_by"][0], node.args["order"].expressions[0].this
    spec = node.args["spec"]
    inner_t = exp.Table(this=exp.to_identifier(source.name, quoted=True),
                        alias=exp.TableAlias(this=exp.to_identifier("_f", quoted=True)))
    here = exp.column(order.name, table=outer, quoted=True)
    where = and_(exp.EQ(this=exp.column(part.name, table="_f", quoted=True),
                        expression=exp.column(part.name, table=outer, quoted=True)),
                 exp.GTE(this=exp.column(order.name, table="_f", quoted=True), expression=_bound(spec, "start", here)),
                 exp.LTE(this=exp.column(order.name, table="_f", quoted=True),
                         expression=_bound(spec, "end", here.copy())))
    # the counted expression's columns are unqualified: inside, they are the frame row's
    return exp.Subquery(this=exp.Select(expressions=[node.this]).from_(inner_t).where(where))


def _rewrite(node):
    if isinstance(node, exp.Window) and isinstance(node.this, exp.Count) and isinstance(node.this.this, exp.Distinct):
        return _distinct_window(node)
    if isinstance(node, exp.TryCast):
        if node.to.is_type("bigint"):
            return _safe_bigint(node.this)
        if node.to.is_type("double"):
            return _safe_double(node.this)
        raise AssertionError(f"no PostgreSQL spelling for TRY_CAST to {node.to.sql()}")  # pragma: no cover
    if isinstance(node, exp.ArgMin):
        return _arg_min(node)
    if isinstance(node, exp.Split):
        return _func("STRING_TO_ARRAY", node.this, node.expression)
    if isinstance(node, exp.Mod):
        return _func("MOD", node.this, node.expression)
    if isinstance(node, exp.Lower) and not isinstance(node.this, exp.Collate):
        # the same folding whatever the database's LC_CTYPE (under "C", LOWER('É') is 'É')
        node.set("this", exp.Collate(this=node.this, expression=exp.to_identifier(ICU_ROOT, quoted=True)))
        return node
    if isinstance(node, exp.CTE):
        node.set("materialized", True)
        return node
    if isinstance(node, exp.Literal) and node.is_string and "%" in node.this:
        return exp.Literal.string(node.this.replace("%", "%%"))
    if isinstance(node, exp.Identifier) and "%" in node.this:
        return exp.Identifier(this=node.this.replace("%", "%%"), quoted=True)
    return node


def adapt(tree: exp.Expression) -> exp.Expression:
    """The query tree with the nodes above rewritten for PostgreSQL, in place (children
    before their parents, so a rewritten node holds rewritten children)."""
    counter = [0]
    for select in list(tree.find_all(exp.Select)):
        _share_matches(select, counter)
    for node in reversed(list(tree.walk())):
        new = _rewrite(node)
        if new is not node:
            node.replace(new)
    return tree
