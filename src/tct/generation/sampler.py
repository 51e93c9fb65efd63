"""Batched sampling from a GPT under the decoder's mask: every output is a complete document
that satisfies the schema, whatever the model, the temperature or the budget.

All sequences in a batch advance one token per step (finished ones take PAD), so they share a
length and slide their context window together: when the window is full, generation goes on
from `[position(start)] + ids[start:]`, the same form the model saw in training, while each
decoder keeps tracking its whole document.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm import tqdm

from tct.generation.constrained import check_budget, fits, follow_completion, spent
from tct.generation.prefix import prefix_decoder


@dataclass
class GenerationStats:
    tokens: int = 0
    steps: int = 0              # forward passes of the batch
    seconds: float = 0.0
    mask_seconds: float = 0.0   # masking, budget and decoder feeding (0 with use_mask=False)
    lengths: list = field(default_factory=list)

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def _sample(logits: torch.Tensor, temperature: float, top_k: int, top_p: float, rng) -> list[int]:
    """One id per row of `logits` (illegal ids already at -inf), all rows at once."""
    probs = _probs(logits, temperature, top_k, top_p)
    if probs is None:
        return logits.argmax(dim=-1).tolist()
    return torch.multinomial(probs, 1, generator=rng)[:, 0].tolist()


def _probs(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor | None:
    """The sampling distribution of each row (None: greedy)."""
    if temperature <= 1e-6:
        return None
    logits = logits / temperature
    if top_k and top_k > 0:  # a row with fewer legal ids keeps them all (its k-th is -inf)
        kth = torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, -torch.inf)
    probs = torch.softmax(logits, dim=-1)
    if top_p < 1.0:
        sorted_p, order = torch.sort(probs, descending=True, dim=-1)
        keep = torch.cumsum(sorted_p, dim=-1) - sorted_p < top_p
        probs = torch.zeros_like(probs).scatter_(-1, order, sorted_p * keep)
    return probs


def profiled(tok, profile="default"):
    """The tokenizer generation uses: "default" is the schema's default profile (workflows:
    github-workflow-strict), None or "none" the schema alone, else a profile or its name."""
    if profile == "default":
        from tct.codec.profiles import DEFAULTS
        profile = DEFAULTS.get(tok.schema_name)
    return tok.with_profile(profile)


def _candidates(decoder) -> np.ndarray:
    """The ids a pick is drawn from: in a body state the legal base ids (an exact mask, cached
    per state) and the merged ids whose run begins with one of them (the rest of a run is
    checked once it is picked: the exact merged mask walks thousands of runs per state never
    seen, and states rarely repeat); elsewhere the exact mask."""
    if decoder.phase != "body" or decoder.tok.merges is None:
        return decoder.allowed()
    mask = decoder.base_allowed().copy()
    mask[decoder.tok.base_size:] = mask[decoder.tok.merges.firsts]
    return mask


def _within_budget(decoder, tok_id: int, row: torch.Tensor, used: int, max_tokens: int, temperature, top_k,
                   top_p, rng):
    """(id, decoder after it): `tok_id` if it is legal and the shortest completion still fits in
    `max_tokens` after it, else the next draw from the same distribution (`row`: the logits, as
    `_sample` read them) without the ids refused so far. Rejection leaves the distribution of
    sampling under the exact mask with the budget (the legal ids that fit, renormalized), at one
    fed copy per pick instead of a walk or a cost per id. Later draws come at once, in the order
    of a Gumbel-top-k sample (successive draws without replacement). Where the cost bound has
    outgrown the budget (`spent`), the completion."""
    if spent(decoder, used, max_tokens):
        return follow_completion(decoder)
    nxt = fits(decoder, tok_id, used, max_tokens)
    if nxt is not None:
        return tok_id, nxt
    probs = _probs(row, temperature, top_k, top_p)
    if probs is None:  # greedy: the next best logit
        keys = row[0].clone()
    else:
        gumbel = -torch.log(-torch.log(torch.rand(probs.shape[-1], generator=rng).clamp_min(1e-12)))
        keys = torch.log(probs[0]) + gumbel
    keys[tok_id] = -torch.inf
    order = torch.argsort(keys, descending=True)
    finite = int(torch.isfinite(keys).sum())
    for t in order[:finite].tolist():
        nxt = fits(decoder, t, used, max_tokens)
        if nxt is not None:
            return t, nxt
    return follow_completion(decoder)  # nothing else fits: the shortest completion does


@torch.no_grad()
def generate(model, n: int = 1, temperature: float = 1.0, top_p: float = 1.0, top_k: int = 0,
             seed: int | None = None, prefix: str | None = None, max_tokens: int = 2048,
             use_mask: bool = True, stats: GenerationStats | None = None, return_ids: bool = False,
             progress: bool = False, profile="default"):
    """`n` documents (parsed JSON values). `prefix`: partial YAML/JSON text to continue.
    `progress`: a tqdm bar on stderr (documents finished, tokens so far); the batch finishes
    together, so the token count is what moves.

    `use_mask=False` exists only to measure the mask's cost: ids are sampled from the raw
    logits with no decoder at all until EOS or `max_tokens`, and None is returned per sequence.
    """
    tok, net = profiled(model.tokenizer, profile), model.net
    net.eval()
    device = model.device
    context = model.config.context
    rng = torch.Generator().manual_seed(int(seed if seed is not None else torch.seed() % (2 ** 63)))
    if prefix:
        d0, ids0 = prefix_decoder(tok, prefix)
    else:
        d0, ids0 = tok.decoder(), []
        d0.feed(tok.bos_id)
        ids0 = [tok.bos_id]
    check_budget(d0, len(ids0), max_tokens)
    decoders = [d0.copy() for _ in range(n)]
    seqs = [list(ids0) for _ in range(n)]
    stats = stats if stats is not None else GenerationStats()
    start_time = time.perf_counter()

    window_start = 0
    cache = None

    def window_input(start, rows):
        ids = [([tok.position_id(start)] if start else []) + seqs[b][start:] for b in rows]
        return torch.tensor(ids, dtype=torch.long, device=device)

    done = [use_mask and d.done for d in decoders]  # use_mask=False: they end at EOS or the budget
    rows = [b for b in range(n) if not done[b]]  # the sequences the model still runs, in batch order
    bar = tqdm(total=n, unit="doc", desc="generating", file=sys.stderr, disable=not progress)

    while rows:
        bar.set_postfix_str(f"{stats.tokens} tokens", refresh=False)
        bar.update(sum(done) - bar.n)
        length = len(seqs[rows[0]])
        if length - window_start + (1 if window_start else 0) > context:
            window_start = length - context // 2
            cache = None
        if cache is None:
            x, cache = window_input(window_start, rows), net.new_cache()
        else:
            x = torch.tensor([[seqs[b][-1]] for b in rows], dtype=torch.long, device=device)
        logits, cache = net(x, cache=cache)
        stats.steps += 1
        last = logits[:, -1, :].float().cpu()
        t0 = time.perf_counter()
        # The legal ids (base ids and every merged id over merges); the budget is checked on the
        # pick (`_within_budget`): the cost deltas of a whole mask walk every id's run in states
        # never seen, and under a profile states seldom recur (2x the step time).
        if use_mask:
            masks = np.stack([_candidates(decoders[b]) for b in rows])
            last = last.masked_fill(~torch.from_numpy(masks), -torch.inf)
        t1 = time.perf_counter()
        picked = dict(zip(rows, _sample(last, temperature, top_k, top_p, rng)))
        t2 = time.perf_counter()
        for row, b in enumerate(rows):
            if use_mask:
                picked[b], decoders[b] = _within_budget(decoders[b], picked[b], last[row:row + 1], length,
                                                        max_tokens, temperature, top_k, top_p, rng)
            seqs[b].append(picked[b])
            stats.tokens += 1
            done[b] = decoders[b].done if use_mask else picked[b] == tok.eos_id or len(seqs[b]) >= max_tokens
        stats.mask_seconds += (t1 - t0) + (time.perf_counter() - t2 if use_mask else 0.0)
        # Finished sequences leave the batch (and the cache) instead of running on as padding.
        keep = [i for i, b in enumerate(rows) if not done[b]]
        if len(keep) < len(rows):
            rows = [rows[i] for i in keep]
            cache = cache.select(torch.tensor(keep, device=device)) if rows else None
    stats.seconds += time.perf_counter() - start_time
    bar.set_postfix_str(f"{stats.tokens} tokens", refresh=False)
    bar.update(n - bar.n)
    bar.close()
    if not use_mask:
        return [None] * n
    outs = []
    for b, d in enumerate(decoders):
        ids = seqs[b]
        stats.lengths.append(len(ids))
        outs.append((d.document(), ids) if return_ids else d.document())
    return outs
