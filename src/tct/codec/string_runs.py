"""Whole plain strings at once: the fast path of encoding and decoding strings.

A plain string (no exclusion it can still turn into, no profile pattern or rule) has as options
exactly its automaton's live bytes and END where it accepts (a free key: where its value can
still be given), so per-state tables answer what `options()` and `forced()` would, byte by
byte, at a fraction of the cost. Free keys are most of the bytes a workflow spells one by one
(job names, `env` and `with` keys): once a key's text leaves its siblings behind, it is plain.
A state that accepts and keeps every character on itself (`CharDFA.free_state`: most strings of
a schema) takes a whole text at once, every byte of it a choice.
"""

from __future__ import annotations

import itertools
import re

from tct.codec.meanings import END

_SURROGATE = re.compile("[\ud800-\udfff]")


class StringRuns:
    """Mixed into `Machine` (machine.py): `spell` (encode) and `take_bytes` (decode)."""

    def plain_string(self):
        """The automaton of the string on top when its options are exactly its bytes that stay
        live and END where it accepts (a key: where its value can still be given), else None:
        no profile pattern or tag, and no exclusion the text can still turn into (a key's
        siblings: once the text leaves them behind, the rest of the key is plain)."""
        f = self.stack[-1]
        if f.kind != "string" or f.tag is not None:
            return None
        if f.role == "key":
            if f.facts is not None:  # a rule's language of keys: `forced()` asks the schema alone
                return None
            facts = f.branch.obj.free_keys
            return None if self._live_exclusions(f, facts) else facts.dfa
        if f.role != "value" or f.excluded:
            return None
        facts = self._string_facts(f)
        profiled = self.rules is not None and any(a[0] == "pattern" and a[1] in self.rules.patterns
                                                  for a in f.branch.atoms)
        if facts.excluded or profiled:  # a profile pattern: `forced()` asks the schema alone
            return None
        return facts.dfa

    def spell(self, text: str, start: int = 0) -> tuple[int, list | None]:
        """Apply characters of `text` from `start` to the string on top, as `step` would byte by
        byte, while the fast path can (see `plain_string`) and they are allowed: returns how
        many characters were applied and, for each of their bytes, whether it is emitted as an
        id (more than one option); None: every one is. The caller takes the next character the
        general way (which explains a refusal). One cached table per automaton state and character answers what
        `options()`/`forced()` would."""
        f = self.stack[-1]
        dfa = None if f.pending else self.plain_string()
        if dfa is None:
            return 0, []
        table = self.cache.setdefault(("spell", id(dfa)), {})
        if len(table) >= 1 << 16:
            table.clear()
        key = f.role == "key"
        state, out, i, n = f.state, [], start, len(text)
        if dfa.free_state(state) and not _SURROGATE.search(text, start):
            i, out = n, None
        while i < n:
            ch = text[i]
            hit = table.get((state, ch))
            if hit is None:
                hit = table[(state, ch)] = _spell_char(dfa, state, ch)
            if hit is False:
                break
            flags = hit[1]
            if key and hit[2]:  # END decides whether the first byte is a choice
                flags = (self.end_fits(f.text + text[start:i]),) + flags[1:]
            out += flags
            state = hit[0]
            i += 1
        if i > start:
            f.text += text[start:i]
            f.state = state
            f.changed()
        return i - start, out

    def byte_options(self, dfa, state: int, pending: bytes) -> tuple[frozenset, bool]:
        """(the bytes live at automaton `state` after the `pending` bytes of a character, does it
        accept there) for a plain string: its options, but that a key's END must also fit
        (`end_fits`). Cached per automaton."""
        table = self.cache.setdefault(("bytes", id(dfa)), {})
        hit = table.get((state, pending))
        if hit is None:
            if len(table) >= 1 << 16:
                table.clear()
            hit = table[(state, pending)] = (frozenset(dfa.allowed_bytes(state, pending)),
                                             not pending and state in dfa.accept)
        return hit

    def end_fits(self, text: str) -> bool:
        """May the plain string on top end with `text` where its automaton accepts? (a key:
        where its value can still be given; a guard, as the key automaton leaves out the rest)"""
        return self._key_fits(self.stack[-1], text)

    def take_bytes(self, ids: list, i: int) -> int:
        """Apply byte ids from `ids[i:]` to the plain string on top (see `plain_string`)
        with the forced bytes between them, as `step` and `forced()` would; stop before an id
        that is not a legal byte (END, structure, an error: the general path's) and before a
        forced END. Returns how many ids were applied."""
        dfa = self.plain_string()
        if dfa is None:
            return 0
        f = self.stack[-1]
        key = f.role == "key"
        state, pending, chars, j, n = f.state, f.pending, [], i, len(ids)
        if not pending and dfa.free_state(state):  # every byte a choice: the valid UTF-8 at once
            text = _utf8_run(ids, i)
            chars.append(text)
            j += len(text.encode("utf-8"))
        while True:
            allowed, end = self.byte_options(dfa, state, pending)
            count = len(allowed) + end
            only = next(iter(allowed)) if len(allowed) == 1 else None
            if key and count == 2 and only is not None and not self.end_fits(f.text + "".join(chars)):
                count = 1  # END is refused here: the one live byte is forced
            if count == 1:
                if only is None:
                    break  # END is forced: it pops, the general path applies it
                b = only
            else:
                if j >= n or ids[j] not in allowed:
                    break
                b = ids[j]
                j += 1
            state, pending, ch = step_byte(dfa, state, pending, b)
            chars.append(ch)
        if j > i:
            f.text += "".join(chars)
            f.state, f.pending = state, pending
            f.changed()
        return j - i


def step_byte(dfa, state: int, pending: bytes, b: int) -> tuple[int, bytes, str]:
    """(automaton state, pending bytes, the character completed or "") after string byte `b`
    (a live one) at `state` with the `pending` bytes of a character."""
    if b < 0x80 and not pending:
        return dfa.next_state(state, b), b"", chr(b)
    pending += bytes((b,))
    try:
        ch = pending.decode("utf-8")
    except UnicodeDecodeError:
        return state, pending, ""
    return dfa.next_state(state, ord(ch)), b"", ch


def _spell_char(dfa, state: int, ch: str):
    """(state after `ch`, per byte of it: emitted as an id?) from a plain string's automaton
    `state`, or False when a byte is not allowed: the options at each byte are the bytes that
    stay live, and END before the first byte where the automaton accepts. Third: whether the
    first byte is the only live one where the automaton accepts (a key's END may be refused)."""
    raw = ch.encode("utf-8", errors="surrogatepass")
    flags, lone = [], False
    for i in range(len(raw)):
        pending = raw[:i]
        allowed = dfa.allowed_bytes(state, pending)
        if raw[i] not in allowed:
            return False
        end = not pending and state in dfa.accept
        lone = lone or (end and len(allowed) == 1)
        flags.append(len(allowed) + end != 1)
    nxt = dfa.next_state(state, ord(ch))
    return False if nxt is None else (nxt, tuple(flags), lone)


def _utf8_run(ids: list, i: int) -> str:
    """The longest text whose UTF-8 bytes are `ids[i:]` up to the first END or non-byte id
    (what a string's free state takes at once; strict UTF-8 has no surrogates)."""
    try:
        k = ids.index(END, i)
    except ValueError:
        k = len(ids)
    try:
        raw = bytes(ids[i:k])
    except ValueError:  # an id above 255 before END: the byte by byte path stops there
        raw = bytes(itertools.takewhile(lambda b: 0 <= b < 256, ids[i:k]))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw[:exc.start].decode("utf-8")
