"""z3 terms, built fast: Boolean connectives that fold constants, cardinality,
comparisons, exact numbers and times; and a formula's truth in a model.

The z3 Python operators coerce and check every argument (about 20x slower than
the C API); the encoder builds thousands of terms, so these call the API.
``TRUE`` and ``FALSE`` are the constants the connectives fold (by identity).
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import z3

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
TRUE = z3.BoolVal(True)
FALSE = z3.BoolVal(False)


_CTX = z3.main_ctx()


def _wrap(ast):
    return z3.BoolRef(ast, _CTX)


def _array(xs):
    arr = (z3.Ast * len(xs))()
    for i, x in enumerate(xs):
        arr[i] = x.as_ast()
    return arr


def AND(*xs):
    out = []
    for x in xs:
        if x is TRUE:
            continue
        if x is FALSE:
            return FALSE
        out.append(x)
    if not out:
        return TRUE
    return out[0] if len(out) == 1 else _wrap(z3.Z3_mk_and(_CTX.ref(), len(out), _array(out)))


def OR(*xs):
    out = []
    for x in xs:
        if x is FALSE:
            continue
        if x is TRUE:
            return TRUE
        out.append(x)
    if not out:
        return FALSE
    return out[0] if len(out) == 1 else _wrap(z3.Z3_mk_or(_CTX.ref(), len(out), _array(out)))


def NOT(x):
    if x is TRUE:
        return FALSE
    if x is FALSE:
        return TRUE
    return _wrap(z3.Z3_mk_not(_CTX.ref(), x.as_ast()))


def AT_LEAST(xs, k: int):
    """At least k of the Booleans xs are true."""
    return _wrap(z3.Z3_mk_atleast(_CTX.ref(), len(xs), _array(xs), k))


def AT_MOST(xs, k: int):
    """At most k of the Booleans xs are true."""
    return _wrap(z3.Z3_mk_atmost(_CTX.ref(), len(xs), _array(xs), k))


def is_true_in(model, formula) -> bool:
    """``formula`` is true in ``model`` (unassigned variables completed)."""
    r = (z3.Ast * 1)()
    return bool(z3.Z3_model_eval(_CTX.ref(), model.model, formula.as_ast(), True, r)) and \
        z3.Z3_get_bool_value(_CTX.ref(), r[0]) == z3.Z3_L_TRUE


_MK = {"=": z3.Z3_mk_eq, "<": z3.Z3_mk_lt, "<=": z3.Z3_mk_le, ">": z3.Z3_mk_gt, ">=": z3.Z3_mk_ge}


def rel(op: str, a, b):
    """`a op b` for two terms of the same sort (op one of = != < <= > >=)."""
    if a.sort_kind() != b.sort_kind():  # pragma: no cover - the encoder keeps sorts equal
        a, b = (z3.ToReal(a) if a.sort_kind() == z3.Z3_INT_SORT else a,
                z3.ToReal(b) if b.sort_kind() == z3.Z3_INT_SORT else b)
    if op == "!=":
        return NOT(_wrap(z3.Z3_mk_eq(_CTX.ref(), a.as_ast(), b.as_ast())))
    return _wrap(_MK[op](_CTX.ref(), a.as_ast(), b.as_ast()))


def real(value) -> z3.ArithRef:
    fr = Fraction(value)
    return z3.RealVal(f"{fr.numerator}/{fr.denominator}") if fr.denominator != 1 else z3.RealVal(fr.numerator)


def seconds_of(value: dt.date | dt.datetime) -> Fraction:
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    delta = value - EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds
    return Fraction(micros, 10**6)
