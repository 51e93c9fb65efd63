"""Two keys of one object that may not hold given values together (actionlint: ""queue: max"
cannot be combined with "cancel-in-progress: true" in "concurrency" section").

Whichever key comes second may not take its value (`Rule.excluded_values`: a literal the value
frame offers), so the ids stay the schema's and every other value is left: the value frame's
cheapest option is unchanged whenever the refused literal is not the only one.
"""

from __future__ import annotations

import json

from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule


class ExclusiveValues(Rule):
    def __init__(self, location: str, first: tuple, second: tuple, why: str):
        """At objects at `location`, key `first[0]` holding `first[1]` and key `second[0]`
        holding `second[1]` exclude each other."""
        self.segs, self.pair, self.why = parse(location), (first, second), why

    def tag(self, path, role):
        if role != "value" or not path or match(self.segs, path[:-1]) is None:
            return None
        return ("value",) if path[-1] in (self.pair[0][0], self.pair[1][0]) else None

    def _other(self, m, f):
        """(the value this key may not take, whether its sibling holds the value excluding it)."""
        mine, other = self.pair if f.path[-1] == self.pair[0][0] else self.pair[::-1]
        siblings = m.stack[len(f.path) - 1].values
        return mine[1], other[0] in siblings and siblings[other[0]] == other[1] and type(siblings[other[0]]) is type(other[1])

    def key(self, m, f):
        return self._other(m, f)[1] if f.kind == "value" else None

    def excluded_values(self, m, f):
        value, excluded = self._other(m, f)
        return frozenset({json.dumps(value)}) if excluded else frozenset()

    def string_reason(self, m, f, text):
        other = self.pair[1] if f.path[-1] == self.pair[0][0] else self.pair[0]
        return f"{text} is not allowed beside {other[0]}: {json.dumps(other[1])} ({self.why})"
