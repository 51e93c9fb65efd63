"""transformers integration: the exported Llama computes tct's logits, and generate() under the
processor only returns complete schema-valid documents (skipped without the `hf` extra)."""

import json

import pytest
import torch

import tct
from tct.model.checkpoint import random_model
from tct.model.gpt import GPTConfig
from tct.model.registry import LoadedModel

transformers = pytest.importorskip("transformers")

from tct.hf import LogitsProcessor, export_hf, load_tokenizer  # noqa: E402

from conftest import CORPUS, default_model_or_skip, sample  # noqa: E402

PREFIX = '{"name": "CI", "on": "push", "jobs": {'


@pytest.fixture(scope="module")
def tiny(workflow_tok):
    cfg = GPTConfig(vocab_size=workflow_tok.vocab_size, d_model=64, n_layers=2, n_heads=4, context=256)
    return LoadedModel(random_model(cfg, seed=3), workflow_tok, cfg, "tiny")


@pytest.fixture(scope="module")
def exported(tiny, tmp_path_factory):
    out = export_hf(tiny, tmp_path_factory.mktemp("hf") / "tiny", max_tokens=200)
    return out, transformers.AutoModelForCausalLM.from_pretrained(out).eval()


def _generate(hf, proc, n, **kw):
    with torch.no_grad():
        return hf.generate(proc.input_ids(n), logits_processor=[proc], max_length=proc.max_tokens, **kw)


def test_exported_logits_equal_tct_logits_on_real_workflows(tiny, exported, manifest, one_torch_thread):
    tok = tiny.tokenizer
    seqs = []
    for e in sample([e for e in manifest if e["verdict"] == "valid"], 50):
        try:
            seqs.append(tok.encode(tct.load_document(CORPUS / e["file"])))
        except tct.TCTError:
            continue
        if len(seqs) == 8:
            break
    assert len(seqs) == 8
    length = min(len(s) for s in seqs + [[0] * tiny.config.context])
    x = torch.tensor([s[:length] for s in seqs])
    with torch.no_grad():
        ours, _ = tiny.net(x)
        theirs = exported[1](x).logits
    assert theirs.dtype == torch.float32 and theirs.shape == ours.shape
    assert (ours - theirs).abs().max().item() < 1e-4


def test_exported_directory_describes_the_tokenizer(tiny, exported):
    out, hf = exported
    tok = tiny.tokenizer
    gen = json.loads((out / "generation_config.json").read_text())
    assert (gen["bos_token_id"], gen["eos_token_id"], gen["pad_token_id"]) == (tok.bos_id, tok.eos_id, tok.pad_id)
    assert gen["max_length"] == 200
    assert hf.config.tie_word_embeddings and hf.config.vocab_size == tok.vocab_size
    assert hf.lm_head.weight.data_ptr() == hf.model.embed_tokens.weight.data_ptr()
    rebuilt = load_tokenizer(out)
    assert rebuilt.identity() == tok.identity()
    ids = tok.encode({"on": "push", "jobs": {"a": {"runs-on": "x", "steps": [{"run": "make"}]}}})
    assert rebuilt.decode(ids) == tok.decode(ids)


def test_load_tokenizer_refuses_a_plain_directory(tmp_path):
    with pytest.raises(tct.TCTError, match="tct_tokenizer.json"):
        load_tokenizer(tmp_path)


@pytest.mark.parametrize("temperature", [0.7, 1.5])
def test_sampled_documents_are_complete_and_valid(tiny, exported, workflow_validator, temperature, one_torch_thread):
    tok = tiny.tokenizer
    proc = LogitsProcessor(tok, max_tokens=200)
    torch.manual_seed(int(temperature * 10))
    out = _generate(exported[1], proc, 3, do_sample=True, temperature=temperature)
    for row in out.tolist():
        ids = [i for i in row if i != tok.pad_id]
        assert ids[0] == tok.bos_id and ids[-1] == tok.eos_id and len(ids) <= 200
        doc = tok.decode(row)
        assert workflow_validator.is_valid(doc), json.dumps(doc)[:200]


@pytest.mark.parametrize("profile", ["none", "github-workflow-strict"])
def test_greedy_equals_tct_greedy(tiny, exported, one_torch_thread, profile):
    """The same constraints give the same greedy document (a profile closes at other points)."""
    proc = LogitsProcessor(tiny.tokenizer.with_profile(profile), max_tokens=200)
    out = _generate(exported[1], proc, 1, do_sample=False)
    [(doc, ids)] = tct.generate(tiny, n=1, temperature=0.0, max_tokens=200, return_ids=True, profile=profile)
    assert out[0].tolist()[:len(ids)] == ids
    assert tiny.tokenizer.decode(out[0].tolist()) == doc


def test_prefix_is_kept_and_a_tight_budget_still_closes(tiny, exported, workflow_validator, one_torch_thread):
    tok = tiny.tokenizer
    proc = LogitsProcessor(tok, max_tokens=60, prefix=PREFIX)
    torch.manual_seed(1)
    out = _generate(exported[1], proc, 2, do_sample=True, temperature=2.0)
    for row in out.tolist():
        doc = tok.decode(row)
        assert doc["name"] == "CI" and doc["on"] == "push" and workflow_validator.is_valid(doc)
        assert len([i for i in row if i != tok.pad_id]) <= 60
    # The same processor serves a second call (its rows are rebuilt from the new input_ids).
    out2 = _generate(exported[1], proc, 1, do_sample=False)
    assert tok.decode(out2[0].tolist())["name"] == "CI"


def test_wrong_prompt_and_tiny_budget_are_clear_errors(tiny, exported):
    tok = tiny.tokenizer
    with pytest.raises(tct.TCTError, match="max_tokens"):
        LogitsProcessor(tok, max_tokens=3)
    proc = LogitsProcessor(tok, max_tokens=100, prefix=PREFIX)
    with pytest.raises(tct.TCTError, match="prompt"):
        proc(torch.tensor([[tok.bos_id]]), torch.zeros(1, tok.vocab_size))


def test_cli_exports_the_shipped_model(tmp_path, capsys):
    from tct.cli import main
    default_model_or_skip()
    assert main(["export", "hf", "default", str(tmp_path / "out")]) == 0
    hf = transformers.AutoModelForCausalLM.from_pretrained(tmp_path / "out")
    assert hf.config.vocab_size == load_tokenizer(tmp_path / "out").vocab_size


def test_beam_search_rows_keep_their_decoders(tiny, exported, workflow_validator, one_torch_thread):
    tok = tiny.tokenizer
    proc = LogitsProcessor(tok, max_tokens=60, prefix=PREFIX)
    out = _generate(exported[1], proc, 1, do_sample=False, num_beams=3, num_return_sequences=2)
    for row in out.tolist():
        assert workflow_validator.is_valid(tok.decode(row))
