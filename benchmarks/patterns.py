"""Real patterns against ECMA-262 (the `regress` engine): how many compile exactly, why the
others are refused, and how often the automaton and regress disagree on random strings.

    python benchmarks/patterns.py [--strings 300] [--seed 0] [-v]

Patterns come from every SchemaStore suite schema and check-jsonschema's vendored schemas
(`pattern` values and `patternProperties` keys). Strings: random ones over the pattern's own
characters plus line terminators, whitespace and non-ASCII; random walks of the automaton;
and one-character mutations of those walks.
"""

import argparse
import json
import random
import re
import sys
import time
from collections import Counter

import regress

from _shared import SUITES
from tct.schema.load import builtin_names, read_schema, schema_patterns
from tct.schema.regex import CharDFA, PatternUnsupported

EXTRA = list("\n\r\u2028\u2029 \t\x0b\x0c\xa0\ufeff\u3000\x1c\x85aZ09_-./$^{}") + ["é", "中", "😀"]


def real_patterns() -> list[str]:
    found = set()
    for d in sorted(SUITES.iterdir()):
        if (d / "schema.json").exists():
            found |= schema_patterns(json.loads((d / "schema.json").read_text(encoding="utf-8")))
    for name in builtin_names():
        found |= schema_patterns(read_schema(name)[0])
    return sorted(found)


def walk(dfa: CharDFA, rng: random.Random, max_len=40) -> str:
    state, out = dfa.start, []
    while len(out) < max_len:
        row = dfa.trans[state]
        if state in dfa.accept and (not row or rng.random() < 0.2):
            break
        if not row:
            break
        cid = rng.choice(sorted(row))
        a, b = rng.choice(dfa.class_ranges[cid])
        cp = rng.choice([a, b, rng.randint(a, b)])
        out.append(chr(cp))
        state = row[cid]
    return "".join(out)


def strings(pattern: str, dfa: CharDFA, rng: random.Random, n: int):
    pool = sorted(set(pattern)) + EXTRA
    for _ in range(n):
        yield "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        w = walk(dfa, rng)
        yield w
        i = rng.randint(0, len(w))
        yield w[:i] + rng.choice(pool) + w[i + rng.randint(0, 1):]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--strings", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    pats = real_patterns()
    refused, reasons, disagree, checked, build_s = [], Counter(), [], 0, 0.0
    for p in pats:
        t = time.perf_counter()
        try:
            dfa = CharDFA([(p, True)])
            build_s += time.perf_counter() - t
        except PatternUnsupported as exc:
            refused.append((p, str(exc)))
            reasons[re.sub(r" at offset \d+", "", str(exc).split(": ")[-1])[:60]] += 1
            continue
        rx = regress.Regex(p)
        rng = random.Random(f"{args.seed}{p}")
        for s in strings(p, dfa, rng, args.strings):
            checked += 1
            if dfa.accepts(s) != (rx.find(s) is not None):
                disagree.append((p, s, dfa.accepts(s)))
                break
    print(f"patterns: {len(pats)}  compiled: {len(pats) - len(refused)}  refused: {len(refused)}  "
          f"(automata built in {build_s:.1f}s)")
    print(f"strings checked: {checked}  patterns with a disagreement: {len(disagree)}")
    for why, n in reasons.most_common():
        print(f"  refused {n:3d}x  {why}")
    if args.v:
        for p, why in refused:
            print(f"  REFUSED {p!r}: {why}")
    for p, s, tct_says in disagree:
        print(f"  DISAGREE {p!r} on {s!r}: tct {'accepts' if tct_says else 'rejects'}")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
