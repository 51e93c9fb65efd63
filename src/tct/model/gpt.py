"""Decoder-only GPT over tct token ids.

The model knows nothing about schemas: it sees ids in [0, vocab_size) and is sized by a
`GPTConfig`.  Choices and why:

* tied input/output embedding: vocabularies are tiny (hundreds of ids), so tying costs
  nothing in quality and keeps the head out of the checkpoint;
* RoPE on q/k: relative positions inside a window; absolute position in a long document
  is carried by the position-id token that starts a mid-document window;
* RMSNorm (pre-norm) + SwiGLU MLP, no biases: the usual small-LM recipe, stable without tuning;
* `scaled_dot_product_attention`: picks flash / memory-efficient kernels where available;
* a KV cache (`forward(ids, cache)`, `KVCache`) so constrained decoding costs O(T) per token;
  its buffers span the context and each step writes its slot in place (concatenating copied
  the whole history every step: two thirds of a batch-8 step at 1,000 positions).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

from tct.errors import TCTError

class KVCache:
    """Keys and values of every layer for the positions fed so far: `len(cache)` of them.

    Buffers are (batch, n_heads, context, head_dim) per layer, made on the first write in the
    dtype the layer computes in (bf16 under autocast)."""

    def __init__(self, n_layers: int, context: int):
        self.context, self.length = context, 0
        self.keys: list[torch.Tensor | None] = [None] * n_layers
        self.values: list[torch.Tensor | None] = [None] * n_layers

    def __len__(self) -> int:
        return self.length

    def write(self, layer: int, start: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store k, v (batch, heads, T, head_dim) at positions start.. and return all so far."""
        if self.keys[layer] is None:
            shape = (*k.shape[:2], self.context, k.shape[3])
            self.keys[layer] = k.new_empty(shape)
            self.values[layer] = v.new_empty(shape)
        end = start + k.shape[2]
        self.keys[layer][:, :, start:end] = k
        self.values[layer][:, :, start:end] = v
        return self.keys[layer][:, :, :end], self.values[layer][:, :, :end]

    def select(self, rows: torch.Tensor) -> KVCache:
        """A cache of the given batch rows only (for dropping finished sequences)."""
        out = KVCache(len(self.keys), self.context)
        out.length = self.length
        pick = (lambda t: None if t is None else t.index_select(0, rows))
        out.keys, out.values = [pick(t) for t in self.keys], [pick(t) for t in self.values]
        return out


@dataclass
class GPTConfig:
    vocab_size: int
    d_model: int = 128
    n_layers: int = 4
    n_heads: int = 4
    context: int = 512
    dropout: float = 0.0
    mlp_hidden: int = 0
    """SwiGLU hidden width; 0 means 8/3 * d_model rounded up to a multiple of 64."""

    def __post_init__(self):
        if self.d_model % self.n_heads or (self.d_model // self.n_heads) % 2:
            raise TCTError(f"d_model {self.d_model} must split into {self.n_heads} heads of even width")
        if min(self.vocab_size, self.n_layers, self.context) < 1:
            raise TCTError(f"invalid model config {self.to_dict()}")

    @property
    def hidden(self) -> int:
        return self.mlp_hidden or 64 * math.ceil(8 * self.d_model / 3 / 64)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> GPTConfig:
        # Unknown keys mean a checkpoint from a different architecture: refuse rather than guess.
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise TCTError(f"model config has unknown fields {sorted(unknown)}")
        return cls(**d)

    @classmethod
    def preset(cls, name: str, vocab_size: int, **overrides) -> GPTConfig:
        if name not in PRESETS:
            raise TCTError(f"unknown model preset {name!r}; choose one of {sorted(PRESETS)}")
        kw = {**PRESETS[name], **{k: v for k, v in overrides.items() if v is not None}}
        return cls(vocab_size=vocab_size, **kw)


PRESETS: dict[str, dict] = {
    # tiny: trains on a 2-core CPU in well under 30 minutes.
    "tiny": dict(d_model=128, n_layers=4, n_heads=4, context=512),
    "small": dict(d_model=384, n_layers=8, n_heads=6, context=1024),
    "medium": dict(d_model=768, n_layers=10, n_heads=12, context=1024),
}


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Normalize in fp32: under bf16 autocast the mean of squares loses too much precision.
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).type_as(x) * self.weight


def _rope_tables(head_dim: int, length: int, base: float = 10000.0) -> tuple[torch.Tensor, torch.Tensor]:
    inv = 1.0 / base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    ang = torch.outer(torch.arange(length, dtype=torch.float32), inv)
    return ang.cos(), ang.sin()


def _apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # x: (B, H, T, D); cos/sin: (T, D/2).  Rotate-half (NeoX) layout.
    x1, x2 = x.float().chunk(2, dim=-1)
    out = torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)
    return out.type_as(x)


class Attention(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.n_heads, self.dropout = cfg.n_heads, cfg.dropout
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model, bias=False)

    def forward(self, x, cos, sin, cache: KVCache | None, layer: int, mask):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.n_heads, -1).transpose(1, 2) for t in self.qkv(x).split(C, dim=2))
        q, k = _apply_rope(q, cos, sin), _apply_rope(k, cos, sin)
        past = cache is not None and len(cache) > 0
        if cache is not None:
            k, v = cache.write(layer, len(cache), k, v)
        y = F.scaled_dot_product_attention(
            q, k, v, attn_mask=mask, is_causal=mask is None and not past and T > 1,
            dropout_p=self.dropout if self.training else 0.0,
        )
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class MLP(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.gate_up = nn.Linear(cfg.d_model, 2 * cfg.hidden, bias=False)
        self.down = nn.Linear(cfg.hidden, cfg.d_model, bias=False)

    def forward(self, x):
        gate, up = self.gate_up(x).chunk(2, dim=-1)
        return self.down(F.silu(gate) * up)


class Block(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.norm1, self.attn = RMSNorm(cfg.d_model), Attention(cfg)
        self.norm2, self.mlp = RMSNorm(cfg.d_model), MLP(cfg)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, cos, sin, cache, layer, mask):
        x = x + self.drop(self.attn(self.norm1(x), cos, sin, cache, layer, mask))
        return x + self.drop(self.mlp(self.norm2(x)))


class GPT(nn.Module):
    def __init__(self, cfg: GPTConfig):
        super().__init__()
        self.config = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.d_model)
        cos, sin = _rope_tables(cfg.d_model // cfg.n_heads, cfg.context)
        # Not persistent: derived from the config, so they stay out of checkpoints.
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.apply(self._init)
        # GPT-2 style: shrink residual-branch outputs so the residual stream's variance
        # does not grow with depth.
        for name, p in self.named_parameters():
            if name.endswith(("attn.proj.weight", "mlp.down.weight")):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * cfg.n_layers))

    @staticmethod
    def _init(m: nn.Module):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def new_cache(self) -> KVCache:
        return KVCache(self.config.n_layers, self.config.context)

    def forward(
        self, ids: torch.Tensor, cache: KVCache | None = None, start_pos: int | None = None
    ) -> tuple[torch.Tensor, KVCache | None]:
        """ids (B, T) -> (logits (B, T, vocab), the cache, now covering these positions too).

        With a cache (`new_cache()`, filled in place), `ids` are the next T tokens after the
        cached ones; `start_pos` defaults to the cached length (passing it only double-checks).
        The caller keeps start_pos + T <= context, e.g. by re-windowing long documents.
        """
        B, T = ids.shape
        past_len = len(cache) if cache is not None else 0
        if start_pos is None:
            start_pos = past_len
        elif start_pos != past_len:
            raise ValueError(f"start_pos {start_pos} but the cache holds {past_len} positions")
        if start_pos + T > self.config.context:
            raise ValueError(f"sequence of {start_pos + T} positions exceeds context {self.config.context}")
        cos = self.rope_cos[start_pos:start_pos + T]
        sin = self.rope_sin[start_pos:start_pos + T]
        mask = None
        if past_len and T > 1:
            # Queries continue after the cache, so the causal mask is offset by past_len.
            q_pos = torch.arange(past_len, past_len + T, device=ids.device)
            mask = torch.arange(past_len + T, device=ids.device)[None, :] <= q_pos[:, None]
        x = self.drop(self.tok_emb(ids))
        for i, block in enumerate(self.blocks):
            x = block(x, cos, sin, cache, i, mask)
        if cache is not None:
            cache.length = start_pos + T
        return F.linear(self.norm(x), self.tok_emb.weight), cache
