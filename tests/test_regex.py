"""`matches` patterns compiled through leaddsl.regex: quiet, case-insensitive, plain messages."""
from leaddsl.regex import HINT, compile_pattern


def test_pattern_is_case_insensitive():
    compiled, error = compile_pattern("^acme\\.com$")
    assert error is None and compiled.search("ACME.com") is not None


def test_rejected_pattern_gives_a_plain_message_and_nothing_on_stderr(capfd):
    compiled, error = compile_pattern("^ac(me")
    assert compiled is None
    assert error == "invalid regular expression: missing ): ^ac(me"
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_message_shows_non_printable_characters_escaped():
    _, error = compile_pattern("é\0(")
    assert error == "invalid regular expression: missing ): é\\x00("


def test_lone_surrogate_is_a_message_not_an_exception():
    compiled, error = compile_pattern("\ud800")
    assert compiled is None and "not valid Unicode" in error


def test_hint_spells_the_backslash_once_outside_quoted_text():
    prose = HINT.split('"')[0]
    assert "\\" not in prose and '"acme\\\\.com"' in HINT
