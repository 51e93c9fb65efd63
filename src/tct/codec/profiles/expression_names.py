"""Expressions in a workflow's strings: well formed, and naming only what the document defines.

Every string value follows the `${{ }}` grammar (`expression.py`; `if:` values are conditions),
and the first property of four contexts comes from the document decided so far:
`steps.<id>` from the ids of earlier steps of the job (anywhere else in the job: all its step
ids, once `steps` is written), `needs.<job>` from the job's `needs`, `matrix.<key>` from the
job's `strategy.matrix` (its keys and those of `include` entries; any key when the matrix or
its `include` is an expression), `inputs.<name>` from the inputs declared under
`on.workflow_call`/`on.workflow_dispatch`. Outside a job, `steps`, `needs` and `matrix` have
no properties. A definition not written yet (a job whose `strategy` or `needs` comes later,
`jobs` before `on`) leaves its names free: real workflows reference forward, and a name is
only checked against a definition that is final.

The language of each string is chosen when it starts, from the frames below it; what those
frames hold that it depends on is in their `key`s (the job: its names; `steps`: the ids so
far; `on`, `strategy` and step `id`s: their content), so mask caches stay exact.
"""

from __future__ import annotations

import json
import re

from tct.codec.profiles import expression
from tct.codec.profiles.rule import Rule
from tct.schema.name_slots import SlotDFA
from tct.schema.values import canonical

_EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_REF = re.compile(r"(?<![\w.'-])(steps|needs|matrix|inputs)\.([A-Za-z_][\w-]*|\*)")


def _names(v) -> list:
    if isinstance(v, str):
        return [v]
    return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []


def input_names(on) -> frozenset:
    out = set()
    if isinstance(on, dict):
        for event in ("workflow_call", "workflow_dispatch"):
            e = on.get(event)
            if isinstance(e, dict) and isinstance(e.get("inputs"), dict):
                out |= set(e["inputs"])
    return frozenset(out)


def matrix_names(strategy):
    """Keys a job's matrix defines, or None when an expression makes them unknown."""
    m = strategy.get("matrix") if isinstance(strategy, dict) else None
    if not isinstance(m, dict):
        return None if isinstance(m, str) else frozenset()
    out = {k for k in m if k not in ("include", "exclude")}
    inc = m.get("include")
    if isinstance(inc, str):
        return None
    for entry in inc if isinstance(inc, list) else ():
        if isinstance(entry, dict):
            out |= set(entry)
    return frozenset(out)


def step_ids(steps) -> frozenset:
    """Ids of `steps`, those of `parallel` groups included."""
    out = set()
    for s in steps if isinstance(steps, list) else ():
        if isinstance(s, dict):
            if isinstance(s.get("id"), str):
                out.add(s["id"])
            out |= step_ids(s.get("parallel"))
    return frozenset(out)


def names_in_job(job: dict, steps_before=None) -> dict:
    """Context -> allowed names (None: not yet defined, so free) for a string of `job` (the
    values decided so far); `steps_before`: the items of `steps` before the current step."""
    return {"needs": frozenset(_names(job["needs"])) if "needs" in job else None,
            "matrix": matrix_names(job["strategy"]) if "strategy" in job else None,
            "steps": step_ids(steps_before) if steps_before is not None
            else step_ids(job["steps"]) if "steps" in job else None}


def undefined(text: str, names: dict, condition: bool = False) -> list[str]:
    """References of `text` to names outside `names` (a cheap check for reasons and tests);
    `condition`: an `if:` value, a bare expression unless it holds `${{`."""
    out = []
    for body in _EXPR.findall(text) if "${{" in text or not condition else [text]:
        body = re.sub(r"'([^']|'')*'", "''", body)
        for ctx, name in _REF.findall(body):
            allowed = names.get(ctx)
            if allowed is not None and name.lower() not in {a.lower() for a in allowed}:
                out.append(f"{ctx}.{name}")
    return out


class ExpressionNames(Rule):
    """Tags: ("root",), ("job",), ("steps",), ("step",) containers whose content decides names;
    ("def", kind) values whose content does (`on`, `strategy`, a step's `id`); ("str", kind)
    other values; kind the grammar of their strings (template, condition for `if:`, or None:
    `on` takes no expressions)."""

    def tag(self, path, role):
        if role != "value":
            return None
        n = len(path)
        if n == 0:
            return ("root",)
        if path[0] == "on":
            return ("def", None)
        if path[0] != "jobs":
            return ("str", expression.TEMPLATE)
        if n == 1:
            return ("jobs",)
        if n >= 3 and path[2] == "needs":
            return None  # KeyOf's
        if n == 2:
            return ("job",)
        if path[2] == "strategy" or (n == 5 and path[2] == "steps" and path[4] == "id"):
            return ("def", expression.TEMPLATE)
        if n == 3 and path[2] == "steps":
            return ("steps",)
        if n == 4 and path[2] == "steps":
            return ("step",)
        if path[-1] == "if" and (n == 3 or (n == 5 and path[2] == "steps")):
            return ("str", expression.CONDITION)
        return ("str", expression.TEMPLATE)

    # ------------------------------------------------------------ names
    def names(self, m, f) -> dict:
        """The names a string at frame `f`'s path, or below it, may use (None: any). They are
        read from `f`'s ancestors, which do not change while `f` is open, and from the job and
        root objects' own content."""
        path = f.path
        root = m.stack[0]
        out = {"inputs": input_names(root.values["on"]) if root.kind == "object" and "on" in root.values else None}
        if len(path) < 2 or path[0] != "jobs":
            out |= {"steps": frozenset(), "needs": frozenset(), "matrix": frozenset()}
        else:
            job = m.stack[2].values if m.stack[2].kind == "object" else {}
            steps = m.stack[3] if len(path) > 3 and path[2] == "steps" else None
            out |= names_in_job(job, steps.items if steps is not None and steps.kind == "array" else None)
            if len(path) > 2 and path[2] == "strategy":
                out["matrix"] = frozenset()
        if out["needs"]:
            out["needs"] = out["needs"] | {"*"}  # `needs.*.result`
        return out

    def language(self, m, f):
        kind = f.tag[2] if f.tag[1] in ("str", "def") else None
        return None if kind is None else (expression.pattern(kind), self.names(m, f))

    def key(self, m, f):
        """What strings entered from frame `f` (or below it) read: the names, and for frames
        whose content defines names, that content."""
        if f.kind == "string":
            return f.text if f.tag[1] == "def" else None  # the names are in its facts' id
        kind = f.tag[1]
        own = None
        if kind == "root" and f.kind == "object":
            own = input_names(f.values["on"]) if "on" in f.values else None
        elif kind == "steps" and f.kind == "array":
            own = tuple(sorted(step_ids(f.items)))
        elif kind == "step" and f.kind == "object":
            own = f.values.get("id")
        elif kind == "def" and f.kind in ("object", "array"):
            own = canonical(f.values if f.kind == "object" else f.items)
        elif kind == "def" and f.kind == "number":
            own = f.text
        names = self.names(m, f)
        return own, tuple((c, None if v is None else frozenset(v)) for c, v in sorted(names.items()))

    def string_reason(self, m, f, text):
        lang = self.language(m, f)
        if lang is None or SlotDFA(m.c.dfa(((lang[0], True),), 0, None), lang[1]).accepts(text):
            return ""  # the expression is fine: the schema's own facts refuse the string
        bad = undefined(text, lang[1], f.tag[2] == expression.CONDITION)
        if bad:
            shown = {c: sorted(v) for c, v in lang[1].items() if v is not None}
            return f"{', '.join(bad)} not defined here (defined: {json.dumps(shown)})"
        return f"not a well-formed ${{{{ }}}} {'condition' if f.tag[2] == expression.CONDITION else 'expression'}"
