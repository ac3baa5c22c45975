"""The pipeline façade: text or file → checked, compiled :class:`Program`."""
from __future__ import annotations

import os

from .front.check import check
from .diagnostics import Diagnostics, DslError
from .front.loader import Loaded, compile_text, load_file
from .runtime.program import Program
from .front.resolve import resolve


def _finish(loaded: Loaded, diags: Diagnostics, lint_program: bool = True) -> Program:
    scope = resolve(loaded.statements, diags)
    scope.broken = set(loaded.broken)
    analysis = check(scope, diags)
    if diags.has_errors():
        raise DslError(list(diags), loaded.sources)
    return Program(analysis, list(diags), loaded.sources)


def compile(text: str, filename: str = "<string>") -> Program:
    """Compile definitions from text. Raises DslError with every problem found."""
    if not isinstance(text, str):
        raise TypeError("compile() takes the text of a definition file; use load() for a path")
    diags = Diagnostics()
    loaded = compile_text(text, filename, diags)
    return _finish(loaded, diags)


def load(path: str | os.PathLike) -> Program:
    """Load a .lead file and the files it includes."""
    diags = Diagnostics()
    loaded = load_file(path, diags)
    return _finish(loaded, diags)


def analyse(loaded: Loaded, diags: Diagnostics):
    """Resolve and check without compiling (used by ``check`` and the linter)."""
    scope = resolve(loaded.statements, diags)
    scope.broken = set(loaded.broken)
    return check(scope, diags)
