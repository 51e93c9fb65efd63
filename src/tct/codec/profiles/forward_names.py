"""Names used before the job part that defines them: owed, not free.

Real workflows write `runs-on: ${{ matrix.os }}` above the job's `strategy` (1,071 times in the
corpus), `if: needs.build.result` above its `needs` (62 times, each naming a job written
earlier) and `outputs: {x: ${{ steps.s.outputs.x }}}` above its `steps` (839 references in 333
jobs, 836 defined by a later step), so a name used before its definition cannot be refused. It
is *owed* instead, as `KeyOf` owes jobs: once a string naming `matrix.x`, `needs.x` or
`steps.x` closes in a job that has no `strategy` (`needs`, `steps`) yet,
- the job may not close until a `strategy` (a `needs`, `steps`) is written (the completion
  writes it);
- that strategy's `matrix` object may not close until `x` is one of its keys or a key of one
  of its `include` entries, with values of a type all its uses accept (the completion adds `x`
  as a key, and the item or `include` entry that fixes its type: `matrix_types.py`); a matrix
  given as an expression leaves every name free. That `needs` lists `x` (a string naming it, or an array that may
  not close before it does). Its `steps` define every `steps.x` (the array may not close before
  a step has id `x`; the completion gives an open step or a new one that id).
Costs: the job charges a strategy (a `needs` array, a new step per owed id) with every owed
name. A frame inside the
job that holds a reference not yet delivered to the job (an open string's text, a container's
closed values) charges the same for its own references, so each frame's share depends on that
frame alone (an upper bound: references held by several frames are charged by each).
"""

from __future__ import annotations

import re

from tct.codec.profiles import expression
from tct.schema.name_slots import SlotDFA

OWING = ("matrix", "needs", "steps")  # the contexts whose names may be owed
_MENTION = re.compile("matrix|needs|steps", re.I)  # a cheap test before reading references
# In a string: any mention, a name possibly still empty (read in an open string's text with
# its shortest completion, which may add a name: `1 < matrix` goes on to `matrix.a`).
_OPEN_REF = re.compile(r"(matrix|needs|steps)\.([A-Za-z_][\w-]*)?", re.I)


def use_accepts(m, kind: str, names, text: str) -> bool:
    """Does a finished string `text` of grammar `kind` hold under names tree `names`? (a use of
    an owed name walked again with the type its definition gives it); cached per machine."""
    key = ("use-accepts", kind, names, text)
    hit = m.cache.get(key)
    if hit is None:
        grammar = m.c.dfa(((expression.pattern(kind), True),), 0, None)
        hit = m.cache[key] = SlotDFA(grammar, names).accepts(text)
    return hit


def value_refs(value, key=None) -> frozenset:
    """(context, name) pairs, folded, of the `OWING` names referenced anywhere in a finished
    JSON value, and ("outputs", (job, output)) of each `needs.<job>.outputs.<output>`; a string
    under `if` is a condition."""
    if isinstance(value, str):
        if not _MENTION.search(value):
            return frozenset()
        bodies = expression.code(value, key == "if")
        return frozenset((ctx, n.lower()) for ctx, n in expression.names_in(bodies) if ctx in OWING and n != "*") \
            | frozenset(("outputs", ref) for ref in expression.outputs_in(bodies))
    if isinstance(value, dict):
        return frozenset().union(*(value_refs(v, k) for k, v in value.items()))
    if isinstance(value, list):
        return frozenset().union(*(value_refs(v) for v in value))
    return frozenset()


def open_refs(text: str) -> frozenset:
    """(context, name) pairs (folded; "" for a name not started) an open string's completion may
    reference."""
    return frozenset((c.lower(), n.lower()) for c, n in _OPEN_REF.findall(text)) if _MENTION.search(text) \
        else frozenset()


def of(refs, ctx: str) -> frozenset:
    """The names of context `ctx` among (context, name) pairs."""
    return frozenset(n for c, n in refs if c == ctx)


def content_refs(f) -> frozenset:
    """References in frame `f`'s own content (closed values, or an open string's text),
    computed on the part added since last asked: content only grows while a frame is open."""
    if f.kind == "string":
        n, src = len(f.text), None
    elif f.kind == "object":
        n, src = len(f.values), f.values
    elif f.kind == "array":
        n, src = len(f.items), f.items
    else:
        return frozenset()
    memo = f.memo
    if memo is not None and memo[0] == n:
        return memo[1]
    if f.kind == "string":
        refs = open_refs(f.text)
    else:
        start, refs = (memo[0], memo[1]) if memo is not None and memo[0] < n else (0, frozenset())
        new = list(src.items())[start:] if f.kind == "object" else [(None, v) for v in src[start:]]
        refs = refs.union(*(value_refs(v, k) for k, v in new))
    f.memo = (n, refs)
    return refs


def matrix_values(matrix):
    """Name -> the values a job's matrix gives it (its rows and `include` entries), or None when
    an expression makes the names unknown (the matrix or its `include`)."""
    if not isinstance(matrix, dict):
        return None if isinstance(matrix, str) else {}
    include = matrix.get("include")
    if isinstance(include, str):
        return None
    values: dict = {}
    for k, row in matrix.items():
        if k not in ("include", "exclude"):
            values.setdefault(k, []).extend(row if isinstance(row, list) else [row])
    for entry in include if isinstance(include, list) else ():
        for k, v in (entry.items() if isinstance(entry, dict) else ()):
            values.setdefault(k, []).append(v)
    return values


def strategy_cost(m, job, names) -> float:
    """Ids to add `strategy` to object frame `job` with `names` as matrix keys: the key, the
    cheapest strategy, and each name as a free key of its matrix (FREEKEY, bytes, END, value)."""
    o = job.branch.obj
    conj = o.key_conj("strategy")
    if conj is None:
        return float("inf")
    cost = 1 + m.c.cost_conj(conj) + object_matrix_extra(m, _matrix_conj(m, conj))
    if names:
        matrix = _matrix_object(m, conj)
        for name in names:
            kc = None if matrix is None else matrix.key_conj(name or "a")
            cost += 2 + max(1, len(name.encode())) + (m.c.cost_conj(kc) + _row_fix(m, kc) if kc is not None
                                                      else float("inf"))
            # an `include` entry that fixes the type: ITEM, object, key, value, CLOSE (and the key)
            cost += 14 + len(name.encode())
    return cost


def _row_fix(m, row_conj) -> float:
    """Ids a row of constraint `row_conj` may take beyond its cheapest to give its name a type
    the name's uses accept (`matrix_types.fix_kind`): two items of its costliest kind."""
    key = ("row-fix", row_conj)
    if key not in m.cache:
        items = [b.arr.item_conj(0) for b in m.c.branches(row_conj) if b.kind == "array"]
        kinds: dict = {}
        for conj in items:
            for b in (m.c.branches(conj) if conj is not None else ()):
                kinds[b.kind] = min(kinds.get(b.kind, float("inf")), m.c.cost_branch(b))
        m.cache[key] = 2 * (1 + max(kinds.values())) if kinds else 0
    return m.cache[key]


def steps_cost(m, job, names) -> float:
    """Ids to define `names` as step ids in job frame `job`'s steps: per name a new step (ITEM,
    the cheapest step, and an `id` key with its value: branch, bytes, END), an upper bound (the
    completion may give an open step the id instead). A normal job always completes with steps
    (`runs-on` needs them), so the array itself is already counted."""
    if not names:
        return 0
    key = ("step-cost", job.branch.obj)
    if key not in m.cache:
        conj = job.branch.obj.key_conj("steps")
        arrays = [b for b in m.c.branches(conj) if b.kind == "array"] if conj is not None else []
        items = [b.arr.item_conj(10 ** 6) for b in arrays]
        m.cache[key] = min((m.c.cost_conj(c) for c in items if c is not None), default=float("inf"))
    return sum(m.cache[key] + 4 + max(1, len(n.encode())) for n in names)


def object_matrix_extra(m, matrix_conj) -> float:
    """What the completion's matrix (an object: a literal expression is not one, as actionlint
    checks) costs beyond the cheapest value of `matrix_conj`."""
    if matrix_conj is None:
        return 0
    objects = [b for b in m.c.branches(matrix_conj) if b.kind == "object"]
    if not objects:
        return 0
    cheapest = min(m.c.cost_branch(b) for b in m.c.branches(matrix_conj))
    return max(0, min(m.c.cost_branch(b) for b in objects) - cheapest)


def _matrix_conj(m, strategy_conj):
    for b in m.c.branches(strategy_conj):
        if b.kind == "object" and b.obj.key_conj("matrix") is not None:
            return b.obj.key_conj("matrix")
    return None


def _matrix_object(m, strategy_conj):
    """The matrix object facts of a strategy constraint (the first object branch of each)."""
    key = ("matrix-object", strategy_conj)
    if key not in m.cache:
        conj = _matrix_conj(m, strategy_conj)
        m.cache[key] = None if conj is None else \
            next((b.obj for b in m.c.branches(conj) if b.kind == "object"), None)
    return m.cache[key]
