"""The language server end to end: `leaddsl lsp` started as a process, spoken to over
stdio by pygls's client, as an editor does."""
from __future__ import annotations

import asyncio
import shutil
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types as L
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[2]
DEFS = ROOT / "definitions"


class Session:
    """A client talking to a fresh `leaddsl lsp`, collecting the diagnostics it publishes."""

    def __init__(self):
        self.client = LanguageClient("leaddsl-test", "1")
        self.diagnostics: dict[str, list] = {}
        self.events: dict[str, asyncio.Event] = {}
        self.versions: dict[str, int] = {}

        @self.client.feature(L.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: L.PublishDiagnosticsParams):
            self.diagnostics[params.uri] = params.diagnostics
            self.events.setdefault(params.uri, asyncio.Event()).set()

    async def start(self, tmp: Path):
        await self.client.start_io(sys.executable, "-m", "leaddsl", "lsp")
        await self.client.initialize_async(L.InitializeParams(
            capabilities=L.ClientCapabilities(), root_uri=tmp.as_uri(), process_id=None))
        self.client.initialized(L.InitializedParams())

    async def stop(self):
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 10)
            self.client.exit(None)
        finally:
            await self.client.stop()

    def alive(self) -> bool:
        return self.client._server is not None and self.client._server.returncode is None

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.as_uri()
        self.versions[uri] = 1
        self.events.setdefault(uri, asyncio.Event()).clear()
        self.client.text_document_did_open(L.DidOpenTextDocumentParams(L.TextDocumentItem(
            uri=uri, language_id="leaddsl", version=1, text=path.read_text() if text is None else text)))
        return uri

    def edit(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.events.setdefault(uri, asyncio.Event()).clear()
        self.client.text_document_did_change(L.DidChangeTextDocumentParams(
            L.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [L.TextDocumentContentChangeWholeDocument(text=text)]))

    async def diagnostics_for(self, uri: str, until=lambda ds: True, timeout: float = 30) -> list:
        """The diagnostics published next for `uri` that satisfy `until`."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.events.setdefault(uri, asyncio.Event())
            await asyncio.wait_for(event.wait(), max(0.01, deadline - time.monotonic()))
            event.clear()
            found = self.diagnostics[uri]
            if until(found):
                return found

    async def hover(self, uri, line, character) -> str | None:
        h = await self.client.text_document_hover_async(L.HoverParams(L.TextDocumentIdentifier(uri),
                                                                      L.Position(line, character)))
        return None if h is None else h.contents.value

    async def complete(self, uri, line, character) -> list[str]:
        r = await self.client.text_document_completion_async(L.CompletionParams(L.TextDocumentIdentifier(uri),
                                                                                L.Position(line, character)))
        items = r.items if isinstance(r, L.CompletionList) else r
        return [i.label for i in items]


def run(tmp_path: Path, body):
    """Run `body(session)` against a fresh server; the server must still be alive at the end."""
    async def main():
        s = Session()
        await s.start(tmp_path)
        try:
            await body(s)
            assert s.alive(), "the server died"
        finally:
            await s.stop()
    asyncio.run(asyncio.wait_for(main(), 120))


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    shutil.copytree(DEFS / "common", tmp_path / "common")
    shutil.copy(DEFS / "acme_instruments.lead", tmp_path / "acme.lead")
    return tmp_path / "acme.lead"


def codes(diags) -> list[str]:
    return sorted(d.code for d in diags)


def line_of(text: str, needle: str) -> tuple[int, int]:
    """0-based line and character of the first `needle` in `text`."""
    for k, line in enumerate(text.split("\n")):
        if needle in line:
            return k, line.index(needle)
    raise AssertionError(needle)


# ------------------------------------------------------------------ diagnostics
def test_open_edit_and_fix_gives_diagnostics_as_typed(tmp_path, acme):
    async def body(s: Session):
        text = acme.read_text()
        uri = s.open(acme)
        first = await s.diagnostics_for(uri)
        assert not [d for d in first if d.severity == L.DiagnosticSeverity.Error]
        # a misspelt member: E214 with a did-you-mean, underlined where it is written
        broken = text + "\nlead hot when industry = life_sciense\n"
        s.edit(uri, broken)
        found = await s.diagnostics_for(uri, lambda ds: "E214" in codes(ds))
        d = next(d for d in found if d.code == "E214")
        line, col = line_of(broken, "life_sciense")
        assert (d.range.start.line, d.range.start.character) == (line, col)
        assert d.range.end.character == col + len("life_sciense")
        assert "life_science" in d.message
        # the quick fix the hint offers, applied, clears the error
        actions = await s.client.text_document_code_action_async(L.CodeActionParams(
            L.TextDocumentIdentifier(uri), d.range, L.CodeActionContext(diagnostics=[d])))
        fix = next(a for a in actions if a.is_preferred)
        (edit,) = fix.edit.changes[uri]
        assert edit.new_text == "life_science"
        lines = broken.split("\n")
        lines[line] = lines[line][:edit.range.start.character] + edit.new_text + lines[line][edit.range.end.character:]
        s.edit(uri, "\n".join(lines))
        await s.diagnostics_for(uri, lambda ds: "E214" not in codes(ds))
    run(tmp_path, body)


def test_half_typed_statement_still_checks_the_rest(tmp_path, acme):
    async def body(s: Session):
        text = acme.read_text() + "\nlead cold when seniority >= \nlead warm when revenue >= 300m\n"
        uri = s.open(acme, text)
        found = await s.diagnostics_for(uri, lambda ds: bool(ds))
        # the unfinished condition is reported, and the statement after it still is
        assert "E001" in codes(found) or "E005" in codes(found)
        assert "E101" in codes(found) or any("300M" in d.message for d in found)
        # completion in the unfinished condition offers the ordinal's members
        line, col = line_of(text, "seniority >= ")
        labels = await s.complete(uri, line, col + len("seniority >= "))
        assert labels[:5] == ["individual", "manager", "director", "vp", "c_level"]
    run(tmp_path, body)


def test_ignore_quick_fix_silences_a_warning(tmp_path):
    path = tmp_path / "w.lead"
    text = "field revenue: number\nlead big when revenue >= 300M and revenue >= 300M\n"
    path.write_text(text)

    async def body(s: Session):
        uri = s.open(path)
        found = await s.diagnostics_for(uri, lambda ds: any(d.code.startswith("W") for d in ds))
        w = next(d for d in found if d.code.startswith("W"))
        actions = await s.client.text_document_code_action_async(L.CodeActionParams(
            L.TextDocumentIdentifier(uri), w.range, L.CodeActionContext(diagnostics=[w])))
        ignore = next(a for a in actions if a.title.startswith("Ignore"))
        (edit,) = ignore.edit.changes[uri]
        lines = text.split("\n")
        k = edit.range.start.line
        lines[k] = lines[k][:edit.range.start.character] + edit.new_text + lines[k][edit.range.end.character:]
        assert f"# leaddsl: ignore[{w.code}]" in lines[k]
        s.edit(uri, "\n".join(lines))
        await s.diagnostics_for(uri, lambda ds: w.code not in codes(ds))
    run(tmp_path, body)


# ------------------------------------------------------- hover and navigation
def test_hover_definition_references_and_outline(tmp_path, acme):
    async def body(s: Session):
        text = acme.read_text()
        uri = s.open(acme)
        await s.diagnostics_for(uri)
        line, col = line_of(text, "revenue >= 300M")
        hover = await s.hover(uri, line, col + 1)
        assert "number" in hover and "Annual Revenue" in hover
        line, col = line_of(text, "seniority >= vp")
        assert "director < vp" in await s.hover(uri, line, col + 1)
        assert "member" in await s.hover(uri, line, col + len("seniority >= v"))
        line, col = line_of(text, "webinars_attended(90d)")
        hover = await s.hover(uri, line, col + 1)
        assert "count(webinar_attend where minutes >= 20)" in hover and "90d" in hover
        line, col = line_of(text, "lead sql when mql")
        assert "lead_format and ideal_customer" in await s.hover(uri, line, col + len("lead sql when m"))
        # go to definition across the include
        line, col = line_of(text, "industry = life_science")
        loc = await s.client.text_document_definition_async(L.DefinitionParams(
            L.TextDocumentIdentifier(uri), L.Position(line, col + 2)))
        assert loc.uri.endswith("common/acme_schema.lead")
        schema = (acme.parent / "common" / "acme_schema.lead").read_text().split("\n")
        assert schema[loc.range.start.line][loc.range.start.character:].startswith("industry")
        refs = await s.client.text_document_references_async(L.ReferenceParams(
            text_document=L.TextDocumentIdentifier(uri), position=L.Position(line, col + 2),
            context=L.ReferenceContext(include_declaration=True)))
        assert len(refs) == text.count("industry =") + 1
        outline = await s.client.text_document_document_symbol_async(L.DocumentSymbolParams(
            L.TextDocumentIdentifier(uri)))
        names = [x.name for x in outline]
        assert {"ideal_customer", "lead", "mql", "sql", "fit", "grade", "owner"} <= set(names)
    run(tmp_path, body)


def test_hover_on_a_diagnostic_code_shows_its_documentation(tmp_path):
    path = tmp_path / "c.lead"
    path.write_text("lead x when true  # leaddsl: ignore[W101]\n")

    async def body(s: Session):
        uri = s.open(path)
        await s.diagnostics_for(uri)
        doc = await s.hover(uri, 0, path.read_text().index("W101") + 1)
        assert "never-true" in doc and "Fix" in doc
    run(tmp_path, body)


def test_completion_in_where_and_windows(tmp_path, acme):
    async def body(s: Session):
        base = acme.read_text()
        uri = s.open(acme)
        await s.diagnostics_for(uri)
        for tail, expected in [("lead a when count(page_view where ", "page_category"),
                               ("lead a when count(page_view where page_category = ", "application_note"),
                               ("lead a when product_page_visits(", "30d"),
                               ("lead a when hq_country in {US, ", "CA"),
                               ("lead a when ", "revenue")]:
            text = base + "\n" + tail
            s.edit(uri, text)
            await s.diagnostics_for(uri)
            lines = text.split("\n")
            assert expected in await s.complete(uri, len(lines) - 1, len(lines[-1])), tail
    run(tmp_path, body)


# ------------------------------------------------------------------ bad input
def test_bad_input_gives_diagnostics_never_a_dead_server(tmp_path, acme):
    async def body(s: Session):
        # an included file that is not UTF-8
        (tmp_path / "latin.lead").write_bytes("field région: text\n".encode("latin-1"))
        main = tmp_path / "main.lead"
        main.write_text('include "latin.lead"\nlead x when true\n')
        uri = s.open(main)
        found = await s.diagnostics_for(uri, lambda ds: "E007" in codes(ds))
        assert any("UTF-8" in d.message for d in found)
        # text that no UTF-8 file can hold (a lone surrogate) and control characters
        s.edit(uri, "lead x when name = \ud800 \x00\n")
        found = await s.diagnostics_for(uri, lambda ds: bool(ds))
        assert all(d.severity == L.DiagnosticSeverity.Error for d in found)
        # a 5 MB file (a long export pasted as comments around two definitions): diagnostics, in time
        big = tmp_path / "big.lead"
        filler = "".join(f"# row {k}: {'x' * 90}\n" for k in range(25_000))
        text = "field revenue: number\n" + filler + "lead big when revenue >= 300m\n" + filler
        assert len(text.encode()) > 5_000_000
        big_uri = s.open(big, text)
        found = await s.diagnostics_for(big_uri, timeout=60)
        assert codes(found) == ["E101"] and found[0].range.start.line == 25_001
        # a file deleted while open, and its include deleted: the open text still checks
        uri = s.open(acme)
        await s.diagnostics_for(uri)
        acme.unlink()
        shutil.rmtree(tmp_path / "common")
        s.edit(uri, (DEFS / "acme_instruments.lead").read_text() + "\n")
        found = await s.diagnostics_for(uri, lambda ds: "E205" in codes(ds))
        assert any("does not exist" in d.message for d in found)
    run(tmp_path, body)
