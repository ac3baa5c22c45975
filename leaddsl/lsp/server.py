"""The language server over stdio (``leaddsl lsp``), on pygls.

Diagnostics: an edit is checked after a pause in typing (``DEBOUNCE`` seconds),
in a worker thread, so the editor never waits; the front end's diagnostics
(syntax, names, types) are published first, then the linter's, which runs in a
second thread with its wall-clock budget and is cut short when a newer edit
arrives. A diagnostic in an included file is shown on the ``include`` that
reads it. Every request answers from the last checked version of the document.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
import traceback
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, urlparse

from lsprotocol import types as L
from pygls.lsp.server import LanguageServer

from .. import __version__
from ..codes import CODES
from ..lint import lint_program
from ..lint.budget import Budget
from . import navigate
from .analysis import Document, Snapshot
from .complete import complete
from .fixes import fixes

DEBOUNCE = float(os.environ.get("LEADDSL_LSP_DEBOUNCE", "0.15"))
_SEVERITY = {"error": L.DiagnosticSeverity.Error, "warning": L.DiagnosticSeverity.Warning,
             "info": L.DiagnosticSeverity.Information}
_KINDS = {"field": L.CompletionItemKind.Field, "event": L.CompletionItemKind.Event,
          "prop": L.CompletionItemKind.Property, "member": L.CompletionItemKind.EnumMember,
          "metric": L.CompletionItemKind.Function, "let": L.CompletionItemKind.Variable,
          "lead": L.CompletionItemKind.Class, "score": L.CompletionItemKind.Value,
          "band": L.CompletionItemKind.Enum, "route": L.CompletionItemKind.Enum,
          "keyword": L.CompletionItemKind.Keyword, "duration": L.CompletionItemKind.Unit,
          "type": L.CompletionItemKind.TypeParameter, "code": L.CompletionItemKind.Reference}
_SYMBOLS = {"field": L.SymbolKind.Field, "event": L.SymbolKind.Event, "metric": L.SymbolKind.Function,
            "let": L.SymbolKind.Variable, "lead": L.SymbolKind.Class, "score": L.SymbolKind.Number,
            "band": L.SymbolKind.Enum, "route": L.SymbolKind.Enum, "prop": L.SymbolKind.Property,
            "member": L.SymbolKind.EnumMember}


def uri_to_path(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return os.path.abspath(unquote(parsed.path))
    return os.path.abspath(unquote(parsed.path or uri) or "untitled.lead")


def path_to_uri(path: str) -> str:
    from pathlib import Path
    return Path(os.path.abspath(path)).as_uri()


class _Open:
    """The server's state for one open document."""

    def __init__(self, uri: str):
        self.uri = uri
        self.doc = Document(uri_to_path(uri))
        self.version = 0
        self.snap: Snapshot | None = None
        self.task: asyncio.Task | None = None
        self.budget: Budget | None = None
        self.index = None
        self.published: list = []


class LeadServer(LanguageServer):
    def __init__(self):
        super().__init__("leaddsl", __version__)
        self.open: dict[str, _Open] = {}
        self.front_pool = ThreadPoolExecutor(1, thread_name_prefix="leaddsl-check")
        self.lint_pool = ThreadPoolExecutor(1, thread_name_prefix="leaddsl-lint")

    # ------------------------------------------------------------- checking
    def schedule(self, uri: str, delay: float) -> None:
        state = self.open.setdefault(uri, _Open(uri))
        state.version += 1
        if state.budget is not None:
            state.budget.deadline = float("-inf")  # an older lint stops at its next check of the clock
        if state.task is not None:
            state.task.cancel()
        state.task = asyncio.get_running_loop().create_task(self._check(state, state.version, delay))

    async def _check(self, state: _Open, version: int, delay: float) -> None:
        try:
            if delay:
                await asyncio.sleep(delay)
            try:
                text = self.workspace.get_text_document(state.uri).source
            except Exception:
                return
            loop = asyncio.get_running_loop()
            snap = await loop.run_in_executor(self.front_pool, _analyse, state.doc, text)
            if version != state.version:
                return
            state.snap, state.index = snap, None
            self.publish(state, snap.diagnostics)
            if snap.program is None:
                return
            budget = state.budget = Budget()
            found = await loop.run_in_executor(self.lint_pool, _lint, snap, budget)
            if version == state.version and found is not None:
                self.publish(state, found)
        except asyncio.CancelledError:
            pass
        except Exception:  # never a dead server: say what broke, keep serving
            logging.getLogger("leaddsl.lsp").error("checking %s failed:\n%s", state.uri, traceback.format_exc())

    def publish(self, state: _Open, found: list) -> None:
        snap = state.snap
        out = []
        for d in found:
            if d.file == snap.name:
                rng = self.range(snap, d.file, d.line, d.column, d.end_line, d.end_column)
                message = d.message
            else:  # in an included file: shown on the include that reads it
                stmt = snap.include_for(d.file)
                if stmt is None:
                    continue
                s = stmt.span
                rng = self.range(snap, s.file, s.line, s.column, s.end_line, s.end_column)
                message = f"{d.file}:{d.line}:{d.column}: {d.message}"
            out.append(L.Diagnostic(
                range=rng, message=message + (f"\nhint: {d.hint}" if d.hint else ""), severity=_SEVERITY[d.severity],
                code=d.code, source="leaddsl",
                data={"code": d.code, "severity": d.severity, "hint": d.hint, "local": d.file == snap.name,
                      "span": [d.line, d.column, d.end_line, d.end_column]}))
        state.published = out
        self.text_document_publish_diagnostics(L.PublishDiagnosticsParams(uri=state.uri, diagnostics=out))

    # ------------------------------------------------------------ positions
    def _lines(self, snap: Snapshot, file: str) -> list[str]:
        src = snap.sources.get(file)
        return src.text.split("\n") if src is not None else []

    def position(self, snap: Snapshot, file: str, line: int, col: int) -> L.Position:
        codec = self.workspace.position_codec
        return codec.position_to_client_units(self._lines(snap, file), L.Position(line - 1, max(0, col - 1)))

    def range(self, snap: Snapshot, file: str, line: int, col: int, end_line: int, end_col: int) -> L.Range:
        return L.Range(self.position(snap, file, line, col), self.position(snap, file, end_line, end_col))

    def location(self, snap: Snapshot, span) -> L.Location:
        return L.Location(path_to_uri(span.file), self.range(snap, span.file, span.line, span.column, span.end_line,
                                                             span.end_column))

    def here(self, uri: str, pos: L.Position):
        """(state, snapshot, line, column) of a client position, 1-based code points."""
        state = self.open.get(uri)
        if state is None or state.snap is None:
            return None
        lines = state.snap.text.split("\n")
        p = self.workspace.position_codec.position_from_client_units(lines, L.Position(pos.line, pos.character))
        return state, state.snap, p.line + 1, p.character + 1

    def index(self, state: _Open):
        if state.index is None or state.index.snap is not state.snap:
            state.index = navigate.Index(state.snap)
        return state.index


def _analyse(doc: Document, text: str) -> Snapshot:
    return doc.analyse(text)


def _lint(snap: Snapshot, budget: Budget):
    try:
        return list(lint_program(snap.program, budget=budget))
    except Exception:
        return None


server = LeadServer()


@server.feature(L.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: LeadServer, params: L.DidOpenTextDocumentParams):
    ls.schedule(params.text_document.uri, 0)


@server.feature(L.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: LeadServer, params: L.DidChangeTextDocumentParams):
    ls.schedule(params.text_document.uri, DEBOUNCE)


@server.feature(L.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: LeadServer, params: L.DidSaveTextDocumentParams):
    ls.schedule(params.text_document.uri, 0)


@server.feature(L.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: LeadServer, params: L.DidCloseTextDocumentParams):
    state = ls.open.pop(params.text_document.uri, None)
    if state is not None and state.task is not None:
        state.task.cancel()
    ls.text_document_publish_diagnostics(L.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


@server.feature(L.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def files_changed(ls: LeadServer, params: L.DidChangeWatchedFilesParams):
    for uri in list(ls.open):  # an included file changed, appeared or was deleted
        ls.schedule(uri, 0)


@server.feature(L.TEXT_DOCUMENT_HOVER)
def hover(ls: LeadServer, params: L.HoverParams):
    at = ls.here(params.text_document.uri, params.position)
    if at is None:
        return None
    state, snap, line, col = at
    parts = []
    found = ls.index(state).at(snap.name, line, col)
    if found is not None:
        key, span, binding = found
        text = ls.index(state).hover(key, binding)
        if text:
            parts.append(text)
    word = _word_at(snap.text, line, col)
    if word and word.upper() in CODES:
        parts.append(navigate.code_doc(word))
    for d in state.published:
        r = d.data.get("span") if isinstance(d.data, dict) else None
        if r and d.data.get("local") and (r[0], r[1]) <= (line, col) <= (r[2], r[3]):
            doc = navigate.code_doc(d.data["code"])
            if doc and doc not in parts:
                parts.append(doc)
    if not parts:
        return None
    return L.Hover(contents=L.MarkupContent(kind=L.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


def _word_at(text: str, line: int, col: int) -> str | None:
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    src = lines[line - 1]
    for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", src):
        if m.start() < col <= m.end() + 1:
            return m.group(0)
    return None


@server.feature(L.TEXT_DOCUMENT_DEFINITION)
def definition(ls: LeadServer, params: L.DefinitionParams):
    at = ls.here(params.text_document.uri, params.position)
    if at is None:
        return None
    state, snap, line, col = at
    ix = ls.index(state)
    found = ix.at(snap.name, line, col)
    if found is None or found[0] not in ix.decls:
        return None
    return ls.location(snap, ix.decls[found[0]].span)


@server.feature(L.TEXT_DOCUMENT_REFERENCES)
def references(ls: LeadServer, params: L.ReferenceParams):
    at = ls.here(params.text_document.uri, params.position)
    if at is None:
        return None
    state, snap, line, col = at
    ix = ls.index(state)
    found = ix.at(snap.name, line, col)
    if found is None:
        return []
    return [ls.location(snap, s) for s in ix.references(found[0], params.context.include_declaration)]


@server.feature(L.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def symbols(ls: LeadServer, params: L.DocumentSymbolParams):
    state = ls.open.get(params.text_document.uri)
    if state is None or state.snap is None:
        return []
    snap = state.snap

    def symbol(item):
        name, kind, whole, sel, children = item
        rng = ls.range(snap, whole.file, whole.line, whole.column, whole.end_line, whole.end_column)
        pick = ls.range(snap, sel.file, sel.line, sel.column, sel.end_line, sel.end_column)
        if (pick.start.line, pick.start.character) < (rng.start.line, rng.start.character):
            rng = L.Range(pick.start, rng.end)
        return L.DocumentSymbol(name=name, kind=_SYMBOLS[kind], range=rng, selection_range=pick, detail=kind,
                                children=[symbol(c) for c in children] or None)
    return [symbol(s) for s in ls.index(state).symbols(snap.name)]


@server.feature(L.TEXT_DOCUMENT_COMPLETION, L.CompletionOptions(trigger_characters=["=", "{", "(", " ", ",", "["]))
def completion(ls: LeadServer, params: L.CompletionParams):
    state = ls.open.get(params.text_document.uri)
    if state is None:
        return L.CompletionList(is_incomplete=False, items=[])
    doc = ls.workspace.get_text_document(params.text_document.uri)
    offset = doc.offset_at_position(params.position)
    items = complete(state.snap, doc.source, offset)
    return L.CompletionList(is_incomplete=False, items=[
        L.CompletionItem(label=i.label, kind=_KINDS.get(i.kind), detail=i.detail or i.kind,
                         sort_text=f"{k:04d}") for k, i in enumerate(items)])


@server.feature(L.TEXT_DOCUMENT_CODE_ACTION,
                L.CodeActionOptions(code_action_kinds=[L.CodeActionKind.QuickFix]))
def code_action(ls: LeadServer, params: L.CodeActionParams):
    state = ls.open.get(params.text_document.uri)
    if state is None or state.snap is None:
        return []
    snap = state.snap
    out = []
    for d in params.context.diagnostics:
        data = d.data if isinstance(d.data, dict) else None
        if not data or not data.get("local") or "span" not in data:
            continue
        line, col, end_line, end_col = data["span"]
        for fx in fixes(data["code"], data["severity"], line, col, end_line, end_col, data.get("hint"), snap.text):
            edits = [L.TextEdit(range=ls.range(snap, snap.name, *e[:4]), new_text=e[4]) for e in fx.edits]
            out.append(L.CodeAction(title=fx.title, kind=L.CodeActionKind.QuickFix, diagnostics=[d],
                                    is_preferred=fx.preferred or None,
                                    edit=L.WorkspaceEdit(changes={params.text_document.uri: edits})))
    return out


def run() -> None:
    """Serve on stdin and stdout until the editor closes the session."""
    server.start_io()
