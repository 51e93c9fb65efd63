"""`tct eval`: how well a model predicts held-out documents, and what its samples look like.

Validity is checked with `jsonschema` (the reference), not with our own decoder, so the
figure means something even for someone who distrusts the tokenizer.
"""

from __future__ import annotations

import json

import tct
from tct.data.shards import Shards
from tct.errors import TCTError
from tct.generation.sampler import GenerationStats, generate
from tct.model.checkpoint import identity_mismatches
from tct.schema.reference import reference_validator
from tct.train.loop import evaluate


def sample_statistics(model, n: int, temperature: float, seed: int, max_tokens: int, top_p: float = 0.95,
                      prefix: str | None = None, batch: int = 8) -> dict:
    validator = reference_validator(model.tokenizer.compiler.index.root)
    stats = GenerationStats()
    docs = []
    for start in range(0, n, batch):
        docs += generate(model, n=min(batch, n - start), temperature=temperature, top_p=top_p, seed=seed + start,
                         prefix=prefix, max_tokens=max_tokens, stats=stats)
    texts = [json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in docs]
    json_ok = sum(1 for t in texts if _parses(t))
    return {
        "n": n,
        "temperature": temperature,
        "json_valid_pct": 100.0 * json_ok / n,
        "schema_valid_pct": 100.0 * sum(validator.is_valid(d) for d in docs) / n,
        "complete_pct": 100.0 * sum(1 for length in stats.lengths if length <= max_tokens) / n,
        "distinct_pct": 100.0 * len(set(texts)) / n,
        "mean_tokens": sum(stats.lengths) / n,
        "mean_bytes": sum(len(t.encode()) for t in texts) / n,
        "tokens_per_s": stats.tokens_per_second,
        "mask_share_pct": 100.0 * stats.mask_seconds / stats.seconds if stats.seconds else 0.0,
        "samples": docs,
    }


def _parses(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def evaluate_model(model_name: str, data: str, schema="github-workflow", n: int = 20, temperature: float = 0.8,
                   seed: int = 0, max_tokens: int = 4096, val_docs: int | None = None) -> dict:
    model = tct.load_model(model_name, schema=schema)
    shards = Shards(data)
    problems = identity_mismatches(shards.meta["tokenizer"], model.tokenizer.identity())
    if problems:
        raise TCTError(f"{data} was prepared with another tokenizer: " + "; ".join(problems))
    val = evaluate(model.net, shards, max_docs=val_docs)
    corpus_mean = float(shards.val.docs[:, 1].mean())
    samples = sample_statistics(model, n, temperature, seed, max_tokens)
    samples.pop("samples")
    return {"model": model.name, "data": str(data), **val, "corpus_mean_tokens": corpus_mean, **samples}


def format_table(result: dict) -> str:
    rows = [
        ("val loss (nats/token)", result.get("val_loss")),
        ("val bits per byte", result.get("val_bpb")),
        ("val bits per byte, masked", result.get("val_masked_bpb")),
        ("generated documents", result.get("n")),
        ("JSON-valid %", result.get("json_valid_pct")),
        ("schema-valid % (jsonschema)", result.get("schema_valid_pct")),
        ("complete %", result.get("complete_pct")),
        ("distinct %", result.get("distinct_pct")),
        ("mean tokens (generated)", result.get("mean_tokens")),
        ("mean tokens (val corpus)", result.get("corpus_mean_tokens")),
        ("generation tokens/s", result.get("tokens_per_s")),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"model {result['model']}  data {result['data']}"]
    for name, value in rows:
        shown = "n/a" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)
        lines.append(f"  {name:<{width}}  {shown}")
    return "\n".join(lines)
