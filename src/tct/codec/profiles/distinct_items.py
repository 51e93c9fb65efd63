"""The string items of the arrays at a location are distinct (actionlint: "duplicate value
"3.x" is found in matrix "python"").

A string item may not spell an earlier string item of its array (`Rule.excluded`, applied when
it enters its string branch), so masks and completions follow it; the schema's ids stay (free
strings always have other ways on, and the completion of an item not yet begun takes a literal).
Other duplicates (numbers, booleans) are not followed.
"""

from __future__ import annotations

from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule


class DistinctItems(Rule):
    def __init__(self, location: str, why: str):
        self.segs, self.why = parse(location), why
        self._item = self.segs + ("*",)

    def tag(self, path, role):
        if role == "key":
            return None
        if match(self.segs, path) is not None:
            return ("array",)
        return ("item",) if match(self._item, path) is not None else None

    @staticmethod
    def _strings(f) -> frozenset:
        return frozenset(x for x in f.items if isinstance(x, str)) if f.kind == "array" else frozenset()

    def key(self, m, f):
        own = f if f.tag[1] == "array" else m.stack[len(f.path) - 1]
        return tuple(sorted(self._strings(own)))

    def excluded(self, m, f):
        return self._strings(m.stack[len(f.path) - 1])

    def string_reason(self, m, f, text):
        return f"{text!r} repeats an earlier item ({self.why})" if text in self.excluded(m, f) else ""
