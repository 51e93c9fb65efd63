"""The codec on real workflows: lossless round trips, rejects with paths, prefixes, completion."""

import json
import re

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tct
from conftest import CORPUS, minified, sample
from tct.generation.constrained import random_walk


def test_valid_workflows_round_trip_exactly(manifest, workflow_tok):
    entries = sample([e for e in manifest if e["verdict"] == "valid"], 7)
    assert len(entries) > 350
    for e in entries:
        doc = tct.load_document(CORPUS / e["file"])
        ids = workflow_tok.encode(doc)
        assert ids[0] == workflow_tok.bos_id and ids[-1] == workflow_tok.eos_id
        back = workflow_tok.decode(ids)
        assert back == doc
        assert list(back) == list(doc)  # key order kept
        assert minified(back) == minified(doc)  # int vs float kept


def test_schema_invalid_workflows_are_rejected_with_a_path(manifest, workflow_tok):
    entries = [e for e in manifest if e["verdict"] == "schema_invalid"]
    assert entries
    for e in entries:
        doc = tct.load_document(CORPUS / e["file"])
        with pytest.raises(tct.SchemaViolation) as info:
            workflow_tok.encode(doc)
        assert info.value.path.startswith("/"), (e["file"], str(info.value))
        assert info.value.reason


def test_violation_names_the_path_and_reason(workflow_tok):
    doc = {"on": "push", "jobs": {"build": {"runs-on": "ubuntu-latest",
                                            "steps": [{"run": "make", "uses": "actions/checkout@v4"}]}}}
    with pytest.raises(tct.SchemaViolation) as info:
        workflow_tok.encode(doc)  # oneOf: a step may not have both run and uses
    assert info.value.path.startswith("/jobs/build/steps/0")
    doc = {"on": {"push": {"branches": "main"}}, "jobs": {"b": {"runs-on": "x", "steps": [{"run": "a"}]}}}
    with pytest.raises(tct.SchemaViolation) as info:
        workflow_tok.encode(doc)
    assert info.value.path == "/on/push/branches"


def test_prefixes_and_completion(manifest, workflow_tok, workflow_validator):
    for e in sample([e for e in manifest if e["verdict"] == "valid"], 180):
        doc = tct.load_document(CORPUS / e["file"])
        ids = workflow_tok.encode(doc)
        full = minified(doc)
        step = max(1, len(ids) // 40)
        for n in list(range(0, len(ids), step)) + [len(ids) - 1, len(ids)]:
            text, complete = workflow_tok.decode_prefix(ids[:n])
            assert full.startswith(text), (e["file"], n, text[-40:])
            assert complete == (n >= len(ids) - 1)
            rest = workflow_tok.complete(ids[:n])
            assert rest == [] if n == len(ids) else rest[-1] == workflow_tok.eos_id
            finished = workflow_tok.decode(ids[:n] + rest)
            assert workflow_validator.is_valid(finished)


def test_incremental_decoder_api(workflow_tok):
    d = workflow_tok.decoder()
    mask = d.allowed()
    assert mask.dtype == bool and mask.shape == (workflow_tok.vocab_size,)
    assert np.flatnonzero(mask).tolist() == [workflow_tok.bos_id]
    d.feed(workflow_tok.bos_id)
    e = d.copy()
    first = int(np.flatnonzero(d.allowed())[0])
    e.feed(first)
    assert d.allowed() is not None and not d.done  # the copy is independent
    ids = workflow_tok.encode({"on": "push", "jobs": {"a": {"runs-on": "x", "steps": [{"run": "echo"}]}}})
    d = workflow_tok.decoder()
    for i in ids:
        assert d.allowed()[i]
        d.feed(i)
    assert d.done
    with pytest.raises(tct.DecodeError) as info:
        d.feed(0)
    assert info.value.allowed == []


def test_windows(workflow_tok):
    ids = workflow_tok.encode({"on": "push", "jobs": {"a": {"runs-on": "x", "steps": [{"run": "echo hi"}]}}})
    w = workflow_tok.extract_window(ids, 5, 15)
    assert workflow_tok.is_position(w[0]) and w[1:] == ids[5:15]
    assert workflow_tok.decode_window(w) == ids[5:15]
    with pytest.raises(tct.DecodeError):
        workflow_tok.decode_window(ids[5:15])
    with pytest.raises(tct.DecodeError):
        workflow_tok.decode(w)  # a position token is never legal inside a document


def test_random_walks_are_valid(workflow_tok, workflow_validator):
    rng = np.random.default_rng(7)
    tight = int(workflow_tok.decoder().remaining_cost()) + 10
    for _ in range(10):
        ids = random_walk(workflow_tok, rng, max_tokens=tight, end_bias=0.0)
        assert len(ids) <= tight and workflow_validator.is_valid(workflow_tok.decode(ids))
    for _ in range(25):
        ids = random_walk(workflow_tok, rng, max_tokens=1500)
        assert len(ids) <= 1500
        doc = workflow_tok.decode(ids)
        assert workflow_validator.is_valid(doc), json.dumps(doc)[:300]
        assert workflow_tok.decode(workflow_tok.encode(doc)) == doc


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=-5, max_value=700), max_size=60))
def test_fuzz_decode_only_raises_decode_error(workflow_tok, ids):
    try:
        workflow_tok.decode(ids)
    except tct.DecodeError:
        pass
    d = workflow_tok.decoder()
    for i in ids:
        try:
            d.feed(i)
        except tct.DecodeError:
            break


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_fuzz_legal_prefixes_always_complete(workflow_tok, workflow_validator, data):
    """Random legal prefixes (drawn from the mask) always decode as JSON prefixes and complete."""
    d = workflow_tok.decoder()
    ids = []
    for _ in range(data.draw(st.integers(0, 120))):
        if d.done:
            break
        options = np.flatnonzero(d.allowed()).tolist()
        tok = data.draw(st.sampled_from(options))
        d.feed(tok)
        ids.append(tok)
    text, _ = workflow_tok.decode_prefix(ids)
    full = ids + workflow_tok.complete(ids)
    full_text, complete = workflow_tok.decode_prefix(full)
    # An open number shows as typed ("-0.00"); once closed it is written as its value ("-0.0").
    assert complete and full_text.startswith(re.sub(r"[-+0-9.eE]+$", "", text))
    doc = workflow_tok.decode(full)
    assert doc == json.loads(full_text)
    assert workflow_validator.is_valid(doc)


def _slow(monkeypatch):
    """Encode strings byte by byte through `options()`/`forced()` (no `Machine.spell`)."""
    from tct.codec.machine import Machine
    monkeypatch.setattr(Machine, "spell", lambda self, text, start=0: (0, []))


def test_spelled_strings_encode_as_byte_by_byte(manifest, workflow_tok, monkeypatch):
    """`Machine.spell` (whole strings at once) gives the ids of the general path."""
    entries = sample([e for e in manifest if e["verdict"] == "valid"], 40)
    docs = [tct.load_document(CORPUS / e["file"]) for e in entries]
    fast = [workflow_tok.encode(d) for d in docs]
    _slow(monkeypatch)
    slow_tok = tct.Tokenizer.from_schema("github-workflow")
    assert fast == [slow_tok.encode(d) for d in docs]


PATTERNED = {"type": "object", "properties": {
    "a": {"type": "string", "pattern": "^[a-cé]+x?$", "maxLength": 5},
    "b": {"type": "string", "pattern": "^v[0-9]", "minLength": 2},
    "c": {"type": "string", "enum": ["xy", "xz"]},
    "d": {"type": "string", "not": {"enum": ["ab", "abc"]}},
    "e": {"type": "string"}}}


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from("abcde"), text=st.text(alphabet="abcvxyzé0\U0001F600\ud800", max_size=7))
def test_spell_agrees_with_the_general_path(key, text):
    """Forced bytes (one option), refused ones, multi-byte characters, exclusions: the same ids
    or the same error either way."""
    from tct.codec.machine import Machine

    def run(tok):
        try:
            return tok.encode({key: text})
        except tct.SchemaViolation as exc:
            return str(exc)

    fast = run(tct.Tokenizer.from_schema(PATTERNED))
    spell = Machine.spell
    Machine.spell = lambda self, t, start=0: (0, [])
    try:
        slow = run(tct.Tokenizer.from_schema(PATTERNED))
    finally:
        Machine.spell = spell
    assert fast == slow


# Free keys: siblings are exclusions while the text can still turn into one; "xy" is a name
# whose value cannot be given, so the "a" after it is forced; the "d" of "cd" is forced after
# a sibling "c".
FREE_KEYS = {"type": "object", "patternProperties": {"^x": {"type": "integer"}, "^xy$": False},
             "propertyNames": {"pattern": "^(xya?|cd?|[abé\U0001F600]{0,4}|x[ab]*)$"},
             "additionalProperties": {"type": "string"}}
_key_text = st.one_of(st.sampled_from(["c", "cd", "a", "ab", "x", "xya", "é"]),
                      st.text(alphabet="abcdxyé\U0001F600", max_size=6))


def _free_keys_doc(keys):
    return {k: 1 if k.startswith("x") else "s" for k in keys}


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(_key_text, max_size=4))
def test_spell_agrees_with_the_general_path_on_free_keys(keys):
    from tct.codec.machine import Machine

    def run(tok):
        try:
            return tok.encode(_free_keys_doc(keys))
        except tct.SchemaViolation as exc:
            return str(exc)

    fast = run(tct.Tokenizer.from_schema(FREE_KEYS))
    spell = Machine.spell
    Machine.spell = lambda self, t, start=0: (0, [])
    try:
        slow = run(tct.Tokenizer.from_schema(FREE_KEYS))
    finally:
        Machine.spell = spell
    assert fast == slow


def _assert_runs_decode_as_one_by_one(tok, ids):
    """`_feed_all` (byte runs at once) and feeding id by id: the same state or the same error."""
    def run(feed_all):
        try:
            d = feed_all(ids)
            return d.partial_text(), d.phase, d.n_fed, d.m.state_key() if d.phase == "body" else None
        except tct.DecodeError as exc:
            return str(exc)

    def one_by_one(ids):
        d = tok.decoder()
        if ids and ids[0] != tok.bos_id:
            d.feed(tok.bos_id)  # as `decode`: a bare body implies BOS
        for pos, t in enumerate(ids):
            if d.done and t == tok.pad_id:
                continue  # padding after EOS is skipped (`_feed_base`: padded batches decode)
            d.feed(t, position=pos)
        return d

    assert run(tok._feed_all) == run(one_by_one)


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from("abde"), text=st.text(alphabet="abcvxé0\U0001F600", max_size=7),
       cut=st.integers(0, 30), junk=st.lists(st.integers(0, 300), max_size=4))
def test_byte_runs_decode_as_one_by_one(key, text, cut, junk):
    """`Machine.take_bytes` (runs of string bytes at once, forced bytes between them) decodes
    the same as feeding id by id, and refuses the same id with the same message: on encoded
    strings with forced bytes and multi-byte characters, cut and followed by junk ids."""
    tok = tct.Tokenizer.from_schema(PATTERNED)
    try:
        ids = tok.encode({key: text})
    except tct.SchemaViolation:
        ids = tok.encode({key: "v0"}) if key == "b" else tok.encode({key: "a"})
    _assert_runs_decode_as_one_by_one(tok, ids[:cut % (len(ids) + 1)] + junk)


def test_free_string_runs_stop_at_broken_utf8():
    """A free string takes its valid UTF-8 at once: cut anywhere, then bytes that break a
    character (a bad continuation, a surrogate, above U+10FFFF, an overlong form) or an id."""
    tok = tct.Tokenizer.from_schema(PATTERNED)
    ids = tok.encode({"e": "aé\U0001F600b"})
    for cut in range(len(ids) + 1):
        for junk in ([65], [0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0x80], [300], []):
            _assert_runs_decode_as_one_by_one(tok, ids[:cut] + junk)


@settings(max_examples=150, deadline=None)
@given(keys=st.lists(_key_text, min_size=1, max_size=4), cut=st.integers(0, 60),
       junk=st.lists(st.integers(0, 300), max_size=4))
def test_free_key_byte_runs_decode_as_one_by_one(keys, cut, junk):
    """The same for free keys (siblings as exclusions, a name whose value cannot be given)."""
    tok = tct.Tokenizer.from_schema(FREE_KEYS)
    try:
        ids = tok.encode(_free_keys_doc(keys))
    except tct.SchemaViolation:
        ids = tok.encode({"ab": "s", "a": "t"})
    _assert_runs_decode_as_one_by_one(tok, ids[:cut % (len(ids) + 1)] + junk)


def test_real_workflows_decode_byte_runs_as_one_by_one(manifest, workflow_tok):
    for e in sample([e for e in manifest if e["verdict"] == "valid"], 60):
        ids = workflow_tok.encode(tct.load_document(CORPUS / e["file"]))
        d = workflow_tok.decoder()
        for t in ids:
            d.feed(t)
        assert workflow_tok.decode(ids) == d.document()
