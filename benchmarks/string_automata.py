"""Building string automata: the products the strict workflow profile needs, side by side with
the generic exploration they replaced (a step function called per state and class).

    python benchmarks/string_automata.py [--repeat 3]

Each product joins the `${{ }}` grammar (built once, not timed) with a field's other patterns;
a cold `tct generate` or profile encode builds some fifty of them. Both constructions must give
the same automaton, which is checked.
"""

import argparse
import time

from tct.codec.profiles import expression as E
from tct.codec.profiles.github_workflow import CONSTANT_CONDITION, SINGLE_EXPRESSION
from tct.schema import regex


def generic(comps, class_sigs, classes, max_length, cap):
    """The baseline: `regex.explore` with a step function over the product's components."""
    def step(state, cid):
        comp_states, length = state
        nxt = []
        for (fsm, pos), s, sym in zip(comps, comp_states, class_sigs[cid]):
            t = None if s is None else fsm.map.get(s, {}).get(sym)
            if t is None and pos:
                return None
            nxt.append(t)
        length += 1
        if max_length is not None and length > max_length:
            return None
        return (tuple(nxt), min(length, cap))
    start = (tuple(fsm.initial for fsm, _ in comps), 0)
    return regex.explore(start, classes, step)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    template, condition = E.pattern(E.TEMPLATE), E.pattern(E.CONDITION)
    cases = [
        ("template", ((template, True),), 0, None),
        ("template, not blank", ((template, True), ("\\S", True)), 0, None),
        ("template, one ${{ }}", ((template, True), (SINGLE_EXPRESSION, True)), 0, None),
        ("condition, not constant", ((condition, True), ("\\S", True), (CONSTANT_CONDITION, False)), 2, None),
        ("condition, not blank", ((condition, True), ("\\S", True)), 0, None),
    ]
    captured = {}
    real = regex._explore_product

    def capture(*a):
        captured["args"] = a
        return real(*a)
    print(f"{'product':<26} {'states':>7} {'new (ms)':>9} {'generic (ms)':>13} {'speed-up':>9}")
    totals = [0.0, 0.0]
    for name, pats, lo, hi in cases:
        regex._explore_product = capture
        try:
            regex.CharDFA(pats, lo, hi)
        finally:
            regex._explore_product = real
        start, comps, class_sigs, classes, max_length, cap = captured["args"]
        best = [float("inf"), float("inf")]
        for _ in range(args.repeat):
            t = time.process_time()
            new = real(start, comps, class_sigs, classes, max_length, cap)
            best[0] = min(best[0], time.process_time() - t)
            t = time.process_time()
            old = generic(comps, class_sigs, classes, max_length, cap)
            best[1] = min(best[1], time.process_time() - t)
        assert new[0] == old[0] and new[2] == [{c: t for c, t in row.items()} for row in old[2]], name
        totals[0] += best[0]
        totals[1] += best[1]
        print(f"{name:<26} {len(new[0]):>7} {1e3 * best[0]:>9.0f} {1e3 * best[1]:>13.0f} {best[1] / best[0]:>8.2f}x")
    print(f"{'all':<26} {'':>7} {1e3 * totals[0]:>9.0f} {1e3 * totals[1]:>13.0f} {totals[1] / totals[0]:>8.2f}x")


if __name__ == "__main__":
    main()
