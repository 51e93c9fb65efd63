"""A step's `id` is none of the job's earlier step ids, ignoring case (actionlint: "step ID "A"
duplicates ... note that step ID is case insensitive").

The earlier ids (of the steps closed before it, `parallel` groups' included, and of the open steps
around it: a step's own `parallel` group written before its `id`) are excluded as
exact strings (`Rule.excluded`) and, in every spelling, by a pattern (`Rule.language`), when the
string starts; the steps array stays put while it is open, so the rule's key is those ids.
"""

from __future__ import annotations

from tct.codec.profiles.document_names import step_ids
from tct.codec.profiles.key_names import names_pattern
from tct.codec.profiles.location import match, parse
from tct.codec.profiles.rule import Rule


class DistinctIds(Rule):
    def __init__(self, location: str, why: str):
        """`location`: the ids (`/jobs/*/steps/*/id`, or in a `parallel` group)."""
        self.segs, self.why = parse(location), why

    def tag(self, path, role):
        return ("id",) if role != "key" and match(self.segs, path) is not None else None

    def _earlier(self, m, f) -> frozenset:
        """Ids written before the string in its job: those of the closed items of the open
        arrays below it (the job's steps, a `parallel` group's) and of the open steps (their
        own `id`, and their closed `parallel` group, written before the `id`)."""
        below = m.stack[3:len(f.path)]
        return frozenset().union(*(step_ids(g.items if g.kind == "array" else [g.values] if g.kind == "object"
                                            else ()) for g in below))

    def key(self, m, f):
        return tuple(sorted(self._earlier(m, f)))

    def excluded(self, m, f):
        return self._earlier(m, f)

    def language(self, m, f):
        earlier = self._earlier(m, f)
        return (names_pattern(None, True, but=earlier), None) if earlier else None

    def string_reason(self, m, f, text):
        if text.lower() in {i.lower() for i in self._earlier(m, f)}:
            return f"{text!r} repeats an earlier step id ignoring case ({self.why})"
        return ""
