"""Quick fixes: a diagnostic's hint applied, or the diagnostic silenced on its line.

- "did you mean `life_science`?" replaces the text under the diagnostic with the
  suggestion; so does "write `300M`" when the suggestion is one word or
  operator (a hint that rewrites a whole clause stays a hint, for a person to
  apply).
- Any warning or information can be silenced with ``# leaddsl: ignore[CODE]``
  at the end of its line (added to an ignore comment already there). Errors
  cannot be silenced: the program does not run with them.

Edits are ``(line, column, end_line, end_column, new_text)`` in the checker's
coordinates (1-based, code points, end exclusive).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..lint.suppress import IGNORE_COMMENT as _IGNORE

_MEAN = re.compile(r"did you mean `([^`]+)`\?")
_WRITE = re.compile(r"^write `([^`\s{}()]+)`(?:$|[ ,.;(])")


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple   # of (line, column, end_line, end_column, new_text)
    preferred: bool = False


def fixes(code: str, severity: str, line: int, column: int, end_line: int, end_column: int,
          hint: str | None, text: str) -> list[Fix]:
    out = []
    lines = text.split("\n")
    if hint:
        m = _MEAN.search(hint) or _WRITE.search(hint)
        if m and end_line == line and 1 <= line <= len(lines):
            old = lines[line - 1][column - 1:end_column - 1]
            new = m.group(1)
            if m.re is _MEAN and hint.count("`") > 2:
                new = None  # several suggestions: the person chooses
            if new and old and new != old and old.strip() == old:
                out.append(Fix(f"Replace `{old}` with `{new}`", ((line, column, end_line, end_column, new),),
                               preferred=True))
    if severity != "error" and 1 <= line <= len(lines):
        src = lines[line - 1].rstrip("\r")
        m = _IGNORE.search(src)
        if m:
            codes = [c.strip() for c in m.group(1).split(",") if c.strip()]
            if code not in codes:
                new = ", ".join(codes + [code])
                out.append(Fix(f"Ignore {code} on this line",
                               ((line, m.start(1) + 1, line, m.end(1) + 1, new),)))
        else:
            col = len(src) + 1
            pad = "" if src.endswith(" ") else "  "
            out.append(Fix(f"Ignore {code} on this line", ((line, col, line, col, f"{pad}# leaddsl: ignore[{code}]"),)))
    return out
