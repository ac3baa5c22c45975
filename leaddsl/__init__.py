"""leaddsl — a small language for lead definitions.

    import leaddsl
    program = leaddsl.load("definitions/acme_instruments.lead")
    result = program.evaluate(record, as_of=datetime(2026, 11, 22, tzinfo=timezone.utc))
    result["mql"], result.stage, result.to_dict(), result.explain()

The public API is this module's names; ``leaddsl.diagnostics`` (Diagnostic, its
sort order, suggestions) and ``leaddsl.codes`` (every code's documentation) are
public too. Everything else is the implementation.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from . import lint as _lint_package  # loaded first, so that `leaddsl.lint` stays the function below
from .api import compile, load
from .diagnostics import DataError, Diagnostic, DslError, LeadDslError
from .runtime.program import Program, Result, normalize_as_of as parse_as_of

__all__ = ["compile", "load", "lint", "check", "Checked", "parse_as_of", "Program", "Result", "Diagnostic",
           "DslError", "DataError", "LeadDslError", "__version__"]
__version__ = "0.1.0"


def lint(program, *, as_of=None) -> list[Diagnostic]:
    """Warnings and information about a compiled program (SPEC section 9). ``as_of``:
    the time the header's review date is compared with (W116; default now)."""
    return _lint_package.lint_program(program, as_of=None if as_of is None else parse_as_of(as_of))


@dataclass
class Checked:
    """What ``check`` found in one file: the program (None when it has errors), every
    diagnostic (errors, or the linter's warnings and information), and the text of every
    file read (the file and what it includes), to show a diagnostic's source line."""
    program: Program | None
    diagnostics: list[Diagnostic]
    sources: dict = field(default_factory=dict)
    note: str | None = None  # set when the linter's time budget ran out: findings may be missing


def check(path: str | os.PathLike, *, lint: bool = True, lint_budget: float | None = None,
          as_of=None) -> Checked:
    """Load, type-check and (unless ``lint=False``) lint one definition file; never raises
    DslError: the errors are in ``.diagnostics``. ``lint_budget``: seconds of wall clock
    for the linter (default 5, or the ``LEADDSL_LINT_BUDGET`` environment variable);
    ``as_of``: the time a review date is compared with (default now)."""
    try:
        program = load(path)
    except DslError as e:
        return Checked(None, list(e.diagnostics), dict(e.sources))
    if not lint:
        return Checked(program, list(program.diagnostics), dict(program.sources))
    found = _lint_package.lint_program(program, budget=lint_budget,
                                       as_of=None if as_of is None else parse_as_of(as_of))
    return Checked(program, list(found), dict(program.sources), found.note)
