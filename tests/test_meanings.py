"""Ids with one meaning: a key, a literal value or a branch kind is the same id wherever it occurs."""

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tct
from conftest import CORPUS, sample
from tct.codec.meanings import Meanings
from tct.generation.constrained import random_walk


def at(doc, pointer: str):
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def check_meanings(tok, ids):
    """Every key and value id in a stream stands for the key or value the document has there."""
    doc = tok.decode(ids)
    for row in tok.trace(ids):
        kind, _, text = row["choice"].partition(":")
        path = "" if row["path"] == "/" else row["path"]
        if row["position"] is not None:
            assert tok.token_name(ids[row["position"]]) == row["choice"]
        if kind == "key":
            assert json.loads(text) in at(doc, path), (path, text)
        elif kind == "value":
            assert json.dumps(at(doc, path), ensure_ascii=False, sort_keys=True, separators=(",", ":")) == text


def test_ids_mean_one_thing_across_the_corpus(manifest, workflow_tok):
    seen = {}
    for e in sample([e for e in manifest if e["verdict"] == "valid"], 25):
        ids = workflow_tok.encode(tct.load_document(CORPUS / e["file"]))
        check_meanings(workflow_tok, ids)
        for i in ids:
            seen.setdefault(i, workflow_tok.token_name(i))
    assert len(set(seen.values())) == len(seen)


def test_same_key_and_value_same_id(workflow_tok):
    tok = workflow_tok
    doc = {"name": "CI", "on": ["push"], "jobs": {"a": {"name": "A", "runs-on": "x", "steps": [{"name": "s", "run": "make"}]},
                                                  "b": {"runs-on": "y", "steps": [{"uses": "actions/checkout@v4"}]}}}
    ids = tok.encode(doc)
    name, runs_on = tok.meanings.key_id("name"), tok.meanings.key_id("runs-on")
    assert ids.count(name) == 3 and ids.count(runs_on) == 2  # top level, job and step: one id
    assert tok.token_name(name) == 'key:"name"'
    push = tok.meanings.value_id("push")
    assert push in tok.encode({"on": "push", "jobs": doc["jobs"]}) and push in ids  # a value and an item
    check_meanings(tok, ids)


def test_literals_are_offered_directly_with_their_spelling():
    schema = {"anyOf": [{"type": "string"}, {"type": "object", "required": ["a"]},
                        {"type": "object", "required": ["b"]}, {"enum": ["x", 1, True]}, {"type": "null"}]}
    tok = tct.Tokenizer.from_schema(schema)
    names = lambda doc: [tok.token_name(i) for i in tok.encode(doc)[1:-1]]  # noqa: E731
    assert names("x") == ['value:"x"']  # one id, not branch + value
    assert names(1) == ["value:1"] and names(1.0) == ["value:1.0"]
    assert names(True) == ["value:true"] and names(None) == ["value:null"]
    assert names("z") == ["branch:string", "byte 'z'", "END"]
    assert names({"a": 1})[0] == "branch:object" and names({"b": 1})[0] == "branch:object#2"
    for doc in ("x", 1, 1.0, True, None, "z", {"a": 1}, {"b": 2.0}):
        assert json.dumps(tok.decode(tok.encode(doc))) == json.dumps(doc)


def test_forced_decisions_cost_no_id():
    tok = tct.Tokenizer.from_schema({"type": "object", "properties": {"a": {"const": "x"}},
                                     "required": ["a"], "additionalProperties": False})
    assert tok.encode({"a": "x"}) == [tok.bos_id, tok.eos_id]


def test_copy_owed_by_not_unique_items_keeps_its_spelling():
    tok = tct.Tokenizer.from_schema({"type": "array", "items": {"type": "number"}, "maxItems": 2,
                                     "not": {"uniqueItems": True}})
    for doc in ([1, 1.0], [1, 1], [1.0, 1], [2.5, 2.5]):
        assert json.dumps(tok.decode(tok.encode(doc))) == json.dumps(doc)
    with pytest.raises(tct.SchemaViolation):
        tok.encode([1, 2])


def test_table_is_sorted_deterministic_and_in_the_identity(workflow_tok):
    again = tct.Tokenizer.from_schema("github-workflow")
    assert again.meanings.names == workflow_tok.meanings.names == tuple(sorted(workflow_tok.meanings.names))
    assert again.identity() == workflow_tok.identity()
    assert workflow_tok.identity()["meanings_sha256"] == workflow_tok.meanings.sha256
    a = tct.Tokenizer.from_schema({"enum": ["a", "b"]})
    b = tct.Tokenizer.from_schema({"enum": ["a", "c"]})
    assert a.vocab_size == b.vocab_size and a.identity()["meanings_sha256"] != b.identity()["meanings_sha256"]


def test_option_without_an_id_fails_at_compile_time(workflow_tok):
    c = workflow_tok.compiler
    names = [n for n in workflow_tok.meanings.names if n != 'key:"runs-on"']
    with pytest.raises(tct.SchemaError, match="runs-on"):
        Meanings(names).check(c, c.explored())
    names = [n for n in workflow_tok.meanings.names if n != 'value:"push"']
    with pytest.raises(tct.SchemaError, match="push"):
        Meanings(names).check(c, c.explored())


def test_nested_const_values_and_keys_have_ids():
    tok = tct.Tokenizer.from_schema({"const": {"k": [1, "v", None]}})
    names = set(tok.meanings.names)
    assert {'key:"k"', "value:1", "value:1.0", 'value:"v"', 'value:{"k":[1,"v",null]}'} <= names


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2 ** 31))
def test_random_walks_keep_meanings(workflow_tok, seed):
    ids = random_walk(workflow_tok, np.random.default_rng(seed), max_tokens=300)
    check_meanings(workflow_tok, ids)


def test_checkpoint_for_other_meanings_is_refused(tmp_path):
    from tct.model import checkpoint as ckpt
    from tct.model.gpt import GPT, GPTConfig
    a = tct.Tokenizer.from_schema({"enum": ["a", "b"]})
    b = tct.Tokenizer.from_schema({"enum": ["a", "c"]})
    cfg = GPTConfig(vocab_size=a.vocab_size, d_model=32, n_layers=1, n_heads=4, context=16)
    ckpt.save_checkpoint(tmp_path, GPT(cfg), cfg, a.identity())
    ckpt.load_checkpoint(tmp_path, expected_identity=a.identity())
    with pytest.raises(tct.TCTError, match="meanings_sha256"):
        ckpt.load_checkpoint(tmp_path, expected_identity=b.identity())
