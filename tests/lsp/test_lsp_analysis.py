"""The server's statement-by-statement analysis agrees with `leaddsl check`, and an
edited document analysed from its cache equals the same text analysed afresh."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import leaddsl
from leaddsl.front import nodes as n
from leaddsl.lsp.analysis import Document

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "definitions").glob("*.lead"))


def spans(snap) -> list:
    return [(type(x).__name__, x.span) for x in n.walk(snap.module)]


def keyed(diags) -> list:
    return sorted((d.code, d.line, d.column, d.end_line, d.end_column, d.message) for d in diags)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("extra", ["", "\nlead broken when revenue >= \nlead later when revenue >= 300m\n",
                                   "\nlead typo when industry = life_sciense\n", "\nlet x = (a and\n"])
def test_diagnostics_are_those_of_check(tmp_path, path, extra):
    shutil.copytree(ROOT / "definitions", tmp_path / "defs")
    target = tmp_path / "defs" / path.name
    target.write_text(path.read_text() + extra)
    snap = Document(str(target)).analyse(target.read_text())
    checked = leaddsl.check(target, lint=False)
    found = [d for d in snap.diagnostics if d.file == str(target)]
    assert keyed(found) == keyed(d for d in checked.diagnostics if Path(d.file).resolve() == target)


EDITS = st.lists(st.tuples(st.integers(0, 200), st.sampled_from([
    "# a note\n", "\n\n", "lead new_one when revenue >= 1M\n", "lead half when seniority >= ", "let y = (",
    "", "score s {\n", "}\n"])), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(EDITS)
def test_an_edited_document_equals_a_fresh_one(edits):
    path = ROOT / "definitions" / "acme_instruments.lead"
    text = path.read_text()
    doc = Document(str(path))
    doc.analyse(text)
    lines = text.split("\n")
    for at, insert in edits:
        k = at % (len(lines) + 1)
        lines = lines[:k] + insert.split("\n")[:-1] + ([insert.split("\n")[-1]] if insert.split("\n")[-1] else []) \
            + lines[k:]
        edited = "\n".join(lines)
        cached = doc.analyse(edited)
        fresh = Document(str(path)).analyse(edited)
        assert keyed(cached.diagnostics) == keyed(fresh.diagnostics)
        assert spans(cached) == spans(fresh)
