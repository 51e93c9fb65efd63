"""The keys a step that waits for, cancels or groups other steps may have (actionlint:
"unexpected key "if" for step to wait for background steps. expected one of "continue-on-error",
"id", "name", "wait", "wait-all"", "expected "parallel" key for step to run steps in parallel"),
and the steps a `parallel` group may hold ("\"wait-all\" step is not allowed inside a
\"parallel\" group").

The schema gives every step every key; which kind of step it is, its branch says (the key it
requires). The others are withdrawn (`Rule.withdrawn_keys`): none is required, so costs and the
completion stay the schema's, and `Machine.forced` asks the object without the rule, so the ids
do too. Inside a group the wait, cancel and parallel branches are refused (`Rule.refused_branches`;
`Machine.forced` asks the value without the rule): the cheapest step left may cost more (a run
step, where `wait-all: true` was the cheapest), which the item, the group's list and a parallel
step still without its list charge.
"""

from __future__ import annotations

from tct.codec.profiles.rule import Rule, cheapest_branch

# A step's kind (the key its branch requires) -> the keys actionlint lets it have.
KEYS = {"wait": frozenset({"continue-on-error", "id", "name", "wait", "wait-all"}),
        "wait-all": frozenset({"continue-on-error", "id", "name", "wait", "wait-all"}),
        "cancel": frozenset({"cancel", "continue-on-error", "id", "name"}),
        "parallel": frozenset({"parallel"})}
NOT_IN_GROUP = frozenset({"wait", "wait-all", "cancel", "parallel"})  # steps a group may not hold


def takes(obj, key: str) -> bool:
    """May a step of branch object `obj` have key `key` (actionlint's keys of its kind)?"""
    kind = next((k for k in KEYS if k in obj.required), None)
    return kind is None or key in KEYS[kind]


class StepKeys(Rule):
    """Tags: ("step",) a step (of a job, or of a group), ("group",) a group's list."""

    def tag(self, path, role):
        if role != "value" or len(path) < 4 or path[0] != "jobs" or path[2] != "steps":
            return None
        if len(path) == 5 and path[4] == "parallel":
            return ("group",)
        return ("step",) if len(path) == 4 or (len(path) == 6 and path[4] == "parallel") else None

    def withdrawn_keys(self, m, f):
        if f.kind != "object":
            return frozenset()
        return frozenset(k for k in f.branch.obj.names if not takes(f.branch.obj, k))

    def refused_branches(self, m, f):
        return NOT_IN_GROUP if f.kind == "value" and f.tag[1] == "step" and len(f.path) == 6 else frozenset()

    def string_reason(self, m, f, text):
        if f.kind == "value":
            return f"a {text} step is not allowed inside a parallel group (actionlint)"
        kind = next((k for k in KEYS if k in f.branch.obj.required), None)
        return f"a {kind} step has no {text!r} (actionlint: only {', '.join(sorted(KEYS[kind]))})" if kind else ""

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        if f.tag[1] == "step" and f.kind == "value" and len(f.path) == 6:
            return cheapest_branch(m, f.conj, refused_keys=NOT_IN_GROUP)[0]
        if f.tag[1] == "group" and f.kind == "array":  # the items its completion adds
            missing = f.branch.arr.min_items - len(f.items) - (1 if child_open else 0)
            return max(0, missing) * self._item_extra(m, f.branch.arr)
        if f.tag[1] == "group" and f.kind == "value":
            return self._list_extra(m, f.conj)
        if f.tag[1] == "step" and f.kind == "object" and "parallel" in f.branch.obj.required \
                and "parallel" not in f.used:  # its list, still to come
            return self._list_extra(m, f.branch.obj.key_conj("parallel"))
        return 0

    def _list_extra(self, m, conj) -> float:
        """What a group's list of constraint `conj`, not begun, costs beyond its compiled cost."""
        arrays = [b.arr for b in m.c.branches(conj) if b.kind == "array"] if conj is not None else []
        return max((a.min_items * self._item_extra(m, a) for a in arrays), default=0)

    @staticmethod
    def _item_extra(m, arr) -> float:
        """What a step added to a group's list `arr` costs beyond its compiled cost."""
        conj = arr.item_conj(0, ())
        return 0 if conj is None else cheapest_branch(m, conj, refused_keys=NOT_IN_GROUP)[0]
