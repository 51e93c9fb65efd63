"""`model.generate` under the tokenizer's mask: a transformers LogitsProcessor.

Each row of the batch gets its own tct decoder. At every step the processor feeds the id
`generate` appended last, then sets to -inf every id that the decoder forbids or after which
the shortest completion would no longer fit in `max_tokens` (the same rule as tct.generate,
from tct.generation.constrained). With `max_length=max_tokens` (or a larger
`max_new_tokens`), every row therefore ends with EOS as a complete, schema-valid document,
at any temperature; finished rows may only take PAD.

Rows are matched to decoders by their ids, so beam search reordering rows, or reusing the
processor for another `generate` call, rebuilds what it must instead of feeding the wrong row.
"""

from __future__ import annotations

import numpy as np
import torch
import transformers

from tct.errors import TCTError
from tct.generation.constrained import budget_mask, check_budget
from tct.generation.prefix import prefix_decoder


class LogitsProcessor(transformers.LogitsProcessor):
    """Pass `input_ids=proc.input_ids(n)` and `max_length=max_tokens` (both count the prompt)
    to `generate`; a shorter `max_length` would cut documents before they close."""

    def __init__(self, tokenizer, max_tokens: int = 2048, prefix: str | None = None):
        self.tokenizer, self.max_tokens = tokenizer, max_tokens
        if prefix:
            start, prompt = prefix_decoder(tokenizer, prefix)
        else:
            start, prompt = tokenizer.decoder(), [tokenizer.bos_id]
            start.feed(tokenizer.bos_id)
        check_budget(start, len(prompt), max_tokens)
        self.prompt, self._start = prompt, start
        self._ids: torch.Tensor | None = None   # the input_ids of the last call
        self._decoders: list = []              # one per row, having fed those ids

    def input_ids(self, n: int = 1, device=None) -> torch.Tensor:
        """The prompt every row must start with: BOS, then the prefix's ids."""
        return torch.tensor([self.prompt] * n, dtype=torch.long, device=device)

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor) -> torch.FloatTensor:
        self._sync(input_ids)
        used = input_ids.shape[1]
        masks = np.zeros(scores.shape, dtype=bool)  # a head wider than the vocab: extra ids stay masked
        for b, d in enumerate(self._decoders):
            if d.done:  # generate pads finished rows; leave it a finite score to sample
                masks[b, self.tokenizer.pad_id] = True
            else:
                masks[b, :self.tokenizer.vocab_size] = budget_mask(d, used, self.max_tokens)
        return scores.masked_fill(~torch.from_numpy(masks).to(scores.device), -float("inf"))

    def _sync(self, input_ids: torch.Tensor) -> None:
        """Bring one decoder per row up to `input_ids` (normally: feed each row's last id)."""
        ids = input_ids.detach().cpu()
        prev = self._ids
        if prev is not None and ids.shape == (prev.shape[0], prev.shape[1] + 1) and torch.equal(ids[:, :-1], prev):
            decoders = self._decoders  # each row's own (`_rebuild` copies): fed in place
            for d, tok in zip(decoders, ids[:, -1].tolist()):
                self._feed(d, tok, ids.shape[1] - 1)
        else:
            decoders = [self._rebuild(row, prev) for row in ids]
        self._ids, self._decoders = ids, decoders

    def _rebuild(self, row: torch.Tensor, prev: torch.Tensor | None):
        n = len(self.prompt)
        if row.shape[0] < n or row[:n].tolist() != self.prompt:
            raise TCTError(f"input_ids must start with the processor's prompt {self.prompt} "
                           "(use LogitsProcessor.input_ids(n))")
        if prev is not None and prev.shape[1] == row.shape[0] - 1:  # a row moved (beam search)
            same = (prev == row[:-1]).all(dim=1).nonzero()
            if len(same):
                return self._fed(self._decoders[int(same[0])], int(row[-1]), row.shape[0] - 1)
        d = self._start.copy()
        for pos in range(n, row.shape[0]):
            self._feed(d, int(row[pos]), pos)
        return d

    def _fed(self, decoder, tok: int, pos: int):
        """A new decoder: `decoder` after `tok` (rows may share their past)."""
        nxt = decoder.copy()
        self._feed(nxt, tok, pos)
        return nxt

    def _feed(self, decoder, tok: int, pos: int) -> None:
        if decoder.done:
            if tok != self.tokenizer.pad_id:
                raise TCTError(f"id {tok} at position {pos} after the document's EOS (expected PAD)")
            return
        decoder.feed(tok, position=pos)
