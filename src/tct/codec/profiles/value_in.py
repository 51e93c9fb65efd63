"""A string that must be one of the strings the document gives elsewhere, ignoring case, or
hold an expression (a matrix `exclude` entry's value is one of its row's values: actionlint
"value "c" in "exclude" does not match in matrix "os" combinations"; it skips expressions).

The values give the string a language (`Rule.language`, when its frame enters the string
branch), so masks, completions and refusals follow it and the machine still emits the bytes
the schema alone leaves open: ids do not change. Where the values are not all plain strings
(numbers, whose text the JSON form loses, or expressions) the value is free. Other kinds are
refused (`Rule.refused_kinds`; actionlint: "value true in "exclude" does not match", even
against "true"), but a number where a value reads as one (any number, then: looser than
actionlint, which compares them as numbers).

What is left may cost more than the cheapest value compiled costs count (`true`: one id): the
value charges its cheapest branch, and the containers whose completion would add such a value
(an `exclude` list still empty, an entry without keys, a key being spelled) charge the most
any of the entry's keys could add (`keys_of`): an upper bound, as a rule's costs may be.
"""

from __future__ import annotations

import re

from tct.codec.profiles.key_names import names_pattern
from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule, cheapest_branch, whole_language

EXPRESSION = "^[\\s\\S]*\\$\\{\\{"  # holds `${{`
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _refused(values) -> frozenset:
    """Kinds a value that must be one of `values` (None: any) may not take."""
    if values is None:
        return frozenset()
    refused = {"object", "array", "literal"}  # actionlint: `true` never matches "true"
    if not any(_NUMBER.match(v) for v in values):
        refused.add("number")
    return frozenset(refused)


class ValueIn(Rule):
    def __init__(self, location: str, why: str, values_of, keys_of=None):
        """`values_of(m, path)`: the strings the string at `path` may be (read from frames
        below it, which stay put while it is open), or None: any; `keys_of(m, path)`: the keys
        the object holding such values at `path` (one level up) may take, or None (a value
        holder not keyed by them: nothing charged above the value)."""
        self.segs, self.values_of, self.why, self.keys_of = parse(location), values_of, why, keys_of

    # Tags: ("value",) the values; ("entry",) the object holding them, ("list",) the array of
    # such objects, ("parent",) the object holding that array (a key being spelled there).
    def tag(self, path, role):
        if role == "key":
            return None
        for depth, name in enumerate(("value", "entry", "list", "parent")):
            if name != "value" and self.keys_of is None:
                return None
            if match(self.segs[:len(self.segs) - depth], path) is not None:
                return (name,)
        return None

    def _pattern(self, m, f) -> str | None:
        values = self.values_of(m, f.path)
        return None if values is None else f"{EXPRESSION}|{names_pattern(values)}"

    def key(self, m, f):
        kind = f.tag[-1]
        if kind == "value":
            return self._pattern(m, f)
        if kind in ("entry", "list"):  # what the values below it will be
            return self._values_below(m, f.path if kind == "entry" else f.path + (0,))
        return None

    def _values_below(self, m, entry_path) -> tuple:
        """(key, its values) for each key the entry at `entry_path` may take."""
        keys = self.keys_of(m, entry_path) or ()
        return tuple(sorted((k, tuple(sorted(v)) if (v := self.values_of(m, entry_path + (k,))) is not None else None)
                            for k in keys))

    def language(self, m, f):
        pattern = self._pattern(m, f) if f.tag[-1] == "value" else None
        return None if pattern is None else (pattern, None)

    def refused_kinds(self, m, f):
        if f.kind != "value" or f.tag[-1] != "value":
            return frozenset()
        return _refused(self.values_of(m, f.path))

    def _cheapest(self, m, f) -> tuple:
        """(extra cost, kind) of value frame `f`'s cheapest branch left, its string in the
        language of every rule on it."""
        refused = self.refused_kinds(m, f)
        return cheapest_branch(m, f.conj, refused, lambda: whole_language(m, f)) if refused else (0, None)

    def branch_kind(self, m, f):
        return self._cheapest(m, f)[1] if f.kind == "value" and f.tag[-1] == "value" else None

    def _bound(self, m, entry_path) -> float:
        """The most a value the completion adds to the entry at `entry_path` may cost beyond
        compiled costs: a string of its row (an id, the shortest value, END) less one id."""
        return max((1 + min(len(v.encode()) for v in values) for _, values in self._values_below(m, entry_path)
                    if values), default=0)

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        kind = f.tag[-1]
        if kind == "value":
            return self._cheapest(m, f)[0] if f.kind == "value" else 0
        if kind == "parent":  # a key being spelled here becomes the list
            g = m.stack[i + 1] if child_open else None
            if g is None or g.role != "key" or g.pending:
                return 0
            key = m.completed_text(g)
            return self._bound(m, f.path + (key, 0)) if self.segs[len(f.path)] in ("*", key) else 0
        if kind == "entry":
            if f.kind == "object" and (f.values or (child_open and m.stack[i + 1].role != "key")):
                return 0  # it closes, or its open value charges itself
            return self._bound(m, f.path)
        if f.kind == "array" and (f.items or child_open):
            return 0
        return self._bound(m, f.path + (0,))

    def costs_local(self, m, f):
        return f.tag[-1] != "parent"  # a key's completion depends on its text

    def string_reason(self, m, f, text):
        values = self.values_of(m, f.path)
        if values is None or "${{" in text or text.lower() in {v.lower() for v in values}:
            return ""
        return f"{text!r} is not one of {', '.join(map(repr, sorted(values)[:12]))} ({self.why})"
