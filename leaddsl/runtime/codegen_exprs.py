"""The expressions of the generated evaluator: a plan node as code (a mixin of
:class:`codegen.Generator`, which supplies ``const``, ``tmp``, the local names, its
namespace and ``traced``). For the fast function a value is one expression and a
condition a pair of expressions, true exactly when it is true and when it is false
(compiled by polarity with the pair rules of ``logic``); for the safe function
``ssa`` computes a node three-valued into a local, statement by statement, and
records it for the trace when asked. Aggregates and sequences are calls of the
helpers the generated source is given (``codegen._HELPERS``).
"""
from __future__ import annotations

from . import plan as P
from ..logic import and_tf, fold, or_tf, test_tf


def _AND(parts):
    parts = [p for p in parts if p != "True"]
    return "(" + " and ".join(parts) + ")" if parts else "True"


def _OR(parts):
    parts = [p for p in parts if p != "False"]
    return "(" + " or ".join(parts) + ")" if parts else "False"


def _NOT(x):
    return f"(not {x})"


class Exprs:
    def _leaf(self, x) -> str | None:
        """Code for what both ways write alike (a constant, a record's value, an event's property, a
        lead, output or schemaless comparison computed once), else None."""
        if isinstance(x, P.Const):
            return self.const(x.value)
        if isinstance(x, P.Read):
            return self.slot_local(x.slot)
        if isinstance(x, P.Prop):
            return self.prop_local(x.prop, self._prop_event(x.prop))
        if isinstance(x, P.LeadUse):
            return self.lead_local(x.lead)
        if isinstance(x, P.DynCmp):
            return self.dyn_local(x)
        if isinstance(x, P.OutputUse):
            return self.output_local(x.item)
        return None

    # ====================================================== fast: values
    def V(self, x) -> str:
        """Code for the value of ``x`` (None when missing or unknown)."""
        leaf = self._leaf(x)
        if leaf is not None:
            return leaf
        if isinstance(x, P.Key):
            first, use = self.bind(self.V(x.x))
            return f"(None if {first} is None else {self.key_of(x, use)})"
        if isinstance(x, P.Arith):
            return f"_arith({self.const(x.op)}, {self.V(x.left)}, {self.V(x.right)})"
        if isinstance(x, P.Neg):
            return f"_neg({self.V(x.x)})"
        if isinstance(x, P.Agg):
            return self.agg_fast(x)
        if isinstance(x, P.LetUse):
            if x.let.shared:
                return self.let_local(x.let)
            return self.V(x.let.body) if not isinstance(x.let.body, P.CONDITIONS) else self.V3(x.let.body)
        return self.V3(x)

    def V3(self, x) -> str:
        t, f = self.TF(x)
        return f"(True if {t} else (False if {f} else None))"

    def bind(self, code: str) -> tuple[str, str]:
        """(first use, later uses) of a value: a local stays a local, an expression gets a walrus."""
        if code.isidentifier() or code in ("None", "True", "False"):
            return code, code
        t = self.tmp()
        return f"({t} := {code})", t

    def key_of(self, key: P.Key, use: str) -> str:
        if key.how == "name":
            return f"_fold({self.const(key.members)}[{use}])"
        if key.how == "dyn":
            return f"_dyn_key({use})"
        return f"_fold({use})"

    def operand(self, x) -> tuple[str | None, str]:
        """(code that must not be None, the keyed value) of one side of a predicate."""
        if isinstance(x, P.Const):
            return None, self.const(x.value)
        if isinstance(x, P.Key):
            inner = x.x
            if isinstance(inner, P.Read) and inner.slot.keyed and x.how == "fold":
                first, use = self.bind(self.V(inner))
                return first, use
            if isinstance(inner, P.Prop) and inner.prop.keyed and x.how == "fold":
                first, use = self.bind(self.V(inner))
                return first, use
            first, use = self.bind(self.V(inner))
            return first, self.key_of(x, use)
        first, use = self.bind(self.V(x))
        return first, use

    # ================================================== fast: conditions
    def TF(self, x) -> tuple[str, str]:
        """(code true exactly when x is true, code true exactly when x is false)."""
        if isinstance(x, P.And):
            return and_tf([self.TF(i) for i in x.items], _AND, _OR)
        if isinstance(x, P.Or):
            return or_tf([self.TF(i) for i in x.items], _AND, _OR)
        if isinstance(x, P.Not):
            t, f = self.TF(x.x)
            return f, t
        if isinstance(x, P.Const):
            return ("True" if x.value is True else "False"), ("True" if x.value is False else "False")
        if isinstance(x, P.LeadUse):
            local = self.lead_local(x.lead)
            return local, f"(not {local})"
        if isinstance(x, P.LetUse):
            if x.let.shared:
                local = self.let_local(x.let)
                return f"({local} is True)", f"({local} is False)"
            if isinstance(x.let.body, P.CONDITIONS) or isinstance(x.let.body, P.Const):
                return self.TF(x.let.body)
            return self._is_bool(self.V(x.let.body))
        if isinstance(x, P.DynCmp):
            local = self.dyn_local(x)
            return f"({local} is True)", f"({local} is False)"
        if isinstance(x, P.Truth):
            return self._is_bool(self.V(x.x))
        return self.test(x, True), self.test(x, False)

    @staticmethod
    def _is_bool(v: str) -> tuple[str, str]:
        return f"({v} is True)", f"({v} is False)"

    def guarded(self, firsts, relation: str, pol: bool) -> str:
        t, f = test_tf([f"{c} is not None" for c in firsts if c is not None], relation, _AND, _NOT)
        return t if pol else f

    def test(self, x, pol: bool) -> str:
        """A predicate over values, for one polarity (its operands bound afresh)."""
        if isinstance(x, P.Cmp):
            pyop = "==" if x.op == "=" else x.op
            lf, lu = self.operand(x.left)
            rf, ru = self.operand(x.right)
            rel = f"{lu} {pyop} {ru}"
            if pol and pyop == "==" and rf is None and lf is not None and lf == lu and lf.isidentifier() and \
                    self.ns[ru] is not None:
                return f"({rel})"  # a missing value never equals a constant: no guard
            return self.guarded([lf, rf], rel, pol)
        if isinstance(x, P.In):
            first, use = self.operand(x.x)
            k = self.const(x.keys)
            inside = pol != x.negated
            if inside and first is not None and first == use and first.isidentifier() and None not in x.keys:
                return f"({use} in {k})"
            return self.guarded([first], f"{use} {'in' if inside else 'not in'} {k}", True)
        if isinstance(x, P.Missing):
            call = f"_is_missing({self.V(x.x)})"
            return call if pol != x.negated else f"(not {call})"
        if isinstance(x, P.TextOp):
            meth = {"contains": "__contains__", "starts with": "startswith", "ends with": "endswith"}[x.op]
            lf, lu = self.operand(x.x)
            pf, pu = self.operand(x.pattern)
            return self.guarded([lf, pf], f"{lu}.{meth}({pu})", pol)
        if isinstance(x, P.Match):
            if x.regex is None:
                return "False"
            first, use = self.bind(self.V(x.x))
            return self.guarded([first], f"{self.const(x.regex)}.search(_text_of({use})) is not None", pol)
        if isinstance(x, P.Has):
            lst = f"({self.V(x.x)} or ())"
            key = self.const(fold if x.key == "fold" else None)
            if x.mode == "one":
                if isinstance(x.item, P.Const):
                    item = self.const(x.item.value)
                else:
                    _f, item = self.operand(x.item)
                    if _f is not None and _f != item:
                        item = f"(None if {_f} is None else {item})"
                call = f"_has_one({lst}, {item}, {key})"
                return f"({call} is {'True' if pol else 'False'})"
            helper = "_has_any" if x.mode == "any" else "_has_all"
            call = f"{helper}({lst}, {self.const(x.item)}, {key})"
            return call if pol else f"(not {call})"
        if isinstance(x, P.Within):
            call = f"_within({self.V(x.x)}, as_of, {self.const(x.seconds)})"
            return f"({call} is {'True' if pol else 'False'})"
        if isinstance(x, P.Seq):
            call = self.seq_call(x)
            return call if pol else f"(not {call})"
        raise TypeError(type(x).__name__)  # pragma: no cover - every plan condition is above

    # ====================================================== aggregates
    def seq_call(self, x: P.Seq) -> str:
        s1, s2 = x.first, x.second
        same = s1.event is s2.event
        ia = f"s{s1.index}_i" if same else "None"
        ib = f"s{s2.index}_i" if same else "None"
        secs = self.const(x.seconds) if x.seconds is not None else "None"
        return f"_sequence(s{s1.index}_t, {ia}, s{s2.index}_t, {ib}, {secs})"

    def agg_expr(self, agg: P.Agg) -> str:
        src = agg.source
        ts = f"s{src.index}_t"
        vals = f"s{src.index}_v{agg.pos}" if agg.pos is not None else "None"
        secs = self.const(agg.seconds) if agg.seconds is not None else "None"
        if agg.any:
            if agg.func == "count":
                return f"_best_count({ts}, {secs})"
            return f"_best_window({self.const(agg.func)}, {ts}, {vals}, {secs})"
        if agg.func == "count":
            if agg.seconds is None:
                return f"len({ts})"
            return f"(len({ts}) - _bisect_right({ts}, as_of_us - {secs} * _US))"
        start = f"_window_start({ts}, as_of_us, {secs})" if agg.seconds is not None else "0"
        return f"_aggregate({self.const(agg.func)}, {ts}, {vals}, {start})"

    def agg_fast(self, agg: P.Agg) -> str:
        m = self.agg_local(agg)
        return f"({m} if {m} is not _U else ({m} := {self.agg_expr(agg)}))"

    # ============================================ statement by statement
    def ssa(self, x, out: list[str], memo: dict, trace: bool) -> str:
        """Statements computing x three-valued into a local; returns the local."""
        key = id(x)
        if key in memo:
            return memo[key]
        local = self._ssa(x, out, memo, trace)
        memo[key] = local
        if trace and not isinstance(x, (P.Const, P.Read, P.Prop)):
            k = len(self.traced)
            self.traced.append(x)
            out.append(f"if trace is not None: trace[{k}] = {local}")
        return local

    def _ssa(self, x, out, memo, trace) -> str:
        def sub(y):
            return self.ssa(y, out, memo, trace)

        def emit(code: str) -> str:
            v = f"_v{len(memo)}_{self.tmp()}"
            out.append(f"{v} = {code}")
            return v

        leaf = self._leaf(x)
        if leaf is not None:
            return leaf
        if isinstance(x, P.Key):
            inner = sub(x.x)
            if x.how == "fold" and ((isinstance(x.x, P.Read) and x.x.slot.keyed) or
                                    (isinstance(x.x, P.Prop) and x.x.prop.keyed)):
                return inner
            if x.how == "name":
                return emit(f"_key_name({self.const(x.members)}, {inner})")
            return emit(f"_key_dyn({inner})" if x.how == "dyn" else f"_key_fold({inner})")
        if isinstance(x, P.Arith):
            return emit(f"_arith({self.const(x.op)}, {sub(x.left)}, {sub(x.right)})")
        if isinstance(x, P.Neg):
            return emit(f"_neg({sub(x.x)})")
        if isinstance(x, P.Agg):
            m = self.agg_local(x)
            return emit(f"({m} if {m} is not _U else ({m} := {self.agg_expr(x)}))")
        if isinstance(x, P.LetUse):
            if x.let.shared and id(x.let) in memo:
                return memo[id(x.let)]
            return sub(x.let.body)
        if isinstance(x, P.And):
            return emit(f"_and3(({', '.join(sub(i) for i in x.items)},))")
        if isinstance(x, P.Or):
            return emit(f"_or3(({', '.join(sub(i) for i in x.items)},))")
        if isinstance(x, P.Not):
            return emit(f"_not3({sub(x.x)})")
        if isinstance(x, P.Truth):
            return emit(f"_truth({sub(x.x)})")
        if isinstance(x, P.Cmp):
            a, b = sub(x.left), sub(x.right)
            pyop = "==" if x.op == "=" else x.op
            return emit(f"None if {a} is None or {b} is None else ({a} {pyop} {b})")
        if isinstance(x, P.In):
            a = sub(x.x)
            return emit(f"None if {a} is None else ({a} {'not in' if x.negated else 'in'} {self.const(x.keys)})")
        if isinstance(x, P.Missing):
            return emit(f"_is_missing({sub(x.x)}) is {'False' if x.negated else 'True'}")
        if isinstance(x, P.TextOp):
            meth = {"contains": "__contains__", "starts with": "startswith", "ends with": "endswith"}[x.op]
            a, b = sub(x.x), sub(x.pattern)
            return emit(f"None if {a} is None or {b} is None else {a}.{meth}({b})")
        if isinstance(x, P.Match):
            if x.regex is None:
                return "False"
            a = sub(x.x)
            return emit(f"None if {a} is None else ({self.const(x.regex)}.search(_text_of({a})) is not None)")
        if isinstance(x, P.Has):
            lst = sub(x.x)
            key = self.const(fold if x.key == "fold" else None)
            if x.mode == "one":
                return emit(f"_has_one({lst} or (), {sub(x.item)}, {key})")
            helper = "_has_any" if x.mode == "any" else "_has_all"
            return emit(f"{helper}({lst} or (), {self.const(x.item)}, {key})")
        if isinstance(x, P.Within):
            return emit(f"_within({sub(x.x)}, as_of, {self.const(x.seconds)})")
        if isinstance(x, P.Seq):
            return emit(self.seq_call(x))
        raise TypeError(type(x).__name__)  # pragma: no cover
