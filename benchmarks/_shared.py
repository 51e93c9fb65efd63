"""Helpers for benchmark scripts: locate ../shared and load its data (never copied here)."""

import json
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "github-workflows"
SUITES = SHARED / "suites" / "schemastore"


def manifest():
    return [json.loads(line) for line in (CORPUS / "MANIFEST.jsonl").read_text().splitlines() if line.strip()]
