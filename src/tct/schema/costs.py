"""Exploration of every reachable constraint and the fixpoint of minimal completion costs.

The cost of a constraint is the fewest decisions that finish a value for it; infinite cost
means no finite document, so the cost is also the satisfiability test the decoder relies on.
"""

from __future__ import annotations

from tct.schema.facts import INF, Branch, ObjectFacts, shortest_string
from tct.schema.few_values import few_values

# `$comment` of a node {"allOf": [node, constraint]} that narrows `node` without changing which
# decisions are emitted (a profile's static constraint, codec/profiles/patch.py): where the
# constraint leaves one option of several, the choice is still an id, so still charged.
NARROWING = "tct:narrowing"


class Costs:
    """Mixin of Compiler: exploration and costs."""

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
        self.exploring += 1  # costs met meanwhile may not be final (`ObjectFacts._free_key_spec`)
        try:
            self._explore(roots)
        finally:
            self.exploring -= 1

    def _explore(self, roots) -> None:
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

    def explored(self) -> list[frozenset]:
        """Every constraint explored so far: all those reachable from the root once compiled,
        plus any met later (e.g. the value of a free key matched by several patterns)."""
        return list(self._cost_conj)

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
        choice = len(raw) > 1 or (len(raw) == 1 and self._narrowed_choice(conj, raw[0]))
        return min((self._compute_cost_branch(b) for b in raw), default=INF) + (1 if choice else 0)

    def _narrowed_choice(self, conj, only: Branch) -> bool:
        """Is the choice of `only`, forced here, one that the conjunction without its narrowing
        nodes leaves open (so an id is emitted for it)?"""
        if only.kind == "literal" and len(only.values) > 1:
            return False  # charged by the branch
        wide = self.unnarrowed(conj)
        if wide == conj:
            return False
        options = sum(len(b.values) if b.kind == "literal" else 1 for b in self.raw_branches(wide))
        return options > 1

    def unnarrowed(self, conj: frozenset) -> frozenset:
        """`conj` with each narrowing node (NARROWING) replaced by the node it narrows."""
        return frozenset((self._unnarrowed_node(nid), pos) for nid, pos in conj)

    def _unnarrowed_node(self, nid: int) -> int:
        node = self.nodes[nid]
        if isinstance(node, dict) and node.get("$comment") == NARROWING:
            return self._unnarrowed_node(self.child(nid, node["allOf"][0], "allOf", "0"))
        return nid

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
            if any(fs <= final for fs in f.forbid) or (f.max_props is not None and max(
                    len(final), f.min_props, len(final) + bool(f.unmet_extra(final))) > f.max_props):
                return INF  # more keys owed than allowed
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
                extra = self.extra_keys_cost(f, final, f.min_props - len(final))
                total += extra
            return total
        if b.kind == "array":
            f = b.arr
            if f.max_items is not None and f.max_items < f.min_items:
                return INF
            if any(hi is not None and lo > hi for _, lo, hi in f.contains):
                return INF  # maxContains < minContains
            if f.need_dup and ((f.max_items is not None and f.max_items < 2) or f.item_conj(1) is None
                               or self.cost_conj(f.item_conj(1)) == INF):
                return INF  # no room for a second item to repeat the first
            total = 3 if f.need_dup else 1  # a duplicate: one more item, equal to the first
            witnesses = [lit for lit, lo, _ in f.contains for _ in range(lo)]
            beyond = max(f.min_items, len(witnesses)) - f.tuple_length
            if f.unique and beyond > 1 and few_values(self, f.item_conj(f.tuple_length), beyond) is not None:
                return INF  # uniqueItems: not enough distinct values for the items owed
            for i in range(max(f.min_items, len(witnesses), 1 if f.need_dup else 0)):
                conj = f.item_conj(i, witnesses[i:i + 1])
                if conj is None:
                    return INF
                total += 1 + self.cost_conj(conj)
            if f.length_cap is not None and len(witnesses) > f.length_cap:
                return INF
            return total
        raise AssertionError(b.kind)

    def extra_keys_cost(self, f: ObjectFacts, final, need: int) -> float:
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

