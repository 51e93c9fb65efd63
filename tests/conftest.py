"""Shared fixtures: the `../shared` data (tests skip cleanly without it) and compiled tokenizers."""

import json
import re
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "github-workflows"
SUITES = SHARED / "suites" / "schemastore"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not found at {path}")
    return path


@pytest.fixture(scope="session")
def manifest():
    need(CORPUS)
    return [json.loads(line) for line in (CORPUS / "MANIFEST.jsonl").read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def workflow_tok():
    import tct
    return tct.Tokenizer.from_schema("github-workflow")


@pytest.fixture(scope="session")
def workflow_validator():
    import jsonschema
    from tct.schema.load import read_schema
    return jsonschema.Draft7Validator(read_schema("github-workflow")[0])


def sample(entries, every: int):
    """A deterministic spread over the corpus (tests stay fast; benchmarks do every file)."""
    return [e for i, e in enumerate(entries) if i % every == 0]


def minified(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


JSON_COMMENT = re.compile(r"^\s*//.*$", re.M)


@pytest.fixture
def one_torch_thread():
    """Tiny matmuls are far slower with 2 OpenMP threads on a busy 2-core box (spin-waiting)."""
    import torch
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def default_model_or_skip():
    """The shipped model, or a skip while its checkpoint predates the current tokenizer (the
    vocabulary changed; the model is retrained separately)."""
    from tct.model.checkpoint import identity_mismatches, read_checkpoint_config
    from tct.model.registry import MODELS_DIR, tokenizer_for
    stored = read_checkpoint_config(MODELS_DIR / "default").get("tokenizer", {})
    problems = identity_mismatches(stored, tokenizer_for("github-workflow").identity())
    if problems:
        pytest.skip("shipped default model was trained for an older tokenizer; retrain it (" + problems[0] + ")")
    import tct
    return tct.load_model("default")


def check_cost_deltas(d, used: int) -> None:
    """`d.cost_deltas()` lists exactly the allowed ids and bounds the cost after each, and
    `budget_mask` is the set of ids `fits` accepts after feeding each on a copy."""
    import numpy as np

    from tct.generation.constrained import budget_mask, fits
    ids, least, most, largest = d.cost_deltas()
    assert sorted(ids.tolist()) == np.flatnonzero(d.allowed()).tolist()
    assert largest == (most.max() if len(most) else largest)
    before = d.remaining_cost()
    after = {int(t): fits(d, int(t), 0, 10 ** 9).remaining_cost() for t in ids}
    assert all(lo <= after[t] - before <= hi for t, lo, hi in zip(ids.tolist(), least, most)), d.describe()
    for k in (0, 1, 3, 10):
        max_tokens = used + 1 + int(before) + k
        want = np.zeros(d.tok.vocab_size, dtype=bool)
        for t, c in after.items():
            want[t] = used + 1 + c <= max_tokens
        if not want.any():
            want[d.completion_id()] = True
        assert (budget_mask(d, used, max_tokens) == want).all(), (d.describe(), k)


def feed_accepts(d) -> set:
    """The ids `feed` accepts from decoder `d` (each tried on a copy): what `allowed()` must be."""
    import tct
    accepted = set()
    for t in range(d.tok.vocab_size):
        e = d.copy()
        try:
            e.feed(t)
        except tct.DecodeError:
            continue
        accepted.add(t)
    return accepted


def completions_at_prefixes(tok, doc, every: int, exact_every: int):
    """(decoder, completed document) after every `every`-th prefix of `doc`'s ids in the body:
    the shortest completion stays within `remaining_cost()`, and at every `exact_every`-th
    prefix the mask is what `feed` accepts and the cost deltas are exact."""
    import numpy as np
    ids = tok.encode(doc)
    d = tok.decoder()
    for used, t in enumerate(ids):
        if used % every == 0 and d.phase == "body":
            promised = d.remaining_cost()
            rest = tok.complete(ids[:used])
            assert len(rest) <= promised, d.describe()
            yield d, tok.decode(ids[:used] + rest)
            if used % exact_every == 0:
                assert set(np.flatnonzero(d.allowed()).tolist()) == feed_accepts(d), d.describe()
                check_cost_deltas(d, used)
        d.feed(t)


def wander_and_check(tok, doc, cut: int, choices, valid, samples: int = 12) -> None:
    """From the prefix of `doc`'s ids cut at `cut`, take the allowed ids `choices` pick; then
    the mask is what `feed` accepts, and after every `samples`-th allowed id the shortest
    completion ends within `remaining_cost()` in a document `valid` accepts."""
    import numpy as np
    seed = tok.encode(doc)
    d = tok.decoder()
    for t in seed[: cut % len(seed)]:
        d.feed(t)
    for c in choices:
        allowed = np.flatnonzero(d.allowed())
        if not len(allowed) or d.done:
            break
        d.feed(int(allowed[c % len(allowed)]))
    if d.done:
        return
    accepted = feed_accepts(d)
    assert set(np.flatnonzero(d.allowed()).tolist()) == accepted
    for t in sorted(accepted)[:: max(1, len(accepted) // samples)]:
        e = d.copy()
        e.feed(t)
        promised, n = e.remaining_cost(), 0
        while not e.done:
            assert n < promised, f"no end within the promised {promised} ids at {e.describe()}"
            e.feed(e.completion_id())
            n += 1
        out = e.document()
        assert valid(out), out


def lint_docs(tmp_path, docs) -> list:
    """actionlint's errors for each document (skips when actionlint is not installed)."""
    from tct.data.documents import dumps_document
    from tct.eval import actionlint
    if actionlint.executable() is None:
        pytest.skip("actionlint is not installed")
    paths = []
    for i, doc in enumerate(docs):
        paths.append(tmp_path / f"w{i}.yml")
        paths[-1].write_text(dumps_document(doc, "yaml"))
    errors = actionlint.lint(paths)
    return [errors[path.resolve()] for path in paths]
