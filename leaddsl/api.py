"""The pipeline façade: text or file → checked, compiled :class:`Program`."""
from __future__ import annotations

import os

from .diagnostics import Diagnostics, DslError
from .front import gc_paused
from .front.check import check
from .front.loader import Loaded, compile_text, load_file
from .front.resolve import resolve
from .runtime.program import Program
from .source import Span
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


class TextTypeError(DslError, TypeError):
    """``compile`` of something that is no text: a DslError as every unreadable definition is,
    and the TypeError Python code expects of an argument's type."""


def _text_of(text, filename: str) -> str:
    """The definitions as text: a str as it is, bytes read as UTF-8 (as ``load`` reads a file)."""
    if isinstance(text, str):
        return text
    diags = Diagnostics()
    if isinstance(text, (bytes, bytearray)):
        try:
            return bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as e:
            diags.add("E007", Span(filename, 1, 1, 1, 2), f"the text is not UTF-8 (byte 0x{text[e.start]:02x} at "
                      f"offset {e.start:,})", "save the file as UTF-8")
            raise DslError(list(diags)) from None
    diags.add("E007", Span(filename, 1, 1, 1, 2), f"compile() takes the text of a definition file, not "
              f"{type(text).__name__}", "pass the file's text, or use leaddsl.load(path) for a path")
    raise TextTypeError(list(diags))


def compile(text: str, filename: str = "<string>") -> Program:
    """Compile definitions from text (str, or UTF-8 bytes). Raises DslError with every problem found."""
    text = _text_of(text, filename)
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
