"""Walking base-id runs from a machine one stack level at a time (merged masks, cost deltas).

A walk at level k consults and changes only the frames from `floor` = top - k up. A step that
would pop the frame at `floor` into the one below stops it: the walk is kept as pending,
`(text cut, frames from floor up just before that step, its symbol or None for a forced one, trie
node to go on from)`, and resumed at level k+1, where that frame may be consulted. So what a
walk finds at level k depends only on those frames and is cached under their
`Machine.frame_key`s.
"""

from __future__ import annotations


def legal_children(m, node) -> list:
    """(symbol, child) for each legal symbol of `m` that continues trie `node`."""
    return children_in(node, *m.options())


def children_in(node, syms, sym_set) -> list:
    """(symbol, child) for each of `syms` (`sym_set` the same as a set) that continues trie
    `node` (iterating the smaller of the two sides)."""
    kids = node.children
    if len(syms) < len(kids):
        return [(s, kids[s]) for s in syms if s in kids]
    return [(s, c) for s, c in kids.items() if s in sym_set]


def escapes(m, sym, floor: int) -> bool:
    """Would applying `sym` pop into (and so consult) a frame below index `floor`?"""
    return 0 <= len(m.stack) - 2 < floor and m.pops(sym)


def forced(m, floor: int) -> bool:
    """Apply the forced steps; False if the next one would escape (the machine stops before it)."""
    while not m.done:
        sym = m.forced()
        if sym is None:
            break
        if escapes(m, sym, floor):
            return False
        m.step(sym)
    return True


def text_cut(m):
    """What level 0's pending walks carry in place of the real key text: how much of the saved
    key's text was there before the walk (None when no key is on top)."""
    top = m.stack[-1]
    return len(top.text) if top.role == "key" else None


def resume(m, floor: int, item, pending: list, rebase: bool):
    """The machine after a walk that escaped one level up, now that frame `floor` may be
    consulted, or None when it escapes again (then it goes to `pending`). The saved frames stand
    for the real ones (their keys matched) except a key string's text, which level 0 leaves out
    of its key: with `rebase` the saved key's text is the real one plus what the walk added."""
    cut, frames, sym, node = item
    m2 = m.copy(len(m.stack))
    m2.stack = m.stack[:floor] + [m.stack[floor].copy()] + [f.copy() for f in frames]
    if rebase:
        g = m2.stack[-1]
        g.text = m.stack[-1].text + g.text[cut:]
        g.memo = None
        g.changed()
    if sym is not None:
        if escapes(m2, sym, floor):
            pending.append((cut, m2.stack[floor:], sym, node))
            return None
        m2.step(sym)
    if not forced(m2, floor):
        pending.append((cut, m2.stack[floor:], None, node))
        return None
    return m2


def level_key(m, level: int, content: list):
    """The cache key of level `level` (`content`: `m.content_flags()`). Level 0 leaves a key
    string's text out (it changes at every byte and reaches the frame below only when the key
    ends); level 1 adds it, since the key's text decides its value."""
    top = len(m.stack) - 1
    i = top - level
    if level == 0:
        return m.frame_key(i, with_key_text=False, content=content[i])
    key = m.frame_key(i, content=content[i])
    if level == 1:
        return key, (m.stack[top].text if m.stack[top].role == "key" else None)
    return key


def rebases(m, floor: int) -> bool:
    """Must pending walks take the real key text at this floor? (the top is a key string whose
    text level 0 left out of its key, and this is the level that consults it)"""
    return floor == len(m.stack) - 2 and m.stack[-1].role == "key"
