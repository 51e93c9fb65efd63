"""Random small schemas against the reference: keyword combinations no suite writes down.

Each schema mixes objects (properties, patternProperties, additionalProperties, propertyNames,
required, min/maxProperties, dependencies), arrays (items, tuples, additionalItems,
uniqueItems, contains, min/maxItems), applicators (allOf, anyOf, oneOf, not, if/then/else),
literals, patterns and bounded numbers. A schema tct compiles must give random walks that
jsonschema accepts and that round-trip, and no walk may reach a dead state (an internal error);
refusals are counted, not judged.

    python benchmarks/random_schemas.py [--seeds 1-10] [--schemas 400] [--walks 15]
"""

import argparse
import json
import random
import sys
import time

import numpy as np

import tct
from tct.generation.constrained import BudgetError, random_walk
from tct.schema.reference import reference_validator

PATTERNS = ["^a", "b$", "^[ab]+$", "c", "^x-", "^.{2}$", "^[a-c]{1,3}$", "a.*b", "^$"]
LITERALS = [1, 2, "a", "bb", True, None, 1.0, 2.0, 0, "x"]


class Schemas:
    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def scalar(self):
        r = self.r
        c = r.random()
        if c < 0.2:
            return {"type": r.choice(["string", "integer", "number", "boolean", "null"])}
        if c < 0.35:
            return {"const": r.choice(LITERALS)}
        if c < 0.5:
            return {"enum": r.sample(LITERALS, r.randint(1, 4))}
        if c < 0.6:
            s = {"type": "string", "pattern": r.choice(PATTERNS)}
            return s | ({"maxLength": r.randint(0, 4)} if r.random() < .5 else {})
        if c < 0.7:
            s = {"type": "integer", "minimum": r.randint(-2, 2), "maximum": r.randint(0, 5)}
            return s | ({"multipleOf": r.choice([2, 3])} if r.random() < .4 else {})
        if c < 0.75:
            return r.choice([True, False])
        if c < 0.85:
            return {"not": self.scalar()}
        return {"type": "number", "multipleOf": r.choice([0.5, 0.25, 1.5]), "maximum": 4, "minimum": -4}

    def schema(self, depth=0):
        r = self.r
        c = r.random()
        if depth > 2 or c < 0.3:
            return self.scalar()
        if c < 0.6:
            s = {"type": "object"}
            if r.random() < .6:
                s["properties"] = {k: self.schema(depth + 1) for k in r.sample(["a", "b", "ab", "c"], r.randint(1, 3))}
            if r.random() < .6:
                s["patternProperties"] = {p: self.schema(depth + 1) for p in r.sample(PATTERNS, r.randint(1, 3))}
            if r.random() < .5:
                s["additionalProperties"] = self.schema(depth + 1)
            if r.random() < .3:
                s["propertyNames"] = {"pattern": r.choice(["^[a-c]{1,3}$", "^[abx-]+$", "^.{1,2}$"])}
            if r.random() < .3:
                s["required"] = r.sample(["a", "b", "ab"], r.randint(1, 2))
            if r.random() < .3:
                s["minProperties"] = r.randint(0, 3)
            if r.random() < .3:
                s["maxProperties"] = r.randint(1, 4)
            if r.random() < .2:
                s["dependencies"] = {"a": r.choice([["b"], self.schema(depth + 1)])}
            return s
        if c < 0.8:
            s = {"type": "array"}
            if r.random() < .5:
                s["items"] = self.schema(depth + 1)
            else:
                s["items"] = [self.schema(depth + 1) for _ in range(r.randint(1, 2))]
                s["additionalItems"] = self.schema(depth + 1) if r.random() < .5 else r.choice([True, False])
            if r.random() < .3:
                s["uniqueItems"] = True
            if r.random() < .3:
                s["contains"] = self.schema(depth + 1)
            if r.random() < .3:
                s["minItems"] = r.randint(0, 3)
            if r.random() < .3:
                s["maxItems"] = r.randint(1, 4)
            return s
        if r.random() < .3:
            return {"if": self.schema(depth + 1), "then": self.schema(depth + 1), "else": self.schema(depth + 1)}
        return {r.choice(["allOf", "anyOf", "oneOf"]): [self.schema(depth + 1) for _ in range(r.randint(2, 3))]}


def check(schema, walks: int, seed: int) -> str | None:
    """None when the schema is refused or all is well, else what went wrong."""
    try:
        tok = tct.Tokenizer.from_schema(schema)
    except tct.TCTError:
        return None
    validator = reference_validator(schema)
    rng = np.random.default_rng(seed)
    for _ in range(walks):
        try:
            doc = tok.decode(random_walk(tok, rng, max_tokens=200))
        except BudgetError:
            return None  # no document within 200 ids: not this benchmark's question
        except Exception as exc:  # noqa: BLE001 - a dead state or a crash is what we look for
            return f"walk: {exc!r}"[:300]
        if not validator.is_valid(doc):
            return f"invalid walk: {json.dumps(doc)}"
        if json.dumps(tok.decode(tok.encode(doc))) != json.dumps(doc):
            return f"round trip: {json.dumps(doc)}"
    return "ok"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1-10", help="a range A-B or a list A,B,...")
    ap.add_argument("--schemas", type=int, default=400, help="schemas per seed")
    ap.add_argument("--walks", type=int, default=15)
    args = ap.parse_args()
    lo, _, hi = args.seeds.partition("-")
    seeds = range(int(lo), int(hi) + 1) if hi else [int(s) for s in args.seeds.split(",")]
    compiled = refused = failed = 0
    t0 = time.perf_counter()
    for seed in seeds:
        gen = Schemas(seed)
        for i in range(args.schemas):
            schema = gen.schema()
            verdict = check(schema, args.walks, i)
            if verdict is None:
                refused += 1
            elif verdict == "ok":
                compiled += 1
            else:
                failed += 1
                print(f"seed {seed} #{i}: {verdict}\n  {json.dumps(schema)}", flush=True)
    n = compiled + refused + failed
    print(f"{n} random schemas ({len(seeds)} seeds): {compiled + failed} compiled, {refused} refused or "
          f"without a short document, {failed} with a wrong walk or a dead state; "
          f"{args.walks} walks each ({time.perf_counter() - t0:.0f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
