"""Choosing the next id under the decoder's mask and a token budget.

Every sampler goes through one rule: it only ever offers ids the decoder allows, and it
refuses an id after which the shortest completion would no longer fit in `max_tokens`. The
completion path itself always fits (its cost shrinks by one per step), so every document ends
complete and valid within the budget. `next_id` applies it to one pick (a random walk);
`budget_mask` gives the whole set at once (model samplers: tct's and transformers').
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from tct.errors import TCTError


class BudgetError(TCTError):
    pass


def check_budget(decoder, used: int, max_tokens: int) -> None:
    need = used + decoder.remaining_cost()
    if need > max_tokens:
        raise BudgetError(f"max_tokens={max_tokens} is too small: the shortest document from here needs {int(need)} tokens")


def fits(decoder, tok: int, used: int, max_tokens: int):
    """The decoder after `tok` if `tok` is legal and the shortest completion from there still
    fits in `max_tokens` (`used` ids so far, `tok` not counted), else None. The one budget rule
    of every sampler."""
    nxt = decoder.after(tok)
    return nxt if nxt is not None and used + 1 + nxt.remaining_cost() <= max_tokens else None


def spent(decoder, used: int, max_tokens: int) -> bool:
    """Has the cost bound outgrown the budget? `remaining_cost` bounds the completion's length
    from above and may loosen from one state to the next (profile rules charge what is owed by
    estimate), so it can exceed what an earlier state proved would fit. No id is then tried:
    the completion is followed, and it still ends within the budget, since each of its steps
    shortens the path that earlier bound covered."""
    return used + decoder.remaining_cost() > max_tokens


def follow_completion(decoder):
    """(the completion's next id, the decoder after it)."""
    tok = decoder.completion_id()
    nxt = decoder.copy()
    nxt.feed(tok)
    return tok, nxt


def next_id(decoder, used: int, max_tokens: int, pick: Callable[[np.ndarray], int]):
    """Pick an allowed id that keeps the document finishable within `max_tokens`.

    `pick(mask)` chooses among the True entries of a boolean mask. Returns (id, decoder after
    feeding it); the caller's decoder is left untouched.
    """
    mask = decoder.allowed()
    if mask.sum() > 1 and not spent(decoder, used, max_tokens):
        mask = mask.copy()
        while mask.any():
            tok = int(pick(mask))
            nxt = fits(decoder, tok, used, max_tokens)
            if nxt is not None:
                return tok, nxt
            mask[tok] = False
    return follow_completion(decoder)  # the one legal id, or the one that fits


def budget_mask(decoder, used: int, max_tokens: int) -> np.ndarray:
    """Every id `next_id` could return from here: the allowed ids after which the document
    still fits, else the completion id (for samplers that must hand a whole mask to someone
    else's sampling). The decoder's cost deltas decide without feeding; only a free key's bytes
    whose bounds straddle the budget are fed on a copy. Read-only when it is the decoder's mask."""
    if spent(decoder, used, max_tokens):
        out = np.zeros(decoder.tok.vocab_size, dtype=bool)
        out[decoder.completion_id()] = True
        return out
    ids, least, most, largest = decoder.cost_deltas()  # first: with merges it settles the mask too
    mask = decoder.allowed()
    slack = max_tokens - used - 1 - decoder.remaining_cost()
    if largest <= slack:  # every allowed id fits: the budget is far away
        return mask
    out = mask.copy()
    out[ids[most > slack]] = False
    for tok in ids[(least <= slack) & (most > slack)]:
        out[tok] = fits(decoder, int(tok), used, max_tokens) is not None
    if not out.any():
        out[decoder.completion_id()] = True
    return out


def random_walk(tokenizer, rng: np.random.Generator, max_tokens: int = 4096, end_bias: float = 0.3) -> list[int]:
    """A uniformly random legal stream from BOS to EOS; with probability `end_bias` a step
    follows the shortest completion instead, so walks finish."""
    d = tokenizer.decoder()
    check_budget(d, 0, max_tokens)
    ids: list[int] = []

    def pick(mask):
        if rng.random() < end_bias:
            tok = d.completion_id()
            if mask[tok]:
                return tok
        return rng.choice(np.flatnonzero(mask))

    while not d.done:
        if len(ids) >= max_tokens:  # next_id promises otherwise: a cost under-estimate, or no end at all
            raise TCTError(f"internal: no end within max_tokens={max_tokens} at {d.path() or '/'} "
                           f"({d.describe()})")
        tok, d = next_id(d, len(ids), max_tokens, pick)
        ids.append(tok)
    return ids
