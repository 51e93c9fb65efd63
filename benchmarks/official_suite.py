"""The official JSON-Schema-Test-Suite: per keyword file and draft, groups compiled / refused (by
reason kind) / wrong, with the same checks as tests/test_official_suite.py.

    python benchmarks/official_suite.py [--walks 10] [--wrong] [--json OUT] [DRAFT/FILE.json ...]

--wrong lists every wrong case (the form KNOWN_WRONG takes) and every test where jsonschema, the
reference, disagrees with the suite.
"""

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_official_suite import DRAFTS, KNOWN_WRONG, check_group, groups, suite_files  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--walks", type=int, default=10)
    ap.add_argument("--wrong", action="store_true", help="list each wrong case and reference disagreement")
    ap.add_argument("--json", help="write every group's result here")
    args = ap.parse_args()
    names = args.names or suite_files()
    t0 = time.perf_counter()
    rows, results = [], []
    for name in names:
        t = time.perf_counter()
        res = [check_group(name, i, walks=args.walks) for i in range(len(groups(name)))]
        results += res
        refused = Counter(r.refused for r in res if r.refused)
        rows.append((name, len(res), sum(r.refused is None for r in res), sum(refused.values()),
                     sum(bool(r.wrong) for r in res), sum(len(r.wrong) for r in res),
                     ", ".join(f"{k} {v}" for k, v in refused.most_common()), time.perf_counter() - t))
    print(f"{'file':<46} {'groups':>6} {'compiled':>8} {'refused':>7} {'wrong':>5} {'cases':>5}  "
          f"{'seconds':>7}  refused by")
    for name, n, comp, ref, wg, wc, kinds, s in rows:
        print(f"{name:<46} {n:>6} {comp:>8} {ref:>7} {wg:>5} {wc:>5}  {s:>7.2f}  {kinds}")
    print()
    for draft in list(DRAFTS) + ["total"]:
        sel = [r for r in rows if draft == "total" or r[0].startswith(draft + "/")]
        if not sel:
            continue
        n, comp, ref, wg, wc = (sum(r[i] for r in sel) for i in range(1, 6))
        kinds = Counter()
        for r in results:
            if r.refused and (draft == "total" or r.name.startswith(draft + "/")):
                kinds[r.refused] += 1
        print(f"{draft:<13} groups {n:>4}  compiled {comp:>4}  refused {ref:>4}  wrong groups {wg:>3} "
              f"(cases {wc})  refused by: {', '.join(f'{k} {v}' for k, v in kinds.most_common())}")
    disagree = sum(len(r.suite_vs_reference) for r in results)
    known = sum((r.name, r.group, c) in KNOWN_WRONG for r in results for c in r.wrong)
    print(f"wrong cases in KNOWN_WRONG: {known} of {sum(len(r.wrong) for r in results)}; "
          f"jsonschema disagrees with the suite on {disagree} tests of compiled groups; "
          f"walks per group {args.walks}; {time.perf_counter() - t0:.1f} s")
    if args.wrong:
        for r in results:
            for case, what in r.wrong.items():
                print(f"WRONG {(r.name, r.group, case)!r}: {what}")
            for case in r.suite_vs_reference:
                print(f"REFERENCE {(r.name, r.group, case)!r}")
    if args.json:
        Path(args.json).write_text(json.dumps([r.__dict__ for r in results], indent=1))


if __name__ == "__main__":
    main()
