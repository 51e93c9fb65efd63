"""`github-workflow-strict`: GitHub Actions workflows that actionlint accepts, by construction.

Each entry is data: a JSON location and what holds there. First the constraints with most
impact on generated samples (see issue 8): `needs` names a defined job, cron strings parse
(5 fields, values in range, no schedule more often than every 5 minutes), action refs have
one of the forms actionlint accepts, jobs on a runner have steps, and the strings actionlint
wants non-empty are (`run`, `runs-on`, step ids, shells, working directories...), so are the
sections it wants non-empty (`env`, `with`, ...), a section given as a string is one `${{ }}`,
`credentials` hold both fields, and activity `types` are the event's (the schema lists them
beside a `$ref`, where draft 7 ignores them, and allows a plain string).
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from pathlib import Path

from tct.codec.profiles.action_probe import ActionlintInputs, actionlint_binary
from tct.codec.profiles.background_refs import BackgroundRefs
from tct.codec.profiles.cache_trust import CacheTrust, job_mode_owed
from tct.codec.profiles.distinct_ids import DistinctIds
from tct.codec.profiles.distinct_items import DistinctItems
from tct.codec.profiles.expression_context import BOOLEANS, ENVS, NUMBERS, SECTIONS
from tct.codec.profiles.exclusive_values import ExclusiveValues
from tct.codec.profiles.expression_names import ExpressionNames
from tct.codec.profiles.key_names import KeyNames
from tct.codec.profiles.key_of import KeyOf
from tct.codec.profiles.input_types import InputTypes, dispatch_input_keys
from tct.codec.profiles.owed_inputs import OwedInputs
from tct.codec.profiles.owed_outputs import OwedOutputs
from tct.codec.profiles.patch import narrowing
from tct.codec.profiles.profile import Profile
from tct.codec.profiles.required_key import RequiredKey
from tct.codec.profiles.rule import TextInKey
from tct.codec.profiles.step_keys import StepKeys
from tct.codec.profiles.value_in import ValueIn
from tct.errors import TCTError
from tct.schema import ecma
from tct.schema.keywords import PLAIN_INTEGER
from tct.schema.load import read_schema


def _spellings(lo: int, hi: int, zero: bool = True, names: tuple = ()) -> dict[int, list[str]]:
    """Each value of a cron field and how it may be written (`7`, `07`, `JUL`, `jul`)."""
    return {n: [str(n)] + ([f"0{n}"] if zero and n < 10 else []) + ([names[n - lo], names[n - lo].lower()] if names else [])
            for n in range(lo, hi + 1)}


def _written(values: dict) -> str:
    """Any one value of a field, as it may be written."""
    return "|".join(w for ws in values.values() for w in ws)


def _values(values: dict, step: str, steps: str = "?") -> str:
    """A value or a range whose beginning is not beyond its end (robfig/cron: "beginning of
    range beyond end of range"), with a step (optional unless `steps` is "")."""
    ranges = "|".join(f"({'|'.join(values[a])})-({'|'.join(w for b in values if b >= a for w in values[b])})"
                      for a in values)
    return f"({ranges}|{_written(values)})(/({step})){steps}"


def _field(values: dict, question: bool = False, step: str = "[1-9][0-9]?") -> str:
    """One cron field (robfig/cron, as actionlint parses it): items joined by commas, each `*`
    (or `?`) or values, with an optional step."""
    question = "|\\?" if question else ""
    item = f"(\\*(/({step}))?{question}|{_values(values, step)})"
    return f"{item}(,{item})*"


MINUTES = _spellings(0, 59)
# at most once every 5 minutes: one value, or steps of at least 5 (lists of minutes are left
# out: actionlint measures the gaps between them, and no corpus workflow writes one)
_MINUTE_FIELD = (f"{_written(MINUTES)}|\\*/([5-9]|[1-5][0-9])"
                 f"|{_values(MINUTES, '[5-9]|[1-5][0-9]', '')}")
CRON = "^ *(" + ") +(".join([
    _MINUTE_FIELD,
    _field(_spellings(0, 23)),
    _field(_spellings(1, 31), question=True),
    _field(_spellings(1, 12, names=("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"))),
    _field(_spellings(0, 6, zero=False, names=("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")), question=True),
]) + ") *$"
# IANA time zones of a schedule ("invalid timezone"): the common ones (a full list would depend
# on the machine's tzdata)
TIMEZONES = ("UTC", "Etc/UTC", "GMT", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
             "America/Sao_Paulo", "America/Toronto", "Europe/London", "Europe/Paris", "Europe/Berlin",
             "Europe/Amsterdam", "Europe/Madrid", "Europe/Moscow", "Asia/Tokyo", "Asia/Shanghai", "Asia/Kolkata",
             "Asia/Singapore", "Asia/Seoul", "Australia/Sydney", "Pacific/Auckland")

_NAME = "[A-Za-z0-9_.-]+"
_PATH = "[A-Za-z0-9_./-]+"
# (an owner beginning with `.` is a local path to actionlint, which then needs its `./`)
REUSABLE_WORKFLOW = f"^([.$]/{_PATH}\\.ya?ml|[A-Za-z0-9_-]{_NAME[:-1]}*/{_NAME}/{_PATH}\\.ya?ml@[A-Za-z0-9_./+-]+)$"
UNKNOWN_EVENTS = ("project", "project_card", "project_column")  # retired; actionlint knows them not
ACTION_REF = (f"^(\\./[^\\s]*|\\$/[^\\s]+|docker://[^\\s]+|{_NAME}/{_NAME}(/{_NAME})*@[A-Za-z0-9_./+-]+)$")

NOT_BLANK = "\\S"  # actionlint: "string should not be empty"
# actionlint: "'.' and '..' are not allowed in glob path" (at the start of a path filter)
# actionlint: "shell name "x" is invalid": a shell is one it knows (those of every runner: Windows
# adds cmd and powershell, where Linux and macOS refuse them, and sh, which Windows refuses) or a
# custom command with `{0}`; an expression (job defaults may hold one) is not checked.
SHELL = "^(bash|pwsh|python|sh|cmd|powershell)$|\\{0\\}|\\$\\{\\{"
SHELLS = ("/defaults/run/shell", "/jobs/*/defaults/run/shell", "/jobs/*/steps/*/shell")
PATH_GLOB = "^(?!!?\\.\\.?(/|$))"
PATH_FILTERS = tuple(f"/on/*/{f}{tail}" for f in ("paths", "paths-ignore") for tail in ("", "/*"))
# Filter patterns as actionlint parses them ("invalid glob pattern"), a subset: `!` first,
# then characters of branch names and paths, `*`/`**`, and character classes of two or more
# characters or one range in order (`[0-9]`, `[02468]`; not `[x]`, `[9-1]`, `[a-]`), each
# character or class maybe followed by `+` or `?` (never a special character: `*+`, `a++`).
# Branch and tag names neither start with `/` nor end with `/` or `.` (git-check-ref-format).
_RANGES = "|".join([f"{a}-{b}" for a in range(10) for b in range(a + 1, 10)] + ["a-z", "A-Z", "a-f", "A-F"])
_CLASS = f"\\[((({_RANGES})|[A-Za-z0-9._])(({_RANGES})|[A-Za-z0-9._])+|({_RANGES}))\\]"
_GLOB_ITEMS = f"(([A-Za-z0-9._/@$-]|{_CLASS})[+?]?|\\*)+"
GLOB = f"^!?{_GLOB_ITEMS}$"
REF_GLOB = f"^(?!!?/)(?![\\s\\S]*[/.]$)!?{_GLOB_ITEMS}$"
REF_FILTERS = tuple(f"/on/*/{f}{tail}" for f in ("branches", "branches-ignore", "tags", "tags-ignore")
                    for tail in ("", "/*"))
NOT_EMPTY = (
    "/concurrency", "/jobs/*/concurrency", "/jobs/*/environment", "/jobs/*/runs-on", "/jobs/*/runs-on/*",
    "/defaults/run/shell", "/defaults/run/working-directory",
    "/jobs/*/defaults/run/shell", "/jobs/*/defaults/run/working-directory",
    "/jobs/*/steps/*/run", "/jobs/*/steps/*/id", "/jobs/*/steps/*/wait", "/jobs/*/steps/*/wait/*",
    "/jobs/*/steps/*/cancel", "/jobs/*/container/image", "/jobs/*/services/*/image", "/concurrency/group",
    "/jobs/*/concurrency/group", "/jobs/*/if", "/jobs/*/steps/*/if", "/jobs/*/steps/*/shell", "/jobs/*/steps/*/working-directory",
    "/run-name", "/jobs/*/environment/name", "/jobs/*/environment/url", "/on/workflow_call/outputs/*/value",
    "/jobs/*/container/volumes/*", "/jobs/*/container/ports/*", "/jobs/*/services/*/volumes/*", "/jobs/*/services/*/ports/*",
    "/jobs/*/container/credentials/username", "/jobs/*/container/credentials/password",
    "/jobs/*/services/*/credentials/username", "/jobs/*/services/*/credentials/password",
)

def _activity_types() -> dict[str, list[str]]:
    """Event name -> its activity types, as the workflow schema lists them."""
    def find(node):
        if not isinstance(node, dict):
            return None
        enum = ((node.get("properties") or {}).get("types") or {}).get("items", {}).get("enum")
        for sub in (node.get("oneOf", []) + node.get("allOf", []) + node.get("anyOf", [])) if not enum else ():
            enum = enum or find(sub)
        return enum

    events = next(b for b in read_schema("github-workflow")[0]["properties"]["on"]["oneOf"] if "properties" in b)
    return {name: [t for t in found if t not in UNKNOWN_TYPES.get(name, ())]
            for name, node in events["properties"].items() if (found := find(node))}


# Activity types the schema lists that the installed actionlint does not know (each probed alone:
# "invalid activity type "rerequested" for "check_suite" Webhook event").
UNKNOWN_TYPES = {"check_suite": ("requested", "rerequested")}


# The keys actionlint lets the events take whose schema is `eventObject` (any mapping: draft 7
# ignores the properties beside its `$ref`), each event alone probed with the installed binary
# ("unexpected key "x" for "check_suite" section").
_TYPES_ONLY = ("branch_protection_rule", "check_run", "check_suite", "discussion", "discussion_comment",
               "issue_comment", "issues", "label", "milestone", "pull_request_review", "pull_request_review_comment",
               "registry_package", "release", "watch", "repository_dispatch")
EVENT_KEYS = {**dict.fromkeys(_TYPES_ONLY, frozenset({"types"})),
              **dict.fromkeys(("create", "delete", "deployment", "deployment_status", "fork", "gollum", "page_build",
                               "public", "status"), frozenset()),
              "merge_group": frozenset({"types", "branches", "branches-ignore"}),
              "workflow_run": frozenset({"types", "branches", "branches-ignore", "workflows"}),
              # whose `$ref` hides their own keys, which the schema then takes as free keys
              "workflow_dispatch": frozenset({"inputs"}), "workflow_call": frozenset({"inputs", "outputs", "secrets"})}


def _one_of(names) -> dict:
    """A string, or a list of strings, each one of `names` (actionlint: "invalid activity type
    "true""; the event's schema is any mapping, so `types` may hold anything)."""
    regex = "^(" + "|".join(map(ecma.escape, names)) + ")$"
    # (the items' constraint marked as the profile's, as `patch.constrain` marks its own, so an
    # item keeps the schema's ids where the profile leaves it one kind)
    return {"type": ["string", "array"], "pattern": regex, "items": narrowing({}, {"type": "string", "pattern": regex})}


# Sections given as a string hold exactly one `${{ }}` (actionlint: "expecting a single ${{...}}
# expression or mapping value"), and actionlint's non-empty sections.
MAPPINGS = SECTIONS
# Numbers and booleans given as a string hold one `${{ }}` too ("expecting a single ${{...}}
# expression or integer literal", "... or boolean literal"), and numbers are positive ("must be
# greater than zero").
# actionlint: "constant expression in condition": a condition that is a literal alone (bare or in
# `${{ }}`; `if: false` as a boolean or number too). Constants built with operators (`1 == 1`)
# are not caught: that needs a name to be required, which name slots cannot do yet.
# actionlint: "expressions are not allowed in this static workflow field": the workflow's name,
# its defaults, a step's shell and the strings of `on` but a called workflow's input defaults
# and output values.
NO_EXPRESSION = "^(?![\\s\\S]*\\$\\{\\{)"
_FILTERS = ("branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore")
STATIC = ("/name", "/defaults/run/shell", "/defaults/run/working-directory", "/jobs/*/steps/*/shell",
          "/on/workflow_call/inputs/*/description",
          "/on/workflow_call/outputs/*/description", "/on/workflow_call/secrets/*/description") \
    + tuple(f"/on/*/{f}{tail}" for f in _FILTERS for tail in ("", "/*"))
# The schema's `$ref` hides workflow_dispatch's own keywords, so its inputs are free-form there.
# actionlint's input types, as a pattern on the free value (no value gains an id, no branch is
# left alone), and its five keys, as a rule's language of the free keys (`KeyNames`).
DISPATCH_INPUT_TYPES = "^(string|number|boolean|choice|environment)$"
DISPATCH_INPUT_KEYS = frozenset({"default", "description", "options", "required", "type"})

CONDITIONS = ("/jobs/*/if", "/jobs/*/steps/*/if")
CONSTANT_CONDITION = ("^[ \\t\\r\\n]*(\\$\\{\\{[ \\t\\r\\n]*)?(true|false|null|-?[0-9][0-9.]*|'([^']|'')*')"
                      "[ \\t\\r\\n]*(\\}\\}[ \\t\\r\\n]*)?$")
SINGLE_EXPRESSION = "^\\$\\{\\{([^}]|\\}[^}])*\\}\\}$"
# Not where the schema has minProperties already (`outputs`, `matrix`, `defaults`, `defaults.run`):
# the machine tells the profile's narrowing from the schema's by location (`Rules.added`).
NONEMPTY_SECTIONS = ENVS + ("/on", "/jobs/*/steps/*/with", "/jobs/*/with", "/jobs/*/services", "/jobs/*/secrets",
                            "/jobs/*/runs-on", "/jobs/*/strategy/matrix/include/*", "/jobs/*/strategy/matrix/exclude/*")
CREDENTIALS = ("/jobs/*/container/credentials", "/jobs/*/services/*/credentials")
# Sections whose keys are free and which actionlint parses as mappings: no empty key ("string
# should not be empty"; `env` sections have their own key pattern).
NAMED_SECTIONS = ("/on/workflow_call/inputs", "/on/workflow_call/outputs", "/on/workflow_call/secrets",
                  "/on/workflow_dispatch/inputs", "/jobs/*/outputs", "/jobs/*/services",
                  "/jobs/*/strategy/matrix", "/jobs/*/steps/*/with", "/jobs/*/with", "/jobs/*/secrets")


def _with_parallel(entries: tuple) -> tuple:
    """Each entry at a step's location, and again at the steps of its `parallel` groups."""
    return entries + tuple((e[0].replace("/steps/*/", "/steps/*/parallel/*/", 1),) + tuple(e[1:])
                           for e in entries if "/steps/*/" in e[0])


# Sections whose keys actionlint compares ignoring case ("key "x" is duplicated in "inputs"
# section"; checked with the binary). `env` and `jobs` are too, but each new key there would
# compile an automaton excluding all earlier ones (~70 ms each): left out.
DISTINCT_KEYS = ("/jobs/*/outputs", "/on/workflow_call/inputs", "/on/workflow_call/outputs",
                 "/on/workflow_dispatch/inputs")


def _matrix_rows(m, path):
    """The rows of the matrix an `exclude` entry at `path` is in, written before `exclude`
    (actionlint: ""x" in "exclude" section does not exist in matrix"; the corpus writes rows
    first, and a row written later cannot be waited for)."""
    matrix = m.stack[len(path) - 2]
    if matrix.kind != "object":
        return None
    return frozenset(k for k in matrix.values if k.lower() not in ("include", "exclude"))


EXCLUDE = KeyNames("/jobs/*/strategy/matrix/exclude/*", "the matrix's rows written before `exclude`", _matrix_rows,
                   distinct=True)


def _row_values(m, path):
    """The strings of the matrix row an `exclude` entry's value at `path` names (rows matched
    ignoring case), or None when a row holds anything else (a number, an expression)."""
    matrix = m.stack[len(path) - 3]
    if matrix.kind != "object":
        return None
    rows = [v for k, v in matrix.values.items() if k.lower() == path[-1].lower()]
    items = [x for row in rows for x in (row if isinstance(row, list) else [row])]
    if not rows or not all(isinstance(x, str) and "${{" not in x for x in items):
        return None
    return frozenset(items)


EXCLUDE_VALUES = ValueIn("/jobs/*/strategy/matrix/exclude/*/*", "actionlint: a value of the matrix's row", _row_values,
                         _matrix_rows)


PROFILE = Profile(
    name="github-workflow-strict",
    schema="github-workflow",
    strings=_with_parallel((
        ("/on/schedule/*/cron", CRON, "a cron schedule actionlint accepts"),
        ("/on/schedule/*/timezone", "^(" + "|".join(ecma.escape(z) for z in TIMEZONES) + ")$", "an IANA time zone"),
        ("/jobs/*/steps/*/uses", ACTION_REF, "owner/repo[/path]@ref, ./path, $/path or docker://image"),
        ("/jobs/*/uses", REUSABLE_WORKFLOW, "owner/repo/path/workflow.yml@ref, ./path/workflow.yml or $/path/workflow.yml"),
    ) + tuple((loc, SINGLE_EXPRESSION, "a single ${{ }} expression") for loc in MAPPINGS + NUMBERS + BOOLEANS)
      + tuple((loc + "/password", SINGLE_EXPRESSION, "a single ${{ }} expression (actionlint: a password from secrets)")
              for loc in CREDENTIALS)
      + tuple((loc, NO_EXPRESSION, "actionlint: no expression in this static field") for loc in STATIC)
      + tuple((loc, PATH_GLOB, "actionlint: a path filter does not start with '.' or '..'") for loc in PATH_FILTERS)
      + tuple((loc, GLOB, "actionlint: a filter pattern it parses") for loc in PATH_FILTERS)
      + tuple((loc, REF_GLOB, "actionlint: a branch or tag filter pattern it parses") for loc in REF_FILTERS)
      + tuple((loc, SHELL, "actionlint: a shell it knows or a command with {0}") for loc in SHELLS)),
    rules=(KeyOf("/jobs", "/needs", fold=True), ExpressionNames(), BackgroundRefs(), StepKeys(),
           *(ExclusiveValues(loc, ("queue", "max"), ("cancel-in-progress", True), "actionlint: they cannot be combined")
             for loc in ("/concurrency", "/jobs/*/concurrency")),
           RequiredKey("/on/workflow_run", "workflows", "actionlint: no workflow is configured for workflow_run"),
           CacheTrust(), OwedInputs(), OwedOutputs(),
           RequiredKey("/jobs/*", job_mode_owed, "actionlint: a reusable call under low-trust triggers "
                       "needs an explicit cache-mode"),
           KeyNames("/on/workflow_dispatch/inputs/*",
                    "actionlint: a workflow_dispatch input's keys (options: a choice's)",
                    lambda m, path: dispatch_input_keys(m, path, DISPATCH_INPUT_KEYS), fold=False), InputTypes())
    + tuple(KeyNames(loc, "actionlint: credentials have only a username and a password",
                     lambda m, path: frozenset(), fold=False) for loc in CREDENTIALS)
    + tuple(KeyNames(f"/on/{event}", f"actionlint: the keys a {event} event takes",
                     lambda m, path, keys=keys: keys, fold=False) for event, keys in EVENT_KEYS.items())
    + tuple(KeyNames(loc, "actionlint: these keys are case-insensitive", distinct=True) for loc in DISTINCT_KEYS)
    + (DistinctItems("/jobs/*/strategy/matrix/*", "actionlint: no duplicate value in a matrix row"), EXCLUDE,
       EXCLUDE_VALUES)
    + tuple(DistinctIds(loc, "actionlint: step ids are unique in a job") for (loc,) in _with_parallel((("/jobs/*/steps/*/id",),))),
    # Strings the schema says hold an expression hold a non-empty one, so the schema's shortest
    # such string (what compiled costs count) is as long as the grammar's (`${{a}}`).
    definitions=tuple((name, "^(?![\\s\\S]*\\$\\{\\{[ \\t\\r\\n]*\\}\\})", "an expression is not empty")
                      for name in ("expressionSyntax", "stringContainingExpressionSyntax"))
    + (("expressionSyntax", SINGLE_EXPRESSION, "a single ${{ }} expression"),),
    constraints=_with_parallel((
        # Leaves several keys open where the schema allowed closing too (never a forced step).
        ("/jobs/*", {"dependencies": {"runs-on": ["steps"]}}, "a job that runs on a runner has steps"),
        ("/on", {"not": {"enum": list(UNKNOWN_EVENTS)}, "items": {"not": {"enum": list(UNKNOWN_EVENTS)}},
                 "propertyNames": {"not": {"enum": list(UNKNOWN_EVENTS)}}}, "events actionlint knows"),
        # actionlint: "no workflow is configured for "workflow_run" event"
        ("/on", {"not": {"const": "workflow_run"}, "items": {"not": {"const": "workflow_run"}}},
         "workflow_run names its workflows"),
        ("/on/workflow_run", {"type": "object", "patternProperties": {"^workflows$": {
            "not": {"type": "object"}, "items": {"minLength": 1}}}}, "workflow_run names its workflows"),
        # Where the schema's `$ref` hides the event's own keywords, static fields are reached by
        # the event (patterns only: the keys stay free keys, the ids the schema's).
        ("/on/workflow_run", {"patternProperties": {"^workflows$": {
            "pattern": NO_EXPRESSION, "items": {"pattern": NO_EXPRESSION}}}}, "actionlint: a static field"),
        ("/on/workflow_dispatch", {"patternProperties": {"^inputs$": {"type": ["object", "null"], "additionalProperties": {
            "type": ["object", "null"], "patternProperties": {
                "^(description|default)$": {"pattern": NO_EXPRESSION},
                "^options$": {"items": {"pattern": NO_EXPRESSION}},
                "^type$": {"pattern": DISPATCH_INPUT_TYPES},
                "^required$": {"type": "boolean"}}}}}},
         "actionlint: a workflow_dispatch input (a mapping or null, its type, `required` and static fields)"),
        # a reusable workflow's inputs are a mapping; its secrets a mapping or `inherit`
        ("/jobs/*/with", {"type": "object"}, "a mapping"),
        ("/jobs/*/secrets", {"anyOf": [{"type": "object"}, {"const": "inherit"}]}, "a mapping or inherit"),
        ("/jobs/*/steps/*/wait-all", {"not": {"const": False}}, "actionlint: wait-all is true or omitted"),
        ("/jobs/*/strategy/max-parallel", {PLAIN_INTEGER: True, "maximum": 2 ** 63 - 1},
         "actionlint: an integer (64 bits), spelled without a fraction"),
        ("/jobs/*/steps/*/id", {"pattern": "^[A-Za-z_][A-Za-z0-9_-]{0,98}$"},
         "a step id actionlint accepts (shorter than 100 characters)"),
    ) + tuple((loc, {"pattern": NOT_BLANK}, "not empty") for loc in NOT_EMPTY)
    + tuple((loc, {"minProperties": 1}, "actionlint: section should not be empty") for loc in NONEMPTY_SECTIONS)
    + tuple((loc, {"exclusiveMinimum": 0}, "actionlint: greater than zero") for loc in NUMBERS)
    # minLength 2: the shortest condition the grammar leaves (`!0`) is what compiled costs count
    + tuple((loc, {"type": "string", "minLength": 2, "not": {"pattern": CONSTANT_CONDITION}},
             "actionlint: not a constant condition") for loc in CONDITIONS)
    + tuple((loc, {"required": ["username", "password"]}, "both credentials") for loc in CREDENTIALS)
    + tuple((loc, {"propertyNames": {"minLength": 1}}, "actionlint: a key is not empty") for loc in NAMED_SECTIONS)
    + tuple((loc, {"propertyNames": {"pattern": "^(?![\\s\\S]*\\$\\{\\{)[^&= \t]+$"}},
             "environment variable names: not empty, no '&', '=', spaces, no `${{` (actionlint lexes one)")
            for loc in ENVS)
    + tuple((f"/on/{event}", {"patternProperties": {"^types$": _one_of(names)}}, f"activity types of {event}")
            for event, names in _activity_types().items()),),
)


# Action inputs: by default what the installed actionlint knows (`action_probe`: its own data,
# keyed by the exact `uses:`; nothing when the binary is absent), or metadata the user gives
# (not shipped): a folder with one JSON per action, `{"action": "owner/repo[/path]", "inputs":
# {name: {...}}, ...}`, named by this environment variable ("none": `with:` keys stay free).
# Either way a step's `with:` keys are the inputs its action declares.
ACTIONS_ENV = "TCT_ACTIONS"
WITH = _with_parallel((("/jobs/*/steps/*/with",),))


def action_inputs(folder) -> dict[str, tuple]:
    """Action name as `uses:` writes it before `@`, lower case -> (its declared inputs, those
    required without a default)."""
    out = {}
    for path in sorted(Path(folder).glob("*.json")):
        try:
            meta = json.loads(path.read_text())
            inputs = meta.get("inputs") or {}
            out[meta["action"].lower()] = (frozenset(inputs), frozenset(
                n for n, spec in inputs.items() if spec.get("required") and spec.get("default") is None))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise TCTError(f"{path}: not action metadata ({exc})") from None
    if not out:
        raise TCTError(f"{folder}: no action metadata (*.json) found ({ACTIONS_ENV})")
    return out


def _action(m, step_path):
    """The `uses:` of the step at `step_path` when it names an action (written before)."""
    uses = m.stack[len(step_path)].values.get("uses") if m.stack[len(step_path)].kind == "object" else None
    return uses if isinstance(uses, str) and "@" in uses else None


def _action_rules(inputs_of, required_of) -> tuple:
    """A step's `with:` keys are the inputs of its action (`inputs_of(uses)`, None: any key), and
    it has those the action requires (`required_of(uses)`; actionlint: "missing input "x" which
    is required by action"): a step whose `uses:` comes first does not close without `with:`,
    nor `with:` without them. A `with:` written before `uses:` is not checked."""
    def inputs(m, path):
        uses = _action(m, path[:-1])
        return None if uses is None else inputs_of(uses)

    def needs_with(m, path):
        uses = _action(m, path)
        return ("with",) if uses is not None and required_of(uses) else ()

    def required(m, path):
        uses = _action(m, path[:-1])
        return () if uses is None else tuple(sorted(required_of(uses)))
    why = "actionlint: an input the action requires"
    out = ()
    for (loc,) in WITH:
        given = RequiredKey(loc, required, why, fold=True)
        step = loc.rsplit("/", 1)[0]
        out += (KeyNames(loc, "the inputs the action declares", inputs, distinct=True), given,
                RequiredKey(step, needs_with, why, inner=given), TextInKey(step + "/uses"))
    return out


@lru_cache(maxsize=8)
def strict(actions: str | None = None) -> Profile:
    """The profile, with `with:` keys checked against the inputs of each step's action (those it
    declares, those it requires): as the installed actionlint knows them (`actions` None), as
    the metadata in folder `actions` gives them, or not at all ("none", or no actionlint)."""
    if actions == "none":
        return PROFILE
    if actions:
        folder = action_inputs(actions)
        inputs_of = lambda uses: folder.get(uses.split("@", 1)[0].lower(), (None,))[0]  # noqa: E731
        required_of = lambda uses: folder.get(uses.split("@", 1)[0].lower(), (None, frozenset()))[1]  # noqa: E731
    else:
        binary = actionlint_binary()
        if binary is None:
            return PROFILE
        probe = ActionlintInputs(binary)
        inputs_of, required_of = probe, probe.required
    return dataclasses.replace(PROFILE, rules=PROFILE.rules + _action_rules(inputs_of, required_of))
