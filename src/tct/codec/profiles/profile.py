"""A profile: constraints beyond the schema, by JSON location, over the same ids.

Two kinds, wired by a table rather than special cases in the machine:
- *static* ones (a string language at a location: cron, action refs; or any subschema, e.g.
  `dependencies`) are conjoined into a copy of the schema (`patch.py`), so the compiler
  enforces them and costs account for them. A static constraint must not narrow a decision to
  one option where the schema alone left several (that decision would stop being an id):
  patterns are recognised (`Rules.patterns`), and so are `minProperties`/`required` by location
  and numeric bounds (`Rules.added`: the machine asks what the object or number would allow
  without them), and value positions by a marker on the conjunction (costs.NARROWING, which
  costs honour too); other keywords are the profile author's care;
- *dynamic* ones (`Rule` plug-ins, e.g. `KeyOf`) depend on the document decided so far; the
  machine consults them only at the frames they tag.
Neither adds a property name or literal value, so ids (and trained models) are unchanged.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from tct.codec.profiles.location import match, parse
from tct.codec.profiles.patch import constrain
from tct.codec.profiles.rule import Rule
from tct.schema.numbers import fraction_of


@dataclass(frozen=True)
class Profile:
    name: str
    schema: str                                   # the built-in schema it is written for
    strings: tuple = ()                           # (location, ECMA regex, why) static languages
    rules: tuple = field(default=())              # dynamic Rule plug-ins
    constraints: tuple = ()                       # (location, subschema, why) other static ones
    definitions: tuple = ()                       # (definition name, ECMA regex, why) shared languages

    def _static(self) -> list[tuple[str, dict]]:
        return [(loc, {"pattern": regex}) for loc, regex, _ in self.strings] + \
            [(loc, sub) for loc, sub, _ in self.constraints]

    def _described(self) -> list[tuple[str, dict, str]]:
        return [(loc, {"pattern": regex}, why) for loc, regex, why in self.strings] + list(self.constraints)

    def patch(self, schema: dict) -> dict:
        if self._static():
            schema = constrain(schema, self._static())
        if self.definitions:
            schema = copy.deepcopy(schema)
            defs = schema["$defs" if "$defs" in schema else "definitions"]
            for name, regex, _ in self.definitions:
                defs[name] = {"allOf": [defs[name], {"pattern": regex}]}
        return schema

    def machine_rules(self) -> "Rules | None":
        # each pattern with why the profile adds it (refusals say that, not the regex)
        patterns = {regex: why for _, sub, why in self._described() for regex in _patterns(sub)}
        patterns.update({regex: why for _, regex, why in self.definitions})
        added = [(parse(loc), _added_atoms(sub)) for loc, sub in self._static() if _added_atoms(sub)]
        return Rules(self.rules, patterns, added) if self.rules or patterns or added else None


def _added_atoms(sub) -> frozenset:
    """The compiled atoms (schema/keywords.py) of a static constraint's own `minProperties`,
    `required` and (draft 6+) numeric bounds: what the machine takes out to see the schema's
    own options at an object or a number (`Machine._narrowed`)."""
    out = {("required", k) for k in sub.get("required", ())}
    if "minProperties" in sub:
        out.add(("minProps", int(sub["minProperties"])))
    for kw, atom, strict in (("minimum", "min", False), ("exclusiveMinimum", "min", True),
                             ("maximum", "max", False), ("exclusiveMaximum", "max", True)):
        if kw in sub:
            out.add((atom, fraction_of(sub[kw]), strict))
    return frozenset(out)


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
    the static patterns (to tell which decisions the schema alone would have left open).

    A frame several rules speak about gets a joint tag ("*", tag, tag, ...), answered by
    `Joint`: each rule is asked with its own tag in place."""

    def __init__(self, rules, patterns=None, added=()):
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.patterns: dict = dict(patterns or {})  # the profile's patterns -> why each holds
        self._added = tuple(added)  # (location, object atoms a static constraint adds there)
        self._joint: dict = {}

    def added(self, path: tuple) -> frozenset:
        """Object atoms the profile's static constraints add at `path` (none are the schema's own
        there: the profile adds them where the schema has none)."""
        return frozenset().union(*(atoms for segs, atoms in self._added if match(segs, path) is not None))

    def tag(self, path: tuple, role: str = "value"):
        tags = [(i,) + t for i, r in enumerate(self.rules) if (t := r.tag(path, role)) is not None]
        if not tags:
            return None
        return tags[0] if len(tags) == 1 else ("*",) + tuple(tags)

    def own(self, tag, rule: Rule):
        """`rule`'s part of a frame's `tag` (its own tag, as it made it), or None."""
        if tag is None:
            return None
        for t in (tag[1:] if tag[0] == "*" else (tag,)):
            if self.rules[t[0]] is rule:
                return t
        return None

    def __getitem__(self, tag) -> Rule:
        if tag[0] != "*":
            return self.rules[tag[0]]
        hit = self._joint.get(tag)
        if hit is None:
            hit = self._joint[tag] = Joint([(self.rules[t[0]], t) for t in tag[1:]])
        return hit


class Joint(Rule):
    """Several rules on one frame: their answers combined, each asked with its own tag."""

    def __init__(self, parts):
        self.parts = parts

    def _each(self, f, call) -> list:
        saved = f.tag
        try:
            out = []
            for rule, t in self.parts:
                f.tag = t
                out.append(call(rule))
            return out
        finally:
            f.tag = saved

    def key(self, m, f):
        return tuple(self._each(f, lambda r: r.key(m, f)))

    def excluded(self, m, f):
        return frozenset().union(*self._each(f, lambda r: r.excluded(m, f)))

    def withdrawn_keys(self, m, f):
        return frozenset().union(*self._each(f, lambda r: r.withdrawn_keys(m, f)))

    def excluded_values(self, m, f):
        return frozenset().union(*self._each(f, lambda r: r.excluded_values(m, f)))

    def language(self, m, f):
        """The rules' patterns, all of them, and the one names tree among them."""
        langs = [x for x in self._each(f, lambda r: r.language(m, f)) if x is not None]
        trees = [t for _, t in langs if t is not None]
        assert len(trees) <= 1, "two rules give one string's names"
        if len(langs) <= 1:
            return langs[0] if langs else None
        return tuple(p for p, _ in langs), (trees[0] if trees else None)

    def refused_kinds(self, m, f):
        return frozenset().union(*self._each(f, lambda r: r.refused_kinds(m, f)))

    def refused_branches(self, m, f):
        return frozenset().union(*self._each(f, lambda r: r.refused_branches(m, f)))

    def may_close(self, m, f):
        return all(self._each(f, lambda r: r.may_close(m, f)))

    def close_reason(self, m, f):
        return "; ".join(x for x in self._each(f, lambda r: "" if r.may_close(m, f) else r.close_reason(m, f)) if x)

    def string_reason(self, m, f, text):
        return "; ".join(x for x in self._each(f, lambda r: r.string_reason(m, f, text)) if x)

    def extra_cost(self, m, i, child_open):
        return sum(self._each(m.stack[i], lambda r: r.extra_cost(m, i, child_open)))

    def _first(self, f, call):
        """The first rule's answer that is not None."""
        return next((x for x in self._each(f, call) if x is not None), None)

    def target(self, m, f):
        return self._first(f, lambda r: r.target(m, f))

    def next_key(self, m, f):
        return self._first(f, lambda r: r.next_key(m, f))

    def branch_kind(self, m, f):
        return self._first(f, lambda r: r.branch_kind(m, f))

    def costs_local(self, m, f):
        return all(self._each(f, lambda r: r.costs_local(m, f)))

    def value_extra(self, m, path, conj, tag):
        return sum(rule.value_extra(m, path, conj, t) for rule, t in self.parts)
