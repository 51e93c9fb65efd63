"""A partial document (e.g. `{"name": "CI", "on": "push", "jobs": {`) as a decoder state.

JSON text may stop anywhere: it is read into complete values plus a chain of still-open
containers; an unfinished key, number or literal at the very end is dropped (the model writes
it). YAML cannot be unfinished in that way, so a YAML prefix is read as a whole document whose
outermost container stays open (and a trailing empty value, `jobs:`, is left for the model).
The values are then encoded into the decoder exactly as they are.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from tct.codec.encoder import Encoder
from tct.codec.machine import ITEM, json_pointer
from tct.data.documents import load_document_text
from tct.errors import DocumentError, SchemaViolation

HOLE = object()  # a value not started yet


@dataclass
class Open:
    kind: str                                     # object | array | string
    members: list = field(default_factory=list)   # object: (key, value); array: values
    key: str | None = None                        # object: key whose value is open
    child: object = HOLE                          # the open last value (Open or HOLE)
    text: str = ""                                # string: characters so far
    more: bool = False                            # array: a ',' promised another item


_WS = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


class _Partial:
    def __init__(self, text: str):
        self.s, self.i = text, 0

    def ws(self):
        self.i = _WS.match(self.s, self.i).end()

    def eof(self) -> bool:
        self.ws()
        return self.i >= len(self.s)

    def fail(self, what: str):
        raise DocumentError("<prefix>", "", f"JSON syntax error at offset {self.i}: {what}")

    def value(self):
        """A complete value, an Open, or HOLE when the text ends first."""
        if self.eof():
            return HOLE
        c = self.s[self.i]
        if c == "{":
            return self.container("object", "}")
        if c == "[":
            return self.container("array", "]")
        if c == '"':
            text, done = self.string()
            return text if done else Open("string", text=text)
        m = _NUMBER.match(self.s, self.i)
        if m and m.end() > self.i:
            self.i = m.end()
            if self.i >= len(self.s):
                return HOLE  # the number may go on: leave it to the model
            return json.loads(m.group(0))
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.s.startswith(word, self.i):
                self.i += len(word)
                return val
            if word.startswith(self.s[self.i:].rstrip()):
                self.i = len(self.s)
                return HOLE
        self.fail(f"unexpected {c!r}")

    def string(self) -> tuple[str, bool]:
        j = self.i + 1
        while j < len(self.s):
            if self.s[j] == "\\":
                j += 2
                continue
            if self.s[j] == '"':
                raw = self.s[self.i:j + 1]
                self.i = j + 1
                return json.loads(raw), True
            j += 1
        raw = self.s[self.i + 1:]
        self.i = len(self.s)
        # Drop a trailing incomplete escape, decode the rest.
        raw = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", raw)
        return json.loads('"' + raw + '"'), False

    def container(self, kind: str, close: str):
        self.i += 1
        node = Open(kind)
        while True:
            if self.eof():
                return node
            if self.s[self.i] == close:
                self.i += 1
                return dict(node.members) if kind == "object" else list(node.members)
            if node.members:
                if self.s[self.i] != ",":
                    self.fail(f"expected ',' or {close!r}")
                self.i += 1
                if self.eof():
                    node.more = True
                    return node
            if kind == "object":
                if self.s[self.i] != '"':
                    self.fail("expected a key")
                key, done = self.string()
                if not done or self.eof():
                    return node  # an unfinished key is left to the model
                if self.s[self.i] != ":":
                    self.fail("expected ':'")
                self.i += 1
                val = self.value()
                if val is HOLE or isinstance(val, Open):
                    node.key, node.child = key, val
                    return node
                node.members.append((key, val))
            else:
                val = self.value()
                if val is HOLE or isinstance(val, Open):
                    node.child = val
                    return node
                node.members.append(val)


def parse_prefix(text: str):
    """The partial document as complete values and Open containers."""
    if text.lstrip()[:1] in ("{", "["):
        p = _Partial(text.lstrip())
        node = p.value()
        if not p.eof():
            p.fail("text after the document")
    else:
        node = load_document_text(text, "<prefix>", "yaml")
    return _reopen(node) if not isinstance(node, Open) else node


def _reopen(value):
    """A complete document, left open at its end so that generation can go on."""
    if isinstance(value, dict):
        items = list(value.items())
        if items and items[-1][1] is None:
            return Open("object", items[:-1], key=items[-1][0], child=HOLE)
        return Open("object", items)
    if isinstance(value, list):
        return Open("array", list(value))
    return value


def drive(enc: Encoder, node, path: tuple) -> None:
    """Feed `node` into the machine under `enc`, choosing branches that accept it."""
    if node is HOLE:
        return
    if not isinstance(node, Open):
        enc.value(node, path)
        return
    f = enc.m.stack[-1]
    choices = enc.m.choices(f.conj)[0]
    errors = []
    for sym in enc.m.allowed():
        if choices[sym][0].kind != node.kind:  # an open value is never a whole literal
            continue
        sub = Encoder(enc.m.copy())
        try:
            sub.put(sym, path, "")
            _fill(sub, node, path)
        except SchemaViolation as exc:
            errors.append(exc)
            continue
        enc.m.stack, enc.ids = sub.m.stack, enc.ids + sub.ids
        return
    if errors:
        raise max(errors, key=lambda e: len(e.path))
    if node.kind == "string" and any(choices[s][0].kind == "literal" for s in enc.m.allowed()):
        return  # only whole literals fit (an enum): the model picks one
    raise SchemaViolation(json_pointer(path), f"a {node.kind} is not allowed here")


def _fill(enc: Encoder, node: Open, path: tuple) -> None:
    if node.kind == "string":
        for ch in node.text:
            for byte in ch.encode():
                enc.put(byte, path, f"string {node.text!r} is not allowed here")
        return
    if node.kind == "object":
        for k, v in node.members:
            enc.key(k, path)
            enc.value(v, path + (k,))
        if node.key is not None:
            enc.key(node.key, path)
            drive(enc, node.child, path + (node.key,))
        return
    for i, v in enumerate(node.members):
        enc.put(ITEM, path, f"item {i} is not allowed")
        enc.value(v, path + (i,))
    if node.child is not HOLE or node.more:
        enc.put(ITEM, path, f"item {len(node.members)} is not allowed")
        drive(enc, node.child, path + (len(node.members),))


def prefix_decoder(tokenizer, text: str):
    """(decoder positioned after the prefix, the prefix's ids starting with BOS)."""
    d = tokenizer.decoder()
    d.phase = "body"  # BOS taken, forced steps not yet: the encoder makes every decision itself
    enc = Encoder(d.m)
    drive(enc, parse_prefix(text), ())
    ids = [tokenizer.bos_id] + tokenizer.apply_merges(enc.ids)
    d.n_fed = len(ids)
    d._advance_forced()
    return d, ids

