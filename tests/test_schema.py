"""The compiler enforces each keyword exactly: our verdict equals jsonschema's on random
documents (differential fuzzing), random walks are valid, unsupported keywords are named."""

import json

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tct
from tct.generation.constrained import random_walk

KEYS = ["a", "b", "c", "uses", "run", "type", "x-1", "on"]
STRINGS = ["", "a", "ab", "abc", "push", "${{ x }}", "x${{y}}z", "on", "1.2", "é", "main", "a/b.yml@v1"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-20, 20), st.sampled_from([0.5, 1.0, 2.5, -3.0]),
                    st.sampled_from(STRINGS), st.text(max_size=4))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)), max_leaves=12)

SCHEMAS = {
    "oneOf exclusivity": {"type": "object", "oneOf": [{"required": ["uses"]}, {"required": ["run"]}],
                          "properties": {"uses": {"type": "string"}, "run": {"type": "string"}}},
    "not required": {"type": "object", "not": {"required": ["a", "b"]}},
    "dependencies": {"type": "object", "dependencies": {"a": ["b"], "c": {"required": ["a"]}}},
    "if then else": {"type": "object", "if": {"properties": {"type": {"const": "a"}}, "required": ["type"]},
                     "then": {"required": ["a"]}, "else": {"maxProperties": 2}},
    "patterns": {"type": "string", "pattern": "^\\$\\{\\{.*\\}\\}$|^a", "maxLength": 6},
    "unanchored pattern": {"type": "string", "pattern": "b", "minLength": 2},
    "not pattern": {"type": "string", "not": {"pattern": "^a"}},
    "enum const": {"enum": ["push", 1, None, True, [1, 2], {"a": 1}]},
    "not enum": {"not": {"enum": ["push", 1, None, "a"]}},
    "type union": {"type": ["string", "integer", "null"]},
    "numbers": {"type": "number", "minimum": -3, "exclusiveMaximum": 2.5},
    "integers": {"type": "integer", "minimum": 1, "maximum": 12, "multipleOf": 3},
    "additional false": {"type": "object", "properties": {"a": {"type": "integer"}},
                         "patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False},
    "propertyNames": {"type": "object", "propertyNames": {"pattern": "^[a-c]$"}, "maxProperties": 2},
    "items": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}],
              "additionalItems": False, "minItems": 1},
    "unique": {"type": "array", "items": {"enum": ["a", "b", 1, [1, 2]]}, "uniqueItems": True},
    "anyOf overlap": {"anyOf": [{"type": "string"}, {"type": "string", "enum": ["push", "on"]},
                                {"type": "array", "items": {"$ref": "#"}, "maxItems": 3}]},
    "recursive ref": {"definitions": {"node": {"type": "object", "properties": {
        "a": {"$ref": "#/definitions/node"}, "b": {"type": "integer"}}, "additionalProperties": False}},
        "$ref": "#/definitions/node"},
    "ref siblings ignored (draft-07)": {"definitions": {"s": {"type": "string"}},
                                        "properties": {"a": {"$ref": "#/definitions/s", "maxLength": 1}}},
    "allOf": {"allOf": [{"type": "object", "required": ["a"]},
                        {"properties": {"a": {"enum": [1, 2, "x"]}}}, {"properties": {"a": {"type": "integer"}}}]},
}


def assert_same_verdicts(tok, validator, docs):
    """Our accept/reject equals jsonschema's on each document; accepted ones round-trip."""
    for doc in docs:
        try:
            ids = tok.encode(doc)
        except tct.SchemaViolation:
            assert not validator.is_valid(doc), f"rejected a valid document {json.dumps(doc)}"
            continue
        assert validator.is_valid(doc), f"accepted an invalid document {json.dumps(doc)}"
        assert json.dumps(tok.decode(ids)) == json.dumps(doc)


def check_keyword_schema(schema, docs, max_tokens=200, walks=60, seed=0):
    """Random walks are valid and verdicts on `docs` equal jsonschema's; returns the tokenizer."""
    tok = tct.Tokenizer.from_schema(schema)
    validator = jsonschema.validators.validator_for(schema)(schema)
    rng = np.random.default_rng(seed)
    for _ in range(walks):
        doc = tok.decode(random_walk(tok, rng, max_tokens=max_tokens))
        assert validator.is_valid(doc), json.dumps(doc)
    assert_same_verdicts(tok, validator, docs)
    return tok


@pytest.fixture(scope="module", params=sorted(SCHEMAS))
def compiled(request):
    schema = SCHEMAS[request.param]
    return request.param, schema, tct.Tokenizer.from_schema(schema), jsonschema.Draft7Validator(schema)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=values)
def test_verdict_equals_jsonschema(compiled, doc):
    name, _, tok, validator = compiled
    assert_same_verdicts(tok, validator, [doc])


def test_random_walks_valid(compiled):
    name, _, tok, validator = compiled
    rng = np.random.default_rng(1)
    for _ in range(40):
        ids = random_walk(tok, rng, max_tokens=300)
        assert len(ids) <= 300
        doc = tok.decode(ids)
        assert validator.is_valid(doc), f"{name}: {json.dumps(doc)}"
    # A budget barely above the shortest document still always ends in time.
    tight = int(tok.decoder().remaining_cost()) + 3
    for _ in range(20):
        ids = random_walk(tok, rng, max_tokens=tight, end_bias=0.0)
        assert len(ids) <= tight and validator.is_valid(tok.decode(ids))


def test_one_of_exclusivity_is_enforced():
    tok = tct.Tokenizer.from_schema(SCHEMAS["oneOf exclusivity"])
    tok.encode({"uses": "x"})
    with pytest.raises(tct.SchemaViolation):
        tok.encode({"uses": "x", "run": "y"})


def test_unsupported_keyword_is_named_with_its_pointer():
    schema = {"type": "object", "properties": {"tags": {"type": "object", "unevaluatedProperties": False}}}
    with pytest.raises(tct.SchemaError) as info:
        tct.Tokenizer.from_schema(schema)
    assert info.value.keyword == "unevaluatedProperties"
    assert info.value.pointer == "#/properties/tags"
    tok = tct.Tokenizer.from_schema(schema, strict=False)
    assert ("#/properties/tags", "unevaluatedProperties") in tok.unenforced


def test_builtin_schemas_by_name():
    for name in ("github-workflow", "github-action", "github-issue-config"):
        tok = tct.Tokenizer.from_schema(name)
        assert tok.unenforced == []
        assert tok.vocab_size > 256
    with pytest.raises(tct.SchemaError):
        tct.Tokenizer.from_schema("no-such-schema")


def test_schema_from_path(tmp_path):
    p = tmp_path / "s.json"
    p.write_text(json.dumps(SCHEMAS["items"]))
    tok = tct.Tokenizer.from_schema(str(p))
    assert tok.decode(tok.encode(["a", 1])) == ["a", 1]


def test_unsatisfiable_schema_is_an_error():
    with pytest.raises(tct.SchemaError):
        tct.Tokenizer.from_schema({"type": "string", "enum": [1, 2]})


CONTAINS = {
    "contains": {"type": "array", "contains": {"const": "x"}, "maxItems": 3},
    "not items": {"type": "array", "not": {"items": {"type": "string"}}},
    "contains min max (2019-09)": {"$schema": "https://json-schema.org/draft/2019-09/schema", "type": "array",
                                   "contains": {"type": "integer"}, "minContains": 2, "maxContains": 3},
    "oneOf over items": {"oneOf": [{"type": "array", "items": {"type": "string"}},
                                   {"type": "array", "items": {"type": "integer"}}]},
}


@pytest.mark.parametrize("name", sorted(CONTAINS))
def test_contains_and_negated_items(name):
    schema = CONTAINS[name]
    tok = tct.Tokenizer.from_schema(schema)
    validator = jsonschema.validators.validator_for(schema)(schema)
    rng = np.random.default_rng(3)
    for _ in range(40):
        doc = tok.decode(random_walk(tok, rng, max_tokens=200))
        assert validator.is_valid(doc), f"{name}: {json.dumps(doc)}"

    @settings(max_examples=150, deadline=None)
    @given(doc=st.lists(st.one_of(st.sampled_from(["x", "y", 1, 2, 3.5]), st.integers(-3, 3)), max_size=6))
    def agree(doc):
        assert_same_verdicts(tok, validator, [doc])
    agree()


def test_not_additional_properties_false():
    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
              "oneOf": [{"properties": {"a": {}}, "additionalProperties": False}, {"required": ["b"]}]}
    check_keyword_schema(schema, ({"a": 1}, {"b": "x"}, {"a": 1, "b": "x"}, {"c": 1}, {"b": "x", "c": None}, {}),
                         seed=5)


def test_not_unique_items():
    schema = {"type": "array", "items": {"enum": ["a", "b", 1]}, "not": {"uniqueItems": True}, "maxItems": 4}
    check_keyword_schema(schema, ([], ["a"], ["a", "a"], ["a", "b"], ["b", "a", "b"], [1, 1.0], ["a", "b", 1, "x"]),
                         max_tokens=100, seed=2)
    assert tct.Tokenizer.from_schema("dependabot").unenforced == []


def test_few_patterned_keys_run_out_cleanly():
    schema = {"type": "object", "additionalProperties": False,
              "patternProperties": {"^(default|mac|linux)$": {"type": "string", "maxLength": 1}}}
    tok = tct.Tokenizer.from_schema(schema)
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(100):
        doc = tok.decode(random_walk(tok, rng, max_tokens=100, end_bias=0.05))
        assert jsonschema.Draft7Validator(schema).is_valid(doc)
        seen.add(len(doc))
    assert 3 in seen  # all three names used, and then the object closes


def test_not_enum_of_arrays_and_objects():
    schema = {"type": "array", "items": {"not": {"enum": [[1, 2], {"a": 1}]}, "type": ["array", "object"]},
              "maxItems": 3}
    check_keyword_schema(schema, ([[1, 2]], [[2, 1]], [{"a": 1}], [{"a": 1.0}], [{"a": 2}], [[]]),
                         max_tokens=120, walks=40, seed=4)


def test_plain_integer_keyword_spells_integers_without_a_fraction():
    """tct's `x-tct-plainInteger` (for profiles): a number is an integer written with digits
    only, enum values included; the ids are those of the schema without it."""
    from tct.schema.keywords import PLAIN_INTEGER
    base = {"type": "array", "items": {"anyOf": [{"type": "number", "minimum": -5}, {"enum": [2.0, 7]}]}}
    plain = {"type": "array", "items": {"allOf": [base["items"], {PLAIN_INTEGER: True}]}}
    tok = tct.Tokenizer.from_schema(plain)
    for ok in ([3, -5, 7, 2, 120], []):
        assert tok.decode(tok.encode(ok)) == ok
    for bad in ([3.0], [3.5], [-5.0], [1e30], [2.0], [7.0]):
        with pytest.raises(tct.SchemaViolation):
            tok.encode(bad)
    rng = np.random.default_rng(3)
    for _ in range(30):
        doc = tok.decode(random_walk(tok, rng, max_tokens=60))
        assert all(type(v) is int for v in doc), doc
    with pytest.raises(tct.SchemaError):
        tct.Tokenizer.from_schema({"not": {PLAIN_INTEGER: True}})
    assert tct.Tokenizer.from_schema({"not": {PLAIN_INTEGER: True}}, strict=False).unenforced


def test_number_exponents_stay_finite():
    from tct.schema.numbers import NumberSpec
    spec = NumberSpec()
    assert not spec.feasible("0e" + "9" * 50)  # would be a 10**(10**50) Fraction otherwise
    assert spec.feasible("1e-30") and spec.complete_text("1e-30")
    assert NumberSpec(nonint=True).feasible("0e") is False  # 0 * 10^k is never a non-integer


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_number_prefixes_never_dead_end(data):
    """Typing a number one legal character at a time always leaves a way to finish it."""
    from fractions import Fraction
    from tct.schema.numbers import NumberSpec
    spec = data.draw(st.sampled_from([
        NumberSpec(), NumberSpec(nonint=True), NumberSpec(integer=True, lo=Fraction(1), hi=Fraction(100)),
        NumberSpec(lo=Fraction(-5), hi=Fraction(5, 2), hi_excl=True), NumberSpec(excluded=frozenset({Fraction(0)})),
        NumberSpec(lo=Fraction(1, 1000), hi=Fraction(2, 1000), hi_excl=True)]))
    text = ""
    for _ in range(data.draw(st.integers(0, 12))):
        options = spec.next_chars(text)
        assert options or spec.complete_text(text), text
        if not options:
            break
        text += data.draw(st.sampled_from(options))
    assert spec.complete_text(text + spec.shortest_completion(text))
