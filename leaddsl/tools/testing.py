"""``leaddsl test``: example leads agreed by sales and marketing, and what each must get.

A test file (``*.leadtest``, TOML) sits beside its definitions::

    definitions = "acme_instruments.lead"    # default: the .lead file of the same name
    as_of = 2026-11-22T00:00:00Z             # default for every case

    [[case]]
    name = "big life-science VP, 5 product pages in one day"
    lead = { id = "1", industry = "life_science", "Annual Revenue" = "400M" }
    events = [{ type = "page_view", ts = 2026-11-21T10:00:00Z, page_category = "product" }]
    expect = { mql = true, sql = false, stage = "mql" }

    [[table]]                                # cases from a sheet: one per row
    data = "agreed_examples.xlsx"            # .xlsx (sheet = "..."), .csv, .jsonl
    events = "agreed_events.csv"             # optional
    # columns `expect mql`, `expect stage`, ... hold what each row must get

Expectations are checked against the program before anything runs: a name that is
no output, a definition expected to be something else than true/false, a stage that
is not a stage, a band or route value that is none of its members, or a score expected
to be no number is an error of the test file (with a did-you-mean). Outputs are
compared generically (whatever ``Result.to_dict()`` holds): ``""`` or ``none``
expects no value (no stage). A failure carries the ``explain`` of what decided it.
"""
from __future__ import annotations

import math
import re
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import DslError, suggest
from ..io.data import InputError, read_rows
from ..io.eventtable import EventTable
from ..runtime.program import normalize_as_of
from ..values import BadValue, read_bool
from .versions import load_version

_FILE_KEYS = ("definitions", "as_of", "case", "table")
_CASE_KEYS = ("name", "lead", "events", "as_of", "expect", "agreed_by")
_TABLE_KEYS = ("data", "sheet", "events", "id_field", "as_of", "expect_prefix")
_NONE = ("", "none", "-")


@dataclass
class Mismatch:
    output: str
    expected: object
    actual: object
    explain: str = ""


@dataclass
class CaseResult:
    file: str
    line: int
    name: str
    status: str  # "passed" | "failed" | "error"
    mismatches: list[Mismatch] = field(default_factory=list)
    message: str = ""  # why the case could not run (status "error")
    seconds: float = 0.0

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"


@dataclass
class TestRun:
    """Every case of every test file, in order."""
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(c.status == status for c in self.cases)

    @property
    def passed(self) -> int:
        return self.count("passed")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def ok(self) -> bool:
        return bool(self.cases) and self.failed == 0 and self.errors == 0


class TestFileError(Exception):
    """A test file that cannot be used at all."""


def find_test_files(paths) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(sorted(f for f in path.rglob("*.leadtest") if f.is_file()))
        elif path.is_file():
            out.append(path)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return out


def run_tests(paths, *, definitions=None) -> TestRun:
    """Run every case of the test files in ``paths`` (files or folders of ``*.leadtest``).
    ``definitions``: a .lead file (or REV:PATH) to test instead of the one each file names."""
    start = time.perf_counter()
    run = TestRun()
    for f in find_test_files([paths] if isinstance(paths, (str, Path)) else paths):
        run.cases.extend(run_file(f, definitions))
    run.seconds = time.perf_counter() - start
    return run


def run_file(path: Path, definitions=None) -> list[CaseResult]:
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as e:
        return [CaseResult(shown, 1, "(file)", "error", message=f"cannot be read ({e})")]
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        return [CaseResult(shown, int(m.group(1)) if m else 1, "(file)", "error",
                           message=f"not valid TOML: {e}")]
    problems = _unknown(data, _FILE_KEYS, "a test file")
    if problems:
        return [CaseResult(shown, 1, "(file)", "error", message=problems)]
    target = definitions or data.get("definitions") or str(path.with_suffix(".lead").name)
    if definitions is None:
        target = str(path.parent / target)
    try:
        program = load_version(str(target))
    except DslError as e:
        first = e.diagnostics[0] if e.diagnostics else None
        return [CaseResult(shown, 1, "(file)", "error", message=f"{target}: the definitions have errors: {first}")]
    except Exception as e:  # a missing file, a git revision that cannot be read
        return [CaseResult(shown, 1, "(file)", "error", message=str(e))]
    case_lines = [i for i, line in enumerate(text.split("\n"), 1) if re.match(r"\s*\[\[\s*case\s*\]\]", line)]
    table_lines = [i for i, line in enumerate(text.split("\n"), 1) if re.match(r"\s*\[\[\s*table\s*\]\]", line)]
    out = []
    cases = data.get("case", [])
    tables = data.get("table", [])
    if not cases and not tables:
        return [CaseResult(shown, 1, "(file)", "error", message="no [[case]] or [[table]]: nothing to test")]
    for k, case in enumerate(cases):
        line = case_lines[k] if k < len(case_lines) else 1
        out.append(_run_case(program, shown, line, case, data.get("as_of")))
    for k, table in enumerate(tables):
        line = table_lines[k] if k < len(table_lines) else 1
        out.extend(_run_table(program, path, shown, line, table, data.get("as_of")))
    return out


def _unknown(data: dict, keys, what: str) -> str | None:
    for key in data:
        if key not in keys:
            close = suggest(key, keys)
            return f"`{key}` is not a key of {what}" + (f"; did you mean `{close}`?" if close else
                                                        "; the keys are " + ", ".join(keys))
    return None


def _plain(value):
    """TOML values as JSON would give them: dates and times as ISO text."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _run_case(program, file, line, case, default_as_of) -> CaseResult:
    start = time.perf_counter()
    name = str(case.get("name") or f"case at line {line}") if isinstance(case, dict) else f"case at line {line}"
    if not isinstance(case, dict):
        return CaseResult(file, line, name, "error", message="a [[case]] must be a table")
    problem = _unknown(case, _CASE_KEYS, "a [[case]]")
    if problem is None and not isinstance(case.get("lead"), dict):
        problem = "a case needs `lead = { ... }`, the lead's fields"
    if problem is None and not isinstance(case.get("expect"), dict):
        problem = "a case needs `expect = { ... }`: what the lead must get (`mql = true`, `stage = \"mql\"`)"
    if problem is None and not isinstance(case.get("events", []), list):
        problem = "`events` is a list of events: [{ type = \"page_view\", ts = 2026-11-21T10:00:00Z }]"
    if problem is not None:
        return CaseResult(file, line, name, "error", message=problem)
    events = _plain(case.get("events")) or None
    result = _check(program, file, line, name, _plain(case["lead"]), events, case["expect"],
                    case.get("as_of", default_as_of))
    result.seconds = time.perf_counter() - start
    return result


def _check(program, file, line, name, record, events, expect, as_of) -> CaseResult:
    try:
        moment = normalize_as_of(_plain(as_of))
    except (ValueError, TypeError) as e:
        return CaseResult(file, line, name, "error", message=str(e))
    result = program.evaluate(record, moment, events=events, errors="return")
    actual = result.to_dict()
    outputs = list(actual)
    for out_name, want in expect.items():  # the expectations, checked against the program first
        why = _expectation_problem(program, outputs, out_name, want)
        if why:
            return CaseResult(file, line, name, "error", message=why)
    if result.errors:
        return CaseResult(file, line, name, "error", message="the lead has a bad value: " + result.error)
    explain = None
    mismatches = []
    for out_name, want in expect.items():
        got = actual.get(out_name)
        if not _same(want, got):
            explain = explain if explain is not None else program.explain(record, moment, events=events)
            mismatches.append(Mismatch(out_name, _shown_expected(want), got, _sections(explain, out_name, want, got)))
    return CaseResult(file, line, name, "failed" if mismatches else "passed", mismatches)


def _expectation_problem(program, outputs, out_name, want) -> str | None:
    if out_name not in outputs:
        close = suggest(out_name, outputs)
        return (f"expected output `{out_name}` is not an output of the definitions"
                + (f"; did you mean `{close}`?" if close else "; outputs: " + ", ".join(outputs)))
    if out_name in program.definitions and not isinstance(want, bool):
        return f"`{out_name}` is a lead definition: expect true or false, not {want!r}"
    if out_name == "stage" and not (isinstance(want, str) and (want.strip().lower() in _NONE
                                                                 or want in program.stages)):
        close = suggest(str(want), program.stages)
        return (f"expected stage {want!r} is not a stage ({' < '.join(program.stages)})"
                + (f"; did you mean `{close}`?" if close else ""))
    none = isinstance(want, str) and want.strip().lower() in _NONE
    scope = program.analysis.scope
    if out_name in program.bands or out_name in program.routes:  # a value it can take, or none
        band = out_name in program.bands
        members = (scope.band_types if band else scope.route_types)[out_name].members
        if not none and want not in members:
            close = suggest(str(want), members)
            return (f"expected {'band' if band else 'route'} `{out_name}` {want!r} is not one of its "
                    f"{'bands' if band else 'targets'} ({', '.join(members)})"
                    + (f"; did you mean `{close}`?" if close else ""))
    if out_name in program.scores and not none and (isinstance(want, bool) or not isinstance(want, (int, float))):
        return f"`{out_name}` is a score: expect a number, not {want!r}"
    return None


def _shown_expected(want):
    return None if isinstance(want, str) and want.strip().lower() in _NONE else want


def _same(want, got) -> bool:
    if isinstance(want, str) and want.strip().lower() in _NONE:
        return got is None
    if isinstance(want, bool) or isinstance(got, bool):
        return want is got
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-9)
    return want == got


def _sections(explain: str, out_name: str, want, got) -> str:
    """The parts of ``explain`` that decided ``out_name``: its own section; for `stage`,
    the stage line and the sections of the stages expected and found."""
    blocks = explain.split("\n\n")
    head = blocks[0]
    by_name = {b.split(":", 1)[0]: b for b in blocks[1:]}
    names = [out_name]
    if out_name == "stage":
        names = ["stage"] + [s for s in (want, got) if isinstance(s, str) and s in by_name]
    shown = [by_name[x] for x in dict.fromkeys(names) if x in by_name]
    return "\n\n".join([head, *shown]) if shown else explain


def _run_table(program, path: Path, file, line, table, default_as_of) -> list[CaseResult]:
    problem = _unknown(table, _TABLE_KEYS, "a [[table]]") if isinstance(table, dict) else "a [[table]] must be a table"
    if problem is None and not isinstance(table.get("data"), str):
        problem = "a [[table]] needs `data = \"examples.xlsx\"` (or .csv, .jsonl)"
    if problem is not None:
        return [CaseResult(file, line, "(table)", "error", message=problem)]
    data = str(path.parent / table["data"])
    id_field = table.get("id_field", "id")
    prefix = table.get("expect_prefix", "expect ")
    try:
        rows = read_rows(data, None, table.get("sheet"))
        events = EventTable(str(path.parent / table["events"]), wanted=program.event_columns) \
            if table.get("events") else None
    except InputError as e:
        return [CaseResult(file, line, "(table)", "error", message=str(e))]
    out = []
    for row in rows:
        name = f"{table['data']} {rows.unit} {row.number}" + (f" (id {row.get(id_field)})"
                                                             if row.get(id_field) is not None else "")
        if row.record is None:
            out.append(CaseResult(file, line, name, "error", message=row.error or "cannot be read"))
            continue
        expect, record = {}, {}
        for key, value in row.record.items():
            if isinstance(key, str) and key.startswith(prefix):
                if value is None:
                    continue  # an empty cell: nothing expected
                expect[key[len(prefix):].strip()] = _cell_expectation(program, key[len(prefix):].strip(), value)
            else:
                record[key] = value
        if not expect:
            out.append(CaseResult(file, line, name, "error",
                                  message=f"no `{prefix}...` column with a value: nothing to check"))
            continue
        extra = events.events_for(row.record.get(id_field)) if events is not None else None
        start = time.perf_counter()
        result = _check(program, file, line, name, record, extra, expect, table.get("as_of", default_as_of))
        result.seconds = time.perf_counter() - start
        out.append(result)
    return out


def _cell_expectation(program, name: str, value):
    """A cell of an `expect ...` column: true/false for a definition (yes/no, 1/0 too)."""
    if name in program.definitions and not isinstance(value, bool):
        try:
            read = read_bool(value)
        except BadValue:
            return value  # reported as a wrong expectation
        return value if read is None else read
    return value
