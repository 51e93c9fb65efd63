"""Generation: validity under jsonschema across models, temperatures, seeds and a prefix, and
the cost of the decoder's mask + budget in a batch-8 step, side by side with sampling the raw
logits (same model, same batch, same sampler, no decoder).

    python benchmarks/generation.py [--models random default] [--seeds 20] [--max-tokens 1024]
        [--tokenizer github-workflow]   # random models over a trained (merged) tokenizer
        [--seeds 0]                     # speed only

Raw-logit rows stop only at EOS or `--max-tokens`, so they may run longer: compared per step.
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


def validity(model, args, validator):
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


def step_costs(model, args):
    """Batch-8 steps with and without the mask, alternating, `--repeats` seeds each."""
    totals = {False: GenerationStats(), True: GenerationStats()}
    cpu = {False: 0.0, True: 0.0}
    for seed in range(args.repeats):
        for use_mask in (False, True):
            c0 = time.process_time()
            generate(model, n=args.batch, temperature=1.0, seed=seed, max_tokens=args.max_tokens,
                     use_mask=use_mask, stats=totals[use_mask])
            cpu[use_mask] += time.process_time() - c0
    raw, masked = totals[False], totals[True]

    def ms(stats, seconds):
        return 1000 * seconds / stats.steps

    print(f"  batch {args.batch}, T=1.0, {args.repeats} seeds, max_tokens {args.max_tokens}: ms per step (wall / CPU)")
    print(f"    raw logits:      {ms(raw, raw.seconds):6.2f} / {ms(raw, cpu[False]):6.2f}   "
          f"{raw.tokens / raw.seconds:6.0f} tok/s  ({raw.steps} steps)")
    print(f"    mask + budget:   {ms(masked, masked.seconds):6.2f} / {ms(masked, cpu[True]):6.2f}   "
          f"{masked.tokens / masked.seconds:6.0f} tok/s  ({masked.steps} steps)")
    print(f"    mask + budget share of a masked step: {100 * masked.mask_seconds / masked.seconds:.1f}% "
          f"(step time over raw: {100 * (ms(masked, masked.seconds) / ms(raw, raw.seconds) - 1):+.1f}% wall, "
          f"{100 * (ms(masked, cpu[True]) / ms(raw, cpu[False]) - 1):+.1f}% CPU)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", nargs="+", default=["random", "default"])
    ap.add_argument("--tokenizer", default=None, help="tokenizer for random models (a name or directory)")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--max-tokens", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tokenizer = tct.Tokenizer.load(args.tokenizer) if args.tokenizer else None
    for name in args.models:
        model = tct.load_model(name, tokenizer=tokenizer if name == "random" else None)
        validator = reference_validator(model.tokenizer.compiler.index.root)
        print(f"model {name}: {model.net.num_params():,} parameters, context {model.config.context}, "
              f"{model.tokenizer.vocab_size} ids, {args.threads} thread(s)")
        if args.seeds:
            validity(model, args, validator)
        step_costs(model, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
