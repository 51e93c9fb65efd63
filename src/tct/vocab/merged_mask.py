"""The exact mask of merged ids, cached by the frames their legality can depend on.

A merged id is legal iff its whole base-id run is legal from the current state, forced steps
applied in between. The runs are walked as a trie from the current machine. A walk that is
about to pop into the frame below the ones already consulted stops there and is resumed one
level down: level k's result depends only on the top k+1 frames, so it is cached under their
`Machine.frame_key`s, nested. Most states need only level 0 (the top frame); runs that close
strings and containers reach the levels below, and only they pay for those frames' keys.

Only the last symbol of a run is never applied: its legality is read off the options of the
state before it, so leaves of the trie cost no machine copy.
"""

from __future__ import annotations

import numpy as np



class _Entry:
    __slots__ = ("ids", "pending", "children", "mask")

    def __init__(self, ids, pending):
        self.ids, self.pending = ids, pending
        self.children: dict = {}
        self.mask = None


def _escapes(m, sym, floor: int) -> bool:
    """Would applying `sym` pop into (and so consult) a frame below index `floor`?"""
    return 0 <= len(m.stack) - 2 < floor and m.pops(sym)


def _forced(m, floor: int) -> bool:
    """Apply the forced steps; False if the next one would escape (the machine stops before it)."""
    while not m.done:
        sym = m.forced()
        if sym is None:
            break
        if _escapes(m, sym, floor):
            return False
        m.step(sym)
    return True


def _apply(m, sym, floor: int) -> bool:
    """Step `sym` and the forced steps after it; False (machine spoiled) if that escapes."""
    if _escapes(m, sym, floor):
        return False
    m.step(sym)
    return _forced(m, floor)


def _walk(m, node, floor, path, legal, pending) -> None:
    """Legal merged ids below trie `node` from `m`; walks that would escape below `floor` go to
    `pending` as (path, frames from `floor` up just before the escaping step, that step's
    symbol or None for a forced one, trie node to go on from)."""
    if m.done:
        return
    syms, sym_set = m.options()
    kids = node.children
    pairs = ((s, kids.get(s)) for s in syms) if len(syms) < len(kids) else \
        ((s, c) for s, c in kids.items() if s in sym_set)
    for sym, child in pairs:
        if child is None:
            continue
        if child.tok >= 0:
            legal.append(child.tok)
        if not child.children:
            continue
        if _escapes(m, sym, floor):
            pending.append((path + (sym,), [f.copy() for f in m.stack[floor:]], sym, child))
            continue
        m2 = m.copy(floor)
        m2.step(sym)
        if _forced(m2, floor):
            _walk(m2, child, floor, path + (sym,), legal, pending)
        else:
            pending.append((path + (sym,), m2.stack[floor:], None, child))


def _resume(m, floor, item, legal, pending, replay: bool) -> None:
    """Go on with a walk that escaped one level up, now that frame `floor` may be consulted.
    The saved frames stand for the real ones (their keys matched) except a key string's text,
    which level 0 leaves out of its key: then the walk is replayed from the real machine."""
    path, frames, sym, node = item
    if replay:  # the earlier steps stayed above the frame that escaped: only the last one can
        m2 = m.copy(floor)
        for s in path[:-1]:
            m2.step(s)
            _forced(m2, floor)
        sym = path[-1]
    else:
        m2 = m.copy(len(m.stack))
        m2.stack = m.stack[:floor] + [m.stack[floor].copy()] + [f.copy() for f in frames]
    if sym is not None:
        if _escapes(m2, sym, floor):
            pending.append((path, m2.stack[floor:], sym, node))
            return
        m2.step(sym)
    if _forced(m2, floor):
        _walk(m2, node, floor, path, legal, pending)
    else:
        pending.append((path, m2.stack[floor:], None, node))


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
        node, ids_so_far, level = self.root, [], 0
        content = m.content_flags()
        while True:
            i = top - level
            if level == 0:
                key = m.frame_key(i, with_key_text=False, content=content[i])
            elif level == 1:  # the top frame may be a key string: its text decides the value
                key = (m.frame_key(i, content=content[i]), m.stack[top].text if m.stack[top].role == "key" else None)
            else:
                key = m.frame_key(i, content=content[i])
            entry = node.get(key)
            if entry is None:
                entry = node[key] = self._compute(m, i, entry_pending=None if level == 0 else pending)
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
            _walk(m, self.table.trie, floor, (), legal, pending)
        else:
            replay = floor == len(m.stack) - 2 and m.stack[-1].role == "key"
            for item in entry_pending:
                _resume(m, floor, item, legal, pending, replay)
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
