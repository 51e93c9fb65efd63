"""Whole plain strings at once: the fast path of encoding and decoding string values.

A plain value string (no exclusions, no profile pattern or rule) has as options exactly its
automaton's live bytes and END where it accepts, so per-state tables answer what `options()`
and `forced()` would, byte by byte, at a fraction of the cost.
"""

from __future__ import annotations


class StringRuns:
    """Mixed into `Machine` (machine.py): `spell` (encode) and `take_bytes` (decode)."""

    def _plain_string(self):
        """The automaton of the value string on top when its options are exactly its bytes that
        stay live and END where it accepts (no exclusions, no profile pattern or tag), else None."""
        f = self.stack[-1]
        if f.kind != "string" or f.role != "value" or f.tag is not None or f.excluded:
            return None
        facts = self._string_facts(f)
        profiled = self.rules is not None and any(a[0] == "pattern" and a[1] in self.rules.patterns
                                                  for a in f.branch.atoms)
        if facts.excluded or profiled:  # a profile pattern: `forced()` asks the schema alone
            return None
        return facts.dfa

    def spell(self, text: str):
        """Apply the characters of `text` to the value string on top, as `step` would byte by
        byte, and return for each byte whether it is emitted as an id (more than one option);
        None, with nothing applied, when this needs the general path (see `_plain_string`) or
        a byte is not allowed (for the caller to explain). One cached table per automaton state
        and character answers what `options()`/`forced()` would."""
        f = self.stack[-1]
        dfa = None if f.pending else self._plain_string()
        if dfa is None:
            return None
        table = self.cache.setdefault(("spell", id(dfa)), {})
        if len(table) >= 1 << 16:
            table.clear()
        state, out = f.state, []
        for ch in text:
            hit = table.get((state, ch))
            if hit is None:
                hit = table[(state, ch)] = _spell_char(dfa, state, ch)
            if hit is False:
                return None
            state = hit[0]
            out += hit[1]
        f.text += text
        f.state = state
        f.changed()
        return out

    def take_bytes(self, ids: list, i: int) -> int:
        """Apply byte ids from `ids[i:]` to the plain value string on top (see `_plain_string`)
        with the forced bytes between them, as `step` and `forced()` would; stop before an id
        that is not a legal byte (END, structure, an error: the general path's) and before a
        forced END. Returns how many ids were applied."""
        dfa = self._plain_string()
        if dfa is None:
            return 0
        f = self.stack[-1]
        table = self.cache.setdefault(("take", id(dfa)), {})
        if len(table) >= 1 << 16:
            table.clear()
        state, pending, chars, j, n = f.state, f.pending, [], i, len(ids)
        while True:
            hit = table.get((state, pending))
            if hit is None:
                allowed = dfa.allowed_bytes(state, pending)
                end = not pending and state in dfa.accept
                hit = table[(state, pending)] = (frozenset(allowed), len(allowed) + end,
                                                 allowed[0] if len(allowed) == 1 and not end else None)
            allowed, count, only = hit
            if count == 1:
                if only is None:
                    break  # END is forced: it pops, the general path applies it
                b = only
            else:
                if j >= n or ids[j] not in allowed:
                    break
                b = ids[j]
                j += 1
            if b < 0x80 and not pending:
                ch = chr(b)
            else:
                pending += bytes([b])
                try:
                    ch = pending.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                pending = b""
            chars.append(ch)
            state = dfa.next_state(state, ord(ch))
        if j > i:
            f.text += "".join(chars)
            f.state, f.pending = state, pending
            f.changed()
        return j - i


def _spell_char(dfa, state: int, ch: str):
    """(state after `ch`, per byte of it: emitted as an id?) from a plain string's automaton
    `state`, or False when a byte is not allowed: the options at each byte are the bytes that
    stay live, and END before the first byte where the automaton accepts."""
    raw = ch.encode("utf-8", errors="surrogatepass")
    flags = []
    for i in range(len(raw)):
        pending = raw[:i]
        allowed = dfa.allowed_bytes(state, pending)
        if raw[i] not in allowed:
            return False
        flags.append(len(allowed) + (not pending and state in dfa.accept) != 1)
    nxt = dfa.next_state(state, ord(ch))
    return False if nxt is None else (nxt, tuple(flags))
