"""jsonschema, the reference validator, made to read ECMA-262 named groups `(?<name>...)`.

SchemaStore patterns use them; Python's `re` spells them `(?P<name>...)` and jsonschema would
raise instead of judging. Everything else is jsonschema's own behaviour.
"""

from __future__ import annotations

import jsonschema
from jsonschema import _keywords

from tct.schema.regex import python_pattern


def _translated(schema):
    pp = schema.get("patternProperties") if isinstance(schema, dict) else None
    if not pp:
        return schema
    return {**schema, "patternProperties": {python_pattern(p): s for p, s in pp.items()}}


def _pattern(validator, patrn, instance, schema):
    yield from _keywords.pattern(validator, python_pattern(patrn), instance, schema)


def _pattern_properties(validator, pp, instance, schema):
    yield from _keywords.patternProperties(validator, _translated(schema)["patternProperties"], instance, schema)


def _additional_properties(validator, ap, instance, schema):
    yield from _keywords.additionalProperties(validator, ap, instance, _translated(schema))


def reference_validator(schema):
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    extended = jsonschema.validators.extend(cls, {
        "pattern": _pattern, "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties})
    return extended(schema)
