"""`${{ }}` expressions under github-workflow-strict: the grammar, names drawn from the document
(steps, needs, matrix, inputs), refusals with a path and reason, and walks that only ever
write well-formed expressions naming what the document defines."""

from __future__ import annotations

import functools
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

import tct
from tct.codec.profiles import expression as E
from tct.codec.profiles.document_names import input_names, names_in_job
from tct.codec.profiles.expression_context import tree, undefined
from tct.generation.constrained import random_walk
from tct.schema.name_slots import SlotDFA
from tct.schema.regex import CharDFA
from conftest import completions_at_prefixes, lint_docs
from test_profiles import _encodes_iff, strict, valid_under_profile

NAMES = {"steps": {"a", "build"}, "needs": {"x"}, "matrix": {"OS", "node-version"}, "inputs": set()}
STEP_NAMES = tree("step", *(frozenset(NAMES[c]) for c in ("steps", "needs", "matrix", "inputs")))


@functools.lru_cache(maxsize=None)
def template_dfa():
    return SlotDFA(CharDFA(((E.pattern(E.TEMPLATE), True),)), STEP_NAMES)


@pytest.fixture(scope="module")
def template():
    return template_dfa()


@pytest.mark.parametrize("text", [
    "", "plain $HOME ${VAR} {x} }} $", "$${{ runner.os }}", "${{github.sha}}", "${{ 'it''s' }}", "${{ -1.5 }}",
    "${{ github.event_name == 'push' && contains(github.ref, 'refs/tags') }}",
    "a ${{ format('{0}-{1}', matrix.os, steps.a.outputs.y) }} b", "${{ fromJSON(needs.x.outputs.y) }}",
    "${{ join(needs.*.result) }}", "${{ secrets.X }}${{ hashFiles('**/go.sum') }}", "${{ !(true || false) }}",
    "${{ steps.build.outcome }}", "${{ github.event.commits[0].id }}", "${{ github.sha == null }}", "${{ GitHub.SHA }}",
    "${{ toJSON(steps) }}", "${{ steps.a.outputs['my-x'] }}", "${{ matrix['node-version'] }}", "${{ matrix.Os }}",
    "${{ toJson(fromJSON(env.X).a) }}", "${{ ((((contains(vars.A, 'b'))))) }}", "${{ 10 }}", "${{ 0.05 }}",
    "${{ -0 }}", "${{ 'a\x01' }}", "${{ 123456789 }}", "${{ -123456789 }}", "${{ 1234567890.5 }}"])
def test_the_grammar_accepts(template, text):
    assert template.accepts(text)


@pytest.mark.parametrize("text", [
    "${{ steps.nope.outputs.x }}", "${{ needs.y.result }}", "${{ matrix.python }}", "${{ inputs.x }}",
    "${{ github", "${{ ${{ github }} }}", "${{ fromJSON('{\") || github }}", "${{ }}", "${{ github env }}",
    "${{ (github }}", "${{ steps.a.foo }}", "${{ github == }}", "${{ 'x }}", "${{ ((((((github)))))) }}",
    "${{ steps.buil }}", "${{ x }}", "${{ TRUE }}", "${{ github.zzz }}", "${{ success() }}", "${{ github(1) }}",
    "${{ contains }}", "${{ true.x }}", "${{ runner.os.x }}", "${{ stepsx.a }}",
    "${{ 06 }}", "${{ -00 }}", "${{ 'a\x00' }}",  # actionlint's lexer: a leading 0 alone, no NUL
    "${{ 3333333337776611 }}", "${{ -3383744447 }}"])  # integer literals are 32 bits (9 digits kept)
def test_the_grammar_refuses(template, text):
    assert not template.accepts(text)


@pytest.mark.parametrize("row, text, ok", [
    ("job.if", "${{ success() }}", True), ("step.if", "always() && steps.a.outcome == 'success'", True),
    ("job", "${{ steps.a.outcome }}", False), ("job", "${{ matrix.os }}", True), ("job.strategy", "${{ matrix.os }}", False),
    ("job", "${{ hashFiles('x') }}", False), ("step", "${{ hashFiles('x') }}", True), ("run-name", "${{ env.X }}", False)])
def test_contexts_and_functions_follow_the_field(row, text, ok):
    kind = E.CONDITION if row.endswith(".if") else E.TEMPLATE
    names = tree(row, *(frozenset(NAMES[c]) for c in ("steps", "needs", "matrix", "inputs")))
    assert SlotDFA(CharDFA(((E.pattern(kind), True),)), names).accepts(text) == ok


def test_conditions_are_bare_or_one_wrapped_expression():
    """actionlint: "extra characters are around ${{ }}", spaces too; a bare one may be spaced."""
    c = SlotDFA(CharDFA(((E.pattern(E.CONDITION), True),)), None)
    assert all(c.accepts(t) for t in ["github.ref == 'x'", "${{ always() }}", " success() && x ", "true", "${{a}}"])
    assert not any(c.accepts(t) for t in ["${{ a }} && b", "x ${{ a }}", "", "a ==", "$x", "${{ a }} ", " ${{ a }}",
                                          "${{ a }}\n"])


def _job(steps, **kw):
    return {"on": "push", "jobs": {"j": {"runs-on": "x", **kw, "steps": steps}}}


@pytest.mark.parametrize("doc, path, what", [
    (_job([{"id": "a", "run": "x"}, {"run": "${{ steps.nope.outputs.x }}"}]), "/jobs/j/steps/1/run", "steps.nope"),
    (_job([{"run": "${{ steps.b.outputs.x }}"}, {"id": "b", "run": "x"}]), "/jobs/j/steps/0/run", "steps.b"),
    ({"on": "push", "jobs": {"b": {"runs-on": "x", "steps": [{"run": "x"}]}, "j": {"runs-on": "x", "needs": "b", "steps": [
        {"run": "${{ needs.y.result }}"}]}}}, "/jobs/j/steps/0/run", "needs.y"),
    (_job([{"run": "${{ matrix.os }}"}], strategy={"matrix": {"py": ["3"]}}), "/jobs/j/steps/0/run", "matrix.os"),
    ({"on": "push", "jobs": {"b": {"runs-on": "x", "outputs": {"v": "1"}, "steps": [{"run": "x"}]},
                             "j": {"runs-on": "x", "needs": "b", "steps": [{"run": "${{ needs.b.outputs.w }}"}]}}},
     "/jobs/j/steps/0/run", "not available here"),  # b declares output v only
    ({"on": {"workflow_dispatch": {"inputs": {"a": {"type": "string"}}}}, "jobs": {"j": {
        "runs-on": "${{ inputs.b }}", "steps": [{"run": "x"}]}}}, "/jobs/j/runs-on", "inputs.b"),
    (_job([{"run": "echo ${{ a"}]), "/jobs/j/steps/0/run", "well-formed"),
    (_job([{"if": "${{ a }} && b", "run": "x"}]), "/jobs/j/steps/0/if", "well-formed"),
])
def test_breaking_expressions_is_refused_with_path_and_reason(doc, path, what):
    strict().base.encode(doc)  # schema-valid
    with pytest.raises(tct.SchemaViolation) as err:
        strict().encode(doc)
    assert err.value.path == path and what in str(err.value)


MATRIX_FIRST = {"on": "push", "jobs": {"j": {
    "runs-on": "${{ matrix.os }}", "steps": [{"run": "echo ${{ matrix.Py }} ${{ matrix.os }}"}],
    "strategy": {"fail-fast": False, "matrix": {"os": ["x"], "include": [{"py": "3"}]}}}}}


def test_matrix_names_used_before_the_strategy_are_owed():
    tok = strict()
    assert tok.decode(tok.encode(MATRIX_FIRST)) == MATRIX_FIRST
    job = MATRIX_FIRST["jobs"]["j"]
    no_strategy = {"on": "push", "jobs": {"j": {k: v for k, v in job.items() if k != "strategy"}}}
    short = {"on": "push", "jobs": {"j": {**job, "strategy": {"matrix": {"os": ["x"]}}}}}
    for doc, path, what in ((no_strategy, "/jobs/j", "matrix.os, matrix.py used, but the job has no strategy"),
                            (short, "/jobs/j/strategy/matrix", "matrix.py used in the job, but not defined")):
        tok.base.encode(doc)  # schema-valid
        with pytest.raises(tct.SchemaViolation) as err:
            tok.encode(doc)
        assert err.value.path == path and what in str(err.value)


def test_owed_matrix_names_are_written_by_the_completion_within_its_promise():
    """After each prefix of a job that uses matrix names before its strategy: the job cannot
    close early, the shortest completion defines every name used (as actionlint checks), stays
    within `remaining_cost()`, and masks and cost deltas are exact."""
    from conftest import completions_at_prefixes
    checked = 0
    for _, doc in completions_at_prefixes(strict(), MATRIX_FIRST, every=3, exact_every=9):
        assert valid_under_profile(doc)
        for name, job in doc["jobs"].items():
            matrix = (job.get("strategy") or {}).get("matrix")
            defined = None if isinstance(matrix, str) else names_in_job(job)["matrix"] if matrix else frozenset()
            for v in _strings(job):
                assert not undefined(v, {"matrix": defined}), (name, v)
        checked += 1
    assert checked >= 10


def test_a_matrix_keyword_is_never_an_owed_name():
    """`include` and `exclude` are the matrix's own keys, never names it defines: before the
    strategy `matrix.include` is refused (no completion could define it), and at every prefix
    of names that start alike the completion defines them."""
    tok = strict()
    strategy = {"matrix": {"includes": [1], "exclude2": ["a"]}}
    doc = {"on": "push", "jobs": {"j": {
        "runs-on": "${{ matrix.includes }}", "steps": [{"run": "${{ matrix.Exclude2 }}"}], "strategy": strategy}}}
    for _, done in completions_at_prefixes(tok, doc, every=1, exact_every=7):
        assert valid_under_profile(done)
    for name in ("include", "Exclude"):
        bad = {"on": "push", "jobs": {"j": {"runs-on": f"${{{{ matrix.{name} }}}}", "steps": [{"run": "x"}]}}}
        with pytest.raises(tct.SchemaViolation) as err:
            tok.encode(bad)
        assert err.value.path == "/jobs/j/runs-on" and f"matrix.{name} not defined" in str(err.value)


NEEDS_FIRST = {"on": "push", "jobs": {
    "Build": {"runs-on": "x", "outputs": {"v": "1"}, "steps": [{"run": "x"}]},
    "lint": {"runs-on": "x", "steps": [{"run": "y"}]},
    "t": {"if": "needs.build.result == 'success'", "runs-on": "${{ needs.lint.result }}",
          "steps": [{"run": "${{ needs.Build.outputs.v }}"}], "needs": ["lint", "build"]}}}


def _needs_unlisted(doc) -> list:
    """`needs.<job>` references a job's `needs` does not list (read independently, as actionlint)."""
    out = []
    for name, job in doc["jobs"].items():
        needs = job.get("needs", [])
        listed = {n.lower() for n in ([needs] if isinstance(needs, str) else needs)}
        out += [(name, n) for v in _strings(job) for c, n in E.references(v, True) + E.references(v)
                if c == "needs" and n != "*" and n.lower() not in listed]
    return out


def _completions_pay_what_is_owed(tok, doc, unpaid) -> None:
    """`doc` has the schema's ids, and at every 2nd prefix the shortest completion is valid with
    nothing `unpaid`, within its promise (exact masks and cost deltas every 5th)."""
    assert tok.encode(doc) == tok.base.encode(doc)
    checked = 0
    for _, done in completions_at_prefixes(tok, doc, every=2, exact_every=5):
        assert valid_under_profile(done) and not unpaid(done), done["jobs"]
        checked += 1
    assert checked > 50


def test_needs_used_before_the_jobs_needs_are_owed():
    """A job may use `needs.<job>` above its `needs` (62 times in the corpus, each naming a job
    written earlier): its `needs` must then list it. At every prefix the shortest completion
    lists every job used, within its promise, with exact masks and cost deltas, and the ids
    are the schema's."""
    tok = strict()
    _completions_pay_what_is_owed(tok, NEEDS_FIRST, _needs_unlisted)
    job = NEEDS_FIRST["jobs"]["t"]
    jobs = NEEDS_FIRST["jobs"]
    for change, path, what in (
            ({"needs": "lint"}, "/jobs/t/needs", "expected array"),  # one string cannot list both
            ({"needs": ["lint"]}, "/jobs/t/needs", "uses needs.build, so its needs must list it"),
            ({"needs": None}, "/jobs/t", "needs.build, needs.lint used, but the job has no needs"),
            ({"runs-on": "${{ needs.t.result }}"}, "/jobs/t/runs-on", "needs.t not defined"),  # itself
    ):
        bad = {"on": "push", "jobs": {**jobs, "t": {k: v for k, v in {**job, **change}.items() if v is not None}}}
        with pytest.raises(tct.SchemaViolation) as err:
            tok.encode(bad)
        assert err.value.path == path and what in str(err.value), str(err.value)
    later = {"on": "push", "jobs": {"a": {"runs-on": "${{ needs.b.result }}", "steps": [{"run": "x"}], "needs": "b"},
                                    "b": {"runs-on": "x", "steps": [{"run": "x"}]}}}
    cycle = {"on": "push", "jobs": {"a": {"runs-on": "x", "steps": [{"run": "x"}], "needs": "b"},
                                    "b": {"runs-on": "${{ needs.a.result }}", "steps": [{"run": "x"}], "needs": "a"}}}
    for doc, path in ((later, "/jobs/a/runs-on"), (cycle, "/jobs/b/runs-on")):
        tok.base.encode(doc)
        with pytest.raises(tct.SchemaViolation) as err:
            tok.encode(doc)
        assert err.value.path == path and "not defined here" in str(err.value)


@settings(max_examples=12, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_owed_needs_keep_masks_exact_and_completions_listing_them(cut, choices):
    """Wandering from any prefix of NEEDS_FIRST: the mask is what `feed` accepts, and the
    completion after every allowed id lists every job used, within its promise."""
    from conftest import wander_and_check
    wander_and_check(strict(), NEEDS_FIRST, cut, choices, lambda doc: valid_under_profile(doc)
                     and not _needs_unlisted(doc), samples=8)


STEPS_FIRST = {"on": "push", "jobs": {"j": {
    "runs-on": "x", "outputs": {"v": "${{ steps.ver.outputs.v }}", "w": "${{ steps.Build.outputs.w }}"},
    "environment": {"name": "e", "url": "${{ steps.ver.outputs.url }}"},
    "steps": [{"uses": "actions/checkout@v4"}, {"id": "ver", "run": "echo"}, {"id": "build", "run": "make"}]}}}


LATER_OUTPUTS = {"on": "push", "jobs": {
    "use": {"runs-on": "x", "needs": ["later", "call"], "outputs": {"o": "${{ needs.Later.outputs.sha }}"},
            "steps": [{"run": "echo ${{ needs.later.outputs.Ver }} ${{ needs.call.outputs.any }}"}]},
    "later": {"runs-on": "x", "outputs": {"ver": "1", "SHA": "2"}, "steps": [{"run": "a"}]},
    "call": {"uses": "./.github/workflows/w.yml"}}}


def _outputs_undeclared(doc) -> list:
    """`needs.<job>.outputs.<name>` references to a normal job that does not declare the output
    (read independently, as actionlint: names folded)."""
    jobs = {k.lower(): v for k, v in doc["jobs"].items()}
    out = []
    for job in doc["jobs"].values():
        for v in _strings(job):
            for j, n in E.output_references(v) + E.output_references(v, True):
                target = jobs.get(j)
                if isinstance(target, dict) and "uses" not in target and \
                        n not in {k.lower() for k in target.get("outputs") or {}}:
                    out.append((j, n))
    return out


def test_outputs_of_a_later_job_are_owed_by_it():
    """`needs.<job>.outputs.<name>` of a job written later (7 corpus jobs) is owed: that job, if
    a normal one, declares the output (actionlint: "property is not defined in object type");
    at every 2nd prefix the completion declares every output used, within its promise."""
    tok = strict()
    _completions_pay_what_is_owed(tok, LATER_OUTPUTS, _outputs_undeclared)
    jobs = LATER_OUTPUTS["jobs"]
    for outputs, path, what in (
            (None, "/jobs/later", "an earlier job reads outputs sha, ver of job 'later'"),
            ({"ver": "1"}, "/jobs/later/outputs", "missing outputs sha")):
        later = {k: v for k, v in {**jobs["later"], "outputs": outputs}.items() if v is not None}
        with pytest.raises(tct.SchemaViolation) as err:
            tok.encode({"on": "push", "jobs": {**jobs, "later": later}})
        assert err.value.path == path and what in str(err.value), str(err.value)


@settings(max_examples=12, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_owed_outputs_keep_masks_exact_and_completions_declaring_them(cut, choices):
    from conftest import wander_and_check
    wander_and_check(strict(), LATER_OUTPUTS, cut, choices, lambda doc: valid_under_profile(doc)
                     and not _outputs_undeclared(doc), samples=8)


def test_actionlint_agrees_on_owed_outputs(tmp_path):
    """The completions of LATER_OUTPUTS's prefixes raise no `expression` error in actionlint."""
    docs = [done for _, done in completions_at_prefixes(strict(), LATER_OUTPUTS, every=7, exact_every=10 ** 6)]
    for doc, found in zip(docs, lint_docs(tmp_path, docs)):
        assert not [e for e in found if e["kind"] == "expression"], (doc, found)


def _steps_undefined(doc) -> list:
    """`steps.<id>` references of a job that none of its steps defines (ids folded, as GitHub
    and actionlint match them), read independently of the profile."""
    from tct.codec.profiles.document_names import step_ids
    out = []
    for name, job in doc["jobs"].items():
        ids = {i.lower() for i in step_ids(job.get("steps"))}
        out += [(name, n) for v in _strings(job) for c, n in E.references(v, True) + E.references(v)
                if c == "steps" and n != "*" and n.lower() not in ids]
    return out


def test_steps_used_before_the_jobs_steps_are_owed():
    """A job may name `steps.<id>` in its `outputs` above its steps (839 references in 333 corpus
    jobs, 836 defined by a later step): its steps must then define them. At every prefix the
    shortest completion defines every id used (an open step takes one, or new steps do), within
    its promise, with exact masks and cost deltas, and the ids are the schema's."""
    tok = strict()
    _completions_pay_what_is_owed(tok, STEPS_FIRST, _steps_undefined)
    job = STEPS_FIRST["jobs"]["j"]
    bad = {"on": "push", "jobs": {"j": {**job, "steps": [{"id": "ver", "run": "x"}, {"id": "buil", "run": "x"}]}}}
    tok.base.encode(bad)
    with pytest.raises(tct.SchemaViolation) as err:
        tok.encode(bad)
    assert err.value.path == "/jobs/j/steps" and "steps.build used in the job, but no step has that id" \
        in str(err.value)
    # an owed step has a step's properties (actionlint: property "outpu" is not defined)
    typo = {"on": "push", "jobs": {"j": {"runs-on": "x", "outputs": {"v": "${{ steps.ver.outpu }}"},
                                         "steps": [{"id": "ver", "run": "x"}]}}}
    tok.base.encode(typo)
    with pytest.raises(tct.SchemaViolation) as err:
        tok.encode(typo)
    assert err.value.path == "/jobs/j/outputs/v"


@settings(max_examples=12, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_owed_steps_keep_masks_exact_and_completions_defining_them(cut, choices):
    """Wandering from any prefix of STEPS_FIRST: the mask is what `feed` accepts, and the
    completion after every allowed id defines every step id used, within its promise."""
    from conftest import wander_and_check
    wander_and_check(strict(), STEPS_FIRST, cut, choices, lambda doc: valid_under_profile(doc)
                     and not _steps_undefined(doc), samples=8)


def test_owed_step_ids_go_to_a_later_step_where_a_parallel_step_has_no_id():
    """A `parallel` step takes no `id` (actionlint): where the job owes step ids and its first
    step is one, the completion defines them in steps after it (hypothesis found the completion
    writing the withdrawn `id` there)."""
    import numpy as np
    tok = strict()
    d = tok.decoder()
    for t in tok.encode(STEPS_FIRST):
        if d.path() == "/jobs/j/steps/0":
            break
        d.feed(t)
    assert d.path() == "/jobs/j/steps/0"
    for t in np.flatnonzero(d.allowed()).tolist():
        e = d.copy()
        e.feed(t)
        promised, n = e.remaining_cost(), 0
        while not e.done:
            e.feed(e.completion_id())
            n += 1
        doc = e.document()
        assert n <= promised and valid_under_profile(doc) and not _steps_undefined(doc), doc
        assert "id" not in doc["jobs"]["j"]["steps"][0] or "parallel" not in doc["jobs"]["j"]["steps"][0]


def test_defined_names_encode_forward_ones_stay_free():
    doc = {"on": {"workflow_call": {"inputs": {"v": {"type": "string"}}}}, "jobs": {
        "b": {"runs-on": "x", "steps": [{"run": "x"}]},
        "j": {"runs-on": "${{ matrix.os }}", "outputs": {"o": "${{ steps.s.outputs.o }}"}, "needs": "b",
              "strategy": {"matrix": {"os": ["x"], "include": [{"extra": 1}]}},
              "steps": [{"id": "s", "run": "${{ inputs.v }} ${{ needs.b.result }} ${{ matrix.extra }}"},
                        {"if": "steps.s.outcome == 'success' && contains(needs.*.result, 'x')", "run": "x"}]}}}
    tok = strict()
    assert tok.decode(tok.encode(doc)) == doc and tok.encode(doc) == tok.base.encode(doc)


def test_after_two_steps_a_reference_continues_only_with_their_ids():
    tok = strict()
    doc = _job([{"id": "a", "run": "x"}, {"id": "bb", "run": "x"}, {"run": "${{ steps.a.outcome }}"}])
    ids = tok.encode(doc)
    cut = next(i for i in range(len(ids)) if tok.decode_prefix(ids[:i])[0].endswith("${{ steps."))
    d = tok.decoder()
    for t in ids[:cut]:
        d.feed(t)
    assert {chr(t) for t in np.flatnonzero(d.allowed())} == {"a", "b", "A", "B"}  # case-insensitive


def test_random_walks_write_only_defined_names():
    tok, rng = strict(), np.random.default_rng(5)
    seen = 0
    for _ in range(12):
        doc = tok.decode(random_walk(tok, rng, max_tokens=1500))
        assert valid_under_profile(doc)
        keys = list(doc)
        root = {"inputs": input_names(doc["on"]) if keys.index("on") < keys.index("jobs") else frozenset()}
        for job in (doc.get("jobs") or {}).values():
            steps = job.get("steps") or []
            before = dict(itertools.takewhile(lambda kv: kv[0] != "steps", job.items()))  # decided first
            for i, step in enumerate(steps):
                for v in _strings(step):
                    seen += "${{" in v
                    assert not undefined(v, root | names_in_job(before, steps[:i])), v
    assert seen


def _strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def test_undefined_reads_references_outside_quotes():
    assert undefined("${{ steps.a.outputs.x == 'steps.b' }}", {"steps": {"a"}}) == []
    assert undefined("${{ steps.b }}", {"steps": {"a"}}) == ["steps.b"]
    # a `}}` inside a literal closes nothing (untrained weights hid owed matrix names so)
    assert undefined("${{ 'a}}b' || steps.b }}", {"steps": {"a"}}) == ["steps.b"]
    assert E.references("${{ 'it''s}}' && matrix.X }} ${{ needs.n", False) == [("matrix", "X"), ("needs", "n")]
    assert E.references("steps.a == '}}' || inputs.b", True) == [("steps", "a"), ("inputs", "b")]
    assert E.output_references("${{ '}}' || needs.J.outputs.O }}") == [("j", "o")]


EXPRESSIONS = {"on": {"workflow_dispatch": {"inputs": {"v": {"type": "string"}}}}, "jobs": {
    "b": {"runs-on": "x", "steps": [{"run": "x"}]},
    "j": {"runs-on": "x", "needs": ["b"], "strategy": {"matrix": {"os": ["x"]}},
          "steps": [{"id": "s", "run": "echo ${{ inputs.v }} ${{ matrix.os }}"},
                    {"if": "steps.s.outcome == 'success' && contains(needs.*.result, 'x')",
                     "run": "echo ${{ toJSON(steps.s.outputs) }} ${{ needs.b.result }}"}]}}}


@pytest.mark.parametrize("merged", [False, True])
def test_inside_expressions_masks_and_budgets_are_exact(merged):
    """At positions inside expressions (names narrowed by the document), `allowed()` is what
    `feed` accepts and cached cost deltas agree with feeding each id."""
    from conftest import check_cost_deltas, feed_accepts
    tok = strict(merged)
    ids = tok.encode(EXPRESSIONS)
    assert tok.decode(ids) == EXPRESSIONS
    d, checked = tok.decoder(), 0
    for used, t in enumerate(ids):
        f = d.m.stack[-1] if d.phase == "body" and not d.m.done else None
        if f is not None and f.facts is not None and "${{" in f.text and used % 2 == 0:
            assert set(np.flatnonzero(d.allowed()).tolist()) == feed_accepts(d), d.describe()
            check_cost_deltas(d, used)
            checked += 1
        d.feed(t)
    assert checked >= 5


REFERENCE = st.tuples(st.sampled_from(["steps", "needs", "matrix", "inputs", "github"]),
                      st.sampled_from(["a", "A", "build", "Bui", "buildx", "x", "*", "os", "o", "OS", "node-version",
                                       "node", "zz", "sha", "Event"]),
                      st.sampled_from(["", ".outputs.y", ".result", ".outcome", ".q.r"]))
SECOND = {"steps": ("", ".outputs.y", ".outcome"), "needs": ("", ".outputs.y", ".result")}


def _reference_ok(ctx, name, rest) -> bool:
    """An independent reading of STEP_NAMES for one reference."""
    if ctx == "github":
        return name.lower() == "event" or (name.lower() == "sha" and rest == "")
    if name == "*":
        return ctx == "needs" and rest in SECOND["needs"]
    if name.lower() not in {n.lower() for n in NAMES[ctx]}:
        return False
    return rest in SECOND.get(ctx, (rest,))


def _class(ctx, name, rest) -> str:
    """An independent reading of a reference's kind: "S" a string, "C" an object or array, "A" any."""
    if ctx == "github":
        return "S" if name.lower() == "sha" else "C" if rest == "" else "A"
    if ctx == "matrix":
        return "A"
    if name == "*" or rest == "":
        return "C"
    return "A" if rest.startswith(".outputs") else "S"


def _equalities_ok(refs) -> bool:
    """actionlint's `==` over `a == b == c`, which nests to the right (`a == (b == c)`), as this
    profile keeps it: never an object or array on the left, nor right after a scalar."""
    classes = [_class(*r) for r in refs]
    return all(left != "C" and not (left in "SB" and right == "C") for left, right in zip(classes, classes[1:]))


@settings(max_examples=300, deadline=None)
@given(st.lists(REFERENCE, min_size=1, max_size=4), st.sampled_from([" && ", " == ", ", "]), st.booleans())
def test_name_slots_accept_exactly_the_defined_names(template, refs, op, call):
    """The filtered automaton accepts an expression iff the grammar does with names free, every
    reference names an allowed name and property, and `==` compares kinds actionlint allows
    (both read independently)."""
    body = op.join(f"{c}.{n}{rest}" for c, n, rest in refs)
    text = "x ${{ " + (f"format({body})" if call else body) + " }}"
    free = SlotDFA(template.base, None)
    # a value of a kind (format's text, what the template shows): its first term, unless a
    # comparison (a bool: shown, not format's text)
    compared = op == " == " and len(refs) > 1
    format_ok = not call or (not compared and _class(*refs[0]) != "C")
    shown_ok = call or compared or _class(*refs[0]) != "C"
    assert template.accepts(text) == (free.accepts(text) and all(_reference_ok(*r) for r in refs) and format_ok
                                      and shown_ok
                                      and (op != " == " or _equalities_ok(refs))), text


@pytest.mark.parametrize("row, text, ok", [
    ("step", "${{ contains(github.sha, 'a') }}", True), ("step", "${{ contains(github.sha) }}", False),
    ("step", "${{ contains(github.sha, 'a', 'b') }}", False), ("step", "${{ join(github.event.commits) }}", True),
    ("step", "${{ join(github.event.commits, ', ') }}", True), ("step", "${{ join(steps, 1, 2) }}", False),
    ("step", "${{ toJSON(github, 1) }}", False), ("step", "${{ fromJSON() }}", False),
    ("step", "${{ format('{0}{1}', 1, 2) }}", True), ("step", "${{ format() }}", False),
    ("step", "${{ hashFiles('a', 'b') }}", True), ("step", "${{ hashFiles() }}", False),
    ("step", "${{ case(true, 1, 2) }}", True), ("step", "${{ case(true, 1, false, 2, 3) }}", True),
    ("step", "${{ case(true, 1) }}", False), ("step", "${{ case(true, 1, false, 2) }}", False),
    ("step.if", "success() && !cancelled()", True), ("step.if", "always(1)", False),
    ("step", "${{ contains(github.sha, format('{0}', toJSON(fromJSON('[1]')))) }}", True),
    ("step", "${{ contains(fromJSON('[\"a, b\"]'), github.sha) }}", True),  # a comma in a literal is no argument
    ("step", "${{ contains(github.event.commits[0], 'x') }}", True), ("step", "${{ contains(x[join(steps)]) }}", False),
])
def test_functions_take_their_number_of_arguments(row, text, ok):
    """actionlint's arities: contains/startsWith/endsWith 2, join 1-2, toJSON/fromJSON 1,
    format and hashFiles at least 1, case an odd number from 3, status functions none."""
    kind = E.CONDITION if row.endswith(".if") else E.TEMPLATE
    names = tree(row, *(frozenset(NAMES[c]) for c in ("steps", "needs", "matrix", "inputs")))
    assert SlotDFA(CharDFA(((E.pattern(kind), True),)), names).accepts(text) == ok


ARITIES = {"contains": (2, 2, False), "startsWith": (2, 2, False), "join": (1, 2, False), "toJSON": (1, 1, False),
           "format": (1, None, False), "case": (3, None, True)}  # an independent reading of the table
CALLS = st.recursive(st.sampled_from(["github.sha", "'a,b'", "1", "matrix.os", "true", "(steps)"]),
                     lambda inner: st.tuples(st.sampled_from(sorted(ARITIES)), st.lists(inner, max_size=4)),
                     max_leaves=8)


def _call_text(node) -> str:
    return node if isinstance(node, str) else f"{node[0]}({', '.join(map(_call_text, node[1]))})"


# An independent reading of actionlint's signatures for CALLS: what each argument may be ("S"
# a string or number, "A" any, "B" a bool; "G" a group, which this profile takes as no argument)
# and what each function gives.
TEXT_ARG, NO_KIND = frozenset("SA"), None
PARAMS = {"contains": (TEXT_ARG, TEXT_ARG), "startsWith": (TEXT_ARG,), "join": (TEXT_ARG, TEXT_ARG),
          "toJSON": (NO_KIND,), "format": (TEXT_ARG, NO_KIND), "case": (NO_KIND,)}
GIVES = {"contains": "B", "startsWith": "B", "join": "S", "toJSON": "S", "format": "S", "case": "A"}
LEAF_CLASS = {"github.sha": "S", "'a,b'": "S", "1": "S", "matrix.os": "A", "true": "B", "(steps)": "G"}


def _class_of(node) -> str:
    return LEAF_CLASS[node] if isinstance(node, str) else GIVES[node[0]]


def _call_ok(node, depth=0) -> bool:
    if isinstance(node, str):
        return depth + node.startswith("(") <= E.DEPTH
    least, most, odd = ARITIES[node[0]]
    n = len(node[1])
    params = PARAMS[node[0]]
    kinds_ok = all(params[min(i, len(params) - 1)] is None or _class_of(a) in params[min(i, len(params) - 1)]
                   for i, a in enumerate(node[1]))
    return depth < E.DEPTH and least <= n and (most is None or n <= most) and (not odd or n % 2 == 1) \
        and kinds_ok and all(_call_ok(a, depth + 1) for a in node[1])


@settings(max_examples=200, deadline=None)
@given(CALLS)
def test_calls_are_counted_and_distances_stay_exact(template, node):
    """A call is accepted iff every function gets its number of arguments (read independently),
    and along the text every live state's distance solves the shortest-path equations (0 where
    it accepts, else 1 + the least over its moves): completions and costs stay exact."""
    text = "${{ " + _call_text(node) + " }}"
    assert template.accepts(text) == (_call_ok(node) and node != "(steps)"), text  # no object shown
    dist, state = template.distances(), template.start
    for ch in text:
        moves = [dist[t] for t in template.trans[state].values()]
        assert dist[state] == (0 if state in template.accept else 1 + min(moves)), (text, ch)
        state = template.trans[state].get(template.class_of(ord(ch)))
        if state is None:
            break


@pytest.mark.parametrize("text, ok", [
    ("${{ github.sha < 1 }}", True), ("${{ matrix.os >= 'a' }}", True), ("${{ fromJSON(github.sha) < 3 }}", True),
    ("${{ 1 == 2 < 3 }}", True), ("${{ 1 < 2 == true }}", False), ("${{ 'a' == 2 == true }}", True), ("${{ github.event.x == 1 }}", True), ("${{ steps.a.outcome != 'x' }}", True),
    ("${{ needs.x.result == 'success' }}", True), ("${{ toJSON(github.event) }}", True),
    ("${{ contains(needs.*.result, 'failure') }}", True), ("${{ matrix.os == github.event }}", True),
    ("${{ contains(github.sha, 'a') == false }}", True), ("${{ github.event.commits[0].id }}", True),
    ("${{ 1 < true }}", False), ("${{ github.event < 1 }}", False), ("${{ steps.a < 1 }}", False),
    ("${{ 1 < contains(github.sha, 'a') }}", False), ("${{ 1 < 2 < 3 }}", False), ("${{ !github.sha < 1 }}", False),
    ("${{ 1 < !github.sha }}", False), ("${{ (1) < 2 }}", True), ("${{ (1 == 2) < 3 }}", False), ("${{ (steps.a) == 'x' }}", False),
    ("${{ (github.sha || github.ref) == 'dev' }}", True), ("${{ 1 < (2) }}", False), ("${{ null < 1 }}", False),
    ("${{ true > false }}", False), ("${{ github.event == 1 }}", False), ("${{ 'a' != github }}", False),
    ("${{ needs.*.result == 'x' }}", False), ("${{ 1 == steps.a }}", False), ("${{ github.sha.x }}", False),
    ("${{ contains(github.sha, 'a').x }}", False), ("${{ github.sha[0] }}", False), ("${{ success() < 1 }}", False),
    ("${{ env.x.y }}", False), ("${{ steps.a.outputs.x.y }}", False), ("${{ github.event.a.b.c }}", True),
    ("${{ startsWith(github.ref, 'refs/tags') }}", True), ("${{ startsWith(github.event, 'a') }}", False),
    ("${{ contains(needs.*.result, 'failure') }}", True), ("${{ contains(github, 'a') }}", False),
    ("${{ join(matrix.os, ', ') }}", True), ("${{ format('{0}', github.event) }}", True),
    ("${{ fromJSON(true) }}", False), ("${{ hashFiles('a', steps.a) }}", False),
    ("${{ fromJSON(github.ref == 'a' && matrix.os || '[]') }}", True), ("${{ toJSON(github.ref == 'a') }}", True),
    ("${{ needs.*.result }}", False), ("${{ github.event }}", False), ("${{ null }}", False),
    ("a ${{ github.sha }} ${{ steps.a.outputs }}", False), ("${{ github.event.x || 'a' }}", True),
    ("${{ endsWith(matrix.os || github.ref, 't') }}", True), ("${{ endsWith(github.ref || steps.a, 't') }}", True),
    ("${{ github.sha || null }}", True), ("${{ github.event || 'a' }}", False),
    ("${{ needs[0].result }}", False), ("${{ needs.x.result }}", True), ("${{ steps[true] }}", False),
    ("${{ matrix[-1] }}", False), ("${{ env[(0)] }}", False), ("${{ env[('A')] }}", True),
    ("${{ github[github] }}", False), ("${{ env[!github.sha] }}", False), ("${{ env[github.sha] }}", True),
    ("${{ env[format('{0}', 1)] }}", True), ("${{ env[contains('a', 'b')] }}", False),
    ("${{ toJSON(needs.*[0]) }}", True), ("${{ toJSON(needs.*['x']) }}", False),
    ("${{ toJSON(needs.*[github.event]) }}", False), ("${{ fromJSON('[1]')[0] }}", True),
    ("${{ github.event.commits['a'] }}", True), ("${{ vars.a-b }}", False), ("${{ vars.a_b }}", True),
    ("${{ secrets.a-b }}", True), ("${{ env.a-b }}", True),
])
def test_comparisons_and_properties_follow_kinds(template, text, ok):
    """actionlint's kinds: `<` compares numbers and strings (any aside), `==` never an object
    or array with a scalar (this profile: never an object or array on its left), only objects
    and arrays have properties or indexes (an object's a string, an array's a number), and arguments are of the kinds functions take (a
    string or number, an array first for `contains` and `join`: the first `||` term, the rest
    merging with it; a comparison there owes a next term of that kind); a template shows no
    object, array or null (likewise). Comparisons
    nest to the right (`1 < 2 == true` is `1 < (2 == true)`); a group is of the kind of what it
    holds (`a || b`: the kind both are, else any). No group is a right operand or an argument."""
    assert template.accepts(text) == ok

QUOTED_INDEXES = [
    # a known object's quoted index ends the chain, of a kind the operand may be (stricter than
    # actionlint for a chain going on: `steps.build.outcome` says it; none in the corpus)
    ("${{ steps['build'].outcome }}", False), ("${{ steps[ 'a'].outputs.y }}", False), ("${{ needs['x'].result }}", False),
    ("${{ steps['a'] }}", False), ("${{ hashFiles(steps['a']) }}", False), ("${{ toJSON(steps['a']) }}", True),
    ("${{ matrix['node-version'] }}", True), ("${{ matrix['os'] }}", True), ("${{ env['MY_VAR'] }}", True),
    ("${{ github.event['pull request'] }}", True), ("${{ fromJSON(github.sha)['a b'] }}", True),
    ("${{ needs[github.ref] }}", False), ("${{ inputs[github.ref] }}", False), ("${{ needs['*'] }}", False),
    ("${{ steps['c'] }}", False), ("${{ needs['y'].result }}", False), ("${{ needs[''] }}", False),
    ("${{ inputs['x'] }}", False), ("${{ inputs[''] }}", False), ("${{ matrix['os x'] }}", False),
    ("${{ steps['build''s'] }}", False), ("${{ steps['A'] }}", False), ("${{ matrix['OS'] }}", False), ("${{ needs[('y')] }}", False),
]


@pytest.mark.parametrize("text, ok", QUOTED_INDEXES)
def test_a_quoted_index_names_a_known_property(template, text, ok):
    """The index of an object whose properties are known is a string literal naming one of them
    in lower case (actionlint: 'property "c" is not defined in object type'; an expression there,
    which actionlint takes, no corpus workflow writes); under an object of any properties
    (`env`, `github.event`, a call's value) a literal is any text."""
    assert template.accepts(text) == ok


def test_actionlint_agrees_on_quoted_indexes(tmp_path):
    """The workflow these names come from, linted: each accepted index passes actionlint, each
    refused one is reported (but `''` in a name, a group, an expression and a chain going on,
    which the profile refuses for simplicity)."""
    from tct.data.documents import dumps_document
    from tct.eval import actionlint
    if actionlint.executable() is None:
        pytest.skip("actionlint is not installed")
    cases = [(text, ok) for text, ok in QUOTED_INDEXES if "''s" not in text and "('" not in text and "[github" not in text
             and "']." not in text]
    paths = []
    for i, (text, _) in enumerate(cases):
        doc = {"on": {"workflow_dispatch": None}, "jobs": {
            "x": {"runs-on": "ubuntu-latest", "steps": [{"run": "x"}]},
            "t": {"runs-on": "ubuntu-latest", "needs": ["x"], "env": {"MY_VAR": "1"},
                  "strategy": {"matrix": {"OS": ["a"], "node-version": ["1"]}},
                  "steps": [{"id": "a", "run": "x"}, {"id": "build", "run": "x"}, {"run": f"echo {text}"}]}}}
        paths.append(tmp_path / f"w{i}.yml")
        paths[-1].write_text(dumps_document(doc, "yaml"))
    errors = actionlint.lint(paths)
    for (text, ok), path in zip(cases, paths):
        assert (not errors[path.resolve()]) == ok, (text, errors[path.resolve()])



def _random_texts(d, rng, n: int, steps: int = 30, prefix: str = "") -> list:
    """Accepted texts: random walks over automaton `d` (biased to operators) from `prefix`,
    each finished by its shortest suffix, checking the distance equations at every state on
    the way."""
    dist, out = d.distances(), []
    start = d.start
    for ch in prefix:
        start = d.trans[start][d.class_of(ord(ch))]
    for _ in range(n):
        s, text = start, prefix
        for _ in range(steps):
            row = d.trans[s]
            assert dist[s] == (0 if s in d.accept else 1 + min(dist[t] for t in row.values())), text
            if not row:
                break
            items = list(row.items())
            ops = [it for it in items if d._char[it[0]] in tuple("<>=!()[].&| ,")]
            cid, s = rng.choice(ops if ops and rng.random() < 0.4 else items)
            text += chr(d._samples[cid][1])
        out.append(text + d.shortest_suffix(s))
    return out


JSON_LITERALS = [
    ("${{ fromJSON('[1, 2]') }}", True), ("${{ fromJson( '{\"a\": [\"it''s\", null]}') }}", True),
    ("${{ fromJSON('  -0.5e3 ') }}", True), ("${{ toJSON(fromJSON('\"\\u00e9\"')) }}", True),
    ("${{ contains(fromJSON('[\"x\"]'), github.ref) }}", True), ("${{ fromJSON(github.ref) }}", True),
    ("${{ fromJSON('[1, 2') }}", False), ("${{ fromJSON('') }}", False), ("${{ fromJSON('[1,]') }}", False),
    ("${{ fromJSON('{\"a\": \"it''s}') }}", False), ("${{ fromJSON('01') }}", False),
    ("${{ fromJSON('core') }}", False), ("${{ fromJSON('[\"a\"-]') }}", False),
    ("${{ fromJSON(('x')) }}", False), ("${{ fromJSON( ( ('[1]') )) }}", True), ("${{ fromJSON((github.ref)) }}", True),
]


@pytest.mark.parametrize("text, ok", JSON_LITERALS)
def test_a_string_given_to_fromjson_is_json(template, text, ok):
    """A string literal that begins `fromJSON`'s argument is JSON text (actionlint: "broken
    JSON string is passed to fromJSON()"); its `''` is one quote of the text."""
    assert template.accepts(text) == ok


# actionlint types `fromJSON` of a literal by its JSON: a call whose whole argument is one (in
# parentheses or not) is of its value's kind (an object of scalars a record), so `<`, `==`, properties and indexes follow
# that kind; anything after the literal (`'[1]' || x`) leaves it any. Not yet: what an element of
# an array literal is (any here: `fromJSON('[1]')[0].x`), which properties an object literal has
# (any: `fromJSON('{"a": 1}').b`), and the kind at the end of the operand (`${{ fromJSON('[1]') }}`
# shows an array, `1 == fromJSON('{}')`; that needs the literal's language narrowed where the
# call may not go on).
TYPED_JSON = [
    ("fromJSON(github.event.x).y", True), ("contains(fromJSON('[\"a\"]'), github.ref)", True),
    ("toJSON(fromJSON('[1]'))", True), ("fromJSON('{\"a\": 1}')[github.ref]", True), ("fromJSON('null') == 1", True),
    ("fromJSON('1') < 2", True), ("fromJSON('[1]' || '2') == 1", True), ("github.ref && fromJSON('[\"a\"]') || 'b'", True),
    ("fromJSON('true') == 1", True), ("fromJSON('[1]') && 1", True), ("fromJSON('[[1]]') && fromJSON('{}') || 1", True),
    ("fromJSON('[1]').x", False), ("fromJSON('[[80]]') != 80", False), ("fromJSON('true') < 2", False),
    ("fromJSON('1').x", False), ("fromJSON('\"a\"').x", False), ("fromJSON( '[1]' ) == 1", False),
    ("fromJSON('[1]').*", False), ("fromJSON('\"a\"')[0]", False), ("fromJSON('{}') < 1", False),
    ("fromJSON('null')[0]", False), ("fromJSON(('[[80]]')) != 80", False), ("fromJSON( ( '[1]' ) ) == 1", False),
    ("fromJSON(('[1]' || 'a')) == 1", True), ("fromJSON(('1')) < 2", True), ("fromJSON(('1')).x", False),
]


def test_a_json_literal_types_its_call_as_actionlint_does(tmp_path):
    docs = [{"on": "push", "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": [{"run": f"echo ${{{{ {text} }}}}"}]}}}
            for text, _ in TYPED_JSON]
    for doc, (text, ok) in zip(docs, TYPED_JSON):
        _encodes_iff(doc, ok)
    for (text, ok), found in zip(TYPED_JSON, lint_docs(tmp_path, docs)):
        assert (not [e for e in found if e["kind"] == "expression"]) == ok, (text, found)


def test_json_literals_keep_distances_exact_and_actionlint_agrees(template, tmp_path):
    """Random walks inside `fromJSON('...')` keep the shortest-path equations at every state,
    and actionlint finds no broken JSON in what they finish as, nor in the cases above that
    are accepted (and finds it in those refused)."""
    import random
    from tct.data.documents import dumps_document
    from tct.eval import actionlint
    rng = random.Random(3)
    texts = _random_texts(template, rng, 60, 25, "${{ fromJSON('") + \
        _random_texts(template, rng, 40, 25, "${{ toJSON(fromJSON( '[")
    assert all(template.accepts(t) for t in texts)
    if actionlint.executable() is None:
        pytest.skip("actionlint is not installed")
    cases = [(t, True) for t in texts if "\x00" not in t] + JSON_LITERALS
    paths = []
    for i, (text, _) in enumerate(cases):
        paths.append(tmp_path / f"w{i}.yml")
        paths[-1].write_text(dumps_document({"on": "push", "jobs": {"j": {
            "runs-on": "ubuntu-latest", "steps": [{"run": f"echo {text}"}]}}}, "yaml"))
    errors = actionlint.lint(paths)
    for (text, ok), path in zip(cases, paths):
        broken = [e["message"] for e in errors[path.resolve()] if "broken JSON" in e["message"]]
        assert (not broken) == ok, (text, broken)


def test_operand_kinds_keep_distances_exact_and_actionlint_agrees(tmp_path):
    """Random expressions (templates and conditions) keep the shortest-path equations at every
    state; and actionlint reports no comparison, property, argument or shown-object error in any of them
    (a bool argument or index included), nor an index of a scalar or of the wrong kind."""
    import random
    from tct.eval import actionlint
    rng = random.Random(1)
    names = tree("step", frozenset({"a"}), None, None, frozenset())
    texts = {kind: _random_texts(SlotDFA(CharDFA(((E.pattern(kind), True),)), names), rng, 150)
             for kind in (E.TEMPLATE, E.CONDITION)}
    assert sum(("<" in t or ">" in t) for t in texts[E.CONDITION]) >= 10
    if actionlint.executable() is None:
        pytest.skip("actionlint is not installed")
    steps = [{"id": "a", "run": "x"}] + [{"name": t, "run": "x"} for t in texts[E.TEMPLATE] if "\x00" not in t] + \
        [{"if": t, "run": "x"} for t in texts[E.CONDITION] if "\x00" not in t and "${{" not in t and t.strip()]
    from tct.data.documents import dumps_document
    path = tmp_path / "w.yml"
    path.write_text(dumps_document({"on": "push", "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": steps}}}, "yaml"))
    typed = ("cannot be compared", "receiver of object dereference", "index access operand", "is not assignable",
             "should not be evaluated", "index access of array", "property access of object")
    errors = [e["message"] for e in actionlint.lint([path])[path.resolve()] if any(k in e["message"] for k in typed)]
    assert not errors, errors[:5]


# actionlint narrows `l && r` assumed true to `r`, `l || r` assumed false to `r`, and `!x` to
# `x` narrowed the other way: `a && b || c` is of the kinds of `b` and `c`, not `a`'s.
NARROWED = [
    ("${{ github.event_name == 'a' && github.event || needs }}", False), ("${{ 'a' && github.event || needs }}", False),
    ("${{ 'a' && github.event }}", True),
    ("${{ !github.event || needs }}", False),
    ("${{ !github.event && needs }}", False), ("${{ !github.event }}", True),
    ("${{ (1 && true || true) > 4 }}", False), ("${{ (true || 1 && 2) > 4 }}", True),
    ("${{ ('a' && github.event) || needs }}", False), ("${{ (github.event.x && 'a') || needs }}", True),
    ("${{ !('a' && github.event) && needs }}", False), ("${{ !(github.event && 'a') && needs }}", True),
    ("${{ env[github.event_name == 'a' && github.event || needs] }}", False),
    ("${{ env[github.event.x && 'a' || github.ref] }}", True), ("${{ join(1 && true || true) }}", False),
    ("${{ startsWith(github.ref, 1 && true || false) }}", False), ("${{ startsWith(github.ref, github.event.x && 1 || 2) }}", True),
    ("${{ (1 > 2 || 3 && 4) > 3 }}", True), ("${{ (66544 && 77 == 577 || true) > 4 }}", False),
    # a group's object has no properties read after it (their names are not followed)
    ("${{ (runner).gs }}", False), ("${{ (runner)['gs'] }}", False), ("${{ (fromJSON(github.ref)).x }}", True),
    # chains nest to the right and merging is not associative: `1 || true || 'a'` is `1 || (true
    # || 'a')`, a string, where `(1 || true) || 'a'` is any
    ("${{ (1 || true || 'a').K }}", False), ("${{ ((1 || true) || 'a').K }}", True),
    ("${{ ('a' || 1 || true).K }}", True), ("${{ (1 && true && 'a').K }}", False),
    ("${{ ('a' && 1 && true).K }}", True), ("${{ ('q' && github.event.x && 1 || 1).K }}", True),
    ("${{ (('q' && github.event.x) && 1 || 1).K }}", False),
    ("${{ (4 > 8881 || 'R' || 5 && 0.455 > 9.6 || join(github.ref)).K }}", False),
]
# Stricter than actionlint: the first operand is of a kind the value may be even where `&&`
# makes it drop out, and no `<` follows a group ending with a bool name.
NARROWED_STRICTER = ["${{ github.event && 'a' || needs }}", "${{ needs && github.event || 'a' }}",
                     "${{ (github.event && 'a') || needs }}", "${{ (1 && true) > 4 }}"]


@pytest.mark.parametrize("text, ok", NARROWED)
def test_and_or_values_are_typed_as_actionlint_narrows_them(template, text, ok):
    assert template.accepts(text) == ok
    assert not any(template.accepts(t) for t in NARROWED_STRICTER)


def test_actionlint_agrees_on_narrowed_values(tmp_path):
    errors = lint_docs(tmp_path, [_named_step_doc(text) for text, _ in NARROWED])
    for (text, ok), found in zip(NARROWED, errors):
        kinds = [e["message"] for e in found if e["kind"] == "expression"]
        assert (not kinds) == ok, (text, kinds)


CHAIN_LEAVES = ["1", "'a'", "true", "null", "github.event.x", "github.event", "(1 > 0)", "needs", "join('a')"]
CHAIN_USES = ["(%s).K", "(%s) < 1", "startsWith(github.ref, %s)", "(%s)[0]", "toJSON(%s)", "(%s) == 1", "%s"]


def _chain(rng, depth=0) -> str:
    """A random `&&`/`||` chain over operands of every class, with groups and negations."""
    r = rng.random()
    if depth > 2 or r < 0.45:
        return rng.choice(CHAIN_LEAVES)
    if r < 0.55:
        return ("!" if rng.random() < 0.5 else "") + "(" + _chain(rng, depth + 1) + ")"
    ops = [rng.choice(["&&", "||"]) for _ in range(rng.randint(1, 3))]
    return " ".join([_chain(rng, depth + 1)] + [f"{op} {_chain(rng, depth + 1)}" for op in ops])


def test_actionlint_agrees_on_random_chains(template, tmp_path):
    """Random `&&`/`||` chains used where kinds matter (a property, `<`, an argument, a template):
    actionlint reports no type error in any the profile accepts (it types them nested to the
    right, `a || (b || c)`), and refuses some of those the profile refuses."""
    import random
    rng = random.Random(5)  # (the left-nested reading this replaced accepted 2 of these that actionlint refuses)
    texts = ["${{ " + rng.choice(CHAIN_USES) % _chain(rng) + " }}" for _ in range(400)]
    accepted = [t for t in texts if template.accepts(t)]
    assert 100 < len(accepted) < len(texts)
    errors = lint_docs(tmp_path, [_named_step_doc(t) for t in texts])
    verdicts = {t: not [e for e in found if e["kind"] == "expression"] for t, found in zip(texts, errors)}
    assert [t for t in accepted if not verdicts[t]] == []
    assert sum(not ok for ok in verdicts.values()) >= 30


def test_narrowed_values_keep_distances_exact(template):
    import random
    rng = random.Random(5)
    texts = _random_texts(template, rng, 60, 30, "${{ (github.event.x && ") + \
        _random_texts(template, rng, 60, 30, "${{ !(1 || ") + _random_texts(template, rng, 40, 30, "${{ toJSON(!needs && ")
    assert all(template.accepts(t) for t in texts)


CONFIG_VARIABLES = [
    ("${{ vars['a b'] }}", False), ("${{ vars['Ab_9'] }}", True), ("${{ vars[ 'a-b'] }}", False),
    ("${{ vars.a-b }}", False), ("${{ vars[github.ref] }}", True), ("${{ vars['\u00e9'] }}", False),
    ("${{ vars.a_1 }}", True),
]


@pytest.mark.parametrize("text, ok", CONFIG_VARIABLES)
def test_configuration_variable_names_hold_letters_digits_and_underscores(template, text, ok):
    """actionlint: "configuration variable name can only contain alphabets, decimal numbers, and
    '_'", as a property and as a quoted index (an index given as an expression is not checked)."""
    assert template.accepts(text) == ok


def test_actionlint_agrees_on_configuration_variables(tmp_path):
    errors = lint_docs(tmp_path, [_named_step_doc(text) for text, _ in CONFIG_VARIABLES])
    for (text, ok), found in zip(CONFIG_VARIABLES, errors):
        assert (not [e for e in found if e["kind"] == "expression"]) == ok, (text, found)
    import random
    texts = _random_texts(template_dfa(), random.Random(4), 60, 20, "${{ vars[")
    assert all(template_dfa().accepts(t) for t in texts)


def _named_step_doc(text):
    """A workflow of the names `template` reads, with `text` as a step's name."""
    return {"on": {"workflow_dispatch": None}, "jobs": {
        "x": {"runs-on": "ubuntu-latest", "steps": [{"run": "x"}]},
        "t": {"runs-on": "ubuntu-latest", "needs": ["x"], "strategy": {"matrix": {"OS": ["a"], "node-version": ["1"]}},
              "steps": [{"id": "a", "run": "x"}, {"id": "build", "run": "x"}, {"name": text, "run": "x"}]}}}


# actionlint types a matrix name by merging its values' types (rows and `include` entries): a
# string with a number is a string, objects merge their properties, other mixes are any. (An
# object as a whole stays any: `${{ matrix.p }}` is refused in a template, not in `runs-on`.)
MATRIX_TYPES = [
    ("${{ matrix.exp.x }}", False), ("${{ matrix.os.x }}", False), ("${{ matrix.exp < 1 }}", False),
    ("${{ matrix.os < 1 }}", True), ("${{ matrix.n.x }}", False), ("${{ matrix.p.t }}", True),
    ("${{ matrix.p.u }}", False), ("${{ matrix.p.t.x }}", False), ("${{ matrix.exp }}", True),
    ("${{ toJSON(matrix.p) }}", True), ("${{ matrix.n }}", True),
    ("${{ matrix.a[0] }}", True), ("${{ matrix.a[0].x }}", False), ("${{ matrix.a == 1 }}", False),
    ("${{ matrix.m.x < matrix.m.y }}", True), ("${{ matrix.m.x.z }}", True),
]
MATRIX_VALUES = {"exp": [True], "os": ["a", "b"], "n": [1, "2"], "p": [{"t": 1}], "a": [["x", "y"]],
                 "m": [1, {"x": 1}], "include": [{"exp": False, "n": 3}]}


def _matrix_doc(text, owed: bool):
    """`text` used in a step of a job whose strategy comes after it (`owed`) or before it."""
    strategy = {"matrix": MATRIX_VALUES}
    job = {"runs-on": "x", "steps": [{"run": text}], "strategy": strategy} if owed else \
        {"runs-on": "x", "strategy": strategy, "steps": [{"run": text}]}
    return {"on": "push", "jobs": {"j": job}}


@pytest.mark.parametrize("owed", [False, True])
@pytest.mark.parametrize("text, ok", MATRIX_TYPES)
def test_matrix_names_are_of_the_type_of_their_values(text, ok, owed):
    """A matrix name is of the type actionlint gives it, used after the strategy or before it
    (owed: the definition must then give it a type its uses accept)."""
    _encodes_iff(_matrix_doc(text, owed), ok)


def test_actionlint_agrees_on_matrix_types(tmp_path):
    errors = lint_docs(tmp_path, [_matrix_doc(text, False) for text, _ in MATRIX_TYPES])
    for (text, ok), found in zip(MATRIX_TYPES, errors):
        assert (not [e for e in found if e["kind"] == "expression"]) == ok, (text, found)


# `matrix.*` filters a matrix one of whose names holds objects (actionlint: "cannot be filtered
# by object filtering `.*` since it has no object element"). Nothing owes such a name, so before
# the strategy the filter is refused; after it, only a matrix given as an expression takes it
# (stricter than actionlint where a name is an object: no corpus workflow filters a matrix).
STAR_MATRICES = [({"a": [1, 2]}, False, False), ({"a": [1, 2]}, True, False),
                 ("${{ fromJSON(github.event_name) }}", True, True), ("${{ fromJSON(github.event_name) }}", False, False)]


def _star_doc(matrix, strategy_first: bool):
    step = {"runs-on": "x", "steps": [{"run": "${{ toJSON(matrix.*) }}"}]}
    job = {"strategy": {"matrix": matrix}, **step} if strategy_first else {**step, "strategy": {"matrix": matrix}}
    return {"on": "push", "jobs": {"j": job}}


def test_a_matrix_is_filtered_only_where_actionlint_can(tmp_path):
    docs = [_star_doc(matrix, first) for matrix, first, _ in STAR_MATRICES]
    for doc, (_, _, ok) in zip(docs, STAR_MATRICES):
        _encodes_iff(doc, ok)
    for doc, (_, _, ok), found in zip(docs, STAR_MATRICES, lint_docs(tmp_path, docs)):
        if ok:
            assert not [e for e in found if e["kind"] == "expression"], (doc, found)
    assert [e for e in lint_docs(tmp_path, docs[:1])[0] if "no object element" in e["message"]]


def _indexed(where: str, before: bool):
    """A workflow naming a definition through a quoted index, before the definition or after."""
    run = [{"run": "x", "id": "s"}]
    if where == "matrix":
        use, job = "${{ matrix['os'] }}", {"strategy": {"matrix": {"os": ["a"]}}}
    elif where == "needs":
        use, job = "${{ toJSON(needs['a']) }}", {"needs": "a"}
    elif where == "steps":
        use, job = "${{ toJSON(steps['s']) }}", {"steps": run}
    else:
        on = {"workflow_dispatch": {"inputs": {"a": None}}}
        head = {"run-name": "${{ inputs['a'] }}", "on": on} if before else {"on": on, "run-name": "${{ inputs['a'] }}"}
        return {**head, "jobs": {"a": {"runs-on": "x", "steps": run}}}
    field = "outputs" if where == "steps" else "env"
    used = {field: {"X": use}}
    b = {"runs-on": "x", **used, **job} if before else {"runs-on": "x", **job, **used}
    b.setdefault("steps", run)
    return {"on": "push", "jobs": {"a": {"runs-on": "x", "steps": [{"run": "x"}]}, "b": b}}


@pytest.mark.parametrize("where", ["matrix", "needs", "steps", "inputs"])
def test_an_index_never_names_what_a_later_definition_owes(where, tmp_path):
    """`matrix['os']`, `needs['a']`, `steps['s']`, `inputs['a']` read a name the way a dotted
    one does, but owed names are read from dotted references only: before the definition an
    index is refused (no corpus workflow writes one there; after it, 22 do)."""
    _encodes_iff(_indexed(where, True), False)
    _encodes_iff(_indexed(where, False), True)
    assert not [e for e in lint_docs(tmp_path, [_indexed(where, False)])[0] if e["kind"] == "expression"]


TYPED_FIRST = {"on": "push", "jobs": {"j": {
    "runs-on": "${{ matrix.cfg.os }}", "continue-on-error": "${{ matrix.exp }}",
    "steps": [{"run": "echo ${{ matrix.n }}", "if": "matrix.n < 3 && matrix.cfg.arch"}],
    "strategy": {"matrix": {"cfg": [{"os": "a", "arch": "x"}], "n": [1, 2], "exp": [False], "include": [{"n": 3}]}}}}}


def _encodes_under_profile(doc) -> bool:
    try:
        strict().encode(doc)
    except tct.SchemaViolation:
        return False
    return True


def test_owed_matrix_names_get_a_type_their_uses_accept(tmp_path):
    """Names used before the strategy, as an object's properties, a bool and a number: at every
    prefix the shortest completion gives each a type its uses accept (actionlint finds no
    expression error), within its promise, with exact masks and cost deltas."""
    tok = strict()
    assert tok.encode(TYPED_FIRST) == tok.base.encode(TYPED_FIRST)
    done = [doc for _, doc in completions_at_prefixes(tok, TYPED_FIRST, every=2, exact_every=6)]
    assert len(done) > 40 and all(_encodes_under_profile(doc) for doc in done)
    for doc, found in zip(done, lint_docs(tmp_path, done)):
        assert not [e for e in found if e["kind"] == "expression"], (doc["jobs"]["j"], found)
    bad = {"on": "push", "jobs": {"j": {**TYPED_FIRST["jobs"]["j"], "strategy": {"matrix": {
        "cfg": [{"os": "a"}], "n": [1], "exp": [False]}}}}}
    with pytest.raises(tct.SchemaViolation) as err:
        tok.encode(bad)
    assert err.value.path == "/jobs/j/strategy/matrix" and "matrix.cfg used in the job where actionlint refuses" \
        in str(err.value)
    late = {"on": "push", "jobs": {"j": {**TYPED_FIRST["jobs"]["j"], "strategy": {"matrix": {
        "cfg": [{"os": "a", "arch": "x"}], "include": [{"n": True}], "n": [True], "exp": [False]}}}}}
    with pytest.raises(tct.SchemaViolation) as err:  # a bool compared with `<`, no `include` to come
        tok.encode(late)
    assert err.value.path == "/jobs/j/strategy/matrix/n" and "matrix.n is used" in str(err.value)


@settings(max_examples=12, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_owed_matrix_types_keep_masks_exact(cut, choices):
    """Wandering from any prefix of TYPED_FIRST: the mask is what `feed` accepts, and the
    completion after every allowed id is a workflow the profile accepts, within its promise."""
    from conftest import wander_and_check
    wander_and_check(strict(), TYPED_FIRST, cut, choices, _encodes_under_profile, samples=6)


@pytest.mark.parametrize("text, ok", [
    ("${{ inputs.flag.x }}", False), ("${{ inputs.flag < 1 }}", False), ("${{ inputs.s.x }}", False),
    ("${{ inputs.n < 1 }}", True), ("${{ inputs.flag == true }}", True), ("${{ inputs.both < 1 }}", True),
])
def test_inputs_are_of_their_declared_type(text, ok):
    """`inputs.<name>` is of its declared `type` (boolean, number; string, choice and environment
    are strings, as is an untyped workflow_dispatch input); declared twice with two kinds: any."""
    on = {"workflow_dispatch": {"inputs": {"flag": {"type": "boolean"}, "s": {"description": "x"},
                                           "both": {"type": "string"}}},
          "workflow_call": {"inputs": {"n": {"type": "number"}, "both": {"type": "number"}}}}
    doc = {"on": on, "jobs": {"j": {"runs-on": "x", "steps": [{"run": text}]}}}
    _encodes_iff(doc, ok)


@pytest.mark.parametrize("where, ok", [
    ("run-name", True), ("concurrency", True), ("env", False), ("jobs", False), ("after-on", True)])
def test_inputs_above_on_are_named_only_where_real_workflows_use_them(where, ok):
    """Above `on`, `inputs.<name>` may be named in `run-name` and `concurrency` (11 and 1 corpus
    workflows use them there; `on` then owes them) and is refused elsewhere (stricter than
    actionlint when `on` does declare it)."""
    on = {"workflow_dispatch": {"inputs": {"tag": {"description": "x"}}}}
    job = {"runs-on": "x", "steps": [{"run": "echo ${{ inputs.tag }}" if where == "jobs" else "x"}]}
    used = "${{ inputs.tag }}"
    if where == "after-on":
        doc = {"on": on, "env": {"A": used}, "jobs": {"j": job}}
    elif where == "jobs":
        doc = {"jobs": {"j": job}, "on": on}
    else:
        doc = {where: {"A": used} if where == "env" else used, "on": on, "jobs": {"j": job}}
    _encodes_iff(doc, ok)


INPUTS_FIRST = {
    "run-name": "Release ${{ inputs.Version }}${{ inputs.dry_run && ' (dry run)' || '' }}",
    "concurrency": {"group": "r-${{ inputs.version }}-${{ inputs.n < 3 }}", "cancel-in-progress": True},
    "on": {"workflow_call": {"inputs": {"version": {"type": "string", "required": True}}},
           "workflow_dispatch": {"inputs": {"dry_run": {"type": "boolean"}, "n": {"type": "number"}}}},
    "jobs": {"j": {"runs-on": "ubuntu-latest", "steps": [{"run": "echo ${{ inputs.version }}"}]}}}


def test_inputs_named_above_on_are_owed_by_it(tmp_path):
    """Inputs named in `run-name`/`concurrency` above `on` are declared by it: `on` is a mapping
    whose workflow_dispatch or workflow_call declares each (ignoring case), with a type every use
    accepts (read as a string above `on`: `inputs.x.y` is refused there; `boolean` is refused for
    `n` compared with `<`, `number` would do). At every prefix the shortest completion declares
    what is owed (actionlint finds no expression error), within its promise, with exact masks."""
    tok = strict()
    assert tok.encode(INPUTS_FIRST) == tok.base.encode(INPUTS_FIRST)
    on = INPUTS_FIRST["on"]
    for change, path, what in (
            ({"on": "workflow_dispatch"}, "/on", "expected object"),
            ({"on": {"workflow_call": on["workflow_call"], "push": None}}, "/on", "missing 'workflow_dispatch'"),
            ({"on": {**on, "workflow_dispatch": {"inputs": {"dry_run": {"type": "boolean"}}}}},
             "/on/workflow_dispatch/inputs", "inputs.n"),
            ({"on": {**on, "workflow_dispatch": {"inputs": {"dry_run": {}, "n": {"type": "boolean"}}}}},
             "/on/workflow_dispatch/inputs/n/type", "refuses a boolean"),
            ({"run-name": "${{ inputs.version.x }}"}, "/run-name", "not available here")):
        doc = {**INPUTS_FIRST, **change}
        tok.base.encode(doc)  # schema-valid
        with pytest.raises(tct.SchemaViolation) as err:
            tok.encode(doc)
        assert err.value.path == path and what in str(err.value), (change, str(err.value))
    done = [doc for _, doc in completions_at_prefixes(tok, INPUTS_FIRST, every=3, exact_every=9)]
    assert len(done) > 20 and all(_encodes_under_profile(doc) for doc in done)
    owed = [doc for doc in done if "on" in doc and "inputs." in doc.get("run-name", "")]
    assert owed and all(input_names(doc["on"]) for doc in owed)
    for doc, found in zip(done, lint_docs(tmp_path, done)):
        assert not [e for e in found if e["kind"] == "expression"], (doc, found)


@settings(max_examples=12, deadline=None)
@given(cut=st.integers(0, 10 ** 6), choices=st.lists(st.integers(0, 2 ** 16), max_size=30))
def test_owed_inputs_keep_masks_exact(cut, choices):
    """Wandering from any prefix of INPUTS_FIRST: the mask is what `feed` accepts, and the
    completion after every allowed id is a workflow the profile accepts, within its promise."""
    from conftest import wander_and_check
    wander_and_check(strict(), INPUTS_FIRST, cut, choices, _encodes_under_profile, samples=6)


SECTION_KINDS = [
    ("env", "${{ fromJSON(github.event.x) }}", True), ("env", "${{ github.event }}", True), ("env", "${{ vars }}", True),
    ("env", "${{ github.ref == 'a' }}", False), ("env", "${{ 'x' }}", False), ("env", "${{ github.sha }}", False),
    ("env", "${{ vars.a }}", False), ("env", "${{ toJSON(github) }}", False), ("env", "${{ env }}", False),
    # `env` and `with` given so are objects of scalars ("env.event must be string but found object")
    ("env", "${{ github }}", False), ("env", "${{ needs }}", False), ("env", "${{ inputs }}", True),
    ("env", "${{ needs.a.outputs }}", True), ("env", "${{ needs.a }}", False), ("env", "${{ strategy }}", True),
    ("env", "${{ 'a' && needs || vars }}", False), ("env", "${{ vars && needs.a.outputs || secrets }}", True),
    ("exclude", "${{ fromJSON(github.event.x) }}", True), ("exclude", "${{ github.event.commits }}", True),
    ("exclude", "${{ 1.11 || 1 }}", False), ("exclude", "${{ github.ref }}", False), ("exclude", "${{ vars['x'] }}", False),
    ("exclude", "${{ github.event.commits.*.id }}", True), ("matrix", "${{ fromJSON(needs.a.outputs.m) }}", True),
    # a row given as an expression is an array: a comparison first owes a later term
    ("row", "${{ github.event_name == 'push' && fromJSON('[\"a\"]') || fromJSON('[\"a\", \"b\"]') }}", True),
    ("row", "${{ contains(github.ref, 'a') && fromJSON(vars.x) }}", True), ("row", "${{ github.ref == 'a' || 0 }}", True),
    ("row", "${{ github.ref == 'a' }}", False), ("row", "${{ github.ref }}", False),
    ("row", "${{ github.ref == 'a' && 'x' }}", False), ("row", "${{ github.ref == 'a' && true }}", False),
    ("row", "${{ fromJSON('[1]') }}", True), ("row", "${{ github.event }}", False), ("include", "${{ github.ref }}", True),
    ("matrix", "${{ 'x' }}", False), ("matrix", "${{ github.ref_name }}", False),
    ("exclude", "${{ 1 }}", False), ("exclude", "${{ github.event }}", False),
    ("exclude", "${{ fromJSON(needs.a.outputs.m) }}", True), ("include", "${{ 1 }}", True),
]


def _section_doc(where, text):
    job = {"runs-on": "ubuntu-latest", "needs": ["a"], "steps": [{"run": "x"}]}
    if where == "env":
        job["env"] = text
    else:
        job["strategy"] = {"matrix": {"os": text} if where == "row" else text if where == "matrix"
                           else {"os": ["a"], where: text}}
    return {"on": "push", "jobs": {"a": {"runs-on": "ubuntu-latest", "outputs": {"m": "x"}, "steps": [{"run": "x"}]},
                                   "j": job}}


@pytest.mark.parametrize("where, text, ok", SECTION_KINDS)
def test_a_section_or_row_given_as_an_expression_is_an_object_or_array(where, text, ok):
    """actionlint: "env must be object but found bool", "type of expression at "matrix row" must
    be array": the expression's first term may be no literal, and its names end in those kinds."""
    _encodes_iff(_section_doc(where, text), ok)


def test_completions_of_sections_given_as_expressions_keep_their_promise():
    """The shortest string of an object or array expression (`${{env}}`) is longer than the
    schema's (`${{a}}`): the value's cost and the completion's branch take it into account."""
    from conftest import completions_at_prefixes
    for where, text, ok in SECTION_KINDS:
        if ok:
            for _ in completions_at_prefixes(strict(), _section_doc(where, text), every=1, exact_every=40):
                pass


def _assert_distances_exact(d, states: int) -> None:
    """The shortest-path equations of automaton `d` at the first `states` states a breadth-first
    walk reaches."""
    import collections
    dist, seen, todo = d.distances(), {d.start}, collections.deque([d.start])
    while todo and len(seen) < states:
        s = todo.popleft()
        row = d.trans[s]
        assert dist[s] == (0 if s in d.accept else 1 + min(dist[t] for t in row.values())), d._triples[s][:3]
        for t in row.values():
            if t not in seen:
                seen.add(t)
                todo.append(t)


def test_actionlint_agrees_on_section_kinds(tmp_path):
    errors = lint_docs(tmp_path, [_section_doc(where, text) for where, text, _ in SECTION_KINDS])
    for (where, text, ok), found in zip(SECTION_KINDS, errors):
        kinds = [e["message"] for e in found if e["kind"] == "expression"]
        assert (not kinds) == ok, (where, text, kinds)


def test_section_kinds_keep_distances_exact():
    """Where the first operand may be no literal (its distance goes through the root's names)."""
    from tct.codec.profiles.github_workflow import SINGLE_EXPRESSION
    names = tree("env", frozenset(), None, None, frozenset())
    for kind in (E.MAPPING, E.ROW):
        _assert_distances_exact(SlotDFA(CharDFA(((E.pattern(kind), True), (SINGLE_EXPRESSION, True))), names), 4000)


FIELD_KINDS = [  # (field, expression, accepted)
    ("continue-on-error", "true || 1", True), ("continue-on-error", "github.event.x", True),
    ("continue-on-error", "!vars.x", True), ("continue-on-error", "github.ref == 'a'", True),
    ("continue-on-error", "startsWith(github.ref, 'a')", True), ("continue-on-error", "true && 1", True),
    ("continue-on-error", "matrix.os != 'b' && github.sha < 1", True), ("fail-fast", "github.ref_name == 'main'", True),
    ("continue-on-error", "vars.x", False), ("continue-on-error", "github.event_name", False),
    ("continue-on-error", "format('a')", False), ("continue-on-error", "true || 'a'", False),
    ("continue-on-error", "true || 1 || 'a'", False), ("continue-on-error", "true && 'a'", False),
    ("continue-on-error", "1 && 2", False), ("continue-on-error", "(true || 'a')", False),
    ("continue-on-error", "1 < 2 || 'a'", False), ("continue-on-error", "(1)", False),
    ("continue-on-error", "github.ref", False), ("fail-fast", "a ${{ true }}", False),
    ("deployment", "github.ref_name == 'a'", True), ("deployment", "vars.x", False),
    # a number given so is a number ("type of expression at "float number value" must be number")
    ("timeout-minutes", "contains(github.ref, 'a') && 20 || 10", True), ("timeout-minutes", "fromJSON(vars.t)", True),
    ("timeout-minutes", "github.ref == 'a' && 5 || 10", True), ("timeout-minutes", "(github.ref == 'a' && 120) || 360", True),
    ("timeout-minutes", "true", False), ("timeout-minutes", "github.ref", False), ("timeout-minutes", "github.ref == 'a'", False),
    ("timeout-minutes", "contains(github.ref, 'a')", False), ("timeout-minutes", "1 || 'a'", False),
    ("timeout-minutes", "github.event", False), ("timeout-minutes", "null", False),
]


CONDITION_KINDS = [  # an `if:` given as `${{ }}` is a template to actionlint: it shows no object, array or null
    ("${{ steps }}", False), ("${{ github.event }}", False), ("${{ needs }}", False), ("steps", True),
    ("github.event", True), ("${{ github.ref == 'a' }}", True), ("${{ success() }}", True),
    ("${{ steps.s.outputs.y }}", True), ("${{ !github.event }}", True)]


def _condition_doc(text):
    return {"on": "push", "jobs": {"a": {"runs-on": "x", "steps": [{"id": "s", "run": "a"}, {"run": "b", "if": text}]}}}


@pytest.mark.parametrize("text, ok", CONDITION_KINDS)
def test_a_condition_given_as_an_expression_shows_no_object(text, ok):
    _encodes_iff(_condition_doc(text), ok)


def test_actionlint_agrees_on_condition_kinds(tmp_path):
    errors = lint_docs(tmp_path, [_condition_doc(text) for text, _ in CONDITION_KINDS])
    for (text, ok), found in zip(CONDITION_KINDS, errors):
        assert (not [e for e in found if e["kind"] == "expression"]) == ok, (text, found)


EVENT_INPUTS = [  # (on, expression, accepted): actionlint types `github.event.inputs` by workflow_dispatch
    ("push", "github.event.inputs.name", True), ("workflow_dispatch", "github.event.inputs.name", False),
    ({"workflow_dispatch": {"inputs": {"Name": {"type": "string"}}}}, "github.event.inputs.name", True),
    ({"workflow_dispatch": {"inputs": {"name": {"type": "string"}}}}, "github.event.inputs.nam", False),
    ({"workflow_dispatch": None, "push": None}, "github.event.inputs", False),
    ({"workflow_dispatch": None, "push": None}, "github.event.pull_request.head.sha", True),
    ({"workflow_dispatch": None, "push": None}, "github.event.input", True), (["push", "workflow_dispatch"],
                                                                               "github.event.inputs.x", False),
    ({"workflow_dispatch": {"inputs": {"x": None}}, "workflow_call": {"inputs": {"y": {"type": "string"}}}},
     "github.event.inputs.y", False),
    ({"workflow_call": {"inputs": {"name": {"type": "string"}}}}, "github.event.inputs.name", True)]


def _event_doc(on, text):
    return {"on": on, "jobs": {"a": {"runs-on": "x", "steps": [{"run": "echo ${{ %s }}" % text}]}}}


@pytest.mark.parametrize("on, text, ok", EVENT_INPUTS)
def test_event_inputs_are_the_dispatch_inputs(on, text, ok):
    _encodes_iff(_event_doc(on, text), ok)


def test_actionlint_agrees_on_event_inputs(tmp_path):
    errors = lint_docs(tmp_path, [_event_doc(on, text) for on, text, _ in EVENT_INPUTS])
    for (on, text, ok), found in zip(EVENT_INPUTS, errors):
        assert (not [e for e in found if e["kind"] == "expression"]) == ok, (on, text, found)


def _field_doc(field, text):
    value = text if "${{" in text else "${{ %s }}" % text
    job = {"runs-on": "ubuntu-latest", "strategy": {"matrix": {"os": ["a", "b"]}}, "steps": [{"run": "x"}]}
    if field == "fail-fast":
        job["strategy"][field] = value
    elif field == "deployment":
        job["environment"] = {"name": "x", field: value}
    else:
        job[field] = value
    return {"on": "push", "jobs": {"j": job}}


@pytest.mark.parametrize("field, text, ok", FIELD_KINDS)
def test_a_bool_given_as_an_expression_is_a_bool(field, text, ok):
    """actionlint: "type of expression must be bool but found type string": the first term of a
    boolean field's expression is a bool (a name of another kind followed by a comparison) or
    any, and no later `&&`/`||` term is a string (one makes the whole a string)."""
    _encodes_iff(_field_doc(field, text), ok)


def test_completions_of_typed_fields_keep_their_promise():
    from conftest import completions_at_prefixes
    for field, text, ok in FIELD_KINDS:
        if ok:
            for _ in completions_at_prefixes(strict(), _field_doc(field, text), every=1, exact_every=40):
                pass


def test_actionlint_agrees_on_field_kinds(tmp_path):
    errors = lint_docs(tmp_path, [_field_doc(field, text) for field, text, _ in FIELD_KINDS])
    for (field, text, ok), found in zip(FIELD_KINDS, errors):
        assert (not found) == ok, (field, text, found)


def test_field_kinds_keep_distances_exact():
    """Where a name of another kind owes a comparison."""
    from tct.codec.profiles.github_workflow import SINGLE_EXPRESSION
    names = tree("step", frozenset({"a"}), None, None, frozenset())
    for kind in (E.BOOL, E.NUMBER):
        _assert_distances_exact(SlotDFA(CharDFA(((E.pattern(kind), True), (SINGLE_EXPRESSION, True))), names), 6000)
