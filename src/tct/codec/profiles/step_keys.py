"""The keys a step that waits for, cancels or groups other steps may have (actionlint:
"unexpected key "if" for step to wait for background steps. expected one of "continue-on-error",
"id", "name", "wait", "wait-all"", "expected "parallel" key for step to run steps in parallel").

The schema gives every step every key; which kind of step it is, its branch says (the key it
requires). The others are withdrawn (`Rule.withdrawn_keys`): none is required, so costs and the
completion stay the schema's, and `Machine.forced` asks the object without the rule, so the ids
do too.
"""

from __future__ import annotations

from tct.codec.profiles.rule import Rule

# A step's kind (the key its branch requires) -> the keys actionlint lets it have.
KEYS = {"wait": frozenset({"continue-on-error", "id", "name", "wait", "wait-all"}),
        "wait-all": frozenset({"continue-on-error", "id", "name", "wait", "wait-all"}),
        "cancel": frozenset({"cancel", "continue-on-error", "id", "name"}),
        "parallel": frozenset({"parallel"})}


class StepKeys(Rule):
    def tag(self, path, role):
        if role != "value" or len(path) < 4 or path[0] != "jobs" or path[2] != "steps":
            return None
        return ("step",) if len(path) == 4 or (len(path) == 6 and path[4] == "parallel") else None

    def withdrawn_keys(self, m, f):
        if f.kind != "object":
            return frozenset()
        obj = f.branch.obj
        kind = next((k for k in KEYS if k in obj.required), None)
        return frozenset() if kind is None else frozenset(obj.names) - KEYS[kind]

    def string_reason(self, m, f, text):
        kind = next((k for k in KEYS if k in f.branch.obj.required), None)
        return f"a {kind} step has no {text!r} (actionlint: only {', '.join(sorted(KEYS[kind]))})" if kind else ""
