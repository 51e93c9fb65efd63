"""The legal ids at every position of a token stream, for masked likelihood.

A model that is only ever sampled under the tokenizer's mask can be trained and scored on
the masked distribution (softmax over the legal ids only): it no longer spends probability,
or gradient, on ids the decoder would never let through. Equal states share one cached mask,
so a corpus of a million positions needs only a thousand or so distinct masks: shards keep
a table of them and one index per position.

With learned merges the exact mask of a merged id needs a walk of its whole run; the table
instead admits every id whose *first* base id is legal. That is a superset of the exact
mask, so the masked loss computed with it is an upper bound on the loss generation realizes
under the exact mask (which renormalizes over fewer ids).
"""

from __future__ import annotations

import numpy as np

UNCONSTRAINED = 0
"""Row 0 of every table allows every id: the index of positions no mask applies to (BOS,
padding), so that a masked softmax never sees a row without a legal id."""


class MaskTable:
    """Distinct legal-id masks seen while reading streams, numbered in order of appearance."""

    def __init__(self, tokenizer):
        self.tok = tokenizer
        first = np.arange(tokenizer.vocab_size)
        for t in range(tokenizer.base_size, tokenizer.vocab_size):
            first[t] = tokenizer.expand(t)[0]
        self._first = first               # each id's first base id (itself for base ids)
        self._index: dict = {}            # id() of a cached base mask -> row
        self._keep: list = []             # those masks, so their id()s stay unique
        self._by_content: dict = {}       # packed mask -> row
        self.rows: list[np.ndarray] = [np.ones(tokenizer.vocab_size, dtype=bool)]
        self.exact = tokenizer.merges is None

    def stream(self, ids) -> np.ndarray:
        """One row index per position of `ids` ([BOS] ... [EOS]): the mask the id at that
        position was chosen under (UNCONSTRAINED for BOS)."""
        d = self.tok.decoder()
        out = np.empty(len(ids), dtype=np.int64)
        out[0] = UNCONSTRAINED
        d.feed(ids[0])
        for j in range(1, len(ids)):
            out[j] = self._row(d.base_allowed())
            d.feed(ids[j])
        return out

    def _row(self, base: np.ndarray) -> int:
        row = self._index.get(id(base))
        if row is None:  # a state not met before, or one whose cached mask was rebuilt
            mask = base[self._first]  # a merged id is admitted by its first base id
            row = self._by_content.setdefault(np.packbits(mask).tobytes(), len(self.rows))
            if row == len(self.rows):
                self.rows.append(mask)
            self._index[id(base)] = row
            self._keep.append(base)
        return row

    def packed(self) -> np.ndarray:
        return np.packbits(np.stack(self.rows), axis=1)


def unpack(packed: np.ndarray, vocab_size: int) -> np.ndarray:
    """(n_masks, vocab_size) bool from the packed table a data directory stores."""
    return np.unpackbits(packed, axis=1, count=vocab_size).astype(bool)
