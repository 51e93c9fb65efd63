"""At random states of compiled schemas, the mask is exactly the set of ids `feed` accepts, and
the shortest completion after every allowed id is a document the reference validator accepts,
no longer than `remaining_cost()` promises (the token budget of generation relies on it).

A state is reached from BOS by a list of choices (choice i picks allowed id number
`choices[i] % count`), so hypothesis shrinks a failure to a short prefix.
"""

from __future__ import annotations

import functools
import json
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tct
from conftest import SUITES, feed_accepts, need
from tct.schema.load import read_schema
from tct.schema.reference import reference_validator

# github-workflow is the built-in; the others are SchemaStore suites with patterns, oneOf,
# nested definitions and enums of different sizes.
SCHEMAS = ["github-workflow", "dependabot", "github-action", "kustomization", "tsconfig", "clang-format-18.x"]
STATES_PER_SCHEMA = int(os.environ.get("TCT_PROPERTY_STATES", 10))  # raise it for a deeper search


@functools.lru_cache(maxsize=None)
def compiled(name: str):
    if name == "github-workflow":
        schema = read_schema(name)[0]
    else:
        schema = json.loads((need(SUITES / name) / "schema.json").read_text(encoding="utf-8"))
    return tct.Tokenizer.from_schema(schema), reference_validator(schema)


def reach(tok, choices: list[int]):
    """(decoder, ids) after following `choices` from the start."""
    d, ids = tok.decoder(), []
    for c in choices:
        allowed = np.flatnonzero(d.allowed())
        if not len(allowed):
            break
        ids.append(int(allowed[c % len(allowed)]))
        d.feed(ids[-1])
    return d, ids


def finish(d):
    """The shortest completion from `d` (on a copy): (ids, document); it must end within
    `remaining_cost()` ids, the bound the token budget of generation relies on."""
    promised = d.remaining_cost()
    d = d.copy()
    out = []
    while not d.done:
        assert len(out) < promised, f"no end within the promised {promised} ids at {d.describe()}"
        out.append(d.completion_id())
        d.feed(out[-1])
    return out, d.document()


@pytest.mark.parametrize("name", SCHEMAS)
@settings(max_examples=STATES_PER_SCHEMA, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choices=st.lists(st.integers(0, 2 ** 16), max_size=120))
def test_mask_is_what_feed_accepts_and_completions_are_valid(name, choices):
    tok, validator = compiled(name)
    d, ids = reach(tok, choices)
    accepted = feed_accepts(d)
    mask = d.allowed()
    assert set(np.flatnonzero(mask).tolist()) == accepted, (
        f"{name} at {d.describe()}: mask-only {sorted(set(np.flatnonzero(mask).tolist()) - accepted)}, "
        f"feed-only {sorted(accepted - set(np.flatnonzero(mask).tolist()))}")
    rest, doc = finish(d)
    assert tok.complete(ids) == rest
    assert validator.is_valid(doc), f"{name}: completion {json.dumps(doc)[:200]}"
    for t in sorted(accepted):
        e = d.copy()
        e.feed(t)
        _, doc = finish(e)
        assert validator.is_valid(doc), (
            f"{name}: after {d.describe()} + {tok.token_name(t)}, completion {json.dumps(doc)[:200]}")
