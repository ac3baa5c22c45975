"""Checking the operators that relate values: comparisons, ``between``, ``in`` and
``has`` (with enum and ordinal members and sets), the text tests, ``is``,
``within`` and arithmetic. The part of :class:`check.Checker` that judges
operands against each other (a mixin: it uses the checker's ``expr``,
``read_as``, ``set_literal`` and tables)."""
from __future__ import annotations

from . import nodes as n
from .. import types as T
from ..diagnostics import did_you_mean
from ..logic import fold
from ..regex import HINT as REGEX_HINT, compile_pattern
from ..values import BadValue, read_number
from .bindings import SymbolRef


def _is_error(t: T.Type) -> bool:
    return t == T.UNKNOWN


class OperatorChecks:
    # comparisons -----------------------------------------------------------
    def _operand(self, node, event, symbol_ok=False) -> T.Type:
        return self.expr(node, event, symbol_ok)

    def comparable(self, op: str, left, lt: T.Type, right, rt: T.Type, span) -> bool:
        """Check ``left op right``; a schemaless side is read as the other side's type. True when well typed."""
        if _is_error(lt) or _is_error(rt):
            return False
        ordered = op in ("<", "<=", ">", ">=", "between")
        # schemaless values take the type of the other side
        if lt == T.DYNAMIC and rt == T.DYNAMIC:
            return True
        if lt == T.DYNAMIC:
            lt = self.read_as(left, self._mode_for(rt))
        if rt == T.DYNAMIC:
            rt = self.read_as(right, self._mode_for(lt))
        if isinstance(lt, T.ListT) or isinstance(rt, T.ListT):
            self.diags.add("E302", span, f"a list cannot be compared with `{op if op != 'between' else 'between'}`",
                           "use `has`, `has any {...}`, `has all {...}` or `is empty`")
            return False
        if isinstance(lt, (T.EnumT, T.OrdinalT)) or isinstance(rt, (T.EnumT, T.OrdinalT)):
            return self._member_compare(op, left, lt, right, rt, span)
        if lt in (T.TEXT, T.SYMBOL) and rt in (T.TEXT, T.SYMBOL):
            if lt == T.SYMBOL and rt == T.SYMBOL:
                self.diags.add("E301", span, "both sides are bare names that are not declared",
                               did_you_mean(getattr(left, "name", ""), self.scope.all_names()) or
                               "declare the field, or quote the text")
                return False
            if ordered:
                self.diags.add("E302", span, f"text cannot be ordered with `{op}`",
                               "text supports =, !=, in, contains, starts with, ends with, matches")
                return False
            return True
        if lt == rt or (T.is_temporal(lt) and T.is_temporal(rt)):
            if lt == T.BOOL and ordered:
                self.diags.add("E302", span, f"true/false cannot be ordered with `{op}`", "use = or !=")
                return False
            if isinstance(lt, T.ListT):
                self.diags.add("E302", span, f"a list cannot be compared with `{op}`",
                               "use `has`, `has any {...}`, `has all {...}` or `is empty`")
                return False
            return True
        hint = None
        if lt == T.NUMBER and rt == T.TEXT and isinstance(right, n.Text):
            hint = _unquoted_number_hint(right.value)
        elif rt == T.SYMBOL and isinstance(right, n.Name):
            hint = did_you_mean(right.name, self.scope.all_names()) or \
                f"`{right.name}` is not a declared name, so it is read as the symbol `{right.name}`"
        elif lt == T.SYMBOL and isinstance(left, n.Name):
            hint = did_you_mean(left.name, self.scope.all_names())
        self.diags.add("E301", span, f"cannot compare {T.describe(lt)} with {T.describe(rt)}", hint)
        return False

    @staticmethod
    def _mode_for(t: T.Type) -> T.Type:
        if t in (T.SYMBOL, T.TEXT) or isinstance(t, (T.EnumT, T.OrdinalT)):
            return T.TEXT
        if isinstance(t, T.SetT):
            return T.NUMBER if t.element == T.NUMBER else T.DATETIME if T.is_temporal(t.element) else \
                T.BOOL if t.element == T.BOOL else T.TEXT
        if t == T.DATE:
            return T.DATETIME
        return t

    def _member_compare(self, op, left, lt, right, rt, span) -> bool:
        ordered = op in ("<", "<=", ">", ">=", "between")
        if isinstance(lt, (T.EnumT, T.OrdinalT)) and isinstance(rt, (T.EnumT, T.OrdinalT)):
            if ordered and (not isinstance(lt, T.OrdinalT) or lt.members != rt.members):
                self.diags.add("E302", span, "only members of the same ordinal can be ordered")
                return False
            return True
        mt, other, ot = (lt, right, rt) if isinstance(lt, (T.EnumT, T.OrdinalT)) else (rt, left, lt)
        if ordered and isinstance(mt, T.EnumT):
            self.diags.add("E302", span, f"enum `{mt.field}` has no order, so `{op}` means nothing",
                           "declare it as ordinal(a < b < c) to compare by rank, or use = / in")
            return False
        if ot in (T.SYMBOL, T.TEXT):
            return self.member_ok(mt, other)
        self.diags.add("E301", span, f"cannot compare {T.describe(mt)} with {T.describe(ot)}",
                       "compare with one of its members: " + ", ".join(mt.members[:6]))
        return False

    def _alias_owner(self, mt, value: str) -> str | None:
        """The member ``value`` is an alias of (by the reading options of ``mt``'s field), or None."""
        event, _, prop = mt.field.partition(".")
        info = self.scope.fields.get(mt.field)
        options = info.options if info is not None else None
        if options is None and prop and event in self.scope.events:
            options = self.scope.events[event].options.get(prop)
        for member, names in (options.aliases if options is not None else ()):
            if fold(value) in {fold(a) for a in names}:
                return member
        return None

    def member_ok(self, mt, node) -> bool:
        if isinstance(node, n.Name) and not isinstance(self.a.bindings.get(id(node)), SymbolRef):
            return True  # a text field or let compared with an enum: checked at run time
        value = node.name if isinstance(node, n.Name) else node.value if isinstance(node, n.Text) else None
        if value is None:
            return True  # a text field compared with an enum: checked at run time
        if fold(value) not in {fold(m) for m in mt.members}:
            kind = "enum" if isinstance(mt, T.EnumT) else "ordinal"
            hint = did_you_mean(value, mt.members) or "its members are " + ", ".join(mt.members)
            owner = self._alias_owner(mt, value)
            if owner is not None:
                hint = f"\"{value}\" is an alias: how the input may write `{owner}`; conditions name the member: " \
                       f"write `{owner}`"
            self.diags.add("E214", node.span, f"`{value}` is not a member of {kind} `{mt.field}`", hint)
            return False
        return True

    def x_Compare(self, node: n.Compare, event, symbol_ok):
        lt = self._operand(node.left, event)
        rt = self._operand(node.right, event, symbol_ok=True)
        self.comparable(node.op, node.left, lt, node.right, rt, node.span)
        return T.BOOL

    def x_Between(self, node: n.Between, event, symbol_ok):
        vt = self._operand(node.value, event)
        lo = self._operand(node.low, event, symbol_ok=True)
        hi = self._operand(node.high, event, symbol_ok=True)
        if self.comparable("between", node.value, vt, node.low, lo, node.span):
            self.comparable("between", node.value, self.a.mode_of(node.value), node.high, hi, node.span)
        return T.BOOL

    def collection(self, node, event) -> T.Type:
        t = self._operand(node, event, symbol_ok=True)
        if isinstance(t, T.SetT) or _is_error(t):
            return t
        if t == T.SYMBOL:
            self.diags.add("E305", node.span, f"`{node.name}` is not a set",
                           did_you_mean(node.name, self.scope.lets) or f"write a set: {{{node.name}}}")
        else:
            self.diags.add("E305", node.span, f"expected a set such as {{US, CA}}, found {T.describe(t)}")
        return T.UNKNOWN

    def x_In(self, node: n.In, event, symbol_ok):
        vt = self._operand(node.value, event)
        ct = self.collection(node.collection, event)
        if _is_error(vt) or _is_error(ct):
            return T.BOOL
        lit = self.set_literal(node.collection)
        if vt == T.DYNAMIC:
            vt = self.read_as(node.value, self._mode_for(ct))
        if isinstance(vt, T.ListT):
            self.diags.add("E302", node.span, "`in` tests one value; this is a list",
                           "use `has any {...}` or `has all {...}` on a list")
            return T.BOOL
        if lit is not None:
            for item in lit.items:
                self.comparable("=", node.value, vt, item, self.a.type_of(item), item.span)
        return T.BOOL

    def x_Is(self, node: n.Is, event, symbol_ok):
        t = self._operand(node.value, event)
        if t == T.DYNAMIC and node.what in ("empty", "not empty"):
            self.read_as(node.value, T.list_of(T.TEXT))
        elif node.what in ("empty", "not empty") and not isinstance(t, T.ListT) and not _is_error(t):
            self.diags.add("E302", node.span, f"`is {node.what}` tests a list; this is {T.describe(t)}",
                           f"write `is {'missing' if node.what == 'empty' else 'present'}`: an empty cell or "
                           "text is missing")
        return T.BOOL

    def x_TextOp(self, node: n.TextOp, event, symbol_ok):
        vt = self._operand(node.value, event)
        pt = self._operand(node.pattern, event, symbol_ok=True)
        if vt == T.DYNAMIC:
            vt = self.read_as(node.value, T.TEXT)
        if pt == T.DYNAMIC:
            pt = self.read_as(node.pattern, T.TEXT)
        if _is_error(vt) or _is_error(pt):
            return T.BOOL
        if vt != T.TEXT:
            self.diags.add("E302", node.span, f"`{node.op}` works on text; this is {T.describe(vt)}",
                           "use = or in for enums, comparisons for numbers and dates")
            return T.BOOL
        if node.op == "matches":
            if not isinstance(node.pattern, n.Text):
                self.diags.add("E301", node.pattern.span, "`matches` needs a pattern in double quotes",
                               'write e.g. email matches "@acme\\\\.com$"')
                return T.BOOL
            compiled, problem = compile_pattern(node.pattern.value)
            if problem is not None:
                self.diags.add("E105", node.pattern.span, problem, REGEX_HINT)
            else:
                self.a.regexes[id(node)] = compiled
            return T.BOOL
        if pt not in (T.TEXT, T.SYMBOL):
            self.diags.add("E301", node.pattern.span, f"`{node.op}` needs text, found {T.describe(pt)}")
        return T.BOOL

    def x_Has(self, node: n.Has, event, symbol_ok):
        vt = self._operand(node.value, event)
        if node.mode == "one":
            it, ct = self._operand(node.item, event, symbol_ok=True), None
        else:
            it, ct = None, self.collection(node.item, event)
        if vt == T.DYNAMIC:  # schemaless: a list of what it is compared with (`x has 5`: numbers, by the number rule)
            mode = self._mode_for(it if ct is None else ct)
            vt = self.read_as(node.value, T.list_of(T.NUMBER if mode == T.NUMBER else T.TEXT))
        if _is_error(vt):
            return T.BOOL
        if not isinstance(vt, T.ListT):
            self.diags.add("E302", node.span, f"`has` works on lists; this is {T.describe(vt)}",
                           "use = or in for a single value")
            return T.BOOL
        elem = vt.element
        if node.mode == "one":
            if isinstance(it, T.SetT):
                self.diags.add("E305", node.item.span, "`has` takes one value; for a set write `has any {...}` or `has all {...}`")
                return T.BOOL
            self.comparable("=", _ElemProxy(elem), elem, node.item, it, node.item.span)
            return T.BOOL
        lit = self.set_literal(node.item)
        if not _is_error(ct) and lit is not None:
            for item in lit.items:
                self.comparable("=", _ElemProxy(elem), elem, item, self.a.type_of(item), item.span)
        return T.BOOL

    def x_Within(self, node: n.Within, event, symbol_ok):
        vt = self._operand(node.value, event)
        if vt == T.DYNAMIC:
            vt = self.read_as(node.value, T.DATETIME)
        if not _is_error(vt) and not T.is_temporal(vt):
            self.diags.add("E301", node.span, f"`within` needs a date or datetime; this is {T.describe(vt)}",
                           "for events write `EVENT(30d) >= 1`")
        return T.BOOL

    # arithmetic ------------------------------------------------------------
    def x_Arith(self, node: n.Arith, event, symbol_ok):
        ok = True
        for side in (node.left, node.right):
            t = self._operand(side, event)
            if t == T.DYNAMIC:
                t = self.read_as(side, T.NUMBER)
            if _is_error(t):
                ok = False
            elif t != T.NUMBER:
                self.diags.add("E304", side.span, f"`{node.op}` needs numbers; this is {T.describe(t)}")
                ok = False
        return T.NUMBER if ok else T.UNKNOWN

    def x_Neg(self, node: n.Neg, event, symbol_ok):
        t = self._operand(node.operand, event)
        if t == T.DYNAMIC:
            t = self.read_as(node.operand, T.NUMBER)
        if _is_error(t):
            return T.UNKNOWN
        if t != T.NUMBER:
            self.diags.add("E304", node.span, f"`-` needs a number; this is {T.describe(t)}")
            return T.UNKNOWN
        return T.NUMBER


def _unquoted_number_hint(text: str) -> str:
    """The hint for a number compared with a text: the text without quotes when it reads as a
    number (`"300,000"`), else what a number is compared with."""
    try:
        value = read_number(text)
    except BadValue:
        value = None
    if value is None:
        return f"a number is compared with a number, e.g. `> 300M`; \"{text}\" is not one"
    return f"write the number without quotes: {text.replace('$', '').replace(',', '')}"


class _ElemProxy:
    """Stands for one element of a list in `has` checks."""
    def __init__(self, t):
        self.t = t
        self.span = None
