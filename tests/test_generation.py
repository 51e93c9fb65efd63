"""Generation is valid by construction: untrained weights, any temperature, prefixes, budgets."""

import json

import pytest
import torch

import tct
from conftest import default_model_or_skip
from tct.generation.prefix import parse_prefix, prefix_decoder

PREFIX = '{"name": "CI", "on": "push", "jobs": {'


@pytest.fixture(scope="module")
def random_model():
    torch.set_num_threads(1)
    return tct.load_model("random")


@pytest.mark.parametrize("temperature", [0.1, 0.8, 1.2, 2.0])
def test_random_model_outputs_are_valid_and_within_budget(random_model, workflow_validator, temperature):
    docs = tct.generate(random_model, n=3, temperature=temperature, top_p=0.95, seed=11, max_tokens=400,
                        return_ids=True)
    for doc, ids in docs:
        assert len(ids) <= 400
        assert ids[0] == random_model.tokenizer.bos_id and ids[-1] == random_model.tokenizer.eos_id
        assert workflow_validator.is_valid(doc), json.dumps(doc)[:200]
        assert random_model.tokenizer.decode(ids) == doc


def test_prefix_values_are_kept(random_model, workflow_validator):
    docs = tct.generate(random_model, n=2, temperature=1.5, seed=3, prefix=PREFIX, max_tokens=500)
    for doc in docs:
        assert doc["name"] == "CI" and doc["on"] == "push" and doc["jobs"]
        assert workflow_validator.is_valid(doc)
    yaml_docs = tct.generate(random_model, n=1, seed=4, prefix="name: CI\non: push\njobs:\n", max_tokens=500)
    assert yaml_docs[0]["name"] == "CI" and workflow_validator.is_valid(yaml_docs[0])


def test_seed_reproducibility(random_model):
    a = tct.generate(random_model, n=2, temperature=1.0, seed=5, max_tokens=300)
    b = tct.generate(random_model, n=2, temperature=1.0, seed=5, max_tokens=300)
    assert a == b


def test_budget_too_small_is_a_clear_error(random_model):
    with pytest.raises(tct.TCTError, match="max_tokens"):
        tct.generate(random_model, n=1, max_tokens=5)


def test_sliding_window_beyond_context(workflow_validator):
    from tct.model.checkpoint import random_model as make
    from tct.model.gpt import GPTConfig
    from tct.model.registry import LoadedModel
    tok = tct.load_model("random").tokenizer
    cfg = GPTConfig(vocab_size=tok.vocab_size, d_model=32, n_layers=1, n_heads=2, context=32)
    small = LoadedModel(make(cfg, seed=1), tok, cfg, "tiny-context")
    docs = tct.generate(small, n=2, temperature=1.0, seed=9, max_tokens=200, return_ids=True)
    assert any(len(ids) > 32 for _, ids in docs)  # documents outgrew the context
    for doc, ids in docs:
        assert len(ids) <= 200 and workflow_validator.is_valid(doc)


def test_partial_json_prefix_parsing(workflow_tok):
    node = parse_prefix('{"a": [1, {"b": "x')
    assert node.kind == "object" and node.key == "a" and node.child.members == [1]
    d, ids = prefix_decoder(workflow_tok, '{"name": "CI", "on": ["push", ')
    assert d.partial_text().startswith('{"name":"CI","on":["push",')
    with pytest.raises(tct.SchemaViolation) as info:
        prefix_decoder(workflow_tok, '{"on": "push", "jobs": {"b": {"runs-on": 3, "steps": [')
    assert info.value.path.startswith("/jobs/b")
    with pytest.raises(tct.DocumentError):
        prefix_decoder(workflow_tok, '{"on": "push",, ')


def test_default_model_writes_workflows(workflow_validator):
    model = default_model_or_skip()
    assert model.tokenizer.identity()["schema"] == "github-workflow"
    docs = tct.generate(model, n=3, temperature=0.8, seed=0, max_tokens=1500)
    for doc in docs:
        assert workflow_validator.is_valid(doc)
    assert any("steps" in job for doc in docs for job in doc["jobs"].values())


def test_checkpoint_for_another_schema_is_refused(tmp_path):
    import shutil
    from tct.model.registry import MODELS_DIR
    shutil.copytree(MODELS_DIR / "default", tmp_path / "m")
    with pytest.raises(tct.TCTError, match="different tokenizer"):
        tct.load_model(str(tmp_path / "m"), schema="github-action")


KEYED = {  # free keys by pattern (their value's cost depends on the key), exclusions, forced ends
    "type": "object",
    "patternProperties": {"^x-": {"type": "array", "minItems": 3, "items": {"type": "string", "minLength": 4}},
                          "^[a-z]+$": {"type": "string", "pattern": "^(ab|abcdefgh)$"}},
    "additionalProperties": {"type": "array", "uniqueItems": True,
                             "items": {"type": "string", "not": {"enum": ["aa", "ab"]}, "maxLength": 3}},
    "properties": {"ID": {"type": "string", "pattern": "^[0-9]{3}$"}, "é": {"type": "number"}},
    "required": ["ID"], "minProperties": 4,
}


@pytest.mark.parametrize("schema", ["github-workflow", KEYED])
def test_budget_mask_equals_feeding_every_id(schema):
    """`budget_mask` (string bytes judged by `cost_deltas`' bounds, no feeding, where they
    suffice) is exactly the set of ids `fits` accepts after copying and feeding each one."""
    import numpy as np
    from tct.generation.constrained import budget_mask, fits, random_walk
    tok = tct.Tokenizer.from_schema(schema)
    rng = np.random.default_rng(7)
    steps = 0
    for _ in range(5):
        ids = random_walk(tok, rng, max_tokens=80, end_bias=0.1)
        d = tok.decoder()
        for used, tok_id in enumerate(ids):
            allowed = d.allowed()
            if allowed.sum() > 1:
                ref_costs = {int(t): fits(d, int(t), 0, 10 ** 9).remaining_cost() for t in np.flatnonzero(allowed)}
                for max_tokens in {used + 1 + int(d.remaining_cost()) + k for k in (0, 1, 2, 5, 12, 30)}:
                    want = np.zeros_like(allowed)
                    for t, c in ref_costs.items():
                        want[t] = used + 1 + c <= max_tokens
                    assert (budget_mask(d, used, max_tokens) == want).all(), (d.describe(), max_tokens)
                steps += 1
            d.feed(tok_id)
    assert steps > 40


def test_a_spent_budget_follows_the_completion(workflow_tok, workflow_validator):
    """Where the cost bound has outgrown the budget (it may loosen from one state to the next),
    every sampler takes the completion's id without trying others, and the completion ends
    the document."""
    import numpy as np
    from tct.generation.constrained import budget_mask, next_id, spent
    from tct.generation.sampler import _within_budget
    d, ids = prefix_decoder(workflow_tok, PREFIX + '"build": {"runs-on": "ubuntu-latest", "steps": [{"run": "ma')
    used = len(ids)
    max_tokens = used + int(d.remaining_cost()) - 1
    assert spent(d, used, max_tokens) and not spent(d, used, max_tokens + 1)
    want = d.completion_id()
    assert np.flatnonzero(budget_mask(d, used, max_tokens)).tolist() == [want]
    assert next_id(d, used, max_tokens, lambda mask: int(np.flatnonzero(mask)[-1]))[0] == want
    row = torch.zeros(1, workflow_tok.vocab_size)
    for tok_id in (ord("x"), want):
        assert _within_budget(d, tok_id, row, used, max_tokens, 1.0, 0, 1.0, torch.Generator())[0] == want
    while not d.done:  # the completion finishes
        d = d.after(d.completion_id())
    assert workflow_validator.is_valid(d.document())
