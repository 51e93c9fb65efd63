"""Free keys from a set of names (`KeyNames`), over the schema's ids: a step's `with:` keys are
the inputs its action declares, given action metadata (`TCT_ACTIONS`); a workflow_dispatch
input has actionlint's five keys; sections actionlint reads ignoring case have no two keys
equal ignoring case; a matrix's `exclude` entries name its rows written before, and a string
value there is one of its row's strings (`ValueIn`)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

import tct
from tct.codec.profiles import github_workflow
from conftest import completions_at_prefixes, wander_and_check
from test_profiles import valid_under_profile

# Two made-up actions: metadata in the format of ../shared/actions (not read from it).
ACTIONS = {"acme/setup-tool": ["version", "cache", "Token-Name"], "acme/mono/sub": ["x"]}
DOC = {"on": {"workflow_dispatch": {"inputs": {"v": {"type": "string", "required": True}, "W": {}}}},
       "env": {"A": "1", "b": "2"}, "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": [
    {"uses": "acme/setup-tool@v2", "with": {"VERSION": "1.2", "token-name": "${{ github.token }}"}},
    {"uses": "acme/mono/sub@main", "with": {"x": 1}},
    {"uses": "other/action@v1", "with": {"anything": True}},
    {"with": {"free-before-uses": "a"}, "uses": "acme/setup-tool@v2"},
    {"uses": "acme/setup-tool@v2", "with": {"cache": True}}]},
    "m": {"runs-on": "x", "strategy": {"matrix": {"os": ["a", "b"], "node": [1, 2], "exclude": [{"OS": "a", "node": 1}]}},
          "steps": [{"run": "x"}]}}}


@pytest.fixture(scope="module")
def tok(tmp_path_factory):
    folder = tmp_path_factory.mktemp("actions")
    for name, inputs in ACTIONS.items():
        (folder / f"{name.replace('/', '__')}.json").write_text(json.dumps(
            {"action": name, "inputs": {i: {"required": False, "default": None} for i in inputs}}))
    return tct.Tokenizer.from_schema("github-workflow", profile=github_workflow.strict(str(folder)))


def _undeclared(doc) -> list:
    out = []
    steps = [s for job in doc["jobs"].values() for s in job.get("steps", ()) if isinstance(s, dict)]
    for step in steps:
        uses, keys = step.get("uses", ""), list(step.get("with") or {}) if isinstance(step.get("with"), dict) else []
        inputs = ACTIONS.get(uses.split("@")[0].lower()) if "@" in uses and list(step).index("uses") < \
            (list(step).index("with") if "with" in step else 99) else None
        if inputs is not None:
            out += [k for k in keys if k.lower() not in {i.lower() for i in inputs}]
    return out


def _repeated_or_foreign(doc) -> list:
    """Keys actionlint refuses: repeated ignoring case, or not a workflow_dispatch input's."""
    inputs = ((doc["on"] or {}).get("workflow_dispatch") or {}).get("inputs") if isinstance(doc["on"], dict) else None
    inputs = inputs if isinstance(inputs, dict) else None  # (the schema leaves `inputs: true` free)
    out = [k for v in (inputs or {}).values() if isinstance(v, dict) for k in v
           if k not in github_workflow.DISPATCH_INPUT_KEYS]
    for section in (inputs,):
        keys = [k.lower() for k in section or ()] if isinstance(section, dict) else []
        out += [k for k in set(keys) if keys.count(k) > 1]
    for job in doc["jobs"].values():
        matrix = (job.get("strategy") or {}).get("matrix") if isinstance(job.get("strategy"), dict) else None
        if isinstance(matrix, dict) and isinstance(matrix.get("exclude"), list):
            keys = list(matrix)
            rows = {k.lower() for k in keys[:keys.index("exclude")]} - {"include"}
            out += [k for e in matrix["exclude"] if isinstance(e, dict) for k in e if k.lower() not in rows]
            out += [k for e in matrix["exclude"] if isinstance(e, dict) for k in {k.lower() for k in e}
                    if [x.lower() for x in e].count(k) > 1]
            out += [v for e in matrix["exclude"] if isinstance(e, dict) for k, v in e.items()
                    if isinstance(v, str) and "${{" not in v and v.lower() not in _row_strings(matrix, k, v)]
    return out


def _row_strings(matrix, key, value) -> set:
    """The strings (folded) of `key`'s row, or {value} when the row holds anything else."""
    items = [x for k, row in matrix.items() if k.lower() == key.lower() for x in (row if isinstance(row, list) else [row])]
    if items and all(isinstance(x, str) and "${{" not in x for x in items):
        return {x.lower() for x in items}
    return {value.lower()}


def test_declared_inputs_encode_with_the_schemas_ids(tok):
    ids = tok.encode(DOC)
    assert ids == tok.base.encode(DOC) and tok.decode(ids) == DOC


@pytest.mark.parametrize("doc, path, what", [
    ({"on": {"workflow_dispatch": {"inputs": {"a": {"types": "x"}}}}}, "/on/workflow_dispatch/inputs/a",
     "'types' is not one of default, description"),
    ({"on": {"workflow_dispatch": {"inputs": {"a": {"Type": "string"}}}}}, "/on/workflow_dispatch/inputs/a", "'Type'"),
    ({"on": {"workflow_dispatch": {"inputs": {"go": {}, "Go": {}}}}}, "/on/workflow_dispatch/inputs",
     "'Go' repeats a key ignoring case"),
    ({"on": {"workflow_call": {"outputs": {"o": {"value": "x"}, "O": {"value": "y"}}}}}, "/on/workflow_call/outputs",
     "'O' repeats a key ignoring case"),
    ({"on": "push", "jobs": {"m": {"runs-on": "x", "strategy": {"matrix": {"os": ["a"], "include": [{"x": 1}], "exclude": [{"x": 1}]}},
                     "steps": [{"run": "x"}]}}}, "/jobs/m/strategy/matrix/exclude/0", "'x' is not one of os"),
    ({"on": "push", "jobs": {"m": {"runs-on": "x", "strategy": {"matrix": {"os": ["a"], "exclude": [{"os": "a", "OS": "b"}]}},
                     "steps": [{"run": "x"}]}}}, "/jobs/m/strategy/matrix/exclude/0", "'OS' repeats a key ignoring case"),
    ({"on": "push", "jobs": {"m": {"runs-on": "x", "strategy": {"matrix": {"exclude": [{"os": "a"}], "os": ["a"]}},
                     "steps": [{"run": "x"}]}}}, "/jobs/m/strategy/matrix/exclude/0", "'os' is not one of"),
    ({"on": "push", "jobs": {"m": {"runs-on": "x", "steps": [{"uses": "./a", "with": {"": 1}}]}}}, "/jobs/m/steps/0/with",
     "property name '' is not allowed"),
    ({"on": "push", "jobs": {"m": {"runs-on": "x", "strategy": {"matrix": {"os": ["a", "b"], "exclude": [{"OS": "c"}]}},
                     "steps": [{"run": "x"}]}}}, "/jobs/m/strategy/matrix/exclude/0/OS", "'c' is not one of 'a', 'b'"),
])
def test_keys_actionlint_refuses_are_refused_with_path_and_reason(tok, doc, path, what):
    doc = {**doc, "jobs": {"build": {"runs-on": "x", "steps": [{"run": "x"}]}, **doc.get("jobs", {})}}
    tok.base.encode(doc)  # schema-valid
    with pytest.raises(tct.SchemaViolation) as err:
        tok.encode(doc)
    assert err.value.path == path and what in str(err.value)


@pytest.mark.parametrize("step, what", [
    ({"uses": "acme/setup-tool@v2", "with": {"versions": "1"}}, "'versions' is not one of Token-Name, cache, version"),
    ({"uses": "ACME/Setup-Tool@v2", "with": {"cach": "1"}}, "'cach' is not one of"),
    ({"uses": "acme/mono/sub@v1", "with": {"x": 1, "y": 2}}, "'y' is not one of x"),
])
def test_an_input_the_action_does_not_declare_is_refused_with_path_and_reason(tok, step, what):
    doc = {"on": "push", "jobs": {"j": {"runs-on": "x", "steps": [step]}}}
    tok.base.encode(doc)  # schema-valid
    with pytest.raises(tct.SchemaViolation) as err:
        tok.encode(doc)
    assert err.value.path == "/jobs/j/steps/0/with" and what in str(err.value)


def test_every_prefix_completes_within_its_promise_with_declared_inputs(tok):
    """Completions spell declared inputs where `with` must get a key (`minProperties`): the
    shortest name, charged by the object (or the value that will be it)."""
    checked = 0
    for _, done in completions_at_prefixes(tok, DOC, every=1, exact_every=4):
        assert valid_under_profile(done) and not _undeclared(done) and not _repeated_or_foreign(done), done
        checked += 1
    assert checked > 100


def test_with_none_the_shipped_profile_leaves_inputs_free():
    assert github_workflow.strict("none") is github_workflow.PROFILE
    tct.Tokenizer.from_schema("github-workflow", profile=github_workflow.strict("none")).encode(
        {"on": "push", "jobs": {"j": {"runs-on": "x", "steps": [{"uses": "actions/checkout@v4", "with": {"y": 1}}]}}})


WITH = "/jobs/j/steps/0/with"


@pytest.mark.parametrize("step, refused_at", [
    ({"uses": "actions/checkout@v4", "with": {"fetch-depth": 0, "Path": "a"}}, None),
    ({"uses": "actions/checkout@v4", "with": {"fetch-dept": 0}}, WITH),
    ({"uses": "actions/checkout@v4", "with": {"path": "a", "PATH": "b"}}, WITH),
    ({"uses": "actions/cache@v4", "with": {"path": "a", "key": "k", "fetch-depth": 1}}, WITH),
    ({"uses": "actions/checkout@0123456789abcdef0123456789abcdef01234567", "with": {"anything": 1}}, None),
    ({"uses": "someone/unknown-action@v1", "with": {"anything": 1}}, None),
    # required inputs, matched ignoring case
    ({"uses": "actions/setup-java@v4", "with": {"Distribution": "temurin"}}, None),
    ({"uses": "actions/setup-java@v4", "with": {"java-version": "17"}}, WITH),
    ({"uses": "actions/setup-java@v4"}, "/jobs/j/steps/0"),
    ({"uses": "actions/cache@v4", "with": {"path": "a"}}, WITH),
])
def test_by_default_with_keys_are_the_inputs_actionlint_knows(tmp_path, step, refused_at):
    """Without metadata the profile asks the installed actionlint (`action_probe`) for the
    inputs of each exact `uses:` and those it requires; actionlint agrees on each step (a SHA
    or an action it does not know leaves `with:` free, as actionlint does)."""
    ok = refused_at is None
    from tct.data.documents import dumps_document
    from tct.eval import actionlint
    if actionlint.executable() is None:
        assert github_workflow.strict(None) is github_workflow.PROFILE
        pytest.skip("actionlint is not installed")
    tok = tct.Tokenizer.from_schema("github-workflow", profile=github_workflow.strict(None))
    doc = {"on": "push", "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": [step]}}}
    if ok:
        assert tok.decode(tok.encode(doc)) == doc
    else:
        with pytest.raises(tct.SchemaViolation) as err:
            tok.encode(doc)
        assert err.value.path == refused_at
    path = tmp_path / "w.yml"
    path.write_text(dumps_document(doc, "yaml"))
    inputs = [e for e in actionlint.lint([path])[path.resolve()] if e["kind"] == "action" or "duplicated" in e["message"]]
    assert (not inputs) == ok, inputs


def test_completions_give_the_inputs_an_action_requires():
    """After every prefix, the shortest completion writes `with:` and the inputs the action
    requires (actionlint's data), within `remaining_cost()`; masks and cost deltas stay exact."""
    if github_workflow.actionlint_binary() is None:
        pytest.skip("actionlint is not installed")
    tok = tct.Tokenizer.from_schema("github-workflow", profile=github_workflow.strict(None))
    doc = {"on": "push", "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": [
        {"uses": "actions/setup-java@v4", "with": {"java-version": "17", "distribution": "zulu"}},
        {"uses": "actions/cache@v4", "with": {"path": "a", "key": "k"}}]}}}
    done = 0
    for _, out in completions_at_prefixes(tok, doc, every=2, exact_every=12):
        for step in (s for job in out["jobs"].values() for s in job.get("steps", ())):
            required = {"actions/setup-java@v4": {"distribution"}, "actions/cache@v4": {"path", "key"}}.get(step.get("uses"))
            if required:
                assert required <= {k.lower() for k in step.get("with", {})}, out
                done += 1
    assert done > 20


def test_a_folder_without_metadata_is_a_clear_error(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(tct.TCTError, match="a.json: not action metadata"):
        github_workflow.action_inputs(tmp_path)


@settings(max_examples=15, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_wandering_keeps_masks_exact_and_inputs_declared(tok, cut, choices):
    wander_and_check(tok, DOC, cut, choices, lambda doc: valid_under_profile(doc) and not _undeclared(doc)
                     and not _repeated_or_foreign(doc), samples=8)


def test_completions_of_exclude_values_keep_their_promise(tok):
    """The shortest completion of an `exclude` entry stays within its promise (a value left only
    strings of its row costs more than a boolean's one id, and the list, the entry and a key
    being spelled charge it), and a value it writes is one of the row's or an expression."""
    doc = {"on": "push", "jobs": {"t": {"runs-on": "x", "strategy": {"matrix": {
        "os": ["ubuntu-latest", "windows-latest"], "node": [14, 16],
        "exclude": [{"os": "windows-latest", "node": 14}]}}, "steps": [{"run": "x"}]}}}
    checked = 0
    for _, out in completions_at_prefixes(tok, doc, every=1, exact_every=10):
        for job in out["jobs"].values():
            matrix = job.get("strategy", {}).get("matrix", {})
            for entry in matrix.get("exclude", []) if isinstance(matrix, dict) else ():
                rows = {k.lower(): {x.lower() for x in v} for k, v in matrix.items()
                        if isinstance(v, list) and all(isinstance(x, str) for x in v)}
                assert all(k.lower() not in rows or isinstance(v, str) and ("${{" in v or v.lower() in rows[k.lower()])
                           for k, v in entry.items()), entry
                checked += 1
    assert checked > 10


def test_actionlint_agrees_on_exclude_values(tmp_path):
    """An exclude value the profile accepts passes actionlint, one it refuses is reported:
    strings match the row's ignoring case, an expression is not checked; other kinds only where
    the row spells one (a number where one reads as a number; a boolean never, even against
    "true")."""
    from tct.data.documents import dumps_document
    from tct.eval import actionlint
    tok = tct.Tokenizer.from_schema("github-workflow", profile="github-workflow-strict")
    cases = [("a", True), ("B", True), ("c", False), ("${{ github.ref }}", True), ("ab", False), ("", False),
             (True, False), (1.5, False), (None, False), ({"x": 1}, False), (["a"], False), ("true", False)]
    paths, accepted = [], []
    for i, (value, _) in enumerate(cases):
        doc = {"on": "push", "jobs": {"t": {"runs-on": "ubuntu-latest", "strategy": {"matrix": {
            "os": ["a", "b"], "exclude": [{"os": value}]}}, "steps": [{"run": "x"}]}}}
        try:
            tok.encode(doc)
            accepted.append(True)
        except tct.SchemaViolation:
            accepted.append(False)
        paths.append(tmp_path / f"w{i}.yml")
        paths[-1].write_text(dumps_document(doc, "yaml"))
    for j, (value, row) in enumerate([(1.5, ["a", "1.5"])]):
        doc = {"on": "push", "jobs": {"t": {"runs-on": "ubuntu-latest", "strategy": {"matrix": {
            "os": row, "exclude": [{"os": value}]}}, "steps": [{"run": "x"}]}}}
        assert tok.decode(tok.encode(doc)) == doc
        paths.append(tmp_path / f"v{j}.yml")
        paths[-1].write_text(dumps_document(doc, "yaml"))
        accepted.append(True)
    assert accepted[:len(cases)] == [ok for _, ok in cases]
    if actionlint.executable() is None:
        pytest.skip("actionlint is not installed")
    errors = actionlint.lint(paths)
    assert [not errors[p.resolve()] for p in paths] == accepted, errors
