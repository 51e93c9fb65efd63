"""Expressions in a workflow's strings: well formed, naming only what the field and the document
make available (as actionlint checks them).

Every string value outside `on` follows the `${{ }}` grammar (`expression.py`; `if:` values are
conditions). Its names are narrowed by a tree (`names.Names`):
- the contexts and functions GitHub makes available in that field (`AVAILABLE`, from the
  documented context availability table), and the literals `true`, `false`, `null`;
- the properties of typed contexts (`github`, `runner`, `job`; `steps.<id>` and `needs.<job>`);
- from the document: `steps.<id>` the ids of earlier steps of the job (anywhere else in the
  job: all its step ids, once `steps` is written), `needs.<job>` the job's `needs` (and
  `needs.<job>.outputs.<name>` the outputs that job declares, once it is written),
  `matrix.<key>` the keys of the job's `strategy.matrix` (and of its `include` entries; any key
  when they are an expression), `inputs.<name>` the inputs declared under
  `on.workflow_call`/`on.workflow_dispatch`. A definition not written yet (a job whose
  `strategy` comes later) leaves its names free: real workflows reference forward, and a name
  is only checked against a definition that is final. Matrix names used before the job's
  `strategy`, `needs.<job>` before its `needs` and `steps.<id>` before its `steps` are then
  owed by the job (`forward_names.py`). Inputs are not owed: above `on` they are free in
  `run-name` and `concurrency` (the corpus's only such uses: 12 workflows) and there are none
  elsewhere (stricter than actionlint, which takes `env: {A: ${{ inputs.a }}}` above an `on`
  declaring `a`; no corpus workflow writes one).

The names of a string are chosen when it starts, from the frames below it; each tagged frame's
`key` holds the names its strings would get, and the content that defines names, so mask and
cost caches stay exact. What each field may name: expression_context.py; what the document
defines: document_names.py.
"""

from __future__ import annotations

import dataclasses
import json
import re

from tct.codec.profiles import expression
from tct.codec.profiles.document_names import input_kinds, input_names, names_in_job, listed_names, needed_outputs, step_ids
from tct.codec.profiles.expression_context import (ALL, ARITY, AVAILABLE, FREE_INPUTS_ABOVE_ON, arguments_text, field,
                                                   grammar_kind, step_if, tree, undefined)
from tct.codec.profiles.forward_names import (content_refs, matrix_defined, object_matrix_extra, of, open_refs,
                                              steps_cost, strategy_cost)
from tct.codec.profiles.rule import Rule, cheapest_branch, whole_language
from tct.schema.name_slots import SlotDFA
from tct.schema.names import LEAF, Arity, Names
from tct.schema.values import canonical


class ExpressionNames(Rule):
    """Tags: ("root",), ("jobs",), ("job",), ("steps",), ("step",) containers whose strings'
    names they decide; ("def", kind) values whose content defines names (`on`, `strategy`, a
    step's `id`); ("str", kind) other values; kind the grammar of their strings (template,
    condition for `if:`, or None: `on` takes no expressions)."""

    def tag(self, path, role):
        if role != "value":  # a key of a matrix: the completion may have to spell an owed name
            return ("mkey",) if path[:1] == ("jobs",) and path[2:4] == ("strategy", "matrix") \
                and len(path) == 5 else None
        n = len(path)
        if n == 0:
            return ("root",)
        if path[0] == "on":
            return ("def", None)
        if path[0] != "jobs":
            return ("str", grammar_kind(path))
        if n == 1:
            return ("jobs",)
        if n >= 3 and path[2] == "needs":  # KeyOf's too: here, what the job owes
            return ("needs",) if n == 3 else ("needs-item",) if n == 4 else None
        if n == 2:
            return ("job",)
        if path[2] == "strategy" or (n == 5 and path[2] == "steps" and path[4] == "id"):
            return ("def", grammar_kind(path))
        if n == 3 and path[2] == "steps":
            return ("steps",)
        if n == 4 and path[2] == "steps":
            return ("step",)
        if path[-1] == "if" and (n == 3 or step_if(path)):
            return ("str", expression.CONDITION)
        return ("str", grammar_kind(path))

    # ------------------------------------------------------------ names
    def names(self, m, f) -> dict:
        """The document's names a string at frame `f`'s path, or below it, may use (None: any).
        They are read from `f`'s ancestors, which do not change while `f` is open, and from the
        job and root objects' own content."""
        path = f.path
        root = m.stack[0]
        on = root.values["on"] if root.kind == "object" and "on" in root.values else None
        inputs = input_names(on) if on is not None else None if path[:1] in FREE_INPUTS_ABOVE_ON else frozenset()
        out = {"inputs": inputs, "inputs_kinds": input_kinds(on)}
        if len(path) < 2 or path[0] != "jobs":
            return out | {"steps": frozenset(), "needs": frozenset(), "matrix": frozenset()}
        job = m.stack[2].values if m.stack[2].kind == "object" else {}
        steps = m.stack[3] if len(path) > 3 and path[2] == "steps" else None
        out |= names_in_job(job, steps.items if steps is not None and steps.kind == "array" else None)
        if len(path) > 2 and path[2] == "strategy":
            out["matrix"] = frozenset()
        jobs = m.stack[1]
        if out["needs"] is None and self._owing(m.stack[2], "needs"):
            out["needs"], out["needs_listed"] = frozenset(self._needable(m).values()), False
        out["outputs"] = needed_outputs(jobs.values if jobs.kind == "object" else {}, out["needs"])
        return out

    def language(self, m, f):
        if f.tag[1] == "needs":
            owed = self._owed(m.stack[2], "needs")
            return (_one_of(self._spelled(m, owed)), None) if len(owed) == 1 else None
        kind = f.tag[2] if f.tag[1] in ("str", "def") else None
        if kind is None:
            return None
        n = self.names(m, f)
        return expression.pattern(kind), tree(field(f.path), n["steps"], n["needs"], n["matrix"], n["inputs"],
                                              n.get("outputs"), n.get("needs_listed", True),
                                              n.get("matrix_kinds", frozenset()), n["inputs_kinds"])

    def key(self, m, f):
        """What strings entered from frame `f` (or below it) read: the names, and for frames
        whose content defines names, that content."""
        if f.tag[1] in ("needs", "needs-item"):
            return self._owed(m.stack[2], "needs")
        if f.kind == "string":  # the names are in its facts' id
            if _step_id(f.path):  # its completion may spell an owed id
                return f.text, self._steps_left(m)
            return f.text if f.tag[1] == "def" else self._forward(m, f)
        kind = f.tag[1]
        own = None
        if kind == "root" and f.kind == "object":
            own = (input_names(f.values["on"]), input_kinds(f.values["on"])) if "on" in f.values else None
        elif kind == "steps" and f.kind == "array":
            own = tuple(sorted(step_ids(f.items)))
        elif kind == "step" and f.kind == "object":
            own = f.values.get("id")
        elif kind == "def" and f.kind in ("object", "array"):
            own = canonical(f.values if f.kind == "object" else f.items)
        elif kind == "def" and f.kind == "number":
            own = f.text
        names = self.names(m, f)
        return own, tuple((c, v if v is None or isinstance(v, bool) else frozenset(v))
                          for c, v in sorted(names.items())), self._forward(m, f)

    def string_reason(self, m, f, text):
        if f.tag[1] == "needs":
            owed = self._owed(m.stack[2], "needs")
            return f"the job uses {_listed(owed)}, so its needs must list {'it' if len(owed) == 1 else 'them'}"
        lang = self.language(m, f)
        if lang is None:
            return ""
        grammar = m.c.dfa(((lang[0], True),), 0, None)
        if SlotDFA(grammar, lang[1]).accepts(text):
            return ""  # the expression is fine: the schema's own facts refuse the string
        condition = f.tag[2] == expression.CONDITION
        if not SlotDFA(grammar, None).accepts(text):
            return f"not a well-formed ${{{{ }}}} {'condition' if condition else 'expression'}"
        plain = Names({k: dataclasses.replace(v, literal=None) if isinstance(v, Arity) else v
                       for k, v in lang[1].children.items()}, lang[1].exact)
        if SlotDFA(grammar, plain).accepts(text):
            return "a string literal given to fromJSON() is not JSON (actionlint parses it)"
        loose = Names({k: LEAF if isinstance(v, Arity) else v for k, v in lang[1].children.items()}, lang[1].exact)
        if SlotDFA(grammar, loose).accepts(text):
            return "a function is called with the wrong number of arguments (" + \
                ", ".join(f"{f}: {arguments_text(a)}" for f, a in ARITY.items()) + ")"
        names = self.names(m, f)
        bad = undefined(text, names, condition)
        if bad:
            shown = {c: sorted(names[c]) for c in ("inputs", "needs", "matrix", "steps") if names.get(c) is not None}
            return f"{', '.join(bad)} not defined here (defined: {json.dumps(shown)})"
        row = field(f.path)
        return (f"names a context, function or property not available here (contexts: "
                f"{', '.join(AVAILABLE.get(row, ALL))}), or uses a value where actionlint refuses its kind "
                f"(an object or bool compared with `<`, an object with a string, a property of a string, "
                f"an argument a function does not take)")

    # ------------------------------------------------------------ owed names
    @staticmethod
    def _owing(job, key: str) -> bool:
        """Does job frame `job` declare `key` ("strategy", "needs") and not have it yet, so that
        names it defines, used in the job, are owed?"""
        return job.kind == "object" and key not in job.values and key in job.branch.obj.names

    def _job(self, m, f, key: str):
        """The job frame below tagged frame `f` when it may still owe names of `key`, else None."""
        if len(f.path) < 3 or f.path[0] != "jobs" or len(m.stack) < 3:
            return None
        return m.stack[2] if self._owing(m.stack[2], key) else None

    def _owed_matrix(self, m, f) -> frozenset:
        """Matrix names (folded) owed at tagged frame `f`: by the job (its closed values use them
        and it has no strategy), or by the job's matrix object (used, not defined by it)."""
        if f.tag[1] == "job":
            return of(content_refs(f), "matrix") if self._owing(f, "strategy") else frozenset()
        if f.kind == "object" and _at_matrix(f.path):
            job, defined = self._job(m, f, "strategy"), matrix_defined(f.values)
            return of(content_refs(job), "matrix") - defined if job is not None and defined is not None \
                else frozenset()
        return frozenset()

    def _owed(self, job, ctx: str) -> frozenset:
        """Names (folded) job frame `job` uses as `<ctx>.<name>` while it has no key `ctx`
        ("needs", "steps"), which must then list (define) them."""
        return of(content_refs(job), ctx) if self._owing(job, ctx) else frozenset()

    def _steps_left(self, m) -> frozenset:
        """Owed step ids the open job's steps array (closed items) does not define yet."""
        if len(m.stack) < 4 or m.stack[3].kind != "array" or m.stack[3].tag is None \
                or m.stack[3].tag[1] != "steps":
            return frozenset()
        owed = self._owed(m.stack[2], "steps")
        if not owed:
            return owed
        return owed - {i.lower() for i in step_ids(m.stack[3].items)}

    def _needable(self, m) -> dict:
        """The jobs (folded -> as written) that the open job may use as `needs.<job>` before
        its `needs`: those written before it (all 62 such references in the corpus name one),
        less those whose `needs` lead back to it (listing one would close a cycle)."""
        jobs = m.stack[1]
        if jobs.kind != "object" or jobs.key is None:
            return {}
        edges = {k.lower(): {n.lower() for n in listed_names(v.get("needs"))}
                 for k, v in jobs.values.items() if isinstance(v, dict)}
        reach, todo = {jobs.key.lower()}, [jobs.key.lower()]
        while todo:
            x = todo.pop()
            for k, refs in edges.items():
                if x in refs and k not in reach:
                    reach.add(k)
                    todo.append(k)
        return {k.lower(): k for k in jobs.values if k.lower() not in reach}

    def _spelled(self, m, owed) -> list:
        """Owed jobs as their keys are written."""
        jobs = self._needable(m)
        return sorted(jobs.get(n, n) for n in owed)

    def _needs_cost(self, m, refs) -> float:
        """Ids of a `needs` key listing `refs` (partial names read as the longest job they can
        become): key, branch, CLOSE, and per name ITEM, branch, bytes and END (an upper bound
        of the string or array the completion writes)."""
        jobs = self._needable(m)
        return 3 + sum(3 + max((len(k.encode()) for n, k in jobs.items() if n.startswith(r)), default=len(r))
                       for r in refs)

    def _own_refs(self, m, f):
        """(matrix, needs) references held by frame `f` inside a job that may still owe them
        (None: not such a frame): its share of the strategy and needs the completion may have
        to write."""
        if len(f.path) <= 2 or f.path[0] != "jobs" or len(m.stack) < 3:
            return None
        job = m.stack[2]
        matrix = f.path[2] != "strategy" and self._owing(job, "strategy")
        needs = self._owing(job, "needs")
        steps = f.path[2] != "steps" and self._owing(job, "steps")
        if not (matrix or needs or steps):
            return None
        if f.kind == "string":  # what it reads once its shortest completion is written: a name
            rest = m._string_completion(f, m._string_facts(f))  # may need `.x` to be of a kind
            refs = open_refs((f.text.encode() + f.pending + rest).decode("utf-8", "replace"))
        else:
            refs = content_refs(f)
        return (of(refs, "matrix") if matrix else frozenset(), of(refs, "needs") if needs else frozenset(),
                of(refs, "steps") if steps else frozenset())

    def _forward(self, m, f):
        """What of the owed names frame `f`'s decisions and costs read."""
        if f.tag[1] == "job":
            return self._owed_matrix(m, f), self._owed(f, "needs"), self._owed(f, "steps")
        if f.kind == "object" and _at_matrix(f.path):
            return self._owed_matrix(m, f)
        if f.tag[1] in ("steps", "step") and len(f.path) in (3, 4):  # what the steps owe, what is left
            return self._own_refs(m, f), self._owed(m.stack[2], "steps"), self._steps_left(m)
        return self._own_refs(m, f)

    def may_close(self, m, f):
        kind = f.tag[1]
        if kind == "job":
            return not self._owed_matrix(m, f) and not self._owed(f, "needs") and not self._owed(f, "steps")
        if kind == "steps" and f.kind == "array" and len(f.path) == 3:
            return not self._steps_left(m)
        if kind == "def":
            return not self._owed_matrix(m, f)
        if kind == "needs" and f.kind == "array":
            return not self._needs_left(m, f)
        return True

    def _needs_left(self, m, f, skip=None) -> set:
        """Owed jobs array frame `f` (the job's `needs`) does not list yet, less `skip`."""
        listed = {n.lower() for n in f.items if isinstance(n, str)} | ({skip.lower()} if skip else set())
        return set(self._owed(m.stack[2], "needs")) - listed

    def close_reason(self, m, f):
        if f.tag[1] == "steps":
            return f"{_listed(self._steps_left(m), 'steps')} used in the job, but no step has that id"
        if f.tag[1] == "job" and not self._owed_matrix(m, f) and not self._owed(f, "needs"):
            return f"{_listed(self._owed(f, 'steps'), 'steps')} used, but the job has no steps defining it"
        if f.tag[1] == "needs":
            left = self._needs_left(m, f)
            return f"the job uses {_listed(left)}, so its needs must list {'it' if len(left) == 1 else 'them'}"
        owed = ", ".join(f"matrix.{n}" for n in sorted(self._owed_matrix(m, f)))
        if f.tag[1] == "job":
            needs = self._owed(f, "needs")
            if not owed:
                return f"{_listed(needs)} used, but the job has no needs listing {'it' if len(needs) == 1 else 'them'}"
            return f"{owed} used, but the job has no strategy defining it"
        return f"{owed} used in the job, but not defined by its matrix"

    def next_key(self, m, f):
        if f.kind == "object" and f.tag[1] == "step" and len(f.path) == 4:  # it may take an owed id
            return "id" if "id" not in f.values and self._steps_left(m) else None
        if f.kind != "object" or f.tag[1] not in ("job", "def"):
            return None
        if self._owed_matrix(m, f):
            return "strategy" if f.tag[1] == "job" else _shortest(self._owed_matrix(m, f))
        if f.tag[1] == "job" and self._owed(f, "needs"):
            return "needs"
        return "steps" if f.tag[1] == "job" and self._owed(f, "steps") else None

    def refused_kinds(self, m, f):
        if f.tag[1] == "needs" and f.kind == "value" and len(self._owed(m.stack[2], "needs")) > 1:
            return frozenset({"string"})  # one string cannot list them all
        return frozenset()

    def target(self, m, f):
        kind = f.tag[1]
        if f.kind == "string" and _step_id(f.path) and not f.pending:
            fits = [n for n in self._steps_left(m) if n.startswith(f.text.lower())]
            return f.text + _shortest(fits)[len(f.text):] if fits else None
        if kind == "needs" and f.kind == "string":
            owed = self._spelled(m, self._owed(m.stack[2], "needs"))
            return f.text + owed[0][len(f.text):] if len(owed) == 1 else None
        if kind == "needs-item" and f.kind == "string" and not f.pending:
            left = self._spelled(m, self._needs_left(m, m.stack[-2]))
            fits = [n for n in left if n.lower().startswith(f.text.lower())]
            return f.text + _shortest(fits)[len(f.text):] if fits else None
        if kind != "mkey" or f.pending:
            return None
        low = f.text.lower()
        owed = [n for n in self._owed_matrix(m, m.stack[-2]) if n.startswith(low)]
        return f.text + _shortest(owed)[len(f.text):] if owed else None

    def branch_kind(self, m, f):
        if f.kind == "value" and f.tag[1] == "needs":
            owed = self._owed(m.stack[2], "needs")
            return None if not owed else "string" if len(owed) == 1 else "array"
        if f.kind == "value" and _at_matrix(f.path):
            return "object"
        return self._section_choice(m, f)[1] if _typed_section(f) else None

    def _section_choice(self, m, f) -> tuple:
        """(extra cost, kind) of the cheapest branch at value frame `f`, whose string is an
        expression of another kind: that grammar's shortest string (`${{env}}`, `${{true}}`)
        may be longer than the schema's (`${{a}}`), which compiled costs count."""
        return cheapest_branch(m, f.conj, language=whole_language(m, f))

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        kind = f.tag[1]
        if kind == "needs":
            return self._needs_value_extra(m, i, child_open)
        if kind == "needs-item":
            return 0
        if f.kind == "value" and _at_matrix(f.path):
            return object_matrix_extra(m, f.conj)
        if _typed_section(f):
            return self._section_choice(m, f)[0]
        if kind == "job":
            owed = self._owed_matrix(m, f)
            needs = self._owed(f, "needs") if f.key != "needs" else ()  # open: its frames charge
            steps = self._owed(f, "steps") if f.key != "steps" else ()
            return (strategy_cost(m, f, owed) if owed else 0) + (self._needs_cost(m, needs) if needs else 0) + \
                steps_cost(m, f, steps)
        extra = 0
        if kind == "steps" and len(f.path) == 3 and f.kind in ("value", "array"):
            extra = steps_cost(m, m.stack[2], self._steps_left(m) if f.kind == "array" else
                               self._owed(m.stack[2], "steps"))
        refs = self._own_refs(m, f)
        if not refs:
            return extra
        return extra + (strategy_cost(m, m.stack[2], refs[0]) if refs[0] else 0) + \
            (self._needs_cost(m, refs[1]) if refs[1] else 0) + steps_cost(m, m.stack[2], refs[2])

    def _needs_value_extra(self, m, i, child_open) -> float:
        """What the job's `needs` (frame `i`) costs beyond its own share to list the owed jobs."""
        f = m.stack[i]
        owed = self._owed(m.stack[2], "needs")
        if not owed:
            return 0
        if f.kind == "value":
            names = self._spelled(m, owed)
            value = 2 + len(names[0].encode()) if len(names) == 1 else \
                2 + sum(3 + len(n.encode()) for n in names)
            return max(0, value - m.c.cost_conj(f.conj))
        if f.kind != "array":
            return 0  # a string: its target spells the one owed job
        skip = None
        if child_open:  # the open item's completion
            g = m.stack[i + 1]
            if g.kind == "string":
                skip = g.text + m._string_completion(g, m._string_facts(g)).decode() if not g.pending else None
            else:
                left = self._spelled(m, self._needs_left(m, f))
                skip = _shortest(left) if left else None
        return sum(3 + len(n.encode()) for n in self._spelled(m, self._needs_left(m, f, skip)))

    def costs_local(self, m, f):
        if f.tag[1] in ("mkey", "needs", "needs-item"):
            return False
        if f.tag[1] in ("steps", "step") or _step_id(f.path):  # only while the job owes step ids
            return len(m.stack) < 3 or not self._owed(m.stack[2], "steps")
        return True


def _step_id(path: tuple) -> bool:
    """A step's `id` (not one of a `parallel` group: the completion never writes those)."""
    return len(path) == 5 and path[0] == "jobs" and path[2] == "steps" and path[4] == "id"


def _typed_section(f) -> bool:
    """A value frame whose string is an expression of another kind (`expression.TYPED`)."""
    return f.kind == "value" and f.tag[1] in ("str", "def") and f.tag[2] in expression.TYPED


def _at_matrix(path: tuple) -> bool:
    return path[:1] == ("jobs",) and path[2:] == ("strategy", "matrix")


def _shortest(names):
    return min(names, key=lambda n: (len(n), n))


def _listed(names, ctx: str = "needs") -> str:
    return ", ".join(f"{ctx}.{n}" for n in sorted(names))


def _one_of(names) -> str:
    """An ECMA pattern matching one of `names`, ignoring ASCII case (as GitHub matches jobs)."""
    def ci(name):
        return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name)
    return "^(" + "|".join(ci(n) for n in names) + ")$"
