"""W112: an unescaped `.` in a `matches` pattern that looks like a domain or e-mail.

How: a `.` outside a character class, not escaped, after a letter or digit and
before two or more letters, is reported when those letters are a known
top-level domain that ends the pattern or a part of it (`$`, `)`, `|`, `\\b`,
another dot), or when the pattern has an `@`. `sr.director` is left alone.

W112 regex-unescaped-dot (warning)
----------------------------------
What it finds: An unescaped `.` in a `matches` pattern that looks like a
domain or e-mail address (`acme.com`, `@gmail.com$`): in a regular expression
`.` matches *any* character, so `acme.com` also matches `acmeXcom`.

Why it matters: The pattern matches more than it says. `email matches
"@acme.com$"` also accepts `someone@acme-com.biz`... The mistake does not show
on the sample data, and an e-mail domain filter is often used to keep out
competitors or free-mail addresses.

Example::

    field email: text
    lead acme when email matches "@acme.com$"

Fix: Escape the dot: in a regular expression `\\.` matches a dot, and in a
leaddsl text a backslash is written twice, so write `"@acme\\\\.com$"`. To test the
end of an address, `email ends with "@acme.com"` needs no escaping at all.
"""
from __future__ import annotations

import re

from . import rule
from .docs import register_doc
from .patterns import char_span, matches_nodes, raw_offsets, source_literal

register_doc(__doc__)

TLDS = frozenset("""com org net edu gov mil int io co ai app biz info name pro dev tech cloud online site
uk de fr ca us ch nl jp cn in br au es it se no dk fi pl be at ie nz sg hk kr mx ru eu""".split())


def unescaped_dots(pattern: str) -> list[int]:
    """Indexes of the dots that look like domain separators."""
    out = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
        elif ch == "." and i > 0 and pattern[i - 1].isalnum() and (i < 2 or pattern[i - 2] != "\\"):
            m = re.match(r"[A-Za-z]{2,}", pattern[i + 1:])
            if m:
                after = pattern[i + 1 + m.end(): i + 3 + m.end()]
                at_end = after == "" or after[0] in "$)|/?\"'" or after.startswith("\\b") or after[0] == "."
                if (m.group(0).lower() in TLDS and at_end) or "@" in pattern:
                    out.append(i)
        i += 1
    return out


@rule
def regex_unescaped_dot(ctx, diags):
    for node in matches_nodes(ctx):
        pattern = node.pattern.value
        offs = raw_offsets(ctx, node.pattern)
        for i in unescaped_dots(pattern):
            literal = source_literal(ctx, node.pattern)
            fixed = literal[: offs[i]] + "\\\\" + literal[offs[i]:] if offs is not None else None
            hint = "escape it: `\\.` matches a dot, written `\\\\.` in a leaddsl text"
            if fixed:
                hint += f": {fixed}"
            shown = pattern if len(pattern) <= 40 else pattern[max(0, i - 18): i + 18]
            diags.add("W112", char_span(ctx, node.pattern, i),
                      f"the `.` in `{shown}` matches any character, not only a dot", hint)
