"""The `${{ }}` expression grammar of GitHub Actions as an automaton over code points.

Written as a step function (a lexer and a parser with a bounded stack of open brackets) and
explored into a DFA, rather than as an ECMA regex: the regex repeats the inner expression at
every nesting site, so its text grows ~15x per level (depth 1: 36 k characters, 15 s to
compile) while this construction takes about a second at depth `DEPTH`. It is registered with
the regex compiler under a name (`regex.register`), so it joins a string's schema patterns in
one product DFA like any `pattern`, and is built once per kind.

Plain text may hold `$`, `{`, `${VAR}` or `}}`; only `${{` opens an expression, which must be
well formed and closed by `}}`. Literals (numbers, '...' with ''), names (contexts, functions,
true/false/null), property access (`.name`, `.*`, `[expr]`), calls, `!`, comparison and
logical operators, parentheses. Which names are allowed is not the grammar's business: a name
and the first three properties after it are read in states labelled with their depth in the
access chain (0 to 3), and `name_slots.SlotDFA` narrows them with a tree of names drawn from
the field and the document (expression_context.py `tree`). Deeper properties, and those after a call
or an index, are free. A string literal that begins an index (`needs['build']`) is read in
states labelled `QUOTED`: the slot reads a property of what is indexed where that is known.
"""

from __future__ import annotations

import re
import string
import sys
from functools import lru_cache

from tct.schema.ecma import MAX_CP
from tct.schema.name_slots import QUOTED
from tct.schema import regex, slot_literals
from tct.schema.fsm_cache import cached_automaton, source_key
from tct.schema.regex import PatternFSM, TableFSM, explore, register

DEPTH = 5  # open brackets (parentheses, calls, indexes) at once: real conditions nest five
WS = " \t\r\n"
LETTERS = string.ascii_letters
NAME_START = LETTERS + "_"
NAME_CHARS = NAME_START + string.digits + "-"
CHAIN = 3  # property slots after a name: `needs.<job>.outputs.<name>`
# actionlint parses an integer literal as 32 bits: 9 digits always fit (10-digit ones up to
# 2147483647 are refused too, a bound kept simple; none occur in the corpus)
INT_DIGITS = 9

# TEMPLATE: any string value; CONDITION: an `if:`; MAPPING: a section given as `${{ }}`
# (`matrix`: an object; RECORD: `env`, `with`, an object of scalars), ROW: a matrix row given so
# (an array), BOOL: a boolean field given so, NUMBER: a number field given so. Their text states
# say which (`TEXT_ROLES`), so operand kinds know what the expression may evaluate to.
TEMPLATE, CONDITION, MAPPING, RECORD, ROW, BOOL, NUMBER = (
    "template", "condition", "mapping", "record", "row", "bool", "number")
TEXT_ROLES = {TEMPLATE: "text", MAPPING: "text-object", RECORD: "text-record", ROW: "text-array", BOOL: "text-bool",
              NUMBER: "text-number"}
TYPED = frozenset({MAPPING, RECORD, ROW, BOOL, NUMBER})  # a value of a kind other than a string


@lru_cache(maxsize=None)
def pattern(kind: str) -> str:
    """The registered name of the automaton for `kind`, built on first use (or read from the
    cache on disk, keyed by this module's and the automaton code's source)."""
    name = f"\x00tct-expression:{kind}"
    key = source_key(sys.modules[__name__], regex, slot_literals)
    register(name, cached_automaton(f"expression-{kind}", key, lambda: _Grammar(kind).automaton()))
    return name


_REFERENCE = re.compile(r"(?<![\w.'-])(steps|needs|matrix|inputs)\.([A-Za-z_][\w-]*|\*)", re.I)


def code(text: str, condition: bool = False) -> list[str]:
    """The expressions of a finished string, each with its string literals emptied, read as
    actionlint's lexer reads them (a `}}` inside a literal closes nothing: `'a}}' || matrix.x`);
    `condition`: an `if:` value, a bare expression unless it holds `${{`."""
    out, i = [], 0
    if condition and "${{" not in text:
        return [_emptied(text, 0)[0]]
    while (i := text.find("${{", i)) >= 0:
        body, i = _emptied(text, i + 3)
        out.append(body)
        if i is None:
            break
    return out


# A string literal (`''` inside it is a quote; one left open runs to the end), or the `}}` that
# closes an expression.
_LEXEME = re.compile(r"'(?:[^']|'')*(?:'|\Z)|\}\}")


def _emptied(text: str, i: int) -> tuple[str, int | None]:
    """(the expression from `i` to its closing `}}`, literals emptied; the index after it, or
    None when it does not close)."""
    out = []
    for lexeme in _LEXEME.finditer(text, i):
        out.append(text[i:lexeme.start()])
        if lexeme.group() == "}}":
            return "".join(out), lexeme.end()
        out.append("''")
        i = lexeme.end()
    out.append(text[i:])
    return "".join(out), None


def references(text: str, condition: bool = False) -> list[tuple[str, str]]:
    """(context folded, name) of each `steps|needs|matrix|inputs.<name>` in the expressions of
    a finished string (for reasons, owed names and tests)."""
    return names_in(code(text, condition))


def names_in(bodies) -> list[tuple[str, str]]:
    """`references` in expressions `code` gave."""
    return [(ctx.lower(), name) for body in bodies for ctx, name in _REFERENCE.findall(body)]


_OUTPUT = re.compile(r"(?<![\w.'-])needs\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)", re.I)


def output_references(text: str, condition: bool = False) -> list[tuple[str, str]]:
    """(job folded, output folded) of each `needs.<job>.outputs.<name>` of a finished string, read
    as `references` reads names."""
    return outputs_in(code(text, condition))


def outputs_in(bodies) -> list[tuple[str, str]]:
    """`output_references` in expressions `code` gave."""
    return [(j.lower(), n.lower()) for body in bodies for j, n in _OUTPUT.findall(body)]


def label(s) -> int | None:
    """The depth in its access chain of the name state `s` reads, or None."""
    if s[0] != "x":
        return None
    tok = s[3]
    if tok[0] == "word":
        return 0
    if tok[0] in ("prop", "pstar"):
        return tok[1]
    return QUOTED if tok[0] == "qname" else None


# Tokens read as others are (`CharDFA.roles`): a quoted index name is a string literal to
# operand kinds; the operand that begins an index keeps a role of its own (`SlotDFA` follows it).
ROLES = {"qname": "str", "qend": "strq"}


class _Grammar:
    def __init__(self, kind: str):
        self.kind = kind

    # ------------------------------------------------------------ the automaton
    def automaton(self) -> PatternFSM:
        classes, reps = [], []
        for c in sorted(set(WS + string.punctuation)):
            classes.append([(ord(c), ord(c))])
            reps.append(c)
        rest = [cp for cp in range(128) if chr(cp) not in WS + string.punctuation]
        # a leading 0 is read apart, and NUL (actionlint's lexer refuses it, even in a literal)
        for group in (set(LETTERS), {"0"}, set("123456789"), {"\x00"}, None):
            cps = [cp for cp in rest if (group is None or chr(cp) in group)]
            rest = [cp for cp in rest if cp not in cps]
            if cps:
                classes.append(_ranges(cps))
                reps.append(chr(cps[0]))
        classes.append([(128, MAX_CP)])
        reps.append("\u00e9")
        start = ("cond",) if self.kind == CONDITION else ("text", 0)
        order, ids, rows = explore(start, range(len(reps)), lambda st, cid: self.step(st, reps[cid]))
        trans = dict(enumerate(rows))
        finals = {ids[s] for s in order if self.accepts(s)}
        labels = {ids[s]: label(s) for s in order if label(s) is not None}
        depths = {ids[s]: len(s[2]) for s in order if s[0] == "x" and s[3][0] not in ("str", "qname")}
        text = TEXT_ROLES.get(self.kind)
        roles = {ids[s]: ROLES.get(s[3][0], s[3][0]) if s[0] == "x" else text
                 for s in order if s[0] in ("x", "text")}
        if ("cond$", 2) in ids:  # an `if:` given as `${{ }}` is a template to actionlint: no object shown
            roles[ids[("cond$", 2)]] = TEXT_ROLES[TEMPLATE]
        return PatternFSM(TableFSM(len(classes), 0, finals, trans), classes, labels, depths, roles)

    def accepts(self, s) -> bool:
        if s[0] in ("text", "cond_end"):
            return True
        if s[0] == "x" and s[1] == "B" and not s[2]:
            tok = s[3]
            if tok[0] == "num":
                return tok[1] in ("frac", "zero") or (tok[1] == "int" and tok[2] <= INT_DIGITS)
            return tok[0] in ("after", "word", "pstar", "fprop", "strq") or (tok[0] == "prop" and tok[2])
        return False

    # ------------------------------------------------------------ one character
    def step(self, s, ch):
        kind = s[0]
        if kind == "text":  # 0: plain, 1: after `$`, 2: after `${`
            p = s[1]
            if ch == "$":
                return ("text", 1)
            if ch == "{" and p in (1, 2):
                return ("x", "T", (), ("operand",)) if p == 2 else ("text", 2)
            return ("text", 0)
        if kind == "cond":  # an `if:`: `${{` first, or a bare expression after any spaces (actionlint:
            if ch in WS:  # "extra characters are around ${{ }}", spaces too)
                return ("cond", "spaced")
            if ch == "$" and len(s) == 1:
                return ("cond$", 1)
            return self.expr(("x", "B", (), ("operand",)), ch)
        if kind == "cond$":
            if ch != "{":
                return None
            return ("cond$", 2) if s[1] == 1 else ("x", "W", (), ("operand",))
        if kind == "cond_end":
            return None
        return self.expr(s, ch)

    def expr(self, s, ch):
        mode, stack, tok = s[1], s[2], s[3]
        t = tok[0]

        def at(tok2, st=stack):
            return ("x", mode, st, tok2)

        def push(kind):
            tok2 = ("args",) if kind == "call" else ("ioperand",) if kind == "index" else ("operand",)
            return at(tok2, stack + (kind,)) if len(stack) < DEPTH else None
        # tokens in progress
        if t == "word":  # a name: context, function, true/false/null (SlotDFA says which)
            if ch in NAME_CHARS:
                return s
            if ch == "(":
                return push("call")
            if ch == ".":
                return at(("prop", 1, False))
            return self.expr(at(("after", True)), ch)
        if t == "prop":  # a property in the chain: depth, started
            _, depth, started = tok
            if not started:
                if ch == "*":
                    return at(("pstar", depth))
                return at(("prop", depth, True)) if ch in NAME_START else None
            if ch in NAME_CHARS:
                return s
            return self.after_prop(at, depth, ch)
        if t == "pstar":  # `.*`
            return None if ch in NAME_CHARS else self.after_prop(at, tok[1], ch)
        if t == "args":  # just after `(` of a call: an argument or `)`
            if ch == ")":
                return at(("after", True), stack[:-1])
            return self.expr(at(("operand",)), ch)
        if t == "num":  # -?(0|[1-9][0-9]*)(.[0-9]+)?: no digit after a leading 0 (actionlint's lexer)
            phase = tok[1]
            if ch in string.digits:
                if phase == "zero":
                    return None
                if phase == "sign":
                    return at(_digit(ch))
                if phase == "int":
                    return at(("num", "int", min(tok[2] + 1, INT_DIGITS + 1)))
                return at(("num", "frac"))
            if ch == "." and phase in ("int", "zero"):
                return at(("num", "dot"))
            if phase in ("frac", "zero") or (phase == "int" and tok[2] <= INT_DIGITS):
                return self.expr(at(("after", False)), ch)
            return None
        if t == "str":
            return at(("strq",)) if ch == "'" else None if ch == "\x00" else s
        if t == "ioperand":  # an index's operand: a quote begins a property's name
            if ch in WS:
                return s
            return at(("qname",)) if ch == "'" else self.expr(at(("operand",)), ch)
        if t == "qname":
            return at(("qend",)) if ch == "'" else None if ch == "\x00" else s
        if t == "qend":  # no `''` in a property's name: the name would be checked without it
            return None if ch == "'" else self.expr(at(("after", False)), ch)
        if t == "strq":  # a quote: the end, or the first of ''
            if ch == "'":
                return at(("str",))
            return self.expr(at(("after", False)), ch)
        if t == "op":  # the second character of == != && ||
            return at(("operand",)) if ch == tok[1] else None
        if t == "opt=":  # `<` or `>`, maybe `=`
            if ch == "=":
                return at(("operand",))
            return self.expr(at(("operand",)), ch)
        if t == "dot":  # after `.` in a free access
            if ch == "*":
                return at(("after", True))
            return at(("fprop",)) if ch in NAME_START else None
        if t == "fprop":
            if ch in NAME_CHARS:
                return s
            return self.expr(at(("after", True)), ch)
        if t == "close":
            if ch != "}":
                return None
            return ("text", 0) if mode == "T" else ("cond_end",)
        if t == "operand":
            if ch in WS or ch == "!":
                return s
            if ch == "(":
                return push("paren")
            if ch == "'":
                return at(("str",))
            if ch in string.digits:
                return at(_digit(ch))
            if ch == "-":
                return at(("num", "sign"))
            if ch in NAME_START:
                return at(("word",))
            return None
        if t == "after":
            suffix = tok[1]
            if ch in WS:
                return at(("after", False))
            if suffix and ch == ".":
                return at(("dot",))
            if suffix and ch == "[":
                return push("index")
            if ch in "=&|":
                return at(("op", ch))
            if ch == "!":
                return at(("op", "="))
            if ch in "<>":
                return at(("opt=",))
            top = stack[-1] if stack else None
            if ch == ")" and top in ("paren", "call"):
                return at(("after", True), stack[:-1])
            if ch == "]" and top == "index":
                return at(("after", True), stack[:-1])
            if ch == "," and top == "call":
                return at(("operand",))
            if ch == "}" and not stack and mode in ("T", "W"):
                return at(("close",))
            return None
        raise AssertionError(t)

    def after_prop(self, at, depth, ch):
        """A property of the chain ended with `ch`."""
        if ch == ".":
            return at(("prop", depth + 1, False)) if depth < CHAIN else at(("dot",))
        return self.expr(at(("after", True)), ch)


def _digit(ch: str) -> tuple:
    """The number token after its first digit."""
    return ("num", "zero") if ch == "0" else ("num", "int", 1)


def _ranges(cps):
    out = []
    for cp in sorted(cps):
        if out and cp == out[-1][1] + 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out
