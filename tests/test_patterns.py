"""Patterns are ECMA-262: the automaton of every pattern that compiles accepts exactly the
strings in which `regress` (Rust's ECMA-262 engine) finds a match, on real patterns and on
random ones; what cannot be compiled exactly is refused, naming keyword and pointer."""

import json
import random

import numpy as np
import pytest
import regress
from hypothesis import given, settings, strategies as st

import tct
from conftest import SUITES, need
from tct.generation.constrained import random_walk
from tct.schema import ecma
from tct.schema.load import builtin_names, read_schema, schema_patterns
from tct.schema.reference import reference_validator
from tct.schema.regex import CharDFA, PatternUnsupported, pattern_fsm

ENV = r"^.*\$\{\{(.|[\r\n])*\}\}.*$"  # github-workflow's string form of `env`
PAPERMC = r"^(?!io\.papermc\.)([a-zA-Z_$][a-zA-Z\d_$]*\.)*[a-zA-Z_$][a-zA-Z\d_$]*$"
LINE_TERMINATORS = "\n\r\u2028\u2029"
NOISE = list(LINE_TERMINATORS) + list(" \t\x0b\x0c\xa0\ufeff\u3000\u1680\x1c\x1f\x85\u180e") + \
    ["é", "中", "😀", "\U0010ffff", "\u212a", "٣"]


@pytest.mark.parametrize("pattern, text, match", [
    (ENV, "x\ry${{}}", False),  # `.` stops at \r, and `(.|[\r\n])*` sits between the braces only
    (ENV, "x${{\r}}y", True),
    (r"^((\..*)|(.*/.*))$", "x\r/y", False),
    (r"^((\..*)|(.*/.*))$", "x/y", True),
    (r"^.+$", "a\u2028b", False),
    (PAPERMC, "a", True),
    (PAPERMC, "a.b_c$", True),
    (PAPERMC, "io.papermc.x", False),
    (PAPERMC, "io.paper.x", True),
    (r"(^a$)|(^\{b\}$)", "{b}", True),
    (r"(^a$)|(^\{b\}$)", "x{b}", False),
    (r"^(a|b$)", "ax", True),
    (r"^(a|b$)", "bx", False),
    (r"a$|^b", "xa", True),
    (r"^(?!\.)(?!\./).+", ".x", False),
    (r"^(?=.*\d)(?!.*\s).{3,}$", "ab1", True),
    (r"^(?=.*\d)(?!.*\s).{3,}$", "a b1", False),
    (r"^[\S]+$", "a\xa0", False),  # ECMA's \s has U+00A0 ...
    (r"^\S+$", "a\x1c", True),  # ... and not \x1c (Python's has)
    (r"^\d$", "٣", False),
    (r"^[^\s\p{Cc}]$", "p", False),  # without the u flag \p is the letter p
    (r"^\8$", "8", True),
    (r"^\1$", "\x01", True),  # no group 1: a legacy octal escape
    (r"^a{,3}$", "a{,3}", True),
    (r"^[\w-.]+$", "a-.", True),
    (r"^\cJ$", "\n", True),
    (r"^(?<year>\d{4})-(?<m>\d\d)$", "2024-01", True),
    (r"^\u{1F600}$", "😀", True),
    (r"^\x41\u0042$", "AB", True),
])
def test_ecma_verdicts(pattern, text, match):
    assert (regress.Regex(pattern).find(text) is not None) == match
    assert CharDFA([(pattern, True)]).accepts(text) == match


def test_class_escapes_equal_regress_on_every_bmp_code_point():
    for esc in (r"\s", r"\S", r"\d", r"\D", r"\w", r"\W", ".", "[^a]"):
        rx, pf = regress.Regex(f"^{esc}$"), CharDFA([(f"^{esc}$", True)])
        for cp in list(range(0xD800)) + list(range(0xE000, 0x10000)) + [0x10000, 0x1F600, 0x10FFFF]:
            assert pf.accepts(chr(cp)) == (rx.find(chr(cp)) is not None), (esc, hex(cp))


@pytest.mark.parametrize("pattern", [
    r"(a)\1", r"(?<x>a)\k<x>", r"(?<=a)b", r"(?<!a)b", r"\bword\b", r"a\B", r"(?i:a)",
    r"(a$)+", r"(^a|b)*", r"((?=a)b)+", r"a{2000}", r"\ud83d",
])
def test_inexact_patterns_are_refused(pattern):
    regress.Regex(pattern)  # valid ECMA-262 ...
    with pytest.raises(PatternUnsupported):  # ... that tct does not pretend to enforce
        pattern_fsm(pattern)


def test_refusal_names_keyword_and_pointer():
    schema = {"properties": {"a": {"type": "string", "pattern": r"^(\w)\1$"}}}
    with pytest.raises(tct.SchemaError) as info:
        tct.Tokenizer.from_schema(schema)
    assert info.value.keyword == "pattern" and info.value.pointer == "#/properties/a"
    tok = tct.Tokenizer.from_schema(schema, strict=False)
    assert ("#/properties/a", "pattern") in tok.unenforced


def test_invalid_pattern_is_a_schema_error():
    with pytest.raises(tct.SchemaError) as info:
        tct.Tokenizer.from_schema({"type": "string", "pattern": "a**"})
    assert info.value.keyword == "pattern"


def test_tokenizer_follows_ecma():
    tok = tct.Tokenizer.from_schema({"type": "object", "properties": {"p": {"type": "string", "pattern": PAPERMC}},
                                     "patternProperties": {"^x.$": {"type": "integer"}},
                                     "additionalProperties": False})
    doc = {"p": "a", "xy": 1}
    assert tok.decode(tok.encode(doc)) == doc
    for bad in ({"p": "io.papermc.x"}, {"x\r": 1}, {"x\u2028": 1}):
        with pytest.raises(tct.SchemaViolation):
            tok.encode(bad)


def test_workflow_env_string_is_ecma(workflow_tok):
    base = {"on": "push", "jobs": {"a": {"runs-on": "x", "steps": [{"run": "x"}]}}}
    ok = {**base, "env": "${{ fromJSON(x) }}"}
    assert workflow_tok.decode(workflow_tok.encode(ok)) == ok
    with pytest.raises(tct.SchemaViolation):
        workflow_tok.encode({**base, "env": "x\ry${{}}"})


def test_env_prefix_with_carriage_return_is_dead():
    dfa = CharDFA([(ENV, True)])
    assert dfa.run("x") in dfa.live and dfa.run("x\r") is None  # nothing completes "x\r..."
    assert dfa.run("${{\r") in dfa.live


def test_workflow_walks_and_completions_are_valid_under_ecma(workflow_tok):
    validator = reference_validator(read_schema("github-workflow")[0])
    rng = np.random.default_rng(3)
    for _ in range(12):
        ids = random_walk(workflow_tok, rng, max_tokens=1500)
        assert validator.is_valid(workflow_tok.decode(ids))
        for n in sorted({int(k) for k in rng.integers(1, len(ids), size=3)}):
            done = workflow_tok.decode(ids[:n] + workflow_tok.complete(ids[:n]))
            assert validator.is_valid(done), json.dumps(done)[:300]


def test_reference_validator_reads_ecma():
    v = reference_validator({"type": "object", "properties": {"s": {"pattern": "^.$"}},
                             "patternProperties": {"^(?<n>x).$": {"type": "integer"}},
                             "additionalProperties": False})
    assert v.is_valid({"s": "a", "xy": 1})
    assert not v.is_valid({"s": "\r"})
    assert not v.is_valid({"x\r": 1})  # neither patterned nor declared
    assert not v.is_valid({"xy": "no"})


# -- real patterns -----------------------------------------------------------------------------

def _real_patterns():
    found = set()
    if SUITES.exists():
        for d in sorted(SUITES.iterdir()):
            if (d / "schema.json").exists():
                found |= schema_patterns(read_schema(d / "schema.json")[0])
    for name in builtin_names():
        found |= schema_patterns(read_schema(name)[0])
    return sorted(found)


REAL = _real_patterns()
_DFAS: dict = {}


def _dfa(pattern):
    if pattern not in _DFAS:
        try:
            _DFAS[pattern] = CharDFA([(pattern, True)])
        except PatternUnsupported:
            _DFAS[pattern] = None
    return _DFAS[pattern]


def _walk(dfa, rng, max_len=30):
    state, out = dfa.start, []
    while dfa.trans[state] and len(out) < max_len and not (state in dfa.accept and rng.random() < 0.25):
        cid = rng.choice(sorted(dfa.trans[state]))
        a, b = rng.choice(dfa.class_ranges[cid])
        out.append(chr(rng.choice([a, b, rng.randint(a, b)])))
        state = dfa.trans[state][cid]
    return "".join(out)


def test_real_patterns_compile():
    need(SUITES)
    refused = [p for p in REAL if _dfa(p) is None]
    assert len(REAL) > 500 and not refused, refused


@st.composite
def pattern_and_text(draw):
    pattern = draw(st.sampled_from(REAL))
    pool = sorted(set(pattern)) + NOISE
    dfa = _dfa(pattern)
    text = "".join(draw(st.lists(st.sampled_from(pool), max_size=14)))
    if dfa is not None and draw(st.booleans()):  # near a match: a walk, then one edit
        walk = _walk(dfa, random.Random(draw(st.integers(0, 2**32))))
        i = draw(st.integers(0, len(walk)))
        text = walk[:i] + text[:2] + walk[i + draw(st.integers(0, 1)):]
    return pattern, text


@settings(max_examples=1500, deadline=None)
@given(pattern_and_text())
def test_real_patterns_agree_with_regress(case):
    pattern, text = case
    dfa = _dfa(pattern)
    if dfa is not None:
        assert dfa.accepts(text) == (regress.Regex(pattern).find(text) is not None), (pattern, text)


@pytest.mark.parametrize("pattern", REAL[::7])
def test_random_walks_match(pattern):
    dfa = _dfa(pattern)
    if dfa is None:
        pytest.skip("refused")
    rng, rx = random.Random(pattern), regress.Regex(pattern)
    for _ in range(20):
        text = _walk(dfa, rng, max_len=200)
        if dfa.run(text) in dfa.accept:
            assert rx.find(text) is not None, (pattern, text)


# -- random patterns ---------------------------------------------------------------------------

ATOMS = ["a", "b", "ab", ".", r"\d", r"\s", r"\S", r"\w", r"\W", "[a-c]", "[^a]", r"[\s\d]", r"[\S\n]",
         r"\.", r"\\", "\r", "é", r"\x41", r"\u00e9", r"\0", r"\1", r"\8", r"\n", "{", "}", "]", r"\cj",
         "[]", "[^]", r"[\b]", "-", r"\p", "a{,2}"]


@st.composite
def random_pattern(draw, depth=0):
    items = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["atom"] * 5 + ["group", "look", "^", "$"] if depth < 2 else ["atom"]))
        if kind == "atom":
            item = draw(st.sampled_from(ATOMS))
        elif kind == "group":
            inner = "|".join(draw(st.lists(random_pattern(depth + 1), min_size=1, max_size=3)))
            item = draw(st.sampled_from(["(", "(?:", "(?<g>"])) + inner + ")"
        elif kind == "look":
            item = draw(st.sampled_from(["(?=", "(?!"])) + draw(random_pattern(depth + 1)) + ")"
        else:
            item = kind
        item += draw(st.sampled_from([""] * 4 + ["*", "+", "?", "{2}", "{1,3}", "*?"]))
        items.append(item)
    return "".join(items)


# Derandomized: some random nestings (repeated groups inside lookaheads) make interegular's
# products crawl for many minutes; a fixed run keeps the suite's time bounded.
@settings(max_examples=400, deadline=None, derandomize=True)
@given(pattern=random_pattern(), texts=st.lists(st.text(alphabet="abcé\r\n 1A-.{}]\x01\x00\xa0\u2028", max_size=6),
                                                  min_size=1, max_size=8))
def test_random_patterns_agree_with_regress(pattern, texts):
    try:
        regress.Regex(pattern)
    except regress.RegressError:
        return
    try:
        dfa = CharDFA([(pattern, True)])
    except PatternUnsupported:
        return
    for text in texts:
        assert dfa.accepts(text) == (regress.Regex(pattern).find(text) is not None), (pattern, text)


def test_escape_is_literal():
    name = "a.b*c(d)[e]{f}|g^h$i\\j/k-l m"
    dfa = CharDFA([("^" + ecma.escape(name) + "$", True)])
    assert dfa.accepts(name) and not dfa.accepts(name + "x")
