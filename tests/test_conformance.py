"""Evaluation conformance: the data-driven cases in ``tests/cases/eval/*.toml``.

Every case is derived from SPEC.md (each group in the files cites its sentence)
and is checked here through the public API only (SPEC section 7)::

    program = leaddsl.compile(case["program"], filename="case.lead")
    result = program.evaluate(case["record"], as_of=case["as_of"])
    result.to_dict()  # compared with the expected keys

Other backends (the SQL compiler) reuse ``load_cases()`` to run the same files.

Case format, one ``[[case]]`` table each::

    [[case]]
    name = "between is inclusive at the lower bound"   # unique within the file
    program = '''
    field revenue: number
    lead big when revenue between 100 and 200
    '''
    record = { revenue = 100 }          # a TOML table, OR
    # record_json = '{"revenue": null}' # a JSON object (for null, events, nesting)
    as_of = "2026-11-22T00:00:00Z"      # optional, timezone-aware; this default
    expect = { big = true }             # compared with result.to_dict() for these keys
    # expect_json = '{"stage": null}'   # the same as JSON (for null)
    # error = "DataError"               # evaluate must raise leaddsl.DataError; with an
    #                                   # expect/expect_json too, errors="return" must give it
    # error = "DslError"                # compile must raise leaddsl.DslError ...
    # codes = ["E301"]                  # ... with these codes among its diagnostics

Expected values are true/false, a name (a stage, band or route target), null, or a
number (a score: a float, compared with a relative tolerance of 1e-9).

A malformed file (unknown key, both ``record`` and ``record_json``, no
expectation, a duplicate name, ...) raises ``CaseFormatError`` at collection
time, so a typo can never make a case pass silently.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import math
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from paths import every_way

CASES_DIR = Path(__file__).parent / "cases" / "eval"
DEFAULT_AS_OF = "2026-11-22T00:00:00Z"
ERROR_KINDS = ("DslError", "DataError")
CASE_KEYS = frozenset(
    {"name", "program", "record", "record_json", "as_of", "expect", "expect_json", "error", "codes"}
)


class CaseFormatError(Exception):
    """A conformance case file does not follow the format above."""


# --------------------------------------------------------------------------- loading


def load_cases(directory: str | Path = CASES_DIR) -> list[tuple[str, dict[str, Any]]]:
    """Every case of every ``*.toml`` file in ``directory``, as ``(id, case)`` pairs.

    The id is ``"<file stem>/<case name>"``. Each case dict is normalised:

    - ``id``, ``file`` (Path), ``name``, ``program`` (str);
    - ``record``: a fresh dict (from ``record`` or ``record_json``), or None for a
      ``DslError`` case;
    - ``as_of``: a timezone-aware ``datetime`` (None for a ``DslError`` case);
    - ``expect``: dict of output key -> True/False/str/number/None, or None when ``error``
      is set without one (with ``error = "DataError"``, what ``errors="return"`` gives);
    - ``error``: None, ``"DslError"`` or ``"DataError"``;
    - ``codes``: list of diagnostic codes (possibly empty).

    Raises ``CaseFormatError`` for any malformed file or case.
    """
    directory = Path(directory)
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CaseFormatError(f"no *.toml case files in {directory}")
    cases: list[tuple[str, dict[str, Any]]] = []
    for path in files:
        cases.extend(_load_file(path))
    return cases


def _load_file(path: Path) -> list[tuple[str, dict[str, Any]]]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise CaseFormatError(f"{path}: not valid TOML: {exc}") from exc
    extra = set(data) - {"case"}
    if extra:
        raise CaseFormatError(f"{path}: unknown top-level keys {sorted(extra)}; only [[case]] tables are allowed")
    raw_cases = data.get("case")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise CaseFormatError(f"{path}: no [[case]] tables")
    out = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_cases, start=1):
        where = f"{path.name} case #{index}"
        if not isinstance(raw, dict):
            raise CaseFormatError(f"{where}: not a table")
        case = _normalise(raw, where)
        case["file"] = path
        if case["name"] in seen:
            raise CaseFormatError(f"{where}: duplicate name {case['name']!r}")
        seen.add(case["name"])
        case["id"] = f"{path.stem}/{case['name']}"
        out.append((case["id"], case))
    return out


def _normalise(raw: dict[str, Any], where: str) -> dict[str, Any]:
    unknown = set(raw) - CASE_KEYS
    if unknown:
        raise CaseFormatError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(CASE_KEYS)})")

    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CaseFormatError(f"{where}: `name` must be a non-empty string")
    where = f"{where} ({name!r})"
    program = raw.get("program")
    if not isinstance(program, str) or not program.strip():
        raise CaseFormatError(f"{where}: `program` must be a non-empty string")

    # expectation: exactly one of expect / expect_json / error (a DataError may have an expectation too)
    given = [k for k in ("expect", "expect_json", "error") if k in raw]
    data_error_with_expect = raw.get("error") == "DataError" and len(given) == 2
    if len(given) != 1 and not data_error_with_expect:
        raise CaseFormatError(f"{where}: exactly one of expect, expect_json, error is required (found {given})")
    error = raw.get("error")
    expect = None
    if error is not None and error not in ERROR_KINDS:
        raise CaseFormatError(f"{where}: `error` must be one of {ERROR_KINDS}, not {error!r}")
    if "expect" in raw:
        expect = raw["expect"]
        if not isinstance(expect, dict):
            raise CaseFormatError(f"{where}: `expect` must be a table")
    elif "expect_json" in raw:
        expect = _json_object(raw["expect_json"], "expect_json", where)
    if expect is not None:
        if not expect:
            raise CaseFormatError(f"{where}: the expectation is empty")
        for key, value in expect.items():
            if not (value is None or isinstance(value, (bool, str, int, float))):
                raise CaseFormatError(
                    f"{where}: expected value for {key!r} must be true/false, a name, a number or null, not {value!r}"
                )

    codes = raw.get("codes", [])
    if "codes" in raw:
        if error != "DslError":
            raise CaseFormatError(f"{where}: `codes` is only allowed with error = \"DslError\"")
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) and c for c in codes):
            raise CaseFormatError(f"{where}: `codes` must be a non-empty list of strings")

    # record: exactly one of record / record_json, except for DslError cases (none)
    if "record" in raw and "record_json" in raw:
        raise CaseFormatError(f"{where}: give `record` or `record_json`, not both")
    record = None
    if "record" in raw:
        record = raw["record"]
        if not isinstance(record, dict):
            raise CaseFormatError(f"{where}: `record` must be a table")
        _check_json_like(record, where, "record")
    elif "record_json" in raw:
        record = _json_object(raw["record_json"], "record_json", where)
    if error == "DslError":
        if record is not None or "as_of" in raw:
            raise CaseFormatError(f"{where}: a DslError case is about compile only; drop record/as_of")
    elif record is None:
        raise CaseFormatError(f"{where}: `record` or `record_json` is required")

    as_of = None
    if error != "DslError":
        as_of = _as_of(raw.get("as_of", DEFAULT_AS_OF), where)

    return {
        "name": name,
        "program": program,
        "record": record,
        "as_of": as_of,
        "expect": expect,
        "error": error,
        "codes": list(codes),
    }


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"duplicate keys {dupes}")
    return dict(pairs)


def _json_object(text: Any, key: str, where: str) -> dict[str, Any]:
    if not isinstance(text, str):
        raise CaseFormatError(f"{where}: `{key}` must be a string holding a JSON object")
    try:
        value = json.loads(text, object_pairs_hook=_reject_duplicates)
    except ValueError as exc:
        raise CaseFormatError(f"{where}: `{key}` is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise CaseFormatError(f"{where}: `{key}` must be a JSON object")
    return value


def _check_json_like(value: Any, where: str, path: str) -> None:
    """TOML has dates and datetimes; a record must hold only what JSON can hold."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_json_like(v, where, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_json_like(v, where, f"{path}[{i}]")
    elif not isinstance(value, (str, int, float, bool)):
        raise CaseFormatError(
            f"{where}: {path} is a TOML {type(value).__name__}; quote dates and datetimes (records are JSON-like)"
        )


def _as_of(value: Any, where: str) -> _dt.datetime:
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise CaseFormatError(f"{where}: `as_of` is not an ISO datetime: {exc}") from exc
    if not isinstance(value, _dt.datetime):
        raise CaseFormatError(f"{where}: `as_of` must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CaseFormatError(f"{where}: `as_of` must carry a zone (e.g. ...Z)")
    return value


# --------------------------------------------------------------------------- running

CASES = load_cases()


def _describe(case: dict[str, Any]) -> str:
    record = json.dumps(case["record"], ensure_ascii=False) if case["record"] is not None else "-"
    return (
        f"\n--- case {case['id']} ({case['file'].name})\n--- program:\n{case['program']}"
        f"--- record: {record}\n--- as_of: {case['as_of']}"
    )


def _same(got: Any, want: Any) -> bool:
    if want is None or isinstance(want, bool):
        return got is want
    if isinstance(want, (int, float)):  # a score: always a float
        return type(got) is float and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
    return type(got) is type(want) and got == want


def _wrong(actual: dict[str, Any], expect: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    return {key: (actual.get(key, "<absent>"), want) for key, want in expect.items()
            if key not in actual or not _same(actual[key], want)}


def _fail(result, actual: dict[str, Any], wrong: dict[str, tuple[Any, Any]], case: dict[str, Any]) -> None:
    lines = "\n".join(f"  {k}: got {g!r}, want {w!r}" for k, (g, w) in wrong.items())
    try:
        explain = "\n--- explain:\n" + str(result.explain())
    except Exception as exc:  # explain is a diagnostic aid only
        explain = f"\n--- explain() failed: {exc!r}"
    pytest.fail(f"wrong outputs:\n{lines}\n--- to_dict(): {actual!r}{_describe(case)}{explain}")


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_eval_case(case: dict[str, Any]) -> None:
    import leaddsl

    if case["error"] == "DslError":
        with pytest.raises(leaddsl.DslError) as info:
            leaddsl.compile(case["program"], filename="case.lead")
        found = [d.code for d in info.value.diagnostics]
        assert found, f"DslError without diagnostics{_describe(case)}"
        missing = [c for c in case["codes"] if c not in found]
        assert not missing, f"codes {missing} not among {found}{_describe(case)}"
        return

    compile_error = None
    try:
        program = leaddsl.compile(case["program"], filename="case.lead")
    except leaddsl.DslError as exc:
        compile_error = "\n".join(f"  {d.code} {d.line}:{d.column} {d.message}" for d in exc.diagnostics)
    if compile_error is not None:
        pytest.fail(f"compile raised DslError:\n{compile_error}{_describe(case)}")

    record = copy.deepcopy(case["record"])
    if case["error"] == "DataError":
        one, many, returned, traced = every_way(program, record, case["as_of"])
        assert one == many == "DataError", f"expected DataError, got {one!r}{_describe(case)}"
        # errors="return": the outputs that need the bad value are None, and say why; explain agrees
        assert returned.errors and None in returned.values(), _describe(case)
        assert traced == returned.to_dict(), _describe(case)
        if case["expect"] is not None:
            wrong = _wrong(returned.to_dict(), case["expect"])
            if wrong:
                _fail(returned, returned.to_dict(), wrong, case)
        return

    result = program.evaluate(record, as_of=case["as_of"])
    actual = result.to_dict()
    # every other public path gives the same answer
    _, many, returned, traced = every_way(program, copy.deepcopy(case["record"]), case["as_of"])
    assert many == actual and returned.to_dict() == actual and not returned.errors, _describe(case)
    assert traced == actual, f"explain disagrees: {traced!r}{_describe(case)}"
    wrong = _wrong(actual, case["expect"])
    if wrong:
        _fail(result, actual, wrong, case)


def test_every_case_gives_the_same_answers_in_a_fresh_process() -> None:
    """The conformance cases, run again by a new interpreter (nothing cached in this one)."""
    import subprocess
    import sys

    import leaddsl

    cases = [c for _, c in CASES if c["error"] is None]
    here = [leaddsl.compile(c["program"]).evaluate(copy.deepcopy(c["record"]), as_of=c["as_of"]).to_dict()
            for c in cases]
    payload = json.dumps([[c["program"], c["record"], c["as_of"].isoformat()] for c in cases])
    script = ("import json, sys, leaddsl\n"
              "out = [leaddsl.compile(p).evaluate(r, as_of=a).to_dict() for p, r, a in json.load(sys.stdin)]\n"
              "print(json.dumps(out))\n")
    done = subprocess.run([sys.executable, "-c", script], input=payload, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == here


# --------------------------------------------------------------------------- the loader itself


def test_every_case_file_has_cases() -> None:
    stems = {c["file"].stem for _, c in CASES}
    assert stems == {p.stem for p in CASES_DIR.glob("*.toml")}


_GOOD = '''
[[case]]
name = "ok"
program = "lead t when true"
record = {}
expect = { t = true }
'''


@pytest.mark.parametrize(
    "text, message",
    [
        (_GOOD.replace("expect =", "expcet ="), "unknown keys"),
        (_GOOD + "record_json = '{}'\n", "not both"),
        (_GOOD.replace("expect = { t = true }", ""), "exactly one of"),
        (_GOOD.replace("record = {}", ""), "required"),
        (_GOOD + _GOOD, "duplicate name"),
        (_GOOD + 'as_of = "2026-11-22T00:00:00"\n', "zone"),
        (_GOOD.replace("record = {}", "record = { d = 2026-01-31 }"), "quote dates"),
        (_GOOD.replace("record = {}", "record_json = '{\"a\": 1, \"a\": 2}'"), "duplicate keys"),
        (_GOOD.replace("expect = { t = true }", 'expect = { t = "true " , f = [1] }'), "must be true/false"),
        (_GOOD + 'error = "DslError"\n', "exactly one of"),
        (_GOOD.replace("expect = { t = true }", 'error = "TypeError"'), "must be one of"),
        (_GOOD + 'codes = ["E301"]\n', "only allowed"),
        ("[case]\nname = 'x'\n", "no [[case]] tables"),
        (_GOOD + "[meta]\nx = 1\n", "top-level"),
    ],
)
def test_loader_rejects_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CaseFormatError, match=re.escape(message)):
        load_cases(tmp_path)


def test_loader_normalises_a_good_file(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(
        _GOOD
        + '''
[[case]]
name = "json"
program = "lead t when true"
record_json = '{"a": null}'
as_of = "2026-01-01T00:00:00+02:00"
expect_json = '{"stage": null}'

[[case]]
name = "a score and a data error"
program = "field n: number\\nscore s { n > 1 +2.5 }"
record = { n = "x" }
error = "DataError"
expect_json = '{"s": null, "t": 2.5}'

[[case]]
name = "bad program"
program = "lead t when"
error = "DslError"
codes = ["E001"]
''',
        encoding="utf-8",
    )
    cases = dict(load_cases(tmp_path))
    assert list(cases) == ["good/ok", "good/json", "good/a score and a data error", "good/bad program"]
    assert cases["good/a score and a data error"]["error"] == "DataError"
    assert cases["good/a score and a data error"]["expect"] == {"s": None, "t": 2.5}
    assert cases["good/ok"]["as_of"] == _dt.datetime(2026, 11, 22, tzinfo=_dt.timezone.utc)
    assert cases["good/json"]["record"] == {"a": None}
    assert cases["good/json"]["expect"] == {"stage": None}
    assert cases["good/json"]["as_of"].utcoffset() == _dt.timedelta(hours=2)
    assert cases["good/bad program"]["record"] is None and cases["good/bad program"]["codes"] == ["E001"]
