"""The exact mask of merged ids, cached by the frames their legality can depend on.

A merged id is legal iff its whole base-id run is legal from the current state, forced steps
applied in between. The runs are walked as a trie from the current machine, one level at a
time (level_walk.py): level k's result depends only on the top k+1 frames, so it is cached
under their `Machine.frame_key`s, nested. Most states need only level 0 (the top frame); runs
that close strings and containers reach the levels below, and only they pay for those frames'
keys.

Only the last symbol of a run is never applied: its legality is read off the options of the
state before it, so leaves of the trie cost no machine copy.
"""

from __future__ import annotations

import numpy as np

from tct.codec.meanings import END
from tct.codec.string_runs import step_byte
from tct.vocab.level_walk import children_in, escapes, forced, legal_children, level_key, rebases, resume, text_cut


class _Entry:
    __slots__ = ("ids", "pending", "children", "mask")

    def __init__(self, ids, pending):
        self.ids, self.pending = ids, pending
        self.children: dict = {}
        self.mask = None


def _apply(m, sym, floor: int) -> bool:
    """Step `sym` and the forced steps after it; False (machine spoiled) if that escapes."""
    if escapes(m, sym, floor):
        return False
    m.step(sym)
    return forced(m, floor)


def _walk(m, node, floor, cut, legal, pending) -> None:
    """Legal merged ids below trie `node` from `m`; walks that would escape below `floor` go to
    `pending` (see level_walk.py)."""
    if m.done:
        return
    dfa = m.plain_string()
    if dfa is not None:
        _walk_bytes(m, dfa, node, floor, cut, legal, pending)
        return
    for sym, child in legal_children(m, node):
        if child.tok >= 0:
            legal.append(child.tok)
        if not child.children:
            continue
        if escapes(m, sym, floor):
            pending.append((cut, [f.copy() for f in m.stack[floor:]], sym, child))
            continue
        m2 = m.copy(floor)
        m2.step(sym)
        if forced(m2, floor):
            _walk(m2, child, floor, cut, legal, pending)
        else:
            pending.append((cut, m2.stack[floor:], None, child))


def _walk_bytes(m, dfa, node, floor, cut, legal, pending) -> None:
    """`_walk` inside the plain string on top of `m` (`Machine.plain_string`): the runs of
    string bytes below `node` depend on the string's automaton state alone (a key's END must
    also fit its object, `end_fits`, which the key automaton already decides: the text is left
    out, as level 0's key leaves it out), so they are walked once per such start (`_byte_runs`, cached) and
    a machine is made only where a run leaves the string (END, chosen or forced). Most merged
    ids are runs of string bytes, and the same starts recur under many frames below."""
    f = m.stack[-1]
    key_role = f.role == "key"
    start = (dfa, f.state, f.pending, node) + ((f.branch.obj,) if key_role else ())
    memo = m.cache.get("byte-runs")
    if memo is None:
        memo = m.cache["byte-runs"] = {}
    hit = memo.get(start)
    if hit is None:
        if len(memo) >= 1 << 15:
            memo.clear()
        ids, exits = [], []
        _byte_runs(m, dfa, node, f.state, f.pending, "", (), key_role, ids, exits)
        hit = memo[start] = (ids, exits)
    legal += hit[0]
    for suffix, state, pend, chars, sym, child in hit[1]:
        m2 = _at(m, floor, state, pend, chars)
        if sym is not None:  # a chosen END
            if escapes(m2, sym, floor):
                pending.append((cut, m2.stack[floor:], sym, child))
                continue
            m2.step(sym)
        if forced(m2, floor):
            _walk(m2, child, floor, cut, legal, pending)
        else:
            pending.append((cut, m2.stack[floor:], None, child))


def _byte_runs(m, dfa, node, state, pend, chars, suffix, key_role, legal, exits) -> None:
    """Merged ids below trie `node` whose runs stay in the plain string on top of `m` from
    automaton `state` with `pend` bytes of a character (`chars`: text added, `suffix`: symbols
    walked): into `legal`; the runs that leave it into `exits` as (suffix, state, pending, text
    added, END or None for a forced END, trie node), for a machine to go on from."""
    allowed, end = m.byte_options(dfa, state, pend)
    kids = node.children
    if end and END in kids and (not key_role or m.end_fits(m.stack[-1].text + chars)):
        child = kids[END]
        if child.tok >= 0:
            legal.append(child.tok)
        if child.children:
            exits.append((suffix + (END,), state, pend, chars, END, child))
    for sym, child in children_in(node, allowed, allowed):
        if child.tok >= 0:
            legal.append(child.tok)
        if not child.children:
            continue
        s2, p2, ch = step_byte(dfa, state, pend, sym)
        c2 = chars + ch
        while True:  # the forced steps after it: lone bytes, or an END that leaves the string
            al, en = m.byte_options(dfa, s2, p2)
            if en and key_role and len(al) == 1 and not m.end_fits(m.stack[-1].text + c2):
                en = False
            if len(al) + en != 1:
                _byte_runs(m, dfa, child, s2, p2, c2, suffix + (sym,), key_role, legal, exits)
                break
            if en:
                exits.append((suffix + (sym,), s2, p2, c2, None, child))
                break
            s2, p2, ch = step_byte(dfa, s2, p2, next(iter(al)))
            c2 += ch


def _at(m, floor, state, pend, chars):
    """A copy of `m` (frames from `floor` up) with its top string frame where a byte walk is."""
    m2 = m.copy(floor)
    g = m2.stack[-1]
    g.state, g.pending, g.text = state, pend, g.text + chars
    g.changed()
    return m2


class MergedMasks:
    """Per tokenizer: full-vocabulary masks (base ids + merged ids) for body states."""

    def __init__(self, table, vocab_size: int):
        self.table = table
        self.vocab_size = vocab_size
        self.root: dict = {}
        self._masks: dict = {}  # dedupe identical masks
        self.lookups = 0
        self.computed = 0   # level entries computed (cache misses, any level)

    def mask(self, m, base_mask: np.ndarray) -> np.ndarray:
        self.lookups += 1
        top = len(m.stack) - 1
        node, ids_so_far, level, pending = self.root, [], 0, None
        content = m.content_flags()
        while True:
            i = top - level
            key = level_key(m, level, content)
            entry = node.get(key)
            if entry is None:
                entry = node[key] = self._compute(m, i, entry_pending=pending)
                self.computed += 1
            ids_so_far.append(entry.ids)
            if not entry.pending:
                if entry.mask is None:
                    entry.mask = self._final(base_mask, ids_so_far)
                return entry.mask
            pending, node, level = entry.pending, entry.children, level + 1

    def _compute(self, m, floor: int, entry_pending) -> _Entry:
        legal, pending = [], []
        if entry_pending is None:
            _walk(m, self.table.trie, floor, text_cut(m), legal, pending)
        else:
            rebase = rebases(m, floor)
            for item in entry_pending:
                m2 = resume(m, floor, item, pending, rebase)
                if m2 is not None:
                    _walk(m2, item[3], floor, None, legal, pending)
        return _Entry(np.array(legal, dtype=np.int64), pending)

    def _final(self, base_mask, id_lists) -> np.ndarray:
        mask = base_mask.copy()
        for ids in id_lists:
            mask[ids] = True
        mask.flags.writeable = False
        return self._masks.setdefault(mask.tobytes(), mask)

    def legal(self, m, tok: int) -> bool:
        """Is merged id `tok` legal here? (walks just its run: no cache needed)"""
        m = m.copy()
        seq = self.table.expand(tok)
        for j, s in enumerate(seq):
            if m.done or s not in m.options()[1]:
                return False
            if j < len(seq) - 1:
                _apply(m, s, -1)
        return True
