"""Training loop on a synthetic shard set: windows, learning, exact resume, DDP."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from tct.errors import TCTError
from tct.model.checkpoint import load_checkpoint
from tct.train.loop import TrainConfig, build_arg_parser, evaluate, lr_at, train
from tct.data.shards import IGNORE, Shards, write_shards


pytestmark = pytest.mark.usefixtures("one_torch_thread")


PAD, BOS, EOS, POS_BASE, N_POS, STRIDE, VOCAB = 0, 1, 2, 3, 8, 16, 300
FIRST, N_CONTENT = 11, 40  # content ids 11..50
IDENTITY = {"schema": "synthetic", "schema_sha256": "00" * 32, "vocab_size": VOCAB}
TINY = dict(d_model=32, n_layers=2, n_heads=4, context=32, batch_size=8, warmup_steps=5,
            lr=1e-2, eval_every=0, log_every=5, ckpt_every=0, progress=False)


def counting_doc(rng, max_len=70):
    """BOS, a, a+1, a+2, ... EOS: learnable (next id = previous + 1)."""
    n = int(rng.integers(3, max_len))
    a = int(rng.integers(0, N_CONTENT))
    return [BOS] + [FIRST + (a + i) % N_CONTENT for i in range(n)] + [EOS]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    train_docs = [counting_doc(rng) for _ in range(300)]
    val_docs = [counting_doc(rng) for _ in range(20)]
    meta = {"vocab_size": VOCAB, "pad_id": PAD, "bos_id": BOS, "eos_id": EOS, "pos_base": POS_BASE,
            "n_pos": N_POS, "pos_stride": STRIDE, "tokenizer": IDENTITY, "val_bytes": 3 * sum(map(len, val_docs))}
    write_shards(d, train_docs, val_docs, meta)
    return d


def records(out: Path, kind: str) -> list[dict]:
    lines = (out / "metrics.jsonl").read_text().splitlines()
    return [r for r in map(json.loads, lines) if r["kind"] == kind]


def test_windows(data_dir):
    s = Shards(data_dir)
    doc = np.array([BOS] + list(range(20, 60)) + [EOS])  # 42 tokens
    x, y, m = s.window(doc, 0, 8)
    assert x.tolist() == doc[:8].tolist() and y.tolist() == doc[1:9].tolist() and m is None
    x, y, _ = s.window(doc, 35, 8)
    assert x.tolist() == [POS_BASE + 2] + doc[35:42].tolist()
    assert y.tolist() == doc[35:42].tolist() + [IGNORE]
    x, y, _ = s.window(doc, 0, 50)
    assert x.tolist() == doc.tolist() + [PAD] * 8 and y.tolist() == doc[1:].tolist() + [IGNORE] * 9
    assert s.position_id(10 ** 6) == POS_BASE + N_POS - 1
    bx, by, bm = s.sample_batch(np.random.default_rng(0), 16, 32)
    assert bx.shape == by.shape == (16, 32) and bx.max() < VOCAB and bm is None
    # mask rows travel with their targets
    rows = doc * 10
    _, y, m = s.window(doc, 35, 8, rows)
    assert m.tolist() == (doc[35:42] * 10).tolist() + [0]


def test_eval_windows_score_each_target_once(data_dir):
    s = Shards(data_dir)
    for context, overlap in [(8, 0), (8, 3), (16, 4), (200, 8)]:
        scored = sum(int((y != IGNORE).sum()) for _, y, _ in s.eval_windows(range(len(s.val.docs)), context, overlap))
        assert scored == int((s.val.docs[:, 1] - 1).sum())


def test_bad_data_is_refused(tmp_path, data_dir):
    for f in data_dir.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    docs = np.load(tmp_path / "val_docs.npy")
    docs[0, 0] += 1  # no longer starts at a BOS
    np.save(tmp_path / "val_docs.npy", docs)
    with pytest.raises(TCTError, match="BOS"):
        Shards(tmp_path)


def test_lr_schedule():
    cfg = TrainConfig(data="", out="", lr=1.0, min_lr=0.1, warmup_steps=10, max_steps=110)
    assert lr_at(0, cfg) == pytest.approx(0.1) and lr_at(9, cfg) == pytest.approx(1.0)
    assert lr_at(60, cfg) == pytest.approx(0.55) and lr_at(110, cfg) == pytest.approx(0.1)


def test_training_learns_pattern(tmp_path, data_dir):
    out = tmp_path / "run"
    summary = train(TrainConfig(data=str(data_dir), out=str(out), max_steps=60, **TINY))
    losses = [r["loss"] for r in records(out, "train")]
    assert losses[0] > 4.5 and summary["train_loss"] < 2.5, losses
    val = records(out, "val")[-1]
    assert val["val_loss"] < 2.5 and val["val_bpb"] is not None
    assert {"model.safetensors", "config.json", "train_state.pt"} <= set(os.listdir(out))
    cfg = json.loads((out / "config.json").read_text())
    assert cfg["tokenizer"] == IDENTITY and cfg["extra"]["step"] == 60
    with pytest.raises(TCTError, match="already holds a checkpoint"):
        train(TrainConfig(data=str(data_dir), out=str(out), max_steps=60, **TINY))


def test_resume_is_exact(tmp_path, data_dir):
    common = dict(data=str(data_dir), max_steps=12, **{**TINY, "dropout": 0.1, "ckpt_every": 4})
    train(TrainConfig(out=str(tmp_path / "full"), **common))
    first = train(TrainConfig(out=str(tmp_path / "split"), stop_at_step=7, **common))
    assert first["step"] == 7 and first["stopped"] == "stop_at_step"
    # simulate a crash after the last checkpoint: metrics past step 7 must be dropped on resume
    with open(tmp_path / "split" / "metrics.jsonl", "a") as f:
        f.write(json.dumps({"kind": "train", "step": 9, "loss": 0.0}) + "\n")
    second = train(TrainConfig(out=str(tmp_path / "split"), resume=True, **common))
    assert second["step"] == 12
    a = load_file(tmp_path / "full" / "model.safetensors")
    b = load_file(tmp_path / "split" / "model.safetensors")
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert [r["step"] for r in records(tmp_path / "full", "train")] == [5, 10, 12]
    assert [r["step"] for r in records(tmp_path / "split", "train")] == [5, 7, 10, 12]  # 9 was trimmed


def test_keep_best_saves_the_best_evaluation(tmp_path, data_dir):
    # The resumed half runs at a learning rate that wrecks the model, so the best evaluation
    # is one the first process saved and the second must not overwrite it.
    common = dict(data=str(data_dir), out=str(tmp_path / "run"), max_steps=24, keep_best=True,
                  **{**TINY, "eval_every": 3, "ckpt_every": 3})
    train(TrainConfig(stop_at_step=12, **{**common, "lr": 0.05}))
    train(TrainConfig(resume=True, **{**common, "lr": 5.0}))
    vals = records(tmp_path / "run", "val")
    best = min(vals, key=lambda r: r["val_bpb"])
    assert best["step"] <= 12 < vals[-1]["step"] and vals[-1]["val_bpb"] > best["val_bpb"]
    stored = json.loads((tmp_path / "run" / "best" / "config.json").read_text())["extra"]
    assert stored["step"] == best["step"] and stored["val_bpb"] == best["val_bpb"]
    model, _, _ = load_checkpoint(tmp_path / "run" / "best", expected_identity=IDENTITY)
    again = evaluate(model, Shards(data_dir), batch_size=8)
    assert again["val_loss"] == pytest.approx(best["val_loss"], rel=1e-5)


def test_max_minutes_stops_with_checkpoint(tmp_path, data_dir):
    out = tmp_path / "run"
    s = train(TrainConfig(data=str(data_dir), out=str(out), max_steps=10_000, max_minutes=1e-6, **TINY))
    assert s["stopped"] == "max_minutes" and s["step"] == 1
    assert json.loads((out / "config.json").read_text())["extra"]["step"] == 1


def test_arg_parser_round_trip():
    args = build_arg_parser().parse_args(["--data", "d", "--out", "o", "--preset", "small", "--max-steps", "5",
                                          "--lr", "0.01", "--no-progress", "--resume", "--max-minutes", "2.5"])
    assert (args.preset, args.max_steps, args.lr, args.progress, args.resume, args.max_minutes) == \
        ("small", 5, 0.01, False, True, 2.5)
    assert args.d_model is None and args.batch_size == 16


def test_torchrun_two_ranks(tmp_path, data_dir):
    out = tmp_path / "ddp"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "tct.train", "--data", str(data_dir), "--out", str(out), "--max-steps", "10",
           "--d-model", "32", "--n-layers", "2", "--n-heads", "4", "--context", "32", "--batch-size", "4",
           "--log-every", "5", "--eval-every", "5", "--ckpt-every", "0", "--no-progress"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    train_recs = records(out, "train")
    assert [x["step"] for x in train_recs] == [5, 10]
    assert len(records(out, "val")) == 2 and records(out, "end")[0]["step"] == 10
    state = torch.load(out / "train_state.pt", weights_only=True)
    assert state["world_size"] == 2 and state["step"] == 10
