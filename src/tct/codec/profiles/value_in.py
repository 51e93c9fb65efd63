"""A string that must be one of the strings the document gives elsewhere, ignoring case, or
hold an expression (a matrix `exclude` entry's value is one of its row's values: actionlint
"value "c" in "exclude" does not match in matrix "os" combinations"; it skips expressions).

The values give the string a language (`Rule.language`, when its frame enters the string
branch), so masks, completions and refusals follow it and the machine still emits the bytes
the schema alone leaves open: ids do not change. Only strings are followed: where the values
are not all plain strings (numbers, whose text the JSON form loses, or expressions) the string
is free. A value of another kind is no object or array then (`Rule.refused_kinds`; actionlint:
"value {...} in "exclude" does not match"); booleans, null and numbers are not checked: refusing
them would leave a string of the row, whose cost the containers above (an `exclude` array
with its one entry, which the completion may have to add) would have to charge as well.
"""

from __future__ import annotations

from tct.codec.profiles.key_names import names_pattern
from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule

EXPRESSION = "^[\\s\\S]*\\$\\{\\{"  # holds `${{`


class ValueIn(Rule):
    def __init__(self, location: str, why: str, values_of):
        """`values_of(m, path)`: the strings the string at `path` may be (read from frames
        below it, which stay put while it is open), or None: any."""
        self.segs, self.values_of, self.why = parse(location), values_of, why

    def tag(self, path, role):
        return ("value",) if role != "key" and match(self.segs, path) is not None else None

    def _pattern(self, m, f) -> str | None:
        values = self.values_of(m, f.path)
        return None if values is None else f"{EXPRESSION}|{names_pattern(values)}"

    def key(self, m, f):
        return self._pattern(m, f)

    def language(self, m, f):
        pattern = self._pattern(m, f)
        return None if pattern is None else (pattern, None)

    def refused_kinds(self, m, f):
        if f.kind != "value" or self.values_of(m, f.path) is None:
            return frozenset()
        return frozenset({"object", "array"})  # never the cheapest: nothing to charge

    def string_reason(self, m, f, text):
        values = self.values_of(m, f.path)
        if values is None or "${{" in text or text.lower() in {v.lower() for v in values}:
            return ""
        return f"{text!r} is not one of {', '.join(map(repr, sorted(values)[:12]))} ({self.why})"
