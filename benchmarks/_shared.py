"""Helpers for benchmark scripts: locate ../shared and load its data (never copied here)."""

import json
import re
import tomllib
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "github-workflows"
SUITES = SHARED / "suites" / "schemastore"


def manifest():
    return [json.loads(line) for line in (CORPUS / "MANIFEST.jsonl").read_text().splitlines() if line.strip()]


def load_suite_doc(path: Path):
    """SchemaStore test documents: JSON (some with // comments), YAML or TOML."""
    import tct
    if path.suffix == ".toml":
        return tomllib.loads(path.read_text(encoding="utf-8"))
    if path.suffix == ".json":
        text = path.read_text(encoding="utf-8")
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
    return tct.load_document(path)
