"""Shared by the `matches` rules: where the patterns are, and spans inside them."""
from __future__ import annotations

from ..front import nodes as n
from ..source import Span


def matches_nodes(ctx) -> list:
    """Every `x matches "pattern"` of the program (each once)."""
    return [node for node in ctx.nodes
            if isinstance(node, n.TextOp) and node.op == "matches" and isinstance(node.pattern, n.Text)]


def raw_offsets(ctx, text: n.Text) -> list[int] | None:
    """For each character of the text's value, its offset in the source literal
    (escapes `\\"`, `\\\\`, `\\n` take two source characters); None when unknown."""
    span = text.span
    src = ctx.sources.get(span.file)
    if src is None or span.line != span.end_line:
        return None
    raw = src.slice(span)
    if not raw.startswith('"'):
        return None
    offsets = []
    i = 1
    while i < len(raw) - 1:
        offsets.append(i)
        i += 2 if raw[i] == "\\" else 1
    return offsets if len(offsets) == len(text.value) else None


def char_span(ctx, text: n.Text, index: int, length: int = 1) -> Span:
    """The span of value[index:index+length] in the source, or the literal's span."""
    offs = raw_offsets(ctx, text)
    span = text.span
    if offs is None or index + length > len(offs):
        return span
    start = offs[index]
    end = offs[index + length - 1] + (2 if ctx.sources[span.file].slice(span)[offs[index + length - 1]] == "\\" else 1)
    return Span(span.file, span.line, span.column + start, span.line, span.column + end,
                span.start + start, span.start + end)


def source_literal(ctx, text: n.Text) -> str:
    span = text.span
    src = ctx.sources.get(span.file)
    return src.slice(span) if src is not None else '"' + text.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
