"""Random walks of the shipped github-workflow tokenizer judged with ECMA-262 patterns.

    python benchmarks/workflow_walks.py [--walks 200] [--reference PATH/TO/reference.py]

`--reference` loads the ECMA reference validator from another file, so that an older tct
(on PYTHONPATH) is judged by the same ECMA rules.
"""

import argparse
import importlib.util
import time

import numpy as np

import tct
from tct.generation.constrained import random_walk
from tct.schema.load import read_schema


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--walks", type=int, default=200)
    ap.add_argument("--reference", default=None)
    args = ap.parse_args()
    if args.reference:
        spec = importlib.util.spec_from_file_location("ecma_reference", args.reference)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        make = mod.reference_validator
    else:
        from tct.schema.reference import reference_validator as make
    tok = tct.Tokenizer.from_schema("github-workflow")
    validator = make(read_schema("github-workflow")[0])
    rng = np.random.default_rng(0)
    t, bad = time.perf_counter(), 0
    for _ in range(args.walks):
        bad += not validator.is_valid(tok.decode(random_walk(tok, rng, max_tokens=1500)))
    print(f"github-workflow: {args.walks - bad}/{args.walks} random walks valid under ECMA patterns "
          f"({time.perf_counter() - t:.0f}s)")


if __name__ == "__main__":
    main()
