"""The types actionlint gives `matrix.<name>`, and owed names' uses checked against them.

actionlint types a matrix name by merging the types of all its values (the row's items and the
`include` entries' values): a string with a number or bool is a string, objects merge their
properties (each property's values merged), arrays their elements, other different kinds are
any; a row or `include` given as an expression is any. It then checks every use against that
type: `matrix.x.y` needs an object with a property `y`, `matrix.x < 1` no bool, a template
`${{ matrix.x }}` no object. (A string that is one whole `${{ e }}` is typed as `e` by
actionlint; here it is any, as the matrix values are read without their expressions' types.)

A name used before its job's `strategy` (owed, `forward_names.py`) was read as any; its uses
are kept, and its definition must give it a type they all accept: each use is walked again
with the name of that type (`uses_accept`). A row may not close while its type (with the
`include` values so far) fails a use; one more item always fixes it, as the completion does
(`fix_kind`: an item whose kind makes the merge any, or keeps it one the uses accept), unless
an `include` still to come can fix it; an `include` may not close while a written row's type
fails (the completion adds an entry with a value of such a kind).
"""

from __future__ import annotations

from functools import lru_cache

from tct.schema.names import BOOL, LEAF, NULL, NUMBER, Names

ANY = "any"
UNKNOWN = Names({}, kind="any")  # what an array of no known element type holds
# Item kinds the completion may give a matrix row's item (the row schema's branch kinds; its
# only literals are `true`/`false`), cheapest first as the item costs them.
ITEM_KINDS = {"literal": "bool", "number": "number", "string": "string", "object": ("object", ()),
              "array": ("array", None)}


def value_type(v):
    """actionlint's type of one matrix value."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if v is None:
        return "null"
    if isinstance(v, str):
        return ANY if "${{" in v else "string"
    if isinstance(v, list):
        elem = None
        for x in v:
            elem = merge(elem, value_type(x))
        return ("array", elem)
    if isinstance(v, dict):
        return ("object", tuple(sorted((k.lower(), value_type(x)) for k, x in v.items())))
    return ANY


def merge(a, b):
    """The type of values of types `a` and `b` together (None: no value yet)."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if ANY in (a, b):
        return ANY
    pair = {a, b} if isinstance(a, str) and isinstance(b, str) else None
    if pair is not None:
        return "string" if "string" in pair and pair <= {"string", "number", "bool"} else ANY
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0]:
        if a[0] == "array":
            return ("array", merge(a[1], b[1]))
        props = dict(a[1])
        for k, t in b[1]:
            props[k] = merge(props.get(k), t)
        return ("object", tuple(sorted(props.items())))
    return ANY


def merged(values, start=None):
    out = start
    for v in values:
        out = merge(out, value_type(v))
    return out


def type_names(t) -> Names | None:
    """The `Names` subtree of a value of type `t` (None: any)."""
    if t is None or t == ANY:
        return None
    if isinstance(t, str):
        return {"string": LEAF, "number": NUMBER, "bool": BOOL, "null": NULL}[t]
    if t[0] == "array":
        return Names({}, kind="array", each=type_names(t[1]) or UNKNOWN)
    # its properties are known; as a whole it stays any: `runs-on`, `container` and `environment`
    # take an object given as one `${{ }}`, a template does not, and the automaton cannot tell
    # them apart before the string ends (`runs-on: ${{ matrix.config.runner }}`)
    return Names({k: type_names(x) for k, x in t[1]}, kind=ANY)


def with_matrix(tree: Names, names, name: str, t) -> Names:
    """Tree `tree` with `matrix.<name>` of type `t`, the other matrix names of `names` any."""
    matrix = Names({**dict.fromkeys(names), name: type_names(t)}, grows=True)
    return _with_child(tree, matrix)


@lru_cache(maxsize=8192)
def _with_child(tree: Names, matrix: Names) -> Names:
    return Names({**tree.children, "matrix": matrix}, tree.exact)


def fix_kind(accepts, cur) -> str:
    """The kind of the next row item that brings type `cur` (None: no value yet) to one
    `accepts(type)` takes: the cheapest whose merge it takes, else one that makes it any (from
    nothing, a bool: the next item then does)."""
    for kind, t in ITEM_KINDS.items():
        if isinstance(t, str) and accepts(merge(cur, t)):
            return kind
    if cur is None:
        return "literal"
    return next(k for k, t in ITEM_KINDS.items() if merge(cur, t) == ANY)
