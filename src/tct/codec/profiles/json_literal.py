"""JSON text (RFC 8259) as an automaton over code points, nesting bounded by `DEPTH`: what a
string literal given to `fromJSON()` may hold (actionlint parses it: "broken JSON string is
passed to fromJSON()"). A step function explored into a DFA, as the expression grammar is:
the regex would repeat the value at every nesting level (15 k characters, 5 s to compile at
depth 3, against a few milliseconds here). Its accepting states say the kind of the value
(`roles`), as actionlint types `fromJSON` of a literal.
"""

from __future__ import annotations

from functools import lru_cache

from tct.schema.ecma import MAX_CP
from tct.schema.regex import CharDFA, PatternFSM, TableFSM, explore, register

DEPTH = 2  # arrays and objects open at once (the corpus nests one: 71 literals)
WS = " \t\n\r"
ESCAPES = '"\\/bfnrt'
HEX = "0123456789abcdefABCDEF"
WORDS = ("true", "false", "null")
NUMBER_ENDS = ("zero", "int", "frac", "exp")  # phases a number may end in


def _value(stack, ch):
    """The state after `ch` where a value begins (None: no value begins so)."""
    if ch in WS:
        return None
    if ch == '"':
        return stack, ("str", False, 0)
    if ch == "-":
        return stack, ("num", "sign")
    if ch == "0":
        return stack, ("num", "zero")
    if ch.isdigit():
        return stack, ("num", "int")
    if ch == "[":
        return (stack + ("[",), ("first",)) if len(stack) < DEPTH else None
    if ch == "{":
        return (stack + ("{",), ("key", True)) if len(stack) < DEPTH else None
    for w in WORDS:
        if ch == w[0]:
            return stack, ("word", w, 1)
    return None


def _after(stack, ch):
    """The state after `ch` once a value has ended."""
    if ch in WS:
        return stack, ("after",)
    if ch == "," and stack:
        return stack, ("value",) if stack[-1] == "[" else ("key", False)
    if stack and ch == ("]" if stack[-1] == "[" else "}"):
        return stack[:-1], ("after",)
    return None


def step(state, ch):
    stack, tok = state
    kind = tok[0]
    if kind in ("value", "first"):
        if ch in WS:
            return state
        if kind == "first" and ch == "]":
            return stack[:-1], ("after",)
        return _value(stack, ch)
    if kind == "key":  # tok[1]: `}` may come (just after `{`)
        if ch in WS:
            return state
        if ch == '"':
            return stack, ("str", True, 0)
        return (stack[:-1], ("after",)) if ch == "}" and tok[1] else None
    if kind == "colon":
        if ch in WS:
            return state
        return (stack, ("value",)) if ch == ":" else None
    if kind == "after":
        return _after(stack, ch)
    if kind == "str":  # tok: is a key, escape state (0 none, 1 after `\`, 2-5 hex digits left + 1)
        _, key, esc = tok
        if esc == 1:
            if ch == "u":
                return stack, ("str", key, 5)
            return (stack, ("str", key, 0)) if ch in ESCAPES else None
        if esc:
            return (stack, ("str", key, esc - 1 if esc > 2 else 0)) if ch in HEX else None
        if ch == '"':
            return stack, ("colon",) if key else ("after",)
        if ch == "\\":
            return stack, ("str", key, 1)
        return None if ord(ch) < 0x20 else state
    if kind == "word":
        _, w, i = tok
        if ch != w[i]:
            return None
        return (stack, ("after",)) if i + 1 == len(w) else (stack, ("word", w, i + 1))
    if kind == "num":
        phase = tok[1]
        if ch.isdigit():
            nxt = {"sign": "zero" if ch == "0" else "int", "int": "int", "dot": "frac", "frac": "frac",
                   "e": "exp", "esign": "exp", "exp": "exp"}.get(phase)
            return None if nxt is None else (stack, ("num", nxt))
        if ch == "." and phase in ("zero", "int"):
            return stack, ("num", "dot")
        if ch in "eE" and phase in ("zero", "int", "frac"):
            return stack, ("num", "e")
        if ch in "+-" and phase == "e":
            return stack, ("num", "esign")
        return _after(stack, ch) if phase in NUMBER_ENDS else None
    raise AssertionError(kind)


def _accepts(state) -> bool:
    stack, tok = state
    return not stack and (tok[0] == "after" or (tok[0] == "num" and tok[1] in NUMBER_ENDS))


# The kind of the text's value, by its first character (an object is a "record" while its
# values are scalars, as actionlint tells `env` objects apart)
TOP = {'"': "string", "-": "number", "[": "array", "{": "record", "t": "bool", "f": "bool", "n": "null",
       **dict.fromkeys("0123456789", "number")}


def typed_step(state, ch):
    """`step` with the kind of the text's value carried along (`TOP`)."""
    top, inner = state
    nxt = step(inner, ch)
    if nxt is None:
        return None
    if top is None and nxt != inner:
        top = TOP.get(ch, top)  # whitespace keeps the state: nothing begun yet
    elif top == "record" and len(inner[0]) == 1 and len(nxt[0]) == 2:
        top = "object"  # a value of the object is itself an object or array
    return top, nxt


@lru_cache(maxsize=None)
def dfa() -> CharDFA:
    """The automaton of a JSON text, built on first use."""
    reps = [chr(cp) for cp in range(1, 128)] + ["\u00e9"]  # every ASCII character apart; NUL never
    classes = [[(cp, cp)] for cp in range(1, 128)] + [[(128, MAX_CP)]]
    order, ids, rows = explore((None, ((), ("value",))), range(len(reps)), lambda st, cid: typed_step(st, reps[cid]))
    finals = {ids[s] for s in order if _accepts(s[1])}
    name = "\x00tct-json"
    # roles: the kind of the value at accepting states (what `fromJSON` of the text gives)
    roles = {ids[s]: s[0] for s in order if _accepts(s[1])}
    register(name, PatternFSM(TableFSM(len(classes), 0, finals, dict(enumerate(rows))), classes, roles=roles))
    return CharDFA(((name, True),))
