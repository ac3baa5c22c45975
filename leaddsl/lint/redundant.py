"""W102: a clause made redundant by the others.

How: for each clause of an n-ary `and` (`or`), z3 must prove that removing it
changes no record's result, true, false *or* unknown: the others true imply it
true, and it false implies another false (dually for `or`). Clauses are tried
from the last to the first and a redundant one is dropped before the next is
tried, so of two clauses that imply each other only one is reported. Clauses
that share no value with the others are not tried. In a long `and` (`or`),
"all the others" and "none of the others" are cardinality constraints asserted
once for all its queries, so a clause costs two small queries, not two formulas
as long as the `or`; the pass's time budget bounds how many clauses are tried.

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

from collections import Counter
from contextlib import nullcontext

from ..front import nodes as n
from . import rule
from .docs import register_doc

register_doc(__doc__)

LONG = 64  # clauses of one `and`/`or`: from here "the others" are asserted once per set


@rule
def redundant_clause(ctx, diags):
    logic = ctx.logic
    for root in ctx.roots:
        if ctx.budget.out():
            return
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
    ops = list(node.operands)
    if len(ops) < 2 or ctx.budget.out() or logic.never_true(node):
        return  # in a contradiction every clause is vacuously implied (W101 reports it)
    from .encode import NOT
    conds = [logic.cond(c) for c in ops]
    active = list(range(len(ops)))
    reads = Counter(v for c in conds for v in c.vars)  # how many active clauses read each value
    is_and = node.op == "and"
    todo = [i for i in reversed(range(len(ops)))
            if not isinstance(ops[i], n.Bool) and any(reads[v] > 1 for v in conds[i].vars)]
    if len(ops) >= LONG:
        todo = _not_alone(ctx, logic, conds, todo, is_and)
    while todo:
        found = None
        scope, all_others, none_others = _others(logic, conds, active, is_and)
        with scope:
            while todo and found is None:
                if ctx.budget.out():
                    return
                i = todo.pop(0)
                ci = conds[i]
                if not any(reads[v] > 1 for v in ci.vars):
                    continue  # independent clauses cannot imply each other
                if is_and:
                    # true: others true -> ci true; false: ci false -> some other false
                    proved = logic.unsat(all_others(i), NOT(ci.t)) and logic.unsat(none_others(i), ci.f)
                else:
                    # true: ci true -> some other true; false: others false -> ci false
                    proved = logic.unsat(none_others(i), ci.t) and logic.unsat(all_others(i), NOT(ci.f))
                if proved and not (is_and and logic.at.get(id(ops[i])) is not False and logic.valid(ops[i]) or
                                   not is_and and logic.never_true(ops[i])):
                    found = i  # (else implied by anything, or implies anything: W103 / W101 report it)
        if found is not None:
            active.remove(found)
            reads.subtract(conds[found].vars)
            _report(ctx, logic, ops, conds, found, active, is_and, diags)


def _others(logic, conds, active, is_and):
    """(scope, all_others, none_others): ``all_others(i)`` says every active clause
    but i is true (`and`) or false (`or`), ``none_others(i)`` that none is false
    (`and`) or true (`or`); they hold inside ``scope``."""
    import z3

    from .encode import AND, NOT, OR
    from .terms import AT_LEAST, AT_MOST
    every = [conds[j].t if is_and else conds[j].f for j in active]
    none = [conds[j].f if is_and else conds[j].t for j in active]
    if len(active) < LONG:
        at = {j: k for k, j in enumerate(active)}
        return (nullcontext(), lambda i: AND(*every[:at[i]], *every[at[i] + 1:]),
                lambda i: NOT(OR(*none[:at[i]], *none[at[i] + 1:])))
    # asserted once, behind guards, as cardinality constraints
    g_all, g_none = z3.FreshBool(), z3.FreshBool()
    scope = logic.scope(OR(NOT(g_all), AT_LEAST(every, len(every) - 1)), OR(NOT(g_none), AT_MOST(none, 1)))
    return scope, lambda i: g_all, lambda i: g_none


def _not_alone(ctx, logic, conds, todo, is_and) -> list:
    """The clauses of todo (of a long `and`/`or`) left once those a model shows are
    needed are taken out: a record where the clause alone is true (`or`), or alone
    is not (`and`). A small query each, where the question with the constraints
    above costs as much as the `or` is long; dropping clauses keeps them needed."""
    from .encode import NOT
    from .terms import AT_LEAST, AT_MOST
    ts = [c.t for c in conds]
    alone = AT_LEAST(ts, len(ts) - 1) if is_and else AT_MOST(ts, 1)
    left = []
    for i in todo:
        if ctx.budget.out():
            break
        r, m = logic.check(NOT(conds[i].t) if is_and else conds[i].t, model=True)
        if not (r and logic.holds(m, alone)):
            left.append(i)
    return left


def _report(ctx, logic, ops, conds, i, others, is_and, diags):
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
    # only a clause true (`or`) / not true (`and`) where clause i is can be the one
    m = logic.check(ci.t if not is_and else NOT(ci.t), model=True)[1]
    for j in others:
        cj = conds[j]
        if not (ci.vars & cj.vars) or m is not None and logic.holds(m, cj.t) == is_and:
            continue
        if is_and and logic.unsat(cj.t, NOT(ci.t)) and logic.unsat(ci.f, NOT(cj.f)):
            return j
        if not is_and and logic.unsat(ci.t, NOT(cj.t)) and logic.unsat(cj.f, NOT(ci.f)):
            return j
    return None
