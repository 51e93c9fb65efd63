"""The command line as a user runs it: round trips, clear errors without tracebacks."""

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, need
from tct.cli import main


def test_encode_decode_round_trip(tmp_path, capsys):
    doc = tmp_path / "ci.yml"
    doc.write_text("name: CI\non:\n  push:\n    branches: [main]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                   "    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n")
    assert main(["encode", str(doc)]) == 0
    ids = capsys.readouterr().out
    ids_file = tmp_path / "ids.json"
    ids_file.write_text(ids)
    assert main(["decode", str(ids_file)]) == 0
    back = json.loads(capsys.readouterr().out)
    assert back["on"] == {"push": {"branches": ["main"]}} and list(back) == ["name", "on", "jobs"]
    assert main(["inspect", str(doc)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any("/jobs/t/steps/1" in line for line in lines)


def test_user_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  t:\n    runs-on: x\n    steps: 3\n")
    r = subprocess.run([sys.executable, "-m", "tct.cli", "encode", str(bad)], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "/jobs/t/steps" in r.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("on: [push\n")
    r = subprocess.run([sys.executable, "-m", "tct.cli", "encode", str(broken)], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and "broken.yml" in r.stderr


def test_schema_violation_names_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  b:\n    runs-on: 5\n    steps:\n      - run: make\n")
    for command in ("encode", "inspect"):
        assert main([command, str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"tct: error: {bad} at /jobs/b/runs-on: ") and len(err.splitlines()) == 1


@pytest.fixture
def tiny_model(monkeypatch, workflow_tok):
    """`tct generate` on an untrained one-layer model (the real one is slow on 2 busy cores)."""
    import tct
    from tct.model.checkpoint import random_model
    from tct.model.gpt import GPTConfig
    from tct.model.registry import LoadedModel
    cfg = GPTConfig(vocab_size=workflow_tok.vocab_size, d_model=32, n_layers=1, n_heads=2, context=256)
    model = LoadedModel(random_model(cfg, seed=1), workflow_tok, cfg, "tiny")
    monkeypatch.setattr(tct, "load_model", lambda *a, **k: model, raising=False)


def test_generate_shows_progress_on_a_terminal(capsys, monkeypatch, tiny_model, one_torch_thread):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["generate", "-n", "2", "--model", "random", "--seed", "1", "--max-tokens", "300",
                 "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "generating" in err and "2/2" in err and "tokens" in err
    assert len(out.strip().split("\n\n")) == 2  # the documents themselves stay on stdout
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert main(["generate", "-n", "1", "--model", "random", "--seed", "1", "--max-tokens", "300"]) == 0
    assert "generating" not in capsys.readouterr().err  # no bar in logs and pipes


def test_schema_command(capsys):
    assert main(["schema", "github-workflow"]) == 0
    out = capsys.readouterr().out
    assert "every keyword is enforced exactly" in out
    schema = {"type": "array", "contains": {"const": 1}}
    assert main(["schema", json.dumps(schema)]) == 2  # not a path or name: a clear error


def test_corpus_check_reports_rejects(capsys):
    folder = need(CORPUS / "files" / "actions__starter-workflows" / "code-scanning")
    assert main(["corpus", "check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "rubocop.yml" in out and "missing required property 'matrix'" in out
    assert "nowsecure.yml" in out


def test_data_prepare_writes_shards_and_rejects(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    for repo in ("a", "b", "c", "d"):
        (corpus / repo).mkdir(parents=True)
        (corpus / repo / "ci.yml").write_text(f"name: {repo}\non: push\njobs:\n  t:\n    runs-on: x\n"
                                              "    steps:\n      - run: make\n")
    (corpus / "a" / "bad.yml").write_text("on: push\n")  # no jobs
    out = tmp_path / "data"
    assert main(["data", "prepare", str(corpus), str(out), "--val-fraction", "0.5"]) == 0
    meta = json.loads((out / "meta.json").read_text())
    assert meta["tokenizer"]["schema"] == "github-workflow"
    rejects = [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
    assert [r["file"].endswith("bad.yml") for r in rejects] == [True]
    from tct.data.shards import Shards
    shards = Shards(out)
    assert len(shards.train.docs) + len(shards.val.docs) == 4
    # every position's legal-id mask comes along, and admits the id the document chose there
    assert meta["masks"]["exact"] and shards.mask_table is not None
    for split in (shards.train, shards.val):
        for i in range(len(split.docs)):
            doc, rows = split.doc(i), split.doc_masks(i)
            assert shards.mask_table[rows[1:], doc[1:]].all() and rows[0] == 0
    plain = tmp_path / "plain"
    assert main(["data", "prepare", str(corpus), str(plain), "--val-fraction", "0.5", "--no-masks"]) == 0
    assert Shards(plain).mask_table is None and not (plain / "masks.npy").exists()
