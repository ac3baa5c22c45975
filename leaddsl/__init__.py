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
from .files import evaluate_files
from .runtime.program import Program, Result, normalize_as_of as parse_as_of
from .stack import deep

__all__ = ["compile", "load", "lint", "check", "Checked", "parse_as_of", "Program", "Result", "Diagnostic",
           "evaluate_files", "DslError", "DataError", "LeadDslError", "run_tests", "diff", "load_version", "backtest",
           "report", "suggest", "format_text", "__version__"]
__version__ = "0.1.0"


def lint(program, *, as_of=None) -> list[Diagnostic]:
    """Warnings and information about a compiled program (SPEC section 9). ``as_of``:
    the time the header's review date is compared with (W116; default now)."""
    if not isinstance(program, Program):
        raise TypeError(f"lint() takes a compiled program (leaddsl.compile(text) or leaddsl.load(path)), "
                        f"not {type(program).__name__}; leaddsl.check(path) compiles and lints a file")
    moment = None if as_of is None else parse_as_of(as_of)
    return deep(lambda: _lint_package.lint_program(program, as_of=moment))


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
    moment = None if as_of is None else parse_as_of(as_of)
    found = deep(lambda: _lint_package.lint_program(program, budget=lint_budget, as_of=moment))
    return Checked(program, list(found), dict(program.sources), found.note)


def load_version(spec: str | os.PathLike) -> Program:
    """A definition file, or a file at a git revision (``"HEAD~1:definitions/acme.lead"``);
    its includes are read from the same revision. Raises DslError, or ValueError when the
    file or the revision cannot be read (no git, an unknown revision, no such file)."""
    from .tools.versions import VersionError, load_version as _load
    try:
        return _load(str(spec))
    except VersionError as e:
        raise ValueError(str(e)) from None


def run_tests(paths, *, definitions: str | None = None):
    """Run the cases of ``.leadtest`` files (a path, or a list of files and folders).
    Returns a TestRun: ``.cases`` (each with ``.status`` passed/failed/error, ``.mismatches``
    with expected, actual and the explanation), ``.passed``, ``.failed``, ``.errors``, ``.ok``."""
    from .tools.testing import run_tests as _run
    return _run(paths, definitions=definitions)


def format_text(text: str, filename: str = "<string>") -> str:
    """The text of a definition file in the canonical layout of ``leaddsl fmt``, comments
    kept. Raises DslError (with every diagnostic) when the text has syntax errors; names
    and types are not checked, and includes are not read. Idempotent."""
    from .tools.fmt import format_text as _format
    return _format(text, filename)


def tools_find_test_files(paths) -> list:
    from .tools.testing import find_test_files
    return find_test_files(paths)


def diff(old, new, data, *, events=None, as_of=None, by: str | None = None, id_field: str = "id",
         sheet: str | None = None, sample: int = 10):
    """What changing ``old`` to ``new`` (Programs, files or ``REV:PATH``) does to the leads of
    ``data``: counts entering and leaving each definition, the transition tables of the stage
    and of each band and route, how each score changed, the counts split by the column ``by``,
    and a sample of movers with the clauses that changed.
    Returns a Diff (``.to_dict()`` is the JSON of ``leaddsl diff --format json``). A data
    file that cannot be read raises ValueError."""
    from .io.data import InputError
    from .lint.agreement import effective_unchanged
    from .tools.diff import diff as _diff
    names = [str(x) if not isinstance(x, Program) else "old" if k == 0 else "new" for k, x in enumerate((old, new))]
    old_p = old if isinstance(old, Program) else load_version(old)
    new_p = new if isinstance(new, Program) else load_version(new)
    try:
        result = _diff(old_p, new_p, str(data), events=None if events is None else str(events), as_of=as_of,
                       by=by, id_field=id_field, sheet=sheet, sample=sample, old_name=names[0], new_name=names[1])
    except InputError as e:
        raise ValueError(str(e)) from None
    result.warnings = [f"{d.file}:{d.line}: {d.code} {d.message}" for d in effective_unchanged(old_p, new_p, names[0])]
    return result


def _history(data, outcome, *, events, as_of, as_of_field, horizon, id_field, sheet):
    from .tools.history import History
    if as_of is not None and as_of_field is not None:
        raise ValueError("give as_of_field (each lead at its own time) or as_of (one time), not both")
    return History(str(data), outcome=outcome, events=None if events is None else str(events), as_of=as_of,
                   as_of_field=as_of_field if as_of is not None or as_of_field else "created_at",
                   horizon=horizon, id_field=id_field, sheet=sheet)


def _program(defs) -> Program:
    return defs if isinstance(defs, Program) else load_version(defs)


def backtest(defs, data, *, outcome: str, events=None, as_of=None, as_of_field: str | None = None,
             horizon: str | None = None, id_field: str = "id", sheet: str | None = None, confidence: float = 0.95):
    """How each definition, stage, band and route value of ``defs`` (a Program, a file or
    ``REV:PATH``) did on the history in ``data``: each lead is evaluated as of its own time
    (``as_of_field``, default ``created_at``; or one ``as_of`` for all), and of the leads each
    one selected, how many reached ``outcome`` (a true/false column, or a date column within
    ``horizon``, default ``"90d"``): counts, precision, recall and lift with Wilson intervals.
    Returns a Backtest (``.groups``, ``.to_dict()`` is the JSON of ``leaddsl backtest --format
    json``). A data file or column that cannot be read raises ValueError."""
    from .io.data import InputError
    from .tools.backtest import backtest as _backtest
    program = _program(defs)
    history = _history(data, outcome, events=events, as_of=as_of, as_of_field=as_of_field, horizon=horizon,
                       id_field=id_field, sheet=sheet)
    try:
        return _backtest(program, history, name=str(defs) if not isinstance(defs, Program) else "program",
                         confidence=confidence)
    except InputError as e:
        raise ValueError(str(e)) from None


def report(defs, data, *, outcome: str | None = None, events=None, as_of=None, as_of_field: str | None = None,
           horizon: str | None = None, id_field: str = "id", sheet: str | None = None, sample: int = 5) -> str:
    """The HTML page of ``leaddsl report`` (one self-contained document, as text): the funnel,
    per-clause pass rates, field coverage, score and band distributions, the backtest when an
    ``outcome`` is given, and sample leads with their explanations. ``as_of_field`` defaults to
    ``created_at`` unless ``as_of`` is given. A data file that cannot be read raises ValueError."""
    from .io.data import InputError
    from .tools.meeting import build, to_html
    program = _program(defs)
    history = _history(data, outcome, events=events, as_of=as_of, as_of_field=as_of_field, horizon=horizon,
                       id_field=id_field, sheet=sheet)
    try:
        return to_html(build(program, history, name=str(defs) if not isinstance(defs, Program) else "program",
                             sample=sample))
    except InputError as e:
        raise ValueError(str(e)) from None


def suggest(data, *, outcome: str, events=None, as_of=None, as_of_field: str | None = None,
            horizon: str | None = None, id_field: str = "id", sheet: str | None = None, exclude=(),
            min_support: int = 20, top: int = 15, max_clauses: int = 4):
    """What separates the leads of ``data`` that reached ``outcome`` from the others: field
    values, thresholds and event counts in windows, each lead judged as of its own time, ranked
    with counts, lift and Wilson intervals (``.ranked``), and a proposed definition in the
    language (``.proposal``, compiled and linted: ``.lint``). Returns a Suggestion
    (``.to_dict()`` is the JSON of ``leaddsl suggest --format json``)."""
    from .io.data import InputError
    from .tools.suggest import suggest as _suggest
    history = _history(data, outcome, events=events, as_of=as_of, as_of_field=as_of_field, horizon=horizon,
                       id_field=id_field, sheet=sheet)
    try:
        return _suggest(history, exclude=tuple(exclude), min_support=min_support, top=top, max_clauses=max_clauses)
    except InputError as e:
        raise ValueError(str(e)) from None
