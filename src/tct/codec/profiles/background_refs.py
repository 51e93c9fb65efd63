"""`wait` and `cancel` name earlier background steps of their job (actionlint: ""x" is not the ID
of a preceding background step. "wait" and "cancel" steps can only refer to an earlier step that
has "background: true""; ids match ignoring case, an expression is not checked).

The string (`cancel`, `wait` or an item of a `wait` list) is one of those ids or holds `${{`, a
language given when it starts (`Rule.language`), so the ids stay the schema's and a job with no
background step yet still finishes (`wait: ${{ 0 }}`). That may cost more than the schema's
shortest string, which compiled costs count: the step, the value and the list that would
still add such a string charge `BOUND`, an upper bound of the difference (the expression is
at most `${{0}}`, 6 bytes, where the schema's shortest is one).
"""

from __future__ import annotations

from tct.codec.profiles.key_names import names_pattern
from tct.codec.profiles.rule import Rule
from tct.codec.profiles.value_in import EXPRESSION

KEYS = ("wait", "cancel")
BOUND = 6


def background_ids(steps) -> tuple:
    """Ids of the steps in `steps` (a job's steps written so far) that run in the background."""
    return tuple(sorted({s["id"] for s in steps if isinstance(s, dict) and s.get("background") is True
                         and isinstance(s.get("id"), str)}))


class BackgroundRefs(Rule):
    # Tags: ("step",) a job's step, ("ref",) a `wait`/`cancel` value, ("item",) an item of a
    # `wait` list.
    def tag(self, path, role):
        if role != "value" or len(path) < 4 or path[0] != "jobs" or path[2] != "steps":
            return None
        n = len(path)
        if n == 4:
            return ("step",)
        if n == 5 and path[4] in KEYS:
            return ("ref",)
        return ("item",) if n == 6 and path[4] == "wait" else None

    @staticmethod
    def _ids(m) -> tuple:
        steps = m.stack[3]
        return background_ids(steps.items) if steps.kind == "array" else ()

    def key(self, m, f):
        return self._ids(m) if f.tag[-1] in ("ref", "item") else None

    def language(self, m, f):
        if f.tag[-1] not in ("ref", "item"):
            return None
        return f"{EXPRESSION}|{names_pattern(self._ids(m))}", None

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        kind = f.tag[-1]
        if kind == "step":  # a wait or cancel step that has not begun its value
            if f.kind != "object" or not any(k in f.branch.obj.required for k in KEYS):
                return 0
            return 0 if any(k in f.values or (child_open and f.key == k) for k in KEYS) else BOUND
        if f.kind == "value":
            return BOUND
        if f.kind == "array":  # a `wait` list with no item begun
            return 0 if f.items or child_open else BOUND
        return 0

    def string_reason(self, m, f, text):
        if f.tag[-1] not in ("ref", "item"):
            return ""
        ids = self._ids(m)
        if "${{" in text or text.lower() in {i.lower() for i in ids}:
            return ""
        return (f"{text!r} is not the id of an earlier background step (those: {', '.join(map(repr, ids)) or 'none'}; "
                f"actionlint: wait and cancel name an earlier step with background: true)")
