"""Codec figures on the shared workflow corpus, side by side with jsonschema on the same docs.

    python benchmarks/codec.py [--split val] [--limit N]

Prints: compile time, encode / decode docs/s vs jsonschema validation docs/s, allowed() cost
per token (cold and warm cache), tokens per workflow vs bytes of minified JSON.
"""

import argparse
import json
import statistics
import sys
import time

import jsonschema

import tct
from _shared import CORPUS, manifest
from tct.schema.load import read_schema


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=0, help="use only the first N valid files")
    ap.add_argument("--split", default="", help="only this split of the corpus (train, val, ...)")
    args = ap.parse_args()
    entries = [e for e in manifest() if e["verdict"] == "valid" and (not args.split or e["split"] == args.split)]
    if args.limit:
        entries = entries[: args.limit]
    docs = [tct.load_document(CORPUS / e["file"]) for e in entries]
    print(f"{len(docs)} valid workflows from {CORPUS}")

    t = time.perf_counter()
    tok = tct.Tokenizer.from_schema("github-workflow")
    print(f"compile github-workflow: {time.perf_counter() - t:.3f} s (states {len(tok.compiler.explored())}, vocab {tok.vocab_size})")

    validator = jsonschema.Draft7Validator(read_schema("github-workflow")[0])
    t = time.perf_counter()
    for d in docs:
        validator.is_valid(d)
    t_js = time.perf_counter() - t

    t = time.perf_counter()
    streams = [tok.encode(d) for d in docs]
    t_enc_cold = time.perf_counter() - t
    t = time.perf_counter()
    streams = [tok.encode(d) for d in docs]
    t_enc = time.perf_counter() - t
    t = time.perf_counter()
    back = [tok.decode(s) for s in streams]
    t_dec = time.perf_counter() - t
    assert back == docs
    n = len(docs)
    print(f"jsonschema validate : {n / t_js:9.1f} docs/s")
    print(f"tct encode          : {n / t_enc:9.1f} docs/s  (first pass, cold caches: {n / t_enc_cold:.1f} docs/s)")
    print(f"tct decode          : {n / t_dec:9.1f} docs/s")

    # allowed(): the mask a sampler asks for at every step.
    tok2 = tct.Tokenizer.from_schema("github-workflow")
    for label, t2 in (("cold cache", tok2), ("warm cache", tok2)):
        total, calls = 0.0, 0
        for s in streams[:300]:
            d = t2.decoder()
            for i in s:
                t = time.perf_counter()
                d.allowed()
                total += time.perf_counter() - t
                calls += 1
                d.feed(i)
        print(f"allowed() {label:10}: {1e6 * total / calls:7.2f} us per token over {calls} tokens")

    tokens = [len(s) for s in streams]
    sizes = [len(json.dumps(d, ensure_ascii=False, separators=(",", ":")).encode()) for d in docs]
    print(f"tokens per workflow : mean {statistics.mean(tokens):.0f}, median {statistics.median(tokens):.0f}")
    print(f"minified JSON bytes : mean {statistics.mean(sizes):.0f}, median {statistics.median(sizes):.0f}")
    print(f"tokens per byte     : {sum(tokens) / sum(sizes):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
