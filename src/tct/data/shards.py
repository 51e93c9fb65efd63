"""Token shards the trainer reads, and how they are cut into training windows.

Data directory layout (all written by the data stage; `write_shards` is a reference writer):

    meta.json       {"vocab_size": int, "pad_id": int, "bos_id": int, "eos_id": int,
                     "dtype": "uint16",            # or "uint32"; element type of the .bin files
                     "pos_base": int, "n_pos": int, "pos_stride": int,
                     "tokenizer": {...},           # identity, copied into checkpoints,
                                                   # e.g. {"schema", "schema_sha256", "vocab_size"}
                     "val_bytes": int}             # optional: bytes of minified JSON of all val docs
    train.bin       raw little-endian `dtype` ids: every train document, each [BOS] ... [EOS],
                    concatenated with nothing between them
    val.bin         the same for validation documents
    train_docs.npy  int64 array of shape (n_docs, 2): (offset in tokens into train.bin,
                    length in tokens including BOS and EOS), one row per document
    val_docs.npy    the same for val.bin
    masks.npy       optional (meta "masks": {"count", "exact"}): uint8 (count, ceil(vocab/8)),
                    packed legal-id masks (`tct.data.masks`; row 0 allows every id)
    train_masks.bin uint32 row of masks.npy for every id of train.bin: the mask that id was
                    chosen under (0 for BOS); val_masks.bin likewise

All ids (including pad and position ids) lie in [0, vocab_size).

Windows.  The model sees `context` (= C) input ids x and next-token targets y:

* at a document's start:      x = doc[0:C],                       y = doc[1:C+1]
* starting at s > 0:          x = [position_id(s)] + doc[s:s+C-1], y = doc[s:s+C]
  with position_id(s) = pos_base + min(s // pos_stride, n_pos - 1), the token that tells
  the model roughly where in a long document the window begins (exactly what a generator
  prepends when it re-windows a document that outgrew the context);
* short windows are right-padded: x with pad_id, y with IGNORE (excluded from the loss);
* with masks, m holds each target's mask row (0, unconstrained, for padding).

Training samples a document with probability proportional to its number of targets
(length - 1), then a start uniformly from {0, ..., length - C} (0 when the document fits),
so windows are always full unless the document is shorter than the context.
Evaluation covers every target of every document exactly once: the first window at 0, then
windows that re-read `overlap` already-scored tokens as context and score only new ones.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from tct.data.masks import unpack
from tct.errors import TCTError

IGNORE = -100
"""Target value excluded from the loss (torch cross_entropy's default ignore_index)."""

REQUIRED_META = ("vocab_size", "pad_id", "bos_id", "eos_id", "dtype", "pos_base", "n_pos", "pos_stride", "tokenizer")


@dataclass
class Split:
    tokens: np.ndarray  # memmap of ids
    docs: np.ndarray    # (n_docs, 2) int64 (offset, length)
    masks: np.ndarray | None = None  # memmap of mask rows, parallel to tokens

    def doc(self, i: int) -> np.ndarray:
        off, n = self.docs[i]
        return self.tokens[off:off + n]  # a memmap view: nothing is read until sliced further

    def doc_masks(self, i: int) -> np.ndarray | None:
        if self.masks is None:
            return None
        off, n = self.docs[i]
        return self.masks[off:off + n]


class Shards:
    """A data directory opened for reading; raises TCTError on anything malformed."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        try:
            self.meta = json.loads((self.dir / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise TCTError(f"{self.dir}: cannot read meta.json: {e}") from None
        missing = [k for k in REQUIRED_META if k not in self.meta]
        if missing:
            raise TCTError(f"{self.dir}/meta.json lacks {missing}")
        m = self.meta
        self.vocab_size, self.pad_id = int(m["vocab_size"]), int(m["pad_id"])
        self.bos_id, self.eos_id = int(m["bos_id"]), int(m["eos_id"])
        self.pos_base, self.n_pos, self.pos_stride = int(m["pos_base"]), int(m["n_pos"]), int(m["pos_stride"])
        if m["dtype"] not in ("uint16", "uint32"):
            raise TCTError(f"{self.dir}/meta.json: dtype {m['dtype']!r} is not uint16 or uint32")
        if self.n_pos > 0 and (self.pos_stride < 1 or self.pos_base + self.n_pos > self.vocab_size):
            raise TCTError(f"{self.dir}/meta.json: position ids [{self.pos_base}, +{self.n_pos}) stride "
                           f"{self.pos_stride} do not fit vocab {self.vocab_size}")
        self.mask_table = self._mask_table()
        self.train = self._split("train")
        self.val = self._split("val")
        self._cum_targets = np.cumsum(self.train.docs[:, 1] - 1, dtype=np.float64)

    def _split(self, name: str) -> Split:
        bin_path, docs_path = self.dir / f"{name}.bin", self.dir / f"{name}_docs.npy"
        try:
            tokens = np.memmap(bin_path, dtype=np.dtype(self.meta["dtype"]).newbyteorder("<"), mode="r")
            docs = np.load(docs_path).astype(np.int64, copy=False)
        except (OSError, ValueError) as e:
            raise TCTError(f"{self.dir}: cannot read {name} split: {e}") from None
        if docs.ndim != 2 or docs.shape[1] != 2 or len(docs) == 0:
            raise TCTError(f"{docs_path}: expected a non-empty (n_docs, 2) array, got shape {docs.shape}")
        off, n = docs[:, 0], docs[:, 1]
        if (n < 2).any() or (off < 0).any() or (off + n > len(tokens)).any():
            raise TCTError(f"{docs_path}: document spans fall outside {bin_path.name} ({len(tokens)} tokens)")
        # Cheap O(n_docs) check that the spans really delimit [BOS] ... [EOS] documents.
        if (tokens[off] != self.bos_id).any() or (tokens[off + n - 1] != self.eos_id).any():
            raise TCTError(f"{docs_path}: some documents do not start with BOS {self.bos_id} "
                           f"and end with EOS {self.eos_id}")
        masks = None
        # (a split may travel without its masks: `train_masks.bin` is large and only `--masked` reads it)
        if self.mask_table is not None and (self.dir / f"{name}_masks.bin").exists():
            try:
                masks = np.memmap(self.dir / f"{name}_masks.bin", dtype=np.dtype("uint32").newbyteorder("<"), mode="r")
            except (OSError, ValueError) as e:
                raise TCTError(f"{self.dir}: cannot read {name}_masks.bin: {e}") from None
            if len(masks) != len(tokens):
                raise TCTError(f"{self.dir}/{name}_masks.bin holds {len(masks)} rows for {len(tokens)} ids")
        return Split(tokens, docs, masks)

    def _mask_table(self) -> np.ndarray | None:
        """(count, vocab) bool legal-id masks, or None when the data has none."""
        info = self.meta.get("masks")
        if not info:
            return None
        try:
            table = unpack(np.load(self.dir / "masks.npy"), self.vocab_size)
        except (OSError, ValueError) as e:
            raise TCTError(f"{self.dir}: cannot read masks.npy: {e}") from None
        if len(table) != int(info["count"]) or not table[0].all():
            raise TCTError(f"{self.dir}/masks.npy does not match meta.json (count {info['count']})")
        return table

    def position_id(self, start: int) -> int:
        return self.pos_base + min(start // self.pos_stride, self.n_pos - 1)

    def check_context(self, context: int) -> None:
        """Long documents need position ids; fail before training rather than mid-run."""
        longest = int(max(self.train.docs[:, 1].max(), self.val.docs[:, 1].max()))
        if longest > context + 1 and self.n_pos < 1:
            raise TCTError(f"{self.dir}: documents up to {longest} tokens exceed context {context} "
                           f"but meta.json defines no position ids (n_pos = 0)")

    def window(self, doc: np.ndarray, start: int, context: int,
               masks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(x, y, m) arrays of length `context` for the window of `doc` starting at `start`;
        m (the targets' mask rows) only when the document's `masks` are given."""
        first = 1 if start == 0 else start  # index in doc of the first target
        if start == 0:
            x = doc[:context]
        else:
            x = np.concatenate([[self.position_id(start)], doc[start:start + context - 1]])
        y = doc[first:first + context]
        xo = np.full(context, self.pad_id, dtype=np.int64)
        yo = np.full(context, IGNORE, dtype=np.int64)
        xo[:len(x)], yo[:len(y)] = x, y
        mo = None
        if masks is not None:
            mo = np.zeros(context, dtype=np.int64)
            mo[:len(y)] = masks[first:first + context]
        return xo, yo, mo

    def sample_batch(self, rng: np.random.Generator, batch: int, context: int,
                     with_masks: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Random training windows, (batch, context) x, y and (with_masks) mask rows m."""
        lengths, cum = self.train.docs[:, 1], self._cum_targets
        picks = np.searchsorted(cum, rng.random(batch) * cum[-1], side="right")
        xs, ys, ms = zip(*(
            self.window(self.train.doc(i), int(rng.integers(0, max(1, lengths[i] - context + 1))), context,
                        self.train.doc_masks(i) if with_masks else None)
            for i in picks
        ))
        return np.stack(xs), np.stack(ys), np.stack(ms) if with_masks else None

    def eval_windows(self, doc_ids: Iterable[int], context: int,
                     overlap: int, with_masks: bool = False) -> Iterator[tuple]:
        """(x, y, m) windows scoring every target of the given val documents exactly once."""
        overlap = max(0, min(overlap, context - 1))
        for i in doc_ids:
            doc, masks = self.val.doc(i), self.val.doc_masks(i) if with_masks else None
            yield self.window(doc, 0, context, masks)
            scored = context + 1  # doc[1:context+1] are scored
            while scored < len(doc):
                s = scored - overlap
                x, y, m = self.window(doc, s, context, masks)
                y[:overlap] = IGNORE
                yield x, y, m
                scored = s + context


def write_shards(directory: str | Path, train_docs: list, val_docs: list, meta: dict,
                 masks: tuple | None = None) -> None:
    """Reference writer for the format above (tests and small tools); `meta` must hold the
    required keys except "dtype" and "masks", which are set here. `masks` is optional:
    (packed table, train rows per doc, val rows per doc, exact?)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    dtype = "uint16" if meta["vocab_size"] <= 1 << 16 else "uint32"
    meta = {**meta, "dtype": dtype}
    for name, docs in (("train", train_docs), ("val", val_docs)):
        lengths = np.array([len(d) for d in docs], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        flat = np.concatenate([np.asarray(d) for d in docs]).astype(np.dtype(dtype).newbyteorder("<"))
        flat.tofile(directory / f"{name}.bin")
        np.save(directory / f"{name}_docs.npy", np.stack([offsets, lengths], axis=1))
    if masks is not None:
        table, rows = masks[0], {"train": masks[1], "val": masks[2]}
        np.save(directory / "masks.npy", table)
        for name, docs in rows.items():
            np.concatenate(docs).astype(np.dtype("uint32").newbyteorder("<")).tofile(directory / f"{name}_masks.bin")
        meta["masks"] = {"count": len(table), "exact": bool(masks[3])}
    (directory / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def bits_per_byte(nats: float, n_bytes: int | None) -> float | None:
    return nats / math.log(2) / n_bytes if n_bytes else None
