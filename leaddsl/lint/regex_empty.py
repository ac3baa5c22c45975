"""W113: a `matches` pattern that can only match the empty text.

How: Python's regular-expression parser gives the longest match a pattern can
have; a pattern RE2 accepts but Python's parser does not is left alone.

W113 regex-only-empty (warning)
-------------------------------
What it finds: A `matches` pattern whose every match is empty (`""`, `"^$"`,
`"\\\\b"`): `""` matches every value, `"^$"` none, since an empty cell is missing.

Why it matters: It is usually a pattern that lost its content in an edit, or an
attempt to test for a blank value, which `matches` cannot see: a blank is
missing, and a predicate over a missing value is unknown.

Example::

    field title: text
    lead blank when title matches "^$"

Fix: To test for a blank value write `title is missing`; otherwise write the
text the pattern should find.
"""
from __future__ import annotations

from . import rule
from .docs import register_doc
from .patterns import matches_nodes

register_doc(__doc__)


def only_empty(pattern: str) -> bool:
    """True when the pattern's every match is empty (False when unsure)."""
    try:
        from re import _parser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse as _parser  # type: ignore[no-redef]
    try:
        return _parser.parse(pattern).getwidth()[1] == 0
    except Exception:  # a pattern RE2 accepts that Python's parser does not
        return False


@rule
def regex_only_empty(ctx, diags):
    for node in matches_nodes(ctx):
        if only_empty(node.pattern.value):
            subject = ctx.text(node.value)
            diags.add("W113", node.pattern.span,
                      f"the pattern `{node.pattern.value}` can only match the empty text, "
                      "so it tests nothing about the value",
                      f"to test for a blank value write `{subject} is missing`; "
                      "otherwise write the text the pattern should find")
