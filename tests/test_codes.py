"""Every code is documented (what, why, example, fix), and its example triggers it."""
import pytest

import leaddsl
from leaddsl.codes import CODES
import leaddsl.lint  # noqa: F401  (registers the lint codes)

FILE_EXAMPLES = {"E007", "E207"}  # need a file on disk: tested in test_loader
TWO_VERSIONS = {"W115"}  # needs the old version too: tested in test_agreement_header
SQL_ONLY = {"E501"}  # found when translating to SQL: tested in test_sql


@pytest.mark.parametrize("code", sorted(CODES))
def test_code_is_documented(code):
    c = CODES[code]
    assert c.code == code and c.slug and c.severity in ("error", "warning", "info")
    assert code[0] == {"error": "E", "warning": "W", "info": "I"}[c.severity]
    for part in (c.summary, c.why, c.example, c.fix):
        assert part and part.strip()
    # the rendered page holds the code's own words, not only its headings
    text = c.render()
    for part in (c.summary, c.why, c.fix):
        assert " ".join(part.split())[:40] in " ".join(text.split())
    assert c.example.splitlines()[0] in text


def diagnostics_of(text):
    try:
        program = leaddsl.compile(text, filename="example.lead")
    except leaddsl.DslError as e:
        return e.diagnostics
    return leaddsl.lint(program)


@pytest.mark.parametrize("code", sorted(c for c in CODES if c not in FILE_EXAMPLES | TWO_VERSIONS | SQL_ONLY))
def test_documented_example_triggers_its_code(code):
    codes = {d.code for d in diagnostics_of(CODES[code].example)}
    assert code in codes, codes


def test_codes_are_unique_slugs():
    slugs = [c.slug for c in CODES.values()]
    assert len(slugs) == len(set(slugs))
