"""tct.data.documents / tct.data.corpus: YAML 1.2 + JSON loading into plain JSON values."""

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import tct
from tct.data.corpus import check_corpus, iter_document_files
from tct.data.documents import dumps_document, load_document, load_document_text
from tct.errors import DocumentError, SchemaViolation

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "github-workflows"


def err(text, fmt="yaml") -> DocumentError:
    with pytest.raises(DocumentError) as info:
        load_document_text(text, "t.yml", fmt)
    return info.value


def test_exported_from_package():
    assert tct.load_document is load_document


def test_yaml_1_2_keeps_on_and_yes_as_strings():
    doc = load_document_text("on:\n  push: {branches: [main]}\nyes: no\nflag: true\nOff: False\n")
    assert doc == {"on": {"push": {"branches": ["main"]}}, "yes": "no", "flag": True, "Off": False}
    assert list(doc)[0] == "on"


def test_core_schema_scalars():
    doc = load_document_text(
        "a: [0o17, 0x1F, 017, 1_000, 0b11, 1:30, 1e3, .5, 3.10, ~, null, '', 2020-01-01, '1']\n"
    )
    assert doc["a"] == [15, 31, 17, "1_000", "0b11", "1:30", 1000.0, 0.5, 3.1, None, None, "",
                        "2020-01-01", "1"]
    assert all(type(x) in (int, float, str, type(None)) for x in doc["a"])


def test_result_is_plain_json(tmp_path):
    f = tmp_path / "w.yml"
    f.write_text("a: &x {b: [1, {c: d}]}\ne: *x\n")
    doc = load_document(f)
    assert doc == {"a": {"b": [1, {"c": "d"}]}, "e": {"b": [1, {"c": "d"}]}}
    assert json.loads(json.dumps(doc)) == doc
    stack = [doc]
    while stack:
        v = stack.pop()
        assert type(v) in (dict, list, str, int, float, bool, type(None))
        stack.extend(v.values() if isinstance(v, dict) else v if isinstance(v, list) else [])


def test_merge_keys_like_pyyaml():
    doc = load_document_text("a: &A {x: 1, y: 2}\nb: &B {z: 0}\nc:\n  <<: [*A, *B]\n  y: 3\n")
    assert doc["c"] == {"x": 1, "y": 3, "z": 0}
    assert load_document_text("a: '<<'\n'<<': b\n") == {"a": "<<", "<<": "b"}
    assert err("a: {<<: 1}\n").path == "/a/<<"


def test_duplicate_key_names_key_and_pointer():
    e = err("jobs:\n  build:\n    runs-on: a\n    runs-on: b\n")
    assert e.path == "/jobs/build/runs-on"
    assert "duplicate key 'runs-on'" in e.reason and "line 4" in e.reason and "line 3" in e.reason
    # the quoted and the plain spelling of `on` are the same key
    assert err('"on": push\non: pull_request\n').path == "/on"


def test_syntax_error_names_line_and_column():
    e = err("a: 1\nb: [1, 2\nc: 3\n")
    assert e.path == "" and "YAML syntax error at line 3" in e.reason and "column" in e.reason
    assert "line 2" in err("a:\n\tb: 1\n").reason


@pytest.mark.parametrize("text, pointer, word", [
    ("1: x\n", "", "'1' is an integer"),
    ("a:\n  ~: x\n", "/a", "null"),
    ("a:\n  true: x\n", "/a", "boolean"),
    ("a: {[1, 2]: x}\n", "/a", "sequence"),
    ("a:\n  - b: {{ id }}\n", "/a/0/b", "mapping"),  # the starter-workflow template mistake
])
def test_non_string_keys_rejected(text, pointer, word):
    e = err(text)
    assert e.path == pointer and word in e.reason and "keys must be strings" in e.reason


@pytest.mark.parametrize("text, pointer", [
    ("a: .nan\n", "/a"), ("a: [-.inf]\n", "/a/0"), ("a: 1e999\n", "/a"),
    ("a: !!binary aGk=\n", "/a"), ("a: !!set {x, y}\n", "/a"), ("a: !!timestamp 2020-01-01\n", "/a"),
    ("a: !Ref x\n", "/a"), ("a: &r [*r]\n", "/a/0"), ("a: !!int x\n", "/a"),
])
def test_non_json_values_rejected(text, pointer):
    assert err(text).path == pointer


def test_json_rules():
    assert load_document_text('{"on": 1, "a": [1.5, null, true]}', fmt="json") == \
        {"on": 1, "a": [1.5, None, True]}
    e = err('{"a": {"b": 1, "b": 2}}', "json")
    assert e.path == "/a/b" and "duplicate key 'b'" in e.reason
    assert err('{"a": [1, NaN]}', "json").path == "/a/1"
    assert err('{"a": Infinity}', "json").path == "/a"
    e = err('{"a": 1,\n "b": }', "json")
    assert "JSON syntax error at line 2, column 7" in e.reason
    assert "JSON" in err("a: 1", "json").reason  # .json files never fall back to YAML


def test_suffix_and_guessing(tmp_path):
    (tmp_path / "a.json").write_text('{"x": 1, "x": 2}')
    with pytest.raises(DocumentError, match="duplicate key"):
        load_document(tmp_path / "a.json")
    (tmp_path / "b.yaml").write_text('{"x": [1, 2]}\n')  # JSON is fine through the YAML path
    assert load_document(tmp_path / "b.yaml") == {"x": [1, 2]}
    (tmp_path / "c.txt").write_text("on: push\n")
    assert load_document(tmp_path / "c.txt") == {"on": "push"}
    (tmp_path / "d").write_text('[1, {"a": null}]')
    assert load_document(tmp_path / "d") == [1, {"a": None}]
    (tmp_path / "e.yml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_document(tmp_path / "e.yml") == {"a": 1}


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path, content):
    f = tmp_path / "empty.yml"
    f.write_text(content)
    with pytest.raises(DocumentError, match="empty document") as info:
        load_document(f)
    assert info.value.file == str(f)
    assert "empty document" in err("  \n", "json").reason


def test_multiple_documents_rejected():
    assert "multiple YAML documents" in err("a: 1\n---\nb: 2\n").reason
    assert load_document_text("---\na: 1\n...\n") == {"a": 1}


def test_unreadable_file(tmp_path):
    with pytest.raises(DocumentError, match="cannot read"):
        load_document(tmp_path / "missing.yml")
    (tmp_path / "bin.yml").write_bytes(b"a: \xff\n")
    with pytest.raises(DocumentError, match="UTF-8"):
        load_document(tmp_path / "bin.yml")


def test_check_corpus(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.yaml").write_text("name: x\n")
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "schema.yml").write_text("name: 3\n")
    (tmp_path / "notes.txt").write_text("ignored")

    def validate(doc):
        if not isinstance(doc["name"], str):
            raise SchemaViolation("/name", "expected a string")

    assert [p.name for p in iter_document_files(tmp_path)] == ["bad.json", "schema.yml", "ok.yaml"]
    assert list(iter_document_files(tmp_path / "notes.txt")) == [tmp_path / "notes.txt"]
    rep = check_corpus(tmp_path, validate)
    assert (rep.files, rep.valid, dict(rep.rejected)) == (3, 1, {"document": 1, "schema": 1})
    by_kind = {r.kind: r for r in rep.rejects}
    assert by_kind["schema"].path == "/name" and by_kind["schema"].file.endswith("schema.yml")
    assert "JSON syntax error" in by_kind["document"].reason
    assert "1 valid" in rep.summary()


def test_shared_corpus_verdicts():
    """Every MANIFEST yaml_error file is rejected, every valid/schema_invalid file loads."""
    if not (CORPUS / "MANIFEST.jsonl").is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    rows = [json.loads(line) for line in (CORPUS / "MANIFEST.jsonl").read_text().splitlines()]
    assert len(rows) > 2000
    start, wrong = time.perf_counter(), []
    for row in rows:
        try:
            doc = load_document(CORPUS / row["file"])
        except DocumentError as e:
            if row["verdict"] != "yaml_error":
                wrong.append((row["file"], str(e)))
            continue
        if row["verdict"] == "yaml_error":
            wrong.append((row["file"], "loaded, but the reference rejects it"))
        assert isinstance(doc, dict) and "jobs" in doc, row["file"]
    elapsed = time.perf_counter() - start
    print(f"loaded {len(rows)} corpus files in {elapsed:.1f}s")
    assert not wrong, wrong[:10]



def test_json_with_comments_and_toml(tmp_path):
    p = tmp_path / "tsconfig.json"
    p.write_text('{\n  // compiler settings\n  "a": "http://x", /* block */ "b": 1\n}\n')
    assert load_document(p) == {"a": "http://x", "b": 1}
    t = tmp_path / "c.toml"
    t.write_text('name = "x"\n[tool]\nn = 2\n')
    assert load_document(t) == {"name": "x", "tool": {"n": 2}}
    bad = tmp_path / "d.toml"
    bad.write_text("when = 1979-05-27\n")
    with pytest.raises(DocumentError) as info:
        load_document(bad)
    assert info.value.path == "/when"

_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12) | \
    st.sampled_from(["yes", "on", "1.0", "- a", "a: b", " x", "x\n", "a\nb\x11", "\x85", "\u2028", "\ufeff", "'\""])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_TEXT, _TEXT | st.lists(_TEXT, max_size=3), max_size=4))
def test_any_strings_survive_yaml_and_json_output(doc):
    """Generated documents hold whatever strings the schema allows (control characters, line
    separators, a BOM, YAML keywords): written as YAML or JSON they read back the same."""
    for fmt in ("yaml", "json"):
        text = dumps_document(doc, fmt)
        assert load_document_text(text, f"doc.{'yml' if fmt == 'yaml' else 'json'}") == doc, (fmt, text)
