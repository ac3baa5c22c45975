"""W114: `matches` with a plain word, where `contains` was meant.

W114 regex-plain-word (warning)
-------------------------------
What it finds: A `matches` pattern made only of letters, digits and spaces
(`title matches "director"`): searched anywhere in the text, it is exactly
`contains`, written so that it reads like "is exactly".

Why it matters: Readers take `title matches "director"` for an exact match and
are surprised that "Director of IT" and "Art Director" both qualify; the next
edit adds regex characters (`.`, `+`, `(`) without escaping them.

Example::

    field title: text
    lead directors when title matches "director"

Fix: Write `title contains "director"`; for an exact, case-insensitive match write
`title = "director"`; for a whole word use a real pattern: `"\\\\bdirector\\\\b"`.
"""
from __future__ import annotations

import re

from . import rule
from .docs import register_doc
from .patterns import matches_nodes, source_literal

register_doc(__doc__)

_PLAIN = re.compile(r"[^\W_]+( [^\W_]+)*")


@rule
def regex_plain_word(ctx, diags):
    for node in matches_nodes(ctx):
        if _PLAIN.fullmatch(node.pattern.value):
            subject = ctx.text(node.value)
            literal = source_literal(ctx, node.pattern)
            diags.add("W114", node.pattern.span,
                      f"`{node.pattern.value}` has no pattern characters: `matches` finds it anywhere, "
                      "like `contains`",
                      f"write `{subject} contains {literal}`, or `{subject} = {literal}` for an exact match")
