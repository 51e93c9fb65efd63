"""1 process vs 2 torchrun processes (gloo, CPU) on the same data and global batch: the loss
curves should have the same shape.

    python benchmarks/ddp_compare.py DATA_DIR [--steps 60]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def run(data, out, nproc, steps, batch):
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={nproc}",
           "-m", "tct.train", "--data", data, "--out", out, "--preset", "tiny", "--max-steps", str(steps),
           "--batch-size", str(batch // nproc), "--warmup-steps", "10", "--log-every", "10",
           "--eval-every", str(steps), "--eval-max-docs", "40", "--ckpt-every", str(steps), "--no-progress"]
    subprocess.run(cmd, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"}, stdout=subprocess.DEVNULL)
    return [json.loads(line) for line in (Path(out) / "metrics.jsonl").read_text().splitlines()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--batch", type=int, default=8, help="global windows per step")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        curves = {n: run(args.data, f"{tmp}/p{n}", n, args.steps, args.batch) for n in (1, 2)}
    train = {n: {m["step"]: m for m in c if m["kind"] == "train"} for n, c in curves.items()}
    print(f"{'step':>5} {'loss 1 proc':>12} {'loss 2 procs':>13} {'tok/s 1':>9} {'tok/s 2':>9}")
    for step in sorted(set(train[1]) & set(train[2])):
        a, b = train[1][step], train[2][step]
        print(f"{step:5} {a['loss']:12.4f} {b['loss']:13.4f} {a['tokens_per_s']:9.0f} {b['tokens_per_s']:9.0f}")
    for n in (1, 2):
        val = [m for m in curves[n] if m["kind"] == "val"]
        print(f"{n} process(es): final val loss {val[-1]['val_loss']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
