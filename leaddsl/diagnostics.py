"""Diagnostic, DslError (a program is wrong) and DataError (a record is wrong)."""
from __future__ import annotations

import difflib

from dataclasses import dataclass

from .logic import fold
from .source import Span


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    hint: str | None = None

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.code} {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class Diagnostics(list):
    """The one list every pass appends to."""

    def add(self, code: str, span: Span, message: str, hint: str | None = None,
            severity: str | None = None) -> Diagnostic:
        from .codes import CODES
        sev = severity or (CODES[code].severity if code in CODES else "error")
        d = Diagnostic(code, sev, message, span.file, span.line, span.column,
                       span.end_line, max(span.end_column, span.column + 1) if span.end_line == span.line else span.end_column,
                       hint)
        self.append(d)
        return d

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self if d.severity == "error"]

    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self)


def sort_key(d: Diagnostic):
    return (d.file, d.line, d.column, d.code)


class LeadDslError(Exception):
    """Base class of the errors leaddsl raises."""


class DslError(LeadDslError):
    """A definition file cannot be compiled; ``.diagnostics`` lists every problem found."""

    def __init__(self, diagnostics: list[Diagnostic], sources: dict | None = None):
        self.diagnostics = sorted(diagnostics, key=sort_key)
        self.sources = sources or {}  # file name -> its text (a Source), to show the lines
        errors = [d for d in self.diagnostics if d.severity == "error"] or self.diagnostics
        first = str(errors[0]) if errors else "invalid definition"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class DataError(LeadDslError, ValueError):
    """A record holds a value that cannot be read as its declared type."""

    def __init__(self, message: str, *, field: str | None = None, value=None, lead_id=None):
        self.field = field
        self.value = value
        self.lead_id = lead_id
        super().__init__(message)


# ------------------------------------------------------------- suggestions --
def suggest(word: str, candidates) -> str | None:
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not matches:
        folded = {fold(c): c for c in candidates}
        if fold(word) in folded:
            return folded[fold(word)]
        return None
    return matches[0]


def did_you_mean(word: str, candidates) -> str | None:
    s = suggest(word, candidates)
    return f"did you mean `{s}`?" if s else None
