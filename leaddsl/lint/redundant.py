"""W102: a clause made redundant by the others.

How: for each clause of an n-ary `and` (`or`), z3 must prove that removing it
changes no record's result, true, false *or* unknown: the others true imply it
true, and it false implies another false (dually for `or`). Clauses are tried
from the last to the first and a redundant one is dropped before the next is
tried, so of two clauses that imply each other only one is reported. Clauses
that share no value with the others are not tried.

W102 redundant-clause (warning)
-------------------------------
What it finds: A clause of an `and` that the other clauses already imply
(`revenue >= 300M and revenue >= 100M`), or a clause of an `or` that implies
another one (`seniority >= vp or seniority >= director`), also through `let` and
lead names (`lead sql when mql and revenue >= 300M`, when `mql` requires it).

Why it matters: A redundant clause is usually a leftover of an edit: someone
raised one threshold and forgot the other, and the reader cannot tell which of
the two the team agreed on. It often hides the threshold that was meant.

Example::

    field revenue: number
    lead big when revenue >= 300M and revenue >= 100M

Fix: Remove the clause the message names, or correct it if it was meant to say
something else (a different field, an upper bound).
"""
from __future__ import annotations

from ..front import nodes as n
from . import rule
from .docs import register_doc

register_doc(__doc__)


@rule
def redundant_clause(ctx, diags):
    logic = ctx.logic
    for root in ctx.roots:
        for node in _boolops(root.node):
            _check(ctx, logic, node, diags)


def _boolops(node):
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, n.BoolOp):
            yield x
            stack.extend(reversed(x.operands))
        elif isinstance(x, n.Not):
            stack.append(x.operand)


def _check(ctx, logic, node, diags):
    from .encode import AND, NOT, OR
    ops = list(node.operands)
    if len(ops) < 2 or logic.never_true(node):
        return  # in a contradiction every clause is vacuously implied (W101 reports it)
    conds = [logic.cond(c) for c in ops]
    active = list(range(len(ops)))
    is_and = node.op == "and"
    for i in reversed(range(len(ops))):
        others = [j for j in active if j != i]
        if not others or isinstance(ops[i], n.Bool):
            continue
        ci = conds[i]
        shared = frozenset().union(*(conds[j].vars for j in others))
        if not (ci.vars & shared):
            continue  # independent clauses cannot imply each other
        ts = [conds[j].t for j in others]
        fs = [conds[j].f for j in others]
        if is_and:
            # true: others true -> ci true; false: ci false -> some other false
            proved = logic.unsat(AND(*ts), NOT(ci.t)) and logic.unsat(ci.f, NOT(OR(*fs)))
        else:
            # true: ci true -> some other true; false: others false -> ci false
            proved = logic.unsat(ci.t, NOT(OR(*ts))) and logic.unsat(AND(*fs), NOT(ci.f))
        if not proved:
            continue
        if is_and and logic.at.get(id(ops[i])) is not False and logic.valid(ops[i]) or \
                not is_and and logic.never_true(ops[i]):
            continue  # implied by anything, or implies anything: W103 / W101 report it
        active.remove(i)
        by = _single(logic, ops, conds, i, others, is_and)
        clause = f"`{ctx.text(ops[i])}`"
        if by is not None and ctx.text(ops[by]) == ctx.text(ops[i]):
            reason = "it is written twice"
        elif is_and:
            reason = f"`{ctx.text(ops[by])}` already implies it" if by is not None else \
                "the other clauses already imply it"
        else:
            reason = f"whenever it is true, `{ctx.text(ops[by])}` is too" if by is not None else \
                "whenever it is true, another clause is too"
        diags.add("W102", ops[i].span, f"{clause} is redundant: {reason}",
                  "remove it, or correct it if it was meant to say something else")


def _single(logic, ops, conds, i, others, is_and):
    """One other clause that alone makes clause i redundant, if there is one."""
    from .encode import NOT
    ci = conds[i]
    for j in others:
        cj = conds[j]
        if not (ci.vars & cj.vars):
            continue
        if is_and and logic.unsat(cj.t, NOT(ci.t)) and logic.unsat(ci.f, NOT(cj.f)):
            return j
        if not is_and and logic.unsat(ci.t, NOT(cj.t)) and logic.unsat(cj.f, NOT(ci.f)):
            return j
    return None
