"""How a test run is shown: text like pytest's, and JUnit XML for CI."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .testing import TestRun

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _value(v) -> str:
    if v is None:
        return "none"
    if v is True or v is False:
        return "true" if v else "false"
    return repr(v) if isinstance(v, str) else str(v)


def failure_text(case) -> str:
    if case.status == "error":
        return f"{case.file}:{case.line}: {case.message}"
    lines = [f"{case.file}:{case.line}: case {case.name!r}"]
    for m in case.mismatches:
        lines.append(f"  {m.output}: expected {_value(m.expected)}, got {_value(m.actual)}")
        lines.extend("    | " + x for x in m.explain.split("\n"))
    return "\n".join(lines)


def summary(run: TestRun) -> str:
    parts = [f"{run.passed} passed"]
    if run.failed:
        parts.append(f"{run.failed} failed")
    if run.errors:
        parts.append(f"{run.errors} error(s)")
    return ", ".join(parts) + f" in {run.seconds:.2f}s"


def as_text(run: TestRun) -> str:
    out = [f"{c.id} {c.status.upper()}" for c in run.cases]
    bad = [c for c in run.cases if c.status != "passed"]
    if bad:
        out.append("")
        out.append(" FAILURES ".center(72, "="))
        for c in bad:
            out.append(f" {c.id} ".center(72, "_"))
            out.append(failure_text(c))
            out.append("")
    out.append(f" {summary(run)} ".center(72, "="))
    return "\n".join(out)


def as_junit(run: TestRun) -> str:
    """JUnit XML: one testsuite per test file, one testcase per case."""
    root = ET.Element("testsuites", tests=str(len(run.cases)), failures=str(run.failed),
                      errors=str(run.errors), time=f"{run.seconds:.3f}")
    suites: dict[str, ET.Element] = {}
    for c in run.cases:
        suite = suites.get(c.file)
        if suite is None:
            mine = [x for x in run.cases if x.file == c.file]
            suite = suites[c.file] = ET.SubElement(
                root, "testsuite", name=_clean(c.file), tests=str(len(mine)),
                failures=str(sum(x.status == "failed" for x in mine)),
                errors=str(sum(x.status == "error" for x in mine)),
                time=f"{sum(x.seconds for x in mine):.3f}")
        case = ET.SubElement(suite, "testcase", classname=_clean(c.file), name=_clean(c.name),
                             file=_clean(c.file), line=str(c.line), time=f"{c.seconds:.3f}")
        if c.status == "failed":
            message = "; ".join(f"{m.output}: expected {_value(m.expected)}, got {_value(m.actual)}"
                                for m in c.mismatches)
            ET.SubElement(case, "failure", message=_clean(message)).text = _clean(failure_text(c))
        elif c.status == "error":
            ET.SubElement(case, "error", message=_clean(c.message)).text = _clean(failure_text(c))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")


def _clean(text: str) -> str:
    """Text XML can hold: characters XML 1.0 forbids are written as \\xNN."""
    return _XML_BAD.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(text))
