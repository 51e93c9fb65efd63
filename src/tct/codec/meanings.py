"""Ids with one meaning: every decision option names the same thing wherever it occurs.

A declared key is one id (`runs-on` is the same id in every object that declares it), an
enum/const value is one id per spelling (1 and 1.0 differ; true, false and null are values
too), and a value position that offers several non-literal branches names each by its kind
("branch:object", then "branch:object#2" for a second object branch at the same position).
A model can then learn what an id means instead of what the k-th option of each state is.

The table is built from the schema text (every property name and enum/const value written in
it, nested ones included) and checked against every constraint the compiler reached, so a
decision without an id fails at compile time rather than borrowing another's id. It is
sorted, and its hash is part of the tokenizer identity.
"""

from __future__ import annotations

import hashlib
import json

from tct.errors import SchemaError
from tct.schema.compiler import Compiler, spellings

# Fixed symbols: 0..255 bytes, then these; meaning ids follow.
END, CLOSE, ITEM, FREEKEY, OWED = 256, 257, 258, 259, 260
FIRST = 261
FIXED_NAMES = {END: "END", CLOSE: "CLOSE", ITEM: "ITEM", FREEKEY: "FREEKEY", OWED: "OWED"}
KINDS = ("array", "number", "object", "string")
# The copy owed by `not uniqueItems` repeats a document value, which no table can list: its
# options are "the first item's spelling" and "the other spelling" (1 vs 1.0).
COPIES = ("copy:1", "copy:2")


def value_text(v) -> str:
    """The spelling a value id stands for (objects with sorted keys, as the compiler keeps them)."""
    return json.dumps(v, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def key_name(k: str) -> str:
    return "key:" + json.dumps(k, ensure_ascii=False)


def branch_name(kind: str, ordinal: int) -> str:
    return f"branch:{kind}" + (f"#{ordinal}" if ordinal > 1 else "")


class Meanings:
    """Sorted meaning names and their ids (`FIRST + index`)."""

    def __init__(self, names):
        self.names = tuple(sorted(set(names)))
        self.ids = {n: FIRST + i for i, n in enumerate(self.names)}
        self.end = FIRST + len(self.names)  # the first id after the table
        self.key_ids = {json.loads(n[4:]): i for n, i in self.ids.items() if n.startswith("key:")}
        self.key_names = {i: k for k, i in self.key_ids.items()}
        self.value_ids = {n[6:]: i for n, i in self.ids.items() if n.startswith("value:")}
        self.copy_ids = [self.ids[n] for n in COPIES if n in self.ids]
        self.sha256 = hashlib.sha256("\n".join(self.names).encode()).hexdigest()

    @classmethod
    def of(cls, compiler: Compiler) -> "Meanings":
        keys, values = set(), {"null", "true", "false"}
        _collect(compiler.index.root, keys, values)
        idx = compiler.index
        for node, base in zip(idx.nodes, idx.bases):  # parts of other documents ($ref by URI)
            if base != idx.uri:
                _collect(node, keys, values)
        names = {key_name(k) for k in keys} | {"value:" + v for v in values}
        # One id per kind always (a value met only later, e.g. under a free key, may be any
        # kind); more where a reached position offers several branches of one kind.
        most = dict.fromkeys(KINDS, 1)
        copies = False
        for conj in compiler.explored():
            count = dict.fromkeys(KINDS, 0)
            for b in compiler.branches(conj):
                if b.kind == "literal":
                    continue
                count[b.kind] += 1
                if b.kind == "array" and b.arr.need_dup:
                    copies = True
            for k, n in count.items():
                most[k] = max(most[k], n)
        names |= {branch_name(k, i) for k, n in most.items() for i in range(1, n + 1)}
        if copies:
            names |= set(COPIES)
        table = cls(names)
        table.check(compiler, compiler.explored())
        return table

    def check(self, compiler: Compiler, conjs) -> None:
        """Every option of these constraints has an id (or SchemaError names the one without)."""
        for conj in conjs:
            for b in compiler.branches(conj):
                if b.kind == "literal":
                    for v in b.values:
                        self.value_id(v)
                elif b.kind == "object":
                    for k in b.obj.names:
                        self.key_id(k)

    # ---------------------------------------------------------------- lookups
    def __len__(self) -> int:
        return len(self.names)

    def key_id(self, k: str) -> int:
        i = self.key_ids.get(k)
        if i is None:
            raise SchemaError("#", f"internal: declared key {k!r} has no id in the meaning table")
        return i

    def value_id(self, v) -> int:
        i = self.value_ids.get(value_text(v))
        if i is None:
            raise SchemaError("#", f"internal: value {value_text(v)[:60]} has no id in the meaning table")
        return i

    def branch_id(self, kind: str, ordinal: int) -> int:
        i = self.ids.get(branch_name(kind, ordinal))
        if i is None:
            raise SchemaError("#", f"internal: {branch_name(kind, ordinal)} has no id in the meaning table")
        return i

    def name(self, sym: int) -> str:
        if 0 <= sym < 256:
            return f"byte {chr(sym)!r}" if 32 <= sym < 127 else f"byte 0x{sym:02x}"
        if sym in FIXED_NAMES:
            return FIXED_NAMES[sym]
        return self.names[sym - FIRST]


_NAMED_SCHEMAS = ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas")


def _collect(node, keys: set, values: set) -> None:
    """Property names and enum/const values written anywhere in a schema."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack += node
            continue
        if not isinstance(node, dict):
            continue
        for k, v in node.items():
            if k in ("enum", "const"):
                for x in (v if k == "enum" and isinstance(v, list) else [v]):
                    _collect_value(x, keys, values)
            elif k in ("default", "examples"):
                continue
            elif k in _NAMED_SCHEMAS + ("dependencies", "dependentRequired") and isinstance(v, dict):
                if k not in ("patternProperties", "definitions", "$defs"):
                    keys.update(v)
                for sub in v.values():
                    if isinstance(sub, list):  # dependencies: a list of required names
                        keys.update(s for s in sub if isinstance(s, str))
                    else:
                        stack.append(sub)
            elif k == "required" and isinstance(v, list):
                keys.update(s for s in v if isinstance(s, str))
            elif isinstance(v, (dict, list)):
                stack.append(v)


def _collect_value(v, keys: set, values: set) -> None:
    """A value in all its spellings, and what is nested in it (keys and values of an object or
    array const may become decisions of their own)."""
    values.update(value_text(w) for w in spellings(v))
    if isinstance(v, dict):
        keys.update(v)
        for x in v.values():
            _collect_value(x, keys, values)
    elif isinstance(v, list):
        for x in v:
            _collect_value(x, keys, values)
