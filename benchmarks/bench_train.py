"""Training throughput (tokens/s) of the model presets on this machine.

    python benchmarks/bench_train.py [--presets tiny small] [--steps 5] [--batch 8] [--vocab 400]

Times full optimizer steps (forward, backward, clip, AdamW) on random ids with the same
loss, optimizer and autocast the trainer uses, after one warm-up step.  "Tokens" are input
positions: batch * context per step.  Each timing is repeated and the best and median are
printed, because shared CPUs are noisy (other jobs can slow a single run several-fold).
"""

import argparse
import time
from contextlib import nullcontext

import torch

from tct.model.gpt import GPT, GPTConfig
from tct.train.loop import TrainConfig, _loss, _make_optimizer


def bench(preset: str, vocab: int, batch: int, steps: int, repeat: int,
          device: torch.device) -> tuple[int, list[float]]:
    torch.manual_seed(0)
    cfg = GPTConfig.preset(preset, vocab)
    model = GPT(cfg).to(device).train()
    opt = _make_optimizer(model, TrainConfig(data="", out=""), device)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if device.type == "cuda" else nullcontext()
    x = torch.randint(0, vocab, (batch, cfg.context), device=device)
    y = torch.randint(0, vocab, (batch, cfg.context), device=device)

    def step():
        _loss(model, x, y, autocast).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    step()  # warm-up: allocator, kernels
    rates = []
    for _ in range(repeat):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(steps):
            step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        rates.append(batch * cfg.context * steps / (time.perf_counter() - t))
    return model.num_params(), sorted(rates)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--presets", nargs="+", default=["tiny", "small"])
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--vocab", type=int, default=400)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"device {device}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"batch {args.batch}, vocab {args.vocab}")
    for preset in args.presets:
        n, rates = bench(preset, args.vocab, args.batch, args.steps, args.repeat, device)
        best, median = rates[-1], rates[len(rates) // 2]
        print(f"{preset:>7}: {n / 1e6:6.2f}M params  best {best:9,.0f}  median {median:9,.0f} tokens/s")


if __name__ == "__main__":
    main()
