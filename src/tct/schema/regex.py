"""String constraints as one deterministic automaton over code points.

interegular turns each ECMA-262 pattern into an FSM; JSON Schema patterns *search* (they are
not anchored), so anchors are handled here: `^`/`$` at the ends of top-level alternatives are
stripped, an unanchored side gets `[\\s\\S]*`. The product of all positive/negative patterns and
a length counter gives a `CharDFA` whose live states are exactly the prefixes that can still
end in a valid string; the decoder walks it one UTF-8 byte at a time.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

import interegular
from interegular.fsm import anything_else

MAX_CP = 0x10FFFF
SURROGATES = (0xD800, 0xDFFF)


class PatternUnsupported(Exception):
    pass


def _split_top_level(pattern: str) -> list[str]:
    parts, depth, in_class, i, start = [], 0, False, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _has_unescaped(s: str, ch: str) -> bool:
    in_class, i = False, 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == ch:
            return True
        i += 1
    return False


_NAMED_GROUP = re.compile(r"\(\?<(?![=!])[A-Za-z_][A-Za-z0-9_]*>")


def python_pattern(pattern: str) -> str:
    """An ECMA-262 pattern for Python's `re`: named groups `(?<name>...)` (which ECMA lets
    repeat across alternatives) become plain groups; nothing reads the names."""
    return _NAMED_GROUP.sub("(?:", pattern)


@lru_cache(maxsize=None)
def pattern_fsm(pattern: str):
    """interegular FSM accepting exactly the strings in which `pattern` finds a match."""
    pattern = _NAMED_GROUP.sub("(?:", pattern)
    alternatives = []
    for alt in _split_top_level(pattern):
        head = alt.startswith("^")
        body = alt[1:] if head else alt
        tail = body.endswith("$") and not body.endswith("\\$")
        body = body[:-1] if tail else body
        if _has_unescaped(body, "^") or _has_unescaped(body, "$"):
            raise PatternUnsupported(f"anchor inside pattern {pattern!r}")
        body = f"(?:{body})" if body else ""
        alternatives.append(("" if head else "[\\s\\S]*") + body + ("" if tail else "[\\s\\S]*"))
    try:
        return interegular.parse_pattern("|".join(alternatives)).to_fsm()
    except Exception as exc:  # interegular raises several types for unsupported syntax
        raise PatternUnsupported(f"pattern {pattern!r}: {exc}") from None


def _ranges(cps) -> list[tuple[int, int]]:
    out = []
    for cp in sorted(cps):
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


def _complement(ranges) -> list[tuple[int, int]]:
    out, lo = [], 0
    for a, b in ranges:
        if a > lo:
            out.append((lo, a - 1))
        lo = b + 1
    if lo <= MAX_CP:
        out.append((lo, MAX_CP))
    return out


def _remove_surrogates(ranges):
    out = []
    for a, b in ranges:
        if b < SURROGATES[0] or a > SURROGATES[1]:
            out.append((a, b))
            continue
        if a < SURROGATES[0]:
            out.append((a, SURROGATES[0] - 1))
        if b > SURROGATES[1]:
            out.append((SURROGATES[1] + 1, b))
    return out


def _merge(ranges):
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def utf8_prefix_range(prefix: bytes):
    """Code points whose UTF-8 encoding starts with `prefix`, as (lo, hi), or None."""
    lead = prefix[0]
    if lead < 0x80:
        return (lead, lead) if len(prefix) == 1 else None
    if 0xC2 <= lead <= 0xDF:
        n, lo_min, hi_max = 2, 0x80, 0x7FF
    elif 0xE0 <= lead <= 0xEF:
        n, lo_min, hi_max = 3, 0x800, 0xFFFF
    elif 0xF0 <= lead <= 0xF4:
        n, lo_min, hi_max = 4, 0x10000, MAX_CP
    else:
        return None
    if len(prefix) > n or any(not 0x80 <= b <= 0xBF for b in prefix[1:]):
        return None
    value = lead & (0x7F >> n)
    for b in prefix[1:]:
        value = (value << 6) | (b & 0x3F)
    rest = n - len(prefix)
    lo, hi = max(value << (6 * rest), lo_min), min((value << (6 * rest)) | ((1 << (6 * rest)) - 1), hi_max)
    return (lo, hi) if lo <= hi else None


class CharDFA:
    """Product automaton of patterns (+/-) and length bounds over code points."""

    def __init__(self, patterns=(), min_length=0, max_length=None):
        comps = [(pattern_fsm(p), pos) for p, pos in patterns]
        explicit = set()
        for fsm, _ in comps:
            explicit.update(c for c in fsm.alphabet.keys() if c is not anything_else)
        # Classes: explicit characters grouped by their symbol in every component, plus "other".
        def signature(ch):
            return tuple(fsm.alphabet[ch] if ch is not anything_else else fsm.alphabet[anything_else]
                         for fsm, _ in comps)

        by_sig: dict = {}
        for ch in explicit:
            by_sig.setdefault(signature(ch), []).append(ord(ch))
        other_sig = signature(anything_else)
        self.class_of: dict[int, int] = {}
        class_sigs, class_ranges = [], []
        for sig, cps in by_sig.items():
            cid = len(class_sigs)
            class_sigs.append(sig)
            class_ranges.append(_ranges(cps))
            for cp in cps:
                self.class_of[cp] = cid
        self.other = len(class_sigs)
        class_sigs.append(other_sig)
        class_ranges.append(_remove_surrogates(_complement(_ranges(ord(c) for c in explicit))))
        self.class_ranges = class_ranges
        cap = max_length if max_length is not None else min_length

        def step(state, cid):
            comp_states, length = state
            nxt = []
            for (fsm, pos), s, sym in zip(comps, comp_states, class_sigs[cid]):
                t = None if s is None else fsm.map.get(s, {}).get(sym)
                if t is None and pos:
                    return None
                nxt.append(t)
            length += 1
            if max_length is not None and length > max_length:
                return None
            return (tuple(nxt), min(length, cap))

        def accepting(state):
            comp_states, length = state
            if length < min_length:
                return False
            return all((s in fsm.finals) == pos for (fsm, pos), s in zip(comps, comp_states))

        start = (tuple(fsm.initial for fsm, _ in comps), 0)
        ids = {start: 0}
        order = [start]
        trans: list[dict[int, int]] = []
        i = 0
        while i < len(order):
            st = order[i]
            row = {}
            for cid in range(len(class_sigs)):
                if not class_ranges[cid]:
                    continue
                nx = step(st, cid)
                if nx is None:
                    continue
                if nx not in ids:
                    ids[nx] = len(order)
                    order.append(nx)
                row[cid] = ids[nx]
            trans.append(row)
            i += 1
        accept = {ids[s] for s in order if accepting(s)}
        # Keep live states only (those that can still reach acceptance).
        rev: dict[int, set] = {}
        for s, row in enumerate(trans):
            for t in row.values():
                rev.setdefault(t, set()).add(s)
        live, todo = set(accept), list(accept)
        while todo:
            for p in rev.get(todo.pop(), ()):
                if p not in live:
                    live.add(p)
                    todo.append(p)
        self.trans = [{c: t for c, t in row.items() if t in live} if s in live else {}
                      for s, row in enumerate(trans)]
        self.accept = frozenset(accept)
        self.live = frozenset(live)
        self.start = 0
        self._allowed_ranges: dict[int, list] = {}
        self._allowed_bytes: dict[tuple, tuple] = {}
        self._dist: list[int] | None = None
        self._count_cache: dict = {}

    @property
    def empty(self) -> bool:
        return self.start not in self.live

    def next_state(self, state: int, cp: int):
        return self.trans[state].get(self.class_of.get(cp, self.other))

    def allowed_ranges(self, state: int):
        r = self._allowed_ranges.get(state)
        if r is None:
            r = _merge(rng for cid in self.trans[state] for rng in self.class_ranges[cid])
            self._allowed_ranges[state] = r
        return r

    def allowed_bytes(self, state: int, pending: bytes) -> list[int]:
        """Bytes that extend `pending` towards a code point with a live transition."""
        # Cached: the shortest completion asks for this once per candidate id while masking
        # for a budget. Bounded, since random ids can visit many partial characters.
        hit = self._allowed_bytes.get((state, pending))
        if hit is None:
            if len(self._allowed_bytes) >= 1 << 16:
                self._allowed_bytes.clear()
            hit = self._allowed_bytes[(state, pending)] = tuple(self._compute_allowed_bytes(state, pending))
        return list(hit)

    def _compute_allowed_bytes(self, state: int, pending: bytes) -> list[int]:
        ranges = self.allowed_ranges(state)
        starts = [a for a, _ in ranges]
        out = []
        for b in range(256):
            rng = utf8_prefix_range(pending + bytes([b]))
            if rng is None:
                continue
            lo, hi = rng
            j = bisect.bisect_right(starts, hi) - 1
            if j >= 0 and ranges[j][1] >= lo:
                out.append(b)
        return out

    def distances(self) -> list[int]:
        """Shortest number of code points from each state to acceptance."""
        if self._dist is None:
            inf = 1 << 30
            dist = [inf] * len(self.trans)
            for s in self.accept:
                dist[s] = 0
            changed = True
            while changed:
                changed = False
                for s, row in enumerate(self.trans):
                    for t in row.values():
                        if dist[t] + 1 < dist[s]:
                            dist[s] = dist[t] + 1
                            changed = True
            self._dist = dist
        return self._dist

    def sample_char(self, cid: int) -> str:
        return chr(self.class_ranges[cid][0][0])

    def shortest_suffix(self, state: int) -> str:
        dist, out = self.distances(), []
        while dist[state] > 0:
            cid, nxt = min(((c, t) for c, t in self.trans[state].items() if dist[t] == dist[state] - 1),
                           key=lambda ct: (ct[0] == self.other, ct[0]))
            out.append(self.sample_char(cid))
            state = nxt
        return "".join(out)

    def count_capped(self, state: int, cap: int) -> int:
        """Number of strings accepted from `state`, or `cap` if there are at least that many."""
        key = (state, cap)
        if key in self._count_cache:
            return self._count_cache[key]
        self._count_cache[key] = cap  # a cycle means infinitely many
        n = 1 if state in self.accept else 0
        for cid, t in self.trans[state].items():
            width = sum(b - a + 1 for a, b in self.class_ranges[cid])
            n += width * self.count_capped(t, cap)
            if n >= cap:
                break
        n = min(n, cap)
        self._count_cache[key] = n
        return n

    def strings_from(self, state: int, limit: int) -> list[str]:
        """All accepted suffixes from `state` (caller checked there are fewer than `limit`)."""
        out = [""] if state in self.accept else []
        for cid, t in self.trans[state].items():
            for a, b in self.class_ranges[cid]:
                for cp in range(a, b + 1):
                    out.extend(chr(cp) + s for s in self.strings_from(t, limit))
        return out[:limit]

    def run(self, text: str):
        state = self.start
        for ch in text:
            state = self.next_state(state, ord(ch))
            if state is None:
                return None
        return state

    def accepts(self, text: str) -> bool:
        return self.run(text) in self.accept
