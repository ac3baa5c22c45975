"""One open document, checked: the front end's diagnostics, its AST, scope and bindings.

The editor's text is read statement by statement: a statement begins on a line
whose first word is a statement keyword (``lead``, ``let``, ``field`` ...) at
the top level, or at the first column. Each statement's text is parsed once and
kept; an edit re-parses only the statements it touched, and the others are
moved to their new lines. Because every statement is parsed on its own, a
half-typed statement breaks only itself: everything else still gives
diagnostics, hover and completion. Includes are read from disk (as ``leaddsl
check`` reads them) and kept until one of the files read changes.

Only the front end is used (parse, build, load, resolve, check); the linter
gets the :class:`leaddsl.Program` built from the same analysis, so an edit is
parsed once.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

from leaddsl import Program
from ..diagnostics import Diagnostic, Diagnostics, sort_key
from ..front import gc_paused, nodes as n
from ..front.builder import build
from ..front.check import Analysis, check
from ..front.loader import MAX_FILE_BYTES, Loaded, compile_text
from ..front.parser import parse, tree_depth_ok
from ..front.resolve import Scope, resolve
from ..source import Source, Span

_STMT_WORDS = "include|field|event|metric|let|lead|stages|score|band|route|definition"
# a bracket, or a statement keyword first on its line (group 2: the indentation)
_SPLIT = re.compile(r"[(){}]|^([ \t]*)(?:" + _STMT_WORDS + r")(?![A-Za-z0-9_.`])", re.M)
_MASK = re.compile(r'"(\\.|[^"\\\n])*"?|#[^\n]*|`[^`\n]*`?')


def _mask(text: str) -> str:
    """Text with strings, quoted names and comments blanked (positions kept)."""
    return _MASK.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def statement_starts(text: str) -> list[int]:
    """Offsets where a statement begins: 0, then every line that starts with a statement
    keyword outside brackets, or at the first column whatever the brackets (a bracket
    left open by a half-typed statement must not swallow the rest of the file)."""
    starts = [0]
    depth = 0
    for m in _SPLIT.finditer(_mask(text)):
        c = m.group(0)
        if c in "({":
            depth += 1
        elif c in ")}":
            depth = max(0, depth - 1)
        elif depth == 0 or not m.group(1):
            depth = 0
            if m.start() > 0:
                starts.append(m.start())
    return starts


@dataclass(frozen=True)
class _Parsed:
    """A statement's text parsed as if it began the file (line 1, offset 0)."""
    body: tuple
    diags: tuple
    broken: frozenset


_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}
_PASSIVE = {"str", "int", "bool", "int | float", "str | None", "_dt.date", "_dt.datetime", "tuple[str, ...]",
            "tuple[tuple[str, ...], ...]"}  # field types that hold no span


def _shift(x, file: str, dl: int, do: int):
    """``x`` (a node, a tuple, a span) moved down ``dl`` lines and ``do`` characters."""
    if isinstance(x, Span):
        if x.file != file:
            return x
        return Span(x.file, x.line + dl, x.column, x.end_line + dl, x.end_column, x.start + do, x.end + do)
    if isinstance(x, tuple):
        return tuple([_shift(i, file, dl, do) for i in x])
    if isinstance(x, n.Node):
        cls = type(x)
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = tuple((f.name, str(f.type) in _PASSIVE) for f in fields(cls))
        return cls(*[getattr(x, f) if passive else _shift(getattr(x, f), file, dl, do) for f, passive in names])
    return x


def _move(body: tuple, file: str, dl: int, do: int) -> None:
    """Move statements in place (no copy): for statements only this cache holds."""
    setattr_ = object.__setattr__
    stack = list(body)
    while stack:
        x = stack.pop()
        cls = type(x)
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = tuple((f.name, str(f.type) in _PASSIVE) for f in fields(cls))
        for f, passive in names:
            if passive:
                continue
            v = getattr(x, f)
            if isinstance(v, Span):
                if v.file == file:
                    setattr_(x, f, Span(v.file, v.line + dl, v.column, v.end_line + dl, v.end_column, v.start + do,
                                        v.end + do))
            elif isinstance(v, n.Node):
                stack.append(v)
            elif isinstance(v, tuple) and v:
                if isinstance(v[0], n.Node):
                    stack.extend(v)
                elif isinstance(v[0], (Span, tuple)):
                    setattr_(x, f, _shift(v, file, dl, do))


def _shift_diag(d: Diagnostic, dl: int) -> Diagnostic:
    return Diagnostic(d.code, d.severity, d.message, d.file, d.line + dl, d.column, d.end_line + dl,
                      d.end_column, d.hint)


class StatementCache:
    """The parsed statements of one document, by their text; those an edit did not
    touch are reused (moved to their new line when lines were added above them)."""

    def __init__(self):
        self._parsed: dict[str, tuple[_Parsed, int, int]] = {}  # text -> (parsed, its line, its offset)

    def module(self, text: str, name: str, diags: Diagnostics, broken: set) -> n.Module:
        starts = statement_starts(text)
        if not self._parsed:
            self._parsed = _parse_whole(text, name, starts)
        parsed: dict[str, tuple[_Parsed, int, int]] = {}
        body: list = []
        line = 1
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(text)
            chunk = text[start:end]
            again = parsed.get(chunk)  # the same text twice in the file: the second gets a copy
            found = again or self._parsed.get(chunk)
            if found is None:
                p = _parse_chunk(chunk, name)
                if line != 1 or start != 0:
                    p = _place(p, name, line - 1, start, copy=False)
            else:
                p, at_line, at = found
                if (at_line, at) != (line, start):
                    p = _place(p, name, line - at_line, start - at, copy=again is not None)
            parsed[chunk] = (p, line, start)
            body.extend(p.body)
            diags.extend(_unfinished(p.diags, text, end, name) if end < len(text) else p.diags)
            broken |= p.broken
            line += chunk.count("\n")
        self._parsed = parsed
        return n.Module(name, tuple(body), Span(name, 1, 1, line, 1, 0, len(text)))


def _place(p: _Parsed, name: str, dl: int, do: int, copy: bool) -> _Parsed:
    """The statements moved down ``dl`` lines and ``do`` characters; in place unless ``copy``
    (a snapshot that still holds them sees them move: the server replaces it right after)."""
    if copy:
        body = _shift(p.body, name, dl, do)
    else:
        _move(p.body, name, dl, do)
        body = p.body
    return _Parsed(body, tuple(_shift_diag(d, dl) for d in p.diags), p.broken)


def _parse_whole(text: str, name: str, starts: list[int]) -> dict:
    """A document opened: parsed whole (faster than statement by statement), its
    statements then filed under the statement texts they start in. A file with syntax
    errors is left to be parsed statement by statement (empty result)."""
    diags = Diagnostics()
    source = Source(name, text)
    tree = parse(source, diags, set())
    if diags or tree is None or not tree_depth_ok(tree, source, diags):
        return {}
    body = build(tree, name, diags).body
    if diags:
        return {}
    out: dict = {}
    by_start: dict[int, list] = {}
    k = 0
    for stmt in body:
        while k + 1 < len(starts) and starts[k + 1] <= stmt.span.start:
            k += 1
        by_start.setdefault(k, []).append(stmt)
    line = 1
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(text)
        chunk = text[start:end]
        out.setdefault(chunk, (_Parsed(tuple(by_start.get(k, ())), (), frozenset()), line, start))
        line += chunk.count("\n")
    return out


def _unfinished(found, text: str, end: int, name: str):
    """A statement that ends before the next one begins: reported at the next statement's
    keyword, as the parser of the whole file reports it (not as the end of the file)."""
    out = []
    for d in found:
        if d.code == "E005":
            m = re.match(r"[ \t]*", text[end:])
            word = re.match(r"[A-Za-z]+", text[end + m.end():]).group(0)
            span = Source(name, text).span_at(end + m.end(), len(word))
            d = Diagnostic("E001", "error", f"unexpected `{word}`: the statement before it is not finished", name,
                           span.line, span.column, span.end_line, span.end_column, "finish that statement")
        out.append(d)
    return out


def _parse_chunk(chunk: str, name: str) -> _Parsed:
    diags = Diagnostics()
    broken: set[str] = set()
    source = Source(name, chunk)
    tree = parse(source, diags, broken)
    body: tuple = ()
    if tree is not None and tree_depth_ok(tree, source, diags):
        body = build(tree, name, diags).body
    return _Parsed(body, tuple(diags), frozenset(broken))


@dataclass
class Snapshot:
    """What the server knows about one version of a document."""
    name: str                      # the file name the diagnostics and spans carry
    text: str
    diagnostics: list              # the front end's, every file read (the linter's come later)
    modules: list                  # this file's first, then the files it includes
    sources: dict                  # file name -> Source
    scope: Scope
    analysis: Analysis
    program: Program | None = None  # when there is no error: what the linter reads
    includes: dict = field(default_factory=dict)  # file name -> the include statement of this file that reads it

    @property
    def module(self) -> n.Module:
        return self.modules[0]

    def include_for(self, file: str):
        """The include statement of this document that reads ``file`` (directly or through
        another file), or its first include when none does (a file that could not be read)."""
        if file in self.includes:
            return self.includes[file]
        mine = [s for s in self.module.body if isinstance(s, n.Include)]
        here = os.path.dirname(self.name)
        return next((s for s in mine if _same(os.path.join(here, s.path), file)), mine[0] if mine else None)


def _stat(name: str):
    try:
        st = os.stat(name)
        return st.st_mtime_ns, st.st_size
    except (OSError, ValueError):
        return None


class Document:
    """One open document: its cache of parsed statements and of the files it includes."""

    def __init__(self, path: str):
        self.path = path  # absolute; names the file in diagnostics
        self.statements = StatementCache()
        self._includes_key = None
        self._includes = None

    def analyse(self, text: str) -> Snapshot:
        with gc_paused():
            return self._analyse(text)

    def _analyse(self, text: str) -> Snapshot:
        name = self.path
        diags = Diagnostics()
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_FILE_BYTES:
            diags.add("E007", Span(name, 1, 1, 1, 2), f"the text is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                      "split the definitions into several files")
            return self._snapshot(text, diags, Loaded(sources={name: Source(name, text)}), n.Module(name, ()))
        broken: set[str] = set()
        module = self.statements.module(text, name, diags, broken)
        loaded = self._load_includes(text, module, diags)
        loaded.broken |= broken
        loaded.sources[name] = Source(name, text)
        return self._snapshot(text, diags, loaded, module)

    def _snapshot(self, text, diags: Diagnostics, loaded: Loaded, module: n.Module) -> Snapshot:
        modules = [module, *loaded.modules[1:]]
        statements = [s for m in modules for s in m.body if not isinstance(s, n.Include)]
        scope = resolve(statements, diags)
        scope.broken = set(loaded.broken)
        analysis = check(scope, diags)
        found = sorted(diags, key=sort_key)
        program = None if diags.has_errors() else Program(analysis, found, loaded.sources)
        snap = Snapshot(self.path, text, found, modules, loaded.sources, scope, analysis, program)
        snap.includes = _include_of(module, modules)
        return snap

    def _load_includes(self, text: str, module: n.Module, diags: Diagnostics) -> Loaded:
        """The files this document includes, read by the loader from a text that holds only
        the include statements (at their places); kept while none of the files changed."""
        includes = [s for s in module.body if isinstance(s, n.Include)]
        if not includes:
            return Loaded(modules=[module])
        parts, at = [], 0
        for s in includes:
            parts += [re.sub(r"[^\n]", " ", text[at:s.span.start]), text[s.span.start:s.span.end]]
            at = s.span.end
        shadow = "".join(parts) + re.sub(r"[^\n]", " ", text[at:])
        if self._includes is not None and self._includes_key[0] == shadow:
            if all(_stat(f) == st for f, st in self._includes_key[1].items()):
                loaded, found = self._includes
                diags.extend(found)
                return Loaded(modules=list(loaded.modules), sources=dict(loaded.sources), broken=set(loaded.broken))
        found = Diagnostics()
        loaded = compile_text(shadow, self.path, found)
        files = {f: _stat(f) for f in loaded.sources if f != self.path}
        self._includes_key = (shadow, files)
        self._includes = (loaded, list(found))
        diags.extend(found)
        return Loaded(modules=list(loaded.modules), sources=dict(loaded.sources), broken=set(loaded.broken))


def _include_of(module: n.Module, modules: list) -> dict:
    """Each included file -> the include statement of this document that brings it in
    (a file included by an included file: that file's include statement here)."""
    out: dict = {}
    mine = [s for s in module.body if isinstance(s, n.Include)]
    by_file = {m.file: m for m in modules}
    for stmt in mine:
        target = os.path.normpath(os.path.join(os.path.dirname(module.file), stmt.path))
        name = next((f for f in by_file if f != module.file and _same(f, target)), None)
        if name is None:
            continue
        todo = [name]
        while todo:
            f = todo.pop()
            if f in out:
                continue
            out[f] = stmt
            for inc in (s for s in by_file[f].body if isinstance(s, n.Include)):
                t = os.path.normpath(os.path.join(os.path.dirname(f), inc.path))
                todo.extend(g for g in by_file if g not in out and _same(g, t))
    return out


def _same(a: str, b: str) -> bool:
    return Path(os.path.abspath(a)) == Path(os.path.abspath(b))
