"""Learned merges keep everything exact: round trips, masks equal to what feed accepts, any
segmentation decodes, every allowed id can still be finished, generation stays valid."""

import json
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tct
from conftest import check_cost_deltas
from tct.codec.meanings import END
from tct.data.documents import load_document
from tct.generation.constrained import random_walk
from tct.vocab.merges import learn_merges
from conftest import CORPUS, minified, need


@pytest.fixture(scope="module")
def corpus_docs(manifest, workflow_tok):
    """~50 train documents to learn from, ~12 val documents to check on."""
    out = {"train": [], "val": []}
    for e in manifest:
        if e["verdict"] != "valid" or len(out[e["split"]]) >= {"train": 50, "val": 12}[e["split"]]:
            continue
        doc = load_document(CORPUS / e["file"])
        if len(minified(doc)) < 6000:  # small documents keep the brute-force checks fast
            out[e["split"]].append(doc)
    return out


@pytest.fixture(scope="module")
def merged(corpus_docs, workflow_tok):
    base = workflow_tok
    frozen = [base.bos_id, base.eos_id, base.pad_id] + list(range(base.pos_base, base.pos_base + base.n_pos))
    table = learn_merges([base.encode(d) for d in corpus_docs["train"]], base.vocab_size, base.vocab_size + 340, frozen=frozen)
    return base.with_merges(table)


def accepted(dec, vocab_size):
    out = np.zeros(vocab_size, dtype=bool)
    for i in range(vocab_size):
        try:
            dec.copy().feed(i)
            out[i] = True
        except tct.DecodeError:
            pass
    return out


def test_learning_is_deterministic_and_frozen_ids_never_merge(corpus_docs, workflow_tok, merged):
    base = workflow_tok
    frozen = {base.bos_id, base.eos_id, base.pad_id} | set(range(base.pos_base, base.pos_base + base.n_pos))
    again = learn_merges([base.encode(d) for d in corpus_docs["train"]], base.vocab_size, base.vocab_size + 340, frozen=frozen)
    assert again.seqs == merged.merges.seqs and again.sha256 == merged.merges.sha256
    assert len(merged.merges) > 200 and merged.vocab_size == base.vocab_size + len(merged.merges)
    assert all(len(s) <= 64 and not frozen & set(s) for s in merged.merges.seqs)


def test_round_trip_and_compression(corpus_docs, workflow_tok, merged):
    n_base = n_merged = 0
    for doc in corpus_docs["val"]:
        ids = merged.encode(doc)
        assert merged.decode(ids) == doc
        assert ids == merged.encode(doc)  # canonical
        base_ids = workflow_tok.encode(doc)
        assert [s for i in ids for s in merged.expand(i)] == base_ids
        n_base, n_merged = n_base + len(base_ids), n_merged + len(ids)
    assert n_merged < 0.7 * n_base


def fewest(trie, ids) -> int:
    """The fewest ids (base or merged) that spell `ids`: a plain dynamic program over the trie."""
    best = [0] + [len(ids) + 1] * len(ids)
    for i in range(len(ids)):
        best[i + 1] = min(best[i + 1], best[i] + 1)
        node = trie
        for j in range(i, len(ids)):
            node = node.children.get(ids[j])
            if node is None:
                break
            if node.tok >= 0:
                best[j + 1] = min(best[j + 1], best[i] + 1)
    return best[-1]


def test_encode_takes_the_fewest_ids(corpus_docs, workflow_tok, merged):
    """`encode` is the shortest segmentation (SentencePiece's Viterbi), whatever its ties."""
    for doc in corpus_docs["val"]:
        body = workflow_tok.encode(doc)[1:-1]
        assert len(merged.encode(doc)) - 2 == fewest(merged.merges.trie, body)


def test_any_segmentation_decodes(corpus_docs, workflow_tok, merged):
    rng = np.random.default_rng(0)
    trie = merged.merges.trie
    for doc in corpus_docs["val"][:6]:
        base_ids = workflow_tok.encode(doc)
        out, i = [base_ids[0]], 1
        while i < len(base_ids) - 1:
            node, options = trie, [base_ids[i]]
            for j in range(i, len(base_ids) - 1):
                node = node.children.get(base_ids[j])
                if node is None:
                    break
                if node.tok >= 0:
                    options.append(node.tok)
            pick = options[rng.integers(len(options))]
            out.append(pick)
            i += len(merged.expand(pick))
        out.append(base_ids[-1])
        assert merged.decode(out) == doc


def test_bulk_decode_is_id_by_id(merged, corpus_docs):
    """`decode`/`decode_prefix` feed merged ids as their runs of base ids (string bytes at once):
    the same text, phase and count as feeding id by id, and the same error for the same id."""
    rng = np.random.default_rng(2)

    def one_by_one(ids):
        d = merged.decoder()
        try:
            for pos, t in enumerate(ids):
                d.feed(t, position=pos)
        except tct.DecodeError as exc:
            return str(exc)
        return d.partial_text(), d.phase, d.n_fed

    def bulk(ids):
        try:
            d = merged._feed_all(ids)
        except tct.DecodeError as exc:
            return str(exc)
        return d.partial_text(), d.phase, d.n_fed

    for doc in corpus_docs["val"][:6]:
        ids = merged.encode(doc)
        for _ in range(8):
            cut = ids[:int(rng.integers(1, len(ids) + 1))]
            if rng.random() < 0.5:  # a junk id somewhere
                k = int(rng.integers(1, len(cut) + 1))
                cut = cut[:k] + [int(rng.integers(0, merged.vocab_size))] + cut[k:]
            assert bulk(cut) == one_by_one(cut)
        assert bulk(ids + [merged.pad_id] * 3)[1:] == ("done", len(ids))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1), frac=st.floats(0.0, 1.0))
def test_mask_equals_what_feed_accepts(merged, corpus_docs, seed, frac):
    rng = np.random.default_rng(seed)
    if rng.random() < 0.5:  # a state inside a real document
        ids = merged.encode(corpus_docs["val"][int(rng.integers(len(corpus_docs["val"])))])
    else:  # a state of a random walk
        ids = random_walk(merged, rng, max_tokens=600)
    dec = merged.decoder()
    for i in ids[:int(frac * (len(ids) - 1))]:
        dec.feed(i)
    truth = accepted(dec, merged.vocab_size)  # before allowed(): feed checks each run itself
    mask = dec.allowed()
    assert np.array_equal(mask, truth)
    assert sorted(dec.allowed_ids()) == list(np.flatnonzero(mask))


def _assert_byte_walks_equal_the_general_walk(merged, streams, monkeypatch):
    """Masks along `streams` (fresh caches each time) with string byte runs walked on the
    automaton alone (merged_mask.py `_walk_bytes`), then with every string the general way."""
    from tct.codec.machine import Machine

    def masks():
        tok = tct.Tokenizer(merged.compiler, merged.merges)
        out = []
        for ids in streams:
            dec = tok.decoder()
            for i in ids:
                out.append(np.flatnonzero(dec.allowed()))
                dec.feed(i)
        return out

    fast = masks()
    monkeypatch.setattr(Machine, "plain_string", lambda self: None)
    slow = masks()
    assert len(fast) == len(slow) and all(np.array_equal(a, b) for a, b in zip(fast, slow))


def test_byte_walks_equal_the_general_walk(merged, corpus_docs, monkeypatch):
    """Along real documents and random walks."""
    rng = np.random.default_rng(7)
    streams = [merged.encode(d) for d in corpus_docs["val"][:3]]
    streams += [random_walk(merged, rng, max_tokens=400) for _ in range(3)]
    _assert_byte_walks_equal_the_general_walk(merged, streams, monkeypatch)


# Strings whose automata force bytes and END (fixed lengths, enums, a lone byte before END),
# free keys with siblings: byte runs that leave a string in every way.
PATTERNED = {"type": "object", "properties": {
    "v": {"type": "string", "pattern": "^v[0-9]$"},
    "e": {"enum": ["abc", "abd", "x"]},
    "s": {"type": "string", "pattern": "^a(bc)?$"},
    "l": {"type": "array", "items": {"type": "string", "maxLength": 2}}},
    "patternProperties": {"^k": {"type": "string", "pattern": "^[ab]{2}$"}},
    "propertyNames": {"pattern": "^(v|e|s|l|k[ab]?c?)$"}}


def test_byte_walks_equal_the_general_walk_on_patterns(monkeypatch):
    base = tct.Tokenizer.from_schema(PATTERNED)
    rng = np.random.default_rng(3)
    train = [random_walk(base, rng, max_tokens=200) for _ in range(300)]
    table = learn_merges(train, base.vocab_size, base.vocab_size + 120,
                         frozen=[base.bos_id, base.eos_id, base.pad_id])
    merged = base.with_merges(table)
    _assert_byte_walks_equal_the_general_walk(merged, [random_walk(merged, rng, max_tokens=200) for _ in range(30)],
                                              monkeypatch)


# Free keys whose first letter picks the value: the key automaton forgets it ("xz" and "yz"
# reach the same state), so only the whole text says what a run that ends the key may go on with.
KEYED = {"type": "object", "minProperties": 3, "maxProperties": 6, "propertyNames": {"pattern": "^[xyz]+$"},
         "patternProperties": {"^x": {"const": 1}}, "additionalProperties": {"enum": [2, "s"]}}


def test_masks_inside_keys_take_the_whole_key_text():
    """Masks are cached without a key's text until it ends (level 0), then with it: a state
    reached with another text must not inherit what a run ending the key allowed there."""
    base = tct.Tokenizer.from_schema(KEYED)
    rng = np.random.default_rng(5)
    train = [random_walk(base, rng, max_tokens=80) for _ in range(400)]
    merged = base.with_merges(learn_merges(train, base.vocab_size, base.vocab_size + 60,
                                           frozen=[base.bos_id, base.eos_id, base.pad_id]))
    checked = crossing = 0
    for _ in range(40):  # one tokenizer, so its caches are warmed by other texts
        dec = merged.decoder()
        for i in random_walk(merged, rng, max_tokens=80):
            top = dec.m.stack[-1] if dec.m.stack else None
            if top is not None and top.role == "key" and top.text:
                truth = accepted(dec, merged.vocab_size)
                assert np.array_equal(dec.allowed(), truth), top.text
                checked += 1
                crossing += any(END in merged.expand(t)[:-1] for t in np.flatnonzero(truth))
            dec.feed(i)
    assert checked > 30 and crossing > 10


def test_every_allowed_id_can_be_finished(merged, corpus_docs, workflow_validator):
    rng = np.random.default_rng(3)
    ids = merged.encode(corpus_docs["val"][1])
    for cut in rng.choice(len(ids) - 1, size=4, replace=False):
        prefix = list(ids[:cut + 1])
        allowed = merged.decoder()
        for i in prefix:
            allowed.feed(i)
        cand = np.flatnonzero(allowed.allowed())
        for tok in rng.choice(cand, size=min(25, len(cand)), replace=False):
            stream = prefix + [int(tok)]
            full = stream + merged.complete(stream)
            doc = merged.decode(full)
            assert workflow_validator.is_valid(doc)
            text, _ = merged.decode_prefix(stream)
            # an open number shows as typed (`1e5`, `-0.00`); closed, it is written as its value
            assert json.dumps(doc, ensure_ascii=False, separators=(",", ":")).startswith(
                re.sub(r"[-+0-9.eE]+$", "", text))


def test_windows_and_random_ids(merged, corpus_docs):
    ids = merged.encode(corpus_docs["val"][0])
    window = merged.extract_window(ids, 5, 40)
    assert merged.is_position(window[0]) and merged.decode_window(window) == ids[5:40]
    rng = np.random.default_rng(1)
    for _ in range(200):
        junk = [merged.bos_id] + [int(x) for x in rng.integers(0, merged.vocab_size, size=int(rng.integers(1, 30)))]
        try:
            merged.decode(junk)
        except tct.DecodeError:
            pass
    assert "merge[" in merged.token_name(merged.base_size)


def test_save_load_identity(merged, tmp_path, workflow_tok):
    merged.save(tmp_path / "tok")
    back = tct.Tokenizer.load(tmp_path / "tok")
    assert back.identity() == merged.identity() and back.vocab_size == merged.vocab_size
    assert "merges_sha256" in merged.identity() and "merges_sha256" not in workflow_tok.identity()
    assert merged.identity() != workflow_tok.identity()
    assert tct.Tokenizer.from_schema("github-workflow").merges is None
    with pytest.raises(tct.TCTError, match="tct tokenizer train"):
        tct.Tokenizer.load("no-such-tokenizer")
    # a directory from before runs (BPE merge pairs) is refused with what to do about it
    (tmp_path / "tok" / "merges.json").write_text(json.dumps({"base_size": merged.base_size, "pairs": [[97, 98]]}))
    with pytest.raises(tct.TCTError, match="earlier format.*tct tokenizer train"):
        tct.Tokenizer.load(tmp_path / "tok")


def test_walks_and_untrained_generation_are_valid(merged, workflow_validator):
    from tct.model.checkpoint import random_model
    from tct.model.gpt import GPTConfig
    from tct.model.registry import LoadedModel
    rng = np.random.default_rng(5)
    for _ in range(5):
        ids = random_walk(merged, rng, max_tokens=500)
        assert len(ids) <= 500 and workflow_validator.is_valid(merged.decode(ids))
    torch.set_num_threads(1)
    assert tct.load_model("random", tokenizer=merged).config.vocab_size == merged.vocab_size
    cfg = GPTConfig(vocab_size=merged.vocab_size, d_model=32, n_layers=1, n_heads=2, context=64)
    model = LoadedModel(random_model(cfg, seed=2), merged, cfg, "random")
    for temperature, prefix in ((0.0, None), (0.5, None), (1.5, '{"name": "CI", "on": "push", "jobs": {')):
        for doc, ids in tct.generate(model, n=2, temperature=temperature, seed=4, max_tokens=300,
                                     prefix=prefix, return_ids=True):
            assert len(ids) <= 300 and workflow_validator.is_valid(doc)
            assert merged.decode(ids) == doc
            if prefix:
                assert doc["name"] == "CI"


def test_cli_train(tmp_path):
    from tct.cli import main
    need(CORPUS)
    out = tmp_path / "tok"
    assert main(["tokenizer", "train", str(CORPUS), "--vocab", "700", "--limit", "20", "--out", str(out)]) == 0
    assert tct.Tokenizer.load(out).vocab_size == 700


def test_shipped_workflow_tokenizer(corpus_docs, workflow_validator):
    tok = tct.Tokenizer.load("github-workflow")
    base = tct.Tokenizer.from_schema("github-workflow")
    assert tok.base_size == base.vocab_size and tok.vocab_size == 8192
    for doc in corpus_docs["val"][:5]:
        ids = tok.encode(doc)
        assert len(ids) < len(base.encode(doc)) / 2
        assert json.dumps(tok.decode(ids)) == json.dumps(doc)
    doc = tok.decode(random_walk(tok, np.random.default_rng(0), max_tokens=400))
    assert workflow_validator.is_valid(doc)


def test_cost_deltas_and_budget_mask_are_exact(corpus_docs, merged):
    """With merges, `cost_deltas` and `budget_mask` agree with feeding each id (conftest)."""
    steps = 0
    for doc in corpus_docs["val"][:3]:
        d = merged.decoder()
        for used, tok_id in enumerate(merged.encode(doc)[:150]):
            if used % 7 == 3 and d.phase == "body":
                check_cost_deltas(d, used)
                steps += 1
            d.feed(tok_id)
    assert steps > 20


def test_fewest_ids_over_a_large_base():
    """Schemas with thousands of meanings spell base ids past SentencePiece's whitespace mark
    (U+2581) and the surrogates: every base id stays its own character and runs still apply."""
    from tct.vocab.merges import MergeTable, _char
    chars = [_char(i) for i in range(70000)]
    assert len(set(chars)) == 70000 and "\u2581" not in chars
    assert not any(0xD800 <= ord(c) < 0xE000 for c in chars)
    table = MergeTable(60000, [(9344, 9345, 9346), (55100, 32), (9345, 9346)])
    ids = [5, 9344, 9345, 9346, 55100, 32, 9345, 9346, 0]
    assert table.apply(ids) == [5, 60000, 60001, 60002, 0]
