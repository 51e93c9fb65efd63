"""The values of a constraint, when it has only a few: uniqueItems can use them all up.

An array whose items must differ can hold no more items than its item constraint has values,
and an item may only begin while one of them is left. Literals, strings, bounded numbers and
objects or arrays built from those are counted; anything else, or more than `cap` values, or
a nesting deeper than `DEPTH`, is "many" (None), which only ever leaves an option open, as
before. Values are checked with the reference validator, so a count is never too high.
"""

from __future__ import annotations

import itertools
import json

from tct.schema.values import canonical

DEPTH = 3
SUBSETS = 64  # key sets of one object looked at, at most


def few_values(c, conj, cap: int, depth: int = 0) -> dict | None:
    """Canonical text -> value for every value of `conj` when it has fewer than `cap`, else
    None (many, or not counted)."""
    if conj is None:
        return {}
    if depth > DEPTH:
        return None
    out: dict = {}
    for b in c.raw_branches(conj):  # unfiltered by cost (this may run inside a cost)
        values = branch_values(c, b, cap, depth)
        if values is None:
            return None
        for v in values:
            text = canonical(v)
            if text not in out and c.oracle_valid(conj, v):
                out[text] = v
                if len(out) >= cap:
                    return None
    return out


def branch_values(c, b, cap: int, depth: int = 0) -> list | None:
    """Candidate values of branch `b` (all its values, maybe some more, maybe repeated), or
    None when there may be `cap` or more."""
    if b.kind == "literal":
        return list(b.values)
    if b.kind == "number":
        return b.number.few_values(cap)
    if b.kind == "string":
        s = b.string
        n = cap + len(s.excluded)
        if s.dfa.count_capped(s.dfa.start, n) >= n:
            return None
        return [w for w in s.dfa.strings_from(s.dfa.start, n) if w not in s.excluded]
    if b.fixed is not None:
        return [json.loads(b.fixed)]
    if b.kind == "object":
        return _objects(c, b.obj, cap, depth)
    return _arrays(c, b.arr, cap, depth)


def _objects(c, o, cap: int, depth: int):
    if o.free_keys is not None and (o.max_props is None or o.max_props > 0):
        return None
    names = list(o.names)
    out: list = []
    seen = 0
    for size in range(o.min_props, len(names) + 1 if o.max_props is None else min(o.max_props, len(names)) + 1):
        for keys in itertools.combinations(names, size):
            seen += 1
            if seen > SUBSETS:
                return None
            ks = frozenset(keys)
            if not o.required <= ks or o.closure(ks) != ks or any(fs <= ks for fs in o.forbid) or o.unmet_extra(ks):
                continue
            per_key = []
            for k in keys:
                vals = few_values(c, o.key_conj(k), cap, depth + 1)
                if vals is None:
                    return None
                per_key.append(list(vals.values()))
            for combo in itertools.product(*per_key):
                out.append(dict(zip(keys, combo)))
                if len(out) >= cap * 4:
                    return None
    return out


def _arrays(c, a, cap: int, depth: int):
    rest = few_values(c, a.item_conj(a.tuple_length), cap, depth + 1)
    longest = a.length_cap
    if longest is None:
        if not a.unique or rest is None:
            return None  # items may repeat, or are many: arrays of any length
        longest = a.tuple_length + len(rest)
    out: list = []
    for n in range(a.min_items, longest + 1):
        per_index = []
        for i in range(n):
            vals = rest if i >= a.tuple_length else few_values(c, a.item_conj(i), cap, depth + 1)
            if vals is None:
                return None
            per_index.append(list(vals.values()))
        for combo in itertools.product(*per_index):
            out.append(list(combo))
            if len(out) >= cap * 4:
                return None
    return out
