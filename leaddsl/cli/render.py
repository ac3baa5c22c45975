"""Diagnostics for people and machines: text (with a caret), json, sarif 2.1.0, github."""
from __future__ import annotations

import json
import re

from .. import __version__
from ..codes import CODES
from ..diagnostics import Diagnostic
from ..source import Source

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}

# C0 and C1 controls but newline, bidirectional overrides, lone surrogates
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` safe to show on a terminal: control characters (terminal escape
    sequences), bidirectional overrides and lone surrogates become escapes such
    as ``\\x1b``; newlines stay. Every message the CLI prints goes through it."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def text(diags: list[Diagnostic], sources: dict[str, Source], color: bool = False) -> str:
    out = []
    for d in diags:
        sev = d.severity
        file, message = printable(d.file), printable(d.message)
        head = f"{file}:{d.line}:{d.column}: {d.code} {message}"
        if color:
            c = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m"}[sev]
            head = f"\x1b[1m{file}:{d.line}:{d.column}:\x1b[0m {c}{d.code}\x1b[0m {message}"
        out.append(head)
        src = sources.get(d.file)
        if src is not None:
            line = src.line(d.line)
            if line or d.line <= len(src.text.split("\n")):
                num = str(d.line)
                pad = " " * len(num)
                shown = printable(line.expandtabs(1))
                end = d.end_column if d.end_line == d.line else len(line) + 1
                width = max(1, min(end, len(line) + 1) - d.column)
                out.append(f"{pad} |")
                out.append(f"{num} | {shown}")
                out.append(f"{pad} | {' ' * (d.column - 1)}{'^' * width}")
        if d.hint:
            out.append(f"  = hint: {printable(d.hint)}")
        out.append("")
    return "\n".join(out)


def as_json(diags: list[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diags], indent=2, ensure_ascii=False)


def sarif(diags: list[Diagnostic]) -> str:
    used = sorted({d.code for d in diags})
    rules = []
    for code in used:
        c = CODES.get(code)
        rule = {"id": code}
        if c is not None:
            rule.update({
                "name": c.slug,
                "shortDescription": {"text": c.summary},
                "fullDescription": {"text": c.why},
                "help": {"text": c.render()},
                "defaultConfiguration": {"level": SARIF_LEVEL[c.severity]},
            })
        rules.append(rule)
    index = {code: i for i, code in enumerate(used)}
    results = []
    for d in diags:
        message = d.message + (f" (hint: {d.hint})" if d.hint else "")
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": SARIF_LEVEL[d.severity],
            "message": {"text": message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": d.file.replace("\\", "/")},
                    "region": {"startLine": d.line, "startColumn": d.column,
                               "endLine": d.end_line, "endColumn": d.end_column},
                }
            }],
        })
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "leaddsl", "version": __version__,
                                "informationUri": "https://pypi.org/project/leaddsl/", "rules": rules}},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def github(diags: list[Diagnostic]) -> str:
    out = []
    for d in diags:
        level = {"error": "error", "warning": "warning", "info": "notice"}[d.severity]
        msg = d.message + (f" (hint: {d.hint})" if d.hint else "")
        props = (f"file={_gh_escape(d.file, True)},line={d.line},col={d.column},"
                 f"endLine={d.end_line},endColumn={d.end_column},title={_gh_escape(d.code, True)}")
        out.append(f"::{level} {props}::{_gh_escape(msg)}")
    return "\n".join(out)


def summary(diags: list[Diagnostic], files: int) -> str:
    e = sum(d.severity == "error" for d in diags)
    w = sum(d.severity == "warning" for d in diags)
    i = sum(d.severity == "info" for d in diags)
    return f"{files} file(s) checked: {e} error(s), {w} warning(s), {i} info"
