"""Facts of one branch: what a string, number, object or array value must satisfy.

A branch is a single JSON type plus the atoms collected for it while expanding a constraint;
the facts classes read those atoms once and answer the decoder's questions about keys,
items and strings.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from tct.schema.numbers import NumberSpec
from tct.schema.regex import CharDFA, PatternUnsupported
from tct.schema.values import values_key

if TYPE_CHECKING:
    from tct.schema.compiler import Compiler

INF = float("inf")


# JSON type of a value -> the branch kinds that hold it (a literal branch never does: its values
# are chosen one by one, each by its exact spelling).
KINDS_HOLDING = {"object": frozenset({"object"}), "array": frozenset({"array"}),
                 "string": frozenset({"string"}), "integer": frozenset({"number"}),
                 "nonint": frozenset({"number"}), "boolean": frozenset(), "null": frozenset(),
                 "other": frozenset()}


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
            return (self.kind, values_key(self.values))
        return (self.kind, self.atoms, self.kind_integer, self.kind_nonint)

    def describe(self) -> str:
        if self.kind == "literal":
            shown = ", ".join(json.dumps(v) for v in self.values[:4])
            return f"one of [{shown}{', ...' if len(self.values) > 4 else ''}]"
        return self.kind

    @cached_property
    def fixed(self) -> str | None:
        """Canonical text of the one value an object or array branch made from an enum/const
        value can take (None for other branches)."""
        src = {"object": "objsrc", "array": "itemsrc"}.get(self.kind)
        texts = [self.compiler.structure_values.get(a[1]) for a in self.atoms if a[0] == src]
        return next((t for t in texts if t is not None), None)

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
            matched = key in props  # a declared key still obeys the patterns it matches
            if matched:
                lits.add((c.child(nid, props[key], "properties", key), True))
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

    @property
    def free_keys(self) -> StringFacts | None:
        """Language of keys not in `names` (chosen byte by byte), or None if there are none.
        Asked while costs are being found, it leaves in the keys whose values only a cost
        refuses, and is asked again once they are known (`_free_key_spec`)."""
        hit = self.__dict__.get("_free_keys")
        if hit is None or not (hit[1] or self.compiler.exploring):
            spec, final = self._free_key_spec()
            if hit is None or final:
                hit = self.__dict__["_free_keys"] = (
                    None if spec is None else self._free_key_facts(spec[0], *spec[1:]), final)
        return hit[0]

    def free_keys_matching(self, pattern) -> StringFacts | None:
        """`free_keys` with `pattern` (an ECMA regex, or a tuple of them) conjoined: a profile
        rule's language of the keys of one object (action inputs), or None when no free key is
        left. Each regex is compiled once; a tuple only builds their product."""
        cache = self.__dict__.setdefault("_matching", {})  # one object per pattern (machine caches key on it)
        if pattern not in cache:
            spec, final = self._free_key_spec()
            extra = tuple((p, True) for p in (pattern if isinstance(pattern, tuple) else (pattern,)))
            facts = None if spec is None else self._free_key_facts(spec[0] + extra, *spec[1:])
            if not final:
                return facts
            cache[pattern] = facts
        return cache[pattern]

    def _free_key_facts(self, patterns, min_len, max_len, excluded, refused) -> StringFacts | None:
        c = self.compiler
        try:
            dfa = c.dfa(patterns, min_len, max_len, refused)
        except PatternUnsupported as exc:
            c.unsupported(self.sources[0] if self.sources else 0, "patternProperties", str(exc))
            return None  # not strict: offer no free keys rather than unchecked ones
        if shortest_string(dfa, dfa.start, "", excluded) is None:
            return None
        return StringFacts(dfa, excluded)

    def _free_key_spec(self) -> tuple:
        """((patterns, min length, max length, excluded, refused matches) of the free keys, or
        None: `CharDFA`'s arguments; and whether it is final). A key whose value no document
        satisfies is left out; while costs are being found only the normal form tells, so the
        answer is kept only once they are known."""
        hit = self.__dict__.get("_spec")
        if hit is not None:
            return hit
        c = self.compiler
        final = not c.exploring

        def unsat(lits) -> bool:
            conj = c.simplify(lits)
            return conj is None or not c.raw_branches(conj) or (final and c.cost_conj(conj) == INF)

        hit = (self._free_key_spec_with(unsat), final)
        if final:
            self.__dict__["_spec"] = hit
        return hit

    def _free_key_spec_with(self, unsat) -> tuple | None:
        c = self.compiler
        patterns, min_len, max_len, excluded = [], 0, None, set(self.names)
        for nid in self.sources:
            node = c.nodes[nid]
            ap = node.get("additionalProperties", True)
            if ap is False or (ap is not True and unsat({(c.child(nid, ap, "additionalProperties"), True)})):
                pats = list((node.get("patternProperties") or {}))
                if not pats:
                    return None
                patterns.append(("|".join(pats), True))
            for pat, sub in (node.get("patternProperties") or {}).items():
                if unsat({(c.child(nid, sub, "patternProperties", pat), True)}):
                    patterns.append((pat, False))  # e.g. `"b.*": false`: no such key at all
        for nid in self.name_nodes:
            facts = c.string_branch_facts(frozenset({(nid, True)}), c.pointers[nid])
            if facts is None:
                return None
            patterns += facts[0]
            min_len = max(min_len, facts[1])
            if facts[2] is not None:
                max_len = facts[2] if max_len is None else min(max_len, facts[2])
            excluded |= facts[3]
        tracked, refused = self._refused_matches(unsat)
        patterns += [(p, None) for p in tracked]
        return tuple(patterns), min_len, max_len, frozenset(excluded), refused

    # Past this many patterns the matches are not enumerated: a key whose patterns' values
    # contradict each other is then refused only where it ends (`Compiler.key_ok`).
    MAX_TRACKED = 8

    def _refused_matches(self, unsat) -> tuple[tuple, frozenset]:
        """(patterns, the sets of them a free key may not match at once): a key matching
        several patternProperties (or one, beside another source's additionalProperties) must
        satisfy all their values, and the key automaton leaves out the keys that cannot."""
        c = self.compiler
        nodes = [(nid, c.nodes[nid]) for nid in self.sources]
        pats = sorted({p for _, node in nodes for p in (node.get("patternProperties") or {})})
        if not pats or len(pats) > self.MAX_TRACKED:
            return (), frozenset()
        refused = set()
        for bits in itertools.product((False, True), repeat=len(pats)):
            matched = {p for p, b in zip(pats, bits) if b}
            lits = set()
            for nid, node in nodes:
                mine = [(p, sub) for p, sub in (node.get("patternProperties") or {}).items() if p in matched]
                lits |= {(c.child(nid, sub, "patternProperties", p), True) for p, sub in mine}
                if not mine and "additionalProperties" in node:
                    lits.add((c.child(nid, node["additionalProperties"], "additionalProperties"), True))
            if unsat(lits):
                refused.add(bits)
        return (tuple(pats), frozenset(refused)) if refused else ((), frozenset())

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
        # (index, literal): the item at that index, if there is one, satisfies the literal.
        self.at_index = sorted((a[1], a[2]) for a in atoms if a[0] == "itemat")

    def item_conj(self, index: int, extra=()) -> frozenset | None:
        c = self.compiler
        lits = set(extra)
        for nid in self.sources:
            prefix, rest = c.array_parts(nid)
            if index < len(prefix):
                lits.add(prefix[index])
            elif rest is not None:
                lits.add(rest)
        lits |= self.all_items
        lits |= {lit for i, lit in self.at_index if i == index}
        return c.simplify(lits)

    @cached_property
    def length_cap(self) -> int | None:
        """The most items an array here can hold: maxItems, or the first index no item may
        take (`items: [...]` with `additionalItems: false`), or None."""
        cap = self.max_items
        for i in range(self.tuple_length + 1):
            if cap is not None and i >= cap:
                break
            if self.item_conj(i) is None:
                return i
        return cap

    @cached_property
    def tuple_length(self) -> int:
        return max([len(self.compiler.array_parts(nid)[0]) for nid in self.sources]
                   + [i + 1 for i, _ in self.at_index], default=0)



def shortest_string(dfa: CharDFA, state: int, prefix: str, excluded) -> str | None:
    """Shortest suffix from `state` that is accepted and whose full text is not excluded.

    Only exclusions that start with `prefix` can bite, and only they are looked at, so the
    answer depends on nothing else (a completion's cost is cached on that). Iterative
    deepening, pruned by the distance to acceptance: every path explored can still end within
    the length bound, so at most len(excluded)+1 accepted strings are visited before one that
    is not excluded.
    """
    if state not in dfa.live:
        return None
    excluded = {e for e in excluded if e.startswith(prefix)}
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

