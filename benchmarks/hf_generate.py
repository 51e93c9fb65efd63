"""transformers generate(): tokens/s with the tct LogitsProcessor versus without it (same exported
model, same batch, same sampling settings), plus validity of the masked outputs and tct's own
sampler on the same weights for reference.

    python benchmarks/hf_generate.py [--model default] [--batch 8] [--max-tokens 512] [--repeats 4]

The first run fills the tokenizer's caches (cold); later runs are reported apart (warm).
Without the processor nothing stops a row but EOS or max_length, so rows may be longer: the
figure compared is generated (non-PAD) tokens per second of wall time.
"""

import argparse
import sys
import tempfile
import time

import torch

import tct
from tct.generation.sampler import GenerationStats
from tct.hf import LogitsProcessor, export_hf
from tct.schema.reference import reference_validator


def run(hf, tok, batch, max_tokens, seed, proc):
    torch.manual_seed(seed)
    ids = proc.input_ids(batch) if proc else torch.full((batch, 1), tok.bos_id)
    kw = {"logits_processor": [proc]} if proc else {}
    t0 = time.perf_counter()
    with torch.no_grad():
        out = hf.generate(ids, do_sample=True, temperature=1.0, top_k=0, top_p=1.0, max_length=max_tokens, **kw)
    dt = time.perf_counter() - t0
    new = out[:, ids.shape[1]:]
    return out, int((new != tok.pad_id).sum()), dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from transformers import AutoModelForCausalLM
    model = tct.load_model(args.model)
    tok = model.tokenizer
    with tempfile.TemporaryDirectory() as d:
        export_hf(model, d, max_tokens=args.max_tokens)
        hf = AutoModelForCausalLM.from_pretrained(d).eval()
    validator = reference_validator(tok.compiler.index.root)
    print(f"model {args.model}: {model.net.num_params():,} parameters; batch {args.batch}, max_tokens {args.max_tokens}, "
          f"T=1.0, {args.threads} thread(s)")
    # The first call fills the tokenizer's mask and cost caches (cold); later calls reuse them
    # (warm, what a long-running generator sees): both are reported.
    totals = {(phase, name): [0, 0.0] for phase in ("cold", "warm") for name in ("without", "with")}
    valid = n_docs = 0
    for r in range(args.repeats):
        for name in ("without", "with"):
            proc = LogitsProcessor(tok, max_tokens=args.max_tokens) if name == "with" else None
            out, n, dt = run(hf, tok, args.batch, args.max_tokens, seed=r, proc=proc)
            t = totals["cold" if r == 0 else "warm", name]
            t[0] += n
            t[1] += dt
            if proc:
                for row in out.tolist():
                    valid += validator.is_valid(tok.decode(row))
                    n_docs += 1
    for phase in ("cold", "warm") if args.repeats > 1 else ("cold",):
        (n0, t0), (n1, t1) = totals[phase, "without"], totals[phase, "with"]
        print(f"  {phase}: generate without processor {n0 / t0:7.0f} tok/s ({n0} tokens), with processor "
              f"{n1 / t1:7.0f} tok/s ({n1} tokens): overhead {100 * (n0 / t0 / (n1 / t1) - 1):.0f}%")
    print(f"  processor outputs valid under jsonschema: {valid}/{n_docs}")
    stats = GenerationStats()
    tct.generate(model, n=args.batch, temperature=1.0, seed=0, max_tokens=args.max_tokens, stats=stats)
    print(f"  tct.generate (reference):   {stats.tokens_per_second:7.0f} tok/s  ({stats.tokens} tokens)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
