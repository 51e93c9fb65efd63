"""A matrix row's string values are distinct (`DistinctItems`), over the schema's ids."""

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
