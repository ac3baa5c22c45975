"""The SQL wing: the plan as one sqlglot query, spelled per dialect.

``compile_sql(plan, dialect, tables)`` returns the sqlglot expression and the
diagnostics of what the dialect cannot express (code E501, with the span of the
construct): a query is produced only when there are none, so SQL is never wrong
in silence. ``leaddsl sql`` and ``Program.to_sql`` use it; ``leaddsl eval --engine
duckdb`` runs it (``duck.py``).
"""
from __future__ import annotations

from ..stack import deep
from .translate import DIALECTS, Tables, missing_columns, text_units

__all__ = ["DIALECTS", "Tables", "compile_sql", "missing_columns"]


def compile_sql(plan, dialect: str = "duckdb", tables: Tables | None = None, bad_values: str = "error"):
    """(sqlglot expression or None, [(origin AST node or None, message)]). ``bad_values``:
    "error" (each field's own policy) or "missing" (every bad value read as missing)."""
    from .query import Query
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: choose one of {', '.join(DIALECTS)}")
    tables = tables or Tables()
    # the text fields and properties every use of which ascii_key decides (the conditions
    # translated alone say which), then the query; a use found only then is built again
    exact = text_units(plan) - Query(plan, dialect, tables, bad_values).text_uses()
    q = Query(plan, dialect, tables, bad_values, exact=exact)
    expression, problems = q.build()
    if q.exact & q.unsafe:
        q = Query(plan, dialect, tables, bad_values, exact=q.exact - q.unsafe)
        expression, problems = q.build()
    if dialect == "postgres" and not problems:
        from .postgres import adapt
        expression = adapt(expression)
    return (None if problems else expression), [(u.origin, u.message) for u in problems]


def to_sql(program, dialect: str = "duckdb", *, leads: str = "leads", events: str = "events", id_field: str = "id",
           lead_field: str = "lead_id", type_field: str = "type", ts_field: str = "ts",
           row_field: str | None = None, keep: tuple = (), line_field: str | None = None, events_at: str = "",
           events_by_row: bool = False, events_problem: str | None = None, pretty: bool = False,
           bad_values: str = "error") -> str:
    """The program's outputs as one query in ``dialect``; its parameter ``as_of`` (ISO 8601
    text) is bound at execution. Raises DslError (E501, with spans) for what the dialect
    cannot express. ``bad_values="missing"`` reads every bad value as missing, as
    ``Program.evaluate`` does; the bad values read as missing are counted in a column per
    field or property after ``error`` (:func:`missing_columns` names them). ValueError when
    ``id_field`` is named like an output column (the query would have two columns of that name)."""
    from ..runtime.program import output_column
    if output_column(program, id_field):
        raise ValueError(f"the id column `{id_field}` is also the name of an output column; the query's id column is "
                         "named as the leads table's, so rename the definition or choose another id column")

    def write():  # (translating and writing both recurse by the depth of the definitions)
        expression = to_expression(program, dialect, leads=leads, events=events, id_field=id_field,
                                   lead_field=lead_field, type_field=type_field, ts_field=ts_field,
                                   row_field=row_field, keep=tuple(keep), line_field=line_field, events_at=events_at,
                                   events_by_row=events_by_row, events_problem=events_problem, bad_values=bad_values)
        return expression.sql(dialect=dialect, pretty=pretty, copy=False)
    try:
        return deep(write)
    except RecursionError:
        from ..diagnostics import Diagnostics, DslError
        from ..source import Span
        diags = Diagnostics()
        diags.add("E501", Span(next(iter(program.sources), "<string>"), 1, 1, 1, 2),
                  f"{dialect}: the query is nested too deeply for the SQL writer",
                  hint="split the deepest conditions into named `let` conditions, or use the Python engine")
        raise DslError(diags, program.sources) from None


def to_expression(program, dialect: str = "duckdb", bad_values: str = "error", **tables):
    from ..diagnostics import Diagnostics, DslError
    from ..source import Span
    expression, problems = compile_sql(program.plan, dialect, Tables(**tables), bad_values)
    if problems:
        diags = Diagnostics()
        fallback = Span(next(iter(program.sources), "<string>"), 1, 1, 1, 2)
        seen = set()
        # a problem with no place of its own (a schemaless key's reading) is told where it is used,
        # when a problem there names the same key
        placed = {m.split("`")[1] for o, m in problems if getattr(o, "span", None) is not None and m.count("`") >= 2}
        for origin, message in problems:
            if getattr(origin, "span", None) is None and message.count("`") >= 2 and message.split("`")[1] in placed:
                continue
            span = getattr(origin, "span", None) or fallback
            key = (span.file, span.line, span.column, message)
            if key in seen:
                continue
            seen.add(key)
            diags.add("E501", span, f"{dialect} cannot run this as the Python evaluator does: {message}",
                      hint="evaluate these definitions with the Python engine, or rewrite the construct")
        raise DslError(diags, program.sources)
    return expression
