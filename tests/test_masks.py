"""Masked likelihood: every position's legal-id mask stored with the shards, and the trainer's
masked loss and evaluation over them."""

import math

import numpy as np
import pytest
import torch

import tct
from tct.data.masks import UNCONSTRAINED, MaskTable
from tct.data.shards import Shards, write_shards
from tct.model.checkpoint import load_checkpoint
from tct.train.loop import TrainConfig, evaluate, train

pytestmark = pytest.mark.usefixtures("one_torch_thread")

WORKFLOWS = [
    {"on": "push", "jobs": {"build": {"runs-on": "ubuntu-latest", "steps": [{"uses": "actions/checkout@v4"},
                                                                           {"run": "make test"}]}}},
    {"name": "CI", "on": {"pull_request": {"branches": ["main"]}},
     "jobs": {"test": {"runs-on": "ubuntu-22.04", "steps": [{"name": "Test", "run": "pytest -q"}]}}},
    {"on": {"schedule": [{"cron": "0 3 * * 1"}], "workflow_dispatch": None},
     "permissions": {"contents": "read"},
     "jobs": {"lint": {"runs-on": "ubuntu-latest", "timeout-minutes": 10, "steps": [{"run": "ruff check ."}]}}},
]


@pytest.fixture(scope="module", params=["base", "merged"])
def tok(request):
    if request.param == "base":
        return tct.Tokenizer.from_schema("github-workflow")
    return tct.Tokenizer.load("github-workflow")


def test_rows_hold_the_chosen_id_and_the_exact_mask(tok):
    table = MaskTable(tok)
    for doc in WORKFLOWS:
        ids = tok.encode(doc)
        rows = table.stream(ids)
        assert rows[0] == UNCONSTRAINED
        d = tok.decoder()
        d.feed(ids[0])
        for j in range(1, len(ids)):
            row = table.rows[rows[j]]
            assert row[ids[j]], (j, tok.token_name(ids[j]))
            exact = d.allowed()
            assert not (exact & ~row).any()            # never narrower than the exact mask
            if table.exact:
                assert (row == exact).all()
            d.feed(ids[j])
    assert table.exact == (tok.merges is None)
    assert 1 < len(table.rows) < sum(len(tok.encode(doc)) for doc in WORKFLOWS)  # equal states share rows


def _data(tmp_path, tok):
    table = MaskTable(tok)
    streams = [tok.encode(doc) for doc in WORKFLOWS]
    rows = [table.stream(ids) for ids in streams]
    meta = {"vocab_size": tok.vocab_size, "pad_id": tok.pad_id, "bos_id": tok.bos_id, "eos_id": tok.eos_id,
            "pos_base": tok.pos_base, "n_pos": tok.n_pos, "pos_stride": tok.pos_stride,
            "tokenizer": tok.identity(), "val_bytes": 500}
    write_shards(tmp_path, streams * 4, streams, meta, masks=(table.packed(), rows * 4, rows, table.exact))
    return Shards(tmp_path)


def test_masked_loss_is_below_the_plain_loss_and_trains(tmp_path, tok):
    shards = _data(tmp_path / "data", tok)
    assert shards.mask_table.shape[1] == tok.vocab_size and shards.mask_table[0].all()
    cfg = dict(d_model=32, n_layers=1, n_heads=2, context=64, batch_size=4, warmup_steps=2, lr=3e-3,
               eval_every=0, log_every=5, ckpt_every=0, progress=False)
    summary = train(TrainConfig(data=str(shards.dir), out=str(tmp_path / "run"), max_steps=15, masked=True, **cfg))
    assert summary["val_masked_loss"] < summary["val_loss"]
    model = load_checkpoint(tmp_path / "run")[0]
    r = evaluate(model, shards, batch_size=4)
    # the masked softmax renormalizes over fewer ids: never worse
    assert r["val_masked_loss"] <= r["val_loss"] and math.isfinite(r["val_masked_bpb"])
    # a model with all-zero logits is uniform: the masked loss is the mean log of the legal
    # set sizes, the plain one log(vocab)
    with torch.no_grad():
        model.tok_emb.weight.zero_()
    r = evaluate(model, shards, batch_size=4)
    sizes = [shards.mask_table[m].sum() for i in range(len(shards.val.docs)) for m in shards.val.doc_masks(i)[1:]]
    assert r["val_loss"] == pytest.approx(math.log(tok.vocab_size), rel=1e-5)
    assert r["val_masked_loss"] == pytest.approx(float(np.mean(np.log(sizes))), rel=1e-5)


def test_masked_training_needs_masks(tmp_path):
    tok = tct.Tokenizer.from_schema("github-workflow")
    streams = [tok.encode(doc) for doc in WORKFLOWS]
    meta = {"vocab_size": tok.vocab_size, "pad_id": tok.pad_id, "bos_id": tok.bos_id, "eos_id": tok.eos_id,
            "pos_base": tok.pos_base, "n_pos": tok.n_pos, "pos_stride": tok.pos_stride, "tokenizer": tok.identity()}
    write_shards(tmp_path / "data", streams, streams, meta)
    with pytest.raises(tct.TCTError, match="masks"):
        train(TrainConfig(data=str(tmp_path / "data"), out=str(tmp_path / "run"), masked=True, max_steps=1))


def test_plain_training_reads_no_train_masks(tmp_path, tok):
    """`train_masks.bin` is the largest file of a prepared corpus and only `--masked` reads it:
    data carried without it (to a GPU machine) still trains and scores under the val masks."""
    shards = _data(tmp_path / "data", tok)
    (shards.dir / "train_masks.bin").unlink()
    cfg = dict(data=str(shards.dir), out=str(tmp_path / "run"), d_model=32, n_layers=1, n_heads=2, context=64,
               batch_size=4, warmup_steps=2, eval_every=0, ckpt_every=0, progress=False)
    summary = train(TrainConfig(max_steps=3, **cfg))
    assert math.isfinite(summary["val_masked_loss"]) and summary["val_masked_loss"] <= summary["val_loss"]
    with pytest.raises(tct.TCTError, match="masks"):
        train(TrainConfig(max_steps=1, masked=True, **{**cfg, "out": str(tmp_path / "run2")}))
