"""Checkpoints: a directory holding `model.safetensors`, `config.json` and, for training
runs, `train_state.pt`.

config.json = {"format": "tct-gpt-1", "save_id": str, "model": GPTConfig.to_dict(),
               "tokenizer": identity dict, "extra": dict}

The tokenizer identity (e.g. {"schema": name, "schema_sha256": ..., "vocab_size": ...}) is
stored because a model is meaningless under any other tokenizer: ids would silently mean
different things.  `load_checkpoint` refuses a mismatch.

Atomicity: every file is written to a temp file in the same directory and fsynced; only when
all are complete are they moved into place with os.replace (atomic per file), so an
interrupted save leaves the previous files intact.  The files of one save share a random
`save_id` (in config.json, in the safetensors metadata, in train_state.pt); a crash between
the renames of one save is therefore detected on load instead of pairing new weights with an
old config.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Callable

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from tct.errors import TCTError
from tct.model.gpt import GPT, GPTConfig

FORMAT = "tct-gpt-1"
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
STATE_NAME = "train_state.pt"


def unwrap(model: torch.nn.Module) -> GPT:
    """The bare GPT inside DDP and/or torch.compile wrappers."""
    while True:
        if hasattr(model, "_orig_mod"):  # torch.compile
            model = model._orig_mod
        elif isinstance(model, torch.nn.parallel.DistributedDataParallel):
            model = model.module
        else:
            return model


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_files_atomically(directory: str | os.PathLike, writers: dict[str, Callable[[Path], None]]) -> None:
    """Write several files into `directory` so that each is either its old or its new version.

    `writers` maps a file name to a function writing the complete file to the path it is
    given (a temp file next to the target).  Nothing is renamed until every writer has
    succeeded; on any failure the temp files are removed and the targets are untouched.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    temps = {name: directory / f".{name}.tmp-{tag}" for name in writers}
    try:
        for name, write in writers.items():
            write(temps[name])
            with open(temps[name], "rb") as f:
                os.fsync(f.fileno())
        for name, tmp in temps.items():
            os.replace(tmp, directory / name)
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    _fsync_dir(directory)


def save_checkpoint(
    directory: str | os.PathLike,
    model: torch.nn.Module,
    config: GPTConfig,
    tokenizer_identity: dict,
    extra: dict | None = None,
    train_state: dict | None = None,
) -> str:
    """Save weights + config (+ optional training state) atomically; returns the save_id."""
    save_id = uuid.uuid4().hex
    tensors = {k: v.detach().to("cpu").contiguous() for k, v in unwrap(model).state_dict().items()}
    meta = {"format": FORMAT, "save_id": save_id, "model": config.to_dict(),
            "tokenizer": dict(tokenizer_identity), "extra": extra or {}}
    text = json.dumps(meta, indent=2, sort_keys=True) + "\n"
    writers = {
        WEIGHTS_NAME: lambda p: save_file(tensors, str(p), metadata={"format": FORMAT, "save_id": save_id}),
        CONFIG_NAME: lambda p: p.write_text(text, encoding="utf-8"),
    }
    if train_state is not None:
        # Written first (dict order) so a crash mid-commit leaves old weights + old config,
        # which the save_id check then reports as not resumable rather than resuming wrongly.
        writers = {STATE_NAME: lambda p: torch.save({**train_state, "save_id": save_id}, p), **writers}
    write_files_atomically(directory, writers)
    return save_id


def identity_mismatches(stored: dict, expected: dict) -> list[str]:
    """Human-readable differences for every key of `expected` that `stored` lacks or differs in."""
    out = []
    for key, want in expected.items():
        if key not in stored:
            out.append(f"{key}: checkpoint does not record it (expected {want!r})")
        elif stored[key] != want:
            out.append(f"{key}: checkpoint has {stored[key]!r}, tokenizer has {want!r}")
    return out


def read_checkpoint_config(directory: str | os.PathLike) -> dict:
    """Parsed config.json (without touching the weights), validated enough to trust its fields."""
    path = Path(directory) / CONFIG_NAME
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TCTError(f"{directory}: not a tct checkpoint (no {CONFIG_NAME})") from None
    except (OSError, ValueError) as e:
        raise TCTError(f"{path}: unreadable checkpoint config: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise TCTError(f"{path}: not a {FORMAT} checkpoint config")
    return meta


def check_identity(meta: dict, expected_identity: dict | None, where: str) -> None:
    if expected_identity is None:
        return
    problems = identity_mismatches(meta.get("tokenizer", {}), expected_identity)
    if problems:
        raise TCTError(f"{where}: checkpoint was trained for a different tokenizer:\n  " + "\n  ".join(problems))


def load_checkpoint(
    directory: str | os.PathLike,
    expected_identity: dict | None = None,
    device: str | torch.device = "cpu",
) -> tuple[GPT, GPTConfig, dict]:
    """(model in eval mode, its config, the stored tokenizer identity).

    Raises TCTError if the directory is not a checkpoint, is inconsistent (interrupted save),
    or was trained for a tokenizer whose identity differs from `expected_identity` in any
    key the latter lists.
    """
    directory = Path(directory)
    meta = read_checkpoint_config(directory)
    check_identity(meta, expected_identity, str(directory))
    config = GPTConfig.from_dict(meta["model"])
    identity = meta.get("tokenizer", {})
    if "vocab_size" in identity and identity["vocab_size"] != config.vocab_size:
        raise TCTError(f"{directory}: model vocab {config.vocab_size} != tokenizer vocab {identity['vocab_size']}")
    weights = directory / WEIGHTS_NAME
    try:
        with safe_open(str(weights), framework="pt") as f:
            file_id = (f.metadata() or {}).get("save_id")
        tensors = load_file(str(weights), device=str(device))
    except FileNotFoundError:
        raise TCTError(f"{directory}: checkpoint has no {WEIGHTS_NAME}") from None
    except Exception as e:  # safetensors raises its own error types for corrupt files
        raise TCTError(f"{weights}: unreadable weights: {e}") from None
    if file_id != meta.get("save_id"):
        raise TCTError(f"{directory}: {WEIGHTS_NAME} and {CONFIG_NAME} come from different saves (interrupted save?)")
    model = GPT(config).to(device)
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as e:
        raise TCTError(f"{weights}: weights do not fit the config: {e}") from None
    return model.eval(), config, identity


def random_model(config: GPTConfig, seed: int = 0) -> GPT:
    """An untrained model (e.g. for `load_model("random")`), reproducible from `seed`
    without disturbing the caller's global RNG."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return GPT(config).eval()


def load_train_state(directory: str | os.PathLike) -> dict:
    """train_state.pt, checked to belong to the same save as the weights next to it."""
    directory = Path(directory)
    path = directory / STATE_NAME
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise TCTError(f"{directory}: no {STATE_NAME} to resume from") from None
    meta = read_checkpoint_config(directory)
    if state.get("save_id") != meta.get("save_id"):
        raise TCTError(f"{directory}: {STATE_NAME} and {CONFIG_NAME} come from different saves (interrupted save?)")
    return state
