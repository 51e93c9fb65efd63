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

import torch
from tqdm import tqdm

from tct.generation.constrained import check_budget, next_id
from tct.generation.prefix import prefix_decoder


@dataclass
class GenerationStats:
    tokens: int = 0
    seconds: float = 0.0
    mask_seconds: float = 0.0
    lengths: list = field(default_factory=list)

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0


def _filter(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    """Probabilities over the allowed ids (illegal ids already at -inf)."""
    if temperature <= 1e-6:
        probs = torch.zeros_like(logits)
        probs[int(torch.argmax(logits))] = 1.0
        return probs
    logits = logits / temperature
    if top_k and top_k > 0:
        kth = torch.topk(logits, min(top_k, int(torch.isfinite(logits).sum()))).values[-1]
        logits = torch.where(logits < kth, torch.full_like(logits, -torch.inf), logits)
    probs = torch.softmax(logits, dim=-1)
    if top_p < 1.0:
        sorted_p, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_p, 0) - sorted_p < top_p
        cut = torch.zeros_like(probs)
        cut[order[keep]] = sorted_p[keep]
        probs = cut / cut.sum()
    return probs


@torch.no_grad()
def profiled(tok, profile="default"):
    """The tokenizer generation uses: "default" is the schema's default profile (workflows:
    github-workflow-strict), None or "none" the schema alone, else a profile or its name."""
    if profile == "default":
        from tct.codec.profiles import DEFAULTS
        profile = DEFAULTS.get(tok.schema_name)
    return tok.with_profile(profile)


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
    fed = 0  # tokens of seqs[*][window_start:] already in the cache

    def window_input(start):
        rows = [([tok.position_id(start)] if start else []) + s[start:] for s in seqs]
        return torch.tensor(rows, dtype=torch.long, device=device)

    free_done = [False] * n  # use_mask=False: sequences end at EOS or the budget
    bar = tqdm(total=n, unit="doc", desc="generating", file=sys.stderr, disable=not progress)

    while not all(free_done) if not use_mask else not all(d.done for d in decoders):
        finished = sum(free_done) if not use_mask else sum(d.done for d in decoders)
        bar.set_postfix_str(f"{stats.tokens} tokens", refresh=False)
        bar.update(finished - bar.n)
        length = len(seqs[0])
        if length - window_start + (1 if window_start else 0) > context:
            window_start = length - context // 2
            cache, fed = None, 0
        if cache is None:
            x = window_input(window_start)
            fed = length
        else:
            x = torch.tensor([[s[-1]] for s in seqs], dtype=torch.long, device=device)
            fed += 1
        logits, cache = net(x, cache=cache)
        last = logits[:, -1, :].float().cpu()
        for b, d in enumerate(decoders):
            if not use_mask:
                if free_done[b]:
                    seqs[b].append(tok.pad_id)
                    continue
                probs = _filter(last[b], temperature, top_k, top_p)
                tok_id = int(torch.multinomial(probs, 1, generator=rng))
                seqs[b].append(tok_id)
                stats.tokens += 1
                free_done[b] = tok_id == tok.eos_id or len(seqs[b]) >= max_tokens
                continue
            if d.done:
                seqs[b].append(tok.pad_id)
                continue
            t0 = time.perf_counter()
            allowed = torch.from_numpy(d.allowed().copy())
            row = torch.where(allowed, last[b], torch.full_like(last[b], -torch.inf))
            probs = _filter(row, temperature, top_k, top_p)
            stats.mask_seconds += time.perf_counter() - t0

            def pick(mask, probs=probs, row=row):
                m = torch.from_numpy(mask)
                p = probs * m
                if float(p.sum()) <= 0:  # everything left was cut by top-k/top-p: best legal logit
                    return int(torch.argmax(torch.where(m, row, torch.full_like(row, -torch.inf))))
                return int(torch.multinomial(p / p.sum(), 1, generator=rng))

            t1 = time.perf_counter()
            tok_id, decoders[b] = next_id(d, len(seqs[b]), max_tokens, pick)
            stats.mask_seconds += time.perf_counter() - t1
            seqs[b].append(tok_id)
            stats.tokens += 1
    stats.seconds += time.perf_counter() - start_time
    bar.set_postfix_str(f"{stats.tokens} tokens", refresh=False)
    bar.update(n - bar.n)
    bar.close()
    if not use_mask:
        return [None] * n
    outs = []
    for b, d in enumerate(decoders):
        ids = [i for i in seqs[b] if i != tok.pad_id]
        stats.lengths.append(len(ids))
        outs.append((d.document(), ids) if return_ids else d.document())
    return outs
