"""Disjunctive normal forms: a constraint expanded into typed partial branches.

`oneOf` is "branch i and not the others" (skipped when provably disjoint); `not`, `if` and
schema dependencies are pushed down to atoms; large products drop provably empty
combinations as they expand.
"""

from __future__ import annotations

import json
from itertools import product as iproduct

from tct.errors import SchemaError
from tct.schema.facts import Branch, ObjectFacts
from tct.schema.keywords import ALL_TYPES
from tct.schema.numbers import fraction_of
from tct.schema.values import canonical, decode_values, json_equal, json_type, spellings, values_key

MAX_PARTIALS = 4096


class NormalForm:
    """Mixin of Compiler: expansion of constraints into branches."""

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
            return self.index.resolve(ref, self.pointers[nid] + "/$ref", self.index.bases[nid])
        return None


    def _dnf_pos(self, nid) -> list:
        node = self.nodes[nid]
        if self.trivially_true(nid):
            return [(ALL_TYPES, frozenset())]
        if node is False:
            return []
        target = self._ref_target(nid)
        if target is not None and not self.index.modern:
            return self.dnf(target, True)
        types, atoms = self.local(nid)
        parts = [[(types, frozenset(atoms))]]
        for kw, values in self.value_sets(nid):
            if any(isinstance(v, (dict, list)) for v in values):
                parts.append(self._enum_dnf(nid, kw, values))
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

    def _enum_dnf(self, nid, keyword, values) -> list:
        """Scalars stay one literal; each object or array value becomes its own structure."""
        scalars = [v for v in values if not isinstance(v, (dict, list))]
        out = [(ALL_TYPES, frozenset({("enum", values_key(scalars))}))] if scalars else []
        for i, v in enumerate(values):
            if isinstance(v, (dict, list)):
                out += self.dnf(self.structure(nid, keyword, i, v), True)
        return out

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
        types, atoms = self.local(nid)
        if types != ALL_TYPES:
            out.append((ALL_TYPES - types, frozenset()))
        for atom in atoms:
            out += self.neg_atom(nid, atom)
        for _, values in self.value_sets(nid):
            if any(isinstance(v, (dict, list)) for v in values):  # refused when they close (Machine)
                out.append((ALL_TYPES, frozenset({("not_enum", values_key(values))})))
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
        excluded = [v for a in atoms if a[0] == "not_enum" for v in decode_values(a[1])]
        if enums:
            vals = decode_values(enums[0])
            for e in enums[1:]:
                other = decode_values(e)
                vals = [v for v in vals if any(json_equal(v, w) for w in other)]
            vals = [v for v in vals if json_type(v) in types and not any(json_equal(v, x) for x in excluded)]
            # 1 and 1.0 are equal to the schema but not to a lossless codec: offer both spellings.
            vals = list({json.dumps(w): w for v in vals for w in spellings(v)
                         if not (("plainInteger",) in atoms and isinstance(w, float) and w.is_integer())}.values())
            vals = [v for v in vals if self.oracle_valid(conj, v)]
            return [Branch("literal", atoms, self, values=tuple(vals))] if vals else []
        out = []
        if "null" in types and None not in excluded:
            out.append(Branch("literal", frozenset(), self, values=(None,)))
        if "boolean" in types:
            vals = tuple(v for v in (False, True) if not any(json_equal(v, x) for x in excluded))
            if vals:
                out.append(Branch("literal", frozenset(), self, values=vals))
        gone = {canonical(x) for x in excluded if isinstance(x, (dict, list))}
        for kind in ("object", "array"):
            b = Branch(kind, atoms, self)
            if kind in types and (b.fixed is None or b.fixed not in gone):
                out.append(b)
        if "integer" in types:
            out.append(Branch("number", atoms, self, kind_integer="nonint" not in types))
        elif "nonint" in types:
            out.append(Branch("number", atoms, self, kind_nonint=True))
        if "string" in types:
            out.append(Branch("string", atoms, self))
        return out

    # ---------------- quick structural unsatisfiability (for oneOf disjointness)
    def _quick_unsat(self, types, atoms, depth) -> bool:
        enums = [a[1] for a in atoms if a[0] == "enum"]
        if enums:
            vals = decode_values(enums[0])
            for e in enums[1:]:
                other = decode_values(e)
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

