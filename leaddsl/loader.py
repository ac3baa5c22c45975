"""Files and includes: containment, cycles, every file read once."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import nodes as n
from .builder import build
from .diagnostics import Diagnostics
from .parser import parse, tree_depth_ok
from .source import Source, Span

MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass
class Loaded:
    modules: list[n.Module] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    syntax_errors: bool = False
    broken: set[str] = field(default_factory=set)  # names declared by statements that did not parse

    @property
    def statements(self) -> list:
        return [s for m in self.modules for s in m.body if not isinstance(s, n.Include)]


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else str(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def compile_text(text: str, filename: str, diags: Diagnostics, root: Path | None = None) -> Loaded:
    loaded = Loaded()
    base = Path(filename)
    root = root or (base.parent.resolve() if base.parent != Path("") else Path.cwd().resolve())
    _load_text(text, filename, base.resolve() if base.name else None, root, loaded, diags, [])
    return loaded


def load_file(path: str | os.PathLike, diags: Diagnostics) -> Loaded:
    loaded = Loaded()
    p = Path(path)
    root = p.resolve().parent
    text = _read(p, _display(p), None, diags)
    if text is not None:
        _load_text(text, _display(p), p.resolve(), root, loaded, diags, [])
    return loaded


def _read(path: Path, name: str, span: Span | None, diags: Diagnostics) -> str | None:
    where = span or Span(name, 1, 1, 1, 1)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diags.add("E007", where, f"`{name}` is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                      "split the definitions into several files")
            return None
        data = path.read_bytes()
    except FileNotFoundError:
        if span is not None:
            return None
        diags.add("E007", where, f"`{name}` does not exist")
        return None
    except OSError as e:
        diags.add("E007", where, f"`{name}` cannot be read: {e.strerror or e}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        diags.add("E007", Span(name, line, 1, line, 2), f"`{name}` is not UTF-8 text (byte {e.start})",
                  "save the file as UTF-8")
        return None
    if "\0" in text:
        diags.add("E007", Span(name, 1, 1, 1, 2), f"`{name}` holds NUL bytes and is not a text file")
        return None
    return text


def _load_text(text: str, name: str, path: Path | None, root: Path, loaded: Loaded,
               diags: Diagnostics, stack: list[Path]) -> None:
    source = Source(name, text)
    loaded.sources[name] = source
    before = len(diags)
    tree = parse(source, diags, loaded.broken)
    if len(diags) > before:
        loaded.syntax_errors = True
    if tree is None or not tree_depth_ok(tree, source, diags):
        loaded.syntax_errors = True
        return
    module = build(tree, name, diags)
    loaded.modules.append(module)
    here = path.parent if path is not None else root
    for stmt in module.body:
        if isinstance(stmt, n.Include):
            _include(stmt, here, root, loaded, diags, stack + ([path] if path else []))


def _include(stmt: n.Include, here: Path, root: Path, loaded: Loaded, diags: Diagnostics,
             stack: list[Path]) -> None:
    raw = stmt.path
    if not raw.strip():
        diags.add("E205", stmt.span, "`include` needs a file path")
        return
    if os.path.isabs(raw) or raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":"):
        diags.add("E206", stmt.span, f"`{raw}` is an absolute path",
                  "include files with a path relative to this file, inside the definitions folder")
        return
    target = (here / raw).resolve()
    try:
        target.relative_to(root)
    except ValueError:
        diags.add("E206", stmt.span, f"`{raw}` is outside the folder of the first file loaded ({_display(root)})",
                  "move the file under that folder and include it with a relative path")
        return
    if target in stack:
        chain = " -> ".join(_display(p) for p in stack[stack.index(target):] + [target])
        diags.add("E207", stmt.span, f"include cycle: {chain}", "remove one of these includes")
        return
    name = _display(target)
    if name in loaded.sources:
        return  # already loaded (diamond includes): read each file once
    if not target.is_file():
        diags.add("E205", stmt.span, f"`{raw}` does not exist (looked for {name})",
                  "the path is relative to the file that includes it")
        return
    text = _read(target, name, stmt.span, diags)
    if text is None:
        return
    _load_text(text, name, target, root, loaded, diags, stack)
