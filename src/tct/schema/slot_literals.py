"""String literals that `name_slots.SlotDFA` reads like slots, as actionlint reads them.

- The index of an object whose properties are known (`needs['build']`) is a string literal
  naming one of them in lower case ("property "x" is not defined in object type"), read in
  states the grammar labels `QUOTED`; the index's triple holds the object's names
  (`IndexOf`). actionlint would also take an expression there (`needs[github.ref]`), which
  no workflow of the corpus writes: refused, so the index's distance is the literal's alone,
  free of the tree (an expression's would go through the root's names). The name ends the
  access chain, of a kind the operand may be (`Names.with_finals`): `steps['a'].outcome`
  is refused, stricter than actionlint (a free property after it would go unchecked).
- A literal that begins the argument of a function whose `Arity.literal` gives a language
  (`fromJSON`: JSON text, "broken JSON string is passed to fromJSON()") is walked through that
  automaton: the triple's prefix is the automaton's state (`''` is one quote), and the
  literal closes only where it accepts (`LiteralArg` at the argument, `LiteralIn` inside).
  Its distances do not depend on the tree: shared by every SlotDFA over the grammar.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass

from tct.schema.names import Names

INF = 1 << 30
WS = " \t\r\n"

# The label of the states that read a string literal beginning an index (`needs['build']`):
# under a known object they read one of its properties in lower case (actionlint: "property
# "x" is not defined"), any text elsewhere.
QUOTED = -1


@dataclass(frozen=True)
class LiteralArg:
    """The names node of a non-slot triple where the first argument of a call whose string
    literal argument has a language (`Arity.literal`, e.g. JSON for `fromJSON`) begins: a
    quote there opens a `LiteralIn`, in parentheses too."""
    dfa: object


@dataclass(frozen=True)
class LiteralIn:
    """The names node of a triple inside such a literal: the triple's prefix is the state of
    `dfa` after the literal's text so far (`''` read as one quote); the literal may close only
    in an accepting state (`_literal_dist`)."""
    dfa: object


@dataclass(frozen=True)
class JsonKind:
    """What the move out of a `LiteralIn` ends: a literal whose JSON is a value of `kind`
    (`json_literal` roles), which types the call it is the argument of (`Arity.typed`)."""
    kind: str


@dataclass(frozen=True)
class NamedIndex:
    """The names node of a non-slot triple where the index of an object of any property whose
    names hold only some characters begins (`vars`: "configuration variable name can only
    contain alphabets, decimal numbers, and '_'"): a quoted literal there reads a name of
    `names`; any other operand but a number may begin (`_named_index_dist`)."""
    names: object


@dataclass(frozen=True)
class IndexOf:
    """The names node of a non-slot triple where the index of an object whose properties are
    known begins: a quoted literal there reads one of `names`, and no number may begin
    (`_index_dist`)."""
    names: Names


class LiteralReading:
    """SlotDFA's moves and distances at `IndexOf`, `LiteralArg` and `LiteralIn` triples."""

    def _literal_moves(self, triple):
        s, p, node = triple
        base = self.base
        if isinstance(node, LiteralArg):  # a call's first argument: a quote opens its language
            for cid, t in base.trans[s].items():
                role = base.roles.get(t)
                for r in self._of_base[cid]:
                    if self._blank(r):  # whitespace
                        yield r, (t, None, node), None, None
                    elif role == "str":
                        yield r, (t, node.dfa.start, LiteralIn(node.dfa)), None, None
                    elif role == "operand" and base.depths.get(t, 0) > base.depths.get(s, 0):
                        yield r, (t, None, node), None, None  # a group: `fromJSON(('x'))` reads it too
                    else:
                        yield from self._first(r, self._enter(t, None, None))
            return
        if isinstance(node, LiteralIn):  # inside it: `'` pends, `''` is a quote, else it closes
            inside = base.roles.get(s) == "str"
            for cid, t in base.trans[s].items():
                role = base.roles.get(t)
                for r in self._of_base[cid]:
                    if inside:
                        if role == "strq":
                            yield r, (t, p, node), None, None
                        else:
                            q = self._literal_step(node.dfa, p, r)
                            if q is not None:
                                yield r, (t, q, node), None, None
                    elif role == "str":  # the second quote of `''`
                        q = self._literal_step(node.dfa, p, r)
                        if q is not None:
                            yield r, (t, q, node), None, None
                    elif p in node.dfa.accept:
                        kind = node.dfa.roles.get(p)
                        yield from self._first(r, self._enter(t, None, None), JsonKind(kind) if kind else None)
            return
        if isinstance(node, IndexOf):  # a known object's index: a quoted name of it, nothing else
            for cid, t in base.trans[s].items():
                role = base.roles.get(t)
                nxt = (t, None, node) if role == "ioperand" else (t, Names.START, node.names) \
                    if base.labels.get(t) == QUOTED else None
                for r in self._of_base[cid] if nxt is not None else ():
                    yield from self._first(r, nxt)
            return

    def _literal_dist(self, triple) -> int:
        """Distance from a LiteralArg or LiteralIn triple: at the argument, by a literal or any
        other slot-free way (the shortest operand is a literal, as everywhere); inside a
        literal, by `_literal_closure`. Free of the tree: shared by every SlotDFA."""
        cache = self.base.__dict__.setdefault("_literal_dist", {})
        hit = cache.get(triple)
        if hit is None:
            if isinstance(triple[2], LiteralArg):
                hit = INF
                for _, nxt, _, _ in self._moves(triple):
                    if isinstance(nxt[2], LiteralIn):
                        hit = min(hit, 1 + self._literal_dist(nxt))
                    elif nxt[1] is None and nxt[2] is None:
                        hit = min(hit, 1 + self._d0[nxt[0]])
                cache[triple] = hit
            else:
                self._literal_closure(triple, cache)
                hit = cache[triple]
        return hit

    def _literal_closure(self, start, cache: dict) -> None:
        """Distances of every literal triple reachable from `start` (the grammar's state may
        change inside a literal too, where patterns are conjoined with it: `}}` and
        `SINGLE_EXPRESSION`): a forward search, then Dijkstra backward from the ways out of the
        literal (the closing quote, then `_d0`) and from triples already known."""
        back, seen, todo, heap, tie = {}, {start}, [start], [], 0
        while todo:
            u = todo.pop()
            for _, nxt, _, _ in self._moves(u):
                if not isinstance(nxt[2], LiteralIn):  # out of the literal
                    heap.append((1 + self._d0[nxt[0]], tie, u))
                elif nxt in cache:
                    heap.append((1 + cache[nxt], tie, u))
                else:
                    back.setdefault(nxt, []).append(u)
                    if nxt not in seen:
                        seen.add(nxt)
                        todo.append(nxt)
                tie += 1
        heapq.heapify(heap)
        dist: dict = {}
        while heap:
            d, _, v = heapq.heappop(heap)
            if d >= dist.get(v, INF):
                continue
            dist[v] = d
            for u in back.get(v, ()):
                if d + 1 < dist.get(u, INF):
                    tie += 1
                    heapq.heappush(heap, (d + 1, tie, u))
        for u in seen:
            cache[u] = dist.get(u, INF)

    def _literal_step(self, dfa, q: int, r: int):
        """`dfa`'s state after refined class `r` from `q`, or None (also when the class's
        characters do not all lead to one state)."""
        cache = self.base.__dict__.setdefault("_literal_steps", {})
        key = (dfa, q, r)
        if key not in cache:
            nxt = {dfa.trans[q].get(cid) for cid in _classes_over(dfa, self.class_ranges[r])}
            cache[key] = nxt.pop() if len(nxt) == 1 else None
        return cache[key]

    def _index_dist(self, triple) -> int:
        """Distance from an IndexOf triple: a quoted name of the object's (whitespace first is
        no shorter). Free of the tree: shared."""
        cache = self.base.__dict__.setdefault("_index_dist", {})
        hit = cache.get(triple)
        if hit is None:
            hit = cache[triple] = min((1 + self._triple_dist(nxt) for _, nxt, _, _ in self._moves(triple)
                                       if nxt[1] is not None), default=INF)
        return hit


def _classes_over(dfa, ranges) -> set:
    """The classes of `dfa` that meet code point `ranges`."""
    out = set()
    for a, b in ranges:
        i = bisect.bisect_right(dfa._starts, a) - 1
        while i < len(dfa._starts) and dfa._starts[i] <= b:
            if dfa._class_at[i] is not None:
                out.add(dfa._class_at[i])
            i += 1
    return out
