"""Every public way of running a program on one record, for tests that compare them."""
import re

import pytest

import leaddsl

# explain shows a score with at most two decimals
SHOWN = 0.005


def shown_score(text: str):
    """A score as explain shows it (``35``, ``17.5``, ``-0.33``), as a value that equals
    every float explain would show so; None for ``error``."""
    if text == "error":
        return None
    return pytest.approx(float(text), abs=SHOWN, rel=1e-12)


def explained(program, record, as_of) -> dict:
    """The outputs as ``explain`` reports them (its top-level lines): leads, stage, scores
    (within explain's rounding), bands and routes (None for ``none`` and ``error``)."""
    text = program.explain(record, as_of=as_of)
    out = {}
    names = set(program.outputs)
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*): (true|false|unknown|error|none|\S+)", line)
        if not m or m.group(1) not in names:
            continue
        name, word = m.groups()
        if name in program.scores:
            out[name] = shown_score(word)
        elif name == "stage" or name in program.bands or name in program.routes:
            out[name] = None if word in ("none", "error") else word
        else:
            out[name] = {"true": True, "false": False}.get(word)
    return out


def every_way(program, record, as_of):
    """The outputs of ``record`` by every public path; each a dict, or 'DataError'."""
    def attempt(fn):
        try:
            return fn()
        except leaddsl.DataError:
            return "DataError"
    one = attempt(lambda: program.evaluate(record, as_of=as_of).to_dict())
    many = attempt(lambda: next(iter(program.evaluate_many([record], as_of=as_of))).to_dict())
    returned = program.evaluate(record, as_of=as_of, errors="return")
    return one, many, returned, explained(program, record, as_of)
