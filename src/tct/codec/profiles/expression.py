"""The `${{ }}` expression grammar of GitHub Actions as an automaton over code points.

Written as a step function (a lexer and a parser with a bounded stack of open brackets) and
explored into a DFA, rather than as an ECMA regex: the regex repeats the inner expression at
every nesting site, so its text grows ~15x per level (depth 1: 36 k characters, 15 s to
compile) while this construction takes a fraction of a second at depth `DEPTH`. It is
registered with the regex compiler under a name (`regex.register`), so it joins a string's
schema patterns in one product DFA like any `pattern`, and is built once per kind.

Plain text may hold `$`, `{`, `${VAR}` or `}}`; only `${{` opens an expression, which must be
well formed and closed by `}}`. Literals (null, true, false, numbers, '...' with ''),
context access (`name(.name|.*|[expr])*`), calls, `!`, comparison and logical operators,
parentheses. The first property of `steps`, `needs`, `matrix`, `inputs` (`.name` or
`['name']`) is read in states labelled with the context: the names come from the document,
applied by `name_slots.SlotDFA` over this one automaton. `steps.<id>`/`needs.<job>` take only
their documented properties.
"""

from __future__ import annotations

import string
from functools import lru_cache

from tct.schema.ecma import MAX_CP
from tct.schema.regex import PatternFSM, register

DEPTH = 4  # open brackets (parentheses, calls, indexes) at once: 3 leaves out real conditions
WS = " \t\r\n"
LETTERS = string.ascii_letters
NAME_START = LETTERS + "_"
NAME_CHARS = NAME_START + string.digits + "-"
RESTRICTED = ("steps", "needs", "matrix", "inputs")
# Properties after the first one of a restricted context: (level-2 names, those that take more)
SECOND = {"steps": ({"outputs", "outcome", "conclusion"}, {"outputs"}), "needs": ({"outputs", "result"}, {"outputs"})}

TEMPLATE, CONDITION = "template", "condition"


def is_name(text: str) -> bool:
    """Can `text` be written as `.text` after a context?"""
    return bool(text) and text[0] in NAME_START and all(c in NAME_CHARS for c in text)


@lru_cache(maxsize=None)
def pattern(kind: str) -> str:
    """The registered name of the automaton for `kind` (TEMPLATE: any string value; CONDITION:
    an `if:`), built on first use."""
    name = f"\x00tct-expression:{kind}"
    register(name, _Grammar(kind).automaton())
    return name


def label(s) -> str | None:
    """The context whose first property state `s` reads, or None."""
    if s[0] != "x":
        return None
    tok = s[3]
    if tok[0] == "prop" and tok[2] == 1:
        return tok[1]
    if tok[0] == "quoted" and (tok[2] is None or not tok[2].endswith("'")):
        return tok[1]
    return None


class _FSM:
    """What CharDFA reads of an interegular FSM."""

    def __init__(self, n_classes, initial, finals, transitions):
        self.alphabet = list(range(n_classes))
        self.initial, self.finals, self.map = initial, finals, transitions


class _Grammar:
    def __init__(self, kind: str):
        self.kind = kind

    # ------------------------------------------------------------ the automaton
    def automaton(self) -> PatternFSM:
        significant = set(WS + string.punctuation) | {c for w in RESTRICTED for c in w}
        significant |= {c for names, _ in SECOND.values() for w in names for c in w}
        classes, reps = [], []
        for c in sorted(significant):
            classes.append([(ord(c), ord(c))])
            reps.append(c)
        rest = [cp for cp in range(128) if chr(cp) not in significant]
        for group in (set(LETTERS), set(string.digits), None):
            cps = [cp for cp in rest if (group is None or chr(cp) in group)]
            rest = [cp for cp in rest if cp not in cps]
            if cps:
                classes.append(_ranges(cps))
                reps.append(chr(cps[0]))
        classes.append([(128, MAX_CP)])
        reps.append("\u00e9")
        start = ("text", 0) if self.kind == TEMPLATE else ("cond",)
        ids, order, trans = {start: 0}, [start], {}
        i = 0
        while i < len(order):
            row = {}
            for cid, ch in enumerate(reps):
                nxt = self.step(order[i], ch)
                if nxt is None:
                    continue
                if nxt not in ids:
                    ids[nxt] = len(order)
                    order.append(nxt)
                row[cid] = ids[nxt]
            trans[i] = row
            i += 1
        finals = {ids[s] for s in order if self.accepts(s)}
        labels = {ids[s]: label(s) for s in order if label(s) is not None}
        return PatternFSM(_FSM(len(classes), 0, finals, trans), classes, labels)

    def accepts(self, s) -> bool:
        if s[0] in ("text", "cond_end"):
            return True
        if s[0] == "x" and s[1] == "B" and not s[2]:
            r = self.resolve(s)
            return r is not None and r[3][0] in ("after", "ctx", "ident")
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
        if kind == "cond":  # leading spaces of an `if:`, then `${{` or a bare expression
            if ch in WS:
                return s
            if ch == "$":
                return ("cond$", 1)
            return self.expr(("x", "B", (), ("operand",)), ch)
        if kind == "cond$":
            if ch != "{":
                return None
            return ("cond$", 2) if s[1] == 1 else ("x", "W", (), ("operand",))
        if kind == "cond_end":
            return s if ch in WS else None
        return self.expr(s, ch)

    def resolve(self, s):
        """A pending token ended: the state it leaves (or None when it cannot end here)."""
        mode, stack, tok = s[1], s[2], s[3]
        t = tok[0]

        def at(tok2):
            return ("x", mode, stack, tok2)
        if t == "word":  # the text while it may still be a restricted context, else None
            if tok[1] in RESTRICTED:
                return at(("ctx", tok[1], 0, None))
            return at(("ident",))
        if t == "num":
            return at(("after", False)) if tok[1] in ("int", "frac") else None
        if t == "strq":
            return at(("after", False))
        if t == "fprop":
            return at(("after", True))
        if t == "prop":  # a restricted context's property being read
            _, ctx, level, text = tok
            if level == 2 and text not in SECOND[ctx][0]:
                return None
            return at(("ctx", ctx, level, text))
        if t == "opt=":  # `<` or `>` without `=`
            return at(("operand",))
        return s

    def expr(self, s, ch):
        mode, stack, tok = s[1], s[2], s[3]
        t = tok[0]

        def at(tok2, st=stack):
            return ("x", mode, st, tok2)
        # tokens in progress
        if t == "word":
            if ch in NAME_CHARS:
                w = None if tok[1] is None else tok[1] + ch
                return at(("word", w if w is not None and any(x.startswith(w) for x in RESTRICTED) else None))
            return self.expr(self.resolve(s), ch)
        if t == "ident":  # a free context or a function name
            if ch == "(":
                return at(("args",), stack + (("call",),)) if len(stack) < DEPTH else None
            return self.expr(at(("after", True)), ch)
        if t == "args":  # just after `(` of a call: an argument or `)`
            if ch == ")":
                return at(("after", True), stack[:-1])
            return self.expr(at(("operand",)), ch)
        if t == "num":
            phase = tok[1]
            if ch in string.digits:
                return at(("num", "frac" if phase in ("dot", "frac") else "int"))
            if ch == "." and phase == "int":
                return at(("num", "dot"))
            r = self.resolve(s)
            return None if r is None else self.expr(r, ch)
        if t == "str":
            return at(("strq",)) if ch == "'" else s
        if t == "strq":  # a quote: the end, or the first of ''
            if ch == "'":
                return at(("str",))
            return self.expr(self.resolve(s), ch)
        if t == "op":  # the second character of == != && ||
            return at(("operand",)) if ch == tok[1] else None
        if t == "opt=":
            if ch == "=":
                return at(("operand",))
            return self.expr(self.resolve(s), ch)
        if t == "dot":  # after `.` in a free access
            if ch == "*":
                return at(("after", True))
            return at(("fprop",)) if ch in NAME_START else None
        if t == "fprop":
            if ch in NAME_CHARS:
                return s
            return self.expr(self.resolve(s), ch)
        if t == "ctx":  # a restricted context, or one of its properties, complete
            _, ctx, level, text = tok
            if ch == "." and (level == 0 or (level == 1 and ctx in SECOND)):
                return at(("prop", ctx, level + 1, ""))
            if ch == "[" and level == 0:  # matrix['node-version']
                return at(("quoted", ctx, None))
            if level == 2 and text in SECOND[ctx][1] or level == 1 and ctx not in SECOND:
                return self.expr(at(("after", True)), ch)
            return self.expr(at(("after", False)), ch)
        if t == "quoted":  # `[` + a quoted first property + `]`; the name's text is not kept
            _, ctx, text = tok
            if text is None:
                return at(("quoted", ctx, "")) if ch == "'" else None
            if text.endswith("'"):
                return at(("ctx", ctx, 1, text[:-1])) if ch == "]" else None
            if ch == "'" and text:
                return at(("quoted", ctx, text + "'"))
            if ch in NAME_START or (text and ch in NAME_CHARS):
                return at(("quoted", ctx, "?"))
            return None
        if t == "prop":
            _, ctx, level, text = tok
            if text == "*":
                return self.expr(self.resolve(s), ch) if ch not in NAME_CHARS else None
            if text == "" and ch == "*" and ctx == "needs" and level == 1:
                return at(("prop", ctx, level, "*"))  # `needs.*.result`
            if (ch in NAME_START or (text and ch in NAME_CHARS)):
                if level == 1:
                    return at(("prop", ctx, level, "?"))  # names come from the document
                nxt = text + ch.lower()
                return at(("prop", ctx, level, nxt)) if any(n.startswith(nxt) for n in SECOND[ctx][0]) else None
            if not text:
                return None
            r = self.resolve(s)
            return None if r is None else self.expr(r, ch)
        if t == "close":
            if ch != "}":
                return None
            return ("text", 0) if mode == "T" else ("cond_end",)
        if t == "operand":
            if ch in WS or ch == "!":
                return s
            if ch == "(":
                return at(("operand",), stack + (("paren",),)) if len(stack) < DEPTH else None
            if ch == "'":
                return at(("str",))
            if ch in string.digits:
                return at(("num", "int"))
            if ch == "-":
                return at(("num", "sign"))
            if ch in NAME_START:
                return self.expr(at(("word", "")), ch)
            return None
        if t == "after":
            suffix = tok[1]
            if ch in WS:
                return at(("after", False))
            if suffix and ch == ".":
                return at(("dot",))
            if suffix and ch == "[":
                return at(("operand",), stack + (("index",),)) if len(stack) < DEPTH else None
            if ch in "=&|":
                return at(("op", ch))
            if ch == "!":
                return at(("op", "="))
            if ch in "<>":
                return at(("opt=",))
            top = stack[-1] if stack else None
            if ch == ")" and top is not None and top[0] == "paren":
                return at(("after", True), stack[:-1])
            if ch == "]" and top is not None and top[0] == "index":
                return at(("after", True), stack[:-1])
            if top is not None and top[0] == "call":
                if ch == ",":
                    return at(("operand",))
                if ch == ")":
                    return at(("after", True), stack[:-1])
            if ch == "}" and not stack and mode in ("T", "W"):
                return at(("close",))
            return None
        raise AssertionError(t)


def _ranges(cps):
    out = []
    for cp in sorted(cps):
        if out and cp == out[-1][1] + 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out
