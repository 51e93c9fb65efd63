"""Codec figures of two source trees side by side, on the same documents, taking turns.

    git worktree add /tmp/base <commit>       # or any checkout of an older tct
    python benchmarks/codec_ab.py /tmp/base/src [--split val] [--rounds 3]

Each round runs the baseline and this tree in fresh subprocesses, one after the other, and
times them in CPU seconds (process time), so that a busy shared machine disturbs the
comparison less; the best round of each is printed. Figures: vocabulary size, ids per
workflow and per byte of minified JSON, encode / decode docs/s (warm caches), and the cost
per id of `feed` and of `allowed()` (warm) along the documents' own streams.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MEASURE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import tct
from _shared import CORPUS, manifest
entries = [e for e in manifest() if e["verdict"] == "valid" and (not sys.argv[2] or e["split"] == sys.argv[2])]
docs = [tct.load_document(CORPUS / e["file"]) for e in entries]
tok = tct.Tokenizer.from_schema("github-workflow")
clock = time.process_time
streams = [tok.encode(d) for d in docs]  # warms the caches
t = clock(); streams = [tok.encode(d) for d in docs]; t_enc = clock() - t
t = clock(); back = [tok.decode(s) for s in streams]; t_dec = clock() - t
assert back == docs
t = clock()
for s in streams:
    d = tok.decoder()
    for i in s:
        d.feed(i)
t_feed = clock() - t
t = clock()
for s in streams:
    d = tok.decoder()
    for i in s:
        d.allowed()
        d.feed(i)
t_mask = clock() - t - t_feed
n_ids = sum(len(s) for s in streams)
size = sum(len(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode()) for d in docs)
print(json.dumps({"docs": len(docs), "vocab": tok.vocab_size, "ids": n_ids, "bytes": size,
                  "encode": len(docs) / t_enc, "decode": len(docs) / t_dec, "mask_us": 1e6 * t_mask / n_ids,
                  "feed_us": 1e6 * t_feed / n_ids}))
"""


def run(src: str, split: str) -> dict:
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{HERE}")
    out = subprocess.run([sys.executable, "-c", MEASURE, src, split], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("baseline", help="the src/ folder of the baseline checkout")
    ap.add_argument("--split", default="val")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    trees = {"baseline": str(Path(args.baseline).resolve()), "this tree": str(HERE.parent / "src")}
    best: dict = {}
    for r in range(args.rounds):
        for name, src in trees.items():
            m = run(src, args.split)
            print(f"round {r + 1} {name:9}: " + json.dumps({k: round(v, 3) for k, v in m.items()}), flush=True)
            b = best.setdefault(name, m)
            for k, better in (("encode", max), ("decode", max), ("mask_us", min), ("feed_us", min)):
                b[k] = better(b[k], m[k])
    print(f"\n{best['baseline']['docs']} valid workflows ({args.split or 'all'} split); best of {args.rounds} rounds, CPU time")
    print(f"{'':32}{'baseline':>12}{'this tree':>12}")
    rows = [("vocabulary size", lambda m: m["vocab"], "{:.0f}"),
            ("ids per workflow (mean)", lambda m: m["ids"] / m["docs"], "{:.0f}"),
            ("ids per byte of minified JSON", lambda m: m["ids"] / m["bytes"], "{:.3f}"),
            ("encode docs/s", lambda m: m["encode"], "{:.1f}"),
            ("decode docs/s", lambda m: m["decode"], "{:.1f}"),
            ("allowed() us per id (warm)", lambda m: m["mask_us"], "{:.2f}"),
            ("feed() us per id", lambda m: m["feed_us"], "{:.2f}")]
    for label, f, fmt in rows:
        print(f"{label:32}{fmt.format(f(best['baseline'])):>12}{fmt.format(f(best['this tree'])):>12}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
