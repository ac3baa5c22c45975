"""leaddsl — a small language for lead definitions.

    import leaddsl
    program = leaddsl.load("definitions/acme_instruments.lead")
    result = program.evaluate(record, as_of=datetime(2026, 11, 22, tzinfo=timezone.utc))
    result["mql"], result.stage, result.to_dict(), result.explain()
"""
from . import lint as _lint_package  # loaded first, so that `leaddsl.lint` stays the function below
from .api import compile, load
from .diagnostics import DataError, Diagnostic, DslError, LeadDslError
from .runtime.program import Program, Result

__all__ = ["compile", "load", "lint", "Program", "Result", "Diagnostic", "DslError", "DataError",
           "LeadDslError", "__version__"]
__version__ = "0.1.0"


def lint(program) -> list[Diagnostic]:
    """Warnings and information about a compiled program (SPEC section 9)."""
    return _lint_package.lint_program(program)
