"""The kinds of an expression's operands, followed along a `name_slots.SlotDFA`, as actionlint
checks them: `<`, `<=`, `>`, `>=` compare numbers and strings (any aside); `==` and `!=` never
an object or array with a scalar (here: never an object or array on the left); only objects
and arrays have properties and indexes, an object's index is a string and an array's a number;
functions take arguments of given kinds (`names.Arity.params`: its first `||` term, the others
merging with it; a comparison there owes a next term of that kind); a template's `${{ }}`
shows no object, array or null (likewise). Comparisons nest to the right (`a < b == c` is
`a < (b == c)`). `&&`/`||` values are typed as actionlint narrows them (`a && b || c` is `b`
merged with `c`, `!x` narrowed is `x`: `operand`, `value_of`), merged as it merges types (a
string with a number or bool is a string, objects an object, other pairs any) and nested to the
right as it parses them (`1 || true || 'a'` is `1 || (true || 'a')`, a string): where the value
may not be a string no later operand is one (`later_terms`), and at each operator what the
operands so far add to the value either fits, or the next operand must (`_joined`).

The base automaton marks each state with the token it is in (`CharDFA.roles`: an operand,
after one, an operator, a literal...) and its bracket depth; names carry their kind
(`names.kind_of`). A state holds one record per open bracket. What is refused is never on a
shortest way out (an operator, `!`, `(`, `.`, `[`: a literal or the end always does as well),
so distances stay those of the slots, except four places the slot triple takes over: an
operand's names end only in the kinds it may be (`Names.with_finals`, at the slot it starts
in), `<` after a bool or null name (a condition that may not be a literal alone goes on
with `<0` otherwise), and an operand that may not be a number (an object's index: its
shortest is `''`, not `0`; `name_slots.NO_NUMBER`), and a name of a kind a bool was wanted
in place of, which a comparison must follow (`compared`, `name_slots.MUST_COMPARE`; where a
number, object or array is wanted, the comparison then owes a term too: `MUST_COMPARE_OWING`,
`owed`). A term owed adds its literal before the bracket or the expression closes
(`owed_extra`), as does a call returning a bool where no bool or string is wanted (`names.owes`:
`contains(x, 'y') && 20 || 10`).
"""

from __future__ import annotations

from tct.schema.names import owes

# A record: (class of the operand just read (what a negation negates), negation count (0, 1 odd,
# 2 even), through `.*`, comparison in progress: None, "ord" or "eq", kinds the operand being read
# may end in, the `||` terms before it (`Fold`) or None, kinds of the term owed before the
# bracket closes or None, kinds the value may be (None: any), the `&&` operands before it in its
# term (`Fold`) or None, (narrowed true, narrowed false) classes of the operand when it is a
# group, else None). Classes, as actionlint's checks tell kinds apart:
# "A" any, "S" string, "D" number, "B" bool, "N" null, "R" object of scalar properties, "C"
# other object, "L" array (of a filter `.*`).
EMPTY = (None, 0, False, None, None, None, None, None, None, None)
CLASSES = {"any": "A", "string": "S", "number": "D", "bool": "B", "null": "N", "record": "R", "object": "C",
           "array": "L"}
ORDERED_CLASSES = frozenset("ASD")  # may be compared with < <= > >=
DEREF_CLASSES = frozenset("ARCL")  # may be followed by .name or [index]
COMPOSITE_CLASSES = frozenset("RCL")
# The kinds an index may end in, by the class of what it indexes (any: any).
INDEX = {"C": frozenset({"any", "string"}), "R": frozenset({"any", "string"}), "L": frozenset({"any", "number"})}
ORDERED = frozenset({"any", "number", "string"})  # kinds of the right operand of < <= > >=
NOT_COMPOSITE = frozenset({"any", "number", "string", "bool", "null"})  # of == != after a scalar
SHOWN = frozenset({"any", "number", "string", "bool"})  # what `${{ }}` in a template may evaluate to
# What an expression may evaluate to, by the role of the text state it opens from (the grammar's
# kind: a template, a section given as `${{ }}` (an object; `env` and `with`: of scalar
# properties, actionlint: "env.x must be string"), a matrix row given so).
OPENED = {"text": SHOWN, "text-object": frozenset({"any", "object"}), "text-record": frozenset({"any", "record"}),
          "text-array": frozenset({"any", "array"}), "text-bool": frozenset({"any", "bool"}),
          "text-number": frozenset({"any", "number"})}
# actionlint merges the `&&`/`||` terms of a value into a string as soon as one is (`true ||
# 'a'`, `1 || 'a'`); other kinds merge into any (`true || 1` is fine where a number is wanted).
# So where the value may not be a string, no later term is one (nor an object with an object
# property where only an object of scalars may be: objects merge their properties).
NOT_STRING = frozenset({"any", "number", "bool", "null", "object", "array"})


def compared(want) -> frozenset:
    """The kinds a name may end in, besides `want`, when a comparison follows (a bool then, or
    where a number is wanted a bool owing a later term: `names.owes`)."""
    if want is None:
        return frozenset()
    if "bool" in want:
        return frozenset({"string", "number"}) - want
    return frozenset({"string", "number"}) - want if owes("bool", want) else frozenset()  # (a bool: no `<` after it)


def owed(value) -> frozenset:
    """The kinds of the term a bool owes where a value of kinds `value` (no bool, no string) is
    wanted: those, or a number (merged with the bool: any, and `0` is the shortest way out the
    distances take; `cmp && 20 || 10`, `cmp && fromJSON('[1]') || fromJSON('[2]')`)."""
    return value | {"number"}


def later_terms(value) -> frozenset | None:
    """The kinds the `&&`/`||` operands after the first of a value of kinds `value` may be."""
    if value is None or "string" in value:
        return None
    return NOT_STRING - {"object"} | {"record"} if "record" in value and "object" not in value else NOT_STRING


def fits(cls, value) -> bool:
    """May a value of class `cls` stand where one of kinds `value` is wanted?"""
    return value is None or cls == "A" or any(CLASSES[k] == cls or (k == "object" and cls == "R") for k in value)


def owed_extra(ops: tuple) -> int:
    """Characters the shortest way out adds for the records that owe a term (`||0`: a term owed
    admits a number): the way out of their operand closes on an operand anyway, and a term
    inserted before the close is the least any way out adds."""
    return sum(3 for r in ops if r[6] is not None)


def merge_class(a, b):
    """The class of `a || b` as actionlint merges types: a string with a number or bool is a
    string, an object with an object an object (of scalars if both are), other different kinds
    any."""
    if a is None or a == b:
        return b
    pair = {a, b}
    if "S" in pair and pair <= {"S", "D", "B"}:
        return "S"
    return "C" if pair == {"R", "C"} else "A"


# actionlint parses `a || b || c` as `a || (b || c)` (and `&&` likewise), and merging is not
# associative (`1 || true || 'a'` is a string, `(1 || true) || 'a'` any). Read left to right, the
# operands before the current one are kept as a function of what the rest of the chain gives:
# `v -> merge(x1, merge(x2, ... merge(xk, v)))`, a tuple over `ORDER`.
ORDER = "ASDBNRCL"
_AT = {c: i for i, c in enumerate(ORDER)}
IDENTITY = tuple(ORDER)


def then(f: tuple, x: str) -> tuple:
    """The function `v -> f(merge(x, v))`: operand class `x` read after those `f` folds."""
    return tuple(f[_AT[merge_class(x, v)]] for v in ORDER)


def after_fold(f: tuple, g: tuple) -> tuple:
    """`v -> f(g(v))`."""
    return tuple(f[_AT[c]] for c in g)


def apply(f: tuple, v: str) -> str:
    return f[_AT[v]]


def operand(r) -> tuple:
    """(class, narrowed true, narrowed false) of a record's operand. actionlint narrows `l && r`
    assumed true to `r` and `l || r` assumed false to `r` (`a && 60 || 20` is a number), and
    `!x` narrowed is `x` narrowed the other way: `!x && y` merges `x` with `y`."""
    last, neg, _, cmp = r[0], r[1], r[2], r[3]
    if cmp:
        return ("B", "B", "B")
    t, f = r[9] or (last, last)
    if neg == 1:
        return ("B", f, t)
    return ("B", t, f) if neg else (last, t, f)


# A `Fold` (a record's `||` or `&&` field): (the chain so far as a function of the rest, the same
# without its first operand). `l && r` is `r` when true, so its narrowed-true class is the rest
# chain's; `l || r` is `r` when false.


def _term(r) -> tuple:
    """(class, narrowed true, narrowed false) of the `&&` chain ending with the record's operand:
    the narrowed-false classes of the operands before it merged, right to left, into its class."""
    own = operand(r)
    if r[8] is None:
        return own
    whole = apply(r[8][0], own[0])
    return (whole, apply(r[8][1], own[0]), whole)


def value_of(r) -> tuple:
    """(class, narrowed true, narrowed false) of the value a record has read, if it ends here:
    the narrowed-true classes of the `||` terms before it merged, right to left, into the last's."""
    term = _term(r)
    if r[5] is None:
        return term
    whole = apply(r[5][0], term[0])
    return (whole, whole, apply(r[5][1], term[0]))


def _joined(r, c, x):
    """The record after operator `c` (`&` or `|`) whose operand (`&`) or term (`|`) adds class
    `x` to the chain, or None when no later operand can bring the value back to a kind it may be
    (a string where none may be: strings absorb numbers and bools)."""
    value = r[7]
    fold = r[8] if c == "&" else r[5]
    joined = (then(IDENTITY, x), IDENTITY) if fold is None else (then(fold[0], x), then(fold[1], x))
    # the whole value as a function of the next operand, were it the last
    total = joined[0] if c == "|" or r[5] is None else after_fold(r[5][0], joined[0])
    if value is None:
        want = r[6]
    elif all(fits(apply(total, CLASSES[k]), value) for k in later_terms(value) or CLASSES):
        want = r[6] or later_terms(value)
    elif all(fits(apply(total, CLASSES[k]), value) for k in owed(value) if k != "any"):
        # the next operand is a number or of a kind the value may be: the merge is then any (so
        # the shortest operand `0` still does, as the distances assume)
        want = owed(value)
    else:
        return None
    if c == "&":
        return (None, 0, False, None, want, r[5], None, value, joined, None)
    return (None, 0, False, None, want, joined, None, value, None, None)


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
        return (_open(OPENED[rs]),)
    if kind is not None and rs == "str" and rt == "strq" and len(ops) >= 2:
        # a quoted property name of a known object ends: the index gives that property's kind
        up = ops[-2]
        ops = ops[:-2] + ((CLASSES[kind],) + up[1:], ops[-1])
        kind = None
    r = ops[-1] if ops else EMPTY
    last, neg, star, cmp, want, orv, owe, value, andv, narrowed = r
    indexed = None  # the class of what a `[` indexes
    outer = ops[:-1]
    depths = base.depths
    ds, dt = depths.get(s), depths.get(t)
    opens = ds is not None and dt is not None and dt == ds + 1
    if kind is not None:  # a name is left
        last, narrowed = ("L" if star else CLASSES[kind]), None
    # Comparisons nest to the right, as actionlint parses them: in `a < b == c` the right
    # operand of `<` is `b == c`, a bool, so nothing follows an ordering comparison.
    # A comparison where a bool may not be owes the next term, of a kind the value may be
    # (`fromJSON(a == 'b' && c || d)` is fine, `fromJSON(a == 'b')` is not).
    if rt in ("opt=", "op") and c in "<>=!" and want is not None and "bool" not in want:
        if "string" in want and "number" not in want:
            return None  # (an object's index: its owed `||''` would not be the triple's `||0`)
        owe = owed(want)
    if rt == "opt=" and c in "<>":  # an ordering operator
        left = "B" if neg else last
        if cmp == "ord" or left not in ORDERED_CLASSES:
            return None
        return outer + ((None, 0, False, "ord", ORDERED, orv, owe, value, andv, None),)
    if rt == "op" and c in "=!":  # == or !=
        left = "B" if neg else last
        if left in COMPOSITE_CLASSES or cmp == "ord":
            return None
        return outer + ((None, 0, False, "eq", NOT_COMPOSITE if left in ("S", "D", "B") else None, orv, owe, value,
                         andv, None),)
    if rt == "op" and c in "&|":  # what the operands so far add to the value's class
        cur = (last, neg, star, cmp, want, orv, owe, value, andv, narrowed)
        joined = _joined(cur, c, operand(cur)[2] if c == "&" else _term(cur)[1])
        return None if joined is None else outer + (joined,)
    if rt == "operand" and c == ",":
        if owe is not None:
            return None
        call = after_calls[-1] if after_calls and after_calls[-1][0] == ds else None
        return outer + (_open(call[1].param(max(1, call[2] - 1)) if call else None),)
    if rt == "operand" and c == "!":
        if want is not None and "bool" not in want:
            return None
        neg, want = (1 if neg != 1 else 2), None  # a negation is a bool, whatever it negates
    elif rt in ("num", "str") and rs not in ("num", "str", "strq"):
        if want is not None and ("number" if rt == "num" else "string") not in want:
            return None  # a literal of a kind the operand may not be (an index)
        last, narrowed = ("D" if rt == "num" else "S"), None
    elif c in ".[" and (rt == "dot" or (c == "[" and opens)):
        if last not in DEREF_CLASSES or (narrowed is not None and last in ("R", "C")) \
                or (c == "." and last == "L" and not star):
            return None  # a property or index of a scalar, of a group's object (its names are not
            # followed), a property of an array (an element of `.*` has them)
        indexed = last  # `[`: what the index will give; `.`: the chain goes on
        last = "A" if c == "[" and (star or element is None) else CLASSES[element] if c == "[" else \
            "L" if star else "A"
        narrowed = None
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
            if opened is not None and owes(opened.returns, want):
                owe = owed(want)  # `contains(x, 'y') && 20 || 10` where a number is wanted
        return outer + ((last, neg, star, cmp, want, orv, owe, value, andv, narrowed), _open(first))
    if c in ")]" and ds is not None and dt is not None and dt == ds - 1:
        if owe is not None:
            return None
        up = outer[-1] if outer else EMPTY
        if closed is not None:
            got, got_narrowed = CLASSES[closed.returns], None
        elif c == "]":
            got, got_narrowed = up[0], None  # an element or property: as the `[` said
        else:  # a group: of the kind of what it holds, narrowed as what it holds
            whole, t_, f_ = value_of((last, neg, star, cmp, want, orv, owe, value, andv, narrowed))
            got, got_narrowed = whole, (t_, f_)  # (never None: a group's)
        return outer[:-1] + ((got,) + up[1:9] + (got_narrowed,),)
    return outer + ((last, neg, star, cmp, want, orv, owe, value, andv, narrowed),)


def _open(value) -> tuple:
    """The record of a value of kinds `value` about to begin (an argument, a group, an index)."""
    return (None, 0, False, None, value, None, None, value, None, None)
