"""Training loop: windows from token shards (format: `tct.data.shards`) -> GPT checkpoints.

    python -m tct.train --data D --out O [--preset tiny] [--max-steps N] ...
    torchrun --standalone --nproc_per_node 2 -m tct.train --data D --out O ...

What it does and why:

* AdamW (no decay on norms), linear warmup then cosine decay to min_lr, grad clipping;
  bf16 autocast on CUDA only (CPU bf16 matmuls are slower than fp32 on most CPUs).
* Every random draw of step `s` on rank `r` comes from generators seeded by (seed, r, s), so
  `--resume` reproduces an uninterrupted run exactly with nothing but the step number and
  the optimizer state, and DDP ranks see different windows without coordination.
* The out dir is itself a checkpoint (`tct.model.checkpoint`): model.safetensors +
  config.json + train_state.pt, written atomically every `ckpt_every` steps and at the end,
  including when `max_minutes` runs out.  metrics.jsonl gets one JSON object per log/eval.
* DDP is used when torchrun's WORLD_SIZE > 1: gloo on CPU, nccl on CUDA; only rank 0 writes.
* Validation scores every target of the val documents once; with meta "val_bytes" it also
  reports bits per byte of minified JSON, comparable across tokenizers.
* Masked likelihood: data prepared with masks (`tct.data.masks`) is also scored under the
  softmax over each position's legal ids (val_masked_loss / val_masked_bpb: what sampling under
  the tokenizer's mask realizes); `--masked` trains on that objective too.
* `--keep-best`: a small corpus is read for many epochs, so the last step is seldom the best;
  each evaluation that improves the val score (masked bits per byte where known) also saves
  weights + config to OUT/best, which `load_model` and `tct eval` read like any checkpoint.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from tqdm import tqdm

from tct.errors import TCTError
from tct.model.checkpoint import (CONFIG_NAME, STATE_NAME, load_checkpoint, load_train_state,
                                  read_checkpoint_config, save_checkpoint, write_files_atomically)
from tct.model.gpt import GPT, PRESETS, GPTConfig
from tct.data.shards import IGNORE, Shards, bits_per_byte


@dataclass
class TrainConfig:
    data: str
    out: str
    preset: str = "tiny"
    # Overrides of the preset (None keeps it).  Ignored on resume: the checkpoint's config wins.
    d_model: int | None = None
    n_layers: int | None = None
    n_heads: int | None = None
    context: int | None = None
    dropout: float | None = None
    mlp_hidden: int | None = None
    batch_size: int = 16            # windows per rank per micro-step
    grad_accum: int = 1
    max_steps: int = 2000           # length of the lr schedule
    stop_at_step: int | None = None  # stop early (with checkpoint) without changing the schedule
    lr: float = 1e-3
    min_lr: float | None = None     # default lr / 10
    warmup_steps: int = 100
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    log_every: int = 10
    eval_every: int = 250
    eval_batch_size: int | None = None
    eval_overlap: int | None = None  # context tokens re-read by follow-up eval windows; default context/4
    eval_max_docs: int | None = None  # None = full pass (needed for bits per byte)
    ckpt_every: int = 500
    max_minutes: float | None = None
    seed: int = 0
    resume: bool = False
    device: str = "auto"
    compile: bool = False
    masked: bool = False            # train on the softmax over legal ids (data prepared with masks)
    keep_best: bool = False         # also save the best-scoring evaluation to OUT/best
    progress: bool = True
    threads: int | None = None      # torch intra-op CPU threads (process-wide); None keeps torch's default


def lr_at(step: int, cfg: TrainConfig) -> float:
    """Pure function of the step, so a resumed run follows the same schedule."""
    min_lr = cfg.lr / 10 if cfg.min_lr is None else cfg.min_lr
    if step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    t = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.max_steps - cfg.warmup_steps))
    return min_lr + 0.5 * (cfg.lr - min_lr) * (1 + math.cos(math.pi * t))


def _step_seed(seed: int, rank: int, step: int) -> int:
    return int(np.random.SeedSequence([seed, rank, step]).generate_state(1)[0])


@dataclass
class _Dist:
    rank: int = 0
    world: int = 1
    device: torch.device = torch.device("cpu")
    owns_group: bool = False

    def sum_(self, t: torch.Tensor) -> torch.Tensor:
        if self.world > 1:
            dist.all_reduce(t)
        return t


def _setup_dist(device: str) -> _Dist:
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1:
        return _Dist(device=torch.device(device))
    cuda, local = device.startswith("cuda"), int(os.environ.get("LOCAL_RANK", "0"))
    owns = not dist.is_initialized()
    if owns:
        if cuda:
            torch.cuda.set_device(local)
        dist.init_process_group("nccl" if cuda else "gloo")
    return _Dist(dist.get_rank(), dist.get_world_size(), torch.device(f"cuda:{local}" if cuda else "cpu"), owns)


def _init_model(cfg: TrainConfig, shards: Shards) -> tuple[GPT, GPTConfig, dict | None]:
    out = Path(cfg.out)
    identity = shards.meta["tokenizer"]
    if cfg.resume and (out / STATE_NAME).exists():
        state = load_train_state(out)
        model, mcfg, _ = load_checkpoint(out, expected_identity=identity)
        if mcfg.vocab_size != shards.vocab_size:
            raise TCTError(f"{out}: model vocab {mcfg.vocab_size} != data vocab {shards.vocab_size}")
        return model.train(), mcfg, state
    if (out / CONFIG_NAME).exists():
        hint = "it has no train_state.pt to resume from" if cfg.resume else "pass --resume to continue it"
        raise TCTError(f"{out} already holds a checkpoint; {hint}, or choose another --out")
    mcfg = GPTConfig.preset(cfg.preset, shards.vocab_size, d_model=cfg.d_model, n_layers=cfg.n_layers,
                            n_heads=cfg.n_heads, context=cfg.context, dropout=cfg.dropout,
                            mlp_hidden=cfg.mlp_hidden)
    torch.manual_seed(cfg.seed)
    return GPT(mcfg), mcfg, None


def _make_optimizer(model: GPT, cfg: TrainConfig, device: torch.device) -> torch.optim.AdamW:
    params = list(model.parameters())
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": cfg.weight_decay},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(cfg.beta1, cfg.beta2), fused=device.type == "cuda")


def _cross_entropy(logits, y, legal=None, reduction="mean") -> torch.Tensor:
    """`legal` (bool, logits' shape): the softmax runs over those ids only."""
    logits = logits.float()
    if legal is not None:
        logits = logits.masked_fill(~legal, -float("inf"))
    return F.cross_entropy(logits.flatten(0, 1), y.flatten(), ignore_index=IGNORE, reduction=reduction)


def _loss(net, x, y, autocast, reduction="mean", legal=None) -> torch.Tensor:
    with autocast:
        logits, _ = net(x)
    return _cross_entropy(logits, y, legal, reduction)


def _mask_table(shards: Shards, device) -> torch.Tensor | None:
    return None if shards.mask_table is None else torch.from_numpy(shards.mask_table).to(device)


@torch.no_grad()
def evaluate(model: GPT, shards: Shards, batch_size: int = 16, overlap: int | None = None,
             max_docs: int | None = None, autocast=None, d: _Dist | None = None) -> dict:
    """Val loss (nats/token) and, on a full pass with val_bytes known, bits per byte; both
    also under the legal-id masks when the data has them.

    Under DDP (`d`), each rank scores a strided share of the documents and the sums are
    all-reduced, so every rank returns the same numbers.
    """
    d = d or _Dist(device=next(model.parameters()).device)
    autocast = autocast or nullcontext()
    context = model.config.context
    n_docs = len(shards.val.docs) if max_docs is None else min(max_docs, len(shards.val.docs))
    overlap = context // 4 if overlap is None else overlap
    was_training = model.training
    model.eval()
    table = _mask_table(shards, d.device) if shards.val.masks is not None else None
    total = torch.zeros(3, dtype=torch.float64, device=d.device)  # nats, masked nats, targets
    batch = []

    def flush():
        x, y, m = (torch.from_numpy(np.stack(a)).to(d.device) if a[0] is not None else None for a in zip(*batch))
        with autocast:
            logits, _ = model(x)
        total[0] += _cross_entropy(logits, y, reduction="sum").double()
        if table is not None:
            total[1] += _cross_entropy(logits, y, table[m], reduction="sum").double()
        total[2] += (y != IGNORE).sum()
        batch.clear()

    for window in shards.eval_windows(range(d.rank, n_docs, d.world), context, overlap, table is not None):
        batch.append(window)
        if len(batch) == batch_size:
            flush()
    if batch:
        flush()
    model.train(was_training)
    nats, masked, count = d.sum_(total).tolist()
    full = n_docs == len(shards.val.docs)
    val_bytes = shards.meta.get("val_bytes") if full else None
    out = {"val_loss": nats / max(count, 1), "val_tokens": int(count), "val_bpb": bits_per_byte(nats, val_bytes)}
    if table is not None:
        out.update(val_masked_loss=masked / max(count, 1), val_masked_bpb=bits_per_byte(masked, val_bytes))
    return out


BEST_DIR = "best"


def val_score(record: dict) -> float | None:
    """What "best" means: masked bits per byte, else bits per byte, else loss (lower is better)."""
    for key in ("val_masked_bpb", "val_bpb", "val_loss"):
        if record.get(key) is not None:
            return record[key]
    return None


def _best_so_far(out: Path) -> float:
    if not (out / BEST_DIR / CONFIG_NAME).exists():
        return math.inf
    score = val_score(read_checkpoint_config(out / BEST_DIR).get("extra", {}))
    return math.inf if score is None else score


METRICS_NAME = "metrics.jsonl"


def read_metrics(out: str | os.PathLike) -> list[dict]:
    """The records a run wrote to OUT/metrics.jsonl (train, val, end), in order."""
    return [json.loads(line) for line in (Path(out) / METRICS_NAME).read_text(encoding="utf-8").splitlines()]


def _trim_metrics(path: Path, step: int) -> None:
    """On resume, drop records an interrupted run wrote after its last checkpoint."""
    if not path.exists():
        return
    keep = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("step", 0) <= step:
                keep.append(line + "\n")
        except ValueError:  # a line cut short by the crash
            pass
    text = "".join(keep)
    write_files_atomically(path.parent, {path.name: lambda p: p.write_text(text, encoding="utf-8")})


def train(cfg: TrainConfig) -> dict:
    """Run (or resume) training; returns a summary {step, stopped, train_loss, val_loss, val_bpb, params}."""
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    d = _setup_dist(cfg.device)
    try:
        return _train(cfg, d)
    finally:
        if d.owns_group:
            dist.destroy_process_group()


def _train(cfg: TrainConfig, d: _Dist) -> dict:
    shards = Shards(cfg.data)
    if cfg.masked and shards.train.masks is None:
        raise TCTError(f"{cfg.data}: --masked needs data prepared with masks (tct data prepare --masks)")
    model, mcfg, state = _init_model(cfg, shards)
    shards.check_context(mcfg.context)
    model.to(d.device)
    opt = _make_optimizer(model, cfg, d.device)
    step = 0
    if state is not None:
        opt.load_state_dict(state["optimizer"])
        step = int(state["step"])
    out, main = Path(cfg.out), d.rank == 0
    metrics_path = out / METRICS_NAME
    if main:
        out.mkdir(parents=True, exist_ok=True)
        _trim_metrics(metrics_path, step)
        if state is not None and state.get("world_size") != d.world:
            print(f"note: resuming a {state.get('world_size')}-rank run on {d.world} ranks; "
                  "windows will differ from the uninterrupted run", file=sys.stderr)

    net = torch.compile(model) if cfg.compile else model
    if d.world > 1:
        ids = [d.device.index] if d.device.type == "cuda" else None
        net = torch.nn.parallel.DistributedDataParallel(net, device_ids=ids)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if d.device.type == "cuda" else nullcontext()
    table = _mask_table(shards, d.device) if cfg.masked else None
    context, accum = mcfg.context, cfg.grad_accum
    tokens_per_step = cfg.batch_size * context * accum * d.world
    end = cfg.max_steps if cfg.stop_at_step is None else min(cfg.max_steps, cfg.stop_at_step)
    identity = shards.meta["tokenizer"]
    start_time = time.time()
    deadline = start_time + 60 * cfg.max_minutes if cfg.max_minutes else None

    def log(record: dict):
        if main:
            with open(metrics_path, "a", encoding="utf-8") as f:
                f.write(json.dumps({**record, "time": round(time.time(), 3)}) + "\n")

    summary = {"step": step, "stopped": None, "train_loss": None, "val_loss": None, "val_bpb": None,
               "val_masked_loss": None, "val_masked_bpb": None, "params": model.num_params()}

    def extra():
        return {k: summary[k] for k in ("step", "train_loss", "val_loss", "val_bpb", "val_masked_bpb")}

    def save():
        if main:
            train_state = {"step": step, "optimizer": opt.state_dict(), "seed": cfg.seed, "world_size": d.world,
                           "train_config": json.loads(json.dumps(asdict(cfg), default=str))}
            save_checkpoint(out, model, mcfg, identity, extra=extra(), train_state=train_state)
        if d.world > 1:
            dist.barrier()

    best = _best_so_far(out) if main and cfg.keep_best else math.inf

    def run_eval():
        r = evaluate(model, shards, cfg.eval_batch_size or cfg.batch_size, cfg.eval_overlap,
                     cfg.eval_max_docs, autocast, d)
        nonlocal best
        summary.update({k: r.get(k) for k in ("val_loss", "val_bpb", "val_masked_loss", "val_masked_bpb")})
        log({"kind": "val", "step": step, **r})
        score = val_score(r)
        if main and cfg.keep_best and score is not None and score < best:
            best = score
            save_checkpoint(out / BEST_DIR, model, mcfg, identity, extra=extra())
        if main:
            bar.write(f"step {step}: val loss {r['val_loss']:.4f}"
                      + (f", {r['val_bpb']:.4f} bits/byte" if r["val_bpb"] is not None else "")
                      + (f"; masked {r['val_masked_loss']:.4f}" if "val_masked_loss" in r else "")
                      + (f", {r['val_masked_bpb']:.4f} bits/byte" if r.get("val_masked_bpb") is not None else ""))

    loss_acc = torch.zeros((), device=d.device)
    log_steps, log_t = 0, time.time()

    def log_train():
        nonlocal log_steps, log_t
        train_loss = d.sum_(loss_acc).item() / d.world / log_steps
        now = time.time()
        summary["train_loss"] = train_loss
        log({"kind": "train", "step": step, "loss": train_loss, "lr": lr,
             "tokens_per_s": tokens_per_step * log_steps / max(now - log_t, 1e-9),
             "elapsed_s": round(now - start_time, 3)})
        bar.set_postfix(loss=f"{train_loss:.4f}", lr=f"{lr:.2e}")
        loss_acc.zero_()
        log_steps, log_t = 0, now

    bar = tqdm(total=end, initial=step, unit="step", disable=not (main and cfg.progress), dynamic_ncols=True)
    trained = False
    stopped = "max_steps" if end == cfg.max_steps else "stop_at_step"
    while step < end:
        lr = lr_at(step, cfg)
        for g in opt.param_groups:
            g["lr"] = lr
        rng = np.random.default_rng([cfg.seed, d.rank, step])
        torch.manual_seed(_step_seed(cfg.seed, d.rank, step))  # dropout
        for micro in range(accum):
            x, y, m = (None if a is None else torch.from_numpy(a).to(d.device)
                       for a in shards.sample_batch(rng, cfg.batch_size, context, cfg.masked))
            sync = net.no_sync() if d.world > 1 and micro < accum - 1 else nullcontext()
            with sync:
                loss = _loss(net, x, y, autocast, legal=None if m is None else table[m]) / accum
                loss.backward()
            loss_acc += loss.detach()
        if cfg.grad_clip:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        step, log_steps, trained = step + 1, log_steps + 1, True
        summary["step"] = step
        bar.update(1)

        if (cfg.log_every and step % cfg.log_every == 0) or step == end:
            log_train()
        if cfg.eval_every and step % cfg.eval_every == 0:
            run_eval()
        if cfg.ckpt_every and step % cfg.ckpt_every == 0 and step < end:
            save()
        if deadline is not None:
            late = d.sum_(torch.tensor(float(time.time() > deadline), device=d.device)).item() > 0
            if late and step < end:  # every rank must agree, or DDP deadlocks
                stopped = "max_minutes"
                break
    bar.close()
    if log_steps:  # stopped by max_minutes between log steps
        log_train()
    if trained:
        if not (cfg.eval_every and step % cfg.eval_every == 0):
            run_eval()
        save()
    summary["stopped"] = stopped
    log({"kind": "end", "step": step, "stopped": stopped})
    return summary


# ---------------------------------------------------------------- command line

def build_arg_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Flags mirror TrainConfig (underscores become dashes); pass a subparser to embed them."""
    p = parser or argparse.ArgumentParser(prog="tct train", description="Train a GPT on tct token shards.")
    helps = {
        "data": "data dir with meta.json, train.bin, val.bin, *_docs.npy",
        "out": "output/checkpoint dir",
        "preset": f"model size: {', '.join(PRESETS)}",
        "batch_size": "windows per rank per micro-step",
        "max_steps": "total optimizer steps (lr schedule length)",
        "stop_at_step": "stop (with checkpoint) at this step without changing the schedule",
        "max_minutes": "stop cleanly with a checkpoint after this much wall time",
        "resume": "continue from OUT/train_state.pt (starts fresh if OUT has no checkpoint)",
        "eval_max_docs": "limit validation to this many docs (disables bits per byte)",
        "device": "auto, cpu, cuda, cuda:N",
        "progress": "show a progress bar",
        "threads": "torch CPU threads per process (torchrun sets 1 via OMP_NUM_THREADS)",
        "masked": "train on the softmax over each position's legal ids (data prepared with masks)",
        "keep_best": "also save weights + config to OUT/best whenever the val score improves",
    }
    defaults = TrainConfig(data="", out="")
    for f in fields(TrainConfig):
        flag, default = "--" + f.name.replace("_", "-"), getattr(defaults, f.name)
        if f.name in ("data", "out"):
            p.add_argument(flag, required=True, help=helps[f.name])
        elif isinstance(default, bool):
            p.add_argument(flag, action=argparse.BooleanOptionalAction, default=default, help=helps.get(f.name))
        else:
            kind = {"int": int, "float": float, "str": str}[str(f.type).split(" ")[0]]
            p.add_argument(flag, type=kind, default=default, help=helps.get(f.name),
                           **({"choices": list(PRESETS)} if f.name == "preset" else {}))
    return p


def run_from_args(args: argparse.Namespace) -> dict:
    names = {f.name for f in fields(TrainConfig)}
    return train(TrainConfig(**{k: v for k, v in vars(args).items() if k in names}))


def main(argv: list[str] | None = None) -> int:
    args = build_arg_parser().parse_args(argv)
    try:
        summary = run_from_args(args)
    except TCTError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps(summary))
    return 0
