"""The pieces the query is built of: SELECT and window builders, and :class:`Stages`, the
chain of common table expressions that computes each column once per row."""
from __future__ import annotations

import re

from sqlglot import exp

from .readers import lit
from .translate import alias, col

ROW = "_lr"

def select(*cols, frm=None) -> exp.Select:
    s = exp.Select(expressions=list(cols))
    return s.from_(frm) if frm is not None else s


def star(table=None):
    return exp.Column(this=exp.Star(), table=exp.to_identifier(table, quoted=True) if table else None)


def window(fn, partition, order, spec=None):
    """``fn`` over a RANGE frame of ``order`` (a window's rows never have it NULL: NULLS FIRST is
    said only so that no dialect's default needs translating, which BigQuery cannot do in a window)."""
    return exp.Window(this=fn, partition_by=[partition],
                      order=exp.Order(expressions=[exp.Ordered(this=order, nulls_first=True)]), spec=spec)


def frame(start, start_side, end, end_side):
    return exp.WindowSpec(kind="RANGE", start=start, start_side=start_side, end=end, end_side=end_side)


class Stages:
    """Columns computed once per row, in a chain of common table expressions ``name1``,
    ``name2`` ... ``name``: an expression bound goes into the first stage after those of
    the columns it reads, and every use reads its column, so a reader's parts (regular
    expression groups, the parsed number, the date arithmetic) are each written once."""

    def __init__(self, counter: list, name: str, dialect: str = ""):
        self.counter, self.name, self.dialect = counter, name, dialect
        self.level: dict[str, int] = {}
        self.items: list[list] = []
        self.groups: dict[tuple, exp.Expression] = {}

    def bind(self, x, name: str | None = None):
        if name is None and isinstance(x, (exp.Column, exp.Literal, exp.Null, exp.Boolean)):
            return x
        if name is None and self.dialect == "duckdb" and isinstance(x, exp.RegexpExtract):
            return self.group(x)
        level = 1 + max((self.level.get(c.name, 0) for c in x.find_all(exp.Column)), default=0)
        if name is None:
            name = f"_t{self.counter[0]}"
            self.counter[0] += 1
        self.level[name] = level
        while len(self.items) < level:
            self.items.append([])
        self.items[level - 1].append(alias(x, name))
        return col(name)

    def group(self, x: exp.RegexpExtract):
        """DuckDB: the groups of one pattern over one text come from one match (a STRUCT of
        every group, ``regexp_extract(s, pattern, ['g1', ...])``), not one match per group;
        the same texts as one ``regexp_extract`` per group ('' for no match, NULL for NULL)."""
        pattern, group = x.expression, x.args.get("group")
        try:
            n = re.compile(pattern.this).groups
        except re.error:
            n = 0
        if not (isinstance(pattern, exp.Literal) and isinstance(group, exp.Literal) and 1 <= int(group.this) <= n):
            return self.bind(x, f"_t{self._next()}")
        key = (x.this.sql(), pattern.this)
        if key not in self.groups:
            names = exp.Array(expressions=[lit(f"g{i}") for i in range(1, n + 1)])
            self.groups[key] = self.bind(exp.Anonymous(this="regexp_extract", expressions=[
                x.this.copy(), pattern.copy(), names]), f"_t{self._next()}")
        return exp.Anonymous(this="struct_extract", expressions=[self.groups[key].copy(), lit(f"g{group.this}")])

    def _next(self) -> int:
        self.counter[0] += 1
        return self.counter[0] - 1

    def ctes(self, first: exp.Select) -> list:
        """The stages; ``first`` is the FROM (and joins) of the first, as a SELECT of nothing."""
        out = []
        for k, items in enumerate(self.items or [[]], 1):
            name = self.name if k == max(1, len(self.items)) else f"{self.name}{k}"
            if k == 1:
                body = first.select(star(), *items, copy=False)
            else:
                body = select(star(), *items, frm=exp.to_identifier(out[-1][0], quoted=True))
            out.append((name, body))
        return out
