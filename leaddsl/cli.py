"""The command line: check, eval, explain, rule."""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import click

from . import render
from .api import _finish
from .codes import CODES
from .diagnostics import DataError, Diagnostics, DslError, sort_key
from .io import EventTable, InputError, Writer, _has_surrogates, id_text, output_format, read_rows
from .loader import load_file
from .program import Program, normalize_as_of


def _lead_files(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(f for f in path.rglob("*.lead") if f.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise click.UsageError(f"{p}: no such file or folder")
    return files


_INCLUDE = re.compile(r'^[ \t]*include[ \t]+"([^"\n]*)"', re.MULTILINE)


def _roots_first(files: list[Path]) -> list[Path]:
    """The files no other file includes, then the others: compiling a root checks the
    files it includes, so each file of an include chain is compiled once, not once per
    file above it. (Found by a quick scan; a wrong guess only costs time.)"""
    included: set[Path] = set()
    for f in files:
        try:
            text = f.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        included.update((f.parent / m).resolve() for m in _INCLUDE.findall(text))
    return sorted(files, key=lambda f: f.resolve() in included)


def _compile_file(path: Path, lint: bool = True):
    """(program or None, diagnostics, loaded) for one root file."""
    diags = Diagnostics()
    loaded = load_file(path, diags)
    program = None
    try:
        program = _finish(loaded, diags)
    except DslError:
        pass
    all_diags = list(diags)
    if program is not None and lint:
        from .lint import lint_program
        all_diags = [d for d in all_diags if d.severity == "error"] + lint_program(program)
    return program, all_diags, loaded


def _fail_definitions(diags, sources, fmt="text"):
    click.echo(_format(diags, sources, fmt, color=sys.stderr.isatty()), err=True)
    sys.exit(1)


def _format(diags, sources, fmt, color=False) -> str:
    if fmt == "json":
        return render.as_json(diags)
    if fmt == "sarif":
        return render.sarif(diags)
    if fmt == "github":
        return render.github(diags)
    return render.text(diags, sources, color=color)


def _load_program(defs: str) -> Program:
    path = Path(defs)
    if not path.is_file():
        raise click.UsageError(f"{defs}: no such definition file")
    program, diags, loaded = _compile_file(path, lint=False)
    if program is None:
        _fail_definitions(sorted(diags, key=sort_key), loaded.sources)
    return program


def _as_of(value):
    try:
        return normalize_as_of(value)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--as-of") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="leaddsl")
def main():
    """leaddsl: write, check and evaluate lead definitions."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="How to print the diagnostics.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--select", multiple=True, metavar="CODE",
              help="Only report these codes (or prefixes such as W1); repeatable, comma-separated.")
@click.option("--ignore", multiple=True, metavar="CODE",
              help="Do not report these codes (or prefixes); repeatable, comma-separated.")
def check(paths, fmt, strict, select, ignore):
    """Parse, type-check and lint .lead files or folders of them."""
    files = _lead_files(paths)
    if not files:
        raise click.UsageError("no .lead files found in " + ", ".join(paths))
    out = []
    seen = set()
    sources: dict = {}
    covered: set[Path] = set()
    for f in _roots_first(files):
        if f.resolve() in covered:
            continue  # checked through a file that includes it
        _program, diags, loaded = _compile_file(f)
        sources.update(loaded.sources)
        covered.update(Path(name).resolve() for name in loaded.sources)
        for d in diags:
            key = (d.file, d.line, d.column, d.code, d.message)
            if key not in seen:
                seen.add(key)
                out.append(d)
    sel = _codes(select)
    ign = _codes(ignore)
    out = [d for d in out if (not sel or d.code.startswith(sel)) and not (ign and d.code.startswith(ign))]
    out.sort(key=sort_key)
    text = _format(out, sources, fmt, color=(fmt == "text" and sys.stdout.isatty()))
    if fmt == "text":
        if text:
            click.echo(text)
        click.echo(render.summary(out, len(files)), err=True)
    else:
        click.echo(text)
    failing = any(d.severity == "error" for d in out) or (strict and any(d.severity == "warning" for d in out))
    sys.exit(1 if failing else 0)


def _codes(values) -> tuple[str, ...]:
    out = []
    for v in values:
        out.extend(c.strip().upper() for c in v.split(",") if c.strip())
    return tuple(out)


@main.command("eval")
@click.argument("defs")
@click.argument("data")
@click.option("--events", "events_path", metavar="FILE", help="A table of events (lead_id, type, ts, properties).")
@click.option("--as-of", "as_of", metavar="ISO", help="Evaluate as of this time (default: now, UTC).")
@click.option("--id-field", default="id", show_default=True, help="The column or key that identifies a lead.")
@click.option("-o", "--output", metavar="OUT", help="Write results here (.jsonl or .csv); default stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), help="Output format (default from -o, else jsonl).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal).")
def eval_cmd(defs, data, events_path, as_of, id_field, output, fmt, progress):
    """Evaluate every lead in DATA (.jsonl, .csv, .parquet) against DEFS."""
    program = _load_program(defs)
    moment = _as_of(as_of)
    try:
        out_fmt = output_format(output, fmt)
        rows = read_rows(data)
        table = EventTable(events_path) if events_path else None
    except InputError as e:
        raise click.UsageError(str(e)) from None
    columns = ["id", *program.definitions] + (["stage"] if program.stages else [])
    stream = open(output, "w", encoding="utf-8", newline="") if output and output != "-" else sys.stdout
    writer = Writer(stream, out_fmt, columns)
    counts: Counter = Counter()
    stages: Counter = Counter()
    total = errors = 0
    show = progress if progress is not None else sys.stderr.isatty()
    bar = _progress(show)
    try:
        for row in rows:
            total += 1
            record = row.record
            lead_id = (record if record is not None else row.partial or {}).get(id_field)
            if isinstance(lead_id, str) and _has_surrogates(lead_id):
                lead_id = None
            error = row.error
            result = None
            if record is not None:
                extra = table.events_for(lead_id) if table is not None else None
                try:
                    result = program.evaluate(record, moment, events=extra)
                except DataError as e:
                    error = str(e)
            out = {"id": lead_id}
            if result is None:
                errors += 1
                for name in program.definitions:
                    out[name] = None
                if program.stages:
                    out["stage"] = None
                out["error"] = error
                where = f"line {row.number}" if not error.startswith("line ") else ""
                ident = f" (id {id_text(lead_id)})" if lead_id is not None else ""
                click.echo(f"{data}: {where}{ident}: {error}".replace(": : ", ": ").replace(" : ", ": "), err=True)
            else:
                for name in program.definitions:
                    v = result[name]
                    out[name] = v
                    counts[name] += v
                if program.stages:
                    out["stage"] = result.stage
                    stages[result.stage] += 1
            writer.write(out)
            if bar is not None and total % 500 == 0:
                bar.update(total)
    except InputError as e:
        raise click.UsageError(str(e)) from None
    finally:
        if bar is not None:
            bar.close()
        if stream is not sys.stdout:
            stream.close()
        else:
            stream.flush()
    if table is not None:
        for msg in table.bad_rows:
            click.echo(msg, err=True)
    _summary(total, errors, counts, stages, program)
    sys.exit(1 if errors or (table is not None and table.bad_rows) else 0)


class _Bar:
    def __init__(self):
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
        self.p = Progress(SpinnerColumn(), TextColumn("{task.completed:,} leads"), TimeElapsedColumn(),
                          console=Console(stderr=True), transient=True)
        self.p.start()
        self.task = self.p.add_task("eval", total=None)

    def update(self, n):
        self.p.update(self.task, completed=n)

    def close(self):
        self.p.stop()


def _progress(show: bool):
    return _Bar() if show else None


def _summary(total, errors, counts, stages, program):
    lines = [f"{total:,} lead(s) read, {errors:,} with errors"]
    ok = total - errors
    for name in program.definitions:
        pct = f" ({100 * counts[name] / ok:.1f}%)" if ok else ""
        lines.append(f"  {name}: {counts[name]:,}{pct}")
    if program.stages:
        parts = ", ".join(f"{s}: {stages[s]:,}" for s in program.stages)
        lines.append(f"  stage: {parts}, none: {stages[None]:,}")
    click.echo("\n".join(lines), err=True)


@main.command()
@click.argument("defs")
@click.argument("data")
@click.option("--id", "lead", required=True, help="The id of the lead to explain.")
@click.option("--events", "events_path", metavar="FILE", help="A table of events (lead_id, type, ts, properties).")
@click.option("--as-of", "as_of", metavar="ISO", help="Evaluate as of this time (default: now, UTC).")
@click.option("--id-field", default="id", show_default=True)
def explain(defs, data, lead, events_path, as_of, id_field):
    """Why one lead does or does not qualify: each clause with its value."""
    program = _load_program(defs)
    moment = _as_of(as_of)
    try:
        table = EventTable(events_path) if events_path else None
        for row in read_rows(data):
            if row.record is None or id_text(row.record.get(id_field)) != lead.strip():
                continue
            extra = table.events_for(row.record.get(id_field)) if table is not None else None
            try:
                click.echo(program.explain(row.record, moment, events=extra))
            except DataError as e:
                click.echo(f"{data}: line {row.number} (id {lead}): {e}", err=True)
                sys.exit(1)
            return
    except InputError as e:
        raise click.UsageError(str(e)) from None
    click.echo(f"{data}: no lead with {id_field} = {lead}", err=True)
    sys.exit(1)


@main.command()
@click.argument("code", required=False)
def rule(code):
    """Show the documentation of a diagnostic code (all codes without CODE)."""
    from . import lint  # noqa: F401  (registers the lint codes)
    if not code:
        for c in sorted(CODES.values(), key=lambda c: c.code):
            first = c.summary.split(". ")[0].rstrip(".") + "."
            click.echo(f"{c.code}  {c.severity:<7}  {c.slug:<24} {first}")
        return
    c = CODES.get(code.strip().upper())
    if c is None:
        from .resolve import did_you_mean
        hint = did_you_mean(code.upper(), CODES) or "run `leaddsl rule` for the list"
        raise click.UsageError(f"unknown code {code}; {hint}")
    click.echo(c.render())


if __name__ == "__main__":  # pragma: no cover
    main()
