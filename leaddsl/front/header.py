"""The agreement a file records: its ``definition "..." { ... }`` header.

```
definition "Acme MQL" {
    version: "3"
    owner: "Marketing Ops"
    agreed_by: marketing "Dana Diaz", sales "Sam Lee"
    effective: 2026-12-01
    review: 90d
}
```

The header is not part of any output: it says who owns the definition, who agreed
to it, from when it is in force and when it is due for review. ``check`` shows it,
``eval --stamp`` writes it on every row, ``diff`` compares two of them, and the
linter warns when a review is overdue (W116) or when the conditions changed but
the effective date did not (W115). Every problem is an ``E217`` with its position.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import nodes as n
from ..diagnostics import Diagnostics, did_you_mean
from ..source import NO_SPAN, Span

KEYS = ("version", "owner", "agreed_by", "effective", "review", "description")
_ONE = {"version", "effective", "review", "description"}  # keys that take a single value


@dataclass(frozen=True)
class Agreement:
    """The header of a definition file (``program.agreement``)."""
    title: str
    version: str | None = None
    owner: tuple[str, ...] = ()
    agreed_by: tuple[tuple[str | None, str | None], ...] = ()  # (side, person)
    effective: dt.date | None = None
    review: dt.date | None = None  # the date the definition is due for review
    review_every: int | None = None  # seconds, when written as a duration after `effective`
    description: str | None = None
    span: Span = NO_SPAN

    @property
    def stamp(self) -> str:
        """One line naming the version: `Acme MQL v3 effective 2026-12-01`."""
        out = self.title
        if self.version:
            out += f" v{self.version}"
        if self.effective:
            out += f" effective {self.effective.isoformat()}"
        return out

    def lines(self) -> list[str]:
        """The header as ``check`` shows it, one item a line."""
        out = [f'definition "{self.title}"' + (f" version {self.version}" if self.version else "")]
        if self.owner:
            out.append("  owner: " + ", ".join(self.owner))
        if self.agreed_by:
            out.append("  agreed by: " + ", ".join(_party(p) for p in self.agreed_by))
        out.append("  effective: " + (self.effective.isoformat() if self.effective else "(not stated)"))
        if self.review:
            every = f" (every {self.review_every // 86400}d)" if self.review_every else ""
            out.append(f"  review by: {self.review.isoformat()}{every}")
        if self.description:
            out.append("  description: " + self.description)
        return out

    def to_dict(self) -> dict:
        return {"title": self.title, "version": self.version, "owner": list(self.owner),
                "agreed_by": [{"side": side, "person": person} for side, person in self.agreed_by],
                "effective": self.effective.isoformat() if self.effective else None,
                "review": self.review.isoformat() if self.review else None,
                "description": self.description}


def _party(p) -> str:
    side, person = p
    if side and person:
        return f"{side} ({person})"
    return side or person or ""


def read_header(decl: n.DefinitionDecl, diags: Diagnostics) -> Agreement:
    """The Agreement of a ``definition`` block; each wrong entry is an E217."""
    values: dict = {}
    review = None
    for entry in decl.entries:
        if entry.key not in KEYS:
            diags.add("E217", entry.key_span, f"`{entry.key}` is not an entry of a definition header",
                      did_you_mean(entry.key, KEYS) or "the entries are " + ", ".join(KEYS))
            continue
        if entry.key in values or (entry.key == "review" and review is not None):
            diags.add("E217", entry.key_span, f"`{entry.key}` is given twice in the definition header",
                      "keep one of the two")
            continue
        if not entry.values:  # pragma: no cover - the grammar needs a value; a bad literal was reported
            continue
        if entry.key in _ONE and len(entry.values) > 1:
            diags.add("E217", entry.values[1].span, f"`{entry.key}` takes one value",
                      "for several, use `owner` or `agreed_by`" if entry.key != "description" else
                      "write the description as one text")
            continue
        value = _value(entry, diags)
        if value is None:
            continue
        if entry.key == "review":
            review = value
        else:
            values[entry.key] = value
    effective = values.get("effective")
    due = every = None
    if isinstance(review, n.Duration):
        every = review.seconds
        if effective is None:
            diags.add("E217", review.span, f"`review: {review.text}` counts from the effective date, "
                      "and the header has none", "add `effective: YYYY-MM-DD`, or give the review date itself")
        else:
            due = effective + dt.timedelta(seconds=review.seconds)
    elif review is not None:
        due = review.value
    return Agreement(decl.title, values.get("version"), values.get("owner", ()), values.get("agreed_by", ()),
                     effective, due, every, values.get("description"), decl.span)


def _value(entry: n.HeaderEntry, diags: Diagnostics):
    key, items = entry.key, entry.values
    first = items[0]
    if key == "version":
        if isinstance(first, n.Text):
            return first.value
        if isinstance(first, n.Number):
            return first.text
        return _wrong(diags, first, key, 'a text or a number: `version: "3.1"`')
    if key in ("owner", "description"):
        texts = []
        for item in items:
            if not isinstance(item, n.Text):
                return _wrong(diags, item, key, f'a text in double quotes: `{key}: "Marketing Ops"`')
            texts.append(item.value)
        return tuple(texts) if key == "owner" else texts[0]
    if key == "agreed_by":
        parties = []
        for item in items:
            if isinstance(item, n.Party):
                parties.append((item.role, item.person))
            elif isinstance(item, n.Text):
                parties.append((None, item.value))
            elif isinstance(item, n.Name):
                parties.append((item.name, None))
            else:
                return _wrong(diags, item, key, 'a side and a person: `agreed_by: marketing "Dana Diaz", sales "Sam Lee"`')
        return tuple(parties)
    if key == "effective":
        if isinstance(first, n.Date):
            return first.value
        return _wrong(diags, first, key, "a date: `effective: 2026-12-01`")
    # review: a duration after the effective date, or a date
    if isinstance(first, (n.Duration, n.Date)):
        return first
    return _wrong(diags, first, key, "a duration after the effective date (`review: 90d`) or a date (`review: 2027-03-01`)")


def _wrong(diags: Diagnostics, item: n.Node, key: str, what: str):
    diags.add("E217", item.span, f"`{key}` takes {what.split(':')[0]}", f"write {what}")
    return None
