"""Learned merges over the decision stream: a merged id stands for a run of base ids.

Merges are BPE over whole base-id streams (one "word" per document, no pre-tokenization), so
they may span keys, string bytes and structure. They are learned and applied with HF
`tokenizers`, each base id spelled as one private-use character; the learned merge order makes
`encode` canonical. Merged id `base_size + r` is the result of the r-th merge.
"""

from __future__ import annotations

import hashlib
import json

from tct.errors import TCTError

_PUA = 0xF0000  # Supplementary Private Use Area-A: 65,534 code points, one per base id
MAX_LEN = 64


def _char(i: int) -> str:
    return chr(_PUA + i)



class TrieNode:
    __slots__ = ("children", "tok")

    def __init__(self):
        self.children: dict[int, TrieNode] = {}
        self.tok = -1


class MergeTable:
    """Merge pairs in rank order; `seqs[r]` is the base-id run of merged id `base_size + r`."""

    def __init__(self, base_size: int, pairs: list[tuple[int, int]]):
        self.base_size = base_size
        self.pairs = [(int(a), int(b)) for a, b in pairs]
        self.seqs: list[tuple[int, ...]] = []
        for a, b in self.pairs:
            self.seqs.append(self.expand(a) + self.expand(b))
        self.trie = TrieNode()
        for r, seq in enumerate(self.seqs):
            node = self.trie
            for s in seq:
                node = node.children.setdefault(s, TrieNode())
            node.tok = base_size + r
        self.sha256 = hashlib.sha256(json.dumps(self.pairs).encode()).hexdigest()
        self._hf = None
        self._chars = [_char(i) for i in range(base_size)]

    def __len__(self) -> int:
        return len(self.pairs)

    def expand(self, tok: int) -> tuple[int, ...]:
        return (tok,) if tok < self.base_size else self.seqs[tok - self.base_size]

    def _model(self):
        """The HF BPE model alone: no normalizer or pre-tokenizer to run, no offsets to build
        (`BPE.tokenize` is twice as fast as a `Tokenizer.encode` around it)."""
        if self._hf is None:
            from tokenizers.models import BPE
            vocab = {_char(i): i for i in range(self.base_size)}
            names = []
            for r, (a, b) in enumerate(self.pairs):
                left, right = self._text(a), self._text(b)
                vocab[left + right] = self.base_size + r
                names.append((left, right))
            self._hf = BPE(vocab=vocab, merges=names)
        return self._hf

    def _text(self, tok: int) -> str:
        return "".join(_char(s) for s in self.expand(tok))

    def apply(self, base_ids) -> list[int]:
        """The canonical merged ids of a run of base ids (no BOS/EOS/PAD/position ids in it)."""
        base_ids = list(base_ids)
        if not base_ids or not self.pairs:
            return base_ids
        return [t.id for t in self._model().tokenize("".join(map(self._chars.__getitem__, base_ids)))]

    # ------------------------------------------------------------ persistence
    def to_json(self) -> dict:
        return {"base_size": self.base_size, "pairs": self.pairs}

    @classmethod
    def from_json(cls, data: dict) -> "MergeTable":
        return cls(data["base_size"], [tuple(p) for p in data["pairs"]])


def learn_merges(streams, base_size: int, vocab_size: int, frozen=(), max_len: int = MAX_LEN) -> MergeTable:
    """BPE merges over base-id streams until the vocabulary holds `vocab_size` ids in all.

    `frozen`: ids that never merge (BOS, EOS, PAD, positions); they are dropped from the streams
    (they only ever stand at a stream's ends). Deterministic for the same streams.
    """
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers.models import BPE
    from tokenizers.trainers import BpeTrainer

    n_merges = vocab_size - base_size
    if n_merges <= 0:
        raise TCTError(f"vocab size {vocab_size} leaves no room for merges above the {base_size} base ids")
    frozen = set(frozen)
    alphabet = [_char(i) for i in range(base_size) if i not in frozen]
    texts = ["".join(_char(i) for i in s if i not in frozen) for s in streams]
    hf = HFTokenizer(BPE())
    trainer = BpeTrainer(vocab_size=len(alphabet) + n_merges, min_frequency=2, show_progress=False,
                         initial_alphabet=alphabet, limit_alphabet=len(alphabet), max_token_length=max_len,
                         special_tokens=[])
    hf.train_from_iterator(texts, trainer=trainer, length=len(texts))
    merges = json.loads(hf.to_str())["model"]["merges"]
    ids = {_char(i): i for i in range(base_size)}
    pairs = []
    for m in merges:
        left, right = m.split(" ") if isinstance(m, str) else m
        pairs.append((ids[left], ids[right]))
        ids[left + right] = base_size + len(pairs) - 1
    return MergeTable(base_size, pairs)
