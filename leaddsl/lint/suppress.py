"""``# leaddsl: ignore[CODE]`` comments, and the warnings about the comments themselves.

A comment ``# leaddsl: ignore[W101]`` (several codes: ``ignore[W101, W102]``)
silences those codes on its line; a finding inside a statement that spans
several lines may also be silenced on the statement's first or last line.

W190 unknown-ignore (warning)
-----------------------------
What it finds: A `# leaddsl: ignore[...]` comment that names a code leaddsl does not have.

Why it matters: A misspelled code silences nothing, so the warning it was meant
for still shows, or the comment is stale.

Example::

    lead x when true  # leaddsl: ignore[W999]

Fix: Name an existing code (`leaddsl rule` lists them) or remove the comment.

W191 unused-ignore (warning)
----------------------------
What it finds: A `# leaddsl: ignore[...]` comment that silences nothing on its line.

Why it matters: Stale ignores hide future problems on that line and mislead reviewers.

Example::

    lead x when true  # leaddsl: ignore[W101]

Fix: Remove the comment, or the code from it.
"""
from __future__ import annotations

import re

from ..codes import CODES
from ..diagnostics import Diagnostic, Diagnostics
from ..source import Span
from .docs import register_doc

register_doc(__doc__)

# codes found after the lint, with more than the file (W115: `check --against`'s old version):
# the lint alone cannot tell whether a comment for one of them silences something
LATE = {"W115"}
IGNORE_COMMENT = re.compile(r"#\s*leaddsl:\s*ignore\[([^\]]*)\]")


def suppressions(sources) -> dict[tuple[str, int], list[tuple[str, Span]]]:
    """(file, line) -> [(CODE, span of the code in the comment)]."""
    out: dict[tuple[str, int], list[tuple[str, Span]]] = {}
    for name, src in sources.items():
        for lineno, line in enumerate(src.text.split("\n"), 1):
            if "leaddsl" not in line:
                continue
            for m in IGNORE_COMMENT.finditer(line):
                start = m.start(1)
                for part in re.finditer(r"[^,\s]+", m.group(1)):
                    col = start + part.start() + 1
                    span = Span(name, lineno, col, lineno, col + len(part.group(0)))
                    out.setdefault((name, lineno), []).append((part.group(0).upper(), span))
    return out


def apply(found: list[Diagnostic], sources, statements=(), unused: bool = True) -> list[Diagnostic]:
    """The findings not silenced, plus W190/W191 for the comments.

    ``statements``: the spans of the program's statements; a finding inside a
    statement may also be silenced on the statement's first or last line.
    ``unused``: report W191 (False when the findings may be incomplete)."""
    ignores = suppressions(sources)
    kept, used = _silence(found, ignores, statements)
    extra = Diagnostics()
    for (file, line), entries in ignores.items():
        for code, span in entries:
            if code not in CODES:
                extra.add("W190", span, f"`{code}` is not a leaddsl code", "run `leaddsl rule` for the list of codes")
            elif unused and (file, line, code) not in used and code not in LATE:
                extra.add("W191", span, _unused(code), "remove it")
    return kept + list(extra)


def apply_late(found: list[Diagnostic], earlier: list[Diagnostic], sources) -> tuple[list, list]:
    """Findings made after the lint (W115 of ``check --against``): those its comments do not
    silence, and the lint's ``earlier`` diagnostics without the W191 of a comment that
    silences one of them."""
    kept, used = _silence(found, suppressions(sources), ())
    spent = {(f, line, _unused(code)) for f, line, code in used}
    return kept, [d for d in earlier if not (d.code == "W191" and (d.file, d.line, d.message) in spent)]


def _unused(code: str) -> str:
    return f"`ignore[{code}]` silences nothing on this line"


def _silence(found, ignores, statements):
    by_file: dict[str, list[Span]] = {}
    for s in statements:
        by_file.setdefault(s.file, []).append(s)
    kept = []
    used: set[tuple[str, int, str]] = set()
    for d in found:
        lines = {d.line, d.end_line}
        for s in by_file.get(d.file, ()):
            if s.line <= d.line <= s.end_line and s.line != s.end_line:
                lines.update((s.line, s.end_line))
        hits = [line for line in sorted(lines)
                if any(c == d.code for c, _ in ignores.get((d.file, line), []))]
        if hits:
            for line in hits:
                used.add((d.file, line, d.code))
            continue
        kept.append(d)
    return kept, used
