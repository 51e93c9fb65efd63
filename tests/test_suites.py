"""SchemaStore suites: strict compilation or a clear refusal; verdicts equal jsonschema's;
lossless round trips; random walks valid."""

import json

import numpy as np
import pytest

import tct
from conftest import SUITES, need
from tct.generation.constrained import random_walk
from tct.schema.reference import reference_validator


def _suites():
    if not SUITES.exists():
        return []
    return sorted(p.name for p in SUITES.iterdir() if (p / "schema.json").exists())


# Wrong today, as strict xfails so that a fix shows up.
KNOWN_WRONG: dict[str, str] = {}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[n])) if n in KNOWN_WRONG else n
    for n in _suites() or ["<no shared suites>"]])
def test_suite(name):
    folder = need(SUITES / name)
    schema = json.loads((folder / "schema.json").read_text(encoding="utf-8"))
    try:
        tok = tct.Tokenizer.from_schema(schema)
    except tct.SchemaError as exc:
        # Refusing is allowed; it must say which keyword and where.
        assert exc.pointer.startswith("#") and str(exc)
        return
    validator = reference_validator(schema)
    for sub in ("valid", "invalid"):
        for f in sorted((folder / sub).glob("*")) if (folder / sub).exists() else []:
            try:
                doc = tct.load_document(f)
            except tct.DocumentError:
                continue  # not a JSON value (e.g. YAML with non-string keys)
            expected = validator.is_valid(doc)
            try:
                ids = tok.encode(doc)
            except tct.SchemaViolation:
                assert not expected, f"{name}/{sub}/{f.name}: valid document rejected"
                continue
            assert expected, f"{name}/{sub}/{f.name}: invalid document accepted"
            assert json.dumps(tok.decode(ids)) == json.dumps(doc)
    rng = np.random.default_rng(0)
    for _ in range(5):
        doc = tok.decode(random_walk(tok, rng, max_tokens=800))
        assert validator.is_valid(doc), f"{name}: random walk produced {json.dumps(doc)[:200]}"


def test_most_suites_compile_strictly():
    names = _suites()
    if not names:
        pytest.skip("shared suites absent")
    ok = 0
    for name in names:
        try:
            tct.Tokenizer.from_schema(json.loads((SUITES / name / "schema.json").read_text(encoding="utf-8")))
            ok += 1
        except tct.SchemaError:
            pass
    assert ok >= 80, f"only {ok} of {len(names)} schemas compile strictly"
