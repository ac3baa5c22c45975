"""The SQL wing: the plan as one sqlglot query, spelled per dialect.

``compile_sql(plan, dialect, tables)`` returns the sqlglot expression and the
diagnostics of what the dialect cannot express (code E501, with the span of the
construct): a query is produced only when there are none, so SQL is never wrong
in silence. ``leaddsl sql`` and ``Program.to_sql`` use it; ``leaddsl eval --engine
duckdb`` runs it (``duck.py``).
"""
from __future__ import annotations

from .translate import DIALECTS, Tables

__all__ = ["DIALECTS", "Tables", "compile_sql"]


def compile_sql(plan, dialect: str = "duckdb", tables: Tables | None = None):
    """(sqlglot expression or None, [(origin AST node or None, message)])."""
    from .query import Query
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: choose one of {', '.join(DIALECTS)}")
    q = Query(plan, dialect, tables or Tables())
    expression, problems = q.build()
    return (None if problems else expression), [(u.origin, u.message) for u in problems]


def to_sql(program, dialect: str = "duckdb", *, leads: str = "leads", events: str = "events", id_field: str = "id",
           lead_field: str = "lead_id", type_field: str = "type", ts_field: str = "ts",
           row_field: str | None = None, keep: tuple = (), line_field: str | None = None, events_at: str = "",
           pretty: bool = False) -> str:
    """The program's outputs as one query in ``dialect``; its parameter ``as_of`` (ISO 8601
    text) is bound at execution. Raises DslError (E501, with spans) for what the dialect
    cannot express."""
    expression = to_expression(program, dialect, leads=leads, events=events, id_field=id_field,
                               lead_field=lead_field, type_field=type_field, ts_field=ts_field, row_field=row_field,
                               keep=tuple(keep), line_field=line_field, events_at=events_at)
    return expression.sql(dialect=dialect, pretty=pretty, copy=False)


def to_expression(program, dialect: str = "duckdb", **tables):
    from ..diagnostics import Diagnostics, DslError
    from ..source import Span
    expression, problems = compile_sql(program.plan, dialect, Tables(**tables))
    if problems:
        diags = Diagnostics()
        fallback = Span(next(iter(program.sources), "<string>"), 1, 1, 1, 2)
        seen = set()
        for origin, message in problems:
            span = getattr(origin, "span", None) or fallback
            key = (span.file, span.line, span.column, message)
            if key in seen:
                continue
            seen.add(key)
            diags.add("E501", span, f"{dialect} cannot run this as the Python evaluator does: {message}",
                      hint="evaluate these definitions with the Python engine, or rewrite the construct")
        raise DslError(diags, program.sources)
    return expression
