"""`load_model`: the shipped default model, an untrained one, or a checkpoint directory,
always paired with the tokenizer it was trained for (a mismatch is refused)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from tct.errors import TCTError
from tct.model.checkpoint import load_checkpoint, random_model, read_checkpoint_config
from tct.model.gpt import GPT, GPTConfig
from tct.vocab.tokenizer import Tokenizer

MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
_TOKENIZERS: dict = {}


@dataclass
class LoadedModel:
    net: GPT
    tokenizer: Tokenizer
    config: GPTConfig
    name: str

    @property
    def device(self) -> torch.device:
        return next(self.net.parameters()).device


def tokenizer_for(schema, strict: bool = True) -> Tokenizer:
    key = (schema, strict) if isinstance(schema, str) else None
    if key is not None and key in _TOKENIZERS:
        return _TOKENIZERS[key]
    tok = Tokenizer.from_schema(schema, strict=strict)
    if key is not None:
        _TOKENIZERS[key] = tok
    return tok


def load_model(model: str = "default", schema="github-workflow", device: str = "cpu",
               preset: str = "tiny", seed: int = 0, tokenizer: Tokenizer | None = None) -> LoadedModel:
    """"default" (shipped with the package), "random" (untrained `preset`), or a checkpoint path.

    A checkpoint trained on merged ids finds its tokenizer in `tokenizer`, else in its own
    `tokenizer/` folder, else among the shipped ones (by schema name); the identity must match."""
    if model == "random":
        tok = tokenizer or tokenizer_for(schema)
        cfg = GPTConfig.preset(preset, tok.vocab_size)
        return LoadedModel(random_model(cfg, seed=seed).to(device), tok, cfg, "random")
    path = MODELS_DIR / "default" if model == "default" else Path(model)
    if not path.exists():
        raise TCTError(f"no model at {path}" + (" (the package ships without a default model)" if model == "default" else ""))
    stored = read_checkpoint_config(path).get("tokenizer", {})
    if model == "default" and schema == "github-workflow":
        schema = stored.get("schema", schema)
    if tokenizer is not None:
        tok = tokenizer
    elif stored.get("merges_sha256"):
        tok = Tokenizer.load(path / "tokenizer" if (path / "tokenizer").exists() else stored.get("schema", schema))
    else:
        tok = tokenizer_for(schema, strict=stored.get("strict", True))
    net, cfg, _ = load_checkpoint(path, expected_identity=tok.identity(), device=device)
    return LoadedModel(net, tok, cfg, str(path))
