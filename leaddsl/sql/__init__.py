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
