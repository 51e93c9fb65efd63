"""GPT forward/KV-cache equivalence and checkpoint safety."""

import json
import os

import pytest
import torch

from tct.errors import TCTError
from tct.model import checkpoint as ckpt
from tct.model.gpt import GPT, PRESETS, GPTConfig


pytestmark = pytest.mark.usefixtures("one_torch_thread")


IDENTITY = {"schema": "demo", "schema_sha256": "ab" * 32, "vocab_size": 300}


def small_model(seed=0, **kw) -> GPT:
    torch.manual_seed(seed)
    cfg = GPTConfig(**{"vocab_size": 300, "d_model": 32, "n_layers": 2, "n_heads": 4, "context": 64, **kw})
    return GPT(cfg).eval()


def test_kv_cache_matches_full_forward():
    model = small_model()
    ids = torch.randint(0, 300, (3, 30))
    with torch.no_grad():
        full, _ = model(ids)
        # prefill, then single tokens, then a multi-token chunk (exercises the offset mask)
        parts = [ids[:, :7]] + [ids[:, i:i + 1] for i in range(7, 20)] + [ids[:, 20:30]]
        cache, outs, pos = model.new_cache(), [], 0
        for part in parts:
            logits, cache = model(part, cache=cache, start_pos=pos)
            outs.append(logits)
            pos += part.shape[1]
    inc = torch.cat(outs, dim=1)
    assert inc.shape == full.shape == (3, 30, 300)
    torch.testing.assert_close(inc, full, atol=1e-5, rtol=1e-5)
    assert len(cache) == 30 and cache.keys[0].shape == (3, 4, 64, 8)
    # dropping batch rows keeps the others' continuation exact
    with torch.no_grad():
        nxt, _ = model(ids[[0, 2], :1], cache=cache.select(torch.tensor([0, 2])))
        ref, _ = model(torch.cat([ids[[0, 2]], ids[[0, 2], :1]], dim=1))
    torch.testing.assert_close(nxt[:, -1], ref[:, -1], atol=1e-5, rtol=1e-5)


def test_forward_is_causal_and_bounded():
    model = small_model()
    ids = torch.randint(0, 300, (2, 16))
    other = ids.clone()
    other[:, 10:] = (other[:, 10:] + 1) % 300
    with torch.no_grad():
        a, _ = model(ids)
        b, _ = model(other)
    torch.testing.assert_close(a[:, :10], b[:, :10])
    with pytest.raises(ValueError):
        model(torch.zeros(1, 65, dtype=torch.long))
    _, cache = model(ids, cache=model.new_cache())
    with pytest.raises(ValueError):
        model(ids[:, :1], cache=cache, start_pos=3)


def test_config_round_trip_and_presets():
    cfg = GPTConfig.preset("small", 400, dropout=0.1)
    assert GPTConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    with pytest.raises(TCTError):
        GPTConfig.from_dict({**cfg.to_dict(), "rotary": True})
    with pytest.raises(TCTError):
        GPTConfig.preset("huge", 400)
    for name in PRESETS:
        with torch.device("meta"):
            n = GPT(GPTConfig.preset(name, 400)).num_params()
        assert n > 0


def test_random_model_is_reproducible():
    cfg = GPTConfig(vocab_size=50, d_model=16, n_layers=1, n_heads=2, context=8)
    state = torch.get_rng_state()
    a, b = ckpt.random_model(cfg, seed=3), ckpt.random_model(cfg, seed=3)
    assert torch.equal(state, torch.get_rng_state())
    assert torch.equal(a.tok_emb.weight, b.tok_emb.weight)


def test_checkpoint_round_trip(tmp_path):
    model = small_model(seed=1)
    ckpt.save_checkpoint(tmp_path, model, model.config, IDENTITY, extra={"step": 7})
    loaded, cfg, identity = ckpt.load_checkpoint(tmp_path, expected_identity=IDENTITY)
    assert cfg == model.config and identity == IDENTITY
    ids = torch.randint(0, 300, (2, 12))
    with torch.no_grad():
        torch.testing.assert_close(loaded(ids)[0], model(ids)[0], atol=0, rtol=0)
    assert ckpt.read_checkpoint_config(tmp_path)["extra"] == {"step": 7}
    assert sorted(os.listdir(tmp_path)) == ["config.json", "model.safetensors"]


@pytest.mark.parametrize("key,value", [("schema_sha256", "cd" * 32), ("vocab_size", 301)])
def test_checkpoint_refuses_other_tokenizer(tmp_path, key, value):
    model = small_model()
    ckpt.save_checkpoint(tmp_path, model, model.config, IDENTITY)
    with pytest.raises(TCTError, match=key):
        ckpt.load_checkpoint(tmp_path, expected_identity={**IDENTITY, key: value})


def test_interrupted_save_leaves_old_checkpoint(tmp_path, monkeypatch):
    old = small_model(seed=1)
    ckpt.save_checkpoint(tmp_path, old, old.config, IDENTITY, train_state={"step": 1})
    before = {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)}

    def broken_save_file(tensors, path, metadata=None):
        with open(path, "wb") as f:
            f.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(ckpt, "save_file", broken_save_file)
    new = small_model(seed=2)
    with pytest.raises(OSError, match="disk full"):
        ckpt.save_checkpoint(tmp_path, new, new.config, IDENTITY, train_state={"step": 2})
    after = {p: (tmp_path / p).read_bytes() for p in os.listdir(tmp_path)}
    assert after == before  # same files (no temp leftovers), same bytes
    loaded, _, _ = ckpt.load_checkpoint(tmp_path)
    torch.testing.assert_close(loaded.tok_emb.weight, old.tok_emb.weight)
    assert ckpt.load_train_state(tmp_path)["step"] == 1


def test_mixed_saves_are_detected(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    model = small_model()
    ckpt.save_checkpoint(a, model, model.config, IDENTITY, train_state={"step": 1})
    ckpt.save_checkpoint(b, model, model.config, IDENTITY, train_state={"step": 2})
    (a / "config.json").write_bytes((b / "config.json").read_bytes())
    with pytest.raises(TCTError, match="different saves"):
        ckpt.load_checkpoint(a)
    with pytest.raises(TCTError, match="different saves"):
        ckpt.load_train_state(a)
    with pytest.raises(TCTError, match="not a tct checkpoint"):
        ckpt.load_checkpoint(tmp_path / "missing")
