"""The events a JSON Lines lead holds itself (its ``events`` list), for ``eval --engine
duckdb``: taken out of the leads table into an events table of their own, keyed by the
lead's row, so that the query reads them as it reads an events file.

The leads file's ``events`` key is stored as JSON beside the leads' other columns. Each
element of a lead's list that is an object whose ``type`` is text becomes an event row
``_lead`` (the lead's row), ``_pos`` (its place in the list, from 1), ``type``, and ``ts``
and the properties the program reads as the JSON values the element holds, which
``json_cells`` reads as it reads an events file's. What the Python engine skips is left out
(an element whose type is not text, the keys no output reads). What it reads as the list's
own error is kept per lead as ``_events_problem``: a list that is not one (``"events": "x"``,
at place 0) or its first element that is not an object (at its place), ``events: expected a
list of event objects, found str``. The query joins each event to its lead by ``_lead`` and
names a bad one ``page_view event at <inline events> item j``, which
``lines.inline_as_python`` words as the Python engine does: ``lead 7, event j (page_view): ...``.
"""
from __future__ import annotations

import json

from sqlglot import exp

from .lines import INLINE

LEADS = "_leads_file"  # the leads view, with ``_row`` and the ``events`` JSON
PROBLEMS = "_own_problems"  # the table of the leads whose list cannot be read


def _q(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


def _s(text: str) -> str:
    return exp.Literal.string(text).sql(dialect="duckdb")


def events(props) -> str:
    """The events table: ``_lead``, ``_pos``, ``type`` (text), ``ts`` and each of ``props``
    (JSON), of the elements that are objects with a text ``type``. Each list is parsed once,
    into a list of structs of those keys (an element that is no object has none of them; a
    value that is no list, none)."""
    keys = list(dict.fromkeys(["type", "ts", *props]))
    spec = _s(json.dumps([dict.fromkeys(keys, "JSON")]))
    kept = ", ".join(f"struct_extract(_s, {_s(k)}) AS {_q(k)}" for k in keys[1:])
    return (f"SELECT _lead, _pos, struct_extract(_s, 'type') ->> '$' AS \"type\", {kept} "
            f"FROM (SELECT _row AS _lead, unnest(_x) AS _s, generate_subscripts(_x, 1) AS _pos "
            f"FROM (SELECT _row, json_transform(\"events\", {spec}) AS _x FROM {_q(LEADS)})) "
            "WHERE json_type(struct_extract(_s, 'type')) = 'VARCHAR'")


def _found(value: str) -> str:
    """What the Python engine names a JSON value's type (``type(v).__name__``, ``null``)."""
    names = {"VARCHAR": "str", "BOOLEAN": "bool", "OBJECT": "dict", "ARRAY": "list", "NULL": "null"}
    whens = " ".join(f"WHEN json_type({value}) = {_s(k)} THEN {_s(v)}" for k, v in names.items())
    return (f"CASE WHEN {value} IS NULL THEN 'null' {whens} "
            f"WHEN regexp_full_match(CAST({value} AS VARCHAR), '-?[0-9]+') THEN 'int' ELSE 'float' END")


def problems() -> str:
    """The leads whose own list the Python engine cannot read: ``_lead`` and
    ``_events_problem``, at the first place where it finds that (0: the list is none)."""
    # (a list is known by its first character, without parsing it whole once more)
    items = ("list_position(list_transform(json_type(\"events\", '$[*]'), lambda _t: _t <> 'OBJECT'), true)")
    first = (f"CASE WHEN starts_with(CAST(\"events\" AS VARCHAR), '[') THEN {items} "
             f"WHEN json_type(\"events\") = 'ARRAY' THEN {items} WHEN json_type(\"events\") = 'NULL' THEN NULL "
             "ELSE 0 END")
    value = "CASE WHEN _pos = 0 THEN \"events\" ELSE \"events\" -> ('$[' || CAST(_pos - 1 AS VARCHAR) || ']') END"
    said = _s(f"events at {INLINE} item ")
    return (f"SELECT _lead, {said} || CAST(_pos AS VARCHAR) || ': expected a list of event objects, found ' || "
            f"{_found('_v')} AS _events_problem FROM (SELECT _lead, _pos, {value} AS _v FROM (SELECT _row AS _lead, "
            f"{first} AS _pos, \"events\" FROM {_q(LEADS)} WHERE \"events\" IS NOT NULL) WHERE _pos IS NOT NULL)")


def leads_view() -> str:
    """The leads with ``_events_problem`` (from the table ``PROBLEMS``), or NULL."""
    return (f"SELECT l.*, p._events_problem FROM {_q(LEADS)} AS l LEFT JOIN {_q(PROBLEMS)} AS p "
            "ON l._row = p._lead")
