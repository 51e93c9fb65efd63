"""Learn a tokenizer's merges from a corpus: the train split's documents as base-id streams.

The split is the one `prepare` uses (MANIFEST.jsonl, else a hash of the top folder), so a model
trained on prepared shards never sees merges learned from its val documents.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from tct.data.documents import load_document
from tct.data.prepare import corpus_files
from tct.errors import TCTError
from tct.vocab.merges import MAX_LEN, learn_merges


def train_tokenizer(corpus, tokenizer, vocab_size: int, max_len: int = MAX_LEN, val_fraction: float = 0.1,
                    limit: int | None = None, progress: bool | None = None):
    """(tokenizer with merges learned over `tokenizer`'s base ids, documents used, rejected)."""
    base = tokenizer.with_merges(None)
    files = [f for f, split in corpus_files(Path(corpus), val_fraction) if split == "train"][:limit]
    if progress is None:
        progress = sys.stderr.isatty()
    streams, rejected = [], 0
    for f in tqdm(files, disable=not progress, file=sys.stderr, unit="file", desc="encoding"):
        try:
            streams.append(base.encode(load_document(f)))
        except TCTError:
            rejected += 1
    if not streams:
        raise TCTError(f"{corpus}: no valid document in the train split")
    frozen = [base.bos_id, base.eos_id, base.pad_id] + list(range(base.pos_base, base.pos_base + base.n_pos))
    merges = learn_merges(streams, base.vocab_size, vocab_size, frozen=frozen, max_len=max_len)
    return base.with_merges(merges), len(streams), rejected
