"""Walk a corpus of YAML/JSON documents and say which ones a schema accepts, and why not.

The schema side is passed in as `validate(doc)` so that this module stays independent of the
schema compiler: it only needs validate to raise a TCTError (SchemaViolation carries `.path`).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from tqdm import tqdm

from tct.data.documents import JSON_SUFFIXES, TOML_SUFFIXES, YAML_SUFFIXES, load_document
from tct.errors import DocumentError, TCTError

__all__ = ["iter_document_files", "check_corpus", "CorpusReport", "Reject"]

DOCUMENT_SUFFIXES = YAML_SUFFIXES + JSON_SUFFIXES + TOML_SUFFIXES
_PROGRESS_MIN_FILES = 50  # below this a progress bar is just noise


def iter_document_files(path: str | Path) -> Iterator[Path]:
    """A file yields itself (whatever its suffix: the caller named it); a directory yields every
    *.yml/*.yaml/*.json below it, sorted so that runs and reports are reproducible."""
    p = Path(path)
    if not p.is_dir():
        yield p
        return
    yield from sorted(f for f in p.rglob("*") if f.suffix.lower() in DOCUMENT_SUFFIXES and f.is_file())


@dataclass
class Reject:
    file: str
    path: str  # JSON pointer inside the document ('' = whole document / unknown)
    kind: str  # "document" (cannot be read as JSON) or "schema" (validate refused it)
    reason: str


@dataclass
class CorpusReport:
    files: int = 0
    valid: int = 0
    rejected: Counter = field(default_factory=Counter)  # kind -> count
    rejects: list[Reject] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejects

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(self.rejected.items())) or "none"
        return f"{self.files} files: {self.valid} valid, rejected: {kinds}"


def check_corpus(
    path: str | Path,
    validate: Callable[[Any], Any] | None = None,
    progress: bool | None = None,
) -> CorpusReport:
    """Load every document under `path` and run `validate` on it, collecting rejects.

    DocumentError -> kind "document"; any other TCTError from validate -> kind "schema" (its
    `.path` if it has one). Other exceptions are bugs and propagate. `progress=None` shows a
    tqdm bar on stderr only for many files and a terminal.
    """
    files = list(iter_document_files(path))
    if progress is None:
        progress = len(files) >= _PROGRESS_MIN_FILES and sys.stderr.isatty()
    report = CorpusReport(files=len(files))
    for f in tqdm(files, disable=not progress, file=sys.stderr, unit="file", desc="checking"):
        try:
            doc = load_document(f)
            if validate is not None:
                validate(doc)
        except DocumentError as e:
            report.rejects.append(Reject(str(f), e.path, "document", e.reason))
        except TCTError as e:
            reason = getattr(e, "reason", None) or str(e)
            report.rejects.append(Reject(str(f), getattr(e, "path", "") or "", "schema", reason))
        else:
            report.valid += 1
            continue
        report.rejected[report.rejects[-1].kind] += 1
    return report
