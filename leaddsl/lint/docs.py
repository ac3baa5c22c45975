"""Rule documentation lives in the rule module's docstring; this registers it.

Each code is one block of the docstring::

    W101 never-true (warning)
    -------------------------
    What it finds: ...

    Why it matters: ...

    Example::

        field revenue: number
        lead big when revenue >= 300M and revenue < 100M

    Fix: ...

``register_doc(__doc__)`` parses every block and calls ``codes.register`` with
the same text, so ``leaddsl rule W101`` prints what the module documents.
"""
from __future__ import annotations

import re
import textwrap

from ..codes import register

_HEADER = re.compile(r"^([WI]\d{3}) ([a-z0-9-]+) \((warning|info)\)\s*$", re.M)
_SECTIONS = ("What it finds:", "Why it matters:", "Example::", "Fix:")


def parse_doc(doc: str) -> list[tuple[str, str, str, dict[str, str]]]:
    """[(code, slug, severity, {section: text})] of a rule docstring."""
    doc = textwrap.dedent(doc)
    heads = list(_HEADER.finditer(doc))
    out = []
    for i, m in enumerate(heads):
        body = doc[m.end(): heads[i + 1].start() if i + 1 < len(heads) else len(doc)]
        sections: dict[str, str] = {}
        current = None
        lines: list[str] = []
        for line in body.split("\n"):
            stripped = line.strip()
            starts = next((s for s in _SECTIONS if stripped.startswith(s) and not line.startswith(" ")), None)
            if starts:
                if current:
                    sections[current] = _text(current, lines)
                current = starts
                lines = [stripped[len(starts):]]
            elif current:
                lines.append(line)
        if current:
            sections[current] = _text(current, lines)
        missing = [s for s in _SECTIONS if not sections.get(s)]
        if missing:
            raise ValueError(f"{m.group(1)}: the docstring lacks {', '.join(missing)}")
        out.append((m.group(1), m.group(2), m.group(3), sections))
    return out


def _text(section: str, lines: list[str]) -> str:
    if section == "Example::":
        block = "\n".join(lines).strip("\n")
        return textwrap.dedent(block).strip("\n")
    paragraph = " ".join(x.strip() for x in lines if x.strip() and not set(x.strip()) <= {"-"})
    return paragraph


def register_doc(doc: str) -> list[str]:
    """Register every code a rule module documents; returns the codes."""
    codes = []
    for code, slug, severity, s in parse_doc(doc):
        register(code, slug, severity, s["What it finds:"], s["Why it matters:"], s["Example::"], s["Fix:"])
        codes.append(code)
    return codes
