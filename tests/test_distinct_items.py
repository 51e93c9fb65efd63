"""A matrix row's string values are distinct (`DistinctItems`), and a job's step ids ignoring case
(`DistinctIds`), over the schema's ids."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

import tct
from conftest import completions_at_prefixes, wander_and_check
from test_profiles import strict, valid_under_profile

DOC = {"on": "push", "jobs": {"j": {"runs-on": "${{ matrix.os }}", "strategy": {"matrix": {
    "os": ["ubuntu-latest", "ubuntu-latest-arm", "u"], "py": ["3.1", "3.10", 3.1, True],
    "include": [{"os": "u", "py": "3.1"}]}}, "steps": [{"run": "x"}]}}}


def _repeated(doc) -> list:
    out = []
    for job in doc["jobs"].values():
        matrix = (job.get("strategy") or {}).get("matrix")
        for row in (matrix.values() if isinstance(matrix, dict) else ()):
            strings = [v for v in row if isinstance(v, str)] if isinstance(row, list) else []
            out += [v for v in set(strings) if strings.count(v) > 1]
    return out


def test_distinct_values_encode_with_the_schemas_ids():
    assert strict().encode(DOC) == strict().base.encode(DOC)


def test_a_repeated_value_is_refused_with_path_and_reason():
    doc = {"on": "push", "jobs": {"j": {"runs-on": "x", "strategy": {"matrix": {"v": ["3.x", "3", "3.x"]}},
                                        "steps": [{"run": "x"}]}}}
    with pytest.raises(tct.SchemaViolation) as err:
        strict().encode(doc)
    assert err.value.path == "/jobs/j/strategy/matrix/v/2" and "'3.x' repeats an earlier item" in str(err.value)


def test_every_prefix_completes_within_its_promise_without_repeats():
    checked = 0
    for _, done in completions_at_prefixes(strict(), DOC, every=1, exact_every=4):
        assert valid_under_profile(done) and not _repeated(done), done["jobs"]
        checked += 1
    assert checked > 50


@settings(max_examples=12, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_wandering_keeps_masks_exact_and_values_distinct(cut, choices):
    wander_and_check(strict(), DOC, cut, choices, lambda doc: valid_under_profile(doc) and not _repeated(doc),
                     samples=8)


# Step ids distinct ignoring case (`DistinctIds`), `parallel` groups' included.
STEPS = {"on": "push", "jobs": {"j": {"runs-on": "x", "steps": [
    {"id": "a", "run": "x"}, {"id": "b", "run": "x"}, {"parallel": [{"id": "c", "run": "x"}, {"id": "d", "run": "x"}]},
    {"id": "e", "run": "echo ${{ steps.a.outcome }}"}]}}}


def _repeated_ids(doc) -> list:
    out = []
    for job in doc["jobs"].values():
        ids = [s2.get("id").lower() for s in job.get("steps") or () if isinstance(s, dict)
               for s2 in [s, *(s.get("parallel") or ())] if isinstance(s2, dict) and isinstance(s2.get("id"), str)]
        out += [i for i in set(ids) if ids.count(i) > 1]
    return out


@pytest.mark.parametrize("steps, path", [
    ([{"id": "a", "run": "x"}, {"id": "A", "run": "y"}], "/jobs/j/steps/1/id"),
    ([{"id": "a", "run": "x"}, {"parallel": [{"id": "b", "run": "y"}, {"id": "B", "run": "z"}]}], "/jobs/j/steps/1/parallel/1/id"),
    ([{"parallel": [{"id": "b", "run": "y"}]}, {"id": "b", "run": "z"}], "/jobs/j/steps/1/id"),
])
def test_a_repeated_step_id_is_refused_with_path_and_reason(tmp_path, steps, path):
    """actionlint agrees: "step ID "A" duplicates ... step ID is case insensitive"."""
    doc = {"on": "push", "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": steps}}}
    strict().base.encode(doc)  # schema-valid
    with pytest.raises(tct.SchemaViolation) as err:
        strict().encode(doc)
    assert err.value.path == path and "repeats an earlier step id ignoring case" in str(err.value)
    from tct.data.documents import dumps_document
    from tct.eval import actionlint
    if actionlint.executable() is None:
        pytest.skip("actionlint is not installed")
    (tmp_path / "w.yml").write_text(dumps_document(doc, "yaml"))
    assert any("duplicates" in e["message"] for e in actionlint.lint([tmp_path / "w.yml"])[(tmp_path / "w.yml").resolve()])


def test_every_prefix_completes_within_its_promise_with_distinct_step_ids():
    assert strict().encode(STEPS) == strict().base.encode(STEPS)
    checked = 0
    for _, done in completions_at_prefixes(strict(), STEPS, every=1, exact_every=4):
        assert valid_under_profile(done) and not _repeated_ids(done), done["jobs"]
        checked += 1
    assert checked > 50


@settings(max_examples=10, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_wandering_keeps_masks_exact_and_step_ids_distinct(cut, choices):
    wander_and_check(strict(), STEPS, cut, choices, lambda doc: valid_under_profile(doc) and not _repeated_ids(doc),
                     samples=8)


def test_a_parallel_step_has_no_id():
    """actionlint: "expected "parallel" key for step to run steps in parallel but got "id"" (so a
    group's ids never meet its own step's)."""
    doc = {"on": "push", "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": [
        {"id": "c", "parallel": [{"id": "d", "run": "y"}, {"id": "e", "run": "y"}]}]}}}
    strict().base.encode(doc)
    with pytest.raises(tct.SchemaViolation) as err:
        strict().encode(doc)
    assert err.value.path == "/jobs/j/steps/0" and "a parallel step has no 'id'" in str(err.value)
