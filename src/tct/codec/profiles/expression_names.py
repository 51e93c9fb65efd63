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
  owed by the job (`forward_names.py`). Inputs named above `on` in `run-name` and
  `concurrency` (the corpus's only such uses: 12 workflows) are owed by `on`
  (`owed_inputs.py`); there are none elsewhere above it (stricter than actionlint, which takes
  `env: {A: ${{ inputs.a }}}` above an `on` declaring `a`; no corpus workflow writes one).

The names of a string are chosen when it starts, from the frames below it; each tagged frame's
`key` holds the names its strings would get, and the content that defines names, so mask and
cost caches stay exact. What each field may name: expression_context.py; what the document
defines: document_names.py.
"""

from __future__ import annotations

import dataclasses
import json
import re

from tct.codec.profiles import expression, step_keys
from tct.codec.profiles.document_names import (dispatch_inputs, input_kinds, input_names, listed_names, names_in_job,
                                               needed_outputs, step_ids, strings)
from tct.codec.profiles.expression_context import (ALL, ARITY, AVAILABLE, INPUTS_ABOVE_ON, arguments_text, field,
                                                   grammar_kind, step_if, tree, undefined)
from tct.codec.profiles.forward_names import (content_refs, matrix_values, object_matrix_extra, of, open_refs,
                                              steps_cost, strategy_cost, use_accepts)
from tct.codec.profiles.matrix_types import ANY, fix_kind, merged, with_matrix
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
        if role != "value":  # a key of a matrix or of an `include` entry: the completion may spell an owed name
            if path[:1] != ("jobs",) or path[2:4] != ("strategy", "matrix"):
                return None
            return ("mkey",) if len(path) == 5 else ("ikey",) if len(path) == 7 and path[4] == "include" else None
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
        steps = m.stack[3] if len(f.path) > 3 and f.path[2] == "steps" else None
        return self._names_at(m, f.path, steps.items if steps is not None and steps.kind == "array" else None)

    def _names_at(self, m, path: tuple, steps_before) -> dict:
        """`names` at `path`, a step's strings with `steps_before` the job's steps before it."""
        root = m.stack[0]
        on = root.values["on"] if root.kind == "object" and "on" in root.values else None
        above = on is None and bool(path) and path[0] in INPUTS_ABOVE_ON
        inputs = input_names(on) if on is not None else None if above else frozenset()
        out = {"inputs": inputs, "inputs_kinds": input_kinds(on), "inputs_owed": above,
               "dispatch": dispatch_inputs(on)}
        if len(path) < 2 or path[0] != "jobs":
            return out | {"steps": frozenset(), "needs": frozenset(), "matrix": frozenset()}
        job = m.stack[2].values if m.stack[2].kind == "object" else {}
        out |= names_in_job(job, steps_before)
        if len(path) > 2 and path[2] == "strategy":
            out["matrix"] = frozenset()
        jobs = m.stack[1]
        if out["needs"] is None and self._owing(m.stack[2], "needs"):
            out["needs"], out["needs_listed"] = frozenset(self._needable(m).values()), False
        out["outputs"] = needed_outputs(jobs.values if jobs.kind == "object" else {}, out["needs"])
        return out

    @staticmethod
    def _tree(path: tuple, n: dict) -> Names:
        return tree(field(path), n["steps"], n["needs"], n["matrix"], n["inputs"], n.get("outputs"),
                    n.get("needs_listed", True), n.get("matrix_kinds", frozenset()), n["inputs_kinds"],
                    n.get("matrix_pending", False), n.get("inputs_owed", False), n.get("dispatch"))

    def language(self, m, f):
        if f.tag[1] == "needs":
            owed = self._owed(m.stack[2], "needs")
            return (_one_of(self._spelled(m, owed)), None) if len(owed) == 1 else None
        kind = f.tag[2] if f.tag[1] in ("str", "def") else None
        if kind is None:
            return None
        return expression.pattern(kind), self._tree(f.path, self.names(m, f))

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
            on = f.values.get("on")
            own = (input_names(on), input_kinds(on), dispatch_inputs(on)) if "on" in f.values else None
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
                          for c, v in sorted(names.items())), self._forward(m, f), self._uses_key(m, f)

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
            return ("a string literal given to fromJSON() is not JSON (actionlint parses it), or the value it gives is "
                    "of a kind actionlint refuses there (`fromJSON('[1]') == 1`, `fromJSON('1').x`)")
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
        and it has no strategy), or by the job's matrix object (used, and not yet given values
        of a type their uses accept: `matrix_types.py`)."""
        if f.tag[1] == "job":
            return of(content_refs(f), "matrix") if self._owing(f, "strategy") else frozenset()
        if f.kind == "object" and _at_matrix(f.path):
            job = self._job(m, f, "strategy")
            values = matrix_values(f.values) if job is not None else None
            if values is None:
                return frozenset()
            uses = self._matrix_uses(m)
            return frozenset(n for n in of(content_refs(job), "matrix")
                             if not self._accepted(m, uses, n, _folded_type(values, n)))
        return frozenset()

    # ------------------------------------------------------------ owed matrix names' types
    def _matrix_uses(self, m) -> dict:
        """Owed matrix name (folded) -> its uses in the open job, which has no strategy yet: (grammar
        kind, names tree, text, matrix names it reads) of each closed string naming it."""
        job = m.stack[2]
        steps = job.values.get("steps")
        out: dict = {}
        for path, text in strings(job.values, job.path):
            if path[2] == "strategy" or "matrix" not in text.lower():
                continue
            tag = self.tag(path, "value")  # (a frame's tag: the rule's index, then this)
            if tag is None or tag[0] not in ("str", "def") or tag[1] is None:
                continue
            refs = frozenset(n.lower() for c, n in expression.references(text, tag[1] == expression.CONDITION)
                             if c == "matrix" and n != "*")
            if not refs:
                continue
            before = steps[:path[3]] if path[2] == "steps" and len(path) > 3 and isinstance(steps, list) else None
            use = (tag[1], self._tree(path, self._names_at(m, path, before)), text, refs)
            for n in refs:
                out.setdefault(n, []).append(use)
        return out

    @staticmethod
    def _accepted(m, uses: dict, name: str, t) -> bool:
        """Do all uses of owed matrix name `name` accept it of type `t` (None: no value yet)?"""
        if t == ANY:
            return True
        if t is None:
            return False
        for kind, names, text, refs in uses.get(name, ()):
            if not use_accepts(m, kind, with_matrix(names, refs, name, t), text):
                return False
        return True

    def _matrix_spot(self, m, f):
        """(name, type so far, uses) at a row of the matrix, a row's item or an `include` value
        of a name the open job owes, else None; the type is the other values' for a row, the row
        and the values before for an item, None for an `include` value before any row."""
        p = f.path
        if len(p) not in (5, 6, 7) or p[0] != "jobs" or p[2:4] != ("strategy", "matrix") or len(m.stack) < len(p) \
                or m.stack[4].kind != "object" or self._job(m, f, "strategy") is None:
            return None
        matrix = m.stack[4].values
        include = p[4] == "include"
        if include != (len(p) == 7) or p[4] == "exclude" or not isinstance(p[-1] if include else p[4], str):
            return None
        name = (p[6] if include else p[4]).lower()
        uses = self._matrix_uses(m)
        if name not in uses:
            return None
        values = matrix_values(matrix)
        if values is None:
            return None
        start = _folded_type(values, name)
        if include:
            if name not in _row_names(matrix):
                return name, None, uses  # the row, written later, fixes the type
            start = _entries_type(m.stack[5].items, name, start)
        elif len(p) == 6:
            start = merged(m.stack[5].items, start)
        elif f.kind == "array":
            start = merged(f.items, start)
        return name, start, uses

    def _unfixed(self, m, f) -> list:
        """Owed names whose row is written but whose type, with the `include` values so far (the
        entries of include array frame `f`, or of the array below entry frame `f`, and its own),
        fails a use: the `include` must fix them before it closes."""
        matrix = m.stack[4].values
        values = matrix_values(matrix)
        if values is None or self._job(m, f, "strategy") is None:
            return []
        uses = self._matrix_uses(m)
        entries = list(f.items) if f.kind == "array" else list(m.stack[5].items) + [f.values]
        return [n for n in sorted(_row_names(matrix) & set(uses))
                if not self._accepted(m, uses, n, _entries_type(entries, n, _folded_type(values, n)))]

    def _entry_left(self, m, entry) -> list:
        """The names `_unfixed` at `include` entry frame `entry` that it has no key for yet."""
        keys = {k.lower() for k in entry.values}
        return [n for n in self._unfixed(m, entry) if n not in keys]

    def _matrix_keys_owed(self, m, f) -> list:
        """Keys matrix frame `f` must still get: owed names with no row, and `include` when a
        written row's type must be fixed by it."""
        rows = _row_names(f.values)
        owed = self._owed_matrix(m, f)
        return sorted(owed - rows) + (["include"] if owed & rows and "include" not in f.values else [])

    def _uses_key(self, m, f):
        """What decisions under the open job's strategy read of the names it owes: their uses."""
        if len(f.path) < 3 or f.path[2] != "strategy" or self._job(m, f, "strategy") is None:
            return None
        spot = self._matrix_spot(m, f)  # (frames at other names' rows share a state: the name joins)
        rows = None
        if len(f.path) > 4 and f.path[3] == "matrix" and m.stack[4].kind == "object":  # what `include` fixes
            values = matrix_values(m.stack[4].values)
            rows = None if values is None else tuple(sorted((n.lower(), merged(vs)) for n, vs in values.items()))
        return tuple(sorted((n, tuple((u[0], u[1], u[2]) for u in us)) for n, us in self._matrix_uses(m).items())), \
            spot and spot[:2], rows

    def _owed(self, job, ctx: str) -> frozenset:
        """Names (folded) job frame `job` uses as `<ctx>.<name>` while it has no key `ctx`
        ("needs", "steps"), which must then list (define) them."""
        return of(content_refs(job), ctx) if self._owing(job, ctx) else frozenset()

    def _steps_left(self, m) -> frozenset:
        """Owed step ids the open job's steps array (closed items) does not define yet."""
        mine = m.rules.own(m.stack[3].tag, self) if len(m.stack) >= 4 else None
        if mine is None or m.stack[3].kind != "array" or mine[1] != "steps":
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
            refs = open_refs(m.completed_text(f))  # (the completion may need `.x` to be of a kind)
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
            if f.kind == "array" and len(f.path) == 5 and f.path[2:4] == ("strategy", "matrix"):
                if f.path[4] == "include":  # its values fix the type of every row that needs it
                    return not self._unfixed(m, f)
                # a row: of a type its name's uses accept, or an `include` still to come may fix it
                spot = self._matrix_spot(m, f)
                return spot is None or self._accepted(m, spot[2], spot[0], spot[1]) or "include" not in m.stack[4].values
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
        if f.kind == "array" and f.path[-1] == "include":
            return f"{_listed(self._unfixed(m, f), 'matrix')} used in the job where actionlint refuses their values' type"
        if f.kind == "array":
            spot = self._matrix_spot(m, f)
            return f"matrix.{spot[0]} is used in the job where actionlint refuses its values' type ({spot[1]})"
        owed = ", ".join(f"matrix.{n}" for n in sorted(self._owed_matrix(m, f)))
        if f.tag[1] == "job":
            needs = self._owed(f, "needs")
            if not owed:
                return f"{_listed(needs)} used, but the job has no needs listing {'it' if len(needs) == 1 else 'them'}"
            return f"{owed} used, but the job has no strategy defining it"
        typed = sorted(self._owed_matrix(m, f) & _row_names(f.values))
        if typed:
            return f"{_listed(typed, 'matrix')} used in the job where actionlint refuses their values' type"
        return f"{owed} used in the job, but not defined by its matrix"

    def next_key(self, m, f):
        if f.kind == "object" and f.tag[1] == "step" and len(f.path) == 4:  # it may take an owed id
            # (not a `parallel` step, which has no `id`: a later step then takes it)
            takes = "id" not in f.values and step_keys.takes(f.branch.obj, "id")
            return "id" if takes and self._steps_left(m) else None
        if f.kind != "object" or f.tag[1] not in ("job", "def"):
            return None
        if f.tag[1] == "def" and len(f.path) == 6 and f.path[4] == "include":  # an entry that fixes a type
            left = self._entry_left(m, f)
            return _shortest(left) if left else None
        if self._owed_matrix(m, f):
            return "strategy" if f.tag[1] == "job" else _shortest(self._matrix_keys_owed(m, f))
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
        if kind not in ("mkey", "ikey") or f.pending:
            return None
        low = f.text.lower()
        owed = self._matrix_keys_owed(m, m.stack[-2]) if kind == "mkey" else self._entry_left(m, m.stack[-2])
        owed = [n for n in owed if n.startswith(low)]
        return f.text + _shortest(owed)[len(f.text):] if owed else None

    def branch_kind(self, m, f):
        if f.kind == "value" and f.tag[1] == "needs":
            owed = self._owed(m.stack[2], "needs")
            return None if not owed else "string" if len(owed) == 1 else "array"
        if f.kind == "value" and _at_matrix(f.path):
            return "object"
        if f.kind == "value" and f.tag[1] == "def" and len(f.path) in (6, 7):  # a row's item, an `include` value
            spot = self._matrix_spot(m, f)
            if spot is not None and (len(f.path) == 6 or spot[1] is not None) \
                    and not self._accepted(m, spot[2], spot[0], spot[1]):
                return fix_kind(lambda t: self._accepted(m, spot[2], spot[0], t), spot[1])
        if f.kind == "value" and f.tag[1] == "def" and f.path[2:] == ("strategy", "matrix", "include") \
                and self._job(m, f, "strategy") is not None:
            return "array"  # (an expression would leave every name any, but costs more)
        return self._section_choice(m, f)[1] if _typed_section(f) else None

    def _section_choice(self, m, f) -> tuple:
        """(extra cost, kind) of the cheapest branch at value frame `f`, whose string is an
        expression of another kind: that grammar's shortest string (`${{env}}`, `${{true}}`)
        may be longer than the schema's (`${{a}}`), which compiled costs count."""
        return cheapest_branch(m, f.conj, language=lambda: whole_language(m, f))

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
                skip = m.completed_text(g) if not g.pending else None
            else:
                left = self._spelled(m, self._needs_left(m, f))
                skip = _shortest(left) if left else None
        return sum(3 + len(n.encode()) for n in self._spelled(m, self._needs_left(m, f, skip)))

    def costs_local(self, m, f):
        if f.tag[1] in ("mkey", "ikey", "needs", "needs-item"):
            return False
        if f.tag[1] in ("steps", "step") or _step_id(f.path):  # only while the job owes step ids
            return len(m.stack) < 3 or not self._owed(m.stack[2], "steps")
        return True


def _row_names(matrix: dict) -> set:
    """The names (folded) a matrix object's written rows define."""
    return {k.lower() for k in matrix if k not in ("include", "exclude")}


def _entries_type(entries, name: str, start):
    """Type `start` merged with what `include` entries `entries` give `name` (in any case)."""
    return merged([e[k] for e in entries if isinstance(e, dict) for k in e if k.lower() == name], start)


def _folded_type(values: dict, name: str):
    """The merged type of the matrix values (`matrix_values`) of `name`, in any case."""
    return merged([v for k, vs in values.items() if k.lower() == name for v in vs])


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
