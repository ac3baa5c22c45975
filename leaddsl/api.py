"""The pipeline façade: text or file → checked, compiled :class:`Program`."""
from __future__ import annotations

import os

from .check import check
from .diagnostics import Diagnostics, DslError
from .loader import Loaded, compile_text, load_file
from .program import Program
from .resolve import resolve


def _finish(loaded: Loaded, diags: Diagnostics, lint_program: bool = True) -> Program:
    if loaded.syntax_errors or diags.has_errors():
        # names in broken statements are unknown: report syntax first, not their echo
        if loaded.syntax_errors:
            raise DslError(list(diags))
    scope = resolve(loaded.statements, diags)
    analysis = check(scope, diags)
    if diags.has_errors():
        raise DslError(list(diags))
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
    if loaded.syntax_errors:
        return None
    scope = resolve(loaded.statements, diags)
    return check(scope, diags)
