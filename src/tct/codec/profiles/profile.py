"""A profile: constraints beyond the schema, by JSON location, over the same ids.

Two kinds, wired by a table rather than special cases in the machine:
- *static* ones (a string language at a location: cron, action refs; or any subschema, e.g.
  `dependencies`) are conjoined into a copy of the schema (`patch.py`), so the compiler
  enforces them and costs account for them. A static constraint must not narrow a decision to
  one option where the schema alone left several (that decision would stop being an id):
  patterns are recognised (`Rules.patterns`), other keywords are the profile author's care;
- *dynamic* ones (`Rule` plug-ins, e.g. `KeyOf`) depend on the document decided so far; the
  machine consults them only at the frames they tag.
Neither adds a property name or literal value, so ids (and trained models) are unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tct.codec.profiles.patch import constrain
from tct.codec.profiles.rule import Rule


@dataclass(frozen=True)
class Profile:
    name: str
    schema: str                                   # the built-in schema it is written for
    strings: tuple = ()                           # (location, ECMA regex, why) static languages
    rules: tuple = field(default=())              # dynamic Rule plug-ins
    constraints: tuple = ()                       # (location, subschema, why) other static ones

    def _static(self) -> list[tuple[str, dict]]:
        return [(loc, {"pattern": regex}) for loc, regex, _ in self.strings] + \
            [(loc, sub) for loc, sub, _ in self.constraints]

    def patch(self, schema: dict) -> dict:
        return constrain(schema, self._static()) if self._static() else schema

    def machine_rules(self) -> "Rules | None":
        patterns = [regex for _, sub in self._static() for regex in _patterns(sub)]
        return Rules(self.rules, patterns) if self.rules or self._static() else None


def _patterns(sub):
    """Every `pattern` of a subschema (nested ones included)."""
    if isinstance(sub, dict):
        if isinstance(sub.get("pattern"), str):
            yield sub["pattern"]
        for k, v in sub.items():
            if k not in ("pattern", "enum", "const"):
                yield from _patterns(v)
    elif isinstance(sub, list):
        for v in sub:
            yield from _patterns(v)


class Rules:
    """What the machine holds: the dynamic rules, dispatched by the first element of a tag, and
    the static patterns (to tell which decisions the schema alone would have left open)."""

    def __init__(self, rules, patterns=()):
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.patterns = frozenset(patterns)

    def tag(self, path: tuple, role: str = "value"):
        for i, r in enumerate(self.rules):
            t = r.tag(path, role)
            if t is not None:
                return (i,) + t
        return None

    def __getitem__(self, tag) -> Rule:
        return self.rules[tag[0]]
