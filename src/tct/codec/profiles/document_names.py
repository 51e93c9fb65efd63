"""Names a workflow defines for its expressions, read from the JSON values decided so far: the
declared inputs and their kinds, a job's matrix names and their kinds, step ids, the jobs a job
needs and the outputs those jobs declare.
"""

from __future__ import annotations

from tct.codec.profiles.forward_names import matrix_values
from tct.codec.profiles.matrix_types import ANY, merged


def listed_names(v) -> list:
    """The names a string or a list of strings gives (a `needs`)."""
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


def dispatch_inputs(on) -> frozenset | None:
    """The inputs (folded) `workflow_dispatch` declares where `on` has it, in any form, else None."""
    if on == "workflow_dispatch" or (isinstance(on, list) and "workflow_dispatch" in on):
        return frozenset()
    if not isinstance(on, dict) or "workflow_dispatch" not in on:
        return None
    e = on["workflow_dispatch"]
    return frozenset(n.lower() for n in e["inputs"]) if isinstance(e, dict) and isinstance(e.get("inputs"), dict) \
        else frozenset()


def input_kinds(on) -> frozenset:
    """(name, kind) of declared inputs whose `type` says their kind (`boolean`, `number`; a
    `string`, `choice` or `environment` is a string; workflow_dispatch's default is a string),
    as actionlint types `inputs.<name>`; one declared twice with different kinds is left out."""
    kinds: dict = {}
    if isinstance(on, dict):
        for event in ("workflow_call", "workflow_dispatch"):
            e = on.get(event)
            for name, spec in (e["inputs"].items() if isinstance(e, dict) and isinstance(e.get("inputs"), dict)
                               else ()):
                declared = spec.get("type", "string" if event == "workflow_dispatch" else None) \
                    if isinstance(spec, dict) else None
                kind = _INPUT_KINDS.get(declared) if isinstance(declared, str) else None
                kinds[name] = kind if kinds.get(name, kind) == kind else None
    return frozenset((n, k) for n, k in kinds.items() if k is not None)


_INPUT_KINDS = {"boolean": "bool", "number": "number", "string": "string", "choice": "string", "environment": "string"}


def _matrix_values(strategy):
    return matrix_values(strategy.get("matrix") if isinstance(strategy, dict) else None)


def matrix_names(strategy):
    """Keys a job's matrix defines, or None when an expression makes them unknown."""
    values = _matrix_values(strategy)
    return None if values is None else frozenset(values)


def matrix_kinds(strategy) -> frozenset:
    """(name, type) of the matrix names, as actionlint types `matrix.<name>` (`matrix_types`:
    its values' types merged), those of type any left out."""
    return frozenset((k, t) for k, vs in (_matrix_values(strategy) or {}).items() if (t := merged(vs)) != ANY)


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
    return {"needs": frozenset(listed_names(job["needs"])) if "needs" in job else None,
            "matrix": matrix_names(job["strategy"]) if "strategy" in job else None,
            "matrix_kinds": matrix_kinds(job["strategy"]) if "strategy" in job else frozenset(),
            "matrix_pending": "strategy" not in job,
            "steps": step_ids(steps_before) if steps_before is not None
            else step_ids(job["steps"]) if "steps" in job else None}


def needed_outputs(jobs: dict, needs) -> frozenset | None:
    """(job, its output names) per name of `needs` (folded, as GitHub matches them); the names
    None for a job not written yet or one calling a reusable workflow (outputs unknown)."""
    if not needs:
        return None
    closed = {k.lower(): v for k, v in jobs.items()}

    def outputs(job):
        if not isinstance(job, dict) or "uses" in job:
            return None
        return frozenset(k.lower() for k in (job.get("outputs") or {}))
    return frozenset((n.lower(), outputs(closed.get(n.lower()))) for n in needs)


def strings(value, path: tuple = ()):
    """(path, text) of every string in a JSON value at `path`."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from strings(v, path + (i,))
