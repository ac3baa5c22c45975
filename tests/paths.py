"""Every public way of running a program on one record, for tests that compare them."""
import re

import leaddsl


def explained(program, record, as_of) -> dict:
    """The outputs as ``explain`` reports them (its top-level lines)."""
    text = program.explain(record, as_of=as_of)
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*): (true|false|unknown|error|none|\S+)", line)
        if m and (m.group(1) in program.definitions or m.group(1) == "stage"):
            word = m.group(2)
            if m.group(1) == "stage":
                out["stage"] = None if word in ("none", "error") else word
            else:
                out[m.group(1)] = {"true": True, "false": False}.get(word)
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
