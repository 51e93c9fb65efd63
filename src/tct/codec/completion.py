"""The shortest completion of a machine's document: what `remaining_cost()` promises (an upper
bound on the ids still needed) and `completion_step()` follows, frame by frame. Budgets, token
limits and `Tokenizer.complete` rest on the two agreeing.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from tct.codec.meanings import CLOSE, END, FIRST, FREEKEY, ITEM, OWED
from tct.schema.compiler import INF, shortest_string

if TYPE_CHECKING:
    from tct.codec.machine import Frame


class Completion:
    """Mixed into `Machine` (machine.py): the shortest-completion methods."""

    def remaining_cost(self, floor: int = 0, key_value: bool = True) -> float:
        """Decisions (an upper bound on tokens) of the completion `completion_step` follows, for
        the frames from `floor` up (those below add the same whatever happens above them).
        `key_value=False` leaves out the value of a key being spelled at `floor`, the one part of
        a frame's cost that depends on more than its `frame_key` at level 0 (the key's text)."""
        total = 0
        top = len(self.stack) - 1
        for i in range(floor, top + 1):
            f, child_open = self.stack[i], i < top
            if i == floor and not key_value and f.role == "key":
                total += len(self._string_completion(f, self._string_facts(f))) + 1
            else:
                hit = f.cost
                if hit is None or hit[0] != child_open:
                    hit = f.cost = (child_open, self._frame_cost(f, child_open))
                total += hit[1]
            if f.tag is not None:  # read afresh: a rule's share may depend on other frames
                total += self.rules[f.tag].extra_cost(self, i, child_open)
        return total

    def costs_local(self) -> bool:
        """May the change in `remaining_cost()` after an id be cached by the `frame_key`s of the
        frames it reaches (vocab/cost_deltas.py)? Not while a frame is open whose profile rule
        charges costs that read other frames (its `Rule.costs_local`)."""
        return self.rules is None or all(f.tag is None or self.rules[f.tag].costs_local(self, f) for f in self.stack)

    def free_key_value_costs(self) -> tuple[float, float]:
        """(least, largest) completion cost of the value of any free key of the object whose key
        is being spelled on top; (0, INF) when unknown. Each source contributes the subs of a
        nonempty set of its matching patterns or, matching none, its additionalProperties;
        every combination is costed. A combination with no value is no key's: the key
        automaton leaves out keys whose every value is refused."""
        b = self.stack[-1].branch
        cache = self.cache.setdefault(("freekeycosts",), {})
        hit = cache.get(b.key)
        if hit is not None:
            return hit
        c, o = self.c, b.obj
        per_source = [] if not o.name_nodes else None  # names checked by an oracle: unknown
        for nid in o.sources if per_source is not None else ():
            node = c.nodes[nid]
            pats = list((node.get("patternProperties") or {}).items())
            if len(pats) > 4:
                per_source = None
                break
            none = ([(c.child(nid, node["additionalProperties"], "additionalProperties"), True)]
                    if "additionalProperties" in node else [])
            subsets = [[(c.child(nid, sub, "patternProperties", pat), True)
                        for j, (pat, sub) in enumerate(pats) if m >> j & 1] for m in range(1, 1 << len(pats))]
            per_source.append([none] + subsets)
        costs = []
        if per_source is not None and _product_size(per_source) <= 256:
            for combo in itertools.product(*per_source):
                conj = c.simplify({lit for part in combo for lit in part})
                cost = INF if conj is None else c.cost_conj(conj)
                if cost < INF:
                    costs.append(cost)
        hit = cache[b.key] = (min(costs), max(costs)) if costs else (0, INF)
        return hit

    def _frame_cost(self, f: Frame, child_open: bool) -> float:
        c = self.c
        if f.kind == "value":
            return c.cost_conj(f.conj)
        if f.kind == "object":
            o = f.branch.obj
            used = set(f.used)
            missing = o.closure(frozenset(used) | o.required) - used
            cost = 1 + sum(1 + c.cost_conj(o.key_conj(k)) for k in missing)
            # An open declared key is settled; an open free key may still turn out to be the
            # owed additional one, so nothing is charged for it.
            keys = set(f.values) | missing | ({f.key} if f.key is not None else set())
            for nid in ([] if child_open and f.key is None else o.unmet_extra(keys)):
                cost += o.extra_key_options(nid, keys)[0][0]
            need = o.min_props - len(f.values) - len(missing) - (1 if child_open else 0)
            if need > 0:
                cost += c.extra_keys_cost(o, frozenset(f.values) | missing, need)
            return cost
        if f.kind == "array":
            a = f.branch.arr
            n = len(f.items) + (1 if child_open else 0)
            # An open item may turn out to be a witness, but the completion takes its cheapest
            # value, which need not be: what is owed without it stays owed (an upper bound).
            owed = self._owed(f)
            extra = self._item_extra(f)
            conjs = [a.item_conj(n + i, extra + (lit,)) for i, lit in enumerate(owed)]
            if None in conjs and child_open:  # no room after it: the open item is the first owed one (OWED)
                owed = owed[1:]
                conjs = [a.item_conj(n + i, extra + (lit,)) for i, lit in enumerate(owed)]
            if None in conjs:
                return INF  # no room left for an owed item
            cost = 1 + sum(1 + c.cost_conj(conj) for conj in conjs)
            start = n + len(owed)
            if a.need_dup and n == 0 and not child_open:  # the first item, then its copy
                cost += 1 + c.cost_conj(a.item_conj(0, extra)) + 2
                start = 1
            return cost + sum(1 + c.cost_conj(a.item_conj(i, extra)) for i in range(start, a.min_items))
        if f.kind == "string":
            facts = self._string_facts(f)
            rest = self._string_completion(f, facts)
            if f.role == "key":  # the key's value follows, and it depends on the finished key
                key = (f.text.encode() + f.pending + rest).decode()
                return len(rest) + 1 + c.cost_conj(f.branch.obj.key_conj(key))
            return len(rest) + 1
        if f.kind == "number":
            return len(f.spec.shortest_completion(f.text)) + 1
        raise AssertionError(f.kind)

    def completed_text(self, f: Frame) -> str:
        """The text string frame `f` holds once its shortest completion is written (what rules
        that read a string still being spelled see)."""
        rest = self._string_completion(f, self._string_facts(f))
        return (f.text.encode() + f.pending + rest).decode("utf-8", "replace")

    def _string_completion(self, f: Frame, facts) -> bytes:
        """Bytes that finish the current string along the shortest non-excluded path (or towards
        the text a profile rule steers it to); `facts`: the frame's own (`_string_facts`).
        Kept on the frame until it changes: costs and several rules ask it at every byte."""
        hit = f.rest
        if hit is None or hit[0] is not f.tag:
            hit = f.rest = (f.tag, self._string_completion_of(f, facts))
        return hit[1]

    def _string_completion_of(self, f: Frame, facts) -> bytes:
        if f.tag is not None:
            target = self.rules[f.tag].target(self, f)
            if target is not None:
                return target[len(f.text):].encode()
        dfa = facts.dfa
        if f.pending:
            # Finish the pending character with the smallest continuation that stays live.
            for b in dfa.allowed_bytes(f.state, f.pending):
                probe = f.pending + bytes([b])
                try:
                    ch = probe.decode("utf-8")
                except UnicodeDecodeError:
                    g = f.copy()
                    g.pending = probe
                    g.changed()
                    return bytes([b]) + self._string_completion(g, facts)
                t = dfa.next_state(f.state, ord(ch))
                rest = shortest_string(dfa, t, f.text + ch, facts.excluded | f.excluded)
                if rest is not None:
                    return bytes([b]) + rest.encode()
            raise AssertionError("stuck inside a character")
        rest = shortest_string(dfa, f.state, f.text, facts.excluded | f.excluded)
        return rest.encode()

    def completion_step(self) -> int:
        """The next symbol on the shortest path to a finished document."""
        f = self.stack[-1]
        c = self.c
        if f.kind == "value":
            options = self.choices(f.conj)[0]
            allowed = self.allowed()
            kind = self.rules[f.tag].branch_kind(self, f) if f.tag is not None else None
            allowed = [s for s in allowed if options[s][0].kind == kind] or allowed
            return min(allowed, key=lambda s: 0 if options[s][0].kind == "literal"
                       else c.cost_branch(options[s][0]))
        if f.kind == "object":
            o = f.branch.obj
            m = self.meanings
            used = frozenset(f.used)
            missing = [k for k in o.names if k in o.closure(used | o.required) - used]
            if missing:
                return m.key_id(missing[0])
            for nid in o.unmet_extra(f.values):
                key = o.extra_key_options(nid, set(f.values))[0][1]
                return FREEKEY if key is None else m.key_id(key)
            if f.tag is not None:
                key = self.rules[f.tag].next_key(self, f)
                if key is not None:
                    return m.key_id(key) if key in o.names else FREEKEY
            allowed = self.allowed()
            if CLOSE in allowed:
                return CLOSE
            keys = [s for s in allowed if s >= FIRST]
            if keys:
                return min(keys, key=lambda s: c.cost_conj(o.key_conj(m.key_names[s])))
            return FREEKEY
        if f.kind == "array":
            if self._owed(f):
                return OWED
            if f.branch.arr.need_dup and not f.items:
                return ITEM
            return CLOSE if len(f.items) >= f.branch.arr.min_items and CLOSE in self.allowed() else ITEM
        if f.kind == "string":
            rest = self._string_completion(f, self._string_facts(f))
            return rest[0] if rest else END
        if f.kind == "number":
            rest = f.spec.shortest_completion(f.text)
            return ord(rest[0]) if rest else END
        raise AssertionError(f.kind)


def _product_size(options: list) -> int:
    n = 1
    for opts in options:
        n *= len(opts)
    return n
