"""String constraints as one deterministic automaton over code points.

A pattern is parsed as ECMA-262 (`ecma.py`) and built into an interegular FSM whose symbols are
classes of code points (intervals that every character set of the pattern treats alike), so
large sets such as `[^\\n]` or `\\S` cost one symbol. JSON Schema patterns *search*: the FSM
accepts exactly the strings in which the pattern finds a match. Anchors and lookaheads are
compiled exactly where the language stays regular and the construction is simple: the FSM is
built right to left from the language of "the rest of the input", so `$` keeps the rest only
if it may be empty, `(?=X)`/`(?!X)` intersect/subtract X followed by anything, and `^` is read
with a flag that says whether nothing was consumed yet. A group holding an anchor or a
lookahead may not repeat; that, backreferences, lookbehind and `\\b` raise PatternUnsupported.

The product of all positive/negative patterns and a length counter gives a `CharDFA` whose live
states are exactly the prefixes that can still end in a valid string; the decoder walks it one
UTF-8 byte at a time.
"""

from __future__ import annotations

import bisect
from functools import lru_cache

from interegular.fsm import FSM, Alphabet, epsilon, null

from tct.schema import ecma
from tct.schema.ecma import ANY, MAX_CP, PatternUnsupported

SURROGATES = (0xD800, 0xDFFF)

__all__ = ["CharDFA", "PatternUnsupported", "explore", "pattern_fsm", "PatternFSM", "TableFSM", "register"]

# Automata built by other means than an ECMA pattern (a grammar written as a step function),
# under a name that stands in for a pattern wherever patterns are conjoined.
AUTOMATA: dict = {}


def register(name: str, automaton: "PatternFSM") -> None:
    AUTOMATA[name] = automaton


def explore(start, symbols, step) -> tuple[list, dict, list[dict]]:
    """The states reachable from `start` by `step(state, symbol)` (None: no transition), in
    order of discovery, their ids, and per state id {symbol: next state id}."""
    ids, order, trans = {start: 0}, [start], []
    for st in order:  # grows while iterating
        row = {}
        for sym in symbols:
            nxt = step(st, sym)
            if nxt is None:
                continue
            if nxt not in ids:
                ids[nxt] = len(order)
                order.append(nxt)
            row[sym] = ids[nxt]
        trans.append(row)
    return order, ids, trans


def _explore_product(start, comps, class_sigs, classes, max_length, cap):
    """`explore` for the product of `comps` ((fsm, positive) pairs) and a length counter: per
    state, the classes every positive component moves on, then each component's successors
    for those at once (3x the generic `explore` on the expression grammar's products:
    benchmarks/string_automata.py)."""
    symbols = [[sig[k] for sig in (class_sigs[c] for c in classes)] for k in range(len(comps))]
    maps = [fsm.map for fsm, _ in comps]
    positive = [k for k, (_, pos) in enumerate(comps) if pos]
    all_classes = range(len(classes))
    ids, order, trans = {start: 0}, [start], []
    for comp_states, length in order:  # grows while iterating
        row = {}
        trans.append(row)
        length += 1
        if max_length is not None and length > max_length:
            continue
        length = min(length, cap)
        rows = [None if s is None else m.get(s) for m, s in zip(maps, comp_states)]
        cand = all_classes
        for k in positive:  # only classes every positive component moves on
            r, syms = rows[k], symbols[k]
            cand = [i for i in cand if syms[i] in r] if r else ()
        # each component's successor per candidate class, then the product states
        cols = [[r.get(syms[i]) for i in cand] if r else [None] * len(cand) for r, syms in zip(rows, symbols)]
        for i, combo in zip(cand, zip(*cols) if cols else [()] * len(cand)):
            nxt = (combo, length)
            j = ids.get(nxt)
            if j is None:
                j = ids[nxt] = len(order)
                order.append(nxt)
            row[classes[i]] = j
    return order, ids, trans


class TableFSM:
    """What CharDFA reads of an interegular FSM, for automata built from a step function:
    states 0..n-1, symbols 0..n_classes-1, `transitions` state -> {symbol: state}."""

    def __init__(self, n_classes: int, initial: int, finals, transitions: dict):
        self.alphabet = list(range(n_classes))
        self.initial, self.finals, self.map = initial, finals, transitions


class PatternFSM:
    """An interegular FSM over code-point classes: symbol `i` stands for `classes[i]`.

    `labels` marks states (state -> label) where the automaton reads a name that something
    outside the automaton restricts (name_slots.SlotDFA); `depths` says how many brackets are
    open at states that read code (outside its string literals), so calls can count their
    arguments; `roles` says which token a state is in (an operand, after one, a literal...), so
    operand kinds can be followed. CharDFA carries all three to its states."""

    def __init__(self, fsm: FSM, classes: list, labels: dict | None = None, depths: dict | None = None,
                 roles: dict | None = None):
        self.fsm, self.classes, self.labels, self.depths = fsm, classes, labels or {}, depths or {}
        self.roles = roles or {}


def _walk(node, out: list):
    if isinstance(node, ecma.Chars):
        out.append(node.ranges)
    elif isinstance(node, ecma.Seq):
        for x in node.items:
            _walk(x, out)
    elif isinstance(node, ecma.Alt):
        for x in node.options:
            _walk(x, out)
    elif isinstance(node, ecma.Repeat):
        _walk(node.item, out)
    elif isinstance(node, ecma.Lookahead):
        _walk(node.inner, out)


def _partition(sets: list) -> tuple[list, list]:
    """Classes of code points (no surrogates) and, per set, the ids of the classes it covers."""
    points = {0, SURROGATES[0], SURROGATES[1] + 1}
    for rs in sets:
        for a, b in rs:
            points.update((a, b + 1))
    points = sorted(p for p in points if p <= MAX_CP)
    members = [set() for _ in sets]
    by_sig: dict = {}
    classes: list = []
    for k, lo in enumerate(points):
        hi = points[k + 1] - 1 if k + 1 < len(points) else MAX_CP
        if lo == SURROGATES[0]:
            continue
        sig = frozenset(i for i, rs in enumerate(sets) if _covers(rs, lo))
        cid = by_sig.get(sig)
        if cid is None:
            cid = by_sig[sig] = len(classes)
            classes.append([])
        classes[cid].append((lo, hi))
        for i in sig:
            members[i].add(cid)
    return classes, members


def _covers(ranges, cp: int) -> bool:
    j = bisect.bisect_right(ranges, (cp, MAX_CP + 1)) - 1
    return j >= 0 and ranges[j][0] <= cp <= ranges[j][1]


def _special(node) -> bool:
    """Does `node` hold an anchor or a lookahead (parts whose meaning depends on context)?"""
    if isinstance(node, (ecma.Anchor, ecma.Lookahead)):
        return True
    if isinstance(node, ecma.Seq):
        return any(_special(x) for x in node.items)
    if isinstance(node, ecma.Alt):
        return any(_special(x) for x in node.options)
    if isinstance(node, ecma.Repeat):
        return _special(node.item)
    return False


def _has_caret(node) -> bool:
    if isinstance(node, ecma.Anchor):
        return node.kind == "^"
    if isinstance(node, ecma.Seq):
        return any(_has_caret(x) for x in node.items)
    if isinstance(node, ecma.Alt):
        return any(_has_caret(x) for x in node.options)
    if isinstance(node, ecma.Repeat):
        return _has_caret(node.item)
    if isinstance(node, ecma.Lookahead):
        return _has_caret(node.inner)
    return False


def _minimize(f: FSM) -> FSM:
    """The minimal DFA of `f` (Moore's partition refinement over its live states).

    interegular's own `reduce` reverses twice with a quadratic step per state; keeping every
    intermediate automaton minimal is what keeps its products and concatenations small.
    """
    syms = list(f.alphabet.by_transition)
    order, seen = [f.initial], {f.initial}
    for st in order:
        for t in f.map.get(st, {}).values():
            if t not in seen:
                seen.add(t)
                order.append(t)
    back: dict = {}
    for st in order:
        for t in f.map.get(st, {}).values():
            back.setdefault(t, set()).add(st)
    live = {st for st in order if st in f.finals}
    todo = list(live)
    while todo:
        for p in back.get(todo.pop(), ()):
            if p not in live:
                live.add(p)
                todo.append(p)
    if f.initial not in live:
        return null(f.alphabet)
    states = [st for st in order if st in live]
    block = {st: int(st in f.finals) for st in states}
    count = len(set(block.values()))
    targets = [(st, [f.map.get(st, {}).get(a) for a in syms]) for st in states]  # per symbol, in order
    missing = [-1] * len(syms)
    while True:
        ids: dict = {}
        new = {st: ids.setdefault((block[st], tuple(map(block.get, tg, missing))), len(ids)) for st, tg in targets}
        block = new
        if len(ids) == count:
            break
        count = len(ids)
    fmap: dict = {}
    for st in states:
        fmap[block[st]] = {a: block[t] for a, t in f.map.get(st, {}).items() if t in live}
    return FSM(alphabet=f.alphabet, states=set(fmap), initial=block[f.initial],
               finals={block[st] for st in states if st in f.finals}, map=fmap)


def _drop_trailing_options(node):
    """Before "anything", `YX{n,m}` is `YX{n}`: the extra copies of X fit in "anything"."""
    if isinstance(node, ecma.Repeat):
        return ecma.Repeat(node.item, node.min, node.min)
    if isinstance(node, ecma.Seq) and node.items:
        return ecma.Seq(node.items[:-1] + (_drop_trailing_options(node.items[-1]),))
    if isinstance(node, ecma.Alt):
        return ecma.Alt(tuple(_drop_trailing_options(o) for o in node.options))
    return node


def _drop_leading_options(tree: ecma.Alt) -> ecma.Alt:
    """After "anything", `X{n,m}Y` is `X{n}Y`: the extra copies of X fit in "anything"."""
    options = []
    for o in tree.options:
        head = o.items[0] if o.items else None
        if isinstance(head, ecma.Repeat) and not _special(head):
            o = ecma.Seq((ecma.Repeat(head.item, head.min, head.min),) + o.items[1:])
        options.append(o)
    return ecma.Alt(tuple(options))


class _Builder:
    def __init__(self, tree):
        sets: list = []
        _walk(tree, sets)
        sets.append(ANY)
        self.classes, members = _partition(sets)
        self.members = {s: m for s, m in zip(sets, members)}
        self.alphabet = Alphabet({c: c for c in range(len(self.classes))})
        self.eps = epsilon(self.alphabet)
        self.none = null(self.alphabet)
        self.any_star = self.chars(ANY).star()

    def chars(self, ranges) -> FSM:
        return FSM(alphabet=self.alphabet, states={0, 1}, initial=0, finals={1},
                   map={0: {self.alphabet[c]: 1 for c in self.members[ranges]}, 1: {}})

    def plain(self, node) -> FSM:
        """FSM of a part without anchors or lookaheads."""
        if isinstance(node, ecma.Chars):
            return self.chars(node.ranges)
        if isinstance(node, ecma.Seq):
            return _minimize(FSM.concatenate(self.eps, *(self.plain(x) for x in node.items)))
        if isinstance(node, ecma.Alt):
            return _minimize(FSM.union(*(self.plain(x) for x in node.options)))
        if isinstance(node.item, ecma.Chars):
            return self.chain(node.item.ranges, node.min, node.max)
        unit = self.plain(node.item)
        parts = [unit] * node.min
        parts += [unit.star()] if node.max is None else [unit | self.eps] * (node.max - node.min)
        return _minimize(FSM.concatenate(self.eps, *parts))

    def chain(self, ranges, lo: int, hi: int | None) -> FSM:
        """`[set]{lo,hi}` built directly: one state per count (a generic concatenation of
        hundreds of copies makes interegular's subset construction crawl)."""
        top = lo if hi is None else hi
        syms = [self.alphabet[c] for c in self.members[ranges]]
        fmap = {i: {s: i + 1 for s in syms} for i in range(top)}
        fmap[top] = {s: top for s in syms} if hi is None else {}
        return FSM(alphabet=self.alphabet, states=set(range(top + 1)), initial=0,
                   finals=set(range(lo, top + 1)), map=fmap)

    def search(self, tree: ecma.Alt) -> FSM:
        at_start = _minimize(self.seq([tree], self.any_star, True))
        later = _minimize(self.seq([_drop_leading_options(tree)], self.any_star, False))
        if later.empty():
            return at_start
        return at_start | (self.chars(ANY) + self.any_star + later)

    def seq(self, items: list, tail: FSM, at_start: bool) -> FSM:
        """Language of the input from here on: `items` match a prefix, `tail` the rest.

        `at_start`: nothing has been consumed yet, so `^` holds here.
        """
        if not at_start or not any(_has_caret(x) for x in items):
            return self.right_to_left(items, tail)
        head, rest = items[0], list(items[1:])
        if isinstance(head, ecma.Anchor):
            after = self.seq(rest, tail, True)
            return after if head.kind == "^" else self.end(after)
        if isinstance(head, ecma.Lookahead):
            return self.look(head, self.seq(rest, tail, True), True)
        if isinstance(head, ecma.Seq):
            return self.seq(list(head.items) + rest, tail, True)
        head = self.unrepeat(head)
        if isinstance(head, ecma.Alt):
            return FSM.union(*(self.seq([o] + rest, tail, True) for o in head.options))
        if _special(head):
            raise PatternUnsupported("anchor inside a repeated group")
        p = self.plain(head)
        out = (p - self.eps) + self.seq(rest, tail, False)
        return out | self.seq(rest, tail, True) if p.accepts([]) else out

    def right_to_left(self, items: list, tail: FSM) -> FSM:
        if any(isinstance(x, ecma.Anchor) and x.kind == "^" for x in items):
            return self.none  # something was consumed before: `^` cannot hold
        result = tail
        for item in reversed(items):
            if result is self.any_star and not _special(item):
                item = _drop_trailing_options(item)
            if not _special(item):
                result = _minimize(self.plain(item) + result)
            elif isinstance(item, ecma.Anchor):
                result = self.none if item.kind == "^" else self.end(result)
            elif isinstance(item, ecma.Lookahead):
                result = self.look(item, result, False)
            elif isinstance(item, ecma.Seq):
                result = self.right_to_left(list(item.items), result)
            else:
                alt = self.unrepeat(item)
                if not isinstance(alt, ecma.Alt):
                    raise PatternUnsupported("anchor or lookahead inside a repeated group")
                result = _minimize(FSM.union(*(self.right_to_left([o], result) for o in alt.options)))
        return result

    def end(self, after: FSM) -> FSM:
        """`$`: the rest of the input is empty, so it must be what follows may match."""
        return self.eps if after.accepts([]) else self.none

    def look(self, item: ecma.Lookahead, after: FSM, at_start: bool) -> FSM:
        inner = self.seq([item.inner], self.any_star, at_start)
        return _minimize(after - inner if item.negate else after & inner)

    @staticmethod
    def unrepeat(node):
        """`X?` and `X{1}` as alternatives, so anchors inside them stay exact."""
        if isinstance(node, ecma.Repeat) and node.max == 1:
            return ecma.Alt(((ecma.Seq(()),) if node.min == 0 else ()) + (ecma.Seq((node.item,)),))
        return node


@lru_cache(maxsize=None)
def pattern_fsm(pattern: str) -> PatternFSM:
    """Automaton accepting exactly the strings in which ECMA-262 `pattern` finds a match."""
    try:
        tree = ecma.parse(pattern)
    except (IndexError, ValueError) as exc:  # syntax regress refused too; never a crash here
        raise PatternUnsupported(f"cannot parse: {exc}") from None
    b = _Builder(tree)
    return PatternFSM(_minimize(b.search(tree)), b.classes)


def _merge(ranges):
    out = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _sample(ranges) -> tuple[int, int]:
    """(rank, code point) of a class's most readable member: completions prefer letters and
    digits, then printable ASCII, then anything."""
    best = (3, ranges[0][0])
    for lo, hi in (("a", "z"), ("A", "Z"), ("0", "9"), ("!", "~"), (" ", "\U0010ffff")):
        for a, b in ranges:
            if a <= ord(hi) and b >= ord(lo):
                rank = 0 if lo in "aA0" else 1 if lo == "!" else 2
                best = min(best, (rank, max(a, ord(lo))))
    return best


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


def _allowed_bytes(ranges: tuple, pending: bytes) -> list[int]:
    """Bytes that extend `pending` towards a code point in `ranges` (sorted, disjoint)."""
    starts = [a for a, _ in ranges]
    # After a lead byte only continuation bytes can follow; a character starts below 0x80 or
    # with a lead byte (0xC2-0xF4).
    candidates = range(0x80, 0xC0) if pending else range(0xF5)
    out = []
    for b in candidates:
        rng = utf8_prefix_range(pending + bytes([b]))
        if rng is None:
            continue
        lo, hi = rng
        j = bisect.bisect_right(starts, hi) - 1
        if j >= 0 and ranges[j][1] >= lo:
            out.append(b)
    return out


class CharDFA:
    """Product automaton of patterns (+/-) and length bounds over code points. Patterns marked
    None are only tracked: `refused` lists the tuples of whether each of them matches (in
    order) that no accepted string may have."""

    def __init__(self, patterns=(), min_length=0, max_length=None, refused=frozenset()):
        pfs = [(AUTOMATA.get(p) or pattern_fsm(p), pos) for p, pos in patterns]
        comps = [(pf.fsm, pos) for pf, pos in pfs]
        # Classes: maximal intervals on which every component reads the same symbol.
        points = {0, SURROGATES[0], SURROGATES[1] + 1}
        owner = []  # per component: sorted (lo, hi, class) of its own classes
        for pf, _ in pfs:
            rows = sorted((a, b, c) for c, rs in enumerate(pf.classes) for a, b in rs)
            owner.append(([a for a, _, _ in rows], rows))
            for a, b, _ in rows:
                points.update((a, b + 1))
        points = sorted(p for p in points if p <= MAX_CP)
        by_sig: dict = {}
        class_sigs, class_ranges = [], []
        self._starts, self._class_at = [], []
        for k, lo in enumerate(points):
            hi = points[k + 1] - 1 if k + 1 < len(points) else MAX_CP
            self._starts.append(lo)
            if lo == SURROGATES[0]:
                self._class_at.append(None)
                continue
            sig = []
            for (fsm, _), (los, rows) in zip(comps, owner):
                j = bisect.bisect_right(los, lo) - 1
                sig.append(fsm.alphabet[rows[j][2]])
            cid = by_sig.setdefault(tuple(sig), len(class_sigs))
            if cid == len(class_sigs):
                class_sigs.append(tuple(sig))
                class_ranges.append([])
            class_ranges[cid].append((lo, hi))
            self._class_at.append(cid)
        self.class_ranges = [_merge(r) for r in class_ranges]
        self._samples = [_sample(r) for r in self.class_ranges]
        cap = max_length if max_length is not None else min_length

        def accepting(state):
            comp_states, length = state
            if length < min_length:
                return False
            if not all((s in fsm.finals) == pos for (fsm, pos), s in zip(comps, comp_states) if pos is not None):
                return False
            return not refused or tuple(s in fsm.finals for (fsm, pos), s in zip(comps, comp_states)
                                        if pos is None) not in refused

        start = (tuple(fsm.initial for fsm, _ in comps), 0)
        order, ids, trans = _explore_product(start, comps, class_sigs,
                                             [cid for cid in range(len(class_sigs)) if class_ranges[cid]],
                                             max_length, cap)
        accept = {ids[s] for s in order if accepting(s)}
        labelled = [(k, pf.labels) for k, (pf, _) in enumerate(pfs) if pf.labels or pf.roles]
        assert len(labelled) <= 1, "one labelled automaton per string"
        self.labels = {}  # state -> label of the name being read there (PatternFSM.labels)
        self.depths = {}  # state -> brackets open there (PatternFSM.depths)
        self.roles = {}  # state -> token it is in (PatternFSM.roles)
        for k, labels in labelled:
            depths, roles = pfs[k][0].depths, pfs[k][0].roles
            for st in order:
                role = roles.get(st[0][k])
                if role is not None:
                    self.roles[ids[st]] = role
                lab = labels.get(st[0][k])
                if lab is not None:
                    self.labels[ids[st]] = lab
                depth = depths.get(st[0][k])
                if depth is not None:
                    self.depths[ids[st]] = depth
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
        self._allowed_ranges: dict[int, tuple] = {}
        self._ranges: dict[tuple, tuple] = {}
        self._suffixes: dict[int, str] = {}
        self._allowed_bytes: dict[tuple, tuple] = {}
        self._dist: list[int] | None = None
        self._count_cache: dict = {}
        self._free: dict[int, bool] = {}

    @property
    def empty(self) -> bool:
        return self.start not in self.live

    def class_of(self, cp: int) -> int | None:
        return self._class_at[bisect.bisect_right(self._starts, cp) - 1]

    def next_state(self, state: int, cp: int):
        cid = self.class_of(cp)
        return None if cid is None else self.trans[state].get(cid)

    def allowed_ranges(self, state: int) -> tuple:
        """Code point ranges with a live transition from `state`; states with the same ranges
        share one tuple (so what depends on the ranges alone is cached once for all of them)."""
        r = self._allowed_ranges.get(state)
        if r is None:
            r = tuple(_merge(rng for cid in self.trans[state] for rng in self.class_ranges[cid]))
            r = self._allowed_ranges[state] = self._ranges.setdefault(r, r)
        return r

    def free_state(self, state: int) -> bool:
        """Does `state` accept and keep every code point but surrogates on itself (`.*`, most
        strings of a schema)? Then any text from it is legal and every byte of it a choice."""
        hit = self._free.get(state)
        if hit is None:
            row = self.trans[state]
            hit = self._free[state] = state in self.accept and all(t == state for t in row.values()) \
                and self.allowed_ranges(state) == ((0, SURROGATES[0] - 1), (SURROGATES[1] + 1, MAX_CP))
        return hit

    def allowed_bytes(self, state: int, pending: bytes) -> list[int]:
        """Bytes that extend `pending` towards a code point with a live transition."""
        # Cached by the ranges they depend on (kept alive by `_ranges`, so their ids are
        # stable). Bounded, since random ids can visit many partial characters.
        ranges = self.allowed_ranges(state)
        key = (id(ranges), pending)
        hit = self._allowed_bytes.get(key)
        if hit is None:
            if len(self._allowed_bytes) >= 1 << 16:
                self._allowed_bytes.clear()
            hit = self._allowed_bytes[key] = tuple(_allowed_bytes(ranges, pending))
        return list(hit)

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
        return chr(self._samples[cid][1])

    def shortest_suffix(self, state: int) -> str:
        hit = self._suffixes.get(state)
        if hit is not None:
            return hit
        dist, out, s = self.distances(), [], state
        while dist[s] > 0:
            cid, nxt = min(((c, t) for c, t in self.trans[s].items() if dist[t] == dist[s] - 1),
                           key=lambda ct: self._samples[ct[0]])
            out.append(self.sample_char(cid))
            s = nxt
        hit = self._suffixes[state] = "".join(out)
        return hit

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
