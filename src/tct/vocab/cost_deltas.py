"""How much the shortest completion grows after each allowed id, cached by the frames it touches.

A token budget refuses an id after which `remaining_cost()` would no longer fit. Feeding a copy
of the decoder per id decides that exactly, at the price of a machine copy per id and step.
Instead every id's run (one symbol for a base id) is applied once per cached state and its
change in cost is kept. Runs are walked as a trie one level at a time (level_walk.py): frames
below the floor are never touched, so the change is the cost of the frames from the floor up
after the run minus before, a function of their `frame_key`s. Unlike the
merged mask, a run is applied to its end, so one whose last symbol pops goes on one level down.

Level 0 leaves a key's text out of its key, but a key being spelled costs its value too, which
depends on the whole text: at level 0 such a key is costed without its value, and `Deltas`
adds the range any free key's value can cost.
"""

from __future__ import annotations

import numpy as np

from tct.vocab.level_walk import escapes, forced, legal_children, level_key, rebases, resume, text_cut
from tct.vocab.merges import TrieNode


class Deltas:
    """The allowed `ids`, per id the change in `remaining_cost()` after it (the `n0` first ones
    settled at level 0), and the `largest` change."""
    __slots__ = ("ids", "deltas", "n0", "largest", "vocab_size", "_mask")

    def __init__(self, ids: list, deltas: list, n0: int, vocab_size: int):
        self.ids, self.deltas = np.array(ids, dtype=np.int64), np.array(deltas, dtype=np.float64)
        self.n0, self.vocab_size, self._mask = n0, vocab_size, None
        self.largest = max(deltas, default=-np.inf)

    @property
    def mask(self) -> np.ndarray:
        """`ids` as a full-vocabulary mask (the walk finds exactly the legal runs)."""
        if self._mask is None:
            mask = np.zeros(self.vocab_size, dtype=bool)
            mask[self.ids] = True
            mask.flags.writeable = False
            self._mask = mask
        return self._mask


class _Entry:
    __slots__ = ("ids", "deltas", "pending", "children", "final")

    def __init__(self, ids, deltas, pending):
        self.ids, self.deltas, self.pending = ids, deltas, pending
        self.children: dict = {}
        self.final = None


def _walk(m, node, floor, cut, costs, pending, key_value, firsts=None) -> None:
    """Cost after every run below trie `node` legal from `m`, as (id, cost from `floor` up);
    walks that would escape below `floor` go to `pending`. `firsts`: a cache of what lies
    below each first symbol, by the frames it leads to (from the trie's root only)."""
    if m.done:
        return
    for sym, child in legal_children(m, node):
        if escapes(m, sym, floor):
            pending.append((cut, [f.copy() for f in m.stack[floor:]], sym, child))
            continue
        m2 = m.copy(floor)
        m2.step(sym)
        if not forced(m2, floor):
            pending.append((cut, m2.stack[floor:], None, child))
        elif firsts is None or not child.children:  # a leaf: nothing to share
            _settled(m2, child, floor, cut, costs, pending, key_value)
        else:
            _settled_cached(m2, child, floor, cut, costs, pending, firsts, key_value)


def _settled_cached(m, node, floor, cut, costs, pending, cache, key_value=True) -> None:
    """`_settled`, cached by trie node (it spells the run) and the frames from `floor` up."""
    key = (id(node), _frames_key(m, floor))
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = ([], [])
        _settled(m, node, floor, cut, hit[0], hit[1], key_value)
    costs.extend(hit[0])
    pending.extend(hit[1])


def _frames_key(m, floor: int) -> tuple:
    """What a walk from `m` can depend on: the keys of its frames from `floor` up (a key string
    at the floor without its text, as at level 0; one above it, pushed by the walk, with it)."""
    content = m.content_flags()
    return (m.done,) + tuple(m.frame_key(i, with_key_text=i > floor, content=content[i])
                             for i in range(floor, len(m.stack)))


def _settled(m, node, floor, cut, costs, pending, key_value) -> None:
    """`m` is after the run of trie `node`: record its cost, then walk the runs that extend it."""
    if node.tok >= 0:
        costs.append((node.tok, m.remaining_cost(floor, key_value)))
    if node.children:
        _walk(m, node, floor, cut, costs, pending, key_value)


class CostDeltas:
    """Per tokenizer: the change in cost after each allowed id of a body state."""

    def __init__(self, n_symbols: int, vocab_size: int, table=None):
        self.vocab_size = vocab_size
        self.trie = TrieNode()
        for s in range(n_symbols):
            self.trie.children[s] = TrieNode()
            self.trie.children[s].tok = s
        for r, seq in enumerate(table.seqs if table is not None else ()):
            node = self.trie
            for s in seq:
                node = node.children.setdefault(s, TrieNode())
            node.tok = table.base_size + r
        self.root: dict = {}
        self._firsts: dict = {}   # level 0 below each first symbol (states share successors)
        self._resumed: dict = {}  # levels 1+ below each resumed walk (so do their parents)
        self._entries = 0

    # Entries hold the frames of walks still pending, so they are cleared (all at once: a child
    # level is only reached through its parent) past this many; under a profile whose strings
    # read document names, states rarely repeat within a document and the caches would grow by
    # megabytes per generated id.
    LIMIT = 4096

    def of(self, m) -> Deltas:
        if self._entries + len(self._firsts) + len(self._resumed) > self.LIMIT:
            self.root, self._firsts, self._resumed, self._entries = {}, {}, {}, 0
        top = len(m.stack) - 1
        content = m.content_flags()
        node, chain, level, pending = self.root, [], 0, None
        while True:
            key = level_key(m, level, content)
            entry = node.get(key)
            if entry is None:
                entry = node[key] = self._compute(m, top - level, pending)
                self._entries += 1
            chain.append(entry)
            if not entry.pending:
                if entry.final is None:
                    entry.final = Deltas([t for e in chain for t in e.ids], [c for e in chain for c in e.deltas],
                                         len(chain[0].ids), self.vocab_size)
                return entry.final
            pending, node, level = entry.pending, entry.children, level + 1

    def _compute(self, m, floor: int, entry_pending) -> _Entry:
        costs, pending = [], []
        if entry_pending is None:  # level 0: a key on top is costed without its value
            key_value = m.stack[floor].role != "key"
            before = m.remaining_cost(floor, key_value)
            _walk(m, self.trie, floor, text_cut(m), costs, pending, key_value, self._firsts)
        else:
            before = m.remaining_cost(floor)
            rebase = rebases(m, floor)
            for item in entry_pending:
                m2 = resume(m, floor, item, pending, rebase)
                if m2 is None:
                    continue
                if item[3].children:
                    _settled_cached(m2, item[3], floor, None, costs, pending, self._resumed)
                else:
                    _settled(m2, item[3], floor, None, costs, pending, True)
        return _Entry([t for t, _ in costs], [c - before for _, c in costs], pending)
