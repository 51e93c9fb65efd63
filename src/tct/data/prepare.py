"""Corpus directory -> tokenized shards for training, with a report of every reject.

The split is by repository so that no repository is in both train and val: taken from a
MANIFEST.jsonl next to the files when there is one (the shared corpus has it), otherwise from a
stable hash of each file's top-level folder. Shards are written to a temporary folder and
renamed into place, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from tct.data.corpus import Reject, iter_document_files
from tct.data.documents import load_document
from tct.data.masks import MaskTable
from tct.data.shards import write_shards
from tct.errors import DocumentError, TCTError


@dataclass
class PrepareReport:
    counts: dict = field(default_factory=lambda: {"train": 0, "val": 0})
    tokens: dict = field(default_factory=lambda: {"train": 0, "val": 0})
    rejects: list = field(default_factory=list)

    def summary(self) -> str:
        return (f"train {self.counts['train']} docs / {self.tokens['train']} tokens, "
                f"val {self.counts['val']} docs / {self.tokens['val']} tokens, {len(self.rejects)} rejected")


def _hash_split(key: str, val_fraction: float) -> str:
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "val" if h < val_fraction else "train"


def corpus_files(corpus: Path, val_fraction: float) -> list[tuple[Path, str]]:
    """(file, split) pairs; MANIFEST.jsonl decides when present."""
    manifest = corpus / "MANIFEST.jsonl"
    if manifest.exists():
        rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [(corpus / r["file"], r.get("split") or _hash_split(r.get("repo", r["file"]), val_fraction))
                for r in rows]
    out = []
    for f in iter_document_files(corpus):
        rel = f.relative_to(corpus) if corpus.is_dir() else Path(f.name)
        group = rel.parts[0] if len(rel.parts) > 1 else rel.name
        out.append((f, _hash_split(group, val_fraction)))
    return out


def prepare(corpus, out, tokenizer, val_fraction: float = 0.1, progress: bool | None = None,
            masks: bool = True) -> PrepareReport:
    """`masks`: also store the legal-id mask of every position (`tct.data.masks`), for
    masked likelihood in training and evaluation."""
    corpus, out = Path(corpus), Path(out)
    files = corpus_files(corpus, val_fraction)
    report = PrepareReport()
    streams = {"train": [], "val": []}
    table = MaskTable(tokenizer) if masks else None
    mask_rows = {"train": [], "val": []}
    val_bytes = 0
    if progress is None:
        progress = sys.stderr.isatty()
    for path, split in tqdm(files, disable=not progress, file=sys.stderr, unit="file", desc="tokenizing"):
        try:
            doc = load_document(path)
            ids = tokenizer.encode(doc)
        except DocumentError as exc:
            report.rejects.append(Reject(str(path), exc.path, "document", exc.reason))
            continue
        except TCTError as exc:
            report.rejects.append(Reject(str(path), getattr(exc, "path", ""), "schema",
                                         getattr(exc, "reason", str(exc))))
            continue
        streams[split].append(ids)
        if table is not None:
            mask_rows[split].append(table.stream(ids))
        report.counts[split] += 1
        report.tokens[split] += len(ids)
        if split == "val":
            val_bytes += len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())
    if not streams["train"] or not streams["val"]:
        raise TCTError(f"{corpus}: need documents in both splits (train {report.counts['train']}, "
                       f"val {report.counts['val']})")
    meta = {
        "vocab_size": tokenizer.vocab_size, "pad_id": tokenizer.pad_id, "bos_id": tokenizer.bos_id,
        "eos_id": tokenizer.eos_id, "pos_base": tokenizer.pos_base, "n_pos": tokenizer.n_pos,
        "pos_stride": tokenizer.pos_stride, "tokenizer": tokenizer.identity(), "val_bytes": val_bytes,
        "source": str(corpus.name),
    }
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    write_shards(tmp, streams["train"], streams["val"], meta,
                 masks=(table.packed(), mask_rows["train"], mask_rows["val"], table.exact) if table else None)
    with open(tmp / "rejects.jsonl", "w", encoding="utf-8") as fh:
        for r in report.rejects:
            fh.write(json.dumps(r.__dict__) + "\n")
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    return report
