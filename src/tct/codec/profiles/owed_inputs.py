"""Inputs named above `on`: owed by it.

`run-name` and `concurrency` may come before `on` and name `inputs.<name>` (12 corpus workflows;
dbt-core's release workflow writes `inputs.dry_run && format(...)` in its run-name, above an `on`
declaring `dry_run` a boolean). actionlint checks them against the `on` written later, so such a
name is *owed* (folded, as inputs are named ignoring case):
- above `on` an input reads as a string (`expression_context.OWED_INPUTS`): a declaration without
  `type` (any, to actionlint) or of a string type always fits; `boolean` or `number` only where
  every use, walked again with the name of that kind, accepts it (the `type` value is refused
  otherwise: `Rule.excluded`, `Rule.excluded_values`);
- `on` is then an object (`refused_kinds`) that may not close before its `workflow_dispatch` or
  `workflow_call` declares every owed name: `workflow_dispatch` an object, its `inputs` an
  object holding the names left (`may_close`, `next_key`, `target`), so the completion writes
  `on: {workflow_dispatch: {inputs: {name: null}}}`.
Costs: each level of that chain (`on`, `workflow_dispatch`, `inputs`, as a value not yet begun or
an object) charges what the chain below it adds to its cheapest completion (`_value_extra`,
`_object_extra`); the root charges it for the names its closed `run-name`/`concurrency` hold,
and each frame under those for the names in its own content (an open string: with its shortest
completion), so each share depends on its frame alone (an upper bound where frames share names).
"""

from __future__ import annotations

import json

from tct.codec.profiles import expression
from tct.codec.profiles.document_names import input_names, strings
from tct.codec.profiles.expression_context import INPUTS_ABOVE_ON, grammar_kind, tree
from tct.codec.profiles.forward_names import use_accepts
from tct.codec.profiles.rule import Rule, held_keys, key_target, new_key_cost
from tct.schema.facts import INF

CHAIN = ("on", "workflow_dispatch", "inputs")  # where the completion declares owed names
NOT_OBJECT = frozenset({"array", "string", "number", "literal"})
TYPE_KINDS = {"boolean": "bool", "number": "number"}  # declared types a use may refuse (strings never)
WHY = "actionlint: an input named above `on` is declared by it"


def _refs(text: str) -> frozenset:
    return frozenset(n.lower() for c, n in expression.references(text) if c == "inputs" and n != "*")


def _value_refs(value) -> frozenset:
    return frozenset().union(*(_refs(t) for _, t in strings(value, ())))


def _root(m) -> dict:
    return m.stack[0].values if m.stack[0].kind == "object" else {}


def owed(m) -> frozenset:
    """Input names (folded) the closed `run-name`/`concurrency` use while `on` is not written."""
    root = _root(m)
    if "on" in root:
        return frozenset()
    return frozenset().union(*(_value_refs(root[k]) for k in INPUTS_ABOVE_ON if k in root))


def _folded(names) -> frozenset:
    return frozenset(n.lower() for n in names)


def _left(m) -> frozenset:
    """Owed names the `on` being written has not declared in a closed event."""
    names = owed(m)
    on = m.stack[1] if len(m.stack) > 1 and m.stack[1].path == ("on",) else None
    if not names or on is None or on.kind != "object":
        return names
    return names - _folded(input_names(on.values))


class OwedInputs(Rule):
    """Tags: ("root",); ("above",) values under `run-name`/`concurrency`; ("chain", k) the value
    at `CHAIN[:k]` and the object it becomes; ("key", k) a key spelled in that object;
    ("type",) an input's `type` under `workflow_dispatch` or `workflow_call`."""

    def tag(self, path, role):
        if role == "key":
            k = len(path) - 1
            return ("key", k) if k in (2, 3) and path[:-1] == CHAIN[:k] else None
        if not path:
            return ("root",)
        if path[0] in INPUTS_ABOVE_ON:
            return ("above",)
        if 1 <= len(path) <= 3 and path == CHAIN[:len(path)]:
            return ("chain", len(path))
        if len(path) == 5 and path[0] == "on" and path[1] in ("workflow_dispatch", "workflow_call") \
                and path[2] == "inputs" and path[4] == "type":
            return ("type",)
        return None

    # ------------------------------------------------------------ what each level still needs
    def _missing(self, m, f) -> tuple:
        """Keys object frame `f` of the chain (level k) still lacks: the next link, or at the
        last level the owed names not yet written."""
        mine = m.rules.own(f.tag, self)
        if f.kind != "object" or mine is None or mine[1] != "chain":
            return ()
        k = mine[2]
        left = _left(m)
        if not left:
            return ()
        if k == 3:
            return tuple(sorted(left - held_keys(f)))
        nxt = CHAIN[k]
        return () if nxt.lower() in held_keys(f) else (nxt,)

    def key(self, m, f):
        kind = f.tag[1]
        if kind == "root":
            return owed(m), self._charge(m, f, False), self._charge(m, f, True)
        if kind == "above":
            return "on" in _root(m), self._own(m, f)
        if kind == "chain":
            return _left(m) if f.kind == "value" else (self._missing(m, f), _left(m))
        if kind == "key":
            return self._missing(m, m.stack[len(f.path) - 1])
        return self._refused_types(m, f)

    # ------------------------------------------------------------ narrowing
    def refused_kinds(self, m, f):
        return NOT_OBJECT if f.tag[1] == "chain" and f.kind == "value" and _left(m) else frozenset()

    def branch_kind(self, m, f):
        return "object" if f.tag[1] == "chain" and f.kind == "value" and _left(m) else None

    def may_close(self, m, f):
        return not self._missing(m, f)

    def close_reason(self, m, f):
        missing = self._missing(m, f)
        if f.tag[2] == 3:
            return f"the workflow names {', '.join(f'inputs.{n}' for n in missing)} above `on`, so these inputs " \
                   f"must be declared ({WHY})"
        return f"missing {missing[0]!r}: inputs named above `on` ({', '.join(sorted(_left(m)))}) are declared " \
               f"under it ({WHY})"

    def next_key(self, m, f):
        missing = self._missing(m, f)
        return missing[0] if missing else None

    def target(self, m, f):
        return key_target(f, self._missing(m, m.stack[len(f.path) - 1]) if f.role == "key" else (), fold=True)

    def _refused_types(self, m, f) -> frozenset:
        """The declared types (`boolean`, `number`) some use above `on` of the input at
        `f.path` refuses."""
        name = f.path[3].lower() if isinstance(f.path[3], str) else None
        if name is None or name not in owed(m):
            return frozenset()
        uses = [(p, t) for k in INPUTS_ABOVE_ON if k in _root(m) for p, t in strings(_root(m)[k], (k,))
                if name in _refs(t)]
        return frozenset(t for t, kind in TYPE_KINDS.items() if not all(self._accepts(m, p, t, name, kind)
                                                                          for p, t in uses))

    @staticmethod
    def _accepts(m, path, text, name, kind) -> bool:
        """Does the use `text` at `path` accept input `name` of `kind` (the others strings)?"""
        refs = _refs(text)
        names = tree(path[0], frozenset(), frozenset(), frozenset(), refs,
                     inputs_kinds=frozenset((r, "string") for r in refs if r != name) | {(name, kind)})
        return use_accepts(m, grammar_kind(path), names, text)

    def excluded(self, m, f):
        return self._refused_types(m, f) if f.tag[1] == "type" else frozenset()

    def excluded_values(self, m, f):
        return frozenset(json.dumps(t) for t in self._refused_types(m, f)) if f.tag[1] == "type" else frozenset()

    def string_reason(self, m, f, text):
        if f.tag[1] == "type" and text.strip('"') in self._refused_types(m, f):
            return f"a use above `on` of inputs.{f.path[3]} refuses a {text} ({WHY})"
        return ""

    # ------------------------------------------------------------ costs
    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        kind = f.tag[1]
        if kind == "root":
            return self._charge(m, f, child_open)
        if kind == "above":
            return self._above_extra(m, self._own(m, f))
        if kind != "chain":
            return 0
        k = f.tag[2]
        if f.kind == "value":
            left = _left(m)
            return _value_extra(m, k, f.conj, left) if left else 0
        missing = self._missing(m, f)
        if not missing:
            return 0
        o = f.branch.obj
        spelled = self.target(m, m.stack[i + 1]) if child_open and m.stack[i + 1].role == "key" else None
        spelled = spelled.lower() if spelled is not None else None
        if k < 3:
            if child_open and f.key is not None and f.key.lower() == CHAIN[k]:
                return 0  # the link is being written: its value charges
            return _object_extra(m, k, o, _left(m), spelled == CHAIN[k])
        return sum((m.c.cost_conj(o.key_conj(n)) if n == spelled else new_key_cost(m, o, n)) for n in missing)

    def _charge(self, m, f, child_open: bool) -> float:
        """The root's share: the chain for the names its closed values owe, unless `on` is
        written or being written (then its frames charge)."""
        if f.kind != "object" or "on" in f.values or (child_open and f.key == "on"):
            return 0
        names = owed(m)
        return self._above_extra(m, names)

    @staticmethod
    def _above_extra(m, names) -> float:
        if not names or "on" in _root(m) or m.stack[0].kind != "object":
            return 0
        conj = m.stack[0].branch.obj.key_conj("on")
        return INF if conj is None else _value_extra(m, 1, conj, names)

    @staticmethod
    def _own(m, f) -> frozenset:
        """Input names frame `f` under `run-name`/`concurrency` holds: in its closed values, or
        in an open string's text with its shortest completion."""
        if "on" in _root(m):
            return frozenset()
        if f.kind == "string":
            return _refs(m.completed_text(f))
        if f.kind == "object":
            return _value_refs(f.values)
        if f.kind == "array":
            return _value_refs(f.items)
        return frozenset()


def _value_extra(m, k: int, conj, names) -> float:
    """What a value of constraint `conj` at `CHAIN[:k]` costs beyond its cheapest when it must
    be an object holding the rest of the chain and `names` (frozenset, folded)."""
    key = ("owed-inputs-value", k, conj, names)
    hit = m.cache.get(key)
    if hit is None:
        branches = m.c.branches(conj)
        cheapest = min((m.c.cost_branch(b) for b in branches), default=INF)
        best = min((m.c.cost_branch(b) + _object_extra(m, k, b.obj, names, False)
                    for b in branches if b.kind == "object"), default=INF)
        hit = m.cache[key] = best - cheapest if best < INF else INF
    return hit


def _object_extra(m, k: int, o, names, spelling: bool) -> float:
    """What object facts `o` at `CHAIN[:k]` add to hold the chain below and `names` (the next
    link's key being spelled: only its value)."""
    if k == 3:
        return sum(new_key_cost(m, o, n) for n in sorted(names))
    link = CHAIN[k]
    conj = o.key_conj(link)
    if conj is None:
        return INF
    key_cost = m.c.cost_conj(conj) if spelling else new_key_cost(m, o, link)
    return key_cost + _value_extra(m, k + 1, conj, names)
