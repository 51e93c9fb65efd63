"""The kinds of an expression's operands, followed along a `name_slots.SlotDFA`, as actionlint
checks them: `<`, `<=`, `>`, `>=` compare numbers and strings (any aside); `==` and `!=` never
an object or array with a scalar (here: never an object or array on the left); only objects
and arrays have properties and indexes, an object's index is a string and an array's a number;
functions take arguments of given kinds (`names.Arity.params`: its first `||` term, the others
merging with it; a comparison there owes a next term of that kind); a template's `${{ }}`
shows no object, array or null (likewise). Comparisons nest to the right (`a < b == c` is
`a < (b == c)`), and `a || b` is of the kind both are (a string with a string, number or bool
in it; else any: no later term is a string where the first may not be, `later_terms`).

The base automaton marks each state with the token it is in (`CharDFA.roles`: an operand,
after one, an operator, a literal...) and its bracket depth; names carry their kind
(`names.kind_of`). A state holds one record per open bracket. What is refused is never on a
shortest way out (an operator, `!`, `(`, `.`, `[`: a literal or the end always does as well),
so distances stay those of the slots, except four places the slot triple takes over: an
operand's names end only in the kinds it may be (`Names.with_finals`, at the slot it starts
in), `<` after a bool or null name (a condition that may not be a literal alone goes on
with `<0` otherwise), and an operand that may not be a number (an object's index: its
shortest is `''`, not `0`; `name_slots.NO_NUMBER`), and a name of a kind a bool was wanted
in place of, which a comparison must follow (`compared`, `name_slots.MUST_COMPARE`). A term
owed adds its literal before the bracket or the expression closes (`owed_extra`).
"""

from __future__ import annotations

# A record: (class of the operand just read, negated, through `.*`, comparison in progress:
# None, "ord" or "eq", kinds the operand being read may end in, class of the `&&`/`||` terms
# before it, kinds of the term owed before the bracket closes or None, kinds the later terms
# may be or None). Classes, as actionlint's checks tell kinds apart: "A" any, "S" number or
# string, "B" bool, "N" null, "C" object, "L" array (of a filter `.*`).
EMPTY = (None, False, False, None, None, None, None, None)
CLASSES = {"any": "A", "string": "S", "number": "S", "bool": "B", "null": "N", "object": "C", "array": "L"}
ORDERED_CLASSES = frozenset("AS")  # may be compared with < <= > >=
DEREF_CLASSES = frozenset("ACL")  # may be followed by .name or [index]
COMPOSITE_CLASSES = frozenset("CL")
# The kinds an index may end in, by the class of what it indexes (any: any).
INDEX = {"C": frozenset({"any", "string"}), "L": frozenset({"any", "number"})}
ORDERED = frozenset({"any", "number", "string"})  # kinds of the right operand of < <= > >=
NOT_COMPOSITE = frozenset({"any", "number", "string", "bool", "null"})  # of == != after a scalar
SHOWN = frozenset({"any", "number", "string", "bool"})  # what `${{ }}` in a template may evaluate to
# What an expression may evaluate to, by the role of the text state it opens from (the grammar's
# kind: a template, a section given as `${{ }}`, a matrix row given so).
OPENED = {"text": SHOWN, "text-object": frozenset({"any", "object"}), "text-array": frozenset({"any", "array"}),
          "text-bool": frozenset({"any", "bool"})}
# actionlint merges the `&&`/`||` terms of a value into a string as soon as one is (`true ||
# 'a'`, `1 || 'a'`); other kinds merge into any (`true || 1` is fine where a number is wanted).
# So where the first term may not be a string, no later one may be.
NOT_STRING = frozenset({"any", "number", "bool", "null", "object", "array"})


def compared(want) -> frozenset:
    """The kinds a name may end in, besides `want`, when a comparison follows (a bool then)."""
    return frozenset({"string", "number"}) - want if want is not None and "bool" in want else frozenset()


def later_terms(first) -> frozenset | None:
    """The kinds the later `&&`/`||` terms of a value whose first term wants `first` may be."""
    return None if first is None or "string" in first else NOT_STRING


def owed_extra(ops: tuple) -> int:
    """Characters the shortest way out adds for the records that owe a term (`||0`: a term owed
    admits a number): the way out of their operand closes on an operand anyway, and a term
    inserted before the close is the least any way out adds."""
    return sum(3 for r in ops if r[6] is not None)


def _term(last, neg, cmp):
    """The class of a finished `&&`/`||` term: a negation or a comparison is a bool."""
    return "B" if (neg or cmp) else last


def merge_class(a, b):
    """The class of `a || b` (actionlint merges a string with a number or bool into a string,
    other different kinds into any)."""
    if a is None or a == b:
        return b
    return "S" if {a, b} <= {"S", "B"} else "A"


def after(base, ops: tuple, s: int, t: int, c, kind, calls: tuple, after_calls: tuple, element=None):
    """The operand records after move `s` -> `t` of automaton `base` on character `c` (`kind`:
    of the name the move leaves, if any, `element`: what an index of it gives; `calls`,
    `after_calls`: `name_slots.SlotDFA`'s open calls before and after it), or None when the
    move makes a type error actionlint reports.
    One record per open bracket (`EMPTY`'s shape). Only moves the shortest way out never takes
    are refused (an operator, `!`, `(`, `.`, `[`); an operand's names are narrowed where it
    starts (`SlotDFA._row`)."""
    closed = calls[-1][1] if len(after_calls) < len(calls) else None
    opened = after_calls[-1][1] if len(after_calls) > len(calls) else None
    roles = base.roles
    rs, rt = roles.get(s), roles.get(t)
    if rt is None or rt == "close" or rt in OPENED:  # outside an expression
        return None if rt == "close" and any(r[6] is not None for r in ops) else ()  # a term owed
    c = c or "\x00"  # a class of no single character: no operator or bracket
    if rs in OPENED:  # `${{`: a template's terms are values to show, no object, array or null
        return ((None, False, False, None, OPENED[rs], None, None, later_terms(OPENED[rs])),)
    last, neg, star, cmp, want, acc, owe, rest = ops[-1] if ops else EMPTY
    indexed = None  # the class of what a `[` indexes
    outer = ops[:-1]
    depths = base.depths
    ds, dt = depths.get(s), depths.get(t)
    opens = ds is not None and dt is not None and dt == ds + 1
    if kind is not None:  # a name is left
        last = "L" if star else CLASSES[kind]
    # Comparisons nest to the right, as actionlint parses them: in `a < b == c` the right
    # operand of `<` is `b == c`, a bool, so nothing follows an ordering comparison.
    # A value of a kind (an argument, what a template shows) needs only its first `&&`/`||`
    # term of that kind (the terms merge: `x || null` is any). A comparison there where a bool
    # may not be owes the next term, of that kind (`fromJSON(a == 'b' && c || d)` is fine,
    # `fromJSON(a == 'b')` is not; stricter than actionlint: `a == b || c == d || 'e'` is too).
    if rt in ("opt=", "op") and c in "<>=!" and want is not None and "bool" not in want:
        if "number" not in want:
            return None  # (an object's index: its owed `||''` would not be the triple's `||0`)
        owe = want  # a comparison where a bool may not be: a term of kind `want` must follow
    if rt == "opt=" and c in "<>":  # an ordering operator
        left = "B" if neg else last
        if cmp == "ord" or left not in ORDERED_CLASSES:
            return None
        return outer + ((None, False, False, "ord", ORDERED, acc, owe, rest),)
    if rt == "op" and c in "=!":  # == or !=
        left = "B" if neg else last
        if left in COMPOSITE_CLASSES or cmp == "ord":
            return None
        return outer + ((None, False, False, "eq", NOT_COMPOSITE if left in ("S", "B") else None, acc, owe,
                                         rest),)
    if rt == "op" and c in "&|":  # `a || b` is of a kind both may be; a term owed is this one
        return outer + ((None, False, False, None, owe or rest, merge_class(acc, _term(last, neg, cmp)), None, rest),)
    if rt == "operand" and c == ",":
        if owe is not None:
            return None
        call = after_calls[-1] if after_calls and after_calls[-1][0] == ds else None
        want = call[1].param(max(1, call[2] - 1)) if call else None
        return outer + ((None, False, False, None, want, None, None, later_terms(want)),)
    if rt == "operand" and c == "!":
        if want is not None and "bool" not in want:
            return None
        neg, want = True, None  # a negation is a bool, whatever it negates
    elif rt in ("num", "str") and rs not in ("num", "str", "strq"):
        if want is not None and ("number" if rt == "num" else "string") not in want:
            return None  # a literal of a kind the operand may not be (an index)
        last = "S"
    elif c in ".[" and (rt == "dot" or (c == "[" and opens)):
        if last not in DEREF_CLASSES:
            return None  # a property or index of a scalar
        indexed = last  # `[`: what the index will give; `.`: the chain goes on
        last = "A" if c == "[" and (star or element is None) else CLASSES[element] if c == "[" else \
            "L" if star else "A"
    elif (rs == "dot" and c == "*") or (rt == "pstar" and rs != "pstar"):
        if want is not None and "array" not in want:
            return None
        star, last = True, "L"
    if opens:  # a call, group or index opens
        if rt == "operand" and c == "(":  # a group: of the kind an argument would be
            if want is not None and cmp is not None:
                return None  # not the right operand of a comparison
            first = None if neg else want
        elif c == "[":
            first = INDEX.get(indexed)
        else:
            first = opened.param(0) if opened is not None else None
        inner = (None, False, False, None, first, None, None, later_terms(first))
        return outer + ((last, neg, star, cmp, want, acc, owe, rest), inner)
    if c in ")]" and ds is not None and dt is not None and dt == ds - 1:
        if owe is not None:
            return None
        up = outer[-1] if outer else EMPTY
        if closed is not None:
            got = CLASSES[closed.returns]
        elif c == "]":
            got = up[0]  # an element or property: as the `[` said
        else:  # a group: of the kind of what it holds
            got = merge_class(acc, _term(last, neg, cmp))
        return outer[:-1] + ((got,) + up[1:],)
    return outer + ((last, neg, star, cmp, want, acc, owe, rest),)
