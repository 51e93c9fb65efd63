"""A key an object must have where the schema leaves keys free.

A static `required` would make the key an id where the schema spells it as a free key
(FREEKEY, bytes), so a model trained on schema streams would meet an id it never saw there.
This rule keeps the free spelling: the object may not close until the key is written, the
shortest completion writes it (`next_key`, then `target` spells it), and until then the object
(or the value that will be it) charges what writing it costs.
"""

from __future__ import annotations

from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule, new_key_cost


class RequiredKey(Rule):
    def __init__(self, location: str, name: str, why: str):
        self.segs, self.name, self.why = parse(location), name, why

    def tag(self, path, role):
        if role == "key":
            return ("key",) if path and match(self.segs, path[:-1]) is not None else None
        return ("at",) if match(self.segs, path) is not None else None

    def _missing(self, f) -> bool:
        return f.kind == "object" and self.name not in f.values and f.key != self.name and self.name not in f.used

    def key(self, m, f):
        return self._missing(self._parent(m, f) if f.kind == "string" else f)

    @staticmethod
    def _parent(m, f):
        """The object a tagged key frame is spelled in (a frame's stack index is its depth)."""
        return m.stack[len(f.path) - 1]

    def may_close(self, m, f):
        return not self._missing(f)

    def close_reason(self, m, f):
        return f"missing property {self.name!r} ({self.why})"

    def next_key(self, m, f):
        return self.name if self._missing(f) else None

    def target(self, m, f):
        """The owed name, for a key still on its way to it."""
        if f.kind != "string" or f.role != "key" or f.pending or not self.name.startswith(f.text):
            return None
        return self.name if self._missing(self._parent(m, f)) else None

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        if f.kind == "string":
            return 0
        if f.kind == "value":
            objects = [b.obj for b in m.c.branches(f.conj) if b.kind == "object"]
            return min((new_key_cost(m, o, self.name) for o in objects), default=0)
        if not self._missing(f):
            return 0
        if child_open and self.target(m, m.stack[i + 1]) is not None:  # the key being spelled is it
            return m.c.cost_conj(f.branch.obj.key_conj(self.name))
        return new_key_cost(m, f.branch.obj, self.name)

    def costs_local(self, m, f):
        return f.kind != "string"  # a key's completion depends on its object
