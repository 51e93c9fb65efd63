"""Learned merges, side by side in one run (shared corpus, train split to learn, val to measure):

(a) compression: ids per workflow, tct base / tct+merges / byte-level BPE at each vocab size;
(b) constraint cost per document (mask + feed for every id) against llguidance (`lenient`,
    byte-level BPE of the same size, documents re-sorted into schema key order), cold (first
    pass; llguidance with a matcher built for it) and warm caches, with the merged-mask cache
    hit rates (also on random walks);
(c) encode / decode docs/s against jsonschema Draft7Validator.is_valid on the same documents.

    python benchmarks/merges.py [--vocabs 1024,4096,8192] [--cost-docs 60] [--train-limit N]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import tct
from _shared import CORPUS, manifest
from tct.data.documents import load_document
from tct.schema.load import read_schema
from tct.vocab.merges import learn_merges


def minified(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def load_split(base, limit=None):
    out = {"train": [], "val": []}
    for e in manifest():
        if e.get("verdict") != "valid":
            continue
        try:
            doc = load_document(CORPUS / e["file"])
            ids = base.encode(doc)
        except tct.TCTError:
            continue
        if e["split"] == "train" and limit and len(out["train"]) >= limit:
            continue
        out[e["split"]].append((doc, ids))
    return out


def byte_bpe(texts, vocab):
    from tokenizers import ByteLevelBPETokenizer
    t = ByteLevelBPETokenizer()
    t.train_from_iterator(texts, vocab_size=vocab, min_frequency=2, special_tokens=["<|eos|>"], show_progress=False)
    return t


# ---------------------------------------------------------------- schema key order (for llguidance)
class SchemaOrder:
    def __init__(self, schema):
        self.root = schema

    def resolve(self, s):
        while isinstance(s, dict) and "$ref" in s and s["$ref"].startswith("#/"):
            node = self.root
            for part in s["$ref"][2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            s = node
        return s if isinstance(s, dict) else {}

    def parts(self, s, seen=()):
        s = self.resolve(s)
        yield s
        for k in ("allOf", "anyOf", "oneOf"):
            for sub in s.get(k, []):
                yield from self.parts(sub)

    def sort(self, doc, schema):
        if isinstance(doc, list):
            items = [p.get("items") for p in self.parts(schema) if isinstance(p.get("items"), dict)]
            return [self.sort(v, items[0] if items else {}) for v in doc]
        if not isinstance(doc, dict):
            return doc
        order, child = [], {}
        for p in self.parts(schema):
            for k, v in (p.get("properties") or {}).items():
                if k not in order:
                    order.append(k)
                child.setdefault(k, v)
            extra = p.get("additionalProperties")
            pats = list((p.get("patternProperties") or {}).values())
            for k in doc:
                if k not in child and (pats or isinstance(extra, dict)):
                    child[k] = pats[0] if pats else extra
        keys = [k for k in order if k in doc] + [k for k in doc if k not in order]
        return {k: self.sort(doc[k], child.get(k, {})) for k in keys}


def llg_setup(schema, bpe):
    import llguidance
    tok = llguidance.LLTokenizer(bpe._tokenizer.to_str(), eos_token=bpe.token_to_id("<|eos|>"))
    grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, defaults={"lenient": True,
                                                                              "whitespace_flexible": False})
    matcher = llguidance.LLMatcher(tok, grammar, log_level=0)
    if matcher.is_error():
        raise SystemExit("llguidance: " + matcher.get_error())
    return matcher


def llg_cost(matcher, ids, eos):
    m = matcher.deep_copy()
    t = time.perf_counter()
    for i in ids + [eos]:
        m.compute_bitmask()
        if not m.consume_token(i):
            return None
    return time.perf_counter() - t


def tct_cost(tok, ids):
    d = tok.decoder()
    t = time.perf_counter()
    for i in ids:
        d.allowed()
        d.feed(i)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocabs", default="1024,4096,8192")
    ap.add_argument("--cost-docs", type=int, default=60)
    ap.add_argument("--speed-docs", type=int, default=100)
    ap.add_argument("--walks", type=int, default=20)
    ap.add_argument("--train-limit", type=int, default=None)
    args = ap.parse_args()
    vocabs = [int(v) for v in args.vocabs.split(",")]
    base = tct.Tokenizer.from_schema("github-workflow")
    t0 = time.perf_counter()
    data = load_split(base, args.train_limit)
    train, val = data["train"], data["val"]
    print(f"# {len(train)} train / {len(val)} val workflows ({time.perf_counter() - t0:.0f} s to load and encode)")
    frozen = [base.bos_id, base.eos_id, base.pad_id] + list(range(base.pos_base, base.pos_base + base.n_pos))

    # (a) compression
    print("\n## (a) ids per val workflow (mean)")
    n_val_bytes = np.mean([len(minified(d).encode()) for d, _ in val])
    print(f"minified JSON: {n_val_bytes:.0f} bytes; tct base: {np.mean([len(i) for _, i in val]):.0f} ids")
    toks, bpes = {}, {}
    rows = []
    for v in vocabs:
        t = time.perf_counter()
        toks[v] = base.with_merges(learn_merges([i for _, i in train], base.vocab_size, v, frozen=frozen))
        learn_s = time.perf_counter() - t
        bpes[v] = byte_bpe([minified(d) for d, _ in train], v)
        n_tct = np.mean([len(toks[v].encode(d)) for d, _ in val])
        n_bpe = np.mean([len(bpes[v].encode(minified(d)).ids) + 2 for d, _ in val])  # + BOS/EOS like tct
        rows.append((v, n_tct, n_bpe, learn_s))
    ref = rows[-1][2]
    print(f"{'vocab':>6} {'tct+merges':>11} {'byte BPE':>9} {'tct/BPE':>8} {'tct/BPE-' + str(vocabs[-1]):>14} {'learn s':>8}")
    for v, n_tct, n_bpe, s in rows:
        print(f"{v:>6} {n_tct:>11.0f} {n_bpe:>9.0f} {n_tct / n_bpe:>8.2f} {n_tct / ref:>14.2f} {s:>8.1f}")

    # (b) constraint cost vs llguidance, largest vocab
    v = vocabs[-1]
    tok, bpe = toks[v], bpes[v]
    schema = read_schema("github-workflow")[0]
    order = SchemaOrder(schema)
    matcher = llg_setup(schema, bpe)
    eos = bpe.token_to_id("<|eos|>")
    pairs = []
    for doc, _ in val:
        doc = order.sort(doc, schema)
        ids = bpe.encode(minified(doc)).ids
        if llg_cost(matcher, ids, eos) is not None:
            pairs.append((doc, ids))
        if len(pairs) >= args.cost_docs:
            break
    print(f"\n## (b) constraint cost per workflow, vocab {v} (mask + feed every id); "
          f"{len(pairs)} val workflows llguidance accepts after re-sorting keys into schema order")
    mm = tok.merged_masks
    for label in ("cold", "warm"):
        mm.lookups = mm.computed = 0
        tt = [tct_cost(tok, tok.encode(d)) for d, _ in pairs]
        m_l, setup = matcher, ""
        if label == "cold":  # a matcher built now: its grammar and lexer caches start empty too
            t = time.perf_counter()
            m_l = llg_setup(schema, bpe)
            setup = f" (+{1e3 * (time.perf_counter() - t):.0f} ms to build its matcher)"
        tl = [llg_cost(m_l, ids, eos) for _, ids in pairs]
        n_t = np.mean([len(tok.encode(d)) for d, _ in pairs])
        n_l = np.mean([len(ids) + 1 for _, ids in pairs])
        hit = 1 - mm.computed / max(mm.lookups, 1)
        print(f"{label}: tct {1e3 * np.mean(tt):.1f} ms ({n_t:.0f} ids, median {1e3 * np.median(tt):.1f} ms)  "
              f"llguidance {1e3 * np.mean(tl):.1f} ms ({n_l:.0f} tokens, median {1e3 * np.median(tl):.1f} ms){setup}  "
              f"ratio {np.mean(tt) / np.mean(tl):.2f}x (median {np.median(tt) / np.median(tl):.2f}x); "
              f"merged-mask cache: {mm.lookups} lookups, {mm.computed} level entries computed "
              f"(hit rate >= {100 * hit:.1f}%)")
    rng = np.random.default_rng(0)
    from tct.generation.constrained import random_walk
    mm.lookups = mm.computed = 0
    t = time.perf_counter()
    n_ids = sum(len(random_walk(tok, rng, max_tokens=1024)) for _ in range(args.walks))
    walk_s = time.perf_counter() - t
    print(f"random walks ({args.walks}, max 1024 ids): {n_ids} ids, {1e6 * walk_s / n_ids:.0f} us/id, "
          f"{mm.lookups} lookups, {mm.computed} computed (hit rate >= {100 * (1 - mm.computed / max(mm.lookups, 1)):.1f}%)")

    # (c) encode / decode speed vs jsonschema
    import jsonschema
    validator = jsonschema.Draft7Validator(schema)
    docs = [d for d, _ in val[:args.speed_docs]]
    print(f"\n## (c) docs/s on {len(docs)} val workflows (second pass, interleaved)")
    for name, t_ in (("base", base), (f"merges-{v}", tok)):
        enc = [t_.encode(d) for d in docs]
        res = {}
        for _ in range(2):
            for what, fn in (("jsonschema is_valid", lambda: [validator.is_valid(d) for d in docs]),
                             ("encode", lambda: [t_.encode(d) for d in docs]),
                             ("decode", lambda: [t_.decode(i) for i in enc])):
                s = time.perf_counter()
                fn()
                res[what] = len(docs) / (time.perf_counter() - s)
        js = res["jsonschema is_valid"]
        print(f"tct {name}: encode {res['encode']:.0f} docs/s ({res['encode'] / js:.2f}x), "
              f"decode {res['decode']:.0f} docs/s ({res['decode'] / js:.2f}x); jsonschema {js:.0f} docs/s")


if __name__ == "__main__":
    main()
