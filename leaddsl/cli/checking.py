"""`leaddsl check`: parse, type-check and lint files or folders, show their headers."""
from __future__ import annotations

import sys
from pathlib import Path

import click

import leaddsl
from leaddsl import Program

from ..diagnostics import sort_key
from . import _as_of, _fail_definitions, _format, _lead_files, _roots_first, _say, _usage, main, render


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--select", multiple=True, metavar="CODE",
              help="Only report these codes (or prefixes such as W1); repeatable, comma-separated.")
@click.option("--ignore", multiple=True, metavar="CODE",
              help="Do not report these codes (or prefixes); repeatable, comma-separated.")
@click.option("--lint-budget", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Wall-clock seconds the linter may spend on each file (default 5, or LEADDSL_LINT_BUDGET).")
@click.option("--as-of", "as_of", metavar="ISO", help="The time a header's review date is compared with (default now).")
@click.option("--against", metavar="OLD",
              help="The previous version (a file or REV:PATH): warn (W115) when the conditions changed but the "
                   "effective date did not. Needs a single PATH.")
def check(paths, fmt, strict, select, ignore, lint_budget, as_of, against):
    """Parse, type-check and lint .lead files or folders of them; show their definition headers."""
    sel, ign = _codes(select), _codes(ignore, "--ignore")  # (before the files: a typo stops at once)
    files = _lead_files(paths)
    if not files:
        raise _usage("no .lead files found in " + ", ".join(paths))
    moment = _as_of(as_of) if as_of is not None else None
    if against is not None and len(files) != 1:
        raise _usage("--against compares one definition file with its previous version: give a single file")
    headers: list[str] = []
    out = []
    seen = set()
    sources: dict = {}
    covered: set[Path] = set()
    notes: list[str] = []
    for f in _roots_first(files):
        if f.resolve() in covered:
            continue  # checked through a file that includes it
        checked = leaddsl.check(f, lint_budget=lint_budget, as_of=moment)
        if checked.program is not None and checked.program.agreement is not None:
            headers.append(f"{f}: " + "\n".join(checked.program.agreement.lines()))
        if against is not None and checked.program is not None:
            from ..lint.suppress import apply_late
            late, checked.diagnostics = apply_late(_against(against, checked.program), list(checked.diagnostics),
                                                   checked.sources)
            checked.diagnostics.extend(late)
        if checked.note:
            notes.append(f"{f}: {checked.note}")
        sources.update(checked.sources)
        covered.update(Path(name).resolve() for name in checked.sources)
        for d in checked.diagnostics:
            key = (d.file, d.line, d.column, d.code, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
    out = [d for d in out if (not sel or d.code.startswith(sel)) and not (ign and d.code.startswith(ign))]
    out.sort(key=sort_key)
    text = _format(out, sources, fmt, color=(fmt == "text" and sys.stdout.isatty()))
    for note in notes:  # the lint of a large file stopped at its budget: say so, whatever the format
        _say(f"note: {note}")
    if fmt == "text":
        if text:
            click.echo(text)
        for header in headers:
            _say(header)
        click.echo(render.summary(out, len(files)), err=True)
    else:
        click.echo(text)
    failing = any(d.severity == "error" for d in out) or (strict and any(d.severity == "warning" for d in out))
    sys.exit(1 if failing else 0)


def _against(old: str, program: Program) -> list:
    """W115 of ``program`` against the version ``old`` (a file or REV:PATH)."""
    from ..lint.agreement import effective_unchanged
    from ..tools.versions import VersionError, load_version
    try:
        previous = load_version(old)
    except VersionError as e:
        raise _usage(str(e)) from None
    except leaddsl.DslError as e:
        _say(f"--against {old}: the old version has errors; it cannot be compared")
        _fail_definitions(e.diagnostics, e.sources)
    return effective_unchanged(previous, program, old)


def _codes(values, option: str = "--select") -> tuple[str, ...]:
    """The codes or prefixes of ``--select``/``--ignore``; one that no code starts with is a
    usage error with a did-you-mean (it would select or ignore nothing, in silence)."""
    from ..codes import CODES
    from ..diagnostics import did_you_mean
    out = []
    for v in values:
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    for code in out:
        if not any(known.startswith(code) for known in CODES):
            hint = did_you_mean(code, sorted(CODES)) or "`leaddsl rule` lists the codes"
            raise _usage(f"{option} {code}: no diagnostic code is or starts with `{code}`; {hint}")
    return tuple(out)
