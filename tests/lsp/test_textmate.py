"""The VS Code extension's TextMate grammar, run by a TextMate tokenizer (the
textmate-grammar-python port of vscode-textmate): every character of the sample
definitions gets a scope of its own, never only the file's fallback scope."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from textmate_grammar.parsers.base import LanguageParser

ROOT = Path(__file__).resolve().parents[2]
VSCODE = ROOT / "editors" / "vscode"
SAMPLES = sorted((ROOT / "definitions").rglob("*.lead"))
FALLBACK = "source.leaddsl"

logging.getLogger("textmate_grammar").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def grammar() -> LanguageParser:
    return LanguageParser(json.loads((VSCODE / "syntaxes" / "leaddsl.tmLanguage.json").read_text()))


def scopes(grammar: LanguageParser, text: str) -> dict[tuple[int, int], list[str]]:
    """(line, column) of every character -> the scopes the tokenizer gave it."""
    out = {}
    for (line, col), content, names in grammar.parse_string(text).flatten():
        for k, ch in enumerate(content):
            out[(line, col + k)] = names
    return out


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_character_of_the_samples_has_a_scope(grammar, path):
    text = path.read_text()
    found = scopes(grammar, text)
    unscoped = [(line + 1, col + 1, ch) for line, row in enumerate(text.split("\n")) for col, ch in enumerate(row)
                if not ch.isspace() and found.get((line, col), [FALLBACK])[-1] == FALLBACK]
    assert not unscoped, f"{path.name}: characters with only the fallback scope: {unscoped[:10]}"


def test_a_character_outside_the_language_is_left_unscoped(grammar):
    # the check above can fail: `@` is no token of the language
    found = scopes(grammar, "lead x when a @ b")
    assert found[(0, 14)][-1] == FALLBACK


@pytest.mark.parametrize("text, word, scope", [
    ("lead mql when revenue >= 300M", "lead", "keyword.control.statement.leaddsl"),
    ("lead mql when revenue >= 300M", "mql", "entity.name.function.leaddsl"),
    ("lead mql when revenue >= 300M", "300M", "constant.numeric.leaddsl"),
    ("lead mql when revenue >= 300M", ">=", "keyword.operator.leaddsl"),
    ("let e = visits(any 1d) >= 5", "1d", "constant.numeric.duration.leaddsl"),
    ("let e = visits(any 1d) >= 5", "any", "keyword.operator.word.leaddsl"),
    ('field revenue: number from "Annual Revenue"', "number", "storage.type.leaddsl"),
    ('field revenue: number from "Annual Revenue"', '"Annual Revenue"', "string.quoted.double.leaddsl"),
    ("metric m = count(page_view where page_category = product)", "count", "support.function.aggregate.leaddsl"),
    ("    industry = life_science      +20", "+20", "constant.numeric.points.leaddsl"),
    ("definition \"x\" { effective: 2026-11-01 }", "2026-11-01", "constant.other.date.leaddsl"),
    ("lead x when true  # leaddsl: ignore[W101]", "W101", "constant.other.diagnostic-code.leaddsl"),
    ("lead x when a = 1  # a comment", "# a comment", "comment.line.number-sign.leaddsl"),
])
def test_tokens_get_their_scopes(grammar, text, word, scope):
    col = text.index(word)
    found = scopes(grammar, text)
    assert all(scope in found[(0, col + k)] for k in range(len(word)))


def test_the_extension_declares_the_language_grammar_and_server():
    package = json.loads((VSCODE / "package.json").read_text())
    (language,) = package["contributes"]["languages"]
    assert language["extensions"] == [".lead"]
    assert (VSCODE / language["configuration"]).is_file()
    (tm,) = package["contributes"]["grammars"]
    assert tm["scopeName"] == FALLBACK and (VSCODE / tm["path"]).is_file()
    config = json.loads((VSCODE / "language-configuration.json").read_text())
    assert config["comments"]["lineComment"] == "#"
    assert '"lsp"' in (VSCODE / "extension.js").read_text()
