"""A string that must name a key of an object elsewhere in the document (`needs` -> `/jobs`).

References may run ahead of definitions: a name not yet a key is *owed*, and the object may
not close before every owed name is one of its keys. So a real workflow whose `needs` names a
later job still encodes, and a generated one can only close `/jobs` once the jobs it named
exist (the shortest completion spells the owed names; their cost is in `remaining_cost`).
A reference may not name the object key it sits under (a job needing itself), nor a key whose
references lead back to it (a cycle), nor repeat an earlier item of its array. Names may match
keys ignoring case (`fold`), as GitHub job ids do (`needs: Validate` names the job `validate`).
"""

from __future__ import annotations

from tct.codec.profiles.key_names import names_pattern
from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule, new_key_cost
from tct.schema.compiler import shortest_string

# Tags: T the target object, K a key being spelled in it, E the value under one of its keys
# (the one a reference may not name), R a reference (a string, or the array of them), I an
# item of that array.


def _names(v) -> set:
    if isinstance(v, str):
        return {v}
    if isinstance(v, list):
        return {x for x in v if isinstance(x, str)}
    return set()


class KeyOf(Rule):
    def __init__(self, target: str, ref: str, fold: bool = False):
        """`target`: the object whose keys are named ('/jobs'); `ref`: the key, relative to each
        of its values, holding a name or an array of names ('needs'); `fold`: ignore case."""
        self.fold = str.lower if fold else (lambda name: name)
        self.folds = fold
        self.where = parse(target)
        self.ref = parse(ref)
        self.text = f"{ref.strip('/')} names a key of {target}"
        n = len(self.where)
        self._entry = self.where + ("*",)
        self._ref = self._entry + self.ref
        self._item = self._ref + ("*",)
        self.n = n

    # ------------------------------------------------------------ where
    def tag(self, path, role):
        if role == "key":
            return ("K",) if match(self.where, path[:-1]) is not None and len(path) == self.n + 1 else None
        if match(self.where, path) is not None:
            return ("T",)
        for kind, segs in (("E", self._entry), ("R", self._ref), ("I", self._item)):
            bound = match(segs, path)
            if bound is not None:
                return (kind, path[self.n])
        return None

    # ------------------------------------------------------------ what is read
    def key(self, m, f):
        kind = f.tag[1]
        if kind == "T" and f.kind == "object":
            return frozenset(self._owed(m, m.stack.index(f), whole=False))
        if kind == "E" and f.kind == "object":
            ref = self.ref[0] if len(self.ref) == 1 else None
            return tuple(sorted(_names(f.values.get(ref)))) if ref else None
        if kind in ("R", "I"):
            return tuple(f.items) if f.kind == "array" else f.text if f.kind == "string" else None
        return None

    def language(self, m, f):
        """Ignoring case, what `excluded` holds is refused in every spelling (a pattern: the
        machine's exclusions are exact strings)."""
        if self.folds and f.tag[1] in ("R", "I"):
            names = self.excluded(m, f)
            return (names_pattern(None, True, but=names), None) if names else None
        return None

    def excluded(self, m, f):
        kind, own = f.tag[1], f.tag[2]
        out = {own} | self._reaching(m, own)
        if kind == "I":
            parent = m.stack[-2] if m.stack[-1] is f else m.stack[m.stack.index(f) - 1]
            out |= _names(parent.items)
        return frozenset(out)

    def _reaching(self, m, own: str) -> set:
        """Keys of the target whose references lead to `own` (defined ones: a name owed now is
        created later with none), spelled as written: naming one from `own` closes a cycle."""
        t = self._target_index(m)
        if t is None or len(self.ref) != 1:
            return set()
        values = m.stack[t].values
        edges = {k: {self.fold(n) for n in _names(v.get(self.ref[0]))}
                 for k, v in values.items() if isinstance(v, dict)}
        found, todo = set(), [self.fold(own)]
        while todo:
            x = todo.pop()
            for k, refs in edges.items():
                if x in refs and k not in found:
                    found.add(k)
                    todo.append(self.fold(k))
        return found

    def string_reason(self, m, f, text):
        if f.tag[1] not in ("R", "I"):  # a job name: another rule's refusal
            return ""
        own, fold = f.tag[2], self.fold
        if fold(text) == fold(own):
            return f"{text!r} names the key it sits under ({self.text}, not itself)"
        if fold(text) in {fold(n) for n in self._reaching(m, own)}:
            return f"{text!r} leads back to {own!r} (a cycle)"
        return f"{text!r} repeats an earlier item" if fold(text) in {fold(n) for n in self.excluded(m, f)} else ""

    # ------------------------------------------------------------ owed names
    def _target_index(self, m) -> int | None:
        for i, g in enumerate(m.stack):
            t = m.rules.own(g.tag, self)
            if t is not None and t[1] == "T" and g.kind == "object":
                return i
        return None

    def _owed(self, m, t: int, whole: bool) -> set:
        """Names referenced and not (yet) keys of the target at stack index `t`. `whole`: with the
        references delivered inside the open value above it too (for costs)."""
        f = m.stack[t]
        ref = self.ref[0] if len(self.ref) == 1 else None
        named = set()
        for v in f.values.values():
            if isinstance(v, dict) and ref in v:
                named |= _names(v[ref])
        if whole:
            for g in m.stack[t + 1:]:
                own = m.rules.own(g.tag, self)
                if own is None:
                    continue
                if own[1] == "E" and g.kind == "object":
                    named |= _names(g.values.get(ref))
                elif own[1] == "R" and g.kind == "array":
                    named |= _names(g.items)
        keys = {self.fold(k) for k in f.values} | ({self.fold(f.key)} if f.key is not None else set())
        return {n for n in named if self.fold(n) not in keys}

    def may_close(self, m, f):
        return f.tag[1] != "T" or not self._owed(m, len(m.stack) - 1, whole=False)

    def close_reason(self, m, f):
        owed = sorted(self._owed(m, len(m.stack) - 1, whole=False))
        return f"{', '.join(map(repr, owed))} named by {'/'.join(self.ref)} but not defined ({self.text})"

    def _create_cost(self, m, t: int, name: str) -> float:
        """Ids to add `name` as a key of the target (with what rules add to a new value there)."""
        return new_key_cost(m, m.stack[t].branch.obj, name, m.stack[t].path)

    def target(self, m, f):
        if f.tag[1] != "K" or f.pending:
            return None
        t = len(m.stack) - 2
        owed = [n for n in self._owed(m, t, whole=True) if n.startswith(f.text)]
        return min(owed, key=lambda n: (len(n), n)) if owed else None

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        kind = f.tag[1]
        if kind == "T" and f.kind == "object":
            owed = self._owed(m, i, whole=True)
            top = m.stack[-1]
            if child_open and f.key is None and top.role == "key":
                owed.discard(self.target(m, top))
            return sum(self._create_cost(m, i, n) for n in owed)
        if kind not in ("R", "I") or child_open:
            return 0
        if f.kind == "array" and f.items:
            return 0  # the completion closes it
        t = self._target_index(m)
        if t is None:
            return 0
        name = self._completed_name(m, f)
        if name is None:
            return 0
        tf = m.stack[t]
        if self.fold(name) in {self.fold(n) for n in (*tf.values, *self._owed(m, t, whole=True))}:
            return 0
        return self._create_cost(m, t, name)

    def _completed_name(self, m, f) -> str | None:
        """The name the shortest completion of this reference will write."""
        if f.kind == "string":
            return m.completed_text(f)
        own = {f.tag[2]}
        if f.kind == "value":  # the completion takes the cheapest branch: the string
            b = min(m.c.branches(f.conj), key=m.c.cost_branch)
            if b.kind == "array":
                b = min(m.c.branches(b.arr.item_conj(0, ())), key=m.c.cost_branch)
            elif f.tag[1] == "I":
                parent = m.stack[m.stack.index(f) - 1]
                own |= _names(parent.items)
        else:  # an empty array: its first item
            b = min(m.c.branches(f.branch.arr.item_conj(0, ())), key=m.c.cost_branch)
        if b.kind != "string":
            return None
        s = b.string
        return shortest_string(s.dfa, s.dfa.start, "", s.excluded | own)

    def costs_local(self, m, f):
        return f.tag[1] not in ("K", "R", "I")
