"""What a value that may not equal some others (uniqueItems) may still become.

An item of a uniqueItems array carries the earlier items as its frame's `excluded` (canonical
texts). Strings and literals refuse them where they are spelled; a number, object or array
with few values (`schema/few_values.py`) is refused an option once every value it leads to is
excluded: an item that would begin with none left, a key or last value that makes an object
equal to an earlier one, an item that makes an array so. With many values, or values not
counted, every option stays open, as a value can still differ later.
"""

from __future__ import annotations

import json

from tct.schema.compiler import Branch, shortest_string
from tct.schema.few_values import branch_values
from tct.schema.values import canonical


def _extends(f, v) -> bool:
    """Does value `v` agree with the content of object or array frame `f` so far?"""
    if f.kind == "array":
        return isinstance(v, list) and len(v) >= len(f.items) and \
            all(canonical(x) == canonical(y) for x, y in zip(v, f.items))
    return isinstance(v, dict) and all(k in v and canonical(v[k]) == canonical(x) for k, x in f.values.items())


class Exclusions:
    """Mixin of Machine."""

    @staticmethod
    def _used_items(f) -> frozenset:
        return frozenset(canonical(v) for v in f.items)

    def _open(self, b: Branch, excluded: frozenset) -> bool:
        """Can branch `b` still produce a value whose canonical text is not in `excluded`?"""
        if not excluded:
            return True
        if b.kind == "literal":
            return any(canonical(v) not in excluded for v in b.values)
        if b.kind == "string":
            s = b.string
            ex = s.excluded | frozenset(json.loads(e) for e in excluded if e.startswith('"'))
            return shortest_string(s.dfa, s.dfa.start, "", ex) is not None
        values = branch_values(self.c, b, len(excluded) + 1)  # numbers, objects, arrays: when few
        return values is None or any(canonical(v) not in excluded for v in values)

    def _completions(self, f) -> list | None:
        """The values object or array frame `f` can still become, when few (else None)."""
        values = branch_values(self.c, f.branch, 4 * len(f.excluded) + 4)
        return None if values is None else [v for v in values if _extends(f, v)]

    def _grows_unexcluded(self, f) -> bool:
        """Can array frame `f` take another item and still end as a value not in `f.excluded`?"""
        values = self._completions(f)
        return values is None or any(len(v) > len(f.items) and canonical(v) not in f.excluded for v in values)

    def _member_values(self, f) -> dict | None:
        """Object frame `f` whose whole value may not be one of `f.excluded`, when its values
        are few: key -> the values (canonical texts) that key may not take, since every object
        `f` could then become is excluded; a key absent may not be added. None when many."""
        values = self._completions(f)
        if values is None:
            return None
        out: dict = {}
        for v in values:
            free = canonical(v) not in f.excluded
            for k, x in v.items():
                if k not in f.values:
                    taken, refused = out.setdefault(k, (set(), set()))
                    (taken if free else refused).add(canonical(x))
        return {k: frozenset(refused - taken) for k, (taken, refused) in out.items() if taken}

    @staticmethod
    def _last_excluded(f, size: int, member) -> frozenset:
        """The values (canonical texts) of `e[member]` for every excluded value `e` of `size`
        members that agrees with frame `f` so far: what the member that completes `f` to that
        size may not be."""
        out = set()
        for text in f.excluded:
            e = json.loads(text)
            if _extends(f, e) and len(e) == size and (member in e if isinstance(e, dict) else member < len(e)):
                out.add(canonical(e[member]))
        return frozenset(out)

    def _last_item_excluded(self, f) -> frozenset:
        """When the next item fills array frame `f` to its length cap, the values it may not
        take (they would make it equal to an array of `f.excluded`)."""
        cap, n = f.branch.arr.length_cap, len(f.items)
        if cap is None or n + 1 < cap:
            return frozenset()
        return self._last_excluded(f, n + 1, n)

    def _last_value_excluded(self, f, key: str) -> frozenset:
        """When `key` fills object frame `f` to its maxProperties, the values it may not take
        (they would make it equal to an object of `f.excluded`)."""
        o = f.branch.obj
        if o.max_props is None or len(f.used) + f.nfree < o.max_props:  # `key` is counted already
            return frozenset()
        return self._last_excluded(f, len(f.values) + 1, key)
