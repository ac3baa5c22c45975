"""`matches` patterns: compiled once with RE2, case-insensitively, quietly.

RE2 (the ``google-re2`` package) logs every pattern it rejects to the process's
stderr and reports the reason as bytes; a definition error must do neither.
"""
from __future__ import annotations

import re2

HINT = ("RE2 syntax: no back-references or look-arounds; a backslash escapes a special character "
        "(inside text it is written twice: \"acme\\\\.com\")")


def _options() -> re2.Options:
    opts = re2.Options()
    opts.case_sensitive = False
    opts.log_errors = False  # no "re2.cc: Error parsing ..." lines on the terminal
    return opts


def _plain(detail) -> str:
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    text = str(detail)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def compile_pattern(text: str):
    """``(compiled, None)``, or ``(None, message)`` when RE2 rejects the pattern;
    the message is plain text (no bytes repr), e.g. ``missing ): ^ac(me``."""
    try:
        return re2.compile(text, _options()), None
    except re2.error as e:
        detail = _plain(e.args[0]) if e.args else "RE2 cannot compile it"
        return None, f"invalid regular expression: {detail}"
    except UnicodeError:
        return None, "invalid regular expression: it holds a character that is not valid Unicode"
