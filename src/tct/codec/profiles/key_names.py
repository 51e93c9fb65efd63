"""Free keys drawn from a set of names (a workflow_dispatch input's five keys), or from names
the document decides (a step's `with:` keys are the inputs of the action its `uses:` names),
and distinct from the object's earlier keys ignoring case (actionlint's duplicate check).

The set gives the key frame a language (`Rule.language` on a key: the object's free keys with
a pattern of the names conjoined), so masks, completions and refusals follow it, and the
machine still emits the bytes the schema alone leaves open (`Narrowing._narrowed_key`): ids do
not change. Where the completion must add keys (`minProperties`), it spells the shortest
names: the object, or the value that will be it, charges what they cost beyond the shortest
free keys the machine counts.
"""

from __future__ import annotations

from functools import lru_cache

from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule
from tct.schema import ecma
from tct.schema.compiler import shortest_string


def _folded(name: str) -> str:
    """`name` as a regex ignoring case (as `str.lower` folds it, one character to one)."""
    out = []
    for c in name:
        forms = {c} | {x for x in (c.lower(), c.upper()) if len(x) == 1}
        out.append("[" + "".join(map(ecma.escape, sorted(forms))) + "]" if len(forms) > 1 else ecma.escape(c))
    return "".join(out)


def names_pattern(names, fold: bool = True, but=()) -> str:
    """An ECMA regex of exactly `names` (None: any name), ignoring case when `fold`, and none
    of `but` ignoring case."""
    return _names_pattern(None if names is None else frozenset(names), fold, frozenset(but))


@lru_cache(maxsize=4096)
def _names_pattern(names, fold: bool, but) -> str:
    out = "^"
    if but:
        out += "(?!(" + "|".join(sorted(map(_folded, but))) + ")$)"
    if names is not None:
        out += "(" + "|".join(sorted(map(_folded if fold else ecma.escape, names))) + ")$" if names else "[]"
    return out


class KeyNames(Rule):
    def __init__(self, location: str, why: str, names_of=None, fold: bool = True, distinct: bool = False):
        """`names_of(m, path)`: the names the free keys of the object at `path` may take (read
        from frames below it, which stay put while it is open), or None: any; `fold`: names
        match ignoring case; `distinct`: no key repeats an earlier one ignoring case."""
        self.segs, self.names_of, self.why, self.fold, self.distinct = parse(location), names_of, why, fold, distinct

    def tag(self, path, role):
        if role == "key":
            return ("key",) if path and match(self.segs, path[:-1]) is not None else None
        return ("at",) if match(self.segs, path) is not None else None

    def _pattern(self, m, f) -> tuple | None:
        """The language of the object's next free key (`f`: the object, its value frame, or a
        key being spelled in it) as a tuple of regexes, or None: the schema's. The names and the
        keys to avoid are separate regexes (one per key), so each is compiled once, not once per
        set of keys written."""
        path = f.path[:-1] if f.role == "key" else f.path
        names = None if self.names_of is None else self.names_of(m, path)
        obj = m.stack[len(path)] if f.role == "key" or f.kind == "object" else None
        keys = tuple(sorted({k.lower() for k in obj.values})) if self.distinct and obj is not None and obj.values else ()
        if names is None and not keys:
            return None
        return ((names_pattern(names, self.fold),) if names is not None else ()) + \
            tuple(names_pattern(None, but=(k,)) for k in keys)

    def key(self, m, f):
        return self._pattern(m, f)

    def language(self, m, f):
        if f.role != "key":
            return None
        pattern = self._pattern(m, f)
        return None if pattern is None else (pattern, None)

    def string_reason(self, m, f, text):
        if f.role != "key":
            return ""
        path = f.path[:-1]
        if self.distinct and text.lower() in {k.lower() for k in m.stack[len(path)].values}:
            return f"{text!r} repeats a key ignoring case ({self.why})"
        names = None if self.names_of is None else self.names_of(m, path)
        if names is None or (text.lower() if self.fold else text) in {n.lower() if self.fold else n for n in names}:
            return ""
        return f"{text!r} is not one of {', '.join(sorted(names)[:12])}{', ...' if len(names) > 12 else ''} ({self.why})"

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        if f.role == "key" or child_open or f.kind not in ("object", "value"):
            return 0
        pattern = self._pattern(m, f)
        if pattern is None:
            return 0
        if f.kind == "value":  # the completion's branch (machine.completion_step), empty if an object
            options = m.choices(f.conj)[0]
            b = options[min(m.allowed(), key=lambda s: 0 if options[s][0].kind == "literal"
                            else m.c.cost_branch(options[s][0]))][0]
            if b.kind != "object":
                return 0
            o, keys = b.obj, set()
            need = o.min_props - len(o.closure(o.required))
        else:
            o, keys = f.branch.obj, set(f.values)
            missing = o.closure(frozenset(f.used) | o.required) - set(f.used)
            need = o.min_props - len(f.values) - len(missing)
        if need <= 0 or o.free_keys is None:
            return 0
        mine = o.free_keys_matching(pattern)
        return sum(_shortest_lengths(mine, keys, need)) - sum(_shortest_lengths(o.free_keys, keys, need))


def _shortest_lengths(facts, taken: set, n: int) -> list[int]:
    """Lengths of the `n` shortest keys the completion spells one after another."""
    out, taken = [], set(taken)
    for _ in range(n):
        key = None if facts is None else shortest_string(facts.dfa, facts.dfa.start, "", facts.excluded | taken)
        if key is None:
            return out + [0] * (n - len(out))  # refused anyway: the object cannot finish
        out.append(len(key.encode()))
        taken.add(key)
    return out
