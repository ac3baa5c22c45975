"""``leaddsl fmt``: one canonical layout for .lead files, comments kept where they were.

The file is parsed and built into its AST (a file with syntax errors is not
formatted: :class:`DslError` with the diagnostics), every statement is laid out
anew by :mod:`.layout`, and every comment is put back:

* a comment on a line of its own goes on a line of its own between the same two
  output lines it stood between (at the indentation of the line after it);
* a comment after code goes at the end of the output line that prints the code
  before it; trailing comments on consecutive lines are lined up;
* a comment the layout cannot place (inside what becomes one output line, say
  ``x = # why\\n 5``) keeps its whole statement as it was written, so that nothing
  is lost or moved into code.

Blank lines between statements, between the items of a block and before comments
are kept, at most one. Statement order is never changed. Formatting is idempotent
and formatting then parsing gives the same AST (the tests check both).
"""
from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

from ..diagnostics import Diagnostics, DslError
from ..front import gc_paused, nodes as n
from ..front.builder import build
from ..front.loader import MAX_FILE_BYTES
from ..front.parser import parse, tree_depth_ok
from ..lint.suppress import IGNORE_COMMENT
from ..source import Source, Span
from .layout import WIDTH, Layout, Line

__all__ = ["format_text", "parse_module", "unified_diff", "WIDTH"]

_HIDDEN_OR_COMMENT = re.compile(r'"(\\.|[^"\\\n])*"|`[^`\n]*`|#[^\n]*')
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True, slots=True)
class Comment:
    start: int
    end: int
    text: str
    own_line: bool  # nothing but white space before it on its line


def comments(text: str) -> list[Comment]:
    """Every ``#`` comment of ``text`` (not a ``#`` inside a text or a quoted name)."""
    out = []
    for m in _HIDDEN_OR_COMMENT.finditer(text):
        if m.group(0).startswith("#"):
            line_start = text.rfind("\n", 0, m.start()) + 1
            out.append(Comment(m.start(), m.end(), m.group(0).rstrip(), not text[line_start:m.start()].strip()))
    return out


def parse_module(text: str, filename: str = "<string>") -> n.Module:
    """The AST of one file's text, without reading its includes. Raises DslError with
    every syntax error (including bad literals such as ``300m``)."""
    diags = Diagnostics()
    source = Source(filename, text)
    if len(text) * 4 > MAX_FILE_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        diags.add("E007", Span(filename, 1, 1, 1, 2), f"the text is more than {MAX_FILE_BYTES:,} bytes",
                  "split the definitions into several files")
        raise DslError(list(diags), {filename: source})
    module = None
    with gc_paused():
        tree = parse(source, diags)
        if tree is not None and tree_depth_ok(tree, source, diags):
            module = build(tree, filename, diags)
    if module is None or diags.has_errors():
        raise DslError(list(diags), {filename: source})
    return module


def format_text(text: str, filename: str = "<string>", *, width: int = WIDTH) -> str:
    """``text`` (a .lead file) in the canonical layout. Raises DslError when it has
    syntax errors. ``format_text(format_text(x)) == format_text(x)``."""
    text = text.removeprefix("\ufeff")
    module = parse_module(text, filename)
    layout = Layout(text, width)
    with gc_paused():
        groups = [layout.statement(s) for s in module.body]
    notes = comments(text)
    kept = _fallbacks(groups, notes)
    for i in kept:
        s = module.body[i]
        written = "\n".join(x.rstrip() for x in text[s.span.start:s.span.end].split("\n"))
        groups[i] = [Line(written, s.span.start, s.span.end, item=True, cindent=0)]
    lines: list[Line] = []
    for i, g in enumerate(groups):
        for line in g:
            line.stmt = i
        lines += g
    return _assemble(text, lines, notes, kept, module)


def _placed(lines: list[Line]):
    """The lines that print source tokens, their starts and the running maximum of their ends."""
    ranged = [(x.start, x.end, k) for k, x in enumerate(lines) if x.start >= 0]
    starts = [r[0] for r in ranged]
    reach, most = [], -1
    for _, end, _ in ranged:
        most = max(most, end)
        reach.append(most)
    return ranged, starts, reach


def _fallbacks(groups: list[list[Line]], notes: list[Comment]) -> set[int]:
    """The statements to keep as written: a comment falls inside one of their output lines."""
    lines = [(x, i) for i, g in enumerate(groups) for x in g]
    ranged, starts, reach = _placed([x for x, _ in lines])
    kept = set()
    for c in notes:
        k = bisect.bisect_right(starts, c.start) - 1
        if k >= 0 and reach[k] > c.start:
            # the line whose range holds the comment: the latest one reaching past it
            while ranged[k][1] <= c.start:
                k -= 1
            kept.add(lines[ranged[k][2]][1])
    return kept


def _assemble(text: str, lines: list[Line], notes: list[Comment], kept: set[int], module) -> str:
    inside = [(module.body[i].span.start, module.body[i].span.end) for i in kept]
    notes = [c for c in notes if not any(lo <= c.start < hi for lo, hi in inside)]
    ranged, starts, _ = _placed(lines)
    after: dict[int, list[Comment]] = {}
    for c in notes:
        k = bisect.bisect_right(starts, c.start) - 1
        k = ranged[k][2] if k >= 0 else -1
        if not c.own_line and IGNORE_COMMENT.search(c.text):
            k = _ignore_line(text, lines, module, c, k)
        after.setdefault(k, []).append(c)

    out: list = []  # Line objects and plain strings (comment lines, blank lines)
    last_end = None

    def blank_before(offset: int) -> None:
        if last_end is not None and out and _BLANK_LINE.search(text, last_end, offset):
            out.append("")

    for c in after.get(-1, []):
        blank_before(c.start)
        out.append(c.text)
        last_end = c.end
    for k, line in enumerate(lines):
        if line.item:
            blank_before(line.start)
        out.append(line)
        last_end = line.end
        nxt = lines[k + 1] if k + 1 < len(lines) else None
        same = nxt is not None and nxt.stmt == line.stmt
        for c in after.get(k, []):
            if not c.own_line and line.comment is None and out[-1] is line:
                line.comment = c.text
            else:
                if not same or nxt.item:
                    blank_before(c.start)
                indent = (nxt.cindent if nxt.cindent is not None else len(nxt.text) - len(nxt.text.lstrip())) \
                    if same else 0
                out.append(" " * indent + c.text)
            last_end = c.end
    return _render(out)


def _ignore_line(text: str, lines: list[Line], module, c: Comment, k: int) -> int:
    """The output line for a trailing ``# leaddsl: ignore[...]`` comment (``k``: where it would
    go after the code before it), so that it keeps silencing what it silenced: a comment on the
    line where a statement or block item begins goes on that item's first output line, one on a
    statement's last line on its last output line (a finding inside a statement is silenced on
    either). The layout may break the line it stood on, and the code before it may then end a
    line in the middle, where it would silence nothing."""
    if k < 0:
        return k
    begin = text.rfind("\n", 0, c.start) + 1
    items = [j for j, x in enumerate(lines) if x.item and x.start >= 0 and begin <= x.start < c.start]
    if items:
        return items[-1]
    stmt = lines[k].stmt
    span = module.body[stmt].span
    if text.find("\n", span.end) == text.find("\n", c.start) or "\n" not in text[span.end:c.start]:
        return max(j for j, x in enumerate(lines) if x.stmt == stmt)
    return k


def _render(out: list) -> str:
    """The text, trailing comments on consecutive lines lined up two spaces after the longest."""
    result: list[str] = []
    k = 0
    while k < len(out):
        x = out[k]
        if not isinstance(x, Line) or x.comment is None:
            result.append(x if isinstance(x, str) else x.text)
            k += 1
            continue
        run = []
        while k < len(out) and isinstance(out[k], Line) and out[k].comment is not None:
            run.append(out[k])
            k += 1
        at = max(len(r.text.rsplit("\n", 1)[-1]) for r in run) + 2
        for r in run:
            result.append(r.text + " " * (at - len(r.text.rsplit("\n", 1)[-1])) + r.comment)
    body = "\n".join(result).rstrip("\n")
    return body + "\n" if body else ""


def unified_diff(before: str, after: str, name: str) -> str:
    """The change ``fmt`` would make, as a unified diff (``--diff``)."""
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=name, tofile=name + " (formatted)"))
