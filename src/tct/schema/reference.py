"""jsonschema, the reference validator, with ECMA-262 patterns (the `regress` engine).

jsonschema matches `pattern` and `patternProperties` with Python's `re`, which reads JSON
Schema's ECMA-262 patterns differently (`.` and `\\r`, `\\s`, `\\d` on non-ASCII digits, named
groups, `\\p`...). `pattern`, `patternProperties` and `additionalProperties`' view of them
are judged by regress here, the same matcher the compiler uses for keys. Everything else is
jsonschema's own behaviour (`unevaluatedProperties` still sees patterns through `re`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import jsonschema
import regress
from jsonschema import ValidationError

_SURROGATE = re.compile("[\ud800-\udfff]")


@lru_cache(maxsize=None)
def ecma_regex(pattern: str) -> regress.Regex:
    """The compiled pattern; ValueError (naming regress's reason) when it is not ECMA-262."""
    try:
        return regress.Regex(pattern)
    except regress.RegressError as exc:
        raise ValueError(f"invalid pattern {pattern!r}: {exc}") from None


def ecma_search(pattern: str, text: str) -> bool:
    """Does `pattern` match somewhere in `text` (JSON Schema's reading of `pattern`)?"""
    try:
        return ecma_regex(pattern).find(text) is not None
    except UnicodeEncodeError:
        # regress reads valid UTF-8 only; a lone surrogate (which no automaton of tct emits)
        # becomes U+FFFD, a code point that every class escape treats the same way.
        return ecma_regex(pattern).find(_SURROGATE.sub("\ufffd", text)) is not None


def _pattern(validator, patrn, instance, schema):
    if validator.is_type(instance, "string") and not ecma_search(patrn, instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def _pattern_properties(validator, pp, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pp.items():
        for k, v in instance.items():
            if ecma_search(pattern, k):
                yield from validator.descend(v, subschema, path=k, schema_path=pattern)


def _additional_properties(validator, ap, instance, schema):
    if not validator.is_type(instance, "object"):
        return
    properties, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    extras = [k for k in instance if k not in properties and not any(ecma_search(p, k) for p in patterns)]
    if validator.is_type(ap, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], ap, path=extra)
    elif not ap and extras:
        yield ValidationError(f"additional properties {sorted(extras)!r} are not allowed "
                              f"(none of {sorted(patterns)!r} match)" if patterns else
                              f"additional properties {sorted(extras)!r} are not allowed")


def reference_validator(schema, registry=None):
    """`registry`: a referencing.Registry for `$ref`s to other documents (jsonschema's
    `evolve(registry=...)` would drop the ECMA keywords, so it is given here)."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    extended = jsonschema.validators.extend(cls, {
        "pattern": _pattern, "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties})
    return extended(schema) if registry is None else extended(schema, registry=registry)
