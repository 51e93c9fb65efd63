"""A tct model as a `transformers` Llama directory, loadable with `AutoModelForCausalLM`.

tct's GPT is Llama in all but names: pre-norm RMSNorm (eps 1e-6, normalized in fp32), RoPE in
the rotate-half layout with theta 10000 (the layout HF Llama uses, so q/k need no permutation),
SwiGLU with silu, no biases, 1/sqrt(head_dim) attention scaling, tied embeddings. Only the
tensors are renamed and the fused projections split (qkv -> q, k, v; gate_up -> gate, up).

The directory also holds `tct_tokenizer.json`: the tokenizer identity and the schema itself, so
`load_tokenizer(dir)` rebuilds the exact tokenizer without the original schema file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors.torch import save_file

from tct.errors import TCTError
from tct.model.checkpoint import unwrap, write_files_atomically
from tct.model.registry import LoadedModel, load_model
from tct.vocab.tokenizer import Tokenizer

TOKENIZER_NAME = "tct_tokenizer.json"
TOKENIZER_FORMAT = "tct-tokenizer-1"
RMS_EPS = 1e-6      # tct.model.gpt.RMSNorm's default
ROPE_THETA = 10000.0  # tct.model.gpt._rope_tables' base


def llama_config(model: LoadedModel, max_tokens: int) -> dict:
    cfg, tok = model.config, model.tokenizer
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.d_model,
        "intermediate_size": cfg.hidden,
        "num_hidden_layers": cfg.n_layers,
        "num_attention_heads": cfg.n_heads,
        "num_key_value_heads": cfg.n_heads,
        "head_dim": cfg.d_model // cfg.n_heads,
        "hidden_act": "silu",
        "max_position_embeddings": cfg.context,
        "rms_norm_eps": RMS_EPS,
        "rope_theta": ROPE_THETA,
        "rope_parameters": {"rope_type": "default", "rope_theta": ROPE_THETA},
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "tie_word_embeddings": True,
        "bos_token_id": tok.bos_id,
        "eos_token_id": tok.eos_id,
        "pad_token_id": tok.pad_id,
        "torch_dtype": "float32",
        "dtype": "float32",
        "use_cache": True,
        "tct": {"tokenizer": tok.identity(), "context": cfg.context, "max_tokens": max_tokens},
    }


def llama_state_dict(model: LoadedModel) -> dict[str, torch.Tensor]:
    """tct tensor names -> HF Llama names (the tied head is not stored, as HF does)."""
    sd = {k: v.detach().to("cpu", torch.float32) for k, v in unwrap(model.net).state_dict().items()}
    cfg = model.config
    out = {"model.embed_tokens.weight": sd.pop("tok_emb.weight"), "model.norm.weight": sd.pop("norm.weight")}
    for i in range(cfg.n_layers):
        src, dst = f"blocks.{i}.", f"model.layers.{i}."
        q, k, v = sd.pop(src + "attn.qkv.weight").split(cfg.d_model, dim=0)
        gate, up = sd.pop(src + "mlp.gate_up.weight").chunk(2, dim=0)
        out.update({
            dst + "input_layernorm.weight": sd.pop(src + "norm1.weight"),
            dst + "post_attention_layernorm.weight": sd.pop(src + "norm2.weight"),
            dst + "self_attn.q_proj.weight": q, dst + "self_attn.k_proj.weight": k,
            dst + "self_attn.v_proj.weight": v, dst + "self_attn.o_proj.weight": sd.pop(src + "attn.proj.weight"),
            dst + "mlp.gate_proj.weight": gate, dst + "mlp.up_proj.weight": up,
            dst + "mlp.down_proj.weight": sd.pop(src + "mlp.down.weight"),
        })
    if sd:  # a tensor we do not know how to map would be silently dropped
        raise TCTError(f"cannot export tensors {sorted(sd)}: not part of the Llama mapping")
    return {k: t.contiguous() for k, t in out.items()}


def export_hf(model, out_dir: str | os.PathLike, max_tokens: int = 2048) -> Path:
    """Write `model` (a LoadedModel, or a name/path for `tct.load_model`) as a transformers
    directory. `max_tokens` becomes generation_config's `max_length`, the same budget (BOS and
    EOS included) that `LogitsProcessor(max_tokens=...)` keeps documents within."""
    if not isinstance(model, LoadedModel):
        model = load_model(str(model))
    tok = model.tokenizer
    tensors = llama_state_dict(model)
    generation = {"bos_token_id": tok.bos_id, "eos_token_id": tok.eos_id, "pad_token_id": tok.pad_id,
                  "max_length": max_tokens, "do_sample": True, "temperature": 1.0, "top_p": 1.0, "top_k": 0}
    tokenizer = {"format": TOKENIZER_FORMAT, "identity": tok.identity(),
                 "bos_id": tok.bos_id, "eos_id": tok.eos_id, "pad_id": tok.pad_id,
                 "schema": tok.compiler.index.root}

    def dump(obj):
        # Never sort keys: the schema's key order is the order of its CHOICE ids.
        return lambda p: p.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    write_files_atomically(out_dir, {
        "model.safetensors": lambda p: save_file(tensors, str(p), metadata={"format": "pt"}),
        "config.json": dump(llama_config(model, max_tokens)),
        "generation_config.json": dump(generation),
        TOKENIZER_NAME: dump(tokenizer),
    })
    return Path(out_dir)


def load_tokenizer(directory: str | os.PathLike) -> Tokenizer:
    """The tct tokenizer an exported directory was written for, checked against its identity."""
    path = Path(directory) / TOKENIZER_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TCTError(f"{directory}: no {TOKENIZER_NAME} (not exported by tct export hf)") from None
    except (OSError, ValueError) as e:
        raise TCTError(f"{path}: unreadable: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != TOKENIZER_FORMAT:
        raise TCTError(f"{path}: not a {TOKENIZER_FORMAT} file")
    identity = meta["identity"]
    tok = Tokenizer.from_schema(meta["schema"], strict=identity.get("strict", True))
    tok.compiler.name = identity.get("schema", tok.compiler.name)  # compiled from the stored copy
    if tok.identity() != identity:
        raise TCTError(f"{path}: the stored schema compiles to {tok.identity()}, not the recorded {identity} "
                       "(a different tct version?)")
    return tok
