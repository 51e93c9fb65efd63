"""What an expression may name in each field of a workflow: the contexts GitHub makes available
there (its context availability table, as actionlint checks it), the properties of typed
contexts and their kinds, the functions with their arguments, and the grammar kind of a field's
strings. `tree` joins them with the document's names (document_names.py) into the `Names` a
string's automaton reads.
"""

from __future__ import annotations

import string
from functools import lru_cache

from tct.codec.profiles import expression, json_literal
from tct.codec.profiles.location import match, parse
from tct.codec.profiles.matrix_types import type_names
from tct.schema.names import ARRAY, BOOL, LEAF, NULL, NUMBER, OBJECT, STRINGS, Arity, Names


# Properties of typed contexts, as actionlint knows them and of the kinds it gives them (LEAF
# a string; OBJECT an object of any properties, STRINGS one of string properties).
GITHUB = {**dict.fromkeys((
    "action", "action_path", "action_ref", "action_repository", "action_status", "actor", "actor_id", "api_url",
    "artifacts", "artifacts_list", "base_ref", "env", "event_name", "event_path",
    "graphql_url", "head_ref", "job", "output", "path", "ref", "ref_name", "ref_type", "repository",
    "repository_id", "repository_owner", "repository_owner_id", "repository_visibility", "repositoryurl",
    "run_attempt", "run_id", "run_number", "secret_source", "server_url", "sha", "state",
    "step_summary", "token", "triggering_actor", "workflow", "workflow_ref", "workflow_sha", "workspace"), LEAF),
    "artifact_cache_size_limit": NUMBER, "retention_days": NUMBER, "ref_protected": BOOL, "event": OBJECT}
RUNNER = dict.fromkeys(("arch", "debug", "environment", "name", "os", "temp", "tool_cache"), LEAF)
JOB = {**dict.fromkeys(("status", "workflow_file_path", "workflow_ref", "workflow_repository",
                        "workflow_sha"), LEAF), "check_run_id": NUMBER,
       "container": Names({"id": LEAF, "network": LEAF}),
       "services": Names.all_but((), Names({"id": LEAF, "network": LEAF, "ports": STRINGS}))}
STEP = Names({"outputs": STRINGS, "outcome": LEAF, "conclusion": LEAF})
# actionlint: "configuration variable name "a-b" can only contain alphabets, decimal numbers, and '_'"
# (`vars.a-b`, `vars['a b']`; a name beginning with `GITHUB_` is not refused yet)
VARS = Names.all_but((), LEAF, refused=frozenset(map(chr, range(128))) - set(string.ascii_letters + string.digits + "_"))
# Before the definition (owed names): no index, whose quoted names nothing would owe
STEPS = Names.all_but((), STEP, indexed=False)  # before the job's steps are written: any id (owed), a step's properties
NEEDED = Names({"outputs": STRINGS, "result": LEAF})
NEEDS = Names.all_but((), NEEDED, indexed=False)  # before the job's `needs` is written: any job (owed), what a job gives
# `needs.*`: arrays of what each job gives (`needs.*.result[0]`, never `needs.*.result.x`)
NEEDED_ALL = Names({"outputs": Names.all_but((), ARRAY, "array"), "result": ARRAY}, kind="array")
LITERALS = {"true": BOOL, "false": BOOL, "null": NULL}
OF_KIND = {"string": LEAF, "number": NUMBER, "bool": BOOL}  # the names of a value of a kind
# `matrix.<name>` before the matrix is written (or given as an expression): a name the matrix
# may still define, so never one of its own keywords (the completion could not define it). A
# matrix, and `needs` before the job lists its jobs, may hold objects: never a record.
MATRIX_KEYS = Names.all_but(("include", "exclude"), grows=True)
# Before the job's `strategy`: no `matrix.*` either (actionlint filters a matrix with `.*` only
# when one of its names holds objects, which nothing would owe; no corpus workflow writes it)
MATRIX_PENDING = Names.all_but(("include", "exclude", "*"), grows=True, indexed=False)

FUNCTIONS = ("contains", "startsWith", "endsWith", "format", "join", "toJSON", "fromJSON", "case")
STATUS = ("always", "success", "failure", "cancelled")
# Arguments each function takes, as actionlint counts them, the kinds they may be (a string
# takes a number too; `contains` and `join` take an array first) and the kind of its value.
TEXT = frozenset({"any", "string", "number"})
LIST = TEXT | {"array"}
ARITY = {"contains": Arity(2, 2, returns="bool", params=(LIST, TEXT)),
         "startsWith": Arity(2, 2, returns="bool", params=(TEXT,)),
         "endsWith": Arity(2, 2, returns="bool", params=(TEXT,)),
         "format": Arity(1, returns="string", params=(TEXT, None)),
         "join": Arity(1, 2, returns="string", params=(LIST, TEXT)),
         "toJSON": Arity(1, 1, returns="string"), "fromJSON": Arity(1, 1, params=(TEXT,), literal=json_literal.dfa()),
         "case": Arity(3, odd=True), "hashFiles": Arity(1, returns="string", params=(TEXT,)),
         **dict.fromkeys(STATUS, Arity(0, 0, returns="bool"))}

# Contexts available per field (GitHub's context availability table, as actionlint checks it).
_JOB = ("github", "needs", "strategy", "matrix", "vars", "inputs")
_STEP = _JOB + ("job", "runner", "env", "secrets", "steps")
ALL = _STEP + ("jobs",)
AVAILABLE = {
    "run-name": ("github", "inputs", "vars"), "concurrency": ("github", "inputs", "vars"),
    "env": ("github", "secrets", "inputs", "vars"),
    "job": _JOB, "job.if": ("github", "needs", "vars", "inputs"),
    "job.credentials": _JOB + ("env", "secrets"), "job.env": _JOB + ("secrets",),
    "job.container.env": _JOB + ("job", "runner", "env", "secrets"),
    "job.defaults": _JOB + ("env",), "job.environment.url": _JOB + ("job", "runner", "env", "steps"),
    "job.outputs": _STEP, "job.secrets": _JOB + ("secrets",), "job.strategy": ("github", "needs", "vars", "inputs"),
    "step": _STEP, "step.if": tuple(c for c in _STEP if c != "secrets"),
}


# Sections given as a string (one `${{ }}`) whose expression is an object, and a matrix row or
# `exclude` given so, an array (actionlint: "env must be object", "type of expression at
# "matrix row" must be array"; `include` is not checked). The corpus writes rows as
# `os: ${{ github.event_name == 'push' && fromJSON('["a"]') || ... }}`: a comparison where no
# bool may be owes a later term (`operand_kinds.owed`).
ENVS = ("/env", "/jobs/*/env", "/jobs/*/steps/*/env", "/jobs/*/container/env", "/jobs/*/services/*/env")
RECORDS = ENVS + ("/jobs/*/steps/*/with",)  # whose properties are strings ("env.x must be string")
SECTIONS = RECORDS + ("/jobs/*/strategy/matrix",)
# Booleans given as a string (one `${{ }}` too) are bools (actionlint: "type of expression must
# be bool but found type string"), numbers numbers ("type of expression at "float number value"
# must be number"; the corpus writes `timeout-minutes: ${{ contains(x, 'y') && 20 || 10 }}`: a
# call returning a bool owes a number term from its opening, `names.owes`).
NUMBERS = ("/jobs/*/timeout-minutes", "/jobs/*/steps/*/timeout-minutes", "/jobs/*/strategy/max-parallel")
BOOLEANS = ("/concurrency/cancel-in-progress", "/jobs/*/concurrency/cancel-in-progress", "/jobs/*/continue-on-error",
            "/jobs/*/steps/*/continue-on-error", "/jobs/*/strategy/fail-fast", "/jobs/*/environment/deployment")
_KINDS = tuple((parse(loc), kind) for locs, kind in (
    (RECORDS, expression.RECORD), (("/jobs/*/strategy/matrix",), expression.MAPPING),
    (("/jobs/*/strategy/matrix/include",), expression.TEMPLATE), (("/jobs/*/strategy/matrix/*",), expression.ROW),
    (BOOLEANS, expression.BOOL), (NUMBERS, expression.NUMBER))
    for loc in locs + tuple(x.replace("/steps/*/", "/steps/*/parallel/*/", 1) for x in locs if "/steps/*/" in x))


def grammar_kind(path: tuple) -> str:
    """The expression grammar kind of a string value at `path` (not an `if:`)."""
    return next((kind for segs, kind in _KINDS if match(segs, path) is not None), expression.TEMPLATE)


# Fields that may use inputs before `on` declares them (owed there: `owed_inputs.py`), each read
# as a string (any name but `*`)
INPUTS_ABOVE_ON = ("run-name", "concurrency")
OWED_INPUTS = Names.all_but(("*",), LEAF, indexed=False)


def field(path: tuple) -> str | None:
    """The row of `AVAILABLE` for a string at `path`, or None (all contexts)."""
    n = len(path)
    if path[0] in ("run-name", "concurrency", "env"):
        return path[0]
    if path[0] != "jobs" or n < 3:
        return None
    key = path[2]
    if key == "steps" and n >= 5:
        return "step.if" if step_if(path) else "step"
    if key == "if":
        return "job.if"
    if key in ("container", "services"):
        sub = path[3:] if key == "container" else path[4:]
        if sub[:1] == ("credentials",):
            return "job.credentials"
        return "job.container.env" if sub[:1] == ("env",) else "job"
    if key == "environment" and path[3:4] == ("url",):
        return "job.environment.url"
    if key in ("env", "defaults", "outputs", "secrets", "strategy"):
        return f"job.{key}"
    return "job" if key in ("concurrency", "continue-on-error", "environment", "name", "runs-on",
                            "timeout-minutes", "with") else None


def step_if(path: tuple) -> bool:
    """Is `path` (under /jobs/<job>/steps) a step's `if:`, a step of a `parallel` group too?"""
    n = len(path)
    return path[-1] == "if" and (n == 5 or (n == 7 and path[4] == "parallel"))



def _needed(outputs) -> Names:
    return NEEDED if outputs is None else Names({"outputs": Names(dict.fromkeys(outputs, LEAF)), "result": LEAF})


@lru_cache(maxsize=4096)
def tree(row: str | None, steps, needs, matrix, inputs, outputs=None, needs_listed: bool = True,
         matrix_kinds=frozenset(), inputs_kinds=frozenset(), matrix_pending: bool = False,
         inputs_owed: bool = False, dispatch=None) -> Names:
    """The names a string of field `row` may use, given the document's names (None: free);
    `outputs`: `needed_outputs` of `needs`; `needs_listed`: false while `needs` names the jobs
    the job may still list (`needs.*` reads what it lists: nothing yet); `matrix_kinds`,
    `inputs_kinds`: (name, kind or type) of names whose kind is known; `matrix_pending`: the
    job has no `strategy` yet (its matrix names are free, not an expression's); `inputs_owed`:
    above `on`, where any input may be named and `on` will owe it; `dispatch`: the inputs
    `workflow_dispatch` declares when `on` has it (actionlint types `github.event.inputs` by
    them: "property "x" is not defined in object type {}"), else None (`github.event` is any)."""
    contexts = AVAILABLE.get(row, ALL)
    outs = dict(outputs or ())
    github = GITHUB if dispatch is None else {**GITHUB, "event": Names.all_but((), children={
        "inputs": Names(dict.fromkeys(dispatch, LEAF))})}
    typed = {"github": Names(github), "runner": Names(RUNNER), "job": Names(JOB), "strategy": OBJECT,
             "env": STRINGS, "vars": VARS, "secrets": STRINGS, "jobs": OBJECT,
             "steps": STEPS if steps is None else Names(dict.fromkeys(steps, STEP)),
             "needs": NEEDS if needs is None else Names({**{n: _needed(outs.get(n.lower())) for n in needs},
                                                          **({"*": NEEDED_ALL} if needs and needs_listed else {})},
                                                         grows=not needs_listed, indexed=needs_listed),
             "matrix": (MATRIX_PENDING if matrix_pending else MATRIX_KEYS) if matrix is None else Names(
                 {**dict.fromkeys(matrix), **{n: type_names(t) for n, t in matrix_kinds if n in matrix}}, grows=True),
             "inputs": OWED_INPUTS if inputs_owed else OBJECT if inputs is None else Names(
                 {**dict.fromkeys(inputs), **{n: OF_KIND[k] for n, k in inputs_kinds if n in inputs}})}
    functions = FUNCTIONS + (STATUS if row in ("job.if", "step.if") else ()) + \
        (("hashFiles",) if row in ("step", "step.if") else ())
    return Names({**{c: typed[c] for c in contexts}, **{f + "(": ARITY[f] for f in functions}}, exact=LITERALS)


def arguments_text(a: Arity) -> str:
    if a.odd:
        return f"an odd number from {a.least}"
    if a.most is None:
        return f"at least {a.least}"
    return str(a.least) if a.least == a.most else f"{a.least}-{a.most}"


def undefined(text: str, names: dict, condition: bool = False) -> list[str]:
    """References of `text` to document names outside `names` (`expression.references`)."""
    out = []
    for ctx, name in expression.references(text, condition):
        allowed = names.get(ctx)
        if allowed is None and ctx == "matrix" and name.lower() in (
                MATRIX_PENDING if names.get("matrix_pending") else MATRIX_KEYS).excluded:
            out.append(f"{ctx}.{name}")
        elif allowed is not None and name.lower() not in {a.lower() for a in allowed} | ({"*"} if ctx == "needs" and allowed else set()):
            out.append(f"{ctx}.{name}")
    return out

