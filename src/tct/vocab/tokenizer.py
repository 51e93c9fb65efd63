"""Token ids and the public `Tokenizer` / `Decoder` API.

Layout: ids 0..255 bytes, then END, CLOSE, ITEM, FREEKEY, OWED, then the meaning table (one id
per declared key, per literal value, per branch kind; see codec/meanings.py), all of them the
codec's symbols used as ids directly, then BOS, EOS, PAD and `N_POS` position ids for windows
cut out of long documents. A trained tokenizer appends learned merged ids after these
(`vocab/merges.py`): each stands for a run of base ids and is fed as that run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tct.codec.encoder import encode_symbols
from tct.codec.machine import Machine
from tct.codec.meanings import Meanings
from tct.codec import profiles
from tct.errors import DecodeError, SchemaError, TCTError
from tct.schema.compiler import Compiler
from tct.schema.load import read_schema, schema_sha256
from tct.vocab.cost_deltas import CostDeltas
from tct.vocab.merged_mask import MergedMasks
from tct.vocab.merges import MergeTable

N_POS = 64
POS_STRIDE = 64
FORMAT_VERSION = 2
SHIPPED = Path(__file__).resolve().parents[1] / "tokenizers"


class Tokenizer:
    def __init__(self, compiler: Compiler, merges: MergeTable | None = None, profile=None, base=None):
        """`profile`/`base`: a profile's tokenizer compiles the profile's copy of the schema and
        keeps the ids and identity of `base`, the tokenizer of the schema alone."""
        self.compiler = compiler
        self.meanings = Meanings.of(compiler)
        self.profile, self.base = profile, base
        self._profiled: dict = {}  # profile name -> tokenizer (on the base tokenizer)
        self._rules = profile.machine_rules() if profile is not None else None
        if base is not None and base.meanings.sha256 != self.meanings.sha256:
            raise TCTError(f"profile {profile.name!r} changes the ids of schema {base.schema_name!r}")
        self.bos_id = self.meanings.end
        self.eos_id = self.bos_id + 1
        self.pad_id = self.bos_id + 2
        self.pos_base = self.bos_id + 3
        self.n_pos, self.pos_stride = N_POS, POS_STRIDE
        self.base_size = self.pos_base + N_POS
        self.merges = merges if merges is not None and len(merges) else None
        if self.merges is not None and self.merges.base_size != self.base_size:
            raise TCTError(f"merges were learned over {self.merges.base_size} base ids, this schema has {self.base_size}")
        self.vocab_size = self.base_size + (len(self.merges) if self.merges else 0)
        self._sym_cache: dict = {}
        self._mask_cache: dict = {}
        self.merged_masks = MergedMasks(self.merges, self.vocab_size) if self.merges else None
        self._costs = None

    @classmethod
    def from_schema(cls, schema, strict: bool = True, registry=None, profile=None) -> "Tokenizer":
        """`schema`: a built-in name ("github-workflow"), a path to a JSON schema, or a dict;
        `registry`: a folder or referencing.Registry for `$ref`s to other documents;
        `profile`: constraints beyond the schema (a name such as "github-workflow-strict", a
        `tct.codec.profiles.Profile`, or None), over the same ids."""
        return cls(Compiler(schema, strict=strict, registry=registry)).with_profile(profile)

    def with_merges(self, merges: MergeTable | None) -> "Tokenizer":
        """The same schema (and profile) with another merge table (None: the base tokenizer)."""
        base = self.base or self
        return Tokenizer(base.compiler, merges).with_profile(self.profile)

    def with_profile(self, profile) -> "Tokenizer":
        """This tokenizer's ids under `profile` (None or "none": the schema alone)."""
        profile = profiles.get(profile)
        base = self.base or self
        if profile is None:
            return base
        if profile == self.profile:
            return self
        hit = base._profiled.get(profile.name)
        if hit is not None and hit.profile == profile:
            return hit
        c = base.compiler
        patched = Compiler(profile.patch(c.index.root), strict=c.strict, registry=c.registry_source)
        tok = base._profiled[profile.name] = Tokenizer(patched, base.merges, profile=profile, base=base)
        return tok

    # ------------------------------------------------------------ trained tokenizers
    def save(self, directory) -> None:
        """config.json + merges.json, and schema.json unless the schema is a built-in that its
        name still finds (so that any schema reloads, and a vendored one is not copied)."""
        if self.base is not None:  # a profile is chosen at load time, not saved
            return self.base.save(directory)
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        c = self.compiler
        config = {"format": FORMAT_VERSION, "schema": c.name, "schema_sha256": c.sha256, "strict": c.strict,
                  "base_size": self.base_size, "vocab_size": self.vocab_size,
                  "n_merges": len(self.merges) if self.merges else 0,
                  "merges_sha256": self.merges.sha256 if self.merges else None}
        files = {"schema.json": None if _builtin(c.name, c.sha256) else c.index.root, "merges.json": self.merges.to_json() if self.merges else None,
                 "config.json": config}
        for name, data in files.items():
            if data is None:
                continue
            tmp = out / (name + ".tmp")
            tmp.write_text(json.dumps(data, indent=None if name != "config.json" else 2), encoding="utf-8")
            tmp.replace(out / name)

    @classmethod
    def load(cls, dir_or_name, profile=None) -> "Tokenizer":
        """A directory written by `save`, or the name of a shipped tokenizer ("github-workflow");
        `profile` as in `from_schema`."""
        path = Path(dir_or_name)
        if not (path / "config.json").exists():
            path = SHIPPED / str(dir_or_name)
            if not (path / "config.json").exists():
                shipped = sorted(p.name for p in SHIPPED.glob("*/config.json")) if SHIPPED.exists() else []
                raise TCTError(f"no tokenizer directory {str(dir_or_name)!r} and no shipped tokenizer of that name "
                               f"(shipped: {', '.join(shipped) or 'none'}; train one with `tct tokenizer train`)")
        try:
            config = json.loads((path / "config.json").read_text(encoding="utf-8"))
            builtin = _builtin(config["schema"], config["schema_sha256"])
            schema = builtin or json.loads((path / "schema.json").read_text(encoding="utf-8"))
            merges = None
            if config.get("n_merges"):
                merges = MergeTable.from_json(json.loads((path / "merges.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            raise TCTError(f"{path}: not a readable tokenizer directory ({exc})") from None
        source = config["schema"] if builtin else schema  # a built-in keeps its name in the identity
        if schema_sha256(schema) != config["schema_sha256"]:
            raise TCTError(f"{path}: schema.json does not match the sha256 in config.json")
        tok = cls(Compiler(source, strict=config.get("strict", True)), merges)
        if merges is not None and merges.sha256 != config.get("merges_sha256"):
            raise TCTError(f"{path}: merges.json does not match the sha256 in config.json")
        if tok.vocab_size != config["vocab_size"]:
            raise TCTError(f"{path}: vocab size {tok.vocab_size} != {config['vocab_size']} in config.json")
        return tok.with_profile(profile)

    # ------------------------------------------------------------ identity
    @property
    def schema_name(self) -> str:
        return (self.base or self).compiler.name

    @property
    def unenforced(self) -> list[tuple[str, str]]:
        return list(self.compiler.unenforced)

    def identity(self) -> dict:
        """What a model trained on these ids depends on; checkpoints store and compare it."""
        c = (self.base or self).compiler  # a profile does not change the ids a model learns
        out = {"schema": c.name, "schema_sha256": c.sha256,
               "vocab_size": self.vocab_size, "meanings_sha256": self.meanings.sha256,
               "strict": c.strict, "format": FORMAT_VERSION}
        if self.merges is not None:
            out["merges_sha256"] = self.merges.sha256
        return out

    # ------------------------------------------------------------ encode / decode
    def _machine(self) -> Machine:
        return Machine(self.compiler, self.meanings, cache=self._sym_cache, rules=self._rules)

    def encode(self, doc) -> list[int]:
        """`[BOS] + decisions + [EOS]`; raises SchemaViolation (with `.path`) if `doc` is invalid."""
        ids = encode_symbols(self._machine(), doc)  # decisions only: one run for the merges
        return [self.bos_id] + (self.merges.apply(ids) if self.merges is not None else ids) + [self.eos_id]

    def apply_merges(self, base_ids) -> list[int]:
        """Canonical merged ids for a run of base ids (BOS/EOS/PAD/positions stay as they are)."""
        base_ids = list(base_ids)
        if self.merges is None:
            return base_ids
        if not base_ids or max(base_ids) < self.bos_id:  # one run (what `encode` gives)
            return self.merges.apply(base_ids)
        out, run = [], []
        for i in base_ids:
            if i >= self.bos_id:
                out += self.merges.apply(run) + [i]
                run = []
            else:
                run.append(i)
        return out + self.merges.apply(run)

    def expand(self, tok: int) -> tuple[int, ...]:
        """The base ids a (possibly merged) id stands for."""
        return self.merges.expand(tok) if self.merges is not None and tok >= self.base_size else (tok,)

    def _cost_deltas(self) -> CostDeltas:
        if self._costs is None:  # built on first use: only budgets ask
            self._costs = CostDeltas(self.meanings.end, self.vocab_size, self.merges)
        return self._costs

    def decoder(self) -> "Decoder":
        return Decoder(self)

    def decode(self, ids) -> object:
        d = self._feed_all(ids)
        if not d.done and d.phase != "end":
            raise DecodeError(len(list(ids)), d.describe(), d.allowed_ids(),
                              "the stream ends before the document is complete")
        return d.document()

    def _feed_all(self, ids) -> "Decoder":
        ids = [int(i) for i in ids]
        if self.merges is not None and any(self.base_size <= i < self.vocab_size for i in ids):
            # A merged id is legal iff its run is (forced steps between): feed the runs as base
            # ids, with string bytes at once; on an error, the id by id path says which id.
            base = [s for i in ids for s in self.expand(i)]
            try:
                d, skipped = self._feed_base(base)
            except DecodeError:
                return self._feed_base(ids)[0]
            d.n_fed = (ids[:1] != [self.bos_id]) + len(ids) - skipped
            return d
        return self._feed_base(ids)[0]

    def _feed_base(self, ids: list) -> tuple["Decoder", int]:
        """A decoder fed `ids` (string bytes at once), and how many PADs after EOS it skipped."""
        d = self.decoder()
        if ids and ids[0] != self.bos_id:
            d.feed(self.bos_id)  # a bare body is accepted; BOS is implied
        pos = skipped = 0
        while pos < len(ids):
            tok = ids[pos]
            if tok < 256 and d.phase == "body" and d.on_step is None:
                n = d.feed_bytes(ids, pos)  # a run of string bytes at once
                if n:
                    pos += n
                    continue
            if d.done and tok == self.pad_id:
                skipped += 1
            else:
                d.feed(tok, position=pos)
            pos += 1
        return d, skipped

    def decode_prefix(self, ids) -> tuple[str, bool]:
        """(minified JSON text decided so far, whether the document is complete)."""
        d = self._feed_all(ids)
        return d.partial_text(), d.phase in ("end", "done")

    def complete(self, ids) -> list[int]:
        """The shortest continuation of `ids` that ends the document, EOS included."""
        d = self._feed_all(ids)
        out = []
        while not d.done:
            tok = d.completion_id()
            out.append(tok)
            d.feed(tok)
        return out

    # ------------------------------------------------------------ windows
    def position_id(self, start: int) -> int:
        return self.pos_base + min(start // self.pos_stride, self.n_pos - 1)

    def is_position(self, tok: int) -> bool:
        return self.pos_base <= tok < self.pos_base + self.n_pos

    def extract_window(self, ids, start: int, end: int) -> list[int]:
        return [self.position_id(start)] + list(ids[start:end])

    def decode_window(self, window) -> list[int]:
        """The ids of a window, its position token stripped."""
        window = list(window)
        if not window or not self.is_position(int(window[0])):
            raise DecodeError(0, "window start", list(range(self.pos_base, self.pos_base + self.n_pos)),
                              "a window must start with a position token")
        return window[1:]

    # ------------------------------------------------------------ views
    def token_name(self, tok: int) -> str:
        if tok == self.bos_id:
            return "BOS"
        if tok == self.eos_id:
            return "EOS"
        if tok == self.pad_id:
            return "PAD"
        if self.is_position(tok):
            return f"POS{tok - self.pos_base}"
        if 0 <= tok < self.bos_id:
            return self.meanings.name(tok)
        if self.base_size <= tok < self.vocab_size:
            return "merge[" + ", ".join(self.meanings.name(s) for s in self.expand(tok)) + "]"
        return f"<invalid {tok}>"

    def trace(self, ids) -> list[dict]:
        """One row per decision (forced ones included): position, JSON path, decision, choice."""
        d = self.decoder()
        rows = []
        d.on_step = lambda pos, path, what, choice: rows.append(
            {"position": pos, "path": path, "decision": what, "choice": choice})
        ids = list(ids)
        if ids and ids[0] != self.bos_id:
            d.feed(self.bos_id)
        for pos, tok in enumerate(ids):
            if d.done and tok == self.pad_id:
                continue
            d.feed(tok, position=pos)
        return rows


def _builtin(name: str, sha256: str):
    """The built-in schema of that name if its content still has that sha256, else None."""
    try:
        schema, _ = read_schema(name)
    except TCTError:
        return None
    return schema if schema_sha256(schema) == sha256 else None


class Decoder:
    """Incremental decoder: `allowed()` is the mask of legal next ids, `feed` applies one."""

    def __init__(self, tok: Tokenizer):
        self.tok = tok
        self.m = tok._machine()
        self.phase = "start"   # start -> body -> end -> done
        self.n_fed = 0
        self.on_step = None
        self._mask = None  # the full mask of the current state, once computed (merges only)
        self._cost = None  # (n_fed, phase, remaining_cost()) of the current state

    def copy(self) -> "Decoder":
        d = Decoder.__new__(Decoder)
        d.tok, d.m, d.phase, d.n_fed, d.on_step = self.tok, self.m.copy(), self.phase, self.n_fed, None
        d._mask, d._cost = self._mask, self._cost
        return d

    def after(self, tok: int) -> "Decoder | None":
        """A copy of this decoder after `tok`, or None when `tok` is illegal here, without the
        error's list of allowed ids (which needs the whole merged mask): samplers try picks
        whose legality they have not computed."""
        d = self.copy()
        tok = int(tok)
        if self.phase == "body" and self.tok.merges is not None and self.tok.base_size <= tok < self.tok.vocab_size:
            d._mask = None
            if not d._apply_run(self.tok.merges.expand(tok), d.n_fed, checked=False):
                return None
            d.n_fed += 1
            return d
        try:
            d.feed(tok)
        except DecodeError:
            return None
        return d

    @property
    def done(self) -> bool:
        return self.phase == "done"

    def _key(self):
        return (self.phase, self.m.state_key() if self.phase == "body" else None)

    def allowed_ids(self) -> list[int]:
        if self.phase == "start":
            return [self.tok.bos_id]
        if self.phase == "end":
            return [self.tok.eos_id]
        if self.phase == "done":
            return []
        if self.tok.merges is not None:
            return [int(i) for i in np.flatnonzero(self.allowed())]
        return list(self.m.allowed())

    def base_allowed(self) -> np.ndarray:
        """The legal base ids over the whole vocabulary (merged ids all False): the exact mask
        without merges. Cached per state and read-only, so equal states share one array."""
        key = self._key()
        cache = self.tok._mask_cache
        mask = cache.get(key)
        if mask is None:
            if len(cache) >= 1 << 15:  # a vocabulary-wide array per state: forget them past this
                cache.clear()
            mask = np.zeros(self.tok.vocab_size, dtype=bool)
            mask[list(self.m.allowed()) if self.phase == "body" else self.allowed_ids()] = True
            mask.flags.writeable = False
            cache[key] = mask
        return mask

    def allowed(self) -> np.ndarray:
        mask = self.base_allowed()
        if self.phase == "body" and self.tok.merged_masks is not None:
            if self._mask is None:  # forgotten by every feed
                self._mask = self.tok.merged_masks.mask(self.m, mask)
            return self._mask
        return mask

    def feed(self, tok: int, position: int | None = None) -> None:
        tok = int(tok)
        pos = self.n_fed if position is None else position
        if self.tok.merges is not None and self.tok.base_size <= tok < self.tok.vocab_size:
            if self._mask is None and self.on_step is None and self.phase == "body":
                self._feed_run(tok, pos)  # no mask at hand: try the run on a copy
                return
            if not (self._mask is not None and self._mask[tok]) and \
                    not (self.phase == "body" and self.tok.merged_masks.legal(self.m, tok)):
                raise DecodeError(pos, self.describe(), self.allowed_ids(),
                                  f"illegal token {tok} ({self.tok.token_name(tok)})")
            self.n_fed += 1
            self._mask = None
            self._apply_run(self.tok.merges.expand(tok), pos, checked=True)
            return
        legal = self.m.options()[1] if self.phase == "body" else self.allowed_ids()
        if tok not in legal:
            raise DecodeError(pos, self.describe(), self.allowed_ids(),
                              f"illegal token {tok} ({self.tok.token_name(tok)})")
        self.n_fed += 1
        self._mask = None
        if self.phase == "start":
            self.phase = "body"
        elif self.phase == "end":
            self.phase = "done"
            return
        else:
            self._step(tok, pos)
        self._advance_forced()

    def feed_bytes(self, ids: list, pos: int) -> int:
        """Feed the string bytes at `ids[pos:]` that the machine can take at once
        (`Machine.take_bytes`); how many were fed (0: use `feed`)."""
        n = self.m.take_bytes(ids, pos)
        if n:
            self.n_fed += n
            self._mask = None
            self._advance_forced()
        return n

    def _feed_run(self, tok: int, pos) -> None:
        """Feed merged id `tok` as its run, checking every base id; atomic (a copy is adopted)."""
        saved = self.m
        self.m = saved.copy()
        if not self._apply_run(self.tok.merges.expand(tok), pos, checked=False):
            self.m, self.phase = saved, "body"
            raise DecodeError(pos, self.describe(), self.allowed_ids(),
                              f"illegal token {tok} ({self.tok.token_name(tok)})")
        self.n_fed += 1

    def _apply_run(self, syms: tuple, pos, checked: bool) -> bool:
        """Step a merged id's base ids with the forced steps between them (string bytes at
        once); `checked`: the run is known legal. False at the first illegal one."""
        k = 0
        while k < len(syms):
            if self.phase != "body":
                return False
            if syms[k] < 256 and self.on_step is None:
                n = self.m.take_bytes(syms, k)
                if n:
                    k += n
                    self._advance_forced()
                    continue
            if not checked and syms[k] not in self.m.options()[1]:
                return False
            self._step(syms[k], pos)
            self._advance_forced()
            k += 1
        return True

    def _step(self, sym: int, pos) -> None:
        if self.on_step is not None:
            self.on_step(pos, self.m.path() or "/", self.m.describe().split(" (", 1)[-1].rstrip(")"),
                         self.tok.token_name(sym))
        self.m.step(sym)

    def _advance_forced(self) -> None:
        while self.phase == "body":
            if self.m.done:
                self.phase = "end"
                return
            sym = self.m.forced()
            if sym is None:
                if not self.m.options()[0]:
                    raise SchemaError(self.m.path(), "internal: dead state " + self.m.describe())
                return
            self._step(sym, None)

    # ------------------------------------------------------------ views
    def describe(self) -> str:
        return {"start": "before BOS", "end": "after the document (expects EOS)",
                "done": "after EOS"}.get(self.phase) or self.m.describe()

    def path(self) -> str:
        return self.m.path()

    def partial_text(self) -> str:
        return "" if self.phase == "start" else self.m.partial_text()

    def document(self):
        if self.phase not in ("end", "done"):
            raise DecodeError(self.n_fed, self.describe(), self.allowed_ids(), "document not complete")
        return self.m.result

    def remaining_cost(self) -> float:
        """Upper bound on the ids still needed to finish (EOS included) along `completion_id`;
        kept until the next id (samplers ask it after a pick and again before the next)."""
        hit = self._cost
        if hit is not None and hit[0] == self.n_fed and hit[1] == self.phase:
            return hit[2]
        if self.phase == "start":
            cost = 2 + self.m.remaining_cost()
        elif self.phase == "body":
            cost = 1 + self.m.remaining_cost()
        else:
            cost = 1 if self.phase == "end" else 0
        self._cost = (self.n_fed, self.phase, cost)
        return cost

    def cost_deltas(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        """(ids, least, most, largest): every allowed id, with bounds on how much
        `remaining_cost()` grows after it (and the largest upper bound), so a budget is checked
        without feeding them. Exact (least == most) but for the bytes of a free key being
        spelled: its value's cost depends on the key's whole text, and is only known to lie
        within what any free key's value of that object costs. With merges, this also settles
        `allowed()` (the same walk finds the legal ids)."""
        if self.phase != "body":  # BOS or EOS: one id fewer to go
            ids = np.array(self.allowed_ids(), dtype=np.int64)
            return ids, -np.ones(len(ids)), -np.ones(len(ids)), -1.0
        if not self.m.costs_local():  # a profile rule reads frames the cache keys leave out
            return self._fed_cost_deltas()
        d = self.tok._cost_deltas().of(self.m)
        if self.tok.merged_masks is not None and self._mask is None:
            self._mask = d.mask
        if self.m.stack[-1].role != "key":
            return d.ids, d.deltas, d.deltas, d.largest
        top = len(self.m.stack) - 1
        value = self.m.remaining_cost(top) - self.m.remaining_cost(top, key_value=False)
        lo, hi = self.m.free_key_value_costs()
        least, most = d.deltas.copy(), d.deltas.copy()
        least[:d.n0] += lo - value
        most[:d.n0] += hi - value
        return d.ids, least, most, (most.max() if len(most) else -1.0)

    def _fed_cost_deltas(self):
        """Exact deltas by feeding every allowed id on a copy (not cached)."""
        before = self.remaining_cost()
        ids = np.array(self.allowed_ids(), dtype=np.int64)
        deltas = np.empty(len(ids))
        for j, t in enumerate(ids.tolist()):
            d = self.copy()
            d.feed(t)
            deltas[j] = d.remaining_cost() - before
        return ids, deltas, deltas, (deltas.max() if len(ids) else -1.0)

    def completion_id(self) -> int:
        if self.phase == "start":
            return self.tok.bos_id
        if self.phase == "end":
            return self.tok.eos_id
        return self.m.completion_step()
