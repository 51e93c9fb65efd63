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

The stages live in their own modules: `keywords` (atoms of each keyword and of its
negation), `normal` (disjunctive normal forms), `facts` (what a branch's value must satisfy),
`costs` (exploration and the cost fixpoint); `Compiler` ties them to one schema.
"""

from __future__ import annotations

import json
from fractions import Fraction
from math import gcd, lcm

from tct.errors import SchemaError
from tct.schema.costs import Costs
from tct.schema.facts import INF, Branch, ArrayFacts, ObjectFacts, StringFacts, shortest_string
from tct.schema.keywords import ALL_TYPES, ANNOTATIONS, ASSERTIONS, TYPE_SETS, Keywords
from tct.schema.load import SchemaIndex, index_schema, read_schema, schema_sha256
from tct.schema.normal import MAX_PARTIALS, NormalForm
from tct.schema.numbers import NumberSpec, fraction_of
from tct.schema.reference import ecma_search, reference_validator
from tct.schema import ecma
from tct.schema.regex import CharDFA
from tct.schema.values import decode_values, json_equal, json_type, spellings

__all__ = ["ALL_TYPES", "ANNOTATIONS", "INF", "MAX_PARTIALS", "TYPE_SETS", "ArrayFacts", "Branch", "Compiler",
           "ObjectFacts", "StringFacts", "json_equal", "json_type", "shortest_string", "spellings"]


class Compiler(Keywords, NormalForm, Costs):
    """One compiled schema: its nodes, caches, and the root constraint."""

    def __init__(self, source, strict: bool = True, registry=None):
        """`registry`: where `$ref`s to other documents are found, a folder or a
        referencing.Registry (vendored SchemaStore schemas and meta-schemas are always there)."""
        schema, self.name = read_schema(source)
        self.sha256 = schema_sha256(schema)
        self.index: SchemaIndex = index_schema(schema, registry)
        self.nodes, self.pointers = self.index.nodes, self.index.pointers
        self.strict = strict
        self.registry_source = registry  # as given, so that a profile's copy resolves the same way
        self.unenforced: list[tuple[str, str]] = []  # (pointer, keyword)
        self._pos: dict[int, list] = {}
        self._neg: dict[int, list] = {}
        self._busy: set = set()
        self._branches_raw: dict[frozenset, list] = {}
        self._cost_conj: dict[frozenset, float] = {}
        self.exploring = 0  # explorations under way (Costs.explore)
        self._cost_branch: dict[tuple, float] = {}
        self._branches: dict[frozenset, list] = {}
        self._consts: dict[str, dict] = {}
        self._structures: dict[tuple, dict] = {}
        self._array_parts: dict[int, tuple] = {}
        self.structure_values: dict[int, str] = {}  # node id -> canonical text of its one value
        self._dfa: dict = {}
        self._oracle: dict = {}
        self._children: dict = {}
        validator = reference_validator(schema)
        self._validator = type(validator)(schema, registry=self.index.registry)
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
            cid = self.index.node_id(sub, ptr, self.index.bases[nid])
            self._children[key] = cid
        return cid

    def trivially_true(self, nid: int) -> bool:
        node = self.nodes[nid]
        if node is True:
            return True
        if node is False or not isinstance(node, dict):
            return False
        return all(k in ANNOTATIONS or k not in ASSERTIONS for k in node)

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

    def array_parts(self, nid) -> tuple[list, tuple | None]:
        """(literals of the tuple positions, literal of the items after them or None) of a node:
        `prefixItems`/`items` in 2020-12, `items` (list)/`additionalItems` before."""
        hit = self._array_parts.get(nid)
        if hit is None:
            node = self.nodes[nid]
            if self.index.draft == "2020-12":
                seq, seq_kw, rest_kw = node.get("prefixItems"), "prefixItems", "items"
            elif isinstance(node.get("items"), list):
                seq, seq_kw, rest_kw = node["items"], "items", "additionalItems"
            else:
                seq, seq_kw, rest_kw = None, None, "items"
            prefix = [(self.child(nid, sub, seq_kw, str(i)), True) for i, sub in enumerate(seq or [])]
            rest = (self.child(nid, node[rest_kw], rest_kw), True) if rest_kw in node else None
            hit = self._array_parts[nid] = (prefix, rest)
        return hit

    def unsupported(self, nid: int, keyword: str, why: str):
        pointer = self.pointers[nid]
        if self.strict:
            raise SchemaError(pointer, f"keyword {keyword!r} cannot be enforced exactly: {why} "
                                       f"(use strict=False to compile without it)", keyword)
        if (pointer, keyword) not in self.unenforced:
            self.unenforced.append((pointer, keyword))

    def search(self, pattern: str, text: str, nid: int) -> bool:
        """ECMA-262 search (regress), the same matcher the reference validator uses."""
        try:
            return ecma_search(pattern, text)
        except ValueError as exc:
            raise SchemaError(self.pointers[nid], str(exc), "pattern") from None

    def oracle_valid(self, conj: frozenset, value) -> bool:
        """jsonschema's own verdict on `value` under a conjunction: the reference for literals."""
        key = (conj, json.dumps(value, sort_keys=True))
        hit = self._oracle.get(key)
        if hit is None:
            try:
                hit = self._oracle_verdict(conj, value)
            except Exception as exc:  # a reference jsonschema cannot follow
                raise SchemaError(self.pointers[min(n for n, _ in conj)],
                                  f"the reference validator cannot judge this subschema: {exc}") from None
            self._oracle[key] = hit
        return hit

    def _oracle_verdict(self, conj: frozenset, value) -> bool:
        bases = self.index.bases
        if all(bases[n] == self.index.uri for n, _ in conj):
            parts = [self.nodes[n] if pos else {"not": self.nodes[n]} for n, pos in sorted(conj)]
            return self._validator.evolve(schema={"allOf": parts}).is_valid(value)
        # Parts from other documents: each judged where its relative refs point.
        return all(self._validator.evolve(schema=self.nodes[n], _resolver=self.index.registry.resolver(
            base_uri=bases[n] or "urn:tct:schema")).is_valid(value) == pos for n, pos in sorted(conj))

    def dfa(self, patterns: tuple, min_len: int, max_len, refused=frozenset()) -> CharDFA:
        key = (patterns, min_len, max_len, refused)
        d = self._dfa.get(key)
        if d is None:
            d = CharDFA(patterns, min_len, max_len, refused)
            self._dfa[key] = d
        return d

    # ---------------- disjunctive normal forms
    def string_facts(self, atoms) -> StringFacts:
        patterns = tuple(sorted((a[1], a[2]) for a in atoms if a[0] == "pattern"))
        min_len = max([a[1] for a in atoms if a[0] == "minLength"], default=0)
        max_len = min([a[1] for a in atoms if a[0] == "maxLength"], default=None)
        excluded = frozenset(v for a in atoms if a[0] == "not_enum" for v in decode_values(a[1]) if isinstance(v, str))
        return StringFacts(self.dfa(patterns, min_len, max_len), excluded)

    def string_branch_facts(self, conj, pointer):
        """(patterns, minLength, maxLength, excluded) of the one string branch of `conj` (propertyNames),
        or None when no key name is valid."""
        # Key names are strings: branches of other types say nothing about them.
        strings = [b for b in self.raw_branches(conj) if b.kind == "string"]
        lits = [b for b in self.raw_branches(conj)
                if b.kind == "literal" and any(isinstance(v, str) for v in b.values)]
        if not lits and not strings:
            return None  # no string is a valid name: no free keys (declared ones are checked too)
        if lits and not strings:
            names = sorted({v for b in lits for v in b.values if isinstance(v, str)})
            return [("^(" + "|".join(ecma.escape(n) for n in names) + ")$", True)], 0, None, frozenset()
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
        excluded = frozenset(v for a in atoms if a[0] == "not_enum" for v in decode_values(a[1]) if isinstance(v, str))
        return patterns, min_len, max_len, excluded

    def number_facts(self, atoms, integer: bool) -> NumberSpec:
        lo = hi = None
        lo_excl = hi_excl = False
        for a in atoms:
            if a[0] == "min" and (lo is None or a[1] > lo or (a[1] == lo and a[2])):
                lo, lo_excl = a[1], a[2]
            if a[0] == "max" and (hi is None or a[1] < hi or (a[1] == hi and a[2])):
                hi, hi_excl = a[1], a[2]
        mults = sorted({(a[1], a[2]) for a in atoms if a[0] == "multipleOf"}, key=repr)
        multiple = None
        for m, _ in mults:  # least common multiple of fractions
            multiple = m if multiple is None else Fraction(lcm(multiple.numerator, m.numerator),
                                                           gcd(multiple.denominator, m.denominator))
        excluded = frozenset(fraction_of(v) for a in atoms if a[0] == "not_enum" for v in decode_values(a[1])
                             if json_type(v) in ("integer", "nonint"))
        return NumberSpec(integer=integer, lo=lo, lo_excl=lo_excl, hi=hi, hi_excl=hi_excl,
                          multiple=multiple, raw_multiples=tuple(r for _, r in mults), excluded=excluded,
                          plain_integers=self.index.draft == "draft-04" or ("plainInteger",) in atoms)

    def key_ok(self, facts: ObjectFacts, key: str) -> bool:
        conj = facts.key_conj(key)
        return conj is not None and self.cost_conj(conj) < INF

