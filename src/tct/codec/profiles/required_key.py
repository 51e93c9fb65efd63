"""Keys an object must have where the schema does not require them: a fixed one (`workflow_run`
names its `workflows`) or names the document decides (a step whose action requires inputs has
`with:`, and its `with:` gives them).

A static `required` would make a free key an id where the schema spells it as a free key
(FREEKEY, bytes), so a model trained on schema streams would meet an id it never saw there.
This rule keeps the spelling the schema gives: the object may not close until the keys are
written, the shortest completion writes them (`next_key`, then `target` spells a free one), and
until then the object (or the value that will be it) charges what writing them costs.
"""

from __future__ import annotations

from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule, key_target, new_key_cost


class RequiredKey(Rule):
    def __init__(self, location: str, names, why: str, fold: bool = False, inner=None):
        """`names`: a key, or `names(m, path)` giving the keys the object at `path` must have
        (read from frames below it, which stay put while it is open); `fold`: a key written in
        another case counts; `inner`: the rule of the required keys' values (its keys are
        charged with them)."""
        self.segs, self.why, self.fold, self.inner = parse(location), why, fold, inner
        self.names_of = names if callable(names) else (lambda m, path, fixed=(names,): fixed)

    def tag(self, path, role):
        if role == "key":
            return ("key",) if path and match(self.segs, path[:-1]) is not None else None
        return ("at",) if match(self.segs, path) is not None else None

    def _norm(self, name: str) -> str:
        return name.lower() if self.fold else name

    def _missing(self, m, f) -> tuple:
        """The keys object frame `f` still lacks (one open or in use counts as written)."""
        if f.kind != "object":
            return ()
        have = {self._norm(k) for k in (*f.values, *f.used, *((f.key,) if f.key is not None else ()))}
        return tuple(sorted(n for n in self.names_of(m, f.path) if self._norm(n) not in have))

    def key(self, m, f):
        if f.kind == "value":  # what the object it may become must have (`_value_extra`)
            return self.names_of(m, f.path)
        return self._missing(m, self._parent(m, f) if f.kind == "string" else f)

    @staticmethod
    def _parent(m, f):
        """The object a tagged key frame is spelled in (a frame's stack index is its depth)."""
        return m.stack[len(f.path) - 1]

    def may_close(self, m, f):
        return not self._missing(m, f)

    def close_reason(self, m, f):
        missing = self._missing(m, f)
        return f"missing propert{'y' if len(missing) == 1 else 'ies'} {', '.join(map(repr, missing))} ({self.why})"

    def next_key(self, m, f):
        missing = self._missing(m, f)
        return missing[0] if missing else None

    def target(self, m, f):
        """The owed name, for a key still on its way to it."""
        return key_target(f, self._missing(m, self._parent(m, f)) if f.role == "key" else ())

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        if f.kind == "string":
            return 0
        if f.kind == "value":
            return self._value_extra(m, f.conj, f.path)
        missing = self._missing(m, f)
        if not missing:
            return 0
        spelled = self.target(m, m.stack[i + 1]) if child_open else None  # the key being spelled
        o = f.branch.obj
        return sum((m.c.cost_conj(o.key_conj(n)) if n == spelled else new_key_cost(m, o, n))
                   + (self.inner._value_extra(m, o.key_conj(n), f.path + (n,)) if self.inner else 0)
                   for n in missing)

    def value_extra(self, m, path, conj, tag):
        return self._value_extra(m, conj, path) if tag[1] == "at" else 0

    def _value_extra(self, m, conj, path) -> float:
        """What the keys a value at `path` (constraint `conj`) must have cost, as an object."""
        names = self.names_of(m, path)
        objects = [b.obj for b in m.c.branches(conj) if b.kind == "object"] if names and conj is not None else ()
        return min((sum(new_key_cost(m, o, n) for n in names) for o in objects), default=0)

    def costs_local(self, m, f):
        return f.kind != "string"  # a key's completion depends on its object
