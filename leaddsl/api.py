"""The pipeline façade: text or file → checked, compiled :class:`Program`."""
from __future__ import annotations

import os

from .diagnostics import Diagnostics, DslError
from .front import gc_paused
from .front.check import check
from .front.loader import Loaded, compile_text, load_file
from .front.resolve import resolve
from .runtime.program import Program
from .stack import deep


def _finish(loaded: Loaded, diags: Diagnostics, lint_program: bool = True) -> Program:
    scope = resolve(loaded.statements, diags)
    scope.broken = set(loaded.broken)
    analysis = check(scope, diags)
    if diags.has_errors():
        raise DslError(list(diags), loaded.sources)
    return Program(analysis, list(diags), loaded.sources, sql=_to_sql)


def _to_sql(program: Program, dialect: str, **tables) -> str:
    """``Program.to_sql``: the SQL wing translates the program's plan (imported on first use:
    sqlglot costs every other command nothing)."""
    from .sql import to_sql
    return to_sql(program, dialect, **tables)


def compile(text: str, filename: str = "<string>") -> Program:
    """Compile definitions from text. Raises DslError with every problem found."""
    if not isinstance(text, str):
        raise TypeError("compile() takes the text of a definition file; use load() for a path")
    def work():
        diags = Diagnostics()
        with gc_paused():
            return _finish(compile_text(text, filename, diags), diags)
    return deep(work)  # (every pass walks the definitions by recursion)


def load(path: str | os.PathLike) -> Program:
    """Load a .lead file and the files it includes."""
    def work():
        diags = Diagnostics()
        with gc_paused():
            return _finish(load_file(path, diags), diags)
    return deep(work)
