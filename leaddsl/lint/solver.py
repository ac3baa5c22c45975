"""The questions the rules ask z3, with a per-query timeout and the pass's budget.

``check`` answers ``True`` (satisfiable), ``False`` (unsatisfiable) or ``None``
(z3 gave up: timeout, the pass's time budget spent, or ``unknown``). Every rule
treats ``None`` as "no finding", so a hard program makes the linter quieter,
never wrong. The budget (:class:`~leaddsl.lint.budget.Budget`) is wall-clock
time for the whole pass; a query never runs past it.

``never_true`` and ``always_true`` cache their answers per node and reuse
each model they get: when a model makes a condition true, every clause of an
``and`` (and every other clause the model makes true) is satisfiable too, with
no further query. The same holds for "not always true".
"""
from __future__ import annotations

from contextlib import contextmanager

import z3

from ..front import nodes as n
from ..runtime.plan import lower_all
from .budget import Budget
from .encode import AND, NOT, OR, TRUE, Cond, Encoder
from .terms import is_true_in
from .tree import bool_children

TIMEOUT_MS = 200  # one query


class Logic:
    def __init__(self, analysis, roots, budget: Budget | None = None, timeout_ms: int = TIMEOUT_MS):
        self.budget = budget if budget is not None else Budget()
        self.enc = Encoder(lower_all(analysis))
        for root in roots:  # every root first: the axioms must be complete before a query
            if self.budget.out():
                break  # no query will run
            self.enc.cond(root.node)
        self.solver = z3.Solver()
        self.timeout_ms = timeout_ms
        self._synced = 0
        self.nt: dict[int, bool | None] = {}
        self.at: dict[int, bool | None] = {}
        self.true_models: dict[int, object] = {}   # a model where the node is true
        self.false_models: dict[int, object] = {}  # a model where it is not (fields present)

    # ---------------------------------------------------------- basics
    def cond(self, node) -> Cond:
        return self.enc.cond(node)

    def _start(self) -> bool:
        """Before a query: False when the budget forbids it; else the solver has
        every axiom and a timeout that ends the query by the deadline."""
        if not self.budget.ask():
            return False
        self._sync()
        self.solver.set("timeout", max(1, min(self.timeout_ms, int(self.budget.left() * 1000))))
        return True

    @contextmanager
    def scope(self, *formulas):
        """The queries inside also assume ``formulas``, added to the solver once
        (for many queries that share a large formula)."""
        self._sync()
        synced = self._synced
        self.solver.push()
        try:
            self.solver.add(*formulas)
            yield
        finally:
            self.solver.pop()
            self._synced = min(self._synced, synced)  # axioms added inside were popped too

    def _sync(self):
        axioms = self.enc.axioms
        if self._synced < len(axioms):
            self.solver.add(*axioms[self._synced:])
            self._synced = len(axioms)

    def check(self, *formulas, model: bool = False):
        """(True/False/None, model or None)."""
        if not self._start():
            return None, None
        s = self.solver
        s.push()
        try:
            s.add(*formulas)
            r = s.check()
            m = s.model() if (model and r == z3.sat) else None
        except z3.Z3Exception:
            r, m = z3.unknown, None
        finally:
            s.pop()
        if r == z3.sat:
            return True, m
        if r == z3.unsat:
            return False, None
        return None, None

    def sat(self, *formulas) -> bool | None:
        return self.check(*formulas)[0]

    def unsat(self, *formulas) -> bool:
        """True only when z3 proved the formulas unsatisfiable."""
        return self.check(*formulas)[0] is False

    holds = staticmethod(is_true_in)

    def core(self, nodes: list) -> list:
        """A minimal subset of conditions that cannot all be true (nodes in order)."""
        if not self._start():
            return list(nodes)
        s = self.solver
        lits = [z3.Bool(f"__core{i}") for i in range(len(nodes))]
        s.push()
        try:
            for lit, node in zip(lits, nodes):
                s.add(z3.Implies(lit, self.cond(node).t))
            keep = list(range(len(nodes)))
            if s.check(*[lits[i] for i in keep]) != z3.unsat:
                return list(nodes)
            core = {str(c) for c in s.unsat_core()}
            keep = [i for i in keep if str(lits[i]) in core]
            for i in list(keep):
                trial = [j for j in keep if j != i]
                if trial and not self.budget.out() and s.check(*[lits[j] for j in trial]) == z3.unsat:
                    keep = trial
            return [nodes[i] for i in keep]
        except z3.Z3Exception:  # pragma: no cover
            return list(nodes)
        finally:
            s.pop()

    # -------------------------------------------------- never / always
    def never_true(self, node) -> bool | None:
        """True when no record makes ``node`` true (proved), None when z3 gave up."""
        key = id(node)
        if key in self.nt:
            return self.nt[key]
        if self.budget.out():
            return None  # not even encoded
        # a model only helps when something below is not settled by the `and`s
        want = any(id(x) not in self.nt for x in self.tree(node) if x is not node) and \
            not self._all_and(node)
        r, m = self.check(self.cond(node).t, model=want)
        self.nt[key] = None if r is None else not r
        if r:
            if m is not None:
                self.true_models[key] = m
                self._spread_true(node, m, certain=True)
            else:
                for x in self._and_closure(node):
                    self.nt[id(x)] = False
        return self.nt[key]

    @staticmethod
    def _and_closure(node) -> list:
        out, stack = [], [node]
        while stack:
            x = stack.pop()
            out.append(x)
            if isinstance(x, n.BoolOp) and x.op == "and":
                stack.extend(x.operands)
        return out

    def _all_and(self, node) -> bool:
        """Every condition below is reached through `and` only."""
        return all(not isinstance(x, (n.Not,)) and not (isinstance(x, n.BoolOp) and x.op == "or")
                   for x in self.tree(node))

    def _spread_true(self, node, m, certain: bool):
        for child in bool_children(node):
            known = certain and isinstance(node, n.BoolOp) and node.op == "and"
            if not known:
                known = self.holds(m, self.cond(child).t)
            if known and id(child) not in self.nt:
                self.nt[id(child)] = False
                self.true_models.setdefault(id(child), m)
            self._spread_true(child, m, known)

    def assumption(self, node):
        """What "always true" may assume: every value it reads is present, unless
        it tests presence itself (then it must hold for every record)."""
        c = self.cond(node)
        return TRUE if c.tests else self.enc.presence(c.vars)

    def always_true(self, node) -> bool | None:
        """True when every record whose values are present makes ``node`` true."""
        key = id(node)
        if key in self.at:
            return self.at[key]
        if self.budget.out():
            return None
        assume = self.assumption(node)
        r, m = self.check(assume, NOT(self.cond(node).t), model=True)
        if r is False and assume is not TRUE and not self.sat(assume):
            r = None  # vacuous: its values are never all present (a route of a lead that never holds)
        self.at[key] = None if r is None else not r
        if r:
            self.false_models[key] = m
            self._spread_not_true(node, m)
        return self.at[key]

    def _spread_not_true(self, node, m):
        for child in bool_children(node):
            if id(child) not in self.at and self.holds(m, self.assumption(child)) \
                    and not self.holds(m, self.cond(child).t):
                self.at[id(child)] = False
                self.false_models.setdefault(id(child), m)
            self._spread_not_true(child, m)

    # ------------------------------------------------------ whole trees
    @staticmethod
    def tree(root) -> list:
        """root and every condition below it through and/or/not, parents first."""
        out, stack = [], [root]
        while stack:
            x = stack.pop()
            out.append(x)
            stack.extend(reversed(bool_children(x)))
        return out

    def settle_never_true(self, root):
        """Answer ``never_true`` for a whole tree with as few queries as possible:
        the root (its model settles every clause of an `and`, and whatever else it
        makes true), then one query that asks for all the rest to be true at once."""
        self.never_true(root)
        todo = [x for x in self.tree(root) if id(x) not in self.nt]
        if len(todo) > 1 and self.sat(*[self.cond(x).t for x in todo]):
            for x in todo:
                self.nt[id(x)] = False

    def _above_not(self, root) -> list:
        out, stack = [], [root]
        while stack:
            x = stack.pop()
            out.append(x)
            if isinstance(x, n.BoolOp):
                stack.extend(x.operands)
        return out

    def settle_always_true(self, root):
        """The same for ``always_true``: one query for every condition above a `not`
        to be not true at once (the values they read present), then the rest."""
        todo = [x for x in self._above_not(root) if id(x) not in self.at and not isinstance(x, n.Bool)]
        if len(todo) > 1 and self.sat(*[self.assumption(x) for x in todo], *[NOT(self.cond(x).t) for x in todo]):
            for x in todo:
                self.at[id(x)] = False
        self.always_true(root)
        todo = [x for x in self.tree(root) if id(x) not in self.at and not isinstance(x, n.Bool)]
        if len(todo) > 1 and self.sat(*[self.assumption(x) for x in todo], *[NOT(self.cond(x).t) for x in todo]):
            for x in todo:
                self.at[id(x)] = False

    def valid(self, node) -> bool:
        """True for every record, missing values included (proved)."""
        return self.unsat(NOT(self.cond(node).t))

    def implies(self, a, b) -> bool:
        """Proved: whenever a is true, b is true."""
        return self.unsat(a, NOT(b))


__all__ = ["Logic", "AND", "OR", "NOT", "TRUE"]
