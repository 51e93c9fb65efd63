"""Does tct learn workflows better than byte-level BPE? The same GPT and the same training loop
(`python -m tct.train` under torchrun), the same wall-clock per variant, on the shared corpus:
bits per byte of minified JSON on the val split, side by side, with the curve over time.

    python benchmarks/vs_bpe.py [--minutes 6] [--variants bpe-1024,bpe-8192,tct,tct-masked]
                                [--tokenizer github-workflow] [--work DIR] [--nproc 2]

Variants: `bpe-N` (HF byte-level BPE with N entries learned on the train split, `[BOS] text
[EOS]`, 64 position ids for windows like tct's), `tct` (the given tct tokenizer, trained on
the plain softmax), `tct-masked` (trained on the softmax over each position's legal ids).
Every tct run is scored both ways: "masked" is what sampling under the tokenizer's mask
realizes (an upper bound of it with merges, whose stored masks admit a merged id by its first
base id), "plain" is the full softmax. BPE rows only have the plain figure.

Each variant first runs a few steps to measure its step time, and its cosine schedule is set to
end at the wall-clock budget. Evaluations (four per run) are counted in that budget, so longer
streams pay a little more for them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tct
from _shared import CORPUS
from tct.data.documents import load_document
from tct.data.prepare import corpus_files, prepare
from tct.data.shards import Shards, write_shards
from tct.model.gpt import GPTConfig
from tct.train.loop import read_metrics

N_POS, POS_STRIDE = 64, 256  # windows of BPE streams carry a position id, as tct's do


def minified(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def bpe_shards(tct_data: Path, out: Path, vocab: int) -> None:
    """BPE shards over exactly the documents the tct shards hold (same split, same val bytes)."""
    from tokenizers import ByteLevelBPETokenizer
    texts = {"train": [], "val": []}
    for path, split in corpus_files(CORPUS, 0.1):
        try:
            doc = load_document(path)
        except tct.TCTError:
            continue
        texts[split].append(minified(doc))
    shards = Shards(tct_data)
    # the tct shards skip documents the schema rejects: keep the same count per split
    tok = tct.Tokenizer.from_schema("github-workflow")
    for split, items in texts.items():
        keep = []
        for t in items:
            try:
                tok.encode(json.loads(t))
                keep.append(t)
            except tct.TCTError:
                pass
        texts[split] = keep
    assert len(texts["val"]) == len(shards.val.docs), (len(texts["val"]), len(shards.val.docs))
    bpe = ByteLevelBPETokenizer()
    n_merge = vocab - 3 - N_POS
    bpe.train_from_iterator(texts["train"], vocab_size=n_merge, min_frequency=2, show_progress=False)
    size = bpe.get_vocab_size()
    bos, eos, pad, pos_base = size, size + 1, size + 2, size + 3
    streams = {s: [[bos] + bpe.encode(t).ids + [eos] for t in items] for s, items in texts.items()}
    meta = {"vocab_size": pos_base + N_POS, "pad_id": pad, "bos_id": bos, "eos_id": eos, "pos_base": pos_base,
            "n_pos": N_POS, "pos_stride": POS_STRIDE, "tokenizer": {"schema": f"bpe-{vocab}", "vocab_size": pos_base + N_POS},
            "val_bytes": sum(len(t.encode()) for t in texts["val"])}
    assert meta["val_bytes"] == shards.meta["val_bytes"], "the two splits must hold the same documents"
    write_shards(out, streams["train"], streams["val"], meta)


def torchrun(data: Path, out: Path, args, extra: list[str]) -> None:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={args.nproc}",
           "-m", "tct.train", "--data", str(data), "--out", str(out), "--preset", args.preset,
           "--no-progress", "--ckpt-every", "0", "--log-every", "5", *extra]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)


def run_variant(name: str, data: Path, work: Path, args) -> list[dict]:
    masked = ["--masked"] if name.endswith("-masked") else []
    probe = work / f"probe-{name}"
    torchrun(data, probe, args, ["--max-steps", "12", "--eval-every", "0", "--eval-max-docs", "1",
                                "--warmup-steps", "2", *masked])
    rate = [r for r in read_metrics(probe) if r["kind"] == "train"][-1]["tokens_per_s"]
    tokens_per_step = 16 * GPTConfig.preset(args.preset, 8).context * args.nproc
    steps = max(20, int(args.minutes * 60 * rate / tokens_per_step * 0.95))
    out = work / f"run-{name}"
    t = time.time()
    torchrun(data, out, args, ["--max-steps", str(steps), "--eval-every", str(max(1, steps // 4)),
                               "--warmup-steps", str(min(100, steps // 10)), "--max-minutes", str(args.minutes),
                               *masked])
    wall = time.time() - t
    recs = read_metrics(out)
    start = recs[0]["time"] - recs[0].get("elapsed_s", 0)
    vals = [{**r, "minutes": (r["time"] - start) / 60} for r in recs if r["kind"] == "val"]
    print(f"  {name}: {steps} steps planned, {recs[-1]['step']} done, {wall / 60:.1f} min wall, "
          f"{rate:,.0f} tok/s", flush=True)
    return vals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=6)
    ap.add_argument("--variants", default="bpe-1024,bpe-8192,tct,tct-masked")
    ap.add_argument("--tokenizer", default="github-workflow")
    ap.add_argument("--preset", default="tiny")
    ap.add_argument("--nproc", type=int, default=2)
    ap.add_argument("--work", default=None, help="keep shards and runs here (default: a temporary folder)")
    args = ap.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="vs_bpe-"))
    work.mkdir(parents=True, exist_ok=True)
    tok = tct.Tokenizer.load(args.tokenizer) if args.tokenizer != "base" else tct.Tokenizer.from_schema("github-workflow")
    tct_data = work / f"data-tct-{tok.vocab_size}"
    if not (tct_data / "meta.json").exists():
        prepare(CORPUS, tct_data, tok, progress=False)
    variants = args.variants.split(",")
    data = {}
    for v in variants:
        if v.startswith("bpe-"):
            data[v] = work / f"data-{v}"
            if not (data[v] / "meta.json").exists():
                bpe_shards(tct_data, data[v], int(v[4:]))
        else:
            data[v] = tct_data
    for v in variants:
        s = Shards(data[v])
        ids = s.val.docs[:, 1].mean()
        print(f"# {v}: vocab {s.vocab_size}, {ids:.0f} ids per val workflow, "
              f"{ids / (s.meta['val_bytes'] / len(s.val.docs)):.3f} ids/byte")
    print(f"# {args.minutes} min per variant, preset {args.preset}, {args.nproc} processes; work dir {work}", flush=True)
    results = {v: run_variant(v, data[v], work, args) for v in variants}
    print(f"\n{'variant':<12} {'min':>5} {'step':>6} {'bits/byte':>10} {'masked':>8}")
    for v, vals in results.items():
        for r in vals:
            masked = r.get("val_masked_bpb")
            print(f"{v:<12} {r['minutes']:>5.1f} {r['step']:>6} {r['val_bpb']:>10.4f} "
                  f"{'' if masked is None else f'{masked:.4f}':>8}")
    print("\nfinal:")
    for v, vals in results.items():
        r = vals[-1]
        best = min(r["val_bpb"], r.get("val_masked_bpb") or 9)
        print(f"  {v:<12} {best:.4f} bits/byte" + (" (masked)" if r.get("val_masked_bpb") else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
