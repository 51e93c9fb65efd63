"""Train several model variants at once, each for the same wall-clock, and print their best
validation scores side by side. Made for a lent GPU, where one small GPT leaves most of the
chip idle: the variants run as concurrent `python -m tct.train` processes sharing it.

    python benchmarks/train_sweep.py --minutes 6 --work runs/sweep \\
        --variant m192=DATA_MERGED:d_model=192,n_layers=5,n_heads=6,dropout=0.1 \\
        --variant bpe8k=DATA_BPE:d_model=192,n_layers=5,n_heads=6,dropout=0.1 \\
        --common context=1024,batch_size=32 [--pack DIR]

A variant is NAME=DATA_DIR:flag=value,... with `tct.train` flags (underscores for dashes).
All variants first run a short probe together, so each one's step rate is measured under the
same sharing; then each cosine schedule is fitted to `--minutes`. Runs keep their best
evaluation (`--keep-best`), because a corpus of 2.5k documents is read for many epochs.
`--pack DIR` writes one tar per variant (best/ checkpoint and metrics) plus sweep.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
sys.path.insert(0, str(SRC))  # a checkout on a bare GPU machine: tct is not installed there
from tct.train.loop import read_metrics  # noqa: E402  (torch, numpy, safetensors, tqdm only)


def parse_flags(text: str) -> list[str]:
    out = []
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        flag = "--" + key.strip().replace("_", "-")
        if value.lower() in ("true", "false"):  # boolean flags of tct.train
            out.append(flag if value.lower() == "true" else "--no-" + flag[2:])
        else:
            out += [flag, value]
    return out


def flag_value(flags: list[str], name: str, default: int) -> int:
    return int(flags[flags.index(name) + 1]) if name in flags else default


def launch(name: str, data: str, out: Path, flags: list[str], log_dir: Path, threads: int) -> subprocess.Popen:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "tct.train", "--data", data, "--out", str(out), "--no-progress",
           "--log-every", "10", *flags]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    log = open(log_dir / f"{name}.log", "w")
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_all(procs: dict[str, subprocess.Popen], log_dir: Path, prefix: str = "") -> None:
    failed = [n for n, p in procs.items() if p.wait() != 0]
    for n in failed:
        print(f"{prefix}{n} failed:\n" + (log_dir / f"{prefix}{n}.log").read_text()[-3000:], file=sys.stderr)
    if failed:
        sys.exit(1)


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", action="append", required=True, help="NAME=DATA_DIR:flag=value,...")
    ap.add_argument("--common", default="", help="flags every variant gets (a variant's own win)")
    ap.add_argument("--minutes", type=float, default=6)
    ap.add_argument("--probe-steps", type=int, default=30)
    ap.add_argument("--evals", type=int, default=12, help="evaluations per run")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads per process")
    ap.add_argument("--work", default="runs/sweep")
    ap.add_argument("--pack", help="write NAME.tar (best checkpoint + metrics) and sweep.json here")
    ap.add_argument("--pack-only", help="comma-separated variants to pack (default: all)")
    args = ap.parse_args()

    work, common = Path(args.work), parse_flags(args.common)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    variants = {}
    for spec in args.variant:
        name, _, rest = spec.partition("=")
        data, _, flags = rest.partition(":")
        variants[name] = (data, common + parse_flags(flags))  # argparse: the last flag wins

    t0 = time.time()
    probes = {n: launch(f"probe-{n}", data, work / f"probe-{n}",
                        flags + ["--max-steps", str(args.probe_steps), "--warmup-steps", "2", "--eval-every", "0",
                                 "--eval-max-docs", "1", "--ckpt-every", "0"], logs, args.threads)
              for n, (data, flags) in variants.items()}
    wait_all(probes, logs, "probe-")
    plans = {}
    for n, (data, flags) in variants.items():
        rate = [r for r in read_metrics(work / f"probe-{n}") if r["kind"] == "train"][-1]["tokens_per_s"]
        tokens_per_step = flag_value(flags, "--batch-size", 16) * flag_value(flags, "--context", 512) \
            * flag_value(flags, "--grad-accum", 1)
        steps = max(20, int(args.minutes * 60 * rate / tokens_per_step * 0.9))
        plans[n] = {"tokens_per_s": rate, "steps": steps}
        print(f"{n}: {rate:,.0f} tokens/s in the probe -> {steps} steps", flush=True)
    print(f"probes took {time.time() - t0:.0f} s", flush=True)

    runs = {n: launch(n, data, work / n,
                      flags + ["--max-steps", str(plans[n]["steps"]), "--warmup-steps",
                               str(min(200, plans[n]["steps"] // 10)),
                               "--eval-every", str(max(1, plans[n]["steps"] // args.evals)),
                               "--ckpt-every", "0", "--max-minutes", str(args.minutes), "--keep-best"],
                      logs, args.threads)
            for n, (data, flags) in variants.items()}
    wait_all(runs, logs)

    rows = {}
    print(f"\n{'variant':<10} {'params':>9} {'steps':>11} {'best step':>9} {'bits/byte':>9} {'masked':>7} "
          f"{'last':>7} {'train loss':>10} {'val loss':>8}")
    for n in variants:
        recs = read_metrics(work / n)
        vals = [r for r in recs if r["kind"] == "val"]
        best = json.loads((work / n / "best" / "config.json").read_text())
        extra = best["extra"]
        params = json.loads((logs / f"{n}.log").read_text().strip().splitlines()[-1])["params"]
        done = recs[-1]["step"]
        rows[n] = {"model": best["model"], "params": params, "plan": plans[n], "steps_done": done, "best": extra,
                   "last": vals[-1], "curve": [{k: r.get(k) for k in ("step", "val_bpb", "val_masked_bpb",
                                                                        "val_loss", "time")} for r in vals],
                   "train": [{k: r[k] for k in ("step", "loss", "tokens_per_s")} for r in recs
                             if r["kind"] == "train"][-1]}
        print(f"{n:<10} {params:>9,} {done:>5}/{plans[n]['steps']:<5} {extra['step']:>9} {fmt(extra['val_bpb']):>9} "
              f"{fmt(extra.get('val_masked_bpb')):>7} {fmt(vals[-1]['val_bpb']):>7} "
              f"{fmt(rows[n]['train']['loss']):>10} {fmt(extra['val_loss']):>8}", flush=True)
    print(f"sweep took {(time.time() - t0) / 60:.1f} min")

    if args.pack:
        pack = Path(args.pack)
        pack.mkdir(parents=True, exist_ok=True)
        (pack / "sweep.json").write_text(json.dumps(rows, indent=1))
        for n in (args.pack_only.split(",") if args.pack_only else variants):
            with tarfile.open(pack / f"{n}.tar", "w") as tar:
                tar.add(work / n / "best", arcname=f"{n}/best")
                tar.add(work / n / "metrics.jsonl", arcname=f"{n}/metrics.jsonl")


if __name__ == "__main__":
    main()
