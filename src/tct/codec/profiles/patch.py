"""Static constraints of a profile, written into a copy of the schema at their locations.

A string language (cron, action refs) is a JSON Schema `pattern` conjoined at a location, so
the compiler enforces it exactly and its costs (shortest completions) account for it. Shared
subschemas (`$ref`) on the way are copied first, so a constraint reaches only its location;
before 2019-09 a `$ref` hides its siblings, so a location is not looked for among them.
No property name or literal value is added, so the ids of the tokenizer are unchanged. Each
conjunction is marked as narrowing (`costs.NARROWING`): where it leaves one option of several,
the machine still emits the choice (`Machine._narrowed`) and costs still charge it.
"""

from __future__ import annotations

import copy
import re

from tct.codec.profiles.location import parse
from tct.schema import ecma
from tct.errors import TCTError
from tct.schema.costs import NARROWING
from tct.schema.load import MODERN_DRAFTS, draft_of


def constrain(schema: dict, rules: list[tuple[str, dict]]) -> dict:
    """A copy of `schema` where the value at each location (JSON pointer with `*`) must also be
    valid under the rule's subschema."""
    doc = copy.deepcopy(schema)
    defs = "$defs" if "$defs" in doc else "definitions"
    siblings = draft_of(doc) in MODERN_DRAFTS
    for location, sub in rules:
        hits: list = []
        _targets(doc, defs, {"root": doc}, "root", parse(location), hits, siblings)
        if not hits:
            raise TCTError(f"profile location {location!r} reaches no subschema")
        for holder, key in hits:
            holder[key] = narrowing(holder[key], sub)
    return doc


def narrowing(node, sub) -> dict:
    """`node` conjoined with the profile's `sub`, marked so (`costs.unnarrowed` gives `node` back)."""
    return {"allOf": [node, sub], "$comment": NARROWING}


def _targets(doc, defs, holder, key, segs, hits, siblings: bool) -> None:
    node = holder[key]
    if node is False or (node is True and segs):
        return
    if not segs:
        hits.append((holder, key))
        return
    if "$ref" in node and node["$ref"].startswith("#/"):
        target = _resolve(doc, node["$ref"])
        name = f"profile{len(doc.setdefault(defs, {}))}"
        doc[defs][name] = copy.deepcopy(target)  # unshared: only this location sees the change
        node["$ref"] = f"#/{defs}/{name}"
        _targets(doc, defs, doc[defs], name, segs, hits, siblings)
        if not siblings:
            return
    for k in ("allOf", "anyOf", "oneOf"):
        for i in range(len(node.get(k, []))):
            _targets(doc, defs, node[k], i, segs, hits, siblings)
    for k in ("then", "else"):
        if k in node:
            _targets(doc, defs, node, k, segs, hits, siblings)
    seg, rest = segs[0], segs[1:]
    props = node.get("properties") or {}
    if seg != "*":
        if seg in props:  # a named property: only its own subschema, never a pattern it shares
            _targets(doc, defs, props, seg, rest, hits, siblings)
        elif _applies(node, seg):
            exact = _exact_entry(node, seg)
            _targets(doc, defs, node["patternProperties"], exact, rest, hits, siblings)
    else:
        for name in props:
            _targets(doc, defs, props, name, rest, hits, siblings)
        for pat in node.get("patternProperties") or {}:
            _targets(doc, defs, node["patternProperties"], pat, rest, hits, siblings)
        if isinstance(node.get("additionalProperties"), dict):
            _targets(doc, defs, node, "additionalProperties", rest, hits, siblings)
    items = node.get("items")
    if isinstance(items, dict) and (seg == "*" or seg.isdigit()):
        _targets(doc, defs, node, "items", rest, hits, siblings)
    elif isinstance(items, list):
        for i in range(len(items)):
            if seg in ("*", str(i)):
                _targets(doc, defs, items, i, rest, hits, siblings)


def _applies(node: dict, name: str) -> bool:
    pats = node.get("patternProperties") or {}
    return any(re.search(p, name) for p in pats) or isinstance(node.get("additionalProperties"), dict)


def _exact_entry(node: dict, name: str) -> str:
    """A pattern property matching only `name`, so a constraint there reaches no other key: a
    subschema that patterns or additionalProperties share stays as it is. Every matching
    pattern applies to a key, so the entry is a copy of one that matches (or of
    additionalProperties, which no longer applies once a pattern matches): the key's language
    and its values are unchanged until the constraint is conjoined."""
    pats = node.setdefault("patternProperties", {})
    exact = "^" + ecma.escape(name) + "$"
    if exact not in pats:
        shared = next((p for p in pats if re.search(p, name)), None)
        pats[exact] = copy.deepcopy(pats[shared] if shared is not None else node["additionalProperties"])
    return exact


def _resolve(doc, ref: str):
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node
