"""Compile a JSON Schema into typed branches: the automaton the codec walks.

A value position carries a *constraint*: a conjunction of literals `(node id, positive?)`.
Expanding a constraint gives its *branches*, a disjunctive normal form in which every branch
has one JSON type and a set of type-specific facts (patterns, bounds, keys, items...).
`oneOf` becomes "this branch and not the others" (skipped when branches are provably
disjoint), `not`/`if`/`dependencies` are pushed down to facts that the decoder can enforce
one token at a time (forbidden key sets, negated patterns, excluded values). A keyword that
cannot be enforced exactly raises `SchemaError` naming it, unless `strict=False`, in which case
it is recorded in `unenforced` and ignored.

Exploration from the root enumerates every reachable constraint; a fixpoint then gives each
one its minimal completion cost (in decisions), which is also the satisfiability test: a
branch with infinite cost has no finite document and is never offered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import product as iproduct

from tct.errors import SchemaError
from tct.schema.load import SchemaIndex, index_schema, read_schema, schema_sha256
from tct.schema.numbers import NumberSpec, fraction_of
from tct.schema.reference import reference_validator
from tct.schema.regex import CharDFA, PatternUnsupported, pattern_fsm, python_pattern

INF = float("inf")
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


def _spellings(v) -> list:
    if json_type(v) in ("integer", "nonint") and float(v).is_integer() and abs(v) < 2 ** 53:
        return [int(v), float(v)] if isinstance(v, int) else [v, int(v)]
    return [v]


def _values_key(values) -> tuple:
    return tuple(json.dumps(v, sort_keys=True) for v in values)


def _values(key) -> list:
    return [json.loads(s) for s in key]


# ---------------------------------------------------------------- branches

@dataclass(eq=False)
class Branch:
    """One alternative of a constraint: a single JSON type plus its facts."""

    kind: str                 # literal | string | number | object | array
    atoms: frozenset
    compiler: "Compiler" = field(repr=False)
    values: tuple = ()        # literal: the finite set of values, in order
    kind_integer: bool = False  # number: integer-valued only
    kind_nonint: bool = False   # number: never integer-valued

    @cached_property
    def key(self):
        if self.kind == "literal":
            return (self.kind, _values_key(self.values))
        return (self.kind, self.atoms, self.kind_integer, self.kind_nonint)

    def describe(self) -> str:
        if self.kind == "literal":
            shown = ", ".join(json.dumps(v) for v in self.values[:4])
            return f"one of [{shown}{', ...' if len(self.values) > 4 else ''}]"
        return self.kind

    # ---- string facts
    @cached_property
    def string(self):
        return self.compiler.string_facts(self.atoms)

    # ---- number facts
    @cached_property
    def number(self) -> NumberSpec:
        spec = self.compiler.number_facts(self.atoms, self.kind_integer)
        return replace(spec, nonint=True) if self.kind_nonint else spec

    # ---- object facts
    @cached_property
    def obj(self) -> "ObjectFacts":
        return ObjectFacts(self.compiler, self.atoms)

    # ---- array facts
    @cached_property
    def arr(self) -> "ArrayFacts":
        return ArrayFacts(self.compiler, self.atoms)


@dataclass
class StringFacts:
    dfa: CharDFA
    excluded: frozenset  # strings the value may not be


class ObjectFacts:
    """Keys, their value constraints and the key-set rules of one object branch."""

    def __init__(self, compiler: "Compiler", atoms: frozenset):
        c = self.compiler = compiler
        self.sources = sorted(a[1] for a in atoms if a[0] == "objsrc")
        self.required = frozenset(a[1] for a in atoms if a[0] == "required")
        self.forbid = [a[1] for a in atoms if a[0] == "forbid"]
        self.deps: dict[str, frozenset] = {}
        for a in atoms:
            if a[0] == "dep":
                self.deps[a[1]] = self.deps.get(a[1], frozenset()) | a[2]
        self.min_props = max([a[1] for a in atoms if a[0] == "minProps"], default=0)
        self.max_props = min([a[1] for a in atoms if a[0] == "maxProps"], default=None)
        self.key_literals: dict[str, frozenset] = {}
        for a in atoms:
            if a[0] == "keylit":
                self.key_literals[a[1]] = self.key_literals.get(a[1], frozenset()) | {a[2]}
        self.name_nodes = sorted(a[1] for a in atoms if a[0] == "propnames")
        self.need_extra = sorted(a[1] for a in atoms if a[0] == "needextra")
        names: list[str] = []
        for nid in self.sources:
            for k in (c.nodes[nid].get("properties") or {}):
                if k not in names:
                    names.append(k)
        extra = set(self.required) | set(self.key_literals) | set(self.deps)
        for fs in self.forbid:
            extra |= fs
        for deps in self.deps.values():
            extra |= deps
        names += sorted(extra - set(names))
        self.names = names
        self.index = {k: i for i, k in enumerate(names)}
        self._key_conj: dict[str, frozenset | None] = {}

    def key_conj(self, key: str) -> frozenset | None:
        """Constraint on the value of `key`, or None when the key is not allowed at all."""
        try:
            return self._key_conj[key]
        except KeyError:
            if len(self._key_conj) >= 1 << 16:  # budget masks probe many keys that never get typed
                self._key_conj.clear()
            conj = self._key_conj[key] = self._compute_key_conj(key)
            return conj

    def _compute_key_conj(self, key: str) -> frozenset | None:
        c = self.compiler
        lits = set(self.key_literals.get(key, ()))
        for nid in self.sources:
            node = c.nodes[nid]
            props = node.get("properties") or {}
            if key in props:
                lits.add((c.child(nid, props[key], "properties", key), True))
                continue
            matched = False
            for pat, sub in (node.get("patternProperties") or {}).items():
                if c.search(pat, key, nid):
                    matched = True
                    lits.add((c.child(nid, sub, "patternProperties", pat), True))
            if not matched and "additionalProperties" in node:
                lits.add((c.child(nid, node["additionalProperties"], "additionalProperties"), True))
        conj = c.simplify(lits)
        if conj is None:
            return None
        for nid in self.name_nodes:
            if not c.oracle_valid(frozenset({(nid, True)}), key):
                return None
        return conj

    @cached_property
    def free_keys(self) -> StringFacts | None:
        """Language of keys not in `names` (chosen byte by byte), or None if there are none."""
        c = self.compiler
        patterns, min_len, max_len, excluded = [], 0, None, set(self.names)
        for nid in self.sources:
            node = c.nodes[nid]
            ap = node.get("additionalProperties", True)
            if ap is False or (ap is not True and c.simplify({(c.child(nid, ap, "additionalProperties"), True)}) is None):
                pats = list((node.get("patternProperties") or {}))
                if not pats:
                    return None
                patterns.append(("|".join(pats), True))
        for nid in self.name_nodes:
            facts = c.string_branch_facts(frozenset({(nid, True)}), c.pointers[nid])
            if facts is None:
                return None
            patterns += facts[0]
            min_len = max(min_len, facts[1])
            if facts[2] is not None:
                max_len = facts[2] if max_len is None else min(max_len, facts[2])
            excluded |= facts[3]
        try:
            dfa = c.dfa(tuple(patterns), min_len, max_len)
        except PatternUnsupported as exc:
            c.unsupported(self.sources[0] if self.sources else 0, "patternProperties", str(exc))
            return None  # not strict: offer no free keys rather than unchecked ones
        if shortest_string(dfa, dfa.start, "", excluded) is None:
            return None
        return StringFacts(dfa, frozenset(excluded))

    def closure(self, keys) -> frozenset:
        out, todo = set(keys), list(keys)
        while todo:
            for d in self.deps.get(todo.pop(), ()):
                if d not in out:
                    out.add(d)
                    todo.append(d)
        return frozenset(out)

    def is_extra(self, nid: int, key: str) -> bool:
        """Is `key` an "additional" property for source `nid` (neither declared nor patterned)?"""
        node = self.compiler.nodes[nid]
        return key not in (node.get("properties") or {}) and not any(
            self.compiler.search(p, key, nid) for p in (node.get("patternProperties") or {}))

    def unmet_extra(self, keys) -> list[int]:
        """Sources of `not additionalProperties: false` that no key satisfies yet."""
        return [nid for nid in self.need_extra if not any(self.is_extra(nid, k) for k in keys)]

    def extra_key_options(self, nid: int, keys) -> list:
        """(cost, key or None for a free key) of the ways to add one additional property for `nid`."""
        c = self.compiler
        out = [(1 + c.cost_conj(self.key_conj(k)), k) for k in self.names
               if k not in keys and self.is_extra(nid, k) and c.key_ok(self, k)]
        fk = self.free_keys
        if fk is not None:
            key = shortest_string(fk.dfa, fk.dfa.start, "", fk.excluded | frozenset(keys))
            if key is not None and self.key_conj(key) is not None:
                out.append((2 + len(key.encode()) + c.cost_conj(self.key_conj(key)), None))
        return sorted(out, key=lambda ck: ck[0])

    def can_finish(self, used: frozenset, extra_free: int = 0) -> bool:
        """Can an object holding `used` (+ extra_free free keys) still be completed?"""
        final = self.closure(used | self.required)
        if any(fs <= final for fs in self.forbid):
            return False
        n = len(final) + extra_free + (1 if self.need_extra and self.unmet_extra(final) and not extra_free else 0)
        if self.max_props is not None and n > self.max_props:
            return False
        for k in final - used:
            if not self.compiler.key_ok(self, k):
                return False
        return True


class ArrayFacts:
    def __init__(self, compiler: "Compiler", atoms: frozenset):
        self.compiler = compiler
        self.sources = sorted(a[1] for a in atoms if a[0] == "itemsrc")
        self.min_items = max([a[1] for a in atoms if a[0] == "minItems"], default=0)
        self.max_items = min([a[1] for a in atoms if a[0] == "maxItems"], default=None)
        self.unique = ("unique",) in atoms
        # contains: (literal, min, max) - at least min and at most max items satisfy it.
        self.contains = sorted((a[1], a[2], a[3]) for a in atoms if a[0] == "contains")
        self.all_items = frozenset(a[1] for a in atoms if a[0] == "allitems")
        self.need_dup = ("dupitems",) in atoms

    def item_conj(self, index: int, extra=()) -> frozenset | None:
        c = self.compiler
        lits = set(extra)
        for nid in self.sources:
            node = c.nodes[nid]
            if c.index.modern:
                prefix = node.get("prefixItems") or []
                if index < len(prefix):
                    lits.add((c.child(nid, prefix[index], "prefixItems", str(index)), True))
                elif "items" in node:
                    lits.add((c.child(nid, node["items"], "items"), True))
            else:
                items = node.get("items", True)
                if isinstance(items, list):
                    if index < len(items):
                        lits.add((c.child(nid, items[index], "items", str(index)), True))
                    elif "additionalItems" in node:
                        lits.add((c.child(nid, node["additionalItems"], "additionalItems"), True))
                else:
                    lits.add((c.child(nid, items, "items"), True))
        lits |= self.all_items
        return c.simplify(lits)

    @cached_property
    def tuple_length(self) -> int:
        n = 0
        for nid in self.sources:
            node = self.compiler.nodes[nid]
            seq = node.get("prefixItems") if self.compiler.index.modern else node.get("items")
            if isinstance(seq, list):
                n = max(n, len(seq))
        return n


# ---------------------------------------------------------------- compiler

class Compiler:
    def __init__(self, source, strict: bool = True):
        schema, self.name = read_schema(source)
        self.sha256 = schema_sha256(schema)
        self.index: SchemaIndex = index_schema(schema)
        self.nodes, self.pointers = self.index.nodes, self.index.pointers
        self.strict = strict
        self.unenforced: list[tuple[str, str]] = []  # (pointer, keyword)
        self._pos: dict[int, list] = {}
        self._neg: dict[int, list] = {}
        self._busy: set = set()
        self._branches_raw: dict[frozenset, list] = {}
        self._cost_conj: dict[frozenset, float] = {}
        self._cost_branch: dict[tuple, float] = {}
        self._branches: dict[frozenset, list] = {}
        self._consts: dict[str, dict] = {}
        self._dfa: dict = {}
        self._regex: dict = {}
        self._oracle: dict = {}
        self._children: dict = {}
        self._validator = reference_validator(schema)
        self.root = self.simplify({(0, True)})
        if self.root is None:
            raise SchemaError("#", "the schema accepts no document")
        self.explore([self.root])
        if self.cost_conj(self.root) == INF:
            raise SchemaError("#", "the schema accepts no finite document")

    # ---------------- nodes and literals
    def child(self, nid: int, sub, *path: str) -> int:
        key = (nid, path)
        cid = self._children.get(key)
        if cid is None:
            ptr = self.pointers[nid] + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
            cid = self.index.node_id(sub, ptr)
            self._children[key] = cid
        return cid

    def trivially_true(self, nid: int) -> bool:
        node = self.nodes[nid]
        if node is True:
            return True
        if node is False or not isinstance(node, dict):
            return False
        return all(k in ANNOTATIONS or k not in _ASSERTIONS for k in node)

    def simplify(self, lits) -> frozenset | None:
        """Drop always-true literals; None if a literal is always false."""
        out = set()
        for nid, pos in lits:
            t = self.trivially_true(nid)
            if t and pos:
                continue
            if (t and not pos) or (self.nodes[nid] is False and pos):
                return None
            if self.nodes[nid] is False and not pos:
                continue
            if (nid, not pos) in lits:
                return None
            out.add((nid, pos))
        return frozenset(out)

    def unsupported(self, nid: int, keyword: str, why: str):
        pointer = self.pointers[nid]
        if self.strict:
            raise SchemaError(pointer, f"keyword {keyword!r} cannot be enforced exactly: {why} "
                                       f"(use strict=False to compile without it)", keyword)
        if (pointer, keyword) not in self.unenforced:
            self.unenforced.append((pointer, keyword))

    def search(self, pattern: str, text: str, nid: int) -> bool:
        rx = self._regex.get(pattern)
        if rx is None:
            try:
                rx = re.compile(python_pattern(pattern))
            except re.error as exc:
                raise SchemaError(self.pointers[nid], f"invalid pattern {pattern!r}: {exc}", "pattern") from None
            self._regex[pattern] = rx
        return rx.search(text) is not None

    def oracle_valid(self, conj: frozenset, value) -> bool:
        """jsonschema's own verdict on `value` under a conjunction: the reference for literals."""
        key = (conj, json.dumps(value, sort_keys=True))
        hit = self._oracle.get(key)
        if hit is None:
            parts = [self.nodes[n] if pos else {"not": self.nodes[n]} for n, pos in sorted(conj)]
            hit = self._validator.evolve(schema={"allOf": parts}).is_valid(value)
            self._oracle[key] = hit
        return hit

    def dfa(self, patterns: tuple, min_len: int, max_len) -> CharDFA:
        key = (patterns, min_len, max_len)
        d = self._dfa.get(key)
        if d is None:
            d = CharDFA(patterns, min_len, max_len)
            self._dfa[key] = d
        return d

    # ---------------- disjunctive normal forms
    def dnf(self, nid: int, positive: bool) -> list:
        memo = self._pos if positive else self._neg
        hit = memo.get(nid)
        if hit is not None:
            return hit
        if (nid, positive) in self._busy:
            raise SchemaError(self.pointers[nid], "$ref cycle with no object or array in between", "$ref")
        self._busy.add((nid, positive))
        try:
            out = self._dnf_pos(nid) if positive else self._dnf_neg(nid)
        finally:
            self._busy.discard((nid, positive))
        if len(out) > MAX_PARTIALS:
            raise SchemaError(self.pointers[nid], f"more than {MAX_PARTIALS} alternatives after expansion")
        memo[nid] = out
        return out

    def _product(self, *dnfs, prune: bool = True) -> list:
        """Conjunction of DNFs. Large products drop the combinations that are provably empty
        as they go (e.g. ten `if type == X then ...` conjuncts), keeping expansion tractable."""
        acc = [(ALL_TYPES, frozenset())]
        for d in dnfs:
            if len(acc) * len(d) > 16 * MAX_PARTIALS:
                raise SchemaError("#", f"more than {MAX_PARTIALS} alternatives after expansion")
            check = prune and len(acc) * len(d) > 64
            nxt, seen = [], set()
            for (t1, a1), (t2, a2) in iproduct(acc, d):
                t = t1 & t2
                if not t:
                    continue
                p = (t, a1 | a2)
                if p not in seen:
                    seen.add(p)
                    if not (check and self._quick_unsat(t, p[1], 0)):
                        nxt.append(p)
            acc = nxt
            if len(acc) > MAX_PARTIALS:
                raise SchemaError("#", f"more than {MAX_PARTIALS} alternatives after expansion")
        return acc

    def _subs(self, nid, key):
        node = self.nodes[nid]
        return [self.child(nid, s, key, str(i)) for i, s in enumerate(node.get(key) or [])]

    def _ref_target(self, nid) -> int | None:
        node = self.nodes[nid]
        ref = node.get("$ref") if isinstance(node, dict) else None
        if isinstance(ref, str):
            return self.index.resolve(ref, self.pointers[nid] + "/$ref")
        return None

    def _local(self, nid) -> tuple[frozenset, list]:
        """Types and facts of a node's own keywords (no combinators)."""
        node = self.nodes[nid]
        types = ALL_TYPES
        if "type" in node:
            ts = node["type"] if isinstance(node["type"], list) else [node["type"]]
            types = frozenset().union(*(TYPE_SETS.get(t, set()) for t in ts))
        atoms = []
        if "enum" in node:
            atoms.append(("enum", _values_key(node["enum"])))
        if "const" in node:
            atoms.append(("enum", _values_key([node["const"]])))
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
            if isinstance(m, int) or (isinstance(m, float) and m.is_integer()):
                atoms.append(("multipleOf", int(m)))
            else:
                self.unsupported(nid, "multipleOf", "only integer multiples are enforced")
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

    def _dnf_pos(self, nid) -> list:
        node = self.nodes[nid]
        if self.trivially_true(nid):
            return [(ALL_TYPES, frozenset())]
        if node is False:
            return []
        target = self._ref_target(nid)
        if target is not None and not self.index.modern:
            return self.dnf(target, True)
        types, atoms = self._local(nid)
        parts = [[(types, frozenset(atoms))]]
        if target is not None:
            parts.append(self.dnf(target, True))
        for s in self._subs(nid, "allOf"):
            parts.append(self.dnf(s, True))
        if "anyOf" in node:
            parts.append([p for s in self._subs(nid, "anyOf") for p in self.dnf(s, True)])
        if "oneOf" in node:
            parts.append(self._one_of(self._subs(nid, "oneOf")))
        if "not" in node:
            parts.append(self.dnf(self.child(nid, node["not"], "not"), False))
        if "if" in node:
            parts.append(self._if_then_else(nid, True))
        for k, v in (node.get("dependencies") or {}).items():
            if not isinstance(v, list):
                parts.append(self._schema_dependency(nid, k, self.child(nid, v, "dependencies", k)))
        for k, v in (node.get("dependentSchemas") or {}).items():
            parts.append(self._schema_dependency(nid, k, self.child(nid, v, "dependentSchemas", k)))
        return self._product(*parts)

    def _schema_dependency(self, nid, key, sub) -> list:
        # "if key is present then sub": not an object, or key absent, or key present and sub.
        absent = [(ALL_TYPES - {"object"}, frozenset()), (frozenset({"object"}), frozenset({("forbid", frozenset({key}))}))]
        present = self._product([(frozenset({"object"}), frozenset({("required", key)}))], self.dnf(sub, True))
        return absent + present

    def _if_then_else(self, nid, positive) -> list:
        node = self.nodes[nid]
        cond = self.child(nid, node["if"], "if")
        then = self.child(nid, node.get("then", True), "then")
        other = self.child(nid, node.get("else", True), "else")
        if positive:
            return (self._product(self.dnf(cond, True), self.dnf(then, True))
                    + self._product(self.dnf(cond, False), self.dnf(other, True)))
        return (self._product(self.dnf(cond, True), self.dnf(then, False))
                + self._product(self.dnf(cond, False), self.dnf(other, False)))

    def _one_of(self, subs) -> list:
        pos = [self.dnf(s, True) for s in subs]
        out = []
        for i, s in enumerate(subs):
            acc = pos[i]
            for j, t in enumerate(subs):
                if j != i and not self._disjoint(pos[i], pos[j]):
                    acc = self._product(acc, self.dnf(t, False))
            out += acc
        return out

    def _disjoint(self, a, b) -> bool:
        return all(self._quick_unsat(t, atoms, 0) for t, atoms in self._product(a, b, prune=False))

    def _dnf_neg(self, nid) -> list:
        node = self.nodes[nid]
        if self.trivially_true(nid):
            return []
        if node is False:
            return [(ALL_TYPES, frozenset())]
        target = self._ref_target(nid)
        if target is not None and not self.index.modern:
            return self.dnf(target, False)
        out = []
        types, atoms = self._local(nid)
        if types != ALL_TYPES:
            out.append((ALL_TYPES - types, frozenset()))
        for atom in atoms:
            out += self._neg_atom(nid, atom)
        if target is not None:
            out += self.dnf(target, False)
        for s in self._subs(nid, "allOf"):
            out += self.dnf(s, False)
        if "anyOf" in node:
            out += self._product(*[self.dnf(s, False) for s in self._subs(nid, "anyOf")])
        if "oneOf" in node:
            subs = self._subs(nid, "oneOf")
            out += self._product(*[self.dnf(s, False) for s in subs])
            for i in range(len(subs)):
                for j in range(i + 1, len(subs)):
                    out += self._product(self.dnf(subs[i], True), self.dnf(subs[j], True))
        if "not" in node:
            out += self.dnf(self.child(nid, node["not"], "not"), True)
        if "if" in node:
            out += self._if_then_else(nid, False)
        for kw in ("dependentSchemas",):
            if kw in node:
                self.unsupported(nid, kw, "negated")
        if any(not isinstance(v, list) for v in (node.get("dependencies") or {}).values()):
            self.unsupported(nid, "dependencies", "negated schema dependency")
        return out

    def _neg_atom(self, nid, atom) -> list:
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
            node = self.nodes[nid]
            items = node.get("items", True)
            if not self.index.modern and isinstance(items, list) or node.get("prefixItems") \
                    or "additionalItems" in node and isinstance(items, list):
                self.unsupported(nid, "items", "negated tuple items")
                return []
            sub = self.child(nid, items, "items")
            if self.trivially_true(sub):
                return []
            # Not every item fits: some item violates `items` (a contains constraint).
            return [(A, frozenset({("contains", (sub, False), 1, None)}))]
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
        if kind == "multipleOf":
            self.unsupported(nid, "multipleOf", "negated")
            return []
        raise AssertionError(kind)

    # ---------------- branches of a constraint
    def raw_branches(self, conj: frozenset) -> list[Branch]:
        hit = self._branches_raw.get(conj)
        if hit is not None:
            return hit
        partials = self._product(*[self.dnf(n, p) for n, p in sorted(conj)])
        out, seen = [], set()
        for types, atoms in partials:
            for b in self._split(conj, types, atoms):
                if b.key not in seen:
                    seen.add(b.key)
                    out.append(b)
        self._branches_raw[conj] = out
        return out

    def _split(self, conj, types, atoms) -> list[Branch]:
        enums = [a[1] for a in atoms if a[0] == "enum"]
        excluded = [v for a in atoms if a[0] == "not_enum" for v in _values(a[1])]
        if enums:
            vals = _values(enums[0])
            for e in enums[1:]:
                other = _values(e)
                vals = [v for v in vals if any(json_equal(v, w) for w in other)]
            vals = [v for v in vals if json_type(v) in types and not any(json_equal(v, x) for x in excluded)]
            # 1 and 1.0 are equal to the schema but not to a lossless codec: offer both spellings.
            vals = list({json.dumps(w): w for v in vals for w in _spellings(v)}.values())
            vals = [v for v in vals if self.oracle_valid(conj, v)]
            return [Branch("literal", atoms, self, values=tuple(vals))] if vals else []
        out = []
        if "null" in types and None not in excluded:
            out.append(Branch("literal", frozenset(), self, values=(None,)))
        if "boolean" in types:
            vals = tuple(v for v in (False, True) if not any(json_equal(v, x) for x in excluded))
            if vals:
                out.append(Branch("literal", frozenset(), self, values=vals))
        if "object" in types:
            out.append(Branch("object", atoms, self))
        if "array" in types:
            out.append(Branch("array", atoms, self))
        if "integer" in types:
            out.append(Branch("number", atoms, self, kind_integer="nonint" not in types))
        elif "nonint" in types:
            out.append(Branch("number", atoms, self, kind_nonint=True))
        if "string" in types:
            out.append(Branch("string", atoms, self))
        return out

    def string_facts(self, atoms) -> StringFacts:
        patterns = tuple(sorted((a[1], a[2]) for a in atoms if a[0] == "pattern"))
        min_len = max([a[1] for a in atoms if a[0] == "minLength"], default=0)
        max_len = min([a[1] for a in atoms if a[0] == "maxLength"], default=None)
        excluded = frozenset(v for a in atoms if a[0] == "not_enum" for v in _values(a[1]) if isinstance(v, str))
        return StringFacts(self.dfa(patterns, min_len, max_len), excluded)

    def string_branch_facts(self, conj, pointer):
        """(patterns, minLength, maxLength, excluded) of the one string branch of `conj` (propertyNames)."""
        # Key names are strings: branches of other types say nothing about them.
        strings = [b for b in self.raw_branches(conj) if b.kind == "string"]
        lits = [b for b in self.raw_branches(conj)
                if b.kind == "literal" and any(isinstance(v, str) for v in b.values)]
        if lits and not strings:
            names = sorted({v for b in lits for v in b.values if isinstance(v, str)})
            return [("^(" + "|".join(re.escape(n) for n in names) + ")$", True)], 0, None, frozenset()
        if len(strings) > 1 and not lits:
            # A union of plain patterns is one pattern with alternatives.
            pats = [[(a[1], a[2]) for a in b.atoms if a[0] == "pattern"] for b in strings]
            plain = all(len(p) == 1 and p[0][1] and all(a[0] in ("pattern", "enum") for a in b.atoms)
                        for p, b in zip(pats, strings))
            if plain:
                return [("|".join(p[0][0] for p in pats), True)], 0, None, frozenset()
        if len(strings) != 1 or lits:
            self.unsupported(0, "propertyNames", f"at {pointer}: more than one kind of key name")
            return None
        atoms = strings[0].atoms
        patterns = [(a[1], a[2]) for a in atoms if a[0] == "pattern"]
        min_len = max([a[1] for a in atoms if a[0] == "minLength"], default=0)
        max_len = min([a[1] for a in atoms if a[0] == "maxLength"], default=None)
        excluded = frozenset(v for a in atoms if a[0] == "not_enum" for v in _values(a[1]) if isinstance(v, str))
        return patterns, min_len, max_len, excluded

    def number_facts(self, atoms, integer: bool) -> NumberSpec:
        lo = hi = None
        lo_excl = hi_excl = False
        for a in atoms:
            if a[0] == "min" and (lo is None or a[1] > lo or (a[1] == lo and a[2])):
                lo, lo_excl = a[1], a[2]
            if a[0] == "max" and (hi is None or a[1] < hi or (a[1] == hi and a[2])):
                hi, hi_excl = a[1], a[2]
        mults = [a[1] for a in atoms if a[0] == "multipleOf"]
        multiple = None
        if mults:
            from math import lcm
            multiple = lcm(*mults)
            integer = True
        excluded = frozenset(fraction_of(v) for a in atoms if a[0] == "not_enum" for v in _values(a[1])
                             if json_type(v) in ("integer", "nonint"))
        return NumberSpec(integer=integer, lo=lo, lo_excl=lo_excl, hi=hi, hi_excl=hi_excl,
                          multiple=multiple, excluded=excluded, plain_integers=self.index.draft == "draft-04")

    def key_ok(self, facts: ObjectFacts, key: str) -> bool:
        conj = facts.key_conj(key)
        return conj is not None and self.cost_conj(conj) < INF

    # ---------------- quick structural unsatisfiability (for oneOf disjointness)
    def _quick_unsat(self, types, atoms, depth) -> bool:
        enums = [a[1] for a in atoms if a[0] == "enum"]
        if enums:
            vals = _values(enums[0])
            for e in enums[1:]:
                other = _values(e)
                vals = [v for v in vals if any(json_equal(v, w) for w in other)]
            return not any(json_type(v) in types and self._atoms_admit(v, atoms) for v in vals)
        if types != frozenset({"object"}) or depth > 2:
            return False
        facts = ObjectFacts(self, frozenset(atoms))
        final = facts.closure(facts.required)
        if any(fs <= final for fs in facts.forbid):
            return True
        for k in final:
            conj = facts.key_conj(k)
            if conj is None:
                return True
            partials = self._product(*[self.dnf(n, p) for n, p in sorted(conj)], prune=False)
            if all(self._quick_unsat(t, a, depth + 1) for t, a in partials):
                return True
        return False

    def _atoms_admit(self, value, atoms) -> bool:
        """Scalar facts only: enough to see that an enum value misses a pattern or a bound."""
        t = json_type(value)
        if t == "string":
            f = self.string_facts(frozenset(atoms))
            return f.dfa.accepts(value) and value not in f.excluded
        if t in ("integer", "nonint"):
            return self.number_facts(frozenset(atoms), False).admits(fraction_of(value))
        return True

    # ---------------- exploration and costs
    def branch_children(self, b: Branch) -> list[frozenset]:
        out = []
        if b.kind == "object":
            f = b.obj
            f.free_keys  # noqa: B018 - compiles key-name constraints now, surfacing unsupported ones
            for k in f.names:
                conj = f.key_conj(k)
                if conj is not None:
                    out.append(conj)
            for nid in f.sources:
                node = self.nodes[nid]
                for pat, sub in (node.get("patternProperties") or {}).items():
                    out.append(self.simplify({(self.child(nid, sub, "patternProperties", pat), True)}))
                if "additionalProperties" in node:
                    out.append(self.simplify({(self.child(nid, node["additionalProperties"], "additionalProperties"), True)}))
        elif b.kind == "array":
            f = b.arr
            for i in range(max(f.tuple_length, f.min_items, len(f.contains)) + 1):
                for extra in [()] + [((lit[0], pos),) for lit, _, _ in f.contains for pos in (True, False)]:
                    conj = f.item_conj(i, extra)
                    if conj is not None:
                        out.append(conj)
        elif b.kind == "string":
            b.string  # noqa: B018 - builds the automaton, surfacing unsupported patterns now
        return [c for c in out if c is not None]

    def explore(self, roots) -> None:
        new, todo = [], [c for c in roots if c not in self._cost_conj]
        seen = set(todo)
        while todo:
            conj = todo.pop()
            new.append(conj)
            for b in self.raw_branches(conj):
                for child in self.branch_children(b):
                    if child not in self._cost_conj and child not in seen:
                        seen.add(child)
                        todo.append(child)
        # Fixpoint of minimal completion costs over the newly found constraints.
        for conj in new:
            self._cost_conj.setdefault(conj, INF)
        changed = True
        while changed:
            changed = False
            for conj in new:
                c = self._compute_cost_conj(conj)
                if c < self._cost_conj[conj]:
                    self._cost_conj[conj] = c
                    changed = True

    def cost_conj(self, conj: frozenset) -> float:
        if conj not in self._cost_conj:
            self.explore([conj])
        return self._cost_conj[conj]

    def branches(self, conj: frozenset) -> list[Branch]:
        """The branches that can still end in a finite valid value, in a fixed order."""
        hit = self._branches.get(conj)
        if hit is None:
            self.cost_conj(conj)
            hit = self._branches[conj] = [b for b in self.raw_branches(conj) if self.cost_branch(b) < INF]
        return hit

    def cost_branch(self, b: Branch) -> float:
        """Final (post-fixpoint) cost of a branch; only valid once its constraint is explored."""
        hit = self._cost_branch.get(b.key)
        if hit is None:
            hit = self._cost_branch[b.key] = self._compute_cost_branch(b)
        return hit

    def _compute_cost_conj(self, conj) -> float:
        # The choice is charged whenever there are alternatives, so that costs only fall
        # during the fixpoint (an upper bound on tokens: a forced choice costs none).
        raw = self.raw_branches(conj)
        return min((self._compute_cost_branch(b) for b in raw), default=INF) + (1 if len(raw) > 1 else 0)

    def _compute_cost_branch(self, b: Branch) -> float:
        if b.kind == "literal":
            return 1 if len(b.values) > 1 else 0
        if b.kind == "string":
            s = b.string
            text = shortest_string(s.dfa, s.dfa.start, "", s.excluded)
            return INF if text is None else len(text.encode()) + 1
        if b.kind == "number":
            spec = b.number
            if not spec.feasible(""):
                return INF
            return len(spec.shortest_completion("")) + 1
        if b.kind == "object":
            f = b.obj
            final = f.closure(f.required)
            if any(fs <= final for fs in f.forbid) or (f.max_props is not None and len(final) > f.max_props):
                return INF
            total = 1
            for k in final:
                conj = f.key_conj(k)
                if conj is None:
                    return INF
                total += 1 + self.cost_conj(conj)
            for nid in f.unmet_extra(final):
                options = f.extra_key_options(nid, final)
                if not options:
                    return INF
                total += options[0][0]
            if len(final) < f.min_props:
                extra = self._extra_keys_cost(f, final, f.min_props - len(final))
                total += extra
            return total
        if b.kind == "array":
            f = b.arr
            if f.max_items is not None and f.max_items < f.min_items:
                return INF
            total = 3 if f.need_dup else 1  # a duplicate: one more item, equal to the first
            witnesses = [lit for lit, lo, _ in f.contains for _ in range(lo)]
            for i in range(max(f.min_items, len(witnesses), 1 if f.need_dup else 0)):
                conj = f.item_conj(i, witnesses[i:i + 1])
                if conj is None:
                    return INF
                total += 1 + self.cost_conj(conj)
            if f.max_items is not None and len(witnesses) > f.max_items:
                return INF
            return total
        raise AssertionError(b.kind)

    def _extra_keys_cost(self, f: ObjectFacts, final, need: int) -> float:
        costs = []
        for k in f.names:
            if k in final:
                continue
            if f.can_finish(f.closure(final | {k})) and f.closure(final | {k}) == final | {k}:
                conj = f.key_conj(k)
                if conj is not None:
                    costs.append(1 + self.cost_conj(conj))
        costs.sort()
        if len(costs) >= need:
            return sum(costs[:need])
        total, taken, fk = sum(costs), set(final), f.free_keys
        for _ in range(need - len(costs)):  # then the shortest free keys, as the completion takes them
            key = None if fk is None else shortest_string(fk.dfa, fk.dfa.start, "", fk.excluded | frozenset(taken))
            conj = None if key is None else f.key_conj(key)
            if conj is None:
                return INF
            taken.add(key)
            total += 2 + len(key.encode()) + self.cost_conj(conj)
        return total


def shortest_string(dfa: CharDFA, state: int, prefix: str, excluded) -> str | None:
    """Shortest suffix from `state` that is accepted and whose full text is not excluded.

    Iterative deepening, pruned by the distance to acceptance: every path explored can still
    end within the length bound, so at most len(excluded)+1 accepted strings are visited
    before one that is not excluded.
    """
    if state not in dfa.live:
        return None
    if not excluded:
        return dfa.shortest_suffix(state)
    dist = dfa.distances()
    width = len(excluded) + 1
    if dfa.count_capped(state, width) < width:  # few strings left: look at all of them
        rest = sorted((w for w in dfa.strings_from(state, width) if prefix + w not in excluded), key=len)
        return rest[0] if rest else None
    # Each length adds at least one new accepted string or none; past len(states) * (|E| + 1)
    # extra characters a non-excluded one must have shown up if any exists.
    limit = dist[state] + min(4096, len(dfa.trans) * width + max(len(e) for e in excluded))

    def walk(s, suffix, budget):
        if s in dfa.accept and prefix + suffix not in excluded and len(suffix) == budget_total:
            return suffix
        if budget == 0:
            return None
        for cid, t in sorted(dfa.trans[s].items(), key=lambda ct: dist[ct[1]]):
            if dist[t] > budget - 1:
                continue
            n = 0
            for a, b in dfa.class_ranges[cid]:
                for cp in range(a, min(b, a + width - n) + 1):
                    found = walk(t, suffix + chr(cp), budget - 1)
                    if found is not None:
                        return found
                n += min(b, a + width - n) - a + 1
                if n >= width:
                    break
        return None

    for budget_total in range(dist[state], limit + 1):
        found = walk(state, "", budget_total)
        if found is not None:
            return found
    return None


_ASSERTIONS = {
    "type", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "patternProperties",
    "additionalProperties", "required", "dependencies", "dependentRequired", "dependentSchemas",
    "propertyNames", "minProperties", "maxProperties", "items", "additionalItems", "prefixItems",
    "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains", "allOf",
    "anyOf", "oneOf", "not", "if", "$ref", "$dynamicRef", "$recursiveRef",
    "unevaluatedProperties", "unevaluatedItems",
}
