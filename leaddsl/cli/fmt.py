"""``leaddsl fmt``: rewrite .lead files in the canonical layout (``--check`` for CI)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

import leaddsl

from ..diagnostics import DslError
from ..io.output import AtomicFile, OutputError
from ..source import Source
from ..tools.fmt import unified_diff
from . import _lead_files, _say, _usage, main, render


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True,
              help="Change nothing: list the files that would change and exit 1 if there are any (for CI).")
@click.option("--diff", "show_diff", is_flag=True, help="Change nothing: print the changes as a unified diff.")
def fmt_cmd(paths, check_only, show_diff):
    """Lay out .lead files (or folders of them) in the one canonical layout, comments kept.
    `-` reads a file from stdin and writes it to stdout. Exit 0 when done or nothing would
    change, 1 when --check finds files to change or a file has syntax errors (not formatted),
    2 for usage errors."""
    if "-" in paths:
        if len(paths) > 1:
            raise _usage("`-` (stdin) cannot be given with other paths")
        sys.exit(_stdin(check_only, show_diff))
    files = _lead_files(paths)
    if not files:
        raise _usage("no .lead files found in " + ", ".join(paths))
    changed = unchanged = failed = 0
    for f in files:
        name = str(f)
        text = _read(Path(f), name)
        if text is None:
            failed += 1
            continue
        try:
            new = leaddsl.format_text(text, name)
        except DslError as e:
            _errors(e, text)
            failed += 1
            continue
        if new == text:
            unchanged += 1
            continue
        changed += 1
        if show_diff:
            click.echo(unified_diff(text, new, name), nl=False)
        if check_only:
            click.echo(f"would reformat {render.printable(name)}")
        elif not show_diff:
            try:
                sink = AtomicFile(name)
                sink.stream.write(new)
                sink.commit()
            except OutputError as e:
                _say(str(e))
                failed += 1
                changed -= 1
                continue
    verb = "would be reformatted" if check_only or show_diff else "reformatted"
    summary = f"{changed} file(s) {verb}, {unchanged} unchanged"
    _say(summary + (f", {failed} not formatted (errors above)" if failed else ""))
    sys.exit(1 if failed or (check_only and changed) else 0)


def _read(path: Path, name: str) -> str | None:
    """The text of a file, or None after saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as e:
        _say(f"{name}: cannot be read ({e.strerror or e})")
        return None
    return _decode(data, name)


def _decode(data: bytes, name: str) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        _say(f"{name}:{line}: not UTF-8 text (byte {e.start}); save the file as UTF-8")
        return None


def _stdin(check_only: bool, show_diff: bool) -> int:
    stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    data = stream.read()
    text = _decode(data.encode("utf-8") if isinstance(data, str) else data, "<stdin>")
    if text is None:
        return 1
    try:
        new = leaddsl.format_text(text, "<stdin>")
    except DslError as e:
        _errors(e, text)
        return 1
    if show_diff:
        click.echo(unified_diff(text, new, "<stdin>"), nl=False)
    elif not check_only:
        click.echo(new, nl=False)
    return 1 if check_only and new != text else 0


def _errors(e: DslError, text: str | None) -> None:
    """The diagnostics of a file that was not formatted, as ``check`` shows them."""
    sources = dict(e.sources)
    for d in e.diagnostics:
        if d.file not in sources and text is not None:
            sources[d.file] = Source(d.file, text)
    click.echo(render.text(list(e.diagnostics), sources, color=sys.stderr.isatty()), err=True)
