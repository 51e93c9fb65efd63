"""Encoding drives the decision machine with the document's own choices.

The decoder's checks are the only definition of validity: the encoder never decides on its
own, it asks the machine which symbols are legal and explains, with the JSON path, why the
document's next choice is not among them. A literal value offered where the document's value
stands is taken whole (the same spelling: 1 is not 1.0). Otherwise a union is resolved by
trying each branch of the value's type on a scratch machine; the first that accepts is
replayed into the real one.
"""

from __future__ import annotations

import itertools
import json

from tct.codec.machine import CLOSE, END, FREEKEY, ITEM, OWED, Frame, Machine, json_pointer
from tct.errors import SchemaViolation
from tct.schema.facts import KINDS_HOLDING
from tct.schema.numbers import number_text
from tct.schema.reference import ecma_search
from tct.schema.values import canonical, json_type

class Encoder:
    def __init__(self, machine: Machine):
        self.m = machine
        self.ids: list[int] = []  # the symbols emitted as ids (forced ones are not)

    def put(self, sym: int, path: tuple, reason) -> None:
        m = self.m
        allowed, allowed_set = m.options()
        if sym not in allowed_set:
            raise SchemaViolation(json_pointer(path), reason() if callable(reason) else reason)
        if len(allowed) != 1 or (m.rules is not None and m._narrowed()):  # not forced (narrowing.py)
            self.ids.append(sym)
        m.step(sym)

    def _offers_containers(self, literals: dict) -> bool:
        key = ("container-literals", id(literals))  # the map is cached by `choices`: a stable id
        hit = self.m.cache.get(key)
        if hit is None:
            hit = self.m.cache[key] = any(k[0] in "[{" for k in literals)
        return hit

    # ------------------------------------------------------------ values
    def value(self, v, path: tuple) -> None:
        f = self.m.stack[-1]
        assert f.kind == "value"
        options, allowed_set = self.m.options()
        choices, literals = self.m.choices(f.conj)
        # (json.dumps of a container walks all of it, at every level: only where one is offered)
        sym = literals.get(json.dumps(v)) if literals and (
            not isinstance(v, (dict, list)) or self._offers_containers(literals)) else None
        if sym is not None and sym in allowed_set:
            self.put(sym, path, "")
            return
        if sym is not None and f.tag is not None and canonical(v) in self.m.rules[f.tag].excluded_values(self.m, f):
            raise SchemaViolation(json_pointer(path), self.m.rules[f.tag].string_reason(self.m, f, canonical(v)))
        if f.tag is not None and isinstance(v, dict):  # an object of a branch a rule refuses
            refused = sorted(self.m.rules[f.tag].refused_branches(self.m, f) & set(v))
            if refused:
                raise SchemaViolation(json_pointer(path), self.m.rules[f.tag].string_reason(self.m, f, refused[0]))
        kinds = KINDS_HOLDING[json_type(v)]
        fits = [s for s in options if choices[s][0].kind in kinds]
        if not fits:
            kinds = sorted({choices[s][0].describe() for s in options})
            raise SchemaViolation(json_pointer(path), f"{_show(v)} is not allowed here; expected {' or '.join(kinds)}")
        if len(fits) == 1:
            self.put(fits[0], path, "")
            self.branch(v, path)
            return
        errors = []
        for s in fits:
            # Try the branch on a copy; the first that accepts the value becomes the real state.
            sub = Encoder(self.m.copy())
            sub.put(s, path, "")
            try:
                sub.branch(v, path)
            except SchemaViolation as exc:
                errors.append(exc)
                continue
            self.m.stack, self.m.result, self.m.done = sub.m.stack, sub.m.result, sub.m.done
            self.ids += sub.ids
            return
        deepest = max(errors, key=lambda e: len(e.path))
        if all(e.path == deepest.path for e in errors) and len({e.reason for e in errors}) > 1:
            raise SchemaViolation(deepest.path, "; or ".join(dict.fromkeys(e.reason for e in errors)))
        raise SchemaViolation(deepest.path, deepest.reason)

    def branch(self, v, path: tuple) -> None:
        f: Frame = self.m.stack[-1]
        if f.kind == "string":
            self.string(v, path, lambda: self.m.rule_reason(f, v) or _string_reason(
                f, v, self.m.rules.patterns if self.m.rules is not None else {}))
        elif f.kind == "number":
            text = number_text(v)
            if text is None:
                raise SchemaViolation(json_pointer(path), f"{v!r} is not a JSON number")
            spec = f.spec
            for ch in text:
                self.put(ord(ch), path, lambda: f"{text} violates {_number_rule(spec)}")
            self.put(END, path, lambda: f"{text} violates {_number_rule(spec)}")
        elif f.kind == "object":
            self.object(v, path, f)
        elif f.kind == "array":
            a = f.branch.arr
            for i, item in enumerate(v):
                # A plain item, unless only a `contains` witness fits here.
                sym = ITEM if ITEM in self.m.options()[1] or OWED not in self.m.options()[1] else OWED
                self.put(sym, path, lambda: f"array has more than {a.max_items} items" if a.max_items is not None
                         and i >= a.max_items else f"item {i} is not allowed")
                self.value(item, path + (i,))
            self.put(CLOSE, path, lambda: self.m.rule_reason(self.m.stack[-1]) or (
                "no item satisfies 'contains'" if self.m._owed(self.m.stack[-1])
                else f"array needs at least {a.min_items} items, has {len(v)}"))
        else:
            raise AssertionError(f.kind)

    def string(self, text: str, path: tuple, reason) -> None:
        i = 0
        while True:
            n, emitted = self.m.spell(text, i)  # the common case at once
            if n:
                raw = text[i:i + n].encode("utf-8", errors="surrogatepass")
                self.ids.extend(raw if emitted is None else itertools.compress(raw, emitted))
                i += n
            if i == len(text):
                break
            for b in text[i].encode("utf-8", errors="surrogatepass"):  # the general path
                self.put(b, path, reason)
            i += 1
        self.put(END, path, reason)

    def key(self, k: str, path: tuple) -> None:
        """Open property `k` of the object on top of the machine."""
        f: Frame = self.m.stack[-1]
        o = f.branch.obj
        if not isinstance(k, str):
            raise SchemaViolation(json_pointer(path), f"object key {k!r} is not a string")
        if k in o.index:
            self.put(self.m.meanings.key_id(k), path, lambda: self.m.withdrawn_reason(f, k) or _key_reason(o, f, k))
        else:
            self.put(FREEKEY, path, lambda: self.m.key_rule_reason(f, k) or _key_reason(o, f, k))
            self.string(k, path, lambda: self.m.key_rule_reason(f, k) or f"property name {k!r} is not allowed here")

    def object(self, v: dict, path: tuple, f: Frame) -> None:
        for k, item in v.items():
            self.key(k, path)
            self.value(item, path + (k,))
        # The top frame, not `f`: trying branches of a value inside may have replaced the stack.
        self.put(CLOSE, path, lambda: self.m.rule_reason(self.m.stack[-1]) or
                 _close_reason(f.branch.obj, self.m.stack[-1]))


def _show(v, limit: int = 60) -> str:
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _string_reason(f: Frame, v: str, described: dict) -> str:
    """Why string `v` is refused: the patterns it breaks (a profile's by why it adds them, a
    long regex cut short), lengths, exclusions."""
    atoms = f.branch.atoms
    pats = [a[1] for a in atoms if a[0] == "pattern" and a[2]]
    nots = [a[1] for a in atoms if a[0] == "pattern" and not a[2]]
    fail = [p for p in pats if p in described and not _matches(p, v)]
    rules = [described[p] for p in fail]
    pats = [p for p in pats if p not in described]
    if pats:
        rules.append("must match " + " and ".join(_show_pattern(p) for p in pats))
    if nots:
        rules.append("must not match " + " or ".join(_show_pattern(p) for p in nots))
    for a in atoms:
        if a[0] == "minLength":
            rules.append(f"at least {a[1]} characters")
        if a[0] == "maxLength":
            rules.append(f"at most {a[1]} characters")
    if f.excluded or f.branch.string.excluded:
        rules.append("must not repeat or equal an excluded value")
    return f"string {_show(v)} is not allowed" + (f" ({'; '.join(rules)})" if rules else "")


def _show_pattern(p: str, limit: int = 120) -> str:
    return repr(p) if len(p) <= limit else repr(p[:limit - 3] + "...")


def _matches(pattern: str, v: str) -> bool:
    try:
        return ecma_search(pattern, v)
    except ValueError:  # a registered automaton's name, no ECMA regex
        return False


def _number_rule(spec) -> str:
    parts = []
    if spec.integer:
        parts.append("integer")
    if spec.lo is not None:
        parts.append(f"{'>' if spec.lo_excl else '>='} {spec.lo}")
    if spec.hi is not None:
        parts.append(f"{'<' if spec.hi_excl else '<='} {spec.hi}")
    if spec.multiple:
        parts.append("multiple of " + " and ".join(map(str, spec.raw_multiples)))
    if spec.excluded:
        parts.append("not an excluded value")
    return ", ".join(parts) or "the number grammar"


def _key_reason(o, f: Frame, k: str) -> str:
    used = frozenset(f.used)
    if k in f.values:
        return f"duplicate property {k!r}"
    if k in o.index:
        if o.key_conj(k) is None or not o.compiler.key_ok(o, k):
            return f"property {k!r} is not allowed"
        for fs in o.forbid:
            if fs <= o.closure(used | {k} | o.required):
                return f"properties {sorted(fs)} must not all be present"
        if o.max_props is not None and len(used) + f.nfree >= o.max_props:
            return f"at most {o.max_props} properties are allowed"
        return f"property {k!r} conflicts with the other properties"
    if o.free_keys is None:
        return f"property {k!r} is not allowed (allowed: {', '.join(o.names) or 'none'})"
    return f"property {k!r} is not allowed"


def _close_reason(o, f: Frame) -> str:
    used = frozenset(f.used)
    missing = sorted(o.closure(used | o.required) - used)
    if missing:
        return "missing required propert" + ("y " if len(missing) == 1 else "ies ") + ", ".join(map(repr, missing))
    return f"object needs at least {o.min_props} properties"


def encode_symbols(machine: Machine, doc) -> list[int]:
    """The ids of `doc` (no BOS/EOS), each symbol that is not forced."""
    enc = Encoder(machine)
    enc.value(doc, ())
    return enc.ids
