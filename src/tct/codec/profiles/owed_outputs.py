"""Outputs of a job written later: owed by it.

A job may read `needs.<job>.outputs.<name>` of a job written further down (7 jobs of 4 corpus
workflows: argo-cd's `needs.setup-variables.outputs.allow_fork_release`). actionlint types it by
the outputs that job declares ("property "x" is not defined in object type {}"), so the name is
*owed*, as `KeyOf` owes the job itself (folded: actionlint matches properties ignoring case):
- once the job holding the reference closes, the job it names, written as a normal job (one
  calling a reusable workflow has outputs actionlint reads elsewhere: any), may not close before
  its `outputs` declares every owed name (`may_close`, `next_key`, `target`): the completion
  writes `outputs: {name: ""}`.
Costs: the job's value (not begun, or created by `KeyOf` through `value_extra`), its object and its
`outputs` charge what the chain below them adds to the branch the completion takes; a frame
inside the open job charges the same for the references in its own content (an open string: with
its shortest completion), so each share depends on its frame alone (an upper bound where frames
share names, as in forward_names).
"""

from __future__ import annotations

from tct.codec.profiles.expression import output_references
from tct.codec.profiles.forward_names import content_refs, of
from tct.codec.profiles.rule import Rule, held_keys, key_target, new_key_cost

WHY = "actionlint: a job's outputs are those it declares"


def _jobs(m):
    """The `/jobs` object frame, when open."""
    if len(m.stack) > 1 and m.stack[1].path == ("jobs",) and m.stack[1].kind == "object":
        return m.stack[1]
    return None


def _by_job(pairs, written) -> dict:
    """{job: output names} of (job, output) `pairs` whose job is not among `written` (folded)."""
    out: dict = {}
    for job, name in pairs:
        if job not in written:
            out.setdefault(job, set()).add(name)
    return {j: frozenset(n) for j, n in out.items()}


def owed(m) -> dict:
    """{job: output names} (folded) the closed jobs read from jobs not written before them."""
    jobs = _jobs(m)
    if jobs is None:
        return {}
    return _by_job(of(content_refs(jobs), "outputs"), frozenset(k.lower() for k in jobs.values))


def _cheapest(m, conj):
    """The branch of `conj` a completion takes (the cheapest, the first of equals)."""
    branches = m.c.branches(conj) if conj is not None else ()
    return min(branches, key=m.c.cost_branch, default=None)


def _job_extra(m, conj, names) -> float:
    """What a job value of constraint `conj` not begun adds to declare output `names`."""
    b = _cheapest(m, conj)
    if not names or b is None or b.kind != "object":
        return 0
    return _object_extra(m, b.obj, names)


def _object_extra(m, o, names) -> float:
    """What job object facts `o` add for an `outputs` holding `names` (none for a job that has
    no `outputs`: a reusable workflow's call)."""
    if "outputs" not in o.names:
        return 0
    return new_key_cost(m, o, "outputs") + _outputs_extra(m, o.key_conj("outputs"), names)


def _outputs_extra(m, conj, names) -> float:
    b = _cheapest(m, conj)
    if b is None or b.kind != "object":
        return float("inf")
    return sum(new_key_cost(m, b.obj, n) for n in sorted(names))


class OwedOutputs(Rule):
    """Tags: ("job",) a job's value and object, ("outputs",) its `outputs`, ("key",) a key
    spelled in that `outputs`, ("in",) any other frame inside a job (its own references)."""

    def tag(self, path, role):
        if not path or path[0] != "jobs" or len(path) < 2:
            return None
        if role == "key":
            return ("key",) if len(path) == 4 and path[2] == "outputs" else None
        if len(path) == 2:
            return ("job",)
        return ("outputs",) if len(path) == 3 and path[2] == "outputs" else ("in",)

    # ------------------------------------------------------------ what the job still needs
    def _names(self, m, f) -> frozenset:
        """The output names owed by the job frame `f` is in."""
        return owed(m).get(f.path[1].lower(), frozenset()) if isinstance(f.path[1], str) else frozenset()

    def _missing(self, m, f) -> tuple:
        """Keys object frame `f` (the job, or its `outputs`) still lacks."""
        if f.kind != "object":
            return ()
        mine = m.rules.own(f.tag, self)
        names = self._names(m, f)
        if not names or mine is None:
            return ()
        if mine[1] == "job":
            return ("outputs",) if "outputs" in f.branch.obj.names and "outputs" not in held_keys(f) else ()
        if mine[1] == "outputs":
            return tuple(sorted(names - held_keys(f)))
        return ()

    def _refs(self, m, f) -> dict:
        """{job: output names} frame `f`'s own content reads from jobs not written (nor open)."""
        jobs = _jobs(m)
        if jobs is None or len(f.path) < 2:
            return {}
        if f.kind == "string":  # (a completion reads `needs.` only after text on its way to it)
            pairs = output_references(m.completed_text(f), f.path[-1] == "if") if "ne" in f.text.lower() else ()
        elif f.kind in ("object", "array"):
            pairs = of(content_refs(f), "outputs")
        else:
            return {}
        return _by_job(pairs, held_keys(jobs))

    def key(self, m, f):
        kind = f.tag[1]
        if kind == "key":
            return self._missing(m, m.stack[len(f.path) - 1])
        own = frozenset(self._refs(m, f).items())
        if kind == "in":
            return own
        return self._names(m, f), self._missing(m, f), own

    # ------------------------------------------------------------ narrowing
    def may_close(self, m, f):
        return not self._missing(m, f)

    def close_reason(self, m, f):
        names = ", ".join(sorted(self._names(m, f)))
        if f.tag[1] == "job":
            return f"an earlier job reads outputs {names} of job {f.path[1]!r}, so it declares them ({WHY})"
        return f"missing outputs {', '.join(self._missing(m, f))}: an earlier job reads them ({WHY})"

    def next_key(self, m, f):
        missing = self._missing(m, f)
        return missing[0] if missing else None

    def target(self, m, f):
        return key_target(f, self._missing(m, m.stack[len(f.path) - 1]) if f.role == "key" else (), fold=True)

    # ------------------------------------------------------------ costs
    def value_extra(self, m, path, conj, tag):
        mine = m.rules.own(tag, self)
        if mine is None or mine[1] != "job" or len(path) != 2:
            return 0
        return _job_extra(m, conj, owed(m).get(path[1].lower(), frozenset()))

    def extra_cost(self, m, i, child_open):
        f = m.stack[i]
        kind = f.tag[1]
        if kind == "key":
            return 0
        jobs = _jobs(m)
        own = sum(_job_extra(m, jobs.branch.obj.key_conj(j), names)
                  for j, names in self._refs(m, f).items()) if jobs is not None else 0
        if kind == "in":
            return own
        names = self._names(m, f)
        if not names:
            return own
        if f.kind == "value":
            chain = _job_extra(m, f.conj, names) if kind == "job" else _outputs_extra(m, f.conj, names)
            return own + chain
        missing = self._missing(m, f)
        if not missing:
            return own
        o = f.branch.obj
        if kind == "job":
            if child_open and f.key == "outputs":
                return own  # being written: its frames charge
            return own + _object_extra(m, o, names)
        spelled = self.target(m, m.stack[i + 1]) if child_open and m.stack[i + 1].role == "key" else None
        spelled = spelled.lower() if spelled is not None else None
        return own + sum((m.c.cost_conj(o.key_conj(n)) if n == spelled else new_key_cost(m, o, n)) for n in missing)
