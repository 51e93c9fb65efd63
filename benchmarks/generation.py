"""Generation: validity under jsonschema across models, temperatures, seeds and a prefix, and
speed with and without the decoder's mask (the mask's share of a step).

    python benchmarks/generation.py [--models random default] [--seeds 20] [--max-tokens 1024]
"""

import argparse
import json
import sys
import time

import torch

import tct
from tct.generation.sampler import GenerationStats, generate
from tct.schema.reference import reference_validator

PREFIX = '{"name": "CI", "on": "push", "jobs": {'
TEMPERATURES = (0.1, 0.8, 1.2, 1.5, 2.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["random", "default"])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--max-tokens", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.models:
        model = tct.load_model(name)
        validator = reference_validator(model.tokenizer.compiler.index.root)
        print(f"model {name}: {model.net.num_params():,} parameters, context {model.config.context}")
        for prefix in (None, PREFIX):
            for t in TEMPERATURES:
                stats = GenerationStats()
                docs = []
                for seed in range(args.seeds):
                    docs += generate(model, n=1, temperature=t, top_p=0.95, seed=seed, prefix=prefix,
                                     max_tokens=args.max_tokens, stats=stats)
                valid = sum(validator.is_valid(d) for d in docs)
                distinct = len({json.dumps(d) for d in docs})
                print(f"  prefix={'yes' if prefix else 'no '} T={t:<4} valid {valid}/{len(docs)}  "
                      f"max len {max(stats.lengths)} <= {args.max_tokens}  distinct {distinct}  "
                      f"{stats.tokens_per_second:6.0f} tok/s  mask share {100 * stats.mask_seconds / stats.seconds:4.1f}%",
                      flush=True)
        # Same model, same batch: with the mask vs. without it (unmasked ids are repaired, never used).
        for use_mask in (True, False):
            stats = GenerationStats()
            t0 = time.perf_counter()
            generate(model, n=8, temperature=1.0, seed=0, max_tokens=args.max_tokens, use_mask=use_mask, stats=stats)
            print(f"  batch 8, mask={'on ' if use_mask else 'off'}: {stats.tokens / (time.perf_counter() - t0):6.0f} tok/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
