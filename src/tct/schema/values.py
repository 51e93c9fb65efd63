"""JSON values as JSON Schema compares them: 1 == 1.0, true != 1, keys in any order."""

from __future__ import annotations

import json


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "nonint"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"


def json_equal(a, b) -> bool:
    """JSON Schema equality: 1 == 1.0, but true != 1; objects and arrays compared deeply."""
    ta, tb = json_type(a), json_type(b)
    if ta in ("integer", "nonint") and tb in ("integer", "nonint"):
        return a == b
    if ta != tb:
        return False
    if ta == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if ta == "object":
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return a == b


def spellings(v) -> list:
    """The texts of one number value: an integral value is both `1` and `1.0` where the float
    is exact (2**53 is, 2**53 + 1 is not)."""
    if json_type(v) in ("integer", "nonint") and float(v).is_integer():
        if isinstance(v, int):
            return [v, float(v)] if float(v) == v else [v]
        return [v, int(v)]
    return [v]


def values_key(values) -> tuple:
    return tuple(json.dumps(v, sort_keys=True) for v in values)


def decode_values(key) -> list:
    return [json.loads(s) for s in key]


def canonical(v) -> str:
    """Text that is equal for JSON-Schema-equal values (1 == 1.0, key order ignored)."""
    def norm(x):
        if isinstance(x, float) and x.is_integer():
            return int(x)
        if isinstance(x, dict):
            return {k: norm(y) for k, y in x.items()}
        if isinstance(x, list):
            return [norm(y) for y in x]
        return x
    return json.dumps(norm(v), sort_keys=True)
