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
    if json_type(v) in ("integer", "nonint") and float(v).is_integer() and abs(v) < 2 ** 53:
        return [int(v), float(v)] if isinstance(v, int) else [v, int(v)]
    return [v]


def values_key(values) -> tuple:
    return tuple(json.dumps(v, sort_keys=True) for v in values)


def decode_values(key) -> list:
    return [json.loads(s) for s in key]

