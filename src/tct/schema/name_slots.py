"""A string automaton whose name slots read only given names: a filter on a `CharDFA`.

Some languages are fixed except for a few names that come from elsewhere (an expression's
`steps.<id>` takes the ids of the document's steps). Rebuilding the automaton per name set is
slow (thousands of states each time), so the automaton is built once with the names free and
its states that read such a name are labelled (`PatternFSM.labels`). `SlotDFA` walks it with
a prefix of the name being read: inside a slot a name character (ASCII letter, digit, `_`, `-`,
`*`) must extend the prefix towards one of the label's names (other characters are delimiters), and a slot may only be left when the prefix is a whole name. Names are
ASCII and read case-insensitively (as GitHub reads property names).

States are (base state, prefix) pairs, numbered as they are reached, so a name set costs only
what is visited. The language is: strings of the base automaton whose slots hold given names
and whose every prefix outside a restricted slot can be finished without entering one (true
of grammars that can always close with a literal). Distances and liveness honour it, so the
machine's completions, costs and masks stay exact on it.
"""

from __future__ import annotations

import string

from tct.schema.regex import CharDFA, _merge, _sample

INF = 1 << 30
NAME_CHARS = string.ascii_letters + string.digits + "_-*"


class SlotDFA(CharDFA):
    """`base` with each restricted label's slots reading only `names[label]` (None: any name)."""

    def __init__(self, base: CharDFA, names: dict):
        self.base = base
        self.free = frozenset(lab for lab, ns in names.items() if ns is None) | \
            (frozenset(base.labels.values()) - set(names))
        self.names = {lab: frozenset(n.lower() for n in ns) for lab, ns in names.items() if ns is not None}
        self.prefixes = {lab: frozenset(n[:i] for n in ns for i in range(len(n) + 1))
                         for lab, ns in self.names.items()}
        self._d0 = _slot_free_distances(base, frozenset(self.names))
        # Classes: the base's, with every ASCII name character on its own (a slot reads them one
        # by one); `_of_base[cid]` lists the refined classes a base class became.
        singles = sorted(ord(c) for c in NAME_CHARS)
        ranges, self._of_base, self._single = [], [], []
        self._single_class, self._rest_class = {}, {}
        for cid, rs in enumerate(base.class_ranges):
            rest, mine = [], []
            for a, b in rs:
                lo = a
                for cp in (cp for cp in singles if a <= cp <= b):
                    if lo < cp:
                        rest.append((lo, cp - 1))
                    self._single_class[cp] = len(ranges)
                    mine.append(len(ranges))
                    ranges.append([(cp, cp)])
                    self._single.append(chr(cp).lower())
                    lo = cp + 1
                if lo <= b:
                    rest.append((lo, b))
            if rest:
                self._rest_class[cid] = len(ranges)
                mine.append(len(ranges))
                ranges.append(_merge(rest))
                self._single.append(None)
            self._of_base.append(mine)
        self.class_ranges = ranges
        self._samples = [_sample(r) for r in ranges]
        self._pairs: list = []
        self._ids: dict = {}
        self._dist: dict = {}
        self.trans = _Rows(self)
        self.accept = _Accept(self)
        self.live = _Live(self)
        self.start = self._id(self._pair(base.start, None))
        self._allowed_ranges, self._ranges, self._suffixes = {}, {}, {}
        self._allowed_bytes, self._count_cache = {}, {}

    # ------------------------------------------------------------ states
    def _pair(self, s: int, entering_from=None):
        """The pair for base state `s` entered from outside a slot."""
        lab = self.base.labels.get(s)
        return (s, None) if lab is None or lab in self.free else (s, "")

    def _id(self, pair) -> int:
        i = self._ids.get(pair)
        if i is None:
            i = self._ids[pair] = len(self._pairs)
            self._pairs.append(pair)
        return i

    def _pair_dist(self, pair) -> int:
        s, p = pair
        if p is None:
            return self._d0[s]
        hit = self._dist.get(pair)
        if hit is not None:
            return hit
        self._dist[pair] = INF  # a cycle through slots does not finish
        best = INF
        for nxt in self._moves(pair):
            best = min(best, 1 + self._pair_dist(nxt[1]))
        self._dist[pair] = best
        return best

    def _moves(self, pair):
        """(refined class, next pair) of every transition, live or not."""
        s, p = pair
        base = self.base
        lab = None if p is None else base.labels[s]
        for cid, t in base.trans[s].items():
            lab_t = base.labels.get(t)
            restricted_t = lab_t is not None and lab_t not in self.free
            if lab is not None and lab_t == lab:  # a name character, or a delimiter (`['`)
                for r in self._of_base[cid]:
                    c = self._single[r]
                    if c is None:
                        yield r, (t, p)
                    elif p + c in self.prefixes[lab]:
                        yield r, (t, p + c)
                continue
            if lab is not None and p not in self.names[lab]:
                continue  # leaving a slot before a whole name
            nxt = (t, "") if restricted_t else (t, None)
            for r in self._of_base[cid]:
                yield r, nxt

    def _row(self, i: int) -> dict:
        row = {}
        for r, nxt in self._moves(self._pairs[i]):
            if self._pair_dist(nxt) < INF:
                row[r] = self._id(nxt)
        return row

    def class_of(self, cp: int) -> int | None:
        if cp in self._single_class:
            return self._single_class[cp]
        cid = self.base.class_of(cp)
        return None if cid is None else self._rest_class[cid]

    def distances(self):
        return _Dist(self)


def _slot_free_distances(base: CharDFA, restricted: frozenset) -> list[int]:
    """Shortest code points from each base state to acceptance without entering a slot of a
    `restricted` label (INF for those states themselves); cached per base and label set."""
    cache = base.__dict__.setdefault("_slot_free", {})
    hit = cache.get(restricted)
    if hit is not None:
        return hit
    n = len(base.trans)
    blocked = [base.labels.get(s) in restricted for s in range(n)]
    back: list[list[int]] = [[] for _ in range(n)]
    for s, row in enumerate(base.trans):
        if not blocked[s]:
            for t in row.values():
                back[t].append(s)
    dist = [INF] * n
    frontier = [s for s in base.accept if not blocked[s]]
    for s in frontier:
        dist[s] = 0
    d = 0
    while frontier:
        d += 1
        nxt = []
        for t in frontier:
            for s in back[t]:
                if dist[s] == INF:
                    dist[s] = d
                    nxt.append(s)
        frontier = nxt
    cache[restricted] = dist
    return dist


class _Rows:
    """`trans` of a SlotDFA: rows built on first access."""

    def __init__(self, d: SlotDFA):
        self.d, self.rows = d, []

    def __getitem__(self, i: int) -> dict:
        while len(self.rows) <= i:
            self.rows.append(None)
        row = self.rows[i]
        if row is None:
            row = self.rows[i] = self.d._row(i)
        return row

    def __len__(self) -> int:  # a bound on the number of states (shortest_string's search limit)
        return len(self.d.base.trans) * (1 + sum(len(p) for p in self.d.prefixes.values()))


class _Dist:
    def __init__(self, d: SlotDFA):
        self.d = d

    def __getitem__(self, i: int) -> int:
        return self.d._pair_dist(self.d._pairs[i])


class _Accept:
    def __init__(self, d: SlotDFA):
        self.d = d

    def __contains__(self, i) -> bool:
        if i is None:
            return False
        s, p = self.d._pairs[i]
        if s not in self.d.base.accept:
            return False
        return p is None or p in self.d.names[self.d.base.labels[s]]


class _Live:
    def __init__(self, d: SlotDFA):
        self.d = d

    def __contains__(self, i) -> bool:
        return i is not None and self.d._pair_dist(self.d._pairs[i]) < INF
