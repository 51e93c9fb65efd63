"""Exactness of the compiler on the corners the official suite and real schemas hit: boolean
subschemas wherever a schema may stand, numbers equal by value, objects equal in any key
order, and only `tct.TCTError` ever escaping."""

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tct
from tct.generation.constrained import random_walk
from tct.schema.reference import reference_validator

from conftest import SHARED, need

SUITE = SHARED / "suites" / "json-schema-test-suite"


def roundtrips(tok, doc) -> bool:
    """Accepted and given back with the document's own spelling (key order, int vs float)."""
    return json.dumps(tok.decode(tok.encode(doc))) == json.dumps(doc)


def verdicts_agree(schema, docs, walks=30, seed=0, max_tokens=200):
    """Our verdict equals jsonschema's on `docs` (valid ones round-trip, invalid ones are refused
    with a SchemaViolation) and random walks are valid."""
    tok = tct.Tokenizer.from_schema(schema)
    validator = reference_validator(schema)
    validator = type(validator)(schema, registry=tok.compiler.index.registry)  # offline, as tct resolves
    for doc in docs:
        if validator.is_valid(doc):
            assert roundtrips(tok, doc), json.dumps(doc)
        else:
            with pytest.raises(tct.SchemaViolation):
                tok.encode(doc)
    rng = np.random.default_rng(seed)
    for _ in range(walks):
        doc = tok.decode(random_walk(tok, rng, max_tokens=max_tokens))
        assert validator.is_valid(doc), json.dumps(doc)
    return tok


# ---------------------------------------------------------------- boolean subschemas

BOOLEAN = {
    "patternProperties": ({"patternProperties": {"f.*": True, "b.*": False}},
                          [{"bar": 2}, {"foo": 1}, {"foobar": 1}, {}, {"x": 1}]),
    "properties": ({"properties": {"a": True, "b": False}}, [{"a": 1}, {"b": 1}, {"c": 1}, {}]),
    "declared and patterned": ({"properties": {"foo": {"type": "array", "maxItems": 3}},
                                "patternProperties": {"f.o": {"minItems": 2}}, "additionalProperties": False},
                               [{"foo": []}, {"foo": [1, 2]}, {"fxo": [1]}, {"fxo": [1, 2]}, {"bar": 1}]),
    "additionalProperties": ({"properties": {"a": True}, "additionalProperties": False},
                             [{"a": 1}, {"b": 1}, {}]),
    "items false": ({"items": False}, [[], [1], 1]),
    "tuple items": ({"items": [True, False], "additionalItems": False}, [[], [1], [1, 2], [1, 2, 3]]),
    "additionalItems": ({"items": [{"type": "integer"}], "additionalItems": True}, [[1, "a"], ["a"]]),
    "contains": ({"contains": True}, [[], [1]]),
    "contains false": ({"type": ["array", "integer"], "contains": False}, [[], [1], 3]),
    "dependencies": ({"dependencies": {"a": False, "b": True}}, [{"a": 1}, {"b": 1}, {}]),
    "if then else": ({"if": {"type": "integer"}, "then": False, "else": True}, [1, "x", None]),
    "if true": ({"if": True, "then": {"type": "string"}, "else": False}, ["a", 1]),
    "ref to false": ({"definitions": {"f": False}, "properties": {"a": {"$ref": "#/definitions/f"}}},
                     [{"a": 1}, {}]),
    "not false": ({"not": False}, [1, "x", {}, []]),
    "anyOf with false": ({"anyOf": [False, {"type": "string"}]}, ["a", 1]),
    "propertyNames false": ({"propertyNames": False}, [{}, {"a": 1}]),
}


@pytest.mark.parametrize("name", sorted(BOOLEAN))
def test_boolean_subschemas_reject_with_a_path(name):
    schema, docs = BOOLEAN[name]
    verdicts_agree(schema, docs)


def test_false_pattern_property_names_the_key():
    tok = tct.Tokenizer.from_schema({"patternProperties": {"f.*": True, "b.*": False}})
    with pytest.raises(tct.SchemaViolation, match="bar"):
        tok.encode({"bar": 2})


# ---------------------------------------------------------------- internal errors

def test_items_and_subitems_from_the_suite():
    groups = json.loads((need(SUITE) / "tests" / "draft7" / "items.json").read_text())
    group = next(g for g in groups if g["description"] == "items and subitems")
    tok = verdicts_agree(group["schema"], [t["data"] for t in group["tests"]], walks=20, max_tokens=400)
    assert tok is not None


# ---------------------------------------------------------------- equality by value

VALUES = {
    "array of zero": ({"enum": [[0]]}, [[0.0], [0], [0, 0], [False], []]),
    "2**53": ({"const": 9007199254740992}, [9007199254740992.0, 9007199254740992, 9007199254740991]),
    "2**53 + 1": ({"const": 9007199254740993}, [9007199254740993, 9007199254740992]),
    "object const": ({"const": {"foo": "bar", "baz": "bax"}},
                     [{"foo": "bar", "baz": "bax"}, {"baz": "bax", "foo": "bar"}, {"foo": "bar"},
                      {"foo": "bar", "baz": "bax", "x": 1}]),
    "nested enum": ({"enum": [{"a": {"x": 1, "y": [1, {"p": 1, "q": 2}]}}, 2, "s"]},
                    [{"a": {"y": [1, {"q": 2, "p": 1}], "x": 1}}, {"a": {"y": [1.0, {"q": 2, "p": 1.0}], "x": 1}},
                     {"a": {"y": [{"q": 2, "p": 1}, 1], "x": 1}}, 2.0, "s", {"a": {}}]),
    "empty containers": ({"enum": [{}, []]}, [{}, [], {"a": 1}, [1]]),
    "const under not": ({"not": {"const": {"a": [1, 2]}}, "type": "object", "maxProperties": 1},
                        [{"a": [1, 2]}, {"a": [1.0, 2]}, {"a": [2, 1]}, {}]),
    "unique structures": ({"type": "array", "items": {"enum": [[1, 2], {"a": 1}, 3]}, "uniqueItems": True},
                          [[[1, 2], [1.0, 2]], [[1, 2], {"a": 1}, 3], [{"a": 1}, {"a": 1.0}]]),
    "modern tuple": ({"$schema": "https://json-schema.org/draft/2020-12/schema", "const": [1, {"b": 2, "a": 1}]},
                     [[1, {"a": 1, "b": 2}], [1.0, {"b": 2, "a": 1}], [1]]),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_values_equal_by_value_round_trip_as_written(name):
    schema, docs = VALUES[name]
    verdicts_agree(schema, docs)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from("abcd"), st.one_of(st.integers(-3, 3), st.text("xy", max_size=2)),
                       min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_const_object_accepts_every_key_order(value, rnd):
    tok = tct.Tokenizer.from_schema({"const": {"k": value}})
    items = list(value.items())
    rnd.shuffle(items)
    assert roundtrips(tok, {"k": dict(items)})


# Keys whose patterns ask contradictory values: "ab" matches both patterns of the first
# schema (a string and the number 2); in the second, "n..." keys would be strings for one source
# and integers for the other. Such keys were offered and their value was a dead end.
CONTRADICTING_KEYS = {
    "two patterns": ({"propertyNames": {"maxLength": 3},
                      "patternProperties": {"^a": {"type": "string"}, "b$": {"const": 2}}},
                     [{"ab": 2}, {"ab": "x"}, {"a": "x", "b": 2}, {"axb": 2}, {"ba": 2}]),
    "pattern against another source's additionalProperties": (
        {"allOf": [{"additionalProperties": {"type": "string"}},
                   {"patternProperties": {"^n": {"type": "integer"}}, "maxProperties": 3}]},
        [{"n": 1}, {"n": "x"}, {"x": "y"}, {"x": 1}]),
    "one pattern whose value has no type": (
        {"patternProperties": {"^a": {"allOf": [{"type": "string"}, {"const": 2}]}}, "propertyNames": {"maxLength": 2}},
        [{"a": 2}, {"b": 2}, {}]),
    "a value only its cost refuses": (  # no array of one 0 contains a string
        {"patternProperties": {"^a": {"type": "array", "items": [{"const": 0}], "additionalItems": False,
                                      "contains": {"type": "string"}}},
         "additionalProperties": {"type": "integer"}, "propertyNames": {"maxLength": 2}},
        [{"a": [0]}, {"b": 1}, {"ab": 1}, {}]),
}


@pytest.mark.parametrize("name", CONTRADICTING_KEYS)
def test_keys_whose_patterns_contradict_are_never_offered(name):
    schema, docs = CONTRADICTING_KEYS[name]
    verdicts_agree(schema, docs, walks=300, max_tokens=60)


# Found by random schemas: finite value sets that uniqueItems exhausts, a `contains` witness
# owed where no item may follow, more properties owed than allowed. Each was a dead end.
FEW_VALUES = {
    "integers": ({"type": "array", "items": {"type": "integer", "minimum": -1, "maximum": 0},
                  "uniqueItems": True, "minItems": 2}, [[-1, 0], [0, -1.0], [0, 0], [-1, 0, 1], [0]]),
    "multiples": ({"type": "array", "items": {"type": "number", "multipleOf": 0.5, "minimum": 0, "maximum": 1},
                   "uniqueItems": True}, [[0, 0.5, 1], [0.5, 0.5], [1.5]]),
    "short strings": ({"type": "array", "items": {"type": "string", "pattern": "^[ab]?$"},
                       "uniqueItems": True, "minItems": 3}, [["", "a", "b"], ["a", "b"], ["a", "a", "b"]]),
    "arrays of few arrays": ({"type": "array", "uniqueItems": True, "items": {
        "type": "array", "items": [{"enum": [2.0]}], "additionalItems": False}},
        [[[], [2]], [[2], [2.0]], [[], []], [[2.0], []]]),
    "arrays of few objects": ({"type": "array", "uniqueItems": True, "minItems": 2, "items": {
        "type": "object", "properties": {"a": {"enum": [1, 2]}}, "additionalProperties": False}},
        [[{}, {"a": 1}], [{"a": 1}, {"a": 1.0}], [{}, {"a": 1}, {"a": 2}], [{}]]),
    "items filling an array to its cap": ({"type": "array", "uniqueItems": True, "minItems": 3, "items": {
        "type": "array", "maxItems": 1, "items": {"type": "object", "additionalProperties": {"type": "integer"}}}},
        [[[], [{}], [{"a": 1}]], [[{}], [{}], []], [[], [{}]]]),
    "witness with no room after it": (
        {"anyOf": [{"enum": [None, True]},
                   {"type": "array", "items": [{"not": {"enum": [True, 1, 2.0]}}], "additionalItems": False,
                    "contains": {"enum": [None, "x", True, 1]}}]},
        [[None], ["x"], ["y"], [None, None], None, True]),
}


@pytest.mark.parametrize("name", FEW_VALUES)
def test_finite_value_sets_and_owed_items_never_dead_end(name):
    schema, docs = FEW_VALUES[name]
    verdicts_agree(schema, docs, walks=200, max_tokens=60)


@pytest.mark.parametrize("schema", [
    {"type": "array", "items": {"enum": [True]}, "uniqueItems": True, "minItems": 3},
    {"type": "object", "additionalProperties": {"type": "array"}, "minProperties": 3, "maxProperties": 1},
    {"type": "array", "uniqueItems": True, "minItems": 3,
     "items": {"type": "array", "items": {"const": 1}, "minItems": 1, "maxItems": 2}}])
def test_more_items_or_keys_owed_than_possible_is_no_document(schema):
    with pytest.raises(tct.SchemaError, match="no finite document"):
        tct.Tokenizer.from_schema(schema)


def test_a_structure_excluded_by_value_is_no_branch():
    with pytest.raises(tct.SchemaError):
        tct.Tokenizer.from_schema({"const": {"a": [1]}, "not": {"enum": [{"a": [1.0]}]}})


# ---------------------------------------------------------------- numbers: exact and float64 agree

NUMBERS = {
    "multiple of 3": {"type": "array", "items": {"type": "number", "multipleOf": 3}},
    "multiple of 0.01": {"type": "array", "items": {"type": "number", "multipleOf": 0.01, "maximum": 10}},
    "multiple of 0.0001": {"type": "array", "items": {"multipleOf": 0.0001}},
    "multiple of 1.5 and 0.25": {"type": "array", "items": {"allOf": [{"multipleOf": 1.5}, {"multipleOf": 0.25}]},
                                 "maxItems": 2},
    "integer multiple of 0.5": {"type": "array", "items": {"type": "integer", "multipleOf": 0.5}},
    "float bound": {"type": "array", "items": {"type": "number", "exclusiveMaximum": 0.3, "minimum": 0.29}},
    "not an integer": {"type": "array", "items": {"type": "number", "not": {"type": "integer"},
                                                  "minimum": -1000, "maximum": 1e17}},
    "excluded": {"type": "array", "items": {"type": "number", "not": {"enum": [0.1, 0.30000000000000004]},
                                            "minimum": 0, "maximum": 1}},
}
NUMBER_DOCS = [[0.07], [0.075], [1.23], [-1.218850034642167e+39], [3, 6.0, -9], [0.0075], [0.00751],
               [0.29999999999999999], [0.2999999999999999], [4503599627370495.5], [9007199254740993.5], [0.1], [0.5], [1.5, 0.75]]


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_generated_numbers_valid_for_float64_validators(name):
    # Known limit: a bounded number is never written with an exponent, so valid floats whose
    # shortest text has one (1e-05, 1.2e+39) are refused; they are left out here.
    validator = reference_validator(NUMBERS[name])
    docs = [d for d in NUMBER_DOCS if not ("e" in repr(d[0]) and validator.is_valid(d))]
    if "multipleOf" in json.dumps(NUMBERS[name]):  # float64 division calls 2**53 + 2 a multiple of 1.5
        docs = [d for d in docs if d != [9007199254740993.5]]
    verdicts_agree(NUMBERS[name], docs, walks=40, max_tokens=300, seed=7)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_number_prefixes_with_caps_never_dead_end(data):
    """Typed one legal character at a time, a number can always be finished, and the result is
    judged valid by jsonschema (float64) as well."""
    schema = {"type": "number", **data.draw(st.sampled_from([
        {"multipleOf": 0.01}, {"multipleOf": 3, "minimum": -100}, {"multipleOf": 0.3, "maximum": 7},
        {"exclusiveMaximum": 0.3, "minimum": 0.29}, {"minimum": 1e15, "maximum": 2e15},
        {"not": {"type": "integer"}, "minimum": -2}, {"multipleOf": 1e-7, "exclusiveMinimum": 0}]))}
    tok = tct.Tokenizer.from_schema(schema)
    spec = tok.compiler.branches(tok.compiler.root)[0].number
    validator = reference_validator(schema)
    text = ""
    for _ in range(data.draw(st.integers(0, 20))):
        options = spec.next_chars(text)
        assert options or spec.complete_text(text), text
        if not options:
            break
        text += data.draw(st.sampled_from(options))
    final = text + spec.shortest_completion(text)
    assert spec.complete_text(final)
    assert validator.is_valid(json.loads(final)), final


# ---------------------------------------------------------------- coverage

COVERAGE = {
    "2019-09 tuple items": ({"$schema": "https://json-schema.org/draft/2019-09/schema",
                             "items": [{"type": "integer"}, {"type": "string"}], "additionalItems": False},
                            [[1, "a"], [1], ["a"], [1, "a", 2], []]),
    "negated tuple items": ({"type": "array", "not": {"items": [{"type": "integer"}, {"type": "string"}]},
                             "maxItems": 3}, [[], [1], ["a"], [1, "a"], [1, 2], [1, "a", None]]),
    "negated tuple, no more items": ({"type": "array", "not": {"items": [{"type": "integer"}],
                                                               "additionalItems": False}, "maxItems": 3},
                                     [[], [1], ["a"], [1, 2]]),
    "negated prefixItems": ({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "array",
                             "not": {"prefixItems": [{"const": 1}], "items": False}, "maxItems": 2},
                            [[], [1], [2], [1, 1]]),
    "not not tuple": ({"type": "array", "not": {"not": {"items": [{"type": "integer"}]}}, "maxItems": 2},
                      [[], [1], ["a"], [1, "a"]]),
}


@pytest.mark.parametrize("name", sorted(COVERAGE))
def test_coverage(name):
    schema, docs = COVERAGE[name]
    verdicts_agree(schema, docs)


# ---------------------------------------------------------------- $ref to other documents

def test_remote_refs_from_a_local_folder():
    remotes = need(SUITE / "remotes")
    schema = {"type": "array", "items": [{"$ref": "http://localhost:1234/integer.json"},
                                         {"$ref": "http://localhost:1234/draft7/subSchemas.json#/definitions/refToInteger"}],
              "maxItems": 2}
    tok = tct.Tokenizer.from_schema(schema, registry=remotes)
    assert roundtrips(tok, [1, 2])
    with pytest.raises(tct.SchemaViolation):
        tok.encode([1, "a"])
    with pytest.raises(tct.SchemaError, match="cannot be resolved"):
        tct.Tokenizer.from_schema({"$ref": "http://localhost:1234/missing.json"}, registry=remotes)


def test_refs_to_vendored_schemastore_schemas():
    schema = {"type": "object", "properties": {"cfg": {"$ref": "https://json.schemastore.org/dependabot-2.0.json"}}}
    doc = {"cfg": {"version": 2, "updates": [{"package-ecosystem": "pip", "directory": "/",
                                               "schedule": {"interval": "daily"}}]}}
    verdicts_agree(schema, [doc, {"cfg": {"version": 3}}], walks=5, max_tokens=400)


def test_refs_elsewhere_without_a_registry_name_the_pointer():
    with pytest.raises(tct.SchemaError) as err:
        tct.Tokenizer.from_schema({"properties": {"a": {"$ref": "https://example.invalid/x.json"}}})
    assert err.value.pointer == "#/properties/a/$ref"


def test_const_array_against_not_unique_items():
    # uxp-manifest-5: oneOf [unique array of names, const ["all"]]; "not unique" needs two items.
    schema = {"type": "array", "maxItems": 2, "items": {"oneOf": [
        {"type": "array", "uniqueItems": True, "minItems": 1, "items": {"enum": ["light", "dark"]}},
        {"type": "array", "const": ["all"]}]}}
    verdicts_agree(schema, [[["all"]], [["light", "dark"]], [["light", "light"]], [["all", "all"]]], walks=40)


UNEVALUATED = {
    "properties beside": ({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                           "properties": {"a": {"type": "integer"}}, "unevaluatedProperties": False},
                          [{"a": 1}, {"a": 1, "b": 2}, {}]),
    "items after a tuple": ({"$schema": "https://json-schema.org/draft/2020-12/schema",
                             "prefixItems": [{"type": "string"}], "unevaluatedItems": {"type": "integer"},
                             "maxItems": 3}, [["a"], ["a", 1], ["a", "b"], []]),
    "2019-09 items": ({"$schema": "https://json-schema.org/draft/2019-09/schema", "items": [{"const": 1}],
                       "unevaluatedItems": False}, [[1], [1, 1], []]),
}


@pytest.mark.parametrize("name", sorted(UNEVALUATED))
def test_unevaluated_beside_no_applicator(name):
    schema, docs = UNEVALUATED[name]
    verdicts_agree(schema, docs)


def test_unevaluated_with_applicators_is_refused_by_name():
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "allOf": [{"properties": {"a": True}}], "unevaluatedProperties": False}
    with pytest.raises(tct.SchemaError) as err:
        tct.Tokenizer.from_schema(schema)
    assert err.value.keyword == "unevaluatedProperties"


def test_max_contains_below_min_contains_leaves_no_array():
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "contains": {"const": 1},
              "minContains": 3, "maxContains": 1}
    verdicts_agree(schema, [[], [1], [1, 1, 1], "x", 2], walks=10)
