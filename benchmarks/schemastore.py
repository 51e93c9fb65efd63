"""SchemaStore suites: which schemas compile strictly, verdict agreement with jsonschema on their
test documents, lossless round trips, and random walks checked by jsonschema.

    python benchmarks/schemastore.py [--walks 1000] [--max-tokens 2000] [NAME ...]
"""

import argparse
import json
import sys
import time

import numpy as np

import tct
from _shared import SUITES
from tct.generation.constrained import random_walk
from tct.schema.reference import reference_validator


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--walks", type=int, default=1000)
    ap.add_argument("--max-tokens", type=int, default=2000)
    args = ap.parse_args()
    names = args.names or sorted(p.name for p in SUITES.iterdir() if (p / "schema.json").exists())
    compiled, failed = [], []
    totals = dict(agree=0, disagree=0, roundtrip_ok=0, roundtrip_bad=0, skipped=0, walks=0, walks_valid=0)
    for name in names:
        d = SUITES / name
        schema = json.loads((d / "schema.json").read_text(encoding="utf-8"))
        t = time.perf_counter()
        try:
            tok = tct.Tokenizer.from_schema(schema)
        except tct.SchemaError as exc:
            failed.append((name, str(exc)))
            continue
        compile_s = time.perf_counter() - t
        compiled.append(name)
        validator = reference_validator(schema)
        disagreements = []
        for sub in ("valid", "invalid"):
            for f in sorted((d / sub).glob("*")) if (d / sub).exists() else []:
                try:
                    doc = tct.load_document(f)
                    expected = validator.is_valid(doc)
                except Exception:  # unreadable as JSON, or jsonschema cannot run an ECMA regex
                    totals["skipped"] += 1
                    continue
                try:
                    ids = tok.encode(doc)
                    ours = True
                except tct.SchemaViolation:
                    ours = False
                if ours == expected:
                    totals["agree"] += 1
                else:
                    totals["disagree"] += 1
                    disagreements.append(f"{sub}/{f.name}")
                if ours:
                    ok = tok.decode(ids) == doc and json.dumps(tok.decode(ids)) == json.dumps(doc)
                    totals["roundtrip_ok" if ok else "roundtrip_bad"] += 1
        rng = np.random.default_rng(0)
        valid = 0
        t = time.perf_counter()
        overruns = 0
        for _ in range(args.walks):
            try:
                doc = tok.decode(random_walk(tok, rng, max_tokens=args.max_tokens))
            except tct.TCTError:  # the budget promised a shorter completion than it took
                overruns += 1
                continue
            valid += validator.is_valid(doc)
        totals["walk_budget_overruns"] = totals.get("walk_budget_overruns", 0) + overruns
        totals["walks"] += args.walks
        totals["walks_valid"] += valid
        print(f"{name:40} compile {compile_s:6.3f}s  vocab {tok.vocab_size:4}  walks valid {valid}/{args.walks}"
              f" ({time.perf_counter() - t:.1f}s)" + (f"  BUDGET OVERRUNS {overruns}" if overruns else "")
              + (f"  DISAGREE {disagreements}" if disagreements else ""),
              flush=True)
    print(f"\ncompiled strictly: {len(compiled)} of {len(names)}")
    print(json.dumps(totals))
    for name, why in failed:
        print(f"not compiled: {name}: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
