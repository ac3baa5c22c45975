"""Source files, spans and the text under a caret.

Columns are 1-based code points (not bytes); ``end_column`` is exclusive, the
column just after the last character, as in SARIF and LSP.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0  # offset in the file's text
    end: int = 0

    @staticmethod
    def of(file: str, obj) -> "Span":
        """Span of a lark Token or of a Tree's ``meta``."""
        line = getattr(obj, "line", None)
        if line is None or line < 1:
            return Span(file, 1, 1, 1, 1)
        return Span(
            file,
            obj.line,
            obj.column,
            obj.end_line or obj.line,
            obj.end_column or obj.column + 1,
            getattr(obj, "start_pos", 0) or 0,
            getattr(obj, "end_pos", 0) or 0,
        )

    def to(self, other: "Span") -> "Span":
        return Span(self.file, self.line, self.column, other.end_line, other.end_column,
                    self.start, other.end)


NO_SPAN = Span("<none>", 1, 1, 1, 1)


class Source:
    """The text of one file and its line table."""

    __slots__ = ("name", "text", "_lines")

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self._lines = text.split("\n")

    def line(self, n: int) -> str:
        if 1 <= n <= len(self._lines):
            return self._lines[n - 1].rstrip("\r")
        return ""

    def slice(self, span: Span) -> str:
        if span.end > span.start:
            return self.text[span.start:span.end]
        return self.line(span.line)[span.column - 1:span.end_column - 1]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = self.text.count("\n", 0, offset) + 1
        col = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return line, col

    def span_at(self, offset: int, length: int = 1) -> Span:
        line, col = self.position(offset)
        return Span(self.name, line, col, line, col + max(1, length), offset, offset + length)

    def end_span(self) -> Span:
        return self.span_at(len(self.text), 0)
