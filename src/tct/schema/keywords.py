"""What each keyword contributes to a branch, and what its negation contributes.

`Keywords.local` turns a node's own assertions into atoms (combinators are expanded in
`normal.py`); `Keywords.neg_atom` gives the disjunction meaning "this atom fails". A keyword
that cannot be enforced exactly is reported through `Compiler.unsupported`.
"""

from __future__ import annotations

import json

from tct.errors import SchemaError

from tct.schema.numbers import fraction_of
from tct.schema.regex import PatternUnsupported, pattern_fsm
from tct.schema.values import canonical, values_key

ALL_TYPES = frozenset({"null", "boolean", "object", "array", "integer", "nonint", "string"})
TYPE_SETS = {
    "null": {"null"}, "boolean": {"boolean"}, "object": {"object"}, "array": {"array"},
    "number": {"integer", "nonint"}, "integer": {"integer"}, "string": {"string"},
}
MAX_PARTIALS = 4096
# Keywords that do not constrain validity under jsonschema's default settings.
ANNOTATIONS = {
    "$schema", "$id", "id", "$comment", "title", "description", "default", "examples", "format",
    "definitions", "$defs", "readOnly", "writeOnly", "deprecated", "contentMediaType",
    "contentEncoding", "contentSchema", "$anchor", "$vocabulary", "markdownDescription",
    "then", "else",  # only meaningful next to "if", handled there
}


# tct's own keyword, for profiles (never in a user's schema's meaning): a number here is an
# integer spelled without fraction or exponent (`4`, not `4.0`), as draft 4 reads every integer and as
# YAML linters read some fields (actionlint: `max-parallel: 4.0` is a float). A narrowing of
# the spelling only: ids do not change.
PLAIN_INTEGER = "x-tct-plainInteger"

ASSERTIONS = {
    "type", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "patternProperties",
    "additionalProperties", "required", "dependencies", "dependentRequired", "dependentSchemas",
    "propertyNames", "minProperties", "maxProperties", "items", "additionalItems", "prefixItems",
    "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains", "allOf",
    "anyOf", "oneOf", "not", "if", "$ref", "$dynamicRef", "$recursiveRef",
    "unevaluatedProperties", "unevaluatedItems", PLAIN_INTEGER,
}


class Keywords:
    """Mixin of Compiler: atoms of a node's own keywords."""

    def local(self, nid) -> tuple[frozenset, list]:
        """Types and facts of a node's own keywords (no combinators)."""
        node = self.nodes[nid]
        types = ALL_TYPES
        if "type" in node:
            ts = node["type"] if isinstance(node["type"], list) else [node["type"]]
            types = frozenset().union(*(TYPE_SETS.get(t, set()) for t in ts))
        atoms = []
        for _, values in self.value_sets(nid):
            if not any(isinstance(v, (dict, list)) for v in values):
                atoms.append(("enum", values_key(values)))  # objects and arrays: see `normal`
        for pat in [node["pattern"]] if "pattern" in node else []:
            if self._pattern_ok(nid, "pattern", pat):
                atoms.append(("pattern", pat, True))
        for pat in node.get("patternProperties") or {}:
            self._pattern_ok(nid, "patternProperties", pat)
        if "minLength" in node:
            atoms.append(("minLength", int(node["minLength"])))
        if "maxLength" in node:
            atoms.append(("maxLength", int(node["maxLength"])))
        atoms += self._bounds(nid)
        if "multipleOf" in node:
            m = node["multipleOf"]
            if isinstance(m, (int, float)) and not isinstance(m, bool) and m > 0:
                atoms.append(("multipleOf", fraction_of(m), m))
            else:
                raise SchemaError(self.pointers[nid], f"multipleOf must be a number above 0, not {m!r}", "multipleOf")
        if node.get(PLAIN_INTEGER) is True:  # a number here is an integer, spelled plainly
            types = types - {"nonint"}
            atoms.append(("plainInteger",))
        if any(k in node for k in ("properties", "patternProperties", "additionalProperties")):
            atoms.append(("objsrc", nid))
        for k in node.get("required") or []:
            atoms.append(("required", k))
        deps = dict(node.get("dependentRequired") or {})
        for k, v in (node.get("dependencies") or {}).items():
            if isinstance(v, list):
                deps[k] = v
        for k, v in deps.items():
            atoms.append(("dep", k, frozenset(v)))
        if "propertyNames" in node:
            pn = self.child(nid, node["propertyNames"], "propertyNames")
            if not self.trivially_true(pn):
                atoms.append(("propnames", pn))
        if "minProperties" in node:
            atoms.append(("minProps", int(node["minProperties"])))
        if "maxProperties" in node:
            atoms.append(("maxProps", int(node["maxProperties"])))
        if any(k in node for k in ("items", "additionalItems", "prefixItems")):
            atoms.append(("itemsrc", nid))
        if "minItems" in node:
            atoms.append(("minItems", int(node["minItems"])))
        if "maxItems" in node:
            atoms.append(("maxItems", int(node["maxItems"])))
        if node.get("uniqueItems") is True:
            atoms.append(("unique",))
        if "contains" in node:
            lo = int(node.get("minContains", 1)) if self.index.modern else 1
            hi = node.get("maxContains") if self.index.modern else None
            if lo > 0 or hi is not None:
                atoms.append(("contains", (self.child(nid, node["contains"], "contains"), True), lo,
                              None if hi is None else int(hi)))
        for kw in ("unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"):
            if kw in node:
                self.unsupported(nid, kw, "not implemented")
        return types, atoms

    def value_sets(self, nid) -> list:
        """(keyword, values) of a node's `enum` and `const`."""
        node = self.nodes[nid]
        out = []
        if isinstance(node.get("enum"), list):
            out.append(("enum", node["enum"]))
        if "const" in node:
            out.append(("const", [node["const"]]))
        return out

    def structure(self, nid, keyword, i, value) -> int:
        """A schema equal to the object or array `value` by JSON Schema equality: keys in any
        order (each given back as written), numbers by value, nested values alike."""
        key = (nid, keyword, i)
        node = self._structures.get(key)
        if node is None:
            if isinstance(value, dict):
                node = {"type": "object", "properties": {k: {"const": x} for k, x in value.items()},
                        "required": list(value), "additionalProperties": False}
            elif self.index.draft == "2020-12":
                node = {"type": "array", "prefixItems": [{"const": x} for x in value], "items": False,
                        "minItems": len(value), "maxItems": len(value)}
            else:
                node = {"type": "array", "items": [{"const": x} for x in value], "additionalItems": False,
                        "minItems": len(value), "maxItems": len(value)}
            self._structures[key] = node
        cid = self.child(nid, node, *((keyword,) if keyword == "const" else (keyword, str(i))))
        self.structure_values[cid] = canonical(value)
        return cid

    def const_literal(self, value) -> tuple:
        """A literal meaning "equal to `value`" (a schema node made for it)."""
        key = json.dumps(value, sort_keys=True)
        node = self._consts.get(key)
        if node is None:
            node = self._consts[key] = {"const": value}
        return (self.index.node_id(node, f"#<const {key[:40]}>"), True)

    def _pattern_ok(self, nid, keyword, pattern) -> bool:
        self.search(pattern, "", nid)  # a syntax error is a schema error even when not strict
        try:
            pattern_fsm(pattern)
            return True
        except PatternUnsupported as exc:
            self.unsupported(nid, keyword, str(exc))
            return False

    def _bounds(self, nid) -> list:
        node = self.nodes[nid]
        out = []
        old = self.index.draft == "draft-04"
        if "minimum" in node:
            out.append(("min", fraction_of(node["minimum"]), bool(old and node.get("exclusiveMinimum"))))
        if "maximum" in node:
            out.append(("max", fraction_of(node["maximum"]), bool(old and node.get("exclusiveMaximum"))))
        if not old:
            if isinstance(node.get("exclusiveMinimum"), (int, float)) and not isinstance(node.get("exclusiveMinimum"), bool):
                out.append(("min", fraction_of(node["exclusiveMinimum"]), True))
            if isinstance(node.get("exclusiveMaximum"), (int, float)) and not isinstance(node.get("exclusiveMaximum"), bool):
                out.append(("max", fraction_of(node["exclusiveMaximum"]), True))
        return out


    def neg_atom(self, nid, atom) -> list:
        kind = atom[0]
        S, N, O, A = (frozenset({"string"}), frozenset({"integer", "nonint"}), frozenset({"object"}),
                      frozenset({"array"}))
        if kind == "enum":  # objects and arrays in it are refused when they close (see Machine)
            return [(ALL_TYPES, frozenset({("not_enum", atom[1])}))]
        if kind == "pattern":
            return [(S, frozenset({("pattern", atom[1], False)}))]
        if kind == "minLength":
            return [(S, frozenset({("maxLength", atom[1] - 1)}))] if atom[1] > 0 else []
        if kind == "maxLength":
            return [(S, frozenset({("minLength", atom[1] + 1)}))]
        if kind == "min":
            return [(N, frozenset({("max", atom[1], not atom[2])}))]
        if kind == "max":
            return [(N, frozenset({("min", atom[1], not atom[2])}))]
        if kind == "required":
            return [(O, frozenset({("forbid", frozenset({atom[1]}))}))]
        if kind == "dep":
            return [(O, frozenset({("required", atom[1]), ("forbid", frozenset({m}))})) for m in atom[2]]
        if kind == "minProps":
            return [(O, frozenset({("maxProps", atom[1] - 1)}))] if atom[1] > 0 else []
        if kind == "maxProps":
            return [(O, frozenset({("minProps", atom[1] + 1)}))]
        if kind == "minItems":
            return [(A, frozenset({("maxItems", atom[1] - 1)}))] if atom[1] > 0 else []
        if kind == "maxItems":
            return [(A, frozenset({("minItems", atom[1] + 1)}))]
        if kind == "objsrc":
            node = self.nodes[nid]
            out = []
            for k, sub in (node.get("properties") or {}).items():
                cid = self.child(nid, sub, "properties", k)
                if not self.trivially_true(cid):
                    out.append((O, frozenset({("required", k), ("keylit", k, (cid, False))})))
            for pat, sub in (node.get("patternProperties") or {}).items():
                if not self.trivially_true(self.child(nid, sub, "patternProperties", pat)):
                    self.unsupported(nid, "patternProperties", "negated")
            if "additionalProperties" in node:
                ap = self.child(nid, node["additionalProperties"], "additionalProperties")
                if self.nodes[ap] is False and not node.get("patternProperties"):
                    # "some key is additional": satisfied by any key outside `properties`.
                    out.append((O, frozenset({("needextra", nid)})))
                elif not self.trivially_true(ap):
                    self.unsupported(nid, "additionalProperties", "negated with a schema or patternProperties")
            return out
        if kind == "itemsrc":
            # Some item misses its schema: a tuple position, or (a contains) one of the rest.
            prefix, rest = self.array_parts(nid)
            out = [(A, frozenset({("minItems", i + 1), ("itemat", i, (lit[0], not lit[1]))}))
                   for i, lit in enumerate(prefix) if not self.trivially_true(lit[0])]
            if rest is None or self.trivially_true(rest[0]):
                return out
            if not prefix:
                return out + [(A, frozenset({("contains", (rest[0], False), 1, None)}))]
            if self.nodes[rest[0]] is False:
                return out + [(A, frozenset({("minItems", len(prefix) + 1)}))]
            self.unsupported(nid, "items" if self.index.draft == "2020-12" else "additionalItems",
                             "negated with tuple items before it")
            return out
        if kind == "itemat":
            i, lit = atom[1], atom[2]
            return [(A, frozenset({("minItems", i + 1), ("itemat", i, (lit[0], not lit[1]))}))]
        if kind == "contains":
            lit, lo, hi = atom[1], atom[2], atom[3]
            if hi is None and lo == 1:  # no item matches: every item satisfies "not C"
                return [(A, frozenset({("allitems", (lit[0], not lit[1]))}))]
            self.unsupported(nid, "contains", "negated with minContains/maxContains")
            return []
        if kind == "allitems":
            lit = atom[1]
            return [(A, frozenset({("contains", (lit[0], not lit[1]), 1, None)}))]
        if kind == "propnames":
            self.unsupported(nid, "propertyNames", "negated")
            return []
        if kind == "unique":  # some two items are equal
            return [(A, frozenset({("dupitems",)}))]
        if kind == "dupitems":
            return [(A, frozenset({("unique",)}))]
        if kind in ("multipleOf", "plainInteger"):
            self.unsupported(nid, PLAIN_INTEGER if kind == "plainInteger" else kind, "negated")
            return []
        raise AssertionError(kind)

