"""Grammar loading and parsing; lark's errors become diagnostics.

The LALR tables are built once per process. A syntax error does not stop the
parse: the statement that holds it is blanked out (line and column positions
kept) and parsing resumes at the last statement boundary before it, so one run
reports every broken statement in about two parses of the file.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import re
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift
from lark.utils import TextSlice

from ..diagnostics import Diagnostics
from ..source import Source, Span

MAX_ERRORS = 50
MAX_DEPTH = 200

KEYWORDS = frozenset(
    "and or not in is missing present between contains starts ends with matches has any all "
    "lead let field event metric stages include when where then within true false".split()
)
STATEMENT_KEYWORDS = ("include", "field", "event", "metric", "let", "lead", "stages", "score", "band", "route",
                      "definition")


def grammar_text() -> str:
    res = importlib.resources.files("leaddsl").joinpath("grammar/leaddsl.lark")
    if res.is_file():
        return res.read_text(encoding="utf-8")
    # a source checkout (editable install): the grammar lives at the top level
    return (Path(__file__).resolve().parents[2] / "grammar" / "leaddsl.lark").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def lark_parser() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="contextual", propagate_positions=True,
                maybe_placeholders=True, start="start")


# Human words for lark's terminal names.
_TERMINAL_WORDS = {
    "NAME": "a name", "BACKTICK": "a `quoted name`", "STRING": "a text in double quotes",
    "NUMBER": "a number", "POINTS": "points such as `+10` or `-5`", "DATE": "a date", "COMP_OP": "a comparison (`<`, `>=`, ...)",
    "EQ": "`=`", "ADD_OP": "`+` or `-`", "MUL_OP": "`*` or `/`", "$END": "the end of the file",
}


def _describe(term: str) -> str:
    if term in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[term]
    try:
        pattern = lark_parser().get_terminal(term).pattern
        if pattern.type == "str":
            return f"`{pattern.value}`"
    except KeyError:
        pass
    return term.lower()


def _expected_words(expected) -> str:
    words = sorted({_describe(t) for t in expected})
    statement = [w for w in words if w.strip("`") in STATEMENT_KEYWORDS]
    others = [w for w in words if w not in statement]
    if len(statement) >= 5:
        others.append("a new statement")
    if len(others) > 8:
        others = others[:8] + ["..."]
    return ", ".join(others)


_HINT_CHARS = [
    ("&&", "write `and`"), ("||", "write `or`"), ("!=", None), ("!", "write `not` (or `!=` for 'is not equal')"),
    ("'", "text is written in double quotes: \"...\""), ("\u201c", "use straight double quotes \"...\""),
    ("\u201d", "use straight double quotes \"...\""), ("$", "write the amount without `$`, e.g. 300M"),
    (";", "statements need no separator; start the next one with its keyword"),
    ("[", "sets are written with braces: {US, CA}"),
]


def _mask(text: str) -> str:
    """Text with strings and comments replaced by spaces (positions kept)."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'"(\\.|[^"\\\n])*"?|#[^\n]*', blank, text)


_STMT_RE = re.compile(r"(?<![A-Za-z0-9_.`])(include|field|event|metric|let|lead|stages|score|band|route|definition)"
                      r"(?![A-Za-z0-9_])")


def _statement_bounds(masked: str, pos: int) -> tuple[int, int]:
    """Start of the statement holding ``pos`` and start of the next one."""
    start, end = 0, len(masked)
    before = None
    for m in _STMT_RE.finditer(masked):
        after_lead = before is not None and before.group(1) == "lead" and not masked[before.end():m.start()].strip()
        before = m
        if m.group(1) == "lead" and after_lead:
            continue  # `lead lead when ...`: the second `lead` is the name, not a statement
        if m.start() <= pos:
            start = m.start()
        else:
            end = m.start()
            break
    if end <= pos:
        end = len(masked)
    return start, end


_DECL_RE = re.compile(r"^\s*(?:field|event|metric|let|lead|score|band|route)\s+([A-Za-z_][A-Za-z0-9_.]*|`[^`\n]*`)")


def parse(source: Source, diags: Diagnostics, broken: set[str] | None = None) -> Tree | None:
    """Parse one file; every syntax error goes into ``diags``. Returns the tree
    of what could be parsed (None only when nothing could). The names declared
    by statements that could not be parsed go into ``broken``, so that later
    passes do not report them as unknown.

    After an error the statement is blanked out and parsing resumes at the last
    statement the parser began at the top level before it, not at the start of the
    file: the statements before that point are parsed once more to keep their trees,
    so a file costs about two parses however many errors it holds."""
    text = source.text
    masked = None
    done: list = []  # statements before ``seg``
    seg = 0  # where the current parse began: the start of the file or of a statement
    boundaries = [0]  # statement starts at the top level, in order
    errors = 0
    while True:
        try:
            tree = _parse_from(text, seg, boundaries)
        except UnexpectedInput as e:
            errors += 1
            keyword = _unfinished_before_keyword(e, text, boundaries)
            if keyword is not None:
                pos = keyword.start_pos
                diags.add("E001", source.span_at(pos, len(keyword)),
                          f"unexpected `{keyword}`: the statement before it is not finished", "finish that statement")
            else:
                masked = _mask(text) if masked is None else masked
                pos = _report(source, text, masked, e, diags)
            if errors >= MAX_ERRORS:  # the last one says the file was not read to its end
                last = diags[-1]
                stop = f"parsing stopped after {MAX_ERRORS} syntax errors: fix these and check again for the rest"
                diags[-1] = dataclasses.replace(last, hint=f"{last.hint}; {stop}" if last.hint else stop)
                return None
            masked = _mask(text) if masked is None else masked
            start, end = _statement_bounds(masked, pos)
            if start == pos and pos > 0:
                # the error is the keyword that starts a statement: the one before it is unfinished
                start, _ = _statement_bounds(masked, pos - 1)
                end = pos
            if broken is not None:
                m = _DECL_RE.match(text[start:end])
                if m:
                    broken.add(m.group(1).strip("`"))
            if end <= start:
                return None
            blanked = re.sub(r"[^\n]", " ", text[start:end])
            if text[start:end] == blanked:
                return None
            text = text[:start] + blanked + text[end:]
            masked = masked[:start] + blanked + masked[end:]
            # resume at the last statement begun at the top level before the blanked one
            boundaries = [b for b in boundaries if b <= start]
            restart = boundaries[-1]
            if restart > seg:  # the complete statements in between: parsed before, parsed again for their trees
                done += _parse_from(text, seg, [seg], restart).children
            else:  # the blanked statement began before ``seg``
                done = [t for t in done if t.meta.start_pos < restart]
            seg = restart
            continue
        except RecursionError:
            diags.add("E004", source.span_at(0), "the file is nested too deeply to read",
                      "split long expressions into named `let` conditions")
            return None
        if done:
            tree.children[:0] = done
            _cover(tree)
        return tree


@functools.lru_cache(maxsize=1)
def _statement_terminals() -> frozenset:
    return frozenset(t.name for t in lark_parser().terminals
                     if t.pattern.type == "str" and t.pattern.value in STATEMENT_KEYWORDS)


def _parse_from(text: str, seg: int, boundaries: list, stop: int | None = None) -> Tree:
    """Parse ``text[seg:stop]`` (positions stay those of ``text``) as lark's ``parse``
    does, appending to ``boundaries`` the start of every statement begun at the top
    level: a statement keyword shifted right after complete statements (``lead``
    in ``stages a < lead`` or ``x = lead`` is no such keyword)."""
    ip = lark_parser().parse_interactive(TextSlice(text, seg, len(text) if stop is None else stop))
    state = ip.parser_state
    keywords = _statement_terminals()
    last = None  # the last token the parser took
    recent: list = []  # the last three tokens the parser took, oldest first (for the habit hints)
    try:
        for token in ip.lexer_thread.lex(state):
            if token.type == "POINTS" and not _takes(state, token):
                sign, number = _split_points(token)
                state.feed_token(sign)
                token = number
            state.feed_token(token)
            last = token
            recent.append(token)
            if len(recent) > 3:
                del recent[0]
            if token.type in keywords:
                values = state.value_stack  # [the statements so far (one tree), this keyword]
                if (len(values) == 1 or (len(values) == 2 and isinstance(values[0], Tree))) \
                        and token.start_pos > boundaries[-1]:
                    boundaries.append(token.start_pos)
        end = Token.new_borrow_pos("$END", "", last) if last else Token("$END", "", seg, 1, 1)
        return state.feed_token(end, True)
    except UnexpectedInput as e:
        e.interactive_parser = ip  # for ``e.accepts``, as lark's own parse sets it
        e.last_token = last
        e.recent = recent
        raise


def _takes(state, token: Token) -> bool:
    """Whether the parser, in ``state``, takes ``token``. The lexer offers a score
    rule's points (``+20``) wherever LALR's merged states might take them; outside a
    score rule the same text is ``+`` and a number. The parse table is walked on a
    copy of the state stack alone, as ``feed_token`` would (reduce until a shift or
    an error), so no tree is built or touched: lark's tree builder extends an inlined
    rule's children in place, and a trial on the values would change the real parse."""
    states = state.parse_conf.states
    stack = list(state.state_stack)
    while True:
        action = states[stack[-1]].get(token.type)
        if action is None:
            return False
        kind, arg = action
        if kind is Shift:
            return True
        size = len(arg.expansion)
        if size:
            del stack[-size:]
        stack.append(states[stack[-1]][arg.origin.name][1])


def _split_points(token: Token) -> tuple[Token, Token]:
    sign = Token("ADD_OP", token[0], token.start_pos, token.line, token.column,
                 token.line, token.column + 1, token.start_pos + 1)
    number = Token("NUMBER", token[1:], token.start_pos + 1, token.line, token.column + 1,
                   token.end_line, token.end_column, token.end_pos)
    return sign, number


def _unfinished_before_keyword(e: UnexpectedInput, text: str, boundaries: list) -> Token | None:
    """In ``a >= <newline> lead b when ...`` the parser takes the ``lead`` that starts
    the next statement for the name ``lead`` inside the unfinished one (``event``,
    ``metric`` ... for a name), and stumbles on ``b``. Returns that keyword, so that
    the error is the unfinished statement, not every statement after it."""
    prev = getattr(e, "last_token", None)
    if (isinstance(e, UnexpectedToken) and prev is not None and prev in STATEMENT_KEYWORDS
            and e.token.type in ("NAME", "BACKTICK", "WHEN", "STRING") and prev.start_pos != boundaries[-1]
            and _STMT_RE.match(text, prev.start_pos)):
        return prev
    return None


def _cover(tree: Tree) -> None:
    """Give a tree whose children were joined the positions its children span."""
    first, last = tree.children[0].meta, tree.children[-1].meta
    meta = tree.meta
    meta.line, meta.column, meta.start_pos = first.line, first.column, first.start_pos
    meta.end_line, meta.end_column, meta.end_pos = last.end_line, last.end_column, last.end_pos
    meta.empty = False


# ---- habits from CRM filters and SQL ---------------------------------------------
# Each is a common way of writing a condition elsewhere that leaddsl spells
# differently. ``_habit`` recognises them from the token lark stumbled on and the
# few tokens before it, and returns (code, start, end, message, hint): the span is
# the offending text and the hint's backquoted snippets are rewrites that compile.

_WORD = r"[A-Za-z_][A-Za-z0-9_]*"
_NEXT_WORD = re.compile(r"[ \t]*(" + _WORD + ")")
_STRING_AFTER = re.compile(r'\s*("(?:\\.|[^"\\\n])*")')
_OPERAND_AFTER = re.compile(r'\s*("(?:\\.|[^"\\\n])*"|\{[^{}\n]*\}|[A-Za-z0-9_.$`-]+)')
_WITH_AFTER = re.compile(r"\s*with\b")
_LIKE_WORDS = ("like", "ilike")
_CONDITION_NEXT = re.compile(r"[ \t]*(?:[=<>!]|(?:in|is|not|contains|starts|ends|matches|has|between|within|then)\b)")
_NOT_BEFORE = {"contains": "contains", "matches": "matches", "has": "has", "starts": "starts with",
               "ends": "ends with"}


def _caps_keyword(word: str) -> bool:
    """``AND``, ``NOT``, ``IN``: a keyword written in capitals, as SQL writes it."""
    return word.isupper() and word.lower() in KEYWORDS


def _words_from(text: str, pos: int) -> tuple[int, list[str]]:
    """The run of bare words that starts at ``pos`` (stopping before a keyword or a
    keyword in capitals): its end and its words."""
    words, end = [], pos
    while m := _NEXT_WORD.match(text, end):
        word = m.group(1)
        if words and (word in KEYWORDS or _caps_keyword(word)):
            break
        words.append(word)
        end = m.end()
    return end, words


def _enclosing(masked: str, pos: int, opening: str) -> int | None:
    """Where the innermost ``opening`` bracket still open at ``pos`` is, on the
    same statement (strings and comments are masked)."""
    depth = 0
    for i in range(pos - 1, -1, -1):
        ch = masked[i]
        if ch in ")}":
            depth += 1
        elif ch in "({":
            if depth == 0:
                return i if ch == opening else None
            depth -= 1
        elif _STMT_RE.match(masked, i):
            return None
    return None


def _closing(masked: str, start: int, closing: str) -> int | None:
    """The position of the bracket closing the one at ``start``, if on the same line."""
    depth = 0
    for i in range(start, len(masked)):
        ch = masked[i]
        if ch == "\n":
            return None
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
            if depth == 0:
                return i if ch == closing else None
    return None


def _members(text: str, masked: str, start: int, end: int, quote_all: bool = False) -> list[str]:
    """The members of ``{...}`` or ``(...)`` between ``start`` and ``end``, bare words
    of several words quoted (``quote_all``: single words too)."""
    out, i = [], start + 1
    for part in masked[start + 1:end].split(","):
        raw = text[i:i + len(part)].strip()
        i += len(part) + 1
        if not raw:
            continue
        if re.fullmatch(_WORD + (r"(?:[ \t]+" + _WORD + ")*" if quote_all else r"(?:[ \t]+" + _WORD + ")+"), raw):
            raw = '"' + re.sub(r"[ \t]+", " ", raw) + '"'
        out.append(raw)
    return out


def _like_rewrite(pattern: str) -> list[str]:
    """SQL ``LIKE`` patterns in leaddsl: ``%VP%`` is ``contains "VP"``..."""
    core = pattern.strip("%")
    if "\\" in core:  # an escape: too rare to rewrite safely
        return []
    lead, trail = pattern.startswith("%"), pattern.endswith("%") and core != ""
    regex = "".join(".*" if c == "%" else "." if c == "_" else
                    ("\\\\" + c if c in r".^$*+?()[]{}|\\" else c) for c in core)
    regex = ("" if lead else "^") + regex + ("" if trail or not core else "$")
    if "%" in core or "_" in core or not core:
        return [f'matches "{regex}"'] if core else []
    op = "contains" if lead and trail else "ends with" if lead else "starts with" if trail else "="
    return [f'{op} "{core}"', f'matches "{regex}"']


def _habit(text: str, masked: str, e: UnexpectedToken):
    recent = getattr(e, "recent", None) or []
    tok: Token = e.token
    if tok.type == "$END" or tok.start_pos is None:
        return None
    value = str(tok)
    prev = recent[-1] if recent else None
    prev2 = recent[-2] if len(recent) >= 2 else None

    # AND / OR / NOT / IN in capitals
    for word in ((tok, prev) if prev is not None and str(prev) == "NOT" else (tok,)):
        if word.type == "NAME" and _caps_keyword(str(word)):
            end, words = word.start_pos, []
            while (m := _NEXT_WORD.match(text, end)) and _caps_keyword(m.group(1)):
                words.append(m.group(1))
                end = m.end()
            good = " ".join(w.lower() for w in words)
            return ("E008", word.start_pos, end, f"`{' '.join(words)}`: keywords are written in lower case",
                    f"write `{good}`")

    # SQL's `x in ("a", "b")`
    paren = _enclosing(masked, tok.start_pos, "(") \
        if tok.type == "COMMA" or (tok.type == "NAME" and prev is not None and prev.type == "NAME") else None
    if paren is not None and re.search(r"(?<![A-Za-z0-9_.`])in\s*$", masked[:paren]):
        close = _closing(masked, paren, ")")
        hint = "sets are written in braces: {US, CA}"
        if close is not None:
            members = _members(text, masked, paren, close)
            if members:
                hint = f"sets are written in braces: `{{{', '.join(members)}}}`"
        return ("E106", paren, paren + 1, "a list in parentheses after `in`: leaddsl writes sets in braces", hint)

    # `title like "%VP%"`
    if tok.type == "NAME" and value.lower() in _LIKE_WORDS and prev is not None:
        m = _STRING_AFTER.match(text, tok.end_pos)
        rewrites = _like_rewrite(str(m.group(1))[1:-1]) if m else []
        start = tok.start_pos
        if prev.type == "NOT":  # `x not like "%a%"`: the rewrite covers `x not like ...`
            if prev2 is not None and prev2.type in ("NAME", "BACKTICK"):
                rewrites = [f"not ({prev2} {r})" for r in rewrites]
                start = prev.start_pos
            else:
                rewrites = []
        if rewrites:
            alternatives = " (or ".join(f"`{r}`" for r in rewrites) + ")" * (len(rewrites) - 1)
            hint = f"write {alternatives}"
        else:
            hint = "write `contains`, `starts with`, `ends with` or `matches` followed by a text"
        said = f"not {value}" if start != tok.start_pos else value
        return ("E008", start, tok.end_pos, f"`{said}` is SQL; leaddsl has no `like`", hint)

    # `x =< 1`, `x => 1`: the two characters of `<=` and `>=` the other way round
    if prev is not None and prev.type == "EQ" and prev.end_pos == tok.start_pos and value in ("<", ">"):
        good = value + "="
        return ("E008", prev.start_pos, tok.end_pos, f"`={value}` is not an operator", f"write `{good}`")

    # `x not contains "a"`
    if prev is not None and prev.type == "NOT" and value in _NOT_BEFORE and tok.type != "NAME":
        op = _NOT_BEFORE[value]
        op_end = tok.end_pos
        if op in ("starts with", "ends with"):
            w = _WITH_AFTER.match(text, op_end)
            op_end = w.end() if w else op_end
        right = _OPERAND_AFTER.match(text, op_end)
        left = prev2 if prev2 is not None and prev2.type in ("NAME", "BACKTICK") else None
        if left is not None and right is not None:
            hint = f"write `not ({left} {op} {right.group(1)})`"
        else:
            hint = f"put `not` before the condition: not (X {op} Y)"
        return ("E008", prev.start_pos, tok.end_pos, f"`not {op}` is not an operator of leaddsl", hint)

    # a bare value of several words: `industry = Life Sciences`, `{United States, Canada}`
    if tok.type == "NAME" and prev is not None and prev.type == "NAME" and prev2 is not None \
            and prev2.type in ("EQ", "LT", "COMP_OP", "LBRACE", "COMMA"):
        end, words = _words_from(text, prev.start_pos)
        if _CONDITION_NEXT.match(masked, end):
            return None  # `a = b c = d`: rather a missing `and` than a value of several words
        if len(words) >= 2:
            phrase = " ".join(words)
            quoted = f'"{phrase}"'
            if prev2.type in ("LBRACE", "COMMA"):
                brace = _enclosing(masked, prev.start_pos, "{")
                if brace is None:
                    return None
                close = _closing(masked, brace, "}")
                members = _members(text, masked, brace, close, quote_all=True) if close is not None else None
                hint = f"write `{{{', '.join(members)}}}`" if members else f"write it in double quotes: {quoted}"
                return ("E106", prev.start_pos, end, f"`{phrase}`: a set member of several words must be quoted",
                        hint)
            symbol = "_".join(w.lower() for w in words)
            return ("E001", prev.start_pos, end, f"`{phrase}`: a value of several words must be quoted",
                    f"write `{quoted}` (or `{symbol}` if that is the member of an enum)")
    return None


def _report(source: Source, text: str, masked: str, e: UnexpectedInput, diags: Diagnostics) -> int:
    if isinstance(e, UnexpectedCharacters):
        pos = e.pos_in_stream
        ch = text[pos]
        if ch == '"':
            diags.add("E003", source.span_at(pos, len(text[pos:].split("\n", 1)[0])),
                      "text is not closed: the closing `\"` is missing on this line",
                      "close the text with `\"` before the end of the line")
            return pos
        hint = None
        for prefix, h in _HINT_CHARS:
            if text.startswith(prefix, pos):
                hint = h
                if prefix == "!=":
                    hint = None
                break
        shown = ch if ch.isprintable() and not ch.isspace() else repr(ch)
        length = 2 if text.startswith(("&&", "||"), pos) else 1
        diags.add("E002", source.span_at(pos, length), f"unexpected character `{shown}`", hint)
        return pos
    if isinstance(e, UnexpectedEOF) or (isinstance(e, UnexpectedToken) and e.token.type == "$END"):
        expected = getattr(e, "expected", None) or getattr(e, "accepts", None) or []
        span = source.end_span()
        stripped = len(text.rstrip())
        span = source.span_at(max(stripped - 1, 0), 1) if stripped else span
        words = _expected_words(expected)
        diags.add("E005", span, "the file ends in the middle of a statement",
                  f"expected {words}" if words else None)
        return max(stripped - 1, 0)
    if isinstance(e, UnexpectedToken):
        habit = _habit(text, masked, e)
        if habit is not None:
            code, start, end, message, hint = habit
            diags.add(code, source.span_at(start, end - start), message, hint)
            return start
        tok: Token = e.token
        pos = tok.start_pos or 0
        value = str(tok)
        expected = e.accepts or e.expected
        span = source.span_at(pos, max(1, len(value)))
        words = _expected_words(expected)
        hint = f"expected {words}" if words else None
        if tok.type in ("NAME", "BACKTICK") and any(source_kw in expected for source_kw in ("WHEN",)):
            hint = "a lead definition is written `lead NAME when CONDITION`"
        block = _block_hint(expected, tok)
        if block is not None:
            diags.add("E001", span, *block)
            return pos
        if value in KEYWORDS and "NAME" in expected:
            diags.add("E006", span, f"`{value}` is a reserved word and cannot be used as a name",
                      f"choose another name, or write it in backticks: `{value}`")
            return pos
        if value in STATEMENT_KEYWORDS and _STMT_RE.match(text, pos) and pos > 0:
            diags.add("E001", span, f"unexpected `{value}`: the statement before it is not finished", hint)
            return pos
        diags.add("E001", span, f"unexpected `{value}`", hint)
        return pos
    diags.add("E001", source.span_at(0), str(e).splitlines()[0])
    return 0


def _block_hint(expected, tok: Token) -> tuple[str, str] | None:
    """(message, hint) for what a score, band or route block is missing."""
    if "POINTS" in expected:
        return ("a score rule ends with its points",
                "write them right after the condition, the sign against the number: `industry = life_science +20`, "
                "`status = lost_deal -30` (`+ 20`, with a space, is arithmetic)")
    if "ELSE" in expected and tok.type == "RBRACE":
        return ("a route needs its fallback", "end the rules with `else TARGET`, e.g. `...; else inbound_queue }`")
    if tok.type == "RBRACE" and set(expected) <= {"LT", "COMP_OP"}:
        return ("a band ends with the name of its top band",
                "write the bands from the lowest to the highest: `{ cold < 20 <= warm < 50 <= hot }`")
    return None


# Trees that add no level of nesting: statements, atoms and windows (whose only
# subtree is their duration).
_FLAT = frozenset({"start", "include_stmt", "field_stmt", "event_stmt", "prop", "metric_stmt", "aggregate",
                   "let_stmt", "lead_stmt", "stages_stmt", "score_stmt", "score_rule", "band_stmt", "band_step",
                   "route_stmt", "route_rule", "signed_number", "simple_type", "number", "text", "date", "true",
                   "false", "ref", "lead_ref", "windowed",
                   "definition_stmt", "header_entry", "header_text", "header_date", "header_number",
                   "header_party", "header_word"})


def tree_depth_ok(tree: Tree, source: Source, diags: Diagnostics) -> bool:
    """Iteratively check that no operator sits inside more than MAX_DEPTH others:
    `not` written 200 times before `a = 1` is fine, 201 times is E004."""
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data not in _FLAT:
            if depth > MAX_DEPTH:
                meta = node.meta
                span = Span.of(source.name, meta) if not meta.empty else source.span_at(0)
                diags.add("E004", span, f"expression nested more than {MAX_DEPTH} levels deep",
                          "split it into named `let` conditions")
                return False
            depth += 1
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth))
    return True
