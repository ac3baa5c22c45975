"""JSON Lines values as the text cells the query reads (``eval --engine duckdb``).

The query reads every column as text, as a CSV file holds it. A JSON value is not always
text: the Python engine reads a JSON number as a number (and as text, ``str`` of it: 1.0 is
``1``), ``true`` as a boolean, an array as a list's elements, and refuses a boolean, array or
object where the type cannot hold one (a bad value). DuckDB's own cast to text would read
``true`` in a text field as the text ``true`` and ``["x", "y"]`` in a list field as one
member ``["x","y"]``: answers that differ in silence. So a JSON file's columns that feed a
declared field or property are read as JSON, and :func:`cell` turns each value into the text
the query's readers read as Python reads the value: a string as itself, a number as Python
writes it, an array as its elements joined by ``;``, ``true`` and an array or object where
the type refuses them as their JSON (a bad value there too). Where no text would be read so,
:func:`unreadable` finds the value, and the run stops saying which (use --engine python).
"""
from __future__ import annotations

from functools import lru_cache

import sqlglot
from sqlglot import exp

from .. import types as T

# a JSON value (``_v``) as the cell of a field or property of a scalar type (a string, known by
# its first character without parsing the value, as itself: most values are)
_SCALAR = """
CASE
  WHEN starts_with(CAST(_v AS VARCHAR), '"') THEN _v ->> '$'
  WHEN _v IS NULL OR json_type(_v) = 'NULL' THEN NULL
  WHEN json_type(_v) = 'DOUBLE' AND NOT regexp_full_match(CAST(_v AS VARCHAR), '-?[0-9]+') THEN
    CASE WHEN isfinite(TRY_CAST(_v AS DOUBLE)) AND TRY_CAST(_v AS DOUBLE) = trunc(TRY_CAST(_v AS DOUBLE))
              AND abs(TRY_CAST(_v AS DOUBLE)) < 1e18
         THEN CAST(TRY_CAST(TRY_CAST(_v AS DOUBLE) AS BIGINT) AS VARCHAR)
         ELSE CAST(TRY_CAST(_v AS DOUBLE) AS VARCHAR) END
  ELSE _v ->> '$'
END
"""
# a list's cell: an array's elements, each as above, joined by `;` (a null element is left out,
# as an empty part is), and a `;` after them: a cell of one element would otherwise be read as a
# whole cell, where `N/A` is the empty list, not the element `na` of `list(enum(na, b))`; a single
# value is a list of one, as in Python
_LIST = "CASE WHEN json_type(_v) = 'ARRAY' THEN array_to_string(list_transform(TRY_CAST(_v AS JSON[]), " \
        "LAMBDA _e : COALESCE({elem}, '')), ';') || ';' ELSE {scalar} END"
# what no text reads as Python reads it: (the condition on ``_v``, what the value is)
_TEXT_REFUSED = [("json_type(_v) IN ('BOOLEAN', 'ARRAY', 'OBJECT')",
                  "a JSON true, false, array or object where text is expected (the Python engine reads it as "
                  "a bad value)"),
                 ("json_type(_v) = 'DOUBLE' AND NOT regexp_full_match(CAST(_v AS VARCHAR), '-?[0-9]+') AND "
                  "(NOT isfinite(TRY_CAST(_v AS DOUBLE)) OR abs(TRY_CAST(_v AS DOUBLE)) >= 1e18)",
                  "a number that Python writes out as text digit by digit, or refuses")]
_TIME_REFUSED = [("json_type(_v) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')",
                  "a JSON number where a date or time is expected (the Python engine reads it as a bad value)")]
_ANY = "list_bool_or(list_transform(TRY_CAST(_v AS JSON[]), LAMBDA _e : {cond}))"


def _parse(sql: str, **parts) -> exp.Expression:
    return sqlglot.parse_one(sql.format(**parts) if parts else sql, read="duckdb")


def _on(tree: exp.Expression, value: exp.Expression, name: str = "_v") -> exp.Expression:
    return tree.copy().transform(lambda n: value.copy() if isinstance(n, exp.Column) and n.name == name
                                 and not n.table else n)


@lru_cache(maxsize=None)
def _scalar() -> exp.Expression:
    return _parse(_SCALAR)


def cell(value: exp.Expression, t: T.Type) -> exp.Expression:
    """The text cell of a JSON ``value`` for a field or property of type ``t``."""
    if isinstance(t, T.ListT):
        elem = _on(_scalar(), exp.column("_e"))
        return _on(_parse(_LIST, elem=elem.sql("duckdb"), scalar=_scalar().sql("duckdb")), value)
    return _on(_scalar(), value)


def id_cell(value: exp.Expression) -> exp.Expression:
    """The text of a JSON lead id as the Python engine matches ids (``io.data.id_text``): a whole
    number without its ``.0``, ``true`` as Python writes it (``True``)."""
    boolean = _parse("CASE WHEN json_type(_v) = 'BOOLEAN' THEN CASE WHEN CAST(_v AS BOOLEAN) THEN 'True' "
                     "ELSE 'False' END END")
    return exp.Coalesce(this=_on(boolean, value), expressions=[cell(value, T.TEXT)])


def _refused(t: T.Type) -> list[tuple[str, str]]:
    if t == T.TEXT:
        return _TEXT_REFUSED
    if t in (T.DATE, T.DATETIME):
        return _TIME_REFUSED
    return []


def unreadable(value: exp.Expression, t: T.Type) -> list[tuple[exp.Expression, str]]:
    """The conditions under which a JSON ``value`` has no text the query reads as Python
    reads it, each with what to say of it."""
    if not isinstance(t, T.ListT):
        return [(_on(_parse(c), value), why) for c, why in _refused(t)]
    out = []
    for c, why in _refused(t.element):  # an array's elements, or the one value
        each = _parse(_ANY, cond=_on(_parse(c), exp.column("_e")).sql("duckdb"))
        out.append((_on(_parse("CASE WHEN json_type(_v) = 'ARRAY' THEN {each} ELSE {one} END",
                               each=each.sql("duckdb"), one=c), value), why))
    # an element holding `;` would be read as two; an object's text could hold one
    out.append((_on(_parse("json_type(_v) = 'ARRAY' AND " + _ANY, cond="contains(_e ->> '$', ';')"), value),
                "a list element holding `;`, which the query would read as two"))
    out.append((_on(_parse("json_type(_v) = 'OBJECT'"), value), "a JSON object where a list is expected"))
    return out
