"""The lint pass: warnings (W1xx) and information (I1xx) about a compiled program.

One rule per module; each module's docstring is its documentation and it
registers its code in ``leaddsl.codes``. ``# leaddsl: ignore[CODE]`` on a line
silences that code there; an ignore that names an unknown code or silences
nothing is itself reported.
"""
from __future__ import annotations

import re

from ..codes import CODES, register
from ..diagnostics import Diagnostic, Diagnostics, sort_key
from ..source import Span

register("W190", "unknown-ignore", "warning",
         "A `# leaddsl: ignore[...]` comment that names a code leaddsl does not have.",
         "A misspelled code silences nothing, so the warning it was meant for still shows, or the comment is stale.",
         "lead x when true  # leaddsl: ignore[W999]",
         "Name an existing code (`leaddsl rule` lists them) or remove the comment.")
register("W191", "unused-ignore", "warning",
         "A `# leaddsl: ignore[...]` comment that silences nothing on its line.",
         "Stale ignores hide future problems on that line and mislead reviewers.",
         "lead x when true  # leaddsl: ignore[W101]",
         "Remove the comment, or the code from it.")

_IGNORE = re.compile(r"#\s*leaddsl:\s*ignore\[([^\]]*)\]")

RULES: list = []  # functions (program, diags) -> None, registered by the rule modules


def rule(fn):
    RULES.append(fn)
    return fn


def _load_rules():
    from . import rules  # noqa: F401  (registers RULES)


def suppressions(sources) -> dict[tuple[str, int], list[tuple[str, Span]]]:
    out: dict[tuple[str, int], list[tuple[str, Span]]] = {}
    for name, src in sources.items():
        for lineno, line in enumerate(src.text.split("\n"), 1):
            if "leaddsl" not in line:
                continue
            for m in _IGNORE.finditer(line):
                start = m.start(1)
                for part in re.finditer(r"[^,\s]+", m.group(1)):
                    col = start + part.start() + 1
                    span = Span(name, lineno, col, lineno, col + len(part.group(0)))
                    out.setdefault((name, lineno), []).append((part.group(0).upper(), span))
    return out


def lint_program(program) -> list[Diagnostic]:
    _load_rules()
    diags = Diagnostics()
    for fn in RULES:
        fn(program, diags)
    found = [d for d in program.diagnostics if d.severity != "error"] + list(diags)
    ignores = suppressions(program.sources)
    kept = []
    used: set[tuple[str, int, str]] = set()
    for d in found:
        # a statement spanning lines may be silenced on its first or last line
        codes = {c for c, _ in ignores.get((d.file, d.line), [])} | \
                {c for c, _ in ignores.get((d.file, d.end_line), [])}
        if d.code in codes:
            used.add((d.file, d.line, d.code))
            used.add((d.file, d.end_line, d.code))
            continue
        kept.append(d)
    extra = Diagnostics()
    for (file, line), entries in ignores.items():
        for code, span in entries:
            if code not in CODES:
                extra.add("W190", span, f"`{code}` is not a leaddsl code", "run `leaddsl rule` for the list of codes")
            elif (file, line, code) not in used:
                extra.add("W191", span, f"`ignore[{code}]` silences nothing on this line", "remove it")
    return sorted(kept + list(extra), key=sort_key)
