"""Learned merges over the decision stream: a merged id stands for a run of base ids.

Runs are learned over whole base-id streams (one "word" per document, no pre-tokenization), so
they may span keys, string bytes and structure. A document's merged ids are the *fewest* whose
runs spell its base ids, which is what makes `encode` canonical; any other segmentation still
decodes. Learning proposes 1.8 times the runs wanted with BPE (HF `tokenizers`' `BpeTrainer`)
and keeps those the fewest-ids segmentation of the corpus uses most (pruning a tenth at a time,
as Unigram tokenizers prune): 425 ids per val workflow at 8,192 ids against 472 for the BPE
merges alone. SentencePiece's Unigram model with a score of -1 per piece segments documents (its
Viterbi path has the fewest pieces; 0.09 ms per workflow, HF's `Unigram` takes 0.6), each base
id spelled as one character. Merged id `base_size + r` is the run of rank r (most used first).
"""

from __future__ import annotations

import collections
import hashlib
import json
import struct

import numpy as np

from tct.errors import TCTError

MAX_LEN = 64
CANDIDATES = 1.8  # runs proposed by BPE per run kept
PRUNE = 0.1       # share of the runs dropped per round of pruning
KIND = "runs"     # merges.json's format (version 1 stored BPE merge pairs)


def _char(i: int) -> str:
    """The character base id `i` is spelled with: ids 1..127 (ASCII string bytes, most of a
    stream) take one UTF-8 byte, the rest two or three (the segmenter walks UTF-8 bytes)."""
    if 0 < i < 128:
        return chr(i)
    c = 0x100 + i
    c += c >= 0x2581  # never SentencePiece's whitespace mark
    return chr(c if c < 0xD800 else c + 0x800)  # never a surrogate


class TrieNode:
    __slots__ = ("children", "tok")

    def __init__(self):
        self.children: dict[int, TrieNode] = {}
        self.tok = -1


class MergeTable:
    """Runs in rank order; `seqs[r]` is the base-id run of merged id `base_size + r`."""

    def __init__(self, base_size: int, runs):
        self.base_size = base_size
        self.seqs: list[tuple[int, ...]] = [tuple(int(s) for s in r) for r in runs]
        if any(len(s) < 2 for s in self.seqs) or len(set(self.seqs)) != len(self.seqs):
            raise TCTError("a merge table's runs must be distinct and at least two base ids long")
        self.trie = TrieNode()
        for r, seq in enumerate(self.seqs):
            node = self.trie
            for s in seq:
                node = node.children.setdefault(s, TrieNode())
            node.tok = base_size + r
        self.firsts = np.array([s[0] for s in self.seqs], dtype=np.int64)  # each run's first base id
        self.sha256 = hashlib.sha256(json.dumps([KIND, self.seqs]).encode()).hexdigest()
        self._chars = [_char(i) for i in range(base_size)]
        self._model = _segmenter(base_size, self.seqs, self._chars)

    def __len__(self) -> int:
        return len(self.seqs)

    def expand(self, tok: int) -> tuple[int, ...]:
        return (tok,) if tok < self.base_size else self.seqs[tok - self.base_size]

    def apply(self, base_ids) -> list[int]:
        """The canonical merged ids of a run of base ids (no BOS/EOS/PAD/position ids in it)."""
        if not self.seqs:
            return list(base_ids)
        return self._model.encode("".join(map(self._chars.__getitem__, base_ids)))

    # ------------------------------------------------------------ persistence
    def to_json(self) -> dict:
        return {"kind": KIND, "base_size": self.base_size, "runs": [list(s) for s in self.seqs]}

    @classmethod
    def from_json(cls, data: dict) -> "MergeTable":
        if data.get("kind") != KIND:
            raise TCTError("merges.json holds BPE merge pairs (an earlier format): train the tokenizer again "
                           "with `tct tokenizer train`")
        return cls(data["base_size"], data["runs"])


def _segmenter(base_size: int, runs, chars):
    """A SentencePiece Unigram model whose piece ids are ours (base ids, then runs; the
    unknown piece it needs goes last and never matches) and whose input is our characters
    as they are (identity normalization, no whitespace handling)."""
    import sentencepiece

    pieces = chars[:base_size] + _texts(runs, chars)
    return sentencepiece.SentencePieceProcessor(model_proto=_model_proto(pieces, base_size + len(runs)))


def _texts(streams, chars) -> list[str]:
    """Runs or streams of base ids as the strings the segmenters and the BPE trainer read."""
    return ["".join(chars[i] for i in s) for s in streams]


def _model_proto(pieces, unk_id: int) -> bytes:
    """SentencePiece's `ModelProto` (sentencepiece_model.proto) in protobuf wire format: the
    pieces at score -1, an UNKNOWN piece at `unk_id`, a UNIGRAM trainer spec without BOS/EOS/PAD
    and an identity normalizer that adds no prefix and leaves whitespace alone. Written here,
    a handful of fields, rather than through the `sentencepiece_model_pb2` module, whose
    generated code pins the protobuf runtime to the version it was generated with."""
    def varint(n: int) -> bytes:
        n &= (1 << 64) - 1  # negative int32s take ten bytes, as protobuf writes them
        out = bytearray()
        while True:
            out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
            n >>= 7
            if not n:
                return bytes(out)

    def field(number: int, value) -> bytes:
        if isinstance(value, float):  # float32 (wire type 5)
            return varint(number << 3 | 5) + struct.pack("<f", value)
        if isinstance(value, (bool, int)):  # varint (wire type 0)
            return varint(number << 3) + varint(int(value))
        data = value.encode() if isinstance(value, str) else value  # length-delimited (2)
        return varint(number << 3 | 2) + varint(len(data)) + data

    normal, unknown, unigram = 1, 2, 1  # SentencePiece.Type, TrainerSpec.ModelType
    out = [field(1, field(1, p) + field(2, -1.0) + field(3, normal)) for p in pieces]
    out.append(field(1, field(1, "<unk>") + field(2, 0.0) + field(3, unknown)))
    out.append(field(2, field(3, unigram) + field(40, unk_id) + field(41, -1) + field(42, -1) + field(43, -1)))
    out.append(field(3, field(1, "identity") + field(3, False) + field(4, False) + field(5, False)))
    return b"".join(out)


def _ranked_segmenter(base_size: int, runs, chars):
    """HF `Unigram`, fewest ids first and, among equally short paths, the higher ranked runs
    (a rank adds at most 1e-7 to a score of -1): what pruning counts uses with. Ties going the
    same way concentrate use on fewer runs, and pruning then keeps a better set (425 ids per val
    workflow against 435 with SentencePiece's own ties, which its float32 scores cannot steer)."""
    from tokenizers.models import Unigram

    n = max(len(runs), 1)
    vocab = [(chars[i], -1.0) for i in range(base_size)]
    vocab += [(text, -1.0 - 1e-7 * (k + 1) / n) for k, text in enumerate(_texts(runs, chars))]
    return Unigram(vocab, 0, False)


def learn_merges(streams, base_size: int, vocab_size: int, frozen=(), max_len: int = MAX_LEN) -> MergeTable:
    """Runs over base-id streams until the vocabulary holds `vocab_size` ids in all.

    `frozen`: ids that never merge (BOS, EOS, PAD, positions); they are dropped from the streams
    (they only ever stand at a stream's ends). Deterministic for the same streams.
    """
    n_runs = vocab_size - base_size
    if n_runs <= 0:
        raise TCTError(f"vocab size {vocab_size} leaves no room for merges above the {base_size} base ids")
    frozen = set(frozen)
    streams = [[i for i in s if i not in frozen] for s in streams]
    chars = [_char(i) for i in range(base_size)]
    texts = _texts(streams, chars)
    runs = _bpe_runs(texts, chars, int(n_runs * CANDIDATES), frozen, max_len)
    while True:  # rank by use under the fewest-ids segmentation; drop the least used
        model = _ranked_segmenter(base_size, runs, chars)
        used = collections.Counter(t.id for x in texts for t in model.tokenize(x))
        order = sorted(range(len(runs)), key=lambda r: (-used[base_size + r], r))
        if len(runs) <= n_runs:
            return MergeTable(base_size, [runs[r] for r in order])
        runs = [runs[r] for r in order[:max(n_runs, int(len(runs) * (1 - PRUNE)))]]


def _bpe_runs(texts, chars, n, frozen, max_len) -> list[tuple[int, ...]]:
    """Up to `n` runs proposed by BPE merges (HF `BpeTrainer`) over the streams' `texts`, in
    merge order."""
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers.models import BPE
    from tokenizers.trainers import BpeTrainer

    alphabet = [c for i, c in enumerate(chars) if i not in frozen]
    hf = HFTokenizer(BPE())
    trainer = BpeTrainer(vocab_size=len(alphabet) + n, min_frequency=2, show_progress=False,
                         initial_alphabet=alphabet, limit_alphabet=len(alphabet), max_token_length=max_len,
                         special_tokens=[])
    hf.train_from_iterator(texts, trainer=trainer, length=len(texts))
    ids = {c: i for i, c in enumerate(chars)}
    learned = sorted((i, text) for text, i in hf.get_vocab().items() if len(text) > 1)  # merge order
    return [tuple(ids[c] for c in text) for _, text in learned]
